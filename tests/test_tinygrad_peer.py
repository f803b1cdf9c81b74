"""Peer tests: glorotcalc against the real tinygrad 0.14.0 (skipped, in one line, when absent).

tinygrad needs a device: CI runs these with ``DEV=CPU`` (Debian's clang); ``DEV=PYTHON`` works
without a compiler but is slow for 10⁶ draws.

- Sampler parameters, caught from the call: ``Tensor.glorot_uniform``, ``kaiming_uniform`` and the
  layers end in ``Tensor.uniform(*shape, low, high)``; ``kaiming_normal`` in ``Tensor.normal(*shape,
  mean, std)`` (``tinygrad/mixin/rand.py``, called through ``cls``); the `calls` fixture wraps both.
- glorot_uniform's fan_out has no receptive field; kaiming_* take a slope a (gain² = 2/(1+a²)).
- Draws ≥ 10⁶ (tests/peerkit.py); layer defaults of Linear, Conv2d as 1-3-D (grouped, depthwise:
  every input channel), ConvTranspose2d, Embedding; emitted code run.
"""

from __future__ import annotations

import os
import shutil

import pytest
from peerkit import check_draws, close, glorotcalc_json, run_emit

from glorotcalc.frameworks import FRAMEWORKS, bias_bound, default_stats, framework_fans, framework_shape
from glorotcalc.layers import conv, dense, embedding, from_shape

tinygrad = pytest.importorskip("tinygrad")
if "DEV" not in os.environ and shutil.which("clang") is None:
    pytest.skip("tinygrad has no device here: set DEV=PYTHON, or install clang", allow_module_level=True)
from tinygrad import Tensor, nn  # noqa: E402

pytestmark = pytest.mark.tinygrad

TINYGRAD = FRAMEWORKS["tinygrad"]


@pytest.fixture
def calls(monkeypatch):
    seen = []
    uniform, normal = Tensor.uniform.__func__, Tensor.normal.__func__

    def wrapped_uniform(cls, *shape, low=0.0, high=1.0, **kwargs):
        seen.append(("uniform", tuple(shape), float(low), float(high)))
        return uniform(cls, *shape, low=low, high=high, **kwargs)

    def wrapped_normal(cls, *shape, mean=0.0, std=1.0, **kwargs):
        seen.append(("normal", tuple(shape), float(mean), float(std)))
        return normal(cls, *shape, mean=mean, std=std, **kwargs)

    monkeypatch.setattr(Tensor, "uniform", classmethod(wrapped_uniform))
    monkeypatch.setattr(Tensor, "normal", classmethod(wrapped_normal))
    return seen


@pytest.mark.parametrize("shape", [(256, 784), (128, 64, 3, 3), (32, 16, 5)])
def test_glorot_uniform_fans(shape, calls):
    """bound √(6/(shape[0] + ∏shape[1:])) = √(3/n) with tinygrad's fans."""
    Tensor.glorot_uniform(*shape)
    ((_, _, _, high),) = calls
    fan_in, fan_out = framework_fans(from_shape(shape, "torch"), TINYGRAD)
    assert close(high, (6 / (fan_in + fan_out)) ** 0.5)


@pytest.mark.parametrize(
    ("scheme", "dist", "make"),
    [
        ("glorot", "uniform", lambda: Tensor.glorot_uniform(1000, 2000)),
        ("he", "uniform", lambda: Tensor.kaiming_uniform(1000, 2000, a=0.0)),
        ("he", "normal", lambda: Tensor.kaiming_normal(1000, 2000, a=0.0)),
        ("lecun", "normal", lambda: Tensor.kaiming_normal(1000, 2000, a=1.0)),
    ],
)
def test_initializers(scheme, dist, make, calls, capsys):
    argv = ["--shape", "1000x2000", "--framework", "tinygrad", "--scheme", scheme, "--dist", dist]
    (result,) = glorotcalc_json(*argv, capsys=capsys)["layers"][0]["results"]
    weights = make().numpy()
    name, _, _, param = calls[0]
    assert name == dist and close(param, result["bound"] if dist == "uniform" else result["std"])
    check_draws(weights, result["std"], dist, result["support"])


def test_default_kaiming_slope():
    """kaiming_uniform's default a = 0.01: gain² = 2/(1 + 10⁻⁴), not 2."""
    w = Tensor.kaiming_uniform(1000, 2000).numpy()
    check_draws(w, (2 / (1 + 1e-4) / 2000) ** 0.5, "uniform", (6 / (1 + 1e-4) / 2000) ** 0.5)


KINDS = [
    (dense(784, 256, bias=256), lambda: nn.Linear(784, 256)),
    (conv(16, 32, (3,), bias=32), lambda: nn.Conv1d(16, 32, 3)),
    (conv(16, 32, (3, 3), bias=32), lambda: nn.Conv2d(16, 32, 3)),
    (conv(16, 32, (3, 3, 3), bias=32), lambda: nn.Conv2d(16, 32, (3, 3, 3))),
    (conv(16, 32, (3, 3), groups=4, bias=32), lambda: nn.Conv2d(16, 32, 3, groups=4)),
    (conv(16, 32, (3, 3), depthwise=True, bias=32), lambda: nn.Conv2d(16, 32, 3, groups=16)),
    (conv(16, 32, (3, 3), transposed=True, bias=32), lambda: nn.ConvTranspose2d(16, 32, 3)),
]


@pytest.mark.parametrize(("layer", "build"), KINDS)
def test_layer_defaults(layer, build, calls):
    module = build()
    expected = default_stats(TINYGRAD, layer)
    assert tuple(module.weight.shape) == framework_shape(layer, TINYGRAD)
    # ConvTranspose2d first builds a Conv2d (weight and bias), then draws its own weight
    (*_, w_high) = next(c for c in reversed(calls) if c[1] == tuple(module.weight.shape))
    (*_, b_high) = next(c for c in calls if c[1] == (layer.out_channels,))
    assert close(w_high, expected.bound) and close(b_high, bias_bound(TINYGRAD, layer))


def test_linear_and_embedding_draws():
    expected = default_stats(TINYGRAD, dense(2000, 1000))
    check_draws(nn.Linear(2000, 1000).weight.numpy(), expected.std, "uniform", expected.bound)
    expected = default_stats(TINYGRAD, embedding(20000, 64))
    check_draws(nn.Embedding(20000, 64).weight.numpy(), expected.std, "uniform", expected.bound)


@pytest.mark.parametrize(("scheme", "dist"), [("he", "uniform"), ("glorot", "uniform"), ("lecun", "normal")])
def test_emitted_code_runs_and_matches(scheme, dist, capsys):
    namespace, document = run_emit(
        "tinygrad", "2000", "1000", "--scheme", scheme, "--dist", dist, capsys=capsys
    )
    (layer,) = document["layers"]
    weights = namespace["layer0"].numpy()
    assert list(weights.shape) == layer["shape"]
    check_draws(weights, layer["result"]["std"], layer["result"]["distribution"], layer["result"]["support"])
