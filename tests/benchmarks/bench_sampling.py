"""Benchmark ``--sample``: throughput on 1 and 2 threads against torch and numpy, and peak memory.

Run on demand (not collected by pytest), from the repository root:

    python tests/benchmarks/bench_sampling.py              # throughput, then peak memory (1e9 draws)
    python tests/benchmarks/bench_sampling.py --rounds 7 --no-memory
    python tests/benchmarks/bench_sampling.py --quick      # 2e7 draws a timing, 3 rounds: ~1 minute
    python tests/benchmarks/bench_sampling.py --big        # … and a 1e10-draw run (about a minute)

Throughput: elements per second of ``glorotcalc 10000 10000 --scheme glorot --dist D --sample
--threads T --format json`` in-process (1e8 float32 draws, output discarded), for D = normal,
uniform, truncated and T = 1, 2, against torch's ``xavier_normal_``, ``xavier_uniform_`` (a
(10000, 10000) tensor) and ``trunc_normal_`` (a (1000, 10000) one: it is slow) in the same
process, and against numpy's ``Generator.standard_normal(dtype=float32, out=…)`` filling the
same array on 1 and 2 threads — the scaling that a compute-bound generator reaches on this machine.
With glorotcalc's block sampler available (``Sampler.blocks``) the draws alone (no statistics) are
timed on 1 and 2 threads too: what the statistics cost and how the draw itself scales.

Every contender runs once per round, rounds interleaved, each timing taken while no other process
uses the CPU (it is retried otherwise: see ``quiet.py``); the medians are printed, and every ratio
comes from this one run. torch's columns are skipped when torch is not installed.

Memory: the peak RSS (VmHWM) of a fresh process running ``--sample --samples 1e9`` (and with
--big 1e10); the target is that of the release before (about 45 MiB, most of it the interpreter,
numpy, rich and typer).

Targets (2 cores): 2 threads ≥ 1.8× 1 thread; normal ≥ 1.6× ``xavier_normal_``, uniform ≥ 1.2×
``xavier_uniform_``, truncated ≫ ``trunc_normal_``.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import math
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import quiet

from glorotcalc.cli import main

ROWS = COLS = 10_000
N = ROWS * COLS
TRUNC_ROWS = 1_000  # torch's trunc_normal_ draws ~15 M/s: a tenth of the array
DISTRIBUTIONS = ("normal", "uniform", "truncated")
TORCH_INIT = {"normal": "xavier_normal_", "uniform": "xavier_uniform_", "truncated": "trunc_normal_"}
TARGETS = {"normal": 1.6, "uniform": 1.2, "truncated": 10.0}
RSS_LIMIT_MIB = 200


def sample_args(distribution: str, threads: int, samples: int | None = None) -> list[str]:
    rows, cols = (ROWS, COLS) if samples is None else (784, 256)
    args = [str(rows), str(cols), "--scheme", "glorot", "--dist", distribution, "--sample"]
    args += ["--threads", str(threads), "--format", "json"]
    return args + ([] if samples is None else ["--samples", str(samples)])


def run_sample(distribution: str, threads: int) -> None:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(sample_args(distribution, threads))
    assert code == 0, out.getvalue()


def fill_numpy(array: np.ndarray, threads: int) -> None:
    """numpy's standard_normal fills `array` on `threads` threads, one generator each."""
    parts = np.array_split(array.reshape(-1), threads)
    generators = [np.random.default_rng(s) for s in np.random.SeedSequence(0).spawn(threads)]
    workers = [
        threading.Thread(target=g.standard_normal, kwargs={"dtype": np.float32, "out": p})
        for g, p in zip(generators, parts, strict=True)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()


def draw_only(distribution: str, threads: int) -> None:
    """glorotcalc's blocks for 1e8 draws, without statistics: chunk streams split over threads."""
    from glorotcalc import sampling
    from glorotcalc.schemes import glorot

    sampler = sampling.Sampler.of(glorot(COLS, ROWS, distribution), np.float32)
    chunks = -(-N // sampling.CHUNK)

    def worker(first: int) -> None:
        work = sampling._Work()
        for index in range(first, chunks, threads):
            rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(0, spawn_key=(index,))))
            for _ in sampler.blocks(rng, min(sampling.CHUNK, N - index * sampling.CHUNK), work):
                pass

    workers = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()


