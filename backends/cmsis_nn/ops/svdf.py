"""svdf through CMSIS-NN's arm_svdf_state_s16_s8 (int8 input and feature weights, int16 state and time
weights), filled as TFLM's cmsis_nn/svdf.cc fills cmsis_nn_svdf_params: input_offset = the input zero
point (arm_svdf_state_s16_s8 negates it before adding it to the input, whatever the header says),
output_offset = the output zero point, the state clamped to all of int16, the output to all of int8
(TFLM's integer SVDF applies no fused activation).

arm_svdf_state_s16_s8 assumes the int16 state's zero point is 0: it stores the rescaled feature sum
without adding one and multiplies the raw state by the time weights. TFLM's reference adds and subtracts
it, so the twin applies only to states with zero point 0 (what TensorFlow's converter writes for an int16
state); others keep the c kernel. Its two int32 buffers, filters and units per batch, are one scratch
block in the arena. The int8-state arm_svdf_s8 has no twin: it ignores the int8 state's zero point too,
and int8 states have one."""
from __future__ import annotations

from tinycc.backends.cmsis_nn.ops._common import block, context, io
from tinycc.core.ops import svdf as core_svdf


def applies(node, g) -> bool:
    x, wf, wt, _, state = (g.tensors[n] for n in node.inputs[:5])
    y = g.tensors[node.outputs[0]]
    if (x.dtype, wf.dtype, wt.dtype, state.dtype, y.dtype) != ("int8", "int8", "int16", "int16", "int8"):
        return False
    return state.quant is not None and int(state.quant.zp) == 0


def _sizes(node, g) -> tuple[int, int]:
    """(filters, units) int32 per batch: arm_svdf_state_s16_s8's buffer_a and buffer_b, in bytes."""
    batch, _, filters, units, _, _ = core_svdf.dims(node, g)
    return 4 * batch * filters, 4 * batch * units


def scratch_bytes(node, g, kernels: str = "dsp") -> int:
    """Both buffers, the same for scalar, DSP and MVE builds (`kernels` makes no difference)."""
    return sum(_sizes(node, g))


def emit(node, m, p):
    g = m.g
    batch, size, filters, units, memory, rank = core_svdf.dims(node, g)
    a, b = _sizes(node, g)
    x, y = io(node, m)
    wf, wt, bias = (m.ptr(n, const=True) for n in node.inputs[1:4])
    state = m.ptr(node.inputs[4])
    block(m, [f"cmsis_nn_context ctx_a = {context(node, m, a)};",
              f"cmsis_nn_context ctx_b = {{ (int8_t *)ctx_a.buf + {a}, {b} }};",
              f"const cmsis_nn_svdf_params sp = {{ {rank}, {p['input_zp']}, {p['output_zp']}, "
              "{ -32768, 32767 }, { -128, 127 } };",
              f"const cmsis_nn_per_tensor_quant_params q1 = {{ {p['multiplier_1']}, {p['shift_1']} }}, "
              f"q2 = {{ {p['multiplier_2']}, {p['shift_2']} }};",
              f"const cmsis_nn_dims in_d = {{ {batch}, {size}, 1, 1 }}, "
              f"st_d = {{ {batch}, {filters * memory}, 1, 1 }}, "
              f"wf_d = {{ {filters}, {size}, 1, 1 }}, wt_d = {{ {filters}, {memory}, 1, 1 }}, "
              f"b_d = {{ {units}, 1, 1, 1 }}, out_d = {{ {batch}, {units}, 1, 1 }};",
              f"if (arm_svdf_state_s16_s8(&ctx_a, &ctx_b, &sp, &q1, &q2, &in_d, {x}, &st_d, {state}, &wf_d, {wf}, "
              f"&wt_d, {wt}, &b_d, {bias}, &out_d, {y}) != ARM_CMSIS_NN_SUCCESS) return 4;"])
