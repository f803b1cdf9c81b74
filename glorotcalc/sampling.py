"""Draw weights the way each scheme × distribution specifies (numpy only, imported lazily)."""

from __future__ import annotations

import numpy as np

from glorotcalc.schemes import TRUNCATION, InitStats


def draw(
    stats: InitStats, size: int | tuple[int, ...], rng: np.random.Generator, dtype=np.float64
) -> np.ndarray:
    """Weights from `stats`: U(±bound), N(0, std²), or N(0, σ²) cut at ±2σ (redrawn, unbiased)."""
    if stats.distribution == "uniform":
        return rng.uniform(-stats.bound, stats.bound, size).astype(dtype, copy=False)
    z = rng.standard_normal(size, dtype=dtype)
    if stats.distribution == "truncated":
        outside = np.abs(z) > TRUNCATION
        while outside.any():
            z[outside] = rng.standard_normal(int(outside.sum()), dtype=dtype)
            outside = np.abs(z) > TRUNCATION
    z *= dtype(stats.sampler_std) if isinstance(dtype, type) else stats.sampler_std
    return z
