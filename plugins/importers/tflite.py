"""TFLite importer: a .tflite flatbuffer -> the core graph.

Reads with the schema object API shipped by `tflite-micro`. TFLite's implicit conventions
become explicit core attributes: SAME/VALID padding turns into pads, constant operand tensors
(reshape shape, pad amounts, reduction axes, slice bounds, permutations) into attributes.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from tinycc.core import int4, ops
from tinycc.core.errors import TinyccError, Unsupported
from tinycc.core.graph import Graph, Metadata, NameSpace, Node, Quant, Tensor, np_dtype
from tinycc.core.hookspec import hookimpl
from tinycc.core.ops import _tflite
from tinycc.core.validate import MAX_NODES, MAX_WINDOW, validate
from tinycc.plugins.importers import tflite_decode

TENSOR_TYPES = {0: "float32", 2: "int32", 3: "uint8", 4: "int64", 6: "bool", 7: "int16", 9: "int8",
                12: "uint64", 13: "resource", 15: "uint32", 16: "uint16", 17: "int8"}
INT4 = 17                      # packed two a byte, read as int8 values -8..7 with Tensor.int4 set (core/int4.py)
ACTIVATIONS = _tflite.ACTIVATION_CODES
PADDING_SAME, PADDING_VALID = _tflite.PADDING_SAME, _tflite.PADDING_VALID
MAX_FILE_BYTES = 1 << 31
MAX_ENTRIES = 50_000           # tensors, buffers, operator codes, ... per vector
MAX_OBJECTS = 100_000          # tables the object API would build, all vectors together
MAX_TEXT_BYTES = 16 << 20      # names and other strings it would copy
MAX_SUBGRAPHS = 256            # control flow: IF / WHILE / CALL_ONCE subgraphs


def _schema():
    from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as schema_fb
    return schema_fb


def _builtin_names() -> dict[int, str]:
    ops = _schema().BuiltinOperator
    return {v: k for k, v in vars(ops).items() if not k.startswith("_") and isinstance(v, int)}


# TFLite builtin -> (core op name, its TFLite codec), from each core/ops/<op>.py's TFLITE
CODECS = {builtin: (name, codec) for name in ops.supported() if (codec := ops.tflite(name)) is not None
          for builtin in _tflite.keys(codec)}
OP_MAP = {builtin: name for builtin, (name, _) in CODECS.items()}      # TFLite builtin -> core op name


def _text_len(table, field: int) -> int:
    """Length of a string field (by its vtable slot: 4 + 2 * field id, fixed by the schema) without copying it."""
    o = table._tab.Offset(field)
    return table._tab.VectorLen(o) if o else 0


def _check_budget(schema, data: bytes, path: Path) -> None:
    """Refuse, before unpacking, a file whose object-API unpacking would be absurdly large.

    The object API builds one Python object per vector entry and copies every string; a vector
    entry is an offset, and nothing stops many entries of a hostile file pointing at the same
    table, so a few kilobytes could make it build millions of objects. The lazy API reads the
    counts and string lengths without building anything."""
    def refuse(message):
        return TinyccError(message, file=str(path), hint="the file is corrupted or not a microcontroller model")

    m = schema.Model.GetRootAs(data, 0)
    if m.SubgraphsLength() == 0:
        raise TinyccError("the model has no subgraph", file=str(path))
    if m.SubgraphsLength() > MAX_SUBGRAPHS:
        raise refuse(f"the model claims {m.SubgraphsLength():,} subgraphs (the limit is {MAX_SUBGRAPHS})")
    subs = [m.Subgraphs(k) for k in range(m.SubgraphsLength())]
    sg = subs[0]
    counts = {"tensors": sum(s.TensorsLength() for s in subs), "operators": sum(s.OperatorsLength() for s in subs),
              "buffers": m.BuffersLength(),
              "operator codes": m.OperatorCodesLength(), "metadata entries": m.MetadataLength(),
              "signatures": m.SignatureDefsLength(), "external buffer groups": m.ExternalBufferGroupsLength(),
              "external buffers": m.ExternalBuffersLength()}
    for what, n in counts.items():
        if n > (MAX_NODES if what == "operators" else MAX_ENTRIES):
            raise refuse(f"the model claims {n:,} {what}")
    objects = sum(counts.values())
    text = _text_len(m, 10) + _text_len(sg, 12)
    for s in subs:
        for i in range(s.TensorsLength()):
            t = s.Tensors(i)
            text += _text_len(t, 10)
            objects += t.VariantTensorsLength()
            sparsity = t.Sparsity()
            if sparsity is not None:
                objects += sparsity.DimMetadataLength()
    text += sum(_text_len(m.OperatorCodes(i), 6) for i in range(counts["operator codes"]))
    text += sum(_text_len(m.Metadata(i), 4) for i in range(counts["metadata entries"]))
    text += sum(_text_len(m.ExternalBufferGroups(i), 4) for i in range(counts["external buffer groups"]))
    for i in range(counts["signatures"]):
        sig = m.SignatureDefs(i)
        maps = [sig.Inputs(k) for k in range(min(sig.InputsLength(), MAX_ENTRIES))] + \
               [sig.Outputs(k) for k in range(min(sig.OutputsLength(), MAX_ENTRIES))]
        objects += sig.InputsLength() + sig.OutputsLength()
        text += _text_len(sig, 8) + sum(_text_len(tm, 4) for tm in maps)
        if objects > MAX_OBJECTS:
            break
    if objects > MAX_OBJECTS or text > MAX_TEXT_BYTES:
        raise refuse(f"unpacking the model would build {objects:,} objects and {text:,} bytes of names "
                     f"(limits {MAX_OBJECTS:,} and {MAX_TEXT_BYTES:,})")


def _opt(options, name, default=None):
    return getattr(options, name, default) if options is not None else default


class _Reader:
    def __init__(self, path: Path, data: bytes):
        self.path = path
        self.data = data
        schema = _schema()
        if not data:
            raise TinyccError("the file is empty", file=str(path), hint="was the model fully written or copied?")
        if len(data) < 8 or data[4:8] != b"TFL3":
            raise TinyccError("not a TFLite flatbuffer (missing the 'TFL3' file identifier)", file=str(path),
                              hint="pass a .tflite file written by the TFLite converter or tinycc")
        try:
            _check_budget(schema, data, path)
            self.model = schema.ModelT.InitFromPackedBuf(bytearray(data), 0)
        except TinyccError:
            raise
        except Exception as exc:  # corrupted offsets surface as arbitrary exceptions
            raise TinyccError(f"the flatbuffer is corrupted ({type(exc).__name__}: {exc})",
                              file=str(path)) from None
        if not self.model.subgraphs:
            raise TinyccError("the model has no subgraph", file=str(path))
        self.sg = self.model.subgraphs[0]
        self.names = _builtin_names()
        self.tensor_names: list[str] = []

    def fail(self, message, **kw):
        return TinyccError(message, file=str(self.path), **kw)

    def buffer_data(self, t, shape, dtype) -> np.ndarray | None:
        buffers = self.model.buffers or []
        if t.buffer <= 0:
            return None
        if t.buffer >= len(buffers):
            raise self.fail(f"tensor {self.text(t.name)!r} refers to buffer {t.buffer}, "
                            f"but the model has {len(buffers)}")
        buf = buffers[t.buffer]
        if buf.offset and buf.offset > 1:
            raw = self.data[buf.offset:buf.offset + buf.size]
        elif buf.data is not None and len(buf.data):
            raw = np.asarray(buf.data, dtype=np.uint8).tobytes()
        else:
            return None
        itemsize = np.dtype(dtype).itemsize
        count = int(np.prod(shape, dtype=np.int64)) if shape else 1
        if t.type == INT4:
            if len(raw) != int4.packed_bytes(count):
                raise self.fail(f"INT4 tensor {self.text(t.name)!r} of shape {tuple(shape)} needs "
                                f"{int4.packed_bytes(count)} bytes (two values a byte), its buffer has {len(raw)}")
            return int4.unpack(raw, count).reshape(shape)
        if len(raw) != count * itemsize:
            raise self.fail(f"tensor {self.text(t.name)!r} of shape {tuple(shape)} needs {count * itemsize} bytes, "
                            f"its buffer has {len(raw)}")
        return np.frombuffer(raw, dtype=dtype).reshape(shape).copy()

    @staticmethod
    def text(name) -> str:
        if name is None:
            return ""
        return name.decode("utf-8", "replace") if isinstance(name, bytes) else str(name)

    def tensors(self) -> dict[str, Tensor]:
        out: dict[str, Tensor] = {}
        raw = [self.text(t.name) or f"tensor_{i}" for i, t in enumerate(self.sg.tensors or [])]
        names = NameSpace(raw)               # a repeated name gets a fresh one no tensor of the file has
        for i, t in enumerate(self.sg.tensors or []):
            base = raw[i]
            name = base if base not in out else names.fresh(base)
            dtype = TENSOR_TYPES.get(t.type)
            if dtype is None:
                raise self.fail(f"tensor {base!r} has unsupported element type "
                                f"{_enum_name(_schema().TensorType, int(t.type))}",
                                hint="supported: " + ", ".join(_enum_name(_schema().TensorType, k)
                                                               for k in TENSOR_TYPES))
            if t.sparsity is not None:
                raise self.fail(f"tensor {base!r} is sparse; sparse tensors are not supported (nor by TF Lite Micro)",
                                hint="convert without sparsification")
            shape = tuple(int(d) for d in (t.shape if t.shape is not None else []))
            if t.shapeSignature is not None and any(int(d) < 0 for d in t.shapeSignature):
                shape = tuple(1 if int(s) < 0 else d for s, d in zip(t.shapeSignature, shape))
            if any(d < 0 for d in shape):
                raise self.fail(f"tensor {base!r} has a negative dimension {shape}")
            if len(shape) > 8 or int(np.prod(shape, dtype=np.float64)) > (1 << 31):
                raise self.fail(f"tensor {base!r} has an absurd shape {shape}")
            quant = None
            q = t.quantization
            if q is not None and q.scale is not None and len(q.scale):
                zps = q.zeroPoint if q.zeroPoint is not None else []
                if len(zps) == 0 and dtype == "float32":
                    q = None        # TF Lite Micro reads scales without zero points as "not quantised"
                elif len(zps) != len(q.scale):
                    raise self.fail(f"tensor {base!r} has {len(q.scale)} scales but {len(zps)} zero points",
                                    hint=None if len(zps) else "TF Lite Micro reads a tensor without zero "
                                    "points as not quantised (scale 0); every scale needs its zero point")
            if q is not None and q.scale is not None and len(q.scale):
                axis = int(q.quantizedDimension)
                if len(shape) == 1 and axis != 0 and len(q.scale) == shape[0]:
                    axis = 0    # old TOCO files give 1-D biases the filter's axis; TFLM ignores it
                quant = Quant(np.asarray(q.scale, dtype=np.float32), np.asarray(zps, dtype=np.int64), axis)
            variable = bool(t.isVariable)        # TF Lite Micro ignores a variable tensor's buffer
            data = None if variable else self.buffer_data(t, shape, np_dtype(dtype))
            out[name] = Tensor(name, shape, dtype, quant, data, variable, int4=t.type == INT4)
            self.tensor_names.append(name)
        return out

    def tensor_name(self, index: int, where: str) -> str | None:
        if index < 0:
            return None
        if index >= len(self.tensor_names):
            raise self.fail(f"{where} refers to tensor {index}, but the model has {len(self.tensor_names)}")
        return self.tensor_names[index]

    def const(self, tensors, name, node, what) -> np.ndarray:
        if name is None or tensors[name].data is None:
            raise TinyccError(f"{what} must be a constant tensor", file=str(self.path), node=node)
        return tensors[name].data


def _enum_name(enum, value) -> str:
    """`NAME (value)` of a schema enum value, or the bare value when the schema has no such name."""
    names = {v: k for k, v in vars(enum).items() if not k.startswith("_") and isinstance(v, int)}
    return f"{names[value]} ({value})" if value in names else str(value)


def _options(r: _Reader, op, tflite_name: str, node_name: str):
    """The operator's options table when it is the one the operator reads, else None. TF Lite
    Micro's parsers read an absent or foreign table as all-zero parameters: harmless defaults for
    most operators, but a zero stride and an unknown padding for windowed ones, refused here."""
    codec = CODECS[tflite_name][1]
    wanted = codec.options
    if wanted is None:
        return None
    present = int(op.builtinOptionsType or 0)
    if present == getattr(_schema().BuiltinOptions, wanted) and op.builtinOptions is not None:
        return op.builtinOptions
    if codec.required:
        got = "no options table" if present == 0 else f"a {_enum_name(_schema().BuiltinOptions, present)} table"
        raise TinyccError(f"the operator has {got}, not its {wanted} (strides, padding, ...)", file=str(r.path),
                          node=node_name, op=tflite_name,
                          hint="TF Lite Micro would read zero strides and an unknown padding; the file is corrupted")
    return None


def _fail(r: _Reader, node_name: str, tflite_name: str, message: str, hint: str | None = None):
    return TinyccError(message, file=str(r.path), node=node_name, op=tflite_name, hint=hint)


def _window(r: _Reader, o, node_name: str, tflite_name: str, x, kernel, dilations=(1, 1)) -> dict:
    """strides, explicit pads and the fused activation of a windowed operator, each checked."""
    strides = (int(o.strideH), int(o.strideW))
    for what, values in (("strides", strides), ("dilations", dilations), ("window", kernel)):
        if min(values) < 1 or max(values) > MAX_WINDOW:
            raise _fail(r, node_name, tflite_name, f"{what} {tuple(values)} must be between 1 and {MAX_WINDOW:,}",
                        hint="the file is corrupted")
    padding = int(o.padding)
    if padding not in (PADDING_SAME, PADDING_VALID):
        raise _fail(r, node_name, tflite_name, f"padding {_enum_name(_schema().Padding, padding)} is neither "
                    f"SAME ({PADDING_SAME}) nor VALID ({PADDING_VALID})", hint="the file is corrupted")
    if len(x.shape) != 4:
        raise _fail(r, node_name, tflite_name, f"needs a 4-D input, got {x.name!r} of shape {x.shape}")
    return {"strides": strides, "pads": _tflite.pads(padding, x.shape, kernel, strides, dilations)}


def _activation(r: _Reader, o, node_name: str, tflite_name: str) -> str:
    value = int(_opt(o, "fusedActivationFunction", 0))
    act = ACTIVATIONS.get(value)
    if act is None:
        raise _fail(r, node_name, tflite_name,
                    f"fused activation {_enum_name(_schema().ActivationFunctionType, value)} is not supported",
                    hint="supported: " + ", ".join(f"{k.upper()} ({v})" for v, k in ACTIVATIONS.items()))
    return act


def _operator_code(r: _Reader, index: int, op) -> tuple[str, object]:
    codes = r.model.operatorCodes or []
    if not 0 <= op.opcodeIndex < len(codes):
        raise r.fail(f"operator {index} refers to operator code {op.opcodeIndex}, but the model has {len(codes)}")
    code = codes[op.opcodeIndex]
    builtin = max(int(code.builtinCode), int(code.deprecatedBuiltinCode))
    tflite_name = r.names.get(builtin, f"BUILTIN_{builtin}")
    if tflite_name == "CUSTOM":
        tflite_name = f"CUSTOM/{r.text(code.customCode)}"
    return tflite_name, code


def _node_name(r: _Reader, index: int, op) -> str:
    """`op<index>:<first output>`, the name messages give a TFLite operator."""
    outs = op.outputs if op.outputs is not None else []
    first = int(outs[0]) if len(outs) else -1
    names = r.tensor_names or [r.text(t.name) or f"tensor_{i}" for i, t in enumerate(r.sg.tensors or [])]
    return f"op{index}:{names[first]}" if 0 <= first < len(names) else f"op{index}"


def _check_supported(r: _Reader) -> None:
    """Every operator and element type tinycc lacks, at once: names, counts and the first node
    (or tensor) of each, as one Unsupported error."""
    missing: dict[str, list[int]] = {}
    for index, op in enumerate(r.sg.operators or []):
        tflite_name, _ = _operator_code(r, index, op)
        if tflite_name not in OP_MAP and tflite_name != tflite_decode.NAME:     # folded (tflite_decode.py)
            missing.setdefault(tflite_name, []).append(index)
    types: dict[str, list[str]] = {}
    for i, t in enumerate(r.sg.tensors or []):
        if t.type not in TENSOR_TYPES:
            types.setdefault(_enum_name(_schema().TensorType, int(t.type)).split(" ")[0], []).append(
                r.text(t.name) or f"tensor_{i}")
    if not missing and not types:
        return
    ops = r.sg.operators
    problems, hints = [], []
    if missing:
        names = list(missing)
        kind = "custom operator" if all(n.startswith("CUSTOM/") for n in names) else "TFLite operator"
        problems.append(f"{kind}{'s' if len(names) > 1 else ''} not supported: " + ", ".join(
            f"{name} x{len(where)} (first: {_node_name(r, where[0], ops[where[0]])})"
            for name, where in missing.items()))
        if "CUSTOM/ethos-u" in missing:
            hints.append("ethos-u is a part of the model Vela compiled for the Arm Ethos-U NPU, which only the NPU "
                         "runs: give tinycc the .tflite from before Vela, or use --backend tflm on an Ethos-U board")
        hints.append("supported operators: " + ", ".join(sorted(OP_MAP)))
    if types:
        problems.append(f"element type{'s' if len(types) > 1 else ''} not supported: " + ", ".join(
            f"{name} x{len(where)} (first: tensor {where[0]!r})" for name, where in types.items()))
        hints.append("supported element types: " + ", ".join(_enum_name(_schema().TensorType, k).split(" ")[0]
                                                            for k in TENSOR_TYPES))
    one = next(iter(missing.values()))[0] if len(missing) == 1 else None       # else each names its first
    raise Unsupported("; ".join(problems), file=str(r.path), node=None if one is None else _node_name(r, one, ops[one]),
                      op=next(iter(missing)) if one is not None else None, hint="; ".join(hints))


class _OpReader:
    """What an operator's TFLite codec reads (core/ops/protocol.TFLiteReadContext)."""

    def __init__(self, r: _Reader, tensors, ins, outs, o, node_name: str, tflite_name: str, activation: str):
        self.r, self.tensors, self.ins, self.outs, self.o = r, tensors, ins, outs, o
        self.node_name, self.tflite_name, self.activation = node_name, tflite_name, activation
        self.x = tensors[ins[0]] if ins and ins[0] is not None else None
        self.custom: dict = {}               # a custom operator's flexbuffer options (_custom_options)

    def input(self, k: int):
        return self.tensors[self.ins[k]] if len(self.ins) > k and self.ins[k] else None

    def output(self, k: int):
        return self.tensors[self.outs[k]]

    def const(self, k: int, what: str):
        return self.r.const(self.tensors, self.ins[k] if len(self.ins) > k else None, self.node_name, what)

    def window(self, kernel, dilations=(1, 1)) -> dict:
        return _window(self.r, self.o, self.node_name, self.tflite_name, self.x, kernel, dilations)

    def fail(self, message: str, hint: str | None = None):
        return _fail(self.r, self.node_name, self.tflite_name, message, hint)

    def enum_name(self, enum: str, value: int) -> str:
        return _enum_name(getattr(_schema(), enum), value)


