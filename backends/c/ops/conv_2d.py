"""C emitter for conv_2d: a call to tinycc_conv_2d_{s8,s16,f32} with its shape and constants."""
from __future__ import annotations

import numpy as np

from tinycc.backends.c import arena_gap, requant
from tinycc.backends.c.layout import CONV_COLS_BYTES, CONV_PATCH_BYTES, TAP_GROUP
from tinycc.backends.c.ops import _conv_shallow, _lut, _s4, _s4_fast
from tinycc.backends.c.ops._conv_common import bias_ptr, float_range
from tinycc.backends.c.ops._variants import Variant, call, choose, common


def shape_values(node, m):
    g = m.g
    x, w, y = g.tensors[node.inputs[0]], g.tensors[node.inputs[1]], g.tensors[node.outputs[0]]
    a = node.attrs
    n, h, wd, ci = x.shape
    co, kh, kw, _ = w.shape
    return [n, h, wd, ci, y.shape[1], y.shape[2], co, kh, kw, *a["strides"], *a["dilations"], a["pads"][0],
            a["pads"][1]]


def use_kernels(m):
    for header in ("dot_s8.h", "inplace.h", "conv_2d.h"):
        m.use_kernel(header)


def shape_struct(node, m) -> str:
    return m.struct("tinycc_conv_shape", f"{node.name}_shape", shape_values(node, m))


def fast_constants(node, m, p):
    """(plain bias, folded bias) C arrays for the dot kernel (tinycc_conv_2d_s8_fast), or None when it
    does not apply."""
    if p["dtype"] != "int8" or tuple(node.attrs["dilations"]) != (1, 1):
        return None
    w = m.g.tensors[node.inputs[1]].data
    found = None if w is None else requant.fold(node, m.g, p, w)
    if found is None:
        return None
    return requant.plain_bias_array(node, m, found[0]), requant.kbias_array(node, m, found[1])


