"""C emitter for depthwise_conv_2d: a call to tinycc_depthwise_conv_2d_{s8,s16,f32}."""
from __future__ import annotations

import numpy as np

from tinycc.backends.c import arena_gap, requant
from tinycc.backends.c.layout import DW_CHANNEL_GROUP, DW_PAIR_MIN, DW_WROW_COLS, DW_WROW_MIN_OW
from tinycc.backends.c.ops import _lut, _s4
from tinycc.backends.c.ops._conv_common import bias_ptr, float_range
from tinycc.backends.c.ops._variants import Variant, call, choose, common
from tinycc.core import ops


def use_kernels(m):
    for header in ("dot_s8.h", "inplace.h", "depthwise_conv_2d.h"):
        m.use_kernel(header)


def shape_struct(node, m) -> str:
    g, a = m.g, node.attrs
    x_t, w_t, y_t = g.tensors[node.inputs[0]], g.tensors[node.inputs[1]], g.tensors[node.outputs[0]]
    n, h, wd, ci = x_t.shape
    _, kh, kw, co = w_t.shape
    size = getattr(m, "optimize", "speed") == "size"       # the reference kernel: no packed filter
    fast = None if size else _fast_plan(node, m.g, ops.require(node.op).prepare(node, m.g))
    return m.struct("tinycc_dw_shape", f"{node.name}_shape",
                    [n, h, wd, ci, y_t.shape[1], y_t.shape[2], co, kh, kw, *a["strides"], *a["dilations"],
                     a["pads"][0], a["pads"][1], a["depth_multiplier"], int(_packed_filter(node, m.g, fast)),
                     0 if fast is None else fast[3]])


def _packed_filter(node, g, plan) -> bool:
    """The fast kernel reads a packed 3x3 filter (shape field pf): with the one-multiply requantisation."""
    w_t = g.tensors[node.inputs[1]]
    return plan is not None and plan[3] != 0 and tuple(w_t.shape[1:3]) == (3, 3)


DW_TP_BYTES = 8192    # the most bytes tinycc_dw_s8_tpair's ring and records may take (VWW: 7,936), in the arena
# the fewest output columns it takes: a channel's setup (about 45 est. cycles a row) outweighs the pairs'
# gain below (VWW's 6-wide rows 3% slower than the fast kernel's, KWS's 5-wide 32%; 12 to 48 wide 20-24% faster)
DW_TP_MIN_OW = 8


