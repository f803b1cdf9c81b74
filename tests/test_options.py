"""Every option of every command takes effect or is refused: never silently ignored.

`CASES` is the table: for each command and each spelling of each of its options (and each of its
arguments), at least one case of one of three kinds:

1. EFFECT: the run with the option prints something other than the run without it (or, where the
   command cannot run without it, with another value);
2. REFUSED: exit code 2, nothing on stdout, exactly one line on stderr, starting with ``Error:``,
   that names the option;
3. UNCHANGED: options whose job is to leave the numbers alone (``--threads``, ``--no-color``)
   leave them byte-for-byte alone.

`test_every_option_of_every_command_is_in_the_table` reads the options from the Click commands
themselves, so an option added later without a row here fails the build.

The second half checks option × input form: an option that acts on a layer acts the same on every
INPUT form a command takes: positional fans, ``--shape``, an architecture string and a torch
printout on stdin. Expected numbers come from the formulas, never from glorotcalc.

Known cases where an option is silently ignored are rows of kind ``effect-or-refused`` marked
``xfail(strict=True, raises=SilentlyIgnored)``: they pass once the option either changes the output
or is refused, and then the strict marker fails the build until it is removed. Any other failure
in such a row (a crash, a wrong exit code) is a real failure, not an expected one.
"""

from __future__ import annotations

import json
import math
import sys
from dataclasses import dataclass

import pytest

from glorotcalc.cli import app_commands

# ── inputs ───────────────────────────────────────────────────────────────────────────────────────

EFFECT, REFUSED, UNCHANGED, NOT_IGNORED = "effect", "refused", "unchanged", "effect-or-refused"

FANS = ("784", "256")
HE_UNIFORM = ("--scheme", "he", "--dist", "uniform")
JSON = ("--format", "json")
CSV = ("--format", "csv")
SAMPLE = ("--sample", "--samples", "20000")
PROPAGATE = ("propagate", "64", "--depth", "3", "--batch", "32")
CONV = ("--shape", "64x3x3x3")  # torch (out, in, kh, kw): fans 27/576; as keras (kh, kw, in, out) 576/192
PRINTOUT = "Sequential(\n  (0): Linear(in_features=784, out_features=256, bias=True)\n)\n"
CHUNK = 4_194_304  # README "Sampling: seed, threads, memory": draws per chunk, each with its own stream

# Files for `audit`, made once per session; argv refers to them by these placeholders.
W2 = "{glorot_784_256.npy}"  # torch-layout 256×784 weight drawn from glorot uniform
K4 = "{kernel_64x16x3x3.npy}"  # a 4-D kernel: torch fans 144/576, keras fans 3072/3072


@pytest.fixture(scope="session")
def weight_files(tmp_path_factory) -> dict[str, str]:
    np = pytest.importorskip("numpy")
    folder = tmp_path_factory.mktemp("weights")
    rng = np.random.default_rng(0)
    a = math.sqrt(6 / (784 + 256))
    w2 = folder / "glorot_784_256.npy"
    np.save(w2, rng.uniform(-a, a, (256, 784)).astype("f4"))
    b = math.sqrt(6 / (16 * 3 * 3))  # he uniform in torch layout: fan_in = 16·3·3
    k4 = folder / "kernel_64x16x3x3.npy"
    np.save(k4, rng.uniform(-b, b, (64, 16, 3, 3)).astype("f4"))
    return {W2: str(w2), K4: str(k4)}


# ── the table ────────────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Case:
    command: str
    option: str  # an option's spelling ("--act"), or "<name>" for an argument
    kind: str
    argv: tuple[str, ...]  # the run with the option (the command word first)
    base: tuple[str, ...] | None = None  # the run without it (EFFECT, UNCHANGED, NOT_IGNORED)
    stdin: str | None = None
    color: bool = False  # UNCHANGED --no-color: compare under a terminal, against NO_COLOR
    xfail: str | None = None  # the option is silently ignored here: the reason, for the report


def effect(command, option, common, added, *, fmt=JSON, base_added=(), **kw) -> Case:
    """EFFECT: ``command COMMON ADDED FMT`` prints other bytes than ``command COMMON BASE_ADDED FMT``."""
    base = (command, *common, *base_added, *fmt)
    return Case(command, option, EFFECT, (command, *common, *added, *fmt), base, **kw)


def swap(command, option, base_rest, argv_rest, *, fmt=JSON) -> Case:
    """EFFECT, where the run without the option needs other words (e.g. fans instead of --shape)."""
    return Case(command, option, EFFECT, (command, *argv_rest, *fmt), (command, *base_rest, *fmt))


def refused(command, option, *rest, **kw) -> Case:
    return Case(command, option, REFUSED, (command, *rest), **kw)


def unchanged(command, option, common, base_added, added, *, fmt=JSON) -> Case:
    base = (command, *common, *base_added, *fmt)
    return Case(command, option, UNCHANGED, (command, *common, *added, *fmt), base)


def ignored(command, option, common, added, reason, *, fmt=JSON, **kw) -> Case:
    """Must take effect or be refused: `reason` says how it was once silently ignored (a regression)."""
    base, argv = (command, *common, *fmt), (command, *common, *added, *fmt)
    return Case(command, option, NOT_IGNORED, argv, base, **kw)


def no_color(command, *argv) -> Case:
    base = (command, *argv)
    return Case(command, "--no-color", UNCHANGED, (*base, "--no-color"), base, color=True)


def refusals_with_init(command, head, pairs) -> list[Case]:
    """``--init NAME`` sets scheme, distribution, gain and mode itself: each of them beside it is refused."""
    return [refused(command, option, *head, "--init", "he_normal", option, value) for option, value in pairs]


