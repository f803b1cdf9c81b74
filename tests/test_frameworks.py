"""Framework conventions (--framework, compare, defaults), checked against the formulas
of each framework written out here (Keras 3 / JAX / Flax are not installed; torch is checked live
in test_frameworks_torch.py).

Var = scale/n, n = fan_in | fan_out | (fan_in+fan_out)/2; uniform bound √(3·Var); torch normal
σ = √Var untruncated; Keras/JAX/Flax *_normal: σ = √Var/0.87962566103423978 cut at ±2σ.
Keras divides by max(1, n). Named scales: glorot 1 fan_avg, he 2 fan_in, lecun 1 fan_in.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys

import pytest

from glorotcalc.errors import UsageError
from glorotcalc.frameworks import (
    FRAMEWORKS,
    bias_bound,
    default_bias,
    default_stats,
    framework_fans,
    framework_shape,
)
from glorotcalc.layers import bilinear, conv, dense, embedding, from_shape, packed_qkv

TORCH, KERAS, JAX, FLAX = (FRAMEWORKS[name] for name in ("torch", "keras", "jax", "flax"))

REL = 1e-12
TRUNC = 0.87962566103423978  # std of N(0, 1) truncated to (−2, 2)
NAMED = {"glorot": (1.0, "fan_avg"), "he": (2.0, "fan_in"), "lecun": (1.0, "fan_in")}


def n_of(mode: str, fan_in: int, fan_out: int) -> float:
    return {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[mode]


def cells(line: str) -> list[str]:
    """A table line's cells (columns are padded with spaces)."""
    return line.split()


def approx(value: float) -> object:
    return pytest.approx(value, rel=REL)


