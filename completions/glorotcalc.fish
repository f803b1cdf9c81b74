# glorotcalc completion for fish: static, written from the CLI by `python -m glorotcalc.completion`;
# a Tab runs no Python. Do not edit: regenerate.

function __glorotcalc_command --description 'the command in effect: the first word, else lookup'
    set -l words (commandline -opc)
    if set -q words[2]; and contains -- $words[2] lookup compare defaults emit propagate audit gain
        echo $words[2]
    else
        echo lookup
    end
end

function __glorotcalc_first --description 'the first word after glorotcalc is being typed'
    test (count (commandline -opc)) -eq 1
end

function __glorotcalc_root --description 'the first word, or the value of an option of the group itself'
    set -l words (commandline -opc)
    test (count $words) -eq 1; and return 0
    test (count $words) -eq 2; and contains -- $words[2] --install-completion --show-completion
end

function __glorotcalc_is --description 'the command in effect is $argv[1]'
    test (__glorotcalc_command) = $argv[1]
end

function __glorotcalc_not_command --description 'no command name starts with the word being typed'
    set -l word (commandline -ct)
    for name in lookup compare defaults emit propagate audit gain
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
    contains -- $words[2] --version --install-completion --show-completion; and return 1
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

# __glorotcalc_takes_value COMMAND: the options of COMMAND that take a value
function __glorotcalc_takes_value
    switch $argv[1]
        case lookup
            string split -- ' ' '--scheme --dist --init --nonlinearity --act --slope --gain --mode --shape --layout --depth --layer --framework --format --samples --seed --threads --dtype'
        case compare
            string split -- ' ' '--init --scheme --dist --nonlinearity --act --slope --gain --mode --shape --layout --depth --framework --format'
        case defaults
            string split -- ' ' '--shape --layout --depth --layer --framework --format'
        case emit
            string split -- ' ' '--init --scheme --dist --nonlinearity --act --slope --gain --mode --shape --layout --depth --from --format'
        case propagate
            string split -- ' ' '--depth --nonlinearity --act --slope --init --scheme --dist --gain --mode --shape --layout --batch --seed --dtype --format'
        case audit
            string split -- ' ' '--layout --format'
        case gain
            string split -- ' ' '--slope --format'
    end
end

complete -c glorotcalc -f

# the first word: a command, an option of the group, else the default command's argument
complete -c glorotcalc -n __glorotcalc_first -a lookup -d 'The default: variance, std and bound of each scheme, per layer'
complete -c glorotcalc -n __glorotcalc_first -a compare -d 'Every framework side by side for one initialization'
complete -c glorotcalc -n __glorotcalc_first -a defaults -d 'Each framework\'s default layer init, weight and bias'
complete -c glorotcalc -n __glorotcalc_first -a emit -d 'Code that draws exactly this initialization in a framework'
complete -c glorotcalc -n __glorotcalc_first -a propagate -d 'The variance forward and the gradient backward, per layer'
complete -c glorotcalc -n __glorotcalc_first -a audit -d 'Which initialization a weights file\'s tensors look like'
complete -c glorotcalc -n __glorotcalc_first -a gain -d 'torch\'s gain for an activation beside the computed one'
complete -c glorotcalc -n '__glorotcalc_first; and __glorotcalc_not_command' -F
complete -c glorotcalc -n '__glorotcalc_root' -l version -d 'Show the version'
complete -c glorotcalc -n '__glorotcalc_root' -l install-completion -x -a 'bash zsh fish powershell' -d 'Install the completion script for SHELL (default: $SHELL\'s); alone'
complete -c glorotcalc -n '__glorotcalc_root' -l show-completion -x -a 'bash zsh fish powershell' -d 'Print the completion script for SHELL (default: $SHELL\'s); alone'

