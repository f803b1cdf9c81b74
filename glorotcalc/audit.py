"""``glorotcalc audit FILE...``: which initialization do the tensors of a weights file really have?

Per tensor, the values are streamed once (`glorotcalc.stats.Moments`, chunk by chunk) into n,
mean, std, min, max and the excess kurtosis, and every standard initialization is tested against
them. A candidate is a mode × gain × distribution:

- modes: fan_avg (Glorot), fan_in (LeCun at gain 1, He otherwise), fan_out (He, mode fan_out);
- gains: 1, √2 (relu), 5/3 (tanh), 3/4 (selu), √(1/3) (torch's default, kaiming_uniform_(a=√5));
  plus torch's nn.Embedding default N(0, 1), whatever the fans;
- distributions: uniform (excess kurtosis −1.2, |w| ≤ √3·std), normal (0, unbounded), truncated
  at ±2σ (−0.6344, |w| ≤ 2.2737·std).

A candidate fits when each test is within `Z` = 5 standard errors at n elements: the std against
the predicted √(gain²/n_mode) (rel. SE √((κ−1)/(4n)), κ the distribution's kurtosis), the excess
kurtosis against the distribution's (SE from its own 4th–8th moments; √(24/n) for a normal), the
mean against 0 (SE σ/√n), and the largest |w| against the distribution's support and the law of
its maximum. The gain is matched to the known values above, never fitted: a free gain would fit
every std. The implied gain (realized std / the mode's std at gain 1) is reported beside it.

A 1-D tensor ``x.bias`` is paired with ``x.weight`` (or ``x.kernel``) for its fan_in and tested
against torch's default bias U(±1/√fan_in); zeros and ones are recognized exactly.

Files are untrusted (`glorotcalc.loaders` states the limits). A tensor whose elements repeat fewer
stored values (a broadcast torch view) is audited on the values it stores and reported as no
random initialization. Every tensor name and file path in rows, notes, JSON records and errors is
`glorotcalc.text.inert` text: terminal controls and bidi overrides are escapes. The JSON carries
that inert text too, not the raw name: JSON could escape control characters itself, but then one
tensor would be spelled differently in the table, the CSV/TSV and the JSON; with one spelling a name
copied from any output matches the others (the raw name is recovered by undoing ``inert``).

Example: ``glorotcalc audit model.safetensors`` → ``fc1.weight … torch default · high``.
"""

from __future__ import annotations

import collections
import concurrent.futures
import functools
import math
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from glorotcalc.errors import GlorotcalcError, UsageError
from glorotcalc.fans import compute_fans
from glorotcalc.gain import Gain
from glorotcalc.layers import from_shape
from glorotcalc.loaders import CHUNK, WIDTHS, Tensor, TensorError, WeightsFile, open_weights
from glorotcalc.progress import Progress
from glorotcalc.recurrent import hidden_size_from
from glorotcalc.report import Report, columns
from glorotcalc.schemes import TRUNCATION, scheme_stats
from glorotcalc.stats import Law, Moments, Scratch, chunk_moments, law

Z = 5.0  # every test passes within 5 standard errors
MARGIN_HIGH = 10.0  # "high" confidence: the next candidate is more than 10 SE away
MIN_ELEMENTS = 100  # below this the asymptotic standard errors are too rough: "low" confidence
EQUAL = 1e-9  # relative difference under which two candidates predict the same std

GAINS = (
    (1.0, 1.0, "1"),
    (math.sqrt(2.0), 2.0, "√2 (relu)"),
    (5.0 / 3, 25.0 / 9, "5/3 (tanh)"),
    (0.75, 0.5625, "3/4 (selu)"),
    (math.sqrt(1 / 3), 1 / 3, "√(1/3) (a=√5)"),
)
MODES = ("fan_avg", "fan_in", "fan_out")
DISTRIBUTIONS = ("uniform", "normal", "truncated")
VERDICTS = {
    "init": "standard init",
    "distribution_only": "standard shape, other scale",
    "constant": "constant",
    "structured": "structured init",
    "no_match": "no standard init matches",
    "inconclusive": "too few elements to tell",
    "skipped": "skipped",
    "unreadable": "unreadable",
}
PREDICTED = ("glorot", "he", "lecun", "torch_default", "keras_default", "flax_default")
ROUNDING = {"float16": 2.0**-11, "bfloat16": 2.0**-8, "float32": 2.0**-24, "float64": 2.0**-53}


# ── the three distributions ──────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Shape:
    """A unit-variance distribution (`glorotcalc.stats.Law`) with the 6th and 8th moments that the
    standard error of a sample kurtosis needs."""

    law: Law
    m6: float
    m8: float

    @property
    def distribution(self) -> str:
        return self.law.distribution

    @property
    def excess_kurtosis(self) -> float:
        return self.law.excess_kurtosis

    @property
    def support(self) -> float:
        """max |w| / std; inf when unbounded."""
        return math.inf if self.law.support is None else self.law.support

    def std_rel_se(self, n: int) -> float:
        """Relative SE of a sample std: √((κ − 1)/(4n))."""
        return self.law.rel_se_of_std(n)

    def kurtosis_se(self, n: int) -> float:
        """SE of the sample kurtosis m4/m2² of a symmetric law, by the delta method:

        n·Var = (μ8 − μ4²) − 4·μ4·(μ6 − μ4) + 4·μ4²·(μ4 − 1), μ4 = κ. Normal: 96 − 144 + 72 = 24,
        the textbook √(24/n); uniform: 1.3166/n.
        """
        m4 = self.law.kurtosis
        return math.sqrt(((self.m8 - m4 * m4) - 4 * m4 * (self.m6 - m4) + 4 * m4 * m4 * (m4 - 1)) / n)

    def tail(self, a: float) -> float:
        """P(|W| > a·std)."""
        return self.law.beyond(a)


