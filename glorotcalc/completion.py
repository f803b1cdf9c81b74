"""Static shell completions: bash, zsh, fish and PowerShell scripts written from the CLI's own tree.

A Tab runs no Python: each script holds every command, every option of every command and every
option's values, and answers from them in the shell itself. The scripts are generated from the
Click group that Typer builds for the app (each option's ``opts``, ``is_flag`` and the values its
``autocompletion=`` function gives), so an option added to the CLI reaches them when they are
regenerated, and a test fails while the committed ones are stale::

    python -m glorotcalc.completion            # rewrite completions/* in the source tree
    python -m glorotcalc.completion --check    # exit 1 if they differ from the CLI

``--show-completion [SHELL]`` and ``--install-completion [SHELL]`` run `run_option`: the option
must stand alone on the line, the shell is named or read from ``$SHELL``, and anything else is a
one-line usage error with nothing written.

Stdlib only, imported only to generate, show or install a script (never on the lookup path). It
never imports the CLI: the caller hands it the Click group (``cli._command()``), so ``cli`` may
import it without an import cycle.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from glorotcalc.errors import GlorotcalcError, UsageError

PROG = "glorotcalc"
DEFAULT_COMMAND = "lookup"  # the command a first word that is not a command name belongs to
SHELLS = ("bash", "zsh", "fish", "powershell")
SHELL_NAMES = {"bash": "bash", "zsh": "zsh", "fish": "fish", "powershell": "powershell", "pwsh": "powershell"}
OPTIONS = ("--install-completion", "--show-completion")
FILES = {
    "bash": "glorotcalc.bash",
    "zsh": "_glorotcalc",
    "fish": "glorotcalc.fish",
    "powershell": "glorotcalc.ps1",
}
INIT_OPTION = "--init"
INIT_DEFAULT_COMMANDS = ("propagate",)  # where ``--init default`` is a value (each framework's default)
REGENERATE = "python -m glorotcalc.completion"

# kinds of values: a flag takes none; "words" one of `values`; "list" a comma list of `values`;
# "files" a path; "text" a free value (a number): nothing is offered; "none" no word at all.
FLAG, WORDS, LIST, PATHS, TEXT, NONE = "flag", "words", "list", "files", "text", "none"
_PATH_TYPES = {"text", "str", "path", "filename", "file"}
_PROBE = "\x1f,"  # a list completer keeps this head: ``_complete(..., lists=True)`` in the CLI


@dataclass(frozen=True)
class Option:
    names: tuple[str, ...]  # every spelling: ("--nonlinearity", "--act")
    help: str
    kind: str
    values: tuple[str, ...] = ()
    metavar: str = ""


@dataclass(frozen=True)
class Argument:
    name: str
    kind: str  # WORDS or PATHS
    values: tuple[str, ...]
    nargs: int  # -1: all the words that are left


@dataclass(frozen=True)
class Command:
    name: str
    help: str
    options: tuple[Option, ...]
    arguments: tuple[Argument, ...]


@dataclass(frozen=True)
class Tree:
    root: tuple[Option, ...]  # valid only as the first word
    commands: tuple[Command, ...]
    default: str

    def command(self, name: str) -> Command:
        return next(c for c in self.commands if c.name == name)


# --- reading the Click tree -------------------------------------------------------------------


def tree(group) -> Tree:
    """The commands, options and values of the Click `group` (``cli._command()``)."""
    ctx = group.context_class(group, info_name=PROG, **group.context_settings)
    root = [_option(p, ctx, None) for p in group.get_params(ctx) if _is_option(p) and not _is_help(p, ctx)]
    root = [o for o in root if not set(o.names) & set(OPTIONS)]
    root += [_shell_option(name) for name in OPTIONS]
    root += [_help_option(p, ctx) for p in group.get_params(ctx) if _is_help(p, ctx)]
    commands = []
    for name, command in group.commands.items():
        if getattr(command, "hidden", False):
            continue
        sub = command.context_class(command, parent=ctx, info_name=name)
        params = [p for p in command.get_params(sub) if not getattr(p, "hidden", False)]
        options = tuple(
            _help_option(p, sub) if _is_help(p, sub) else _option(p, sub, name)
            for p in params
            if _is_option(p)
        )
        arguments = tuple(_argument(p, sub) for p in params if p.param_type_name == "argument")
        commands.append(Command(name, _summary(command.get_short_help_str(limit=80)), options, arguments))
    default = getattr(group, "default_command", DEFAULT_COMMAND)
    return Tree(tuple(root), tuple(commands), default)


def _is_option(param) -> bool:
    return param.param_type_name == "option"


def _is_help(param, ctx) -> bool:
    return bool(param.opts) and set(param.opts) <= set(ctx.help_option_names)


def _help_option(param, ctx) -> Option:
    # Click builds the help option from a set: keep the order of help_option_names
    names = tuple(name for name in ctx.help_option_names if name in param.opts)
    return Option(names, _summary(param.help), FLAG)


def _shell_option(name: str) -> Option:
    verb = "Install" if name == "--install-completion" else "Print"
    return Option(
        (name,), f"{verb} the completion script for SHELL (default: $SHELL's); alone", WORDS, SHELLS
    )


def _option(param, ctx, command: str | None) -> Option:
    names = (*param.opts, *param.secondary_opts)
    help_text = _summary(param.help)
    if getattr(param, "is_flag", False) or getattr(param, "count", False):
        return Option(names, help_text, FLAG)
    if INIT_OPTION in param.opts:
        return Option(names, help_text, WORDS, _init_values(command), "NAME")
    kind, values = _values(param, ctx)
    return Option(names, help_text, kind, values, param.metavar or "")


def _argument(param, ctx) -> Argument:
    kind, values = _values(param, ctx)
    return Argument(param.name, TEXT if kind == TEXT else kind, values, param.nargs)


def _values(param, ctx) -> tuple[str, tuple[str, ...]]:
    """What `param` completes: its Typer autocompletion's values (a comma list when the completer
    keeps the head of ``a,b,``), a Choice's values, files for a plain string, else nothing."""
    complete = getattr(param, "_custom_shell_complete", None)
    if complete is not None:
        values = tuple(item.value for item in complete(ctx, param, ""))
        is_list = any(item.value.startswith(_PROBE) for item in complete(ctx, param, _PROBE))
        return (LIST if is_list else WORDS), values
    choices = getattr(param.type, "choices", None)
    if choices:
        return WORDS, tuple(str(getattr(c, "value", c)) for c in choices)
    return (PATHS if param.type.name in _PATH_TYPES else TEXT), ()


