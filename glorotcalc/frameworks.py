"""Framework conventions, one record per framework: torch, Keras, JAX and Flax compute "the same"
initializer differently.

Pure math (no numpy, no rich at import): the lookup path imports this module. Every difference
between frameworks is a field of its `Framework` record — weight layout and fan rule, what
``*_normal`` means, the modes its initializers accept, its layer defaults (weight and bias), and
how its code is written. Analyses read the fields; none asks which framework it has.

================  =================  =============================  ===============================
framework         weight layout      ``*_normal`` means             gain / modes
================  =================  =============================  ===============================
torch             ``(out, in, *k)``  untruncated N(0, Var)          ``gain=`` (xavier), nonlinearity
                                                                    (kaiming: fan_in/fan_out only)
keras             ``(*k, in, out)``  truncated at ±2σ, σ=√Var/0.88  scale = gain²; n = max(1, fan)
jax / flax        ``(*k, in, out)``  truncated (as keras)           scale = gain²; also fan_geo_avg
================  =================  =============================  ===============================

Sources: torch 2.13 ``torch/nn/init.py`` and ``torch/nn/modules/{linear,conv,sparse,activation,
transformer}.py``; Keras 3.15 ``keras/src/initializers/random_initializers.py`` and
``keras/src/layers/``; JAX 0.10 ``jax/_src/nn/initializers.py``; Flax 0.12 ``flax/linen/linear.py``.
Each is checked live against the installed library (torch: tests/test_torch_peer.py and
tests/test_frameworks_torch.py; Keras 3.15.1 on TensorFlow 2.21: tests/test_keras_peer.py; JAX
0.10.2 and Flax 0.12.8: tests/test_jax_peer.py), as each record's comment says.

>>> from glorotcalc.layers import dense
>>> round(default_stats(FRAMEWORKS["torch"], dense(784, 256)).std, 6)  # 1/√(3·784)
0.02062
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

from glorotcalc.errors import UsageError, choose
from glorotcalc.fans import out_first
from glorotcalc.gain import TORCH_NONLINEARITIES, Activation, Gain, calculate_gain
from glorotcalc.laws import InitLaw
from glorotcalc.layers import Layer, relayout
from glorotcalc.schemes import SCHEMES, TRUNCATED_STD, InitStats, fan_n, variance_scaling

CLOSE = 1e-12  # relative tolerance for "this scale/gain is that named one"


@dataclass(frozen=True)
class LayerDefault:
    """What one framework's layer of one kind draws without being asked.

    Var = scale/n with n from `mode` on the framework's own fans (``fans="in_channels"``: n is the
    first input size, torch ``Bilinear``; ``"out_channels"``: n is the features, Flax ``Embed``),
    or a fixed `variance` (torch ``Embedding`` N(0, 1)); ``"hidden"``: n is a recurrent layer's
    hidden size H (torch ``RNNBase.reset_parameters`` U(±1/√H); Flax's per-gate ``(H, H)``
    orthogonal); ``"max_dim"``: n = max(rows, cols) of the framework's 2-D weight (Keras's
    orthogonal recurrent kernel ``(H, gates·H)``). distribution ``"orthogonal"``: a (semi-)orthogonal
    matrix times √scale — mean 0, entries' RMS √(scale/max(rows, cols)), |w| ≤ √scale.
    bias: ``fan_in`` = U(±1/√fan_in) with the weight's fan_in, ``hidden`` = U(±1/√H), ``none``
    (the layer has no bias), or what to show as it is (``zeros``, ``zeros, forget gate 1``).
    """

    layer: str
    init: str
    scale: float = 1.0
    mode: str = "fan_in"
    distribution: str = "uniform"
    fans: str = "weight"
    variance: float | None = None
    bias: str = "zeros"


@dataclass(frozen=True)
class Expression:
    """One initialization written in one framework: a short name (table) and code (emit).

    `named`: the framework's own variance-scaling initializer; else the sampler with the numbers
    written out, and `why` says why.
    """

    framework: Framework
    name: str  # e.g. GlorotNormal(), kaiming_uniform_(mode='fan_in', nonlinearity='relu')
    code: tuple[str, ...]  # statements; ``{w}`` is the weight tensor, ``{init}`` the initializer
    named: bool
    why: str = ""

    @property
    def qualified(self) -> str:
        return f"{self.framework.module}.{self.name}"


Writer = Callable[["InitStats", "Framework", Layer, bool, bool], Expression]
# an initializer that is not variance scaling (glorotcalc.laws.InitLaw, its axis already in this
# framework's layout), the weight shape in that layout, code or not → how it is written, or None
LawWriter = Callable[["InitLaw", "Framework", tuple, bool], "Expression | None"]


def _no_law(law, fw, shape, code):
    return None


@dataclass(frozen=True)
class Framework:
    """Every fact glorotcalc uses about one framework's initialization."""

    name: str
    title: str
    module: str  # where its initializers live, e.g. torch.nn.init
    code_prefix: str  # how emitted code reaches that module
    layout: str  # the weight-layout family (glorotcalc.fans): torch | keras | jax | flax
    layout_text: str
    normal: str  # what its *_normal draws: normal (untruncated) or truncated
    convention: str
    untruncated: str  # how its untruncated normal is written
    scheme_modes: Mapping[str, tuple[str, ...]]  # scheme (or "*") → the modes its initializers take
    mode_problem: str  # why a mode is missing; {allowed} is filled in
    knob: str  # what its initializers take: gain or scale
    write: Writer
    write_law: LawWriter = _no_law
    min_n: float = 0.0  # Keras divides by max(1, n)
    small_rank_fans: bool = False  # Keras: rank 0 → (1, 1), rank 1 → (n, n); zeros allowed
    rank_error: str = ""
    zero_error: str = ""
    layers: Mapping[str, LayerDefault] = field(default_factory=dict)
    layer_names: str = ""
    default_note: str = ""
    bias_note: str = ""
    recurrent_note: str = ""  # its recurrent layers' defaults, for the defaults command
    notes_by_distribution: Mapping[str, str] = field(default_factory=dict)
    notes_by_scheme: Mapping[str, str] = field(default_factory=dict)
    note: str = ""
    imports: tuple[str, ...] = ()
    tensor_before: str = ""  # statement before the init: {w} the tensor, {dims} its shape
    tensor_after: str = ""  # statement after: {init}, {shape}, {index}
    layer_api: Mapping[str, str] = field(default_factory=dict)  # layer kind → its layer call
    # the largest kernel rank of a layer kind the framework has (Keras: DepthwiseConv1D/2D only)
    max_rank: Mapping[str, int] = field(default_factory=dict)
    # the model form (emit from a printout): code that initializes the printed model's layers
    model_header: tuple[str, ...] = ()  # lines after the imports: what is set, what the biases get
    model_weight: str = ""  # {w}: the weight in `model`; {module} (a literal), {attribute}
    model_root_weight: str = ""  # {w} when the layer is the model itself
    model_initializer: str = ""  # {init}: where the initializer is kept; {key} the layer (a literal)
    model_bias: str = ""  # the statement for a layer's bias ({b}, as {w}); "": biases not set

    @property
    def modes(self) -> tuple[str, ...]:
        """Every mode any of its initializers accepts."""
        return tuple(dict.fromkeys(m for modes in self.scheme_modes.values() for m in modes))

    def modes_for(self, scheme: str) -> tuple[str, ...]:
        return self.scheme_modes.get(scheme, self.scheme_modes["*"])


