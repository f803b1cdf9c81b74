"""The fifteen records beyond torch/Keras/JAX/Flax, with expected values derived by hand.

Each expectation is the framework's own formula, written here from its source (cited in the
record): MXNet ``Xavier`` scale = √(magnitude/n); Chainer ``LeCunNormal`` scale·√(1/fan_in);
Caffe ``XavierFiller`` ±√(3/n) with n = fan_in = count/num; Flux ``glorot_uniform``
±gain·√(6/(fi+fo)) on a Dense weight (out, in); TF.js ``VarianceScaling`` "normal" =
truncatedNormal(stddev=√Var) with no correction (realized 0.8796·√Var); TF1 contrib
σ = √(1.3·factor/n); Keras 2.2 "normal" σ = √Var cut at ±2σ. The live peers' records are also
checked against the real packages in tests/test_*_peer.py.
"""

from __future__ import annotations

import json
import math

import pytest

from glorotcalc.cli import FRAMEWORK_NAMES, LAYER_FRAMEWORK_NAMES
from glorotcalc.fans import compute_fans
from glorotcalc.frameworks import FRAMEWORKS, LAYER_FRAMEWORKS, default_bias, default_stats, framework_fans
from glorotcalc.layers import conv, dense, embedding

TRUNC = 0.87962566103423978  # std of N(0, 1) truncated to (−2, 2)
REL = 1e-12


def approx(value: float) -> object:
    return pytest.approx(value, rel=REL)


def run_json(cli, *argv: str) -> dict:
    result = cli(*argv, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_the_cli_names_every_record():
    """The CLI's option choices are written out (no record is imported to build the command)."""
    assert tuple(FRAMEWORKS) == FRAMEWORK_NAMES
    assert LAYER_FRAMEWORK_NAMES == LAYER_FRAMEWORKS


# --- layouts -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("shape", "layout", "fans"),
    [
        ((128, 3, 3, 64), "mlx", (64 * 9, 128 * 9)),  # (out, *k, in)
        ((256, 784), "mlx", (784, 256)),
        ((784, 256), "paddle", (784, 256)),  # Linear (in, out)
        ((128, 64, 3, 3), "paddle", (64 * 9, 128 * 9)),  # conv (out, in, *k)
        ((256, 784), "flux", (784, 256)),  # Dense (out, in)
        ((3, 3, 64, 128), "flux", (64 * 9, 128 * 9)),  # conv (*k, in, out)
        ((128, 64, 3, 3), "tinygrad", (64 * 9, 128)),  # fan_out without the receptive field
        ((3, 3, 64, 128), "haiku", (64 * 9, 128 * 9)),
        ((128, 64, 3, 3), "equinox", (64 * 9, 128 * 9)),
    ],
)
def test_each_layout_reads_its_weights(shape, layout, fans):
    assert compute_fans(shape, layout) == fans


@pytest.mark.parametrize(
    ("name", "shape"),
    [
        ("torch", (64, 32, 3, 3)),
        ("mlx", (64, 3, 3, 32)),
        ("paddle", (64, 32, 3, 3)),
        ("flux", (3, 3, 32, 64)),
        ("haiku", (3, 3, 32, 64)),
        ("equinox", (64, 32, 3, 3)),
    ],
)
def test_a_conv_weight_in_each_frameworks_layout(name, shape):
    """Conv 32→64, 3×3: the weight each framework stores (MLX (out, *k, in); Flux (*k, in, out))."""
    layer = conv(32, 64, (3, 3))
    assert framework_fans(layer, FRAMEWORKS[name]) == (32 * 9, 64 * 9)
    from glorotcalc.frameworks import framework_shape

    assert framework_shape(layer, FRAMEWORKS[name]) == shape


def test_transposed_conv_fan_in_per_framework():
    """ConvTranspose 16→8, 3×3: fan_in counts the outputs (torch, Paddle, tinygrad, Flux, Haiku's
    weight) or the inputs (MLX (out, *k, in); Equinox stores it as a conv (out, in, *k))."""
    layer = conv(16, 8, (3, 3), transposed=True)
    fan_in = {name: framework_fans(layer, FRAMEWORKS[name])[0] for name in FRAMEWORKS}
    assert {name for name, n in fan_in.items() if n == 8 * 9} >= {"torch", "keras", "paddle", "flux", "haiku"}
    assert {name for name, n in fan_in.items() if n == 16 * 9} >= {"flax", "mlx", "equinox"}


