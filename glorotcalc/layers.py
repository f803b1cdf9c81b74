"""The `Layer` record every input form is parsed into.

A layer is one weight tensor. Its shape is stored in one `layout` (torch ``(out, in, *k)`` or
keras/jax/flax ``(*k, in, out)``) and its fans are read from that shape with
`glorotcalc.fans.compute_fans` — so they are the fans that framework computes. The structural
fields (`in_channels`, `out_channels`, `kernel`, `groups`) let a layer be re-expressed in another
layout (`relayout`), which is where frameworks disagree: a transposed convolution's fan_in counts
its *output* channels in torch and keras but its *input* channels in flax.

>>> conv(32, 64, (5, 5)).shape, conv(32, 64, (5, 5)).fan_in
((64, 32, 5, 5), 800)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

from glorotcalc.fans import LAYOUTS, compute_fans, transposed_shape, weight_shape
from glorotcalc.gain import Activation, Gain, make_activation
from glorotcalc.recurrent import GATE_NAMES, Recurrent, RecurrentWeight

# The conventions a layer's fans are shown for; jax's layout is flax's.
FRAMEWORK_LAYOUTS = {"torch": "torch", "keras": "keras", "flax": "flax"}


@dataclass(frozen=True)
class ModelInit:
    """A model's own re-initialization of one part (weight or bias) of a layer in one framework.

    torch ``nn.Transformer._reset_parameters`` applies ``xavier_uniform_`` to every parameter with
    more than one dimension; ``nn.MultiheadAttention`` sets ``out_proj.bias`` to zeros.
    """

    framework: str
    part: str  # weight | bias
    init: str
    reason: str


@dataclass(frozen=True)
class Layer:
    """One weight tensor: its shape in `layout`, its fans, and the activation that follows it.

    kind: ``dense``, ``conv``, ``conv_transpose``, ``depthwise`` (one filter set per input
    channel: Keras ``DepthwiseConv2D``, torch ``Conv2d(groups=in)``), ``embedding``, ``bilinear``,
    ``attention`` (a packed q/k/v projection), ``gate`` (one gate's matrix of a stacked
    recurrent weight, shown beside it), ``recurrent`` (one weight parameter of a torch
    ``RNN``/``LSTM``/``GRU`` or cell: `recurrent` says which) or ``weight`` (a bare ``--shape``).
    in_channels/out_channels: features or channels (0 when unknown, as for a bare shape);
    for an embedding, the number of embeddings and the embedding dimension.
    kernel: the kernel size of a conv (for a bilinear layer, ``(in2_features,)``).
    flatten: the spatial size flattened into this dense layer's input (``flatten:7x7``).

    Resolved once, from the command line, for every input form:
    activation_given: the activation was typed (``--act`` or ``@act``), so it sets the gain;
    gain: an explicit ``--gain`` (wins over the activation); mode: an explicit ``--mode``;
    no_bias: the printout says ``bias=False``; model_init: what the model applies to this layer
    after construction (`ModelInit`); recurrent: for kind ``recurrent``, which parameter it is
    (``weight_ih_l0`` …) and the module's sizes (`glorotcalc.recurrent.Recurrent`).
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
    in_channels: int = 0
    out_channels: int = 0
    kernel: tuple[int, ...] = ()
    groups: int = 1
    flatten: tuple[int, ...] = ()
    activation_given: bool = False
    gain: Gain | None = None
    mode: str | None = None
    no_bias: bool = False
    model_init: tuple[ModelInit, ...] = ()
    recurrent: Recurrent | None = None

    @property
    def weights(self) -> int:
        return math.prod(self.shape)

    @property
    def params(self) -> int:
        return self.weights + self.bias

    @property
    def label(self) -> str:
        """A compact kind for tables: ``dense``, ``conv2d``, ``convT2d``, ``conv2d/64`` (groups), ``qkv``."""
        if self.kind == "attention":
            return "qkv"
        if self.recurrent is not None and self.kind == "recurrent":
            return f"{self.recurrent.cell} {self.recurrent.part}"
        if self.kind == "depthwise":
            return f"dwconv{len(self.kernel)}d"
        if self.kind not in ("conv", "conv_transpose"):
            return self.kind
        base = f"conv{'T' if self.kind == 'conv_transpose' else ''}{len(self.kernel)}d"
        return base if self.groups == 1 else f"{base}/{self.groups}"

    @property
    def default_key(self) -> str:
        """The key of this layer's entry in a framework's layer defaults: the kind, or for a
        recurrent weight its cell and part (``lstm_ih``, ``gru_hh``, ``lstm_hr``)."""
        if self.recurrent is None:
            return self.kind
        return f"{self.recurrent.cell}_{self.recurrent.part}"

    def per_gate_fans(self) -> tuple[int, int] | None:
        """(fan_in, fan_out) of one gate's matrix (in, H) of a stacked recurrent weight, else None."""
        if self.recurrent is None or not self.recurrent.gated:
            return None
        return self.in_channels, self.recurrent.hidden_size

    def with_activation(self, activation: Activation) -> Layer:
        return replace(self, activation=activation)

    def framework_fans(self) -> dict[str, tuple[int, int]]:
        """(fan_in, fan_out) as torch, keras and flax compute them for this same layer."""
        return {fw: _fans_in(self, layout) for fw, layout in FRAMEWORK_LAYOUTS.items()}

    def structure(self) -> dict:
        """The structural fields, for JSON records."""
        return {
            "label": self.label,
            "in_channels": self.in_channels or None,
            "out_channels": self.out_channels or None,
            "kernel": list(self.kernel),
            "groups": self.groups,
            "flatten": list(self.flatten),
            "bias": self.bias,
            **({"recurrent": _recurrent_record(self)} if self.recurrent else {}),
            "framework_fans": {
                fw: {"fan_in": fi, "fan_out": fo} for fw, (fi, fo) in self.framework_fans().items()
            },
        }