# ── writing an initialization in a framework's words ─────────────────────────────────────────────


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= CLOSE * max(abs(a), abs(b))


def _num(value: float, code: bool) -> str:
    return repr(value) if code else f"{value:.6g}"


def torch_nonlinearity(stats: InitStats, activation: Activation) -> tuple[str, float | None] | None:
    """The (nonlinearity, a) whose ``calculate_gain`` is `stats.gain`, or None if torch has none."""
    name = activation.name
    if name in TORCH_NONLINEARITIES and _close(calculate_gain(name, activation.param), stats.gain):
        return name, activation.slope if name == "leaky_relu" else None
    if _close(stats.scale, 1.0):
        return "linear", None
    if _close(stats.scale, 2.0):
        return "relu", None
    return None


def _call(fw: Framework, function: str, args: list[str], named: bool, why: str = "") -> Expression:
    name = f"{function}({', '.join(args)})"
    line = f"{fw.code_prefix}.{function}({', '.join(['{w}', *args])})"
    return Expression(fw, name, (line,), named, why)


def _assigned(fw: Framework, name: str, named: bool, why: str = "") -> Expression:
    return Expression(fw, name, (f"{{init}} = {fw.code_prefix}.{name}",), named, why)


def _why(fw: Framework, stats: InitStats, layer: Layer, n: float | None) -> str:
    """Why the numbers are written out instead of the framework's named initializer."""
    shape = framework_shape(layer, fw)
    if n is None and not fw.small_rank_fans and (len(shape) < 2 or 0 in shape):
        return f"{fw.title} computes no fans for a weight of shape {shape}: numbers written out"
    if n is None:
        return f"{fw.title} has no initializer with mode {stats.mode}: numbers written out"
    if n != stats.n:
        return f"{fw.title}'s fans for this weight give n = {n:g}, not {stats.n:g}: numbers written out"
    return f"kaiming_* takes a nonlinearity, not a gain ({stats.gain:.6g}): numbers written out"


def _write_torch(stats: InitStats, fw: Framework, layer: Layer, n: float | None, code: bool) -> Expression:
    same_n = n is not None and n == stats.n
    if stats.distribution == "truncated":
        sigma = _num(stats.sampler_std, code)
        lines = (
            f"sigma = {sigma}  # σ = std/{TRUNCATED_STD!r}; trunc_normal_'s a, b are absolute",
            "nn.init.trunc_normal_({w}, std=sigma, a=-2 * sigma, b=2 * sigma)",
        )
        why = "torch has no truncated variance scaling: trunc_normal_ with σ = std/0.8796 written out"
        return Expression(fw, "trunc_normal_(std=σ, a=-2σ, b=2σ)", lines if code else (), False, why)
    kind = stats.distribution
    if same_n and stats.mode == "fan_avg":
        args = [] if _close(stats.gain, 1.0) else [f"gain={_num(stats.gain, code)}"]
        return _call(fw, f"xavier_{kind}_", args, True)
    nonlinearity = torch_nonlinearity(stats, layer.activation) if same_n else None
    if nonlinearity is not None:
        name, slope = nonlinearity
        args = [] if slope is None else [f"a={_num(slope, code)}"]
        args += [] if stats.mode == "fan_in" else [f"mode='{stats.mode}'"]  # fan_in: torch's default
        args.append(f"nonlinearity='{name}'")
        return _call(fw, f"kaiming_{kind}_", args, True)
    why = _why(fw, stats, layer, n)
    if kind == "uniform":
        bound = _num(stats.bound, code)
        return _call(fw, "uniform_", [f"-{bound}", bound], False, why)
    return _call(fw, "normal_", ["mean=0.0", f"std={_num(stats.std, code)}"], False, why)


def _named_scheme(stats: InitStats) -> str | None:
    """glorot/he/lecun when `stats` has that scheme's own scale and mode, else None."""
    spec = SCHEMES.get(stats.scheme)
    if spec is None or stats.mode != spec.mode or not _close(stats.scale, spec.default_scale):
        return None
    return spec.name


KERAS_DISTRIBUTION = {"uniform": "uniform", "truncated": "truncated_normal", "normal": "untruncated_normal"}
JAX_DISTRIBUTION = {"uniform": "uniform", "truncated": "truncated_normal", "normal": "normal"}


def _write_keras(stats: InitStats, fw: Framework, layer: Layer, n: float | None, code: bool) -> Expression:
    same_n = n is not None and n == stats.n
    scheme = _named_scheme(stats) if same_n else None
    if scheme is not None and stats.distribution != "normal":
        suffix = "Uniform" if stats.distribution == "uniform" else "Normal"
        return _assigned(fw, f"{scheme.capitalize()}{suffix}()", True)
    if same_n:
        scale, mode = _num(stats.scale, code), stats.mode
        dist = KERAS_DISTRIBUTION[stats.distribution]
        return _assigned(fw, f'VarianceScaling(scale={scale}, mode="{mode}", distribution="{dist}")', True)
    why = _why(fw, stats, layer, n)
    if stats.distribution == "uniform":
        bound = _num(stats.bound, code)
        return _assigned(fw, f"RandomUniform(minval=-{bound}, maxval={bound})", False, why)
    if stats.distribution == "truncated":
        # TruncatedNormal cuts at ±2·stddev and does not rescale: stddev is the sampler's σ
        return _assigned(fw, f"TruncatedNormal(stddev={_num(stats.sampler_std, code)})", False, why)
    return _assigned(fw, f"RandomNormal(stddev={_num(stats.std, code)})", False, why)


