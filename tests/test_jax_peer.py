"""Peer tests: glorotcalc against the real jax.nn.initializers and flax.linen (skipped, in one
line, when jax or flax is absent: they are installed together).

JAX and Flax are test-time peers in their own venv (see the README's "Live peers"). Confirmed on
JAX 0.10.2 and Flax 0.12.8; the tests read the installed libraries, not a copy of their rules.

- Fans: ``jax._src.nn.initializers._compute_fans`` (JAX has no public path for it) on many
  shapes and every in_axis/out_axis/batch_axis, against `axis_fans` and `framework_fans`.
- Sampler parameters, caught from the call: JAX's initializers draw a standard sample —
  ``random.uniform(key, shape, dtype, -1)``, ``random.normal(key, shape, dtype)`` or
  ``random.truncated_normal(key, -2, 2, shape, dtype)`` of ``jax._src.random``, the module
  ``jax/_src/nn/initializers.py`` imports as ``random`` — and multiply it by the bound or σ. The
  `sampler_calls` fixture wraps those three there, records their bound arguments and returns
  ones, so the initializer returns its multiplier itself. In float64 (``jax.enable_x64``) the
  range × multiplier is compared with glorotcalc's bound / σ to 1e-12, not samples.
- Draws: ≥ 10⁶ weights per initializer (fixed key, float32), see `tolerance`.
- Flax layer defaults: real ``flax.linen`` modules initialized with a PRNG key, kernel and bias
  read from the params.
- Emit: the code ``glorotcalc emit jax|flax …`` prints is executed.

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

import numpy as np
import pytest

from glorotcalc.cli import main
from glorotcalc.compare import compare
from glorotcalc.convention import framework_lookup, init_lookup
from glorotcalc.errors import UsageError
from glorotcalc.frameworks import (
    FRAMEWORKS,
    axis_fans,
    default_bias,
    default_stats,
    framework_fans,
    framework_shape,
)
from glorotcalc.initnames import parse_init
from glorotcalc.inputs import resolve_layers
from glorotcalc.layers import embedding, from_shape, packed_qkv

jax = pytest.importorskip("jax")
flax = pytest.importorskip("flax")  # installed with jax; either absent: one skip line
linen = importlib.import_module("flax.linen")

pytestmark = pytest.mark.jax

jnp = jax.numpy
JAX, FLAX = FRAMEWORKS["jax"], FRAMEWORKS["flax"]
jax_initializers = importlib.import_module("jax._src.nn.initializers")
compute_fans = jax_initializers._compute_fans
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


def shape_text(shape: tuple[int, ...]) -> str:
    return "x".join(map(str, shape)) or "()"


def check_draw(weight, result: dict) -> None:
    """`weight`'s std is `result`'s within 4 SE, and no |w| exceeds its support."""
    weight = np.asarray(weight, dtype=np.float64)
    rel = tolerance(result["distribution"], weight.size)
    assert float(weight.std()) == pytest.approx(result["std"], rel=rel)
    if result["support"] is not None:
        assert float(np.abs(weight).max()) <= result["support"] * (1 + SLACK)


def code_names() -> dict:
    """What emitted or printed initializer code refers to: jax, jnp and flax."""
    return {"jax": jax, "jnp": jnp, "flax": flax}


@pytest.fixture
def x64():
    with jax.enable_x64(True):
        yield


@pytest.fixture
def sampler_calls(monkeypatch, x64):
    """(name, bound arguments) of every uniform / normal / truncated_normal call, in
    jax._src.random (the initializers') and jax.random (emitted code's); each returns ones, so an
    initializer returns the multiplier it applies (float64)."""
    calls: list[tuple[str, dict]] = []
    for name in SAMPLERS:
        signature = inspect.signature(getattr(jax_initializers.random, name))

        def recorder(*args, _name=name, _signature=signature, **kwargs):
            bound = _signature.bind(*args, **kwargs)
            bound.apply_defaults()
            calls.append((_name, dict(bound.arguments)))
            arguments = bound.arguments
            return jnp.ones(arguments["shape"], arguments["dtype"] or jnp.float32)

        monkeypatch.setattr(jax_initializers.random, name, recorder)
        monkeypatch.setattr(jax.random, name, recorder)  # the public name emitted code calls
    return calls


def drawn(call: tuple[str, dict], multiplier) -> tuple[str, float, float]:
    """What an initializer drew, from its one sampler call and the multiplier it returned:
    ("uniform", low, high), ("normal", σ, ∞) or ("truncated", σ, the cut |w| ≤ cut)."""
    name, arguments = call
    values = np.unique(np.asarray(multiplier, dtype=np.float64))
    assert values.size <= 1, values  # one constant: the sample (ones) times the multiplier
    m = float(values[0]) if values.size else math.nan
    if name == "uniform":
        return "uniform", float(arguments["minval"]) * m, float(arguments["maxval"]) * m
    if name == "normal":
        return "normal", m, math.inf
    assert float(arguments["lower"]) == -float(arguments["upper"])
    return "truncated", m, float(arguments["upper"]) * m


def check_drawn(call, multiplier, result: dict) -> None:
    """The sampler range × multiplier is `result`'s distribution: U(±bound), N(0, σ²), or
    N(0, σ²) cut at ±2σ = its support."""
    kind, first, second = drawn(call, multiplier)
    assert kind == result["distribution"]
    if kind == "uniform":
        assert (first, second) == (approx(-result["bound"]), approx(result["bound"]))
    else:
        assert first == approx(result["sampler_std"])
        if kind == "truncated":
            assert second == approx(result["support"])


def run_json(cli, *argv: str) -> dict:
    result = cli(*argv, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


# --- fans -----------------------------------------------------------------------------------------


def jax_shapes() -> list[tuple[int, ...]]:
    shapes = [(784, 256), (256, 784), (1, 1), (3, 3, 64, 128), (5, 32, 16), (2, 3, 4, 5, 6), (4, 6)]
    rng = random.Random(20260601)
    shapes += [tuple(rng.randint(1, 9) for _ in range(rng.randint(2, 5))) for _ in range(40)]
    return shapes


SHAPES = jax_shapes()


def axis_choices(rank: int):
    """Every (in_axis, out_axis, batch_axis), negative and positive, batch () or one or two axes."""
    axes = range(-rank, rank)
    batches = [(), *((a,) for a in axes), *itertools.combinations(range(rank), 2)]
    return itertools.product(axes, axes, batches)


def test_truncated_kurtosis_is_the_docstrings():
    assert truncated_kurtosis() == pytest.approx(2.3655, abs=5e-5)


@pytest.mark.parametrize("shape", SHAPES, ids=map(shape_text, SHAPES))
def test_default_axes_fans_match(shape):
    """in_axis=-2, out_axis=-1: `framework_fans` of the (*k, in, out) weight, and `axis_fans`."""
    expected = compute_fans(shape)
    assert framework_fans(from_shape(shape, "jax"), JAX) == approx_pair(expected)
    assert axis_fans(shape, -2, -1, ()) == approx_pair(expected)
    torch_layer = from_shape((shape[-1], shape[-2], *shape[:-2]), "torch")
    assert framework_shape(torch_layer, JAX) == shape
    assert framework_fans(torch_layer, FLAX) == approx_pair(expected)


def approx_pair(pair) -> object:
    return pytest.approx(tuple(pair), rel=REL, abs=0.0)


@pytest.mark.parametrize("shape", SHAPES[:20], ids=map(shape_text, SHAPES[:20]))
def test_axis_fans_match_or_refuse(shape):
    """Every axis choice: glorotcalc's fans are JAX's, or — where JAX's are not whole numbers (a
    batch axis that is also the in or out axis) — glorotcalc refuses instead of rounding them."""
    for in_axis, out_axis, batch_axis in axis_choices(len(shape)):
        fans = compute_fans(shape, in_axis, out_axis, batch_axis)
        if all(abs(f - round(f)) <= 1e-9 * max(1.0, f) for f in fans):
            assert axis_fans(shape, in_axis, out_axis, batch_axis) == approx_pair(fans)
        else:
            with pytest.raises(UsageError, match="not whole numbers"):
                axis_fans(shape, in_axis, out_axis, batch_axis)


@pytest.mark.parametrize("shape", [(0, 5), (5, 0), (3, 0, 4), (0, 3, 4), (3, 3, 0, 8)])
def test_zero_sizes_are_refused_by_both(shape):
    """JAX divides by a zero fan (ZeroDivisionError); glorotcalc refuses the shape."""
    with pytest.raises(ZeroDivisionError):
        jax.nn.initializers.lecun_normal()(jax.random.key(0), shape, jnp.float32)
    with pytest.raises(UsageError, match="zero"):
        resolve_layers(shape=shape_text(shape), framework=JAX)


@pytest.mark.parametrize("shape", [(), (7,)])
def test_rank_below_two_with_default_axes_is_refused_by_both(shape):
    with pytest.raises(ValueError, match="at least 2D"):
        compute_fans(shape)
    with pytest.raises(UsageError, match="fewer than 2 dimensions"):
        resolve_layers(shape=shape_text(shape), framework=JAX)


# --- what the initializers pass to the sampler ------------------------------------------------------

NAMED = [
    f"{scheme}_{dist}"
    for scheme in ("glorot", "he", "lecun", "xavier", "kaiming")
    for dist in ("uniform", "normal")
]
MODES = ["fan_in", "fan_out", "fan_avg", "fan_geo_avg"]
DISTRIBUTIONS = ["uniform", "normal", "truncated_normal"]  # normal: untruncated in JAX
SCALES = [0.1, 1.0, 2.0, 1 / 3, 5.5]
AXES = [
    "",
    ", in_axis=-2, out_axis=-1",
    ", in_axis=1, out_axis=0",
    ", in_axis=0, out_axis=-1, batch_axis=(1,)",
]
INITIALIZERS = [
    *(f"jax.nn.initializers.{name}()" for name in NAMED),
    *(f"jax.nn.initializers.{name}(in_axis=0, out_axis=1)" for name in NAMED[:6]),
    *(
        f'jax.nn.initializers.variance_scaling({scale!r}, "{mode}", "{dist}"{axes})'
        for scale, mode, dist, axes in itertools.product(SCALES, MODES, DISTRIBUTIONS, AXES)
    ),
]
PARAM_SHAPES = [(784, 256), (256, 784), (1, 1), (3, 3, 64, 128), (5, 32, 16), (4, 6, 7), (2, 3, 4, 5, 6)]


def make(text: str):
    """The JAX initializer `text` names (our own test strings)."""
    return eval(text, {"jax": jax})


@pytest.mark.parametrize("text", INITIALIZERS)
def test_sampler_parameters_match(sampler_calls, text):
    """On every shape, the initializer's one sampler call (range × multiplier, float64) is the
    bound / σ `--init` reports — or glorotcalc refuses the axes where JAX's fans are fractional."""
    initializer = make(text)
    spec = parse_init(text)
    for shape in PARAM_SHAPES:
        sampler_calls.clear()
        multiplier = initializer(jax.random.key(0), shape, jnp.float64)
        layers = resolve_layers(shape=shape_text(shape), framework=JAX)
        fans = compute_fans(shape, spec.in_axis, spec.out_axis, spec.batch_axis)
        if any(abs(f - round(f)) > 1e-9 * max(1.0, f) for f in fans):
            with pytest.raises(UsageError, match="not whole numbers"):
                init_lookup(layers, spec)
            continue
        report = init_lookup(layers, spec)
        (result,) = report.document["layers"][0]["results"]
        (call,) = sampler_calls
        check_drawn(call, multiplier, result)
        assert report.rows[0]["param"] == approx(result["bound"] or result["sampler_std"])


