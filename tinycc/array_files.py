"""Reads the array files a user hands tinycc (.npy, .npz): calibration samples, `compare --inputs`,
`run --input`.

A user's file is hostile input, like a model. Nothing is unpickled. The kind is told by content
(a .npy saved under a .npz name still loads). Every array's header is read on its own, with a
bounded read, and checked before any data is: a numeric dtype (int, uint, float), a shape that
fits the model's input, a size under MAX_FILE_BYTES, and, for a .npz member, a stored size equal
to what the header declares; the data is then read with a bounded read into one buffer. A zip
bomb or a header claiming terabytes is refused before memory is reserved. Every problem is one
TinyccError naming the file, the array and the shapes expected.
"""
from __future__ import annotations

import contextlib
import io
import lzma
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tinycc.core.errors import TinyccError
from tinycc.core.graph import np_dtype
from tinycc.core.validate import MAX_TENSOR_BYTES

NPY_MAGIC = b"\x93NUMPY"
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")
MAX_FILE_BYTES = MAX_TENSOR_BYTES     # the arrays read from one file, together
MAX_HEADER_BYTES = 10_000             # numpy's own limit for a .npy header
MAX_MEMBERS = 1_000
CHUNK = 1 << 20
NUMERIC_KINDS = "iuf"
# what reading a damaged archive raises (bad deflate/bzip2/lzma streams, CRC, truncation, unknown methods)
READ_ERRORS = (OSError, EOFError, ValueError, NotImplementedError, RuntimeError, zipfile.BadZipFile, zlib.error,
               lzma.LZMAError)
HINT = "save the arrays with numpy.save(path, array) or numpy.savez(path, **{input_name: samples})"


@dataclass(frozen=True)
class Header:
    """One array of a file as its header declares it; its data starts `offset` bytes into
    the .npy file or the .npz member."""
    name: str
    shape: tuple[int, ...]
    dtype: np.dtype
    fortran: bool
    offset: int
    member: zipfile.ZipInfo | None = None

    @property
    def nbytes(self) -> int:
        return int(np.prod(self.shape, dtype=object)) * self.dtype.itemsize


@dataclass(frozen=True)
class Input:
    """What the model takes: a name, the shape of one sample, and the dtype arrays become."""
    name: str
    shape: tuple[int, ...]
    dtype: str
    label: str = ""          # how messages call it (default: input 'NAME')

    def __str__(self) -> str:
        return self.label or f"input {self.name!r}"


def _fail(path, message: str, hint: str | None = HINT):
    return TinyccError(message, file=str(path), hint=hint)


def _parse_header(path, f, name: str) -> Header:
    """The .npy header at the start of `f` (a file or a zip member)."""
    what = f"array {name!r}"
    magic = f.read(8)
    if len(magic) < 8 or magic[:6] != NPY_MAGIC:
        raise _fail(path, f"{what} is not a .npy array (no NUMPY magic)" if magic else f"{what} is empty")
    major, minor = magic[6], magic[7]
    if (major, minor) not in ((1, 0), (2, 0)):
        raise _fail(path, f"{what} has .npy format version {major}.{minor}; expected 1.0 or 2.0")
    length_field = f.read(2 if major == 1 else 4)
    if len(length_field) < (2 if major == 1 else 4):
        raise _fail(path, f"{what} ends inside its header")
    length = struct.unpack("<H" if major == 1 else "<I", length_field)[0]
    if length > MAX_HEADER_BYTES:
        raise _fail(path, f"{what} declares a {length:,}-byte header (the limit is {MAX_HEADER_BYTES:,})")
    text = f.read(length)
    if len(text) < length:
        raise _fail(path, f"{what} ends inside its header")
    parse = np.lib.format.read_array_header_1_0 if major == 1 else np.lib.format.read_array_header_2_0
    try:
        shape, fortran, dtype = parse(io.BytesIO(length_field + text), max_header_size=MAX_HEADER_BYTES)
    except Exception as exc:     # numpy parses the header dict literally; any failure is a bad header
        raise _fail(path, f"{what} has a malformed header ({type(exc).__name__}: {str(exc)[:200]})") from None
    if dtype.kind not in NUMERIC_KINDS or dtype.fields is not None or dtype.subdtype is not None:
        raise _fail(path, f"{what} holds {_dtype_text(dtype)}; expected numbers (int, uint or float)",
                    hint="convert it first, e.g. array.astype(numpy.float32)")
    shape = tuple(int(d) for d in shape)
    if any(d < 0 for d in shape):
        raise _fail(path, f"{what} declares the invalid shape {shape}")
    return Header(name, shape, dtype, bool(fortran), 8 + len(length_field) + length)


def _dtype_text(dtype: np.dtype) -> str:
    if dtype.fields is not None:
        return f"records (structured dtype {str(dtype.descr)[:200]})"
    return {"b": "booleans", "c": "complex numbers", "M": "datetimes", "m": "timedeltas", "O": "Python objects",
            "S": "byte strings", "U": "text", "V": "raw bytes"}.get(dtype.kind, f"dtype {dtype}")


