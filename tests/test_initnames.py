"""parse_init: every spelling of every initializer name, every refusal, and torch as a peer.

Expected values are written from the frameworks' formulas (torch 2.13 torch/nn/init.py, Keras 3.15
keras/src/initializers/random_initializers.py, JAX 0.10 jax/_src/nn/initializers.py), never by
calling the code under test: Var = scale/n with scale = gain² in torch, 2/(1+a²) for leaky_relu.
"""

from __future__ import annotations

import dataclasses
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from glorotcalc.errors import UsageError
from glorotcalc.initnames import INIT_NAMES, InitSpec, parse_init

ROOT5_SCALE = 2 / (1 + 5)  # kaiming a=√5: torch's nn.Linear default, a third of He
TORCH_NONLINEARITY_SCALE = {  # calculate_gain(nonlinearity)² from torch's table
    "linear": 1.0,
    "conv1d": 1.0,
    "conv2d": 1.0,
    "conv3d": 1.0,
    "conv_transpose1d": 1.0,
    "conv_transpose2d": 1.0,
    "conv_transpose3d": 1.0,
    "sigmoid": 1.0,
    "tanh": (5 / 3) ** 2,
    "relu": 2.0,
    "leaky_relu": 2.0,  # with kaiming's default a=0
    "selu": 0.75**2,
}
TORCH_ROWS = {  # name → scheme, mode, distribution, default scale
    "xavier_uniform": ("glorot", "fan_avg", "uniform", 1.0),
    "xavier_normal": ("glorot", "fan_avg", "normal", 1.0),
    "kaiming_uniform": ("he", "fan_in", "uniform", 2.0),
    "kaiming_normal": ("he", "fan_in", "normal", 2.0),
}
KERAS_ROWS = {  # class → snake alias, scheme, scale, mode, distribution
    "GlorotNormal": ("glorot_normal", "glorot", 1.0, "fan_avg", "truncated"),
    "GlorotUniform": ("glorot_uniform", "glorot", 1.0, "fan_avg", "uniform"),
    "HeNormal": ("he_normal", "he", 2.0, "fan_in", "truncated"),
    "HeUniform": ("he_uniform", "he", 2.0, "fan_in", "uniform"),
    "LecunNormal": ("lecun_normal", "lecun", 1.0, "fan_in", "truncated"),
    "LecunUniform": ("lecun_uniform", "lecun", 1.0, "fan_in", "uniform"),
}
JAX_ROWS = {  # name → scheme, scale, mode, distribution (xavier_*/kaiming_* are jax aliases)
    "glorot_normal": ("glorot", 1.0, "fan_avg", "truncated"),
    "glorot_uniform": ("glorot", 1.0, "fan_avg", "uniform"),
    "he_normal": ("he", 2.0, "fan_in", "truncated"),
    "he_uniform": ("he", 2.0, "fan_in", "uniform"),
    "lecun_normal": ("lecun", 1.0, "fan_in", "truncated"),
    "lecun_uniform": ("lecun", 1.0, "fan_in", "uniform"),
    "xavier_normal": ("glorot", 1.0, "fan_avg", "truncated"),
    "xavier_uniform": ("glorot", 1.0, "fan_avg", "uniform"),
    "kaiming_normal": ("he", 2.0, "fan_in", "truncated"),
    "kaiming_uniform": ("he", 2.0, "fan_in", "uniform"),
}
JAX_PREFIXES = {  # prefix → the prefix of the canonical call
    "jax.nn.initializers.": "jax.nn.initializers.",
    "flax.linen.initializers.": "flax.linen.initializers.",
    "nn.initializers.": "flax.linen.initializers.",
    "flax.nnx.initializers.": "flax.nnx.initializers.",
    "nnx.initializers.": "flax.nnx.initializers.",
}
SEMANTICS = ("scheme", "scale", "mode", "distribution", "in_axis", "out_axis", "batch_axis")


def refused(text: str, framework: str | None = None) -> str:
    """The one-line exit-2 message parse_init gives for `text`."""
    with pytest.raises(UsageError) as info:
        parse_init(text, framework)
    assert info.value.exit_code == 2
    message = str(info.value)
    assert "\n" not in message
    return message


def semantics(spec: InitSpec) -> tuple:
    return tuple(getattr(spec, key) for key in SEMANTICS)


# --- torch ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("base", list(TORCH_ROWS))
def test_every_torch_spelling(base):
    scheme, mode, distribution, scale = TORCH_ROWS[base]
    for prefix in ("", "torch.nn.init.", "nn.init.", "init."):
        for underscore in ("_", ""):
            for parens in ("", "()", "( )", "(generator=None)"):
                spec = parse_init(prefix + base + underscore + parens)
                assert semantics(spec) == (scheme, scale, mode, distribution, -2, -1, ()), spec
                assert spec.frameworks == ("torch",)
                assert spec.call == f"torch.nn.init.{base}_()"
                assert spec.name == f"{base}_()"


@pytest.mark.parametrize(
    "root5",
    ["√5", "√(5)", "√ 5", "sqrt(5)", "math.sqrt(5)", "np.sqrt(5)", "5**0.5", "5 ** .5", "-√5", "+sqrt(5.0)"],
)
def test_kaiming_a_root5_is_exactly_a_third(root5):
    spec = parse_init(f"kaiming_uniform_(a={root5})")
    assert spec.scale == ROOT5_SCALE
    assert spec.gain_source.startswith("nonlinearity='leaky_relu', a=")


@pytest.mark.parametrize(
    ("a_text", "a"),
    [
        ("0.2", 0.2),
        ("2.236", 2.236),
        ("1e-3", 1e-3),
        ("5/3", 5 / 3),
        ("-2", -2.0),
        ("3", 3.0),
        ("(1+2)/6", 0.5),
        ("2*0.5-1", 0.0),
        ("2**-1", 0.5),
        ("1_000", 1000.0),
    ],
)
def test_kaiming_leaky_relu_slope(a_text, a):
    spec = parse_init(f"kaiming_normal_(a={a_text})")
    assert spec.scale == pytest.approx(2 / (1 + a**2), rel=1e-15)
    assert (spec.mode, spec.distribution, spec.scheme) == ("fan_in", "normal", "he")


def test_kaiming_a_none_is_torchs_default_slope():
    spec = parse_init("kaiming_normal_(a=None)")  # calculate_gain('leaky_relu', None): slope 0.01
    assert spec.scale == pytest.approx(2 / (1 + 0.01**2), rel=1e-15)
    assert spec.name == "kaiming_normal_(a=None)"


@pytest.mark.parametrize("nonlinearity", list(TORCH_NONLINEARITY_SCALE))
def test_kaiming_nonlinearities(nonlinearity):
    for quote in ("'", '"', ""):
        spec = parse_init(f"kaiming_uniform_(nonlinearity={quote}{nonlinearity}{quote})")
        assert spec.scale == pytest.approx(TORCH_NONLINEARITY_SCALE[nonlinearity], rel=1e-15)
    expected_name = (
        "kaiming_uniform_()"
        if nonlinearity == "leaky_relu"
        else f"kaiming_uniform_(nonlinearity='{nonlinearity}')"
    )
    assert spec.name == expected_name


