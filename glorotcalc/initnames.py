"""Initializer names of torch, Keras 3 and JAX/Flax, resolved to one variance-scaling spec.

``parse_init(text, framework=None)`` reads an initializer as a user types it — a bare name, a
call, with or without its module prefix — and returns an `InitSpec`: Var(W) = scale / n, the mode
that picks n, and the distribution, with the meaning that initializer has in its own framework.
Pure: it imports no numpy, rich or typer (it is on the fast lookup path) and never calls ``eval``.

Sources read for every rule below (the library wins where a page says otherwise):

- torch 2.13, ``torch/nn/init.py``: ``xavier_uniform_(tensor, gain=1.0, generator=None)``,
  ``xavier_normal_(tensor, gain=1.0, generator=None)`` (fan_avg, scale gain²; a negative gain
  makes torch raise), ``kaiming_uniform_(tensor, a=0, mode='fan_in', nonlinearity='leaky_relu',
  generator=None)`` and ``kaiming_normal_`` (same signature). Their gain is
  ``calculate_gain(nonlinearity, a)``: ``a`` is the leaky_relu slope (``a=None`` there means the
  default slope 0.01) and is ignored for every other nonlinearity; the nonlinearity name is
  case-sensitive; ``mode`` is lower-cased, then must be fan_in or fan_out. The normals are
  untruncated. ``xavier_uniform`` … ``kaiming_normal`` without the ``_`` are torch's deprecated
  aliases (a FutureWarning, same result).
- Keras 3.15, ``keras/src/initializers/random_initializers.py``: ``GlorotNormal``,
  ``GlorotUniform``, ``HeNormal``, ``HeUniform``, ``LecunNormal``, ``LecunUniform`` take
  ``(seed=None, input_axes=None, output_axes=None)``; ``VarianceScaling(scale=1.0,
  mode="fan_in", distribution="truncated_normal", seed=None, input_axes=None,
  output_axes=None)``: scale must be > 0, mode one of fan_in, fan_out, fan_avg (case-sensitive),
  distribution is lower-cased and ``"normal"`` becomes ``"truncated_normal"``; truncated normals
  are corrected by 0.87962566103423978 (realized std √Var). Every class is also exported under
  its snake_case name (``keras.initializers.he_normal`` …).
- JAX 0.10, ``jax/_src/nn/initializers.py`` (exported by ``jax/nn/initializers.py``):
  ``variance_scaling(scale, mode, distribution, in_axis=-2, out_axis=-1, batch_axis=(),
  dtype=None)`` — the first three are required; mode fan_in, fan_out, fan_avg or fan_geo_avg,
  distribution truncated_normal (corrected), ``normal`` (UNtruncated, the opposite of Keras) or
  uniform, all case-sensitive. ``glorot_*``, ``he_*``, ``lecun_*`` take ``(in_axis=-2,
  out_axis=-1, batch_axis=(), dtype=None)``; ``xavier_*`` and ``kaiming_*`` are aliases of
  ``glorot_*`` and ``he_*`` (truncated normal, unlike torch's). A complex dtype changes the
  distribution (a uniform disk, a complex truncated normal), so it is refused.
- Flax 0.12, ``flax/linen/initializers.py`` and ``flax/nnx/nn/initializers.py``: re-export
  ``jax.nn.initializers``; Flax names are JAX names.

Name rules (the *ambiguity rule*):

- A module prefix picks the framework: ``torch.nn.init.``, ``nn.init.``, ``init.`` (torch);
  ``keras.initializers.``, ``tf.keras.initializers.``, ``tensorflow.keras.initializers.``,
  ``initializers.`` (Keras — or JAX/Flax when ``framework`` is jax or flax, since
  ``from flax.nnx import initializers`` is also common); ``jax.nn.initializers.`` (JAX);
  ``flax.linen.initializers.``, ``nn.initializers.``, ``flax.nnx.initializers.``,
  ``nnx.initializers.`` (Flax).
- Bare names: a trailing ``_`` is torch's. A bare ``xavier_uniform``, ``xavier_normal``,
  ``kaiming_uniform``, ``kaiming_normal`` is torch's (its deprecated alias) unless ``framework``
  is jax or flax; JAX's same-named aliases are reached with their prefix or that framework.
  CamelCase names are Keras's. ``glorot_*``, ``he_*``, ``lecun_*`` and ``variance_scaling`` are
  both Keras's and JAX's: the arguments decide (``seed`` is Keras's, ``in_axis`` … JAX's); when
  both readings are valid and mean the same the spec carries ``("keras", "jax", "flax")``; when
  they mean different things (``variance_scaling(2.0, 'fan_in', 'normal')``: truncated in Keras,
  untruncated in JAX) it is a UsageError asking for a prefix or a framework.

Arguments: numbers may be ints, floats, ``1e-3``, ``5/3``, ``√5``, ``sqrt(5)``, ``math.sqrt(5)``,
``5**0.5``, ``-2`` (a tiny evaluator over ``ast``: numeric literals, + − * / **, unary signs and a
square root; a square root keeps its exact square, so ``a=√5`` gives scale 2/(1+5) = 1/3
exactly). Strings may be quoted or bare (``mode=fan_out``). ``generator``, ``seed`` and ``dtype``
are accepted and dropped (they do not change the distribution), as is torch's tensor argument
(``kaiming_normal_(m.weight, mode='fan_out')``). Keras ≥ 3.15's ``input_axes``/``output_axes``
(fans without the receptive field) and JAX's multi-axis ``in_axis``/``out_axis`` cannot be
expressed in an `InitSpec` and are refused. Every failure is one `UsageError` (exit 2).

>>> parse_init("kaiming_uniform_(a=√5)").scale
0.3333333333333333
>>> parse_init("HeNormal").call
'keras.initializers.HeNormal()'
"""

from __future__ import annotations

import ast
import difflib
import math
import re
from dataclasses import dataclass, replace

from glorotcalc.errors import UsageError
from glorotcalc.gain import TORCH_NONLINEARITIES, calculate_gain
from glorotcalc.laws import InitLaw, describe, same_law

FRAMEWORKS = ("torch", "keras", "jax", "flax")
MAX_LENGTH = 1000
MODES = ("fan_in", "fan_out", "fan_avg", "fan_geo_avg")
_FORM = (
    "expected NAME or NAME(ARGS), e.g. kaiming_uniform_(a=√5, mode='fan_out'), HeNormal(), "
    "variance_scaling(2.0, 'fan_in', 'normal')"
)


@dataclass(frozen=True)
class InitSpec:
    """A named initializer resolved to variance scaling, in one framework's semantics."""

    call: str  # canonical call in its framework, e.g. "torch.nn.init.kaiming_uniform_(a=2.23607)"
    name: str  # short display name, e.g. "kaiming_uniform_(a=2.23607, mode='fan_out')", "HeNormal()"
    frameworks: tuple[str, ...]  # whose semantics it has: ("torch",), ("jax", "flax"), …
    scheme: str  # "glorot", "he", "lecun" or "variance_scaling"
    scale: float  # Var = scale / n
    gain_source: str  # human text: where the scale came from
    mode: str  # "fan_in" | "fan_out" | "fan_avg" | "fan_geo_avg"
    distribution: str  # "uniform" | "normal" (untruncated) | "truncated" (cut at ±2σ, realized std √Var)
    in_axis: int = -2  # jax/flax variance_scaling axes (defaults = the (*k, in, out) layout)
    out_axis: int = -1
    batch_axis: tuple[int, ...] = ()

    @property
    def gain(self) -> float:
        return math.sqrt(self.scale)


# --- the names ------------------------------------------------------------------------------------

_TORCH_FNS = {  # torch/nn/init.py 2.13: name → (scheme, distribution)
    "xavier_uniform_": ("glorot", "uniform"),
    "xavier_normal_": ("glorot", "normal"),
    "kaiming_uniform_": ("he", "uniform"),
    "kaiming_normal_": ("he", "normal"),
}
_TORCH_DEPRECATED = tuple(name[:-1] for name in _TORCH_FNS)  # _make_deprecate(...) aliases

