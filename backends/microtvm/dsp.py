"""TVM schedules for int8 convolution and fully connected on Cortex-M with the DSP extension: the
reduction is tiled so its inner loop is a tensorised micro-kernel (micro_kernels.py: SXTB16 +
SMLAD over packed int16 pairs, plain C without the DSP extension), as microTVM's arm_cpu DSP
schedules did with their gemm tensor intrinsics.

The tensor expression (TF Lite Micro's arithmetic, reordered exactly):
  acc[b, y, x, c] = sum_{rh, rk} int32(xp[b, y*sh + rh*dh, x*sw*ci + rk]) * int32(wp[rh, c, rk])
  y = requant(acc + bias'[c])            (the fixed-point rescale of _fixedpoint.requant)
- the input is read as (n, h, w*ci) (NHWC's bytes): with dilation 1 across the width, one kernel
  row (kw * ci values) is contiguous, so the micro-kernel reduces over rk < kw*ci in one call;
- padding is materialised as the input zero point, the rows an output row needs (compute_at the
  output row), each padded row one tinycc_tvm_pad_row call (word copy between zero-point borders;
  depthwise reads it as (n, hp, wp, ci), the call replacing its pixel and channel loops);
- the input offset is folded into the bias at compile time: sum (x - zp) w = sum x w - zp sum w,
  and padded values equal zp contribute (zp - zp) w = 0 either way; exact in int32 (checked);
- the weights are pre-packed at compile time: convolutions and fully connected in channel pairs
  over the whole patch (micro_kernels.pack_pairs), depthwise as (kh, kw, co);
- the epilogue (micro_kernels.requant_plan's exact requantisation helper of acc + bias') is fused
  into the micro-kernel, which starts its sums from the biases and writes int8 outputs: TVM's init
  and epilogue blocks are marked (fuse_epilogue), checked and dropped by the rewrite.
Schedule: a pointwise convolution's image is one row of h * w pixels; the output row's pixels
(x_inner) with every channel and kernel tap are blockized and tensorised into one cols
micro-kernel call per output row (3 pixels x 2 channels a block, compile-time strides in its
name); depthwise: the row's (xx, c, rh, rw) nest into one row micro-kernel call (4 channels at a
time, the taps unrolled).

TVM 0.27's `Schedule.tensorize` crashes in its wheels (it deep-copies the intrinsic through
tvm-ffi's JSON serialiser, which segfaults on any TIR node), so `tensorize` here does what it does
after matching: blockize the nest, check the block's regions and products are the intrinsic's,
and replace its body with the intrinsic's implementation, an extern call on the regions' pointers.
"""
from __future__ import annotations

import numpy as np

from tinycc.backends.microtvm import micro_kernels
from tinycc.backends.microtvm.micro_kernels import DW_NAME, cols_name

INT32_MAX = (1 << 31) - 1
MICRO_KERNEL = "tinycc_micro_kernel"
INIT = "init"               # MICRO_KERNEL's value on a reduction's init nest the micro-kernel takes over
EPILOGUE = "epilogue"       # ... on an epilogue nest (y = requant(acc + bias)) fused into the micro-kernel


