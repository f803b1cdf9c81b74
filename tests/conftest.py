"""Shared fixtures: run the CLI in-process or as a real subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass

import pytest
from hypothesis import settings

from glorotcalc.cli import main

# Profiles: `ci` (the default) and `long` (release runs: --hypothesis-profile=long); the CLI fuzz test
# runs at least 2,000 examples in any profile. `long` draws new examples each run.
settings.register_profile("ci", deadline=None, derandomize=True)  # CI: the same examples every run
settings.register_profile("long", max_examples=20000, deadline=None)
settings.load_profile("ci")


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


@pytest.fixture
def cli(capsys, monkeypatch):
    """``cli("784", "256", "--format", "json")`` → Result; runs `main` in this process."""
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.delenv("COLUMNS", raising=False)

    def invoke(*argv: str, stdin: str | None = None) -> Result:
        if stdin is not None:
            import io

            monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        code = main(list(argv))
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return invoke


def run_subprocess(
    *argv: str, stdin: str | None = None, env: dict | None = None, timeout: float = 120
) -> Result:
    """``python -m glorotcalc ARGV`` in a real process (for import, signal and pipe tests)."""
    full_env = {**os.environ, "NO_COLOR": "1", **(env or {})}
    full_env.pop("COLUMNS", None)
    proc = subprocess.run(
        [sys.executable, "-m", "glorotcalc", *argv],
        input=stdin,
        capture_output=True,
        text=True,
        env=full_env,
        timeout=timeout,
    )
    return Result(proc.returncode, proc.stdout, proc.stderr)


def torch_or_skip():
    """Import torch or skip the test (torch is a test-time peer, installed in CI)."""
    return pytest.importorskip("torch")


def skip_summary(reasons: list[str]) -> list[str]:
    """One line per absent peer framework (and per other reason) instead of one line per test."""
    import re
    from collections import Counter

    missing: Counter[str] = Counter()
    for reason in reasons:
        found = re.search(r"could not import '([^']+)'", reason)
        missing[found.group(1) if found else reason.removeprefix("Skipped: ")] += 1
    return [
        f"skipped {count} tests: {what} is not installed (a test-time peer; see README, Run the tests)"
        if re.fullmatch(r"[\w.]+", what)
        else f"skipped {count} tests: {what}"
        for what, count in sorted(missing.items())
    ]


def pytest_terminal_summary(terminalreporter):
    reports = terminalreporter.stats.get("skipped", [])
    reasons = [str(r.longrepr[-1]) if isinstance(r.longrepr, tuple) else str(r.longrepr) for r in reports]
    for line in skip_summary(reasons):
        terminalreporter.write_line(line)