def torch_runs() -> dict:
    try:
        import torch
    except ImportError:
        return {}
    full, part = torch.empty(ROWS, COLS), torch.empty(TRUNC_ROWS, COLS)
    sigma = math.sqrt(2 / (ROWS + COLS)) / 0.87962566103423978
    return {
        "torch normal": (N, lambda: torch.nn.init.xavier_normal_(full)),
        "torch uniform": (N, lambda: torch.nn.init.xavier_uniform_(full)),
        "torch truncated": (
            TRUNC_ROWS * COLS,
            lambda: torch.nn.init.trunc_normal_(part, std=sigma, a=-2 * sigma, b=2 * sigma),
        ),
    }


def throughput(rounds: int) -> dict[str, float]:
    array = np.empty(N, np.float32)
    runs = {}  # name → (elements, function)
    for distribution in DISTRIBUTIONS:
        for threads in (1, 2):
            run = lambda d=distribution, t=threads: run_sample(d, t)  # noqa: E731
            runs[f"sample {distribution} {threads}t"] = (N, run)
    try:
        from glorotcalc.sampling import Sampler

        has_blocks = hasattr(Sampler, "blocks")
    except ImportError:
        has_blocks = False
    if has_blocks:
        for distribution in ("normal", "uniform"):
            for threads in (1, 2):
                runs[f"draw only {distribution} {threads}t"] = (
                    N,
                    lambda d=distribution, t=threads: draw_only(d, t),
                )
    runs["numpy standard_normal 1t"] = (N, lambda: fill_numpy(array, 1))
    runs["numpy standard_normal 2t"] = (N, lambda: fill_numpy(array, 2))
    runs.update(torch_runs())
    for _, function in runs.values():  # warm up imports, caches and page tables
        function()
    times = quiet.rounds({name: function for name, (_, function) in runs.items()}, rounds)
    rates = {name: runs[name][0] / quiet.median(seconds) for name, seconds in times.items()}
    print(f"throughput, float32, medians of {rounds} interleaved rounds (M elements/s):")
    for name, rate in rates.items():
        spread = ", ".join(f"{runs[name][0] / s / 1e6:.0f}" for s in times[name])
        print(f"  {name:26s} {rate / 1e6:8.1f}   ({spread})")
    print("ratios (this run):")
    for distribution in DISTRIBUTIONS:
        one, two = rates[f"sample {distribution} 1t"], rates[f"sample {distribution} 2t"]
        line = f"  {distribution:9s} 2 threads / 1: {two / one:.2f}×"
        if f"torch {distribution}" in rates:
            peer = rates[f"torch {distribution}"]
            line += f"   vs torch {TORCH_INIT[distribution]}: {two / peer:.2f}× (2 threads), "
            line += f"{one / peer:.2f}× (1)   target ≥ {TARGETS[distribution]}×"
        print(line)
    if has_blocks:
        for distribution in ("normal", "uniform"):
            one, two = rates[f"draw only {distribution} 1t"], rates[f"draw only {distribution} 2t"]
            share = 1 - rates[f"sample {distribution} 1t"] / one
            print(
                f"  draws alone, {distribution}: 2 threads / 1: {two / one:.2f}×; "
                f"statistics are {share:.0%} of the 1-thread time"
            )
    numpy_scaling = rates["numpy standard_normal 2t"] / rates["numpy standard_normal 1t"]
    print(f"  numpy standard_normal (compute-bound, no statistics) 2 threads / 1: {numpy_scaling:.2f}×")
    print(quiet.load_note())
    return rates


