"""glorotcalc in shell scripts: one bare number, stable machine formats, clean streams.

Data goes to stdout, errors to stderr; machine formats never carry ANSI codes or localized numbers;
CSV is RFC 4180. The README's "Use in scripts" examples run here through a real bash, with checks
on what they produce (tests/test_readme.py compares their text).
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from glorotcalc.render import to_delimited
from glorotcalc.report import Column, Report

README = Path(__file__).resolve().parents[1] / "README.md"
ESC = "\x1b"
CSV_HEADER = [
    "layer",
    "kind",
    "label",
    "shape",
    "layout",
    "fan_in",
    "fan_out",
    "activation",
    "params",
    "scheme",
    "distribution",
    "mode",
    "n",
    "gain",
    "gain_source",
    "scale",
    "variance",
    "std",
    "sampler_std",
    "bound",
    "support",
]
# Environment variables that make rich (or click) colour output regardless of the terminal.
COLOUR_VARIABLES = (
    "NO_COLOR",
    "FORCE_COLOR",
    "TTY_COMPATIBLE",
    "TTY_INTERACTIVE",
    "CLICOLOR_FORCE",
    "COLUMNS",
)


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str


def near(text: str, expected: float) -> bool:
    """`text` is a float written as `repr` (shortest round trip) within one ulp of `expected`."""
    value = float(text)
    return repr(value) == text and abs(value - expected) <= math.ulp(expected)


def he_std(fan_in: int) -> float:
    """He normal: std = √(2/fan_in) (He et al. 2015)."""
    return math.sqrt(2 / fan_in)


def glorot_bound(fan_in: int, fan_out: int) -> float:
    """Glorot uniform: bound = √(3·Var), Var = 2/(fan_in + fan_out) (Glorot & Bengio 2010)."""
    return math.sqrt(3 * 2 / (fan_in + fan_out))


def env_without_colour(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in COLOUR_VARIABLES}
    env.update(extra)
    return env


def run_all(*jobs: tuple[list[str], dict[str, str]], cwd: Path | None = None) -> list[Result]:
    """Run ``(argv, env)`` jobs side by side (fresh interpreters are slow); stdout is a pipe."""
    procs = [
        subprocess.Popen(argv, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for argv, env in jobs
    ]
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        results.append(Result(proc.returncode, out, err))
    return results


GLOROTCALC = [sys.executable, "-m", "glorotcalc"]
# One real process (stdout and stderr are pipes) running the CLI once per argument list, each
# output followed by a line "==exit CODE" on both streams: fewer interpreter start-ups.
MANY = """
import json, sys
from glorotcalc.cli import main
for argv in json.loads(sys.argv[1]):
    code = main(argv)
    for stream in (sys.stdout, sys.stderr):
        stream.write(f"==exit {code}\\n")
        stream.flush()
"""
MARK = re.compile(r"^==exit (-?[0-9]+)\n", re.M)


def run_many(argvs: list[list[str]], env: dict[str, str], setup: str = "") -> list[Result]:
    """The result of ``glorotcalc ARGV`` for each of `argvs`, all run in one process after `setup`."""
    (proc,) = run_all(([sys.executable, "-c", setup + MANY, json.dumps(argvs)], env))
    assert proc.exit_code == 0, proc.stderr
    out, err = MARK.split(proc.stdout), MARK.split(proc.stderr)
    assert out[-1] == err[-1] == "" and out[1::2] == err[1::2], (proc.stdout, proc.stderr)
    return [
        Result(int(code), stdout, stderr)
        for code, stdout, stderr in zip(out[1::2], out[:-1:2], err[:-1:2], strict=True)
    ]


# --- --value ---------------------------------------------------------------------------------------


def test_value_is_one_full_precision_number_and_a_newline():
    (result,) = run_all(
        (
            [*GLOROTCALC, "784", "256", "--scheme", "he", "--dist", "normal", "--value"],
            env_without_colour(),
        )
    )
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout.endswith("\n") and result.stdout.count("\n") == 1
    assert near(result.stdout[:-1], he_std(784))


def test_value_with_many_results_fails_and_names_the_narrowing_options(cli):
    result = cli("784", "256", "--value")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("Error: --value needs exactly one result; this selection has 9")
    assert "--scheme" in result.stderr and "--dist" in result.stderr


def test_value_with_a_machine_format_is_a_usage_error(cli):
    result = cli("784", "256", "--scheme", "he", "--dist", "normal", "--value", "--format", "json")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == "Error: --value: prints one bare number; drop --format json\n"


# --- JSON / CSV / TSV --------------------------------------------------------------------------------


def test_json_leads_with_the_schema_version(cli):
    result = cli("784", "256", "--scheme", "he", "--dist", "normal", "--format", "json")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    document = json.loads(result.stdout)
    assert next(iter(document)) == "schema"
    assert document["schema"] == 2
    (entry,) = document["layers"][0]["results"]
    assert abs(entry["std"] - he_std(784)) <= math.ulp(he_std(784))


def test_csv_quotes_a_field_with_a_comma_per_rfc_4180(cli):
    result = cli("784", "256", "--scheme", "he", "--dist", "normal", "--format", "csv")
    assert result.exit_code == 0, result.output
    header, row = result.stdout.splitlines()
    assert header.split(",") == CSV_HEADER
    assert ',"he (relu, √2)",' in row
    (parsed,) = csv.DictReader(io.StringIO(result.stdout))
    assert parsed["gain_source"] == "he (relu, √2)"
    assert near(parsed["std"], he_std(784))
    assert parsed["bound"] == ""


def _report(*values: str) -> Report:
    columns = [Column(f"c{i}", f"c{i}", "str") for i in range(len(values))]
    return Report("test", "", columns, [{c.key: v for c, v in zip(columns, values, strict=True)}], {})


def test_csv_escaping_is_rfc_4180():
    """Quote fields holding , " or a line break, double the quotes; a backslash is not special."""
    text = to_delimited(_report("a,b", 'say "hi"', "back\\slash", "two\nlines", "plain"), ",")
    assert text == 'c0,c1,c2,c3,c4\n"a,b","say ""hi""",back\\slash,"two\nlines",plain\n'
    assert list(csv.reader(io.StringIO(text)))[1] == ["a,b", 'say "hi"', "back\\slash", "two\nlines", "plain"]


