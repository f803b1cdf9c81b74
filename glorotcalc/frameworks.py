"""Framework conventions: torch, Keras, JAX and Flax compute "the same" initializer differently.

Pure math (no numpy, no rich at import): the lookup path may import this module.

================  =================  =============================  ===============================
framework         weight layout      ``*_normal`` means             gain / modes
================  =================  =============================  ===============================
torch             ``(out, in, *k)``  untruncated N(0, Var)          ``gain=`` (xavier), nonlinearity
                                                                    (kaiming: fan_in/fan_out only)
keras             ``(*k, in, out)``  truncated at ±2σ, σ=√Var/0.88  scale = gain²; n = max(1, fan)
jax / flax        ``(*k, in, out)``  truncated (as keras)           scale = gain²; also fan_geo_avg
================  =================  =============================  ===============================

Default layer initialization (what a user gets without asking):

- torch ``nn.Linear``/``nn.ConvNd``/``nn.ConvTransposeNd``: ``kaiming_uniform_(a=√5)`` = U(±1/√fan_in),
  Var = 1/(3·fan_in) — a third of He; bias U(±1/√fan_in). fan_in is torch's, from the weight shape:
  ``(out, in/groups, *k)``, but ``(in, out/groups, *k)`` for a transposed conv (fan_in = out/groups·∏k).
- Keras ``Dense``/``Conv``: ``glorot_uniform``; zero bias.
- Flax ``Dense``/``Conv``: ``lecun_normal`` (truncated at ±2σ, realized std √(1/fan_in)); zero bias.

>>> from glorotcalc.layers import dense
>>> round(default_stats("torch", dense(784, 256)).std, 6)  # 1/√(3·784)
0.02062
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace

from glorotcalc.commands import Request
from glorotcalc.errors import UsageError, choose
from glorotcalc.gain import TORCH_NONLINEARITIES, Activation, Gain, calculate_gain
from glorotcalc.layers import Layer, relayout
from glorotcalc.lookup import (
    check_mode,
    explain,
    explain_note,
    layer_gain,
    layer_mode,
    layer_record,
    layer_title,
    result_record,
    stats_for,
)
from glorotcalc.render import columns
from glorotcalc.report import Report
from glorotcalc.schemes import (
    SCHEMES,
    TRUNCATED_STD,
    InitStats,
    fan_n,
    recommended_scheme,
    scheme_stats,
    variance_scaling,
)

FRAMEWORKS = ("torch", "keras", "jax", "flax")
DEFAULT_FRAMEWORKS = ("torch", "keras", "flax")  # jax.nn has no layers; Flax is its layer library
TITLE = {"torch": "torch", "keras": "Keras", "jax": "JAX", "flax": "Flax"}
MODULE = {
    "torch": "torch.nn.init",
    "keras": "keras.initializers",
    "jax": "jax.nn.initializers",
    "flax": "flax.linen.initializers",
}
# the modes each framework's variance scaling accepts (torch: kaiming_*; xavier_* is fan_avg)
FRAMEWORK_MODES = {
    "torch": ("fan_in", "fan_out"),
    "keras": ("fan_in", "fan_out", "fan_avg"),
    "jax": ("fan_in", "fan_out", "fan_avg", "fan_geo_avg"),
    "flax": ("fan_in", "fan_out", "fan_avg", "fan_geo_avg"),
}
LAYER_NAMES = {
    "torch": "torch nn.Linear, nn.Conv*d, nn.ConvTranspose*d",
    "keras": "Keras Dense, Conv*D",
    "flax": "Flax nn.Dense, nn.Conv",
}
DEFAULT_INIT = {"torch": "kaiming_uniform_(a=√5)", "keras": "glorot_uniform", "flax": "lecun_normal"}
CLOSE = 1e-12  # relative tolerance for "this scale/gain is that named one"


# ── fans as each framework computes them ─────────────────────────────────────────────────────────


def framework_layer(layer: Layer, framework: str) -> Layer:
    """`layer` with its weight stored as `framework` stores it; its fans are then that framework's.

    Structured layers go through `layers.relayout` (a transposed conv's fan_in counts the output
    channels in torch and Keras, the input channels in Flax/JAX); a bare weight (``--shape``) is
    reordered between torch ``(out, in, *k)`` and ``(*k, in, out)``, which keeps its fans.
    """
    if layer.kind != "weight":
        return relayout(layer, framework) if layer.in_channels else layer
    if (layer.layout == "torch") == (framework == "torch") or len(layer.shape) < 2:
        return layer
    shape = layer.shape
    if framework == "torch":
        return replace(layer, shape=(shape[-1], shape[-2], *shape[:-2]), layout=framework)
    return replace(layer, shape=(*shape[2:], shape[1], shape[0]), layout=framework)


def framework_shape(layer: Layer, framework: str) -> tuple[int, ...]:
    """The weight shape `framework` stores for `layer`."""
    return framework_layer(layer, framework).shape


def framework_fans(layer: Layer, framework: str) -> tuple[int, int]:
    """(fan_in, fan_out) as `framework` computes them from its own weight for `layer`.

    They differ only for transposed convs: torch (in, out/g, *k) → fan_in = out/g·∏k; Keras
    (*k, out, in) → fan_in = out·∏k; Flax (*k, in, out) → fan_in = in·∏k.
    """
    other = framework_layer(layer, framework)
    return other.fan_in, other.fan_out


def torch_fans(layer: Layer) -> tuple[int, int]:
    """torch's (fan_in, fan_out) for `layer` — see `framework_fans`."""
    return framework_fans(layer, "torch")


# ── default layer initialization ─────────────────────────────────────────────────────────────────


def default_init(framework: str, layer: Layer) -> str:
    """The name of the weight init `framework`'s layer of this kind uses by default."""
    choose("framework (defaults)", framework, DEFAULT_FRAMEWORKS)
    special = {
        ("torch", "embedding"): "normal_(0, 1)",
        ("torch", "bilinear"): "uniform_(±1/√in1)",
        ("torch", "attention"): "xavier_uniform_",
        ("keras", "embedding"): "RandomUniform(±0.05)",
        ("flax", "embedding"): "variance_scaling(1, fan_in, normal)",
    }
    return special.get((framework, layer.kind), DEFAULT_INIT[framework])


