"""Reproduce what the initialization papers state, with the mean field (exact) and the Monte Carlo.

Monte Carlo error model (used by every tolerance below). Given a layer's input a (any vector),
Gaussian weights make the pre-activations y_i = w_i·a i.i.d. N(0, Var·‖a‖²) over the fan_out
units, so the output's squared norm Σ φ(y_i)² has relative variance (κ_φ − 1)/m, with
κ_φ = E[φ(y)⁴]/E[φ(y)²]² and m the width (relu: κ = 6, the 5/m of Hanin & Nica 2019; linear: 3).
Backward, the gradient's squared norm picks up 2/m from the weights and 3·(κ_φ′ − 1)/m from the
derivative mask (κ_φ′ = E[φ′⁴]/E[φ′²]²; relu: 2 → 5/m again). These per-layer factors multiply,
so over L layers log(std ratio) has SD ½·√(Σ v_l). One input is the worst case: averaging a
batch cannot add spread (deep relu layers make the batch's inputs nearly collinear, so a batch
is worth little more than one input). Where the mean-field map contracts towards a fixed point
(tanh, selu) the noise does not accumulate: the stationary SD is √v/√(1 − ρ²), ρ the map's slope.
Tolerances are 4 such SDs. Mean-field values are checked to rounding (1e-12).
"""

from __future__ import annotations

import math
from itertools import pairwise

import numpy as np
import pytest
from numpy.polynomial.hermite_e import hermegauss

from glorotcalc.frameworks import FRAMEWORKS, default_stats
from glorotcalc.gain import make_activation
from glorotcalc.layers import dense
from glorotcalc.propagate import Step, mean_field, monte_carlo
from glorotcalc.schemes import variance_scaling

RELU = make_activation("relu")
TANH = make_activation("tanh")
SELU = make_activation("selu")
LAMBDA = 1.0507009873554804934193349852946
ALPHA = 1.6732632423543772848170429916717


def square(width: int, depth: int, activation, scale: float, mode: str, distribution: str = "normal"):
    return [
        Step(
            dense(width, width, name=f"layer{i}", activation=activation),
            variance_scaling(width, width, scale=scale, mode=mode, distribution=distribution),
        )
        for i in range(depth)
    ]


def walk_sd(variance_per_layer: float, layers: int) -> float:
    """SD of log(std_L / std_0) after `layers` independent per-layer factors."""
    return 0.5 * math.sqrt(layers * variance_per_layer)


HERMITE = hermegauss(200)


def gauss(function, q: float) -> float:
    """E[f(√q·z)], z ~ N(0, 1), by plain 200-node Gauss–Hermite (smooth f only)."""
    z, w = HERMITE
    return float(w @ function(math.sqrt(q) * z)) / math.sqrt(2 * math.pi)


# ---------------------------------------------------------------------------- He et al. 2015


@pytest.mark.slow
def test_he_2015_relu_with_xavier_shrinks_by_root_half_per_layer():
    """ReLU, Xavier (Var = 2/(fan_in + fan_out) = 1/n, square): q_{l+1} = n·Var·q_l/2, so the
    pre-activation std shrinks by 2^(−1/2) per layer: ×2^(−11) = 4.88e−4 after 22 layers and
    ×2^(−15) = 3.05e−5 after 30. The mean field is exact (rounding only).

    Monte Carlo (width 1024, batch 32): relu's per-layer log-variance 5/m over 22 layers gives
    SD ½·√(22·5/1024) = 0.164 for log of the ratio; 4 SD = 0.66."""
    steps = square(1024, 31, RELU, 1.0, "fan_avg")
    theory = mean_field(steps)
    ratio = [t.pre_std / theory[0].pre_std for t in theory]
    assert math.isclose(ratio[22], 4.8828125e-4, rel_tol=1e-12)  # 2^-11
    assert math.isclose(ratio[30], 3.0517578125e-5, rel_tol=1e-12)  # 2^-15
    assert all(math.isclose(r, 2 ** (-i / 2), rel_tol=1e-12) for i, r in enumerate(ratio))
    measured = monte_carlo(steps[:23], 32, "float32", seed=1)
    observed = measured[22].pre_std / measured[0].pre_std
    assert abs(math.log(observed / 2**-11)) <= 4 * walk_sd(5 / 1024, 22)


