"""--framework torch, defaults and emit torch against the real torch.nn.init and torch.nn
modules (skipped when torch is not installed).

Sampler parameters are read from torch itself: `Tensor.uniform_(a, b)` / `Tensor.normal_(mean,
std)` — which xavier_*/kaiming_* and every module's reset_parameters end in — and
`nn.init.trunc_normal_` are wrapped to record their arguments, so numbers are compared, not
samples. One statistical check per distribution confirms what torch actually draws.
"""

from __future__ import annotations

import json
import math

import pytest
from conftest import torch_or_skip

from glorotcalc.frameworks import FRAMEWORKS, bias_bound, default_stats, framework_fans, framework_shape
from glorotcalc.layers import bilinear, conv, dense, embedding, packed_qkv

pytestmark = pytest.mark.torch

TORCH = FRAMEWORKS["torch"]

REL = 1e-12
TRUNC = 0.87962566103423978  # std of N(0, 1) truncated to (−2, 2)
KURTOSIS = {"uniform": 1.8, "normal": 3.0, "truncated": 2.37}  # truncated at ±2σ: ≈ 2.366


@pytest.fixture(scope="module")
def torch():
    return torch_or_skip()


@pytest.fixture
def calls(torch, monkeypatch):
    """Record ("uniform_", a, b), ("normal_", mean, std) and ("trunc_normal_", std, a, b)."""
    recorded: list[tuple] = []
    paused = []  # non-empty while trunc_normal_ runs: its inner uniform_ is not a sampler parameter
    for name in ("uniform_", "normal_"):
        original = getattr(torch.Tensor, name)

        def recorder(self, first=0.0, second=1.0, *args, _name=name, _original=original, **kwargs):
            if not paused:
                recorded.append((_name, first, second))
            return _original(self, first, second, *args, **kwargs)

        monkeypatch.setattr(torch.Tensor, name, recorder)
    original_trunc = torch.nn.init.trunc_normal_

    def trunc(tensor, mean=0.0, std=1.0, a=-2.0, b=2.0, generator=None):
        recorded.append(("trunc_normal_", std, a, b))
        paused.append(True)
        try:
            return original_trunc(tensor, mean, std, a, b, generator)
        finally:
            paused.pop()

    monkeypatch.setattr(torch.nn.init, "trunc_normal_", trunc)
    return recorded


def approx(value: float) -> object:
    return pytest.approx(value, rel=REL)


