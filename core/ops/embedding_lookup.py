"""EMBEDDING_LOOKUP: rows of the value table (its first dimension) picked by a 1-D int32 lookup
(TFLM kernels/embedding_lookup.cc). float32 -> float32 and int8 -> int8 copy the rows' bytes (TFLM
does not rescale: the output's quantisation is not looked at); int8 -> float32 is TFLM's hybrid
path, each int8 times the value's one scale in float32 (its zero point must be 0). A constant lookup
must be inside [0, rows) (checked here, at compile time); a lookup computed at run time is checked on
every invoke, as TFLM does: a row outside makes TFLM fail the invoke, the reference raise a
TinyccError and the C return NAME_ERROR_INDEX_OUT_OF_RANGE before writing anything."""
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
    rows = int(value.shape[0])
    if rows == 0:
        raise c.fail(node, f"value {value.name!r} {value.shape} has no rows",
                     hint="TF Lite Micro divides by the row count in Prepare")
    if lookup.is_const:
        _check_rows(node, np.asarray(lookup.data), lookup.name, rows, value)
    p = {"rows": rows, "columns": int(value.size // rows), "count": int(lookup.shape[0]),
         "runtime": not lookup.is_const,
         "lookup": tuple(int(v) for v in np.asarray(lookup.data).reshape(-1)) if lookup.is_const else None,
         "lookup_name": lookup.name,
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


def _check_rows(node, data, name, rows, value, when="", hint="TFLM fails the invoke on it"):
    """A clear error for the first lookup outside [0, rows) (TFLM's check in its Eval)."""
    data = np.asarray(data).reshape(-1)
    bad = np.flatnonzero((data < 0) | (data >= rows))
    if bad.size:
        raise c.fail(node, f"lookup {int(data[bad[0]])} (entry {int(bad[0])} of {name!r}{when}) is outside "
                           f"[0, {rows}) for the value {value.name!r} {value.shape}", hint=hint)


def run(node, g, inputs, p):
    if p["runtime"]:
        lookup = np.asarray(inputs[1]).reshape(-1)
        _check_rows(node, lookup, p["lookup_name"], p["rows"], g.tensors[node.inputs[0]], when=", computed at run time",
                    hint="TFLM fails the invoke on it; the C returns NAME_ERROR_INDEX_OUT_OF_RANGE")
    else:
        lookup = np.array(p["lookup"], dtype=np.int64)
    value = inputs[0].reshape(p["rows"], p["columns"])
    rows = value[lookup]
    if p["hybrid"]:
        rows = rows.astype(np.float32) * np.float32(p["scale"])
    return [np.ascontiguousarray(rows).reshape(g.tensors[node.outputs[0]].shape)]


def _tflite_write(ctx, node, inputs):
    return ctx.builtin, None, [inputs[1], inputs[0]]


TFLITE = _tflite.TFLite("EMBEDDING_LOOKUP", inputs=(1, 0), write=_tflite_write)
