"""The samplers' draws against the exact distributions (fixed seeds, tolerances from the SE).

Tolerances: for a sample of n draws, with the law standardized to unit variance (μₖ its k-th
moment, κ = μ₄ its kurtosis), the delta method gives
  - rel. SE of the sample std ≈ √((κ−1)/(4n));
  - SE of the sample kurtosis m₄/m₂² ≈ √((μ₈ − 4μ₆κ + 4κ³ − κ²)/n) for a symmetric law
    (normal: μ₆ = 15, μ₈ = 105 → √(24/n));
  - SE of a tail fraction p ≈ √(p(1−p)/n); SE of the mean = 1/√n (in std units).
Every check allows 5 SE (a false alarm once in ~1.7 million per check). The KS distance uses the
Dvoretzky–Kiefer–Wolfowitz bound P(D > ε) ≤ 2·exp(−2nε²): ε = √(ln(2/α)/(2n)) with α = 1e−6.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from glorotcalc import sampling
from glorotcalc.sampling import CHUNK, Plan, Sampler, Tally, draw, run_plan, tally_chunk
from glorotcalc.schemes import variance_scaling
from glorotcalc.stats import Moments

N = 1 << 20
TOL_SE = 5
KERAS_TRUNCATED_STD = 0.87962566103423978
DISTRIBUTIONS = ("uniform", "normal", "truncated")


def std_moments(distribution: str, k: int) -> float:
    """E[tᵏ] (k even) of the unit-variance law, written out.

    uniform on ±√3: 3^(k/2)/(k+1). normal: (k−1)!!. truncated: z cut at ±2 with
    E[zᵏ] = (k−1)·E[zᵏ⁻²] − 2·2ᵏ⁻¹·φ(2)/P(|z| ≤ 2) (integration by parts), divided by c^k.
    """
    if distribution == "uniform":
        return 3 ** (k / 2) / (k + 1)
    if distribution == "normal":
        return math.prod(range(k - 1, 0, -2))
    density = math.exp(-2) / math.sqrt(2 * math.pi)
    mass = math.erf(2 / math.sqrt(2))
    moment = 1.0
    for j in range(2, k + 1, 2):
        moment = (j - 1) * moment - 2 * 2 ** (j - 1) * density / mass
    return moment / KERAS_TRUNCATED_STD**k


def phi_cdf(x: float) -> float:
    return 0.5 * (1 + math.erf(x / math.sqrt(2)))


def exact_cdf(distribution: str, t: float) -> float:
    """CDF of the unit-variance law, written with math.erf."""
    if distribution == "uniform":
        return min(max((t + math.sqrt(3)) / (2 * math.sqrt(3)), 0.0), 1.0)
    if distribution == "normal":
        return phi_cdf(t)
    z = min(max(t * KERAS_TRUNCATED_STD, -2.0), 2.0)
    return (phi_cdf(z) - phi_cdf(-2)) / (phi_cdf(2) - phi_cdf(-2))


def support(distribution: str) -> float:
    return {"uniform": math.sqrt(3), "normal": math.inf, "truncated": 2 / KERAS_TRUNCATED_STD}[distribution]


def beyond_two(distribution: str) -> float:
    """P(|t| > 2) of the unit-variance law."""
    return 1 - (exact_cdf(distribution, 2.0) - exact_cdf(distribution, -2.0))


@pytest.fixture(scope="module", params=[(d, t) for d in DISTRIBUTIONS for t in ("float32", "float64")])
def sample(request):
    """(distribution, draws in std units, the std) for each distribution × dtype, seed 2024."""
    distribution, dtype = request.param
    stats = variance_scaling(300, 500, scale=2.0, mode="fan_avg", distribution=distribution)
    w = draw(stats, N, np.random.default_rng(2024), getattr(np, dtype))
    assert w.dtype == np.dtype(dtype) and w.shape == (N,)
    return distribution, w, stats


def test_std_within_five_se(sample):
    """|std/√Var − 1| ≤ 5·√((κ−1)/(4n))."""
    distribution, w, stats = sample
    kurtosis = std_moments(distribution, 4)
    rel_se = math.sqrt((kurtosis - 1) / (4 * N))
    std = float(np.std(w.astype(np.float64)))
    assert abs(std / stats.std - 1) <= TOL_SE * rel_se


def test_mean_within_five_se(sample):
    """|mean| ≤ 5·std/√n."""
    _, w, stats = sample
    assert abs(float(w.astype(np.float64).mean())) <= TOL_SE * stats.std / math.sqrt(N)


def test_kurtosis_within_five_se(sample):
    """Sample kurtosis m₄/m₂² within 5·√((μ₈ − 4μ₆κ + 4κ³ − κ²)/n) of κ (symmetric law)."""
    distribution, w, _ = sample
    mu4, mu6, mu8 = (std_moments(distribution, k) for k in (4, 6, 8))
    se = math.sqrt((mu8 - 4 * mu6 * mu4 + 4 * mu4**3 - mu4**2) / N)
    x = w.astype(np.float64)
    d = x - x.mean()
    kurtosis = float((d**4).mean() / (d**2).mean() ** 2)
    assert abs(kurtosis - mu4) <= TOL_SE * se


def test_fraction_beyond_two_std(sample):
    """Share of |w| > 2·√Var within 5·√(p(1−p)/n) of p (uniform: exactly 0, √3 < 2)."""
    distribution, w, stats = sample
    share = float(np.mean(np.abs(w.astype(np.float64)) > 2 * stats.std))
    p = beyond_two(distribution)
    if distribution == "uniform":
        assert share == 0.0
    else:
        assert abs(share - p) <= TOL_SE * math.sqrt(p * (1 - p) / N)


def test_support_is_never_exceeded(sample):
    """max |w| ≤ the bound a (uniform) or 2σ (truncated), exactly; the normal reaches past 4 std."""
    distribution, w, stats = sample
    top = float(np.abs(w.astype(np.float64)).max())
    if distribution == "uniform":
        assert top <= stats.bound
        assert top >= stats.bound * (1 - 10 / N)  # the top of U(−a, a) is within a·O(1/n) of a
    elif distribution == "truncated":
        assert top <= 2 * stats.sampler_std
        assert top >= 2 * stats.sampler_std * (1 - 1e-3)
    else:
        assert top > 4 * stats.std


def test_ks_distance_to_exact_cdf(sample):
    """Kolmogorov–Smirnov D = sup |F_n − F| ≤ √(ln(2/α)/(2n)), α = 1e−6 (DKW), F from math.erf."""
    distribution, w, stats = sample
    t = np.sort(w.astype(np.float64)[: N // 4]) / stats.std
    n = t.size
    cdf = np.array([exact_cdf(distribution, v) for v in t[::16]])
    rank = np.arange(0, n, 16)
    distance = max(np.max(np.abs(cdf - rank / n)), np.max(np.abs(cdf - (rank + 1) / n)))
    assert distance <= math.sqrt(math.log(2 / 1e-6) / (2 * n))


def test_box_muller_pairs_are_uncorrelated():
    """The two halves of a block are the cos and sin of the same draws: for independent normals,
    corr(z₁², z₂²) = 0 with SE 1/√m (m pairs); allow 5 SE."""
    stats = variance_scaling(100, 100, distribution="normal")
    w = draw(stats, sampling.BLOCK * 16, np.random.default_rng(5), np.float32).astype(np.float64)
    blocks = w.reshape(16, sampling.BLOCK)
    half = sampling.BLOCK // 2
    first, second = blocks[:, :half].ravel(), blocks[:, half:].ravel()
    m = first.size
    assert abs(np.corrcoef(first, second)[0, 1]) <= TOL_SE / math.sqrt(m)
    assert abs(np.corrcoef(first**2, second**2)[0, 1]) <= TOL_SE / math.sqrt(m)


def plan_for(distribution: str, n: int, *, hist: bool = False, dtype=np.float32) -> Plan:
    stats = variance_scaling(784, 256, mode="fan_avg", distribution=distribution)
    sampler = Sampler.of(stats, dtype)
    edges = (-sampler.limit, sampler.limit) if hist and sampler.limit < math.inf else None
    if hist and edges is None:
        edges = (-4 * stats.std, 4 * stats.std)
    return Plan(sampler, n, 11, (0, 0, DISTRIBUTIONS.index(distribution)), 2 * stats.std, edges)


def assert_same_tally(a: Tally, b: Tally) -> None:
    assert a.moments == b.moments  # bit-identical floats
    assert a.beyond == b.beyond
    assert (a.hist is None and b.hist is None) or np.array_equal(a.hist, b.hist)


@pytest.mark.slow
def test_statistics_bit_identical_for_any_thread_count():
    """Chunk i always draws from SeedSequence(seed, spawn_key=(…, i)) and tallies merge in chunk
    order, so 1, 2 and 3 threads give the same floats, bit for bit (truncated: the redraw path)."""
    plan = plan_for("truncated", 2 * CHUNK + 12_345, hist=True)
    one = run_plan(plan, 1)
    assert one.moments.n == plan.n and int(one.hist.sum()) == plan.n
    for threads in (2, 3):
        assert_same_tally(run_plan(plan, threads), one)


def test_streamed_statistics_equal_one_shot_moments():
    """The streamed power sums of two chunks equal `Moments.of` over the same draws, concatenated:
    each chunk's draws are `draw(stats, chunk size, chunk rng)` — the same transforms, block by block.
    Σx is a float64 sum of the float32 draws (exact products, float64 rounding only); Σx² sums
    q = fl32(x²) in float64: each term is off by at most 2⁻²⁴ of itself, so |ΔΣx²| ≤ 2⁻²⁴·Σx².
    Σx³ and Σx⁴ are float32 pairwise sums of fl32(q·x) and fl32(q·q) over blocks of 2¹⁷, merged in
    float64: two or three product roundings plus at most 15 + 3 + log₂(2¹⁷/128) = 28 additions a
    term, so |ΔΣx³| ≤ 31·2⁻²⁴·Σ|x|³ and |ΔΣx⁴| ≤ 31·2⁻²⁴·Σx⁴ (< 2⁻¹⁹, `sampling._Sums`). The
    mean-correction terms (m = Σx/n ~ std/√n) add far less than these bounds."""
    n = CHUNK + 70_001
    plan = plan_for("normal", n)
    streamed = run_plan(plan, 1)
    stats = variance_scaling(784, 256, mode="fan_avg", distribution="normal")
    w = np.concatenate(
        [draw(stats, plan.chunk_size(i), plan.rng(i), np.float32) for i in range(plan.chunks)]
    ).astype(np.float64)
    whole = Moments.of(w)
    assert streamed.moments.n == whole.n == n
    assert streamed.moments.mean == pytest.approx(whole.mean, abs=1e-12 * whole.std)
    assert streamed.moments.m2 == pytest.approx(whole.m2, abs=2**-24 * float(np.sum(w * w)))
    assert streamed.moments.m3 == pytest.approx(whole.m3, abs=2**-19 * float(np.sum(np.abs(w) ** 3)))
    assert streamed.moments.m4 == pytest.approx(whole.m4, abs=2**-19 * float(np.sum(w**4)))
    assert (streamed.moments.min, streamed.moments.max) == (w.min(), w.max())
    assert streamed.beyond == int(np.count_nonzero(np.abs(w) > 2 * stats.std))


def test_histogram_counts_every_draw_once():
    """Counts of [below, 20 bins, above] sum to n and equal numpy's histogram of the same draws."""
    plan = plan_for("normal", 300_000, hist=True)
    tally = tally_chunk(plan, 0, sampling._Work())
    stats = variance_scaling(784, 256, mode="fan_avg", distribution="normal")
    w = draw(stats, plan.n, plan.rng(0), np.float32).astype(np.float64)
    lo, hi = plan.edges
    inside, _ = np.histogram(w, bins=sampling.HIST_BINS, range=(lo, hi))
    assert int(tally.hist[0]) == int(np.count_nonzero(w < lo))
    assert int(tally.hist[-1]) == int(np.count_nonzero(w >= hi))
    assert np.abs(tally.hist[1:-1] - inside).max() <= 1  # a draw on an edge may fall either side
    assert int(tally.hist.sum()) == plan.n


