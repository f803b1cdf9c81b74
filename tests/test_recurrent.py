"""Recurrent layers: torch printouts and arch tokens against torch's own parameters and defaults,
and the Keras/Flax recurrent defaults against the real layers.

Expected shapes are torch's ``named_parameters()`` (or, without torch, written from the rule of
torch 2.13 ``RNNBase.__init__``: gate_size = 4H LSTM, 3H GRU, H RNN); statistics are recomputed
from U(±1/√H): std 1/√(3H), rel. SE of a sample std √((κ−1)/(4n)) with κ = 1.8 (uniform).
"""

from __future__ import annotations

import json
import math

import pytest
from conftest import torch_or_skip

from glorotcalc.arch import parse_arch
from glorotcalc.audit import audit
from glorotcalc.defaults import defaults
from glorotcalc.emit import emit
from glorotcalc.errors import UsageError
from glorotcalc.frameworks import FRAMEWORKS, default_stats
from glorotcalc.torchrepr import parse_torch_repr

GATES = {"LSTM": 4, "GRU": 3, "RNN": 1}


def expected_shapes(cell, input_size, hidden, layers=1, bidirectional=False, proj=0, prefix=""):
    """torch's parameter shapes, from the rule in RNNBase.__init__ (weights only)."""
    gate_size, real = GATES[cell] * hidden, proj or hidden
    directions = 2 if bidirectional else 1
    found = {}
    for k in range(layers):
        inputs = input_size if k == 0 else real * directions
        for d in range(directions):
            suffix = f"_l{k}" + ("_reverse" if d else "")
            found[f"{prefix}weight_ih{suffix}"] = (gate_size, inputs)
            found[f"{prefix}weight_hh{suffix}"] = (gate_size, real)
            if proj:
                found[f"{prefix}weight_hr{suffix}"] = (proj, hidden)
    return found


def test_lstm_printout_shapes_by_rule():
    text = "LSTM(128, 256, proj_size=64, num_layers=2, bias=False, batch_first=True, bidirectional=True)"
    model = parse_torch_repr(text)
    assert {layer.name: layer.shape for layer in model} == expected_shapes("LSTM", 128, 256, 2, True, 64)
    assert all(layer.bias == 0 and layer.no_bias for layer in model)
    ih = model[0]
    assert (ih.fan_in, ih.fan_out) == (128, 4 * 256)
    assert ih.per_gate_fans() == (128, 256)


def test_cells_and_nested_names():
    text = "M(\n  (enc): GRU(10, 20)\n  (cell): LSTMCell(10, 20)\n  (r): RNNCell(5, 7, nonlinearity=relu)\n)"
    model = parse_torch_repr(text)
    shapes = {layer.name: layer.shape for layer in model}
    assert shapes == {
        "enc.weight_ih_l0": (60, 10),
        "enc.weight_hh_l0": (60, 20),
        "cell.weight_ih": (80, 10),
        "cell.weight_hh": (80, 20),
        "r.weight_ih": (7, 5),
        "r.weight_hh": (7, 7),
    }
    assert [layer.bias for layer in model] == [60, 60, 80, 80, 7, 7]
    assert str(model[-1].activation) == "relu"
    assert str(model[0].activation) == "sigmoid"


def torch_modules(nn):
    return {
        "lstm-full": nn.LSTM(
            128, 256, num_layers=2, batch_first=True, bidirectional=True, proj_size=64, bias=False
        ),
        "lstm": nn.LSTM(12, 16),
        "gru-bi": nn.GRU(8, 6, num_layers=3, bidirectional=True),
        "rnn-relu": nn.RNN(10, 20, nonlinearity="relu", num_layers=2, dropout=0.1),
        "lstm-proj-bias": nn.LSTM(9, 12, proj_size=5, bidirectional=True),
        "rnncell": nn.RNNCell(10, 20, nonlinearity="relu"),
        "lstmcell": nn.LSTMCell(10, 20, bias=False),
        "grucell": nn.GRUCell(10, 20),
        "nested": nn.Sequential(nn.GRU(5, 7, batch_first=True), nn.Linear(7, 3)),
    }


