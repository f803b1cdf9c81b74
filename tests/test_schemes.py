"""variance_scaling and the named schemes, with every expectation written as its formula.

Var = scale/n, n = fan_in | fan_out | (fan_in+fan_out)/2 | √(fan_in·fan_out);
uniform bound = √(3·Var); normal std = √Var; truncated σ = √Var / 0.87962566103423978.
"""

from __future__ import annotations

import math

import pytest

from glorotcalc.errors import GlorotcalcError, UsageError
from glorotcalc.gain import Activation, Gain
from glorotcalc.schemes import (
    TRUNCATED_STD,
    glorot,
    he,
    lecun,
    recommended_scheme,
    scheme_stats,
    variance_scaling,
)

REL = 1e-15
TRUNCATED_LITERAL = 0.87962566103423978  # std of N(0, 1) truncated to (−2, 2)
FANS = [(784, 256), (256, 784), (1, 1), (27, 576), (3, 10**9)]
MODES_N = {
    "fan_in": lambda fi, fo: fi,
    "fan_out": lambda fi, fo: fo,
    "fan_avg": lambda fi, fo: (fi + fo) / 2,
    "fan_geo_avg": lambda fi, fo: math.sqrt(fi * fo),
}


def check(stats, variance: float, distribution: str) -> None:
    """`stats` carries Var and the parameter `distribution` derives from it."""
    std = math.sqrt(variance)
    assert stats.variance == pytest.approx(variance, rel=REL)
    assert stats.std == pytest.approx(std, rel=REL)
    assert stats.distribution == distribution
    if distribution == "uniform":
        assert stats.bound == pytest.approx(math.sqrt(3 * variance), rel=REL)
        assert stats.sampler_std is None
        assert stats.value == stats.support == stats.bound
    elif distribution == "normal":
        assert stats.sampler_std == pytest.approx(std, rel=REL)
        assert stats.bound is None and stats.support is None
        assert stats.value == stats.sampler_std
    else:
        sigma = std / TRUNCATED_LITERAL
        assert stats.sampler_std == pytest.approx(sigma, rel=REL)
        assert stats.bound is None
        assert stats.support == pytest.approx(2 * sigma, rel=REL)
        assert stats.value == stats.sampler_std


# --- the exact pins -------------------------------------------------------------------


def test_glorot_normal_784_256_pin():
    stats = scheme_stats("glorot", 784, 256, "normal")
    assert stats.std == pytest.approx(math.sqrt(2.0 / (784 + 256)), rel=REL)
    assert stats.std == pytest.approx(0.04385290096535146, rel=REL)


def test_he_uniform_784_256_pin():
    stats = scheme_stats("he", 784, 256, "uniform")
    assert stats.bound == pytest.approx(math.sqrt(6.0 / 784), rel=REL)
    assert stats.bound == pytest.approx(0.08748177652797065, rel=REL)


def test_module_docstring_example():
    stats = variance_scaling(784, 256, scale=1.0, mode="fan_avg", distribution="normal")
    assert stats.std == pytest.approx(0.04385290096535146, rel=REL)


# --- TRUNCATED_STD ------------------------------------------------------------------------------


def test_truncated_std_equals_the_literal():
    assert math.isclose(TRUNCATED_STD, TRUNCATED_LITERAL, rel_tol=2**-52, abs_tol=0)


def truncated_moment(power: int, cut: float = 2.0, terms: int = 80) -> float:
    """∫₀^cut z^power·e^(−z²/2) dz by the Taylor series of the exponential (no erf):
    Σₙ (−½)ⁿ/n! · cut^(2n+power+1)/(2n+power+1)."""
    return math.fsum(
        (-0.5) ** n / math.factorial(n) * cut ** (2 * n + power + 1) / (2 * n + power + 1)
        for n in range(terms)
    )


def test_truncated_std_by_an_independent_series():
    """Var of N(0,1) on (−2, 2) = ∫z²φ / ∫φ; the 1/√(2π) and the symmetric halves cancel."""
    independent = math.sqrt(truncated_moment(2) / truncated_moment(0))
    assert math.isclose(independent, TRUNCATED_LITERAL, rel_tol=1e-15, abs_tol=0)
    assert math.isclose(TRUNCATED_STD, independent, rel_tol=1e-15, abs_tol=0)