def default_stats(framework: str, layer: Layer) -> InitStats:
    """The weight init `framework` gives `layer` by default; its scheme is e.g. ``"torch default"``.

    torch Linear/ConvNd/ConvTransposeNd: kaiming_uniform_(a=√5): gain √(2/(1+5)) = √(1/3),
    bound = gain·√(3/fan_in) = 1/√fan_in, Var = 1/(3·fan_in) (torch's fan_in: out/groups·∏k for a
    transposed conv); Embedding N(0, 1); Bilinear U(±1/√in1); MultiheadAttention's packed in_proj
    xavier_uniform_. Keras Dense/Conv: GlorotUniform, Var = 2/(fan_in+fan_out); Embedding
    U(±0.05). Flax Dense/Conv: lecun_normal, Var = 1/fan_in, truncated; Embed N(0, 1/features).

    >>> from glorotcalc.layers import dense
    >>> round(default_stats("torch", dense(784, 256)).bound, 6)
    0.035714
    """
    fan_in, fan_out = framework_fans(layer, framework)
    name = default_init(framework, layer)

    def scaled(scale: float, mode: str, distribution: str, n_in: int = fan_in) -> InitStats:
        gain = Gain(math.sqrt(scale), name, scale)
        return variance_scaling(
            n_in,
            fan_out,
            scale=scale,
            mode=mode,
            distribution=distribution,
            scheme=f"{framework} default",
            gain=gain,
        )

    kind = layer.kind
    if framework == "torch":
        if kind == "embedding":
            return scaled(fan_in, "fan_in", "normal")  # N(0, 1): Var = fan_in/fan_in
        if kind == "bilinear":
            return scaled(1 / 3, "fan_in", "uniform", layer.in_channels)  # torch reads weight.size(1)
        if kind == "attention":
            return scaled(1.0, "fan_avg", "uniform")
        return scaled(1 / 3, "fan_in", "uniform")
    if framework == "keras":
        if kind == "embedding":
            return scaled(0.05**2 / 3 * fan_in, "fan_in", "uniform")  # U(±0.05)
        return scaled(1.0, "fan_avg", "uniform")
    if kind == "embedding":
        # out_axis=0 on (num, features) makes jax's fan_in the features
        return scaled(1.0, "fan_in", "normal", layer.out_channels)
    return scaled(1.0, "fan_in", "truncated")


def torch_bias_bound(layer: Layer) -> float | None:
    """torch's default bias bound 1/√fan_in (Bilinear: 1/√in1); None where torch's bias is zeros
    (MultiheadAttention's in_proj) or there is none (Embedding)."""
    if layer.kind in ("embedding", "attention"):
        return None
    fan_in = layer.in_channels if layer.kind == "bilinear" else torch_fans(layer)[0]
    return 1 / math.sqrt(fan_in)


def default_bias(framework: str, layer: Layer) -> str:
    """How `framework` initializes `layer`'s bias by default: torch U(±1/√fan_in), else zeros."""
    choose("framework (defaults)", framework, DEFAULT_FRAMEWORKS)
    if layer.kind == "embedding":
        return "none"
    bound = torch_bias_bound(layer) if framework == "torch" else None
    return "zeros" if bound is None else f"U(±{bound:.6g})"


# ── one framework's conventions ──────────────────────────────────────────────────────────────────


def framework_request(request: Request) -> Request:
    """`request` read in `request.framework`'s layout; a conflicting explicit --layout is an error."""
    framework = request.framework
    if framework not in FRAMEWORKS:
        return request
    if request.sample or request.propagate:
        option = "--sample" if request.sample else "--propagate"
        raise UsageError(
            "--framework",
            framework,
            f"does not apply to {option}; use --dist truncated for Keras/JAX normals",
        )
    if request.layout_given and (request.layout == "torch") != (framework == "torch"):
        raise UsageError(
            "--layout",
            request.layout,
            f"--framework {framework} reads weights in its layout {LAYOUT_TEXT[framework]}; drop --layout",
        )
    return replace(request, layout=framework, layout_given=True)


LAYOUT_TEXT = {
    "torch": "(out, in, *k)",
    "keras": "(*k, in, out)",
    "jax": "(*k, in, out)",
    "flax": "(*k, in, out)",
}
_DIM = re.compile(r"[0-9]+")
RANK_ERROR = {
    "torch": "torch.nn.init cannot compute fans of a tensor with fewer than 2 dimensions",
    "jax": "jax.nn.initializers cannot compute fans of a weight with fewer than 2 dimensions",
}
ZERO_ERROR = {
    "torch": "torch.nn.init leaves a zero-element tensor untouched (a no-op with a warning)",
    "jax": "jax.nn.initializers divides by a zero fan",
}


def framework_layers(request: Request) -> list[Layer]:
    """The layers of `request` (already in the framework's layout); ``--shape`` by the framework's rules.

    Keras computes fans of any rank (rank 0 → (1, 1), rank 1 → (n, n)) and clamps n = max(1, fan);
    torch and JAX refuse rank < 2 and zero-sized weights.
    """
    from glorotcalc.inputs import layers_from_request

    if request.shape is None or request.inputs:
        return layers_from_request(request)
    dims = _lenient_dims(request.shape)
    if dims is None:
        return layers_from_request(request)
    if len(dims) >= 2 and 0 not in dims:
        return layers_from_request(request)
    if request.framework == "keras":
        fan_in, fan_out = keras_fans(dims)
        return [Layer("weight", "weight", dims, "keras", fan_in, fan_out)]
    family = "torch" if request.framework == "torch" else "jax"
    raise UsageError("--shape", request.shape, (RANK_ERROR if len(dims) < 2 else ZERO_ERROR)[family])


