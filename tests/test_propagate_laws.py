"""``propagate --init NAME`` for the initializers that are not variance scaling.

Mean-field expectations are written out from the recursion with the law's realized variance
(q_l = Var·fan_in·E[x_l²], χ_l = Var·fan_out·E[φ′²]; linear: E[x²] = q, relu: E[relu(y)²] = q/2,
E[relu′²] = ½) and the law's variance from its formula: N(0, s²) → s², U(−a, a) → a²/3, N(0, s²)
cut at ±b → s²·(1 − 2βφ(β)/(2Φ(β) − 1)) with β = b/s, torch sparse_ → s²·(rows − ceil(p·rows))/rows.
So for N(0, s²) over L linear layers of width n the output variance is (n·s²)^L.

Monte Carlo tolerance (first layer forward, last layer backward). The first layer's y = W·x over a
batch of B inputs x ~ N(0, I_n), W of n × n iid entries of variance σ² and kurtosis κ. The
statistic is S = mean of y² over the B·n entries, E[S] = nσ². Given W, y_bj ~ N(0, |W_j|²):
E[y⁴] = 3E|W_j|⁴ = 3σ⁴(n² + (κ−1)n); two entries of one input b (rows j ≠ j′, independent given
x) have Cov(y², y′²) = σ⁴(E|x|⁴ − n²) = 2nσ⁴; two inputs through one row j have Cov = Var|W_j|²
= (κ−1)nσ⁴; all other pairs are independent. Summing, Var(S)/E[S]² = 4/(Bn) + (2κ − 4)/(Bn²) +
(κ − 1)/n², and the relative SE of the std √S is half its square root. The backward pass g·W of
the last layer has the same law with n = fan_out. The tests allow 4 SE (plus the sample mean's
removal, O(1/(Bn)), and float32 rounding, far below).
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

N, BATCH = 64, 512


def propagate_json(cli, *argv, stdin=None) -> dict:
    result = cli("propagate", *argv, "--batch", str(BATCH), "--format", "json", stdin=stdin)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def truncated_variance(s: float, b: float) -> float:
    """N(0, s²) cut at ±b: s²·(1 − 2βφ(β)/(2Φ(β) − 1)), β = b/s."""
    beta = b / s
    density = math.exp(-beta * beta / 2) / math.sqrt(2 * math.pi)
    return s * s * (1 - 2 * beta * density / math.erf(beta / math.sqrt(2)))


def rel_se_std(n: int, batch: int, kurtosis: float) -> float:
    """Relative SE of the first layer's pre-activation std (module docstring)."""
    relvar = 4 / (batch * n) + (2 * kurtosis - 4) / (batch * n * n) + (kurtosis - 1) / (n * n)
    return math.sqrt(relvar) / 2


TORCH_PRINTOUT = (
    "Sequential(\n"
    + "".join(f"  ({i}): Linear(in_features={N}, out_features={N}, bias=True)\n" for i in range(3))
    + ")\n"
)

# every input form: (argv, stdin, layers)
FORMS = {
    "positional fans": ([str(N), str(N)], None, 1),
    "depth": ([str(N), "--depth", "3"], None, 3),
    "shape": (["--shape", f"{N}x{N}"], None, 1),
    "architecture": ([f"{N}-{N}-{N}-{N}"], None, 3),
    "torch printout": (["-"], TORCH_PRINTOUT, 3),
}