def test_truncated_std_by_simpson_integration():
    """Composite Simpson on (0, 2), 2000 intervals: error ~ h⁴ ≈ 1e-11, so compare to 1e-10."""
    intervals, cut = 2000, 2.0
    h = cut / intervals

    def simpson(f):
        inner = sum((4 if i % 2 else 2) * f(i * h) for i in range(1, intervals))
        return h / 3 * (f(0.0) + inner + f(cut))

    second = simpson(lambda z: z * z * math.exp(-z * z / 2))
    mass = simpson(lambda z: math.exp(-z * z / 2))
    assert math.sqrt(second / mass) == pytest.approx(TRUNCATED_STD, rel=1e-10)


# --- variance_scaling: every mode × distribution ------------------------------------------------


@pytest.mark.parametrize("distribution", ["uniform", "normal", "truncated"])
@pytest.mark.parametrize("mode", list(MODES_N))
@pytest.mark.parametrize(("fan_in", "fan_out"), FANS)
@pytest.mark.parametrize("scale", [1.0, 2.0, 0.1])
def test_variance_scaling(fan_in, fan_out, mode, distribution, scale):
    stats = variance_scaling(fan_in, fan_out, scale=scale, mode=mode, distribution=distribution)
    n = MODES_N[mode](fan_in, fan_out)
    assert stats.n == pytest.approx(n, rel=REL)
    assert (stats.fan_in, stats.fan_out, stats.mode, stats.scale) == (fan_in, fan_out, mode, scale)
    assert stats.gain == pytest.approx(math.sqrt(scale), rel=REL)
    check(stats, scale / n, distribution)


# --- the named schemes: every scheme × distribution (× mode for he, lecun) ---------------------


@pytest.mark.parametrize("distribution", ["uniform", "normal", "truncated"])
@pytest.mark.parametrize(("fan_in", "fan_out"), FANS)
def test_glorot(fan_in, fan_out, distribution):
    stats = scheme_stats("glorot", fan_in, fan_out, distribution)
    assert (stats.scheme, stats.mode, stats.gain) == ("glorot", "fan_avg", 1.0)
    check(stats, 2.0 / (fan_in + fan_out), distribution)


@pytest.mark.parametrize("distribution", ["uniform", "normal", "truncated"])
@pytest.mark.parametrize(("fan_in", "fan_out"), FANS)
def test_he(fan_in, fan_out, distribution):
    stats = scheme_stats("he", fan_in, fan_out, distribution)
    assert (stats.scheme, stats.mode, stats.scale) == ("he", "fan_in", 2.0)
    assert stats.gain == math.sqrt(2.0)
    check(stats, 2.0 / fan_in, distribution)


@pytest.mark.parametrize("distribution", ["uniform", "normal", "truncated"])
@pytest.mark.parametrize(("fan_in", "fan_out"), FANS)
def test_lecun(fan_in, fan_out, distribution):
    stats = scheme_stats("lecun", fan_in, fan_out, distribution)
    assert (stats.scheme, stats.mode, stats.gain) == ("lecun", "fan_in", 1.0)
    check(stats, 1.0 / fan_in, distribution)


@pytest.mark.parametrize("distribution", ["uniform", "normal", "truncated"])
@pytest.mark.parametrize("mode", list(MODES_N))
@pytest.mark.parametrize(("scheme", "scale"), [("he", 2.0), ("lecun", 1.0)])
def test_fan_in_schemes_in_every_mode(scheme, scale, mode, distribution):
    stats = scheme_stats(scheme, 784, 256, distribution, mode=mode)
    assert stats.mode == mode
    check(stats, scale / MODES_N[mode](784, 256), distribution)


@pytest.mark.parametrize("distribution", ["uniform", "normal", "truncated"])
@pytest.mark.parametrize("scheme", ["glorot", "he", "lecun"])
def test_an_explicit_gain_sets_scale_to_gain_squared(scheme, distribution):
    gain = 1.5
    stats = scheme_stats(scheme, 784, 256, distribution, gain=Gain(gain, "--gain"))
    n = {"glorot": (784 + 256) / 2, "he": 784, "lecun": 784}[scheme]
    assert (stats.gain, stats.gain_source) == (gain, "--gain")
    check(stats, gain**2 / n, distribution)


def test_tanh_gain_with_glorot():
    stats = scheme_stats("glorot", 784, 256, "uniform", gain=Gain(5 / 3, "torch tanh"))
    assert stats.bound == pytest.approx(5 / 3 * math.sqrt(6.0 / (784 + 256)), rel=REL)


