"""The request a command line makes, and which report answers it.

`Request` holds every option, validated and normalized; `build_report` picks the one report that
answers it. Heavy paths (sampling, propagation, audit) are imported only when asked for, so a
plain lookup never imports numpy.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from glorotcalc.errors import UsageError
from glorotcalc.gain import Activation
from glorotcalc.report import Report

ALL_SCHEMES = ("glorot", "he", "lecun")
ALL_DISTRIBUTIONS = ("uniform", "normal", "truncated")


@dataclass(frozen=True)
class Request:
    """Every option of one invocation, after validation.

    `schemes`/`distributions` are the selection (all three unless the user chose);
    `scheme_given`/`dist_given` say whether the user chose. `activation` is the default activation
    (``--nonlinearity``/``--act``) and `activation_given` whether it was typed.
    """

    inputs: tuple[str, ...] = ()
    shape: str | None = None
    layout: str = "torch"
    layout_given: bool = False
    framework: str | None = None
    schemes: tuple[str, ...] = ALL_SCHEMES
    scheme_given: bool = False
    distributions: tuple[str, ...] = ALL_DISTRIBUTIONS
    dist_given: bool = False
    activation: Activation = field(default_factory=Activation)
    activation_given: bool = False
    gain: float | None = None
    mode: str | None = None
    fmt: str = "table"
    value: bool = False
    explain: bool = False
    no_color: bool = False
    sample: bool = False
    samples: int | None = None
    seed: int = 0
    seed_given: bool = False
    threads: int | None = None
    hist: bool = False
    propagate: bool = False
    depth: int | None = None
    batch: int = 1024
    batch_given: bool = False
    dtype: str = "float32"
    dtype_given: bool = False
    defaults: bool = False
    emit: str | None = None


def _exclusive(request: Request) -> None:
    """One kind of answer per command line (--propagate --defaults is one: defaults, propagated)."""
    modes = {
        "--sample": request.sample,
        "--propagate": request.propagate,
        "--defaults": request.defaults,
        "--emit": request.emit is not None,
        "--framework all": request.framework == "all",
    }
    chosen = [name for name, on in modes.items() if on]
    if chosen == ["--propagate", "--defaults"]:
        return
    if len(chosen) > 1:
        raise UsageError("options cannot be combined:", " ".join(chosen), "choose one of them")


def _sampling_options(request: Request) -> None:
    """--samples, --threads, --hist (and --seed, --dtype, unless --propagate) mean something only with
    --sample; --batch only with --propagate."""
    if request.seed < 0:  # one check for both users of the seed: --sample and --propagate
        raise UsageError("--seed", request.seed, "must be a non-negative integer")
    if request.batch_given and not request.propagate:
        raise UsageError("--batch applies only with --propagate", None, "add --propagate or drop --batch")
    if request.sample:
        return
    given = [
        name
        for name, on in (
            ("--samples", request.samples is not None),
            ("--threads", request.threads is not None),
            ("--hist", request.hist),
            ("--seed", request.seed_given and not request.propagate),
            ("--dtype", request.dtype_given and not request.propagate),
        )
        if on
    ]
    if given:
        also = " or --propagate" if given[0] in ("--seed", "--dtype") else ""
        raise UsageError(
            f"{given[0]} applies only with --sample{also}", None, f"add --sample or drop {given[0]}"
        )


def build_report(request: Request) -> Report:
    """Answer `request` with one report."""
    _exclusive(request)
    _sampling_options(request)
    if request.inputs[:1] == ("audit",):
        from glorotcalc.audit import audit_report

        return audit_report(request.inputs[1:], request)
    if not request.inputs and request.shape is None:
        if request.activation_given:
            from glorotcalc.lookup import gain_report

            return gain_report(request)
        raise UsageError(
            "nothing to compute",
            None,
            "give FAN_IN FAN_OUT, a chain (784 256 10), an architecture (784-256-10), "
            "a torch printout file or -, or --shape; see glorotcalc --help",
        )
    if request.framework not in (None, "all"):
        from glorotcalc.frameworks import framework_layers, framework_request

        request = framework_request(request)  # the framework's weight layout and shape rules
        return _report_for_layers(framework_layers(request), request)
    from glorotcalc.inputs import layers_from_request

    layers = layers_from_request(request)
    return _report_for_layers(layers, request)


def _report_for_layers(layers: list, request: Request) -> Report:
    if request.propagate:
        from glorotcalc.propagate import propagate_report

        return propagate_report(layers, request)
    if request.sample:
        from glorotcalc.sampling import sample_report

        return sample_report(layers, request)
    if request.defaults:
        from glorotcalc.frameworks import defaults_report

        return defaults_report(layers, request)
    if request.emit is not None:
        from glorotcalc.frameworks import emit_report

        return emit_report(layers, request)
    if request.framework == "all":
        from glorotcalc.frameworks import compare_report

        return compare_report(layers, request)
    if request.framework is not None:
        from glorotcalc.frameworks import framework_report

        return framework_report(layers, request)
    from glorotcalc.lookup import lookup_report

    return lookup_report(layers, request)
