"""Every table fits the terminal: at 80 and 120 columns no line is wider, no number is cut, no name
is split inside a word.

Each command (every README console command that prints a table, and representative commands of
every command) runs in-process at ``COLUMNS=80`` and ``COLUMNS=120``, beside the same command at
``COLUMNS=1000`` (every column, nothing wrapped) and with ``--format json``:

- width: no line of stdout is wider than the terminal (``rich.cells.cell_len``);
- numbers: every number of the JSON (6 significant digits) that the full table shows is in the
  narrow output intact, or its column is named in the note on the columns left out; and every
  number of the narrow output is one the full output has (no fragment of a cut number);
- names: every layer, tensor and file name and every weight init the full table shows can be read
  whole in the narrow table, its lines breaking only at a space, or after a name's ``.`` or ``/``.

The last tests show that each check fails on the behaviour before the tables were fitted (a table
81 columns wide, a name folded mid-word, a cut number).
"""

from __future__ import annotations

import json
import math
import re
import shlex
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from rich.cells import cell_len
from test_readme import EXAMPLES
from test_torchrepr import DECODER, ENCODER

from glorotcalc import render

WIDTHS = (80, 120)
FULL = 1000  # every column, every cell on one line

# ── the commands ─────────────────────────────────────────────────────────────────────────────────

MACHINE = ("--format json", "--format csv", "--format tsv", "--value", "--help", "--version")
SHELL = ("|", ">", "<", "$(", "&&", "`", "for ")


def readme_table_commands() -> list[str]:
    """Every README command that is one glorotcalc call printing a table (machine formats and
    emit's code are not tables); ``; echo "exit $?"`` is dropped."""
    found = []
    for example in EXAMPLES:
        for command, _ in example.commands:
            command = command.removesuffix('; echo "exit $?"')
            words = command.split()
            if words[0] != "glorotcalc" or any(s in command for s in SHELL) or ";" in command:
                continue
            if any(flag in command for flag in MACHINE) or words[1:2] == ["emit"]:
                continue
            found.append(command)
    return list(dict.fromkeys(found))


def _stack(printout: str, names: list[str]) -> str:
    """`printout` nested in containers (``encoder.layers.0.…``): long dotted layer names."""
    for name in reversed(names):
        body = textwrap.indent(printout, "  ")[2:]
        printout = f"Container(\n  ({name}): {body}\n)"
    return printout


TRANSFORMER = _stack(ENCODER, ["encoder", "layers", "0"])  # encoder.layers.0.self_attn.out_proj, …
CHAIN_30 = "-".join(["784", *["512", "256"] * 14, "128", "10"])  # 30 dense layers
CONV_NET = "1-conv5x5:32@relu-conv5x5:64@relu-flatten:7x7-1024@relu-10"

REPRESENTATIVE = [
    # lookup
    "glorotcalc 784 256",
    "glorotcalc 4096 4096 --scheme lecun --dist uniform",
    "glorotcalc 784 256 --gain 1.5 --mode fan_geo_avg --explain",
    "glorotcalc --shape 64x3x3x3",
    "glorotcalc 784-256-10",
    f"glorotcalc {CHAIN_30}",
    f"glorotcalc {CHAIN_30} --scheme all --dist all",
    f"glorotcalc {CONV_NET} --dist truncated",
    "glorotcalc 64-conv3x3:64/64@relu-convt4x4:32@leaky_relu:0.2 --dist normal",
    "glorotcalc - --stdin transformer",
    "glorotcalc - --stdin decoder",
    # framework conventions and named initializers
    "glorotcalc 784 256 --framework torch",
    "glorotcalc 784 256 --framework keras",
    "glorotcalc 784 256 --framework flax",
    "glorotcalc 784-256-10 --framework jax",
    "glorotcalc 64-conv3x3:64/64@relu-convt4x4:32@leaky_relu:0.2 --framework keras",
    "glorotcalc - --framework torch --stdin transformer",
    "glorotcalc 784 256 --init he_normal",
    "glorotcalc 784-256-10 --init kaiming_uniform_(a=5**0.5)",
    # sampling
    "glorotcalc 784 256 --sample --samples 20000 --seed 1",
    "glorotcalc 784-256-10 --sample --samples 2000 --seed 1",
    "glorotcalc 512 512 --scheme he --dist truncated --sample --samples 20000 --hist",
    # compare
    "glorotcalc compare 784 256",
    "glorotcalc compare 784 256 --scheme all --dist all",
    "glorotcalc compare --shape 64x3x3x3",
    "glorotcalc compare 784-256-10",
    f"glorotcalc compare {CONV_NET}",
    "glorotcalc compare 784 256 --init kaiming_uniform_(a=5**0.5)",
    "glorotcalc compare - --stdin transformer",
    # defaults
    "glorotcalc defaults 784 256",
    f"glorotcalc defaults {CONV_NET}",
    "glorotcalc defaults 64-dwconv3x3-convt4x4:32",
    "glorotcalc defaults - --stdin transformer",
    "glorotcalc defaults - --stdin decoder",
    # propagate
    "glorotcalc propagate 256 --depth 1 --batch 8",
    "glorotcalc propagate 256 --depth 30 --act relu --batch 16",
    "glorotcalc propagate 256 --depth 4 --act tanh --init default --batch 16",
    f"glorotcalc propagate {CONV_NET} --batch 4",
    # audit
    "glorotcalc audit long.npz",
    "glorotcalc audit model.npz long.npz",
    "glorotcalc audit {dir}/long.npz",
    # gain
    "glorotcalc gain tanh",
    "glorotcalc gain leaky_relu:0.2",
]
STDIN = {"transformer": TRANSFORMER, "decoder": DECODER}

