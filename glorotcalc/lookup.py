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
    """--mode applies to he and lecun; glorot is fan_avg by definition (its row shows it)."""
    return None if scheme == "glorot" else request.mode


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
    fans = f"weight {shape} ({layer.layout} layout) · fan_in {layer.fan_in} · fan_out {layer.fan_out}"
    if layer.kind == "dense":
        return f"dense {layer.fan_in} → {layer.fan_out} · {fans}"
    return fans if layer.kind == "weight" else f"{layer.kind} · {fans}"


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


def explain_steps(stats: InitStats) -> list[str]:
    """The formula of `stats` with its numbers substituted, one step per item."""
    n_text = {
        "fan_in": f"fan_in = {stats.fan_in}",
        "fan_out": f"fan_out = {stats.fan_out}",
        "fan_avg": f"(fan_in + fan_out)/2 = ({stats.fan_in} + {stats.fan_out})/2 = {stats.n:g}",
        "fan_geo_avg": f"√(fan_in·fan_out) = √({stats.fan_in}·{stats.fan_out}) = {stats.n:.6g}",
    }[stats.mode]
    steps = [
        f"n = {n_text}",
        f"Var = gain²/n = {stats.gain:.6g}²/{stats.n:.6g} = {stats.variance:.6g}",
        f"std = √Var = {stats.std:.6g}",
    ]
    if stats.distribution == "uniform":
        steps.append(f"bound = √(3·Var) = {stats.bound:.6g} → U(−{stats.bound:.6g}, {stats.bound:.6g})")
    elif stats.distribution == "truncated":
        steps.append(
            f"σ = std/{TRUNCATED_STD:.8f} = {stats.sampler_std:.6g}, cut at ±2σ = ±{stats.support:.6g}"
        )
    else:
        steps[-1] += f" → N(0, {stats.std:.6g}²)"
    return steps


def explain(stats: InitStats) -> str:
    """The formula of `stats` with its numbers substituted, on one line (JSON, CSV).

    ``glorot normal: n = … = 520; Var = gain²/n = 1²/520 = 0.00192308; std = √Var = 0.0438529 → …``
    """
    return f"{stats.scheme} {stats.distribution}: " + "; ".join(explain_steps(stats))


def explain_note(stats: InitStats) -> str:
    """The same, one step per line (the table's notes)."""
    return f"{stats.scheme} {stats.distribution}:\n" + "\n".join("  " + step for step in explain_steps(stats))


SCHEME_COLUMNS = columns(
    ("scheme", "scheme", "str"),
    ("distribution", "dist", "str"),
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
    if request.explain and request.value:
        raise UsageError("options cannot be combined:", "--explain --value", "--value prints one bare number")
    results = [stats_for(layer, s, d, request) for s in request.schemes for d in request.distributions]
    rows = [{"layer": layer.name, **result_record(r)} for r in results]
    record = {**layer_record(layer), "results": [result_record(r) for r in results]}
    notes = [DIST_NOTES[d] for d in request.distributions]
    notes += gain_notes(results)
    notes += list(layer.notes)
    csv_columns = SCHEME_CSV_COLUMNS
    if request.explain:
        for stats, result, row in zip(results, record["results"], rows, strict=True):
            result["explain"] = row["explain"] = explain(stats)
        notes += [explain_note(r) for r in results]
        csv_columns = [*csv_columns, *columns(("explain", "explain", "str"))]
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
        csv_columns=csv_columns,
    )


def gain_notes(results: list[InitStats]) -> list[str]:
    sources = sorted({f"{r.scheme}: gain {r.gain:.6g} from {r.gain_source}" for r in results})
    return ["gain — " + "; ".join(sources)]


def lookup_report(layers: list[Layer], request: Request) -> Report:
    if len(layers) == 1:
        return scheme_report(layers[0], request)
    return layers_report(layers, request)


def layer_schemes(layer: Layer, request: Request) -> list[tuple[str, str | None]]:
    """(scheme, distribution) pairs for `layer`: the selected schemes, or the one recommended for its
    activation — with the distribution when the paper fixes one (selu → lecun normal)."""
    if request.scheme_given:
        return [(s, None) for s in request.schemes]
    return [recommended_scheme(layer.activation)]


