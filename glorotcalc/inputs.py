"""The positional INPUT (and ``--shape``/``--depth``) → fully resolved layers.

One INPUT, four forms: a width chain (``784 256 10``), an architecture string
(``784-256@relu-10``), a file holding a torch ``print(model)`` printout, or ``-`` for standard
input (which may hold any of the three). An existing file wins over an architecture string.

`resolve_layers` is the one resolution step: every layer leaves it with its activation, the
user's gain and mode, and its weight in the framework's layout — so no analysis re-reads options.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from glorotcalc.arch import checked_int, looks_numeric, parse_arch, parse_chain
from glorotcalc.errors import GlorotcalcError, UsageError
from glorotcalc.fans import check_layout, parse_shape, same_reading
from glorotcalc.gain import Activation, Gain
from glorotcalc.layers import Layer, from_shape

if TYPE_CHECKING:
    from glorotcalc.frameworks import Framework
    from glorotcalc.torchrepr import ParsedModel

MAX_TEXT_CHARS = 16 * 2**20  # a printout larger than this is not a printout
MAX_DEPTH = 10_000
MAX_WIDTHS = MAX_DEPTH + 1  # a width chain of more layers than this is refused up front
_FILE_LIKE = re.compile(r"(?:[./~\\]|.*\.[A-Za-z][A-Za-z0-9]*$)")
_DIM = re.compile(r"[0-9]+")
_NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def resolve_layers(
    inputs: Sequence[str] = (),
    *,
    shape: str | None = None,
    layout: str | None = None,
    framework: Framework | None = None,
    activation: Activation | None = None,
    gain: float | None = None,
    mode: str | None = None,
    depth: int | None = None,
) -> list[Layer]:
    """Parse the input (positional INPUT, or ``--shape``) into layers, each carrying its activation
    (`activation` for layers without their own), the explicit `gain` and `mode`, in `framework`'s
    weight layout (or `layout`, default torch).

    >>> [(layer.fan_in, layer.fan_out) for layer in resolve_layers(["784-256-10"])]
    [(784, 256), (256, 10)]
    """
    layout = _layout(layout, framework)
    typed = activation is not None
    activation = activation or Activation()
    layers = _parse(tuple(inputs), shape, layout, framework, activation, depth)
    return _with(
        layers,
        lambda layer: replace(
            layer,
            activation_given=typed or layer.activation != Activation(),
            gain=None if gain is None else Gain(gain, "--gain"),
            mode=mode,
        ),
    )


def pick_layer(layers: list[Layer], name: str) -> list[Layer]:
    """``--layer``: the one layer called `name`, else the one at index `name` (from 0)."""
    found = [layer for layer in layers if layer.name == name]
    if not found and re.fullmatch(r"[0-9]{1,9}", name) and int(name) < len(layers):
        found = [layers[int(name)]]
    if not found:
        names = [layer.name for layer in layers]
        shown = ", ".join(names[:6]) + (f", … ({len(names)} layers)" if len(names) > 6 else "")
        raise UsageError(
            "--layer", name, f"use a layer name ({shown}) or an index from 0 to {len(names) - 1}"
        )
    return [found[0]]


def _layout(layout: str | None, framework: Framework | None) -> str:
    """The weight layout: the framework's; an explicit --layout that contradicts it is an error."""
    if framework is None:
        return check_layout(layout.lower()) if layout else "torch"
    if layout is not None and not same_reading(check_layout(layout.lower()), framework.layout):
        raise UsageError(
            "--layout",
            layout,
            f"{framework.title} reads weights in its own layout {framework.layout_text}; drop --layout",
        )
    return framework.layout


def _with(layers: list[Layer], change) -> list[Layer]:
    """`change` applied to every layer, keeping a printout's notes and unknown modules."""
    from_printout = hasattr(layers, "unknown")
    changed = [change(layer) for layer in layers]
    if not from_printout:
        return changed
    from glorotcalc.torchrepr import ParsedModel

    return ParsedModel(changed, layers.notes, layers.unknown, layers.passed_over)


def _parse(
    inputs: tuple[str, ...],
    shape: str | None,
    layout: str,
    framework: Framework | None,
    activation: Activation,
    depth: int | None,
) -> list[Layer]:
    """Dispatch on the input form: ``--shape``, a width chain, ``--depth``, an architecture
    string, a printout file or ``-``."""
    _reject_unknown_options(inputs)
    if shape is not None:
        if inputs:
            raise UsageError("give either positional INPUT or --shape, not both; got", " ".join(inputs))
        if depth is not None:
            raise UsageError("--depth takes one width, not --shape", None, "e.g. glorotcalc 1024 --depth 30")
        return [_shape_layer(shape, layout, framework, activation)]
    if not inputs:
        raise UsageError(
            "nothing to compute",
            None,
            "give FAN_IN FAN_OUT, a chain (784 256 10), an architecture (784-256-10), "
            "a torch printout file or -, or --shape; see glorotcalc --help",
        )
    if all(_NUMBER.fullmatch(t.strip()) for t in inputs):
        _fractional(list(inputs))
    if all(looks_numeric(t) for t in inputs):
        return _chain(list(inputs), layout, activation, depth)
    if depth is not None:
        raise UsageError("--depth takes one width; got", " ".join(inputs), "e.g. glorotcalc 1024 --depth 30")
    if len(inputs) != 1:
        raise UsageError(
            "give one architecture string, printout file or -; got",
            " ".join(inputs),
            "e.g. glorotcalc 784-256-10 or glorotcalc model.txt",
        )
    return layers_from_input(inputs[0], layout, activation)