LONG_NAMES = (
    "encoder.layers.0.self_attn.in_proj_weight",
    "encoder.layers.0.self_attn.in_proj_bias",
    "encoder.layers.0.self_attn.out_proj.weight",
    "encoder.layers.0.linear1.weight",
    "encoder.layers.0.norm1.weight",
    "decoder.layers.11.multihead_attn.out_proj.weight",
    "embed.weight",
)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    """The README's files (its setup commands, run in order) and an .npz with long dotted names."""
    folder = tmp_path_factory.mktemp("tables")
    bin_dir = tmp_path_factory.mktemp("bin")
    (bin_dir / "python").write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
    (bin_dir / "python").chmod(0o755)
    for example in EXAMPLES:
        for command, _ in example.commands:
            if command.startswith(("printf ", 'python -c "import numpy')) and "|" not in command:
                subprocess.run(["bash", "-c", command], cwd=folder, env={"PATH": f"{bin_dir}:/usr/bin:/bin"})
    rng = np.random.default_rng(0)
    draws = [
        rng.uniform(-0.05, 0.05, (1536, 512)),  # uniform, other scale
        np.zeros(1536),
        rng.normal(0, 0.044, (512, 512)),  # glorot normal
        rng.normal(0, math.sqrt(2 / 512), (2048, 512)),  # he normal
        np.ones(512),
        rng.standard_t(4, (512, 512)) * 0.02,  # no match
        rng.normal(0, 1, (1000, 512)),  # torch embedding default N(0, 1)
    ]
    tensors = dict(zip(LONG_NAMES, draws, strict=True))
    np.savez(folder / "long.npz", **tensors)
    assert (folder / "mlp.txt").exists() and (folder / "model.npz").exists()
    return folder


COMMANDS = [*readme_table_commands(), *REPRESENTATIVE]


def _argv(command: str, folder: Path) -> tuple[list[str], str | None]:
    words = shlex.split(command.format(dir=folder))[1:]
    stdin = None
    if "--stdin" in words:
        at = words.index("--stdin")
        stdin = STDIN[words[at + 1]]
        del words[at : at + 2]
    return words, stdin


_cache: dict[tuple, str] = {}


def run(cli, monkeypatch, folder: Path, command: str, columns: int, fmt: str = "table") -> str:
    key = (command, columns, fmt)
    if key not in _cache:
        argv, stdin = _argv(command, folder)
        monkeypatch.chdir(folder)
        monkeypatch.setenv("COLUMNS", str(columns))
        result = cli(*argv, *(["--format", fmt] if fmt != "table" else []), stdin=stdin)
        assert result.exit_code in (0, 1, 2), result.output
        assert result.stdout.strip() or result.exit_code, command  # an error prints nothing on stdout
        _cache[key] = result.stdout
    return _cache[key]


# ── the checks ───────────────────────────────────────────────────────────────────────────────────

NUMBER = re.compile(r"(?<![\w.])[-+±]?\d[\d,]*(?:\.\d+)?(?:e[-+]?\d+)?(?![\w.])")
DROPPED = re.compile(r"not shown at (\d+) columns: (.*?) \(a wider terminal")


def check_width(output: str, width: int) -> None:
    wide = [(cell_len(line), line) for line in output.splitlines() if cell_len(line) > width]
    assert not wide, f"{len(wide)} lines wider than {width}: {wide[:3]}"


def numbers_in(text: str) -> set[str]:
    return {m.group().lstrip("+±-").rstrip(",").replace(",", "") for m in NUMBER.finditer(text)}


