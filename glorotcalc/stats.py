"""Streaming moments of a sample, and the exact moments of the three weight distributions.

Empirical: memory is bounded by the chunk, not the sample. Each chunk is reduced to (n, mean, M2,
M3, M4, min, max) in float64 and merged with the running totals by the pairwise update formulas
(Chan, Golub & LeVeque 1979; Pébay 2008 for M3, M4), so the result does not depend on how the
sample was split. The sums are kept in units of a power of two near the data's magnitude, so any
finite float64 data — up to 1.8e308, down to subnormals — gives finite moments, without warnings.

Theoretical: `law(distribution)` is the distribution scaled to unit variance — its kurtosis,
support, CDF and tail mass — from `math` alone (no numpy).

>>> round(law("truncated").excess_kurtosis, 6)
-0.634437
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from glorotcalc.schemes import TRUNCATED_STD, TRUNCATION


def _ldexp(value: float, exponent: int) -> float:
    """value·2^exponent, ±inf beyond the float range (where `math.ldexp` raises)."""
    try:
        return math.ldexp(value, exponent)
    except OverflowError:
        return math.copysign(math.inf, value)


@dataclass(frozen=True)
class Moments:
    """n, mean and the central moment sums M2..M4 of a sample, plus its min and max — scale-free.

    The mean and the sums are kept in units of 2^exp: ``center`` = mean/2^exp and
    ``ck`` = Σ((x − mean)/2^exp)ᵏ, with the integer `exp` about log₂ max |x| (or log₂ of the
    sampler's std). A power of two scales exactly, so values up to 1.8e308 and subnormal ones
    neither overflow nor underflow, and the shape statistics (kurtosis, skewness) are computed at
    unit scale. `mean` and `std` are in the data's units; `m2`..`m4` and `variance` are ±inf when
    they exceed the float range (Σd⁴ of values near 1e100, say).
    """

    n: int = 0
    center: float = 0.0
    c2: float = 0.0
    c3: float = 0.0
    c4: float = 0.0
    min: float = math.inf
    max: float = -math.inf
    exp: int = 0

    @classmethod
    def of(cls, chunk) -> Moments:
        """Moments of one chunk (any array-like of finite values; float64, scaled, centred first).

        Non-finite values give nan/inf statistics (callers count them apart), without warnings.
        """
        import numpy as np

        x = np.asarray(chunk, dtype=np.float64).ravel()
        if x.size == 0:
            return cls()
        low, high = float(x.min()), float(x.max())
        top = max(-low, high)
        exp = math.frexp(top)[1] if math.isfinite(top) else 0
        with np.errstate(all="ignore"):
            y = np.ldexp(x, -exp)  # |y| < 1: exact, unless it falls below 2^−1022 next to the max
            center = float(y.mean())
            y -= center
            d2 = y * y
            c2 = float(d2.sum())
            c4 = float(np.dot(d2, d2))
            d2 *= y
            c3 = float(d2.sum())
        return cls(int(x.size), center, c2, c3, c4, low, high, exp)

    @classmethod
    def from_power_sums(
        cls, n: int, s1: float, s2: float, s3: float, s4: float, low: float, high: float, exp: int = 0
    ) -> Moments:
        """Moments from the raw sums Sk = Σtᵏ of t = x/2^exp, for a sample x whose mean is near 0.

        M2 = S2 − n·m², M3 = S3 − 3m·S2 + 2n·m³, M4 = S4 − 4m·S3 + 6m²·S2 − 3n·m⁴ with m = S1/n,
        all in units of 2^exp (`low` and `high` are x's own min and max). Exact up to rounding when
        |m| ≪ std (a zero-mean sampler: |m| ~ std/√n); for arbitrary data use `of`, which centres
        first.
        """
        if n == 0:
            return cls()
        m = s1 / n
        mm = m * m
        c2 = s2 - n * mm
        c3 = s3 - 3 * m * s2 + 2 * n * mm * m
        c4 = s4 - 4 * m * s3 + 6 * mm * s2 - 3 * n * mm * mm
        return cls(n, m, max(c2, 0.0), c3, max(c4, 0.0), low, high, exp)

    def _at(self, exp: int) -> tuple[float, float, float, float]:
        """center, c2, c3, c4 in units of 2^exp, exp ≥ self.exp (scaled down: at worst to 0)."""
        shift = self.exp - exp
        if shift == 0:
            return self.center, self.c2, self.c3, self.c4
        return (
            math.ldexp(self.center, shift),
            math.ldexp(self.c2, 2 * shift),
            math.ldexp(self.c3, 3 * shift),
            math.ldexp(self.c4, 4 * shift),
        )

    def merge(self, other: Moments) -> Moments:
        """The moments of the union of two samples (Chan et al.; Pébay), in the larger unit."""
        if other.n == 0:
            return self
        if self.n == 0:
            return other
        exp = max(self.exp, other.exp)
        mean_a, a2, a3, a4 = self._at(exp)
        mean_b, b2, b3, b4 = other._at(exp)
        a, b = self.n, other.n
        n = a + b
        delta = mean_b - mean_a
        mean = mean_a + delta * b / n
        m2 = a2 + b2 + delta**2 * a * b / n
        m3 = a3 + b3 + delta**3 * a * b * (a - b) / n**2 + 3 * delta * (a * b2 - b * a2) / n
        m4 = (
            a4
            + b4
            + delta**4 * a * b * (a * a - a * b + b * b) / n**3
            + 6 * delta**2 * (a * a * b2 + b * b * a2) / n**2
            + 4 * delta * (a * b3 - b * a3) / n
        )
        return Moments(n, mean, m2, m3, m4, min(self.min, other.min), max(self.max, other.max), exp)

    @property
    def mean(self) -> float:
        return _ldexp(self.center, self.exp)

    @property
    def m2(self) -> float:
        """Σ(x − mean)² in the data's units (inf beyond the float range); likewise m3, m4."""
        return _ldexp(self.c2, 2 * self.exp)

    @property
    def m3(self) -> float:
        return _ldexp(self.c3, 3 * self.exp)

    @property
    def m4(self) -> float:
        return _ldexp(self.c4, 4 * self.exp)

    @property
    def variance(self) -> float:
        """Population variance (divide by n)."""
        return _ldexp(self.c2 / self.n, 2 * self.exp) if self.n else math.nan

    @property
    def std(self) -> float:
        return _ldexp(math.sqrt(self.c2 / self.n), self.exp) if self.n else math.nan

    @property
    def excess_kurtosis(self) -> float:
        """m4/m2² − 3 (population); 0 for a normal, −1.2 for a uniform."""
        if self.n == 0 or not self.c2 > 0:
            return math.nan
        return self.n * (self.c4 / self.c2) / self.c2 - 3.0

    @property
    def skewness(self) -> float:
        if self.n == 0 or not self.c2 > 0:
            return math.nan
        return math.sqrt(self.n) * (self.c3 / self.c2) / math.sqrt(self.c2)


STEP = 1 << 16  # values per pass of `chunk_moments`: its float64 scratch (1 MiB) stays in cache


class Scratch:
    """float64 scratch for `chunk_moments`: one per thread, reused chunk after chunk."""

    def __init__(self, step: int = STEP) -> None:
        import numpy as np

        self.step = step
        self.x = np.empty(step)
        self.d2 = np.empty(step)
        self._narrow = None

    def narrow(self):
        """float32 scratch (2, 2·step) ×2 for `_step_sums32`: [d, d²] and [d³, d⁴], made on first use."""
        import numpy as np

        if self._narrow is None:
            self._narrow = np.empty((2, 2, 2 * self.step), np.float32)
        return self._narrow


def chunk_moments(values, scratch: Scratch | None = None) -> tuple[Moments, int]:
    """(moments of the finite values, count of NaN/±inf) of a float16/32/64 array.

    The statistics of `Moments.of`, in fewer passes and with little work holding the GIL: min and
    max of the whole array (which also tell whether every value is finite: NaN and ±inf show in
    them); then, `Scratch.step` values at a time in preallocated float64 buffers, d = v/2^exp − c
    (one cast-and-subtract pass; exp = 0 unless max |v| is beyond 2^±200, where d⁴ could overflow
    or vanish), d², and the float64 sums Σd, Σd², Σd³, Σd⁴. The shift c is the mean of the first
    step (k values of the n): since those k values have mean c, Σ(v − mean)² ≥ k·(c − mean)², so
    (c − mean)²/variance ≤ n/k = 16 for a full chunk and the centring S2 − n·m̄² loses at most
    about 17 units of float64 rounding (2e−15 relative) — a fixed bound, whatever the data.
    The result depends on the array and the step only, never on the thread.

    float32 (and float16) values are reduced in float32 instead, 2·`Scratch.step` at a time, in
    six numpy calls a step over half the bytes of the float64 passes (this machine's limit is
    memory bandwidth, not arithmetic): d = fl(v/2^exp − c) with c rounded to float32 (exp = 0
    unless max |v| is beyond 2^±24, where d⁴ could overflow or vanish in float32), q = fl(d²),
    fl(d·q), fl(q·q), and their sums by numpy's float32 pairwise summation, one partial sum per
    step, merged in float64. Error bounds (u = 2⁻²⁴; a pairwise sum of 2^17 values adds ≤ 28
    roundings): |ΔΣd| ≤ 29u·Σ|d|, |ΔΣd²| ≤ 30u·Σd², |ΔΣd³| ≤ 31u·Σ|d|³, |ΔΣd⁴| ≤ 31u·Σd⁴. With the
    shift bound above (S2 ≤ (1 + n/k)·M2, n/k = 8 for a full chunk), the std is off by at most
    8e−6 of itself (under 1e−6 when the first step's mean is the chunk's, as in weights: 0.06 of
    its standard error at 10¹⁰ values) and the mean by at most 3e−6·std; the excess kurtosis is
    off by ≤ 6e−6·κ relative to the second moment's centring, i.e. about a tenth of its standard
    error at 10⁹ values. The result still depends on the array and the step only.
    """
    import numpy as np

    values = np.asarray(values).reshape(-1)
    if values.size == 0:
        return Moments(), 0
    if values.dtype == np.float16:  # exact in float32, where min, max and the casts are vectorized
        values = values.astype(np.float32)
    nonfinite = 0
    low, high = float(values.min()), float(values.max())
    if not (math.isfinite(low) and math.isfinite(high)):
        finite = np.isfinite(values)
        nonfinite = int(values.size - np.count_nonzero(finite))
        values = values[finite]
        if values.size == 0:
            return Moments(), nonfinite
        low, high = float(values.min()), float(values.max())
    scratch = scratch or Scratch()
    top = max(-low, high)
    if values.dtype == np.float32:
        return _moments32(values, scratch, low, high, top), nonfinite
    exp = 0 if top == 0 or 2.0**-200 < top < 2.0**200 else math.frexp(top)[1]
    n = values.size
    first = values[: scratch.step]
    if exp == 0:
        shift = float(np.add.reduce(first, dtype=np.float64)) / first.size
    else:  # the unscaled sum could overflow
        shift = float(np.add.reduce(_scaled(first, scratch, exp))) / first.size
    s1 = s2 = s3 = s4 = 0.0
    for start in range(0, n, scratch.step):
        part = values[start : start + scratch.step]
        a, b, c, d = _step_sums(part, scratch, exp, shift)
        s1, s2, s3, s4 = s1 + a, s2 + b, s3 + c, s4 + d
    return _centred(n, shift, (s1, s2, s3, s4), low, high, exp), nonfinite


def _centred(n: int, shift: float, sums: tuple[float, float, float, float], low, high, exp) -> Moments:
    """Moments from the power sums Σdᵏ of d = v/2^exp − shift."""
    s1, s2, s3, s4 = sums
    m = s1 / n
    mm = m * m
    c2 = max(s2 - n * mm, 0.0)
    c3 = s3 - 3 * m * s2 + 2 * n * mm * m
    c4 = max(s4 - 4 * m * s3 + 6 * mm * s2 - 3 * n * mm * mm, 0.0)
    return Moments(n, shift + m, c2, c3, c4, low, high, exp)


def _moments32(values, scratch: Scratch, low: float, high: float, top: float) -> Moments:
    """`chunk_moments` of finite float32 values, in float32 passes (see there for the bounds)."""
    import numpy as np

    exp = 0 if top == 0 or 2.0**-24 < top < 2.0**24 else math.frexp(top)[1]
    n, step = values.size, 2 * scratch.step
    first = values[:step]
    shift = float(np.float32(math.ldexp(float(np.add.reduce(first, dtype=np.float64)) / first.size, -exp)))
    unit, centre = np.float32(math.ldexp(1.0, -exp)), np.float32(shift)
    narrow, sums = scratch.narrow(), [0.0, 0.0, 0.0, 0.0]
    for start in range(0, n, step):
        part = values[start : start + step]
        pair, powers = narrow[0, :, : part.size], narrow[1, :, : part.size]
        d, q = pair
        if exp:
            np.subtract(np.multiply(part, unit, out=d), centre, out=d)
        else:
            np.subtract(part, centre, out=d)
        np.multiply(d, d, out=q)
        np.multiply(d, q, out=powers[0])
        np.multiply(q, q, out=powers[1])
        s1, s2 = np.add.reduce(pair, 1).tolist()
        s3, s4 = np.add.reduce(powers, 1).tolist()
        sums = [sums[0] + s1, sums[1] + s2, sums[2] + s3, sums[3] + s4]
    return _centred(n, shift, tuple(sums), low, high, exp)


def _scaled(part, scratch: Scratch, exp: int):
    """part/2^exp in float64, in the scratch (exact: a power of two)."""
    import numpy as np

    x = scratch.x[: part.size]
    np.copyto(x, part)
    return np.ldexp(x, -exp, out=x)


def _step_sums(part, scratch: Scratch, exp: int, shift: float) -> tuple[float, float, float, float]:
    """Σd, Σd², Σd³, Σd⁴ of d = part/2^exp − shift, in float64."""
    import numpy as np

    x, d2 = scratch.x[: part.size], scratch.d2[: part.size]
    if exp == 0:
        np.subtract(part, shift, out=x, dtype=np.float64)
    else:
        np.subtract(_scaled(part, scratch, exp), shift, out=x)
    np.multiply(x, x, out=d2)
    return (
        float(np.add.reduce(x)),
        float(np.add.reduce(d2)),
        float(np.einsum("i,i->", d2, x)),  # einsum: no BLAS threads beside ours
        float(np.einsum("i,i->", d2, d2)),
    )


# ── theory ───────────────────────────────────────────────────────────────────────────────────────


def normal_cdf(x: float) -> float:
    """Φ(x) = (1 + erf(x/√2))/2."""
    return 0.5 * (1.0 + math.erf(x / math.sqrt(2.0)))


def truncated_normal_moments(cut: float = TRUNCATION) -> tuple[float, float]:
    """E[z²] and E[z⁴] of z ~ N(0, 1) truncated to [−cut, cut].

    With Z = P(|z| ≤ cut) = erf(cut/√2) and φ the normal density, integrating by parts
    (∫z^(k+1)·zφ = [−z^(k+1)φ] + (k+1)∫zᵏφ): E[z²] = 1 − 2·cut·φ(cut)/Z and
    E[z⁴] = 3·E[z²] − 2·cut³·φ(cut)/Z = 3 − (6·cut + 2·cut³)·φ(cut)/Z.
    """
    density = math.exp(-cut * cut / 2) / math.sqrt(2 * math.pi)
    mass = math.erf(cut / math.sqrt(2))
    second = 1 - 2 * cut * density / mass
    fourth = 3 * second - 2 * cut**3 * density / mass
    return second, fourth


@dataclass(frozen=True)
class Law:
    """A weight distribution scaled to unit variance (std units): w = std·t.

    uniform: t ~ U(−√3, √3). normal: t ~ N(0, 1). truncated (Keras/JAX): t = z/c with
    z ~ N(0, 1) cut at ±2 and c = std of that cut normal = 0.8796…, so |t| ≤ 2/c = 2.2737.
    """

    distribution: str
    kurtosis: float
    support: float | None  # max |t|, None when unbounded

    @property
    def excess_kurtosis(self) -> float:
        return self.kurtosis - 3.0

    def cdf(self, t: float) -> float:
        """P(T ≤ t)."""
        if self.distribution == "uniform":
            return min(max((t + self.support) / (2 * self.support), 0.0), 1.0)
        if self.distribution == "normal":
            return normal_cdf(t)
        z = min(max(t * TRUNCATED_STD, -TRUNCATION), TRUNCATION)
        low = normal_cdf(-TRUNCATION)
        return (normal_cdf(z) - low) / (normal_cdf(TRUNCATION) - low)

    def beyond(self, k: float) -> float:
        """P(|T| > k): the fraction of weights beyond k standard deviations."""
        if self.support is not None and k >= self.support:
            return 0.0
        if self.distribution == "normal":
            return math.erfc(k / math.sqrt(2))
        return 2 * (1 - self.cdf(k))

    def rel_se_of_std(self, n: int) -> float:
        """Relative standard error of a sample std of n draws: √((κ − 1)/(4n)) (delta method)."""
        return math.sqrt((self.kurtosis - 1) / (4 * n))


def law(distribution: str) -> Law:
    """The unit-variance `distribution`: uniform κ = 1.8, normal κ = 3, truncated κ = 2.3656."""
    if distribution == "uniform":
        return Law("uniform", 1.8, math.sqrt(3))
    if distribution == "normal":
        return Law("normal", 3.0, None)
    second, fourth = truncated_normal_moments()
    return Law("truncated", fourth / (second * second), TRUNCATION / TRUNCATED_STD)
