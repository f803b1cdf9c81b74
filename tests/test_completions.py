"""Shell completions: static scripts written from the CLI's tree, that complete without Python.

``glorotcalc.completion`` walks the Click group Typer builds (commands, each option's spellings,
flags and the values of its ``autocompletion=``) and writes a bash, zsh, fish and PowerShell script
that answer a Tab in the shell itself. Here: the committed files are what the CLI gives, byte for
byte; each shell accepts its script; real shells (bash and zsh on a terminal, fish through
``complete -C``) complete commands, options, values, comma lists and ``--opt=value`` with no
``glorotcalc`` or Python on PATH; every option of every command is in every script; every value
offered is one the CLI accepts; ``--show-completion``/``--install-completion`` are safe.

Regenerate the committed files after changing an option::

    python -m glorotcalc.completion        (or: python tests/test_completions.py)
"""

from __future__ import annotations

import io
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from glorotcalc import completion
from glorotcalc.cli import DEFAULT_COMMAND, _command
from glorotcalc.errors import GlorotcalcError, UsageError

ROOT = Path(__file__).resolve().parents[1]
COMPLETIONS = ROOT / "completions"
SCRIPTS = completion.FILES  # shell → file name in completions/
# Where the wheel installs each script (relative to the environment's prefix).
INSTALLED = {
    "bash": "share/bash-completion/completions/glorotcalc",
    "zsh": "share/zsh/site-functions/_glorotcalc",
    "fish": "share/fish/vendor_completions.d/glorotcalc.fish",
}
COMMANDS = ["lookup", "compare", "defaults", "emit", "propagate", "audit", "gain"]
FRAMEWORKS = [
    *("torch", "keras", "jax", "flax", "tf-keras", "tf-compat-v1", "tf1-contrib", "keras2.2"),
    *("flax-nnx", "haiku", "equinox", "mlx", "paddle", "tinygrad", "mxnet", "chainer", "caffe"),
    *("flux", "tfjs"),
]
DISTRIBUTIONS = ["uniform", "normal", "truncated", "all"]
ACTIVATIONS = {"linear", "relu", "leaky_relu", "tanh", "sigmoid", "selu", "elu", "gelu", "silu", "swish"}
FILES_HERE = ["model.npy", "model.txt", "sub/"]  # what the scratch folder holds (file completion)


@pytest.fixture(scope="module")
def group():
    return _command()


@pytest.fixture(scope="module")
def tree(group):
    return completion.tree(group)


@pytest.fixture
def scratch(tmp_path) -> Path:
    """The folder the shells run in, with files to complete. Beside it: ``home``, and ``bin`` with a
    `glorotcalc` that logs any call (the only program on PATH)."""
    work = tmp_path / "work"
    (work / "sub").mkdir(parents=True)
    (work / "model.npy").write_bytes(b"")
    (work / "model.txt").write_text("784 256\n")
    (tmp_path / "home").mkdir()
    (tmp_path / "bin").mkdir()
    shim = tmp_path / "bin" / "glorotcalc"
    shim.write_text(f'#!/bin/sh\necho "$@" >> "{tmp_path / "called"}"\n')
    shim.chmod(0o755)
    return work


def assert_no_program_ran(scratch: Path) -> None:
    log = scratch.parent / "called"
    assert not log.exists(), "a Tab ran glorotcalc: " + log.read_text()


def shell_or_skip(name: str) -> str:
    exe = shutil.which(name)
    if exe is None:
        pytest.skip(f"{name} is not installed")
    return exe


# --- the committed files are the generator's ---------------------------------------------------------


@pytest.mark.parametrize("shell", SCRIPTS)
def test_committed_script_is_regenerated_byte_for_byte(group, shell):
    committed = (COMPLETIONS / SCRIPTS[shell]).read_bytes()
    assert completion.script(shell, group).encode() == committed, (
        f"completions/{SCRIPTS[shell]} is stale: run python -m glorotcalc.completion"
    )


def test_completions_folder_holds_the_four_scripts():
    assert sorted(p.name for p in COMPLETIONS.iterdir()) == sorted(SCRIPTS.values())


def test_check_mode_of_the_generator_passes():
    proc = subprocess.run(
        [sys.executable, "-m", "glorotcalc.completion", "--check"], capture_output=True, text=True, timeout=60
    )
    assert (proc.returncode, proc.stderr) == (0, "")


def test_check_mode_names_a_stale_file(group, tmp_path):
    completion.write(group, tmp_path)
    (tmp_path / "glorotcalc.fish").write_text("# old\n")
    assert completion.stale(group, tmp_path) == ["glorotcalc.fish"]


