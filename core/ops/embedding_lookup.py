"""EMBEDDING_LOOKUP: rows of the value table (its first dimension) picked by a 1-D int32 lookup
(TFLM kernels/embedding_lookup.cc). float32 -> float32 and int8 -> int8 copy the rows' bytes (TFLM
does not rescale: the output's quantisation is not looked at); int8 -> float32 is TFLM's hybrid
path, each int8 times the value's one scale in float32 (its zero point must be 0). The lookup
must be constant here and inside [0, rows) (TFLM checks run-time lookups on every invoke and fails
it; tinycc checks them once)."""
from __future__ import annotations

import numpy as np

from tinycc.core.ops import _tflite
from tinycc.core.ops import common as c

NAME = "embedding_lookup"
INPUTS = ("value", "lookup")       # TFLite's order is (lookup, value): the codec swaps them
ATTRS: dict = {}
DTYPES = ("int8", "float32")
SIGNATURES = ("float32, int32 -> float32", "int8, int32 -> int8", "int8, int32 -> float32")


def infer(node, g):
    value, lookup = (g.tensors[n] for n in node.inputs)
    if len(lookup.shape) != 1:
        raise c.fail(node, f"lookup {lookup.name!r} has shape {lookup.shape}; it must be 1-D",
                     hint="TF Lite Micro checks it")
    if len(value.shape) < 2:
        raise c.fail(node, f"value {value.name!r} has shape {value.shape}; it needs at least 2 dimensions",
                     hint="TF Lite Micro checks it")
    return [(lookup.shape[0], *value.shape[1:])]


def prepare(node, g):
    value, lookup = (g.tensors[n] for n in node.inputs)
    out = g.tensors[node.outputs[0]]
    if not lookup.is_const:
        raise c.fail(node, f"lookup {lookup.name!r} is computed at run time; tinycc needs it constant",
                     hint="TFLM bounds-checks run-time lookups on every invoke; fold them into a constant")
    data = np.asarray(lookup.data).reshape(-1)
    rows = int(value.shape[0])
    bad = np.flatnonzero((data < 0) | (data >= rows))
    if bad.size:
        raise c.fail(node, f"lookup {int(data[bad[0]])} (entry {int(bad[0])} of {lookup.name!r}) is outside "
                           f"[0, {rows}) for the value {value.name!r} {value.shape}",
                     hint="TFLM fails the invoke on it")
    p = {"rows": rows, "columns": int(value.size // rows) if rows else 0, "lookup": tuple(int(v) for v in data),
         "hybrid": value.dtype == "int8" and out.dtype == "float32", "elem": 4 if value.dtype == "float32" else 1}
    if p["hybrid"]:
        if value.quant is None or value.quant.per_channel:
            raise c.fail(node, f"value {value.name!r} needs one (per-tensor) scale for the int8 -> float32 lookup",
                         hint="TF Lite Micro dequantises with the tensor's one scale")
        if int(value.quant.zp) != 0:
            raise c.fail(node, f"value {value.name!r} has zero point {int(value.quant.zp)}; the int8 -> float32 "
                               "lookup needs 0", hint="TF Lite Micro checks it")
        p["scale"] = float(np.float32(value.quant.s))
    return p


def run(node, g, inputs, p):
    value = inputs[0].reshape(p["rows"], p["columns"])
    rows = value[list(p["lookup"])]
    if p["hybrid"]:
        rows = rows.astype(np.float32) * np.float32(p["scale"])
    return [np.ascontiguousarray(rows).reshape(g.tensors[node.outputs[0]].shape)]


def _tflite_write(ctx, node, inputs):
    return ctx.builtin, None, [inputs[1], inputs[0]]


TFLITE = _tflite.TFLite("EMBEDDING_LOOKUP", inputs=(1, 0), write=_tflite_write)
