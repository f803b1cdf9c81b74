"""Peer tests: glorotcalc against the real PaddlePaddle 3.3.1 (skipped, in one line, when absent).

- Fans: ``paddle/nn/initializer/initializer.py`` ``Initializer._compute_fans`` — 2-D (in, out),
  else (out, in, *k).
- Sampler parameters, caught from the call: Paddle's initializers end in ``_C_ops.uniform(shape,
  dtype, min, max, …)``, ``_C_ops.gaussian(shape, mean, std, …)`` or
  ``_C_ops.truncated_gaussian_random(shape, mean, std, seed, a, b, …)``, looked up on
  ``paddle._C_ops`` at call time; the `calls` fixture wraps the three.
- Draws ≥ 10⁶ (tests/peerkit.py); layer defaults of Linear (in, out), Conv1D/2D/3D (grouped,
  depthwise: Normal(0, √(2/(∏k·in))) with every input channel), Conv2DTranspose, Embedding;
  emitted code run.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from peerkit import check_draws, close, glorotcalc_json, run_emit

from glorotcalc.frameworks import FRAMEWORKS, default_stats, framework_fans, framework_shape
from glorotcalc.layers import conv, dense, embedding, from_shape

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # paddle warns about its own optional dependencies at import
    paddle = pytest.importorskip("paddle")

pytestmark = [pytest.mark.paddle, pytest.mark.filterwarnings("ignore::UserWarning")]

PADDLE = FRAMEWORKS["paddle"]
_C_ops = paddle._C_ops


@pytest.fixture
def calls(monkeypatch):
    seen = []

    def wrap(name, original, pick):
        def sampler(*args):
            seen.append((name, *(float(args[i]) for i in pick)))
            return original(*args)

        return sampler

    for name, pick in (
        ("uniform", (2, 3)),
        ("gaussian", (1, 2)),
        ("truncated_gaussian_random", (1, 2, 4, 5)),
    ):
        monkeypatch.setattr(_C_ops, name, wrap(name, getattr(_C_ops, name), pick))
    return seen


@pytest.mark.parametrize("shape", [(784, 256), (128, 64, 3, 3), (32, 16, 5), (8, 4, 2, 3, 3)])
def test_fans(shape):
    weight = paddle.create_parameter(list(shape), "float32")
    fans = paddle.nn.initializer.XavierUniform()._compute_fans(weight)
    assert framework_fans(from_shape(shape, "paddle"), PADDLE) == tuple(int(f) for f in fans)


@pytest.mark.parametrize(
    ("scheme", "mode", "dist", "make"),
    [
        ("glorot", None, "uniform", lambda: paddle.nn.initializer.XavierUniform()),
        ("glorot", None, "normal", lambda: paddle.nn.initializer.XavierNormal()),
        ("he", "fan_in", "uniform", lambda: paddle.nn.initializer.KaimingUniform()),
        ("he", "fan_out", "normal", lambda: paddle.nn.initializer.KaimingNormal(mode="fan_out")),
        ("lecun", "fan_in", "normal", lambda: paddle.nn.initializer.KaimingNormal(nonlinearity="linear")),
    ],
)
def test_initializers(scheme, mode, dist, make, calls, capsys):
    argv = ["--shape", "2000x1000", "--framework", "paddle", "--scheme", scheme, "--dist", dist]
    document = glorotcalc_json(*argv, *(["--mode", mode] if mode else []), capsys=capsys)
    (result,) = document["layers"][0]["results"]
    weight = paddle.create_parameter([2000, 1000], "float32", default_initializer=make())
    ((name, _a, b),) = calls
    assert name == {"uniform": "uniform", "normal": "gaussian"}[dist]
    assert close(b, result["bound"] if dist == "uniform" else result["std"])
    check_draws(weight.numpy(), result["std"], dist, result["support"])


def test_truncated_normal_bounds_are_absolute(calls):
    """TruncatedNormal(std=σ, a, b) cuts at a, b themselves: a = −2σ is needed for ±2σ."""
    sigma = 0.05
    init = paddle.nn.initializer.TruncatedNormal(mean=0.0, std=sigma, a=-2 * sigma, b=2 * sigma)
    weight = paddle.create_parameter([2000, 1000], "float32", default_initializer=init)
    ((name, _mean, std, a, b),) = calls
    assert (name, std, a, b) == ("truncated_gaussian_random", sigma, -2 * sigma, 2 * sigma)
    check_draws(weight.numpy(), 0.87962566103423978 * sigma, "truncated", 2 * sigma)


KINDS = [
    (dense(784, 256), lambda: paddle.nn.Linear(784, 256)),
    (conv(16, 32, (3,)), lambda: paddle.nn.Conv1D(16, 32, 3)),
    (conv(16, 32, (3, 3)), lambda: paddle.nn.Conv2D(16, 32, 3)),
    (conv(16, 32, (3, 3, 3)), lambda: paddle.nn.Conv3D(16, 32, 3)),
    (conv(16, 32, (3, 3), groups=4), lambda: paddle.nn.Conv2D(16, 32, 3, groups=4)),
    (conv(16, 32, (3, 3), depthwise=True), lambda: paddle.nn.Conv2D(16, 32, 3, groups=16)),
    (conv(16, 32, (3, 3), transposed=True), lambda: paddle.nn.Conv2DTranspose(16, 32, 3)),
    (embedding(1000, 64), lambda: paddle.nn.Embedding(1000, 64)),
]


@pytest.mark.parametrize(("layer", "build"), KINDS)
def test_layer_defaults(layer, build, calls):
    module = build()
    expected = default_stats(PADDLE, layer)
    assert tuple(module.weight.shape) == framework_shape(layer, PADDLE)
    name, _, param = calls[0]
    assert name == {"uniform": "uniform", "normal": "gaussian"}[expected.distribution]
    assert close(param, expected.value)
    if getattr(module, "bias", None) is not None:
        assert float(module.bias.abs().max()) == 0


def test_conv2d_default_is_not_xavier():
    """The issue: Conv2D(64, 128, 3) is N(0, √(2/(9·64))); 2·10⁶ draws of a Conv2D(256, 256, 5)."""
    assert close(default_stats(PADDLE, conv(64, 128, (3, 3))).std, (2 / (9 * 64)) ** 0.5)
    module = paddle.nn.Conv2D(256, 320, 5)
    expected = default_stats(PADDLE, conv(256, 320, (5, 5)))
    check_draws(module.weight.numpy(), expected.std, "normal", None)


@pytest.mark.parametrize(
    ("scheme", "dist"), [("he", "uniform"), ("glorot", "normal"), ("lecun", "truncated")]
)
def test_emitted_code_runs_and_matches(scheme, dist, capsys):
    namespace, document = run_emit(
        "paddle", "2000", "1000", "--scheme", scheme, "--dist", dist, capsys=capsys
    )
    (layer,) = document["layers"]
    weights = np.asarray(namespace["layer0"].numpy())
    assert list(weights.shape) == layer["shape"]
    check_draws(weights, layer["result"]["std"], layer["result"]["distribution"], layer["result"]["support"])