def _weight_name(parameter: str) -> str:
    module, _, leaf = parameter.rpartition(".")
    leaf = leaf.replace("bias_", "weight_")
    return f"{module}.{leaf}" if module else leaf


@pytest.mark.torch
@pytest.mark.parametrize(
    "key",
    ["lstm-full", "lstm", "gru-bi", "rnn-relu", "lstm-proj-bias", "rnncell", "lstmcell", "grucell", "nested"],
)
def test_printout_matches_named_parameters(key):
    """The printout of a real module gives torch's own parameter names, shapes and bias counts."""
    torch = torch_or_skip()
    module = torch_modules(torch.nn)[key]
    model = parse_torch_repr(str(module))
    weights = {n: tuple(p.shape) for n, p in module.named_parameters() if p.dim() == 2 and "_" in n}
    prefix = "0." if key == "nested" else ""
    assert {layer.name: layer.shape for layer in model if layer.recurrent} == weights
    biases = {}
    for name, p in module.named_parameters():
        if p.dim() == 1 and name.rpartition(".")[2].startswith("bias_"):
            biases[_weight_name(name)] = biases.get(_weight_name(name), 0) + p.numel()
    for layer in model:
        if layer.recurrent:
            assert layer.bias == biases.get(layer.name, 0), layer.name
            assert prefix + layer.recurrent.parameter() == layer.name


@pytest.mark.torch
@pytest.mark.parametrize("key", ["lstm", "gru-bi", "grucell", "lstm-proj-bias"])
def test_torch_default_matches_reset_parameters(key):
    """std of every parameter within 4 SE of 1/√(3H) on ≥ 1e6 draws (repeated reset_parameters),
    max |w| ≤ 1/√H; glorotcalc's torch default gives the same std and bias bound."""
    torch = torch_or_skip()
    torch.manual_seed(0)
    module = torch_modules(torch.nn)[key]
    hidden = module.hidden_size
    draws = {name: [] for name, _ in module.named_parameters()}
    total = 0
    while total < 1_000_000:
        module.reset_parameters()
        for name, p in module.named_parameters():
            draws[name].append(p.detach().flatten().double())
            total += p.numel()
    values = torch.cat([torch.cat(v) for v in draws.values()])
    n = values.numel()
    expected = 1 / math.sqrt(3 * hidden)
    se = expected * math.sqrt(0.2 / n)  # κ − 1 = 0.8 for a uniform: √(0.8/(4n))
    assert abs(values.std().item() - expected) < 4 * se
    assert values.abs().max().item() <= 1 / math.sqrt(hidden)
    torch_fw = FRAMEWORKS["torch"]
    for layer in parse_torch_repr(str(module)):
        stats = default_stats(torch_fw, layer)
        assert math.isclose(stats.std, expected, rel_tol=1e-12)
        assert math.isclose(stats.bound, 1 / math.sqrt(hidden), rel_tol=1e-12)
    rows = defaults(parse_torch_repr(str(module)), frameworks=(torch_fw,)).rows
    assert all(
        row["bias_bound"] is None or math.isclose(row["bias_bound"], 1 / math.sqrt(hidden)) for row in rows
    )


@pytest.mark.torch
def test_arch_token_matches_torch():
    torch = torch_or_skip()
    layers = parse_arch("128-lstm256p64x2bi-10")
    module = torch.nn.LSTM(128, 256, num_layers=2, bidirectional=True, proj_size=64)
    weights = {f"layer0.{n}": tuple(p.shape) for n, p in module.named_parameters() if p.dim() == 2}
    assert {layer.name: layer.shape for layer in layers[:-1]} == weights
    assert (layers[-1].name, layers[-1].fan_in) == ("layer1", 64 * 2)  # proj_size·directions


