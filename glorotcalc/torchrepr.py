"""A PyTorch ``print(model)`` printout → layers, read as text (nothing is imported or evaluated).

Recognized, with their weight shapes (torch layout):

- ``Linear`` (also ``NonDynamicallyQuantizableLinear``) ``(out, in)``;
- ``Conv1d/2d/3d`` ``(out, in/groups, *k)``; ``ConvTranspose1d/2d/3d`` ``(in, out/groups, *k)``;
- ``Embedding``/``EmbeddingBag`` ``(num, dim)``; ``Bilinear`` ``(out, in1, in2)``;
- ``MultiheadAttention`` (and so ``TransformerEncoderLayer``/``DecoderLayer``): the packed
  ``in_proj_weight`` ``(3E, E)``, read from its ``out_proj`` ``(E, E)``, then ``out_proj``;
- ``RNN``/``LSTM``/``GRU`` (``num_layers``, ``bidirectional``, ``proj_size``, ``bias=False``;
  ``batch_first`` and ``dropout`` change no weight) and ``RNNCell``/``LSTMCell``/``GRUCell``: one
  layer per weight parameter, named as torch names it (``lstm.weight_ih_l0``,
  ``lstm.weight_hh_l1_reverse``, ``lstm.weight_hr_l0``, a cell's ``weight_ih``), each with its
  bias count (`glorotcalc.recurrent`). torch 2.13 ``RNNBase.extra_repr`` prints
  ``LSTM(128, 256, proj_size=64, num_layers=2, bias=False, batch_first=True, bidirectional=True)``
  and never the RNN's nonlinearity (read as torch's default tanh, with a note);
  ``RNNCellBase.extra_repr`` prints ``RNNCell(10, 20, nonlinearity=relu)``.

Containers (``Sequential``, ``ModuleList``, custom modules) give dotted module paths as layer names
(``features.0``); torch's ``(0-5): 6 x Block(…)`` repeats are expanded. An activation module
(``ReLU()``, ``LeakyReLU(negative_slope=0.2)``, ``GELU``, …) that follows a layer in its container,
with only weightless modules (norms, dropout, pooling) between, gives that layer its activation;
layers without one take the default activation. Weightless modules are passed over and counted in
a note; modules glorotcalc does not know are listed in a note — never dropped silently, never an
error.

>>> model = parse_torch_repr("Sequential(\\n  (0): Linear(in_features=4, out_features=2)\\n)")
>>> [(layer.name, layer.shape) for layer in model]
[('0', (2, 4))]
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace

from glorotcalc.errors import GlorotcalcError, UsageError
from glorotcalc.gain import Activation, make_activation
from glorotcalc.layers import Layer, ModelInit, bilinear, conv, dense, embedding, packed_qkv, recurrent
from glorotcalc.recurrent import NONLINEARITIES, recurrent_weights

MAX_LAYERS = 10_000
MAX_MODULES = 1_000_000  # modules visited while expanding repeats
MAX_LISTED = 12  # unknown modules named in the table note (JSON lists all)
MAX_DIGITS = 30
MAX_DEPTH = 100  # nesting of modules in one printout

_HEAD = re.compile(r"\((?P<key>[^()]*)\):\s*(?:(?P<count>[0-9]+) x )?(?P<body>.*)")
_MODULE = re.compile(r"(?P<type>[A-Za-z_][A-Za-z0-9_.]*)\((?P<rest>.*)")
_RANGE = re.compile(r"(?P<first>[0-9]+)-(?P<last>[0-9]+)")
_DIGITS = re.compile(rf"[0-9]{{1,{MAX_DIGITS}}}")
_KEYWORD = re.compile(r"(?P<key>[A-Za-z_][A-Za-z0-9_]*)=(?P<value>.*)", re.S)

LINEAR_TYPES = ("Linear", "NonDynamicallyQuantizableLinear", "LazyLinear")
ATTENTION_TYPES = ("MultiheadAttention",)
TRANSFORMER_LAYER_TYPES = ("TransformerEncoderLayer", "TransformerDecoderLayer")
XAVIER_MODELS = ("Transformer",)  # models whose _reset_parameters re-initialize every weight
ORDERED_CONTAINERS = ("Sequential", "ModuleList")
RECURRENT_TYPES = {"RNN": "rnn", "LSTM": "lstm", "GRU": "gru"}
RNN_NONLINEARITY_NOTE = (
    "RNN: print(model) never shows its nonlinearity (torch RNNBase.extra_repr): read as tanh, "
    "torch's default; write rnnH@relu in an architecture string for nonlinearity='relu'"
)
_CONV_TYPE = re.compile(r"(?P<lazy>Lazy)?Conv(?P<t>Transpose)?(?P<rank>[123])d")
_WEIGHTLESS = re.compile(
    r"(?:Dropout|Dropout[123]d|AlphaDropout|FeatureAlphaDropout|(?:Lazy)?BatchNorm[123]d|SyncBatchNorm"
    r"|(?:Lazy)?InstanceNorm[123]d|LayerNorm|GroupNorm|RMSNorm|LocalResponseNorm|CrossMapLRN2d"
    r"|(?:Max|Avg|AdaptiveAvg|AdaptiveMax|LP|FractionalMax)Pool[123]d|MaxUnpool[123]d"
    r"|Flatten|Unflatten|Identity|Upsample|UpsamplingNearest2d|UpsamplingBilinear2d"
    r"|PixelShuffle|PixelUnshuffle|ChannelShuffle|(?:Zero|Constant|Reflection|Replication|Circular)Pad[123]d"
    r"|Softmax|Softmax2d|LogSoftmax|Softmin|Fold|Unfold|Sequential|ModuleList|ModuleDict)"
)
# activation modules whose gain glorotcalc knows, by torch class name
SIMPLE_ACTIVATIONS = {
    "ReLU": "relu",
    "Tanh": "tanh",
    "Sigmoid": "sigmoid",
    "SELU": "selu",
    "GELU": "gelu",
    "SiLU": "silu",
    "Mish": "mish",
}


@dataclass
class Node:
    """One module line of the printout: a leaf ``Type(args)`` or a block with children."""

    type: str
    key: str
    args: str | None
    children: list[Node] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    first: int | None = None  # a repeat ``(first-last): n x Type(…)``
    last: int | None = None

    @property
    def text(self) -> str:
        return f"{self.type}({self.args})" if self.args is not None else f"{self.type}(…)"


@dataclass(frozen=True)
class UnknownModule:
    """A module not analysed: its path, its printout, and why."""

    name: str
    module: str
    reason: str

    def as_dict(self) -> dict:
        return {"name": self.name, "module": self.module, "reason": self.reason}


class ParsedModel(list):
    """The layers of a printout (a list of `Layer`), plus what was passed over or not understood.

    `notes`: lines for under the table; `unknown`: modules not analysed; `passed_over`: weightless
    modules by type.
    """

    def __init__(
        self,
        layers: list[Layer],
        notes: list[str],
        unknown: list[UnknownModule],
        passed_over: dict[str, int],
    ) -> None:
        super().__init__(layers)
        self.notes = notes
        self.unknown = unknown
        self.passed_over = passed_over


class _Unknown(Exception):
    """This module cannot be analysed; the message says why."""


def parse_torch_repr(text: str, layout: str = "torch", activation: Activation | None = None) -> ParsedModel:
    """Read what ``print(model)`` printed into layers named by their module paths.

    `activation` is the default for layers no activation module follows (linear when None).
    Raises `GlorotcalcError` only when the text holds no module printout or no layer with a weight.
    """
    roots, ignored = parse_tree(text)
    if not roots:
        raise GlorotcalcError(
            "no torch module printout found",
            None,
            "expected what print(model) prints, e.g. Sequential( (0): Linear(in_features=784, "
            "out_features=256, bias=True) … )",
        )
    walker = _Walker(layout)
    for root in roots:
        walker.walk_root(root)
    layers = walker.finish(activation or Activation())
    notes = walker.summary_notes()
    if ignored:
        notes.append(f"ignored {ignored} line(s) outside the module printout")
    if not layers:
        unknown = "; ".join(f"{u.name} {u.module}" for u in walker.unknown[:MAX_LISTED]) or "none"
        raise GlorotcalcError(
            "no layer with a weight matrix in the printout",
            None,
            f"recognized Linear, Conv*d, ConvTranspose*d, Embedding, Bilinear, MultiheadAttention, "
            "RNN, LSTM, GRU and their cells; "
            f"not analysed: {unknown}",
        )
    return ParsedModel(layers, notes, walker.unknown, dict(walker.passed))


# ---------------------------------------------------------------------------------------------
# text → tree


def parse_tree(text: str) -> tuple[list[Node], int]:
    """The module tree(s) of a printout, and the number of lines outside any module."""
    roots: list[Node] = []
    stack: list[Node] = []
    ignored = 0
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if stack and line == ")":
            stack.pop()
            continue
        head = _HEAD.fullmatch(line) if stack else None
        if head:
            _child(stack, head)
            continue
        module = _MODULE.fullmatch(line)
        if not stack and module:
            node = _node(module.group("type"), "", module.group("rest"))
            roots.append(node)
            _push_if_open(stack, node)
        elif stack:
            stack[-1].extra.append(line)
        else:
            ignored += 1
    return roots, ignored


def _child(stack: list[Node], head: re.Match) -> None:
    module = _MODULE.fullmatch(head.group("body"))
    key = head.group("key").strip()
    if module is None:
        node = Node(head.group("body")[:80] or "?", key, "")
    else:
        node = _node(module.group("type"), key, module.group("rest"))
    repeat = _RANGE.fullmatch(key)
    if head.group("count") and repeat:
        node.first, node.last = int(repeat.group("first")), int(repeat.group("last"))
    stack[-1].children.append(node)
    _push_if_open(stack, node)


def _node(type_name: str, key: str, rest: str) -> Node:
    """``Type(`` opens a block; ``Type(args)`` is a leaf (args may hold nested parentheses)."""
    close = _closing(rest)
    if close is None:
        return Node(type_name, key, None, extra=[rest] if rest else [])
    return Node(type_name, key, rest[:close])


def _closing(rest: str) -> int | None:
    """Index of the ')' closing the module's '(' in `rest`, or None if it stays open."""
    for i, char, depth in _scan(rest, depth=1):
        if char in ")]}" and depth == 0:
            return i
    return None


def _scan(text: str, depth: int = 0):
    """(index, char, bracket depth) of every character outside quotes; a closer is at its outer depth."""
    quote = ""
    for i, char in enumerate(text):
        if quote:
            quote = "" if char == quote else quote
            continue
        if char in "'\"":
            quote = char
            continue
        if char in ")]}":
            depth -= 1
        yield i, char, depth
        if char in "([{":
            depth += 1


def _push_if_open(stack: list[Node], node: Node) -> None:
    if node.args is None:
        if len(stack) >= MAX_DEPTH:
            raise GlorotcalcError(f"the printout nests modules deeper than {MAX_DEPTH} levels")
        stack.append(node)


# ---------------------------------------------------------------------------------------------
# arguments


def split_args(text: str) -> tuple[list[object], dict[str, object]]:
    """``3, 8, kernel_size=(5,), bias=False`` → ([3, 8], {"kernel_size": (5,), "bias": False})."""
    positional: list[object] = []
    keywords: dict[str, object] = {}
    for part in _top_level(text):
        keyword = _KEYWORD.fullmatch(part)
        if keyword:
            keywords[keyword.group("key")] = _value(keyword.group("value"))
        else:
            positional.append(_value(part))
    return positional, keywords


def _top_level(text: str) -> list[str]:
    parts, start = [], 0
    for i, char, depth in _scan(text):
        if char == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return [p.strip() for p in parts if p.strip()]


def _value(text: str) -> object:
    text = text.strip()
    if text in ("True", "False"):
        return text == "True"
    if _DIGITS.fullmatch(text):
        return int(text)
    if text.startswith("(") and text.endswith(")"):
        items = [item.strip() for item in text[1:-1].split(",") if item.strip()]
        if items and all(_DIGITS.fullmatch(item) for item in items):
            return tuple(int(item) for item in items)
    if len(text) <= MAX_DIGITS:
        try:
            return float(text)
        except ValueError:
            pass
    return text.strip("'\"")


def _count(value: object, what: str, *, zero: str | None = None) -> int:
    """A positive integer argument, or _Unknown naming it."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise _Unknown(f"cannot read {what} {value!r}")
    if value == 0 and zero:
        raise _Unknown(zero)
    if not 0 < value < 2**63:
        raise _Unknown(f"{what} {value} is not a positive integer below 2**63")
    return value


def _argument(positional: list, keywords: dict, index: int, name: str) -> object:
    if name in keywords:
        return keywords[name]
    return positional[index] if index < len(positional) else None


# ---------------------------------------------------------------------------------------------
# leaves → layers / activations


def _linear(args: str, layout: str, name: str) -> list[Layer]:
    positional, keywords = split_args(args)
    lazy = "lazy module: in_features is not known until the first forward pass"
    fan_in = _count(_argument(positional, keywords, 0, "in_features"), "in_features", zero=lazy)
    fan_out = _count(_argument(positional, keywords, 1, "out_features"), "out_features")
    bias = fan_out if keywords.get("bias", True) is not False else 0
    return [_biased(dense(fan_in, fan_out, layout, name=name, bias=bias))]


def _biased(layer: Layer) -> Layer:
    """A layer printed with ``bias=False`` has no bias (its bias count is then 0)."""
    return replace(layer, no_bias=layer.bias == 0)


def _conv(args: str, layout: str, name: str, rank: int, transposed: bool) -> list[Layer]:
    positional, keywords = split_args(args)
    lazy = "lazy module: in_channels is not known until the first forward pass"
    in_channels = _count(_argument(positional, keywords, 0, "in_channels"), "in_channels", zero=lazy)
    out_channels = _count(_argument(positional, keywords, 1, "out_channels"), "out_channels")
    kernel = _argument(positional, keywords, 2, "kernel_size")
    kernel = (kernel,) * rank if isinstance(kernel, int) and not isinstance(kernel, bool) else kernel
    if not isinstance(kernel, tuple) or len(kernel) != rank:
        raise _Unknown(f"cannot read a {rank}-D kernel_size from {kernel!r}")
    kernel = tuple(_count(k, "kernel size") for k in kernel)
    groups = _count(keywords.get("groups", 1), "groups")
    if in_channels % groups or out_channels % groups:
        raise _Unknown(f"groups {groups} does not divide {in_channels} and {out_channels} channels")
    bias = out_channels if keywords.get("bias", True) is not False else 0
    return [
        _biased(
            conv(
                in_channels,
                out_channels,
                kernel,
                layout,
                groups=groups,
                transposed=transposed,
                name=name,
                bias=bias,
            )
        )
    ]


def _embedding(args: str, layout: str, name: str) -> list[Layer]:
    positional, keywords = split_args(args)
    num = _count(_argument(positional, keywords, 0, "num_embeddings"), "num_embeddings")
    dim = _count(_argument(positional, keywords, 1, "embedding_dim"), "embedding_dim")
    return [embedding(num, dim, layout, name=name)]


def _bilinear(args: str, layout: str, name: str) -> list[Layer]:
    positional, keywords = split_args(args)
    in1 = _count(_argument(positional, keywords, 0, "in1_features"), "in1_features")
    in2 = _count(_argument(positional, keywords, 1, "in2_features"), "in2_features")
    out = _count(_argument(positional, keywords, 2, "out_features"), "out_features")
    bias = out if keywords.get("bias", True) is not False else 0
    return [_biased(bilinear(in1, in2, out, layout, name=name, bias=bias))]


def _recurrent(args: str, layout: str, name: str, cell: str, cell_module: bool) -> list[Layer]:
    """``LSTM(128, 256, proj_size=64, num_layers=2, bias=False, bidirectional=True)`` or
    ``GRUCell(10, 20)`` → one layer per weight parameter, named ``{name}.weight_ih_l0`` …"""
    positional, keywords = split_args(args)
    input_size = _count(_argument(positional, keywords, 0, "input_size"), "input_size")
    hidden_size = _count(_argument(positional, keywords, 1, "hidden_size"), "hidden_size")
    proj_size = keywords.get("proj_size", 0)
    proj_size = 0 if proj_size == 0 else _count(proj_size, "proj_size")
    if proj_size and (cell != "lstm" or cell_module):
        raise _Unknown("proj_size is an LSTM's only")
    if proj_size >= hidden_size and proj_size:
        raise _Unknown(f"proj_size {proj_size} must be smaller than hidden_size {hidden_size}")
    nonlinearity = str(keywords.get("nonlinearity", "tanh"))
    if nonlinearity not in NONLINEARITIES:
        raise _Unknown(f"nonlinearity {nonlinearity!r}: torch RNNs take tanh or relu")
    weights = recurrent_weights(
        cell,
        input_size,
        hidden_size,
        num_layers=1 if cell_module else _count(keywords.get("num_layers", 1), "num_layers"),
        bidirectional=keywords.get("bidirectional", False) is True,
        proj_size=proj_size,
        bias=keywords.get("bias", True) is not False,
        nonlinearity=nonlinearity,
        cell_module=cell_module,
    )
    prefix = f"{name}." if name else ""
    return [_biased(recurrent(weight, layout, name=prefix + weight.parameter)) for weight in weights]


def leaf_layers(node: Node, layout: str, name: str) -> list[Layer] | None:
    """The weight layers of a leaf module, None if it is not a layer type; _Unknown if unreadable."""
    args = node.args if node.args is not None else ", ".join(node.extra)
    if node.type in LINEAR_TYPES:
        return _linear(args, layout, name)
    conv_type = _CONV_TYPE.fullmatch(node.type)
    if conv_type:
        return _conv(args, layout, name, int(conv_type.group("rank")), bool(conv_type.group("t")))
    if node.type in ("Embedding", "EmbeddingBag"):
        return _embedding(args, layout, name)
    if node.type == "Bilinear":
        return _bilinear(args, layout, name)
    cell = RECURRENT_TYPES.get(node.type.removesuffix("Cell"))
    if cell is not None:
        root = name == node.type and not node.key  # a printout of the module alone
        return _recurrent(args, layout, "" if root else name, cell, node.type.endswith("Cell"))
    return None


def leaf_activation(node: Node) -> tuple[Activation, str | None] | None:
    """The activation of an activation module and a note when it is read approximately."""
    if node.type in SIMPLE_ACTIVATIONS:
        return make_activation(SIMPLE_ACTIVATIONS[node.type]), None
    _, keywords = split_args(node.args or "")
    if node.type == "LeakyReLU":
        slope = keywords.get("negative_slope", 0.01)
        return make_activation("leaky_relu", float(slope) if isinstance(slope, (int, float)) else 0.01), None
    if node.type == "ReLU6":
        return make_activation("relu"), "ReLU6 read as relu"
    if node.type == "PReLU":
        return make_activation("leaky_relu", 0.25), "PReLU read as leaky_relu with its initial slope 0.25"
    if node.type == "RReLU":
        lower, upper = keywords.get("lower", 1 / 8), keywords.get("upper", 1 / 3)
        if isinstance(lower, float) and isinstance(upper, float):
            slope = (lower + upper) / 2
            note = f"RReLU read as leaky_relu:{slope:g} (its eval-mode slope)"
            return make_activation("leaky_relu", slope), note
    if node.type in ("ELU", "CELU"):
        alpha = keywords.get("alpha", 1.0)
        note = f"{node.type}(alpha={alpha}) read as elu; the elu gain assumes alpha 1"
        note = None if alpha == 1.0 else note
        return make_activation("elu"), note
    if node.type == "Softplus":
        beta = keywords.get("beta", 1.0)
        note = None if beta == 1.0 else f"Softplus(beta={beta}) read as softplus; its gain assumes beta 1"
        return make_activation("softplus"), note
    return None


# ---------------------------------------------------------------------------------------------
# tree → layers


@dataclass
class _Slot:
    layer: Layer
    activation: Activation | None = None
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Seen:
    """What a leaf module turned out to be: a layer, an activation, weightless or unknown."""

    what: str
    activation: Activation | None = None
    note: str | None = None


class _Walker:
    def __init__(self, layout: str) -> None:
        self.layout = layout
        self.slots: list[_Slot] = []
        self.unknown: list[UnknownModule] = []
        self.passed: Counter[str] = Counter()
        self.unmatched: list[str] = []
        self.print_order: set[str] = set()
        self.assumed: dict[str, str] = {}  # model-level notes, once per module type
        self.visited = 0

    def walk_root(self, root: Node) -> None:
        if root.args is not None:
            self.leaf(root, root.type)
        else:
            self.block(root, "")

    def block(self, node: Node, path: str) -> None:
        """A container: its children in order; an activation goes to the layer just before it."""
        first = len(self.slots)
        self.container(node, path)
        if node.type in XAVIER_MODELS:
            self.xavier(first, node.type)

    def xavier(self, first: int, module: str) -> None:
        """nn.Transformer._reset_parameters: xavier_uniform_ on every parameter with dim > 1."""
        xavier = ModelInit("torch", "weight", "xavier_uniform_", f"nn.{module}._reset_parameters")
        for slot in self.slots[first:]:
            slot.layer = replace(slot.layer, model_init=(*slot.layer.model_init, xavier))
        self.assumed[module] = (
            f"{module}: its _reset_parameters re-initializes every weight with xavier_uniform_ "
            "(torch's default for each layer does not apply; biases keep theirs)"
        )

    def container(self, node: Node, path: str) -> None:
        if node.type in ATTENTION_TYPES:
            self.attention(node, path)
            return
        if not node.children and node.extra:
            self.leaf(node, path or node.type)
            return
        transformer = node.type in TRANSFORMER_LAYER_TYPES
        open_slot: int | None = None
        linear1: int | None = None
        function_activation = True
        for child, name in self.expand(node.children, path):
            if child.args is None and (child.children or child.type in ATTENTION_TYPES):
                self.block(child, name)
                open_slot = None
                continue
            seen = self.leaf(child, name)
            if transformer and child.key == "activation":
                function_activation = False
                if seen.what == "activation" and linear1 is not None:
                    self.attach(linear1, seen)
            elif seen.what == "activation":
                self.match(open_slot, seen, name, child.type, node.type)
                open_slot = None
            elif seen.what == "layer":
                open_slot = len(self.slots) - 1
                linear1 = open_slot if child.key == "linear1" else linear1
            elif seen.what in ("unknown", "recurrent"):  # an RNN returns a tuple: nothing follows it
                open_slot = None
        if transformer and function_activation and linear1 is not None:
            self.transformer_default(node, linear1)

    def expand(self, children: list[Node], path: str):
        for child in children:
            keys = [child.key] if child.first is None else map(str, range(child.first, child.last + 1))
            for key in keys:
                self.visited += 1
                if self.visited > MAX_MODULES:
                    raise GlorotcalcError(f"the printout expands to more than {MAX_MODULES:,} modules")
                yield child, f"{path}.{key}" if path else key

    def leaf(self, node: Node, name: str) -> _Seen:
        """Record a leaf: its layers, or as weightless, or as unknown; an activation is returned."""
        try:
            layers = leaf_layers(node, self.layout, name)
            activation = None if layers is not None else leaf_activation(node)
        except (_Unknown, UsageError) as problem:
            self.unknown.append(UnknownModule(name, node.text, str(problem)))
            return _Seen("unknown")
        if layers is not None:
            self.add(layers)
            if layers[0].recurrent is not None:
                if node.type == "RNN":
                    self.assumed["RNN"] = RNN_NONLINEARITY_NOTE
                return _Seen("recurrent")
            return _Seen("layer")
        if activation is not None:
            return _Seen("activation", *activation)
        if _WEIGHTLESS.fullmatch(node.type) and not node.children:
            self.passed[node.type] += 1
            return _Seen("weightless")
        self.unknown.append(UnknownModule(name, node.text, "unknown module type"))
        return _Seen("unknown")

    def add(self, layers: list[Layer]) -> None:
        # a recurrent weight's activation is its cell's (sigmoid gates, the RNN's tanh/relu)
        self.slots.extend(_Slot(layer, layer.activation if layer.recurrent else None) for layer in layers)
        if len(self.slots) > MAX_LAYERS:
            raise GlorotcalcError(f"the printout has more than {MAX_LAYERS:,} layers")

    def match(self, open_slot: int | None, seen: _Seen, name: str, module: str, container: str) -> None:
        if open_slot is None:
            self.unmatched.append(f"{name} {module}")
            return
        self.attach(open_slot, seen)
        if container not in ORDERED_CONTAINERS:
            self.print_order.add(container)

    def attach(self, index: int, seen: _Seen) -> None:
        slot = self.slots[index]
        slot.activation = seen.activation
        slot.notes += (seen.note,) if seen.note else ()

    def attention(self, node: Node, path: str) -> None:
        """MultiheadAttention: the packed in_proj (3E, E) from out_proj (E, E), then out_proj."""
        out_proj = next((c for c in node.children if c.key == "out_proj" and c.args is not None), None)
        prefix = f"{path}." if path else ""
        if out_proj is None:
            self.unknown.append(UnknownModule(path or node.type, node.text, "no out_proj line"))
            return
        try:
            (projection,) = _linear(out_proj.args, self.layout, f"{prefix}out_proj")
        except _Unknown as problem:
            self.unknown.append(UnknownModule(f"{prefix}out_proj", out_proj.text, str(problem)))
            return
        embed_dim = projection.out_channels
        bias = 3 * embed_dim if projection.bias else 0
        if projection.bias:  # MultiheadAttention._reset_parameters: constant_(out_proj.bias, 0.0)
            zeros = ModelInit("torch", "bias", "zeros", "nn.MultiheadAttention._reset_parameters")
            projection = replace(projection, model_init=(zeros,))
        self.assumed[node.type] = (
            f"{node.type}: in_proj (3E, E) rebuilt from out_proj (E, E), assuming kdim = vdim = E "
            "(not in the printout)"
        )
        in_proj = _biased(packed_qkv(embed_dim, self.layout, name=f"{prefix}in_proj", bias=bias))
        self.add([in_proj, projection])

    def transformer_default(self, node: Node, linear1: int) -> None:
        """A Transformer*Layer applies its activation after linear1 as a function unless given a module."""
        self.attach(linear1, _Seen("activation", make_activation("relu")))
        self.assumed[node.type] = (
            f"{node.type}: linear1 read as relu — its activation is a function print(model) omits "
            "(torch's default relu)"
        )

    def finish(self, default: Activation) -> list[Layer]:
        return [
            replace(
                slot.layer,
                activation=slot.activation or default,
                notes=(*slot.layer.notes, *slot.notes),
            )
            for slot in self.slots
        ]

    def summary_notes(self) -> list[str]:
        notes = list(self.assumed.values())
        if self.passed:
            counts = ", ".join(f"{t} ×{n}" if n > 1 else t for t, n in self.passed.items())
            notes.append(f"passed over (no weight matrix): {counts}")
        if self.print_order:
            notes.append(
                f"activations inside {', '.join(sorted(self.print_order))} are matched to the layer printed "
                "before them; print order is registration order, not necessarily the forward pass"
            )
        if self.unmatched:
            notes.append(
                "activation modules with no layer right before them in their container: "
                + ", ".join(self.unmatched)
            )
        if self.unknown:
            listed = "; ".join(f"{u.name} {u.module} ({u.reason})" for u in self.unknown[:MAX_LISTED])
            more = len(self.unknown) - MAX_LISTED
            tail = f"; … and {more} more (all in --format json)" if more > 0 else ""
            notes.append(f"not analysed (weights, if any, not counted): {listed}{tail}")
        return notes