CLI_CASES = [
    ("--shape", "3x3x64x128", "--init", "jax.nn.initializers.he_normal()"),
    ("--shape", "784x256", "--init", "jax.nn.initializers.glorot_uniform()"),
    ("--shape", "784x256", "--init", "jax.nn.initializers.variance_scaling(2.0, 'fan_geo_avg', 'normal')"),
    ("--shape", "256x784", "--init", "jax.nn.initializers.lecun_normal(in_axis=1, out_axis=0)"),
    (
        "--shape",
        "4x784x256",
        "--init",
        "jax.nn.initializers.xavier_normal(in_axis=1, out_axis=2, batch_axis=0)",
    ),
]


@pytest.mark.parametrize("argv", CLI_CASES, ids=[c[3] for c in CLI_CASES])
def test_cli_value_is_the_sampler_parameter(sampler_calls, capsys, argv):
    """``glorotcalc --shape S --framework jax --init NAME --value`` prints the bound / σ JAX draws."""
    assert main([*argv, "--framework", "jax", "--value"]) == 0
    value = float(capsys.readouterr().out)
    shape = tuple(map(int, argv[1].split("x")))
    multiplier = make(argv[3])(jax.random.key(0), shape, jnp.float64)
    (call,) = sampler_calls
    kind, first, _ = drawn(call, multiplier)
    assert value == approx(-first if kind == "uniform" else first)


