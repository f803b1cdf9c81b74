"""Streaming moments of a sample, and the exact moments of the three weight distributions.

Empirical: memory is bounded by the chunk, not the sample. Each chunk is reduced to (n, mean, M2,
M3, M4, min, max) in float64 and merged with the running totals by the pairwise update formulas
(Chan, Golub & LeVeque 1979; Pébay 2008 for M3, M4), so the result does not depend on how the
sample was split.

Theoretical: `law(distribution)` is the distribution scaled to unit variance — its kurtosis,
support, CDF and tail mass — from `math` alone (no numpy).

>>> round(law("truncated").excess_kurtosis, 6)
-0.634437
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from glorotcalc.schemes import TRUNCATED_STD, TRUNCATION


@dataclass(frozen=True)
class Moments:
    """n, mean and the central moment sums M2..M4 of a sample, plus its min and max."""

    n: int = 0
    mean: float = 0.0
    m2: float = 0.0
    m3: float = 0.0
    m4: float = 0.0
    min: float = math.inf
    max: float = -math.inf

    @classmethod
    def of(cls, chunk) -> Moments:
        """Moments of one chunk (any array-like; computed in float64, centred first)."""
        import numpy as np

        x = np.asarray(chunk, dtype=np.float64).ravel()
        if x.size == 0:
            return cls()
        mean = float(x.mean())
        d = x - mean
        d2 = d * d
        return cls(
            int(x.size),
            mean,
            float(d2.sum()),
            float((d2 * d).sum()),
            float((d2 * d2).sum()),
            float(x.min()),
            float(x.max()),
        )

    @classmethod
    def from_power_sums(
        cls, n: int, s1: float, s2: float, s3: float, s4: float, low: float, high: float
    ) -> Moments:
        """Moments from the raw sums Sk = Σxᵏ of a sample whose mean is near 0.

        M2 = S2 − n·m², M3 = S3 − 3m·S2 + 2n·m³, M4 = S4 − 4m·S3 + 6m²·S2 − 3n·m⁴ with m = S1/n.
        Exact up to rounding when |m| ≪ std (a zero-mean sampler: |m| ~ std/√n); for arbitrary data
        use `of`, which centres first.
        """
        if n == 0:
            return cls()
        m = s1 / n
        m2 = s2 - n * m * m
        m3 = s3 - 3 * m * s2 + 2 * n * m**3
        m4 = s4 - 4 * m * s3 + 6 * m * m * s2 - 3 * n * m**4
        return cls(n, m, max(m2, 0.0), m3, max(m4, 0.0), low, high)

    def merge(self, other: Moments) -> Moments:
        """The moments of the union of two samples."""
        if other.n == 0:
            return self
        if self.n == 0:
            return other
        n = self.n + other.n
        delta = other.mean - self.mean
        a, b = self.n, other.n
        mean = self.mean + delta * b / n
        m2 = self.m2 + other.m2 + delta**2 * a * b / n
        m3 = (
            self.m3
            + other.m3
            + delta**3 * a * b * (a - b) / n**2
            + 3 * delta * (a * other.m2 - b * self.m2) / n
        )
        m4 = (
            self.m4
            + other.m4
            + delta**4 * a * b * (a * a - a * b + b * b) / n**3
            + 6 * delta**2 * (a * a * other.m2 + b * b * self.m2) / n**2
            + 4 * delta * (a * other.m3 - b * self.m3) / n
        )
        return Moments(n, mean, m2, m3, m4, min(self.min, other.min), max(self.max, other.max))

    @property
    def variance(self) -> float:
        """Population variance (divide by n)."""
        return self.m2 / self.n if self.n else math.nan

    @property
    def std(self) -> float:
        return math.sqrt(self.variance)

    @property
    def excess_kurtosis(self) -> float:
        """m4/m2² − 3 (population); 0 for a normal, −1.2 for a uniform."""
        if self.n == 0 or self.m2 == 0:
            return math.nan
        return self.n * self.m4 / (self.m2 * self.m2) - 3.0

    @property
    def skewness(self) -> float:
        if self.n == 0 or self.m2 == 0:
            return math.nan
        return math.sqrt(self.n) * self.m3 / self.m2**1.5


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
