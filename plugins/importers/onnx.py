"""ONNX importer: an .onnx file (float32, opsets 13+) -> the core graph (NHWC inside).

ONNX is NCHW; the core is NHWC. Every 4-D activation is stored NHWC and remembered as
"channels moved last", so shape-sensitive operators (axes of Concat/Softmax/ReduceMean/Pad,
Transpose permutations, constants broadcast against activations) are translated, and a
TRANSPOSE back to NCHW is inserted before anything that depends on the memory order
(Reshape, Flatten). Model inputs and outputs keep ONNX's own layout: 4-D inputs are
transposed to NHWC by the first operator, 4-D outputs back to NCHW by the last.
Dynamic dimensions are pinned to 1. Unsupported operators or attributes are clear errors
naming the node.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from tinycc.core.errors import TinyccError
from tinycc.core.graph import Graph, NameSpace, Node, Tensor
from tinycc.core.hookspec import hookimpl
from tinycc.core.ops.common import same_padding
from tinycc.core.validate import MAX_NODES, validate

NCHW_TO_NHWC = (0, 2, 3, 1)
NHWC_TO_NCHW = (0, 3, 1, 2)
AXIS_TO_CORE = {0: 0, 1: 3, 2: 1, 3: 2}        # an NCHW axis -> its position in NHWC
ONNX_DTYPES = {1: "float32", 3: "int8", 5: "int16", 6: "int32", 7: "int64"}
MIN_OPSET = 13
SUPPORTED = ("Add", "AveragePool", "BatchNormalization", "Clip", "Concat", "Constant", "Conv", "DequantizeLinear",
             "Dropout",
             "Flatten", "Gemm", "GlobalAveragePool", "Identity", "LeakyRelu", "MatMul", "MaxPool", "Mul", "Pad",
             "QuantizeLinear", "ReduceMean", "Relu", "Reshape", "Sigmoid", "Softmax", "Squeeze", "Sub", "Tanh",
             "Transpose", "Unsqueeze")
# the attribute types (AttributeProto) the importer reads; a FLOAT attribute may also be given as INT
ATTR_KINDS = {"axis": "INT", "group": "INT", "transA": "INT", "transB": "INT", "keepdims": "INT", "ceil_mode": "INT",
              "count_include_pad": "INT", "allowzero": "INT", "training_mode": "INT", "perm": "INTS",
              "kernel_shape": "INTS", "strides": "INTS", "pads": "INTS", "dilations": "INTS", "axes": "INTS",
              "alpha": "FLOAT", "beta": "FLOAT", "epsilon": "FLOAT", "auto_pad": "STRING", "mode": "STRING"}
# inputs an operator cannot do without (1 unless listed)
MIN_INPUTS = {"Add": 2, "Sub": 2, "Mul": 2, "MatMul": 2, "Gemm": 2, "Conv": 2, "BatchNormalization": 5,
              "Reshape": 2, "Pad": 2, "QuantizeLinear": 2, "DequantizeLinear": 2, "Constant": 0}


class _Builder:
    def __init__(self, model, path: Path, io_layout: str = "source"):
        import onnx
        from onnx import numpy_helper
        self.onnx, self.nph = onnx, numpy_helper
        self.path = path
        self.io_layout = io_layout
        self.notes: list[str] = []
        self.graph = model.graph
        self.tensors: dict[str, Tensor] = {}
        self.nodes: list[Node] = []
        self.nchw: set[str] = set()          # core tensors holding an NCHW tensor as NHWC
        self.const: dict[str, np.ndarray] = {}
        self.dq_const: dict[str, tuple] = {}      # DequantizeLinear of an initializer: (q, scale, zp, axis)
        self.alias: dict[str, str] = {}
        self.shapes: dict[str, tuple[int, ...]] = {}
        # every name of the file is taken: a name tinycc invents (a transpose's output, a folded
        # constant) can never be one the model uses, however the model names its tensors
        self.names = NameSpace([vi.name for vi in [*self.graph.input, *self.graph.output, *self.graph.value_info]],
                               [init.name for init in self.graph.initializer],
                               [n for nd in self.graph.node for n in [*nd.input, *nd.output]])
        self.checked = 0                     # nodes whose output shapes are known (see _infer_shape)
        self.consumers: dict[str, int] = {}
        for nd in self.graph.node:
            for i in nd.input:
                self.consumers[i] = self.consumers.get(i, 0) + 1
        self.graph_outputs = {o.name for o in self.graph.output}
        for init in self.graph.initializer:
            try:
                arr = numpy_helper.to_array(init)
            except Exception as exc:       # dims, data type and data disagree: onnx raises many kinds
                raise TinyccError(f"initializer {init.name!r} is malformed ({type(exc).__name__}: {exc})",
                                  file=str(path), hint="its dims, data type and data must agree") from None
            if arr.dtype.kind not in "biuf":
                raise TinyccError(f"initializer {init.name!r} has unsupported data type {arr.dtype}",
                                  file=str(path), hint="numeric initializers only")
            self.const[init.name] = arr
        for vi in list(self.graph.input) + list(self.graph.value_info) + list(self.graph.output):
            dims = vi.type.tensor_type.shape.dim
            self.shapes[vi.name] = tuple(d.dim_value if d.HasField("dim_value") and d.dim_value > 0 else 1 for d in dims)
            if vi in self.graph.input and any(not (d.HasField("dim_value") and d.dim_value > 0) for d in dims):
                shown = tuple(d.dim_value if d.HasField("dim_value") and d.dim_value > 0 else (d.dim_param or "?")
                              for d in dims)
                self.notes.append(f"input {vi.name!r} has dynamic dimensions {shown}: pinned to 1, "
                                  f"compiled as {self.shapes[vi.name]}")

    # ---- helpers ----
    def fail(self, node, message, hint=None):
        where = node.name or (node.output[0] if len(node.output) else "") or f"#{list(self.graph.node).index(node)}"
        return TinyccError(message, file=str(self.path), node=where, op=node.op_type, hint=hint)

    def scalar(self, node, n: str, what: str) -> float:
        value = np.asarray(self.get_const(node, n, what))
        if value.size != 1:
            raise self.fail(node, f"{what} must be a single value, got shape {value.shape}")
        return float(value.reshape(-1)[0])

    def ints(self, node, key, default, count: int, least: int) -> tuple[int, ...]:
        """An INTS attribute of `count` values >= `least` (kernel, strides, dilations, pads)."""
        values = tuple(self.attr(node, key, default) if default is not None or self.has_attr(node, key) else ())
        if len(values) != count or min(values, default=least) < least:
            raise self.fail(node, f"attribute {key} = {list(values)} must be {count} integers >= {least}",
                            hint="2-D operators only" if len(values) != count else None)
        return values

    def has_attr(self, node, key) -> bool:
        return any(a.name == key for a in node.attribute)

    def fresh(self, base: str) -> str:
        return self.names.fresh(base)

    def name(self, n: str) -> str:
        while n in self.alias:
            n = self.alias[n]
        return n

    def attr(self, node, key, default=None):
        for a in node.attribute:
            if a.name == key:
                kinds = self.onnx.AttributeProto.AttributeType
                kind = ATTR_KINDS.get(key)
                if kind is not None and a.type != kinds.Value(kind) and not (kind == "FLOAT" and a.type == kinds.INT):
                    raise self.fail(node, f"attribute {key!r} is of type {kinds.Name(a.type)}, expected {kind}")
                return self.onnx.helper.get_attribute_value(a)
        return default

    def get_const(self, node, n: str, what: str) -> np.ndarray:
        n = self.name(n)
        if n in self.dq_const:
            q, scale, zp, axis = self.dq_const[n]
            shape = [1] * q.ndim
            if scale.size > 1:
                shape[axis] = -1
            return ((q.astype(np.float64) - zp.reshape(shape)) * scale.reshape(shape)).astype(np.float32)
        if n not in self.const:
            raise self.fail(node, f"{what} must be a constant (an initializer)",
                            hint="export with constant folding (torch.onnx.export(..., do_constant_folding=True))")
        return self.const[n]

    def int_const(self, node, n: str, what: str) -> list[int]:
        """A constant operand that ONNX defines as integers (shapes, axes, pads), as a flat list."""
        value = np.asarray(self.get_const(node, n, what))
        if value.dtype.kind not in "iu":
            raise self.fail(node, f"{what} must be an integer tensor, not {value.dtype}",
                            hint="the file is probably corrupted; re-export the model")
        return [int(v) for v in value.reshape(-1)]

    def core_const(self, n: str, arr: np.ndarray) -> str:
        arr = np.ascontiguousarray(arr)
        dtype = "float32" if arr.dtype.kind == "f" else "int32"
        arr = arr.astype(np.float32 if dtype == "float32" else np.int32)
        self.tensors[n] = Tensor(n, tuple(arr.shape), dtype, data=arr)
        return n

    def act(self, n: str, nchw: bool = False) -> str:
        self.tensors[n] = Tensor(n, (), "float32")
        if nchw:
            self.nchw.add(n)
        return n

    def emit(self, node_name: str, op: str, ins: list, out: str, attrs=None, nchw=False) -> str:
        if nchw and out in self.graph_outputs:     # the NCHW output is made by a final transpose
            self.alias[out] = internal = self.fresh(out + "/nhwc")
            out = internal
        self.act(out, nchw)
        ins = list(ins)
        while ins and ins[-1] is None:
            ins.pop()
        self.nodes.append(Node(node_name, op, ins, [out], attrs or {}))
        return out

    def value(self, node, n: str) -> str:
        """The core tensor for an ONNX activation input (constants are materialised as given)."""
        n = self.name(n)
        if n in self.tensors:
            return n
        if n in self.const:
            return self.core_const(n, self.const[n])
        raise self.fail(node, f"input {n!r} is not computed by an earlier node")

    def plain(self, node, n: str) -> str:
        """The tensor in ONNX's own memory order (NCHW), transposing back if needed."""
        n = self.value(node, n)
        if n not in self.nchw:
            return n
        return self.emit(f"{node.name}:to_nchw", "transpose", [n], self.fresh(n + "/nchw"), {"perm": NHWC_TO_NCHW})

    def binary_operand(self, node, n: str, other_nchw: bool) -> str:
        """A binary op's operand; constants broadcast against an NHWC-held activation are permuted."""
        n = self.name(n)
        if n in self.const and other_nchw:
            c = self.const[n]
            if c.ndim > 4:
                raise self.fail(node, f"constant of rank {c.ndim} against a 4-D activation")
            c4 = c.reshape((1,) * (4 - c.ndim) + c.shape).transpose(NCHW_TO_NHWC)
            return self.core_const(self.fresh(n + "/nhwc"), c4)
        return self.value(node, n)

    # ---- conversion ----
    def convert(self):
        for what, vis in (("input", self.graph.input), ("output", self.graph.output)):
            names = [vi.name for vi in vis]
            twice = sorted({n for n in names if names.count(n) > 1})
            if twice or "" in names:
                raise TinyccError(f"graph {what} {(twice or [''])[0]!r} is listed twice or has no name",
                                  file=str(self.path))
        for vi in self.graph.input:
            if vi.name in self.const:
                continue
            elem = vi.type.tensor_type.elem_type
            dtype = ONNX_DTYPES.get(elem)
            if dtype not in ("float32", "int8", "int16"):
                kinds = self.onnx.TensorProto.DataType
                shown = f"{kinds.Name(elem)} ({elem})" if elem in kinds.values() else str(elem)
                raise TinyccError(f"input {vi.name!r} has ONNX element type {shown}; FLOAT, INT8 and INT16 inputs "
                                  "are supported", file=str(self.path))
            shape = self.shapes[vi.name]
            if len(shape) == 4 and self.io_layout == "nhwc":        # the caller supplies NHWC: no transpose
                self.tensors[vi.name] = Tensor(vi.name, tuple(shape[k] for k in NCHW_TO_NHWC), dtype)
                self.nchw.add(vi.name)
                continue
            self.tensors[vi.name] = Tensor(vi.name, shape, dtype)    # an integer input takes its DequantizeLinear's quantisation
            if len(shape) == 4:
                self.emit(f"input:{vi.name}", "transpose", [vi.name], self.fresh(vi.name + "/nhwc"),
                          {"perm": NCHW_TO_NHWC}, nchw=True)
                self.alias[vi.name] = self.nodes[-1].outputs[0]
        for node in self.graph.node:
            self.node(node)
        outputs = []
        for vi in self.graph.output:
            n = self.name(vi.name)
            if n in self.nchw and self.io_layout == "source":
                self.emit(f"output:{vi.name}", "transpose", [n], vi.name, {"perm": NHWC_TO_NCHW})
                n = vi.name
            elif n != vi.name and n in self._inputs():
                # an output that is a model input (Identity, Dropout): a copy of its own, so the
                # caller's input buffer is never also the model's result
                self.emit(f"output:{vi.name}", "reshape", [n], vi.name, {"shape": tuple(self.tensors[n].shape)})
                n = vi.name
            elif n != vi.name and n not in [x.name for x in self.graph.input]:
                # give the output tensor its ONNX name
                for nd in self.nodes:
                    nd.outputs = [vi.name if o == n else o for o in nd.outputs]
                    nd.inputs = [vi.name if i == n else i for i in nd.inputs]
                t = self.tensors.pop(n)
                t.name = vi.name
                self.tensors[vi.name] = t
                n = vi.name
            outputs.append(n)
        return [vi.name for vi in self.graph.input if vi.name not in self.const], outputs

    def node(self, node):
        op = node.op_type
        handler = getattr(self, f"op_{op}", None)
        if handler is None or node.domain not in ("", "ai.onnx"):
            raise self.fail(node, f"ONNX operator {op} is not supported", hint="supported: " + ", ".join(SUPPORTED))
        if not len(node.output) or not node.output[0]:
            raise self.fail(node, "the node has no output")
        need = MIN_INPUTS.get(op, 1)
        if len(node.input) < need or not all(node.input[:need]) or (op == "Concat" and not all(node.input)):
            raise self.fail(node, f"needs {need} input{'s' if need > 1 else ''}, got {list(node.input)}")
        handler(node, node.output[0], node.name or node.output[0])

    # weights (float, or integer behind a DequantizeLinear in QDQ models)
    def weight(self, node, n: str, what: str, transform, axis_map: dict, base: str) -> str:
        """A core tensor holding the (transformed) weight as float32: a constant, or the
        dequantisation of an integer constant that FoldQDQ can later use directly."""
        key = self.name(n)
        if key not in self.dq_const:
            return self.core_const(self.fresh(base), transform(self.get_const(node, n, what)))
        q, scale, zp, axis = self.dq_const[key]
        qt = np.ascontiguousarray(transform(q))
        dtype = {np.dtype(np.int8): "int8", np.dtype(np.int16): "int16", np.dtype(np.int32): "int32"}.get(qt.dtype)
        if dtype is None:
            raise self.fail(node, f"{what} is quantised as {qt.dtype}; int8 weights and int32 biases are supported",
                            hint="quantise with weight_type=QuantType.QInt8")
        from tinycc.core.graph import Quant
        quant = Quant(scale.astype(np.float32), zp.astype(np.int64), axis_map.get(axis, 0) if scale.size > 1 else 0)
        qname = self.fresh(base + "/q")
        self.tensors[qname] = Tensor(qname, tuple(qt.shape), dtype, quant, qt)
        return self.emit(f"{node.name}:{base}/dequantize", "dequantize", [qname], self.fresh(base))

    def op_DequantizeLinear(self, node, out, name):
        x = self.name(node.input[0])
        scale = np.atleast_1d(self.get_const(node, node.input[1], "DequantizeLinear scale")).astype(np.float32)
        zp = (np.atleast_1d(self.get_const(node, node.input[2], "zero point")).astype(np.int64)
              if len(node.input) > 2 and node.input[2] else np.zeros(scale.size, dtype=np.int64))
        if zp.size != scale.size:
            raise self.fail(node, f"{scale.size} scales but {zp.size} zero points")
        if x in self.const:
            q = self.const[x]
            axis = int(self.attr(node, "axis", 1)) % max(q.ndim, 1)
            if scale.size > 1 and (q.ndim == 0 or q.shape[axis] != scale.size):
                raise self.fail(node, f"{scale.size} scales do not match axis {axis} of the {q.shape} tensor")
            self.dq_const[out] = (q, scale, zp, axis)
            return
        if scale.size > 1:
            raise self.fail(node, "per-channel dequantisation of activations is not supported")
        src = self.value(node, x)
        t = self.tensors[src]
        if t.quant is None and t.dtype in ("int8", "int16"):          # an integer model input
            from tinycc.core.graph import Quant
            t.quant = Quant(scale, zp)
        self.emit(name, "dequantize", [src], out, nchw=src in self.nchw)

    def op_QuantizeLinear(self, node, out, name):
        from tinycc.core.graph import Quant
        x = self.value(node, node.input[0])
        scale = np.atleast_1d(self.get_const(node, node.input[1], "QuantizeLinear scale")).astype(np.float32)
        zp_raw = self.const.get(self.name(node.input[2])) if len(node.input) > 2 and node.input[2] else None
        dtype = "uint8" if zp_raw is None else str(np.asarray(zp_raw).dtype)
        if dtype not in ("int8", "int16"):
            raise self.fail(node, f"activations quantised as {dtype} are not supported (TFLite kernels are signed)",
                            hint="quantize_static(..., activation_type=QuantType.QInt8)")
        if scale.size > 1:
            raise self.fail(node, "per-channel activation quantisation is not supported")
        nchw = x in self.nchw
        if nchw and out in self.graph_outputs:
            raise self.fail(node, "a quantised 4-D model output is not supported yet", hint="dequantize the output")
        self.tensors[out] = Tensor(out, (), dtype, Quant(scale, np.atleast_1d(zp_raw).astype(np.int64)))
        if nchw:
            self.nchw.add(out)
        self.nodes.append(Node(name, "quantize", [x], [out]))

    # elementwise unary
    def _unary(self, node, out, name, core_op, attrs=None):
        x = self.value(node, node.input[0])
        self.emit(name, core_op, [x], out, attrs, nchw=x in self.nchw)

    def op_Relu(self, node, out, name):
        self._unary(node, out, name, "relu")

    def op_Sigmoid(self, node, out, name):
        self._unary(node, out, name, "logistic")

    def op_Tanh(self, node, out, name):
        self._unary(node, out, name, "tanh")

    def op_LeakyRelu(self, node, out, name):
        self._unary(node, out, name, "leaky_relu", {"alpha": float(self.attr(node, "alpha", 0.01))})

    def op_Clip(self, node, out, name):
        lo = self.scalar(node, node.input[1], "Clip min") if len(node.input) > 1 and node.input[1] else -np.inf
        hi = self.scalar(node, node.input[2], "Clip max") if len(node.input) > 2 and node.input[2] else np.inf
        if lo == 0.0 and hi == 6.0:
            return self._unary(node, out, name, "relu6")
        if lo == 0.0 and hi == np.inf:
            return self._unary(node, out, name, "relu")
        raise self.fail(node, f"Clip({lo}, {hi}) is not supported", hint="only Clip(0, 6) and Clip(0, inf)")

    def op_Constant(self, node, out, name):
        for a in node.attribute:
            if a.name == "value" and a.type == a.TENSOR:
                try:
                    value = self.nph.to_array(a.t)
                except Exception as exc:      # dims, data type and data disagree
                    raise self.fail(node, f"the constant is malformed ({type(exc).__name__}: {exc})") from None
                if value.dtype.kind not in "biuf":
                    raise self.fail(node, f"constant of data type {value.dtype} is not supported")
                self.const[out] = value
                return
            if a.name in ("value_float", "value_int", "value_floats", "value_ints") and \
                    a.type in (a.FLOAT, a.INT, a.FLOATS, a.INTS):
                self.const[out] = np.asarray(self.onnx.helper.get_attribute_value(a))
                return
        raise self.fail(node, "Constant without a numeric value is not supported")

    def op_Identity(self, node, out, name):
        self.alias[out] = self.value(node, node.input[0])

    def op_Dropout(self, node, out, name):
        if len(node.output) > 1 and node.output[1]:
            raise self.fail(node, "Dropout's mask output is not supported", hint="export the model in eval mode")
        if len(node.input) > 2 and node.input[2] and self.scalar(node, node.input[2], "training_mode"):
            raise self.fail(node, "Dropout in training mode is not supported", hint="export the model in eval mode")
        self.op_Identity(node, out, name)

    # convolution family
    def _pads(self, node, in_hw, kernel, strides, dilations):
        auto = self.attr(node, "auto_pad", b"NOTSET")
        auto = auto.decode() if isinstance(auto, bytes) else auto
        if auto in ("SAME_UPPER", "SAME_LOWER"):
            (t, b), (l, r) = (same_padding(in_hw[i], kernel[i], strides[i], dilations[i]) for i in (0, 1))
            return (b, r, t, l) if auto == "SAME_LOWER" else (t, l, b, r)
        if auto == "VALID":
            return (0, 0, 0, 0)
        if auto not in ("NOTSET", ""):
            raise self.fail(node, f"auto_pad {auto!r} is not an ONNX padding mode")
        pads = self.ints(node, "pads", [0, 0, 0, 0], 4, 0)
        return (pads[0], pads[1], pads[2], pads[3])

    def op_Conv(self, node, out, name):
        x = self.value(node, node.input[0])
        if x not in self.nchw:
            raise self.fail(node, "only 2-D convolutions on NCHW inputs are supported")
        w = self.get_const(node, node.input[1], "Conv weight")
        if w.ndim != 4:
            raise self.fail(node, f"only 2-D convolutions are supported (weight rank {w.ndim})")
        group = int(self.attr(node, "group", 1))
        if group < 1:
            raise self.fail(node, f"group {group} must be positive")
        cout, cin_g, kh, kw = w.shape
        if min(w.shape) < 1:
            raise self.fail(node, f"the weight of shape {w.shape} is empty")
        strides = self.ints(node, "strides", [1, 1], 2, 1)
        dil = self.ints(node, "dilations", [1, 1], 2, 1)
        pads = self._pads(node, self._hw(x), (kh, kw), strides, dil)
        bias = None
        if len(node.input) > 2 and node.input[2]:
            bias = self.weight(node, node.input[2], "Conv bias", lambda b: b, {0: 0}, node.input[2])
        attrs = {"strides": strides, "dilations": dil, "pads": pads}
        if group == 1:
            wt = self.weight(node, node.input[1], "Conv weight", lambda a: a.transpose(0, 2, 3, 1), {0: 0},
                             node.input[1])
            self.emit(name, "conv_2d", [x, wt, bias], out, attrs, nchw=True)
        elif cin_g == 1 and group == self._channels(x):
            wt = self.weight(node, node.input[1], "Conv weight", lambda a: a.transpose(1, 2, 3, 0), {0: 3},
                             node.input[1])
            self.emit(name, "depthwise_conv_2d", [x, wt, bias], out, {**attrs, "depth_multiplier": cout // group},
                      nchw=True)
        else:
            raise self.fail(node, f"grouped convolution (group={group}) is not supported",
                            hint="group must be 1 or the number of input channels (depthwise)")

    def _hw(self, x):
        shape = self._infer_shape(x)
        return shape[1], shape[2]

    def _channels(self, x):
        return self._infer_shape(x)[3]

    def _infer_shape(self, x):
        """Shape of a core tensor now: validates the nodes built since the last call (the earlier
        ones already have their shapes), so a long model is not validated over and over."""
        t = self.tensors[x]
        if t.shape or t.is_const or x in self._inputs():
            return t.shape
        new = self.nodes[self.checked:]
        made = {o for n in new for o in n.outputs}
        used = [n for node in new for n in node.inputs if n is not None] + [x]
        feeds = list(dict.fromkeys(n for n in used if n not in made and not self.tensors[n].is_const))
        tensors = {n: self.tensors[n] for n in [*used, *made]}
        validate(Graph("partial", tensors, new, feeds, [x], source=str(self.path)))
        self.checked = len(self.nodes)
        return self.tensors[x].shape

    def _inputs(self):
        return [vi.name for vi in self.graph.input if vi.name not in self.const]

    def op_BatchNormalization(self, node, out, name):
        if len(node.output) > 1 or self.attr(node, "training_mode", 0):
            raise self.fail(node, "BatchNormalization in training mode is not supported",
                            hint="export the model in eval mode")
        scale, bias, mean, var = (self.get_const(node, n, "BatchNormalization parameter").astype(np.float64)
                                  for n in node.input[1:5])
        eps = float(self.attr(node, "epsilon", 1e-5))
        if len({p.shape for p in (scale, bias, mean, var)}) != 1 or scale.ndim != 1:
            raise self.fail(node, "scale, bias, mean and variance must be 1-D of one length (the channels), got "
                                  f"{[p.shape for p in (scale, bias, mean, var)]}")
        k = scale / np.sqrt(var + eps)
        x = self.value(node, node.input[0])
        prod = self.nodes[-1] if self.nodes and self.nodes[-1].outputs == [x] else None
        foldable = (self.consumers.get(node.input[0], 0) == 1 and node.input[0] not in self.graph_outputs
                    and self._uses(x) == 0)
        if (prod is not None and prod.op in ("conv_2d", "depthwise_conv_2d") and foldable
                and self.tensors[prod.inputs[1]].is_const):
            wt = self.tensors[prod.inputs[1]]
            axis = 0 if prod.op == "conv_2d" else 3
            if wt.data.shape[axis] != k.size:
                raise self.fail(node, f"{k.size} parameters for {wt.data.shape[axis]} channels")
            shape = [1, 1, 1, 1]
            shape[axis] = -1
            wt.data = (wt.data * k.reshape(shape)).astype(np.float32)
            b = self.tensors[prod.inputs[2]].data if len(prod.inputs) > 2 and prod.inputs[2] else 0.0
            newb = ((b - mean) * k + bias).astype(np.float32)
            bname = self.core_const(self.fresh(name + "/bias"), newb)
            prod.inputs = [prod.inputs[0], prod.inputs[1], bname]
            self.alias[out] = x
            return
        if x not in self.nchw:
            raise self.fail(node, "BatchNormalization is supported after a convolution or on NCHW activations")
        if k.size != self._channels(x):
            raise self.fail(node, f"{k.size} parameters for {self._channels(x)} channels")
        mul = self.core_const(self.fresh(name + "/scale"), k.reshape(1, 1, 1, -1))
        add = self.core_const(self.fresh(name + "/shift"), (bias - mean * k).reshape(1, 1, 1, -1))
        y = self.emit(name + "/mul", "mul", [x, mul], self.fresh(out), nchw=True)
        self.emit(name, "add", [y, add], out, nchw=True)

    def _uses(self, core_name):
        return sum(core_name in n.inputs for n in self.nodes)

    def _pool(self, node, out, name, core_op):
        x = self.value(node, node.input[0])
        if x not in self.nchw:
            raise self.fail(node, "only 2-D pooling on NCHW inputs is supported")
        kernel = self.ints(node, "kernel_shape", None, 2, 1)
        strides = self.ints(node, "strides", [1, 1], 2, 1)
        if self.attr(node, "ceil_mode", 0):
            raise self.fail(node, "ceil_mode=1 is not supported", hint="export with ceil_mode=False")
        if tuple(self.attr(node, "dilations", [1, 1])) != (1, 1):
            raise self.fail(node, "dilated pooling is not supported")
        pads = self._pads(node, self._hw(x), kernel, strides, (1, 1))
        if core_op == "average_pool_2d" and any(pads) and self.attr(node, "count_include_pad", 0):
            raise self.fail(node, "count_include_pad=1 with padding is not supported",
                            hint="TFLite-style pooling averages the in-bounds elements only")
        self.emit(name, core_op, [x], out, {"kernel": kernel, "strides": strides, "pads": pads}, nchw=True)

    def op_MaxPool(self, node, out, name):
        if len(node.output) > 1 and node.output[1]:
            raise self.fail(node, "MaxPool indices output is not supported")
        self._pool(node, out, name, "max_pool_2d")

    def op_AveragePool(self, node, out, name):
        self._pool(node, out, name, "average_pool_2d")

    def op_GlobalAveragePool(self, node, out, name):
        x = self.value(node, node.input[0])
        if x not in self.nchw:
            raise self.fail(node, "GlobalAveragePool needs a 4-D NCHW input")
        self.emit(name, "mean", [x], out, {"axes": (1, 2), "keep_dims": True}, nchw=True)

    def _fc(self, node, out, name, x, w_name, units_first: bool, bias_name):
        """x (rows, K) @ W + bias; W given as (units, K) when units_first, else (K, units)."""
        if units_first:
            wt = self.weight(node, w_name, "weights", lambda a: a, {0: 0}, name + "/weights")
        else:
            wt = self.weight(node, w_name, "weights", lambda a: np.ascontiguousarray(a.T), {1: 0}, name + "/weights")
        b = None
        if bias_name is not None:
            b = self.weight(node, bias_name, "bias", lambda a: a.reshape(-1), {0: 0}, name + "/bias")
        self.emit(name, "fully_connected", [x, wt, b], out)

    def op_Gemm(self, node, out, name):
        a = self.plain(node, node.input[0])
        if float(self.attr(node, "alpha", 1.0)) != 1.0 or self.attr(node, "transA", 0):
            raise self.fail(node, "Gemm with alpha != 1 or transA is not supported")
        w = self.get_const(node, node.input[1], "Gemm B")
        if w.ndim != 2:
            raise self.fail(node, f"Gemm B must be 2-D, got shape {w.shape}")
        trans_b = bool(self.attr(node, "transB", 0))
        units = w.shape[0] if trans_b else w.shape[1]
        bias_name = None
        if len(node.input) > 2 and node.input[2]:
            c = self.get_const(node, node.input[2], "Gemm C").astype(np.float32)
            beta = float(self.attr(node, "beta", 1.0))
            if (c.ndim > 1 and c.shape[0] != 1) or c.size not in (1, units):
                raise self.fail(node, f"Gemm C of shape {c.shape} is not a per-unit bias")
            if self.name(node.input[2]) in self.dq_const and beta == 1.0 and c.size == units:
                bias_name = node.input[2]
            else:
                bias_name = self.core_const(self.fresh(name + "/c"), np.broadcast_to(c.reshape(-1) * beta, (units,)).copy())
                self.const[bias_name] = self.tensors[bias_name].data
        self._fc(node, out, name, a, node.input[1], trans_b, bias_name)

    def op_MatMul(self, node, out, name):
        a = self.plain(node, node.input[0])
        w = self.get_const(node, node.input[1], "MatMul B (weights)")
        if w.ndim != 2:
            raise self.fail(node, "MatMul needs a 2-D constant right operand")
        shape = self._infer_shape(a)
        if len(shape) != 2:
            raise self.fail(node, f"MatMul on a {len(shape)}-D input is not supported", hint="flatten to 2-D first")
        self._fc(node, out, name, a, node.input[1], False, None)

    def _binary(self, node, out, name, core_op):
        n0, n1 = self.name(node.input[0]), self.name(node.input[1])
        a_nchw = n0 in self.nchw
        b_nchw = n1 in self.nchw
        if n0 in self.const and n1 in self.const:
            raise self.fail(node, "both operands are constants", hint="fold constants before export")
        if a_nchw != b_nchw and n0 not in self.const and n1 not in self.const:
            a, b = self.plain(node, n0), self.plain(node, n1)
            return self.emit(name, core_op, [a, b], out)
        nchw = a_nchw or b_nchw
        a = self.binary_operand(node, n0, nchw)
        b = self.binary_operand(node, n1, nchw)
        self.emit(name, core_op, [a, b], out, nchw=nchw)

    def op_Add(self, node, out, name):
        self._binary(node, out, name, "add")

    def op_Sub(self, node, out, name):
        self._binary(node, out, name, "sub")

    def op_Mul(self, node, out, name):
        self._binary(node, out, name, "mul")

    def _reshape_to(self, node, out, name, shape):
        x = self.plain(node, node.input[0])
        self.emit(name, "reshape", [x], out, {"shape": tuple(int(d) for d in shape)})

    def op_Reshape(self, node, out, name):
        shape = self.int_const(node, node.input[1], "Reshape shape")
        x_shape = self.shapes.get(node.input[0])
        if 0 in shape:
            if x_shape is None or self.attr(node, "allowzero", 0) or \
                    any(d == 0 and k >= len(x_shape) for k, d in enumerate(shape)):
                raise self.fail(node, "Reshape with 0 (copy) dimensions needs a known input shape")
            shape = [x_shape[k] if d == 0 else d for k, d in enumerate(shape)]
        self._reshape_to(node, out, name, shape)

    def op_Flatten(self, node, out, name):
        x = self.plain(node, node.input[0])
        shape = self._infer_shape(x)
        axis = int(self.attr(node, "axis", 1))
        if not -len(shape) <= axis <= len(shape):
            raise self.fail(node, f"axis {axis} is out of range for a {len(shape)}-D input")
        axis %= len(shape) + 1
        outer = int(np.prod(shape[:axis])) if axis else 1
        self.emit(name, "reshape", [x], out, {"shape": (outer, int(np.prod(shape[axis:])))})

    def _squeeze_like(self, node, out, name, squeeze: bool):
        x = self.plain(node, node.input[0])
        shape = list(self._infer_shape(x))
        if len(node.input) > 1 and node.input[1]:
            axes = self.int_const(node, node.input[1], "axes")
        else:
            axes = [int(a) for a in self.attr(node, "axes", [])]
        rank = len(shape) + (0 if squeeze else len(axes))
        if any(not -rank <= a < rank for a in axes) or len({a % rank for a in axes}) != len(axes):
            raise self.fail(node, f"axes {axes} are out of range or repeated for a {rank}-D result"
                            if not squeeze else f"axes {axes} are out of range or repeated for a {rank}-D input")
        if squeeze:
            axes = [a % rank for a in axes] or [k for k, d in enumerate(shape) if d == 1]
            if any(shape[a] != 1 for a in axes):
                raise self.fail(node, f"cannot squeeze axes {axes} of shape {tuple(shape)}: they are not 1")
            new = [d for k, d in enumerate(shape) if k not in axes]
        else:
            axes = sorted(a % rank for a in axes)
            new = shape[:]
            for a in axes:
                new.insert(a, 1)
        self.emit(name, "reshape", [x], out, {"shape": tuple(new)})

    def op_Squeeze(self, node, out, name):
        self._squeeze_like(node, out, name, True)

    def op_Unsqueeze(self, node, out, name):
        self._squeeze_like(node, out, name, False)

    def _axis(self, x, axis, rank, node=None):
        if not -rank <= axis < rank:
            raise TinyccError(f"axis {axis} is out of range for a {rank}-D input", file=str(self.path),
                              node=None if node is None else (node.name or node.output[0]),
                              op=None if node is None else node.op_type)
        axis %= rank
        return AXIS_TO_CORE[axis] if x in self.nchw else axis

    def op_Softmax(self, node, out, name):
        x = self.value(node, node.input[0])
        rank = len(self._infer_shape(x))
        axis = self._axis(x, int(self.attr(node, "axis", -1)), rank, node)
        if axis != rank - 1:
            raise self.fail(node, "Softmax over an axis other than the innermost (in NHWC) is not supported")
        self.emit(name, "softmax", [x], out, {"beta": 1.0}, nchw=x in self.nchw)

    def op_Concat(self, node, out, name):
        xs = [self.value(node, n) for n in node.input]
        layouts = {x in self.nchw for x in xs}
        if len(layouts) > 1:
            xs = [self.plain(node, n) for n in node.input]
        rank = len(self._infer_shape(xs[0]))
        if not self.has_attr(node, "axis"):
            raise self.fail(node, "Concat needs its axis attribute")
        axis = self._axis(xs[0], int(self.attr(node, "axis")), rank, node)
        self.emit(name, "concatenation", xs, out, {"axis": axis}, nchw=xs[0] in self.nchw)

    def op_ReduceMean(self, node, out, name):
        x = self.value(node, node.input[0])
        rank = len(self._infer_shape(x))
        if len(node.input) > 1 and node.input[1]:
            axes = self.int_const(node, node.input[1], "ReduceMean axes")
        else:
            axes = [int(a) for a in self.attr(node, "axes", list(range(rank)))]
        keep = bool(self.attr(node, "keepdims", 1))
        if x in self.nchw and not keep:
            x = self.plain(node, node.input[0])
        self.emit(name, "mean", [x], out, {"axes": tuple(self._axis(x, a, rank, node) for a in axes), "keep_dims": keep},
                  nchw=x in self.nchw)

    def op_Transpose(self, node, out, name):
        x = self.value(node, node.input[0])
        rank = len(self._infer_shape(x))
        perm = [int(p) for p in self.attr(node, "perm", list(range(rank))[::-1])]
        if sorted(perm) != list(range(rank)):
            raise self.fail(node, f"perm {perm} is not a permutation of the {rank} input axes")
        if x in self.nchw:
            perm = [AXIS_TO_CORE[p] for p in perm]
        self.emit(name, "transpose", [x], out, {"perm": tuple(perm)})

    def op_Pad(self, node, out, name):
        mode = self.attr(node, "mode", b"constant")
        mode = mode.decode() if isinstance(mode, bytes) else mode
        if mode != "constant":
            raise self.fail(node, f"Pad mode {mode!r} is not supported", hint="only constant padding")
        x = self.value(node, node.input[0])
        pads = self.int_const(node, node.input[1], "Pad pads")
        rank = len(pads) // 2
        if len(pads) != 2 * len(self._infer_shape(x)):
            raise self.fail(node, f"{len(pads)} pads for a {len(self._infer_shape(x))}-D input",
                            hint="pads lists a begin and an end for every axis")
        if len(node.input) > 3 and node.input[3]:
            raise self.fail(node, "Pad with an axes input is not supported")
        value = self.scalar(node, node.input[2], "Pad value") if len(node.input) > 2 and node.input[2] else 0.0
        pairs = [(pads[k], pads[k + rank]) for k in range(rank)]
        if x in self.nchw:
            pairs = [pairs[k] for k in NCHW_TO_NHWC]
        attrs = {"paddings": tuple(pairs)}
        if value != 0.0:
            attrs["value"] = value
        self.emit(name, "pad", [x], out, attrs, nchw=x in self.nchw)


IO_LAYOUTS = ("source", "nhwc")


def _non_text_name(model):
    """A name that protobuf handed back as bytes (invalid UTF-8 in a proto2 string field), if any."""
    g = model.graph
    names = [o.domain for o in model.opset_import]
    names += [vi.name for vi in (*g.input, *g.output, *g.value_info, *g.initializer)]
    for n in g.node:
        names += [n.name, n.op_type, n.domain, *n.input, *n.output, *(a.name for a in n.attribute)]
    return next((name for name in names if not isinstance(name, str)), None)


def _external_tensors(model):
    from onnx import TensorProto
    for t in model.graph.initializer:
        if t.data_location == TensorProto.EXTERNAL:
            yield t
    for node in model.graph.node:
        for a in node.attribute:
            if a.HasField("t") and a.t.data_location == TensorProto.EXTERNAL:
                yield a.t


# bits per element of the ONNX element types external data may hold (STRING and 6-bit floats may not)
EXTERNAL_BITS = {1: 32, 2: 8, 3: 8, 4: 16, 5: 16, 6: 32, 7: 64, 9: 8, 10: 16, 11: 64, 12: 32, 13: 64, 14: 64,
                 15: 128, 16: 16, 17: 8, 18: 8, 19: 8, 20: 8, 21: 4, 22: 4, 23: 4, 24: 8, 25: 2, 26: 2}
MAX_LOCATION_CHARS = 1024


def _external_info(tensor, path: Path) -> tuple[str, int | None, int | None]:
    """(location, offset, length) of a tensor's external data; numbers plain decimal digits."""
    import re
    fields = {"location": "", "offset": None, "length": None}
    for entry in tensor.external_data:
        if entry.key in fields:
            fields[entry.key] = entry.value
    location = fields["location"]
    where = f"initializer {tensor.name!r}: external data"
    if not isinstance(location, str) or len(location) > MAX_LOCATION_CHARS or \
            any(ord(c) < 32 or ord(c) == 127 for c in location):
        raise TinyccError(f"{where} location {location!r} is not a valid file name "
                          f"(control characters such as NUL, or over {MAX_LOCATION_CHARS} characters)",
                          file=str(path), hint="the file is probably corrupted")
    numbers = []
    for key in ("offset", "length"):
        value = fields[key]
        if value is not None and not (isinstance(value, str) and re.fullmatch(r"[0-9]{1,19}", value)):
            raise TinyccError(f"{where} {location!r} has the {key} {value!r}; expected a non-negative integer",
                              file=str(path), hint="the file is probably corrupted")
        numbers.append(None if value is None else int(value))
    return location, numbers[0], numbers[1]


def _external_bytes(tensor, where: str, path: Path) -> int:
    """The bytes the tensor's declared shape and element type take, refused above MAX_TENSOR_BYTES."""
    from tinycc.core.validate import MAX_TENSOR_BYTES
    bits = EXTERNAL_BITS.get(tensor.data_type)
    dims = tuple(tensor.dims)
    if bits is None:
        raise TinyccError(f"{where}: element type {tensor.data_type} cannot be stored as external data here",
                          file=str(path))
    if any(d < 0 for d in dims):
        raise TinyccError(f"{where}: the tensor declares the invalid shape {dims}", file=str(path))
    count = 1
    for d in dims:
        count *= d
    nbytes = (count * bits + 7) // 8
    if nbytes > MAX_TENSOR_BYTES:
        raise TinyccError(f"{where}: the tensor of shape {dims} takes {nbytes:,} bytes (the limit is "
                          f"{MAX_TENSOR_BYTES:,})", file=str(path),
                          hint="a microcontroller model needs far less; the file is probably corrupted")
    return nbytes


def load_external_data(model, path: Path) -> None:
    """Read the weights an ONNX file keeps in side files, only from inside the model's folder.

    A location that is absolute, climbs out with `..`, resolves (through symlinks) outside the
    folder, or holds control characters is refused before anything is opened. Every offset and
    length is checked against the data file's real size and against the bytes the tensor's
    declared shape and type take (at most MAX_TENSOR_BYTES, all external tensors together too)
    before any memory is reserved; the bytes are then read with one bounded read."""
    from onnx import TensorProto
    from tinycc.core.validate import MAX_TENSOR_BYTES
    folder = path.resolve().parent
    total = 0
    for tensor in _external_tensors(model):
        info_location, offset, length = _external_info(tensor, path)
        where = f"initializer {tensor.name!r}: external data {info_location!r}"
        location = Path(info_location)
        try:
            target = (folder / location).resolve()
        except (OSError, RuntimeError, ValueError) as exc:    # a symlink loop, a name too long
            raise TinyccError(f"{where} cannot be resolved ({type(exc).__name__}: {exc})", file=str(path)) from None
        if not info_location or location.is_absolute() or ".." in location.parts or \
                (target != folder and folder not in target.parents):
            raise TinyccError(f"{where} points outside the model's folder", file=str(path),
                              hint="keep external data files beside the .onnx file (onnx.save_model(..., "
                                   "save_as_external_data=True, location='weights.bin'))")
        try:
            size = target.stat().st_size if target.is_file() else None
        except OSError:
            size = None
        if size is None:
            raise TinyccError(f"{where} is missing", file=str(path),
                              hint="copy the weights file next to the model")
        need = _external_bytes(tensor, where, path)
        offset = offset or 0
        end = offset + length if length is not None else max(size, offset)
        if end > size:
            raise TinyccError(f"{where}: bytes {offset}..{end} lie outside the {size}-byte file", file=str(path))
        if end - offset != need:
            raise TinyccError(f"{where}: bytes {offset}..{end} ({end - offset:,} bytes"
                              f"{'' if length is not None else ', to the end of the file'}) do not match the "
                              f"{need:,} bytes of the tensor's shape {tuple(tensor.dims)}", file=str(path),
                              hint="the file is probably corrupted")
        total += need
        if total > MAX_TENSOR_BYTES:
            raise TinyccError(f"{where}: the external tensors take {total:,} bytes together (the limit is "
                              f"{MAX_TENSOR_BYTES:,})", file=str(path),
                              hint="a microcontroller model needs far less; the file is probably corrupted")
        try:
            with open(target, "rb") as f:
                f.seek(offset)
                data = f.read(need)
        except OSError as exc:
            raise TinyccError(f"{where} cannot be read ({exc.strerror or exc})", file=str(path)) from None
        if len(data) != need:
            raise TinyccError(f"{where}: the file ended after {len(data):,} of {need:,} bytes", file=str(path))
        tensor.raw_data = data
        tensor.data_location = TensorProto.DEFAULT
        del tensor.external_data[:]


def load_onnx(path: Path, io_layout: str = "source") -> Graph:
    """Import an .onnx file; `io_layout="nhwc"` makes 4-D inputs/outputs NHWC (no edge transposes)."""
    if io_layout not in IO_LAYOUTS:
        raise TinyccError(f"unknown io layout {io_layout!r}", hint=f"choose one of {', '.join(IO_LAYOUTS)}")
    try:
        import onnx
    except ImportError:
        raise TinyccError("the onnx package is not installed", file=str(path),
                          hint="pip install 'tinycc-ml[onnx]'") from None
    path = Path(path)
    try:
        model = onnx.load(str(path), load_external_data=False)
    except Exception as exc:
        raise TinyccError(f"not a readable ONNX model ({type(exc).__name__})", file=str(path),
                          hint="pass an .onnx file exported by torch.onnx.export, tf2onnx or onnx") from None
    load_external_data(model, path)
    bad = _non_text_name(model)
    if bad is not None:
        raise TinyccError(f"the name {bad!r} is not valid UTF-8 text", file=str(path),
                          hint="the file is probably corrupted")
    if len(model.graph.node) > MAX_NODES:
        raise TinyccError(f"the model has {len(model.graph.node):,} nodes (the limit is {MAX_NODES:,})",
                          file=str(path), hint="a microcontroller model needs far less")
    opset = max((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), default=0)
    if opset < MIN_OPSET:
        raise TinyccError(f"opset {opset} is older than {MIN_OPSET}", file=str(path),
                          hint="convert with onnx.version_converter.convert_version(model, 13)")
    try:
        model = onnx.shape_inference.infer_shapes(model)
    except Exception as exc:
        raise TinyccError(f"ONNX shape inference failed: {exc}", file=str(path)) from None
    b = _Builder(model, path, io_layout)
    try:
        inputs, outputs = b.convert()
    except TinyccError as err:
        raise err.with_file(str(path))
    if not inputs:
        raise TinyccError("the model has no inputs: its outputs are constants", file=str(path),
                          hint="there is nothing to compute on the device; export a model with an input")
    g = Graph(path.stem, b.tensors, b.nodes, inputs, outputs, source=str(path),
              metadata={"format": "onnx", "opset": opset, "producer": model.producer_name, "notes": b.notes,
                        "io_layout": io_layout})
    return validate(g)


class ONNXImporter:
    name = "onnx"
    description = "ONNX models (.onnx), float32, opset 13+; NCHW converted to NHWC inside"

    def can_import(self, path: Path) -> bool:
        return Path(path).suffix.lower() == ".onnx"

    def load(self, path: Path, options: dict) -> Graph:
        return load_onnx(Path(path), options.get("io_layout") or "source")


@hookimpl
def tinycc_importers():
    return [ONNXImporter()]