def _lenient_dims(text: str) -> tuple[int, ...] | None:
    """``64x3x3x3`` → dims, zeros allowed; ``()`` → rank 0; None when it is not a list of integers."""
    if text.strip() in ("", "()"):
        return ()
    tokens = [t.strip() for t in text.replace(",", "x").replace("×", "x").split("x")]
    if not all(_DIM.fullmatch(t) for t in tokens):
        return None
    return tuple(int(t) for t in tokens)


def keras_fans(shape: tuple[int, ...]) -> tuple[int, int]:
    """Keras ``compute_fans``: rank 0 → (1, 1); rank 1 → (n, n); else (in·∏k, out·∏k) of (*k, in, out)."""
    if not shape:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    receptive_field = math.prod(shape[:-2])
    return shape[-2] * receptive_field, shape[-1] * receptive_field


def effective_distribution(framework: str | None, distribution: str) -> str:
    """What `--dist` means in `framework`: Keras/JAX/Flax ``*_normal`` initializers are truncated."""
    if framework in (None, "torch") or distribution != "normal":
        return distribution
    return "truncated"


def distribution_label(framework: str | None, distribution: str, *, short: bool = False) -> str:
    """``normal → truncated (Keras convention)`` where the framework's normal is truncated."""
    if effective_distribution(framework, distribution) == distribution:
        return distribution
    return "normal → truncated" + ("" if short else f" ({CONVENTION[framework]})")


CONVENTION = {"keras": "Keras convention", "jax": "JAX convention", "flax": "JAX convention"}


def framework_mode_problem(framework: str, stats: InitStats) -> str | None:
    """Why `framework` has no initializer with `stats.mode` (torch kaiming_*: no fan_avg), or None."""
    if (framework == "torch" and stats.scheme == "glorot") or stats.mode in FRAMEWORK_MODES[framework]:
        return None
    allowed = ", ".join(FRAMEWORK_MODES[framework])
    if framework == "torch":
        return f"kaiming_* has modes {allowed} (xavier_*, i.e. --scheme glorot with --gain, is fan_avg)"
    return f"{TITLE[framework]} VarianceScaling has modes {allowed}"


def check_framework_mode(framework: str, stats: InitStats) -> None:
    problem = framework_mode_problem(framework, stats)
    if problem is not None:
        raise UsageError("--mode", stats.mode, f"{framework}: {problem}")


def framework_stats(
    framework: str, layer: Layer, scheme: str, distribution: str, request: Request
) -> InitStats:
    """`scheme` × `distribution` for `layer` as `framework` computes it (its fans, its normal, its clamp)."""
    fan_in, fan_out = framework_fans(layer, framework)
    gain = layer_gain(layer, scheme, request)
    mode = layer_mode(scheme, request)
    distribution = effective_distribution(framework, distribution)
    spec_mode = mode or SCHEMES[scheme].mode
    if (
        framework == "keras"
        and spec_mode in FRAMEWORK_MODES["keras"]
        and fan_n(fan_in, fan_out, spec_mode) < 1
    ):
        # keras divides by max(1, n): n = 1 for every mode exactly when both fans are taken as 1
        stats = scheme_stats(scheme, 1, 1, distribution, gain=gain, mode=mode)
        return replace(stats, fan_in=fan_in, fan_out=fan_out)
    return scheme_stats(scheme, fan_in, fan_out, distribution, gain=gain, mode=mode)


# ── an initializer in each framework's words ─────────────────────────────────────────────────────


@dataclass(frozen=True)
class Expression:
    """One initialization written in one framework: a short name (table) and code (emit)."""

    framework: str
    name: str  # e.g. GlorotNormal(), kaiming_uniform_(mode='fan_in', nonlinearity='relu')
    code: tuple[str, ...]  # statements; ``{w}`` is the weight tensor, ``{init}`` the initializer
    named: bool  # the framework's own variance-scaling initializer (not numbers written out)

    @property
    def qualified(self) -> str:
        return f"{MODULE[self.framework]}.{self.name}"


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= CLOSE * max(abs(a), abs(b))


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


def _num(value: float, code: bool) -> str:
    return repr(value) if code else f"{value:.6g}"


def _framework_n(framework: str, stats: InitStats, layer: Layer) -> float | None:
    """The n `framework` divides by for `layer` in `stats.mode`; None when it cannot (mode, rank, zeros)."""
    modes = (*FRAMEWORK_MODES[framework], "fan_avg") if framework == "torch" else FRAMEWORK_MODES[framework]
    shape = framework_shape(layer, framework)
    if stats.mode not in modes or (framework != "keras" and (len(shape) < 2 or 0 in shape)):
        return None
    n = fan_n(*framework_fans(layer, framework), stats.mode)
    return max(1.0, n) if framework == "keras" else n


def express(stats: InitStats, framework: str, layer: Layer, *, code: bool = False) -> Expression:
    """Write `stats` (for `layer`) in `framework`: its named initializer when it computes the same n,
    else the sampler with the numbers written out — the same realized distribution either way."""
    n = _framework_n(framework, stats, layer)
    same_n = n is not None and n == stats.n
    return {"torch": _torch, "keras": _keras, "jax": _jax, "flax": _jax}[framework](
        stats, framework, layer, same_n, code
    )


def _torch(stats: InitStats, framework: str, layer: Layer, same_n: bool, code: bool) -> Expression:
    if stats.distribution == "truncated":
        sigma = _num(stats.sampler_std, code)
        if code:
            lines = (
                f"sigma = {sigma}  # σ = std/{TRUNCATED_STD!r}; trunc_normal_'s a, b are absolute",
                "nn.init.trunc_normal_({w}, std=sigma, a=-2 * sigma, b=2 * sigma)",
            )
        else:
            lines = ()
        return Expression(framework, "trunc_normal_(std=σ, a=-2σ, b=2σ)", lines, False)
    kind = stats.distribution
    if same_n and stats.mode == "fan_avg":
        args = [] if _close(stats.gain, 1.0) else [f"gain={_num(stats.gain, code)}"]
        return _torch_call(framework, f"xavier_{kind}_", args, True)
    nonlinearity = torch_nonlinearity(stats, layer.activation) if same_n else None
    if nonlinearity is not None:
        name, slope = nonlinearity
        args = [] if slope is None else [f"a={_num(slope, code)}"]
        args += [] if stats.mode == "fan_in" else [f"mode='{stats.mode}'"]  # fan_in: torch's default
        args.append(f"nonlinearity='{name}'")
        return _torch_call(framework, f"kaiming_{kind}_", args, True)
    if kind == "uniform":
        bound = _num(stats.bound, code)
        return _torch_call(framework, "uniform_", [f"-{bound}", bound], False)
    return _torch_call(framework, "normal_", ["mean=0.0", f"std={_num(stats.std, code)}"], False)