def packed_filter(w: np.ndarray) -> np.ndarray:
    """The im2col kernels' filter layout (conv_2d.h): each output channel's kh*kw*ci taps zero-padded
    to k4 (a multiple of 4), channels in pairs with the pair's 4-tap groups interleaved, an odd last
    channel on its own."""
    co = w.shape[0]
    k = w[0].size
    k4 = -(-k // TAP_GROUP) * TAP_GROUP
    flat = np.zeros((co, k4), np.int8)
    flat[:, :k] = w.reshape(co, k)
    co2 = co - co % 2
    pairs = flat[:co2].reshape(co2 // 2, 2, k4 // 4, 4).transpose(0, 2, 1, 3).reshape(-1)
    return np.concatenate([pairs, flat[co2:].reshape(-1)])


def packed_words(w: np.ndarray) -> np.ndarray:
    """packed_filter as int32 words (4-byte aligned for LDRD): tap j of a group in byte j from the
    least significant, whatever the compiler's byte order."""
    b = packed_filter(w).astype(np.uint8).astype(np.uint32).reshape(-1, 4)
    return (b[:, 0] | (b[:, 1] << 8) | (b[:, 2] << 16) | (b[:, 3] << 24)).astype(np.uint32).view(np.int32)


def cols_constants(node, m, p):
    """(words, "NULL", "NULL") for the im2col kernel (tinycc_conv_2d_s8_cols), or None when it does not
    apply (then the other kernels). `words` (cols_words) holds the packed filter with each channel pair's
    folded bias and requantisation words; the NULLs stand for the separate folded bias and requantisation
    arrays of the kernels' older interface, which the in-place call (_inplace.py) passes on."""
    if p["dtype"] != "int8" or tuple(node.attrs["dilations"]) != (1, 1):
        return None
    w = m.g.tensors[node.inputs[1]].data
    if w is None:
        return None
    _, kh, kw, ci = w.shape
    k4 = -(-(kh * kw * ci) // TAP_GROUP) * TAP_GROUP
    if 4 * k4 > CONV_COLS_BYTES or (kw * ci if kw * ci % 4 == 0 else k4) > CONV_PATCH_BYTES:
        return None
    found = requant.cols_table(node, m.g, p, np.asarray(w, np.int8))
    if found is None:
        return None
    # the shift key's XOR compiled in only when a node has a key (TINYCC_COLS_KEY)
    m.define_max("TINYCC_COLS_KEY", found[2] != 0)
    # the assembly's rounding term x >> 31 compiled in only when a node's output zero point is not -128
    # (TINYCC_COLS_SIGN, conv_2d_cols_thumb2.h: with -128 it moves no output)
    m.define_max("TINYCC_COLS_SIGN", found[1] != -255)
    words = m.const_array(cols_words(*found), "wpk",
                          comment=f"{node.inputs[1]} packed for the im2col kernel: 2 out_zp + 1, key, per channel "
                                  f"pair: bias - input zp * sum(w) x2, the taps, 2M-2^32 with (e-1) ^ key in its "
                                  f"low 5 bits x2")
    return words, "NULL", "NULL"


def cols_words(table: np.ndarray, zp2: int, key: int, w: np.ndarray) -> np.ndarray:
    """tinycc_cols_block's words: the layer's 2 out_zp + 1 and shift key (requant.cols_packed_words), then per
    channel pair kb0, kb1, the pair's packed filter words (2g), W0, W1; an odd last channel kb, its g words, W
    (table: cols_table's co x 2 columns kb, W: 4 bytes of requantisation a channel)."""
    co = w.shape[0]
    g = -(-w[0].size // 4)
    packed = packed_words(w)
    table = np.asarray(table, np.int32).reshape(co, 2)
    parts: list[np.ndarray] = [np.array([zp2, key], np.int32)]
    for i in range(co // 2):
        t = table[2 * i:2 * i + 2]
        parts += [t[:, 0], packed[2 * i * g:(2 * i + 2) * g], t[:, 1]]
    if co % 2:
        parts += [table[-1, :1], packed[(co - 1) * g:], table[-1, 1:]]
    return np.concatenate(parts).astype(np.int32)


PW16_GROUPS = 16   # a pointwise node with more 4-tap groups than this takes 16 groups a pass (TINYCC_COLS3_PW16)
PW32_GROUPS = 24   # ... the four-pixel loop's, than this 32 (TINYCC_COLS4_PW32: 32 groups one test of the mark)


def _f32(node, m, p, inplace):
    if p["dtype"] != "float32":
        return None
    w, bias = m.ptr(node.inputs[1], const=True), bias_ptr(node, m, "float32")
    lo, hi = float_range(node.attrs["activation"])
    return {"w": w, "bias": bias, "lo": lo, "hi": hi}


def pointwise_groups(node, g) -> int:
    """The 4-tap groups of a 1x1 stride-1 node whose input channels are whole groups (conv_2d_cols_rows.h's
    tinycc_cols_pointwise: the kernel's pointwise loop, whichever entry calls it), else 0."""
    x, w, y = g.tensors[node.inputs[0]], g.tensors[node.inputs[1]], g.tensors[node.outputs[0]]
    ci = x.shape[3]
    pointwise = (tuple(w.shape[1:3]) == (1, 1) and tuple(node.attrs["strides"]) == (1, 1)
                 and tuple(y.shape[1:3]) == tuple(x.shape[1:3]) and ci % TAP_GROUP == 0)
    return ci // TAP_GROUP if pointwise else 0


def whole_blocks(node, g, p, groups: int) -> bool:
    """Whether a pointwise node's pixels (`groups` 4-tap groups each) all go through the Cortex-M4 three-pixel
    loop: conv_2d_cols_rows.h's tinycc_cols3_fits (an even co of at least 2, no clipping activation, the
    groups within both columns) and a pixel count that is whole blocks of three."""
    n, h, w, _ = g.tensors[node.inputs[0]].shape
    co, count = g.tensors[node.outputs[0]].shape[3], n * h * w
    b = (CONV_COLS_BYTES // 2 + 8) & ~3                      # TINYCC_COLS_B
    return (count >= 3 and count % 3 == 0 and co >= 2 and co % 2 == 0 and p["act_min"] <= -128
            and p["act_max"] >= 127 and 16 * groups + 4 <= b and 16 * groups - 8 <= CONV_COLS_BYTES - b)


def cols_path(node, g, inplace: bool) -> str:
    """The entry of the im2col kernel this node takes (conv_2d_cols_rows.h's tinycc_conv_2d_s8_cols,
    conv_2d_inplace.h's tinycc_conv_2d_s8_cols_inplace): "pw" (a 1x1 stride-1 product over whole
    4-channel groups; in place only for batch 1), "flat" (out of place, odd output rows: pixels paired
    across rows) or "rows"."""
    if pointwise_groups(node, g) and (not inplace or g.tensors[node.inputs[0]].shape[0] == 1):
        return "pw"
    return "rows" if inplace or g.tensors[node.outputs[0]].shape[2] % 2 == 0 else "flat"


def _one_pixel_pass(node, g, path: str) -> bool:
    """Whether tinycc_cols_block may take a pass of one pixel for this node (conv_2d_cols_rows.h): a row of odd
    width ("rows"), an odd count of pixels ("flat", "pw"), or a count one past a multiple of three ("pw": what
    the three-pixel passes leave)."""
    y = g.tensors[node.outputs[0]]
    n, oh, ow = y.shape[:3]
    if path == "rows":
        return ow % 2 == 1
    count = n * oh * ow
    return count % 2 == 1 or (path == "pw" and count % 3 == 1)


PWW_MIN_PIXELS = 48   # a pointwise node widens its weights in RAM with at least this many pixels (16 blocks of 3)
PW4_MIN_PIXELS = 32   # ... or, its pixels whole blocks of four for the four-pixel loop, this many (8 blocks)


def takes_pw4(node, g, p, groups: int) -> bool:
    """Whether a pointwise node of `groups` 4-tap groups fits the Cortex-M4 four-pixel loop given widened
    weights (conv_2d_cols_rows.h's tinycc_cols4_fits and the dispatch before it): co even, no clipping
    activation, the four pixels' groups and the mark in the column, pixels whole blocks of four, at least
    PW4_MIN_PIXELS of them (VWW's 36-pixel layers of 32 groups pay the widening back: 4 est. cycles a group of a
    pair and block over the int8 three-pixel loop, and a pair's fixed cost over 8 outputs, not 6)."""
    n, h, w, _ = g.tensors[node.inputs[0]].shape
    co, count = g.tensors[node.outputs[0]].shape[3], n * h * w
    return (count % 4 == 0 and count >= PW4_MIN_PIXELS and co >= 2 and co % 2 == 0 and p["act_min"] <= -128
            and p["act_max"] >= 127 and 32 * groups + 4 <= CONV_COLS_BYTES)


def pww_bytes(node, g, p, inplace: bool) -> int:
    """The RAM bytes of a pointwise node's pair words with its weights widened to int16 (conv_2d_cols_rows.h's
    tinycc_cols_pww_widen: co / 2 pairs of 4 groups + 4 words), or 0 when it keeps its int8 weights: the node runs
    in place (the call that passes them) and takes the four-pixel loop (takes_pw4) or the three-pixel one over
    whole blocks (whole_blocks) with at least PWW_MIN_PIXELS pixels (the widening, about 17 est. cycles a group
    of a pair, pays back 2 a group and block, less a pass of 8 groups where the int8 loop takes 16).
    KWS (125 pixels: neither) keeps its int8 loop."""
    groups = pointwise_groups(node, g)
    if not (inplace and groups):
        return 0
    n, h, w, _ = g.tensors[node.inputs[0]].shape
    if not takes_pw4(node, g, p, groups) and not (whole_blocks(node, g, p, groups) and n * h * w >= PWW_MIN_PIXELS):
        return 0
    return g.tensors[node.outputs[0]].shape[3] * (8 * groups + 8)


def _pww(node, m, p, inplace) -> str:
    """The in-place call's `kbias` argument: arena bytes free while the node runs for its widened weights
    (backends/c/arena_gap.py: the arena no larger; the ring planned for the node is free too, as the pointwise
    path runs without it: conv_2d_inplace.h), or NULL (its int8 loop)."""
    need = pww_bytes(node, m.g, p, inplace)
    at = arena_gap.free_gap(m.g, m.plan, m.g.index_of(node), need, frozenset({f"{node.name}#inplace"}))
    if at is None:
        return "NULL"
    m.defines["TINYCC_COLS_PWW"] = 1
    return f"((const int32_t *)(arena.bytes + {m.base + at}))"


def _cols(node, m, p, inplace):
    cols = cols_constants(node, m, p)
    if cols is None:
        return None
    # the model's kernel keeps only the entries its nodes take (TINYCC_COLS_*: 0 compiles one out)
    path = cols_path(node, m.g, inplace)
    for key in ("pw", "rows", "flat"):
        name = f"TINYCC_COLS_{key.upper()}"
        m.define_max(name, path == key)
    # and only the requantisation tails its nodes reach: a clipping activation, an odd last channel
    # and the columns whose groups a tap splits (input channels not a multiple of 4: TINYCC_COLS_SPLIT)
    w = m.g.tensors[node.inputs[1]]
    needs = {"TINYCC_COLS_CLIP": p["act_min"] > -128 or p["act_max"] < 127,
             "TINYCC_COLS_ODD": w.shape[0] % 2 == 1, "TINYCC_COLS_ONE": _one_pixel_pass(node, m.g, path),
             "TINYCC_COLS_SPLIT": w.shape[3] % 4 != 0}
    for name, need in needs.items():
        m.define_max(name, need)
    # the pointwise assembly's pair loop 16 groups a pass when a node's pairs take more than 16 (K > 64: one
    # taken branch a pair less for each 16 groups, 768 bytes more code); else 8 a pass (TINYCC_COLS3_PW16)
    groups = pointwise_groups(node, m.g)
    long_pw = path == "pw" and groups > PW16_GROUPS
    m.define_max("TINYCC_COLS3_PW16", long_pw)
    # two groups peeled a pair when a pointwise node has 2 groups and none has 1 (TINYCC_COLS3_PW_G1, _G2; for
    # the nodes whose weights are widened in RAM, the four-pixel loop's TINYCC_COLS4_G1, _G2 or the three-pixel
    # one's TINYCC_COLS3_PWW_G1, _G2: their own pair loops)
    pww = _pww(node, m, p, inplace)
    widened = pww != "NULL"
    pw4 = widened and takes_pw4(node, m.g, p, groups)
    loop = "TINYCC_COLS4" if pw4 else "TINYCC_COLS3_PWW" if widened else "TINYCC_COLS3_PW"
    for k in (1, 2):
        m.define_max(f"{loop}_G{k}", groups == k)
    m.define_max("TINYCC_COLS_PW4", pw4)
    m.define_max("TINYCC_COLS_PWW3", widened and not pw4)
    m.define_max("TINYCC_COLS4_PW16", pw4 and groups > PW16_GROUPS)
    m.define_max("TINYCC_COLS4_PW32", pw4 and groups > PW32_GROUPS)
    # the pointwise loop's pairs after its blocks of three only when a node needs them (TINYCC_COLS_PW_REST)
    if groups:
        rest = int(not whole_blocks(node, m.g, p, groups))
        m.define_max("TINYCC_COLS_PW_REST", rest)
    return {"wpk": cols[0], "pww": pww}


def _requant(node, m, p) -> dict:
    """The reference and dot kernels' requantisation arrays and filter (in this order: the order their
    arrays were first emitted in, kept so that outputs stay byte-identical)."""
    mult, shift = requant.mult_shift_arrays(node, m, p, shift_dtype=np.int8)
    return {"mult": mult, "shift": shift, "w": m.ptr(node.inputs[1], const=True)}


def _dot(node, m, p, inplace):
    if p["dtype"] != "int8":
        return None
    values = _requant(node, m, p)
    folded = fast_constants(node, m, p)
    return None if folded is None else {**values, "bias": folded[0], "kbias": folded[1]}


def _reference(dtype):
    def constants(node, m, p, inplace):
        if p["dtype"] != dtype:
            return None
        if dtype == "int8":     # the shift in the multiplier word where that is exact (requant.packed_multipliers)
            mult, shift = requant.reference_mult_shift(node, m, p, m.g.tensors[node.inputs[1]].data)
            return {"mult": mult, "shift": shift, "w": m.ptr(node.inputs[1], const=True),
                    "bias": bias_ptr(node, m, dtype)}
        return {**_requant(node, m, p), "bias": bias_ptr(node, m, dtype)}
    return constants


# in order of preference: the first that applies is emitted (im2col and dot need int8 and dilation 1,
# im2col also multipliers in [2^30, 2^31) and a column that fits CONV_COLS_BYTES)
VARIANTS = (
    _s4_fast.CONV,  # int4 weights re-laid for SMLAD, each pixel's patch against them
    _s4.CONV,       # int4 weights (core/int4.py): packed, unpacked in the MAC loop
    _lut.CONV_FAST,  # LUT weights, one filter decoded at a time into a stack buffer of int8, int8 dot products
    _lut.CONV,      # LUT weights (core/lut.py): indices + tables in flash, decoded in the MAC loop
    Variant("f32", "tinycc_conv_2d_f32", "&{shape}, {x}, {w}, {bias}, {y}, {lo}, {hi}", "reference/conv_2d.h", _f32),
    # 3x3 over 3 channels, stride 2 (an image's first layer): input rows widened once, 4 pixels x 2 channels a pass
    Variant("shallow", "tinycc_conv_2d_s8_shallow",
            "&{shape}, {x}, TINYCC_SH_WQ({wsz}, {wsh}), TINYCC_SH_WPK({wpk}), {y}, {in_zp}",
            "optimised/conv_2d_shallow.h", _conv_shallow.constants, fast=True),
    # im2col: each pixel's patch widened to int16 once, every channel against it
    Variant("cols", "tinycc_conv_2d_s8_cols", "&{shape}, {x}, {wpk}, {y}, {in_zp}, {act_min}, {act_max}",
            "optimised/conv_2d_cols_rows.h", _cols, "tinycc_conv_2d_s8_fast_inplace",
            "&{shape}, &{ring_shape}, {buf}, (const int8_t *){wpk}, NULL, {pww}, {ring}, {in_zp}, {out_zp}, NULL, "
            "NULL, {act_min}, {act_max}", fast=True),
    # dot products over contiguous rows, the input offset folded into the bias (dot_s8.h)
    Variant("dot", "tinycc_conv_2d_s8_fast",
            "&{shape}, {x}, {w}, {bias}, {kbias}, {y}, {in_zp}, {out_zp}, {mult}, {shift}, {act_min}, {act_max}",
            "optimised/conv_2d_dot.h", _dot, "tinycc_conv_2d_s8_fast_inplace",
            "&{shape}, &{ring_shape}, {buf}, {w}, {bias}, {kbias}, {ring}, {in_zp}, {out_zp}, {mult}, {shift}, "
            "{act_min}, {act_max}", fast=True),
    Variant("s8", "tinycc_conv_2d_s8",
            "&{shape}, {x}, {w}, {bias}, {y}, {in_zp}, {out_zp}, {mult}, {shift}, {act_min}, {act_max}",
            "reference/conv_2d_a8.h", _reference("int8"), "tinycc_conv_2d_s8_inplace",
            "&{shape}, &{ring_shape}, {buf}, {w}, {bias}, {ring}, {in_zp}, {out_zp}, {mult}, {shift}, {act_min}, "
            "{act_max}"),
    Variant("s16", "tinycc_conv_2d_s16",
            "&{shape}, {x}, {w}, {bias}, {y}, {out_zp}, {mult}, {shift}, {act_min}, {act_max}",
            "reference/conv_2d.h", _reference("int16")),
)


def emit(node, m, p):
    use_kernels(m)
    values = common(node, p, shape_struct(node, m))
    values["x"], values["y"] = m.ptr(node.inputs[0], const=True), m.ptr(node.outputs[0])
    v, constants = choose(VARIANTS, node, m, p)
    m.emit(call(v, {**values, **constants}))