def truncated_high_moments(cut: float = TRUNCATION) -> tuple[float, float]:
    """μ6, μ8 of N(0, 1) cut at ±cut, standardized to unit variance.

    Integrating by parts, I(2k) = ∫z^(2k)φ over (−c, c) = (2k−1)·I(2k−2) − 2c^(2k−1)φ(c).
    """
    density = math.exp(-cut * cut / 2) / math.sqrt(2 * math.pi)
    raw = [math.erf(cut / math.sqrt(2))]
    for k in range(1, 5):
        raw.append((2 * k - 1) * raw[-1] - 2 * cut ** (2 * k - 1) * density)
    var = raw[1] / raw[0]
    return raw[3] / raw[0] / var**3, raw[4] / raw[0] / var**4


# μ6, μ8 at unit variance: uniform on ±√3 has μ_2k = 3^k/(2k+1); the normal 15, 105
HIGH_MOMENTS = {"uniform": (27 / 7, 9.0), "normal": (15.0, 105.0), "truncated": truncated_high_moments()}
SHAPES = {d: Shape(law(d), *HIGH_MOMENTS[d]) for d in ("uniform", "normal", "truncated")}


def z_of_log_p(log_p: float) -> float:
    """The z whose one-sided normal tail ½·erfc(z/√2) is exp(log_p) (0 for p ≥ ½, inf for p = 0)."""
    if log_p >= math.log(0.5):
        return 0.0
    if log_p == -math.inf:
        return math.inf
    low, high = 0.0, 1.0
    while _log_tail(high) > log_p:
        high *= 2
    for _ in range(60):
        mid = (low + high) / 2
        low, high = (mid, high) if _log_tail(mid) > log_p else (low, mid)
    return (low + high) / 2


def _log_tail(z: float) -> float:
    """log(½·erfc(z/√2)); the asymptotic series once erfc underflows."""
    x = z / math.sqrt(2.0)
    if x < 25:
        return math.log(0.5 * math.erfc(x))
    return math.log(0.5) - x * x - math.log(x * math.sqrt(math.pi)) + math.log1p(-1 / (2 * x * x))


# ── the tests ────────────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Sample:
    """What streaming a tensor yields: its moments, dtype and count of NaN/inf values.

    `moments` are of the values divided by 2**`exponent` (see `stream_sample`); the properties are
    in the tensor's own units, and ratios (z of the mean, max |w|/std) are taken in the scaled units,
    where neither side is subnormal.
    """

    moments: Moments
    dtype: str
    nonfinite: int = 0
    exponent: int = 0

    @property
    def n(self) -> int:
        return self.moments.n

    @property
    def mean(self) -> float:
        return math.ldexp(self.moments.mean, self.exponent)

    @property
    def std(self) -> float:
        return math.ldexp(self.moments.std, self.exponent)

    @property
    def min(self) -> float:
        return math.ldexp(self.moments.min, self.exponent)

    @property
    def max(self) -> float:
        return math.ldexp(self.moments.max, self.exponent)

    @property
    def max_abs(self) -> float:
        return max(abs(self.min), abs(self.max))

    @property
    def excess_kurtosis(self) -> float:
        return self.moments.excess_kurtosis  # scale-free

    @property
    def max_abs_over_std(self) -> float:
        return max(abs(self.moments.min), abs(self.moments.max)) / self.moments.std

    @property
    def z_mean(self) -> float:
        """The mean in standard errors σ/√n from 0."""
        return self.moments.mean / (self.moments.std / math.sqrt(self.n))


@dataclass(frozen=True)
class ShapeFit:
    """How one distribution fits a sample: z of the kurtosis, of the max |w|, of the mean."""

    shape: Shape
    z_kurtosis: float
    z_max: float
    z_mean: float
    std_rel_se: float

    @property
    def worst(self) -> float:
        return max(abs(self.z_kurtosis), self.z_max, abs(self.z_mean))


def fit_shape(shape: Shape, sample: Sample) -> ShapeFit:
    n, r = sample.n, shape.std_rel_se(sample.n)
    z_kurtosis = (sample.excess_kurtosis - shape.excess_kurtosis) / shape.kurtosis_se(n)
    slack = ROUNDING.get(sample.dtype, 0.0)
    return ShapeFit(shape, z_kurtosis, _z_max(shape, n, sample.max_abs_over_std, r, slack), sample.z_mean, r)


def _z_max(shape: Shape, n: int, a: float, r: float, slack: float) -> float:
    """z of the largest |w|/std = `a` among n draws of `shape` (a too small or too large).

    P(max ≤ a) = (1 − tail(a))ⁿ. The realized std is itself uncertain (rel. SE `r`), so `a` is
    widened to a·(1 ± Z·r), and by the storage rounding `slack`, before either tail is taken.
    """
    high, low = a * (1 + Z * r) * (1 + slack), a * (1 - Z * r) / (1 + slack)
    if low > shape.support:
        return math.inf
    tail_high = shape.tail(high)
    log_small = n * math.log1p(-tail_high) if tail_high < 1 else -math.inf
    tail_low = shape.tail(low)
    p_large = -math.expm1(n * math.log1p(-tail_low)) if tail_low < 1 else 1.0
    log_large = math.log(p_large) if p_large > 0 else -math.inf
    return z_of_log_p(min(log_small, log_large))