@pytest.mark.parametrize("form", FORMS)
def test_normal_mean_field_is_n_s_squared_to_the_depth_on_every_input_form(cli, form):
    """normal_(0, s), linear layers of width n: q_l = (n·s²)^(l+1), the gradient (n·s²)^(L−l)."""
    argv, stdin, depth = FORMS[form]
    s = 0.2
    doc = propagate_json(cli, *argv, "--init", f"normal_(0, {s})", stdin=stdin)
    layers = doc["layers"]
    assert len(layers) == depth
    gain = N * s * s  # Var·fan_in
    for index, layer in enumerate(layers):
        assert layer["init"]["variance"] == pytest.approx(s * s, rel=1e-12)
        assert layer["init"]["mode"] == "fixed"
        assert layer["mean_field"]["pre_std"] == pytest.approx(gain ** ((index + 1) / 2), rel=1e-9)
        assert layer["mean_field"]["grad_std"] == pytest.approx(gain ** ((depth - index) / 2), rel=1e-9)
    assert layers[-1]["mean_field"]["pre_std"] ** 2 == pytest.approx((N * s * s) ** depth, rel=1e-9)
    se = rel_se_std(N, BATCH, 3.0)
    first, last = layers[0], layers[-1]
    assert abs(first["monte_carlo"]["pre_std"] / math.sqrt(N * s * s) - 1) < 4 * se
    assert abs(last["monte_carlo"]["grad_std"] / math.sqrt(N * s * s) - 1) < 4 * se


LAWS = {
    # name: (variance, kurtosis of one weight)
    "uniform_(-0.3, 0.3)": (0.3**2 / 3, 1.8),
    "RandomUniform(-0.3, 0.3)": (0.3**2 / 3, 1.8),
    "RandomNormal(stddev=0.15)": (0.15**2, 3.0),
    "jax.nn.initializers.normal(0.15)": (0.15**2, 3.0),
    "trunc_normal_(0, 0.2, -0.3, 0.3)": (truncated_variance(0.2, 0.3), None),
    "TruncatedNormal(stddev=0.2)": (truncated_variance(0.2, 0.4), None),
    "jax.nn.initializers.truncated_normal(0.2)": (truncated_variance(0.2, 0.4), None),
    "sparse_(0.25, 0.2)": (0.2**2 * (N - math.ceil(0.25 * N)) / N, 3 / ((N - math.ceil(0.25 * N)) / N)),
}


@pytest.mark.parametrize("name", LAWS)
def test_each_zero_mean_law_propagates_at_its_variance_through_relu(cli, name):
    """relu, width n: q_0 = n·Var, q_{l+1} = n·Var·q_l/2; χ = n·Var/2; Monte Carlo within 4 SE."""
    variance, kurtosis = LAWS[name]
    depth = 4
    doc = propagate_json(cli, str(N), "--depth", str(depth), "--act", "relu", "--init", name)
    q = N * variance
    for layer in doc["layers"]:
        assert layer["init"]["variance"] == pytest.approx(variance, rel=1e-9)
        assert layer["mean_field"]["pre_std"] == pytest.approx(math.sqrt(q), rel=1e-9)
        assert layer["mean_field"]["chi"] == pytest.approx(N * variance / 2, rel=1e-9)
        q = N * variance * q / 2
    # a truncated normal's kurtosis is below 3: the Gaussian's bound is the larger (looser) one
    se = rel_se_std(N, BATCH, kurtosis or 3.0)
    measured = doc["layers"][0]["monte_carlo"]["pre_std"]
    assert abs(measured / math.sqrt(N * variance) - 1) < 4 * se


def test_the_note_sets_var_fan_in_beside_he(cli):
    """normal_(0, 0.1) at fan_in 256 under relu: Var·fan_in = 2.56, He's 2: ×1.28."""
    argv = ["256", "--depth", "3", "--act", "relu", "--init", "normal_(0, 0.1)", "--batch", "8"]
    result = cli("propagate", *argv)
    assert result.exit_code == 0, result.output
    text = " ".join(result.stdout.split())
    assert "Var·fan_in = 2.56" in text
    assert "he, recommended for relu, has 2" in text
    assert "×1.28" in text
    assert "verdict forward: stable" in text  # std ×√1.28 per layer: ×1.28 from first to last, within 2


def test_a_fixed_scale_law_explodes_with_depth(cli):
    """normal_(0, 0.1) at width 1024, linear: std ×√(1024·0.01) = ×3.2 per layer."""
    doc = propagate_json(cli, "1024", "--depth", "6", "--init", "normal_(0, 0.1)")
    forward = doc["verdict"]["forward"]
    assert forward["verdict"] == "exploding"
    assert forward["per_layer"] == pytest.approx(math.sqrt(1024 * 0.01), rel=1e-9)


