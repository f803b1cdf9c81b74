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
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

from glorotcalc.errors import UsageError, choose
from glorotcalc.fans import compute_fans, join_weight, out_first, same_reading, split_weight
from glorotcalc.gain import TORCH_NONLINEARITIES, Activation, Gain, calculate_gain
from glorotcalc.laws import InitLaw
from glorotcalc.layers import Layer, relayout
from glorotcalc.schemes import SCHEMES, TRUNCATED_STD, TRUNCATION, InitStats, fan_n, variance_scaling

CLOSE = 1e-12  # relative tolerance for "this scale/gain is that named one"


@dataclass(frozen=True)
class LayerDefault:
    """What one framework's layer of one kind draws without being asked.

    Var = scale/n with n from `mode` on the framework's own fans (``fans="in_channels"``: n is the
    first input size, torch ``Bilinear``; ``"out_channels"``: n is the features, Flax ``Embed``;
    ``"input"``: n = in_channels·∏k with every input channel, whatever the groups or the weight's
    layout — tinygrad ``Conv2d``, Paddle ``Conv2D``, Haiku ``ConvNDTranspose``),
    or a fixed `variance` (torch ``Embedding`` N(0, 1)). bias: ``fan_in`` = U(±1/√fan_in) with
    the weight's fan_in, ``zeros``, or ``none`` (the layer has no bias).
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
    # σ of its truncated ``*_normal`` as a multiple of √Var: 1/0.8796 where the cut is corrected
    # (realized std √Var); 1 in Keras ≤ 2.2 and TF.js (realized 0.8796·√Var); √1.3 in TF1 contrib
    truncated_sigma: float = 1 / TRUNCATED_STD
    spelling: Spelling | None = None  # how `write_spelled` writes its initializers
    language: str = "python"  # of the code emit writes (python, julia, javascript, prototxt)
    comment: str = "#"  # how that language starts a comment
    init_names: str = (
        ""  # whose --init vocabulary its initializer names are (glorotcalc.initnames); "": its own
    )

    @property
    def modes(self) -> tuple[str, ...]:
        """Every mode any of its initializers accepts."""
        return tuple(dict.fromkeys(m for modes in self.scheme_modes.values() for m in modes))

    @property
    def has_truncated(self) -> bool:
        """Whether it has a truncated normal sampler (MXNet, Chainer, Caffe, tinygrad have none)."""
        return self.spelling is None or bool(self.spelling.truncated)

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


@dataclass(frozen=True)
class Spelling:
    """How one framework writes its initializers, for `write_spelled`.

    Each template is the code of one call; ``{w}`` is the weight and ``{init}`` the initializer
    variable in `statement`. Fields a template may use: ``{scale}``, ``{gain}`` (√scale),
    ``{half_gain}`` (√(scale/2), Chainer ``HeNormal(scale)``), ``{magnitude}`` (3·scale, MXNet
    ``Xavier`` uniform), ``{slope}`` (tinygrad ``a`` with 2/(1+a²) = scale), ``{nonlinearity}``
    (``linear`` for scale 1, ``relu`` for 2), ``{mode}`` (the framework's word), ``{dims}``,
    ``{shape}``, ``{list}``, ``{count}``; numbers written out: ``{bound}``, ``{std}``, ``{sigma}``
    (σ of N(0, σ²) cut at ±2σ). A template whose field has no value here is not used.

    named: ``"<scheme>_<distribution>"`` → the scheme's own initializer (its default scale);
    scaled: ``"<distribution>:<mode>"`` or ``"<distribution>"`` → a call that takes a scale or a
    gain; uniform/normal/truncated: the sampler with numbers ("" = the framework has none).
    """

    named: Mapping[str, str] = field(default_factory=dict)
    scaled: Mapping[str, str] = field(default_factory=dict)
    uniform: str = ""
    normal: str = ""
    truncated: str = ""
    modes: Mapping[str, str] = field(default_factory=dict)
    statement: str = "{init} = {call}"


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def _values(stats: InitStats, shape: tuple[int, ...], spelling: Spelling, code: bool) -> dict:
    """Every value a template may use (None: not expressible this way)."""
    scale = stats.scale
    nonlinearity = "linear" if _close(scale, 1.0) else "relu" if _close(scale, 2.0) else None
    slope = _num(math.sqrt(2 / scale - 1), code) if scale <= 2 else None
    values = {
        "scale": _num(scale, code),
        "gain": _num(math.sqrt(scale), code),
        "half_gain": _num(math.sqrt(scale / 2), code),
        "magnitude": _num(3 * scale, code),
        "slope": slope,
        "nonlinearity": nonlinearity,
        "mode": spelling.modes.get(stats.mode, stats.mode),
        "dims": ", ".join(map(str, shape)),
        "shape": repr(tuple(shape)),
        "list": repr(list(shape)),
        "count": str(math.prod(shape)),
        "unit": "" if _close(scale, 1.0) else None,  # Caffe "xavier": Var = 1/n only
        "two": "" if _close(scale, 2.0) else None,  # Caffe "msra": Var = 2/n only
    }
    if stats.bound is not None:
        values["bound"] = _num(stats.bound, code)
    if stats.sampler_std is not None:
        values["std"] = _num(stats.std, code)
        values["sigma"] = _num(stats.sampler_std, code)
        values["cut"] = _num(TRUNCATION * stats.sampler_std, code)
    return values


def _filled(template: str, values: dict) -> str | None:
    if not template or any(values.get(name) is None for name in _fields(template)):
        return None
    return template.format(**values)


def _own_truncation(stats: InitStats, fw: Framework, n: float) -> bool:
    """Whether `stats`' truncated normal is the one `fw`'s variance scaling draws for this n."""
    return _close(stats.sampler_std, math.sqrt(stats.scale / n) * fw.truncated_sigma)


def write_spelled(stats: InitStats, fw: Framework, layer: Layer, n: float | None, code: bool) -> Expression:
    """`stats` in `fw`'s `Spelling`: its named initializer, else its scaled call (when `fw` divides
    by the same n), else the sampler with the numbers written out and why."""
    spelling, shape = fw.spelling, framework_shape(layer, fw)
    values = _values(stats, shape, spelling, code)
    kind = stats.distribution
    same_n = n is not None and n == stats.n and (kind != "truncated" or _own_truncation(stats, fw, n))
    call = None
    if same_n:
        scheme = _named_scheme(stats)
        call = _filled(spelling.named.get(f"{scheme}_{kind}", ""), values) if scheme else None
        for key in (f"{kind}:{stats.mode}", kind):
            call = call or _filled(spelling.scaled.get(key, ""), values)
    named = call is not None
    if call is None:
        call = _filled(getattr(spelling, kind), values)
    if call is None:
        raise UsageError(
            f"{fw.title} has no initializer that draws", _draws_text(stats), "choose another --dist"
        )
    why = "" if named else _why_spelled(fw, stats, layer, n)
    escaped = call.replace("{", "{{").replace("}", "}}")
    lines = tuple(spelling.statement.replace("{call}", escaped).split("\n"))
    name = call.replace(f"{fw.code_prefix}.", "") if fw.code_prefix else call
    return Expression(fw, name, lines, named, why)


def _draws_text(stats: InitStats) -> str:
    if stats.distribution == "uniform":
        return f"U(±{stats.bound:.6g})"
    cut = "" if stats.distribution == "normal" else " cut at ±2σ"
    return f"N(0, {stats.sampler_std:.6g}²){cut}"


def _why_spelled(fw: Framework, stats: InitStats, layer: Layer, n: float | None) -> str:
    if n is None or n != stats.n:
        return _why(fw, stats, layer, n)
    if stats.distribution == "truncated" and not _own_truncation(stats, fw, n):
        factor = fw.truncated_sigma * TRUNCATED_STD
        return (
            f"{fw.title}'s truncated variance scaling realizes {factor:.4g}·√Var, not this σ: "
            "numbers written out"
        )
    return f"{fw.title} has no initializer with scale {stats.scale:.6g} and {stats.mode}: numbers written out"


# ── the records ──────────────────────────────────────────────────────────────────────────────────

_TORCH_LINEAR = LayerDefault("nn.Linear", "kaiming_uniform_(a=√5)", 1 / 3, bias="fan_in")
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
    },
    layer_names="torch nn.Linear, nn.Conv*d, nn.ConvTranspose*d",
    default_note="kaiming_uniform_(a=√5) = U(±1/√fan_in), Var = 1/(3·fan_in)",
    bias_note="torch bias: U(±1/√fan_in) with the weight's fan_in",
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
    },
    layer_names="Keras Dense, Conv*D",
    default_note="glorot_uniform, Var = 2/(fan_in + fan_out); zero bias",
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
    },
    layer_names="Flax nn.Dense, nn.Conv",
    default_note="lecun_normal, truncated at ±2σ, realized Var = 1/fan_in; zero bias",
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

# ── more frameworks: each record cites the source its facts were read from ─────────────────────
#
# Live peers (checked against the installed package by the named test file): TensorFlow 2.21.0
# (tf.keras = Keras 3.15.1, tf.compat.v1), Flax 0.12.8 NNX, dm-haiku 0.0.17, Equinox 0.13.8, MLX
# 0.32.4 (+ mlx-cpu), PaddlePaddle 3.3.1, tinygrad 0.14.0. Cited only (they do not install here,
# or are history): TF1 contrib, Keras 2.2, MXNet 1.9, Chainer 7, Caffe, Flux.jl, TensorFlow.js —
# their code is written from the source and says it was not run.

_KERAS_FAMILY_NAMES = {
    f"{scheme}_{kind}": f"{scheme.capitalize()}{suffix}()"
    for scheme in ("glorot", "he", "lecun")
    for kind, suffix in (("uniform", "Uniform"), ("truncated", "Normal"))
}

# TensorFlow 2.21.0 tf.keras is Keras 3.15.1 (tensorflow/python/util/lazy_loader.py loads keras
# 3 when it is installed): the Keras record's facts with TF's module path (tests/test_tf_peer.py).
TF_KERAS = replace(
    KERAS,
    name="tf-keras",
    init_names="keras",
    title="tf.keras",
    module="tf.keras.initializers",
    code_prefix="tf.keras.initializers",
    convention="tf.keras convention",
    imports=("import tensorflow as tf",),
    layer_api={kind: api.replace("keras.", "tf.keras.") for kind, api in KERAS.layer_api.items()},
    layer_names="tf.keras Dense, Conv*D",
    model_header=(),
    model_initializer="",
)

# TensorFlow 2.21.0 tensorflow/python/ops/init_ops.py (tests/test_tf_peer.py): VarianceScaling
# with n = max(1, fan) and "normal" = "truncated_normal" σ = √Var/0.87962566 (corrected),
# "untruncated_normal"; _compute_fans (*k, in, out), rank 0 → (1, 1), rank 1 → (n, n);
# glorot_uniform_initializer / glorot_normal_initializer and initializers.he_*/lecun_*;
# truncated_normal_initializer(stddev) cuts at ±2·stddev without a correction. Its layers' default
# (tensorflow/python/ops/variable_scope.py get_variable): glorot_uniform_initializer, zero bias.
_V1 = "tf.compat.v1"
_TF1_NAMES = {
    "glorot_uniform": "glorot_uniform_initializer()",
    "glorot_truncated": "glorot_normal_initializer()",
    "he_uniform": "initializers.he_uniform()",
    "he_truncated": "initializers.he_normal()",
    "lecun_uniform": "initializers.lecun_uniform()",
    "lecun_truncated": "initializers.lecun_normal()",
}
_TF1_GET_VARIABLE = LayerDefault("get_variable", "glorot_uniform", 1.0, "fan_avg")
TF_COMPAT_V1 = replace(
    KERAS,
    write_law=_no_law,
    name="tf-compat-v1",
    title="tf.compat.v1",
    module=_V1,
    code_prefix=_V1,
    convention="tf.compat.v1 convention",
    untruncated='variance_scaling_initializer(distribution="untruncated_normal")',
    mode_problem="tf.compat.v1 variance_scaling_initializer has modes {allowed}",
    write=write_spelled,
    spelling=Spelling(
        named={k: f"{_V1}.{v}" for k, v in _TF1_NAMES.items()},
        scaled={
            kind: (
                f'{_V1}.variance_scaling_initializer(scale={{scale}}, mode="{{mode}}", distribution="{dist}")'
            )
            for kind, dist in KERAS_DISTRIBUTION.items()
        },
        uniform=f"{_V1}.random_uniform_initializer(minval=-{{bound}}, maxval={{bound}})",
        normal=f"{_V1}.random_normal_initializer(stddev={{std}})",
        truncated=f"{_V1}.truncated_normal_initializer(stddev={{sigma}})",
    ),
    layers={
        "dense": _TF1_GET_VARIABLE,
        "conv": _TF1_GET_VARIABLE,
        "depthwise": _TF1_GET_VARIABLE,
        "conv_transpose": _TF1_GET_VARIABLE,
        "embedding": _TF1_GET_VARIABLE,
    },
    layer_names="tf.compat.v1 get_variable (every weight)",
    default_note="glorot_uniform_initializer when no initializer is given; zero bias",
    notes_by_distribution={
        "truncated": 'normal → truncated (tf.compat.v1): variance_scaling_initializer\'s "normal" is '
        '"truncated_normal", σ = std/0.87962566, realized std √Var',
    },
    note="tf.compat.v1 initializers have no gain: a gain g is scale = g²",
    imports=("import tensorflow as tf",),
    tensor_after="{w} = {init}({shape})",
    max_rank={},
    layer_api={},
    model_header=(),
    model_initializer="",
)

# TensorFlow 1.x tensorflow/contrib/layers/python/layers/initializers.py (removed in TF 2):
# xavier_initializer(uniform=True) = variance_scaling_initializer(factor=1.0, mode='FAN_AVG',
# uniform); variance_scaling_initializer(factor=2.0, mode='FAN_IN', uniform=False): uniform
# ±√(3·factor/n), else truncated_normal with σ = √(1.3·factor/n) (realized 1.0029·√(factor/n));
# fans of (*k, in, out) without max(1, n). contrib.layers.fully_connected / conv2d default
# weights_initializer = xavier_initializer(), biases zeros. Not run (no TF 1 installs here).
_CONTRIB = "tf.contrib.layers"
_CONTRIB_DENSE = LayerDefault("layers.fully_connected", "xavier_initializer()", 1.0, "fan_avg")
TF1_CONTRIB = replace(
    TF_COMPAT_V1,
    name="tf1-contrib",
    title="TF1 contrib",
    module=_CONTRIB,
    code_prefix=_CONTRIB,
    convention="TF1 contrib convention",
    untruncated="tf.random_normal_initializer(stddev=…)",
    mode_problem="tf.contrib.layers.variance_scaling_initializer has modes {allowed}",
    min_n=0.0,
    small_rank_fans=False,
    rank_error="tf.contrib.layers initializers compute no fans below rank 2 here",
    zero_error="tf.contrib.layers variance_scaling_initializer divides by a zero fan",
    truncated_sigma=math.sqrt(1.3),
    spelling=Spelling(
        named={
            "glorot_uniform": f"{_CONTRIB}.xavier_initializer()",
            "glorot_truncated": f"{_CONTRIB}.xavier_initializer(uniform=False)",
        },
        scaled={
            "uniform": (
                f"{_CONTRIB}.variance_scaling_initializer(factor={{scale}}, mode='{{mode}}', uniform=True)"
            ),
            "truncated": f"{_CONTRIB}.variance_scaling_initializer(factor={{scale}}, mode='{{mode}}')",
        },
        modes={"fan_in": "FAN_IN", "fan_out": "FAN_OUT", "fan_avg": "FAN_AVG"},
        uniform="tf.random_uniform_initializer(-{bound}, {bound})",
        normal="tf.random_normal_initializer(stddev={std})",
        truncated="tf.truncated_normal_initializer(stddev={sigma})",
    ),
    layers={
        "dense": _CONTRIB_DENSE,
        "conv": replace(_CONTRIB_DENSE, layer="layers.conv2d"),
        "conv_transpose": replace(_CONTRIB_DENSE, layer="layers.conv2d_transpose"),
    },
    layer_names="TF1 contrib layers.fully_connected, conv2d",
    default_note="xavier_initializer() = glorot uniform, Var = 2/(fan_in + fan_out); zero bias",
    notes_by_distribution={
        "truncated": "normal → truncated (TF1 contrib): variance_scaling_initializer draws "
        "N(0, 1.3·factor/n) cut at ±2σ: realized std 1.0029·√Var",
    },
    note="TF1 contrib initializers take a factor (= scale = gain²)",
    imports=(
        "# not run: written from TensorFlow 1.x tensorflow/contrib/layers/python/layers/initializers.py",
        "import tensorflow as tf  # TensorFlow 1.x",
    ),
    tensor_after='{w} = tf.get_variable("{w}", {shape}, initializer={init})',
)

# Keras 2.2.4 keras/initializers.py: VarianceScaling(distribution="normal" | "uniform"), "normal"
# = K.truncated_normal(stddev=√Var) cut at ±2σ, no 0.8796 correction (realized 0.8796·√Var;
# keras#8048, fixed in Keras 2.3 / TF 1.13); n = max(1, fan); glorot_/he_/lecun_ functions; Dense
# and Conv glorot_uniform, zero bias; Embedding RandomUniform(±0.05). Not run (Keras 2.2 needs
# TF 1.x).
KERAS22 = replace(
    KERAS,
    name="keras2.2",
    init_names="keras",
    title="Keras 2.2",
    convention="Keras 2.2 convention",
    untruncated="RandomNormal(stddev=…)",
    mode_problem="Keras 2.2 VarianceScaling has modes {allowed}",
    truncated_sigma=1.0,
    write=write_spelled,
    spelling=Spelling(
        named={
            f"{s}_{k}": f"keras.initializers.{s}_{d}()"
            for s in ("glorot", "he", "lecun")
            for k, d in (("uniform", "uniform"), ("truncated", "normal"))
        },
        scaled={
            kind: (
                f'keras.initializers.VarianceScaling(scale={{scale}}, mode="{{mode}}", distribution="{dist}")'
            )
            for kind, dist in (("uniform", "uniform"), ("truncated", "normal"))
        },
        uniform="keras.initializers.RandomUniform(minval=-{bound}, maxval={bound})",
        normal="keras.initializers.RandomNormal(stddev={std})",
        truncated="keras.initializers.TruncatedNormal(stddev={sigma})",
    ),
    layer_names="Keras 2.2 Dense, Conv*D",
    notes_by_distribution={
        "truncated": "normal → truncated, uncorrected (Keras 2.2): *_normal = N(0, Var) cut at ±2σ, "
        "realized std 0.8796·√Var",
    },
    note="Keras 2.2 initializers have no gain: a gain g is scale = g²",
    imports=(
        "# not run: written from keras-team/keras 2.2.4 keras/initializers.py",
        "import keras",
        "from keras import backend as K",
    ),
    tensor_after="{w} = K.eval({init}({shape}))",
    layer_api={},
    model_header=(),
    model_initializer="",
)

# TensorFlow.js tfjs-layers/src/initializers.ts (4.x): VarianceScaling "normal" =
# truncatedNormal(stddev=√Var) without the 0.8796 correction (tfjs#8594), n = max(1, fan),
# modes fanIn/fanOut/fanAvg; Dense and Conv DEFAULT_KERNEL_INITIALIZER 'glorotNormal' (so
# truncated, realized 0.8796·√(2/(fan_in+fan_out))), DEFAULT_BIAS_INITIALIZER 'zeros'
# (tfjs-layers/src/layers/core.ts, convolutional.ts); Embedding 'randomUniform' ±0.05.
_TFJS_DENSE = LayerDefault("tf.layers.dense", "glorotNormal", 1.0, "fan_avg", "truncated")
_TFJS_MODES = {"fan_in": "fanIn", "fan_out": "fanOut", "fan_avg": "fanAvg"}
TFJS = replace(
    KERAS,
    write_law=_no_law,
    name="tfjs",
    title="TensorFlow.js",
    module="tf.initializers",
    code_prefix="tf.initializers",
    convention="TF.js convention",
    untruncated="randomNormal({stddev})",
    mode_problem="TF.js varianceScaling has modes {allowed}",
    truncated_sigma=1.0,
    write=write_spelled,
    spelling=Spelling(
        named={
            f"{s}_{k}": f"tf.initializers.{n}{suffix}({{{{}}}})"
            for s, n in (("glorot", "glorot"), ("he", "he"), ("lecun", "leCun"))
            for k, suffix in (("uniform", "Uniform"), ("truncated", "Normal"))
        },
        scaled={
            kind: (
                f"tf.initializers.varianceScaling({{{{scale: {{scale}}, mode: "
                f"'{{mode}}', distribution: '{dist}'}}}})"
            )
            for kind, dist in (("uniform", "uniform"), ("truncated", "normal"))
        },
        modes=_TFJS_MODES,
        uniform="tf.initializers.randomUniform({{minval: -{bound}, maxval: {bound}}})",
        normal="tf.initializers.randomNormal({{mean: 0, stddev: {std}}})",
        truncated="tf.initializers.truncatedNormal({{mean: 0, stddev: {sigma}}})",
        statement="const {init} = {call};",
    ),
    layers={
        "dense": _TFJS_DENSE,
        "conv": replace(_TFJS_DENSE, layer="tf.layers.conv2d"),
        "depthwise": replace(_TFJS_DENSE, layer="tf.layers.depthwiseConv2d"),
        "conv_transpose": replace(_TFJS_DENSE, layer="tf.layers.conv2dTranspose"),
        "embedding": LayerDefault(
            "tf.layers.embedding", "randomUniform(±0.05)", variance=0.05**2 / 3, bias="none"
        ),
    },
    layer_names="TF.js tf.layers.dense, conv2d",
    default_note=(
        "glorotNormal, truncated and uncorrected: realized std 0.8796·√(2/(fan_in+fan_out)); zero bias"
    ),
    notes_by_distribution={
        "truncated": "normal → truncated, uncorrected (TF.js): *Normal = N(0, Var) cut at ±2σ, realized "
        "std 0.8796·√Var (variance 0.7737×)",
    },
    note="TF.js initializers have no gain: a gain g is scale = g²",
    imports=(
        "// not run: written from tensorflow/tfjs tfjs-layers/src/initializers.ts",
        "import * as tf from '@tensorflow/tfjs';",
    ),
    tensor_after="const {w} = {init}.apply({list});",
    language="javascript",
    comment="//",
    layer_api={},
    model_header=(),
    model_initializer="",
)

# Flax 0.12.8 flax/nnx/nn/linear.py (tests/test_jax_peer.py): nnx.Linear, nnx.Conv,
# nnx.ConvTranspose default_kernel_init = lecun_normal(), default_bias_init = zeros_init();
# nnx.Embed default_embed_init = variance_scaling(1.0, "fan_in", "normal", out_axis=0) — the same
# as linen; kernels (in, out), (*k, in/groups, out), ConvTranspose (*k, in, out).
FLAX_NNX = replace(
    FLAX,
    name="flax-nnx",
    init_names="flax",
    title="Flax NNX",
    module="flax.nnx.initializers",
    code_prefix="nnx.initializers",
    layers={
        **FLAX.layers,
        "dense": replace(_FLAX_DENSE, layer="nnx.Linear"),
        "conv": replace(_FLAX_DENSE, layer="nnx.Conv"),
        "depthwise": replace(_FLAX_DENSE, layer="nnx.Conv(feature_group_count=in)"),
        "conv_transpose": replace(_FLAX_DENSE, layer="nnx.ConvTranspose"),
        "embedding": replace(FLAX.layers["embedding"], layer="nnx.Embed"),
        "attention": replace(_FLAX_DENSE, layer="nnx.MultiHeadAttention"),
    },
    layer_names="Flax NNX nnx.Linear, nnx.Conv",
    imports=("import jax", "import jax.numpy as jnp", "from flax import nnx"),
    layer_api={
        "dense": "nnx.Linear({fan_in}, {out}, kernel_init={init}, rngs=nnx.Rngs(0))",
        "conv": "nnx.Conv({fan_in}, {out}, {kernel}{feature_groups}, kernel_init={init}, rngs=nnx.Rngs(0))",
        "depthwise": "nnx.Conv({fan_in}, {out}, {kernel}, feature_group_count={fan_in}, kernel_init={init}, "
        "rngs=nnx.Rngs(0))",
        "conv_transpose": (
            "nnx.ConvTranspose({fan_in}, {out}, {kernel}, kernel_init={init}, rngs=nnx.Rngs(0))"
        ),
        "embedding": "nnx.Embed({fan_in}, {out}, embedding_init={init}, rngs=nnx.Rngs(0))",
    },
    model_header=(),
    model_initializer="",
)

# dm-haiku 0.0.17 (tests/test_haiku_peer.py): haiku/_src/initializers.py VarianceScaling(scale,
# mode, distribution="truncated_normal"): n = max(1, fan), "truncated_normal" corrected by
# 0.87962566, "normal" untruncated, "uniform"; _compute_fans (…, in, out) with rank 0/1 as Keras;
# TruncatedNormal(stddev) cuts at ±2 without a correction. haiku/_src/basic.py Linear: w (in,
# out), default TruncatedNormal(1/√fan_in) — realized 0.8796/√fan_in, Var = 0.7737/fan_in; b
# zeros. conv.py ConvND w (*k, in/groups, out), TruncatedNormal(1/√(∏k·in/groups));
# ConvNDTranspose w (*k, out, in) with stddev 1/√(∏k·in) (the input channels); depthwise_conv.py
# w (*k, 1, multiplier·in), stddev 1/√∏k; embed.py Embed TruncatedNormal(1) on (vocab, dim).
_HAIKU_LINEAR = LayerDefault("hk.Linear", "TruncNormal(1/√fan_in)", TRUNCATED_STD**2, "fan_in", "truncated")
_HK = "hk.initializers"
HAIKU = Framework(
    name="haiku",
    title="Haiku",
    module="haiku.initializers",
    code_prefix=_HK,
    layout="haiku",
    layout_text="(*k, in, out)",
    normal="truncated",
    convention="Haiku convention",
    untruncated='VarianceScaling(..., distribution="normal")',
    scheme_modes={"*": ("fan_in", "fan_out", "fan_avg")},
    mode_problem="Haiku VarianceScaling has modes {allowed}",
    knob="scale",
    write=write_spelled,
    min_n=1.0,
    small_rank_fans=True,
    spelling=Spelling(
        scaled={
            kind: f'{_HK}.VarianceScaling({{scale}}, "{{mode}}", "{dist}")'
            for kind, dist in JAX_DISTRIBUTION.items()
        },
        uniform=f"{_HK}.RandomUniform(minval=-{{bound}}, maxval={{bound}})",
        normal=f"{_HK}.RandomNormal(stddev={{std}})",
        truncated=f"{_HK}.TruncatedNormal(stddev={{sigma}})",
    ),
    layers={
        "dense": _HAIKU_LINEAR,
        "conv": replace(_HAIKU_LINEAR, layer="hk.ConvND", init="TruncNormal(1/√fan_in)"),
        "depthwise": replace(_HAIKU_LINEAR, layer="hk.DepthwiseConvND", init="TruncNormal(1/√fan_in)"),
        "conv_transpose": replace(
            _HAIKU_LINEAR, layer="hk.ConvNDTranspose", init="TruncNormal(1/√(in·∏k))", fans="input"
        ),
        "embedding": LayerDefault(
            "hk.Embed", "TruncatedNormal(1)", distribution="truncated", variance=TRUNCATED_STD**2, bias="none"
        ),
    },
    layer_names="Haiku hk.Linear, hk.ConvND",
    default_note="TruncatedNormal(stddev=1/√fan_in), uncorrected: realized 0.8796/√fan_in; zero bias",
    notes_by_distribution={
        "truncated": "normal → truncated (Haiku VarianceScaling default): N(0, σ²) cut at ±2σ, "
        "σ = std/0.87962566, realized std √Var",
    },
    note="Haiku initializers have no gain: a gain g is scale = g²",
    imports=("import haiku as hk", "import jax", "import jax.numpy as jnp"),
    tensor_after=(
        "{w} = hk.transform(lambda: {init}({shape}, jnp.float32)).apply({{}}, jax.random.key({index}))"
    ),
    layer_api={
        "dense": "hk.Linear({out}, w_init={init})",
        "conv": "hk.Conv{rank}D({out}, {kernel}{feature_groups}, w_init={init})",
        "conv_transpose": "hk.Conv{rank}DTranspose({out}, {kernel}, w_init={init})",
        "embedding": "hk.Embed({fan_in}, {out}, w_init={init})",
    },
)

# Equinox 0.13.8 (tests/test_equinox_peer.py): equinox/nn/_linear.py Linear weight (out, in),
# weight and bias U(±1/√in) (_misc.py default_init); _conv.py Conv weight (out, in/groups, *k)
# and ConvTranspose weight (out, in/groups, *k), both U(±1/√(in/groups·∏k)) with the same bias;
# _embedding.py Embedding N(0, 1). Equinox has no initializers of its own: jax.nn.initializers
# with in_axis=1, out_axis=0 read its (out, in, *k) weights.
_EQX_LINEAR = LayerDefault("eqx.nn.Linear", "U(±1/√fan_in)", 1 / 3, bias="fan_in")
_JNI = "jax.nn.initializers"
_EQX_AXES = "in_axis=1, out_axis=0"
EQUINOX = Framework(
    name="equinox",
    title="Equinox",
    module=_JNI,
    code_prefix=_JNI,
    layout="equinox",
    layout_text="(out, in, *k)",
    normal="truncated",
    convention="Equinox (JAX) convention",
    untruncated=f'variance_scaling(..., "normal", {_EQX_AXES})',
    scheme_modes={"*": ("fan_in", "fan_out", "fan_avg", "fan_geo_avg")},
    mode_problem="jax.nn.initializers.variance_scaling has modes {allowed}",
    knob="scale",
    write=write_spelled,
    rank_error="jax.nn.initializers cannot compute fans of a weight with fewer than 2 dimensions",
    zero_error="jax.nn.initializers divides by a zero fan",
    spelling=Spelling(
        named={
            f"{s}_{k}": f"{_JNI}.{s}_{d}({_EQX_AXES})"
            for s in ("glorot", "he", "lecun")
            for k, d in (("uniform", "uniform"), ("truncated", "normal"))
        },
        scaled={
            kind: f'{_JNI}.variance_scaling({{scale}}, "{{mode}}", "{dist}", {_EQX_AXES})'
            for kind, dist in JAX_DISTRIBUTION.items()
        },
        uniform=(
            "lambda key, shape, dtype=jnp.float32: jax.random.uniform(key, shape, dtype, -{bound}, {bound})"
        ),
        normal=f"{_JNI}.normal(stddev={{std}})",
        truncated=f"{_JNI}.truncated_normal(stddev={{sigma}})",
    ),
    layers={
        "dense": _EQX_LINEAR,
        "conv": replace(_EQX_LINEAR, layer="eqx.nn.Conv", init="U(±1/√fan_in)"),
        "depthwise": replace(_EQX_LINEAR, layer="eqx.nn.Conv(groups=in)", init="U(±1/√fan_in)"),
        "conv_transpose": replace(_EQX_LINEAR, layer="eqx.nn.ConvTranspose", init="U(±1/√fan_in)"),
        "embedding": LayerDefault(
            "eqx.nn.Embedding", "normal(0, 1)", distribution="normal", variance=1.0, bias="none"
        ),
    },
    layer_names="Equinox eqx.nn.Linear, eqx.nn.Conv",
    default_note="U(±1/√fan_in), Var = 1/(3·fan_in), for weight and bias (torch's default)",
    bias_note="Equinox bias: U(±1/√fan_in) with the weight's fan_in",
    notes_by_distribution={
        "truncated": "normal → truncated (JAX convention): *_normal = N(0, σ²) cut at ±2σ, "
        "σ = std/0.87962566, realized std √Var",
    },
    note="jax.nn.initializers with in_axis=1, out_axis=0 for Equinox's (out, in, *k) weights",
    imports=("import equinox as eqx", "import jax", "import jax.numpy as jnp"),
    tensor_after="{w} = {init}(jax.random.key({index}), {shape}, jnp.float32)",
)

# MLX 0.32.4 (tests/test_mlx_peer.py): python/mlx/nn/init.py _calculate_fan_in_fan_out on
# (out, *k, in); glorot_uniform()/glorot_normal() take gain=1.0 at the call; he_uniform()/
# he_normal() take mode ("fan_in" | "fan_out") and gain=1.0 — he_* is LeCun unless gain=√2;
# normals untruncated. nn/layers/linear.py Linear weight (out, in), weight and bias U(±√(1/in));
# convolution.py Conv*d weight (out, *k, in/groups), U(±√(1/(in/groups·∏k))), zero bias;
# convolution_transpose.py ConvTranspose*d weight (out, *k, in), U(±√(1/(in·∏k))), zero bias;
# embedding.py Embedding N(0, 1/dims).
_MLX_LINEAR = LayerDefault("nn.Linear", "U(±√(1/fan_in))", 1 / 3, bias="fan_in")
_MLX_CONV = replace(_MLX_LINEAR, layer="nn.Conv*d", init="U(±√(1/fan_in))", bias="zeros")
_MLI = "nn.init"
MLX = Framework(
    name="mlx",
    title="MLX",
    module="mlx.nn.init",
    code_prefix=_MLI,
    layout="mlx",
    layout_text="(out, *k, in)",
    normal="normal",
    convention="MLX convention",
    untruncated="glorot_normal(), he_normal()",
    scheme_modes={"glorot": ("fan_avg",), "*": ("fan_in", "fan_out")},
    mode_problem="MLX he_* has modes {allowed} (glorot_*, i.e. --scheme glorot with --gain, is fan_avg)",
    knob="gain",
    write=write_spelled,
    rank_error="mlx.nn.init cannot compute fans of a weight with fewer than 2 dimensions",
    zero_error="mlx.nn.init divides by a zero fan",
    spelling=Spelling(
        scaled={
            "uniform:fan_avg": f"{_MLI}.glorot_uniform()(a, gain={{gain}})",
            "normal:fan_avg": f"{_MLI}.glorot_normal()(a, gain={{gain}})",
            "uniform": f'{_MLI}.he_uniform()(a, mode="{{mode}}", gain={{gain}})',
            "normal": f'{_MLI}.he_normal()(a, mode="{{mode}}", gain={{gain}})',
        },
        uniform=f"{_MLI}.uniform(low=-{{bound}}, high={{bound}})(a)",
        normal=f"{_MLI}.normal(mean=0.0, std={{std}})(a)",
        truncated="{sigma} * mx.random.truncated_normal(-2.0, 2.0, a.shape)",
        statement="{init} = lambda a: {call}",
    ),
    layers={
        "dense": _MLX_LINEAR,
        "conv": _MLX_CONV,
        "depthwise": replace(_MLX_CONV, layer="nn.Conv*d(groups=in)"),
        "conv_transpose": replace(_MLX_CONV, layer="nn.ConvTranspose*d", init="U(±√(1/fan_in))"),
        "embedding": LayerDefault(
            "nn.Embedding", "N(0, 1/dims)", 1.0, "fan_in", "normal", "out_channels", bias="none"
        ),
    },
    layer_names="MLX nn.Linear, nn.Conv*d",
    default_note="U(±√(1/fan_in)), Var = 1/(3·fan_in); Linear bias U(±√(1/in)), conv bias zeros",
    notes_by_distribution={"normal": "normal = N(0, std²), untruncated (glorot_normal, he_normal)"},
    notes_by_scheme={"he": "MLX he_normal()/he_uniform() have gain 1 unless told: gain=√2 is written"},
    note="MLX initializers take gain= at the call",
    imports=("import mlx.core as mx", "import mlx.nn as nn"),
    tensor_after="{w} = {init}(mx.zeros({shape}))",
    layer_api={
        "dense": "nn.Linear({fan_in}, {out})  # then layer.weight = {init}(layer.weight)",
        "conv": (
            "nn.Conv{rank}d({fan_in}, {out}, {kernel}{groups})  # then layer.weight = {init}(layer.weight)"
        ),
    },
)

# PaddlePaddle 3.3.1 (tests/test_paddle_peer.py): python/paddle/nn/initializer/initializer.py
# _compute_fans: 2-D (in, out), else (out, in, *k); xavier.py XavierUniform/XavierNormal(gain)
# fan_avg, untruncated; kaiming.py KaimingUniform/KaimingNormal(negative_slope, nonlinearity=
# "relu", mode="fan_in" | "fan_out") with calculate_gain as torch; normal.py TruncatedNormal(mean,
# std, a=-2, b=2). nn/layer/common.py Linear weight (in, out) and Embedding: no initializer, so
# the default XavierUniform on the weight, bias zeros; nn/layer/conv.py Conv*D weight (out,
# in/groups, *k) Normal(0, √(2/(∏k·in))) with every input channel; Conv*DTranspose (in,
# out/groups, *k) falls back to XavierUniform.
_PD = "paddle.nn.initializer"
_PADDLE_LINEAR = LayerDefault("nn.Linear", "XavierUniform", 1.0, "fan_avg")
PADDLE = Framework(
    name="paddle",
    title="PaddlePaddle",
    module=_PD,
    code_prefix=_PD,
    layout="paddle",
    layout_text="Linear (in, out); conv (out, in, *k)",
    normal="normal",
    convention="Paddle convention",
    untruncated="XavierNormal, KaimingNormal",
    scheme_modes={"glorot": ("fan_avg",), "*": ("fan_in", "fan_out")},
    mode_problem=(
        "Paddle Kaiming* has modes {allowed} (Xavier*, i.e. --scheme glorot with --gain, is fan_avg)"
    ),
    knob="gain",
    write=write_spelled,
    rank_error="paddle.nn.initializer computes no fans below rank 2 here",
    zero_error="paddle.nn.initializer divides by a zero fan",
    spelling=Spelling(
        scaled={
            "uniform:fan_avg": f"{_PD}.XavierUniform(gain={{gain}})",
            "normal:fan_avg": f"{_PD}.XavierNormal(gain={{gain}})",
            "uniform": f"{_PD}.KaimingUniform(nonlinearity='{{nonlinearity}}', mode='{{mode}}')",
            "normal": f"{_PD}.KaimingNormal(nonlinearity='{{nonlinearity}}', mode='{{mode}}')",
        },
        uniform=f"{_PD}.Uniform(low=-{{bound}}, high={{bound}})",
        normal=f"{_PD}.Normal(mean=0.0, std={{std}})",
        truncated=f"{_PD}.TruncatedNormal(mean=0.0, std={{sigma}}, a=-{{cut}}, b={{cut}})",
    ),
    layers={
        "dense": _PADDLE_LINEAR,
        "conv": LayerDefault("nn.Conv*D", "Normal(0, √(2/(∏k·in)))", 2.0, "fan_in", "normal", "input"),
        "depthwise": LayerDefault(
            "nn.Conv*D(groups=in)", "Normal(0, √(2/(∏k·in)))", 2.0, "fan_in", "normal", "input"
        ),
        "conv_transpose": replace(_PADDLE_LINEAR, layer="nn.Conv*DTranspose"),
        "embedding": replace(_PADDLE_LINEAR, layer="nn.Embedding", bias="none"),
    },
    layer_names="Paddle nn.Linear, nn.Conv*D",
    default_note=(
        "Linear XavierUniform on (in, out); Conv Normal(0, √(2/(∏k·in))), He "
        "with every input channel; zero bias"
    ),
    notes_by_distribution={"normal": "normal = N(0, std²), untruncated (XavierNormal, KaimingNormal)"},
    notes_by_scheme={"lecun": "Paddle has no LeCun: KaimingNormal(nonlinearity='linear') is LeCun"},
    note="Paddle Xavier* take gain=; Kaiming* a nonlinearity",
    imports=("import paddle",),
    tensor_after='{w} = paddle.create_parameter({list}, "float32", default_initializer={init})',
    layer_api={
        "dense": "paddle.nn.Linear({fan_in}, {out}, weight_attr=paddle.ParamAttr(initializer={init}))",
        "conv": (
            "paddle.nn.Conv{rank}D({fan_in}, {out}, {kernel}{groups}, "
            "weight_attr=paddle.ParamAttr(initializer={init}))"
        ),
    },
)

# tinygrad 0.14.0 (tests/test_tinygrad_peer.py): tinygrad/mixin/rand.py
# Tensor.glorot_uniform(*shape) bound √(6/(shape[0] + ∏shape[1:])) — fan_out without the
# receptive field; kaiming_uniform(*shape, a=0.01) bound √(6/(1+a²)/∏shape[1:]), kaiming_normal
# std √(2/(1+a²)/∏shape[1:]); no truncated normal. tinygrad/nn/__init__.py Linear weight (out,
# in), weight and bias U(±1/√in); Conv2d (any rank) weight (out, in/groups, *k) and
# ConvTranspose2d (in, out/groups, *k), weight and bias U(±1/√(in·∏k)) with every input channel;
# Embedding glorot_uniform(vocab, dim).
_TINY_LINEAR = LayerDefault("nn.Linear", "U(±1/√in)", 1 / 3, bias="fan_in")
_TINY_CONV = replace(_TINY_LINEAR, layer="nn.Conv2d", init="U(±1/√(in·∏k))", fans="input")
TINYGRAD = Framework(
    name="tinygrad",
    title="tinygrad",
    module="tinygrad.Tensor",
    code_prefix="Tensor",
    layout="tinygrad",
    layout_text="(out, in, *k); fan_out = out",
    normal="normal",
    convention="tinygrad convention",
    untruncated="Tensor.kaiming_normal, Tensor.normal",
    scheme_modes={"glorot": ("fan_avg",), "*": ("fan_in",)},
    mode_problem="tinygrad kaiming_* has mode {allowed} (glorot_uniform is fan_avg)",
    knob="gain",
    write=write_spelled,
    rank_error="tinygrad's initializers need a weight of rank ≥ 2 here",
    zero_error="tinygrad's initializers divide by a zero fan",
    spelling=Spelling(
        named={"glorot_uniform": "Tensor.glorot_uniform({dims})"},
        scaled={
            "uniform:fan_in": "Tensor.kaiming_uniform({dims}, a={slope})",
            "normal:fan_in": "Tensor.kaiming_normal({dims}, a={slope})",
        },
        uniform="Tensor.uniform({dims}, low=-{bound}, high={bound})",
        normal="Tensor.normal({dims}, mean=0.0, std={std})",
        statement="{w} = {call}",
    ),
    layers={
        "dense": _TINY_LINEAR,
        "conv": _TINY_CONV,
        "depthwise": replace(_TINY_CONV, layer="nn.Conv2d(groups=in)"),
        "conv_transpose": replace(_TINY_CONV, layer="nn.ConvTranspose2d"),
        "embedding": LayerDefault("nn.Embedding", "glorot_uniform", 1.0, "fan_avg", bias="none"),
    },
    layer_names="tinygrad nn.Linear, nn.Conv2d",
    default_note="U(±1/√(in·∏k)) (every input channel, even grouped), weight and bias",
    bias_note="tinygrad bias: U(±1/√(in·∏k)), the weight's bound",
    notes_by_scheme={"glorot": "tinygrad glorot_uniform: fan_out = out channels, no receptive field"},
    note="tinygrad kaiming_* take a leaky-relu slope a: gain² = 2/(1+a²)",
    imports=("from tinygrad import Tensor",),
)

# MXNet 1.9.1 python/mxnet/initializer.py: Xavier(rnd_type="uniform", factor_type="avg",
# magnitude=3): fans of (out, in, *k) = (in·∏k, out·∏k), scale = √(magnitude/n), uniform ±scale
# or gaussian std scale (so uniform Var = magnitude/(3n), gaussian Var = magnitude/n);
# MSRAPrelu(factor_type="avg", slope=0.25) = Xavier("gaussian", magnitude = 2/(1+slope²)): the
# average fan, not fan_in. python/mxnet/gluon/block.py Block.initialize(init=Uniform()) —
# Uniform(0.07) for every weight nobody set (Dense, Conv, Embedding), bias zeros. No truncated
# normal. Not run (mxnet 1.9 pins numpy < 2).
_MX = "mx.init"
_GLUON_DENSE = LayerDefault("gluon.nn.Dense", "Uniform(0.07)", variance=0.07**2 / 3)
MXNET = Framework(
    name="mxnet",
    title="MXNet",
    module=_MX,
    code_prefix=_MX,
    layout="torch",
    layout_text="(out, in, *k)",
    normal="normal",
    convention="MXNet convention",
    untruncated='Xavier(rnd_type="gaussian")',
    scheme_modes={"*": ("fan_in", "fan_out", "fan_avg")},
    mode_problem="MXNet Xavier has factor types {allowed}",
    knob="scale",
    write=write_spelled,
    rank_error="MXNet Xavier cannot be applied to a vector (it requires at least 2-D)",
    zero_error="MXNet Xavier divides by a zero fan",
    spelling=Spelling(
        scaled={
            "uniform": f'{_MX}.Xavier(rnd_type="uniform", factor_type="{{mode}}", magnitude={{magnitude}})',
            "normal": f'{_MX}.Xavier(rnd_type="gaussian", factor_type="{{mode}}", magnitude={{scale}})',
        },
        modes={"fan_in": "in", "fan_out": "out", "fan_avg": "avg"},
        uniform=f"{_MX}.Uniform(scale={{bound}})",
        normal=f"{_MX}.Normal(sigma={{std}})",
    ),
    layers={
        "dense": _GLUON_DENSE,
        "conv": replace(_GLUON_DENSE, layer="gluon.nn.Conv*D"),
        "depthwise": replace(_GLUON_DENSE, layer="gluon.nn.Conv*D(groups=in)"),
        "conv_transpose": replace(_GLUON_DENSE, layer="gluon.nn.Conv*DTranspose"),
        "embedding": replace(_GLUON_DENSE, layer="gluon.nn.Embedding", bias="none"),
    },
    layer_names="Gluon nn.Dense, nn.Conv*D after net.initialize()",
    default_note="Uniform(0.07) for every weight: U(±0.07) whatever the fans; zero bias",
    notes_by_distribution={"normal": 'normal = N(0, std²), untruncated (Xavier(rnd_type="gaussian"))'},
    notes_by_scheme={
        "he": "MXNet MSRAPrelu(slope=0.25) is Xavier gaussian, magnitude 2/(1+0.25²), factor avg"
    },
    note="MXNet Xavier's magnitude: 3·scale for uniform, scale for gaussian",
    imports=("# not run: written from apache/mxnet 1.9 python/mxnet/initializer.py", "import mxnet as mx"),
    tensor_before="{w} = mx.nd.zeros({shape})",
    tensor_after='{init}(mx.init.InitDesc("{w}_weight"), {w})',
)

# Chainer 7.8 chainer/initializer.py get_fans on (out, in, *k); initializers/normal.py
# LeCunNormal(scale) std scale·√(1/fan_in), GlorotNormal(scale) scale·√(2/(fi+fo)),
# HeNormal(scale, fan_option="fan_in" | "fan_out") scale·√(2/fan), all untruncated;
# initializers/uniform.py LeCunUniform(scale) ±scale·√(3/fi), GlorotUniform ±scale·√(6/(fi+fo)),
# HeUniform ±scale·√(6/fi); initializers/__init__.py _get_initializer(None) = LeCunNormal() for
# links.Linear / Convolution*D / Deconvolution*D (W (in, out/groups, *k)), bias 0; EmbedID
# Normal(1.0). Not run (chainer does not build here).
_CH = "chainer.initializers"
_CHAINER_LINEAR = LayerDefault("L.Linear", "LeCunNormal()", 1.0, "fan_in", "normal")
CHAINER = Framework(
    name="chainer",
    title="Chainer",
    module=_CH,
    code_prefix=_CH,
    layout="torch",
    layout_text="(out, in, *k)",
    normal="normal",
    convention="Chainer convention",
    untruncated="GlorotNormal, HeNormal, LeCunNormal",
    scheme_modes={"glorot": ("fan_avg",), "*": ("fan_in", "fan_out")},
    mode_problem="Chainer HeNormal has fan_option {allowed} (Glorot*, i.e. --scheme glorot, is fan_avg)",
    knob="gain",
    write=write_spelled,
    rank_error="chainer.initializer.get_fans needs at least 2 dimensions",
    zero_error="chainer's initializers divide by a zero fan",
    spelling=Spelling(
        scaled={
            "uniform:fan_avg": f"{_CH}.GlorotUniform(scale={{gain}})",
            "normal:fan_avg": f"{_CH}.GlorotNormal(scale={{gain}})",
            "uniform:fan_in": f"{_CH}.LeCunUniform(scale={{gain}})",
            "normal:fan_in": f"{_CH}.LeCunNormal(scale={{gain}})",
            "normal:fan_out": f"{_CH}.HeNormal(scale={{half_gain}}, fan_option='fan_out')",
        },
        uniform=f"{_CH}.Uniform(scale={{bound}})",
        normal=f"{_CH}.Normal(scale={{std}})",
    ),
    layers={
        "dense": _CHAINER_LINEAR,
        "conv": replace(_CHAINER_LINEAR, layer="L.Convolution*D"),
        "depthwise": replace(_CHAINER_LINEAR, layer="L.Convolution2D(groups=in)"),
        "conv_transpose": replace(_CHAINER_LINEAR, layer="L.Deconvolution*D"),
        "embedding": LayerDefault(
            "L.EmbedID", "Normal(1.0)", distribution="normal", variance=1.0, bias="none"
        ),
    },
    layer_names="Chainer L.Linear, L.Convolution2D",
    default_note="LeCunNormal(), N(0, 1/fan_in) untruncated; zero bias",
    notes_by_distribution={
        "normal": "normal = N(0, std²), untruncated (GlorotNormal, HeNormal, LeCunNormal)"
    },
    note="Chainer's scale multiplies the std: a gain (HeNormal's scale is gain/√2)",
    imports=(
        "# not run: written from chainer/chainer v7 chainer/initializers/",
        "import chainer",
        "import numpy as np",
    ),
    tensor_before="{w} = np.empty({shape}, dtype=np.float32)",
    tensor_after="{init}({w})",
)

# Caffe include/caffe/filler.hpp (BVLC master): XavierFiller fan_in = count/num, fan_out =
# count/channels of the blob (num, channels, …) — (out, in, *k) for InnerProduct and
# Convolution — n = fan_in by default (variance_norm FAN_IN | FAN_OUT | AVERAGE), uniform
# ±√(3/n): "xavier" is LeCun uniform unless variance_norm: AVERAGE; MSRAFiller gaussian std
# √(2/n), same n; gaussian / uniform fillers take numbers; no truncated filler.
# src/caffe/proto/caffe.proto FillerParameter type defaults to "constant" 0: a layer without a
# weight_filler starts at zero, so Caffe has no random layer default. Not run.
CAFFE = Framework(
    name="caffe",
    title="Caffe",
    module="weight_filler",
    code_prefix="",
    layout="torch",
    layout_text="blob (num, channels, …)",
    normal="normal",
    convention="Caffe convention",
    untruncated='type: "gaussian" / "msra"',
    scheme_modes={"*": ("fan_in", "fan_out", "fan_avg")},
    mode_problem="Caffe fillers have variance_norm {allowed}",
    knob="scale",
    write=write_spelled,
    rank_error="Caffe's fillers read fans from a blob (num, channels, …) of rank ≥ 2",
    zero_error="Caffe's fillers CHECK a non-empty blob",
    spelling=Spelling(
        scaled={
            "uniform": 'weight_filler {{ type: "xavier" variance_norm: {mode} }}{unit}',
            "normal": 'weight_filler {{ type: "msra" variance_norm: {mode} }}{two}',
        },
        modes={"fan_in": "FAN_IN", "fan_out": "FAN_OUT", "fan_avg": "AVERAGE"},
        uniform='weight_filler {{ type: "uniform" min: -{bound} max: {bound} }}',
        normal='weight_filler {{ type: "gaussian" std: {std} }}',
        statement="{call}",
    ),
    layer_names="Caffe",
    default_note='weight_filler defaults to type "constant" 0: give one',
    notes_by_scheme={"lecun": 'Caffe\'s "xavier" filler is LeCun uniform (n = fan_in by default)'},
    note='Caffe: "xavier" is U(±√(3/n)) and "msra" N(0, 2/n) only: other scales are numbers',
    imports=("# not run: written from BVLC/caffe include/caffe/filler.hpp",),
    language="prototxt",
)

# Flux.jl 0.14 src/utils.jl: nfan(n_out, n_in) for a Dense (out, in), nfan of a conv kernel
# (*k, in, out) = (∏k·in, ∏k·out); glorot_uniform(dims; gain=1) ±gain·√(6/(fi+fo)),
# glorot_normal(dims; gain=1) gain·√(2/(fi+fo)), kaiming_uniform(dims; gain=√2) ±gain·√(3/fi),
# kaiming_normal(dims; gain=√2) gain/√fi (fan_in only), truncated_normal(dims; mean=0, std=1,
# lo=-2, hi=2) with absolute bounds. src/layers/basic.jl Dense(in => out; init=glorot_uniform),
# zero bias; src/layers/conv.jl Conv and ConvTranspose (weight (*k, out/groups, in))
# glorot_uniform, zero bias; Embedding(in => out; init=randn32) N(0, 1). Not run.
_FLUX_DENSE = LayerDefault("Dense", "glorot_uniform", 1.0, "fan_avg")
FLUX = Framework(
    name="flux",
    title="Flux.jl",
    module="Flux",
    code_prefix="Flux",
    layout="flux",
    layout_text="Dense (out, in); conv (*k, in, out)",
    normal="normal",
    convention="Flux convention",
    untruncated="glorot_normal, kaiming_normal",
    scheme_modes={"glorot": ("fan_avg",), "*": ("fan_in",)},
    mode_problem="Flux kaiming_* is fan_in only; glorot_* is fan_avg ({allowed})",
    knob="gain",
    write=write_spelled,
    rank_error="Flux's nfan needs a weight of rank ≥ 2 here",
    zero_error="Flux's initializers divide by a zero fan",
    spelling=Spelling(
        scaled={
            "uniform:fan_avg": "Flux.glorot_uniform({dims}; gain={gain})",
            "normal:fan_avg": "Flux.glorot_normal({dims}; gain={gain})",
            "uniform:fan_in": "Flux.kaiming_uniform({dims}; gain={gain})",
            "normal:fan_in": "Flux.kaiming_normal({dims}; gain={gain})",
        },
        uniform="{bound}f0 .* (2 .* rand(Float32, {dims}) .- 1)",
        normal="{std}f0 .* randn(Float32, {dims})",
        truncated="Flux.truncated_normal({dims}; std={sigma}, lo=-{cut}, hi={cut})",
        statement="{w} = {call}",
    ),
    layers={
        "dense": _FLUX_DENSE,
        "conv": replace(_FLUX_DENSE, layer="Conv"),
        "depthwise": replace(_FLUX_DENSE, layer="DepthwiseConv"),
        "conv_transpose": replace(_FLUX_DENSE, layer="ConvTranspose"),
        "embedding": LayerDefault("Embedding", "randn32", distribution="normal", variance=1.0, bias="none"),
    },
    layer_names="Flux Dense, Conv",
    default_note="glorot_uniform, Var = 2/(fan_in + fan_out); zero bias",
    notes_by_distribution={"normal": "normal = N(0, std²), untruncated (glorot_normal, kaiming_normal)"},
    note="Flux initializers take gain=; truncated_normal's lo, hi are absolute",
    imports=("# not run: written from FluxML/Flux.jl src/utils.jl", "using Flux"),
    language="julia",
)

FRAMEWORKS: dict[str, Framework] = {
    fw.name: fw
    for fw in (
        *(TORCH, KERAS, JAX, FLAX),
        *(TF_KERAS, TF_COMPAT_V1, TF1_CONTRIB, KERAS22, FLAX_NNX, HAIKU, EQUINOX, MLX, PADDLE, TINYGRAD),
        *(MXNET, CHAINER, CAFFE, FLUX, TFJS),
    )
}
# the frameworks with a layer library (jax.nn has none; Flax is its layer library)
LAYER_FRAMEWORKS = tuple(name for name, fw in FRAMEWORKS.items() if fw.layers)
# the defaults propagate and audit measure against (one of each weight layout family)
REFERENCE_FRAMEWORKS = (TORCH.name, KERAS.name, FLAX.name)


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
    if same_reading(layer.layout, fw.layout) or len(layer.shape) < 2 or 0 in layer.shape:
        return layer
    shape = join_weight(*split_weight(layer.shape, layer.layout), fw.layout)
    fan_in, fan_out = compute_fans(shape, fw.layout)
    return replace(layer, shape=shape, layout=fw.layout, fan_in=fan_in, fan_out=fan_out)


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


def distribution_problem(fw: Framework, stats: InitStats) -> str | None:
    """Why `fw` cannot draw `stats`' distribution (no truncated sampler), or None."""
    if stats.distribution == "truncated" and not fw.has_truncated:
        return f"{fw.title} has no truncated normal initializer"
    return None


