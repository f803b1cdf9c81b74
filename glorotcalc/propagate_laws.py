"""``propagate --init NAME`` for the initializers that are not variance scaling (`glorotcalc.laws`).

What each law does in a network, and what glorotcalc answers:

- **zero-mean laws** — normal N(0, σ²), symmetric uniform U(−a, a), a truncated normal cut
  symmetrically about 0, sparse (ceil(sparsity·rows) zeros per column of N(0, σ²)): the mean field
  of `glorotcalc.propagate` with Var(W) = the law's realized variance (`laws.law_stats`: σ², a²/3,
  σ²·(truncated std)², σ²·(nonzero fraction)). It is fixed, not scaled by the fans, so each layer
  multiplies the pre-activation variance by Var·fan_in·E[φ²]/q — for N(0, s²) over L linear
  layers of width n, (n·s²)^L. The notes set Var·fan_in beside what the scheme recommended for
  the activation (He 2 for relu, Glorot/LeCun 1 for linear) gives. The Monte Carlo draws the
  weights from the law itself (`LawInit` → ``sampling.draw`` → ``orthogonal.draw_weight``).
- **orthogonal, delta-orthogonal**: `orthogonal.propagate_orthogonal` (beside a Gaussian of the
  same variance; delta-orthogonal conv kernels as their dense orthogonal map).
- **refused** (one line, exit 2): a law with a non-zero mean m (torch ``uniform_()`` U(0, 1), JAX
  ``uniform`` U[0, s), constants, ``normal_(m, s)``): the recursion assumes zero-mean weights — a
  mean adds m·Σx to every pre-activation, a shift common to the layer's units that no variance
  recursion carries. All-zero weights (``zeros``, σ = 0): no signal passes, every pre-activation
  and gradient is 0. Identities (``eye_``, ``Identity``, ``dirac_``): deterministic maps — a square
  layer passes x through ×gain, so the network is φ applied elementwise layer after layer, the
  pre-activation is not Gaussian after the first layer and there is no variance recursion to run.

>>> from glorotcalc.layers import dense
>>> law = InitLaw("torch.nn.init.normal_(std=0.1)", "normal_(std=0.1)", ("torch",), "normal", std=0.1)
>>> round(law_init(law, dense(256, 256)).variance * 256, 6)
2.56
"""

from __future__ import annotations

import math

from glorotcalc.errors import UsageError
from glorotcalc.laws import InitLaw, LawInit, describe, law_stats
from glorotcalc.layers import Layer
from glorotcalc.report import Report

ZERO_MEAN = 1e-12  # |mean| below this fraction of the rms is rounding (symmetric truncation)
DRAWN = ("uniform", "normal", "truncated", "sparse")  # elementwise or columnwise random laws
ORTHOGONAL = ("orthogonal", "delta_orthogonal")


def _shape(law: InitLaw, layer: Layer) -> tuple[int, ...]:
    from glorotcalc.frameworks import framework_shape, spec_framework

    return framework_shape(layer, spec_framework(law))


def _refuse(law: InitLaw, why: str) -> UsageError:
    return UsageError("propagate --init", law.call, why)


def check_law(law: InitLaw, layers: list[Layer]) -> None:
    """Refuse, in one line, a law propagate cannot follow (or its framework refuses for a layer)."""
    stats = [law_stats(law, _shape(law, layer)) for layer in layers]  # the framework's own refusals
    if law.kind in ("eye", "dirac"):
        raise _refuse(
            law,
            "an identity map, not a random law: each layer passes x through (×gain), so the network is "
            "φ applied elementwise layer after layer — no variance recursion to run (orthogonal_ is the "
            "random norm-keeping init)",
        )
    first = stats[0]
    if first.std == 0 and first.mean == 0:
        raise _refuse(law, "every weight is 0: no signal passes (every pre-activation and gradient is 0)")
    if abs(first.mean) > ZERO_MEAN * math.hypot(first.mean, first.std):
        raise _refuse(
            law,
            f"its weights have mean {first.mean:.6g} ({describe(law)}); the mean-field recursion assumes "
            "zero-mean weights (a law centred on 0: symmetric bounds, mean 0)",
        )


def orthogonal_propagation(
    law: InitLaw, layers: list[Layer], *, batch: int, seed: int, dtype: str
) -> Report | None:
    """The report of an orthogonal law (None: a zero-mean law, which the mean-field pipeline follows)."""
    check_law(law, layers)
    if law.kind not in ORTHOGONAL:
        return None
    from glorotcalc.orthogonal import propagate_orthogonal

    return propagate_orthogonal(layers, law, batch=batch, seed=seed, dtype=dtype)


def law_init(law: InitLaw, layer: Layer) -> LawInit:
    """The layer's initialization from a zero-mean law: its realized variance, fixed for every fan."""
    shape = _shape(law, layer)
    stats = law_stats(law, shape)
    variance = stats.std**2
    return LawInit(
        scheme=law.name,
        distribution=law.kind,
        mode="fixed",
        fan_in=layer.fan_in,
        fan_out=layer.fan_out,
        n=1.0,
        gain=1.0,
        gain_source="fixed by the law",
        scale=variance,
        variance=variance,
        std=stats.std,
        bound=stats.max_abs,
        sampler_std=law.std or None,
        law=law,
        shape=shape,
    )


def law_notes(law: InitLaw, steps) -> list[str]:
    """The init note and, per group of layers, Var·fan_in beside the recommended scheme's."""
    from glorotcalc.results import stats_for
    from glorotcalc.schemes import recommended_scheme

    variances = dict.fromkeys(f"{step.stats.variance:.6g}" for step in steps)
    notes = [
        f"init (--init {law.call}): {describe(law)}, Var(W) = {' / '.join(variances)} whatever the fans "
        "(not variance scaling); the Monte Carlo draws the weights from the law"
    ]
    groups: dict[tuple, list[str]] = {}
    for step in steps:
        layer = step.layer
        scheme, distribution = recommended_scheme(step.activation)
        recommended = stats_for(layer, scheme, distribution or "normal").variance * layer.fan_in
        key = (step.stats.variance * layer.fan_in, scheme, str(step.activation), recommended)
        groups.setdefault(key, []).append(layer.name)
    for (factor, scheme, activation, recommended), names in groups.items():
        where = names[0] if len(names) == 1 else f"{names[0]}…{names[-1]}"
        notes.append(
            f"gain factor Var·fan_in = {factor:.6g} ({where}); {scheme}, recommended for {activation}, "
            f"has {recommended:.6g}: ×{factor / recommended:.4g} its weight variance, compounding with depth"
        )
    return notes
