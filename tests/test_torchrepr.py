"""PyTorch printouts → layers: committed printouts (no torch needed) and live torch 2.13 models.

The committed texts below are what ``print(model)`` printed under torch 2.13.0 for the models
built in `_models()` (a torch test checks they still match). Expected fans are written out from
the weight layouts: Linear ``(out, in)``, ConvNd ``(out, in/groups, *k)``, ConvTransposeNd
``(in, out/groups, *k)``, Embedding ``(num, dim)``, Bilinear ``(out, in1, in2)``; torch reads
fan_in = shape[1]·∏k, fan_out = shape[0]·∏k.
"""

from __future__ import annotations

import math
import re
import warnings

import pytest
from conftest import torch_or_skip

from glorotcalc import torchrepr
from glorotcalc.errors import GlorotcalcError
from glorotcalc.gain import Activation
from glorotcalc.torchrepr import ParsedModel, parse_torch_repr, parse_tree, split_args

MLP = """\
Sequential(
  (0): Linear(in_features=784, out_features=256, bias=True)
  (1): ReLU()
  (2): Dropout(p=0.2, inplace=False)
  (3): Linear(in_features=256, out_features=128, bias=True)
  (4): LeakyReLU(negative_slope=0.2)
  (5): Linear(in_features=128, out_features=10, bias=True)
)"""

CNN = """\
SmallCNN(
  (features): Sequential(
    (0): Conv2d(1, 32, kernel_size=(5, 5), stride=(1, 1), padding=(2, 2))
    (1): ReLU(inplace=True)
    (2): MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)
    (3): Conv2d(32, 64, kernel_size=(5, 5), stride=(1, 1), padding=(2, 2))
    (4): BatchNorm2d(64, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)
    (5): ReLU(inplace=True)
    (6): MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)
  )
  (classifier): Sequential(
    (0): Flatten(start_dim=1, end_dim=-1)
    (1): Linear(in_features=3136, out_features=1024, bias=True)
    (2): Tanh()
    (3): Dropout(p=0.5, inplace=False)
    (4): Linear(in_features=1024, out_features=10, bias=True)
  )
)"""

BLOCK = """\
BasicBlock(
  (conv1): Conv2d(64, 128, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), bias=False)
  (bn1): BatchNorm2d(128, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)
  (relu): ReLU(inplace=True)
  (conv2): Conv2d(128, 128, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1), bias=False)
  (bn2): BatchNorm2d(128, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)
  (downsample): Sequential(
    (0): Conv2d(64, 128, kernel_size=(1, 1), stride=(2, 2), bias=False)
    (1): BatchNorm2d(128, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)
  )
)"""

ENCODER = """\
TransformerEncoderLayer(
  (self_attn): MultiheadAttention(
    (out_proj): NonDynamicallyQuantizableLinear(in_features=64, out_features=64, bias=True)
  )
  (linear1): Linear(in_features=64, out_features=128, bias=True)
  (dropout): Dropout(p=0.1, inplace=False)
  (linear2): Linear(in_features=128, out_features=64, bias=True)
  (norm1): LayerNorm((64,), eps=1e-05, elementwise_affine=True, bias=True)
  (norm2): LayerNorm((64,), eps=1e-05, elementwise_affine=True, bias=True)
  (dropout1): Dropout(p=0.1, inplace=False)
  (dropout2): Dropout(p=0.1, inplace=False)
)"""

DECODER = """\
Decoder(
  (embed): Embedding(1000, 64)
  (up): ConvTranspose2d(64, 32, kernel_size=(4, 4), stride=(2, 2), padding=(1, 1))
  (act): SiLU()
  (depthwise): Conv2d(32, 32, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1), groups=32)
  (pointwise): Conv1d(32, 16, kernel_size=(1,), stride=(1,))
  (gelu): GELU(approximate='none')
  (mix): Bilinear(in1_features=16, in2_features=8, out_features=4, bias=True)
  (rnn): LSTM(4, 8)
)"""