def _shape_layer(text: str, layout: str, framework: Framework | None, activation: Activation) -> Layer:
    """``--shape``: a bare weight; a framework's own rule for rank < 2 and zero sizes (Keras)."""
    dims = _lenient_dims(text)
    if framework is not None and dims is not None and (len(dims) < 2 or 0 in dims):
        from glorotcalc.frameworks import small_shape_fans

        fan_in, fan_out = small_shape_fans(framework, dims, text)
        return Layer("weight", "weight", dims, layout, fan_in, fan_out, activation)
    return from_shape(parse_shape(text), layout, activation=activation)


def _lenient_dims(text: str) -> tuple[int, ...] | None:
    """``64x3x3x3`` → dims, zeros allowed; ``()`` → rank 0; None when it is not a list of integers."""
    if text.strip() in ("", "()"):
        return ()
    tokens = [t.strip() for t in text.replace(",", "x").replace("×", "x").split("x")]
    if not all(_DIM.fullmatch(t) and len(t) <= 30 for t in tokens):
        return None
    return tuple(int(t) for t in tokens)


def layers_from_input(
    source: str, layout: str = "torch", activation: Activation | None = None
) -> list[Layer]:
    """One non-numeric INPUT: ``-``, an existing file, or an architecture string."""
    activation = activation or Activation()
    if source == "-":
        return layers_from_text(_read_stdin(), "stdin", layout, activation)
    if _exists(source):
        return layers_from_text(_read_file(source), source, layout, activation)
    if _FILE_LIKE.match(source):
        raise GlorotcalcError("cannot read", source, "no such file")
    _misleading(source)
    return parse_arch(source, layout, activation)


def _misleading(source: str) -> None:
    """Words that read as a (wrong) architecture string but mean something else."""
    if re.fullmatch(r"[0-9]+[x×][0-9]+", source.strip()):
        fan_in, fan_out = re.split("[x×]", source.strip())
        raise UsageError(
            "INPUT",
            source,
            f"fans are two words: glorotcalc {fan_in} {fan_out}, "
            f"or a weight shape --shape {fan_out}x{fan_in}",
        )
    if source.lower() in ("help", "--help", "-help"):
        raise UsageError("INPUT", source, "for help: glorotcalc --help, or glorotcalc COMMAND --help")


def layers_from_text(
    text: str, source: str, layout: str = "torch", activation: Activation | None = None
) -> list[Layer]:
    """A printout — or a chain or architecture string on its own, as ``echo 784-10 | glorotcalc -``."""
    activation = activation or Activation()
    words = text.split()
    if "(" not in text and words:
        if all(looks_numeric(w) for w in words):
            return _chain(words, layout, activation, None)
        if len(words) == 1:
            return parse_arch(words[0], layout, activation)
    try:
        from glorotcalc.text import inert
        from glorotcalc.torchrepr import parse_torch_repr  # only for printouts: keeps a lookup light

        # module names and types reach tables, JSON and errors: inert from here on (tabs as spaces)
        text = "\n".join(inert(line.replace("\t", "    ")) for line in text.splitlines())
        model = parse_torch_repr(text, layout, activation)
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


def _chain(inputs: list[str], layout: str, activation: Activation, depth: int | None) -> list[Layer]:
    if depth is not None:
        if len(inputs) != 1:
            raise UsageError(
                "--depth takes one width; got", " ".join(inputs), "e.g. glorotcalc 1024 --depth 30"
            )
        if not 1 <= depth <= MAX_DEPTH:
            raise UsageError("--depth", depth, f"must be between 1 and {MAX_DEPTH:,}")
        width = checked_int("width", inputs[0])
        inputs = [str(width)] * (depth + 1)
    if len(inputs) > MAX_WIDTHS:
        raise UsageError(
            f"a chain of {len(inputs):,} widths", None, f"at most {MAX_WIDTHS:,} (10,000 layers)"
        )
    return parse_chain(inputs, layout, activation)


def _fractional(inputs: list[str]) -> None:
    """``784 256.5``: fans are whole numbers — say so, not "not an integer"."""
    for token in inputs:
        if re.fullmatch(r"[+-]?[0-9]*\.[0-9]+(?:[eE][+-]?[0-9]+)?|[+-]?[0-9]+[eE][+-]?[0-9]+", token.strip()):
            raise UsageError("fans and widths are whole numbers of units; got", token, "e.g. 784 256")


def _reject_unknown_options(inputs: tuple[str, ...]) -> None:
    for token in inputs:
        if token.startswith("-") and token != "-" and not looks_numeric(token):
            raise UsageError("no such option", token, "see glorotcalc --help")
