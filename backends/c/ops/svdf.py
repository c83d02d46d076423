"""C emitter for svdf: one call to tinycc_svdf_{s8_s16,s8_s8,f32} (kernels/svdf.h) with prepare's
constants in a tinycc_svdf_params struct; the state input is a variable tensor, so `m.ptr` points it
into the persistent state buffer (outside the arena, kept across invokes, NAME_reset() restores it).
int8 layers with constant weights take tinycc_svdf_{s8_s16,s8_s8}_fast (kernels/optimised/svdf_fast.h:
fully_connected.h's SMLAD blocks for the feature projection, SMLAD time dot products, a word-wise state
shift; zero points folded here)."""
from __future__ import annotations

import numpy as np

from tinycc.backends.c.ops._conv_common import float_range
from tinycc.backends.c.ops.fully_connected import interleave4
from tinycc.backends.c.requant import rounding_word, sums_fit_int32
from tinycc.core.errors import TinyccError
from tinycc.core.ops import svdf as core_svdf


def _wrap32(v: np.ndarray) -> np.ndarray:
    """int64 values modulo 2^32 as int32 (TFLM's int32 sums wrap; so do the fast kernel's)."""
    return ((v.astype(np.int64) + (1 << 31)) % (1 << 32) - (1 << 31)).astype(np.int32)


def rq_words(mult: int, shift: int, zp: int) -> list[int]:
    """svdf_fast.h's words for MultiplyByQuantizedMultiplier(acc, mult, shift) + zp: (M, h, r - 1) with
    h = rounding_word(zp, r - 1) for a non-negative M and a right shift 2 <= r <= 23 (tinycc_fc_mul),
    else (M, shift, 0) (tinycc_mbqm, then zp). M >= 0 (fast_constants checks): tinycc_fc_mul's condition."""
    r = -int(shift)
    if 2 <= r <= 23:
        return [int(mult), int(rounding_word(zp, r - 1)), r - 1]
    return [int(mult), int(shift), 0]


def fast_constants(node, m, p) -> tuple[str, str, str, str] | None:
    """svdf_fast.h's arrays: the feature weights in interleave4's layout, kf = -input_zp x their row sums
    (padded to a multiple of 4 filters), kb = bias - state_zp x the sum of each unit's time weight rows
    (modulo 2^32), and the two rescalings' words (rq_words: the feature's with zero point 0, the
    output's with output_zp); None when a weight or the bias is not constant, a multiplier is negative
    (tinycc_fc_mul takes non-negative ones, as QuantizeMultiplier gives), or when the feature sums of the
    portable fully_connected.h loops (int32, not wrapping) could leave int32."""
    g = m.g
    wf, wt, bias = (g.tensors[n].data for n in node.inputs[1:4])
    if wf is None or wt is None or bias is None or min(p["multiplier_1"], p["multiplier_2"]) < 0:
        return None
    filters = wf.shape[0]
    kf = -int(p["input_zp"]) * wf.astype(np.int64).sum(axis=1)
    if not sums_fit_int32(np.zeros(filters, np.int64), kf, wf):
        return None
    rank = int(node.attrs["rank"])
    time_sums = wt.astype(np.int64).reshape(filters // rank, -1).sum(axis=1)
    kb = bias.astype(np.int64).reshape(-1) - int(p["state_zp"]) * time_sums
    pad = -(-filters // 4) * 4
    return (m.const_array(interleave4(wf), "svdf_wf4", comment=f"{node.name} weights_feature (interleaved)"),
            m.const_array(np.pad(_wrap32(kf), (0, pad - filters)), "svdf_kf",
                          comment=f"{node.name} feature sums: folded input zero point"),
            m.const_array(_wrap32(kb), "svdf_kb", comment=f"{node.name} bias with the state zero point folded"),
            m.const_array(np.asarray(rq_words(p["multiplier_1"], p["shift_1"], 0)
                                     + rq_words(p["multiplier_2"], p["shift_2"], p["output_zp"]), np.int32),
                          "svdf_rq", comment=f"{node.name} feature and output rescaling words"))


def emit(node, m, p):
    batch, size, filters, _, memory, rank = core_svdf.dims(node, m.g)
    state = node.inputs[4]
    if state not in m.plan.state_offsets:
        raise TinyccError("the memory plan did not place the SVDF state in the state buffer", node=node.name,
                          op=node.op, hint="the state must be a variable tensor (TFLite is_variable)")
    m.use_kernel("svdf.h")
    integer = p["dtype"] == "int8"
    values = [batch, size, filters, memory, rank, p.get("input_zp", 0), p.get("state_zp", 0), p.get("output_zp", 0),
              p.get("multiplier_1", 0), p.get("shift_1", 0), p.get("multiplier_2", 0), p.get("shift_2", 0)]
    params = m.struct("tinycc_svdf_params", f"{node.name}_svdf", values)
    x = m.ptr(node.inputs[0], const=True)
    s, y = m.ptr(state), m.ptr(node.outputs[0])
    fast = fast_constants(node, m, p) if integer else None
    if fast is not None:
        for header in ("dot_s8.h", "fully_connected.h", "svdf_fast.h"):
            m.use_kernel(header)
        suffix = "s8_s16" if p["state_dtype"] == "int16" else "s8_s8"
        wf4, kf, kb, rq = fast
        m.emit(f"tinycc_svdf_{suffix}_fast({x}, {wf4}, {kf}, {m.ptr(node.inputs[2], const=True)}, {kb}, {rq}, {s}, "
               f"{y}, &{params});")
    elif integer:
        suffix = "s8_s16" if p["state_dtype"] == "int16" else "s8_s8"
        wf, wt, bias = (m.ptr(n, const=True) for n in node.inputs[1:4])
        m.emit(f"tinycc_svdf_{suffix}({x}, {wf}, {wt}, {bias}, {s}, {y}, &{params});")
    else:
        wf, wt, bias = (m.ptr(n, const=True) for n in node.inputs[1:4])
        lo, hi = float_range(node.attrs["activation"])
        m.emit(f"tinycc_svdf_f32({x}, {wf}, {wt}, {bias}, {s}, {y}, &{params}, {lo}, {hi});")