FRAMEWORK_CASES = [
    ("784", "256"),
    ("784", "256", "--act", "tanh"),
    ("784", "256", "--act", "leaky_relu:0.2", "--mode", "fan_out"),
    ("784", "256", "--mode", "fan_geo_avg"),
    ("784", "256", "--gain", "0.5"),
    ("--shape", "3x3x64x128", "--act", "relu"),
    ("16-convt3x3:8@relu",),
    ("64-dwconv3x3:128",),
    ("64-conv3x3:128/4",),
    ("1-conv5x5:32-conv5x5:64-flatten:7x7-1024-10",),
]


@pytest.mark.parametrize("framework", ["jax", "flax"])
@pytest.mark.parametrize("argv", FRAMEWORK_CASES, ids=[" ".join(c) for c in FRAMEWORK_CASES])
def test_framework_rows_are_jax_calls(sampler_calls, cli, argv, framework):
    """``--framework jax|flax``: every row's initializer (``jax.nn.initializers.…`` or
    ``flax.linen.initializers.…``), called on the row's weight shape, draws the row's bound / σ."""
    document = run_json(cli, *argv, "--framework", framework, "--dist", "uniform,normal,truncated")
    for layer in document["layers"]:
        for result in layer["results"]:
            sampler_calls.clear()
            namespace = code_names()
            exec(f"init = {result['initializer']}", namespace)
            multiplier = namespace["init"](jax.random.key(0), tuple(layer["shape"]), jnp.float64)
            (call,) = sampler_calls
            check_drawn(call, multiplier, result)