def _init_values(command: str | None) -> tuple[str, ...]:
    """``--init``: every initializer name of every framework; ``default`` where it is a value."""
    from glorotcalc.initnames import INIT_NAMES, PROPAGATE_NAMES

    if command in INIT_DEFAULT_COMMANDS:  # propagate: variance scaling and orthogonal only
        return ("default", *PROPAGATE_NAMES)
    return tuple(dict.fromkeys(name for names in INIT_NAMES.values() for name in names))


def _summary(text: str | None, limit: int = 72) -> str:
    """The first clause of a help text, without its ``[default: …]``, at most `limit` characters."""
    text = re.sub(r"\s*\[default: [^\]]*\]", "", " ".join((text or "").split()))
    first = re.split(r"(?<!e\.g\.)(?<!i\.e\.)(?<=[.;])\s", text, maxsplit=1)[0].rstrip(".;")
    if len(first) > limit:
        first = first[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:( ") + "…"
    return first


def _header(shell: str) -> str:
    return (
        f"# {PROG} completion for {shell}: static, written from the CLI by `{REGENERATE}`;\n"
        "# a Tab runs no Python. Do not edit: regenerate.\n"
    )


# --- bash -------------------------------------------------------------------------------------------

_BASH_MAIN = r"""
# _glorotcalc_add PREFIX CUR WORD...: each WORD that starts with CUR, as PREFIX+WORD
_glorotcalc_add() {
    local prefix=$1 cur=$2 word
    shift 2
    for word; do
        [[ $word == "$cur"* ]] && COMPREPLY+=("$prefix$word")
    done
}

# _glorotcalc_complete PREFIX CUR: the values of the option or argument _glorotcalc_kind describes
_glorotcalc_complete() {
    local prefix=$1 cur=$2 head="" choice line
    case $_glorotcalc_kind in
        words) _glorotcalc_add "$prefix" "$cur" $_glorotcalc_values ;;
        list)  # a comma list: complete its last item, leaving out those already in it
            [[ $cur == *,* ]] && head=${cur%,*},
            for choice in $_glorotcalc_values; do
                [[ ,$head == *,"$choice",* ]] || _glorotcalc_add "$prefix$head" "${cur##*,}" "$choice"
            done ;;
        files)
            compopt -o filenames 2>/dev/null
            while IFS= read -r line; do COMPREPLY+=("$prefix$line"); done < <(compgen -f -- "$cur") ;;
    esac
}

_glorotcalc() {
    local cur word i cword=0 cmd=__CMD__ first=1 npos=0 expect="" expect_cmd="" dashdash="" strip
    local _glorotcalc_kind _glorotcalc_values _glorotcalc_options
    local -a words=()
    COMPREPLY=()
    # Bash splits COMP_WORDS at COMP_WORDBREAKS (= and :): join again the pieces no blank separates.
    if [[ -n ${COMP_LINE-} ]]; then
        local line=$COMP_LINE blank
        for (( i = 0; i <= COMP_CWORD && i < ${#COMP_WORDS[@]}; i++ )); do
            word=${COMP_WORDS[i]}
            blank=${line%%[![:space:]]*}
            line=${line#"$blank"}
            if (( i > 0 )) && [[ -z $blank ]]; then
                words[${#words[@]}-1]+=$word
            else
                words+=("$word")
            fi
            line=${line#"$word"}
            (( i == COMP_CWORD )) && cword=$(( ${#words[@]} - 1 ))
        done
    else
        words=("${COMP_WORDS[@]}")
        cword=$COMP_CWORD
    fi
    cur=${words[cword]-}
    if (( cword > 1 )); then
        case ${words[1]} in
            __COMMANDS_PATTERN__) cmd=${words[1]}; first=2 ;;
        esac
    fi
    # the words before the cursor: which option waits for a value, how many arguments are given
    for (( i = first; i < cword; i++ )); do
        word=${words[i]}
        if [[ -n $expect ]]; then expect=""; continue; fi
        if [[ -n $dashdash ]]; then (( npos++ )); continue; fi
        case $word in
            --) dashdash=1 ;;
            -?*=*) ;;
            -?*)
                _glorotcalc_kind=flag
                (( i == 1 )) && _glorotcalc_option "" "$word" && expect_cmd=""
                [[ $_glorotcalc_kind == flag ]] && _glorotcalc_option "$cmd" "$word" && expect_cmd=$cmd
                [[ $_glorotcalc_kind != flag ]] && expect=$word ;;
            *) (( npos++ )) ;;
        esac
    done
    if [[ -n $expect ]]; then
        _glorotcalc_option "$expect_cmd" "$expect"
        _glorotcalc_complete "" "$cur"
    elif [[ -z $dashdash && $cur == -?*=* ]]; then
        _glorotcalc_kind=flag
        (( cword == 1 )) && _glorotcalc_option "" "${cur%%=*}"
        [[ $_glorotcalc_kind == flag ]] && _glorotcalc_option "$cmd" "${cur%%=*}"
        _glorotcalc_complete "${cur%%=*}=" "${cur#*=}"
    elif [[ -z $dashdash && $cur == -* ]]; then
        if (( cword == 1 )); then
            _glorotcalc_options ""
            _glorotcalc_add "" "$cur" $_glorotcalc_options
        fi
        _glorotcalc_options "$cmd"
        _glorotcalc_add "" "$cur" $_glorotcalc_options
    elif (( cword == 1 )); then  # a command, else the default command's first argument
        _glorotcalc_add "" "$cur" __COMMANDS__
        if (( ${#COMPREPLY[@]} == 0 )); then
            _glorotcalc_argument "$cmd" 0
            _glorotcalc_complete "" "$cur"
        fi
    else
        _glorotcalc_argument "$cmd" "$npos"
        _glorotcalc_complete "" "$cur"
    fi
    # Readline replaces only the text after the last word break of the word ($2): drop the rest.
    if [[ $# -ge 2 && $2 != "$cur" && $cur == *"$2" ]]; then
        strip=${cur%"$2"}
        COMPREPLY=("${COMPREPLY[@]#"$strip"}")
    fi
    return 0
}

complete -F _glorotcalc glorotcalc
"""


def bash(t: Tree) -> str:
    names = [c.name for c in t.commands]
    out = [_header("bash")]
    out.append("\n# _glorotcalc_options COMMAND: its options (COMMAND empty: the first word's own)\n")
    out.append("_glorotcalc_options() {\n    case $1 in\n")
    for key, options in [("''", t.root), *((c.name, c.options) for c in t.commands)]:
        spellings = " ".join(n for o in options for n in o.names)
        out.append(f'        {key}) _glorotcalc_options="{spellings}" ;;\n')
    out.append('        *) _glorotcalc_options="" ;;\n    esac\n}\n')
    out.append(
        "\n# _glorotcalc_option COMMAND OPTION: what OPTION of COMMAND takes (_glorotcalc_kind and\n"
        "# _glorotcalc_values); 1 (and kind flag) for a flag or an option COMMAND does not have\n"
    )
    out.append('_glorotcalc_option() {\n    _glorotcalc_values=\n    case "$1 $2" in\n')
    cases: dict[tuple[str, tuple[str, ...]], list[str]] = {}
    for key, options in [("", t.root), *((c.name, c.options) for c in t.commands)]:
        for option in options:
            if option.kind == FLAG:  # anything not listed is a flag
                continue
            for name in option.names:
                cases.setdefault((option.kind, option.values), []).append(f'"{key} {name}"')
    for (kind, values), patterns in cases.items():
        out.append(_bash_case(patterns, kind, values))
    out.append("        *) _glorotcalc_kind=flag; return 1 ;;\n    esac\n}\n")
    out.append("\n# _glorotcalc_argument COMMAND N: what the N-th argument (from 0) of COMMAND takes\n")
    out.append('_glorotcalc_argument() {\n    _glorotcalc_values=\n    case "$1 $2" in\n')
    for command in t.commands:
        index = 0
        for argument in command.arguments:
            if argument.nargs < 0:
                patterns = [f'"{command.name} "*']
            else:
                patterns = [f'"{command.name} {index + k}"' for k in range(argument.nargs)]
                index += argument.nargs
            out.append(_bash_case(patterns, argument.kind, argument.values))
            if argument.nargs < 0:
                break
        else:
            out.append(_bash_case([f'"{command.name} "*'], NONE, ()))
    out.append("        *) _glorotcalc_kind=none ;;\n    esac\n}\n")
    main = _BASH_MAIN.replace("__CMD__", t.default)
    main = main.replace("__COMMANDS_PATTERN__", "|".join(names)).replace("__COMMANDS__", " ".join(names))
    out.append(main)
    return "".join(out)


def _bash_case(patterns: list[str], kind: str, values: tuple[str, ...]) -> str:
    body = f"_glorotcalc_kind={kind}"
    if values:
        body += f'; _glorotcalc_values="{" ".join(values)}"'
    lines, line = [], "        "
    for pattern in patterns:
        if len(line) + len(pattern) > 100 and line.strip():
            lines.append(line + "|\\\n")
            line = "        "
        line += ("|" if line.strip() else "") + pattern
    return "".join(lines) + f"{line})\n            {body} ;;\n"


# --- zsh --------------------------------------------------------------------------------------------


def _zsh_quote(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"


def _zsh_describe(text: str) -> str:
    return re.sub(r"([\[\]:\\])", r"\\\1", text)


def _zsh_action(kind: str, values: tuple[str, ...], what: str) -> str:
    if kind == WORDS:
        return f"{what}:({' '.join(values)})"
    if kind == LIST:
        return f"{what}:_sequence compadd - {' '.join(values)}"
    if kind == PATHS:
        return f"{what}:_files"
    return f"{what}: "


def _zsh_specs(options: tuple[Option, ...], *, alone: bool = False) -> list[str]:
    specs = []
    for option in options:
        is_help = option.kind == FLAG and option.names[0] in ("-h", "--help")
        exclusive = "- *" if alone or is_help else ""
        exclusive = exclusive or " ".join(option.names)
        for name in option.names:
            describe = f"[{_zsh_describe(option.help)}]"
            if option.kind == FLAG:
                specs.append(_zsh_quote(f"({exclusive}){name}{describe}"))
                continue
            what = _zsh_describe((option.metavar or option.names[0].lstrip("-")).lower())
            optional = ":" if name in OPTIONS else ""
            action = _zsh_action(option.kind, option.values, what)
            specs.append(_zsh_quote(f"({exclusive}){name}={describe}:{optional}{action}"))
    return specs


def _zsh_arguments(command: Command) -> list[str]:
    specs, index = [], 1
    for argument in command.arguments:
        what = _zsh_describe(argument.name)
        if argument.nargs < 0:
            specs.append(_zsh_quote(f"*:{_zsh_action(argument.kind, argument.values, what)}"))
            break
        for _ in range(argument.nargs):
            specs.append(_zsh_quote(f"{index}:{_zsh_action(argument.kind, argument.values, what)}"))
            index += 1
    return specs


def zsh(t: Tree) -> str:
    out = [f"#compdef {PROG}\n", _header("zsh")]
    root_names = [n for o in t.root for n in o.names if n not in ("-h", "--help")]
    for command in t.commands:
        out.append(f"\n_glorotcalc_{command.name}() {{\n    local -a specs=(\n")
        for spec in _zsh_specs(command.options) + _zsh_arguments(command):
            out.append(f"        {spec}\n")
        out.append("    )\n")
        if command.name == t.default:
            out.append("    # the first word may be an option of the group itself\n")
            out.append("    (( CURRENT == 2 )) && specs=($_glorotcalc_root $specs)\n")
        out.append("    _arguments -S : $specs\n}\n")
    out.append("\n_glorotcalc() {\n    local -a _glorotcalc_root=(\n")
    for spec in _zsh_specs(tuple(o for o in t.root if o.names[0] not in ("-h", "--help")), alone=True):
        out.append(f"        {spec}\n")
    out.append("    )\n    local -a commands=(\n")
    for command in t.commands:
        out.append(f"        {_zsh_quote(command.name + ':' + _zsh_describe(command.help))}\n")
    out.append("    )\n")
    out.append(
        "    local curcontext=$curcontext\n"
        "    if (( CURRENT == 2 )) && [[ $PREFIX != -* ]]; then\n"
        "        # a command, else the default command's first argument\n"
        "        _describe -t commands command commands && return 0\n"
        f"        _glorotcalc_{t.default}\n        return\n    fi\n"
        f"    if (( CURRENT == 3 )) && [[ ${{words[2]}} == ({'|'.join(root_names)})(|=*) ]]; then\n"
        "        _arguments -S : $_glorotcalc_root\n        return\n    fi\n"
        "    case ${words[2]} in\n"
    )
    for command in t.commands:
        out.append(
            f"        {command.name})\n"
            f'            curcontext="${{curcontext%:*:*}}:{PROG}-{command.name}:"\n'
            f"            shift words; (( CURRENT-- )); _glorotcalc_{command.name} ;;\n"
        )
    out.append(f"        *) _glorotcalc_{t.default} ;;\n    esac\n}}\n")
    out.append(
        "\n# Autoloaded from $fpath (as installed), this file is _glorotcalc's body: complete this Tab too.\n"
        "# Sourced (after compinit), it registers the function.\n"
        "if [[ $zsh_eval_context[-1] == loadautofunc ]]; then\n"
        '    _glorotcalc "$@"\nelse\n    compdef _glorotcalc glorotcalc\nfi\n'
    )
    return "".join(out)


# --- fish -------------------------------------------------------------------------------------------

_FISH_HELPERS = r"""
function __glorotcalc_command --description 'the command in effect: the first word, else __DEFAULT__'
    set -l words (commandline -opc)
    if set -q words[2]; and contains -- $words[2] __COMMANDS__
        echo $words[2]
    else
        echo __DEFAULT__
    end
end

function __glorotcalc_first --description 'the first word after glorotcalc is being typed'
    test (count (commandline -opc)) -eq 1
end

function __glorotcalc_root --description 'the first word, or the value of an option of the group itself'
    set -l words (commandline -opc)
    test (count $words) -eq 1; and return 0
    test (count $words) -eq 2; and contains -- $words[2] __ROOT_VALUED__
end

function __glorotcalc_is --description 'the command in effect is $argv[1]'
    test (__glorotcalc_command) = $argv[1]
end

function __glorotcalc_not_command --description 'no command name starts with the word being typed'
    set -l word (commandline -ct)
    for name in __COMMANDS__
        string match -q -- "$word*" $name; and return 1
    end
    return 0
end

# __glorotcalc_arg COMMAND N: the word being typed is argument N (from 0) of COMMAND; N+: N or later
function __glorotcalc_arg
    set -l cmd (__glorotcalc_command)
    test $cmd = $argv[1]; or return 1
    __glorotcalc_first; and return 1
    set -l words (commandline -opc)
    contains -- $words[2] __ROOT__; and return 1
    set -l takes (__glorotcalc_takes_value $cmd)
    set -l start 2
    test $cmd = $words[2]; and set start 3
    set -l n 0
    set -l expect 0
    set -l dashdash 0
    for word in $words[$start..-1]
        if test $expect = 1
            set expect 0
        else if test $dashdash = 1
            set n (math $n + 1)
        else if test "$word" = --
            set dashdash 1
        else if string match -q -- '-?*=*' $word
        else if string match -q -- '-?*' $word
            contains -- $word $takes; and set expect 1
        else
            set n (math $n + 1)
        end
    end
    test $expect = 0; or return 1
    if string match -q -- '*+' $argv[2]
        test $n -ge (string trim -r -c + -- $argv[2])
    else
        test $n -eq $argv[2]
    end
end

function __glorotcalc_list --description 'a comma list: each choice not yet in it, after the items typed'
    set -l token (string replace -r -- '^-[^=]*=' '' (commandline -ct))
    set -l head (string replace -r -- '[^,]*$' '' $token)
    set -l chosen (string split -- , $head)
    for choice in $argv
        contains -- $choice $chosen; or echo $head$choice
    end
end
"""


def _fish_quote(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _fish_option(option: Option, condition: str) -> list[str]:
    lines = []
    for name in option.names:
        spelling = f"-l {name[2:]}" if name.startswith("--") else f"-s {name[1:]}"
        line = f"complete -c {PROG} -n {_fish_quote(condition)} {spelling}"
        if option.kind == WORDS:
            line += f" -x -a {_fish_quote(' '.join(option.values))}"
        elif option.kind == LIST:
            line += f" -x -a {_fish_quote('(__glorotcalc_list ' + ' '.join(option.values) + ')')}"
        elif option.kind == PATHS:
            line += " -r -F"
        elif option.kind == TEXT:
            line += " -x"
        lines.append(f"{line} -d {_fish_quote(option.help)}")
    return lines


def _fish_argument(command: Command, argument: Argument, index: str) -> str:
    condition = _fish_quote(f"__glorotcalc_arg {command.name} {index}")
    line = f"complete -c {PROG} -n {condition}"
    if argument.kind in (WORDS, LIST):
        return f"{line} -a {_fish_quote(' '.join(argument.values))}"
    return f"{line} -F" if argument.kind == PATHS else f"{line} -f"


def fish(t: Tree) -> str:
    names = " ".join(c.name for c in t.commands)
    out = [_header("fish")]
    root = [o for o in t.root if o.names[0] not in ("-h", "--help")]
    helpers = _FISH_HELPERS.replace("__COMMANDS__", names).replace("__DEFAULT__", t.default)
    helpers = helpers.replace("__ROOT_VALUED__", " ".join(n for o in root if o.kind != FLAG for n in o.names))
    out.append(helpers.replace("__ROOT__", " ".join(n for o in root for n in o.names)))
    out.append(
        "\n# __glorotcalc_takes_value COMMAND: the options of COMMAND that take a value\n"
        "function __glorotcalc_takes_value\n"
    )
    out.append("    switch $argv[1]\n")
    for command in t.commands:
        takes = " ".join(n for o in command.options if o.kind != FLAG for n in o.names)
        out.append(f"        case {command.name}\n            string split -- ' ' {_fish_quote(takes)}\n")
    out.append("    end\nend\n\n")
    out.append(f"complete -c {PROG} -f\n")
    out.append("\n# the first word: a command, an option of the group, else the default command's argument\n")
    for command in t.commands:
        out.append(
            f"complete -c {PROG} -n __glorotcalc_first -a {command.name} -d {_fish_quote(command.help)}\n"
        )
    default = t.command(t.default)
    if default.arguments and default.arguments[0].kind == PATHS:
        condition = _fish_quote("__glorotcalc_first; and __glorotcalc_not_command")
        out.append(f"complete -c {PROG} -n {condition} -F\n")
    for option in root:
        out.extend(line + "\n" for line in _fish_option(option, "__glorotcalc_root"))
    for command in t.commands:
        out.append(f"\n# {command.name}\n")
        for option in command.options:
            out.extend(line + "\n" for line in _fish_option(option, f"__glorotcalc_is {command.name}"))
        index = 0
        for argument in command.arguments:
            if argument.nargs < 0:
                out.append(_fish_argument(command, argument, f"{index}+") + "\n")
                break
            for _ in range(argument.nargs):
                out.append(_fish_argument(command, argument, str(index)) + "\n")
                index += 1
    return "".join(out)


# --- PowerShell (best effort: no pwsh on the test machines) ----------------------------------------

_PS_MAIN = r"""
Register-ArgumentCompleter -Native -CommandName glorotcalc -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)
__TABLES__
    $words = @($commandAst.CommandElements |
        Where-Object { $_.Extent.StartOffset -lt $cursorPosition } | ForEach-Object { $_.ToString() })
    if ($wordToComplete -ne '' -and $words.Count -gt 1) { $words = @($words[0..($words.Count - 2)]) }
    $cur = "$wordToComplete".Trim([char]39, [char]34)
    $cmd = '__DEFAULT__'
    $first = 1
    if ($words.Count -gt 1 -and $commands -ccontains $words[1]) { $cmd = $words[1]; $first = 2 }
    $found = [System.Collections.Generic.List[string]]::new()
    $add = {
        param($prefix, $typed, $kind, $choices)
        if ($kind -eq 'words') {
            foreach ($c in $choices) { if ($c.StartsWith($typed, 'Ordinal')) { $found.Add($prefix + $c) } }
        } elseif ($kind -eq 'list') {  # a comma list: its last item, leaving out those already in it
            $head = ''
            if ($typed.Contains(',')) { $head = $typed.Substring(0, $typed.LastIndexOf(',') + 1) }
            $last = $typed.Substring($head.Length)
            $chosen = $head.Split(',')
            foreach ($c in $choices) {
                if ($chosen -cnotcontains $c -and $c.StartsWith($last, 'Ordinal')) {
                    $found.Add($prefix + $head + $c)
                }
            }
        }
    }
    $kindOf = {
        param($command, $name)
        $key = "$command $name"
        if ($values.ContainsKey($key)) { return , $values[$key] }
        return $null
    }
    $expect = $null
    $npos = 0
    $dashdash = $false
    for ($i = $first; $i -lt $words.Count; $i++) {
        $w = $words[$i]
        if ($expect) { $expect = $null; continue }
        if ($dashdash) { $npos++; continue }
        if ($w -eq '--') { $dashdash = $true }
        elseif ($w -like '-?*=*') { }
        elseif ($w -like '-?*') {
            $v = $null
            if ($i -eq 1) { $v = & $kindOf '' $w }
            if (-not $v) { $v = & $kindOf $cmd $w }
            if ($v) { $expect = $v }
        }
        else { $npos++ }
    }
    if ($expect) {
        & $add '' $cur $expect[0] @($expect | Select-Object -Skip 1)
    } elseif (-not $dashdash -and $cur -like '-?*=*') {
        $name = $cur.Substring(0, $cur.IndexOf('='))
        $v = $null
        if ($words.Count -eq 1) { $v = & $kindOf '' $name }
        if (-not $v) { $v = & $kindOf $cmd $name }
        if ($v) { & $add "$name=" $cur.Substring($name.Length + 1) $v[0] @($v | Select-Object -Skip 1) }
    } elseif (-not $dashdash -and $cur.StartsWith('-')) {
        $names = @($options[$cmd])
        if ($words.Count -eq 1) { $names = @($options['']) + $names }
        & $add '' $cur 'words' $names
    } elseif ($words.Count -eq 1) {  # a command, else the default command's first argument
        & $add '' $cur 'words' $commands
    } else {
        $key = "$cmd $npos"
        if (-not $arguments.ContainsKey($key)) { $key = "$cmd *" }
        if ($arguments.ContainsKey($key)) {
            $v = $arguments[$key]
            & $add '' $cur $v[0] @($v | Select-Object -Skip 1)
        }
    }
    # nothing found (a file argument): PowerShell completes file names itself
    foreach ($text in $found) {
        $insert = $text
        if ($text -match '[\s,;(){}$@`''"]') { $insert = "'" + $text.Replace("'", "''") + "'" }
        [System.Management.Automation.CompletionResult]::new($insert, $text, 'ParameterValue', $text)
    }
}
"""


def _ps_quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _ps_list(items) -> str:
    return "@(" + ", ".join(_ps_quote(i) for i in items) + ")"


def powershell(t: Tree) -> str:
    tables = [f"$commands = {_ps_list(c.name for c in t.commands)}", "$options = @{"]
    for key, options in [("", t.root), *((c.name, c.options) for c in t.commands)]:
        tables.append(f"    {_ps_quote(key)} = {_ps_list(n for o in options for n in o.names)}")
    tables += [
        "}",
        "# 'COMMAND --option' = kind, values... (the first word's own: ' --option'; flags are absent)",
    ]
    tables.append("$values = @{")
    for key, options in [("", t.root), *((c.name, c.options) for c in t.commands)]:
        for option in options:
            if option.kind != FLAG:
                for name in option.names:
                    tables.append(
                        f"    {_ps_quote(f'{key} {name}')} = {_ps_list((option.kind, *option.values))}"
                    )
    tables += ["}", "# 'COMMAND N' (or 'COMMAND *': every later one) = kind, values...", "$arguments = @{"]
    for command in t.commands:
        index = 0
        for argument in command.arguments:
            spec = _ps_list((argument.kind, *argument.values))
            if argument.nargs < 0:
                tables.append(f"    {_ps_quote(f'{command.name} *')} = {spec}")
                break
            for _ in range(argument.nargs):
                tables.append(f"    {_ps_quote(f'{command.name} {index}')} = {spec}")
                index += 1
        else:
            tables.append(f"    {_ps_quote(f'{command.name} *')} = {_ps_list((NONE,))}")
    tables.append("}")
    body = "\n".join("    " + line for line in tables)
    return _header("PowerShell") + _PS_MAIN.replace("__TABLES__", body).replace("__DEFAULT__", t.default)


# --- the scripts, shown and installed ---------------------------------------------------------------

WRITERS = {"bash": bash, "zsh": zsh, "fish": fish, "powershell": powershell}


def script(shell: str, group) -> str:
    """The completion script for `shell` (one of `SHELLS`) from the Click `group`."""
    return WRITERS[shell](tree(group))


def scripts(group) -> dict[str, str]:
    """Each committed file name → its text (``completions/glorotcalc.bash`` …)."""
    t = tree(group)
    return {FILES[shell]: writer(t) for shell, writer in WRITERS.items()}


def show(shell: str, group) -> str:
    """What ``--show-completion SHELL`` prints."""
    return script(shell, group)


def detect_shell(environ=None, option: str = "--install-completion") -> str:
    """The shell ``$SHELL`` names (``/usr/bin/zsh`` → zsh), or a UsageError."""
    environ = os.environ if environ is None else environ
    value = environ.get("SHELL", "")
    name = re.sub(r"(?i)\.exe$", "", os.path.basename(value.rstrip("/\\")))
    if name in SHELL_NAMES:
        return SHELL_NAMES[name]
    said = f"$SHELL is {value!r}" if value else "$SHELL is not set"
    raise UsageError(f"cannot tell which shell to complete ({said})", None, _usage(option))


def _usage(option: str) -> str:
    return f"name it: glorotcalc {option} bash (or zsh, fish, powershell)"


def install_paths(shell: str, home: Path, environ=None) -> tuple[Path, Path | None, str | None]:
    """Where `install` writes for `shell`: (script, startup file or None, the line it needs there).

    The same places as Typer's ``--install-completion``, so installing replaces the script an
    earlier Typer install left (which ran Python on every Tab).
    """
    environ = os.environ if environ is None else environ
    if shell == "bash":
        target = home / ".bash_completions" / f"{PROG}.sh"
        return target, home / ".bashrc", f"source '{target}'"
    if shell == "zsh":
        return (
            home / ".zfunc" / f"_{PROG}",
            home / ".zshrc",
            "fpath+=~/.zfunc; autoload -Uz compinit; compinit",
        )
    if shell == "fish":
        config = Path(environ["XDG_CONFIG_HOME"]) if environ.get("XDG_CONFIG_HOME") else home / ".config"
        return config / "fish" / "completions" / f"{PROG}.fish", None, None
    if os.name == "nt":
        profile = home / "Documents" / "PowerShell" / "Microsoft.PowerShell_profile.ps1"
    else:
        config = Path(environ["XDG_CONFIG_HOME"]) if environ.get("XDG_CONFIG_HOME") else home / ".config"
        profile = config / "powershell" / "Microsoft.PowerShell_profile.ps1"
    target = profile.parent / f"{PROG}-completion.ps1"
    return target, profile, f". '{target}'"


def install(shell: str, group, home: Path | None = None, environ=None) -> Path:
    """Write the script for `shell` where it is found; add one line to the startup file if it needs
    one and lacks it. Returns the script's path."""
    home = Path.home() if home is None else Path(home)
    target, startup, line = install_paths(shell, home, environ)
    text = script(shell, group)
    scratch = target.with_name(f".{target.name}.tmp{os.getpid()}")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        scratch.write_text(text, encoding="utf-8", newline="\n")
        os.replace(scratch, target)  # a shell starting meanwhile reads the old script or the new one
        if startup is not None and line is not None:
            _add_line(startup, line)
    except OSError as error:
        with contextlib.suppress(OSError):
            scratch.unlink(missing_ok=True)
        where = getattr(error, "filename", None) or target
        raise GlorotcalcError(
            f"cannot install the {shell} completion: {where}", None, error.strerror
        ) from None
    return target


def _add_line(path: Path, line: str) -> None:
    """Append `line` to `path` (made if missing) unless a line of it already reads so."""
    text = path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""
    if line in (existing.strip() for existing in text.splitlines()):
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(("\n" if text and not text.endswith("\n") else "") + line + "\n")


def requested(args: list[str]) -> bool:
    """Whether `args` name ``--install-completion`` or ``--show-completion`` (before ``--``)."""
    words = args[: args.index("--")] if "--" in args else args
    return any(word.split("=", 1)[0] in OPTIONS for word in words)


def parse(args: list[str], environ=None) -> tuple[str, str]:
    """(option, shell) from ``--show-completion [SHELL]`` / ``--install-completion [SHELL]`` /
    ``--OPTION=SHELL``, alone on the line; else a UsageError."""
    words = args[: args.index("--")] if "--" in args else args
    option = next(word.split("=", 1)[0] for word in words if word.split("=", 1)[0] in OPTIONS)
    head, has_value, value = args[0].partition("=") if args else ("", "", "")
    if head == option and has_value and len(args) == 1:
        name: str | None = value
    elif args and args[0] == option and len(args) <= 2:
        name = args[1] if len(args) == 2 else None
    else:
        raise UsageError(
            f"{option} goes alone on the line", None, f"glorotcalc {option} [{'|'.join(SHELLS)}]"
        )
    if name is None:
        return option, detect_shell(environ, option)
    if name.lower() not in SHELL_NAMES:
        raise UsageError(f"{option}: no completion for shell", name, "use one of " + ", ".join(SHELLS))
    return option, SHELL_NAMES[name.lower()]


def run_option(args: list[str], group, *, home: Path | None = None, environ=None, out=None) -> int:
    """``glorotcalc --show-completion [SHELL]`` / ``--install-completion [SHELL]``: 0, or raises
    a UsageError (exit 2) with nothing written, or a GlorotcalcError when the files cannot be."""
    option, shell = parse(args, environ)
    out = sys.stdout if out is None else out
    if option == "--show-completion":
        out.write(show(shell, group))
        return 0
    target = install(shell, group, home, environ)
    _, startup, _line = install_paths(shell, Path.home() if home is None else Path(home), environ)
    loaded = f", loaded from {startup}" if startup is not None else ""
    out.write(f"{shell} completion installed in {target}{loaded}; it works in shells started from now on.\n")
    return 0


# --- python -m glorotcalc.completion -----------------------------------------------------------------


def write(group, folder: Path) -> list[Path]:
    """Write every script into `folder`; return the paths."""
    written = []
    for name, text in scripts(group).items():
        path = Path(folder) / name
        path.write_text(text, encoding="utf-8", newline="\n")
        written.append(path)
    return written


def stale(group, folder: Path) -> list[str]:
    """The files of `folder` that differ from the scripts the CLI gives (or are missing)."""
    found = []
    for name, text in scripts(group).items():
        path = Path(folder) / name
        if not path.exists() or path.read_bytes() != text.encode("utf-8"):
            found.append(name)
    return found


def main(argv: list[str] | None = None) -> int:
    """``python -m glorotcalc.completion [--check] [FOLDER]`` (default: the source tree's completions/)."""
    import argparse
    import importlib

    parser = argparse.ArgumentParser(prog="python -m glorotcalc.completion", description=main.__doc__)
    parser.add_argument(
        "folder", nargs="?", type=Path, default=Path(__file__).resolve().parents[1] / "completions"
    )
    parser.add_argument("--check", action="store_true", help="only check: exit 1 if a script is stale")
    args = parser.parse_args(argv)
    # The generator's command line loads the app by name: this module itself never imports the CLI.
    group = importlib.import_module("glorotcalc.cli")._command()
    if args.check:
        names = stale(group, args.folder)
        for name in names:
            print(f"stale: {args.folder / name} (run {REGENERATE})", file=sys.stderr)
        return 1 if names else 0
    if not args.folder.is_dir():
        parser.error(f"{args.folder} is not a folder")
    for path in write(group, args.folder):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
