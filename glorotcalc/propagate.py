"""Follow the variance through a network, forward and backward: mean-field theory and Monte Carlo.

Set-up (He et al. 2015, notation y = W·x, x_{l+1} = φ(y_l)): the input x_0 has unit variance
(N(0, 1) entries, E[x²] = 1); biases are zero; weights are zero-mean with Var(W_l) from the
layer's InitStats. Per layer l:

- forward, the pre-activation variance  q_l = Var(W_l)·fan_in·E[x_l²]  with
  E[x_{l+1}²] = E[φ(√q_l·z)²], z ~ N(0, 1). Because the weights are zero-mean, the next
  pre-activation's variance takes the *second moment* of φ, so a mean-shifting activation
  (relu, sigmoid, softplus, …) carries its mean E[φ] into the next layer; both the mean and
  the std of φ(y_l) are reported.
- backward, a unit-variance gradient ∂L/∂x_L at the output; the gradient at the layer's input
  has second moment  E[(∂L/∂x_l)²] = χ_l·E[(∂L/∂x_{l+1})²],  χ_l = Var(W_l)·fan_out·E[φ′(√q_l·z)²].

The Gaussian expectations use numpy's Gauss–Hermite rule (`hermegauss`) on each half-line,
after the substitution z = t·Φ(t) + φ(t) (see `half_line_rule`): it sees the kinks of relu, elu
and selu exactly and the narrow peaks of tanh′ and sigmoid′ at large q.

The Monte Carlo draws each layer's weights with `sampling.draw` (seeded per layer from
``--seed``), pushes a batch of N(0, 1) inputs forward (``h = x @ W.T``, W of shape
(fan_out, fan_in): torch's layout) and a N(0, 1) gradient backward (``g @ W``).

>>> from glorotcalc.gain import make_activation
>>> from glorotcalc.layers import dense
>>> from glorotcalc.schemes import glorot
>>> steps = [Step(dense(256, 256, activation=make_activation("relu")), glorot(256, 256, "normal"))] * 3
>>> [round(layer.pre_std, 6) for layer in mean_field(steps)]
[1.0, 0.707107, 0.5]
"""

from __future__ import annotations

import concurrent.futures
import functools
import math
import os
import threading
from dataclasses import asdict, dataclass
from itertools import pairwise

import numpy as np
from numpy.polynomial.hermite_e import hermegauss

from glorotcalc import activations
from glorotcalc.errors import GlorotcalcError, UsageError
from glorotcalc.gain import Activation
from glorotcalc.laws import InitLaw
from glorotcalc.layers import Layer
from glorotcalc.progress import Progress
from glorotcalc.report import Report, columns
from glorotcalc.results import check_mode, layer_record, stats_for
from glorotcalc.sampling import _Work, draw
from glorotcalc.schemes import InitStats, recommended_scheme

QUADRATURE_NODES = 256
DEFAULT_DISTRIBUTION = "normal"
STABLE_BAND = 2.0  # "stable": the std changes by less than this factor from the first to the last layer
DENSE_KINDS = ("dense", "weight")
CONV_KINDS = ("conv", "conv_transpose")
ROUNDING = 1e-14  # a quadrature mean below this fraction of the rms is rounding (tanh, linear: 0)
MEMORY_FRACTION = 0.5  # of physical memory, the most a propagation may plan to use
FALLBACK_MEMORY_LIMIT = 2 * 1024**3


@dataclass(frozen=True)
class Step:
    """One layer to propagate through, with the initialization its weights are drawn from."""

    layer: Layer
    stats: InitStats

    @property
    def activation(self) -> Activation:
        return self.layer.activation


# ---------------------------------------------------------------------------- mean field


@functools.cache
def half_line_rule(nodes: int = QUADRATURE_NODES) -> tuple[np.ndarray, np.ndarray]:
    """Nodes z_i > 0 and weights w_i with Σ w_i·G(z_i) ≈ ∫_0^∞ G(z)·φ(z) dz, φ the N(0, 1) density.

    numpy's Gauss–Hermite rule (`hermegauss`, weight e^{−t²/2}) after the substitution
    z = ψ(t) = t·Φ(t) + φ(t) (ψ′ = Φ; ψ maps ℝ onto (0, ∞), ψ(t) → t as t → ∞ and → 0
    faster than e^{−t²/2} as t → −∞): ∫_0^∞ G(z)φ(z) dz = ∫ G(ψ(t))·Φ(t)·e^{(t² − ψ²)/2}/√(2π)·e^{−t²/2} dt.
    The endpoint z = 0, where relu-like activations kink and where tanh′ peaks at large q, is
    sampled ever more densely, so a kink costs no accuracy. With 256 nodes the relative error of
    E[φ²] and E[φ′²] is below 1e-12 for q ≤ 10, 1e-8 for q ≤ 100 and 1e-4 up to q = 1e6
    (tests/test_activations.py).
    """
    t, weights = hermegauss(nodes)
    cdf = np.array([math.erfc(-ti / math.sqrt(2)) / 2 for ti in t])
    z = t * cdf + np.exp(-t * t / 2) / math.sqrt(2 * math.pi)
    w = weights * cdf * np.exp((t * t - z * z) / 2) / math.sqrt(2 * math.pi)
    return z, w


