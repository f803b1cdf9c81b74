"""``glorotcalc audit`` on weights files written here with known initializations.

Every tensor is drawn with a fixed seed from a distribution whose std is written out below from the
papers' formulas, then audited through the CLI. The audit accepts a candidate when its std, excess
kurtosis, max |w| and mean are each within 5 standard errors (rel. SE of a std √((κ−1)/(4n)):
0.195 % for a normal at n = 131,072, 0.124 % for a uniform); the stds of the candidates of a 512×256
weight are ≥ 2.06 % apart, i.e. ≥ 10 SE, so the drawn one is found and no other fits. A false
rejection at 5 SE has probability ≈ 6·10⁻⁷ per test, and the seeds are fixed.
"""

from __future__ import annotations

import json
import math
import struct
import sys
import zipfile

import numpy as np
import pytest

from tests.conftest import run_subprocess, torch_or_skip

FAN_OUT, FAN_IN = 512, 256  # torch layout (out, in)
TRUNCATED_STD = 0.87962566103423978  # std of N(0, 1) cut at ±2
GLOROT = math.sqrt(2 / (FAN_IN + FAN_OUT))
HE = math.sqrt(2 / FAN_IN)
LECUN = math.sqrt(1 / FAN_IN)
EXPECTED_STD = {"glorot": GLOROT, "he": HE, "lecun": LECUN}


def draw(rng: np.random.Generator, distribution: str, std: float, shape: tuple[int, ...]) -> np.ndarray:
    """U(±√3·std), N(0, std²), or N(0, σ²) cut at ±2σ with σ = std/0.8796 (redrawn outside)."""
    if distribution == "uniform":
        bound = math.sqrt(3) * std
        return rng.uniform(-bound, bound, shape).astype(np.float32)
    z = rng.standard_normal(shape)
    if distribution == "truncated":
        outside = np.abs(z) > 2
        while outside.any():
            z[outside] = rng.standard_normal(int(outside.sum()))
            outside = np.abs(z) > 2
        return (z * std / TRUNCATED_STD).astype(np.float32)
    return (z * std).astype(np.float32)


def audit_json(cli, *argv: str) -> dict:
    result = cli("audit", *argv, "--format", "json")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    return json.loads(result.stdout)


def by_name(document: dict) -> dict[str, dict]:
    return {t["name"]: t for t in document["tensors"]}


def label(tensor: dict) -> str | None:
    return tensor["match"]["label"] if tensor["match"] else None


def fails_in_one_line(result, *fragments: str, code: int = 1) -> None:
    assert result.exit_code == code, result.output
    assert result.stdout == ""
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in result.stderr


# ── every scheme × distribution, drawn with numpy ────────────────────────────────────────────────


@pytest.fixture(scope="module")
def grid(tmp_path_factory):
    """One .npz with glorot/he/lecun × uniform/normal/truncated at 512×256 (seed 8)."""
    rng = np.random.default_rng(8)
    arrays = {
        f"{scheme}_{distribution}": draw(rng, distribution, std, (FAN_OUT, FAN_IN))
        for scheme, std in EXPECTED_STD.items()
        for distribution in ("uniform", "normal", "truncated")
    }
    path = tmp_path_factory.mktemp("grid") / "grid.npz"
    np.savez(path, **arrays)
    return path, arrays


def test_every_scheme_and_distribution_is_identified(cli, grid):
    path, arrays = grid
    tensors = by_name(audit_json(cli, str(path)))
    for name, values in arrays.items():
        scheme, distribution = name.split("_")
        tensor = tensors[name]
        assert tensor["verdict"] == "init", (name, tensor["statement"])
        assert tensor["match"]["scheme"] == scheme and tensor["match"]["distribution"] == distribution, name
        assert tensor["alternatives"] == [], (name, tensor["alternatives"])
        assert tensor["confidence"]["level"] in ("high", "moderate"), name
        wide = values.astype(np.float64)
        # float32 values are summed in float32: std within 1e-6, mean within 3e-6·std (the bounds
        # in glorotcalc.stats.chunk_moments)
        assert tensor["stats"]["std"] == pytest.approx(wide.std(), rel=1e-6)
        assert tensor["stats"]["mean"] == pytest.approx(wide.mean(), abs=3e-6 * wide.std())
        assert tensor["stats"]["max"] == float(values.max())
        assert (tensor["fan_in"], tensor["fan_out"]) == (FAN_IN, FAN_OUT)