def test_relu_and_tanh_scales_are_exact():
    assert parse_init("kaiming_normal_(nonlinearity='relu')").scale == 2.0
    assert parse_init("kaiming_normal_()").scale == 2.0
    assert parse_init("kaiming_normal_(nonlinearity='tanh')").scale == (5 / 3) ** 2
    assert parse_init("kaiming_normal_(nonlinearity='selu')").scale == 0.5625


def test_a_is_ignored_outside_leaky_relu():
    spec = parse_init("kaiming_uniform_(a=0.2, nonlinearity='relu')")
    assert spec.scale == 2.0
    assert spec.name == "kaiming_uniform_(nonlinearity='relu')"
    assert "ignored" in spec.gain_source


@pytest.mark.parametrize(
    "mode", ["'fan_out'", '"fan_out"', "fan_out", "'FAN_OUT'", "'Fan_Out'", "' fan_out '"]
)
def test_torch_mode_spellings(mode):
    spec = parse_init(f"kaiming_normal_(mode={mode})")  # torch lower-cases the mode
    assert spec.mode == "fan_out"
    assert spec.name == "kaiming_normal_(mode='fan_out')"


@pytest.mark.parametrize(
    ("text", "scale", "mode"),
    [
        ("kaiming_uniform_(2.236, 'fan_out')", 2 / (1 + 2.236**2), "fan_out"),
        ("kaiming_normal_(0, 'fan_in', 'relu')", 2.0, "fan_in"),
        ("kaiming_normal_(0, 'fan_out', 'tanh', None)", (5 / 3) ** 2, "fan_out"),
        ("kaiming_uniform_(√5)", ROOT5_SCALE, "fan_in"),
        ("kaiming_uniform_(5**0.5, fan_out, generator=None)", ROOT5_SCALE, "fan_out"),
        ("xavier_uniform_(2.0)", 4.0, "fan_avg"),
        ("xavier_normal_(5/3)", (5 / 3) ** 2, "fan_avg"),
        ("xavier_uniform_(1.0, None)", 1.0, "fan_avg"),
        ("xavier_normal_(√2)", 2.0, "fan_avg"),
    ],
)
def test_torch_positional_arguments(text, scale, mode):
    spec = parse_init(text)
    assert spec.scale == pytest.approx(scale, rel=1e-15)
    assert spec.mode == mode


@pytest.mark.parametrize(
    ("text", "scale", "mode"),
    [
        ("nn.init.kaiming_normal_(m.weight, mode='fan_out', nonlinearity='relu')", 2.0, "fan_out"),
        ("kaiming_uniform_(w, math.sqrt(5))", ROOT5_SCALE, "fan_in"),
        ("kaiming_uniform_(self.conv1.weight, a=math.sqrt(5))", ROOT5_SCALE, "fan_in"),
        ("kaiming_normal_(tensor=w, a=1)", 1.0, "fan_in"),
        ("xavier_uniform_(self.fc1.weight, gain=2)", 4.0, "fan_avg"),
        ("xavier_uniform_(layer.weight.data)", 1.0, "fan_avg"),
        ("xavier_normal_(torch.empty(3, 5))", 1.0, "fan_avg"),
        ("xavier_normal_(params[0], 3)", 9.0, "fan_avg"),
    ],
)
def test_torch_tensor_argument_is_accepted_and_dropped(text, scale, mode):
    spec = parse_init(text)
    assert spec.scale == pytest.approx(scale, rel=1e-15)
    assert spec.mode == mode
    assert "weight" not in spec.call and "tensor" not in spec.call


@pytest.mark.parametrize(
    ("gain", "scale"),
    [
        ("nn.init.calculate_gain('relu')", 2.0),
        ("torch.nn.init.calculate_gain('tanh')", (5 / 3) ** 2),
        ("calculate_gain('leaky_relu', 0.2)", 2 / (1 + 0.2**2)),
        ("init.calculate_gain(nonlinearity='leaky_relu', param=math.sqrt(5))", ROOT5_SCALE),
        ("calculate_gain('leaky_relu')", 2 / (1 + 0.01**2)),
        ("calculate_gain('selu')", 0.5625),
        ("calculate_gain('conv2d')", 1.0),
    ],
)
def test_xavier_gain_from_calculate_gain(gain, scale):
    spec = parse_init(f"xavier_uniform_(w, gain={gain})")
    assert spec.scale == pytest.approx(scale, rel=1e-15)


@pytest.mark.parametrize("generator", ["None", "g", "torch.Generator().manual_seed(0)", "self.rng"])
def test_torch_generator_is_accepted_and_dropped(generator):
    spec = parse_init(f"kaiming_normal_(generator={generator})")
    assert spec.call == "torch.nn.init.kaiming_normal_()"
    assert parse_init(f"xavier_uniform_(generator={generator})").call == "torch.nn.init.xavier_uniform_()"


@pytest.mark.parametrize(
    ("text", "needles"),
    [
        ("kaiming_normal_(mode='fan_avg')", ["'fan_avg'", "fan_in, fan_out"]),
        ("kaiming_uniform_(mode='fan_geo_avg')", ["'fan_geo_avg'", "fan_in, fan_out"]),
        ("kaiming_normal_(nonlinearity='ReLU')", ["'ReLU'", "leaky_relu"]),
        ("kaiming_normal_(nonlinearity='gelu')", ["'gelu'", "selu"]),
        ("kaiming_normal_(nonlinearity='identity')", ["'identity'", "linear"]),
        ("kaiming_normal_(gain=2)", ["'gain'", "a, mode, nonlinearity, generator"]),
        ("xavier_uniform_(a=1)", ["'a'", "gain, generator"]),
        ("xavier_uniform_(mode='fan_in')", ["'mode'", "gain"]),
        ("kaiming_uniform_(1, 'fan_in', 'relu', None, 5)", ["at most 4", "5"]),
        ("kaiming_uniform_(1, a=2)", ["two values", "'a'"]),
        ("kaiming_uniform_(a=1, a=2)", ["twice", "'a'"]),
        ("xavier_uniform_(gain=-1)", ["'-1'", "positive"]),
        ("xavier_normal_(gain=0)", ["gain", "positive"]),
        ("xavier_normal_(gain=1e-200)", ["gain", "positive finite"]),
        ("xavier_normal_(gain=1e200)", ["gain", "positive finite"]),
        ("kaiming_normal_(a='x')", ["\"'x'\"", "number"]),
        ("kaiming_normal_(a=True)", ["'True'", "number"]),
        ("kaiming_normal_(a=relu)", ["'relu'", "number"]),
        ("kaiming_normal_(a=1e200)", ["'1e200'", "positive finite"]),
        ("kaiming_normal_(a=1e400)", ["'1e400'", "finite"]),
        ("kaiming_normal_(mode=2)", ["'2'", "string"]),
        ("kaiming_normal_(generator=1)", ["generator", "'1'"]),
        ("kaiming_normal_(generator='cpu')", ["generator", "cpu"]),
        ("xavier_uniform_(gain=calculate_gain('gelu'))", ["'gelu'", "leaky_relu"]),
        ("xavier_uniform_(gain=calculate_gain('Tanh'))", ["'Tanh'", "tanh"]),
        ("kaiming_normal_(tensor=1)", ["tensor", "'1'"]),
    ],
)
def test_torch_refusals(text, needles):
    message = refused(text)
    for needle in needles:
        assert needle in message


