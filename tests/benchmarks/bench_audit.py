"""Audit memory: peak RSS of ``glorotcalc audit`` on a ~2 GB .npy and .safetensors file.

    python tests/benchmarks/bench_audit.py [--gib 2] [--dir DIR] [--keep]

Writes one float32 tensor of `--gib` GiB drawn from U(±√(6/(fan_in + fan_out))) (Glorot uniform)
as an .npy file and as a .safetensors file (chunk by chunk: the generator itself stays small),
then audits each in a fresh process (``python -m glorotcalc audit FILE --format json``) and reads
the child's peak resident set from ``os.wait4``. Prints, per file: the peak RSS, its ratio to the
300 MiB target and to the file size, the wall time and the throughput, and the verdict (which
must be glorot uniform). A baseline ``python -c "import numpy, typer, rich"`` shows the floor.
"""

from __future__ import annotations

import argparse
import json
import os
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

TARGET_MIB = 300
COLUMNS = 32768  # fan_in (torch layout (fan_out, fan_in))
ROWS_PER_WRITE = 256


def rows_for(gib: float) -> int:
    return int(gib * 2**30 / (4 * COLUMNS)) // ROWS_PER_WRITE * ROWS_PER_WRITE


def write_data(stream, rows: int) -> None:
    """Glorot uniform float32 rows, ROWS_PER_WRITE at a time, seeded."""
    bound = np.sqrt(6 / (rows + COLUMNS))
    rng = np.random.default_rng(0)
    for _ in range(rows // ROWS_PER_WRITE):
        stream.write(rng.uniform(-bound, bound, (ROWS_PER_WRITE, COLUMNS)).astype("<f4").tobytes())


def write_npy(path: Path, rows: int) -> None:
    with open(path, "wb") as stream:
        header = {"descr": "<f4", "fortran_order": False, "shape": (rows, COLUMNS)}
        np.lib.format.write_array_header_2_0(stream, header)
        write_data(stream, rows)


def write_safetensors(path: Path, rows: int) -> None:
    """8-byte little-endian header length, JSON header (padded to 8 bytes), then the raw data."""
    size = rows * COLUMNS * 4
    header = json.dumps({"weight": {"dtype": "F32", "shape": [rows, COLUMNS], "data_offsets": [0, size]}})
    blob = header.encode() + b" " * (-len(header) % 8)
    with open(path, "wb") as stream:
        stream.write(struct.pack("<Q", len(blob)) + blob)
        write_data(stream, rows)


# A small parent for the measured process: a child forked from this (numpy-laden) benchmark would
# start with the benchmark's resident set in its ru_maxrss; one forked from a bare interpreter
# starts near 10 MiB.
WRAPPER = """
import resource, subprocess, sys
code = subprocess.run(sys.argv[1:]).returncode
print("MAXRSS_KIB", resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)
sys.exit(code)
"""


def peak_rss(command: list[str]) -> tuple[float, float, str]:
    """(peak RSS in MiB, wall seconds, stdout) of `command` in a child of a bare interpreter."""
    env = {**os.environ, "NO_COLOR": "1"}
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", WRAPPER, *command], capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - start
    *errors, last = done.stderr.strip().splitlines()
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed: {' '.join(errors)}")
    return int(last.split()[1]) / 1024, elapsed, done.stdout  # ru_maxrss is in KiB on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gib", type=float, default=2.0, help="tensor size in GiB (default 2)")
    parser.add_argument("--dir", default=None, help="where to write the files (default: a temp dir)")
    parser.add_argument("--keep", action="store_true", help="keep the generated files")
    args = parser.parse_args()
    folder = Path(args.dir or tempfile.mkdtemp(prefix="bench-audit-"))
    folder.mkdir(parents=True, exist_ok=True)
    rows = rows_for(args.gib)
    files = {"npy": folder / "weights.npy", "safetensors": folder / "weights.safetensors"}
    start = time.perf_counter()
    write_npy(files["npy"], rows)
    write_safetensors(files["safetensors"], rows)
    print(f"wrote 2 files of {rows}×{COLUMNS} float32 in {time.perf_counter() - start:.1f} s")
    floor, _, _ = peak_rss([sys.executable, "-c", "import numpy, typer, rich"])
    print(f"floor (python + numpy + typer + rich): {floor:.0f} MiB")
    try:
        for kind, path in files.items():
            size_mib = path.stat().st_size / 2**20
            rss, seconds, stdout = peak_rss(
                [sys.executable, "-m", "glorotcalc", "audit", str(path), "--format", "json"]
            )
            tensor = json.loads(stdout)["tensors"][0]
            label = tensor["match"]["label"] if tensor["match"] else tensor["verdict"]
            print(
                f"{kind:12s} file {size_mib:,.0f} MiB · peak RSS {rss:.0f} MiB = {rss / TARGET_MIB:.2f}× the "
                f"{TARGET_MIB} MiB target, {rss / size_mib:.3f}× the file · {seconds:.1f} s "
                f"({size_mib / seconds:,.0f} MiB/s) · {label}, confidence {tensor['confidence']['level']}"
            )
    finally:
        if not args.keep:
            for path in files.values():
                path.unlink(missing_ok=True)
            if args.dir is None:
                folder.rmdir()


if __name__ == "__main__":
    main()