def test_framework_lookup_param_is_the_multiplier(sampler_calls):
    """The Python API: `framework_lookup(...).rows[i]["param"]` is JAX's bound / σ."""
    layers = resolve_layers(["784-256"], framework=JAX)
    report = framework_lookup(layers, JAX, distributions=("uniform", "normal"))
    for row, result in zip(report.rows, report.document["layers"][0]["results"], strict=True):
        sampler_calls.clear()
        namespace = {"jax": jax, "jnp": jnp}
        exec(f"init = {result['initializer']}", namespace)
        multiplier = namespace["init"](jax.random.key(0), (784, 256), jnp.float64)
        (call,) = sampler_calls
        kind, first, _ = drawn(call, multiplier)
        assert row["param"] == approx(-first if kind == "uniform" else first)


COMPARE_INPUTS = [["784", "256"], ["64-convt3x3:32@relu"], ["64-dwconv3x3:128"], ["64-conv3x3:128/4@tanh"]]


@pytest.mark.parametrize("inputs", COMPARE_INPUTS, ids=[" ".join(i) for i in COMPARE_INPUTS])
def test_compare_jax_and_flax_rows_are_their_calls(sampler_calls, inputs):
    """`compare`: the JAX and Flax rows' initializers, called on each one's weight of the layer,
    draw the row's param (bound / σ), for every scheme and distribution."""
    (layer,) = resolve_layers(inputs)
    report = compare(
        [layer], schemes=("glorot", "he", "lecun"), distributions=("uniform", "normal", "truncated")
    )
    namespace = code_names()
    for fw in (JAX, FLAX):
        rows = [row for row in report.rows if row["framework"] == fw.name]
        assert len(rows) == 9
        for row in rows:
            sampler_calls.clear()
            exec(f"init = {row['initializer']}", namespace)
            multiplier = namespace["init"](jax.random.key(0), framework_shape(layer, fw), jnp.float64)
            (call,) = sampler_calls
            kind, first, _ = drawn(call, multiplier)
            assert row["param"] == approx(-first if kind == "uniform" else first)


