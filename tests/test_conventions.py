"""Regressions of wrong numbers and ignored options, each expected value from the framework's own rule.

Where torch is installed the torch rows are also checked against torch itself: the parameter
torch passes to its sampler is caught from the call (`Tensor.uniform_`/`normal_` wrapped), and a
real module's weights are drawn and their std compared with the table.
"""

from __future__ import annotations

import json
import math
import warnings

import pytest
from conftest import torch_or_skip

TRUNC = 0.87962566103423978  # std of N(0, 1) cut at ±2
TORCH_GAINS = {
    "linear": 1.0,
    "sigmoid": 1.0,
    "tanh": 5 / 3,
    "relu": math.sqrt(2),
    "leaky_relu": math.sqrt(2 / (1 + 0.01**2)),
    "selu": 3 / 4,
}
TRANSFORMER = """\
Transformer(
  (encoder): TransformerEncoder(
    (layers): ModuleList(
      (0): TransformerEncoderLayer(
        (self_attn): MultiheadAttention(
          (out_proj): NonDynamicallyQuantizableLinear(in_features=16, out_features=16, bias=True)
        )
        (linear1): Linear(in_features=16, out_features=32, bias=True)
        (dropout): Dropout(p=0.1, inplace=False)
        (linear2): Linear(in_features=32, out_features=16, bias=True)
        (norm1): LayerNorm((16,), eps=1e-05, elementwise_affine=True, bias=True)
        (norm2): LayerNorm((16,), eps=1e-05, elementwise_affine=True, bias=True)
      )
    )
    (norm): LayerNorm((16,), eps=1e-05, elementwise_affine=True, bias=True)
  )
)
"""
MHA = """\
Sequential(
  (0): MultiheadAttention(
    (out_proj): NonDynamicallyQuantizableLinear(in_features=8, out_features=8, bias=True)
  )
)
"""


def run_json(cli, *argv, stdin=None):
    result = cli(*argv, "--format", "json", stdin=stdin)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def one_line_error(result, code=2):
    assert result.exit_code == code, result.output
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("Error: ")
    assert "Traceback" not in result.stderr
    return result.stderr


# ── 1. --shape keeps --act ───────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize("nonlinearity", sorted(TORCH_GAINS))
def test_shape_keeps_the_activation(cli, nonlinearity):
    """torch (300, 200) → fan_in 200; kaiming_uniform_(nonlinearity=…) bound = gain·√(3/200)."""
    expected = TORCH_GAINS[nonlinearity] * math.sqrt(3 / 200)
    for extra in ((), ("--framework", "torch")):
        result = cli(
            "--shape",
            "300x200",
            "--scheme",
            "he",
            "--dist",
            "uniform",
            "--act",
            nonlinearity,
            *extra,
            "--value",
        )
        assert result.exit_code == 0, result.output
        assert math.isclose(float(result.stdout), expected, rel_tol=1e-12)


def test_shape_with_tanh_is_torch_bound_not_linear(cli):
    """The issue's case: 0.2041 (tanh), not 0.1225 (linear)."""
    result = cli("--shape", "300x200", "--scheme", "he", "--dist", "uniform", "--act", "tanh", "--value")
    assert f"{float(result.stdout):.4f}" == "0.2041"


def test_emit_of_a_shape_writes_the_nonlinearity(cli):
    result = cli(
        "emit", "torch", "--shape", "300x200", "--scheme", "he", "--dist", "uniform", "--act", "tanh"
    )
    assert result.exit_code == 0, result.output
    assert "nonlinearity='tanh'" in result.stdout