@pytest.mark.slow
def test_he_2015_he_init_keeps_the_std():
    """He init (Var = 2/fan_in): the mean field stays at exactly √2 (factor 1 per layer); the Monte
    Carlo over 22 layers of width 1024 stays within 4 SD of it (4·0.164 in log: ±93%/−48% —
    a few percent per layer: ±3.0% for the geometric mean per layer)."""
    steps = square(1024, 23, RELU, 2.0, "fan_in")
    assert all(math.isclose(t.pre_std, math.sqrt(2), rel_tol=1e-12) for t in mean_field(steps))
    measured = monte_carlo(steps, 32, "float32", seed=2)
    per_layer = (measured[22].pre_std / measured[0].pre_std) ** (1 / 22)
    assert abs(math.log(per_layer)) <= 4 * walk_sd(5 / 1024, 22) / 22


@pytest.mark.slow
def test_he_2015_torch_default_shrinks_by_root_sixth_per_layer():
    """torch's nn.Linear default, kaiming_uniform_(a=√5): U(±1/√fan_in), Var = 1/(3·fan_in), so
    q_{l+1} = q_l/6 with relu: ×(1/6)^(1/2) = 0.408 per layer. Monte Carlo as above (uniform
    weights: the y_i are still Gaussian given the input, by the CLT over 1024 terms)."""
    width = 1024
    steps = [
        Step(layer, default_stats(FRAMEWORKS["torch"], layer))
        for layer in (dense(width, width, name=f"layer{i}", activation=RELU) for i in range(12))
    ]
    assert steps[0].stats.distribution == "uniform"
    assert math.isclose(steps[0].stats.variance, 1 / (3 * width), rel_tol=1e-15)
    theory = mean_field(steps)
    for before, after in pairwise(theory):
        assert math.isclose(after.pre_std / before.pre_std, math.sqrt(1 / 6), rel_tol=1e-12)
    measured = monte_carlo(steps, 64, "float32", seed=3)
    observed = measured[11].pre_std / measured[0].pre_std
    assert abs(math.log(observed / (1 / 6) ** (11 / 2))) <= 4 * walk_sd(5 / width, 11)


# ---------------------------------------------------------------------------- Klambauer et al. 2017


def _selu_second_moment(q: float) -> float:
    """E[selu(y)²], y ~ N(0, q), closed form: λ²(q/2 + α²(e^{2q}Φ(−2√q) − 2e^{q/2}Φ(−√q) + ½))."""

    def negative(c):  # E[e^{c·y}·1{y < 0}] = e^{c²q/2}·Φ(−c√q)
        return math.exp(c * c * q / 2) * math.erfc(c * math.sqrt(q / 2)) / 2

    return LAMBDA**2 * (q / 2 + ALPHA**2 * (negative(2) - 2 * negative(1) + 0.5))


