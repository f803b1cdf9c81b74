"""Property tests: generated architectures parse to the fans their tokens imply, round-trip through
`render_arch`, and junk never raises anything but the domain error.

The generator tracks channels itself and computes each layer's torch fans from first principles:
conv fan_in = in/groups·∏k, fan_out = out·∏k; transposed fan_in = out/groups·∏k, fan_out = in·∏k;
dense after ``flatten:S`` fan_in = channels·∏S; depthwise ``dwconvK:C`` (C = m·in) fan_in = ∏k,
fan_out = C·∏k in torch and Flax, and in Keras (DepthwiseConv kernel (*k, in, m)) in·∏k and m·∏k.
"""

from __future__ import annotations

import math

from hypothesis import example, given, settings
from hypothesis import strategies as st

from glorotcalc.arch import ArchitectureError, parse_arch, render_arch
from glorotcalc.errors import GlorotcalcError, UsageError
from glorotcalc.layers import relayout
from glorotcalc.torchrepr import parse_torch_repr

FAST = settings(max_examples=100, deadline=None)
FEW = settings(max_examples=60, deadline=None)  # composite strategies draw slowly

SIMPLE = ["linear", "relu", "tanh", "sigmoid", "selu", "elu", "gelu", "silu", "softplus", "mish"]
slopes = st.one_of(
    st.floats(min_value=-10, max_value=10, allow_nan=False, allow_infinity=False),
    st.sampled_from([0.01, 0.2, 1e-05, -3e-07, 1e20]),
)
suffixes = st.one_of(
    st.just(""),
    st.sampled_from(SIMPLE).map(lambda name: f"@{name}"),
    slopes.map(lambda s: f"@leaky_relu:{s!r}"),
)