# lookup
complete -c glorotcalc -n '__glorotcalc_is lookup' -l scheme -x -a '(__glorotcalc_list glorot he lecun xavier kaiming all)' -d 'glorot, he, lecun (aliases xavier, kaiming), a comma list, or all'
complete -c glorotcalc -n '__glorotcalc_is lookup' -l dist -x -a '(__glorotcalc_list uniform normal truncated all)' -d 'uniform, normal (untruncated), truncated (Keras/JAX *_normal), a comma…'
complete -c glorotcalc -n '__glorotcalc_is lookup' -l init -x -a 'xavier_uniform_ xavier_normal_ kaiming_uniform_ kaiming_normal_ xavier_uniform xavier_normal kaiming_uniform kaiming_normal uniform_ normal_ trunc_normal_ constant_ ones_ zeros_ eye_ dirac_ orthogonal_ sparse_ uniform normal constant eye dirac orthogonal sparse GlorotNormal glorot_normal GlorotUniform glorot_uniform HeNormal he_normal HeUniform he_uniform LecunNormal lecun_normal LecunUniform lecun_uniform VarianceScaling variance_scaling RandomNormal random_normal RandomUniform random_uniform TruncatedNormal truncated_normal Zeros zeros Ones ones Constant Identity identity IdentityInitializer Orthogonal OrthogonalInitializer delta_orthogonal zeros_init ones_init' -d 'An initializer by its framework\'s name: kaiming_uniform_(a=√5)…'
complete -c glorotcalc -n '__glorotcalc_is lookup' -l nonlinearity -x -a 'linear relu leaky_relu tanh sigmoid selu elu gelu silu softplus mish conv1d conv2d conv3d conv_transpose1d conv_transpose2d conv_transpose3d swish identity' -d 'Activation after each layer without its own @act'
complete -c glorotcalc -n '__glorotcalc_is lookup' -l act -x -a 'linear relu leaky_relu tanh sigmoid selu elu gelu silu softplus mish conv1d conv2d conv3d conv_transpose1d conv_transpose2d conv_transpose3d swish identity' -d 'Activation after each layer without its own @act'
complete -c glorotcalc -n '__glorotcalc_is lookup' -l slope -x -d 'leaky_relu negative slope (default 0.01)'
complete -c glorotcalc -n '__glorotcalc_is lookup' -l gain -x -d 'Explicit gain'
complete -c glorotcalc -n '__glorotcalc_is lookup' -l mode -x -a 'fan_in fan_out fan_avg fan_geo_avg' -d 'fan_in, fan_out, fan_avg or fan_geo_avg (he and lecun)'
complete -c glorotcalc -n '__glorotcalc_is lookup' -l shape -r -F -d 'A weight shape, e.g. 64x3x3x3 or 3,3,3,64'
complete -c glorotcalc -n '__glorotcalc_is lookup' -l layout -x -a 'torch keras jax flax' -d 'Weight layout of --shape and printouts: torch (out, in, *k) or…'
complete -c glorotcalc -n '__glorotcalc_is lookup' -l depth -x -d 'With one width W: L layers W→W'
complete -c glorotcalc -n '__glorotcalc_is lookup' -l layer -r -F -d 'Only this layer of a chain or printout: its name (layer2, features.0)…'
complete -c glorotcalc -n '__glorotcalc_is lookup' -l framework -x -a 'torch keras jax flax tf-keras tf-compat-v1 tf1-contrib keras2.2 flax-nnx haiku equinox mlx paddle tinygrad mxnet chainer caffe flux tfjs' -d 'Use one framework\'s conventions: torch, keras, jax, flax, tf-keras, ……'
complete -c glorotcalc -n '__glorotcalc_is lookup' -l format -x -a 'table json csv tsv' -d 'table, json, csv or tsv'
complete -c glorotcalc -n '__glorotcalc_is lookup' -l value -d 'Print one bare number (the sampler\'s parameter)'
complete -c glorotcalc -n '__glorotcalc_is lookup' -l explain -d 'Show each formula with the numbers substituted'
complete -c glorotcalc -n '__glorotcalc_is lookup' -l every-row -d 'A table row for every layer (repeated runs are shown once)'
complete -c glorotcalc -n '__glorotcalc_is lookup' -l no-color -d 'No colour (NO_COLOR is honoured too)'
complete -c glorotcalc -n '__glorotcalc_is lookup' -l sample -d 'Draw the weights and report empirical statistics'
complete -c glorotcalc -n '__glorotcalc_is lookup' -l samples -x -d 'With --sample: elements to draw (default: the layer\'s size)'
complete -c glorotcalc -n '__glorotcalc_is lookup' -l seed -x -d 'Random seed (default 0)'
complete -c glorotcalc -n '__glorotcalc_is lookup' -l threads -x -d 'With --sample: threads (default: all cores)'
complete -c glorotcalc -n '__glorotcalc_is lookup' -l hist -d 'With --sample: a terminal histogram'
complete -c glorotcalc -n '__glorotcalc_is lookup' -l dtype -x -a 'float32 float64' -d 'float32 (default) or float64'
complete -c glorotcalc -n '__glorotcalc_is lookup' -s h -d 'Show this message and exit'
complete -c glorotcalc -n '__glorotcalc_is lookup' -l help -d 'Show this message and exit'
complete -c glorotcalc -n '__glorotcalc_arg lookup 0+' -F

