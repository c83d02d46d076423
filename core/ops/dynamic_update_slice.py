"""DYNAMIC_UPDATE_SLICE: the operand with the update written over it at the start indices (TFLM
kernels/dynamic_update_slice.cc). The start indices (int32 or int64, one per operand dimension) may
be computed at run time: TFLM clamps each to [0, operand_dim - update_dim], so any value is safe,
and the kernels here clamp the same way. Bytes are copied, never rescaled (TFLM checks only that
operand and update have one type). When operand and update hold as many elements, TFLM copies the
update whole. At most 6 dimensions (TFLM's kMaxDimensions)."""
from __future__ import annotations

import numpy as np

from tinycc.core.ops import _tflite
from tinycc.core.ops import common as c

NAME = "dynamic_update_slice"
INPUTS = ("operand", "update", "start_indices")
ATTRS: dict = {}
DTYPES = ("int8", "int16", "int32", "float32")
SIGNATURES = tuple(f"{d}, {d}, {i} -> {d}" for d in DTYPES for i in ("int32", "int64"))
MAX_RANK = 6


def infer(node, g):
    x, u, idx = (g.tensors[n] for n in node.inputs)
    if len(u.shape) != len(x.shape):
        raise c.fail(node, f"the update {u.name!r} {u.shape} and the operand {x.name!r} {x.shape} differ in rank",
                     hint="TF Lite Micro requires the same number of dimensions")
    if any(b > a for a, b in zip(x.shape, u.shape)):
        raise c.fail(node, f"the update {u.name!r} {u.shape} is larger than the operand {x.name!r} {x.shape} "
                           "in some dimension", hint="TF Lite Micro checks every dimension")
    if tuple(idx.shape) != (len(x.shape),):
        raise c.fail(node, f"start indices {idx.name!r} have shape {idx.shape}; expected ({len(x.shape)},), one "
                           "per operand dimension", hint="TF Lite Micro checks it")
    return [x.shape]


def prepare(node, g):
    x, u, idx = (g.tensors[n] for n in node.inputs)
    out = g.tensors[node.outputs[0]]
    if x.dtype not in DTYPES or u.dtype != x.dtype or out.dtype != x.dtype:
        raise c.fail(node, f"operand, update and output must share one of {', '.join(DTYPES)}, got "
                           f"{x.dtype}, {u.dtype}, {out.dtype}")
    if idx.dtype not in ("int32", "int64"):
        raise c.fail(node, f"start indices {idx.name!r} are {idx.dtype}; TFLM takes int32 or int64")
    if len(x.shape) > MAX_RANK and x.size != u.size:
        raise c.fail(node, f"the operand has {len(x.shape)} dimensions; TF Lite Micro handles at most {MAX_RANK}")
    return {"dtype": x.dtype, "dims": tuple(int(d) for d in x.shape), "update_dims": tuple(int(d) for d in u.shape),
            "index_dtype": idx.dtype}


def run(node, g, inputs, p):
    x, u, idx = inputs
    if x.size == u.size:
        return [np.array(u, dtype=x.dtype).reshape(x.shape)]
    y = np.array(x, copy=True)
    if u.size == 0:
        return [y]
    starts = [min(max(0, int(i)), d - ud) for i, d, ud in zip(np.asarray(idx).reshape(-1), p["dims"],
                                                             p["update_dims"])]
    y[tuple(slice(s, s + ud) for s, ud in zip(starts, p["update_dims"]))] = u
    return [y]


TFLITE = _tflite.TFLite("DYNAMIC_UPDATE_SLICE", "DynamicUpdateSliceOptions")