def run_json(cli, *argv: str) -> dict:
    result = cli(*argv, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


# --- torch's nn module defaults -------------------------------------------------------------------

MODULES = [
    ("Linear(784, 256)", lambda nn: nn.Linear(784, 256), dense(784, 256)),
    ("Conv2d(3, 16, 3)", lambda nn: nn.Conv2d(3, 16, 3), conv(3, 16, (3, 3))),
    ("Conv1d(8, 12, 5, groups=4)", lambda nn: nn.Conv1d(8, 12, 5, groups=4), conv(8, 12, (5,), groups=4)),
    (
        "ConvTranspose2d(16, 8, 3)",
        lambda nn: nn.ConvTranspose2d(16, 8, 3),
        conv(16, 8, (3, 3), transposed=True),
    ),
    (
        "ConvTranspose3d(4, 6, 2, groups=2)",
        lambda nn: nn.ConvTranspose3d(4, 6, 2, groups=2),
        conv(4, 6, (2, 2, 2), transposed=True, groups=2),
    ),
]


@pytest.mark.parametrize(("label", "build", "layer"), MODULES, ids=[m[0] for m in MODULES])
def test_module_defaults_match_reset_parameters(torch, calls, label, build, layer):
    """reset_parameters: kaiming_uniform_(a=√5) on the weight, then U(±1/√fan_in) on the bias."""
    module = build(torch.nn)
    assert framework_shape(layer, TORCH) == tuple(module.weight.shape)
    assert framework_fans(layer, TORCH) == torch.nn.init._calculate_fan_in_and_fan_out(module.weight)
    (weight_call, bias_call) = calls
    stats = default_stats(TORCH, layer)
    assert weight_call == ("uniform_", approx(-stats.bound), approx(stats.bound))
    bias = bias_bound(TORCH, layer)
    assert bias_call == ("uniform_", approx(-bias), approx(bias))


def test_bilinear_embedding_and_attention_defaults(torch, calls):
    """Bilinear U(±1/√in1) for weight and bias; Embedding N(0, 1); MultiheadAttention's packed
    in_proj (3E, E) xavier_uniform_ — its last sampler call, after out_proj's Linear init."""
    torch.nn.Bilinear(20, 30, 40)
    stats = default_stats(TORCH, bilinear(20, 30, 40))
    bound = bias_bound(TORCH, bilinear(20, 30, 40))
    assert calls == [
        ("uniform_", approx(-stats.bound), approx(stats.bound)),
        ("uniform_", approx(-bound), approx(bound)),
    ]
    calls.clear()
    torch.nn.Embedding(1000, 64)
    assert calls == [("normal_", 0.0, approx(default_stats(TORCH, embedding(1000, 64)).std))]
    calls.clear()
    attention = torch.nn.MultiheadAttention(64, 4)
    layer = packed_qkv(64)
    assert framework_shape(layer, TORCH) == tuple(attention.in_proj_weight.shape)
    stats = default_stats(TORCH, layer)
    assert calls[-1] == ("uniform_", approx(-stats.bound), approx(stats.bound))
    assert bias_bound(TORCH, layer) is None and float(attention.in_proj_bias.detach().abs().max()) == 0.0


def test_printout_defaults_end_to_end(torch, calls, cli):
    """print(model) → glorotcalc defaults -: torch's rows carry the bounds torch used."""
    model = torch.nn.Sequential(
        torch.nn.Conv2d(3, 16, 3),
        torch.nn.ReLU(),
        torch.nn.ConvTranspose2d(16, 8, 3),
        torch.nn.Flatten(),
        torch.nn.Linear(8 * 9, 10),
    )
    weight_bounds = [high for (name, _, high) in calls[0::2]]
    bias_bounds = [high for (name, _, high) in calls[1::2]]
    result = cli("defaults", "-", "--framework", "torch", "--format", "json", stdin=str(model))
    assert result.exit_code == 0, result.output
    rows = [layer["defaults"][0] for layer in json.loads(result.stdout)["layers"]]
    assert [row["param"] for row in rows] == [approx(b) for b in weight_bounds]
    assert [row["bias"] for row in rows] == [f"U(±{b:.6g})" for b in bias_bounds]


# --- --framework torch: every row is a real torch call with the parameters we print ---------------


def call_named(torch, initializer: str, shape: tuple[int, ...]):
    """Evaluate `torch.nn.init.NAME(args)` as printed, on a fresh tensor of `shape`."""
    name, _, args = initializer.removeprefix("torch.nn.init.").partition("(")
    tensor = torch.empty(shape)
    function = getattr(torch.nn.init, name)
    eval(f"function(tensor, {args}", {"function": function, "tensor": tensor})  # our own output
    return tensor


CASES = [
    ("784", "256"),
    ("784", "256", "--act", "tanh"),
    ("784", "256", "--act", "leaky_relu:0.2", "--mode", "fan_out"),
    ("784", "256", "--act", "selu"),
    ("784", "256", "--act", "sigmoid", "--gain", "0.5"),
    ("--shape", "64x3x3x3", "--act", "relu"),
    ("16-convt3x3:8@relu",),
]


@pytest.mark.parametrize("argv", CASES, ids=[" ".join(c) for c in CASES])
def test_framework_torch_rows_are_torch_calls(torch, calls, cli, argv):
    document = run_json(cli, *argv, "--framework", "torch", "--dist", "uniform,normal")
    layer = document["layers"][0]
    for result in layer["results"]:
        calls.clear()
        call_named(torch, result["initializer"], tuple(layer["shape"]))
        ((method, first, second),) = calls
        if result["distribution"] == "uniform":
            assert (method, first, second) == ("uniform_", approx(-result["bound"]), approx(result["bound"]))
        else:
            assert (method, first, second) == ("normal_", 0.0, approx(result["sampler_std"]))


def test_torch_transposed_conv_uses_torchs_fan_in(torch, cli):
    """ConvTranspose2d(16, 8, 3): weight (16, 8, 3, 3) → torch's fan_in is 8·9, not 16·9."""
    document = run_json(cli, "16-convt3x3:8", "--framework", "torch", "--scheme", "he", "--dist", "uniform")
    layer = document["layers"][0]
    module = torch.nn.ConvTranspose2d(16, 8, 3)
    assert layer["shape"] == list(module.weight.shape)
    assert (layer["fan_in"], layer["fan_out"]) == torch.nn.init._calculate_fan_in_and_fan_out(module.weight)
    assert layer["results"][0]["bound"] == approx(math.sqrt(2) * math.sqrt(3 / (8 * 9)))


# --- emit torch, executed ------------------------------------------------------------------------

SOURCES = [(), ("--from", "keras"), ("--from", "flax"), ("--from", "torch")]


def execute(torch, code: str) -> dict:
    namespace: dict = {}
    exec(compile(code, "<emitted>", "exec"), namespace)
    return {k: v for k, v in namespace.items() if isinstance(v, torch.Tensor)}


@pytest.mark.parametrize("source", SOURCES, ids=["neutral", "keras", "flax", "torch"])
@pytest.mark.parametrize("layers", [("64", "32"), ("16-convt3x3:8@relu-conv1:4",)], ids=["dense", "convs"])
def test_emitted_torch_code_passes_our_parameters(torch, calls, cli, source, layers):
    """Each emitted call hands torch's sampler exactly the printed bound, std or (σ, −2σ, 2σ)."""
    for scheme in ("glorot", "he", "lecun"):
        for dist in ("uniform", "normal", "truncated"):
            document = run_json(cli, "emit", "torch", *layers, *source, "--scheme", scheme, "--dist", dist)
            calls.clear()
            tensors = execute(torch, document["code"])
            assert len(calls) == len(document["layers"])
            for call, layer in zip(calls, document["layers"], strict=True):
                result = layer["result"]
                assert tuple(tensors[layer["variable"]].shape) == tuple(layer["shape"])
                if result["distribution"] == "uniform":
                    assert call == ("uniform_", approx(-result["bound"]), approx(result["bound"]))
                elif result["distribution"] == "normal":
                    assert call == ("normal_", 0.0, approx(result["std"]))
                else:
                    sigma = result["sampler_std"]
                    assert call == ("trunc_normal_", approx(sigma), approx(-2 * sigma), approx(2 * sigma))


DRAWS = [
    ((), "he", "uniform"),
    ((), "glorot", "normal"),
    ((), "lecun", "truncated"),
    (("--from", "keras"), "glorot", "normal"),  # Keras's GlorotNormal: truncated
    (("--from", "flax"), "he", "uniform"),
]


@pytest.mark.parametrize(
    ("source", "scheme", "dist"), DRAWS, ids=[" ".join((*d[0], d[1], d[2])) for d in DRAWS]
)
def test_emitted_torch_tensors_have_the_printed_std(torch, cli, source, scheme, dist):
    """The tensor torch draws (784×256 = 200,704 weights) has the std we print.

    Tolerance: rel. SE of a sample std ≈ √((κ−1)/(4n)) — normal κ = 3: 1.58e-3; uniform κ = 1.8:
    1.00e-3; truncated at ±2σ κ ≈ 2.37: 1.31e-3 — and we allow 5 SE. Truncated draws must also
    stay within ±2σ (float32: relative slack 1e-6).
    """
    torch.manual_seed(0)
    n = 784 * 256
    document = run_json(cli, "emit", "torch", "784", "256", *source, "--scheme", scheme, "--dist", dist)
    (layer,) = document["layers"]
    result = layer["result"]
    weight = execute(torch, document["code"])[layer["variable"]].double()
    tolerance = 5 * math.sqrt((KURTOSIS[result["distribution"]] - 1) / (4 * n))
    assert float(weight.std()) == pytest.approx(result["std"], rel=tolerance)
    if result["support"] is not None:
        assert float(weight.abs().max()) <= result["support"] * (1 + 1e-6)


def test_torch_default_linear_draw_has_the_printed_std(torch, cli):
    """nn.Linear(784, 256)'s weight: std 1/√(3·784) within 5 SE (uniform κ = 1.8: √(0.8/(4n)))."""
    torch.manual_seed(1)
    weight = torch.nn.Linear(784, 256).weight.detach().double()
    document = run_json(cli, "defaults", "784", "256", "--framework", "torch")
    row = document["layers"][0]["defaults"][0]
    tolerance = 5 * math.sqrt(0.8 / (4 * weight.numel()))
    assert float(weight.std()) == pytest.approx(row["std"], rel=tolerance)
    assert float(weight.abs().max()) <= row["param"] * (1 + 1e-6)