# compare
complete -c glorotcalc -n '__glorotcalc_is compare' -l init -x -a 'xavier_uniform_ xavier_normal_ kaiming_uniform_ kaiming_normal_ xavier_uniform xavier_normal kaiming_uniform kaiming_normal uniform_ normal_ trunc_normal_ constant_ ones_ zeros_ eye_ dirac_ orthogonal_ sparse_ uniform normal constant eye dirac orthogonal sparse GlorotNormal glorot_normal GlorotUniform glorot_uniform HeNormal he_normal HeUniform he_uniform LecunNormal lecun_normal LecunUniform lecun_uniform VarianceScaling variance_scaling RandomNormal random_normal RandomUniform random_uniform TruncatedNormal truncated_normal Zeros zeros Ones ones Constant Identity identity IdentityInitializer Orthogonal OrthogonalInitializer delta_orthogonal zeros_init ones_init' -d 'An initializer by its framework\'s name: kaiming_uniform_(a=√5)…'
complete -c glorotcalc -n '__glorotcalc_is compare' -l scheme -x -a '(__glorotcalc_list glorot he lecun xavier kaiming all)' -d 'glorot, he, lecun (aliases xavier, kaiming), a comma list, or all'
complete -c glorotcalc -n '__glorotcalc_is compare' -l dist -x -a '(__glorotcalc_list uniform normal all)' -d 'uniform or normal (each framework\'s own *_normal), a comma list, or all'
complete -c glorotcalc -n '__glorotcalc_is compare' -l nonlinearity -x -a 'linear relu leaky_relu tanh sigmoid selu elu gelu silu softplus mish conv1d conv2d conv3d conv_transpose1d conv_transpose2d conv_transpose3d swish identity' -d 'Activation after each layer without its own @act'
complete -c glorotcalc -n '__glorotcalc_is compare' -l act -x -a 'linear relu leaky_relu tanh sigmoid selu elu gelu silu softplus mish conv1d conv2d conv3d conv_transpose1d conv_transpose2d conv_transpose3d swish identity' -d 'Activation after each layer without its own @act'
complete -c glorotcalc -n '__glorotcalc_is compare' -l slope -x -d 'leaky_relu negative slope (default 0.01)'
complete -c glorotcalc -n '__glorotcalc_is compare' -l gain -x -d 'Explicit gain'
complete -c glorotcalc -n '__glorotcalc_is compare' -l mode -x -a 'fan_in fan_out fan_avg fan_geo_avg' -d 'fan_in, fan_out, fan_avg or fan_geo_avg (he and lecun)'
complete -c glorotcalc -n '__glorotcalc_is compare' -l shape -r -F -d 'A weight shape, e.g. 64x3x3x3 or 3,3,3,64'
complete -c glorotcalc -n '__glorotcalc_is compare' -l layout -x -a 'torch keras jax flax' -d 'Weight layout of --shape and printouts: torch (out, in, *k) or…'
complete -c glorotcalc -n '__glorotcalc_is compare' -l depth -x -d 'With one width W: L layers W→W'
complete -c glorotcalc -n '__glorotcalc_is compare' -l framework -x -a '(__glorotcalc_list torch keras jax flax tf-keras tf-compat-v1 tf1-contrib keras2.2 flax-nnx haiku equinox mlx paddle tinygrad mxnet chainer caffe flux tfjs all)' -d 'The frameworks to show: a comma list of torch, keras, jax, flax, mlx, …'
complete -c glorotcalc -n '__glorotcalc_is compare' -l format -x -a 'table json csv tsv' -d 'table, json, csv or tsv'
complete -c glorotcalc -n '__glorotcalc_is compare' -l no-color -d 'No colour (NO_COLOR is honoured too)'
complete -c glorotcalc -n '__glorotcalc_is compare' -s h -d 'Show this message and exit'
complete -c glorotcalc -n '__glorotcalc_is compare' -l help -d 'Show this message and exit'
complete -c glorotcalc -n '__glorotcalc_arg compare 0+' -F