def _tpair_bytes(node, g, p) -> int:
    """Bytes of tinycc_dw_s8_tpair's ring of channel-planar int16 rows and filter pairs
    (depthwise_conv_2d_tpair.h: 10 + 3 kp words a channel, kp = tinycc_dw_tp_kp), 0 when it does not
    apply: it needs the packed filter with rq 1 or 2, co a multiple of 4, stride 1 or 2 across, at
    least DW_TP_MIN_OW output columns and at most DW_TP_BYTES."""
    plan = _fast_plan(node, g, p)
    if not _packed_filter(node, g, plan) or plan[3] not in (1, 2):
        return 0
    co, ow, sw = g.tensors[node.inputs[1]].shape[3], g.tensors[node.outputs[0]].shape[2], node.attrs["strides"][1]
    kp = (ow // 2 + 1 if sw == 1 else ow + 1) + ow % 2
    need = 4 * co * (10 + 3 * kp)
    ok = co % DW_CHANNEL_GROUP == 0 and sw in (1, 2) and ow >= DW_TP_MIN_OW and need <= DW_TP_BYTES
    return need if ok else 0


DW_SM_BYTES = 4096    # the most bytes tinycc_dw_s8_tsmall's four planes may take (in the arena or on the stack)


def _tsmall_rb(node, g) -> int:
    """Bytes of a tsmall plane row (tinycc_dw_sm_rb): 16 where a row's output pairs take at most 12
    bytes (4 sw a pair) and its input columns and left padding at most 8 columns, else 32."""
    w, ow, sw = g.tensors[node.inputs[0]].shape[2], g.tensors[node.outputs[0]].shape[2], node.attrs["strides"][1]
    return 16 if 4 * sw * ((ow + 1) // 2) <= 12 and w + node.attrs["pads"][1] <= 8 else 32


def _tsmall_bytes(node, g, p) -> int:
    """Bytes of tinycc_dw_s8_tsmall's four channel planes (depthwise_conv_2d_tsmall.h: (oh - 1) * sh + 4
    rows of _tsmall_rb bytes), 0 when it does not apply: it needs the packed filter with rq 1 or 2, co a
    multiple of 4, stride 1 or 2 across, no clipping, 2 to DW_TP_MIN_OW - 1 output columns whose pairs
    take at most rb - 4 bytes of a plane row (4 sw bytes a pair) and whose input columns and left
    padding take at most rb, a pair of input columns to widen together past an odd left padding's
    first column, at most DW_SM_BYTES (the kernel trusts them, as tpair its _tpair_bytes), and
    where it pays (_tsmall_pays)."""
    plan = _fast_plan(node, g, p)
    if not _packed_filter(node, g, plan) or plan[3] not in (1, 2) or p["act_min"] > -128 or p["act_max"] < 127:
        return 0
    (_, h, w, ci), (_, oh, ow, co) = g.tensors[node.inputs[0]].shape, g.tensors[node.outputs[0]].shape
    sh, sw = node.attrs["strides"]
    rb = _tsmall_rb(node, g)
    need = 4 * rb * ((oh - 1) * sh + 4)
    ok = (co % DW_CHANNEL_GROUP == 0 and ci == co and sw in (1, 2) and 2 <= ow < DW_TP_MIN_OW
          and 4 * sw * ((ow + 1) // 2) <= rb - 4 and 2 * (w + node.attrs["pads"][1]) <= rb and need <= DW_SM_BYTES
          and w - node.attrs["pads"][1] % 2 >= 2)
    return need if ok and _tsmall_pays(h * w, oh, ow, sh * sw, _tsmall_row(node, g, p) > 0) else 0


def _tsmall_pays(pixels: int, oh: int, ow: int, strides: int, row: bool = False) -> bool:
    """Is tinycc_dw_s8_tsmall expected faster than the fast kernel (est. Cortex-M4 cycles a channel)?
    The pair loops, fitted to VWW's 6x6 (stride 1), 6x6 from 12x12 (stride 2) and 3x3 planes: about 37
    an output pair, 230 a channel and 5 an input pixel (widening); the fast kernel about 43 an output
    (47 at stride 2 both ways). A row loop's node (`row`: _tsmall_row), fitted to VWW's 12x12 stride 2,
    6x6, 6x6 stride 2 and 3x3 planes (1,225, 829, 429 and 339 a channel measured): about 34 an output
    pair, 100 a channel and 4 an input pixel; against the fast kernel's outputs and 40 a channel (its
    set-up, which VWW's 3x3 outputs show: 460 and 398 a channel measured)."""
    if row:
        return 34 * oh * ((ow + 1) // 2) + 100 + 4 * pixels < (47 if strides == 4 else 43) * oh * ow + 40
    mine = 37 * oh * ((ow + 1) // 2) + 230 + 5 * pixels
    return mine < (47 if strides == 4 else 43) * oh * ow


def _tsmall_loop(node, g, p) -> int:
    """The assembly loop tinycc_dw_s8_tsmall picks (its own check, at run time): 4 (mode z0: rq 1 or 2,
    out_zp -128, every |folded bias| < 2^29; it never clips), else 1 or 2 (rq 1 or 2)."""
    _, folded, _, mode = _fast_plan(node, g, p)
    return 4 if p["output_zp"] == -128 and np.abs(folded).max() < 1 << 29 else int(mode)


def _tsmall_row(node, g, p) -> int:
    """The bit of tinycc_dw_s8_tsmall's row loops (TINYCC_DW_SM_ROWL) the node takes: mode z0, stride 1 or
    2 down, a kind of (output pairs, stride across, plane row bytes): (3, 1, 16) 0, (3, 2, 32) 1, (2, 1,
    16) 2, (2, 2, 32) 3; 1 << (odd width + 2 (stride down - 1) + 4 kind), else 0 (the pair loops)."""
    ow, (sh, sw) = g.tensors[node.outputs[0]].shape[2], node.attrs["strides"]
    kind = {(3, 1, 16): 0, (3, 2, 32): 1, (2, 1, 16): 2, (2, 2, 32): 3}.get(((ow + 1) // 2, sw, _tsmall_rb(node, g)))
    if kind is None or sh not in (1, 2) or _tsmall_loop(node, g, p) != 4:
        return 0
    return 1 << (ow % 2 + 2 * (sh - 1) + 4 * kind)


def _sm_at(node, m, need: int) -> int | None:
    """The arena offset of tsmall's planes (`need`: _tsmall_bytes, and 32 to align them) for the node: bytes
    free while it runs (backends/c/arena_gap.py), or None (its wrapper's frame then holds them: TINYCC_DW_SM_STACK)."""
    return arena_gap.free_gap(m.g, m.plan, m.g.index_of(node), need + 32) if need else None


def _tpair_loop(node, g, p, clip: bool) -> int:
    """The assembly loop tinycc_dw_s8_tpair picks for the node (its own check, at run time): 4 (mode z0:
    rq 1, out_zp -128, no clipping, every |folded bias| < 2^29), else 1 or 2 (rq 1 or 2)."""
    _, folded, _, mode = _fast_plan(node, g, p)
    z0 = mode == 1 and p["output_zp"] == -128 and not clip and np.abs(folded).max() < 1 << 29
    return 4 if z0 else int(mode)


def _tp_at(node, m, p) -> int | None:
    """The arena offset of tpair's ring and records (_tpair_bytes) for the node: bytes free while it
    runs (backends/c/arena_gap.py: the arena no larger, the stack not holding them), or None (its
    wrapper's frame then holds them: TINYCC_DW_TP_STACK)."""
    need = _tpair_bytes(node, m.g, p)
    if not need:
        return None
    return arena_gap.free_gap(m.g, m.plan, m.g.index_of(node), need)


def _entry(node, g, p) -> str:
    """The fast kernel's entry: `tpair` (taps paired along rows, tinycc_dw_s8_tpair) where
    _tpair_bytes applies; `wrow` (rows groups outer, input and filter widened once a group and
    row: tinycc_dw_s8_wrow) for packed-filter shapes with rq 1, co a multiple of 4, at least
    DW_WROW_MIN_OW output columns and (ow - 1) * sw + 3 <= DW_WROW_COLS window columns (layout.py);
    else `fast`; before them `tsmall` (small planes a channel at a time, tinycc_dw_s8_tsmall) where
    _tsmall_bytes applies."""
    if _tsmall_bytes(node, g, p):
        return "tsmall"
    if _tpair_bytes(node, g, p):
        return "tpair"
    plan = _fast_plan(node, g, p)
    if not _packed_filter(node, g, plan) or plan[3] != 1:
        return "fast"
    co, ow, sw = g.tensors[node.inputs[1]].shape[3], g.tensors[node.outputs[0]].shape[2], node.attrs["strides"][1]
    ok = co % DW_CHANNEL_GROUP == 0 and ow >= DW_WROW_MIN_OW and (ow - 1) * sw + 3 <= DW_WROW_COLS
    return "wrow" if ok else "fast"


def filter_ptr(node, m, p) -> str:
    """The filter argument: the packed filter (kernels/optimised/depthwise_conv_2d_fast_taps.h,
    tinycc_dw_s8_pf: per group of four channels its 9 taps' 4-byte words, channels past co zero) when
    pf, else the tensor."""
    if not _packed_filter(node, m.g, _fast_plan(node, m.g, p)):
        return m.ptr(node.inputs[1], const=True)
    w = np.asarray(m.g.tensors[node.inputs[1]].data, np.int8).reshape(9, -1)
    co = w.shape[1]
    n = DW_CHANNEL_GROUP
    groups = -(-co // n)
    padded = np.zeros((9, groups * n), np.int8)
    padded[:, :co] = w
    packed = padded.reshape(9, groups, n).transpose(1, 0, 2).reshape(-1)
    return m.const_array(packed, "wdw", comment=f"{node.inputs[1]} packed by 4 channels (9 taps each)")


def _fast_plan(node, g, p):
    """(bias, folded bias, rqw or None) as int64 arrays for the fast int8 kernel, or None when it does
    not apply (depth multiplier or dilation, folded bias out of int32, a negative multiplier).
    `folded = bias - in_zp * sum(w)` per channel; `rqw` (requant.dw_rq_words, tinycc_dw_rq) is
    hi0 * 256 + r - 1 with hi0 = 2^(r-2) * (2 * out_zp + 1) per channel when every shift is -r with
    2 <= r <= 17 and hi0 fits 24 bits (mode 1), else with hi0 = 2^(r-2) when 2 <= r <= 24 (mode 2: the
    kernel adds out_zp after the shift), else None (the kernel requantises with tinycc_requant_s8).
    Returns (bias, folded, rqw, mode)."""
    a, w_t = node.attrs, g.tensors[node.inputs[1]]
    if p["dtype"] != "int8" or a["depth_multiplier"] != 1 or tuple(a["dilations"]) != (1, 1) or w_t.data is None:
        return None
    co = w_t.shape[3]
    # channels channel-last: (kh * kw, co) -> output channels first
    found = requant.fold(node, g, p, np.moveaxis(w_t.data.reshape(-1, co), 1, 0))
    if found is None or requant.per_channel(p, co) is None:
        return None
    bias, folded = found
    rqw, mode = requant.dw_rq_words(requant.per_channel(p, co)[1], p["output_zp"])
    return bias, folded, rqw, mode


def fast_constants(node, m, p):
    """(plain bias, folded bias, multipliers, shifts) C expressions for the fast int8 kernel, or None
    when it does not apply. With the one-multiply requantisation (shape field rq) the folded-bias
    array packs each group of four channels' folded biases, multipliers and requantisation words
    (12 words a group, the last group zero-padded: requant.dw_group_words, tinycc_dw_kp); the
    multiplier and shift arguments are then that array too (no separate arrays)."""
    plan = _fast_plan(node, m.g, p)
    if plan is None:
        return None
    bias, folded, rqw, _ = plan
    if _packed_filter(node, m.g, plan):
        plain = "NULL"    # only the border routine reads the plain bias; pf takes every border pixel by patch
    else:
        plain = requant.plain_bias_array(node, m, bias)
    if rqw is None:
        mult, shift = requant.mult_shift_arrays(node, m, p)       # int32: the fast kernels' shift words
        return plain, requant.kbias_array(node, m, folded), mult, shift
    mult = requant.per_channel(p, folded.size)[0]
    kbias = m.const_array(requant.dw_group_words(folded, mult, rqw), "kbias",
                          comment=f"{node.name} per 4 channels: bias - input zero point * sum(w), multipliers, "
                                  f"requantisation words")
    return plain, kbias, kbias, kbias


def _pairs(node, g, p) -> bool:
    """The fast kernel's two-pixel pass (tinycc_dw_s8_pf2, depthwise_conv_2d_fast_taps.h) may run: packed
    filter, rq 1, stride 1 across and at least DW_PAIR_MIN output columns with every tap inside a row
    (else the model's kernels leave it out: TINYCC_DW_PAIR 0)."""
    plan = _fast_plan(node, g, p)
    if not _packed_filter(node, g, plan) or plan[3] != 1 or node.attrs["strides"][1] != 1:
        return False
    w, ow = g.tensors[node.inputs[0]].shape[2], g.tensors[node.outputs[0]].shape[2]
    pad_l, kw = node.attrs["pads"][1], g.tensors[node.inputs[1]].shape[2]
    return sum(1 for ox in range(ow) if ox - pad_l >= 0 and ox - pad_l + kw <= w) >= DW_PAIR_MIN


DW_ROWS_BYTES = 4096   # the most tinycc_dw_s8_rows's ring of three padded rows takes (depthwise_conv_2d_fast.h)


def _rows(node, g, p) -> int:
    """Bytes of the fast entry's ring of padded rows (tinycc_dw_s8_rows: no border patches), 0 when it
    does not run: it needs the packed filter, co a multiple of 4 and three rows of (ow - 1) * sw + 3
    window columns within DW_ROWS_BYTES (the kernel checks them again, tinycc_dw_rows_fit)."""
    if _entry(node, g, p) != "fast" or not _packed_filter(node, g, _fast_plan(node, g, p)):
        return 0
    co, ow, sw = g.tensors[node.inputs[1]].shape[3], g.tensors[node.outputs[0]].shape[2], node.attrs["strides"][1]
    need = 3 * ((ow - 1) * sw + 3) * co
    return need if co % DW_CHANNEL_GROUP == 0 and need <= DW_ROWS_BYTES else 0


PAIR_RANK = (0, 2, 1)      # TINYCC_DW_PAIR's values, weakest first: none, wrow nodes only, some fast-entry node


def _fast(entry):
    def constants(node, m, p, inplace):
        fast = fast_constants(node, m, p) if _entry(node, m.g, p) == entry else None
        if fast is None:
            return None
        # this node takes the fast row routine: without a packed filter, its generic paths stay compiled in
        pf = int(_packed_filter(node, m.g, _fast_plan(node, m.g, p)))
        m.define_min("TINYCC_DW_ONLY_PF", pf)
        # the two-pixel pass: 1 when a node of the fast entry reaches it, else 2 when only wrow nodes do
        # (a DSP core runs them through tinycc_dw_s8_wrow: the pass compiles out there; VWW: 1.5 KB)
        pair = (1 if entry == "fast" else 2) if _pairs(node, m.g, p) else 0
        m.defines["TINYCC_DW_PAIR"] = max(m.defines.get("TINYCC_DW_PAIR", 0), pair, key=PAIR_RANK.index)
        tp = {}
        if entry == "tpair":   # where its ring lives, and the modes, clipping and strides its loops compile in
            clip, at = p["act_min"] > -128 or p["act_max"] < 127, _tp_at(node, m, p)
            if at is None:       # no room in the arena while it runs: its wrapper's frame holds them
                m.define_max("TINYCC_DW_TP_STACK", _tpair_bytes(node, m.g, p))
            tp["tp"] = "NULL" if at is None else f"((int32_t *)(arena.bytes + {m.base + at}))"
            m.define_bits("TINYCC_DW_TP_RQ", _tpair_loop(node, m.g, p, clip))
            m.define_bits("TINYCC_DW_TP_SW", node.attrs["strides"][1])
            m.define_max("TINYCC_DW_TP_CLIP", clip)
            odd = m.g.tensors[node.outputs[0]].shape[2] % 2
            m.define_max("TINYCC_DW_TP_CLOOP", clip or odd)   # the C loop's work
            left = m.g.tensors[node.outputs[0]].shape[2] // 2 % 2   # the assembly's pair left (odd pairs)
            m.define_max("TINYCC_DW_TP_LEFT", left)
        if entry == "tsmall":   # its planes (where they live, their bytes), the modes and strides its loops compile in
            need = _tsmall_bytes(node, m.g, p)
            at = _sm_at(node, m, need)
            if at is None:       # no room in the arena while it runs: its wrapper's frame holds them
                m.define_max("TINYCC_DW_SM_STACK", need)
            tp["sm"] = "NULL" if at is None else f"((int32_t *)(arena.bytes + {m.base + at}))"
            m.define_max("TINYCC_DW_SM_BYTES", need)
            row = _tsmall_row(node, m.g, p)   # a row loop's node: none of the pair loops
            m.define_bits("TINYCC_DW_SM_ROWL", row)
            m.define_bits("TINYCC_DW_SM_RQ", 0 if row else _tsmall_loop(node, m.g, p))
            m.define_bits("TINYCC_DW_SM_SW", 0 if row else node.attrs["strides"][1])
            m.define_bits("TINYCC_DW_SM_RBS", 0 if row else _tsmall_rb(node, m.g) // 16)
            first = node.attrs["pads"][1] & 1   # odd edge columns the widening takes alone
            last = (m.g.tensors[node.inputs[0]].shape[2] - first) & 1
            m.define_bits("TINYCC_DW_SM_EDGES", 1 << (first + 2 * last))
            m.define_bits("TINYCC_DW_SM_ODD", 0 if row else 1 << m.g.tensors[node.outputs[0]].shape[2] % 2)
        if entry == "fast":   # the ring's parts a node needs (compiled in), and whether every fast node takes it
            rows = _rows(node, m.g, p)
            m.define_max("TINYCC_DW_ROWS", rows)
            m.define_min("TINYCC_DW_ONLY_ROWS", rows > 0)
            if rows:
                m.define_bits("TINYCC_DW_ROWS_RQ", _fast_plan(node, m.g, p)[3])
                m.define_max("TINYCC_DW_ROWS_CLIP", p["act_min"] > -128 or p["act_max"] < 127)
        m.defines["TINYCC_DW_WIDE"] = 1       # int shape fields (tinycc_dw_shape): the row loops read them
        return {"bias": fast[0], "kbias": fast[1], "mult": fast[2], "shift": fast[3],
                "w": filter_ptr(node, m, p), **tp}
    return constants


def _f32(node, m, p, inplace):
    if p["dtype"] != "float32":
        return None
    w, bias = m.ptr(node.inputs[1], const=True), bias_ptr(node, m, "float32")
    lo, hi = float_range(node.attrs["activation"])
    return {"w": w, "bias": bias, "lo": lo, "hi": hi}


def _reference(dtype):
    def constants(node, m, p, inplace):
        if p["dtype"] != dtype:
            return None
        w = m.ptr(node.inputs[1], const=True)
        data = m.g.tensors[node.inputs[1]].data
        if dtype == "int8" and node.attrs["depth_multiplier"] == 1 and data is not None:
            # the shift in the multiplier word where that is exact (requant.packed_multipliers)
            bias = bias_ptr(node, m, dtype)
            co = data.shape[3]
            mult, shift = requant.reference_mult_shift(node, m, p, np.moveaxis(data.reshape(-1, co), 1, 0))
        elif inplace:   # the order the arrays were first emitted in, kept so that outputs stay byte-identical
            mult, shift = requant.mult_shift_arrays(node, m, p, shift_dtype=np.int8)
            bias = bias_ptr(node, m, dtype)
        else:
            bias = bias_ptr(node, m, dtype)
            mult, shift = requant.mult_shift_arrays(node, m, p, shift_dtype=np.int8)
        return {"w": w, "bias": bias, "mult": mult, "shift": shift}
    return constants


def _mult_plan(node, g, p):
    """(folded bias, multipliers, shifts) as int64 arrays for tinycc_depthwise_conv_2d_s8_mult (a depth
    multiplier > 1: kernels/optimised/depthwise_conv_2d_mult.h), or None when it does not apply: int8
    with constant int8 weights, a 3x3 filter, dilation 1, a folded bias and sums within int32 (requant.fold)."""
    a, w_t = node.attrs, g.tensors[node.inputs[1]]
    if (p["dtype"] != "int8" or a["depth_multiplier"] <= 1 or tuple(a["dilations"]) != (1, 1) or w_t.data is None
            or tuple(w_t.shape[1:3]) != (3, 3) or np.asarray(w_t.data).dtype != np.int8):
        return None
    co = w_t.shape[3]
    found = requant.fold(node, g, p, np.moveaxis(np.asarray(w_t.data).reshape(-1, co), 1, 0))
    pc = requant.per_channel(p, co)
    if found is None or pc is None:
        return None
    return found[1], pc[0], pc[1]


def mult_records(w: np.ndarray, folded, mult, words, scale: int = 1) -> np.ndarray:
    """tinycc_depthwise_conv_2d_s8_mult's records (TINYCC_DW_MULT_REC = 8 int32 words an output channel):
    the 3x3 filter (1, 3, 3, co) times `scale` as five words of int16 pairs (taps 2k low, 2k + 1 high, the
    tenth half zero), then the folded bias times `scale`, the multiplier and the requantisation word."""
    co = w.shape[3]
    taps = np.zeros((co, 10), np.int64)
    taps[:, :9] = scale * np.asarray(w, np.int64).reshape(9, co).T
    rec = np.zeros((co, 8), np.int64)
    rec[:, :5] = (taps[:, 0::2] & 0xFFFF) | ((taps[:, 1::2] & 0xFFFF) << 16)
    rec[:, 5], rec[:, 6], rec[:, 7] = scale * np.asarray(folded, np.int64), mult, words
    return rec.astype(np.uint32).view(np.int32).reshape(-1)


def mult_mode(node, g, p, plan=None) -> tuple[int, np.ndarray]:
    """(rq, words) of tinycc_depthwise_conv_2d_s8_mult for the node (_mult_plan applies): rq 3 (z0: out_zp
    -128, every shift -r with 1 <= r <= 16, the doubled sums within int32; the word (2^(r-1) - 128 * 2^r)
    * 256 + r, the filter and bias doubled), else requant.dw_rq_words' rq 1 or 2 and words, else rq 0
    and the shifts. `plan`: _mult_plan's result where the caller has it."""
    folded, _, shift = _mult_plan(node, g, p) if plan is None else plan
    r = -np.asarray(shift, np.int64)
    w = np.asarray(g.tensors[node.inputs[1]].data, np.int64).reshape(9, -1)
    top = np.abs(folded) + 128 * np.abs(w).sum(axis=0)     # every partial sum's bound
    if p["output_zp"] == -128 and r.min() >= 1 and r.max() <= 16 and 2 * top.max() < 1 << 31:
        return 3, ((np.int64(1) << (r - 1)) - (np.int64(128) << r)) * 256 + r
    rqw, rq = requant.dw_rq_words(shift, p["output_zp"])
    return rq, (shift if rqw is None else rqw)


def _mult(node, m, p, inplace):
    plan = _mult_plan(node, m.g, p)
    if plan is None:
        return None
    folded, mult, _ = plan
    rq, words = mult_mode(node, m.g, p, plan)
    clip = int(p["act_min"] > -128 or p["act_max"] < 127)
    m.use_kernel("depthwise_conv_2d_mult.h")
    m.define_bits("TINYCC_DW_MULT_MODES", 1 << (rq + 4 * clip))
    rec = mult_records(m.g.tensors[node.inputs[1]].data, folded, mult, words, 2 if rq == 3 else 1)
    return {"rec": m.const_array(rec, "wdm", comment=f"{node.name} per output channel: filter pairs, "
                                                     "folded bias, multiplier, requantisation word"), "rq": rq}


FAST_ARGS = "&{shape}, {x}, {w}, {bias}, {kbias}, {y}, {in_zp}, {out_zp}, {mult}, {shift}, {act_min}, {act_max}"
FAST_INPLACE_ARGS = ("&{shape}, &{ring_shape}, {buf}, {w}, {bias}, {kbias}, {ring}, {in_zp}, {out_zp}, {mult}, "
                     "{shift}, {act_min}, {act_max}")
# in order of preference: the first that applies is emitted (wrow and fast: _fast_plan's int8 with depth
# multiplier 1 and dilation 1; wrow only where _entry picks it; mult: a depth multiplier > 1, 3x3)
VARIANTS = (
    _s4.DEPTHWISE,       # int4 weights (core/int4.py): packed, unpacked in the MAC loop
    _lut.DEPTHWISE,      # LUT weights (core/lut.py): indices + tables in flash, decoded in the MAC loop
    Variant("tsmall", "tinycc_depthwise_conv_2d_s8_tsmall", FAST_ARGS + ", {sm}",
            "optimised/depthwise_conv_2d_tsmall.h", _fast("tsmall"), "tinycc_depthwise_conv_2d_s8_tsmall_inplace",
            FAST_INPLACE_ARGS + ", {sm}", fast=True),
    Variant("tpair", "tinycc_depthwise_conv_2d_s8_tpair", FAST_ARGS + ", {tp}", "optimised/depthwise_conv_2d_tpair.h",
            _fast("tpair"), "tinycc_depthwise_conv_2d_s8_tpair_inplace", FAST_INPLACE_ARGS + ", {tp}", fast=True),
    Variant("wrow", "tinycc_depthwise_conv_2d_s8_wrow", FAST_ARGS, "optimised/depthwise_conv_2d_wrow.h",
            _fast("wrow"), "tinycc_depthwise_conv_2d_s8_wrow_inplace", FAST_INPLACE_ARGS, fast=True),
    Variant("fast", "tinycc_depthwise_conv_2d_s8_fast", FAST_ARGS, "optimised/depthwise_conv_2d_fast.h",
            _fast("fast"), "tinycc_depthwise_conv_2d_s8_fast_inplace", FAST_INPLACE_ARGS, fast=True),
    Variant("mult", "tinycc_depthwise_conv_2d_s8_mult",
            "&{shape}, {x}, {rec}, {y}, {in_zp}, {out_zp}, {rq}, {act_min}, {act_max}",
            "optimised/depthwise_conv_2d_mult.h", _mult, fast=True),
    Variant("f32", "tinycc_depthwise_conv_2d_f32", "&{shape}, {x}, {w}, {bias}, {y}, {lo}, {hi}",
            "reference/depthwise_conv_2d.h", _f32),
    Variant("s8", "tinycc_depthwise_conv_2d_s8",
            "&{shape}, {x}, {w}, {bias}, {y}, {in_zp}, {out_zp}, {mult}, {shift}, {act_min}, {act_max}",
            "reference/depthwise_conv_2d_a8.h", _reference("int8"), "tinycc_depthwise_conv_2d_s8_inplace",
            "&{shape}, &{ring_shape}, {buf}, {w}, {bias}, {ring}, {in_zp}, {out_zp}, {mult}, {shift}, {act_min}, "
            "{act_max}"),
    Variant("s16", "tinycc_depthwise_conv_2d_s16",
            "&{shape}, {x}, {w}, {bias}, {y}, {out_zp}, {mult}, {shift}, {act_min}, {act_max}",
            "reference/depthwise_conv_2d.h", _reference("int16")),
)


def emit(node, m, p):
    use_kernels(m)
    values = common(node, p, shape_struct(node, m))
    values["x"], values["y"] = m.ptr(node.inputs[0], const=True), m.ptr(node.outputs[0])
    v, constants = choose(VARIANTS, node, m, p)
    m.emit(call(v, {**values, **constants}))