def gil_share() -> None:
    """The Python work between a block's numpy calls (which release the GIL) against the block.

    One chunk's tally on one thread in CPU time, then 2,000 blocks of 256 draws: their time is
    almost all per-block fixed cost — the interpreter, holding the GIL. Its share of a full block
    bounds what threads can gain (Amdahl): 2 / (1 + share) on 2 cores. CPU time, so the load of
    other processes hardly moves it.
    """
    import time

    from glorotcalc import sampling
    from glorotcalc.schemes import glorot

    print("GIL share (CPU time of one thread; what bounds the thread gain):")
    for distribution in DISTRIBUTIONS:
        stats = glorot(COLS, ROWS, distribution)
        sampler = sampling.Sampler.of(stats, np.float32)
        full = sampling.Plan(sampler, sampling.CHUNK, 0, (0, 0, 0), 2 * stats.std)
        tiny = sampling.Plan(sampler, 256 * 2000, 0, (0, 0, 0), 2 * stats.std)
        work, small = sampling._Work(), sampling._Work(256)
        sampling.tally_chunk(full, 0, work)
        start = time.thread_time()
        sampling.tally_chunk(full, 0, work)
        per_block = (time.thread_time() - start) / (sampling.CHUNK / sampling.BLOCK)
        start = time.thread_time()
        sampling.tally_chunk(tiny, 0, small)
        fixed = (time.thread_time() - start) / 2000
        share = fixed / per_block
        print(
            f"  {distribution:9s} {per_block / sampling.BLOCK * 1e9:.2f} ns a draw on one thread; "
            f"{fixed * 1e6:.0f} µs fixed per block of {per_block * 1e6:.0f} µs: {share:.1%} → "
            f"at most {2 / (1 + share):.2f}× on 2 threads"
        )


# Runs `code` (with sys.argv[1:] set), then reports the process's own peak RSS. VmHWM is the
# high-water mark of the process's address space, reset at exec; ru_maxrss of a child also counts
# the parent's image at fork time, so it would report the (large) benchmark process instead.
PEAK = (
    "import sys\n"
    "exec(sys.argv.pop(1))\n"
    "peak = next(line for line in open('/proc/self/status') if line.startswith('VmHWM'))\n"
    "sys.stderr.write(peak)\n"
)
RUN_CLI = "from glorotcalc.cli import main\nmain(sys.argv[1:])\n"


def peak_rss_mib(code: str, *args: str) -> tuple[float, float]:
    """(peak RSS in MiB, seconds) of a fresh Python process running `code` with `args`."""
    import time

    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", PEAK, code, *args], capture_output=True, text=True, check=False
    )
    elapsed = time.perf_counter() - start
    if proc.returncode != 0 or "VmHWM" not in proc.stderr:
        raise SystemExit(f"{args} failed:\n{proc.stderr}")
    return int(proc.stderr.split()[-2]) / 1024, elapsed


def memory(big: bool) -> None:
    floor, _ = peak_rss_mib(RUN_CLI, *sample_args("normal", 2, 1000))
    print(f"peak RSS, --sample --samples 1000 (the interpreter and imports): {floor:.0f} MiB")
    for count in (10**9, 10**10) if big else (10**9,):
        quiet.wait_quiet()
        rss, seconds = peak_rss_mib(RUN_CLI, *sample_args("normal", 2, count))
        verdict = "ok" if rss < RSS_LIMIT_MIB else "OVER"
        print(
            f"peak RSS, --samples {count:.0e}: {rss:.0f} MiB (+{rss - floor:.1f} MiB of buffers) in "
            f"{seconds:.1f} s ({count / seconds / 1e6:.0f} M/s) — limit {RSS_LIMIT_MIB} MiB: {verdict}"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--big", action="store_true", help="also a 1e10-draw memory run")
    parser.add_argument("--no-memory", action="store_true")
    parser.add_argument("--quick", action="store_true", help="2e7 draws a timing, 3 rounds, no memory run")
    args = parser.parse_args()
    if args.quick:
        ROWS, TRUNC_ROWS, N = 2_000, 200, 2_000 * COLS
        args.rounds, args.no_memory = min(args.rounds, 3), True
    gil_share()
    throughput(args.rounds)
    if not args.no_memory:
        memory(args.big)
