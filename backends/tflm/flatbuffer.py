"""Writes a core graph as a TFLite flatbuffer (schema object API from `tflite-micro`).

The inverse of the TFLite importer: explicit core attributes go back to TFLite's conventions
(pads -> SAME/VALID, reshape shape / pad amounts / axes / slice bounds / permutations -> int32
constant operands). Constant buffers are 16-byte aligned. Used by the tflm backend and to build
the single-operator models the tests run through TF Lite Micro.
"""
from __future__ import annotations

import flatbuffers
import numpy as np

from tinycc.core.errors import TinyccError
from tinycc.core.graph import Graph, Node, Tensor
from tinycc.core.ops import common

TENSOR_TYPES = {"float32": 0, "int32": 2, "uint8": 3, "int64": 4, "bool": 6, "int16": 7, "int8": 9}
ACTIVATIONS = {"none": 0, "relu": 1, "relu_n1_to_1": 2, "relu6": 3}
PADDING_SAME, PADDING_VALID = 0, 1
BUILTINS = {
    "conv_2d": "CONV_2D", "depthwise_conv_2d": "DEPTHWISE_CONV_2D", "fully_connected": "FULLY_CONNECTED",
    "average_pool_2d": "AVERAGE_POOL_2D", "max_pool_2d": "MAX_POOL_2D", "add": "ADD", "sub": "SUB",
    "mul": "MUL", "reshape": "RESHAPE", "softmax": "SOFTMAX", "logistic": "LOGISTIC", "tanh": "TANH",
    "relu": "RELU", "relu6": "RELU6", "leaky_relu": "LEAKY_RELU", "pad": "PAD",
    "concatenation": "CONCATENATION", "mean": "MEAN", "quantize": "QUANTIZE", "dequantize": "DEQUANTIZE",
    "strided_slice": "STRIDED_SLICE", "transpose": "TRANSPOSE",
}


OFFLINE_PLAN_NAME = "OfflineMemoryAllocation"
BUFFER_ALIGN = 16


class _Made:
    """A tensor the writer adds (a padded input): referred to by this handle, never by name, so a
    graph tensor of the same name can never be mistaken for it."""

    def __init__(self, tensor: Tensor, index: int):
        self.tensor, self.index = tensor, index


def _schema():
    from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as schema_fb
    return schema_fb


def _aligned_buffer_pack(self, builder):
    """BufferT.Pack with the data vector aligned to 16 bytes (TFLite's force_align), so
    int32/float weights can be read in place on any core."""
    s = _schema()
    data = None
    if self.data is not None and len(self.data):
        raw = bytes(np.asarray(self.data, dtype=np.uint8))
        builder.StartVector(1, len(raw), BUFFER_ALIGN)
        builder.head = builder.head - len(raw)
        builder.Bytes[builder.head:builder.head + len(raw)] = raw
        data = builder.EndVector()
    s.BufferStart(builder)
    if data is not None:
        s.BufferAddData(builder, data)
    return s.BufferEnd(builder)


def _padding(node: Node, in_shape, kernel, strides, dilations) -> int | None:
    """SAME or VALID for the node's explicit pads, or None when TFLite cannot express them."""
    pads = tuple(node.attrs.get("pads", (0, 0, 0, 0)))
    if not any(pads):
        return PADDING_VALID
    top, bottom = common.same_padding(in_shape[1], kernel[0], strides[0], dilations[0])
    left, right = common.same_padding(in_shape[2], kernel[1], strides[1], dilations[1])
    if pads == (top, left, bottom, right):
        return PADDING_SAME
    return None


