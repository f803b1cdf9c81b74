"""Peer tests: glorotcalc against the real Keras 3 (skipped, in one line, when keras is absent).

Keras is a test-time peer in its own venv (``tensorflow-cpu`` brings Keras 3 and ``tf.keras``; see
the README's "Live peers"). Confirmed on Keras 3.15.1 (TensorFlow 2.21 backend); the tests read
the installed library, not a copy of its rules.

- Fans: ``keras.src.initializers.random_initializers.compute_fans`` (Keras 3 has no public path
  for it) on shapes of rank 0 to 5, zero sizes included, against `framework_fans`,
  `small_shape_fans` and `resolve_layers(shape=…, framework=KERAS)`.
- Sampler parameters, caught from the call: every Keras initializer ends in one of
  ``random.uniform(shape, minval, maxval)``, ``random.normal(shape, mean, stddev)`` or
  ``random.truncated_normal(shape, mean, stddev)`` of ``keras.src.backend.random`` — the module
  ``random_initializers`` imports as ``random`` and looks the functions up in at call time. The
  `sampler_calls` fixture wraps those three there and records their bound arguments, so the
  numbers Keras computes (in Python floats) are compared with glorotcalc's to 1e-12, not samples.
- Draws: ≥ 10⁶ weights per initializer (fixed seed), see `tolerance`.
- Layer defaults: real ``keras.layers`` built on an input, their kernel and bias read back.
- Emit: the code ``glorotcalc emit keras …`` prints is executed.

Tolerance of a sample std: with n draws of a zero-mean variable of variance σ² and kurtosis
κ = μ₄/σ⁴, Var(s²) ≈ (μ₄ − σ⁴)/n = (κ − 1)σ⁴/n; by the delta method s = √(s²) has
Var(s) ≈ Var(s²)/(4σ²) = (κ − 1)σ²/(4n), so the relative SE of s is √((κ − 1)/(4n)). κ is 9/5 for a
uniform, 3 for a normal and, for a normal cut at ±c (c = 2, φ the density, m = erf(c/√2)),
κ = (3 − 2cφ(c)(c² + 3)/m) / (1 − 2cφ(c)/m)² = 2.3655 (`truncated_kurtosis`). We allow 4 SE:
for n = 10⁶ that is 0.18 % (uniform), 0.28 % (normal), 0.23 % (truncated). Weights are float32:
a support (bound or 2σ) is compared with relative slack 1e-6.
"""

from __future__ import annotations

import importlib
import inspect
import itertools
import json
import math
import random
import re

import numpy as np
import pytest

from glorotcalc.cli import main
from glorotcalc.compare import compare
from glorotcalc.convention import framework_lookup, init_lookup
from glorotcalc.errors import UsageError
from glorotcalc.frameworks import (
    FRAMEWORKS,
    default_bias,
    default_init,
    default_stats,
    framework_fans,
    framework_shape,
    layer_default,
    small_shape_fans,
)
from glorotcalc.initnames import parse_init
from glorotcalc.inputs import resolve_layers
from glorotcalc.layers import embedding, from_shape, packed_qkv

keras = pytest.importorskip("keras")

pytestmark = pytest.mark.keras

KERAS = FRAMEWORKS["keras"]
random_initializers = importlib.import_module("keras.src.initializers.random_initializers")
compute_fans = random_initializers.compute_fans
REL = 1e-12
SE_COUNT = 4
SLACK = 1e-6  # float32 weights against a float64 support
SAMPLERS = ("uniform", "normal", "truncated_normal")


def truncated_kurtosis(cut: float = 2.0) -> float:
    """μ₄/σ⁴ of N(0, 1) cut at ±cut (the docstring's formula)."""
    density = math.exp(-cut * cut / 2) / math.sqrt(2 * math.pi)
    mass = math.erf(cut / math.sqrt(2))
    second = 1 - 2 * cut * density / mass
    fourth = 3 - 2 * cut * density * (cut * cut + 3) / mass
    return fourth / second**2


KURTOSIS = {"uniform": 1.8, "normal": 3.0, "truncated": truncated_kurtosis()}


def tolerance(distribution: str, n: int) -> float:
    """4 SE of a sample std, relative: 4·√((κ − 1)/(4n))."""
    return SE_COUNT * math.sqrt((KURTOSIS[distribution] - 1) / (4 * n))


