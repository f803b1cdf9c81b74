"""``defaults``: what each framework's layers draw without being asked, ÷ He and ÷ Glorot.

Weight and bias, per layer kind, from each framework's record (`frameworks.LayerDefault`); a
model's own re-initialization (torch ``nn.Transformer``, ``nn.MultiheadAttention``'s biases) wins;
a layer printed with ``bias=False`` has no bias; modules glorotcalc cannot read are listed, not
dropped. A recurrent weight a framework holds in a kernel on [x, h] (hk.LSTM, tf.compat.v1
rnn_cell) gets that kernel's law and a note naming its shape and rows; a second kernel holding
other gates of the same torch parameter (GRUCell's candidate, n) is a row of its own, ``…/n``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from glorotcalc.frameworks import (
    FRAMEWORKS,
    LAYER_FRAMEWORKS,
    Framework,
    LayerDefault,
    bias_bound,
    concat_rows,
    default_bias,
    default_init,
    default_stats,
    framework_fans,
    layer_default,
)
from glorotcalc.layers import Layer
from glorotcalc.report import Report, columns
from glorotcalc.results import explain as explain_text
from glorotcalc.results import explain_note, layer_record, layer_what, result_record
from glorotcalc.schemes import scheme_stats

DEFAULT_FRAMEWORKS = tuple(FRAMEWORKS[name] for name in LAYER_FRAMEWORKS)


def defaults(
    layers: Sequence[Layer], *, frameworks: Sequence[Framework] = DEFAULT_FRAMEWORKS, explain: bool = False
) -> Report:
    """The std each framework's default layer init gives each layer, ÷ He and ÷ Glorot.

    >>> from glorotcalc.layers import dense
    >>> round(defaults([dense(784, 256)]).rows[0]["std"], 6)  # torch: 1/√(3·784)
    0.02062
    """
    rows, records = [], []
    for layer in layers:
        he = scheme_stats("he", layer.fan_in, layer.fan_out, "normal")
        glorot = scheme_stats("glorot", layer.fan_in, layer.fan_out, "normal")
        found = [
            _row(fw, layer, he.std, glorot.std, explain, part)
            for fw in _having(frameworks, layer)
            for part in _parts(fw, layer)
        ]
        rows += found
        records.append({**layer_record(layer), "he_std": he.std, "glorot_std": glorot.std, "defaults": found})
    unknown = [_unknown_row(module) for module in getattr(layers, "unknown", [])]
    single = len(layers) == 1 and not unknown and all(row["layer"] == layers[0].name for row in rows)
    recurrent = any(layer.recurrent for layer in layers)
    document = {"layers": records}
    if unknown:
        document["unknown_modules"] = [module.as_dict() for module in layers.unknown]
    return Report(
        kind="defaults",
        title=_title(layers),
        columns=DEFAULTS_COLUMNS if single else _many_layer_columns(recurrent),
        rows=rows + unknown,
        document=document,
        notes=_notes(frameworks, layers, explain),
        value=rows[0]["param"] if len(rows) == 1 else None,
        csv_columns=[*DEFAULTS_CSV_COLUMNS, *(columns(("explain", "explain", "str")) if explain else [])],
        value_hint="narrow it to one layer and one framework: --framework torch, keras, flax, …",
    )


def _having(frameworks: Sequence[Framework], layer: Layer) -> list[Framework]:
    """The frameworks that have `layer`'s kind; all of them when none has it (each row says so)."""
    having = [fw for fw in frameworks if layer_default(fw, layer) is not None]
    return having or list(frameworks)


def _missing_note(frameworks: Sequence[Framework], layers: Sequence[Layer]) -> list[str]:
    """Which frameworks' rows are not shown because their records have no default for a layer."""
    labels: dict[tuple[str, ...], list[str]] = {}
    for layer in layers:
        having = _having(frameworks, layer)
        missing = tuple(fw.name for fw in frameworks if fw not in having)
        if missing and layer.label not in labels.setdefault(missing, []):
            labels[missing].append(layer.label)
    return [
        f"not shown: {', '.join(missing)} (no {', '.join(names)} default in their records)"
        for missing, names in labels.items()
    ]


def _parts(fw: Framework, layer: Layer) -> list[LayerDefault | None]:
    """`fw`'s default for `layer` and its `also` parts (tf.compat.v1 GRUCell's candidate/kernel
    n beside gates/kernel r, z), one row each; [None] when `fw` has no such layer."""
    default = layer_default(fw, layer)
    return [default] if default is None else [default, *default.also]


def _row(
    fw: Framework,
    layer: Layer,
    he_std: float,
    glorot_std: float,
    with_explain: bool,
    default: LayerDefault | None = None,
) -> dict:
    """One framework's row for `layer`; `default`, an `also` part, is the row ``{layer}/{gates}``."""
    main = default is None or default is layer_default(fw, layer)
    base = {
        "layer": layer.name if main else f"{layer.name}/{default.concat.gates}",
        "framework": fw.name,
        "layer_init": default_init(fw, layer, default),
        "he_std": he_std,
        "glorot_std": glorot_std,
        "bias": default_bias(fw, layer, default),
        "bias_bound": bias_bound(fw, layer, default),
    }
    if default is None:
        return {**base, "layer_init": f"no {layer.label} layer", "bias": "—"}
    stats = default_stats(fw, layer, default)
    return {
        **base,
        **result_record(stats),
        "fan_in": stats.fan_in,
        "fan_out": stats.fan_out,
        "param": stats.value,
        "ratio_he": stats.std / he_std,
        "ratio_glorot": stats.std / glorot_std,
        **({"explain": explain_text(stats)} if with_explain else {}),
    }


