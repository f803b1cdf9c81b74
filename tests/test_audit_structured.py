"""audit recognizes structured initializations: orthogonal, identity, dirac, sparse — each with
its evidence, and never a Gaussian of the same std.

The tensors are built here from their definitions (numpy QR with the sign fix; ones placed by
hand; zeros placed per column), not by glorotcalc's samplers.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest


def audit(cli, tmp_path, **tensors) -> dict[str, dict]:
    np.savez(tmp_path / "m.npz", **tensors)
    result = cli("audit", str(tmp_path / "m.npz"), "--format", "json")
    assert result.exit_code == 0, result.output
    return {t["name"]: t for t in json.loads(result.stdout)["tensors"]}


def haar(rows: int, cols: int, rng) -> np.ndarray:
    q, r = np.linalg.qr(rng.standard_normal((max(rows, cols), min(rows, cols))))
    q *= np.sign(np.diagonal(r))
    return q if rows >= cols else q.T


def test_orthogonal_matrices_in_either_flattening(cli, tmp_path):
    rng = np.random.default_rng(0)
    found = audit(
        cli,
        tmp_path,
        square=haar(256, 256, rng).astype(np.float32),  # entries look like LeCun's N(0, 1/256)
        wide=(2 * haar(64, 300, rng)).astype(np.float32),
        conv_torch=haar(64, 27, rng).reshape(64, 3, 3, 3),  # torch: (shape[0], rest)
        conv_keras=(0.5 * haar(27, 64, rng)).reshape(3, 3, 3, 64),  # Keras: (prod(shape[:-1]), shape[-1])
        gauss=rng.normal(0, 1 / 16, (256, 256)),
    )
    assert found["square"]["verdict"] == "structured" and found["square"]["statement"].startswith("as torch")
    assert "gain 2" in found["wide"]["statement"] and "orthonormal rows" in found["wide"]["statement"]
    assert "torch orthogonal_" in found["conv_torch"]["statement"]
    assert "Keras/JAX" in found["conv_keras"]["statement"] and "gain 0.5" in found["conv_keras"]["statement"]
    assert found["gauss"]["verdict"] == "init"  # a Gaussian Gram is off by ~1/√256, far beyond rounding


def test_identity_dirac_and_sparse(cli, tmp_path):
    eye = np.zeros((10, 6))
    eye[np.arange(6), np.arange(6)] = 1.5
    dirac = np.zeros((8, 4, 3, 3))
    for g in range(2):
        for d in range(4):
            dirac[g * 4 + d, d, 1, 1] = 1.0
    rng = np.random.default_rng(1)
    sparse = rng.normal(0, 0.02, (100, 50))
    zeros = math.ceil(0.25 * 100)
    for column in range(50):
        sparse[rng.permutation(100)[:zeros], column] = 0.0
    found = audit(cli, tmp_path, eye=eye, dirac=dirac, sparse=sparse)
    assert (found["eye"]["verdict"], found["eye"]["statement"][:25]) == (
        "structured",
        "6 values 1.5 on the diago",
    )
    assert "dirac" in found["dirac"]["statement"] and "8 ones" in found["dirac"]["statement"]
    assert f"every column has {zeros} of 100" in found["sparse"]["statement"]


def test_a_dense_random_tensor_with_some_zeros_is_not_sparse(cli, tmp_path):
    w = np.random.default_rng(2).normal(0, 0.05, (100, 50))
    w[0, :25] = 0.0  # zeros, but not the same count in every column
    assert audit(cli, tmp_path, w=w)["w"]["verdict"] != "structured"


@pytest.mark.parametrize("torch_init", ["orthogonal_", "eye_", "dirac_", "sparse_"])
def test_torch_s_own_tensors_are_recognized(cli, tmp_path, torch_init):
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    shape = {"dirac_": (8, 4, 3)}.get(torch_init, (64, 48))
    args = {"sparse_": (0.3,)}.get(torch_init, ())
    w = getattr(torch.nn.init, torch_init)(torch.empty(*shape), *args).numpy()
    assert audit(cli, tmp_path, w=w)["w"]["verdict"] == "structured"
