"""Structure-aware fuzzing: real-shaped valid models, one to three targeted edits, the whole product.

Shared by `tests/test_fuzz_structured.py` (a seeded budget in CI) and `benchmarks/fuzz_structured.py`
(longer runs). Where `fuzz_cases.py` breaks the container (bytes, indices, cycles), this module keeps
the model well formed and edits the values a model file carries: it is the validation of every
parameter against the range the kernels are correct for that is under test.

Seeds (built in this process, nothing read from ../shared): a random single-operator model of every
operator tinycc supports in int8, int16 (16x8) and float32 (`tests/ops/cases/`, written by tinycc's
TFLite writer), the bundled `examples/tiny_kws_int8.tflite`, and the three ONNX seeds of
`fuzz_cases.py` (a float CNN, the shape-moving operators, a QDQ int8 convolution).

Edits (TFLite through the schema object API `ModelT`, ONNX through the protobuf objects): scales
(0, negative, nan, inf, 1e-30, 1e30, denormals, large factors), zero points (out of range, int16
non-zero, per-channel lengths wrong), the quantised dimension, dims and ranks, operator tensor
indices moved to other valid tensors (or -1: an absent optional input), buffers swapped, opcodes
changed to other supported operators and versions, every builtin option field (strides, dilations,
padding and activation enums, depth multiplier, filter sizes, beta, alpha, axis, keep_dims, masks,
new_shape, ...), options tables removed or of another type, names (duplicates, `n` / `n#5` style
collisions after C sanitising, hostile strings), duplicated subgraph inputs and outputs, constants
as inputs or outputs, extreme biases (INT32_MAX) and weights, dtypes swapped, the operand constants
(paddings, perm, begin/end/strides, axes, shape) rewritten.

`run_case` then does what a user does: `tinycc compile` through the CLI entry (`tinycc.cli.main`,
c backend) and, for an accepted model, `tinycc compare --runtimes reference,tflm,c`'s equivalent:
the reference interpreter, TF Lite Micro (in a worker process: it may abort) and the compiled C
built with -fsanitize=address,undefined -fno-sanitize-recover=all, on random inputs. A case's
failures fall in these categories:

  exit3        the CLI returned 3 (an internal error: a tinycc bug)
  crash        any other non-TinyccError exception (the compare path, the reference run)
  timeout      a stage ran longer than its limit;  memory: a MemoryError
  cbuild       the generated C does not build with -Wall -Wextra -Werror -pedantic
  sanitizer    the sanitized program reported (or failed)
  differ       the reference interpreter or the C differ from TFLM on an output element (integers:
               exactly; float32: more than FLOAT_TOL * max(1, max |TFLM output|))
  tflm_refuses tinycc accepted, TFLM refused or aborted (counted apart; C is then checked against
               the reference)
  leftover     a refused compile left its output folder behind

Every case is a pure function of (seed, index): `make_case(seed, index)`.
"""
from __future__ import annotations

import contextlib
import copy
import functools
import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
import traceback
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from tests import fuzz_cases

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "tiny_kws_int8.tflite"
INT32_MAX, INT32_MIN = (1 << 31) - 1, -(1 << 31)
CATEGORIES = ("exit3", "crash", "timeout", "memory", "cbuild", "sanitizer", "differ", "tflm_refuses", "leftover")
ASSERTED = ("exit3", "crash", "timeout", "memory", "cbuild", "sanitizer", "differ")
SAMPLES = 2                       # random inputs per accepted case
FLOAT_TOL = 1e-4                  # relative to max(1, max |TFLM output|)
CC = os.environ.get("CC", "cc")
SANITIZE_FLAGS = ["-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic", "-g", "-O1",
                  "-fsanitize=address,undefined", "-fno-sanitize-recover=all", "-DTINYCC_ARENA_CANARY"]
SAN_ENV = {**os.environ, "ASAN_OPTIONS": "detect_leaks=0:halt_on_error=1:abort_on_error=0",
           "UBSAN_OPTIONS": "print_stacktrace=1:halt_on_error=1"}
TIMING = re.compile(r"^invoke_seconds [0-9.]+\n", re.MULTILINE)
MAX_C_ELEMENTS = 1 << 20          # accepted models with more activation elements are not built


# ---------------------------------------------------------------- seeds
@functools.cache
def tflite_seeds() -> tuple[tuple[str, bytes], ...]:
    """(label, bytes): every operator of tests/ops/cases/ in every dtype TFLM runs it in, + KWS."""
    from tests.ops.cases import CASES, DTYPES
    seeds = [("tiny_kws/int8", EXAMPLE.read_bytes())]
    for k, op in enumerate(sorted(CASES)):
        for j, dtype in enumerate(DTYPES[op]):
            seeds.append((f"{op}/{dtype}", CASES[op](np.random.default_rng([20261206, k, j]), dtype)))
    return tuple(seeds)


@functools.cache
def onnx_seeds() -> tuple[tuple[str, bytes], ...]:
    cnn, shapes, qdq = fuzz_cases.onnx_seeds()
    return (("onnx_cnn/float32", cnn), ("onnx_shapes/float32", shapes), ("onnx_qdq/int8", qdq))


SHARED_MODELS = ("mlperf_tiny/kws_ref_model.tflite", "mlperf_tiny/ad01_int8.tflite",
                 "mlperf_tiny/pretrainedResnet_quant.tflite", "tflm_examples/hello_world_int8.tflite",
                 "tflm_examples/micro_speech_quantized.tflite", "tflm_examples/hello_world_float.tflite")
_shared: list = []


def use_shared_models() -> list[str]:
    """Add the real models under $TINYCC_MODELS (default ../shared/models) that exist to the seeds
    (benchmark runs only: the CI budget never reads them). Returns their labels."""
    from tests.tflm import models_dir
    _shared.clear()
    for rel in SHARED_MODELS:
        path = models_dir() / rel
        if path.is_file():
            _shared.append((f"shared:{Path(rel).stem}", path.read_bytes()))
    return [label for label, _ in _shared]


def _pick_seed(rng) -> tuple[str, str, bytes]:
    """(format, label, bytes): int8 seeds most often, then int16, float32, KWS and ONNX."""
    r = rng.random()
    if _shared and rng.random() < 0.1:
        label, data = _shared[int(rng.integers(len(_shared)))]
        return "tflite", label, data
    if r < 0.15:
        try:
            pool = onnx_seeds()
        except ImportError:
            pool = ()
        if pool:
            label, data = pool[int(rng.integers(len(pool)))]
            return "onnx", label, data
    seeds = tflite_seeds()
    if r < 0.25:
        return "tflite", *seeds[0]
    want = "int8" if r < 0.7 else "int16" if r < 0.85 else "float32"
    pool = [s for s in seeds[1:] if s[0].endswith("/" + want)]
    label, data = pool[int(rng.integers(len(pool)))]
    return "tflite", label, data


