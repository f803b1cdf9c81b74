"""Peer tests: the Keras and Flax recurrent defaults glorotcalc states, against the real layers.

Keras 3.15 ``keras/src/layers/rnn/lstm.py``, ``gru.py``, ``simple_rnn.py``; Flax 0.12
``flax/linen/recurrent.py``. Shapes and initializer classes are read from the built layers; the
statistics are drawn with ≥ 1e6 elements: glorot_uniform's std within 4 SE (rel. SE √(0.2/n) for
a uniform), |w| within its bound; an orthogonal matrix's mean square is exactly
min(rows, cols)/(rows·cols) = 1/max(rows, cols) (float32 rounding only), |w| ≤ 1.
"""

from __future__ import annotations

import math

import pytest

from glorotcalc.arch import parse_arch
from glorotcalc.frameworks import FRAMEWORKS, default_bias, default_stats, framework_shape


def _layers(text, framework):
    return {layer.name.rpartition(".")[2]: layer for layer in parse_arch(text, FRAMEWORKS[framework].layout)}


@pytest.mark.keras
@pytest.mark.parametrize(
    ("cell", "name", "gates"), [("lstm", "LSTM", 4), ("gru", "GRU", 3), ("rnn", "SimpleRNN", 1)]
)
def test_keras_recurrent_defaults(cell, name, gates):
    keras = pytest.importorskip("keras")
    np = pytest.importorskip("numpy")
    keras.utils.set_random_seed(0)
    units, inputs = 512, 2048 // gates
    layer = getattr(keras.layers, name)(units)
    layer.build((None, 3, inputs))
    kernel = np.asarray(layer.cell.kernel, dtype=np.float64)
    recurrent = np.asarray(layer.cell.recurrent_kernel, dtype=np.float64)
    bias = np.asarray(layer.cell.bias)
    ours = _layers(f"{inputs}-{cell}{units}", "keras")
    keras_fw = FRAMEWORKS["keras"]
    assert kernel.shape == framework_shape(ours["weight_ih_l0"], keras_fw) == (inputs, gates * units)
    assert recurrent.shape == framework_shape(ours["weight_hh_l0"], keras_fw) == (units, gates * units)
    assert type(layer.cell.kernel_initializer).__name__ == "GlorotUniform"
    assert type(layer.cell.recurrent_initializer).__name__ == "Orthogonal"
    glorot = math.sqrt(2 / (inputs + gates * units))
    stats = default_stats(keras_fw, ours["weight_ih_l0"])
    assert math.isclose(stats.std, glorot)
    assert kernel.size >= 1e6 // gates
    assert abs(kernel.std() / glorot - 1) < 4 * math.sqrt(0.2 / kernel.size)
    assert np.abs(kernel).max() <= stats.bound * (1 + 2**-22)  # float32 rounding of the bound
    orthogonal = default_stats(keras_fw, ours["weight_hh_l0"])
    assert math.isclose(orthogonal.std, 1 / math.sqrt(gates * units))
    assert math.isclose(math.sqrt((recurrent**2).mean()), orthogonal.std, rel_tol=1e-5)
    assert np.abs(recurrent).max() <= 1
    expected_bias = {"lstm": (4 * units,), "gru": (2, 3 * units), "rnn": (units,)}[cell]
    assert bias.shape == expected_bias
    if cell == "lstm":  # unit_forget_bias: the forget gate [H:2H] is ones, the rest zeros
        assert (bias[units : 2 * units] == 1).all() and (np.delete(bias, np.s_[units : 2 * units]) == 0).all()
        assert default_bias(keras_fw, ours["weight_ih_l0"]) == "zeros, forget gate 1"
    else:
        assert (bias == 0).all()


@pytest.mark.jax
@pytest.mark.parametrize(
    ("cell", "name", "gates"),
    [("lstm", "LSTMCell", "ifgo"), ("gru", "GRUCell", "rzn"), ("rnn", "SimpleCell", "")],
)
def test_flax_recurrent_defaults(cell, name, gates):
    jax = pytest.importorskip("jax")
    nn = pytest.importorskip("flax.linen")
    np = pytest.importorskip("numpy")
    features, inputs = 1024, 1024
    module = getattr(nn, name)(features=features)
    x = np.zeros((1, inputs), np.float32)
    carry = module.initialize_carry(jax.random.key(0), x.shape)
    params = module.init(jax.random.key(1), carry, x)["params"]
    names = [f"i{g}" for g in gates] or ["i"]
    hidden_names = [f"h{g}" for g in gates] or ["h"]
    input_kernels = np.concatenate([np.asarray(params[n]["kernel"], np.float64).ravel() for n in names])
    for n in names:
        assert params[n]["kernel"].shape == (inputs, features)  # one Dense per gate: fans (in, H)
    for n in hidden_names:
        assert params[n]["kernel"].shape == (features, features)
    ours = _layers(f"{inputs}-{cell}{features}", "flax")
    flax_fw = FRAMEWORKS["flax"]
    lecun = default_stats(flax_fw, ours["weight_ih_l0"])
    assert math.isclose(lecun.std, 1 / math.sqrt(inputs))  # per gate and stacked fan_in alike
    # truncated normal: rel. SE of the std √((κ−1)/(4n)), κ = 2.3656 at ±2σ
    assert abs(input_kernels.std() / lecun.std - 1) < 4 * math.sqrt(1.3656 / (4 * input_kernels.size))
    orthogonal = default_stats(flax_fw, ours["weight_hh_l0"])
    assert math.isclose(orthogonal.std, 1 / math.sqrt(features))
    h = np.asarray(params[hidden_names[0]]["kernel"], np.float64)
    assert math.isclose(math.sqrt((h**2).mean()), orthogonal.std, rel_tol=1e-5)
    assert np.abs(h).max() <= 1
    biased = {"lstm": hidden_names, "gru": [*names, "hn"], "rnn": names}[cell]
    for n in [*names, *hidden_names]:
        assert ("bias" in params[n]) == (n in biased), n
        if n in biased:
            assert (np.asarray(params[n]["bias"]) == 0).all()
