"""Output is written, or the exit code says it was not; any stdout encoding; Ctrl-C from the start.

Each runs the real program in a subprocess (buffering, pipes and signals are the process's).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from conftest import run_subprocess

FORMATS = [("--format", "json"), ("--format", "csv"), ("--format", "tsv"), ("--format", "table")]
ALL_ARGV = [
    ("784", "256"),
    ("784", "256", "--scheme", "he", "--dist", "uniform", "--value"),
    ("compare", "784", "256"),
    ("defaults", "784-256-10"),
    ("emit", "torch", "784", "256", "--scheme", "he", "--dist", "normal"),
    ("gain", "tanh"),
]


def env(**extra: str) -> dict[str, str]:
    full = {**os.environ, "NO_COLOR": "1", **extra}
    full.pop("PYTHONUNBUFFERED", None)  # the normal case: stdout is block-buffered into a file
    full.pop("COLUMNS", None)
    return full


@pytest.mark.parametrize("fmt", FORMATS, ids=lambda f: f[1])
def test_a_full_disk_is_one_error_line_and_exit_1(fmt):
    with open("/dev/full", "w") as full:
        proc = subprocess.run(
            [sys.executable, "-m", "glorotcalc", "784", "256", *fmt],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            env=env(),
            timeout=60,
        )
    assert proc.returncode == 1
    assert proc.stderr == "Error: cannot write the output: No space left on device\n"


def test_value_into_a_full_disk():
    with open("/dev/full", "w") as full:
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "glorotcalc",
                "784",
                "256",
                "--scheme",
                "he",
                "--dist",
                "normal",
                "--value",
            ],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            env=env(),
            timeout=60,
        )
    assert (proc.returncode, proc.stderr.count("\n")) == (1, 1)


@pytest.mark.parametrize("argv", ALL_ARGV, ids=lambda a: " ".join(a[:2]))
def test_a_closed_pipe_is_a_quiet_exit(argv):
    """The reader went away (``| head`` finished): no message, exit 141 as for SIGPIPE."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "glorotcalc", *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env(),
    )
    proc.stdout.close()  # before the program writes anything
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 141, err
    assert err == b""


def test_a_closed_stdout_is_an_error():
    proc = subprocess.run(
        ["bash", "-c", f'"{sys.executable}" -m glorotcalc 784 256 >&-'],
        capture_output=True,
        text=True,
        env=env(),
        timeout=60,
    )
    assert proc.returncode == 1
    assert proc.stderr.startswith("Error: cannot write the output") and proc.stderr.count("\n") == 1


@pytest.mark.parametrize("encoding", ["latin-1", "cp1252", "ascii"])
@pytest.mark.parametrize("argv", ALL_ARGV, ids=lambda a: " ".join(a[:2]))
def test_any_stdout_encoding(encoding, argv):
    """A stdout that is not UTF-8 gets ASCII spellings (→ is ->, √ is sqrt) in every format."""
    for fmt in FORMATS if "--value" not in argv else [()]:
        proc = subprocess.run(
            [sys.executable, "-m", "glorotcalc", *argv, *fmt],
            capture_output=True,
            env=env(PYTHONIOENCODING=encoding),
            timeout=60,
        )
        assert (proc.returncode, proc.stderr) == (0, b""), proc.stderr
        stdout = proc.stdout.decode(encoding)  # what reached the stream is in its encoding
        if fmt == ("--format", "json"):
            json.loads(stdout)
        if argv[:2] == ("784", "256") and fmt == ("--format", "table"):
            assert "784 -> 256" in stdout


def test_errors_in_a_non_utf8_stderr():
    result = run_subprocess("784", "256", "--mode", "fan_mid", env={"PYTHONIOENCODING": "ascii"})
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1


def test_piped_table_lines_end_without_blanks():
    result = run_subprocess("784", "256")
    assert result.exit_code == 0
    assert all(line == line.rstrip() for line in result.stdout.splitlines())


@pytest.mark.parametrize("word", ["-scheme", "-dist", "-hscheme", "-h2"])
def test_a_single_dash_word_is_not_help(cli, word):
    """Only ``-h`` alone is help; Click would otherwise read ``-scheme`` as ``-s -c -h …``."""
    result = cli("784", "256", word, "he", "--dist", "normal", "--value")
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert word in result.stderr and result.stderr.count("\n") == 1