@dataclass(frozen=True)
class GaussianMoments:
    """E[φ(y)], E[φ(y)²] and E[φ′(y)²] for y ~ N(0, q)."""

    mean: float
    second: float
    slope: float

    @property
    def std(self) -> float:
        return math.sqrt(max(self.second - self.mean**2, 0.0))


def gaussian_moments(activation: Activation, q: float) -> GaussianMoments:
    """The moments of φ(y), y ~ N(0, q): E[F(y)] = ∫_0^∞ (F(√q·z) + F(−√q·z))·φ(z) dz."""
    z, w = half_line_rule()
    scale = math.sqrt(q)
    x = np.concatenate([scale * z, -scale * z])
    weights = np.concatenate([w, w])
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        value, derivative = activations.evaluate(activation, x)
        return GaussianMoments(
            float(weights @ value), float(weights @ (value * value)), float(weights @ (derivative**2))
        )


@dataclass(frozen=True)
class MeanFieldLayer:
    """The mean-field answer for one layer (None where float64 ran out of range)."""

    pre_std: float | None  # √q: std of y = W·x
    act_mean: float | None  # E[φ(y)]
    act_std: float | None  # std of φ(y)
    act_rms: float | None  # √E[φ(y)²], what the next layer's q uses
    chi: float | None  # Var(W)·fan_out·E[φ′(y)²]
    grad_std: float | None  # std of ∂L/∂x at the layer's input


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def mean_field(steps: list[Step]) -> list[MeanFieldLayer]:
    """The variance recursion forward (q_l) and backward (χ_l), from unit-variance input and gradient."""
    second_moment = 1.0
    forward = []
    for step in steps:
        q = step.stats.variance * step.layer.fan_in * second_moment
        moments = gaussian_moments(step.activation, q) if 0 < q < math.inf else None
        forward.append((q, moments))
        second_moment = moments.second if moments else math.nan
    grad_second = 1.0
    grads = []
    for step, (_, moments) in zip(reversed(steps), reversed(forward), strict=True):
        chi = step.stats.variance * step.layer.fan_out * moments.slope if moments else math.nan
        grad_second *= chi
        grads.append((chi, grad_second))
    result = []
    for (q, moments), (chi, grad_second) in zip(forward, reversed(grads), strict=True):
        ok = moments is not None
        mean = moments.mean if ok and abs(moments.mean) > ROUNDING * math.sqrt(moments.second) else 0.0
        result.append(
            MeanFieldLayer(
                pre_std=_finite(math.sqrt(q)) if ok else None,
                act_mean=_finite(mean) if ok else None,
                act_std=_finite(moments.std) if ok else None,
                act_rms=_finite(math.sqrt(moments.second)) if ok else None,
                chi=_finite(chi),
                grad_std=_finite(math.sqrt(grad_second)) if grad_second >= 0 else None,
            )
        )
    return result


# ---------------------------------------------------------------------------- Monte Carlo


@dataclass(frozen=True)
class MonteCarloLayer:
    """Measured statistics for one layer, over batch × width elements (None if not finite)."""

    pre_mean: float | None
    pre_std: float | None
    act_mean: float | None
    act_std: float | None
    grad_mean: float | None
    grad_std: float | None


STAT_CHUNK = 1 << 18  # elements per BLAS dot product: its float32 rounding stays below 1e-6


def _mean_std(values: np.ndarray) -> tuple[float | None, float | None]:
    """Mean and (population) std of all elements: a float32 pairwise sum, chunked dot products."""
    flat = values.reshape(-1)
    n = flat.size
    mean = float(flat.sum(dtype=flat.dtype)) / n
    second = sum(float(np.dot(part, part)) for part in np.split(flat, range(STAT_CHUNK, n, STAT_CHUNK))) / n
    if not (math.isfinite(mean) and math.isfinite(second)):
        return None, None
    return mean, math.sqrt(max(second - mean * mean, 0.0))


