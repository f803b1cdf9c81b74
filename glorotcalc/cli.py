"""The command line: one command per job, each with only its own options.

Each command parses its options, resolves the layers once (`inputs.resolve_layers`), calls one
analysis and writes its report. No math here. Exit codes: 0 ok · 1 domain error · 2 usage error ·
130 interrupted. The lookup is the default command: a first word that is not a command name is
its INPUT (``glorotcalc 784 256``); a file named like a command is reached as ``./audit``.
"""

import functools
import math
import re
import sys
from typing import Annotated

import typer
import typer.core

from glorotcalc import __version__
from glorotcalc.errors import GlorotcalcError, UsageError, choose
from glorotcalc.fans import LAYOUTS
from glorotcalc.gain import NONLINEARITIES, Activation, make_activation
from glorotcalc.render import FORMATS, write
from glorotcalc.results import ALL_DISTRIBUTIONS, ALL_SCHEMES
from glorotcalc.schemes import MODES, SCHEME_ALIASES, canonical_scheme

# glorotcalc.frameworks.FRAMEWORKS and LAYER_FRAMEWORKS, written out so that building the
# command imports no record (tests/test_frameworks_more.py checks they agree)
FRAMEWORK_NAMES = (
    *("torch", "keras", "jax", "flax", "tf-keras", "tf-compat-v1", "tf1-contrib", "keras2.2"),
    *("flax-nnx", "haiku", "equinox", "mlx", "paddle", "tinygrad", "mxnet", "chainer", "caffe"),
    *("flux", "tfjs"),
)
LAYER_FRAMEWORK_NAMES = tuple(name for name in FRAMEWORK_NAMES if name not in ("jax", "caffe"))
DTYPES = ("float32", "float64")
SCHEME_CHOICES = (*ALL_SCHEMES, *SCHEME_ALIASES, "all")
DIST_CHOICES = (*ALL_DISTRIBUTIONS, "all")
GROUP_OPTIONS = ("-h", "--help", "--version", "--install-completion", "--show-completion")
DEFAULT_COMMAND = "lookup"


class DefaultGroup(typer.core.TyperGroup):
    """A group whose first word, when it is not a command name, is the lookup's INPUT."""

    default_command = DEFAULT_COMMAND

    def parse_args(self, ctx, args: list[str]) -> list[str]:
        if not args and ctx.resilient_parsing:  # completing the first word: offer the commands
            return super().parse_args(ctx, args)
        if not args or (args[0] not in self.commands and args[0] not in GROUP_OPTIONS):
            args = [DEFAULT_COMMAND, *args]
        return super().parse_args(ctx, args)

    def format_help(self, ctx, formatter) -> None:
        super().format_help(ctx, formatter)
        lookup = self.commands[DEFAULT_COMMAND]
        with formatter.section(f"Options of the default command ({DEFAULT_COMMAND})"):
            formatter.write_dl(
                [p.get_help_record(ctx) for p in lookup.get_params(ctx) if p.get_help_record(ctx)]
            )


APP_SETTINGS = {
    "cls": DefaultGroup,
    "add_completion": False,  # static scripts: glorotcalc.completion (no Python runs on Tab)
    "context_settings": {"help_option_names": ["-h", "--help"]},
    "pretty_exceptions_enable": False,
    "rich_markup_mode": None,
    "help": "Glorot/Xavier, He/Kaiming and LeCun initialization, as torch, Keras and JAX compute them.",
    "epilog": "glorotcalc 784 256 --dist normal · glorotcalc COMMAND --help for each command's options",
}
app = typer.Typer(**APP_SETTINGS)


def _complete(choices: tuple[str, ...], *, lists: bool = False):
    """Completion of one value, or (lists) of the last item of a comma list."""

    def complete(incomplete: str) -> list[str]:
        head, _, last = incomplete.rpartition(",") if lists else ("", "", incomplete)
        prefix = f"{head}," if head else ""
        return [prefix + c for c in choices if c.startswith(last)]

    return complete


def _init_names() -> tuple[str, ...]:
    from glorotcalc.initnames import INIT_NAMES

    return tuple(dict.fromkeys(name for names in INIT_NAMES.values() for name in names))


def _complete_init(incomplete: str) -> list[str]:
    return [name for name in _init_names() if name.startswith(incomplete)]


def _complete_propagate_init(incomplete: str) -> list[str]:
    from glorotcalc.initnames import PROPAGATE_NAMES

    return [name for name in ("default", *PROPAGATE_NAMES) if name.startswith(incomplete)]


def _examples(*lines: str) -> str:
    """A command's help epilog: its examples, one per line (``\\b`` keeps Click from rewrapping)."""
    return "\b\nExamples:\n" + "\n".join(f"  {line}" for line in lines)


def _version(flag: bool) -> None:
    if flag:
        typer.echo(f"glorotcalc {__version__}")
        raise typer.Exit()


COMPLETION_OPTIONS = ("--install-completion", "--show-completion")