def check_framework_mode(fw: Framework, stats: InitStats) -> None:
    problem = mode_problem(fw, stats)
    if problem is not None:
        raise UsageError("--mode", stats.mode, f"{fw.name}: {problem}")


def clamped(fw: Framework, stats_of: Callable[..., InitStats], fan_in: int, fan_out: int, mode: str):
    """`stats_of(fan_in, fan_out)`, with Keras's n = max(1, n) (zero fans included)."""
    if fw.min_n and mode in fw.modes:
        return stats_of(fan_in, fan_out, n=max(fw.min_n, fan_n(fan_in, fan_out, mode)))
    return stats_of(fan_in, fan_out)


def framework_normal(fw: Framework, stats: InitStats) -> InitStats:
    """`stats` as `fw`'s own truncated ``*_normal`` draws it: σ = `fw.truncated_sigma`·√Var, so
    the realized std is 0.8796·σ (Keras ≤ 2.2, TF.js: 0.8796·√Var; TF1 contrib: 1.0029·√Var)."""
    if stats.distribution != "truncated" or _close(fw.truncated_sigma * TRUNCATED_STD, 1.0):
        return stats
    sampler_std = math.sqrt(stats.variance) * fw.truncated_sigma
    std = sampler_std * TRUNCATED_STD
    return replace(stats, sampler_std=sampler_std, std=std, variance=std * std)


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
    return fw.layers.get(layer.kind) or (fw.layers.get("dense") if layer.kind == "weight" else None)


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
    n_in = _default_fan(default, layer, fan_in)
    scale = default.scale if default.variance is None else default.variance * n_in
    mode = "fan_in" if default.variance is not None else default.mode
    gain = Gain(math.sqrt(scale), default.init, scale)

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

    return framework_normal(fw, clamped(fw, stats_of, n_in, fan_out, mode))