# --- layer defaults, hand-derived ----------------------------------------------------------------


def std_of(name: str, layer) -> float:
    return default_stats(FRAMEWORKS[name], layer).std


def test_haiku_linear_realizes_0_88_over_sqrt_fan_in():
    """hk.Linear: TruncatedNormal(stddev=1/√784), uncorrected: std 0.8796/√784 = 0.031415."""
    stats = default_stats(FRAMEWORKS["haiku"], dense(784, 256))
    assert stats.std == approx(TRUNC / math.sqrt(784))
    assert stats.sampler_std == approx(1 / math.sqrt(784))
    assert round(stats.std, 4) == 0.0314  # the issue measured 0.03140


def test_haiku_transposed_conv_uses_the_input_channels():
    """hk.Conv2DTranspose(8, 3) on 16 channels: stddev 1/√(9·16) although the weight is (3, 3, 8, 16)."""
    stats = default_stats(FRAMEWORKS["haiku"], conv(16, 8, (3, 3), transposed=True))
    assert stats.sampler_std == approx(1 / math.sqrt(9 * 16))


def test_paddle_conv_default_is_he_normal_with_every_input_channel():
    """Conv2D(64, 128, 3): Normal(0, √(2/(9·64))); grouped: still all 64 input channels."""
    assert std_of("paddle", conv(64, 128, (3, 3))) == approx(math.sqrt(2 / (9 * 64)))
    assert std_of("paddle", conv(64, 128, (3, 3), groups=4)) == approx(math.sqrt(2 / (9 * 64)))
    stats = default_stats(FRAMEWORKS["paddle"], dense(784, 256))
    assert (stats.distribution, stats.bound) == ("uniform", approx(math.sqrt(6 / (784 + 256))))


def test_tinygrad_conv_uses_every_input_channel():
    """tinygrad Conv2d(64, 128, 3, groups=4): U(±1/√(64·9)), weight and bias."""
    layer = conv(64, 128, (3, 3), groups=4, bias=128)
    stats = default_stats(FRAMEWORKS["tinygrad"], layer)
    assert stats.bound == approx(1 / math.sqrt(64 * 9))
    assert default_bias(FRAMEWORKS["tinygrad"], layer) == f"U(±{1 / math.sqrt(64 * 9):.6g})"


def test_mlx_and_equinox_defaults():
    """MLX Linear U(±√(1/in)) with a U bias, conv bias zeros; Equinox U(±1/√(in/groups·∏k))."""
    assert default_stats(FRAMEWORKS["mlx"], dense(784, 256, bias=256)).bound == approx(1 / 28)
    assert default_bias(FRAMEWORKS["mlx"], dense(784, 256, bias=256)) == f"U(±{1 / 28:.6g})"
    assert default_bias(FRAMEWORKS["mlx"], conv(3, 64, (3, 3), bias=64)) == "zeros"
    assert default_stats(FRAMEWORKS["equinox"], conv(64, 128, (3, 3), groups=4)).bound == approx(
        1 / math.sqrt(16 * 9)
    )
    assert std_of("mlx", embedding(1000, 64)) == approx(1 / 8)  # N(0, 1/dims)


def test_cited_defaults():
    """MXNet Gluon U(±0.07) whatever the fans; Chainer LeCunNormal N(0, 1/fan_in); Flux
    glorot_uniform; TF.js glorotNormal truncated without the correction (0.8796·√(2/(fi+fo)))."""
    layer = dense(784, 256)
    assert std_of("mxnet", layer) == approx(0.07 / math.sqrt(3))
    assert std_of("mxnet", conv(3, 64, (7, 7))) == approx(0.07 / math.sqrt(3))
    assert std_of("chainer", layer) == approx(1 / math.sqrt(784))
    assert default_stats(FRAMEWORKS["chainer"], layer).distribution == "normal"
    assert std_of("flux", layer) == approx(math.sqrt(2 / 1040))
    tfjs = default_stats(FRAMEWORKS["tfjs"], layer)
    assert tfjs.sampler_std == approx(math.sqrt(2 / 1040))
    assert tfjs.std == approx(TRUNC * math.sqrt(2 / 1040))
    assert "caffe" not in LAYER_FRAMEWORKS  # weight_filler defaults to constant 0


# --- compare: the normal each framework draws --------------------------------------------------------