def test_arch_tokens_by_rule():
    assert {layer.name: layer.shape for layer in parse_arch("32-gru16x2")} == expected_shapes(
        "GRU", 32, 16, 2, prefix="layer0."
    )
    layers = parse_arch("32-rnn16bi@relu-gru8-4")
    assert str(layers[0].activation) == "relu"
    assert layers[4].shape == (3 * 8, 16 * 2)  # the GRU sees H·directions = 32
    assert (layers[-1].name, layers[-1].fan_in) == ("layer2", 8)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("32-gru16p4", "LSTM's only"),
        ("32-lstm16p16", "smaller than"),
        ("32-lstm16@relu", "only rnnH"),
        ("32-rnn16@gelu", "only rnnH"),
        ("32-lstmx2", "lstmH"),
        ("32-flatten:4-lstm8", "flatten"),
    ],
)
def test_bad_recurrent_tokens(text, words):
    with pytest.raises(UsageError, match=words):
        parse_arch(text)


def test_propagate_refuses_one_line(cli):
    result = cli("propagate", "16-lstm8-4")
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        "Error: propagate follows a chain of dense and conv layers, not a recurrent one; layer "
        "'layer0.weight_ih_l0': is a torch LSTM weight, applied at every time step"
    ]


def test_lookup_shows_the_per_gate_fans(cli):
    result = cli("-", "--scheme", "glorot", "--dist", "normal", "--format", "json", stdin="LSTM(128, 256)\n")
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    ih = document["layers"][0]
    assert ih["recurrent"]["per_gate_fans"] == {"fan_in": 128, "fan_out": 256}
    csv = cli("-", "--scheme", "glorot", "--dist", "normal", "--format", "csv", stdin="LSTM(128, 256)\n")
    stds = {line.split(",")[0]: float(line.split(",")[17]) for line in csv.stdout.splitlines()[1:]}
    assert math.isclose(stds["weight_ih_l0"], math.sqrt(2 / (128 + 4 * 256)))
    assert math.isclose(stds["weight_ih_l0/gate"], math.sqrt(2 / (128 + 256)))


def test_defaults_side_by_side():
    layers = parse_torch_repr("LSTM(128, 256)")
    rows = {(r["layer"], r["framework"]): r for r in defaults(layers).rows}
    h = 256
    assert math.isclose(rows["weight_ih_l0", "torch"]["std"], 1 / math.sqrt(3 * h))
    assert math.isclose(rows["weight_ih_l0", "keras"]["std"], math.sqrt(2 / (128 + 4 * h)))
    assert math.isclose(rows["weight_hh_l0", "keras"]["std"], 1 / math.sqrt(4 * h))  # (H, 4H) orthogonal
    assert math.isclose(rows["weight_ih_l0", "flax"]["std"], 1 / math.sqrt(128))  # lecun per gate
    assert math.isclose(rows["weight_hh_l0", "flax"]["std"], 1 / math.sqrt(h))  # (H, H) orthogonal
    assert rows["weight_ih_l0", "keras"]["bias"] == "zeros, forget gate 1"
    assert rows["weight_ih_l0", "torch"]["bias"] == f"U(±{1 / math.sqrt(h):.6g})"


def test_defaults_name_the_frameworks_not_shown():
    """A framework whose record has no recurrent default is not a row of its own, but is named in a
    note; asked for alone, its row says it has no such default (nothing dropped silently)."""
    layers = parse_torch_repr("LSTM(128, 256)")
    report = defaults(layers)
    shown = {r["framework"] for r in report.rows}
    assert "tinygrad" not in shown and {"torch", "keras", "flax"} <= shown
    (note,) = [n for n in report.notes if n.startswith("not shown:")]
    assert "tinygrad" in note and "lstm ih" in note and "torch" not in note
    alone = defaults(layers, frameworks=[FRAMEWORKS["tinygrad"]])
    assert [r["layer_init"] for r in alone.rows] == ["no lstm ih layer", "no lstm hh layer"]


