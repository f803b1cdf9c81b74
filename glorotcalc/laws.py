"""Initializers that are not variance scaling: the law of their entries, from the formula alone.

An `InitLaw` is one of them resolved from its framework's name (`glorotcalc.initnames`): fixed
distributions (uniform, normal, truncated normal), constants, identities (eye, dirac), orthogonal
matrices (orthogonal, delta-orthogonal) and torch's sparse init. `law_stats(law, shape)` gives,
for a tensor of `shape` in the law's framework layout, the mean, std (over the tensor's entries),
support and largest |w|, the excess kurtosis, and the formula with the numbers — or the one-line
refusal the framework itself gives for that shape. Pure: ``math`` only.

Sources, read for every rule here (the library wins where a page says otherwise):

- torch 2.13 ``torch/nn/init.py``: ``uniform_(a=0.0, b=1.0)`` is U(a, b); ``normal_(mean=0.0,
  std=1.0)``; ``trunc_normal_(mean=0.0, std=1.0, a=-2.0, b=2.0)`` redraws values outside [a, b],
  **a and b absolute** (no variance correction); ``constant_(val)``, ``ones_``, ``zeros_``;
  ``eye_`` only 2-D (``ValueError: Only tensors with 2 dimensions are supported``), ones at
  [i, i] for i < min(rows, cols); ``dirac_(groups=1)`` only 3-, 4-, 5-D, ``shape[0] %% groups ==
  0``, a 1 at [g·out/groups + d, d, k//2, …] for d < min(out/groups, in); ``orthogonal_(gain=1)``:
  rank ≥ 2, the matrix (shape[0], numel/shape[0]), QR of a Gaussian with the sign fix, × gain;
  ``sparse_(sparsity, std=0.01)``: 2-D only, N(0, std²) with ceil(sparsity·rows) entries of each
  column set to zero.
- Keras 3.15 ``keras/src/initializers/random_initializers.py``: ``RandomNormal(mean=0.0,
  stddev=0.05)``, ``RandomUniform(minval=-0.05, maxval=0.05)``, ``TruncatedNormal(mean=0.0,
  stddev=0.05)`` (values beyond 2·stddev from the mean redrawn, **no correction**: realized std
  0.8796·stddev), ``Orthogonal(gain=1.0)`` (rank ≥ 2, the matrix (prod(shape[:-1]), shape[-1]));
  ``constant_initializers.py``: ``Zeros``, ``Ones``, ``Constant(value=0.0)``, ``Identity(gain=1.0)``
  (2-D only: gain·eye(*shape)).
- JAX 0.10 ``jax/_src/nn/initializers.py``: ``uniform(scale=1e-2)`` is U[0, scale) (not
  symmetric), ``normal(stddev=1e-2)``, ``truncated_normal(stddev=1e-2, dtype, lower=-2.0,
  upper=2.0)`` (lower and upper in units of stddev, no correction), ``constant(value)``, ``zeros``,
  ``ones``, ``orthogonal(scale=1.0, column_axis=-1)`` (the matrix (numel/shape[column_axis],
  shape[column_axis]) from ``jax.random.orthogonal``, QR with the sign fix), ``delta_orthogonal(
  scale=1.0, column_axis=-1)`` (3-, 4-, 5-D, shape[-1] ≥ shape[-2]: an orthogonal (in, out) matrix
  at kernel index (k−1)//2 of every spatial axis, zeros elsewhere).

A semi-orthogonal m × s matrix (orthonormal columns when s ≤ m, rows otherwise) holds min(m, s)
unit vectors, so its entries' mean square is gain²·min/(m·s) = gain²/max(m, s) (Saxe et al. 2014):
RMS gain/√max(rows, cols), and |w| ≤ |gain|.

>>> law = InitLaw("torch.nn.init.uniform_()", "uniform_()", ("torch",), "uniform", low=0.0, high=1.0)
>>> law_stats(law, (256, 784)).mean
0.5
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from glorotcalc.errors import UsageError
from glorotcalc.schemes import InitStats

KINDS = (
    "uniform",
    "normal",
    "truncated",
    "constant",
    "eye",
    "dirac",
    "orthogonal",
    "delta_orthogonal",
    "sparse",
)
STRUCTURED = ("eye", "dirac", "orthogonal", "delta_orthogonal", "sparse")  # defined by the shape
RANDOM = ("uniform", "normal", "truncated", "orthogonal", "delta_orthogonal", "sparse")


@dataclass(frozen=True)
class InitLaw:
    """A named initializer that is not variance scaling, in its framework's semantics.

    Parameters are absolute: ``low``/``high`` bound a uniform or a truncated normal (Keras's ±2
    stddev and JAX's lower·stddev are converted), ``mean``/``std`` are the (untruncated) normal's,
    ``axis`` is the axis an orthogonal init keeps whole (torch 0, Keras −1, JAX ``column_axis``),
    ``centre`` how a delta kernel picks its spatial index (``k//2`` torch dirac_, ``(k-1)//2`` JAX
    delta_orthogonal).
    """

    call: str
    name: str
    frameworks: tuple[str, ...]
    kind: str
    low: float | None = None
    high: float | None = None
    mean: float = 0.0
    std: float = 0.0
    value: float = 0.0
    gain: float = 1.0
    axis: int = 0
    groups: int = 1
    sparsity: float = 0.0
    centre: str = "k//2"
    kept_as: str = "cols"  # orthogonal: the kept axis is the matrix's columns (Keras, JAX) or rows (torch)
    matrix_text: str = ""  # how its framework writes the matrix it forms, e.g. (shape[0], rest)
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def scheme(self) -> str:
        return self.kind


@dataclass(frozen=True)
class LawInit(InitStats):
    """A zero-mean law as an initialization propagate follows: `variance` is the law's realized
    variance (the same for every fan: mode ``fixed``), with the law and the tensor `shape` in its
    framework layout; ``sampling.draw`` draws it from the law (``orthogonal.draw_weight``)."""

    law: InitLaw | None = None
    shape: tuple[int, ...] = ()


@dataclass(frozen=True)
class LawStats:
    """The entries of one tensor initialized by an `InitLaw`."""

    law: InitLaw
    shape: tuple[int, ...]
    mean: float
    std: float
    low: float | None  # the support's smallest value (None: unbounded)
    high: float | None
    max_abs: float | None  # largest possible |w| (None: unbounded)
    excess_kurtosis: float | None  # None: deterministic (no sampling error)
    formula: tuple[str, ...]
    matrix: tuple[int, int] | None = None  # orthogonal: (rows, cols) of the matrix formed
    nonzero: int | None = None  # eye, dirac, sparse: entries that are not 0

    @property
    def numel(self) -> int:
        return math.prod(self.shape)

    @property
    def random(self) -> bool:
        return self.law.kind in RANDOM and self.std > 0


def _g(value: float) -> str:
    return f"{value:.6g}"


def _phi(x: float) -> float:
    return 0.0 if math.isinf(x) else math.exp(-x * x / 2) / math.sqrt(2 * math.pi)


def _mass(alpha: float, beta: float) -> float:
    """P(α < Z < β) for Z ~ N(0, 1), accurate in either tail (erfc, not a difference of erfs)."""
    if alpha >= 0:
        return (math.erfc(alpha / math.sqrt(2)) - math.erfc(beta / math.sqrt(2))) / 2
    if beta <= 0:
        return (math.erfc(-beta / math.sqrt(2)) - math.erfc(-alpha / math.sqrt(2))) / 2
    return (math.erf(beta / math.sqrt(2)) - math.erf(alpha / math.sqrt(2))) / 2


def truncated_moments(alpha: float, beta: float) -> tuple[float, float, float]:
    """(mean, std, excess kurtosis) of N(0, 1) truncated to (α, β), from the raw moments.

    m₀ = 1, m₁ = (φ(α) − φ(β))/Z, m_k = (k−1)·m_{k−2} + (α^{k−1}φ(α) − β^{k−1}φ(β))/Z with
    Z = Φ(β) − Φ(α) (integration by parts of z^{k−1}·zφ(z)); central moments from m₁…m₄.
    """
    z = _mass(alpha, beta)
    if not z > 0:
        raise UsageError(
            f"the truncation interval (α, β) = ({_g(alpha)}, {_g(beta)}) in std units", None, "holds no mass"
        )

    def edge(power: int) -> float:
        a = 0.0 if math.isinf(alpha) else alpha**power * _phi(alpha)
        b = 0.0 if math.isinf(beta) else beta**power * _phi(beta)
        return (a - b) / z

    m = [1.0, edge(0)]
    for k in range(2, 5):
        m.append((k - 1) * m[k - 2] + edge(k - 1))
    mu = m[1]
    var = m[2] - mu * mu
    c4 = m[4] - 4 * mu * m[3] + 6 * mu * mu * m[2] - 3 * mu**4
    var = max(var, 0.0)
    return mu, math.sqrt(var), (c4 / (var * var) - 3) if var > 0 else 0.0


def _refuse(law: InitLaw, shape: tuple[int, ...], allowed: str) -> UsageError:
    return UsageError(f"{law.name} on shape", shape, allowed)


def _rank(law: InitLaw, shape: tuple[int, ...], ranks: tuple[int, ...], what: str) -> None:
    if len(shape) not in ranks:
        raise _refuse(law, shape, f"{law.call.split('(')[0]} takes only {what} tensors")


def _axis(law: InitLaw, shape: tuple[int, ...]) -> int:
    if not -len(shape) <= law.axis < len(shape):
        raise _refuse(law, shape, f"column_axis {law.axis} is out of range for rank {len(shape)}")
    return law.axis % len(shape)


def orthogonal_matrix(law: InitLaw, shape: tuple[int, ...]) -> tuple[int, int]:
    """(rows, cols) of the matrix `law` forms from `shape`: torch (shape[0], rest); Keras and JAX
    (numel/shape[axis], shape[axis])."""
    axis = _axis(law, shape)
    kept, rest = shape[axis], math.prod(shape) // shape[axis]
    return (kept, rest) if law.kept_as == "rows" else (rest, kept)


def _indicator(law: InitLaw, shape: tuple[int, ...], ones: int, gain: float, lines: list[str]) -> LawStats:
    """A tensor of `ones` entries equal to `gain`, zeros elsewhere (eye, dirac)."""
    n = math.prod(shape)
    p = ones / n
    lines.append(f"p = {ones}/{n} = {_g(p)} of the entries are {_g(gain)}, the rest 0")
    mean, std = gain * p, abs(gain) * math.sqrt(p * (1 - p))
    lines.append(f"mean = gain·p = {_g(mean)}; std = |gain|·√(p(1−p)) = {_g(std)}; max |w| = {_g(abs(gain))}")
    low, high = (min(0.0, gain), max(0.0, gain)) if p < 1 else (gain, gain)
    return LawStats(law, shape, mean, std, low, high, abs(gain), None, tuple(lines), nonzero=ones)


def law_stats(law: InitLaw, shape: tuple[int, ...]) -> LawStats:
    """The entries of a tensor of `shape` (in the law's framework layout) initialized by `law`."""
    shape = tuple(shape)
    if 0 in shape:
        raise _refuse(law, shape, "a zero-size tensor has no entries")
    return _KIND[law.kind](law, shape)


def _uniform(law: InitLaw, shape: tuple[int, ...]) -> LawStats:
    a, b = law.low, law.high
    mean, std = (a + b) / 2, (b - a) / math.sqrt(12)
    lines = (
        f"U({_g(a)}, {_g(b)}): mean = (a + b)/2 = {_g(mean)}, std = (b − a)/√12 = {_g(std)}",
        f"support [{_g(a)}, {_g(b)}], max |w| = {_g(max(abs(a), abs(b)))}",
    )
    return LawStats(law, shape, mean, std, a, b, max(abs(a), abs(b)), -1.2, lines)


def _normal(law: InitLaw, shape: tuple[int, ...]) -> LawStats:
    lines = (f"N({_g(law.mean)}, {_g(law.std)}²): mean {_g(law.mean)}, std {_g(law.std)}, unbounded",)
    if law.std == 0:
        return LawStats(law, shape, law.mean, 0.0, law.mean, law.mean, abs(law.mean), None, lines)
    return LawStats(law, shape, law.mean, law.std, None, None, None, 0.0, lines)


def _truncated(law: InitLaw, shape: tuple[int, ...]) -> LawStats:
    mu, sigma, a, b = law.mean, law.std, law.low, law.high
    alpha, beta = (a - mu) / sigma, (b - mu) / sigma
    z_mean, z_std, kurtosis = truncated_moments(alpha, beta)
    mean, std = mu + sigma * z_mean, sigma * z_std
    lines = (
        f"N({_g(mu)}, {_g(sigma)}²) redrawn outside [{_g(a)}, {_g(b)}]: α = (a − mean)/std = {_g(alpha)}, "
        f"β = (b − mean)/std = {_g(beta)}",
        f"mean = mean + std·(φ(α) − φ(β))/Z = {_g(mean)}, std = {_g(sigma)}·{_g(z_std)} = {_g(std)} "
        f"(Z = Φ(β) − Φ(α) = {_g(_mass(alpha, beta))})",
        f"support [{_g(a)}, {_g(b)}], max |w| = {_g(max(abs(a), abs(b)))}",
    )
    return LawStats(law, shape, mean, std, a, b, max(abs(a), abs(b)), kurtosis, lines)


def _constant(law: InitLaw, shape: tuple[int, ...]) -> LawStats:
    v = law.value
    lines = (f"every entry is {_g(v)}: mean {_g(v)}, std 0",)
    return LawStats(law, shape, v, 0.0, v, v, abs(v), None, lines)


def _eye(law: InitLaw, shape: tuple[int, ...]) -> LawStats:
    _rank(law, shape, (2,), "2-D")
    ones = min(shape)
    lines = [f"gain·I on {shape[0]}×{shape[1]}: min(rows, cols) = {ones} ones on the diagonal"]
    return _indicator(law, shape, ones, law.gain, lines)


def _dirac(law: InitLaw, shape: tuple[int, ...]) -> LawStats:
    _rank(law, shape, (3, 4, 5), "3-, 4- or 5-D")
    out, inp = shape[0], shape[1]
    if out % law.groups:
        raise _refuse(law, shape, f"dim 0 ({out}) must be divisible by groups ({law.groups})")
    per = min(out // law.groups, inp)
    centre = tuple(k // 2 for k in shape[2:])
    lines = [
        f"groups·min(out/groups, in) = {law.groups}·min({out // law.groups}, {inp}) = {law.groups * per} "
        f"ones, at kernel index k//2 = {centre}"
    ]
    return _indicator(law, shape, law.groups * per, 1.0, lines)


def _orthogonal(law: InitLaw, shape: tuple[int, ...]) -> LawStats:
    if len(shape) < 2:
        raise _refuse(law, shape, f"{law.call.split('(')[0]} needs a tensor of at least 2 dimensions")
    rows, cols = orthogonal_matrix(law, shape)
    g = law.gain
    std = abs(g) / math.sqrt(max(rows, cols))
    side = "rows" if rows <= cols else "columns"
    gram = "WWᵀ" if rows <= cols else "WᵀW"
    lines = (
        f"matrix {law.matrix_text} = ({rows}, {cols}): orthonormal {side} × gain {_g(g)}, {gram} = gain²·I",
        f"RMS = |gain|/√max(rows, cols) = {_g(abs(g))}/√{max(rows, cols)} = {_g(std)}; mean 0; "
        f"|w| ≤ |gain| = {_g(abs(g))}",
    )
    kurtosis = _orthogonal_kurtosis(rows, cols)
    return LawStats(law, shape, 0.0, std, -abs(g), abs(g), abs(g), kurtosis, lines, matrix=(rows, cols))


def _orthogonal_kurtosis(rows: int, cols: int) -> float:
    """Excess kurtosis of one entry of a uniformly random unit vector in R^n (n = max(rows, cols)):
    E[x⁴] = 3/(n(n+2)), E[x²] = 1/n ⇒ κ = 3n/(n+2), excess −6/(n+2)."""
    return -6 / (max(rows, cols) + 2)


def _delta_orthogonal(law: InitLaw, shape: tuple[int, ...]) -> LawStats:
    _rank(law, shape, (3, 4, 5), "3-, 4- or 5-D")
    inp, out = shape[-2], shape[-1]
    if out < inp:
        raise _refuse(law, shape, f"fan_in (shape[-2] = {inp}) must be ≤ fan_out (shape[-1] = {out})")
    if not -2 <= law.axis < 2:
        raise _refuse(
            law, shape, f"column_axis {law.axis} must index the 2-D (in, out) matrix: −2, −1, 0 or 1"
        )
    n, g = math.prod(shape), law.gain
    centre = tuple((k - 1) // 2 for k in shape[:-2])
    std = abs(g) * math.sqrt(inp / n)
    lines = (
        f"an orthogonal ({inp}, {out}) matrix × scale {_g(g)} at kernel index (k−1)//2 = {centre}, zeros "
        "elsewhere",
        f"mean 0; RMS = |scale|·√(in/numel) = {_g(abs(g))}·√({inp}/{n}) = {_g(std)}; |w| ≤ {_g(abs(g))}",
    )
    return LawStats(
        law, shape, 0.0, std, -abs(g), abs(g), abs(g), None, lines, matrix=(inp, out), nonzero=inp * out
    )


def sparse_zeros(law: InitLaw, rows: int) -> int:
    """torch sparse_: ceil(sparsity·rows) zeros per column (all of them when that exceeds rows)."""
    return min(math.ceil(law.sparsity * rows), rows)


def _sparse(law: InitLaw, shape: tuple[int, ...]) -> LawStats:
    _rank(law, shape, (2,), "2-D")
    rows, cols = shape
    zeros = sparse_zeros(law, rows)
    q = (rows - zeros) / rows
    std = law.std * math.sqrt(q)
    lines = (
        f"N(0, {_g(law.std)}²) with ceil(sparsity·rows) = ceil({_g(law.sparsity)}·{rows}) = {zeros} zeros in "
        f"each of the {cols} columns",
        f"q = {rows - zeros}/{rows} = {_g(q)} nonzero: mean 0, std = std·√q = {_g(std)}, unbounded",
    )
    if q == 0 or law.std == 0:
        return LawStats(law, shape, 0.0, 0.0, 0.0, 0.0, 0.0, None, lines, nonzero=0)
    kurtosis = 3 / q - 3  # a mixture: 0 with prob. 1 − q, N(0, std²) with prob. q
    return LawStats(law, shape, 0.0, std, None, None, None, kurtosis, lines, nonzero=(rows - zeros) * cols)


_KIND = {
    "uniform": _uniform,
    "normal": _normal,
    "truncated": _truncated,
    "constant": _constant,
    "eye": _eye,
    "dirac": _dirac,
    "orthogonal": _orthogonal,
    "delta_orthogonal": _delta_orthogonal,
    "sparse": _sparse,
}


def same_law(first: InitLaw, second: InitLaw) -> bool:
    """Whether two readings of one name draw the same tensor (the ambiguity rule)."""
    keys = ("kind", "low", "high", "mean", "std", "value", "gain", "axis", "groups", "sparsity", "centre")
    return all(getattr(first, key) == getattr(second, key) for key in keys)


def describe(law: InitLaw) -> str:
    """One phrase: ``U(0, 1)``, ``N(0, 0.05²) cut at [−0.1, 0.1]``, ``orthogonal × 1``."""
    if law.kind == "uniform":
        return f"U({_g(law.low)}, {_g(law.high)})"
    if law.kind == "normal":
        return f"N({_g(law.mean)}, {_g(law.std)}²)"
    if law.kind == "truncated":
        return f"N({_g(law.mean)}, {_g(law.std)}²) cut at [{_g(law.low)}, {_g(law.high)}]"
    if law.kind == "constant":
        return f"constant {_g(law.value)}"
    if law.kind == "sparse":
        return f"sparse {_g(law.sparsity)}, N(0, {_g(law.std)}²)"
    if law.kind == "dirac":
        return f"dirac, groups {law.groups}"
    return f"{law.kind.replace('_', '-')} × {_g(law.gain)}" + (
        f", axis {law.axis}" if law.kind == "orthogonal" else ""
    )


# What differs between the frameworks for each kind (the sources in the module docstring).
DIFFERENCES = {
    "uniform": "torch uniform_(a=0, b=1) is U(0, 1), mean 0.5; Keras RandomUniform() is U(−0.05, 0.05); "
    "JAX uniform(scale=0.01) is U[0, scale), not symmetric",
    "normal": "defaults: torch normal_ N(0, 1), Keras RandomNormal N(0, 0.05²), JAX normal N(0, 0.01²)",
    "truncated": "cut-offs: torch trunc_normal_(a, b) absolute values; Keras TruncatedNormal at mean ± "
    "2·stddev; JAX truncated_normal(lower, upper) in units of stddev; none rescales σ, so the realized "
    "std is below the std given (×0.8796 for a ±2σ cut)",
    "constant": "torch constant_/zeros_/ones_, Keras Constant/Zeros/Ones, JAX constant/zeros/ones: the same",
    "eye": "torch eye_ and Keras Identity(gain) take only 2-D weights; JAX has no identity initializer",
    "dirac": "torch dirac_ takes only 3-5-D weights, a 1 at kernel index k//2; JAX delta_orthogonal puts "
    "an orthogonal matrix at (k−1)//2 (the same index for odd k)",
    "orthogonal": "matrix formed: torch (shape[0], numel/shape[0]); Keras (prod(shape[:-1]), shape[-1]); "
    "JAX (numel/shape[column_axis], shape[column_axis]); entries' RMS = gain/√max(rows, cols)",
    "delta_orthogonal": "JAX only (3-5-D, shape[-2] ≤ shape[-1]); torch's nearest is dirac_, an identity",
    "sparse": "torch only (2-D): ceil(sparsity·rows) zeros in every column; Keras and JAX have none",
}