def _write_jax(stats: InitStats, fw: Framework, layer: Layer, n: float | None, code: bool) -> Expression:
    same_n = n is not None and n == stats.n
    scheme = _named_scheme(stats) if same_n else None
    if scheme is not None and stats.distribution != "normal":
        return _assigned(fw, f"{scheme}_{stats.distribution.replace('truncated', 'normal')}()", True)
    if same_n:
        scale, mode = _num(stats.scale, code), stats.mode
        dist = JAX_DISTRIBUTION[stats.distribution]
        return _assigned(fw, f'variance_scaling({scale}, "{mode}", "{dist}")', True)
    why = _why(fw, stats, layer, n)
    if stats.distribution == "truncated":
        # truncated_normal(stddev) draws stddev·N(0,1) cut at ±2: stddev is the sampler's σ
        return _assigned(fw, f"truncated_normal(stddev={_num(stats.sampler_std, code)})", False, why)
    if stats.distribution == "normal":
        return _assigned(fw, f"normal(stddev={_num(stats.std, code)})", False, why)
    # jax's uniform(scale) is U[0, scale): a symmetric bound needs jax.random.uniform
    bound = _num(stats.bound, code)
    lam = f"lambda key, shape, dtype=jnp.float32: jax.random.uniform(key, shape, dtype, -{bound}, {bound})"
    return Expression(fw, f"uniform(−{bound}, {bound})", (f"{{init}} = {lam}",), False, why)


# Initializers that are not variance scaling. torch 2.13 torch/nn/init.py; Keras 3.15
# random_initializers.py, constant_initializers.py; JAX 0.10 jax/_src/nn/initializers.py.


def _law_torch(law: InitLaw, fw: Framework, shape: tuple, code: bool) -> Expression | None:
    """torch.nn.init: every law but delta-orthogonal, and orthogonal only along axis 0."""
    n = lambda v: _num(v, code)  # noqa: E731
    if law.kind == "uniform":
        return _call(fw, "uniform_", [f"a={n(law.low)}", f"b={n(law.high)}"], True)
    if law.kind == "normal":
        return _call(fw, "normal_", [f"mean={n(law.mean)}", f"std={n(law.std)}"], True)
    if law.kind == "truncated":
        args = [f"mean={n(law.mean)}", f"std={n(law.std)}", f"a={n(law.low)}", f"b={n(law.high)}"]
        return _call(fw, "trunc_normal_", args, True)
    if law.kind == "constant":
        name = {0.0: "zeros_", 1.0: "ones_"}.get(law.value)
        return _call(fw, name, [], True) if name else _call(fw, "constant_", [n(law.value)], True)
    if law.kind == "eye" and len(shape) == 2:
        if law.gain == 1.0:
            return _call(fw, "eye_", [], True)
        lines = ("nn.init.eye_({w})", "with torch.no_grad():", f"    {{w}}.mul_({n(law.gain)})")
        return Expression(fw, f"eye_() × {n(law.gain)}", lines, False, "eye_ takes no gain: multiplied after")
    if law.kind == "dirac" and law.centre == "k//2":
        return _call(fw, "dirac_", [f"groups={law.groups}"] if law.groups != 1 else [], True)
    if law.kind == "orthogonal" and law.axis % max(len(shape), 1) == 0:
        return _call(fw, "orthogonal_", [f"gain={n(law.gain)}"] if law.gain != 1.0 else [], True)
    if law.kind == "sparse" and len(shape) == 2:
        args = [f"sparsity={n(law.sparsity)}", *([f"std={n(law.std)}"] if law.std != 0.01 else [])]
        return _call(fw, "sparse_", args, True)
    return None


def _law_keras(law: InitLaw, fw: Framework, shape: tuple, code: bool) -> Expression | None:
    """keras.initializers: uniform, normal, TruncatedNormal (cut at mean ± 2·stddev only),
    constants, Identity (2-D), Orthogonal (the last axis kept whole)."""
    n = lambda v: _num(v, code)  # noqa: E731
    if law.kind == "uniform":
        return _assigned(fw, f"RandomUniform(minval={n(law.low)}, maxval={n(law.high)})", True)
    if law.kind == "normal":
        return _assigned(fw, f"RandomNormal(mean={n(law.mean)}, stddev={n(law.std)})", True)
    if law.kind == "truncated":
        two = [law.mean - 2 * law.std, law.mean + 2 * law.std]
        if all(_close(a, b) or a == b for a, b in zip(two, (law.low, law.high), strict=True)):
            return _assigned(fw, f"TruncatedNormal(mean={n(law.mean)}, stddev={n(law.std)})", True)
        return None
    if law.kind == "constant":
        name = {0.0: "Zeros()", 1.0: "Ones()"}.get(law.value)
        return _assigned(fw, name or f"Constant(value={n(law.value)})", True)
    if law.kind == "eye" and len(shape) == 2:
        return _assigned(fw, "Identity()" if law.gain == 1.0 else f"Identity(gain={n(law.gain)})", True)
    if law.kind == "orthogonal" and len(shape) >= 2 and law.axis % len(shape) == len(shape) - 1:
        return _assigned(fw, "Orthogonal()" if law.gain == 1.0 else f"Orthogonal(gain={n(law.gain)})", True)
    return None


def _law_jax(law: InitLaw, fw: Framework, shape: tuple, code: bool) -> Expression | None:
    """jax.nn.initializers: uniform(scale) only for U[0, scale) (else jax.random.uniform written
    out), normal(stddev) for mean 0, truncated_normal(stddev, lower, upper) for mean 0,
    constants, orthogonal(scale, column_axis), delta_orthogonal."""
    n = lambda v: _num(v, code)  # noqa: E731
    lam = "lambda key, shape, dtype=jnp.float32: "
    if law.kind == "uniform":
        if law.low == 0.0:
            return _assigned(fw, f"uniform({n(law.high)})", True)
        body = f"jax.random.uniform(key, shape, dtype, {n(law.low)}, {n(law.high)})"
        why = "jax's uniform(scale) is U[0, scale): jax.random.uniform written out"
        return Expression(fw, f"U({n(law.low)}, {n(law.high)})", (f"{{init}} = {lam}{body}",), False, why)
    if law.kind == "normal":
        if law.mean == 0.0:
            return _assigned(fw, f"normal({n(law.std)})", True)
        body = f"{n(law.mean)} + {n(law.std)} * jax.random.normal(key, shape, dtype)"
        why = "jax's normal(stddev) has mean 0: jax.random.normal written out"
        return Expression(fw, f"N({n(law.mean)}, {n(law.std)}²)", (f"{{init}} = {lam}{body}",), False, why)
    if law.kind == "truncated":
        lower, upper = (law.low - law.mean) / law.std, (law.high - law.mean) / law.std
        if law.mean == 0.0:
            return _assigned(fw, f"truncated_normal({n(law.std)}, lower={n(lower)}, upper={n(upper)})", True)
        cut = f"{n(lower)}, {n(upper)}"
        body = f"{n(law.mean)} + {n(law.std)} * jax.random.truncated_normal(key, {cut}, shape, dtype)"
        why = "jax's truncated_normal has mean 0: jax.random.truncated_normal written out"
        return Expression(fw, "truncated normal", (f"{{init}} = {lam}{body}",), False, why)
    if law.kind == "constant":
        name = {0.0: "zeros", 1.0: "ones"}.get(law.value)
        return _assigned(fw, name or f"constant({n(law.value)})", True)
    if law.kind == "eye" and len(shape) == 2:
        body = f"{n(law.gain)} * jnp.eye(*shape, dtype=dtype)"
        return Expression(
            fw, "eye", (f"{{init}} = {lam}{body}",), False, "jax.nn.initializers has no identity"
        )
    if law.kind == "orthogonal" and len(shape) >= 2:
        axis = law.axis % len(shape) - len(shape)
        args = [
            *([f"scale={n(law.gain)}"] if law.gain != 1.0 else []),
            *([f"column_axis={axis}"] if axis != -1 else []),
        ]
        return _assigned(fw, f"orthogonal({', '.join(args)})", True)
    if law.kind == "delta_orthogonal":
        args = [
            *([f"scale={n(law.gain)}"] if law.gain != 1.0 else []),
            *([f"column_axis={law.axis}"] if law.axis != -1 else []),
        ]
        return _assigned(fw, f"delta_orthogonal({', '.join(args)})", True)
    return None


