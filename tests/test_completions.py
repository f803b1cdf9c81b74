"""Shell completions: the committed scripts in completions/ are Typer's, and they complete.

The scripts are generated from the Typer app itself (``_GLOROTCALC_COMPLETE=source_<shell>
glorotcalc``). They are thin: every Tab runs ``glorotcalc`` again with
``_GLOROTCALC_COMPLETE=complete_<shell>``, so the candidates always follow the CLI's options.

Regenerate the committed files (after a Typer upgrade) with::

    python tests/test_completions.py
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from glorotcalc.cli import main

ROOT = Path(__file__).resolve().parents[1]
COMPLETIONS = ROOT / "completions"
COMPLETE_VAR = "_GLOROTCALC_COMPLETE"
SCRIPTS = {
    "bash": "glorotcalc.bash",
    "zsh": "_glorotcalc",
    "fish": "glorotcalc.fish",
    "powershell": "glorotcalc.ps1",
}
# Where the wheel installs each script (relative to the environment's prefix).
INSTALLED = {
    "bash": "share/bash-completion/completions/glorotcalc",
    "zsh": "share/zsh/site-functions/_glorotcalc",
    "fish": "share/fish/vendor_completions.d/glorotcalc.fish",
}
HEADER = (
    "# glorotcalc completion for {shell}, from its Typer app. Regenerate: python tests/test_completions.py"
)
ZSH_COMPDEF = "compdef _glorotcalc_completion glorotcalc"
# Typer's zsh script only registers its function. Installed in an fpath directory
# (site-functions), zsh autoloads the file on the first Tab, so that Tab would complete nothing:
# when autoloaded, also complete right away.
ZSH_AUTOLOAD = """\
# Added to Typer's script: when zsh autoloads this file from fpath, complete this first Tab too.
if [[ $zsh_eval_context[-1] == loadautofunc ]]; then
  _glorotcalc_completion "$@"