def approx(value: float) -> object:
    return pytest.approx(value, rel=REL, abs=0.0)


def to_numpy(tensor) -> np.ndarray:
    """A tensor or a layer's `keras.Variable` (its own ``numpy()``: NumPy 2 warns on
    ``np.array(tf.Variable)``) as float64."""
    if isinstance(tensor, keras.Variable):
        return np.asarray(tensor.numpy(), dtype=np.float64)
    return np.asarray(keras.ops.convert_to_numpy(tensor), dtype=np.float64)


def shape_text(shape: tuple[int, ...]) -> str:
    return "x".join(map(str, shape)) or "()"


def check_draw(weight: np.ndarray, result: dict) -> None:
    """`weight`'s std is `result`'s within 4 SE, and no |w| exceeds its support."""
    rel = tolerance(result["distribution"], weight.size)
    assert float(weight.std()) == pytest.approx(result["std"], rel=rel)
    if result["support"] is not None:
        assert float(np.abs(weight).max()) <= result["support"] * (1 + SLACK)


def check_call(call: tuple[str, dict], result: dict) -> None:
    """The sampler call Keras made draws `result`'s distribution (bound, or mean 0 and σ)."""
    name, arguments = call
    if result["distribution"] == "uniform":
        assert name == "uniform"
        assert (arguments["minval"], arguments["maxval"]) == (
            approx(-result["bound"]),
            approx(result["bound"]),
        )
    else:
        assert name == {"normal": "normal", "truncated": "truncated_normal"}[result["distribution"]]
        assert arguments["mean"] == 0.0
        assert arguments["stddev"] == approx(result["sampler_std"])


@pytest.fixture
def sampler_calls(monkeypatch):
    """(name, bound arguments) of every keras.src.backend.random.uniform / normal /
    truncated_normal call, wrapped in the module `random_initializers` reads them from."""
    calls: list[tuple[str, dict]] = []
    backend_random = random_initializers.random
    for name in SAMPLERS:
        original = getattr(backend_random, name)
        signature = inspect.signature(original)

        def recorder(*args, _name=name, _original=original, _signature=signature, **kwargs):
            bound = _signature.bind(*args, **kwargs)
            bound.apply_defaults()
            calls.append((_name, dict(bound.arguments)))
            return _original(*args, **kwargs)

        monkeypatch.setattr(backend_random, name, recorder)
    return calls