def law_in(law: InitLaw, source_layout: str, fw: Framework, rank: int) -> InitLaw:
    """`law` with its orthogonal axis moved from `source_layout` to `fw`'s: (out, in, *k) axis 0
    is (*k, in, out) axis −1, axis 1 is −2, kernel axis 2 + j is j."""
    if law.kind != "orthogonal" or rank < 2 or out_first(source_layout) == out_first(fw.layout):
        return law
    axis = law.axis % rank
    if out_first(source_layout):
        moved = {0: rank - 1, 1: rank - 2}.get(axis, axis - 2)
    else:
        moved = {rank - 1: 0, rank - 2: 1}.get(axis, axis + 2)
    return replace(law, axis=moved)


def express_law(law: InitLaw, fw: Framework, shape: tuple, *, code: bool = False) -> Expression | None:
    """`law` (axis in `fw`'s layout) written in `fw` for a weight of `shape`, or None."""
    return fw.write_law(law, fw, tuple(shape), code)


# ── the records ──────────────────────────────────────────────────────────────────────────────────

_TORCH_LINEAR = LayerDefault("nn.Linear", "kaiming_uniform_(a=√5)", 1 / 3, bias="fan_in")
# torch 2.13 torch/nn/modules/rnn.py RNNBase.reset_parameters and RNNCellBase.reset_parameters:
# init.uniform_(w, -1/√H, 1/√H) on every parameter (weights, biases, the projection weight_hr):
# Var = 1/(3H), whatever the weight's shape (checked live in tests/test_recurrent.py)
_TORCH_RECURRENT = {
    f"{cell}_{part}": LayerDefault(
        f"nn.{module}", "uniform_(±1/√H)", 1 / 3, fans="hidden", bias="none" if part == "hr" else "hidden"
    )
    for cell, module in (("lstm", "LSTM"), ("gru", "GRU"), ("rnn", "RNN"))
    for part in ("ih", "hh", "hr")
    if part != "hr" or cell == "lstm"
}
_TORCH_CONV = replace(_TORCH_LINEAR, layer="nn.Conv*d")
TORCH = Framework(
    name="torch",
    title="torch",
    module="torch.nn.init",
    code_prefix="nn.init",
    layout="torch",
    layout_text="(out, in, *k)",
    normal="normal",
    convention="torch convention",
    untruncated="xavier_normal_, kaiming_normal_",
    scheme_modes={"glorot": ("fan_avg",), "*": ("fan_in", "fan_out")},
    mode_problem="kaiming_* has modes {allowed} (xavier_*, i.e. --scheme glorot with --gain, is fan_avg)",
    knob="gain",
    write=_write_torch,
    write_law=_law_torch,
    rank_error="torch.nn.init cannot compute fans of a tensor with fewer than 2 dimensions",
    zero_error="torch.nn.init leaves a zero-element tensor untouched (a no-op with a warning)",
    layers={
        "dense": _TORCH_LINEAR,
        "conv": _TORCH_CONV,
        "depthwise": _TORCH_CONV,
        "conv_transpose": replace(_TORCH_LINEAR, layer="nn.ConvTranspose*d"),
        "embedding": LayerDefault(
            "nn.Embedding", "normal_(0, 1)", distribution="normal", variance=1.0, bias="none"
        ),
        "bilinear": LayerDefault(
            "nn.Bilinear", "uniform_(±1/√in1)", 1 / 3, fans="in_channels", bias="fan_in"
        ),
        # MultiheadAttention._reset_parameters: xavier_uniform_(in_proj_weight), in_proj_bias = 0
        "attention": LayerDefault("nn.MultiheadAttention", "xavier_uniform_", 1.0, "fan_avg"),
        **_TORCH_RECURRENT,
    },
    layer_names="torch nn.Linear, nn.Conv*d, nn.ConvTranspose*d",
    default_note="kaiming_uniform_(a=√5) = U(±1/√fan_in), Var = 1/(3·fan_in)",
    bias_note="torch bias: U(±1/√fan_in) with the weight's fan_in",
    recurrent_note="torch nn.RNN, nn.LSTM, nn.GRU and cells: U(±1/√H) on every weight and both "
    "biases (bias_ih, bias_hh), H = hidden_size",
    notes_by_distribution={
        "normal": "normal = N(0, std²), untruncated (xavier_normal_, kaiming_normal_)",
        "truncated": "truncated: trunc_normal_ takes absolute bounds a, b and keeps σ: "
        "σ = std/0.87962566, a = −2σ",
    },
    notes_by_scheme={"lecun": "torch has no lecun_*: kaiming_* with nonlinearity='linear' is LeCun"},
    imports=("import torch", "from torch import nn"),
    tensor_before="{w} = torch.empty({dims})",
    layer_api={
        "dense": "nn.Linear({fan_in}, {out}).weight",
        "conv": "nn.Conv{rank}d({fan_in}, {out}, kernel_size={kernel}{groups}).weight",
        "depthwise": "nn.Conv{rank}d({fan_in}, {out}, kernel_size={kernel}, groups={fan_in}).weight",
        "conv_transpose": "nn.ConvTranspose{rank}d({fan_in}, {out}, kernel_size={kernel}{groups}).weight",
        "embedding": "nn.Embedding({fan_in}, {out}).weight",
    },
    model_header=(
        "# initializes `model` (the module whose print(model) was read) in place",
        "# biases: zeroed, as Glorot, He and LeCun do (torch's default is U(±1/√fan_in))",
    ),
    model_weight="model.get_submodule({module}).{attribute}",
    model_root_weight="model.{attribute}",
    model_bias="nn.init.zeros_({b})",
)