def normal_rows(cli, *argv: str) -> dict:
    document = run_json(cli, "compare", *argv, "--dist", "normal")
    (comparison,) = document["layers"][0]["comparisons"]
    return {row["framework"]: row for row in comparison["frameworks"]}


def test_every_framework_is_compared_by_default(cli):
    rows = normal_rows(cli, "784", "256", "--scheme", "lecun")
    assert list(rows) == list(FRAMEWORKS)


def test_uncorrected_truncation_in_keras_2_2_tfjs_and_tf1_contrib(cli):
    """LeCun normal on 784→256: Keras 3 σ = 1/(0.8796·28), realized 1/28; Keras 2.2 and TF.js
    σ = 1/28, realized 0.8796/28 (variance 0.7737×); TF1 contrib σ = √1.3/28, realized 1.0029/28."""
    rows = normal_rows(cli, "784", "256", "--scheme", "lecun")
    assert rows["keras"]["std"] == approx(1 / 28)
    for name in ("keras2.2", "tfjs"):
        assert rows[name]["param"] == approx(1 / 28)
        assert rows[name]["std"] == approx(TRUNC / 28)
        assert rows[name]["support"] == approx(2 / 28)
    assert rows["tf1-contrib"]["param"] == approx(math.sqrt(1.3) / 28)
    assert rows["tf1-contrib"]["std"] == approx(TRUNC * math.sqrt(1.3) / 28)
    assert rows["tfjs"]["initializer"] == "tf.initializers.leCunNormal({})"


def test_untruncated_normals(cli):
    """MXNet Xavier gaussian, Chainer, Caffe, Flux, MLX, Paddle draw N(0, Var) untruncated."""
    rows = normal_rows(cli, "784", "256", "--scheme", "he")
    for name in ("mxnet", "chainer", "caffe", "flux", "mlx", "paddle", "tinygrad"):
        assert (rows[name]["distribution"], rows[name]["std"]) == ("normal", approx(math.sqrt(2 / 784)))
    assert (
        rows["mxnet"]["initializer"] == 'mx.init.Xavier(rnd_type="gaussian", factor_type="in", magnitude=2.0)'
    )
    assert (
        rows["caffe"]["initializer"] == 'weight_filler.weight_filler { type: "msra" variance_norm: FAN_IN }'
    )
    assert rows["mlx"]["initializer"].endswith(f'he_normal()(a, mode="fan_in", gain={math.sqrt(2)!r})')
    assert rows["paddle"]["initializer"].endswith("KaimingNormal(nonlinearity='relu', mode='fan_in')")


def test_tinygrad_glorot_has_no_receptive_field_in_fan_out(cli):
    """Conv 32→64 3×3, glorot uniform: torch n = (288 + 576)/2; tinygrad n = (288 + 64)/2."""
    document = run_json(cli, "compare", "32-conv3x3:64", "--scheme", "glorot", "--dist", "uniform")
    rows = {row["framework"]: row for row in document["layers"][0]["comparisons"][0]["frameworks"]}
    assert rows["torch"]["n"] == (288 + 576) / 2
    assert rows["tinygrad"]["n"] == (288 + 64) / 2
    assert rows["tinygrad"]["param"] == approx(math.sqrt(6 / (288 + 64)))


def test_caffe_xavier_is_lecun_uniform(cli):
    """Caffe "xavier" is U(±√(3/fan_in)) by default: LeCun uniform; Glorot needs AVERAGE."""
    document = run_json(cli, "compare", "784", "256", "--scheme", "lecun", "--dist", "uniform")
    rows = {row["framework"]: row for row in document["layers"][0]["comparisons"][0]["frameworks"]}
    assert rows["caffe"]["initializer"].endswith('{ type: "xavier" variance_norm: FAN_IN }')
    assert rows["caffe"]["param"] == approx(math.sqrt(3 / 784))


def test_modes_a_framework_lacks_are_shown(cli):
    """Flux kaiming_* and tinygrad kaiming_* are fan_in only."""
    document = run_json(
        cli, "compare", "784", "256", "--scheme", "he", "--mode", "fan_out", "--dist", "uniform"
    )
    rows = {row["framework"]: row for row in document["layers"][0]["comparisons"][0]["frameworks"]}
    assert rows["flux"]["param"] is None and rows["flux"]["problem"].startswith("flux: ")
    assert rows["tinygrad"]["param"] is None
    assert rows["chainer"]["param"] == approx(math.sqrt(6 / 256))  # numbers written out


# --- emit: their own language, "not run" -----------------------------------------------------------


