"""The plain lookup: layers → InitStats → a report (no sampling, no numpy).

`lookup` is the neutral calculator (torch's untruncated normal, Keras/JAX's truncated one as
``--dist truncated``); `gain_lookup` is a gain alone.
"""

from __future__ import annotations

from collections.abc import Sequence

from glorotcalc.errors import UsageError
from glorotcalc.gain import TORCH_NONLINEARITIES, Activation, calculate_gain, computed_gain, resolve_gain
from glorotcalc.layers import Layer, per_gate
from glorotcalc.report import Report, columns
from glorotcalc.results import (
    ALL_DISTRIBUTIONS,
    ALL_SCHEMES,
    check_mode,
    explain,
    explain_note,
    gain_notes,
    layer_record,
    layer_schemes,
    layer_title,
    result_record,
    stats_for,
)
from glorotcalc.schemes import InitStats

DIST_NOTES = {
    "uniform": "uniform = U(−bound, bound), bound = √(3·Var)",
    "normal": "normal = N(0, std²), untruncated (torch's convention)",
    "truncated": (
        "truncated = Keras/JAX *_normal: N(0, σ²) cut at ±2σ, σ = std/0.87962566, realized std = √Var"
    ),
}


def lookup(
    layers: Sequence[Layer],
    *,
    schemes: tuple[str, ...] | None = None,
    distributions: tuple[str, ...] | None = None,
    explain: bool = False,
    every_row: bool = False,
) -> Report:
    """Every selected scheme × distribution for each layer.

    `schemes`: None = every scheme for one layer, the one recommended for its activation for many;
    `distributions`: None = all three. Gain and mode come from the layers. The table of many layers
    shows a repeated run of rows (``--depth``, a printout's ``(0-5): 6 x Block``) once, with ×N,
    unless `every_row`; CSV/TSV/JSON always hold every layer.

    >>> from glorotcalc.layers import dense
    >>> lookup([dense(784, 256)], schemes=("glorot",), distributions=("normal",)).value
    0.04385290096535146
    """
    if len(layers) == 1:
        return scheme_report(layers[0], schemes or ALL_SCHEMES, distributions or ALL_DISTRIBUTIONS, explain)
    return layers_report(layers, schemes, distributions, explain, every_row)


# At 80 columns the gain gives way (the gain note has it), then the mode.
SCHEME_COLUMNS = columns(
    ("scheme", "scheme", "str"),
    ("distribution", "dist", "str"),
    ("mode", "mode", "str", 1),
    ("gain", "gain", "g", 2),
    ("variance", "variance", "g"),
    ("std", "std", "g"),
    ("sampler_std", "sampler σ", "g"),
    ("bound", "bound", "g"),
)


# One CSV/TSV shape for one layer and for many: a row per layer × scheme × distribution.
LOOKUP_CSV_COLUMNS = columns(
    ("layer", "layer", "str"),
    ("kind", "kind", "str"),
    ("label", "label", "str"),
    ("shape", "shape", "str"),
    ("layout", "layout", "str"),
    ("fan_in", "fan_in", "int"),
    ("fan_out", "fan_out", "int"),
    ("activation", "activation", "str"),
    ("params", "params", "int"),
    ("scheme", "scheme", "str"),
    ("distribution", "distribution", "str"),
    ("mode", "mode", "str"),
    ("n", "n"),
    ("gain", "gain"),
    ("gain_source", "gain_source", "str"),
    ("scale", "scale"),
    ("variance", "variance"),
    ("std", "std"),
    ("sampler_std", "sampler_std"),
    ("bound", "bound"),
    ("support", "support"),
)
EXPLAIN_COLUMN = columns(("explain", "explain", "str"))


def machine_row(layer: Layer, stats: InitStats, with_explain: bool) -> dict:
    """One CSV/TSV row: the layer, then one result."""
    row = {
        "layer": layer.name,
        "kind": layer.kind,
        "label": layer.label,
        "shape": layer.shape,
        "layout": layer.layout,
        "fan_in": layer.fan_in,
        "fan_out": layer.fan_out,
        "activation": str(layer.activation),
        "params": layer.params,
        **result_record(stats),
    }
    if with_explain:
        row["explain"] = explain(stats)
    return row


def lookup_document(layers: Sequence[Layer], records: list[dict]) -> dict:
    """The JSON document of a lookup, one shape for one layer and many."""
    document = {"layers": records, "total_params": sum(layer.params for layer in layers)}
    if isinstance(getattr(layers, "unknown", None), list):
        document["unknown_modules"] = [u.as_dict() for u in layers.unknown]
        document["passed_over"] = dict(layers.passed_over)
    return document


def _csv_columns(with_explain: bool) -> list:
    return [*LOOKUP_CSV_COLUMNS, *(EXPLAIN_COLUMN if with_explain else [])]


