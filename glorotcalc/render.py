"""Serializers: one `Report` → rich table | JSON | CSV | TSV | bare value.

Machine formats are written with plain `print`, never through rich, so no ANSI code reaches a
script. Numbers in them are `repr` (full precision, never localized); the table shows 6 significant
digits.
"""

from __future__ import annotations

import functools
import math
import sys
from typing import Any

from glorotcalc.errors import GlorotcalcError, UsageError
from glorotcalc.report import Column, Report, columns  # noqa: F401 (columns: re-exported)

SCHEMA = 2  # 2: one shape for one layer and many (README, JSON and CSV)
FORMATS = ("table", "json", "csv", "tsv")
PIPE_WIDTH = 120


def cell_text(value: Any, fmt: str) -> str:
    """A value as the table shows it."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if fmt == "int" and isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if fmt == "pct":
            return f"{value:.3%}"
        if fmt == "ratio":
            return f"{value:.4g}×"
        if fmt == "g4":
            return f"{value:.4g}"
        return f"{value:.6g}"
    return str(value)


def machine_text(value: Any) -> str:
    """A value as CSV/TSV/--value write it: repr for numbers, empty for None."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        check_finite(value)
        return repr(value)
    if isinstance(value, (list, tuple)):
        return "x".join(map(str, value))
    return str(value)


def check_finite(value: float) -> None:
    if not math.isfinite(value):
        raise GlorotcalcError("result is not finite", value, "the inputs are outside float range")


def json_document(report: Report) -> dict:
    """The JSON document: schema and kind first; refused whole if any number is not finite."""
    document = {"schema": SCHEMA, "kind": report.kind, **report.document}
    if report.notes:
        document.setdefault("notes", report.notes)
    _check_finite_tree(document)
    return document