_KERAS_CLASSES = {  # random_initializers.py 3.15: class → (scheme, scale, mode, distribution)
    "GlorotNormal": ("glorot", 1.0, "fan_avg", "truncated"),
    "GlorotUniform": ("glorot", 1.0, "fan_avg", "uniform"),
    "HeNormal": ("he", 2.0, "fan_in", "truncated"),
    "HeUniform": ("he", 2.0, "fan_in", "uniform"),
    "LecunNormal": ("lecun", 1.0, "fan_in", "truncated"),
    "LecunUniform": ("lecun", 1.0, "fan_in", "uniform"),
}
_KERAS_SNAKE = {  # the keras_export snake_case aliases
    "glorot_normal": "GlorotNormal",
    "glorot_uniform": "GlorotUniform",
    "he_normal": "HeNormal",
    "he_uniform": "HeUniform",
    "lecun_normal": "LecunNormal",
    "lecun_uniform": "LecunUniform",
}
_JAX_NAMED = {  # jax/_src/nn/initializers.py 0.10: name → (scheme, scale, mode, distribution)
    "glorot_normal": ("glorot", 1.0, "fan_avg", "truncated"),
    "glorot_uniform": ("glorot", 1.0, "fan_avg", "uniform"),
    "he_normal": ("he", 2.0, "fan_in", "truncated"),
    "he_uniform": ("he", 2.0, "fan_in", "uniform"),
    "lecun_normal": ("lecun", 1.0, "fan_in", "truncated"),
    "lecun_uniform": ("lecun", 1.0, "fan_in", "uniform"),
    "xavier_normal": ("glorot", 1.0, "fan_avg", "truncated"),
    "xavier_uniform": ("glorot", 1.0, "fan_avg", "uniform"),
    "kaiming_normal": ("he", 2.0, "fan_in", "truncated"),
    "kaiming_uniform": ("he", 2.0, "fan_in", "uniform"),
}

_KERAS_NAMES = (
    *(name for camel, snake in zip(_KERAS_CLASSES, _KERAS_SNAKE, strict=True) for name in (camel, snake)),
    "VarianceScaling",
    "variance_scaling",
)
_JAX_NAMES = (*_JAX_NAMED, "variance_scaling")

INIT_NAMES: dict[str, tuple[str, ...]] = {
    "torch": (*_TORCH_FNS, *_TORCH_DEPRECATED),
    "keras": _KERAS_NAMES,
    "jax": _JAX_NAMES,
    "flax": _JAX_NAMES,
}

# Initializers that are not variance scaling (glorotcalc.laws): name → kind, per framework.
_TORCH_LAWS = {  # torch/nn/init.py 2.13
    "uniform_": "uniform",
    "normal_": "normal",
    "trunc_normal_": "truncated",
    "constant_": "constant",
    "ones_": "constant",
    "zeros_": "constant",
    "eye_": "eye",
    "dirac_": "dirac",
    "orthogonal_": "orthogonal",
    "sparse_": "sparse",
}
# the deprecated aliases torch keeps (_make_deprecate); a bare one is torch's only where no other
# framework has the name (eye, dirac, sparse): uniform, normal, constant, orthogonal are JAX's/Keras's
_TORCH_LAW_DEPRECATED = ("uniform", "normal", "constant", "eye", "dirac", "orthogonal", "sparse")
_KERAS_LAWS = {  # random_initializers.py, constant_initializers.py 3.15 (and their snake exports)
    "RandomNormal": "normal",
    "random_normal": "normal",
    "RandomUniform": "uniform",
    "random_uniform": "uniform",
    "TruncatedNormal": "truncated",
    "truncated_normal": "truncated",
    "Zeros": "constant",
    "zeros": "constant",
    "Ones": "constant",
    "ones": "constant",
    "Constant": "constant",
    "constant": "constant",
    "Identity": "eye",
    "identity": "eye",
    "IdentityInitializer": "eye",
    "Orthogonal": "orthogonal",
    "orthogonal": "orthogonal",
    "OrthogonalInitializer": "orthogonal",
}
_JAX_LAWS = {  # jax/_src/nn/initializers.py 0.10
    "uniform": "uniform",
    "normal": "normal",
    "truncated_normal": "truncated",
    "constant": "constant",
    "zeros": "constant",
    "ones": "constant",
    "orthogonal": "orthogonal",
    "delta_orthogonal": "delta_orthogonal",
}
_FLAX_LAWS = {**_JAX_LAWS, "zeros_init": "constant", "ones_init": "constant"}  # flax/linen/initializers.py
_LAWS = {
    "torch": {**_TORCH_LAWS, **dict.fromkeys(_TORCH_LAW_DEPRECATED)},
    "keras": _KERAS_LAWS,
    "jax": _FLAX_LAWS,
}
INIT_NAMES["torch"] = (*INIT_NAMES["torch"], *_TORCH_LAWS, *_TORCH_LAW_DEPRECATED)
INIT_NAMES["keras"] = (*INIT_NAMES["keras"], *_KERAS_LAWS)
INIT_NAMES["jax"] = (*INIT_NAMES["jax"], *(n for n in _JAX_LAWS if n not in INIT_NAMES["jax"]))
INIT_NAMES["flax"] = (*INIT_NAMES["flax"], *(n for n in _FLAX_LAWS if n not in INIT_NAMES["flax"]))
# what `propagate --init` takes: variance scaling, the random laws (zero-mean ones propagate; a
# law with a non-zero mean, e.g. JAX uniform's U[0, s), is refused naming it), orthogonal ones
PROPAGATE_KINDS = ("uniform", "normal", "truncated", "sparse", "orthogonal", "delta_orthogonal")
_NEVER_ZERO_MEAN = {"jax": ("uniform",)}  # JAX uniform(scale) is U[0, scale) for every scale
PROPAGATE_NAMES = tuple(
    dict.fromkeys(
        name
        for framework, names in INIT_NAMES.items()
        for name in names
        if _LAWS["jax" if framework == "flax" else framework].get(name, "orthogonal") in PROPAGATE_KINDS
        and name not in _NEVER_ZERO_MEAN.get("jax" if framework == "flax" else framework, ())
    )
)
# Initializers of those modules glorotcalc does not compute (a clear refusal, not "unknown").
_NOT_SCALING = {"torch": (), "keras": ("STFT", "stft", "STFTInitializer"), "jax": (), "flax": ()}

# Module prefix → framework; the longest match wins.
_PREFIXES = {
    "torch.nn.init.": "torch",
    "nn.init.": "torch",
    "init.": "torch",
    "tensorflow.keras.initializers.": "keras",
    "tf.keras.initializers.": "keras",
    "keras.initializers.": "keras",
    "initializers.": "keras",
    "jax.nn.initializers.": "jax",
    "flax.linen.initializers.": "flax",
    "nn.initializers.": "flax",
    "flax.nnx.initializers.": "flax",
    "nnx.initializers.": "flax",
}
_FLAX_CALL_PREFIX = {
    "flax.linen.initializers.": "flax.linen.initializers.",
    "nn.initializers.": "flax.linen.initializers.",
    "flax.nnx.initializers.": "flax.nnx.initializers.",
    "nnx.initializers.": "flax.nnx.initializers.",
}
_CALL_PREFIX = {"torch": "torch.nn.init.", "keras": "keras.initializers.", "jax": "jax.nn.initializers."}

# `--scheme`-style words typed as an initializer name → what was probably meant, per framework.
_HE = {
    "torch": ("kaiming_normal_", "kaiming_uniform_"),
    "keras": ("HeNormal", "HeUniform", "he_normal", "he_uniform"),
    "jax": ("he_normal", "he_uniform", "kaiming_normal", "kaiming_uniform"),
}
_GLOROT = {
    "torch": ("xavier_normal_", "xavier_uniform_"),
    "keras": ("GlorotNormal", "GlorotUniform", "glorot_normal", "glorot_uniform"),
    "jax": ("glorot_normal", "glorot_uniform", "xavier_normal", "xavier_uniform"),
}
_LECUN = {
    "torch": ("kaiming_normal_(nonlinearity='linear')", "kaiming_uniform_(nonlinearity='linear')"),
    "keras": ("LecunNormal", "LecunUniform", "lecun_normal", "lecun_uniform"),
    "jax": ("lecun_normal", "lecun_uniform"),
}
_SCHEME_WORDS = {"he": _HE, "kaiming": _HE, "glorot": _GLOROT, "xavier": _GLOROT, "lecun": _LECUN}
_SCHEME_DEFAULT = {  # no framework given: the shared snake names, then torch's
    "he": ("he_normal", "he_uniform", "kaiming_normal_", "kaiming_uniform_"),
    "glorot": ("glorot_normal", "glorot_uniform", "xavier_normal_", "xavier_uniform_"),
    "lecun": ("lecun_normal", "lecun_uniform", "kaiming_normal_(nonlinearity='linear')"),
}
_SCHEME_DEFAULT["kaiming"] = _SCHEME_DEFAULT["he"]
_SCHEME_DEFAULT["xavier"] = _SCHEME_DEFAULT["glorot"]