def _recurrent_record(layer: Layer) -> dict:
    r = layer.recurrent
    per_gate = layer.per_gate_fans()
    return {
        "module": r.torch_module,
        "parameter": r.parameter(),
        "bias_parameter": r.parameter("bias") if layer.bias else None,
        "hidden_size": r.hidden_size,
        "gates": 1 if r.part == "hr" else r.gates,
        "layer_index": r.index,
        "reverse": r.reverse,
        "proj_size": r.proj_size,
        "per_gate_fans": None if per_gate is None else {"fan_in": per_gate[0], "fan_out": per_gate[1]},
    }


def _fans_in(layer: Layer, layout: str) -> tuple[int, int]:
    if layer.kind == "weight":
        return layer.fan_in, layer.fan_out
    other = relayout(layer, layout)
    return other.fan_in, other.fan_out


def relayout(layer: Layer, layout: str) -> Layer:
    """The same layer with its weight stored in `layout` (its fans are that framework's)."""
    if layer.kind == "weight" or not layer.in_channels or layout == layer.layout:
        return layer
    shape = layer_shape(layer.kind, layer.in_channels, layer.out_channels, layer.kernel, layer.groups, layout)
    fan_in, fan_out = compute_fans(shape, layout)
    structure = (layer.kind, layer.in_channels, layer.out_channels, layer.kernel, layer.groups)
    old = _kind_notes(*structure, layer.layout)
    notes = (*_kind_notes(*structure, layout), *(n for n in layer.notes if n not in old))
    return replace(layer, shape=shape, layout=layout, fan_in=fan_in, fan_out=fan_out, notes=notes)