def test_both_refuse_what_jax_refuses():
    """An unknown mode or distribution: JAX raises when called, glorotcalc when parsing."""
    for bad in (
        'jax.nn.initializers.variance_scaling(1.0, "fan_sum", "normal")',
        'jax.nn.initializers.variance_scaling(1.0, "fan_in", "laplace")',
        'jax.nn.initializers.variance_scaling(1.0, "FAN_IN", "normal")',
        'jax.nn.initializers.variance_scaling(1.0, "fan_in", "Normal")',
    ):
        with pytest.raises(ValueError):
            make(bad)(jax.random.key(0), (4, 5), jnp.float32)
        with pytest.raises(UsageError):
            parse_init(bad)


# --- draws ------------------------------------------------------------------------------------------

DRAW_SHAPES = [(1024, 1024), (3, 3, 384, 384), (5, 256, 800)]
DRAWN = [
    *(
        f"jax.nn.initializers.{scheme}_{dist}()"
        for scheme in ("glorot", "he", "lecun")
        for dist in ("uniform", "normal")
    ),
    *(
        f'jax.nn.initializers.variance_scaling(2.0, "{mode}", "{dist}")'
        for mode, dist in itertools.product(MODES, DISTRIBUTIONS)
    ),
]


@pytest.mark.parametrize("text", DRAWN)
def test_drawn_weights_have_our_std(text):
    """≥ 10⁶ float32 weights (key = the case's index): std within 4 SE, max |w| within support."""
    index = DRAWN.index(text)
    shape = DRAW_SHAPES[index % len(DRAW_SHAPES)]
    weight = make(text)(jax.random.key(index), shape, jnp.float32)
    assert weight.size >= 10**6
    report = init_lookup(resolve_layers(shape=shape_text(shape), framework=JAX), parse_init(text))
    check_draw(weight, report.document["layers"][0]["results"][0])


# --- Flax layer defaults ----------------------------------------------------------------------------


def flax_input(layer) -> jnp.ndarray:
    """An input (batch 1, *spatial, channels) for a glorotcalc `layer` (ones)."""
    spatial = tuple(max(9, 2 * k + 1) for k in layer.kernel)
    return jnp.ones((1, *spatial, layer.in_channels), jnp.float32)


FLAX_LAYERS = [
    ("Dense(1024) on 784", "784-1024", lambda nn: nn.Dense(1024)),
    ("Conv(256, (5,)) on 128", "128-conv5:256", lambda nn: nn.Conv(256, (5,))),
    ("Conv(256, (3, 3)) on 128", "128-conv3x3:256", lambda nn: nn.Conv(256, (3, 3))),
    ("Conv(128, (3, 3, 3)) on 64", "64-conv3x3x3:128", lambda nn: nn.Conv(128, (3, 3, 3))),
    (
        "Conv(256, (3, 3), feature_group_count=4) on 128",
        "128-conv3x3:256/4",
        lambda nn: nn.Conv(256, (3, 3), feature_group_count=4),
    ),
    (
        "Conv(4096, (5, 5), feature_group_count=512) on 512",
        "512-dwconv5x5:4096",
        lambda nn: nn.Conv(4096, (5, 5), feature_group_count=512),
    ),
    ("ConvTranspose(64, (3, 3)) on 128", "128-convt3x3:64", lambda nn: nn.ConvTranspose(64, (3, 3))),
]


