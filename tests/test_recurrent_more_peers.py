"""Peer tests: the PaddlePaddle, MLX, Equinox, Haiku and tf.compat.v1 recurrent defaults
glorotcalc states, against the real layers.

PaddlePaddle 3.3.1 ``paddle/nn/layer/rnn.py``; MLX 0.32.4 ``mlx/nn/layers/recurrent.py``;
Equinox 0.13.8 ``equinox/nn/_rnn.py``; Haiku 0.0.17 ``haiku/_src/recurrent.py``; TensorFlow 2.21
``tensorflow/python/keras/layers/legacy_rnn/rnn_cell_impl.py`` (hk.LSTM and the rnn_cell cells:
one kernel on [x, h], see the section at the end). Each test builds
the real layer, compares its weight shapes with torch's rule (gates·H, in) / (gates·H, H) (or
Haiku's transposed (in, gates·H)), catches the bounds the library passes to its uniform sampler
where it calls one by name, and draws ≥ 1e6 elements: a uniform's std within 4 SE (rel. SE
√((κ−1)/(4n)), κ = 1.8), |w| ≤ the bound; a truncated normal's std within 4 SE (κ = 2.3656 at
±2σ) and |w| ≤ 2σ.
"""

from __future__ import annotations

import importlib
import math
import warnings

import pytest
from peerkit import check_draws, close

from glorotcalc.arch import parse_arch
from glorotcalc.defaults import defaults
from glorotcalc.frameworks import FRAMEWORKS, default_bias, default_stats
from glorotcalc.torchrepr import parse_torch_repr

GATES = {"lstm": 4, "gru": 3, "rnn": 1}
INPUTS, HIDDEN = 512, 512  # LSTM weight_ih: 4·512·512 ≈ 1e6 elements; fewer gates draw more cells
UNIFORM_SE = math.sqrt(0.8 / 4)
TRUNCATED_SE = math.sqrt(1.3656 / 4)
FLOAT32 = 1 + 2**-22


def _ours(framework, cell, inputs=INPUTS, hidden=HIDDEN):
    layers = parse_arch(f"{inputs}-{cell}{hidden}", FRAMEWORKS[framework].layout)
    return {layer.name.rpartition(".")[2]: layer for layer in layers}


def _check_uniform_hidden(np, weights, hidden):
    """Every array in `weights` is U(±1/√H): std 1/√(3H) within 4 SE over all of them, |w| ≤ 1/√H."""
    drawn = np.concatenate([np.asarray(w, np.float64).ravel() for w in weights])
    bound = 1 / math.sqrt(hidden)
    assert abs(drawn.std() / (bound / math.sqrt(3)) - 1) < 4 * UNIFORM_SE / math.sqrt(drawn.size)
    assert np.abs(drawn).max() <= bound * FLOAT32


def _check_ours_uniform_hidden(framework, cell, inputs, hidden=HIDDEN):
    ours = _ours(framework, cell, inputs, hidden)
    for part in ("weight_ih_l0", "weight_hh_l0"):
        stats = default_stats(FRAMEWORKS[framework], ours[part])
        assert math.isclose(stats.std, 1 / math.sqrt(3 * hidden))
        assert math.isclose(stats.bound, 1 / math.sqrt(hidden))
    return ours


@pytest.mark.mlx
@pytest.mark.parametrize(("cell", "name"), [("lstm", "LSTM"), ("gru", "GRU"), ("rnn", "RNN")])
def test_mlx_recurrent_defaults(cell, name, monkeypatch):
    mx = pytest.importorskip("mlx.core")
    nn = pytest.importorskip("mlx.nn")
    np = pytest.importorskip("numpy")
    mx.random.seed(0)
    bounds = []
    uniform = mx.random.uniform

    def recording(*args, **kwargs):
        bounds.append((kwargs.get("low"), kwargs.get("high")))
        return uniform(*args, **kwargs)

    monkeypatch.setattr(mx.random, "uniform", recording)
    gates = GATES[cell]
    inputs = INPUTS * 4 // gates
    layer = getattr(nn, name)(inputs, HIDDEN)
    params = {k: np.asarray(v) for k, v in layer.parameters().items()}
    bound = 1 / math.sqrt(HIDDEN)
    assert all(math.isclose(-low, bound) and math.isclose(high, bound) for low, high in bounds)
    wx, wh = ("Wxh", "Whh") if cell == "rnn" else ("Wx", "Wh")
    assert params[wx].shape == (gates * HIDDEN, inputs)
    assert params[wh].shape == (gates * HIDDEN, HIDDEN)
    _check_uniform_hidden(np, [params[wx], params[wh]], HIDDEN)
    ours = _check_ours_uniform_hidden("mlx", cell, inputs)
    assert ours["weight_ih_l0"].shape == params[wx].shape
    biases = {"lstm": {"bias": (4 * HIDDEN,)}, "gru": {"b": (3 * HIDDEN,), "bhn": (HIDDEN,)}}
    expected = biases.get(cell, {"bias": (HIDDEN,)})
    assert {k: v.shape for k, v in params.items() if k not in (wx, wh)} == expected
    _check_uniform_hidden(np, [params[k] for k in expected], HIDDEN)
    assert default_bias(FRAMEWORKS["mlx"], ours["weight_ih_l0"]) == f"U(±{bound:.6g})"
    assert (default_bias(FRAMEWORKS["mlx"], ours["weight_hh_l0"]) == "none") == (cell != "gru")


