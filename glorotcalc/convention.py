"""One framework's conventions (``--framework X``), or one named initializer (``--init NAME``).

Every result in that framework's fans, normal, clamp and names; a named initializer is evaluated
exactly as its framework does (`frameworks.spec_stats`).
"""

from __future__ import annotations

from collections.abc import Sequence

from glorotcalc.errors import UsageError
from glorotcalc.frameworks import (
    FRAMEWORKS,
    Expression,
    Framework,
    check_framework_mode,
    clamped,
    distribution_label,
    effective_distribution,
    express,
    express_law,
    framework_fans,
    framework_layer,
    framework_normal,
    framework_shape,
    law_in,
    spec_framework,
    spec_stats,
)
from glorotcalc.initnames import FRAMEWORKS as INIT_NAME_FRAMEWORKS
from glorotcalc.initnames import InitSpec, parse_init
from glorotcalc.laws import DIFFERENCES, InitLaw, LawStats, describe, law_stats
from glorotcalc.layers import Layer
from glorotcalc.report import Report, columns
from glorotcalc.results import (
    ALL_DISTRIBUTIONS,
    ALL_SCHEMES,
    check_mode,
    explain,
    explain_note,
    layer_gain,
    layer_mode,
    layer_record,
    layer_title,
    result_record,
    shape_text,
)
from glorotcalc.schemes import SCHEMES, InitStats, recommended_scheme, scheme_stats


def framework_stats(fw: Framework, layer: Layer, scheme: str, distribution: str) -> InitStats:
    """`scheme` × `distribution` for `layer` as `fw` computes it (its fans, its normal, its clamp)."""
    fan_in, fan_out = framework_fans(layer, fw)
    gain, mode = layer_gain(layer, scheme), layer_mode(layer, scheme)
    requested, distribution = distribution, effective_distribution(fw, distribution)

    def stats_of(fi: int, fo: int, n: float | None = None) -> InitStats:
        return scheme_stats(scheme, fi, fo, distribution, gain=gain, mode=mode, n=n)

    stats = clamped(fw, stats_of, fan_in, fan_out, mode or SCHEMES[scheme].mode)
    return framework_normal(fw, stats) if requested == "normal" else stats


def framework_record(layer: Layer, fw: Framework) -> dict:
    """`layer_record` with the weight shape, layout and fans `fw` uses."""
    fan_in, fan_out = framework_fans(layer, fw)
    return {
        **layer_record(layer),
        "shape": list(framework_shape(layer, fw)),
        "layout": fw.name,
        "fan_in": fan_in,
        "fan_out": fan_out,
    }


def _schemes(layer: Layer, schemes: tuple[str, ...] | None, count: int) -> tuple[str, ...]:
    """All selected schemes; by default all for one layer, the recommended one per layer of many."""
    if schemes is not None:
        return schemes
    return ALL_SCHEMES if count == 1 else (recommended_scheme(layer.activation)[0],)


def _distributions(fw: Framework, distributions: tuple[str, ...] | None) -> tuple[str, ...]:
    """The chosen distributions; by default what the framework names: uniform and its *_normal
    (torch: also the truncated one written out, where the framework has a truncated sampler)."""
    if distributions is not None:
        return distributions
    return ALL_DISTRIBUTIONS if fw.normal == "normal" and fw.has_truncated else ("uniform", "normal")


def framework_lookup(
    layers: Sequence[Layer],
    fw: Framework,
    *,
    schemes: tuple[str, ...] | None = None,
    distributions: tuple[str, ...] | None = None,
    explain: bool = False,
) -> Report:
    """``--framework X``: every result in that framework's conventions and names."""
    picks = []
    for layer in layers:
        layer_schemes = _schemes(layer, schemes, len(layers))
        check_mode(layer.mode, layer_schemes)
        for scheme in layer_schemes:
            for distribution in _distributions(fw, distributions):
                stats = framework_stats(fw, layer, scheme, distribution)
                check_framework_mode(fw, stats)
                picks.append((layer, stats, distribution))
    return _report(layers, fw, picks, explain)


