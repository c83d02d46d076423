"""Accuracy report of a quantised graph against its float original, on sample inputs.

Per model output: the largest absolute error and, for class-score outputs, top-1 agreement.
Per layer: the signal-to-quantisation-noise ratio (SQNR, dB) of every activation the two
graphs share by name (the quantised one dequantised), so a user sees which layers lose most
and can keep them in int16.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from tinycc.core import progress
from tinycc.core.graph import Graph, Tensor, np_dtype
from tinycc.core.interpreter import Interpreter


def _real(t: Tensor, v: np.ndarray) -> np.ndarray:
    v = np.asarray(v)
    if t.quant is None or t.dtype == "float32":
        return v.astype(np.float64)
    real: np.ndarray = (v.astype(np.float64) - t.quant.zp) * t.quant.s
    return real


def _as_input(t: Tensor, x: np.ndarray) -> np.ndarray:
    """A float sample as the quantised graph's input takes it: quantised (round half away from
    zero, as the QUANTIZE kernel) when `--io int8` made that input an integer tensor."""
    x = np.asarray(x)
    if t.quant is None or t.dtype == "float32" or x.dtype.kind in "iu":
        return x
    info = np.iinfo(np_dtype(t.dtype))
    v = x.astype(np.float64) / t.quant.s
    q = np.sign(v) * np.floor(np.abs(v) + 0.5) + t.quant.zp
    clipped: np.ndarray = np.clip(q, info.min, info.max).astype(np_dtype(t.dtype))
    return clipped


def sqnr_db(ref: np.ndarray, approx: np.ndarray) -> float:
    noise = float(np.sum((ref - approx) ** 2))
    signal = float(np.sum(ref ** 2))
    if noise == 0.0:
        return float("inf")
    return float(10.0 * np.log10(max(signal, 1e-30) / noise))


def accuracy_report(g_float: Graph, g_quant: Graph, samples: list[list[np.ndarray]]) -> dict[str, Any]:
    f_int, q_int = Interpreter(g_float), Interpreter(g_quant)
    producers = {out: n for n in g_float.nodes for out in n.outputs}
    shared = [name for name in producers if name in g_quant.tensors and g_quant.tensors[name].dtype != "float32"]
    ref: dict[str, list[np.ndarray]] = {n: [] for n in shared}
    got: dict[str, list[np.ndarray]] = {n: [] for n in shared}
    outs = []
    for xs in progress.track(samples, "measuring int8 vs float", len(samples)):
        f_outs, f_vals = f_int.run(xs, keep_all=True)
        q_outs, q_vals = q_int.run([_as_input(g_quant.tensors[n], x) for n, x in zip(g_quant.inputs, xs)],
                                   keep_all=True)
        outs.append((f_outs, q_outs))
        for n in shared:
            ref[n].append(np.asarray(f_vals[n], dtype=np.float64).reshape(-1))
            got[n].append(_real(g_quant.tensors[n], q_vals[n]).reshape(-1))
    outputs = []
    for i, name in enumerate(g_float.outputs):
        f = np.stack([np.asarray(o[0][i], dtype=np.float64).reshape(-1) for o in outs])
        q = np.stack([_real(g_quant.tensors[g_quant.outputs[i]], o[1][i]).reshape(-1) for o in outs])
        entry = {"output": name, "max_abs_error": float(np.abs(f - q).max()), "sqnr_db": sqnr_db(f, q)}
        if f.shape[1] > 1:
            entry["top1_agreement"] = float(np.mean(f.argmax(axis=1) == q.argmax(axis=1)))
        outputs.append(entry)
    sqnr = {n: sqnr_db(np.concatenate(ref[n]), np.concatenate(got[n])) for n in shared}
    layers = [{"node": producers[n].name, "op": producers[n].op, "tensor": n, "sqnr_db": sqnr[n]}
              for n in sorted(shared, key=sqnr.__getitem__)]
    return {"samples": len(samples), "outputs": outputs, "layers": layers}
