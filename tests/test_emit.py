"""emit keras|jax|flax: the code parses, and — run against stand-ins that implement each
framework's documented semantics (written out below) — realizes exactly the distribution the
source conventions define: the same std and the same support (max |w|).

Keras 3 `VarianceScaling(scale, mode, distribution)`: fans from (*k, in, out) (rank 0 → (1, 1),
rank 1 → (n, n)), Var = scale/max(1, n); "uniform" U(±√(3·Var)); "truncated_normal" (alias
"normal") σ = √Var/0.87962566 cut at ±2σ; "untruncated_normal" N(0, Var). `TruncatedNormal(stddev)`
cuts at ±2·stddev and does not rescale. JAX `variance_scaling`: same, no clamp, also
"fan_geo_avg"; there "normal" is untruncated. Flax re-exports JAX's initializers.
"""

from __future__ import annotations

import ast
import json
import math
import sys
import types
from dataclasses import dataclass

import pytest

TRUNC = 0.87962566103423978  # std of N(0, 1) truncated to (−2, 2)
REL = 1e-12


@dataclass
class Draw:
    """What an initializer call would produce: its realized std and max |w| (None: unbounded)."""

    std: float
    support: float | None
    shape: tuple[int, ...]


def n_for(mode: str, fan_in: float, fan_out: float) -> float:
    return {
        "fan_in": fan_in,
        "fan_out": fan_out,
        "fan_avg": (fan_in + fan_out) / 2,
        "fan_geo_avg": math.sqrt(fan_in * fan_out),
    }[mode]


def draw(shape, variance: float, distribution: str) -> Draw:
    if distribution == "uniform":
        limit = math.sqrt(3 * variance)
        return Draw(limit / math.sqrt(3), limit, tuple(shape))
    if distribution == "truncated_normal":
        sigma = math.sqrt(variance) / TRUNC
        return Draw(sigma * TRUNC, 2 * sigma, tuple(shape))
    return Draw(math.sqrt(variance), None, tuple(shape))


# --- a Keras 3 stand-in ---------------------------------------------------------------------------


def keras_fans(shape) -> tuple[int, int]:
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    receptive_field = math.prod(shape[:-2])
    return shape[-2] * receptive_field, shape[-1] * receptive_field


class VarianceScaling:
    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None):
        assert mode in ("fan_in", "fan_out", "fan_avg")
        distribution = "truncated_normal" if distribution == "normal" else distribution
        assert distribution in ("uniform", "truncated_normal", "untruncated_normal")
        self.scale, self.mode, self.distribution = scale, mode, distribution

    def __call__(self, shape, dtype=None):
        n = max(1.0, n_for(self.mode, *keras_fans(shape)))
        return draw(shape, self.scale / n, self.distribution)


def _keras_named(scale: float, mode: str, distribution: str):
    class Named(VarianceScaling):
        def __init__(self, seed=None):
            super().__init__(scale, mode, distribution)

    return Named


class RandomUniform:
    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        assert minval == -maxval
        self.maxval = maxval

    def __call__(self, shape, dtype=None):
        return Draw(self.maxval / math.sqrt(3), self.maxval, tuple(shape))


class RandomNormal:
    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self.stddev = stddev

    def __call__(self, shape, dtype=None):
        return Draw(self.stddev, None, tuple(shape))


class TruncatedNormal:
    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self.stddev = stddev

    def __call__(self, shape, dtype=None):
        return Draw(self.stddev * TRUNC, 2 * self.stddev, tuple(shape))


def fake_keras() -> types.ModuleType:
    keras = types.ModuleType("keras")
    keras.initializers = types.SimpleNamespace(
        VarianceScaling=VarianceScaling,
        GlorotUniform=_keras_named(1.0, "fan_avg", "uniform"),
        GlorotNormal=_keras_named(1.0, "fan_avg", "truncated_normal"),
        HeUniform=_keras_named(2.0, "fan_in", "uniform"),
        HeNormal=_keras_named(2.0, "fan_in", "truncated_normal"),
        LecunUniform=_keras_named(1.0, "fan_in", "uniform"),
        LecunNormal=_keras_named(1.0, "fan_in", "truncated_normal"),
        RandomUniform=RandomUniform,
        RandomNormal=RandomNormal,
        TruncatedNormal=TruncatedNormal,
    )
    return keras


# --- a JAX / Flax stand-in ------------------------------------------------------------------------


def jax_variance_scaling(scale, mode, distribution, in_axis=-2, out_axis=-1, batch_axis=(), dtype=None):
    assert distribution in ("uniform", "truncated_normal", "normal")

    def init(key, shape, dtype=None):
        assert len(shape) >= 2, "jax refuses rank < 2"
        receptive_field = math.prod(shape) / shape[in_axis] / shape[out_axis]
        fan_in, fan_out = shape[in_axis] * receptive_field, shape[out_axis] * receptive_field
        return draw(shape, scale / n_for(mode, fan_in, fan_out), distribution)

    return init