def scheme_report(
    layer: Layer, schemes: tuple[str, ...], distributions: tuple[str, ...], with_explain: bool
) -> Report:
    """One layer: a row per selected scheme × distribution."""
    check_mode(layer.mode, schemes)
    results = [stats_for(layer, s, d) for s in schemes for d in distributions]
    rows = [{"layer": layer.name, **result_record(r)} for r in results]
    record = {**layer_record(layer), **layer.structure(), "results": [result_record(r) for r in results]}
    notes = [DIST_NOTES[d] for d in distributions]
    notes += gain_notes(results, [layer])
    notes += list(layer.notes)
    if with_explain:
        for stats, result in zip(results, record["results"], strict=True):
            result["explain"] = explain(stats)
        notes += [explain_note(r) for r in results]
    return Report(
        kind="lookup",
        title=layer_title(layer),
        columns=SCHEME_COLUMNS,
        rows=rows,
        document=lookup_document([layer], [record]),
        notes=notes,
        value=results[0].value if len(results) == 1 else None,
        csv_columns=_csv_columns(with_explain),
        csv_rows=[machine_row(layer, r, with_explain) for r in results],
    )


def layers_report(
    layers: Sequence[Layer],
    schemes: tuple[str, ...] | None,
    distributions: tuple[str, ...] | None,
    with_explain: bool,
    every_row: bool = False,
) -> Report:
    """Many layers: a row per layer (× selected scheme), the recommended scheme by default.

    The table is compact: std = √Var (the normal σ and every distribution's realized std), the
    uniform bound, and the truncated sampler's σ only when ``--dist`` selects it; the gains are a
    note (they follow from scheme and activation). On a narrow terminal params, kind and act give
    way (`_layers_columns`). CSV/TSV/JSON carry every value of the same rows.
    """
    rows, records, used, every, machine = [], [], set(), [], []
    for layer in layers:
        results = []
        for scheme, fixed in layer_schemes(layer, schemes):
            dists = _dists(distributions, fixed)
            stats = {d: stats_for(layer, scheme, d) for d in ALL_DISTRIBUTIONS}
            rows.append(_layer_row(layer, stats, dists, with_explain))
            results += [stats[d] for d in dists]
            every.append(stats["normal"])
            used.add(scheme)
        machine += [machine_row(layer, stats, with_explain) for stats in results]
        gate = per_gate(layer)
        if gate is not None:  # a stacked recurrent weight: the same schemes on one gate's fans
            for scheme, fixed in layer_schemes(gate, schemes):
                dists = _dists(distributions, fixed)
                stats = {d: stats_for(gate, scheme, d) for d in ALL_DISTRIBUTIONS}
                rows.append({**_layer_row(gate, stats, dists, with_explain), "params": None})
                machine += [{**machine_row(gate, stats[d], with_explain), "params": 0} for d in dists]
        record = {**layer_record(layer), **layer.structure(), "results": []}
        for stats in results:
            result = result_record(stats)
            if with_explain:
                result["explain"] = explain(stats)
            record["results"].append(result)
        records.append(record)
    check_mode(layers[0].mode, tuple(sorted(used)))
    total = sum(layer.params for layer in layers)
    document = lookup_document(layers, records)
    shown = rows if every_row else collapse_repeats(rows)
    notes = _layers_notes(layers, schemes, distributions, with_explain, every)
    if len(shown) < len(rows):
        notes.insert(0, f"{len(rows)} rows: repeated runs shown once (×N); --every-row shows each")
    return Report(
        kind="lookup",
        title=f"{len(layers)} layers · {layers[0].layout} layout · {total:,} parameters",
        columns=_layers_columns(distributions),
        rows=shown,
        document=document,
        notes=notes,
        footer={"layer": "total", "params": total},
        csv_columns=_csv_columns(with_explain),
        csv_rows=machine,
        value_hint="narrow it to one layer (--layer), one scheme and one distribution",
    )


MAX_PERIOD = 16  # the longest block of rows looked for when collapsing repeats


def collapse_repeats(rows: list[dict], name: str = "layer", max_period: int = MAX_PERIOD) -> list[dict]:
    """Runs of a block of rows that repeats (all but the name equal) shown once, named by span.

    ``layer0 … layer9999`` of ``256 --depth 10000`` → one row ``layer(0-9999) ×10000``; the
    4 rows of 6 identical transformer layers → 4 rows ``layers.(0-5).linear1 ×6``.
    """
    keys = [repr(sorted((k, v) for k, v in row.items() if k != name)) for row in rows]
    shown, i = [], 0
    while i < len(rows):
        count, period = _longest_run(keys, i, max_period)
        if count < 2:
            shown.append(rows[i])
            i += 1
            continue
        last = i + (count - 1) * period
        shown += [
            {**rows[i + j], name: _span(rows[i + j][name], rows[last + j][name], count)}
            for j in range(period)
        ]
        i += count * period
    return shown


