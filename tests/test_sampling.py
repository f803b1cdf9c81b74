"""``--sample`` from the command line: output, JSON/CSV shape, exit codes, threads, Ctrl-C, memory.

Expected numbers are recomputed here from the formulas: Glorot Var = 2/(fan_in + fan_out), He
Var = 2/fan_in, LeCun Var = 1/fan_in; excess kurtosis uniform −1.2, normal 0, truncated
E[z⁴]/E[z²]² − 3 for z ~ N(0, 1) cut at ±2; the verdict band is 4·√((κ−1)/(4n)).
"""

from __future__ import annotations

import itertools
import json
import math
import os
import signal
import subprocess
import sys
import time

import pytest

from glorotcalc import progress

FAN_IN, FAN_OUT = 784, 256
N = FAN_IN * FAN_OUT
C = 0.87962566103423978  # std of N(0, 1) truncated to (−2, 2) (Keras's literal)
VARIANCE = {"glorot": 2 / (FAN_IN + FAN_OUT), "he": 2 / FAN_IN, "lecun": 1 / FAN_IN}


def truncated_kurtosis() -> float:
    """E[z⁴]/E[z²]² of N(0,1) cut at ±2: E[z²] = 1 − 4φ(2)/Z, E[z⁴] = 3 − 28φ(2)/Z, Z = erf(√2)."""
    density, mass = math.exp(-2) / math.sqrt(2 * math.pi), math.erf(math.sqrt(2))
    return (3 - 28 * density / mass) / (1 - 4 * density / mass) ** 2


KURTOSIS = {"uniform": 1.8, "normal": 3.0, "truncated": truncated_kurtosis()}


def support(distribution: str, variance: float) -> float | None:
    std = math.sqrt(variance)
    return {"uniform": math.sqrt(3) * std, "normal": None, "truncated": 2 * std / C}[distribution]


def test_table_for_one_result(cli):
    result = cli(str(FAN_IN), str(FAN_OUT), "--scheme", "he", "--dist", "normal", "--sample")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].rstrip() == "dense 784 → 256 · weight 256×784 (torch layout) · fan_in 784 · fan_out 256"
    assert lines[1].rstrip() == "sample: 200,704 draws per result (the layer's size) · seed 0 · float32"
    theory = next(line for line in lines if line.startswith(" he normal"))
    sample = lines[lines.index(theory) + 1]
    assert theory.split()[2:6] == ["theory", "0", f"{math.sqrt(2 / 784):.6g}", f"±{4 / math.sqrt(2 * N):.3%}"]
    assert sample.split()[:4] == ["n", "=", "200,704", "sample"]
    assert sample.split()[-1] == "within"
    assert "seed 0 (the default; --seed N to change)" in result.stdout
    assert result.stderr == ""


def test_json_every_result_against_the_formulas(cli):
    result = cli(str(FAN_IN), str(FAN_OUT), "--sample", "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert (document["kind"], document["seed"], document["dtype"], document["band_se"]) == (
        "sample",
        0,
        "float32",
        4,
    )
    (layer,) = document["layers"]
    results = layer["results"]
    assert [(r["scheme"], r["distribution"]) for r in results] == [
        (s, d) for s in ("glorot", "he", "lecun") for d in ("uniform", "normal", "truncated")
    ]
    for r in results:
        variance, kurtosis = VARIANCE[r["scheme"]], KURTOSIS[r["distribution"]]
        theory, sample = r["theory"], r["sample"]
        assert set(theory) == {"mean", "std", "excess_kurtosis", "beyond_2std", "min", "max", "support"}
        assert set(sample) == {"n", "mean", "std", "excess_kurtosis", "skewness", "beyond_2std", "min", "max"}
        assert theory["std"] == pytest.approx(math.sqrt(variance), rel=1e-14)
        assert theory["excess_kurtosis"] == pytest.approx(kurtosis - 3, rel=1e-12, abs=1e-15)
        bound = support(r["distribution"], variance)
        assert theory["support"] == (None if bound is None else pytest.approx(bound, rel=1e-14))
        assert sample["n"] == N
        rel_se = math.sqrt((kurtosis - 1) / (4 * N))
        assert r["std_rel_se"] == pytest.approx(rel_se, rel=1e-12)
        assert r["band"] == pytest.approx(4 * rel_se, rel=1e-12)
        assert r["std_rel_err"] == pytest.approx(sample["std"] / theory["std"] - 1, rel=1e-9)
        assert r["verdict"] == ("within" if abs(r["std_rel_err"]) <= r["band"] else "outside")
        assert r["verdict"] == "within"
        assert abs(sample["mean"]) <= 5 * theory["std"] / math.sqrt(N)
        if bound is not None:
            assert max(-sample["min"], sample["max"]) <= bound
    assert any("seed 0" in note for note in document["notes"])