# ---------------------------------------------------------------- value pools
def special_scale(rng, s: float) -> float:
    return float(rng.choice([0.0, -s, -1.0, np.nan, np.inf, -np.inf, 1e-30, 1e30, 1e-40, 1.4e-45, 3.4e38,
                             s * 1e6, s * 1e-6, s * 2 ** 20, s * 2 ** -20, s * float(rng.uniform(0.1, 10)),
                             s * float(rng.uniform(0.5, 2))]))


def special_float(rng) -> float:
    return float(rng.choice([0.0, -0.0, -1.0, np.nan, np.inf, -np.inf, 1e-30, 1e30, 1e-40, 0.5, 2.0, 5.0,
                             1e6, -1e6, float(rng.uniform(-3, 3))]))


def special_int(rng) -> int:
    return int(rng.choice([0, -1, 1, 2, 3, 4, 5, 7, 8, 100, 127, 128, 255, 1000, 65535, INT32_MAX, INT32_MIN,
                           int(rng.integers(-10, 10))]))


def special_zero_point(rng, dtype: str) -> int:
    if dtype == "int16":
        return int(rng.choice([1, -1, 5, 32767, -32768, 32768, -32769, 1 << 31]))
    return int(rng.choice([128, -129, 255, 256, -256, 1000, -1000, 1 << 31, -(1 << 31), 1 << 40, 127, -128,
                           int(rng.integers(-128, 128))]))


HOSTILE_NAMES = ["n", "n#5", "n_5", "n#", "n:0", "n/5", "N", "*/ int x; /*", "a\"b", "back\\slash", "new\nline",
                 "#include <stdio.h>", "??=", "model_invoke", "model_arena", "int", "main", "__LINE__", "0abc", "",
                 "\u00e9t\u00e9", "\u2603", "x" * 1000, "model.c", "../../etc/passwd", "$(rm -rf ~)", "%s%n",
                 "tinycc_guarded", "MODEL_ARENA_BYTES", "\x00nul", "\x7f\x01", "NULL"]


# ---------------------------------------------------------------- TFLite edits
def _schema():
    return fuzz_cases._tflite_schema()


TYPE_NAMES = {0: "float32", 1: "float16", 2: "int32", 3: "uint8", 4: "int64", 6: "bool", 7: "int16", 9: "int8",
              10: "float64", 15: "uint32", 16: "uint16"}
NP_TYPES = {0: np.float32, 1: np.float16, 2: np.int32, 3: np.uint8, 4: np.int64, 6: np.bool_, 7: np.int16,
            9: np.int8, 10: np.float64, 15: np.uint32, 16: np.uint16}
BUILTINS = {"CONV_2D": 3, "DEPTHWISE_CONV_2D": 4, "FULLY_CONNECTED": 9, "AVERAGE_POOL_2D": 1, "MAX_POOL_2D": 17,
            "ADD": 0, "SUB": 41, "MUL": 18, "SOFTMAX": 25, "LOGISTIC": 14, "TANH": 28, "RELU": 19, "RELU6": 21,
            "LEAKY_RELU": 98, "PAD": 34, "PADV2": 60, "CONCATENATION": 2, "TRANSPOSE": 39, "STRIDED_SLICE": 45,
            "RESHAPE": 22, "QUANTIZE": 114, "DEQUANTIZE": 6, "MEAN": 40, "RELU_N1_TO_1": 20, "SQUEEZE": 43,
            "HARD_SWISH": 117, "SUM": 74, "BATCH_MATMUL": 126}


def _buffer_data(m, t):
    b = t.buffer
    if not b or b >= len(m.buffers or []) or m.buffers[b].data is None or len(m.buffers[b].data) == 0:
        return None
    return m.buffers[b]


def _const_array(m, t):
    """A constant tensor's data as a writable numpy array of its type (or None)."""
    buf = _buffer_data(m, t)
    if buf is None or t.type not in NP_TYPES:
        return None
    raw = np.asarray(buf.data, dtype=np.uint8).tobytes()
    dt = np.dtype(NP_TYPES[t.type])
    if len(raw) % dt.itemsize:
        return None
    return np.frombuffer(raw, dtype=dt).copy()


def _set_const(m, t, arr):
    m.buffers[t.buffer].data = np.frombuffer(np.ascontiguousarray(arr).tobytes(), dtype=np.uint8).copy()


def _tensor_dtype(t) -> str:
    return TYPE_NAMES.get(t.type, str(t.type))