@pytest.mark.slow
def test_klambauer_2017_selu_with_lecun_normal_holds_mean_0_variance_1():
    """SELU + LeCun normal (Var = 1/fan_in) over 100 layers: the mean field sits on the fixed
    point mean 0, variance 1 (to 1e-12).

    Monte Carlo (width m = 512, batch 64). A layer's output mean over m units has SD ≤ 1/√m =
    0.044 (one input); layers draw fresh weights, so means are independent: |mean| ≤ 4·0.044
    per layer and ≤ 4·0.044/√50 for the average of layers 50–99. The variance: per-layer relative
    SD √((κ − 1)/m) with κ = E[selu⁴]/E[selu²]² = 2.503 at q = 1 (0.054), amplified to
    0.054/√(1 − ρ²) at the attracting fixed point, ρ = dE[selu(√q·z)²]/dq = 0.783 at q = 1
    (computed below from the closed form): 0.087, so |var − 1| ≤ 4·0.087 per layer; the average
    of 50 consecutive layers (correlation ρ^k) has SD 0.087·√((1 + ρ)/(1 − ρ))/√50."""
    steps = square(512, 100, SELU, 1.0, "fan_in")
    for layer in mean_field(steps):
        assert abs(layer.act_mean) < 1e-12 and math.isclose(layer.act_std, 1.0, rel_tol=1e-12)
        assert math.isclose(layer.pre_std, 1.0, rel_tol=1e-12)
    h = 1e-5
    rho = (_selu_second_moment(1 + h) - _selu_second_moment(1 - h)) / (2 * h)
    assert 0.78 < rho < 0.79
    variance_sd = math.sqrt((2.503 - 1) / 512) / math.sqrt(1 - rho**2)
    mean_sd = 1 / math.sqrt(512)
    measured = monte_carlo(steps, 64, "float32", seed=4)
    means = np.array([m.act_mean for m in measured])
    variances = np.array([m.act_std**2 for m in measured])
    assert np.all(np.abs(means) <= 4 * mean_sd)
    assert np.all(np.abs(variances - 1) <= 4 * variance_sd)
    assert abs(means[50:].mean()) <= 4 * mean_sd / math.sqrt(50)
    assert abs(variances[50:].mean() - 1) <= 4 * variance_sd * math.sqrt((1 + rho) / (1 - rho)) / math.sqrt(
        50
    )


# ---------------------------------------------------------------------------- tanh with gain 5/3


@pytest.mark.slow
def test_tanh_with_gain_five_thirds_settles_and_its_gradient_grows():
    """Glorot with torch's tanh gain 5/3 on square layers: Var·n = 25/9. The mean-field fixed point
    q* = (25/9)·E[tanh²(√q*·z)] (solved here with plain Gauss–Hermite) gives a post-activation rms
    √E[tanh²] = 0.6513 ("≈ 0.651"), and χ* = (25/9)·E[sech⁴(√q*·z)] = 1.2098: the gradient std
    grows by √χ* = 1.0999 ("≈ 1.10") per layer.

    Monte Carlo (width m = 512, batch 128, 30 layers): the rms averaged over layers 10–29 has
    relative SD ½·√((κ − 1)/m)/√(1 − ρ²)·√((1 + ρ)/(1 − ρ))/√20 (κ, ρ at q*, computed below);
    the gradient's per-layer factor over layers 29 → 10 has SD of its log
    walk_sd(v_b, 19)/19 with v_b = (2 + 3(κ′ − 1))/m, κ′ = E[sech⁸]/E[sech⁴]²."""
    gain_squared = 25 / 9
    q = 1.0
    for _ in range(200):
        q = gain_squared * gauss(lambda y: np.tanh(y) ** 2, q)
    rms = math.sqrt(q / gain_squared)
    chi = gain_squared * gauss(lambda y: np.cosh(y) ** -4, q)
    assert abs(rms - 0.651) < 5e-4 and abs(math.sqrt(chi) - 1.10) < 1e-3
    steps = square(512, 30, TANH, gain_squared, "fan_avg")
    theory = mean_field(steps)
    assert math.isclose(theory[-1].act_rms, rms, rel_tol=1e-10)
    assert math.isclose(theory[-2].grad_std / theory[-1].grad_std, math.sqrt(chi), rel_tol=1e-9)

    kurtosis = gauss(lambda y: np.tanh(y) ** 4, q) / gauss(lambda y: np.tanh(y) ** 2, q) ** 2
    h = 1e-5
    rho = (
        gain_squared
        * (gauss(lambda y: np.tanh(y) ** 2, q + h) - gauss(lambda y: np.tanh(y) ** 2, q - h))
        / (2 * h)
    )
    assert 0 < rho < 1
    single = 0.5 * math.sqrt((kurtosis - 1) / 512) / math.sqrt(1 - rho**2)
    average_sd = single * math.sqrt((1 + rho) / (1 - rho)) / math.sqrt(20)
    slope_kurtosis = gauss(lambda y: np.cosh(y) ** -8, q) / gauss(lambda y: np.cosh(y) ** -4, q) ** 2
    measured = monte_carlo(steps, 128, "float32", seed=5)
    observed_rms = np.mean([math.hypot(m.act_mean, m.act_std) for m in measured[10:]])
    assert abs(math.log(observed_rms / rms)) <= 4 * average_sd
    factor = (measured[10].grad_std / measured[29].grad_std) ** (1 / 19)
    assert (
        abs(math.log(factor / math.sqrt(chi))) <= 4 * walk_sd((2 + 3 * (slope_kurtosis - 1)) / 512, 19) / 19
    )


