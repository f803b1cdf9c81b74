"""Draw the weights and measure them: seeded, streamed in fixed chunks, identical for any thread count.

A result's sample is a sequence of chunks of `CHUNK` elements; chunk i draws from its own stream,
``SeedSequence(seed, spawn_key=(layer, scheme, distribution, i))``, so the values depend on the
seed and the chunk index only — never on the thread that drew them. Each chunk is reduced to exact
float64 power sums, min, max, tail count (and histogram counts) and merged in chunk order
(`glorotcalc.stats.Moments`, Chan et al. 1979): memory is bounded by the chunk, whatever the size.

float32 draws (the default, as frameworks store weights) use vectorized transforms of 32-bit
uniforms from ``BitGenerator.random_raw``: U(−a, a) from 23-bit integers, N(0, σ²) by the
Box–Muller transform (Box & Muller 1958), the truncated normal by rejecting every value beyond ±2σ
(Keras/JAX), block by block (`BLOCK` draws: few, long numpy calls, each of which releases the
GIL). float64 draws use the `Generator` methods. Chunks are spread over threads (`_Pool`); the
statistics are float64 sums of x and fl32(x²), float32 pairwise sums of x³, x⁴ per block (`_Sums`).

>>> from glorotcalc.schemes import glorot
>>> draw(glorot(784, 256, "normal"), (256, 784), np.random.default_rng(0), np.float32).dtype
dtype('float32')
"""

from __future__ import annotations

import itertools
import math
import os
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from glorotcalc.errors import GlorotcalcError, UsageError
from glorotcalc.laws import InitLaw, LawInit
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
BLOCK = (
    1 << 18
)  # float32 elements per vectorized step: numpy calls long enough for two threads to share the GIL
BLOCK64 = 1 << 16  # float64 elements per step
BAND_SE = 4  # verdict band: ± this many standard errors of the std
MAX_THREADS = 64
SWITCH_INTERVAL = 2e-4  # seconds: the interpreter's GIL switch interval while worker threads run
MAX_SAMPLES = 10**12  # about an hour and a half at 2e8 draws/s
HIST_BINS = 20
HIST_NORMAL_SPAN = 4.0  # the normal's histogram covers ±4 std; the rest is counted as tails
SCHEME_KEYS = ("glorot", "he", "lecun", "variance_scaling")
DIST_KEYS = ("uniform", "normal", "truncated")

_F32 = np.float32
_U32_SCALE = _F32(2.0**-32)
_U32_HALF = _F32(2.0**-33)
_ANGLE_SCALE = _F32(2 * math.pi * 2.0**-32)
_FLOAT32_RANGE = (1e-15, 1e15)  # stds whose σ² and draws float32 holds without underflow or overflow


# ── samplers ─────────────────────────────────────────────────────────────────────────────────────


class _Work:
    """Per-thread scratch, about 5.5 MiB for float32: nothing is allocated in the inner loop but the
    bits that ``random_raw`` returns.

    `wq` holds a block of draws `w` and their float32 squares `q` side by side, `powers` the cubes
    and fourth powers, so each pair of sums is one numpy call; `scratch` holds the draw's radii and
    angles (or odd integers), then |w|. A block is 2¹⁸ values: on two threads the GIL is handed
    over around every numpy call, and calls of ~0.1–1 ms make those hand-overs cheap (at 2¹⁷ the
    two threads ran 1.6× one, at 2¹⁸ 1.8×).
    """

    def __init__(self, block: int | None = None) -> None:
        block = self.block = block or BLOCK
        self.wq = np.empty((2, block), _F32)
        self.w, self.q = self.wq
        self.scratch = np.empty(block, _F32)
        self.powers = np.empty((2, block), _F32)  # w³ and w⁴, side by side: one multiply, one sum
        self.masks = np.empty((2, block), bool)  # rejected (truncated), beyond the tail
        self._wide: _Work64 | None = None

    def wide(self) -> _Work64:
        """The float64 scratch, made on first use."""
        if self._wide is None:
            self._wide = _Work64()
        return self._wide


class _Work64:
    """float64 scratch: one block of draws, |w|, x and x² (in units of 2^exp), two masks."""

    def __init__(self, block: int = 0) -> None:
        block = self.block = self.step = block or BLOCK64
        self.w = np.empty(block)
        self.scratch = np.empty(block)
        self.masks = np.empty((2, block), bool)
        self.pair = np.empty((2, block))
        self.squares = np.broadcast_to(self.pair[1], self.pair.shape)
        self.sums = np.empty((2, 2))


