"""Shared by the convolution emitters: shape structs, per-channel constants, bias width."""
from __future__ import annotations

import numpy as np

from tinycc.backends.c.emitter import c_float
from tinycc.core.ops.common import activation_range_float


def float_range(activation: str) -> tuple[str, str]:
    lo, hi = activation_range_float(activation)
    return ("-FLT_MAX" if np.isinf(lo) else c_float(lo)), ("FLT_MAX" if np.isinf(hi) else c_float(hi))


def bias_ptr(node, m, dtype: str) -> str:
    """16x8 kernels accumulate in int64: their bias is emitted as int64 whatever its stored width."""
    name = node.inputs[2] if len(node.inputs) > 2 else None
    if name is None:
        return "NULL"
    if dtype == "int16":
        return m.const_array(m.g.tensors[name].data.astype(np.int64), "bias64", comment=name)
    return m.ptr(name, const=True)


def requant_arrays(node, m, p) -> tuple[str, str]:
    mult = m.const_array(np.asarray(p["multiplier"], dtype=np.int32), "mult", comment=f"{node.name} multipliers")
    shift = m.const_array(np.asarray(p["shift"], dtype=np.int32), "shift", comment=f"{node.name} shifts")
    return mult, shift


def sums_fit_int32(bias: np.ndarray, kbias: np.ndarray, weights: np.ndarray) -> bool:
    """The fast int8 kernels add in int32 without wrapping: they apply only when no sum they form can
    leave int32, whatever the input: |bias| or |bias - in_zp * sum(w)| plus 256 * sum|w| per output
    channel bounds every partial sum (raw inputs against the folded bias, or inputs minus the zero
    point against the plain one). A model beyond (a bias near INT32_MAX) takes the reference kernels,
    which wrap as TFLM's int32 sums do. `weights` has output channels first."""
    co = weights.shape[0]
    spread = 256 * np.abs(weights.reshape(co, -1).astype(np.int64)).sum(axis=1)
    top = np.maximum(np.abs(np.asarray(bias, np.int64)), np.abs(np.asarray(kbias, np.int64))) + spread
    return bool(top.max(initial=0) < (1 << 31))


def folded_bias(node, m, p, weights: np.ndarray, in_zp: int) -> tuple[str, str] | None:
    """The fast int8 kernels' constants: the bias (zeros when absent) and `bias - in_zp * sum(w)` per
    output channel (`weights` has output channels first), or None when the folded value leaves int32
    or a multiplier is negative (the reference kernel is kept then)."""
    name = node.inputs[2] if len(node.inputs) > 2 else None
    if weights is None or (name is not None and m.g.tensors[name].data is None):
        return None
    if np.min(np.asarray(p["multiplier"], dtype=np.int64), initial=0) < 0:
        return None           # tinycc_requant_s8 (dot_s8.h) takes non-negative multipliers only
    co = weights.shape[0]
    bias = np.zeros(co, np.int64) if name is None else m.g.tensors[name].data.astype(np.int64).reshape(-1)
    if bias.size != co:
        return None
    kbias = bias - int(in_zp) * weights.reshape(co, -1).astype(np.int64).sum(axis=1)
    if not sums_fit_int32(bias, kbias, weights):
        return None
    plain = m.ptr(name, const=True) if name is not None and m.g.tensors[name].dtype == "int32" else \
        m.const_array(bias.astype(np.int32), "bias", comment=f"{node.name} bias")
    return plain, m.const_array(kbias.astype(np.int32), "kbias",
                                comment=f"{node.name} bias - input zero point * sum(w)")

