"""Shared by the data-movement emitters: boxes for tinycc_copy_box (strides in elements)."""
from __future__ import annotations

from tinycc.core.graph import np_dtype

MAX_DIMS = 6


def contiguous_strides(shape) -> list[int]:
    strides: list[int] = []
    acc = 1
    for d in reversed(shape):
        strides.insert(0, acc)
        acc *= d
    return strides


def box(m, node, dims, src_strides, dst_strides, src_offset=0, dst_offset=0) -> str:
    """A static tinycc_box; dims/strides are padded on the left to 6 dimensions."""
    pad = MAX_DIMS - len(dims)
    if pad < 0:
        raise ValueError(f"{len(dims)}-D copies exceed {MAX_DIMS} dimensions")
    values = [[*([1] * pad), *dims], [*([0] * pad), *src_strides], [*([0] * pad), *dst_strides],
              src_offset, dst_offset]
    return m.struct("tinycc_box", f"{node.name}_box", values)


def copy(m, node, box_symbol: str, src: str, dst: str) -> None:
    m.use_kernel("movement.h")
    m.needs_string = True
    elem = np_dtype(m.g.tensors[node.outputs[0]].dtype).itemsize     # every dtype of the core graph
    m.emit(f"tinycc_copy_box(&{box_symbol}, {src}, {dst}, {elem});")


def copy_slots(m, node, whole: str, parts: list[str], axis: int, gather: bool) -> None:
    """One strided copy per part between it and its slot i along `axis` of `whole` (the parts lack that
    axis): gather (PACK) copies the parts into the whole, otherwise (UNPACK) the whole into the parts."""
    strides = contiguous_strides(m.g.tensors[whole].shape)
    slot_strides = strides[:axis] + strides[axis + 1:]
    for i, name in enumerate(parts):
        shape = m.g.tensors[name].shape
        if gather:
            b = box(m, node, list(shape), contiguous_strides(shape), slot_strides, dst_offset=i * strides[axis])
            copy(m, node, b, m.ptr(name, const=True), m.ptr(whole))
        else:
            b = box(m, node, list(shape), slot_strides, contiguous_strides(shape), src_offset=i * strides[axis])
            copy(m, node, b, m.ptr(whole, const=True), m.ptr(name))
