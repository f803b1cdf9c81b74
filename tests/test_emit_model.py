"""emit from a torch printout writes code that initializes the printed model (the model form).

torch: real models (an MLP, a small CNN, a TransformerEncoderLayer inside a module, a bare
Linear) are printed, their printout fed to ``glorotcalc emit torch -``, and the emitted code is run
with ``model`` bound: every weight then has the table's std and support, every bias is zero, and
nothing else is touched. Keras and Flax are not installed: their code is parsed with `ast` and
each layer's initializer expression is checked against the table.
"""

from __future__ import annotations

import ast
import json
import math
import re

import pytest

# print(model) of the models built in `build` (torch 2.x); the torch tests check they read the same
MLP = """\
Sequential(
  (0): Linear(in_features=784, out_features=256, bias=True)
  (1): ReLU()
  (2): Linear(in_features=256, out_features=10, bias=True)
)"""
CNN = """\
Sequential(
  (0): Conv2d(3, 16, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))
  (1): ReLU()
  (2): Conv2d(16, 32, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), groups=2, bias=False)
  (3): ReLU()
  (4): ConvTranspose2d(32, 8, kernel_size=(4, 4), stride=(2, 2), padding=(1, 1))
  (5): Tanh()
)"""
ENCODER = """\
Encoder(
  (encoder): TransformerEncoderLayer(
    (self_attn): MultiheadAttention(
      (out_proj): NonDynamicallyQuantizableLinear(in_features=32, out_features=32, bias=True)
    )
    (linear1): Linear(in_features=32, out_features=64, bias=True)
    (dropout): Dropout(p=0.1, inplace=False)
    (linear2): Linear(in_features=64, out_features=32, bias=True)
    (norm1): LayerNorm((32,), eps=1e-05, elementwise_affine=True)
    (norm2): LayerNorm((32,), eps=1e-05, elementwise_affine=True)
    (dropout1): Dropout(p=0.1, inplace=False)
    (dropout2): Dropout(p=0.1, inplace=False)
  )
  (head): Linear(in_features=32, out_features=10, bias=True)
)"""
BARE = "Linear(in_features=4, out_features=3, bias=True)"
PRINTOUTS = {"mlp": MLP, "cnn": CNN, "encoder": ENCODER, "bare": BARE}

# --scheme/--dist or --init, and the torch function the emitted code must call for it
OPTIONS = {
    "he-normal": (("--scheme", "he", "--dist", "normal"), "nn.init.kaiming_normal_("),
    "xavier_uniform_": (("--init", "xavier_uniform_"), "nn.init.xavier_uniform_("),
    "lecun-truncated": (("--scheme", "lecun", "--dist", "truncated"), "nn.init.trunc_normal_("),
    "keras-glorot-normal": (("--from", "keras", "--scheme", "glorot", "--dist", "normal"), "trunc_normal_("),
}


def truncated_kurtosis(a: float = 2.0) -> float:
    """κ = E z⁴ / (E z²)² of N(0, 1) cut at ±a: ∫z²φ = p − 2aφ(a), ∫z⁴φ = 3∫z²φ − 2a³φ(a), p = P(|z| < a)."""
    p = math.erf(a / math.sqrt(2))
    phi = math.exp(-a * a / 2) / math.sqrt(2 * math.pi)
    m2 = (p - 2 * a * phi) / p
    m4 = (3 * (p - 2 * a * phi) - 2 * a**3 * phi) / p
    return m4 / m2**2


KURTOSIS = {"normal": 3.0, "uniform": 1.8, "truncated": truncated_kurtosis()}


def test_the_truncated_kurtosis():
    assert KURTOSIS["truncated"] == pytest.approx(2.3655, abs=5e-5)
    assert truncated_kurtosis(40.0) == pytest.approx(3.0)  # no cut: the normal's


def emit(cli, target: str, printout: str, *options: str) -> dict:
    result = cli("emit", target, "-", *options, "--format", "json", stdin=printout)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def bias_of(parameter: str) -> str:
    return re.sub(r"weight$", "bias", parameter)


