"""Architecture strings → layers: fans written out from the weight layouts, and near-miss errors.

torch layouts: dense ``(out, in)``, conv ``(out, in/groups, *k)``, transposed ``(in, out/groups, *k)``;
fan_in = shape[1]·∏k, fan_out = shape[0]·∏k. keras: ``(*k, in/groups, out)``, transposed
``(*k, out, in)``; flax transposed ``(*k, in, out)``.
"""

from __future__ import annotations

import pytest

from glorotcalc.arch import ArchitectureError, parse_arch, parse_chain, render_arch, tokenize
from glorotcalc.errors import UsageError
from glorotcalc.gain import Activation
from glorotcalc.layers import embedding

MNIST = "1-conv5x5:32@relu-conv5x5:64@relu-flatten:7x7-1024@relu-10"


def fans(layers):
    return [(layer.fan_in, layer.fan_out) for layer in layers]


def test_mnist_example_of_the_issue():
    layers = parse_arch(MNIST)
    assert fans(layers) == [(1 * 5 * 5, 32 * 5 * 5), (32 * 5 * 5, 64 * 5 * 5), (64 * 7 * 7, 1024), (1024, 10)]
    assert fans(layers) == [(25, 800), (800, 1600), (3136, 1024), (1024, 10)]
    assert [layer.shape for layer in layers] == [(32, 1, 5, 5), (64, 32, 5, 5), (1024, 3136), (10, 1024)]
    assert [str(layer.activation) for layer in layers] == ["relu", "relu", "relu", "linear"]
    assert [layer.name for layer in layers] == ["layer0", "layer1", "layer2", "layer3"]
    assert layers[2].flatten == (7, 7)
    assert layers[2].notes == ("input 64×7×7 = 3136 (flatten:7x7)",)


def test_mnist_in_keras_layout():
    layers = parse_arch(MNIST, layout="keras")
    assert [layer.shape for layer in layers] == [(5, 5, 1, 32), (5, 5, 32, 64), (3136, 1024), (1024, 10)]
    assert fans(layers) == [(25, 800), (800, 1600), (3136, 1024), (1024, 10)]


def test_an_architecture_of_widths_is_the_chain():
    assert parse_arch("784-256-128-10") == parse_chain(["784", "256", "128", "10"])
    assert parse_arch("784-256", "keras") == parse_chain(["784", "256"], "keras")


def test_conv_ranks_1d_3d_and_rectangular_kernels():
    layers = parse_arch("3-conv7:16-conv3x3x3:8-conv1x5:4")
    assert [layer.shape for layer in layers] == [(16, 3, 7), (8, 16, 3, 3, 3), (4, 8, 1, 5)]
    assert fans(layers) == [(3 * 7, 16 * 7), (16 * 27, 8 * 27), (8 * 5, 4 * 5)]
    assert [layer.label for layer in layers] == ["conv1d", "conv3d", "conv2d"]


