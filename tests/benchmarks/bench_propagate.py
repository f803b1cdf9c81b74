"""Propagation speed: ``--propagate`` against a bare numpy loop of the same matrix products.

    python tests/benchmarks/bench_propagate.py [--layers 100] [--width 1024] [--batch 1024] [--repeat 3]

One run times, for the same network (relu, He normal, float32):

- ``glorotcalc WIDTH --depth LAYERS --act relu --scheme he --dist normal --propagate`` built
  in-process (`build_report`: mean field, weight draws, Monte Carlo, statistics, the report;
  the interpreter start is not counted), and the same command as a fresh process;
- the floor: a bare numpy loop with the weights already drawn — per layer ``h = x @ W.T`` and
  ``np.maximum(h, 0, out=h)`` forward, ``g *= mask`` and ``g @ W`` backward;
- that loop plus drawing each weight once: numpy's ``standard_normal`` in float32, and
  glorotcalc's own sampler (`sampling.draw`, what ``--propagate`` uses).

Prints the best of `--repeat` interleaved timings and the ratios; the target is ≤ 1.3× the bare
loop. Drawing a 1024 × 1024 float32 weight costs about a quarter of the layer's two products on a
2-core machine, so most of what ``--propagate`` adds over the bare loop is the draw itself.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time

import numpy as np
from glorotcalc.commands import Request, build_report

from glorotcalc.gain import make_activation
from glorotcalc.sampling import draw
from glorotcalc.schemes import he

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


def draw_and_loop(layers: int, width: int, batch: int, sampler: bool = False) -> None:
    """The bare loop, drawing its weights first: numpy's standard_normal, or glorotcalc's sampler."""
    rng = np.random.default_rng(1)
    std = np.float32(np.sqrt(2 / width))
    stats = he(width, width, "normal")
    weights = []
    for _ in range(layers):
        if sampler:
            w = draw(stats, (width, width), rng, np.float32)
        else:
            w = rng.standard_normal((width, width), dtype=np.float32)
            w *= std
        weights.append(w)
    x = rng.standard_normal((batch, width), dtype=np.float32)
    g = rng.standard_normal((batch, width), dtype=np.float32)
    bare_loop(weights, x, g)


def timed(function) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


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
    rng = np.random.default_rng(0)
    std = np.float32(np.sqrt(2 / args.width))
    weights = [
        rng.standard_normal((args.width, args.width), dtype=np.float32) * std for _ in range(args.layers)
    ]
    x = rng.standard_normal((args.batch, args.width), dtype=np.float32)
    g = rng.standard_normal((args.batch, args.width), dtype=np.float32)
    # interleaved, so that a busy machine slows all three alike; the best of each is kept
    times: dict[str, list[float]] = {"bare": [], "drawn": [], "sampler": [], "ours": []}
    for _ in range(args.repeat):
        times["bare"].append(timed(lambda: bare_loop(weights, x, g.copy())))
        times["drawn"].append(timed(lambda: draw_and_loop(args.layers, args.width, args.batch)))
        times["sampler"].append(timed(lambda: draw_and_loop(args.layers, args.width, args.batch, True)))
        times["ours"].append(timed(lambda: build_report(request)))
    bare, drawn, sampled, ours = (min(times[key]) for key in ("bare", "drawn", "sampler", "ours"))
    weights.clear()
    process = timed(
        lambda: subprocess.run([sys.executable, "-m", "glorotcalc", *argv], check=True, capture_output=True)
    )

    flops = 2 * 2 * args.layers * args.batch * args.width * args.width
    shape = f"{args.layers} relu layers {args.width}→{args.width}, batch {args.batch}, float32"
    print(f"{shape} (best of {args.repeat}, interleaved)")
    print(f"  bare numpy loop (weights drawn beforehand) {bare:8.3f} s  ({flops / bare / 1e9:.1f} GFLOP/s)")
    print(f"  numpy loop + drawing the weights           {drawn:8.3f} s  ({drawn / bare:.3f}× bare)")
    print(f"  numpy loop + glorotcalc's sampler (draw)   {sampled:8.3f} s  ({sampled / bare:.3f}× bare)")
    print(f"  --propagate, in-process (build_report)     {ours:8.3f} s  ({ours / bare:.3f}× bare)")
    print(f"  --propagate, a fresh process               {process:8.3f} s  ({process / bare:.3f}× bare)")
    verdict = "meets" if ours / bare <= TARGET else "misses"
    print(f"  target ≤ {TARGET}× bare: {verdict} it ({ours / bare:.3f}×); ", end="")
    print(f"against the loop that draws with the same sampler: {ours / sampled:.3f}×")


if __name__ == "__main__":
    main()