@pytest.mark.torch
@pytest.mark.parametrize("nonlinearity", sorted(TORCH_GAINS))
def test_shape_matches_torch_kaiming(cli, monkeypatch, nonlinearity):
    """The bound torch's kaiming_uniform_ passes to uniform_ for a (300, 200) weight."""
    torch = torch_or_skip()
    caught = []
    original = torch.Tensor.uniform_

    def spy(self, a=0.0, b=1.0, **kwargs):
        caught.append(b)
        return original(self, a, b, **kwargs)

    monkeypatch.setattr(torch.Tensor, "uniform_", spy)
    slope = 0.01 if nonlinearity == "leaky_relu" else 0  # --act leaky_relu is torch's LeakyReLU(0.01)
    torch.nn.init.kaiming_uniform_(torch.empty(300, 200), a=slope, nonlinearity=nonlinearity)
    result = cli(
        "--shape", "300x200", "--scheme", "he", "--dist", "uniform", "--act", nonlinearity, "--value"
    )
    assert math.isclose(float(result.stdout), caught[0], rel_tol=1e-12)


# ── 2. Keras depthwise convolutions ──────────────────────────────────────────────────────────────


def test_keras_depthwise_fans():
    """Keras DepthwiseConv2D kernel (3, 3, 64, 1): fan_in = 9·64 = 576, fan_out = 9·1 = 9."""
    from glorotcalc.frameworks import FRAMEWORKS, framework_fans, framework_shape
    from glorotcalc.inputs import resolve_layers

    (layer,) = resolve_layers(["64-dwconv3x3"])
    keras = FRAMEWORKS["keras"]
    assert framework_shape(layer, keras) == (3, 3, 64, 1)
    assert framework_fans(layer, keras) == (576, 9)
    assert framework_fans(layer, FRAMEWORKS["torch"]) == (9, 64 * 9)
    assert framework_fans(layer, FRAMEWORKS["flax"]) == (9, 64 * 9)
    (doubled,) = resolve_layers(["64-dwconv3x3:128"])
    assert framework_shape(doubled, keras) == (3, 3, 64, 2)
    assert framework_fans(doubled, keras) == (576, 18)


def test_keras_depthwise_he_normal(cli):
    """he_normal on the depthwise kernel: σ = √(2/576)/0.8796 — not √(2/9)/0.8796 (8× larger)."""
    result = cli("64-dwconv3x3", "--framework", "keras", "--scheme", "he", "--dist", "normal", "--value")
    assert result.exit_code == 0, result.output
    assert math.isclose(float(result.stdout), math.sqrt(2 / 576) / TRUNC, rel_tol=1e-12)


def test_grouped_conv_is_not_called_depthwise(cli):
    """conv3x3:64/64 is Conv2D(groups=64) — its notes point to dwconv for DepthwiseConv2D."""
    result = cli("64-conv3x3:64/64", "--framework", "keras", "--scheme", "he", "--dist", "uniform", "--value")
    assert math.isclose(float(result.stdout), math.sqrt(2) * math.sqrt(3 / 9), rel_tol=1e-12)
    notes = run_json(cli, "64-conv3x3:64/64")["notes"]
    assert any("DepthwiseConv2D" in note and "dwconv" in note for note in notes)


def test_defaults_name_the_layer_modelled(cli):
    notes = run_json(cli, "defaults", "64-dwconv3x3")["notes"]
    assert any("Keras DepthwiseConv*D" in note and "torch nn.Conv*d" in note for note in notes)


# ── 3–6. defaults: MultiheadAttention, nn.Transformer, bias=False, unknown modules ───────────────


def _defaults_rows(cli, text, framework="torch"):
    document = run_json(cli, "defaults", "-", "--framework", framework, stdin=text)
    return {row["name"]: row["defaults"][0] for row in document["layers"]}, document


def test_multihead_attention_biases_are_zero(cli):
    """MultiheadAttention._reset_parameters: in_proj_bias and out_proj.bias = 0."""
    rows, _ = _defaults_rows(cli, MHA)
    assert rows["0.in_proj"]["bias"] == "zeros"
    assert rows["0.out_proj"]["bias"] == "zeros"
    assert rows["0.in_proj"]["layer_init"] == "xavier_uniform_"
    # out_proj's weight keeps Linear's kaiming_uniform_(a=√5): U(±1/√8)
    assert math.isclose(rows["0.out_proj"]["bound"], 1 / math.sqrt(8), rel_tol=1e-12)