# --- torch: the emitted code run on the real model ----------------------------------------------


def build(torch, name: str):
    nn = torch.nn
    if name == "mlp":
        return nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))
    if name == "cnn":
        return nn.Sequential(
            nn.Conv2d(3, 16, 3, padding=1),
            nn.ReLU(),
            nn.Conv2d(16, 32, 3, stride=2, padding=1, groups=2, bias=False),
            nn.ReLU(),
            nn.ConvTranspose2d(32, 8, 4, stride=2, padding=1),
            nn.Tanh(),
        )
    if name == "bare":
        return nn.Linear(4, 3)

    class Encoder(nn.Module):
        def __init__(self):
            super().__init__()
            self.encoder = nn.TransformerEncoderLayer(d_model=32, nhead=4, dim_feedforward=64)
            self.head = nn.Linear(32, 10)

    return Encoder()


def only_torch_imports(code: str) -> None:
    """The code imports torch and nn, nothing else."""
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Import):
            assert [alias.name for alias in node.names] == ["torch"], ast.unparse(node)
        if isinstance(node, ast.ImportFrom):
            assert (node.module, [a.name for a in node.names]) == ("torch", ["nn"]), ast.unparse(node)


@pytest.mark.torch
@pytest.mark.parametrize("option", OPTIONS)
@pytest.mark.parametrize("name", PRINTOUTS)
def test_emitted_code_initializes_the_printed_model(cli, name, option):
    """Run on the model, the code sets each weight to the table's distribution and zeroes its bias.

    Every parameter starts as NaN: after the code, the weights of the document and their biases
    are set and every other parameter (LayerNorm's) is still NaN — untouched. The weights of the
    document are exactly the model's parameters of dim > 1, each with the document's shape.

    Tolerance: with w_i i.i.d., mean 0, variance σ² and kurtosis κ = E w⁴/σ⁴, the sample std about
    the known mean, s = √(mean w²), has Var(mean w²) = (κ − 1)σ⁴/n, so by the delta method
    (ds = d(s²)/(2σ)) SE(s)/σ = √((κ − 1)/(4n)): κ = 3 normal, 1.8 uniform, 2.3655 truncated at
    ±2σ (`truncated_kurtosis`). We allow 5 SE (two-sided p ≈ 6e-7 per weight; the seed is fixed).
    Uniform and truncated draws stay within the support (float32 slack 1e-6).
    """
    torch = pytest.importorskip("torch")
    argv, function = OPTIONS[option]
    model = build(torch, name)
    printout = str(model)
    document = emit(cli, "torch", printout, *argv)
    assert document["form"] == "model"
    assert [(layer["name"], layer["shape"]) for layer in document["layers"]] == [
        (layer["name"], layer["shape"]) for layer in emit(cli, "torch", PRINTOUTS[name], *argv)["layers"]
    ], "the printout constant no longer reads as this torch's printout"
    code = document["code"]
    only_torch_imports(code)
    assert function in code
    parameters = dict(model.named_parameters())
    with torch.no_grad():
        for parameter in parameters.values():
            parameter.fill_(float("nan"))
    torch.manual_seed(0)
    exec(compile(code, "<emitted>", "exec"), {"model": model})

    weights = [layer["parameter"] for layer in document["layers"]]
    assert sorted(weights) == sorted(path for path, p in parameters.items() if p.dim() > 1)
    biases = [layer["bias"] for layer in document["layers"] if layer["bias"] is not None]
    assert biases == [bias_of(w) for w in weights if bias_of(w) in parameters]
    for path, parameter in parameters.items():
        if path in weights or path in biases:
            assert torch.isfinite(parameter).all(), f"{path} not set"
        else:
            assert torch.isnan(parameter).all(), f"{path} touched"
    for bias in biases:
        assert not parameters[bias].any(), f"{bias} not zero"
    for layer in document["layers"]:
        result, weight = layer["result"], parameters[layer["parameter"]].detach().double()
        assert list(weight.shape) == layer["shape"]
        n = weight.numel()
        std = float(weight.pow(2).mean().sqrt())
        tolerance = 5 * math.sqrt((KURTOSIS[result["distribution"]] - 1) / (4 * n))
        assert std == pytest.approx(result["std"], rel=tolerance), layer["parameter"]
        if result["support"] is not None:
            assert float(weight.abs().max()) <= result["support"] * (1 + 1e-6), layer["parameter"]