def _convert(r: _Reader, tensors: dict[str, Tensor], index: int, op) -> Node:
    tflite_name, code = _operator_code(r, index, op)
    for what, indices in (("input", op.inputs), ("output", op.outputs)):
        for k, i in enumerate(indices if indices is not None else []):
            if int(i) < -1 or int(i) >= len(r.tensor_names) or (what == "output" and int(i) < 0):
                raise r.fail(f"operator {index} ({tflite_name}) {what} #{k} refers to tensor {int(i)}, but the "
                             f"model has tensors 0..{len(r.tensor_names) - 1}"
                             + (" (-1 marks an omitted optional input)" if what == "input" else ""))
    ins = [r.tensor_name(int(i), f"operator {index}") for i in (op.inputs if op.inputs is not None else [])]
    outs = [name for i in (op.outputs if op.outputs is not None else [])       # none is -1: checked above
            if (name := r.tensor_name(int(i), f"operator {index}")) is not None]
    core_op = OP_MAP.get(tflite_name)
    effects = core_op is not None and ops.trait(core_op, "ordered")     # ASSIGN_VARIABLE, CALL_ONCE: no output
    if not outs and not effects:
        raise r.fail(f"operator {index} ({tflite_name}) has no output")
    node_name = f"op{index}:{outs[0]}" if outs else f"op{index}"
    if core_op is None:                      # _check_supported reports these first, all together
        raise _fail(r, node_name, tflite_name, f"TFLite operator {tflite_name} is not supported",
                    hint="supported: " + ", ".join(sorted(OP_MAP)))
    o = _options(r, op, tflite_name, node_name)
    attrs: dict = {}
    act = _activation(r, o, node_name, tflite_name) if CODECS[tflite_name][1].fused_activation else "none"
    bias_type = int(_opt(o, "quantizedBiasType", 0))          # CONV_2D, FULLY_CONNECTED options
    if bias_type not in {v for k, v in vars(_schema().TensorType).items() if not k.startswith("_")}:
        raise _fail(r, node_name, tflite_name, f"quantized bias type {bias_type} is not a TFLite tensor type",
                    hint="TF Lite Micro refuses it too; the file is corrupted")
    if (not ins or ins[0] is None) and ops.require(core_op).INPUTS:
        raise _fail(r, node_name, tflite_name, "the first input is missing")
    codec = CODECS[tflite_name][1]
    if codec.read is not None:
        ctx = _OpReader(r, tensors, ins, outs, o, node_name, tflite_name, act)
        if codec.custom:
            ctx.custom = _custom_options(r, op, node_name, tflite_name)
        attrs = codec.read(ctx)
    if codec.inputs is not None:             # TFLite's operand order differs from the core's
        ins = [ins[k] if k < len(ins) else None for k in codec.inputs]
    elif codec.operands is not None:         # the rest are constants the codec read into attributes
        ins = ins[:codec.operands]
    while ins and ins[-1] is None:
        ins.pop()
    return Node(node_name, core_op, ins, outs, attrs)