def _asks_for_completion(args: list[str]) -> bool:
    """``--install-completion``/``--show-completion`` anywhere before ``--``: `_run` hands the whole
    line to glorotcalc.completion, which accepts the option only alone."""
    words = args[: args.index("--")] if "--" in args else args
    return any(word.split("=", 1)[0] in COMPLETION_OPTIONS for word in words)


def _completion_alone(param: typer.CallbackParam, value: str | None) -> None:
    """A safety net: `main` answers these options before Click parses the line."""
    if value is not None:
        option = param.opts[0]
        raise UsageError(
            f"{option} goes alone on the line", None, f"glorotcalc {option} [bash|zsh|fish|powershell]"
        )


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
    install_completion: Annotated[
        str | None,
        typer.Option(
            "--install-completion",
            metavar="[SHELL]",
            callback=_completion_alone,
            is_eager=True,
            show_default=False,
            help="Install the completion script for SHELL: bash, zsh, fish or powershell "
            "[default: the one $SHELL names]. Alone on the line.",
        ),
    ] = None,
    show_completion: Annotated[
        str | None,
        typer.Option(
            "--show-completion",
            metavar="[SHELL]",
            callback=_completion_alone,
            is_eager=True,
            show_default=False,
            help="Print the completion script for SHELL [default: the one $SHELL names]. Alone on the line.",
        ),
    ] = None,
) -> None:
    """Glorot/Xavier, He/Kaiming and LeCun initialization, as torch, Keras and JAX compute them.

    The lookup is the default command: glorotcalc 784 256 --dist normal.
    """


# ── one number syntax for options and positionals: ASCII digits, no "1_5", no other scripts ─────

_FLOAT_TEXT = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|[+-]?(?:inf|nan)", re.I)
_INT_TEXT = re.compile(r"[+-]?[0-9]{1,30}")


def number(text: str | float) -> float:
    """A float option: ``0.2``, ``-1e-3``, ``.5`` (ASCII digits only, as positionals)."""
    if isinstance(text, float):
        return text
    if not _FLOAT_TEXT.fullmatch(str(text).strip()):
        raise typer.BadParameter("must be a number")
    return float(text)


def integer(text: str | int) -> int:
    """An integer option: ASCII digits, at most 30 of them."""
    if isinstance(text, int):
        return text
    if not _INT_TEXT.fullmatch(str(text).strip()):
        raise typer.BadParameter("must be an integer")
    return int(text)


# ── options shared by several commands (each command lists only those it has) ───────────────────

Inputs = Annotated[
    list[str] | None,
    typer.Argument(
        metavar="[INPUT]...",
        help="FAN_IN FAN_OUT · a width chain 784 256 10 · an architecture 784-256-10 · "
        "a torch print(model) file or - for stdin",
        show_default=False,
    ),
]
Scheme = Annotated[
    str | None,
    typer.Option(
        help="glorot, he, lecun (aliases xavier, kaiming), a comma list, or all "
        "[default: all for one layer, the one recommended for each activation for many].",
        autocompletion=_complete(SCHEME_CHOICES, lists=True),
        show_default=False,
    ),
]
Dist = Annotated[
    str | None,
    typer.Option(
        help="uniform, normal (untruncated), truncated (Keras/JAX *_normal), a comma list, or all.",
        autocompletion=_complete(DIST_CHOICES, lists=True),
        show_default=False,
    ),
]
Init = Annotated[
    str | None,
    typer.Option(
        help="An initializer by its framework's name: kaiming_uniform_(a=√5), GlorotNormal, he_normal, "
        "VarianceScaling(2.0, 'fan_in', 'truncated_normal'), variance_scaling(...).",
        autocompletion=_complete_init,
        show_default=False,
    ),
]
Nonlinearity = Annotated[
    str | None,
    typer.Option(
        "--nonlinearity",
        "--act",
        help="Activation after each layer without its own @act; sets the gain: "
        + ", ".join(NONLINEARITIES)
        + " (leaky_relu:0.2 sets the slope).",
        autocompletion=_complete(NONLINEARITIES),
        show_default=False,
    ),
]
Slope = Annotated[
    float | None,
    typer.Option(
        help="leaky_relu negative slope (default 0.01).", parser=number, metavar="FLOAT", show_default=False
    ),
]
GainOpt = Annotated[
    float | None,
    typer.Option(
        "--gain", help="Explicit gain; scale = gain².", parser=number, metavar="FLOAT", show_default=False
    ),
]
Mode = Annotated[
    str | None,
    typer.Option(
        help="fan_in, fan_out, fan_avg or fan_geo_avg (he and lecun).",
        autocompletion=_complete(MODES),
        show_default=False,
    ),
]
Shape = Annotated[
    str | None, typer.Option(help="A weight shape, e.g. 64x3x3x3 or 3,3,3,64.", show_default=False)
]
Layout = Annotated[
    str | None,
    typer.Option(
        help="Weight layout of --shape and printouts: torch (out, in, *k) or keras/jax/flax (*k, in, out) "
        "[default: torch].",
        autocompletion=_complete(LAYOUTS),
        show_default=False,
    ),
]
Depth = Annotated[
    int | None,
    typer.Option(
        help="With one width W: L layers W→W.", parser=integer, metavar="INTEGER", show_default=False
    ),
]
LayerPick = Annotated[
    str | None,
    typer.Option(
        "--layer",
        help="Only this layer of a chain or printout: its name (layer2, features.0) or its index from 0.",
        show_default=False,
    ),
]
Format = Annotated[
    str, typer.Option("--format", help="table, json, csv or tsv.", autocompletion=_complete(FORMATS))
]
Value = Annotated[bool, typer.Option("--value", help="Print one bare number (the sampler's parameter).")]
Explain = Annotated[bool, typer.Option("--explain", help="Show each formula with the numbers substituted.")]
NoColor = Annotated[bool, typer.Option("--no-color", help="No colour (NO_COLOR is honoured too).")]
Seed = Annotated[
    int | None,
    typer.Option(help="Random seed (default 0).", parser=integer, metavar="INTEGER", show_default=False),
]
Dtype = Annotated[
    str | None,
    typer.Option(help="float32 (default) or float64.", autocompletion=_complete(DTYPES), show_default=False),
]


