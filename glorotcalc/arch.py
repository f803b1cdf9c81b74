"""Architecture strings and width chains → layers.

A width chain is N integers: ``784 256 128 10`` = 3 dense layers. An architecture string joins
tokens with ``-``; the first token is the input width (or channels), every other token is a layer:

=====================  ===================================================================
``N``                  dense layer to N units
``convK:C``            1-D convolution, kernel K, to C channels (``convKxK:C`` 2-D,
                       ``convKxKxK:C`` 3-D); the input channels are the previous token's
``…:C/G``              G groups (``conv3x3:64/64`` on 64 channels is depthwise)
``convtKxK:C``         transposed convolution
``dwconvKxK``          depthwise convolution: one KxK filter per input channel (Keras
                       ``DepthwiseConv2D``; torch ``Conv2d(C, C, K, groups=C)``);
                       ``dwconvKxK:C`` with C a multiple of the input channels
                       (depth multiplier C/in). ``convKxK:C/G`` stays a grouped conv
                       (Keras ``Conv2D(groups=G)``), whose Keras fans differ
``flatten:HxW``        the previous channels × H × W feed the next dense layer
                       (``flatten:L``, ``flatten:DxHxW`` for 1-D and 3-D)
``lstmH``, ``gruH``,    a torch recurrent layer of hidden size H (``nn.LSTM``, ``nn.GRU``,
``rnnH``               ``nn.RNN``): one layer per weight parameter (``weight_ih_l0`` …);
                       ``…xL`` L stacked layers, ``…bi`` bidirectional, ``lstmHpP`` proj_size
                       P, in that order (``lstm256p64x2bi``); ``rnnH@relu`` nonlinearity relu
                       (tanh by default). The next layer sees (P or H)·directions features
``…@act``              the activation after a layer (``256@relu``, ``conv3x3:64@leaky_relu:0.2``);
                       layers without one take the default (``--nonlinearity``/``--act``)
=====================  ===================================================================

A dense layer right after a convolution (no ``flatten``) takes the convolution's channels, as
after global pooling. Errors name the token, its number and its character position, with a caret
(``^``) in front of the token (einops style, kept on one line).

>>> [(layer.fan_in, layer.fan_out) for layer in parse_arch("1-conv5x5:32-conv5x5:64-flatten:7x7-1024-10")]
[(25, 800), (800, 1600), (3136, 1024), (1024, 10)]
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from itertools import pairwise

from glorotcalc.errors import UsageError, positive_int
from glorotcalc.gain import ACTIVATIONS, ALIASES, Activation, parse_activation
from glorotcalc.layers import Layer, conv, dense, recurrent
from glorotcalc.recurrent import NONLINEARITIES, output_size, recurrent_weights

MAX_ARCH_CHARS = 100_000
MAX_DIGITS = 30  # longer digit strings are refused before int() (which refuses > 4300 digits)
MAX_KERNEL_RANK = 3
EXPECTED = (
    "expected N, convK:C, convKxK:C, convKxKxK:C (/G groups; convt… transposed; dwconvKxK depthwise), "
    "lstmH, gruH, rnnH (xL layers, bi, lstmHpP) or flatten:HxW, "
    "each layer with an optional @activation"
)
_INT = re.compile(r"[0-9]+")
_DIMS = re.compile(r"[0-9]+(?:[x×][0-9]+)*")
_CONV = re.compile(
    r"(?P<dw>dw)?conv(?P<t>t?)(?P<kernel>[^:/@]*)(?::(?P<channels>[^/]*))?(?:/(?P<groups>.*))?"
)
_RECURRENT = re.compile(
    r"(?P<cell>lstm|gru|rnn)(?P<hidden>[0-9]+)(?:p(?P<proj>[0-9]+))?(?:x(?P<layers>[0-9]+))?(?P<bi>bi)?"
)
# a '-' that belongs to an activation's slope (a sign or an exponent), not a token separator
_SLOPE_PREFIX = re.compile(r"@[A-Za-z_]*:(?:[+-]?[0-9.]*[eE])?")


class ArchitectureError(UsageError):
    """A malformed architecture string: the token, its number (1-based) and character position.

    ``str(error)`` is one line, the caret written in front of the token:
    ``architecture token 2 '25x6' at char 5 of 784-^25x6-10: expected N, …``;
    `caret` gives the two-line form (the string, then ``^`` under the token).
    """

    def __init__(self, text: str, token: str, index: int, start: int, reason: str) -> None:
        super().__init__(f"architecture token {index}", token, reason)
        self.text = text
        self.token = token
        self.index = index
        self.start = start
        self.reason = reason

    def __str__(self) -> str:
        marked = _printable(self.text[: self.start]) + "^" + _printable(self.text[self.start :])
        return (
            f"architecture token {self.index} {self.token!r} at char {self.start + 1} of {marked}: "
            f"{self.reason}"
        )

    @property
    def caret(self) -> str:
        return self.text + "\n" + " " * self.start + "^" * max(1, len(self.token))


def _printable(text: str) -> str:
    """Control characters (a newline, a tab) escaped, so the message stays on one line."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