# ---------------------------------------------------------------------------- Glorot & Bengio 2010


@pytest.mark.slow
def test_glorot_bengio_2010_standard_init_shrinks_the_backpropagated_gradient():
    """tanh, 10 square layers of width 256, uniform weights. "Standard" U(±1/√n): Var = 1/(3n),
    so χ_l = ⅓·E[tanh′²] ≤ ⅓ — the gradient variance shrinks at least ×3 per layer (std ×0.577).
    Normalized (Glorot) init: Var = 2/(n + n) = 1/n, χ_l = E[tanh′²(√q_l·z)] → 1 as q_l → 0 with
    depth (q_l shrinks slowly for tanh at gain 1): 0.46 at the first layer, above 0.8 from the
    fifth on. So "near-constant" holds away from the input layers: with unit-variance inputs the
    first tanh layers are not in the linear regime of Glorot & Bengio's derivation.

    Monte Carlo: the backpropagated gradient over the 9 steps 9 → 0 stays within 4·walk_sd of
    the mean field for both (v_b ≤ (2 + 3·(κ′ − 1))/m with κ′ ≤ 1.6 here: 6.8/256 per layer)."""
    standard = square(256, 10, TANH, 1 / 3, "fan_in", "uniform")
    normalized = square(256, 10, TANH, 1.0, "fan_avg", "uniform")
    low, high = mean_field(standard), mean_field(normalized)
    assert all(layer.chi <= 1 / 3 for layer in low)
    assert high[0].chi > 0.46 and all(layer.chi > 0.8 for layer in high[4:])
    assert all(a.chi < b.chi for a, b in pairwise(high))
    end_to_end_low = low[0].grad_std / low[-1].grad_std
    end_to_end_high = high[0].grad_std / high[-1].grad_std
    assert end_to_end_low < 0.006 < 0.28 < end_to_end_high
    tolerance = 4 * walk_sd((2 + 3 * 0.6) / 256, 9)
    for steps, theory, seed in ((standard, low, 6), (normalized, high, 7)):
        measured = monte_carlo(steps, 128, "float32", seed=seed)
        observed = measured[0].grad_std / measured[-1].grad_std
        assert abs(math.log(observed / (theory[0].grad_std / theory[-1].grad_std))) <= tolerance


def test_the_cli_reproduces_he_2015_with_gain_one(cli):
    """From the shell: `--scheme glorot --gain 1` is Xavier as He et al. used it; `--act relu`
    alone would give Glorot torch's relu gain √2 (the table says so), which keeps the std."""
    import json

    result = cli("propagate", "256", "--depth", "23", "--act", "relu", "--scheme", "glorot", "--gain", "1")
    assert result.exit_code == 0, result.output
    assert "verdict forward: vanishing — std ×0.707107 per layer (geometric mean), ×0.000488281 from" in (
        result.stdout.replace("\n", " ")
    )
    gained = cli(
        "propagate", "256", "--depth", "3", "--act", "relu", "--scheme", "glorot", "--format", "json"
    )
    assert gained.exit_code == 0, gained.output
    document = json.loads(gained.stdout)
    assert document["layers"][0]["init"]["gain_source"] == "torch relu"
    assert all(math.isclose(layer["ratios"]["fwd_ratio"], 1.0) for layer in document["layers"])