# ── option parsing ───────────────────────────────────────────────────────────────────────────────


def _selection(
    what: str, text: str | None, choices: tuple[str, ...], canon=lambda s: s
) -> tuple[str, ...] | None:
    """None (not given), ``all``, or a comma-separated subset of `choices`, in the order given."""
    if text is None:
        return None
    picked: list[str] = []
    for token in text.split(","):
        token = token.strip().lower()
        if token == "all":
            return tuple(dict.fromkeys(canon(c) for c in choices if c != "all"))
        if what == "scheme" and token not in choices:
            _scheme_hint(token)
        picked.append(canon(choose(what, token, choices)))
    return tuple(dict.fromkeys(picked))


def _scheme_hint(token: str) -> None:
    """``--scheme he_normal``: an initializer name, not a scheme."""
    name, _, tail = token.partition("_")
    scheme = SCHEME_ALIASES.get(name, name)
    if scheme in ALL_SCHEMES and tail.rstrip("_") in ("normal", "uniform"):
        dist = tail.rstrip("_")
        raise UsageError(
            "--scheme",
            token,
            f"is an initializer name: use --init {token}, or --scheme {scheme} --dist {dist}",
        )


def _one_choice(scheme: str | None, dist: str | None) -> tuple[str | None, str | None]:
    """One scheme and one distribution (emit, propagate), each None when not typed."""
    one_scheme = None
    if scheme is not None:
        one_scheme = canonical_scheme(
            choose("--scheme", scheme.strip().lower(), (*ALL_SCHEMES, *SCHEME_ALIASES))
        )
    one_dist = None if dist is None else choose("--dist", dist.strip().lower(), ALL_DISTRIBUTIONS)
    return one_scheme, one_dist


def _output_format(fmt: str, value: bool = False) -> str:
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


def _activation(nonlinearity: str | None, slope: float | None) -> Activation | None:
    """The default activation, or None when neither --act nor --slope was typed."""
    if nonlinearity is None:
        if slope is not None:
            return make_activation("leaky_relu", _number("--slope", slope))
        return None
    from glorotcalc.gain import parse_activation

    activation = parse_activation(nonlinearity)
    if slope is not None:
        if activation.name != "leaky_relu" or activation.param is not None:
            raise UsageError("--slope", slope, "applies to --nonlinearity leaky_relu (without :slope)")
        activation = make_activation("leaky_relu", _number("--slope", slope))
    return activation


def _mode(mode: str | None) -> str | None:
    return None if mode is None else choose("--mode", mode.strip().lower(), MODES)


def _framework(name: str | None, option: str = "--framework"):
    if name is None:
        return None
    from glorotcalc.frameworks import framework

    return framework(name, option=option)


def _frameworks(text: str | None, names: tuple[str, ...]):
    """A comma list of frameworks, or all of `names`."""
    from glorotcalc.frameworks import FRAMEWORKS

    chosen = _selection("--framework", text, (*names, "all")) or names
    return tuple(FRAMEWORKS[name] for name in chosen)


def _init(text: str | None, framework_name: str | None = None, **given):
    """--init NAME parsed; options it makes meaningless are refused, not ignored."""
    if text is None:
        return None
    _init_clash(given)
    from glorotcalc.initnames import parse_init

    return parse_init(text, framework_name)


def _init_clash(given: dict[str, bool]) -> None:
    clash = [option for option, on in given.items() if on]
    if clash:
        raise UsageError(
            f"{clash[0]} does not combine with --init",
            None,
            "the initializer's own arguments set it, e.g. --init \"kaiming_normal_(mode='fan_out')\"",
        )


def _layers(
    inputs, *, shape=None, layout=None, framework=None, activation=None, gain=None, mode=None, depth=None
):
    from glorotcalc.inputs import resolve_layers

    _command_word(inputs or ())
    return resolve_layers(
        tuple(inputs or ()),
        shape=shape,
        layout=layout,
        framework=framework,
        activation=activation,
        gain=_number("--gain", gain, positive=True),
        mode=_mode(mode),
        depth=depth,
    )