def conv_operands(node, g, p) -> tuple[dict, np.ndarray, np.ndarray] | None:
    """(shape dict, packed weights, folded bias) for an int8 conv_2d / fully_connected node the DSP
    schedule takes, or None (it falls back to the scalar tensor expression)."""
    x_t, w_t, y_t = g.tensors[node.inputs[0]], g.tensors[node.inputs[1]], g.tensors[node.outputs[0]]
    w = w_t.data
    if w is None or w.dtype != np.int8:
        return None
    if node.op == "fully_connected":
        if int(p.get("weights_zp", 0)) != 0:
            return None
        units, depth = w.shape
        rows = x_t.size // depth
        s = dict(n=1, h=1, w=rows, ci=depth, co=units, kh=1, kw=1, sh=1, sw=1, dh=1, pads=(0, 0, 0, 0), oh=1, ow=rows)
        packed = w.reshape(1, units, depth)
    elif node.op == "depthwise_conv_2d":
        n, h, wd, ci = x_t.shape
        _, kh, kw, co = w.shape
        if co != ci or co % 4:                          # depth multiplier > 1 or odd channels: scalar
            return None
        (sh, sw), (dh, dw) = node.attrs["strides"], node.attrs["dilations"]
        s = dict(n=n, h=h, w=wd, ci=ci, co=co, kh=kh, kw=kw, sh=sh, sw=sw, dh=dh, dw=dw, depthwise=True,
                 pads=tuple(node.attrs["pads"]), oh=y_t.shape[1], ow=y_t.shape[2])
        packed = np.ascontiguousarray(w.reshape(kh, kw, co))
    elif node.op == "conv_2d":
        n, h, wd, ci = x_t.shape
        co, kh, kw, wci = w.shape
        if wci != ci:                                   # grouped convolutions: the scalar expression
            return None
        (sh, sw), (dh, dw) = node.attrs["strides"], node.attrs["dilations"]
        if dw != 1 and kw != 1:
            return None
        s = dict(n=n, h=h, w=wd, ci=ci, co=co, kh=kh, kw=kw, sh=sh, sw=sw, dh=dh, pads=tuple(node.attrs["pads"]),
                 oh=y_t.shape[1], ow=y_t.shape[2])
        if (kh, kw, sh, sw) == (1, 1, 1, 1) and not any(s["pads"]) and y_t.shape[2] % 2:
            # (an odd row's last pixel costs a pair: fewer rows, fewer of those)
            # a pointwise convolution: the image as one row of h * w pixels (the same bytes), one cols call
            s.update(h=1, w=h * wd, oh=1, ow=h * wd)
        packed = np.ascontiguousarray(w.transpose(1, 0, 2, 3).reshape(kh, co, kw * ci))
    else:
        return None
    zp = int(p["input_zp"])
    bias_name = node.inputs[2] if len(node.inputs) > 2 else None
    bias = np.zeros(s["co"], np.int64) if bias_name is None else g.tensors[bias_name].data.astype(np.int64)
    if s.get("depthwise"):
        wsum = packed.astype(np.int64).reshape(-1, s["co"]).sum(axis=0)
    else:
        wsum = packed.astype(np.int64).transpose(1, 0, 2).reshape(s["co"], -1).sum(axis=1)
    folded = bias - zp * wsum
    k = s["kh"] * s["kw"] * (1 if s.get("depthwise") else s["ci"])
    # |sum x w| <= 128 * 128 * k; the folded sum must stay an int32 wherever TFLM's does not overflow
    if np.abs(folded).max(initial=0) + 128 * 128 * k > INT32_MAX:
        return None
    s["zp"] = zp
    per_channel = (packed.reshape(-1, s["co"]).T if s.get("depthwise")
                   else packed.transpose(1, 0, 2).reshape(s["co"], -1))
    p, folded = micro_kernels.constant_channels(p, folded, per_channel)
    s["requant"], s["mult"], s["shift"] = micro_kernels.requant_plan(p, folded, k)
    s["rq"] = (s["requant"], int(p["output_zp"]), int(p["act_min"]), int(p["act_max"]))
    if not s.get("depthwise"):
        # the cols micro-kernel's layout: channel pairs, each pair's 4-tap groups of the whole patch interleaved
        kh, co, kq = packed.shape
        packed = micro_kernels.pack_pairs(packed.transpose(1, 0, 2).reshape(co, kh * kq))
        s["tile"] = s["ow"]          # a whole output row a call (the kernel keeps no sums in memory)
    return s, packed, folded.astype(np.int32)