EXPLAIN_MACHINE = (
    "--explain is silently dropped in {fmt}: README 'Options of the lookup' promises an explain "
    "column in CSV/TSV, and plain lookups have it"
)
PROPAGATE_MODE = (
    "propagate --mode is silently ignored when the recommended scheme is glorot (no --scheme, "
    "linear or tanh activation); lookup/compare/emit refuse --mode for glorot"
)
EMIT_LAYOUT = (
    "emit --layout changes nothing unless the input is --shape: fans, chains, architectures and "
    "printouts give byte-identical output, and it is not refused"
)
INIT_ACT = (
    "{command} --init NAME {option} X: the initializer sets the gain, so {option} changes nothing "
    "but the echoed 'activation' label in JSON (table byte-identical); lookup refuses this pair"
)
TSV = ("--format", "tsv")
TABLE = ()  # the default format
HE_LAYER = (*FANS, *HE_UNIFORM)
SAMPLED = (*HE_LAYER, *SAMPLE)
MANY_CHUNKS = (*HE_LAYER, "--sample", "--samples", str(2 * CHUNK + 1))  # threads really split the work
TORCH = ("torch", *HE_LAYER)  # emit torch 784 256 --scheme he --dist uniform
NET = PROPAGATE[1:]  # propagate 64 --depth 3 --batch 32
INIT_PAIRS = (("--scheme", "he"), ("--dist", "normal"), ("--gain", "2"), ("--mode", "fan_out"))
ACT_PAIRS = (("--act", "tanh"), ("--nonlinearity", "tanh"), ("--slope", "0.2"))