def _pick(layers, name: str | None):
    if name is None:
        return layers
    from glorotcalc.inputs import pick_layer

    return pick_layer(layers, name)


def _command_word(inputs) -> None:
    """``glorotcalc model.npz audit``: a command name after the input is a misplaced command."""
    for word in inputs[1:]:
        if word in COMMAND_NAMES:
            others = " ".join(w for w in inputs if w != word)
            raise UsageError("INPUT", word, f"is a command; put it first: glorotcalc {word} {others}")


def _progress(fmt: str) -> bool:
    from glorotcalc.progress import show_progress

    return show_progress(fmt == "table")


def _refuse(reason: str, hint: str = "", **given) -> None:
    """The first option in `given` that was typed is an error, with `reason`."""
    for option, on in given.items():
        if on:
            name = f"--{option.replace('_', '-')}"
            raise UsageError(f"{name} {reason}", None, f"{hint}drop {name}")


# ── commands ─────────────────────────────────────────────────────────────────────────────────────


@app.command(
    epilog=_examples(
        "glorotcalc 784 256 --dist normal",
        "glorotcalc 784-256-128-10 --act relu",
        "glorotcalc --shape 64x3x3x3",
        "glorotcalc 784 256 --init he_normal",
        "glorotcalc 784 256 --framework keras",
        "glorotcalc 784 256 --sample --hist --scheme he --dist normal",
    )
)
def lookup(
    inputs: Inputs = None,
    scheme: Scheme = None,
    dist: Dist = None,
    init: Init = None,
    nonlinearity: Nonlinearity = None,
    slope: Slope = None,
    gain: GainOpt = None,
    mode: Mode = None,
    shape: Shape = None,
    layout: Layout = None,
    depth: Depth = None,
    layer: LayerPick = None,
    framework: Annotated[
        str | None,
        typer.Option(
            help="Use one framework's conventions: torch, keras, jax, flax, tf-keras, … "
            "(glorotcalc compare lists them all).",
            autocompletion=_complete(FRAMEWORK_NAMES),
            show_default=False,
        ),
    ] = None,
    fmt: Format = "table",
    value: Value = False,
    explain: Explain = False,
    every_row: Annotated[
        bool, typer.Option("--every-row", help="A table row for every layer (repeated runs are shown once).")
    ] = False,
    no_color: NoColor = False,
    sample: Annotated[
        bool, typer.Option("--sample", help="Draw the weights and report empirical statistics.")
    ] = False,
    samples: Annotated[
        int | None,
        typer.Option(
            help="With --sample: elements to draw (default: the layer's size).",
            parser=integer,
            metavar="INTEGER",
            show_default=False,
        ),
    ] = None,
    seed: Seed = None,
    threads: Annotated[
        int | None,
        typer.Option(
            help="With --sample: threads (default: all cores).",
            parser=integer,
            metavar="INTEGER",
            show_default=False,
        ),
    ] = None,
    hist: Annotated[bool, typer.Option("--hist", help="With --sample: a terminal histogram.")] = False,
    dtype: Dtype = None,
) -> None:
    """The default: variance, std and bound of each scheme, per layer.

    glorotcalc INPUT... is glorotcalc lookup INPUT...
    """
    fmt = _output_format(fmt, value)
    if not sample:
        _refuse(
            "applies only with --sample",
            "add --sample or ",
            samples=samples is not None,
            threads=threads is not None,
            hist=hist,
            seed=seed is not None,
            dtype=dtype is not None,
        )
    _refuse("does not combine with --value (it prints one bare number)", explain=explain and value)
    if sample:
        _refuse("does not combine with --sample; use --format json or csv", value=value)
        _refuse("shows in the table and in json, not in csv/tsv", hist=hist and fmt in ("csv", "tsv"))
        _refuse(
            "does not apply to --sample (it would draw untruncated normals); "
            "use --init NAME or --dist truncated",
            framework=framework is not None,
        )
    if not inputs and shape is None and nonlinearity is not None:
        raise UsageError("a gain alone is the gain command", None, f"glorotcalc gain {nonlinearity}")
    fw = _framework(framework)
    spec = _init(
        init,
        framework,
        **{
            "--scheme": scheme is not None,
            "--dist": dist is not None,
            "--act": nonlinearity is not None,
            "--slope": slope is not None,
            "--gain": gain is not None,
            "--mode": mode is not None,
        },
    )
    if spec is not None and fw is None:
        from glorotcalc.frameworks import spec_framework

        fw = spec_framework(spec)
    layers = _layers(
        inputs,
        shape=shape,
        layout=layout,
        framework=fw,
        activation=_activation(nonlinearity, slope),
        gain=gain,
        mode=mode,
        depth=depth,
    )
    layers = _pick(layers, layer)
    schemes = _selection("scheme", scheme, SCHEME_CHOICES, canonical_scheme)
    distributions = _selection("distribution", dist, DIST_CHOICES)
    if sample:
        from glorotcalc.sampling import sample as draw

        report = draw(
            layers,
            schemes=schemes,
            distributions=distributions,
            init=spec,
            samples=samples,
            seed=seed,
            threads=threads,
            dtype=dtype or "float32",
            hist=hist,
            explain=explain,
            progress=_progress(fmt),
        )
    elif spec is not None:
        from glorotcalc.convention import init_lookup

        report = init_lookup(layers, spec, explain=explain)
    elif fw is not None:
        from glorotcalc.convention import framework_lookup

        report = framework_lookup(layers, fw, schemes=schemes, distributions=distributions, explain=explain)
    else:
        from glorotcalc.lookup import lookup as look_up

        report = look_up(
            layers, schemes=schemes, distributions=distributions, explain=explain, every_row=every_row
        )
    write(report, fmt, value=value, no_color=no_color)


