"""Activations in numpy, the vectorized erf, the Gaussian moments, and the computed-gain table.

Expectations are recomputed here from first principles: scalar `math` formulas, numpy's plain
Gauss–Hermite rule (`hermegauss`), closed forms through `math.erfc`, and Gauss–Legendre
(`leggauss`) on pieces of the half-line — never by the code under test.
"""

from __future__ import annotations

import math
from itertools import pairwise

import numpy as np
import pytest
from conftest import torch_or_skip
from numpy.polynomial.hermite_e import hermegauss
from numpy.polynomial.legendre import leggauss

from glorotcalc import activations
from glorotcalc.activations import erf, erfc, evaluate, forward, ndtr
from glorotcalc.gain import _COMPUTED_GAIN, ACTIVATIONS, computed_gain, make_activation
from glorotcalc.propagate import gaussian_moments, half_line_rule

LAMBDA = 1.0507009873554804934193349852946  # SELU scale, Klambauer et al. 2017
ALPHA = 1.6732632423543772848170429916717  # SELU alpha


def _sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x)) if x >= 0 else math.exp(x) / (1 + math.exp(x))


def _softplus(x: float) -> float:
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))


# φ and φ′ written out with `math` (torch's definitions; GELU with the exact erf).
SCALAR = {
    "linear": (lambda x: x, lambda x: 1.0),
    "relu": (lambda x: max(x, 0.0), lambda x: 1.0 if x > 0 else 0.0),
    "leaky_relu": (lambda x: x if x > 0 else 0.2 * x, lambda x: 1.0 if x > 0 else 0.2),
    "tanh": (math.tanh, lambda x: 1 - math.tanh(x) ** 2),
    "sigmoid": (_sigmoid, lambda x: _sigmoid(x) * (1 - _sigmoid(x))),
    "elu": (lambda x: x if x > 0 else math.expm1(x), lambda x: 1.0 if x > 0 else math.exp(x)),
    "selu": (
        lambda x: LAMBDA * (x if x > 0 else ALPHA * math.expm1(x)),
        lambda x: LAMBDA if x > 0 else LAMBDA * ALPHA * math.exp(x),
    ),
    "gelu": (
        lambda x: x * (1 + math.erf(x / math.sqrt(2))) / 2,
        lambda x: (1 + math.erf(x / math.sqrt(2))) / 2 + x * math.exp(-x * x / 2) / math.sqrt(2 * math.pi),
    ),
    "silu": (lambda x: x * _sigmoid(x), lambda x: _sigmoid(x) * (1 + x * (1 - _sigmoid(x)))),
    "softplus": (_softplus, _sigmoid),
    "mish": (
        lambda x: x * math.tanh(_softplus(x)),
        lambda x: math.tanh(_softplus(x)) + x * _sigmoid(x) * (1 - math.tanh(_softplus(x)) ** 2),
    ),
}
SMOOTH = ("linear", "tanh", "sigmoid", "gelu", "silu", "softplus", "mish")
POINTS = np.concatenate([np.linspace(-12, 12, 481), [-60.0, -30.0, -1e-9, 0.0, 1e-9, 30.0, 60.0]])


def activation(name: str):
    return make_activation(name, 0.2) if name == "leaky_relu" else make_activation(name)


# ---------------------------------------------------------------------------- erf


def test_erf_and_erfc_match_math_in_float64():
    """erf: absolute error ≤ 1e-15 everywhere; erfc: relative error ≤ 2e-13 until it underflows.

    The series itself is exact to 1e-17; what is left is float64 rounding of exp(−x² + P), whose
    argument is ~x² = 676 at x = 26 (1 ulp of 676 is 1.1e-13).
    """
    x = np.concatenate([np.linspace(-27, 27, 200_001), [0.0, -0.0, 1e-300, -1e-300, 40.0, -40.0]])
    want_erf = np.array([math.erf(v) for v in x])
    want_erfc = np.array([math.erfc(v) for v in x])
    assert np.max(np.abs(erf(x) - want_erf)) <= 1e-15
    keep = want_erfc > 1e-300
    assert np.max(np.abs(erfc(x)[keep] / want_erfc[keep] - 1)) <= 2e-13
    assert erfc(np.array([40.0]))[0] == 0.0 and erfc(np.array([-40.0]))[0] == 2.0