class _Bad(Exception):
    """A problem with the current token; turned into an ArchitectureError with its position."""


@dataclass
class _Chain:
    """The parser's state: what the previous token produced."""

    layout: str
    default: Activation
    channels: int = 0
    previous: str = "input"  # input | dense | conv | flatten
    conv_rank: int = 0
    flatten: tuple[int, ...] = ()
    layers: list[Layer] = field(default_factory=list)
    weighted: int = 0  # layer tokens so far: a recurrent token adds several layers


def _next_name(state: _Chain) -> str:
    """``layer{i}`` for the i-th layer token (from 0); a recurrent token's weights are under it."""
    state.weighted += 1
    return f"layer{state.weighted - 1}"


def parse_chain(
    widths: list[str] | tuple[str, ...], layout: str = "torch", activation: Activation | None = None
) -> list[Layer]:
    """N integers → N−1 dense layers; the first is the input width."""
    if len(widths) < 2:
        raise UsageError("a chain needs at least two widths; got", " ".join(widths), "e.g. 784 256")
    sizes = [checked_int(_width_name(i, len(widths)), w) for i, w in enumerate(widths)]
    return [
        dense(a, b, layout, name=f"layer{i}", activation=activation)
        for i, (a, b) in enumerate(pairwise(sizes))
    ]


def _width_name(index: int, count: int) -> str:
    if count == 2:
        return ("fan_in", "fan_out")[index]
    return f"width {index}"


def checked_int(what: str, text: str) -> int:
    """`positive_int`, refusing absurdly long digit strings with the same kind of message."""
    if len(text.strip()) > MAX_DIGITS:
        raise UsageError(what, text.strip()[:MAX_DIGITS] + "…", "must be a positive integer below 2**63")
    return positive_int(what, text)


def looks_numeric(token: str) -> bool:
    return token.strip().lstrip("+-").isdigit()


def parse_arch(text: str, layout: str = "torch", activation: Activation | None = None) -> list[Layer]:
    """Parse an architecture string (``784-256@relu-10``) into layers named ``layer0``, ``layer1``, …

    `activation` is the default for layers without an ``@act`` suffix (linear when None).

    >>> [str(layer.activation) for layer in parse_arch("784-256@relu-10", activation=None)]
    ['relu', 'linear']
    """
    if len(text) > MAX_ARCH_CHARS:
        raise UsageError("architecture string", f"{text[:20]}…", f"is longer than {MAX_ARCH_CHARS:,} chars")
    tokens = tokenize(text)
    state = _Chain(layout, activation or Activation())
    for index, (token, start) in enumerate(tokens, 1):
        try:
            _step(state, token, index)
        except (_Bad, UsageError) as problem:  # UsageError: a weight too large for its fans
            raise ArchitectureError(text, token, index, start, str(problem)) from None
    if state.previous == "flatten":
        token, start = tokens[-1]
        reason = "flatten must be followed by a dense layer N"
        raise ArchitectureError(text, token, len(tokens), start, reason)
    if not state.layers:
        token, start = tokens[0]
        reason = "an architecture needs a layer after the input, e.g. 784-10"
        raise ArchitectureError(text, token, 1, start, reason)
    return state.layers