# defaults
complete -c glorotcalc -n '__glorotcalc_is defaults' -l shape -r -F -d 'A weight shape, e.g. 64x3x3x3 or 3,3,3,64'
complete -c glorotcalc -n '__glorotcalc_is defaults' -l layout -x -a 'torch keras jax flax' -d 'Weight layout of --shape and printouts: torch (out, in, *k) or…'
complete -c glorotcalc -n '__glorotcalc_is defaults' -l depth -x -d 'With one width W: L layers W→W'
complete -c glorotcalc -n '__glorotcalc_is defaults' -l layer -r -F -d 'Only this layer of a chain or printout: its name (layer2, features.0)…'
complete -c glorotcalc -n '__glorotcalc_is defaults' -l framework -x -a '(__glorotcalc_list torch keras flax tf-keras tf-compat-v1 tf1-contrib keras2.2 flax-nnx haiku equinox mlx paddle tinygrad mxnet chainer flux tfjs all)' -d 'The frameworks to show: a comma list of torch, keras, flax, haiku, …'
complete -c glorotcalc -n '__glorotcalc_is defaults' -l format -x -a 'table json csv tsv' -d 'table, json, csv or tsv'
complete -c glorotcalc -n '__glorotcalc_is defaults' -l value -d 'Print one bare number (the sampler\'s parameter)'
complete -c glorotcalc -n '__glorotcalc_is defaults' -l explain -d 'Show each formula with the numbers substituted'
complete -c glorotcalc -n '__glorotcalc_is defaults' -l no-color -d 'No colour (NO_COLOR is honoured too)'
complete -c glorotcalc -n '__glorotcalc_is defaults' -s h -d 'Show this message and exit'
complete -c glorotcalc -n '__glorotcalc_is defaults' -l help -d 'Show this message and exit'
complete -c glorotcalc -n '__glorotcalc_arg defaults 0+' -F