@pytest.mark.equinox
@pytest.mark.parametrize(("cell", "name"), [("lstm", "LSTMCell"), ("gru", "GRUCell")])
def test_equinox_recurrent_defaults(cell, name):
    jax = pytest.importorskip("jax")
    eqx = pytest.importorskip("equinox")
    np = pytest.importorskip("numpy")
    gates = GATES[cell]
    inputs = INPUTS * 4 // gates
    module = getattr(eqx.nn, name)(inputs, HIDDEN, key=jax.random.key(0))
    assert module.weight_ih.shape == (gates * HIDDEN, inputs)
    assert module.weight_hh.shape == (gates * HIDDEN, HIDDEN)
    _check_uniform_hidden(np, [module.weight_ih, module.weight_hh], HIDDEN)
    biases = [module.bias, module.bias_n] if cell == "gru" else [module.bias]
    assert [b.shape for b in biases] == ([(3 * HIDDEN,), (HIDDEN,)] if cell == "gru" else [(4 * HIDDEN,)])
    _check_uniform_hidden(np, biases, HIDDEN)
    ours = _check_ours_uniform_hidden("equinox", cell, inputs)
    assert ours["weight_ih_l0"].shape == module.weight_ih.shape


@pytest.mark.paddle
@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize(("cell", "name"), [("lstm", "LSTM"), ("gru", "GRU"), ("rnn", "SimpleRNN")])
def test_paddle_recurrent_defaults(cell, name, monkeypatch):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        paddle = pytest.importorskip("paddle")
    np = pytest.importorskip("numpy")
    from paddle.nn.layer import rnn

    paddle.seed(0)
    bounds = []
    uniform = rnn.I.Uniform

    def recording(low, high, *args, **kwargs):
        bounds.append((low, high))
        return uniform(low, high, *args, **kwargs)

    monkeypatch.setattr(rnn.I, "Uniform", recording)
    gates = GATES[cell]
    inputs = INPUTS * 4 // gates
    layer = getattr(paddle.nn, name)(inputs, HIDDEN)
    params = {k: v.numpy() for k, v in layer.named_parameters()}
    bound = 1 / math.sqrt(HIDDEN)
    assert len(bounds) >= 4 and all(math.isclose(-lo, bound) and math.isclose(hi, bound) for lo, hi in bounds)
    weights = {k.removesuffix("_l0"): v for k, v in params.items()}
    assert set(weights) == {"weight_ih", "weight_hh", "bias_ih", "bias_hh"}
    assert weights["weight_ih"].shape == (gates * HIDDEN, inputs)
    assert weights["weight_hh"].shape == (gates * HIDDEN, HIDDEN)
    assert weights["bias_ih"].shape == weights["bias_hh"].shape == (gates * HIDDEN,)
    _check_uniform_hidden(np, [weights["weight_ih"], weights["weight_hh"]], HIDDEN)
    _check_uniform_hidden(np, [weights["bias_ih"], weights["bias_hh"]], HIDDEN)
    ours = _check_ours_uniform_hidden("paddle", cell, inputs)
    # Paddle's recurrent weights are torch's (gates·H, in), not its Linear's (in, out): the paddle
    # layout writes them transposed; U(±1/√H) does not depend on the shape.
    assert ours["weight_ih_l0"].shape == weights["weight_ih"].shape[::-1]
    for part in ("weight_ih_l0", "weight_hh_l0"):
        assert default_bias(FRAMEWORKS["paddle"], ours[part]) == f"U(±{bound:.6g})"