class _Writer:
    def __init__(self, g: Graph):
        self.s = _schema()
        self.g = g
        self.tensors: list = []
        self.index: dict[str, int] = {}          # graph tensor name -> flatbuffer tensor
        self.graph_names: list[str | None] = []  # per flatbuffer tensor: its graph name (None: made here)
        self.buffers = [self.s.BufferT()]
        self.opcodes: list = []
        self.opcode_index: dict[str, int] = {}

    def buffer(self, data: np.ndarray | None) -> int:
        if data is None:
            return 0
        b = self.s.BufferT()
        b.Pack = _aligned_buffer_pack.__get__(b)
        b.data = np.frombuffer(np.ascontiguousarray(data).tobytes(), dtype=np.uint8)
        self.buffers.append(b)
        return len(self.buffers) - 1

    def tensor(self, t: Tensor, made: bool = False) -> int:
        """The flatbuffer index of graph tensor `t` (added once), or of a new tensor the writer
        `made` (operands such as a reshape's shape: never shared, whatever their names)."""
        if not made and t.name in self.index:
            return self.index[t.name]
        tt = self.s.TensorT()
        tt.name = t.name
        tt.shape = np.array(t.shape, dtype=np.int32)
        tt.type = TENSOR_TYPES[t.dtype]
        tt.buffer = self.buffer(t.data)
        if t.quant is not None:
            q = self.s.QuantizationParametersT()
            q.scale = np.asarray(t.quant.scale, dtype=np.float32).reshape(-1)
            q.zeroPoint = np.asarray(t.quant.zero_point, dtype=np.int64).reshape(-1)
            q.quantizedDimension = int(t.quant.axis)
            tt.quantization = q
        self.tensors.append(tt)
        self.graph_names.append(None if made else t.name)
        if not made:
            self.index[t.name] = len(self.tensors) - 1
        return len(self.tensors) - 1

    def ref(self, name) -> int:
        """The flatbuffer index of a node's operand: a graph tensor name or a _Made handle."""
        return name.index if isinstance(name, _Made) else self.tensor(self.g.tensors[name])

    def lookup(self, name) -> Tensor:
        return name.tensor if isinstance(name, _Made) else self.g.tensors[name]

    def const_int32(self, node: Node, what: str, values) -> int:
        arr = np.asarray(values, dtype=np.int32)
        return self.tensor(Tensor(f"{node.name}/{what}", tuple(arr.shape), "int32", data=arr), made=True)

    def opcode(self, builtin: str) -> int:
        if builtin not in self.opcode_index:
            code = self.s.OperatorCodeT()
            value = getattr(self.s.BuiltinOperator, builtin)
            code.builtinCode = value
            code.deprecatedBuiltinCode = min(value, 127)
            code.version = 1
            self.opcodes.append(code)
            self.opcode_index[builtin] = len(self.opcodes) - 1
        return self.opcode_index[builtin]

    def explicit_pad(self, node: Node) -> tuple[list, Node]:
        """A PAD operator in front of `node` (whose pads SAME/VALID cannot express), and the node
        rewritten to read the padded tensor with VALID padding."""
        g = self.g
        x = g.tensors[node.inputs[0]]
        if node.op == "average_pool_2d":
            raise TinyccError(f"explicit pads {node.attrs['pads']} on AVERAGE_POOL_2D cannot be written to TFLite",
                              node=node.name, op=node.op, hint="TFLite averages in-bounds elements only")
        top, left, bottom, right = node.attrs["pads"]
        shape = (x.shape[0], x.shape[1] + top + bottom, x.shape[2] + left + right, x.shape[3])
        padded_t = Tensor(f"{node.name}/padded", shape, x.dtype, x.quant)
        padded = _Made(padded_t, self.tensor(padded_t, made=True))     # the graph is left as it is
        attrs = {"paddings": ((0, 0), (top, bottom), (left, right), (0, 0)), "value": None}
        if node.op == "max_pool_2d":          # padding must never win the max
            attrs["value"] = -128 if x.dtype == "int8" else (-32768 if x.dtype == "int16" else float("-inf"))
        pad = Node(f"{node.name}/pad", "pad", [node.inputs[0]], [padded], attrs)
        rewritten = Node(node.name, node.op, [padded, *node.inputs[1:]], node.outputs,
                         {**node.attrs, "pads": (0, 0, 0, 0)})
        return [self.operator(pad)], rewritten

    def operators(self, node: Node) -> list:
        if node.op in ("conv_2d", "depthwise_conv_2d", "max_pool_2d", "average_pool_2d") and any(node.attrs["pads"]):
            x = self.g.tensors[node.inputs[0]]
            a = node.attrs
            kernel = a["kernel"] if "kernel" in a else self.g.tensors[node.inputs[1]].shape[1:3]
            if _padding(node, x.shape, kernel, a["strides"], a.get("dilations", (1, 1))) is None:
                pre, node = self.explicit_pad(node)
                return pre + [self.operator(node)]
        return [self.operator(node)]

    def operator(self, node: Node):
        s, g, a = self.s, self.g, node.attrs
        builtin = BUILTINS.get(node.op)
        if builtin is None:
            raise TinyccError(f"operator {node.op} has no TFLite equivalent in the writer", node=node.name, op=node.op)
        names = list(node.inputs)
        while names and names[-1] is None:        # TFLM reads a trailing -1 as a present input
            names.pop()
        inputs = [-1 if n is None else self.ref(n) for n in names]
        act = ACTIVATIONS[a.get("activation", "none")]
        x = self.lookup(node.inputs[0])
        opt_type, opt = 0, None
        if node.op in ("conv_2d", "depthwise_conv_2d"):
            w = g.tensors[node.inputs[1]]
            if node.op == "conv_2d":
                opt_type, opt = s.BuiltinOptions.Conv2DOptions, s.Conv2DOptionsT()
            else:
                opt_type, opt = s.BuiltinOptions.DepthwiseConv2DOptions, s.DepthwiseConv2DOptionsT()
                opt.depthMultiplier = int(a["depth_multiplier"])
            opt.padding = _padding(node, x.shape, w.shape[1:3], a["strides"], a["dilations"])
            opt.strideH, opt.strideW = (int(v) for v in a["strides"])
            opt.dilationHFactor, opt.dilationWFactor = (int(v) for v in a["dilations"])
            opt.fusedActivationFunction = act
        elif node.op in ("average_pool_2d", "max_pool_2d"):
            opt_type, opt = s.BuiltinOptions.Pool2DOptions, s.Pool2DOptionsT()
            opt.padding = _padding(node, x.shape, a["kernel"], a["strides"], (1, 1))
            opt.strideH, opt.strideW = (int(v) for v in a["strides"])
            opt.filterHeight, opt.filterWidth = (int(v) for v in a["kernel"])
            opt.fusedActivationFunction = act
        elif node.op == "fully_connected":
            opt_type, opt = s.BuiltinOptions.FullyConnectedOptions, s.FullyConnectedOptionsT()
            opt.fusedActivationFunction = act
            opt.keepNumDims = bool(a["keep_num_dims"])
        elif node.op in ("add", "sub", "mul"):
            name = {"add": "AddOptions", "sub": "SubOptions", "mul": "MulOptions"}[node.op]
            opt_type, opt = getattr(s.BuiltinOptions, name), getattr(s, name + "T")()
            opt.fusedActivationFunction = act
        elif node.op == "concatenation":
            opt_type, opt = s.BuiltinOptions.ConcatenationOptions, s.ConcatenationOptionsT()
            opt.axis = int(a["axis"])
            opt.fusedActivationFunction = act
        elif node.op == "reshape":
            shape = g.tensors[node.outputs[0]].shape
            inputs = inputs[:1] + [self.const_int32(node, "shape", shape)]
            opt_type, opt = s.BuiltinOptions.ReshapeOptions, s.ReshapeOptionsT()
            opt.newShape = np.array(shape, dtype=np.int32)
        elif node.op == "softmax":
            opt_type, opt = s.BuiltinOptions.SoftmaxOptions, s.SoftmaxOptionsT()
            opt.beta = float(a["beta"])
        elif node.op == "leaky_relu":
            opt_type, opt = s.BuiltinOptions.LeakyReluOptions, s.LeakyReluOptionsT()
            opt.alpha = float(a["alpha"])
        elif node.op == "pad":
            inputs = inputs[:1] + [self.const_int32(node, "paddings", a["paddings"])]
            value = a.get("value")
            if value is not None:
                builtin = "PADV2"
                data = np.array([value], dtype=np.dtype(x.dtype))
                inputs.append(self.tensor(Tensor(f"{node.name}/value", (1,), x.dtype, x.quant, data), made=True))
        elif node.op == "mean":
            inputs = inputs[:1] + [self.const_int32(node, "axes", a["axes"])]
            opt_type, opt = s.BuiltinOptions.ReducerOptions, s.ReducerOptionsT()
            opt.keepDims = bool(a["keep_dims"])
        elif node.op == "strided_slice":
            inputs = inputs[:1] + [self.const_int32(node, k, a[k]) for k in ("begin", "end", "strides")]
            opt_type, opt = s.BuiltinOptions.StridedSliceOptions, s.StridedSliceOptionsT()
            opt.beginMask, opt.endMask = int(a["begin_mask"]), int(a["end_mask"])
            opt.ellipsisMask, opt.newAxisMask = int(a["ellipsis_mask"]), int(a["new_axis_mask"])
            opt.shrinkAxisMask, opt.offset = int(a["shrink_axis_mask"]), bool(a["offset"])
        elif node.op == "transpose":
            inputs = inputs[:1] + [self.const_int32(node, "perm", a["perm"])]
        op = s.OperatorT()
        op.opcodeIndex = self.opcode(builtin)
        op.inputs = np.array(inputs, dtype=np.int32)
        op.outputs = np.array([self.ref(n) for n in node.outputs], dtype=np.int32)
        op.builtinOptionsType = opt_type
        op.builtinOptions = opt
        return op

    def offline_plan(self, offsets: dict[str, int]):
        """TFLM's OfflineMemoryAllocation metadata: [version 0, subgraph 0, n, offset or -1 per tensor]."""
        values = [0, 0, len(self.tensors)]
        for t, name in zip(self.tensors, self.graph_names):       # tensors made here are never planned
            values.append(-1 if t.buffer or name is None or name not in offsets else int(offsets[name]))
        meta = self.s.MetadataT()
        meta.name = OFFLINE_PLAN_NAME
        meta.buffer = self.buffer(np.array(values, dtype="<i4"))
        return meta

    def model(self, offsets: dict[str, int] | None = None) -> bytes:
        s, g = self.s, self.g
        sub = s.SubGraphT()
        sub.name = g.name
        sub.inputs = np.array([self.tensor(g.tensors[n]) for n in g.inputs], dtype=np.int32)
        sub.operators = [op for n in g.nodes for op in self.operators(n)]
        sub.outputs = np.array([self.tensor(g.tensors[n]) for n in g.outputs], dtype=np.int32)
        sub.tensors = self.tensors
        m = s.ModelT()
        m.version = 3
        m.description = "tinycc"
        m.operatorCodes = self.opcodes
        m.subgraphs = [sub]
        if offsets is not None:
            m.metadata = [self.offline_plan(offsets)]
        m.buffers = self.buffers
        builder = flatbuffers.Builder(1024)
        builder.Finish(m.Pack(builder), file_identifier=b"TFL3")
        return bytes(builder.Output())


def write_tflite(g: Graph, offline_offsets: dict[str, int] | None = None) -> bytes:
    """The TFLite flatbuffer of a (validated) core graph; with `offline_offsets` (tensor name ->
    arena offset), tinycc's memory plan is embedded as TFLM's OfflineMemoryAllocation metadata."""
    return _Writer(g).model(offline_offsets)