def _tflite_edit(m, rng) -> tuple[str, str]:
    """One targeted edit of the ModelT `m`: (kind, what was done)."""
    s = _schema()
    sg = m.subgraphs[0]
    tensors = sg.tensors
    ops_ = sg.operators
    nt = len(tensors)
    quantised = [k for k, t in enumerate(tensors) if t.quantization is not None and t.quantization.scale is not None
                 and len(t.quantization.scale)]
    consts = [k for k, t in enumerate(tensors) if _buffer_data(m, t) is not None]
    acts = [k for k in range(nt) if k not in consts]
    op = ops_[int(rng.integers(len(ops_)))]
    kind = str(rng.choice([
        "scale", "scale", "scale", "zero_point", "zero_point", "zero_point_len", "quant_dim", "dims", "dims",
        "op_tensor", "op_tensor", "buffer", "opcode", "opcode", "option", "option", "option", "option",
        "options_removed", "name", "name", "io", "io", "const_input", "bias", "bias", "weights", "dtype", "dtype",
        "operand", "operand", "scale_pair"]))
    if kind in ("scale", "scale_pair") and quantised:
        k = int(rng.choice(quantised))
        q = tensors[k].quantization
        scales = [float(v) for v in q.scale]
        if kind == "scale_pair" and len(quantised) > 1:    # a valid-looking but extreme ratio of two scales
            k2 = int(rng.choice(quantised))
            f = float(rng.choice([2.0 ** 31, 2.0 ** -31, 1e9, 1e-9, 65536.0, 1 / 65536, 1.0]))
            tensors[k2].quantization.scale = [float(np.float32(v * f)) for v in tensors[k2].quantization.scale]
            return "scale_pair", f"tensor {k2} {tensors[k2].name!r} scales x{f:g}"
        j = int(rng.integers(len(scales)))
        new = special_scale(rng, scales[j])
        if rng.random() < 0.5:
            scales = [new] * len(scales)
        else:
            scales[j] = new
        q.scale = scales
        return "scale", f"tensor {k} {tensors[k].name!r} ({_tensor_dtype(tensors[k])}) scale[{j}]={new!r}"
    if kind == "zero_point" and quantised:
        k = int(rng.choice(quantised))
        q = tensors[k].quantization
        zps = [int(v) for v in (q.zeroPoint if q.zeroPoint is not None else [0] * len(q.scale))]
        zp = special_zero_point(rng, _tensor_dtype(tensors[k]))
        j = int(rng.integers(len(zps))) if zps else 0
        if zps:
            zps[j] = zp
        else:
            zps = [zp]
        q.zeroPoint = zps
        return "zero_point", f"tensor {k} {tensors[k].name!r} ({_tensor_dtype(tensors[k])}) zero_point[{j}]={zp}"
    if kind == "zero_point_len" and quantised:
        k = int(rng.choice(quantised))
        q = tensors[k].quantization
        n = len(q.scale)
        how = int(rng.integers(4))
        if how == 0:
            q.zeroPoint = [0] * (n + 1)
        elif how == 1:
            q.zeroPoint = [0] * max(n - 1, 0)
        elif how == 2:
            q.scale = [float(q.scale[0])] * (n + int(rng.integers(1, 4)))
        else:
            q.scale, q.zeroPoint = [float(q.scale[0])] * 2, [0, 0]       # per-channel on any tensor
        return "zero_point_len", (f"tensor {k} {tensors[k].name!r} {len(q.scale)} scales, "
                                  f"{len(q.zeroPoint) if q.zeroPoint is not None else 0} zero points")
    if kind == "quant_dim" and quantised:
        k = int(rng.choice(quantised))
        q = tensors[k].quantization
        rank = len(tensors[k].shape) if tensors[k].shape is not None else 0
        q.quantizedDimension = int(rng.choice([0, 1, 2, 3, 4, -1, rank]))
        return "quant_dim", f"tensor {k} {tensors[k].name!r} quantized dimension {q.quantizedDimension}"
    if kind == "dims":
        k = int(rng.integers(nt))
        t = tensors[k]
        shape = [int(d) for d in (t.shape if t.shape is not None else [])]
        how = int(rng.integers(5))
        if how <= 1 and shape:
            j = int(rng.integers(len(shape)))
            shape[j] = int(rng.choice([0, -1, shape[j] + 1, max(shape[j] - 1, 0), 1, 2 * shape[j], 1 << 16, 3]))
        elif how == 2:
            shape = [1] + shape
        elif how == 3 and shape:
            shape = shape[1:] if rng.random() < 0.5 else shape + [1]
        else:
            shape = [int(d) for d in rng.permutation(shape)] if shape else [1]
        t.shape = shape
        if t.shapeSignature is not None:
            t.shapeSignature = list(shape)
        return "dims", f"tensor {k} {t.name!r} shape {shape}"
    if kind == "op_tensor":
        side = "inputs" if rng.random() < 0.7 else "outputs"
        idx = [int(v) for v in (getattr(op, side) if getattr(op, side) is not None else [])]
        if not idx:
            return "no-op", "no-op"
        j = int(rng.integers(len(idx)))
        idx[j] = int(rng.choice([-1, int(rng.integers(nt)), idx[(j + 1) % len(idx)]]))
        setattr(op, side, idx)
        return "op_tensor", f"operator {ops_.index(op)} {side}[{j}] -> {idx[j]}"
    if kind == "buffer" and consts:
        k = int(rng.choice(consts))
        how = int(rng.integers(3))
        if how == 0 and len(consts) > 1:
            k2 = int(rng.choice(consts))
            tensors[k].buffer, tensors[k2].buffer = tensors[k2].buffer, tensors[k].buffer
            return "buffer", f"tensors {k} and {k2} swap buffers"
        if how == 1 and acts:
            a = int(rng.choice(acts))
            tensors[a].buffer = tensors[k].buffer
            return "buffer", f"activation {a} {tensors[a].name!r} reads constant buffer {tensors[k].buffer}"
        tensors[k].buffer = 0
        return "buffer", f"constant {k} {tensors[k].name!r} loses its buffer"
    if kind == "opcode":
        c = m.operatorCodes[int(op.opcodeIndex)]
        how = int(rng.integers(3))
        if how == 0:
            name = str(rng.choice(list(BUILTINS)))
            same = [k for k, c2 in enumerate(m.operatorCodes) if c2.builtinCode == BUILTINS[name]]
            if same and same[0] != int(op.opcodeIndex):        # another valid opcode index of the model
                op.opcodeIndex = same[0]
                return "opcode", f"operator {ops_.index(op)} opcode index -> {same[0]} ({name})"
            c.builtinCode = BUILTINS[name]
            c.deprecatedBuiltinCode = min(c.builtinCode, 127)
            return "opcode", f"operator code -> {name}"
        if how == 1:
            c.version = int(rng.choice([0, 2, 3, 7, 255, -1]))
            return "opcode", f"operator version {c.version}"
        c.deprecatedBuiltinCode = int(rng.choice([127, 0, 3, 4]))
        return "opcode", f"deprecated builtin code {c.deprecatedBuiltinCode} with builtin {c.builtinCode}"
    if kind == "option" and op.builtinOptions is not None:
        return "option", _edit_option(op, rng)
    if kind == "options_removed":
        if rng.random() < 0.6 or op.builtinOptions is None:
            op.builtinOptions, op.builtinOptionsType = None, 0
            return "options_removed", f"operator {ops_.index(op)} options removed"
        other = str(rng.choice(["Conv2DOptionsT", "DepthwiseConv2DOptionsT", "Pool2DOptionsT",
                                "FullyConnectedOptionsT", "SoftmaxOptionsT", "ReshapeOptionsT", "AddOptionsT"]))
        op.builtinOptions = getattr(s, other)()
        op.builtinOptionsType = int(getattr(s.BuiltinOptions, other[:-1]))
        return "options_removed", f"operator {ops_.index(op)} options of another type: {other}"
    if kind == "name":
        k = int(rng.integers(nt))
        how = int(rng.integers(4))
        if how == 0 and nt > 1:
            k2 = int(rng.integers(nt))
            tensors[k].name = tensors[k2].name
            return "name", f"tensor {k} takes tensor {k2}'s name {tensors[k2].name!r}"
        if how == 1:
            base = str(rng.choice(["n", "x", "y", "model", "conv"]))
            for j, t in enumerate(tensors):
                t.name = [base, f"{base}#{j}", f"{base}_{j}", f"{base}#", f"{base}:{j}", f"{base}/{j}"][j % 6]
            return "name", f"every tensor named {base}, {base}#1, {base}_2, ..."
        if how == 2:
            sg.name = str(rng.choice(HOSTILE_NAMES))
            return "name", f"subgraph name {sg.name[:40]!r}"
        tensors[k].name = str(rng.choice(HOSTILE_NAMES)).encode("utf-8", "surrogatepass")
        return "name", f"tensor {k} name {tensors[k].name[:40]!r}"
    if kind == "io":
        which = str(rng.choice(["inputs", "outputs"]))
        cur = [int(v) for v in getattr(sg, which)]
        how = int(rng.integers(4))
        if how == 0:
            new = cur + [cur[0]]
        elif how == 1:
            new = [int(sg.inputs[0])] if which == "outputs" else [int(sg.outputs[0])]
            new = cur + new
        elif how == 2 and acts:
            new = cur + [int(rng.choice(acts))]
        else:
            new = list(reversed(cur)) if len(cur) > 1 else cur * 2
        setattr(sg, which, new)
        return "io", f"subgraph {which} {new}"
    if kind == "const_input" and consts:
        k = int(rng.choice(consts))
        which = str(rng.choice(["inputs", "outputs"]))
        cur = [int(v) for v in getattr(sg, which)]
        new = cur + [k] if rng.random() < 0.5 else [k] + cur[1:]
        setattr(sg, which, new)
        return "const_input", f"subgraph {which} {new} (constant {k} {tensors[k].name!r})"
    if kind == "bias":
        cands = [k for k in consts if tensors[k].type in (2, 4)]
        if cands:
            k = int(rng.choice(cands))
            arr = _const_array(m, tensors[k])
            if arr is not None and arr.size:
                info = np.iinfo(arr.dtype)
                how = int(rng.integers(4))
                if how == 0:
                    arr[:] = info.max
                elif how == 1:
                    arr[:] = info.min
                elif how == 2:
                    arr[int(rng.integers(arr.size))] = int(rng.choice([INT32_MAX, INT32_MIN]))
                else:
                    arr[:] = rng.choice([INT32_MAX, INT32_MIN, 0], arr.size)
                _set_const(m, tensors[k], arr)
                return "bias", f"tensor {k} {tensors[k].name!r} values {arr[:4].tolist()}"
    if kind == "weights":
        cands = [k for k in consts if tensors[k].type in (0, 7, 9)]
        if cands:
            k = int(rng.choice(cands))
            arr = _const_array(m, tensors[k])
            if arr is not None and arr.size:
                if arr.dtype.kind == "f":
                    arr[:] = special_float(rng)
                else:
                    arr[:] = np.iinfo(arr.dtype).min if rng.random() < 0.6 else np.iinfo(arr.dtype).max
                _set_const(m, tensors[k], arr)
                return "weights", f"tensor {k} {tensors[k].name!r} values {arr[:2].tolist()}"
    if kind == "dtype":
        k = int(rng.integers(nt))
        old = tensors[k].type
        tensors[k].type = int(rng.choice([9, 3, 7, 2, 0, 4, 6, 1, 16]))
        return "dtype", f"tensor {k} {tensors[k].name!r} {TYPE_NAMES.get(old)} -> {TYPE_NAMES.get(tensors[k].type)}"
    if kind == "operand":
        cands = [k for k in consts if tensors[k].type in (2, 4) and (tensors[k].quantization is None or
                                                                     tensors[k].quantization.scale is None)]
        if cands:
            k = int(rng.choice(cands))
            arr = _const_array(m, tensors[k])
            if arr is not None and arr.size:
                j = int(rng.integers(arr.size))
                how = int(rng.integers(3))
                if how == 0:
                    arr[j] = special_int(rng)
                elif how == 1:
                    arr[:] = arr[0]
                else:
                    arr[:] = rng.integers(-6, 7, arr.size)
                _set_const(m, tensors[k], arr)
                return "operand", f"constant operand {k} {tensors[k].name!r} = {arr.tolist()[:8]}"
    return "no-op", "no-op"


