"""Peer tests: glorotcalc against the real Equinox 0.13.8 (skipped, in one line, when absent).

Equinox's layers draw ``jax.random.uniform(key, shape, dtype, minval=-lim, maxval=lim)``
(``equinox/nn/_misc.py`` ``default_init``, looked up on ``jax.random`` at call time): the `calls`
fixture wraps it and records (minval, maxval). Layer defaults of Linear, Conv 1-3-D (grouped,
depthwise), ConvTranspose, Embedding; ≥ 10⁶ draws (tests/peerkit.py); emitted code run and its
weights put into a real eqx.nn.Linear.
"""

from __future__ import annotations

import pytest
from peerkit import check_draws, close, run_emit

from glorotcalc.frameworks import FRAMEWORKS, bias_bound, default_stats, framework_shape
from glorotcalc.layers import conv, dense, embedding

eqx = pytest.importorskip("equinox")
jax = pytest.importorskip("jax")

pytestmark = pytest.mark.equinox

EQUINOX = FRAMEWORKS["equinox"]
KEY = jax.random.key(0)


@pytest.fixture
def calls(monkeypatch):
    seen = []
    original = jax.random.uniform

    def uniform(key, shape=(), dtype=None, minval=0.0, maxval=1.0):
        seen.append((tuple(shape), float(minval), float(maxval)))
        return original(key, shape, dtype or jax.numpy.float32, minval, maxval)

    monkeypatch.setattr(jax.random, "uniform", uniform)
    return seen


KINDS = [
    (dense(784, 256, bias=256), lambda: eqx.nn.Linear(784, 256, key=KEY)),
    (conv(16, 32, (3,), bias=32), lambda: eqx.nn.Conv1d(16, 32, 3, key=KEY)),
    (conv(16, 32, (3, 3), bias=32), lambda: eqx.nn.Conv2d(16, 32, 3, key=KEY)),
    (conv(16, 32, (3, 3, 3), bias=32), lambda: eqx.nn.Conv3d(16, 32, 3, key=KEY)),
    (conv(16, 32, (3, 3), groups=4, bias=32), lambda: eqx.nn.Conv2d(16, 32, 3, groups=4, key=KEY)),
    (conv(16, 32, (3, 3), depthwise=True, bias=32), lambda: eqx.nn.Conv2d(16, 32, 3, groups=16, key=KEY)),
    (conv(16, 32, (3, 3), transposed=True, bias=32), lambda: eqx.nn.ConvTranspose2d(16, 32, 3, key=KEY)),
]


@pytest.mark.parametrize(("layer", "build"), KINDS)
def test_layer_defaults(layer, build, calls):
    """Weight and bias U(±lim): glorotcalc's bound, shape and bias bound."""
    module = build()
    expected = default_stats(EQUINOX, layer)
    assert module.weight.shape == framework_shape(layer, EQUINOX)
    (w_shape, w_low, w_high), (_, _b_low, b_high) = calls
    assert w_shape == module.weight.shape
    assert close(w_high, expected.bound) and close(w_low, -expected.bound)
    assert close(b_high, bias_bound(EQUINOX, layer))


def test_linear_draws():
    module = eqx.nn.Linear(2000, 1000, key=KEY)
    expected = default_stats(EQUINOX, dense(2000, 1000))
    check_draws(module.weight, expected.std, "uniform", expected.bound)


def test_embedding_default():
    module = eqx.nn.Embedding(20000, 64, key=KEY)
    expected = default_stats(EQUINOX, embedding(20000, 64))
    check_draws(module.weight, expected.std, "normal", None)


@pytest.mark.parametrize(
    ("scheme", "dist"), [("he", "uniform"), ("glorot", "truncated"), ("lecun", "normal")]
)
def test_emitted_code_runs_and_fits_the_layer(scheme, dist, capsys):
    """The weight emit writes for Equinox is (out, in) and drops into a real eqx.nn.Linear."""
    namespace, document = run_emit(
        "equinox", "2000", "1000", "--scheme", scheme, "--dist", dist, capsys=capsys
    )
    (layer,) = document["layers"]
    weights = namespace["layer0"]
    linear = eqx.nn.Linear(2000, 1000, key=KEY)
    linear = eqx.tree_at(lambda m: m.weight, linear, weights)
    assert linear.weight.shape == (1000, 2000)
    check_draws(weights, layer["result"]["std"], layer["result"]["distribution"], layer["result"]["support"])
