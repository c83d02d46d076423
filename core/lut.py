"""LUT-compressed constants (TF Lite Micro's compression): k-bit indices into per-channel value tables.

TF Lite Micro's format (tensorflow/lite/micro/compression/{compress,lut,decode,decode_insert}.py, the
kernels' decode.cc and decode_state_lut.cc) puts a custom operator `TFLM_DECODE` before each consumer
of a compressed tensor. Its inputs are pairs (encoded, ancillary), its outputs the decoded tensors:

- encoded: a UINT8 tensor of shape (bytes,): the element indices of the whole tensor in row-major
  order, each `bits` wide, packed continuously in big-endian bit order (the first index in the most
  significant bits of byte 0; the channels are not padded apart; the last byte's low bits are 0).
- ancillary: a UINT8 tensor: a 16-byte DECODE Common Metadata header, then the value tables.
  Byte 0: decode type (0 = LUT; 1 Huffman, 2 pruning, 128..255 custom), byte 1: DCM version (1),
  bytes 2-3 reserved, byte 4: LUT version (1), byte 5: bits 7-4 the table axis (0..14, or 15 for one
  table), bits 2-0 the index width (1..7), byte 6: the value-table stride (entries a channel),
  bytes 7-15 reserved. From byte 16: the tables, `stride` values of the output's element type a
  channel, one after another (a channel's table shorter than the stride is padded with zeros).
- the decoded output: the original tensor (shape, type, quantisation), without a buffer.

TF Lite Micro's runtime (DecodeStateLut::Setup) does not read the axis nibble: the channel count is
the output's quantisation scale count (1 when not quantised) and the channels interleave element by
element when the quantised dimension is the last one (depthwise filters), else each channel is a
contiguous run of size/channels elements (quantised dimension 0). Element i reads
`table[channel(i) * stride + index(i)]`. tinycc decodes exactly so, and refuses a file whose axis
nibble names other tables than that (TF Lite Micro's compressor and runtime then disagree), whose
indices pass the end of their table, or whose buffers are too short.

A core graph keeps a compressed weight as an ordinary constant holding the decoded values (every pass,
kernel and the reference interpreter compute with them) plus `Tensor.lut`, a `Lut` saying how it is
*stored*: the c backend's LUT kernels (kernels/reference/*_a8.h, kernel_units.LUT_WEIGHTS) read the indices and
tables from flash and never hold the decoded filter in RAM; the flatbuffer writer writes TFLM_DECODE again.
`--compress-weights BITS` (core/passes/compress_weights.py) makes the tables with `kmeans` or `uniform`.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

DECODE_OP = "TFLM_DECODE"
DCM_BYTES = 16
LUT_TYPE, DCM_VERSION, LUT_VERSION = 0, 1, 1
PER_TENSOR_AXIS = 15
MAX_BITS = 7
MAX_STRIDE = 255               # a byte; TF Lite Micro's compressor writes at most 128 (2^7)
DECODE_DTYPES = ("bool", "float32", "int8", "int16", "int32", "int64")   # DecodeStateLut::Decode's types
OPS = {"conv_2d": 0, "fully_connected": 0, "depthwise_conv_2d": 3}     # weights the c kernels read as LUT:
WEIGHTS_INPUT = 1                                                         # op -> its output-channel axis


@dataclass(frozen=True)
class Lut:
    """How a constant is stored: `indices` (packed, see the module doc) into `tables` (channels x stride)."""
    bits: int
    tables: np.ndarray            # (channels, stride), the constant's dtype
    indices: bytes                # packed_bytes(count, bits) bytes
    alternate: bool = False       # channels interleave (quantised dimension last), else contiguous runs

    @property
    def channels(self) -> int:
        return int(self.tables.shape[0])

    @property
    def stride(self) -> int:
        return int(self.tables.shape[1])

    @property
    def nbytes(self) -> int:
        """Flash bytes: indices + tables."""
        return len(self.indices) + int(self.tables.nbytes)


def packed_bytes(count: int, bits: int) -> int:
    return (count * bits + 7) // 8


def unpack_indices(raw: bytes, count: int, bits: int) -> np.ndarray:
    """The `count` indices of `raw`, `bits` wide, big-endian bit order, continuous."""
    b = np.unpackbits(np.frombuffer(raw, dtype=np.uint8)[:packed_bytes(count, bits)])[:count * bits]
    weights = (1 << np.arange(bits - 1, -1, -1)).astype(np.int64)
    return b.reshape(count, bits).astype(np.int64) @ weights if count else np.zeros(0, np.int64)


def pack_indices(indices: np.ndarray, bits: int) -> bytes:
    """Indices (row-major) packed `bits` wide, big-endian bit order, the last byte zero-filled."""
    v = np.asarray(indices, dtype=np.int64).reshape(-1)
    if v.size and (v.min() < 0 or v.max() >= (1 << bits)):
        raise ValueError(f"LUT indices must lie in 0..{(1 << bits) - 1}")
    bitmat = ((v[:, None] >> np.arange(bits - 1, -1, -1)) & 1).astype(np.uint8)
    return np.packbits(bitmat.reshape(-1)).tobytes()


def channel_of(count: int, channels: int, alternate: bool) -> np.ndarray:
    """The table of each element, as DecodeStateLut walks them."""
    i = np.arange(count, dtype=np.int64)
    if channels <= 1:
        return np.zeros(count, np.int64)
    return i % channels if alternate else i // (count // channels)


def decode(lut: Lut, shape: tuple[int, ...]) -> np.ndarray:
    """The values TF Lite Micro's DECODE writes (indices must be < stride: `bad_index`)."""
    count = int(np.prod(shape, dtype=np.int64)) if shape else 1
    idx = unpack_indices(lut.indices, count, lut.bits)
    ch = channel_of(count, lut.channels, lut.alternate)
    values: np.ndarray = lut.tables.reshape(-1)[ch * lut.stride + idx].reshape(shape)
    return values