OPTION_VALUES = {
    "strideW": [0, -1, 1, 2, 3, 7, 100, INT32_MAX], "strideH": [0, -1, 1, 2, 3, 7, 100, INT32_MAX],
    "dilationWFactor": [0, -1, 1, 2, 3, 50, INT32_MAX], "dilationHFactor": [0, -1, 1, 2, 3, 50, INT32_MAX],
    "padding": [0, 1, 2, -1, 3], "fusedActivationFunction": [0, 1, 2, 3, 4, 5, 6, 7, -1, 100],
    "depthMultiplier": [0, -1, 1, 2, 3, 1000, INT32_MAX], "filterWidth": [0, -1, 1, 2, 5, 1000, INT32_MAX],
    "filterHeight": [0, -1, 1, 2, 5, 1000, INT32_MAX], "axis": [-5, -4, -3, -2, -1, 0, 1, 2, 3, 4, 5, 100, INT32_MIN],
    "quantizedBiasType": [0, 2, 4, 9, 100], "weightsFormat": [0, 1, 2, 9],
    "beginMask": None, "endMask": None, "ellipsisMask": None, "newAxisMask": None, "shrinkAxisMask": None,
}


def _edit_option(op, rng) -> str:
    o = op.builtinOptions
    fields = [k for k in vars(o) if k != "quantSpec"]
    if not fields:
        return "options without fields"
    f = str(rng.choice(fields))
    v = getattr(o, f)
    if isinstance(v, bool):
        new = not v
    elif isinstance(v, float):
        new = special_float(rng)
    elif f in OPTION_VALUES and OPTION_VALUES[f] is not None:
        new = int(rng.choice(OPTION_VALUES[f]))
    elif f.endswith("Mask"):
        new = int(rng.choice([0, 1, 3, 5, 15, 31, -1, 1 << 20, int(rng.integers(0, 16))]))
    elif f == "newShape":
        shape = [int(d) for d in (v if v is not None else [])]
        how = int(rng.integers(5))
        if how == 0:
            new = None
        elif how == 1 and shape:
            new = shape[:-1] + [-1]
        elif how == 2 and shape:
            new = [0] + shape[1:]
        elif how == 3:
            new = [-1, -1]
        else:
            new = shape + [2]
    else:
        new = special_int(rng)
    setattr(o, f, new)
    return f"{type(o).__name__[:-1]}.{f} = {new!r}"


def pack_tflite(m) -> bytes:
    import flatbuffers
    b = flatbuffers.Builder(1024)
    b.Finish(m.Pack(b), file_identifier=b"TFL3")
    return bytes(b.Output())


def mutate_tflite(data: bytes, rng) -> tuple[bytes, list[tuple[str, str]]]:
    s = _schema()
    for _ in range(20):                      # an edit the packer refuses is drawn again
        m = s.ModelT.InitFromPackedBuf(bytearray(data), 0)
        done = [d for d in (_tflite_edit(m, rng) for _ in range(_edit_count(rng))) if d[0] != "no-op"]
        if not done:
            continue
        try:
            return pack_tflite(m), done
        except Exception:
            continue
    return data, [("no-op", "unchanged")]


def _edit_count(rng) -> int:
    r = rng.random()
    return 1 if r < 0.55 else 2 if r < 0.85 else 3


