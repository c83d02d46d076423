"""CMSIS-NN twins of the c emitters (int8): convolution and depthwise wrappers, fully connected
(per-tensor weights), average/max pooling, softmax, elementwise add of equal shapes. Anything
else falls back to the c backend's kernels. Scratch buffers come from tinycc's plan (`scratch`
below gives an upper bound of CMSIS-NN's *_get_buffer_size for scalar and DSP builds); the
generated code checks CMSIS-NN's own figure at run time and returns an error if it is larger."""
from __future__ import annotations

import numpy as np


def _align4(n: int) -> int:
    return (n + 3) // 4 * 4


def scratch_bytes(node, g) -> int:
    """Upper bound of the CMSIS-NN scratch a node needs (non-MVE cores)."""
    if not applies(node, g):
        return 0
    if node.op == "conv_2d":
        w = g.tensors[node.inputs[1]].shape
        return 4 * _align4(w[1] * w[2] * w[3])
    if node.op == "depthwise_conv_2d":
        x, w = g.tensors[node.inputs[0]].shape, g.tensors[node.inputs[1]].shape
        return 2 * x[3] * w[1] * w[2]
    if node.op == "average_pool_2d":
        return 4 * g.tensors[node.inputs[0]].shape[3]
    return 0


def applies(node, g) -> bool:
    ins = [g.tensors[n] for n in node.inputs if n is not None]
    out = g.tensors[node.outputs[0]]
    if ins[0].dtype != "int8" or out.dtype != "int8":
        return False
    if node.op in ("conv_2d", "depthwise_conv_2d", "average_pool_2d", "max_pool_2d"):
        return ins[0].shape[0] == 1
    if node.op == "fully_connected":
        return not ins[1].quant.per_channel and ins[1].quant.zp == 0
    if node.op == "softmax":
        return True
    if node.op == "add":
        return tuple(ins[0].shape) == tuple(ins[1].shape) == tuple(out.shape)
    return False