@pytest.mark.torch
def test_a_printout_file_works_as_stdin(cli, tmp_path):
    """The model form is the input's (a printout), not the way it arrives: a file reads the same."""
    pytest.importorskip("torch")
    path = tmp_path / "model.txt"
    path.write_text(MLP)
    argv = ("--scheme", "he", "--dist", "uniform", "--format", "json")
    from_file = cli("emit", "torch", str(path), *argv)
    assert from_file.exit_code == 0, from_file.output
    assert from_file.stdout == cli("emit", "torch", "-", *argv, stdin=MLP).stdout


# --- the code and the document, every target ------------------------------------------------------


def test_torch_code_for_the_mlp(cli):
    result = cli("emit", "torch", "-", "--scheme", "he", "--dist", "normal", stdin=MLP)
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "import torch\n"
        "from torch import nn\n"
        "\n"
        "# initializes `model` (the module whose print(model) was read) in place\n"
        "# biases: zeroed, as Glorot, He and LeCun do (torch's default is U(±1/√fan_in))\n"
        "\n"
        "# 0: dense 784 → 256 · he N(0, 0.0505076²), untruncated\n"
        "nn.init.kaiming_normal_(model.get_submodule(\"0\").weight, nonlinearity='relu')\n"
        'nn.init.zeros_(model.get_submodule("0").bias)\n'
        "\n"
        "# 2: dense 256 → 10 · he N(0, 0.0883883²), untruncated\n"
        "nn.init.kaiming_normal_(model.get_submodule(\"2\").weight, nonlinearity='relu')\n"
        'nn.init.zeros_(model.get_submodule("2").bias)\n'
    )


def test_json_carries_the_code_and_each_parameter_path(cli):
    argv = ("emit", "torch", "-", "--scheme", "glorot", "--dist", "uniform")
    plain = cli(*argv, stdin=ENCODER)
    document = emit(cli, "torch", ENCODER, "--scheme", "glorot", "--dist", "uniform")
    assert document["code"] == plain.stdout
    assert [(layer["parameter"], layer["bias"], layer["variable"]) for layer in document["layers"]] == [
        (
            "encoder.self_attn.in_proj_weight",
            "encoder.self_attn.in_proj_bias",
            'model.get_submodule("encoder.self_attn").in_proj_weight',
        ),
        (
            "encoder.self_attn.out_proj.weight",
            "encoder.self_attn.out_proj.bias",
            'model.get_submodule("encoder.self_attn.out_proj").weight',
        ),
        ("encoder.linear1.weight", "encoder.linear1.bias", 'model.get_submodule("encoder.linear1").weight'),
        ("encoder.linear2.weight", "encoder.linear2.bias", 'model.get_submodule("encoder.linear2").weight'),
        ("head.weight", "head.bias", 'model.get_submodule("head").weight'),
    ]


def test_a_bare_layer_is_the_model(cli):
    document = emit(cli, "torch", BARE, "--scheme", "he", "--dist", "uniform")
    assert "nn.init.kaiming_uniform_(model.weight, nonlinearity='relu')" in document["code"]
    assert "nn.init.zeros_(model.bias)" in document["code"]
    assert [(layer["parameter"], layer["bias"]) for layer in document["layers"]] == [("weight", "bias")]


def test_a_layer_without_bias_keeps_none(cli):
    document = emit(cli, "torch", CNN, "--scheme", "he", "--dist", "uniform")
    assert [layer["bias"] for layer in document["layers"]] == ["0.bias", None, "4.bias"]
    assert 'model.get_submodule("2").bias' not in document["code"]