# Bare words that are string values, never a torch tensor variable.
_WORDS = frozenset(
    (*TORCH_NONLINEARITIES, *MODES, "uniform", "normal", "truncated_normal", "untruncated_normal")
)
_SQRT = frozenset(("sqrt", "math.sqrt", "np.sqrt", "numpy.sqrt"))
_GAIN_FNS = frozenset(prefix + "calculate_gain" for prefix in ("", "init.", "nn.init.", "torch.nn.init."))
_TRANSLATE = str.maketrans({"−": "-", "‘": "'", "’": "'", "“": '"', "”": '"'})
_ROOT_PAREN = re.compile(r"√\s*\(")
_ROOT_NUMBER = re.compile(r"√\s*((?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)")
_MAX_DEPTH = 64
_EXACT_SCALE = {"relu": 2.0, "selu": 0.5625}  # gain² where √2·√2 would round


# --- reading the text -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Call:
    """The text as a call: dotted name split into prefix and bare name, and its arguments."""

    text: str  # what the user typed
    source: str  # the text as parsed (√ and typographic quotes rewritten)
    prefix: str
    name: str
    args: tuple[ast.expr, ...]
    kwargs: tuple[tuple[str, ast.expr], ...]
    called: bool = True  # NAME(...) rather than a bare NAME

    def segment(self, node: ast.expr) -> str:
        return ast.get_source_segment(self.source, node) or ast.unparse(node)

    @property
    def dotted(self) -> str:
        return self.prefix + self.name


@dataclass(frozen=True)
class _Num:
    """A number; `square` is its exact square when it was written as a square root (√5 → 5)."""

    value: float
    square: float | None = None

    @property
    def sq(self) -> float:
        # x*x, not x**2: a float product overflows to inf instead of raising OverflowError
        return self.value * self.value if self.square is None else self.square


class _NotNumber(Exception):
    pass


def _dotted(node: ast.expr) -> str | None:
    """``a.b.c`` for a chain of names, else None."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def _read(text: str) -> _Call:
    """Parse `text` as ``NAME`` or ``NAME(ARGS)`` (an ast, never evaluated)."""
    source = " ".join(text.translate(_TRANSLATE).split())
    source = _ROOT_NUMBER.sub(r"sqrt(\1)", _ROOT_PAREN.sub("sqrt(", source))
    try:
        body = ast.parse(source, mode="eval").body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        raise UsageError("initializer", text, _FORM) from None
    args: list[ast.expr] = []
    kwargs: list[tuple[str, ast.expr]] = []
    if isinstance(body, ast.Call):
        func = body.func
        for arg in body.args:
            if isinstance(arg, ast.Starred):
                raise UsageError("initializer", text, _FORM + " (no *args)")
            args.append(arg)
        seen = set()
        for keyword in body.keywords:
            if keyword.arg is None:
                raise UsageError("initializer", text, _FORM + " (no **kwargs)")
            if keyword.arg in seen:
                raise UsageError("argument given twice:", keyword.arg, f"in {text.strip()}")
            seen.add(keyword.arg)
            kwargs.append((keyword.arg, keyword.value))
    else:
        func = body
    dotted = _dotted(func)
    if dotted is None:
        raise UsageError("initializer", text, _FORM)
    prefix, _, name = dotted.rpartition(".")
    called = isinstance(body, ast.Call)
    return _Call(text, source, prefix + "." if prefix else "", name, tuple(args), tuple(kwargs), called)


def _evaluate(node: ast.expr, depth: int = 0) -> _Num:
    """Numeric literals, + − * / **, unary signs, sqrt(x) — nothing else."""
    if depth > _MAX_DEPTH:
        raise _NotNumber
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
            raise _NotNumber
        return _Num(float(node.value))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        operand = _evaluate(node.operand, depth + 1)
        if isinstance(node.op, ast.UAdd):
            return operand
        return _Num(-operand.value, operand.square)
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow)):
        left, right = _evaluate(node.left, depth + 1), _evaluate(node.right, depth + 1)
        if isinstance(node.op, ast.Add):
            return _Num(left.value + right.value)
        if isinstance(node.op, ast.Sub):
            return _Num(left.value - right.value)
        if isinstance(node.op, ast.Mult):
            return _Num(left.value * right.value)
        if isinstance(node.op, ast.Div):
            return _Num(left.value / right.value)
        power = left.value**right.value
        if isinstance(power, complex):
            raise ValueError("complex power")
        return _Num(power, left.value if right.value == 0.5 else None)
    if (
        isinstance(node, ast.Call)
        and _dotted(node.func) in _SQRT
        and len(node.args) == 1
        and not node.keywords
    ):
        radicand = _evaluate(node.args[0], depth + 1)
        return _Num(math.sqrt(radicand.value), radicand.value)
    if isinstance(node, ast.Call) and _dotted(node.func) in _GAIN_FNS:
        return _calculate_gain(node, depth)
    raise _NotNumber


def _calculate_gain(node: ast.Call, depth: int) -> _Num:
    """torch's ``calculate_gain(nonlinearity, param=None)`` as a number (``gain=calculate_gain('relu')``)."""
    params = ("nonlinearity", "param")
    if len(node.args) > len(params):
        raise _NotNumber
    bound = dict(zip(params, node.args, strict=False))  # fewer args than params
    for keyword in node.keywords:
        if keyword.arg not in params or keyword.arg in bound:
            raise _NotNumber
        bound[keyword.arg] = keyword.value
    typed = bound.get("nonlinearity")
    if isinstance(typed, ast.Constant) and isinstance(typed.value, str):
        nonlinearity = typed.value.strip()
    elif isinstance(typed, ast.Name):
        nonlinearity = typed.id
    else:
        raise _NotNumber
    if nonlinearity not in TORCH_NONLINEARITIES:  # torch's calculate_gain is case-sensitive
        raise UsageError(
            "calculate_gain nonlinearity", nonlinearity, "use one of " + ", ".join(TORCH_NONLINEARITIES)
        )
    if nonlinearity == "leaky_relu":
        param = bound.get("param")
        none = param is None or (isinstance(param, ast.Constant) and param.value is None)
        square = 0.01 * 0.01 if none else _evaluate(param, depth + 1).sq  # torch's default slope 0.01
        scale = 2.0 / (1 + square)
        return _Num(math.sqrt(scale), scale)
    return _Num(calculate_gain(nonlinearity), _EXACT_SCALE.get(nonlinearity))


def _number(call: _Call, node: ast.expr, what: str) -> _Num:
    text = call.segment(node)
    try:
        number = _evaluate(node)
    except _NotNumber:
        raise UsageError(
            what, text, "must be a number, e.g. 2, 0.5, 1e-3, 5/3, √5, sqrt(5), 5**0.5"
        ) from None
    except UsageError:
        raise
    except (ArithmeticError, ValueError):
        raise UsageError(what, text, "is not a finite real number") from None
    if not math.isfinite(number.value):
        raise UsageError(what, text, "is not a finite real number")
    return number


def _word(call: _Call, node: ast.expr, what: str, choices: tuple[str, ...]) -> str:
    """A string argument, quoted or bare."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value.strip()
    if isinstance(node, ast.Name):
        return node.id
    raise UsageError(what, call.segment(node), "must be a string: one of " + ", ".join(choices))


def _int(
    call: _Call, node: ast.expr, what: str, expected: str = "an integer axis, e.g. -2, 0 or (0,)"
) -> int:
    sign, inner = 1, node
    if isinstance(inner, ast.UnaryOp) and isinstance(inner.op, (ast.USub, ast.UAdd)):
        sign, inner = (-1 if isinstance(inner.op, ast.USub) else 1), inner.operand
    if isinstance(inner, ast.Constant) and type(inner.value) is int and abs(inner.value) < 2**31:
        return sign * inner.value
    raise UsageError(what, call.segment(node), f"must be {expected}")


def _axes(call: _Call, node: ast.expr, what: str) -> tuple[int, ...]:
    if isinstance(node, (ast.Tuple, ast.List)):
        return tuple(_int(call, item, what) for item in node.elts)
    return (_int(call, node, what),)


def _axis(call: _Call, node: ast.expr, what: str) -> int:
    axes = _axes(call, node, what)
    if len(axes) != 1:
        raise UsageError(
            what,
            call.segment(node),
            "glorotcalc takes one axis here (JAX's sequence of axes is not supported)",
        )
    return axes[0]


def _opaque(call: _Call, node: ast.expr, what: str, expected: str) -> None:
    """An argument with no effect on the distribution (generator, dtype): None or a name/call."""
    if isinstance(node, ast.Constant) and node.value is None:
        return
    if isinstance(node, (ast.Name, ast.Attribute, ast.Call, ast.Subscript)) and _is_opaque(node):
        return
    raise UsageError(what, call.segment(node), f"must be {expected}")


def _is_opaque(node: ast.expr) -> bool:
    """An expression of names, attributes, calls and literals (never evaluated)."""
    return all(
        isinstance(
            sub,
            (
                ast.Name,
                ast.Attribute,
                ast.Call,
                ast.Subscript,
                ast.Constant,
                ast.Load,
                ast.keyword,
                ast.Tuple,
            ),
        )
        for sub in ast.walk(node)
    )


def _signature(error: UsageError) -> UsageError:
    """Mark an error about the call's shape (an unknown or missing argument), not about a value."""
    error.signature = True  # type: ignore[attr-defined]
    return error


