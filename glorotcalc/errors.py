"""The one error type the core raises; the CLI turns it into an exit code once.

`UsageError` is a bad value the user typed (exit 2); every other `GlorotcalcError` is a domain
error about the world — a file, the machine, the data (exit 1).
"""

from __future__ import annotations

import re

_INTEGER = re.compile(r"[+-]?[0-9]+")


class GlorotcalcError(ValueError):
    """A domain error: names the bad value and, where there is one, the allowed set."""

    exit_code = 1

    def __init__(self, what: str, value: object = None, allowed: str | None = None) -> None:
        super().__init__(what)
        self.what = what
        self.value = value
        self.allowed = allowed

    def __str__(self) -> str:
        shown = _clip(repr(self.value), 80)
        text = self.what if self.value is None else f"{self.what} {shown}"
        return text if self.allowed is None else f"{text}: {self.allowed}"


class UsageError(GlorotcalcError):
    """A value the user typed is malformed or outside its allowed set (exit 2)."""

    exit_code = 2


def choose(what: str, value: str, choices: tuple[str, ...] | list[str]) -> str:
    """Return `value` if it is one of `choices`, else raise naming the valid set."""
    if value in choices:
        return value
    raise UsageError(what, value, "use one of " + ", ".join(choices))


def _clip(text: str, width: int = 40) -> str:
    """A long user value shortened for a one-line message."""
    return text if len(text) <= width else f"{text[: width // 2]}…{text[-8:]} ({len(text)} characters)"


def positive_int(what: str, text: str | int, *, limit: int = 2**63 - 1) -> int:
    """Parse a positive integer (a fan, a width, a dimension) or raise a UsageError."""
    if isinstance(text, int) and not isinstance(text, bool):
        value = text
    else:
        token = str(text).strip()
        if not _INTEGER.fullmatch(token):
            raise UsageError(what, _clip(str(text)), "must be a positive integer")
        if len(token.lstrip("+-0")) > len(str(limit)):
            raise UsageError(what, _clip(token), f"must be at most {limit}")
        value = int(token)
    if value < 1:
        raise UsageError(what, value, "must be a positive integer")
    if value > limit:
        raise UsageError(what, value, f"must be at most {limit}")
    return value
