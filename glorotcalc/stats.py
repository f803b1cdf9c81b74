"""Streaming moments of a sample: merge per-chunk statistics exactly (Chan et al. 1979).

Memory is bounded by the chunk, not the sample: each chunk is reduced to (n, mean, M2, M3, M4,
min, max) in float64 and merged with the running totals by the pairwise update formulas, so the
result does not depend on how the sample was split.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


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
        """Moments of one chunk (any array-like; computed in float64)."""
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
