"""SVDF cases: random valid single-SVDF layers (rank dividing the filters, memory_size >= 1; int8 with
an int16 state, or with `state_dtype="int8"` an int8 one; float32). The state is a variable tensor,
not a model input. Multi-invoke checks (the state carried and reset) are tests/ops/test_svdf.py."""
from __future__ import annotations

import numpy as np

from tests.tflite_builder import act, const, q, random_scale, random_zp
from tinycc.backends.tflm.flatbuffer import write_tflite
from tinycc.core.graph import Graph, Node, Tensor
from tinycc.core.validate import validate

DTYPES = ("int8", "float32")
ACTS = ("none", "relu", "relu6", "relu_n1_to_1")


def svdf_model(inputs: list[Tensor], out: Tensor, attrs: dict, check: bool = True) -> bytes:
    """A one-SVDF model: the state (inputs[4]) is a variable tensor, not a model input."""
    tensors = {t.name: t for t in [*inputs, out]}
    node = Node("svdf_under_test", "svdf", [t.name for t in inputs], [out.name], dict(attrs))
    g = Graph("svdf", tensors, [node], [inputs[0].name], [out.name], source="<svdf test>")
    return write_tflite(validate(g) if check else g)


def build(rng, dtype, state_dtype="int16"):
    batch, size = int(rng.integers(1, 3)), int(rng.integers(1, 12))
    rank, units, memory = int(rng.integers(1, 4)), int(rng.integers(1, 6)), int(rng.integers(1, 6))
    filters = rank * units
    act_fn = str(rng.choice(ACTS))
    if dtype == "float32":
        ins = [act("x", (batch, size), dtype),
               const("wf", rng.normal(0, 0.5, (filters, size)).astype(np.float32)),
               const("wt", rng.normal(0, 0.5, (filters, memory)).astype(np.float32)),
               const("b", rng.normal(0, 0.5, units).astype(np.float32)),
               Tensor("state", (batch, filters * memory), dtype, variable=True)]
        return svdf_model(ins, act("y", (), dtype), {"rank": rank, "activation": act_fn})
    wide = state_dtype == "int16"
    top = 32767 if wide else 127
    x = act("x", (batch, size), "int8", q(random_scale(rng), random_zp(rng, "int8")))
    sw = random_scale(rng, 1e-3, 0.05)
    wf = const("wf", rng.integers(-127, 128, (filters, size)).astype(np.int8), q(sw))
    s_state = float(np.float32(x.quant.s * sw * 127 * 64 * np.sqrt(size) / top * rng.uniform(0.3, 3)))
    state_zp = 0 if wide else int(rng.integers(-20, 21))
    state = Tensor("state", (batch, filters * memory), state_dtype, q(s_state, state_zp), variable=True)
    st = random_scale(rng, 1e-5, 1e-3) if wide else random_scale(rng, 1e-3, 0.05)
    wt = const("wt", rng.integers(-top, top + 1, (filters, memory)).astype(state_dtype), q(st))
    b_scale = float(np.float32(s_state) * np.float32(st))
    b = const("b", rng.integers(-5000, 5000, units).astype(np.int32), q(b_scale))
    s_out = float(np.float32(s_state * st * top * top / 2 * np.sqrt(memory * rank) / 127 * rng.uniform(0.05, 0.5)))
    y = act("y", (), "int8", q(s_out, random_zp(rng, "int8")))
    return svdf_model([x, wf, wt, b, state], y, {"rank": rank, "activation": act_fn})