def run_json(cli, *argv: str) -> dict:
    result = cli(*argv, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


# --- default_stats: the API propagation and audit import ---------------------------------------


def test_torch_default_is_uniform_one_over_sqrt_fan_in():
    stats = default_stats(TORCH, dense(784, 256))
    assert stats.scheme == "torch default"
    assert stats.distribution == "uniform"
    assert stats.bound == approx(1 / math.sqrt(784))
    assert stats.std == approx(1 / math.sqrt(3 * 784))  # the 0.0206
    assert round(stats.std, 4) == 0.0206
    assert stats.variance == approx(1 / (3 * 784))


def test_keras_and_flax_defaults():
    keras = default_stats(KERAS, dense(784, 256))
    assert (keras.scheme, keras.distribution) == ("keras default", "uniform")
    assert keras.bound == approx(math.sqrt(6 / (784 + 256)))
    flax = default_stats(FLAX, dense(784, 256))
    assert (flax.scheme, flax.distribution) == ("flax default", "truncated")
    assert flax.std == approx(math.sqrt(1 / 784))
    assert flax.sampler_std == approx(math.sqrt(1 / 784) / TRUNC)


def test_transposed_conv_defaults_use_each_frameworks_fan_in():
    """torch weight (in, out/g, *k) → fan_in = out/g·∏k; Flax (*k, in, out) → fan_in = in·∏k."""
    layer = conv(16, 8, (3, 3), transposed=True, groups=2)
    assert framework_shape(layer, TORCH) == (16, 4, 3, 3)
    assert framework_fans(layer, TORCH) == (4 * 9, 16 * 9)
    assert default_stats(TORCH, layer).bound == approx(1 / math.sqrt(4 * 9))
    plain = conv(16, 8, (3, 3), transposed=True)
    assert framework_fans(plain, TORCH)[0] == 8 * 9
    assert framework_fans(plain, KERAS)[0] == 8 * 9
    assert framework_fans(plain, FLAX)[0] == 16 * 9
    assert default_stats(FLAX, plain).std == approx(math.sqrt(1 / (16 * 9)))


def test_defaults_of_other_layer_kinds():
    """torch Embedding N(0, 1), Bilinear U(±1/√in1), packed in_proj xavier_uniform_ over (3E, E);
    Keras Embedding U(±0.05); Flax Embed N(0, 1/features)."""
    assert default_stats(TORCH, embedding(1000, 64)).std == approx(1.0)
    assert default_stats(TORCH, bilinear(20, 30, 40)).bound == approx(1 / math.sqrt(20))
    assert default_stats(TORCH, packed_qkv(64)).bound == approx(math.sqrt(6 / (64 + 192)))
    assert default_stats(KERAS, embedding(1000, 64)).bound == approx(0.05)
    assert default_stats(FLAX, embedding(1000, 64)).std == approx(1 / math.sqrt(64))
    assert default_stats(FLAX, embedding(1000, 64)).distribution == "normal"


def test_default_bias():
    assert bias_bound(TORCH, dense(784, 256)) == approx(1 / math.sqrt(784))
    assert bias_bound(TORCH, conv(16, 8, (3, 3), transposed=True)) == approx(1 / math.sqrt(72))
    assert bias_bound(TORCH, packed_qkv(64)) is None
    assert default_bias(TORCH, dense(784, 256)) == "U(±0.0357143)"
    assert default_bias(KERAS, dense(784, 256)) == "zeros"
    assert default_bias(FLAX, embedding(10, 4)) == "none"


def test_jax_has_no_default_layers():
    """jax.nn has no layer library: its record has no layer defaults, and asking is a usage error."""
    assert not JAX.layers
    with pytest.raises(UsageError, match=r"^JAX has no layer of kind 'dense'"):
        default_stats(JAX, dense(2, 3))


def test_bare_weight_is_reordered_between_layouts():
    layer = from_shape((64, 3, 3, 3), "torch")
    assert framework_shape(layer, KERAS) == (3, 3, 3, 64)
    assert framework_fans(layer, KERAS) == (27, 576)
    back = from_shape((3, 3, 3, 64), "keras")
    assert framework_shape(back, TORCH) == (64, 3, 3, 3)


# --- --framework keras|jax|flax: rows against the formulas ---------------------------------------

KERAS_NAMES = {
    ("glorot", "uniform"): "GlorotUniform()",
    ("glorot", "normal"): "GlorotNormal()",
    ("he", "uniform"): "HeUniform()",
    ("he", "normal"): "HeNormal()",
    ("lecun", "uniform"): "LecunUniform()",
    ("lecun", "normal"): "LecunNormal()",
}


@pytest.mark.parametrize(
    ("framework", "prefix"),
    [
        ("keras", "keras.initializers."),
        ("jax", "jax.nn.initializers."),
        ("flax", "flax.linen.initializers."),
    ],
)
def test_channels_last_framework_rows(cli, framework, prefix):
    """784→256 in (in, out) layout; *_normal truncated: σ = √(scale/n)/0.8796, realized std √Var."""
    document = run_json(cli, "784", "256", "--framework", framework)
    (layer,) = document["layers"]
    assert document["framework"] == framework
    assert (layer["shape"], layer["layout"]) == ([784, 256], framework)
    results = {(r["scheme"], r["requested_distribution"]): r for r in layer["results"]}
    assert sorted(results) == sorted(KERAS_NAMES)  # default: uniform and *_normal only
    for (scheme, distribution), result in results.items():
        scale, mode = NAMED[scheme]
        variance = scale / n_of(mode, 784, 256)
        assert result["std"] == approx(math.sqrt(variance))
        if distribution == "uniform":
            assert result["bound"] == approx(math.sqrt(3 * variance))
        else:
            assert result["distribution"] == "truncated"
            assert result["sampler_std"] == approx(math.sqrt(variance) / TRUNC)
            assert result["support"] == approx(2 * math.sqrt(variance) / TRUNC)
            assert result["distribution_label"] == "normal → truncated ({} convention)".format(
                "Keras" if framework == "keras" else "JAX"
            )
        name = KERAS_NAMES[scheme, distribution]
        if framework != "keras":
            name = f"{scheme}_{distribution}()"
        assert result["initializer"] == prefix + name


def test_keras_gain_becomes_scale(cli):
    """Keras has no gain: tanh's 5/3 becomes VarianceScaling(scale=(5/3)²)."""
    document = run_json(
        cli, "784", "256", "--framework", "keras", "--act", "tanh", "--scheme", "glorot", "--dist", "normal"
    )
    (result,) = document["layers"][0]["results"]
    scale = (5 / 3) ** 2
    assert result["scale"] == approx(scale)
    assert result["std"] == approx(math.sqrt(scale / 520))
    assert result["initializer"] == (
        f'keras.initializers.VarianceScaling(scale={scale!r}, mode="fan_avg", '
        'distribution="truncated_normal")'
    )


def test_jax_fan_geo_avg_and_keras_refuses_it(cli):
    document = run_json(
        cli,
        "784",
        "256",
        "--framework",
        "jax",
        "--scheme",
        "he",
        "--mode",
        "fan_geo_avg",
        "--dist",
        "uniform",
    )
    (result,) = document["layers"][0]["results"]
    assert result["bound"] == approx(math.sqrt(3 * 2 / math.sqrt(784 * 256)))
    assert result["initializer"] == 'jax.nn.initializers.variance_scaling(2.0, "fan_geo_avg", "uniform")'
    result = cli("784", "256", "--framework", "keras", "--scheme", "he", "--mode", "fan_geo_avg")
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: --mode 'fan_geo_avg': keras: Keras VarianceScaling has modes fan_in, fan_out, fan_avg\n"
    )


