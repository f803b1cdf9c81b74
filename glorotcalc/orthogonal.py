"""Drawing the initializers that are not variance scaling, and orthogonal weights through a network.

`orthogonal(rows, cols, gain, rng)` is what torch ``orthogonal_``, Keras ``Orthogonal`` and JAX
``jax.random.orthogonal`` do (torch 2.13 ``torch/nn/init.py``, Keras 3.15
``random_initializers.py``, JAX 0.10 ``jax/_src/random/core.py``): a Gaussian (max, min) matrix,
its QR factorization, Q's columns multiplied by the signs of R's diagonal (Mezzadri 2007: without
the fix Q is not Haar-distributed), transposed when rows < cols, × gain. The work is refused up
front beyond `MAX_ELEMENTS` (the memory of a few copies) or `MAX_FLOPS` (a few minutes of QR on
one core), naming both.

`sample_law` draws one tensor of each layer's shape (or `--samples` values of an elementwise law)
in chunks and sets its statistics beside the law's (`glorotcalc.laws.law_stats`); for orthogonal
draws also the largest |WWᵀ − gain²I| (or WᵀW) entry. `propagate_orthogonal` is the Monte Carlo of
Saxe et al. (2014): orthogonal weights beside a Gaussian of the same variance, gain²/max(out, in)
— the same mean field, but the orthogonal network keeps every input's norm (dynamical isometry)
while the Gaussian one spreads it.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from glorotcalc.errors import GlorotcalcError, UsageError
from glorotcalc.laws import STRUCTURED, InitLaw, LawInit, LawStats, law_stats, sparse_zeros
from glorotcalc.layers import Layer
from glorotcalc.report import Report, columns
from glorotcalc.stats import Moments

MAX_ELEMENTS = 1 << 26  # 64 Mi entries: 512 MiB per float64 copy
MAX_FLOPS = 2e12  # Householder QR, 2·m·n² flops: a few minutes at ~10 Gflop/s
CHUNK = 1 << 22
BAND_SE = 4


def _refuse_size(rows: int, cols: int) -> None:
    m, n = max(rows, cols), min(rows, cols)
    flops = 2.0 * m * n * n
    if m * n > MAX_ELEMENTS or flops > MAX_FLOPS:
        raise GlorotcalcError(
            f"an orthogonal {rows}×{cols} matrix needs {m * n:,} entries and {flops:.3g} flops of QR",
            None,
            f"at most {MAX_ELEMENTS:,} entries and {MAX_FLOPS:.0e} flops (a few minutes); refused before "
            "drawing",
        )


def orthogonal(rows: int, cols: int, gain: float, rng: np.random.Generator, dtype=np.float64) -> np.ndarray:
    """A Haar-random semi-orthogonal rows × cols matrix × gain (QR of a Gaussian, sign fix)."""
    _refuse_size(rows, cols)
    a = rng.standard_normal((max(rows, cols), min(rows, cols)))
    q, r = np.linalg.qr(a)
    q *= np.sign(np.diagonal(r))
    if rows < cols:
        q = q.T
    return (gain * q).astype(dtype, copy=False)


def gram_error(w: np.ndarray, gain: float) -> float:
    """Largest |WWᵀ − gain²I| entry (rows ≤ cols) or |WᵀW − gain²I| (rows > cols)."""
    w = np.asarray(w, dtype=np.float64)
    gram = w @ w.T if w.shape[0] <= w.shape[1] else w.T @ w
    gram[np.diag_indices_from(gram)] -= gain * gain
    return float(np.abs(gram).max())


def draw_law(law: InitLaw, shape: tuple[int, ...], rng: np.random.Generator, dtype=np.float64) -> np.ndarray:
    """One tensor of `shape` (the law's framework layout), drawn as its framework draws it."""
    stats = law_stats(law, shape)  # refuses what the framework refuses
    if law.kind == "orthogonal":
        rows, cols = stats.matrix
        axis = law.axis % len(shape)
        w = orthogonal(rows, cols, law.gain, rng, dtype)
        if law.kept_as == "rows":  # torch: (shape[0], rest)
            return w.reshape(shape)
        moved = (*shape[:axis], *shape[axis + 1 :], shape[axis])
        return np.moveaxis(w.reshape(moved), -1, axis)
    if law.kind == "delta_orthogonal":
        inp, out = shape[-2], shape[-1]
        w = np.zeros(shape, dtype)
        centre = tuple((k - 1) // 2 for k in shape[:-2])
        w[centre] = orthogonal(inp, out, law.gain, rng, dtype)
        return w
    if law.kind in ("eye", "dirac"):
        w = np.zeros(shape, dtype)
        if law.kind == "eye":
            w[np.arange(min(shape)), np.arange(min(shape))] = law.gain
            return w
        per = shape[0] // law.groups
        centre = tuple(k // 2 for k in shape[2:])
        for g in range(law.groups):
            for d in range(min(per, shape[1])):
                w[(g * per + d, d, *centre)] = 1.0
        return w
    if law.kind == "sparse":
        rows, cols = shape
        w = rng.normal(0.0, law.std, shape)
        zeros = sparse_zeros(law, rows)
        for col in range(cols):
            w[rng.permutation(rows)[:zeros], col] = 0.0
        return w.astype(dtype, copy=False)
    return _elementwise(law, math.prod(shape), rng).reshape(shape).astype(dtype, copy=False)


def draw_weight(
    stats: LawInit,
    size: int | tuple[int, ...],
    rng: np.random.Generator,
    dtype=np.float64,
    *,
    out: np.ndarray | None = None,
) -> np.ndarray:
    """propagate's weight from a law: a (fan_out, fan_in) matrix (torch's layout, as the Monte Carlo
    multiplies). Entries drawn one by one (uniform, normal, truncated) fill it in any layout; a law
    defined by the tensor's columns (sparse_) is drawn as its framework's 2-D tensor, transposed
    when that is stored (in, out)."""
    shape = (size,) if isinstance(size, (int, np.integer)) else tuple(size)
    law = stats.law
    if law.kind in STRUCTURED:
        w = draw_law(law, stats.shape, rng)
        w = w if w.shape == shape else w.T
    else:
        w = _elementwise(law, math.prod(shape), rng).reshape(shape)
    if out is None:
        return w.astype(dtype)
    out[...] = w
    return out


def _elementwise(law: InitLaw, n: int, rng: np.random.Generator) -> np.ndarray:
    if law.kind == "uniform":
        return rng.uniform(law.low, law.high, n)
    if law.kind == "normal":
        return rng.normal(law.mean, law.std, n)
    if law.kind == "constant":
        return np.full(n, law.value)
    out = rng.normal(law.mean, law.std, n)  # truncated: values outside [low, high] redrawn
    bad = (out < law.low) | (out > law.high)
    while bad.any():
        out[bad] = rng.normal(law.mean, law.std, int(bad.sum()))
        bad = (out < law.low) | (out > law.high)
    return out


def _std_se(stats: LawStats, n: int) -> float | None:
    """SE of the sample std: std·√((κ−1)/(4n)), κ the kurtosis (None: deterministic)."""
    if stats.excess_kurtosis is None or stats.std == 0:
        return None
    return stats.std * math.sqrt((stats.excess_kurtosis + 2) / (4 * n))


def sample_law(
    layers: list[Layer],
    law: InitLaw,
    shapes: list[tuple[int, ...]],
    *,
    samples: int | None,
    seed: int,
    dtype: str,
) -> Report:
    """``--sample --init NAME`` for a law: each layer's tensor drawn, its statistics beside the law's."""
    if samples is not None and law.kind in STRUCTURED:
        raise UsageError(
            "--samples", samples, f"{law.name} is defined by the tensor's shape: leave --samples out"
        )
    np_dtype = np.float32 if dtype == "float32" else np.float64
    rows, records = [], []
    for index, (layer, shape) in enumerate(zip(layers, shapes, strict=True)):
        stats = law_stats(law, shape)
        rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(index,)))
        n = samples if samples is not None else math.prod(shape)
        moments, gram = Moments(), None
        if law.kind in STRUCTURED:
            w = draw_law(law, shape, rng, np_dtype)
            moments = Moments.of(w)
            if law.kind == "orthogonal":
                gram = gram_error(_as_matrix(w, law, shape), law.gain)
            if law.kind == "delta_orthogonal":
                gram = gram_error(w[tuple((k - 1) // 2 for k in shape[:-2])], law.gain)
        else:
            for start in range(0, n, CHUNK):
                chunk = _elementwise(law, min(CHUNK, n - start), rng).astype(np_dtype)
                moments = moments.merge(Moments.of(chunk))
        se = _std_se(stats, n)
        verdict = _verdict(stats, moments, se)
        theory = {"source": "theory", "n": None, "mean": stats.mean, "std": stats.std, "min": stats.low}
        theory |= {"max": stats.high, "gram_error": 0.0 if stats.matrix else None, "verdict": ""}
        sample = {"source": "sample", "n": moments.n, "mean": moments.mean, "std": moments.std}
        sample |= {"min": moments.min, "max": moments.max, "gram_error": gram, "verdict": verdict}
        for row in (theory, sample):
            rows.append(
                {"layer": layer.name, "result": law.name if row is theory else f"n = {moments.n:,}", **row}
            )
        records.append(
            {"name": layer.name, "shape": list(shape), "theory": theory, "sample": sample, "std_se": se}
        )
    notes = [
        f"--init {law.call}: each layer's tensor drawn as its framework draws it, {dtype}, seed {seed}",
        *law_stats(law, shapes[0]).formula,
        f"verdict: the sample std within ±{BAND_SE} SE of the law's, SE = std·√((κ−1)/(4n)); min/max inside "
        "the support; a deterministic tensor must equal the law exactly",
    ]
    if law.kind in ("orthogonal", "delta_orthogonal"):
        notes.append("gram: the largest |WWᵀ − gain²I| (rows ≤ cols) or |WᵀW − gain²I| entry, float64")
    return Report(
        kind="sample",
        title=f"sample · {law.call}",
        columns=[*([] if len(layers) == 1 else columns(("layer", "layer", "name"))), *SAMPLE_COLUMNS],
        rows=rows,
        document={"init": law.call, "seed": seed, "dtype": dtype, "layers": records},
        notes=notes,
        csv_columns=[
            *columns(("layer", "layer", "str"), ("source", "source", "str"), ("n", "n", "int")),
            *SAMPLE_COLUMNS[2:],
        ],
        value_hint="--value does not combine with --sample; use --format json or csv",
    )


def _as_matrix(w: np.ndarray, law: InitLaw, shape: tuple[int, ...]) -> np.ndarray:
    if law.kept_as == "rows":
        return w.reshape(shape[0], -1)
    return np.moveaxis(w, law.axis % len(shape), -1).reshape(-1, shape[law.axis])


def _verdict(stats: LawStats, moments: Moments, se: float | None) -> str:
    inside = (stats.low is None or moments.min >= stats.low - 1e-6 * abs(stats.low)) and (
        stats.high is None or moments.max <= stats.high + 1e-6 * abs(stats.high)
    )
    if se is None:
        exact = math.isclose(moments.mean, stats.mean, rel_tol=1e-6, abs_tol=1e-9) and math.isclose(
            moments.std, stats.std, rel_tol=1e-6, abs_tol=1e-9
        )
        return "exact" if exact and inside else "outside"
    return "within" if abs(moments.std - stats.std) <= BAND_SE * se and inside else "outside"


SAMPLE_COLUMNS = columns(
    ("result", "result", "str"),
    ("source", "", "str"),
    ("mean", "mean", "g", 2),
    ("std", "std"),
    ("min", "min", "g", 1),
    ("max", "max", "g", 1),
    ("gram_error", "gram", "g", 3),
    ("verdict", "verdict", "str"),
)


# ── orthogonal weights through a network (Saxe et al. 2014) ─────────────────────────────────────


def _second_moments(activation, q: float) -> tuple[float, float]:
    """E[φ(√q·z)²], E[φ′(√q·z)²] for z ~ N(0, 1), by Gauss–Hermite (probabilists') quadrature."""
    from glorotcalc.activations import evaluate

    z, weights = np.polynomial.hermite_e.hermegauss(120)
    weights = weights / weights.sum()
    value, slope = evaluate(activation, math.sqrt(q) * z)
    return float(weights @ (value * value)), float(weights @ (slope * slope))


def propagate_orthogonal(layers: list[Layer], law: InitLaw, *, batch: int, seed: int, dtype: str) -> Report:
    """``propagate --init orthogonal…``: mean field, then the Monte Carlo twice — orthogonal weights,
    and a Gaussian of the same variance gain²/max(out, in) — with the spread of the per-input norm
    ratio ‖h‖/‖x‖ (log std over the batch): 0 for a square orthogonal linear network."""
    if batch < 1:
        raise UsageError("--batch", batch, "must be a positive integer")
    for layer, previous in zip(layers[1:], layers, strict=False):
        if layer.fan_in != previous.fan_out:
            raise UsageError(f"{layer.name}: fan_in", layer.fan_in, "must be the previous layer's fan_out")
    np_dtype = np.float32 if dtype == "float32" else np.float64
    widths = [layers[0].fan_in, *(layer.fan_out for layer in layers)]
    size = batch * sum(widths) + max(a * b for a, b in itertools.pairwise(widths))
    if size > MAX_ELEMENTS:
        raise GlorotcalcError(f"propagation of {size:,} values", None, f"at most {MAX_ELEMENTS:,}")
    rng = np.random.default_rng(seed)
    x0 = rng.standard_normal((batch, widths[0])).astype(np_dtype)
    g_top = rng.standard_normal((batch, widths[-1])).astype(np_dtype)
    weights = {"orthogonal": [], "gaussian": []}
    for index, layer in enumerate(layers):
        out, inp = layer.fan_out, layer.fan_in
        layer_rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(index,)))
        weights["orthogonal"].append(orthogonal(out, inp, law.gain, layer_rng, np_dtype))
        sigma = abs(law.gain) / math.sqrt(max(out, inp))
        weights["gaussian"].append((sigma * layer_rng.standard_normal((out, inp))).astype(np_dtype))
    runs = {name: _run(layers, ws, x0, g_top) for name, ws in weights.items()}
    rows, q, ex2 = [], None, 1.0
    chis = []
    for index, layer in enumerate(layers):
        variance = law.gain**2 / max(layer.fan_out, layer.fan_in)
        q = variance * layer.fan_in * ex2
        ex2, slope2 = _second_moments(layer.activation, q)
        chis.append(variance * layer.fan_out * slope2)
        orth, gauss = runs["orthogonal"][index], runs["gaussian"][index]
        rows.append(
            {
                "layer": layer.name,
                "fans": f"{layer.fan_in}→{layer.fan_out}",
                "activation": str(layer.activation),
                "variance": variance,
                "fwd_std": math.sqrt(q),
                "fwd_std_orthogonal": orth["fwd_std"],
                "fwd_std_gaussian": gauss["fwd_std"],
                "spread_orthogonal": orth["spread"],
                "spread_gaussian": gauss["spread"],
                "grad_std_orthogonal": orth["grad_std"],
                "grad_std_gaussian": gauss["grad_std"],
            }
        )
    grad = 1.0
    for row, chi in zip(reversed(rows), reversed(chis), strict=True):
        grad *= chi
        row["grad_std"] = math.sqrt(grad)
    notes = [
        f"--init {law.call}: orthogonal weights (QR with the sign fix) beside N(0, gain²/max(out, in)), "
        "the same variance: one mean field, two Monte Carlo networks (Saxe et al. 2014)",
        "fwd std: std of y = W·x (mean field √q, q = Var·fan_in·E[x²]); grad std: ∂L/∂x at the layer's input",
        "spread: std over the batch of log(‖y‖/‖x₀‖) — 0 when every input keeps its norm (a square "
        "orthogonal linear network: dynamical isometry); a Gaussian network's grows like √(depth/width)",
        f"Monte Carlo: {batch} N(0, 1) inputs and output gradients, {dtype}, seed {seed}, zero biases",
    ]
    if law.kind == "delta_orthogonal":
        notes.append(
            "delta-orthogonal: each conv propagates as a dense fan_in → fan_out map, an orthogonal matrix "
            "of the kernel's variance gain²/fan_out; it keeps each input's norm as the kernel's one "
            "orthogonal tap keeps each position's"
        )
    return Report(
        kind="propagation",
        title=f"propagation · {len(layers)} layers · batch {batch} · {dtype} · orthogonal vs Gaussian",
        columns=PROPAGATE_COLUMNS,
        rows=rows,
        document={"init": law.call, "batch": batch, "seed": seed, "dtype": dtype, "layers": rows},
        notes=notes,
        csv_columns=PROPAGATE_CSV_COLUMNS,
        value_hint="--value does not apply to propagate",
    )


def _run(layers: list[Layer], weights: list[np.ndarray], x0: np.ndarray, g_top: np.ndarray) -> list[dict]:
    from glorotcalc.activations import backward, forward

    x, norms0 = x0, np.linalg.norm(x0.astype(np.float64), axis=1)
    out, derivatives = [], []
    for layer, w in zip(layers, weights, strict=True):
        h = x @ w.T
        norms = np.linalg.norm(h.astype(np.float64), axis=1)
        spread = float(np.std(np.log(norms / norms0))) if np.all(norms > 0) else math.inf
        out.append({"fwd_std": float(h.std(dtype=np.float64)), "spread": spread})
        derivatives.append(forward(layer.activation, h))
        x = h
    g = g_top.copy()
    for index in reversed(range(len(layers))):
        backward(g, derivatives[index])
        g = g @ weights[index]
        out[index]["grad_std"] = float(g.std(dtype=np.float64))
    return out


PROPAGATE_COLUMNS = columns(
    ("layer", "layer", "name"),
    ("fans", "fans", "str", 2),
    ("fwd_std", "fwd std"),
    ("fwd_std_orthogonal", "orth MC", "g4"),
    ("fwd_std_gaussian", "gauss MC", "g4"),
    ("spread_orthogonal", "orth spread", "g4", 1),
    ("spread_gaussian", "gauss spread", "g4", 1),
    ("grad_std", "grad std", "g4", 3),
    ("grad_std_orthogonal", "grad orth", "g4", 3),
    ("grad_std_gaussian", "grad gauss", "g4", 3),
)
PROPAGATE_CSV_COLUMNS = columns(
    ("layer", "layer", "str"),
    ("fans", "fans", "str"),
    ("activation", "activation", "str"),
    ("variance", "variance"),
    ("fwd_std", "fwd_std"),
    ("fwd_std_orthogonal", "fwd_std_orthogonal"),
    ("fwd_std_gaussian", "fwd_std_gaussian"),
    ("spread_orthogonal", "spread_orthogonal"),
    ("spread_gaussian", "spread_gaussian"),
    ("grad_std", "grad_std"),
    ("grad_std_orthogonal", "grad_std_orthogonal"),
    ("grad_std_gaussian", "grad_std_gaussian"),
)
