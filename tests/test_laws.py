"""The initializers that are not variance scaling: each one's mean, std and support from its formula.

Expected numbers are written here from the definitions (torch 2.13 torch/nn/init.py, Keras 3.15
keras/src/initializers, JAX 0.10 jax/_src/nn/initializers.py), never by calling glorotcalc.laws:
U(a, b) has mean (a+b)/2 and std (b−a)/√12; a truncated normal's moments come here from a
numerical integral of its density (Simpson's rule), not from the closed form the code uses; an
indicator tensor with k ones among N entries has mean k/N and std √(p(1−p)); a semi-orthogonal
m × s matrix's entries have mean square 1/max(m, s).
"""

from __future__ import annotations

import math

import pytest

from glorotcalc.errors import UsageError
from glorotcalc.initnames import parse_init
from glorotcalc.laws import InitLaw, law_stats, truncated_moments


def stats(text: str, shape: tuple[int, ...], framework: str | None = None):
    return law_stats(parse_init(text, framework), shape)


def simpson_moments(mean: float, std: float, low: float, high: float, steps: int = 20000):
    """Mean and std of N(mean, std²) restricted to [low, high], by Simpson's rule on the density."""
    h = (high - low) / steps
    sums = [0.0, 0.0, 0.0]
    for i in range(steps + 1):
        x = low + i * h
        weight = 1 if i in (0, steps) else (4 if i % 2 else 2)
        density = math.exp(-((x - mean) ** 2) / (2 * std * std))
        for k in range(3):
            sums[k] += weight * density * x**k
    m1 = sums[1] / sums[0]
    return m1, math.sqrt(sums[2] / sums[0] - m1 * m1)


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [
        ("uniform_", 0.0, 1.0),  # torch default U(0, 1): mean 0.5
        ("uniform_(-0.1, 0.1)", -0.1, 0.1),
        ("nn.init.uniform_(w, a=2, b=5)", 2.0, 5.0),
        ("RandomUniform", -0.05, 0.05),  # Keras default
        ("RandomUniform(minval=0, maxval=3)", 0.0, 3.0),
        ("uniform", 0.0, 0.01),  # JAX uniform(scale=1e-2): U[0, scale)
        ("jax.nn.initializers.uniform(0.5)", 0.0, 0.5),
        ("jax.nn.initializers.uniform(-0.5)", -0.5, 0.0),
    ],
)
def test_uniform(text, low, high):
    s = stats(text, (256, 784))
    assert s.mean == pytest.approx((low + high) / 2, rel=1e-15, abs=1e-300)
    assert s.std == pytest.approx((high - low) / math.sqrt(12), rel=1e-15)
    assert (s.low, s.high, s.max_abs) == (low, high, max(abs(low), abs(high)))
    assert s.excess_kurtosis == pytest.approx(-1.2)


@pytest.mark.parametrize(
    ("text", "mean", "std"),
    [
        ("normal_", 0.0, 1.0),
        ("normal_(0.5, 0.02)", 0.5, 0.02),
        ("RandomNormal", 0.0, 0.05),
        ("RandomNormal(mean=1, stddev=2)", 1.0, 2.0),
        ("normal", 0.0, 0.01),
        ("jax.nn.initializers.normal(0.3)", 0.0, 0.3),
    ],
)
def test_normal(text, mean, std):
    s = stats(text, (10, 10))
    assert (s.mean, s.std, s.low, s.high, s.max_abs, s.excess_kurtosis) == (mean, std, None, None, None, 0.0)


@pytest.mark.parametrize(
    ("text", "mean", "std", "low", "high"),
    [
        ("trunc_normal_", 0.0, 1.0, -2.0, 2.0),  # torch: absolute cut-offs
        ("trunc_normal_(std=0.02)", 0.0, 0.02, -2.0, 2.0),  # cuts at ±100σ: nothing
        ("trunc_normal_(mean=0.1, std=0.5, a=0, b=1)", 0.1, 0.5, 0.0, 1.0),  # one-sided shift
        ("TruncatedNormal", 0.0, 0.05, -0.1, 0.1),  # Keras: mean ± 2·stddev
        ("TruncatedNormal(mean=1, stddev=0.2)", 1.0, 0.2, 0.6, 1.4),
        ("jax.nn.initializers.truncated_normal", 0.0, 0.01, -0.02, 0.02),  # lower/upper × stddev
        ("jax.nn.initializers.truncated_normal(0.1, lower=-1, upper=3)", 0.0, 0.1, -0.1, 0.3),
    ],
)
def test_truncated_normal(text, mean, std, low, high):
    s = stats(text, (8, 8))
    integral_low, integral_high = max(low, mean - 12 * std), min(high, mean + 12 * std)
    expected_mean, expected_std = simpson_moments(mean, std, integral_low, integral_high)
    assert s.mean == pytest.approx(expected_mean, rel=1e-8, abs=1e-12 * std)
    assert s.std == pytest.approx(expected_std, rel=1e-8)
    assert (s.low, s.high) == pytest.approx((low, high))
    assert s.max_abs == pytest.approx(max(abs(low), abs(high)))