def test_csv_has_a_theory_and_a_sample_row_per_result(cli):
    result = cli(
        str(FAN_IN), str(FAN_OUT), "--scheme", "glorot,he", "--dist", "uniform", "--sample", "--format", "csv"
    )
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == (
        "layer,scheme,distribution,mode,gain,variance,source,n,mean,std,excess_kurtosis,beyond_2std,"
        "min,max,std_rel_err,std_rel_se,band,verdict"
    )
    rows = [line.split(",") for line in lines[1:]]
    assert [(r[1], r[6]) for r in rows] == [
        ("glorot", "theory"),
        ("glorot", "sample"),
        ("he", "theory"),
        ("he", "sample"),
    ]
    assert rows[1][7] == str(N) and rows[1][-1] == "within"
    assert float(rows[2][9]) == pytest.approx(math.sqrt(2 / FAN_IN), rel=1e-15)


def test_samples_overrides_the_layer_size(cli):
    result = cli(
        "10",
        "20",
        "--scheme",
        "lecun",
        "--dist",
        "truncated",
        "--sample",
        "--samples",
        "1000",
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.output
    (r,) = json.loads(result.stdout)["layers"][0]["results"]
    assert r["sample"]["n"] == 1000
    table = cli("10", "20", "--scheme", "lecun", "--dist", "truncated", "--sample", "--samples", "1000")
    assert "1,000 draws per result (--samples)" in table.stdout


def test_same_seed_same_bytes_for_any_thread_count(cli):
    """Three chunks (9,000,000 > 2·CHUNK): --threads 1, 2, 3 print the same bytes; --seed 1 differs."""
    base = ("3000", "3000", "--scheme", "he", "--dist", "truncated", "--sample", "--format", "json")
    outputs = {threads: cli(*base, "--threads", threads).stdout for threads in ("1", "2", "3")}
    assert outputs["1"] == outputs["2"] == outputs["3"] != ""
    assert json.loads(outputs["1"])["layers"][0]["results"][0]["sample"]["n"] == 9_000_000
    other = cli(*base, "--seed", "1")
    assert other.exit_code == 0 and other.stdout != outputs["1"]
    assert json.loads(other.stdout)["seed"] == 1


def test_a_result_draws_the_same_whatever_else_is_selected(cli):
    """Each layer × scheme × distribution has its own stream: selecting more does not change it."""
    alone = cli(
        str(FAN_IN), str(FAN_OUT), "--scheme", "he", "--dist", "normal", "--sample", "--format", "json"
    )
    everything = cli(str(FAN_IN), str(FAN_OUT), "--sample", "--format", "json")
    he_normal = json.loads(alone.stdout)["layers"][0]["results"][0]
    match = [r for r in json.loads(everything.stdout)["layers"][0]["results"] if r["scheme"] == "he"]
    assert match[1]["distribution"] == "normal" and match[1]["sample"] == he_normal["sample"]


def test_multi_layer_rows(cli):
    result = cli("784", "256", "10", "--sample", "--dist", "normal")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0].startswith("2 layers")
    rows = [line.split() for line in result.stdout.splitlines() if line.startswith(" layer")]
    assert [row[:4] for row in rows] == [
        ["layer0", "glorot", "normal", "theory"],
        ["layer1", "glorot", "normal", "theory"],
    ]
    samples = [line for line in result.stdout.splitlines() if " sample " in line]
    assert samples[0].split()[:3] == ["n", "=", "200,704"] and samples[1].split()[:3] == ["n", "=", "2,560"]


def test_hist_table(cli):
    result = cli(str(FAN_IN), str(FAN_OUT), "--scheme", "he", "--dist", "normal", "--sample", "--hist")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    span = 4 * math.sqrt(2 / FAN_IN)
    head = next(i for i, line in enumerate(lines) if line.startswith("histogram"))
    assert lines[head] == (
        f"histogram · he normal · 200,704 draws in 20 bins over ±{span:.6g} (█ sample, │ theory)"
    )
    bins = lines[head + 2 : head + 22]
    assert [float(line.split()[0]) for line in bins] == pytest.approx(
        [-span + i * span / 10 for i in range(20)], rel=1e-3, abs=1e-6
    )
    assert all("│" in line for line in bins)
    assert lines[head + 22].split()[:2] == ["below", f"{-span:.4g}"]
    assert lines[head + 23].split()[:2] == ["above", f"{span:.4g}"]