@pytest.mark.parametrize(("alias", "name"), [("xavier", "glorot"), ("kaiming", "he"), ("XAVIER", "glorot")])
def test_aliases(alias, name):
    stats = scheme_stats(alias, 784, 256, "normal")
    assert stats.scheme == name
    assert stats.std == scheme_stats(name, 784, 256, "normal").std


def test_named_helpers():
    assert glorot(784, 256).bound == pytest.approx(math.sqrt(6.0 / (784 + 256)), rel=REL)
    assert glorot(784, 256, "normal", gain=2.0).std == pytest.approx(2 * math.sqrt(2 / 1040), rel=REL)
    assert he(784, 256).std == pytest.approx(math.sqrt(2.0 / 784), rel=REL)
    assert he(784, 256, "uniform", mode="fan_out").bound == pytest.approx(math.sqrt(6.0 / 256), rel=REL)
    assert lecun(784, 256).std == pytest.approx(math.sqrt(1.0 / 784), rel=REL)


def test_truncated_support_is_2_2737_sqrt_var():
    """|w| ≤ 2σ = 2·√Var/0.8796 ≈ 2.2737·√Var."""
    stats = scheme_stats("glorot", 784, 256, "truncated")
    assert stats.support / stats.std == pytest.approx(2 / TRUNCATED_LITERAL, rel=REL)
    assert stats.support / stats.std == pytest.approx(2.2737, abs=5e-5)


# --- errors ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"distribution": "gaussian"},
            "distribution 'gaussian': use one of uniform, normal, truncated",
        ),
        ({"mode": "fan_mid"}, "mode 'fan_mid': use one of fan_in, fan_out, fan_avg, fan_geo_avg"),
        ({"scale": 0.0}, "scale 0.0: must be a positive finite number"),
        ({"scale": -1.0}, "scale -1.0: must be a positive finite number"),
        ({"scale": math.inf}, "scale inf: must be a positive finite number"),
        ({"scale": math.nan}, "scale nan: must be a positive finite number"),
    ],
)
def test_variance_scaling_errors(kwargs, message):
    with pytest.raises(UsageError) as info:
        variance_scaling(784, 256, **kwargs)
    assert str(info.value) == message


@pytest.mark.parametrize(("fan_in", "fan_out", "what"), [(0, 256, "fan_in 0"), (784, -1, "fan_out -1")])
def test_fans_must_be_positive(fan_in, fan_out, what):
    with pytest.raises(UsageError, match=f"^{what}: must be a positive integer$"):
        variance_scaling(fan_in, fan_out)


def test_unknown_scheme_lists_the_valid_ones():
    with pytest.raises(UsageError) as info:
        scheme_stats("orthogonal", 784, 256, "normal")
    assert str(info.value) == "scheme 'orthogonal': use one of glorot, he, lecun, xavier, kaiming"


@pytest.mark.parametrize("value", [1e200, 1e-200])
def test_gain_outside_float_range_is_an_error(value):
    """gain² overflows (or underflows) a float: refused, naming the gain, not a traceback."""
    with pytest.raises(UsageError) as info:
        scheme_stats("he", 784, 256, "normal", gain=Gain(value, "--gain"))
    assert str(info.value) == (
        f"gain {value!r} from --gain: gain² is outside float range (use 1e-150 … 1e150)"
    )


@pytest.mark.parametrize("value", [1e-150, 1e150])
def test_the_gain_range_limits_are_accepted(value):
    stats = scheme_stats("lecun", 784, 256, "normal", gain=Gain(value, "--gain"))
    assert stats.std == pytest.approx(value / math.sqrt(784), rel=REL)


def test_variance_underflow_is_a_domain_error():
    with pytest.raises(GlorotcalcError) as info:
        variance_scaling(2**62, 2**62, scale=1e-310, mode="fan_in")
    assert info.value.exit_code == 1
    assert "underflows to 0" in str(info.value)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("relu", ("he", None)),
        ("leaky_relu", ("he", None)),
        ("gelu", ("he", None)),
        ("tanh", ("glorot", None)),
        ("sigmoid", ("glorot", None)),
        ("linear", ("glorot", None)),
        ("selu", ("lecun", "normal")),
    ],
)
def test_recommended_scheme(name, expected):
    assert recommended_scheme(Activation(name)) == expected
