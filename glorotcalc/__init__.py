"""glorotcalc — Glorot/Xavier, He/Kaiming and LeCun initialization, as each framework computes it."""

from glorotcalc.errors import GlorotcalcError, UsageError
from glorotcalc.fans import compute_fans
from glorotcalc.gain import calculate_gain, computed_gain
from glorotcalc.schemes import TRUNCATED_STD, InitStats, scheme_stats, variance_scaling

__version__ = "0.1.0"

__all__ = [
    "TRUNCATED_STD",
    "GlorotcalcError",
    "InitStats",
    "UsageError",
    "__version__",
    "calculate_gain",
    "compute_fans",
    "computed_gain",
    "scheme_stats",
    "variance_scaling",
]
