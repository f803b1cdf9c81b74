"""``propagate``: the mean-field recursion, the Monte Carlo, the report and its guards.

Mean-field expectations are written out from the recursion q_l = Var·fan_in·E[x_l²],
χ_l = Var·fan_out·E[φ′²] with closed-form Gaussian moments (relu: E[relu(y)²] = q/2,
E[relu′²] = ½; linear: E[y²] = q). Monte Carlo tolerances come from the conditional law of one
layer (see `test_monte_carlo_each_layer_matches_its_one_step_expectation`).
"""

from __future__ import annotations

import json
import math
from itertools import pairwise

import pytest

from glorotcalc.errors import GlorotcalcError
from glorotcalc.gain import ACTIVATIONS, make_activation
from glorotcalc.inputs import resolve_layers
from glorotcalc.layers import Layer, dense
from glorotcalc.propagate import (
    Step,
    bar,
    chain_break,
    check_memory,
    log_axis,
    mean_field,
    memory_needed,
    monte_carlo,
    propagate,
    trend,
)
from glorotcalc.schemes import variance_scaling

RELU = make_activation("relu")


def chain(widths, activation=None, *, scale=1.0, mode="fan_in", distribution="normal") -> list[Step]:
    """Dense layers widths[0] → widths[1] → …, each with Var = scale/n(mode)."""
    activation = activation or make_activation("linear")
    return [
        Step(
            dense(a, b, name=f"layer{i}", activation=activation),
            variance_scaling(a, b, scale=scale, mode=mode, distribution=distribution),
        )
        for i, (a, b) in enumerate(pairwise(widths))
    ]


# ---------------------------------------------------------------------------- mean field


def test_mean_field_of_a_linear_chain_is_the_product_of_variances():
    """Linear φ: q_l = ∏_{k≤l} Var_k·fan_in_k, gradient² at layer l's input = ∏_{k≥l} Var_k·fan_out_k."""
    widths = [784, 512, 256, 10]
    steps = chain(widths, scale=1.0, mode="fan_avg")  # Var = 2/(fan_in + fan_out)
    theory = mean_field(steps)
    variances = [2 / (a + b) for a, b in pairwise(widths)]
    q, expected_fwd = 1.0, []
    for var, fan_in in zip(variances, widths[:-1], strict=True):
        q *= var * fan_in
        expected_fwd.append(math.sqrt(q))
    g, expected_grad = 1.0, []
    for var, fan_out in zip(reversed(variances), reversed(widths[1:]), strict=True):
        g *= var * fan_out
        expected_grad.append(math.sqrt(g))
    expected_grad.reverse()
    for layer, fwd, grad in zip(theory, expected_fwd, expected_grad, strict=True):
        assert math.isclose(layer.pre_std, fwd, rel_tol=1e-13)
        assert math.isclose(layer.grad_std, grad, rel_tol=1e-13)
        assert math.isclose(layer.act_std, fwd, rel_tol=1e-13) and abs(layer.act_mean) < 1e-15 * fwd


def test_mean_field_of_relu_with_he_init_is_constant():
    """He et al. 2015: Var = 2/fan_in → q = 2·E[x²] = 2 every layer (E[relu(y)²] = q/2), χ = 2·½ = 1;
    the output mean E[relu(y)] = √(q/2π) = 1/√π and std √(q/2 − q/2π) = √(1 − 1/π)."""
    theory = mean_field(chain([300] * 6, RELU, scale=2.0))
    for layer in theory:
        assert math.isclose(layer.pre_std, math.sqrt(2), rel_tol=1e-13)
        assert math.isclose(layer.grad_std, 1.0, rel_tol=1e-13)
        assert math.isclose(layer.chi, 1.0, rel_tol=1e-13)
        assert math.isclose(layer.act_mean, 1 / math.sqrt(math.pi), rel_tol=1e-13)
        assert math.isclose(layer.act_std, math.sqrt(1 - 1 / math.pi), rel_tol=1e-13)