def test_tsv_escapes_tab_newline_and_backslash():
    text = to_delimited(_report("a\tb", 'say "hi"', "back\\slash", "two\nlines", "a, b"), "\t")
    assert text == 'c0\tc1\tc2\tc3\tc4\na\\tb\tsay "hi"\tback\\\\slash\ttwo\\nlines\ta, b\n'
    assert [len(line.split("\t")) for line in text.splitlines()] == [5, 5]


def _comma_locale(tmp_path: Path) -> dict[str, str]:
    """Build a locale whose decimal point is ',' (glibc's localedef; LOCPATH finds it)."""
    localedef = shutil.which("localedef")
    if localedef is None:
        pytest.skip("localedef is not available")
    source = tmp_path / "comma.src"
    source.write_text(
        'LC_CTYPE\ncopy "POSIX"\nEND LC_CTYPE\n'
        'LC_NUMERIC\ndecimal_point "<U002C>"\nthousands_sep "<U002E>"\ngrouping 3\nEND LC_NUMERIC\n'
    )
    # -c: the source defines only two categories (localedef warns, and writes the locale anyway)
    subprocess.run(
        [localedef, "-c", "-i", str(source), "-f", "ANSI_X3.4-1968", str(tmp_path / "comma")],
        capture_output=True,
        timeout=60,
    )
    if not (tmp_path / "comma" / "LC_NUMERIC").exists():
        pytest.skip("localedef could not build a test locale")
    env = env_without_colour(LOCPATH=str(tmp_path), LANG="C.UTF-8", LC_NUMERIC="comma")
    env.pop("LC_ALL", None)
    return env


DECIMAL_POINT = (
    "import locale; locale.setlocale(locale.LC_ALL, ''); print(locale.localeconv()['decimal_point'])"
)


def test_numbers_are_never_localized(tmp_path):
    """Even in a process whose locale is applied (as a host program may do), numbers use '.'."""
    env = _comma_locale(tmp_path)
    probe = subprocess.run([sys.executable, "-c", DECIMAL_POINT], env=env, capture_output=True, text=True)
    if probe.stdout != ",\n":
        pytest.skip(f"the test locale does not load here: {probe.stderr.strip()}")
    he_uniform = ["784", "256", "--scheme", "he", "--dist", "uniform"]
    value, table, as_csv = run_many(
        [[*he_uniform, "--value"], he_uniform, [*he_uniform, "--format", "csv"]],
        env,
        setup="import locale\nlocale.setlocale(locale.LC_ALL, '')\n",
    )
    (plain,) = run_all(([*GLOROTCALC, *he_uniform, "--value"], env))
    bound = math.sqrt(3 * 2 / 784)  # he uniform: √(3·Var), Var = 2/fan_in
    for result in (value, table, as_csv, plain):
        assert result.exit_code == 0, result.stderr
    assert near(value.stdout.strip(), bound)
    assert near(plain.stdout.strip(), bound)
    assert "0.0874818" in table.stdout and "0,0874818" not in table.stdout
    (row,) = csv.DictReader(io.StringIO(as_csv.stdout))
    assert list(row) == CSV_HEADER
    assert near(row["bound"], bound) and near(row["gain"], math.sqrt(2))


# --- colour and streams ------------------------------------------------------------------------------

