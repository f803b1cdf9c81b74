"""glorotcalc — Glorot/Xavier, He/Kaiming and LeCun initialization, as each framework computes it.

The Python API is the command line's: resolve the layers once, then call one analysis, which
returns a `Report` (rows, a JSON document, notes) for `glorotcalc.render.write` or for your code.

>>> from glorotcalc import lookup, resolve_layers
>>> report = lookup(resolve_layers(["784", "256"]), schemes=("glorot",), distributions=("normal",))
>>> round(report.value, 6)
0.043853

The analyses that draw numbers (`sample`, `propagate`, `audit`) import numpy when first used.
A name of a submodule (``glorotcalc.compare``) is the module once it has been imported; use
``from glorotcalc import compare``, which always gives the function.
"""

import os as _os
import signal as _signal
import sys as _sys


def _interrupted_while_starting(signum, frame):  # pragma: no cover - timing
    """Ctrl-C before the command line's own handling is in place: the same answer, exit 130."""
    _sys.stderr.write("Error: interrupted\n")
    _os._exit(130)


if __name__ == "glorotcalc" and _signal.getsignal(_signal.SIGINT) is _signal.default_int_handler:
    _signal.signal(_signal.SIGINT, _interrupted_while_starting)  # glorotcalc.cli.main puts back Python's

from glorotcalc.errors import GlorotcalcError, UsageError  # noqa: E402

__version__ = "0.1.0"

# Every name of the API, by module; imported on first use, so `import glorotcalc` (and every start
# of the command line) stays light, and numpy is imported only by sample, propagate and audit.
_API = {
    "compare": "compare",
    "convention": ("framework_lookup", "init_lookup"),
    "defaults": "defaults",
    "emit": "emit",
    "fans": "compute_fans",
    "frameworks": ("FRAMEWORKS", "Framework", "default_stats"),
    "gain": ("calculate_gain", "computed_gain", "make_activation", "parse_activation"),
    "initnames": ("InitSpec", "parse_init"),
    "inputs": "resolve_layers",
    "lookup": ("gain_lookup", "lookup"),
    "report": "Report",
    "schemes": ("TRUNCATED_STD", "InitStats", "scheme_stats", "variance_scaling"),
    "sampling": "sample",
    "propagate": "propagate",
    "audit": "audit",
}
_WHERE = {
    name: f"glorotcalc.{module}"
    for module, names in _API.items()
    for name in ((names,) if isinstance(names, str) else names)
}


def __getattr__(name: str):
    """The API's names, each imported from its module on first use."""
    if name in _WHERE:
        import importlib

        value = getattr(importlib.import_module(_WHERE[name]), name)
        globals()[name] = value  # a submodule of the same name (glorotcalc.lookup) was just bound here
        return value
    raise AttributeError(f"module 'glorotcalc' has no attribute {name!r}")


__all__ = [
    "FRAMEWORKS",
    "TRUNCATED_STD",
    "Framework",
    "GlorotcalcError",
    "InitSpec",
    "InitStats",
    "Report",
    "UsageError",
    "__version__",
    "audit",
    "calculate_gain",
    "compare",
    "compute_fans",
    "computed_gain",
    "default_stats",
    "defaults",
    "emit",
    "framework_lookup",
    "gain_lookup",
    "init_lookup",
    "lookup",
    "make_activation",
    "parse_activation",
    "parse_init",
    "propagate",
    "resolve_layers",
    "sample",
    "scheme_stats",
    "variance_scaling",
]