def layers_report(layers: list[Layer], request: Request) -> Report:
    """Many layers: a row per layer (× selected scheme), the recommended scheme by default.

    The table stays within 120 columns: std = √Var (the normal σ and every distribution's realized
    std), the uniform bound, and the truncated sampler's σ only when ``--dist`` selects it; the
    gains are a note (they follow from scheme and activation). CSV/TSV/JSON carry every value of
    the same rows.
    """
    rows, records, used, every = [], [], set(), []
    for layer in layers:
        results = []
        for scheme, fixed in layer_schemes(layer, request):
            dists = request.distributions if request.dist_given or fixed is None else (fixed,)
            stats = {d: stats_for(layer, scheme, d, request) for d in ALL_DISTRIBUTIONS_ORDER}
            rows.append(_layer_row(layer, stats, dists, request.explain))
            results += [stats[d] for d in dists]
            every.append(stats["normal"])
            used.add(scheme)
        record = {**layer_record(layer), **layer.structure(), "results": []}
        for stats in results:
            result = result_record(stats)
            if request.explain:
                result["explain"] = explain(stats)
            record["results"].append(result)
        records.append(record)
    check_mode(request, tuple(sorted(used)))
    total = sum(layer.params for layer in layers)
    document = {"layers": records, "total_params": total}
    if isinstance(getattr(layers, "unknown", None), list):
        document["unknown_modules"] = [u.as_dict() for u in layers.unknown]
        document["passed_over"] = dict(layers.passed_over)
    return Report(
        kind="layers",
        title=f"{len(layers)} layers · {layers[0].layout} layout · {total:,} parameters",
        columns=_layers_columns(request),
        rows=rows,
        document=document,
        notes=_layers_notes(layers, request, every),
        footer={"layer": "total", "params": total},
        csv_columns=_layers_columns(request, machine=True),
        value_hint="--value needs a single layer and a single scheme and distribution",
    )


ALL_DISTRIBUTIONS_ORDER = ("uniform", "normal", "truncated")


def _layers_columns(request: Request, *, machine: bool = False) -> list:
    """The table's compact columns, or (machine) every column of the rows."""
    if machine:
        specs = [
            ("layer", "layer", "str"),
            ("kind", "kind", "str"),
            ("label", "label", "str"),
            ("shape", "shape", "str"),
            ("layout", "layout", "str"),
            ("fan_in", "fan_in", "int"),
            ("fan_out", "fan_out", "int"),
            ("activation", "activation", "str"),
            ("scheme", "scheme", "str"),
            ("mode", "mode", "str"),
            ("gain", "gain", "g"),
            ("gain_source", "gain_source", "str"),
            ("variance", "variance", "g"),
            ("std", "std", "g"),
            ("bound", "bound", "g"),
            ("truncated_sigma", "truncated_sigma", "g"),
            ("params", "params", "int"),
        ]
        return columns(*specs, *([("explain", "explain", "str")] if request.explain else []))
    show = request.distributions
    specs = [
        ("layer", "layer", "str"),
        ("label", "kind", "str"),
        ("shape_text", "shape", "str"),
        ("fan_in", "fan_in", "int"),
        ("fan_out", "fan_out", "int"),
        ("activation", "act", "str"),
        ("scheme", "scheme", "str"),
        ("std", "std", "g"),
    ]
    if "uniform" in show:
        specs.append(("bound", "bound", "g"))
    if "truncated" in show and request.dist_given:
        specs.append(("truncated_sigma", "trunc σ", "g"))
    return columns(*specs, ("params", "params", "int"))


def _layer_row(layer: Layer, stats: dict[str, InitStats], dists: tuple[str, ...], with_explain: bool) -> dict:
    """One table/CSV row: the layer, its scheme, std = √Var, and the selected distributions' values."""
    any_stats = stats["normal"]
    row = {
        "layer": layer.name,
        "kind": layer.kind,
        "label": layer.label,
        "shape": layer.shape,
        "shape_text": "×".join(map(str, layer.shape)),
        "layout": layer.layout,
        "fan_in": layer.fan_in,
        "fan_out": layer.fan_out,
        "activation": str(layer.activation),
        "scheme": any_stats.scheme,
        "mode": any_stats.mode,
        "gain": any_stats.gain,
        "gain_source": any_stats.gain_source,
        "variance": any_stats.variance,
        "std": any_stats.std,
        "bound": stats["uniform"].bound if "uniform" in dists else None,
        "truncated_sigma": stats["truncated"].sampler_std if "truncated" in dists else None,
        "params": layer.params,
    }
    if with_explain:
        row["explain"] = " | ".join(explain(stats[d]) for d in dists)
    return row