REPEATED = """\
ModuleList(
  (0-2): 3 x Linear(in_features=8, out_features=8, bias=True)
)"""

PRINTOUTS = {
    "mlp": MLP,
    "cnn": CNN,
    "block": BLOCK,
    "encoder": ENCODER,
    "decoder": DECODER,
    "repeated": REPEATED,
}


def fans(model: list) -> dict[str, tuple[int, int]]:
    return {layer.name: (layer.fan_in, layer.fan_out) for layer in model}


def test_mlp_names_fans_activations_bias():
    model = parse_torch_repr(MLP)
    assert isinstance(model, ParsedModel)
    assert fans(model) == {"0": (784, 256), "3": (256, 128), "5": (128, 10)}
    assert [layer.shape for layer in model] == [(256, 784), (128, 256), (10, 128)]
    assert [layer.activation for layer in model] == [
        Activation("relu"),
        Activation("leaky_relu", 0.2),
        Activation("linear"),
    ]
    assert [layer.params for layer in model] == [784 * 256 + 256, 256 * 128 + 128, 128 * 10 + 10]
    assert model.passed_over == {"Dropout": 1}
    assert model.unknown == []


def test_default_activation_goes_to_layers_without_one():
    model = parse_torch_repr(MLP, activation=Activation("tanh"))
    assert [str(layer.activation) for layer in model] == ["relu", "leaky_relu:0.2", "tanh"]


def test_cnn_dotted_paths_and_activation_after_batchnorm():
    model = parse_torch_repr(CNN)
    assert fans(model) == {
        "features.0": (1 * 5 * 5, 32 * 5 * 5),
        "features.3": (32 * 5 * 5, 64 * 5 * 5),
        "classifier.1": (3136, 1024),
        "classifier.4": (1024, 10),
    }
    # ReLU after BatchNorm still belongs to the conv; Tanh after Linear; the last Linear has none
    assert [str(layer.activation) for layer in model] == ["relu", "relu", "tanh", "linear"]
    assert [layer.label for layer in model] == ["conv2d", "conv2d", "dense", "dense"]
    assert model.passed_over == {"MaxPool2d": 2, "BatchNorm2d": 1, "Flatten": 1, "Dropout": 1}


def test_resnet_block_custom_module_print_order_note():
    model = parse_torch_repr(BLOCK)
    assert fans(model) == {
        "conv1": (64 * 9, 128 * 9),
        "conv2": (128 * 9, 128 * 9),
        "downsample.0": (64, 128),
    }
    assert [layer.bias for layer in model] == [0, 0, 0]  # bias=False
    assert [str(layer.activation) for layer in model] == ["relu", "linear", "linear"]
    assert any("print order is registration order" in note for note in model.notes)


def test_encoder_layer_packed_qkv_flagged():
    e = 64
    model = parse_torch_repr(ENCODER)
    assert [layer.name for layer in model] == [
        "self_attn.in_proj",
        "self_attn.out_proj",
        "linear1",
        "linear2",
    ]
    qkv = model[0]
    assert (qkv.kind, qkv.shape, qkv.fan_in, qkv.fan_out) == ("attention", (3 * e, e), e, 3 * e)
    assert qkv.params == 3 * e * e + 3 * e  # in_proj_weight + in_proj_bias
    assert any("fan_out 3E" in note for note in qkv.notes)
    # Xavier std over the packed shape √(2/(E+3E)) is quoted in the note
    assert f"{math.sqrt(2 / (e + 3 * e)):.6g}" in " ".join(qkv.notes)
    assert str(model[2].activation) == "relu"  # the function activation, torch's default
    assert any("activation is a function" in note for note in model.notes)
    assert model.passed_over == {"Dropout": 3, "LayerNorm": 2}