def fake_jax() -> tuple[types.ModuleType, types.ModuleType, types.ModuleType]:
    def named(scale, mode, distribution):
        return lambda in_axis=-2, out_axis=-1, batch_axis=(), dtype=None: jax_variance_scaling(
            scale, mode, distribution
        )

    def normal(stddev=1e-2, dtype=None):
        return lambda key, shape, dtype=None: Draw(stddev, None, tuple(shape))

    def truncated_normal(stddev=1e-2, dtype=None, lower=-2.0, upper=2.0):
        assert (lower, upper) == (-2.0, 2.0)
        return lambda key, shape, dtype=None: Draw(stddev * TRUNC, 2 * stddev, tuple(shape))

    def uniform(key, shape, dtype=None, minval=0.0, maxval=1.0):
        assert minval == -maxval
        return Draw(maxval / math.sqrt(3), maxval, tuple(shape))

    initializers = types.SimpleNamespace(
        variance_scaling=jax_variance_scaling,
        glorot_uniform=named(1.0, "fan_avg", "uniform"),
        glorot_normal=named(1.0, "fan_avg", "truncated_normal"),
        he_uniform=named(2.0, "fan_in", "uniform"),
        he_normal=named(2.0, "fan_in", "truncated_normal"),
        lecun_uniform=named(1.0, "fan_in", "uniform"),
        lecun_normal=named(1.0, "fan_in", "truncated_normal"),
        normal=normal,
        truncated_normal=truncated_normal,
    )
    jax = types.ModuleType("jax")
    jnp = types.ModuleType("jax.numpy")
    jnp.float32 = "float32"
    jax.numpy = jnp
    jax.nn = types.SimpleNamespace(initializers=initializers)
    jax.random = types.SimpleNamespace(key=lambda seed: ("key", seed), uniform=uniform)
    flax = types.ModuleType("flax")
    flax.linen = types.ModuleType("flax.linen")
    flax.linen.initializers = initializers
    return jax, jnp, flax


@pytest.fixture
def stand_ins(monkeypatch):
    jax, jnp, flax = fake_jax()
    modules = {"keras": fake_keras(), "jax": jax, "jax.numpy": jnp, "flax": flax, "flax.linen": flax.linen}
    for name, module in modules.items():
        monkeypatch.setitem(sys.modules, name, module)