def _layers_notes(layers: list[Layer], request: Request, results: list[InitStats]) -> list[str]:
    """The legend and gains, each layer's notes, the printout's (unknown modules, …), --explain."""
    notes = []
    if not request.scheme_given:
        notes.append(
            "scheme: recommended for the activation — relu-like → he (its gain), "
            "tanh/sigmoid/linear → glorot, selu → lecun normal"
        )
    legend = ["std = √Var (normal σ, realized std)"]
    if "uniform" in request.distributions:
        legend.append("bound = √(3·Var) (uniform)")
    if "truncated" in request.distributions and request.dist_given:
        legend.append("trunc σ = std/0.87962566, cut at ±2σ (Keras/JAX *_normal)")
    elif "truncated" in request.distributions:
        legend.append("truncated σ: --dist truncated or --format json")
    notes.append(" · ".join(legend))
    notes += gain_notes(results)
    by_note: dict[str, list[str]] = {}
    for layer in layers:
        for note in layer.notes:
            by_note.setdefault(note, []).append(layer.name)
    for note, names in by_note.items():  # a note shared by many layers (a repeated block) once
        shown = ", ".join(names) if len(names) <= 3 else f"{names[0]}, {names[1]} and {len(names) - 2} more"
        notes.append(f"{shown}: {note}")
    notes += list(getattr(layers, "notes", []))
    if request.explain:
        for layer in layers:
            for scheme, fixed in layer_schemes(layer, request):
                dists = request.distributions if request.dist_given or fixed is None else (fixed,)
                notes += [f"{layer.name}: {explain(stats_for(layer, scheme, d, request))}" for d in dists]
    return notes


def check_gain_options(request: Request) -> None:
    """The gain lookup has no layer: options that need one are an error, not ignored."""
    given = {
        "--scheme": request.scheme_given,
        "--dist": request.dist_given,
        "--mode": request.mode is not None,
        "--layout": request.layout_given,
        "--explain": request.explain,
        "--sample": request.sample,
        "--propagate": request.propagate,
        "--defaults": request.defaults,
        "--emit": request.emit is not None,
        "--framework": request.framework is not None,
    }
    needless = [name for name, on in given.items() if on]
    if needless:
        raise UsageError(
            " ".join(needless) + (" needs" if len(needless) == 1 else " need") + " a layer",
            None,
            "give FAN_IN FAN_OUT or --shape (without one, --nonlinearity shows only the gain)",
        )


def gain_report(request: Request) -> Report:
    """No layer given, only ``--nonlinearity``: torch's gain beside the computed one."""
    check_gain_options(request)
    activation = request.activation
    torch_gain = (
        calculate_gain(activation.name, activation.param) if activation.name in TORCH_NONLINEARITIES else None
    )
    computed = computed_gain(activation)
    if not computed > 0:  # leaky_relu: √(2/(1 + slope²)) underflows for |slope| ≳ 1e154
        raise UsageError(
            "leaky_relu slope", activation.slope, "its gain √(2/(1+slope²)) underflows; use |slope| ≤ 1e150"
        )
    chosen = resolve_gain(activation, request.gain)  # --gain, else torch's table, else the computed gain
    row = {
        "nonlinearity": str(activation),
        "torch_gain": torch_gain,
        "computed_gain": computed,
        "gain": chosen.value,
        "gain_source": chosen.source,
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
            ("gain_source", "from", "str"),
        ),
        rows=[row],
        document={"gain": row},
        notes=[
            "computed gain keeps E[x²] of a unit Gaussian pre-activation (He et al. 2015); "
            "torch's tanh 5/3 and selu 3/4 are hand-tuned"
        ],
        value=chosen.value,
    )