def test_zsh_script_starts_with_compdef():
    """compinit registers an fpath file only when its first line is ``#compdef NAME``."""
    assert (COMPLETIONS / "_glorotcalc").read_text().splitlines()[0] == "#compdef glorotcalc"


@pytest.mark.parametrize(("shell", "flag"), [("bash", "-n"), ("zsh", "-n"), ("fish", "--no-execute")])
def test_shell_accepts_the_syntax(shell, flag):
    exe = shell_or_skip(shell)
    proc = subprocess.run(
        [exe, flag, str(COMPLETIONS / SCRIPTS[shell])], capture_output=True, text=True, timeout=30
    )
    assert (proc.returncode, proc.stderr) == (0, "")


def test_the_default_command_is_the_clis():
    assert completion.DEFAULT_COMMAND == DEFAULT_COMMAND


# --- the tree read from the CLI --------------------------------------------------------------------------


def test_tree_has_every_command_and_option(group, tree):
    assert [c.name for c in tree.commands] == list(group.commands) == COMMANDS
    for command in tree.commands:
        click_command = group.commands[command.name]
        spellings = {o for p in click_command.params if p.param_type_name == "option" for o in p.opts}
        assert spellings | {"-h", "--help"} == {n for o in command.options for n in o.names}, command.name


def test_comma_lists_are_read_from_the_completers(tree):
    kinds = {(c.name, o.names[0]): o.kind for c in tree.commands for o in c.options}
    assert kinds["lookup", "--dist"] == kinds["lookup", "--scheme"] == completion.LIST
    assert kinds["compare", "--framework"] == kinds["defaults", "--framework"] == completion.LIST
    assert kinds["emit", "--dist"] == kinds["lookup", "--format"] == completion.WORDS
    assert kinds["lookup", "--value"] == completion.FLAG
    assert kinds["lookup", "--shape"] == completion.PATHS
    assert kinds["lookup", "--seed"] == kinds["lookup", "--slope"] == completion.TEXT


def test_init_names_come_from_initnames_and_default_only_for_propagate(tree):
    """propagate takes variance scaling, the random laws and orthogonal initializers (and default),
    not constants or identities; the others all."""
    from glorotcalc.initnames import INIT_NAMES, PROPAGATE_NAMES

    names = {name for group in INIT_NAMES.values() for name in group}
    propagated = {"orthogonal_", "Orthogonal", "orthogonal", "kaiming_normal_", "delta_orthogonal"}
    propagated |= {"uniform_", "normal_", "trunc_normal_", "sparse_", "RandomNormal", "TruncatedNormal"}
    assert propagated <= set(PROPAGATE_NAMES)
    assert not {"dirac_", "eye_", "Identity", "zeros_", "ones_", "Constant", "zeros"} & set(PROPAGATE_NAMES)
    for command in tree.commands:
        for option in command.options:
            if option.names == ("--init",):
                expected = set(PROPAGATE_NAMES) if command.name == "propagate" else names
                assert set(option.values) - {"default"} == expected
                assert ("default" in option.values) == (command.name == "propagate"), command.name


def test_arguments_complete_files_or_their_values(tree):
    kinds = {c.name: [(a.kind, a.nargs) for a in c.arguments] for c in tree.commands}
    assert kinds["lookup"] == kinds["audit"] == [(completion.PATHS, -1)]
    assert kinds["emit"] == [(completion.WORDS, 1), (completion.PATHS, -1)]
    assert kinds["gain"] == [(completion.WORDS, 1)]


# --- every option of every command is in every script ------------------------------------------------

SPELLING = {
    "bash": lambda name: name,
    "zsh": lambda name: name,
    "fish": lambda name: f"-l {name[2:]}" if name.startswith("--") else f"-s {name[1:]}",
    "powershell": lambda name: f"'{name}'",
}


@pytest.mark.parametrize("shell", SCRIPTS)
def test_every_option_of_every_command_is_in_the_script(group, shell):
    """Read from the Click tree itself: an option added without regenerating fails here."""
    text = (COMPLETIONS / SCRIPTS[shell]).read_text()
    missing = []
    for name, command in [("", group), *group.commands.items()]:
        for param in command.params:
            for opt in getattr(param, "opts", ()) if param.param_type_name == "option" else ():
                word = SPELLING[shell](opt)
                if not re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text):
                    missing.append(f"{name} {opt}")
    for name in COMMANDS:
        if not re.search(rf"(?<![\w-]){name}(?![\w-])", text):
            missing.append(name)
    assert missing == []


