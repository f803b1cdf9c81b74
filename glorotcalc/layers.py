"""The `Layer` record every input form is parsed into."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

from glorotcalc.fans import compute_fans, weight_shape
from glorotcalc.gain import Activation


@dataclass(frozen=True)
class Layer:
    """One weight tensor: its shape in `layout`, its fans, and the activation that follows it.

    kind: ``dense``, ``conv``, ``conv_transpose``, ``embedding``, ``bilinear``, ``attention``
    or ``weight`` (a bare ``--shape``).
    """

    name: str
    kind: str
    shape: tuple[int, ...]
    layout: str
    fan_in: int
    fan_out: int
    activation: Activation = field(default_factory=Activation)
    bias: int = 0
    notes: tuple[str, ...] = ()

    @property
    def weights(self) -> int:
        return math.prod(self.shape)

    @property
    def params(self) -> int:
        return self.weights + self.bias

    def with_activation(self, activation: Activation) -> Layer:
        return replace(self, activation=activation)


def dense(
    fan_in: int,
    fan_out: int,
    layout: str = "torch",
    *,
    name: str = "",
    bias: int = 0,
    activation: Activation | None = None,
) -> Layer:
    """A fully connected layer ``fan_in → fan_out`` (torch ``(out, in)``, keras ``(in, out)``)."""
    shape = weight_shape(fan_in, fan_out, (), layout)
    return Layer(name, "dense", shape, layout, fan_in, fan_out, activation or Activation(), bias)


def from_shape(shape: tuple[int, ...], layout: str, *, name: str = "weight") -> Layer:
    """A bare weight of `shape` in `layout` (``--shape``)."""
    fan_in, fan_out = compute_fans(shape, layout)
    return Layer(name, "weight", tuple(shape), layout, fan_in, fan_out)
