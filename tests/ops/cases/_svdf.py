"""int8 SVDF models of chosen sizes (tests/ops/cases/svdf.py draws random small ones): single layers for the
fast-path and CMSIS-NN twin edge cases, and `svdf_kws`, a keyword-spotting-sized two-layer stack (40 filterbank
features per frame, as TFLM's SVDF speech models take) for the Cortex-M4 benchmark. Built with tinycc's
flatbuffer writer; the states are variable tensors."""
from __future__ import annotations

import numpy as np

from tests.tflite_builder import act, const, q, random_scale
from tinycc.backends.tflm.flatbuffer import write_tflite
from tinycc.core.graph import Graph, Node, Tensor
from tinycc.core.validate import validate


def _layer(rng, name: str, x: Tensor, units: int, rank: int, memory: int, state_dtype: str,
           state_zp: int | None, out_zp: int | None, bias: bool = True,
           w_range: int | None = None) -> tuple[Node, list[Tensor], Tensor]:
    """One SVDF over `x` (batch, size): its node, its new tensors, and its int8 output."""
    batch, size = x.shape
    filters = units * rank
    wide = state_dtype == "int16"
    top = 32767 if wide else 127
    sw = random_scale(rng, 1e-3, 0.05)
    wr = w_range if w_range is not None else 127
    wf = const(f"{name}_wf", rng.integers(-wr, min(wr, 127) + 1, (filters, size)).astype(np.int8), q(sw))
    s_state = float(np.float32(x.quant.s * sw * 127 * 64 * np.sqrt(size) / top * rng.uniform(0.3, 3)))
    zp = state_zp if state_zp is not None else (0 if wide else int(rng.integers(-20, 21)))
    state = Tensor(f"{name}_state", (batch, filters * memory), state_dtype, q(s_state, zp), variable=True)
    st = random_scale(rng, 1e-5, 1e-3) if wide else random_scale(rng, 1e-3, 0.05)
    wt = const(f"{name}_wt", rng.integers(-top, top + 1, (filters, memory)).astype(state_dtype), q(st))
    b_scale = float(np.float32(s_state) * np.float32(st))
    b_vals = rng.integers(-5000, 5000, units) if bias else np.zeros(units)
    b = const(f"{name}_b", b_vals.astype(np.int32), q(b_scale))
    s_out = float(np.float32(s_state * st * top * top / 2 * np.sqrt(memory * rank) / 127 * rng.uniform(0.05, 0.5)))
    ozp = out_zp if out_zp is not None else int(rng.integers(-128, 128))
    y = act(f"{name}_y", (batch, units), "int8", q(s_out, ozp))
    node = Node(name, "svdf", [x.name, wf.name, wt.name, b.name, state.name], [y.name], {"rank": rank})
    return node, [wf, wt, b, state], y


def svdf_layer(seed: int, batch: int = 1, size: int = 8, units: int = 4, rank: int = 1, memory: int = 4,
               state_dtype: str = "int16", in_zp: int | None = None, state_zp: int | None = None,
               out_zp: int | None = None, w_range: int | None = None) -> bytes:
    """A one-SVDF int8 model of these sizes (zero points drawn unless given)."""
    rng = np.random.default_rng(seed)
    zp = in_zp if in_zp is not None else int(rng.integers(-128, 128))
    x = act("x", (batch, size), "int8", q(random_scale(rng), zp))
    node, made, y = _layer(rng, "svdf_under_test", x, units, rank, memory, state_dtype, state_zp, out_zp,
                           w_range=w_range)
    tensors = {t.name: t for t in [x, *made, y]}
    g = Graph("svdf", tensors, [node], [x.name], [y.name], source="<svdf test>")
    return write_tflite(validate(g))


def svdf_kws(seed: int = 0) -> bytes:
    """Two int8 SVDF layers with int16 states over one 40-feature frame a step: 40 -> 64 units of rank 2
    (128 filters) remembering 16 frames, then 64 -> 64 units of rank 1 remembering 16."""
    rng = np.random.default_rng(seed)
    x = act("frame", (1, 40), "int8", q(0.05, -10))
    n1, t1, y1 = _layer(rng, "svdf_1", x, 64, 2, 16, "int16", 0, None)
    n2, t2, y2 = _layer(rng, "svdf_2", y1, 64, 1, 16, "int16", 0, None)
    tensors = {t.name: t for t in [x, *t1, y1, *t2, y2]}
    g = Graph("svdf_kws", tensors, [n1, n2], [x.name], [y2.name], source="<svdf kws>")
    return write_tflite(validate(g))