def test_keras_table(cli):
    result = cli("784", "256", "--framework", "keras", "--dist", "normal")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].rstrip() == (
        "dense 784 → 256 · weight 784×256 (keras layout) · fan_in 784 · fan_out 256 · Keras conventions"
    )
    assert [line.split() for line in lines[2:7]] == [
        cells("scheme distribution initializer mode scale std bound | σ"),
        ["─" * 99],
        cells("glorot normal → truncated (Keras convention) GlorotNormal() fan_avg 1 0.0438529 0.049854"),
        cells("he normal → truncated (Keras convention) HeNormal() fan_in 2 0.0505076 0.0574195"),
        cells("lecun normal → truncated (Keras convention) LecunNormal() fan_in 1 0.0357143 0.0406017"),
    ]
    assert [line.rstrip() for line in lines[7:]] == [
        "",
        "initializer: keras.initializers.… · bound | σ: the uniform bound, the normal's σ",
        "normal → truncated (Keras convention): Keras *_normal = N(0, σ²) cut at ±2σ, σ = std/0.87962566, "
        "realized std √Var",
        'Keras\'s untruncated normal is VarianceScaling(distribution="untruncated_normal")',
        "Keras initializers have no gain: a gain g is scale = g²",
    ]


# --- --framework torch: names and what `normal` means ------------------------------------------------


def test_torch_rows(cli):
    """xavier_* is fan_avg with gain; kaiming_* takes a nonlinearity; LeCun is kaiming 'linear'."""
    document = run_json(cli, "784", "256", "--framework", "torch")
    results = {(r["scheme"], r["distribution"]): r for r in document["layers"][0]["results"]}
    assert document["layers"][0]["shape"] == [256, 784]
    names = {key: r["initializer"].removeprefix("torch.nn.init.") for key, r in results.items()}
    assert names == {
        ("glorot", "uniform"): "xavier_uniform_()",
        ("glorot", "normal"): "xavier_normal_()",
        ("glorot", "truncated"): "trunc_normal_(std=σ, a=-2σ, b=2σ)",
        ("he", "uniform"): "kaiming_uniform_(nonlinearity='relu')",
        ("he", "normal"): "kaiming_normal_(nonlinearity='relu')",
        ("he", "truncated"): "trunc_normal_(std=σ, a=-2σ, b=2σ)",
        ("lecun", "uniform"): "kaiming_uniform_(nonlinearity='linear')",
        ("lecun", "normal"): "kaiming_normal_(nonlinearity='linear')",
        ("lecun", "truncated"): "trunc_normal_(std=σ, a=-2σ, b=2σ)",
    }
    normal = results["glorot", "normal"]
    assert normal["sampler_std"] == normal["std"] == approx(math.sqrt(2 / 1040))  # untruncated
    assert normal["support"] is None


def test_torch_leaky_relu_fan_out_passes_a(cli):
    document = run_json(
        cli, "784", "256", "--framework", "torch", "--scheme", "he", "--dist", "uniform",
        "--act", "leaky_relu:0.2", "--mode", "fan_out",
    )  # fmt: skip
    (result,) = document["layers"][0]["results"]
    assert result["initializer"] == (
        "torch.nn.init.kaiming_uniform_(a=0.2, mode='fan_out', nonlinearity='leaky_relu')"
    )
    assert result["bound"] == approx(math.sqrt(2 / (1 + 0.2**2)) * math.sqrt(3 / 256))


