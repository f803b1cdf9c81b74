# glorotcalc completion for bash: static, written from the CLI by `python -m glorotcalc.completion`;
# a Tab runs no Python. Do not edit: regenerate.

# _glorotcalc_options COMMAND: its options (COMMAND empty: the first word's own)
_glorotcalc_options() {
    case $1 in
        '') _glorotcalc_options="--version --install-completion --show-completion -h --help" ;;
        lookup) _glorotcalc_options="--scheme --dist --init --nonlinearity --act --slope --gain --mode --shape --layout --depth --layer --framework --format --value --explain --every-row --no-color --sample --samples --seed --threads --hist --dtype -h --help" ;;
        compare) _glorotcalc_options="--init --scheme --dist --nonlinearity --act --slope --gain --mode --shape --layout --depth --framework --format --no-color -h --help" ;;
        defaults) _glorotcalc_options="--shape --layout --depth --layer --framework --format --value --explain --no-color -h --help" ;;
        emit) _glorotcalc_options="--init --scheme --dist --nonlinearity --act --slope --gain --mode --shape --layout --depth --from --format --no-color -h --help" ;;
        propagate) _glorotcalc_options="--depth --nonlinearity --act --slope --init --scheme --dist --gain --mode --shape --layout --batch --seed --dtype --format --no-color -h --help" ;;
        audit) _glorotcalc_options="--layout --format --no-color -h --help" ;;
        gain) _glorotcalc_options="--slope --format --value --no-color -h --help" ;;
        *) _glorotcalc_options="" ;;
    esac
}

# _glorotcalc_option COMMAND OPTION: what OPTION of COMMAND takes (_glorotcalc_kind and
# _glorotcalc_values); 1 (and kind flag) for a flag or an option COMMAND does not have
_glorotcalc_option() {
    _glorotcalc_values=
    case "$1 $2" in
        " --install-completion"|" --show-completion")
            _glorotcalc_kind=words; _glorotcalc_values="bash zsh fish powershell" ;;
        "lookup --scheme"|"compare --scheme")
            _glorotcalc_kind=list; _glorotcalc_values="glorot he lecun xavier kaiming all" ;;
        "lookup --dist")
            _glorotcalc_kind=list; _glorotcalc_values="uniform normal truncated all" ;;
        "lookup --init"|"compare --init"|"emit --init")
            _glorotcalc_kind=words; _glorotcalc_values="xavier_uniform_ xavier_normal_ kaiming_uniform_ kaiming_normal_ xavier_uniform xavier_normal kaiming_uniform kaiming_normal uniform_ normal_ trunc_normal_ constant_ ones_ zeros_ eye_ dirac_ orthogonal_ sparse_ uniform normal constant eye dirac orthogonal sparse GlorotNormal glorot_normal GlorotUniform glorot_uniform HeNormal he_normal HeUniform he_uniform LecunNormal lecun_normal LecunUniform lecun_uniform VarianceScaling variance_scaling RandomNormal random_normal RandomUniform random_uniform TruncatedNormal truncated_normal Zeros zeros Ones ones Constant Identity identity IdentityInitializer Orthogonal OrthogonalInitializer delta_orthogonal zeros_init ones_init" ;;
        "lookup --nonlinearity"|"lookup --act"|"compare --nonlinearity"|"compare --act"|\
        "emit --nonlinearity"|"emit --act"|"propagate --nonlinearity"|"propagate --act")
            _glorotcalc_kind=words; _glorotcalc_values="linear relu leaky_relu tanh sigmoid selu elu gelu silu softplus mish conv1d conv2d conv3d conv_transpose1d conv_transpose2d conv_transpose3d swish identity" ;;
        "lookup --slope"|"lookup --gain"|"lookup --depth"|"lookup --samples"|"lookup --seed"|\
        "lookup --threads"|"compare --slope"|"compare --gain"|"compare --depth"|"defaults --depth"|\
        "emit --slope"|"emit --gain"|"emit --depth"|"propagate --depth"|"propagate --slope"|\
        "propagate --gain"|"propagate --batch"|"propagate --seed"|"gain --slope")
            _glorotcalc_kind=text ;;
        "lookup --mode"|"compare --mode"|"emit --mode"|"propagate --mode")
            _glorotcalc_kind=words; _glorotcalc_values="fan_in fan_out fan_avg fan_geo_avg" ;;
        "lookup --shape"|"lookup --layer"|"compare --shape"|"defaults --shape"|"defaults --layer"|\
        "emit --shape"|"propagate --shape")
            _glorotcalc_kind=files ;;
        "lookup --layout"|"compare --layout"|"defaults --layout"|"emit --layout"|"propagate --layout"|\
        "audit --layout")
            _glorotcalc_kind=words; _glorotcalc_values="torch keras jax flax" ;;
        "lookup --framework"|"emit --from")
            _glorotcalc_kind=words; _glorotcalc_values="torch keras jax flax tf-keras tf-compat-v1 tf1-contrib keras2.2 flax-nnx haiku equinox mlx paddle tinygrad mxnet chainer caffe flux tfjs" ;;
        "lookup --format"|"compare --format"|"defaults --format"|"emit --format"|"propagate --format"|\
        "audit --format"|"gain --format")
            _glorotcalc_kind=words; _glorotcalc_values="table json csv tsv" ;;
        "lookup --dtype"|"propagate --dtype")
            _glorotcalc_kind=words; _glorotcalc_values="float32 float64" ;;
        "compare --dist")
            _glorotcalc_kind=list; _glorotcalc_values="uniform normal all" ;;
        "compare --framework")
            _glorotcalc_kind=list; _glorotcalc_values="torch keras jax flax tf-keras tf-compat-v1 tf1-contrib keras2.2 flax-nnx haiku equinox mlx paddle tinygrad mxnet chainer caffe flux tfjs all" ;;
        "defaults --framework")
            _glorotcalc_kind=list; _glorotcalc_values="torch keras flax tf-keras tf-compat-v1 tf1-contrib keras2.2 flax-nnx haiku equinox mlx paddle tinygrad mxnet chainer flux tfjs all" ;;
        "emit --scheme"|"propagate --scheme")
            _glorotcalc_kind=words; _glorotcalc_values="glorot he lecun xavier kaiming" ;;
        "emit --dist"|"propagate --dist")
            _glorotcalc_kind=words; _glorotcalc_values="uniform normal truncated" ;;
        "propagate --init")
            _glorotcalc_kind=words; _glorotcalc_values="default xavier_uniform_ xavier_normal_ kaiming_uniform_ kaiming_normal_ xavier_uniform xavier_normal kaiming_uniform kaiming_normal uniform_ normal_ trunc_normal_ orthogonal_ sparse_ GlorotNormal glorot_normal GlorotUniform glorot_uniform HeNormal he_normal HeUniform he_uniform LecunNormal lecun_normal LecunUniform lecun_uniform VarianceScaling variance_scaling RandomNormal random_normal RandomUniform random_uniform TruncatedNormal truncated_normal Orthogonal orthogonal OrthogonalInitializer normal delta_orthogonal" ;;
        *) _glorotcalc_kind=flag; return 1 ;;
    esac
}