def _torch_call(framework: str, function: str, args: list[str], named: bool) -> Expression:
    name = f"{function}({', '.join(args)})"
    line = f"nn.init.{function}({', '.join(['{w}', *args])})"
    return Expression(framework, name, (line,), named)


KERAS_DISTRIBUTION = {"uniform": "uniform", "truncated": "truncated_normal", "normal": "untruncated_normal"}
JAX_DISTRIBUTION = {"uniform": "uniform", "truncated": "truncated_normal", "normal": "normal"}


def _named_scheme(stats: InitStats) -> str | None:
    """glorot/he/lecun when `stats` has that scheme's own scale and mode, else None."""
    spec = SCHEMES.get(stats.scheme)
    if spec is None or stats.mode != spec.mode or not _close(stats.scale, spec.default_scale):
        return None
    return spec.name


def _keras(stats: InitStats, framework: str, layer: Layer, same_n: bool, code: bool) -> Expression:
    scheme = _named_scheme(stats) if same_n else None
    if scheme is not None and stats.distribution != "normal":
        suffix = "Uniform" if stats.distribution == "uniform" else "Normal"
        return _init_expression(framework, f"{scheme.capitalize()}{suffix}()", True)
    if same_n:
        scale, mode = _num(stats.scale, code), stats.mode
        dist = KERAS_DISTRIBUTION[stats.distribution]
        return _init_expression(
            framework, f'VarianceScaling(scale={scale}, mode="{mode}", distribution="{dist}")', True
        )
    if stats.distribution == "uniform":
        bound = _num(stats.bound, code)
        return _init_expression(framework, f"RandomUniform(minval=-{bound}, maxval={bound})", False)
    if stats.distribution == "truncated":
        # TruncatedNormal cuts at ±2·stddev and does not rescale: stddev is the sampler's σ
        return _init_expression(framework, f"TruncatedNormal(stddev={_num(stats.sampler_std, code)})", False)
    return _init_expression(framework, f"RandomNormal(stddev={_num(stats.std, code)})", False)


def _jax(stats: InitStats, framework: str, layer: Layer, same_n: bool, code: bool) -> Expression:
    scheme = _named_scheme(stats) if same_n else None
    if scheme is not None and stats.distribution != "normal":
        return _init_expression(
            framework, f"{scheme}_{stats.distribution.replace('truncated', 'normal')}()", True
        )
    if same_n:
        scale, mode = _num(stats.scale, code), stats.mode
        dist = JAX_DISTRIBUTION[stats.distribution]
        return _init_expression(framework, f'variance_scaling({scale}, "{mode}", "{dist}")', True)
    if stats.distribution == "truncated":
        # truncated_normal(stddev) draws stddev·N(0,1) cut at ±2: stddev is the sampler's σ
        return _init_expression(framework, f"truncated_normal(stddev={_num(stats.sampler_std, code)})", False)
    if stats.distribution == "normal":
        return _init_expression(framework, f"normal(stddev={_num(stats.std, code)})", False)
    # jax's uniform(scale) is U[0, scale): a symmetric bound needs jax.random.uniform
    bound = _num(stats.bound, code)
    name = f"uniform(−{bound}, {bound})"
    lam = f"lambda key, shape, dtype=jnp.float32: jax.random.uniform(key, shape, dtype, -{bound}, {bound})"
    return Expression(framework, name, (f"{{init}} = {lam}",), False)


def _init_expression(framework: str, name: str, named: bool) -> Expression:
    prefix = {"keras": "keras.initializers", "jax": "jax.nn.initializers", "flax": "nn.initializers"}
    return Expression(framework, name, (f"{{init}} = {prefix[framework]}.{name}",), named)


# ── --framework torch|keras|jax|flax ─────────────────────────────────────────────────────────────


def _shape_text(shape: tuple[int, ...]) -> str:
    return "×".join(map(str, shape)) if shape else "()"


def _layer_what(layer: Layer) -> str:
    """``dense 784 → 256``, ``conv2d 32 → 64``, ``weight 64×3×3×3``."""
    if layer.kind == "weight":
        return f"weight {_shape_text(layer.shape)}"
    if layer.in_channels:
        return f"{layer.label} {layer.in_channels} → {layer.out_channels}"
    return layer.label


def _schemes(layer: Layer, request: Request, count: int) -> tuple[str, ...]:
    """All selected schemes for one layer; the activation's recommended one per layer of many."""
    if request.scheme_given or count == 1:
        return request.schemes
    return (recommended_scheme(layer.activation)[0],)


def _distributions(framework: str | None, request: Request) -> tuple[str, ...]:
    """The chosen distributions; by default what Keras/JAX/Flax name: uniform and *_normal."""
    if request.dist_given or framework in (None, "torch"):
        return request.distributions
    return ("uniform", "normal")


def framework_record(layer: Layer, framework: str) -> dict:
    """`layer_record` with the weight shape, layout and fans `framework` uses."""
    fan_in, fan_out = framework_fans(layer, framework)
    shape = framework_shape(layer, framework)
    layout = framework
    return {
        **layer_record(layer),
        "shape": list(shape),
        "layout": layout,
        "fan_in": fan_in,
        "fan_out": fan_out,
    }


