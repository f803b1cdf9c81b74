"""Variance scaling — the one formula behind Glorot, He and LeCun initialization.

``Var(W) = scale / n`` with ``n`` = fan_in | fan_out | (fan_in + fan_out)/2 | √(fan_in·fan_out)
(mode ``fan_in``, ``fan_out``, ``fan_avg``, ``fan_geo_avg``) and ``scale = gain²``. Then

- ``uniform``:   U(−a, a) with a = √(3·Var)                       (torch, Keras, JAX)
- ``normal``:    N(0, σ²) with σ = √Var, untruncated              (torch's convention)
- ``truncated``: N(0, σ²) cut at ±2σ with σ = √Var / 0.8796…      (Keras/JAX ``*_normal``), so
  that the realized std is √Var and |w| ≤ 2σ ≈ 2.2737·√Var.

Named schemes are one row each:

- Glorot & Bengio (2010), "Xavier": mode fan_avg, gain 1 — Var = 2/(fan_in + fan_out).
- He et al. (2015), "Kaiming": mode fan_in, gain √2 (relu) — Var = 2/fan_in.
- LeCun et al. (1998); Klambauer et al. (2017) for SELU: mode fan_in, gain 1 — Var = 1/fan_in.

>>> variance_scaling(784, 256, scale=1.0, mode="fan_avg", distribution="normal").std
0.04385290096535146
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from glorotcalc.errors import GlorotcalcError, UsageError, choose, positive_int
from glorotcalc.gain import Activation, Gain

MODES = ("fan_in", "fan_out", "fan_avg", "fan_geo_avg")
DISTRIBUTIONS = ("uniform", "normal", "truncated")
SCHEME_ALIASES = {"xavier": "glorot", "kaiming": "he"}
TRUNCATION = 2.0  # the truncated normal is cut at ±2σ of the sampler


def _truncated_normal_std(cut: float = TRUNCATION) -> float:
    """Std of N(0, 1) truncated to [−cut, cut]: √(1 − 2·cut·φ(cut) / (Φ(cut) − Φ(−cut)))."""
    density = math.exp(-cut * cut / 2) / math.sqrt(2 * math.pi)
    mass = math.erf(cut / math.sqrt(2))
    return math.sqrt(1 - 2 * cut * density / mass)


# std of a standard normal truncated to (−2, 2): 0.87962566103423978
TRUNCATED_STD = _truncated_normal_std()


@dataclass(frozen=True)
class Scheme:
    name: str
    mode: str
    default_scale: float
    default_gain_source: str
    reference: str


SCHEMES = {
    "glorot": Scheme("glorot", "fan_avg", 1.0, "glorot (1)", "Glorot & Bengio 2010"),
    "he": Scheme("he", "fan_in", 2.0, "he (relu, √2)", "He et al. 2015"),
    "lecun": Scheme("lecun", "fan_in", 1.0, "lecun (1)", "LeCun et al. 1998"),
}


@dataclass(frozen=True)
class InitStats:
    """Every number of one scheme × distribution for one layer."""

    scheme: str
    distribution: str
    mode: str
    fan_in: int
    fan_out: int
    n: float
    gain: float
    gain_source: str
    scale: float
    variance: float
    std: float
    bound: float | None
    sampler_std: float | None

    @property
    def support(self) -> float | None:
        """max |w|: the uniform bound, the truncation point 2σ, or None (unbounded)."""
        if self.distribution == "uniform":
            return self.bound
        if self.distribution == "truncated":
            return TRUNCATION * self.sampler_std
        return None

    @property
    def value(self) -> float:
        """The sampler's parameter: uniform bound a, normal std, truncated σ."""
        return self.bound if self.distribution == "uniform" else self.sampler_std


def fan_n(fan_in: int, fan_out: int, mode: str) -> float:
    """The `n` of Var = scale/n for `mode`."""
    choose("mode", mode, MODES)
    if mode == "fan_in":
        return float(fan_in)
    if mode == "fan_out":
        return float(fan_out)
    if mode == "fan_avg":
        return (fan_in + fan_out) / 2
    return math.sqrt(fan_in) * math.sqrt(fan_out)


