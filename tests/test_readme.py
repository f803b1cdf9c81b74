"""Every ```console block of the README is a real invocation whose output is checked.

A block holds commands (lines starting with ``$ ``), each followed by its expected output
(stdout and stderr together, in the order written). Blocks run in order, in one scratch directory,
through bash, with the installed ``glorotcalc`` (or ``python -m glorotcalc``) first on PATH.
Trailing spaces are ignored (rich pads table lines).

To rewrite the expected output of the blocks under headings containing TEXT after a deliberate
change: ``GLOROTCALC_UPDATE_README=TEXT python -m pytest tests/test_readme.py`` — then read the diff.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
FENCE = re.compile(r"^```console\n(.*?)^```$", re.S | re.M)


@dataclass
class Example:
    heading: str
    start: int  # offset of the block's body in the README
    end: int
    commands: list[tuple[str, str]]  # (command, expected output)


def parse_examples(text: str) -> list[Example]:
    examples = []
    for match in FENCE.finditer(text):
        heading = _heading_before(text, match.start())
        commands: list[tuple[str, list[str]]] = []
        for line in match.group(1).splitlines():
            if line.startswith("$ "):
                commands.append((line[2:], []))
            elif commands:
                commands[-1][1].append(line)
        pairs = [(cmd, "\n".join(out)) for cmd, out in commands]
        examples.append(Example(heading, match.start(1), match.end(1), pairs))
    return examples


def _heading_before(text: str, offset: int) -> str:
    """The Markdown heading above `offset` (a ``# comment`` inside a fenced block is not one)."""
    outside = re.sub(r"^```.*?^```$", "", text[:offset], flags=re.S | re.M)
    headings = re.findall(r"^#+ (.*)$", outside, re.M)
    return headings[-1] if headings else ""


def normalize(output: str) -> str:
    return "\n".join(line.rstrip() for line in output.rstrip().splitlines())


def shell_env(bin_dir: Path) -> dict[str, str]:
    """The examples' shell: plain text at 80 columns, so the README shows an 80-column terminal."""
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "FORCE_COLOR")}
    env.update(NO_COLOR="1", TERM="dumb", COLUMNS="80", PATH=f"{bin_dir}{os.pathsep}{env.get('PATH', '')}")
    return env


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("readme")


@pytest.fixture(scope="module")
def bin_dir(tmp_path_factory) -> Path:
    """A directory with `glorotcalc` and `python` that run this interpreter and this package."""
    folder = tmp_path_factory.mktemp("bin")
    (folder / "glorotcalc").write_text(f'#!/bin/sh\nexec "{sys.executable}" -m glorotcalc "$@"\n')
    (folder / "python").write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
    for name in ("glorotcalc", "python"):
        (folder / name).chmod(0o755)
    return folder


def run(command: str, cwd: Path, bin_dir: Path) -> str:
    result = subprocess.run(
        ["bash", "-c", command],
        cwd=cwd,
        env=shell_env(bin_dir),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
    )
    return result.stdout


EXAMPLES = parse_examples(README.read_text())


def test_readme_has_examples():
    assert len(EXAMPLES) >= 5
    assert any(cmd == "glorotcalc 784 256 --dist normal" for e in EXAMPLES for cmd, _ in e.commands)


@pytest.mark.parametrize(
    "index", range(len(EXAMPLES)), ids=[f"{i}-{e.heading}" for i, e in enumerate(EXAMPLES)]
)
def test_readme_example(index, workdir, bin_dir):
    example = EXAMPLES[index]
    update = os.environ.get("GLOROTCALC_UPDATE_README")
    for position, (command, expected) in enumerate(example.commands):
        if "jq " in command and shutil.which("jq") is None:
            pytest.skip("jq is not installed")
        actual = run(command, workdir, bin_dir)
        if update and update in example.heading:
            _rewrite(index, position, normalize(actual))
            continue
        assert normalize(actual) == normalize(expected), f"README example changed: $ {command}"


def _rewrite(index: int, position: int, output: str) -> None:
    """Replace one command's expected output in the README (update mode only)."""
    text = README.read_text()
    example = parse_examples(text)[index]
    commands = list(example.commands)
    commands[position] = (commands[position][0], output)
    body = "".join(f"$ {cmd}\n" + (f"{out}\n" if out else "") for cmd, out in commands)
    README.write_text(text[: example.start] + body + text[example.end :])
