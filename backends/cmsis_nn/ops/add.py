"""add through CMSIS-NN's arm_elementwise_add_s8 (int8, both inputs of the output's shape: no
broadcasting; other adds take the c kernel).

In place over either input: every build (scalar, DSP's 4 at a time, MVE's 4 at a time) reads
elements i.. of both inputs before writing elements i.. of the output, at the same indices."""
from __future__ import annotations

from tinycc.backends.cmsis_nn.ops._common import block, int8_io, io
from tinycc.core.inplace import Overlap


def applies(node, g) -> bool:
    a, b, y = (g.tensors[n] for n in (*node.inputs[:2], node.outputs[0]))
    return int8_io(node, g) and tuple(a.shape) == tuple(b.shape) == tuple(y.shape)


def emit(node, m, p):
    x, y = io(node, m)
    size = m.g.tensors[node.outputs[0]].size
    block(m, [f"if (arm_elementwise_add_s8({x}, {m.ptr(node.inputs[1], const=True)}, {-p['input1_zp']}, "
              f"{p['input1_multiplier']}, {p['input1_shift']}, {-p['input2_zp']}, {p['input2_multiplier']}, "
              f"{p['input2_shift']}, {p['left_shift']}, {y}, {p['output_zp']}, {p['output_multiplier']}, "
              f"{p['output_shift']}, {p['act_min']}, {p['act_max']}, {size}) != ARM_CMSIS_NN_SUCCESS) return 4;"])


def in_place(node, g) -> Overlap:
    """The output may take either input's bytes, at the same address."""
    return Overlap(gap=0, inputs=(0, 1))