@pytest.mark.parametrize(("label", "arch", "build"), FLAX_LAYERS, ids=[c[0] for c in FLAX_LAYERS])
def test_flax_layer_defaults(label, arch, build):
    """The kernel a Flax module initializes: glorotcalc's shape and fans, a std within 4 SE of
    `default_stats`, |w| within its support; the bias glorotcalc calls zeros is zeros."""
    (ours,) = resolve_layers([arch], framework=FLAX)
    params = build(linen).init(jax.random.key(0), flax_input(ours))["params"]
    kernel = np.asarray(params["kernel"])
    assert kernel.shape == framework_shape(ours, FLAX)
    assert framework_fans(ours, FLAX) == approx_pair(compute_fans(kernel.shape))
    stats = default_stats(FLAX, ours)
    check_draw(kernel, {"distribution": stats.distribution, "std": stats.std, "support": stats.support})
    assert default_bias(FLAX, ours) == "zeros"
    assert params["bias"].shape == (ours.out_channels,) and not np.asarray(params["bias"]).any()


@pytest.mark.parametrize(("label", "arch", "build"), FLAX_LAYERS, ids=[c[0] for c in FLAX_LAYERS])
def test_flax_layer_default_parameters_are_exact(sampler_calls, label, arch, build):
    """The same modules in float64: the kernel's sampler range × multiplier is `default_stats`'s."""
    (ours,) = resolve_layers([arch], framework=FLAX)
    module = build(linen).clone(param_dtype=jnp.float64)
    params = module.init(jax.random.key(0), flax_input(ours).astype(jnp.float64))["params"]
    (call,) = sampler_calls
    stats = default_stats(FLAX, ours)
    result = {"distribution": stats.distribution, "bound": stats.bound}
    check_drawn(
        call, params["kernel"], {**result, "sampler_std": stats.sampler_std, "support": stats.support}
    )


def test_flax_embed_default(sampler_calls):
    """Embed: variance_scaling(1.0, "fan_in", "normal", out_axis=0): N(0, 1/features), no bias."""
    ours = embedding(4000, 256, "flax")
    stats = default_stats(FLAX, ours)
    module = linen.Embed(4000, 256, param_dtype=jnp.float64)
    params = module.init(jax.random.key(0), jnp.zeros((1,), jnp.int32))["params"]
    (call,) = sampler_calls
    check_drawn(
        call, params["embedding"], {"distribution": stats.distribution, "sampler_std": stats.sampler_std}
    )
    assert default_bias(FLAX, ours) == "none" and set(params) == {"embedding"}


def test_flax_embed_draw():
    ours = embedding(4000, 256, "flax")
    table = linen.Embed(4000, 256).init(jax.random.key(1), jnp.zeros((1,), jnp.int32))["params"]["embedding"]
    assert table.shape == framework_shape(ours, FLAX)
    stats = default_stats(FLAX, ours)
    check_draw(table, {"distribution": stats.distribution, "std": stats.std, "support": stats.support})


def test_flax_attention_default():
    """MultiHeadDotProductAttention: q/k/v DenseGeneral kernels (E, H, D) are initialized flat
    (E, H·D), lecun_normal: glorotcalc's packed (E, 3E) row has their std 1/√E."""
    e, heads = 256, 8
    module = linen.MultiHeadDotProductAttention(num_heads=heads, qkv_features=e)
    x = jnp.ones((1, 4, e), jnp.float32)
    params = module.init(jax.random.key(0), x, x)["params"]
    stats = default_stats(FLAX, packed_qkv(e))
    kernels = np.concatenate([np.asarray(params[p]["kernel"]).ravel() for p in ("query", "key", "value")])
    check_draw(kernels, {"distribution": stats.distribution, "std": stats.std, "support": stats.support})
    assert default_bias(FLAX, packed_qkv(e)) == "zeros" and not np.asarray(params["query"]["bias"]).any()


