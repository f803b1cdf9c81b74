"""The positional INPUT (and ``--shape``/``--depth``) → a list of layers.

One INPUT, four forms: a width chain (``784 256 10``), an architecture string
(``784-256@relu-10``), a file holding a torch ``print(model)`` printout, or ``-`` for standard
input (which may hold any of the three). An existing file wins over an architecture string.
"""

from __future__ import annotations

import re
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from glorotcalc.arch import checked_int, looks_numeric, parse_arch, parse_chain
from glorotcalc.commands import Request
from glorotcalc.errors import GlorotcalcError, UsageError
from glorotcalc.fans import parse_shape
from glorotcalc.layers import Layer, from_shape

if TYPE_CHECKING:
    from glorotcalc.torchrepr import ParsedModel

MAX_TEXT_CHARS = 16 * 2**20  # a printout larger than this is not a printout
MAX_DEPTH = 100_000
_FILE_LIKE = re.compile(r"(?:[./~\\]|.*\.[A-Za-z][A-Za-z0-9]*$)")


def layers_from_request(request: Request) -> list[Layer]:
    """Dispatch on the input form: ``--shape``, a width chain, ``--depth``, an architecture
    string, a printout file or ``-``."""
    _reject_unknown_options(request.inputs)
    if request.shape is not None:
        if request.inputs:
            raise UsageError(
                "give either positional INPUT or --shape, not both; got", " ".join(request.inputs)
            )
        return [from_shape(parse_shape(request.shape), request.layout)]
    inputs = list(request.inputs)
    if all(looks_numeric(t) for t in inputs):
        return _chain(inputs, request)
    if request.depth is not None:
        raise UsageError("--depth takes one width; got", " ".join(inputs), "e.g. glorotcalc 1024 --depth 30")
    if len(inputs) != 1:
        raise UsageError(
            "give one architecture string, printout file or -; got",
            " ".join(inputs),
            "e.g. glorotcalc 784-256-10 or glorotcalc model.txt",
        )
    return layers_from_input(inputs[0], request)


def layers_from_input(source: str, request: Request) -> list[Layer]:
    """One non-numeric INPUT: ``-``, an existing file, or an architecture string."""
    if source == "-":
        return layers_from_text(_read_stdin(), "stdin", request)
    if _exists(source):
        return layers_from_text(_read_file(source), source, request)
    if _FILE_LIKE.match(source):
        raise GlorotcalcError("cannot read", source, "no such file")
    return parse_arch(source, request.layout, request.activation)


def layers_from_text(text: str, source: str, request: Request) -> list[Layer]:
    """A printout — or a chain or architecture string on its own, as ``echo 784-10 | glorotcalc -``."""
    words = text.split()
    if "(" not in text and words:
        if all(looks_numeric(w) for w in words):
            return _chain(words, request)
        if len(words) == 1:
            return parse_arch(words[0], request.layout, request.activation)
    try:
        from glorotcalc.torchrepr import parse_torch_repr  # only for printouts: keeps a lookup light

        model = parse_torch_repr(text, request.layout, request.activation)
    except GlorotcalcError as error:
        raise GlorotcalcError(f"{source}: {error.what}", error.value, error.allowed) from None
    return _fold_notes(model)


def _fold_notes(model: ParsedModel) -> ParsedModel:
    """A one-layer model shows the single-layer table, whose notes are its layer's: move them there."""
    from glorotcalc.torchrepr import ParsedModel

    if len(model) != 1 or not model.notes:
        return model
    layer = model[0]
    folded = replace(layer, notes=(*layer.notes, *model.notes))
    return ParsedModel([folded], [], model.unknown, model.passed_over)


def _exists(source: str) -> bool:
    try:
        return Path(source).exists()
    except (OSError, ValueError):  # a name too long, or with a NUL byte
        return False


def _read_file(source: str) -> str:
    try:
        with open(source, encoding="utf-8") as handle:
            text = handle.read(MAX_TEXT_CHARS + 1)
    except UnicodeDecodeError:
        raise GlorotcalcError(
            "cannot read", source, "not a text printout (a weights file? see glorotcalc audit)"
        ) from None
    except OSError as error:
        raise GlorotcalcError("cannot read", source, error.strerror or str(error)) from None
    return _checked_size(text, source)


def _read_stdin() -> str:
    if sys.stdin is None:
        raise GlorotcalcError("cannot read", "stdin", "it is closed")
    try:
        text = sys.stdin.read(MAX_TEXT_CHARS + 1)
    except UnicodeDecodeError:
        raise GlorotcalcError("cannot read", "stdin", "not text") from None
    except OSError as error:
        raise GlorotcalcError("cannot read", "stdin", error.strerror or str(error)) from None
    try:
        text.encode("utf-8")  # undecodable bytes arrive as lone surrogates
    except UnicodeEncodeError:
        raise GlorotcalcError("cannot read", "stdin", "not UTF-8 text") from None
    return _checked_size(text, "stdin")


def _checked_size(text: str, source: str) -> str:
    if len(text) > MAX_TEXT_CHARS:
        raise GlorotcalcError("cannot read", source, f"larger than {MAX_TEXT_CHARS:,} characters")
    return text


def _chain(inputs: list[str], request: Request) -> list[Layer]:
    if request.depth is not None:
        if len(inputs) != 1:
            raise UsageError(
                "--depth takes one width; got", " ".join(inputs), "e.g. glorotcalc 1024 --depth 30"
            )
        if not 1 <= request.depth <= MAX_DEPTH:
            raise UsageError("--depth", request.depth, f"must be between 1 and {MAX_DEPTH:,}")
        width = checked_int("width", inputs[0])
        inputs = [str(width)] * (request.depth + 1)
    return parse_chain(inputs, request.layout, request.activation)


def _reject_unknown_options(inputs: tuple[str, ...]) -> None:
    for token in inputs:
        if token.startswith("-") and token != "-" and not looks_numeric(token):
            raise UsageError("no such option", token, "see glorotcalc --help")
