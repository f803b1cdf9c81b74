"""Peer tests: glorotcalc against the real torch.nn.init (skipped when torch is not installed).

The sampler parameters are read from torch itself: `Tensor.uniform_` / `Tensor.normal_` are
wrapped to record the arguments that xavier_*/kaiming_* pass (torch computes them in Python,
then calls one of those two methods), so we compare numbers, not samples.
"""

from __future__ import annotations

import itertools
import math
import random

import pytest
from conftest import torch_or_skip

from glorotcalc.cli import main
from glorotcalc.errors import UsageError
from glorotcalc.fans import compute_fans
from glorotcalc.gain import Activation, Gain, calculate_gain, resolve_gain
from glorotcalc.schemes import scheme_stats

pytestmark = pytest.mark.torch

REL = 1e-12
TORCH_NAMES = [
    "linear",
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
    "sigmoid",
    "tanh",
    "relu",
    "leaky_relu",
    "selu",
]
SLOPES = [None, 0, 0.0, 0.01, 0.2, 1.0, -0.5, 3.0, math.sqrt(5)]
SHAPES = [(256, 784), (784, 256), (1, 1), (64, 3, 3, 3), (32, 16, 5), (8, 4, 3, 5, 7), (3, 7, 1, 1, 2)]


def many_shapes() -> list[tuple[int, ...]]:
    """Every rank-2 and rank-3 shape on a small grid, plus seeded random shapes of rank 2..6."""
    grid = [1, 2, 3, 7, 64]
    shapes = [*itertools.product(grid, repeat=2), *itertools.product(grid, repeat=3)]
    rng = random.Random(20240601)
    for _ in range(60):
        rank = rng.randint(2, 6)
        shapes.append(tuple(rng.randint(1, 9) for _ in range(rank)))
    return shapes


@pytest.fixture(scope="module")
def torch():
    return torch_or_skip()


@pytest.fixture
def sampler_calls(torch, monkeypatch):
    """Record (method, first, second) for every Tensor.uniform_(a, b) / normal_(mean, std) call."""
    calls: list[tuple[str, float, float]] = []
    for name in ("uniform_", "normal_"):
        original = getattr(torch.Tensor, name)

        def recorder(self, first, second, *args, _name=name, _original=original, **kwargs):
            calls.append((_name, first, second))
            return _original(self, first, second, *args, **kwargs)

        monkeypatch.setattr(torch.Tensor, name, recorder)
    return calls


def close(actual: float, expected: float) -> bool:
    return math.isclose(actual, expected, rel_tol=REL, abs_tol=0.0)


# --- fans ---------------------------------------------------------------------------------------


def test_fans_match_torch_on_many_shapes(torch):
    fans_of = torch.nn.init._calculate_fan_in_and_fan_out
    for shape in many_shapes():
        assert compute_fans(shape, "torch") == fans_of(torch.empty(shape)), shape


def test_keras_layout_matches_torch_on_the_transposed_weight(torch):
    """A keras (*k, in, out) kernel is the torch (out, in, *k) weight with its axes moved."""
    fans_of = torch.nn.init._calculate_fan_in_and_fan_out
    for shape in many_shapes():
        out, inp, *kernel = shape
        assert compute_fans((*kernel, inp, out), "keras") == fans_of(torch.empty(shape)), shape


@pytest.mark.parametrize("shape", [(), (5,)])
def test_rank_below_two_is_an_error_in_both(torch, shape):
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(shape))
    with pytest.raises(UsageError, match="at least 2 dimensions"):
        compute_fans(shape, "torch")


# --- gains --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", TORCH_NAMES)
def test_calculate_gain_matches_torch(torch, name):
    assert close(calculate_gain(name), torch.nn.init.calculate_gain(name))


@pytest.mark.parametrize("slope", SLOPES)
def test_leaky_relu_gain_matches_torch(torch, slope):
    assert close(calculate_gain("leaky_relu", slope), torch.nn.init.calculate_gain("leaky_relu", slope))


def test_unknown_names_are_errors_in_both(torch):
    with pytest.raises(ValueError, match="Unsupported nonlinearity"):
        torch.nn.init.calculate_gain("gelu")
    with pytest.raises(UsageError):
        calculate_gain("gelu")


# --- what xavier_* and kaiming_* pass to their samplers -----------------------------------------


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("gain", [1.0, 5 / 3, math.sqrt(2), 0.75, 3.0])
def test_xavier_uniform(torch, sampler_calls, shape, gain):
    torch.nn.init.xavier_uniform_(torch.empty(shape), gain=gain)
    ((method, low, high),) = sampler_calls
    fan_in, fan_out = compute_fans(shape, "torch")
    ours = scheme_stats("glorot", fan_in, fan_out, "uniform", gain=Gain(gain, "test"))
    assert method == "uniform_"
    assert close(high, ours.bound) and close(-low, ours.bound)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("gain", [1.0, 5 / 3, math.sqrt(2), 0.75, 3.0])
