"""TF Lite Micro's compressed constants in a .tflite file: each TFLM_DECODE operator folded into the
constants it decodes (core/lut.py states the format), every field checked first.

The decoded tensor becomes an ordinary constant holding exactly the values TF Lite Micro's DECODE writes;
an int8 one also keeps its encoding (`Tensor.lut`) so that the c backend reads the indices and tables
from flash instead of the decoded copy. The encoded and ancillary tensors go when nothing else reads them.
A model in the older COMPRESSION_METADATA scheme (metadata.fbs, before the DECODE operator) is refused.
"""
from __future__ import annotations

import numpy as np

from tinycc.core import lut
from tinycc.core.errors import TinyccError
from tinycc.core.graph import Tensor, np_dtype

NAME = f"CUSTOM/{lut.DECODE_OP}"
OLD_METADATA = "COMPRESSION_METADATA"


def check_old_scheme(r) -> None:
    for m in r.model.metadata or []:
        if r.text(m.name) == OLD_METADATA:
            raise r.fail("the model is compressed with TF Lite Micro's older COMPRESSION_METADATA scheme, "
                         "which tinycc does not read",
                         hint="compress the uncompressed model with TF Lite Micro's compress.py (it writes "
                              "TFLM_DECODE operators), or give tinycc the uncompressed model with "
                              "--compress-weights BITS")


def fold(r, tensors: dict[str, Tensor], op_indices: list[int]) -> set[int]:
    """Decode the outputs of the TFLM_DECODE operators `op_indices` of subgraph r.sg into constants;
    returns those operator indices (the importer skips them)."""
    if not op_indices:
        return set()
    operators = r.sg.operators or []
    produced = {o for i, op in enumerate(operators) if i not in op_indices for o in _ints(op.outputs)}
    graph_inputs = set(_ints(r.sg.inputs))
    spent: set[int] = set()
    for index in op_indices:
        op = operators[index]
        ins, outs = _ints(op.inputs), _ints(op.outputs)
        where = f"op{index}"

        def fail(message, hint=None, where=where):
            return TinyccError(message, file=str(r.path), node=where, op=NAME, hint=hint)

        if not ins or len(ins) % 2 or len(outs) != len(ins) // 2:
            raise fail(f"TFLM_DECODE takes (encoded, ancillary) input pairs and one output each; it has "
                       f"{len(ins)} inputs and {len(outs)} outputs")
        for i in ins + outs:
            if not 0 <= i < len(r.tensor_names):
                raise fail(f"TFLM_DECODE refers to tensor {i}, but the model has tensors "
                           f"0..{len(r.tensor_names) - 1}")
        for k, o in enumerate(outs):
            enc_i, anc_i = ins[2 * k], ins[2 * k + 1]
            enc, anc, out = (tensors[r.tensor_names[i]] for i in (enc_i, anc_i, o))
            if o in produced or o in graph_inputs or out.variable or out.data is not None or o in spent:
                raise fail(f"the decoded tensor {out.name!r} must be written by this TFLM_DECODE only "
                           "(no buffer, not a model input, not another operator's output)")
            out.data, out.lut = _decode(out, enc, anc, fail)
            spent.add(o)
    used = {t for i, op in enumerate(operators) if i not in op_indices for t in _ints(op.inputs)}
    used |= set(_ints(r.sg.outputs))
    for index in op_indices:
        for t in _ints(operators[index].inputs):
            if t not in used:
                tensors.pop(r.tensor_names[t], None)
    return set(op_indices)


def _ints(indices) -> list[int]:
    return [int(i) for i in (indices if indices is not None else [])]