def test_erf_in_float32_stays_within_a_few_float32_ulps():
    """float32 inputs are computed in float32 with 12 series terms (truncation 1.4e-8): the error is
    float32 rounding, ≤ 4 ulps of 1 (4·1.19e-7 = 4.8e-7) in erf."""
    x = np.linspace(-9, 9, 100_001, dtype=np.float32)
    got = erf(x)
    assert got.dtype == np.float32
    want = np.array([math.erf(float(v)) for v in x])
    assert np.max(np.abs(got - want)) <= 4 * 2.0**-23


def test_ndtr_is_the_normal_cdf():
    """Φ(x) = erfc(−x/√2)/2, with relative accuracy in the lower tail (Φ(−30) ≈ 4.9e-198)."""
    x = np.array([-30.0, -8.0, -1.0, 0.0, 0.5, 3.0])
    want = np.array([math.erfc(-v / math.sqrt(2)) / 2 for v in x])
    np.testing.assert_allclose(ndtr(x), want, rtol=2e-13)


# ---------------------------------------------------------------------------- φ and φ′


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activation_and_derivative_match_their_formulas(name):
    """float64: |φ − φ_math| ≤ 1e-13·max(1, |φ|) and the same for φ′, on [−12, 12] and far out."""
    phi, dphi = SCALAR[name]
    value, derivative = evaluate(activation(name), POINTS)
    want = np.array([phi(x) for x in POINTS])
    want_d = np.array([dphi(x) for x in POINTS])
    assert np.all(np.abs(value - want) <= 1e-13 * np.maximum(1, np.abs(want)))
    assert np.all(np.abs(derivative - want_d) <= 1e-13 * np.maximum(1, np.abs(want_d)))


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_forward_in_float32_is_in_place_and_close_to_float64(name):
    """In float32 the result lands in the input array; it agrees with float64 to a few float32 ulps
    relative to max(1, |φ|) (6e-7: float32 rounding of exp, tanh and the erf series)."""
    h = POINTS[np.abs(POINTS) <= 12].astype(np.float32)
    original = h.copy()
    derivative = forward(activation(name), h)
    value, want_d = evaluate(activation(name), original.astype(np.float64))
    assert h.dtype == np.float32
    assert np.all(np.abs(h - value) <= 6e-7 * np.maximum(1, np.abs(value)))
    if name == "linear":
        assert derivative is None
    elif name == "relu":
        assert derivative.dtype == bool and np.array_equal(derivative, original > 0)
    else:
        assert derivative.dtype == np.float32
        assert np.all(np.abs(derivative - want_d) <= 6e-7 * np.maximum(1, np.abs(want_d)))


def test_backward_multiplies_by_the_derivative_in_place():
    g = np.ones(4, dtype=np.float32)
    activations.backward(g, np.array([True, False, True, False]))
    assert g.tolist() == [1.0, 0.0, 1.0, 0.0]
    activations.backward(g, None)
    assert g.tolist() == [1.0, 0.0, 1.0, 0.0]


def test_forward_never_warns_at_float32_extremes():
    """±3e38 and ±inf go through every activation under the Monte Carlo's errstate(all="ignore")
    without a warning (pytest turns warnings into errors) and give no NaN for finite input."""
    for name in ACTIVATIONS:
        h = np.array([-np.inf, -3e38, -100.0, 0.0, 100.0, 3e38], dtype=np.float32)
        with np.errstate(all="ignore"):
            derivative = forward(activation(name), h)
        assert not np.isnan(h[1:]).any(), name
        if derivative is not None:
            assert not np.isnan(np.asarray(derivative, dtype=np.float32)[1:]).any(), name