def layer_shape(
    kind: str, in_channels: int, out_channels: int, kernel: tuple[int, ...], groups: int, layout: str
) -> tuple[int, ...]:
    """The weight shape of a layer in `layout`.

    torch: Linear ``(out, in)``, ConvNd ``(out, in/g, *k)``, ConvTransposeNd ``(in, out/g, *k)``,
    Embedding ``(num, dim)``, Bilinear ``(out, in1, in2)``, packed in_proj ``(3E, E)``.
    keras: Dense ``(in, out)``, ConvND ``(*k, in/g, out)``, ConvNDTranspose ``(*k, out, in)``,
    Embedding ``(num, dim)``, DepthwiseConv ``(*k, in, out/in)``. flax: ConvTranspose
    ``(*k, in, out)``; a depthwise conv is ``Conv(feature_group_count=in)`` ``(*k, 1, out)``.
    """
    if layout not in LAYOUTS:
        return _framework_layer_shape(kind, in_channels, out_channels, kernel, groups, layout)
    if kind == "embedding":
        return (in_channels, out_channels)
    if kind == "depthwise":  # keras DepthwiseConv2D: (*k, in, depth_multiplier); else groups = in
        if layout == "keras":
            return (*kernel, in_channels, out_channels // in_channels)
        return weight_shape(1, out_channels, kernel, layout)
    if kind == "conv_transpose":
        if layout == "torch":
            return (in_channels, out_channels // groups, *kernel)
        if layout == "keras":
            return (*kernel, out_channels // groups, in_channels)
        return (*kernel, in_channels, out_channels // groups)
    return weight_shape(in_channels // groups, out_channels, kernel, layout)


# Flux.jl stores an Embedding (out, in): the table is (dim, vocabulary) (src/layers/basic.jl)
EMBEDDING_DIM_FIRST = frozenset({"flux"})


def _framework_layer_shape(
    kind: str, in_channels: int, out_channels: int, kernel: tuple[int, ...], groups: int, layout: str
) -> tuple[int, ...]:
    """The weight shape in a framework's own layout (`glorotcalc.fans.READING`): a depthwise conv
    is a conv with groups = in (``(…, 1, …)``), a transposed conv by `glorotcalc.fans.TRANSPOSED`."""
    if kind == "embedding":
        dims = (in_channels, out_channels)
        return dims[::-1] if layout in EMBEDDING_DIM_FIRST else dims
    if kind == "depthwise":
        return weight_shape(1, out_channels, kernel, layout)
    if kind == "conv_transpose":
        return transposed_shape(in_channels, out_channels, kernel, groups, layout)
    return weight_shape(in_channels // groups, out_channels, kernel, layout)


def _build(
    kind: str,
    in_channels: int,
    out_channels: int,
    kernel: tuple[int, ...],
    layout: str,
    *,
    groups: int = 1,
    name: str = "",
    bias: int = 0,
    activation: Activation | None = None,
    flatten: tuple[int, ...] = (),
    notes: tuple[str, ...] = (),
) -> Layer:
    shape = layer_shape(kind, in_channels, out_channels, kernel, groups, layout)
    fan_in, fan_out = compute_fans(shape, layout)
    return Layer(
        name,
        kind,
        shape,
        layout,
        fan_in,
        fan_out,
        activation or Activation(),
        bias,
        (*_kind_notes(kind, in_channels, out_channels, kernel, groups, layout), *notes),
        in_channels,
        out_channels,
        tuple(kernel),
        groups,
        tuple(flatten),
    )


def dense(
    fan_in: int,
    fan_out: int,
    layout: str = "torch",
    *,
    name: str = "",
    bias: int = 0,
    activation: Activation | None = None,
    flatten: tuple[int, ...] = (),
    notes: tuple[str, ...] = (),
) -> Layer:
    """A fully connected layer ``fan_in → fan_out`` (torch ``(out, in)``, keras ``(in, out)``)."""
    return _build(
        "dense",
        fan_in,
        fan_out,
        (),
        layout,
        name=name,
        bias=bias,
        activation=activation,
        flatten=flatten,
        notes=notes,
    )


def conv(
    in_channels: int,
    out_channels: int,
    kernel: tuple[int, ...],
    layout: str = "torch",
    *,
    groups: int = 1,
    transposed: bool = False,
    depthwise: bool = False,
    name: str = "",
    bias: int = 0,
    activation: Activation | None = None,
) -> Layer:
    """A (transposed) convolution; torch ``(out, in/groups, *k)``, transposed ``(in, out/groups, *k)``.

    fan_in = in/groups·∏k (transposed, torch/keras: out/groups·∏k; flax: in·∏k).
    """
    kind = "conv_transpose" if transposed else "conv"
    if depthwise:
        kind, groups = "depthwise", in_channels
    return _build(
        kind,
        in_channels,
        out_channels,
        tuple(kernel),
        layout,
        groups=groups,
        name=name,
        bias=bias,
        activation=activation,
    )


def embedding(num_embeddings: int, embedding_dim: int, layout: str = "torch", *, name: str = "") -> Layer:
    """An embedding table ``(num_embeddings, embedding_dim)`` — the same tensor in every framework."""
    return _build("embedding", num_embeddings, embedding_dim, (), layout, name=name)


def bilinear(in1: int, in2: int, out: int, layout: str = "torch", *, name: str = "", bias: int = 0) -> Layer:
    """torch ``Bilinear`` weight ``(out, in1, in2)``: torch's fan rule reads in2 as a receptive field."""
    return _build("bilinear", in1, out, (in2,), layout, name=name, bias=bias)


def packed_qkv(embed_dim: int, layout: str = "torch", *, name: str = "", bias: int = 0) -> Layer:
    """``nn.MultiheadAttention.in_proj_weight`` ``(3E, E)``: q, k and v projections in one tensor."""
    return _build("attention", embed_dim, 3 * embed_dim, (), layout, name=name, bias=bias)


def recurrent(
    weight: RecurrentWeight, layout: str = "torch", *, name: str = "", activation: Activation | None = None
) -> Layer:
    """One weight parameter of a torch recurrent module: torch ``(rows, cols)`` (``weight_ih_l0``
    ``(gates·H, in)``), Keras ``(cols, rows)`` (``kernel`` ``(in, gates·H)``); bias = its
    ``bias_ih``/``bias_hh`` count. Its fans are those of the stacked matrix: fan_out = gates·H."""
    layer = _build(
        "recurrent",
        weight.cols,
        weight.rows,
        (),
        layout,
        name=name,
        bias=weight.bias,
        activation=activation or recurrent_activation(weight.recurrent),
        notes=recurrent_notes(weight),
    )
    return replace(layer, recurrent=weight.recurrent)


def per_gate(layer: Layer) -> Layer | None:
    """One gate's matrix of a stacked recurrent weight — torch ``(H, in)`` of ``(gates·H, in)`` —
    as a layer of kind ``gate`` (shown beside the stacked weight by the lookup), else None."""
    fans = layer.per_gate_fans()
    if fans is None:
        return None
    shape = weight_shape(fans[0], fans[1], (), layer.layout)
    fan_in, fan_out = compute_fans(shape, layer.layout)
    return replace(
        layer,
        name=f"{layer.name}/gate",
        kind="gate",
        shape=shape,
        fan_in=fan_in,
        fan_out=fan_out,
        out_channels=fans[1],
        bias=0,
        notes=(),
    )


def recurrent_activation(r: Recurrent) -> Activation:
    """What follows the weight: an RNN's nonlinearity (tanh or relu); an LSTM's or GRU's gates are
    sigmoid (i, f, o; r, z — the cell candidate g, n is tanh): sigmoid, gain 1 as linear; the LSTM
    projection h = W_hr·(o ⊙ tanh(c)) is linear."""
    if r.part == "hr":
        return Activation()
    return make_activation(r.nonlinearity if r.cell == "rnn" else "sigmoid")


def recurrent_notes(weight: RecurrentWeight) -> tuple[str, ...]:
    """torch's U(±1/√H) default, and for a stacked gate matrix its fans beside one gate's.

    Glorot on the stacked ``(gates·H, in)`` weight (torch ``xavier_*_`` on ``weight_ih_l0``,
    Keras's ``glorot_uniform`` kernel) uses fan_out = gates·H; on one gate's ``(H, in)`` matrix
    (Flax's per-gate ``Dense``) fan_out = H. fan_in-based schemes (He, LeCun) are the same.
    """
    r = weight.recurrent
    hidden = r.hidden_size
    notes = [
        f"torch {r.torch_module} draws U(±1/√H) = U(±{1 / math.sqrt(hidden):.6g}) on every parameter "
        f"(H = {hidden}; reset_parameters), whatever its shape"
    ]
    if r.gated:
        stacked = math.sqrt(2 / (weight.cols + weight.rows))
        per_gate = math.sqrt(2 / (weight.cols + hidden))
        notes.append(
            f"{r.gates} gates ({GATE_NAMES[r.cell]}) stacked ({weight.rows}, {weight.cols}): fan_out "
            f"{r.gates}H = {weight.rows}, Glorot std {stacked:.6g}; per gate ({hidden}, {weight.cols}): "
            f"fan_out H = {hidden}, Glorot std {per_gate:.6g}; fan_in (He, LeCun) is the same"
        )
    return tuple(notes)


def from_shape(
    shape: tuple[int, ...], layout: str, *, name: str = "weight", activation: Activation | None = None
) -> Layer:
    """A bare weight of `shape` in `layout` (``--shape``)."""
    fan_in, fan_out = compute_fans(shape, layout)
    return Layer(name, "weight", tuple(shape), layout, fan_in, fan_out, activation or Activation())


def _kind_notes(
    kind: str, in_channels: int, out_channels: int, kernel: tuple[int, ...], groups: int, layout: str
) -> tuple[str, ...]:
    """What a user must know about this kind of weight (transposed, grouped, packed, …)."""
    rf = math.prod(kernel)
    notes = []
    if kind == "conv_transpose":
        notes.append(_transposed_note(in_channels, out_channels, rf, groups))
    if kind in ("conv", "conv_transpose") and groups > 1:
        notes.append(_groups_note(kind, in_channels, out_channels, rf, groups))
    if kind == "depthwise":
        notes.append(_depthwise_note(in_channels, out_channels, kernel))
    if kind == "attention":
        e = in_channels
        notes.append(
            f"packed q/k/v ({3 * e}, {e}) = (3E, E): Xavier on it (torch's choice) uses fan_out 3E → std "
            f"{math.sqrt(2 / (4 * e)):.6g}, 1/√2 of Xavier per projection ({math.sqrt(1 / e):.6g})"
        )
    if kind == "bilinear":
        notes.append(
            f"Bilinear (out, in1, in2): torch's fan rule takes in2 = {kernel[0]} as a receptive field; "
            f"torch draws U(±1/√in1) = U(±{1 / math.sqrt(in_channels):.6g})"
        )
    if kind == "embedding":
        notes.append(
            f"lookup table (num, dim): fan_in = dim = {out_channels} in torch, num = {in_channels} in "
            "keras/flax; torch draws N(0, 1)"
        )
    return tuple(notes)


def _transposed_note(in_channels: int, out_channels: int, rf: int, groups: int) -> str:
    torch_fans = f"{out_channels // groups * rf}/{in_channels * rf}"
    if groups > 1:
        return (
            f"transposed: fan_in/fan_out = {torch_fans} in torch, whose weight (in, out/groups, *k) takes "
            "fan_in from the output channels; keras and flax have no grouped transposed conv"
        )
    return (
        f"transposed: fan_in/fan_out = {torch_fans} in torch and keras (output channels), "
        f"{in_channels * rf}/{out_channels * rf} in flax (input channels)"
    )


def _groups_note(kind: str, in_channels: int, out_channels: int, rf: int, groups: int) -> str:
    if kind == "conv_transpose":
        return (
            f"groups={groups}: torch's fan_out = in·∏k = {in_channels * rf} counts all {groups} groups, "
            f"{groups}× the in/groups·∏k = {in_channels // groups * rf} of one group"
        )
    depthwise = "; Keras DepthwiseConv2D has other fans: write dwconvKxK" if groups == in_channels else ""
    return (
        f"groups={groups} (torch Conv(groups), Keras Conv(groups), Flax feature_group_count): fan_in "
        f"{in_channels // groups * rf} is right; fan_out {out_channels * rf} is {groups}× the "
        f"out/groups·∏k = {out_channels // groups * rf} outputs each input feeds{depthwise}"
    )


def _depthwise_note(in_channels: int, out_channels: int, kernel: tuple[int, ...]) -> str:
    rf, multiplier = math.prod(kernel), out_channels // in_channels
    return (
        f"depthwise: Keras DepthwiseConv{len(kernel)}D kernel (*k, in, multiplier) has fans "
        f"{in_channels * rf}/{multiplier * rf}; torch Conv{len(kernel)}d(groups={in_channels}) and Flax "
        f"Conv(feature_group_count={in_channels}) have fans {rf}/{out_channels * rf}"
    )
