"""Big tables: milliseconds per row of a 10,000-layer table, drawn with rich.

    python tests/benchmarks/bench_tables.py

Measures, in this process (stdout to /dev/null, 80 columns): ``256 --depth 10000`` (a repeated
layer: shown as one row), the same with ``--every-row`` (10,000 rows), and its JSON for
reference. Prints each time and the time per row of the 10,000-row table (target ≤ 0.2 ms).
"""

from __future__ import annotations

import contextlib
import os
import sys
import time

TARGET_MS_PER_ROW = 0.2


def timed(argv: list[str]) -> float:
    from glorotcalc.cli import main

    with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink):
        start = time.perf_counter()
        code = main(argv)
        elapsed = time.perf_counter() - start
    assert code == 0, argv
    return elapsed


def main() -> None:
    os.environ.update(NO_COLOR="1", COLUMNS="80")
    base = ["256", "--depth", "10000"]
    timed(["784", "256"])  # imports once
    collapsed = timed(base)
    every = timed([*base, "--every-row"])
    as_json = timed([*base, "--format", "json"])
    per_row = every / 10000 * 1000
    print(f"collapsed table (1 row):  {collapsed * 1000:8.1f} ms")
    print(
        f"--every-row (10,000 rows): {every * 1000:8.1f} ms = {per_row:.3f} ms a row "
        f"({per_row / TARGET_MS_PER_ROW:.1f}× the {TARGET_MS_PER_ROW} ms target)"
    )
    print(f"JSON of the same:         {as_json * 1000:8.1f} ms")


if __name__ == "__main__":
    sys.exit(main())