def test_keras_truncated_normal_realizes_0_88_of_its_stddev():
    """Keras TruncatedNormal(0.05) has no correction: std 0.05·√(1 − 4φ(2)/(2Φ(2) − 1))."""
    phi2 = math.exp(-2) / math.sqrt(2 * math.pi)
    factor = math.sqrt(1 - 4 * phi2 / math.erf(2 / math.sqrt(2)))
    assert stats("TruncatedNormal(stddev=0.05)", (3, 3)).std == pytest.approx(0.05 * factor, rel=1e-14)
    assert factor == pytest.approx(0.87962566103423978, rel=1e-15)


def test_truncated_moments_in_a_far_tail():
    """(5, 6): Z = Φ(6) − Φ(5) ≈ 2.9e−7 — a difference of erfs would lose every digit."""
    mean, std = simpson_moments(0.0, 1.0, 5.0, 6.0)
    m, s, _ = truncated_moments(5.0, 6.0)
    assert (m, s) == pytest.approx((mean, std), rel=1e-7)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("zeros_", 0.0),
        ("ones_", 1.0),
        ("constant_(0.25)", 0.25),
        ("Zeros", 0.0),
        ("Ones", 1.0),
        ("Constant(3)", 3.0),
        ("Constant", 0.0),
        ("jax.nn.initializers.zeros", 0.0),
        ("jax.nn.initializers.ones", 1.0),
        ("jax.nn.initializers.constant(-2)", -2.0),
        ("nn.initializers.ones_init()", 1.0),
    ],
)
def test_constants(text, value):
    s = stats(text, (4, 5, 6))
    assert (s.mean, s.std, s.low, s.high, s.max_abs) == (value, 0.0, value, value, abs(value))


@pytest.mark.parametrize(
    ("text", "shape", "ones", "gain"),
    [
        ("eye_", (256, 784), 256, 1.0),
        ("eye_", (5, 3), 3, 1.0),
        ("Identity", (784, 256), 256, 1.0),
        ("Identity(gain=2)", (4, 4), 4, 2.0),
        ("dirac_", (64, 32, 3, 3), 32, 1.0),  # min(out, in) ones
        ("dirac_(groups=2)", (8, 4, 3), 8, 1.0),  # groups·min(out/groups, in)
        ("dirac_(groups=4)", (8, 16, 3, 3, 3), 8, 1.0),  # min(2, 16) = 2 per group
    ],
)
def test_identities(text, shape, ones, gain):
    s = stats(text, shape)
    p = ones / math.prod(shape)
    assert s.mean == pytest.approx(gain * p, rel=1e-15)
    assert s.std == pytest.approx(abs(gain) * math.sqrt(p * (1 - p)), rel=1e-15)
    assert (s.max_abs, s.nonzero) == (abs(gain), ones)


@pytest.mark.parametrize(
    ("text", "shape", "matrix"),
    [
        ("orthogonal_", (256, 784), (256, 784)),  # torch (shape[0], rest)
        ("orthogonal_(gain=2)", (64, 3, 3, 3), (64, 27)),
        ("orthogonal_", (3, 4, 5), (3, 20)),
        ("keras.initializers.Orthogonal", (3, 4, 5), (12, 5)),  # Keras (prod(shape[:-1]), shape[-1])
        ("keras.initializers.Orthogonal(0.5)", (3, 3, 64, 128), (576, 128)),
        ("jax.nn.initializers.orthogonal", (3, 4, 5), (12, 5)),  # JAX: column_axis=-1
        ("jax.nn.initializers.orthogonal(column_axis=0)", (3, 4, 5), (20, 3)),
        ("jax.nn.initializers.orthogonal(scale=3, column_axis=1)", (3, 4, 5), (15, 4)),
    ],
)
def test_orthogonal_matrix_and_rms(text, shape, matrix):
    law = parse_init(text)
    s = law_stats(law, shape)
    assert s.matrix == matrix
    assert s.std == pytest.approx(abs(law.gain) / math.sqrt(max(matrix)), rel=1e-15)
    assert (s.mean, s.max_abs) == (0.0, abs(law.gain))


def test_delta_orthogonal():
    """An orthogonal (in, out) matrix at the kernel centre: in unit rows among numel entries."""
    s = stats("jax.nn.initializers.delta_orthogonal(scale=2)", (3, 3, 16, 32))
    assert s.std == pytest.approx(2 * math.sqrt(16 / (3 * 3 * 16 * 32)), rel=1e-15)
    assert (s.matrix, s.nonzero, s.max_abs) == ((16, 32), 16 * 32, 2.0)


