"""Seeded malformed-model generators and the per-case harness for fuzzing the importers.

Shared by `tests/test_fuzz_models.py` (a fixed budget in CI) and `benchmarks/fuzz_models.py`
(longer runs). Every case is a pure function of (seed, format, family, index), so a failure is
reproduced from those four values alone.

Two families per format:
  bytes   byte-level mutation of small valid seed models: truncation, bit flips, random and
          "interesting" (0, -1, 2**31-1, ...) 32-bit words at aligned positions, inserted,
          deleted and copied byte ranges, splices of two seeds;
  struct  structural mutation through the format's object API (TFLite: the schema object API
          of `tflite_micro`; ONNX: the protobuf objects): wrong buffer/tensor/opcode indices,
          negative, zero and huge shapes, quantisation arrays of the wrong length, cycles,
          missing tensors and nodes, unknown operators, attributes of the wrong type, ...

`run_case` feeds one case through the pipeline a compile runs (load -> optimize -> plan ->
inspect -> the reference interpreter on a random input) and classifies the result: `ok`,
`error` (a TinyccError: the wanted clear message) or a failure (`crash`: any other exception,
`timeout`, `memory`).
"""
from __future__ import annotations

import contextlib
import copy
import functools
import resource
import signal
import traceback
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
FORMATS = {"tflite": ".tflite", "onnx": ".onnx"}
FAMILIES = ("bytes", "struct")
STAGES = ("load", "optimize", "plan", "run")
FAILURES = ("crash", "timeout", "memory")
RUN_LIMIT_ELEMENTS = 1 << 18      # the reference interpreter runs models with fewer activation elements
INT32_MAX, UINT32_MAX = (1 << 31) - 1, (1 << 32) - 1


# ---------------------------------------------------------------- seed models
@functools.cache
def tflite_seeds() -> tuple[bytes, ...]:
    """The bundled int8 keyword spotter, and a float model written by tinycc with the operators
    whose operands the importer reads from constant tensors (pad, mean, slice, transpose, ...)."""
    from tinycc.backends.tflm.flatbuffer import write_tflite
    from tinycc.core.graph import Graph, Node, Quant, Tensor
    from tinycc.core.validate import validate

    rng = np.random.default_rng(1)

    def const(name, shape, dtype="float32"):
        data = rng.normal(0, 0.5, shape).astype(dtype) if dtype == "float32" else \
            rng.integers(-100, 100, shape).astype(dtype)
        return Tensor(name, tuple(shape), dtype, data=data)

    tensors = {t.name: t for t in [
        Tensor("x", (1, 6, 6, 2), "float32"), const("w", (4, 3, 3, 2)), const("b", (4,)),
        const("dw", (1, 3, 3, 4)), const("k", (1, 1, 1, 4)), const("fw", (3, 8)), const("fb", (3,))]}
    nodes = []

    def node(op, ins, attrs=None):
        out = f"t{len(nodes)}"
        tensors[out] = Tensor(out, (), "float32")
        nodes.append(Node(f"n{len(nodes)}", op, ins, [out], attrs or {}))
        return out

    y = node("pad", ["x"], {"paddings": ((0, 0), (1, 1), (1, 1), (0, 0))})
    y = node("conv_2d", [y, "w", "b"], {"activation": "relu"})
    y = node("depthwise_conv_2d", [y, "dw"], {"pads": (1, 1, 1, 1)})
    y = node("max_pool_2d", [y], {"kernel": (2, 2), "strides": (2, 2)})
    y = node("mul", [y, "k"])
    z = node("logistic", [y])
    y = node("add", [y, z])
    y = node("strided_slice", [y], {"begin": (0, 0, 0, 0), "end": (1, 3, 2, 4), "strides": (1, 1, 1, 1)})
    y = node("transpose", [y], {"perm": (0, 2, 1, 3)})
    y = node("concatenation", [y, y], {"axis": 3})
    y = node("mean", [y], {"axes": (1,), "keep_dims": False})
    y = node("reshape", [y], {"shape": (1, 24)})
    y = node("strided_slice", [y], {"begin": (0, 0), "end": (1, 8), "strides": (1, 1)})
    y = node("fully_connected", [y, "fw", "fb"])
    y = node("tanh", [y])
    y = node("leaky_relu", [y], {"alpha": 0.2})
    node("softmax", [y])
    float_model = write_tflite(validate(Graph("float_seed", tensors, nodes, ["x"], [nodes[-1].outputs[0]])))

    q = Quant(np.float32([0.05]), np.int64([3]))
    qt = {"x": Tensor("x", (1, 8), "float32"), "q": Tensor("q", (), "int8", q),
          "r": Tensor("r", (), "int8", q), "y": Tensor("y", (), "float32")}
    qn = [Node("quant", "quantize", ["x"], ["q"]), Node("relu", "relu", ["q"], ["r"]),
          Node("dequant", "dequantize", ["r"], ["y"])]
    qdq_model = write_tflite(validate(Graph("qdq_seed", qt, qn, ["x"], ["y"])))
    return (ROOT.joinpath("examples", "tiny_kws_int8.tflite").read_bytes(), float_model, qdq_model)