# ---------------------------------------------------------------- ONNX edits
ONNX_ATTR_VALUES = {
    "strides": lambda rng, n: [int(rng.choice([0, -1, 1, 2, 3, 100]))] * n,
    "dilations": lambda rng, n: [int(rng.choice([0, -1, 1, 2, 3, 50]))] * n,
    "pads": lambda rng, n: [int(rng.choice([0, -1, 1, 2, 5, 100, -100]))] * n,
    "kernel_shape": lambda rng, n: [int(rng.choice([0, -1, 1, 2, 3, 9, 100]))] * n,
    "group": lambda rng, n: int(rng.choice([0, -1, 1, 2, 3, 4, 8])),
    "axis": lambda rng, n: int(rng.choice([-5, -4, -1, 0, 1, 2, 3, 4, 5, 100])),
    "axes": lambda rng, n: [int(rng.choice([-5, -1, 0, 1, 2, 3, 4, 7]))] * max(n, 1),
    "perm": lambda rng, n: [int(v) for v in rng.choice([0, 1, 2, 3, 4, -1], max(n, 1))],
    "keepdims": lambda rng, n: int(rng.choice([0, 1, 2, -1])),
    "transB": lambda rng, n: int(rng.choice([0, 1, 2])),
    "alpha": lambda rng, n: special_float(rng), "beta": lambda rng, n: special_float(rng),
    "epsilon": lambda rng, n: special_float(rng), "ceil_mode": lambda rng, n: int(rng.choice([0, 1, 2])),
    "count_include_pad": lambda rng, n: int(rng.choice([0, 1])),
}


def _onnx_rename(m, old: str, new: str) -> None:
    g = m.graph
    for n in g.node:
        for seq in (n.input, n.output):
            for i, v in enumerate(seq):
                if v == old:
                    seq[i] = new
    for seq in (g.input, g.output, g.value_info, g.initializer):
        for v in seq:
            if v.name == old:
                v.name = new


def _onnx_edit(m, rng) -> tuple[str, str]:
    from onnx import TensorProto, helper, numpy_helper
    g = m.graph
    node = g.node[int(rng.integers(len(g.node)))]
    inits = {t.name: t for t in g.initializer}
    kind = str(rng.choice(["scale", "scale", "zero_point", "attr", "attr", "attr", "attr_removed", "name", "name",
                           "io", "const_input", "bias", "dtype", "dims", "weights"]))
    if kind == "scale":
        cands = [t for t in g.initializer if t.data_type == TensorProto.FLOAT and (
            t.name.endswith("s") and len(t.name) <= 3 or t.name in ("scale", "c6", "c0", "g", "v", "m"))]
        if cands:
            t = cands[int(rng.integers(len(cands)))]
            arr = numpy_helper.to_array(t).copy()
            j = int(rng.integers(max(arr.size, 1)))
            new = special_scale(rng, float(arr.reshape(-1)[j]) if arr.size else 1.0)
            if arr.size:
                arr.reshape(-1)[j] = new
            t.CopyFrom(numpy_helper.from_array(arr.astype(np.float32), t.name))
            return "scale", f"initializer {t.name!r}[{j}] = {new!r}"
    if kind == "zero_point":
        cands = [t for t in g.initializer if t.name.endswith("z")]
        if cands:
            t = cands[int(rng.integers(len(cands)))]
            arr = numpy_helper.to_array(t)
            how = int(rng.integers(3))
            if how == 0:
                new = np.full(arr.shape, int(rng.choice([255, 128, 200])), np.uint8)
            elif how == 1:
                new = np.full(arr.shape, int(rng.choice([300, -300, 1 << 20])), np.int32)
            else:
                new = np.zeros(arr.size + 1, arr.dtype)
            t.CopyFrom(numpy_helper.from_array(new, t.name))
            return "zero_point", f"initializer {t.name!r} = {new.reshape(-1)[:2].tolist()} ({new.dtype})"
    if kind == "attr":
        names = [a.name for a in node.attribute if a.name in ONNX_ATTR_VALUES]
        name = str(rng.choice(names)) if names and rng.random() < 0.7 else str(rng.choice(list(ONNX_ATTR_VALUES)))
        old = next((a for a in node.attribute if a.name == name), None)
        n = len(old.ints) if old is not None and len(old.ints) else (4 if name == "pads" else 2)
        value = ONNX_ATTR_VALUES[name](rng, n)
        if old is not None:
            node.attribute.remove(old)
        node.attribute.append(helper.make_attribute(name, value))
        return "attr", f"node {node.name!r} ({node.op_type}) {name}={value}"
    if kind == "attr_removed" and len(node.attribute):
        a = node.attribute[int(rng.integers(len(node.attribute)))]
        node.attribute.remove(a)
        return "attr_removed", f"node {node.name!r} ({node.op_type}) without {a.name}"
    if kind == "name":
        how = int(rng.integers(3))
        if how == 0:
            other = g.node[int(rng.integers(len(g.node)))]
            node.name = other.name
            return "name", f"node {node.name!r} name duplicated"
        if how == 1:
            tensors = [o for n in g.node for o in n.output]
            old = str(rng.choice(tensors))
            new = str(rng.choice(HOSTILE_NAMES[:8] + [tensors[0], f"{tensors[0]}#1", "n", "n#5"]))
            if new and new != old:
                _onnx_rename(m, old, new)
            return "name", f"tensor {old!r} renamed {new[:40]!r}"
        node.name = str(rng.choice(HOSTILE_NAMES))
        return "name", f"node name {node.name[:40]!r}"
    if kind == "io":
        how = int(rng.integers(3))
        if how == 0:
            g.input.append(copy.deepcopy(g.input[0]))
            return "io", "graph input duplicated"
        if how == 1:
            g.output.append(copy.deepcopy(g.output[0]))
            return "io", "graph output duplicated"
        mid = str(rng.choice([o for n in g.node for o in n.output]))
        g.output.append(helper.make_tensor_value_info(mid, TensorProto.FLOAT, None))
        return "io", f"intermediate {mid!r} also a graph output"
    if kind == "const_input" and len(g.initializer):
        t = g.initializer[int(rng.integers(len(g.initializer)))]
        arr = numpy_helper.to_array(t)
        g.input.append(helper.make_tensor_value_info(t.name, t.data_type, list(arr.shape)))
        if rng.random() < 0.3:
            g.output.append(helper.make_tensor_value_info(t.name, t.data_type, list(arr.shape)))
        return "const_input", f"initializer {t.name!r} also a graph input"
    if kind == "bias":
        cands = [t for t in g.initializer if t.data_type in (TensorProto.INT32, TensorProto.FLOAT) and
                 t.name.startswith("b")]
        if cands:
            t = cands[int(rng.integers(len(cands)))]
            arr = numpy_helper.to_array(t).copy()
            if arr.dtype == np.int32:
                arr[:] = rng.choice([INT32_MAX, INT32_MIN])
            else:
                arr[:] = special_float(rng)
            t.CopyFrom(numpy_helper.from_array(arr, t.name))
            return "bias", f"initializer {t.name!r} = {arr.reshape(-1)[:2].tolist()}"
    if kind == "weights" and inits:
        t = list(inits.values())[int(rng.integers(len(inits)))]
        arr = numpy_helper.to_array(t).copy()
        if arr.size:
            if arr.dtype.kind == "f":
                arr[...] = special_float(rng)
            else:
                arr[...] = np.iinfo(arr.dtype).min
            t.CopyFrom(numpy_helper.from_array(arr, t.name))
            return "weights", f"initializer {t.name!r} = {arr.reshape(-1)[:1].tolist()}"
    if kind == "dtype":
        if rng.random() < 0.5 and len(g.input):
            g.input[0].type.tensor_type.elem_type = int(rng.choice([TensorProto.INT8, TensorProto.UINT8,
                                                                    TensorProto.INT32, TensorProto.FLOAT16,
                                                                    TensorProto.DOUBLE, TensorProto.INT64]))
            return "dtype", f"graph input dtype {g.input[0].type.tensor_type.elem_type}"
        if len(g.initializer):
            t = g.initializer[int(rng.integers(len(g.initializer)))]
            arr = numpy_helper.to_array(t)
            to = np.dtype(str(rng.choice(["int8", "uint8", "int32", "int64", "float32", "float16", "float64"])))
            with np.errstate(all="ignore"):
                t.CopyFrom(numpy_helper.from_array(arr.astype(to), t.name))
            return "dtype", f"initializer {t.name!r} {arr.dtype} -> {to}"
    if kind == "dims" and len(g.input):
        dims = g.input[0].type.tensor_type.shape.dim
        j = int(rng.integers(len(dims)))
        dims[j].dim_value = int(rng.choice([1, 2, 3, 5, 16, 0]))
        return "dims", f"graph input dim {j} = {dims[j].dim_value}"
    return "no-op", "no-op"


