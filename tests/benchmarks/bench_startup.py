"""Startup: the median wall time of a lookup against the import floor of its dependencies.

    python tests/benchmarks/bench_startup.py [--runs N]

Measures, in fresh processes (stdout to a pipe, NO_COLOR=1):

- floor:  ``python -c "import typer, rich.console, rich.table"`` — what any Typer + rich CLI pays;
- table:  ``glorotcalc 784 256`` (the installed console script, else ``python -m glorotcalc``);
- json:   ``glorotcalc 784 256 --format json``;
- app:    a one-option Typer app invoked once, printing a rich table — for context: Typer 0.29
  converts every parameter through a pydantic TypeAdapter, importing pydantic on the first
  invocation, a cost the import floor does not include.

Prints each median and the ratio to the floor (target: table ≤ 1.2×). Runs are interleaved so
that a slow moment of the machine hits every command alike.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

TARGET = 1.2


def glorotcalc_command() -> list[str]:
    """The console script next to this interpreter, else ``python -m glorotcalc``."""
    script = Path(sys.executable).parent / "glorotcalc"
    if script.exists():
        return [str(script)]
    found = shutil.which("glorotcalc")
    return [found] if found else [sys.executable, "-m", "glorotcalc"]


TYPER_APP = """
import typer, rich.console, rich.table
app = typer.Typer()
@app.command()
def show(name: str = "x") -> None:
    table = rich.table.Table(title=name)
    table.add_column("name")
    table.add_row(name)
    rich.console.Console().print(table)
app(["--name", "784"], standalone_mode=False)
"""


def commands() -> dict[str, list[str]]:
    tool = glorotcalc_command()
    return {
        "floor": [sys.executable, "-c", "import typer, rich.console, rich.table"],
        "table": [*tool, "784", "256"],
        "json": [*tool, "784", "256", "--format", "json"],
        "app": [sys.executable, "-c", TYPER_APP],
    }


def wall_time(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, env=env, capture_output=True, check=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21, help="runs per command (default 21)")
    parser.add_argument(
        "--as-set", action="store_true", help="keep PYTHONDONTWRITEBYTECODE if set (compile every run)"
    )
    args = parser.parse_args()
    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("COLUMNS", None)
    # The dependencies' bytecode was written when they were installed; glorotcalc's is written on
    # its first import — unless PYTHONDONTWRITEBYTECODE is set, when every run compiles its modules
    # from source (tens of ms) and the comparison is no longer like for like.
    no_bytecode = env.pop("PYTHONDONTWRITEBYTECODE", None) is not None and not args.as_set
    if not no_bytecode and "PYTHONDONTWRITEBYTECODE" in os.environ:
        env["PYTHONDONTWRITEBYTECODE"] = os.environ["PYTHONDONTWRITEBYTECODE"]
    cmds = commands()
    times: dict[str, list[float]] = {name: [] for name in cmds}
    for command in cmds.values():  # warm the file cache and the bytecode
        wall_time(command, env)
    for _ in range(args.runs):
        for name, command in cmds.items():
            times[name].append(wall_time(command, env))
    medians = {name: statistics.median(values) for name, values in times.items()}
    floor = medians["floor"]
    print(f"runs per command: {args.runs}; glorotcalc = {' '.join(cmds['table'][:-2])}")
    if no_bytecode:
        print("PYTHONDONTWRITEBYTECODE was set: unset for the runs, so glorotcalc's bytecode is cached too")
    for name, command in cmds.items():
        shown = " ".join(Path(command[0]).name if i == 0 else c for i, c in enumerate(command))
        shown = "one-option Typer app + rich table" if name == "app" else shown
        print(f"{name:6} {medians[name] * 1000:8.1f} ms  {medians[name] / floor:5.2f}×  {shown}")
    ratio = medians["table"] / floor
    verdict = "meets" if ratio <= TARGET else "misses"
    print(f"glorotcalc 784 256 / import floor = {ratio:.2f}× ({verdict} the {TARGET}× target)")
    print(f"glorotcalc 784 256 / one-option Typer app = {medians['table'] / medians['app']:.2f}×")


if __name__ == "__main__":
    main()
