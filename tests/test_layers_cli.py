"""Architectures from the shell: the per-layer table, its machine formats, inputs and errors.

Expected numbers are formulas: He Var = gain²/fan_in (relu gain² = 2), Glorot Var =
2·gain²/(fan_in + fan_out), LeCun Var = 1/fan_in; uniform bound = √(3·Var); truncated σ =
√Var/0.87962566103423978.
"""

from __future__ import annotations

import csv
import io
import json
import math

import pytest
from test_torchrepr import BLOCK, CNN, ENCODER, MLP

TRUNCATED_STD = 0.87962566103423978
MNIST = "1-conv5x5:32@relu-conv5x5:64@relu-flatten:7x7-1024@relu-10"


def lines(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.splitlines())


def rows(result) -> list[dict]:
    return list(csv.DictReader(io.StringIO(result.stdout)))


MNIST_TABLE = """\
4 layers · torch layout · 3,273,504 parameters

 layer   kind    shape      fan_in  fan_out  act     scheme        std      bound     params
 ───────────────────────────────────────────────────────────────────────────────────────────
 layer0  conv2d  32×1×5×5       25      800  relu    he       0.282843   0.489898        800
 layer1  conv2d  64×32×5×5     800    1,600  relu    he           0.05  0.0866025     51,200
 layer2  dense   1024×3136   3,136    1,024  relu    he      0.0252538  0.0437409  3,211,264
 layer3  dense   10×1024     1,024       10  linear  glorot  0.0439799  0.0761755     10,240

 total                                                                             3,273,504

{scheme}
{legend}
gain — glorot: gain 1 from glorot (1); he: gain 1.41421 from torch relu
layer2: input 64×7×7 = 3136 (flatten:7x7)""".format(
    scheme="scheme: recommended for the activation — relu-like → he (its gain), "
    "tanh/sigmoid/linear → glorot, selu → lecun normal",
    legend="std = √Var (normal σ, realized std) · bound = √(3·Var) (uniform) · truncated σ: --dist truncated "
    "or --format json",
)


def test_mnist_table_pinned(cli):
    result = cli(MNIST)
    assert result.exit_code == 0, result.output
    assert lines(result.stdout) == MNIST_TABLE
    assert result.stderr == ""


def per_layer(got: list[dict], distribution: str = "uniform") -> list[dict]:
    """One CSV row per layer × scheme × distribution: the rows of one distribution."""
    return [row for row in got if row["distribution"] == distribution]


def test_mnist_numbers_from_the_formulas(cli):
    result = cli(MNIST, "--format", "csv")
    assert result.exit_code == 0, result.output
    everything = rows(result)
    assert [r["distribution"] for r in everything] == ["uniform", "normal", "truncated"] * 4
    got = per_layer(everything)
    truncated = per_layer(everything, "truncated")
    assert [(int(r["fan_in"]), int(r["fan_out"])) for r in got] == [
        (25, 800),
        (800, 1600),
        (3136, 1024),
        (1024, 10),
    ]
    expected_var = [2 / 25, 2 / 800, 2 / 3136, 2 / (1024 + 10)]
    for row, cut, var in zip(got, truncated, expected_var, strict=True):
        assert math.isclose(float(row["variance"]), var, rel_tol=1e-15)
        assert math.isclose(float(row["std"]), math.sqrt(var), rel_tol=1e-15)
        assert math.isclose(float(row["bound"]), math.sqrt(3 * var), rel_tol=1e-15)
        assert math.isclose(float(cut["sampler_std"]), math.sqrt(var) / TRUNCATED_STD, rel_tol=1e-15)
    assert [r["scheme"] for r in got] == ["he", "he", "he", "glorot"]
    assert [r["shape"] for r in got] == ["32x1x5x5", "64x32x5x5", "1024x3136", "10x1024"]
    assert [int(r["params"]) for r in got] == [32 * 25, 64 * 32 * 25, 1024 * 3136, 10 * 1024]