def test_labels_name_framework_defaults_and_equivalent_schemes(cli, grid):
    """Keras's default is glorot uniform, Flax's lecun truncated; at 512×256 (torch) LeCun's
    1/fan_in = 1/256 equals He's 2/fan_out = 2/512, so both names describe the same numbers."""
    tensors = by_name(audit_json(cli, str(grid[0])))
    assert label(tensors["glorot_uniform"]) == "glorot uniform"
    assert tensors["glorot_uniform"]["match"]["framework_default"] == "keras"
    assert label(tensors["lecun_truncated"]) == "lecun truncated"
    assert tensors["lecun_truncated"]["match"]["framework_default"] == "flax"
    assert label(tensors["lecun_normal"]) == "lecun normal"
    assert tensors["lecun_normal"]["equivalent"] == ["he normal, fan_out"]
    assert label(tensors["he_normal"]) == "he normal"
    assert tensors["he_normal"]["match"]["gain"] == pytest.approx(math.sqrt(2))


def test_predictions_and_ratios_follow_the_formulas(cli, grid):
    """glorot √(2/(fan_in+fan_out)), he √(2/fan_in), lecun √(1/fan_in); torch's default
    U(±1/√fan_in) has std 1/√(3·fan_in); Keras's = glorot's, Flax's = lecun's."""
    tensor = by_name(audit_json(cli, str(grid[0])))["he_normal"]
    predicted = {p["name"]: p for p in tensor["predictions"]}
    expected = {
        "glorot": GLOROT,
        "he": HE,
        "lecun": LECUN,
        "torch_default": 1 / math.sqrt(3 * FAN_IN),
        "keras_default": GLOROT,
        "flax_default": LECUN,
    }
    assert set(predicted) == set(expected)
    std = tensor["stats"]["std"]
    for name, value in expected.items():
        assert predicted[name]["std"] == pytest.approx(value, rel=1e-12), name
        assert predicted[name]["ratio"] == pytest.approx(std / value, rel=1e-12), name
    assert tensor["implied_gain"]["fan_in"] == pytest.approx(std * math.sqrt(FAN_IN), rel=1e-12)


def test_keras_layout_reads_the_transposed_weight_the_same(cli, tmp_path):
    """Dense(in=256, units=512) is stored (256, 512) in Keras: fan_in 256, fan_out 512."""
    values = draw(np.random.default_rng(3), "uniform", GLOROT, (FAN_OUT, FAN_IN)).T.copy()
    np.save(tmp_path / "kernel.npy", values)
    tensor = audit_json(cli, str(tmp_path / "kernel.npy"), "--layout", "keras")["tensors"][0]
    assert (tensor["fan_in"], tensor["fan_out"], tensor["layout"]) == (FAN_IN, FAN_OUT, "keras")
    assert label(tensor) == "glorot uniform"


def test_a_tanh_gain_is_recognized(cli, tmp_path):
    """torch.nn.init.xavier_uniform_(w, gain=5/3): std = 5/3·√(2/(fan_in+fan_out))."""
    np.save(tmp_path / "w.npy", draw(np.random.default_rng(4), "uniform", 5 / 3 * GLOROT, (FAN_OUT, FAN_IN)))
    tensor = audit_json(cli, str(tmp_path / "w.npy"))["tensors"][0]
    assert label(tensor) == "glorot uniform, gain 5/3"
    assert tensor["match"]["gain"] == pytest.approx(5 / 3)
    assert tensor["implied_gain"]["fan_avg"] == pytest.approx(
        5 / 3, rel=5 * math.sqrt(0.2 / (FAN_IN * FAN_OUT))
    )


# ── trained-like tensors are not labelled ────────────────────────────────────────────────────────


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """Tensors at He's std that are not an initialization (seed 5):

    - student_t: t(5)·He/√(5/3) — excess kurtosis 6 (SE √(24/n) = 0.0135 at a normal);
    - shifted: N(0.05·He, He²) — its mean is 0.05·√n = 18 SE from 0;
    - low_rank: A(512×8)·B(8×256) — a sum of 8 normal products, excess kurtosis 6/8 = 0.75;
    - rescaled: N(0, (1.05·He)²) — a normal, but 25 SE from He's std: shape only;
    - gpt2: N(0, 0.02²) — a normal of fixed std, no fan-scaled scheme.
    """
    rng = np.random.default_rng(5)
    shape = (FAN_OUT, FAN_IN)
    low_rank = rng.standard_normal((FAN_OUT, 8)) @ rng.standard_normal((8, FAN_IN))
    arrays = {
        "student_t": rng.standard_t(5, shape) * HE / math.sqrt(5 / 3),
        "shifted": rng.normal(0.05 * HE, HE, shape),
        "low_rank": low_rank / low_rank.std() * HE,
        "rescaled": rng.normal(0, 1.05 * HE, shape),
        "gpt2": rng.normal(0, 0.02, shape),
    }
    path = tmp_path_factory.mktemp("trained") / "trained.npz"
    np.savez(path, **{k: v.astype(np.float32) for k, v in arrays.items()})
    return path