def sniff(path) -> str:
    """'npy' or 'npz', from the file's first bytes."""
    path = Path(path)
    try:
        if not path.is_file():
            raise TinyccError("file not found", file=str(path))
        with open(path, "rb") as f:
            head = f.read(6)
    except OSError as exc:
        raise _fail(path, f"cannot read the file ({exc.strerror or exc})", hint=None) from None
    if head == NPY_MAGIC:
        return "npy"
    if head[:4] in ZIP_MAGICS:
        return "npz"
    raise _fail(path, "the file is empty; expected a .npy or .npz array file" if not head
                else "not a .npy or .npz array file (neither NUMPY nor zip magic)")


def read_headers(path) -> list[Header]:
    """Every array the file declares, in file order (a .npy file holds one, named after the file)."""
    path = Path(path)
    kind = sniff(path)
    try:
        if kind == "npy":
            with open(path, "rb") as f:
                return [_parse_header(path, f, path.stem)]
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
            if len(infos) > MAX_MEMBERS:
                raise _fail(path, f"the archive holds {len(infos):,} members (the limit is {MAX_MEMBERS:,})")
            headers, seen = [], set()
            for info in infos:
                name = info.filename.removesuffix(".npy")
                if not info.filename.endswith(".npy") or info.is_dir():
                    raise _fail(path, f"member {info.filename!r} is not a .npy array")
                if name in seen:
                    raise _fail(path, f"the archive holds two arrays named {name!r}")
                seen.add(name)
                if info.flag_bits & 0x1:
                    raise _fail(path, f"array {name!r} is encrypted")
                try:
                    with z.open(info) as f:
                        h = _parse_header(path, f, name)
                except READ_ERRORS as exc:
                    raise _fail(path, f"array {name!r} cannot be read ({type(exc).__name__}: {exc})",
                                hint="the file is probably corrupted") from None
                h = Header(h.name, h.shape, h.dtype, h.fortran, h.offset, info)
                headers.append(h)
            return headers
    except TinyccError:
        raise
    except READ_ERRORS as exc:
        raise _fail(path, f"not a readable .npz archive ({type(exc).__name__}: {exc})") from None


def read_array(path, h: Header) -> np.ndarray:
    """The array `h` declares, read with a bounded read after checking that the stored size equals
    the declared one (so a member that inflates to more than it says is never inflated)."""
    path = Path(path)
    nbytes = h.nbytes
    if nbytes > MAX_FILE_BYTES:
        raise _fail(path, f"array {h.name!r} of shape {h.shape} {h.dtype} takes {nbytes:,} bytes "
                          f"(the limit is {MAX_FILE_BYTES:,})")
    stored = h.member.file_size if h.member is not None else path.stat().st_size
    if stored != h.offset + nbytes:
        raise _fail(path, f"array {h.name!r} holds {stored - h.offset:,} bytes of data; its header "
                          f"(shape {h.shape}, {h.dtype}) declares {nbytes:,}", hint="the file is probably corrupted")
    buf = np.empty(nbytes, np.uint8)
    try:
        with contextlib.ExitStack() as stack:
            if h.member is not None:
                f = stack.enter_context(stack.enter_context(zipfile.ZipFile(path)).open(h.member))
            else:
                f = stack.enter_context(open(path, "rb"))
            f.read(h.offset)                  # the header, read and checked before
            pos = 0
            while pos < nbytes:
                chunk = f.read(min(CHUNK, nbytes - pos))
                if not chunk:
                    raise _fail(path, f"array {h.name!r} ends after {pos:,} of its {nbytes:,} bytes",
                                hint="the file is probably corrupted")
                buf[pos:pos + len(chunk)] = np.frombuffer(chunk, np.uint8)
                pos += len(chunk)
            if f.read(1):
                raise _fail(path, f"array {h.name!r} holds more data than its header declares",
                            hint="the file is probably corrupted")
    except TinyccError:
        raise
    except READ_ERRORS as exc:
        raise _fail(path, f"array {h.name!r} cannot be read ({type(exc).__name__}: {exc})",
                    hint="the file is probably corrupted") from None
    a = buf.view(h.dtype)
    return a.reshape(h.shape[::-1]).transpose() if h.fortran else a.reshape(h.shape)


def _sample_shapes(shape: tuple) -> list[tuple]:
    """The shapes one sample of an input of `shape` may have in a file: itself, and without its
    leading batch dimension of 1."""
    return [shape, shape[1:]] if shape[:1] == (1,) else [shape]


def _expected(shapes: list[tuple], samples: bool) -> str:
    return " or ".join("(N, " + ", ".join(map(str, s)) + ")" if s else "(N,)" for s in shapes) if samples \
        else " or ".join(str(s) for s in shapes)