# --- a real bash: the script sourced, completion driven by COMP_WORDS/COMP_CWORD ----------------------

BASH_DRIVER = r"""
source "$1" || exit 1
complete -p glorotcalc
ask() {  # the completion of the last word of "$@", as bash's readline would ask for it
    COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 ))
    COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}; COMPREPLY=()
    _glorotcalc glorotcalc "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
    printf '%s\n' "${COMPREPLY[@]}" "=="
}
"""


def bash_completions(
    script: Path, cwd: Path, cases: list[list[str]], *, split: bool = False
) -> list[list[str]]:
    """Candidates for the last word of each case, from a bash that sourced `script`.

    PATH leads nowhere: a Tab that ran any program (glorotcalc, python) would write to stderr.
    `split`: the words as bash itself splits them at ``=`` (COMP_WORDBREAKS), COMP_LINE unchanged.
    """
    lines = [BASH_DRIVER]
    for words in cases:
        if split:
            lines.append(_split_ask(words))
        else:
            lines.append("ask " + " ".join(shlex.quote(w) for w in words))
    proc = subprocess.run(
        [shell_or_skip("bash"), "--norc", "--noprofile", "-c", "\n".join(lines), "bash", str(script)],
        env={"PATH": "/nonexistent", "HOME": str(cwd.parent / "home"), "LC_ALL": "C"},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (proc.returncode, proc.stderr) == (0, ""), proc.stderr
    first, rest = proc.stdout.split("\n", 1)
    assert first == "complete -F _glorotcalc glorotcalc"
    return [block.splitlines() for block in rest.split("==\n")[:-1]]


def _split_ask(words: list[str]) -> str:
    """COMP_WORDS as bash makes them from ``--dist=n``: ``--dist`` ``=`` ``n`` (COMP_LINE: as typed)."""
    split = []
    for word in words:
        head, eq, tail = word.partition("=")
        split += [head, eq, tail] if eq and word.startswith("-") else [word]
    line = " ".join(words)
    quoted = " ".join(shlex.quote(w) for w in split)
    return (
        f"COMP_WORDS=({quoted}); COMP_CWORD={len(split) - 1}; COMP_LINE={shlex.quote(line)}; "
        'COMP_POINT=${#COMP_LINE}; COMPREPLY=(); _glorotcalc glorotcalc "${COMP_WORDS[COMP_CWORD]}" x; '
        "printf '%s\\n' \"${COMPREPLY[@]}\" =="
    )


BASH_CASES = {
    "command prefix": (["glorotcalc", "au"], ["audit"]),
    "first word": (["glorotcalc", ""], COMMANDS),
    "first word, no command": (["glorotcalc", "mod"], ["model.npy", "model.txt"]),
    "lookup option": (["glorotcalc", "784", "256", "--sch"], ["--scheme"]),
    "first word option": (["glorotcalc", "--ver"], ["--version"]),
    "group option only first": (["glorotcalc", "784", "--ver"], []),
    "command option": (["glorotcalc", "compare", "784", "256", "--fr"], ["--framework"]),
    "comma list": (
        ["glorotcalc", "784", "256", "--dist", "uniform,"],
        ["uniform,normal", "uniform,truncated", "uniform,all"],
    ),
    "comma list, two items": (
        ["glorotcalc", "784", "256", "--dist", "uniform,normal,t"],
        ["uniform,normal,truncated"],
    ),
    "--opt=value": (["glorotcalc", "784", "256", "--dist=n"], ["--dist=normal"]),
    "--opt=list": (["glorotcalc", "compare", "--framework=torch,tf-k"], ["--framework=torch,tf-keras"]),
    "values": (["glorotcalc", "784", "256", "--dist", ""], DISTRIBUTIONS),
    "alias": (["glorotcalc", "784", "256", "--act", "leaky"], ["leaky_relu"]),
    "emit target": (["glorotcalc", "emit", ""], FRAMEWORKS),
    "emit inputs": (["glorotcalc", "emit", "torch", "--dist", "normal", "m"], ["model.npy", "model.txt"]),
    "gain": (["glorotcalc", "gain", "le"], ["leaky_relu"]),
    "gain takes one": (["glorotcalc", "gain", "relu", ""], []),
    "audit files": (["glorotcalc", "audit", ""], ["model.npy", "model.txt", "sub"]),
    "audit after option": (["glorotcalc", "audit", "--layout", "keras", "model.n"], ["model.npy"]),
    "shape is a path": (["glorotcalc", "--shape", "model.t"], ["model.txt"]),
    "number: nothing": (["glorotcalc", "784", "256", "--seed", ""], []),
    "init default only for propagate": (["glorotcalc", "784", "256", "--init", "def"], []),
    "propagate init default": (["glorotcalc", "propagate", "784", "--init", "def"], ["default"]),
    "after --": (["glorotcalc", "audit", "--", "--"], []),
    "install shell": (["glorotcalc", "--install-completion", ""], ["bash", "zsh", "fish", "powershell"]),
    "show shell=": (["glorotcalc", "--show-completion=f"], ["--show-completion=fish"]),
}


def test_real_bash_session_completes(scratch):
    cases = list(BASH_CASES.values())
    answers = bash_completions(COMPLETIONS / "glorotcalc.bash", scratch, [words for words, _ in cases])
    got = {name: sorted(a) for name, a in zip(BASH_CASES, answers, strict=True)}
    assert got == {name: sorted(expected) for name, (_, expected) in BASH_CASES.items()}
    assert_no_program_ran(scratch)


def test_bash_splits_at_equals_and_the_reply_is_what_follows_it(scratch):
    """Bash itself passes ``--dist=n`` as three words (``=`` is in COMP_WORDBREAKS) and replaces only
    the text after ``=``: the script rejoins the words and answers the part readline replaces."""
    cases = [["glorotcalc", "784", "256", "--dist=n"], ["glorotcalc", "compare", "--framework=torch,tf-k"]]
    assert bash_completions(COMPLETIONS / "glorotcalc.bash", scratch, cases, split=True) == [
        ["normal"],
        ["torch,tf-keras"],
    ]


@pytest.mark.parametrize("command", COMMANDS)
def test_bash_offers_exactly_the_options_of_each_command(group, scratch, command):
    (answer,) = bash_completions(COMPLETIONS / "glorotcalc.bash", scratch, [["glorotcalc", command, "-"]])
    params = group.commands[command].params
    options = {o for p in params if p.param_type_name == "option" for o in p.opts} | {"-h", "--help"}
    assert sorted(answer) == sorted(options)


def test_bash_first_word_offers_the_group_and_lookup_options(group, scratch):
    (answer,) = bash_completions(COMPLETIONS / "glorotcalc.bash", scratch, [["glorotcalc", "--"]])
    lookup = {o for p in group.commands["lookup"].params if p.param_type_name == "option" for o in p.opts}
    assert set(answer) == {"--help", "--version", *completion.OPTIONS} | {o for o in lookup if o[:2] == "--"}


# --- real terminals: bash's readline and zsh's zle, one Tab each ----------------------------------------

PTY_DRIVER = r"""
import json, os, pty, re, select, sys, time

config = json.loads(sys.argv[1])
pid, fd = pty.fork()
if pid == 0:
    os.chdir(config["cwd"])
    os.execve(config["argv"][0], config["argv"], config["env"])


def read(until, timeout):
    data, end = b"", time.monotonic() + timeout
    while time.monotonic() < end:
        if select.select([fd], [], [], 0.05)[0]:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            data += chunk
            if until and re.search(until, clean(data)):
                return data
    return data


def clean(data):
    text = data.decode("utf-8", "replace")
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[=>]|[\r\x07\x08]", "", text)


os.write(fd, (config["setup"] + "; echo __ready__\n").encode())
read(r"\n__ready__", 30)
answers = []
for i, (line, until) in enumerate(config["cases"]):
    os.write(fd, (line + "\t").encode())
    shown = read(until, 10)  # zle lists nothing while keys are waiting: wait for the answer first
    os.write(fd, ("\x15echo __done%d__\n" % i).encode())  # Ctrl-U, then a marker
    shown += read(r"\n__done%d__" % i, 30)
    answers.append(clean(shown).split("echo __done")[0])
os.write(fd, b"exit\n")
print(json.dumps(answers))
"""


def type_tabs(argv: list[str], setup: str, cases: list[tuple[str, str]], cwd: Path) -> list[str]:
    """What a terminal shows after typing each line and one Tab, in an interactive `argv` shell."""
    config = {
        "argv": argv,
        "setup": setup,
        "cases": cases,
        "cwd": str(cwd),
        "env": {
            "PATH": str(cwd.parent / "bin"),
            "HOME": str(cwd.parent / "home"),
            "TERM": "dumb",
            "INPUTRC": "/dev/null",
        },
    }
    proc = subprocess.run(
        [sys.executable, "-c", PTY_DRIVER, json.dumps(config)], capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


TERMINAL_CASES = [  # line typed before the Tab, a word the answer shows (regex), every word it shows
    ("glorotcalc au", r"audit", {"audit"}),
    ("glorotcalc ", r"propagate", set(COMMANDS)),
    ("glorotcalc 784 256 --sch", r"--scheme", {"--scheme"}),
    ("glorotcalc compare 784 256 --fr", r"--framework", {"--framework"}),
    ("glorotcalc 784 256 --dist uniform,", r"truncated", {"normal", "truncated", "all"}),
    ("glorotcalc 784 256 --dist=n", r"--dist=normal", {"--dist=normal"}),
    ("glorotcalc emit ", r"keras", set(FRAMEWORKS)),
    ("glorotcalc gain ", r"leaky_relu", ACTIVATIONS),
    ("glorotcalc audit ", r"model\.txt", {"model.npy", "model.txt"}),
    ("glorotcalc propagate --init def", r"default", {"default"}),
]


def _words_shown(answer: str) -> set[str]:
    return set(re.split(r"[\s]+", answer))


def test_bash_terminal_completes_with_readline(scratch):
    """Readline itself: COMP_WORDBREAKS splits ``--dist=n``; the line must read ``--dist=normal``."""
    bash = shell_or_skip("bash")
    setup = (
        f"source {shlex.quote(str(COMPLETIONS / 'glorotcalc.bash'))}; bind 'set show-all-if-ambiguous on'; "
        "bind 'set completion-query-items 0'; bind 'set page-completions off'; PS1='$ '"
    )
    cases = [(line, until) for line, until, _ in TERMINAL_CASES]
    answers = type_tabs([bash, "--norc", "--noprofile", "-i"], setup, cases, scratch)
    for (line, _, expected), answer in zip(TERMINAL_CASES, answers, strict=True):
        shown = {w.split("uniform,")[-1] for w in _words_shown(answer)}  # bash lists uniform,normal …
        assert expected <= shown, (line, answer)
    assert "--dist=--dist" not in "".join(answers)
    assert_no_program_ran(scratch)


def test_zsh_completes_from_fpath_on_the_first_tab(scratch):
    """The file as installed in site-functions: compinit autoloads it; the first Tab completes."""
    zsh = shell_or_skip("zsh")
    fpath = scratch.parent / "site-functions"
    fpath.mkdir()
    shutil.copy(COMPLETIONS / "_glorotcalc", fpath / "_glorotcalc")
    setup = f"fpath=({shlex.quote(str(fpath))} $fpath); autoload -Uz compinit; compinit -u -D; PS1='> '"
    cases = [(line, until) for line, until, _ in TERMINAL_CASES]
    answers = type_tabs([zsh, "-f", "-i"], setup, cases, scratch)
    for (line, _, expected), answer in zip(TERMINAL_CASES, answers, strict=True):
        shown = {w.rstrip(",=") for w in _words_shown(answer)} | _words_shown(answer)
        assert expected <= shown, (line, answer)
    assert_no_program_ran(scratch)


def test_zsh_completes_when_sourced_after_compinit(scratch):
    zsh = shell_or_skip("zsh")
    script = shlex.quote(str(COMPLETIONS / "_glorotcalc"))
    setup = f"autoload -Uz compinit; compinit -u -D; source {script}; PS1='> '"
    (answer,) = type_tabs([zsh, "-f", "-i"], setup, [("glorotcalc 784 256 --dist=tr", r"truncated")], scratch)
    assert "--dist=truncated" in answer


# --- fish: complete -C, with the script where vendor completions are -------------------------------------


def fish_completions(scratch: Path, lines: list[str]) -> list[list[str]]:
    fish = shell_or_skip("fish")
    vendor = scratch.parent / "vendor_completions.d"
    vendor.mkdir(exist_ok=True)
    shutil.copy(COMPLETIONS / "glorotcalc.fish", vendor / "glorotcalc.fish")
    commands = [f"set -p fish_complete_path {shlex.quote(str(vendor))}"]
    for line in lines:
        commands.append(f"complete -C {shlex.quote(line)}; echo ==")
    proc = subprocess.run(
        [fish, "--no-config", "-c", "; ".join(commands)],
        env={
            "PATH": str(scratch.parent / "bin"),
            "HOME": str(scratch.parent / "home"),
            "XDG_CONFIG_HOME": str(scratch.parent / "home"),
        },
        cwd=scratch,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (proc.returncode, proc.stderr) == (0, ""), proc.stderr
    blocks = proc.stdout.split("==\n")[:-1]
    return [[line.split("\t", 1)[0] for line in block.splitlines()] for block in blocks]


def test_fish_completes_from_vendor_dir(scratch):
    cases = {name: words for name, words in BASH_CASES.items() if name not in ("after --",)}
    lines = [" ".join(words) for words, _ in cases.values()]
    answers = fish_completions(scratch, lines)
    got = {name: sorted(a) for name, a in zip(cases, answers, strict=True)}
    expected = {name: sorted(e) for name, (_, e) in cases.items()}
    expected["audit files"] = sorted(["model.npy", "model.txt", "sub/"])  # fish marks folders
    assert got == expected
    assert_no_program_ran(scratch)


@pytest.mark.parametrize("command", COMMANDS)
def test_fish_offers_exactly_the_options_of_each_command(group, scratch, command):
    (answer,) = fish_completions(scratch, [f"glorotcalc {command} --"])
    params = group.commands[command].params
    options = {o for p in params if p.param_type_name == "option" for o in p.opts if o[:2] == "--"}
    assert sorted(answer) == sorted(options | {"--help"})


# --- every value offered is one the CLI accepts ------------------------------------------------------


# torch's constant_ and sparse_ and JAX's constant have a required argument; dirac_ takes 3-5-D
# weights, delta_orthogonal (*k, in ≤ out)
# (a bare truncated_normal is Keras's N(0, 0.05²) or JAX's N(0, 0.01²): ambiguous without stddev)
INIT_ARGUMENTS = {name: "(0.5)" for name in ("constant_", "constant", "sparse_", "sparse")}
INIT_ARGUMENTS["truncated_normal"] = "(stddev=0.02)"
PROPAGATE_ARGUMENTS = {"uniform_": "(-0.1, 0.1)"}  # propagate: zero-mean bounds (U(0, 1) is refused)
INIT_SHAPES = {"dirac_": "8x4x3", "dirac": "8x4x3", "delta_orthogonal": "3x4x8"}


def _argv(command: str, option: str, value: str, weights: str) -> list[str]:
    """A command line that is valid with ``option value`` (the other options it needs, added)."""
    base = {
        "lookup": ["784", "256"],
        "compare": ["784", "256"],
        "defaults": ["784", "256"],
        "emit": ["torch", "784", "256"],
        "propagate": ["64", "--depth", "2", "--batch", "8"],
        "audit": [weights],
        "gain": ["relu"],
    }[command]
    needs = {
        ("lookup", "--dtype"): ["--sample", "--samples", "100"],
        ("compare", "--mode"): ["--scheme", "he"],
        ("propagate", "--mode"): ["--scheme", "he"],
        ("emit", "--scheme"): ["--dist", "normal"],
        ("emit", "--dist"): ["--scheme", "he"],
        ("emit", "--init"): [],
        ("emit", "--layout"): ["--scheme", "he", "--dist", "normal", "--shape", "64x3x3x3"],
    }
    extra = needs.get((command, option), ["--scheme", "he", "--dist", "normal"] if command == "emit" else [])
    if command == "emit" and option == "--layout":
        base = ["torch"]
    if option == "--init":  # an initializer that needs an argument, a rank, or another target gets it
        value += (PROPAGATE_ARGUMENTS if command == "propagate" else {}).get(value, "")
        value += INIT_ARGUMENTS.get(value, "")
        if value.split("(")[0] in INIT_SHAPES:
            base = [*base[: command == "emit"], "--shape", INIT_SHAPES[value.split("(")[0]]]
        if command == "emit" and value in ("delta_orthogonal", "zeros_init", "ones_init"):
            base = ["jax", *base[1:]]
    head = [] if command == DEFAULT_COMMAND else [command]
    return [*head, *base, *extra, option, value]


def test_every_offered_value_is_accepted(tree, cli, tmp_path):
    np = pytest.importorskip("numpy")
    weights = tmp_path / "w.npy"
    np.save(weights, np.random.default_rng(0).uniform(-0.1, 0.1, (64, 32)).astype(np.float32))
    refused = []
    for command in tree.commands:
        for option in command.options:
            if option.kind not in (completion.WORDS, completion.LIST):
                continue
            values = list(option.values)
            if option.kind == completion.LIST:
                values.append(",".join(v for v in option.values if v != "all"))
            for value in values:
                argv = _argv(command.name, option.names[-1], value, str(weights))
                result = cli(*argv)
                if result.exit_code != 0:
                    refused.append((argv, result.stderr.strip()))
        for index, argument in enumerate(command.arguments):
            for value in argument.values if argument.kind == completion.WORDS else ():
                argv = [command.name, value] if index == 0 else []
                argv += ["784", "256", "--scheme", "he", "--dist", "normal"] if command.name == "emit" else []
                result = cli(*argv)
                if result.exit_code != 0:
                    refused.append((argv, result.stderr.strip()))
    assert refused == []


# --- --show-completion / --install-completion ---------------------------------------------------------


@pytest.mark.parametrize("shell", SCRIPTS)
def test_show_prints_the_committed_script(group, shell):
    out = io.StringIO()
    assert completion.run_option(["--show-completion", shell], group, out=out) == 0
    assert out.getvalue() == (COMPLETIONS / SCRIPTS[shell]).read_text()


@pytest.mark.parametrize(
    ("shell_var", "shell"),
    [("/bin/bash", "bash"), ("/usr/bin/zsh", "zsh"), ("/usr/local/bin/fish", "fish"), ("pwsh", "powershell")],
)
def test_the_shell_is_read_from_SHELL(group, shell_var, shell):
    out = io.StringIO()
    completion.run_option(["--show-completion"], group, environ={"SHELL": shell_var}, out=out)
    assert out.getvalue() == completion.script(shell, group)


def _all_files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


@pytest.mark.parametrize(
    ("args", "environ", "message"),
    [
        (["--install-completion", "bash", "784"], {}, "--install-completion goes alone on the line"),
        (["784", "256", "--install-completion"], {}, "--install-completion goes alone on the line"),
        (["--install-completion", "--format", "json"], {}, "goes alone"),
        (["--version", "--install-completion", "bash"], {}, "goes alone"),
        (["--install-completion", "bash", "--", "x"], {}, "goes alone"),
        (["--install-completion"], {}, "cannot tell which shell to complete ($SHELL is not set)"),
        (["--install-completion"], {"SHELL": "/bin/tcsh"}, "($SHELL is '/bin/tcsh')"),
        (["--install-completion", "tcsh"], {}, "no completion for shell 'tcsh'"),
        (["--show-completion"], {}, "cannot tell which shell"),
        (["--show-completion", "bash", "extra"], {}, "--show-completion goes alone"),
        (["--install-completion=bash", "x"], {}, "goes alone"),
    ],
)
def test_a_bad_completion_line_is_a_usage_error_and_writes_nothing(group, tmp_path, args, environ, message):
    out = io.StringIO()
    with pytest.raises(UsageError) as error:
        completion.run_option(args, group, home=tmp_path, environ=environ, out=out)
    assert error.value.exit_code == 2
    assert message in str(error.value) and "\n" not in str(error.value)
    assert out.getvalue() == ""
    assert _all_files(tmp_path) == []


@pytest.mark.parametrize(
    ("shell", "script", "startup", "line"),
    [
        (
            "bash",
            ".bash_completions/glorotcalc.sh",
            ".bashrc",
            "source '{home}/.bash_completions/glorotcalc.sh'",
        ),
        ("zsh", ".zfunc/_glorotcalc", ".zshrc", "fpath+=~/.zfunc; autoload -Uz compinit; compinit"),
        ("fish", ".config/fish/completions/glorotcalc.fish", None, None),
        (
            "powershell",
            ".config/powershell/glorotcalc-completion.ps1",
            ".config/powershell/Microsoft.PowerShell_profile.ps1",
            ". '{home}/.config/powershell/glorotcalc-completion.ps1'",
        ),
    ],
)
def test_install_writes_the_script_and_one_startup_line_once(group, tmp_path, shell, script, startup, line):
    if shell == "powershell" and os.name == "nt":
        pytest.skip("the profile is under Documents on Windows")
    if startup:
        (tmp_path / startup).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / startup).write_text("# mine\nalias ll='ls -l'")  # no final newline
    for _ in range(2):
        out = io.StringIO()
        assert (
            completion.run_option(["--install-completion", shell], group, home=tmp_path, environ={}, out=out)
            == 0
        )
    assert (tmp_path / script).read_text() == (COMPLETIONS / SCRIPTS[shell]).read_text()
    assert f"{shell} completion installed in {tmp_path / script}" in out.getvalue()
    if startup:
        expected = line.format(home=tmp_path)
        assert (tmp_path / startup).read_text() == f"# mine\nalias ll='ls -l'\n{expected}\n"
    assert not [p for p in tmp_path.rglob(".*tmp*")], "a scratch file was left"


def test_install_replaces_a_typer_install_in_place(group, tmp_path):
    """Typer's ``--install-completion`` left a script that ran Python on every Tab, at the same path."""
    old = tmp_path / ".bash_completions" / "glorotcalc.sh"
    old.parent.mkdir()
    old.write_text("_glorotcalc_completion() { ... _GLOROTCALC_COMPLETE=complete_bash $1 ... }\n")
    (tmp_path / ".bashrc").write_text(f"\nsource '{old}'\n")
    completion.install("bash", group, home=tmp_path, environ={})
    assert old.read_text() == (COMPLETIONS / "glorotcalc.bash").read_text()
    assert (tmp_path / ".bashrc").read_text() == f"\nsource '{old}'\n"


def test_fish_install_honours_XDG_CONFIG_HOME(group, tmp_path):
    path = completion.install(
        "fish", group, home=tmp_path / "home", environ={"XDG_CONFIG_HOME": str(tmp_path / "x")}
    )
    assert path == tmp_path / "x" / "fish" / "completions" / "glorotcalc.fish"


def test_an_unwritable_home_is_one_domain_error(group, tmp_path):
    (tmp_path / ".bash_completions").write_text("a file where the folder goes")
    with pytest.raises(GlorotcalcError) as error:
        completion.install("bash", group, home=tmp_path, environ={})
    assert error.value.exit_code == 1 and "cannot install the bash completion" in str(error.value)


def test_requested_sees_the_options_anywhere_before_dashdash():
    assert completion.requested(["--install-completion"])
    assert completion.requested(["784", "--show-completion=zsh"])
    assert not completion.requested(["audit", "--", "--install-completion"])
    assert not completion.requested(["784", "256", "--init", "he_normal"])


# --- the CLI wiring (cli.py is another engineer's; these pass once it is wired) ------------------------


@pytest.fixture
def home(tmp_path, monkeypatch):
    """HOME is a scratch folder (Typer's own --install-completion writes under it until the wiring)."""
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    return tmp_path


def test_cli_show_completion_prints_the_static_script(cli, home):
    result = cli("--show-completion", "bash")
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == (COMPLETIONS / "glorotcalc.bash").read_text()


def test_cli_install_completion_with_more_words_is_exit_2_and_writes_nothing(cli, home):
    result = cli("--install-completion", "bash", "784")
    assert result.exit_code == 2
    assert result.stdout == ""
    usage = "glorotcalc --install-completion [bash|zsh|fish|powershell]"
    assert result.stderr == f"Error: --install-completion goes alone on the line: {usage}\n"
    assert _all_files(home) == []


def test_cli_install_completion_without_a_shell_is_exit_2_on_stderr(cli, home, monkeypatch):
    monkeypatch.delenv("SHELL", raising=False)
    result = cli("--install-completion")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.startswith("Error: cannot tell which shell") and result.stderr.count("\n") == 1
    assert _all_files(home) == []


def test_cli_install_completion_installs_the_static_script(cli, home):
    result = cli("--install-completion", "fish")
    assert result.exit_code == 0, result.stderr
    installed = home / ".config" / "fish" / "completions" / "glorotcalc.fish"
    assert installed.read_text() == (COMPLETIONS / "glorotcalc.fish").read_text()


def test_cli_help_shows_the_completion_options_with_a_shell(cli):
    result = cli("--help")
    assert re.search(r"--install-completion\s+\[SHELL\]", result.stdout), result.stdout


def test_a_lookup_never_imports_the_completion_module():
    code = (
        "import sys\nfrom glorotcalc.cli import main\nmain(['784', '256'])\n"
        "sys.stderr.write(str('glorotcalc.completion' in sys.modules))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.stderr == "False"


# --- install: the wheel puts them where the shells look -----------------------------------------


@pytest.mark.slow
def test_wheel_installs_completions_as_shared_data(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "--quiet", "-w", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    # Building needs the build backend (hatchling) from the package index, or pip's cache.
    offline = r"No matching distribution found for hatchling|NewConnectionError|Could not fetch URL"
    if proc.returncode != 0 and re.search(offline, proc.stderr):
        pytest.skip(f"cannot fetch the build backend: {proc.stderr.strip()[-200:]}")
    assert proc.returncode == 0, proc.stderr
    (wheel,) = tmp_path.glob("glorotcalc-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        shared = {name.split(".data/data/", 1)[1]: name for name in names if ".data/data/" in name}
        assert sorted(shared) == sorted(INSTALLED.values())
        for shell, target in INSTALLED.items():
            assert archive.read(shared[target]) == (COMPLETIONS / SCRIPTS[shell]).read_bytes()
        assert "glorotcalc/completion.py" in names


if __name__ == "__main__":  # the old regeneration command still works
    raise SystemExit(completion.main())
