"""tinycc's core graph (float32) -> an Apache TVM Relax module, one Relax op per core op.

NHWC throughout (conv2d with data_layout NHWC / kernel_layout OHWI), so TVM's kernels read
tinycc's tensors as they are. Fused activations become relu / clip. Relax inputs are the core
inputs in order, named by their C identifiers (names.Namer: names are data).
"""
from __future__ import annotations

import numpy as np

from tinycc.backends.c import names
from tinycc.core.errors import TinyccError
from tinycc.core.graph import Graph
from tinycc.core.ops.strided_slice import bounds

FLOAT_OPS = ("conv_2d", "depthwise_conv_2d", "fully_connected", "average_pool_2d", "max_pool_2d", "add", "sub", "mul",
             "reshape", "softmax", "relu", "relu6", "logistic", "tanh", "leaky_relu", "mean", "pad", "concatenation",
             "transpose", "strided_slice")


def _activation(relax, x, activation: str):
    if activation == "relu":
        return relax.op.nn.relu(x)
    if activation == "relu6":
        return relax.op.clip(x, 0.0, 6.0)
    if activation == "relu_n1_to_1":
        return relax.op.clip(x, -1.0, 1.0)
    return x


def to_relax(g: Graph):
    from tvm import relax
    for name, t in g.tensors.items():
        if t.dtype != "float32" and not (t.is_const and t.dtype == "int32"):
            raise TinyccError("the Relax path takes float32 models only", file=g.source,
                              hint="quantised models go through generate_quantised()")
    bb = relax.BlockBuilder()
    namer = names.Namer()         # names are data: TVM makes C parameter names of these
    params = [relax.Var(namer(n, "input"), relax.TensorType(g.tensors[n].shape, "float32")) for n in g.inputs]
    env = dict(zip(g.inputs, params))

    def val(name):
        if name in env:
            return env[name]
        t = g.tensors[name]
        if t.is_const:
            return relax.const(np.ascontiguousarray(t.data.astype(np.float32)))
        raise KeyError(name)

    with bb.function("main", params):
        with bb.dataflow():
            for node in g.nodes:
                env[node.outputs[0]] = bb.emit(_op(relax, node, g, val))
            outs = [env[n] if n in env else val(n) for n in g.outputs]
            result = bb.emit_output(outs[0] if len(outs) == 1 else relax.Tuple(outs))
        bb.emit_func_output(result)
    return bb.get()


def _op(relax, node, g, val):
    op, a = node.op, node.attrs
    x = val(node.inputs[0])
    if op in ("conv_2d", "depthwise_conv_2d"):
        w = g.tensors[node.inputs[1]].data.astype(np.float32)
        groups = 1
        if op == "depthwise_conv_2d":
            groups = g.tensors[node.inputs[0]].shape[3]
            w = np.ascontiguousarray(w.transpose(3, 1, 2, 0))      # (1,KH,KW,CM) -> OHWI with I = 1
        y = relax.op.nn.conv2d(x, relax.const(w), strides=a["strides"], padding=a["pads"], dilation=a["dilations"],
                               groups=groups, data_layout="NHWC", kernel_layout="OHWI")
        if len(node.inputs) > 2 and node.inputs[2] is not None:
            y = relax.op.add(y, val(node.inputs[2]))
        return _activation(relax, y, a["activation"])
    if op == "fully_connected":
        w = g.tensors[node.inputs[1]].data.astype(np.float32)
        rows = g.tensors[node.inputs[0]].size // w.shape[1]
        y = relax.op.matmul(relax.op.reshape(x, (rows, w.shape[1])), relax.const(np.ascontiguousarray(w.T)))
        if len(node.inputs) > 2 and node.inputs[2] is not None:
            y = relax.op.add(y, val(node.inputs[2]))
        y = _activation(relax, y, a["activation"])
        return relax.op.reshape(y, g.tensors[node.outputs[0]].shape)
    if op in ("average_pool_2d", "max_pool_2d"):
        fn = relax.op.nn.avg_pool2d if op == "average_pool_2d" else relax.op.nn.max_pool2d
        kw = {"count_include_pad": False} if op == "average_pool_2d" else {}
        y = fn(x, pool_size=a["kernel"], strides=a["strides"], padding=a["pads"], layout="NHWC", **kw)
        return _activation(relax, y, a["activation"])
    if op in ("add", "sub", "mul"):
        fn = {"add": relax.op.add, "sub": relax.op.subtract, "mul": relax.op.multiply}[op]
        return _activation(relax, fn(x, val(node.inputs[1])), a["activation"])
    if op == "reshape":
        return relax.op.reshape(x, g.tensors[node.outputs[0]].shape)
    if op == "softmax":
        beta = float(a["beta"])
        return relax.op.nn.softmax(x if beta == 1.0 else relax.op.multiply(x, relax.const(np.float32(beta))), axis=-1)
    if op == "relu":
        return relax.op.nn.relu(x)
    if op == "relu6":
        return relax.op.clip(x, 0.0, 6.0)
    if op == "logistic":
        return relax.op.sigmoid(x)
    if op == "tanh":
        return relax.op.tanh(x)
    if op == "leaky_relu":
        return relax.op.nn.leakyrelu(x, float(a["alpha"]))
    if op == "mean":
        return relax.op.mean(x, axis=list(a["axes"]), keepdims=bool(a["keep_dims"]))
    if op == "pad":
        widths = [v for pair in a["paddings"] for v in pair]
        value = 0.0 if a.get("value") is None else float(a["value"])
        return relax.op.nn.pad(x, widths, pad_value=value)
    if op == "concatenation":
        return relax.op.concat([val(n) for n in node.inputs], axis=a["axis"])
    if op == "transpose":
        return relax.op.permute_dims(x, list(a["perm"]))
    if op == "strided_slice":
        shape = g.tensors[node.inputs[0]].shape
        b = bounds(node, shape)
        if any(stride < 0 for _, _, stride in b):
            raise TinyccError("negative strides are not supported by the microtvm backend yet", node=node.name, op=op)
        y = relax.op.strided_slice(x, axes=list(range(len(shape))), begin=[s for s, _, _ in b],
                                   end=[e for _, e, _ in b], strides=[st for _, _, st in b])
        return relax.op.reshape(y, g.tensors[node.outputs[0]].shape)
    raise TinyccError(f"the microtvm backend has no lowering for {op}", node=node.name, op=op,
                      hint="supported: " + ", ".join(FLOAT_OPS))