def _check_finite_tree(value: Any) -> None:
    """Walk `value` without recursion: NaN/inf anywhere is an error before anything is written."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, float) and not math.isfinite(item):
            raise GlorotcalcError("a result is not finite", None, "the inputs are outside float range")
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)):
            stack.extend(item)


def to_json(report: Report) -> str:
    import json  # the table path does not need it: a lookup stays at the typer + rich floor

    return json.dumps(json_document(report), indent=2, allow_nan=False, ensure_ascii=False)


def write_json(report: Report) -> None:
    """The JSON document, written in chunks as it is encoded: memory is the records', not a second
    copy as one string (100,000 audited tensors: the string alone was over 1 GB)."""
    import json

    if sys.stdout is None:
        raise GlorotcalcError("cannot write the output", None, "standard output is closed")
    encoder = json.JSONEncoder(indent=2, allow_nan=False, ensure_ascii=False)
    pending: list[str] = []
    size = 0
    for chunk in encoder.iterencode(json_document(report)):
        pending.append(chunk)
        size += len(chunk)
        if size >= 1 << 16:
            write_text("".join(pending))
            pending, size = [], 0
    write_text("".join(pending) + "\n")


# TSV has no quoting: these characters are written as backslash escapes instead.
_TSV_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def to_delimited(report: Report, delimiter: str) -> str:
    """A header line, then one line per row: CSV (``,``) or TSV (tab).

    CSV follows RFC 4180: a field holding ``,``, ``"`` or a line break is quoted and its quotes
    doubled (``"he (relu, √2)"``); lines end in ``\\n``. TSV fields never hold a tab or a line
    break: tab, newline, CR and backslash are written ``\\t``, ``\\n``, ``\\r``, ``\\\\``, so
    ``cut -f`` and ``read`` split every line correctly.
    """
    keys = [c.key for c in report.csv_columns or report.columns]
    rows = report.rows if report.csv_rows is None else report.csv_rows
    lines = [keys, *([machine_text(row.get(key)) for key in keys] for row in rows)]
    if delimiter == "\t":
        return "".join("\t".join(field.translate(_TSV_ESCAPES) for field in line) + "\n" for line in lines)
    import csv
    import io

    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\n").writerows(lines)
    return out.getvalue()


def to_value(report: Report) -> str:
    if report.value is None:
        count = len(report.rows)
        raise UsageError(
            f"--value needs exactly one result; this selection has {count}", None, report.value_hint
        )
    check_finite(report.value)
    return repr(report.value)


TEXT_FORMATS = ("str", "name", "path")  # the columns that may wrap; every other is a number
BREAKS = {"name": "./", "path": "/"}  # where a name (layer, tensor) and a file path also break


class Layout:
    """`report`'s table for one width: the columns kept, their widths, every cell's lines."""

    def __init__(self, report: Report, kept: list[Column], widths: list[int], dropped: list[Column]):
        self.report, self.columns, self.widths, self.dropped = report, kept, widths, dropped
        self.width = _table_width(widths)  # in terminal cells, both edges included

    def table(self) -> Any:
        from rich import box
        from rich.table import Table

        report, footer = self.report, self.report.footer or {}
        shown_footer = any(c.key in footer and c.fmt not in TEXT_FORMATS for c in self.columns)
        table = Table(
            show_footer=shown_footer,
            box=box.SIMPLE_HEAD,
            pad_edge=False,
            collapse_padding=True,
        )
        for column, width in zip(self.columns, self.widths, strict=True):
            text = column.fmt in TEXT_FORMATS
            footer_text = "" if footer.get(column.key) is None else cell_text(footer[column.key], column.fmt)
            table.add_column(
                column.header,
                justify="left" if text else "right",
                footer="\n".join(_wrap(footer_text, width, column.fmt)),
                no_wrap=True,  # every cell is wrapped here, at spaces (and a name's . and /)
                min_width=width,  # never narrower: a table wider than the terminal overflows
            )
        for row in report.rows:
            table.add_row(
                *(
                    "\n".join(_wrap(cell_text(row.get(c.key), c.fmt), width, c.fmt))
                    for c, width in zip(self.columns, self.widths, strict=True)
                )
            )
        return table

    def dropped_note(self, width: int) -> str | None:
        """One note naming the columns left out, or None when every column is shown."""
        if not self.dropped:
            return None
        names = ", ".join(column.header or column.key for column in self.dropped)
        them = "it" if len(self.dropped) == 1 else "them"
        return f"not shown at {width} columns: {names} (a wider terminal or --format csv/json shows {them})"


def fit_table(report: Report, width: int | None) -> Layout:
    """The columns and widths of `report`'s table within `width` terminal columns.

    Numbers are never cut or wrapped. Text wraps (at spaces, a name also after ``.`` and ``/``) to
    at most `Column.lines` lines per cell, and the columns with the highest `drop` are left out
    (those of equal `drop` together), as few as the width needs; if leaving out every one is not
    enough, text wraps at every break (never inside a word), again with as few columns left out
    as the width needs. A table that still does not fit is wider than the terminal.
    """
    cells = [[cell_text(row.get(c.key), c.fmt) for row in report.rows] for c in report.columns]
    footer = report.footer or {}
    for column, texts in zip(report.columns, cells, strict=True):
        if footer.get(column.key) is not None:
            texts.append(cell_text(footer[column.key], column.fmt))
    fits = [_Fit(column, texts) for column, texts in zip(report.columns, cells, strict=True)]
    # the columns give way the highest drop first; columns of equal drop (min, max) together
    steps = sorted({f.column.drop for f in fits if f.column.drop > 0}, reverse=True)
    for soft in (True, False):
        for count in range(len(steps) + 1):
            gone = steps[:count]
            kept = [f for f in fits if f.column.drop not in gone]
            widths = _widths(kept, width, soft=soft)
            if width is None or _table_width(widths) <= width:
                break
        else:
            continue
        break
    dropped = [f.column for f in fits if f not in kept]
    return Layout(report, [f.column for f in kept], widths, dropped)


def _table_width(widths: list[int]) -> int:
    """The box's edge cell at each side, one cell of padding and one of rule between columns."""
    return sum(widths) + 2 * len(widths)


class _Fit:
    """One column's texts and its widths: natural (one line each), soft floor (`Column.lines`
    lines), floor (its longest piece)."""

    def __init__(self, column: Column, texts: list[str]):
        from rich.cells import cell_len

        self.column, self.texts = column, list(dict.fromkeys(texts))
        self.head = cell_len(column.header)
        self.natural = max([self.head, *(_longest_line(t) for t in self.texts)])
        if column.fmt not in TEXT_FORMATS:
            self.floor = self.soft_floor = self.natural
            return
        self.tokens = [_tokens(t, column.fmt, None) for t in self.texts]
        parts = (part.width for t in self.tokens for line in t for piece in line for part in piece.inner)
        self.floor = max(self.head, *parts)
        lines = column.lines or (2 if column.fmt == "str" else 3)
        self.soft_floor = max([self.floor, *(_width_in_lines(t, self.floor, lines) for t in self.tokens)])

    def width_at(self, most: int) -> int:
        """The width the column takes when its text wraps within `most` (≥ the floor) cells."""
        lines = (_packed(tokens, most) for tokens in self.tokens)
        return max([self.head, *(width for widths in lines for width in widths)])


