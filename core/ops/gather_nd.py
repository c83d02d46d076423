"""GATHER_ND: slices of the params picked by the rows of an int32 index tensor (its last
dimension, at most 5, indexes the leading params dimensions). Constant indices must be inside the
params' dimensions (checked here, at compile time). Indices computed at run time are checked on every
invoke as TFLM does: only the row's flat position counts (sum of index x elements per step), so an index
past its dimension that still lands inside the params is read like TFLM reads it, and one landing outside
makes TFLM fail the invoke, the reference raise a TinyccError and the C return
NAME_ERROR_INDEX_OUT_OF_RANGE before copying anything. (TFLM sums in int, which can overflow for
indices near 2**31; tinycc sums in int64 and refuses such rows.)"""
from __future__ import annotations

import numpy as np

from tinycc.core.ops import _movement as mv
from tinycc.core.ops import _tflite
from tinycc.core.ops import common as c

NAME = "gather_nd"
INPUTS = ("params", "indices")
ATTRS: dict = {}
DTYPES = ("int8", "float32")
SIGNATURES = tuple(f"{d}, int32 -> {d}" for d in DTYPES)   # params, indices -> output (TFLM's kernel)
SHARES_INPUT_QUANT, VALUE_PRESERVING = True, True
MAX_INDICES_ND = 5


def infer(node, g):
    x, idx = g.tensors[node.inputs[0]], g.tensors[node.inputs[1]]
    if not x.shape or not idx.shape:
        raise c.fail(node, f"params {x.shape} and indices {idx.shape} must both be at least vectors")
    nd = idx.shape[-1]
    if not 1 <= nd <= min(len(x.shape), MAX_INDICES_ND):
        raise c.fail(node, f"indices' last dimension {nd} must be in [1, {min(len(x.shape), MAX_INDICES_ND)}] "
                           f"(params {x.shape}; TFLM takes at most {MAX_INDICES_ND})")
    return [(*idx.shape[:-1], *x.shape[nd:])]


def prepare(node, g):
    x, idx = g.tensors[node.inputs[0]], g.tensors[node.inputs[1]]
    dtype = mv.same_dtype_and_quant(node, g, [node.inputs[0], *node.outputs], "GATHER_ND", DTYPES)
    if idx.dtype != "int32":
        raise c.fail(node, f"indices {idx.name!r} are {idx.dtype}; TFLM's GATHER_ND takes int32 indices")
    nd = idx.shape[-1]
    slice_size = int(np.prod(x.shape[nd:], dtype=np.int64))
    counts = [int(np.prod(x.shape[j + 1:nd], dtype=np.int64)) for j in range(nd)]   # in slices
    if not idx.is_const:
        return {"dtype": dtype, "runtime": True, "counts": counts, "slice_size": slice_size,
                "count": x.size // slice_size, "rows": idx.size // nd, "indices": idx.name,
                "params_shape": tuple(x.shape)}
    rows = np.asarray(idx.data, dtype=np.int64).reshape(-1, nd)
    for j, d in enumerate(x.shape[:nd]):
        bad = np.flatnonzero((rows[:, j] < 0) | (rows[:, j] >= d))
        if bad.size:
            raise c.fail(node, f"index {int(rows[bad[0], j])} (row {int(bad[0])} of {idx.name!r}) is outside "
                               f"[0, {d}) for dimension {j} of the params {x.shape}")
    slices = (rows * np.array(counts, dtype=np.int64)).sum(axis=1).astype(np.int32)
    return {"dtype": dtype, "slices": slices, "slice_size": slice_size, "count": x.size // slice_size}


def run(node, g, inputs, p):
    x = inputs[0].reshape(p["count"], p["slice_size"])
    slices = _runtime_slices(node, np.asarray(inputs[1]), p) if p.get("runtime") else p["slices"]
    return [np.ascontiguousarray(x[slices])]


def _runtime_slices(node, indices, p):
    """The slice each index row names, by its flat position as TFLM computes it; a TinyccError when one
    lands outside the params (TFLM fails the invoke there)."""
    rows = indices.astype(np.int64).reshape(p["rows"], len(p["counts"]))
    slices = (rows * np.array(p["counts"], dtype=np.int64)).sum(axis=1)
    bad = np.flatnonzero((slices < 0) | (slices >= p["count"]))
    if bad.size:
        raise c.fail(node, f"index row {rows[bad[0]].tolist()} (row {int(bad[0])} of {p['indices']!r}, computed "
                           f"at run time) lands outside the params {p['params_shape']}",
                     hint="TFLM fails the invoke on it; the C returns NAME_ERROR_INDEX_OUT_OF_RANGE")
    return slices


TFLITE = _tflite.TFLite("GATHER_ND")