def test_decoder_transposed_grouped_embedding_bilinear_and_unknown():
    model = parse_torch_repr(DECODER)
    assert fans(model) == {
        "embed": (64, 1000),  # (num, dim): torch reads fan_in = dim
        "up": (32 * 16, 64 * 16),  # weight (in, out, 4, 4): fan_in from the output channels
        "depthwise": (1 * 9, 32 * 9),  # weight (32, 32/32, 3, 3)
        "pointwise": (32, 16),
        "mix": (16 * 8, 4 * 8),  # weight (4, 16, 8): in2 is the receptive field
        "rnn.weight_ih_l0": (4, 4 * 8),  # LSTM(4, 8): (4H, in), four gates stacked
        "rnn.weight_hh_l0": (8, 4 * 8),
    }
    by_name = {layer.name: layer for layer in model}
    assert by_name["up"].shape == (64, 32, 4, 4)
    assert str(by_name["up"].activation) == "silu"
    assert str(by_name["pointwise"].activation) == "gelu"
    assert by_name["up"].framework_fans() == {
        "torch": (32 * 16, 64 * 16),
        "keras": (32 * 16, 64 * 16),
        "flax": (64 * 16, 32 * 16),
    }
    # groups = in = 32: fan_out 32·9 = 288 counts every group; the note points to Keras's depthwise conv
    assert any(
        "fan_out 288 is 32×" in note and "DepthwiseConv2D" in note for note in by_name["depthwise"].notes
    )
    assert model.unknown == []  # the LSTM is its weights
    rnn = {layer.name: layer.shape for layer in model if layer.name.startswith("rnn.")}
    assert rnn == {"rnn.weight_ih_l0": (4 * 8, 4), "rnn.weight_hh_l0": (4 * 8, 8)}


def test_repeats_are_expanded():
    model = parse_torch_repr(REPEATED)
    assert [layer.name for layer in model] == ["0", "1", "2"]
    assert fans(model) == {"0": (8, 8), "1": (8, 8), "2": (8, 8)}


def test_keras_layout_reads_the_same_modules():
    model = parse_torch_repr(DECODER, layout="keras")
    by_name = {layer.name: layer for layer in model}
    assert by_name["up"].shape == (4, 4, 32, 64)  # keras Conv2DTranspose (*k, filters, in)
    assert (by_name["up"].fan_in, by_name["up"].fan_out) == (32 * 16, 64 * 16)
    assert by_name["depthwise"].shape == (3, 3, 1, 32)
    assert by_name["embed"].shape == (1000, 64)
    assert (by_name["embed"].fan_in, by_name["embed"].fan_out) == (1000, 64)


def test_flax_layout_transposed_takes_input_channels():
    up = next(layer for layer in parse_torch_repr(DECODER, layout="flax") if layer.name == "up")
    assert up.shape == (4, 4, 64, 32)
    assert (up.fan_in, up.fan_out) == (64 * 16, 32 * 16)


def test_junk_lines_around_a_printout_are_counted():
    text = "Epoch 1: loss 0.3\n" + MLP + "\ndone.\n"
    model = parse_torch_repr(text)
    assert len(model) == 3
    assert "ignored 2 line(s) outside the module printout" in model.notes


def test_single_root_leaf():
    (layer,) = parse_torch_repr("Linear(in_features=20, out_features=30, bias=False)")
    assert (layer.name, layer.shape, layer.bias) == ("Linear", (30, 20), 0)


def test_unknown_and_lazy_modules_never_raise():
    text = """Sequential(
  (0): LazyLinear(in_features=0, out_features=10, bias=True)
  (1): Hardswish()
  (2): Linear(in_features=10, out_features=5, bias=True)
  (3): MyCustomThing(foo=3)
  (4): Conv2d(3, 8, kernel_size=(3, 3), stride=(1, 1), groups=2)
)"""
    model = parse_torch_repr(text)
    assert [layer.name for layer in model] == ["2"]
    reasons = {u.name: u.reason for u in model.unknown}
    assert set(reasons) == {"0", "1", "3", "4"}
    assert "lazy" in reasons["0"]
    assert "groups 2" in reasons["4"]