def test_trained_like_tensors_match_no_initialization(cli, trained):
    tensors = by_name(audit_json(cli, str(trained)))
    for name in ("student_t", "shifted", "low_rank"):
        assert tensors[name]["verdict"] == "no_match", (name, tensors[name]["statement"])
        assert tensors[name]["match"] is None
    for name in ("rescaled", "gpt2"):
        assert tensors[name]["verdict"] == "distribution_only", (name, tensors[name]["statement"])
        assert tensors[name]["distribution"] == "normal"
    assert "excess kurtosis" in tensors["student_t"]["statement"]
    assert "mean" in tensors["shifted"]["statement"]


def test_the_table_counts_tensors_by_verdict(cli, trained):
    result = cli("audit", str(trained))
    assert result.exit_code == 0, result.output
    assert "5 tensors: 2 standard shape, other scale · 3 no standard init matches" in result.stdout
    rows = {
        line.split()[0]: line for line in result.stdout.splitlines() if line.startswith(" ") and line.strip()
    }
    assert [name for name, row in rows.items() if " no match " in row] == ["student_t", "shifted", "low_rank"]
    assert "gpt2: normal fits" in result.stdout


def test_nan_values_are_counted_and_not_matched(cli, tmp_path):
    values = draw(np.random.default_rng(6), "normal", HE, (FAN_OUT, FAN_IN))
    values[0, :3] = [np.nan, np.inf, -np.inf]
    np.save(tmp_path / "w.npy", values)
    tensor = audit_json(cli, str(tmp_path / "w.npy"))["tensors"][0]
    assert tensor["verdict"] == "no_match"
    assert tensor["stats"]["nonfinite"] == 3
    assert tensor["stats"]["std"] == pytest.approx(np.delete(values.ravel(), [0, 1, 2]).astype(float).std())


# ── 1-D tensors ──────────────────────────────────────────────────────────────────────────────────


def test_biases_and_norms(cli, tmp_path):
    """fc.bias ~ U(±1/√fan_in) with fan_in from fc.weight; zeros and ones are exact."""
    rng = np.random.default_rng(7)
    bound = 1 / math.sqrt(FAN_IN)
    arrays = {
        "fc.weight": rng.uniform(-bound, bound, (FAN_OUT, FAN_IN)),
        "fc.bias": rng.uniform(-bound, bound, FAN_OUT),
        "out.weight": rng.uniform(-bound, bound, (10, FAN_IN)),
        "out.bias": np.zeros(10),
        "norm.weight": np.ones(FAN_OUT),
        "orphan.bias": rng.uniform(-0.3, 0.3, 400),
    }
    np.savez(tmp_path / "m.npz", **{k: v.astype(np.float32) for k, v in arrays.items()})
    tensors = by_name(audit_json(cli, str(tmp_path / "m.npz")))
    assert label(tensors["fc.weight"]) == "torch default"
    assert label(tensors["fc.bias"]) == "torch default bias"
    assert (tensors["fc.bias"]["fan_in"], tensors["fc.bias"]["fan_source"]) == (
        FAN_IN,
        "fan_in from fc.weight",
    )
    assert [tensors[n]["verdict"] for n in ("out.bias", "norm.weight")] == ["constant", "constant"]
    assert [tensors[n]["statement"] for n in ("out.bias", "norm.weight")] == [
        "every value is 0",
        "every value is 1",
    ]
    assert tensors["orphan.bias"]["verdict"] == "distribution_only"
    assert tensors["orphan.bias"]["distribution"] == "uniform"


# ── formats ──────────────────────────────────────────────────────────────────────────────────────