@app.command(
    epilog=_examples(
        "glorotcalc compare 784 256 --init he_normal",
        "glorotcalc compare 784 256 --scheme glorot --dist normal",
        "glorotcalc compare 784-256-10 --framework torch,keras",
    )
)
def compare(
    inputs: Inputs = None,
    init: Init = None,
    scheme: Scheme = None,
    dist: Annotated[
        str | None,
        typer.Option(
            help="uniform or normal (each framework's own *_normal), a comma list, or all [default: both].",
            autocompletion=_complete(("uniform", "normal", "all"), lists=True),
            show_default=False,
        ),
    ] = None,
    nonlinearity: Nonlinearity = None,
    slope: Slope = None,
    gain: GainOpt = None,
    mode: Mode = None,
    shape: Shape = None,
    layout: Layout = None,
    depth: Depth = None,
    framework: Annotated[
        str | None,
        typer.Option(
            help="The frameworks to show: a comma list of torch, keras, jax, flax, mlx, … [default: all].",
            autocompletion=_complete((*FRAMEWORK_NAMES, "all"), lists=True),
            show_default=False,
        ),
    ] = None,
    fmt: Format = "table",
    no_color: NoColor = False,
) -> None:
    """Every framework side by side for one initialization.

    The same layer, scheme and distribution (or --init NAME) in each framework's fans, normal and
    names.
    """
    from glorotcalc.compare import compare as side_by_side

    fmt = _output_format(fmt)
    spec = _init(
        init,
        None,
        **{
            "--scheme": scheme is not None,
            "--dist": dist is not None,
            "--act": nonlinearity is not None,
            "--slope": slope is not None,
            "--gain": gain is not None,
            "--mode": mode is not None,
        },
    )
    frameworks = _frameworks(framework, FRAMEWORK_NAMES)
    layers = _layers(
        inputs,
        shape=shape,
        layout=layout,
        activation=_activation(nonlinearity, slope),
        gain=gain,
        mode=mode,
        depth=depth,
    )
    report = side_by_side(
        layers,
        frameworks=frameworks,
        schemes=_selection("scheme", scheme, SCHEME_CHOICES, canonical_scheme),
        distributions=_selection("distribution", dist, ("uniform", "normal", "all")),
        init=spec,
    )
    write(report, fmt, no_color=no_color)


@app.command(
    epilog=_examples(
        "glorotcalc defaults 784 256",
        "glorotcalc defaults model.txt",
        "glorotcalc defaults 3-conv3x3:64-dwconv3x3 --framework keras",
    )
)
def defaults(
    inputs: Inputs = None,
    shape: Shape = None,
    layout: Layout = None,
    depth: Depth = None,
    layer: LayerPick = None,
    framework: Annotated[
        str | None,
        typer.Option(
            help="The frameworks to show: a comma list of torch, keras, flax, haiku, … [default: all "
            "with layers].",
            autocompletion=_complete((*LAYER_FRAMEWORK_NAMES, "all"), lists=True),
            show_default=False,
        ),
    ] = None,
    fmt: Format = "table",
    value: Value = False,
    explain: Explain = False,
    no_color: NoColor = False,
) -> None:
    """Each framework's default layer init, weight and bias.

    With each default's std ÷ He and ÷ Glorot for that layer.
    """
    from glorotcalc.defaults import defaults as layer_defaults

    fmt = _output_format(fmt, value)
    _refuse("does not combine with --value (it prints one bare number)", explain=explain and value)
    frameworks = _frameworks(framework, LAYER_FRAMEWORK_NAMES)
    layers = _pick(_layers(inputs, shape=shape, layout=layout, depth=depth), layer)
    write(layer_defaults(layers, frameworks=frameworks, explain=explain), fmt, value=value, no_color=no_color)


