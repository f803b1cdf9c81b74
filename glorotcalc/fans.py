"""Fans from a weight shape, for the two weight layouts in use.

- ``torch``: ``(out, in, *kernel)`` — ``nn.Linear`` is ``(out_features, in_features)``.
- ``keras`` / ``jax`` / ``flax``: ``(*kernel, in, out)`` — ``Dense`` is ``(in, units)``.

In both, the receptive field is the product of the kernel dimensions and
``fan_in = in · receptive_field``, ``fan_out = out · receptive_field``.
The two layouts agree for square dense layers, which is why a wrong one goes unnoticed.

>>> compute_fans((64, 3, 3, 3), "torch")
(27, 576)
"""

from __future__ import annotations

import math

from glorotcalc.errors import UsageError, choose, positive_int

LAYOUTS = ("torch", "keras", "jax", "flax")
MAX_FAN = 2**63 - 1


def check_layout(layout: str) -> str:
    return choose("layout", layout, LAYOUTS)


def out_first(layout: str) -> bool:
    """Whether `layout` stores a weight ``(out, in, *k)`` (torch) rather than ``(*k, in, out)``."""
    return check_layout(layout) == "torch"


def check_shape(shape: tuple[int, ...] | list[int] | list[str], text: str | None = None) -> tuple[int, ...]:
    """A weight shape of rank ≥ 2 with every dimension a positive integer.

    `text` is the shape as the user typed it, quoted in the error.
    """
    shown = text if text is not None else "x".join(map(str, shape)) or "()"
    try:
        dims = tuple(positive_int("dimension", d) for d in shape)
    except UsageError as error:
        raise UsageError(
            "shape", shown, f"each dimension must be a positive integer ≤ 2**63 - 1; got {error.value!r}"
        ) from None
    if len(dims) < 2:
        raise UsageError("shape", shown, "a weight needs at least 2 dimensions, e.g. 256x784")
    return dims


def compute_fans(shape: tuple[int, ...] | list[int], layout: str = "torch") -> tuple[int, int]:
    """Return ``(fan_in, fan_out)`` of a weight of `shape` stored in `layout`.

    torch ``(out, in, *k)``: fan_in = in·∏k, fan_out = out·∏k; keras/jax ``(*k, in, out)``: the same
    products read from the other end. ``compute_fans((3, 3, 3, 64), "keras") == (27, 576)``.
    """
    dims = check_shape(shape)
    if check_layout(layout) == "torch":
        fan_out, fan_in, kernel = dims[0], dims[1], dims[2:]
    else:
        fan_in, fan_out, kernel = dims[-2], dims[-1], dims[:-2]
    receptive_field = math.prod(kernel)
    fans = fan_in * receptive_field, fan_out * receptive_field
    if max(fans) > MAX_FAN:
        shown = "x".join(map(str, dims))
        raise UsageError("shape", shown, f"its fans exceed {MAX_FAN} (2**63 - 1)")
    return fans


def weight_shape(
    fan_in_channels: int, out_channels: int, kernel: tuple[int, ...], layout: str
) -> tuple[int, ...]:
    """The weight shape of a layer from `in` to `out` channels with `kernel`, in `layout`."""
    if check_layout(layout) == "torch":
        return (out_channels, fan_in_channels, *kernel)
    return (*kernel, fan_in_channels, out_channels)


def parse_shape(text: str) -> tuple[int, ...]:
    """Parse ``64x3x3x3`` or ``3,3,3,64`` (spaces allowed) into a checked shape."""
    tokens = text.replace(",", "x").replace("×", "x").split("x")
    tokens = [t.strip() for t in tokens]
    if any(t == "" for t in tokens):
        raise UsageError("shape", text, "use dimensions separated by 'x' or ',', e.g. 64x3x3x3")
    return check_shape(tokens, text)
