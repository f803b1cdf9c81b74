"""Peer tests: the initializers that are not variance scaling against the real torch.nn.init 2.13.

Parameters: `Tensor.uniform_` / `Tensor.normal_` are wrapped to record what uniform_, normal_,
trunc_normal_ and sparse_ pass to them. Samples: ≥ 10⁶ values drawn by torch itself; the mean is
within 4 SE = 4·std/√n of glorotcalc's, the std within 4 SE = 4·std·√((κ − 1)/(4n)) (κ the law's
kurtosis), and every value inside glorotcalc's support. Deterministic inits (eye_, dirac_,
constants) must equal glorotcalc's tensor exactly; orthogonal_ must have glorotcalc's matrix
shape, RMS gain/√max(rows, cols) and |WWᵀ − gain²I| at float32 rounding.
"""

from __future__ import annotations

import math

import pytest
from conftest import torch_or_skip

from glorotcalc.initnames import parse_init
from glorotcalc.laws import law_stats

pytestmark = pytest.mark.torch
N = 1 << 20  # ≥ 10⁶ draws


@pytest.fixture(scope="module")
def torch():
    return torch_or_skip()


def recorded(torch, monkeypatch, call):
    """Run `call()` with Tensor.uniform_/normal_ recording their (name, args)."""
    calls = []
    for name in ("uniform_", "normal_"):
        original = getattr(torch.Tensor, name)

        def wrapper(self, *args, _original=original, _name=name, **kwargs):
            calls.append((_name, args, {k: v for k, v in kwargs.items() if k != "generator"}))
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(torch.Tensor, name, wrapper)
    call()
    return calls


@pytest.mark.parametrize(
    ("text", "sampler", "args"),
    [
        ("uniform_", "uniform_", (0.0, 1.0)),
        ("uniform_(-0.1, 0.3)", "uniform_", (-0.1, 0.3)),
        ("normal_(0.5, 0.02)", "normal_", (0.5, 0.02)),
        ("trunc_normal_(std=0.02)", "normal_", (0.0, 0.02)),  # mass in [a, b] > 0.3: normal_ redrawn
        ("sparse_(0.3, std=0.05)", "normal_", (0, 0.05)),
    ],
)
def test_the_sampler_gets_glorotcalc_s_parameters(torch, monkeypatch, text, sampler, args):
    law = parse_init(text)
    w = torch.empty(64, 32)
    fn = getattr(torch.nn.init, text.split("(")[0])
    kwargs = {"uniform": {"a": law.low, "b": law.high}, "normal": {"mean": law.mean, "std": law.std}}.get(
        law.kind, {}
    )
    if law.kind == "truncated":
        kwargs = {"mean": law.mean, "std": law.std, "a": law.low, "b": law.high}
    if law.kind == "sparse":
        kwargs = {"sparsity": law.sparsity, "std": law.std}
    calls = recorded(torch, monkeypatch, lambda: fn(w, **kwargs))
    name, got, _ = calls[0]
    assert name == sampler and got == pytest.approx(args, rel=1e-15)


@pytest.mark.parametrize(
    "text",
    [
        "uniform_",
        "uniform_(-0.1, 0.3)",
        "normal_(0.5, 0.02)",
        "trunc_normal_",
        "trunc_normal_(std=0.02)",
        "trunc_normal_(mean=0.1, std=0.5, a=0, b=1)",
        "trunc_normal_(mean=0, std=1, a=1.5, b=3)",  # mass 0.065 < 0.3: torch's other sampler
    ],
)
def test_a_million_torch_draws_have_glorotcalc_s_moments(torch, text):
    law = parse_init(text)
    s = law_stats(law, (N,))
    torch.manual_seed(0)
    w = torch.empty(N, dtype=torch.float64)
    fn = getattr(torch.nn.init, text.split("(")[0])
    kwargs = {"uniform": {"a": law.low, "b": law.high}, "normal": {"mean": law.mean, "std": law.std}}.get(
        law.kind, {"mean": law.mean, "std": law.std, "a": law.low, "b": law.high}
    )
    fn(w, **kwargs)
    mean, std = w.mean().item(), w.std().item()
    assert abs(mean - s.mean) <= 4 * s.std / math.sqrt(N)
    assert abs(std - s.std) <= 4 * s.std * math.sqrt((s.excess_kurtosis + 2) / (4 * N))
    assert (s.low is None or w.min().item() >= s.low) and (s.high is None or w.max().item() <= s.high)


