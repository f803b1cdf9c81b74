"""What every peer test checks the same way: a sample of ≥ 10⁶ weights against glorotcalc's
numbers, and the code ``glorotcalc emit NAME`` writes, run.

Tolerance of a sample std: with n draws of a zero-mean variable of variance σ² and kurtosis κ,
the relative SE of the sample std is √((κ − 1)/(4n)) (delta method on Var(s²) = (κ − 1)σ⁴/n);
κ = 9/5 (uniform), 3 (normal), 2.3655 (normal cut at ±2σ, `truncated_kurtosis`). 4 SE at
n = 10⁶: 0.18 %, 0.28 %, 0.23 %. float32 weights: a support is compared with relative slack 1e-6.
"""

from __future__ import annotations

import json
import math

import numpy as np

from glorotcalc.cli import main

DRAWS = 1_000_000
SE_COUNT = 4
SLACK = 1e-6
REL = 1e-12


def truncated_kurtosis(cut: float = 2.0) -> float:
    """μ₄/σ⁴ of N(0, 1) cut at ±cut: (3 − 2cφ(c)(c² + 3)/m) / (1 − 2cφ(c)/m)², m = erf(c/√2)."""
    density = math.exp(-cut * cut / 2) / math.sqrt(2 * math.pi)
    mass = math.erf(cut / math.sqrt(2))
    return (3 - 2 * cut * density * (cut * cut + 3) / mass) / (1 - 2 * cut * density / mass) ** 2


KURTOSIS = {"uniform": 9 / 5, "normal": 3.0, "truncated": truncated_kurtosis()}


def check_draws(weights, std: float, distribution: str, support: float | None) -> None:
    """≥ 10⁶ weights: sample std within 4 SE of `std`; max |w| ≤ `support` (and near it)."""
    w = np.asarray(weights, dtype=np.float64).ravel()
    assert w.size >= DRAWS, w.size
    se = std * math.sqrt((KURTOSIS[distribution] - 1) / (4 * w.size))
    assert abs(w.std() - std) <= SE_COUNT * se, (w.std(), std, SE_COUNT * se)
    biggest = np.abs(w).max()
    if support is None:
        assert biggest > 4 * std  # untruncated: 10⁶ normal draws pass 4σ
    else:
        assert biggest <= support * (1 + SLACK), (biggest, support)
        assert biggest >= support * 0.99, (biggest, support)


def glorotcalc_json(*argv: str, capsys) -> dict:
    code = main([*argv, "--format", "json"])
    out = capsys.readouterr().out
    assert code == 0, out
    return json.loads(out)


def run_emit(name: str, *argv: str, capsys) -> tuple[dict, dict]:
    """Run the code ``glorotcalc emit NAME ARGV`` writes; (its namespace, the JSON document)."""
    document = glorotcalc_json("emit", name, *argv, capsys=capsys)
    namespace: dict = {}
    exec(compile(document["code"], f"emit {name}", "exec"), namespace)
    return namespace, document


def close(a: float, b: float, rel: float = REL) -> bool:
    return math.isclose(a, b, rel_tol=rel)
