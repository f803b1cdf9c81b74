"""Structured initializations in a weights file: orthogonal, identity, dirac, sparse.

Their moments alone do not tell them apart from a variance-scaling draw (a square orthogonal
matrix's entries look like LeCun's normal), so `recognize` reads the tensor a second time, in the
same chunks, and tests the structure itself, each with the evidence it used:

- **orthogonal** (torch ``orthogonal_``, Keras ``Orthogonal``, JAX ``orthogonal``): the tensor as
  torch flattens it, (shape[0], rest), or as Keras/JAX do, (prod(shape[:-1]), shape[-1]); its
  smaller Gram matrix (WWᵀ or WᵀW) equals gain²·I to within the dtype's rounding — a Gaussian
  matrix's off-diagonal entries are ≈ gain²/√rows, orders of magnitude larger. Tensors of at most
  `MAX_ELEMENTS` entries (the Gram needs the whole matrix).
- **identity** (torch ``eye_``, Keras ``Identity(gain)``): 2-D, every nonzero value is one g on
  the diagonal, min(rows, cols) of them.
- **dirac** (torch ``dirac_(groups)``): (out, in, *k) of rank 3–5, ones at [g·out/groups + d, d,
  k//2, …] for d < min(out/groups, in), zeros elsewhere.
- **sparse** (torch ``sparse_(sparsity, std)``): 2-D, every column holds the same number z ≥ 1
  of exact zeros, z = ceil(sparsity·rows) for some sparsity; the nonzeros' std is the ``std``.
"""

from __future__ import annotations

import math

import numpy as np

MAX_ELEMENTS = 1 << 22  # the Gram test holds the tensor in float64: 32 MiB
ROUNDING = {"float16": 2.0**-11, "bfloat16": 2.0**-8, "float32": 2.0**-24, "float64": 2.0**-53}


def _values(tensor, chunk: int, n: int) -> np.ndarray:
    """The tensor's values in one float64 array, filled chunk by chunk (no second copy)."""
    out, start = np.empty(n), 0
    for part in tensor.read(chunk):
        part = np.asarray(part).ravel()
        out[start : start + part.size] = part
        start += part.size
    return out


def recognize(tensor, sample, chunk: int) -> tuple[str, str] | None:
    """(match label, evidence) when `tensor` is orthogonal, an identity, a dirac or sparse; else None.

    `sample` is the first pass's `audit.Sample` (its min, max, mean, std), so the second read
    happens only when the values could have that structure.
    """
    shape = tuple(tensor.shape)
    if len(shape) < 2 or sample.n == 0 or sample.nonfinite or sample.min == sample.max:
        return None
    n = math.prod(shape)
    two_values = sample.min == 0 or sample.max == 0
    if n <= MAX_ELEMENTS:
        w = _values(tensor, chunk, n).reshape(shape, order="F" if getattr(tensor, "fortran", False) else "C")
        found = _identity(w) if two_values else None
        found = found or (_dirac(w) if two_values else None)
        found = found or _orthogonal(w, tensor.dtype)
        return found or _sparse(w)
    return None


def _identity(w: np.ndarray) -> tuple[str, str] | None:
    if w.ndim != 2:
        return None
    rows, cols = w.shape
    k = min(rows, cols)
    diagonal = w[np.arange(k), np.arange(k)]
    gain = float(diagonal[0])
    if gain == 0 or not np.all(diagonal == gain) or np.count_nonzero(w) != k:
        return None
    label = "identity" if gain == 1 else f"identity × {gain:.6g}"
    where = f"on the diagonal of {rows}×{cols}, zeros elsewhere (torch eye_, Keras Identity)"
    return label, f"{k} values {gain:.6g} {where}"


