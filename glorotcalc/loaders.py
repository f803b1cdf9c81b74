"""Weights files → tensors read one chunk at a time: .npy, .npz, .safetensors, .pt/.pth.

Nothing here runs a pickle. .npy headers are read here (magic, version, length) and parsed by
numpy's header reader; an object dtype (a pickle inside an .npy) is refused. safetensors headers
are JSON, validated by the `safetensors` package; .pt/.pth go only through
``torch.load(..., weights_only=True)``.

Data is read with plain file reads into one reusable buffer of `CHUNK` elements, not through a
memory map: the pages of a mapped file count in the process's resident set, so streaming a 2 GB
file through ``np.load(mmap_mode="r")`` ends at 2 GB RSS, while reads stay at one chunk.
(torch checkpoints are the exception: torch maps them, ``torch.load(mmap=True)``.)

Files are untrusted, so memory follows the work, never a number the file claims:

- only regular files are opened (after following symlinks): a FIFO, a device (``/dev/zero``) or
  a socket is refused from `os.stat` before any open, and every open is non-blocking and checked
  again with `os.fstat`, so a FIFO never blocks and a device is never read;
- an .npy header longer than `NPY_HEADER_LIMIT` bytes is refused before it is read;
- a file holds at most `MAX_TENSORS` tensors (a zip at most `MAX_ZIP_ENTRIES` entries, counted
  from its central directory before `zipfile` builds them; a safetensors header at most
  `SAFETENSORS_HEADER_LIMIT` bytes), refused up front;
- a .pt's nested dicts/lists are walked without recursion, at most `NESTING_LIMIT` deep and
  `MAX_ENTRIES` entries;
- a torch view is streamed from its storage without a copy larger than a chunk, and a broadcast
  (stride-0) or overlapping view is read as the values it really stores (`Tensor.repeats`).

Every name from a file (an .npz member, a safetensors key, a .pt key) and every path in a message
is `glorotcalc.text.inert`: control characters and bidi overrides are escaped.

``open_weights("model.npz").tensors`` → ``[Tensor("fc.weight", "float32", (256, 784)), …]``; each
tensor's ``read(chunk)`` then streams its values.
"""

from __future__ import annotations

import binascii
import contextlib
import functools
import io
import itertools
import json
import os
import re
import stat
import struct
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from glorotcalc.errors import GlorotcalcError
from glorotcalc.text import inert

CHUNK = 1 << 20  # elements per chunk: bounds memory (≈ 8 MB per float64 copy of a chunk)
MAX_TENSORS = 100_000  # tensors per file; beyond, the file is refused up front
MAX_ZIP_ENTRIES = MAX_TENSORS + 16  # an .npz's members, or a .pt's storages plus its few records
NPY_HEADER_LIMIT = 10_000  # bytes; numpy's own max_header_size for untrusted files
SAFETENSORS_HEADER_LIMIT = 100_000_000  # bytes; the safetensors format's own limit
NESTING_LIMIT = 100  # levels of dicts/lists in a .pt (a checkpoint nests a handful)
MAX_ENTRIES = 1_000_000  # dicts, lists and leaves visited in a .pt
NPY_MAGIC = b"\x93NUMPY"
ZIP_MAGIC = b"PK\x03\x04"
EXTENSIONS = {".npy": "npy", ".npz": "npz", ".safetensors": "safetensors", ".pt": "torch", ".pth": "torch"}
FORMATS_TEXT = ".npy, .npz, .safetensors, .pt or .pth"
FLOAT_KINDS = ("float16", "bfloat16", "float32", "float64")
WIDTHS = {"float64": 8, "float32": 4, "float16": 2, "bfloat16": 2}
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


@dataclass(slots=True)
class Tensor:
    """One stored tensor: its name (`inert`), stored dtype and shape, and how to stream its values.

    `read(chunk, buffers=1)` yields float arrays (float16/32/64; bfloat16 upcast to float32) of at
    most `chunk` elements; each array may be a view of one of `buffers` buffers used in turn, valid
    until `buffers` more arrays have been asked for (so a reader can hand `buffers − 1` of them to
    other threads while it reads the next).
    `problem` says why the tensor cannot be read at all (its other fields may be partial).
    `repeats` says why its elements repeat a smaller set of stored values (a broadcast torch view);
    `read` then yields those `stored` values only.
    """

    name: str
    dtype: str
    shape: tuple[int, ...]
    read: Callable[[int], Chunks] | None = None
    problem: str | None = None
    skip: str | None = None  # why it is not audited although readable ("sparse", …)
    repeats: str | None = None
    stored: int | None = None  # values `read` yields when fewer than `size` (see `repeats`)
    fortran: bool = False  # `read` yields the values in column-major order (an .npy fortran_order)

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
        """Bytes `read` goes through (0 for a dtype that is not read)."""
        return (self.size if self.stored is None else self.stored) * WIDTHS.get(self.dtype, 0)