def dropped_headers(output: str) -> list[str]:
    found = DROPPED.search(" ".join(line.strip() for line in output.splitlines()))
    return [] if found is None else found.group(2).split(", ")


def json_numbers(document) -> set[str]:
    """Every number of `document` as the table writes it: 6 significant digits, ints whole."""
    found: set[str] = set()

    def walk(value) -> None:
        if isinstance(value, bool):
            return
        if isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, int):
            found.add(str(abs(value)))
        elif isinstance(value, float) and math.isfinite(value):
            found.add(f"{abs(value):.6g}")

    walk(document)
    return found


def table_region(output: str) -> tuple[str, list[str]]:
    """The header line and the rows of the first table (from its rule to the first blank line)."""
    lines = output.splitlines()
    rule = next((i for i, line in enumerate(lines) if line.strip() and set(line.strip()) == {"─"}), None)
    if rule is None:
        return "", []
    rows = []
    for line in lines[rule + 1 :]:
        if not line.strip():
            break
        rows.append(line)
    return lines[rule - 1], rows


def column_of(header: str, start: int, end: int) -> str | None:
    """The header over text at [start, end) of a row (headers are apart by two spaces or more)."""
    best, overlap = None, 0
    for match in re.finditer(r"\S+(?: \S+)*", header):
        shared = min(end, match.end()) - max(start, match.start())
        if shared > overlap:
            best, overlap = match.group(), shared
    return best


def check_numbers(narrow: str, full: str, document: dict) -> None:
    """No number cut: the JSON's numbers the full table shows are in `narrow` or in a column the
    note names; `narrow` has no number the full output lacks."""
    note = dropped_headers(narrow)
    shown = DROPPED.sub("", " ".join(narrow.splitlines()))
    assert numbers_in(shown) <= numbers_in(full), f"cut numbers: {numbers_in(shown) - numbers_in(full)}"
    header, rows = table_region(full)
    wanted = json_numbers(document)
    present = numbers_in(narrow)
    for row in rows:
        for match in NUMBER.finditer(row):
            number = match.group().lstrip("+±-").rstrip(",").replace(",", "")
            if number not in wanted or number in present:
                continue
            column = column_of(header, match.start(), match.end())
            assert column in note, f"{number} (column {column}) is missing and not named: {note}"


def _cell(line: str, start: int) -> str:
    """The text of the cell starting at `start`: up to two spaces or the end of the line."""
    return re.split(r" {2,}", line[start:], maxsplit=1)[0].rstrip()


def readable(name: str, rows: list[str]) -> bool:
    """`name` starts a cell of some row and continues in the same column of the next rows, each
    line ending at a break: before a space, or after a ``.``/``/`` of a name."""
    for i, line in enumerate(rows):
        for match in re.finditer(re.escape(name[: max(1, min(len(name), 3))]), line):
            p = match.start()
            if p and line[p - 1] != " ":
                continue
            rest, j = name, i
            while j < len(rows):
                cell = _cell(rows[j], p) if len(rows[j]) > p and (p == 0 or rows[j][p - 1] == " ") else ""
                if cell == rest or (cell.startswith(rest) and cell[len(rest)] == " "):
                    return True
                if not cell or not rest.startswith(cell):
                    break
                cut = len(cell)
                if rest[cut] == " ":
                    rest = rest[cut + 1 :]
                elif cell[-1] in "./":
                    rest = rest[cut:]
                else:
                    break  # split inside a word
                j += 1
    return False


NAME_KEYS = ("name", "file", "layer_init")


def json_names(document) -> set[str]:
    found: set[str] = set()

    def walk(value, key=None) -> None:
        if isinstance(value, dict):
            for k, item in value.items():
                walk(item, k)
        elif isinstance(value, list):
            for item in value:
                walk(item, key)
        elif isinstance(value, str) and key in NAME_KEYS:
            found.add(value)

    walk(document)
    return found


def check_names(narrow: str, full: str, document: dict) -> None:
    _, full_rows = table_region(full)
    _, rows = table_region(narrow)
    for name in sorted(json_names(document)):
        if readable(name, full_rows):
            assert readable(name, rows), f"{name!r} is split inside a word:\n" + "\n".join(rows)


# ── the tests ────────────────────────────────────────────────────────────────────────────────────