HE_NORMAL = ["784", "256", "--scheme", "he", "--dist", "normal"]
MACHINE = (["--value"], ["--format", "json"], ["--format", "csv"], ["--format", "tsv"])


def test_nothing_is_coloured_in_a_pipe():
    """No NO_COLOR, no FORCE_COLOR: stdout is a pipe, so the table is plain text."""
    table, error = run_many([HE_NORMAL, ["784", "0"]], env_without_colour())
    assert table.exit_code == 0, table.stderr
    assert "he      normal" in table.stdout
    assert ESC not in table.stdout + table.stderr
    assert error.exit_code == 2
    assert ESC not in error.stdout + error.stderr


def test_colour_only_for_a_forced_terminal_table_without_no_color():
    """FORCE_COLOR makes rich treat the pipe as a terminal: the table is styled (the control),
    machine formats stay plain, and --no-color / NO_COLOR turn styling off."""
    forced = env_without_colour(FORCE_COLOR="1", TERM="xterm-256color")
    table, no_color_flag, error, *machine = run_many(
        [HE_NORMAL, [*HE_NORMAL, "--no-color"], ["784", "0"], *([*HE_NORMAL, *extra] for extra in MACHINE)],
        forced,
    )
    (no_color_env,) = run_many([HE_NORMAL], {**forced, "NO_COLOR": "1"})
    assert ESC + "[" in table.stdout
    for result in (no_color_flag, no_color_env, *machine):
        assert result.exit_code == 0, result.stderr
        assert ESC not in result.stdout
        assert result.stderr == ""
    assert (error.exit_code, error.stdout) == (2, "")
    assert error.stderr == "Error: fan_out 0: must be a positive integer\n"


def test_value_of_every_command_that_has_one():
    """gain tanh: torch's 5/3; defaults, torch Linear(784, 256): U(±1/√784) = U(±1/28); Keras Dense:
    glorot uniform, bound √(6/(784 + 256)). One full-precision number and a newline each, in a pipe."""
    gain, torch_default, keras_default, many = run_many(
        [
            ["gain", "tanh", "--value"],
            ["defaults", "784", "256", "--framework", "torch", "--value"],
            ["defaults", "784", "256", "--framework", "keras", "--value"],
            ["defaults", "784", "256", "--value"],
        ],
        env_without_colour(),
    )
    for result, expected in ((gain, 5 / 3), (torch_default, 1 / 28), (keras_default, glorot_bound(784, 256))):
        assert (result.exit_code, result.stderr) == (0, ""), result.stderr
        assert result.stdout.endswith("\n") and result.stdout.count("\n") == 1
        assert near(result.stdout[:-1], expected)
    assert (many.exit_code, many.stdout) == (2, "")
    from glorotcalc.frameworks import LAYER_FRAMEWORKS

    count = len(LAYER_FRAMEWORKS)  # one row per framework with layers
    assert many.stderr.startswith(f"Error: --value needs exactly one result; this selection has {count}")
    assert many.stderr.count("\n") == 1 and "--framework" in many.stderr


def test_every_command_keeps_machine_formats_plain_under_forced_colour(tmp_path):
    """Each command's table is styled when colour is forced (the control); its json/csv/tsv never are,
    and nothing but the data reaches stdout (stderr stays empty)."""
    np = pytest.importorskip("numpy")
    np.save(tmp_path / "w.npy", np.random.default_rng(0).uniform(-0.05, 0.05, (64, 32)).astype(np.float32))
    commands = [
        ["compare", "784", "256"],
        ["defaults", "784-256@relu-10"],
        ["emit", "torch", "784", "256", "--scheme", "he", "--dist", "normal"],
        ["propagate", "64", "--depth", "3", "--batch", "16"],
        ["gain", "gelu"],
        ["audit", str(tmp_path / "w.npy")],
    ]
    forced = env_without_colour(FORCE_COLOR="1", TERM="xterm-256color")
    argvs = [[*command, *extra] for command in commands for extra in ([], *MACHINE[1:])]
    results = run_many(argvs, forced)
    for argv, result in zip(argvs, results, strict=True):
        assert (result.exit_code, result.stderr) == (0, ""), (argv, result.stderr)
        if "--format" in argv:
            assert ESC not in result.stdout, argv
            if argv[-1] == "json":
                assert next(iter(json.loads(result.stdout))) == "schema"
        else:
            assert ESC + "[" in result.stdout, argv


# --- the README's "Use in scripts" examples, through a real bash ------------------------------------


def _section(title: str) -> str:
    text = README.read_text()
    start = text.index(f"\n## {title}\n")
    return text[start : text.index("\n## ", start + 1)]


