"""Accuracy report of a quantised graph against its float original, on sample inputs.

Per model output: the largest absolute error and, for class-score outputs, top-1 agreement.
Per layer: the signal-to-quantisation-noise ratio (SQNR, dB) of every activation the two
graphs share by name (the quantised one dequantised), so a user sees which layers lose most
and can keep them in int16; the first layer in execution order whose SQNR falls below a
threshold is named (`first_below_threshold`): where the loss starts.
Per channel (the last axis of a tensor of rank >= 2): `dead_channels`, constant over every
sample and position in float (a ReLU that never fires), and `collapsed_channels`, which vary in
float but quantise to one int8 level (the per-tensor scale, set by other channels, is too coarse
for them), so their information is lost.
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


def channel_health(ref: np.ndarray, got: np.ndarray, channels: int) -> tuple[list[int], list[int]]:
    """(dead, collapsed) channel indices of one activation: `ref` its float values, `got` the
    quantised ones dequantised, both flat in NHWC order (channels last)."""
    ref, got = ref.reshape(-1, channels), got.reshape(-1, channels)
    varies = ref.max(axis=0) > ref.min(axis=0)
    one_level = got.max(axis=0) == got.min(axis=0)
    return np.nonzero(~varies)[0].tolist(), np.nonzero(varies & one_level)[0].tolist()


def accuracy_report(g_float: Graph, g_quant: Graph, samples: list[list[np.ndarray]],
                    sqnr_threshold: float = 20.0) -> dict[str, Any]:
    f_int, q_int = Interpreter(g_float), Interpreter(g_quant)
    producers = {out: n for n in g_float.nodes for out in n.outputs}
    dequantized = {n.outputs[0]: n.inputs[0] for n in g_quant.nodes if n.op == "dequantize" and n.inputs[0]}
    quantized = {name: (dequantized.get(name, name) if name in g_quant.tensors and g_quant.tensors[name].dtype
                        == "float32" else name) for name in producers}      # a float output: its int8 tensor
    shared = [name for name in producers if quantized[name] in g_quant.tensors
              and g_quant.tensors[quantized[name]].dtype != "float32"]
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
            got[n].append(_real(g_quant.tensors[quantized[n]], q_vals[quantized[n]]).reshape(-1))
    outputs = []
    for i, name in enumerate(g_float.outputs):
        f = np.stack([np.asarray(o[0][i], dtype=np.float64).reshape(-1) for o in outs])
        q = np.stack([_real(g_quant.tensors[g_quant.outputs[i]], o[1][i]).reshape(-1) for o in outs])
        entry = {"output": name, "max_abs_error": float(np.abs(f - q).max()), "sqnr_db": sqnr_db(f, q)}
        if f.shape[1] > 1:
            entry["top1_agreement"] = float(np.mean(f.argmax(axis=1) == q.argmax(axis=1)))
        outputs.append(entry)
    entries: dict[str, dict[str, Any]] = {}
    for n in shared:                                       # in execution order
        r, q = np.concatenate(ref[n]), np.concatenate(got[n])
        entry = entries[n] = {"node": producers[n].name, "op": producers[n].op, "tensor": n, "sqnr_db": sqnr_db(r, q)}
        shape = g_float.tensors[n].shape
        if len(shape) >= 2 and shape[-1] > 1:
            entry["dead_channels"], entry["collapsed_channels"] = channel_health(r, q, shape[-1])
    first = next((dict(e) for e in entries.values() if e["sqnr_db"] < sqnr_threshold), None)
    layers = sorted(entries.values(), key=lambda e: e["sqnr_db"])
    return {"samples": len(samples), "outputs": outputs, "layers": layers, "sqnr_threshold_db": sqnr_threshold,
            "first_below_threshold": first}