def emitted(cli, name: str, *argv: str) -> str:
    return run_json(cli, "emit", name, "784", "256", *argv)["code"]


def test_flux_is_julia(cli):
    code = emitted(cli, "flux", "--scheme", "glorot", "--dist", "uniform")
    assert code.splitlines()[:2] == ["# not run: written from FluxML/Flux.jl src/utils.jl", "using Flux"]
    assert "layer0 = Flux.glorot_uniform(256, 784; gain=1.0)" in code
    trunc = emitted(cli, "flux", "--scheme", "he", "--dist", "truncated")
    sigma = math.sqrt(2 / 784) / TRUNC
    assert f"Flux.truncated_normal(256, 784; std={sigma!r}, lo=-{2 * sigma!r}, hi={2 * sigma!r})" in trunc


def test_tfjs_is_javascript(cli):
    code = emitted(cli, "tfjs", "--scheme", "he", "--dist", "truncated")
    assert code.startswith("// not run: written from tensorflow/tfjs")
    # glorotcalc's truncated (realized √Var) is not TF.js's heNormal (0.8796·√Var): σ written out
    assert f"tf.initializers.truncatedNormal({{mean: 0, stddev: {math.sqrt(2 / 784) / TRUNC!r}}})" in code
    assert "const layer0 = layer0_init.apply([784, 256]);" in code
    named = run_json(
        cli, "emit", "tfjs", "784", "256", "--from", "tfjs", "--scheme", "he", "--dist", "normal"
    )
    assert "const layer0_init = tf.initializers.heNormal({});" in named["code"]


def test_caffe_is_prototxt(cli):
    code = emitted(cli, "caffe", "--scheme", "glorot", "--dist", "uniform")
    assert code.startswith("# not run: written from BVLC/caffe include/caffe/filler.hpp")
    assert 'weight_filler { type: "xavier" variance_norm: AVERAGE }' in code
    he = emitted(cli, "caffe", "--scheme", "he", "--dist", "uniform")
    bound = math.sqrt(6 / 784)
    assert f'weight_filler {{ type: "uniform" min: -{bound!r} max: {bound!r} }}' in he


def test_caffe_has_no_truncated_filler(cli):
    result = cli("emit", "caffe", "784", "256", "--scheme", "he", "--dist", "truncated")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: Caffe has no initializer that draws")
    assert result.stderr.count("\n") == 1


def test_mxnet_and_chainer_are_python_not_run(cli):
    mx = emitted(cli, "mxnet", "--scheme", "glorot", "--dist", "uniform")
    assert mx.startswith("# not run: written from apache/mxnet")
    assert 'mx.init.Xavier(rnd_type="uniform", factor_type="avg", magnitude=3.0)' in mx
    chainer = emitted(cli, "chainer", "--scheme", "he", "--dist", "normal", "--mode", "fan_out")
    assert f"chainer.initializers.HeNormal(scale={1.0!r}, fan_option='fan_out')" in chainer
    compile(mx, "mxnet", "exec")
    compile(chainer, "chainer", "exec")


def test_keras_2_2_and_tf1_contrib_write_their_own_names(cli):
    keras22 = run_json(
        cli, "emit", "keras2.2", "784", "256", "--from", "keras2.2", "--scheme", "he", "--dist", "normal"
    )
    assert "layer0_init = keras.initializers.he_normal()" in keras22["code"]
    contrib = run_json(
        cli,
        "emit",
        "tf1-contrib",
        "784",
        "256",
        "--from",
        "tf1-contrib",
        "--scheme",
        "he",
        "--dist",
        "normal",
    )
    assert "tf.contrib.layers.variance_scaling_initializer(factor=2.0, mode='FAN_IN')" in contrib["code"]
    # Keras 3's corrected he_normal in Keras 2.2: the σ is written out
    ported = run_json(
        cli, "emit", "keras2.2", "784", "256", "--from", "keras", "--scheme", "he", "--dist", "normal"
    )
    sigma = math.sqrt(2 / 784) / TRUNC
    assert f"keras.initializers.TruncatedNormal(stddev={sigma!r})" in ported["code"]


@pytest.mark.parametrize("name", [name for name in FRAMEWORKS if FRAMEWORKS[name].language == "python"])
def test_every_python_emit_compiles(cli, name):
    for dist in ("uniform", "normal"):
        code = emitted(cli, name, "--scheme", "he", "--dist", dist)
        compile(code, name, "exec")