@pytest.mark.parametrize(
    ("text", "shape"), [("orthogonal_", (256, 784)), ("orthogonal_(gain=2)", (64, 3, 3, 3))]
)
def test_orthogonal_against_torch(torch, text, shape):
    law = parse_init(text)
    s = law_stats(law, shape)
    torch.manual_seed(0)
    w = torch.nn.init.orthogonal_(torch.empty(*shape, dtype=torch.float64), gain=law.gain)
    matrix = w.reshape(shape[0], -1)
    assert tuple(matrix.shape) == s.matrix
    rms = matrix.pow(2).mean().sqrt().item()
    assert rms == pytest.approx(s.std, rel=1e-12)  # exact: the rows are orthonormal
    gram = matrix @ matrix.T if s.matrix[0] <= s.matrix[1] else matrix.T @ matrix
    assert (gram - law.gain**2 * torch.eye(gram.shape[0], dtype=torch.float64)).abs().max().item() < 1e-12
    assert w.abs().max().item() <= s.max_abs


def test_glorotcalc_s_orthogonal_draw_is_as_orthogonal_as_torch_s(torch):
    np = pytest.importorskip("numpy")
    from glorotcalc.orthogonal import draw_law, gram_error

    law = parse_init("orthogonal_(gain=1.5)")
    ours = draw_law(law, (128, 300), np.random.default_rng(0))
    torch.manual_seed(0)
    theirs = torch.nn.init.orthogonal_(torch.empty(128, 300, dtype=torch.float64), gain=1.5).numpy()
    assert gram_error(ours, 1.5) < 1e-12 and gram_error(theirs, 1.5) < 1e-12
    assert np.sqrt((ours**2).mean()) == pytest.approx(np.sqrt((theirs**2).mean()), rel=1e-12)


@pytest.mark.parametrize(
    ("text", "shape", "call"),
    [
        ("eye_", (5, 3), lambda t, w: t.nn.init.eye_(w)),
        ("eye_", (3, 7), lambda t, w: t.nn.init.eye_(w)),
        ("dirac_", (8, 4, 3), lambda t, w: t.nn.init.dirac_(w)),
        ("dirac_(groups=2)", (8, 4, 4, 4), lambda t, w: t.nn.init.dirac_(w, groups=2)),
        ("dirac_(groups=4)", (8, 16, 3, 3, 3), lambda t, w: t.nn.init.dirac_(w, groups=4)),
        ("constant_(0.25)", (4, 5), lambda t, w: t.nn.init.constant_(w, 0.25)),
        ("ones_", (4, 5), lambda t, w: t.nn.init.ones_(w)),
    ],
)
def test_deterministic_inits_equal_torch_s_exactly(torch, text, shape, call):
    np = pytest.importorskip("numpy")
    from glorotcalc.orthogonal import draw_law

    law = parse_init(text)
    w = torch.empty(*shape, dtype=torch.float64)
    call(torch, w)
    ours = draw_law(law, shape, np.random.default_rng(0))
    assert np.array_equal(ours, w.numpy())
    s = law_stats(law, shape)
    assert w.mean().item() == pytest.approx(s.mean, rel=1e-12)
    assert w.std(unbiased=False).item() == pytest.approx(s.std, rel=1e-12)


def test_torch_refuses_what_glorotcalc_refuses(torch, cli):
    for init, shape, fn in (("eye_", "8x4x3", torch.nn.init.eye_), ("dirac_", "8x4", torch.nn.init.dirac_)):
        with pytest.raises(ValueError):
            fn(torch.empty(*map(int, shape.split("x"))))
        assert cli("--shape", shape, "--init", init).exit_code == 2


def test_sparse_against_torch(torch):
    law = parse_init("sparse_(0.3, std=0.05)")
    shape = (1000, 1100)
    s = law_stats(law, shape)
    torch.manual_seed(0)
    w = torch.nn.init.sparse_(torch.empty(*shape, dtype=torch.float64), 0.3, std=0.05)
    zeros_per_column = (w == 0).sum(dim=0)
    assert bool((zeros_per_column == math.ceil(0.3 * 1000)).all())
    n = w.numel()
    assert abs(w.std().item() - s.std) <= 4 * s.std * math.sqrt((s.excess_kurtosis + 2) / (4 * n))