def run_json(cli, *argv: str) -> dict:
    result = cli(*argv, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def keras_shapes() -> list[tuple[int, ...]]:
    """Rank 0 to 5, zero sizes included: a fixed list and seeded random shapes."""
    shapes = [
        (),
        (0,),
        (1,),
        (7,),
        (1, 1),
        (784, 256),
        (256, 784),
        (0, 5),
        (5, 0),
        (0, 0),
        (3, 0, 4),
        (5, 32, 16),
        (3, 3, 64, 128),
        (3, 3, 0, 8),
        (1, 1, 1, 1),
        (2, 3, 4, 5, 6),
        (3, 3, 3, 8, 16),
        (0, 3, 3, 8, 16),
    ]
    rng = random.Random(20260601)
    shapes += [tuple(rng.randint(0, 9) for _ in range(rng.randint(0, 5))) for _ in range(80)]
    return shapes


SHAPES = keras_shapes()


# --- fans -----------------------------------------------------------------------------------------


def test_truncated_kurtosis_is_the_docstrings():
    assert truncated_kurtosis() == pytest.approx(2.3655, abs=5e-5)


@pytest.mark.parametrize("shape", SHAPES, ids=map(shape_text, SHAPES))
def test_fans_match_compute_fans(shape):
    """glorotcalc's Keras fans: `framework_fans` for rank ≥ 2 without zeros, `small_shape_fans`
    (rank 0 → (1, 1), rank 1 → (n, n), zeros kept) otherwise, and `--shape` resolves to the same."""
    expected = compute_fans(shape)
    if len(shape) >= 2 and 0 not in shape:
        assert framework_fans(from_shape(shape, "keras"), KERAS) == expected
    else:
        assert small_shape_fans(KERAS, shape, shape_text(shape)) == expected
    (layer,) = resolve_layers(shape=shape_text(shape), framework=KERAS)
    assert layer.shape == shape
    assert (layer.fan_in, layer.fan_out) == expected


def test_a_torch_weight_gets_the_fans_keras_computes_on_its_kernel():
    """A torch (out, in, *k) weight is re-laid as the Keras kernel (*k, in, out): same fans."""
    for shape in SHAPES:
        if len(shape) >= 2 and 0 not in shape:
            layer = from_shape(shape, "torch")
            kernel = framework_shape(layer, KERAS)
            assert kernel == (*shape[2:], shape[1], shape[0])
            assert framework_fans(layer, KERAS) == compute_fans(kernel)


# --- what the initializers pass to the sampler ------------------------------------------------------

NAMED = ["GlorotUniform", "GlorotNormal", "HeUniform", "HeNormal", "LecunUniform", "LecunNormal"]
SCALES = [0.1, 1.0, 2.0, 1 / 3, 5.5]
MODES = ["fan_in", "fan_out", "fan_avg"]
DISTRIBUTIONS = ["uniform", "truncated_normal", "untruncated_normal", "normal"]  # normal: truncated
VARIANCE_SCALING = [
    f'keras.initializers.VarianceScaling(scale={scale!r}, mode="{mode}", distribution="{dist}")'
    for scale, mode, dist in itertools.product(SCALES, MODES, DISTRIBUTIONS)
]
INITIALIZERS = [
    *(f"keras.initializers.{name}()" for name in NAMED),
    *(f"keras.initializers.{re.sub(r'(?<!^)(?=[A-Z])', '_', name).lower()}()" for name in NAMED),
    *VARIANCE_SCALING,
]


def make(text: str):
    """The Keras initializer `text` names (our own test strings)."""
    return eval(text, {"keras": keras})


@pytest.mark.parametrize("text", INITIALIZERS)
def test_sampler_parameters_match(sampler_calls, text):
    """On every shape, the initializer's one sampler call has the bound / σ `--init` reports."""
    initializer = make(text)
    spec = parse_init(text)
    for shape in SHAPES:
        sampler_calls.clear()
        initializer(shape=shape)
        layers = resolve_layers(shape=shape_text(shape), framework=KERAS)
        report = init_lookup(layers, spec)
        ((result,),) = [layer["results"] for layer in report.document["layers"]]
        (call,) = sampler_calls
        check_call(call, result)
        name, arguments = call
        assert report.rows[0]["param"] == approx(arguments["maxval" if name == "uniform" else "stddev"])
        assert tuple(arguments["shape"]) == shape


CLI_CASES = [
    ("--shape", "3x3x64x128", "--init", "he_normal"),
    ("--shape", "784x256", "--init", "GlorotUniform"),
    ("--shape", "5", "--init", "LecunNormal()"),
    ("--shape", "()", "--init", "keras.initializers.HeUniform()"),
    ("--shape", "0x5", "--init", "VarianceScaling(2.0, 'fan_avg', 'untruncated_normal')"),
    ("--shape", "3x0x4", "--init", "keras.initializers.VarianceScaling(0.5, mode='fan_out')"),
]


@pytest.mark.parametrize("argv", CLI_CASES, ids=[" ".join(c) for c in CLI_CASES])
def test_cli_value_is_the_sampler_parameter(sampler_calls, capsys, argv):
    """``glorotcalc --shape S --framework keras --init NAME --value`` prints the maxval / stddev
    Keras passes to its sampler."""
    assert main([*argv, "--framework", "keras", "--value"]) == 0
    value = float(capsys.readouterr().out)
    spec = parse_init(argv[3], "keras")
    shape = resolve_layers(shape=argv[1], framework=KERAS)[0].shape
    make(spec.call)(shape=shape)
    ((name, arguments),) = sampler_calls
    assert value == approx(arguments["maxval" if name == "uniform" else "stddev"])


FRAMEWORK_CASES = [
    ("784", "256"),
    ("784", "256", "--act", "tanh"),
    ("784", "256", "--act", "leaky_relu:0.2", "--mode", "fan_out"),
    ("784", "256", "--act", "selu"),
    ("784", "256", "--gain", "0.5"),
    ("784", "256", "--mode", "fan_avg"),
    ("--shape", "3x3x64x128", "--act", "relu"),
    ("--shape", "5"),
    ("--shape", "0x5"),
    ("--shape", "()"),
    ("16-convt3x3:8@relu",),
    ("64-dwconv3x3:128",),
    ("64-conv3x3:128/4",),
    ("1-conv5x5:32-conv5x5:64-flatten:7x7-1024-10",),
]


@pytest.mark.parametrize("argv", FRAMEWORK_CASES, ids=[" ".join(c) for c in FRAMEWORK_CASES])
def test_framework_keras_rows_are_keras_calls(sampler_calls, cli, argv):
    """``--framework keras``: every row's initializer, run on the row's weight shape, makes the
    sampler call with the row's bound / σ (named initializers and written-out numbers alike)."""
    document = run_json(cli, *argv, "--framework", "keras", "--dist", "uniform,normal,truncated")
    for layer in document["layers"]:
        for result in layer["results"]:
            sampler_calls.clear()
            make(result["initializer"])(shape=tuple(layer["shape"]))
            (call,) = sampler_calls
            check_call(call, result)


def test_framework_lookup_param_is_the_sampler_parameter(sampler_calls):
    """The Python API: `framework_lookup(...).rows[i]["param"]` is Keras's maxval / stddev."""
    layers = resolve_layers(["784-256"], framework=KERAS)
    report = framework_lookup(layers, KERAS, distributions=("uniform", "normal"))
    for row, result in zip(report.rows, report.document["layers"][0]["results"], strict=True):
        sampler_calls.clear()
        make(result["initializer"])(shape=(784, 256))
        ((name, arguments),) = sampler_calls
        assert row["param"] == approx(arguments["maxval" if name == "uniform" else "stddev"])


COMPARE_INPUTS = [["784", "256"], ["64-convt3x3:32@relu"], ["64-dwconv3x3:128"], ["64-conv3x3:128/4@tanh"]]


@pytest.mark.parametrize("inputs", COMPARE_INPUTS, ids=[" ".join(i) for i in COMPARE_INPUTS])
def test_compare_keras_rows_are_keras_calls(sampler_calls, inputs):
    """`compare`: the Keras row's initializer, run on the Keras kernel of the layer, passes the
    row's param (bound / σ) to the sampler, for every scheme and distribution."""
    layers = resolve_layers(inputs)
    report = compare(
        layers, schemes=("glorot", "he", "lecun"), distributions=("uniform", "normal", "truncated")
    )
    rows = [row for row in report.rows if row["framework"] == "keras"]
    assert len(rows) == 9
    (layer,) = layers
    for row in rows:
        sampler_calls.clear()
        make(row["initializer"])(shape=framework_shape(layer, KERAS))
        ((name, arguments),) = sampler_calls
        assert row["param"] == approx(arguments["maxval" if name == "uniform" else "stddev"])


def test_both_refuse_what_keras_refuses():
    """fan_geo_avg, a scale ≤ 0 and an unknown distribution: Keras raises, glorotcalc refuses."""
    for bad in (
        'keras.initializers.VarianceScaling(1.0, "fan_geo_avg")',
        "keras.initializers.VarianceScaling(0.0)",
        "keras.initializers.VarianceScaling(-1.0)",
        'keras.initializers.VarianceScaling(1.0, "fan_in", "laplace")',
        'keras.initializers.VarianceScaling(1.0, "FAN_IN")',
    ):
        with pytest.raises(ValueError):
            make(bad)
        with pytest.raises(UsageError):
            parse_init(bad)
    with pytest.raises(UsageError):
        framework_lookup(resolve_layers(["784", "256"], framework=KERAS, mode="fan_geo_avg"), KERAS)


def test_distribution_names_are_lower_cased_as_keras_does(sampler_calls):
    text = 'keras.initializers.VarianceScaling(2.0, "fan_in", "Uniform")'
    make(text)(shape=(10, 20))
    ((name, arguments),) = sampler_calls
    assert name == "uniform"
    assert arguments["maxval"] == approx(parse_init(text).gain * math.sqrt(3 / 10))


def test_tf_keras_is_keras_3():
    """``tf.keras`` (TensorFlow ≥ 2.16) is Keras 3: glorotcalc's tf.keras.initializers.* prefix."""
    tf = pytest.importorskip("tensorflow")
    assert tf.keras.initializers.HeNormal is keras.initializers.HeNormal
    assert parse_init("tf.keras.initializers.HeNormal()") == parse_init("keras.initializers.HeNormal()")


# --- draws ------------------------------------------------------------------------------------------

DRAW_SHAPES = [(1024, 1024), (3, 3, 384, 384), (5, 256, 800)]
DRAWN = [
    *(f"keras.initializers.{name}(seed={i})" for i, name in enumerate(NAMED)),
    *(
        f'keras.initializers.VarianceScaling(scale=2.0, mode="{mode}", distribution="{dist}", seed={i})'
        for i, (mode, dist) in enumerate(itertools.product(MODES, DISTRIBUTIONS[:3]))
    ),
]


@pytest.mark.parametrize("text", DRAWN)
def test_drawn_weights_have_our_std(text):
    """≥ 10⁶ weights: std within 4 SE of glorotcalc's, max |w| within its support."""
    shape = DRAW_SHAPES[DRAWN.index(text) % len(DRAW_SHAPES)]
    weight = to_numpy(make(text)(shape=shape))
    assert weight.size >= 10**6
    report = init_lookup(resolve_layers(shape=shape_text(shape), framework=KERAS), parse_init(text))
    (result,) = report.document["layers"][0]["results"]
    check_draw(weight, result)


# --- layer defaults ---------------------------------------------------------------------------------


def spatial_input(layer, size: int = 9) -> tuple:
    """An input shape (batch, *spatial, channels) for a conv-like glorotcalc `layer`."""
    return (None, *(max(size, 2 * k + 1) for k in layer.kernel), layer.in_channels)


LAYERS = [
    ("Dense(1024) on 784", "784-1024", lambda L: L.Dense(1024), "kernel_initializer"),
    ("Conv1D(256, 5) on 128", "128-conv5:256", lambda L: L.Conv1D(256, 5), "kernel_initializer"),
    ("Conv2D(256, 3) on 128", "128-conv3x3:256", lambda L: L.Conv2D(256, 3), "kernel_initializer"),
    ("Conv3D(128, 3) on 64", "64-conv3x3x3:128", lambda L: L.Conv3D(128, 3), "kernel_initializer"),
    (
        "Conv2D(256, 3, groups=4) on 128",
        "128-conv3x3:256/4",
        lambda L: L.Conv2D(256, 3, groups=4),
        "kernel_initializer",
    ),
    (
        "Conv2DTranspose(64, 3) on 128",
        "128-convt3x3:64",
        lambda L: L.Conv2DTranspose(64, 3),
        "kernel_initializer",
    ),
    (
        "DepthwiseConv2D(5, depth_multiplier=8) on 512",
        "512-dwconv5x5:4096",
        lambda L: L.DepthwiseConv2D(5, depth_multiplier=8),
        "depthwise_initializer",
    ),
    (
        "DepthwiseConv2D(3) on 256",
        "256-dwconv3x3",
        lambda L: L.DepthwiseConv2D(3),
        "depthwise_initializer",
    ),
]


@pytest.mark.parametrize(("label", "arch", "build", "attribute"), LAYERS, ids=[c[0] for c in LAYERS])
def test_layer_defaults_match_keras_layers(sampler_calls, label, arch, build, attribute):
    """The kernel Keras builds: glorotcalc's shape and fans, its default initializer's exact bound
    (caught from the call), a std within 4 SE; the bias glorotcalc calls zeros is zeros."""
    keras.utils.set_random_seed(0)
    (ours,) = resolve_layers([arch], framework=KERAS)
    layer = build(keras.layers)
    layer.build(spatial_input(ours) if ours.kernel else (None, ours.in_channels))
    kernel = to_numpy(layer.kernel)
    assert tuple(kernel.shape) == framework_shape(ours, KERAS)
    assert framework_fans(ours, KERAS) == compute_fans(kernel.shape)
    assert type(getattr(layer, attribute)) is type(keras.initializers.get(default_init(KERAS, ours)))
    stats = default_stats(KERAS, ours)
    kernel_call, *bias_calls = sampler_calls
    assert kernel_call[0] == "uniform" and kernel_call[1]["maxval"] == approx(stats.bound)
    assert not bias_calls
    check_draw(kernel, {"distribution": stats.distribution, "std": stats.std, "support": stats.support})
    assert default_bias(KERAS, ours) == "zeros"
    bias = to_numpy(layer.bias)
    assert bias.shape == (ours.out_channels,) and not bias.any()


def test_embedding_default_matches(sampler_calls):
    """Embedding: RandomUniform(±0.05) ("uniform"), no bias."""
    keras.utils.set_random_seed(0)
    layer = keras.layers.Embedding(4000, 256)
    layer.build()
    ours = embedding(4000, 256, "keras")
    table = to_numpy(layer.embeddings)
    assert table.shape == framework_shape(ours, KERAS)
    stats = default_stats(KERAS, ours)
    ((name, arguments),) = sampler_calls
    assert name == "uniform" and (arguments["minval"], arguments["maxval"]) == (
        approx(-stats.bound),
        approx(stats.bound),
    )
    check_draw(table, {"distribution": stats.distribution, "std": stats.std, "support": stats.support})
    assert default_bias(KERAS, ours) == "none" and len(layer.weights) == 1
    assert layer_default(KERAS, ours).layer == type(layer).__name__


@pytest.mark.parametrize(("embed_dim", "heads"), [(256, 8), (64, 4), (96, 1)])
def test_attention_default_matches_multi_head_attention(sampler_calls, embed_dim, heads):
    """glorotcalc's packed q/k/v row (torch's (3E, E) in_proj) against MultiHeadAttention with
    torch's split, key_dim = E/H: Keras draws q, k and v as three EinsumDense kernels (E, H, E/H),
    whose glorot_uniform gets input_axes/output_axes, so fans (E, E) each — the exact bound, and
    a std within 4 SE over the three kernels; biases zeros."""
    keras.utils.set_random_seed(0)
    layer = keras.layers.MultiHeadAttention(num_heads=heads, key_dim=embed_dim // heads)
    x = np.zeros((1, 3, embed_dim), np.float32)
    layer(x, x)
    ours = packed_qkv(embed_dim, "keras")
    stats = default_stats(KERAS, ours)
    qkv_calls = sampler_calls[:3]
    assert [(name, arguments["maxval"]) for name, arguments in qkv_calls] == [
        ("uniform", approx(stats.bound))
    ] * 3
    dense = (layer.query_dense, layer.key_dense, layer.value_dense)
    assert [tuple(d.kernel.shape) for d in dense] == [(embed_dim, heads, embed_dim // heads)] * 3
    kernels = np.concatenate([to_numpy(d.kernel).ravel() for d in dense])
    check_draw(kernels, {"distribution": stats.distribution, "std": stats.std, "support": stats.support})
    assert default_bias(KERAS, ours) == "zeros" and not any(to_numpy(d.bias).any() for d in dense)


def test_defaults_command_rows_are_what_keras_layers_draw(sampler_calls, cli):
    """``glorotcalc defaults ARCH --framework keras``: each row's bound is the maxval the real
    layer's initializer passed, its bias zeros."""
    arch = "3-conv3x3:64-dwconv3x3-conv3x3:128/4-convt3x3:32-flatten:7x7-10"
    document = run_json(cli, "defaults", arch, "--framework", "keras")
    layers = resolve_layers([arch], framework=KERAS)
    built = {
        "conv": lambda g: keras.layers.Conv2D(g.out_channels, g.kernel, groups=g.groups),
        "depthwise": lambda g: keras.layers.DepthwiseConv2D(
            g.kernel, depth_multiplier=g.out_channels // g.in_channels
        ),
        "conv_transpose": lambda g: keras.layers.Conv2DTranspose(g.out_channels, g.kernel),
        "dense": lambda g: keras.layers.Dense(g.out_channels),
    }
    for ours, record in zip(layers, document["layers"], strict=True):
        (row,) = record["defaults"]
        sampler_calls.clear()
        layer = built[ours.kind](ours)
        layer.build(spatial_input(ours) if ours.kernel else (None, ours.in_channels))
        ((name, arguments),) = sampler_calls
        assert name == "uniform" and row["param"] == approx(arguments["maxval"]), ours.name
        assert row["bias"] == "zeros" and not to_numpy(layer.bias).any()


# --- emit keras, executed ---------------------------------------------------------------------------

EMIT_INPUTS = [
    ("784", "256"),
    ("--shape", "3x3x64x128"),
    ("64-conv3x3:128@relu-dwconv3x3:256-conv3x3:256/4-convt3x3:64-flatten:4x4-1000",),
]
PAIRS = [("he", "uniform"), ("glorot", "normal"), ("lecun", "truncated")]  # each distribution once
EMIT_SOURCES = [(), ("--from", "keras"), ("--from", "jax"), ("--from", "torch")]


def execute(code: str) -> dict:
    namespace: dict = {}
    exec(compile(code, "<emitted>", "exec"), namespace)
    return namespace


def hint_layers(code: str, namespace: dict) -> list:
    """The layer calls the code names in its comments (``# keras.layers.Dense(…)``), evaluated."""
    return [eval(line[2:], namespace) for line in code.splitlines() if line.startswith("# keras.layers.")]


@pytest.mark.parametrize("source", EMIT_SOURCES, ids=["neutral", "keras", "jax", "torch"])
@pytest.mark.parametrize("inputs", EMIT_INPUTS, ids=["fans", "shape", "arch"])
def test_emitted_keras_tensors(sampler_calls, cli, source, inputs):
    """Tensor form: each statement runs in Keras, passes the printed bound / σ to the sampler, and
    the named layer call holds a kernel of the tensor's shape."""
    for scheme in ("glorot", "he", "lecun"):
        for dist in ("uniform", "normal", "truncated"):
            document = run_json(cli, "emit", "keras", *inputs, *source, "--scheme", scheme, "--dist", dist)
            assert document["form"] == "tensors"
            sampler_calls.clear()
            namespace = execute(document["code"])
            calls = list(sampler_calls)
            assert len(calls) == len(document["layers"])
            for call, layer in zip(calls, document["layers"], strict=True):
                assert tuple(to_numpy(namespace[layer["variable"]]).shape) == tuple(layer["shape"])
                check_call(call, layer["result"])
            built = hint_layers(document["code"], namespace)
            if inputs[0] == "--shape":  # a bare weight: no layer call is named
                assert not built
                continue
            layers = resolve_layers(list(inputs))
            for layer, ours, record in zip(built, layers, document["layers"], strict=True):
                layer.build(spatial_input(ours) if ours.kernel else (None, ours.in_channels))
                assert tuple(layer.weights[0].shape) == tuple(record["shape"])


@pytest.mark.parametrize("arch", ["16-convt3x3:8/2", "8-dwconv3x3x3"])
def test_every_named_layer_call_holds_the_weight(cli, arch):
    """Each layer call a comment names is a Keras layer whose kernel has the emitted shape (no
    comment at all is also right: Keras has no such layer)."""
    document = run_json(cli, "emit", "keras", arch, "--scheme", "he", "--dist", "uniform")
    namespace = execute(document["code"])
    hints = [line[2:] for line in document["code"].splitlines() if line.startswith("# keras.layers.")]
    for hint, ours, record in zip(hints, resolve_layers([arch]), document["layers"], strict=False):
        layer = eval(hint, namespace)
        layer.build(spatial_input(ours))
        assert tuple(layer.weights[0].shape) == tuple(record["shape"])


@pytest.mark.parametrize("shape", ["3x3x64x128", "3x0x4"])
def test_emit_with_a_keras_init_reads_the_shape_as_the_main_command_does(sampler_calls, cli, shape):
    """``emit keras --shape S --init HeUniform()`` draws what ``--shape S --init HeUniform()``
    reports, on the same Keras kernel."""
    document = run_json(cli, "emit", "keras", "--shape", shape, "--init", "HeUniform()")
    (looked_up,) = run_json(cli, "--shape", shape, "--init", "HeUniform()")["layers"]
    (layer,) = document["layers"]
    assert layer["shape"] == looked_up["shape"]
    execute(document["code"])
    check_call(sampler_calls[0], looked_up["results"][0])


OTHER_EMITS = [
    ("--shape", "7", "--from", "keras", "--scheme", "he", "--dist", "uniform"),
    ("--shape", "()", "--from", "keras", "--scheme", "glorot", "--dist", "normal"),
    ("--shape", "0x5", "--from", "keras", "--scheme", "lecun", "--dist", "truncated"),
    ("--shape", "3x0x4", "--from", "keras", "--scheme", "glorot", "--dist", "uniform"),
    ("784", "256", "--init", "kaiming_uniform_(a=√5)"),
    ("784", "256", "--init", "HeNormal()"),
    ("784", "256", "--init", "keras.initializers.VarianceScaling(2.0, 'fan_avg', 'untruncated_normal')"),
    ("784", "256", "--init", "jax.nn.initializers.variance_scaling(2.0, 'fan_geo_avg', 'uniform')"),
    ("784", "256", "--init", "jax.nn.initializers.variance_scaling(2.0, 'fan_in', 'normal')"),
]


@pytest.mark.parametrize("argv", OTHER_EMITS, ids=[" ".join(a) for a in OTHER_EMITS])
def test_emitted_keras_other_sources(sampler_calls, cli, argv):
    """Keras's own small shapes (rank < 2, zero sizes: n = max(1, fan)) and ``--init`` sources of
    every framework: the code runs and passes the printed bound / σ to the sampler."""
    document = run_json(cli, "emit", "keras", *argv)
    namespace = execute(document["code"])
    for call, layer in zip(sampler_calls, document["layers"], strict=True):
        assert tuple(to_numpy(namespace[layer["variable"]]).shape) == tuple(layer["shape"])
        check_call(call, layer["result"])


@pytest.mark.parametrize(("scheme", "dist"), PAIRS)
def test_emitted_keras_draws_have_the_printed_std(cli, scheme, dist):
    """784×256 and a 3×3×384×384 kernel (≥ 2·10⁵ weights each): std within 4 SE, |w| ≤ support."""
    keras.utils.set_random_seed(0)
    for inputs in (("784", "256"), ("--shape", "3x3x384x384")):
        document = run_json(cli, "emit", "keras", *inputs, "--scheme", scheme, "--dist", dist)
        namespace = execute(document["code"])
        for layer in document["layers"]:
            check_draw(to_numpy(namespace[layer["variable"]]), layer["result"])


PRINTOUT = """Sequential(
  (0): Conv2d(64, 128, kernel_size=(3, 3), stride=(1, 1))
  (1): ReLU()
  (2): Conv1d(32, 64, kernel_size=(5,), stride=(1,), groups=4)
  (7): Conv2d(32, 32, kernel_size=(3, 3), stride=(1, 1), groups=32)
  (3): Conv3d(16, 32, kernel_size=(3, 3, 3), stride=(1, 1, 1))
  (4): ConvTranspose2d(128, 64, kernel_size=(3, 3), stride=(1, 1))
  (5): Linear(in_features=1024, out_features=512, bias=True)
  (6): Embedding(1000, 64)
)
"""


@pytest.mark.parametrize(("scheme", "dist"), PAIRS)
@pytest.mark.parametrize("source", [(), ("--from", "torch")], ids=["neutral", "torch"])
def test_emitted_keras_model_form(sampler_calls, cli, tmp_path, source, scheme, dist):
    """A torch printout → ``kernel_initializers`` by module path; each layer call in the comments
    runs with its entry and draws the printed parameters and std into a kernel of the printed
    shape; biases stay zeros."""
    keras.utils.set_random_seed(0)
    path = tmp_path / "model.txt"
    path.write_text(PRINTOUT)
    document = run_json(cli, "emit", "keras", str(path), *source, "--scheme", scheme, "--dist", dist)
    assert document["form"] == "model"
    namespace = execute(document["code"])
    assert set(namespace["kernel_initializers"]) == {layer["name"] for layer in document["layers"]}
    layers = resolve_layers([str(path)])
    sampler_calls.clear()
    built = hint_layers(document["code"], namespace)
    assert len(built) == len(layers)
    for layer, ours, record in zip(built, layers, document["layers"], strict=True):
        sampler_calls.clear()
        if ours.kind == "embedding":
            layer.build()
        else:
            layer.build(spatial_input(ours) if ours.kernel else (None, ours.in_channels))
        weight = to_numpy(layer.weights[0])
        assert tuple(weight.shape) == tuple(record["shape"])
        check_call(sampler_calls[0], record["result"])
        check_draw(weight, record["result"])
        if len(layer.weights) > 1:
            assert not to_numpy(layer.weights[1]).any()
