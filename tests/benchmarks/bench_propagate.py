"""Propagation speed: ``propagate`` against a bare numpy loop of the same products, and against torch.

    python tests/benchmarks/bench_propagate.py [--layers 100] [--width 1024] [--batch 1024] [--rounds 5]
    python tests/benchmarks/bench_propagate.py --quick     # 30 layers, 3 rounds

One run times, for the same network (relu, He normal, float32), interleaved rounds, each timing
taken while no other process uses the CPU (see ``quiet.py``), medians:

- ``glorotcalc propagate WIDTH --depth LAYERS --act relu --scheme he --dist normal`` in-process
  (`glorotcalc.propagate.propagate` on the resolved layers: mean field, weight draws, Monte Carlo,
  statistics, the report; the interpreter start is not counted), and once as a fresh process;
- the floor: a bare numpy loop with the weights already drawn — per layer ``h = x @ W.T`` and a
  relu mask forward, ``g *= mask`` and ``g @ W`` backward;
- that loop drawing each weight first: numpy's ``standard_normal`` in float32, and glorotcalc's
  sampler (`sampling.draw`, what ``propagate`` uses);
- torch, when installed: the same loop on torch tensors (its threads), each weight drawn by
  ``kaiming_normal_`` — torch's forward and backward with its own draws.

Targets: ``propagate`` ≤ 1.3× the bare numpy loop and ≤ 1.0× torch's loop.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import quiet

from glorotcalc.gain import make_activation
from glorotcalc.inputs import resolve_layers
from glorotcalc.propagate import propagate
from glorotcalc.sampling import draw
from glorotcalc.schemes import he

TARGET, TORCH_TARGET = 1.3, 1.0


def bare_loop(weights: list[np.ndarray], x: np.ndarray, g: np.ndarray) -> None:
    """The matrix products of a relu network's forward and backward pass, nothing else."""
    masks = []
    for w in weights:
        x = x @ w.T
        mask = x > 0
        x *= mask
        masks.append(mask)
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


def torch_loop(layers: int, width: int, batch: int) -> None:
    """torch's forward and backward of the same network, each weight drawn by kaiming_normal_."""
    import torch

    with torch.no_grad():
        weights = []
        for _ in range(layers):
            w = torch.empty(width, width)
            torch.nn.init.kaiming_normal_(w, nonlinearity="relu")
            weights.append(w)
        x, g = torch.randn(batch, width), torch.randn(batch, width)
        masks = []
        for w in weights:
            x = x @ w.T
            mask = x > 0
            x *= mask
            masks.append(mask)
        for w, mask in zip(reversed(weights), reversed(masks), strict=True):
            g *= mask
            g = g @ w


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--layers", type=int, default=100)
    parser.add_argument("--width", type=int, default=1024)
    parser.add_argument("--batch", type=int, default=1024)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="30 layers, 3 rounds: about a minute")
    args = parser.parse_args()
    if args.quick:
        args.layers, args.rounds = min(args.layers, 30), min(args.rounds, 3)

    layers = resolve_layers([str(args.width)], depth=args.layers, activation=make_activation("relu"))
    rng = np.random.default_rng(0)
    std = np.float32(np.sqrt(2 / args.width))
    weights = [
        rng.standard_normal((args.width, args.width), dtype=np.float32) * std for _ in range(args.layers)
    ]
    x = rng.standard_normal((args.batch, args.width), dtype=np.float32)
    g = rng.standard_normal((args.batch, args.width), dtype=np.float32)
    runs = {
        "bare": lambda: bare_loop(weights, x, g.copy()),
        "drawn": lambda: draw_and_loop(args.layers, args.width, args.batch),
        "sampler": lambda: draw_and_loop(args.layers, args.width, args.batch, True),
        "ours": lambda: propagate(layers, scheme="he", distribution="normal", batch=args.batch),
    }
    try:
        import torch  # noqa: F401

        runs["torch"] = lambda: torch_loop(args.layers, args.width, args.batch)
    except ImportError:
        pass
    for run in runs.values():  # warm up: imports, BLAS threads, the allocator's pools
        run()
    times = {name: quiet.median(values) for name, values in quiet.rounds(runs, args.rounds).items()}
    weights.clear()
    argv = [str(args.width), "--depth", str(args.layers), "--act", "relu", "--scheme", "he"]
    argv += ["--dist", "normal", "--batch", str(args.batch), "--format", "json"]
    command = [sys.executable, "-m", "glorotcalc", "propagate", *argv]
    process = quiet.clean_time(lambda: subprocess.run(command, check=True, capture_output=True))

    bare = times["bare"]
    flops = 2 * 2 * args.layers * args.batch * args.width * args.width
    shape = f"{args.layers} relu layers {args.width}→{args.width}, batch {args.batch}, float32"
    print(f"{shape} (medians of {args.rounds} interleaved rounds)")
    print(f"  bare numpy loop (weights drawn beforehand) {bare:8.3f} s  ({flops / bare / 1e9:.1f} GFLOP/s)")
    rows = [("drawn", "numpy loop + drawing the weights")]
    rows += [("sampler", "numpy loop + glorotcalc's sampler (draw)")]
    rows += [("torch", "torch loop + kaiming_normal_ draws")] if "torch" in times else []
    for key, label in rows:
        print(f"  {label:42s} {times[key]:8.3f} s  ({times[key] / bare:.3f}× bare)")
    ours = times["ours"]
    print(f"  propagate, in-process                      {ours:8.3f} s  ({ours / bare:.3f}× bare)")
    print(f"  propagate, a fresh process                 {process:8.3f} s  ({process / bare:.3f}× bare)")
    verdict = "meets" if ours / bare <= TARGET else "misses"
    print(f"  target ≤ {TARGET}× bare: {verdict} it ({ours / bare:.3f}×)")
    if "torch" in times:
        verdict = "meets" if ours / times["torch"] <= TORCH_TARGET else "misses"
        print(f"  target ≤ {TORCH_TARGET}× torch: {verdict} it ({ours / times['torch']:.3f}×)")
    print(quiet.load_note())


if __name__ == "__main__":
    main()