@dataclass(frozen=True)
class Candidate:
    """One standard initialization: its scheme, mode, gain and distribution, and the std it predicts."""

    scheme: str
    mode: str
    gain: float
    gain_name: str
    distribution: str
    std: float
    label: str
    default_of: str | None = None
    own_gain: bool = False  # the scheme's own gain (glorot 1, he √2, lecun 1)

    @property
    def priority(self) -> int:
        """Which name to show among candidates with the same numbers (a square layer's glorot is
        its lecun): a framework default, then a scheme at its own gain, then the rest."""
        if self.default_of:
            return 0
        return 1 if self.own_gain else 2

    def record(self) -> dict:
        return {
            "label": self.label,
            "scheme": self.scheme,
            "mode": self.mode,
            "distribution": self.distribution,
            "gain": self.gain,
            "gain_name": self.gain_name,
            "std": self.std,
            "framework_default": self.default_of,
        }

    def same_as(self, other: Candidate) -> bool:
        return self.distribution == other.distribution and abs(self.std / other.std - 1) < EQUAL


@dataclass(frozen=True)
class Fit:
    candidate: Candidate
    shape_fit: ShapeFit
    z_std: float

    @property
    def worst(self) -> float:
        return max(self.shape_fit.worst, abs(self.z_std))


def fit(candidate: Candidate, fits: dict[str, ShapeFit], sample: Sample) -> Fit:
    shape_fit = fits[candidate.distribution]
    z_std = (sample.std / candidate.std - 1) / shape_fit.std_rel_se
    return Fit(candidate, shape_fit, z_std)


# ── candidates ───────────────────────────────────────────────────────────────────────────────────


def weight_candidates(fan_in: int, fan_out: int, layout: str, shape: tuple[int, ...]) -> list[Candidate]:
    """Every mode × known gain × distribution, labelled; framework defaults named."""
    return list(_weight_candidates(fan_in, fan_out, layout, tuple(shape)))


@functools.lru_cache(maxsize=1024)  # a model repeats a few shapes over many layers
def _weight_candidates(
    fan_in: int, fan_out: int, layout: str, shape: tuple[int, ...]
) -> tuple[Candidate, ...]:
    defaults = framework_defaults(shape, layout)
    found = []
    for mode in MODES:
        for gain, scale, gain_name in GAINS:
            scheme = "glorot" if mode == "fan_avg" else "lecun" if (mode, scale) == ("fan_in", 1.0) else "he"
            # the std is gain/√n whatever the distribution (which sets only the sampler's parameter)
            stats = scheme_stats(
                scheme,
                fan_in,
                fan_out,
                "normal",
                gain=Gain(gain, gain_name, scale),
                mode=None if scheme == "glorot" else mode,
            )
            own = scale == OWN_SCALE[scheme]
            for distribution in DISTRIBUTIONS:
                default_of = _default_of(defaults, distribution, stats.mode, stats.std)
                label = _label(scheme, mode, scale, gain_name, distribution, default_of)
                found.append(
                    Candidate(scheme, mode, gain, gain_name, distribution, stats.std, label, default_of, own)
                )
    return (*found, EMBEDDING)


# torch's nn.Embedding draws N(0, 1) whatever its shape
EMBEDDING = Candidate("embedding", "none", 1.0, "1", "normal", 1.0, "torch embedding default N(0, 1)")


OWN_SCALE = {"glorot": 1.0, "lecun": 1.0, "he": 2.0}


def _label(
    scheme: str, mode: str, scale: float, gain_name: str, distribution: str, default_of: str | None
) -> str:
    """``he normal``, ``glorot uniform, gain 5/3``, ``he normal, fan_out``, ``torch default``.

    torch's default (kaiming_uniform_(a=√5)) has no scheme name of its own; Keras's and Flax's
    defaults keep theirs (glorot uniform, lecun truncated) and are named in the JSON.
    """
    if default_of == "torch":
        return "torch default"
    text = f"{scheme} {distribution}"
    if scale != OWN_SCALE[scheme]:
        text += f", gain {gain_name.split(' ')[0]}"
    if mode == "fan_out":
        text += ", fan_out"
    return text


def framework_defaults(shape: tuple[int, ...], layout: str) -> dict[str, object]:
    """The InitStats torch, Keras and Flax give a weight of `shape` by default."""
    from glorotcalc.frameworks import FRAMEWORKS, REFERENCE_FRAMEWORKS, default_stats

    layer = from_shape(shape, layout)
    return {name: default_stats(FRAMEWORKS[name], layer) for name in REFERENCE_FRAMEWORKS}


def _default_of(defaults: dict, distribution: str, mode: str, std: float) -> str | None:
    for framework, default in defaults.items():
        same = default.distribution == distribution and default.mode == mode
        if same and abs(default.std / std - 1) < EQUAL:
            return framework
    return None


def bias_candidate(fan_in: int) -> Candidate:
    """torch's default bias: U(±1/√fan_in), std = 1/√(3·fan_in), fan_in from the layer's weight."""
    std = 1 / math.sqrt(3 * fan_in)
    return Candidate(
        "torch default bias",
        "fan_in",
        math.sqrt(1 / 3),
        "√(1/3)",
        "uniform",
        std,
        "torch default bias",
    )


# ── the verdict ──────────────────────────────────────────────────────────────────────────────────


@dataclass
class Verdict:
    verdict: str
    match: str
    candidate: Candidate | None = None
    best: Fit | None = None
    shape_fit: ShapeFit | None = None
    equivalent: list[str] = field(default_factory=list)
    alternatives: list[str] = field(default_factory=list)
    runner_up: Fit | None = None
    confidence: str | None = None
    statement: str = ""