@app.command(
    epilog=_examples(
        "glorotcalc emit torch 784 256 --init he_normal",
        "glorotcalc emit keras 784 256 --scheme he --dist normal",
        "glorotcalc emit flax 784-256-10 --act relu --dist uniform",
    )
)
def emit(
    target: Annotated[
        str,
        typer.Argument(
            metavar="FRAMEWORK",
            help="The framework to write code for: torch, keras, jax, flax, tf-keras, haiku, mlx, … "
            "(flux: Julia, tfjs: JavaScript, caffe: prototxt).",
            autocompletion=_complete(FRAMEWORK_NAMES),
            show_default=False,
        ),
    ],
    inputs: Inputs = None,
    init: Init = None,
    scheme: Annotated[
        str | None,
        typer.Option(
            help="glorot, he or lecun (aliases xavier, kaiming) [default: recommended per layer].",
            autocompletion=_complete((*ALL_SCHEMES, *SCHEME_ALIASES)),
            show_default=False,
        ),
    ] = None,
    dist: Annotated[
        str | None,
        typer.Option(
            help="uniform, normal (untruncated) or truncated.",
            autocompletion=_complete(ALL_DISTRIBUTIONS),
            show_default=False,
        ),
    ] = None,
    nonlinearity: Nonlinearity = None,
    slope: Slope = None,
    gain: GainOpt = None,
    mode: Mode = None,
    shape: Shape = None,
    layout: Layout = None,
    depth: Depth = None,
    source: Annotated[
        str | None,
        typer.Option(
            "--from",
            help="Read --scheme/--dist in this framework's conventions (torch, keras, jax, flax, …).",
            autocompletion=_complete(FRAMEWORK_NAMES),
            show_default=False,
        ),
    ] = None,
    fmt: Format = "table",
    no_color: NoColor = False,
) -> None:
    """Code that draws exactly this initialization in a framework.

    TARGET is torch, keras, jax or flax; one block per layer.
    """
    from glorotcalc.emit import emit as write_code

    fmt = _output_format(fmt)
    spec = _init(
        init,
        None,
        **{
            "--scheme": scheme is not None,
            "--dist": dist is not None,
            "--act": nonlinearity is not None,
            "--slope": slope is not None,
            "--gain": gain is not None,
            "--mode": mode is not None,
            "--from": source is not None,
        },
    )
    if layout is not None and shape is None:
        raise UsageError(
            "--layout",
            layout,
            "emit writes each weight in the target's layout; --layout only reads --shape",
        )
    one_scheme, one_dist = _one_choice(scheme, dist)
    target_fw, source_fw = _framework(target, "FRAMEWORK"), _framework(source, "--from")
    if spec is not None:  # --shape is read as the named initializer's framework stores it
        from glorotcalc.frameworks import spec_framework

        source_fw = spec_framework(spec)
    layers = _layers(
        inputs,
        shape=shape,
        layout=layout,
        framework=source_fw,
        activation=_activation(nonlinearity, slope),
        gain=gain,
        mode=mode,
        depth=depth,
    )
    report = write_code(
        layers,
        target_fw,
        scheme=one_scheme,
        distribution=one_dist,
        source=source_fw,
        init=spec,
        no_color=no_color,
    )
    write(report, fmt, no_color=no_color)


@app.command(
    epilog=_examples(
        "glorotcalc propagate 1024 --depth 30 --act relu",
        "glorotcalc propagate 784-256-256-10 --act tanh --scheme glorot",
        "glorotcalc propagate 1024 --depth 20 --act relu --init default",
    )
)
def propagate(
    inputs: Inputs = None,
    depth: Depth = None,
    nonlinearity: Nonlinearity = None,
    slope: Slope = None,
    init: Annotated[
        str | None,
        typer.Option(
            help="An initializer name (see lookup --init), or default: each framework's default layer init.",
            autocompletion=_complete_propagate_init,
            show_default=False,
        ),
    ] = None,
    scheme: Annotated[
        str | None,
        typer.Option(
            help="glorot, he or lecun [default: recommended for each activation].",
            autocompletion=_complete((*ALL_SCHEMES, *SCHEME_ALIASES)),
            show_default=False,
        ),
    ] = None,
    dist: Annotated[
        str | None,
        typer.Option(
            help="uniform, normal or truncated [default: normal].",
            autocompletion=_complete(ALL_DISTRIBUTIONS),
            show_default=False,
        ),
    ] = None,
    gain: GainOpt = None,
    mode: Mode = None,
    shape: Shape = None,
    layout: Layout = None,
    batch: Annotated[
        int, typer.Option(help="Monte Carlo batch size.", parser=integer, metavar="INTEGER")
    ] = 1024,
    seed: Seed = None,
    dtype: Dtype = None,
    fmt: Format = "table",
    no_color: NoColor = False,
) -> None:
    """The variance forward and the gradient backward, per layer.

    Mean-field theory and a Monte Carlo, with a verdict (stable, vanishing, exploding).
    """
    from glorotcalc.propagate import propagate as follow

    fmt = _output_format(fmt)
    by_default = init is not None and init.strip().lower() == "default"
    given = {
        "--scheme": scheme is not None,
        "--dist": dist is not None,
        "--gain": gain is not None,
        "--mode": mode is not None,
    }
    if by_default:
        _init_clash(given)
    spec = None if by_default else _init(init, None, **given)
    one_scheme, one_dist = _one_choice(scheme, dist)
    fw = None
    if spec is not None:  # --shape is read as the named initializer's framework stores it
        from glorotcalc.frameworks import spec_framework

        fw = spec_framework(spec)
    layers = _layers(
        inputs,
        shape=shape,
        layout=layout,
        framework=fw,
        activation=_activation(nonlinearity, slope),
        gain=gain,
        mode=mode,
        depth=depth,
    )
    report = follow(
        layers,
        scheme=one_scheme,
        distribution=one_dist,
        init=spec,
        defaults=by_default,
        batch=batch,
        seed=0 if seed is None else seed,
        dtype=dtype or "float32",
        progress=_progress(fmt),
    )
    write(report, fmt, no_color=no_color)