@pytest.mark.haiku
@pytest.mark.parametrize("cell", ["gru", "rnn"])
def test_haiku_recurrent_defaults(cell):
    jax = pytest.importorskip("jax")
    hk = pytest.importorskip("haiku")
    np = pytest.importorskip("numpy")
    inputs, hidden = 1024, 1024

    def forward(x):
        core = hk.GRU(hidden) if cell == "gru" else hk.VanillaRNN(hidden)
        return core(x, core.initial_state(1))

    params = hk.transform(forward).init(jax.random.key(0), np.zeros((1, inputs), np.float32))
    if cell == "gru":
        (group,) = params.values()
        w_i, w_h, b = (np.asarray(group[k], np.float64) for k in ("w_i", "w_h", "b"))
        assert (w_i.shape, w_h.shape, b.shape) == ((inputs, 3 * hidden), (hidden, 3 * hidden), (3 * hidden,))
        stds = (1 / math.sqrt(inputs), 1 / math.sqrt(hidden))  # VarianceScaling(): corrected std
        biases = [b]
    else:
        x_linear, h_linear = (params[k] for k in sorted(params))  # vanilla_rnn/linear, linear_1
        w_i, w_h = (np.asarray(p["w"], np.float64) for p in (x_linear, h_linear))
        assert (w_i.shape, w_h.shape) == ((inputs, hidden), (hidden, hidden))
        truncated = 0.87962566  # hk.Linear: TruncatedNormal(stddev=1/√fan_in), uncorrected
        stds = (truncated / math.sqrt(inputs), truncated / math.sqrt(hidden))
        biases = [np.asarray(p["b"]) for p in (x_linear, h_linear)]
    ours = _ours("haiku", cell, inputs, hidden)
    for weight, std, part in zip((w_i, w_h), stds, ("weight_ih_l0", "weight_hh_l0"), strict=True):
        assert weight.size >= 1e6 // 3
        assert abs(weight.std() / std - 1) < 4 * TRUNCATED_SE / math.sqrt(weight.size)
        assert math.isclose(default_stats(FRAMEWORKS["haiku"], ours[part]).std, std, rel_tol=1e-6)
        sigma = std / 0.87962566  # the σ of the normal before the cut at ±2σ
        assert np.abs(weight).max() <= 2 * sigma * FLOAT32
    assert all((b == 0).all() for b in biases)
    assert default_bias(FRAMEWORKS["haiku"], ours["weight_ih_l0"]) == "zeros"


# ── kernels on the concatenation [x, h]: hk.LSTM and tf.compat.v1 rnn_cell ─────────────────────
#
# The torch weight_ih row is the kernel's x rows, weight_hh its h rows; each part holds ≥ 1e6
# draws and is checked against its own row. check_draws: std within 4 SE, SE(std) ≈
# std·√((κ−1)/(4n)), κ = 1.8 (uniform) or 2.3655 (normal cut at ±2σ), max |w| within the support.
# The TF tests come last in this file: paddle must not be imported after TensorFlow.


def _concat_rows(framework, text):
    return {layer.name: layer for layer in parse_torch_repr(text)}, FRAMEWORKS[framework]