def judge(sample: Sample, candidates: list[Candidate]) -> Verdict:
    """The closest standard initialization of `sample` among `candidates`, or why there is none."""
    if sample.nonfinite:
        return Verdict("no_match", "no match", statement=f"{sample.nonfinite:,} NaN/inf values")
    if sample.moments.min == sample.moments.max:
        return _constant(sample.min)
    fits = {d: fit_shape(SHAPES[d], sample) for d in DISTRIBUTIONS}
    ranked = sorted((fit(c, fits, sample) for c in candidates), key=lambda f: f.worst)
    good = [f for f in ranked if f.worst <= Z]
    if good:
        return _matched(sample, good, ranked)
    shapes = sorted(fits.values(), key=lambda s: s.worst)
    if shapes[0].worst <= Z:
        return _shape_only(sample, shapes[0], ranked)
    return _no_match(sample, shapes[0])


def _constant(value: float) -> Verdict:
    name = {0.0: "zeros", 1.0: "ones"}.get(value, f"constant {value:.6g}")
    return Verdict("constant", name, statement=f"every value is {value:.6g}")


def _matched(sample: Sample, good: list[Fit], ranked: list[Fit]) -> Verdict:
    group = [f for f in ranked if f.candidate.same_as(good[0].candidate)]
    best = min(group, key=lambda f: f.candidate.priority)
    equivalent = [f.candidate.label for f in group if f is not best]
    others = [f for f in ranked if not f.candidate.same_as(best.candidate)]
    alternatives = _distinct_labels([f for f in others if f.worst <= Z])
    runner_up = others[0] if others else None
    if sample.n < MIN_ELEMENTS and alternatives:
        return Verdict(
            "inconclusive",
            "too few to tell",
            shape_fit=best.shape_fit,
            alternatives=[best.candidate.label, *alternatives],
            statement=f"only {sample.n} elements: {len(alternatives) + 1} distinct candidates fit, e.g. "
            + _some([best.candidate.label, *alternatives]),
        )
    if sample.n < MIN_ELEMENTS:
        level = "low"
    elif alternatives:
        level = "ambiguous"
    else:
        level = "high" if runner_up is None or runner_up.worst > MARGIN_HIGH else "moderate"
    verdict = Verdict(
        "init",
        best.candidate.label,
        best.candidate,
        best,
        best.shape_fit,
        equivalent,
        alternatives,
        runner_up,
        level,
    )
    verdict.statement = _match_statement(sample, verdict)
    return verdict


def _some(labels: list[str], shown: int = 3) -> str:
    """The first `shown` labels, and how many more (the JSON lists them all)."""
    text = "; ".join(labels[:shown])
    return text + (f" and {len(labels) - shown} more" if len(labels) > shown else "")


def _distinct_labels(fits: list[Fit]) -> list[str]:
    kept: list[Fit] = []
    for f in fits:
        if not any(f.candidate.same_as(k.candidate) for k in kept):
            kept.append(f)
    return [f.candidate.label for f in kept]


def _shape_only(sample: Sample, shape_fit: ShapeFit, ranked: list[Fit]) -> Verdict:
    nearest = next((f for f in ranked if f.candidate.distribution == shape_fit.shape.distribution), None)
    text = f"{shape_fit.shape.distribution} fits ({_shape_text(sample, shape_fit)})"
    if not ranked:
        text += ", but no fan_in is known to predict its std from (a bias pairs with x.weight or x.kernel)"
    else:
        text += f", but std {sample.std:.4g} matches no scheme × gain"
    if nearest is not None:
        away = "over 1e308 SE" if math.isinf(nearest.z_std) else _se(nearest.z_std)  # std ≫ any init
        text += f": nearest {nearest.candidate.label}, {away} away"
    return Verdict(
        "distribution_only",
        f"{shape_fit.shape.distribution}, other scale",
        shape_fit=shape_fit,
        runner_up=nearest,
        statement=text,
    )


def _no_match(sample: Sample, shape_fit: ShapeFit) -> Verdict:
    shape = shape_fit.shape
    failures = []
    if abs(shape_fit.z_kurtosis) > Z:
        failures.append(
            f"excess kurtosis {sample.excess_kurtosis:.4g} "
            f"({shape.distribution} {shape.excess_kurtosis:.4g}: {_se(shape_fit.z_kurtosis)})"
        )
    if abs(shape_fit.z_mean) > Z:
        failures.append(f"mean {sample.mean:.4g} ({_se(shape_fit.z_mean)} from 0)")
    if shape_fit.z_max > Z:
        failures.append(
            f"max |w| = {sample.max_abs_over_std:.4g}·std ({_max_text(shape)}: {_se(shape_fit.z_max)})"
        )
    text = f"closest shape {shape.distribution}, but " + "; ".join(failures)
    return Verdict("no_match", "no match", shape_fit=shape_fit, statement=text)


def _se(z: float) -> str:
    if math.isinf(z):
        return "beyond the support"
    return f"{z:+.1f} SE" if abs(z) < 100 else f"{z:+.3g} SE"


def _max_text(shape: Shape) -> str:
    return "unbounded" if math.isinf(shape.support) else f"≤ {shape.support:.4f}·std"


def _shape_text(sample: Sample, shape_fit: ShapeFit) -> str:
    shape = shape_fit.shape
    return (
        f"excess kurtosis {sample.excess_kurtosis:.4g} vs {shape.excess_kurtosis:.4g}: "
        f"{_se(shape_fit.z_kurtosis)}; max |w| = {sample.max_abs_over_std:.4g}·std, {_max_text(shape)}; "
        f"mean {_se(shape_fit.z_mean)} from 0"
    )


