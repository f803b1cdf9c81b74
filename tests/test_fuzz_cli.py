"""Fuzz the whole CLI with argv lists drawn from its real grammar: every command, its own options.

Each command line starts with a random command word (or none: the default command, lookup), then
that command's positionals, then options drawn from the options the command really has (read from
the Click command, so a new option cannot escape the fuzz), now and then an option of another
command, an old mode flag or a single-dash word.

Property, for every generated command line: the exit code is 0, 1 or 2; no traceback or Python
exception text reaches stdout or stderr; a non-zero exit writes exactly one line to stderr; with
``--format json`` and exit 0, stdout is valid JSON; nothing prints ``nan`` or ``inf`` as a result.

CI runs the ``ci`` profile (2,000 examples); before a release run
``python -m pytest tests/test_fuzz_cli.py --hypothesis-profile=long`` (20,000).
"""

from __future__ import annotations

import io
import json
import re
import sys

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from glorotcalc.cli import DEFAULT_COMMAND, app_commands, main

COMMANDS = app_commands()


def real_options(command: str) -> dict[str, bool]:
    """Every spelling of every option of `command` → whether it is a flag."""
    return {
        spelling: bool(getattr(param, "is_flag", False))
        for param in COMMANDS[command].params
        if param.param_type_name == "option"
        for spelling in param.opts
    }


OPTIONS = {name: real_options(name) for name in COMMANDS}
# every spelling → its parameter (``--act`` and ``--nonlinearity`` are one option)
PARAMETER = {
    spelling: param.name
    for command in COMMANDS.values()
    for param in command.params
    if param.param_type_name == "option"
    for spelling in param.opts
}
ALL_OPTIONS = sorted({spelling for options in OPTIONS.values() for spelling in options})