def test_depthwise_and_grouped():
    depthwise, grouped = parse_arch("64-conv3x3:64/64-conv3x3:128/4")
    assert depthwise.shape == (64, 1, 3, 3)
    assert (depthwise.fan_in, depthwise.fan_out) == (1 * 9, 64 * 9)
    assert depthwise.label == "conv2d/64"
    (note,) = depthwise.notes
    assert note.startswith("groups=64")
    assert "fan_in 9 is right; fan_out 576 is 64× the out/groups·∏k = 9 outputs each input feeds" in note
    assert "Keras DepthwiseConv2D has other fans: write dwconvKxK" in note  # groups = in: say so
    assert grouped.shape == (128, 64 // 4, 3, 3)
    assert (grouped.fan_in, grouped.fan_out) == (16 * 9, 128 * 9)
    assert grouped.notes[0].startswith("groups=4")
    assert "DepthwiseConv" not in grouped.notes[0]


@pytest.mark.parametrize(("text", "multiplier"), [("64-dwconv3x3", 1), ("64-dwconv3x3:128", 2)])
def test_dwconv_is_keras_depthwise_conv_and_torch_groups_in(text, multiplier):
    """C_in = 64, 3×3, out = 64·m. Keras DepthwiseConv2D kernel (3, 3, 64, m): fans (64·9, m·9);
    torch Conv2d(64, 64m, 3, groups=64) weight (64m, 1, 3, 3) and Flax Conv(feature_group_count=64)
    kernel (3, 3, 1, 64m): fans (1·9, 64m·9)."""
    rf, out = 3 * 3, 64 * multiplier
    (torch,) = parse_arch(text)
    (keras,) = parse_arch(text, layout="keras")
    (flax,) = parse_arch(text, layout="flax")
    assert (torch.kind, torch.label, torch.groups) == ("depthwise", "dwconv2d", 64)
    assert (torch.shape, keras.shape, flax.shape) == ((out, 1, 3, 3), (3, 3, 64, multiplier), (3, 3, 1, out))
    assert ((torch.fan_in, torch.fan_out), (keras.fan_in, keras.fan_out), (flax.fan_in, flax.fan_out)) == (
        (rf, out * rf),
        (64 * rf, multiplier * rf),
        (rf, out * rf),
    )
    for layer in (torch, keras, flax):
        assert layer.framework_fans() == {
            "torch": (rf, out * rf),
            "keras": (64 * rf, multiplier * rf),
            "flax": (rf, out * rf),
        }
    (note,) = torch.notes
    assert f"has fans {64 * rf}/{multiplier * rf}" in note and f"have fans {rf}/{out * rf}" in note
    assert render_arch(parse_arch(text)) == text


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("64-dwconvt3x3", "a depthwise convolution is not transposed: dwconvKxK or dwconvKxK:C"),
        ("64-dwconv3x3:64/2", "a depthwise convolution has one group per input channel: drop /G"),
        (
            "64-dwconv3x3:96",
            "a depthwise convolution's output channels 96 must be a multiple of its input channels 64 "
            "(the depth multiplier)",
        ),
        ("64-dwconv3x3:x", "output channels 'x' must be a positive integer, e.g. dwconv3x3:128"),
    ],
)
def test_dwconv_errors(text, message):
    with pytest.raises(ArchitectureError) as caught:
        parse_arch(text)
    assert str(caught.value).endswith(f"of 64-^{text[3:]}: {message}")


def test_transposed_conv_fans_per_framework():
    (up,) = parse_arch("64-convt4x4:32")
    assert up.kind == "conv_transpose" and up.label == "convT2d"
    assert up.shape == (64, 32, 4, 4)
    assert (up.fan_in, up.fan_out) == (32 * 16, 64 * 16)  # torch: fan_in from the output channels
    assert up.framework_fans() == {"torch": (512, 1024), "keras": (512, 1024), "flax": (1024, 512)}
    assert up.notes == (
        "transposed: fan_in/fan_out = 512/1024 in torch and keras (output channels), "
        "1024/512 in flax (input channels)",
    )
    (keras,) = parse_arch("64-convt4x4:32", layout="keras")
    assert keras.shape == (4, 4, 32, 64)
    (flax,) = parse_arch("64-convt4x4:32", layout="flax")
    assert flax.shape == (4, 4, 64, 32)
    assert (flax.fan_in, flax.fan_out) == (1024, 512)