def _match_statement(sample: Sample, verdict: Verdict) -> str:
    best = verdict.best
    ratio = sample.std / best.candidate.std
    text = (
        f"std {sample.std:.4g} = {ratio:.4f}× {best.candidate.label} ({_se(best.z_std)}; SE of the std "
        f"{best.shape_fit.std_rel_se:.2%} at n = {sample.n:,}); {_shape_text(sample, best.shape_fit)}"
    )
    if verdict.equivalent:
        text += "; the same numbers as " + ", ".join(verdict.equivalent) + " for this shape"
    if verdict.alternatives:
        text += "; also consistent: " + _some(verdict.alternatives)
    elif verdict.runner_up is not None:
        text += f"; next: {verdict.runner_up.candidate.label}, {abs(verdict.runner_up.worst):.3g} SE away"
    if verdict.confidence == "low":
        text += f"; only {sample.n} elements: weak evidence"
    return text


# ── streaming ────────────────────────────────────────────────────────────────────────────────────


def stream_sample(tensor: Tensor, advance: Callable[[int], None], threads: int | None = None) -> Sample:
    """Moments of a tensor's finite values, chunk by chunk; NaN/inf are counted apart.

    Each chunk of `CHUNK` values is reduced by `glorotcalc.stats.chunk_moments` (in units of a
    power of two near its largest |w|, so squares and fourth powers neither overflow — float64
    weights near 1e200–1e308 — nor vanish — subnormal weights near 1e-310 — and no numpy warning
    is raised; dividing by a power of two is exact) and the chunks are merged in file order, so the
    statistics are the same, bit for bit, for any `threads` (default: every core). With more than
    one thread the caller reads chunk k + 1 (``readinto``, which releases the GIL) into one of
    `threads` + 1 buffers while `threads` workers reduce the chunks before it.
    """
    threads = max(1, os.cpu_count() or 1) if threads is None else max(1, threads)
    width = WIDTHS.get(tensor.dtype, 0)
    total, nonfinite = Moments(), 0
    if threads == 1:
        scratch = Scratch()
        for chunk in tensor.read(CHUNK):
            advance(chunk.size * width)
            moments, bad = chunk_moments(chunk, scratch)
            total, nonfinite = total.merge(moments), nonfinite + bad
        return _sample(total, tensor.dtype, nonfinite)
    local = threading.local()

    def reduce(chunk: np.ndarray) -> tuple[Moments, int]:
        if not hasattr(local, "scratch"):
            local.scratch = Scratch()
        return chunk_moments(chunk, local.scratch)

    pending: collections.deque = collections.deque()
    with concurrent.futures.ThreadPoolExecutor(threads) as pool:
        try:
            for chunk in tensor.read(CHUNK, threads + 1):
                advance(chunk.size * width)
                pending.append(pool.submit(reduce, chunk))
                while len(pending) > threads:  # the next read reuses the oldest pending chunk's buffer
                    moments, bad = pending.popleft().result()
                    total, nonfinite = total.merge(moments), nonfinite + bad
            while pending:
                moments, bad = pending.popleft().result()
                total, nonfinite = total.merge(moments), nonfinite + bad
        finally:
            for future in pending:
                future.cancel()
    return _sample(total, tensor.dtype, nonfinite)


def _sample(total: Moments, dtype: str, nonfinite: int) -> Sample:
    """A `Sample` whose moments are in units of 2**exponent (the largest chunk's unit)."""
    if total.n == 0:
        return Sample(total, dtype, nonfinite, 0)
    m, exp = total, total.exp
    scaled = Moments(m.n, m.center, m.c2, m.c3, m.c4, math.ldexp(m.min, -exp), math.ldexp(m.max, -exp), 0)
    return Sample(scaled, dtype, nonfinite, exp)


# ── the rows ─────────────────────────────────────────────────────────────────────────────────────


@dataclass
class Audited:
    file: str
    tensor: Tensor
    layout: str
    fans: tuple[int, int | None] | None = None  # a bias: (fan_in of its weight, None)
    sample: Sample | None = None
    verdict: Verdict | None = None
    predictions: dict[str, float] = field(default_factory=dict)
    error: str | None = None
    note: str | None = None


def audit_tensor(
    file: WeightsFile, tensor: Tensor, layout: str, advance: Callable[[int], None], threads: int | None = None
) -> Audited:
    item = Audited(file.shown, tensor, layout)
    if tensor.problem is not None:
        item.error = tensor.problem
        item.verdict = Verdict("unreadable", "unreadable", statement=tensor.problem)
        return item
    skipped = _skip_reason(tensor)
    if skipped:
        item.verdict = Verdict("skipped", f"skipped ({skipped[0]})", statement=skipped[1])
        return item
    candidates = _candidates(file, tensor, layout, item)
    try:
        item.sample = stream_sample(tensor, advance, threads)
    except TensorError as error:
        item.error = str(error)
        item.verdict = Verdict("unreadable", "unreadable", statement=str(error))
        return item
    if tensor.repeats:
        item.verdict = _repeated(item.sample, tensor.repeats)
        return item
    from glorotcalc.structure import recognize  # orthogonal, identity, dirac, sparse: a second read

    structured = recognize(tensor, item.sample, CHUNK)
    if structured is not None:
        item.verdict = Verdict("structured", structured[0], confidence="high", statement=structured[1])
    else:
        item.verdict = judge(item.sample, candidates)
    return item