@functools.cache
def onnx_seeds() -> tuple[bytes, ...]:
    """Three small ONNX models covering the importer's operators: a CNN (conv, batch norm,
    depthwise, pooling, gemm), a model of the shape-moving operators, and a QDQ (int8) model."""
    from onnx import TensorProto, helper, numpy_helper

    rng = np.random.default_rng(2)

    def init(name, arr, dtype=np.float32):
        return numpy_helper.from_array(np.asarray(arr, dtype=dtype), name)

    def model(nodes, inputs, outputs, inits):
        graph = helper.make_graph(nodes, "seed", inputs, outputs, inits)
        return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]).SerializeToString()

    x = [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 8, 8])]
    cnn = model(
        [helper.make_node("Conv", ["x", "w1", "b1"], ["c1"], name="conv1", pads=[1, 1, 1, 1]),
         helper.make_node("BatchNormalization", ["c1", "g", "be", "m", "v"], ["bn"], name="bn1"),
         helper.make_node("Relu", ["bn"], ["r1"], name="relu1"),
         helper.make_node("Conv", ["r1", "wd"], ["d1"], name="dw", group=4, strides=[2, 2], pads=[1, 1, 1, 1]),
         helper.make_node("Clip", ["d1", "c0", "c6"], ["r2"], name="relu6"),
         helper.make_node("Add", ["r2", "bias4"], ["a1"], name="add"),
         helper.make_node("MaxPool", ["a1"], ["p1"], name="pool", kernel_shape=[2, 2], strides=[2, 2]),
         helper.make_node("AveragePool", ["a1"], ["p2"], name="avg", kernel_shape=[2, 2], strides=[2, 2]),
         helper.make_node("Concat", ["p1", "p2"], ["cat"], name="concat", axis=1),
         helper.make_node("Flatten", ["cat"], ["f"], name="flatten"),
         helper.make_node("Gemm", ["f", "wf", "bf"], ["logits"], name="fc", transB=1),
         helper.make_node("Softmax", ["logits"], ["y"], name="softmax")],
        x, [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 5])],
        [init("w1", rng.normal(0, 0.5, (4, 3, 3, 3))), init("b1", rng.normal(0, 0.1, 4)),
         init("g", rng.uniform(0.5, 1.5, 4)), init("be", rng.normal(0, 0.1, 4)), init("m", rng.normal(0, 0.1, 4)),
         init("v", rng.uniform(0.5, 1.5, 4)), init("wd", rng.normal(0, 0.5, (4, 1, 3, 3))),
         init("bias4", rng.normal(0, 0.1, (1, 4, 1, 1))),
         init("wf", rng.normal(0, 0.5, (5, 8 * 2 * 2))), init("bf", rng.normal(0, 0.1, 5)),
         init("c6", np.array(6.0)), init("c0", np.array(0.0))])
    shapes = model(
        [helper.make_node("Pad", ["x", "pads"], ["pd"], name="pad"),
         helper.make_node("GlobalAveragePool", ["pd"], ["gap"], name="gap"),
         helper.make_node("ReduceMean", ["pd"], ["rm"], name="mean", axes=[2, 3], keepdims=1),
         helper.make_node("Sub", ["gap", "rm"], ["d"], name="sub"),
         helper.make_node("Transpose", ["d"], ["tr"], name="transpose", perm=[0, 2, 3, 1]),
         helper.make_node("Squeeze", ["tr", "sq_axes"], ["sq"], name="squeeze"),
         helper.make_node("Unsqueeze", ["sq", "usq_axes"], ["usq"], name="unsqueeze"),
         helper.make_node("Reshape", ["usq", "shape"], ["rs"], name="reshape"),
         helper.make_node("MatMul", ["rs", "mw"], ["mm"], name="matmul"),
         helper.make_node("Mul", ["mm", "scale"], ["ml"], name="mul"),
         helper.make_node("LeakyRelu", ["ml"], ["lr"], name="leaky", alpha=0.1),
         helper.make_node("Sigmoid", ["lr"], ["sg"], name="sigmoid"),
         helper.make_node("Tanh", ["sg"], ["th"], name="tanh"),
         helper.make_node("Dropout", ["th"], ["dr"], name="dropout"),
         helper.make_node("Identity", ["dr"], ["y"], name="identity")],
        x, [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4])],
        [init("pads", [0, 0, 1, 1, 0, 0, 1, 1], np.int64), init("sq_axes", [1, 2], np.int64),
         init("usq_axes", [1], np.int64), init("shape", [1, 3], np.int64), init("mw", rng.normal(0, 0.5, (3, 4))),
         init("scale", rng.normal(0, 1, (1, 4)))])
    qdq = model(
        [helper.make_node("QuantizeLinear", ["x", "xs", "xz"], ["xq"], name="xq"),
         helper.make_node("DequantizeLinear", ["xq", "xs", "xz"], ["xd"], name="xd"),
         helper.make_node("DequantizeLinear", ["wq", "ws", "wz"], ["wdq"], name="wd", axis=0),
         helper.make_node("DequantizeLinear", ["bq", "bs"], ["bdq"], name="bd"),
         helper.make_node("Conv", ["xd", "wdq", "bdq"], ["c"], name="conv", pads=[1, 1, 1, 1]),
         helper.make_node("Relu", ["c"], ["r"], name="relu"),
         helper.make_node("QuantizeLinear", ["r", "ys", "yz"], ["yq"], name="yq"),
         helper.make_node("DequantizeLinear", ["yq", "ys", "yz"], ["y"], name="yd")],
        x, [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 2, 8, 8])],
        [init("xs", 0.02), init("xz", 0, np.int8), init("wq", rng.integers(-127, 128, (2, 3, 3, 3)), np.int8),
         init("ws", [0.01, 0.02]), init("wz", [0, 0], np.int8), init("bq", rng.integers(-500, 500, 2), np.int32),
         init("bs", [0.0002, 0.0004]), init("ys", 0.05), init("yz", -128, np.int8)])
    return cnn, shapes, qdq


