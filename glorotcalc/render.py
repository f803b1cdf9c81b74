"""Serializers: one `Report` → rich table | JSON | CSV | TSV | bare value.

Machine formats are written with plain `print`, never through rich, so no ANSI code reaches a
script. Numbers in them are `repr` (full precision, never localized); the table shows 6 significant
digits.
"""

from __future__ import annotations

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


def to_json(report: Report) -> str:
    import json  # the table path does not need it: a lookup stays at the typer + rich floor

    document = {"schema": SCHEMA, "kind": report.kind, **report.document}
    if report.notes:
        document.setdefault("notes", report.notes)
    try:
        return json.dumps(document, indent=2, allow_nan=False, ensure_ascii=False)
    except ValueError:
        raise GlorotcalcError("a result is not finite", None, "the inputs are outside float range") from None


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


def rich_table(report: Report) -> Any:
    from rich import box
    from rich.table import Table

    table = Table(
        title=report.title,
        show_footer=report.footer is not None,
        title_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        collapse_padding=True,
    )
    cells = [[cell_text(row.get(c.key), c.fmt) for c in report.columns] for row in report.rows]
    for i, column in enumerate(report.columns):
        footer = (report.footer or {}).get(column.key)
        footer_text = "" if footer is None else cell_text(footer, column.fmt)
        widest = max([len(column.header), len(footer_text), *(len(row[i]) for row in cells)])
        if column.fmt == "str":  # a long name wraps, never cut
            table.add_column(
                column.header, justify="left", footer=footer_text, overflow="fold", min_width=min(widest, 12)
            )
            continue
        # numbers are never cut or wrapped: on a narrow terminal the table grows instead
        table.add_column(column.header, justify="right", footer=footer_text, no_wrap=True, min_width=widest)
    for row in cells:
        table.add_row(*row)
    return table


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
        text = to_json(report)
    elif fmt in ("csv", "tsv"):
        text = to_delimited(report, "," if fmt == "csv" else "\t").rstrip("\n")
    else:
        write_table(report, no_color)
        return
    write_text(text + "\n")


def write_table(report: Report, no_color: bool) -> None:
    """The table, notes and visuals, rendered once; piped, no line ends in blanks."""
    import io

    if sys.stdout is None:
        raise GlorotcalcError("cannot write the output", None, "standard output is closed")
    if encodable("→√±σ─", sys.stdout) != "→√±σ─":  # lay the table out in the spellings it will show
        report = _spelled(report, lambda text: encodable(text, sys.stdout))
    buffer = io.StringIO()
    console = stdout_console(no_color, file=buffer)
    if report.columns:
        console.print(rich_table(report), crop=False)  # never cut a number: a narrow terminal wraps
    for note in report.notes:
        console.print(note, markup=False)
    for visual in report.visuals:
        console.print(visual())
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
