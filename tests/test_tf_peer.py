"""Peer tests: glorotcalc against the real TensorFlow 2.21 — ``tf.compat.v1`` initializers and
``tf.keras`` (Keras 3 under TF). Skipped, in one line, when tensorflow is absent.

- Fans: ``tensorflow/python/ops/init_ops.py`` ``_compute_fans`` against `framework_fans`.
- Sampler parameters, caught from the call: init_ops ends in ``random_ops.random_uniform(shape,
  minval, maxval)``, ``random_ops.random_normal(shape, mean, stddev)`` or
  ``random_ops.truncated_normal(shape, mean, stddev)``, looked up on the module at call time; the
  `calls` fixture wraps them and records their arguments.
- Draws: ≥ 10⁶ weights per initializer (tests/peerkit.py for the tolerance).
- Defaults: ``tf.compat.v1.get_variable`` without an initializer; tf.keras layers.
- Emit: the code ``glorotcalc emit tf-compat-v1 …`` / ``tf-keras`` prints is executed.
"""

from __future__ import annotations

import importlib
import math

import pytest
from peerkit import check_draws, close, glorotcalc_json, run_emit

from glorotcalc.frameworks import FRAMEWORKS, default_stats, framework_fans
from glorotcalc.layers import conv, dense, from_shape

tf = pytest.importorskip("tensorflow")

pytestmark = pytest.mark.tf

V1 = FRAMEWORKS["tf-compat-v1"]
TF_KERAS = FRAMEWORKS["tf-keras"]
init_ops = importlib.import_module("tensorflow.python.ops.init_ops")
random_ops = importlib.import_module("tensorflow.python.ops.random_ops")
TRUNC = 0.87962566103423978


@pytest.fixture
def calls(monkeypatch):
    """Every sampler call of init_ops: (name, mean-or-minval, stddev-or-maxval)."""
    seen = []

    def wrap(name, original):
        def sampler(shape, a=0.0, b=1.0, *args, **kwargs):
            seen.append((name, float(a), float(b)))
            return original(shape, a, b, *args, **kwargs)

        return sampler

    for name in ("random_uniform", "random_normal", "truncated_normal"):
        monkeypatch.setattr(random_ops, name, wrap(name, getattr(random_ops, name)))
    return seen


@pytest.mark.parametrize("shape", [(784, 256), (3, 3, 64, 128), (5, 32, 16), (2, 3, 3, 8, 4)])
def test_fans(shape):
    assert framework_fans(from_shape(shape, "keras"), V1) == init_ops._compute_fans(shape)


@pytest.mark.parametrize(
    ("scheme", "dist", "make"),
    [
        ("glorot", "uniform", lambda: tf.compat.v1.glorot_uniform_initializer()),
        ("glorot", "normal", lambda: tf.compat.v1.glorot_normal_initializer()),
        ("he", "uniform", lambda: tf.compat.v1.initializers.he_uniform()),
        ("he", "normal", lambda: tf.compat.v1.initializers.he_normal()),
        ("lecun", "uniform", lambda: tf.compat.v1.initializers.lecun_uniform()),
        ("lecun", "normal", lambda: tf.compat.v1.initializers.lecun_normal()),
    ],
)
def test_compat_v1_initializers(scheme, dist, make, calls, capsys):
    """The sampler's parameters equal glorotcalc's; 2·10⁶ draws have its std and support."""
    shape = (2000, 1000)
    document = glorotcalc_json(
        "2000", "1000", "--framework", "tf-compat-v1", "--scheme", scheme, "--dist", dist, capsys=capsys
    )
    (result,) = document["layers"][0]["results"]
    weights = make()(shape).numpy()
    ((name, a, b),) = calls
    if dist == "uniform":
        assert name == "random_uniform" and close(b, result["bound"]) and close(a, -result["bound"])
    else:
        assert name == "truncated_normal" and close(b, result["sampler_std"])
        assert result["distribution"] == "truncated"
    check_draws(weights, result["std"], result["distribution"], result["support"])


def test_variance_scaling_normal_is_corrected_and_untruncated_exists(calls):
    """``variance_scaling_initializer(distribution="normal")`` is the corrected truncated one."""
    tf.compat.v1.variance_scaling_initializer(2.0, "fan_in", "normal")((784, 256))
    tf.compat.v1.variance_scaling_initializer(2.0, "fan_in", "untruncated_normal")((784, 256))
    assert [c[0] for c in calls] == ["truncated_normal", "random_normal"]
    assert close(calls[0][2], math.sqrt(2 / 784) / TRUNC)
    assert close(calls[1][2], math.sqrt(2 / 784))


def test_truncated_normal_initializer_is_uncorrected():
    """truncated_normal_initializer(stddev=1) realizes 0.8796, cut at ±2."""
    weights = tf.compat.v1.truncated_normal_initializer(stddev=1.0)((1000, 1000)).numpy()
    check_draws(weights, TRUNC, "truncated", 2.0)


def test_get_variable_default_is_glorot_uniform(calls):
    """A tf.compat.v1 variable without an initializer: glorot_uniform_initializer."""
    graph = tf.Graph()
    with graph.as_default():
        tf.compat.v1.get_variable("w", (784, 256))
    ((name, _a, b),) = calls
    expected = default_stats(V1, dense(784, 256, "keras"))
    assert name == "random_uniform" and close(b, expected.bound)


@pytest.mark.parametrize(
    ("layer", "build"),
    [
        (dense(784, 256), lambda: tf.keras.layers.Dense(256)),
        (conv(16, 32, (3,)), lambda: tf.keras.layers.Conv1D(32, 3)),
        (conv(16, 32, (3, 3)), lambda: tf.keras.layers.Conv2D(32, 3)),
        (conv(16, 32, (3, 3, 3)), lambda: tf.keras.layers.Conv3D(32, 3)),
        (conv(16, 32, (3, 3), transposed=True), lambda: tf.keras.layers.Conv2DTranspose(32, 3)),
        (conv(16, 32, (3, 3), groups=4), lambda: tf.keras.layers.Conv2D(32, 3, groups=4)),
    ],
)
def test_tf_keras_layer_defaults(layer, build):
    """tf.keras layers: the kernel's fans and glorot_uniform bound, read back from the layer."""
    built = build()
    rank = len(layer.kernel)
    built.build((None, *([8] * rank), layer.in_channels))
    kernel = built.kernel.numpy()
    expected = default_stats(TF_KERAS, layer)
    from glorotcalc.frameworks import framework_shape

    assert kernel.shape == framework_shape(layer, TF_KERAS)
    assert abs(kernel).max() <= expected.bound * (1 + 1e-6)


@pytest.mark.parametrize("name", ["tf-compat-v1", "tf-keras"])
@pytest.mark.parametrize(
    ("scheme", "dist"), [("he", "uniform"), ("glorot", "normal"), ("lecun", "truncated")]
)
def test_emitted_code_runs_and_matches(name, scheme, dist, capsys):
    namespace, document = run_emit(name, "2000", "1000", "--scheme", scheme, "--dist", dist, capsys=capsys)
    (layer,) = document["layers"]
    result = layer["result"]
    weights = namespace["layer0"].numpy()
    assert list(weights.shape) == layer["shape"]
    check_draws(weights, result["std"], result["distribution"], result["support"])
