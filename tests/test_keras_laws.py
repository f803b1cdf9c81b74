"""Peer tests: Keras 3's initializers that are not variance scaling, against glorotcalc.laws.

Parameters: ``keras.src.backend.random.uniform / normal / truncated_normal`` (the module
``random_initializers`` calls at run time) are wrapped to record their bound arguments, compared
with the law's to 1e-12. Draws: ≥ 10⁶ values with a fixed seed; the mean within 4·std/√n, the std
within 4·std·√((κ−1)/(4n)) (κ the law's kurtosis), every value inside the support (float32: relative
slack 1e-6). Orthogonal: the matrix (prod(shape[:-1]), shape[-1]) Keras forms has glorotcalc's
shape, RMS gain/√max(rows, cols) and |WᵀW − gain²I| at float32 rounding. Identity and the
constants must equal glorotcalc's tensor exactly; what Keras refuses glorotcalc refuses.
"""

from __future__ import annotations

import importlib
import inspect
import math

import numpy as np
import pytest

from glorotcalc.initnames import parse_init
from glorotcalc.laws import law_stats

keras = pytest.importorskip("keras")
pytestmark = pytest.mark.keras
random_initializers = importlib.import_module("keras.src.initializers.random_initializers")
SLACK = 1e-6


def to_numpy(tensor) -> np.ndarray:
    return np.asarray(keras.ops.convert_to_numpy(tensor), dtype=np.float64)


@pytest.fixture
def calls(monkeypatch):
    recorded = []
    backend_random = random_initializers.random
    for name in ("uniform", "normal", "truncated_normal"):
        original = getattr(backend_random, name)
        signature = inspect.signature(original)

        def recorder(*args, _name=name, _original=original, _signature=signature, **kwargs):
            bound = _signature.bind(*args, **kwargs)
            bound.apply_defaults()
            recorded.append((_name, dict(bound.arguments)))
            return _original(*args, **kwargs)

        monkeypatch.setattr(backend_random, name, recorder)
    return recorded


RANDOM = [
    ("RandomUniform()", "uniform"),
    ("RandomUniform(minval=0.0, maxval=1.0)", "uniform"),
    ("RandomNormal()", "normal"),
    ("RandomNormal(mean=0.5, stddev=0.02)", "normal"),
    ("TruncatedNormal()", "truncated_normal"),
    ("TruncatedNormal(mean=1.0, stddev=0.2)", "truncated_normal"),
]


@pytest.mark.parametrize(("text", "sampler"), RANDOM)
def test_sampler_parameters(calls, text, sampler):
    law = parse_init(f"keras.initializers.{text}")
    eval(f"keras.initializers.{text}", {"keras": keras})(shape=(4, 4))
    ((name, arguments),) = calls
    assert name == sampler
    if sampler == "uniform":
        assert (arguments["minval"], arguments["maxval"]) == pytest.approx((law.low, law.high), rel=1e-12)
    else:
        assert (arguments["mean"], arguments["stddev"]) == pytest.approx((law.mean, law.std), rel=1e-12)


@pytest.mark.parametrize(("text", "sampler"), RANDOM)
def test_a_million_draws(text, sampler):
    law = parse_init(f"keras.initializers.{text}")
    n = 1 << 20
    s = law_stats(law, (n,))
    w = to_numpy(
        eval(f"keras.initializers.{text[:-1]}{', ' if text[-2] != '(' else ''}seed=5)", {"keras": keras})(
            shape=(1024, 1024)
        )
    )
    assert w.size >= 10**6
    assert abs(w.mean() - s.mean) <= 4 * s.std / math.sqrt(n)
    assert abs(w.std() - s.std) <= 4 * s.std * math.sqrt((s.excess_kurtosis + 2) / (4 * n))
    if s.low is not None:
        assert w.min() >= s.low - SLACK * abs(s.low) - 1e-12 and w.max() <= s.high + SLACK * abs(s.high)


@pytest.mark.parametrize(("gain", "shape"), [(1.0, (256, 784)), (2.0, (3, 3, 64, 128)), (0.5, (3, 4, 5))])
def test_orthogonal(gain, shape):
    law = parse_init(f"keras.initializers.Orthogonal(gain={gain})")
    s = law_stats(law, shape)
    w = to_numpy(keras.initializers.Orthogonal(gain=gain, seed=1)(shape=shape))
    matrix = w.reshape(-1, shape[-1])
    assert matrix.shape == s.matrix
    assert np.sqrt((matrix**2).mean()) == pytest.approx(s.std, rel=1e-5)  # float32
    gram = matrix.T @ matrix if matrix.shape[0] >= matrix.shape[1] else matrix @ matrix.T
    assert np.abs(gram - gain**2 * np.eye(gram.shape[0])).max() < 1e-5 * gain**2
    assert np.abs(w).max() <= s.max_abs * (1 + SLACK)


@pytest.mark.parametrize(
    ("text", "shape"),
    [
        ("Identity()", (5, 3)),
        ("Identity(gain=2.0)", (4, 7)),
        ("Zeros()", (3, 4)),
        ("Ones()", (3, 4)),
        ("Constant(value=0.25)", (2, 3, 4)),
    ],
)
def test_deterministic(text, shape):
    pytest.importorskip("numpy")
    from glorotcalc.orthogonal import draw_law

    law = parse_init(f"keras.initializers.{text}")
    theirs = to_numpy(eval(f"keras.initializers.{text}", {"keras": keras})(shape=shape))
    assert np.array_equal(theirs, draw_law(law, shape, np.random.default_rng(0)))
    s = law_stats(law, shape)
    assert theirs.mean() == pytest.approx(s.mean, rel=1e-12, abs=1e-15)
    assert theirs.std() == pytest.approx(s.std, rel=1e-12, abs=1e-15)


def test_keras_refuses_what_glorotcalc_refuses(cli):
    with pytest.raises(ValueError):
        keras.initializers.Identity()(shape=(2, 3, 4))
    with pytest.raises(ValueError):
        keras.initializers.Orthogonal()(shape=(5,))
    assert cli("--shape", "2x3x4", "--init", "keras.initializers.Identity").exit_code == 2
    assert cli("--shape", "5", "--init", "keras.initializers.Orthogonal").exit_code == 2


def test_emitted_keras_code_runs(cli):
    """`emit keras` for laws of other frameworks: the code draws the same law."""
    for init in (
        "uniform_(-0.1, 0.3)",
        "trunc_normal_(std=0.02, a=-0.04, b=0.04)",
        "orthogonal_(gain=2)",
        "eye_",
    ):
        result = cli("emit", "keras", "64", "32", "--init", init, "--format", "json")
        assert result.exit_code == 0, result.output
        import json

        code = json.loads(result.stdout)["code"]
        namespace = {}
        exec(code, namespace)
        w = to_numpy(namespace["layer0"])
        s = law_stats(parse_init(init), (32, 64))
        assert w.shape == (64, 32)
        assert abs(w.std() - s.std) <= 6 * s.std * math.sqrt(2 / w.size) + 1e-7 or init == "eye_"
        if init == "eye_":
            assert np.array_equal(w, np.eye(64, 32))
