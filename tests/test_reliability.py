"""Reliability guarantees: numeric edges, huge work, Ctrl-C, determinism (see README "Guarantees")."""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import time

import pytest

HUGE = str(10**18)


def test_enormous_fans_give_finite_exact_numbers(cli):
    """fan_in = fan_out = 1e18: Glorot Var = 2/(2e18) = 1e-18, He uniform bound = √(6/1e18)."""
    result = cli(HUGE, HUGE, "--format", "json")
    assert result.exit_code == 0, result.output
    results = {(r["scheme"], r["distribution"]): r for r in json.loads(result.stdout)["layers"][0]["results"]}
    assert math.isclose(results["glorot", "normal"]["variance"], 2.0 / (2 * 10**18), rel_tol=1e-15)
    assert math.isclose(results["he", "uniform"]["bound"], math.sqrt(6.0 / 10**18), rel_tol=1e-15)
    assert all(math.isfinite(v) for r in results.values() for v in r.values() if isinstance(v, float))


def test_fan_of_one_works(cli):
    """1 → 1: Glorot Var = 2/(1+1) = 1, so its uniform bound is √3."""
    result = cli("1", "1", "--scheme", "glorot", "--dist", "uniform", "--value")
    assert result.exit_code == 0, result.output
    assert float(result.stdout) == pytest.approx(math.sqrt(3.0), rel=1e-15)


@pytest.mark.parametrize("gain", ["0", "-1", "nan", "inf", "-inf"])
def test_degenerate_gains_are_usage_errors(cli, gain):
    result = cli("784", "256", "--gain", gain)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and "--gain" in result.stderr


def test_sampling_more_than_the_limit_is_refused_up_front(cli):
    started = time.monotonic()
    result = cli("784", "256", "--sample", "--samples", str(10**13))
    assert result.exit_code == 2, result.output
    assert result.stderr.count("\n") == 1 and "10000000000000" in result.stderr.replace(",", "")
    assert time.monotonic() - started < 1.0


def test_sampling_a_layer_beyond_the_limit_is_refused_up_front(cli):
    started = time.monotonic()
    result = cli(HUGE, HUGE, "--sample")
    assert result.exit_code in (1, 2), result.output
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("Error: ")
    assert time.monotonic() - started < 1.0


def test_propagating_more_than_memory_holds_is_refused_up_front(cli):
    """A 10⁶-wide layer is 10¹² weights (4 TB in float32): refused, naming the size and the limit."""
    started = time.monotonic()
    result = cli("propagate", str(10**6), "--depth", "2")
    assert result.exit_code == 1, result.output
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("Error: ")
    assert any(unit in result.stderr for unit in ("GiB", "TiB", "GB", "TB"))
    assert time.monotonic() - started < 1.0


READY_THEN_RUN = (
    "import sys\n"
    "import glorotcalc.sampling, glorotcalc.propagate, glorotcalc.audit\n"
    "from glorotcalc.cli import main\n"
    "sys.stderr.write('ready\\n'); sys.stderr.flush()\n"
    "sys.exit(main(sys.argv[1:]))\n"
)


@pytest.fixture(scope="module")
def big_npy(tmp_path_factory):
    """A 10⁸-element float32 .npy (400 MB, sparse on disk: written as a header plus a hole)."""
    import numpy as np

    path = tmp_path_factory.mktemp("big") / "big.npy"
    array = np.lib.format.open_memmap(path, mode="w+", dtype=np.float32, shape=(10_000, 10_000))
    array[0, :4] = [0.1, -0.1, 0.2, -0.2]
    array.flush()
    del array
    return path


def interrupt(args: list[str], cwd=None) -> tuple[subprocess.CompletedProcess, float]:
    proc = subprocess.Popen(
        [sys.executable, "-c", READY_THEN_RUN, *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=cwd,
        env={**os.environ, "NO_COLOR": "1"},
    )  # fmt: skip
    assert proc.stderr.readline() == "ready\n"
    time.sleep(0.4)
    assert proc.poll() is None, "finished before the signal"
    sent = time.monotonic()
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=10)
    return subprocess.CompletedProcess(args, proc.returncode, stdout, stderr), time.monotonic() - sent


@pytest.mark.slow
@pytest.mark.parametrize(
    "work",
    [
        ["784", "256", "--sample", "--samples", "4000000000", "--scheme", "he", "--dist", "normal"],
        ["propagate", "2048", "--depth", "400", "--act", "tanh"],
        ["audit", "BIG"],
    ],
    ids=["sample", "propagate", "audit"],
)
def test_ctrl_c_exits_130_within_a_second(work, big_npy):
    """SIGINT in the middle of real work: exit 130 within a second, one line on stderr, no data."""
    args = [str(big_npy) if a == "BIG" else a for a in work]
    done, latency = interrupt(args)
    assert done.returncode == 130, done.stderr
    assert latency < 1.0
    assert done.stdout == ""
    assert done.stderr == "Error: interrupted\n"