def test_transformer_reinitializes_every_weight_with_xavier(cli):
    """nn.Transformer._reset_parameters: xavier_uniform_ on every parameter with dim > 1."""
    rows, document = _defaults_rows(cli, TRANSFORMER)
    fans = {
        "linear1": (16, 32),
        "linear2": (32, 16),
        "self_attn.out_proj": (16, 16),
        "self_attn.in_proj": (16, 48),
    }
    for suffix, (fan_in, fan_out) in fans.items():
        row = rows[f"encoder.layers.0.{suffix}"]
        assert row["layer_init"] == "xavier_uniform_"
        assert math.isclose(row["bound"], math.sqrt(6 / (fan_in + fan_out)), rel_tol=1e-12)
    # biases keep their own defaults: Linear's U(±1/√fan_in), attention's zeros
    assert rows["encoder.layers.0.linear1"]["bias"] == f"U(±{1 / math.sqrt(16):.6g})"
    assert rows["encoder.layers.0.self_attn.in_proj"]["bias"] == "zeros"
    assert any("xavier_uniform_" in note and "Transformer" in note for note in document["notes"])


def test_transformer_encoder_alone_keeps_linear_defaults(cli):
    """Only the whole nn.Transformer re-initializes: a TransformerEncoder keeps kaiming_uniform_(a=√5)."""
    encoder = "\n".join(TRANSFORMER.splitlines()[1:-1]).replace(
        "  (encoder): TransformerEncoder(", "TransformerEncoder("
    )
    rows, _ = _defaults_rows(cli, encoder + "\n")
    assert rows["layers.0.linear1"]["layer_init"] == "kaiming_uniform_(a=√5)"


@pytest.mark.torch
@pytest.mark.slow
def test_transformer_weights_drawn_by_torch_match_the_table(cli):
    """Build the nn.Transformer the printout came from; each weight's std is within 5 SE of the table.

    For U(±b), std = b/√3 and the rel. SE of a sample std is √((κ−1)/(4n)) = √(0.2/n) (κ = 1.8).
    """
    torch = torch_or_skip()
    torch.manual_seed(0)
    with warnings.catch_warnings():  # torch warns about its nested-tensor fast path
        warnings.simplefilter("ignore")
        model = torch.nn.Transformer(
            d_model=16, nhead=2, num_encoder_layers=1, num_decoder_layers=1, dim_feedforward=32
        )
    rows, _ = _defaults_rows(cli, str(model))
    params = dict(model.named_parameters())
    checked = 0
    for name, row in rows.items():
        tensor = params.get(f"{name}.weight", params.get(f"{name}_weight"))
        if tensor is None:
            continue
        n = tensor.numel()
        std = float(tensor.detach().double().std())
        assert abs(std / row["std"] - 1) < 5 * math.sqrt(0.2 / n) + 5 / n, name
        checked += 1
    assert checked == len([p for p in params.values() if p.dim() > 1])


@pytest.mark.torch
def test_multihead_attention_biases_match_torch():
    torch = torch_or_skip()
    module = torch.nn.MultiheadAttention(8, 2)
    assert float(module.in_proj_bias.detach().abs().max()) == 0.0
    assert float(module.out_proj.bias.detach().abs().max()) == 0.0


def test_bias_false_has_no_bias_row(cli):
    text = (
        "Sequential(\n  (0): Linear(in_features=4, out_features=2, bias=False)\n"
        "  (1): Conv2d(3, 8, kernel_size=(3, 3), bias=False)\n)\n"
    )
    for framework in ("torch", "keras", "flax"):
        rows, _ = _defaults_rows(cli, text, framework)
        assert {row["bias"] for row in rows.values()} == {"none"}, framework
        assert all(row["bias_bound"] is None for row in rows.values())


