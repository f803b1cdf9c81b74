"""Recurrent defaults of frameworks that multiply one kernel by the concatenation [x, h].

Haiku 0.0.17 ``haiku/_src/recurrent.py`` ``LSTM``: one ``hk.Linear(4H)`` on [x, h], w ``(in + H,
4H)``, TruncatedNormal(stddev = 1/√(in + H)) uncorrected, so realized std 0.87962566/√(in + H)
(the std of a standard normal cut at ±2); b zeros, ``f + 1`` in the step.
TensorFlow 2.21 ``tensorflow/python/keras/layers/legacy_rnn/rnn_cell_impl.py``: BasicRNNCell
kernel ``(in + H, H)``, BasicLSTMCell/LSTMCell ``(in + h, 4H)`` (h = num_proj or H), GRUCell
gates/kernel ``(in + H, 2H)`` (r, z) and candidate/kernel ``(in + H, H)`` (n); the variable
scope's glorot_uniform on that shape: bound √(6/(fan_in + fan_out)) of the concatenated kernel.

torch's ``weight_ih`` is the kernel's x rows, ``weight_hh`` its h rows: both rows carry the
concatenated kernel's law. Every expected number is written here from those shapes.
"""

from __future__ import annotations

import csv
import io
import json
import math

import pytest

from glorotcalc.arch import parse_arch
from glorotcalc.defaults import defaults
from glorotcalc.emit import emit
from glorotcalc.frameworks import FRAMEWORKS
from glorotcalc.recurrent import recurrent_weights
from glorotcalc.torchrepr import parse_torch_repr

TRUNCATED_STD = 0.87962566103423978  # std of N(0, 1) cut at ±2


def _rows(text, framework):
    report = defaults(parse_torch_repr(text), frameworks=[FRAMEWORKS[framework]])
    return {row["layer"]: row for row in report.rows}, report.notes


def _glorot_bound(rows, cols):
    return math.sqrt(6 / (rows + cols))


def test_input_size_of_each_layer():
    """The features weight_ih_l{k} reads, recorded on every part: in, then (proj or H)·directions."""
    weights = recurrent_weights("lstm", 10, 20, num_layers=2, bidirectional=True, proj_size=5)
    sizes = {w.parameter: w.recurrent.input_size for w in weights}
    assert sizes["weight_ih_l0"] == sizes["weight_hh_l0_reverse"] == sizes["weight_hr_l0"] == 10
    assert sizes["weight_ih_l1"] == sizes["weight_hh_l1"] == 5 * 2


def test_haiku_lstm_rows_carry_the_linear_on_x_and_h():
    inputs, h = 20, 80
    rows, notes = _rows(f"LSTM({inputs}, {h})", "haiku")
    for name in ("weight_ih_l0", "weight_hh_l0"):
        row = rows[name]
        assert math.isclose(row["std"], TRUNCATED_STD / math.sqrt(inputs + h), rel_tol=1e-9)
        assert math.isclose(row["sampler_std"], 1 / math.sqrt(inputs + h))  # TruncatedNormal(stddev)
        assert math.isclose(row["support"], 2 / math.sqrt(inputs + h))
        assert (row["fan_in"], row["fan_out"]) == (inputs + h, 4 * h)
        assert row["layer_init"] == "TruncNormal(1/√(in+H))"
    assert rows["weight_ih_l0"]["bias"] == "zeros, forget +1 in step"
    assert rows["weight_hh_l0"]["bias"] == "none"
    assert "weight_ih_l0: haiku rows 0:20 (x) of hk.LSTM linear w (100, 320) on [x, h]" in notes
    assert "weight_hh_l0: haiku rows 20:100 (h) of hk.LSTM linear w (100, 320) on [x, h]" in notes


def test_haiku_lstm_layer_k_reads_the_layer_below():
    """Layer 1 of a bidirectional LSTM: x is 2H wide, so its Linear is (2H + H, 4H)."""
    h = 16
    rows, _ = _rows(f"LSTM(7, {h}, num_layers=2, bidirectional=True)", "haiku")
    for name in ("weight_ih_l1", "weight_hh_l1_reverse"):
        assert math.isclose(rows[name]["std"], TRUNCATED_STD / math.sqrt(3 * h), rel_tol=1e-9)
    assert math.isclose(rows["weight_ih_l0"]["std"], TRUNCATED_STD / math.sqrt(7 + h), rel_tol=1e-9)