def framework_report(layers: list[Layer], request: Request) -> Report:
    """``--framework torch|keras|jax|flax``: every result in that framework's conventions and names."""
    framework = request.framework
    rows, records, results = [], [], []
    for layer in layers:
        schemes = _schemes(layer, request, len(layers))
        check_mode(request, schemes)
        record = {**framework_record(layer, framework), "results": []}
        for scheme in schemes:
            for distribution in _distributions(framework, request):
                stats = framework_stats(framework, layer, scheme, distribution, request)
                check_framework_mode(framework, stats)
                name = express(stats, framework, layer).name
                qualified = express(stats, framework, layer, code=True).qualified
                extra = {
                    "requested_distribution": distribution,
                    "distribution_label": distribution_label(framework, distribution, short=len(layers) > 1),
                    "initializer": qualified,
                }
                explained = {"explain": explain(stats)} if request.explain else {}
                record["results"].append({**result_record(stats), **extra, **explained})
                rows.append(_framework_row(layer, framework, stats, {**extra, "initializer": name}))
                results.append(stats)
        records.append(record)
    notes = _framework_notes(framework, layers, results)
    if request.explain:
        notes += [explain_note(stats) for stats in results]
    return Report(
        kind="framework",
        title=_framework_title(layers, framework),
        columns=_framework_columns(framework, len(layers) == 1),
        rows=rows,
        document={"framework": framework, "layers": records},
        notes=notes,
        value=results[0].value if len(results) == 1 else None,
        csv_columns=FRAMEWORK_CSV_COLUMNS,
    )


def _framework_row(layer: Layer, framework: str, stats: InitStats, extra: dict) -> dict:
    return {
        "framework": framework,
        "layer": layer.name,
        "shape": _shape_text(framework_shape(layer, framework)),
        **result_record(stats),
        "fan_in": stats.fan_in,
        "fan_out": stats.fan_out,
        "param": stats.value,
        **extra,
    }


def _framework_title(layers: list[Layer], framework: str) -> str:
    conventions = f"{TITLE[framework]} conventions"
    if len(layers) > 1:
        return f"{len(layers)} layers · {framework} layout {LAYOUT_TEXT[framework]} · {conventions}"
    return f"{layer_title(framework_layer(layers[0], framework))} · {conventions}"


def _framework_columns(framework: str, single: bool) -> list:
    layer_columns = columns(
        ("layer", "layer", "str"), ("fan_in", "fan_in", "int"), ("fan_out", "fan_out", "int")
    )
    knob = ("gain", "gain", "g") if framework == "torch" else ("scale", "scale", "g")
    return [
        *([] if single else layer_columns),
        *columns(
            ("scheme", "scheme", "str"),
            ("distribution_label", "distribution", "str"),
            ("initializer", "initializer", "str"),
            ("mode", "mode", "str"),
            knob,
            ("std", "std", "g"),
            ("param", "bound | σ", "g"),
        ),
    ]


FRAMEWORK_CSV_COLUMNS = columns(
    ("framework", "framework", "str"),
    ("layer", "layer", "str"),
    ("shape", "shape", "str"),
    ("fan_in", "fan_in", "int"),
    ("fan_out", "fan_out", "int"),
    ("scheme", "scheme", "str"),
    ("requested_distribution", "requested_distribution", "str"),
    ("distribution", "distribution", "str"),
    ("initializer", "initializer", "str"),
    ("mode", "mode", "str"),
    ("n", "n"),
    ("gain", "gain"),
    ("scale", "scale"),
    ("variance", "variance"),
    ("std", "std"),
    ("sampler_std", "sampler_std"),
    ("bound", "bound"),
    ("support", "support"),
)

UNTRUNCATED = {
    "keras": 'VarianceScaling(distribution="untruncated_normal")',
    "jax": 'variance_scaling(..., "normal")',
    "flax": 'variance_scaling(..., "normal")',
}


def _framework_notes(framework: str, layers: list[Layer], results: list[InitStats]) -> list[str]:
    distributions = {stats.distribution for stats in results}
    notes = [f"initializer: {MODULE[framework]}.… · bound | σ: the uniform bound, the normal's σ"]
    if framework == "torch":
        if "normal" in distributions:
            notes.append("normal = N(0, std²), untruncated (xavier_normal_, kaiming_normal_)")
        if "truncated" in distributions:
            notes.append(
                "truncated: trunc_normal_ takes absolute bounds a, b and keeps σ: σ = std/0.87962566, a = −2σ"
            )
        if any(stats.scheme == "lecun" for stats in results):
            notes.append("torch has no lecun_*: kaiming_* with nonlinearity='linear' is LeCun")
    else:
        if "truncated" in distributions:
            notes.append(
                f"normal → truncated ({CONVENTION[framework]}): {TITLE[framework]} *_normal = N(0, σ²) "
                "cut at ±2σ, σ = std/0.87962566, realized std √Var"
            )
            notes.append(f"{TITLE[framework]}'s untruncated normal is {UNTRUNCATED[framework]}")
        notes.append(f"{TITLE[framework]} initializers have no gain: a gain g is scale = g²")
    if framework == "keras" and any(len(layer.shape) < 2 or 0 in layer.shape for layer in layers):
        notes.append("keras compute_fans: rank 0 → (1, 1), rank 1 → (n, n); then n = max(1, fan)")
    prefix, shown = len(layers) > 1, [framework_layer(layer, framework) for layer in layers]
    notes += [f"{layer.name}: {note}" if prefix else note for layer in shown for note in layer.notes]
    return notes


def _transpose_note(layer: Layer) -> str:
    fans = ", ".join(f"{TITLE[f]} {framework_fans(layer, f)[0]}" for f in DEFAULT_FRAMEWORKS)
    return f"{layer.name}: transposed conv — fan_in is {fans} (each from its own weight layout)"


# ── --framework all ──────────────────────────────────────────────────────────────────────────────

SUPPORT_TEXT = "unbounded"
PRESENTATION = ("layer", "support_text", "initializer_name")  # table-only keys of a comparison row


