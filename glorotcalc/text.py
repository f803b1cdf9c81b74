"""Untrusted text made safe to print: `inert` writes what a terminal would act on as escapes.

Tensor names come from the file (an .npz member, a safetensors key, a .pt dict key) and paths
from the shell (a glob can expand to any name): they may hold ESC (a terminal control sequence:
clear the screen, recolour, set the title), CR or a line separator (a forged line, a fake
``Error:``), or a bidi override (text shown in another order than it is stored). Every string
from a file or a path passes through `inert` before it reaches a row, a note, a JSON record or
an error message.

>>> inert("layers.0.self_attn.in_proj_weight")
'layers.0.self_attn.in_proj_weight'
>>> inert("\\x1b[2J\\x1b[31mPWNED")
'\\\\x1b[2J\\\\x1b[31mPWNED'
>>> inert("miss\\nError: fake.npy")
'miss\\\\x0aError: fake.npy'
"""

from __future__ import annotations

import re

# C0 controls, DEL, C1 controls (U+0080–U+009F: 8-bit CSI is U+009B), the bidi marks and
# overrides (U+061C, U+200E–U+200F, U+202A–U+202E, U+2066–U+2069), the line and paragraph
# separators U+2028–U+2029, and lone surrogates (an undecodable byte of a path, as Python's
# surrogateescape gives it, which no UTF-8 stream can write).
_ACTIVE = r"[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
# A run of backslashes is doubled where a reader could take it for the start of an escape: before
# "x" or "u", or before a character that is itself escaped.
_PATTERN = re.compile(rf"\\+(?=[xu]|{_ACTIVE})|{_ACTIVE}")


def inert(text: str) -> str:
    """`text` with every terminal-active character written as an escape; printable text unchanged.

    Escaped: C0 controls (tab and newline included), DEL, C1 controls, the bidi marks, embeddings,
    overrides and isolates, U+2028/U+2029 and lone surrogates — as ``\\xNN`` (code points up to
    U+00FF, two lowercase hex digits) or ``\\uNNNN``. Everything else is kept, so
    ``layers.0.self_attn.in_proj_weight``, ``ü``, ``日本`` and emoji read as they are; invisible
    format characters that move nothing (U+200B, U+200D, U+FEFF) are kept too.

    Backslash: doubled only where it could be misread — a run of backslashes directly before
    ``x``, ``u`` or an escaped character — so a Windows-style ``a\\b`` stays ``a\\b`` while the
    literal text ``\\x1b`` becomes ``\\\\x1b`` and cannot pass for an escaped ESC. The mapping is
    one-to-one (two different names never print the same): before ``x``/``u``, an even run of
    backslashes is literal (halved), an odd run ends in an escape. It is not idempotent.
    """
    return _PATTERN.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    found = match.group()
    if found[0] == "\\":
        return found * 2
    code = ord(found)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


_ACTIVE_ONLY = re.compile(_ACTIVE)


def visible(text: str) -> str:
    """Only the terminal-active characters escaped, backslashes kept: for a message whose names
    were already made `inert` (escaping again would double their backslashes)."""
    return _ACTIVE_ONLY.sub(_escape, text)