def test_json_keeps_schema_and_layer_order(cli):
    result = cli(MNIST, "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert (document["schema"], document["kind"]) == (2, "lookup")
    assert [layer["name"] for layer in document["layers"]] == ["layer0", "layer1", "layer2", "layer3"]
    assert document["total_params"] == 32 * 25 + 64 * 32 * 25 + 1024 * 3136 + 10 * 1024
    first = document["layers"][0]
    assert (first["kernel"], first["in_channels"], first["out_channels"], first["groups"]) == (
        [5, 5],
        1,
        32,
        1,
    )
    assert [r["distribution"] for r in first["results"]] == ["uniform", "normal", "truncated"]
    assert first["results"][0]["bound"] == math.sqrt(3 * 2 / 25)
    assert document["layers"][2]["flatten"] == [7, 7]


@pytest.mark.parametrize(
    ("text", "activation", "scheme", "variance"),
    [
        ("784-256@relu-10", "relu", "he", 2 / 784),
        ("784-256@leaky_relu:0.2-10", "leaky_relu:0.2", "he", 2 / (1 + 0.2**2) / 784),
        ("784-256@tanh-10", "tanh", "glorot", (5 / 3) ** 2 * 2 / (784 + 256)),
        ("784-256@sigmoid-10", "sigmoid", "glorot", 2 / (784 + 256)),
        ("784-256@linear-10", "linear", "glorot", 2 / (784 + 256)),
        ("784-256@selu-10", "selu", "lecun", 1 / 784),
    ],
)
def test_recommended_scheme_per_activation(cli, text, activation, scheme, variance):
    result = cli(text, "--format", "csv")
    assert result.exit_code == 0, result.output
    first = rows(result)[0]
    assert (first["activation"], first["scheme"]) == (activation, scheme)
    assert math.isclose(float(first["variance"]), variance, rel_tol=1e-14)


def test_selu_is_lecun_normal_only(cli):
    result = cli("784-256@selu-10", "--format", "json")
    selu, last = json.loads(result.stdout)["layers"]
    assert [(r["scheme"], r["distribution"], r["gain"]) for r in selu["results"]] == [
        ("lecun", "normal", 1.0)
    ]
    assert [r["distribution"] for r in last["results"]] == ["uniform", "normal", "truncated"]
    assert rows(cli("784-256@selu-10", "--format", "csv"))[0]["bound"] == ""


def test_gelu_gets_he_with_the_computed_gain(cli):
    result = cli("784-256@gelu-10", "--format", "json")
    gelu = json.loads(result.stdout)["layers"][0]["results"][1]
    assert (gelu["scheme"], gelu["gain_source"]) == ("he", "computed gelu")
    assert math.isclose(gelu["variance"], gelu["gain"] ** 2 / 784, rel_tol=1e-15)


def test_default_activation_and_suffix_override(cli):
    result = cli("784-256-128@tanh-10", "--act", "relu", "--format", "csv")
    assert [r["activation"] for r in per_layer(rows(result))] == ["relu", "tanh", "relu"]


def test_scheme_and_dist_filter(cli):
    result = cli("784-256@relu-10", "--scheme", "he,glorot", "--dist", "normal", "--format", "csv")
    assert result.exit_code == 0, result.output
    got = rows(result)
    assert [(r["layer"], r["scheme"]) for r in got] == [
        ("layer0", "he"),
        ("layer0", "glorot"),
        ("layer1", "he"),
        ("layer1", "glorot"),
    ]
    assert {r["bound"] for r in got} == {""} and {r["distribution"] for r in got} == {"normal"}
    table = cli("784-256@relu-10", "--dist", "normal").stdout
    assert "bound" not in table.splitlines()[2] and "trunc σ" not in table
    truncated = cli("784-256@relu-10", "--dist", "truncated").stdout
    assert "trunc σ" in truncated.splitlines()[2] and " bound " not in truncated.splitlines()[2]


def test_tsv_carries_the_same_rows(cli):
    csv_rows = rows(cli(MNIST, "--format", "csv"))
    tsv = cli(MNIST, "--format", "tsv").stdout.splitlines()
    assert [line.split("\t") for line in tsv[1:]] == [list(r.values()) for r in csv_rows]


def test_explain_per_layer(cli):
    result = cli("784-256@relu-10", "--scheme", "he", "--dist", "uniform", "--explain")
    assert result.exit_code == 0, result.output
    assert "layer0: he uniform: n = fan_in = 784; Var = gain²/n = 1.41421²/784 = 0.00255102" in lines(
        result.stdout
    ).replace("\n", " ")


def test_value_needs_one_result(cli):
    result = cli(MNIST, "--value")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: --value needs exactly one result")


@pytest.mark.parametrize("text", ["784-256", "784 256"])
def test_one_layer_gives_the_single_layer_table(cli, text):
    single = cli("784", "256")
    result = cli(*text.split())
    assert result.exit_code == 0, result.output
    assert result.stdout == single.stdout


def test_one_linear_printout_gives_the_single_layer_table(cli, tmp_path):
    path = tmp_path / "one.txt"
    path.write_text("Linear(in_features=784, out_features=256, bias=True)\n")
    assert cli(str(path)).stdout == cli("784", "256").stdout


def test_chain_and_architecture_agree(cli):
    assert cli("784", "256", "128", "10").stdout == cli("784-256-128-10").stdout


@pytest.mark.parametrize("printout", [MLP, CNN, BLOCK, ENCODER])
def test_typical_printouts_fit_120_columns_uncut(cli, tmp_path, printout):
    path = tmp_path / "model.txt"
    path.write_text(printout)
    result = cli(str(path))
    assert result.exit_code == 0, result.output
    table = lines(result.stdout).split("\n\n")[1]
    assert "…" not in table
    assert max(len(line.rstrip()) for line in result.stdout.splitlines()) <= 120


def test_printout_from_stdin_with_notes(cli):
    result = cli("-", stdin=ENCODER)
    assert result.exit_code == 0, result.output
    out = lines(result.stdout).replace("\n", " ")
    row = " self_attn.in_proj   qkv    192×64      64      192  linear  glorot  0.0883883  0.153093"
    assert row in lines(result.stdout)
    assert "packed q/k/v (192, 64) = (3E, E)" in out
    assert "passed over (no weight matrix): Dropout ×3, LayerNorm ×2" in out


def test_unknown_modules_are_listed_never_dropped(cli):
    text = MLP.replace("(2): Dropout(p=0.2, inplace=False)", "(2): Mamba(256, 256)")
    result = cli("-", "--format", "json", stdin=text)
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["unknown_modules"] == [
        {"name": "2", "module": "Mamba(256, 256)", "reason": "unknown module type"}
    ]
    assert any(note.startswith("not analysed") for note in document["notes"])
    table = cli("-", stdin=text).stdout
    assert "not analysed (weights, if any, not counted): 2 Mamba(256, 256) (unknown module type)" in table


def test_architecture_and_chain_from_stdin(cli):
    assert cli("-", stdin="784-256@relu-10\n").stdout == cli("784-256@relu-10").stdout
    assert cli("-", stdin="784 256 10\n").stdout == cli("784", "256", "10").stdout


def test_layout_keras(cli):
    result = cli("3-convt4x4:8-conv3x3:8/8", "--layout", "keras", "--format", "csv")
    got = per_layer(rows(result))
    assert [r["shape"] for r in got] == ["4x4x8x3", "3x3x1x8"]
    assert [(int(r["fan_in"]), int(r["fan_out"])) for r in got] == [(8 * 16, 3 * 16), (9, 72)]


def test_transposed_and_depthwise_notes_in_the_table(cli):
    out = lines(cli("64-convt4x4:32-conv3x3:32/32").stdout).replace("\n", " ")
    assert (
        "layer0: transposed: fan_in/fan_out = 512/1024 in torch and keras (output channels), 1024/512 in flax"
        in out
    )
    # conv3x3:32/32 on 32 channels: weight (32, 1, 3, 3), fan_in 1·9 = 9, fan_out 32·9 = 288
    assert "layer1: groups=32" in out
    assert "fan_in 9 is right; fan_out 288 is 32× the out/groups·∏k = 9 outputs each input feeds" in out
    assert "Keras DepthwiseConv2D has other fans: write dwconvKxK" in out
    # dwconv3x3 is Keras's DepthwiseConv2D: kernel (3, 3, 32, 1), fans 32·9 = 288 and 1·9 = 9
    dw = lines(cli("32-dwconv3x3", "--layout", "keras").stdout).replace("\n", " ")
    assert "depthwise: Keras DepthwiseConv2D kernel (*k, in, multiplier) has fans 288/9" in dw


def test_framework_fans_in_json(cli):
    result = cli("8-convt4x4:4-2", "--format", "json")
    layer = json.loads(result.stdout)["layers"][0]
    assert layer["framework_fans"] == {
        "torch": {"fan_in": 4 * 16, "fan_out": 8 * 16},
        "keras": {"fan_in": 4 * 16, "fan_out": 8 * 16},
        "flax": {"fan_in": 8 * 16, "fan_out": 4 * 16},
    }


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["784-25x6-10"],
            "Error: architecture token 2 '25x6' at char 5 of 784-^25x6-10: expected N, convK:C",
        ),
        (
            ["784-256@foo"],
            "unknown activation 'foo'; use one of linear, relu, leaky_relu, tanh, sigmoid, selu",
        ),
        (["784-256", "10"], "Error: give one architecture string, printout file or -; got '784-256 10'"),
        (["784-256", "--depth", "3"], "Error: --depth takes one width; got '784-256'"),
        (["1024", "--depth", "0"], "Error: --depth 0: must be between 1 and 10,000"),
        (["1024", "--depth", "10001"], "Error: --depth 10001: must be between 1 and 10,000"),
        (["8"] * 10_002, "Error: a chain of 10,002 widths: at most 10,001 (10,000 layers)"),
        (["784", "9" * 5000], "Error: fan_out '99999"),
    ],
)
def test_usage_errors_are_one_line_exit_2(cli, argv, message):
    result = cli(*argv)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("Error: ") and message in result.stderr
    assert result.stderr.count("\n") == 1


