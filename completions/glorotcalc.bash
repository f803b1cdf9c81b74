# glorotcalc completion for bash, from its Typer app. Regenerate: python tests/test_completions.py
_glorotcalc_completion() {
    local IFS=$'
'
    COMPREPLY=( $( env COMP_WORDS="${COMP_WORDS[*]}" \
                   COMP_CWORD=$COMP_CWORD \
                   _GLOROTCALC_COMPLETE=complete_bash $1 ) )
    return 0
}

complete -o default -F _glorotcalc_completion glorotcalc
