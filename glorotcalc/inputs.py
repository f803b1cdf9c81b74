"""The positional INPUT (and ``--shape``/``--depth``) → a list of layers."""

from __future__ import annotations

from glorotcalc.arch import looks_numeric, parse_chain
from glorotcalc.commands import Request
from glorotcalc.errors import UsageError, positive_int
from glorotcalc.fans import parse_shape
from glorotcalc.layers import Layer, from_shape


def layers_from_request(request: Request) -> list[Layer]:
    """Dispatch on the input form: ``--shape``, a width chain, ``--depth``."""
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
    raise UsageError("input", " ".join(inputs), "give integers like 784 256")


def _chain(inputs: list[str], request: Request) -> list[Layer]:
    if request.depth is not None:
        if len(inputs) != 1:
            raise UsageError(
                "--depth takes one width; got", " ".join(inputs), "e.g. glorotcalc 1024 --depth 30"
            )
        width = positive_int("width", inputs[0])
        inputs = [str(width)] * (request.depth + 1)
    return parse_chain(inputs, request.layout, request.activation)


def _reject_unknown_options(inputs: tuple[str, ...]) -> None:
    for token in inputs:
        if token.startswith("-") and token != "-" and not looks_numeric(token):
            raise UsageError("no such option", token, "see glorotcalc --help")