@pytest.mark.haiku
def test_haiku_lstm_one_linear_on_x_and_h(monkeypatch):
    """hk.LSTM(H) (Haiku 0.0.17 haiku/_src/recurrent.py): one hk.Linear(4H) w (in + H, 4H) whose
    default TruncatedNormal(1/√(in + H)) is caught at construction and at the sampler call
    (jax.random.truncated_normal(key, -2, 2, shape)); x rows and h rows (512·2048 ≈ 1.05e6 each)
    against glorotcalc's weight_ih_l0 and weight_hh_l0 rows; b (4H,) zeros; f + 1 in the step."""
    jax = pytest.importorskip("jax")
    hk = pytest.importorskip("haiku")
    np = pytest.importorskip("numpy")
    initializers = importlib.import_module("haiku._src.initializers")
    inputs, hidden = 512, 512
    stddevs, cuts = [], []
    original_init, original_sampler = initializers.TruncatedNormal.__init__, jax.random.truncated_normal

    def init(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        stddevs.append(float(self.stddev))

    def sampler(key, lower, upper, shape=None, *args, **kwargs):
        cuts.append((float(lower), float(upper), tuple(shape)))
        return original_sampler(key, lower, upper, shape, *args, **kwargs)

    monkeypatch.setattr(initializers.TruncatedNormal, "__init__", init)
    monkeypatch.setattr(jax.random, "truncated_normal", sampler)

    def forward(x, state):
        return hk.LSTM(hidden)(x, state)

    model = hk.transform(forward)
    x = np.zeros((1, inputs), np.float32)
    state = hk.LSTMState(np.zeros((1, hidden), np.float32), np.zeros((1, hidden), np.float32))
    params = model.init(jax.random.key(0), x, state)
    ((name, group),) = params.items()
    assert name == "lstm/linear" and set(group) == {"w", "b"}
    w, b = np.asarray(group["w"], np.float64), np.asarray(group["b"])
    assert w.shape == (inputs + hidden, 4 * hidden) and b.shape == (4 * hidden,) and (b == 0).all()
    assert cuts == [(-2.0, 2.0, w.shape)]
    (stddev,) = stddevs
    assert close(stddev, 1 / math.sqrt(inputs + hidden))

    ours, haiku = _concat_rows("haiku", f"LSTM({inputs}, {hidden})")
    for name, part in (("weight_ih_l0", w[:inputs]), ("weight_hh_l0", w[inputs:])):
        stats = default_stats(haiku, ours[name])
        assert close(stats.sampler_std, stddev) and (stats.fan_in, stats.fan_out) == w.shape
        check_draws(part, stats.std, "truncated", 2 * stddev)
    assert default_bias(haiku, ours["weight_ih_l0"]) == "zeros, forget +1 in step"

    # w = 0, b = 0, c = 1: c' = σ(0 + 1)·1 + σ(0)·tanh(0) = σ(1) — the +1 is in the step
    zero = jax.tree.map(np.zeros_like, params)
    one_cell = hk.LSTMState(state.hidden, np.ones((1, hidden), np.float32))
    _, new = model.apply(zero, None, x, one_cell)
    assert np.allclose(np.asarray(new.cell), 1 / (1 + math.exp(-1)), rtol=1e-6)


def _tf_cells():
    """TF 2.21's rnn_cell module (with Keras 3 installed, tf.compat.v1.nn.rnn_cell.* refuses:
    "not available with Keras 3"; these are the classes that name routes to)."""
    pytest.importorskip("tensorflow")
    return importlib.import_module("tensorflow.python.keras.layers.legacy_rnn.rnn_cell_impl")


@pytest.fixture
def uniform_calls(monkeypatch):
    """Every random_uniform call of TF's v1 initializers: (shape, minval, maxval)."""
    pytest.importorskip("tensorflow")
    random_ops = importlib.import_module("tensorflow.python.ops.random_ops")
    seen = []
    original = random_ops.random_uniform

    def sampler(shape, minval=0.0, maxval=None, *args, **kwargs):
        seen.append((tuple(int(d) for d in shape), float(minval), float(maxval)))
        return original(shape, minval, maxval, *args, **kwargs)

    monkeypatch.setattr(random_ops, "random_uniform", sampler)
    return seen


def _tf_build(cell, inputs):
    import tensorflow as tf

    tf.random.set_seed(0)
    cell.build((None, inputs))
    return {w.name.split("/", 1)[1].removesuffix(":0"): w.numpy().astype("float64") for w in cell.weights}


TF_IN, TF_H = 1024, 1024  # the smallest part, a GRUCell candidate's x rows, is 1024·1024 ≈ 1.05e6


@pytest.mark.tf
@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize(
    ("name", "torch", "columns"),
    [("BasicRNNCell", "RNN", 1), ("BasicLSTMCell", "LSTM", 4), ("LSTMCell", "LSTM", 4)],
)
def test_tf_compat_v1_cell_kernel_on_x_and_h(name, torch, columns, uniform_calls):
    """One kernel (in + H, columns·H), the scope's glorot_uniform on it (the bound caught from
    random_uniform), bias zeros; its x rows and h rows against the weight_ih and weight_hh rows."""
    rnn_cell = _tf_cells()
    weights = _tf_build(getattr(rnn_cell, name)(TF_H), TF_IN)
    assert set(weights) == {"kernel", "bias"}
    kernel, bias = weights["kernel"], weights["bias"]
    assert kernel.shape == (TF_IN + TF_H, columns * TF_H) and bias.shape == (columns * TF_H,)
    assert (bias == 0).all()
    ((shape, low, high),) = uniform_calls
    assert shape == kernel.shape and close(-low, high)
    ours, v1 = _concat_rows("tf-compat-v1", f"{torch}({TF_IN}, {TF_H})")
    for part, rows in (("weight_ih_l0", kernel[:TF_IN]), ("weight_hh_l0", kernel[TF_IN:])):
        stats = default_stats(v1, ours[part])
        assert close(stats.bound, high) and (stats.fan_in, stats.fan_out) == kernel.shape
        check_draws(rows, stats.std, "uniform", high)
    if columns == 4:
        cell = getattr(rnn_cell, name)(TF_H)
        assert cell._forget_bias == 1.0  # added to f in call(), no parameter
        assert default_bias(v1, ours["weight_ih_l0"]) == "zeros, forget +1 in step"


@pytest.mark.tf
@pytest.mark.filterwarnings("ignore")
def test_tf_compat_v1_gru_cell_gates_and_candidate(uniform_calls):
    """GRUCell: gates/kernel (in + H, 2H) → the weight_ih_l0 / weight_hh_l0 rows (r, z),
    candidate/kernel (in + H, H) → their …/n rows; gates/bias ones, candidate/bias zeros."""
    weights = _tf_build(_tf_cells().GRUCell(TF_H), TF_IN)
    gates, candidate = weights["gates/kernel"], weights["candidate/kernel"]
    assert gates.shape == (TF_IN + TF_H, 2 * TF_H) and candidate.shape == (TF_IN + TF_H, TF_H)
    assert (weights["gates/bias"] == 1).all() and weights["gates/bias"].shape == (2 * TF_H,)
    assert (weights["candidate/bias"] == 0).all() and weights["candidate/bias"].shape == (TF_H,)
    caught = {shape: high for shape, _low, high in uniform_calls}
    assert set(caught) == {gates.shape, candidate.shape}
    ours, v1 = _concat_rows("tf-compat-v1", f"GRU({TF_IN}, {TF_H})")
    rows = {row["layer"]: row for row in defaults(list(ours.values()), frameworks=[v1]).rows}
    for kernel in (gates, candidate):
        suffix = "" if kernel is gates else "/n"
        for part, block in (("weight_ih_l0", kernel[:TF_IN]), ("weight_hh_l0", kernel[TF_IN:])):
            row = rows[part + suffix]
            assert close(row["bound"], caught[kernel.shape]) and row["fan_out"] == kernel.shape[1]
            check_draws(block, row["std"], "uniform", row["bound"])
    assert (rows["weight_ih_l0"]["bias"], rows["weight_ih_l0/n"]["bias"]) == ("ones", "zeros")


@pytest.mark.tf
@pytest.mark.filterwarnings("ignore")
def test_tf_compat_v1_lstm_cell_projection_and_peepholes(uniform_calls):
    """LSTMCell(num_proj=P, use_peepholes=True): kernel (in + P, 4H); projection/kernel (H, P) =
    torch's weight_hr (P, H), glorot_uniform (H·P ≈ 1.02e6 draws); the three (H,) diagonals
    glorot_uniform on rank 1, fans (H, H): bound √(3/H), as the record's note says."""
    proj = 1000
    weights = _tf_build(_tf_cells().LSTMCell(TF_H, num_proj=proj, use_peepholes=True), TF_IN)
    kernel, projection = weights["kernel"], weights["projection/kernel"]
    assert kernel.shape == (TF_IN + proj, 4 * TF_H) and projection.shape == (TF_H, proj)
    caught = {shape: high for shape, _low, high in uniform_calls}
    assert close(caught[(TF_H,)], math.sqrt(3 / TF_H))
    assert {weights[f"w_{g}_diag"].shape for g in "fio"} == {(TF_H,)}
    ours, v1 = _concat_rows("tf-compat-v1", f"LSTM({TF_IN}, {TF_H}, proj_size={proj})")
    for part, block in (("weight_ih_l0", kernel[:TF_IN]), ("weight_hh_l0", kernel[TF_IN:])):
        stats = default_stats(v1, ours[part])
        assert close(stats.bound, caught[kernel.shape])
        check_draws(block, stats.std, "uniform", stats.bound)
    stats = default_stats(v1, ours["weight_hr_l0"])
    assert ours["weight_hr_l0"].shape == (proj, TF_H)  # torch (P, H); TF stores (H, P)
    assert close(stats.bound, caught[projection.shape])
    check_draws(projection, stats.std, "uniform", stats.bound)
