"""Propagation speed: ``--propagate`` against a bare numpy loop of the same matrix products.

    python tests/benchmarks/bench_propagate.py [--layers 100] [--width 1024] [--batch 1024] [--repeat 3]

One run times, for the same network (relu, He normal, float32):

- ``glorotcalc WIDTH --depth LAYERS --act relu --scheme he --dist normal --propagate`` built
  in-process (`build_report`: mean field, weight draws, Monte Carlo, statistics, the report;
  the interpreter start is not counted), and the same command as a fresh process;
- the floor: a bare numpy loop with the weights already drawn — per layer ``h = x @ W.T`` and
  ``np.maximum(h, 0, out=h)`` forward, ``g *= mask`` and ``g @ W`` backward;
- that loop plus drawing each weight once (``standard_normal`` in float32).

Prints the best of `--repeat` timings and the ratios; the target is ≤ 1.3× the bare loop.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time

import numpy as np

from glorotcalc.commands import Request, build_report
from glorotcalc.gain import make_activation

TARGET = 1.3


def bare_loop(weights: list[np.ndarray], x: np.ndarray, g: np.ndarray) -> None:
    """The matrix products of a relu network's forward and backward pass, nothing else."""
    masks = []
    for w in weights:
        x = x @ w.T
        masks.append(x > 0)
        np.maximum(x, 0, out=x)
    for w, mask in zip(reversed(weights), reversed(masks), strict=True):
        g *= mask
        g = g @ w


def draw_and_loop(layers: int, width: int, batch: int) -> None:
    rng = np.random.default_rng(1)
    std = np.float32(np.sqrt(2 / width))
    weights = []
    for _ in range(layers):
        w = rng.standard_normal((width, width), dtype=np.float32)
        w *= std
        weights.append(w)
    x = rng.standard_normal((batch, width), dtype=np.float32)
    g = rng.standard_normal((batch, width), dtype=np.float32)
    bare_loop(weights, x, g)


def time_bare_loop(layers: int, width: int, batch: int, repeat: int) -> float:
    """Best time of `bare_loop` with the weights drawn beforehand (not timed)."""
    rng = np.random.default_rng(0)
    std = np.float32(np.sqrt(2 / width))
    weights = [rng.standard_normal((width, width), dtype=np.float32) * std for _ in range(layers)]
    x = rng.standard_normal((batch, width), dtype=np.float32)
    g = rng.standard_normal((batch, width), dtype=np.float32)
    return best(lambda: bare_loop(weights, x, g.copy()), repeat)


def best(function, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--layers", type=int, default=100)
    parser.add_argument("--width", type=int, default=1024)
    parser.add_argument("--batch", type=int, default=1024)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    argv = [str(args.width), "--depth", str(args.layers), "--act", "relu", "--scheme", "he"]
    argv += ["--dist", "normal", "--propagate", "--batch", str(args.batch), "--format", "json"]
    request = Request(
        inputs=(str(args.width),),
        depth=args.layers,
        activation=make_activation("relu"),
        activation_given=True,
        schemes=("he",),
        scheme_given=True,
        distributions=("normal",),
        dist_given=True,
        propagate=True,
        batch=args.batch,
        fmt="json",
    )
    bare = time_bare_loop(args.layers, args.width, args.batch, args.repeat)
    drawn = best(lambda: draw_and_loop(args.layers, args.width, args.batch), args.repeat)
    ours = best(lambda: build_report(request), args.repeat)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "glorotcalc", *argv], check=True, capture_output=True)
    process = time.perf_counter() - start

    flops = 2 * 2 * args.layers * args.batch * args.width * args.width
    shape = f"{args.layers} relu layers {args.width}→{args.width}, batch {args.batch}, float32"
    print(f"{shape} (best of {args.repeat})")
    print(f"  bare numpy loop (weights drawn beforehand) {bare:8.3f} s  ({flops / bare / 1e9:.1f} GFLOP/s)")
    print(f"  numpy loop + drawing the weights           {drawn:8.3f} s  ({drawn / bare:.3f}× bare)")
    print(f"  --propagate, in-process (build_report)     {ours:8.3f} s  ({ours / bare:.3f}× bare)")
    print(f"  --propagate, a fresh process               {process:8.3f} s  ({process / bare:.3f}× bare)")
    verdict = "meets" if ours / bare <= TARGET else "misses"
    print(f"  target ≤ {TARGET}× bare: {verdict} it ({ours / bare:.3f}×)")


if __name__ == "__main__":
    main()