def tokenize(text: str) -> list[tuple[str, int]]:
    """Split at '-' → [(token, start offset)], whitespace around tokens stripped.

    A '-' right after ``@act:`` or inside a slope's exponent (``leaky_relu:1e-2``) is kept.
    """
    tokens, start = [], 0
    for i, char in enumerate(text):
        if char == "-" and not _in_slope(text[start:i]):
            tokens.append(_located(text[start:i], start))
            start = i + 1
    tokens.append(_located(text[start:], start))
    return tokens


def _in_slope(prefix: str) -> bool:
    at = prefix.rfind("@")
    return at >= 0 and _SLOPE_PREFIX.fullmatch(prefix[at:]) is not None


def _located(token: str, start: int) -> tuple[str, int]:
    stripped = token.lstrip()
    return stripped.rstrip(), start + len(token) - len(stripped)


def _step(state: _Chain, token: str, index: int) -> None:
    if not token:
        raise _Bad("empty token (two '-' in a row, or a '-' at an end)")
    body, at, act = token.partition("@")
    body, act = body.strip().lower(), act.strip()
    if index == 1:
        if not _INT.fullmatch(body):
            raise _Bad("the first token is the input width or channels, e.g. 784 or 3")
        if at:
            raise _Bad("the input takes no @activation; put it on the layer after it")
        state.channels = _int(body, "input width")
        return
    if body.startswith("flatten"):
        if at:
            raise _Bad("flatten has no weights and takes no @activation")
        _flatten(state, body)
        return
    if body.startswith(("lstm", "gru", "rnn")):
        _recurrent(state, body, _activation(act) if at else None)
        return
    activation = _activation(act) if at else state.default
    if _INT.fullmatch(body):
        _dense(state, _int(body, "units"), activation)
    elif body.startswith(("conv", "dwconv")):
        _conv(state, body, activation)
    else:
        raise _Bad(EXPECTED)


def _recurrent(state: _Chain, body: str, activation: Activation | None) -> None:
    """``lstm256p64x2bi``: the weight parameters of that torch module, named ``layerN.weight_ih_l0`` …."""
    if state.previous == "flatten":
        raise _Bad("flatten must be followed by a dense layer N, not a recurrent layer")
    match = _RECURRENT.fullmatch(body)
    if match is None:
        raise _Bad("a recurrent layer is lstmH, gruH or rnnH, then xL layers and bi, e.g. lstm256x2bi")
    cell = match.group("cell")
    hidden = _int(match.group("hidden"), "hidden size")
    proj = _int(match.group("proj"), "proj_size") if match.group("proj") else 0
    if proj and cell != "lstm":
        raise _Bad("proj_size (pP) is an LSTM's only, e.g. lstm256p64")
    if proj >= hidden and proj:
        raise _Bad(f"proj_size {proj} must be smaller than the hidden size {hidden} (torch's rule)")
    nonlinearity = "tanh"
    if activation is not None:
        if cell != "rnn" or activation.name not in NONLINEARITIES:
            raise _Bad("only rnnH takes @tanh or @relu (torch's nonlinearity); LSTM/GRU gates are fixed")
        nonlinearity = activation.name
    layers = _int(match.group("layers"), "num_layers") if match.group("layers") else 1
    bidirectional = bool(match.group("bi"))
    weights = recurrent_weights(
        cell,
        state.channels,
        hidden,
        num_layers=layers,
        bidirectional=bidirectional,
        proj_size=proj,
        bias=False,
        nonlinearity=nonlinearity,
    )
    name = _next_name(state)
    state.layers += [recurrent(w, state.layout, name=f"{name}.{w.parameter}") for w in weights]
    state.channels, state.previous = output_size(hidden, proj, bidirectional), "recurrent"


def _int(text: str, what: str) -> int:
    try:
        return checked_int(what, text)
    except UsageError as error:
        raise _Bad(str(error)) from None