def test_defaults_command_rows_are_what_flax_modules_draw(sampler_calls, cli):
    """``glorotcalc defaults ARCH --framework flax``: each row's σ is the multiplier Flax applies."""
    arch = "3-conv3x3:64-dwconv3x3-conv3x3:128/4-convt3x3:32-flatten:7x7-10"
    document = run_json(cli, "defaults", arch, "--framework", "flax")
    layers = resolve_layers([arch], framework=FLAX)
    modules = {
        "conv": lambda g: linen.Conv(g.out_channels, g.kernel, feature_group_count=g.groups),
        "depthwise": lambda g: linen.Conv(g.out_channels, g.kernel, feature_group_count=g.in_channels),
        "conv_transpose": lambda g: linen.ConvTranspose(g.out_channels, g.kernel),
        "dense": lambda g: linen.Dense(g.out_channels),
    }
    for ours, record in zip(layers, document["layers"], strict=True):
        (row,) = record["defaults"]
        sampler_calls.clear()
        module = modules[ours.kind](ours).clone(param_dtype=jnp.float64)
        params = module.init(jax.random.key(0), flax_input(ours).astype(jnp.float64))["params"]
        (call,) = sampler_calls
        kind, sigma, _ = drawn(call, params["kernel"])
        assert (kind, row["param"]) == ("truncated", approx(sigma)), ours.name
        assert row["bias"] == "zeros" and not np.asarray(params["bias"]).any()


# --- emit jax / flax, executed ----------------------------------------------------------------------

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


def input_layers(inputs: tuple[str, ...]):
    if inputs[0] == "--shape":
        return resolve_layers(shape=inputs[1])
    return resolve_layers(list(inputs))


def hint_modules(code: str, namespace: dict) -> list:
    """The Flax module calls the code names in its comments (``# nn.Dense(…)``), evaluated."""
    return [eval(line[2:], namespace) for line in code.splitlines() if line.startswith("# nn.")]


@pytest.mark.parametrize("target", ["jax", "flax"])
@pytest.mark.parametrize("source", EMIT_SOURCES, ids=["neutral", "keras", "jax", "torch"])
@pytest.mark.parametrize("inputs", EMIT_INPUTS, ids=["fans", "shape", "arch"])
def test_emitted_tensors(sampler_calls, cli, target, source, inputs):
    """Tensor form: the code runs, every tensor has the printed shape, and each initializer it
    defines, called again in float64, draws the printed bound / σ; Flax's module calls in the
    comments hold a kernel of the tensor's shape."""
    for scheme in ("glorot", "he", "lecun"):
        for dist in ("uniform", "normal", "truncated"):
            document = run_json(cli, "emit", target, *inputs, *source, "--scheme", scheme, "--dist", dist)
            assert document["form"] == "tensors"
            namespace = execute(document["code"])
            for layer in document["layers"]:
                shape = tuple(layer["shape"])
                assert namespace[layer["variable"]].shape == shape
                sampler_calls.clear()
                multiplier = namespace[f"{layer['variable']}_init"](jax.random.key(0), shape, jnp.float64)
                (call,) = sampler_calls
                check_drawn(call, multiplier, layer["result"])
            modules = hint_modules(document["code"], namespace)
            layers = input_layers(inputs)
            expected = 0 if target == "jax" or inputs[0] == "--shape" else len(layers)
            assert len(modules) == expected
            for module, ours, record in zip(modules, layers, document["layers"], strict=False):
                sampler_calls.clear()
                params = module.init(jax.random.key(0), flax_input(ours))["params"]
                assert params["kernel"].shape == tuple(record["shape"])


def test_every_named_module_call_holds_the_weight(cli):
    """Each module call a comment names initializes a kernel of the emitted shape (no comment
    at all is also right: Flax has no such module)."""
    arch = "16-convt3x3:8/2"
    document = run_json(cli, "emit", "flax", arch, "--scheme", "he", "--dist", "uniform")
    namespace = execute(document["code"])
    modules = hint_modules(document["code"], namespace)
    for module, ours, record in zip(modules, resolve_layers([arch]), document["layers"], strict=False):
        params = module.init(jax.random.key(0), flax_input(ours))["params"]
        assert params["kernel"].shape == tuple(record["shape"])