def _default_fan(default: LayerDefault, layer: Layer, fan_in: int) -> int:
    """The n a layer default divides by in mode fan_in (`LayerDefault.fans`)."""
    if default.fans == "input":
        return layer.in_channels * math.prod(layer.kernel) if layer.in_channels else fan_in
    return {"weight": fan_in, "in_channels": layer.in_channels, "out_channels": layer.out_channels}[
        default.fans
    ]


def default_init(fw: Framework, layer: Layer) -> str:
    """The name of `fw`'s default weight init for `layer`."""
    default = layer_default(fw, layer)
    return "—" if default is None else model_init(fw, layer, "weight") or default.init


def bias_bound(fw: Framework, layer: Layer) -> float | None:
    """The bound of `fw`'s default U(±bound) bias for `layer`, or None (zeros, or no bias)."""
    default = layer_default(fw, layer)
    if default is None or default.bias != "fan_in" or layer.no_bias or model_init(fw, layer, "bias"):
        return None
    return 1 / math.sqrt(_default_fan(default, layer, framework_fans(layer, fw)[0]))


def default_bias(fw: Framework, layer: Layer) -> str:
    """How `fw` initializes `layer`'s bias by default: ``U(±b)``, ``zeros`` or ``none``."""
    default = layer_default(fw, layer)
    if default is None or default.bias == "none" or layer.no_bias:
        return "none"
    override = model_init(fw, layer, "bias")
    if override is not None:
        return override
    bound = bias_bound(fw, layer)
    return "zeros" if bound is None else f"U(±{bound:.6g})"


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
