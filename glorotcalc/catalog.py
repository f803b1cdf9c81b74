"""The README's table of every framework, generated from the records (``python -m
glorotcalc.catalog`` prints it; tests/test_catalog.py checks the README holds exactly this).

Each row: the record's name, its weight layout, what its ``*_normal`` draws (from `normal` and
`truncated_sigma`), its default dense and conv init (from `layers`), and how its facts are
checked: a live peer test against the installed package, or the source they were read from.
"""

from __future__ import annotations

import math

from glorotcalc.frameworks import FRAMEWORKS, Framework
from glorotcalc.schemes import TRUNCATED_STD

# How each record's facts are checked: the peer test file (the package, installed) or the cited
# source ("cited: …"), as each record's comment in glorotcalc/frameworks.py says.
CHECKED = {
    "torch": "peer: torch 2.13.0 (tests/test_torch_peer.py)",
    "keras": "peer: Keras 3.15.1 (tests/test_keras_peer.py)",
    "jax": "peer: JAX 0.10.2 (tests/test_jax_peer.py)",
    "flax": "peer: Flax 0.12.8 (tests/test_jax_peer.py)",
    "tf-keras": "peer: TensorFlow 2.21.0 (tests/test_tf_peer.py)",
    "tf-compat-v1": "peer: TensorFlow 2.21.0 (tests/test_tf_peer.py)",
    "tf1-contrib": "cited: TF 1.x contrib/layers/python/layers/initializers.py",
    "keras2.2": "cited: Keras 2.2.4 keras/initializers.py",
    "flax-nnx": "peer: Flax 0.12.8 (tests/test_flax_nnx_peer.py)",
    "haiku": "peer: dm-haiku 0.0.17 (tests/test_haiku_peer.py)",
    "equinox": "peer: Equinox 0.13.8 (tests/test_equinox_peer.py)",
    "mlx": "peer: MLX 0.32.4 (tests/test_mlx_peer.py)",
    "paddle": "peer: PaddlePaddle 3.3.1 (tests/test_paddle_peer.py)",
    "tinygrad": "peer: tinygrad 0.14.0 (tests/test_tinygrad_peer.py)",
    "mxnet": "cited: MXNet 1.9 python/mxnet/initializer.py",
    "chainer": "cited: Chainer 7 chainer/initializers/",
    "caffe": "cited: Caffe include/caffe/filler.hpp",
    "flux": "cited: Flux.jl src/utils.jl",
    "tfjs": "cited: TF.js tfjs-layers/src/initializers.ts",
}
HEADER = ("framework", "layout", "`*_normal` draws", "default Dense / Conv weight", "checked")


def normal_text(fw: Framework) -> str:
    """What the framework's ``*_normal`` draws, from its record."""
    if fw.normal == "normal":
        return "untruncated N(0, Var)"
    realized = fw.truncated_sigma * TRUNCATED_STD
    if math.isclose(realized, 1.0, rel_tol=1e-12):
        return "truncated ±2σ, std √Var"
    return f"truncated ±2σ, σ = {fw.truncated_sigma:.4g}·√Var (std {realized:.4g}·√Var)"


def default_text(fw: Framework) -> str:
    dense, conv = fw.layers.get("dense"), fw.layers.get("conv")
    if dense is None:
        return fw.default_note or "— (no layers)"
    bias = {"zeros": "zero bias", "fan_in": "U bias", "none": "no bias"}[dense.bias]
    if conv is None or conv.init == dense.init:
        return f"`{dense.init}`, {bias}"
    return f"`{dense.init}` / `{conv.init}`, {bias}"


def markdown_table() -> str:
    rows = [HEADER, ("---",) * len(HEADER)]
    for name, fw in FRAMEWORKS.items():
        rows.append(
            (
                f"`{name}` ({fw.title})",
                f"`{fw.layout_text}`",
                normal_text(fw),
                default_text(fw),
                CHECKED[name],
            )
        )
    return "\n".join("| " + " | ".join(row) + " |" for row in rows) + "\n"


if __name__ == "__main__":
    print(markdown_table(), end="")