@st.composite
def architectures(draw):
    """(text, torch [(fan_in, fan_out), …], keras […]) for a valid architecture string."""
    channels = draw(st.integers(1, 64))
    tokens, expected, keras, previous, rank = [str(channels)], [], [], "input", 0
    for _ in range(draw(st.integers(1, 6))):
        step = draw(st.sampled_from(["dense", "conv", "convt", "dwconv", "flatten"]))
        if step == "dwconv" and previous == "dense":
            step = "dense"  # a conv follows the input or a conv
        if step == "flatten" and previous in ("input", "conv"):
            spatial = draw(st.lists(st.integers(1, 9), min_size=rank or 1, max_size=rank or 3))
            units = draw(st.integers(1, 300))
            tokens += ["flatten:" + "x".join(map(str, spatial)), f"{units}{draw(suffixes)}"]
            expected.append((channels * math.prod(spatial), units))
            keras.append(expected[-1])
            channels, previous = units, "dense"
        elif step == "dwconv":
            kernel = draw(st.lists(st.integers(1, 7), min_size=1, max_size=3))
            multiplier = draw(st.integers(1, 4))
            out, rf = channels * multiplier, math.prod(kernel)
            spelled = "x".join(map(str, kernel))
            written = draw(st.sampled_from([f":{out}", ""] if multiplier == 1 else [f":{out}"]))
            tokens.append(f"dwconv{spelled}{written}{draw(suffixes)}")
            expected.append((rf, out * rf))
            keras.append((channels * rf, multiplier * rf))
            channels, previous, rank = out, "conv", len(kernel)
        elif step in ("conv", "convt"):
            kernel = draw(st.lists(st.integers(1, 7), min_size=1, max_size=3))
            groups = draw(st.sampled_from([g for g in range(1, channels + 1) if channels % g == 0]))
            out = groups * draw(st.integers(1, 8))
            rf = math.prod(kernel)
            group_text = f"/{groups}" if groups > 1 else ""
            t = "t" if step == "convt" else ""
            tokens.append(f"conv{t}{'x'.join(map(str, kernel))}:{out}{group_text}{draw(suffixes)}")
            if step == "conv":
                expected.append((channels // groups * rf, out * rf))
            else:
                expected.append((out // groups * rf, channels * rf))
            keras.append(expected[-1])
            channels, previous, rank = out, "conv", len(kernel)
        else:
            units = draw(st.integers(1, 300))
            tokens.append(f"{units}{draw(suffixes)}")
            expected.append((channels, units))
            keras.append(expected[-1])
            channels, previous = units, "dense"
    return "-".join(tokens), expected, keras


@FEW
@given(architectures())
@example(
    (
        "1-conv5x5:32@relu-conv5x5:64@relu-flatten:7x7-1024@relu-10",
        [(25, 800), (800, 1600), (3136, 1024), (1024, 10)],
        [(25, 800), (800, 1600), (3136, 1024), (1024, 10)],
    )
)
@example(("8-dwconv3x3:16-conv1:4", [(9, 144), (16, 4)], [(72, 18), (16, 4)]))
def test_generated_architectures_have_their_fans_and_round_trip(case):
    text, expected, expected_keras = case
    layers = parse_arch(text)
    assert [(layer.fan_in, layer.fan_out) for layer in layers] == expected
    assert parse_arch(render_arch(layers)) == layers
    keras = parse_arch(text, layout="keras")
    assert parse_arch(render_arch(keras), layout="keras") == keras
    # the fans of a conv and a dense layer do not depend on the layout; a transposed conv's do not
    # either between torch and keras (both take fan_in from the output channels); a depthwise
    # conv's do (Keras's DepthwiseConv kernel is (*k, in, multiplier))
    assert [(k.fan_in, k.fan_out) for k in keras] == expected_keras
    # the same layer re-expressed in another layout is the layer parsed in that layout
    assert [relayout(layer, "keras") for layer in layers] == keras
    assert [relayout(k, "torch") for k in keras] == layers
    rendered = render_arch(layers)
    assert render_arch(parse_arch(rendered)) == rendered
    assert "@linear" not in rendered


GRAMMAR = "0123456789-x:/@convtflaen_reluhsgmidpkyw.eE+ ×\t"


@FAST
@given(st.one_of(st.text(alphabet=GRAMMAR, max_size=40), st.text(max_size=40)))
@example("784-25x6-10")
@example("1-conv3x3:8/0")
@example("784-" + "9" * 5000)
@example("3-flatten:" + "x".join(["99999999999"] * 3) + "-10")
def test_junk_raises_only_usage_errors(text):
    try:
        layers = parse_arch(text)
    except ArchitectureError as error:
        assert "\n" not in str(error)
        assert text[error.start : error.start + len(error.token)] == error.token
    except UsageError as error:
        assert "\n" not in str(error)
    else:
        assert layers and all(layer.fan_in > 0 and layer.fan_out > 0 for layer in layers)


@FEW
@given(
    architectures(),
    st.integers(0, 10_000),
    st.sampled_from(["insert", "delete", "replace"]),
    st.text(GRAMMAR, min_size=1, max_size=1),
)
def test_one_character_mutations(case, where, how, char):
    text, _, _ = case
    i = where % (len(text) + 1)
    if how == "insert":
        mutated = text[:i] + char + text[i:]
    elif how == "delete":
        mutated = text[:i] + text[i + 1 :]
    else:
        mutated = text[:i] + char + text[i + 1 :]
    try:
        parse_arch(mutated)
    except ArchitectureError as error:
        assert mutated[error.start : error.start + len(error.token)] == error.token
    except UsageError:
        pass


PRINTOUT_LINES = [
    "Sequential(",
    ")",
    "  (0): Linear(in_features=784, out_features=256, bias=True)",
    "  (1): ReLU()",
    "  (2): Conv2d(3, 8, kernel_size=(3, 3), stride=(1, 1), groups=2)",
    "  (0-3): 4 x Linear(in_features=8, out_features=8, bias=True)",
    "  (attn): MultiheadAttention(",
    "    (out_proj): NonDynamicallyQuantizableLinear(in_features=16, out_features=16, bias=True)",
    "  (x): ConvTranspose1d(4, 6, kernel_size=(2,), stride=(1,))",
    "  (e): Embedding(10, 3)",
    "  (b): Bilinear(in1_features=2, in2_features=3, out_features=4, bias=False)",
    "  (l): LeakyReLU(negative_slope=nan)",
    "  (q): Linear(in_features=0, out_features=-1)",
    "  (z): Conv3d(1, 1, kernel_size=(1, 2), stride=(1,))",
    "  (): ",
    "Epoch 1 loss=0.3",
]


@FAST
@given(st.lists(st.one_of(st.sampled_from(PRINTOUT_LINES), st.text(max_size=30)), max_size=25))
def test_junk_printouts_raise_only_domain_errors(lines):
    text = "\n".join(lines)
    try:
        model = parse_torch_repr(text)
    except GlorotcalcError as error:
        assert "\n" not in str(error)
    else:
        assert len(model) >= 1
        assert all(layer.fan_in > 0 and layer.fan_out > 0 for layer in model)
