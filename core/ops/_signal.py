"""Shared by TF Lite Micro's signal-library operators (the audio front end, signal/micro/kernels):
their custom-operator codec, the checks of their flexbuffer options, and the integer helpers of
signal/src (most significant bit, integer square roots) as TFLM computes them.

These operators are custom operators (`CUSTOM` with a custom_code such as "SignalWindow"), whose
options are a flexbuffer map TFLM reads by position in key order. Their tensors are plain
integers (int16 samples, uint32 energies, uint64 sums) without quantisation (`RAW_INTEGERS`).
The installed TFLM is built with GCC/Clang: MostSignificantBit32/64 of 0 is 32/64 (the
`__builtin_clz` branch), which the references reproduce.
"""
from __future__ import annotations

import numpy as np

from tinycc.core.ops import _tflite
from tinycc.core.ops import common as c

INT32_MIN, INT32_MAX = -(1 << 31), (1 << 31) - 1


def codec(custom: str, keys: tuple[str, ...], bools: tuple[str, ...] = ()) -> _tflite.TFLite:
    """The codec of a signal op whose attributes are exactly its flexbuffer options `keys`
    (every key required on import: TFLM reads them by position, a missing one shifts the rest)."""
    def read(ctx) -> dict:
        missing = [k for k in keys if k not in ctx.custom]
        if missing:
            raise ctx.fail(f"the custom options lack {', '.join(missing)}",
                           hint=f"{custom} needs the options {', '.join(sorted(keys))}")
        extra = sorted(set(ctx.custom) - set(keys))
        if extra:
            raise ctx.fail(f"the custom options have unknown keys {', '.join(extra)}",
                           hint=f"TF Lite Micro reads {custom}'s options by position: "
                                f"{', '.join(sorted(keys))} only")
        return {k: ctx.custom[k] for k in keys}

    def write(ctx, node, inputs):
        return ctx.builtin, {k: (bool(node.attrs[k]) if k in bools else int(node.attrs[k])) for k in keys}, inputs

    return _tflite.TFLite("CUSTOM", custom=custom, read=read if keys else None, write=write if keys else None)


def int_attr(node, name: str, lo: int = INT32_MIN, hi: int = INT32_MAX, why: str = "") -> int:
    """The node's integer attribute `name`, refused outside [lo, hi]."""
    v = node.attrs.get(name)
    if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
        raise c.fail(node, f"option {name} {v!r} must be an integer")
    if not lo <= int(v) <= hi:
        raise c.fail(node, f"option {name} {int(v)} is outside [{lo}, {hi}]", hint=why or None)
    return int(v)


def rank(node, t, want: int | None = None, at_least: int | None = None) -> None:
    if want is not None and len(t.shape) != want:
        raise c.fail(node, f"tensor {t.name!r} must be {want}-D, got shape {t.shape}",
                     hint="TF Lite Micro's kernel checks the number of dimensions")
    if at_least is not None and len(t.shape) < at_least:
        raise c.fail(node, f"tensor {t.name!r} must have at least {at_least} dimension(s), got shape {t.shape}")


def const(node, g, k: int, what: str) -> np.ndarray:
    t = g.tensors[node.inputs[k]]
    if t.data is None:
        raise c.fail(node, f"{what} {t.name!r} must be a constant tensor",
                     hint="tinycc checks the indices it holds against the other tensors' sizes")
    return t.data


def msb32(x: int) -> int:
    """TFLM's MostSignificantBit32 (GCC build): bit length, 32 for 0."""
    return int(x).bit_length() if x else 32


def msb64(x: int) -> int:
    return int(x).bit_length() if x else 64


def _sqrt(num: int, width: int, msb) -> int:
    """TFLM's bit-by-bit integer square root of a nonzero `width`-bit unsigned, rounded, at most
    2^(width/2) - 1 (Sqrt32 / Sqrt64's common loop)."""
    res = 0
    top = (width - msb(num)) | 1
    bit = 1 << (width - 1 - top)
    for _ in range((width - 1 - top) // 2 + 1):
        if num >= res + bit:
            num -= res + bit
            res = (res >> 1) + bit
        else:
            res >>= 1
        bit >>= 2
    if num > res and res != (1 << (width // 2)) - 1:
        res += 1
    return res


def sqrt32(num: int) -> int:
    """TFLM's Sqrt32: bit-by-bit integer square root of a uint32, rounded, at most 0xFFFF."""
    return 0 if num == 0 else _sqrt(num, 32, msb32)


def sqrt64(num: int) -> int:
    """TFLM's Sqrt64 (Sqrt32 when the upper word is clear), truncated to uint32 as it returns."""
    if num >> 32 == 0:
        return sqrt32(num)
    return _sqrt(num, 64, msb64) & 0xFFFFFFFF


TENSOR_TYPE = {"int16": 7, "int32": 2, "float32": 0}          # a T option's value: the TFLite TensorType


def typed_codec(custom: str, key: str, dtypes: tuple[str, ...], what: str = "kernel") -> _tflite.TFLite:
    """The codec of a signal operator whose options are T (the input's TFLite type, which picks
    TF Lite Micro's `what`) and one integer option `key` (RFFT/IRFFT's fft_length, OverlapAdd's
    frame_step)."""
    types = {d: TENSOR_TYPE[d] for d in dtypes}

    def read(ctx) -> dict:
        missing = [k for k in ("T", key) if k not in ctx.custom]
        if missing:
            raise ctx.fail(f"the custom options lack {', '.join(missing)}", hint=f"{custom} needs T and {key}")
        t, x = ctx.custom["T"], ctx.x
        if types.get(x.dtype) != t:
            raise ctx.fail(f"option T {t!r} is not the input's type {x.dtype} ({types.get(x.dtype)})",
                           hint=f"TF Lite Micro picks the {what} by T")
        return {key: ctx.custom[key]}

    def write(ctx, node, inputs):
        return ctx.builtin, {"T": types[ctx.x.dtype], key: int(node.attrs[key])}, inputs

    return _tflite.TFLite("CUSTOM", custom=custom, read=read, write=write)


def fft_scratch_bytes(node, g) -> int:
    """The working memory of an integer SignalRfft / SignalIrfft invoke: fft_length / 2 complex values
    of its type (int16: 4 bytes each, int32: 8), the one frame the c kernel packs before the FFT (the
    FFT itself works in the output); float32 none (a direct sum)."""
    item = {"int16": 4, "int32": 8}.get(g.tensors[node.inputs[0]].dtype, 0)
    return int(node.attrs["fft_length"]) // 2 * item