def _longest_run(keys: list[str], start: int, max_period: int) -> tuple[int, int]:
    """(repeats, period) of the block at `start` covering the most rows (repeats 1: none)."""
    best = (1, 1)
    for period in range(1, min(max_period, (len(keys) - start) // 2) + 1):
        block, count = keys[start : start + period], 1
        while keys[start + count * period : start + (count + 1) * period] == block:
            count += 1
        if count >= 2 and count * period > best[0] * best[1]:
            best = (count, period)
    return best


def _common_head(a: str, b: str) -> int:
    """How many leading characters `a` and `b` share."""
    size = 0
    while size < min(len(a), len(b)) and a[size] == b[size]:
        size += 1
    return size


def _span(first: str, last: str, count: int) -> str:
    """``layers.0.linear1``, ``layers.5.linear1`` → ``layers.(0-5).linear1 ×6``."""
    head = _common_head(first, last)
    while head and first[head - 1].isdigit():
        head -= 1
    tail = _common_head(first[head:][::-1], last[head:][::-1])
    while tail and first[len(first) - tail].isdigit():
        tail -= 1
    a, b = first[head : len(first) - tail], last[head : len(last) - tail]
    if a.isdigit() and b.isdigit():
        return f"{first[:head]}({a}-{b}){first[len(first) - tail :]} ×{count}"
    return f"{first} … {last} ×{count}"


def _dists(distributions: tuple[str, ...] | None, fixed: str | None) -> tuple[str, ...]:
    """The distributions shown: the selection, else the one the paper fixes (selu → normal), else all."""
    if distributions is not None:
        return distributions
    return ALL_DISTRIBUTIONS if fixed is None else (fixed,)


def _layers_columns(distributions: tuple[str, ...] | None) -> list:
    """The table's compact columns (CSV/TSV have every column: `LOOKUP_CSV_COLUMNS`)."""
    show = distributions or ALL_DISTRIBUTIONS
    specs = [
        ("layer", "layer", "name"),
        ("label", "kind", "str", 2),
        ("shape_text", "shape", "str"),
        ("fan_in", "fan_in", "int"),
        ("fan_out", "fan_out", "int"),
        ("activation", "act", "str", 1),
        ("scheme", "scheme", "str"),
        ("std", "std", "g"),
    ]
    if "uniform" in show:
        specs.append(("bound", "bound", "g"))
    if "truncated" in show and distributions is not None:
        specs.append(("truncated_sigma", "trunc σ", "g"))
    # narrow terminals: params first (the title has the total), then the kind, then the activation
    return columns(*specs, ("params", "params", "int", 3))


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


def _layers_notes(
    layers: Sequence[Layer],
    schemes: tuple[str, ...] | None,
    distributions: tuple[str, ...] | None,
    with_explain: bool,
    results: list[InitStats],
) -> list[str]:
    """The legend and gains, each layer's notes, the printout's (unknown modules, …), --explain."""
    notes = []
    shown = distributions or ALL_DISTRIBUTIONS
    if schemes is None:
        notes.append(
            "scheme: recommended for the activation — relu-like → he (its gain), "
            "tanh/sigmoid/linear → glorot, selu → lecun normal"
        )
    legend = ["std = √Var (normal σ, realized std)"]
    if "uniform" in shown:
        legend.append("bound = √(3·Var) (uniform)")
    if "truncated" in shown and distributions is not None:
        legend.append("trunc σ = std/0.87962566, cut at ±2σ (Keras/JAX *_normal)")
    elif "truncated" in shown:
        legend.append("truncated σ: --dist truncated or --format json")
    notes.append(" · ".join(legend))
    notes += gain_notes(results, layers)
    by_note: dict[str, list[str]] = {}
    for layer in layers:
        for note in layer.notes:
            by_note.setdefault(note, []).append(layer.name)
    for note, names in by_note.items():  # a note shared by many layers (a repeated block) once
        shown = ", ".join(names) if len(names) <= 3 else f"{names[0]}, {names[1]} and {len(names) - 2} more"
        notes.append(f"{shown}: {note}")
    notes += list(getattr(layers, "notes", []))
    if with_explain:
        for layer in layers:
            for scheme, fixed in layer_schemes(layer, schemes):
                notes += [
                    f"{layer.name}: {explain(stats_for(layer, scheme, d))}"
                    for d in _dists(distributions, fixed)
                ]
    return notes


def gain_lookup(activation: Activation) -> Report:
    """torch's gain for `activation` beside the computed one, 1/√E[φ(z)²].

    >>> from glorotcalc.gain import make_activation
    >>> round(gain_lookup(make_activation("tanh")).value, 6)
    1.666667
    """
    torch_gain = (
        calculate_gain(activation.name, activation.param) if activation.name in TORCH_NONLINEARITIES else None
    )
    computed = computed_gain(activation)
    if not computed > 0:  # leaky_relu: √(2/(1 + slope²)) underflows for |slope| ≳ 1e154
        raise UsageError(
            "leaky_relu slope", activation.slope, "its gain √(2/(1+slope²)) underflows; use |slope| ≤ 1e150"
        )
    chosen = resolve_gain(activation)  # torch's table, else the computed gain
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
            ("second_moment", "E[φ(z)²]", "g", 1),  # 1/computed²: gives way on a narrow terminal
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