# --- Keras ----------------------------------------------------------------------------------------

KERAS_PREFIXES = [
    "",
    "keras.initializers.",
    "tf.keras.initializers.",
    "tensorflow.keras.initializers.",
    "initializers.",
]
KERAS_ARGS = [
    "",
    "()",
    "(seed=42)",
    "(seed=None)",
    "(42)",
    "(seed=-1)",
    "(seed=keras.random.SeedGenerator(1337))",
]


@pytest.mark.parametrize("cls", list(KERAS_ROWS))
def test_every_keras_class_spelling(cls):
    _, scheme, scale, mode, distribution = KERAS_ROWS[cls]
    for prefix in KERAS_PREFIXES:
        for args in KERAS_ARGS:
            spec = parse_init(prefix + cls + args)
            assert semantics(spec) == (scheme, scale, mode, distribution, -2, -1, ()), spec
            assert spec.frameworks == ("keras",)
            assert (spec.call, spec.name) == (f"keras.initializers.{cls}()", f"{cls}()")
            assert spec.gain_source == f"{cls} ({scale:g})"


@pytest.mark.parametrize("cls", list(KERAS_ROWS))
def test_keras_snake_case_aliases_with_a_keras_prefix(cls):
    snake, scheme, scale, mode, distribution = KERAS_ROWS[cls]
    for prefix in KERAS_PREFIXES[1:]:
        for args in KERAS_ARGS:
            spec = parse_init(prefix + snake + args)
            assert semantics(spec) == (scheme, scale, mode, distribution, -2, -1, ()), spec
            assert spec.frameworks == ("keras",)
            assert spec.call == f"keras.initializers.{snake}()"


@pytest.mark.parametrize(
    ("text", "scale", "mode", "distribution", "name"),
    [
        ("VarianceScaling", 1.0, "fan_in", "truncated", "VarianceScaling()"),
        ("VarianceScaling()", 1.0, "fan_in", "truncated", "VarianceScaling()"),
        (
            "VarianceScaling(scale=1, mode='fan_in', distribution='truncated_normal', seed=0)",
            1.0,
            "fan_in",
            "truncated",
            "VarianceScaling()",
        ),
        (
            "VarianceScaling(scale=2.0, mode='fan_out', distribution='uniform')",
            2.0,
            "fan_out",
            "uniform",
            'VarianceScaling(scale=2.0, mode="fan_out", distribution="uniform")',
        ),
        (
            'VarianceScaling(2, "fan_avg", "untruncated_normal")',
            2.0,
            "fan_avg",
            "normal",
            'VarianceScaling(scale=2.0, mode="fan_avg", distribution="untruncated_normal")',
        ),
        # Keras 3: "normal" is an alias of "truncated_normal" (and the name is lower-cased first)
        ("VarianceScaling(distribution='normal')", 1.0, "fan_in", "truncated", "VarianceScaling()"),
        ("VarianceScaling(distribution='Normal')", 1.0, "fan_in", "truncated", "VarianceScaling()"),
        (
            "VarianceScaling(distribution='UNIFORM')",
            1.0,
            "fan_in",
            "uniform",
            'VarianceScaling(distribution="uniform")',
        ),
        (
            "VarianceScaling(distribution=untruncated_normal)",
            1.0,
            "fan_in",
            "normal",
            'VarianceScaling(distribution="untruncated_normal")',
        ),
        (
            "VarianceScaling(0.5, fan_in, truncated_normal, 7)",
            0.5,
            "fan_in",
            "truncated",
            "VarianceScaling(scale=0.5)",
        ),
        ("VarianceScaling(scale=1e-3)", 1e-3, "fan_in", "truncated", "VarianceScaling(scale=0.001)"),
        (
            "keras.initializers.variance_scaling(scale=√2)",
            math.sqrt(2),
            "fan_in",
            "truncated",
            "variance_scaling(scale=1.41421)",
        ),
        (
            "VarianceScaling(scale=1/3, mode='fan_in', distribution='uniform', seed=None, input_axes=None, "
            "output_axes=None)",
            1 / 3,
            "fan_in",
            "uniform",
            'VarianceScaling(scale=0.333333, distribution="uniform")',
        ),
    ],
)
def test_keras_variance_scaling(text, scale, mode, distribution, name):
    spec = parse_init(text)
    assert (spec.scale, spec.mode, spec.distribution) == (pytest.approx(scale, rel=1e-15), mode, distribution)
    assert (spec.scheme, spec.frameworks, spec.name) == ("variance_scaling", ("keras",), name)
    assert spec.call == "keras.initializers." + name


@pytest.mark.parametrize(
    ("text", "needles"),
    [
        ("VarianceScaling(mode='fan_geo_avg')", ["'fan_geo_avg'", "fan_in, fan_out, fan_avg"]),
        ("VarianceScaling(mode='FAN_IN')", ["'FAN_IN'", "fan_in"]),  # Keras does not lower-case the mode
        ("VarianceScaling(distribution='gaussian')", ["'gaussian'", "untruncated_normal"]),
        ("VarianceScaling(scale=0)", ["'0'", "positive"]),
        ("VarianceScaling(scale=-1)", ["'-1'", "positive"]),
        ("VarianceScaling(scale='2')", ["scale", "number"]),
        ("HeNormal(seed=1.5)", ["'1.5'", "SeedGenerator"]),
        ("HeNormal(seed='x')", ["seed", "integer"]),
        ("GlorotNormal(input_axes=[0])", ["input_axes", "'[0]'"]),
        ("VarianceScaling(output_axes=(1,))", ["output_axes", "'(1,)'"]),
        ("HeNormal(scale=2)", ["'scale'", "seed, input_axes, output_axes"]),
        ("HeNormal(in_axis=0)", ["'in_axis'", "seed"]),
        ("VarianceScaling(1, 'fan_in', 'normal', None, None, None, 5)", ["at most 6", "7"]),
    ],
)
def test_keras_refusals(text, needles):
    message = refused(text)
    for needle in needles:
        assert needle in message


# --- JAX / Flax -----------------------------------------------------------------------------------

JAX_ARGS = [
    "",
    "()",
    "(in_axis=-2)",
    "(dtype=jnp.float32)",
    "(dtype='bfloat16')",
    "(dtype=None)",
    "(-2, -1, (), jnp.float32)",
]


@pytest.mark.parametrize("base", list(JAX_ROWS))
def test_every_jax_and_flax_spelling(base):
    scheme, scale, mode, distribution = JAX_ROWS[base]
    for prefix, call_prefix in JAX_PREFIXES.items():
        for args in JAX_ARGS:
            spec = parse_init(prefix + base + args)
            assert semantics(spec) == (scheme, scale, mode, distribution, -2, -1, ()), spec
            assert spec.frameworks == ("jax", "flax")
            assert (spec.call, spec.name) == (f"{call_prefix}{base}()", f"{base}()")