@pytest.mark.parametrize(
    ("text", "gates"), [("LSTM(30, 50)", 4), ("LSTMCell(30, 50)", 4), ("RNN(30, 50)", 1)]
)
def test_tf_compat_v1_kernel_on_x_and_h(text, gates):
    """glorot_uniform on (in + H, gates·H): bound √(6/(30 + 50 + gates·50)), both rows."""
    rows, notes = _rows(text, "tf-compat-v1")
    suffix = "" if "Cell" in text else "_l0"
    bound = _glorot_bound(30 + 50, gates * 50)
    for part in ("ih", "hh"):
        row = rows[f"weight_{part}{suffix}"]
        assert math.isclose(row["bound"], bound) and math.isclose(row["std"], bound / math.sqrt(3))
        assert row["fan_in"] == 80 and row["layer_init"] == "glorot_uniform"
    bias = "zeros, forget +1 in step" if gates == 4 else "zeros"
    assert (rows[f"weight_ih{suffix}"]["bias"], rows[f"weight_hh{suffix}"]["bias"]) == (bias, "none")
    assert any("rows 30:80 (h) of " in note and f"(80, {gates * 50})" in note for note in notes)


def test_tf_compat_v1_lstm_cell_with_num_proj():
    """LSTMCell(num_proj=P): kernel (in + P, 4H), projection/kernel (H, P) = torch's weight_hr."""
    rows, notes = _rows("LSTM(30, 50, proj_size=10)", "tf-compat-v1")
    for name in ("weight_ih_l0", "weight_hh_l0"):
        assert math.isclose(rows[name]["bound"], _glorot_bound(30 + 10, 200))
    assert math.isclose(rows["weight_hr_l0"]["bound"], _glorot_bound(50, 10))
    assert rows["weight_hr_l0"]["bias"] == "none"
    assert any("rows 30:40 (h)" in note and "(40, 200)" in note for note in notes)


def test_tf_compat_v1_gru_gates_and_candidate_are_two_rows():
    """gates/kernel (in + H, 2H) holds r, z: Var 2/(in + 3H); candidate/kernel (in + H, H) n:
    Var 2/(in + 2H), the row ``…/n``. Biases: gates ones, candidate zeros, on the x rows."""
    inputs, h = 30, 50
    rows, notes = _rows(f"GRU({inputs}, {h})", "tf-compat-v1")
    assert list(rows) == ["weight_ih_l0", "weight_ih_l0/n", "weight_hh_l0", "weight_hh_l0/n"]
    for part in ("ih", "hh"):
        gates, candidate = rows[f"weight_{part}_l0"], rows[f"weight_{part}_l0/n"]
        assert math.isclose(gates["std"], math.sqrt(2 / (inputs + 3 * h)))
        assert math.isclose(candidate["std"], math.sqrt(2 / (inputs + 2 * h)))
        assert (gates["layer_init"], candidate["layer_init"]) == (
            "glorot_uniform (r, z)",
            "glorot_uniform (n)",
        )
        assert (gates["fan_out"], candidate["fan_out"]) == (2 * h, h)
    assert (rows["weight_ih_l0"]["bias"], rows["weight_ih_l0/n"]["bias"]) == ("ones", "zeros")
    assert rows["weight_hh_l0"]["bias"] == rows["weight_hh_l0/n"]["bias"] == "none"
    assert (
        "weight_ih_l0: tf-compat-v1 r, z rows 0:30 (x) of GRUCell gates/kernel (80, 100) on [x, h]; "
        "n rows 0:30 (x) of GRUCell candidate/kernel (80, 50) on [x, h]"
    ) in notes


def test_ratios_stay_on_the_torch_parameters_fans():
    """÷ Glorot divides by Glorot on the torch parameter itself, (4H, in): √(2/(in + 4H))."""
    rows, _ = _rows("LSTM(30, 50)", "tf-compat-v1")
    row = rows["weight_ih_l0"]
    assert math.isclose(row["ratio_glorot"], math.sqrt(2 / 280) / math.sqrt(2 / (30 + 200)))


