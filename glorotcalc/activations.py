"""Every activation φ and its derivative φ′ in numpy, for ``--propagate``.

`forward(activation, h)` overwrites a pre-activation array with φ(h) (in place, in h's dtype) and
returns what the backward pass needs: ``None`` when φ′ ≡ 1, a boolean mask when φ′ ∈ {0, 1}
(relu), else the array φ′(h). `backward(g, derivative)` multiplies a gradient by it in place.
`evaluate(activation, x)` gives φ(x) and φ′(x) as new float64 arrays (for quadrature).

The definitions are torch's: ``ELU(alpha=1)``; ``SELU`` with Klambauer et al.'s (2017)
λ = 1.0507009873554805, α = 1.6732632423543772; ``GELU(approximate='none')`` = x·Φ(x) with the
exact normal CDF; ``SiLU`` = x·σ(x); ``Softplus`` = log(1 + eˣ) (torch switches to x above
x = 20, a difference below 2.1e-9); ``Mish`` = x·tanh(softplus(x)); sigmoid σ(x) = ½(1 + tanh(x/2)),
which never overflows.

numpy has no erf: `erfc` is a Chebyshev series (see `_ERFC_CHEBYSHEV`), accurate to a relative
1e-15 in float64 and 1.4e-8 (below float32's rounding) in float32.

>>> evaluate(make_activation("relu"), np.array([-1.0, 2.0]))[0]
array([0., 2.])
"""

from __future__ import annotations

import math

import numpy as np

from glorotcalc.gain import Activation

SELU_SCALE = 1.0507009873554804934193349852946  # λ, Klambauer et al. 2017
SELU_ALPHA = 1.6732632423543772848170429916717  # α, Klambauer et al. 2017
ELU_ALPHA = 1.0  # torch.nn.ELU default
INV_SQRT2 = 1 / math.sqrt(2)
INV_SQRT_2PI = 1 / math.sqrt(2 * math.pi)

# erfc(x) = t·exp(−x² + Σ c_j T_j(2t − 1)) for x ≥ 0, t = 1/(1 + x/2): Chebyshev interpolation of
# log(erfc(x)·e^{x²}/t) on t ∈ [0, 1] at 80 points, computed in 40-digit arithmetic. The first 28
# terms leave a truncation error below 1e-17 (float64); float32 uses the first 12, which leave
# at most Σ_{j≥12} |c_j| = 1.4e-8 (relative), below float32's rounding error of 6e-8.
_ERFC_CHEBYSHEV = (
    -0.6513268598908547,
    0.6419697923564902,
    0.019476473204185836,
    -0.009561514786808632,
    -0.0009465953444820369,
    0.00036683949785276145,
    4.252332480690777e-05,
    -2.0278578112534242e-05,
    -1.6242900046470256e-06,
    1.3036558355805232e-06,
    1.5626441722066142e-08,
    -8.523809591492654e-08,
    6.5290544390988515e-09,
    5.059343495551469e-09,
    -9.91364156493033e-10,
    -2.273651222931836e-10,
    9.646791102015527e-11,
    2.3940380830391146e-12,
    -6.886027526497553e-12,
    8.944879273090725e-13,
    3.130921399342958e-13,
    -1.1270822361367252e-13,
    3.810905255189232e-16,
    7.106097613609237e-15,
    -1.5230282014571043e-15,
    -9.457494571291233e-17,
    1.210237189224279e-16,
    -2.816663087747177e-17,
)
_FLOAT32_TERMS = 12


def _float_array(x) -> np.ndarray:
    x = np.asarray(x)
    return x if x.dtype in (np.float32, np.float64) else x.astype(np.float64)


def _chebyshev(u: np.ndarray, coefficients: tuple[float, ...]) -> np.ndarray:
    """Σ c_j T_j(u) by Clenshaw's recurrence b_j = c_j + 2u·b_{j+1} − b_{j+2}, in u's dtype."""
    two_u = u + u
    b1 = np.zeros_like(u)
    b2 = np.zeros_like(u)
    for c in coefficients[:0:-1]:
        b2 *= -1
        b2 += c
        b2 += two_u * b1  # b2 now holds the new b1
        b1, b2 = b2, b1
    b2 *= -1
    b2 += coefficients[0]
    b2 += u * b1
    return b2


def erfc(x) -> np.ndarray:
    """Complementary error function, elementwise: erfc(x) = 1 − erf(x) = 2 − erfc(−x).

    >>> float(erfc(np.array(1.0)))  # math.erfc(1.0) = 0.15729920705028513
    0.15729920705028513
    """
    x = _float_array(x)
    terms = _ERFC_CHEBYSHEV[:_FLOAT32_TERMS] if x.dtype == np.float32 else _ERFC_CHEBYSHEV
    a = np.abs(x)
    t = a * 0.5
    t += 1
    np.reciprocal(t, out=t)
    u = t + t
    u -= 1
    series = _chebyshev(u, terms)
    a *= a
    series -= a
    with np.errstate(under="ignore"):
        np.exp(series, out=series)
    series *= t
    return np.where(x < 0, 2 - series, series)


def erf(x) -> np.ndarray:
    """Error function, elementwise, as 1 − erfc(x): absolute error below 2e-16 (float64)."""
    return 1 - erfc(x)


def ndtr(x) -> np.ndarray:
    """Standard normal CDF Φ(x) = erfc(−x/√2)/2 (accurate relative to Φ in the lower tail too)."""
    x = _float_array(x)
    result = erfc(x * -INV_SQRT2)
    result *= 0.5
    return result