def test_jax_xavier_and_kaiming_are_truncated_unlike_torch():
    jax_normal = parse_init("jax.nn.initializers.kaiming_normal")
    torch_normal = parse_init("kaiming_normal")
    assert (jax_normal.distribution, torch_normal.distribution) == ("truncated", "normal")
    assert parse_init("jax.nn.initializers.xavier_normal()").distribution == "truncated"
    assert parse_init("xavier_normal").distribution == "normal"


@pytest.mark.parametrize(
    ("text", "axes", "name"),
    [
        ("he_normal(in_axis=0, out_axis=1)", (0, 1, ()), "he_normal(in_axis=0, out_axis=1)"),
        ("he_normal(batch_axis=0)", (-2, -1, (0,)), "he_normal(batch_axis=(0,))"),
        ("he_normal(batch_axis=(0, 1))", (-2, -1, (0, 1)), "he_normal(batch_axis=(0, 1))"),
        ("he_normal(batch_axis=[0])", (-2, -1, (0,)), "he_normal(batch_axis=(0,))"),
        ("he_normal(in_axis=(1,), out_axis=[-1])", (1, -1, ()), "he_normal(in_axis=1)"),
        ("he_normal(-3, -1, 0)", (-3, -1, (0,)), "he_normal(in_axis=-3, batch_axis=(0,))"),
        ("he_normal(batch_axis=())", (-2, -1, ()), "he_normal()"),
    ],
)
def test_jax_axes(text, axes, name):
    spec = parse_init("jax.nn.initializers." + text)
    assert (spec.in_axis, spec.out_axis, spec.batch_axis) == axes
    assert spec.name == name


@pytest.mark.parametrize(
    ("text", "scale", "mode", "distribution", "name"),
    [
        (
            "variance_scaling(2.0, 'fan_in', 'normal')",
            2.0,
            "fan_in",
            "normal",
            "variance_scaling(2.0, 'fan_in', 'normal')",
        ),
        ("variance_scaling(2, fan_in, truncated_normal)", 2.0, "fan_in", "truncated", None),
        ("variance_scaling(1.0, 'fan_avg', 'uniform')", 1.0, "fan_avg", "uniform", None),
        ("variance_scaling(1, 'fan_geo_avg', 'normal')", 1.0, "fan_geo_avg", "normal", None),
        (
            "variance_scaling(scale=1/3, mode='fan_out', distribution='uniform')",
            1 / 3,
            "fan_out",
            "uniform",
            None,
        ),
        (
            "variance_scaling(2.0, 'fan_in', 'normal', 0, 1, (2,), jnp.bfloat16)",
            2.0,
            "fan_in",
            "normal",
            "variance_scaling(2.0, 'fan_in', 'normal', in_axis=0, out_axis=1, batch_axis=(2,))",
        ),
    ],
)
def test_jax_variance_scaling(text, scale, mode, distribution, name):
    spec = parse_init("jax.nn.initializers." + text)
    assert (spec.scale, spec.mode, spec.distribution) == (pytest.approx(scale, rel=1e-15), mode, distribution)
    assert (spec.scheme, spec.frameworks) == ("variance_scaling", ("jax", "flax"))
    if name is not None:
        assert spec.name == name
        assert spec.call == "jax.nn.initializers." + name


@pytest.mark.parametrize(
    ("text", "needles"),
    [
        ("variance_scaling", ["scale, mode, distribution"]),
        ("variance_scaling(2.0)", ["mode, distribution"]),
        ("variance_scaling(2.0, 'fan_in')", ["'distribution'"]),
        ("variance_scaling(2.0, 'FAN_IN', 'normal')", ["'FAN_IN'", "fan_geo_avg"]),  # case-sensitive in jax
        ("variance_scaling(2.0, 'fan_sum', 'normal')", ["'fan_sum'", "fan_avg"]),
        (
            "variance_scaling(2.0, 'fan_in', 'untruncated_normal')",
            ["'untruncated_normal'", "truncated_normal"],
        ),
        ("variance_scaling(2.0, 'fan_in', 'Normal')", ["'Normal'", "uniform"]),
        ("variance_scaling(0, 'fan_in', 'normal')", ["scale", "positive"]),
        ("variance_scaling(-2, 'fan_in', 'normal')", ["scale", "positive"]),
        ("he_normal(in_axis=(0, 1))", ["in_axis", "one axis"]),
        ("he_normal(in_axis=0.5)", ["'0.5'", "integer"]),
        ("he_normal(in_axis='x')", ["in_axis", "integer"]),
        ("he_normal(batch_axis=True)", ["batch_axis", "integer"]),
        ("he_normal(dtype=jnp.complex64)", ["complex", "real dtype"]),
        ("he_normal(dtype='complex128')", ["complex128"]),
        ("he_normal(dtype=3)", ["dtype", "'3'"]),
        ("he_normal(seed=1)", ["'seed'", "in_axis, out_axis, batch_axis, dtype"]),
        ("he_normal(0, 1, (), None, 5)", ["at most 4"]),
    ],
)
def test_jax_refusals(text, needles):
    message = refused("jax.nn.initializers." + text)
    for needle in needles:
        assert needle in message


# --- the ambiguity rule and the framework restriction ---------------------------------------------


@pytest.mark.parametrize("base", list(TORCH_ROWS))
def test_bare_xavier_and_kaiming_without_underscore_are_torchs(base):
    assert parse_init(base).frameworks == ("torch",)
    assert parse_init(base).distribution == TORCH_ROWS[base][2]
    for framework in ("jax", "flax"):
        spec = parse_init(base, framework)
        assert spec.frameworks == ("jax", "flax")
        assert spec.distribution == JAX_ROWS[base][3]


@pytest.mark.parametrize("cls", list(KERAS_ROWS))
def test_shared_snake_names_mean_the_same_in_keras_and_jax(cls):
    snake, scheme, scale, mode, distribution = KERAS_ROWS[cls]
    for text in (snake, snake + "()"):
        spec = parse_init(text)
        assert spec.frameworks == ("keras", "jax", "flax")
        assert semantics(spec) == (scheme, scale, mode, distribution, -2, -1, ())
        assert spec.call == f"keras.initializers.{snake}()"
    assert parse_init(snake + "(seed=1)").frameworks == ("keras",)  # only Keras takes a seed
    assert parse_init(snake + "(in_axis=0)").frameworks == ("jax", "flax")  # only JAX takes axes
    assert parse_init(snake + "(dtype=jnp.float16)").frameworks == ("jax", "flax")
    message = refused(snake + "(0)")  # seed=0 in Keras, in_axis=0 in JAX
    assert "ambiguous" in message and "in_axis=0" in message