def test_torch_has_no_fan_avg_kaiming(cli):
    result = cli("784", "256", "--framework", "torch", "--scheme", "he", "--mode", "fan_avg")
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: --mode 'fan_avg': torch: kaiming_* has modes fan_in, fan_out "
        "(xavier_*, i.e. --scheme glorot with --gain, is fan_avg)\n"
    )


def test_value_is_the_frameworks_sampler_parameter(cli):
    result = cli("784", "256", "--framework", "keras", "--scheme", "he", "--dist", "normal", "--value")
    assert result.exit_code == 0, result.output
    assert float(result.stdout) == approx(math.sqrt(2 / 784) / TRUNC)


# --- layouts and each framework's edge behaviour ---------------------------------------------------


def test_shape_is_read_in_the_frameworks_layout(cli):
    keras = run_json(
        cli, "--shape", "3,3,3,64", "--framework", "keras", "--scheme", "he", "--dist", "uniform"
    )
    torch = run_json(
        cli, "--shape", "64x3x3x3", "--framework", "torch", "--scheme", "he", "--dist", "uniform"
    )
    for document in (keras, torch):
        layer = document["layers"][0]
        assert (layer["fan_in"], layer["fan_out"]) == (27, 576)
        assert layer["results"][0]["bound"] == approx(math.sqrt(3 * 2 / 27))


def test_conflicting_layout_is_a_usage_error(cli):
    result = cli("--shape", "3,3,3,64", "--framework", "keras", "--layout", "torch")
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: --layout 'torch': Keras reads weights in its own layout (*k, in, out); drop --layout\n"
    )
    agreeing = cli("--shape", "3,3,3,64", "--framework", "flax", "--layout", "keras", "--format", "json")
    assert agreeing.exit_code == 0, agreeing.output


@pytest.mark.parametrize(
    ("framework", "shape", "message"),
    [
        ("torch", "10", "torch.nn.init cannot compute fans of a tensor with fewer than 2 dimensions"),
        ("torch", "4x0", "torch.nn.init leaves a zero-element tensor untouched (a no-op with a warning)"),
        ("jax", "10", "jax.nn.initializers cannot compute fans of a weight with fewer than 2 dimensions"),
        ("flax", "3x0", "jax.nn.initializers divides by a zero fan"),
    ],
)
def test_torch_and_jax_refuse_degenerate_shapes(cli, framework, shape, message):
    result = cli("--shape", shape, "--framework", framework)
    assert result.exit_code == 2
    assert result.stderr == f"Error: --shape {shape!r}: {message}\n"


@pytest.mark.parametrize(
    ("shape", "fans", "n"),
    [("10", (10, 10), 10.0), ("()", (1, 1), 1.0), ("0x5", (0, 5), 1.0), ("0x0", (0, 0), 1.0)],
)
def test_keras_clamps_fans(cli, shape, fans, n):
    """Keras compute_fans: rank 0 → (1, 1), rank 1 → (n, n); VarianceScaling divides by max(1, n)."""
    document = run_json(cli, "--shape", shape, "--framework", "keras", "--scheme", "he", "--dist", "uniform")
    layer = document["layers"][0]
    (result,) = layer["results"]
    assert (layer["fan_in"], layer["fan_out"]) == fans
    assert result["n"] == n
    assert result["bound"] == approx(math.sqrt(3 * 2 / max(1, fans[0])))
    assert "keras compute_fans: rank 0 → (1, 1), rank 1 → (n, n); then n = max(1, fan)" in document["notes"]


def test_framework_does_not_combine_with_sampling(cli):
    result = cli("784", "256", "--framework", "keras", "--sample")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("Error: --framework does not apply to --sample")


# --- compare (every framework) ---------------------------------------------------------------------


def comparisons(document: dict) -> list[dict]:
    return [c for layer in document["layers"] for c in layer["comparisons"]]