def _widths(kept: list[_Fit], width: int | None, *, soft: bool) -> list[int]:
    """Natural widths, text columns narrowed (the widest first) until the table fits `width`."""
    widths = [f.natural for f in kept]
    if width is None:
        return widths
    floors = [f.soft_floor if soft else f.floor for f in kept]
    while (excess := _table_width(widths) - width) > 0:
        narrower = sorted((i for i in range(len(kept)) if widths[i] > floors[i]), key=lambda i: -widths[i])
        if not narrower:
            break
        i, others = narrower[0], [widths[j] for j in narrower[1:] if widths[j] < widths[narrower[0]]]
        # down to the next widest column (then both narrow in turn), or as far as the excess needs
        target = max(floors[i], widths[i] - excess, max(others, default=0))
        widths[i] = kept[i].width_at(min(target, widths[i] - 1))
    return widths


class _Piece:
    """A piece of text no line break falls in, the separator before it, and its inner pieces (at
    its spaces inside parentheses: where it breaks when it is wider than the line)."""

    __slots__ = ("inner", "separator", "separator_width", "text", "width")

    def __init__(self, separator: str, text: str, inner: list[_Piece] | None = None):
        from rich.cells import cell_len

        self.separator, self.text = separator, text
        self.separator_width, self.width = cell_len(separator), cell_len(text)
        self.inner = [self] if inner is None else inner


@functools.lru_cache(maxsize=4096)
def _tokens(text: str, fmt: str, breaks: str | None) -> tuple[tuple[_Piece, ...], ...]:
    """`text`'s pieces, a tuple for each of its lines."""
    paragraphs = []
    for paragraph in text.split("\n"):
        pieces = []
        for separator, piece in _pieces(paragraph, fmt, breaks):
            inner = [_Piece(s, t) for s, t in _pieces(piece, fmt, breaks, inner=True)]
            pieces.append(_Piece(separator, piece, inner if len(inner) > 1 else None))
        paragraphs.append(tuple(pieces))
    return tuple(paragraphs)


def _pack(tokens: tuple[tuple[_Piece, ...], ...], width: int):
    """Greedy lines within `width`: each a list of (separator, piece) and its width in cells."""
    for paragraph in tokens:
        line: list[tuple[str, str]] = []
        used = 0
        for piece in paragraph:
            for k, part in enumerate(piece.inner if piece.width > width else [piece]):
                separator, gap = (
                    (piece.separator, piece.separator_width)
                    if k == 0
                    else (part.separator, part.separator_width)
                )
                if not line:
                    line, used = [("", part.text)], part.width
                elif used + gap + part.width <= width:
                    line.append((separator, part.text))
                    used += gap + part.width
                else:
                    yield line, used
                    line, used = [("", part.text)], part.width
        yield (line or [("", "")]), used


def _packed(tokens: tuple[tuple[_Piece, ...], ...], width: int) -> list[int]:
    """The widths of the lines `_pack` makes."""
    return [used for _, used in _pack(tokens, width)]


def _pieces(text: str, fmt: str, breaks: str | None = None, inner: bool = False) -> list[tuple[str, str]]:
    """`text` as (separator, piece) pairs, a line break allowed before each piece.

    A break falls at a space outside parentheses (the space is dropped), and after each ``.`` and
    ``/`` of a name, each ``/`` of a path (kept at the end of the line); `inner`: at a space inside
    parentheses too. A piece is never split.
    """
    if breaks is None:
        breaks = BREAKS.get(fmt, "")
    pieces: list[tuple[str, str]] = []
    current, separator, depth = "", "", 0
    for char in text:
        if char == " " and (depth == 0 or inner):
            if current:
                pieces.append((separator, current))
                current, separator = "", ""
            separator += " "
            continue
        depth = max(0, depth + (char in "([") - (char in ")]"))
        current += char
        if char in breaks and depth == 0:
            pieces.append((separator, current))
            current, separator = "", ""
    if current or not pieces:
        pieces.append((separator, current))
    return pieces


def _wrap(text: str, width: int, fmt: str, breaks: str | None = None) -> list[str]:
    """`text`'s lines within `width` cells where it has breaks (numbers: one line, never cut).

    Breaks outside parentheses come first: a piece wider than `width` (``VarianceScaling(scale=2,
    mode="fan_in")``) also breaks at its inner spaces.
    """
    if fmt not in TEXT_FORMATS and breaks is None:
        return text.split("\n")
    return ["".join(s + t for s, t in line) for line, _ in _pack(_tokens(text, fmt, breaks), width)]


def _longest_line(text: str) -> int:
    from rich.cells import cell_len

    return max(cell_len(line) for line in text.split("\n"))