def test_mean_field_carries_the_mean_of_a_mean_shifting_activation():
    """sigmoid: E[σ(y)] = ½ for any q (σ(y) + σ(−y) = 1), so the next layer's q takes the second
    moment E[σ²] = std² + ¼, not the variance: q_1 = Var·fan_in·(act_std_0² + ¼)."""
    steps = chain([200, 200, 200], make_activation("sigmoid"), scale=1.0, mode="fan_in")
    first, second = mean_field(steps)
    assert math.isclose(first.act_mean, 0.5, rel_tol=1e-14)
    assert math.isclose(second.pre_std**2, first.act_std**2 + 0.25, rel_tol=1e-13)
    assert math.isclose(first.act_rms**2, first.act_std**2 + 0.25, rel_tol=1e-13)


def test_conv_layers_use_their_fans():
    """A conv 1→32 5×5 (fan_in 25, fan_out 800) with He: q = 2·25·Var… = 2; χ = Var·fan_out·½ = 32."""
    conv = Layer("conv", "conv", (32, 1, 5, 5), "torch", 25, 800, RELU)
    stats = variance_scaling(25, 800, scale=2.0, mode="fan_in", distribution="normal")
    (layer,) = mean_field([Step(conv, stats)])
    assert math.isclose(layer.pre_std, math.sqrt(2), rel_tol=1e-13)
    assert math.isclose(layer.grad_std, math.sqrt(2 / 25 * 800 / 2), rel_tol=1e-13)


def test_mean_field_out_of_float_range_gives_none():
    """1000 relu layers with Var = 0.5/fan_in: q shrinks ×¼ per layer and leaves float64 (4^-1000)."""
    theory = mean_field(chain([16] * 1001, RELU, scale=0.5))
    assert theory[0].pre_std is not None
    assert theory[-1].pre_std is None and theory[-1].act_std is None


# ---------------------------------------------------------------------------- Monte Carlo


@pytest.mark.parametrize("name", ACTIVATIONS)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_monte_carlo_each_layer_matches_its_one_step_expectation(name, dtype):
    """Given layer l's output a (measured), E_W[ȳ²] = Var·fan_in·mean(a²) exactly for the next
    pre-activation y = a·Wᵀ, and the relative SD of the batch mean of y² is at most √(2/fan_out)
    (normal weights: ‖W·a_b‖² = Var‖a_b‖²·χ²_fan_out for each input; averaging inputs cannot add
    spread). So every layer must satisfy |ȳ²_{l+1} / (Var·fan_in·mean(a_l²)) − 1| ≤ 5·√(2/fan_out)
    (14% at width 256). Without a bug the ratio is 1 up to this noise; a wrong variance, a missing
    activation or a transposed weight breaks it by far more for the non-square layers below."""
    activation = make_activation(name, 0.2) if name == "leaky_relu" else make_activation(name)
    steps = chain([300, 256, 256, 200, 256], activation, scale=2.0, mode="fan_avg")
    measured = monte_carlo(steps, 96, dtype, seed=11)
    second = [m.act_mean**2 + m.act_std**2 for m in measured]
    first_in = 1.0  # inputs are N(0, 1)
    for index, (step, m) in enumerate(zip(steps, measured, strict=True)):
        previous = first_in if index == 0 else second[index - 1]
        expected = step.stats.variance * step.layer.fan_in * previous
        observed = m.pre_mean**2 + m.pre_std**2
        assert abs(observed / expected - 1) <= 5 * math.sqrt(2 / step.layer.fan_out), (
            index,
            observed,
            expected,
        )


def test_monte_carlo_reports_the_activation_output():
    """relu halves the second moment of any symmetric pre-activation: mean(relu(y)²) = mean(y²)/2 up
    to the sample's sign imbalance, whose relative SD is √(E[y⁴]/(4·E[y²]²·N)) = √(3/(4N)) for
    Gaussian y, N ≥ fan_out independent units (given the inputs): 5 SD = 5·√(3/(4·256)) = 27%.
    A layer reported before its activation would show the ratio 1, not ½."""
    steps = chain([256, 256, 256], RELU, scale=2.0)
    for m in monte_carlo(steps, 64, "float64", seed=2):
        act = m.act_mean**2 + m.act_std**2
        pre = m.pre_mean**2 + m.pre_std**2
        assert abs(act / (pre / 2) - 1) <= 5 * math.sqrt(3 / (4 * 256))


