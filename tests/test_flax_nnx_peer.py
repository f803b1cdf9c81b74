"""Peer tests: the Flax NNX record against the real flax.nnx 0.12.8 (skipped, in one line, when
flax is absent; marker ``jax`` like the linen tests).

``flax/nnx/nn/linear.py``: nnx.Linear, nnx.Conv (1-3-D, grouped, depthwise), nnx.ConvTranspose
default to ``lecun_normal()`` (truncated, realized std √(1/fan_in)) with a zero bias; nnx.Embed to
``variance_scaling(1.0, "fan_in", "normal", out_axis=0)``. Real modules are built, their kernel
shapes compared with `framework_shape` and ≥ 10⁶ of their weights with glorotcalc's std and
support (tests/peerkit.py); the code ``glorotcalc emit flax-nnx`` writes is run.
"""

from __future__ import annotations

import numpy as np
import pytest
from peerkit import check_draws, run_emit

from glorotcalc.frameworks import FRAMEWORKS, default_stats, framework_shape
from glorotcalc.layers import conv, dense, embedding

nnx = pytest.importorskip("flax.nnx")

pytestmark = pytest.mark.jax

NNX = FRAMEWORKS["flax-nnx"]


def rngs():
    return nnx.Rngs(0)


KINDS = [
    (dense(784, 256), lambda: nnx.Linear(784, 256, rngs=rngs())),
    (conv(16, 32, (3,)), lambda: nnx.Conv(16, 32, (3,), rngs=rngs())),
    (conv(16, 32, (3, 3)), lambda: nnx.Conv(16, 32, (3, 3), rngs=rngs())),
    (conv(16, 32, (3, 3, 3)), lambda: nnx.Conv(16, 32, (3, 3, 3), rngs=rngs())),
    (conv(16, 32, (3, 3), groups=4), lambda: nnx.Conv(16, 32, (3, 3), feature_group_count=4, rngs=rngs())),
    (
        conv(16, 32, (3, 3), depthwise=True),
        lambda: nnx.Conv(16, 32, (3, 3), feature_group_count=16, rngs=rngs()),
    ),
    (conv(16, 32, (3, 3), transposed=True), lambda: nnx.ConvTranspose(16, 32, (3, 3), rngs=rngs())),
]


@pytest.mark.parametrize(("layer", "build"), KINDS)
def test_layer_kernel_shapes_and_zero_bias(layer, build):
    module = build()
    assert tuple(module.kernel[...].shape) == framework_shape(layer, NNX)
    assert float(np.abs(np.asarray(module.bias[...])).max()) == 0


def test_linear_and_conv_draws():
    """lecun_normal: truncated at ±2σ, σ = √(1/fan_in)/0.8796, realized std √(1/fan_in)."""
    for layer, module in (
        (dense(2000, 1000), nnx.Linear(2000, 1000, rngs=rngs())),
        (conv(256, 512, (3, 3)), nnx.Conv(256, 512, (3, 3), rngs=rngs())),
    ):
        expected = default_stats(NNX, layer)
        check_draws(np.asarray(module.kernel[...]), expected.std, "truncated", expected.support)


def test_embed_default():
    module = nnx.Embed(20000, 64, rngs=rngs())
    expected = default_stats(NNX, embedding(20000, 64))
    check_draws(np.asarray(module.embedding[...]), expected.std, "normal", None)


@pytest.mark.parametrize(("scheme", "dist"), [("he", "uniform"), ("lecun", "truncated")])
def test_emitted_code_runs_and_matches(scheme, dist, capsys):
    namespace, document = run_emit(
        "flax-nnx", "2000", "1000", "--scheme", scheme, "--dist", dist, capsys=capsys
    )
    (layer,) = document["layers"]
    weights = np.asarray(namespace["layer0"])
    assert list(weights.shape) == layer["shape"]
    check_draws(weights, layer["result"]["std"], layer["result"]["distribution"], layer["result"]["support"])