def test_hist_json_counts_and_theory(cli):
    """Counts (with the tails) add up to n; theory shares are Φ differences over the bins."""
    result = cli(
        "64", "64", "--scheme", "glorot", "--dist", "normal", "--sample", "--hist", "--format", "json"
    )
    assert result.exit_code == 0, result.output
    (r,) = json.loads(result.stdout)["layers"][0]["results"]
    h = r["histogram"]
    assert sum(h["counts"]) + h["below"] + h["above"] == 64 * 64
    std = math.sqrt(2 / 128)

    def phi(x: float) -> float:
        return 0.5 * (1 + math.erf(x / std / math.sqrt(2)))

    edges = h["edges"]
    assert edges[0] == pytest.approx(-4 * std) and edges[-1] == pytest.approx(4 * std)
    theory = [phi(b) - phi(a) for a, b in itertools.pairwise(edges)]
    assert h["theory"] == pytest.approx(theory, rel=1e-9)
    assert h["theory_below"] == pytest.approx(phi(-4 * std), rel=1e-9)


def test_explain_adds_the_formulas(cli):
    result = cli(
        "784", "256", "--scheme", "glorot", "--dist", "uniform", "--sample", "--explain", "--format", "json"
    )
    assert result.exit_code == 0, result.output
    (r,) = json.loads(result.stdout)["layers"][0]["results"]
    assert "bound = √(3·Var)" in r["explain"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--sample", "--samples", "0"],
            "Error: --samples 0: must be a positive integer up to 1,000,000,000,000",
        ),
        (
            ["--sample", "--samples", "-5"],
            "Error: --samples -5: must be a positive integer up to 1,000,000,000,000",
        ),
        (["--sample", "--threads", "0"], "Error: --threads 0: must be between 1 and 64"),
        (["--sample", "--threads", "65"], "Error: --threads 65: must be between 1 and 64"),
        (["--sample", "--seed", "-1"], "Error: --seed -1: must be a non-negative integer"),
        (["--samples", "10"], "Error: --samples applies only with --sample: add --sample or drop --samples"),
        (["--threads", "2"], "Error: --threads applies only with --sample: add --sample or drop --threads"),
        (["--hist"], "Error: --hist applies only with --sample: add --sample or drop --hist"),
        (["--seed", "3"], "Error: --seed applies only with --sample: add --sample or drop --seed"),
        (["--dtype", "float64"], "Error: --dtype applies only with --sample: add --sample or drop --dtype"),
        (
            ["--sample", "--hist"],
            "Error: --hist needs exactly one result; this selection has 9: "
            "narrow it with --scheme and --dist",
        ),
        (
            ["--sample", "--hist", "--scheme", "he", "--dist", "normal", "--format", "csv"],
            "Error: --hist shows in the table and in json, not in csv/tsv: drop --hist",
        ),
        (
            ["--sample", "--value"],
            "Error: --value does not combine with --sample; use --format json or csv: drop --value",
        ),
    ],
)
def test_usage_errors(cli, args, message):
    result = cli("784", "256", *args)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert result.stderr == message + "\n"


def test_a_layer_too_big_to_sample_is_refused(cli):
    result = cli("10000000", "10000000", "--sample", "--scheme", "he", "--dist", "normal")
    assert result.exit_code == 2, result.output
    assert result.stderr == (
        "Error: layer0 has 100,000,000,000,000 weights; "
        "--sample draws at most 1,000,000,000,000: give --samples N\n"
    )


def test_progress_only_for_a_terminal_table(monkeypatch):
    from glorotcalc import cli

    class Tty:
        def isatty(self) -> bool:
            return True

    assert progress.show_progress(True, Tty())
    assert not progress.show_progress(False, Tty())
    with open(os.devnull, "w") as devnull:
        assert not progress.show_progress(True, devnull)
    monkeypatch.setattr(sys, "stderr", Tty())  # the CLI asks for a bar for a table only
    assert cli._progress("table")
    assert not any(cli._progress(fmt) for fmt in ("json", "csv", "tsv"))