def law_across(law: InitLaw, layer: Layer) -> list[dict]:
    """`law` (of ``--init``) for `layer` in every framework: how each writes it for its own weight
    (None where it cannot) and the entries' statistics there (the matrix it forms, for orthogonal)."""
    source = spec_framework(law)
    source_shape = framework_shape(layer, source)
    rows = []
    for fw in FRAMEWORKS.values():
        shape = framework_shape(layer, fw)
        mapped = law_in(law, source.layout, fw, len(source_shape))
        expression = express_law(mapped, fw, shape)
        stats = None
        if expression is not None:
            own = _read_back(expression, fw) or mapped
            try:
                stats = law_stats(own, shape)
            except UsageError:
                expression = None
        rows.append({"framework": fw, "shape": shape, "expression": expression, "stats": stats})
    return rows


def _read_back(expression: Expression, fw: Framework) -> InitLaw | InitSpec | None:
    """`fw`'s own initializer name in `expression`, read as that name says; None when the numbers
    are written out or `fw` names its initializers in no vocabulary glorotcalc reads."""
    vocabulary = fw.init_names or fw.name
    if expression.named and vocabulary in INIT_NAME_FRAMEWORKS:
        return parse_init(expression.name, vocabulary)
    return None


def _matrix_note(law: InitLaw, layer: Layer) -> str:
    """The matrix each framework forms: from its own weight for this layer, and from this very
    shape were it passed to each (where the flattenings differ)."""
    parts, literal = [], []
    source_shape = framework_shape(layer, spec_framework(law))
    for row in law_across(law, layer):
        stats, expression = row["stats"], row["expression"]
        if stats is None or stats.matrix is None:
            continue
        fw = row["framework"]
        rows, cols = stats.matrix
        parts.append(f"{fw.name} {expression.name} on {shape_text(row['shape'])} → {rows}×{cols}")
        own = _read_back(expression, fw)
        if own is not None and own.kind == "orthogonal":
            matrix = law_stats(own, source_shape).matrix
            literal.append(f"{fw.name} {matrix[0]}×{matrix[1]}")
    note = "matrix each framework forms: " + "; ".join(parts)
    if len({text.split(" ", 1)[1] for text in literal}) > 1:
        note += f"; on the shape {shape_text(source_shape)} itself: " + ", ".join(literal)
    return note


def law_lookup(layers: Sequence[Layer], law: InitLaw, *, explain: bool = False) -> Report:
    """``--init NAME`` for an initializer that is not variance scaling: mean, std, support and the
    formula with the numbers, per layer, in the law's framework layout."""
    fw = spec_framework(law)
    rows, records, notes = [], [], []
    many = len(layers) > 1
    for layer in layers:
        shape = framework_shape(layer, fw)
        stats = law_stats(law, shape)
        rows.append(_law_row(layer, shape, stats))
        record = _law_record(stats) | ({"explain": "\n".join(stats.formula)} if explain else {})
        records.append({**framework_record(layer, fw), "results": [record]})
        notes += [f"{layer.name}: {line}" if many else line for line in stats.formula]
        if stats.matrix is not None and law.kind == "orthogonal":
            notes.append((f"{layer.name}: " if many else "") + _matrix_note(law, layer))
    others = [name for name in law.frameworks if name != fw.name]
    head = f"--init {law.call}: {fw.title} semantics — {describe(law)}"
    notes = [head + (f" (also {', '.join(others)})" if others else ""), *notes, DIFFERENCES[law.kind]]
    single = len(layers) == 1
    return Report(
        kind="framework",
        title=_title(layers, fw) if many else f"{layer_title(framework_layer(layers[0], fw))} · {law.name}",
        columns=[*([] if single else columns(("layer", "layer", "name"))), *LAW_COLUMNS],
        rows=rows,
        document={"framework": fw.name, "init": law.call, "layers": records},
        notes=list(dict.fromkeys(notes)),
        value=rows[0]["std"] if single else None,
        csv_columns=LAW_CSV_COLUMNS,
        value_hint="--value (the std) needs one layer",
    )


