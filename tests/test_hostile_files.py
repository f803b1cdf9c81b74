"""``glorotcalc audit`` on hostile files: small files that claim huge work, or names that act on a terminal.

Each file is written here, a few KB to a few MB, and must cost memory and time in proportion to
what it really holds: a header length the file claims is refused before it is read, a broadcast
view is read as its storage, a FIFO or device is never opened, tensor counts are bounded. Every
name or path that reaches stdout or stderr is `inert`.
"""

from __future__ import annotations

import io
import json
import math
import os
import re
import struct
import subprocess
import sys
import tempfile
import time
import tracemalloc
import warnings
import zipfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from glorotcalc import loaders
from glorotcalc.text import inert
from tests.conftest import torch_or_skip


def fails_in_one_line(result, *fragments: str, code: int = 1) -> None:
    assert result.exit_code == code, result.output
    assert result.stdout == ""
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr, result.stderr
    for fragment in fragments:
        assert fragment in result.stderr, result.stderr


def audit_json(cli, *argv: str) -> dict:
    result = cli("audit", *argv, "--format", "json")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    return json.loads(result.stdout)


def npy_bytes(values: np.ndarray) -> bytes:
    stream = io.BytesIO()
    np.save(stream, values)
    return stream.getvalue()


def traced_peak(run) -> tuple[object, int]:
    """(run(), the peak bytes Python allocated meanwhile) — a claimed read shows here even if the
    pages are never touched."""
    tracemalloc.start()
    try:
        result = run()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


MEMORY_WRAPPER = """
import resource, subprocess, sys
done = subprocess.run(sys.argv[1:], capture_output=True)
sys.stderr.buffer.write(done.stderr)
sys.stdout.write(f"{resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}\\n")
sys.stdout.buffer.write(done.stdout)
sys.exit(done.returncode)
"""