@pytest.mark.parametrize(
    ("sparsity", "rows", "zeros"),
    [(0.1, 784, 79), (0.5, 4, 2), (0.3, 32, 10), (0.0, 10, 0), (1.0, 10, 10), (0.01, 7, 1)],
)
def test_sparse(sparsity, rows, zeros):
    """ceil(sparsity·rows) zeros per column; the rest N(0, std²)."""
    assert zeros == math.ceil(sparsity * rows)
    s = stats(f"sparse_({sparsity}, std=0.02)", (rows, 5))
    q = (rows - zeros) / rows
    assert s.std == pytest.approx(0.02 * math.sqrt(q), rel=1e-15)
    assert s.nonzero == (rows - zeros) * 5
    if q:
        assert s.excess_kurtosis == pytest.approx(3 / q - 3)


@pytest.mark.parametrize(
    ("text", "shape", "words"),
    [
        ("eye_", (2, 3, 4), "takes only 2-D"),
        ("Identity", (3, 3, 3), "takes only 2-D"),
        ("dirac_", (4, 4), "3-, 4- or 5-D"),
        ("dirac_(groups=3)", (8, 4, 3), "divisible by groups"),
        ("sparse_(0.5)", (4, 4, 4), "takes only 2-D"),
        ("orthogonal_", (5,), "at least 2 dimensions"),
        ("jax.nn.initializers.delta_orthogonal", (3, 32, 16), "must be ≤ fan_out"),
        ("jax.nn.initializers.delta_orthogonal", (3, 3), "3-, 4- or 5-D"),
    ],
)
def test_what_the_framework_refuses_is_refused(text, shape, words):
    with pytest.raises(UsageError) as info:
        stats(text, shape)
    assert words in str(info.value) and "\n" not in str(info.value)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("truncated_normal", "ambiguous"),  # Keras stddev 0.05, JAX 0.01
        ("truncated_normal(0.02)", "ambiguous"),  # Keras: mean=0.02; JAX: stddev=0.02
        ("jax.nn.initializers.zeros()", "initializer itself"),
        ("uniform_(1, 0)", "a < b"),
        ("sparse_(1.5)", "[0, 1]"),
        ("constant_", "needs"),
        ("trunc_normal_(std=0)", "positive"),
    ],
)
def test_bad_initializers_are_one_line(text, words):
    with pytest.raises(UsageError) as info:
        parse_init(text)
    assert words in str(info.value)


@pytest.mark.parametrize(
    ("text", "frameworks"),
    [
        ("orthogonal", ("keras", "jax", "flax")),  # Keras gain 1 and JAX scale 1: the same
        ("truncated_normal(stddev=0.02)", ("keras", "jax", "flax")),
        ("zeros", ("keras", "jax", "flax")),
        ("uniform", ("jax", "flax")),  # torch's bare uniform is a deprecated alias
        ("eye", ("torch",)),
        ("sparse(0.2)", ("torch",)),
    ],
)
def test_shared_bare_names(text, frameworks):
    law = parse_init(text)
    assert isinstance(law, InitLaw) and law.frameworks == frameworks


def test_lookup_prints_the_formula_with_the_numbers(cli):
    result = cli("784", "256", "--init", "uniform_")
    assert result.exit_code == 0, result.output
    assert "mean = (a + b)/2 = 0.5" in result.stdout and "0.288675" in result.stdout
    value = cli("784", "256", "--init", "TruncatedNormal", "--value")
    assert float(value.stdout) == pytest.approx(0.05 * 0.87962566103423978, rel=1e-14)


def test_a_refusal_is_one_line_exit_2(cli):
    result = cli("--shape", "8x4x3", "--init", "eye_")
    assert result.exit_code == 2
    assert (
        result.stderr.strip() == "Error: eye_ on shape (8, 4, 3): torch.nn.init.eye_ takes only 2-D tensors"
    )


