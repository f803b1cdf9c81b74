"""Peer tests: glorotcalc against the real MLX 0.32.4 with mlx-cpu (skipped, in one line, when
absent).

- Fans: ``mlx/nn/init.py`` ``_calculate_fan_in_fan_out`` on (out, *k, in) weights.
- Sampler parameters, caught from the call: MLX's initializers and layers end in
  ``mx.random.uniform(low, high, shape)`` or ``mx.random.normal(shape, dtype, loc, scale)``,
  looked up on ``mx.random`` at call time; the `calls` fixture wraps both.
- ``he_normal()``/``he_uniform()`` have gain 1 unless told; ≥ 10⁶ draws (tests/peerkit.py);
  layer defaults of Linear, Conv1d/2d/3d (grouped, depthwise), ConvTranspose1d/2d/3d, Embedding;
  emitted code run.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from peerkit import check_draws, close, glorotcalc_json, run_emit

from glorotcalc.frameworks import FRAMEWORKS, bias_bound, default_stats, framework_fans, framework_shape
from glorotcalc.layers import conv, dense, embedding, from_shape

mx = pytest.importorskip("mlx.core")
nn = pytest.importorskip("mlx.nn")

pytestmark = pytest.mark.mlx

MLX = FRAMEWORKS["mlx"]
init_module = __import__("mlx.nn.init", fromlist=["_calculate_fan_in_fan_out"])


@pytest.fixture
def calls(monkeypatch):
    seen = []
    uniform, normal = mx.random.uniform, mx.random.normal

    def wrapped_uniform(low=0.0, high=1.0, shape=(), *args, **kwargs):
        seen.append(("uniform", float(low), float(high)))
        return uniform(low, high, shape, *args, **kwargs)

    def wrapped_normal(shape=(), dtype=mx.float32, loc=0.0, scale=1.0, **kwargs):
        seen.append(("normal", float(loc), float(scale)))
        return normal(shape=shape, dtype=dtype, loc=loc, scale=scale, **kwargs)

    monkeypatch.setattr(mx.random, "uniform", wrapped_uniform)
    monkeypatch.setattr(mx.random, "normal", wrapped_normal)
    return seen


@pytest.mark.parametrize("shape", [(256, 784), (128, 3, 3, 64), (32, 5, 16), (8, 2, 3, 3, 4)])
def test_fans(shape):
    fans = init_module._calculate_fan_in_fan_out(mx.zeros(shape))
    assert framework_fans(from_shape(shape, "mlx"), MLX) == tuple(int(f) for f in fans)


@pytest.mark.parametrize(
    ("scheme", "mode", "dist", "make"),
    [
        ("glorot", None, "uniform", lambda a: nn.init.glorot_uniform()(a)),
        ("glorot", None, "normal", lambda a: nn.init.glorot_normal()(a)),
        ("he", "fan_in", "uniform", lambda a: nn.init.he_uniform()(a, gain=math.sqrt(2))),
        ("he", "fan_out", "normal", lambda a: nn.init.he_normal()(a, mode="fan_out", gain=math.sqrt(2))),
        ("lecun", "fan_in", "normal", lambda a: nn.init.he_normal()(a)),  # gain 1: LeCun
    ],
)
def test_initializers(scheme, mode, dist, make, calls, capsys):
    argv = ["--shape", "1000x2000", "--framework", "mlx", "--scheme", scheme, "--dist", dist]
    document = glorotcalc_json(*argv, *(["--mode", mode] if mode else []), capsys=capsys)
    (result,) = document["layers"][0]["results"]
    weights = make(mx.zeros((1000, 2000)))
    ((name, _a, b),) = calls
    assert name == dist
    assert close(b, result["bound"] if dist == "uniform" else result["std"], 1e-7)
    check_draws(np.array(weights), result["std"], dist, result["support"])


KINDS = [
    (dense(784, 256, bias=256), lambda: nn.Linear(784, 256)),
    (conv(16, 32, (3,), bias=32), lambda: nn.Conv1d(16, 32, 3)),
    (conv(16, 32, (3, 3), bias=32), lambda: nn.Conv2d(16, 32, 3)),
    (conv(16, 32, (3, 3, 3), bias=32), lambda: nn.Conv3d(16, 32, 3)),
    (conv(16, 32, (3, 3), groups=4, bias=32), lambda: nn.Conv2d(16, 32, 3, groups=4)),
    (conv(16, 32, (3, 3), depthwise=True, bias=32), lambda: nn.Conv2d(16, 32, 3, groups=16)),
    (conv(16, 32, (3,), transposed=True, bias=32), lambda: nn.ConvTranspose1d(16, 32, 3)),
    (conv(16, 32, (3, 3), transposed=True, bias=32), lambda: nn.ConvTranspose2d(16, 32, 3)),
    (conv(16, 32, (3, 3, 3), transposed=True, bias=32), lambda: nn.ConvTranspose3d(16, 32, 3)),
]


@pytest.mark.parametrize(("layer", "build"), KINDS)
def test_layer_defaults(layer, build, calls):
    module = build()
    expected = default_stats(MLX, layer)
    assert tuple(module.weight.shape) == framework_shape(layer, MLX)
    name, _low, high = calls[0]
    assert name == "uniform" and close(high, expected.bound, 1e-7)
    bias = bias_bound(MLX, layer)
    if bias is None:
        assert len(calls) == 1 and float(mx.abs(module.bias).max()) == 0
    else:
        assert close(calls[1][2], bias, 1e-7)


def test_linear_and_embedding_draws():
    expected = default_stats(MLX, dense(2000, 1000))
    check_draws(np.array(nn.Linear(2000, 1000).weight), expected.std, "uniform", expected.bound)
    expected = default_stats(MLX, embedding(20000, 64))
    check_draws(np.array(nn.Embedding(20000, 64).weight), expected.std, "normal", None)


@pytest.mark.parametrize(
    ("scheme", "dist"), [("he", "uniform"), ("glorot", "normal"), ("lecun", "truncated")]
)
def test_emitted_code_runs_and_matches(scheme, dist, capsys):
    namespace, document = run_emit("mlx", "2000", "1000", "--scheme", scheme, "--dist", dist, capsys=capsys)
    (layer,) = document["layers"]
    weights = np.array(namespace["layer0"])
    assert list(weights.shape) == layer["shape"]
    check_draws(weights, layer["result"]["std"], layer["result"]["distribution"], layer["result"]["support"])
