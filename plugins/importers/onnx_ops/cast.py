"""Cast of an activation: CAST to float32, int8, int16, int32, uint32 or bool (TFLM's kernel);
to its own type it is an identity; other target types are refused. Casts of constants are
folded (plugins/importers/onnx_fold.py)."""
from __future__ import annotations

TARGETS = {1: "float32", 3: "int8", 5: "int16", 6: "int32", 9: "bool", 12: "uint32"}   # ONNX data type -> core


def convert(ctx, node, out, name):
    to = int(ctx.attr(node, "to", 0))
    if to not in TARGETS:
        kinds = ctx.onnx.TensorProto.DataType
        shown = kinds.Name(to) if to in kinds.values() else str(to)
        raise ctx.fail(node, f"Cast to {shown} is not supported",
                       hint="tinycc casts activations to FLOAT, INT8, INT16, INT32, UINT32 and BOOL")
    x = ctx.value(node, node.input[0])
    if ctx.tensors[x].dtype == TARGETS[to]:
        ctx.alias[out] = x
        return
    made = ctx.emit(name, "cast", [x], out, nchw=x in ctx.nchw)
    ctx.tensors[made].dtype = TARGETS[to]