def _support_text(stats: LawStats) -> str:
    if stats.low is None:
        return "unbounded"
    if stats.low == stats.high:
        return f"{{{stats.low:.6g}}}"
    return f"[{stats.low:.6g}, {stats.high:.6g}]"


def _law_record(stats: LawStats) -> dict:
    return {
        "kind": stats.law.kind,
        "initializer": stats.law.call,
        "mean": stats.mean,
        "std": stats.std,
        "min": stats.low,
        "max": stats.high,
        "max_abs": stats.max_abs,
        "excess_kurtosis": stats.excess_kurtosis,
        "matrix": list(stats.matrix) if stats.matrix else None,
        "nonzero": stats.nonzero,
        "formula": list(stats.formula),
    }


def _law_row(layer: Layer, shape: tuple[int, ...], stats: LawStats) -> dict:
    matrix = f"{stats.matrix[0]}×{stats.matrix[1]}" if stats.matrix else "—"
    return {
        "layer": layer.name,
        "shape": shape_text(shape),
        "initializer_name": stats.law.name,
        **_law_record(stats),
        "matrix_text": matrix,
        "support_text": _support_text(stats),
        "max_abs_text": "unbounded" if stats.max_abs is None else f"{stats.max_abs:.6g}",
    }


LAW_COLUMNS = columns(
    ("shape", "shape", "str"),
    ("initializer_name", "initializer", "str"),
    ("matrix_text", "matrix", "str", 2),
    ("mean", "mean"),
    ("std", "std"),
    ("max_abs_text", "max |w|", "str"),
    ("support_text", "support", "str", 1),
)
LAW_CSV_COLUMNS = columns(
    ("layer", "layer", "str"),
    ("shape", "shape", "str"),
    ("kind", "kind", "str"),
    ("initializer", "initializer", "str"),
    ("mean", "mean"),
    ("std", "std"),
    ("min", "min"),
    ("max", "max"),
    ("max_abs", "max_abs"),
    ("excess_kurtosis", "excess_kurtosis"),
    ("matrix_text", "matrix", "str"),
    ("nonzero", "nonzero", "int"),
)


def init_lookup(layers: Sequence[Layer], spec, *, explain: bool = False) -> Report:
    """``--init NAME``: the named initializer on every layer, exactly as its framework computes it.

    >>> from glorotcalc.initnames import parse_init
    >>> from glorotcalc.layers import dense
    >>> round(init_lookup([dense(784, 256)], parse_init("kaiming_uniform_(a=5**0.5)")).value, 6)
    0.035714
    """
    if isinstance(spec, InitLaw):
        return law_lookup(layers, spec, explain=explain)
    fw = spec_framework(spec)
    picks = [(layer, spec_stats(spec, layer), spec.distribution) for layer in layers]
    report = _report(layers, fw, picks, explain, spec)
    if (spec.in_axis, spec.out_axis, spec.batch_axis) != (-2, -1, ()):
        for layer, stats, _ in picks:
            where = f"{layer.name}: " if len(layers) > 1 else ""
            report.notes.insert(
                0,
                f"{where}fans from in_axis={spec.in_axis}, out_axis={spec.out_axis}, batch_axis="
                f"{tuple(spec.batch_axis)} (JAX _compute_fans: the batch axes are left out of the receptive "
                f"field): fan_in {stats.fan_in}, fan_out {stats.fan_out}",
            )
    others = [name for name in spec.frameworks if name != fw.name]
    report.notes.insert(
        0, f"--init {spec.call}: {_semantics(spec)}" + (f" (also {', '.join(others)})" if others else "")
    )
    return report


def _semantics(spec) -> str:
    what = {
        "uniform": "U(−bound, bound)",
        "normal": "N(0, Var), untruncated",
        "truncated": "N(0, σ²) cut at ±2σ, σ = √Var/0.87962566",
    }[spec.distribution]
    return f"{spec_framework(spec).title} semantics — Var = {spec.scale:.6g}/n, n from {spec.mode}, {what}"


