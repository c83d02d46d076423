"""Writes a core graph as a TFLite flatbuffer (schema object API from `tflite-micro`).

The inverse of the TFLite importer: explicit core attributes go back to TFLite's conventions
(pads -> SAME/VALID, reshape shape / pad amounts / axes / slice bounds / permutations -> int32
constant operands) through each operator's TFLite codec (core/ops/<op>.py TFLITE, which the
importer reads too). Constant buffers are 16-byte aligned. Used by the tflm backend and to build
the single-operator models the tests run through TF Lite Micro.
"""
from __future__ import annotations

import flatbuffers
import numpy as np

from tinycc.backends.tflm import lut_write
from tinycc.core import int4, ops
from tinycc.core.errors import TinyccError
from tinycc.core.graph import Graph, Node, Tensor
from tinycc.core.ops import _tflite
from tinycc.core.ops import pad as pad_op

TENSOR_TYPES = {"float32": 0, "int32": 2, "uint8": 3, "int64": 4, "bool": 6, "int16": 7, "int8": 9,
                "uint64": 12, "resource": 13, "uint32": 15, "uint16": 16}
INT4 = 17                      # an int8 constant flagged int4 (core/int4.py), written packed
ACTIVATIONS = _tflite.ACTIVATION_OF
PADDING_SAME, PADDING_VALID = _tflite.PADDING_SAME, _tflite.PADDING_VALID
LOWEST = {"int8": -128, "int16": -32768}      # a max-pool PAD's fill (float: -inf)


OFFLINE_PLAN_NAME = "OfflineMemoryAllocation"
BUFFER_ALIGN = 16


class _Made:
    """A tensor the writer adds (a padded input): a rewritten node refers to it by a key fresh among
    the graph's names (_Writer.made), so a graph tensor of the same name can never be mistaken for it."""

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


_padding = _tflite.padding


class _OpWriter:
    """What an operator's TFLite codec writes with (core/ops/protocol.TFLiteWriteContext)."""

    def __init__(self, w: _Writer, codec, node: Node, x: Tensor | None):
        self.w, self.codec, self.g, self.x, self.builtin = w, codec, w.g, x, codec.builtin
        self.activation_code = ACTIVATIONS[node.attrs.get("activation", "none")]

    def options(self):
        return getattr(self.w.s, self.codec.options + "T")()

    def const_int32(self, node: Node, what: str, values) -> int:
        return self.w.const_int32(node, what, values)

    def made(self, tensor: Tensor) -> int:
        return self.w.tensor(tensor, made=True)

    def variable(self, tensor: Tensor) -> int:
        """A new variable tensor's index (is_variable, no buffer: an LSTM's state)."""
        index = self.w.tensor(tensor, made=True)
        self.w.tensors[index].isVariable = True
        return index


