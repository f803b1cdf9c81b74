"""Benchmark ``--sample``: throughput against raw numpy and torch, and peak memory.

Run on demand (not collected by pytest):

    python tests/benchmarks/bench_sampling.py            # throughput + memory, a 1e9-draw run
    python tests/benchmarks/bench_sampling.py --big      # … and the 1e10-draw run (about a minute)

Throughput: elements per second of ``glorotcalc 10000 10000 --scheme glorot --dist normal --sample``
(in-process, output discarded) against (a) numpy's ``Generator.standard_normal`` filling the same
10000×10000 float32 array on all cores, one generator per thread, and (b) torch's
``xavier_normal_`` on a (10000, 10000) float32 tensor. The three are interleaved and each keeps
its best of ROUNDS, so a busy machine slows them alike; the ratios come from this one run.
Memory: the peak RSS (VmHWM) of a separate process for each, and of ``--sample`` runs of 1e9 (and
with --big 1e10) draws, which must stay under 200 MiB.

Targets: ``--sample`` ≥ 1.0× torch's throughput with ≤ ¼ of its peak memory.
"""

from __future__ import annotations

import contextlib
import io
import subprocess
import sys
import threading
import time

import numpy as np

from glorotcalc.cli import main
from glorotcalc.sampling import default_threads

ROWS = COLS = 10_000
N = ROWS * COLS
ROUNDS = 3
RSS_LIMIT_MIB = 200
SAMPLE_ARGS = [str(ROWS), str(COLS), "--scheme", "glorot", "--dist", "normal", "--sample"]


def time_sample(*extra: str) -> tuple[float, float]:
    """(wall, CPU) seconds of one in-process ``--sample`` of the 10000×10000 layer (json to a buffer)."""
    out = io.StringIO()
    start, cpu = time.perf_counter(), time.process_time()
    with contextlib.redirect_stdout(out):
        code = main([*SAMPLE_ARGS, *extra, "--format", "json"])
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    assert code == 0, out.getvalue()
    return elapsed, cpu


def time_numpy(array: np.ndarray, threads: int) -> float:
    """Seconds for numpy to fill `array` with standard normals on `threads` threads."""
    parts = np.array_split(array.reshape(-1), threads)
    generators = [np.random.default_rng(s) for s in np.random.SeedSequence(0).spawn(threads)]

    def fill(i: int) -> None:
        generators[i].standard_normal(dtype=np.float32, out=parts[i])

    workers = [threading.Thread(target=fill, args=(i,)) for i in range(threads)]
    start = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return time.perf_counter() - start


def time_torch(tensor) -> tuple[float, float]:
    """(wall, CPU) seconds of torch's xavier_normal_ on `tensor`."""
    import torch

    start, cpu = time.perf_counter(), time.process_time()
    torch.nn.init.xavier_normal_(tensor)
    return time.perf_counter() - start, time.process_time() - cpu


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
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", PEAK, code, *args], capture_output=True, text=True, check=False
    )
    elapsed = time.perf_counter() - start
    if proc.returncode != 0 or "VmHWM" not in proc.stderr:
        raise SystemExit(f"{args} failed:\n{proc.stderr}")
    return int(proc.stderr.split()[-2]) / 1024, elapsed


def throughput() -> dict[str, float]:
    """Best wall time of each contender over ROUNDS interleaved rounds; CPU time alongside."""
    threads = default_threads()
    inf = float("inf")
    wall = {"sample": inf, "sample, 1 thread": inf, "numpy": inf, "torch": inf}
    cpu = dict(wall)
    try:
        import torch

        tensor = torch.empty(ROWS, COLS)
    except ImportError:
        tensor = None
    array = np.empty((ROWS, COLS), np.float32)
    time_sample()  # warm up imports and caches
    for _ in range(ROUNDS):
        runs = {
            "sample": time_sample,
            "sample, 1 thread": lambda: time_sample("--threads", "1"),
            "numpy": lambda: (time_numpy(array, threads), inf),
        }
        if tensor is not None:
            runs["torch"] = lambda: time_torch(tensor)
        for name, run in runs.items():
            seconds, cpu_seconds = run()
            wall[name], cpu[name] = min(wall[name], seconds), min(cpu[name], cpu_seconds)
    rates = {name: N / seconds for name, seconds in wall.items() if seconds < inf}
    print(f"throughput, {N:.0e} float32 normal draws, {threads} cores, best of {ROUNDS} interleaved rounds:")
    for name, rate in rates.items():
        per = f"   CPU {cpu[name] / N * 1e9:5.2f} ns/element" if cpu[name] < inf else ""
        print(f"  {name:17s} {rate / 1e6:8.1f} M elements/s{per}")
    print(f"  --sample / raw numpy (all cores): {rates['sample'] / rates['numpy']:.2f}×")
    if "torch" in rates:
        print(f"  --sample / torch xavier_normal_:  {rates['sample'] / rates['torch']:.2f}×  (target ≥ 1.0×)")
        one = rates["sample, 1 thread"] / rates["torch"]
        print(f"  --sample --threads 1 / torch:     {one:.2f}×  (torch's normal_ runs on one thread)")
    return rates


def memory(big: bool) -> None:
    sample_rss, _ = peak_rss_mib(RUN_CLI, *SAMPLE_ARGS, "--format", "json")
    print(f"peak RSS, 10000×10000 --sample: {sample_rss:.0f} MiB")
    torch_code = "import torch\nw = torch.empty(10000, 10000)\ntorch.nn.init.xavier_normal_(w)\n"
    try:
        import torch  # noqa: F401

        torch_rss, _ = peak_rss_mib(torch_code)
        print(f"peak RSS, torch xavier_normal_ (10000, 10000): {torch_rss:.0f} MiB")
        print(f"  --sample / torch peak memory: {sample_rss / torch_rss:.2f}  (target ≤ 0.25)")
    except ImportError:
        print("torch not installed: no memory comparison")
    for count in (10**9, 10**10) if big else (10**9,):
        args = ("784", "256", "--scheme", "he", "--dist", "normal", "--sample", "--samples", str(count))
        rss, seconds = peak_rss_mib(RUN_CLI, *args, "--format", "json")
        verdict = "ok" if rss < RSS_LIMIT_MIB else "OVER"
        print(
            f"peak RSS, --samples {count:.0e}: {rss:.0f} MiB in {seconds:.1f} s "
            f"({count / seconds / 1e6:.0f} M/s) — limit {RSS_LIMIT_MIB} MiB: {verdict}"
        )


if __name__ == "__main__":
    throughput()
    memory("--big" in sys.argv[1:])