def test_float64_plan_and_odd_sizes():
    """float64 draws and sizes that are not a multiple of the block stream the same way."""
    for distribution in DISTRIBUTIONS:
        plan = plan_for(distribution, 3 * sampling.BLOCK + 7, dtype=np.float64)
        tally = run_plan(plan, 1)
        assert tally.moments.n == plan.n
        assert abs(tally.moments.max) <= plan.sampler.limit


def test_draw_shapes_and_reproducibility():
    stats = variance_scaling(3, 5, distribution="truncated")
    a = draw(stats, (5, 3, 2), np.random.default_rng(1), np.float32)
    b = draw(stats, (5, 3, 2), np.random.default_rng(1), np.float32)
    assert a.shape == (5, 3, 2) and a.dtype == np.float32
    assert np.array_equal(a, b)
    assert draw(stats, 7, np.random.default_rng(1), "float64").shape == (7,)
    assert draw(stats, 0, np.random.default_rng(1)).shape == (0,)


@pytest.mark.torch
@pytest.mark.parametrize(
    ("init", "distribution", "scheme"),
    [
        ("xavier_normal_", "normal", "glorot"),
        ("xavier_uniform_", "uniform", "glorot"),
        ("kaiming_normal_", "normal", "he"),
        ("kaiming_uniform_", "uniform", "he"),
        ("trunc_normal_", "truncated", "glorot"),
    ],
)
def test_torch_samplers_agree_with_our_theory(init, distribution, scheme):
    """torch's own draws (seed 0, a 1000×1000 float32 weight) have the std, kurtosis, tail share and
    support our theory gives (5 SE each). Glorot: Var = 2/(fan_in + fan_out); He: Var = 2/fan_in
    (relu). trunc_normal_ with σ = √Var/0.8796…, cut at ±2σ, is the Keras/JAX definition."""
    from tests.conftest import torch_or_skip

    torch = torch_or_skip()
    fan_out, fan_in = 1000, 1000
    variance = 2 / (fan_in + fan_out) if scheme == "glorot" else 2 / fan_in
    std = math.sqrt(variance)
    torch.manual_seed(0)
    weight = torch.empty(fan_out, fan_in)
    if init == "trunc_normal_":
        sigma = std / KERAS_TRUNCATED_STD
        torch.nn.init.trunc_normal_(weight, std=sigma, a=-2 * sigma, b=2 * sigma)
    elif init.startswith("kaiming"):
        getattr(torch.nn.init, init)(weight, nonlinearity="relu")
    else:
        getattr(torch.nn.init, init)(weight)
    x = weight.double().numpy().ravel()
    n = x.size
    m = Moments.of(x)
    kurtosis = std_moments(distribution, 4)
    assert abs(m.std / std - 1) <= TOL_SE * math.sqrt((kurtosis - 1) / (4 * n))
    mu6, mu8 = std_moments(distribution, 6), std_moments(distribution, 8)
    kurtosis_se = math.sqrt((mu8 - 4 * mu6 * kurtosis + 4 * kurtosis**3 - kurtosis**2) / n)
    assert abs(m.excess_kurtosis + 3 - kurtosis) <= TOL_SE * kurtosis_se
    p = beyond_two(distribution)
    share = float(np.mean(np.abs(x) > 2 * std))
    assert abs(share - p) <= TOL_SE * math.sqrt(p * (1 - p) / n) + 1e-12
    top = support(distribution) * std
    assert max(-m.min, m.max) <= top * (1 + 1e-6)  # torch's float32 rounding of the bound


