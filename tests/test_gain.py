"""calculate_gain: torch's table, written out; resolve_gain: which gain a scheme uses."""

from __future__ import annotations

import math

import pytest

from glorotcalc.errors import UsageError
from glorotcalc.gain import (
    Activation,
    calculate_gain,
    make_activation,
    parse_activation,
    resolve_gain,
)

LINEAR_LIKE = [
    "linear",
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
    "sigmoid",
]
TORCH_NAMES = [*LINEAR_LIKE, "tanh", "relu", "leaky_relu", "selu"]


@pytest.mark.parametrize("name", LINEAR_LIKE)
def test_linear_conv_and_sigmoid_have_gain_one(name):
    assert calculate_gain(name) == 1.0


def test_tanh_is_five_thirds():
    assert calculate_gain("tanh") == 5.0 / 3


def test_relu_is_root_two():
    assert calculate_gain("relu") == math.sqrt(2.0)


def test_selu_is_three_quarters():
    assert calculate_gain("selu") == 0.75


def test_leaky_relu_default_slope_is_one_hundredth():
    expected = math.sqrt(2.0 / (1 + 0.01**2))
    assert calculate_gain("leaky_relu") == pytest.approx(expected, rel=1e-15)
    assert calculate_gain("leaky_relu", None) == pytest.approx(expected, rel=1e-15)


@pytest.mark.parametrize("slope", [0.0, 0.2, 0.01, 1.0, -0.3, math.sqrt(5)])
def test_leaky_relu_explicit_slope(slope):
    expected = math.sqrt(2.0 / (1 + slope**2))
    assert calculate_gain("leaky_relu", slope) == pytest.approx(expected, rel=1e-15)


def test_leaky_relu_landmarks():
    """Slope 0 is relu (√2); torch's a=√5 default gives √(1/3); slope 1 is linear."""
    assert calculate_gain("leaky_relu", 0.0) == math.sqrt(2.0)
    assert calculate_gain("leaky_relu", math.sqrt(5)) == pytest.approx(math.sqrt(1 / 3), rel=1e-15)
    assert calculate_gain("leaky_relu", 1.0) == 1.0


def test_the_docstring_example():
    assert calculate_gain("leaky_relu", 0.2) == pytest.approx(math.sqrt(2 / 1.04), rel=1e-15)


@pytest.mark.parametrize("name", ["Tanh", " RELU ", "Leaky_ReLU"])
def test_names_are_case_and_space_insensitive(name):
    assert calculate_gain(name) == calculate_gain(name.strip().lower())


@pytest.mark.parametrize("name", ["relu6", "softmax", ""])
def test_unknown_names_list_the_valid_ones(name):
    with pytest.raises(UsageError) as info:
        calculate_gain(name)
    message = str(info.value)
    assert message.startswith(f"nonlinearity {name!r}: use one of ")
    for valid in TORCH_NAMES:
        assert valid in message
    assert info.value.exit_code == 2


@pytest.mark.parametrize("name", ["gelu", "elu", "silu", "mish", "softplus"])
def test_names_outside_torchs_table_are_an_error(name):
    """Known activations torch has no gain for: the error lists torch's names only."""
    with pytest.raises(UsageError) as info:
        calculate_gain(name)
    assert str(info.value) == (
        f"torch has no gain for nonlinearity {name!r}: use one of " + ", ".join(TORCH_NAMES)
    )


def test_explicit_gain_wins():
    gain = resolve_gain(Activation("tanh"), 1.5)
    assert (gain.value, gain.source, gain.scale) == (1.5, "--gain", 1.5 * 1.5)


def test_relu_scale_is_exactly_two():
    """He's scale is 2, not √2² = 2.0000000000000004."""
    gain = resolve_gain(Activation("relu"))
    assert gain.scale == 2.0
    assert gain.value == math.sqrt(2.0)


def test_leaky_relu_scale_is_exact():
    gain = resolve_gain(Activation("leaky_relu", 0.2))
    assert gain.scale == 2.0 / (1 + 0.2 * 0.2)
    assert gain.value == pytest.approx(math.sqrt(2.0 / 1.04), rel=1e-15)
    assert gain.source == "torch leaky_relu:0.2"


def test_default_leaky_relu_slope_in_resolve_gain():
    gain = resolve_gain(Activation("leaky_relu"))
    assert gain.scale == pytest.approx(2.0 / (1 + 0.01**2), rel=1e-15)


@pytest.mark.parametrize(("name", "expected"), [("tanh", 5.0 / 3), ("selu", 0.75), ("linear", 1.0)])
def test_torch_names_resolve_to_torchs_gain(name, expected):
    gain = resolve_gain(Activation(name))
    assert gain.value == expected
    assert gain.source == f"torch {name}"


def test_huge_slope_does_not_overflow():
    gain = resolve_gain(Activation("leaky_relu", 1e200))
    assert gain.scale == 0.0  # 2/(1 + inf): the scheme then refuses it (test_schemes)


def test_parse_activation():
    assert parse_activation("relu") == Activation("relu")
    assert parse_activation("leaky_relu:0.2") == Activation("leaky_relu", 0.2)
    assert str(parse_activation("leaky_relu:0.2")) == "leaky_relu:0.2"
    assert parse_activation("conv2d") == Activation("linear")
    assert parse_activation("swish") == Activation("silu")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("leaky_relu:x", "leaky_relu slope 'x': must be a number, e.g. leaky_relu:0.2"),
        ("tanh:0.2", "tanh takes no parameter; got 0.2: only leaky_relu has a slope"),
        ("leaky_relu:nan", "leaky_relu slope nan: must be a finite number"),
    ],
)
def test_parse_activation_errors(text, message):
    with pytest.raises(UsageError) as info:
        parse_activation(text)
    assert str(info.value) == message


def test_make_activation_rejects_unknown():
    with pytest.raises(UsageError, match="nonlinearity 'relu7': use one of linear, relu, leaky_relu"):
        make_activation("relu7")