def test_shared_variance_scaling_is_resolved_by_its_arguments():
    uniform = parse_init("variance_scaling(2.0, 'fan_in', 'uniform')")
    assert uniform.frameworks == ("keras", "jax", "flax")
    assert uniform.call == 'keras.initializers.variance_scaling(scale=2.0, distribution="uniform")'
    truncated = parse_init("variance_scaling(1.0, 'fan_avg', 'truncated_normal')")
    assert truncated.frameworks == ("keras", "jax", "flax")
    assert parse_init("variance_scaling(2.0, 'fan_in', 'untruncated_normal')").frameworks == ("keras",)
    assert parse_init("variance_scaling(1.0, 'fan_geo_avg', 'normal')").frameworks == ("jax", "flax")
    assert parse_init("variance_scaling()").frameworks == ("keras",)  # JAX has no defaults
    assert parse_init("variance_scaling").frameworks == ("keras",)


def test_variance_scaling_normal_is_ambiguous_without_a_framework():
    message = refused("variance_scaling(2.0, 'fan_in', 'normal')")
    assert "ambiguous" in message
    assert "truncated normal" in message and "untruncated normal" in message
    assert (
        "keras.initializers.variance_scaling" in message and "jax.nn.initializers.variance_scaling" in message
    )
    assert parse_init("variance_scaling(2.0, 'fan_in', 'normal')", "keras").distribution == "truncated"
    assert parse_init("variance_scaling(2.0, 'fan_in', 'normal')", "jax").distribution == "normal"
    assert parse_init("variance_scaling(2.0, 'fan_in', 'normal')", "flax").distribution == "normal"
    assert (
        parse_init("keras.initializers.variance_scaling(2.0, 'fan_in', 'normal')").distribution == "truncated"
    )
    assert parse_init("nnx.initializers.variance_scaling(2.0, 'fan_in', 'normal')").distribution == "normal"


def test_shared_name_errors_name_both_signatures_or_the_real_problem():
    message = refused("he_normal(foo=1)")
    assert "'foo'" in message and "seed" in message and "in_axis" in message
    assert "complex" in refused("he_normal(dtype=jnp.complex64)")  # only JAX takes dtype: its error
    assert "'1.5'" in refused("he_normal(seed=1.5)")


@pytest.mark.parametrize(
    ("text", "framework", "needles"),
    [
        (
            "kaiming_normal_",
            "keras",
            [
                "'kaiming_normal_'",
                "torch",
                "--framework keras",
                'VarianceScaling(scale=2.0, distribution="untruncated_normal")',
            ],
        ),
        ("xavier_uniform_", "keras", ["torch", "GlorotUniform()"]),
        ("xavier_uniform", "keras", ["torch/jax/flax", "GlorotUniform()"]),
        ("xavier_normal_(gain=2)", "jax", ["torch", "variance_scaling(4.0, 'fan_avg', 'normal')"]),
        ("kaiming_uniform_(a=√5)", "flax", ["torch", "variance_scaling(0.333333, 'fan_in', 'uniform')"]),
        (
            "kaiming_normal_(mode='fan_out')",
            "keras",
            ['VarianceScaling(scale=2.0, mode="fan_out", distribution="untruncated_normal")'],
        ),
        ("HeNormal", "torch", ["'HeNormal'", "keras", "kaiming_normal_(nonlinearity='relu')", "untruncated"]),
        ("HeUniform", "torch", ["kaiming_uniform_(nonlinearity='relu')"]),
        ("GlorotUniform", "torch", ["xavier_uniform_()"]),
        ("he_normal", "torch", ["keras/jax/flax", "--framework torch"]),
        ("LecunNormal", "jax", ["keras", "lecun_normal()"]),
        ("HeNormal", "flax", ["he_normal()"]),
        ("torch.nn.init.kaiming_normal_", "flax", ["torch", "variance_scaling(2.0, 'fan_in', 'normal')"]),
        ("keras.initializers.GlorotNormal", "jax", ["keras", "glorot_normal()"]),
        ("jax.nn.initializers.he_normal", "keras", ["jax", "HeNormal()"]),
        ("nnx.initializers.he_uniform", "torch", ["flax", "kaiming_uniform_(nonlinearity='relu')"]),
        (
            "jax.nn.initializers.variance_scaling(1.0, 'fan_geo_avg', 'normal')",
            "torch",
            ["one of xavier_uniform_"],
        ),
    ],
)
def test_framework_restriction_says_whose_name_it_is(text, framework, needles):
    message = refused(text, framework)
    for needle in needles:
        assert needle in message


@pytest.mark.parametrize(
    ("text", "framework", "frameworks", "call"),
    [
        ("kaiming_normal_", "torch", ("torch",), "torch.nn.init.kaiming_normal_()"),
        ("HeNormal", "keras", ("keras",), "keras.initializers.HeNormal()"),
        ("he_normal", "keras", ("keras",), "keras.initializers.he_normal()"),
        ("he_normal", "jax", ("jax", "flax"), "jax.nn.initializers.he_normal()"),
        ("he_normal", "flax", ("jax", "flax"), "flax.nnx.initializers.he_normal()"),
        ("jax.nn.initializers.he_normal", "flax", ("jax", "flax"), "jax.nn.initializers.he_normal()"),
        ("flax.linen.initializers.he_normal", "jax", ("jax", "flax"), "flax.linen.initializers.he_normal()"),
        ("initializers.he_normal", None, ("keras",), "keras.initializers.he_normal()"),
        ("initializers.he_normal", "flax", ("jax", "flax"), "flax.nnx.initializers.he_normal()"),
        ("initializers.he_normal", "jax", ("jax", "flax"), "jax.nn.initializers.he_normal()"),
        ("kaiming_normal_", " Torch ", ("torch",), "torch.nn.init.kaiming_normal_()"),
    ],
)
def test_framework_restriction_accepts_its_own_names(text, framework, frameworks, call):
    spec = parse_init(text, framework)
    assert (spec.frameworks, spec.call) == (frameworks, call)


@pytest.mark.parametrize("framework", ["pytorch", "", "tensorflow", "JAX2"])
def test_unknown_framework_is_refused(framework):
    message = refused("he_normal", framework)
    assert repr(framework) in message and "torch, keras, jax, flax" in message


def test_a_record_without_a_vocabulary_says_it_is_init_that_limits_it():
    """tfjs is a framework record (lookup, emit), but --init reads no TF.js names."""
    message = refused("orthogonal_", "tfjs")
    assert "'tfjs'" in message and "--init reads the initializer names of torch" in message


@pytest.mark.parametrize(
    ("text", "needles"),
    [
        (
            "keras.initializers.kaiming_normal_",
            ["keras.initializers has no kaiming_normal_", "torch", "VarianceScaling("],
        ),
        ("torch.nn.init.HeNormal", ["torch.nn.init has no HeNormal", "keras", "kaiming_normal_"]),
        ("jax.nn.initializers.HeNormal", ["jax.nn.initializers has no HeNormal", "he_normal()"]),
        ("keras.initializers.xavier_normal", ["torch/jax/flax", "untruncated_normal"]),
        ("tf.nn.he_normal", ["'tf.nn'", "keras.initializers"]),
        ("torch.nn.HeNormal", ["'torch.nn'", "torch.nn.init"]),
    ],
)
def test_a_name_under_the_wrong_module(text, needles):
    message = refused(text)
    for needle in needles:
        assert needle in message