L, C, D, E, P = "lookup", "compare", "defaults", "emit", "propagate"
CASES: list[Case] = [
    # ── lookup ──
    swap(L, "<inputs>", FANS, ("512", "256")),
    effect(L, "--scheme", FANS, ("--scheme", "he")),
    effect(L, "--dist", FANS, ("--dist", "normal")),
    effect(L, "--init", FANS, ("--init", "he_normal")),
    effect(L, "--nonlinearity", FANS, ("--nonlinearity", "tanh")),
    effect(L, "--act", FANS, ("--act", "tanh")),
    effect(L, "--slope", FANS, ("--slope", "0.2")),
    effect(L, "--gain", FANS, ("--gain", "2")),
    effect(L, "--mode", FANS, ("--mode", "fan_out")),
    swap(L, "--shape", FANS, CONV),
    effect(L, "--layout", CONV, ("--layout", "keras")),
    swap(L, "--depth", ("256", "256"), ("256", "--depth", "3")),
    effect(L, "--layer", ("784-256-10",), ("--layer", "1")),
    effect(L, "--every-row", ("256", "--depth", "3"), ("--every-row",), fmt=TABLE),
    refused(L, "--layer", "784-256-10", "--layer", "2"),
    effect(L, "--framework", FANS, ("--framework", "keras")),
    effect(L, "--format", FANS, JSON, fmt=TABLE),
    effect(L, "--value", HE_LAYER, ("--value",), fmt=TABLE),
    *(effect(L, "--explain", FANS, ("--explain",), fmt=fmt) for fmt in (TABLE, JSON, CSV, TSV)),
    *(
        ignored(
            L, "--explain", (*FANS, *how), ("--explain",), EXPLAIN_MACHINE.format(fmt=fmt[1]) + note, fmt=fmt
        )
        for how, note in (
            (("--framework", "keras"), " (with --framework)"),
            (("--init", "he_normal"), " (with --init)"),
            ((*HE_UNIFORM, *SAMPLE), " (with --sample)"),
        )
        for fmt in (CSV, TSV)
    ),
    no_color(L, *FANS),
    effect(L, "--sample", HE_LAYER, SAMPLE),
    effect(L, "--samples", (*HE_LAYER, "--sample"), ("--samples", "20000")),
    effect(L, "--seed", SAMPLED, ("--seed", "1")),
    effect(L, "--hist", SAMPLED, ("--hist",)),
    effect(L, "--hist", SAMPLED, ("--hist",), fmt=TABLE),
    effect(L, "--dtype", SAMPLED, ("--dtype", "float64")),
    # --threads: the same bytes for any thread count (README "Guarantees: Deterministic")
    unchanged(
        L, "--threads", (*HE_LAYER, "--sample", "--samples", "100000"), ("--threads", "1"), ("--threads", "2")
    ),
    unchanged(L, "--threads", MANY_CHUNKS, ("--threads", "1"), ("--threads", "3")),
    unchanged(L, "--threads", MANY_CHUNKS, (), ("--threads", "2")),
    # refusals: what the option needs, or what it contradicts
    refused(L, "--samples", *FANS, "--samples", "20000"),
    refused(L, "--seed", *FANS, "--seed", "1"),
    refused(L, "--threads", *FANS, "--threads", "2"),
    refused(L, "--threads", *SAMPLED, "--threads", "0"),
    refused(L, "--hist", *FANS, "--hist"),
    refused(L, "--hist", *SAMPLED, "--hist", *CSV),
    refused(L, "--hist", *FANS, *SAMPLE, "--hist"),  # nine results: which one's histogram?
    refused(L, "--dtype", *FANS, "--dtype", "float64"),
    refused(L, "--value", *SAMPLED, "--value"),
    refused(L, "--value", *HE_LAYER, "--value", *JSON),
    refused(L, "--value", *FANS, "--value"),  # nine results
    refused(L, "--explain", *HE_LAYER, "--value", "--explain"),
    refused(L, "--framework", *SAMPLED, "--framework", "keras"),
    *refusals_with_init(L, FANS, (*INIT_PAIRS, *ACT_PAIRS)),
    refused(L, "--slope", *FANS, "--act", "tanh", "--slope", "0.2"),
    refused(L, "--slope", *FANS, "--act", "leaky_relu:0.1", "--slope", "0.2"),
    refused(L, "--gain", *FANS, "--gain", "0"),
    refused(L, "--mode", *FANS, "--scheme", "glorot", "--mode", "fan_out"),
    refused(L, "--layout", "--shape", "784x256", "--framework", "keras", "--layout", "torch"),
    refused(L, "--depth", *FANS, "--depth", "3"),
    refused(L, "--shape", *FANS, "--shape", "256x784"),
    refused(L, "--format", *FANS, "--format", "xml"),
    # ── compare ──
    swap(C, "<inputs>", FANS, ("512", "256")),
    effect(C, "--init", FANS, ("--init", "he_normal")),
    effect(C, "--scheme", FANS, ("--scheme", "he")),
    effect(C, "--dist", FANS, ("--dist", "normal")),
    effect(C, "--nonlinearity", FANS, ("--nonlinearity", "tanh")),
    effect(C, "--act", FANS, ("--act", "tanh")),
    effect(C, "--slope", FANS, ("--slope", "0.2")),
    effect(C, "--gain", FANS, ("--gain", "2")),
    effect(C, "--mode", (*FANS, "--scheme", "he"), ("--mode", "fan_out")),
    swap(C, "--shape", FANS, CONV),
    effect(C, "--layout", CONV, ("--layout", "keras")),
    swap(C, "--depth", ("256", "256"), ("256", "--depth", "3")),
    effect(C, "--framework", FANS, ("--framework", "torch,keras")),
    effect(C, "--format", FANS, JSON, fmt=TABLE),
    no_color(C, *FANS),
    refused(C, "--mode", *FANS, "--mode", "fan_out"),  # the default schemes include glorot
    *refusals_with_init(C, FANS, INIT_PAIRS),
    *(
        ignored(
            C,
            option,
            (*FANS, "--init", "he_normal"),
            (option, value),
            INIT_ACT.format(command=C, option=option),
            fmt=TABLE,
        )
        for option, value in ACT_PAIRS
    ),
    # ── defaults ──
    swap(D, "<inputs>", FANS, ("512", "256")),
    swap(D, "--shape", FANS, CONV),
    effect(D, "--layout", CONV, ("--layout", "keras")),
    swap(D, "--depth", ("256", "256"), ("256", "--depth", "3")),
    effect(D, "--layer", ("784-256-10",), ("--layer", "layer1")),
    effect(D, "--framework", FANS, ("--framework", "keras")),
    effect(D, "--format", FANS, JSON, fmt=TABLE),
    effect(D, "--value", (*FANS, "--framework", "torch"), ("--value",), fmt=TABLE),
    *(effect(D, "--explain", FANS, ("--explain",), fmt=fmt) for fmt in (TABLE, JSON)),
    *(
        ignored(
            D, "--explain", FANS, ("--explain",), "defaults " + EXPLAIN_MACHINE.format(fmt=fmt[1]), fmt=fmt
        )
        for fmt in (CSV, TSV)
    ),
    no_color(D, *FANS),
    refused(D, "--value", *FANS, "--value"),  # three frameworks
    refused(D, "--explain", *FANS, "--framework", "torch", "--value", "--explain"),
    refused(D, "--depth", *FANS, "--depth", "3"),
    # ── emit (it needs one scheme and one distribution, so those compare two values) ──
    swap(E, "<target>", TORCH, ("keras", *HE_LAYER)),
    swap(E, "<inputs>", TORCH, ("torch", "512", "256", *HE_UNIFORM)),
    swap(E, "--init", TORCH, ("torch", *FANS, "--init", "he_normal")),
    swap(E, "--scheme", TORCH, ("torch", *FANS, "--scheme", "glorot", "--dist", "uniform")),
    swap(E, "--dist", TORCH, ("torch", *FANS, "--scheme", "he", "--dist", "normal")),
    effect(E, "--nonlinearity", TORCH, ("--nonlinearity", "tanh")),
    effect(E, "--act", TORCH, ("--act", "tanh")),
    effect(E, "--slope", TORCH, ("--slope", "0.2")),
    effect(E, "--gain", TORCH, ("--gain", "2")),
    effect(E, "--mode", TORCH, ("--mode", "fan_out")),
    swap(E, "--shape", TORCH, ("torch", *CONV, *HE_UNIFORM)),
    effect(E, "--layout", ("torch", *CONV, *HE_UNIFORM), ("--layout", "keras")),
    swap(E, "--depth", ("torch", "256", "256", *HE_UNIFORM), ("torch", "256", "--depth", "3", *HE_UNIFORM)),
    effect(E, "--from", ("torch", *FANS, "--scheme", "he", "--dist", "normal"), ("--from", "keras")),
    effect(E, "--format", TORCH, JSON, fmt=TABLE),
    no_color(E, *TORCH),
    *refusals_with_init(E, ("torch", *FANS), (*INIT_PAIRS, ("--from", "keras"))),
    refused(E, "--mode", "torch", *FANS, "--scheme", "glorot", "--dist", "uniform", "--mode", "fan_out"),
    *(
        ignored(
            E,
            "--layout",
            ("torch", *inputs, *HE_UNIFORM),
            ("--layout", "keras"),
            f"{EMIT_LAYOUT} (input {' '.join(inputs)})",
            fmt=TABLE,
            stdin=stdin,
        )
        for inputs, stdin in (
            (FANS, None),
            (("784", "256", "10"), None),
            (("784-256",), None),
            (("-",), PRINTOUT),
        )
    ),
    *(
        ignored(
            E,
            option,
            ("torch", *FANS, "--init", "he_normal"),
            (option, value),
            INIT_ACT.format(command=E, option=option),
            fmt=TABLE,
        )
        for option, value in ACT_PAIRS
    ),
    # ── propagate ──
    swap(P, "<inputs>", NET, ("32", *NET[1:])),
    swap(P, "--depth", ("64", "64", "--batch", "32"), NET),
    effect(P, "--nonlinearity", NET, ("--nonlinearity", "tanh")),
    effect(P, "--act", NET, ("--act", "tanh")),
    effect(P, "--slope", NET, ("--slope", "0.2")),
    effect(P, "--init", NET, ("--init", "he_normal")),
    effect(P, "--init", NET, ("--init", "default")),
    effect(P, "--scheme", NET, ("--scheme", "he")),
    effect(P, "--dist", NET, ("--dist", "uniform")),
    effect(P, "--gain", NET, ("--gain", "2")),
    effect(P, "--mode", (*NET, "--scheme", "he"), ("--mode", "fan_out")),
    effect(P, "--mode", (*NET, "--act", "relu"), ("--mode", "fan_out")),
    *(
        ignored(
            P,
            "--mode",
            (*NET, *act),
            ("--mode", "fan_out"),
            PROPAGATE_MODE + f" ({' '.join(act) or 'linear'})",
        )
        for act in ((), ("--act", "tanh"))
    ),
    swap(P, "--shape", NET, (*CONV, "--batch", "32")),
    effect(P, "--layout", (*CONV, "--batch", "32"), ("--layout", "keras")),
    effect(P, "--batch", ("64", "--depth", "3"), ("--batch", "32")),
    effect(P, "--seed", NET, ("--seed", "1")),
    effect(P, "--dtype", NET, ("--dtype", "float64")),
    effect(P, "--format", NET, JSON, fmt=TABLE),
    no_color(P, *NET),
    *refusals_with_init(P, NET, INIT_PAIRS),
    refused(P, "--scheme", *NET, "--init", "default", "--scheme", "he"),
    refused(P, "--mode", *NET, "--scheme", "glorot", "--mode", "fan_out"),
    refused(P, "--batch", "64", "--depth", "3", "--batch", "0"),
    refused(P, "--depth", "64", "64", "--depth", "3", "--batch", "32"),
    refused(P, "--dtype", *NET, "--dtype", "float16"),
    # ── audit ──
    swap("audit", "<files>", (W2,), (K4,)),
    effect("audit", "--layout", (K4,), ("--layout", "keras"), base_added=("--layout", "torch")),
    effect("audit", "--layout", (K4,), ("--layout", "keras")),
    effect("audit", "--format", (W2,), JSON, fmt=TABLE),
    no_color("audit", W2),
    refused("audit", "--format", W2, "--format", "xml"),
    # ── gain ──
    swap("gain", "<nonlinearity>", ("relu",), ("tanh",)),
    effect("gain", "--slope", ("leaky_relu",), ("--slope", "0.2")),
    effect("gain", "--format", ("tanh",), JSON, fmt=TABLE),
    effect("gain", "--value", ("tanh",), ("--value",), fmt=TABLE),
    no_color("gain", "tanh"),
    refused("gain", "--slope", "tanh", "--slope", "0.2"),
    refused("gain", "--slope", "leaky_relu:0.2", "--slope", "0.1"),
    refused("gain", "--value", "tanh", "--value", *CSV),
]


