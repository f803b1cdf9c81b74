"""What every command produces: one `Report`, serialized last by `render`.

A report is data only — rows of plain values at full precision, the JSON document, and notes.
Rich renderables (histograms, charts, code) are built lazily and shown only in table format.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Column:
    """A table/CSV column: `key` into each row, its header, and how the table shows it.

    fmt: ``g`` (6 significant digits), ``int``, ``str`` (text: wraps at spaces, never inside a
    word), ``name`` (a layer or tensor name: also breaks after ``.`` and ``/``), ``path`` (a file:
    also breaks after ``/``), ``pct`` (a fraction as a percentage), ``ratio`` (4 significant
    digits, ×), ``g4`` (4 significant digits). The others are numbers: never wrapped, never cut.

    drop: 0 = always shown; otherwise the table leaves the column out when the terminal is too
    narrow for it, the highest `drop` first, columns of equal `drop` together (CSV/TSV/JSON always
    carry the value).
    lines: how many lines a text cell may take before any column is dropped (then as many as
    its breaks allow); None: 2, a name or path 3.
    """

    key: str
    header: str
    fmt: str = "g"
    drop: int = 0
    lines: int | None = None


@dataclass
class Report:
    """One command's output, independent of the format it is written in."""

    kind: str
    title: str
    columns: list[Column]
    rows: list[dict[str, Any]]
    document: dict[str, Any]
    notes: list[str] = field(default_factory=list)
    footer: dict[str, Any] | None = None  # a totals row, shown in the table only
    csv_columns: list[Column] | None = None  # CSV/TSV columns when they differ from the table's
    csv_rows: list[dict[str, Any]] | None = None  # CSV/TSV rows when they differ from the table's
    value: float | None = None
    value_hint: str = "narrow the selection with --scheme and --dist"
    visuals: list[Callable[[], Any]] = field(default_factory=list)


def columns(*specs: tuple) -> list[Column]:
    """Shorthand: ``columns(("fan_in", "fan_in", "int"), ("std", "std"), ("gain", "gain", "g", 2))``."""
    return [Column(*spec) for spec in specs]