def test_emit_initializes_every_weight_parameter():
    layers = parse_torch_repr("M(\n  (rnn): LSTM(8, 4, proj_size=2, bidirectional=True)\n)")
    code = emit(layers, FRAMEWORKS["torch"], scheme="glorot", distribution="uniform").document["code"]
    for part in ("ih", "hh", "hr"):
        for suffix in ("", "_reverse"):
            assert f'model.get_submodule("rnn").weight_{part}_l0{suffix})' in code
    assert 'nn.init.zeros_(model.get_submodule("rnn").bias_hh_l0_reverse)' in code
    assert "bias_hr" not in code


@pytest.mark.torch
def test_emitted_torch_code_runs_on_the_model(tmp_path):
    torch = torch_or_skip()
    module = torch.nn.Sequential(torch.nn.GRU(8, 16, bidirectional=True))
    code = emit(
        parse_torch_repr(str(module)), FRAMEWORKS["torch"], scheme="he", distribution="normal"
    ).document["code"]
    torch.manual_seed(0)
    exec(code, {"model": module})
    with torch.no_grad():
        assert all(float(p.abs().sum()) == 0 for n, p in module.named_parameters() if ".bias_" in n)
        std = float(module[0].weight_hh_l0.std())
    # kaiming_normal_ on the stacked (3·16, 16): std √(2/16); 768 draws: rel. SE 1/√(2·768) ≈ 2.6 %
    assert abs(std / math.sqrt(2 / 16) - 1) < 4 / math.sqrt(2 * 3 * 16 * 16)


@pytest.mark.torch
def test_audit_recognizes_torch_recurrent_default(tmp_path):
    torch = torch_or_skip()
    torch.manual_seed(1)
    module = torch.nn.LSTM(64, 128, proj_size=32)
    path = tmp_path / "lstm.pt"
    torch.save(module.state_dict(), path)
    records = audit((str(path),)).document["tensors"]
    for record in records:
        assert record["match"]["label"] == "torch recurrent default U(±1/√H)", record["name"]
        assert "H = 128 from weight_hr_l0 (32, 128)" in record["fan_source"]


@pytest.mark.parametrize("form", [("16-lstm8",), ("-",)])
def test_layout_keras_stores_the_kernel_in_out(cli, form):
    """--layout keras: weight_ih_l0 is Keras's kernel (in, 4H), weight_hh_l0 its recurrent kernel (H, 4H)."""
    result = cli(*form, "--layout", "keras", "--format", "json", stdin="LSTM(16, 8)\n")
    assert result.exit_code == 0, result.stderr
    shapes = [layer["shape"] for layer in json.loads(result.stdout)["layers"]]
    assert shapes == [[16, 32], [8, 32]]


@pytest.mark.parametrize("form", [("16-gru8",), ("-",)])
def test_sample_draws_the_stacked_weight(cli, form):
    """--sample on a recurrent weight draws its stacked shape: glorot std √(2/(16 + 24))."""
    argv = (*form, "--layer", "0", "--scheme", "glorot", "--dist", "uniform", "--sample")
    result = cli(*argv, "--samples", "200000", "--format", "json", stdin="GRU(16, 8)\n")
    assert result.exit_code == 0, result.stderr
    (layer,) = json.loads(result.stdout)["layers"]
    (found,) = layer["results"]
    assert math.isclose(found["std"], math.sqrt(2 / (16 + 3 * 8)))
    assert found["verdict"] == "within"