def to_bfloat16_bits(values: np.ndarray) -> np.ndarray:
    """float32 → bfloat16 bit patterns, rounding to nearest even."""
    bits = values.astype(np.float32).view(np.uint32).astype(np.uint64)
    return ((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16).astype(np.uint16)


def write_safetensors(path, tensors: dict[str, tuple[str, tuple[int, ...], bytes]]) -> None:
    """8-byte little-endian header length, the JSON header, then the raw little-endian data."""
    header, data, offset = {}, b"", 0
    for name, (dtype, shape, raw) in tensors.items():
        header[name] = {"dtype": dtype, "shape": list(shape), "data_offsets": [offset, offset + len(raw)]}
        data += raw
        offset += len(raw)
    blob = json.dumps(header).encode()
    blob += b" " * (-len(blob) % 8)
    path.write_bytes(struct.pack("<Q", len(blob)) + blob + data)


def test_safetensors_bf16_f16_f32_are_upcast_exactly(cli, tmp_path):
    pytest.importorskip("safetensors")
    rng = np.random.default_rng(9)
    values = draw(rng, "normal", HE, (FAN_OUT, FAN_IN))
    bf16 = to_bfloat16_bits(values)
    tensors = {
        "a.weight": ("BF16", (FAN_OUT, FAN_IN), bf16.astype("<u2").tobytes()),
        "b.weight": ("F16", (FAN_OUT, FAN_IN), values.astype("<f2").tobytes()),
        "c.weight": ("F32", (FAN_OUT, FAN_IN), values.astype("<f4").tobytes()),
        "steps": ("I64", (), np.int64(7).tobytes()),
    }
    write_safetensors(tmp_path / "m.safetensors", tensors)
    found = by_name(audit_json(cli, str(tmp_path / "m.safetensors")))
    exact = {
        "a.weight": (bf16.astype(np.uint32) << 16).view(np.float32),
        "b.weight": values.astype(np.float16),
        "c.weight": values,
    }
    for name, decoded in exact.items():
        assert found[name]["dtype"] == {"a": "bfloat16", "b": "float16", "c": "float32"}[name[0]]
        wide = decoded.astype(np.float64)  # summed in float32: within 1e-6 (chunk_moments' bound)
        assert found[name]["stats"]["std"] == pytest.approx(wide.std(), rel=1e-6)
        assert label(found[name]) == "he normal", (name, found[name]["statement"])
    assert found["steps"]["verdict"] == "skipped"


def test_npz_compressed_members_stream(cli, tmp_path):
    values = draw(np.random.default_rng(10), "truncated", LECUN, (FAN_OUT, FAN_IN))
    np.savez_compressed(tmp_path / "c.npz", kernel=values.T.copy())
    tensor = audit_json(cli, str(tmp_path / "c.npz"), "--layout", "flax")["tensors"][0]
    assert label(tensor) == "lecun truncated"


def test_fortran_order_and_big_endian_npy(cli, tmp_path):
    values = draw(np.random.default_rng(11), "uniform", HE, (FAN_OUT, FAN_IN)).astype(">f8")
    np.save(tmp_path / "w.npy", np.asfortranarray(values))
    tensor = audit_json(cli, str(tmp_path / "w.npy"))["tensors"][0]
    assert tensor["dtype"] == "float64"
    assert tensor["stats"]["std"] == pytest.approx(values.astype("<f8").std(), rel=1e-9)
    assert label(tensor) == "he uniform"


def test_csv_and_tsv_carry_one_row_per_tensor(cli, grid):
    result = cli("audit", str(grid[0]), "--format", "csv")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    header = lines[0].split(",")
    assert header[:8] == ["file", "tensor", "dtype", "shape", "layout", "fan_in", "fan_out", "elements"]
    assert {"std_glorot", "ratio_he", "ratio_torch_default", "verdict", "match", "confidence"} <= set(header)
    assert len(lines) == 1 + 9
    row = dict(zip(header, lines[1].split(","), strict=True))
    assert (row["tensor"], row["shape"], row["verdict"], row["match"]) == (
        "glorot_uniform",
        "512x256",
        "init",
        "glorot uniform",
    )
    tsv = cli("audit", str(grid[0]), "--format", "tsv")
    assert tsv.stdout.splitlines()[0].split("\t") == header


# ── bad files fail safely ────────────────────────────────────────────────────────────────────────


def test_a_pickle_inside_an_npy_is_refused(cli, tmp_path):
    np.save(tmp_path / "evil.npy", np.array([{"a": 1}, None], dtype=object), allow_pickle=True)
    fails_in_one_line(cli("audit", str(tmp_path / "evil.npy")), "evil.npy", "Python objects", "refused")
    real = run_subprocess("audit", str(tmp_path / "evil.npy"))
    fails_in_one_line(real, "evil.npy", "Python objects", "refused")


@pytest.mark.parametrize(
    ("content", "fragments"),
    [
        (b"", ("not a readable .npy file",)),
        (b"hello, this is text\n" * 4, ("not a readable .npy file", "magic")),
        (b"\x93NUMPY\x01\x00\x10\x00{'descr': <f4", ("not a readable .npy file",)),
    ],
    ids=["empty", "text", "bad-header"],
)
def test_wrong_format_npy(cli, tmp_path, content, fragments):
    (tmp_path / "w.npy").write_bytes(content)
    fails_in_one_line(cli("audit", str(tmp_path / "w.npy")), "w.npy", *fragments)


def test_truncated_npy(cli, tmp_path):
    np.save(tmp_path / "w.npy", np.zeros((64, 64), np.float32))
    data = (tmp_path / "w.npy").read_bytes()
    (tmp_path / "w.npy").write_bytes(data[:-100])
    fails_in_one_line(cli("audit", str(tmp_path / "w.npy")), "w.npy: truncated", "16,384 bytes")


def test_missing_file_and_directory(cli, tmp_path):
    fails_in_one_line(cli("audit", str(tmp_path / "nope.npy")), "nope.npy: no such file")
    fails_in_one_line(cli("audit", str(tmp_path)), "is a directory")


def test_a_bad_file_among_good_ones_fails_before_any_work(cli, grid, tmp_path):
    fails_in_one_line(cli("audit", str(grid[0]), str(tmp_path / "nope.npz")), "nope.npz: no such file")


def test_unknown_format(cli, tmp_path):
    (tmp_path / "w.bin").write_bytes(b"\x00" * 64)
    fails_in_one_line(cli("audit", str(tmp_path / "w.bin")), "w.bin: unrecognized format")


def test_formats_are_sniffed_without_an_extension(cli, tmp_path):
    np.save(tmp_path / "w.npy", draw(np.random.default_rng(12), "normal", GLOROT, (FAN_OUT, FAN_IN)))
    (tmp_path / "w.npy").rename(tmp_path / "weights")
    assert label(audit_json(cli, str(tmp_path / "weights"))["tensors"][0]) == "glorot normal"


def test_one_bad_npz_member_leaves_the_others_reported(cli, tmp_path):
    """An object-dtype member and a member whose bytes were altered (CRC) are named, not fatal."""
    good = draw(np.random.default_rng(13), "uniform", GLOROT, (FAN_OUT, FAN_IN))
    path = tmp_path / "m.npz"
    np.savez(path, good=good, damaged=good)
    with zipfile.ZipFile(path, "a") as archive, archive.open("evil.npy", "w") as member:
        np.lib.format.write_array(member, np.array([None], dtype=object), allow_pickle=True)
    data = bytearray(path.read_bytes())
    start = data.index(b"damaged.npy") + 200  # inside that member's stored (uncompressed) data
    data[start : start + 8] = b"\x00" * 8
    path.write_bytes(bytes(data))
    document = audit_json(cli, str(path))
    tensors = by_name(document)
    assert label(tensors["good"]) == "glorot uniform"
    assert tensors["damaged"]["verdict"] == "unreadable" and "CRC" in tensors["damaged"]["error"]
    assert tensors["evil"]["verdict"] == "unreadable" and "Python objects" in tensors["evil"]["error"]
    assert {u["tensor"] for u in document["unreadable"]} == {"damaged", "evil"}
    table = cli("audit", str(path))
    assert table.exit_code == 0, table.output
    assert "evil: holds Python objects" in table.stdout
    assert "3 tensors: 1 standard init · 2 unreadable" in table.stdout


def test_an_npz_member_declaring_more_than_it_holds(cli, tmp_path):
    """A header may claim 4 GB over 400 bytes (a lie, or a cut archive): that member only."""
    import io

    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        header, {"descr": "<f4", "fortran_order": False, "shape": (10**6, 1000)}
    )
    with zipfile.ZipFile(tmp_path / "lie.npz", "w") as archive:
        archive.writestr("big.npy", header.getvalue() + b"\0" * 400)
        archive.writestr("ones.npy", npy_bytes(np.ones(3, np.float32)))
    tensors = by_name(audit_json(cli, str(tmp_path / "lie.npz")))
    assert (
        tensors["big"]["error"]
        == "truncated: the header declares 4,000,000,000 bytes of data, the member holds 400"
    )
    assert tensors["ones"]["verdict"] == "constant"