def _buffer(storage: np.ndarray, rows: int, cols: int) -> np.ndarray:
    """A contiguous (rows, cols) view at the start of a flat buffer."""
    return storage[: rows * cols].reshape(rows, cols)


def itemsize(dtype: str) -> int:
    return np.dtype(dtype).itemsize


def memory_needed(steps: list[Step], batch: int, dtype: str) -> int:
    """Bytes the Monte Carlo needs at least: activations kept for backward, buffers, one weight."""
    size = itemsize(dtype)
    widest = max(max(s.layer.fan_in, s.layer.fan_out) for s in steps)
    largest_weight = max(s.layer.fan_in * s.layer.fan_out for s in steps)
    saved = sum(batch * s.layer.fan_out * activations.saved_bytes(s.activation, size) for s in steps)
    buffers = 6 * batch * widest * size  # input, gradient, two ping-pong buffers, activation temporaries
    return saved + buffers + largest_weight * size  # the weight being drawn or used


# a container's memory limit: cgroup v2, then v1 (v1 writes a huge number for "no limit")
CGROUP_LIMITS = ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes")


def cgroup_limit(paths: tuple[str, ...] = CGROUP_LIMITS) -> int | None:
    """The memory limit of this process's cgroup in bytes, or None (no limit, or not readable)."""
    for path in paths:
        try:
            with open(path) as handle:
                text = handle.read(64).strip()
        except OSError:
            continue
        if text.isdigit() and 0 < int(text) < 2**60:
            return int(text)
    return None


def memory_limit(paths: tuple[str, ...] = CGROUP_LIMITS) -> int:
    """Half of the memory this process may use: physical memory, or its cgroup's limit when lower
    (2 GiB when neither can be read)."""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        total = 0
    limits = [size for size in (total, cgroup_limit(paths)) if size and size > 0]
    return int(min(limits) * MEMORY_FRACTION) if limits else FALLBACK_MEMORY_LIMIT


def _gib(size: int) -> str:
    return f"{size / 1024**3:.3g} GiB" if size >= 1024**3 else f"{size / 1024**2:.3g} MiB"


def check_memory(steps: list[Step], batch: int, dtype: str, limit: int | None = None) -> int:
    """Refuse a Monte Carlo that cannot fit; return the bytes left over for caching weights."""
    what = " (half of this machine's memory)" if limit is None else ""
    limit = memory_limit() if limit is None else limit
    needed = memory_needed(steps, batch, dtype)
    if needed > limit:
        raise GlorotcalcError(
            f"propagate with --batch {batch} over {len(steps)} layers needs about {_gib(needed)} "
            f"({dtype}), more than the limit of {_gib(limit)}{what}",
            None,
            "use a smaller --batch, fewer or narrower layers",
        )
    return limit - needed


def monte_carlo(
    steps: list[Step],
    batch: int,
    dtype: str = "float32",
    seed: int = 0,
    *,
    cache_bytes: int | None = None,
    advance=None,
) -> list[MonteCarloLayer]:
    """Push N(0, 1) inputs forward and a N(0, 1) output gradient backward through drawn weights.

    Layer l's weights come from ``SeedSequence(seed)``'s child l + 2 (children 0 and 1 give the
    input and the output gradient), so the backward pass can redraw a weight it did not keep:
    weights are kept while their bytes fit in `cache_bytes` (default: all). When all of them fit
    they are drawn up front on every core (`_draw_all`); otherwise the sampler's scratch and the
    storage of the weights that are not kept are reused from draw to draw. The products write into
    two ping-pong buffers. (Drawing the next weight while a product runs was slower: BLAS already
    uses every core, and its threads spin after a product.)
    """
    kind = np.dtype(dtype).type
    children = np.random.SeedSequence(seed).spawn(len(steps) + 2)
    widest = max(max(s.layer.fan_in, s.layer.fan_out) for s in steps)
    ping, pong = (np.empty(batch * widest, dtype=kind) for _ in range(2))
    cache_left = math.inf if cache_bytes is None else cache_bytes
    kept: dict[int, np.ndarray] = {}
    work = _Work()  # the sampler's scratch, reused by every draw
    spare: np.ndarray | None = None  # storage for the weights that are not kept

    def weight(index: int, keep: bool = False) -> np.ndarray:
        """Layer `index`'s weight: kept, else drawn into a new array (keep) or the spare storage."""
        nonlocal spare
        if index in kept:
            return kept[index]
        step = steps[index]
        shape = (step.layer.fan_out, step.layer.fan_in)
        if keep:
            out = np.empty(shape, kind)
        else:
            if spare is None:
                spare = np.empty(max(s.layer.fan_in * s.layer.fan_out for s in steps), kind)
            out = spare[: math.prod(shape)].reshape(shape)
        rng = np.random.default_rng(children[index + 2])
        return draw(step.stats, shape, rng, kind, out=out, work=work)

    sizes = [s.layer.fan_in * s.layer.fan_out * np.dtype(kind).itemsize for s in steps]
    if sum(sizes) <= cache_left:  # all kept: drawn up front, on every core
        kept.update(enumerate(_draw_all(steps, children, kind)))
        cache_left -= sum(sizes)
    x = np.random.default_rng(children[0]).standard_normal((batch, steps[0].layer.fan_in), dtype=kind)
    forward, saved = [], []
    with np.errstate(all="ignore"):
        for index, step in enumerate(steps):
            size = step.layer.fan_in * step.layer.fan_out * np.dtype(kind).itemsize
            keep = size <= cache_left
            w = weight(index, keep)
            if keep:
                kept[index] = w
                cache_left -= size
            h = _buffer(ping, batch, step.layer.fan_out)
            np.matmul(x, w.T, out=h)
            del w
            pre = _mean_std(h)
            saved.append(activations.forward(step.activation, h))
            forward.append((*pre, *_mean_std(h)))
            x, ping, pong = h, pong, ping
            if advance:
                advance(1)
        g = np.random.default_rng(children[1]).standard_normal((batch, steps[-1].layer.fan_out), dtype=kind)
        grads = []
        for index in reversed(range(len(steps))):
            w = weight(index)
            activations.backward(g, saved.pop())
            out = _buffer(ping, batch, steps[index].layer.fan_in)
            np.matmul(g, w, out=out)
            del w
            kept.pop(index, None)
            grads.append(_mean_std(out))
            g, ping, pong = out, pong, ping
            if advance:
                advance(1)
    return [MonteCarloLayer(*f, *b) for f, b in zip(forward, reversed(grads), strict=True)]


