"""Fuzz the whole CLI with argv lists drawn from its real grammar.

Property, for every generated command line: the exit code is 0, 1 or 2; no traceback or Python
exception text reaches stdout or stderr; a non-zero exit writes exactly one line to stderr; with
``--format json`` and exit 0, stdout is valid JSON; nothing prints ``nan`` or ``inf`` as a result.

CI runs the ``ci`` profile (2,000 examples); before a release run
``python -m pytest tests/test_fuzz_cli.py --hypothesis-profile=long`` (20,000).
"""

from __future__ import annotations

import json
import re

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from glorotcalc.cli import main

INTEGERS = st.one_of(
    st.integers(min_value=-3, max_value=5000),
    st.sampled_from([0, 1, 10**18, 10**30, -(10**30), 2**63, 2**63 - 1]),
).map(str)
NUMBERS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True, width=32).map(repr),
    st.sampled_from(["0", "-1", "1.5", "nan", "inf", "-inf", "1e308", "1e-320", "x", "", "0x10", "٣"]),
)
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
        "flatten:",
        "flatten:0x7",
        "audit",
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
CHOICE_VALUES = {
    "--scheme": ["glorot", "he", "lecun", "xavier", "kaiming", "all", "he,lecun", "foo", "", "GLOROT"],
    "--dist": ["uniform", "normal", "truncated", "all", "normal,uniform", "gaussian", ""],
    "--nonlinearity": [
        "relu",
        "tanh",
        "leaky_relu",
        "leaky_relu:0.2",
        "gelu",
        "selu",
        "swish",
        "bogus",
        "leaky_relu:nan",
        "linear",
        "conv2d",
        "",
    ],
    "--act": ["relu", "tanh", "sigmoid", "mish", "softplus", "elu", "nope"],
    "--mode": ["fan_in", "fan_out", "fan_avg", "fan_geo_avg", "fan_mid", ""],
    "--shape": [
        "64x3x3x3",
        "3,3,3,64",
        "3",
        "0x3",
        "x",
        "784x256",
        "2x2",
        "10**30x2",
        "9999999999x9999999999",
    ],
    "--layout": ["torch", "keras", "jax", "flax", "tf", ""],
    "--framework": ["torch", "keras", "jax", "flax", "all", "mxnet"],
    "--format": ["table", "json", "csv", "tsv", "xml"],
    "--emit": ["torch", "keras", "jax", "flax", "caffe"],
    "--dtype": ["float32", "float64", "int8"],
}
FLAGS = ["--value", "--explain", "--no-color", "--defaults", "--hist", "--sample", "--propagate"]


@st.composite
def option(draw) -> list[str]:
    kind = draw(st.sampled_from(["choice", "number", "flag", "count"]))
    if kind == "choice":
        name = draw(st.sampled_from(sorted(CHOICE_VALUES)))
        return [name, draw(st.sampled_from(CHOICE_VALUES[name]))]
    if kind == "number":
        return [draw(st.sampled_from(["--gain", "--slope"])), draw(NUMBERS)]
    if kind == "count":
        name = draw(st.sampled_from(["--samples", "--seed", "--threads", "--depth", "--batch"]))
        return [
            name,
            draw(st.sampled_from(["0", "1", "2", "7", "100", "-1", "x", "1e3", "10000000000000000000000"])),
        ]
    return [draw(st.sampled_from(FLAGS))]


INPUTS = st.one_of(
    st.lists(INTEGERS, min_size=0, max_size=4),
    ARCH.map(lambda a: [a]),
    st.lists(st.one_of(INTEGERS, JUNK), min_size=1, max_size=3),
    st.just(["-"]),
)
PRINTOUT = """Sequential(
  (0): Linear(in_features=32, out_features=16, bias=True)
  (1): ReLU()
  garbage line ((((
  (2): Conv2d(3, 8, kernel_size=(3, 3), stride=(1, 1))
  (3): Mystery(42)
  (x[/b]): Linear(in_features=2, out_features=2, bias=False)
)
"""

FUZZ_EXAMPLES = 2000
TRACEBACK = re.compile(r"Traceback|Error\(|Exception|File \"|internal error")
NON_FINITE = re.compile(r"(?<![A-Za-z_])(nan|inf)(?![A-Za-z_])", re.I)


def bounded(argv: list[str]) -> list[str]:
    """Keep sampling/propagation work small so 2,000 examples fit the time budget."""
    if "--sample" in argv and "--samples" not in argv:
        argv += ["--samples", "1000"]
    if "--propagate" in argv and "--batch" not in argv:
        argv += ["--batch", "8"]
    return argv


def check(argv: list[str], capsys) -> None:
    code = main(argv)
    out, err = capsys.readouterr()
    assert code in (0, 1, 2), (argv, code, out, err)
    assert not TRACEBACK.search(out + err), (argv, out, err)
    if code != 0:
        assert err.count("\n") == 1 and err.startswith("Error: "), (argv, err)
        return
    if "--format" in argv and argv[argv.index("--format") + 1] == "json" and "--value" not in argv:
        json.loads(out)
    assert not NON_FINITE.search(out), (argv, out)


@settings(
    max_examples=max(FUZZ_EXAMPLES, settings.default.max_examples),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(inputs=INPUTS, options=st.lists(option(), max_size=5))
@example(inputs=["784", "256"], options=[["--gain", "0"]])
@example(inputs=["784", "256"], options=[["--gain", "nan"]])
@example(inputs=["1000000000000000000", "1000000000000000000"], options=[["--format", "json"]])
@example(inputs=["784-25x6-10"], options=[])
@example(inputs=["784-784"], options=[["--propagate"], ["--seed", "-1"]])
def test_cli_never_crashes(inputs, options, capsys, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    if inputs == ["-"]:
        import io
        import sys

        monkeypatch.setattr(sys, "stdin", io.StringIO(PRINTOUT))
    argv = bounded([*inputs, *[token for opt in options for token in opt]])
    check(argv, capsys)
