"""Weights files → tensors read one chunk at a time: .npy, .npz, .safetensors, .pt/.pth.

Nothing here runs a pickle. numpy files are parsed by numpy's header reader and an object dtype (a
pickle inside an .npy) is refused; safetensors headers are JSON, validated by the `safetensors`
package; .pt/.pth go only through ``torch.load(..., weights_only=True)``.

Data is read with plain file reads into one reusable buffer of `CHUNK` elements, not through a
memory map: the pages of a mapped file count in the process's resident set, so streaming a 2 GB
file through ``np.load(mmap_mode="r")`` ends at 2 GB RSS, while reads stay at one chunk.
(torch checkpoints are the exception: torch maps them, ``torch.load(mmap=True)``.)

``open_weights("model.npz").tensors`` → ``[Tensor("fc.weight", "float32", (256, 784)), …]``; each
tensor's ``read(chunk)`` then streams its values.
"""

from __future__ import annotations

import json
import os
import re
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np

from glorotcalc.errors import GlorotcalcError

CHUNK = 1 << 20  # elements per chunk: bounds memory (≈ 8 MB per float64 copy of a chunk)
NPY_MAGIC = b"\x93NUMPY"
ZIP_MAGIC = b"PK\x03\x04"
EXTENSIONS = {".npy": "npy", ".npz": "npz", ".safetensors": "safetensors", ".pt": "torch", ".pth": "torch"}
FORMATS_TEXT = ".npy, .npz, .safetensors, .pt or .pth"
FLOAT_KINDS = ("float16", "bfloat16", "float32", "float64")
SAFETENSORS_DTYPES = {
    "F64": "float64",
    "F32": "float32",
    "F16": "float16",
    "BF16": "bfloat16",
    "I64": "int64",
    "I32": "int32",
    "I16": "int16",
    "I8": "int8",
    "U64": "uint64",
    "U32": "uint32",
    "U16": "uint16",
    "U8": "uint8",
    "BOOL": "bool",
}
_NUMPY_OF = {"float64": "<f8", "float32": "<f4", "float16": "<f2", "bfloat16": "<u2"}
_SAFETENSORS_EXTRA = "pip install 'glorotcalc[safetensors]'"

Chunks = Iterator[np.ndarray]


class TensorError(GlorotcalcError):
    """One tensor of a file cannot be read; the file's other tensors still can."""


@dataclass
class Tensor:
    """One stored tensor: its name, stored dtype and shape, and how to stream its values.

    `read(chunk)` yields float arrays (float16/32/64; bfloat16 upcast to float32) of at most
    `chunk` elements; each array may be a view of a reused buffer, valid until the next one.
    `problem` says why the tensor cannot be read at all (its other fields may be partial).
    """

    name: str
    dtype: str
    shape: tuple[int, ...]
    read: Callable[[int], Chunks] | None = None
    problem: str | None = None
    skip: str | None = None  # why it is not audited although readable ("sparse", …)

    @property
    def size(self) -> int:
        count = 1
        for dim in self.shape:
            count *= dim
        return count

    @property
    def is_float(self) -> bool:
        return self.dtype in FLOAT_KINDS

    @property
    def nbytes(self) -> int:
        width = {"float64": 8, "float32": 4, "float16": 2, "bfloat16": 2}.get(self.dtype, 0)
        return self.size * width


@dataclass
class WeightsFile:
    path: str
    format: str
    tensors: list[Tensor]
    notes: list[str] = field(default_factory=list)


def one_line(error: BaseException | str) -> str:
    """A library's error message as one line without terminal escapes."""
    text = re.sub(r"\x1b\[[0-9;]*m", "", str(error))
    return " ".join(text.split()) or type(error).__name__


def open_weights(path: str) -> WeightsFile:
    """Index the tensors of the weights file at `path` (headers only; no data is read yet)."""
    _check_path(path)
    kind = EXTENSIONS.get(os.path.splitext(path)[1].lower()) or sniff(path)
    reader = {"npy": _npy_file, "npz": _npz_file, "safetensors": _safetensors_file, "torch": _torch_file}
    return reader[kind](path)