fi
"""

# The candidates, written out: what the options accept (see README "Options").
DISTRIBUTIONS = ["uniform", "normal", "truncated", "all"]
LAYOUTS = ["torch", "keras", "jax", "flax"]
FRAMEWORKS = ["torch", "keras", "jax", "flax", "all"]
FORMATS = ["table", "json", "csv", "tsv"]
SCHEMES = ["glorot", "he", "lecun", "xavier", "kaiming", "all"]
MODES = ["fan_in", "fan_out", "fan_avg", "fan_geo_avg"]
# torch.nn.init.calculate_gain's names, plus the activations with a computed gain (README "Gains").
ACTIVATIONS = {
    "linear",
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
    "sigmoid",
    "tanh",
    "relu",
    "leaky_relu",
    "selu",
    "elu",
    "gelu",
    "silu",
    "swish",
    "softplus",
    "mish",
}


def _clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("_GLOROTCALC", "_TYPER", "COMP_"))}
    env.update(extra)
    return env


def typer_source(shell: str) -> str:
    """What ``_GLOROTCALC_COMPLETE=source_<shell> glorotcalc`` prints (exit 0 required).

    Run in this process (`main` with the variable set); the console script is checked separately.
    """
    saved = os.environ.get(COMPLETE_VAR)
    os.environ[COMPLETE_VAR] = f"source_{shell}"
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out), pytest.raises(SystemExit) as exit_info:
            main([])
    finally:
        if saved is None:
            del os.environ[COMPLETE_VAR]
        else:
            os.environ[COMPLETE_VAR] = saved
    assert exit_info.value.code == 0
    return out.getvalue()


def committed_text(shell: str, source: str) -> str:
    """Typer's script as committed: a header, no blank lines around it, one final newline.

    zsh reads ``#compdef`` only on a file's first line, so the header goes second there; and the zsh
    script also completes the Tab that autoloads it (`ZSH_AUTOLOAD`).
    """
    body = source.strip("\n") + "\n"
    header = HEADER.format(shell=shell) + "\n"
    if shell != "zsh":
        return header + body
    first, rest = body.split("\n", 1)
    if first != "#compdef glorotcalc" or not body.endswith(ZSH_COMPDEF + "\n"):
        raise AssertionError(f"Typer's zsh script changed shape; review it:\n{source}")
    return f"{first}\n{header}{rest}{ZSH_AUTOLOAD}"


def regenerate() -> None:
    """Rewrite completions/* from the Typer app (the documented regeneration command)."""
    for shell, name in SCRIPTS.items():
        (COMPLETIONS / name).write_text(committed_text(shell, typer_source(shell)))
        print(f"wrote completions/{name}")


@pytest.fixture(scope="module")
def bin_dir(tmp_path_factory) -> Path:
    """A directory whose `glorotcalc` runs this interpreter and this package."""
    folder = tmp_path_factory.mktemp("bin")
    shim = folder / "glorotcalc"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m glorotcalc "$@"\n')
    shim.chmod(0o755)
    return folder


def _path_env(bin_dir: Path, **extra: str) -> dict[str, str]:
    return _clean_env(PATH=f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}", **extra)


# --- the committed files are Typer's -------------------------------------------------------------


@pytest.mark.parametrize("shell", SCRIPTS)
def test_committed_script_is_regenerated_byte_for_byte(shell):
    committed = (COMPLETIONS / SCRIPTS[shell]).read_bytes()
    assert committed_text(shell, typer_source(shell)).encode() == committed, (
        f"completions/{SCRIPTS[shell]} is stale: run python tests/test_completions.py"
    )


def test_completions_folder_holds_the_four_scripts():
    assert sorted(p.name for p in COMPLETIONS.iterdir()) == sorted(SCRIPTS.values())


def test_console_script_prints_the_script_and_exits_0():
    """The installed entry point (`glorotcalc.cli:main`) honours the variable, not only ``-m``."""
    script = shutil.which("glorotcalc", path=str(Path(sys.executable).parent))
    if script is None:
        pytest.skip("the glorotcalc console script is not installed next to this interpreter")
    proc = subprocess.run(
        [script], env=_clean_env(**{COMPLETE_VAR: "source_bash"}), capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    assert committed_text("bash", proc.stdout) == (COMPLETIONS / "glorotcalc.bash").read_text()


def test_show_completion_prints_the_script_for_the_calling_shell(bin_dir):
    """Typer's ``--show-completion`` detects bash from the parent process (``; true`` keeps
    bash from exec-ing glorotcalc in its own place)."""
    proc = subprocess.run(
        ["bash", "--norc", "--noprofile", "-c", "glorotcalc --show-completion; true"],
        env=_path_env(bin_dir),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert "complete -o default -F _glorotcalc_completion glorotcalc" in proc.stdout.splitlines()


def test_zsh_script_starts_with_compdef():
    """compinit registers an fpath file only when its first line is ``#compdef NAME``."""
    assert (COMPLETIONS / "_glorotcalc").read_text().splitlines()[0] == "#compdef glorotcalc"


@pytest.mark.parametrize(("shell", "flag"), [("bash", "-n"), ("zsh", "-n"), ("fish", "--no-execute")])
def test_shell_accepts_the_syntax(shell, flag):
    exe = shutil.which(shell)
    if exe is None:
        pytest.skip(f"{shell} is not installed")
    proc = subprocess.run(
        [exe, flag, str(COMPLETIONS / SCRIPTS[shell])], capture_output=True, text=True, timeout=30
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""


# --- the completion protocol ----------------------------------------------------------------------


def protocol(*cases: list[str]) -> list[list[str]]:
    """Candidates for the last word of each case, through bash's protocol, in real processes.

    The processes run side by side (each one is a fresh interpreter).
    """
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "glorotcalc"],
            env=_clean_env(
                _GLOROTCALC_COMPLETE="complete_bash",
                COMP_WORDS=" ".join(words),
                COMP_CWORD=str(len(words) - 1),
            ),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for words in cases
    ]
    answers = []
    for words, proc in zip(cases, procs, strict=True):
        out, err = proc.communicate(timeout=60)
        assert (proc.returncode, err) == (0, ""), (words, err)
        answers.append(out.splitlines())
    return answers


def test_protocol_offers_the_choices():
    """``--di<TAB>``, ``--dist <TAB>``, ``--nonlinearity <TAB>``, ``--layout``/``--framework``/``--format``
    (each a ``glorotcalc`` process with COMP_WORDS and COMP_CWORD, as bash's script starts it)."""
    di, dist, activations, layout, framework, fmt = protocol(
        ["glorotcalc", "--di"],
        ["glorotcalc", "784", "256", "--dist", ""],
        ["glorotcalc", "784", "256", "--nonlinearity", ""],
        ["glorotcalc", "--shape", "64x3x3x3", "--layout", ""],
        ["glorotcalc", "--framework", ""],
        ["glorotcalc", "784", "256", "--format", ""],
    )
    assert di == ["--dist"]
    assert dist == DISTRIBUTIONS
    assert set(activations) >= ACTIVATIONS
    assert len(activations) == len(set(activations))
    assert layout == LAYOUTS
    assert framework == FRAMEWORKS
    assert fmt == FORMATS


@pytest.fixture
def complete(capsys, monkeypatch):
    """In-process variant of `protocol` (cheap): ``complete("glorotcalc", "--mode", "")``."""

    def run(*words: str) -> list[str]:
        with monkeypatch.context() as env, pytest.raises(SystemExit) as exit_info:
            env.setenv("_GLOROTCALC_COMPLETE", "complete_bash")
            env.setenv("COMP_WORDS", " ".join(words))
            env.setenv("COMP_CWORD", str(len(words) - 1))
            main([])
        assert exit_info.value.code == 0
        return capsys.readouterr().out.splitlines()

    return run


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        (("--scheme", ""), SCHEMES),
        (("--mode", ""), MODES),
        (("--dtype", ""), ["float32", "float64"]),
        (("--emit", ""), ["torch", "keras", "jax", "flax"]),
        (("--act", "le"), ["leaky_relu"]),
        (("--format", "c"), ["csv"]),
        (("--dist", "tr"), ["truncated"]),
        (("--sch",), ["--scheme"]),
    ],
)
def test_completion_of_other_options(complete, words, expected):
    assert complete("glorotcalc", *words) == expected


def test_every_option_offered_is_an_option(complete, cli):
    """``--<TAB>`` lists the options ``--help`` documents."""
    offered = complete("glorotcalc", "--")
    assert {"--dist", "--nonlinearity", "--act", "--layout", "--framework", "--format", "--value"} <= set(
        offered
    )
    result = cli("--help")
    for option in offered:
        assert re.search(rf"(?<![\w-]){re.escape(option)}(?![\w-])", result.stdout), option


@pytest.mark.parametrize(
    ("option", "base"),
    [
        ("--nonlinearity", ()),
        ("--dist", ("784", "256")),
        ("--scheme", ("784", "256")),
        ("--mode", ("784", "256", "--scheme", "he")),
        ("--format", ("784", "256")),
        ("--layout", ("--shape", "64x3x3x3")),
    ],
)
def test_every_candidate_is_accepted(complete, cli, option, base):
    for candidate in complete("glorotcalc", option, ""):
        result = cli(*base, option, candidate)
        assert result.exit_code == 0, (option, candidate, result.output)


# --- real shells sourcing the committed scripts ----------------------------------------------------

BASH_SESSION = r"""
source "$1"
answers=$2
complete -p glorotcalc
func=$(complete -p glorotcalc | sed -n 's/.* -F \([^ ]*\) .*/\1/p')
ask() {  # answer $1, the completion of the words after it (in a background job: side by side)
    local answer=$1; shift
    COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); COMPREPLY=()
    "$func" glorotcalc "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
    printf '%s\n' "${COMPREPLY[@]}" "==" > "$answers.$answer"
}
ask 1 glorotcalc --di &
ask 2 glorotcalc 784 256 --dist '' &
ask 3 glorotcalc 784 256 --nonlinearity '' &
ask 4 glorotcalc --shape 64x3x3x3 --layout '' &
ask 5 glorotcalc --framework '' &
ask 6 glorotcalc 784 256 --format '' &
wait
cat "$answers".[1-6]
"""


def test_real_bash_session_completes(bin_dir, tmp_path):
    script = str(COMPLETIONS / "glorotcalc.bash")
    proc = subprocess.run(
        ["bash", "--norc", "--noprofile", "-c", BASH_SESSION, "bash", script, str(tmp_path / "answer")],
        env=_path_env(bin_dir),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    first, rest = proc.stdout.split("\n", 1)
    assert first == "complete -o default -F _glorotcalc_completion glorotcalc"
    answers = [block.splitlines() for block in rest.split("==\n")[:-1]]
    di, dist, activations, layout, framework, fmt = answers
    assert di == ["--dist"]
    assert dist == DISTRIBUTIONS
    assert set(activations) >= ACTIVATIONS
    assert layout == LAYOUTS
    assert framework == FRAMEWORKS
    assert fmt == FORMATS


ZSH_SESSION = r"""
zmodload zsh/zpty
zpty z env HOME=$2 PATH=$PATH TERM=dumb zsh -f -i
zpty -w z "fpath=($1 \$fpath); autoload -Uz compinit; compinit -u -D; PS1='> '"
out=""
expect() {  # read the terminal until $1 shows up (or 20 s pass)
    local chunk deadline=$(( SECONDS + 20 ))
    while [[ $out != *$1* ]] && (( SECONDS < deadline )); do
        zpty -rt z chunk && out+=$chunk || sleep 0.05
    done
}
zpty -w -n z $'glorotcalc --dist \t'
expect truncated
print -r -- "$out"; print -r -- "=="; out=""
zpty -w -n z $'\C-u'
zpty -w -n z $'glorotcalc --format \t'
expect tsv
print -r -- "$out"
zpty -d z
"""


def test_zsh_completes_from_fpath_on_the_first_tab(bin_dir, tmp_path):
    """The file as installed in site-functions: compinit autoloads it; each first Tab completes."""
    zsh = shutil.which("zsh")
    if zsh is None:
        pytest.skip("zsh is not installed")
    fpath = tmp_path / "site-functions"
    fpath.mkdir()
    shutil.copy(COMPLETIONS / "_glorotcalc", fpath / "_glorotcalc")
    proc = subprocess.run(
        [zsh, "-f", "-c", ZSH_SESSION, "zsh", str(fpath), str(tmp_path)],
        env=_path_env(bin_dir),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    dist, fmt = (part.split("glorotcalc --", 1)[-1] for part in proc.stdout.split("\n==\n"))
    assert set(DISTRIBUTIONS) <= set(dist.split()), dist
    assert set(FORMATS) <= set(fmt.split()), fmt


def test_fish_completes_from_vendor_dir(bin_dir, tmp_path):
    fish = shutil.which("fish")
    if fish is None:
        pytest.skip("fish is not installed")
    vendor = tmp_path / "vendor_completions.d"
    vendor.mkdir()
    shutil.copy(COMPLETIONS / "glorotcalc.fish", vendor / "glorotcalc.fish")
    proc = subprocess.run(
        [fish, "--no-config", "-c", f"set -p fish_complete_path {vendor}; complete -C 'glorotcalc --dist '"],
        env=_path_env(bin_dir, HOME=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path)),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert sorted(proc.stdout.split()) == sorted(DISTRIBUTIONS)


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


if __name__ == "__main__":
    regenerate()