@pytest.mark.parametrize("command", [[], ["compare"], ["defaults"], ["emit", "torch"], ["propagate"]])
def test_depth_and_chain_limits_hold_for_every_layer_command(cli, command):
    """10,000 layers W→W: --depth 10,000 or a chain of 10,001 widths is the most, in every command."""
    assert cli(*command, "8", "--depth", "10001").stderr == (
        "Error: --depth 10001: must be between 1 and 10,000\n"
    )
    assert cli(*command, *["8"] * 10_002).stderr == (
        "Error: a chain of 10,002 widths: at most 10,001 (10,000 layers)\n"
    )


def test_the_largest_depth_and_chain_are_computed(cli):
    """At the limit, 10,000 layers 8→8: Glorot Var = 2/(8 + 8) for every one of them."""
    deep = cli("8", "--depth", "10000", "--scheme", "glorot", "--dist", "normal", "--format", "csv")
    assert deep.exit_code == 0, deep.output
    got = rows(deep)
    assert len(got) == 10_000
    assert {float(r["variance"]) for r in got} == {2 / (8 + 8)}
    assert (
        deep.stdout
        == cli(*["8"] * 10_001, "--scheme", "glorot", "--dist", "normal", "--format", "csv").stdout
    )


def test_file_errors_exit_1(cli, tmp_path):
    missing = cli(str(tmp_path / "model.txt"))
    assert (missing.exit_code, missing.stderr) == (
        1,
        f"Error: cannot read '{tmp_path / 'model.txt'}': no such file\n",
    )
    binary = tmp_path / "weights.bin"
    binary.write_bytes(b"\x80\x81\xff" * 10)
    result = cli(str(binary))
    assert result.exit_code == 1
    assert (
        result.stderr
        == f"Error: cannot read '{binary}': not a text printout (a weights file? see glorotcalc audit)\n"
    )
    directory = cli(str(tmp_path))
    assert directory.exit_code == 1 and directory.stderr.startswith(f"Error: cannot read '{tmp_path}': ")
    empty = cli("-", stdin="")
    assert empty.exit_code == 1
    assert empty.stderr.startswith("Error: stdin: no torch module printout found: expected what print(model)")