def test_monte_carlo_backward_of_a_linear_chain_matches_each_step():
    """Linear φ: the gradient at layer l's input is g·W_l, so E_W[ḡ_in²] = Var·fan_out·mean(g_out²),
    with relative SD ≤ √(2/fan_in) per step (the same χ² argument, transposed): 5 SD per layer."""
    steps = chain([200, 300, 256, 128], scale=1.0, mode="fan_avg", distribution="uniform")
    measured = monte_carlo(steps, 80, "float64", seed=3)
    grads = [m.grad_mean**2 + m.grad_std**2 for m in measured]
    above = 1.0  # the output gradient is N(0, 1)
    for index in reversed(range(len(steps))):
        step = steps[index]
        expected = step.stats.variance * step.layer.fan_out * above
        assert abs(grads[index] / expected - 1) <= 5 * math.sqrt(2 / step.layer.fan_in)
        above = grads[index]


def test_monte_carlo_is_seeded_and_redraws_identical_weights():
    """The same seed gives identical numbers whether the weights are kept or redrawn for the
    backward pass (cache_bytes=0); another seed gives other numbers."""
    steps = chain(
        [64, 64, 32, 64], make_activation("tanh"), scale=1.0, mode="fan_avg", distribution="truncated"
    )
    kept = monte_carlo(steps, 32, "float32", seed=5)
    redrawn = monte_carlo(steps, 32, "float32", seed=5, cache_bytes=0)
    assert kept == redrawn
    assert monte_carlo(steps, 32, "float32", seed=6) != kept


def test_monte_carlo_out_of_float32_range_reports_none():
    """Var·fan_in = 1e4 per linear layer: the std grows ×100 per layer and passes float32's 3.4e38
    after ~20 layers; those layers report None instead of inf/nan, without a warning."""
    steps = chain([8] * 26, scale=1e4)
    measured = monte_carlo(steps, 4, "float32", seed=0)
    assert measured[0].pre_std is not None and measured[-1].pre_std is None


def test_chain_break_names_the_mismatch():
    steps = chain([10, 20]) + chain([30, 5])
    assert chain_break(steps) == "layer0 takes fan_in 30 but layer0 gives 20 outputs"
    assert chain_break(chain([10, 20, 5])) is None


# ---------------------------------------------------------------------------- memory


def test_memory_guard_refuses_with_the_size_and_the_limit():
    """relu keeps one byte per output element for the backward pass: 10 layers × 512 × 4096."""
    steps = chain([4096] * 11, RELU)
    needed = memory_needed(steps, 512, "float32")
    assert needed >= 10 * 512 * 4096 + 4096 * 4096 * 4
    limit = 100 * 1024**2
    with pytest.raises(
        GlorotcalcError,
        match=r"needs about 1\d\d MiB \(float32\), more than the limit of 100 MiB: use a smaller --batch",
    ):
        check_memory(steps, 512, "float32", limit=limit)
    assert check_memory(steps, 16, "float32", limit=limit) == limit - memory_needed(steps, 16, "float32")


def test_huge_propagation_is_refused_up_front(cli):
    result = cli("propagate", "100000", "--depth", "3", "--batch", "100000")
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    assert result.stderr.startswith("Error: propagate with --batch 100000 over 3 layers needs about ")
    assert "more than the limit of" in result.stderr and result.stderr.count("\n") == 1


# ---------------------------------------------------------------------------- verdict and chart


def test_trend_verdicts_and_per_layer_factor():
    """Geometric mean per layer = (last/first)^(1/(L−1)); stable within a factor 2 end to end."""
    vanishing = trend([1.0, 0.5, 0.25, 0.125])
    assert vanishing.verdict == "vanishing" and math.isclose(vanishing.per_layer, 0.5)
    assert trend([1.0, 1.5, 1.9]).verdict == "stable"
    assert trend([1.0, 3.0]).verdict == "exploding"
    assert trend([2.0]) is None and trend([None, 1.0]) is None


