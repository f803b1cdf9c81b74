"""Gains: torch's ``calculate_gain`` table, and a computed gain for every activation.

torch's table (``torch.nn.init.calculate_gain(nonlinearity, param=None)``):

=================================================  ==========================
nonlinearity                                       gain
=================================================  ==========================
linear, conv1d/2d/3d, conv_transpose1d/2d/3d       1
sigmoid                                            1
tanh                                               5/3 (hand-tuned)
relu                                               √2
leaky_relu                                         √(2/(1+s²)), s = 0.01 by default
selu                                               3/4 (found empirically)
=================================================  ==========================

The *computed* gain keeps the second moment of a unit Gaussian pre-activation:
``g = 1/√E[φ(z)²]``, z ~ N(0, 1) (He et al. 2015). It is √2 for relu and √(2/(1+s²)) for leaky
relu exactly — torch's values — and 1 for selu (Klambauer et al. 2017).

>>> calculate_gain("leaky_relu", 0.2)
1.386750490563073
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from glorotcalc.errors import UsageError

LINEAR_NAMES = (
    "linear",
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
)
TORCH_NONLINEARITIES = (*LINEAR_NAMES, "sigmoid", "tanh", "relu", "leaky_relu", "selu")
ACTIVATIONS = (
    "linear",
    "relu",
    "leaky_relu",
    "tanh",
    "sigmoid",
    "selu",
    "elu",
    "gelu",
    "silu",
    "softplus",
    "mish",
)
ALIASES = {"swish": "silu", "identity": "linear"}
NONLINEARITIES = (*ACTIVATIONS, *[n for n in LINEAR_NAMES if n != "linear"], *ALIASES)
DEFAULT_SLOPE = 0.01

# 1/√E[φ(z)²], z ~ N(0,1): composite Simpson on each side of 0 (|z| ≤ 14), checked in the tests
# against numpy's Gauss–Hermite quadrature.
_COMPUTED_GAIN = {
    "linear": 1.0,
    "tanh": 1.5925374197228312,
    "sigmoid": 1.8462285453386058,
    "selu": 1.0,
    "elu": 1.2451983007007066,
    "gelu": 1.5335304411955353,
    "silu": 1.6765324703310909,
    "softplus": 1.0418668355353016,
    "mish": 1.4868475812732078,
}


@dataclass(frozen=True)
class Activation:
    """The nonlinearity that follows a layer; `param` is leaky_relu's negative slope."""

    name: str = "linear"
    param: float | None = None

    def __str__(self) -> str:
        return self.name if self.param is None else f"{self.name}:{self.param:g}"

    @property
    def slope(self) -> float:
        return DEFAULT_SLOPE if self.param is None else self.param


def canonical_name(nonlinearity: str) -> str:
    """Lower-case `nonlinearity`, resolve aliases, or raise listing the valid names."""
    name = nonlinearity.strip().lower()
    name = ALIASES.get(name, name)
    if name in LINEAR_NAMES:
        return name
    if name not in ACTIVATIONS:
        raise UsageError("nonlinearity", nonlinearity, "use one of " + ", ".join(NONLINEARITIES))
    return name


def make_activation(nonlinearity: str, param: float | None = None) -> Activation:
    """Validate a nonlinearity name and its parameter (only leaky_relu takes one)."""
    name = canonical_name(nonlinearity)
    if name in LINEAR_NAMES:
        name = "linear"
    if param is not None:
        if name != "leaky_relu":
            raise UsageError(f"{name} takes no parameter; got", param, "only leaky_relu has a slope")
        if not math.isfinite(param):
            raise UsageError("leaky_relu slope", param, "must be a finite number")
    return Activation(name, param)


def parse_activation(text: str) -> Activation:
    """Parse ``relu``, ``leaky_relu`` or ``leaky_relu:0.2``."""
    name, sep, raw = text.partition(":")
    if not sep:
        return make_activation(name)
    try:
        param = float(raw)
    except ValueError:
        raise UsageError("leaky_relu slope", raw, "must be a number, e.g. leaky_relu:0.2") from None
    return make_activation(name, param)


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """torch's gain for `nonlinearity`; errors for names outside torch's table."""
    name = canonical_name(nonlinearity)
    if name in LINEAR_NAMES or name == "sigmoid":
        return 1.0
    if name == "tanh":
        return 5.0 / 3
    if name == "relu":
        return math.sqrt(2.0)
    if name == "leaky_relu":
        slope = DEFAULT_SLOPE if param is None else param
        return math.sqrt(2.0 / (1 + slope * slope))
    if name == "selu":
        return 3.0 / 4
    raise UsageError(
        "torch has no gain for nonlinearity", nonlinearity, "use one of " + ", ".join(TORCH_NONLINEARITIES)
    )


def computed_gain(activation: Activation) -> float:
    """Variance-preserving gain 1/√E[φ(z)²] for `activation`."""
    if activation.name == "relu":
        return math.sqrt(2.0)
    if activation.name == "leaky_relu":
        return math.sqrt(2.0 / (1 + activation.slope * activation.slope))
    return _COMPUTED_GAIN[activation.name]


@dataclass(frozen=True)
class Gain:
    """A gain value and where it came from (shown in the output)."""

    value: float
    source: str
    exact_scale: float | None = None  # gain², when known exactly (2 for relu, not √2²)

    @property
    def scale(self) -> float:
        # x*x, not x**2: a float product overflows to inf instead of raising OverflowError
        return self.value * self.value if self.exact_scale is None else self.exact_scale


def resolve_gain(activation: Activation, gain: float | None = None) -> Gain:
    """The gain a scheme uses: an explicit `gain`, else torch's table, else the computed one."""
    if gain is not None:
        return Gain(gain, "--gain")
    if activation.name in ("relu", "leaky_relu"):
        slope = activation.slope if activation.name == "leaky_relu" else 0.0
        scale = 2.0 / (1 + slope * slope)
        return Gain(math.sqrt(scale), f"torch {activation}", scale)
    if activation.name in TORCH_NONLINEARITIES:
        return Gain(calculate_gain(activation.name, activation.param), f"torch {activation}")
    return Gain(computed_gain(activation), f"computed {activation}")