def test_grouped_transposed_conv():
    (up,) = parse_arch("8-convt3:4/2")
    assert up.shape == (8, 4 // 2, 3)
    assert (up.fan_in, up.fan_out) == (2 * 3, 8 * 3)


def test_flatten_variants_and_dense_after_conv():
    assert fans(parse_arch("3-flatten:32x32-10")) == [(3 * 32 * 32, 10)]
    assert fans(parse_arch("2-conv3:4-flatten:100-10")) == [(6, 12), (400, 10)]
    assert fans(parse_arch("1-conv3x3x3:2-flatten:4x5x6-10"))[1] == (2 * 4 * 5 * 6, 10)
    _, pooled = parse_arch("3-conv3x3:64-10")
    assert (pooled.fan_in, pooled.fan_out) == (64, 10)
    assert "as after global pooling" in pooled.notes[0]


@pytest.mark.parametrize(
    ("text", "activations"),
    [
        ("784-256@relu-10", ["relu", "linear"]),
        ("784-256@leaky_relu-10@tanh", ["leaky_relu", "tanh"]),
        ("784-256@leaky_relu:0.2-10", ["leaky_relu:0.2", "linear"]),
        ("784-256@leaky_relu:-0.2-10", ["leaky_relu:-0.2", "linear"]),
        ("784-256@leaky_relu:1e-3-10", ["leaky_relu:0.001", "linear"]),
        ("784-256@leaky_relu:1E-3-10", ["leaky_relu:0.001", "linear"]),
        ("784-256@swish-10@SELU", ["silu", "selu"]),
        ("784-256@gelu-10@mish", ["gelu", "mish"]),
        ("784-256@elu-10@softplus", ["elu", "softplus"]),
        ("784-256@sigmoid-10@linear", ["sigmoid", "linear"]),
        ("3-conv3x3:64@leaky_relu:0.2-convt2x2:3@tanh", ["leaky_relu:0.2", "tanh"]),
    ],
)
def test_activation_suffixes(text, activations):
    assert [str(layer.activation) for layer in parse_arch(text)] == activations


def test_default_activation_only_where_no_suffix():
    layers = parse_arch("784-256-128@linear-10@tanh", activation=Activation("relu"))
    assert [str(layer.activation) for layer in layers] == ["relu", "linear", "tanh"]


def test_whitespace_and_case_are_tolerated():
    assert parse_arch(" 3 - Conv3X3:8 @ReLU - 10 ") == parse_arch("3-conv3x3:8@relu-10")


# Near misses beside valid strings (einops style): (valid, invalid, token number, char, message part)
NEAR_MISSES = [
    ("784-256-10", "784-25x6-10", 2, 5, "expected N, convK:C"),
    ("784-256-10", "784--10", 2, 5, "empty token"),
    ("784-256-10", "784-256-", 3, 9, "empty token"),
    ("784-256-10", "-784-256", 1, 1, "empty token"),
    ("784-256-10", "784-0-10", 2, 5, "must be a positive integer"),
    ("784-256-10", "784-2.5-10", 2, 5, "expected N"),
    ("784-256-10", "784-+256-10", 2, 5, "expected N"),
    ("3-conv3x3:64", "conv3x3:64", 1, 1, "the first token is the input"),
    ("3-conv3x3:64", "3-conv3x3", 2, 3, "needs its output channels"),
    ("3-conv3x3:64", "3-conv3x3:", 2, 3, "output channels ''"),
    ("3-conv3x3:64", "3-conv:64", 2, 3, "a convolution is convK:C"),
    ("3-conv3x3:64", "3-conv3xx3:64", 2, 3, "kernel '3xx3'"),
    ("3-conv3x3:64", "3-conv3x3x3x3:64", 2, 3, "has 4 dimensions"),
    ("3-conv3x3:64", "3-conv3x0:64", 2, 3, "kernel size 0"),
    ("3-conv3x3:64", "3-cnv3x3:64", 2, 3, "expected N"),
    ("64-conv3x3:64/64", "64-conv3x3:64/5", 2, 4, "groups 5 must divide"),
    ("64-conv3x3:64/64", "64-conv3x3:64/", 2, 4, "groups ''"),
    ("64-conv3x3:64/64", "64-conv3x3:64/0", 2, 4, "groups 0"),
    ("64-convt3x3:32", "64-convT3x3", 2, 4, "needs its output channels"),
    ("1-conv3x3:8-flatten:7x7-10", "1-conv3x3:8-flatten:7x7", 3, 13, "followed by a dense layer"),
    ("1-conv3x3:8-flatten:7x7-10", "1-conv3x3:8-flatten:7-10", 3, 13, "the convolution before is 2-D"),
    ("1-conv3x3:8-flatten:7x7-10", "1-conv3x3:8-flatten-10", 3, 13, "flatten is flatten:HxW"),
    ("1-conv3x3:8-flatten:7x7-10", "1-conv3x3:8-flatten:7x7-conv3:2", 4, 25, "not a convolution"),
    ("1-conv3x3:8-flatten:7x7-10", "1-conv3x3:8-flatten:7x7@relu-10", 3, 13, "takes no @activation"),
    ("1-conv3x3:8-flatten:7x7-10", "1-conv3x3:8-10-flatten:7x7-10", 4, 16, "not a dense layer"),
    ("784-256@relu-10", "784@relu-256-10", 1, 1, "the input takes no @activation"),
    ("784-256@relu-10", "784-256@-10", 2, 5, "empty activation"),
    ("784-256@relu-10", "784-256@relu@tanh-10", 2, 5, "one @activation per layer"),
    ("784-256@relu-10", "784-256@rleu-10", 2, 5, "unknown activation 'rleu'; use one of linear, relu"),
    ("784-256@relu-10", "784-256@softmax-10", 2, 5, "leaky_relu, tanh, sigmoid, selu, elu, gelu, silu"),
    ("784-256@leaky_relu:0.2-10", "784-256@relu:0.2-10", 2, 5, "relu takes no parameter"),
    ("784-256@leaky_relu:0.2-10", "784-256@leaky_relu:x-10", 2, 5, "must be a number"),
    ("784-256@leaky_relu:0.2-10", "784-256@leaky_relu:inf-10", 2, 5, "must be a finite number"),
    ("784-10", "784", 1, 1, "needs a layer after the input"),
    ("784-10", "784-" + "9" * 40, 2, 5, "below 2**63"),
]


@pytest.mark.parametrize(("valid", "invalid", "index", "char", "message"), NEAR_MISSES)
def test_near_misses(valid, invalid, index, char, message):
    assert parse_arch(valid)
    with pytest.raises(ArchitectureError) as caught:
        parse_arch(invalid)
    error = caught.value
    assert (error.index, error.start + 1) == (index, char)
    assert message in str(error)
    text = str(error)
    assert "\n" not in text
    assert text.startswith(f"architecture token {index} {error.token!r} at char {char} of ")
    assert invalid[: char - 1] + "^" + invalid[char - 1 :] in text
    assert error.exit_code == 2


def test_error_message_and_caret():
    with pytest.raises(ArchitectureError) as caught:
        parse_arch("784-25x6-10")
    assert str(caught.value) == (
        "architecture token 2 '25x6' at char 5 of 784-^25x6-10: expected N, convK:C, convKxK:C, "
        "convKxKxK:C (/G groups; convt… transposed; dwconvKxK depthwise), lstmH, gruH, rnnH (xL layers, "
        "bi, lstmHpP) or flatten:HxW, "
        "each layer with an optional @activation"
    )
    assert caught.value.caret == "784-25x6-10\n    ^^^^"
    assert isinstance(caught.value, UsageError)


def test_tokenize_keeps_slope_signs_and_exponents():
    assert tokenize("784-256@leaky_relu:-1e-05-10") == [("784", 0), ("256@leaky_relu:-1e-05", 4), ("10", 26)]
    assert tokenize(" 3 -4") == [("3", 1), ("4", 4)]


def test_too_long_a_string_is_refused():
    with pytest.raises(UsageError, match="longer than"):
        parse_arch("1-" * 60_000 + "1")


@pytest.mark.parametrize(
    "text",
    [
        MNIST,
        "784-256@leaky_relu:0.2-10",
        "4-conv3x3:64/4@relu-convt4x4:8/8@selu-flatten:16x16-10@tanh",
        "2-flatten:5x5x5-7@gelu",
        "16-conv3:8-4",
        "8-dwconv3x3@relu-dwconv5x5:32-conv1x1:16",
    ],
)
def test_render_round_trip(text):
    assert render_arch(parse_arch(text)) == text
    layers = parse_arch(text, layout="keras")
    assert parse_arch(render_arch(layers), layout="keras") == layers


def test_render_refuses_what_it_cannot_write():
    with pytest.raises(UsageError, match="no architecture token for layer kind 'embedding'"):
        render_arch([embedding(10, 4)])
    a, b = parse_chain(["4", "5", "6"])
    with pytest.raises(UsageError, match="do not form a chain"):
        render_arch([b, a])
