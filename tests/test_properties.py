"""Properties of variance scaling that hold for every fan, gain and scheme (Hypothesis).

Strategies are bounded: fans up to 10⁹ (larger than any real layer), gains 10⁻³ … 10³, so every
quantity stays far from float overflow and underflow. `@example` pins the issue's layer.
"""

from __future__ import annotations

import math

from hypothesis import example, given
from hypothesis import strategies as st

from glorotcalc.fans import compute_fans
from glorotcalc.gain import Gain
from glorotcalc.schemes import TRUNCATED_STD, scheme_stats, variance_scaling

REL = 1e-15
TRUNCATED_LITERAL = 0.87962566103423978

fans = st.integers(min_value=1, max_value=10**9)
gains = st.floats(min_value=1e-3, max_value=1e3, allow_nan=False, allow_infinity=False)
schemes = st.sampled_from(["glorot", "he", "lecun"])
modes = st.sampled_from(["fan_in", "fan_out", "fan_avg", "fan_geo_avg"])
factors = st.integers(min_value=1, max_value=1000)
kernels = st.lists(st.integers(min_value=1, max_value=7), max_size=3)


def close(a: float, b: float, rel: float = REL) -> bool:
    return math.isclose(a, b, rel_tol=rel, abs_tol=0.0)


@given(fan_in=fans, fan_out=fans, scheme=schemes, gain=gains, mode=modes)
@example(fan_in=784, fan_out=256, scheme="he", gain=math.sqrt(2), mode="fan_in")
@example(fan_in=1, fan_out=1, scheme="glorot", gain=1.0, mode="fan_avg")
def test_uniform_bound_is_root_three_std(fan_in, fan_out, scheme, gain, mode):
    """U(−a, a) has variance a²/3, so a = √3·std for every scheme, gain and mode."""
    stats = scheme_stats(scheme, fan_in, fan_out, "uniform", gain=Gain(gain, "test"), mode=mode)
    assert close(stats.bound, math.sqrt(3) * stats.std)


@given(fan_in=fans, fan_out=fans, other_fan_out=fans, distribution=st.sampled_from(["uniform", "normal"]))
@example(fan_in=784, fan_out=256, other_fan_out=10, distribution="uniform")
def test_he_ignores_fan_out_in_fan_in_mode(fan_in, fan_out, other_fan_out, distribution):
    one = scheme_stats("he", fan_in, fan_out, distribution)
    other = scheme_stats("he", fan_in, other_fan_out, distribution)
    assert one.variance == other.variance == 2.0 / fan_in
    assert one.value == other.value


@given(fan_in=fans, fan_out=fans, k=factors, scheme=schemes, mode=modes)
@example(fan_in=784, fan_out=256, k=4, scheme="glorot", mode="fan_avg")
@example(fan_in=1, fan_out=10**9, k=1000, scheme="lecun", mode="fan_geo_avg")
def test_scaling_both_fans_by_k_scales_std_by_inverse_root_k(fan_in, fan_out, k, scheme, mode):
    """Var = scale/n and n is homogeneous of degree 1 in the fans, so std(k·fans) = std/√k."""
    base = scheme_stats(scheme, fan_in, fan_out, "normal", mode=mode)
    scaled = scheme_stats(scheme, k * fan_in, k * fan_out, "normal", mode=mode)
    assert close(scaled.std, base.std / math.sqrt(k), rel=1e-14)


@given(
    fan_in=fans, fan_out=fans, gain=gains, distribution=st.sampled_from(["uniform", "normal", "truncated"])
)
@example(fan_in=784, fan_out=256, gain=1.0, distribution="normal")
def test_glorot_is_symmetric_in_the_fans(fan_in, fan_out, gain, distribution):
    forward = scheme_stats("glorot", fan_in, fan_out, distribution, gain=Gain(gain, "test"))
    backward = scheme_stats("glorot", fan_out, fan_in, distribution, gain=Gain(gain, "test"))
    assert forward.variance == backward.variance
    assert forward.value == backward.value


@given(fan_in=fans, fan_out=fans, scheme=schemes, gain=gains)
@example(fan_in=784, fan_out=256, scheme="he", gain=math.sqrt(2))
def test_truncated_sampler_sigma_times_0_8796_is_the_std(fan_in, fan_out, scheme, gain):
    stats = scheme_stats(scheme, fan_in, fan_out, "truncated", gain=Gain(gain, "test"))
    assert close(stats.sampler_std * TRUNCATED_LITERAL, stats.std)
    assert close(stats.sampler_std * TRUNCATED_STD, stats.std)


@given(fan_in=fans, fan_out=fans, gain=gains)
@example(fan_in=784, fan_out=256, gain=1.0)
def test_glorot_matches_torchs_written_formula(fan_in, fan_out, gain):
    """torch: std = gain·√(2/(fan_in+fan_out)), a = √3·std — a different order of operations."""
    stats = scheme_stats("glorot", fan_in, fan_out, "uniform", gain=Gain(gain, "test"))
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    assert close(stats.std, std, rel=1e-15)
    assert close(stats.bound, math.sqrt(3.0) * std, rel=1e-15)


@given(fan_in=fans, fan_out=fans, scale=gains, mode=modes)
def test_he_is_lecun_with_twice_the_variance(fan_in, fan_out, scale, mode):
    he = variance_scaling(fan_in, fan_out, scale=2 * scale, mode=mode)
    lecun = variance_scaling(fan_in, fan_out, scale=scale, mode=mode)
    assert close(he.variance, 2 * lecun.variance)


@given(inp=st.integers(1, 4096), out=st.integers(1, 4096), kernel=kernels)
@example(inp=3, out=64, kernel=[3, 3])
def test_torch_and_keras_layouts_agree_on_the_same_layer(inp, out, kernel):
    """One layer: torch stores (out, in, *k), keras (*k, in, out); both give in·∏k, out·∏k."""
    receptive_field = math.prod(kernel)
    expected = (inp * receptive_field, out * receptive_field)
    assert compute_fans((out, inp, *kernel), "torch") == expected
    assert compute_fans((*kernel, inp, out), "keras") == expected
