"""A .tflite file tinycc cannot import, for the tflm backend to ship untouched.

TF Lite Micro runs models whose operators or element types tinycc's own importer does not
support (the audio front end's `Signal*` custom operators, uint32 tensors, ...). The tflm backend
needs only what the stub declares: the flatbuffer itself, its inputs and outputs (`io_graph`: a
core Graph with those tensors and no nodes) and TF Lite Micro's own arena measurement
(`measure_isolated`: in a child process, so a file that crashes TF Lite Micro's C++ is an error
message, not a crashed compiler).
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np

from tinycc.core.errors import TinyccError
from tinycc.core.graph import DTYPES, Graph, Metadata, Quant, Tensor

MEASURE_TIMEOUT = 120
# TFLite TensorType -> core dtype, for inputs and outputs only (C stub buffers)
IO_TYPES = {0: "float32", 2: "int32", 3: "uint8", 4: "int64", 6: "bool", 7: "int16", 9: "int8"}


def _schema():
    from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as schema
    return schema


def io_graph(path: Path, data: bytes) -> Graph:
    """The model's first subgraph's inputs and outputs (name, dtype, shape, quantisation) as a
    Graph without nodes; anything unreadable is a TinyccError naming the file."""
    try:
        m = _schema().ModelT.InitFromPackedBuf(data, 0)
        sg = m.subgraphs[0]
        tensors: dict[str, Tensor] = {}
        ends: dict[str, list[str]] = {"input": [], "output": []}
        for kind, indices in (("input", sg.inputs), ("output", sg.outputs)):
            for index in [int(i) for i in (indices if indices is not None else [])]:
                t = sg.tensors[index]
                raw = t.name.decode("utf-8", "replace") if isinstance(t.name, bytes) else str(t.name or "")
                name = raw or f"tensor_{index}"
                dtype = IO_TYPES.get(int(t.type))
                if dtype is None or dtype not in DTYPES:
                    raise TinyccError(f"model {kind} {name!r} has element type {int(t.type)}, which the C stub "
                                      "cannot declare", file=str(path))
                q = t.quantization
                quant = None
                if q is not None and q.scale is not None and len(q.scale) == 1:
                    zp = int(q.zeroPoint[0]) if q.zeroPoint is not None and len(q.zeroPoint) else 0
                    quant = Quant(np.asarray(q.scale, np.float32), np.asarray([zp]))
                shape = tuple(int(d) for d in (t.shape if t.shape is not None else []))
                tensors.setdefault(name, Tensor(name, shape, dtype, quant))
                ends[kind].append(name)
    except TinyccError:
        raise
    except Exception as exc:  # noqa: BLE001 - a hostile or corrupted file
        raise TinyccError(f"the flatbuffer is inconsistent ({type(exc).__name__}: {exc})", file=str(path)) from None
    if not ends["input"] or not ends["output"]:
        raise TinyccError("the model must have at least one input and one output", file=str(path))
    return Graph(name=path.stem, tensors=tensors, nodes=[], inputs=ends["input"], outputs=ends["output"],
                 source=str(path), metadata=Metadata(format="tflite"))


_CHILD = """
import json, sys
import numpy as np
from tinycc.backends.tflm.interpreter import interpreter, measure_arena
model = open(sys.argv[1], "rb").read()
figures = measure_arena(model)
it = interpreter(model)                     # and one invoke on zeros: a kernel may refuse only then
for i in range(len(json.loads(sys.argv[2]))):
    d = it.get_input_details(i)
    it.set_input(np.zeros(tuple(int(v) for v in d["shape"]), dtype=d["dtype"]), i)
it.invoke()
print(json.dumps(figures))
"""


def measure_isolated(path: Path, inputs: list[str]) -> dict[str, int]:
    """TF Lite Micro's arena measurement (interpreter.measure_arena) for the file at `path`, and one
    invoke on zero inputs (`inputs`: the model's input names), run in a child process: a model TF
    Lite Micro refuses or crashes on becomes a TinyccError."""
    try:
        proc = subprocess.run([sys.executable, "-c", _CHILD, str(path), json.dumps(inputs)], capture_output=True,
                              text=True,
                              timeout=MEASURE_TIMEOUT)
    except subprocess.TimeoutExpired:
        raise TinyccError(f"TF Lite Micro did not load the model within {MEASURE_TIMEOUT} s", file=str(path)) from None
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["(nothing printed)"])[-1]
        raise TinyccError(f"TF Lite Micro cannot run the model either (status {proc.returncode}: {last[:300]})",
                          file=str(path), hint="check the model with TF Lite Micro's own tools")
    return {k: int(v) for k, v in json.loads(proc.stdout.strip().splitlines()[-1]).items()}