def test_no_not_shown_note_for_concatenating_frameworks():
    report = defaults(parse_torch_repr("GRU(30, 50)"))
    frameworks = {row["framework"] for row in report.rows}
    assert {"tf-compat-v1", "haiku"} <= frameworks
    missing = [note for note in report.notes if note.startswith("not shown:")]
    assert missing and all("tf-compat-v1" not in n and "haiku" not in n for n in missing)
    assert all("not shown" not in FRAMEWORKS[name].recurrent_note for name in ("tf-compat-v1", "haiku"))


def test_csv_and_json_carry_the_part_rows(cli):
    out = cli("defaults", "30-gru50", "--framework", "tf-compat-v1", "--format", "csv")
    assert out.exit_code == 0, out.output
    found = {row["layer"]: row for row in csv.DictReader(io.StringIO(out.stdout))}
    assert set(found) == {f"layer0.weight_{p}_l0{s}" for p in ("ih", "hh") for s in ("", "/n")}
    assert math.isclose(float(found["layer0.weight_ih_l0/n"]["std"]), math.sqrt(2 / 130))
    document = json.loads(
        cli("defaults", "30-gru50", "--framework", "tf-compat-v1", "--format", "json").stdout
    )
    (ih, _hh) = document["layers"]
    assert [d["layer"] for d in ih["defaults"]] == ["layer0.weight_ih_l0", "layer0.weight_ih_l0/n"]


def test_explain_covers_the_part_rows():
    report = defaults(parse_torch_repr("GRU(30, 50)"), frameworks=[FRAMEWORKS["tf-compat-v1"]], explain=True)
    assert len({row["explain"] for row in report.rows}) == 2  # gates and candidate differ


@pytest.mark.parametrize(
    ("framework", "kernel"), [("haiku", "hk.LSTM linear w (80, 200)"), ("tf-compat-v1", "kernel (80, 200)")]
)
def test_emit_writes_the_tensor_and_names_the_kernel(framework, kernel):
    """The stand-alone tensor keeps the torch parameter's shape and law (glorot on (30, 4·50):
    bound √(6/230)); a comment says which kernel holds it and that its fans differ."""
    layers = parse_arch("30-lstm50", FRAMEWORKS[framework].layout)
    report = emit(layers, FRAMEWORKS[framework], scheme="glorot", distribution="uniform")
    code = report.document["code"]
    comments = " ".join(line[2:] for line in code.splitlines() if line.startswith("# "))
    assert "rows 0:30 (x) of" in comments and "rows 30:80 (h) of" in comments
    assert kernel in comments and "draws with its fans, not this tensor's" in comments
    assert "(30, 200)" in code and "(50, 200)" in code
    assert all(len(line) <= 88 for line in code.splitlines() if line.startswith("# ") and "[x, h]" in line)
    (ih, _hh) = report.document["layers"]
    assert math.isclose(ih["result"]["bound"], math.sqrt(6 / 230))


def test_propagate_still_refuses_a_recurrent_layer(cli):
    out = cli("propagate", "30-lstm50-10", "--init", "default")
    assert out.exit_code == 2
    assert out.stderr.count("\n") == 1 and "not a recurrent one" in out.stderr


def test_projection_only_where_the_cell_has_one():
    """torch proj_size = P: tf.compat.v1 LSTMCell(num_proj=P) reads [x, m] with m of size P, kernel
    (in + P, 4H); hk.LSTM has no projection, so its Linear stays (in + H, 4H)."""
    inputs, h, proj = 20, 80, 10
    tf_rows, tf_notes = _rows(f"LSTM({inputs}, {h}, proj_size={proj})", "tf-compat-v1")
    assert math.isclose(tf_rows["weight_hh_l0"]["bound"], _glorot_bound(inputs + proj, 4 * h))
    assert any("rows 20:30 (h)" in note and "(30, 320)" in note for note in tf_notes)
    hk_rows, hk_notes = _rows(f"LSTM({inputs}, {h}, proj_size={proj})", "haiku")
    assert math.isclose(hk_rows["weight_hh_l0"]["std"], TRUNCATED_STD / math.sqrt(inputs + h), rel_tol=1e-9)
    assert any("rows 20:100 (h)" in note and "(100, 320)" in note for note in hk_notes)
    assert hk_rows["weight_hr_l0"]["layer_init"] == "no lstm hr layer"  # Haiku has no projection
