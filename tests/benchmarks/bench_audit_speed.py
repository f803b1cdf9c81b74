"""Audit speed: 1 vs 2 threads, against a chunked numpy mean/std pass, .npz (stored) vs .npy.

    python tests/benchmarks/bench_audit_speed.py [--gib 0.5] [--rounds 3] [--dir DIR]

Writes one float32 Glorot-uniform tensor of `--gib` GiB as an .npy file and as an .npz archive
whose member is stored (``np.savez``), then times in one process, rounds interleaved, each timing
retried while other processes use the CPU (``quiet.py``), medians:

- ``audit(FILE, threads=T)`` for T = 1, 2 on both files (the report is built, not rendered);
- the floor: a chunked numpy mean/std pass over the .npy — 2²⁰ float32 values at a time read
  into one buffer, ``chunk.mean(dtype=float64)`` and ``chunk.std(dtype=float64)``, merged;
- ``cat FILE > /dev/null``: the page-cache read alone.

Prints the ratios the goals name: audit 2 threads / 1 thread (target ≥ 1.8×), audit (2 threads)
/ the numpy pass (target ≤ 1.0×), .npz / .npy (target ≤ 1.0×). Peak memory is
``bench_audit.py``'s job.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import quiet

from glorotcalc.audit import audit

COLUMNS = 8192
ROWS_PER_WRITE = 256
CHUNK = 1 << 20


def write_rows(stream, rows: int) -> None:
    bound = np.sqrt(6 / (rows + COLUMNS))
    rng = np.random.default_rng(0)
    for _ in range(rows // ROWS_PER_WRITE):
        stream.write(rng.uniform(-bound, bound, (ROWS_PER_WRITE, COLUMNS)).astype("<f4").tobytes())


def write_npy(stream, rows: int) -> None:
    header = {"descr": "<f4", "fortran_order": False, "shape": (rows, COLUMNS)}
    np.lib.format.write_array_header_2_0(stream, header)
    write_rows(stream, rows)


def write_files(folder: Path, gib: float) -> tuple[Path, Path]:
    rows = max(int(gib * 2**30 / (4 * COLUMNS)) // ROWS_PER_WRITE, 1) * ROWS_PER_WRITE
    npy, npz = folder / "weight.npy", folder / "weights.npz"
    with open(npy, "wb") as stream:
        write_npy(stream, rows)
    with (
        zipfile.ZipFile(npz, "w", zipfile.ZIP_STORED, allowZip64=True) as archive,
        archive.open("weight.npy", "w", force_zip64=True) as stream,
    ):
        write_npy(stream, rows)
    return npy, npz


def numpy_pass(path: Path) -> tuple[float, float]:
    """Mean and std of the .npy's values, CHUNK at a time, float64 sums."""
    with open(path, "rb") as stream:
        np.lib.format.read_magic(stream)
        shape, _, dtype = np.lib.format.read_array_header_2_0(stream)
        count = int(np.prod(shape))
        buffer = np.empty(CHUNK, dtype)
        s1 = s2 = 0.0
        done = 0
        while done < count:
            k = min(CHUNK, count - done)
            stream.readinto(memoryview(buffer[:k]).cast("B"))
            x = buffer[:k]
            mean, var = float(x.mean(dtype=np.float64)), float(x.var(dtype=np.float64))
            s1 += mean * k
            s2 += (var + mean * mean) * k
            done += k
    mean = s1 / count
    return mean, (s2 / count - mean * mean) ** 0.5


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gib", type=float, default=0.5)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--dir", default=None, help="where to write the files (default: a temp dir)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.dir) as folder:
        npy, npz = write_files(Path(folder), args.gib)
        runs = {
            "numpy mean/std pass": lambda: numpy_pass(npy),
            "cat": lambda: subprocess.run(["cat", str(npy)], stdout=subprocess.DEVNULL, check=True),
        }
        for name, path in (("npy", npy), ("npz", npz)):
            for threads in (1, 2):
                runs[f"audit {name} {threads}t"] = lambda p=path, t=threads: audit((str(p),), threads=t)
        for function in runs.values():  # warm the page cache and the imports
            function()
        times = {name: quiet.median(values) for name, values in quiet.rounds(runs, args.rounds).items()}
        size = npy.stat().st_size
    print(f"{size / 2**30:.2f} GiB float32, medians of {args.rounds} interleaved rounds:")
    for name, seconds in times.items():
        print(f"  {name:22s} {seconds:7.3f} s   {size / seconds / 2**20:7.0f} MiB/s")
    print("ratios (this run):")
    for kind in ("npy", "npz"):
        gain = times[f"audit {kind} 1t"] / times[f"audit {kind} 2t"]
        print(f"  audit .{kind} 2 threads / 1: {gain:.2f}× faster (target ≥ 1.8×)")
    floor = times["numpy mean/std pass"]
    print(f"  audit .npy (2 threads) / numpy pass: {times['audit npy 2t'] / floor:.2f}× (target ≤ 1.0×)")
    print(f"  audit .npy (1 thread) / numpy pass: {times['audit npy 1t'] / floor:.2f}×")
    npz_ratio = times["audit npz 2t"] / times["audit npy 2t"]
    print(f"  audit .npz / .npy (2 threads): {npz_ratio:.2f}× (target ≤ 1.0×)")
    print(quiet.load_note())


if __name__ == "__main__":
    main()