@pytest.mark.parametrize(
    "argv",
    [("784", "256"), ("784-256@relu-10",), ("3-conv3x3:16-convt4x4:8",), ("--shape", "64x3x3x3")],
    ids=["fans", "architecture", "convs", "shape"],
)
@pytest.mark.parametrize("target", ["torch", "keras", "jax", "flax"])
def test_other_inputs_keep_stand_alone_tensors(cli, target, argv):
    """Fans, chains, architecture strings and --shape have no module paths: tensors, as before."""
    result = cli("emit", target, *argv, "--scheme", "he", "--dist", "uniform", "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["form"] == "tensors"
    assert "model" not in document["code"]
    for layer in document["layers"]:
        assert (layer["parameter"], layer["bias"]) == (None, None)
        assert re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", layer["variable"])


def test_any_module_key_is_a_valid_literal(cli):
    """A ModuleDict key with quotes and a backslash stays one string literal, in every target."""
    printout = "ModuleDict(\n  (a\"b\\c'd): Linear(in_features=4, out_features=3, bias=True)\n)"
    for target in ("torch", "keras", "jax", "flax"):
        document = emit(cli, target, printout, "--scheme", "he", "--dist", "uniform")
        tree = ast.parse(document["code"])
        literals = {
            n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)
        }
        assert "a\"b\\c'd" in literals, target


# --- Keras, Flax, JAX: the initializer of each layer, parsed ---------------------------------------


def entries(code: str, table: str) -> dict[str, ast.expr]:
    """``table[key] = value`` statements of the code → {key: value}; each key once."""
    found: dict[str, ast.expr] = {}
    for node in ast.parse(code).body:
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Subscript):
            target = node.targets[0]
            assert ast.unparse(target.value) == table
            key = ast.literal_eval(target.slice)
            assert key not in found
            found[key] = node.value
    return found


def layer_calls(code: str) -> dict[str, ast.Call]:
    """The ``# keras.layers.Dense(…, kernel_initializer=kernel_initializers["0"])`` comments, parsed,
    by the key of the initializer they take."""
    calls = {}
    for line in code.splitlines():
        if not line.startswith("# ") or "=" not in line or ":" in line:
            continue
        call = ast.parse(line[2:], mode="eval").body
        assert isinstance(call, ast.Call), line
        (subscript,) = [k.value for k in call.keywords if isinstance(k.value, ast.Subscript)]
        calls[ast.literal_eval(subscript.slice)] = call
    return calls


def call_text(node: ast.expr) -> str:
    return ast.unparse(node)


KERAS_NAMED = {
    # (printout, options) → the initializer expected for every layer
    ("mlp", ("--scheme", "he", "--dist", "truncated")): "keras.initializers.HeNormal()",
    ("mlp", ("--scheme", "he", "--dist", "uniform")): "keras.initializers.HeUniform()",
    ("cnn", ("--init", "xavier_uniform_")): "keras.initializers.GlorotUniform()",
    ("mlp", ("--scheme", "he", "--dist", "normal")): (
        "keras.initializers.VarianceScaling(scale=2.0, mode='fan_in', distribution='untruncated_normal')"
    ),
}


@pytest.mark.parametrize(("name", "options"), KERAS_NAMED, ids=[" ".join((n, *o)) for n, o in KERAS_NAMED])
def test_keras_kernel_initializers(cli, name, options):
    """Each layer's entry is the Keras initializer named for it, and the layer call takes it."""
    document = emit(cli, "keras", PRINTOUTS[name], *options)
    assert document["form"] == "model"
    code = document["code"]
    assert code.startswith("import keras\n\n") and "kernel_initializers = {}\n" in code
    found = entries(code, "kernel_initializers")
    names = [layer["name"] for layer in document["layers"]]
    assert list(found) == names
    assert {call_text(found[key]) for key in names} == {KERAS_NAMED[name, options]}
    assert [layer["variable"] for layer in document["layers"]] == [
        f'kernel_initializers["{k}"]' for k in names
    ]
    calls = layer_calls(code)
    assert list(calls) == names
    for layer in document["layers"]:
        call = calls[layer["name"]]
        keywords = {k.arg: call_text(k.value) for k in call.keywords}
        assert keywords["kernel_initializer"] == f"kernel_initializers['{layer['name']}']"
        if layer["kind"] == "dense":
            assert call_text(call.func) == "keras.layers.Dense"
            assert [ast.literal_eval(a) for a in call.args] == [layer["shape"][-1]]