@pytest.mark.parametrize(
    ("module", "activation", "note"),
    [
        ("ReLU6()", Activation("relu"), "ReLU6 read as relu"),
        ("PReLU(num_parameters=1)", Activation("leaky_relu", 0.25), "initial slope 0.25"),
        ("RReLU(lower=0.125, upper=0.375)", Activation("leaky_relu", 0.25), "eval-mode slope"),
        ("ELU(alpha=0.5)", Activation("elu"), "assumes alpha 1"),
        ("SELU()", Activation("selu"), None),
        ("Mish()", Activation("mish"), None),
        ("Softplus(beta=1.0, threshold=20.0)", Activation("softplus"), None),
        ("LeakyReLU(negative_slope=0.01)", Activation("leaky_relu", 0.01), None),
    ],
)
def test_activation_modules(module, activation, note):
    text = f"Sequential(\n  (0): Linear(in_features=4, out_features=4, bias=True)\n  (1): {module}\n)"
    (layer,) = parse_torch_repr(text)
    assert layer.activation == activation
    if note:
        assert any(note in n for n in layer.notes)


def test_activation_with_no_layer_before_it_is_noted():
    text = "Sequential(\n  (0): ReLU()\n  (1): Linear(in_features=4, out_features=4, bias=True)\n)"
    model = parse_torch_repr(text)
    assert model[0].activation == Activation()
    assert any("0 ReLU" in note for note in model.notes)


@pytest.mark.parametrize("text", ["", "hello world", "Epoch 1\nloss 3\n", "   \n"])
def test_no_printout_is_a_domain_error(text):
    with pytest.raises(GlorotcalcError, match="no torch module printout"):
        parse_torch_repr(text)


def test_no_weight_layer_is_a_domain_error_naming_the_unknown():
    with pytest.raises(GlorotcalcError, match=r"no layer with a weight.*Mamba\(4, 8\)"):
        parse_torch_repr("Sequential(\n  (0): Mamba(4, 8)\n  (1): ReLU()\n)")


def test_limits_refuse_hostile_printouts(monkeypatch):
    deep = "".join(f"{'  ' * i}(m): Sequential(\n" for i in range(200))
    with pytest.raises(GlorotcalcError, match="nests modules deeper than 100"):
        parse_torch_repr("Sequential(\n" + deep)
    monkeypatch.setattr(torchrepr, "MAX_LAYERS", 50)
    monkeypatch.setattr(torchrepr, "MAX_MODULES", 500)
    many = "ModuleList(\n  (0-99): 100 x Linear(in_features=8, out_features=8, bias=True)\n)"
    with pytest.raises(GlorotcalcError, match="more than 50 layers"):
        parse_torch_repr(many)
    huge = "ModuleList(\n  (0-999999999999): 1000000000000 x Dropout(p=0.1, inplace=False)\n)"
    with pytest.raises(GlorotcalcError, match="more than 500 modules"):
        parse_torch_repr(huge)


def test_truncated_printout_still_parses():
    model = parse_torch_repr("\n".join(CNN.splitlines()[:6]))
    assert [layer.name for layer in model] == ["features.0", "features.3"]


def test_split_args():
    assert split_args("3, 8, kernel_size=(5,), stride=(1, 1), padding=same, bias=False") == (
        [3, 8],
        {"kernel_size": (5,), "stride": (1, 1), "padding": "same", "bias": False},
    )
    assert split_args("approximate='none'") == ([], {"approximate": "none"})


def test_parse_tree_structure():
    (root,), ignored = parse_tree(CNN)
    assert ignored == 0
    assert root.type == "SmallCNN"
    assert [c.key for c in root.children] == ["features", "classifier"]
    assert [c.type for c in root.children[1].children][:2] == ["Flatten", "Linear"]


# ---------------------------------------------------------------------------------------------
# live torch 2.13