def mutate_onnx(data: bytes, rng) -> tuple[bytes, list[tuple[str, str]]]:
    import onnx
    for _ in range(20):
        m = onnx.ModelProto.FromString(data)
        try:
            done = [d for d in (_onnx_edit(m, rng) for _ in range(_edit_count(rng))) if d[0] != "no-op"]
            if done:
                return m.SerializeToString(), done
        except Exception:
            continue
    return data, [("no-op", "unchanged")]


# ---------------------------------------------------------------- cases
@dataclass
class Case:
    seed: int
    index: int
    fmt: str
    label: str           # the seed model: "conv_2d/int8", "tiny_kws/int8", "onnx_qdq/int8", ...
    data: bytes
    edits: list          # [(kind, description)]

    @property
    def kinds(self) -> str:
        return "+".join(sorted({k for k, _ in self.edits}))

    @property
    def what(self) -> str:
        return f"{self.label}: " + "; ".join(d for _, d in self.edits)


def make_case(seed: int, index: int) -> Case:
    """Case `index` of run `seed`: a seed model and 1-3 edits, from (seed, index) alone."""
    rng = np.random.default_rng([seed, 0x5EED, index])
    fmt, label, data = _pick_seed(rng)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out, edits = mutate_tflite(data, rng) if fmt == "tflite" else mutate_onnx(data, rng)
    return Case(seed, index, fmt, label, out, edits)


# ---------------------------------------------------------------- TF Lite Micro in a worker process
def _tflm_serve(conn, log_path: str) -> None:
    """The worker: (model, samples) in, ("ok", outputs) or ("error", message) out. Its C++ may abort."""
    fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    from tinycc.backends.tflm.interpreter import interpreter, output_count

    def sequence(model, samples):         # one interpreter over the samples: variable state carries
        it, outs = interpreter(model), []
        for xs in samples:
            for i, x in enumerate(xs):
                it.set_input(np.ascontiguousarray(x).reshape(np.shape(x)), i)
            it.invoke()
            outs.append([np.asarray(np.array(it.get_output(i))) for i in range(output_count(model))])
        return outs
    while True:
        try:
            msg = conn.recv()
        except EOFError:
            return
        if msg is None:
            return
        model, samples = msg
        try:
            conn.send(("ok", sequence(model, samples)))
        except Exception as exc:
            conn.send(("error", f"{type(exc).__name__}: {exc}"))


class TflmWorker:
    """TF Lite Micro behind a pipe: a model that aborts the interpreter kills only the worker."""

    def __init__(self, timeout: float = 60.0):
        self.timeout = timeout
        self.proc = None
        self.log = Path(tempfile.mkstemp(prefix="tinycc-fuzz-tflm-", suffix=".log")[1])

    def _start(self):
        import multiprocessing
        ctx = multiprocessing.get_context("spawn")
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_tflm_serve, args=(child, str(self.log)), daemon=True)
        self.proc.start()
        child.close()

    def run(self, model: bytes, samples) -> tuple[str, object]:
        """("ok", outputs per sample) | ("error", message) | ("abort", message) | ("timeout", message)."""
        if self.proc is None or not self.proc.is_alive():
            self._start()
        start = self.log.stat().st_size
        try:
            self.conn.send((model, samples))
            if not self.conn.poll(self.timeout):
                self.close()
                return "timeout", f"TFLM gave no result in {self.timeout} s"
            return self.conn.recv()
        except (EOFError, BrokenPipeError, ConnectionResetError, OSError):
            self.proc.join(5)
            code = self.proc.exitcode
            self.proc = None
            text = self.log.read_bytes()[start:].decode(errors="replace").strip()
            return "abort", f"TFLM worker died (status {code}): {text[-300:]}"

    def close(self):
        if self.proc is not None:
            with contextlib.suppress(Exception):
                self.conn.send(None)
            self.proc.join(2)
            if self.proc.is_alive():
                self.proc.kill()
                self.proc.join(2)
            self.proc = None

    def __del__(self):
        with contextlib.suppress(Exception):
            self.close()
            self.log.unlink()


# ---------------------------------------------------------------- the harness
@dataclass
class Finding:
    category: str
    stage: str
    message: str
    trace: str = ""
    where: str = ""


@dataclass
class Outcome:
    case: Case
    accepted: bool = False
    refused_message: str = ""
    findings: list = field(default_factory=list)
    sanitized: bool = False        # the C was built and run under the sanitizers

    @property
    def categories(self) -> set:
        return {f.category for f in self.findings}


