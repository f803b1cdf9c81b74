"""One layer × one initialization → `InitStats`, and the records every analysis shares.

The layer is fully resolved (its activation, an explicit gain and mode are on it), so a result
depends only on the layer, the scheme and the distribution:

- gain: the layer's ``--gain``; else gain 1 for selu under LeCun (Klambauer et al. 2017); else the
  gain of the layer's activation when one was given; else the scheme's own (glorot 1, he √2,
  lecun 1).
- mode: the layer's ``--mode`` for he and lecun; glorot is fan_avg by definition.
"""

from __future__ import annotations

from collections.abc import Sequence

from glorotcalc.errors import UsageError
from glorotcalc.gain import Gain, resolve_gain
from glorotcalc.layers import Layer
from glorotcalc.schemes import TRUNCATED_STD, InitStats, recommended_scheme, scheme_stats

ALL_SCHEMES = ("glorot", "he", "lecun")
ALL_DISTRIBUTIONS = ("uniform", "normal", "truncated")


def layer_gain(layer: Layer, scheme: str) -> Gain | None:
    """The gain `scheme` uses for `layer` (None: the scheme's own)."""
    if layer.gain is not None:
        return layer.gain
    if layer.activation.name == "selu" and scheme == "lecun":
        return Gain(1.0, "selu → lecun (Klambauer et al. 2017)")
    if layer.activation_given:
        return resolve_gain(layer.activation)
    return None


def layer_mode(layer: Layer, scheme: str) -> str | None:
    """--mode applies to he and lecun; glorot is fan_avg by definition (its row shows it)."""
    return None if scheme == "glorot" else layer.mode


def check_mode(mode: str | None, schemes: Sequence[str]) -> None:
    """A mode other than fan_avg for glorot alone is an error, not ignored."""
    if mode not in (None, "fan_avg") and tuple(schemes) == ("glorot",):
        raise UsageError(
            "--mode", mode, "glorot is fan_avg by definition; --mode applies to --scheme he or lecun"
        )


def stats_for(layer: Layer, scheme: str, distribution: str) -> InitStats:
    """`scheme` × `distribution` for `layer`, with the layer's gain and mode."""
    return scheme_stats(
        scheme,
        layer.fan_in,
        layer.fan_out,
        distribution,
        gain=layer_gain(layer, scheme),
        mode=layer_mode(layer, scheme),
    )


def layer_schemes(layer: Layer, schemes: tuple[str, ...] | None) -> list[tuple[str, str | None]]:
    """(scheme, distribution) pairs for `layer`: the selected schemes, or the one recommended for its
    activation — with the distribution when the paper fixes one (selu → lecun normal)."""
    if schemes is not None:
        return [(s, None) for s in schemes]
    return [recommended_scheme(layer.activation)]


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


def shape_text(shape: tuple[int, ...]) -> str:
    return "×".join(map(str, shape)) if shape else "()"


def layer_what(layer: Layer) -> str:
    """``dense 784 → 256``, ``conv2d 32 → 64``, ``weight 64×3×3×3``."""
    if layer.kind == "weight":
        return f"weight {shape_text(layer.shape)}"
    if layer.in_channels:
        return f"{layer.label} {layer.in_channels} → {layer.out_channels}"
    return layer.label


def layer_title(layer: Layer) -> str:
    fans = (
        f"weight {shape_text(layer.shape)} ({layer.layout} layout) · fan_in {layer.fan_in} · "
        f"fan_out {layer.fan_out}"
    )
    if layer.kind == "dense":
        return f"dense {layer.fan_in} → {layer.fan_out} · {fans}"
    return fans if layer.kind == "weight" else f"{layer.kind} · {fans}"


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


def gain_notes(results: list[InitStats], layers: Sequence[Layer] = ()) -> list[str]:
    """Where each scheme's gain came from; an explicit --gain says which activation it overrode."""
    sources = sorted({f"{r.scheme}: gain {r.gain:.6g} from {r.gain_source}" for r in results})
    notes = ["gain — " + "; ".join(sources)]
    overridden = sorted(
        {str(layer.activation) for layer in layers if layer.gain is not None and layer.activation_given}
    )
    if overridden:
        notes.append(
            f"--gain sets the gain; the activation ({', '.join(overridden)}) does not change it "
            "(it still picks the recommended scheme)"
        )
    return notes