@pytest.mark.torch
@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activation_and_derivative_match_torch(name):
    """torch's module and autograd in float64: agreement to 1e-12 (relative to max(1, |value|))."""
    torch = torch_or_skip()
    modules = {
        "linear": torch.nn.Identity(),
        "relu": torch.nn.ReLU(),
        "leaky_relu": torch.nn.LeakyReLU(0.2),
        "tanh": torch.nn.Tanh(),
        "sigmoid": torch.nn.Sigmoid(),
        "elu": torch.nn.ELU(),
        "selu": torch.nn.SELU(),
        "gelu": torch.nn.GELU(),
        "silu": torch.nn.SiLU(),
        "softplus": torch.nn.Softplus(threshold=1000),  # torch's x > 20 → x shortcut switched off
        "mish": torch.nn.Mish(),
    }
    x = torch.tensor(np.linspace(-12, 12, 961) + 1e-3, dtype=torch.float64, requires_grad=True)
    y = modules[name](x)
    (grad,) = torch.autograd.grad(y.sum(), x)
    value, derivative = evaluate(activation(name), x.detach().numpy())
    want, want_d = y.detach().numpy(), grad.numpy()
    assert np.all(np.abs(value - want) <= 1e-12 * np.maximum(1, np.abs(want)))
    assert np.all(np.abs(derivative - want_d) <= 1e-12 * np.maximum(1, np.abs(want_d)))


# ---------------------------------------------------------------------------- quadrature


def _half_normal_moment(k: int) -> float:
    """∫_0^∞ z^k φ(z) dz = 2^{k/2}·Γ((k+1)/2) / (2√π)."""
    return 2 ** (k / 2) * math.gamma((k + 1) / 2) / (2 * math.sqrt(math.pi))


def test_half_line_rule_integrates_powers_and_exponentials():
    """∫_0^∞ z^k φ dz for k = 0…6 and ∫_0^∞ e^{−cz} φ dz = e^{c²/2}·Φ(−c) to 1e-14 (relative)."""
    z, w = half_line_rule()
    assert np.all(z > 0) and np.all(w >= 0)
    for k in range(7):
        assert math.isclose(float(w @ z**k), _half_normal_moment(k), rel_tol=1e-14)
    for c in (0.5, 1.0, 2.0, 5.0):
        want = math.exp(c * c / 2) * math.erfc(c / math.sqrt(2)) / 2
        assert math.isclose(float(w @ np.exp(-c * z)), want, rel_tol=1e-13)


def _negative_exponential(c: float, q: float) -> float:
    """E[e^{c·y}·1{y < 0}] for y ~ N(0, q) = e^{c²q/2}·Φ(−c√q) (complete the square)."""
    return math.exp(c * c * q / 2) * math.erfc(c * math.sqrt(q) / math.sqrt(2)) / 2


def _exponential_linear_moments(q: float, scale: float, alpha: float) -> tuple[float, float, float]:
    """E[φ], E[φ²], E[φ′²] for φ = scale·(y if y > 0 else α(eʸ − 1)), y ~ N(0, q), in closed form:
    E[y·1{y>0}] = √(q/2π), E[y²·1{y>0}] = q/2, P(y < 0) = ½, and `_negative_exponential`."""
    positive_mean, positive_square = math.sqrt(q / (2 * math.pi)), q / 2
    e1, e2 = _negative_exponential(1, q), _negative_exponential(2, q)
    mean = scale * (positive_mean + alpha * (e1 - 0.5))
    second = scale**2 * (positive_square + alpha**2 * (e2 - 2 * e1 + 0.5))
    slope = scale**2 * (0.5 + alpha**2 * e2)
    return mean, second, slope


def _hermite_moments(name: str, q: float, nodes: int = 200) -> tuple[float, float, float]:
    """Plain Gauss–Hermite E[φ(√q·z)], E[φ²], E[φ′²] with `math` φ (for smooth φ and small q)."""
    phi, dphi = SCALAR[name]
    z, w = hermegauss(nodes)
    w = w / math.sqrt(2 * math.pi)
    values = [phi(math.sqrt(q) * x) for x in z]
    slopes = [dphi(math.sqrt(q) * x) for x in z]
    return (
        float(w @ values),
        float(w @ np.square(values)),
        float(w @ np.square(slopes)),
    )