def _below(value: float) -> np.float32:
    """The largest float32 ≤ value: for a float32 w, |w| > value ⇔ |w| > _below(value)."""
    rounded = _F32(value)
    return rounded if float(rounded) <= value else np.nextafter(rounded, _F32(0))


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

    @property
    def exp(self) -> int:
        """The statistics' unit 2^exp: 2^(exp−1) ≤ scale < 2^exp (`glorotcalc.stats.Moments`)."""
        return math.frexp(self.scale)[1]

    def blocks(self, rng: np.random.Generator, n: int, work: _Work, dest: np.ndarray | None = None):
        """Yield n draws block by block as (w, rejected, r): w a view into `work` (or into `dest`, a
        flat float32 array for n values, where it fits); the truncated normal's r rejected values
        are zeros in w, flagged by the mask `rejected` (None when r = 0)."""
        if self.dtype == np.float64:
            yield from self._blocks64(rng, n, work.wide())
        elif self.distribution == "truncated":
            yield from self._truncated32(rng.bit_generator, n, work)
        else:
            kernel = self._uniform32 if self.distribution == "uniform" else self._normal32
            bitgen = rng.bit_generator
            for start in range(0, n, work.block):
                space = None if dest is None else dest[start:]
                yield kernel(bitgen, min(work.block, n - start), work, space), None, 0

    def _uniform32(self, bitgen, m: int, work: _Work, out: np.ndarray | None = None) -> np.ndarray:
        """U(−a, a) as j·a/2³¹ for the odd int32 j = bits | 1, uniform on ±1, ±3, …, ±(2³¹ − 1).

        Three numpy calls a block. The set of j is symmetric and rounding j to float32 (nearest,
        ties to even) is odd-symmetric, so the law is exactly symmetric: mean 0. Each value sits
        within 2⁻²⁴ (relative) of a point of a 2³¹-step grid on (−1, 1); the variance is a²/3 up to
        a relative 2⁻⁴⁰. The scale is rounded down to a float32 (`_below`), times 2⁻³¹ exactly,
        so |w| ≤ a.
        """
        bits = bitgen.random_raw((m + 1) // 2).view(np.int32)[:m]
        odd = np.bitwise_or(bits, 1, work.scratch.view(np.int32)[:m])
        w = (out if out is not None and out.size >= m else work.w)[:m]
        np.multiply(odd, _below(self.scale) * _F32(2.0**-31), w, casting="unsafe", dtype=_F32)
        return w

    def _normal32(self, bitgen, m: int, work: _Work, out: np.ndarray | None = None) -> np.ndarray:
        """m normal draws × σ from 2h = m (+1) uint32: r = √(−2σ² ln u), θ = 2π·v → r·cos θ, r·sin θ.

        u = (k + ½)/2³² ∈ (0, 1] from an unsigned k (fine steps near 0, where the tail is), so
        r ≤ √(2·33·ln 2)·σ = 6.76σ (the normal's mass beyond is 1.3e−11); θ from the signed view of
        the other half covers [−π, π). The cosines fill the first h values, the sines the next h.
        """
        h = (m + 1) // 2
        bits = bitgen.random_raw(h).view(np.uint32)
        radius, angle = work.scratch[:h], work.scratch[h : 2 * h]
        np.multiply(bits[:h], _U32_SCALE, radius, casting="unsafe", dtype=_F32)
        np.add(radius, _U32_HALF, radius)
        np.log(radius, radius)
        np.multiply(radius, _F32(-2.0 * self.scale * self.scale), radius)
        np.sqrt(radius, radius)
        np.multiply(bits[h:].view(np.int32), _ANGLE_SCALE, angle, casting="unsafe", dtype=_F32)
        target = out if out is not None and out.size >= 2 * h else work.w
        pairs = target[: 2 * h].reshape(2, h)
        np.cos(angle, pairs[0])
        np.sin(angle, pairs[1])
        np.multiply(pairs, radius, pairs)
        return target[:m]

    def _truncated32(self, bitgen, n: int, work: _Work):
        """Keras/JAX truncation by rejection: every normal draw beyond ±2σ is dropped (zeroed and
        flagged) and the stream goes on until n are kept — the same law as redrawing each one."""
        limit = _below(self.limit)
        todo = n
        while todo > 0:
            m = min(work.block, todo + todo // 16 + 64)  # 4.6% are rejected: a last block draws more
            w = self._normal32(bitgen, m, work)
            block = _keep(w, np.greater(np.abs(w, work.scratch[:m]), limit, work.masks[0, :m]), todo)
            yield block
            todo -= block[0].size - block[2]

    def _blocks64(self, rng: np.random.Generator, n: int, work: _Work64):
        """float64 draws with the `Generator` methods: U(−a, a) as (2u − 1)·a (never overflows)."""
        truncated = self.distribution == "truncated"
        todo = n
        while todo > 0:
            m = min(work.block, todo + todo // 16 + 64 if truncated else todo)
            w = work.w[:m]
            if self.distribution == "uniform":
                rng.random(out=w)
                np.multiply(w, 2.0, w)
                np.subtract(w, 1.0, w)
                np.multiply(w, self.scale, w)
                block = w, None, 0
            else:
                rng.standard_normal(out=w)
                np.multiply(w, self.scale, w)
                block = w, None, 0
                if truncated:
                    magnitude = np.abs(w, work.scratch[:m])
                    block = _keep(w, np.greater(magnitude, self.limit, work.masks[0, :m]), todo)
            yield block
            todo -= block[0].size - block[2]


def _keep(w: np.ndarray, rejected: np.ndarray, todo: int) -> tuple[np.ndarray, np.ndarray | None, int]:
    """(w, rejected, r) for a block of which at most `todo` accepted values are wanted: the
    rejected ones zeroed, the block cut after the todo-th accepted value."""
    r = int(np.count_nonzero(rejected))
    if w.size - r > todo:  # the chunk's last block
        stop = int(np.flatnonzero(~rejected)[todo - 1]) + 1
        w, rejected = w[:stop], rejected[:stop]
        r = stop - todo
    if r:
        np.copyto(w, 0, where=rejected)
    return w, (rejected if r else None), r


def draw(
    stats: InitStats,
    size: int | tuple[int, ...],
    rng: np.random.Generator,
    dtype=np.float64,
    *,
    out: np.ndarray | None = None,
    work: _Work | None = None,
) -> np.ndarray:
    """Weights from `stats`: U(±bound), N(0, std²), or N(0, σ²) cut at ±2σ (rejected, unbiased).

    The same transforms and blocks as ``--sample``, from `rng`; float32 or float64. `out` (a
    C-contiguous array of that shape and dtype) receives them — float32 normal and uniform draws
    are written there directly — and `work` is scratch to reuse across calls. A `LawInit` (an
    initializer that is not variance scaling) is drawn from its law (`orthogonal.draw_weight`).
    """
    if isinstance(stats, LawInit):
        from glorotcalc.orthogonal import draw_weight

        return draw_weight(stats, size, rng, dtype, out=out)
    sampler = Sampler.of(stats, dtype)
    shape = (size,) if isinstance(size, (int, np.integer)) else tuple(size)
    if out is None:
        out = np.empty(shape, sampler.dtype)
    elif out.shape != shape or out.dtype != sampler.dtype or not out.flags.c_contiguous:
        raise ValueError(f"out must be a C-contiguous {sampler.dtype} array of shape {shape}")
    flat = out.reshape(-1)
    direct = sampler.dtype == np.float32 and sampler.distribution != "truncated"
    _fill(sampler, rng, flat, work or _Work(), direct)
    return out


def _fill(sampler: Sampler, rng: np.random.Generator, flat: np.ndarray, work: _Work, direct: bool) -> None:
    position = 0
    for w, rejected, r in sampler.blocks(rng, flat.size, work, flat if direct else None):
        kept = w.size - r
        if rejected is not None:
            np.compress(~rejected, w, out=flat[position : position + kept])
        elif not np.may_share_memory(w, flat):
            flat[position : position + kept] = w
        position += kept


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


def tally_chunk(plan: Plan, index: int, work: _Work, stop: threading.Event | None = None) -> Tally:
    """Draw chunk `index` of `plan` block by block; return its statistics (`_Sums`)."""
    sums = _Sums(plan, work)
    n = plan.chunk_size(index)
    for w, rejected, r in plan.sampler.blocks(plan.rng(index), n, work):
        if stop is not None and stop.is_set():
            raise _Stopped
        sums.add(w, rejected, r)
    return sums.tally(n)


class _Sums:
    """The running statistics of one chunk, block by block: min, max, the count beyond the tail,
    histogram counts, and the power sums Σxᵏ (k = 1…4) in float64.

    float32 draws (a block is `_Work.w`), one pass each: q = fl32(w²); Σw and Σq accumulated in
    float64 (`add.reduce(dtype=float64)`: exact products, float64 rounding only); Σw³ and Σw⁴ as
    numpy's float32 pairwise sums of fl32(q·w) and fl32(q·q), one float32 partial sum per block,
    merged in float64. Error bounds (u = 2⁻²⁴): |ΔΣw²| ≤ u·Σw² (each q is off by ≤ u of itself),
    so the std is off by ≤ u/2 = 3e−8 of itself — 0.04 of its standard error at the largest
    sample, 10¹²; |ΔΣw³| ≤ 32u·Σ|w|³ and |ΔΣw⁴| ≤ 32u·Σw⁴ (two or three product roundings, then
    ≤ 15 + 3 + log₂(BLOCK/128) = 29 additions in numpy's pairwise sum), so the skewness and the excess
    kurtosis are off by < 4e−6 and 6e−6, about a tenth of their standard errors at 10¹⁰ draws.
    Σw and Σq are one numpy call over `_Work.wq`, Σw³ and Σw⁴ one over `_Work.powers`. These sums are in
    the draws' units (float32 keeps them within 1e±70) and rescaled to 2^exp at the end, exactly.

    float64 draws: x = w/2^exp (a power of two: exact) and x² in float64, `_Work64.step` elements at
    a time, summed by pairwise `add.reduce` and `einsum`, so no power overflows or underflows for
    any std float64 holds.
    """

    def __init__(self, plan: Plan, work: _Work) -> None:
        sampler = plan.sampler
        self.wide = sampler.dtype == np.float64
        self.work = work
        self.exp = sampler.exp
        self.count_tail = sampler.limit > plan.tail
        self.tail = plan.tail
        if not self.wide:
            # |w| > tail ⇔ fl(w²) ≥ fl(t²) for t the smallest float32 above the tail: rounding is
            # monotone, and the squares of neighbouring float32 values stay apart once rounded
            above = np.nextafter(_below(plan.tail), _F32(math.inf))
            self.tail_square = above * above
        self.edges = plan.edges
        self.bounded = sampler.limit < math.inf
        self.hist = None if plan.edges is None else np.zeros(HIST_BINS + 2, np.int64)
        self.zero_bin = None if plan.edges is None else int(np.argmax(self._bins(np.zeros(1))))
        self.s1 = self.s2 = self.s3 = self.s4 = 0.0
        self.low, self.high, self.beyond = math.inf, -math.inf, 0

    def add(self, w: np.ndarray, rejected: np.ndarray | None, r: int) -> None:
        """One block; its r rejected values (zeros, flagged by `rejected`) are left out."""
        lo, hi = float(w.min()), float(w.max())
        if r and (lo == 0.0 or hi == 0.0):  # a zeroed reject may stand for the block's extreme
            kept = w[~rejected]
            lo, hi = float(kept.min()), float(kept.max())
        self.low, self.high = min(self.low, lo), max(self.high, hi)
        if self.wide:
            self._add64(w)
        else:
            self._add32(w)
        if self.hist is not None:
            self.hist += self._bins(w)
            self.hist[self.zero_bin] -= r

    def _add32(self, w: np.ndarray) -> None:
        work, m = self.work, w.size
        pair = work.wq[:, :m]  # [w, q]: each sum below is one numpy call over both rows
        if not np.may_share_memory(w, work.w):
            np.copyto(pair[0], w)
        q = pair[1]
        np.multiply(w, w, q)
        if self.count_tail:  # rejected values are zeros: never beyond
            self.beyond += int(np.count_nonzero(np.greater_equal(q, self.tail_square, work.masks[1, :m])))
        s1, s2 = np.add.reduce(pair, 1, np.float64).tolist()
        powers = np.multiply(pair, q, work.powers[:, :m])  # [w·q, q·q] = [w³, w⁴]
        s3, s4 = np.add.reduce(powers, 1).tolist()
        self.s1, self.s2, self.s3, self.s4 = self.s1 + s1, self.s2 + s2, self.s3 + s3, self.s4 + s4

    def _add64(self, w: np.ndarray) -> None:
        work = self.work.wide()
        if self.count_tail:
            magnitude = np.abs(w, work.scratch[: w.size])
            self.beyond += int(np.count_nonzero(np.greater(magnitude, self.tail, work.masks[1, : w.size])))
        for start in range(0, w.size, work.step):
            part = w[start : start + work.step]
            p = work.pair[:, : part.size]
            x, x2 = p
            np.ldexp(part, -self.exp, x)
            np.multiply(x, x, x2)
            np.add.reduce(p, 1, None, work.sums[0])
            np.einsum("ij,ij->i", p, np.broadcast_to(x2, p.shape), out=work.sums[1])
            (a, b), (c, d) = work.sums.tolist()
            self.s1, self.s2, self.s3, self.s4 = self.s1 + a, self.s2 + b, self.s3 + c, self.s4 + d

    def _bins(self, w: np.ndarray) -> np.ndarray:
        return _bin_counts(np.asarray(w, np.float64), self.edges, self.bounded)

    def tally(self, n: int) -> Tally:
        sums = self.s1, self.s2, self.s3, self.s4
        if not self.wide:
            sums = tuple(math.ldexp(s, -k * self.exp) for k, s in enumerate(sums, 1))
        moments = Moments.from_power_sums(n, *sums, self.low, self.high, self.exp)
        return Tally(moments, self.beyond, self.hist)


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
        interval = sys.getswitchinterval()
        # A thread that returns from a numpy call while another holds the GIL sleeps on it; when the
        # holder's next calls are shorter than the wake-up, it retakes the GIL first, until the
        # waiter's switch interval (5 ms by default) forces a hand-over. A short interval bounds that.
        sys.setswitchinterval(min(interval, SWITCH_INTERVAL))
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
            sys.setswitchinterval(interval)
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
