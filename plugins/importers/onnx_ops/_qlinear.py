"""Shared by the QOperator conversions (QLinearConv, QLinearMatMul, QGemm, QLinearAdd, ...).

onnxruntime's QOperator format fuses each quantised layer into one node carrying its scales and
zero points. Each is lowered to the QDQ form tinycc already takes: DEQUANTIZE of its activation
inputs, the float operator (its ordinary ONNX conversion), QUANTIZE to the output's scale; the
weights and the int32 bias become integer constants behind a dequantisation. FoldQDQ then turns
the pattern into the core int8 operator with exactly the file's scales. uint8 tensors become
int8 exactly: values and zero points shifted by 128.
"""
from __future__ import annotations

import numpy as np

from tinycc.core.graph import Node, Quant, Tensor


def zero_point(ctx, node, n: str | None, what: str) -> tuple[np.ndarray, str]:
    """(zero points as int64 in int8 terms, the file's element type); absent means uint8 0."""
    if not n:
        return np.array([-128], dtype=np.int64), "uint8"
    raw = np.asarray(ctx.get_const(node, n, what))
    dtype = str(raw.dtype)
    if dtype not in ("int8", "uint8", "int16"):
        raise ctx.fail(node, f"{what} is {dtype}; int8, uint8 and int16 quantisation are supported")
    zp = np.atleast_1d(raw).astype(np.int64).reshape(-1)
    return (zp - 128 if dtype == "uint8" else zp), dtype


def scale_of(ctx, node, n: str, what: str) -> np.ndarray:
    scale = np.atleast_1d(ctx.get_const(node, n, what)).astype(np.float32).reshape(-1)
    if not np.all(np.isfinite(scale)) or np.any(scale <= 0):
        raise ctx.fail(node, f"{what} {scale.tolist()[:4]} must be positive and finite")
    return scale


def activation(ctx, node, k: int) -> str:
    """Input k of `node` (scale at k+1, zero point at k+2) as a float tensor: the DEQUANTIZE of the
    quantised activation (whose quantisation must be the one stated here), or a constant's value."""
    x, s_name = node.input[k], node.input[k + 1]
    zp_name = node.input[k + 2] if len(node.input) > k + 2 else ""
    scale = scale_of(ctx, node, s_name, f"input {k} scale")
    zp, _ = zero_point(ctx, node, zp_name, f"input {k} zero point")
    if scale.size != 1 or zp.size != 1:
        raise ctx.fail(node, "per-channel quantisation of an activation is not supported")
    n = ctx.name(x)
    if n in ctx.const:            # a quantised constant operand: its real values
        q = ctx.const[n].astype(np.float64)
        raw_zp = np.asarray(ctx.get_const(node, zp_name, "zero point")).astype(np.float64) if zp_name else 0.0
        real = ctx.fresh(n + "/real")
        ctx.const[real] = ((q - raw_zp) * float(scale[0])).astype(np.float32)
        return real
    src = ctx.value(node, n)
    t = ctx.tensors[src]
    if t.quant is None or t.dtype not in ("int8", "int16"):
        raise ctx.fail(node, f"input {x!r} is {t.dtype} without quantisation; a quantised tensor is expected")
    if t.quant.scale.size != 1 or np.float32(t.quant.scale[0]) != scale[0] or t.quant.zp != int(zp[0]):
        raise ctx.fail(node, f"input {x!r} is quantised with scale {float(t.quant.scale[0])!r}, zero point "
                             f"{t.quant.zp} but read with scale {float(scale[0])!r}, zero point {int(zp[0])}",
                       hint="the file is inconsistent; re-quantise the model")
    return ctx.emit(f"{ctx.where(node)}:dequantize{k}", "dequantize", [src], ctx.fresh(src + "/dequantized"),
                    nchw=src in ctx.nchw)