# emit
complete -c glorotcalc -n '__glorotcalc_is emit' -l init -x -a 'xavier_uniform_ xavier_normal_ kaiming_uniform_ kaiming_normal_ xavier_uniform xavier_normal kaiming_uniform kaiming_normal uniform_ normal_ trunc_normal_ constant_ ones_ zeros_ eye_ dirac_ orthogonal_ sparse_ uniform normal constant eye dirac orthogonal sparse GlorotNormal glorot_normal GlorotUniform glorot_uniform HeNormal he_normal HeUniform he_uniform LecunNormal lecun_normal LecunUniform lecun_uniform VarianceScaling variance_scaling RandomNormal random_normal RandomUniform random_uniform TruncatedNormal truncated_normal Zeros zeros Ones ones Constant Identity identity IdentityInitializer Orthogonal OrthogonalInitializer delta_orthogonal zeros_init ones_init' -d 'An initializer by its framework\'s name: kaiming_uniform_(a=√5)…'
complete -c glorotcalc -n '__glorotcalc_is emit' -l scheme -x -a 'glorot he lecun xavier kaiming' -d 'glorot, he or lecun (aliases xavier, kaiming)'
complete -c glorotcalc -n '__glorotcalc_is emit' -l dist -x -a 'uniform normal truncated' -d 'uniform, normal (untruncated) or truncated'
complete -c glorotcalc -n '__glorotcalc_is emit' -l nonlinearity -x -a 'linear relu leaky_relu tanh sigmoid selu elu gelu silu softplus mish conv1d conv2d conv3d conv_transpose1d conv_transpose2d conv_transpose3d swish identity' -d 'Activation after each layer without its own @act'
complete -c glorotcalc -n '__glorotcalc_is emit' -l act -x -a 'linear relu leaky_relu tanh sigmoid selu elu gelu silu softplus mish conv1d conv2d conv3d conv_transpose1d conv_transpose2d conv_transpose3d swish identity' -d 'Activation after each layer without its own @act'
complete -c glorotcalc -n '__glorotcalc_is emit' -l slope -x -d 'leaky_relu negative slope (default 0.01)'
complete -c glorotcalc -n '__glorotcalc_is emit' -l gain -x -d 'Explicit gain'
complete -c glorotcalc -n '__glorotcalc_is emit' -l mode -x -a 'fan_in fan_out fan_avg fan_geo_avg' -d 'fan_in, fan_out, fan_avg or fan_geo_avg (he and lecun)'
complete -c glorotcalc -n '__glorotcalc_is emit' -l shape -r -F -d 'A weight shape, e.g. 64x3x3x3 or 3,3,3,64'
complete -c glorotcalc -n '__glorotcalc_is emit' -l layout -x -a 'torch keras jax flax' -d 'Weight layout of --shape and printouts: torch (out, in, *k) or…'
complete -c glorotcalc -n '__glorotcalc_is emit' -l depth -x -d 'With one width W: L layers W→W'
complete -c glorotcalc -n '__glorotcalc_is emit' -l from -x -a 'torch keras jax flax tf-keras tf-compat-v1 tf1-contrib keras2.2 flax-nnx haiku equinox mlx paddle tinygrad mxnet chainer caffe flux tfjs' -d 'Read --scheme/--dist in this framework\'s conventions (torch, keras…'
complete -c glorotcalc -n '__glorotcalc_is emit' -l format -x -a 'table json csv tsv' -d 'table, json, csv or tsv'
complete -c glorotcalc -n '__glorotcalc_is emit' -l no-color -d 'No colour (NO_COLOR is honoured too)'
complete -c glorotcalc -n '__glorotcalc_is emit' -s h -d 'Show this message and exit'
complete -c glorotcalc -n '__glorotcalc_is emit' -l help -d 'Show this message and exit'
complete -c glorotcalc -n '__glorotcalc_arg emit 0' -a 'torch keras jax flax tf-keras tf-compat-v1 tf1-contrib keras2.2 flax-nnx haiku equinox mlx paddle tinygrad mxnet chainer caffe flux tfjs'
complete -c glorotcalc -n '__glorotcalc_arg emit 1+' -F