def conv_te(s: dict, p: dict):
    """PrimFunc(x, wp, bias', mult, shift, y) of the DSP-scheduled convolution (see the module doc)."""
    from tvm import te
    from tvm import tirx as tir

    from tinycc.backends.microtvm.ops._fixedpoint import requant_extern as requant
    n, h, w, ci, co, kh, kw = (s[k] for k in ("n", "h", "w", "ci", "co", "kh", "kw"))
    sh, sw, dh, oh, ow = s["sh"], s["sw"], s["dh"], s["oh"], s["ow"]
    top, left, bottom, right = s["pads"]
    x = te.placeholder((n, h, w * ci), "int8", name="x")
    wp = te.placeholder((kh, kw, co) if s.get("depthwise") else (kh, co, kw * ci), "int8", name="w")
    bias = te.placeholder((co,), "int32", name="bias")
    mult = te.placeholder((co,), "int32", name="mult")
    shift = te.placeholder((co,), "int32", name="shift")
    if any(s["pads"]) and s.get("depthwise"):
        # (n, h, w, ci): the border test depends on the row and pixel only, hoisted out of the channel loop
        x4 = te.compute((n, h, w, ci), lambda b, r, px, c: x[b, r, px * ci + c], name="x_pixels")
        xp = te.compute((n, h + top + bottom, w + left + right, ci), lambda b, r, px, c: tir.if_then_else(
            tir.all(r >= top, r < top + h, px >= left, px < left + w),
            x4[b, r - top, px - left, c], tir.const(s["zp"], "int8")), name="x_padded")
    elif any(s["pads"]):
        hp, wq = h + top + bottom, (w + left + right) * ci
        xp = te.compute((n, hp, wq), lambda b, r, q: tir.if_then_else(
            tir.all(r >= top, r < top + h, q >= left * ci, q < (left + w) * ci),
            x[b, r - top, q - left * ci], tir.const(s["zp"], "int8")), name="x_padded")
    else:
        xp = x
    rh = te.reduce_axis((0, kh), name="rh")
    if s.get("depthwise"):
        dw = s["dw"]
        rw = te.reduce_axis((0, kw), name="rw")
        acc = te.compute((n, oh, ow, co), lambda b, yy, xx, c: te.sum(
            tir.Cast("int32", xp[b, yy * sh + rh * dh, xx * sw + rw * dw, c] if any(s["pads"])
                     else xp[b, yy * sh + rh * dh, (xx * sw + rw * dw) * ci + c])
            * tir.Cast("int32", wp[rh, rw, c]), axis=[rh, rw]), name="acc")
        y = te.compute((n, oh, ow, co), lambda b, yy, xx, c: requant(
            tir, acc[b, yy, xx, c] + bias[c], mult[c], shift[c], p, s["requant"]), name="y")
        return te.create_prim_func([x, wp, bias, mult, shift, y])
    rk = te.reduce_axis((0, kw * ci), name="rk")
    k = kw * ci
    wp = te.placeholder(((co + 1) // 2, micro_kernels.cols_groups(kh, k), 2, 4), "int8", name="w")
    weight = lambda rh, c, rk: wp[c // 2, (rh * k + rk) // 4, c % 2, (rh * k + rk) % 4]  # noqa: E731
    acc = te.compute((n, oh, ow, co), lambda b, yy, xx, c: te.sum(
        tir.Cast("int32", xp[b, yy * sh + rh * dh, xx * sw * ci + rk]) * tir.Cast("int32", weight(rh, c, rk)),
        axis=[rh, rk]), name="acc")
    y = te.compute((n, oh, ow, co), lambda b, yy, xx, c: requant(
        tir, acc[b, yy, xx, c] + bias[c], mult[c], shift[c], p, s["requant"]), name="y")
    return te.create_prim_func([x, wp, bias, mult, shift, y])


def schedule_conv(func, s: dict):
    """The scheduled, tensorised PrimFunc and the C sources of the micro-kernels it calls."""
    import tvm
    import tvm.s_tir  # noqa: F401
    sch = tvm.s_tir.Schedule(func)
    acc = sch.get_sblock("acc")
    if s.get("depthwise"):
        b, yy, xx, c, rh, rw = sch.get_loops(acc)
        sch.reverse_compute_at(sch.get_sblock("y"), yy)
        if any(s["pads"]):
            sch.compute_inline(sch.get_sblock("x_pixels"))
            sch.compute_at(sch.get_sblock("x_padded"), yy)
            # each padded row (its pixels and their channels) in one call, a word copy between the zero-point
            # borders: the pixel loop is marked and replaced by the rewrite (blockize would mis-divide its row
            # binding yy + ax0, a window's rows that overlap the next one's)
            sch.annotate(sch.get_loops(sch.get_sblock("x_padded"))[-2], MICRO_KERNEL, micro_kernels.PAD_ROW_NAME)
        fuse_epilogue(sch, sch.decompose_reduction(acc, xx))
        top, left, bottom, right = s["pads"]
        dw_shape = (s["kh"], s["kw"], (s["w"] + left + right) * s["ci"] * s["dh"], s["dw"] * s["ci"],
                    s["sw"] * s["ci"], s["ow"], s["co"], s["rq"])
        return tensorize(sch, xx, micro_kernels.dw_name(*dw_shape), s), [micro_kernels.dw_source(*dw_shape)]
    b, yy, xx, c, rh, rk = sch.get_loops(acc)
    x_outer, x_inner = sch.split(xx, [None, s["tile"]])
    sch.reverse_compute_at(sch.get_sblock("y"), x_outer)
    if any(s["pads"]):
        sch.compute_at(sch.get_sblock("x_padded"), yy)
        # each padded row's bytes in one call (a word copy between the zero-point borders)
        sch.annotate(sch.get_loops(sch.get_sblock("x_padded"))[-1], MICRO_KERNEL, micro_kernels.PAD_ROW_NAME)
    fuse_epilogue(sch, sch.decompose_reduction(acc, x_inner))
    # one call per `tile` output pixels over every channel and kernel row: the (x_inner, c, rh, rk) nest
    top, left, bottom, right = s["pads"]
    spec = (s["tile"], s["co"], s["kh"], s["kw"] * s["ci"], (s["w"] + left + right) * s["ci"] * s["dh"],
            s["sw"] * s["ci"], s["rq"])
    return tensorize(sch, x_inner, cols_name(*spec), s), [micro_kernels.cols_source(*spec)]


def fuse_epilogue(sch, init) -> None:
    """Mark the reduction's init block and the epilogue block y for the micro-kernel to take over (it
    starts its sums from the biases and writes y itself: a reduction intrinsic with its init and a fused
    requantisation); tensorize's rewrite drops them (their emptied loops go with TVM's RemoveNoOp)."""
    sch.annotate(init, MICRO_KERNEL, INIT)
    sch.annotate(sch.get_sblock("y"), MICRO_KERNEL, EPILOGUE)


def mark(sch, loop, kernel: str) -> None:
    """Blockize `loop`'s nest and annotate the block with the micro-kernel replacing it (tensorize)."""
    sch.annotate(sch.blockize(loop), MICRO_KERNEL, kernel)


def tensorize(sch, loop, kernel: str, s: dict | None = None):
    """Schedule.tensorize with the gemm intrinsic: blockize `loop`'s nest, check it computes
    C[j] += int32(A[k]) * int32(B[j, k]), and call `kernel` on the regions' first elements."""
    from tvm import tirx as tir
    from tvm.s_tir import SBlock, SBlockRealize
    mark(sch, loop, kernel)
    func = sch.mod["main"]

    def first(region):
        return tir.address_of(tir.BufferLoad(region.source, [r.min for r in region.region]))

    epilogue = find_block(func.body, "y")

    def rewrite(st):
        if isinstance(st, tir.For) and MICRO_KERNEL in st.annotations:
            return tir.Evaluate(pad_row_call(st, s))
        if isinstance(st, SBlockRealize) and str(st.block.annotations.get(MICRO_KERNEL, "")) in (INIT, EPILOGUE):
            if str(st.block.annotations[MICRO_KERNEL]) == EPILOGUE:
                check_epilogue(st.block, s)
            return tir.Evaluate(tir.const(0, "int32"))
        if isinstance(st, tir.For):
            return tir.For(st.loop_var, st.min, st.extent, st.kind, rewrite(st.body), st.thread_binding,
                           st.annotations)
        if isinstance(st, tir.SeqStmt):
            return tir.SeqStmt([rewrite(t) for t in st.seq])
        if isinstance(st, SBlockRealize):
            return SBlockRealize(st.iter_values, st.predicate, rewrite(st.block))
        if not isinstance(st, SBlock):
            return st
        if MICRO_KERNEL not in st.annotations:
            return SBlock(st.iter_vars, st.reads, st.writes, st.name_hint, rewrite(st.body), st.init,
                          st.alloc_buffers, st.match_buffers, st.annotations)
        (c,) = st.writes
        extents = lambda r: [int(e.extent) for e in r.region]  # noqa: E731
        a, b = [r for r in st.reads if not r.source.same_as(c.source)]
        (y,) = epilogue.writes               # the fused epilogue writes y where the sums would go (same indices)
        bias, mult, shift = (tir.address_of(tir.BufferLoad(r.source, [0])) for r in epilogue.reads[1:])
        out = tir.address_of(tir.BufferLoad(y.source, [r.min for r in c.region]))
        name = str(st.annotations[MICRO_KERNEL])
        if kernel.startswith(DW_NAME):
            kh, kw, ow, co = s["kh"], s["kw"], s["ow"], s["co"]
            span = (ow - 1) * s["sw"] + (kw - 1) * s["dw"] + 1      # input pixels under the row's windows
            a_ok = (extents(a)[-3:] == [(kh - 1) * s["dh"] + 1, span, co] if any(s["pads"])
                    else extents(a)[-2:] == [(kh - 1) * s["dh"] + 1, (span - 1) * s["ci"] + co])
            if not a_ok or extents(c)[-2:] != [ow, co] or extents(b) != [kh, kw, co] \
                    or "T.Cast(\"int32\"" not in st.body.script():
                raise ValueError(f"{st.name_hint}: not the depthwise intrinsic's computation {extents(a)} {extents(b)}")
            row = int(np.prod([int(e) for e in a.source.shape[2:]])) * s["dh"]
            if name != micro_kernels.dw_name(kh, kw, row, s["dw"] * s["ci"], s["sw"] * s["ci"], ow, co, s["rq"]):
                raise ValueError(f"{st.name_hint}: {name} is not built for row stride {row}")
            call = tir.call_extern("int32", name, first(a), first(b), out, bias, mult, shift)
            return SBlock(st.iter_vars, st.reads, st.writes, st.name_hint, tir.Evaluate(call), None,
                          st.alloc_buffers, st.match_buffers, {})
        t, co, kh, k = s["tile"], s["co"], s["kh"], s["kw"] * s["ci"]
        span = (t - 1) * s["sw"] * s["ci"] + k               # input bytes of a kernel row under t pixels
        rows_ok = extents(a)[-2:] == [(kh - 1) * s["dh"] + 1, span] and np.prod(extents(a)[:-2]) == 1
        # the whole packed weights (the analysis narrows a dimension the taps or channels do not fill)
        b_ok = extents(b) == [(co + 1) // 2, micro_kernels.cols_groups(kh, k), min(co, 2), min(kh * k, 4)]
        if not rows_ok or not b_ok or extents(c)[-2:] != [t, co] or np.prod(extents(c)) != t * co \
                or "T.Cast(\"int32\"" not in st.body.script() or st.body.script().count(" + ") < 1:
            raise ValueError(f"{st.name_hint}: not the cols intrinsic's computation {extents(a)} {extents(b)}")
        a_row = int(a.source.shape[-1]) * s["dh"]         # input bytes between kernel rows
        if name != cols_name(t, co, kh, k, a_row, s["sw"] * s["ci"], s["rq"]):      # its compile-time constants
            raise ValueError(f"{st.name_hint}: {name} is not built for rows {kh}, row stride {a_row}, k {k}")
        call = tir.call_extern("int32", name, first(a), first(b), out, bias, mult, shift)
        return SBlock(st.iter_vars, st.reads, st.writes, st.name_hint, tir.Evaluate(call), None,
                      st.alloc_buffers, st.match_buffers, {})
    return func.with_body(rewrite(func.body))


def find_block(st, name: str):
    """The block called `name` in a statement (None when absent)."""
    from tvm import tirx as tir
    from tvm.s_tir import SBlock, SBlockRealize
    if isinstance(st, SBlock):
        return st if st.name_hint == name else find_block(st.body, name)
    if isinstance(st, (tir.For, SBlockRealize)):
        return find_block(st.body if isinstance(st, tir.For) else st.block, name)
    if isinstance(st, tir.SeqStmt):
        return next((b for b in (find_block(t, name) for t in st.seq) if b is not None), None)
    return None


def check_epilogue(block, s: dict) -> None:
    """The block a micro-kernel's fused epilogue replaces: y = s's requantisation helper of acc + bias, per
    output element, reading acc, bias, mult and shift."""
    text = block.body.script()
    names = [r.source.name for r in block.reads]
    if block.name_hint != "y" or names != ["acc", "bias", "mult", "shift"] or s["requant"] not in text \
            or "T.Cast(\"int8\"" not in text:
        raise ValueError(f"not the fused epilogue's computation: {names} {text[:200]}")


def pad_row_call(loop, s: dict):
    """The byte loop of a padded row, x_padded[b, r, q] = x[b, r - top, q - left * ci] inside the input else
    the zero point for q < the loop's extent, as one tinycc_tvm_pad_row call (the source row clamped into
    the input, unread outside it)."""
    from tvm import tirx as tir
    from tvm.s_tir import SBlockRealize
    inner = loop.body                      # depthwise's (n, hp, wp, ci) layout: the pixel loop, then channels
    realize = inner.body if isinstance(inner, tir.For) else inner
    if not isinstance(realize, SBlockRealize) or realize.block.name_hint != "x_padded" \
            or len(realize.iter_values) != (4 if isinstance(inner, tir.For) else 3):
        raise ValueError("not the padding's row loop")
    (c,) = realize.block.writes
    (x,) = realize.block.reads
    top, left, _, _ = s["pads"]
    h, ci = s["h"], s["ci"]
    loops = [loop, inner] if isinstance(inner, tir.For) else [loop]
    b, r, *cols = realize.iter_values
    if any(not v.same_as(lp.loop_var) or not isinstance(lp.min, tir.IntImm) or int(lp.min) != 0
           for v, lp in zip(cols, loops)) or len(loops) == 2 and int(inner.extent) != ci:
        raise ValueError("not the padding's row loop")
    n = int(loop.extent) * (ci if len(loops) == 2 else 1)
    i32 = lambda v: tir.const(v, "int32")  # noqa: E731
    src = tir.address_of(tir.BufferLoad(x.source, [b, tir.min(tir.max(r - top, i32(0)), i32(h - 1)), i32(0)]))
    zeros = [i32(0)] * len(cols)
    dst = tir.address_of(tir.BufferLoad(c.source, [b, r, *zeros]))
    last = tir.address_of(tir.BufferLoad(c.source, [b, r, i32(int(loop.extent) - 1), i32(ci - 1)] if len(loops) == 2
                                         else [b, r, i32(n - 1)]))
    inside = tir.Select(tir.all(r >= top, r < top + h), i32(1), i32(0))
    return tir.call_extern("int32", micro_kernels.PAD_ROW_NAME, dst, last, src, inside, i32(n), i32(left * ci),
                           i32(s["w"] * ci), i32(s["zp"]))
