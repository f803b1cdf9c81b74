"""Streaming moments (exact merge) and the theoretical laws, checked from first principles."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest

from glorotcalc.stats import Moments, Scratch, chunk_moments, law, normal_cdf, truncated_normal_moments

# Keras's VarianceScaling divides by this literal for distribution="truncated_normal"
# (keras/src/initializers/random_initializers.py): the std of N(0, 1) truncated to (−2, 2).
KERAS_TRUNCATED_STD = 0.87962566103423978


def central_sums(values: list[float]) -> tuple[float, float, float, float]:
    """Two-pass mean and Σd², Σd³, Σd⁴ in plain Python (math.fsum)."""
    mean = math.fsum(values) / len(values)
    d = [v - mean for v in values]
    return mean, math.fsum(x**2 for x in d), math.fsum(x**3 for x in d), math.fsum(x**4 for x in d)


def simpson(f, a: float, b: float, steps: int = 2000) -> float:
    """Composite Simpson rule (error ∝ h⁴: ~1e-14 here for these smooth integrands)."""
    h = (b - a) / steps
    total = f(a) + f(b)
    total += 4 * math.fsum(f(a + (2 * i - 1) * h) for i in range(1, steps // 2 + 1))
    total += 2 * math.fsum(f(a + 2 * i * h) for i in range(1, steps // 2))
    return total * h / 3


def phi(z: float) -> float:
    return math.exp(-z * z / 2) / math.sqrt(2 * math.pi)


def test_moments_of_small_sample_by_hand():
    """[1, 2, 3, 4]: mean 2.5, deviations ±0.5, ±1.5 → M2 = 5, M3 = 0, M4 = 10.25."""
    m = Moments.of([1.0, 2.0, 3.0, 4.0])
    assert (m.n, m.mean, m.m2, m.m3, m.m4, m.min, m.max) == (4, 2.5, 5.0, 0.0, 10.25, 1.0, 4.0)
    assert m.variance == 1.25
    assert m.excess_kurtosis == pytest.approx(4 * 10.25 / 25 - 3)


def test_empty_moments_and_merge_identity():
    empty = Moments()
    assert math.isnan(empty.variance) and math.isnan(empty.excess_kurtosis)
    some = Moments.of([3.0, 5.0])
    assert empty.merge(some) == some and some.merge(empty) == some
    assert Moments.of([]) == empty


@pytest.mark.parametrize("shift", [0.0, 5.0, -1e3])
def test_chunked_merge_equals_one_shot(shift):
    """Merging arbitrary chunks (Chan et al.) equals the two-pass moments of the whole sample.

    Data with a mean far from 0 (shift) exercises the delta terms; float64 rounding bounds the
    difference at ~1e-12 relative.
    """
    rnd = random.Random(7)
    values = [shift + rnd.gauss(0, 1) + rnd.random() ** 3 for _ in range(5000)]
    merged = Moments()
    start = 0
    for size in (1, 2, 997, 3, 1500, 2497):
        merged = merged.merge(Moments.of(values[start : start + size]))
        start += size
    assert start == len(values)
    mean, m2, m3, m4 = central_sums(values)
    assert merged.n == len(values)
    assert merged.mean == pytest.approx(mean, rel=1e-13, abs=1e-13)
    assert merged.m2 == pytest.approx(m2, rel=1e-11)
    assert merged.m3 == pytest.approx(m3, rel=1e-8, abs=1e-8 * m2**1.5)
    assert merged.m4 == pytest.approx(m4, rel=1e-10)
    assert (merged.min, merged.max) == (min(values), max(values))


def test_from_power_sums_matches_centred_moments():
    """Raw sums Σxᵏ about 0 of a zero-mean sample give the central moments (binomial expansion)."""
    rnd = random.Random(3)
    values = [rnd.gauss(0, 0.05) for _ in range(4000)]
    sums = [math.fsum(v**k for v in values) for k in range(1, 5)]
    m = Moments.from_power_sums(len(values), *sums, min(values), max(values))
    mean, m2, m3, m4 = central_sums(values)
    assert m.mean == pytest.approx(mean, rel=1e-12)
    assert m.m2 == pytest.approx(m2, rel=1e-12)
    assert m.m3 == pytest.approx(m3, rel=1e-9, abs=1e-12 * m2**1.5)
    assert m.m4 == pytest.approx(m4, rel=1e-12)
    assert Moments.from_power_sums(0, 0, 0, 0, 0, math.inf, -math.inf) == Moments()


def test_moments_of_numpy_float32_chunk():
    chunk = np.array([0.5, -0.25, 0.125], dtype=np.float32)
    m = Moments.of(chunk)
    assert m.n == 3 and m.mean == pytest.approx(0.375 / 3)
    assert m.max == 0.5 and m.min == -0.25


def test_truncated_moments_by_numerical_integration():
    """E[z²], E[z⁴] of N(0,1) cut at ±2, against Simpson integration of zᵏφ(z)/P(|z|≤2)."""
    mass = simpson(phi, -2, 2)
    second = simpson(lambda z: z * z * phi(z), -2, 2) / mass
    fourth = simpson(lambda z: z**4 * phi(z), -2, 2) / mass
    ours = truncated_normal_moments(2.0)
    assert ours[0] == pytest.approx(second, rel=1e-12)
    assert ours[1] == pytest.approx(fourth, rel=1e-12)


def test_truncated_law_matches_keras_definition():
    """Keras/JAX: σ = √Var / 0.87962566…, cut at ±2σ; the realized variance is σ²·E[z²|≤2] = Var.

    So 0.87962566… must be √E[z²|≤2] (to Keras's 17 digits), the kurtosis is E[z⁴]/E[z²]² ≈ 2.37
    (excess ≈ −0.63), and the support 2σ = 2/0.8796·√Var = 2.2737·√Var.
    """
    second, fourth = truncated_normal_moments(2.0)
    assert math.sqrt(second) == pytest.approx(KERAS_TRUNCATED_STD, rel=1e-15)
    truncated = law("truncated")
    assert truncated.kurtosis == pytest.approx(fourth / second**2, rel=1e-15)
    assert truncated.excess_kurtosis == pytest.approx(-0.6344633, abs=1e-6)
    assert truncated.support == pytest.approx(2 / KERAS_TRUNCATED_STD, rel=1e-15)
    assert round(truncated.support, 4) == 2.2737


def test_uniform_and_normal_laws():
    """U(−√3, √3) has variance 1 and kurtosis (√3)⁴/5 / 1 = 9/5; N(0,1) has kurtosis 3."""
    uniform, normal = law("uniform"), law("normal")
    assert uniform.support == math.sqrt(3) and uniform.kurtosis == 1.8
    assert uniform.excess_kurtosis == pytest.approx(-1.2)
    assert normal.support is None and normal.excess_kurtosis == 0.0
    assert uniform.cdf(-2) == 0.0 and uniform.cdf(2) == 1.0
    assert uniform.cdf(1.0) == pytest.approx((1 + math.sqrt(3)) / (2 * math.sqrt(3)))


def test_beyond_two_std():
    """P(|t| > 2): uniform 0 (√3 < 2); normal erfc(√2) = 0.0455003; truncated
    (Φ(2) − Φ(2c))·2 / (Φ(2) − Φ(−2)) with c = 0.8796…: |w| > 2·std ⇔ |z| > 2c."""
    assert law("uniform").beyond(2) == 0.0
    assert law("normal").beyond(2) == pytest.approx(0.04550026389635841, rel=1e-12)
    c = KERAS_TRUNCATED_STD
    expected = 2 * (normal_cdf(2) - normal_cdf(2 * c)) / (normal_cdf(2) - normal_cdf(-2))
    assert law("truncated").beyond(2) == pytest.approx(expected, rel=1e-12)
    assert law("truncated").beyond(2.3) == 0.0


def test_truncated_cdf_by_integration():
    """CDF of the unit-variance truncated law at t: ∫ φ over [−2, t·c] / P(|z| ≤ 2)."""
    c = KERAS_TRUNCATED_STD
    mass = simpson(phi, -2, 2)
    for t in (-2.0, -1.0, 0.0, 0.5, 1.7):
        expected = simpson(phi, -2, t * c) / mass
        assert law("truncated").cdf(t) == pytest.approx(expected, rel=1e-10, abs=1e-13)
    assert law("truncated").cdf(-3) == 0.0 and law("truncated").cdf(3) == 1.0


@pytest.mark.parametrize(("distribution", "kurtosis"), [("uniform", 1.8), ("normal", 3.0)])
def test_rel_se_of_std(distribution, kurtosis):
    """rel. SE of a sample std ≈ √((κ−1)/(4n)): normal 1/√(2n), uniform √(0.2/n)."""
    n = 10_000
    assert law(distribution).rel_se_of_std(n) == pytest.approx(math.sqrt((kurtosis - 1) / (4 * n)))


# ── scale-free moments: values up to 1.8e308 and down to subnormals, no warnings ──────────────────


@pytest.mark.parametrize("scale", [1e-310, 1e-200, 1e-100, 1.0, 1e100, 1e200, 1e300])
def test_moments_are_scale_free(scale):
    """The moments of s·v are s times (s² …) those of v for any s float64 holds: the mean and std
    scale exactly (powers-of-two units), the kurtosis and skewness do not change, nothing
    overflows, underflows to 0 or warns (pytest turns warnings into errors)."""
    rnd = random.Random(11)
    unit = [rnd.gauss(0, 1) + rnd.random() ** 3 for _ in range(3000)]
    base = Moments.of(unit)
    m = Moments.of(np.array(unit) * scale)
    assert m.n == base.n
    assert m.mean == pytest.approx(base.mean * scale, rel=1e-9 if scale > 1e-300 else 1e-5)
    assert m.std == pytest.approx(base.std * scale, rel=1e-12 if scale > 1e-300 else 1e-5)
    assert m.excess_kurtosis == pytest.approx(base.excess_kurtosis, rel=1e-10 if scale > 1e-300 else 1e-4)
    assert m.skewness == pytest.approx(base.skewness, rel=1e-9 if scale > 1e-300 else 1e-4)
    assert (m.min, m.max) == (float(np.min(np.array(unit) * scale)), float(np.max(np.array(unit) * scale)))


def test_moments_at_the_float_limits():
    """±1.7e308 (whose squares overflow), subnormal values, their merge with ordinary chunks."""
    huge = Moments.of([1.7e308, -1.7e308, 1.7e308, -1.7e308])
    assert huge.mean == 0.0 and huge.std == 1.7e308
    assert huge.excess_kurtosis == pytest.approx(1 - 3)  # two points: m4/m2² = 1
    assert huge.variance == math.inf and huge.m4 == math.inf  # beyond float64, as they are
    tiny = Moments.of([5e-324, 1e-323, 1.5e-323, 2e-323])  # subnormals: 1, 2, 3, 4 × 2⁻¹⁰⁷⁴
    unit = Moments.of([1.0, 2.0, 3.0, 4.0])
    assert tiny.mean == pytest.approx(unit.mean * 5e-324, rel=0.2)
    assert tiny.excess_kurtosis == pytest.approx(unit.excess_kurtosis, rel=1e-12)
    merged = Moments.of([1.0, 2.0]).merge(Moments.of([1e300, 3e300]))
    assert merged.mean == pytest.approx(1e300, rel=1e-15)
    assert merged.std == pytest.approx(math.sqrt(1.5) * 1e300, rel=1e-12)  # deviations −1, −1, 0, 2 (×1e300)
    both = Moments.of([1e-300, 2e-300]).merge(Moments.of([3e-300, 4e-300]))
    assert both.excess_kurtosis == pytest.approx(unit.excess_kurtosis, rel=1e-12)
    assert both.std == pytest.approx(unit.std * 1e-300, rel=1e-12)


def test_merge_in_any_unit_equals_one_shot():
    """Chunks of very different magnitude merge (in the larger unit) to the one-shot moments."""
    rnd = random.Random(5)
    chunks = [[rnd.gauss(0, s) for _ in range(500)] for s in (1e-3, 1.0, 1e3, 1e-3)]
    merged = Moments()
    for chunk in chunks:
        merged = merged.merge(Moments.of(chunk))
    values = [v for chunk in chunks for v in chunk]
    mean, m2, _, m4 = central_sums(values)
    assert merged.mean == pytest.approx(mean, rel=1e-12, abs=1e-12)
    assert merged.m2 == pytest.approx(m2, rel=1e-12)
    assert merged.m4 == pytest.approx(m4, rel=1e-11)


def test_power_sums_in_a_power_of_two_unit():
    """from_power_sums with exp: the sums of x/2^exp give the moments of x."""
    rnd = random.Random(3)
    values = [rnd.gauss(0, 1e120) for _ in range(1000)]
    exp = 400  # 2^400 ≈ 2.6e120
    sums = [math.fsum((v / 2.0**exp) ** k for v in values) for k in range(1, 5)]
    m = Moments.from_power_sums(len(values), *sums, min(values), max(values), exp)
    mean, m2, _, _ = central_sums([v / 2.0**exp for v in values])
    assert m.mean == pytest.approx(mean * 2.0**exp, rel=1e-9)
    assert m.std == pytest.approx(math.sqrt(m2 / len(values)) * 2.0**exp, rel=1e-12)
    assert m.m4 == math.inf  # (1e120)⁴ · 1000 is beyond float64; the kurtosis is not
    assert math.isfinite(m.excess_kurtosis) and abs(m.excess_kurtosis) < 0.5


# ── chunk_moments: the audit's fused reduction ─────────────────────────────────────────────────────


def assert_moments_match(m: Moments, values: list[float], rel: float) -> None:
    mean, m2, m3, m4 = central_sums(values)
    n = len(values)
    std = math.sqrt(m2 / n)
    assert m.n == n
    assert m.mean == pytest.approx(mean, abs=rel * std)
    assert m.std == pytest.approx(std, rel=rel)
    assert m.skewness == pytest.approx(math.sqrt(n) * m3 / m2**1.5, abs=rel)
    assert m.excess_kurtosis == pytest.approx(n * m4 / m2**2 - 3, abs=rel)
    assert (m.min, m.max) == (min(values), max(values))


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
@pytest.mark.parametrize(("offset", "spread"), [(0.0, 0.03), (5.0, 1e-3), (-2.0, 4.0)])
def test_chunk_moments_equal_two_pass_sums(dtype, offset, spread):
    """Several steps (step 1000 over 10,007 values), a mean far from 0 relative to the spread:
    float64 values' shifted float64 sums agree with fsum's two-pass moments to 1e-9 (their bound
    is ~1e-14). float32/float16 values are summed in float32 (step 2000, n/k = 5): the documented
    bounds, each sum ≤ 31u·Σ|d|ᵏ with u = 2⁻²⁴ and the centring's factor 1 + n/k = 6, give the
    std to 6·31u/2 ≈ 5.5e-6 and the shape statistics to ≈ 2·6·31u·κ ≈ 7e-5 here (κ = 3): 1e-4."""
    rnd = random.Random(7)
    values = np.array([offset + spread * rnd.gauss(0, 1) for _ in range(10_007)], dtype=dtype)
    m, nonfinite = chunk_moments(values, Scratch(1000))
    assert nonfinite == 0
    rel = 1e-9 if dtype == "float64" else 1e-4
    assert_moments_match(m, values.astype(np.float64).tolist(), rel)
    if dtype != "float64":
        _, m2, _, _ = central_sums(values.astype(np.float64).tolist())
        assert m.std == pytest.approx(math.sqrt(m2 / values.size), rel=6e-6)


def test_chunk_moments_of_float32_agree_with_a_float64_pass():
    """10⁶ float32 Glorot-uniform-like values (8 float32 steps): the float32 passes agree with the
    float64 ones on the same values within the documented bounds — std to 1e-6 (mean shift
    ≈ 0: 15u), mean to 3e-6·std, excess kurtosis and skewness to 2e-5."""
    values = np.random.default_rng(11).uniform(-0.05, 0.05, 1 << 20).astype(np.float32)
    narrow, _ = chunk_moments(values)
    wide, _ = chunk_moments(values.astype(np.float64))
    assert narrow.std == pytest.approx(wide.std, rel=1e-6)
    assert abs(narrow.mean - wide.mean) <= 3e-6 * wide.std
    assert narrow.excess_kurtosis == pytest.approx(wide.excess_kurtosis, abs=2e-5)
    assert narrow.skewness == pytest.approx(wide.skewness, abs=2e-5)
    assert (narrow.min, narrow.max) == (wide.min, wide.max)


def test_chunk_moments_with_a_shift_far_from_the_mean():
    """The first step (the shift) is all zeros, the rest near 1 with a tiny spread: the centring
    bound (c − mean)²/variance ≤ n/k keeps the std exact to 1e-9 all the same."""
    rnd = random.Random(2)
    values = [0.0] * 1000 + [1.0 + 1e-7 * rnd.gauss(0, 1) for _ in range(15_000)]
    m, _ = chunk_moments(np.array(values), Scratch(1000))
    assert_moments_match(m, values, 1e-9)


def test_chunk_moments_count_nonfinite_apart():
    values = np.array([1.0, np.nan, 2.0, np.inf, 3.0, -np.inf], np.float32)
    m, nonfinite = chunk_moments(values)
    assert nonfinite == 3
    assert_moments_match(m, [1.0, 2.0, 3.0], 1e-12)
    empty, bad = chunk_moments(np.array([np.nan, np.nan]))
    assert (empty.n, bad) == (0, 2)


@pytest.mark.parametrize("scale", [1e-300, 1e250, 1.5e307])
def test_chunk_moments_at_extreme_scales(scale):
    """Beyond 2^±200 the values are taken in units of a power of two: finite, warning-free moments
    whose mean/std scale exactly and whose shape statistics equal the unit-scale ones."""
    rnd = random.Random(4)
    unit = [rnd.gauss(0, 1) for _ in range(5000)]
    m, _ = chunk_moments(np.array(unit) * scale, Scratch(1024))
    base, _ = chunk_moments(np.array(unit), Scratch(1024))
    assert m.std == pytest.approx(base.std * scale, rel=1e-12)
    assert m.excess_kurtosis == pytest.approx(base.excess_kurtosis, abs=1e-12)
    assert m.skewness == pytest.approx(base.skewness, abs=1e-12)


def test_chunk_moments_constant():
    m, _ = chunk_moments(np.full(70_000, 0.1, np.float32))
    assert m.std == 0.0 and m.mean == float(np.float32(0.1)) and m.n == 70_000


@pytest.mark.parametrize("scale", [1e-30, 1e30, 3e37])
def test_float32_chunk_moments_beyond_two_to_the_24(scale):
    """float32 values beyond 2^±24 are taken in units of a power of two before the float32 passes
    (d⁴ of 1e30 would overflow float32, of 1e-30 vanish): finite moments equal to the unit-scale
    ones scaled (a power of two is exact, so only the last bits of the float32 rounding of
    `unit × scale` differ: 1e-6)."""
    unit = np.random.default_rng(5).standard_normal(50_000).astype(np.float32)
    scaled = (unit.astype(np.float64) * scale).astype(np.float32)
    m, _ = chunk_moments(scaled)
    wide, _ = chunk_moments(scaled.astype(np.float64))
    assert math.isfinite(m.excess_kurtosis) and math.isfinite(m.std)
    assert m.std == pytest.approx(wide.std, rel=1e-6)
    assert m.excess_kurtosis == pytest.approx(wide.excess_kurtosis, abs=2e-5)