def _activation(text: str) -> Activation:
    if not text:
        raise _Bad("empty activation after '@'; e.g. @relu or @leaky_relu:0.2")
    if "@" in text:
        raise _Bad("one @activation per layer")
    name = text.partition(":")[0].strip().lower()
    if ALIASES.get(name, name) not in ACTIVATIONS:
        raise _Bad(
            f"unknown activation {name!r}; use one of {', '.join(ACTIVATIONS)} "
            "(swish = silu; leaky_relu:0.2 sets the slope)"
        )
    try:
        return parse_activation(text)
    except UsageError as error:
        raise _Bad(str(error)) from None


def _dense(state: _Chain, units: int, activation: Activation) -> None:
    notes: tuple[str, ...] = ()
    fan_in = state.channels
    if state.previous == "flatten":
        fan_in = state.channels * math.prod(state.flatten)
        spatial = "×".join(map(str, state.flatten))
        notes = (f"input {state.channels}×{spatial} = {fan_in} (flatten:{spatial.replace('×', 'x')})",)
    elif state.previous == "recurrent":
        notes = (f"input = the {state.channels} features of the recurrent layer's output per step",)
    elif state.previous == "conv":
        notes = (
            f"input = the {state.channels} channels of the conv before (as after global pooling); "
            "flatten:HxW before it takes channels×H×W",
        )
    name = _next_name(state)
    state.layers.append(
        dense(
            fan_in, units, state.layout, name=name, activation=activation, flatten=state.flatten, notes=notes
        )
    )
    state.channels, state.previous, state.flatten = units, "dense", ()


def _conv(state: _Chain, body: str, activation: Activation) -> None:
    if state.previous == "flatten":
        raise _Bad("flatten must be followed by a dense layer N, not a convolution")
    match = _CONV.fullmatch(body)
    if match is None or not match.group("kernel"):
        raise _Bad("a convolution is convK:C, convKxK:C or convKxKxK:C, e.g. conv3x3:64")
    kernel = _kernel(match.group("kernel"))
    depthwise = bool(match.group("dw"))
    if depthwise:
        out_channels, groups = _depthwise(match, state.channels)
    else:
        out_channels = _out_channels(match, body)
        groups = _groups(match.group("groups"), state.channels, out_channels)
    name = _next_name(state)
    transposed = bool(match.group("t"))
    state.layers.append(
        conv(
            state.channels,
            out_channels,
            kernel,
            state.layout,
            groups=groups,
            transposed=transposed,
            depthwise=depthwise,
            name=name,
            activation=activation,
        )
    )
    state.channels, state.previous, state.conv_rank = out_channels, "conv", len(kernel)


def _out_channels(match: re.Match, body: str) -> int:
    if match.group("channels") is None:
        raise _Bad(f"a convolution needs its output channels, e.g. {body}:64")
    if not _INT.fullmatch(match.group("channels")):
        raise _Bad(f"output channels {match.group('channels')!r} must be a positive integer, e.g. {body}:64")
    return _int(match.group("channels"), "output channels")


def _depthwise(match: re.Match, in_channels: int) -> tuple[int, int]:
    """``dwconv3x3`` (out = in) or ``dwconv3x3:C`` (C a multiple of in): (out_channels, groups)."""
    if match.group("t"):
        raise _Bad("a depthwise convolution is not transposed: dwconvKxK or dwconvKxK:C")
    if match.group("groups") is not None:
        raise _Bad("a depthwise convolution has one group per input channel: drop /G")
    channels = match.group("channels")
    if channels is None:
        return in_channels, in_channels
    if not _INT.fullmatch(channels):
        raise _Bad(
            f"output channels {channels!r} must be a positive integer, e.g. dwconv3x3:{2 * in_channels}"
        )
    out_channels = _int(channels, "output channels")
    if out_channels % in_channels:
        raise _Bad(
            f"a depthwise convolution's output channels {out_channels} must be a multiple of its "
            f"input channels {in_channels} (the depth multiplier)"
        )
    return out_channels, in_channels