def test_all_frameworks_one_row_each(cli):
    """Same Var everywhere; Keras/JAX/Flax normals are truncated: σ = torch's σ/0.8796 (+13.7 %)."""
    document = run_json(
        cli, "compare", "784", "256", "--scheme", "glorot", "--framework", "torch,keras,jax,flax"
    )
    uniform, normal = comparisons(document)
    assert [row["framework"] for row in normal["frameworks"]] == ["torch", "keras", "jax", "flax"]
    std = math.sqrt(2 / 1040)
    for row in uniform["frameworks"]:
        assert row["param"] == approx(math.sqrt(3) * std)
        assert row["support"] == approx(math.sqrt(3) * std)
        assert row["param_vs_torch"] == row["std_vs_torch"] == 0
    torch, *others = normal["frameworks"]
    assert (torch["distribution"], torch["param"], torch["support"]) == ("normal", approx(std), None)
    for row in others:
        assert row["distribution"] == "truncated"
        assert row["std"] == approx(std)
        assert row["param_vs_torch"] == approx(1 / TRUNC - 1)
        assert row["std_vs_torch"] == approx(0.0)
        assert row["support"] == approx(2 * std / TRUNC)


def test_all_frameworks_transposed_conv(cli):
    """He uniform on a 16→8 3×3 transposed conv: torch/Keras n = 8·9, Flax/JAX n = 16·9."""
    document = run_json(cli, "compare", "16-convt3x3:8", "--scheme", "he", "--dist", "uniform")
    (comparison,) = comparisons(document)
    rows = {row["framework"]: row for row in comparison["frameworks"]}
    assert rows["torch"]["n"] == rows["keras"]["n"] == 72
    assert rows["flax"]["n"] == rows["jax"]["n"] == 144
    assert rows["flax"]["std"] == approx(math.sqrt(2 / 144))
    assert rows["flax"]["std_vs_torch"] == approx(math.sqrt(72 / 144) - 1)


def test_all_frameworks_shows_missing_kaiming_fan_avg(cli):
    document = run_json(
        cli, "compare", "784", "256", "--scheme", "he", "--mode", "fan_avg", "--dist", "uniform"
    )
    torch = comparisons(document)[0]["frameworks"][0]
    assert (torch["framework"], torch["param"], torch["initializer"]) == ("torch", None, None)
    assert torch["problem"].startswith("torch: kaiming_* has modes fan_in, fan_out")


def test_all_frameworks_chain_rows(cli):
    """A chain: per layer × framework, the recommended scheme (linear → glorot)."""
    result = cli(
        "compare",
        "784",
        "256",
        "10",
        "--dist",
        "normal",
        "--format",
        "csv",
        "--framework",
        "torch,keras,jax,flax",
    )
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 1 + 2 * 4
    assert [line.split(",")[:3] for line in lines[1:3]] == [
        ["layer0", "torch", "glorot"],
        ["layer0", "keras", "glorot"],
    ]


def test_all_frameworks_architecture_string(cli):
    document = run_json(cli, "compare", "784-256@relu-10", "--dist", "uniform")
    first, second = comparisons(document)
    assert first["scheme"] == "he"  # relu → He
    assert first["frameworks"][0]["param"] == approx(math.sqrt(6 / 784))
    assert second["scheme"] == "glorot"
    assert second["frameworks"][1]["param"] == approx(math.sqrt(6 / 266))


def test_all_frameworks_table(cli):
    result = cli(
        "compare",
        "784",
        "256",
        "--scheme",
        "glorot",
        "--dist",
        "normal",
        "--framework",
        "torch,keras,jax,flax",
    )
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].rstrip() == "layer0 · dense 784 → 256 · glorot · torch, keras, jax, flax"
    assert [line.split() for line in lines[2:9]] == [
        cells("framework initializer draws bound | σ std max |w| Δ param Δ std"),
        ["─" * 89],
        cells("torch xavier_normal_() normal 0.0438529 0.0438529 unbounded 0.000% 0.000%"),
        cells("keras GlorotNormal() truncated 0.049854 0.0438529 ±0.0997081 13.685% 0.000%"),
        cells("jax glorot_normal() truncated 0.049854 0.0438529 ±0.0997081 13.685% 0.000%"),
        cells("flax glorot_normal() truncated 0.049854 0.0438529 ±0.0997081 13.685% 0.000%"),
        [],
    ]
    assert lines[9:] == [
        "bound | σ: the uniform bound a of U(−a, a); the normal's σ (before the cut at ±2σ)",
        "Δ: relative difference to torch",
    ]


# --- defaults ---------------------------------------------------------------------------------------