def _draw_all(steps: list[Step], children: list[np.random.SeedSequence], kind) -> list[np.ndarray]:
    """Every layer's weight, from its own seed child (the same bytes on any number of threads),
    drawn on one thread per core before the first product: drawn between products, a draw shares
    the cores with BLAS's threads, which spin for a while after each product (about 6× slower)."""
    local = threading.local()

    def one(index: int) -> np.ndarray:
        if not hasattr(local, "work"):
            local.work = _Work()
        step = steps[index]
        shape = (step.layer.fan_out, step.layer.fan_in)
        return draw(step.stats, shape, np.random.default_rng(children[index + 2]), kind, work=local.work)

    threads = min(os.cpu_count() or 1, len(steps))
    if threads == 1:
        return [one(index) for index in range(len(steps))]
    with concurrent.futures.ThreadPoolExecutor(threads) as pool:
        return list(pool.map(one, range(len(steps))))


# ---------------------------------------------------------------------------- the report


@dataclass(frozen=True)
class _Settings:
    """The propagation options, as `propagate` received them."""

    scheme: str | None
    distribution: str | None
    init: object
    defaults: bool
    batch: int
    seed: int
    dtype: str
    progress: bool


def _check(settings: _Settings) -> None:
    if settings.batch < 1:
        raise UsageError("--batch", settings.batch, "must be a positive integer")
    if settings.seed < 0:
        raise UsageError("--seed", settings.seed, "must be a non-negative integer")
    if settings.dtype not in ("float32", "float64"):
        raise UsageError("--dtype", settings.dtype, "use one of float32, float64")
    given = [o for o, on in (("--scheme", settings.scheme), ("--dist", settings.distribution)) if on]
    if given and (settings.init is not None or settings.defaults):
        raise UsageError(
            f"{given[0]} does not combine with --init", None, "--init names the whole initialization"
        )


def init_stats(layer: Layer, settings: _Settings) -> InitStats:
    """The layer's initialization: --init, --scheme/--dist, else the one recommended for its activation."""
    if isinstance(settings.init, InitLaw):  # a zero-mean law: its realized variance, drawn from it
        from glorotcalc.propagate_laws import law_init

        return law_init(settings.init, layer)
    if settings.init is not None:
        from glorotcalc.frameworks import spec_stats

        return spec_stats(settings.init, layer)
    if settings.scheme is not None:
        scheme, distribution = settings.scheme, None
        check_mode(layer.mode, (scheme,))
    else:
        scheme, distribution = recommended_scheme(layer.activation)
    if settings.distribution is not None:
        distribution = settings.distribution
    return stats_for(layer, scheme, distribution or DEFAULT_DISTRIBUTION)