def _check_path(path: str) -> None:
    if os.path.isdir(path):
        raise GlorotcalcError(f"{path}: is a directory; give a weights file ({FORMATS_TEXT})")
    if not os.path.exists(path):
        raise GlorotcalcError(f"{path}: no such file")
    try:
        with open(path, "rb"):
            pass
    except OSError as error:
        raise GlorotcalcError(f"{path}: cannot read ({error.strerror or one_line(error)})") from None


def sniff(path: str) -> str:
    """The format of a file without a known extension, from its first bytes."""
    with open(path, "rb") as stream:
        head = stream.read(9)
    if head.startswith(NPY_MAGIC):
        return "npy"
    if head.startswith(ZIP_MAGIC):
        try:
            with zipfile.ZipFile(path) as archive:
                names = archive.namelist()
        except (zipfile.BadZipFile, OSError) as error:
            raise GlorotcalcError(f"{path}: a damaged zip archive ({one_line(error)})") from None
        return "torch" if any(n.endswith("data.pkl") for n in names) else "npz"
    if len(head) == 9 and head[8:9] == b"{" and struct.unpack("<Q", head[:8])[0] < os.path.getsize(path):
        return "safetensors"
    raise GlorotcalcError(f"{path}: unrecognized format; expected {FORMATS_TEXT}")


# ── numpy ────────────────────────────────────────────────────────────────────────────────────────


def _npy_header(stream) -> tuple[np.dtype, tuple[int, ...]]:
    """(dtype, shape) from an .npy header, leaving `stream` at the first data byte.

    Raises ValueError with numpy's reason (bad magic, unreadable header, object dtype).
    """
    version = np.lib.format.read_magic(stream)
    if version == (1, 0):
        shape, _fortran, dtype = np.lib.format.read_array_header_1_0(stream)
    elif version in ((2, 0), (3, 0)):
        # 3.0 differs from 2.0 only by UTF-8 field names of structured dtypes (refused below)
        shape, _fortran, dtype = np.lib.format.read_array_header_2_0(stream)
    else:
        raise ValueError(f"unsupported .npy format version {version[0]}.{version[1]}")
    if dtype.hasobject:
        raise ValueError(
            f"holds Python objects (dtype {dtype.str!r}): a pickle, refused (glorotcalc never unpickles)"
        )
    return dtype, tuple(int(d) for d in shape)


def _dtype_name(dtype: np.dtype) -> str:
    return dtype.name if dtype.fields is None else "structured"


def _stream_chunks(stream, dtype: np.dtype, count: int, chunk: int) -> Chunks:
    """`count` values of `dtype` from a binary stream, `chunk` at a time, into one reused buffer."""
    itemsize = dtype.itemsize
    buffer = bytearray(min(count, chunk) * itemsize)
    done = 0
    while done < count:
        k = min(count - done, chunk)
        view = memoryview(buffer)[: k * itemsize]
        got = _read_full(stream, view)
        if got < k * itemsize:
            raise TensorError(
                f"truncated: data ends after {(done * itemsize + got):,} of {count * itemsize:,} bytes"
            )
        yield as_float(np.frombuffer(buffer, dtype, k))
        done += k


def _read_full(stream, view: memoryview) -> int:
    got = 0
    while got < len(view):
        n = stream.readinto(view[got:])
        if not n:
            break
        got += n
    return got


def as_float(values: np.ndarray) -> np.ndarray:
    """float16/32/64 as they are; bfloat16 (stored as uint16 bits) → float32, exactly."""
    if values.dtype.kind == "u" and values.dtype.itemsize == 2:
        return (values.astype(np.uint32) << 16).view(np.float32)
    return values


def _npy_file(path: str) -> WeightsFile:
    name = os.path.splitext(os.path.basename(path))[0]
    with open(path, "rb") as stream:
        try:
            dtype, shape = _npy_header(stream)
        except ValueError as error:
            raise GlorotcalcError(f"{path}: not a readable .npy file: {one_line(error)}") from None
        offset = stream.tell()
    tensor = Tensor(name, _dtype_name(dtype), shape)
    needed = offset + tensor.size * dtype.itemsize
    actual = os.path.getsize(path)
    if actual < needed:
        raise GlorotcalcError(
            f"{path}: truncated: the header declares {tensor.size * dtype.itemsize:,} bytes of data, "
            f"the file holds {actual - offset:,}"
        )
    if _readable_dtype(dtype):
        tensor.read = lambda chunk: _file_chunks(path, offset, dtype, tensor.size, chunk)
    return WeightsFile(path, "npy", [tensor])


