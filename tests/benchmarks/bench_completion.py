"""One Tab: the median time of a completion against ``python -c "import typer"``.

    python tests/benchmarks/bench_completion.py [--runs N] [--tabs N]

Measures, for a few typical Tabs (a command, an option, a value, a comma list, ``--opt=value``,
files), with the committed ``completions/glorotcalc.bash``:

- in-shell:   ``_glorotcalc`` called in a bash that sourced the script once, timed in a bash loop
  with ``$EPOCHREALTIME`` (what every Tab costs in an open terminal);
- fresh bash: ``bash -c`` that sources the script and completes once, wall time of the process
  (a bound on the first Tab: bash start-up and loading the script included);
- fresh fish: the same with ``fish -c 'source …; complete -C …'`` (when fish is installed);
- floor:      ``python -c "import typer"`` in fresh processes: the least a Tab that starts Python and
  imports the CLI could cost (the issue's goal: a Tab ≤ 100 ms and no slower than this);
- before:     Typer's dynamic completion (``_GLOROTCALC_COMPLETE=complete_bash glorotcalc``), when
  the installed CLI still answers it.

Prints each median and its ratio to the floor. Runs are interleaved so that a slow moment of the
machine hits every measurement alike.
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

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = ROOT / "completions"
TARGET_MS = 100.0
TABS = {  # name → the words typed, the last one being completed
    "command": ["glorotcalc", "au"],
    "option": ["glorotcalc", "784", "256", "--sch"],
    "values": ["glorotcalc", "gain", ""],
    "comma list": ["glorotcalc", "784", "256", "--dist", "uniform,"],
    "--opt=value": ["glorotcalc", "784", "256", "--dist=n"],
    "files": ["glorotcalc", "audit", ""],
}


def _bash_words(words: list[str]) -> str:
    quoted = " ".join("'" + w.replace("'", "'\\''") + "'" for w in words)
    return (
        f'COMP_WORDS=({quoted}); COMP_CWORD={len(words) - 1}; COMP_LINE="${{COMP_WORDS[*]}}"; '
        "COMP_POINT=${#COMP_LINE}; COMPREPLY=()"
    )


def _call() -> str:
    return '_glorotcalc glorotcalc "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"'


def in_shell(bash: str, tabs: int, cwd: Path) -> dict[str, list[float]]:
    """Seconds per call of `_glorotcalc`, `tabs` calls per case, in one bash that sourced the script."""
    lines = [f"source '{SCRIPTS / 'glorotcalc.bash'}'"]
    for name, words in TABS.items():
        lines.append(
            f"for ((n = 0; n < {tabs}; n++)); do {_bash_words(words)}; start=$EPOCHREALTIME; {_call()}; "
            f'end=$EPOCHREALTIME; echo "{name}|$start|$end|${{#COMPREPLY[@]}}"; done'
        )
    out = subprocess.run(
        [bash, "--norc", "--noprofile", "-c", "\n".join(lines)],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/nonexistent", "LC_ALL": "C"},
    ).stdout
    times: dict[str, list[float]] = {name: [] for name in TABS}
    for line in out.splitlines():
        name, start, end, count = line.split("|")
        assert int(count) > 0, f"{name}: no candidates"
        times[name].append(float(end.replace(",", ".")) - float(start.replace(",", ".")))
    return times


def wall_time(command: list[str], env: dict[str, str], cwd: Path, *, check: bool = True) -> float:
    start = time.perf_counter()
    subprocess.run(command, env=env, cwd=cwd, capture_output=True, check=check)
    return time.perf_counter() - start


def glorotcalc_command() -> list[str]:
    script = Path(sys.executable).parent / "glorotcalc"
    return [str(script)] if script.exists() else [sys.executable, "-m", "glorotcalc"]


def typer_dynamic_answers(env: dict[str, str], cwd: Path) -> bool:
    """Whether the installed CLI still runs Typer's dynamic completion (before the static scripts)."""
    probe = {
        **env,
        "_GLOROTCALC_COMPLETE": "complete_bash",
        "COMP_WORDS": "glorotcalc --dist ",
        "COMP_CWORD": "2",
    }
    proc = subprocess.run(glorotcalc_command(), env=probe, cwd=cwd, capture_output=True, text=True)
    return "normal" in proc.stdout.split()  # its exit code is not 0 (Typer exits from inside the CLI)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21, help="fresh processes per measurement (default 21)")
    parser.add_argument("--tabs", type=int, default=200, help="in-shell calls per Tab (default 200)")
    args = parser.parse_args()
    bash = shutil.which("bash")
    if bash is None:
        raise SystemExit("bash is not installed")
    fish = shutil.which("fish")
    cwd = Path(os.environ.get("TMPDIR", "/tmp")) / f"glorotcalc-bench-{os.getpid()}"
    (cwd / "sub").mkdir(parents=True, exist_ok=True)
    for name in ("model.npy", "model.txt", "weights.safetensors"):
        (cwd / name).touch()
    env = {**os.environ, "NO_COLOR": "1"}
    shell_env = {"PATH": os.environ.get("PATH", ""), "HOME": str(cwd), "LC_ALL": "C"}

    commands: dict[str, list[str]] = {"floor": [sys.executable, "-c", "import typer"]}
    for name, words in TABS.items():
        body = f"source '{SCRIPTS / 'glorotcalc.bash'}'; {_bash_words(words)}; {_call()}"
        commands[f"bash {name}"] = [bash, "--norc", "--noprofile", "-c", body]
        if fish:
            line = " ".join(words)
            commands[f"fish {name}"] = [
                fish,
                "--no-config",
                "-c",
                f"source '{SCRIPTS / 'glorotcalc.fish'}'; complete -C '{line}'",
            ]
    dynamic = typer_dynamic_answers(env, cwd)
    if dynamic:
        commands["before"] = glorotcalc_command()
    dynamic_env = {
        **env,
        "_GLOROTCALC_COMPLETE": "complete_bash",
        "COMP_WORDS": "glorotcalc --dist ",
        "COMP_CWORD": "2",
    }

    def env_of(name: str) -> dict[str, str]:
        return dynamic_env if name == "before" else env if name == "floor" else shell_env

    for name, command in commands.items():  # warm the file cache and the bytecode
        wall_time(command, env_of(name), cwd, check=name != "before")
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(args.runs):
        for name, command in commands.items():
            times[name].append(wall_time(command, env_of(name), cwd, check=name != "before"))
    calls = in_shell(bash, args.tabs, cwd)
    shutil.rmtree(cwd, ignore_errors=True)

    floor = statistics.median(times["floor"])
    version = subprocess.run([bash, "--version"], capture_output=True, text=True).stdout.split()[3]
    print(
        f"{Path(bash).name} {version} · {args.runs} fresh processes per line · "
        f"{args.tabs} in-shell calls per Tab"
    )
    print(f"floor  python -c 'import typer'          {floor * 1000:8.1f} ms   1.00×")
    if dynamic:
        before = statistics.median(times["before"])
        print(f"before Typer dynamic, one Tab             {before * 1000:8.1f} ms  {before / floor:5.2f}×")
    print(f"{'Tab':14} {'in-shell':>12} {'× floor':>9} {'fresh bash':>12} {'× floor':>8}", end="")
    print(f" {'fresh fish':>12} {'× floor':>8}" if fish else "")
    worst_fresh = worst_call = 0.0
    for name in TABS:
        call = statistics.median(calls[name])
        fresh = statistics.median(times[f"bash {name}"])
        worst_fresh, worst_call = max(worst_fresh, fresh), max(worst_call, call)
        row = (
            f"{name:14} {call * 1e6:9.0f} µs {call / floor:9.4f} {fresh * 1000:9.1f} ms {fresh / floor:8.3f}"
        )
        if fish:
            fresh_fish = statistics.median(times[f"fish {name}"])
            worst_fresh = max(worst_fresh, fresh_fish)
            row += f" {fresh_fish * 1000:9.1f} ms {fresh_fish / floor:8.3f}"
        print(row)
    every = [t for values in calls.values() for t in values]
    print(f"one Tab in an open bash (median of all): {statistics.median(every) * 1e6:.0f} µs")
    ok = worst_fresh * 1000 <= TARGET_MS and worst_fresh <= floor
    verdict = "meets" if ok else "misses"
    print(
        f"slowest fresh-process Tab: {worst_fresh * 1000:.1f} ms = {worst_fresh / floor:.3f}× the import "
        f"floor ({verdict} the goal: ≤ {TARGET_MS:.0f} ms and ≤ 1×)"
    )


if __name__ == "__main__":
    main()