@app.command(
    epilog=_examples(
        "glorotcalc audit model.safetensors",
        "glorotcalc audit weights.npz --format json",
        "glorotcalc audit keras_weights.npz --layout keras",
    )
)
def audit(
    files: Annotated[
        list[str] | None,
        typer.Argument(metavar="FILE...", help=".npy, .npz, .safetensors, .pt/.pth", show_default=False),
    ] = None,
    layout: Annotated[
        str,
        typer.Option(
            help="How 4-D kernels are laid out: torch (out, in, *k) or keras/jax/flax (*k, in, out).",
            autocompletion=_complete(LAYOUTS),
        ),
    ] = "torch",
    fmt: Format = "table",
    no_color: NoColor = False,
) -> None:
    """Which initialization a weights file's tensors look like.

    Tensor by tensor, with the evidence (std, kurtosis, max |w| against each candidate).
    """
    from glorotcalc.audit import audit as audit_files
    from glorotcalc.fans import check_layout

    fmt = _output_format(fmt)
    report = audit_files(
        tuple(files or ()),
        layout=check_layout(layout.strip().lower()),
        progress=_progress(fmt),
        no_color=no_color,
    )
    write(report, fmt, no_color=no_color)


@app.command(
    epilog=_examples(
        "glorotcalc gain gelu",
        "glorotcalc gain leaky_relu --slope 0.2",
        "glorotcalc gain tanh --value",
    )
)
def gain(
    nonlinearity: Annotated[
        str,
        typer.Argument(
            metavar="NONLINEARITY",
            help=", ".join(NONLINEARITIES) + " (leaky_relu:0.2 sets the slope).",
            autocompletion=_complete(NONLINEARITIES),
            show_default=False,
        ),
    ],
    slope: Slope = None,
    fmt: Format = "table",
    value: Value = False,
    no_color: NoColor = False,
) -> None:
    """torch's gain for an activation beside the computed one.

    The computed gain is 1/√E[φ(z)²], z ~ N(0, 1) (He et al. 2015).
    """
    from glorotcalc.lookup import gain_lookup

    fmt = _output_format(fmt, value)
    write(gain_lookup(_activation(nonlinearity, slope)), fmt, value=value, no_color=no_color)


# ── entry point ──────────────────────────────────────────────────────────────────────────────────


COMMAND_NAMES = ("lookup", "compare", "defaults", "emit", "propagate", "audit", "gain")


@functools.cache
def _command(only: str | None = None):
    """The Click group Typer builds from `app` (once per process); with `only`, a group of that one
    command, for a run that needs no other (Typer converts every command's options when it builds:
    one instead of seven saves a few ms at every start)."""
    if only is None:
        return typer.main.get_command(app)
    one = typer.Typer(**APP_SETTINGS)
    one.registered_callback = app.registered_callback
    one.registered_commands = [info for info in app.registered_commands if info.callback.__name__ == only]
    return typer.main.get_command(one)


def _command_for(args: list[str]):
    """The smallest group that runs `args`: the whole one for help, completion and the version."""
    first = args[0] if args else None
    if first in COMMAND_NAMES:
        return _command(first)
    if first is None or first in GROUP_OPTIONS or not args:
        return _command()
    return _command(DEFAULT_COMMAND)


def app_commands() -> dict:
    return _command().commands


def _value_options(command) -> dict[str, str]:
    """Each option of `command` that takes a value, by every spelling (``--act`` → ``nonlinearity``)."""
    return {
        opt: param.name
        for param in command.params
        if param.param_type_name == "option" and not getattr(param, "is_flag", False)
        for opt in param.opts
    }


def _words(args: list[str]) -> tuple[object, list[str]]:
    """The command `args` run and the words after its name."""
    commands = _command_for(args).commands
    if args and args[0] in commands:
        return commands[args[0]], args[1:]
    return commands[DEFAULT_COMMAND], args


def _reject_repeated(args: list[str]) -> None:
    """An option given twice is an error: the first value would be silently dropped."""
    command, words = _words(args)
    spellings = _value_options(command)
    seen: dict[str, str] = {}
    for token in words:
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