def cli_main(argv: list[str], debug: bool = False) -> tuple[int, str, BaseException | None]:
    """`tinycc ARGV` in this process: (exit status, what it printed, the exception with debug=True)."""
    from tinycc import cli
    buf = io.StringIO()
    old = os.environ.pop("TINYCC_DEBUG", None)
    if debug:
        os.environ["TINYCC_DEBUG"] = "1"
    try:
        with contextlib.redirect_stdout(buf), contextlib.redirect_stderr(buf):
            return int(cli.main(argv)), buf.getvalue(), None
    except SystemExit as exc:                      # argparse
        return int(exc.code or 0), buf.getvalue(), None
    except MemoryError:
        raise
    except Exception as exc:                       # only with debug: the traceback of an exit 3
        return 3, buf.getvalue(), exc
    finally:
        os.environ.pop("TINYCC_DEBUG", None)
        if old is not None:
            os.environ["TINYCC_DEBUG"] = old


def _guarded(stage: str, fn, out: Outcome, timeout: float, memory: int):
    """Run fn() under the case's limits; a non-TinyccError exception is a finding. Returns
    (value, TinyccError or None); value None when it failed."""
    from tinycc.core.errors import TinyccError
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"), fuzz_cases.time_limit(timeout), \
                fuzz_cases.memory_limit(memory):
            warnings.simplefilter("ignore")
            return fn(), None
    except TinyccError as err:
        return None, err
    except fuzz_cases.CaseTimeout as exc:
        out.findings.append(Finding("timeout", stage, str(exc), traceback.format_exc(), fuzz_cases._where(exc)))
    except MemoryError as exc:
        out.findings.append(Finding("memory", stage, f"MemoryError {exc}", traceback.format_exc(),
                                    fuzz_cases._where(exc)))
    except RecursionError as exc:
        out.findings.append(Finding("crash", stage, f"RecursionError: {exc}", traceback.format_exc(limit=-30),
                                    fuzz_cases._where(exc)))
    except Exception as exc:
        out.findings.append(Finding("crash", stage, f"{type(exc).__name__}: {exc}", traceback.format_exc(),
                                    fuzz_cases._where(exc)))
    return None, None


def _differs(ref: np.ndarray, got: np.ndarray, base: str = "TFLM") -> str | None:
    """None when `got` equals the TFLM output `ref` (float: within FLOAT_TOL relative to max(1, max|ref|))."""
    ref, got = np.asarray(ref), np.asarray(got)
    if ref.size != got.size:
        return f"{got.size} elements, {base} {ref.size}"
    got = got.reshape(ref.shape)
    if ref.dtype != got.dtype:
        return f"dtype {got.dtype}, {base} {ref.dtype}"
    if ref.dtype.kind == "f":
        a, b = ref.astype(np.float64), got.astype(np.float64)
        nan = np.isnan(a) | np.isnan(b)
        if np.any(np.isnan(a) != np.isnan(b)):
            k = int(np.flatnonzero(np.isnan(a) != np.isnan(b))[0])
            return f"NaN mismatch at {k}: got {got.flat[k]}, {base} {ref.flat[k]}"
        finite = ~nan
        with np.errstate(all="ignore"):
            scale = max(1.0, float(np.max(np.abs(a[finite]))) if finite.any() else 1.0)
            d = np.where(finite, np.abs(a - b), 0.0)
            d = np.where(np.isinf(a) | np.isinf(b), np.where(a == b, 0.0, np.inf), d)
        bad = np.flatnonzero(d > FLOAT_TOL * scale)
        if bad.size:
            k = int(bad[0])
            return (f"{bad.size}/{ref.size} elements beyond tolerance; first at {k}: got {got.flat[k]}, "
                    f"{base} {ref.flat[k]}")
        return None
    bad = np.flatnonzero(ref != got)
    if bad.size:
        k = int(bad[0])
        return f"{bad.size}/{ref.size} elements differ; first at {k}: got {got.flat[k]}, {base} {ref.flat[k]}"
    return None


def _compare(label: str, expected, got, out: Outcome, baseline: str = "TFLM") -> None:
    for k, (es, gs) in enumerate(zip(expected, got)):
        if len(es) != len(gs):
            out.findings.append(Finding("differ", label, f"{label}: {len(gs)} outputs, {baseline} {len(es)}"))
            return
        for i, (e, o) in enumerate(zip(es, gs)):
            why = _differs(e, o, baseline)
            if why:
                out.findings.append(Finding("differ", label, f"{label} vs {baseline}, sample {k}, output {i}: {why}"))
                return