def seeds(fmt: str) -> tuple[bytes, ...]:
    return tflite_seeds() if fmt == "tflite" else onnx_seeds()


def case_rng(seed: int, fmt: str, family: str, index: int) -> np.random.Generator:
    return np.random.default_rng([seed, list(FORMATS).index(fmt), FAMILIES.index(family), index])


# ---------------------------------------------------------------- byte-level mutation
INTERESTING32 = (0, 1, 2, 0x7F, 0x80, 0xFF, 0x100, 0x7FFF, 0x8000, 0xFFFF, 0x10000, 0x100000,
                 0x7FFFFFFF, 0x80000000, 0xFFFFFFFE, 0xFFFFFFFF)


def mutate_bytes(fmt: str, rng: np.random.Generator) -> tuple[bytes, str]:
    """A seed model with 1-4 byte-level mutations; returns (data, description)."""
    pool = seeds(fmt)
    k = int(rng.integers(len(pool)))
    data = bytearray(pool[k])
    done = [f"seed {k}"]
    for _ in range(int(rng.integers(1, 5))):
        n = len(data)
        kind = str(rng.choice(["flip", "flip", "byte", "word", "word", "insert", "delete", "copy",
                               "splice", "truncate"]))
        if n < 8 and kind not in ("insert", "splice"):
            kind = "insert"
        if kind == "flip":
            for _ in range(int(rng.integers(1, 9))):
                p = int(rng.integers(n))
                data[p] ^= 1 << int(rng.integers(8))
            done.append("bit flips")
        elif kind == "byte":
            p = int(rng.integers(n))
            data[p] = int(rng.choice([0, 1, 0x7F, 0x80, 0xFF, int(rng.integers(256))]))
            done.append(f"byte {p}")
        elif kind == "word":
            p = int(rng.integers(n // 4)) * 4
            v = int(rng.choice(INTERESTING32)) if rng.random() < 0.7 else int(rng.integers(UINT32_MAX))
            data[p:p + 4] = v.to_bytes(4, "little")
            done.append(f"word {p}={v:#x}")
        elif kind == "insert":
            p = int(rng.integers(n + 1))
            data[p:p] = rng.bytes(int(rng.integers(1, 64)))
            done.append(f"insert at {p}")
        elif kind == "delete":
            p = int(rng.integers(n))
            data[p:p + int(rng.integers(1, 64))] = b""
            done.append(f"delete at {p}")
        elif kind == "copy":
            a, b, size = int(rng.integers(n)), int(rng.integers(n)), int(rng.integers(1, 128))
            data[b:b + size] = data[a:a + size]
            done.append(f"copy {a}->{b}")
        elif kind == "splice":
            other = pool[int(rng.integers(len(pool)))]
            a, b = int(rng.integers(len(other))), int(rng.integers(max(n, 1)))
            data = data[:b] + other[a:]
            done.append(f"splice at {b}")
        else:
            p = int(rng.integers(n))
            data = data[:p]
            done.append(f"truncate to {p}")
    return bytes(data), ", ".join(done)


# ---------------------------------------------------------------- TFLite structure
def _huge_or_bad_shape(rng) -> list[int]:
    shapes = ([-1], [1, -5, 4, 1], [0], [1, 0, 3, 1], [INT32_MAX], [1 << 20, 1 << 20], [65536, 65536, 16],
              [2] * 9, [], [1], [1, 1, 1, 1, 1, 1, 1], [3, 3], [1, 4], [1, 49, 10, 1], [1 << 16, 1 << 15],
              [int(rng.integers(1, 9)) for _ in range(int(rng.integers(1, 6)))])
    return list(shapes[int(rng.integers(len(shapes)))])


def _index(rng, n: int) -> int:
    """A tensor/buffer/opcode index: mostly wrong (negative, one past the end, huge), sometimes valid."""
    return int(rng.choice([-1, -2, n, n + 3, INT32_MAX, int(rng.integers(max(n, 1)))]))


def _tflite_mutation(m, rng) -> str:
    """Apply one structural mutation to the ModelT `m`; returns what was done."""
    s = _tflite_schema()
    sg = m.subgraphs[0] if m.subgraphs else None
    tensors = (sg.tensors or []) if sg else []
    operators = (sg.operators or []) if sg else []
    buffers = m.buffers or []
    nt = len(tensors)
    kind = str(rng.choice([
        "t.buffer", "t.shape", "t.shape", "t.signature", "t.type", "t.quant", "t.quant", "t.name", "buffer",
        "op.input", "op.input", "op.inputs", "op.output", "op.opcode", "code", "code", "options", "options",
        "options_type", "op.swap", "op.dup", "op.delete", "t.delete", "sg.io", "subgraphs", "buffers",
        "t.sparsity"]))
    t = tensors[int(rng.integers(nt))] if nt else None
    op = operators[int(rng.integers(len(operators)))] if operators else None
    if kind == "t.buffer" and t is not None:
        t.buffer = int(rng.choice([0, len(buffers), len(buffers) + 7, UINT32_MAX,
                                   int(rng.integers(max(len(buffers), 1)))]))
        return f"tensor {t.name!r} buffer {t.buffer}"
    if kind == "t.shape" and t is not None:
        t.shape = _huge_or_bad_shape(rng)
        return f"tensor {t.name!r} shape {t.shape}"
    if kind == "t.signature" and t is not None:
        t.shapeSignature = [int(rng.choice([-1, 1, 0, 7])) for _ in range(int(rng.integers(0, 6)))]
        return f"tensor {t.name!r} shape signature {t.shapeSignature}"
    if kind == "t.type" and t is not None:
        t.type = int(rng.integers(0, 20))
        return f"tensor {t.name!r} type {t.type}"
    if kind == "t.quant" and t is not None:
        q = t.quantization or s.QuantizationParametersT()
        how = int(rng.integers(8))
        n = len(q.scale) if q.scale is not None else 0
        if how == 0:
            q.scale = [0.05] * int(rng.integers(0, 20))
        elif how == 1:
            q.zeroPoint = [int(rng.integers(-200, 200)) for _ in range(int(rng.integers(0, 20)))]
        elif how == 2:
            q.quantizedDimension = int(rng.integers(-3, 9))
        elif how == 3:
            q.scale = [float(rng.choice([0.0, -1.0, np.nan, np.inf, 1e-45, 1e38]))] * max(n, 1)
        elif how == 4:
            t.quantization = None
            return f"tensor {t.name!r} without quantisation"
        elif how == 5:
            q.zeroPoint = [int(rng.choice([-(1 << 40), 1 << 40, 255, -129, 70000]))] * max(n, 1)
        elif how == 6:
            q.scale, q.zeroPoint = [0.1] * 3, [0] * 3
        else:
            q.scale, q.zeroPoint = None, [int(rng.integers(-5, 5))]
        t.quantization = q
        return f"tensor {t.name!r} quantisation {how}"
    if kind == "t.sparsity" and t is not None:
        sp = s.SparsityParametersT()
        sp.traversalOrder = [int(v) for v in rng.integers(-1, 5, int(rng.integers(0, 5)))]
        sp.blockMap = [int(v) for v in rng.integers(-1, 5, int(rng.integers(0, 3)))]
        t.sparsity = sp
        return f"tensor {t.name!r} sparse {sp.traversalOrder}"
    if kind == "t.name" and t is not None:
        t.name = rng.choice([None, b"", tensors[int(rng.integers(nt))].name, b"\xff\xfe/*", b"x" * 300])
        return f"tensor name {t.name!r}"
    if kind == "buffer" and buffers:
        b = buffers[int(rng.integers(len(buffers)))]
        how = int(rng.integers(4))
        data = list(b.data) if b.data is not None else []
        if how == 0:
            b.data = data[:int(rng.integers(len(data) + 1))]
        elif how == 1:
            b.data = data + [int(v) for v in rng.integers(0, 256, int(rng.integers(1, 64)))]
        elif how == 2:
            b.data = None
        else:
            b.offset, b.size = int(rng.choice([1, 2, 16, 1 << 40, UINT32_MAX])), int(rng.choice([0, 16, 1 << 40]))
        return f"buffer mutation {how}"
    if kind == "op.input" and op is not None and op.inputs is not None and len(op.inputs):
        ins = [int(i) for i in op.inputs]
        k = int(rng.integers(len(ins)))
        later = [int(o) for o2 in operators for o in (o2.outputs if o2.outputs is not None else [])]
        choices = [_index(rng, nt)]
        if op.outputs is not None and len(op.outputs):
            choices.append(int(op.outputs[0]))            # reads its own output: a cycle
        if later:
            choices.append(int(rng.choice(later)))       # another op's output (maybe a later one)
        ins[k] = int(rng.choice(choices))
        op.inputs = ins
        return f"operator input {k} -> {ins[k]}"
    if kind == "op.inputs" and op is not None:
        ins = [int(i) for i in (op.inputs if op.inputs is not None else [])]
        if ins and rng.random() < 0.5:
            ins = ins[:int(rng.integers(len(ins)))]
        else:
            ins += [int(rng.choice([-1, _index(rng, nt)])) for _ in range(int(rng.integers(1, 4)))]
        op.inputs = ins
        return f"operator inputs {ins}"
    if kind == "op.output" and op is not None:
        inputs = [int(i) for i in (op.inputs if op.inputs is not None else [])]
        choices = [[], [_index(rng, nt)], [int(rng.integers(max(nt, 1)))] * 2]
        if inputs:
            choices.append([inputs[0]])                    # writes its own input
        if sg is not None and sg.inputs is not None and len(sg.inputs):
            choices.append([int(sg.inputs[0])])            # overwrites the model input
        op.outputs = choices[int(rng.integers(len(choices)))]
        return f"operator outputs {op.outputs}"
    if kind == "op.opcode" and op is not None:
        op.opcodeIndex = int(rng.choice([len(m.operatorCodes or []), UINT32_MAX,
                                         int(rng.integers(max(len(m.operatorCodes or []), 1)))]))
        return f"operator opcode index {op.opcodeIndex}"
    if kind == "code" and m.operatorCodes:
        c = m.operatorCodes[int(rng.integers(len(m.operatorCodes)))]
        names = [n for n in vars(s.BuiltinOperator) if not n.startswith("_")]
        if rng.random() < 0.7:
            c.builtinCode = int(getattr(s.BuiltinOperator, str(rng.choice(names))))
        else:
            c.builtinCode = int(rng.choice([-1, 255, 1000, INT32_MAX]))
        c.deprecatedBuiltinCode = int(min(max(c.builtinCode, -128), 127)) if rng.random() < 0.8 \
            else int(rng.integers(-128, 128))
        return f"operator code {c.builtinCode}/{c.deprecatedBuiltinCode}"
    if kind == "options" and op is not None and op.builtinOptions is not None:
        fields = [k for k, v in vars(op.builtinOptions).items() if isinstance(v, (int, float, bool))]
        if fields:
            f = str(rng.choice(fields))
            v = getattr(op.builtinOptions, f)
            if isinstance(v, float):
                new = float(rng.choice([0.0, -1.0, np.nan, np.inf, 1e30]))
            elif isinstance(v, bool):
                new = not v
            else:
                new = int(rng.choice([0, -1, -7, 2, 3, 4, 5, 127, 65535, INT32_MAX, -(1 << 31)]))
            if f in ("padding", "fusedActivationFunction") or "Type" in f:
                new = int(rng.integers(-2, 128)) if isinstance(v, int) and not isinstance(v, bool) else new
            setattr(op.builtinOptions, f, new)
            return f"option {f}={new}"
    if kind == "options_type" and op is not None:
        op.builtinOptionsType = int(rng.integers(0, 130))
        other = [n for n in vars(s) if n.endswith("OptionsT")]
        op.builtinOptions = getattr(s, str(rng.choice(other)))() if rng.random() < 0.5 else None
        return f"options type {op.builtinOptionsType} with {type(op.builtinOptions).__name__}"
    if kind == "op.swap" and len(operators) > 1:
        i, j = (int(v) for v in rng.choice(len(operators), 2, replace=False))
        operators[i], operators[j] = operators[j], operators[i]
        return f"swap operators {i} and {j}"
    if kind == "op.dup" and op is not None:
        operators.insert(int(rng.integers(len(operators) + 1)), copy.deepcopy(op))
        return "duplicate operator"
    if kind == "op.delete" and operators:
        del operators[int(rng.integers(len(operators)))]
        return "delete operator"
    if kind == "t.delete" and nt:
        del tensors[int(rng.integers(nt))]
        return "delete tensor"
    if kind == "sg.io" and sg is not None:
        which = str(rng.choice(["inputs", "outputs"]))
        consts = [k for k, tt in enumerate(tensors) if tt.buffer and tt.buffer < len(buffers)]
        choices = [[], [_index(rng, nt)], [int(rng.integers(max(nt, 1)))], [0, 0]]
        if consts:
            choices.append([int(rng.choice(consts))])
        setattr(sg, which, choices[int(rng.integers(len(choices)))])
        return f"subgraph {which} {getattr(sg, which)}"
    if kind == "subgraphs":
        how = int(rng.integers(4))
        if how == 0:
            m.subgraphs = []
        elif how == 1 and sg is not None:
            m.subgraphs = [sg, copy.deepcopy(sg)]
        elif how == 2 and sg is not None:
            sg.operators = None
        elif sg is not None:
            sg.tensors = None
        return f"subgraphs mutation {how}"
    if kind == "buffers":
        how = int(rng.integers(3))
        if how == 0:
            m.buffers = []
        elif how == 1:
            m.buffers = buffers[:1]
        else:
            m.buffers = list(reversed(buffers))
        return f"buffers mutation {how}"
    return "no-op"


@functools.cache
def _tflite_schema():
    from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as schema_fb
    return schema_fb


def mutate_tflite_structure(rng: np.random.Generator) -> tuple[bytes, str]:
    import flatbuffers
    s = _tflite_schema()
    pool = tflite_seeds()
    k = int(rng.integers(len(pool)))
    for _ in range(20):                      # a mutation the packer refuses is drawn again
        m = s.ModelT.InitFromPackedBuf(bytearray(pool[k]), 0)
        done = [f"seed {k}"] + [_tflite_mutation(m, rng) for _ in range(int(rng.integers(1, 4)))]
        try:
            b = flatbuffers.Builder(1024)
            b.Finish(m.Pack(b), file_identifier=b"TFL3")
        except Exception:
            continue
        return bytes(b.Output()), "; ".join(done)
    return pool[k], f"seed {k} unchanged"


# ---------------------------------------------------------------- ONNX structure
ATTRIBUTE_NAMES = ("axis", "perm", "kernel_shape", "strides", "pads", "group", "dilations", "auto_pad", "transB",
                   "transA", "alpha", "beta", "keepdims", "axes", "epsilon", "ceil_mode", "count_include_pad",
                   "allowzero", "training_mode", "mode", "value", "value_float", "value_ints")
ONNX_OPS = ("Add", "AveragePool", "BatchNormalization", "Clip", "Concat", "Constant", "Conv", "DequantizeLinear",
            "Dropout", "Flatten", "Gemm", "GlobalAveragePool", "Identity", "LeakyRelu", "MatMul", "MaxPool", "Mul",
            "Pad", "QuantizeLinear", "ReduceMean", "Relu", "Reshape", "Sigmoid", "Softmax", "Squeeze", "Sub",
            "Tanh", "Transpose", "Unsqueeze", "Loop", "Resize", "Foo")


def _random_attribute(name: str, rng):
    from onnx import helper
    kind = int(rng.integers(7))
    if kind == 0:
        value = int(rng.choice([0, -1, 1, 2, 3, 7, -(1 << 40), 1 << 40]))
    elif kind == 1:
        value = [int(rng.choice([0, -1, 1, 2, 3, 1 << 31, -(1 << 31), 1 << 40]))
                 for _ in range(int(rng.integers(0, 9)))]
    elif kind == 2:
        value = float(rng.choice([0.0, -1.0, 1e-30, np.nan, np.inf, 1e30]))
    elif kind == 3:
        value = [float(v) for v in rng.normal(0, 1, int(rng.integers(0, 5)))]
    elif kind == 4:
        value = str(rng.choice(["SAME_UPPER", "SAME_LOWER", "VALID", "NOTSET", "reflect", "constant", "", "\xff"]))
    elif kind == 5:
        value = [b"a", b"b"]
    else:
        from onnx import numpy_helper
        value = numpy_helper.from_array(rng.normal(0, 1, [int(d) for d in rng.integers(0, 4, rng.integers(0, 4))])
                                        .astype(np.float32))
    return helper.make_attribute(name, value)


def _onnx_mutation(m, rng) -> str:
    """Apply one structural mutation to the ModelProto `m`; returns what was done."""
    from onnx import TensorProto, helper
    g = m.graph
    nodes = g.node
    kind = str(rng.choice([
        "in.dangling", "in.empty", "in.self", "in.later", "in.later", "node.delete", "node.swap", "node.dup",
        "node.outputs", "node.inputs", "node.op", "node.domain", "attr.type", "attr.type", "attr.add",
        "init.delete", "init.dims", "init.dims", "init.dtype", "init.raw", "init.values", "input.dims",
        "input.dims", "input.dtype", "input.delete", "input.shadow", "output", "value_info", "opset", "ir",
        "init.external"]))
    node = nodes[int(rng.integers(len(nodes)))] if len(nodes) else None
    if kind.startswith("in.") and node is not None and len(node.input):
        k = int(rng.integers(len(node.input)))
        here = list(nodes).index(node)
        later = [o for n in list(nodes)[here:] for o in n.output]
        node.input[k] = {"in.dangling": f"nowhere_{k}", "in.empty": "",
                         "in.self": node.output[0] if node.output else "",
                         "in.later": str(rng.choice(later)) if later else "x"}[kind]
        return f"node {node.name} input {k} -> {node.input[k]!r}"
    if kind == "node.delete" and len(nodes):
        del nodes[int(rng.integers(len(nodes)))]
        return "delete node"
    if kind == "node.swap" and len(nodes) > 1:
        i, j = (int(v) for v in rng.choice(len(nodes), 2, replace=False))
        a, b = copy.deepcopy(nodes[i]), copy.deepcopy(nodes[j])
        nodes[i].CopyFrom(b)
        nodes[j].CopyFrom(a)
        return f"swap nodes {i} and {j}"
    if kind == "node.dup" and node is not None:
        nodes.add().CopyFrom(node)
        return f"duplicate node {node.name}"
    if kind == "node.outputs" and node is not None:
        how = int(rng.integers(4))
        if how == 0:
            del node.output[:]
        elif how == 1:
            node.output.append("extra_out")
        elif how == 2 and len(g.input):
            node.output[:] = [g.input[0].name]
        elif len(g.initializer):
            node.output[:] = [g.initializer[0].name]
        return f"node {node.name} outputs {list(node.output)}"
    if kind == "node.inputs" and node is not None:
        if len(node.input) and rng.random() < 0.5:
            del node.input[int(rng.integers(len(node.input))):]
        else:
            node.input.extend([str(rng.choice(["", "x", "nowhere"]))] * int(rng.integers(1, 4)))
        return f"node {node.name} inputs {list(node.input)}"
    if kind == "node.op" and node is not None:
        node.op_type = str(rng.choice(ONNX_OPS))
        return f"node {node.name} op {node.op_type}"
    if kind == "node.domain" and node is not None:
        node.domain = str(rng.choice(["com.microsoft", "ai.onnx.ml", "ai.onnx", "x"]))
        return f"node {node.name} domain {node.domain}"
    if kind == "attr.type" and node is not None and len(node.attribute):
        k = int(rng.integers(len(node.attribute)))
        name = node.attribute[k].name
        node.attribute[k].CopyFrom(_random_attribute(name, rng))
        return f"node {node.name} attribute {name} type {node.attribute[k].type}"
    if kind == "attr.add" and node is not None:
        name = str(rng.choice(ATTRIBUTE_NAMES))
        for a in list(node.attribute):
            if a.name == name:
                node.attribute.remove(a)
        node.attribute.append(_random_attribute(name, rng))
        return f"node {node.name} attribute {name} added"
    if kind.startswith("init.") and len(g.initializer):
        t = g.initializer[int(rng.integers(len(g.initializer)))]
        if kind == "init.delete":
            g.initializer.remove(t)
            return f"delete initializer {t.name}"
        if kind == "init.dims":
            t.dims[:] = [int(rng.choice([0, 1, 2, 3, 5, -1, 1 << 20, 1 << 40])) for _ in range(int(rng.integers(0, 5)))]
            return f"initializer {t.name} dims {list(t.dims)}"
        if kind == "init.dtype":
            t.data_type = int(rng.integers(0, 25))
            return f"initializer {t.name} dtype {t.data_type}"
        if kind == "init.external":
            t.data_location = TensorProto.EXTERNAL
            del t.external_data[:]
            for key, values in (("location", ["fuzz.onnx", "../fuzz.onnx", "/etc/hostname", "", "missing.bin", "."]),
                                ("offset", ["0", "16", "-1", "abc", str(1 << 40)]),
                                ("length", ["4", "-4", "1e3", str(1 << 40), "0"])):
                if key == "location" or rng.random() < 0.7:
                    entry = t.external_data.add()
                    entry.key, entry.value = key, str(rng.choice(values))
            return f"initializer {t.name} external {[(e.key, e.value) for e in t.external_data]}"
        if kind == "init.raw":
            if t.raw_data:
                t.raw_data = t.raw_data[:int(rng.integers(len(t.raw_data)))]
            else:
                t.raw_data = rng.bytes(int(rng.integers(0, 64)))
            return f"initializer {t.name} raw data {len(t.raw_data)} bytes"
        from onnx import numpy_helper
        arr = numpy_helper.to_array(t)
        if arr.dtype.kind == "f":
            arr = np.full(arr.shape, rng.choice([0.0, -1.0, np.nan, np.inf, 1e38]), dtype=arr.dtype)
        else:
            arr = np.full(arr.shape, rng.choice([0, -1, np.iinfo(arr.dtype).max, np.iinfo(arr.dtype).min]),
                          dtype=arr.dtype)
        t.CopyFrom(numpy_helper.from_array(arr, t.name))
        return f"initializer {t.name} values {arr.reshape(-1)[:1]}"
    if kind.startswith("input.") and len(g.input):
        vi = g.input[int(rng.integers(len(g.input)))]
        dims = vi.type.tensor_type.shape.dim
        if kind == "input.dims":
            how = int(rng.integers(5))
            if how == 0 and len(dims):
                dims[int(rng.integers(len(dims)))].dim_value = int(rng.choice([0, -1, -7, 1 << 31, 1 << 40, 1 << 62]))
            elif how == 1 and len(dims):
                dims[int(rng.integers(len(dims)))].dim_param = "batch"
            elif how == 2:
                dims.add().dim_value = int(rng.choice([1, 3, 1 << 20]))
            elif how == 3 and len(dims):
                del dims[int(rng.integers(len(dims)))]
            else:
                for d in dims:
                    d.dim_value = 1 << 16
            return f"input {vi.name} dims {[d.dim_value for d in dims]}"
        if kind == "input.dtype":
            vi.type.tensor_type.elem_type = int(rng.integers(0, 25))
            return f"input {vi.name} dtype {vi.type.tensor_type.elem_type}"
        if kind == "input.delete":
            g.input.remove(vi)
            return f"delete input {vi.name}"
        if len(g.initializer):
            g.input.append(helper.make_tensor_value_info(g.initializer[0].name, TensorProto.FLOAT, [3]))
            return f"input shadowing {g.initializer[0].name}"
    if kind == "output":
        how = int(rng.integers(4))
        if how == 0:
            del g.output[:]
        elif how == 1:
            g.output.append(helper.make_tensor_value_info("nowhere", TensorProto.FLOAT, [1]))
        elif how == 2 and len(g.input):
            g.output.append(helper.make_tensor_value_info(g.input[0].name, TensorProto.FLOAT, None))
        elif len(g.output):
            g.output.append(copy.deepcopy(g.output[0]))
        return f"outputs {[o.name for o in g.output]}"
    if kind == "value_info" and node is not None and len(node.output):
        shape = [int(rng.choice([1, 2, 3, 0, 1 << 40])) for _ in range(int(rng.integers(0, 6)))]
        g.value_info.append(helper.make_tensor_value_info(node.output[0], int(rng.choice([1, 1, 6, 7, 9])), shape))
        return f"value info {node.output[0]} {shape}"
    if kind == "opset":
        m.opset_import[0].version = int(rng.choice([1, 12, 13, 18, 21, 99, 1 << 40]))
        return f"opset {m.opset_import[0].version}"
    if kind == "ir":
        m.ir_version = int(rng.choice([0, 1, 3, 7, 10, 99]))
        return f"ir version {m.ir_version}"
    return "no-op"


def mutate_onnx_structure(rng: np.random.Generator) -> tuple[bytes, str]:
    import onnx
    pool = onnx_seeds()
    k = int(rng.integers(len(pool)))
    for _ in range(20):                      # a value the protobuf refuses is drawn again
        m = onnx.ModelProto.FromString(pool[k])
        try:
            done = [f"seed {k}"] + [_onnx_mutation(m, rng) for _ in range(int(rng.integers(1, 4)))]
            return m.SerializeToString(), "; ".join(done)
        except Exception:                    # e.g. a value mutation of a tensor made external before
            continue
    return pool[k], f"seed {k} unchanged"


def make_case(seed: int, fmt: str, family: str, index: int) -> tuple[bytes, str]:
    """The model bytes of case `index` and a description of its mutations."""
    rng = case_rng(seed, fmt, family, index)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if family == "bytes":
            return mutate_bytes(fmt, rng)
        return mutate_tflite_structure(rng) if fmt == "tflite" else mutate_onnx_structure(rng)


# ---------------------------------------------------------------- the harness
class CaseTimeout(BaseException):
    """Raised by the alarm: a BaseException, so no `except Exception` in tinycc swallows it."""


@contextlib.contextmanager
def time_limit(seconds: float):
    if not seconds or not hasattr(signal, "setitimer"):
        yield
        return

    def expired(signum, frame):
        raise CaseTimeout(f"no result after {seconds} s")

    old = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def _vm_bytes() -> int | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


@contextlib.contextmanager
def memory_limit(extra_bytes: int):
    """Cap the address space at its current size + `extra_bytes` (Linux), so an unbounded
    allocation fails as a MemoryError (a reported failure) instead of exhausting the machine."""
    now = _vm_bytes()
    if not extra_bytes or now is None:
        yield
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    cap = now + extra_bytes
    if hard != resource.RLIM_INFINITY:
        cap = min(cap, hard)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


@dataclass
class Outcome:
    status: str          # "ok" | "error" | "crash" | "timeout" | "memory"
    stage: str           # the last stage reached: load, optimize, plan, run
    message: str = ""
    trace: str = ""
    where: str = ""      # for failures: the exception type and the innermost tinycc frame


    @property
    def failed(self) -> bool:
        return self.status in FAILURES


def run_pipeline(path: Path, rng: np.random.Generator, progress: list) -> None:
    """What a compile does with a model file, plus a reference run on a random input."""
    from tinycc import driver
    from tinycc.core import planner
    from tinycc.core.interpreter import Interpreter
    from tinycc.core.samples import random_inputs
    progress[0] = "load"
    g = driver.load_model(path)
    progress[0] = "optimize"
    g = driver.optimize_model(g)
    progress[0] = "plan"
    planner.plan(g)
    driver.inspect_model(g)
    progress[0] = "run"
    if sum(t.size for t in g.tensors.values() if not t.is_const) <= RUN_LIMIT_ELEMENTS:
        Interpreter(g).run(random_inputs(g, rng))


def _where(exc: BaseException) -> str:
    """`ValueError at plugins/importers/onnx.py:123 (get_const)`: the innermost frame in tinycc."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__)
              if f.filename.startswith(str(ROOT)) and "/tests/" not in f.filename]
    place = f"{Path(frames[-1].filename).relative_to(ROOT)}:{frames[-1].lineno} ({frames[-1].name})" if frames else "?"
    return f"{type(exc).__name__} at {place}"


def run_case(data: bytes, fmt: str, workdir: Path, *, case_seed=0, timeout: float = 10.0,
             memory_bytes: int = 2 << 30) -> Outcome:
    """Write `data` as a model file in `workdir` and run the pipeline on it; classify the result."""
    from tinycc.core.errors import TinyccError
    path = Path(workdir) / f"fuzz{FORMATS[fmt]}"
    path.write_bytes(data)
    progress = ["load"]
    rng = np.random.default_rng(case_seed)
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"), time_limit(timeout), memory_limit(memory_bytes):
            warnings.simplefilter("ignore")
            run_pipeline(path, rng, progress)
    except TinyccError as err:
        text = str(err)
        if progress[0] == "load" and str(path) not in text:
            return Outcome("crash", progress[0], f"TinyccError without the file name: {text}",
                           traceback.format_exc(), _where(err))
        return Outcome("error", progress[0], text)
    except CaseTimeout as exc:
        return Outcome("timeout", progress[0], str(exc), traceback.format_exc(), _where(exc))
    except MemoryError as exc:
        return Outcome("memory", progress[0], f"MemoryError {exc}", traceback.format_exc(), _where(exc))
    except RecursionError as exc:
        return Outcome("crash", progress[0], f"RecursionError: {exc}", traceback.format_exc(limit=-30), _where(exc))
    except Exception as exc:
        return Outcome("crash", progress[0], f"{type(exc).__name__}: {exc}", traceback.format_exc(), _where(exc))
    return Outcome("ok", progress[0])


@dataclass
class Tally:
    cases: int = 0
    ok: int = 0
    errors: int = 0
    failures: int = 0
    seconds: float = 0.0


def run_cases(seed: int, fmt: str, family: str, start: int, count: int, workdir: Path, *,
              timeout: float = 10.0, memory_bytes: int = 2 << 30, on_failure=None) -> Tally:
    """Run cases start..start+count-1; `on_failure(index, description, outcome)` sees each failure."""
    import time
    tally = Tally()
    t0 = time.perf_counter()
    for i in range(start, start + count):
        data, what = make_case(seed, fmt, family, i)
        out = run_case(data, fmt, workdir, case_seed=i, timeout=timeout, memory_bytes=memory_bytes)
        tally.cases += 1
        if out.status == "ok":
            tally.ok += 1
        elif out.status == "error":
            tally.errors += 1
        else:
            tally.failures += 1
            if on_failure is not None:
                on_failure(i, what, out)
    tally.seconds = time.perf_counter() - t0
    return tally