INTEGERS = st.one_of(
    st.integers(min_value=-3, max_value=5000),
    st.sampled_from([0, 1, 10**18, 10**30, -(10**30), 2**63, 2**63 - 1]),
).map(str)
# propagate draws real weights: widths stay small, or huge enough to be refused up front
PROPAGATE_INTEGERS = st.one_of(
    st.integers(min_value=-3, max_value=64),
    st.sampled_from([0, 1, 10**9, 10**18, 10**30, -(10**30), 2**63]),
).map(str)
JUNK = st.sampled_from(
    [
        "",
        " ",
        "-",
        "--",
        "abc",
        "25x6",
        "1e3",
        "７８４",
        "784-",
        "-784",
        "784--10",
        "@relu",
        "conv:3",
        "conv3x3",
        "conv3x3:",
        "conv0x3:8",
        "convt4x4:8/3",
        "dwconv3x3:5",
        "dwconvt3x3",
        "flatten:",
        "flatten:0x7",
        "audit",
        "gain",
        "784@",
        "784@nope",
        "[red]",
        "[/x]",
        "10@leaky_relu:x",
        "\x00",
        "😀",
        "--dits",
        "-5",
        "+5",
        "1_000",
    ]
)
ARCH_TOKENS = st.sampled_from(
    [
        "784",
        "256",
        "10",
        "3",
        "conv3x3:16",
        "conv5x5:32@relu",
        "conv3x3:16/16",
        "dwconv3x3",
        "dwconv3x3:32@relu",
        "conv3:8",
        "conv3x3x3:4",
        "convt4x4:8",
        "flatten:7x7",
        "flatten:49",
        "flatten:2x2x2",
        "128@tanh",
        "64@leaky_relu:0.2",
        "32@gelu",
        "16@selu",
        "25x6",
        "conv3x3:0",
        "@",
        "x",
        "flatten:7x",
    ]
)
ARCH = st.lists(ARCH_TOKENS, min_size=1, max_size=6).map("-".join)
FRAMEWORKS = (["torch", "keras", "jax", "flax", "all", "torch,keras", "keras,flax,jax"], ["mxnet", ""])
NONLINEARITIES = (
    [
        *("relu", "tanh", "leaky_relu", "leaky_relu:0.2", "gelu", "selu", "swish", "sigmoid", "mish"),
        *("softplus", "elu", "linear", "conv2d"),
    ],
    ["bogus", "leaky_relu:nan", "leaky_relu:1e200", ""],
)
NUMBERS = (
    ["0.2", "1", "1.5", "2", "0.01", "-0.2"],
    ["0", "-1", "nan", "inf", "-inf", "1e308", "1e-320", "1e200", "x", "", "0x10", "٣"],
)
COUNTS = (["1", "2", "7", "100"], ["0", "10001", "-1", "x", "1e3", "10000000000000000000000"])
# (valid, invalid) values for every option any command has, by every spelling; valid ones are drawn
# three times as often. A test below checks that no option is missing.
VALUES = {
    "--scheme": (
        ["glorot", "he", "lecun", "xavier", "kaiming", "all", "he,lecun", "GLOROT"],
        ["foo", "", "he_normal"],
    ),
    "--dist": (["uniform", "normal", "truncated", "all", "normal,uniform"], ["gaussian", ""]),
    "--init": (
        [
            "he_normal",
            "GlorotNormal",
            "glorot_uniform",
            "lecun_normal",
            "kaiming_uniform_(a=√5)",
            "kaiming_normal_(mode='fan_out', nonlinearity='relu')",
            "xavier_uniform_(gain=5/3)",
            "VarianceScaling(2.0, 'fan_in', 'truncated_normal')",
            "jax.nn.initializers.variance_scaling(1.0, 'fan_avg', 'uniform', in_axis=0)",
            "default",
        ],
        [
            "orthogonal",
            "he_normal(",
            "xavier_uniform_(gain=nan)",
            "variance_scaling(2.0, 'fan_in', 'normal')",
            "",
        ],
    ),
    "--nonlinearity": NONLINEARITIES,
    "--act": NONLINEARITIES,
    "--slope": NUMBERS,
    "--gain": NUMBERS,
    "--mode": (["fan_in", "fan_out", "fan_avg", "fan_geo_avg"], ["fan_mid", ""]),
    "--shape": (
        ["64x3x3x3", "3,3,3,64", "784x256", "2x2"],
        ["3", "0x3", "x", "10**30x2", "9999999999x9999999999"],
    ),
    "--layout": (["torch", "keras", "jax", "flax"], ["tf", ""]),
    "--depth": COUNTS,
    "--layer": (["0", "1", "layer0", "layer1"], ["9", "x", "-1", ""]),
    "--framework": FRAMEWORKS,
    "--from": FRAMEWORKS,
    "--format": (["table", "json", "csv", "tsv", "json", "json"], ["xml"]),
    "--samples": COUNTS,
    "--seed": COUNTS,
    "--threads": COUNTS,
    "--batch": COUNTS,
    "--dtype": (["float32", "float64"], ["int8"]),
}
FOREIGN = st.one_of(
    st.sampled_from(ALL_OPTIONS).map(lambda name: [name, "1"]),
    st.sampled_from(
        [
            ["--propagate"],
            ["--defaults"],
            ["--emit", "torch"],
            ["--bogus"],
            ["-scheme", "he"],
            ["-x"],
            ["-h"],
            ["--help"],
            ["--version"],
        ]
    ),
)


FLOATS = st.floats(allow_nan=True, allow_infinity=True, width=32).map(repr)


def value_of(name: str) -> st.SearchStrategy[str]:
    """A valid value three times in four; for --gain/--slope, also any 32-bit float."""
    valid, invalid = (st.sampled_from(values) for values in VALUES[name])
    bad = st.one_of(invalid, FLOATS) if name in ("--gain", "--slope") else invalid
    return mostly(valid, bad)


def mostly(valid: st.SearchStrategy, bad: st.SearchStrategy) -> st.SearchStrategy:
    """`valid` about three times in four, else `bad` (Hypothesis favours 0 and the ends: they are valid)."""
    return st.tuples(st.integers(0, 7), valid, bad).map(lambda t: t[2] if t[0] in (2, 5) else t[1])


def good(values: tuple[list[str], list[str]]) -> st.SearchStrategy[str]:
    return st.sampled_from(values[0])


@st.composite
def option(draw, command: str) -> list[str]:
    """One option of `command` (sometimes ``--name=value``), or now and then a foreign word."""
    if draw(st.integers(0, 9)) == 0:
        return draw(FOREIGN)
    name = draw(NAMES[command])
    if OPTIONS[command][name]:
        return [name]
    value = draw(VALUE_OF[name])
    return [f"{name}={value}"] if draw(st.booleans()) else [name, value]