def _legendre_moments(name: str, q: float) -> tuple[float, float, float]:
    """Gauss–Legendre (80 nodes) on the pieces [0, 1e-8, 1e-7, …, 1, 2, …, 40] of z's half-line:
    E[F(√q·z)] = ∫_0^∞ (F(√q·z) + F(−√q·z)) φ(z) dz. Each piece holds a smooth integrand."""
    phi, dphi = SCALAR[name]
    edges = [0.0, *(10.0**k for k in range(-8, 1)), *range(2, 41)]
    t, weights = leggauss(80)
    totals = np.zeros(3)
    for a, b in pairwise(edges):
        for z, w in zip((t + 1) * (b - a) / 2 + a, weights * (b - a) / 2, strict=True):
            density = math.exp(-z * z / 2) / math.sqrt(2 * math.pi)
            for sign in (1, -1):
                x = sign * math.sqrt(q) * z
                value, slope = phi(x), dphi(x)
                totals += w * density * np.array([value, value * value, slope * slope])
    return tuple(totals)


def _assert_moments(got, want, rel: float, absolute: float = 0.0) -> None:
    for g, x in zip((got.mean, got.second, got.slope), want, strict=True):
        assert abs(g - x) <= rel * abs(x) + absolute, (g, x)


@pytest.mark.parametrize("q", [1e-6, 0.04, 1.0, 7.0, 1e4, 1e8])
def test_moments_of_relu_and_leaky_relu_are_exact(q):
    """relu: E = √(q/2π), q/2, 1/2; leaky slope s: (1−s)√(q/2π), q(1+s²)/2, (1+s²)/2 — to 1e-13."""
    s = 0.2
    _assert_moments(
        gaussian_moments(activation("relu"), q), (math.sqrt(q / (2 * math.pi)), q / 2, 0.5), 1e-13
    )
    want = ((1 - s) * math.sqrt(q / (2 * math.pi)), q * (1 + s * s) / 2, (1 + s * s) / 2)
    _assert_moments(gaussian_moments(activation("leaky_relu"), q), want, 1e-13)
    _assert_moments(gaussian_moments(activation("linear"), q), (0.0, q, 1.0), 1e-13, 1e-13 * math.sqrt(q))


@pytest.mark.parametrize("q", [1e-4, 0.3, 1.0, 4.0, 100.0])
def test_moments_of_elu_and_selu_match_the_closed_form(q):
    """The kink at 0 costs nothing: 1e-12 relative, plus 1e-15 absolute — the closed form adds and
    subtracts O(1) terms (e.g. E[(eʸ−1)²·1{y<0}] = e2 − 2·e1 + ½ ≈ q/2 at small q), so its own
    rounding is ~1e-16 absolute, and selu's mean is ~0 at q = 1."""
    want = _exponential_linear_moments(q, 1.0, 1.0)
    _assert_moments(gaussian_moments(activation("elu"), q), want, 1e-12, 1e-15)
    want = _exponential_linear_moments(q, LAMBDA, ALPHA)
    _assert_moments(gaussian_moments(activation("selu"), q), want, 1e-12, 1e-15)


def test_selu_fixed_point_is_mean_zero_variance_one():
    """Klambauer et al. 2017: y ~ N(0, 1) → E[selu(y)] = 0, E[selu(y)²] = 1 (to the constants' precision)."""
    mean, second, _ = _exponential_linear_moments(1.0, LAMBDA, ALPHA)
    assert abs(mean) < 1e-15 and math.isclose(second, 1.0, rel_tol=1e-15)
    moments = gaussian_moments(activation("selu"), 1.0)
    assert abs(moments.mean) < 1e-14 and math.isclose(moments.second, 1.0, rel_tol=1e-13)


@pytest.mark.parametrize("name", [n for n in SMOOTH if n != "linear"])
@pytest.mark.parametrize("q", [0.01, 0.25, 1.0])
def test_moments_of_smooth_activations_match_plain_gauss_hermite(name, q):
    """Gauss–Hermite converges geometrically for smooth φ, so its error at 200 nodes is far below
    its change from 100 to 200 nodes: the tolerance is that change plus 1e-14 of rounding."""
    want, coarse = _hermite_moments(name, q, 200), _hermite_moments(name, q, 100)
    got = gaussian_moments(activation(name), q)
    for g, w, c in zip((got.mean, got.second, got.slope), want, coarse, strict=True):
        assert abs(g - w) <= abs(w - c) + 1e-14 * max(1, abs(w)), (g, w, c)