def test_bar_and_log_axis():
    assert bar(1.0, 4) == "████" and bar(0.5, 4) == "██" and bar(0.0, 4) == "▏" and bar(0.3125, 4) == "█▎"
    assert log_axis([1.0, 1.0]) == (-1, 0)
    assert log_axis([3.05e-5, 0.7]) == (-5, 0)
    assert log_axis([None, -1.0]) == (0, 1)


# ---------------------------------------------------------------------------- the command line


def test_table_shows_theory_and_monte_carlo_per_layer(cli):
    result = cli("propagate", "128", "--depth", "3", "--act", "relu", "--scheme", "he", "--dist", "normal")
    assert result.exit_code == 0, result.output
    lines = [line.rstrip() for line in result.stdout.splitlines()]
    assert lines[0] == "propagation · 3 layers · batch 1024 · float32 · seed 0"
    header = "layer fans activation scheme fwd std fwd MC grad std grad MC fwd ratio grad ratio"
    assert " ".join(lines[2].split()) == header
    for line, name in zip(lines[4:7], ("layer0", "layer1", "layer2"), strict=True):
        fields = line.split()
        assert fields[:4] == [name, "128→128", "relu", "he"]
        assert fields[4] == "1.414" and fields[6] == "1" and fields[8] == "1×" and fields[9] == "1×"
    notes = "\n".join(lines)
    assert "init (--scheme): he normal (gain 1.41421 from torch relu, mode fan_in)" in notes
    assert "verdict forward: stable — std ×1 per layer (geometric mean), ×1 from layer0 to layer2" in notes
    assert "verdict backward: stable" in notes
    assert "std over depth (mean-field), log scale from 1e-01 to 1e+01" in notes


def test_json_carries_everything(cli):
    result = cli("propagate", "64", "--depth", "4", "--act", "tanh", "--format", "json", "--batch", "32")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["kind"] == "propagation"
    assert document["propagation"] == {
        "layers": 4,
        "batch": 32,
        "dtype": "float32",
        "seed": 0,
        "input": "N(0, 1)",
        "output_gradient": "N(0, 1)",
        "monte_carlo": True,
        "quadrature_nodes": 512,
    }
    layer = document["layers"][0]
    assert layer["init"]["scheme"] == "glorot" and layer["init"]["gain"] == 5 / 3
    assert set(layer["mean_field"]) == {"pre_std", "act_mean", "act_std", "act_rms", "chi", "grad_std"}
    assert set(layer["monte_carlo"]) == {
        "pre_mean",
        "pre_std",
        "act_mean",
        "act_std",
        "grad_mean",
        "grad_std",
    }
    assert set(layer["ratios"]) == {"fwd_ratio", "grad_ratio", "fwd_ratio_mc", "grad_ratio_mc"}
    assert document["verdict"]["forward"]["layers"] == 4
    assert document["verdict"]["backward"]["verdict"] in ("stable", "vanishing", "exploding")


def test_csv_has_one_row_per_layer(cli):
    result = cli("propagate", "32", "16", "8", "--act", "gelu", "--format", "csv", "--dtype", "float64")
    assert result.exit_code == 0, result.output
    rows = result.stdout.splitlines()
    assert rows[0].startswith(
        "layer,kind,fan_in,fan_out,activation,scheme,distribution,mode,gain,gain_source,"
    )
    assert len(rows) == 3
    assert rows[1].startswith("layer0,dense,32,16,gelu,he,normal,fan_in,1.5335304411955353,computed gelu,")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ("--scheme", "he,glorot"),
            "Error: --scheme 'he,glorot': use one of glorot, he, lecun, xavier, kaiming\n",
        ),
        (
            ("--dist", "uniform,normal"),
            "Error: --dist 'uniform,normal': use one of uniform, normal, truncated\n",
        ),
    ],
)
def test_propagate_follows_one_initialization(cli, argv, message):
    result = cli("propagate", "16", "8", "4", "--batch", "4", *argv)
    assert result.exit_code == 2, result.output
    assert result.stderr == message and result.stdout == ""


@pytest.mark.parametrize("option", ["--explain", "--value", "--sample", "--framework"])
def test_options_propagate_does_not_have_are_usage_errors(cli, option):
    """propagate reports every layer (no --value), has no --explain, draws no --sample; its inits
    are neutral, a named --init, or --init default (no --framework)."""
    argv = (option, "torch") if option == "--framework" else (option,)
    result = cli("propagate", "16", "8", "4", "--batch", "4", *argv)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert result.stderr.startswith(f"Error: No such option: {option}")