def _custom_options(r: _Reader, op, node_name: str, tflite_name: str) -> dict:
    """A custom operator's flexbuffer options as a dict, or a clear error for corrupt bytes."""
    try:
        return _tflite.read_custom_options(op.customOptions)
    except ValueError as exc:
        raise _fail(r, node_name, tflite_name, f"the custom options are not a readable flexbuffer map ({exc})",
                    hint="the file is corrupted") from None


def _edge(r: _Reader, what: str, k: int, index: int) -> int:
    """A subgraph input/output index: a tensor of the model (-1, "omitted", means nothing here)."""
    if not 0 <= index < len(r.tensor_names):
        raise r.fail(f"subgraph {what} #{k} refers to tensor {index}, but the model has tensors "
                     f"0..{len(r.tensor_names) - 1}")
    return index


def load_tflite(path: Path, data: bytes | None = None) -> Graph:
    path = Path(path)
    if data is None:
        try:
            if path.stat().st_size > MAX_FILE_BYTES:
                raise TinyccError("the file is larger than 2 GiB; not a microcontroller model", file=str(path))
            data = path.read_bytes()
        except OSError as exc:
            raise TinyccError(f"cannot read the model: {exc.strerror}", file=str(path)) from None
    r = _Reader(path, data)
    graphs = [_subgraph(r, path, k, sg) for k, sg in enumerate(r.model.subgraphs)]
    g = graphs[0]
    if not g.inputs or not g.outputs:
        raise TinyccError("the model must have at least one input and one output", file=str(path))
    g.metadata = Metadata(format="tflite", details={"description": r.text(r.model.description),
                                                    "schema_version": int(r.model.version)})
    if len(graphs) == 1:
        return validate(g)
    return _validate_subgraphs(graphs, str(path))