@dataclass
class WeightsFile:
    """An indexed weights file. `path` is the path to open; `shown` is how messages name it."""

    path: str
    format: str
    tensors: list[Tensor]
    notes: list[str] = field(default_factory=list)
    archive: _Archive | None = field(default=None, repr=False)

    @property
    def shown(self) -> str:
        return inert(self.path)

    @cached_property
    def by_name(self) -> dict[str, Tensor]:
        """Tensors by name (the last of a repeated name), built once."""
        return {t.name: t for t in self.tensors}

    @contextlib.contextmanager
    def reading(self) -> Iterator[None]:
        """Hold what reading the tensors needs: an .npz's archive is opened once for all members."""
        if self.archive is None:
            yield
            return
        with self.archive.opened():
            yield


def one_line(error: BaseException | str) -> str:
    """A library's error message as one line of `inert` text."""
    text = re.sub(r"\x1b\[[0-9;]*m", "", str(error))
    return inert(" ".join(text.split())) or type(error).__name__


def _refusal(path: str, text: str) -> GlorotcalcError:
    return GlorotcalcError(f"{inert(path)}: {text}")


def _reason(error: OSError) -> str:
    return inert(error.strerror) if error.strerror else one_line(error)


def open_weights(path: str) -> WeightsFile:
    """Index the tensors of the weights file at `path` (headers only; no data is read yet)."""
    _check_path(path)
    try:
        kind = EXTENSIONS.get(os.path.splitext(path)[1].lower()) or sniff(path)
        reader = {"npy": _npy_file, "npz": _npz_file, "safetensors": _safetensors_file, "torch": _torch_file}
        weights = reader[kind](path)
    except OSError as error:  # /proc/self/mem (EIO), a file removed or cut while it is read
        raise _refusal(path, f"cannot read ({_reason(error)})") from None
    if len(weights.tensors) > MAX_TENSORS:
        raise _too_many(path, f"{len(weights.tensors):,} tensors")
    return weights


def _too_many(path: str, what: str) -> GlorotcalcError:
    return _refusal(path, f"holds {what}; audit reads at most {MAX_TENSORS:,} tensors per file")


# ── what may be opened ───────────────────────────────────────────────────────────────────────────


def _check_path(path: str) -> None:
    """Refuse, before any open, what is missing, unreadable or not a regular file (after symlinks)."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        broken = " (a broken symbolic link)" if os.path.islink(path) else ""
        raise _refusal(path, f"no such file{broken}") from None
    except OSError as error:
        raise _refusal(path, f"cannot read ({_reason(error)})") from None
    if stat.S_ISDIR(mode):
        raise _refusal(path, f"is a directory; give a weights file ({FORMATS_TEXT})")
    if not stat.S_ISREG(mode):
        raise _not_regular(path, mode)
    try:
        open_regular(path).close()
    except OSError as error:
        raise _refusal(path, f"cannot read ({_reason(error)})") from None


def _not_regular(path: str, mode: int) -> GlorotcalcError:
    """What the file is, and what to do: audit seeks and rereads, a stream can do neither."""
    if stat.S_ISFIFO(mode):
        substituted = re.match(r"/(dev|proc/(self|\d+))/fd/\d+$", path)
        kind = "a pipe, as from process substitution <(…)" if substituted else "a FIFO"
        return _refusal(path, f"not a regular file ({kind}); save the stream to a file first")
    kinds = {stat.S_ISCHR: "a character device", stat.S_ISBLK: "a block device", stat.S_ISSOCK: "a socket"}
    kind = next((text for test, text in kinds.items() if test(mode)), "not a file")
    return _refusal(path, f"not a regular file ({kind})")


def open_regular(path: str) -> io.BufferedReader:
    """`path` opened for binary reading, if it is a regular file.

    Opened non-blocking and without becoming a controlling terminal, so a FIFO or a device put in
    its place after `_check_path` neither blocks nor acts; `os.fstat` then checks the open file.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    descriptor = os.open(path, flags | getattr(os, "O_CLOEXEC", 0))
    try:
        mode = os.fstat(descriptor).st_mode
        if not stat.S_ISREG(mode):
            raise _not_regular(path, mode)
        return os.fdopen(descriptor, "rb")
    except BaseException:
        os.close(descriptor)
        raise


