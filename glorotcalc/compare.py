"""``compare``: the same layer, scheme and distribution in every framework, side by side.

Each framework row uses that framework's fans, its ``*_normal`` (truncated in Keras/JAX/Flax) and
its initializer names; Δ columns are relative to the first framework shown (torch by default).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from glorotcalc.convention import framework_stats, law_across
from glorotcalc.frameworks import (
    FRAMEWORKS,
    Framework,
    clamped,
    distribution_problem,
    effective_distribution,
    express,
    framework_fans,
    framework_normal,
    mode_problem,
)
from glorotcalc.gain import Gain
from glorotcalc.laws import DIFFERENCES, InitLaw, describe
from glorotcalc.layers import Layer
from glorotcalc.report import Report, columns
from glorotcalc.results import check_mode, layer_record, layer_what, shape_text
from glorotcalc.schemes import InitStats, recommended_scheme, variance_scaling

SUPPORT_TEXT = "unbounded"
PRESENTATION = ("layer", "support_text", "initializer_name")  # table-only keys of a comparison row
FAMILIES = ("uniform", "normal")  # what every framework names: *_uniform and *_normal


def compare(
    layers: Sequence[Layer],
    *,
    frameworks: Sequence[Framework] = tuple(FRAMEWORKS.values()),
    schemes: tuple[str, ...] | None = None,
    distributions: tuple[str, ...] | None = None,
    init=None,
) -> Report:
    """One row per framework for the same layer, scheme and distribution (or named `init`).

    Δ is relative to torch when torch is shown, else to the first framework shown (each row's
    ``reference`` names it).

    `schemes`: None = the scheme recommended for each layer's activation; `distributions`: None =
    uniform and normal (each framework's own *_normal). `init` (an `InitSpec`): its scale and mode
    in every framework, with the framework's own uniform or normal.
    """
    if isinstance(init, InitLaw):
        return _compare_law(layers, frameworks, init)
    rows, records, notes = [], [], []
    for layer in layers:
        record = {**layer_record(layer), "comparisons": []}
        for scheme, distribution, stats_in in _choices(layer, schemes, distributions, init):
            compared = _compare_one(layer, frameworks, scheme, distribution, stats_in)
            rows += compared
            shown = [{k: v for k, v in row.items() if k not in PRESENTATION} for row in compared]
            record["comparisons"].append(
                {"scheme": scheme, "distribution": distribution, "frameworks": shown}
            )
            notes += [row["problem"] for row in compared if row["problem"]]
        records.append(record)
    notes += [_transpose_note(layer, frameworks) for layer in layers if layer.kind == "conv_transpose"]
    if init is not None:
        notes.insert(
            0, f"--init {init.call}: scale {init.scale:.6g}, {init.mode}, each framework's {_family(init)}"
        )
    notes.append("bound | σ: the uniform bound a of U(−a, a); the normal's σ (before the cut at ±2σ)")
    notes.append(f"Δ: relative difference to {_reference(frameworks).name}")
    return _report(layers, rows, records, notes, frameworks)


def _compare_law(layers: Sequence[Layer], frameworks: Sequence[Framework], law: InitLaw) -> Report:
    """``compare --init NAME`` for an initializer that is not variance scaling: how each framework
    writes the same law for its own weight, the matrix it forms (orthogonal), mean, std, max |w|."""
    shown = {fw.name for fw in frameworks}
    rows, records, notes = [], [], [f"--init {law.call}: {describe(law)} in each framework's own words"]
    for layer in layers:
        record = {**layer_record(layer), "comparisons": []}
        for item in law_across(law, layer):
            fw, stats, expression = item["framework"], item["stats"], item["expression"]
            if fw.name not in shown:
                continue
            row = {
                "layer": layer.name,
                "framework": fw.name,
                "shape": shape_text(item["shape"]),
                "initializer": None if expression is None else expression.qualified,
                "initializer_name": "—" if expression is None else expression.name,
                "named": expression is not None and expression.named,
                "matrix": list(stats.matrix) if stats is not None and stats.matrix else None,
                "matrix_text": f"{stats.matrix[0]}×{stats.matrix[1]}" if stats and stats.matrix else "—",
                "mean": None if stats is None else stats.mean,
                "std": None if stats is None else stats.std,
                "max_abs": None if stats is None else stats.max_abs,
                "max_abs_text": "—" if stats is None else _max_text(stats.max_abs),
            }
            if expression is None:
                notes.append(f"{fw.name}: no initializer draws {describe(law)} on {row['shape']}")
            elif not expression.named:
                notes.append(f"{fw.name}: {expression.why}")
            rows.append(row)
            record["comparisons"].append({k: v for k, v in row.items() if not k.endswith("_text")})
        records.append(record)
    notes.append(DIFFERENCES[law.kind])
    single = len(layers) == 1
    return Report(
        kind="frameworks",
        title=f"{_what(layers[0]) if single else f'{len(layers)} layers'} · {law.name} · every framework",
        columns=[*([] if single else columns(("layer", "layer", "name"))), *LAW_COMPARE_COLUMNS],
        rows=rows,
        document={"framework": [fw.name for fw in frameworks], "init": law.call, "layers": records},
        notes=list(dict.fromkeys(notes)),
        csv_columns=LAW_COMPARE_CSV_COLUMNS,
        value_hint="compare shows several frameworks; glorotcalc FAN_IN FAN_OUT --init NAME --value",
    )


def _max_text(value: float | None) -> str:
    return "unbounded" if value is None else f"{value:.6g}"


LAW_COMPARE_COLUMNS = columns(
    ("framework", "framework", "str"),
    ("initializer_name", "initializer", "str"),
    ("shape", "shape", "str", 2),
    ("matrix_text", "matrix", "str", 1),
    ("mean", "mean"),
    ("std", "std"),
    ("max_abs_text", "max |w|", "str", 3),
)
LAW_COMPARE_CSV_COLUMNS = columns(
    ("layer", "layer", "str"),
    ("framework", "framework", "str"),
    ("shape", "shape", "str"),
    ("initializer", "initializer", "str"),
    ("matrix_text", "matrix", "str"),
    ("mean", "mean"),
    ("std", "std"),
    ("max_abs", "max_abs"),
)


def _reference(frameworks: Sequence[Framework]) -> Framework:
    return next((fw for fw in frameworks if fw.name == FRAMEWORKS["torch"].name), frameworks[0])


def _family(init) -> str:
    return "uniform" if init.distribution == "uniform" else "normal"


def _choices(layer: Layer, schemes, distributions, init):
    """(scheme, distribution, framework → InitStats) for each comparison of `layer`."""
    if init is not None:
        family = _family(init)
        yield init.scheme, family, lambda fw: _spec_in(fw, layer, init, family)
        return
    chosen = schemes if schemes is not None else (recommended_scheme(layer.activation)[0],)
    check_mode(layer.mode, chosen)
    for scheme in chosen:
        for distribution in distributions or FAMILIES:
            yield scheme, distribution, lambda fw, s=scheme, d=distribution: framework_stats(fw, layer, s, d)


def _spec_in(fw: Framework, layer: Layer, init, family: str) -> InitStats:
    fan_in, fan_out = framework_fans(layer, fw)
    gain = Gain(init.gain, init.gain_source, init.scale)

    def stats_of(fi: int, fo: int, n: float | None = None) -> InitStats:
        return variance_scaling(
            fi,
            fo,
            scale=init.scale,
            mode=init.mode,
            distribution=effective_distribution(fw, family),
            scheme=init.scheme,
            gain=gain,
            n=n,
        )

    return framework_normal(fw, clamped(fw, stats_of, fan_in, fan_out, init.mode))


def _compare_one(
    layer: Layer,
    frameworks: Sequence[Framework],
    scheme: str,
    distribution: str,
    stats_in: Callable[[Framework], InitStats],
) -> list[dict]:
    rows = []
    for fw in frameworks:
        stats = stats_in(fw)
        problem = mode_problem(fw, stats) or distribution_problem(fw, stats)
        rows.append(_compare_row(layer, fw, stats, distribution, problem))
    reference = rows[list(frameworks).index(_reference(frameworks))]
    for row in rows:
        row["reference"] = reference["framework"]
        row["param_vs_torch"] = _relative(row["param"], reference["param"])
        row["std_vs_torch"] = _relative(row["std"], reference["std"])
    return rows


def _compare_row(
    layer: Layer, fw: Framework, stats: InitStats, distribution: str, problem: str | None
) -> dict:
    row = {
        "layer": layer.name,
        "framework": fw.name,
        "scheme": stats.scheme,
        "requested_distribution": distribution,
        "distribution": stats.distribution,
        "mode": stats.mode,
        "fan_in": stats.fan_in,
        "fan_out": stats.fan_out,
        "n": stats.n,
        "problem": None if problem is None else f"{fw.name}: {problem}",
    }
    if problem is not None:
        none = dict.fromkeys(("initializer", "param", "std", "support"))
        return {**row, **none, "initializer_name": "—", "support_text": "—"}
    support = stats.support
    return {
        **row,
        "initializer": express(stats, fw, layer, code=True).qualified,
        "initializer_name": express(stats, fw, layer).name,
        "param": stats.value,
        "std": stats.std,
        "support": support,
        "support_text": SUPPORT_TEXT if support is None else f"±{support:.6g}",
    }


def _relative(value: float | None, reference: float | None) -> float | None:
    if value is None or reference is None:
        return None
    return value / reference - 1


def _transpose_note(layer: Layer, frameworks: Sequence[Framework]) -> str:
    shown = [fw for fw in frameworks if fw.layers]
    fans = ", ".join(f"{fw.title} {framework_fans(layer, fw)[0]}" for fw in shown)
    return f"{layer.name}: transposed conv — fan_in is {fans} (each from its own weight layout)"


def _report(
    layers: Sequence[Layer],
    rows: list[dict],
    records: list[dict],
    notes: list[str],
    frameworks: Sequence[Framework],
) -> Report:
    single, schemes = len(layers) == 1, {row["scheme"] for row in rows}
    what = _what(layers[0]) if single else f"{len(layers)} layers"
    shown = (
        "every framework" if len(frameworks) == len(FRAMEWORKS) else ", ".join(fw.name for fw in frameworks)
    )
    title = f"{what} · {next(iter(schemes)) + ' · ' if len(schemes) == 1 else ''}{shown}"
    lead = ([] if single else [("layer", "layer", "name")]) + ([] if len(schemes) == 1 else [SCHEME_COLUMN])
    return Report(
        kind="frameworks",
        title=title,
        columns=[*columns(*lead), *COMPARE_COLUMNS],
        rows=rows,
        document={
            "framework": "all" if len(frameworks) == len(FRAMEWORKS) else [fw.name for fw in frameworks],
            "layers": records,
        },
        notes=list(dict.fromkeys(notes)),
        csv_columns=COMPARE_CSV_COLUMNS,
        value_hint="compare shows several frameworks; glorotcalc FAN_IN FAN_OUT --framework NAME --value",
    )


def _what(layer: Layer) -> str:
    """``layer0 · dense 784 → 256``; a `--shape` weight once: ``weight 64×3×3×3``."""
    what = layer_what(layer)
    return what if what.split(" ", 1)[0] == layer.name else f"{layer.name} · {what}"


# Narrow terminals: max |w|, Δ param, draws, bound | σ, the scheme (the initializer names it),
# then Δ std give way (a layer column and a long initializer name leave no room for it); framework,
# initializer and std stay.
SCHEME_COLUMN = ("scheme", "scheme", "str", 1)
COMPARE_COLUMNS = columns(
    ("framework", "framework", "str"),
    ("initializer_name", "initializer", "str"),
    ("distribution", "draws", "str", 3),
    ("param", "bound | σ", "g", 2),
    ("std", "std"),
    ("support_text", "max |w|", "str", 5),
    ("param_vs_torch", "Δ param", "pct", 4),
    ("std_vs_torch", "Δ std", "pct", 6),
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
    ("reference", "reference", "str"),
)