def npy_bytes(values: np.ndarray) -> bytes:
    import io

    stream = io.BytesIO()
    np.save(stream, values)
    return stream.getvalue()


def test_a_square_torch_default_is_named_so(cli, tmp_path):
    """At fan_in = fan_out, U(±1/√fan_in) is also glorot uniform at gain √(1/3): one set of numbers,
    shown under torch's name with the other listed as equivalent."""
    bound = 1 / math.sqrt(256)
    np.save(
        tmp_path / "w.npy", np.random.default_rng(15).uniform(-bound, bound, (256, 256)).astype(np.float32)
    )
    tensor = audit_json(cli, str(tmp_path / "w.npy"))["tensors"][0]
    assert label(tensor) == "torch default"
    assert "glorot uniform, gain √(1/3)" in tensor["equivalent"]


def test_a_truncated_npz_fails(cli, grid, tmp_path):
    data = grid[0].read_bytes()
    (tmp_path / "t.npz").write_bytes(data[: len(data) // 2])
    fails_in_one_line(cli("audit", str(tmp_path / "t.npz")), "t.npz: not a readable .npz (zip) file")


def test_corrupt_and_truncated_safetensors(cli, tmp_path):
    pytest.importorskip("safetensors")
    values = np.zeros((8, 8), np.float32)
    write_safetensors(tmp_path / "ok.safetensors", {"w": ("F32", (8, 8), values.tobytes())})
    data = (tmp_path / "ok.safetensors").read_bytes()
    (tmp_path / "cut.safetensors").write_bytes(data[:-10])
    (tmp_path / "junk.safetensors").write_bytes(b"{not json" * 10)
    for name in ("cut", "junk"):
        result = cli("audit", str(tmp_path / f"{name}.safetensors"))
        fails_in_one_line(result, f"{name}.safetensors: not a valid safetensors file")


def test_safetensors_without_the_extra(cli, tmp_path, monkeypatch):
    write_safetensors(tmp_path / "w.safetensors", {"w": ("F32", (2, 2), np.zeros(4, np.float32).tobytes())})
    monkeypatch.setitem(sys.modules, "safetensors", None)
    result = cli("audit", str(tmp_path / "w.safetensors"))
    fails_in_one_line(
        result, "needs the optional safetensors package", "pip install 'glorotcalc[safetensors]'"
    )


def test_pt_without_torch(cli, tmp_path, monkeypatch):
    (tmp_path / "w.pt").write_bytes(b"PK\x03\x04" + b"\x00" * 60)
    monkeypatch.setitem(sys.modules, "torch", None)
    fails_in_one_line(cli("audit", str(tmp_path / "w.pt")), "needs torch", "weights_only=True")


# ── torch-drawn weights ──────────────────────────────────────────────────────────────────────────


@pytest.fixture(scope="module")
def torch_state(tmp_path_factory):
    """nn.Linear/nn.Conv2d defaults and the torch.nn.init schemes on a (384, 256) weight (at 512×256
    He's fan_out std 2/512 would equal LeCun's 1/256; at 384×256 all candidates are ≥ 3.9 % apart)."""
    torch = torch_or_skip()
    torch.manual_seed(0)
    model = torch.nn.Sequential(
        torch.nn.Conv2d(3, 64, 3), torch.nn.Flatten(), torch.nn.Linear(784, 256), torch.nn.Linear(256, 512)
    )
    state = dict(model.state_dict())
    inits = {
        "xavier_uniform": lambda w: torch.nn.init.xavier_uniform_(w),
        "xavier_normal": lambda w: torch.nn.init.xavier_normal_(w),
        "kaiming_uniform": lambda w: torch.nn.init.kaiming_uniform_(w, nonlinearity="relu"),
        "kaiming_normal": lambda w: torch.nn.init.kaiming_normal_(w, nonlinearity="relu"),
        "kaiming_fan_out": lambda w: torch.nn.init.kaiming_normal_(w, mode="fan_out", nonlinearity="relu"),
        "xavier_tanh": lambda w: torch.nn.init.xavier_uniform_(w, gain=torch.nn.init.calculate_gain("tanh")),
    }
    for name, init in inits.items():
        state[f"{name}.weight"] = init(torch.empty(384, FAN_IN))
    state["embedding.weight"] = torch.nn.Embedding(1000, 64).weight.detach()
    folder = tmp_path_factory.mktemp("torch")
    torch.save(state, folder / "model.pt")
    torch.save({"model": state, "epoch": 3}, folder / "checkpoint.pth")
    return folder, state


EXPECTED_TORCH = {
    "0.weight": "torch default",
    "0.bias": "torch default bias",
    "2.weight": "torch default",
    "2.bias": "torch default bias",
    "3.weight": "torch default",
    "3.bias": "torch default bias",
    "xavier_uniform.weight": "glorot uniform",
    "xavier_normal.weight": "glorot normal",
    "kaiming_uniform.weight": "he uniform",
    "kaiming_normal.weight": "he normal",
    "kaiming_fan_out.weight": "he normal, fan_out",
    "xavier_tanh.weight": "glorot uniform, gain 5/3",
    "embedding.weight": "torch embedding default N(0, 1)",
}


@pytest.mark.torch
def test_torch_checkpoint_is_identified(cli, torch_state):
    tensors = by_name(audit_json(cli, str(torch_state[0] / "model.pt")))
    assert {name: label(t) for name, t in tensors.items()} == EXPECTED_TORCH
    assert (tensors["0.weight"]["fan_in"], tensors["0.weight"]["fan_out"]) == (27, 576)


@pytest.mark.torch
def test_nested_torch_checkpoint(cli, torch_state):
    """``{"model": state_dict, "epoch": 3}``: tensors named by their path, the int noted."""
    document = audit_json(cli, str(torch_state[0] / "checkpoint.pth"))
    tensors = by_name(document)
    assert {name: label(t) for name, t in tensors.items()} == {
        f"model.{k}": v for k, v in EXPECTED_TORCH.items()
    }
    assert any(note.endswith("1 non-tensor entries ignored (epoch)") for note in document["notes"])


@pytest.mark.torch
def test_the_same_weights_as_npy_and_bf16_safetensors(cli, torch_state, tmp_path):
    """bf16 keeps 8 significant bits: its rounding moves the std by ≈ 2⁻⁹/√3 ≪ 1 SE here."""
    torch = torch_or_skip()
    safetensors_torch = pytest.importorskip("safetensors.torch")
    _folder, state = torch_state
    np.save(tmp_path / "w.npy", state["xavier_normal.weight"].numpy())
    assert label(audit_json(cli, str(tmp_path / "w.npy"))["tensors"][0]) == "glorot normal"
    safetensors_torch.save_file(
        {k: v.to(torch.bfloat16) for k, v in state.items()}, tmp_path / "m.safetensors"
    )
    tensors = by_name(audit_json(cli, str(tmp_path / "m.safetensors")))
    assert {name: label(t) for name, t in tensors.items()} == EXPECTED_TORCH
    assert {t["dtype"] for t in tensors.values()} == {"bfloat16"}


@pytest.mark.torch
def test_a_pickled_object_in_a_pt_is_refused(cli, tmp_path):
    torch = torch_or_skip()
    torch.save({"w": torch.zeros(2, 2), "f": Exploit()}, tmp_path / "evil.pt")
    fails_in_one_line(
        cli("audit", str(tmp_path / "evil.pt")), "evil.pt: refused", "system", "weights_only=True"
    )


@pytest.mark.torch
def test_a_non_checkpoint_pt_fails(cli, tmp_path):
    torch_or_skip()
    (tmp_path / "junk.pt").write_bytes(b"not a checkpoint at all" * 3)
    fails_in_one_line(
        cli("audit", str(tmp_path / "junk.pt")),
        "junk.pt: not a readable torch checkpoint",
        "unpickler stopped",
    )


class Exploit:
    """What a malicious checkpoint pickles: unpickling it would call os.system."""

    def __reduce__(self):
        import os

        return os.system, ("echo pwned",)


# ── bounded memory ───────────────────────────────────────────────────────────────────────────────

MEMORY_WRAPPER = """
import resource, subprocess, sys
code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
sys.exit(code)
"""


@pytest.mark.slow
def test_a_file_larger_than_the_budget_audits_in_bounded_memory(tmp_path):
    """A 160 MiB .npy audits under 150 MiB peak RSS (the process alone is ≈ 70 MiB, a reader that
    loaded the array would need ≥ 160 MiB more). Measured as ru_maxrss of a child of a bare
    interpreter, so this test's own memory is not inherited."""
    rows, columns = 40 * 256, 4096  # 160 MiB of float32
    block = np.random.default_rng(14).uniform(-1, 1, (256, columns)).astype(np.float32).tobytes()
    with open(tmp_path / "big.npy", "wb") as stream:
        np.lib.format.write_array_header_1_0(
            stream, {"descr": "<f4", "fortran_order": False, "shape": (rows, columns)}
        )
        for _ in range(rows // 256):
            stream.write(block)
    command = [sys.executable, "-m", "glorotcalc", "audit", str(tmp_path / "big.npy"), "--format", "json"]
    done = run_subprocess_rss(command)
    assert done.returncode == 0, done.stderr
    peak_mib = int(done.stdout.strip()) / 1024
    assert peak_mib < 150, f"peak RSS {peak_mib:.0f} MiB"


def run_subprocess_rss(command: list[str]):
    import subprocess

    return subprocess.run(
        [sys.executable, "-c", MEMORY_WRAPPER, *command], capture_output=True, text=True, timeout=120
    )


def test_statistics_are_identical_for_any_thread_count(tmp_path):
    """Chunks are reduced on worker threads and merged in file order: 1, 2 and 3 threads give the
    same Sample bit for bit (.npy and a stored .npz member), and its moments are those of the
    values (fsum over the float64 values, relative 1e-9)."""
    from glorotcalc.audit import stream_sample
    from glorotcalc.loaders import CHUNK, open_weights

    values = np.random.default_rng(5).uniform(-0.1, 0.1, 2 * CHUNK + 12_345).astype(np.float32)
    values[7] = np.nan
    np.save(tmp_path / "w.npy", values)
    np.savez(tmp_path / "w.npz", w=values)
    finite = values[np.isfinite(values)].astype(np.float64)
    mean = math.fsum(finite) / finite.size
    std = math.sqrt(math.fsum((finite - mean) ** 2) / finite.size)
    for name in ("w.npy", "w.npz"):
        weights = open_weights(str(tmp_path / name))
        with weights.reading():
            samples = [stream_sample(weights.tensors[0], lambda n: None, t) for t in (1, 2, 3)]
        assert samples[0] == samples[1] == samples[2]
        assert samples[0].nonfinite == 1 and samples[0].n == finite.size
        assert samples[0].mean == pytest.approx(mean, abs=3e-6 * std)  # float32 sums: chunk_moments' bounds
        assert samples[0].std == pytest.approx(std, rel=1e-6)


def test_read_rotates_its_buffers(tmp_path):
    """read(chunk, buffers=3): each yielded array stays valid while the next two are read."""
    from glorotcalc.loaders import open_weights

    values = np.arange(10_000, dtype=np.float32)
    np.save(tmp_path / "w.npy", values)
    tensor = open_weights(str(tmp_path / "w.npy")).tensors[0]
    kept = []
    for chunk in tensor.read(1000, 3):
        kept = [*kept[-2:], chunk]
        for index, old in enumerate(kept):
            start = int(kept[-1][0]) - 1000 * (len(kept) - 1 - index)
            assert np.array_equal(old, values[start : start + 1000])


def test_stored_member_with_trailing_bytes_and_a_bad_crc(tmp_path):
    """A stored .npz member is read straight from the file: bytes after its data still count in
    its CRC-32, and a flipped data byte is reported as a bad CRC (as zipfile reports it)."""
    from glorotcalc.audit import stream_sample
    from glorotcalc.loaders import open_weights

    buffer = __import__("io").BytesIO()
    np.save(buffer, np.linspace(-1, 1, 5000, dtype=np.float32))
    good = tmp_path / "good.npz"
    with zipfile.ZipFile(good, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("w.npy", buffer.getvalue() + b"tail")
    weights = open_weights(str(good))
    with weights.reading():
        sample = stream_sample(weights.tensors[0], lambda n: None, 2)
    assert sample.n == 5000 and sample.max == 1.0
    data = bytearray(good.read_bytes())
    data[data.index(np.float32(1.0).tobytes())] ^= 1
    bad = tmp_path / "bad.npz"
    bad.write_bytes(bytes(data))
    weights = open_weights(str(bad))
    with weights.reading(), pytest.raises(Exception, match="CRC"):
        stream_sample(weights.tensors[0], lambda n: None, 2)