def _readable_dtype(dtype: np.dtype) -> bool:
    return dtype.fields is None and dtype.kind == "f" and dtype.itemsize in (2, 4, 8)


def _file_chunks(path: str, offset: int, dtype: np.dtype, count: int, chunk: int) -> Chunks:
    with open(path, "rb") as stream:
        stream.seek(offset)
        yield from _stream_chunks(stream, dtype, count, chunk)


_NPZ_ERRORS = (
    ValueError,
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    OSError,
    RuntimeError,
    NotImplementedError,
)


def _npz_file(path: str) -> WeightsFile:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as error:
        raise GlorotcalcError(f"{path}: not a readable .npz (zip) file: {one_line(error)}") from None
    tensors, notes = [], []
    with archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            if not info.filename.endswith(".npy"):
                notes.append(f"{path}: member {info.filename!r} is not an .npy array; skipped")
                continue
            tensors.append(_npz_member(path, archive, info))
    if not tensors:
        raise GlorotcalcError(f"{path}: holds no .npy arrays")
    return WeightsFile(path, "npz", tensors, notes)


def _npz_member(path: str, archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> Tensor:
    name = info.filename[: -len(".npy")]
    try:
        with archive.open(info) as member:
            dtype, shape = _npy_header(member)
            offset = member.tell()
    except _NPZ_ERRORS as error:
        return Tensor(name, "?", (), problem=one_line(error))
    tensor = Tensor(name, _dtype_name(dtype), shape)
    declared = tensor.size * dtype.itemsize
    if offset + declared > info.file_size:
        tensor.problem = f"truncated: the header declares {declared:,} bytes of data, the member holds "
        tensor.problem += f"{max(info.file_size - offset, 0):,}"
    elif _readable_dtype(dtype):
        tensor.read = lambda chunk: _npz_chunks(path, info.filename, tensor.size, chunk)
    return tensor


def _npz_chunks(path: str, member_name: str, count: int, chunk: int) -> Chunks:
    try:
        with zipfile.ZipFile(path) as archive, archive.open(member_name) as member:
            dtype, _shape = _npy_header(member)
            yield from _stream_chunks(member, dtype, count, chunk)
            member.read(1)  # reach the end of the member so that zipfile checks its CRC
    except TensorError:
        raise
    except _NPZ_ERRORS as error:
        raise TensorError(one_line(error)) from None


# ── safetensors ──────────────────────────────────────────────────────────────────────────────────


def _safetensors_file(path: str) -> WeightsFile:
    """Validated by the `safetensors` package; data read from the byte ranges of its JSON header.

    Layout: an 8-byte little-endian header length N, N bytes of JSON
    ``{name: {"dtype", "shape", "data_offsets": [begin, end]}}``, then the data (offsets from there).
    """
    try:
        from safetensors import safe_open
    except ImportError:
        raise GlorotcalcError(
            f"{path}: reading .safetensors needs the optional safetensors package: {_SAFETENSORS_EXTRA}"
        ) from None
    try:
        with safe_open(path, framework="numpy") as handle:
            names = set(handle.keys())
    except Exception as error:  # the package raises its own SafetensorError for every malformed file
        raise GlorotcalcError(f"{path}: not a valid safetensors file: {one_line(error)}") from None
    header, data_start = _safetensors_header(path)
    entries = sorted(
        ((k, v) for k, v in header.items() if k != "__metadata__" and k in names),
        key=lambda item: item[1]["data_offsets"][0],
    )
    tensors = [_safetensors_tensor(path, name, entry, data_start) for name, entry in entries]
    return WeightsFile(path, "safetensors", tensors)


def _safetensors_header(path: str) -> tuple[dict, int]:
    with open(path, "rb") as stream:
        (length,) = struct.unpack("<Q", stream.read(8))
        header = json.loads(stream.read(length))
    return header, 8 + length


def _safetensors_tensor(path: str, name: str, entry: dict, data_start: int) -> Tensor:
    stored = entry["dtype"]
    dtype = SAFETENSORS_DTYPES.get(stored, stored)
    tensor = Tensor(name, dtype, tuple(int(d) for d in entry["shape"]))
    if dtype in FLOAT_KINDS:
        begin = data_start + int(entry["data_offsets"][0])
        numpy_dtype = np.dtype(_NUMPY_OF[dtype])
        tensor.read = lambda chunk: _file_chunks(path, begin, numpy_dtype, tensor.size, chunk)
    return tensor


# ── torch ────────────────────────────────────────────────────────────────────────────────────────

_TORCH_FLOATS = {"float16", "bfloat16", "float32", "float64"}


def _torch_file(path: str) -> WeightsFile:
    try:
        import torch
    except ImportError:
        raise GlorotcalcError(
            f"{path}: reading .pt/.pth needs torch (pip install torch); glorotcalc loads them only "
            "through torch.load(weights_only=True), never a plain unpickle"
        ) from None
    loaded = _torch_load(torch, path)
    tensors, ignored = [], []
    for name, value in _flatten(loaded, ""):
        if isinstance(value, torch.Tensor):
            tensors.append(_torch_tensor(torch, name or "tensor", value))
        else:
            ignored.append(name)
    notes = []
    if ignored:
        shown = ", ".join(ignored[:3]) + (", …" if len(ignored) > 3 else "")
        notes.append(f"{path}: {len(ignored)} non-tensor entries ignored ({shown})")
    if not tensors:
        raise GlorotcalcError(f"{path}: holds no tensors")
    return WeightsFile(path, "torch", tensors, notes)


def _torch_load(torch, path: str):
    """torch.load(weights_only=True): memory-mapped for zip checkpoints, plain for legacy ones."""
    import warnings

    with open(path, "rb") as stream:
        is_zip = stream.read(4) == ZIP_MAGIC
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return torch.load(path, map_location="cpu", weights_only=True, mmap=is_zip)
    except Exception as error:  # torch raises many types (RuntimeError, KeyError, UnpicklingError…)
        raise GlorotcalcError(f"{path}: {_torch_problem(error)}") from None


def _torch_problem(error: Exception) -> str:
    """One line for a failed torch.load: a refused global names it; otherwise torch's first reason."""
    text = one_line(error)
    refused = re.search(r"GLOBAL ([\w.]+)", text)
    if refused:
        return (
            f"refused: the pickle asks for {refused.group(1)}, which torch.load(weights_only=True) "
            "does not allow (glorotcalc never runs a plain unpickle)"
        )
    stopped = re.search(r"WeightsUnpickler error: (.*?)(?: Check the documentation|$)", text)
    if stopped:
        reason = stopped.group(1).strip()
        return f"not a readable torch checkpoint: the weights-only unpickler stopped ({reason})"
    reason = text.split(". ")[0] if len(text) > 160 else text
    return f"not a readable torch checkpoint ({type(error).__name__}: {reason})"


def _flatten(value, prefix: str) -> Iterator[tuple[str, object]]:
    """(dotted name, leaf) pairs of nested dicts/lists, e.g. ``{"model": {"fc.weight": t}}``."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _flatten(item, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            yield from _flatten(item, f"{prefix}.{index}" if prefix else str(index))
    else:
        yield prefix, value


def _torch_tensor(torch, name: str, value) -> Tensor:
    dtype = str(value.dtype).removeprefix("torch.")
    tensor = Tensor(name, dtype, tuple(int(d) for d in value.shape))
    if value.layout != torch.strided or value.is_quantized:
        tensor.skip = "quantized" if value.is_quantized else str(value.layout).removeprefix("torch.")
    elif dtype in _TORCH_FLOATS:
        tensor.read = lambda chunk: _torch_chunks(value, chunk)
    return tensor


def _torch_chunks(value, chunk: int) -> Chunks:
    import torch

    flat = value.detach().reshape(-1)  # a view when contiguous (the usual state_dict case)
    wide = torch.float64 if value.dtype == torch.float64 else torch.float32
    for start in range(0, flat.numel(), chunk):
        yield flat[start : start + chunk].to(wide).numpy()