def _repeated(sample: Sample, how: str) -> Verdict:
    """A tensor whose elements copy fewer stored values (a broadcast view): no random draw does that.
    (A broadcast constant is still that constant: ``torch.zeros(1).expand(n, m)`` is zeros.)"""
    if sample.moments.min == sample.moments.max:
        constant = _constant(sample.min)
        constant.statement += f"; {how}"
        return constant
    return Verdict(
        "no_match",
        "no match",
        statement=f"{how}: not a random initialization (the stored values: std {sample.std:.4g}, "
        f"mean {sample.mean:.4g})",
    )


def _skip_reason(tensor: Tensor) -> tuple[str, str] | None:
    """(short, long) reason not to audit a tensor, or None."""
    if tensor.skip:
        return tensor.skip, f"a {tensor.skip} tensor; not audited"
    if not tensor.is_float or tensor.read is None:
        return tensor.dtype, f"dtype {tensor.dtype} not audited (float16, bfloat16, float32 and float64 are)"
    if not tensor.shape:
        return "scalar", "a scalar; not audited"
    if tensor.size == 0:
        return "empty", "no elements"
    return None


def recurrent_candidate(hidden_size: int) -> Candidate:
    """torch's recurrent default: U(±1/√H) on every parameter (torch 2.13 ``torch/nn/modules/rnn.py``
    ``RNNBase.reset_parameters``), std = 1/√(3H) whatever the tensor's shape."""
    return Candidate(
        "torch recurrent default",
        "hidden",
        math.sqrt(1 / 3),
        "√(1/3)",
        "uniform",
        1 / math.sqrt(3 * hidden_size),
        "torch recurrent default U(±1/√H)",
        "torch",
    )


def _shape_of(file: WeightsFile):
    def shape_of(name: str) -> tuple[int, ...] | None:
        found = file.by_name.get(name)
        return None if found is None else tuple(found.shape)

    return shape_of


def _recurrent_candidates(
    file: WeightsFile, tensor: Tensor, layout: str, item: Audited
) -> list[Candidate] | None:
    """A torch recurrent parameter (``weight_ih_l0``, ``bias_hh_l0_reverse``, ``weight_hr_l0``): its
    H from the module's ``weight_hr``/``weight_hh`` (the evidence goes in the note), then torch's
    U(±1/√H) ahead of the standard candidates; None when `tensor` is not one."""
    found = hidden_size_from(tensor.name, _shape_of(file))
    if found is None:
        return None
    hidden_size, evidence = found
    item.note = evidence
    if len(tensor.shape) < 2:
        item.fans = (hidden_size, None)
        return [recurrent_candidate(hidden_size)]
    item.fans = compute_fans(tensor.shape, layout)
    candidates = [recurrent_candidate(hidden_size), *weight_candidates(*item.fans, layout, tensor.shape)]
    item.predictions = _predictions(candidates)
    return candidates


def _candidates(file: WeightsFile, tensor: Tensor, layout: str, item: Audited) -> list[Candidate]:
    recurrent = _recurrent_candidates(file, tensor, layout, item)
    if recurrent is not None:
        return recurrent
    if len(tensor.shape) >= 2:
        try:
            item.fans = compute_fans(tensor.shape, layout)
        except UsageError:  # fans beyond 2**63 - 1 (a broadcast view can claim any shape)
            return []
        candidates = weight_candidates(*item.fans, layout, tensor.shape)
        item.predictions = _predictions(candidates)
        return candidates
    weight = paired_weight(file, tensor)
    if weight is None:
        return []
    fan_in = compute_fans(weight.shape, layout)[0]
    item.fans = (fan_in, None)
    item.note = f"fan_in from {weight.name}"
    return [bias_candidate(fan_in)]


def paired_weight(file: WeightsFile, tensor: Tensor) -> Tensor | None:
    """``x.bias`` → ``x.weight`` (torch) or ``x.kernel`` (Keras/Flax) of the same file, rank ≥ 2."""
    if not tensor.name.endswith("bias"):
        return None
    stem = tensor.name[: -len("bias")]
    for suffix in ("weight", "kernel"):
        weight = file.by_name.get(stem + suffix)
        if weight is not None and len(weight.shape) >= 2 and 0 not in weight.shape:
            return weight
    return None


def _predictions(candidates: list[Candidate]) -> dict[str, float]:
    """The std each scheme (at its own gain, mode fan_in for he) and each framework's default predicts."""
    found = {}
    for c in candidates:
        if c.own_gain and c.mode != "fan_out":
            found.setdefault(c.scheme, c.std)
        if c.default_of:
            found.setdefault(f"{c.default_of}_default", c.std)
    return {name: found[name] for name in PREDICTED if name in found}


# ── the report ───────────────────────────────────────────────────────────────────────────────────


def check_files(files: tuple[str, ...]) -> None:
    """Refuse what audit cannot read: no files, stdin, or an option-like word."""
    for name in files:
        if name in ("", "-"):
            raise UsageError("FILE", name, "give the path of a weights file (audit does not read stdin)")
        if name.startswith("-"):
            raise UsageError("no such option", name, "see glorotcalc audit --help")
    if not files:
        raise UsageError("audit needs at least one FILE", None, "e.g. glorotcalc audit model.safetensors")