def weight(ctx, node, k: int, axis: int) -> str:
    """Constant input k (scale k+1, zero point k+2) registered as an integer constant behind a
    dequantisation (per-channel along `axis` when several scales are given); its new name."""
    n = ctx.name(node.input[k])
    if n not in ctx.const:
        raise ctx.fail(node, f"input {k} ({node.input[k]!r}) must be a constant (an initializer)")
    q = ctx.const[n]
    if q.dtype not in (np.int8, np.uint8):
        raise ctx.fail(node, f"weights {node.input[k]!r} are {q.dtype}; int8 and uint8 weights are supported")
    scale = scale_of(ctx, node, node.input[k + 1], f"input {k} scale")
    raw_zp = (np.atleast_1d(ctx.get_const(node, node.input[k + 2], f"input {k} zero point")).astype(np.int64)
              if len(node.input) > k + 2 and node.input[k + 2] else np.zeros(1, dtype=np.int64))
    if scale.size > 1 and (q.ndim == 0 or q.shape[axis] != scale.size):
        raise ctx.fail(node, f"{scale.size} scales do not match axis {axis} of the {q.shape} weights")
    zp = np.broadcast_to(raw_zp, scale.shape).copy() if raw_zp.size == 1 else raw_zp
    if zp.size != scale.size:
        raise ctx.fail(node, f"{scale.size} weight scales but {zp.size} zero points")
    name = ctx.fresh(n + "/q")
    ctx.dq_const[name] = (q, scale, zp, axis)
    return name


def bias(ctx, node, n: str, x_scale: np.ndarray, w_scale: np.ndarray) -> str:
    """An int32 bias, scale input scale x weight scale (zero point 0)."""
    b = ctx.get_const(node, n, "bias")
    if b.dtype != np.int32:
        raise ctx.fail(node, f"the bias is {b.dtype}; an int32 bias is expected")
    scale = (np.float32(x_scale[0]) * w_scale).astype(np.float32)
    name = ctx.fresh(ctx.name(n) + "/q")
    if b.ndim != 1 or scale.size not in (1, b.size):
        raise ctx.fail(node, f"the bias of shape {b.shape} does not match {scale.size} weight scales")
    ctx.dq_const[name] = (b, scale, np.zeros(scale.size, dtype=np.int64), 0)
    return name


def float_node(ctx, node, op_type: str, inputs: list[str], drop=("channels_last",)):
    """A copy of `node` as the standard ONNX float operator `op_type` on `inputs`, output fresh."""
    if int(ctx.attr(node, "channels_last", 0)):
        raise ctx.fail(node, "channels_last=1 is not supported")
    from onnx import NodeProto
    n = NodeProto()
    n.CopyFrom(node)
    n.op_type, n.domain = op_type, ""
    del n.input[:], n.output[:], n.attribute[:]
    n.input.extend(inputs)
    n.output.append(ctx.fresh(node.output[0] + "/float"))
    n.attribute.extend(a for a in node.attribute if a.name not in drop)
    return n


def run_float(ctx, node, op_type: str, inputs: list[str], s_idx: int | None, zp_idx: int | None,
              drop=("channels_last",)):
    """Convert the float operator, then QUANTIZE its result into the node's output (scale at input
    s_idx, zero point at zp_idx); without s_idx the output stays float (QGemm without y_scale)."""
    from tinycc.plugins.importers.onnx_ops import converters
    fnode = float_node(ctx, node, op_type, inputs, drop)
    converters()[op_type].convert(ctx, fnode, fnode.output[0], ctx.where(node))
    y = ctx.name(fnode.output[0])
    out = node.output[0]
    if s_idx is None or len(node.input) <= s_idx or not node.input[s_idx]:
        ctx.alias[out] = y
        return
    scale = scale_of(ctx, node, node.input[s_idx], "output scale")
    zp_name = node.input[zp_idx] if zp_idx is not None and len(node.input) > zp_idx else ""
    zp, dtype = zero_point(ctx, node, zp_name, "output zero point")
    quantize(ctx, node, y, out, f"{ctx.where(node)}:quantize", scale, zp, dtype)


def quantize(ctx, node, x: str, out: str, name: str, scale: np.ndarray, zp: np.ndarray, dtype: str) -> None:
    """A QUANTIZE node `name` of float activation `x` into `out` (int16 for an int16 zero point, else
    int8) at one scale and zero point (per tensor; `zero_point`'s terms); `out` keeps `x`'s layout."""
    if scale.size != 1 or zp.size != 1:
        raise ctx.fail(node, "per-channel quantisation of an activation is not supported")
    nchw = x in ctx.nchw
    if nchw and out in ctx.graph_outputs:
        raise ctx.fail(node, "a quantised 4-D model output is not supported yet", hint="dequantize the output")
    ctx.tensors[out] = Tensor(out, (), "int16" if dtype == "int16" else "int8", Quant(scale, zp))
    if nchw:
        ctx.nchw.add(out)
    ctx.nodes.append(Node(name, "quantize", [x], [out]))