def variance_scaling(
    fan_in: int,
    fan_out: int,
    *,
    scale: float = 1.0,
    mode: str = "fan_in",
    distribution: str = "normal",
    scheme: str = "variance_scaling",
    gain: Gain | None = None,
    n: float | None = None,
) -> InitStats:
    """Var = scale/n; uniform bound √(3·Var), normal std √Var, truncated σ = √Var/0.8796.

    `n` given: the framework's own n for these fans (Keras: max(1, n), zero fans allowed).
    """
    choose("distribution", distribution, DISTRIBUTIONS)
    if n is None:
        fan_in, fan_out = positive_int("fan_in", fan_in), positive_int("fan_out", fan_out)
        n = fan_n(fan_in, fan_out, mode)
    else:
        choose("mode", mode, MODES)
    if not (math.isfinite(scale) and scale > 0):
        raise UsageError("scale", scale, "must be a positive finite number")
    variance = scale / n
    if variance == 0:
        raise GlorotcalcError(f"Var = scale/n = {scale!r}/{n!r}", None, "underflows to 0 in float64")
    std = math.sqrt(variance)
    bound = math.sqrt(3 * variance) if distribution == "uniform" else None
    sampler_std = {"normal": std, "truncated": std / TRUNCATED_STD}.get(distribution)
    gain = gain or Gain(math.sqrt(scale), "scale")
    return InitStats(
        scheme,
        distribution,
        mode,
        fan_in,
        fan_out,
        n,
        gain.value,
        gain.source,
        scale,
        variance,
        std,
        bound,
        sampler_std,
    )


def canonical_scheme(name: str) -> str:
    key = name.strip().lower()
    return choose("scheme", SCHEME_ALIASES.get(key, key), (*SCHEMES, *SCHEME_ALIASES))


def scheme_stats(
    scheme: str,
    fan_in: int,
    fan_out: int,
    distribution: str,
    *,
    gain: Gain | None = None,
    mode: str | None = None,
    n: float | None = None,
) -> InitStats:
    """A named scheme: scale = gain² (the scheme's default gain unless one is given)."""
    spec = SCHEMES[canonical_scheme(scheme)]
    gain = gain or Gain(math.sqrt(spec.default_scale), spec.default_gain_source, spec.default_scale)
    if not 1e-300 <= gain.scale <= 1e300:  # gain 1e-150 … 1e150: gain² is far from float limits
        raise UsageError(
            f"gain {gain.value!r} from {gain.source}",
            None,
            "gain² is outside float range (use 1e-150 … 1e150)",
        )
    return variance_scaling(
        fan_in,
        fan_out,
        scale=gain.scale,
        mode=mode or spec.mode,
        distribution=distribution,
        scheme=spec.name,
        gain=gain,
        n=n,
    )


def glorot(fan_in: int, fan_out: int, distribution: str = "uniform", gain: float = 1.0) -> InitStats:
    """Glorot & Bengio (2010): Var = gain²·2/(fan_in + fan_out). Also known as Xavier."""
    return scheme_stats("glorot", fan_in, fan_out, distribution, gain=Gain(gain, "gain"))


def he(fan_in: int, fan_out: int, distribution: str = "normal", mode: str = "fan_in") -> InitStats:
    """He et al. (2015): Var = 2/fan_in (relu). Also known as Kaiming."""
    return scheme_stats("he", fan_in, fan_out, distribution, mode=mode)


def lecun(fan_in: int, fan_out: int, distribution: str = "normal") -> InitStats:
    """LeCun et al. (1998): Var = 1/fan_in; with SELU, self-normalizing (Klambauer et al. 2017)."""
    return scheme_stats("lecun", fan_in, fan_out, distribution)


def recommended_scheme(activation: Activation) -> tuple[str, str | None]:
    """The scheme (and distribution, when the paper fixes one) suited to `activation`.

    relu-like → He; tanh, sigmoid, linear → Glorot; selu → LeCun normal (Klambauer et al. 2017).
    """
    if activation.name == "selu":
        return "lecun", "normal"
    if activation.name in ("linear", "tanh", "sigmoid"):
        return "glorot", None
    return "he", None
