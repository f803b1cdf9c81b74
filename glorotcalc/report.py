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

    fmt: ``g`` (6 significant digits), ``int``, ``str``, ``pct`` (a fraction as a percentage),
    ``ratio`` (4 significant digits, ×), ``g4`` (4 significant digits).
    """

    key: str
    header: str
    fmt: str = "g"


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


def columns(*specs: tuple[str, str] | tuple[str, str, str]) -> list[Column]:
    """Shorthand: ``columns(("fan_in", "fan_in", "int"), ("std", "std"))``."""
    return [Column(*spec) for spec in specs]