class CmsisNN:
    """An emitter for the ops above; `m` is the c backend's CModule."""

    def emit(self, node, m, p):
        g, a = m.g, node.attrs
        m.uses_cmsis_nn = True
        x_t, y_t = g.tensors[node.inputs[0]], g.tensors[node.outputs[0]]
        x, y = m.ptr(node.inputs[0], const=True), m.ptr(node.outputs[0])
        index = next(i for i, n in enumerate(g.nodes) if n is node)      # node names may repeat
        key = m.plan.scratch.get(index)
        size = scratch_bytes(node, g)
        buf = f"(arena.bytes + {m.plan.offsets[key]})" if key is not None else "NULL"
        ctx = f"{{ {buf}, {size} }}"

        def dims(shape):
            n, h, w, c = (list(shape) + [1, 1, 1, 1])[:4] if len(shape) == 4 else (1, 1, 1, int(np.prod(shape)))
            return f"{{ {n}, {h}, {w}, {c} }}"

        act = f"{{ {p.get('act_min', -128)}, {p.get('act_max', 127)} }}"
        lines = []
        if node.op in ("conv_2d", "depthwise_conv_2d"):
            w_t = g.tensors[node.inputs[1]]
            mult = m.const_array(np.asarray(p["multiplier"], np.int32), "mult")
            shift = m.const_array(np.asarray(p["shift"], np.int32), "shift")
            bias = m.ptr(node.inputs[2], const=True) if len(node.inputs) > 2 and node.inputs[2] else "NULL"
            (sh, sw), (dh, dw) = a["strides"], a["dilations"]
            top, left = a["pads"][0], a["pads"][1]
            co = w_t.shape[0] if node.op == "conv_2d" else w_t.shape[3]
            lines += [f"cmsis_nn_context ctx = {ctx};",
                      f"cmsis_nn_per_channel_quant_params q = {{ (int32_t *){mult}, (int32_t *){shift} }};",
                      f"const cmsis_nn_dims in_d = {dims(x_t.shape)}, f_d = {dims(w_t.shape)}, "
                      f"b_d = {{ 1, 1, 1, {co} }}, out_d = {dims(y_t.shape)};"]
            if node.op == "conv_2d":
                lines += [f"const cmsis_nn_conv_params cp = {{ {-p['input_zp']}, {p['output_zp']}, {{ {sw}, {sh} }}, "
                          f"{{ {left}, {top} }}, {{ {dw}, {dh} }}, {act} }};",
                          f"if (arm_convolve_wrapper_s8_get_buffer_size(&cp, &in_d, &f_d, &out_d) > {size}) return 3;",
                          f"if (arm_convolve_wrapper_s8(&ctx, &cp, &q, &in_d, {x}, &f_d, {m.ptr(node.inputs[1], const=True)}, "
                          f"&b_d, {bias}, &out_d, {y}) != ARM_CMSIS_NN_SUCCESS) return 4;"]
            else:
                lines += [f"const cmsis_nn_dw_conv_params cp = {{ {-p['input_zp']}, {p['output_zp']}, "
                          f"{a['depth_multiplier']}, {{ {sw}, {sh} }}, {{ {left}, {top} }}, {{ {dw}, {dh} }}, {act} }};",
                          f"if (arm_depthwise_conv_wrapper_s8_get_buffer_size(&cp, &in_d, &f_d, &out_d) > {size}) return 3;",
                          f"if (arm_depthwise_conv_wrapper_s8(&ctx, &cp, &q, &in_d, {x}, &f_d, "
                          f"{m.ptr(node.inputs[1], const=True)}, &b_d, {bias}, &out_d, {y}) != ARM_CMSIS_NN_SUCCESS) return 4;"]
        elif node.op == "fully_connected":
            w_t = g.tensors[node.inputs[1]]
            units, depth = w_t.shape
            rows = x_t.size // depth
            bias = m.ptr(node.inputs[2], const=True) if len(node.inputs) > 2 and node.inputs[2] else "NULL"
            lines += ["cmsis_nn_context ctx = { NULL, 0 };",
                      f"const cmsis_nn_fc_params fp = {{ {-p['input_zp']}, {-p['weights_zp']}, {p['output_zp']}, {act} }};",
                      f"const cmsis_nn_per_tensor_quant_params q = {{ {int(p['multiplier'][0])}, {int(p['shift'][0])} }};",
                      f"const cmsis_nn_dims in_d = {{ {rows}, 1, 1, {depth} }}, f_d = {{ {depth}, 1, 1, {units} }}, "
                      f"b_d = {{ 1, 1, 1, {units} }}, out_d = {{ {rows}, 1, 1, {units} }};",
                      "if (arm_fully_connected_s8_get_buffer_size(&f_d) > 0) return 3;",
                      f"if (arm_fully_connected_s8(&ctx, &fp, &q, &in_d, {x}, &f_d, {m.ptr(node.inputs[1], const=True)}, "
                      f"&b_d, {bias}, &out_d, {y}) != ARM_CMSIS_NN_SUCCESS) return 4;"]
        elif node.op in ("average_pool_2d", "max_pool_2d"):
            (sh, sw), (kh, kw) = a["strides"], a["kernel"]
            top, left = a["pads"][0], a["pads"][1]
            fn = "arm_avgpool_s8" if node.op == "average_pool_2d" else "arm_max_pool_s8"
            lines += [f"cmsis_nn_context ctx = {ctx};",
                      f"const cmsis_nn_pool_params pp = {{ {{ {sw}, {sh} }}, {{ {left}, {top} }}, {act} }};",
                      f"const cmsis_nn_dims in_d = {dims(x_t.shape)}, f_d = {{ 1, {kh}, {kw}, 1 }}, out_d = {dims(y_t.shape)};"]
            if node.op == "average_pool_2d":
                lines.append(f"if (arm_avgpool_s8_get_buffer_size({y_t.shape[2]}, {x_t.shape[3]}) > {size}) return 3;")
            lines.append(f"if ({fn}(&ctx, &pp, &in_d, {x}, &f_d, &out_d, {y}) != ARM_CMSIS_NN_SUCCESS) return 4;")
        elif node.op == "softmax":
            depth = x_t.shape[-1]
            lines.append(f"arm_softmax_s8({x}, {x_t.size // depth}, {depth}, {p['input_multiplier']}, "
                         f"{p['input_left_shift']}, {p['diff_min']}, {y});")
        elif node.op == "add":
            lines.append(f"if (arm_elementwise_add_s8({x}, {m.ptr(node.inputs[1], const=True)}, {-p['input1_zp']}, "
                         f"{p['input1_multiplier']}, {p['input1_shift']}, {-p['input2_zp']}, {p['input2_multiplier']}, "
                         f"{p['input2_shift']}, {p['left_shift']}, {y}, {p['output_zp']}, {p['output_multiplier']}, "
                         f"{p['output_shift']}, {p['act_min']}, {p['act_max']}, {y_t.size}) != ARM_CMSIS_NN_SUCCESS) return 4;")
        m.emit("{ " + " ".join(lines) + " }")


def twins(node, g):
    return CmsisNN() if applies(node, g) else None