def _width_in_lines(tokens: tuple[tuple[_Piece, ...], ...], floor: int, lines: int) -> int:
    """The narrowest width ≥ `floor` (by bisection) at which the text takes at most `lines` lines."""
    natural = max(sum(p.separator_width + p.width for p in line) for line in tokens)
    low, high = floor, max(floor, natural)
    while low < high:
        middle = (low + high) // 2
        if len(_packed(tokens, middle)) <= lines:
            high = middle
        else:
            low = middle + 1
    return high


def title_text(title: str, width: int | None, separator: str = " · ") -> str:
    """The title wrapped at `width` between its `separator`-ed parts (a part kept whole; a longer
    one wraps at its spaces and after ``/``); a wrapped line ends in the separator's mark (`` ·``).
    """
    from rich.cells import cell_len

    if width is None:
        return title
    lines, mark = [], separator.rstrip()
    for line in title.split("\n"):
        parts = line.split(separator)
        current = parts[0]
        for i, part in enumerate(parts[1:], start=2):
            joined = f"{current}{separator}{part}"
            if cell_len(joined) + (0 if i == len(parts) else cell_len(mark)) <= width:
                current = joined
            else:
                lines += _wrap(current + mark, width, "str", breaks="/")
                current = part
        lines += _wrap(current, width, "str", breaks="/")
    return "\n".join(lines)


def stdout_console(no_color: bool = False, file: Any = None) -> Any:
    """Rich console for stdout (or `file`, rendering for stdout); not a terminal and no COLUMNS →
    wide, so nothing is cut.

    --no-color or NO_COLOR → no ANSI at all (rich's own no_color still writes bold and italics).
    """
    import os

    from rich.console import Console

    terminal = _is_terminal(sys.stdout)
    plain = no_color or os.environ.get("NO_COLOR", "") != "" or not terminal
    # emoji/markup off: a ":name:" or "[red]" in a layer or file name stays text (and no emoji table)
    console = Console(
        file=file,
        color_system=None if plain else "auto",
        force_terminal=terminal if file is not None else None,
        highlight=False,
        soft_wrap=False,
        emoji=False,
        markup=False,
    )
    if not terminal and "COLUMNS" not in os.environ:
        console.width = PIPE_WIDTH
    return console


def _is_terminal(stream: Any) -> bool:
    """A terminal, or FORCE_COLOR set (rich's convention: style as for a terminal)."""
    import os

    if os.environ.get("FORCE_COLOR", "") != "":
        return True
    try:
        return stream.isatty()
    except (AttributeError, ValueError, OSError):
        return False


# What a stream that cannot encode them gets instead (cp1252, latin-1, ASCII redirects).
ASCII_SPELLINGS = str.maketrans(
    {
        "→": "->",
        "←": "<-",
        "√": "sqrt",
        "±": "+-",
        "σ": "sigma",
        "φ": "phi",
        "χ": "chi",
        "κ": "kappa",
        "Δ": "d",
        "·": "*",
        "×": "x",
        "÷": "/",
        "²": "^2",
        "³": "^3",
        "⁴": "^4",
        "−": "-",
        "—": "-",
        "–": "-",
        "…": "...",
        "≤": "<=",
        "≥": ">=",
        "≈": "~",
        "′": "'",
        "∏": "prod",
        "∞": "inf",
        "─": "-",
        "│": "|",
        "█": "#",
        "▏": "|",
        "▎": "|",
        "▍": "|",
        "▌": "|",
        "▋": "|",
        "▊": "|",
        "▉": "|",
        "ᵀ": "^T",
    }
)


def encodable(text: str, stream: Any) -> str:
    """`text` as `stream` can encode it: unchanged for UTF-8, else ASCII spellings (``→`` → ``->``)
    and a backslash escape for anything left."""
    encoding = getattr(stream, "encoding", None) or "utf-8"
    try:
        text.encode(encoding)
        return text
    except (UnicodeEncodeError, LookupError):
        spelled = text.translate(ASCII_SPELLINGS)
        try:
            return spelled.encode(encoding, "backslashreplace").decode(encoding)
        except LookupError:
            return spelled.encode("ascii", "backslashreplace").decode("ascii")


def write_text(text: str) -> None:
    """Write `text` to stdout, in an encoding it accepts."""
    if sys.stdout is None:
        raise GlorotcalcError("cannot write the output", None, "standard output is closed")
    sys.stdout.write(encodable(text, sys.stdout))


def write(report: Report, fmt: str = "table", *, value: bool = False, no_color: bool = False) -> None:
    """Write `report` to stdout in `fmt` (or as one bare number with `value`)."""
    if value:
        text = to_value(report)
    elif fmt == "json":
        write_json(report)
        return
    elif fmt in ("csv", "tsv"):
        text = to_delimited(report, "," if fmt == "csv" else "\t").rstrip("\n")
    else:
        write_table(report, no_color)
        return
    write_text(text + "\n")