def test_tail_count_is_exact_at_the_boundary():
    """float32 draws count |w| > tail through their float32 squares: fl(w²) ≥ fl(t²), t the smallest
    float32 above the tail — exact, since rounding is monotone and neighbouring squares stay apart.
    Checked on every float32 within 3000 ulps of the tail, and on ordinary draws."""
    plan = plan_for("normal", 10)
    above = np.nextafter(sampling._below(plan.tail), np.float32(np.inf))
    near = (above.view(np.int32) + np.arange(-3000, 3000, dtype=np.int32)).view(np.float32)
    values = np.concatenate(
        [near, -near, draw(variance_scaling(784, 256), 50_000, np.random.default_rng(3), "float32")]
    )
    work = sampling._Work()
    sums = sampling._Sums(plan, work)
    work.w[: values.size] = values
    sums.add(work.w[: values.size], None, 0)
    assert sums.beyond == int(np.count_nonzero(np.abs(values.astype(np.float64)) > plan.tail))


@pytest.mark.parametrize("distribution", ["uniform", "normal"])
def test_normal_and_uniform_bit_identical_for_any_thread_count(distribution):
    """As for the truncated normal (the slow test above): three chunks, 1 and 2 threads, one tally."""
    plan = plan_for(distribution, 2 * CHUNK + 4_321)
    one = run_plan(plan, 1)
    assert one.moments.n == plan.n
    assert_same_tally(run_plan(plan, 2), one)