def sniff(path: str) -> str:
    """The format of a file without a known extension, from its first bytes."""
    with open_regular(path) as stream:
        head = stream.read(9)
        size = os.fstat(stream.fileno()).st_size
        if head.startswith(ZIP_MAGIC):
            names = _zip_names(path, stream)
            return "torch" if any(n.endswith("data.pkl") for n in names) else "npz"
    if head.startswith(NPY_MAGIC):
        return "npy"
    if len(head) == 9 and head[8:9] == b"{" and struct.unpack("<Q", head[:8])[0] < size:
        return "safetensors"
    raise _refusal(path, f"unrecognized format; expected {FORMATS_TEXT}")


def _zip_names(path: str, stream) -> list[str]:
    _check_zip_entries(path, stream)
    try:
        with zipfile.ZipFile(stream) as archive:
            return archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise _refusal(path, f"a damaged zip archive ({one_line(error)})") from None


# ── zip archives: the entry count, before zipfile builds every entry ─────────────────────────────

_END = b"PK\x05\x06"
_END64_LOCATOR = b"PK\x06\x07"
_END64 = b"PK\x06\x06"
_CENTRAL = b"PK\x01\x02"
_CENTRAL_SIZE = 46  # a central directory entry without its name, extra field and comment


def _check_zip_entries(path: str, stream) -> None:
    """Refuse a zip whose central directory holds more than `MAX_ZIP_ENTRIES` entries.

    `zipfile` builds a ZipInfo (≈ 0.5 KB) for every entry of the directory as it opens an archive;
    the entries are counted here first by walking their fixed-size headers. When the walk does not
    match the directory (a damaged or crafted archive), its size over 46 bytes bounds the count.
    """
    found = _central_directory(stream)
    if found is None:
        return  # no end record: zipfile says so
    start, size = found
    count = _count_entries(stream, start, size)
    if count is None and size // _CENTRAL_SIZE > MAX_ZIP_ENTRIES:
        raise _too_many(path, f"a damaged zip directory of {size:,} bytes (room for too many entries)")
    if count is not None and count > MAX_ZIP_ENTRIES:
        raise _too_many(path, f"more than {MAX_ZIP_ENTRIES:,} zip entries")


def _central_directory(stream) -> tuple[int, int] | None:
    """(offset, size) of a zip's central directory from its end record, found as `zipfile` does."""
    total = os.fstat(stream.fileno()).st_size
    tail_size = min(total, 22 + 0xFFFF)
    stream.seek(total - tail_size)
    tail = stream.read(tail_size)
    at = len(tail) - 22 if tail[-22:-18] == _END and tail[-2:] == b"\0\0" else tail.rfind(_END)
    if at < 0 or len(tail) - at < 22:
        return None
    size = struct.unpack("<L", tail[at + 12 : at + 16])[0]
    record = total - tail_size + at
    if record >= 20 + 56:
        stream.seek(record - 20)
        if stream.read(4) == _END64_LOCATOR:
            stream.seek(record - 20 - 56)
            end64 = stream.read(56)
            if end64[:4] == _END64:
                size, record = struct.unpack("<Q", end64[40:48])[0], record - 20 - 56
    return (record - size, size) if record >= size else None


def _count_entries(stream, start: int, size: int) -> int | None:
    """Entries of the directory at `start`, up to one past the limit; None if it is not well formed."""
    stream.seek(start)
    count = walked = 0
    while walked < size and count <= MAX_ZIP_ENTRIES:
        head = stream.read(_CENTRAL_SIZE)
        if len(head) < _CENTRAL_SIZE or head[:4] != _CENTRAL:
            return None
        name, extra, comment = struct.unpack("<3H", head[28:34])
        stream.seek(name + extra + comment, os.SEEK_CUR)
        walked += _CENTRAL_SIZE + name + extra + comment
        count += 1
    return count


# ── numpy ────────────────────────────────────────────────────────────────────────────────────────