def test_the_commands_cover_the_readme_and_every_command():
    readme = readme_table_commands()
    assert len(readme) >= 25
    assert "glorotcalc 784 256 --dist normal" in readme and "glorotcalc audit model.npz" in readme
    words = {shlex.split(c)[1] for c in COMMANDS}
    assert {"compare", "defaults", "propagate", "audit", "gain"} <= words
    assert CHAIN_30.count("-") == 30
    from glorotcalc.torchrepr import parse_torch_repr

    assert "encoder.layers.0.self_attn.out_proj" in [layer.name for layer in parse_torch_repr(TRANSFORMER)]


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("command", COMMANDS)
def test_every_table_fits(cli, monkeypatch, workdir, command, width):
    narrow = run(cli, monkeypatch, workdir, command, width)
    check_width(narrow, width)
    full = run(cli, monkeypatch, workdir, command, FULL)
    if "not shown at" in narrow:
        assert "not shown at" not in full
    document = json.loads(run(cli, monkeypatch, workdir, command, width, "json") or "{}")
    check_numbers(narrow, full, document)
    check_names(narrow, full, document)


def test_the_long_names_of_an_audit_break_at_dots_at_80(cli, monkeypatch, workdir):
    narrow = run(cli, monkeypatch, workdir, "glorotcalc audit long.npz", 80)
    _, rows = table_region(narrow)
    for name in LONG_NAMES:
        assert readable(name, rows), name
    assert any(line.split()[0].endswith(".") for line in rows)  # some name took two lines or more
    document = json.loads(run(cli, monkeypatch, workdir, "glorotcalc audit long.npz", 80, "json"))
    assert [t["name"] for t in document["tensors"]] == list(LONG_NAMES)  # JSON: the names whole


def test_a_wider_terminal_shows_more_columns(cli, monkeypatch, workdir):
    at_80 = run(cli, monkeypatch, workdir, "glorotcalc 784 256", 80)
    at_120 = run(cli, monkeypatch, workdir, "glorotcalc 784 256", 120)
    assert dropped_headers(at_80) == ["gain"] and dropped_headers(at_120) == []
    assert "gain" in table_region(at_120)[0] and "gain" not in table_region(at_80)[0]


def test_the_title_wraps_at_its_separators(cli, monkeypatch, workdir):
    title = run(cli, monkeypatch, workdir, "glorotcalc 4096 4096 --scheme lecun --dist uniform", 60)
    first, second = title.splitlines()[:2]
    assert first == "dense 4096 → 4096 · weight 4096×4096 (torch layout) ·"
    assert second == "fan_in 4096 · fan_out 4096"
    at_120 = run(cli, monkeypatch, workdir, "glorotcalc 4096 4096 --scheme lecun --dist uniform", 120)
    assert at_120.splitlines()[0].endswith("fan_in 4096 · fan_out 4096")  # one line, not the table's width


# ── the layout rules ─────────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("text", "width", "fmt", "lines"),
    [
        (
            "encoder.layers.0.self_attn.in_proj_weight",
            20,
            "name",
            ["encoder.layers.0.", "self_attn.", "in_proj_weight"],
        ),
        (
            "encoder.layers.0.self_attn.in_proj_weight",
            5,
            "name",
            ["encoder.", "layers.", "0.", "self_attn.", "in_proj_weight"],
        ),
        ("normal → truncated (Keras convention)", 20, "str", ["normal → truncated", "(Keras convention)"]),
        ("kaiming_uniform_(a=√5)", 10, "str", ["kaiming_uniform_(a=√5)"]),
        (
            'VarianceScaling(scale=2.0, mode="fan_in")',
            30,
            "str",
            ["VarianceScaling(scale=2.0,", 'mode="fan_in")'],
        ),
        ("/data/run 3/model.npz", 12, "path", ["/data/run 3/", "model.npz"]),
        ("model.npz", 5, "path", ["model.npz"]),
        ("U(±0.0357143)", 4, "str", ["U(±0.0357143)"]),
        ("0.0438529", 3, "g", ["0.0438529"]),
    ],
)
def test_text_breaks_only_between_words(text, width, fmt, lines):
    assert render._wrap(text, width, fmt) == lines


def _report(*specs, rows=1):
    from glorotcalc.report import Column, Report

    cols = [Column(key, key, fmt, drop) for key, fmt, drop in specs]
    values = {"n": 0.123456, "t": "alpha beta gamma", "m": "a.b.c"}
    return Report("test", "title", cols, [{c.key: values[c.key[0]] for c in cols}] * rows, {})