def compare_report(layers: list[Layer], request: Request) -> Report:
    """``--framework all``: one row per framework for the same layer, scheme and distribution."""
    if request.explain:
        raise UsageError("--explain", None, "applies to one framework: --framework torch, keras, jax or flax")
    rows, records, notes = [], [], []
    for layer in layers:
        schemes = request.schemes if request.scheme_given else (recommended_scheme(layer.activation)[0],)
        check_mode(request, schemes)
        record = {**layer_record(layer), "comparisons": []}
        for scheme in schemes:
            for distribution in _distributions("keras", request):
                compared = _compare_one(layer, scheme, distribution, request)
                rows += compared
                shown = [{k: v for k, v in row.items() if k not in PRESENTATION} for row in compared]
                record["comparisons"].append(
                    {"scheme": scheme, "distribution": distribution, "frameworks": shown}
                )
                notes += [row["problem"] for row in compared if row["problem"]]
        records.append(record)
    notes += [_transpose_note(layer) for layer in layers if layer.kind == "conv_transpose"]
    notes.append("bound | σ: the uniform bound a of U(−a, a); the normal's σ (before the cut at ±2σ)")
    notes.append("Δ: relative difference to torch")
    single, schemes = len(layers) == 1, {row["scheme"] for row in rows}
    what = f"{layers[0].name} · {_layer_what(layers[0])}" if single else f"{len(layers)} layers"
    title = f"{what} · {next(iter(schemes)) + ' · ' if len(schemes) == 1 else ''}every framework"
    lead = ([] if single else [("layer", "layer", "str")]) + ([] if len(schemes) == 1 else [SCHEME_COLUMN])
    return Report(
        kind="frameworks",
        title=title,
        columns=[*columns(*lead), *COMPARE_COLUMNS],
        rows=rows,
        document={"framework": "all", "layers": records},
        notes=list(dict.fromkeys(notes)),
        csv_columns=COMPARE_CSV_COLUMNS,
        value_hint="--value needs one framework: use --framework torch, keras, jax or flax",
    )


def _compare_one(layer: Layer, scheme: str, distribution: str, request: Request) -> list[dict]:
    rows = []
    for framework in FRAMEWORKS:
        stats = framework_stats(framework, layer, scheme, distribution, request)
        problem = framework_mode_problem(framework, stats)
        rows.append(_compare_row(layer, framework, stats, distribution, problem))
    torch = rows[0]
    for row in rows:
        row["param_vs_torch"] = _relative(row["param"], torch["param"])
        row["std_vs_torch"] = _relative(row["std"], torch["std"])
    return rows


def _compare_row(
    layer: Layer, framework: str, stats: InitStats, distribution: str, problem: str | None
) -> dict:
    row = {
        "layer": layer.name,
        "framework": framework,
        "scheme": stats.scheme,
        "requested_distribution": distribution,
        "distribution": stats.distribution,
        "mode": stats.mode,
        "fan_in": stats.fan_in,
        "fan_out": stats.fan_out,
        "n": stats.n,
        "problem": None if problem is None else f"{framework}: {problem}",
    }
    if problem is not None:
        none = dict.fromkeys(("initializer", "param", "std", "support"))
        return {**row, **none, "initializer_name": "—", "support_text": "—"}
    support = stats.support
    return {
        **row,
        "initializer": express(stats, framework, layer, code=True).qualified,
        "initializer_name": express(stats, framework, layer).name,
        "param": stats.value,
        "std": stats.std,
        "support": support,
        "support_text": SUPPORT_TEXT if support is None else f"±{support:.6g}",
    }


def _relative(value: float | None, reference: float | None) -> float | None:
    if value is None or reference is None:
        return None
    return value / reference - 1


SCHEME_COLUMN = ("scheme", "scheme", "str")
COMPARE_COLUMNS = columns(
    ("framework", "framework", "str"),
    ("initializer_name", "initializer", "str"),
    ("distribution", "draws", "str"),
    ("param", "bound | σ"),
    ("std", "std"),
    ("support_text", "max |w|", "str"),
    ("param_vs_torch", "Δ param", "pct"),
    ("std_vs_torch", "Δ std", "pct"),
)
COMPARE_CSV_COLUMNS = columns(
    ("layer", "layer", "str"),
    ("framework", "framework", "str"),
    ("scheme", "scheme", "str"),
    ("requested_distribution", "requested_distribution", "str"),
    ("distribution", "distribution", "str"),
    ("initializer", "initializer", "str"),
    ("mode", "mode", "str"),
    ("fan_in", "fan_in", "int"),
    ("fan_out", "fan_out", "int"),
    ("n", "n"),
    ("param", "param"),
    ("std", "std"),
    ("support", "support"),
    ("param_vs_torch", "param_vs_torch"),
    ("std_vs_torch", "std_vs_torch"),
)


# ── --defaults ───────────────────────────────────────────────────────────────────────────────────


def defaults_report(layers: list[Layer], request: Request) -> Report:
    """``--defaults``: the std each framework's default layer init gives, ÷ He and ÷ Glorot."""
    _check_defaults_options(request)
    frameworks = DEFAULT_FRAMEWORKS
    if request.framework is not None:
        frameworks = (choose("--framework (with --defaults)", request.framework, DEFAULT_FRAMEWORKS),)
    rows, records = [], []
    for layer in layers:
        he = scheme_stats("he", layer.fan_in, layer.fan_out, "normal")
        glorot = scheme_stats("glorot", layer.fan_in, layer.fan_out, "normal")
        defaults = []
        for framework in frameworks:
            stats = default_stats(framework, layer)
            row = {
                "layer": layer.name,
                "framework": framework,
                "layer_init": default_init(framework, layer),
                **result_record(stats),
                "fan_in": stats.fan_in,
                "fan_out": stats.fan_out,
                "param": stats.value,
                "he_std": he.std,
                "glorot_std": glorot.std,
                "ratio_he": stats.std / he.std,
                "ratio_glorot": stats.std / glorot.std,
                "bias": default_bias(framework, layer),
            }
            rows.append(row)
            defaults.append(row)
        records.append(
            {**layer_record(layer), "he_std": he.std, "glorot_std": glorot.std, "defaults": defaults}
        )
    single = len(layers) == 1
    return Report(
        kind="defaults",
        title=_defaults_title(layers),
        columns=DEFAULTS_COLUMNS if single else _many_layer_defaults_columns(),
        rows=rows,
        document={"layers": records},
        notes=_defaults_notes(frameworks, layers, request),
        value=rows[0]["param"] if len(rows) == 1 else None,
        csv_columns=DEFAULTS_CSV_COLUMNS,
        value_hint="--value needs one layer and one framework: add --framework torch, keras or flax",
    )


