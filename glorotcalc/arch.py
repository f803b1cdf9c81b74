"""Positional input → layers: a width chain ``784 256 128 10``.

(Architecture strings and PyTorch printouts slot in here too.)
"""

from __future__ import annotations

from itertools import pairwise

from glorotcalc.errors import UsageError, positive_int
from glorotcalc.gain import Activation
from glorotcalc.layers import Layer, dense


def parse_chain(
    widths: list[str] | tuple[str, ...], layout: str = "torch", activation: Activation | None = None
) -> list[Layer]:
    """N integers → N−1 dense layers; the first is the input width."""
    if len(widths) < 2:
        raise UsageError("a chain needs at least two widths; got", " ".join(widths), "e.g. 784 256")
    sizes = [positive_int(_width_name(i, len(widths)), w) for i, w in enumerate(widths)]
    return [
        dense(a, b, layout, name=f"layer{i}", activation=activation)
        for i, (a, b) in enumerate(pairwise(sizes))
    ]


def _width_name(index: int, count: int) -> str:
    if count == 2:
        return ("fan_in", "fan_out")[index]
    return f"width {index}"


def looks_numeric(token: str) -> bool:
    return token.strip().lstrip("+-").isdigit()