# propagate
complete -c glorotcalc -n '__glorotcalc_is propagate' -l depth -x -d 'With one width W: L layers W→W'
complete -c glorotcalc -n '__glorotcalc_is propagate' -l nonlinearity -x -a 'linear relu leaky_relu tanh sigmoid selu elu gelu silu softplus mish conv1d conv2d conv3d conv_transpose1d conv_transpose2d conv_transpose3d swish identity' -d 'Activation after each layer without its own @act'
complete -c glorotcalc -n '__glorotcalc_is propagate' -l act -x -a 'linear relu leaky_relu tanh sigmoid selu elu gelu silu softplus mish conv1d conv2d conv3d conv_transpose1d conv_transpose2d conv_transpose3d swish identity' -d 'Activation after each layer without its own @act'
complete -c glorotcalc -n '__glorotcalc_is propagate' -l slope -x -d 'leaky_relu negative slope (default 0.01)'
complete -c glorotcalc -n '__glorotcalc_is propagate' -l init -x -a 'default xavier_uniform_ xavier_normal_ kaiming_uniform_ kaiming_normal_ xavier_uniform xavier_normal kaiming_uniform kaiming_normal uniform_ normal_ trunc_normal_ orthogonal_ sparse_ GlorotNormal glorot_normal GlorotUniform glorot_uniform HeNormal he_normal HeUniform he_uniform LecunNormal lecun_normal LecunUniform lecun_uniform VarianceScaling variance_scaling RandomNormal random_normal RandomUniform random_uniform TruncatedNormal truncated_normal Orthogonal orthogonal OrthogonalInitializer normal delta_orthogonal' -d 'An initializer name (see lookup --init), or default: each framework\'s…'
complete -c glorotcalc -n '__glorotcalc_is propagate' -l scheme -x -a 'glorot he lecun xavier kaiming' -d 'glorot, he or lecun'
complete -c glorotcalc -n '__glorotcalc_is propagate' -l dist -x -a 'uniform normal truncated' -d 'uniform, normal or truncated'
complete -c glorotcalc -n '__glorotcalc_is propagate' -l gain -x -d 'Explicit gain'
complete -c glorotcalc -n '__glorotcalc_is propagate' -l mode -x -a 'fan_in fan_out fan_avg fan_geo_avg' -d 'fan_in, fan_out, fan_avg or fan_geo_avg (he and lecun)'
complete -c glorotcalc -n '__glorotcalc_is propagate' -l shape -r -F -d 'A weight shape, e.g. 64x3x3x3 or 3,3,3,64'
complete -c glorotcalc -n '__glorotcalc_is propagate' -l layout -x -a 'torch keras jax flax' -d 'Weight layout of --shape and printouts: torch (out, in, *k) or…'
complete -c glorotcalc -n '__glorotcalc_is propagate' -l batch -x -d 'Monte Carlo batch size'
complete -c glorotcalc -n '__glorotcalc_is propagate' -l seed -x -d 'Random seed (default 0)'
complete -c glorotcalc -n '__glorotcalc_is propagate' -l dtype -x -a 'float32 float64' -d 'float32 (default) or float64'
complete -c glorotcalc -n '__glorotcalc_is propagate' -l format -x -a 'table json csv tsv' -d 'table, json, csv or tsv'
complete -c glorotcalc -n '__glorotcalc_is propagate' -l no-color -d 'No colour (NO_COLOR is honoured too)'
complete -c glorotcalc -n '__glorotcalc_is propagate' -s h -d 'Show this message and exit'
complete -c glorotcalc -n '__glorotcalc_is propagate' -l help -d 'Show this message and exit'
complete -c glorotcalc -n '__glorotcalc_arg propagate 0+' -F

# audit
complete -c glorotcalc -n '__glorotcalc_is audit' -l layout -x -a 'torch keras jax flax' -d 'How 4-D kernels are laid out: torch (out, in, *k) or keras/jax/flax…'
complete -c glorotcalc -n '__glorotcalc_is audit' -l format -x -a 'table json csv tsv' -d 'table, json, csv or tsv'
complete -c glorotcalc -n '__glorotcalc_is audit' -l no-color -d 'No colour (NO_COLOR is honoured too)'
complete -c glorotcalc -n '__glorotcalc_is audit' -s h -d 'Show this message and exit'
complete -c glorotcalc -n '__glorotcalc_is audit' -l help -d 'Show this message and exit'
complete -c glorotcalc -n '__glorotcalc_arg audit 0+' -F

# gain
complete -c glorotcalc -n '__glorotcalc_is gain' -l slope -x -d 'leaky_relu negative slope (default 0.01)'
complete -c glorotcalc -n '__glorotcalc_is gain' -l format -x -a 'table json csv tsv' -d 'table, json, csv or tsv'
complete -c glorotcalc -n '__glorotcalc_is gain' -l value -d 'Print one bare number (the sampler\'s parameter)'
complete -c glorotcalc -n '__glorotcalc_is gain' -l no-color -d 'No colour (NO_COLOR is honoured too)'
complete -c glorotcalc -n '__glorotcalc_is gain' -s h -d 'Show this message and exit'
complete -c glorotcalc -n '__glorotcalc_is gain' -l help -d 'Show this message and exit'
complete -c glorotcalc -n '__glorotcalc_arg gain 0' -a 'linear relu leaky_relu tanh sigmoid selu elu gelu silu softplus mish conv1d conv2d conv3d conv_transpose1d conv_transpose2d conv_transpose3d swish identity'