def _reject_single_dash_words(args: list[str]) -> None:
    """``-scheme``: only ``-h`` is a short option; Click would read ``-scheme`` as ``-s -c -h …``."""
    import difflib

    command, words = _words(args)
    for token in words:
        if token == "--":
            break
        if token.startswith("-") and not token.startswith("--") and len(token) > 2 and not _is_number(token):
            long = [o for p in command.params for o in getattr(p, "opts", ()) if o.startswith("--")]
            close = difflib.get_close_matches("-" + token.split("=", 1)[0], long, n=1)
            hint = (
                f"did you mean {close[0]}?" if close else "options are spelled --name; see glorotcalc --help"
            )
            raise UsageError("no such option", token, hint)


def _negative_inputs_last(args: list[str]) -> list[str]:
    """``glorotcalc 784 -5``: a negative number where an INPUT stands is an INPUT (and then refused
    by name: ``fan_out -5``), not Click's unknown option ``-5``. The options go first, the INPUTs
    after ``--``, in their order."""
    command, words = _words(args)
    head = args[: len(args) - len(words)]
    values = _value_options(command)
    options, inputs, expects_value = [], [], False
    for index, token in enumerate(words):
        if token == "--":
            inputs += words[index + 1 :]
            break
        if expects_value:
            options.append(token)
            expects_value = False
        elif token.startswith("-") and not _is_number(token):
            options.append(token)
            expects_value = token in values
        else:
            inputs.append(token)
    if not any(token.startswith("-") and _is_number(token) for token in inputs):
        return args
    return [*head, *options, "--", *inputs]


def _is_number(token: str) -> bool:
    try:
        float(token)
    except ValueError:
        return False
    return True


def _error(message: str) -> None:
    """One line on stderr, in an encoding it accepts; nothing if stderr itself is gone."""
    from glorotcalc.render import encodable
    from glorotcalc.text import visible

    if sys.stderr is None:
        return
    try:  # a path or name in the message cannot forge a second line or move the cursor
        sys.stderr.write(encodable(f"Error: {visible(message)}\n", sys.stderr))
        sys.stderr.flush()
    except (OSError, ValueError):
        pass


def _flush_stdout() -> None:
    """Write what is buffered now, so a full disk or a closed pipe is seen while we can answer."""
    if sys.stdout is not None:
        sys.stdout.flush()


def _quiet_stdout() -> None:
    """After a closed pipe: point stdout at /dev/null so the interpreter's last flush is silent."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


def _no_such_option(error) -> str:
    """``No such option: --scheme``, with Click's close matches, else where the options are listed."""
    ctx = getattr(error, "ctx", None)
    name = ctx.command_path if ctx is not None else "glorotcalc"
    if error.possibilities:
        return f"{error.message} (did you mean {' or '.join(sorted(error.possibilities))}?)"
    return f"{error.message}: {name} --help lists its options"


def _typer_message(error: typer.TyperException, argv: list[str]) -> str:
    """Typer's message; for a value it could not convert, name the value too (Typer leaves it out).

    ``--slope x`` → ``--slope 'x': must be a number``.
    """
    param = getattr(error, "param", None)
    if type(error).__name__ == "NoSuchOption":
        return _no_such_option(error)
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
    """Run the CLI; return the exit code. Every error is one line on stderr, never a traceback.

    0 ok · 1 domain error (also: the output could not be written) · 2 usage error · 130 Ctrl-C ·
    141 the reader closed the pipe (quietly, as a command killed by SIGPIPE).
    """
    import signal

    args = sys.argv[1:] if argv is None else list(argv)
    if signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)  # Ctrl-C is KeyboardInterrupt again
    try:
        code = _run(args)
        _flush_stdout()
    except BrokenPipeError:
        _quiet_stdout()
        return 141
    except OSError as error:  # a full disk, a closed descriptor: the output was not written
        _quiet_stdout()
        _error(f"cannot write the output: {error.strerror or error}")
        return 1
    return code


def _run(args: list[str]) -> int:
    try:
        if _asks_for_completion(args):
            from glorotcalc.completion import run_option

            return run_option(args, _command())
        _reject_repeated(args)
        _reject_single_dash_words(args)
        args = _negative_inputs_last(args)
        code = _command_for(args).main(args=args, prog_name="glorotcalc", standalone_mode=False)
    except GlorotcalcError as error:
        _error(str(error))
        return error.exit_code
    except typer.TyperException as error:
        _error(_typer_message(error, args))
        return getattr(error, "exit_code", 2)
    except (KeyboardInterrupt, typer.Abort):
        _error("interrupted")
        return 130
    except SystemExit:  # Click's answer to EPIPE on stdout: the reader closed the pipe
        raise BrokenPipeError from None
    except (BrokenPipeError, OSError) as error:
        if isinstance(error, BrokenPipeError) or getattr(error, "errno", None) in _OUTPUT_ERRNOS:
            raise
        _error(f"internal error ({type(error).__name__}: {error}); please report it")
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


_OUTPUT_ERRNOS = (28, 9, 5)  # ENOSPC, EBADF, EIO: writing the output failed