def _sigmoid(h: np.ndarray) -> np.ndarray:
    """σ(h) = ½(1 + tanh(h/2)) as a new array (no overflow for any h)."""
    s = h * 0.5
    np.tanh(s, out=s)
    s += 1
    s *= 0.5
    return s


def _relu(h, activation):
    mask = h > 0
    np.multiply(h, mask, out=h)  # twice as fast as np.maximum(h, 0); negatives become −0.0
    return mask


def _leaky_relu(h, activation):
    one, slope = h.dtype.type(1), h.dtype.type(activation.slope)
    derivative = np.where(h > 0, one, slope)
    h *= derivative
    return derivative


def _tanh(h, activation):
    np.tanh(h, out=h)
    derivative = h * h
    np.subtract(1, derivative, out=derivative)
    return derivative


def _sigmoid_inplace(h, activation):
    h *= 0.5
    np.tanh(h, out=h)
    h += 1
    h *= 0.5
    derivative = 1 - h
    derivative *= h
    return derivative


def _exponential_linear(h, scale: float, alpha: float):
    """scale·(h if h > 0 else α(eʰ − 1)); φ′ = scale (h > 0) or scale·α·eʰ (h ≤ 0)."""
    derivative = np.minimum(h, 0)
    np.expm1(derivative, out=derivative)
    derivative *= alpha  # α(eʰ − 1) where h ≤ 0, 0 where h > 0
    np.maximum(h, 0, out=h)
    h += derivative
    derivative += alpha
    np.copyto(derivative, 1, where=h > 0)
    if scale != 1:
        h *= scale
        derivative *= scale
    return derivative


def _elu(h, activation):
    return _exponential_linear(h, 1.0, ELU_ALPHA)


def _selu(h, activation):
    return _exponential_linear(h, SELU_SCALE, SELU_ALPHA)


def _gelu(h, activation):
    cdf = ndtr(h)
    derivative = h * h
    derivative *= -0.5
    np.exp(derivative, out=derivative)
    derivative *= INV_SQRT_2PI
    derivative *= h
    derivative += cdf  # φ′ = Φ(h) + h·pdf(h)
    h *= cdf
    return derivative


def _sigmoid_pair(h: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """σ(h) and σ(−h) = 1 − σ(h), each to full relative precision, from e^{−|h|} (no overflow)."""
    e = np.abs(h)
    np.negative(e, out=e)
    np.exp(e, out=e)
    large = e + 1
    np.reciprocal(large, out=large)  # σ(|h|)
    e *= large  # σ(−|h|)
    negative = h < 0
    return np.where(negative, e, large), np.where(negative, large, e)


def _silu(h, activation):
    s, complement = _sigmoid_pair(h)
    derivative = complement
    derivative *= h
    derivative += 1
    derivative *= s  # φ′ = σ(h)·(1 + h·σ(−h))
    h *= s
    return derivative


def _softplus_of(h: np.ndarray) -> np.ndarray:
    """log(1 + eʰ) = max(h, 0) + log1p(e^−|h|), as a new array."""
    sp = np.abs(h)
    sp *= -1
    np.exp(sp, out=sp)
    np.log1p(sp, out=sp)
    sp += np.maximum(h, 0)
    return sp


def _softplus(h, activation):
    derivative = _sigmoid(h)
    h[...] = _softplus_of(h)
    return derivative


def _mish(h, activation):
    sp = _softplus_of(h)
    t = np.tanh(sp)
    e = sp
    e *= -2
    np.exp(e, out=e)  # e^{−2·sp} ∈ (0, 1]: sech²(sp) = 4e/(1 + e)², without 1 − tanh² cancelling
    r = e + 1
    np.reciprocal(r, out=r)
    derivative = e
    derivative *= r
    derivative *= r
    derivative *= 4
    derivative *= _sigmoid(h)
    derivative *= h
    derivative += t  # φ′ = tanh(sp) + h·σ(h)·sech²(sp)
    h *= t
    return derivative


_FORWARD = {
    "relu": _relu,
    "leaky_relu": _leaky_relu,
    "tanh": _tanh,
    "sigmoid": _sigmoid_inplace,
    "elu": _elu,
    "selu": _selu,
    "gelu": _gelu,
    "silu": _silu,
    "softplus": _softplus,
    "mish": _mish,
}


def forward(activation: Activation, h: np.ndarray):
    """Overwrite `h` with φ(h); return φ′(h): None (φ′ ≡ 1), a bool mask, or an array."""
    if activation.name == "linear":
        return None
    return _FORWARD[activation.name](h, activation)


def backward(g: np.ndarray, derivative) -> None:
    """g ← g·φ′, in place (`derivative` as `forward` returned it)."""
    if derivative is not None:
        np.multiply(g, derivative, out=g)


def saved_bytes(activation: Activation, itemsize: int) -> int:
    """Bytes per element that `forward` keeps for the backward pass."""
    if activation.name == "linear":
        return 0
    return 1 if activation.name == "relu" else itemsize


def evaluate(activation: Activation, x) -> tuple[np.ndarray, np.ndarray]:
    """φ(x) and φ′(x) as new float64 arrays."""
    h = np.array(x, dtype=np.float64)
    derivative = forward(activation, h)
    if derivative is None:
        return h, np.ones_like(h)
    return h, np.asarray(derivative, dtype=np.float64)