# Keras 3.15.1, confirmed live (tests/test_keras_peer.py): fans, n = max(1, fan), the 0.87962566
# correction and "normal" → truncated in keras/src/initializers/random_initializers.py
# (compute_fans, VarianceScaling.__call__); layer defaults glorot_uniform / zeros in
# keras/src/layers/core/dense.py, convolutional/base_conv.py (kernel (*k, in/groups, out)),
# base_conv_transpose.py ((*k, out, in)), base_depthwise_conv.py ((*k, in, multiplier)), and
# Embedding's "uniform" = RandomUniform(±0.05) in core/embedding.py.
_KERAS_DENSE = LayerDefault("Dense", "glorot_uniform", 1.0, "fan_avg")
# Keras 3.15.1 keras/src/layers/rnn/lstm.py, gru.py, simple_rnn.py (the cells' build): kernel
# (in, gates·H) glorot_uniform on the stacked matrix; recurrent_kernel (H, gates·H) "orthogonal"
# (Orthogonal(gain=1): entries' RMS 1/√(gates·H)); one bias, zeros: LSTM (4H,) with
# unit_forget_bias=True → ones on the forget gate [H:2H]; GRU reset_after=True → (2, 3H), the input
# and the recurrent bias; SimpleRNN (H,). The bias is shown on the kernel's row. No projection.
_KERAS_RECURRENT = {
    f"{cell}_{part}": LayerDefault(
        layer,
        "glorot_uniform" if part == "ih" else "orthogonal",
        1.0,
        "fan_avg" if part == "ih" else "fan_out",
        "uniform" if part == "ih" else "orthogonal",
        "weight" if part == "ih" else "max_dim",
        bias=bias if part == "ih" else "none",
    )
    for cell, layer, bias in (
        ("lstm", "LSTM", "zeros, forget gate 1"),
        ("gru", "GRU", "zeros (2, 3H)"),
        ("rnn", "SimpleRNN", "zeros"),
    )
    for part in ("ih", "hh")
}
KERAS = Framework(
    name="keras",
    title="Keras",
    module="keras.initializers",
    code_prefix="keras.initializers",
    layout="keras",
    layout_text="(*k, in, out)",
    normal="truncated",
    convention="Keras convention",
    untruncated='VarianceScaling(distribution="untruncated_normal")',
    scheme_modes={"*": ("fan_in", "fan_out", "fan_avg")},
    mode_problem="Keras VarianceScaling has modes {allowed}",
    knob="scale",
    write=_write_keras,
    write_law=_law_keras,
    min_n=1.0,
    small_rank_fans=True,
    layers={
        "dense": _KERAS_DENSE,
        "conv": replace(_KERAS_DENSE, layer="Conv*D"),
        "depthwise": replace(_KERAS_DENSE, layer="DepthwiseConv*D"),
        "conv_transpose": replace(_KERAS_DENSE, layer="Conv*DTranspose"),
        "embedding": LayerDefault("Embedding", "RandomUniform(±0.05)", variance=0.05**2 / 3, bias="none"),
        # MultiHeadAttention has no packed (E, 3E) tensor: q, k and v are three EinsumDense
        # kernels (E, H, key_dim) whose glorot_uniform EinsumDense.build clones with
        # input_axes/output_axes, so fans (E, H·key_dim) each (Keras 3.15.1
        # keras/src/layers/core/einsum_dense.py `_update_kernel_initializer`, called from
        # `build`). With torch's split key_dim = E/H that is Var = 2/(E + E) = 1/E: fan_in of
        # the packed weight, scale 1 (tests/test_keras_peer.py); not glorot on (E, 3E).
        "attention": replace(_KERAS_DENSE, layer="MultiHeadAttention", mode="fan_in"),
        **_KERAS_RECURRENT,
    },
    layer_names="Keras Dense, Conv*D",
    default_note="glorot_uniform, Var = 2/(fan_in + fan_out); zero bias",
    recurrent_note="Keras LSTM, GRU, SimpleRNN: kernel (in, gates·H) glorot_uniform on the stacked "
    "matrix, recurrent_kernel (H, gates·H) orthogonal, RMS 1/√(gates·H); one zero bias (on the kernel "
    "row): LSTM unit_forget_bias → forget gate 1, GRU reset_after → (2, 3H)",
    notes_by_distribution={
        "truncated": "normal → truncated (Keras convention): Keras *_normal = N(0, σ²) cut at ±2σ, "
        "σ = std/0.87962566, realized std √Var",
    },
    note="Keras initializers have no gain: a gain g is scale = g²",
    imports=("import keras",),
    tensor_after="{w} = {init}(shape={shape})",
    max_rank={"depthwise": 2},
    layer_api={
        "dense": "keras.layers.Dense({out}, kernel_initializer={init})",
        "conv": "keras.layers.Conv{rank}D({out}, {kernel}{groups}, kernel_initializer={init})",
        "depthwise": "keras.layers.DepthwiseConv{rank}D({kernel}, depth_multiplier={multiplier}, "
        "depthwise_initializer={init})",
        # Keras 3 Conv*DTranspose takes no groups (keras/src/layers/convolutional/base_conv_transpose.py)
        "conv_transpose": "keras.layers.Conv{rank}DTranspose({out}, {kernel}, kernel_initializer={init})",
        "embedding": "keras.layers.Embedding({fan_in}, {out}, embeddings_initializer={init})",
        # the stacked kernel (in, gates·H) and recurrent_kernel (H, gates·H) are torch's
        # weight_ih_l{k}ᵀ and weight_hh_l{k}ᵀ (keras/src/layers/rnn/lstm.py, gru.py, simple_rnn.py)
        **{
            f"{cell}_{part}": f"keras.layers.{layer}({{hidden}}, {argument}={{init}})"
            for cell, layer in (("lstm", "LSTM"), ("gru", "GRU"), ("rnn", "SimpleRNN"))
            for part, argument in (("ih", "kernel_initializer"), ("hh", "recurrent_initializer"))
        },
    },
    model_header=(
        "# each layer's initializer, by its torch module path: pass it as the comment shows",
        "# biases: not set (Keras layers' bias_initializer is zeros)",
        "kernel_initializers = {}",
    ),
    model_initializer="kernel_initializers[{key}]",
)