def _decode(out: Tensor, enc: Tensor, anc: Tensor, fail) -> tuple[np.ndarray, lut.Lut | None]:
    name = out.name
    if enc.data is None or anc.data is None or any(t.dtype != "uint8" or len(t.shape) != 1 for t in (enc, anc)):
        raise fail(f"the encoded and ancillary inputs of {name!r} ({enc.name!r}, {anc.name!r}) must be constant "
                   "1-D UINT8 tensors")
    if out.dtype not in lut.DECODE_DTYPES:
        raise fail(f"{name!r} is {out.dtype}; TF Lite Micro's DECODE writes " + ", ".join(lut.DECODE_DTYPES))
    a = anc.data.tobytes()
    if len(a) < lut.DCM_BYTES:
        raise fail(f"the ancillary tensor {anc.name!r} of {name!r} has {len(a)} bytes, less than the "
                   f"{lut.DCM_BYTES}-byte DECODE header")
    if a[0] != lut.LUT_TYPE:
        kind = {1: "Huffman", 2: "pruning"}.get(a[0], "custom" if a[0] >= 128 else "reserved")
        raise fail(f"{name!r} is compressed with decode type {a[0]} ({kind}); tinycc reads LUT (type 0) only",
                   hint="compress with lut in TF Lite Micro's compression spec")
    if a[1] != lut.DCM_VERSION or a[4] != lut.LUT_VERSION:
        raise fail(f"{name!r}: DECODE header version {a[1]}, LUT version {a[4]}; tinycc reads version 1 of both")
    bits, axis_field, stride = a[5] & 7, a[5] >> 4, a[6]
    if not 1 <= bits <= lut.MAX_BITS or stride < 1:
        raise fail(f"{name!r}: index width {bits} bits and table stride {stride}; the width must be "
                   f"1..{lut.MAX_BITS} and the stride at least 1")
    rank, q = len(out.shape), out.quant
    channels, qaxis = (int(q.scale.size), int(q.axis)) if q is not None else (1, 0)
    alternate = channels > 1 and qaxis == rank - 1
    if qaxis != 0 and not alternate:
        raise fail(f"{name!r} is quantised on axis {qaxis}; TF Lite Micro's DECODE takes axis 0, or the last "
                   "axis with several channels")
    if channels > 1 and (qaxis >= rank or out.shape[qaxis] != channels):
        raise fail(f"{name!r} has {channels} scales for shape {out.shape} on axis {qaxis}")
    same = (axis_field == lut.PER_TENSOR_AXIS or (axis_field < rank and out.shape[axis_field] == 1)) \
        if channels == 1 else axis_field == qaxis
    if not same:
        named = "one table" if axis_field == lut.PER_TENSOR_AXIS else f"tables along axis {axis_field}"
        raise fail(f"{name!r}: the DECODE header names {named}, but TF Lite Micro decodes "
                   + ("one table (the tensor is quantised per tensor)" if channels == 1 else
                      f"{channels} tables along axis {qaxis} (its quantisation)"),
                   hint="compress per_channel along the quantised axis, or per_tensor for a per-tensor "
                        "quantised (or float) tensor")
    item = np_dtype(out.dtype).itemsize
    need = lut.DCM_BYTES + channels * stride * item
    if len(a) < need:
        raise fail(f"the ancillary tensor {anc.name!r} of {name!r} has {len(a)} bytes; {channels} tables of "
                   f"{stride} {out.dtype} values need {need}")
    count = out.size
    if count * bits >= 1 << 31:
        raise fail(f"{name!r} has {count} elements, too many to compress")
    e = enc.data.tobytes()
    if len(e) < lut.packed_bytes(count, bits):
        raise fail(f"the encoded tensor {enc.name!r} of {name!r} has {len(e)} bytes; {count} indices of "
                   f"{bits} bits need {lut.packed_bytes(count, bits)}")
    raw = np.frombuffer(a[lut.DCM_BYTES:need], dtype=np.uint8 if out.dtype == "bool" else np_dtype(out.dtype))
    tables = raw.astype(bool) if out.dtype == "bool" else raw.copy()
    enc_lut = lut.Lut(bits, tables.reshape(channels, stride), e[:lut.packed_bytes(count, bits)], alternate)
    bad = lut.bad_index(enc_lut, count)
    if bad is not None:
        raise fail(f"{name!r}: element {bad[0]} has index {bad[1]}, past the {stride}-entry value table of "
                   f"channel {bad[2]}")
    values = lut.decode(enc_lut, out.shape)
    return values, (enc_lut if out.dtype == "int8" else None)