def layer_inputs(integers) -> st.SearchStrategy[list[str]]:
    widths = st.integers(min_value=1, max_value=64 if integers is PROPAGATE_INTEGERS else 5000).map(str)
    return st.one_of(
        st.lists(widths, min_size=2, max_size=4),
        st.lists(integers, min_size=0, max_size=4),
        ARCH.map(lambda a: [a]),
        st.lists(st.one_of(integers, JUNK), min_size=1, max_size=3),
        st.just(["-"]),
    )


# Audit files, made once per module (see `files`); `{name}` is replaced by its path.
PLACEHOLDER = re.compile(r"\{[a-z_]+\}")
FILES = st.lists(
    st.sampled_from(["{dense}", "{npz}", "{bad_values}", "{junk}", "{missing}", "-", "", "--", "audit"]),
    max_size=3,
)


def positionals(command: str) -> st.SearchStrategy[list[str]]:
    if command == "audit":
        return FILES
    if command == "gain":
        nonlinearity = mostly(good(NONLINEARITIES), st.sampled_from(NONLINEARITIES[1]))
        return st.one_of(
            st.tuples(nonlinearity).map(list), st.lists(st.one_of(nonlinearity, JUNK), max_size=2)
        )
    if command == "emit":
        target = st.sampled_from(["torch", "keras", "jax", "flax"])
        wrong = st.lists(st.sampled_from(["caffe", "all", ""]), max_size=1)
        targets = mostly(target.map(lambda t: [t]), wrong)
        # emit needs one scheme and distribution, or an initializer: often give them
        choice = st.one_of(
            st.tuples(good(VALUES["--init"])).map(lambda t: ["--init", t[0]]),
            st.tuples(
                st.sampled_from(["glorot", "he", "lecun"]),
                st.sampled_from(["uniform", "normal", "truncated"]),
            ).map(lambda t: ["--scheme", t[0], "--dist", t[1]]),
            st.just([]),
            st.just([]),
        )
        return st.tuples(targets, layer_inputs(INTEGERS), choice).map(lambda t: [*t[0], *t[1], *t[2]])
    return layer_inputs(PROPAGATE_INTEGERS if command == "propagate" else INTEGERS)


NAMES = {command: st.sampled_from(sorted(OPTIONS[command])) for command in COMMANDS}
VALUE_OF = {name: value_of(name) for name in VALUES}
# built once: Hypothesis validates a strategy each time one is made
POSITIONALS = {command: positionals(command) for command in COMMANDS}
OPTION_LISTS = {
    command: st.lists(
        option(command), max_size=5, unique_by=lambda opt: PARAMETER.get(opt[0].split("=")[0], opt[0])
    )
    for command in COMMANDS
}


@st.composite
def command_line(draw) -> list[str]:
    """[COMMAND] POSITIONALS OPTIONS, or with the options first (Click takes them in any order)."""
    word = draw(st.sampled_from([None, *COMMANDS]))
    command = word or DEFAULT_COMMAND
    words = draw(POSITIONALS[command])
    # one of each option, mostly: a repeated option is one error, tested in test_reliability
    drawn = draw(OPTION_LISTS[command])
    options = [token for opt in drawn for token in opt]
    if option_value(options, "--format") is None and draw(st.integers(0, 2)) == 0:
        options += ["--format", "json"]  # check the JSON of every command often
    head = [word] if word else []
    return [*head, *options, *words] if draw(st.booleans()) else [*head, *words, *options]


FUZZ_EXAMPLES = 2000
TRACEBACK = re.compile(r"Traceback|Error\(|Exception|File \"|internal error")
NON_FINITE = re.compile(r"(?<![A-Za-z_])(nan|inf)(?![A-Za-z_])", re.I)
COUNTED_NON_FINITE = re.compile(r"\b[0-9,]+ NaN/inf values?\b")  # audit counts them; not a result
PRINTOUT = """Sequential(
  (0): Linear(in_features=32, out_features=16, bias=True)
  (1): ReLU()
  garbage line ((((
  (2): Conv2d(3, 8, kernel_size=(3, 3), stride=(1, 1))
  (3): Mystery(42)
  (x[/b]): Linear(in_features=2, out_features=2, bias=False)
)
"""


def command_of(argv: list[str]) -> str:
    return argv[0] if argv and argv[0] in COMMANDS else DEFAULT_COMMAND


