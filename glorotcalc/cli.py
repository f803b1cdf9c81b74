"""The command line: parse options, build a `Request`, write the report, map errors to exit codes.

No math here. Exit codes: 0 ok · 1 domain error · 2 usage error · 130 interrupted.
"""

import functools
import math
import sys
from typing import Annotated

import typer

from glorotcalc import __version__
from glorotcalc.commands import ALL_DISTRIBUTIONS, ALL_SCHEMES, Request, build_report
from glorotcalc.errors import GlorotcalcError, UsageError, choose
from glorotcalc.fans import LAYOUTS, check_layout
from glorotcalc.gain import NONLINEARITIES, Activation, make_activation
from glorotcalc.render import FORMATS, write
from glorotcalc.schemes import MODES, SCHEME_ALIASES, canonical_scheme

FRAMEWORKS = ("torch", "keras", "jax", "flax")
DTYPES = ("float32", "float64")
SCHEME_CHOICES = (*ALL_SCHEMES, *SCHEME_ALIASES, "all")
DIST_CHOICES = (*ALL_DISTRIBUTIONS, "all")

EPILOG = (
    "Examples: glorotcalc 784 256 --dist normal · glorotcalc 784-256-128-10 · "
    "glorotcalc --shape 64x3x3x3 · glorotcalc 784 256 --scheme he --dist uniform --value · "
    "glorotcalc audit model.safetensors"
)