# --- spelling: parentheses, whitespace, quotes, case, did-you-mean --------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "kaiming_uniform_(a=2.236, mode='fan_out')",
        'kaiming_uniform_(a = 2.236 , mode = "fan_out")',
        "kaiming_uniform_(a=2.236,mode=fan_out)",
        "  kaiming_uniform_ (\n  a=2.236,\n\tmode='fan_out',\n)  ",
        "kaiming_uniform_(a=2.236, mode=‘fan_out’)",
        "kaiming_uniform_(a=2.236, mode=“fan_out”)",
        "kaiming_uniform_(a=−2.236, mode='fan_out')",
        "torch . nn . init . kaiming_uniform_(2.236, 'fan_out')",
    ],
)
def test_whitespace_and_quotes_anywhere(text):
    spec = parse_init(text)
    assert spec.scale == pytest.approx(2 / (1 + 2.236**2), rel=1e-15)
    assert spec.name in (
        "kaiming_uniform_(a=2.236, mode='fan_out')",
        "kaiming_uniform_(a=-2.236, mode='fan_out')",
    )


@pytest.mark.parametrize(
    "text", ["HeNormal", "HeNormal()", " HeNormal ( ) ", "keras . initializers . HeNormal"]
)
def test_with_or_without_parentheses(text):
    assert parse_init(text) == parse_init("keras.initializers.HeNormal()")


@pytest.mark.parametrize(
    ("text", "suggestion"),
    [
        ("henormal", "HeNormal"),
        ("HENORMAL", "HeNormal"),
        ("Kaiming_Normal_", "kaiming_normal_"),
        ("kaiming_normall_", "kaiming_normal_"),
        ("glorot_normall", "glorot_normal"),
        ("he_normal_", "he_normal"),
        ("Glorot_Uniform", "glorot_uniform"),
        ("variancescaling", "VarianceScaling"),
        ("keras.initializers.heNormal", "HeNormal"),
        ("torch.nn.init.kaimingnormal_", "kaiming_normal_"),
    ],
)
def test_case_sensitive_names_with_did_you_mean(text, suggestion):
    message = refused(text)
    assert "did you mean" in message and suggestion in message


def test_did_you_mean_stays_in_the_framework():
    message = refused("kaimingnormal", "torch")
    assert "unknown torch initializer" in message and "kaiming_normal_" in message
    assert "HeNormal" not in refused("henormal", "torch")
    assert "he_normal" in refused("henormal", "jax") and "HeNormal" not in refused("henormal", "jax")


@pytest.mark.parametrize(
    ("text", "framework", "suggestions"),
    [
        ("he", None, ["he_normal", "he_uniform", "kaiming_normal_"]),
        ("He", None, ["he_normal", "he_uniform", "kaiming_normal_"]),
        ("kaiming", None, ["he_normal", "kaiming_uniform_"]),
        ("xavier", None, ["glorot_normal", "xavier_uniform_"]),
        ("Glorot", None, ["glorot_uniform", "xavier_normal_"]),
        ("lecun", None, ["lecun_normal", "lecun_uniform", "nonlinearity='linear'"]),
        ("he", "keras", ["HeNormal", "HeUniform"]),
        ("he", "torch", ["kaiming_normal_", "kaiming_uniform_"]),
        ("he", "flax", ["he_normal", "he_uniform"]),
        ("lecun", "torch", ["kaiming_normal_(nonlinearity='linear')"]),
    ],
)
def test_scheme_words_suggest_initializers(text, framework, suggestions):
    message = refused(text, framework)
    assert "is a scheme" in message and repr(text) in message
    for suggestion in suggestions:
        assert suggestion in message
    if framework == "keras":
        assert "kaiming" not in message


@pytest.mark.parametrize(
    "text",
    [
        "orthogonal_",
        "trunc_normal_(std=0.02)",
        "nn.init.uniform_",
        "RandomNormal(stddev=0.05)",
        "TruncatedNormal",
        "keras.initializers.Orthogonal",
        "jax.nn.initializers.normal(0.02)",
        "flax.linen.initializers.zeros_init()",
        "zeros",
    ],
)
def test_initializers_that_are_not_variance_scaling(text):
    """These are computed now (glorotcalc.laws); tests/test_laws.py checks their numbers."""
    from glorotcalc.laws import InitLaw

    assert isinstance(parse_init(text), InitLaw)


def test_an_initializer_glorotcalc_does_not_compute():
    assert "does not compute" in refused("keras.initializers.STFT")


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "kaiming_normal_(",
        "kaiming_normal_(a=)",
        "1+",
        "2.0",
        "'he_normal'",
        "he normal",
        "kaiming_normal_()()",
        "kaiming_normal_[0]",
        "kaiming_normal_(a=1) + 1",
        "lambda: 1",
        "kaiming_normal_(*args)",
        "kaiming_normal_(**kwargs)",
        "he_normal\x00",
        "(" * 250 + "he_normal" + ")" * 250,
        "√",
    ],
)
def test_parse_failures_name_the_text_and_the_form(text):
    message = refused(text)
    assert "expected NAME or NAME(ARGS)" in message
    if 0 < len(text) < 40:
        assert repr(text) in message


def test_text_longer_than_1000_characters_is_refused_up_front():
    message = refused("HeNormal(" + " " * 991 + ")")
    assert "1000 characters" in message and len(message) < 200
    assert parse_init("HeNormal(" + " " * 990 + ")").name == "HeNormal()"  # exactly 1000


def test_text_must_be_a_string():
    refused(None)  # type: ignore[arg-type]


# --- numbers --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("2", 2.0),
        ("2.5", 2.5),
        (".5", 0.5),
        ("1e-3", 1e-3),
        ("5/3", 5 / 3),
        ("√5", math.sqrt(5)),
        ("√2.5", math.sqrt(2.5)),
        ("√(2+3)", math.sqrt(5)),
        ("sqrt(5)", math.sqrt(5)),
        ("math.sqrt(5)", math.sqrt(5)),
        ("numpy.sqrt(5)", math.sqrt(5)),
        ("5**0.5", 5**0.5),
        ("2**-1", 0.5),
        ("(1+1)*3-4/2", 4.0),
        ("+3", 3.0),
        ("--3", 3.0),
        ("1_000", 1000.0),
        ("1/3", 1 / 3),
    ],
)
def test_number_forms(text, value):
    assert parse_init(f"VarianceScaling(scale={text})").scale == pytest.approx(value, rel=1e-15)


@pytest.mark.parametrize(
    "text",
    [
        "__import__('os').system('true')",
        "os.getcwd()",
        "[1]",
        "(1, 2)",
        "'2'",
        "True",
        "x",
        "1/0",
        "0**-1",
        "sqrt(-1)",
        "(-8)**(1/3)",
        "10**400",
        "9**9**9",
        "1e400",
        "sqrt(1, 2)",
        "sqrt(x=4)",
        "math.pi",
        "float('inf')",
        "2j",
        "inf",
        "nan",
        "1 if 1 else 2",
        "abs(-2)",
        "2 % 3",
        "2 // 1",
        "-" * 200 + "2",
    ],
)
def test_number_refusals(text):
    message = refused(f"kaiming_normal_(a={text})")
    assert message.startswith("a ")
    assert "number" in message