def test_defaults_list_unknown_modules(cli):
    text = "Sequential(\n  (0): Mamba(10, 20)\n  (1): Linear(in_features=20, out_features=5, bias=True)\n)\n"
    result = cli("defaults", "-", stdin=text)
    assert result.exit_code == 0, result.output
    assert "Mamba" in result.stdout or "not analysed" in result.stdout
    document = run_json(cli, "defaults", "-", stdin=text)
    assert [m["name"] for m in document["unknown_modules"]] == ["0"]
    csv = cli("defaults", "-", "--format", "csv", stdin=text).stdout.splitlines()
    assert any(line.startswith("0,") and "not analysed" in line for line in csv)


# ── 7. Keras zero-size shapes ────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize("shape, fans", [("2x0", (2, 0)), ("0x1", (0, 1)), ("3x0", (3, 0))])
def test_keras_zero_size_shapes(cli, shape, fans):
    """Keras compute_fans (*k, in, out) → fans; n = max(1, (fi+fo)/2) → limit √(3·1/n)."""
    result = cli(
        "--shape", shape, "--framework", "keras", "--scheme", "glorot", "--dist", "uniform", "--value"
    )
    assert result.exit_code == 0, result.output
    n = max(1.0, sum(fans) / 2)
    assert math.isclose(float(result.stdout), math.sqrt(3 / n), rel_tol=1e-12)


# ── 8. messages ──────────────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    "argv, words",
    [
        (("help",), ("--help",)),
        (("784x256",), ("784 256", "--shape 256x784")),
        (("784", "256.5"), ("whole numbers", "256.5")),
        (("model.npz", "audit"), ("audit model.npz",)),
        (("784", "256", "--scheme", "he_normal"), ("--init he_normal", "--scheme he --dist normal")),
        (("784", "256", "-scheme", "he"), ("-scheme", "--scheme")),
    ],
)
def test_misleading_input_gets_a_helpful_message(cli, argv, words):
    message = one_line_error(cli(*argv))
    for word in words:
        assert word in message, message


# ── §4: every typed option takes effect ──────────────────────────────────────────────────────────


def test_scheme_all_means_all_for_a_chain(cli):
    """--scheme all --dist all on 2 layers: every scheme × distribution per layer, as for one layer."""

    def results(*argv):
        out = cli("784-256-10", *argv, "--format", "csv").stdout.splitlines()[1:]
        return [tuple(line.split(",")[i] for i in (0, 9, 10)) for line in out]  # layer, scheme, dist

    every = [
        (f"layer{i}", s, d)
        for i in (0, 1)
        for s in ("glorot", "he", "lecun")
        for d in ("uniform", "normal", "truncated")
    ]
    assert results("--scheme", "all", "--dist", "all") == every
    assert {(layer, scheme) for layer, scheme, _ in results()} == {("layer0", "glorot"), ("layer1", "glorot")}
    assert {scheme for _, scheme, _ in results("--scheme", "he,glorot")} == {"he", "glorot"}
    table = cli("784-256-10", "--scheme", "all", "--dist", "all").stdout
    assert (
        sum(line.startswith((" layer0 ", " layer1 ")) for line in table.splitlines()) == 6
    )  # a row per layer × scheme


def test_framework_all_is_the_compare_command(cli):
    one_line_error(cli("784", "256", "--framework", "all"))
    result = cli("compare", "784", "256", "--format", "csv")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()[1:]
    from glorotcalc.frameworks import FRAMEWORKS

    assert {line.split(",")[1] for line in lines} == set(FRAMEWORKS)  # every framework by default