def test_threads_restore_the_switch_interval():
    import sys

    before = sys.getswitchinterval()
    run_plan(plan_for("uniform", 2 * CHUNK + 1), 2)
    assert sys.getswitchinterval() == before


def test_draw_into_out_with_reused_scratch():
    """`out` and `work` change where the values go, never the values."""
    work = sampling._Work()
    for distribution in DISTRIBUTIONS:
        for dtype in ("float32", "float64"):
            stats = variance_scaling(300, 200, distribution=distribution)
            expected = draw(stats, (300, 1001), np.random.default_rng(8), dtype)
            out = np.empty((300, 1001), dtype)
            assert draw(stats, (300, 1001), np.random.default_rng(8), dtype, out=out, work=work) is out
            assert np.array_equal(out, expected)
    with pytest.raises(ValueError):
        draw(
            variance_scaling(3, 2),
            (2, 3),
            np.random.default_rng(0),
            "float32",
            out=np.empty((3, 2), "float32"),
        )


@pytest.mark.parametrize("scale", [1e-150, 1e-30, 1e30, 1e150])
@pytest.mark.parametrize("distribution", DISTRIBUTIONS)
def test_float64_statistics_of_any_scale(distribution, scale):
    """float64 draws with a std near 1e±150: std within 5 SE, kurtosis within 5 SE, no overflow."""
    stats = variance_scaling(1, 1, scale=scale * scale, mode="fan_in", distribution=distribution)
    sampler = Sampler.of(stats, np.float64)
    n = 3 * sampling.BLOCK64 + 11
    tally = run_plan(Plan(sampler, n, 4, (0, 0, 1), 2 * stats.std), 1)
    kurtosis = std_moments(distribution, 4)
    assert tally.moments.n == n
    assert abs(tally.moments.std / stats.std - 1) <= TOL_SE * math.sqrt((kurtosis - 1) / (4 * n))
    mu6, mu8 = std_moments(distribution, 6), std_moments(distribution, 8)
    se = math.sqrt((mu8 - 4 * mu6 * kurtosis + 4 * kurtosis**3 - kurtosis**2) / n)
    assert abs(tally.moments.excess_kurtosis + 3 - kurtosis) <= TOL_SE * se
    assert max(-tally.moments.min, tally.moments.max) <= sampler.limit