FAST_ROWS = 0  # above this many rows, rich lays out only the header and footer; the body follows its layout


def print_table(console: Any, layout: Layout, width: int, fast_rows: int | None = None) -> None:
    """`layout`'s table on `console`. A long table is drawn by rich without its body, and the body
    rows are written in the same layout (every cell is already wrapped and every width known:
    rich's per-cell rendering was 0.7 ms a row); a test holds both ways to the same bytes."""
    if len(layout.report.rows) <= (FAST_ROWS if fast_rows is None else fast_rows):
        console.print(layout.table(), crop=False, width=width)
        return
    import io
    from dataclasses import replace

    from rich.text import Text

    shell = Layout(replace(layout.report, rows=[]), layout.columns, layout.widths, layout.dropped)
    with console.capture() as captured:
        console.print(shell.table(), crop=False, width=width)
    lines = captured.get().split("\n")
    at = next(i for i, line in enumerate(lines) if _is_rule(line)) + 1
    body = io.StringIO()
    for row in layout.report.rows:
        body.write(_row_lines(layout, row))
    for line in lines[:at]:
        console.print(Text.from_ansi(line), crop=False, width=width, no_wrap=True)
    console.file.write(body.getvalue())
    for line in lines[at:-1]:
        console.print(Text.from_ansi(line), crop=False, width=width, no_wrap=True)


def _is_rule(line: str) -> bool:
    """The line under the header: box-drawing (or ASCII) dashes and blanks."""
    import re

    plain = re.sub(r"\x1b\[[0-9;]*m", "", line)
    return bool(plain.strip()) and set(plain.strip()) <= {"─", "-", "━", " "}


def _row_lines(layout: Layout, row: dict) -> str:
    """One body row as rich draws it in this layout: `` cell  cell  cell `` per line."""
    from rich.cells import cell_len

    cells = [
        _wrap(cell_text(row.get(c.key), c.fmt), width, c.fmt)
        for c, width in zip(layout.columns, layout.widths, strict=True)
    ]
    height = max(len(lines) for lines in cells)
    out = []
    for i in range(height):
        parts = []
        for column, width, lines in zip(layout.columns, layout.widths, cells, strict=True):
            text = lines[i] if i < len(lines) else ""
            pad = " " * max(0, width - cell_len(text))
            parts.append(text + pad if column.fmt in TEXT_FORMATS else pad + text)
        out.append(" " + "  ".join(parts) + " \n")
    return "".join(out)


def write_table(report: Report, no_color: bool) -> None:
    """The table, notes and visuals, rendered once; piped, no line ends in blanks."""
    import io

    if sys.stdout is None:
        raise GlorotcalcError("cannot write the output", None, "standard output is closed")
    if encodable("→√±σ─", sys.stdout) != "→√±σ─":  # lay the table out in the spellings it will show
        report = _spelled(report, lambda text: encodable(text, sys.stdout))
    buffer = io.StringIO()
    console = stdout_console(no_color, file=buffer)
    notes = list(report.notes)
    if report.columns:
        from rich.text import Text

        layout = fit_table(report, console.width)
        if report.title:
            title = title_text(report.title, console.width, encodable(" · ", sys.stdout))
            console.print(Text(title), no_wrap=True, crop=False)
        # never cut: a table that cannot fit is laid out at its own width (rich would squeeze it)
        print_table(console, layout, max(console.width, layout.width))
        notes[:0] = [note for note in [layout.dropped_note(console.width)] if note]
    for note in notes:
        console.print(note, markup=False)
    for visual in report.visuals:
        console.print(visual(), crop=False)  # a code line longer than the terminal is not cut
    text = buffer.getvalue()
    if not _is_terminal(sys.stdout):
        text = "".join(line.rstrip() + "\n" for line in text.splitlines())
    write_text(text)


def _spelled(report: Report, spell) -> Report:
    """`report` with every text `spell`-ed (so a table is laid out in the characters it shows)."""
    from dataclasses import replace

    def cell(value: Any) -> Any:
        return spell(value) if isinstance(value, str) else value

    return replace(
        report,
        title=spell(report.title),
        columns=[replace(column, header=spell(column.header)) for column in report.columns],
        rows=[{key: cell(value) for key, value in row.items()} for row in report.rows],
        notes=[spell(note) for note in report.notes],
        footer=None if report.footer is None else {k: cell(v) for k, v in report.footer.items()},
    )
