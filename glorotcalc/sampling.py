"""Draw the weights and measure them: seeded, streamed in fixed chunks, identical for any thread count.

A result's sample is a sequence of chunks of `CHUNK` elements; chunk i draws from its own stream,
``SeedSequence(seed, spawn_key=(layer, scheme, distribution, i))``, so the values depend on the
seed and the chunk index only — never on the thread that drew them. Each chunk is reduced to exact
float64 power sums, min, max, tail count (and histogram counts) and merged in chunk order
(`glorotcalc.stats.Moments`, Chan et al. 1979): memory is bounded by the chunk, whatever the size.

float32 draws (the default, as frameworks store weights) use vectorized transforms of 32-bit
uniforms from ``BitGenerator.random_raw``: U(−a, a) from 23-bit integers, N(0, σ²) by the
Box–Muller transform (Box & Muller 1958), the truncated normal by redrawing every value beyond ±2σ
(Keras/JAX). float64 draws use the `Generator` methods.

>>> from glorotcalc.schemes import glorot
>>> draw(glorot(784, 256, "normal"), (256, 784), np.random.default_rng(0), np.float32).dtype
dtype('float32')
"""

from __future__ import annotations

import itertools
import math
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from glorotcalc.errors import GlorotcalcError, UsageError
from glorotcalc.laws import InitLaw
from glorotcalc.layers import Layer
from glorotcalc.lookup import DIST_NOTES
from glorotcalc.progress import Progress
from glorotcalc.report import Column, Report, columns
from glorotcalc.results import (
    ALL_DISTRIBUTIONS,
    ALL_SCHEMES,
    check_mode,
    explain,
    gain_notes,
    layer_record,
    layer_schemes,
    layer_title,
    result_record,
    stats_for,
)
from glorotcalc.schemes import TRUNCATION, InitStats
from glorotcalc.stats import Law, Moments, law

CHUNK = 1 << 22  # elements per chunk: one seed stream each (part of what a seed means)
BLOCK = 1 << 17  # elements per vectorized step (Box–Muller pairs within it): few GIL hand-offs
BAND_SE = 4  # verdict band: ± this many standard errors of the std
MAX_THREADS = 64
MAX_SAMPLES = 10**12  # about an hour and a half at 2e8 draws/s
HIST_BINS = 20
HIST_NORMAL_SPAN = 4.0  # the normal's histogram covers ±4 std; the rest is counted as tails
SCHEME_KEYS = ("glorot", "he", "lecun", "variance_scaling")
DIST_KEYS = ("uniform", "normal", "truncated")

_F32 = np.float32
_U32_SCALE = _F32(2.0**-32)
_U32_HALF = _F32(2.0**-33)
_ANGLE_SCALE = _F32(2 * math.pi * 2.0**-32)
_U23_SCALE = _F32(2.0**-22)
_U23_SHIFT = _F32(2.0**-23 - 1)  # (2k + 1)/2²³ − 1 for k < 2²³ is exact in float32
_FLOAT32_RANGE = (1e-15, 1e15)  # stds whose σ² and draws float32 holds without underflow or overflow


# ── samplers ─────────────────────────────────────────────────────────────────────────────────────