def _check_kinds(layers: list[Layer]) -> None:
    for layer in layers:
        if layer.kind == "recurrent":  # its weights act on a sequence through time: not a chain
            raise UsageError(
                "propagate follows a chain of dense and conv layers, not a recurrent one; layer",
                layer.name,
                f"is a torch {layer.recurrent.torch_module} weight, applied at every time step",
            )
        if layer.kind not in DENSE_KINDS + CONV_KINDS:
            raise UsageError(
                f"propagate follows a chain of dense and conv layers; layer {layer.name!r} is",
                layer.kind,
                "give the layers that carry the signal (e.g. an architecture string)",
            )


def chain_break(steps: list[Step]) -> str | None:
    """Why the Monte Carlo cannot chain the layers (a layer's fan_in ≠ the previous fan_out)."""
    for before, after in pairwise(steps):
        if after.layer.fan_in != before.layer.fan_out:
            return (
                f"{after.layer.name} takes fan_in {after.layer.fan_in} but {before.layer.name} gives "
                f"{before.layer.fan_out} outputs"
            )
    return None


def _ratio(values: list[float | None], reference: float | None) -> list[float | None]:
    if not reference:
        return [None] * len(values)
    return [None if v is None else _finite(v / reference) for v in values]


@dataclass(frozen=True)
class Trend:
    """How a std evolves from the first layer a pass goes through to the last."""

    verdict: str
    end_to_end: float
    per_layer: float
    layers: int


def trend(values: list[float | None]) -> Trend | None:
    """stable / vanishing / exploding from values[0] to values[-1] (geometric mean per layer)."""
    if len(values) < 2 or values[0] is None or values[-1] is None or values[0] <= 0:
        return None
    total = values[-1] / values[0]
    if not math.isfinite(total):
        return None
    per_layer = total ** (1 / (len(values) - 1)) if total > 0 else 0.0
    if total < 1 / STABLE_BAND:
        verdict = "vanishing"
    elif total > STABLE_BAND:
        verdict = "exploding"
    else:
        verdict = "stable"
    return Trend(verdict, total, per_layer, len(values))


def _trend_text(direction: str, theory: Trend | None, measured: Trend | None, span: str) -> str:
    if theory is None:
        return f"{direction}: no verdict (one layer, or out of float range)"
    text = (
        f"{direction}: {theory.verdict} — std ×{theory.per_layer:.6g} per layer (geometric mean), "
        f"×{theory.end_to_end:.6g} {span}"
    )
    if measured is not None:
        text += f"; Monte Carlo ×{measured.per_layer:.4g} per layer"
    return text


# Narrow terminals: the ratios give way (the verdict notes sum them up), then the activation.
TABLE_COLUMNS = columns(
    ("layer", "layer", "name"),
    ("fans", "fans", "str"),
    ("activation", "activation", "str", 1),
    ("scheme_label", "scheme", "str"),
    ("fwd_std", "fwd std", "g4"),
    ("fwd_std_mc", "fwd MC", "g4"),
    ("grad_std", "grad std", "g4"),
    ("grad_std_mc", "grad MC", "g4"),
    ("fwd_ratio", "fwd ratio", "ratio", 2),
    ("grad_ratio", "grad ratio", "ratio", 2),
)

CSV_COLUMNS = columns(
    ("layer", "layer", "str"),
    ("kind", "kind", "str"),
    ("fan_in", "fan_in", "int"),
    ("fan_out", "fan_out", "int"),
    ("activation", "activation", "str"),
    ("scheme", "scheme", "str"),
    ("distribution", "distribution", "str"),
    ("mode", "mode", "str"),
    ("gain", "gain"),
    ("gain_source", "gain_source", "str"),
    ("variance", "variance"),
    ("fwd_std", "fwd_std"),
    ("fwd_std_mc", "fwd_std_mc"),
    ("pre_mean_mc", "pre_mean_mc"),
    ("act_mean", "act_mean"),
    ("act_mean_mc", "act_mean_mc"),
    ("act_std", "act_std"),
    ("act_std_mc", "act_std_mc"),
    ("chi", "chi"),
    ("grad_std", "grad_std"),
    ("grad_std_mc", "grad_std_mc"),
    ("fwd_ratio", "fwd_ratio"),
    ("grad_ratio", "grad_ratio"),
    ("fwd_ratio_mc", "fwd_ratio_mc"),
    ("grad_ratio_mc", "grad_ratio_mc"),
)


@dataclass
class Run:
    """One network propagated: its steps and both answers (`framework` with --defaults)."""

    framework: str | None
    steps: list[Step]
    theory: list[MeanFieldLayer]
    measured: list[MonteCarloLayer] | None = None
    skipped: str | None = None

    @property
    def prefix(self) -> str:
        return f"{self.framework}: " if self.framework else ""