def peak_rss_mib(*argv: str) -> tuple[float, str]:
    """Peak RSS (MiB) of ``python -m glorotcalc ARGV`` in a child of a bare interpreter, and its stdout."""
    command = [sys.executable, "-m", "glorotcalc", *argv]
    done = subprocess.run(
        [sys.executable, "-c", MEMORY_WRAPPER, *command], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    first, _, rest = done.stdout.partition("\n")
    return int(first) / 1024, rest


# ── 1. a header length is a claim, not a read ────────────────────────────────────────────────────


def test_an_npy_header_length_of_2_32_is_refused_unread(cli, tmp_path):
    """114 bytes whose header-length field says 2³²−1: numpy would ask read() for 4 GiB."""
    (tmp_path / "w.npy").write_bytes(b"\x93NUMPY\x02\x00" + struct.pack("<I", 2**32 - 1) + b" " * 102)
    assert (tmp_path / "w.npy").stat().st_size == 114
    result, peak = traced_peak(lambda: cli("audit", str(tmp_path / "w.npy")))
    fails_in_one_line(result, "w.npy: not a readable .npy file", "4,294,967,295 bytes", "above 10,000")
    assert peak < 4 << 20, f"{peak:,} bytes allocated"


def header_bomb(path, claimed: int = 3 << 30, blanks: int = 64 << 20, *, also_good: bool = False) -> None:
    """An .npz whose member w.npy declares a `claimed`-byte header, followed by `blanks` spaces
    (deflated ~1000:1: a 64 MiB member is a 64 KB file, the 3 GiB of the report a 3 MB one)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("w.npy", "w", force_zip64=True) as member:
            member.write(b"\x93NUMPY\x02\x00" + struct.pack("<I", claimed))
            block = b" " * (1 << 20)
            for _ in range(blanks >> 20):
                member.write(block)
        if also_good:
            archive.writestr("good.npy", npy_bytes(np.ones((8, 8), np.float32)))


def test_an_npz_member_header_bomb_is_not_inflated(cli, tmp_path):
    header_bomb(tmp_path / "hb.npz")
    assert (tmp_path / "hb.npz").stat().st_size < 1 << 20
    result, peak = traced_peak(lambda: cli("audit", str(tmp_path / "hb.npz")))
    fails_in_one_line(result, "hb.npz: w: the header declares 3,221,225,472 bytes; refused above 10,000")
    assert peak < 8 << 20, f"{peak:,} bytes allocated (the member inflates to 64 MiB)"


def test_a_header_bomb_beside_good_members_costs_only_itself(cli, tmp_path):
    header_bomb(tmp_path / "hb.npz", blanks=4 << 20, also_good=True)
    document = audit_json(cli, str(tmp_path / "hb.npz"))
    verdicts = {t["name"]: t["verdict"] for t in document["tensors"]}
    assert verdicts == {"w": "unreadable", "good": "constant"}
    assert "refused above 10,000" in document["unreadable"][0]["error"]


# ── 2. a broadcast view is read as its storage ───────────────────────────────────────────────────


@pytest.mark.torch
def test_a_broadcast_tensor_streams_its_storage_in_bounded_memory(tmp_path):
    """randn(4000).expand(4000, 4000) saves 16 KB and loads as 16e6 elements; ``reshape(-1)`` copied
    it (64 MB, then 128 MB as float64). Peak RSS against a file of the same 4,000 values, unbroadcast:
    the difference stays under 24 MiB (one chunk is 8 MiB as float64)."""
    torch = torch_or_skip()
    values = torch.randn(4000, generator=torch.Generator().manual_seed(1))
    torch.save({"w": values.expand(4000, 4000)}, tmp_path / "bc.pt")
    torch.save({"w": values.clone()}, tmp_path / "flat.pt")
    assert (tmp_path / "bc.pt").stat().st_size < 80_000
    broadcast, out = peak_rss_mib("audit", str(tmp_path / "bc.pt"), "--format", "json")
    baseline, _ = peak_rss_mib("audit", str(tmp_path / "flat.pt"), "--format", "json")
    assert broadcast - baseline < 24, f"peak RSS {broadcast:.0f} MiB vs {baseline:.0f} MiB"
    tensor = json.loads(out)["tensors"][0]
    assert tensor["verdict"] == "no_match" and tensor["match"] is None
    assert tensor["statement"].startswith(
        "a broadcast view (stride 0 along dim 0: all 4,000 rows are equal), 16,000,000 elements from "
        "4,000 stored values: not a random initialization"
    )
    assert tensor["stats"]["elements"] == 16_000_000
    # float32 values are summed in float32: within 1e-6 (glorotcalc.stats.chunk_moments' bound)
    assert tensor["stats"]["std"] == pytest.approx(values.double().std(unbiased=False).item(), rel=1e-6)


@pytest.mark.torch
def test_strided_views_audit_their_own_values(cli, tmp_path):
    """A transposed weight streams from its storage (no copy), a slice row by row, an
    overlapping as_strided as the span it covers (and is flagged), a broadcast constant of 2⁶²
    elements as its one stored value (a constant still)."""
    torch = torch_or_skip()
    generator = torch.Generator().manual_seed(2)
    weight = torch.nn.init.kaiming_uniform_(torch.empty(384, 256), nonlinearity="relu", generator=generator)
    big = torch.randn(512, 1024, generator=generator)
    base = torch.randn(1999, generator=generator)
    state = {
        "t": weight.T,
        "s": big[:, :256],
        "o": base.as_strided((1000, 1000), (1, 1)),
        "z": torch.zeros(1).expand(2**31, 2**31),
    }
    torch.save(state, tmp_path / "views.pt")
    tensors = {t["name"]: t for t in audit_json(cli, str(tmp_path / "views.pt"))["tensors"]}
    assert (tensors["z"]["verdict"], tensors["z"]["stats"]["elements"]) == ("constant", 2**62)
    assert tensors["z"]["statement"] == (
        "every value is 0; a broadcast view (stride 0 along dims 0, 1: every index along them holds the "
        "same values), 4,611,686,018,427,387,904 elements from 1 stored value"
    )
    assert tensors["t"]["match"]["label"] == "he uniform, fan_out"  # (256, 384) read as torch (out, in)
    expected = big[:, :256].double()
    # float32 values are summed in float32: within 1e-6 (glorotcalc.stats.chunk_moments' bound)
    assert tensors["s"]["stats"]["std"] == pytest.approx(expected.std(unbiased=False).item(), rel=1e-6)
    assert tensors["s"]["stats"]["max"] == expected.max().item()
    assert tensors["o"]["statement"].startswith(
        "an overlapping view (strides (1, 1)): its 1,000,000 elements reuse 1,999 stored values"
    )
    spread = tensors["o"]["stats"]["std"]  # float32 sums: the mean within 3e-6·std (chunk_moments)
    assert tensors["o"]["stats"]["mean"] == pytest.approx(base.double().mean().item(), abs=3e-6 * spread)


# ── 3. only regular files are opened ─────────────────────────────────────────────────────────────


def test_a_symlink_to_dev_zero_and_a_device_are_refused(cli, tmp_path):
    if not os.path.exists("/dev/zero"):
        pytest.skip("no /dev/zero")
    (tmp_path / "z.npz").symlink_to("/dev/zero")
    fails_in_one_line(cli("audit", str(tmp_path / "z.npz")), "z.npz: not a regular file (a character device)")
    fails_in_one_line(cli("audit", "/dev/null"), "/dev/null: not a regular file (a character device)")


def test_a_symlink_to_a_weights_file_is_followed(cli, tmp_path):
    np.save(tmp_path / "w.npy", np.zeros((3, 3), np.float32))
    (tmp_path / "link.npy").symlink_to(tmp_path / "w.npy")
    assert audit_json(cli, str(tmp_path / "link.npy"))["tensors"][0]["verdict"] == "constant"
    (tmp_path / "broken.npy").symlink_to(tmp_path / "nowhere.npy")
    fails_in_one_line(cli("audit", str(tmp_path / "broken.npy")), "no such file (a broken symbolic link)")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_without_a_writer_is_refused_at_once(tmp_path):
    """Opening a FIFO for reading blocks until a writer comes: it is refused from stat, unopened."""
    os.mkfifo(tmp_path / "f.npy")
    os.mkfifo(tmp_path / "weights")
    for name in ("f.npy", "weights"):
        done = subprocess.run(
            [sys.executable, "-m", "glorotcalc", "audit", str(tmp_path / name)],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 1, done.stderr
        assert done.stderr == (
            f"Error: {tmp_path / name}: not a regular file (a FIFO); save the stream to a file first\n"
        )


def test_process_substitution_is_refused_with_advice(tmp_path):
    """``audit <(cat ok.npy)`` passes /dev/fd/N, a pipe: audit seeks and rereads, so it asks for a file."""
    if not os.path.isdir("/dev/fd"):
        pytest.skip("no /dev/fd")
    read_end, write_end = os.pipe()
    os.write(write_end, npy_bytes(np.zeros((3, 3), np.float32)))
    os.close(write_end)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "glorotcalc", "audit", f"/dev/fd/{read_end}"],
            capture_output=True,
            text=True,
            timeout=60,
            pass_fds=(read_end,),
        )
    finally:
        os.close(read_end)
    assert done.returncode == 1
    assert done.stderr == (
        f"Error: /dev/fd/{read_end}: not a regular file (a pipe, as from process substitution <(…)); "
        "save the stream to a file first\n"
    )


# ── 4. work is bounded by what the file holds, and linear in it ──────────────────────────────────


def test_ten_thousand_npz_members_take_seconds(cli, tmp_path):
    """The archive was reopened (its whole directory parsed) for every member: O(n²), 355 s."""
    shapes = [(64, 32), (32,), (16, 16, 3, 3)]
    arrays = {f"layer{i}.weight": np.zeros(shapes[i % 3], np.float32) for i in range(10_000)}
    np.savez(tmp_path / "many.npz", **arrays)
    start = time.monotonic()
    document = audit_json(cli, str(tmp_path / "many.npz"))
    elapsed = time.monotonic() - start
    assert len(document["tensors"]) == 10_000
    assert document["summary"]["constant"] == 10_000
    assert elapsed < 30, f"{elapsed:.1f} s"


def safetensors_of_many(path, count: int) -> None:
    """`count` one-element float32 tensors, written by hand (the format is an 8-byte length, JSON, data)."""
    header = {
        f"t{i}": {"dtype": "F32", "shape": [1], "data_offsets": [4 * i, 4 * i + 4]} for i in range(count)
    }
    blob = json.dumps(header, separators=(",", ":")).encode()
    blob += b" " * (-len(blob) % 8)
    path.write_bytes(struct.pack("<Q", len(blob)) + blob + b"\0" * (4 * count))


def test_a_safetensors_of_too_many_tensors_is_refused_up_front(cli, tmp_path):
    """200,000 tensors in 6 MB took 2.3 GB: now counted in the header's bytes before any JSON parse."""
    pytest.importorskip("safetensors")
    safetensors_of_many(tmp_path / "many.safetensors", 200_000)
    start = time.monotonic()
    result, peak = traced_peak(lambda: cli("audit", str(tmp_path / "many.safetensors")))
    fails_in_one_line(
        result, "many.safetensors: holds 200,000 tensors; audit reads at most 100,000 tensors per file"
    )
    assert time.monotonic() - start < 10
    assert peak < 3 * (tmp_path / "many.safetensors").stat().st_size, f"{peak:,} bytes allocated"


def test_many_safetensors_tensors_under_the_limit_are_audited(cli, tmp_path):
    pytest.importorskip("safetensors")
    safetensors_of_many(tmp_path / "many.safetensors", 5_000)
    start = time.monotonic()
    document = audit_json(cli, str(tmp_path / "many.safetensors"))
    assert len(document["tensors"]) == 5_000 and document["summary"]["constant"] == 5_000
    assert time.monotonic() - start < 30


def test_a_zip_directory_of_too_many_entries_is_refused_before_zipfile_reads_it(cli, tmp_path):
    """100,017 minimal directory entries (47 bytes each) behind an end record that claims 1:
    counted by walking their headers, refused before zipfile builds 100,017 ZipInfo objects (with the
    .npz extension, and sniffed without one)."""
    entry = b"PK\x01\x02" + b"\0" * 24 + struct.pack("<3H", 1, 0, 0) + b"\0" * 12 + b"a"
    directory = entry * (loaders.MAX_ZIP_ENTRIES + 1)
    end = b"PK\x05\x06" + struct.pack("<4H2LH", 0, 0, 1, 1, len(directory), 0, 0)
    for name in ("many.npz", "many"):
        (tmp_path / name).write_bytes(b"PK\x03\x04" + b"\0" * 26 + directory + end)
        result, peak = traced_peak(lambda name=name: cli("audit", str(tmp_path / name)))
        fails_in_one_line(result, f"{name}: holds more than 100,016 zip entries", "at most 100,000 tensors")
        assert peak < 16 << 20, f"{peak:,} bytes allocated"


# ── 5. names and paths never reach the terminal raw ──────────────────────────────────────────────

ACTIVE = (
    [chr(c) for c in range(0x20)]
    + [chr(c) for c in range(0x7F, 0xA0)]
    + ["\u061c", "\u200e", "\u200f", "\u2028", "\u2029"]
    + [chr(c) for c in range(0x202A, 0x202F)]
    + [chr(c) for c in range(0x2066, 0x206A)]
)


def uninert(text: str) -> str:
    """The inverse of `inert`, from its documented rule (the test that it is one-to-one)."""

    def undo(match: re.Match[str]) -> str:
        slashes, code = match.group(1), match.group(2)
        if code is None:
            return slashes
        literal = slashes[: len(slashes) // 2]
        if len(slashes) % 2 == 0:
            return literal + code
        return literal + chr(int(code[1:], 16))

    return re.sub(r"(\\+)(x[0-9a-f]{2}|u[0-9a-f]{4}|[xu])?", undo, text)


def test_inert_keeps_printable_text():
    for text in (
        "layers.0.self_attn.in_proj_weight",
        "ü",
        "日本語 😀",
        "a b",
        "C:\\weights\\model",
        "[red]x",
    ):
        assert inert(text) == text


def test_inert_escapes_every_active_character():
    for char in ACTIVE:
        escaped = inert(char)
        assert escaped in (f"\\x{ord(char):02x}", f"\\u{ord(char):04x}"), repr(char)
    assert inert("\udcff") == "\\udcff"  # an undecodable path byte (surrogateescape)
    assert inert("\x1b[2J\x1b[31mPWNED") == "\\x1b[2J\\x1b[31mPWNED"
    assert inert("\\x1b") == "\\\\x1b" and inert("\\\x1b") == "\\\\\\x1b" and inert("a\\b") == "a\\b"


@given(st.text())
def test_inert_is_one_to_one_and_leaves_nothing_active(text):
    shown = inert(text)
    assert uninert(shown) == text
    assert not any(char in shown for char in ACTIVE) and not re.search("[\ud800-\udfff]", shown)


def test_the_escape_sequence_names_of_the_report_are_escaped(tmp_path):
    """The reported repro: ``glorotcalc audit evil.npz | cat -v`` cleared the screen."""
    name = "\x1b[2J\x1b[31mPWNED"
    np.savez(tmp_path / "evil.npz", **{name: np.zeros((64, 64), "f4")})
    for fmt in ("table", "json", "csv", "tsv"):
        done = subprocess.run(
            [sys.executable, "-m", "glorotcalc", "audit", str(tmp_path / "evil.npz"), "--format", fmt],
            capture_output=True,
            timeout=60,
            env={**os.environ, "NO_COLOR": "1"},
        )
        assert done.returncode == 0 and done.stderr == b"", done.stderr
        assert b"\x1b" not in done.stdout
        shown = b"\\\\x1b[2J" if fmt == "json" else b"\\x1b[2J"  # JSON escapes the backslash itself
        assert shown in done.stdout, done.stdout
    document = json.loads(
        subprocess.run(
            [sys.executable, "-m", "glorotcalc", "audit", str(tmp_path / "evil.npz"), "--format", "json"],
            capture_output=True,
            timeout=60,
        ).stdout
    )
    assert document["tensors"][0]["name"] == inert(name)  # the same text as table, CSV and TSV show


def test_a_path_with_a_newline_gives_one_error_line(cli):
    result = cli("audit", "miss\nError: fake.npy")
    assert (result.exit_code, result.stderr) == (1, "Error: miss\\x0aError: fake.npy: no such file\n")


def test_names_from_every_format_are_inert(cli, tmp_path):
    evil = "a\u202eb\x1b]0;title\x07\r"
    np.save(tmp_path / f"{evil}.npy", np.zeros((3, 3), np.float32))
    document = audit_json(cli, str(tmp_path / f"{evil}.npy"))
    assert document["tensors"][0]["name"] == inert(evil)
    assert document["files"][0]["path"] == inert(str(tmp_path / f"{evil}.npy"))
    assert document["tensors"][0]["file"] == inert(str(tmp_path / f"{evil}.npy"))
    missing = cli("audit", str(tmp_path / f"{evil}.npz"))
    fails_in_one_line(missing, inert(str(tmp_path / f"{evil}.npz")) + ": no such file")


def test_safetensors_keys_are_inert(cli, tmp_path):
    pytest.importorskip("safetensors")
    evil = "a\u202eb\x1b]0;title\x07\x85"
    header = json.dumps({evil: {"dtype": "F32", "shape": [2, 2], "data_offsets": [0, 16]}}).encode()
    header += b" " * (-len(header) % 8)
    (tmp_path / "m.safetensors").write_bytes(struct.pack("<Q", len(header)) + header + b"\0" * 16)
    assert audit_json(cli, str(tmp_path / "m.safetensors"))["tensors"][0]["name"] == inert(evil)


@pytest.mark.torch
def test_pt_keys_are_inert(cli, tmp_path):
    torch = torch_or_skip()
    torch.save({"\x1b[31mred": {"\u2066x": torch.zeros(2, 2)}, "\x9bstep": 3}, tmp_path / "m.pt")
    document = audit_json(cli, str(tmp_path / "m.pt"))
    assert document["tensors"][0]["name"] == "\\x1b[31mred.\\u2066x"
    assert any(note.endswith("1 non-tensor entries ignored (\\x9bstep)") for note in document["notes"])


def assert_no_active_bytes(data: bytes, fmt: str) -> None:
    allowed = {0x0A, 0x09} if fmt == "tsv" else {0x0A}
    bad = sorted({b for b in data if (b < 0x20 and b not in allowed) or b in (0x7F, 0x9B, 0x1B)})
    assert not bad, (fmt, bad, data[:400])


NAME_CHARS = st.sampled_from([*ACTIVE, "a", "b", ".", "\\", "x", "u", "1", "[", "m", " ", "é"])


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    # zipfile cuts a member name at a NUL byte: names hold every other control character
    names=st.lists(
        st.text(NAME_CHARS.filter(lambda c: c != "\0"), min_size=1, max_size=10), min_size=1, max_size=3
    ),
    file_name=st.text(NAME_CHARS.filter(lambda c: c not in "\0/"), min_size=1, max_size=8),
)
def test_no_control_byte_reaches_the_terminal(cli, names, file_name):
    """Any names (an npz's members) and any file name, in every format: no byte < 0x20 but the line
    break (and TSV's tab), no DEL, ESC or 8-bit CSI on stdout or stderr. (Printable characters here
    are ASCII or é, so a 0x9b byte could only come from U+009B itself.)"""
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, file_name + ".npz")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a repeated name (after NUL truncation): a duplicate member
            with zipfile.ZipFile(path, "w") as archive:
                for name in names:
                    archive.writestr(name + ".npy", npy_bytes(np.arange(4, dtype=np.float32).reshape(2, 2)))
        for fmt in ("table", "json", "csv", "tsv"):
            result = cli("audit", path, "--format", fmt)
            assert result.exit_code in (0, 1), result.output
            assert "internal error" not in result.stderr
            assert_no_active_bytes(result.stdout.encode(), fmt)
            assert_no_active_bytes(result.stderr.encode(), "error")


