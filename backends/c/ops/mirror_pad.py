"""C emitter for mirror_pad: a copy through per-axis index maps (kernels/index_map.h) computed
by the reference's own source_index."""
from __future__ import annotations

import numpy as np

from tinycc.backends.c.ops import _movement as mv
from tinycc.core.graph import np_dtype
from tinycc.core.ops.mirror_pad import source_index


def emit(node, m, p):
    x, y = m.g.tensors[node.inputs[0]], m.g.tensors[node.outputs[0]]
    strides = mv.contiguous_strides(x.shape)
    maps = np.concatenate([k * s for k, s in zip(source_index(node, x.shape), strides)]).astype(np.int32)
    m.use_kernel("index_map.h")
    m.needs_string = True
    dims = m.const_array(np.array(y.shape, dtype=np.int32), f"{node.name}_dims")
    table = m.const_array(maps, f"{node.name}_map")
    m.emit(f"tinycc_copy_index_map({m.ptr(node.inputs[0], const=True)}, {m.ptr(node.outputs[0])}, "
           f"{np_dtype(y.dtype).itemsize}, {len(y.shape)}, {dims}, {table});")