OTHER_EMITS = [
    ("--shape", "7", "--from", "keras", "--scheme", "he", "--dist", "uniform"),
    ("--shape", "()", "--from", "keras", "--scheme", "glorot", "--dist", "normal"),
    ("784", "256", "--init", "kaiming_uniform_(a=√5)"),
    ("784", "256", "--init", "HeNormal()"),
    ("784", "256", "--init", "keras.initializers.VarianceScaling(2.0, 'fan_avg', 'untruncated_normal')"),
    ("784", "256", "--init", "jax.nn.initializers.variance_scaling(2.0, 'fan_geo_avg', 'uniform')"),
    (
        "--shape",
        "4x784x256",
        "--init",
        "jax.nn.initializers.lecun_normal(in_axis=1, out_axis=2, batch_axis=0)",
    ),
]


@pytest.mark.parametrize("target", ["jax", "flax"])
@pytest.mark.parametrize("argv", OTHER_EMITS, ids=[" ".join(a) for a in OTHER_EMITS])
def test_emitted_other_sources(sampler_calls, cli, target, argv):
    """Keras's small shapes (rank < 2: numbers written out) and ``--init`` sources of every
    framework: the code runs, and its initializers draw the printed bound / σ."""
    document = run_json(cli, "emit", target, *argv)
    namespace = execute(document["code"])
    for layer in document["layers"]:
        shape = tuple(layer["shape"])
        assert namespace[layer["variable"]].shape == shape
        sampler_calls.clear()
        multiplier = namespace[f"{layer['variable']}_init"](jax.random.key(0), shape, jnp.float64)
        (call,) = sampler_calls
        check_drawn(call, multiplier, layer["result"])


@pytest.mark.parametrize("target", ["jax", "flax"])
@pytest.mark.parametrize(("scheme", "dist"), PAIRS)
def test_emitted_draws_have_the_printed_std(cli, target, scheme, dist):
    """784×256 and a 3×3×384×384 kernel (float32): std within 4 SE, |w| ≤ support."""
    for inputs in (("784", "256"), ("--shape", "3x3x384x384")):
        document = run_json(cli, "emit", target, *inputs, "--scheme", scheme, "--dist", dist)
        namespace = execute(document["code"])
        for layer in document["layers"]:
            check_draw(namespace[layer["variable"]], layer["result"])


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
def test_emitted_jax_model_form(cli, tmp_path, source, scheme, dist):
    """A torch printout → ``initializers`` by module path, each exact for the shape its comment
    gives: called there, it draws the printed std."""
    path = tmp_path / "model.txt"
    path.write_text(PRINTOUT)
    document = run_json(cli, "emit", "jax", str(path), *source, "--scheme", scheme, "--dist", dist)
    assert document["form"] == "model"
    namespace = execute(document["code"])
    assert set(namespace["initializers"]) == {layer["name"] for layer in document["layers"]}
    for index, record in enumerate(document["layers"]):
        assert f"# exact for a weight of shape {tuple(record['shape'])}" in document["code"]
        weight = namespace["initializers"][record["name"]](jax.random.key(index), tuple(record["shape"]))
        check_draw(weight, record["result"])


@pytest.mark.parametrize(("scheme", "dist"), PAIRS)
@pytest.mark.parametrize("source", [(), ("--from", "torch")], ids=["neutral", "torch"])
def test_emitted_flax_model_form(cli, tmp_path, source, scheme, dist):
    """A torch printout → ``kernel_inits`` by module path; each module call in the comments, with
    its entry, initializes a kernel of the printed shape and std; biases stay zeros."""
    path = tmp_path / "model.txt"
    path.write_text(PRINTOUT)
    document = run_json(cli, "emit", "flax", str(path), *source, "--scheme", scheme, "--dist", dist)
    assert document["form"] == "model"
    namespace = execute(document["code"])
    modules = hint_modules(document["code"], namespace)
    layers = resolve_layers([str(path)])
    assert len(modules) == len(layers) == len(document["layers"])
    for index, (module, ours, record) in enumerate(zip(modules, layers, document["layers"], strict=True)):
        if ours.kind == "embedding":
            params = module.init(jax.random.key(index), jnp.zeros((1,), jnp.int32))["params"]
            weight = params["embedding"]
        else:
            params = module.init(jax.random.key(index), flax_input(ours))["params"]
            weight = params["kernel"]
            assert not np.asarray(params["bias"]).any()
        assert weight.shape == tuple(record["shape"])
        check_draw(weight, record["result"])