app = typer.Typer(
    add_completion=True,
    context_settings={"ignore_unknown_options": True, "help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _complete(choices: tuple[str, ...]):
    def complete(incomplete: str) -> list[str]:
        return [c for c in choices if c.startswith(incomplete)]

    return complete


def _version(flag: bool) -> None:
    if flag:
        typer.echo(f"glorotcalc {__version__}")
        raise typer.Exit()


def _selection(what: str, text: str, choices: tuple[str, ...], canon=lambda s: s) -> tuple[str, ...]:
    """``all`` or a comma-separated subset of `choices`, in the order given."""
    picked: list[str] = []
    for token in text.split(","):
        token = token.strip().lower()
        if token == "all":
            return tuple(dict.fromkeys(canon(c) for c in choices if c != "all"))
        picked.append(canon(choose(what, token, choices)))
    return tuple(dict.fromkeys(picked))


def _output_format(fmt: str, value: bool) -> str:
    """The --format; --value prints one bare number, so it takes no other format."""
    fmt = choose("--format", fmt.lower(), FORMATS)
    if value and fmt != "table":
        raise UsageError("--value", None, f"prints one bare number; drop --format {fmt}")
    return fmt


def _number(what: str, value: float | None, *, positive: bool = False) -> float | None:
    if value is None:
        return None
    if not math.isfinite(value) or (positive and value <= 0):
        raise UsageError(what, value, "must be a positive finite number" if positive else "must be finite")
    return value


def _activation(nonlinearity: str | None, slope: float | None) -> tuple[Activation, bool]:
    if nonlinearity is None:
        if slope is not None:
            return make_activation("leaky_relu", _number("--slope", slope)), True
        return Activation(), False
    from glorotcalc.gain import parse_activation

    activation = parse_activation(nonlinearity)
    if slope is not None:
        if activation.name != "leaky_relu" or activation.param is not None:
            raise UsageError("--slope", slope, "applies to --nonlinearity leaky_relu (without :slope)")
        activation = make_activation("leaky_relu", _number("--slope", slope))
    return activation, True


@app.command(epilog=EPILOG)
def calculate(
    inputs: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="[INPUT]...",
            help="FAN_IN FAN_OUT · a width chain 784 256 10 · an architecture 784-256-10 · "
            "a torch print(model) file or - for stdin · audit FILE...",
            show_default=False,
        ),
    ] = None,
    scheme: Annotated[
        str,
        typer.Option(
            help="glorot, he, lecun (aliases xavier, kaiming), a comma list, or all.",
            autocompletion=_complete(SCHEME_CHOICES),
        ),
    ] = "all",
    dist: Annotated[
        str,
        typer.Option(
            help="uniform, normal (untruncated), truncated (Keras/JAX), a comma list, or all.",
            autocompletion=_complete(DIST_CHOICES),
        ),
    ] = "all",
    nonlinearity: Annotated[
        str | None,
        typer.Option(
            "--nonlinearity",
            "--act",
            help="Activation after the layer; sets the gain: "
            + ", ".join(NONLINEARITIES)
            + " (leaky_relu:0.2 sets the slope).",
            autocompletion=_complete(NONLINEARITIES),
        ),
    ] = None,
    slope: Annotated[float | None, typer.Option(help="leaky_relu negative slope (default 0.01).")] = None,
    gain: Annotated[float | None, typer.Option(help="Explicit gain; scale = gain².")] = None,
    mode: Annotated[
        str | None,
        typer.Option(
            help="fan_in, fan_out, fan_avg or fan_geo_avg (he and lecun).", autocompletion=_complete(MODES)
        ),
    ] = None,
    shape: Annotated[str | None, typer.Option(help="A weight shape, e.g. 64x3x3x3 or 3,3,3,64.")] = None,
    layout: Annotated[
        str | None,
        typer.Option(
            help="Weight layout: torch (out, in, *k) or keras/jax/flax (*k, in, out). Default torch.",
            autocompletion=_complete(LAYOUTS),
        ),
    ] = None,
    framework: Annotated[
        str | None,
        typer.Option(
            help="Use one framework's conventions: torch, keras, jax, flax, or all.",
            autocompletion=_complete((*FRAMEWORKS, "all")),
        ),
    ] = None,
    fmt: Annotated[
        str, typer.Option("--format", help="table, json, csv or tsv.", autocompletion=_complete(FORMATS))
    ] = "table",
    value: Annotated[
        bool, typer.Option("--value", help="Print one bare number (the sampler's parameter).")
    ] = False,
    explain: Annotated[
        bool, typer.Option("--explain", help="Show each formula with the numbers substituted.")
    ] = False,
    no_color: Annotated[
        bool, typer.Option("--no-color", help="No colour (NO_COLOR is honoured too).")
    ] = False,
    sample: Annotated[
        bool, typer.Option("--sample", help="Draw the weights and report empirical statistics.")
    ] = False,
    samples: Annotated[
        int | None, typer.Option(help="Number of elements to draw (default: the layer's size).")
    ] = None,
    seed: Annotated[
        int | None, typer.Option(help="Seed for --sample and --propagate (default 0).", show_default=False)
    ] = None,
    threads: Annotated[int | None, typer.Option(help="Sampling threads (default: all cores).")] = None,
    hist: Annotated[bool, typer.Option("--hist", help="With --sample: a terminal histogram.")] = False,
    propagate: Annotated[
        bool, typer.Option("--propagate", help="Follow the variance through the network.")
    ] = False,
    depth: Annotated[int | None, typer.Option(help="With one width W: L layers W→W.")] = None,
    batch: Annotated[
        int | None, typer.Option(help="Monte Carlo batch size for --propagate (default 1024).")
    ] = None,
    dtype: Annotated[
        str | None,
        typer.Option(
            help="float32 (default) or float64 for --sample and --propagate.",
            autocompletion=_complete(DTYPES),
        ),
    ] = None,
    defaults: Annotated[
        bool, typer.Option("--defaults", help="What each framework's layers use by default.")
    ] = False,
    emit: Annotated[
        str | None,
        typer.Option(help="Print code for torch, keras, jax or flax.", autocompletion=_complete(FRAMEWORKS)),
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """Glorot/Xavier, He/Kaiming and LeCun initialization, as torch, Keras and JAX compute them."""
    activation, activation_given = _activation(nonlinearity, slope)
    request = Request(
        inputs=tuple(inputs or ()),
        shape=shape,
        layout=check_layout(layout.lower()) if layout else "torch",
        layout_given=layout is not None,
        framework=choose("--framework", framework.lower(), (*FRAMEWORKS, "all")) if framework else None,
        schemes=_selection("scheme", scheme, SCHEME_CHOICES, canonical_scheme),
        scheme_given=scheme != "all",
        distributions=_selection("distribution", dist, DIST_CHOICES),
        dist_given=dist != "all",
        activation=activation,
        activation_given=activation_given,
        gain=_number("--gain", gain, positive=True),
        mode=choose("mode", mode, MODES) if mode else None,
        fmt=_output_format(fmt, value),
        value=value,
        explain=explain,
        no_color=no_color,
        sample=sample,
        samples=samples,
        seed=0 if seed is None else seed,
        seed_given=seed is not None,
        threads=threads,
        hist=hist,
        propagate=propagate,
        depth=depth,
        batch=1024 if batch is None else batch,
        batch_given=batch is not None,
        dtype=choose("--dtype", dtype, DTYPES) if dtype is not None else "float32",
        dtype_given=dtype is not None,
        defaults=defaults,
        emit=choose("--emit", emit.lower(), FRAMEWORKS) if emit else None,
    )
    write(build_report(request), request.fmt, value=request.value, no_color=request.no_color)


def _value_options() -> dict[str, str]:
    """Each option that takes a value, by every spelling (``--act`` → ``nonlinearity``)."""
    return {
        opt: param.name
        for param in _command().params
        if param.param_type_name == "option" and not getattr(param, "is_flag", False)
        for opt in param.opts
    }


def _reject_repeated(args: list[str]) -> None:
    """An option given twice is an error: the first value would be silently dropped."""
    spellings = _value_options()
    seen: dict[str, str] = {}
    for token in args:
        if token == "--":
            break
        name = token.split("=", 1)[0]
        param = spellings.get(name)
        if param is None:
            continue
        if param in seen:
            what = f"{name} is given more than once"
            if seen[param] != name:
                what = f"{name} and {seen[param]} are the same option"
            raise UsageError(what, None, "give it once")
        seen[param] = name


@functools.cache
def _command():
    """The Click command Typer builds from `app` (built once per process)."""
    return typer.main.get_command(app)


def _error(message: str) -> None:
    sys.stderr.write(f"Error: {message}\n")


def _typer_message(error: typer.TyperException, argv: list[str]) -> str:
    """Typer's message; for a value it could not convert, name the value too (Typer leaves it out).

    ``--slope x`` → ``--slope 'x': must be a number``.
    """
    param = getattr(error, "param", None)
    if not isinstance(error, typer.BadParameter) or param is None or not param.opts:
        return error.format_message()
    typed = None
    for i, token in enumerate(argv):
        for opt in param.opts:
            if token == opt and i + 1 < len(argv):
                typed = (opt, argv[i + 1])
            elif token.startswith(opt + "="):
                typed = (opt, token[len(opt) + 1 :])
    if typed is None:
        return error.format_message()
    kind = getattr(getattr(param, "type", None), "name", "")
    message = {"float": "must be a number", "integer": "must be an integer"}.get(kind)
    if message is None:
        message = error.message[:1].lower() + error.message[1:]
    return f"{typed[0]} {typed[1]!r}: {message}"


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return the exit code. Every error is one line on stderr, never a traceback."""
    args = sys.argv[1:] if argv is None else list(argv)
    try:
        _reject_repeated(args)
        code = _command().main(args=args, prog_name="glorotcalc", standalone_mode=False)
    except GlorotcalcError as error:
        _error(str(error))
        return error.exit_code
    except typer.TyperException as error:
        _error(_typer_message(error, sys.argv[1:] if argv is None else argv))
        return getattr(error, "exit_code", 2)
    except (KeyboardInterrupt, typer.Abort):
        _error("interrupted")
        return 130
    except BrokenPipeError:
        sys.stderr.close()
        return 1
    except MemoryError:
        _error("out of memory: the request is too large for this machine; ask for less work")
        return 1
    except Exception as error:  # a bug: still one line and no traceback, but say so
        _error(f"internal error ({type(error).__name__}: {error}); please report it")
        return 1
    if code == 130:
        _error("interrupted")
    return code if isinstance(code, int) else 0