def _match(headers: list[Header], inputs: list[Input], by_order: bool, path) -> list[Header]:
    """The array for each input: by the input's name; for a one-input model, any single array;
    with `by_order`, the arrays in file order when their names are not the inputs'."""
    by_name = {h.name: h for h in headers}
    if len(inputs) == 1 and len(headers) == 1:
        return headers
    if all(i.name in by_name for i in inputs):
        return [by_name[i.name] for i in inputs]
    if by_order and len(headers) == len(inputs):
        return headers
    missing = [i.name for i in inputs if i.name not in by_name]
    raise _fail(path, f"no array for input(s) {', '.join(map(repr, missing))}" +
                (f" (the model takes {len(inputs)} inputs, the file holds {len(headers)} arrays)" if by_order else ""),
                hint=f"the arrays in the file are named {', '.join(map(repr, by_name)) or 'nothing'}; "
                     f"name them after the model's inputs: {', '.join(map(repr, (i.name for i in inputs)))}"
                     + (", or save them in order" if by_order else ""))


def load_samples(path, inputs: list[Input], *, what: str = "array", by_order: bool = False) -> list[np.ndarray]:
    """For each input, an array of samples (N, *input shape) in the input's dtype. A file array
    runs over samples on its first axis; each sample has the input's shape, with or without its
    leading batch dimension of 1. Integer inputs take integer arrays whose values fit."""
    headers = _match(read_headers(path), inputs, by_order, path)
    total = 0
    for h, i in zip(headers, inputs):
        shapes = _sample_shapes(tuple(i.shape))
        array = f"{what} {h.name!r}" + (f" (for the model's {i})" if h.name != i.name else "")
        if h.shape == ():
            raise _fail(path, f"{array} is a scalar; expected samples of shape {_expected(shapes, True)}",
                        hint="the first axis runs over samples")
        if h.shape[1:] not in shapes:
            raise _fail(path, f"{array} has shape {h.shape}; expected {_expected(shapes, True)}",
                        hint="the first axis runs over samples")
        if h.shape[0] == 0:
            raise _fail(path, f"{what} {h.name!r} of shape {h.shape} holds no samples; expected "
                              f"{_expected(shapes, True)} with N >= 1")
        total += h.nbytes
        if total > MAX_FILE_BYTES:
            before = f", {total:,} with the arrays before it" if total != h.nbytes else ""
            raise _fail(path, f"{what} {h.name!r} of shape {h.shape} {h.dtype} takes {h.nbytes:,} bytes{before} "
                              f"(the limit is {MAX_FILE_BYTES:,})",
                        hint="fewer samples are enough (calibration needs hundreds at most)")
    return [_convert(path, read_array(path, h).reshape((h.shape[0],) + tuple(i.shape)), h, i, what)
            for h, i in zip(headers, inputs)]


def load_one(path, inputs: list[Input], *, what: str = "input") -> list[np.ndarray]:
    """One array per input for a single inference, each of the input's exact dtype and its number
    of elements (reshaped to the input's shape); arrays by name, or in file order."""
    headers = _match(read_headers(path), inputs, True, path)
    for h, i in zip(headers, inputs):
        size = int(np.prod(i.shape, dtype=object))
        if int(np.prod(h.shape, dtype=object)) != size:
            raise _fail(path, f"{what} {h.name!r} has shape {h.shape}; expected {tuple(i.shape)} "
                              f"({size:,} elements)", hint=None)
        if h.dtype.newbyteorder("=") != np_dtype(i.dtype):
            raise _fail(path, f"{what} {h.name!r} is {h.dtype}; the model's {i} takes {i.dtype}",
                        hint=f"convert it first, e.g. array.astype(numpy.{i.dtype})")
    return [np.ascontiguousarray(read_array(path, h), dtype=np_dtype(i.dtype)).reshape(i.shape)
            for h, i in zip(headers, inputs)]


def _convert(path, a: np.ndarray, h: Header, i: Input, what: str) -> np.ndarray:
    target = np_dtype(i.dtype)
    if target.kind in "iu":
        if h.dtype.kind not in "iu":
            raise _fail(path, f"{what} {h.name!r} is {h.dtype}; the model's {i} takes {i.dtype}",
                        hint=f"quantise the samples first, or save them as numpy.{i.dtype}")
        info = np.iinfo(target)
        if a.size and (a.min() < info.min or a.max() > info.max):
            raise _fail(path, f"{what} {h.name!r} holds values in [{a.min()}, {a.max()}], outside {i.dtype}'s "
                              f"[{info.min}, {info.max}]", hint=None)
    with np.errstate(over="ignore"):
        a = np.ascontiguousarray(a, dtype=target)
    if target.kind == "f" and not np.all(np.isfinite(a)):
        raise _fail(path, f"{what} {h.name!r} holds NaN or infinite values (as {i.dtype})", hint=None)
    return a