def _check_defaults_options(request: Request) -> None:
    given = {
        "--scheme": request.scheme_given,
        "--dist": request.dist_given,
        "--gain": request.gain is not None,
        "--mode": request.mode is not None,
    }
    for option, on in given.items():
        if on:
            raise UsageError(option, None, "does not apply to --defaults: each framework's default is fixed")


def _defaults_title(layers: list[Layer]) -> str:
    if len(layers) > 1:
        return f"{len(layers)} layers · default initialization of each framework"
    layer = layers[0]
    he = scheme_stats("he", layer.fan_in, layer.fan_out, "normal")
    glorot = scheme_stats("glorot", layer.fan_in, layer.fan_out, "normal")
    return (
        f"{_layer_what(layer)} · fan_in {layer.fan_in} · fan_out {layer.fan_out} · "
        f"He std {he.std:.6g} · Glorot std {glorot.std:.6g}"
    )


def _defaults_notes(frameworks: tuple[str, ...], layers: list[Layer], request: Request) -> list[str]:
    text = {
        "torch": f"{LAYER_NAMES['torch']}: kaiming_uniform_(a=√5) = U(±1/√fan_in), Var = 1/(3·fan_in)",
        "keras": f"{LAYER_NAMES['keras']}: glorot_uniform, Var = 2/(fan_in + fan_out); zero bias",
        "flax": f"{LAYER_NAMES['flax']}: lecun_normal, truncated at ±2σ, realized Var = 1/fan_in; zero bias",
    }
    notes = [text[f] for f in frameworks]
    if "torch" in frameworks:
        notes.append("torch bias: U(±1/√fan_in) with the weight's fan_in")
    notes.append("÷ He: std / √(2/fan_in); ÷ Glorot: std / √(2/(fan_in + fan_out)), this layer's fans")
    notes += [_transpose_note(layer) for layer in layers if layer.kind == "conv_transpose"]
    if request.explain:
        notes += [explain_note(default_stats(f, layer)) for layer in layers for f in frameworks]
    return notes


DEFAULTS_COLUMNS = columns(
    ("framework", "framework", "str"),
    ("layer_init", "weight init", "str"),
    ("distribution", "draws", "str"),
    ("fan_in", "fan_in", "int"),
    ("param", "bound | σ"),
    ("std", "std"),
    ("ratio_he", "÷ He", "ratio"),
    ("ratio_glorot", "÷ Glorot", "ratio"),
    ("bias", "bias", "str"),
)


def _many_layer_defaults_columns() -> list:
    """One row per layer × framework: a layer column, and no draws column to stay narrow."""
    kept = [column for column in DEFAULTS_COLUMNS if column.key != "distribution"]
    return [*columns(("layer", "layer", "str")), *kept]


DEFAULTS_CSV_COLUMNS = columns(
    ("layer", "layer", "str"),
    ("framework", "framework", "str"),
    ("layer_init", "layer_init", "str"),
    ("distribution", "distribution", "str"),
    ("fan_in", "fan_in", "int"),
    ("fan_out", "fan_out", "int"),
    ("param", "param"),
    ("std", "std"),
    ("he_std", "he_std"),
    ("glorot_std", "glorot_std"),
    ("ratio_he", "ratio_he"),
    ("ratio_glorot", "ratio_glorot"),
    ("bias", "bias", "str"),
)


# ── --emit torch|keras|jax|flax ──────────────────────────────────────────────────────────────────

IMPORTS = {
    "torch": ("import torch", "from torch import nn"),
    "keras": ("import keras",),
    "jax": ("import jax", "import jax.numpy as jnp"),
    "flax": ("import jax", "import jax.numpy as jnp", "from flax import linen as nn"),
}
CODE_WIDTH = 88


def emit_report(layers: list[Layer], request: Request) -> Report:
    """``--emit X``: code that reproduces the chosen initialization in X, exactly (same realized
    distribution), for every layer; the source conventions are --framework's (default: neutral)."""
    target, source = request.emit, request.framework
    if request.value:
        raise UsageError("--value", None, "does not apply to --emit, which prints code")
    _check_emit_selection(layers, request)
    blocks, records, rows = [], [], []
    for index, (layer, variable) in enumerate(zip(layers, _identifiers(layers), strict=True)):
        scheme = request.schemes[0] if request.scheme_given else recommended_scheme(layer.activation)[0]
        check_mode(request, (scheme,))
        stats = _source_stats(source, layer, scheme, request.distributions[0], request)
        expression = express(stats, target, layer, code=True)
        blocks.append(_code_block(target, layer, variable, index, stats, expression))
        item = {
            "variable": variable,
            "initializer": expression.qualified if expression.named else _statements(expression, variable),
            "named": expression.named,
        }
        records.append({**framework_record(layer, target), "result": result_record(stats), **item})
        rows.append({"layer": layer.name, **result_record(stats), **item})
    code = "\n".join(IMPORTS[target]) + "\n\n" + "\n\n".join(blocks) + "\n"
    return Report(
        kind="emit",
        title=f"{TITLE[target]} code",
        columns=[],
        rows=rows,
        document={"emit": target, "source": source or "neutral", "code": code, "layers": records},
        visuals=[lambda: CodeBlock(code, request.no_color)],
        csv_columns=EMIT_CSV_COLUMNS,
        value_hint="--value does not apply to --emit",
    )


EMIT_CSV_COLUMNS = columns(
    ("layer", "layer", "str"),
    ("variable", "variable", "str"),
    ("scheme", "scheme", "str"),
    ("distribution", "distribution", "str"),
    ("std", "std"),
    ("sampler_std", "sampler_std"),
    ("bound", "bound"),
    ("named", "named", "str"),
    ("initializer", "initializer", "str"),
)