def _bind(
    call: _Call,
    params: tuple[str, ...],
    required: tuple[str, ...] = (),
    args: tuple[ast.expr, ...] | None = None,
    extra: tuple[str, ...] = (),
) -> dict[str, ast.expr]:
    """Bind positional and keyword arguments to `params` as Python would (`extra`: keyword-only)."""
    args = call.args if args is None else args
    if len(args) > len(params):
        raise _signature(
            UsageError(
                f"{call.name} takes at most {len(params)} positional arguments; got",
                len(args),
                "its parameters are " + ", ".join((*extra, *params)),
            )
        )
    bound = dict(zip(params, args, strict=False))  # fewer args than params
    for key, value in call.kwargs:
        if key not in params and key not in extra:
            allowed = "use one of " + ", ".join((*extra, *params))
            raise _signature(UsageError(f"{call.name} argument", key, allowed))
        if key in bound:
            raise UsageError(f"{call.name} got two values for", key, "give it once, by position or by name")
        bound[key] = value
    missing = [name for name in required if name not in bound]
    if missing:
        example = f"write {call.name}({', '.join(required)})"
        if call.name == "variance_scaling":
            example += ", e.g. variance_scaling(2.0, 'fan_in', 'normal')"
        raise _signature(UsageError(f"{call.name} needs", ", ".join(missing), example))
    return bound


# --- rendering ------------------------------------------------------------------------------------


def _fmt(value: float) -> str:
    """A number as the docs write it: 6 significant digits, and a float stays a float (2.0)."""
    text = f"{value:.6g}"
    return text + ".0" if re.fullmatch(r"-?\d+", text) else text


def _axes_text(in_axis: int, out_axis: int, batch_axis: tuple[int, ...]) -> list[str]:
    parts = []
    if in_axis != -2:
        parts.append(f"in_axis={in_axis}")
    if out_axis != -1:
        parts.append(f"out_axis={out_axis}")
    if batch_axis:
        inner = ", ".join(str(axis) for axis in batch_axis)
        parts.append(f"batch_axis=({inner},)" if len(batch_axis) == 1 else f"batch_axis=({inner})")
    return parts


def _keras_vs_text(name: str, scale: float, mode: str, distribution: str) -> str:
    keras_distribution = {"truncated": "truncated_normal", "normal": "untruncated_normal"}.get(
        distribution, distribution
    )
    parts = []
    if scale != 1.0:
        parts.append(f"scale={_fmt(scale)}")
    if mode != "fan_in":
        parts.append(f'mode="{mode}"')
    if keras_distribution != "truncated_normal":
        parts.append(f'distribution="{keras_distribution}"')
    return f"{name}({', '.join(parts)})"


def _jax_vs_text(spec: InitSpec) -> str:
    jax_distribution = "truncated_normal" if spec.distribution == "truncated" else spec.distribution
    parts = [_fmt(spec.scale), f"'{spec.mode}'", f"'{jax_distribution}'"]
    parts += _axes_text(spec.in_axis, spec.out_axis, spec.batch_axis)
    return f"variance_scaling({', '.join(parts)})"


def _torch_text(spec: InitSpec) -> str | None:
    """`spec` written as a torch call, or None where torch cannot express it."""
    if spec.distribution == "truncated" or (spec.in_axis, spec.out_axis, spec.batch_axis) != (-2, -1, ()):
        return None
    if spec.mode == "fan_avg":
        gain = "" if spec.scale == 1.0 else f"gain={_fmt(math.sqrt(spec.scale))}"
        return f"xavier_{spec.distribution}_({gain})"
    if spec.mode not in ("fan_in", "fan_out"):
        return None
    parts = []
    named = {2.0: "relu", 1.0: "linear", (5 / 3) * (5 / 3): "tanh", 0.5625: "selu"}
    if spec.scale in named:
        parts.append(f"nonlinearity='{named[spec.scale]}'")
    elif 0 < spec.scale < 2:
        parts.append(f"a={_fmt(math.sqrt(2 / spec.scale - 1))}")
    else:
        return None
    if spec.mode == "fan_out":
        parts.insert(1 if parts[0].startswith("a=") else 0, "mode='fan_out'")
    return f"kaiming_{spec.distribution}_({', '.join(parts)})"


def _equivalent(spec: InitSpec, framework: str) -> str | None:
    """`spec` written in `framework` (a named initializer where one matches exactly)."""
    defaults = (spec.in_axis, spec.out_axis, spec.batch_axis) == (-2, -1, ())
    if framework == "torch":
        return _torch_text(spec)
    if framework == "keras":
        if not defaults or spec.mode == "fan_geo_avg":
            return None
        for name, row in _KERAS_CLASSES.items():
            if row[1:] == (spec.scale, spec.mode, spec.distribution):
                return f"{name}()"
        return _keras_vs_text("VarianceScaling", spec.scale, spec.mode, spec.distribution)
    for name, row in _JAX_NAMED.items():
        if row[1:] == (spec.scale, spec.mode, spec.distribution):
            return f"{name}({', '.join(_axes_text(spec.in_axis, spec.out_axis, spec.batch_axis))})"
    return _jax_vs_text(spec)


def _suggestion(spec, framework: str) -> str:
    if isinstance(spec, InitLaw):
        group = "jax" if framework == "flax" else framework
        same = [name for name, kind in _LAWS[group].items() if kind == spec.kind and name.lower() == name]
        same = same or [name for name, kind in _LAWS[group].items() if kind == spec.kind]
        if not same:
            return f"another initializer: {framework} has none of kind {spec.kind}"
        return " or ".join(dict.fromkeys(same[:2])) + " (with its own arguments)"
    exact = _equivalent(spec, framework)
    if exact is not None:
        return exact
    if framework == "torch" and spec.distribution == "truncated":
        near = _torch_text(replace(spec, distribution="normal"))  # noqa: RUF100
        if near is not None:
            return f"{near} (untruncated: torch has no corrected truncated normal)"
    return "one of " + ", ".join(INIT_NAMES[framework])


# --- each framework's semantics -------------------------------------------------------------------


def _positive_scale(scale: float, what: str, value: str) -> float:
    if not (math.isfinite(scale) and scale > 0):
        raise UsageError(what, value, f"gives scale {scale!r}; the scale must be a positive finite number")
    return scale


def _is_tensor(call: _Call, node: ast.expr) -> bool:
    """torch's first argument: a tensor expression (``w``, ``m.weight``), not a number or a word."""
    if isinstance(node, ast.Constant) or (isinstance(node, ast.Name) and node.id in _WORDS):
        return False
    if isinstance(node, ast.Call) and _dotted(node.func) in _SQRT | _GAIN_FNS:
        return False
    try:
        _evaluate(node)
    except _NotNumber:
        return _is_opaque(node)
    except (ArithmeticError, ValueError):  # a number, badly written: _number says why
        return False
    return False


def _torch(call: _Call) -> InitSpec:
    """torch 2.13 torch/nn/init.py: xavier_*_(tensor, gain, generator), kaiming_*_(tensor, a, mode, …)."""
    canonical = call.name if call.name.endswith("_") else call.name + "_"
    scheme, distribution = _TORCH_FNS[canonical]
    args = call.args
    if "tensor" not in dict(call.kwargs) and args and _is_tensor(call, args[0]):
        args = args[1:]  # kaiming_normal_(m.weight, …): the tensor only gives the fans
    params = ("gain", "generator") if scheme == "glorot" else ("a", "mode", "nonlinearity", "generator")
    bound = _bind(call, params, args=args, extra=("tensor",))
    tensor = bound.get("tensor")
    if tensor is not None and (isinstance(tensor, ast.Constant) or not _is_opaque(tensor)):
        raise UsageError(
            "tensor", call.segment(bound["tensor"]), "must be a tensor expression, e.g. m.weight"
        )
    if "generator" in bound:
        _opaque(call, bound["generator"], "generator", "None or a torch.Generator")
    if scheme == "glorot":
        return _torch_xavier(call, canonical, distribution, bound)
    return _torch_kaiming(call, canonical, distribution, bound)