def bad_index(lut: Lut, count: int) -> tuple[int, int, int] | None:
    """(element, index, channel) of the first index past its table's stride, or None."""
    idx = unpack_indices(lut.indices, count, lut.bits)
    bad = np.flatnonzero(idx >= lut.stride)
    if not bad.size:
        return None
    k = int(bad[0])
    return k, int(idx[k]), int(channel_of(count, lut.channels, lut.alternate)[k])


def ancillary(lut: Lut, axis: int | None) -> bytes:
    """The ancillary tensor's bytes TF Lite Micro's compressor writes for `lut` (axis None: one table)."""
    head = bytearray(DCM_BYTES)
    head[0], head[1], head[4] = LUT_TYPE, DCM_VERSION, LUT_VERSION
    head[5] = ((PER_TENSOR_AXIS if axis is None else axis) << 4) | lut.bits
    head[6] = lut.stride
    return bytes(head) + np.ascontiguousarray(lut.tables).tobytes()


def encode(values: np.ndarray, tables: np.ndarray, alternate: bool, bits: int) -> Lut:
    """`values` (already on the tables) as a Lut: each element's index in its channel's table."""
    shape = values.shape
    flat = values.reshape(-1)
    ch = channel_of(flat.size, tables.shape[0], alternate)
    rows = tables[ch]                                      # (count, stride)
    hits = rows == flat[:, None]
    if not hits.any(axis=1).all():
        raise ValueError("a value is not in its channel's table")
    idx = hits.argmax(axis=1)
    lut = Lut(bits, np.ascontiguousarray(tables), pack_indices(idx, bits), alternate)
    if not np.array_equal(decode(lut, shape), values):
        raise RuntimeError("LUT packing does not decode to its values")     # a tinycc bug
    return lut


def c_usable(lut: Lut | None, op: str, quant_axis: int | None, rank: int) -> bool:
    """Whether the c backend's LUT kernels read this weight: one table, or a table per output channel
    (the axis of `op`'s filter its kernels loop over outermost for a channel)."""
    if lut is None or op not in OPS:
        return False
    if lut.channels == 1:
        return True
    axis = OPS[op]
    return quant_axis == axis and lut.alternate == (axis == rank - 1 and axis != 0)