# --- rendering and the contract -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "call", "gain_source"),
    [
        (
            "kaiming_uniform_(a=math.sqrt(5), mode='fan_out')",
            "torch.nn.init.kaiming_uniform_(a=2.23607, mode='fan_out')",
            "nonlinearity='leaky_relu', a=2.23607 → gain √(2/(1+a²))",
        ),
        (
            "kaiming_normal_(a=0, mode='fan_in', nonlinearity='leaky_relu')",
            "torch.nn.init.kaiming_normal_()",
            None,
        ),
        (
            "kaiming_normal_(a=0.2, mode='fan_out')",
            "torch.nn.init.kaiming_normal_(a=0.2, mode='fan_out')",
            None,
        ),
        (
            "kaiming_uniform_(nonlinearity=relu, mode=FAN_OUT)",
            "torch.nn.init.kaiming_uniform_(mode='fan_out', nonlinearity='relu')",
            "nonlinearity='relu' → gain √2",
        ),
        ("xavier_uniform_(gain=1)", "torch.nn.init.xavier_uniform_()", "gain=1.0 (default)"),
        ("xavier_uniform_(gain=2)", "torch.nn.init.xavier_uniform_(gain=2.0)", None),
        ("HeNormal(seed=3)", "keras.initializers.HeNormal()", "HeNormal (2)"),
        ("GlorotNormal", "keras.initializers.GlorotNormal()", "GlorotNormal (1)"),
        (
            "jax.nn.initializers.variance_scaling(2, fan_in, normal)",
            "jax.nn.initializers.variance_scaling(2.0, 'fan_in', 'normal')",
            "scale=2.0",
        ),
        (
            "nn.initializers.variance_scaling(scale=1/3, mode='fan_avg', distribution='uniform', "
            "batch_axis=0)",
            "flax.linen.initializers.variance_scaling(0.333333, 'fan_avg', 'uniform', batch_axis=(0,))",
            None,
        ),
        ("VarianceScaling(scale=1e-3)", "keras.initializers.VarianceScaling(scale=0.001)", "scale=0.001"),
    ],
)
def test_canonical_call(text, call, gain_source):
    spec = parse_init(text)
    assert spec.call == call
    assert spec.call.endswith(spec.name)
    if gain_source is not None:
        assert spec.gain_source == gain_source


ROUND_TRIP = [
    "kaiming_uniform_(a=√5, mode='fan_out')",
    "kaiming_normal_(a=None)",
    "kaiming_normal_(nonlinearity='tanh', mode='fan_out')",
    "xavier_normal_(gain=5/3)",
    "HeUniform",
    "VarianceScaling(scale=0.5, mode='fan_avg', distribution='untruncated_normal')",
    "jax.nn.initializers.variance_scaling(2.0, 'fan_geo_avg', 'truncated_normal', in_axis=0, "
    "batch_axis=(1, 2))",
    "nnx.initializers.lecun_normal(out_axis=0)",
    "he_normal",
]


@pytest.mark.parametrize("text", ROUND_TRIP)
def test_the_canonical_call_parses_back_to_the_same_spec(text):
    spec = parse_init(text)
    for again in (parse_init(spec.call), parse_init(spec.name, spec.frameworks[0])):
        assert again.call.endswith(spec.name)
        assert again.scale == pytest.approx(spec.scale, rel=1e-5)  # the call shows 6 digits
        assert semantics(again)[2:] == semantics(spec)[2:] and again.scheme == spec.scheme


# the other initializers, as each module exports them (torch/nn/init.py 2.13 with its
# _make_deprecate aliases; keras/src/initializers/*.py 3.15 keras_export names; JAX 0.10)
TORCH_LAW_NAMES = {
    *("uniform_", "normal_", "trunc_normal_", "constant_", "ones_", "zeros_", "eye_", "dirac_"),
    *("orthogonal_", "sparse_", "uniform", "normal", "constant", "eye", "dirac", "orthogonal", "sparse"),
}
KERAS_LAW_NAMES = {
    *("RandomNormal", "random_normal", "RandomUniform", "random_uniform", "TruncatedNormal"),
    *("truncated_normal", "Zeros", "zeros", "Ones", "ones", "Constant", "constant", "Identity"),
    *("identity", "IdentityInitializer", "Orthogonal", "orthogonal", "OrthogonalInitializer"),
}
JAX_LAW_NAMES = {"uniform", "normal", "truncated_normal", "constant", "zeros", "ones", "orthogonal"}
JAX_LAW_NAMES |= {"delta_orthogonal"}


def test_init_names_per_framework():
    assert set(INIT_NAMES) == {"torch", "keras", "jax", "flax"}
    torch_scaling = {f"{base}{tail}" for base in TORCH_ROWS for tail in ("_", "")}
    assert set(INIT_NAMES["torch"]) == torch_scaling | TORCH_LAW_NAMES
    assert set(INIT_NAMES["keras"]) == {
        *KERAS_ROWS,
        *(row[0] for row in KERAS_ROWS.values()),
        "VarianceScaling",
        "variance_scaling",
        *KERAS_LAW_NAMES,
    }
    assert set(INIT_NAMES["jax"]) == {*JAX_ROWS, "variance_scaling", *JAX_LAW_NAMES}
    # flax re-exports jax.nn.initializers and adds zeros_init/ones_init
    assert set(INIT_NAMES["flax"]) == set(INIT_NAMES["jax"]) | {"zeros_init", "ones_init"}
    for names in INIT_NAMES.values():
        assert len(names) == len(set(names))


@pytest.mark.parametrize("framework", list(INIT_NAMES))
def test_every_listed_name_parses_in_its_framework(framework):
    for name in INIT_NAMES[framework]:
        needs = {"variance_scaling": "(1.0, 'fan_in', 'uniform')", "sparse_": "(0.5)", "sparse": "(0.5)"}
        needs |= {"constant_": "(0.5)", "constant": "(0.5)"} if framework != "keras" else {}
        spec = parse_init(name + needs.get(name, ""), framework)
        assert framework in spec.frameworks


def test_gain_is_the_square_root_of_the_scale_and_the_spec_is_frozen():
    spec = parse_init("kaiming_uniform_(a=√5)")
    assert spec.gain == math.sqrt(1 / 3)
    assert parse_init("HeNormal").gain == math.sqrt(2)
    with pytest.raises(dataclasses.FrozenInstanceError):
        spec.scale = 2.0  # type: ignore[misc]
    assert InitSpec("c", "n", ("torch",), "he", 2.0, "s", "fan_in", "normal").batch_axis == ()


