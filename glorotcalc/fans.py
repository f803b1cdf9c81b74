"""Fans from a weight shape, for the weight layouts in use.

- ``torch``: ``(out, in, *kernel)`` — ``nn.Linear`` is ``(out_features, in_features)``; also
  MXNet, Chainer, Caffe blobs ``(num, channels, …)`` and Equinox.
- ``keras`` / ``jax`` / ``flax``: ``(*kernel, in, out)`` — ``Dense`` is ``(in, units)``; also
  TensorFlow (tf.keras, tf.compat.v1, TF1 contrib, Keras 2.2), TF.js and Haiku.
- ``mlx``: ``(out, *kernel, in)`` — MLX 0.32.4 ``python/mlx/nn/init.py``
  ``_calculate_fan_in_fan_out``: fan_in = shape[-1]·∏k, fan_out = shape[0]·∏k.
- ``paddle``: a 2-D weight is ``(in, out)`` (``Linear``), a conv ``(out, in/groups, *k)``
  (Paddle 3.3.1 ``python/paddle/nn/initializer/initializer.py`` ``_compute_fans``).
- ``flux``: a 2-D weight is ``(out, in)`` (``Dense``), a conv ``(*k, in/groups, out)`` (Flux.jl
  ``src/utils.jl`` ``nfan``).
- ``tinygrad``: ``(out, in, *k)`` read as fan_in = ∏shape[1:], fan_out = shape[0]: tinygrad
  0.14.0 ``Tensor.glorot_uniform`` (``tinygrad/mixin/rand.py``) counts no receptive field in fan_out.

Otherwise the receptive field is the product of the kernel dimensions and
``fan_in = in · receptive_field``, ``fan_out = out · receptive_field``.
The torch and keras layouts agree for square dense layers, which is why a wrong one goes unnoticed.

>>> compute_fans((64, 3, 3, 3), "torch")
(27, 576)
"""

from __future__ import annotations

import math

from glorotcalc.errors import UsageError, choose, positive_int

LAYOUTS = ("torch", "keras", "jax", "flax")  # what --layout reads
# Every layout a framework record stores its weights in; each maps to how it reads a shape:
# the (out, in, kernel) order of a 2-D weight and of a conv kernel.
READING = {
    "torch": ("out_in", "out_in_k"),
    "keras": ("in_out", "k_in_out"),
    "jax": ("in_out", "k_in_out"),
    "flax": ("in_out", "k_in_out"),
    "haiku": ("in_out", "k_in_out"),
    "equinox": ("out_in", "out_in_k"),
    "mlx": ("out_in", "out_k_in"),
    "paddle": ("in_out", "out_in_k"),
    "flux": ("out_in", "k_in_out"),
    "tinygrad": ("out_in", "out_in_k"),
}
ALL_LAYOUTS = tuple(READING)
# A transposed conv's weight: which channels stand where the weight's "in" is read
# (torch ``(in, out/g, *k)`` puts the output channels there; Flax ``(*k, in, out)`` the input
# channels; Equinox ``(out, in/g, *k)`` is stored as a conv).
TRANSPOSED = {
    "torch": "output",
    "keras": "output",
    "haiku": "output",
    "paddle": "output",
    "flux": "output",
    "tinygrad": "output",
    "jax": "input",
    "flax": "input",
    "mlx": "input",
    "equinox": "conv",
}
NO_RECEPTIVE_FAN_OUT = frozenset({"tinygrad"})  # fan_out = shape[0], no ∏k
MAX_FAN = 2**63 - 1


def check_layout(layout: str) -> str:
    return choose("layout", layout, LAYOUTS)


def _reading(layout: str) -> tuple[str, str]:
    return READING[choose("layout", layout, ALL_LAYOUTS)]


def out_first(layout: str) -> bool:
    """Whether `layout` stores a weight ``(out, in, *k)`` (torch) rather than ``(*k, in, out)``."""
    return _reading(layout)[1] == "out_in_k"


def same_reading(a: str, b: str) -> bool:
    """Whether layouts `a` and `b` read every weight shape the same way."""
    return _reading(a) == _reading(b) and (a in NO_RECEPTIVE_FAN_OUT) == (b in NO_RECEPTIVE_FAN_OUT)


def split_weight(shape: tuple[int, ...], layout: str) -> tuple[int, int, tuple[int, ...]]:
    """(out, in, kernel) of a weight of rank ≥ 2 stored in `layout`."""
    order = _reading(layout)[0 if len(shape) == 2 else 1]
    if order in ("out_in", "out_in_k"):
        return shape[0], shape[1], tuple(shape[2:])
    if order in ("in_out", "k_in_out"):
        return shape[-1], shape[-2], tuple(shape[:-2])
    return shape[0], shape[-1], tuple(shape[1:-1])  # out_k_in


def join_weight(out_channels: int, in_channels: int, kernel: tuple[int, ...], layout: str) -> tuple[int, ...]:
    """The weight shape of (out, in, kernel) in `layout` (the inverse of `split_weight`)."""
    order = _reading(layout)[1 if kernel else 0]
    if order in ("out_in", "out_in_k"):
        return (out_channels, in_channels, *kernel)
    if order in ("in_out", "k_in_out"):
        return (*kernel, in_channels, out_channels)
    return (out_channels, *kernel, in_channels)


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
    fan_out, fan_in, kernel = split_weight(dims, layout)
    receptive_field = math.prod(kernel)
    fans = fan_in * receptive_field, fan_out * (1 if layout in NO_RECEPTIVE_FAN_OUT else receptive_field)
    if max(fans) > MAX_FAN:
        shown = "x".join(map(str, dims))
        raise UsageError("shape", shown, f"its fans exceed {MAX_FAN} (2**63 - 1)")
    return fans


def weight_shape(
    fan_in_channels: int, out_channels: int, kernel: tuple[int, ...], layout: str
) -> tuple[int, ...]:
    """The weight shape of a layer from `in` to `out` channels with `kernel`, in `layout`."""
    return join_weight(out_channels, fan_in_channels, tuple(kernel), layout)


def transposed_shape(
    in_channels: int, out_channels: int, kernel: tuple[int, ...], groups: int, layout: str
) -> tuple[int, ...]:
    """A transposed conv's weight in `layout` (`TRANSPOSED`): torch ``(in, out/g, *k)``, Keras
    ``(*k, out/g, in)``, Flax ``(*k, in, out/g)``, MLX ``(out, *k, in)``, Equinox ``(out, in/g, *k)``."""
    rule = TRANSPOSED[choose("layout", layout, ALL_LAYOUTS)]
    if rule == "output":
        return join_weight(in_channels, out_channels // groups, kernel, layout)
    if rule == "input":
        return join_weight(out_channels // groups, in_channels, kernel, layout)
    return join_weight(out_channels, in_channels // groups, kernel, layout)


def parse_shape(text: str) -> tuple[int, ...]:
    """Parse ``64x3x3x3`` or ``3,3,3,64`` (spaces allowed) into a checked shape."""
    tokens = text.replace(",", "x").replace("×", "x").split("x")
    tokens = [t.strip() for t in tokens]
    if any(t == "" for t in tokens):
        raise UsageError("shape", text, "use dimensions separated by 'x' or ',', e.g. 64x3x3x3")
    return check_shape(tokens, text)