def test_a_broken_chain_keeps_the_mean_field(cli):
    """conv 5×5 1→4 (fan_out 100) then a dense layer of 196 inputs: no Monte Carlo, a note says why."""
    result = cli("propagate", "1-conv5x5:4@relu-flatten:7x7-10", "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["propagation"]["monte_carlo"] is False
    assert document["layers"][0]["monte_carlo"] is None
    assert document["layers"][1]["mean_field"]["pre_std"] > 0
    notes = "\n".join(document["notes"])
    assert "Monte Carlo skipped: layer1 takes fan_in 196 but layer0 gives 100 outputs" in notes
    assert "conv layers propagate as dense maps fan_in → fan_out" in notes


def test_layers_without_a_signal_path_are_refused(cli):
    printout = "Embedding(1000, 64)\n"
    result = cli("propagate", "-", stdin=printout)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("Error: propagate follows a chain of dense and conv layers")
    assert "'embedding'" in result.stderr


def check_default_propagation(document: dict) -> None:
    """torch U(±1/√fan_in) (Var = 1/(3·fan_in)), Keras glorot_uniform, Flax lecun_normal (truncated).
    With relu on 3 square layers the mean field shrinks the std by √(1/6), √(1/2), √(1/2) per layer."""
    assert document["propagation"]["defaults"] == ["torch", "keras", "flax"]
    assert [layer["framework"] for layer in document["layers"]] == ["torch"] * 3 + ["keras"] * 3 + [
        "flax"
    ] * 3
    per_layer = {name: verdict["forward"]["per_layer"] for name, verdict in document["verdict"].items()}
    assert math.isclose(per_layer["torch"], math.sqrt(1 / 6), rel_tol=1e-12)
    assert math.isclose(per_layer["keras"], math.sqrt(1 / 2), rel_tol=1e-12)
    assert math.isclose(per_layer["flax"], math.sqrt(1 / 2), rel_tol=1e-12)
    assert [layer["init"]["distribution"] for layer in document["layers"][::3]] == [
        "uniform",
        "uniform",
        "truncated",
    ]
    assert math.isclose(document["layers"][0]["init"]["variance"], 1 / (3 * 64), rel_tol=1e-15)


def test_defaults_propagates_each_frameworks_default_init():
    """propagate(defaults=True), the analysis behind ``propagate --init default``: one run per
    framework with a layer library, each with its default layer init."""
    layers = resolve_layers(["64"], depth=3, activation=RELU)
    report = propagate(layers, defaults=True, batch=8)
    check_default_propagation(report.document)
    two = propagate(resolve_layers(["64"], depth=2, activation=RELU), defaults=True, batch=8)
    assert any(
        note.startswith("torch: verdict forward: vanishing — std ×0.408248 per layer") for note in two.notes
    )


def test_init_default_refuses_the_options_it_fixes(cli):
    for option, value in (("--scheme", "he"), ("--dist", "normal"), ("--gain", "2"), ("--mode", "fan_out")):
        refused = cli("propagate", "64", "--depth", "2", "--init", "default", option, value)
        assert refused.exit_code == 2, refused.output
        assert refused.stdout == ""
        assert refused.stderr.startswith(f"Error: {option} does not combine with --init")


def test_init_default_from_the_command_line(cli):
    """``propagate --init default``: the same report as the API, as JSON and as a table."""
    argv = ("propagate", "64", "--depth", "3", "--act", "relu", "--init", "default", "--batch", "8")
    result = cli(*argv, "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    check_default_propagation(document)
    api = propagate(resolve_layers(["64"], depth=3, activation=RELU), defaults=True, batch=8).document
    assert {key: document[key] for key in api} == json.loads(json.dumps(api))
    table = cli("propagate", "64", "--depth", "2", "--act", "relu", "--init", "default", "--batch", "8")
    assert table.exit_code == 0, table.output
    assert "torch: verdict forward: vanishing — std ×0.408248 per layer" in table.stdout