def _case_id(case: Case) -> str:
    return f"{case.command} {case.option} [{case.kind}] " + " ".join(case.argv[1:])


class SilentlyIgnored(AssertionError):
    """The option neither changed the output nor was refused (the only failure an xfail row expects)."""


def _params():
    for case in CASES:
        marks = (
            [pytest.mark.xfail(strict=True, raises=SilentlyIgnored, reason=case.xfail)] if case.xfail else []
        )
        yield pytest.param(case, id=_case_id(case), marks=marks)


# ── helpers ──────────────────────────────────────────────────────────────────────────────────────


def _spellings(command: str, option: str) -> tuple[str, ...]:
    """Every spelling of the option `option` of `command` (``--act`` → ``--nonlinearity``, ``--act``)."""
    for param in app_commands()[command].params:
        if option in (*param.opts, *param.secondary_opts):
            return (*param.opts, *param.secondary_opts)
    raise AssertionError(f"{command} has no option {option}")


def _table_keys() -> set[tuple[str, str]]:
    """(command, option spelling) for every option and (command, <name>) for every argument."""
    keys = set()
    for name, command in app_commands().items():
        for param in command.params:
            if param.param_type_name == "option":
                keys.update((name, spelling) for spelling in (*param.opts, *param.secondary_opts))
            else:
                keys.add((name, f"<{param.name}>"))
    return keys


def _typed(argv: tuple[str, ...], option: str) -> bool:
    return any(token == option or token.startswith(option + "=") for token in argv)


def _expand(argv: tuple[str, ...], files: dict[str, str]) -> tuple[str, ...]:
    return tuple(files.get(token, token) for token in argv)


def _assert_ok(result, argv) -> None:
    assert result.exit_code == 0, f"{' '.join(argv)} → exit {result.exit_code}: {result.stderr}"
    assert result.stderr == "", result.stderr