def test_a_single_dash_word_suggests_the_option(cli):
    assert "did you mean --scheme?" in cli("784", "256", "-scheme", "he").stderr


def test_negative_numbers_are_not_single_dash_options(cli):
    result = cli("784", "256", "--slope", "-0.2", "--scheme", "he", "--dist", "uniform", "--value")
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("typed", ["1_5", "١٥", "0x10", "1,5", "15 "])
def test_options_read_numbers_as_positionals_do(cli, typed):
    """One number syntax: ASCII digits; Python's float() would take 1_5 (15) and Arabic-Indic digits."""
    result = cli("784", "256", "--gain", typed.strip() if typed == "15 " else typed)
    if typed == "15 ":
        assert result.exit_code == 0
        return
    assert result.exit_code == 2, result.output
    assert repr(typed) in result.stderr


def test_positional_fans_refuse_the_same_spellings(cli):
    for typed in ("1_5", "١٥"):
        assert cli("784", typed).exit_code == 2


@pytest.mark.slow
@pytest.mark.parametrize("delay", [0.05, 0.08, 0.12, 0.2])
def test_ctrl_c_while_starting_is_an_interrupt(delay):
    """SIGINT while the CLI's modules are still importing: ``Error: interrupted``, exit 130.

    From the moment the glorotcalc package is imported; before that (~40 ms here) Python itself is
    starting (site, runpy) and no program's code runs yet — such a traceback names no file of the
    glorotcalc package, and only then is it accepted.
    """
    proc = subprocess.Popen(
        [sys.executable, "-m", "glorotcalc", "784", "256", "--sample", "--samples", "100000000"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env(),
    )
    time.sleep(delay)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    text = err.decode()
    if proc.returncode == -signal.SIGINT and f"{os.sep}glorotcalc{os.sep}" not in text:
        return  # Python's own start-up, before any of the program ran
    assert proc.returncode == 130, text
    assert text == "Error: interrupted\n"


def test_sampling_refuses_more_than_the_limit_in_total(cli):
    """1e6 × 1e6 weights × 9 results = 9e12 draws: refused up front, not 11 hours of work."""
    started = time.monotonic()
    result = cli("1000000", "1000000", "--sample")
    assert result.exit_code == 2
    assert "9,000,000,000,000" in result.stderr
    assert time.monotonic() - started < 5


def test_memory_limit_reads_the_cgroup(tmp_path):
    from glorotcalc.propagate import memory_limit

    v2 = tmp_path / "memory.max"
    v2.write_text("1610612736\n")  # a 1.5 GiB container
    assert memory_limit((str(v2),)) == 1610612736 // 2
    unlimited = tmp_path / "max"
    unlimited.write_text("max\n")
    v1 = tmp_path / "limit_in_bytes"
    v1.write_text("9223372036854771712\n")  # cgroup v1's "no limit"
    physical = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    assert memory_limit((str(unlimited), str(v1))) == physical // 2


def test_emit_names_are_valid_python():
    """Module names that are keywords, imported names or not ASCII identifiers."""
    import ast

    from glorotcalc.emit import identifiers
    from glorotcalc.layers import dense

    names = ["class", "torch", "x²", "nn", "0", "layers.0.linear1", "match", "", "class"]
    written = identifiers([dense(4, 2, name=name) for name in names])
    assert len(set(written)) == len(written)
    for name in written:
        ast.parse(f"{name} = 1\n{name}_init = 2\n")
        assert name.isascii() and name.isidentifier()


EVIL_PRINTOUT = (
    "Sequential(\n  (\x1b[2J0): Linear(in_features=4, out_features=2)\n  (evil\u009b\u202e): Mamba(3, 4)\n)\n"
)
ACTIVE = ["\x1b", "\x9b", "\u202e", "\x07"]


@pytest.mark.parametrize("fmt", ["table", "json", "csv", "tsv"])
@pytest.mark.parametrize("command", [(), ("defaults",), ("compare",)], ids=["lookup", "defaults", "compare"])
def test_printout_names_reach_the_terminal_inert(cli, fmt, command):
    """Module names of a pasted printout: escaped (\\x1b, \\x9b, \\u202e) in every format."""
    result = cli(*command, "-", "--format", fmt, stdin=EVIL_PRINTOUT)
    assert result.exit_code == 0, result.output
    assert not any(char in result.stdout + result.stderr for char in ACTIVE)
    if (command, fmt) != ((), "table"):  # the one-layer table's title names the layer by its kind
        assert "\\x1b[2J0" in result.stdout


def test_a_newline_in_a_path_cannot_forge_an_error_line(cli):
    for argv in (
        ("miss\nError: fake.txt",),
        ("audit", "miss\nError: fake.npy"),
        ("./a\x1b]0;title\x07.txt",),
    ):
        result = cli(*argv)
        assert result.exit_code in (1, 2)
        assert result.stderr.count("\n") == 1 and result.stderr.startswith("Error: ")
        assert not any(char in result.stderr for char in ACTIVE)


@pytest.mark.parametrize(
    "value, text",
    [(1_000_000_000, "1.00G"), (104_857_600, "105M"), (2048, "2.05k"), (999, "999"), (3.2e12, "3.20T")],
)
def test_progress_counts_in_si_units(value, text):
    """The bar shows 105M/1.00G elements and a rate, not raw counts (104857600/1000000000)."""
    from glorotcalc.progress import si

    assert si(value) == text


def test_progress_bar_shows_counts_rate_and_eta(monkeypatch):
    import io

    from rich.console import Console

    from glorotcalc import progress

    monkeypatch.setattr(progress, "PROGRESS_AFTER", 0.0)
    bar = progress.Progress(1_000_000_000, True)
    with bar:
        bar.describe("sampling")
        bar.advance(0)
        bar.advance(104_857_600)
        buffer = io.StringIO()
        Console(file=buffer, width=120).print(bar.bar.get_renderable())
        shown = buffer.getvalue()
    assert "105M/1.00G elements" in shown
    assert "/s" in shown and ("-:--:--" in shown or ":" in shown)


FAST_PATH_ARGV = [
    ("784", "512", "300", "200", "100", "50", "20", "10", "--scheme", "all"),
    ("256", "--depth", "40", "--every-row", "--act", "relu"),
    ("compare", "784-512-256-128-64-32-10"),
    ("defaults", "3-conv3x3:64-conv3x3:64/4-dwconv3x3-convt4x4:32-flatten:4x4-100-10"),
    ("784", "512", "300", "--scheme", "he", "--dist", "normal", "--sample", "--samples", "2000"),
]


@pytest.mark.parametrize("columns", ["80", "120"])
@pytest.mark.parametrize("colour", [False, True], ids=["plain", "colour"])
@pytest.mark.parametrize("argv", FAST_PATH_ARGV, ids=lambda a: " ".join(a[:2]))
def test_long_tables_are_drawn_as_rich_draws_them(cli, monkeypatch, argv, columns, colour):
    """The fast body of a long table (rows written in rich's layout) is byte-identical to rich's."""
    from glorotcalc import render

    monkeypatch.setenv("COLUMNS", columns)
    if colour:
        monkeypatch.delenv("NO_COLOR", raising=False)
        monkeypatch.setenv("FORCE_COLOR", "1")
        monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.setattr(render, "FAST_ROWS", 10**9)
    by_rich = cli(*argv)
    monkeypatch.setattr(render, "FAST_ROWS", 0)
    fast = cli(*argv)
    assert by_rich.exit_code == fast.exit_code == 0, fast.output
    assert fast.stdout == by_rich.stdout
    assert ("\x1b[" in fast.stdout) == colour


def test_audit_names_broken_over_lines_take_the_fast_path_too(cli, monkeypatch, tmp_path):
    import numpy as np

    from glorotcalc import render

    rng = np.random.default_rng(0)
    tensors = {
        f"encoder.layers.{i}.self_attn.in_proj_weight": rng.normal(0, 0.05, (96, 32)) for i in range(3)
    }
    np.savez(tmp_path / "m.npz", **tensors)
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setattr(render, "FAST_ROWS", 10**9)
    by_rich = cli("audit", str(tmp_path / "m.npz"))
    monkeypatch.setattr(render, "FAST_ROWS", 0)
    assert cli("audit", str(tmp_path / "m.npz")).stdout == by_rich.stdout