@pytest.mark.slow
@pytest.mark.parametrize("name", [n for n in SMOOTH if n != "linear"])
@pytest.mark.parametrize(("q", "rel"), [(10.0, 1e-10), (100.0, 1e-7), (1e4, 2e-5)])
def test_moments_at_large_q_match_piecewise_legendre(name, q, rel):
    """At large q, φ′ of tanh/sigmoid is a peak of width 1/√q in z, which plain Gauss–Hermite misses
    (9% error at q = 10 with 64 nodes). The reference splits the half-line at 1e-8 … 1, 2, …, 40;
    the bounds are those stated in `half_line_rule` (measured: 2e-12, 2e-8, 3e-6), plus 1e-15
    absolute for means that are 0 by symmetry (sums of O(1) terms round to ~1e-17)."""
    _assert_moments(gaussian_moments(activation(name), q), _legendre_moments(name, q), rel, 1e-15)


# ---------------------------------------------------------------------------- computed gains


@pytest.mark.parametrize("name", [n for n in SMOOTH])
def test_computed_gain_table_of_smooth_activations(name):
    """g = 1/√E[φ(z)²], z ~ N(0, 1), by 200-node Gauss–Hermite; the literal in gain.py agrees within
    the rule's change from 100 to 200 nodes (its error bound, as above) plus 1e-14 of rounding."""
    second, coarse = _hermite_moments(name, 1.0)[1], _hermite_moments(name, 1.0, 100)[1]
    want = 1 / math.sqrt(second)
    tolerance = abs(want - 1 / math.sqrt(coarse)) + 1e-14
    assert abs(_COMPUTED_GAIN[name] - want) <= tolerance, (_COMPUTED_GAIN[name], want, tolerance)


@pytest.mark.parametrize(("name", "scale", "alpha"), [("elu", 1.0, 1.0), ("selu", LAMBDA, ALPHA)])
def test_computed_gain_table_of_kinked_activations(name, scale, alpha):
    """elu/selu kink at 0, where Gauss–Hermite converges only like 1/n (selu: 1% error at n = 100):
    the integral is split at 0 and each side done in closed form (`_exponential_linear_moments`),
    exact to rounding — so the literal must agree to 1e-14. selu's gain is 1 (Klambauer et al. 2017)."""
    _, second, _ = _exponential_linear_moments(1.0, scale, alpha)
    assert math.isclose(_COMPUTED_GAIN[name], 1 / math.sqrt(second), rel_tol=1e-14)


def test_computed_gain_of_relu_and_leaky_relu_is_torchs():
    """He et al. 2015: E[relu(z)²] = 1/2 → √2; leaky slope s: E = (1+s²)/2 → √(2/(1+s²))."""
    assert computed_gain(make_activation("relu")) == math.sqrt(2)
    assert math.isclose(computed_gain(make_activation("leaky_relu", 0.2)), math.sqrt(2 / 1.04), rel_tol=1e-15)


def test_gain_report_says_which_gain_and_where_it_came_from(cli):
    result = cli("gain", "gelu", "--format", "csv")
    assert result.exit_code == 0, result.output
    header, row = result.stdout.splitlines()
    assert header == "nonlinearity,torch_gain,computed_gain,second_moment,gain,gain_source"
    assert row == "gelu,,1.5335304411955353,0.4252214825702987,1.5335304411955353,computed gelu"
    result = cli("gain", "tanh", "--format", "csv")
    assert result.stdout.splitlines()[1].endswith(",1.6666666666666667,torch tanh")
    result = cli("gain", "selu", "--format", "csv")
    assert result.stdout.splitlines()[1].endswith(",0.75,torch selu")
    # an explicit gain belongs to a layer now (the gain command shows the activation's own gain)
    assert cli("gain", "selu", "--gain", "1").stderr.startswith("Error: No such option: --gain")
    result = cli("784", "256", "--act", "selu", "--gain", "1", "--scheme", "lecun", "--dist", "normal")
    assert "gain — lecun: gain 1 from --gain" in result.stdout
    table = cli("gain", "gelu")
    assert table.exit_code == 0, table.output
    assert "gain used  from" in table.stdout and "1.53353  computed gelu" in table.stdout