def _npy_header(stream) -> tuple[np.dtype, tuple[int, ...], bool]:
    """(dtype, shape, fortran_order) from an .npy header, leaving `stream` at the first data byte.

    The magic string, version and header length are read here: a header longer than
    `NPY_HEADER_LIMIT` (10,000 bytes, numpy's own limit for untrusted files; numpy writes a few
    hundred) is refused before one byte of it is read, so a length field of 2³²−1, or 3 GiB of
    blanks in a compressed .npz member, costs nothing. The header (a Python literal) is then parsed
    by numpy without running code. Raises ValueError with the reason (bad magic, unreadable header,
    negative dimension, object dtype).
    """
    prefix = _read_exactly(stream, 8, "the magic string")
    if prefix[:6] != NPY_MAGIC:
        raise ValueError("not an .npy file: no \\x93NUMPY magic string at the start")
    version = (prefix[6], prefix[7])
    if version not in ((1, 0), (2, 0), (3, 0)):
        raise ValueError(f"unsupported .npy format version {version[0]}.{version[1]}")
    width = 2 if version == (1, 0) else 4
    length_field = _read_exactly(stream, width, "the header length")
    length = int.from_bytes(length_field, "little")
    if length > NPY_HEADER_LIMIT:
        raise ValueError(f"the header declares {length:,} bytes; refused above {NPY_HEADER_LIMIT:,}")
    header = _read_exactly(stream, length, "the header")
    dtype, shape, fortran = _parse_npy_header(io.BytesIO(prefix + length_field + header), version)
    if dtype.hasobject:
        raise ValueError(
            f"holds Python objects (dtype {dtype.str!r}): a pickle, refused (glorotcalc never unpickles)"
        )
    if any(d < 0 for d in shape):
        raise ValueError(f"a negative dimension in its shape {shape}")
    return dtype, shape, fortran


def _parse_npy_header(buffer: io.BytesIO, version: tuple[int, int]) -> tuple[np.dtype, tuple[int, ...], bool]:
    np.lib.format.read_magic(buffer)
    # 3.0 differs from 2.0 only by UTF-8 field names of structured dtypes (not audited)
    read = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
    try:
        shape, fortran, dtype = read(buffer, max_header_size=NPY_HEADER_LIMIT)
    except ValueError:
        raise
    except Exception as error:  # a malformed literal: SyntaxError, TypeError, RecursionError, …
        raise ValueError(f"cannot parse the header ({type(error).__name__}: {error})") from None
    return dtype, tuple(int(d) for d in shape), bool(fortran)


def _read_exactly(stream, count: int, what: str) -> bytes:
    data = stream.read(count)
    if len(data) < count:
        raise ValueError(f"EOF: reading {what}, expected {count:,} bytes got {len(data):,}")
    return data


def _dtype_name(dtype: np.dtype) -> str:
    return dtype.name if dtype.fields is None else "structured"