def _assert_refused(result, argv, spellings: tuple[str, ...]) -> None:
    """Exit 2, no stdout, one stderr line ``Error: …`` naming the option (by any of its spellings)."""
    shown = f"{' '.join(argv)} → exit {result.exit_code}, stdout {result.stdout[:200]!r}"
    shown += f", stderr {result.stderr!r}"
    assert result.exit_code == 2, shown
    assert result.stdout == "", shown
    assert result.stderr.endswith("\n") and result.stderr.count("\n") == 1, shown
    assert result.stderr.startswith("Error: "), shown
    assert any(spelling in result.stderr for spelling in spellings), f"does not name {spellings}: {shown}"


def _force_terminal(monkeypatch) -> None:
    """Make stdout look like a colour terminal to every detection glorotcalc or rich may use."""
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True, raising=False)
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.setenv("COLUMNS", "120")
    monkeypatch.delenv("TTY_COMPATIBLE", raising=False)


# ── the meta-test and the table's own sanity ─────────────────────────────────────────────────────


def test_every_option_of_every_command_is_in_the_table():
    """Each option spelling and argument of each command (read from the Click commands) has a case.

    An option added to a command without a row in CASES fails here, and so does a stale row for an
    option that no longer exists.
    """
    keys = _table_keys()
    covered = {(case.command, case.option) for case in CASES}
    assert keys - covered == set(), f"options without a test in CASES: {sorted(keys - covered)}"
    assert covered - keys == set(), f"CASES rows for options that do not exist: {sorted(covered - keys)}"
    assert len(keys) >= 80  # lookup alone has 21 option spellings: the discovery itself works


def test_every_option_has_a_passing_kind():
    """No option is covered only by an xfail: each has an EFFECT, REFUSED or UNCHANGED row that passes.

    (Except where every way of using the option is known-ignored — there are none today.)
    """
    passing = {(case.command, case.option) for case in CASES if case.xfail is None}
    assert _table_keys() - passing == set()


def test_the_table_types_each_option_where_it_claims_to():
    """The argv of each row types its option (and an EFFECT's base, when it omits the option, differs)."""
    for case in CASES:
        argv = case.argv
        assert argv[0] in app_commands(), case
        if case.option.startswith("--"):
            assert _typed(argv, case.option), f"{_case_id(case)}: argv does not type {case.option}"
        if case.base is not None:
            assert case.base != argv, _case_id(case)
            assert case.base[0] == argv[0], _case_id(case)


# ── the table, run ───────────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize("case", list(_params()))
def test_option(case: Case, cli, monkeypatch, weight_files):
    """The row's option takes effect (output differs), is refused (exit 2, one Error: line naming
    it), or — for --threads/--no-color — leaves the output byte-identical."""
    argv = _expand(case.argv, weight_files)
    base = None if case.base is None else _expand(case.base, weight_files)
    spellings = _spellings(case.command, case.option) if case.option.startswith("--") else ()

    if case.kind == REFUSED:
        _assert_refused(cli(*argv, stdin=case.stdin), argv, spellings)
        return

    if case.color:
        _force_terminal(monkeypatch)
        monkeypatch.delenv("NO_COLOR", raising=False)
        styled = cli(*base)
        plain = cli(*argv)
        monkeypatch.setenv("NO_COLOR", "1")
        by_env = cli(*base)
        for result, words in ((styled, base), (plain, argv), (by_env, base)):
            _assert_ok(result, words)
        assert "\x1b" in styled.stdout, "precondition: a terminal without NO_COLOR gets ANSI styling"
        assert "\x1b" not in plain.stdout, "--no-color left ANSI escapes"
        assert plain.stdout == by_env.stdout, "--no-color prints other text than NO_COLOR=1"
        return

    without = cli(*base, stdin=case.stdin)
    with_it = cli(*argv, stdin=case.stdin)
    _assert_ok(without, base)
    if case.kind == UNCHANGED:
        _assert_ok(with_it, argv)
        assert with_it.stdout == without.stdout, f"{' '.join(argv)} changed the output"
        return
    if case.kind == NOT_IGNORED and with_it.exit_code == 2:
        _assert_refused(with_it, argv, spellings)
        return
    _assert_ok(with_it, argv)
    if with_it.stdout == without.stdout:
        raise SilentlyIgnored(f"`{' '.join(argv)}` prints exactly what `{' '.join(base)}` prints")


def test_threads_change_nothing_but_really_run(cli):
    """--threads 1 and 2 (README's 100,000 draws) give byte-identical JSON, and the draws are real.

    The sample's std is within 4 standard errors of √Var = √(2/784) (He uniform), so the identical
    bytes are two runs of a working sampler, not two copies of an empty report.
    """
    argv = ("784", "256", *HE_UNIFORM, "--sample", "--samples", "100000", *JSON)
    one, two = cli(*argv, "--threads", "1"), cli(*argv, "--threads", "2")
    assert one.exit_code == two.exit_code == 0, one.output + two.output
    assert one.stdout == two.stdout
    sample = json.loads(one.stdout)["layers"][0]["results"][0]["sample"]
    assert sample["n"] == 100_000
    std = math.sqrt(2 / 784)
    se = math.sqrt((9 / 5 - 1) / (4 * 100_000))  # uniform: kurtosis 9/5
    assert abs(sample["std"] / std - 1) < 4 * se