def _models(nn):
    class SmallCNN(nn.Module):
        def __init__(self):
            super().__init__()
            self.features = nn.Sequential(
                nn.Conv2d(1, 32, kernel_size=5, padding=2),
                nn.ReLU(inplace=True),
                nn.MaxPool2d(2),
                nn.Conv2d(32, 64, kernel_size=5, padding=2),
                nn.BatchNorm2d(64),
                nn.ReLU(inplace=True),
                nn.MaxPool2d(2),
            )
            self.classifier = nn.Sequential(
                nn.Flatten(), nn.Linear(64 * 7 * 7, 1024), nn.Tanh(), nn.Dropout(0.5), nn.Linear(1024, 10)
            )

    class BasicBlock(nn.Module):
        def __init__(self, cin, cout, stride):
            super().__init__()
            self.conv1 = nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False)
            self.bn1 = nn.BatchNorm2d(cout)
            self.relu = nn.ReLU(inplace=True)
            self.conv2 = nn.Conv2d(cout, cout, 3, padding=1, bias=False)
            self.bn2 = nn.BatchNorm2d(cout)
            self.downsample = nn.Sequential(
                nn.Conv2d(cin, cout, 1, stride=stride, bias=False), nn.BatchNorm2d(cout)
            )

    class Decoder(nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = nn.Embedding(1000, 64)
            self.up = nn.ConvTranspose2d(64, 32, kernel_size=4, stride=2, padding=1)
            self.act = nn.SiLU()
            self.depthwise = nn.Conv2d(32, 32, 3, padding=1, groups=32)
            self.pointwise = nn.Conv1d(32, 16, 1)
            self.gelu = nn.GELU()
            self.mix = nn.Bilinear(16, 8, 4)
            self.rnn = nn.LSTM(4, 8)

    return {
        "mlp": nn.Sequential(
            nn.Linear(784, 256),
            nn.ReLU(),
            nn.Dropout(0.2),
            nn.Linear(256, 128),
            nn.LeakyReLU(0.2),
            nn.Linear(128, 10),
        ),
        "cnn": SmallCNN(),
        "block": BasicBlock(64, 128, 2),
        "encoder": nn.TransformerEncoderLayer(d_model=64, nhead=4, dim_feedforward=128),
        "decoder": Decoder(),
        "repeated": nn.ModuleList([nn.Linear(8, 8) for _ in range(3)]),
    }


def _extra_models(nn):
    """Models only checked live: grouped/3-D/transposed convs, a stack, a whole Transformer."""
    return {
        "convs": nn.Sequential(
            nn.Conv3d(4, 8, (3, 3, 3), groups=2, bias=False),
            nn.ConvTranspose1d(6, 4, 5, groups=2),
            nn.ConvTranspose3d(2, 3, 2),
            nn.Conv2d(4, 4, kernel_size=(1, 7), padding=(0, 3)),
        ),
        "stack": nn.TransformerEncoder(
            nn.TransformerEncoderLayer(32, 4, dim_feedforward=64), num_layers=3, enable_nested_tensor=False
        ),
        "transformer": nn.Transformer(
            d_model=16, nhead=2, num_encoder_layers=1, num_decoder_layers=2, dim_feedforward=32
        ),
        "mha_nobias": nn.MultiheadAttention(8, 2, bias=False),
    }


def _layer_name(parameter_name: str) -> str:
    """``features.0.weight`` → ``features.0``; ``attn.in_proj_weight``/``_bias`` → ``attn.in_proj``."""
    module, _, leaf = parameter_name.rpartition(".")
    if leaf in ("in_proj_weight", "in_proj_bias"):
        return f"{module}.in_proj" if module else "in_proj"
    if re.fullmatch(r"(weight|bias)_(ih|hh|hr)(_l[0-9]+)?(_reverse)?", leaf):  # a recurrent weight
        return parameter_name.replace(".bias_", ".weight_") if module else leaf.replace("bias_", "weight_")
    return module


def _check_against_torch(torch, model, parsed):
    """Every weight of rank ≥ 2 torch has is a layer with torch's shape and fans; biases counted."""
    fan_in_and_fan_out = torch.nn.init._calculate_fan_in_and_fan_out
    by_name = {layer.name: layer for layer in parsed}
    unknown = {u.name for u in parsed.unknown}
    expected_params = {}
    for name, param in model.named_parameters():
        layer_name = _layer_name(name)
        if any(layer_name == u or layer_name.startswith(u + ".") for u in unknown):
            continue
        if (name.endswith(("weight", "in_proj_weight")) or ".weight_" in name) and param.dim() >= 2:
            layer = by_name[layer_name]
            assert layer.shape == tuple(param.shape), name
            assert (layer.fan_in, layer.fan_out) == fan_in_and_fan_out(param), name
        if param.dim() >= 2 or (layer_name in by_name and (name.endswith("bias") or ".bias_" in name)):
            expected_params[layer_name] = expected_params.get(layer_name, 0) + param.numel()
    assert {layer.name: layer.params for layer in parsed} == expected_params


@pytest.mark.torch
@pytest.mark.parametrize("key", sorted(PRINTOUTS))
def test_committed_printouts_match_torch(key):
    torch = torch_or_skip()
    assert str(_models(torch.nn)[key]) == PRINTOUTS[key]


@pytest.mark.torch
@pytest.mark.parametrize("key", ["mlp", "cnn", "block", "encoder", "decoder", "repeated"])
def test_fans_match_torch(key):
    torch = torch_or_skip()
    model = _models(torch.nn)[key]
    _check_against_torch(torch, model, parse_torch_repr(str(model)))


@pytest.mark.torch
@pytest.mark.parametrize("key", ["convs", "stack", "transformer", "mha_nobias"])
def test_more_models_match_torch(key):
    torch = torch_or_skip()
    with warnings.catch_warnings():  # nn.Transformer warns about nested tensors
        warnings.simplefilter("ignore")
        model = _extra_models(torch.nn)[key]
    parsed = parse_torch_repr(str(model))
    _check_against_torch(torch, model, parsed)
    assert parsed.unknown == []


@pytest.mark.torch
def test_transformer_names_match_state_dict():
    torch = torch_or_skip()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = _extra_models(torch.nn)["transformer"]
    parsed = parse_torch_repr(str(model))
    weights = [_layer_name(n) for n, p in model.named_parameters() if p.dim() >= 2]
    assert [layer.name for layer in parsed] == weights
    assert "decoder.layers.1.multihead_attn.in_proj" in weights


def test_encoder_layer_with_an_activation_module():
    text = ENCODER[: -len(")")] + "  (activation): GELU(approximate='none')\n)"
    model = parse_torch_repr(text)
    assert [str(layer.activation) for layer in model] == ["linear", "linear", "gelu", "linear"]
    assert not any("activation is a function" in note for note in model.notes)


@pytest.mark.torch
def test_missing_biases_and_model_reinitializations_match_torch():
    """``bias=False`` is a layer without bias; MultiheadAttention zeroes out_proj.bias; nn.Transformer's
    _reset_parameters applies xavier_uniform_ to every parameter with dim > 1 (every layer weight)."""
    torch = torch_or_skip()
    nn = torch.nn
    model = nn.Sequential(
        nn.Linear(4, 3, bias=False),
        nn.Conv2d(3, 2, 3, bias=False),
        nn.Linear(2, 2),
        nn.MultiheadAttention(8, 2),
    )
    parsed = {layer.name: layer for layer in parse_torch_repr(str(model))}
    for name in ("0", "1", "2"):
        assert parsed[name].no_bias == (model[int(name)].bias is None), name
    assert torch.count_nonzero(model[3].out_proj.bias) == 0
    assert [(m.part, m.init) for m in parsed["3.out_proj"].model_init] == [("bias", "zeros")]
    assert [m.part for m in parsed["0"].model_init] == []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        transformer = _extra_models(nn)["transformer"]
    layers = parse_torch_repr(str(transformer))
    reinitialized = {_layer_name(n) for n, p in transformer.named_parameters() if p.dim() > 1}
    assert {layer.name for layer in layers} == reinitialized
    for layer in layers:
        assert ("weight", "xavier_uniform_") in [(m.part, m.init) for m in layer.model_init], layer.name
    assert any(
        "_reset_parameters re-initializes every weight with xavier_uniform_" in n for n in layers.notes
    )