def option_value(argv: list[str], name: str) -> str | None:
    for i, token in enumerate(argv):
        if token == "--":
            break
        if token == name and i + 1 < len(argv):
            return argv[i + 1]
        if token.startswith(name + "="):
            return token[len(name) + 1 :]
    return None


def given_flag(argv: list[str], *names: str) -> bool:
    return any(token in names for token in argv[: argv.index("--") if "--" in argv else None])


def bounded(argv: list[str]) -> list[str]:
    """Keep sampling/propagation work small so 2,000 examples fit the time budget."""
    command = command_of(argv)
    if command == "lookup" and given_flag(argv, "--sample") and option_value(argv, "--samples") is None:
        argv = [*argv, "--samples", "1000"]
    if command == "propagate" and option_value(argv, "--batch") is None:
        argv = [*argv, "--batch", "8"]
    return argv


def check(argv: list[str], capsys) -> None:
    code = main(argv)
    out, err = capsys.readouterr()
    assert code in (0, 1, 2), (argv, code, out, err)
    assert not TRACEBACK.search(out + err), (argv, out, err)
    if code != 0:
        assert err.count("\n") == 1 and err.startswith("Error: "), (argv, err)
        return
    helped = given_flag(argv, "-h", "--help", "--version")
    if option_value(argv, "--format") == "json" and not given_flag(argv, "--value") and not helped:
        json.loads(out)
    assert not NON_FINITE.search(COUNTED_NON_FINITE.sub("", out)), (argv, out)


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, str]:
    """Small weights files for audit: a dense weight, an npz, one with NaN/inf, junk, a missing path."""
    import numpy as np

    folder = tmp_path_factory.mktemp("fuzz")
    rng = np.random.default_rng(0)
    np.save(folder / "dense.npy", rng.uniform(-0.1, 0.1, (32, 16)).astype(np.float32))
    np.savez(folder / "pair.npz", **{"fc.weight": rng.normal(0, 0.05, (8, 4)), "fc.bias": np.zeros(8)})
    bad = rng.normal(0, 0.1, (16, 8)).astype(np.float32)
    bad[0, 0], bad[1, 1] = np.nan, np.inf
    np.save(folder / "bad_values.npy", bad)
    (folder / "junk.npy").write_bytes(b"garbage")
    names = {"dense": "dense.npy", "npz": "pair.npz", "bad_values": "bad_values.npy", "junk": "junk.npy"}
    paths = {key: str(folder / name) for key, name in names.items()}
    return {**paths, "missing": str(folder / "missing.npy")}


def test_every_real_option_is_fuzzed():
    """The fuzz knows a value for every option that takes one, in every command."""
    valued = {name for options in OPTIONS.values() for name, flag in options.items() if not flag}
    assert valued <= set(VALUES), sorted(valued - set(VALUES))
    assert set(COMMANDS) >= {"lookup", "compare", "defaults", "emit", "propagate", "audit", "gain"}


@settings(
    max_examples=max(FUZZ_EXAMPLES, settings.default.max_examples),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(argv=command_line())
@example(argv=["784", "256", "--gain", "0"])
@example(argv=["784", "256", "--gain", "nan"])
@example(argv=["1000000000000000000", "1000000000000000000", "--format", "json"])
@example(argv=["784-25x6-10"])
@example(argv=["propagate", "784-784", "--seed", "-1"])
@example(argv=["compare", "784", "256", "--framework", "torch,keras", "--format", "json"])
@example(argv=["defaults", "3-conv3x3:64-dwconv3x3", "--framework", "keras", "--format", "json"])
@example(argv=["emit", "caffe", "784", "256"])
@example(argv=["emit"])
@example(argv=["gain"])
@example(argv=["gain", "leaky_relu:0.2", "--value"])
@example(argv=["audit"])
@example(argv=["audit", "{dense}", "{bad_values}", "--format", "json"])
@example(argv=["audit", "{junk}"])
@example(argv=["784", "256", "audit"])
@example(argv=["-5", "256"])
@example(argv=["784", "256", "--batch", "8"])
def test_cli_never_crashes(argv, files, capsys, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setattr(sys, "stdin", io.StringIO(PRINTOUT))
    argv = bounded(
        [files.get(token.strip("{}"), token) if PLACEHOLDER.fullmatch(token) else token for token in argv]
    )
    check(argv, capsys)