def test_keras_conv_layers_and_written_out_numbers(cli):
    """The CNN in Keras: Conv2D with groups, Conv2DTranspose; a mode Keras lacks is written out."""
    document = emit(cli, "keras", CNN, "--scheme", "he", "--dist", "uniform", "--mode", "fan_out")
    calls = layer_calls(document["code"])
    assert [call_text(c.func) for c in calls.values()] == [
        "keras.layers.Conv2D",
        "keras.layers.Conv2D",
        "keras.layers.Conv2DTranspose",
    ]
    assert [ast.literal_eval(k.value) for k in calls["2"].keywords if k.arg == "groups"] == [2]
    found = entries(document["code"], "kernel_initializers")
    for layer in document["layers"]:
        value = found[layer["name"]]
        if layer["named"]:  # the activation after each layer (ReLU, Tanh) sets the scale, gain²
            assert call_text(value.func) == "keras.initializers.VarianceScaling"
            assert {k.arg: ast.literal_eval(k.value) for k in value.keywords} == {
                "scale": layer["result"]["scale"],
                "mode": "fan_out",
                "distribution": "uniform",
            }
        else:  # numbers written out: U(±bound)
            assert call_text(value.func) == "keras.initializers.RandomUniform"
            bound = layer["result"]["bound"]
            assert {k.arg: ast.literal_eval(k.value) for k in value.keywords} == {
                "minval": pytest.approx(-bound),
                "maxval": pytest.approx(bound),
            }


def test_flax_kernel_inits(cli):
    """Flax: he+truncated is he_normal(); a transposed conv (Flax counts its input channels) gets
    truncated_normal(stddev=σ) written out; the packed q/k/v says no Flax layer holds it."""
    for name, layers in (("cnn", CNN), ("encoder", ENCODER)):
        document = emit(cli, "flax", layers, "--scheme", "he", "--dist", "truncated")
        code = document["code"]
        assert "from flax import linen as nn\n" in code and "kernel_inits = {}\n" in code
        found = entries(code, "kernel_inits")
        calls = layer_calls(code)
        for layer in document["layers"]:
            key, value = layer["name"], found[layer["name"]]
            if layer["named"]:
                assert call_text(value) == "nn.initializers.he_normal()", key
            else:
                assert call_text(value.func) == "nn.initializers.truncated_normal", key
                (stddev,) = [ast.literal_eval(k.value) for k in value.keywords if k.arg == "stddev"]
                assert stddev == pytest.approx(layer["result"]["sampler_std"], rel=1e-12)
            if layer["kind"] == "attention":
                assert key not in calls
                assert (
                    "# no Flax layer holds this weight as one tensor; exact for a weight of shape (32, 96)"
                    in code
                )
            else:
                kind = {"dense": "nn.Dense", "conv": "nn.Conv", "conv_transpose": "nn.ConvTranspose"}
                assert call_text(calls[key].func) == kind[layer["kind"]]
                assert {k.arg: call_text(k.value) for k in calls[key].keywords}["kernel_init"] == (
                    f"kernel_inits['{key}']"
                )
        kinds = {layer["name"]: layer["named"] for layer in document["layers"]}
        if name == "cnn":
            assert kinds == {"0": True, "2": True, "4": False}


def test_jax_initializers_by_path(cli):
    """LeCun with the printout's ReLU after layer 0 is scale 2 (gain √2); layer 2 is plain LeCun."""
    document = emit(cli, "jax", MLP, "--scheme", "lecun", "--dist", "uniform")
    found = entries(document["code"], "initializers")
    assert {key: call_text(value) for key, value in found.items()} == {
        "0": "jax.nn.initializers.variance_scaling(2.0, 'fan_in', 'uniform')",
        "2": "jax.nn.initializers.lecun_uniform()",
    }
    assert "# exact for a weight of shape (784, 256)" in document["code"]
