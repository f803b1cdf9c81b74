"""One progress bar for the long paths (sampling, propagation, audit): rich, on stderr, for humans.

It appears only when stderr is a terminal and the output is a table, and only once the work has
taken ``PROGRESS_AFTER`` seconds, so short runs and scripts never see it.
"""

from __future__ import annotations

import sys
import time

PROGRESS_AFTER = 0.5  # seconds of work before a progress bar appears


def show_progress(table: bool, stream=None) -> bool:
    """A progress bar only for a human: table output and stderr a terminal."""
    stream = sys.stderr if stream is None else stream
    return table and stream.isatty()


class Progress:
    """A transient rich bar on stderr counting `total` items (or bytes, with ``in_bytes``)."""

    def __init__(self, total: int, enabled: bool, *, in_bytes: bool = False, no_color: bool = False) -> None:
        self.total, self.enabled, self.in_bytes, self.no_color = total, enabled, in_bytes, no_color
        self.done, self.description = 0, ""
        self.bar = self.task = None
        self.start = time.monotonic()

    def __enter__(self) -> Progress:
        self.start = time.monotonic()
        return self

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.stop()

    def describe(self, text: str) -> None:
        self.description = text

    def advance(self, count: int) -> None:
        self.done += count
        if self.bar is None and self.enabled and time.monotonic() - self.start > PROGRESS_AFTER:
            self._open()
        if self.bar is not None:
            self.bar.update(self.task, completed=self.done, description=self.description, **self._fields())

    def _open(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

        count = DownloadColumn() if self.in_bytes else TextColumn("{task.fields[count]}")
        rate = TextColumn("{task.fields[rate]}")
        self.bar = Progress(
            TextColumn("{task.description}", markup=False),
            BarColumn(),
            count,
            rate,
            TimeRemainingColumn(),
            console=Console(stderr=True, no_color=self.no_color or None, markup=False, emoji=False),
            transient=True,
        )
        self.task = self.bar.add_task(
            self.description, total=self.total, completed=self.done, **self._fields()
        )
        self.bar.start()

    def _fields(self) -> dict[str, str]:
        """``123M/1.00G elements`` and ``214M/s`` (bytes: ``…/s`` after DownloadColumn's own count)."""
        elapsed = max(time.monotonic() - self.start, 1e-9)
        unit = "B" if self.in_bytes else ""
        return {
            "count": f"{si(self.done)}/{si(self.total)} elements",
            "rate": f"{si(self.done / elapsed)}{unit}/s",
        }


def si(value: float) -> str:
    """A count with an SI prefix, 3 significant digits: 1000000000 → ``1.00G``, 2048 → ``2.05k``."""
    for prefix, size in (("T", 1e12), ("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if abs(value) >= size:
            return f"{value / size:.3g}{prefix}" if value / size >= 100 else f"{value / size:.2f}{prefix}"
    return f"{value:.0f}"