def _dirac(w: np.ndarray) -> tuple[str, str] | None:
    if w.ndim not in (3, 4, 5):
        return None
    out, inp = w.shape[:2]
    centre = tuple(k // 2 for k in w.shape[2:])
    ones = np.count_nonzero(w)
    for groups in range(1, out + 1):
        if out % groups:
            continue
        per = out // groups
        d = min(per, inp)
        if groups * d != ones:
            continue
        expected = np.zeros_like(w)
        for g in range(groups):
            for i in range(d):
                expected[(g * per + i, i, *centre)] = 1.0
        if np.array_equal(w, expected):
            label = "dirac" if groups == 1 else f"dirac (groups={groups})"
            return label, f"{ones} ones at kernel index k//2 = {centre}, zeros elsewhere (torch dirac_)"
    return None


def orthogonal_error(matrix: np.ndarray) -> tuple[float, float]:
    """(gain, largest |G − gain²I| / gain²) of the smaller Gram matrix G of `matrix`."""
    peak = float(np.abs(matrix).max())
    if not 0 < peak < math.inf:
        return 0.0, math.inf
    unit = matrix / peak  # scale-free: no overflow for |w| near 1e300, no underflow near 1e-300
    gram = unit @ unit.T if unit.shape[0] <= unit.shape[1] else unit.T @ unit
    g2 = float(np.mean(np.diagonal(gram)))
    if not g2 > 0:
        return 0.0, math.inf
    gram[np.diag_indices_from(gram)] -= g2
    return peak * math.sqrt(g2), float(np.abs(gram).max()) / g2


def _orthogonal(w: np.ndarray, dtype: str) -> tuple[str, str] | None:
    flattenings = (
        ("torch orthogonal_ (shape[0], rest)", w.reshape(w.shape[0], -1)),
        ("Keras/JAX Orthogonal (prod(shape[:-1]), shape[-1])", w.reshape(-1, w.shape[-1])),
    )
    eps = ROUNDING.get(dtype, 2.0**-24)
    hits = []
    for how, matrix in flattenings:
        rows, cols = matrix.shape
        if min(rows, cols) < 2:
            continue
        # a factorization computed in the stored dtype is orthogonal to ~√n·eps (and storing rounds
        # each value by ≤ eps, moving Σ w_i·w_j by ≤ 2·eps·gain²)
        tolerance = 8 * eps * math.sqrt(max(rows, cols))
        gaussian = 1 / math.sqrt(max(rows, cols))  # a Gaussian Gram's typical off-diagonal ÷ gain²
        if tolerance > gaussian / 4:
            continue  # the dtype is too coarse to tell
        gain, error = orthogonal_error(matrix)
        if error <= tolerance:
            side = "rows" if rows <= cols else "columns"
            gram = "WWᵀ" if rows <= cols else "WᵀW"
            evidence = (
                f"as {how} = {rows}×{cols}: orthonormal {side} × gain {gain:.6g}, largest |{gram} − gain²I| "
                f"= {error:.3g}·gain² (≤ {tolerance:.3g}, {dtype} rounding; a Gaussian's is ~{gaussian:.3g})"
            )
            hits.append((min(rows, cols), f"orthogonal (gain {gain:.4g})", evidence))
    if not hits:
        return None
    # both flattenings can hold (blocks of orthonormal rows are orthogonal): the one with more
    # orthonormal vectors is the stronger evidence, and the one the tensor was made with
    hits.sort(key=lambda hit: -hit[0])
    return hits[0][1], hits[0][2]


def _sparse(w: np.ndarray) -> tuple[str, str] | None:
    if w.ndim != 2:
        return None
    rows = w.shape[0]
    zeros = np.count_nonzero(w == 0, axis=0)
    z = int(zeros[0])
    if z < 1 or z >= rows or not np.all(zeros == z):
        return None
    nonzero = w[w != 0]
    std = float(np.sqrt(np.mean(nonzero**2)))
    sparsity = z / rows  # the smallest s with ceil(s·rows) = z
    return (
        f"sparse ({sparsity:.3g}, std {std:.3g})",
        f"every column has {z} of {rows} entries exactly 0 (sparsity ≤ {sparsity:.3g}: torch sparse_ zeros "
        f"ceil(sparsity·rows) per column); the nonzeros' rms {std:.6g}",
    )