def _torch_xavier(call: _Call, canonical: str, distribution: str, bound: dict[str, ast.expr]) -> InitSpec:
    if "gain" in bound:
        text = call.segment(bound["gain"])
        gain = _number(call, bound["gain"], "gain")
        if gain.value < 0:
            raise UsageError("gain", text, "must be positive (torch raises for a negative gain)")
    else:
        gain = _Num(1.0, 1.0)
    scale = _positive_scale(gain.sq, "gain", _fmt(gain.value))
    name = f"{canonical}()" if gain.value == 1.0 else f"{canonical}(gain={_fmt(gain.value)})"
    source = "gain=1.0 (default)" if gain.value == 1.0 else f"gain={_fmt(gain.value)} → scale gain²"
    return InitSpec(
        "torch.nn.init." + name, name, ("torch",), "glorot", scale, source, "fan_avg", distribution
    )


def _torch_kaiming(call: _Call, canonical: str, distribution: str, bound: dict[str, ast.expr]) -> InitSpec:
    nonlinearity = "leaky_relu"
    if "nonlinearity" in bound:
        nonlinearity = _word(call, bound["nonlinearity"], "nonlinearity", TORCH_NONLINEARITIES)
        if nonlinearity not in TORCH_NONLINEARITIES:  # torch's calculate_gain is case-sensitive
            raise UsageError(
                "nonlinearity",
                nonlinearity,
                "not supported by torch calculate_gain; use one of " + ", ".join(TORCH_NONLINEARITIES),
            )
    mode = "fan_in"
    if "mode" in bound:
        typed = _word(call, bound["mode"], "mode", ("fan_in", "fan_out"))
        mode = typed.lower()  # torch's _calculate_correct_fan lower-cases the mode
        if mode not in ("fan_in", "fan_out"):
            raise UsageError("mode", typed, "not supported by torch kaiming_*; use one of fan_in, fan_out")
    slope: _Num | None = _Num(0.0, 0.0)
    a_text = None
    if "a" in bound:
        node = bound["a"]
        a_text = call.segment(node)
        slope = None if isinstance(node, ast.Constant) and node.value is None else _number(call, node, "a")
    parts = []
    if nonlinearity == "leaky_relu":
        square = 0.01 * 0.01 if slope is None else slope.sq  # a=None: calculate_gain's default slope
        scale = _positive_scale(2.0 / (1 + square), "a", a_text or "0")
        if slope is None:
            source = "nonlinearity='leaky_relu', a=None → slope 0.01, gain √(2/(1+0.01²))"
            parts.append("a=None")
        elif slope.value == 0:
            source = "nonlinearity='leaky_relu', a=0 → gain √2"
        else:
            source = f"nonlinearity='leaky_relu', a={_fmt(slope.value)} → gain √(2/(1+a²))"
            parts.append(f"a={_fmt(slope.value)}")
    else:
        gain = calculate_gain(nonlinearity)
        scale = _EXACT_SCALE.get(nonlinearity, gain * gain)
        shown = {"relu": "√2", "tanh": "5/3", "selu": "3/4"}.get(nonlinearity, "1")
        source = f"nonlinearity='{nonlinearity}' → gain {shown}"
        if a_text is not None:
            source += f" (a={a_text} ignored: only leaky_relu uses a)"
    if mode != "fan_in":
        parts.append(f"mode='{mode}'")
    if nonlinearity != "leaky_relu":
        parts.append(f"nonlinearity='{nonlinearity}'")
    name = f"{canonical}({', '.join(parts)})"
    return InitSpec("torch.nn.init." + name, name, ("torch",), "he", scale, source, mode, distribution)


def _keras(call: _Call) -> InitSpec:
    """Keras 3.15 keras/src/initializers/random_initializers.py."""
    if call.name in ("VarianceScaling", "variance_scaling"):
        params = ("scale", "mode", "distribution", "seed", "input_axes", "output_axes")
    else:
        params = ("seed", "input_axes", "output_axes")
    bound = _bind(call, params)
    if "seed" in bound:
        node = bound["seed"]
        seed_ok = (isinstance(node, ast.Constant) and node.value is None) or (
            isinstance(node, ast.Call) and (_dotted(node.func) or "").endswith("SeedGenerator")
        )
        if not seed_ok:
            _int(call, node, "seed", "None, an integer or a keras.random.SeedGenerator(...)")
    for axes in ("input_axes", "output_axes"):
        node = bound.get(axes)
        if node is not None and not (isinstance(node, ast.Constant) and node.value is None):
            raise UsageError(
                axes,
                call.segment(node),
                "not supported: glorotcalc uses Keras's default fans (input_axes/output_axes drop the "
                "receptive field)",
            )
    if "scale" not in params:
        scheme, scale, mode, distribution = _KERAS_CLASSES[_KERAS_SNAKE.get(call.name, call.name)]
        name = f"{call.name}()"
        source = f"{call.name} ({scale:g})"
        return InitSpec(
            "keras.initializers." + name, name, ("keras",), scheme, scale, source, mode, distribution
        )
    scale = 1.0
    if "scale" in bound:
        text = call.segment(bound["scale"])
        scale = _positive_scale(_number(call, bound["scale"], "scale").value, "scale", text)
    mode = "fan_in"
    if "mode" in bound:
        mode = _word(call, bound["mode"], "mode", MODES[:3])
        if mode not in MODES[:3]:
            raise UsageError(
                "mode", mode, "not supported by Keras VarianceScaling; use one of fan_in, fan_out, fan_avg"
            )
    distribution = "truncated"
    if "distribution" in bound:
        keras_names = ("truncated_normal", "untruncated_normal", "uniform")
        typed = _word(call, bound["distribution"], "distribution", keras_names)
        lowered = typed.lower()  # Keras lower-cases it, and "normal" means "truncated_normal"
        lowered = "truncated_normal" if lowered == "normal" else lowered
        if lowered not in keras_names:
            raise UsageError(
                "distribution",
                typed,
                "not supported by Keras VarianceScaling; use one of truncated_normal, untruncated_normal, "
                "uniform (normal = truncated_normal)",
            )
        distribution = {"truncated_normal": "truncated", "untruncated_normal": "normal"}.get(lowered, lowered)
    name = _keras_vs_text(call.name, scale, mode, distribution)
    return InitSpec(
        "keras.initializers." + name,
        name,
        ("keras",),
        "variance_scaling",
        scale,
        f"scale={_fmt(scale)}",
        mode,
        distribution,
    )


def _jax(call: _Call, call_prefix: str) -> InitSpec:
    """JAX 0.10 jax/_src/nn/initializers.py (Flax 0.12 re-exports it)."""
    named = call.name != "variance_scaling"
    if named:
        bound = _bind(call, ("in_axis", "out_axis", "batch_axis", "dtype"))
    else:
        params = ("scale", "mode", "distribution", "in_axis", "out_axis", "batch_axis", "dtype")
        bound = _bind(call, params, required=params[:3])
    in_axis = _axis(call, bound["in_axis"], "in_axis") if "in_axis" in bound else -2
    out_axis = _axis(call, bound["out_axis"], "out_axis") if "out_axis" in bound else -1
    batch_axis = _axes(call, bound["batch_axis"], "batch_axis") if "batch_axis" in bound else ()
    if "dtype" in bound:
        node = bound["dtype"]
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            pass
        else:
            _opaque(call, node, "dtype", "None, a dtype name or 'float32'")
        if "complex" in call.segment(node).lower():
            raise UsageError(
                "dtype",
                call.segment(node),
                "complex dtypes change JAX's distribution (a uniform disk, a complex truncated normal); "
                "use a real dtype",
            )
    frameworks = ("jax", "flax")
    if named:
        scheme, scale, mode, distribution = _JAX_NAMED[call.name]
        name = f"{call.name}({', '.join(_axes_text(in_axis, out_axis, batch_axis))})"
        source = f"{call.name} ({scale:g})"
        axes = {"in_axis": in_axis, "out_axis": out_axis, "batch_axis": batch_axis}
        return InitSpec(
            call_prefix + name, name, frameworks, scheme, scale, source, mode, distribution, **axes
        )
    text = call.segment(bound["scale"])
    scale = _positive_scale(_number(call, bound["scale"], "scale").value, "scale", text)
    mode = _word(call, bound["mode"], "mode", MODES)
    if mode not in MODES:
        raise UsageError(
            "mode", mode, "not supported by jax variance_scaling; use one of " + ", ".join(MODES)
        )
    jax_names = {"truncated_normal": "truncated", "normal": "normal", "uniform": "uniform"}
    typed = _word(call, bound["distribution"], "distribution", tuple(jax_names))
    if typed not in jax_names:
        raise UsageError(
            "distribution",
            typed,
            "not supported by jax variance_scaling; use one of truncated_normal, normal (untruncated), "
            "uniform",
        )
    axes = {"in_axis": in_axis, "out_axis": out_axis, "batch_axis": batch_axis}
    source = f"scale={_fmt(scale)}"
    spec = InitSpec("", "", frameworks, "variance_scaling", scale, source, mode, jax_names[typed], **axes)
    name = _jax_vs_text(spec)
    return replace(spec, call=call_prefix + name, name=name)