def _kernel(text: str) -> tuple[int, ...]:
    if not _DIMS.fullmatch(text):
        raise _Bad(f"kernel {text!r} must be K, KxK or KxKxK with positive integers, e.g. conv3x3:64")
    dims = tuple(_int(d, "kernel size") for d in re.split("[x×]", text))
    if len(dims) > MAX_KERNEL_RANK:
        raise _Bad(f"kernel {text!r} has {len(dims)} dimensions; convolutions here are 1-D to 3-D")
    return dims


def _groups(text: str | None, in_channels: int, out_channels: int) -> int:
    if text is None:
        return 1
    if not _INT.fullmatch(text):
        raise _Bad(f"groups {text!r} must be a positive integer, e.g. conv3x3:64/64")
    groups = _int(text, "groups")
    if in_channels % groups or out_channels % groups:
        raise _Bad(
            f"groups {groups} must divide the input channels {in_channels} and the output channels "
            f"{out_channels}"
        )
    return groups


def _flatten(state: _Chain, body: str) -> None:
    name, colon, dims = body.partition(":")
    if name != "flatten" or not colon or not _DIMS.fullmatch(dims):
        raise _Bad("flatten is flatten:HxW (or flatten:L, flatten:DxHxW), e.g. flatten:7x7")
    if state.previous not in ("input", "conv"):
        raise _Bad(f"flatten follows the input or a convolution, not a {state.previous} layer")
    spatial = tuple(_int(d, "flatten size") for d in re.split("[x×]", dims))
    if state.previous == "conv" and len(spatial) != state.conv_rank:
        raise _Bad(
            f"flatten:{dims} has {len(spatial)} dimension(s) but the convolution before is "
            f"{state.conv_rank}-D"
        )
    if len(spatial) > MAX_KERNEL_RANK:
        raise _Bad(f"flatten:{dims} has {len(spatial)} dimensions; 1 to 3 are allowed")
    state.previous, state.flatten = "flatten", spatial


def render_arch(layers: list[Layer]) -> str:
    """The architecture string of a chain of dense/conv layers; `parse_arch` reads it back.

    Every non-linear activation is written as ``@act`` (slopes with full precision), so
    ``parse_arch(render_arch(layers), layers[0].layout) == layers`` for layers it produced.

    >>> render_arch(parse_arch("3-conv3x3:8@relu-flatten:4x4-10"))
    '3-conv3x3:8@relu-flatten:4x4-10'
    """
    if not layers:
        raise UsageError("render_arch needs at least one layer; got", "[]")
    tokens = [str(_input_channels(layers[0]))]
    for before, layer in pairwise([None, *layers]):
        if before is not None and before.out_channels != _input_channels(layer):
            link = f"{before.out_channels} → {_input_channels(layer)}"
            raise UsageError("layers do not form a chain at", layer.name, link)
        if layer.flatten:
            tokens.append("flatten:" + "x".join(map(str, layer.flatten)))
        tokens.append(_layer_token(layer) + _activation_suffix(layer.activation))
    return "-".join(tokens)


def _input_channels(layer: Layer) -> int:
    return layer.in_channels // math.prod(layer.flatten) if layer.flatten else layer.in_channels


def _layer_token(layer: Layer) -> str:
    if layer.kind == "dense":
        return str(layer.out_channels)
    if layer.kind == "depthwise":
        kernel = "x".join(map(str, layer.kernel))
        return f"dwconv{kernel}" + (
            "" if layer.out_channels == layer.in_channels else f":{layer.out_channels}"
        )
    if layer.kind in ("conv", "conv_transpose"):
        t = "t" if layer.kind == "conv_transpose" else ""
        groups = f"/{layer.groups}" if layer.groups > 1 else ""
        return f"conv{t}{'x'.join(map(str, layer.kernel))}:{layer.out_channels}{groups}"
    raise UsageError(
        "no architecture token for layer kind", layer.kind, "only dense and conv layers can be written"
    )


def _activation_suffix(activation: Activation) -> str:
    if activation == Activation():
        return ""
    return f"@{activation.name}" + ("" if activation.param is None else f":{activation.param!r}")
