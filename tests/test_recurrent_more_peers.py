"""Peer tests: the PaddlePaddle, MLX, Equinox and Haiku recurrent defaults glorotcalc states,
against the real layers.

PaddlePaddle 3.3.1 ``paddle/nn/layer/rnn.py``; MLX 0.32.4 ``mlx/nn/layers/recurrent.py``;
Equinox 0.13.8 ``equinox/nn/_rnn.py``; Haiku 0.0.17 ``haiku/_src/recurrent.py``. Each test builds
the real layer, compares its weight shapes with torch's rule (gates·H, in) / (gates·H, H) (or
Haiku's transposed (in, gates·H)), catches the bounds the library passes to its uniform sampler
where it calls one by name, and draws ≥ 1e6 elements: a uniform's std within 4 SE (rel. SE
√((κ−1)/(4n)), κ = 1.8), |w| ≤ the bound; a truncated normal's std within 4 SE (κ = 2.3656 at
±2σ) and |w| ≤ 2σ.
"""

from __future__ import annotations

import math
import warnings

import pytest

from glorotcalc.arch import parse_arch
from glorotcalc.frameworks import FRAMEWORKS, default_bias, default_stats

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