# --- initializers that are not variance scaling (glorotcalc.laws) ---------------------------------


def _num_arg(call: _Call, bound: dict[str, ast.expr], key: str, default: float) -> float:
    return _number(call, bound[key], key).value if key in bound else default


def _args_text(pairs: list[tuple[str, float, float]]) -> str:
    """``a=0.0, b=2.0`` for the arguments that differ from their defaults."""
    return ", ".join(f"{key}={_fmt(value)}" for key, value, default in pairs if value != default)


def _law_call(
    call: _Call, prefix: str, name: str, args: str, frameworks: tuple[str, ...], **fields
) -> InitLaw:
    shown = f"{name}({args})" if call.called or args else name
    return InitLaw(prefix + shown, shown, frameworks, **fields)


def _positive(call: _Call, value: float, what: str, strict: bool = True) -> float:
    if value < 0 or (strict and value == 0):
        raise UsageError(what, _fmt(value), "must be positive" if strict else "must be ≥ 0")
    return value


def _torch_law(call: _Call) -> InitLaw:
    """torch 2.13 torch/nn/init.py: uniform_(tensor, a, b, generator), normal_, trunc_normal_, …"""
    canonical = call.name if call.name.endswith("_") else call.name + "_"
    kind = _TORCH_LAWS[canonical]
    params = {
        "uniform_": ("a", "b", "generator"),
        "normal_": ("mean", "std", "generator"),
        "trunc_normal_": ("mean", "std", "a", "b", "generator"),
        "constant_": ("val",),
        "ones_": (),
        "zeros_": (),
        "eye_": (),
        "dirac_": ("groups",),
        "orthogonal_": ("gain", "generator"),
        "sparse_": ("sparsity", "std", "generator"),
    }[canonical]
    args = call.args
    if "tensor" not in dict(call.kwargs) and args and _is_tensor(call, args[0]):
        args = args[1:]
    required = {"constant_": ("val",), "sparse_": ("sparsity",)}.get(canonical, ())
    bound = _bind(call, params, required=required, args=args, extra=("tensor",))
    if "generator" in bound:
        _opaque(call, bound["generator"], "generator", "None or a torch.Generator")
    fw, pre = ("torch",), "torch.nn.init."
    if kind == "uniform":
        a, b = _num_arg(call, bound, "a", 0.0), _num_arg(call, bound, "b", 1.0)
        if not a < b:
            raise UsageError("uniform_ bounds", f"a={_fmt(a)}, b={_fmt(b)}", "need a < b")
        text = _args_text([("a", a, 0.0), ("b", b, 1.0)])
        return _law_call(call, pre, canonical, text, fw, kind=kind, low=a, high=b)
    if kind == "normal":
        mean, std = _num_arg(call, bound, "mean", 0.0), _num_arg(call, bound, "std", 1.0)
        _positive(call, std, "std", strict=False)
        text = _args_text([("mean", mean, 0.0), ("std", std, 1.0)])
        return _law_call(call, pre, canonical, text, fw, kind=kind, mean=mean, std=std)
    if kind == "truncated":
        mean, std = _num_arg(call, bound, "mean", 0.0), _num_arg(call, bound, "std", 1.0)
        a, b = _num_arg(call, bound, "a", -2.0), _num_arg(call, bound, "b", 2.0)
        _positive(call, std, "std")
        if not a < b:
            raise UsageError(
                "trunc_normal_ cut-offs", f"a={_fmt(a)}, b={_fmt(b)}", "need a < b (absolute values)"
            )
        text = _args_text([("mean", mean, 0.0), ("std", std, 1.0), ("a", a, -2.0), ("b", b, 2.0)])
        return _law_call(call, pre, canonical, text, fw, kind=kind, mean=mean, std=std, low=a, high=b)
    if kind == "constant":
        value = {"ones_": 1.0, "zeros_": 0.0}.get(canonical)
        if value is None:
            value = _number(call, bound["val"], "val").value
        text = f"val={_fmt(value)}" if canonical == "constant_" else ""
        return _law_call(call, pre, canonical, text, fw, kind=kind, value=value)
    if kind == "eye":
        return _law_call(call, pre, canonical, "", fw, kind=kind)
    if kind == "dirac":
        groups = _int(call, bound["groups"], "groups", "a positive integer") if "groups" in bound else 1
        if groups < 1:
            raise UsageError("groups", groups, "must be a positive integer")
        text = f"groups={groups}" if groups != 1 else ""
        return _law_call(call, pre, canonical, text, fw, kind=kind, groups=groups)
    if kind == "orthogonal":
        gain = _num_arg(call, bound, "gain", 1.0)
        text = _args_text([("gain", gain, 1.0)])
        return _law_call(
            call,
            pre,
            canonical,
            text,
            fw,
            kind=kind,
            gain=gain,
            axis=0,
            kept_as="rows",
            matrix_text="(shape[0], numel/shape[0])",
        )
    sparsity = _number(call, bound["sparsity"], "sparsity").value
    if not 0 <= sparsity <= 1:
        raise UsageError(
            "sparsity", _fmt(sparsity), "must be in [0, 1] (the fraction of each column set to 0)"
        )
    std = _positive(call, _num_arg(call, bound, "std", 0.01), "std", strict=False)
    text = ", ".join([f"sparsity={_fmt(sparsity)}", *([f"std={_fmt(std)}"] if std != 0.01 else [])])
    return _law_call(call, pre, canonical, text, fw, kind=kind, sparsity=sparsity, std=std)


def _seed(call: _Call, bound: dict[str, ast.expr]) -> None:
    if "seed" in bound:
        node = bound["seed"]
        if not (isinstance(node, ast.Constant) and node.value is None) and not (
            isinstance(node, ast.Call) and (_dotted(node.func) or "").endswith("SeedGenerator")
        ):
            _int(call, node, "seed", "None, an integer or a keras.random.SeedGenerator(...)")


def _keras_law(call: _Call) -> InitLaw:
    """Keras 3.15 random_initializers.py / constant_initializers.py."""
    kind = _KERAS_LAWS[call.name]
    lower = call.name.lower().replace("initializer", "")
    params = {
        "uniform": ("minval", "maxval", "seed"),
        "normal": ("mean", "stddev", "seed"),
        "truncated": ("mean", "stddev", "seed"),
        "eye": ("gain",),
        "orthogonal": ("gain", "seed"),
        "constant": ("value",) if lower == "constant" else (),
    }[kind]
    bound = _bind(call, params)
    _seed(call, bound)
    fw, pre = ("keras",), "keras.initializers."
    name = call.name
    if kind == "uniform":
        low, high = _num_arg(call, bound, "minval", -0.05), _num_arg(call, bound, "maxval", 0.05)
        if not low < high:
            raise UsageError(
                f"{name} bounds", f"minval={_fmt(low)}, maxval={_fmt(high)}", "need minval < maxval"
            )
        text = _args_text([("minval", low, -0.05), ("maxval", high, 0.05)])
        return _law_call(replace(call, called=True), pre, name, text, fw, kind=kind, low=low, high=high)
    if kind in ("normal", "truncated"):
        mean, std = _num_arg(call, bound, "mean", 0.0), _num_arg(call, bound, "stddev", 0.05)
        _positive(call, std, "stddev", strict=kind == "truncated")
        text = _args_text([("mean", mean, 0.0), ("stddev", std, 0.05)])
        cut = {"low": mean - 2 * std, "high": mean + 2 * std} if kind == "truncated" else {}
        return _law_call(
            replace(call, called=True), pre, name, text, fw, kind=kind, mean=mean, std=std, **cut
        )
    if kind == "constant":
        value = {"zeros": 0.0, "ones": 1.0}.get(lower)
        if value is None:
            value = _num_arg(call, bound, "value", 0.0)
        text = f"value={_fmt(value)}" if lower == "constant" and value != 0.0 else ""
        return _law_call(replace(call, called=True), pre, name, text, fw, kind=kind, value=value)
    gain = _num_arg(call, bound, "gain", 1.0)
    text = _args_text([("gain", gain, 1.0)])
    if kind == "eye":
        return _law_call(replace(call, called=True), pre, name, text, fw, kind=kind, gain=gain)
    return _law_call(
        replace(call, called=True),
        pre,
        name,
        text,
        fw,
        kind=kind,
        gain=gain,
        axis=-1,
        matrix_text="(prod(shape[:-1]), shape[-1])",
    )