def test_defaults_single_layer(cli):
    """784→256: torch 1/√(3·784) = 0.0206 vs He √(2/784) = 0.0505: ratio 1/√6."""
    document = run_json(cli, "defaults", "784", "256", "--framework", "torch,keras,flax")
    (layer,) = document["layers"]
    assert layer["he_std"] == approx(math.sqrt(2 / 784))
    assert layer["glorot_std"] == approx(math.sqrt(2 / 1040))
    rows = {row["framework"]: row for row in layer["defaults"]}
    assert list(rows) == ["torch", "keras", "flax"]
    assert rows["torch"]["std"] == approx(1 / math.sqrt(3 * 784))
    assert rows["torch"]["ratio_he"] == approx(1 / math.sqrt(6))
    assert rows["torch"]["ratio_glorot"] == approx(math.sqrt(1040 / (6 * 784)))
    assert rows["keras"]["ratio_glorot"] == approx(1.0)
    assert rows["flax"]["ratio_he"] == approx(1 / math.sqrt(2))
    assert rows["flax"]["distribution"] == "truncated"
    assert [rows[f]["bias"] for f in rows] == ["U(±0.0357143)", "zeros", "zeros"]


def test_defaults_table(cli):
    result = cli("defaults", "784", "256", "--framework", "torch,keras,flax")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].rstrip() == (
        "dense 784 → 256 · fan_in 784 · fan_out 256 · He std 0.0505076 · Glorot std 0.0438529"
    )
    assert [line.split() for line in lines[2:7]] == [
        cells("framework weight init draws fan_in bound | σ std ÷ He ÷ Glorot bias"),
        ["─" * 108],
        cells("torch kaiming_uniform_(a=√5) uniform 784 0.0357143 0.0206197 0.4082× 0.4702× U(±0.0357143)"),
        cells("keras glorot_uniform uniform 784 0.0759555 0.0438529 0.8682× 1× zeros"),
        cells("flax lecun_normal truncated 784 0.0406017 0.0357143 0.7071× 0.8144× zeros"),
    ]


def test_defaults_chain_and_one_framework(cli):
    document = run_json(cli, "defaults", "784", "256", "10", "--framework", "torch")
    assert [len(layer["defaults"]) for layer in document["layers"]] == [1, 1]
    assert document["layers"][1]["defaults"][0]["std"] == approx(1 / math.sqrt(3 * 256))
    value = cli("defaults", "784", "256", "--framework", "torch", "--value")
    assert value.exit_code == 0, value.output
    assert float(value.stdout) == approx(1 / math.sqrt(784))


@pytest.mark.parametrize("option", ["--scheme", "--gain", "--dist", "--init", "--act"])
def test_defaults_has_no_init_options(cli, option):
    """Each framework's default is fixed: defaults has no option that would change it."""
    result = cli("defaults", "784", "256", option, "he")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith(f"Error: No such option: {option}")


def test_defaults_framework_is_a_layer_framework(cli):
    """jax has no layers (Flax is its layer library), nor does Caffe (constant 0 unless told); all is
    every framework that has them."""
    result = cli("defaults", "784", "256", "--framework", "jax")
    assert result.exit_code == 2
    from glorotcalc.frameworks import LAYER_FRAMEWORKS

    assert "jax" not in LAYER_FRAMEWORKS and "caffe" not in LAYER_FRAMEWORKS
    assert result.stderr == f"Error: --framework 'jax': use one of {', '.join(LAYER_FRAMEWORKS)}, all\n"
    every = run_json(cli, "defaults", "784", "256", "--framework", "all")
    assert every == run_json(cli, "defaults", "784", "256")
    assert [row["framework"] for row in every["layers"][0]["defaults"]] == list(LAYER_FRAMEWORKS)


def test_framework_lookup_does_not_import_numpy():
    code = (
        "import sys; from glorotcalc.cli import main; "
        "assert main(['784', '256', '--framework', 'keras']) == 0; "
        "assert main(['defaults', '784', '256']) == 0; "
        "assert main(['compare', '784', '256']) == 0; "
        "assert main(['emit', 'jax', '784', '256', '--scheme', 'he', '--dist', 'normal']) == 0; "
        "assert 'numpy' not in sys.modules, 'numpy imported'"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