def _rows(run: Run) -> list[dict]:
    steps, theory, measured = run.steps, run.theory, run.measured
    fwd = [t.pre_std for t in theory]
    grad = [t.grad_std for t in theory]
    fwd_mc = [m.pre_std for m in measured] if measured else [None] * len(steps)
    grad_mc = [m.grad_std for m in measured] if measured else [None] * len(steps)
    ratios = {
        "fwd_ratio": _ratio(fwd, fwd[0]),
        "grad_ratio": _ratio(grad, grad[-1]),
        "fwd_ratio_mc": _ratio(fwd_mc, fwd_mc[0]),
        "grad_ratio_mc": _ratio(grad_mc, grad_mc[-1]),
    }
    rows = []
    for i, (step, t) in enumerate(zip(steps, theory, strict=True)):
        m = measured[i] if measured else None
        s = step.stats
        row = {"framework": run.framework} if run.framework else {}
        row.update(
            {
                "layer": step.layer.name,
                "kind": step.layer.kind,
                "fan_in": step.layer.fan_in,
                "fan_out": step.layer.fan_out,
                "fans": f"{step.layer.fan_in}→{step.layer.fan_out}",
                "activation": str(step.activation),
                "scheme": s.scheme,
                "scheme_label": run.framework or s.scheme,
                "distribution": s.distribution,
                "mode": s.mode,
                "gain": s.gain,
                "gain_source": s.gain_source,
                "variance": s.variance,
                "fwd_std": t.pre_std,
                "fwd_std_mc": m.pre_std if m else None,
                "pre_mean_mc": m.pre_mean if m else None,
                "act_mean": t.act_mean,
                "act_mean_mc": m.act_mean if m else None,
                "act_std": t.act_std,
                "act_std_mc": m.act_std if m else None,
                "chi": t.chi,
                "grad_std": t.grad_std,
                "grad_std_mc": m.grad_std if m else None,
                **{key: values[i] for key, values in ratios.items()},
            }
        )
        rows.append(row)
    return rows


def _layer_records(run: Run, rows: list[dict]) -> list[dict]:
    records = []
    for i, (step, t, row) in enumerate(zip(run.steps, run.theory, rows, strict=True)):
        record = {"framework": run.framework} if run.framework else {}
        record.update(layer_record(step.layer))
        s = step.stats
        record["init"] = {
            "scheme": s.scheme,
            "distribution": s.distribution,
            "mode": s.mode,
            "gain": s.gain,
            "gain_source": s.gain_source,
            "variance": s.variance,
            "std": s.std,
        }
        record["mean_field"] = asdict(t)
        record["monte_carlo"] = asdict(run.measured[i]) if run.measured else None
        record["ratios"] = {k: row[k] for k in ("fwd_ratio", "grad_ratio", "fwd_ratio_mc", "grad_ratio_mc")}
        records.append(record)
    return records


def _verdict(run: Run) -> tuple[dict, list[str]]:
    """The forward and backward verdicts of one run, as a record and as two notes."""
    steps, theory, measured = run.steps, run.theory, run.measured
    fwd = trend([t.pre_std for t in theory])
    bwd = trend([t.grad_std for t in reversed(theory)])
    fwd_mc = trend([m.pre_std for m in measured]) if measured else None
    bwd_mc = trend([m.grad_std for m in reversed(measured)]) if measured else None
    first, last = steps[0].layer.name, steps[-1].layer.name
    record = {"forward": _trend_record(fwd, fwd_mc), "backward": _trend_record(bwd, bwd_mc)}
    notes = [
        run.prefix + _trend_text("verdict forward", fwd, fwd_mc, f"from {first} to {last}"),
        run.prefix + _trend_text("verdict backward", bwd, bwd_mc, f"from {last} back to {first}"),
    ]
    return record, notes


def _init_notes(runs: list[Run], settings: _Settings) -> list[str]:
    if settings.defaults:
        from glorotcalc.frameworks import FRAMEWORKS, default_init

        inits = {}
        for run in runs:
            for step in run.steps:
                s = step.stats
                name = default_init(FRAMEWORKS[run.framework], step.layer)
                text = f"{run.framework} {name} ({s.distribution}, Var = {s.scale:.6g}/{s.mode})"
                inits.setdefault(text, None)
        return ["init (--init default, each framework's default layer init): " + "; ".join(inits)]
    if isinstance(settings.init, InitLaw):
        from glorotcalc.propagate_laws import law_notes

        return law_notes(settings.init, runs[0].steps)
    seen = {}
    for step in runs[0].steps:
        s = step.stats
        text = f"{s.scheme} {s.distribution} (gain {s.gain:.6g} from {s.gain_source}, mode {s.mode})"
        seen.setdefault(text, None)
    how = (
        "--init"
        if settings.init is not None
        else "--scheme"
        if settings.scheme
        else "recommended for each activation"
    )
    return [f"init ({how}): " + "; ".join(seen)]