@pytest.mark.parametrize(
    ("framework", "cells"),
    [
        ("paddle", ("LSTM", "GRU", "RNN")),
        ("mlx", ("LSTM", "GRU", "RNN")),
        ("equinox", ("LSTMCell", "GRUCell")),
    ],
)
def test_uniform_hidden_defaults_of_more_frameworks(framework, cells):
    """Paddle 3.3.1 ``paddle/nn/layer/rnn.py``, MLX 0.32.4 ``mlx/nn/layers/recurrent.py``, Equinox
    0.13.8 ``equinox/nn/_rnn.py``: U(±1/√H) on both weights → std 1/√(3H), bound 1/√H, whatever
    the input size (in = 7 here, far from H = 48)."""
    h = 48
    for cell in cells:
        rows = {
            r["layer"]: r
            for r in defaults(parse_torch_repr(f"{cell}(7, {h})"), frameworks=[FRAMEWORKS[framework]]).rows
        }
        assert len(rows) == 2, cell
        for row in rows.values():
            assert math.isclose(row["std"], 1 / math.sqrt(3 * h))
            assert math.isclose(row["bound"], 1 / math.sqrt(h))
        (ih,) = [r for name, r in rows.items() if "weight_ih" in name]
        assert ih["bias"] == f"U(±{1 / math.sqrt(h):.6g})"


def test_more_frameworks_biases_and_projection():
    """Paddle: bias_hh U(±1/√H) too and a projection weight_ho U(±1/√H); MLX LSTM one bias (on the
    ih row); a GRU's hidden n-gate bias (MLX bhn, Equinox bias_n) named on the hh row."""
    h = 32
    layers = parse_torch_repr(f"LSTM(10, {h}, proj_size=8)")
    paddle = {r["layer"]: r for r in defaults(layers, frameworks=[FRAMEWORKS["paddle"]]).rows}
    assert paddle["weight_hh_l0"]["bias"] == f"U(±{1 / math.sqrt(h):.6g})"
    assert math.isclose(paddle["weight_hr_l0"]["std"], 1 / math.sqrt(3 * h))
    assert paddle["weight_hr_l0"]["bias"] == "none"
    mlx = {
        r["layer"]: r
        for r in defaults(parse_torch_repr(f"LSTM(10, {h})"), frameworks=[FRAMEWORKS["mlx"]]).rows
    }
    assert mlx["weight_hh_l0"]["bias"] == "none"
    for framework in ("mlx", "equinox"):
        gru = {
            r["layer"]: r
            for r in defaults(parse_torch_repr(f"GRU(10, {h})"), frameworks=[FRAMEWORKS[framework]]).rows
        }
        assert "n gate" in gru["weight_hh_l0"]["bias"]


def test_haiku_recurrent_defaults_by_rule():
    """Haiku 0.0.17 ``haiku/_src/recurrent.py``: VanillaRNN = hk.Linear on x and on h,
    TruncatedNormal(stddev 1/√fan_in) uncorrected → realized std 0.87962566/√in and /√H; GRU
    VarianceScaling() (truncated, corrected) → std 1/√in and 1/√H (hk.LSTM:
    tests/test_recurrent_concat.py)."""
    inputs, h = 20, 80
    rnn = {
        r["layer"]: r
        for r in defaults(parse_torch_repr(f"RNN({inputs}, {h})"), frameworks=[FRAMEWORKS["haiku"]]).rows
    }
    assert math.isclose(rnn["weight_ih_l0"]["std"], 0.87962566 / math.sqrt(inputs), rel_tol=1e-7)
    assert math.isclose(rnn["weight_hh_l0"]["std"], 0.87962566 / math.sqrt(h), rel_tol=1e-7)
    gru = {
        r["layer"]: r
        for r in defaults(parse_torch_repr(f"GRU({inputs}, {h})"), frameworks=[FRAMEWORKS["haiku"]]).rows
    }
    assert math.isclose(gru["weight_ih_l0"]["std"], 1 / math.sqrt(inputs))
    assert math.isclose(gru["weight_hh_l0"]["std"], 1 / math.sqrt(h))
    assert (gru["weight_ih_l0"]["bias"], gru["weight_hh_l0"]["bias"]) == ("zeros", "none")