VALUE = 'std=$(glorotcalc 784 256 --scheme he --dist normal --value); echo "$std"'
VALUE_FAILS = (
    'if bound=$(glorotcalc 784 256 --dist uniform --value); then echo "$bound"; else echo "exit $?"; fi 2>&1'
)
HE_LOOP = (
    'echo "fan_in,std" > he.csv',
    'for n in 256 512 1024; do echo "$n,$(glorotcalc "$n" 10 --scheme he --dist normal --value)"; done'
    " >> he.csv",
)
GLOROT_LOOP = (
    'for w in 64 128 256; do glorotcalc 784 "$w" --scheme glorot --dist uniform --format csv; done'
    " | awk 'NR == 1 || !/^layer,/' > glorot.csv"
)
TSV_READ = (
    "glorotcalc 784 256 --dist normal --format tsv | tail -n +2 | cut -f 10,18"
    " | while IFS=$'\\t' read -r scheme std; do echo \"$scheme: $std\"; done"
)
JQ_SCHEMA = "glorotcalc 784 256 --format json | jq .schema"
JQ_BOUNDS = (
    "glorotcalc 784 256 --dist uniform --format json"
    """ | jq -r '.layers[0].results[] | "\\(.scheme) \\(.mode) \\(.bound)"'"""
)
EXAMPLES = (VALUE, VALUE_FAILS, *HE_LOOP, GLOROT_LOOP, TSV_READ, JQ_SCHEMA, JQ_BOUNDS)


def test_examples_are_the_readme_ones():
    section = _section("Use in scripts")
    for command in EXAMPLES:
        assert f"\n$ {command}\n" in section, command


@pytest.fixture(scope="module")
def shell(tmp_path_factory):
    """``shell(cmd, ...)`` runs each command in bash, side by side, in one scratch directory."""
    bin_dir = tmp_path_factory.mktemp("bin")
    for name, target in (("glorotcalc", '-m glorotcalc "$@"'), ("python", '"$@"')):
        (bin_dir / name).write_text(f'#!/bin/sh\nexec "{sys.executable}" {target}\n')
        (bin_dir / name).chmod(0o755)
    workdir = tmp_path_factory.mktemp("scripts")
    env = env_without_colour(PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}", TERM="dumb")

    def run(*commands: str) -> list[Result]:
        return run_all(*((["bash", "-c", command], env) for command in commands), cwd=workdir)

    run.workdir = workdir
    return run


def test_readme_script_examples(shell):
    value, fails, he_loop, glorot_loop, tsv = shell(
        VALUE, VALUE_FAILS, "\n".join(HE_LOOP), GLOROT_LOOP, TSV_READ
    )
    assert value.exit_code == 0 and near(value.stdout.strip(), he_std(784))

    assert fails.stdout.splitlines()[-1] == "exit 2"
    assert fails.stdout.startswith("Error: --value needs exactly one result; this selection has 3")

    assert he_loop.exit_code == 0, he_loop.stderr
    rows = list(csv.DictReader(io.StringIO((shell.workdir / "he.csv").read_text())))
    assert [row["fan_in"] for row in rows] == ["256", "512", "1024"]
    assert all(near(row["std"], he_std(int(row["fan_in"]))) for row in rows)
    assert rows[1]["std"] == "0.0625"  # √(2/512) = 1/16, exactly

    assert glorot_loop.exit_code == 0, glorot_loop.stderr
    rows = list(csv.DictReader(io.StringIO((shell.workdir / "glorot.csv").read_text())))
    assert [row["fan_out"] for row in rows] == ["64", "128", "256"]
    assert all(list(row) == CSV_HEADER and row["gain_source"] == "glorot (1)" for row in rows)
    assert all(near(row["bound"], glorot_bound(784, int(row["fan_out"]))) for row in rows)

    # glorot: Var = 2/(784+256); he: 2/784; lecun: 1/784 — std = √Var
    expected = {"glorot": math.sqrt(2 / 1040), "he": he_std(784), "lecun": math.sqrt(1 / 784)}
    lines = [line.split(": ") for line in tsv.stdout.splitlines()]
    assert [scheme for scheme, _ in lines] == list(expected)
    assert all(near(std, expected[scheme]) for scheme, std in lines)


def test_readme_jq_examples(shell):
    if shutil.which("jq") is None:
        pytest.skip("jq is not installed")
    schema, bounds = shell(JQ_SCHEMA, JQ_BOUNDS)
    assert schema.stdout == "2\n"
    expected = {
        "glorot": ("fan_avg", glorot_bound(784, 256)),
        "he": ("fan_in", math.sqrt(3 * 2 / 784)),
        "lecun": ("fan_in", math.sqrt(3 * 1 / 784)),
    }
    lines = [line.split() for line in bounds.stdout.splitlines()]
    assert [scheme for scheme, _, _ in lines] == list(expected)
    for scheme, mode, bound in lines:
        assert mode == expected[scheme][0]
        assert abs(float(bound) - expected[scheme][1]) <= math.ulp(expected[scheme][1])
