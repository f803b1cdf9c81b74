"""compute_fans / parse_shape: the two weight layouts, from first principles.

torch stores ``(out, in, *k)``, keras/jax/flax ``(*k, in, out)``; in both the receptive field is
the product of the kernel dims, fan_in = in·rf and fan_out = out·rf.
"""

from __future__ import annotations

import pytest

from glorotcalc.errors import UsageError
from glorotcalc.fans import check_shape, compute_fans, parse_shape, weight_shape

# (out, in, kernel): dense, conv1d, conv2d, conv3d, a rank-6 "conv4d"
LAYERS = [
    (256, 784, ()),
    (64, 3, (5,)),
    (64, 3, (3, 3)),
    (32, 16, (3, 5, 7)),
    (8, 4, (2, 3, 2, 3)),
]


def product(dims: tuple[int, ...]) -> int:
    result = 1
    for d in dims:
        result *= d
    return result


@pytest.mark.parametrize(("out", "inp", "kernel"), LAYERS)
def test_torch_layout(out, inp, kernel):
    shape = (out, inp, *kernel)
    assert compute_fans(shape, "torch") == (inp * product(kernel), out * product(kernel))


@pytest.mark.parametrize("layout", ["keras", "jax", "flax"])
@pytest.mark.parametrize(("out", "inp", "kernel"), LAYERS)
def test_channels_last_layouts(out, inp, kernel, layout):
    shape = (*kernel, inp, out)
    assert compute_fans(shape, layout) == (inp * product(kernel), out * product(kernel))


def test_the_issue_conv_in_both_layouts():
    """Conv2d 3→64, 3×3 kernel: fan_in = 3·9 = 27, fan_out = 64·9 = 576 in either layout."""
    assert compute_fans((64, 3, 3, 3), "torch") == (27, 576)
    assert compute_fans((3, 3, 3, 64), "keras") == (27, 576)
    assert compute_fans([3, 3, 3, 64], "jax") == (27, 576)


def test_layouts_disagree_on_a_rectangular_weight():
    """The same (784, 256) array is 784→256 in keras but 256→784 in torch."""
    assert compute_fans((784, 256), "keras") == (784, 256)
    assert compute_fans((784, 256), "torch") == (256, 784)


def test_default_layout_is_torch():
    assert compute_fans((10, 20)) == (20, 10)


def test_weight_shape_round_trips():
    assert weight_shape(3, 64, (3, 3), "torch") == (64, 3, 3, 3)
    assert weight_shape(3, 64, (3, 3), "keras") == (3, 3, 3, 64)
    for layout in ("torch", "keras"):
        assert compute_fans(weight_shape(3, 64, (3, 3), layout), layout) == (27, 576)


@pytest.mark.parametrize("shape", [(), (5,), [7]])
@pytest.mark.parametrize("layout", ["torch", "keras"])
def test_rank_below_two_is_an_error(shape, layout):
    with pytest.raises(UsageError, match="at least 2 dimensions") as info:
        compute_fans(shape, layout)
    assert info.value.exit_code == 2


@pytest.mark.parametrize("shape", [(0, 5), (5, 0), (4, 3, 0, 3), (4, -3)])
def test_zero_or_negative_dims_are_errors(shape):
    with pytest.raises(UsageError, match="each dimension must be a positive integer") as info:
        compute_fans(shape, "torch")
    assert str(info.value).startswith(f"shape '{'x'.join(map(str, shape))}'")


@pytest.mark.parametrize("bad", [2.5, True, "a"])
def test_non_integer_dims_are_errors(bad):
    with pytest.raises(UsageError, match="positive integer"):
        check_shape((4, bad))


def test_unknown_layout_lists_the_valid_ones():
    with pytest.raises(UsageError) as info:
        compute_fans((4, 4), "tf")
    assert str(info.value) == (
        "layout 'tf': use one of torch, keras, jax, flax, haiku, equinox, mlx, paddle, flux, tinygrad"
    )


def test_fans_beyond_int64_are_refused():
    big = 2**40
    assert compute_fans((big, big), "torch") == (big, big)
    with pytest.raises(UsageError, match="fans exceed"):
        compute_fans((big, big, big), "torch")


@pytest.mark.parametrize(
    ("text", "shape"),
    [
        ("64x3x3x3", (64, 3, 3, 3)),
        ("3,3,3,64", (3, 3, 3, 64)),
        ("3, 3, 3, 64", (3, 3, 3, 64)),
        ("256×784", (256, 784)),
    ],
)
def test_parse_shape(text, shape):
    assert parse_shape(text) == shape


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("3", "shape '3': a weight needs at least 2 dimensions, e.g. 256x784"),
        ("64x0x3", "shape '64x0x3': each dimension must be a positive integer ≤ 2**63 - 1; got 0"),
        ("64,a", "shape '64,a': each dimension must be a positive integer ≤ 2**63 - 1; got 'a'"),
        ("64x3x", "shape '64x3x': use dimensions separated by 'x' or ',', e.g. 64x3x3x3"),
        ("", "shape '': use dimensions separated by 'x' or ',', e.g. 64x3x3x3"),
    ],
)
def test_parse_shape_errors_quote_the_text(text, message):
    with pytest.raises(UsageError) as info:
        parse_shape(text)
    assert str(info.value) == message