def build_sanitized(folder: Path, timeout: float = 300) -> tuple[Path | None, str]:
    """The compiled folder + the harness, with the sanitizers: (program, '') or (None, compiler output)."""
    from tinycc.plugins.runtimes.c_host import HARNESS
    sources = [str(p) for p in sorted(folder.rglob("*.c"))]
    includes = [f"-I{d}" for d in sorted({str(p.parent) for p in folder.rglob("*.h")})]
    exe = folder / "model_san"
    proc = subprocess.run([CC, *SANITIZE_FLAGS, *includes, *sources, str(HARNESS), "-o", str(exe), "-lm"],
                          check=False, capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        return None, proc.stderr[-3000:]
    return exe, ""


def run_sanitized(exe: Path, g, samples, timeout: float = 120) -> tuple[list | None, str]:
    """(outputs per sample, '') or (None, the sanitizer's report / the failure)."""
    from tinycc.core import samples as sio
    workdir = exe.parent
    (workdir / "in.bin").write_bytes(sio.pack(samples, sio.layout(g, g.inputs)))
    try:
        proc = subprocess.run([str(exe), str(workdir / "in.bin"), str(workdir / "out.bin"), str(len(samples))],
                              check=False, capture_output=True, text=True, env=SAN_ENV, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, f"no result in {timeout} s"
    report = TIMING.sub("", proc.stderr)
    if proc.returncode != 0 or report:
        return None, f"status {proc.returncode}: {report[-3000:]}"
    return sio.unpack((workdir / "out.bin").read_bytes(), sio.layout(g, g.outputs), len(samples)), ""


def _first_line(text: str) -> str:
    lines = [ln for ln in text.strip().splitlines() if ln.strip()]
    return lines[0] if lines else ""


def _san_signature(report: str) -> str:
    """`runtime error: ...` or `ERROR: AddressSanitizer: ...` and the first frame in generated code."""
    m = re.search(r"(\S+\.[ch]):\d+:\d+: runtime error: ([^\n]*)", report)
    if m:
        return f"{Path(m.group(1)).name}: {re.sub(r'[-0-9]+', 'N', m.group(2))[:120]}"
    m = re.search(r"ERROR: AddressSanitizer: (\S+)", report)
    if m:
        f = re.search(r"#\d+ 0x[0-9a-f]+ in (\S+) (\S+\.[ch]):", report)
        return f"ASan {m.group(1)}" + (f" in {f.group(1)} ({Path(f.group(2)).name})" if f else "")
    return _first_line(report)[:160]


def run_case(case: Case, workdir: Path, tflm: TflmWorker | None, *, build_c: bool = True,
             timeout: float = 60.0, memory: int = 2 << 30) -> Outcome:
    """`tinycc compile` (c backend) of the case through the CLI entry; if accepted, reference,
    TFLM and the sanitized C on SAMPLES random inputs, compared with TFLM."""
    from tinycc.compare import random_samples
    from tinycc.core import interpreter
    from tinycc.driver import load_model, optimize_model
    out = Outcome(case)
    work = Path(workdir) / f"case{case.index}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    path = work / f"fuzz{fuzz_cases.FORMATS[case.fmt]}"
    path.write_bytes(case.data)
    folder = work / "out"

    # 1. tinycc compile MODEL -o OUT (exit 0 / 2; 3 is a bug)
    def compile_():
        return cli_main(["compile", str(path), "-o", str(folder), "--backend", "c"], debug=True)
    res, _ = _guarded("compile", compile_, out, timeout, memory)
    if res is None:
        return out
    status, printed, exc = res
    if status == 3:
        where = fuzz_cases._where(exc) if exc is not None else "?"
        trace = "".join(traceback.format_exception(exc)) if exc is not None else printed
        out.findings.append(Finding("exit3", "compile", f"{type(exc).__name__}: {exc}" if exc else printed[-300:],
                                    trace, where))
        return out
    if status != 0:
        out.refused_message = printed.strip()
        if folder.exists() or list(work.glob(".out.*")):
            out.findings.append(Finding("leftover", "compile", f"refused (status {status}) but left "
                                        f"{[p.name for p in work.iterdir()]}"))
        return out
    out.accepted = True

    # 2. what compare does: load + optimise, random samples, the reference interpreter
    g, err = _guarded("compare-load", lambda: optimize_model(load_model(path)), out, timeout, memory)
    if g is None:
        if err is not None:
            out.findings.append(Finding("crash", "compare-load", f"compile accepted, compare refused: {err}"))
        return out
    samples = random_samples(g, SAMPLES, case.index)
    def reference() -> list:              # one instance over the samples: variable state carries, as in the C
        it = interpreter.Interpreter(g)
        return [it.run(xs) for xs in samples]
    ref, err = _guarded("reference", reference, out, timeout, memory)
    if err is not None:
        out.findings.append(Finding("differ", "reference", f"reference interpreter refused at run: {err}"))

    # 3. TF Lite Micro (the source flatbuffer, or the graph written by the tflm writer for ONNX)
    expected = None
    if tflm is not None:
        if case.fmt == "tflite":
            model = case.data
        else:
            from tinycc.backends.tflm.flatbuffer import write_tflite
            model, err = _guarded("tflite-writer", lambda: write_tflite(g), out, timeout, memory)
            if err is not None:
                out.findings.append(Finding("tflm_refuses", "tflite-writer", f"tflm writer refused: {err}"))
        if model is not None:
            status_, value = tflm.run(model, samples)
            if status_ == "ok":
                expected = [list(v)[:len(g.outputs)] for v in value]
            else:
                out.findings.append(Finding("tflm_refuses", "tflm", f"{status_}: {_first_line(str(value))[:300]}"))
    if ref is not None and expected is not None:
        _compare("reference", expected, ref, out)

    # 4. the compiled C under ASan + UBSan
    if not build_c:
        return out
    if sum(g.tensors[n].size for n in g.tensors if not g.tensors[n].is_const) > MAX_C_ELEMENTS:
        return out
    try:
        exe, log = build_sanitized(folder)
    except subprocess.TimeoutExpired:
        out.findings.append(Finding("timeout", "cbuild", "the sanitized build took too long"))
        return out
    if exe is None:
        m = re.search(r"error: ([^\n]*)", log)
        out.findings.append(Finding("cbuild", "cbuild", m.group(0)[:200] if m else _first_line(log), log))
        return out
    got, report = run_sanitized(exe, g, samples)
    out.sanitized = True
    if got is None:
        out.findings.append(Finding("sanitizer", "c", _san_signature(report), report))
        return out
    if expected is not None:
        _compare("c", expected, got, out)
    elif ref is not None:
        _compare("c", ref, got, out, baseline="reference")
    return out


def signature(out: Outcome, f: Finding) -> tuple:
    """What makes two findings the same bug: category, seed operator, edit kinds, place/message shape."""
    msg = f.where or re.sub(r"0x[0-9a-f]+|-?\d+(\.\d+)?(e[-+]?\d+)?", "N", _first_line(f.message))[:120]
    return f.category, out.case.label, out.case.kinds, f.stage, msg


@dataclass
class Tally:
    cases: int = 0
    refused: int = 0
    accepted: int = 0
    sanitized: int = 0
    counts: dict = field(default_factory=lambda: dict.fromkeys(CATEGORIES, 0))
    seconds: float = 0.0

    def add(self, out: Outcome) -> None:
        self.cases += 1
        self.accepted += out.accepted
        self.refused += not out.accepted and not any(f.category in ("exit3", "crash", "timeout", "memory")
                                                     for f in out.findings)
        self.sanitized += out.sanitized
        for c in out.categories:
            self.counts[c] += 1

    @property
    def failures(self) -> int:
        return sum(self.counts[c] for c in ASSERTED)


def run_cases(seed: int, start: int, count: int, workdir: Path, *, build_c=lambda index: True,
              on_outcome=None, timeout: float = 60.0, memory: int = 2 << 30) -> Tally:
    """Cases start..start+count-1; `build_c(index)` says which accepted cases get the sanitized C build."""
    import time
    tally = Tally()
    t0 = time.perf_counter()
    tflm = TflmWorker()
    try:
        for i in range(start, start + count):
            case = make_case(seed, i)
            out = run_case(case, workdir, tflm, build_c=build_c(i), timeout=timeout, memory=memory)
            if not out.findings:
                shutil.rmtree(Path(workdir) / f"case{i}", ignore_errors=True)
            tally.add(out)
            if on_outcome is not None:
                on_outcome(out)
    finally:
        tflm.close()
    tally.seconds = time.perf_counter() - t0
    return tally


if __name__ == "__main__":          # python -m tests.fuzz_structured SEED INDEX: one case, verbosely
    c = make_case(int(sys.argv[1]), int(sys.argv[2]))
    o = run_case(c, Path(tempfile.mkdtemp(prefix="tinycc-sfuzz-")), TflmWorker())
    print(c.what, "\naccepted" if o.accepted else f"\nrefused: {o.refused_message}")
    for f in o.findings:
        print(f"{f.category} at {f.stage}: {f.message}\n{f.trace}")