def test_no_color_leaves_machine_formats_alone(cli, monkeypatch):
    """In a colour terminal, JSON/CSV/TSV/--value carry no ANSI with or without --no-color, and the
    flag changes none of their bytes."""
    _force_terminal(monkeypatch)
    monkeypatch.delenv("NO_COLOR", raising=False)
    for argv in (
        ("784", "256", *JSON),
        ("784", "256", *CSV),
        ("784", "256", "--format", "tsv"),
        ("784", "256", *HE_UNIFORM, "--value"),
        ("gain", "tanh", "--value"),
    ):
        styled, plain = cli(*argv), cli(*argv, "--no-color")
        assert styled.exit_code == plain.exit_code == 0, styled.output + plain.output
        assert "\x1b" not in styled.stdout
        assert styled.stdout == plain.stdout


@pytest.mark.parametrize(
    ("given", "missing"), [(("--dist", "uniform"), "--scheme"), (("--scheme", "he"), "--dist")]
)
def test_emit_refuses_a_missing_scheme_or_distribution(cli, given, missing):
    """emit writes one initializer per layer: a single layer without --scheme (or --dist) is exit 2
    with one Error: line that names the missing option, not a guess."""
    argv = ("emit", "torch", *FANS, *given)
    _assert_refused(cli(*argv), argv, (missing,))


# ── bad values: refused, naming the value and the option ─────────────────────────────────────────

BAD_VALUES = [
    # (the argv before the option, option, bad value, how the message names the option)
    ((*FANS,), "--scheme", "bogus", "scheme"),
    ((*FANS,), "--dist", "bogus", "distribution"),
    ((*FANS,), "--init", "bogus_init", "initializer"),
    ((*FANS,), "--act", "bogus", "nonlinearity"),
    ((*FANS,), "--nonlinearity", "bogus", "nonlinearity"),
    ((*FANS,), "--slope", "nan", "--slope"),
    ((*FANS,), "--gain", "-1", "--gain"),
    ((*FANS,), "--mode", "bogus", "--mode"),
    ((), "--shape", "64x0x3", "shape"),
    ((*FANS,), "--layout", "bogus", "layout"),
    ((*FANS,), "--framework", "bogus", "--framework"),
    ((*FANS,), "--format", "xml", "--format"),
    ((*FANS, "--sample"), "--samples", "0", "--samples"),
    ((*FANS, "--sample"), "--seed", "-1", "--seed"),
    ((*FANS, "--sample"), "--dtype", "float16", "--dtype"),
    (("compare", *FANS), "--dist", "truncated", "distribution"),  # compare's normal is each framework's own
    (("compare", *FANS), "--framework", "bogus", "--framework"),
    (("defaults", *FANS), "--framework", "jax", "--framework"),  # jax has no layers, so no defaults
    (("emit", "torch", *FANS, *HE_UNIFORM), "--from", "bogus", "--from"),
    (("emit", "torch", *FANS, "--dist", "uniform"), "--scheme", "bogus", "--scheme"),
    (("propagate", "64", "--depth", "3"), "--batch", "0", "--batch"),
    (("audit", W2), "--layout", "bogus", "layout"),
    (("gain", "leaky_relu"), "--slope", "inf", "--slope"),
]


@pytest.mark.parametrize(
    ("head", "option", "value", "named"),
    BAD_VALUES,
    ids=[" ".join((*head[:1], option, value)) for head, option, value, _ in BAD_VALUES],
)
def test_a_bad_value_is_refused_naming_it(cli, weight_files, head, option, value, named):
    """A bad value is exit 2 with one Error: line that names the option (README "Exit codes" shows
    ``distribution 'gaussian'``) and echoes the value."""
    argv = _expand((*head, option, value), weight_files)
    result = cli(*argv)
    _assert_refused(result, argv, (named,))
    assert value in result.stderr


# ── option × input form ──────────────────────────────────────────────────────────────────────────

FORMS = {
    "fans": (FANS, None),
    "shape": (("--shape", "256x784"), None),  # torch layout (out, in)
    "arch": (("784-256",), None),
    "printout": (("-",), PRINTOUT),
}
KERAS_SHAPE = ("--shape", "784x256")  # with --framework keras / --from keras --shape is read (in, out)


def bound(variance: float) -> float:
    return math.sqrt(3 * variance)


TANH_GAIN = 5 / 3  # torch's gain for tanh
LEAKY_GAIN_SQ = 2 / (1 + 0.2**2)  # He for leaky_relu with negative slope 0.2
LAYER_COMMANDS = ("lookup", "compare", "emit", "propagate")
SETTINGS = {
    # name: (options, expected uniform bound of the 784 → 256 layer, the commands it applies to)
    "he uniform": (HE_UNIFORM, bound(2 / 784), LAYER_COMMANDS),
    "glorot uniform": (("--scheme", "glorot", "--dist", "uniform"), bound(2 / (784 + 256)), LAYER_COMMANDS),
    "--act tanh": (("--act", "tanh", *HE_UNIFORM), bound(TANH_GAIN**2 / 784), LAYER_COMMANDS),
    "--nonlinearity tanh": (
        ("--nonlinearity", "tanh", *HE_UNIFORM),
        bound(TANH_GAIN**2 / 784),
        LAYER_COMMANDS,
    ),
    "--slope 0.2": (("--slope", "0.2", *HE_UNIFORM), bound(LEAKY_GAIN_SQ / 784), LAYER_COMMANDS),
    "--gain 2": (("--gain", "2", *HE_UNIFORM), bound(2**2 / 784), LAYER_COMMANDS),
    "--mode fan_out": (("--mode", "fan_out", *HE_UNIFORM), bound(2 / 256), LAYER_COMMANDS),
    # kaiming_uniform_(a=√5): gain² = 2/(1 + a²) = 1/3, bound = √(3·(1/3)/784) = 1/√784
    "--init kaiming_uniform_(a=5**0.5)": (
        ("--init", "kaiming_uniform_(a=5**0.5)"),
        1 / math.sqrt(784),
        LAYER_COMMANDS,
    ),
    "--framework keras": (("--framework", "keras", *HE_UNIFORM), bound(2 / 784), ("lookup", "compare")),
    "--from keras": (("--from", "keras", *HE_UNIFORM), bound(2 / 784), ("emit",)),
}
COMBOS = [
    pytest.param(command, setting, form, id=f"{command}-{setting}-{form}")
    for setting, (_, _, commands) in SETTINGS.items()
    for command in commands
    for form in FORMS
]