class TFLiteImporter:
    name = "tflite"
    description = "TensorFlow Lite flatbuffers (.tflite): int8, 16x8 and float32"

    def can_import(self, path: Path) -> bool:
        path = Path(path)
        if path.suffix.lower() == ".tflite":
            return True
        try:
            with open(path, "rb") as f:
                return f.read(8)[4:8] == b"TFL3"
        except OSError:
            return False

    def load(self, path: Path, options: dict) -> Graph:
        return load_tflite(Path(path))


@hookimpl
def tinycc_importers():
    return [TFLiteImporter()]


def _subgraph(r: _Reader, path: Path, k: int, sg) -> Graph:
    """Subgraph `k` of the file as a core graph (not yet validated)."""
    r.sg, r.tensor_names = sg, []
    where = f" of subgraph {k}" if k else ""
    try:
        _check_supported(r)
        tensors = r.tensors()
        tflite_decode.check_old_scheme(r)
        folded = tflite_decode.fold(r, tensors, [i for i, op in enumerate(r.sg.operators or [])
                                                 if _operator_code(r, i, op)[0] == tflite_decode.NAME])
        nodes = [_convert(r, tensors, i, op) for i, op in enumerate(r.sg.operators or []) if i not in folded]
        inputs, outputs = ([r.tensor_name(_edge(r, what, j, int(i)), f"subgraph {what}s") for j, i in enumerate(
            indices if indices is not None else [])] for what, indices in (("input", r.sg.inputs),
                                                                           ("output", r.sg.outputs)))
    except TinyccError as err:
        if k:
            err.message += f" (subgraph {k})"
            err.args = (err.render(),)
        raise
    except Exception as exc:  # any other inconsistency of a hostile/corrupted file
        raise TinyccError(f"the flatbuffer{where} is inconsistent ({type(exc).__name__}: {exc})",
                          file=str(path)) from None
    if None in inputs or None in outputs:
        raise TinyccError(f"an input or output{where} is omitted (-1)", file=str(path))
    if k and any(t.variable for t in tensors.values()):
        raise Unsupported(f"subgraph {k} has variable tensors; tinycc keeps state tensors of the main graph only",
                          file=str(path), hint="resource variables (VAR_HANDLE) work in any subgraph")
    name = path.stem if k == 0 else f"{path.stem}#{k}"
    return Graph(name=name, tensors=tensors, nodes=nodes, inputs=[n for n in inputs if n is not None],
                 outputs=[n for n in outputs if n is not None], source=str(path))


def _validate_subgraphs(graphs: list[Graph], source: str) -> Graph:
    """A multi-subgraph model: every subgraph shares the list (Graph.subgraphs, file indices) and is
    validated after the subgraphs it calls (control.check_calls refuses calls of subgraph 0 and cycles);
    then its resource variables are checked together (control.variables)."""
    from tinycc.core import control
    for sg in graphs:
        sg.subgraphs = graphs
    for k in control.check_calls(graphs, source):
        try:
            validate(graphs[k])
        except TinyccError as err:
            if k:
                err.message += f" (subgraph {k})"
                err.args = (err.render(),)
            raise
    control.variables(graphs[0])
    return graphs[0]
