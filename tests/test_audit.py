"""The audit's statistics (standard errors, the max test, z of a tail) and its command line."""

from __future__ import annotations

import json
import math
import re

import numpy as np
import pytest

from glorotcalc.audit import (
    SHAPES,
    Sample,
    judge,
    truncated_high_moments,
    z_of_log_p,
)
from glorotcalc.stats import Moments

# ── standard errors ──────────────────────────────────────────────────────────────────────────────


def test_normal_kurtosis_se_is_the_textbook_value():
    """Var of a normal sample's excess kurtosis ≈ 24/n."""
    assert SHAPES["normal"].kurtosis_se(10_000) == pytest.approx(math.sqrt(24 / 10_000), rel=1e-12)


def test_truncated_normal_moments_by_quadrature():
    """μ4, μ6, μ8 of N(0, 1) cut at ±2, standardized, by composite Simpson (4000 panels, error
    ~1e-13) against the closed form: μ2k = ∫z^(2k)φ / (∫φ · var^k) over (−2, 2)."""
    panels, a, b = 4000, -2.0, 2.0
    h = (b - a) / panels

    def integral(power: int) -> float:
        total = 0.0
        for i in range(panels + 1):
            z = a + i * h
            weight = 1 if i in (0, panels) else (4 if i % 2 else 2)
            total += weight * z**power * math.exp(-z * z / 2) / math.sqrt(2 * math.pi)
        return total * h / 3

    mass, var = integral(0), integral(2) / integral(0)
    m4, m6, m8 = (integral(p) / mass / var ** (p // 2) for p in (4, 6, 8))
    assert SHAPES["truncated"].law.kurtosis == pytest.approx(m4, rel=1e-9)
    assert truncated_high_moments() == pytest.approx((m6, m8), rel=1e-9)
    assert SHAPES["truncated"].excess_kurtosis == pytest.approx(-0.63446, abs=1e-5)
    assert SHAPES["truncated"].support == pytest.approx(2 / math.sqrt(var), rel=1e-12)


@pytest.mark.parametrize("distribution", ["uniform", "normal", "truncated"])
def test_standard_errors_match_a_monte_carlo(distribution):
    """The SD over R = 1000 samples of n = 2000 of the sample std and kurtosis against the SEs.

    Both statistics are ≈ normal over the replicates, so the relative SE of their SD is
    ≈ 1/√(2R) = 2.2 %; the tolerance is 5 of those, 11 %. Seed 1.
    """
    rng = np.random.default_rng(1)
    n, replicates = 2000, 1000
    if distribution == "uniform":
        x = rng.uniform(-1, 1, (replicates, n))
    elif distribution == "normal":
        x = rng.standard_normal((replicates, n))
    else:
        x = rng.standard_normal((replicates, n))
        outside = np.abs(x) > 2
        while outside.any():
            x[outside] = rng.standard_normal(int(outside.sum()))
            outside = np.abs(x) > 2
    x = x - x.mean(axis=1, keepdims=True)
    m2, m4 = (x**2).mean(axis=1), (x**4).mean(axis=1)
    std, kurtosis = np.sqrt(m2), m4 / m2**2 - 3
    shape = SHAPES[distribution]
    tolerance = 5 / math.sqrt(2 * replicates)
    assert (std.std() / std.mean()) / shape.std_rel_se(n) == pytest.approx(1, abs=tolerance)
    assert kurtosis.std() / shape.kurtosis_se(n) == pytest.approx(1, abs=tolerance)


@pytest.mark.parametrize("z", [0.3, 1.0, 3.0, 5.0, 8.0, 20.0, 30.0])
def test_z_of_log_p_inverts_the_normal_tail(z):
    """½·erfc(z/√2) is the one-sided tail; z = 30 is past where erfc underflows (x > 26.5)."""
    log_p = math.log(0.5 * math.erfc(z / math.sqrt(2))) if z < 36 else None
    assert z_of_log_p(log_p) == pytest.approx(z, rel=1e-9)


def test_z_of_log_p_edges():
    """p ≥ ½ is no evidence (0); p = 0 is infinite; log p = −10⁶: z² ≈ −2·log p − log(2π·z²)."""
    assert z_of_log_p(math.log(0.6)) == 0.0
    assert z_of_log_p(-math.inf) == math.inf
    z = z_of_log_p(-1e6)
    assert z * z == pytest.approx(2e6 - math.log(2 * math.pi * 2e6), rel=1e-6)


# ── verdicts on constructed samples ──────────────────────────────────────────────────────────────


def test_constant_and_nonfinite_samples():
    assert judge(Sample(Moments.of(np.zeros(50)), "float32"), []).match == "zeros"
    assert judge(Sample(Moments.of(np.ones(50)), "float32"), []).match == "ones"
    assert judge(Sample(Moments.of(np.full(5, 0.5)), "float32"), []).match == "constant 0.5"
    verdict = judge(Sample(Moments.of(np.arange(9.0)), "float32", nonfinite=2), [])
    assert (verdict.verdict, verdict.statement) == ("no_match", "2 NaN/inf values")


def test_a_tiny_tensor_is_inconclusive():
    """Two values fit dozens of candidates (the SE of a std at n = 2 is 50 %): no name is given."""
    from glorotcalc.audit import weight_candidates

    verdict = judge(
        Sample(Moments.of(np.array([0.3, -0.3])), "float32"), weight_candidates(2, 1, "torch", (1, 2))
    )
    assert (verdict.verdict, verdict.match, verdict.candidate) == ("inconclusive", "too few to tell", None)
    assert verdict.statement.startswith("only 2 elements: ")
    assert len(verdict.alternatives) > 3


def test_the_max_test_separates_uniform_from_truncated():
    """A uniform sample's max |w| is √3·std; a truncated normal of n = 10⁴ would exceed 2·std
    with probability 1 − (1 − 0.0346)ⁿ ≈ 1: its max test rejects, and vice versa by the support."""
    rng = np.random.default_rng(2)
    uniform = Sample(Moments.of(rng.uniform(-1, 1, 10_000)), "float64")
    from glorotcalc.audit import fit_shape

    assert fit_shape(SHAPES["uniform"], uniform).z_max == 0.0
    assert fit_shape(SHAPES["truncated"], uniform).z_max > 20
    assert fit_shape(SHAPES["normal"], uniform).z_max > 20


# ── the command line ─────────────────────────────────────────────────────────────────────────────


@pytest.fixture
def weights(tmp_path):
    """A tiny deterministic file: norm weight ones, bias zeros, a step counter."""
    path = tmp_path / "norm.npz"
    np.savez(path, **{"norm.weight": np.ones(4, np.float32), "norm.bias": np.zeros(4, np.float32)})
    return path


# Every option of another command; audit has only --layout, --format and --no-color.
OTHER_COMMANDS_OPTIONS = [
    ["--scheme", "he"],
    ["--dist", "normal"],
    ["--init", "he_normal"],
    ["--act", "relu"],
    ["--nonlinearity", "relu"],
    ["--slope", "0.2"],
    ["--gain", "2"],
    ["--mode", "fan_out"],
    ["--shape", "3x3"],
    ["--depth", "3"],
    ["--framework", "keras"],
    ["--from", "torch"],
    ["--value"],
    ["--explain"],
    ["--sample"],
    ["--samples", "10"],
    ["--seed", "3"],
    ["--threads", "2"],
    ["--hist"],
    ["--batch", "8"],
    ["--dtype", "float64"],
    # the old mode flags are no options of any command now
    ["--propagate"],
    ["--defaults"],
    ["--emit", "torch"],
]


@pytest.mark.parametrize("options", OTHER_COMMANDS_OPTIONS, ids=[o[0] for o in OTHER_COMMANDS_OPTIONS])
def test_options_of_other_commands_are_refused(cli, weights, options):
    """Each is a usage error naming the option, one line, before any file is read."""
    result = cli("audit", str(weights), *options)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"Error: No such option: {options[0]}")
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.output
    assert result.stdout == ""


def test_the_help_says_what_applies(cli):
    """The refusal no longer lists audit's options; ``audit --help`` does, and only those."""
    result = cli("audit", "--help")
    assert result.exit_code == 0, result.output
    section = result.stdout[result.stdout.index("Options:\n") :].split("\n\n")[0]
    heads = [line.strip().split("  ")[0] for line in section.splitlines()[1:] if line.startswith("  -")]
    options = {option for head in heads for option in re.findall(r"--?[a-z][a-z-]*", head)}
    assert options == {"--layout", "--format", "--no-color", "-h", "--help"}


def test_no_file_and_unknown_options(cli, weights):
    result = cli("audit")
    assert (result.exit_code, result.stderr) == (
        2,
        "Error: audit needs at least one FILE: e.g. glorotcalc audit model.safetensors\n",
    )
    result = cli("audit", "-")
    assert (result.exit_code, result.stderr) == (
        2,
        "Error: FILE '-': give the path of a weights file (audit does not read stdin)\n",
    )
    result = cli("audit", "--frobnicate", str(weights))
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: No such option: --frobnicate") and result.stderr.count("\n") == 1
    # after --, an option-like word is a FILE to Click; audit still refuses it, naming it
    result = cli("audit", str(weights), "--", "--frobnicate")
    assert (result.exit_code, result.stderr) == (
        2,
        "Error: no such option '--frobnicate': see glorotcalc audit --help\n",
    )


def test_the_table_of_a_small_file(cli, weights, monkeypatch):
    monkeypatch.chdir(weights.parent)
    result = cli("audit", "norm.npz")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    head = result.stdout.splitlines()[:6]
    assert [line.rstrip() for line in head] == [
        "audit · norm.npz (npz) · torch layout · 2 tensors",
        "",
        " tensor       shape  fan_in  fan_out  std  ex.kurt  ×glorot  ×lecun  match  confidence",
        " " + "─" * 85,
        " norm.weight  4           —        —    0        —        —       —  ones   —",
        " norm.bias    4           —        —    0        —        —       —  zeros  —",
    ]
    assert "2 tensors: 2 constant" in result.stdout


def test_json_document(cli, weights):
    result = cli("audit", str(weights), "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert (document["schema"], document["kind"], document["layout"]) == (2, "audit", "torch")
    assert document["files"] == [{"path": str(weights), "format": "npz", "tensors": 2}]
    assert document["summary"] == {
        "init": 0,
        "distribution_only": 0,
        "constant": 2,
        "structured": 0,
        "no_match": 0,
        "inconclusive": 0,
        "skipped": 0,
        "unreadable": 0,
    }
    assert document["unreadable"] == []
    tensor = document["tensors"][0]
    assert (tensor["name"], tensor["dtype"], tensor["shape"], tensor["verdict"]) == (
        "norm.weight",
        "float32",
        [4],
        "constant",
    )
    assert tensor["stats"] == {
        "elements": 4,
        "mean": 1.0,
        "std": 0.0,
        "min": 1.0,
        "max": 1.0,
        "excess_kurtosis": None,
        "max_abs_over_std": None,
        "nonfinite": 0,
    }


def test_several_files_get_a_file_column(cli, weights, tmp_path, monkeypatch):
    np.save(tmp_path / "w.npy", np.zeros((3, 3), np.float32))
    monkeypatch.chdir(tmp_path)
    result = cli("audit", "norm.npz", "w.npy")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].rstrip() == "audit · 2 files · torch layout · 3 tensors"
    assert lines[2].split()[:2] == ["file", "tensor"]
    assert lines[6].split()[:3] == ["w.npy", "w", "3×3"]


def test_keras_names_pair_bias_with_kernel(cli, tmp_path):
    """Keras/Flax store Dense(in=300, units=200) as kernel (300, 200) and bias (200,)."""
    rng = np.random.default_rng(3)
    bound = 1 / math.sqrt(300)
    np.savez(
        tmp_path / "k.npz",
        **{"dense/kernel": np.zeros((300, 200), np.float32), "dense/bias": rng.uniform(-bound, bound, 200)},
    )
    result = cli("audit", str(tmp_path / "k.npz"), "--layout", "keras", "--format", "json")
    tensors = {t["name"]: t for t in json.loads(result.stdout)["tensors"]}
    assert tensors["dense/bias"]["fan_in"] == 300
    assert tensors["dense/bias"]["fan_source"] == "fan_in from dense/kernel"
    assert tensors["dense/bias"]["match"]["label"] == "torch default bias"
    torch_layout = cli("audit", str(tmp_path / "k.npz"))
    assert (
        "tensor names end in 'kernel' (Keras/Flax): if so, read them with --layout keras"
        in torch_layout.stdout
    )


def test_the_python_api_is_the_command(cli, tmp_path):
    """``audit.audit(files, layout=...)`` returns the report the command writes; ``check_files``
    refuses what the command refuses, before opening anything."""
    from glorotcalc.audit import audit, check_files
    from glorotcalc.errors import UsageError
    from glorotcalc.render import to_json

    path = tmp_path / "k.npz"
    np.savez(path, **{"dense/kernel": np.random.default_rng(4).uniform(-0.1, 0.1, (30, 20))})
    report = audit([str(path)], layout="keras")
    assert json.loads(to_json(report)) == json.loads(
        cli("audit", str(path), "--layout", "keras", "--format", "json").stdout
    )
    assert report.document["layout"] == "keras"
    (tensor,) = report.document["tensors"]
    assert (tensor["fan_in"], tensor["fan_out"]) == (30, 20)  # keras kernel (in, out)
    assert audit((str(path),)).document["tensors"][0]["fan_in"] == 20  # torch reads (out, in)
    for files, message in (((), "audit needs at least one FILE"), (("-",), "FILE '-'"), (("-x",), "'-x'")):
        with pytest.raises(UsageError, match=re.escape(message)) as caught:
            check_files(files)
        assert caught.value.exit_code == 2


class Stream:
    def __init__(self, tty: bool) -> None:
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


def test_progress_only_for_a_terminal_and_the_table(monkeypatch):
    import glorotcalc.progress as progress

    assert progress.show_progress(True, Stream(True))
    assert not progress.show_progress(True, Stream(False))
    assert not progress.show_progress(False, Stream(True))
    monkeypatch.setattr(progress, "PROGRESS_AFTER", 0.0)
    with progress.Progress(100, True, in_bytes=True) as bar:
        bar.advance(60)
        bar.advance(40)
        assert bar.bar is not None and bar.done == 100
    with progress.Progress(100, False) as quiet:
        quiet.advance(100)
        assert quiet.bar is None