class _Writer:
    def __init__(self, g: Graph):
        self.s = _schema()
        self.g = g
        self.tensors: list = []
        self.index: dict[str, int] = {}          # graph tensor name -> flatbuffer tensor
        self.graph_names: list[str | None] = []  # per flatbuffer tensor: its graph name (None: made here)
        self.buffers = [self.s.BufferT()]
        self.buffer_of: dict[bytes, int] = {}     # a constant's bytes -> its buffer (equal constants share one)
        self.opcodes: list = []
        self.opcode_index: dict[str, int] = {}
        self.made: dict[str, _Made] = {}          # key (fresh among the graph's names) -> tensor made here
        self._made_keys = g.names()
        self.int4 = int4.tflite_packed(g)          # int4 weights written packed (TFLite INT4)

    def buffer(self, data: np.ndarray | None, shared: bool = True) -> int:
        """The index of a buffer holding `data`'s bytes (0: none); `shared`: the one buffer already
        written with the same bytes, if any (TFLite lets tensors share a read-only buffer)."""
        if data is None:
            return 0
        raw = np.ascontiguousarray(data).tobytes()
        if shared and raw in self.buffer_of:
            return self.buffer_of[raw]
        b = self.s.BufferT()
        b.Pack = _aligned_buffer_pack.__get__(b)
        b.data = np.frombuffer(raw, dtype=np.uint8)
        self.buffers.append(b)
        if shared:
            self.buffer_of[raw] = len(self.buffers) - 1
        return len(self.buffers) - 1

    def tensor(self, t: Tensor, made: bool = False) -> int:
        """The flatbuffer index of graph tensor `t` (added once), or of a new tensor the writer
        `made` (operands such as a reshape's shape: never shared, whatever their names)."""
        if not made and t.name in self.index:
            return self.index[t.name]
        tt = self.s.TensorT()
        tt.name = t.name
        tt.shape = np.array(t.shape, dtype=np.int32)
        packed = not made and t.name in self.int4 and t.data is not None
        tt.type = INT4 if packed else TENSOR_TYPES[t.dtype]
        tt.buffer = self.buffer(np.frombuffer(int4.pack(t.data), dtype=np.uint8) if packed and t.data is not None
                                else t.data)
        tt.isVariable = bool(t.variable)
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

    def ref(self, name: str) -> int:
        """The flatbuffer index of a node's operand: a graph tensor name or a key of `made`."""
        made = self.made.get(name)
        return made.index if made is not None else self.tensor(self.g.tensors[name])

    def lookup(self, name: str) -> Tensor:
        made = self.made.get(name)
        return made.tensor if made is not None else self.g.tensors[name]

    def const_int32(self, node: Node, what: str, values) -> int:
        arr = np.asarray(values, dtype=np.int32)
        return self.tensor(Tensor(f"{node.name}/{what}", tuple(arr.shape), "int32", data=arr), made=True)

    def opcode(self, builtin: str) -> int:
        if builtin not in self.opcode_index:
            code = self.s.OperatorCodeT()
            custom = builtin.startswith("CUSTOM/")          # _tflite.keys: "CUSTOM/<custom_code>"
            value = getattr(self.s.BuiltinOperator, "CUSTOM" if custom else builtin)
            code.builtinCode = value
            code.deprecatedBuiltinCode = min(value, 127)
            if custom:
                code.customCode = builtin[len("CUSTOM/"):]
            code.version = 1
            self.opcodes.append(code)
            self.opcode_index[builtin] = len(self.opcodes) - 1
        return self.opcode_index[builtin]

    def explicit_pad(self, node: Node) -> tuple[list, Node]:
        """A PAD operator in front of `node` (whose pads SAME/VALID cannot express), and the node
        rewritten to read the padded tensor with VALID padding."""
        g = self.g
        x = g.tensors[node.input(0)]
        codec = ops.tflite(node.op)
        if codec is None:
            raise TinyccError(f"operator {node.op} has no TFLite equivalent in the writer", node=node.name, op=node.op)
        if codec.pad_fill is None:
            raise TinyccError(f"explicit pads {node.attrs['pads']} on {codec.builtin} cannot be written to TFLite",
                              node=node.name, op=node.op, hint="TFLite averages in-bounds elements only")
        top, left, bottom, right = node.attrs["pads"]
        shape = (x.shape[0], x.shape[1] + top + bottom, x.shape[2] + left + right, x.shape[3])
        padded_t = Tensor(f"{node.name}/padded", shape, x.dtype, x.quant)
        padded = self._made_keys.fresh(padded_t.name)                  # the graph is left as it is
        self.made[padded] = _Made(padded_t, self.tensor(padded_t, made=True))
        attrs: dict[str, object] = {"paddings": ((0, 0), (top, bottom), (left, right), (0, 0)), "value": None}
        if codec.pad_fill == "lowest":        # padding must never win the max
            attrs["value"] = LOWEST.get(x.dtype, float("-inf"))
        pad = Node(f"{node.name}/pad", pad_op.NAME, [node.input(0)], [padded], attrs)
        rewritten = Node(node.name, node.op, [padded, *node.inputs[1:]], node.outputs,
                         {**node.attrs, "pads": (0, 0, 0, 0)})
        return [self.operator(pad)], rewritten

    def operators(self, node: Node) -> list:
        decodes, restore = lut_write.decode_ops(self, node)   # LUT-compressed weights: TFLM_DECODE in front
        try:
            return decodes + self._operators(node)
        finally:
            restore()

    def _operators(self, node: Node) -> list:
        if ops.trait(node.op, "windowed") and any(node.attrs["pads"]):
            x = self.g.tensors[node.input(0)]
            a = node.attrs
            kernel = _tflite.window_kernel(node, self.g)
            if _padding(node, x.shape, kernel, a["strides"], a.get("dilations", (1, 1))) is None:
                pre, node = self.explicit_pad(node)
                return pre + [self.operator(node)]
        return [self.operator(node)]

    def operator(self, node: Node):
        s = self.s
        codec = ops.tflite(node.op)
        if codec is None:
            raise TinyccError(f"operator {node.op} has no TFLite equivalent in the writer", node=node.name, op=node.op)
        names = list(node.inputs)
        while names and names[-1] is None:        # TFLM reads a trailing -1 as a present input
            names.pop()
        inputs = [-1 if n is None else self.ref(n) for n in names]
        ctx = _OpWriter(self, codec, node, self.lookup(node.inputs[0]) if node.inputs and node.inputs[0] else None)
        builtin, opt = codec.builtin, None
        if codec.write is not None:
            builtin, opt, inputs = codec.write(ctx, node, inputs)
        if codec.custom:                   # the options are a dict, written as a flexbuffer map
            return self.custom_operator(node, codec, opt, inputs)
        if opt is not None:
            assert codec.options is not None, f"{codec.builtin}'s codec writes options but names no options table"
        opt_type = getattr(s.BuiltinOptions, codec.options) if opt is not None and codec.options is not None else 0
        op = s.OperatorT()
        op.opcodeIndex = self.opcode(builtin)
        op.inputs = np.array(inputs, dtype=np.int32)
        op.outputs = np.array([self.ref(n) for n in node.outputs], dtype=np.int32)
        op.builtinOptionsType = opt_type
        op.builtinOptions = opt
        return op

    def custom_operator(self, node: Node, codec, options: dict | None, inputs: list):
        """A custom operator (codec.custom): its custom_code's opcode and flexbuffer options."""
        op = self.s.OperatorT()
        op.opcodeIndex = self.opcode(_tflite.keys(codec)[0])
        op.inputs = np.array(inputs, dtype=np.int32)
        op.outputs = np.array([self.ref(n) for n in node.outputs], dtype=np.int32)
        if options:
            op.customOptions = np.frombuffer(_tflite.write_custom_options(options), dtype=np.uint8)
            op.customOptionsFormat = 0                       # FLEXBUFFERS
        return op

    def offline_plan(self, offsets: dict[str, int]):
        """TFLM's OfflineMemoryAllocation metadata: [version 0, subgraph 0, n, offset or -1 per tensor]."""
        values = [0, 0, len(self.tensors)]
        for t, name in zip(self.tensors, self.graph_names):       # tensors made here are never planned
            values.append(-1 if t.buffer or name is None or name not in offsets else int(offsets[name]))
        meta = self.s.MetadataT()
        meta.name = OFFLINE_PLAN_NAME
        meta.buffer = self.buffer(np.array(values, dtype="<i4"), shared=False)
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
        m.subgraphs = [sub, *(_subgraph_t(self, h) for h in g.subgraphs[1:])]
        if offsets is not None and not g.subgraphs:     # TFLM's offline plan covers subgraph 0 only
            m.metadata = [self.offline_plan(offsets)]
        m.buffers = self.buffers
        builder = flatbuffers.Builder(1024)
        builder.Finish(m.Pack(builder), file_identifier=b"TFL3")
        return bytes(builder.Output())


def write_tflite(g: Graph, offline_offsets: dict[str, int] | None = None) -> bytes:
    """The TFLite flatbuffer of a (validated) core graph; with `offline_offsets` (tensor name ->
    arena offset), tinycc's memory plan is embedded as TFLM's OfflineMemoryAllocation metadata."""
    return _Writer(g).model(offline_offsets)


def _subgraph_t(main: _Writer, h: Graph):
    """Subgraph `h` of a multi-subgraph model (Graph.subgraphs, written in their file order) as a
    SubGraphT: its own tensors, the model's buffers and operator codes (shared with `main`)."""
    w = _Writer(h)
    w.buffers, w.buffer_of, w.opcodes, w.opcode_index = main.buffers, main.buffer_of, main.opcodes, main.opcode_index
    sub = w.s.SubGraphT()
    sub.name = h.name
    sub.inputs = np.array([w.tensor(h.tensors[n]) for n in h.inputs], dtype=np.int32)
    sub.operators = [op for n in h.nodes for op in w.operators(n)]
    sub.outputs = np.array([w.tensor(h.tensors[n]) for n in h.outputs], dtype=np.int32)
    sub.tensors = w.tensors
    return sub