def emit(cli, *argv: str) -> dict:
    result = cli(*argv, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def run_code(code: str) -> dict[str, Draw]:
    namespace: dict = {}
    exec(compile(code, "<emitted>", "exec"), namespace)
    return {k: v for k, v in namespace.items() if isinstance(v, Draw)}


def check_realized(document: dict) -> None:
    """Every emitted weight has the source's std and support (uniform bound, 2σ, or unbounded)."""
    draws = run_code(document["code"])
    for layer in document["layers"]:
        result, got = layer["result"], draws[layer["variable"]]
        assert got.shape == tuple(layer["shape"])
        assert got.std == pytest.approx(result["std"], rel=REL)
        if result["support"] is None:
            assert got.support is None
        else:
            assert got.support == pytest.approx(result["support"], rel=REL)


SOURCES = [(), ("--from", "torch"), ("--from", "keras"), ("--from", "flax")]
LAYERS = [("784", "256"), ("16-convt3x3:8",), ("3-conv3x3:16/1-conv1:8",)]


@pytest.mark.parametrize("target", ["keras", "jax", "flax"])
@pytest.mark.parametrize("source", SOURCES, ids=["neutral", "torch", "keras", "flax"])
@pytest.mark.parametrize("layers", LAYERS, ids=["dense", "convT", "convs"])
def test_emitted_code_realizes_the_source_distribution(cli, stand_ins, target, source, layers):
    for scheme in ("glorot", "he", "lecun"):
        for dist in ("uniform", "normal", "truncated"):
            document = emit(cli, "emit", target, *layers, *source, "--scheme", scheme, "--dist", dist)
            ast.parse(document["code"])
            check_realized(document)


@pytest.mark.parametrize("target", ["keras", "jax", "flax"])
@pytest.mark.parametrize(
    "options",
    [
        ("--act", "tanh", "--scheme", "glorot", "--dist", "normal"),
        ("--gain", "0.5", "--scheme", "he", "--dist", "uniform", "--mode", "fan_out"),
        ("--scheme", "he", "--mode", "fan_geo_avg", "--dist", "truncated"),
        ("--scheme", "lecun", "--mode", "fan_avg", "--dist", "uniform"),
    ],
)
def test_emitted_code_with_gains_and_modes(cli, stand_ins, target, options):
    document = emit(cli, "emit", target, "784", "256", *options)
    check_realized(document)


def test_keras_edge_shapes_emit_exactly(cli, stand_ins):
    """A Keras rank-1 weight (fans (n, n)) and a zero fan (n clamped to 1) in Keras code."""
    for shape in ("10", "0x5"):
        for dist in ("uniform", "normal"):
            document = emit(
                cli, "emit", "keras", "--shape", shape, "--from", "keras", "--scheme", "he", "--dist", dist
            )
            check_realized(document)


def test_issue_example_torch_glorot_normal_in_keras(cli):
    """torch's untruncated xavier_normal_ in Keras is VarianceScaling(..., "untruncated_normal")."""
    result = cli("emit", "keras", "784", "256", "--scheme", "glorot", "--dist", "normal")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert result.stdout == (
        "import keras\n"
        "\n"
        "# layer0: dense 784 → 256 · glorot N(0, 0.0438529²), untruncated\n"
        "layer0_init = keras.initializers.VarianceScaling(\n"
        '    scale=1.0, mode="fan_avg", distribution="untruncated_normal"\n'
        ")\n"
        "layer0 = layer0_init(shape=(784, 256))\n"
        "# keras.layers.Dense(256, kernel_initializer=layer0_init)\n"
    )


def test_issue_example_keras_glorot_normal_in_torch(cli):
    """Keras's truncated GlorotNormal in torch: trunc_normal_ with σ = std/0.8796 and a, b = ∓2σ."""
    result = cli("emit", "torch", "784", "256", "--from", "keras", "--scheme", "glorot", "--dist", "normal")
    assert result.exit_code == 0, result.output
    sigma = math.sqrt(2 / 1040) / TRUNC
    assert f"sigma = {sigma!r}" in result.stdout
    assert "nn.init.trunc_normal_(layer0, std=sigma, a=-2 * sigma, b=2 * sigma)" in result.stdout
    assert "layer0 = torch.empty(256, 784)" in result.stdout
    ast.parse(result.stdout)


def test_json_code_is_the_printed_code(cli):
    argv = ("emit", "jax", "784", "256", "10", "--scheme", "he", "--dist", "uniform")
    plain = cli(*argv)
    assert plain.exit_code == 0, plain.output
    document = emit(cli, *argv)
    assert document["code"] == plain.stdout
    assert [layer["variable"] for layer in document["layers"]] == ["layer0", "layer1"]
    assert document["layers"][0]["initializer"] == "jax.nn.initializers.he_uniform()"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ("784", "256", "--dist", "normal"),
            "Error: emit needs one scheme: give --scheme glorot, he or lecun, or --init NAME\n",
        ),
        (
            ("784", "256", "--scheme", "he,glorot", "--dist", "normal"),
            "Error: --scheme 'he,glorot': use one of glorot, he, lecun, xavier, kaiming\n",
        ),
        (
            ("784", "256", "--scheme", "he"),
            "Error: emit needs one distribution: give --dist uniform, normal or truncated, or --init NAME\n",
        ),
        (
            ("784", "256", "10", "--dist", "normal,uniform"),
            "Error: --dist 'normal,uniform': use one of uniform, normal, truncated\n",
        ),
    ],
)
def test_emit_needs_one_scheme_and_distribution(cli, argv, message):
    result = cli("emit", "keras", *argv)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == message


def test_chain_uses_each_layers_recommended_scheme(cli):
    result = cli("emit", "flax", "784-256@relu-10", "--dist", "uniform")
    assert result.exit_code == 0, result.output
    assert "layer0_init = nn.initializers.he_uniform()" in result.stdout
    assert "layer1_init = nn.initializers.glorot_uniform()" in result.stdout
    assert "# nn.Dense(10, kernel_init=layer1_init)" in result.stdout
    ast.parse(result.stdout)


def test_code_is_highlighted_only_in_a_colour_terminal():
    """rich.syntax in a terminal; plain text (no escape codes) otherwise or with --no-color."""
    import io

    from rich.console import Console

    from glorotcalc.emit import CodeBlock

    code = "import keras\nx = keras.initializers.HeNormal()"

    def render(force_terminal: bool, no_color: bool) -> str:
        out = io.StringIO()
        console = Console(file=out, force_terminal=force_terminal, color_system="truecolor", width=80)
        console.print(CodeBlock(code, no_color))
        return out.getvalue()

    assert "\x1b[" in render(True, False)
    assert render(False, False) == code + "\n"
    assert render(True, True) == code + "\n"