def _statements(expression: Expression, variable: str) -> str:
    return "\n".join(line.format(w=variable, init=f"{variable}_init") for line in expression.code)


def _check_emit_selection(layers: list[Layer], request: Request) -> None:
    if request.scheme_given and len(request.schemes) != 1:
        raise UsageError(
            "--scheme", ",".join(request.schemes), "--emit needs exactly one scheme: glorot, he or lecun"
        )
    if not request.scheme_given and len(layers) == 1:
        raise UsageError("--emit needs one scheme", None, "give --scheme glorot, he or lecun")
    if not request.dist_given or len(request.distributions) != 1:
        raise UsageError("--emit needs one distribution", None, "give --dist uniform, normal or truncated")


def _source_stats(
    source: str | None, layer: Layer, scheme: str, distribution: str, request: Request
) -> InitStats:
    if source is None:
        return stats_for(layer, scheme, distribution, request)
    stats = framework_stats(source, layer, scheme, distribution, request)
    check_framework_mode(source, stats)
    return stats


def _identifiers(layers: list[Layer]) -> list[str]:
    """Python names for the layers' weights: ``features.0`` → ``features_0``; unique."""
    names: list[str] = []
    for index, layer in enumerate(layers):
        name = re.sub(r"\W", "_", layer.name) or f"w{index}"
        name = f"w_{name}" if name[0].isdigit() else name
        while name in names:
            name += "_"
        names.append(name)
    return names


def _draws(stats: InitStats) -> str:
    if stats.distribution == "uniform":
        return f"U(−{stats.bound:.6g}, {stats.bound:.6g}), std {stats.std:.6g}"
    if stats.distribution == "normal":
        return f"N(0, {stats.std:.6g}²), untruncated"
    return f"N(0, {stats.sampler_std:.6g}²) cut at ±{stats.support:.6g}, std {stats.std:.6g}"


def _code_block(
    target: str, layer: Layer, variable: str, index: int, stats: InitStats, expression: Expression
) -> str:
    shape = framework_shape(layer, target)
    lines = [f"# {variable}: {_layer_what(layer)} · {stats.scheme} {_draws(stats)}"]
    if not expression.named:
        lines.append(f"# {_why_numbers(target, layer, stats)}")
    init = f"{variable}_init"
    body = _statements(expression, variable).splitlines()
    if target == "torch":
        lines.append(f"{variable} = torch.empty({', '.join(map(str, shape)) or '()'})")
        lines += body
    elif target == "keras":
        lines += body
        lines.append(f"{variable} = {init}(shape={tuple(shape)!r})")
    else:
        lines += body
        lines.append(f"{variable} = {init}(jax.random.key({index}), {tuple(shape)!r}, jnp.float32)")
    hint = _layer_hint(target, layer, init)
    if hint:
        lines.append(f"# {hint}")
    return "\n".join(_wrap(line) for line in lines)


def _why_numbers(target: str, layer: Layer, stats: InitStats) -> str:
    if target == "torch" and stats.distribution == "truncated":
        return "torch has no truncated variance scaling: trunc_normal_ with σ = std/0.8796 written out"
    n = _framework_n(target, stats, layer)
    shape = framework_shape(layer, target)
    if n is None and (len(shape) < 2 or 0 in shape):
        return f"{TITLE[target]} computes no fans for a weight of shape {shape}: numbers written out"
    if n is None:
        return f"{TITLE[target]} has no initializer with mode {stats.mode}: numbers written out"
    if n != stats.n:
        return f"{TITLE[target]}'s fans for this weight give n = {n:g}, not {stats.n:g}: numbers written out"
    return f"kaiming_* takes a nonlinearity, not a gain ({stats.gain:.6g}): numbers written out"


def _layer_hint(target: str, layer: Layer, init: str) -> str | None:
    """Where the weight lives in that framework's layer API (dense and conv layers)."""
    structured = layer.kind in ("dense", "conv", "conv_transpose") and layer.in_channels
    if not structured or len(layer.kernel) > 3 or (layer.kind != "dense" and not layer.kernel):
        return None
    fan_in, out, kernel = layer.in_channels, layer.out_channels, tuple(layer.kernel)
    if layer.kind == "dense":
        api = {
            "torch": f"nn.Linear({fan_in}, {out}).weight",
            "keras": f"keras.layers.Dense({out}, kernel_initializer={init})",
            "flax": f"nn.Dense({out}, kernel_init={init})",
        }
        return api.get(target)
    rank, transposed = len(kernel), layer.kind == "conv_transpose"
    groups = f", groups={layer.groups}" if layer.groups > 1 else ""
    torch_name = f"ConvTranspose{rank}d" if transposed else f"Conv{rank}d"
    keras_name = f"Conv{rank}DTranspose" if transposed else f"Conv{rank}D"
    flax_name = "ConvTranspose" if transposed else "Conv"
    api = {
        "torch": f"nn.{torch_name}({fan_in}, {out}, kernel_size={kernel!r}{groups}).weight",
        "keras": f"keras.layers.{keras_name}({out}, {kernel!r}{groups}, kernel_initializer={init})",
        "flax": f"nn.{flax_name}({out}, {kernel!r}, kernel_init={init})",
    }
    return api.get(target)


def _wrap(line: str) -> str:
    """Break a long call after its opening parenthesis (black style)."""
    if len(line) <= CODE_WIDTH or line.lstrip().startswith("#") or not line.endswith(")") or "(" not in line:
        return line
    head, _, args = line.partition("(")
    return f"{head}(\n    {args[:-1]}\n)"


class CodeBlock:
    """Code for the terminal: syntax-highlighted there, plain text when piped or without colour."""

    def __init__(self, code: str, no_color: bool = False) -> None:
        self.code = code.rstrip("\n")
        self.no_color = no_color

    def __rich_console__(self, console, options):
        if console.is_terminal and not (self.no_color or console.no_color):
            from rich.syntax import Syntax

            yield Syntax(self.code, "python", theme="ansi_dark", background_color="default", word_wrap=True)
        else:
            from rich.text import Text

            yield Text(self.code, no_wrap=True, overflow="ignore")
