"""The plain lookup: layers → InitStats → a report (no sampling, no numpy)."""

from __future__ import annotations

from glorotcalc.commands import Request
from glorotcalc.errors import UsageError
from glorotcalc.gain import (
    TORCH_NONLINEARITIES,
    Activation,
    Gain,
    calculate_gain,
    computed_gain,
    resolve_gain,
)
from glorotcalc.layers import Layer
from glorotcalc.render import columns
from glorotcalc.report import Report
from glorotcalc.schemes import TRUNCATED_STD, InitStats, recommended_scheme, scheme_stats

DIST_NOTES = {
    "uniform": "uniform = U(−bound, bound), bound = √(3·Var)",
    "normal": "normal = N(0, std²), untruncated (torch's convention)",
    "truncated": (
        "truncated = Keras/JAX *_normal: N(0, σ²) cut at ±2σ, σ = std/0.87962566, realized std = √Var"
    ),
}


def layer_gain(layer: Layer, scheme: str, request: Request) -> Gain | None:
    """The gain a scheme uses for `layer`: --gain, else the layer's activation, else the scheme's."""
    if request.gain is not None:
        return Gain(request.gain, "--gain")
    activation = layer.activation
    if activation.name == "selu" and scheme == "lecun":
        return Gain(1.0, "selu → lecun (Klambauer et al. 2017)")
    if request.activation_given or activation != Activation():
        return resolve_gain(activation)
    return None


def layer_mode(scheme: str, request: Request) -> str | None:
    """--mode applies to he and lecun; glorot is fan_avg by definition."""
    if request.mode is None or scheme != "glorot":
        return request.mode
    return None


def check_mode(request: Request, schemes: tuple[str, ...]) -> None:
    if request.mode not in (None, "fan_avg") and schemes == ("glorot",):
        raise UsageError(
            "--mode", request.mode, "glorot is fan_avg by definition; --mode applies to --scheme he or lecun"
        )


def stats_for(layer: Layer, scheme: str, distribution: str, request: Request) -> InitStats:
    return scheme_stats(
        scheme,
        layer.fan_in,
        layer.fan_out,
        distribution,
        gain=layer_gain(layer, scheme, request),
        mode=layer_mode(scheme, request),
    )


def layer_title(layer: Layer) -> str:
    shape = "×".join(map(str, layer.shape))
    what = f"{layer.kind} {layer.fan_in} → {layer.fan_out}" if layer.kind == "dense" else layer.kind
    return (
        f"{what} · weight {shape} ({layer.layout} layout) · fan_in {layer.fan_in} · fan_out {layer.fan_out}"
    )


def result_record(stats: InitStats) -> dict:
    return {
        "scheme": stats.scheme,
        "distribution": stats.distribution,
        "mode": stats.mode,
        "n": stats.n,
        "gain": stats.gain,
        "gain_source": stats.gain_source,
        "scale": stats.scale,
        "variance": stats.variance,
        "std": stats.std,
        "bound": stats.bound,
        "sampler_std": stats.sampler_std,
        "support": stats.support,
    }


def layer_record(layer: Layer) -> dict:
    return {
        "name": layer.name,
        "kind": layer.kind,
        "shape": list(layer.shape),
        "layout": layer.layout,
        "fan_in": layer.fan_in,
        "fan_out": layer.fan_out,
        "activation": str(layer.activation),
        "params": layer.params,
        "notes": list(layer.notes),
    }


def explain(stats: InitStats) -> str:
    """The formula of `stats` with its numbers substituted."""
    n_text = {
        "fan_in": f"fan_in = {stats.fan_in}",
        "fan_out": f"fan_out = {stats.fan_out}",
        "fan_avg": f"(fan_in + fan_out)/2 = ({stats.fan_in} + {stats.fan_out})/2 = {stats.n:g}",
        "fan_geo_avg": f"√(fan_in·fan_out) = √({stats.fan_in}·{stats.fan_out}) = {stats.n:.6g}",
    }[stats.mode]
    head = (
        f"{stats.scheme} {stats.distribution}: n = {n_text}; Var = gain²/n = {stats.gain:.6g}²/{stats.n:.6g} "
        f"= {stats.variance:.6g}; std = √Var = {stats.std:.6g}"
    )
    if stats.distribution == "uniform":
        return head + f"; bound = √(3·Var) = {stats.bound:.6g} → U(−{stats.bound:.6g}, {stats.bound:.6g})"
    if stats.distribution == "truncated":
        return head + (
            f"; σ = std/{TRUNCATED_STD:.8f} = {stats.sampler_std:.6g}, cut at ±2σ = ±{stats.support:.6g}"
        )
    return head + f" → N(0, {stats.std:.6g}²)"


SCHEME_COLUMNS = columns(
    ("scheme", "scheme", "str"),
    ("distribution", "distribution", "str"),
    ("mode", "mode", "str"),
    ("gain", "gain", "g"),
    ("variance", "variance", "g"),
    ("std", "std", "g"),
    ("sampler_std", "sampler σ", "g"),
    ("bound", "bound", "g"),
)


SCHEME_CSV_COLUMNS = [
    *columns(
        ("layer", "layer", "str"),
        ("fan_in", "fan_in", "int"),
        ("fan_out", "fan_out", "int"),
        ("layout", "layout", "str"),
    ),
    *SCHEME_COLUMNS,
    *columns(("n", "n"), ("gain_source", "gain_source", "str"), ("scale", "scale"), ("support", "support")),
]