def _report(layers: Sequence[Layer], fw: Framework, picks: list, with_explain: bool, spec=None) -> Report:
    rows, records, results = [], {}, []
    for layer, stats, distribution in picks:
        record = records.setdefault(layer.name, {**framework_record(layer, fw), "results": []})
        name = spec.name if spec is not None else express(stats, fw, layer).name
        qualified = spec.call if spec is not None else express(stats, fw, layer, code=True).qualified
        extra = {
            "requested_distribution": distribution,
            "distribution_label": distribution_label(fw, distribution, short=len(layers) > 1),
            "initializer": qualified,
        }
        explained = {"explain": explain(stats)} if with_explain else {}
        record["results"].append({**result_record(stats), **extra, **explained})
        rows.append(_row(layer, fw, stats, {**extra, **explained, "initializer": name}))
        results.append(stats)
    notes = framework_notes(fw, layers, results)
    if with_explain:
        notes += [explain_note(stats) for stats in results]
    return Report(
        kind="framework",
        title=_title(layers, fw),
        columns=_columns(fw, len(layers) == 1),
        rows=rows,
        document={"framework": fw.name, "layers": list(records.values())},
        notes=notes,
        value=results[0].value if len(results) == 1 else None,
        csv_columns=[
            *FRAMEWORK_CSV_COLUMNS,
            *(columns(("explain", "explain", "str")) if with_explain else []),
        ],
    )


def _row(layer: Layer, fw: Framework, stats: InitStats, extra: dict) -> dict:
    return {
        "framework": fw.name,
        "layer": layer.name,
        "shape": shape_text(framework_shape(layer, fw)),
        **result_record(stats),
        "fan_in": stats.fan_in,
        "fan_out": stats.fan_out,
        "param": stats.value,
        **extra,
    }


def _title(layers: Sequence[Layer], fw: Framework) -> str:
    conventions = f"{fw.title} conventions"
    if len(layers) > 1:
        return f"{len(layers)} layers · {fw.name} layout {fw.layout_text} · {conventions}"
    return f"{layer_title(framework_layer(layers[0], fw))} · {conventions}"


def _columns(fw: Framework, single: bool) -> list:
    """Narrow terminals: fan_out, fan_in, mode, the gain/scale, then the distribution give way
    (the initializer names them; a note says what its framework's *_normal draws)."""
    layer_columns = columns(
        ("layer", "layer", "name"), ("fan_in", "fan_in", "int", 4), ("fan_out", "fan_out", "int", 5)
    )
    return [
        *([] if single else layer_columns),
        *columns(
            ("scheme", "scheme", "str"),
            ("distribution_label", "distribution", "str", 1),
            ("initializer", "initializer", "str"),
            ("mode", "mode", "str", 3),
            (fw.knob, fw.knob, "g", 2),
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


def framework_notes(fw: Framework, layers: Sequence[Layer], results: list[InitStats]) -> list[str]:
    distributions = {stats.distribution for stats in results}
    notes = [f"initializer: {fw.module}.… · bound | σ: the uniform bound, the normal's σ"]
    notes += [note for d, note in fw.notes_by_distribution.items() if d in distributions]
    if "truncated" in distributions and fw.normal == "truncated":
        notes.append(f"{fw.title}'s untruncated normal is {fw.untruncated}")
    notes += [note for s, note in fw.notes_by_scheme.items() if any(r.scheme == s for r in results)]
    notes += [fw.note] if fw.note else []
    if fw.small_rank_fans and any(len(layer.shape) < 2 or 0 in layer.shape for layer in layers):
        notes.append("keras compute_fans: rank 0 → (1, 1), rank 1 → (n, n); then n = max(1, fan)")
    prefix, shown = len(layers) > 1, [framework_layer(layer, fw) for layer in layers]
    notes += [f"{layer.name}: {note}" if prefix else note for layer in shown for note in layer.notes]
    return notes
