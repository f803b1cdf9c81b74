# glorotcalc completion for PowerShell: static, written from the CLI by `python -m glorotcalc.completion`;
# a Tab runs no Python. Do not edit: regenerate.

Register-ArgumentCompleter -Native -CommandName glorotcalc -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)
    $commands = @('lookup', 'compare', 'defaults', 'emit', 'propagate', 'audit', 'gain')
    $options = @{
        '' = @('--version', '--install-completion', '--show-completion', '-h', '--help')
        'lookup' = @('--scheme', '--dist', '--init', '--nonlinearity', '--act', '--slope', '--gain', '--mode', '--shape', '--layout', '--depth', '--layer', '--framework', '--format', '--value', '--explain', '--every-row', '--no-color', '--sample', '--samples', '--seed', '--threads', '--hist', '--dtype', '-h', '--help')
        'compare' = @('--init', '--scheme', '--dist', '--nonlinearity', '--act', '--slope', '--gain', '--mode', '--shape', '--layout', '--depth', '--framework', '--format', '--no-color', '-h', '--help')
        'defaults' = @('--shape', '--layout', '--depth', '--layer', '--framework', '--format', '--value', '--explain', '--no-color', '-h', '--help')
        'emit' = @('--init', '--scheme', '--dist', '--nonlinearity', '--act', '--slope', '--gain', '--mode', '--shape', '--layout', '--depth', '--from', '--format', '--no-color', '-h', '--help')
        'propagate' = @('--depth', '--nonlinearity', '--act', '--slope', '--init', '--scheme', '--dist', '--gain', '--mode', '--shape', '--layout', '--batch', '--seed', '--dtype', '--format', '--no-color', '-h', '--help')
        'audit' = @('--layout', '--format', '--no-color', '-h', '--help')
        'gain' = @('--slope', '--format', '--value', '--no-color', '-h', '--help')
    }
    # 'COMMAND --option' = kind, values... (the first word's own: ' --option'; flags are absent)
    $values = @{
        ' --install-completion' = @('words', 'bash', 'zsh', 'fish', 'powershell')
        ' --show-completion' = @('words', 'bash', 'zsh', 'fish', 'powershell')
        'lookup --scheme' = @('list', 'glorot', 'he', 'lecun', 'xavier', 'kaiming', 'all')
        'lookup --dist' = @('list', 'uniform', 'normal', 'truncated', 'all')
        'lookup --init' = @('words', 'xavier_uniform_', 'xavier_normal_', 'kaiming_uniform_', 'kaiming_normal_', 'xavier_uniform', 'xavier_normal', 'kaiming_uniform', 'kaiming_normal', 'uniform_', 'normal_', 'trunc_normal_', 'constant_', 'ones_', 'zeros_', 'eye_', 'dirac_', 'orthogonal_', 'sparse_', 'uniform', 'normal', 'constant', 'eye', 'dirac', 'orthogonal', 'sparse', 'GlorotNormal', 'glorot_normal', 'GlorotUniform', 'glorot_uniform', 'HeNormal', 'he_normal', 'HeUniform', 'he_uniform', 'LecunNormal', 'lecun_normal', 'LecunUniform', 'lecun_uniform', 'VarianceScaling', 'variance_scaling', 'RandomNormal', 'random_normal', 'RandomUniform', 'random_uniform', 'TruncatedNormal', 'truncated_normal', 'Zeros', 'zeros', 'Ones', 'ones', 'Constant', 'Identity', 'identity', 'IdentityInitializer', 'Orthogonal', 'OrthogonalInitializer', 'delta_orthogonal', 'zeros_init', 'ones_init')
        'lookup --nonlinearity' = @('words', 'linear', 'relu', 'leaky_relu', 'tanh', 'sigmoid', 'selu', 'elu', 'gelu', 'silu', 'softplus', 'mish', 'conv1d', 'conv2d', 'conv3d', 'conv_transpose1d', 'conv_transpose2d', 'conv_transpose3d', 'swish', 'identity')
        'lookup --act' = @('words', 'linear', 'relu', 'leaky_relu', 'tanh', 'sigmoid', 'selu', 'elu', 'gelu', 'silu', 'softplus', 'mish', 'conv1d', 'conv2d', 'conv3d', 'conv_transpose1d', 'conv_transpose2d', 'conv_transpose3d', 'swish', 'identity')
        'lookup --slope' = @('text')
        'lookup --gain' = @('text')
        'lookup --mode' = @('words', 'fan_in', 'fan_out', 'fan_avg', 'fan_geo_avg')
        'lookup --shape' = @('files')
        'lookup --layout' = @('words', 'torch', 'keras', 'jax', 'flax')
        'lookup --depth' = @('text')
        'lookup --layer' = @('files')
        'lookup --framework' = @('words', 'torch', 'keras', 'jax', 'flax', 'tf-keras', 'tf-compat-v1', 'tf1-contrib', 'keras2.2', 'flax-nnx', 'haiku', 'equinox', 'mlx', 'paddle', 'tinygrad', 'mxnet', 'chainer', 'caffe', 'flux', 'tfjs')
        'lookup --format' = @('words', 'table', 'json', 'csv', 'tsv')
        'lookup --samples' = @('text')
        'lookup --seed' = @('text')
        'lookup --threads' = @('text')
        'lookup --dtype' = @('words', 'float32', 'float64')
        'compare --init' = @('words', 'xavier_uniform_', 'xavier_normal_', 'kaiming_uniform_', 'kaiming_normal_', 'xavier_uniform', 'xavier_normal', 'kaiming_uniform', 'kaiming_normal', 'uniform_', 'normal_', 'trunc_normal_', 'constant_', 'ones_', 'zeros_', 'eye_', 'dirac_', 'orthogonal_', 'sparse_', 'uniform', 'normal', 'constant', 'eye', 'dirac', 'orthogonal', 'sparse', 'GlorotNormal', 'glorot_normal', 'GlorotUniform', 'glorot_uniform', 'HeNormal', 'he_normal', 'HeUniform', 'he_uniform', 'LecunNormal', 'lecun_normal', 'LecunUniform', 'lecun_uniform', 'VarianceScaling', 'variance_scaling', 'RandomNormal', 'random_normal', 'RandomUniform', 'random_uniform', 'TruncatedNormal', 'truncated_normal', 'Zeros', 'zeros', 'Ones', 'ones', 'Constant', 'Identity', 'identity', 'IdentityInitializer', 'Orthogonal', 'OrthogonalInitializer', 'delta_orthogonal', 'zeros_init', 'ones_init')
        'compare --scheme' = @('list', 'glorot', 'he', 'lecun', 'xavier', 'kaiming', 'all')
        'compare --dist' = @('list', 'uniform', 'normal', 'all')
        'compare --nonlinearity' = @('words', 'linear', 'relu', 'leaky_relu', 'tanh', 'sigmoid', 'selu', 'elu', 'gelu', 'silu', 'softplus', 'mish', 'conv1d', 'conv2d', 'conv3d', 'conv_transpose1d', 'conv_transpose2d', 'conv_transpose3d', 'swish', 'identity')
        'compare --act' = @('words', 'linear', 'relu', 'leaky_relu', 'tanh', 'sigmoid', 'selu', 'elu', 'gelu', 'silu', 'softplus', 'mish', 'conv1d', 'conv2d', 'conv3d', 'conv_transpose1d', 'conv_transpose2d', 'conv_transpose3d', 'swish', 'identity')
        'compare --slope' = @('text')
        'compare --gain' = @('text')
        'compare --mode' = @('words', 'fan_in', 'fan_out', 'fan_avg', 'fan_geo_avg')
        'compare --shape' = @('files')
        'compare --layout' = @('words', 'torch', 'keras', 'jax', 'flax')
        'compare --depth' = @('text')
        'compare --framework' = @('list', 'torch', 'keras', 'jax', 'flax', 'tf-keras', 'tf-compat-v1', 'tf1-contrib', 'keras2.2', 'flax-nnx', 'haiku', 'equinox', 'mlx', 'paddle', 'tinygrad', 'mxnet', 'chainer', 'caffe', 'flux', 'tfjs', 'all')
        'compare --format' = @('words', 'table', 'json', 'csv', 'tsv')
        'defaults --shape' = @('files')
        'defaults --layout' = @('words', 'torch', 'keras', 'jax', 'flax')
        'defaults --depth' = @('text')
        'defaults --layer' = @('files')
        'defaults --framework' = @('list', 'torch', 'keras', 'flax', 'tf-keras', 'tf-compat-v1', 'tf1-contrib', 'keras2.2', 'flax-nnx', 'haiku', 'equinox', 'mlx', 'paddle', 'tinygrad', 'mxnet', 'chainer', 'flux', 'tfjs', 'all')
        'defaults --format' = @('words', 'table', 'json', 'csv', 'tsv')
        'emit --init' = @('words', 'xavier_uniform_', 'xavier_normal_', 'kaiming_uniform_', 'kaiming_normal_', 'xavier_uniform', 'xavier_normal', 'kaiming_uniform', 'kaiming_normal', 'uniform_', 'normal_', 'trunc_normal_', 'constant_', 'ones_', 'zeros_', 'eye_', 'dirac_', 'orthogonal_', 'sparse_', 'uniform', 'normal', 'constant', 'eye', 'dirac', 'orthogonal', 'sparse', 'GlorotNormal', 'glorot_normal', 'GlorotUniform', 'glorot_uniform', 'HeNormal', 'he_normal', 'HeUniform', 'he_uniform', 'LecunNormal', 'lecun_normal', 'LecunUniform', 'lecun_uniform', 'VarianceScaling', 'variance_scaling', 'RandomNormal', 'random_normal', 'RandomUniform', 'random_uniform', 'TruncatedNormal', 'truncated_normal', 'Zeros', 'zeros', 'Ones', 'ones', 'Constant', 'Identity', 'identity', 'IdentityInitializer', 'Orthogonal', 'OrthogonalInitializer', 'delta_orthogonal', 'zeros_init', 'ones_init')
        'emit --scheme' = @('words', 'glorot', 'he', 'lecun', 'xavier', 'kaiming')
        'emit --dist' = @('words', 'uniform', 'normal', 'truncated')
        'emit --nonlinearity' = @('words', 'linear', 'relu', 'leaky_relu', 'tanh', 'sigmoid', 'selu', 'elu', 'gelu', 'silu', 'softplus', 'mish', 'conv1d', 'conv2d', 'conv3d', 'conv_transpose1d', 'conv_transpose2d', 'conv_transpose3d', 'swish', 'identity')
        'emit --act' = @('words', 'linear', 'relu', 'leaky_relu', 'tanh', 'sigmoid', 'selu', 'elu', 'gelu', 'silu', 'softplus', 'mish', 'conv1d', 'conv2d', 'conv3d', 'conv_transpose1d', 'conv_transpose2d', 'conv_transpose3d', 'swish', 'identity')
        'emit --slope' = @('text')
        'emit --gain' = @('text')
        'emit --mode' = @('words', 'fan_in', 'fan_out', 'fan_avg', 'fan_geo_avg')
        'emit --shape' = @('files')
        'emit --layout' = @('words', 'torch', 'keras', 'jax', 'flax')
        'emit --depth' = @('text')
        'emit --from' = @('words', 'torch', 'keras', 'jax', 'flax', 'tf-keras', 'tf-compat-v1', 'tf1-contrib', 'keras2.2', 'flax-nnx', 'haiku', 'equinox', 'mlx', 'paddle', 'tinygrad', 'mxnet', 'chainer', 'caffe', 'flux', 'tfjs')
        'emit --format' = @('words', 'table', 'json', 'csv', 'tsv')
        'propagate --depth' = @('text')
        'propagate --nonlinearity' = @('words', 'linear', 'relu', 'leaky_relu', 'tanh', 'sigmoid', 'selu', 'elu', 'gelu', 'silu', 'softplus', 'mish', 'conv1d', 'conv2d', 'conv3d', 'conv_transpose1d', 'conv_transpose2d', 'conv_transpose3d', 'swish', 'identity')
        'propagate --act' = @('words', 'linear', 'relu', 'leaky_relu', 'tanh', 'sigmoid', 'selu', 'elu', 'gelu', 'silu', 'softplus', 'mish', 'conv1d', 'conv2d', 'conv3d', 'conv_transpose1d', 'conv_transpose2d', 'conv_transpose3d', 'swish', 'identity')
        'propagate --slope' = @('text')
        'propagate --init' = @('words', 'default', 'xavier_uniform_', 'xavier_normal_', 'kaiming_uniform_', 'kaiming_normal_', 'xavier_uniform', 'xavier_normal', 'kaiming_uniform', 'kaiming_normal', 'uniform_', 'normal_', 'trunc_normal_', 'orthogonal_', 'sparse_', 'GlorotNormal', 'glorot_normal', 'GlorotUniform', 'glorot_uniform', 'HeNormal', 'he_normal', 'HeUniform', 'he_uniform', 'LecunNormal', 'lecun_normal', 'LecunUniform', 'lecun_uniform', 'VarianceScaling', 'variance_scaling', 'RandomNormal', 'random_normal', 'RandomUniform', 'random_uniform', 'TruncatedNormal', 'truncated_normal', 'Orthogonal', 'orthogonal', 'OrthogonalInitializer', 'normal', 'delta_orthogonal')
        'propagate --scheme' = @('words', 'glorot', 'he', 'lecun', 'xavier', 'kaiming')
        'propagate --dist' = @('words', 'uniform', 'normal', 'truncated')
        'propagate --gain' = @('text')
        'propagate --mode' = @('words', 'fan_in', 'fan_out', 'fan_avg', 'fan_geo_avg')
        'propagate --shape' = @('files')
        'propagate --layout' = @('words', 'torch', 'keras', 'jax', 'flax')
        'propagate --batch' = @('text')
        'propagate --seed' = @('text')
        'propagate --dtype' = @('words', 'float32', 'float64')
        'propagate --format' = @('words', 'table', 'json', 'csv', 'tsv')
        'audit --layout' = @('words', 'torch', 'keras', 'jax', 'flax')
        'audit --format' = @('words', 'table', 'json', 'csv', 'tsv')
        'gain --slope' = @('text')
        'gain --format' = @('words', 'table', 'json', 'csv', 'tsv')
    }
    # 'COMMAND N' (or 'COMMAND *': every later one) = kind, values...
    $arguments = @{
        'lookup *' = @('files')
        'compare *' = @('files')
        'defaults *' = @('files')
        'emit 0' = @('words', 'torch', 'keras', 'jax', 'flax', 'tf-keras', 'tf-compat-v1', 'tf1-contrib', 'keras2.2', 'flax-nnx', 'haiku', 'equinox', 'mlx', 'paddle', 'tinygrad', 'mxnet', 'chainer', 'caffe', 'flux', 'tfjs')
        'emit *' = @('files')
        'propagate *' = @('files')
        'audit *' = @('files')
        'gain 0' = @('words', 'linear', 'relu', 'leaky_relu', 'tanh', 'sigmoid', 'selu', 'elu', 'gelu', 'silu', 'softplus', 'mish', 'conv1d', 'conv2d', 'conv3d', 'conv_transpose1d', 'conv_transpose2d', 'conv_transpose3d', 'swish', 'identity')
        'gain *' = @('none')
    }
    $words = @($commandAst.CommandElements |
        Where-Object { $_.Extent.StartOffset -lt $cursorPosition } | ForEach-Object { $_.ToString() })
    if ($wordToComplete -ne '' -and $words.Count -gt 1) { $words = @($words[0..($words.Count - 2)]) }
    $cur = "$wordToComplete".Trim([char]39, [char]34)
    $cmd = 'lookup'
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
