"""Peer tests: JAX 0.10's initializers that are not variance scaling, against glorotcalc.laws.

Parameters: ``jax._src.random.uniform / normal / truncated_normal`` (the module
``jax._src.nn.initializers`` calls as ``random.*``) are wrapped to record their arguments: JAX's
truncated_normal passes lower and upper in units of stddev, its uniform draws U[0, 1) and
multiplies by scale. Draws: ≥ 10⁶ values (4 SE on mean and std, support respected, float32 slack
1e-6). Orthogonal: the matrix (numel/shape[column_axis], shape[column_axis]), RMS and Gram.
delta_orthogonal: zeros but an orthogonal matrix at kernel index (k−1)//2.
"""

from __future__ import annotations

import importlib
import inspect
import math

import numpy as np
import pytest

from glorotcalc.initnames import parse_init
from glorotcalc.laws import law_stats

jax = pytest.importorskip("jax")
pytestmark = pytest.mark.jax
module = importlib.import_module("jax._src.nn.initializers")
SLACK = 1e-6
N = 1 << 20


@pytest.fixture
def calls(monkeypatch):
    recorded = []
    for name in ("uniform", "normal", "truncated_normal"):
        original = getattr(module.random, name)
        signature = inspect.signature(original)

        def recorder(*args, _name=name, _original=original, _signature=signature, **kwargs):
            bound = _signature.bind(*args, **kwargs)
            bound.apply_defaults()
            recorded.append((_name, dict(bound.arguments)))
            return _original(*args, **kwargs)

        monkeypatch.setattr(module.random, name, recorder)
    return recorded


def make(text: str):
    return eval(f"jax.nn.initializers.{text}", {"jax": jax})


def test_truncated_normal_passes_lower_and_upper_in_units_of_stddev(calls):
    law = parse_init("jax.nn.initializers.truncated_normal(0.1, lower=-1.0, upper=3.0)")
    make("truncated_normal(0.1, lower=-1.0, upper=3.0)")(jax.random.key(0), (4, 4))
    ((name, arguments),) = calls
    assert name == "truncated_normal"
    assert (arguments["lower"] * 0.1, arguments["upper"] * 0.1) == pytest.approx(
        (law.low, law.high), rel=1e-12
    )


def test_uniform_is_u_0_1_times_scale(calls):
    make("uniform(0.5)")(jax.random.key(0), (4, 4))
    ((name, arguments),) = calls
    assert name == "uniform" and arguments["minval"] == 0.0 and arguments["maxval"] == 1.0
    law = parse_init("jax.nn.initializers.uniform(0.5)")
    assert (law.low, law.high) == (0.0, 0.5)


@pytest.mark.parametrize(
    "text",
    [
        "uniform()",
        "uniform(0.5)",
        "normal()",
        "normal(0.3)",
        "truncated_normal()",
        "truncated_normal(0.1, lower=-1.0, upper=3.0)",
    ],
)
def test_a_million_draws(text):
    law = parse_init(f"jax.nn.initializers.{text}")
    s = law_stats(law, (N,))
    w = np.asarray(make(text)(jax.random.key(7), (N,)), dtype=np.float64)
    assert abs(w.mean() - s.mean) <= 4 * s.std / math.sqrt(N)
    assert abs(w.std() - s.std) <= 4 * s.std * math.sqrt((s.excess_kurtosis + 2) / (4 * N))
    if s.low is not None:
        assert w.min() >= s.low - SLACK * abs(s.low) - 1e-12 and w.max() <= s.high + SLACK * abs(s.high)


@pytest.mark.parametrize(
    ("text", "shape"),
    [
        ("orthogonal()", (256, 784)),
        ("orthogonal(scale=2.0, column_axis=0)", (3, 4, 5)),
        ("orthogonal(column_axis=1)", (3, 40, 5)),
    ],
)
def test_orthogonal(text, shape):
    law = parse_init(f"jax.nn.initializers.{text}")
    s = law_stats(law, shape)
    w = np.asarray(make(text)(jax.random.key(1), shape), dtype=np.float64)
    axis = law.axis % len(shape)
    matrix = np.moveaxis(w, axis, -1).reshape(-1, shape[axis])
    assert matrix.shape == s.matrix
    assert np.sqrt((matrix**2).mean()) == pytest.approx(s.std, rel=1e-5)
    gram = matrix.T @ matrix if matrix.shape[0] >= matrix.shape[1] else matrix @ matrix.T
    assert np.abs(gram - law.gain**2 * np.eye(gram.shape[0])).max() < 1e-5 * law.gain**2


def test_delta_orthogonal():
    law = parse_init("jax.nn.initializers.delta_orthogonal(scale=2.0)")
    shape = (4, 3, 16, 32)
    s = law_stats(law, shape)
    w = np.asarray(make("delta_orthogonal(scale=2.0)")(jax.random.key(2), shape), dtype=np.float64)
    centre = w[(4 - 1) // 2, (3 - 1) // 2]  # (k−1)//2: index 1 for k = 4, where torch's dirac_ uses 2
    assert np.count_nonzero(w) == np.count_nonzero(centre) == 16 * 32
    assert np.abs(centre @ centre.T - 4 * np.eye(16)).max() < 1e-5
    assert np.sqrt((w**2).mean()) == pytest.approx(s.std, rel=1e-5)
    with pytest.raises(ValueError):
        make("delta_orthogonal()")(jax.random.key(0), (3, 32, 16))


@pytest.mark.parametrize("text", ["zeros", "ones", "constant(0.25)"])
def test_constants(text):
    law = parse_init(f"jax.nn.initializers.{text}")
    w = np.asarray(make(text)(jax.random.key(0), (3, 4)), dtype=np.float64)
    assert np.all(w == law.value)


def test_emitted_jax_code_runs(cli):
    import json

    for init in (
        "uniform_(-0.1, 0.3)",
        "normal_(0.5, 0.02)",
        "orthogonal_(gain=2)",
        "TruncatedNormal(mean=1.0, stddev=0.2)",
    ):
        result = cli("emit", "jax", "64", "32", "--init", init, "--format", "json")
        assert result.exit_code == 0, result.output
        namespace = {}
        exec(json.loads(result.stdout)["code"], namespace)
        w = np.asarray(namespace["layer0"], dtype=np.float64)
        law = parse_init(init)
        s = law_stats(law, (64, 32) if init.startswith(("Trunc",)) else (32, 64))
        assert abs(w.mean() - s.mean) <= 6 * s.std / math.sqrt(w.size)
        assert abs(w.std() - s.std) <= 6 * s.std * math.sqrt((s.excess_kurtosis + 2) / (4 * w.size)) + 1e-6