def _runs(layers: list[Layer], settings: _Settings) -> list[Run]:
    """The networks to propagate: the chosen init, or (--defaults) each framework's default."""
    if not settings.defaults:
        steps = [Step(layer, init_stats(layer, settings)) for layer in layers]
        check_mode(layers[0].mode, sorted({step.stats.scheme for step in steps}))
        return [Run(None, steps, mean_field(steps))]
    from glorotcalc.frameworks import FRAMEWORKS, REFERENCE_FRAMEWORKS, default_stats

    runs = []
    for name in REFERENCE_FRAMEWORKS:
        steps = [Step(layer, default_stats(FRAMEWORKS[name], layer)) for layer in layers]
        runs.append(Run(name, steps, mean_field(steps)))
    return runs


def _simulate(runs: list[Run], settings: _Settings) -> None:
    """Run the Monte Carlo of every run that chains (after checking memory for all of them)."""
    todo = []
    for run in runs:
        run.skipped = chain_break(run.steps)
        if run.skipped is None:
            todo.append((run, check_memory(run.steps, settings.batch, settings.dtype)))
    total = sum(2 * len(run.steps) for run, _ in todo)
    with Progress(total, settings.progress) as progress:
        progress.describe("propagating")
        for run, cache in todo:
            run.measured = monte_carlo(
                run.steps,
                settings.batch,
                settings.dtype,
                settings.seed,
                cache_bytes=cache,
                advance=progress.advance,
            )


def _notes(runs: list[Run], layers: list[Layer], settings: _Settings) -> list[str]:
    measured = any(run.measured for run in runs)
    notes = [
        f"{run.prefix}Monte Carlo skipped: {run.skipped}; the mean-field columns hold"
        for run in runs
        if run.skipped
    ]
    notes += _init_notes(runs, settings)
    notes += [
        "fwd std: std of y = W·x (mean-field √q, q = Var(W)·fan_in·E[x²]); grad std: std of ∂L/∂x at "
        "the layer's input (χ = Var(W)·fan_out·E[φ′(y)²]); fwd ratio ÷ the first layer's, grad ratio ÷ "
        "the last layer's (backprop starts there)",
        f"Monte Carlo: {settings.batch} N(0, 1) inputs and output gradients, {settings.dtype}, seed "
        f"{settings.seed}, zero biases" + ("" if measured else " (not run)"),
    ]
    if measured and len(layers) > 1:
        notes.append(
            "Monte Carlo differs from the mean field by finite-width noise that grows like √(depth/width) "
            "(Hanin & Nica 2019)"
        )
    if any(layer.kind in CONV_KINDS or len(layer.shape) > 2 for layer in layers):
        notes.append(
            "conv layers propagate as dense maps fan_in → fan_out (each output sums fan_in inputs, each "
            "input feeds fan_out outputs); the Monte Carlo draws a fan_out × fan_in matrix"
        )
    notes += [f"{layer.name}: {note}" for layer in layers for note in layer.notes]
    if any(v is None for run in runs for m in run.measured or () for v in asdict(m).values()):
        notes.append("Monte Carlo left the float range at some layer (shown as —); try --dtype float64")
    return notes