def test_progress_bar_opens_after_the_delay(monkeypatch):
    monkeypatch.setattr(progress, "PROGRESS_AFTER", 0.0)
    with progress.Progress(100, enabled=True) as bar:
        bar.describe("sampling he normal")
        bar.advance(40)
        assert bar.bar is not None and bar.done == 40
    with progress.Progress(100, enabled=False) as quiet:
        quiet.advance(100)
        assert quiet.bar is None


# Imports everything first and says so, so the signal lands while drawing, not while importing.
READY_THEN_RUN = (
    "import sys\n"
    "import glorotcalc.sampling\n"
    "from glorotcalc.cli import main\n"
    "sys.stderr.write('ready\\n'); sys.stderr.flush()\n"
    "sys.exit(main(sys.argv[1:]))\n"
)


@pytest.mark.parametrize("threads", ["1", "2"])
def test_ctrl_c_exits_130_without_traceback(threads):
    """SIGINT while drawing 3e9 elements: exit 130 within 2 s, no output, no traceback.

    (Typer turns KeyboardInterrupt into exit 130 itself; the CLI may or may not add a line.)"""
    args = ("784", "256", "--scheme", "he", "--dist", "normal", "--sample", "--samples", "3000000000")
    proc = subprocess.Popen(
        [sys.executable, "-c", READY_THEN_RUN, *args, "--threads", threads],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "NO_COLOR": "1"},
    )
    assert proc.stderr.readline() == "ready\n"
    time.sleep(0.5)
    assert proc.poll() is None, "finished before the signal"
    sent = time.monotonic()
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=10)
    assert time.monotonic() - sent < 2.0
    assert proc.returncode == 130
    assert stdout == ""
    assert stderr in ("", "Error: interrupted\n")


PEAK_RSS = (
    "import sys\n"
    "from glorotcalc.cli import main\n"
    "code = main(sys.argv[1:])\n"
    "peak = next(line for line in open('/proc/self/status') if line.startswith('VmHWM'))\n"
    "sys.stderr.write(peak)\n"
    "sys.exit(code)\n"
)


def peak_rss_mib(*args: str) -> float:
    """The child's own peak RSS (VmHWM: its address space's high-water mark, reset at exec)."""
    proc = subprocess.run(
        [sys.executable, "-c", PEAK_RSS, *args], capture_output=True, text=True, timeout=120, check=False
    )
    assert proc.returncode == 0, proc.stderr
    kib = int(proc.stderr.split()[-2])
    return kib / 1024


@pytest.mark.slow
@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="needs /proc")
def test_1e8_draws_in_bounded_memory():
    """1e8 float32 draws would be 381 MiB as an array; streamed, the peak stays < 200 MiB and
    within 40 MiB of a 1e4-draw run (chunk buffers only)."""
    base = ("784", "256", "--scheme", "glorot", "--dist", "normal", "--sample", "--format", "json")
    small = peak_rss_mib(*base, "--samples", "10000")
    large = peak_rss_mib(*base, "--samples", "100000000")
    assert large < 200
    assert large - small < 40


def test_numpy_is_not_imported_by_the_sampling_option_checks():
    """A usage error about --seed without --sample is raised before any numpy import."""
    code = (
        "import sys\n"
        "from glorotcalc.cli import main\n"
        "code = main(['784', '256', '--seed', '3'])\n"
        "print(code, 'numpy' in sys.modules)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert proc.stdout.split() == ["2", "False"], proc.stderr


@pytest.mark.parametrize("gain", ["1e100", "1e-100", "1e150", "1e-150"])
@pytest.mark.parametrize("distribution", ["uniform", "normal", "truncated"])
def test_float64_sample_of_any_scale(cli, gain, distribution):
    """A std near 1e±150 (gain² at the float range's edge): the moments are taken in units of a
    power of two near the std, so nothing overflows, underflows or warns, and the shape statistics
    are those of the law (the hostile-input report: OverflowError / ZeroDivisionError before)."""
    result = cli(
        "1", "1", "--gain", gain, "--scheme", "he", "--dist", distribution,
        "--sample", "--samples", "1000", "--dtype", "float64", "--format", "json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    (r,) = json.loads(result.stdout)["layers"][0]["results"]
    sample, theory = r["sample"], r["theory"]
    assert sample["n"] == 1000 and r["verdict"] == "within"
    assert sample["std"] == pytest.approx(theory["std"], rel=0.1)
    assert sample["excess_kurtosis"] == pytest.approx(KURTOSIS[distribution] - 3, abs=0.5)
    assert abs(sample["mean"]) <= 5 * theory["std"] / math.sqrt(1000)
    assert math.isfinite(sample["skewness"])