def _stream_chunks(stream, dtype: np.dtype, count: int, chunk: int, buffers: int = 1) -> Chunks:
    """`count` values of `dtype` from a binary stream, `chunk` at a time, read (``readinto``, which
    releases the GIL) into `buffers` preallocated buffers in turn."""
    itemsize = dtype.itemsize
    size = min(count, chunk) * itemsize
    pool = [bytearray(size) for _ in range(min(buffers, -(-count // chunk)) or 1)]
    done = 0
    for index in itertools.count():
        if done >= count:
            break
        k = min(count - done, chunk)
        buffer = pool[index % len(pool)]
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
    name = inert(os.path.splitext(os.path.basename(path))[0])
    with open_regular(path) as stream:
        try:
            dtype, shape, fortran = _npy_header(stream)
        except ValueError as error:
            raise _refusal(path, f"not a readable .npy file: {one_line(error)}") from None
        offset = stream.tell()
        actual = os.fstat(stream.fileno()).st_size
    tensor = Tensor(name, _dtype_name(dtype), shape, fortran=fortran)
    declared = tensor.size * dtype.itemsize
    if actual < offset + declared:
        holds = actual - offset
        raise _refusal(
            path, f"truncated: the header declares {declared:,} bytes of data, the file holds {holds:,}"
        )
    if _readable_dtype(dtype):
        tensor.read = functools.partial(_file_chunks, path, offset, dtype, tensor.size)
    return WeightsFile(path, "npy", [tensor])


def _readable_dtype(dtype: np.dtype) -> bool:
    return dtype.fields is None and dtype.kind == "f" and dtype.itemsize in (2, 4, 8)


def _file_chunks(path: str, offset: int, dtype: np.dtype, count: int, chunk: int, buffers: int = 1) -> Chunks:
    try:
        with open_regular(path) as stream:
            stream.seek(offset)
            yield from _stream_chunks(stream, dtype, count, chunk, buffers)
    except OSError as error:
        raise TensorError(f"cannot read ({_reason(error)})") from None


_NPZ_ERRORS = (
    ValueError,
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    OSError,
    RuntimeError,
    NotImplementedError,
)


class _Archive:
    """An .npz's zip archive, opened once while its members are read (`WeightsFile.reading`).

    Members are opened by their directory entry (`zipfile.ZipInfo`), never by name: an archive may
    hold one name twice, and each entry is its own tensor.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self.zip: zipfile.ZipFile | None = None

    @contextlib.contextmanager
    def opened(self) -> Iterator[None]:
        with open_regular(self.path) as stream, zipfile.ZipFile(stream) as archive:
            self.zip = archive
            try:
                yield
            finally:
                self.zip = None

    @contextlib.contextmanager
    def member(self, info: zipfile.ZipInfo) -> Iterator[zipfile.ZipExtFile]:
        if self.zip is None:  # read outside `reading`: this member alone
            with self.opened(), self.member(info) as member:
                yield member
            return
        with self.zip.open(info) as member:
            yield member


def _npz_file(path: str) -> WeightsFile:
    try:
        with open_regular(path) as stream:
            _check_zip_entries(path, stream)
            with zipfile.ZipFile(stream) as archive:
                infos = [info for info in archive.infolist() if not info.is_dir()]
                arrays = [info for info in infos if info.filename.endswith(".npy")]
                if len(arrays) > MAX_TENSORS:
                    raise _too_many(path, f"{len(arrays):,} arrays")
                holder = _Archive(path)
                tensors = [_npz_member(archive, holder, info) for info in arrays]
    except GlorotcalcError:
        raise
    except (zipfile.BadZipFile, ValueError) as error:
        raise _refusal(path, f"not a readable .npz (zip) file: {one_line(error)}") from None
    if not tensors:
        raise _refusal(path, "holds no .npy arrays")
    notes = _others_note(path, [inert(i.filename) for i in infos if not i.filename.endswith(".npy")])
    notes += _repeated_note(path, [t.name for t in tensors], "member", "np.load reads only the last")
    return WeightsFile(path, "npz", tensors, notes, holder)


def _npz_member(archive: zipfile.ZipFile, holder: _Archive, info: zipfile.ZipInfo) -> Tensor:
    name = inert(info.filename[: -len(".npy")])
    try:
        with archive.open(info) as member:
            dtype, shape, fortran = _npy_header(member)
            offset = member.tell()
    except _NPZ_ERRORS as error:
        return Tensor(name, "?", (), problem=one_line(error))
    tensor = Tensor(name, _dtype_name(dtype), shape, fortran=fortran)
    declared = tensor.size * dtype.itemsize
    if offset + declared > info.file_size:
        tensor.problem = f"truncated: the header declares {declared:,} bytes of data, the member holds "
        tensor.problem += f"{max(info.file_size - offset, 0):,}"
    elif _readable_dtype(dtype):
        tensor.read = functools.partial(_npz_chunks, holder, info, offset, dtype, tensor.size)
    return tensor


def _npz_chunks(
    holder: _Archive,
    info: zipfile.ZipInfo,
    offset: int,
    dtype: np.dtype,
    count: int,
    chunk: int,
    buffers: int = 1,
) -> Chunks:
    """The member's data, after its header (parsed when the archive was indexed: `offset` bytes).

    A stored (uncompressed, unencrypted) member is read straight from the file, as an .npy is,
    its CRC-32 checked as zipfile checks it; others go through `zipfile`.
    """
    try:
        if info.compress_type == zipfile.ZIP_STORED and not info.flag_bits & 0x1:
            yield from _stored_chunks(holder.path, info, offset, dtype, count, chunk, buffers)
            return
        with holder.member(info) as member:
            _read_exactly(member, offset, "the header")
            yield from _stream_chunks(member, dtype, count, chunk, buffers)
            member.read(1)  # reach the end of the member so that zipfile checks its CRC
    except TensorError:
        raise
    except _NPZ_ERRORS as error:
        raise TensorError(one_line(error)) from None


_LOCAL_HEADER = struct.Struct("<4s22xHH")  # signature, …, file name length, extra field length


class _Checked:
    """A stream whose reads update a CRC-32 (`binascii.crc32`: zlib's, and it releases the GIL)."""

    def __init__(self, stream) -> None:
        self.stream = stream
        self.crc = 0

    def read(self, count: int) -> bytes:
        data = self.stream.read(count)
        self.crc = binascii.crc32(data, self.crc)
        return data

    def readinto(self, view) -> int:
        got = self.stream.readinto(view)
        self.crc = binascii.crc32(view[:got], self.crc)
        return got


def _stored_chunks(
    path: str, info: zipfile.ZipInfo, offset: int, dtype: np.dtype, count: int, chunk: int, buffers: int
) -> Chunks:
    with open_regular(path) as raw:
        raw.seek(info.header_offset)
        signature, name_length, extra_length = _LOCAL_HEADER.unpack(_read_exactly(raw, 30, "a local header"))
        if signature != b"PK\x03\x04":
            raise zipfile.BadZipFile("Bad magic number for file header")
        raw.seek(info.header_offset + 30 + name_length + extra_length)
        stream = _Checked(raw)
        _read_exactly(stream, offset, "the header")
        yield from _stream_chunks(stream, dtype, count, chunk, buffers)
        rest = info.file_size - offset - count * dtype.itemsize  # bytes after the data, if any
        while rest > 0:
            rest -= len(_read_exactly(stream, min(rest, 1 << 20), "the member's end"))
        if stream.crc != info.CRC:
            raise zipfile.BadZipFile(f"Bad CRC-32 for file {info.filename!r}")


def _others_note(path: str, names: list[str]) -> list[str]:
    """A note on the members that are not arrays (`names` already `inert`)."""
    if not names:
        return []
    if len(names) == 1:
        return [f"{inert(path)}: member '{names[0]}' is not an .npy array; skipped"]
    return [f"{inert(path)}: {len(names):,} members are not .npy arrays; skipped ({_some(names)})"]


def _repeated_note(path: str, names: list[str], what: str, consequence: str) -> list[str]:
    """A note naming the (`inert`) tensor names that occur more than once: each one is audited."""
    counts = Counter(names)
    repeated = [name for name, n in counts.items() if n > 1]
    if not repeated:
        return []
    if len(repeated) == 1:
        head = f"{what} '{repeated[0]}' occurs {counts[repeated[0]]} times"
    else:
        head = f"{len(repeated):,} {what} names occur more than once ({_some(repeated)})"
    return [f"{inert(path)}: {head}: each is audited, in file order ({consequence})"]


def _some(names: list[str], shown: int = 3) -> str:
    text = ", ".join(f"'{n}'" for n in names[:shown])
    return text + (", …" if len(names) > shown else "")


# ── safetensors ──────────────────────────────────────────────────────────────────────────────────


def _safetensors_file(path: str) -> WeightsFile:
    """Validated by the `safetensors` package; data read from the byte ranges of its JSON header.

    Layout: an 8-byte little-endian header length N, N bytes of JSON
    ``{name: {"dtype", "shape", "data_offsets": [begin, end]}}``, then the data (offsets from there).
    N is checked against the file and `SAFETENSORS_HEADER_LIMIT`, and the tensors counted (each
    entry has one ``"data_offsets"``) against `MAX_TENSORS`, before anything parses the JSON.
    """
    try:
        from safetensors import safe_open
    except ImportError:
        raise _refusal(
            path, f"reading .safetensors needs the optional safetensors package: {_SAFETENSORS_EXTRA}"
        ) from None
    raw = _safetensors_header(path)
    count = raw.count(b'"data_offsets"')
    if count > MAX_TENSORS:
        raise _too_many(path, f"{count:,} tensors")
    try:
        with safe_open(path, framework="numpy") as handle:
            names = set(handle.keys())
        header = json.loads(raw)
    except Exception as error:  # the package raises its own SafetensorError for every malformed file
        raise _refusal(path, f"not a valid safetensors file: {one_line(error)}") from None
    entries = sorted(
        ((k, v) for k, v in header.items() if k != "__metadata__" and k in names),
        key=lambda item: item[1]["data_offsets"][0],
    )
    data_start = 8 + len(raw)
    tensors = [_safetensors_tensor(path, name, entry, data_start) for name, entry in entries]
    return WeightsFile(path, "safetensors", tensors)


def _safetensors_header(path: str) -> bytes:
    """The JSON header's bytes, once its length is known to fit the file and the limit."""
    with open_regular(path) as stream:
        size = os.fstat(stream.fileno()).st_size
        start = stream.read(8)
        length = struct.unpack("<Q", start)[0] if len(start) == 8 else None
        if length is None or length > size - 8 or length > SAFETENSORS_HEADER_LIMIT:
            claimed = "no header length" if length is None else f"a {length:,}-byte header"
            raise _refusal(
                path,
                f"not a valid safetensors file: {claimed} in {size:,} bytes "
                f"(at most {SAFETENSORS_HEADER_LIMIT:,})",
            )
        return stream.read(length)


def _safetensors_tensor(path: str, name: str, entry: dict, data_start: int) -> Tensor:
    stored = entry["dtype"]
    dtype = SAFETENSORS_DTYPES.get(stored) or inert(str(stored))
    tensor = Tensor(inert(name), dtype, tuple(int(d) for d in entry["shape"]))
    if dtype in FLOAT_KINDS:
        begin = data_start + int(entry["data_offsets"][0])
        numpy_dtype = np.dtype(_NUMPY_OF[dtype])
        tensor.read = functools.partial(_file_chunks, path, begin, numpy_dtype, tensor.size)
    return tensor


# ── torch ────────────────────────────────────────────────────────────────────────────────────────

_TORCH_FLOATS = {"float16", "bfloat16", "float32", "float64"}


def _torch_file(path: str) -> WeightsFile:
    try:
        import torch
    except ImportError:
        raise _refusal(
            path,
            "reading .pt/.pth needs torch (pip install torch); glorotcalc loads them only "
            "through torch.load(weights_only=True), never a plain unpickle",
        ) from None
    loaded = _torch_load(torch, path)
    tensors, ignored, count = [], [], 0
    for name, value in _flatten(path, loaded):
        if isinstance(value, torch.Tensor):
            tensors.append(_torch_tensor(torch, inert(name) or "tensor", value))
            if len(tensors) > MAX_TENSORS:
                raise _too_many(path, f"more than {MAX_TENSORS:,} tensors")
        else:
            count += 1
            ignored += [name] if len(ignored) < 3 else []
    notes = []
    if count:
        shown = ", ".join(inert(n) for n in ignored) + (", …" if count > 3 else "")
        notes.append(f"{inert(path)}: {count} non-tensor entries ignored ({shown})")
    if not tensors:
        raise _refusal(path, "holds no tensors")
    notes += _repeated_note(path, [t.name for t in tensors], "tensor", "its nested keys spell the same name")
    return WeightsFile(path, "torch", tensors, notes)


def _torch_load(torch, path: str):
    """torch.load(weights_only=True): memory-mapped for zip checkpoints, plain for legacy ones."""
    import warnings

    with open_regular(path) as stream:
        is_zip = stream.read(4) == ZIP_MAGIC
        if is_zip:
            _check_zip_entries(path, stream)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return torch.load(path, map_location="cpu", weights_only=True, mmap=is_zip)
    except MemoryError:
        raise _refusal(path, "out of memory while torch.load read it") from None
    except Exception as error:  # torch raises many types (RuntimeError, KeyError, UnpicklingError…)
        raise _refusal(path, _torch_problem(error)) from None


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


def _flatten(path: str, value) -> Iterator[tuple[str, object]]:
    """(dotted name, leaf) pairs of nested dicts/lists, e.g. ``{"model": {"fc.weight": t}}``.

    Walked with an explicit stack, not recursion: deeper than `NESTING_LIMIT` levels (or a list
    that holds itself), or more than `MAX_ENTRIES` entries (shared sublists repeat), is refused.
    """
    if not isinstance(value, (dict, list, tuple)):
        yield "", value
        return
    stack, visited = [("", _children(value))], 0
    while stack:
        prefix, children = stack[-1]
        entry = next(children, None)
        if entry is None:
            stack.pop()
            continue
        visited += 1
        if visited > MAX_ENTRIES:
            raise _refusal(path, f"holds more than {MAX_ENTRIES:,} nested entries; refused")
        key, item = entry
        name = f"{prefix}.{key}" if prefix else key
        if not isinstance(item, (dict, list, tuple)):
            yield name, item
        elif len(stack) >= NESTING_LIMIT:
            raise _refusal(path, f"nests dicts/lists deeper than {NESTING_LIMIT} levels; refused")
        else:
            stack.append((name, _children(item)))


def _children(value) -> Iterator[tuple[str, object]]:
    if isinstance(value, dict):
        return ((str(key), item) for key, item in value.items())
    return ((str(index), item) for index, item in enumerate(value))


def _torch_tensor(torch, name: str, value) -> Tensor:
    dtype = str(value.dtype).removeprefix("torch.")
    tensor = Tensor(name, dtype, tuple(int(d) for d in value.shape))
    if value.layout != torch.strided or value.is_quantized:
        tensor.skip = "quantized" if value.is_quantized else str(value.layout).removeprefix("torch.")
    elif value.device.type != "cpu":
        tensor.problem = f"a {value.device.type}-device tensor: the file stores its shape, not its values"
    elif dtype in _TORCH_FLOATS:
        stored, tensor.repeats = _stored_values(value.detach())
        if tensor.repeats:
            tensor.stored = stored.numel()
        tensor.read = lambda chunk, buffers=1: _torch_chunks(stored, chunk)  # fresh arrays or storage views
    return tensor


def _stored_values(value) -> tuple[object, str | None]:
    """The values a strided torch tensor really stores (a view, no copy), and why they repeat.

    A broadcast dimension (stride 0: ``torch.randn(n).expand(m, n)`` saves n values and loads as
    m×n) is narrowed to its first index; a view that still has more elements than the storage span
    it covers overlaps itself (``as_strided``) and is read as that span. Either way its elements
    are copies of fewer stored values: not a random draw. Otherwise (None) the tensor itself.
    """
    if value.numel() == 0:
        return value, None
    broadcast = [d for d in range(value.dim()) if value.stride(d) == 0 and value.shape[d] > 1]
    stored = value
    for dim in broadcast:
        stored = stored.narrow(dim, 0, 1)
    span = 1 + sum((n - 1) * s for n, s in zip(stored.shape, stored.stride(), strict=True) if n > 1)
    if stored.numel() > span:
        stored = stored.as_strided((span,), (1,))
        return stored, (
            f"an overlapping view (strides {tuple(value.stride())}): its {value.numel():,} elements "
            f"reuse {_values(span)}"
        )
    if not broadcast:
        return value, None
    return stored, (
        f"a broadcast view (stride 0 along {_dims_text(value, broadcast)}), "
        f"{value.numel():,} elements from {_values(stored.numel())}"
    )


def _values(count: int) -> str:
    return f"{count:,} stored value" + ("" if count == 1 else "s")


def _dims_text(value, broadcast: list[int]) -> str:
    """``dim 0: all 4,000 rows are equal``, or which dims repeat for another rank."""
    if value.dim() == 2 and len(broadcast) == 1:
        what = "rows" if broadcast == [0] else "columns"
        return f"dim {broadcast[0]}: all {value.shape[broadcast[0]]:,} {what} are equal"
    if len(broadcast) == 1:
        return f"dim {broadcast[0]}: every index along it holds the same values"
    return f"dims {', '.join(map(str, broadcast))}: every index along them holds the same values"


def _torch_chunks(value, chunk: int) -> Chunks:
    """A tensor's values as float arrays of ≤ `chunk` elements, without copying the whole view."""
    import torch

    wide = torch.float64 if value.dtype == torch.float64 else torch.float32
    try:
        for piece in _pieces(value, chunk):
            yield piece.to(wide).numpy()
    except RuntimeError as error:
        raise TensorError(one_line(error)) from None


def _pieces(value, chunk: int):
    """1-D pieces of ≤ `chunk` elements: views of a dense layout (in storage order, any dimension
    order, e.g. a transposed weight), else copies of row blocks of ≤ `chunk` elements."""
    if _dense(value):
        flat = value.as_strided((value.numel(),), (1,))
        for start in range(0, flat.numel(), chunk):
            yield flat[start : start + chunk]
        return
    if value.dim() == 1:
        for start in range(0, value.numel(), chunk):
            yield value[start : start + chunk]
        return
    row = value[0].numel()
    if row > chunk:
        for index in range(value.shape[0]):
            yield from _pieces(value[index], chunk)
        return
    step = max(chunk // row, 1)
    for start in range(0, value.shape[0], step):
        yield value[start : start + step].reshape(-1)


def _dense(value) -> bool:
    """Whether a view covers its storage span exactly once: a permutation of a contiguous block."""
    expected = 1
    for stride, size in sorted((s, n) for s, n in zip(value.stride(), value.shape, strict=True) if n > 1):
        if stride != expected:
            return False
        expected *= size
    return True
