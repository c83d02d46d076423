"""ONNX importer: an .onnx file (float32, opsets 13+) -> the core graph (NHWC inside).

ONNX is NCHW; the core is NHWC. Every 4-D activation is stored NHWC and remembered as
"channels moved last", so shape-sensitive operators (axes of Concat/Softmax/ReduceMean/Pad,
Transpose permutations, constants broadcast against activations) are translated, and a
TRANSPOSE back to NCHW is inserted before anything that depends on the memory order
(Reshape, Flatten). Model inputs and outputs keep ONNX's own layout: 4-D inputs are
transposed to NHWC by the first operator, 4-D outputs back to NCHW by the last.
A 3-D NCW activation made by a 1-D convolution or pooling is held
as a 4-D NHWC (N, 1, W, C) tensor (the `ncw` subset of `nchw`): the 1-D operators run on the 2-D
kernels, elementwise operators keep it, and every other operator gets it back as (N, C, W).
Dynamic dimensions are pinned to 1. Unsupported operators or attributes are clear errors
naming the node.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from tinycc.core.errors import TinyccError
from tinycc.core.graph import Graph, Metadata, NameSpace, Node, Tensor
from tinycc.core.hookspec import hookimpl
from tinycc.core.ops import transpose as transpose_op
from tinycc.core.ops.common import same_padding
from tinycc.core.validate import MAX_NODES, validate
from tinycc.plugins.importers import onnx_fold, onnx_ops
from tinycc.plugins.importers.onnx_common import AXIS_TO_CORE, NCHW_TO_NHWC, NHWC_TO_NCHW
from tinycc.plugins.importers.onnx_layer_norm import fuse_decomposed_layer_norms

ONNX_DTYPES = {1: "float32", 3: "int8", 5: "int16", 6: "int32", 7: "int64", 9: "bool"}
MIN_OPSET = 13
CONVERTERS = onnx_ops.converters()          # ONNX operator -> its conversion (onnx_ops/, core ops' ONNX_OP)
SUPPORTED = tuple(sorted(CONVERTERS))
# onnxruntime's contrib operators (domain com.microsoft) of its QOperator quantised format
MICROSOFT = frozenset({"QGemm", "QLinearAdd", "QLinearMul", "QLinearConcat", "QLinearAveragePool",
                       "QLinearGlobalAveragePool", "QLinearSigmoid"})
# operators that only move or pick values: on a quantised (int8) input they keep its quantisation,
# as onnxruntime's QOperator format uses them
QUANT_PRESERVING = frozenset({"MaxPool", "Flatten", "Reshape", "Transpose", "Squeeze", "Unsqueeze", "Identity"})
# the attribute types (AttributeProto) the importer reads; a FLOAT attribute may also be given as INT
ATTR_KINDS = {"axis": "INT", "group": "INT", "transA": "INT", "transB": "INT", "keepdims": "INT", "ceil_mode": "INT",
              "count_include_pad": "INT", "allowzero": "INT", "training_mode": "INT", "perm": "INTS",
              "kernel_shape": "INTS", "strides": "INTS", "pads": "INTS", "dilations": "INTS", "axes": "INTS",
              "alpha": "FLOAT", "beta": "FLOAT", "epsilon": "FLOAT", "auto_pad": "STRING", "mode": "STRING",
              "gamma": "FLOAT", "min": "FLOAT", "max": "FLOAT", "select_last_index": "INT",
              "noop_with_empty_axes": "INT", "approximate": "STRING",
              "output_padding": "INTS", "output_shape": "INTS", "antialias": "INT", "storage_order": "INT",
              "coordinate_transformation_mode": "STRING", "nearest_mode": "STRING",
              "keep_aspect_ratio_policy": "STRING", "channels_last": "INT"}
ATTR_KINDS.update({"start": "INT", "end": "INT", "to": "INT", "blocksize": "INT", "num_outputs": "INT"})  # shapes


class _Builder:
    def __init__(self, model, path: Path, io_layout: str = "source"):
        import onnx
        from onnx import numpy_helper
        self.onnx, self.nph = onnx, numpy_helper
        self.path = path
        self.io_layout = io_layout
        self.notes: list[str] = []
        self.roles: dict[str, str] = {}          # unrolled loops' tensors -> their role (Metadata.tied)
        self.graph = model.graph
        self.opset_import = list(model.opset_import)
        self.tensors: dict[str, Tensor] = {}
        self.nodes: list[Node] = []
        self.nchw: set[str] = set()          # core tensors holding an NCHW tensor as NHWC
        self.ncw: set[str] = set()           # of those, the ones holding a 3-D NCW tensor as (N, 1, W, C)
        self.ncw_plain: dict[str, str] = {}  # an ncw tensor -> its (N, C, W) copy, made once
        self.const: dict[str, np.ndarray] = {}
        self.dq_const: dict[str, tuple] = {}      # DequantizeLinear of an initializer: (q, scale, zp, axis)
        self.alias: dict[str, str] = {}
        self.shapes: dict[str, tuple[int, ...]] = {}
        self.absorbed: set[str] = set()      # first outputs of ONNX nodes a conversion folded into its own (a bias Add)
        # every name of the file is taken: a name tinycc invents (a transpose's output, a folded
        # constant) can never be one the model uses, however the model names its tensors
        self.names = NameSpace([vi.name for vi in [*self.graph.input, *self.graph.output, *self.graph.value_info]],
                               [init.name for init in self.graph.initializer],
                               [n for nd in self.graph.node for n in [*nd.input, *nd.output]])
        self.checked = 0                     # nodes whose output shapes are known (see infer_shape)
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
        self.folded = onnx_fold.constant_nodes(self.graph, self.const)   # nodes whose outputs are constants
        for vi in list(self.graph.input) + list(self.graph.value_info) + list(self.graph.output):
            dims = vi.type.tensor_type.shape.dim
            self.shapes[vi.name] = tuple(d.dim_value if d.HasField("dim_value") and d.dim_value > 0 else 1
                                         for d in dims)
            if vi in self.graph.input and any(d.HasField("dim_value") and d.dim_value == 0 for d in dims):
                raise TinyccError(f"input {vi.name!r} has a dimension of size 0 (shape "
                                  f"{tuple(d.dim_value if d.HasField('dim_value') else '?' for d in dims)}): "
                                  "an empty tensor", file=str(path), hint="give every input at least one element")
            if vi in self.graph.input and any(not (d.HasField("dim_value") and d.dim_value > 0) for d in dims):
                shown = tuple(d.dim_value if d.HasField("dim_value") and d.dim_value > 0 else (d.dim_param or "?")
                              for d in dims)
                self.notes.append(f"input {vi.name!r} has dynamic dimensions {shown}: pinned to 1, "
                                  f"compiled as {self.shapes[vi.name]}")

    # ---- helpers ----
    def where(self, node) -> str:
        """The name messages give an ONNX node: its name, else its first output, else #index."""
        return node.name or (node.output[0] if len(node.output) else "") or f"#{list(self.graph.node).index(node)}"

    def fail(self, node, message, hint=None):
        return TinyccError(message, file=str(self.path), node=self.where(node), op=node.op_type, hint=hint)

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
            with np.errstate(over="ignore"):   # beyond float32: inf, refused by DEQUANTIZE's validation
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
        dtype = {"f": "float32", "b": "bool"}.get(arr.dtype.kind, "int32")
        arr = arr.astype({"float32": np.float32, "bool": np.bool_}.get(dtype, np.int32))
        self.tensors[n] = Tensor(n, tuple(arr.shape), dtype, data=arr)
        return n

    def act(self, n: str, nchw: bool = False, dtype: str = "float32") -> str:
        self.tensors[n] = Tensor(n, (), dtype)
        if nchw:
            self.nchw.add(n)
        return n

    def emit(self, node_name: str, op: str, ins: list, out: str, attrs=None, nchw=False, dtype="float32") -> str:
        if nchw and out in self.graph_outputs:     # the NCHW output is made by a final transpose
            self.alias[out] = internal = self.fresh(out + "/nhwc")
            out = internal
        self.act(out, nchw, dtype)
        if nchw and any(i in self.ncw for i in ins if i is not None):
            self.ncw.add(out)                     # elementwise on a held NCW tensor: still NCW
        ins = list(ins)
        while ins and ins[-1] is None:
            ins.pop()
        self.nodes.append(Node(node_name, op, ins, [out], attrs or {}))
        return out

    def value(self, node, n: str) -> str:
        """The core tensor for an ONNX activation input (constants are materialised as given).
        A held NCW tensor is given as it is held only to the operators that keep that layout
        (elementwise ones and those declaring KEEPS_NCW), to every other one as (N, C, W)."""
        n = self.name(n)
        if n in self.ncw and not CONVERTERS[node.op_type].keeps_ncw:
            return self.plain(node, n)
        if n in self.tensors:
            return n
        if n in self.const:
            return self.core_const(n, self.const[n])
        raise self.fail(node, f"input {n!r} is not computed by an earlier node")

    def plain(self, node, n: str) -> str:
        """The tensor in ONNX's own memory order (NCHW), transposing back if needed."""
        n = self.name(n)
        if n in self.ncw:
            if n not in self.ncw_plain:
                nchw = self.layout(f"{node.name}:to_nchw", n, self.fresh(n + "/nchw"), NHWC_TO_NCHW)
                batch, _, width, channels = self.infer_shape(n)
                self.ncw_plain[n] = self.emit(f"{node.name}:to_ncw", "reshape", [nchw], self.fresh(n + "/ncw"),
                                              {"shape": (batch, channels, width)})
            return self.ncw_plain[n]
        n = self.value(node, n)
        if n not in self.nchw:
            return n
        return self.layout(f"{node.name}:to_nchw", n, self.fresh(n + "/nchw"), NHWC_TO_NCHW)

    def nhwc(self, node, n: str) -> str:
        """A 4-D activation held NHWC (for Conv, pooling ...): one in ONNX's own order (a Reshape's
        output) is transposed; an input of another rank is refused."""
        x = self.value(node, n)
        if x in self.nchw:
            return x
        if len(self.infer_shape(x)) != 4:
            raise self.fail(node, f"{node.op_type} needs a 4-D NCHW input, got shape {self.infer_shape(x)}",
                            hint="2-D operators only")
        return self.layout(f"{node.name}:to_nhwc", x, self.fresh(x + "/nhwc"), NCHW_TO_NHWC, nchw=True)

    def layout(self, node_name: str, x: str, out: str, perm, nchw: bool = False) -> str:
        """A layout transpose (NCHW <-> NHWC, `perm`) of `x` into `out`."""
        return self.emit(node_name, transpose_op.NAME, [x], out, {"perm": perm}, nchw=nchw, dtype=self.tensors[x].dtype)

    def binary_operand(self, node, n: str, other_nchw: bool) -> str:
        """A binary op's operand; constants broadcast against an NHWC-held activation are permuted."""
        n = self.name(n)
        if n in self.const and other_nchw and any(self.name(i) in self.ncw for i in node.input):
            c = self.const[n]                     # against a held NCW (N, 1, W, C) activation
            if c.ndim > 3:
                raise self.fail(node, f"constant of rank {c.ndim} against a 3-D activation")
            c4 = c.reshape((1,) * (3 - c.ndim) + c.shape)[:, :, None, :].transpose(NCHW_TO_NHWC)
            return self.core_const(self.fresh(n + "/nhwc"), c4)
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
        for vi in self.graph.output:
            if vi.type.tensor_type.elem_type == self.onnx.TensorProto.UINT8:
                raise TinyccError(f"output {vi.name!r} is UINT8: tinycc holds uint8 activations as int8 (zero point "
                                  "shifted by 128) and does not give uint8 results", file=str(self.path),
                                  hint="end the model with DequantizeLinear, or quantise with QuantType.QInt8")
        for vi in self.graph.input:
            if vi.name in self.const:
                continue
            elem = vi.type.tensor_type.elem_type
            dtype = ONNX_DTYPES.get(elem)
            if dtype not in ("float32", "int8", "int16", "int32", "bool"):
                kinds = self.onnx.TensorProto.DataType
                shown = f"{kinds.Name(elem)} ({elem})" if elem in kinds.values() else str(elem)
                raise TinyccError(f"input {vi.name!r} has ONNX element type {shown}; FLOAT, INT8, INT16, INT32 and "
                                  "BOOL inputs are supported", file=str(self.path))
            shape = self.shapes[vi.name]
            if dtype == "bool":            # comparisons and logic work in ONNX's own order (no bool transposes)
                if len(shape) == 4 and self.io_layout == "nhwc":
                    raise TinyccError(f"input {vi.name!r} is a 4-D BOOL tensor; the nhwc io layout takes 4-D "
                                      "inputs of FLOAT, INT8 and INT16 only", file=str(self.path),
                                      hint="compile with the source io layout")
                self.tensors[vi.name] = Tensor(vi.name, shape, dtype)
                continue
            if len(shape) == 4 and self.io_layout == "nhwc":        # the caller supplies NHWC: no transpose
                self.tensors[vi.name] = Tensor(vi.name, tuple(shape[k] for k in NCHW_TO_NHWC), dtype)
                self.nchw.add(vi.name)
                continue
            # an integer input takes its DequantizeLinear's quantisation
            self.tensors[vi.name] = Tensor(vi.name, shape, dtype)
            if len(shape) == 4:
                self.layout(f"input:{vi.name}", vi.name, self.fresh(vi.name + "/nhwc"), NCHW_TO_NHWC, nchw=True)
                self.alias[vi.name] = self.nodes[-1].outputs[0]
        self.check_supported()
        for k, node in enumerate(self.graph.node):
            if k in self.folded and node.op_type != "Constant" and all(self.name(n) in self.const
                                                                       for n in node.input if n):
                onnx_fold.fold(self, node)
            else:
                self.node(node)
        outputs = []
        for vi in self.graph.output:
            n = self.name(vi.name)
            if n in self.const and n not in self.tensors:
                raise TinyccError(f"model output {vi.name!r} is a constant (computed at import time from "
                                  "constants and static shapes)", file=str(self.path),
                                  hint="there is nothing to compute for it on the device")
            if n in self.ncw:                          # a held NCW output: back to (N, C, W)
                nchw = self.layout(f"output:{vi.name}", n, self.fresh(n + "/nchw"), NHWC_TO_NCHW)
                batch, _, width, channels = self.infer_shape(n)
                self.emit(f"output:{vi.name}/ncw", "reshape", [nchw], vi.name, {"shape": (batch, channels, width)})
                n = vi.name
            elif n in self.nchw and self.io_layout == "source":
                self.layout(f"output:{vi.name}", n, vi.name, NHWC_TO_NCHW)
                n = vi.name
            elif n != vi.name and n in self._inputs():
                # an output that is a model input (Identity, Dropout): a copy of its own, so the
                # caller's input buffer is never also the model's result
                self.emit(f"output:{vi.name}", "reshape", [n], vi.name, {"shape": tuple(self.tensors[n].shape)},
                          dtype=self.tensors[n].dtype)
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

    def check_supported(self):
        """Every operator tinycc lacks, at once: names, counts and the first node of each."""
        missing: dict[str, list] = {}
        for k, node in enumerate(self.graph.node):
            standard = node.domain in ("", "ai.onnx")
            microsoft = node.domain == "com.microsoft" and node.op_type in MICROSOFT
            supported = node.op_type in CONVERTERS and (microsoft or (standard and node.op_type not in MICROSOFT))
            if not supported and k not in self.folded:
                missing.setdefault(node.op_type if standard else f"{node.domain}.{node.op_type}", []).append(node)
        if not missing:
            return
        parts = [f"{op} x{len(nodes)} (first: {self.where(nodes[0])!r})" for op, nodes in missing.items()]
        first = next(iter(missing.values()))[0]
        raise TinyccError(f"ONNX operator{'s' if len(missing) > 1 else ''} not supported: " + ", ".join(parts),
                          file=str(self.path), node=self.where(first), op=", ".join(missing),
                          hint="supported: " + ", ".join(SUPPORTED))

    def node(self, node):
        if len(node.output) and node.output[0] in self.absorbed:
            return
        conv = CONVERTERS[node.op_type]              # check_supported has refused the others
        if not any(node.output) or not (node.output[0] or conv.any_output):
            raise self.fail(node, "the node has no output")
        need = conv.min_inputs
        if len(node.input) < need or not all(node.input[:need]):
            raise self.fail(node, f"needs {need} input{'s' if need > 1 else ''}, got {list(node.input)}")
        quantised = [n for n in node.input if self.name(n) in self.tensors and self.is_quantised(self.name(n))]
        if quantised and node.op_type not in ("QuantizeLinear", "DequantizeLinear") and \
                not node.op_type.startswith(("QLinear", "QGemm")):
            return self.quant_preserving(node, conv, quantised[0])
        conv.convert(self, node, node.output[0], node.name or node.output[0])

    def is_quantised(self, n: str) -> bool:
        t = self.tensors[n]
        return t.dtype in ("int8", "int16") and t.quant is not None and not t.is_const

    def quant_preserving(self, node, conv, first: str) -> None:
        """A data-moving operator (MaxPool, Flatten, Reshape, ...) on a quantised activation, as in
        QOperator models: dequantize, the float operator, quantize with the input's quantisation
        (FoldQDQ puts the operator back on the integer side)."""
        if node.op_type not in QUANT_PRESERVING:
            raise self.fail(node, f"{node.op_type} on a quantised (integer) input is not supported",
                            hint=f"on quantised tensors tinycc takes {', '.join(sorted(QUANT_PRESERVING))} "
                                 "and the QLinear*/QGemm operators")
        src = self.name(first)
        t = self.tensors[src]
        x = self.emit(f"{self.where(node)}:dequantize", "dequantize", [src], self.fresh(src + "/dequantized"),
                      nchw=src in self.nchw)
        out = node.output[0]
        real = self.fresh(out + "/float")
        self.alias[src] = x                 # the float operator reads the dequantised copy
        try:
            conv.convert(self, node, real, node.name or out)
        finally:
            del self.alias[src]
        y = self.name(real)
        if out in self.graph_outputs and y in self.nchw:
            raise self.fail(node, "a quantised 4-D model output is not supported yet", hint="dequantize the output")
        self.tensors[out] = Tensor(out, (), t.dtype, t.quant)
        if y in self.nchw:
            self.nchw.add(out)
        self.nodes.append(Node(f"{self.where(node)}:quantize", "quantize", [y], [out]))

    # weights (float, or integer behind a DequantizeLinear in QDQ models)
    def weight(self, node, n: str, what: str, transform, axis_map: dict, base: str) -> str:
        """A core tensor holding the (transformed) weight as float32: a constant, or the
        dequantisation of an integer constant that FoldQDQ can later use directly."""
        key = self.name(n)
        if key not in self.dq_const:
            return self.core_const(self.fresh(base), transform(self.get_const(node, n, what)))
        q, scale, zp, axis = self.dq_const[key]
        qt = np.ascontiguousarray(transform(q))
        if qt.dtype == np.uint8:            # uint8 -> int8 exactly: values and zero points shifted by 128
            qt, zp = (qt.astype(np.int16) - 128).astype(np.int8), zp - 128
        if qt.dtype in (np.int8, np.uint8) and np.any(zp != 0):
            self.notes.append(f"node {self.where(node)!r}: {what} {n!r} has nonzero zero points "
                              f"{sorted(set(zp.tolist()))[:4]} (in int8 terms); TFLite's int8 kernels take symmetric "
                              "weights only, so this layer is computed in float from the file's integer weights")
        dtype = {np.dtype(np.int8): "int8", np.dtype(np.int16): "int16", np.dtype(np.int32): "int32"}.get(qt.dtype)
        if dtype is None:
            raise self.fail(node, f"{what} is quantised as {qt.dtype}; int8 weights and int32 biases are supported",
                            hint="quantise with weight_type=QuantType.QInt8")
        from tinycc.core.graph import Quant
        quant = Quant(scale.astype(np.float32), zp.astype(np.int64), axis_map.get(axis, 0) if scale.size > 1 else 0)
        qname = self.fresh(base + "/q")
        self.tensors[qname] = Tensor(qname, tuple(qt.shape), dtype, quant, qt)
        return self.emit(f"{node.name}:{base}/dequantize", "dequantize", [qname], self.fresh(base))

    # layout and shape helpers of the conversions (onnx_ops/)
    def conv_pads(self, node, in_hw, kernel, strides, dilations):
        auto = self.attr(node, "auto_pad", b"NOTSET")
        auto = auto.decode() if isinstance(auto, bytes) else auto
        if auto in ("SAME_UPPER", "SAME_LOWER"):
            (top, bottom), (left, right) = (same_padding(in_hw[i], kernel[i], strides[i], dilations[i]) for i in (0, 1))
            return (bottom, right, top, left) if auto == "SAME_LOWER" else (top, left, bottom, right)
        if auto == "VALID":
            return (0, 0, 0, 0)
        if auto not in ("NOTSET", ""):
            raise self.fail(node, f"auto_pad {auto!r} is not an ONNX padding mode")
        pads = self.ints(node, "pads", [0, 0, 0, 0], 4, 0)
        return (pads[0], pads[1], pads[2], pads[3])

    def hw(self, x):
        shape = self.infer_shape(x)
        return shape[1], shape[2]

    def channels(self, x):
        return self.infer_shape(x)[3]

    def infer_shape(self, x):
        """Shape of a core tensor now: validates the nodes built since the last call (the earlier
        ones already have their shapes), so a long model is not validated over and over."""
        t = self.tensors[x]
        new = self.nodes[self.checked:]
        made = {o for n in new for o in n.outputs}
        if t.shape or t.is_const or x not in made:       # known already (a 0-D result's shape is ())
            return t.shape
        used = [n for node in new for n in node.inputs if n is not None] + [x]
        feeds = list(dict.fromkeys(n for n in used if n not in made and not self.tensors[n].is_const))
        tensors = {n: self.tensors[n] for n in [*used, *made]}
        validate(Graph("partial", tensors, new, feeds, [x], source=str(self.path)))
        self.checked = len(self.nodes)
        return self.tensors[x].shape

    def _inputs(self):
        return [vi.name for vi in self.graph.input if vi.name not in self.const]

    def uses(self, core_name):
        return sum(core_name in n.inputs for n in self.nodes)

    def core_axis(self, x, axis, rank, node=None):
        if not -rank <= axis < rank:
            raise TinyccError(f"axis {axis} is out of range for a {rank}-D input", file=str(self.path),
                              node=None if node is None else (node.name or node.output[0]),
                              op=None if node is None else node.op_type)
        axis %= rank
        return AXIS_TO_CORE[axis] if x in self.nchw else axis


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
    fuse_decomposed_layer_norms(model)        # torch's pre-opset-17 layer norm -> LayerNormalization
    b = _Builder(model, path, io_layout)
    try:
        inputs, outputs = b.convert()
    except TinyccError as err:
        err.with_file(str(path))
        raise
    if not inputs:
        raise TinyccError("the model has no inputs: its outputs are constants", file=str(path),
                          hint="there is nothing to compute on the device; export a model with an input")
    g = Graph(path.stem, b.tensors, b.nodes, inputs, outputs, source=str(path),
              metadata=Metadata(format="onnx", notes=b.notes, io_layout=io_layout, tied=b.roles,
                                details={"opset": opset, "producer": model.producer_name}))
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