def test_sparse_draws_real_sparse_columns():
    """The Monte Carlo's weight from sparse_: exactly ceil(p·rows) zeros in each column."""
    from glorotcalc.initnames import parse_init
    from glorotcalc.layers import dense
    from glorotcalc.propagate_laws import law_init
    from glorotcalc.sampling import draw

    law = parse_init("sparse_(0.3, 0.1)")
    rows, cols = 40, 25
    stats = law_init(law, dense(cols, rows))
    w = draw(stats, (rows, cols), np.random.default_rng(0), np.float32)
    assert w.dtype == np.float32 and w.shape == (rows, cols)
    assert ((w == 0).sum(axis=0) == math.ceil(0.3 * rows)).all()


REFUSED = {
    "uniform_()": "mean 0.5",
    "jax.nn.initializers.uniform": "mean 0.005",
    "normal_(1, 0.1)": "mean 1",
    "ones_": "mean 1",
    "constant_(0.5)": "mean 0.5",
    "Constant(2.0)": "mean 2",
    "zeros_": "no signal passes",
    "Zeros": "no signal passes",
    "eye_": "identity map",
    "Identity": "identity map",
}


@pytest.mark.parametrize("name", REFUSED)
def test_laws_that_propagate_cannot_follow_are_refused_in_one_line(cli, name):
    result = cli("propagate", str(N), "--depth", "2", "--init", name)
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "propagate --init" in lines[0] and REFUSED[name] in lines[0]
    assert name.split("(")[0].split(".")[-1] in lines[0]


def test_dirac_is_refused_and_sparse_on_a_conv_gets_torchs_refusal(cli):
    dirac = cli("propagate", "16-conv3x3:16", "--init", "dirac_")
    assert dirac.exit_code == 2 and "identity map" in dirac.stderr
    sparse = cli("propagate", "16-conv3x3:16", "--init", "sparse_(0.5)")
    assert sparse.exit_code == 2 and "2-D" in sparse.stderr


def test_delta_orthogonal_conv_layers_propagate_like_orthogonal(cli):
    """delta_orthogonal on (k, k, c, c) convs, linear: Var = gain²·in/numel = 1/(k²·c), so
    q = Var·fan_in = 1 per layer, and the orthogonal network keeps every input's norm."""
    k, c = 3, 8
    result = cli(
        "propagate", f"{c}-conv{k}x{k}:{c}-conv{k}x{k}:{c}", "--init", "jax.nn.initializers.delta_orthogonal",
        "--batch", "32", "--dtype", "float64", "--format", "json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    for layer in doc["layers"]:
        assert layer["variance"] == pytest.approx(1 / (k * k * c), rel=1e-12)
        assert layer["fwd_std"] == pytest.approx(1.0, rel=1e-12)
        assert layer["spread_orthogonal"] < 1e-12
    shaped = cli("propagate", "--shape", f"{k}x{k}x{c}x{2 * c}", "--init", "delta_orthogonal", "--batch", "8")
    assert shaped.exit_code == 0, shaped.output  # --shape read in JAX's layout (*k, in, out)
    dense_layer = cli("propagate", "64", "64", "--init", "delta_orthogonal")
    assert dense_layer.exit_code == 2 and "3-, 4- or 5-D" in dense_layer.stderr


def test_shape_is_read_in_the_initializers_framework_layout(cli):
    """As lookup and emit: Keras's (*k, in, out) = (3, 3, 16, 32) has fan_in 3·3·16 = 144, fan_out
    3·3·32 = 288; torch's (out, in, *k) reading of the same --shape gives 3·16·32 for both."""
    keras = propagate_json(cli, "--shape", "3x3x16x32", "--init", "RandomNormal(stddev=0.05)")["layers"][0]
    assert (keras["fan_in"], keras["fan_out"]) == (144, 288)
    torch = propagate_json(cli, "--shape", "3x3x16x32", "--init", "normal_(0, 0.05)")["layers"][0]
    assert (torch["fan_in"], torch["fan_out"]) == (3 * 16 * 32, 3 * 16 * 32)