# _glorotcalc_argument COMMAND N: what the N-th argument (from 0) of COMMAND takes
_glorotcalc_argument() {
    _glorotcalc_values=
    case "$1 $2" in
        "lookup "*)
            _glorotcalc_kind=files ;;
        "compare "*)
            _glorotcalc_kind=files ;;
        "defaults "*)
            _glorotcalc_kind=files ;;
        "emit 0")
            _glorotcalc_kind=words; _glorotcalc_values="torch keras jax flax tf-keras tf-compat-v1 tf1-contrib keras2.2 flax-nnx haiku equinox mlx paddle tinygrad mxnet chainer caffe flux tfjs" ;;
        "emit "*)
            _glorotcalc_kind=files ;;
        "propagate "*)
            _glorotcalc_kind=files ;;
        "audit "*)
            _glorotcalc_kind=files ;;
        "gain 0")
            _glorotcalc_kind=words; _glorotcalc_values="linear relu leaky_relu tanh sigmoid selu elu gelu silu softplus mish conv1d conv2d conv3d conv_transpose1d conv_transpose2d conv_transpose3d swish identity" ;;
        "gain "*)
            _glorotcalc_kind=none ;;
        *) _glorotcalc_kind=none ;;
    esac
}

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
    local cur word i cword=0 cmd=lookup first=1 npos=0 expect="" expect_cmd="" dashdash="" strip
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
            lookup|compare|defaults|emit|propagate|audit|gain) cmd=${words[1]}; first=2 ;;
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
        _glorotcalc_add "" "$cur" lookup compare defaults emit propagate audit gain
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