# JAX 0.10.2, confirmed live (tests/test_jax_peer.py): jax/_src/nn/initializers.py
# _compute_fans (in_axis/out_axis/batch_axis), variance_scaling ("normal" untruncated,
# "truncated_normal" σ = √Var/0.87962566 cut at ±2, "uniform" U(−1, 1)·√(3·Var), fan_geo_avg) and
# the glorot_/he_/lecun_/xavier_/kaiming_ names.
_JAX_COMMON = {
    "layout_text": "(*k, in, out)",
    "normal": "truncated",
    "convention": "JAX convention",
    "untruncated": 'variance_scaling(..., "normal")',
    "scheme_modes": {"*": ("fan_in", "fan_out", "fan_avg", "fan_geo_avg")},
    "knob": "scale",
    "write": _write_jax,
    "write_law": _law_jax,
    "rank_error": "jax.nn.initializers cannot compute fans of a weight with fewer than 2 dimensions",
    "zero_error": "jax.nn.initializers divides by a zero fan",
    "imports": ("import jax", "import jax.numpy as jnp"),
    "tensor_after": "{w} = {init}(jax.random.key({index}), {shape}, jnp.float32)",
}
JAX = Framework(
    name="jax",
    title="JAX",
    module="jax.nn.initializers",
    code_prefix="jax.nn.initializers",
    layout="jax",
    mode_problem="JAX VarianceScaling has modes {allowed}",
    notes_by_distribution={
        "truncated": "normal → truncated (JAX convention): JAX *_normal = N(0, σ²) cut at ±2σ, "
        "σ = std/0.87962566, realized std √Var",
    },
    note="JAX initializers have no gain: a gain g is scale = g²",
    model_header=(
        "# each weight's initializer, by its torch module path: call it with (key, shape, dtype)",
        "# biases: not set",
        "initializers = {}",
    ),
    model_initializer="initializers[{key}]",
    **_JAX_COMMON,
)
# Flax 0.12.8, confirmed live (tests/test_jax_peer.py): flax/linen/linear.py default_kernel_init =
# lecun_normal() and zeros_init() bias for Dense, Conv (kernel (*k, in/groups, out)) and
# ConvTranspose ((*k, in, out)); default_embed_init = variance_scaling(1.0, "fan_in", "normal",
# out_axis=0); flax/linen/attention.py q/k/v DenseGeneral kernels initialized flat (E, H·D).
_FLAX_DENSE = LayerDefault("nn.Dense", "lecun_normal", 1.0, "fan_in", "truncated")
# Flax 0.12.8 flax/linen/recurrent.py: LSTMCell, GRUCell, SimpleCell build one Dense per gate —
# input Dense (in, H) with kernel_init = default_kernel_init (lecun_normal), hidden Dense (H, H)
# with recurrent_kernel_init = orthogonal() (entries' RMS 1/√H), bias_init zeros. Biases: LSTMCell
# on the hidden Dense (use_bias=True), none on the input one; GRUCell on the input Dense and on
# the hidden n gate only; SimpleCell on the input Dense. No projection, no forget-gate bias.
_FLAX_RECURRENT = {
    f"{cell}_{part}": LayerDefault(
        f"nn.{layer}",
        "lecun_normal" if part == "ih" else "orthogonal",
        1.0,
        "fan_in",
        "truncated" if part == "ih" else "orthogonal",
        "weight" if part == "ih" else "hidden",
        bias=bias[part == "hh"],
    )
    for cell, layer, bias in (
        ("lstm", "LSTMCell", ("none", "zeros")),
        ("gru", "GRUCell", ("zeros", "zeros (n gate)")),
        ("rnn", "SimpleCell", ("zeros", "none")),
    )
    for part in ("ih", "hh")
}
FLAX = Framework(
    name="flax",
    title="Flax",
    module="flax.linen.initializers",
    code_prefix="nn.initializers",
    layout="flax",
    mode_problem="Flax VarianceScaling has modes {allowed}",
    layers={
        "dense": _FLAX_DENSE,
        "conv": replace(_FLAX_DENSE, layer="nn.Conv"),
        "depthwise": replace(_FLAX_DENSE, layer="nn.Conv(feature_group_count=in)"),
        "conv_transpose": replace(_FLAX_DENSE, layer="nn.ConvTranspose"),
        # Embed: variance_scaling(1.0, "fan_in", "normal", out_axis=0) on (num, features)
        "embedding": LayerDefault(
            "nn.Embed",
            "variance_scaling(1, fan_in, normal)",
            1.0,
            "fan_in",
            "normal",
            "out_channels",
            bias="none",
        ),
        "attention": replace(_FLAX_DENSE, layer="nn.MultiHeadDotProductAttention"),
        **_FLAX_RECURRENT,
    },
    layer_names="Flax nn.Dense, nn.Conv",
    default_note="lecun_normal, truncated at ±2σ, realized Var = 1/fan_in; zero bias",
    recurrent_note="Flax nn.LSTMCell, nn.GRUCell, nn.SimpleCell: a Dense per gate — input (in, H) "
    "lecun_normal, hidden (H, H) orthogonal, RMS 1/√H; zero biases, no forget-gate bias",
    notes_by_distribution={
        "truncated": "normal → truncated (JAX convention): Flax *_normal = N(0, σ²) cut at ±2σ, "
        "σ = std/0.87962566, realized std √Var",
    },
    note="Flax initializers have no gain: a gain g is scale = g²",
    layer_api={
        "dense": "nn.Dense({out}, kernel_init={init})",
        "conv": "nn.Conv({out}, {kernel}{feature_groups}, kernel_init={init})",
        "depthwise": "nn.Conv({out}, {kernel}, feature_group_count={fan_in}, kernel_init={init})",
        "conv_transpose": "nn.ConvTranspose({out}, {kernel}, kernel_init={init})",
        "embedding": "nn.Embed({fan_in}, {out}, embedding_init={init})",
    },
    model_header=(
        "# each layer's initializer, by its torch module path: pass it as the comment shows",
        "# biases: not set (Flax layers' bias_init is zeros)",
        "kernel_inits = {}",
    ),
    model_initializer="kernel_inits[{key}]",
    **{**_JAX_COMMON, "imports": ("import jax", "import jax.numpy as jnp", "from flax import linen as nn")},
)

FRAMEWORKS: dict[str, Framework] = {fw.name: fw for fw in (TORCH, KERAS, JAX, FLAX)}
# the frameworks with a layer library (jax.nn has none; Flax is its layer library)
LAYER_FRAMEWORKS = tuple(name for name, fw in FRAMEWORKS.items() if fw.layers)


def framework(name: str, *, layers: bool = False, option: str = "framework") -> Framework:
    """The record of `name`; with `layers`, only frameworks that have layers (for defaults)."""
    choices = LAYER_FRAMEWORKS if layers else tuple(FRAMEWORKS)
    key = name.strip().lower()
    if key == "all" and option == "--framework" and not layers:
        raise UsageError(
            option, name, "every framework side by side is the compare command: glorotcalc compare …"
        )
    return FRAMEWORKS[choose(option, key, choices)]


