"""Timings on a shared machine: wait (briefly) until no other process uses the CPU, retry a timing
during which one did, and record how loaded the machine was, so that a benchmark can say it.

A timing is retried at most `TRIES` times and each wait lasts at most `WAIT` seconds (set
GLOROTCALC_QUIET_WAIT to wait longer), so a benchmark ends in bounded time even on a busy machine;
`load_note()` then reports the other processes' median CPU use during the kept timings.

Other processes' CPU use is the machine's busy time (/proc/stat) minus this process's own
(os.times, children included). Linux only; elsewhere the checks are skipped.
"""

from __future__ import annotations

import os
import statistics
import time

LIMIT = 0.05  # cores that other processes may use during a timing
WAIT = float(os.environ.get("GLOROTCALC_QUIET_WAIT", "1"))  # seconds to wait for a quiet machine
TRIES = 2
LOADS: list[float] = []  # other processes' cores during each kept timing
TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _busy() -> int | None:
    try:
        with open("/proc/stat") as handle:
            fields = [int(v) for v in handle.readline().split()[1:8]]
    except OSError:
        return None
    return sum(fields) - fields[3] - fields[4]  # minus idle and iowait


def _own() -> float:
    t = os.times()
    return (t.user + t.system + t.children_user + t.children_system) * TICK


def others(interval: float = 0.5) -> float:
    """Cores used by other processes over the next `interval` seconds."""
    busy, own = _busy(), _own()
    time.sleep(interval)
    if busy is None:
        return 0.0
    return max(0.0, (_busy() - busy) - (_own() - own)) / (interval * TICK)


def wait_quiet(limit: float = LIMIT, timeout: float | None = None) -> bool:
    """Return once two consecutive half-seconds were quiet (False after `timeout` seconds)."""
    start, calm = time.monotonic(), 0
    timeout = WAIT if timeout is None else timeout
    while time.monotonic() - start < timeout:
        calm = calm + 1 if others() < limit else 0
        if calm >= 2:
            return True
    return False


def clean_time(function, limit: float = LIMIT, tries: int = TRIES) -> float:
    """Wall seconds of function(), retried while other processes used ≥ `limit` cores meanwhile
    (the least loaded try is kept, its load recorded in `LOADS`)."""
    best = None
    for _ in range(tries):
        wait_quiet(limit)
        busy, own, start = _busy(), _own(), time.perf_counter()
        function()
        elapsed = time.perf_counter() - start
        load = 0.0 if busy is None else max(0.0, (_busy() - busy) - (_own() - own)) / (elapsed * TICK)
        if best is None or load < best[0]:
            best = load, elapsed
        if load < limit:
            break
    LOADS.append(best[0])
    return best[1]


def load_note() -> str:
    """One line: the other processes' CPU use during the timings kept so far."""
    if not LOADS:
        return "load: no timings"
    busy = sum(load >= LIMIT for load in LOADS)
    return (
        f"load from other processes during the timings: median {statistics.median(LOADS):.2f} cores, "
        f"max {max(LOADS):.2f}; {busy} of {len(LOADS)} timings above {LIMIT} cores "
        f"({'ratios are unreliable' if busy else 'quiet'})"
    )


def rounds(runs: dict, count: int) -> dict[str, list[float]]:
    """Seconds of each of `runs` (name → function) over `count` interleaved rounds."""
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(count):
        for name, function in runs.items():
            times[name].append(clean_time(function))
    return times


def median(values: list[float]) -> float:
    return statistics.median(values)