def audit(
    files: tuple[str, ...],
    *,
    layout: str = "torch",
    progress: bool = False,
    no_color: bool = False,
    threads: int | None = None,
) -> Report:
    """Audit every tensor of every file; files are indexed first, so a bad file fails fast.

    `layout`: how 4-D kernels are read for their fans (torch ``(out, in, *k)`` or Keras/JAX
    ``(*k, in, out)``); `progress`: a bar on stderr for a human; `threads`: how many threads
    reduce the chunks (default: every core; the statistics are the same for any count).
    """
    files = tuple(files)
    check_files(files)
    weights = [open_weights(path) for path in files]
    total = sum(t.nbytes for w in weights for t in w.tensors if t.problem is None)
    items = []
    with Progress(total, progress, in_bytes=True, no_color=no_color) as bar:
        bar.describe("auditing")
        for w in weights:
            items += _audit_file(w, layout, bar.advance, threads)
    _fail_if_nothing_read(items)
    return _report(weights, items, layout)


def _audit_file(
    file: WeightsFile, layout: str, advance: Callable[[int], None], threads: int | None = None
) -> list[Audited]:
    with file.reading():  # an .npz's archive is opened once for all its members
        return [audit_tensor(file, t, layout, advance, threads) for t in file.tensors]


def _fail_if_nothing_read(items: list[Audited]) -> None:
    unreadable = [i for i in items if i.verdict.verdict == "unreadable"]
    if unreadable and len(unreadable) == len(items):
        first = unreadable[0]
        more = f" (and {len(unreadable) - 1} more unreadable tensors)" if len(unreadable) > 1 else ""
        raise GlorotcalcError(f"{first.file}: {first.tensor.name}: {first.error}{more}")


def _report(weights: list[WeightsFile], items: list[Audited], layout: str) -> Report:
    many = len(weights) > 1
    rows = [_row(i) for i in items]
    cols = (columns(("file", "file", "path")) if many else []) + TABLE_COLUMNS
    summary = _summary(items)
    notes = [summary, *_tensor_notes(items, many), *_file_notes(weights, items, layout), *LEGEND]
    return Report(
        kind="audit",
        title=_title(weights, items, layout),
        columns=cols,
        rows=rows,
        document={
            "layout": layout,
            "files": [{"path": w.shown, "format": w.format, "tensors": len(w.tensors)} for w in weights],
            "tensors": [_record(i) for i in items],
            "summary": {v: sum(i.verdict.verdict == v for i in items) for v in VERDICTS},
            "unreadable": [
                {"file": i.file, "tensor": i.tensor.name, "error": i.error} for i in items if i.error
            ],
        },
        notes=notes,
        csv_columns=CSV_COLUMNS,
        value_hint="audit reports many numbers per tensor; use --format json, csv or tsv",
    )


def _title(weights: list[WeightsFile], items: list[Audited], layout: str) -> str:
    where = f"{weights[0].shown} ({weights[0].format})" if len(weights) == 1 else f"{len(weights)} files"
    return f"audit · {where} · {layout} layout · {_count(len(items), 'tensor')}"


def _summary(items: list[Audited]) -> str:
    counts = [(label, sum(i.verdict.verdict == v for i in items)) for v, label in VERDICTS.items()]
    return f"{_count(len(items), 'tensor')}: " + " · ".join(f"{n} {label}" for label, n in counts if n)


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


def _tensor_notes(items: list[Audited], many: bool) -> list[str]:
    """A line for every tensor that matches no standard init, several, or cannot be read: why, in
    numbers. (Matches, constants and skipped tensors say enough in their row.)"""
    notes = []
    for i in items:
        v = i.verdict
        if v.verdict in ("constant", "skipped") or (v.verdict == "init" and v.confidence != "ambiguous"):
            continue
        name = f"{i.file}: {i.tensor.name}" if many else i.tensor.name
        notes.append(f"{name}: {v.statement}")
    return notes


def _file_notes(weights: list[WeightsFile], items: list[Audited], layout: str) -> list[str]:
    notes = [note for w in weights for note in w.notes]
    kernels = any(i.tensor.name.endswith("kernel") and len(i.tensor.shape) >= 2 for i in items)
    if kernels and layout == "torch":
        notes.append("tensor names end in 'kernel' (Keras/Flax): if so, read them with --layout keras")
    return notes


LEGEND = [
    "×glorot, ×lecun: realized std ÷ the std at gain 1 with fan_avg (Glorot) and fan_in (LeCun): the implied "
    "gain; He is ×lecun = √2, torch's default U(±1/√fan_in) ×lecun = √(1/3); Keras's default is glorot "
    "uniform, Flax's lecun truncated",
    "match: modes fan_avg/fan_in/fan_out × gains 1, √2, 5/3, 3/4, √(1/3) × uniform/normal/truncated, and "
    "N(0, 1) (torch nn.Embedding); "
    "std, excess kurtosis (−1.2, 0, −0.634), max |w| (√3, ∞, 2.2737·std) and mean within 5 SE at n "
    "elements; confidence: high = next candidate > 10 SE away, moderate = 5–10 SE, ambiguous = several "
    "fit, low = n < 100",
]

# Narrow terminals: fan_in and fan_out give way (the shape has them), then ex.kurt, then the
# implied gains; a tensor name breaks after its dots, never inside a part.
TABLE_COLUMNS = columns(
    ("tensor", "tensor", "name"),
    ("shape_text", "shape", "str"),
    ("fan_in", "fan_in", "int", 3),
    ("fan_out", "fan_out", "int", 3),
    ("std", "std", "g"),
    ("excess_kurtosis", "ex.kurt", "g", 2),
    ("ratio_glorot", "×glorot", "ratio", 1),
    ("ratio_lecun", "×lecun", "ratio", 1),
    ("match", "match", "str"),
    ("confidence", "confidence", "str"),
)