def test_xavier_normal(torch, sampler_calls, shape, gain):
    torch.nn.init.xavier_normal_(torch.empty(shape), gain=gain)
    ((method, mean, std),) = sampler_calls
    fan_in, fan_out = compute_fans(shape, "torch")
    ours = scheme_stats("glorot", fan_in, fan_out, "normal", gain=Gain(gain, "test"))
    assert (method, mean) == ("normal_", 0.0)
    assert close(std, ours.sampler_std) and close(std, ours.std)


KAIMING_CASES = [
    ("leaky_relu", 0),  # torch's default: a=0 → gain √2
    ("leaky_relu", 0.2),
    ("leaky_relu", math.sqrt(5)),  # nn.Linear's default init
    ("relu", 0),
    ("tanh", 0),
    ("linear", 0),
    ("selu", 0),
    ("sigmoid", 0),
]


def our_kaiming(shape, nonlinearity: str, a: float, mode: str, distribution: str):
    fan_in, fan_out = compute_fans(shape, "torch")
    activation = Activation(nonlinearity, float(a) if nonlinearity == "leaky_relu" else None)
    return scheme_stats("he", fan_in, fan_out, distribution, gain=resolve_gain(activation), mode=mode)


@pytest.mark.parametrize("mode", ["fan_in", "fan_out"])
@pytest.mark.parametrize(("nonlinearity", "a"), KAIMING_CASES)
@pytest.mark.parametrize("shape", SHAPES)
def test_kaiming_uniform(torch, sampler_calls, shape, nonlinearity, a, mode):
    torch.nn.init.kaiming_uniform_(torch.empty(shape), a=a, mode=mode, nonlinearity=nonlinearity)
    ((method, low, high),) = sampler_calls
    ours = our_kaiming(shape, nonlinearity, a, mode, "uniform")
    assert method == "uniform_"
    assert close(high, ours.bound) and close(-low, ours.bound)


@pytest.mark.parametrize("mode", ["fan_in", "fan_out"])
@pytest.mark.parametrize(("nonlinearity", "a"), KAIMING_CASES)
@pytest.mark.parametrize("shape", SHAPES)
def test_kaiming_normal(torch, sampler_calls, shape, nonlinearity, a, mode):
    torch.nn.init.kaiming_normal_(torch.empty(shape), a=a, mode=mode, nonlinearity=nonlinearity)
    ((method, mean, std),) = sampler_calls
    ours = our_kaiming(shape, nonlinearity, a, mode, "normal")
    assert (method, mean) == ("normal_", 0)
    assert close(std, ours.sampler_std)


def test_kaiming_default_is_our_he(torch, sampler_calls):
    """kaiming_uniform_(w) with no arguments (leaky_relu, a=0) is He's scale-2 default."""
    torch.nn.init.kaiming_uniform_(torch.empty(256, 784))
    ((_, _, high),) = sampler_calls
    assert close(high, scheme_stats("he", 784, 256, "uniform").bound)


# --- end to end: the CLI's --value against torch ------------------------------------------------


def cli_value(capsys, *argv: str) -> float:
    assert main([*argv, "--value"]) == 0
    return float(capsys.readouterr().out)


def test_cli_conv_shape_he_uniform_matches_torch(torch, sampler_calls, capsys):
    torch.nn.init.kaiming_uniform_(torch.empty(64, 3, 3, 3), nonlinearity="relu")
    ((_, _, high),) = sampler_calls
    ours = cli_value(capsys, "--shape", "64x3x3x3", "--scheme", "he", "--dist", "uniform")
    assert close(ours, high)


def test_cli_leaky_fan_out_matches_torch(torch, sampler_calls, capsys):
    torch.nn.init.kaiming_normal_(torch.empty(256, 784), a=0.2, mode="fan_out", nonlinearity="leaky_relu")
    ((_, _, std),) = sampler_calls
    ours = cli_value(
        capsys,
        "784",
        "256",
        "--nonlinearity",
        "leaky_relu",
        "--slope",
        "0.2",
        "--mode",
        "fan_out",
        "--scheme",
        "he",
        "--dist",
        "normal",
    )
    assert close(ours, std)


def test_cli_xavier_tanh_matches_torch(torch, sampler_calls, capsys):
    torch.nn.init.xavier_uniform_(torch.empty(256, 784), gain=torch.nn.init.calculate_gain("tanh"))
    ((_, _, high),) = sampler_calls
    ours = cli_value(
        capsys, "784", "256", "--nonlinearity", "tanh", "--scheme", "xavier", "--dist", "uniform"
    )
    assert close(ours, high)
