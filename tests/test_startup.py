"""A plain lookup, and every command but sampling, propagation and audit, never imports numpy."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

PROBE = """\
import sys
from glorotcalc.cli import main
code = main(sys.argv[1:])
sys.stdout.flush()
heavy = sorted(m for m in ("numpy", "torch", "safetensors") if m in sys.modules)
sys.stderr.write("HEAVY=" + ",".join(heavy) + "\\n")
raise SystemExit(code)
"""


def run_python(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("COLUMNS", None)
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, env=env, timeout=120, check=False
    )


@pytest.mark.parametrize("fmt", ["table", "json"])
def test_lookup_does_not_import_numpy(fmt):
    proc = run_python("-c", PROBE, "784", "256", "--format", fmt)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith({"table": "dense 784", "json": "{"}[fmt])
    assert proc.stderr == "HEAVY=\n"


STARTS = {
    "lookup": (["784", "256", "--scheme", "he", "--dist", "normal"], "dense 784"),
    "lookup-command": (["lookup", "784", "256", "--format", "csv"], "layer,"),
    "arch": (["1-conv5x5:32@relu-flatten:24x24-10", "--format", "csv"], "layer,"),
    "framework": (["784", "256", "--framework", "keras"], "dense 784"),
    "init": (["784", "256", "--init", "he_normal"], ""),
    "compare": (["compare", "784", "256"], ""),
    "defaults": (["defaults", "784", "256"], ""),
    "emit": (["emit", "torch", "784", "256", "--scheme", "he", "--dist", "normal"], ""),
    "gain": (["gain", "gelu"], ""),
    "help": (["--help"], "Usage: glorotcalc [OPTIONS] COMMAND [ARGS]..."),
    "lookup-help": (["784", "256", "-h"], "Usage: glorotcalc lookup"),
    "propagate-help": (["propagate", "--help"], "Usage: glorotcalc propagate"),
    "audit-help": (["audit", "--help"], "Usage: glorotcalc audit"),
}


@pytest.mark.parametrize(("argv", "start"), STARTS.values(), ids=STARTS)
def test_every_command_without_heavy_work_stays_without_numpy(argv, start):
    """Only sampling, propagation and audits need numpy; every other command and help start without it."""
    proc = run_python("-c", PROBE, *argv)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() and proc.stdout.startswith(start)
    assert proc.stderr == "HEAVY=\n"


def test_importtime_of_the_real_entry_point_has_no_numpy():
    """``python -X importtime -m glorotcalc 784 256``: every imported module is listed on stderr."""
    proc = run_python("-X", "importtime", "-m", "glorotcalc", "784", "256")
    assert proc.returncode == 0, proc.stderr
    imported = [line.rsplit("|", 1)[-1].strip() for line in proc.stderr.splitlines() if "|" in line]
    assert "glorotcalc.lookup" in imported  # the listing is real: the lookup itself is in it
    assert not [name for name in imported if name.split(".")[0] == "numpy"]