CSV_COLUMNS = [
    *columns(
        ("file", "file", "str"),
        ("tensor", "tensor", "str"),
        ("dtype", "dtype", "str"),
        ("shape", "shape", "str"),
        ("layout", "layout", "str"),
        ("fan_in", "fan_in", "int"),
        ("fan_out", "fan_out", "int"),
        ("elements", "elements", "int"),
        ("mean", "mean"),
        ("std", "std"),
        ("min", "min"),
        ("max", "max"),
        ("excess_kurtosis", "excess_kurtosis"),
    ),
    *columns(*[(f"{kind}_{name}", f"{kind}_{name}") for name in PREDICTED for kind in ("std", "ratio")]),
    *columns(
        ("verdict", "verdict", "str"),
        ("match", "match", "str"),
        ("scheme", "scheme", "str"),
        ("mode", "mode", "str"),
        ("distribution", "distribution", "str"),
        ("gain", "gain"),
        ("confidence", "confidence", "str"),
        ("z_std", "z_std"),
        ("z_kurtosis", "z_kurtosis"),
        ("z_mean", "z_mean"),
        ("z_max", "z_max"),
        ("std_rel_se", "std_rel_se"),
        ("nonfinite", "nonfinite", "int"),
        ("error", "error", "str"),
    ),
]


def _finite(value: float | None) -> float | None:
    """None for a value JSON/CSV cannot carry (inf, NaN)."""
    return value if value is not None and math.isfinite(value) else None


def _stats(item: Audited) -> dict:
    sample = item.sample
    if sample is None or sample.n == 0:
        return {"elements": item.tensor.size}
    return {
        "elements": item.tensor.size,
        "mean": sample.mean,
        "std": sample.std,
        "min": sample.min,
        "max": sample.max,
        "excess_kurtosis": _finite(sample.excess_kurtosis),
        "max_abs_over_std": _finite(sample.max_abs_over_std) if sample.moments.std > 0 else None,
        "nonfinite": sample.nonfinite,
    }


def _implied_gains(item: Audited) -> dict | None:
    """realized std ÷ the mode's std at gain 1: √(n_mode)·std."""
    if item.sample is None or item.fans is None or item.fans[1] is None or item.sample.n == 0:
        return None
    fan_in, fan_out = item.fans
    std = item.sample.std
    return {
        "fan_avg": _finite(std * math.sqrt((fan_in + fan_out) / 2)),
        "fan_in": _finite(std * math.sqrt(fan_in)),
        "fan_out": _finite(std * math.sqrt(fan_out)),
    }


def _z_values(verdict: Verdict) -> dict:
    shape_fit = verdict.shape_fit
    return {
        "std": _finite(verdict.best.z_std) if verdict.best else None,
        "kurtosis": _finite(shape_fit.z_kurtosis) if shape_fit else None,
        "mean": _finite(shape_fit.z_mean) if shape_fit else None,
        "max": _finite(shape_fit.z_max) if shape_fit else None,
    }


def _row(item: Audited) -> dict:
    v, t = item.verdict, item.tensor
    stats = _stats(item)
    row = {
        "file": item.file,
        "tensor": t.name,
        "dtype": t.dtype,
        "shape": list(t.shape),
        "shape_text": "×".join(map(str, t.shape)) or ("?" if t.problem else "scalar"),
        "layout": item.layout,
        "fan_in": item.fans[0] if item.fans else None,
        "fan_out": item.fans[1] if item.fans else None,
        **stats,
        "verdict": v.verdict,
        "match": v.match,
        "confidence": v.confidence,
        "std_rel_se": v.shape_fit.std_rel_se if v.shape_fit else None,
        "error": item.error,
    }
    for name in PREDICTED:
        predicted = item.predictions.get(name)
        row[f"std_{name}"] = predicted
        row[f"ratio_{name}"] = _finite(stats["std"] / predicted) if predicted and "std" in stats else None
    if v.candidate is not None:
        c = v.candidate
        row.update(scheme=c.scheme, mode=c.mode, distribution=c.distribution, gain=c.gain)
    elif v.shape_fit is not None and v.verdict == "distribution_only":
        row["distribution"] = v.shape_fit.shape.distribution
    row.update({f"z_{k}": z for k, z in _z_values(v).items()})
    return {key: value for key, value in row.items() if value is not None}  # a missing key shows as None


def _record(item: Audited) -> dict:
    v, t = item.verdict, item.tensor
    stats = _stats(item)
    predictions = [
        {"name": name, "std": std, "ratio": _finite(stats["std"] / std) if "std" in stats else None}
        for name, std in item.predictions.items()
    ]
    return {
        "file": item.file,
        "name": t.name,
        "dtype": t.dtype,
        "shape": list(t.shape),
        "layout": item.layout,
        "fan_in": item.fans[0] if item.fans else None,
        "fan_out": item.fans[1] if item.fans else None,
        "fan_source": item.note,
        "stats": stats,
        "predictions": predictions,
        "implied_gain": _implied_gains(item),
        "verdict": v.verdict,
        "match": v.candidate.record() if v.candidate else None,
        "distribution": v.shape_fit.shape.distribution if v.shape_fit and v.verdict != "no_match" else None,
        "equivalent": v.equivalent,
        "alternatives": v.alternatives,
        "confidence": {
            "level": v.confidence,
            "std_rel_se": v.shape_fit.std_rel_se if v.shape_fit else None,
            "z": _z_values(v),
            "runner_up": (
                {"label": v.runner_up.candidate.label, "z": _finite(v.runner_up.worst)}
                if v.runner_up
                else None
            ),
        },
        "statement": v.statement,
        "error": item.error,
    }