def scheme_report(layer: Layer, request: Request) -> Report:
    """One layer: a row per selected scheme × distribution."""
    check_mode(request, request.schemes)
    results = [stats_for(layer, s, d, request) for s in request.schemes for d in request.distributions]
    rows = [{"layer": layer.name, **result_record(r)} for r in results]
    record = {**layer_record(layer), "results": [result_record(r) for r in results]}
    notes = [DIST_NOTES[d] for d in request.distributions]
    notes += gain_notes(results)
    notes += list(layer.notes)
    if request.explain:
        for stats, result in zip(results, record["results"], strict=True):
            result["explain"] = explain(stats)
        notes += [explain(r) for r in results]
    for row in rows:
        row.update(fan_in=layer.fan_in, fan_out=layer.fan_out, layout=layer.layout)
    return Report(
        kind="schemes",
        title=layer_title(layer),
        columns=SCHEME_COLUMNS,
        rows=rows,
        document={"layers": [record]},
        notes=notes,
        value=results[0].value if len(results) == 1 else None,
        csv_columns=SCHEME_CSV_COLUMNS,
    )


def gain_notes(results: list[InitStats]) -> list[str]:
    sources = sorted({f"{r.scheme}: gain {r.gain:.6g} from {r.gain_source}" for r in results})
    return ["gain — " + "; ".join(sources)]


def lookup_report(layers: list[Layer], request: Request) -> Report:
    if len(layers) == 1:
        return scheme_report(layers[0], request)
    return layers_report(layers, request)


def layer_schemes(layer: Layer, request: Request) -> list[tuple[str, str | None]]:
    if request.scheme_given:
        return [(s, None) for s in request.schemes]
    return [recommended_scheme(layer.activation)]


def layers_report(layers: list[Layer], request: Request) -> Report:
    """Many layers: a row per layer (× selected scheme), recommended scheme by default."""
    rows, records = [], []
    for layer in layers:
        results = []
        for scheme, _ in layer_schemes(layer, request):
            check_mode(request, (scheme,)) if request.scheme_given else None
            stats = {d: stats_for(layer, scheme, d, request) for d in ALL_DISTRIBUTIONS_ORDER}
            results.append(stats)
            rows.append(_layer_row(layer, stats))
        records.append(
            {
                **layer_record(layer),
                "results": [result_record(s[d]) for s in results for d in request.distributions],
            }
        )
    show = request.distributions
    cols = columns(
        ("layer", "layer", "str"),
        ("kind", "kind", "str"),
        ("shape", "shape", "str"),
        ("fan_in", "fan_in", "int"),
        ("fan_out", "fan_out", "int"),
        ("activation", "activation", "str"),
        ("scheme", "scheme", "str"),
        ("gain", "gain", "g"),
        ("std", "std", "g"),
    )
    if "uniform" in show:
        cols += columns(("bound", "uniform bound", "g"))
    if "truncated" in show:
        cols += columns(("sampler_std", "truncated σ", "g"))
    cols += columns(("params", "params", "int"))
    total = sum(layer.params for layer in layers)
    notes = _layers_notes(layers, request)
    report = Report(
        kind="layers",
        title=f"{len(layers)} layers · {layers[0].layout} layout · {total:,} parameters",
        columns=cols,
        rows=rows,
        document={"layers": records, "total_params": total},
        notes=notes,
        footer={"layer": "total", "params": total},
        value_hint="--value needs a single layer and a single scheme and distribution",
    )
    return report


ALL_DISTRIBUTIONS_ORDER = ("uniform", "normal", "truncated")


def _layer_row(layer: Layer, stats: dict[str, InitStats]) -> dict:
    any_stats = stats["normal"]
    return {
        "layer": layer.name,
        "kind": layer.kind,
        "shape": "×".join(map(str, layer.shape)),
        "fan_in": layer.fan_in,
        "fan_out": layer.fan_out,
        "activation": str(layer.activation),
        "scheme": any_stats.scheme,
        "mode": any_stats.mode,
        "gain": any_stats.gain,
        "gain_source": any_stats.gain_source,
        "variance": any_stats.variance,
        "std": any_stats.std,
        "bound": stats["uniform"].bound,
        "sampler_std": stats["truncated"].sampler_std,
        "params": layer.params,
    }


def _layers_notes(layers: list[Layer], request: Request) -> list[str]:
    notes = []
    if not request.scheme_given:
        notes.append(
            "scheme: recommended for the activation "
            "(relu-like → he, tanh/sigmoid/linear → glorot, selu → lecun)"
        )
    for layer in layers:
        notes += [f"{layer.name}: {note}" for note in layer.notes]
    return notes


def gain_report(request: Request) -> Report:
    """No layer given, only ``--nonlinearity``: torch's gain beside the computed one."""
    activation = request.activation
    torch_gain = (
        calculate_gain(activation.name, activation.param) if activation.name in TORCH_NONLINEARITIES else None
    )
    computed = computed_gain(activation)
    used = request.gain if request.gain is not None else (torch_gain if torch_gain is not None else computed)
    row = {
        "nonlinearity": str(activation),
        "torch_gain": torch_gain,
        "computed_gain": computed,
        "gain": used,
        "second_moment": 1 / computed**2,
    }
    return Report(
        kind="gain",
        title=f"gain for {activation}",
        columns=columns(
            ("nonlinearity", "nonlinearity", "str"),
            ("torch_gain", "torch gain", "g"),
            ("computed_gain", "computed 1/√E[φ(z)²]", "g"),
            ("second_moment", "E[φ(z)²]", "g"),
            ("gain", "gain used", "g"),
        ),
        rows=[row],
        document={"gain": row},
        notes=[
            "computed gain keeps E[x²] of a unit Gaussian pre-activation (He et al. 2015); "
            "torch's tanh 5/3 and selu 3/4 are hand-tuned"
        ],
        value=used,
    )