def _jax_law(call: _Call, call_prefix: str) -> InitLaw:
    """JAX 0.10 jax/_src/nn/initializers.py (Flax 0.12 re-exports it, plus zeros_init/ones_init)."""
    kind = _FLAX_LAWS[call.name]
    fw = ("jax", "flax")
    if call.name in ("zeros", "ones"):
        if call.called:
            raise UsageError(
                "initializer",
                call.text.strip(),
                f"jax.nn.initializers.{call.name} is an initializer itself (key, shape, dtype): write "
                f"{call.name}, or {call.name}_init() in Flax",
            )
        return _law_call(call, call_prefix, call.name, "", fw, kind=kind, value=float(call.name == "ones"))
    params = {
        "uniform": ("scale", "dtype"),
        "normal": ("stddev", "dtype"),
        "truncated": ("stddev", "dtype", "lower", "upper"),
        "constant": ("value", "dtype") if call.name == "constant" else (),
        "orthogonal": ("scale", "column_axis", "dtype"),
        "delta_orthogonal": ("scale", "column_axis", "dtype"),
    }[kind]
    required = ("value",) if call.name == "constant" else ()
    bound = _bind(call, params, required=required)
    if "dtype" in bound:
        node = bound["dtype"]
        if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
            _opaque(call, node, "dtype", "None, a dtype name or 'float32'")
        if "complex" in call.segment(node).lower():
            raise UsageError(
                "dtype", call.segment(node), "complex dtypes are not supported; use a real dtype"
            )
    call = replace(call, called=True)
    if kind == "uniform":
        scale = _num_arg(call, bound, "scale", 1e-2)
        if scale == 0:
            raise UsageError("scale", "0", "must be nonzero (U[0, scale))")
        low, high = sorted((0.0, scale))
        text = _args_text([("scale", scale, 1e-2)])
        return _law_call(call, call_prefix, call.name, text, fw, kind=kind, low=low, high=high)
    if kind == "normal":
        std = _positive(call, _num_arg(call, bound, "stddev", 1e-2), "stddev", strict=False)
        return _law_call(
            call, call_prefix, call.name, _args_text([("stddev", std, 1e-2)]), fw, kind=kind, std=std
        )
    if kind == "truncated":
        std = _positive(call, _num_arg(call, bound, "stddev", 1e-2), "stddev")
        lower, upper = _num_arg(call, bound, "lower", -2.0), _num_arg(call, bound, "upper", 2.0)
        if not lower < upper:
            raise UsageError(
                "truncated_normal", f"lower={_fmt(lower)}, upper={_fmt(upper)}", "need lower < upper"
            )
        text = _args_text([("stddev", std, 1e-2), ("lower", lower, -2.0), ("upper", upper, 2.0)])
        return _law_call(
            call, call_prefix, call.name, text, fw, kind=kind, std=std, low=lower * std, high=upper * std
        )
    if kind == "constant":
        value = {"zeros_init": 0.0, "ones_init": 1.0}.get(call.name)
        if value is None:
            value = _number(call, bound["value"], "value").value
        text = f"{_fmt(value)}" if call.name == "constant" else ""
        return _law_call(call, call_prefix, call.name, text, fw, kind=kind, value=value)
    scale = _num_arg(call, bound, "scale", 1.0)
    axis = _int(call, bound["column_axis"], "column_axis") if "column_axis" in bound else -1
    text = ", ".join(
        [
            *([f"scale={_fmt(scale)}"] if scale != 1.0 else []),
            *([f"column_axis={axis}"] if axis != -1 else []),
        ]
    )
    matrix = "(numel/shape[column_axis], shape[column_axis])"
    return _law_call(
        call,
        call_prefix,
        call.name,
        text,
        fw,
        kind=kind,
        gain=scale,
        axis=axis,
        centre="(k-1)//2" if kind == "delta_orthogonal" else "k//2",
        matrix_text=matrix,
    )


def _torch_any(call: _Call):
    return _torch_law(call) if call.name in _LAWS["torch"] else _torch(call)


def _keras_any(call: _Call):
    return _keras_law(call) if call.name in _KERAS_LAWS else _keras(call)


def _jax_any(call: _Call, call_prefix: str):
    return _jax_law(call, call_prefix) if call.name in _FLAX_LAWS else _jax(call, call_prefix)


# --- resolving a name -----------------------------------------------------------------------------


def _owners(name: str) -> tuple[str, ...]:
    return tuple(framework for framework in FRAMEWORKS if name in INIT_NAMES[framework])


def _owner_text(owners: tuple[str, ...]) -> str:
    return "/".join(owners)


def _names_for(framework: str | None) -> tuple[str, ...]:
    if framework is None:
        return tuple(dict.fromkeys(name for names in INIT_NAMES.values() for name in names))
    return INIT_NAMES[framework]


def _unknown(call: _Call, framework: str | None) -> UsageError:
    """A name no framework in scope has: a scheme word, a non-scaling initializer, or a typo."""
    name = call.name
    word = _SCHEME_WORDS.get(name.lower())
    if word is not None and not call.prefix:
        if framework is None:
            options = _SCHEME_DEFAULT[name.lower()]
        else:
            options = word["jax" if framework == "flax" else framework]
        if not options:
            options = _SCHEME_DEFAULT[name.lower()]
        listed = ", ".join(options[:-1]) + " or " + options[-1] if len(options) > 1 else options[0]
        return UsageError(
            "initializer", call.text.strip(), f"is a scheme, not an initializer; did you mean {listed}?"
        )
    scope = FRAMEWORKS if framework is None else (framework,)
    for owner in scope:
        if name in _NOT_SCALING[owner]:
            return UsageError(
                "initializer",
                call.dotted,
                f"is a {owner} initializer glorotcalc does not compute; it computes "
                + ", ".join(INIT_NAMES[owner]),
            )
    pool = _names_for(framework)
    key = name.lower().replace("_", "")
    close = [candidate for candidate in pool if candidate.lower().replace("_", "") == key]
    close += [match for match in difflib.get_close_matches(name, pool, n=3, cutoff=0.6) if match not in close]
    where = "" if framework is None else f" {framework}"
    if close:
        close = close[:3]
        listed = " or ".join(close) if len(close) < 3 else f"{close[0]}, {close[1]} or {close[2]}"
        return UsageError(f"unknown{where} initializer", call.dotted, f"did you mean {listed}?")
    return UsageError(f"unknown{where} initializer", call.dotted, "use one of " + ", ".join(pool))


def _meaning(call: _Call) -> InitSpec | None:
    """What `call` means in the framework it belongs to (for "use … instead"), if it parses."""
    group = _PREFIXES.get(call.prefix)
    group = "jax" if group == "flax" else group
    own = call if group is not None and call.name in INIT_NAMES[group] else replace(call, prefix="")
    try:
        return _resolve(own, None)
    except UsageError:
        return None


def _use(call: _Call, framework: str) -> str:
    spec = _meaning(call)
    return _suggestion(spec, framework) if spec is not None else "one of " + ", ".join(INIT_NAMES[framework])


def _foreign(call: _Call, owners: tuple[str, ...], framework: str) -> UsageError:
    """`call` names another framework's initializer than the one asked for."""
    return UsageError(
        "initializer",
        call.dotted,
        f"is a {_owner_text(owners)} initializer, not a {framework} one; drop --framework {framework} or use "
        + _use(call, framework),
    )