def test_gain_beside_act_says_which_set_the_gain(cli):
    notes = run_json(cli, "784", "256", "--act", "relu", "--gain", "2", "--scheme", "he")["notes"]
    assert any("--gain sets the gain" in note and "relu" in note for note in notes)
    value = cli("784", "256", "--act", "relu", "--gain", "2", "--scheme", "he", "--dist", "normal", "--value")
    assert math.isclose(float(value.stdout), 2 / math.sqrt(784), rel_tol=1e-12)


@pytest.mark.parametrize(
    "argv",
    [
        ("784", "256", "--batch", "5"),
        ("audit", "x.npy", "--scheme", "he"),
        ("gain", "relu", "--shape", "3x3"),
        ("defaults", "784", "256", "--scheme", "he"),
        ("compare", "784", "256", "--explain"),
    ],
)
def test_an_option_a_command_does_not_have_is_refused(cli, argv):
    message = one_line_error(cli(*argv))
    assert argv[-2] in message or argv[-1] in message


@pytest.mark.parametrize(
    "argv",
    [("784-256-10",), ("784", "256", "10")],
    ids=["architecture", "chain"],
)
@pytest.mark.parametrize("pick, fan_in", [("1", 256), ("layer0", 784)])
def test_value_of_one_layer_of_a_chain(cli, argv, pick, fan_in):
    """--layer NAME|INDEX picks one layer: he normal std √(2/fan_in) of that layer."""
    result = cli(*argv, "--layer", pick, "--scheme", "he", "--dist", "normal", "--value")
    assert result.exit_code == 0, result.output
    assert math.isclose(float(result.stdout), math.sqrt(2 / fan_in), rel_tol=1e-12)


def test_layer_of_a_printout_by_module_path(cli):
    text = (
        "Sequential(\n  (0): Linear(in_features=784, out_features=256, bias=True)\n  (1): ReLU()\n"
        "  (2): Linear(in_features=256, out_features=10, bias=True)\n)\n"
    )
    result = cli("-", "--layer", "2", "--scheme", "glorot", "--dist", "uniform", "--value", stdin=text)
    assert math.isclose(float(result.stdout), math.sqrt(6 / (256 + 10)), rel_tol=1e-12)
    message = one_line_error(cli("-", "--layer", "7", stdin=text))
    assert "0, 2" in message


def test_a_repeated_layer_is_one_table_row(cli):
    """``256 --depth 10000``: one row ×10000 in the table (CSV keeps all 10,000 × 3 results)."""
    table = cli("256", "--depth", "10000").stdout
    rows = [line for line in table.splitlines() if line.startswith(" layer")]
    assert rows[1:] == [rows[1]] and "layer(0-9999) ×10000" in rows[1]
    assert "10000 rows: repeated runs shown once" in table
    every = cli("256", "--depth", "3", "--every-row").stdout
    assert [line.split()[0] for line in every.splitlines() if line.startswith(" layer")][1:] == [
        "layer0",
        "layer1",
        "layer2",
    ]
    csv_rows = cli("256", "--depth", "10000", "--format", "csv").stdout.splitlines()[1:]
    assert len(csv_rows) == 10000 * 3


def test_repeated_blocks_of_a_printout_collapse_by_span():
    """A block of rows that repeats (6 transformer layers) is shown once per row, named by span."""
    from glorotcalc.lookup import collapse_repeats

    block = [
        {"layer": f"layers.{i}.{part}", "fan_in": fan} for i in range(6) for part, fan in (("a", 1), ("b", 2))
    ]
    assert collapse_repeats([{"layer": "embed", "fan_in": 9}, *block, {"layer": "head", "fan_in": 3}]) == [
        {"layer": "embed", "fan_in": 9},
        {"layer": "layers.(0-5).a ×6", "fan_in": 1},
        {"layer": "layers.(0-5).b ×6", "fan_in": 2},
        {"layer": "head", "fan_in": 3},
    ]
    distinct = [{"layer": f"l{i}", "fan_in": i} for i in range(5)]
    assert collapse_repeats(distinct) == distinct