TOKENS = st.sampled_from(
    [
        "kaiming_normal_", "HeNormal", "he_normal", "variance_scaling", "xavier_uniform", "nn.init.",
        "jax.nn.initializers.", "(", ")", ",", "=", "a", "mode", "'fan_in'", "fan_out", "'normal'", "2", "-",
        "√", "5", "**", "0.5", "/", " ", "sqrt(", "seed", "in_axis", "(0,)", "None", "'relu'", "nonlinearity",
        "gain", "1e400", "[", "]",
    ]
)  # fmt: skip


@given(st.lists(TOKENS, max_size=14).map("".join), st.sampled_from([None, *INIT_NAMES]))
def test_any_token_soup_is_a_spec_or_a_usage_error(text, framework):
    try:
        spec = parse_init(text, framework)
    except UsageError as error:
        assert error.exit_code == 2 and "\n" not in str(error)
    else:
        assert spec.scale > 0 and math.isfinite(spec.scale)
        assert spec.mode in ("fan_in", "fan_out", "fan_avg", "fan_geo_avg")
        assert spec.distribution in ("uniform", "normal", "truncated")


@given(st.text(max_size=60))
def test_any_text_is_a_spec_or_a_usage_error(text):
    try:
        parse_init(text)
    except UsageError as error:
        assert error.exit_code == 2


# --- torch as a peer: the parameter torch hands its sampler ---------------------------------------

SHAPE = (256, 784)  # torch layout (out, in): fan_in 784, fan_out 256
FAN = {"fan_in": 784, "fan_out": 256, "fan_avg": (784 + 256) / 2}
REL = 1e-12
SLOPES = [
    (None, None),
    ("0", 0),
    ("0.2", 0.2),
    ("-0.5", -0.5),
    ("3.0", 3.0),
    ("math.sqrt(5)", math.sqrt(5)),
    ("None", None),
]
MODES = [(None, None), ("'fan_in'", "fan_in"), ("'fan_out'", "fan_out"), ("'FAN_OUT'", "FAN_OUT")]
GAINS = [
    (None, None),
    ("1.0", 1.0),
    ("0.5", 0.5),
    ("2", 2),
    ("math.sqrt(2)", math.sqrt(2)),
    ("5/3", 5 / 3),
    ("1e-3", 1e-3),
]


@pytest.fixture(scope="module")
def torch():
    return pytest.importorskip("torch")


@pytest.fixture
def sampler(torch, monkeypatch):
    """Call a torch.nn.init function on a (256, 784) tensor; return what it passed to uniform_/normal_."""

    def run(function, *args, **kwargs):
        seen = []

        def uniform_(self, low=0.0, high=1.0, *, generator=None):
            seen.append(("uniform", low, high))
            return self

        def normal_(self, mean=0.0, std=1.0, *, generator=None):
            seen.append(("normal", mean, std))
            return self

        with monkeypatch.context() as patch:
            patch.setattr(torch.Tensor, "uniform_", uniform_)
            patch.setattr(torch.Tensor, "normal_", normal_)
            getattr(torch.nn.init, function)(torch.empty(SHAPE), *args, **kwargs)
        (call,) = seen
        return call

    return run


def assert_matches_torch(spec: InitSpec, call: tuple) -> None:
    kind, first, second = call
    n = FAN[spec.mode]
    assert kind == spec.distribution
    if kind == "uniform":
        assert first == -second
        assert second == pytest.approx(math.sqrt(3 * spec.scale / n), rel=REL)
    else:
        assert first == 0
        assert second == pytest.approx(math.sqrt(spec.scale / n), rel=REL)


def keyword_text(pairs: list[tuple[str, str | None]]) -> str:
    return ", ".join(f"{key}={text}" for key, text in pairs if text is not None)


@pytest.mark.torch
@pytest.mark.parametrize("nonlinearity", [None, *TORCH_NONLINEARITY_SCALE])
@pytest.mark.parametrize("function", ["kaiming_uniform_", "kaiming_normal_"])
def test_kaiming_matches_torch(sampler, function, nonlinearity):
    quoted = None if nonlinearity is None else f"'{nonlinearity}'"
    for (a_text, a), (mode_text, mode) in ((slope, mode) for slope in SLOPES for mode in MODES):
        arguments = [("a", a_text, a), ("mode", mode_text, mode), ("nonlinearity", quoted, nonlinearity)]
        text = f"{function}({keyword_text([(key, typed) for key, typed, _ in arguments])})"
        kwargs = {key: value for key, typed, value in arguments if typed is not None}
        assert_matches_torch(parse_init(text), sampler(function, **kwargs))


@pytest.mark.torch
@pytest.mark.parametrize("function", ["xavier_uniform_", "xavier_normal_"])
def test_xavier_matches_torch(sampler, function):
    for gain_text, gain in GAINS:
        spec = parse_init(f"{function}({keyword_text([('gain', gain_text)])})")
        assert_matches_torch(spec, sampler(function) if gain is None else sampler(function, gain=gain))


@pytest.mark.torch
@pytest.mark.parametrize(
    ("text", "args"),
    [
        ("kaiming_uniform_(2.236, 'fan_out')", (2.236, "fan_out")),
        ("kaiming_normal_(0, 'fan_out', 'relu', None)", (0, "fan_out", "relu", None)),
        ("kaiming_uniform_(√5)", (math.sqrt(5),)),
        ("xavier_uniform_(2.0)", (2.0,)),
        ("xavier_normal_(calculate_gain('leaky_relu', 0.2))", (math.sqrt(2 / (1 + 0.2**2)),)),
    ],
)
def test_positional_torch_arguments_match_torch(sampler, text, args):
    function = text.split("(", 1)[0]
    assert_matches_torch(parse_init(text), sampler(function, *args))


@pytest.mark.torch
@pytest.mark.parametrize("alias", list(TORCH_ROWS))
def test_bare_names_are_torchs_deprecated_aliases(sampler, alias):
    with pytest.warns(FutureWarning):
        call = sampler(alias)
    assert_matches_torch(parse_init(alias), call)


@pytest.mark.torch
@pytest.mark.parametrize(
    ("function", "kwargs", "text"),
    [
        ("kaiming_normal_", {"mode": "fan_avg"}, "kaiming_normal_(mode='fan_avg')"),
        ("kaiming_uniform_", {"nonlinearity": "gelu"}, "kaiming_uniform_(nonlinearity='gelu')"),
        ("kaiming_uniform_", {"nonlinearity": "ReLU"}, "kaiming_uniform_(nonlinearity='ReLU')"),
        ("kaiming_uniform_", {"nonlinearity": "identity"}, "kaiming_uniform_(nonlinearity='identity')"),
        ("kaiming_uniform_", {"a": True}, "kaiming_uniform_(a=True)"),
        ("xavier_uniform_", {"gain": -1.0}, "xavier_uniform_(gain=-1)"),
        ("xavier_normal_", {"gain": -1.0}, "xavier_normal_(gain=-1)"),
    ],
)
def test_torch_refuses_what_we_refuse(torch, function, kwargs, text):
    with pytest.raises((ValueError, RuntimeError)):
        getattr(torch.nn.init, function)(torch.empty(SHAPE), **kwargs)
    refused(text)