# ── 6. a repeated member name: each entry is its own tensor ──────────────────────────────────────


def test_duplicate_npz_members_are_each_audited(cli, tmp_path):
    """np.load, and the reader by name, saw the last "w.npy" twice and never the first."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns of the duplicate name
        with zipfile.ZipFile(tmp_path / "dup.npz", "w") as archive:
            archive.writestr("w.npy", npy_bytes(np.zeros((4, 4), np.float32)))
            archive.writestr("b.npy", npy_bytes(np.ones(4, np.float32)))
            archive.writestr("w.npy", npy_bytes(np.ones((4, 4), np.float32)))
    document = audit_json(cli, str(tmp_path / "dup.npz"))
    assert [(t["name"], t["match"] is None and t["verdict"]) for t in document["tensors"]] == [
        ("w", "constant"),
        ("b", "constant"),
        ("w", "constant"),
    ]
    assert [t["statement"] for t in document["tensors"]] == [
        "every value is 0",
        "every value is 1",
        "every value is 1",
    ]
    assert any(
        note.endswith(
            "dup.npz: member 'w' occurs 2 times: each is audited, in file order (np.load reads only the last)"
        )
        for note in document["notes"]
    )


# ── 7. numeric extremes ──────────────────────────────────────────────────────────────────────────


def scaled_std(values: np.ndarray) -> float:
    """The population std of float64 values of any magnitude (divided by a power of two first)."""
    exponent = math.frexp(float(np.max(np.abs(values))))[1]
    return math.ldexp(float(np.ldexp(values, -exponent).std()), exponent)


@pytest.mark.parametrize(
    ("name", "scale"),
    [("huge", 1e300), ("near_max", 1e308 / 5), ("subnormal", 1e-310)],
)
def test_extreme_float64_magnitudes_give_finite_statistics(cli, tmp_path, name, scale):
    """N(0, 1)·scale at 512×256: squares of 1e300 overflow, of 1e-310 vanish. No warning may reach
    stderr (pytest turns one into an error), and the std is the scale-free one."""
    values = np.random.default_rng(3).standard_normal((512, 256)) * scale
    np.save(tmp_path / f"{name}.npy", values)
    tensor = audit_json(cli, str(tmp_path / f"{name}.npy"))["tensors"][0]
    stats = tensor["stats"]
    assert all(math.isfinite(stats[k]) for k in ("mean", "std", "min", "max", "excess_kurtosis"))
    assert stats["std"] == pytest.approx(scaled_std(values), rel=1e-9 if name != "subnormal" else 1e-6)
    assert stats["max"] == values.max() and stats["min"] == values.min()
    assert tensor["verdict"] == "distribution_only" and tensor["distribution"] == "normal"


def test_a_larger_later_chunk_rescales_the_running_moments(cli, tmp_path):
    """Chunk 1 (2²⁰ values) near 1e-300, chunk 2 near 1e300: the unit moves up mid-stream."""
    rng = np.random.default_rng(4)
    values = np.concatenate([rng.standard_normal(1 << 20) * 1e-300, rng.standard_normal(1 << 20) * 1e300])
    np.save(tmp_path / "w.npy", values.reshape(2, -1))
    stats = audit_json(cli, str(tmp_path / "w.npy"))["tensors"][0]["stats"]
    assert stats["std"] == pytest.approx(scaled_std(values), rel=1e-9)
    assert stats["mean"] == pytest.approx(math.ldexp(float(np.ldexp(values, -1000).mean()), 1000), rel=1e-6)


def test_tiny_subnormal_values_do_not_divide_by_zero(cli, tmp_path):
    np.save(tmp_path / "w.npy", np.array([[5e-324, 0.0], [0.0, 5e-324]]))
    tensor = audit_json(cli, str(tmp_path / "w.npy"))["tensors"][0]
    assert tensor["stats"]["max_abs_over_std"] == pytest.approx(2.0)
    # it is 5e-324·I: the identity test reads the values themselves, no division
    assert tensor["verdict"] == "structured" and tensor["statement"].startswith(
        "2 values 4.94066e-324 on the diagonal"
    )


# ── 8. file problems are file errors (exit 1), naming the file ───────────────────────────────────


def negative_dimension_npy() -> bytes:
    data = npy_bytes(np.zeros((3, 4), np.float32))
    return data.replace(b"(3, 4)", b"(3,-4)")


def test_a_negative_dimension_is_a_file_error(cli, tmp_path):
    (tmp_path / "neg.npy").write_bytes(negative_dimension_npy())
    fails_in_one_line(
        cli("audit", str(tmp_path / "neg.npy")), "neg.npy: not a readable .npy file: a negative dimension"
    )
    with zipfile.ZipFile(tmp_path / "neg.npz", "w") as archive:
        archive.writestr("neg.npy", negative_dimension_npy())
        archive.writestr("ok.npy", npy_bytes(np.zeros(3, np.float32)))
    tensors = {t["name"]: t for t in audit_json(cli, str(tmp_path / "neg.npz"))["tensors"]}
    assert tensors["neg"]["verdict"] == "unreadable" and "negative dimension" in tensors["neg"]["error"]


@pytest.mark.torch
def test_a_meta_device_checkpoint_is_a_file_error(cli, tmp_path):
    torch = torch_or_skip()
    torch.save({"w": torch.empty(64, 64, device="meta")}, tmp_path / "meta.pt")
    fails_in_one_line(
        cli("audit", str(tmp_path / "meta.pt")), "meta.pt: w: a meta-device tensor: the file stores its shape"
    )


@pytest.mark.torch
def test_deep_and_self_nested_checkpoints_are_file_errors(cli, tmp_path):
    """1,100 nested lists (RecursionError in a recursive walk), and a list that holds itself."""
    torch = torch_or_skip()
    deep: object = torch.zeros(2, 2)
    for _ in range(1100):
        deep = [deep]
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(20_000)  # torch.save's pickler recurses
    try:
        torch.save(deep, tmp_path / "deep.pt")
    finally:
        sys.setrecursionlimit(limit)
    looped: list = [torch.zeros(2, 2)]
    looped.append(looped)
    torch.save(looped, tmp_path / "loop.pt")
    for name in ("deep.pt", "loop.pt"):
        fails_in_one_line(
            cli("audit", str(tmp_path / name)), f"{name}: nests dicts/lists deeper than 100 levels"
        )


def test_proc_self_mem_is_a_file_error(cli):
    if not os.path.exists("/proc/self/mem"):
        pytest.skip("no /proc")
    fails_in_one_line(cli("audit", "/proc/self/mem"), "/proc/self/mem: cannot read")