def _uniform_bounds(command: str, document: dict) -> list[float]:
    """The uniform bound(s) the command reports for its only layer, read from its JSON."""
    (layer,) = document["layers"]
    assert (layer["fan_in"], layer["fan_out"]) == (784, 256), layer
    if command == "lookup":
        (result,) = layer["results"]
        assert result["distribution"] == "uniform"
        return [result["bound"]]
    if command == "compare":
        (comparison,) = layer["comparisons"]
        rows = comparison["frameworks"]
        assert all(row["distribution"] == "uniform" for row in rows), rows
        # every framework that has the mode: a dense layer is the same everywhere
        return [row["param"] for row in rows if not row["problem"]]
    if command == "emit":
        assert layer["result"]["distribution"] == "uniform"
        return [layer["result"]["bound"]]
    assert layer["init"]["distribution"] == "uniform"  # propagate reports the variance
    return [bound(layer["init"]["variance"])]


@pytest.mark.parametrize(("command", "setting", "form"), COMBOS)
def test_a_layer_option_acts_the_same_on_every_input_form(cli, command, setting, form):
    """`setting` gives the bound its formula predicts for 784 → 256 whatever the input form.

    E.g. ``--act tanh --scheme he --dist uniform`` is √(3·(5/3)²/784) for ``784 256``,
    ``--shape 256x784``, ``784-256`` and a torch printout on stdin, in lookup, compare, emit and
    propagate alike. (With lookup's ``--framework keras`` and emit's ``--from keras`` the shape form
    is 784x256: README "Framework conventions" reads --shape in that framework's (in, out) layout.)
    """
    options, expected, _ = SETTINGS[setting]
    inputs, stdin = FORMS[form]
    if form == "shape" and (command, options[0]) in (("lookup", "--framework"), ("emit", "--from")):
        inputs = KERAS_SHAPE  # compare's --framework only picks the rows: its --shape stays in --layout
    head = () if command == "lookup" else ("emit", "torch") if command == "emit" else (command,)
    tail = ("--batch", "32") if command == "propagate" else ()
    result = cli(*head, *inputs, *options, *tail, *JSON, stdin=stdin)
    assert result.exit_code == 0, result.stderr
    bounds = _uniform_bounds(command, json.loads(result.stdout))
    assert bounds
    for got in bounds:
        assert math.isclose(got, expected, rel_tol=1e-13), (got, expected)


def test_the_forms_really_differ_so_the_equalities_mean_something():
    """The four forms are four different argvs, and the settings predict seven different bounds, so
    an option dropped on some form cannot pass by coincidence."""
    assert len({forms for forms, _ in FORMS.values()}) == len(FORMS)
    distinct = {round(expected, 15) for _, expected, _ in SETTINGS.values()}
    assert len(distinct) == 7  # he (= keras), glorot, tanh, leaky 0.2, gain 2, fan_out, 1/√784


@pytest.mark.parametrize("command", ["lookup", "compare", "defaults", "emit", "propagate"])
def test_layout_keras_reads_a_shape_as_in_out(cli, command):
    """``--shape 784x256 --layout keras`` is the same dense layer as ``--shape 256x784``:
    fan_in 784, fan_out 256, its shape reported in keras order (emit: in its TARGET's layout)."""
    head = ("emit", "torch") if command == "emit" else (command,)
    extra = {"emit": HE_UNIFORM, "propagate": ("--batch", "32")}.get(command, ())
    torch = cli(*head, "--shape", "256x784", *extra, *JSON)
    keras = cli(*head, "--shape", "784x256", "--layout", "keras", *extra, *JSON)
    assert torch.exit_code == keras.exit_code == 0, torch.stderr + keras.stderr
    (t,), (k,) = json.loads(torch.stdout)["layers"], json.loads(keras.stdout)["layers"]
    assert (t["fan_in"], t["fan_out"]) == (k["fan_in"], k["fan_out"]) == (784, 256)
    if command == "emit":  # the code draws a torch tensor, whatever layout the shape was typed in
        assert t["shape"] == k["shape"] == [256, 784]
    else:
        assert (t["shape"], k["shape"]) == ([256, 784], [784, 256])


@pytest.mark.parametrize("command", ["lookup", "compare", "defaults", "propagate"])
def test_layout_applies_to_a_printout(cli, command):
    """A printout's weight is reported in --layout: keras (in, out) = [784, 256], same fans."""
    extra = ("--batch", "32") if command == "propagate" else ()
    head = () if command == "lookup" else (command,)
    torch = cli(*head, "-", *extra, *JSON, stdin=PRINTOUT)
    keras = cli(*head, "-", "--layout", "keras", *extra, *JSON, stdin=PRINTOUT)
    assert torch.exit_code == keras.exit_code == 0, torch.stderr + keras.stderr
    (t,), (k,) = json.loads(torch.stdout)["layers"], json.loads(keras.stdout)["layers"]
    assert (t["fan_in"], t["fan_out"]) == (k["fan_in"], k["fan_out"]) == (784, 256)
    assert (t["shape"], k["shape"]) == ([256, 784], [784, 256])