class _Work:
    """Per-thread scratch arrays for one block (no allocation in the inner loop)."""

    def __init__(self, block: int | None = None) -> None:
        block = self.block = block or BLOCK
        self._refill: _Work | None = None
        half = block // 2 + 1
        self.radius = np.empty(half, _F32)
        self.angle = np.empty(half, _F32)
        self.bits = np.empty(block, np.uint32)
        self.w = np.empty(2 * half, _F32)
        self.spare = np.empty(block, _F32)
        self.x = np.empty(block)
        self.x2 = np.empty(block)
        self.mask = np.empty(block, bool)

    def refill(self) -> _Work:
        """A smaller scratch set for redrawing the truncated normal's rejects."""
        if self._refill is None:
            self._refill = _Work(max(self.block // 8, 256))
        return self._refill


def _below(value: float) -> np.float32:
    """The largest float32 ≤ value (so a float32 bound never exceeds the real one)."""
    rounded = _F32(value)
    return rounded if float(rounded) <= value else np.nextafter(rounded, _F32(0))


def _box_muller(bits: np.ndarray, scale: float, work: _Work) -> np.ndarray:
    """2h normal draws × scale from 2h uint32: r = √(−2 ln u), θ = 2π·v → r·cos θ, r·sin θ.

    u = (k + ½)/2³² ∈ (0, 1] from an unsigned k (fine steps near 0, where the tail is), so
    r ≤ √(2·33·ln 2) = 6.76 (the normal's mass beyond is 1.3e−11); θ from the signed view of
    the other half covers [−π, π).
    """
    half = bits.size // 2
    radius, angle, out = work.radius[:half], work.angle[:half], work.w[: 2 * half]
    np.copyto(radius, bits[:half], casting="unsafe")
    radius *= _U32_SCALE
    radius += _U32_HALF
    np.log(radius, out=radius)
    radius *= _F32(-2.0 * scale * scale)
    np.sqrt(radius, out=radius)
    np.copyto(angle, bits[half:].view(np.int32), casting="unsafe")  # int32 → float32 is one instruction
    angle *= _ANGLE_SCALE
    np.cos(angle, out=out[:half])
    out[:half] *= radius
    np.sin(angle, out=out[half:])
    out[half:] *= radius
    return out


@dataclass(frozen=True)
class Sampler:
    """Draws one distribution in one dtype, block by block.

    scale: the uniform bound a, or the normal's σ (truncated: the sampler σ, cut at ±2σ).
    """

    distribution: str
    scale: float
    dtype: np.dtype

    @classmethod
    def of(cls, stats: InitStats, dtype) -> Sampler:
        dtype = np.dtype(dtype)
        if dtype not in (np.dtype(np.float32), np.dtype(np.float64)):
            raise UsageError("dtype", str(dtype), "use float32 or float64")
        if dtype == np.float32 and not _FLOAT32_RANGE[0] < stats.std < _FLOAT32_RANGE[1]:
            raise GlorotcalcError(
                f"std {stats.std:g} is outside what float32 samples faithfully", None, "use --dtype float64"
            )
        return cls(stats.distribution, stats.value, dtype)

    @property
    def limit(self) -> float:
        """max |w|: the bound a, or 2σ for the truncated normal; inf for the normal."""
        if self.distribution == "uniform":
            return self.scale
        return TRUNCATION * self.scale if self.distribution == "truncated" else math.inf

    def block(self, rng: np.random.Generator, n: int, work: _Work) -> np.ndarray:
        """n draws (n ≤ the work's block), a view into `work` for float32."""
        if self.dtype == np.float64:
            return self._block64(rng, n)
        if self.distribution == "uniform":
            return self._uniform32(rng.bit_generator, n, work)
        out = self._normal32(rng.bit_generator, n, work)
        if self.distribution == "truncated":
            self._redraw_beyond(rng.bit_generator, out, work)
        return out

    def _uniform32(self, bitgen, n: int, work: _Work) -> np.ndarray:
        """U(−a, a): (2k + 1)/2²³ − 1 for 23-bit k — symmetric, exact, |w| ≤ a."""
        bits = bitgen.random_raw((n + 1) // 2).view(np.uint32)[:n]
        k = np.right_shift(bits, 9, out=work.bits[:n])
        out = work.w[:n]
        np.copyto(out, k, casting="unsafe")
        out *= _U23_SCALE
        out += _U23_SHIFT
        out *= _below(self.scale)
        return out

    def _normal32(self, bitgen, n: int, work: _Work) -> np.ndarray:
        bits = bitgen.random_raw((n + 1) // 2).view(np.uint32)
        return _box_muller(bits, self.scale, work)[:n]

    def _redraw_beyond(self, bitgen, out: np.ndarray, work: _Work) -> None:
        """Keras/JAX truncation: every draw beyond ±2σ is replaced by a fresh one (no bias)."""
        limit = _below(self.limit)
        size = out.size
        beyond = np.greater(np.abs(out, out=work.spare[:size]), limit, out=work.mask[:size])
        todo = np.flatnonzero(beyond)
        refill = work.refill()
        while todo.size:
            # 4.6% of draws land beyond 2σ: ask for a little more than needed, keep the first
            want = min(todo.size + todo.size // 8 + 16, refill.block)
            fresh = self._normal32(bitgen, want, refill)
            fresh = fresh[np.abs(fresh) <= limit]
            take = min(fresh.size, todo.size)
            out[todo[:take]] = fresh[:take]
            todo = todo[take:]

    def _block64(self, rng: np.random.Generator, n: int) -> np.ndarray:
        if self.distribution == "uniform":
            return rng.uniform(-self.scale, self.scale, n)
        z = rng.standard_normal(n)
        if self.distribution == "truncated":
            todo = np.flatnonzero(np.abs(z) > TRUNCATION)
            while todo.size:
                fresh = rng.standard_normal(todo.size + todo.size // 8 + 16)
                fresh = fresh[np.abs(fresh) <= TRUNCATION]
                take = min(fresh.size, todo.size)
                z[todo[:take]] = fresh[:take]
                todo = todo[take:]
        z *= self.scale
        return z


def draw(
    stats: InitStats, size: int | tuple[int, ...], rng: np.random.Generator, dtype=np.float64
) -> np.ndarray:
    """Weights from `stats`: U(±bound), N(0, std²), or N(0, σ²) cut at ±2σ (redrawn, unbiased).

    The same transforms as ``--sample``, block by block from `rng`; float32 or float64.
    """
    sampler = Sampler.of(stats, dtype)
    shape = (size,) if isinstance(size, (int, np.integer)) else tuple(size)
    n = math.prod(shape)
    out = np.empty(n, sampler.dtype)
    work = _Work()
    for start in range(0, n, BLOCK):
        stop = min(n, start + BLOCK)
        out[start:stop] = sampler.block(rng, stop - start, work)
    return out.reshape(shape)


# ── streaming statistics ─────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Plan:
    """What to draw for one result: n draws of `sampler`, seed and stream key, tail and bins."""

    sampler: Sampler
    n: int
    seed: int
    key: tuple[int, ...]
    tail: float  # count |w| > tail (2 std)
    edges: tuple[float, float] | None = None  # histogram range, HIST_BINS bins

    @property
    def chunks(self) -> int:
        return -(-self.n // CHUNK)

    def chunk_size(self, index: int) -> int:
        return min(CHUNK, self.n - index * CHUNK)

    def rng(self, index: int) -> np.random.Generator:
        """Chunk `index`'s stream: a child SeedSequence per chunk, not per thread."""
        sequence = np.random.SeedSequence(self.seed, spawn_key=(*self.key, index))
        return np.random.Generator(np.random.PCG64(sequence))


@dataclass
class Tally:
    """Exact float64 statistics of the draws so far; merged in chunk order."""

    moments: Moments = field(default_factory=Moments)
    beyond: int = 0
    hist: np.ndarray | None = None  # [below, bin 0 … bin B−1, above]

    def merge(self, other: Tally) -> Tally:
        hist = other.hist if self.hist is None else self.hist + other.hist
        return Tally(self.moments.merge(other.moments), self.beyond + other.beyond, hist)


class _Stopped(Exception):
    """A worker saw the stop flag."""


def _sums_of_products(x: np.ndarray, x2: np.ndarray) -> tuple[float, float]:
    """Σx³ and Σx⁴ without BLAS (its own threads would fight ours); einsum accumulates in float64."""
    return float(np.einsum("i,i->", x2, x)), float(np.einsum("i,i->", x2, x2))


def tally_chunk(plan: Plan, index: int, work: _Work, stop: threading.Event | None = None) -> Tally:
    """Draw chunk `index` of `plan` block by block; return its statistics."""
    rng = plan.rng(index)
    n = plan.chunk_size(index)
    s1 = s2 = s3 = s4 = 0.0
    low, high, beyond = math.inf, -math.inf, 0
    tail2 = plan.tail * plan.tail
    hist = None if plan.edges is None else np.zeros(HIST_BINS + 2, np.int64)
    for start in range(0, n, BLOCK):
        if stop is not None and stop.is_set():
            raise _Stopped
        w = plan.sampler.block(rng, min(BLOCK, n - start), work)
        m = w.size
        if w.dtype == np.float64:
            x = w
        else:
            x = work.x[:m]
            np.copyto(x, w)  # float32 → float64 is exact, and so is x² of a float32
        x2 = np.multiply(x, x, out=work.x2[:m])
        s1 += float(x.sum())
        s2 += float(x2.sum())
        cubes, fourths = _sums_of_products(x, x2)
        s3 += cubes
        s4 += fourths
        low = min(low, float(w.min()))
        high = max(high, float(w.max()))
        beyond += int(np.count_nonzero(np.greater(x2, tail2, out=work.mask[:m])))
        if hist is not None:
            hist += _bin_counts(x, plan.edges, plan.sampler.limit < math.inf)
    return Tally(Moments.from_power_sums(n, s1, s2, s3, s4, low, high), beyond, hist)


def _bin_counts(x: np.ndarray, edges: tuple[float, float], bounded: bool) -> np.ndarray:
    """Counts of [below, HIST_BINS bins, above]; a bounded sample's edge values go to the end bins."""
    lo, hi = edges
    index = np.floor((x - lo) * (HIST_BINS / (hi - lo)))
    low_end, high_end = (0, HIST_BINS - 1) if bounded else (-1, HIST_BINS)
    np.clip(index, low_end, high_end, out=index)
    index += 1
    return np.bincount(index.astype(np.intp), minlength=HIST_BINS + 2)


def run_plan(plan: Plan, threads: int, advance: Callable[[int], None] = lambda n: None) -> Tally:
    """All chunks of `plan`, on `threads` threads, merged in chunk order (bit-identical for any count)."""
    if threads <= 1 or plan.chunks == 1:
        total, work = Tally(), _Work()
        for index in range(plan.chunks):
            total = total.merge(tally_chunk(plan, index, work))
            advance(plan.chunk_size(index))
        return total
    return _Pool(plan, min(threads, plan.chunks)).run(advance)


class _Pool:
    """Worker threads take chunk indices in order; the caller merges their tallies in order.

    numpy's generators and ufunc loops release the GIL, so the threads draw in parallel. A stop
    flag, checked between blocks, ends them within a block when the caller is interrupted.
    """

    def __init__(self, plan: Plan, threads: int) -> None:
        self.plan = plan
        self.threads = threads
        self.next_index = 0
        self.done: dict[int, Tally] = {}
        self.error: BaseException | None = None
        self.ready = threading.Condition()
        self.stop = threading.Event()

    def _claim(self) -> int | None:
        with self.ready:
            index, self.next_index = self.next_index, self.next_index + 1
        return index if index < self.plan.chunks else None

    def _work(self) -> None:
        work = _Work()
        try:
            while (index := self._claim()) is not None:
                tally = tally_chunk(self.plan, index, work, self.stop)
                with self.ready:
                    self.done[index] = tally
                    self.ready.notify_all()
        except _Stopped:
            return
        except BaseException as error:  # handed to the caller, never printed by the thread
            with self.ready:
                self.error = error
                self.ready.notify_all()

    def run(self, advance: Callable[[int], None]) -> Tally:
        workers = [threading.Thread(target=self._work, daemon=True) for _ in range(self.threads)]
        for worker in workers:
            worker.start()
        total = Tally()
        try:
            for index in range(self.plan.chunks):
                total = total.merge(self._wait(index))
                advance(self.plan.chunk_size(index))
        finally:
            self.stop.set()
            for worker in workers:
                worker.join()
        return total

    def _wait(self, index: int) -> Tally:
        with self.ready:
            while index not in self.done:
                if self.error is not None:
                    raise self.error
                self.ready.wait(0.1)  # a timeout keeps Ctrl-C responsive in the main thread
            return self.done.pop(index)


# ── the report ───────────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Job:
    """One result to sample: a layer × scheme × distribution, its plan and its theory."""

    layer_index: int
    layer: Layer
    stats: InitStats
    plan: Plan

    @property
    def law(self) -> Law:
        return law(self.stats.distribution)

    @property
    def label(self) -> str:
        return f"{self.stats.scheme} {self.stats.distribution}"


@dataclass(frozen=True)
class _Settings:
    """The sampling options, as `sample` received them."""

    schemes: tuple[str, ...] | None
    distributions: tuple[str, ...]
    init: object
    samples: int | None
    seed: int
    seed_given: bool
    threads: int | None
    dtype: str
    hist: bool
    explain: bool
    progress: bool


def _check(settings: _Settings) -> None:
    """The options of sampling that can be wrong whatever the layers."""
    if settings.samples is not None and not 1 <= settings.samples <= MAX_SAMPLES:
        raise UsageError("--samples", settings.samples, f"must be a positive integer up to {MAX_SAMPLES:,}")
    if settings.threads is not None and not 1 <= settings.threads <= MAX_THREADS:
        raise UsageError("--threads", settings.threads, f"must be between 1 and {MAX_THREADS}")
    if settings.seed < 0:
        raise UsageError("--seed", settings.seed, "must be a non-negative integer")
    if settings.dtype not in ("float32", "float64"):
        raise UsageError("--dtype", settings.dtype, "use one of float32, float64")


def default_threads() -> int:
    """All the cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def make_jobs(layers: list[Layer], settings: _Settings) -> list[Job]:
    """Every layer × selected scheme × distribution (or the named init), with its plan."""
    jobs = []
    for index, layer in enumerate(layers):
        for stats in _layer_stats(layer, settings, len(layers)):
            jobs.append(Job(index, layer, stats, _plan(index, layer, stats, settings)))
    return jobs


def _layer_stats(layer: Layer, settings: _Settings, count: int) -> list[InitStats]:
    if settings.init is not None:
        from glorotcalc.frameworks import spec_stats

        return [spec_stats(settings.init, layer)]
    if count == 1:
        schemes = settings.schemes or ALL_SCHEMES
        check_mode(layer.mode, schemes)
    else:
        schemes = tuple(scheme for scheme, _ in layer_schemes(layer, settings.schemes))
        for scheme in schemes:
            check_mode(layer.mode, (scheme,))
    return [stats_for(layer, scheme, d) for scheme in schemes for d in settings.distributions]


def _plan(index: int, layer: Layer, stats: InitStats, settings: _Settings) -> Plan:
    n = layer.weights if settings.samples is None else settings.samples
    if n > MAX_SAMPLES:
        raise UsageError(
            f"{layer.name or 'the layer'} has {n:,} weights; --sample draws at most {MAX_SAMPLES:,}",
            None,
            "give --samples N",
        )
    sampler = Sampler.of(stats, settings.dtype)
    key = (index, SCHEME_KEYS.index(stats.scheme), DIST_KEYS.index(stats.distribution))
    edges = None
    if settings.hist:
        span = sampler.limit if sampler.limit < math.inf else HIST_NORMAL_SPAN * stats.std
        edges = (-span, span)
    return Plan(sampler, n, settings.seed, key, 2 * stats.std, edges)


def sample(
    layers: list[Layer],
    *,
    schemes: tuple[str, ...] | None = None,
    distributions: tuple[str, ...] | None = None,
    init=None,
    samples: int | None = None,
    seed: int | None = None,
    threads: int | None = None,
    dtype: str = "float32",
    hist: bool = False,
    explain: bool = False,
    progress: bool = False,
) -> Report:
    """Draw every selected result (or the named `init`) and compare its statistics with the theory.

    `samples`: draws per result (default: the layer's size); `seed`: default 0, the same output
    for any `threads` (default: every core); `hist`: a histogram (one result only); `progress`: a
    bar on stderr for a human.
    """
    if isinstance(init, InitLaw):  # not variance scaling: glorotcalc.orthogonal draws it
        return _sample_law(layers, init, samples, seed, threads, dtype, hist)
    settings = _Settings(
        schemes,
        distributions or ALL_DISTRIBUTIONS,
        init,
        samples,
        0 if seed is None else seed,
        seed is not None,
        threads,
        dtype,
        hist,
        explain,
        progress,
    )
    _check(settings)
    jobs = make_jobs(layers, settings)
    total = sum(job.plan.n for job in jobs)
    if total > MAX_SAMPLES:
        raise UsageError(
            f"this selection draws {total:,} values ({len(jobs)} results)",
            None,
            f"at most {MAX_SAMPLES:,} in one run: narrow --scheme/--dist or give --samples N",
        )
    if settings.hist and len(jobs) != 1:
        raise UsageError(
            f"--hist needs exactly one result; this selection has {len(jobs)}",
            None,
            "narrow it with --scheme and --dist" + (" and a single layer" if len(layers) > 1 else ""),
        )
    threads = default_threads() if settings.threads is None else settings.threads
    with Progress(sum(job.plan.n for job in jobs), settings.progress) as progress:
        tallies = []
        for job in jobs:
            where = f"{job.layer.name} " if len(layers) > 1 else ""
            progress.describe(f"sampling {where}{job.label}")
            tallies.append(run_plan(job.plan, threads, progress.advance))
    return _report(layers, jobs, tallies, settings)


def _sample_law(layers, law, samples, seed, threads, dtype, hist) -> Report:
    from glorotcalc.frameworks import framework_shape, spec_framework
    from glorotcalc.orthogonal import sample_law

    for option, given in (("--threads", threads is not None), ("--hist", hist)):
        if given:
            raise UsageError(
                f"{option} does not apply to", law.call, "it is not a variance-scaling initializer"
            )
    shapes = [framework_shape(layer, spec_framework(law)) for layer in layers]
    return sample_law(layers, law, shapes, samples=samples, seed=0 if seed is None else seed, dtype=dtype)


# ── rows, document, notes ────────────────────────────────────────────────────────────────────────


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def theory_record(job: Job) -> dict:
    shape, std = job.law, job.stats.std
    support = job.plan.sampler.limit
    return {
        "mean": 0.0,
        "std": std,
        "excess_kurtosis": shape.excess_kurtosis,
        "beyond_2std": shape.beyond(2.0),
        "min": -support if support < math.inf else None,
        "max": support if support < math.inf else None,
        "support": support if support < math.inf else None,
    }


def sample_record(job: Job, tally: Tally) -> dict:
    m = tally.moments
    return {
        "n": m.n,
        "mean": m.mean,
        "std": m.std,
        "excess_kurtosis": _finite(m.excess_kurtosis),
        "skewness": _finite(m.skewness),
        "beyond_2std": tally.beyond / m.n,
        "min": m.min,
        "max": m.max,
    }


def verdict_record(job: Job, tally: Tally) -> dict:
    """std's relative error against √Var and the ±BAND_SE·SE band it is judged by."""
    rel_err = tally.moments.std / job.stats.std - 1
    rel_se = job.law.rel_se_of_std(tally.moments.n)
    band = BAND_SE * rel_se
    return {
        "std_rel_err": rel_err,
        "std_rel_se": rel_se,
        "band": band,
        "verdict": "within" if abs(rel_err) <= band else "outside",
    }


def _report(layers: list[Layer], jobs: list[Job], tallies: list[Tally], settings: _Settings) -> Report:
    multi = len(layers) > 1
    rows, records = [], [{**layer_record(layer), "results": []} for layer in layers]
    for job, tally in zip(jobs, tallies, strict=True):
        theory, sample, verdict = theory_record(job), sample_record(job, tally), verdict_record(job, tally)
        rows += _rows(job, theory, sample, verdict, multi)
        result = {**result_record(job.stats), "theory": theory, "sample": sample, **verdict}
        if settings.explain:
            result["explain"] = explain(job.stats)
        if job.plan.edges is not None:
            result["histogram"] = histogram_record(job, tally)
        records[job.layer_index]["results"].append(result)
    report = Report(
        kind="sample",
        title=_title(layers, jobs, settings),
        columns=TABLE_COLUMNS,
        rows=rows,
        document={
            "seed": settings.seed,
            "dtype": str(np.dtype(settings.dtype)),
            "band_se": BAND_SE,
            "layers": records,
        },
        notes=_notes(jobs, settings),
        csv_columns=[*CSV_COLUMNS, *(columns(("explain", "explain", "str")) if settings.explain else [])],
    )
    if jobs[0].plan.edges is not None:
        report.visuals.append(lambda: histogram_visual(jobs[0], tallies[0]))
    return report


def _rows(job: Job, theory: dict, sample: dict, verdict: dict, multi: bool) -> list[dict]:
    """Two rows per result — the theory, then the sample — flat for CSV; short texts for the table."""
    head = {
        "layer": job.layer.name,
        "scheme": job.stats.scheme,
        "distribution": job.stats.distribution,
        "mode": job.stats.mode,
        "gain": job.stats.gain,
        "variance": job.stats.variance,
        "explain": explain(job.stats),
    }
    label = f"{job.layer.name} {job.label}" if multi else job.label
    rows = []
    for source, values in (("theory", theory), ("sample", {**sample, **verdict})):
        kurtosis = values["excess_kurtosis"]
        rows.append(
            {
                **head,
                **values,
                "source": source,
                "label": label if source == "theory" else f"n = {sample['n']:,}",
                "mean_text": f"{values['mean']:.4g}",
                "kurtosis_text": "—" if kurtosis is None else f"{kurtosis:.4g}",
                "err": f"±{verdict['band']:.3%}" if source == "theory" else f"{verdict['std_rel_err']:+.3%}",
                "verdict": values.get("verdict", ""),
            }
        )
    return rows


# Narrow terminals: the mean gives way, then >2·std, ex. kurt., then min and max; the result
# label stays on one line (a second line would split a theory row from its sample row).
TABLE_COLUMNS = [
    Column("label", "result", "name", lines=1),
    *columns(
        ("source", "", "str"),
        ("mean_text", "mean", "g", 4),
        ("std", "std", "g"),
        ("err", "Δstd", "g"),
        ("kurtosis_text", "ex. kurt.", "g", 2),
        ("beyond_2std", ">2·std", "pct", 3),
        ("min", "min", "g", 1),
        ("max", "max", "g", 1),
        ("verdict", "verdict", "str"),
    ),
]


def _title(layers: list[Layer], jobs: list[Job], settings: _Settings) -> str:
    head = layer_title(layers[0]) if len(layers) == 1 else f"{len(layers)} layers · {layers[0].layout} layout"
    sizes = {job.plan.n for job in jobs}
    if settings.samples is not None:
        drawn = f"{settings.samples:,} draws per result (--samples)"
    elif len(sizes) == 1:
        drawn = f"{sizes.pop():,} draws per result (the layer's size)"
    else:
        drawn = "draws per result: the layer's size"
    return f"{head}\nsample: {drawn} · seed {settings.seed} · {np.dtype(settings.dtype)}"


CSV_COLUMNS = columns(
    ("layer", "layer", "str"),
    ("scheme", "scheme", "str"),
    ("distribution", "distribution", "str"),
    ("mode", "mode", "str"),
    ("gain", "gain"),
    ("variance", "variance"),
    ("source", "source", "str"),
    ("n", "n", "int"),
    ("mean", "mean"),
    ("std", "std"),
    ("excess_kurtosis", "excess_kurtosis"),
    ("beyond_2std", "beyond_2std"),
    ("min", "min"),
    ("max", "max"),
    ("std_rel_err", "std_rel_err"),
    ("std_rel_se", "std_rel_se"),
    ("band", "band"),
    ("verdict", "verdict", "str"),
)


def _notes(jobs: list[Job], settings: _Settings) -> list[str]:
    distributions = list(dict.fromkeys(job.stats.distribution for job in jobs))
    notes = [DIST_NOTES[d] for d in distributions]
    notes.append(
        "theory rows: mean 0, std √Var, the excess kurtosis and share beyond 2·std of the distribution, "
        "its support as min/max"
    )
    notes.append(
        f"Δstd: the sample's std against √Var; on the theory row, the band of ±{BAND_SE} standard errors, "
        f"SE = √((κ−1)/(4n)) with κ = 1.8 uniform, 3 normal, {law('truncated').kurtosis:.4f} truncated; "
        "a correct sampler falls outside about once in 16,000 results"
    )
    given = "--seed" if settings.seed_given else "the default; --seed N to change"
    notes.append(
        f"seed {settings.seed} ({given}): the same statistics for any --threads; float64 accumulation"
    )
    notes += gain_notes([job.stats for job in jobs])
    if settings.explain:
        notes += [explain(job.stats) for job in jobs]
    return notes


# ── histogram ────────────────────────────────────────────────────────────────────────────────────

HIST_WIDTH = 40  # cells of the longest bar
_EIGHTHS = " ▏▎▍▌▋▊▉█"


def histogram_record(job: Job, tally: Tally) -> dict:
    """Bin edges, the sample's counts and the theory's fraction per bin (and beyond the range)."""
    lo, hi = job.plan.edges
    edges = [lo + (hi - lo) * i / HIST_BINS for i in range(HIST_BINS + 1)]
    cdf = [job.law.cdf(edge / job.stats.std) for edge in edges]
    counts = [int(c) for c in tally.hist]
    return {
        "edges": edges,
        "counts": counts[1:-1],
        "theory": [b - a for a, b in itertools.pairwise(cdf)],
        "below": counts[0],
        "above": counts[-1],
        "theory_below": cdf[0],
        "theory_above": 1 - cdf[-1],
    }


def _bar(fraction: float, theory: float, peak: float) -> str:
    """The sample's bar in eighth blocks, with │ where the theory's bar would end."""
    eighths = round(fraction / peak * HIST_WIDTH * 8)
    cells = list("█" * (eighths // 8) + (_EIGHTHS[eighths % 8] if eighths % 8 else ""))
    cells += [" "] * (HIST_WIDTH + 1 - len(cells))
    cells[min(round(theory / peak * HIST_WIDTH), HIST_WIDTH)] = "│"
    return "".join(cells).rstrip()


def histogram_visual(job: Job, tally: Tally):
    """A title line and a table: one line per bin — from, the bar, the sample's and the theory's share."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    record = histogram_record(job, tally)
    n = tally.moments.n
    shares = [count / n for count in record["counts"]]
    peak = max(*shares, *record["theory"]) or 1.0
    span = record["edges"][-1]
    title = f"histogram · {job.label} · {n:,} draws in {HIST_BINS} bins over ±{span:.6g} (█ sample, │ theory)"
    table = Table(box=None, pad_edge=False)
    for header, justify in (("from", "right"), ("", "left"), ("sample", "right"), ("theory", "right")):
        table.add_column(header, justify=justify, no_wrap=True)
    for edge, share, theory in zip(record["edges"], shares, record["theory"], strict=False):
        table.add_row(f"{edge:.4g}", _bar(share, theory, peak), f"{share:.2%}", f"{theory:.2%}")
    if job.plan.sampler.limit == math.inf:
        for side, edge in (("below", -span), ("above", span)):
            table.add_row(
                f"{side} {edge:.4g}", "", f"{record[side] / n:.3%}", f"{record['theory_' + side]:.3%}"
            )
    return Group(Text(title), table)
