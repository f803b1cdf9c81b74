"""Peer tests: glorotcalc against the real dm-haiku 0.0.17 (skipped, in one line, when absent).

- Fans: ``haiku/_src/initializers.py`` ``_compute_fans``.
- Sampler parameters, caught from the call: ``VarianceScaling`` and the layers' defaults end in
  ``TruncatedNormal(stddev)``, ``RandomNormal(stddev)`` or ``RandomUniform(minval, maxval)``
  (module globals looked up at call time); the `calls` fixture wraps their constructors.
- Draws: ≥ 10⁶ weights (tests/peerkit.py); layer defaults of hk.Linear, ConvND (1-3-D, grouped),
  ConvNDTranspose, DepthwiseConv2D, Embed; emitted code run.
"""

from __future__ import annotations

import importlib
import math

import pytest
from peerkit import check_draws, close, glorotcalc_json, run_emit

from glorotcalc.frameworks import FRAMEWORKS, default_stats, framework_fans, framework_shape
from glorotcalc.layers import conv, dense, embedding, from_shape

hk = pytest.importorskip("haiku")
jax = pytest.importorskip("jax")
jnp = jax.numpy

pytestmark = pytest.mark.haiku

HAIKU = FRAMEWORKS["haiku"]
initializers = importlib.import_module("haiku._src.initializers")


@pytest.fixture
def calls(monkeypatch):
    seen = []
    for cls, names in (
        (initializers.TruncatedNormal, ("stddev",)),
        (initializers.RandomNormal, ("stddev",)),
        (initializers.RandomUniform, ("minval", "maxval")),
    ):
        original = cls.__init__

        def init(self, *args, _original=original, _cls=cls, _names=names, **kwargs):
            _original(self, *args, **kwargs)
            seen.append((_cls.__name__, *(float(getattr(self, n)) for n in _names)))

        monkeypatch.setattr(cls, "__init__", init)
    return seen


def sample(init, shape, seed=0):
    return hk.transform(lambda: init(shape, jnp.float32)).apply({}, jax.random.key(seed))


@pytest.mark.parametrize("shape", [(784, 256), (3, 3, 64, 128), (5, 32, 16), (10,), ()])
def test_fans(shape):
    layer = from_shape(shape, "keras") if len(shape) >= 2 else None
    if layer is None:
        from glorotcalc.frameworks import small_shape_fans

        assert small_shape_fans(HAIKU, shape, "x") == initializers._compute_fans(shape)
    else:
        assert framework_fans(layer, HAIKU) == initializers._compute_fans(shape)


@pytest.mark.parametrize("mode", ["fan_in", "fan_out", "fan_avg"])
@pytest.mark.parametrize("dist", ["uniform", "truncated_normal", "normal"])
def test_variance_scaling(mode, dist, calls, capsys):
    """VarianceScaling(2, mode, dist) on (2000, 1000): sampler parameters and 2·10⁶ draws."""
    ours = {"uniform": "uniform", "truncated_normal": "truncated", "normal": "normal"}[dist]
    # Haiku's --dist normal is its truncated default; its untruncated "normal" is glorotcalc's
    # neutral normal (the fans of a 2-D (in, out) weight are read with --layout keras)
    where = ("--layout", "keras") if ours == "normal" else ("--framework", "haiku")
    document = glorotcalc_json(
        "--shape", "2000x1000", *where, "--scheme", "he", "--mode", mode, "--dist", ours, capsys=capsys
    )
    (result,) = document["layers"][0]["results"]
    weights = sample(hk.initializers.VarianceScaling(2.0, mode, dist), (2000, 1000))
    ((name, *params),) = calls
    if ours == "uniform":
        assert name == "RandomUniform" and close(params[1], result["bound"])
    else:
        assert name == {"truncated": "TruncatedNormal", "normal": "RandomNormal"}[ours]
        assert close(params[0], result["sampler_std"], 1e-7)  # haiku divides in float32
    check_draws(weights, result["std"], result["distribution"], result["support"])


KINDS = [
    (dense(784, 256), lambda: hk.Linear(256), (784,)),
    (conv(16, 32, (3,)), lambda: hk.Conv1D(32, 3), (8, 16)),
    (conv(16, 32, (3, 3)), lambda: hk.Conv2D(32, 3), (8, 8, 16)),
    (conv(16, 32, (3, 3, 3)), lambda: hk.Conv3D(32, 3), (8, 8, 8, 16)),
    (conv(16, 32, (3, 3), groups=4), lambda: hk.Conv2D(32, 3, feature_group_count=4), (8, 8, 16)),
    (conv(16, 32, (3, 3), transposed=True), lambda: hk.Conv2DTranspose(32, 3), (8, 8, 16)),
    (conv(16, 32, (3, 3), depthwise=True), lambda: hk.DepthwiseConv2D(2, 3), (8, 8, 16)),
]


@pytest.mark.parametrize(("layer", "build", "input_shape"), KINDS)
def test_layer_defaults(layer, build, input_shape, calls):
    """Each default is TruncatedNormal(stddev) uncorrected; glorotcalc's σ and weight shape."""
    params = hk.transform(lambda x: build()(x)).init(jax.random.key(0), jnp.zeros((1, *input_shape)))
    (weights,) = [p["w"] for p in params.values()]
    expected = default_stats(HAIKU, layer)
    assert weights.shape == framework_shape(layer, HAIKU)
    ((name, stddev),) = calls
    assert name == "TruncatedNormal" and close(stddev, expected.sampler_std, 1e-6)
    assert close(expected.std, 0.87962566103423978 * stddev, 1e-6)


def test_linear_draws_realize_0_88_over_sqrt_fan_in():
    """hk.Linear(1000) on 2000 inputs: std 0.8796/√2000 (the issue's 0.03140 at 784 inputs)."""
    params = hk.transform(lambda x: hk.Linear(1000)(x)).init(jax.random.key(1), jnp.zeros((1, 2000)))
    expected = default_stats(HAIKU, dense(2000, 1000))
    check_draws(params["linear"]["w"], expected.std, "truncated", expected.support)
    assert (params["linear"]["b"] == 0).all()


def test_embed_default(calls):
    params = hk.transform(lambda x: hk.Embed(1000, 64)(x)).init(jax.random.key(0), jnp.zeros((1,), int))
    expected = default_stats(HAIKU, embedding(1000, 64))
    assert params["embed"]["embeddings"].shape == (1000, 64)
    ((name, stddev),) = calls
    assert name == "TruncatedNormal" and close(stddev, expected.sampler_std) and close(stddev, 1.0)


@pytest.mark.parametrize(
    ("scheme", "dist"), [("he", "uniform"), ("glorot", "truncated"), ("lecun", "normal")]
)
def test_emitted_code_runs_and_matches(scheme, dist, capsys):
    namespace, document = run_emit("haiku", "2000", "1000", "--scheme", scheme, "--dist", dist, capsys=capsys)
    (layer,) = document["layers"]
    weights = namespace["layer0"]
    assert list(weights.shape) == layer["shape"]
    check_draws(weights, layer["result"]["std"], layer["result"]["distribution"], layer["result"]["support"])
    assert math.isfinite(float(weights.sum()))