def test_columns_give_way_highest_drop_first_equal_drops_together():
    report = _report(("n1", "g", 0), ("n2", "g", 1), ("n3", "g", 2), ("n4", "g", 2), ("n5", "g", 0))
    widths = {width: render.fit_table(report, width) for width in (50, 40, 30, 20)}
    assert [c.key for c in widths[50].columns] == ["n1", "n2", "n3", "n4", "n5"]
    assert [c.key for c in widths[40].dropped] == ["n3", "n4"]  # 50 columns wide: both of drop 2 go
    assert [c.key for c in widths[30].dropped] == ["n3", "n4"]
    assert [c.key for c in widths[20].dropped] == ["n2", "n3", "n4"]
    assert widths[20].width == 20 and "n2, n3, n4" in widths[20].dropped_note(20)


def test_text_wraps_to_its_lines_before_a_column_is_dropped():
    report = _report(("t", "str", 0), ("n1", "g", 1), ("n2", "g", 0))
    assert render.fit_table(report, 40).widths == [16, 8, 8]  # natural: 16 + 8 + 8 + 6 = 38
    layout = render.fit_table(report, 32)  # "alpha beta" / "gamma": two lines, nothing dropped
    assert (layout.widths, layout.dropped) == ([10, 8, 8], [])
    layout = render.fit_table(report, 24)  # three lines would be needed: n1 gives way first
    assert ([c.key for c in layout.dropped], layout.widths) == (["n1"], [10, 8])
    layout = render.fit_table(report, 15)  # nothing left to drop: every break is used
    assert (layout.widths, layout.width) == ([5, 8], 17)  # wider than 15: "alpha" is never cut


# ── each check fails on the tables before they were fitted ──────────────────────────────────────


def _legacy_table(self):
    """The table as it was laid out before: every column, text folded at ≥ 12 cells by rich."""
    from rich import box
    from rich.table import Table

    report = self.report
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True)
    cells = [[render.cell_text(row.get(c.key), c.fmt) for c in report.columns] for row in report.rows]
    for i, column in enumerate(report.columns):
        widest = max([len(column.header), *(len(row[i]) for row in cells)])
        if column.fmt in render.TEXT_FORMATS:
            table.add_column(column.header, overflow="fold", min_width=min(widest, 12))
        else:
            table.add_column(column.header, justify="right", no_wrap=True, min_width=widest)
    for row in cells:
        table.add_row(*row)
    return table


def run_legacy(cli, monkeypatch, folder: Path, command: str, columns: int) -> str:
    """`command`'s output with the tables laid out as before (not cached)."""
    real = render.fit_table
    with monkeypatch.context() as patch:
        patch.setattr(render, "fit_table", lambda report, width: real(report, None))
        patch.setattr(render.Layout, "table", _legacy_table)
        patch.setattr(render, "FAST_ROWS", 10**9)  # the legacy layout is rich's own, row by row
        argv, stdin = _argv(command, folder)
        monkeypatch.chdir(folder)
        monkeypatch.setenv("COLUMNS", str(columns))
        return cli(*argv, stdin=stdin).stdout


def test_the_width_check_fails_on_an_81_column_table(cli, monkeypatch, workdir):
    narrow = run_legacy(cli, monkeypatch, workdir, "glorotcalc 784 256", 80)
    assert max(cell_len(line) for line in narrow.splitlines()) == 81
    with pytest.raises(AssertionError, match="wider than 80"):
        check_width(narrow, 80)


@pytest.mark.parametrize(
    ("command", "width", "split"),
    [("glorotcalc defaults 784 256", 80, " orm_(a=√5)"), ("glorotcalc audit long.npz", 120, " elf_attn.")],
)
def test_the_name_check_fails_on_a_name_folded_mid_word(cli, monkeypatch, workdir, command, width, split):
    narrow = run_legacy(cli, monkeypatch, workdir, command, width)
    assert split in narrow, narrow  # folded mid-word, as before
    full = run(cli, monkeypatch, workdir, command, FULL)
    document = json.loads(run(cli, monkeypatch, workdir, command, width, "json"))
    check_names(run(cli, monkeypatch, workdir, command, width), full, document)  # today: whole
    with pytest.raises(AssertionError, match="split inside a word"):
        check_names(narrow, full, document)


def test_the_number_check_fails_on_a_cut_number(cli, monkeypatch, workdir):
    command = "glorotcalc 784 256"
    narrow, full = run(cli, monkeypatch, workdir, command, 80), run(cli, monkeypatch, workdir, command, FULL)
    document = json.loads(run(cli, monkeypatch, workdir, command, 80, "json"))
    check_numbers(narrow, full, document)
    with pytest.raises(AssertionError, match="cut numbers"):
        check_numbers(narrow.replace("0.0438529", "0.04385…"), full, document)
    with pytest.raises(AssertionError, match="missing and not named"):
        check_numbers(narrow.replace("0.0759555", "—        "), full, document)  # a value gone, unsaid