# ── fans as each framework computes them ─────────────────────────────────────────────────────────


def framework_layer(layer: Layer, fw: Framework) -> Layer:
    """`layer` with its weight stored as `fw` stores it; its fans are then that framework's.

    Structured layers go through `layers.relayout` (a transposed conv's fan_in counts the output
    channels in torch and Keras, the input channels in Flax/JAX; a depthwise conv is Keras's
    DepthwiseConv); a bare weight (``--shape``) is reordered between torch ``(out, in, *k)`` and
    ``(*k, in, out)``, which keeps its fans.
    """
    if layer.kind != "weight":
        return relayout(layer, fw.layout) if layer.in_channels else layer
    if out_first(layer.layout) == out_first(fw.layout) or len(layer.shape) < 2:
        return layer
    shape = layer.shape
    if out_first(fw.layout):
        return replace(layer, shape=(shape[-1], shape[-2], *shape[:-2]), layout=fw.layout)
    return replace(layer, shape=(*shape[2:], shape[1], shape[0]), layout=fw.layout)


def framework_shape(layer: Layer, fw: Framework) -> tuple[int, ...]:
    """The weight shape `fw` stores for `layer`."""
    return framework_layer(layer, fw).shape


def framework_fans(layer: Layer, fw: Framework) -> tuple[int, int]:
    """(fan_in, fan_out) as `fw` computes them from its own weight for `layer`."""
    other = framework_layer(layer, fw)
    return other.fan_in, other.fan_out


def small_shape_fans(fw: Framework, shape: tuple[int, ...], text: str) -> tuple[int, int]:
    """Fans of a weight of rank < 2 or with a zero dimension, by `fw`'s rule (Keras ``compute_fans``:
    rank 0 → (1, 1), rank 1 → (n, n), else (in·∏k, out·∏k) of (*k, in, out)); others refuse."""
    if not fw.small_rank_fans:
        raise UsageError("--shape", text, fw.rank_error if len(shape) < 2 else fw.zero_error)
    if not shape:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    receptive_field = math.prod(shape[:-2])
    return shape[-2] * receptive_field, shape[-1] * receptive_field


# ── one scheme in one framework ──────────────────────────────────────────────────────────────────


def effective_distribution(fw: Framework | None, distribution: str) -> str:
    """What `--dist` means in `fw`: Keras/JAX/Flax ``*_normal`` initializers are truncated."""
    if fw is None or distribution != "normal":
        return distribution
    return fw.normal


def distribution_label(fw: Framework, distribution: str, *, short: bool = False) -> str:
    """``normal → truncated (Keras convention)`` where the framework's normal is truncated."""
    if effective_distribution(fw, distribution) == distribution:
        return distribution
    return "normal → truncated" + ("" if short else f" ({fw.convention})")


def mode_problem(fw: Framework, stats: InitStats) -> str | None:
    """Why `fw` has no initializer with `stats.mode` (torch kaiming_*: no fan_avg), or None."""
    allowed = fw.modes_for(stats.scheme)
    if stats.mode in allowed:
        return None
    return fw.mode_problem.format(allowed=", ".join(fw.modes_for("*")))


def check_framework_mode(fw: Framework, stats: InitStats) -> None:
    problem = mode_problem(fw, stats)
    if problem is not None:
        raise UsageError("--mode", stats.mode, f"{fw.name}: {problem}")


def clamped(fw: Framework, stats_of: Callable[..., InitStats], fan_in: int, fan_out: int, mode: str):
    """`stats_of(fan_in, fan_out)`, with Keras's n = max(1, n) (zero fans included)."""
    if fw.min_n and mode in fw.modes:
        return stats_of(fan_in, fan_out, n=max(fw.min_n, fan_n(fan_in, fan_out, mode)))
    return stats_of(fan_in, fan_out)


def framework_n(fw: Framework, stats: InitStats, layer: Layer) -> float | None:
    """The n `fw` divides by for `layer` in `stats.mode`; None when it cannot (mode, rank, zeros)."""
    shape = framework_shape(layer, fw)
    if stats.mode not in fw.modes or (not fw.small_rank_fans and (len(shape) < 2 or 0 in shape)):
        return None
    return max(fw.min_n, fan_n(*framework_fans(layer, fw), stats.mode))


def express(stats: InitStats, fw: Framework, layer: Layer, *, code: bool = False) -> Expression:
    """Write `stats` (for `layer`) in `fw`: its named initializer when it computes the same n,
    else the sampler with the numbers written out — the same realized distribution either way."""
    return fw.write(stats, fw, layer, framework_n(fw, stats, layer), code)


# ── default layer initialization ─────────────────────────────────────────────────────────────────


def layer_default(fw: Framework, layer: Layer) -> LayerDefault | None:
    """`fw`'s default for `layer`'s kind (a bare weight is read as a dense/conv weight), or None
    (no such layer: a kind it lacks, or a kernel rank it lacks)."""
    if len(layer.kernel) > fw.max_rank.get(layer.kind, 3):
        return None
    return fw.layers.get(layer.default_key) or (fw.layers.get("dense") if layer.kind == "weight" else None)


def model_init(fw: Framework, layer: Layer, part: str) -> str | None:
    """What the model re-initializes `part` (weight/bias) of `layer` with in `fw`, or None."""
    for override in layer.model_init:
        if override.framework == fw.name and override.part == part:
            return override.init
    return None


def default_stats(fw: Framework, layer: Layer) -> InitStats:
    """The weight init `fw` gives `layer` by default (scheme ``"<framework> default"``).

    torch Linear/ConvNd/ConvTransposeNd: kaiming_uniform_(a=√5): gain √(2/(1+5)) = √(1/3),
    bound = gain·√(3/fan_in) = 1/√fan_in, Var = 1/(3·fan_in) (torch's fan_in: out/groups·∏k for a
    transposed conv); Embedding N(0, 1); Bilinear U(±1/√in1); MultiheadAttention's packed in_proj
    xavier_uniform_. Keras Dense/Conv: GlorotUniform, Var = 2/(fan_in+fan_out); Embedding
    U(±0.05). Flax Dense/Conv: lecun_normal, Var = 1/fan_in, truncated; Embed N(0, 1/features).
    A model that re-initializes the weight (torch ``nn.Transformer``: xavier_uniform_) wins.

    >>> from glorotcalc.layers import dense
    >>> round(default_stats(FRAMEWORKS["torch"], dense(784, 256)).bound, 6)
    0.035714
    """
    default = layer_default(fw, layer)
    if default is None:
        raise UsageError(f"{fw.title} has no layer of kind", layer.kind, "see glorotcalc defaults --help")
    reinit = model_init(fw, layer, "weight")
    if reinit is not None:
        default = replace(
            default, init=reinit, scale=1.0, mode="fan_avg", distribution="uniform", variance=None
        )
    fan_in, fan_out = framework_fans(layer, fw)
    n_in = _default_n(default, layer, fan_in, framework_shape(layer, fw))
    scale = default.scale if default.variance is None else default.variance * n_in
    mode = "fan_in" if default.variance is not None else default.mode
    gain = Gain(math.sqrt(scale), default.init, scale)
    if default.distribution == "orthogonal":
        return _orthogonal(default, fw, n_in if mode == "fan_in" else fan_out, fan_in, fan_out)

    def stats_of(fi: int, fo: int, n: float | None = None) -> InitStats:
        return variance_scaling(
            fi,
            fo,
            scale=scale,
            mode=mode,
            distribution=default.distribution,
            scheme=f"{fw.name} default",
            gain=gain,
            n=n,
        )

    return clamped(fw, stats_of, n_in, fan_out, mode)