def test_compare_shows_the_matrix_each_framework_forms(cli):
    result = cli("compare", "--shape", "3x4x5", "--init", "orthogonal_", "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = {line.split(",")[1]: line.split(",") for line in result.stdout.splitlines()[1:]}
    assert rows["torch"][4] == "3×20" and rows["keras"][4] == "20×3"  # the same weight, each layout
    assert float(rows["torch"][6]) == pytest.approx(1 / math.sqrt(20), rel=1e-15)


def test_emit_writes_each_framework_s_own_initializer(cli):
    keras = cli("emit", "keras", "784", "256", "--init", "orthogonal_(gain=2)")
    assert "keras.initializers.Orthogonal(gain=2.0)" in keras.stdout
    jax = cli("emit", "jax", "784", "256", "--init", "uniform_(-0.1, 0.1)")
    assert "jax.random.uniform(" in jax.stdout and "U[0, scale)" in jax.stdout
    torch = cli("emit", "torch", "784", "256", "--init", "TruncatedNormal(stddev=0.02)")
    assert "trunc_normal_(layer0, mean=0.0, std=0.02, a=-0.04, b=0.04)" in torch.stdout
    refused = cli("emit", "keras", "64-conv3x3:64", "--init", "dirac_")
    assert refused.exit_code == 2 and "Keras has no initializer" in refused.stderr


@pytest.mark.slow
@pytest.mark.parametrize(
    "text",
    [
        "uniform_",
        "RandomNormal(mean=1, stddev=2)",
        "trunc_normal_(mean=0.1, std=0.5, a=0, b=1)",
        "TruncatedNormal",
    ],
)
def test_glorotcalc_s_own_draws_have_the_law_s_moments(text):
    """10⁶ float64 draws: mean within 4·std/√n, std within 4·std·√((κ−1)/(4n)), inside the support."""
    from glorotcalc.layers import dense
    from glorotcalc.orthogonal import sample_law

    law, n = parse_init(text), 10**6
    s = law_stats(law, (n,))
    report = sample_law([dense(784, 256)], law, [(256, 784)], samples=n, seed=3, dtype="float64")
    drawn = report.document["layers"][0]["sample"]
    kappa = s.excess_kurtosis + 3
    assert abs(drawn["mean"] - s.mean) <= 4 * s.std / math.sqrt(n)
    assert abs(drawn["std"] - s.std) <= 4 * s.std * math.sqrt((kappa - 1) / (4 * n))
    assert s.low is None or (drawn["min"] >= s.low and drawn["max"] <= s.high)
    assert drawn["verdict"] == "within"


def test_glorotcalc_s_orthogonal_draw():
    np = pytest.importorskip("numpy")
    from glorotcalc.orthogonal import draw_law

    for text, shape in (
        ("orthogonal_", (3, 4, 5)),
        ("jax.nn.initializers.orthogonal(2, column_axis=1)", (3, 4, 5)),
    ):
        law = parse_init(text)
        w = draw_law(law, shape, np.random.default_rng(0))
        vectors = np.moveaxis(w, law.axis, 0).reshape(shape[law.axis], -1)  # one row per kept index
        gram = vectors.T @ vectors if vectors.shape[0] > vectors.shape[1] else vectors @ vectors.T
        assert np.abs(gram - law.gain**2 * np.eye(gram.shape[0])).max() < 1e-12


def test_an_orthogonal_draw_too_big_is_refused_up_front(cli):
    result = cli("--shape", "20000x20000", "--init", "orthogonal_", "--sample")
    assert result.exit_code == 1 and "refused before drawing" in result.stderr


def test_propagate_orthogonal_keeps_every_norm_in_a_linear_square_network(cli):
    """Saxe et al. 2014: Q·x has ‖x‖, so the spread of log(‖y‖/‖x‖) is 0 (float64 rounding);
    a Gaussian of the same variance spreads it (≈ √(depth/(2·width)) = √(6/512) ≈ 0.11 here)."""
    import json

    result = cli(
        "propagate",
        "256",
        "--depth",
        "6",
        "--init",
        "orthogonal_",
        "--batch",
        "256",
        "--dtype",
        "float64",
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.output
    last = json.loads(result.stdout)["layers"][-1]
    assert last["fwd_std"] == pytest.approx(1.0, rel=1e-9)  # mean field: Var·fan_in = 1
    assert last["spread_orthogonal"] < 1e-12 < 0.05 < last["spread_gaussian"]


def test_jax_batch_axis_leaves_the_batch_out_of_the_fans(cli):
    """jax _compute_fans: rf = ∏shape/(in·out·∏batch); (3, 784, 256) with batch_axis=0 has fans
    (784, 256), so he_normal's σ = √(2/784)/0.87962566 (truncated at ±2σ)."""
    argv = (
        "--shape",
        "3,784,256",
        "--layout",
        "jax",
        "--init",
        "jax.nn.initializers.he_normal(batch_axis=0)",
    )
    value = cli(*argv, "--value")
    assert float(value.stdout) == pytest.approx(math.sqrt(2 / 784) / 0.87962566103423978, rel=1e-12)
    assert "batch_axis=(0,)" in cli(*argv).stdout and "fan_in 784, fan_out 256" in " ".join(
        cli(*argv).stdout.split()
    )


def test_the_literal_shape_is_flattened_differently(cli):
    """(3, 4, 5) passed as is: torch (shape[0], 4·5) = 3×20; Keras/JAX (3·4, shape[-1]) = 12×5."""
    text = " ".join(cli("--shape", "3x4x5", "--init", "orthogonal_").stdout.split())
    assert "on the shape 3×4×5 itself: torch 3×20, keras 12×5, jax 12×5, flax 12×5" in text