def _same(first, second) -> bool:
    if isinstance(first, InitLaw) or isinstance(second, InitLaw):
        return isinstance(first, InitLaw) and isinstance(second, InitLaw) and same_law(first, second)
    keys = ("scheme", "scale", "mode", "distribution", "in_axis", "out_axis", "batch_axis")
    return all(getattr(first, key) == getattr(second, key) for key in keys)


def _describe(spec: InitSpec) -> str:
    distribution = {"truncated": "a truncated normal", "normal": "an untruncated normal"}.get(
        spec.distribution, "a uniform"
    )
    text = f"{distribution}, scale {_fmt(spec.scale)}, {spec.mode}"
    if (spec.in_axis, spec.out_axis, spec.batch_axis) != (-2, -1, ()):
        text += ", " + ", ".join(_axes_text(spec.in_axis, spec.out_axis, spec.batch_axis))
    return text


def _shared(call: _Call) -> InitSpec:
    """A name both Keras and JAX/Flax export (glorot_*, he_*, lecun_*, variance_scaling)."""
    specs: dict[str, InitSpec] = {}
    errors: dict[str, UsageError] = {}
    for framework, parse in (("keras", _keras_any), ("jax", lambda c: _jax_any(c, "jax.nn.initializers."))):
        try:
            specs[framework] = parse(call)
        except UsageError as error:
            errors[framework] = error
    if len(specs) == 2:
        keras, jax = specs["keras"], specs["jax"]
        if _same(keras, jax):
            return replace(keras, frameworks=("keras", "jax", "flax"))
        if isinstance(keras, InitLaw) and isinstance(jax, InitLaw):
            raise UsageError(
                "ambiguous initializer",
                call.text.strip(),
                f"means {describe(keras)} in keras ({keras.call}) but {describe(jax)} in jax/flax "
                f"({jax.call}); write keras.initializers.{call.name}(…) or jax.nn.initializers."
                f"{call.name}(…), or give --framework",
            )
        raise UsageError(
            "ambiguous initializer",
            call.text.strip(),
            f"means {_describe(keras)} in keras but {_describe(jax)} in jax/flax; write "
            f"keras.initializers.{call.name}(…) or jax.nn.initializers.{call.name}(…), or give --framework",
        )
    if specs:
        return next(iter(specs.values()))
    keras_error, jax_error = errors["keras"], errors["jax"]
    keras_shape, jax_shape = (getattr(error, "signature", False) for error in (keras_error, jax_error))
    if keras_shape != jax_shape:  # one reading fits the signature: its complaint about a value is the point
        raise jax_error if keras_shape else keras_error
    if str(keras_error) == str(jax_error):
        raise keras_error
    if (keras_error.what, keras_error.value) == (jax_error.what, jax_error.value):
        raise UsageError(
            keras_error.what,
            keras_error.value,
            f"keras: {keras_error.allowed}; jax/flax: {jax_error.allowed}",
        )
    raise UsageError(
        f"{call.name} fits neither keras nor jax/flax:",
        call.text.strip(),
        f"keras: {keras_error}; jax/flax: {jax_error}",
    )


def _resolve(call: _Call, framework: str | None) -> InitSpec:
    """The spec of `call` (framework already checked), by prefix, then by the ambiguity rule."""
    name = call.name
    if call.prefix:
        prefix_framework = _PREFIXES.get(call.prefix)
        if prefix_framework is None:
            raise UsageError(
                "initializer module",
                call.prefix.rstrip("."),
                "use one of " + ", ".join(p[:-1] for p in _PREFIXES),
            )
        if call.prefix == "initializers." and framework in ("jax", "flax"):
            prefix_framework = framework  # from flax.nnx import initializers
        group = "jax" if prefix_framework == "flax" else prefix_framework
        if name not in INIT_NAMES[prefix_framework]:
            owners = _owners(name)
            if not owners:
                raise _unknown(call, prefix_framework)
            module = call.prefix.rstrip(".")
            raise UsageError(
                "initializer",
                call.dotted,
                f"{module} has no {name}; it is a {_owner_text(owners)} initializer: use "
                + _use(call, framework or prefix_framework),
            )
        if framework is not None and group != ("jax" if framework == "flax" else framework):
            raise _foreign(call, (prefix_framework,), framework)
        if group == "torch":
            return _torch_any(call)
        if group == "keras":
            return _keras_any(call)
        if call.prefix in _FLAX_CALL_PREFIX:
            return _jax_any(call, _FLAX_CALL_PREFIX[call.prefix])
        return _jax_any(
            call, "flax.nnx.initializers." if prefix_framework == "flax" else "jax.nn.initializers."
        )
    owners = _owners(name)
    if not owners:
        raise _unknown(call, framework)
    if framework is None:
        if "torch" in owners and len(owners) > 1 and name in _TORCH_LAW_DEPRECATED:
            owners = tuple(owner for owner in owners if owner != "torch")  # torch's alias is deprecated
        if "torch" in owners:
            return _torch_any(call)
        if owners == ("keras",):
            return _keras_any(call)
        if "keras" in owners:
            return _shared(call)
        return _jax_any(call, "jax.nn.initializers.")
    if framework not in owners:
        raise _foreign(call, owners, framework)
    if framework == "torch":
        return _torch_any(call)
    if framework == "keras":
        return _keras_any(call)
    return _jax_any(call, "flax.nnx.initializers." if framework == "flax" else "jax.nn.initializers.")


# The --init vocabularies of the records beyond torch, Keras, JAX and Flax: framework → module.
# Each module (pure, like this one) has FRAMEWORK, PREFIXES (its module prefixes, longest first),
# NAMES, and resolve(call: _Call) -> InitSpec | InitLaw, which raises UsageError (exit 2).
MORE_VOCABULARIES: dict[str, str] = {}


def _vocabulary(framework: str):
    import importlib

    return importlib.import_module(MORE_VOCABULARIES[framework])


def vocabulary_frameworks() -> tuple[str, ...]:
    """Every framework whose initializer names --init reads."""
    return (*FRAMEWORKS, *MORE_VOCABULARIES)


def _prefix_owner(prefix: str) -> str | None:
    """The vocabulary beyond the four that owns a module prefix (``hk.initializers.``), if any."""
    for framework in MORE_VOCABULARIES:
        if prefix in _vocabulary(framework).PREFIXES:
            return framework
    return None


def _resolve_more(call: _Call, framework: str) -> InitSpec:
    """`call` in the vocabulary of `framework` (one of MORE_VOCABULARIES)."""
    vocabulary = _vocabulary(framework)
    if call.prefix and call.prefix not in vocabulary.PREFIXES:
        owner = _PREFIXES.get(call.prefix) or _prefix_owner(call.prefix)
        if owner is not None:
            raise UsageError(
                "initializer",
                call.dotted,
                f"is a {owner} initializer, not a {framework} one; drop --framework {framework} or use "
                + ", ".join(vocabulary.NAMES),
            )
        raise UsageError(
            f"{framework} initializer module",
            call.prefix.rstrip("."),
            "use " + " or ".join(p.rstrip(".") for p in vocabulary.PREFIXES),
        )
    if call.name not in vocabulary.NAMES:
        pool = vocabulary.NAMES
        close = difflib.get_close_matches(call.name, pool, n=3, cutoff=0.6)
        allowed = ("did you mean " + " or ".join(close) + "?") if close else "use one of " + ", ".join(pool)
        raise UsageError(f"unknown {framework} initializer", call.dotted, allowed)
    return vocabulary.resolve(call)


def parse_init(text: str, framework: str | None = None) -> InitSpec:
    """Resolve an initializer as typed (``"kaiming_uniform_(a=√5)"``, ``"HeNormal"``) to an `InitSpec`.

    `framework` (None, "torch", "keras", "jax", "flax") restricts the names to that framework: a
    name of another framework is a UsageError saying whose name it is and what to write instead.
    """
    if not isinstance(text, str):
        raise UsageError("initializer", text, "must be a string, " + _FORM)
    if len(text) > MAX_LENGTH:
        raise UsageError("initializer", text, f"is longer than {MAX_LENGTH} characters")
    call = _read(text)
    if framework is not None:
        chosen = str(framework).strip().lower()
        if chosen in MORE_VOCABULARIES:
            return _resolve_more(call, chosen)
        if chosen not in FRAMEWORKS:
            raise UsageError(
                "framework",
                framework,
                "--init reads the initializer names of "
                + ", ".join(vocabulary_frameworks())
                + "; give one of them, or no --framework",
            )
        framework = chosen
    elif call.prefix and call.prefix not in _PREFIXES:
        owner = _prefix_owner(call.prefix)
        if owner is not None:
            return _resolve_more(call, owner)
    return _resolve(call, framework)