def propagate(
    layers: list[Layer],
    *,
    scheme: str | None = None,
    distribution: str | None = None,
    init=None,
    defaults: bool = False,
    batch: int = 1024,
    seed: int = 0,
    dtype: str = "float32",
    progress: bool = False,
) -> Report:
    """The mean-field recursion and a Monte Carlo, per layer, with a verdict.

    The initialization: `init` (an `InitSpec`), `defaults` (each framework's default layer init,
    one run each), else `scheme` × `distribution` (None: the scheme recommended for each layer's
    activation, normal).
    """
    if isinstance(init, InitLaw):  # not variance scaling: refused, orthogonal, or a zero-mean law
        from glorotcalc.propagate_laws import orthogonal_propagation

        report = orthogonal_propagation(init, list(layers), batch=batch, seed=seed, dtype=dtype)
        if report is not None:
            return report
    settings = _Settings(scheme, distribution, init, defaults, batch, seed, dtype, progress)
    _check(settings)
    _check_kinds(layers)
    runs = _runs(layers, settings)
    _simulate(runs, settings)
    rows, records, verdicts, notes = [], [], {}, _notes(runs, layers, settings)
    for run in runs:
        run_rows = _rows(run)
        rows += run_rows
        records += _layer_records(run, run_rows)
        verdict, lines = _verdict(run)
        notes += lines
        if run.framework:
            verdicts[run.framework] = verdict
        else:
            verdicts = verdict
    setup = {
        "layers": len(layers),
        "batch": settings.batch,
        "dtype": settings.dtype,
        "seed": settings.seed,
        "input": "N(0, 1)",
        "output_gradient": "N(0, 1)",
        "monte_carlo": any(run.measured for run in runs),
        "quadrature_nodes": 2 * QUADRATURE_NODES,
    }
    if settings.defaults:
        setup["defaults"] = [run.framework for run in runs]
    what = " · each framework's default init" if settings.defaults else ""
    count = f"{len(layers)} layer" + ("" if len(layers) == 1 else "s")
    title = f"propagation · {count}{what} · batch {settings.batch} · {settings.dtype}"
    title += f" · seed {settings.seed}"
    return Report(
        kind="propagation",
        title=title,
        columns=TABLE_COLUMNS,
        rows=rows,
        document={"propagation": setup, "layers": records, "verdict": verdicts},
        notes=notes,
        csv_columns=[*columns(("framework", "framework", "str")), *CSV_COLUMNS]
        if settings.defaults
        else CSV_COLUMNS,
        value_hint="propagate reports every layer; use --format json, csv or tsv",
        visuals=[functools.partial(depth_chart, rows, all(run.measured for run in runs))],
    )


def _trend_record(theory: Trend | None, measured: Trend | None) -> dict | None:
    if theory is None:
        return None
    record = asdict(theory)
    record["monte_carlo_per_layer"] = measured.per_layer if measured else None
    record["monte_carlo_end_to_end"] = measured.end_to_end if measured else None
    return record


# ---------------------------------------------------------------------------- chart and progress

BAR_CELLS = 20  # the depth chart fits 80 columns
_EIGHTHS = " ▏▎▍▌▋▊▉"


def bar(fraction: float, cells: int = BAR_CELLS) -> str:
    """A horizontal bar `fraction` (0…1) of `cells` wide, in eighth-cell steps (at least one eighth)."""
    eighths = max(1, round(min(max(fraction, 0.0), 1.0) * cells * 8))
    full, part = divmod(eighths, 8)
    return "█" * full + (_EIGHTHS[part] if part else "")


def log_axis(values: list[float | None]) -> tuple[int, int]:
    """Whole decades lo < hi around every positive value, the smallest at least a quarter decade in."""
    positive = [v for v in values if v is not None and v > 0]
    if not positive:
        return 0, 1
    lo = math.floor(math.log10(min(positive)) - 0.25)
    hi = math.ceil(math.log10(max(positive)))
    return lo, max(hi, lo + 1)


def depth_chart(rows: list[dict], measured: bool):
    """Post-activation mean/std and log-scale bars of the fwd and grad std, one line per layer."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    lo, hi = log_axis([r["fwd_std"] for r in rows] + [r["grad_std"] for r in rows])
    source = "Monte Carlo" if measured else "mean-field"
    heading = (
        f"std over depth (mean-field), log scale from 1e{lo:+03d} to 1e{hi:+03d}; "
        f"φ(y) = each layer's output ({source})"
    )
    table = Table(box=None, pad_edge=False)
    table.add_column("layer", overflow="fold")
    table.add_column("φ(y) mean", justify="right", no_wrap=True)  # a number is never cut
    table.add_column("φ(y) std", justify="right", no_wrap=True)
    table.add_column("fwd std", no_wrap=True, min_width=BAR_CELLS)
    table.add_column("grad std", no_wrap=True, min_width=BAR_CELLS)
    suffix = "_mc" if measured else ""
    for row in rows:
        table.add_row(
            f"{row['framework']} {row['layer']}" if row.get("framework") else row["layer"],
            _g(row["act_mean" + suffix]),
            _g(row["act_std" + suffix]),
            Text(_log_bar(row["fwd_std"], lo, hi), style="cyan"),
            Text(_log_bar(row["grad_std"], lo, hi), style="magenta"),
        )
    return Group(Text(heading), table)


def _g(value: float | None) -> str:
    return "—" if value is None else f"{value:.4g}"


def _log_bar(value: float | None, lo: int, hi: int) -> str:
    if value is None or value <= 0:
        return "—"
    return bar((math.log10(value) - lo) / (hi - lo))