def _default_n(default: LayerDefault, layer: Layer, fan_in: int, shape: tuple[int, ...]) -> int:
    """The n of a layer default's mode fan_in: the weight's fan_in, or the size `default.fans` names."""
    if default.fans == "hidden":
        return layer.recurrent.hidden_size
    if default.fans == "max_dim":
        return max(shape)
    return {"weight": fan_in, "in_channels": layer.in_channels, "out_channels": layer.out_channels}[
        default.fans
    ]


def _orthogonal(default: LayerDefault, fw: Framework, n: int, fan_in: int, fan_out: int) -> InitStats:
    """An orthogonal default: Q of a QR decomposition times √scale (Keras 3.15
    ``keras/src/initializers/random_initializers.py`` ``Orthogonal``; JAX 0.10
    ``jax/_src/nn/initializers.py`` ``orthogonal``). A (rows, cols) matrix with orthonormal rows or
    columns has Σw² = min(rows, cols), so each entry's mean square is scale/max(rows, cols) = scale/n."""
    variance = default.scale / n
    std = math.sqrt(variance)
    return InitStats(
        f"{fw.name} default",
        "orthogonal",
        default.mode,
        fan_in,
        fan_out,
        float(n),
        math.sqrt(default.scale),
        default.init,
        default.scale,
        variance,
        std,
        None,
        None,
    )


def default_init(fw: Framework, layer: Layer) -> str:
    """The name of `fw`'s default weight init for `layer`."""
    default = layer_default(fw, layer)
    return "—" if default is None else model_init(fw, layer, "weight") or default.init


def bias_bound(fw: Framework, layer: Layer) -> float | None:
    """The bound of `fw`'s default U(±bound) bias for `layer`, or None (zeros, or no bias)."""
    default = layer_default(fw, layer)
    if default is None or default.bias not in ("fan_in", "hidden") or layer.no_bias:
        return None
    if model_init(fw, layer, "bias"):
        return None
    if default.bias == "hidden":
        return 1 / math.sqrt(layer.recurrent.hidden_size)
    fan_in = layer.in_channels if default.fans == "in_channels" else framework_fans(layer, fw)[0]
    return 1 / math.sqrt(fan_in)


def default_bias(fw: Framework, layer: Layer) -> str:
    """How `fw` initializes `layer`'s bias by default: ``U(±b)``, ``zeros`` or ``none``."""
    default = layer_default(fw, layer)
    if default is None or default.bias == "none" or layer.no_bias:
        return "none"
    override = model_init(fw, layer, "bias")
    if override is not None:
        return override
    bound = bias_bound(fw, layer)
    return default.bias if bound is None else f"U(±{bound:.6g})"


# ── a named initializer (--init) ─────────────────────────────────────────────────────────────────


def spec_framework(spec) -> Framework:
    """The record whose semantics an `InitSpec` has (the first of its frameworks)."""
    return FRAMEWORKS[spec.frameworks[0]]


def axis_fans(
    shape: tuple[int, ...], in_axis: int, out_axis: int, batch_axis: tuple[int, ...]
) -> tuple[int, int]:
    """JAX ``_compute_fans``: receptive field = ∏shape / (in · out · ∏batch), fans = in·rf, out·rf.

    JAX computes them in floats (JAX 0.10.2 ``jax/_src/nn/initializers.py`` ``_compute_fans``): a
    batch axis that is also the in or out axis (or is repeated) makes them fractions, which JAX
    divides by — e.g. (784, 256) with batch_axis=1 has fan_in 784/256 = 3.0625. glorotcalc's fans
    are whole numbers, so it refuses those axes rather than round them (checked live in
    tests/test_jax_peer.py).
    """
    rank = len(shape)
    try:
        n_in, n_out = shape[in_axis], shape[out_axis]
        batch = math.prod(shape[a] for a in batch_axis)
    except IndexError:
        raise UsageError(
            "axis out of range for a weight of shape", shape, "check in_axis, out_axis, batch_axis"
        ) from None
    if rank < 2 or 0 in (n_in, n_out, batch):
        raise UsageError(
            "jax.nn.initializers cannot compute fans of shape", shape, "need rank ≥ 2, no zero size"
        )
    receptive_field = math.prod(shape) / n_in / n_out / batch
    fans = n_in * receptive_field, n_out * receptive_field
    whole = round(fans[0]), round(fans[1])
    if any(abs(fan - w) > 1e-9 * max(1.0, fan) for fan, w in zip(fans, whole, strict=True)):
        axes = f"in_axis={in_axis}, out_axis={out_axis}, batch_axis={tuple(batch_axis)}"
        raise UsageError(
            f"JAX's fans of shape {shape} with {axes} are fan_in = {fans[0]:.6g}, fan_out =",
            fans[1],
            "not whole numbers (a batch axis that is also the in or out axis, or repeated); "
            "use disjoint axes",
        )
    return whole


def spec_stats(spec, layer: Layer) -> InitStats:
    """`spec` (a parsed ``--init``) applied to `layer`, with its framework's fans and rules."""
    fw = spec_framework(spec)
    fan_in, fan_out = framework_fans(layer, fw)
    if (spec.in_axis, spec.out_axis, spec.batch_axis) != (-2, -1, ()):
        fan_in, fan_out = axis_fans(framework_shape(layer, fw), spec.in_axis, spec.out_axis, spec.batch_axis)
    gain = Gain(spec.gain, spec.gain_source, spec.scale)

    def stats_of(fi: int, fo: int, n: float | None = None) -> InitStats:
        return variance_scaling(
            fi,
            fo,
            scale=spec.scale,
            mode=spec.mode,
            distribution=spec.distribution,
            scheme=spec.scheme,
            gain=gain,
            n=n,
        )

    return clamped(fw, stats_of, fan_in, fan_out, spec.mode)