def _unknown_row(module) -> dict:
    return {
        "layer": module.name,
        "framework": "—",
        "layer_init": f"not analysed: {module.reason}",
        "bias": "—",
    }


def _title(layers: Sequence[Layer]) -> str:
    if len(layers) > 1 or getattr(layers, "unknown", None):
        count = f"{len(layers)} layer" + ("" if len(layers) == 1 else "s")
        return f"{count} · default initialization of each framework"
    layer = layers[0]
    he = scheme_stats("he", layer.fan_in, layer.fan_out, "normal")
    glorot = scheme_stats("glorot", layer.fan_in, layer.fan_out, "normal")
    return (
        f"{layer_what(layer)} · fan_in {layer.fan_in} · fan_out {layer.fan_out} · "
        f"He std {he.std:.6g} · Glorot std {glorot.std:.6g}"
    )


def _notes(frameworks: Sequence[Framework], layers: Sequence[Layer], explain: bool) -> list[str]:
    recurrent = [layer for layer in layers if layer.recurrent]
    notes = []
    if len(recurrent) < len(layers):
        notes += [f"{fw.layer_names}: {fw.default_note}" for fw in frameworks]
        notes += [fw.bias_note for fw in frameworks if fw.bias_note]
    if recurrent:
        notes += [fw.recurrent_note for fw in frameworks if fw.recurrent_note]
    notes.append("÷ He: std / √(2/fan_in); ÷ Glorot: std / √(2/(fan_in + fan_out)), this layer's fans")
    notes += [
        _layer_note(layer, frameworks) for layer in layers if layer.kind in ("conv_transpose", "depthwise")
    ]
    reasons = {f"{o.init} on the {o.part}: {o.reason}" for layer in layers for o in layer.model_init}
    notes += [f"the model re-initializes: {reason}" for reason in sorted(reasons)]
    notes += [_concat_note(fw, layer) for layer in recurrent for fw in frameworks if _concatenated(fw, layer)]
    notes += list(getattr(layers, "notes", []))
    notes += _missing_note(frameworks, layers)
    if explain:
        notes += [
            explain_note(default_stats(fw, layer, part))
            for layer in layers
            for fw in frameworks
            if layer_default(fw, layer)
            for part in _parts(fw, layer)
        ]
    return list(dict.fromkeys(notes))


def _concatenated(fw: Framework, layer: Layer) -> bool:
    default = layer_default(fw, layer)
    return default is not None and default.concat is not None


def _concat_note(fw: Framework, layer: Layer) -> str:
    """Where `layer` sits in `fw`'s kernel(s) on [x, h], whose fans its row's numbers are:
    ``layer0.weight_ih_l0: haiku rows 0:128 (x) of hk.LSTM linear w (384, 1024) on [x, h]``."""
    parts = [
        (f"{part.concat.gates} " if part.concat.gates else "") + concat_rows(fw, layer, part)
        for part in _parts(fw, layer)
    ]
    return f"{layer.name}: {fw.name} " + "; ".join(parts)


def _layer_note(layer: Layer, frameworks: Sequence[Framework]) -> str:
    what = "transposed conv" if layer.kind == "conv_transpose" else "depthwise conv"
    fans = ", ".join(f"{fw.title} {framework_fans(layer, fw)[0]}" for fw in frameworks)
    layers = ", ".join(
        f"{fw.title} {layer_default(fw, layer).layer}" for fw in frameworks if layer_default(fw, layer)
    )
    return f"{layer.name}: {what} — fan_in is {fans} (each from its own weight layout: {layers})"


# Narrow terminals: draws (the weight init names it), fan_in (in the title), bound | σ, then the
# bias give way (std, ÷ He and ÷ Glorot stay).
DEFAULTS_COLUMNS = columns(
    ("framework", "framework", "str"),
    ("layer_init", "weight init", "str"),
    ("distribution", "draws", "str", 4),
    ("fan_in", "fan_in", "int", 3),
    ("param", "bound | σ", "g", 2),
    ("std", "std"),
    ("ratio_he", "÷ He", "ratio"),
    ("ratio_glorot", "÷ Glorot", "ratio"),
    ("bias", "bias", "str", 1),
)


def _many_layer_columns(recurrent: bool = False) -> list:
    """One row per layer × framework: a layer column, and no draws column to stay narrow. With
    recurrent layers ÷ He gives way first, so the bias (an LSTM's forget-gate bias) stays."""
    kept = [column for column in DEFAULTS_COLUMNS if column.key != "distribution"]
    if recurrent:
        kept = [_priority(column, {"ratio_he": 5}.get(column.key)) for column in kept]
    return [*columns(("layer", "layer", "name")), *kept]


def _priority(column, priority: int | None):
    if priority is None:
        return column
    return replace(column, drop=priority)


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
    ("bias_bound", "bias_bound"),
)