def test_framework_keras_reads_shape_in_keras_layout(cli):
    """README "Framework conventions": with --framework keras, ``--shape 256x784`` is (in 256, out
    784), so He's bound is √(6/256); an explicit --layout torch that disagrees is refused."""
    result = cli("--shape", "256x784", "--framework", "keras", *HE_UNIFORM, "--value")
    assert result.exit_code == 0, result.stderr
    assert math.isclose(float(result.stdout), bound(2 / 256), rel_tol=1e-13)
    refusal = cli("--shape", "256x784", "--framework", "keras", "--layout", "torch", *HE_UNIFORM)
    _assert_refused(refusal, ("--framework", "keras", "--layout", "torch"), ("--layout",))


@pytest.mark.parametrize("command", ["lookup", "compare", "defaults", "emit", "propagate"])
@pytest.mark.parametrize("form", ["fans", "shape", "arch", "printout"])
def test_depth_takes_one_width_and_refuses_other_forms(cli, command, form):
    """--depth L repeats one width; with a fan pair, a shape, an architecture or a printout it is
    refused (exit 2, one line naming --depth), never ignored."""
    inputs, stdin = FORMS[form]
    head = () if command == "lookup" else ("emit", "torch") if command == "emit" else (command,)
    extra = HE_UNIFORM if command == "emit" else ()
    result = cli(*head, *inputs, "--depth", "3", *extra, stdin=stdin)
    _assert_refused(result, (*head, *inputs, "--depth", "3"), ("--depth",))


@pytest.mark.parametrize("command", ["lookup", "compare", "defaults", "emit", "propagate"])
def test_depth_repeats_the_width(cli, command):
    """``256 --depth 3`` is the chain ``256 256 256 256``: three layers 256 → 256, same output."""
    head = ("emit", "torch") if command == "emit" else (command,)
    extra = {"emit": HE_UNIFORM, "propagate": ("--batch", "32")}.get(command, ())
    by_depth = cli(*head, "256", "--depth", "3", *extra, *JSON)
    by_chain = cli(*head, "256", "256", "256", "256", *extra, *JSON)
    assert by_depth.exit_code == by_chain.exit_code == 0, by_depth.stderr + by_chain.stderr
    assert by_depth.stdout == by_chain.stdout
    layers = json.loads(by_depth.stdout)["layers"]
    assert [(layer["fan_in"], layer["fan_out"]) for layer in layers] == [(256, 256)] * 3


def test_weight_files_are_what_the_audit_cases_claim(cli, weight_files):
    """The audit rows compare real evidence: the 2-D file audits as glorot uniform (784 → 256) and
    the 4-D kernel has fans 144/576 in torch layout and 3072/3072 in keras layout."""
    flat = json.loads(cli("audit", weight_files[W2], *JSON).stdout)["tensors"][0]
    assert (flat["fan_in"], flat["fan_out"]) == (784, 256)
    assert (flat["match"]["scheme"], flat["match"]["distribution"]) == ("glorot", "uniform")
    kernel_torch = json.loads(cli("audit", weight_files[K4], *JSON).stdout)["tensors"][0]
    kernel_keras = json.loads(cli("audit", weight_files[K4], "--layout", "keras", *JSON).stdout)["tensors"][0]
    assert (kernel_torch["fan_in"], kernel_torch["fan_out"]) == (16 * 9, 64 * 9)
    assert (kernel_keras["fan_in"], kernel_keras["fan_out"]) == (3 * 64 * 16, 3 * 64 * 16)
    assert kernel_torch["match"]["scheme"] == "he"  # drawn as he uniform for the torch fans


# ── option × recurrent forms ─────────────────────────────────────────────────────────────────────

# nn.RNNCell(784, 256, nonlinearity='relu'): weight_ih is (256, 784), fans 784/256 as the dense
# layer above; its activation is its own nonlinearity (relu: He's own gain √2), so the activation
# settings do not apply to it
RECURRENT_FORMS = {
    "rnn-arch": (("784-rnn256@relu", "--layer", "layer0.weight_ih_l0"), None),
    "rnn-printout": (("-", "--layer", "weight_ih"), "RNNCell(784, 256, nonlinearity=relu)\n"),
}
RECURRENT_SETTINGS = (
    "he uniform",
    "--gain 2",
    "--mode fan_out",
    "--init kaiming_uniform_(a=5**0.5)",
    "--framework keras",
)


@pytest.mark.parametrize("form", sorted(RECURRENT_FORMS))
@pytest.mark.parametrize("setting", RECURRENT_SETTINGS)
def test_a_layer_option_acts_the_same_on_recurrent_forms(cli, setting, form):
    """The settings give the bound of their formula on an RNN's weight_ih_l0 (784 → 256) too."""
    options, expected, _ = SETTINGS[setting]
    inputs, stdin = RECURRENT_FORMS[form]
    result = cli(*inputs, *options, *JSON, stdin=stdin)
    assert result.exit_code == 0, result.stderr
    for got in _uniform_bounds("lookup", json.loads(result.stdout)):
        assert math.isclose(got, expected, rel_tol=1e-13), (got, expected)


@pytest.mark.parametrize("form", sorted(RECURRENT_FORMS))
def test_propagate_refuses_recurrent_forms(cli, form):
    inputs, stdin = RECURRENT_FORMS[form]
    result = cli("propagate", inputs[0], "--batch", "32", stdin=stdin)
    assert result.exit_code == 2
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("Error:") and "recurrent" in line and "weight_ih" in line