def run_cli(*args: str) -> str:
    proc = subprocess.run(
        [sys.executable, "-m", "glorotcalc", *args], capture_output=True, text=True, timeout=120,
        env={**os.environ, "NO_COLOR": "1"},
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


@pytest.mark.parametrize(
    "args",
    [
        ("784", "256", "--sample", "--samples", "5000000", "--seed", "7", "--format", "json"),
        ("784", "256", "--sample", "--samples", "5000000", "--seed", "7"),
        ("propagate", "256", "--depth", "6", "--act", "relu", "--batch", "64", "--format", "json"),
    ],
    ids=["sample-json", "sample-table", "propagate"],
)
def test_same_command_and_seed_give_byte_identical_output(args):
    """Run twice (and, for sampling, with one thread and with the default): stdout is identical."""
    first = run_cli(*args)
    assert first == run_cli(*args)
    if "--sample" in args:
        assert first == run_cli(*args, "--threads", "1")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--format", "json", "--format", "csv"], "Error: --format is given more than once: give it once\n"),
        (
            ["--act", "relu", "--nonlinearity", "tanh"],
            "Error: --nonlinearity and --act are the same option: give it once\n",
        ),
        (["--gain=1", "--gain", "2"], "Error: --gain is given more than once: give it once\n"),
    ],
)
@pytest.mark.parametrize("command", [[], ["lookup"], ["compare"], ["emit", "torch"], ["propagate"]])
def test_a_repeated_option_is_an_error_not_a_silent_override(cli, command, argv, message):
    result = cli(*command, "784", "256", *argv)
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", message)


@pytest.mark.parametrize(
    ("argv", "repeated"),
    [
        (["gain", "tanh", "--format", "json", "--format", "csv"], "--format"),
        (["gain", "leaky_relu", "--slope", "0.1", "--slope=0.2"], "--slope"),
        (["defaults", "784", "256", "--framework", "torch", "--framework", "keras"], "--framework"),
        (["propagate", "64", "--depth", "2", "--batch", "8", "--batch", "16"], "--batch"),
        (["audit", "w.npy", "--layout", "torch", "--layout", "keras"], "--layout"),
    ],
)
def test_every_command_refuses_a_repeated_option(cli, argv, repeated):
    result = cli(*argv)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == f"Error: {repeated} is given more than once: give it once\n"


def test_names_that_look_like_rich_markup_are_shown_verbatim(cli, tmp_path):
    """A printout's module names and a file's name are user text, never rich markup."""
    printout = (
        "Sequential(\n"
        "  (a[/x]): Linear(in_features=4, out_features=3, bias=True)\n"
        "  (b[red]:smile:): Linear(in_features=3, out_features=2, bias=True)\n"
        ")\n"
    )
    result = cli("-", stdin=printout)
    assert result.exit_code == 0, result.output
    assert " a[/x] " in result.stdout and " b[red]:smile: " in result.stdout

    import numpy as np

    weights = tmp_path / "[red]w:smile:.npy"
    np.save(weights, np.zeros((3, 4), np.float32))
    audited = cli("audit", str(weights))
    assert audited.exit_code == 0, audited.output
    assert "[red]w:smile:.npy" in audited.stdout


@pytest.mark.parametrize(
    "argv",
    [
        ["784", "256", "--batch", "64"],
        ["784", "256", "--batch", "1024"],  # propagate's default
        ["compare", "784", "256", "--seed", "0"],
        ["compare", "784", "256", "--dtype", "float32"],
        ["defaults", "784", "256", "--batch", "1024"],
        ["emit", "torch", "784", "256", "--samples", "10"],
        ["gain", "tanh", "--seed", "0"],
    ],
    ids=lambda argv: " ".join(argv),
)
def test_an_option_of_another_command_is_refused_even_at_its_default_value(cli, argv):
    """Click's usage error: exit 2, one line naming the option, no traceback."""
    option = next(word for word in argv if word.startswith("--"))
    result = cli(*argv)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.startswith(f"Error: No such option: {option}") and result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--dtype", "float32"], "Error: --dtype applies only with --sample: add --sample or drop --dtype\n"),
        (["--seed", "0"], "Error: --seed applies only with --sample: add --sample or drop --seed\n"),
        (
            ["--samples", "10"],
            "Error: --samples applies only with --sample: add --sample or drop --samples\n",
        ),
        (["--threads", "1"], "Error: --threads applies only with --sample: add --sample or drop --threads\n"),
        (["--hist"], "Error: --hist applies only with --sample: add --sample or drop --hist\n"),
    ],
)
def test_a_sampling_option_is_refused_without_sample_even_at_its_default_value(cli, argv, message):
    result = cli("784", "256", *argv)
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", message)


def test_audit_refuses_propagation_options_even_at_their_default_value(cli, tmp_path):
    import numpy as np

    np.save(tmp_path / "w.npy", np.zeros((3, 4), np.float32))
    result = cli("audit", str(tmp_path / "w.npy"), "--batch", "1024")
    assert result.exit_code == 2 and "--batch" in result.stderr and result.stderr.count("\n") == 1


@pytest.mark.parametrize(
    "command", [["64", "64", "--sample", "--samples", "10"], ["propagate", "64", "64", "--batch", "8"]]
)
def test_a_negative_seed_is_a_usage_error_for_every_seeded_command(cli, command):
    result = cli(*command, "--seed", "-1")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == "Error: --seed -1: must be a non-negative integer\n"
