"""`--compress-weights BITS`: the int8 weights of conv_2d, depthwise_conv_2d and fully_connected layers
(int8 activations) snapped onto value tables of at most 2^BITS int8 values, one table per output channel
(per tensor for per-tensor weights), and stored as TF Lite Micro's LUT compression (core/lut.py).

The tables come from the layer's int8 weights (after tinycc's PTQ, or those of an int8 model):
`kmeans` runs Lloyd's algorithm on the histogram of each channel's 256 possible values, starting from
the uniform grid (so, before rounding, never worse than it; deterministic, no random seed), and rounds
the centres to integers; `uniform` spaces 2^BITS levels evenly between the channel's minimum and
maximum. A channel with at most 2^BITS distinct values keeps them exactly. Each weight becomes its
nearest table value (ties to the lower); the graph then holds those values, so every kernel and the
reference interpreter compute with exactly what TF Lite Micro's DECODE writes. A weight whose indices
and tables would take as many bytes as it does (a depthwise filter of 9 values a channel) stays int8.
The report gives, per layer, the weights' SQNR against the int8 weights and (when the float weights
are known) against the float ones, and the bytes before and after.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from tinycc.core import lut
from tinycc.core.errors import TinyccError
from tinycc.core.graph import Graph, Node, Tensor
from tinycc.core.passes import Pass
from tinycc.core.passes.accuracy import sqnr_db

METHODS = ("kmeans", "uniform")
ITERATIONS = 100


def kmeans_table(values: np.ndarray, k: int) -> np.ndarray:
    """At most k integer centres for int8 `values` (1-D k-means over their histogram), sorted, distinct."""
    levels, counts = np.unique(values.astype(np.int64), return_counts=True)
    if levels.size <= k:
        return levels
    centres = np.linspace(levels[0], levels[-1], k)          # Lloyd's steps only lower the uniform grid's error
    for _ in range(ITERATIONS):
        nearest = np.abs(levels[:, None] - centres[None, :]).argmin(axis=1)
        sums = np.bincount(nearest, weights=levels * counts, minlength=centres.size)
        weights = np.bincount(nearest, weights=counts, minlength=centres.size)
        moved = np.where(weights > 0, sums / np.maximum(weights, 1), centres)
        if np.allclose(moved, centres):
            break
        centres = moved
    return np.unique(np.clip(np.rint(centres), -128, 127).astype(np.int64))


def uniform_table(values: np.ndarray, k: int) -> np.ndarray:
    levels = np.unique(values.astype(np.int64))
    if levels.size <= k:
        return levels
    return np.unique(np.rint(np.linspace(levels[0], levels[-1], k)).astype(np.int64))


def snap(values: np.ndarray, table: np.ndarray) -> np.ndarray:
    """Each value's nearest table entry (the lower on a tie)."""
    v = values.astype(np.int64).reshape(-1)
    snapped: np.ndarray = table[np.abs(v[:, None] - table[None, :]).argmin(axis=1)].reshape(values.shape)
    return snapped


def compress_tensor(data: np.ndarray, channels_axis: int | None, bits: int, method: str) -> lut.Lut:
    """The Lut of int8 `data` on tables of at most 2^bits values per slice along `channels_axis`."""
    k = 1 << bits
    make = kmeans_table if method == "kmeans" else uniform_table
    if channels_axis is None:
        slices = [data.reshape(-1)]
    else:
        slices = list(np.moveaxis(data, channels_axis, 0).reshape(data.shape[channels_axis], -1))
    tables = [make(s, k) for s in slices]
    stride = max(t.size for t in tables)
    padded = np.zeros((len(tables), stride), dtype=np.int8)
    for c, t in enumerate(tables):
        padded[c, :t.size] = t
    if channels_axis is None:
        snapped = snap(data, tables[0])
    else:
        moved = np.stack([snap(s, t) for s, t in zip(slices, tables)])
        snapped = np.moveaxis(moved.reshape(np.moveaxis(data, channels_axis, 0).shape), 0, channels_axis)
    alternate = channels_axis is not None and channels_axis == data.ndim - 1 and channels_axis != 0
    return lut.encode(snapped.astype(np.int8), padded, alternate, bits)


class CompressWeights(Pass):
    """Give every eligible weight a LUT encoding (and its snapped values); `report` lists the layers (a
    weight whose tables would take as many bytes as it does stays int8: `kept_int8`)."""
    name = "compress_weights"

    def __init__(self, bits: int, method: str = "kmeans", float_graph: Graph | None = None):
        if not 1 <= int(bits) <= lut.MAX_BITS:
            raise TinyccError(f"--compress-weights {bits}: the index width must be 1..{lut.MAX_BITS} bits",
                              hint="TF Lite Micro's LUT compression takes 1..7-bit indices; 4 or 2 are usual")
        if method not in METHODS:
            raise TinyccError(f"unknown compression method {method!r}", hint="choose kmeans or uniform")
        self.bits, self.method, self.float_graph = int(bits), method, float_graph
        self.report: dict[str, Any] = {"bits": self.bits, "method": method, "layers": [], "kept_int8": []}

    def run(self, g: Graph) -> Graph:
        floats = {n.name: n for n in self.float_graph.nodes} if self.float_graph is not None else {}
        done: set[str] = set()
        for node in g.nodes:
            if node.op not in lut.OPS or len(node.inputs) <= lut.WEIGHTS_INPUT:
                continue
            name, x = node.inputs[lut.WEIGHTS_INPUT], g.tensors.get(node.inputs[0] or "")
            w = g.tensors.get(name) if name is not None else None
            if name is None or w is None or w.data is None or w.dtype != "int8" or w.int4 or x is None \
                    or x.dtype != "int8":
                continue
            axis = w.quant.axis if w.quant is not None and w.quant.per_channel else None
            if axis is not None and axis not in (0, len(w.shape) - 1):
                continue                     # TF Lite Micro's DECODE takes tables along the first or last axis
            if name in done:
                continue
            done.add(name)
            enc = compress_tensor(w.data, axis, self.bits, self.method)
            if enc.nbytes >= w.data.size:           # tables as large as the weights (few per channel)
                self.report["kept_int8"].append(node.name)
                continue
            before = w.data.copy()
            w.data, w.lut = lut.decode(enc, w.shape), enc
            self.report["layers"].append(self._entry(node, before, w, enc, floats.get(node.name)))
        return g

    def _entry(self, node: Node, before: np.ndarray, w: Tensor, enc: lut.Lut, float_node: Node | None
               ) -> dict[str, Any]:
        entry = {"layer": node.name, "op": node.op, "tables": enc.channels, "entries": enc.stride,
                 "int8_bytes": int(before.size), "lut_bytes": enc.nbytes,
                 "sqnr_vs_int8_db": sqnr_db(before.astype(np.float64), np.asarray(w.data, np.float64))}
        if self.float_graph is not None and float_node is not None and len(float_node.inputs) > 1:
            fw = self.float_graph.tensors.get(float_node.inputs[1] or "")
            if fw is not None and fw.data is not None and fw.dtype == "float32" and fw.shape == w.shape \
                    and w.quant is not None:
                scale = np.asarray(w.quant.scale, np.float64)
                if scale.size > 1:
                    shape = [1] * len(w.shape)
                    shape[w.quant.axis] = scale.size
                    scale = scale.reshape(shape)
                zp = float(w.quant.zero_point.reshape(-1)[0]) if w.quant.zero_point.size == 1 else 0.0
                ref = fw.data.astype(np.float64)
                entry["sqnr_int8_vs_float_db"] = sqnr_db(ref, (before.astype(np.float64) - zp) * scale)
                entry["sqnr_vs_float_db"] = sqnr_db(ref, (np.asarray(w.data, np.float64) - zp) * scale)
        return entry


def summary(report: dict[str, Any]) -> dict[str, Any]:
    """Totals of a CompressWeights report, and the layers' mean weight SQNRs (dB) where measured."""
    layers = report["layers"]
    out: dict[str, Any] = {"int8_bytes": sum(e["int8_bytes"] for e in layers),
                           "lut_bytes": sum(e["lut_bytes"] for e in layers), "compressed_layers": len(layers)}
    for key in ("sqnr_vs_int8_db", "sqnr_vs_float_db", "sqnr_int8_vs_float_db"):
        values = [e[key] for e in layers if key in e and np.isfinite(e[key])]
        if values:
            out[f"mean_weights_{key}"] = float(np.mean(values))
    return out


def output_sqnr(g_ref: Graph, g_lut: Graph, samples: list[list[np.ndarray]]) -> list[float]:
    """Each output's SQNR (dB, on real values) of the compressed graph against `g_ref` over `samples`."""
    from tinycc.core.interpreter import Interpreter
    from tinycc.core.passes.accuracy import _as_input, _real
    ref_run, lut_run = Interpreter(g_ref), Interpreter(g_lut)
    refs, gots = [], []
    for xs in samples:
        refs.append(ref_run.run([_as_input(g_ref.tensors[n], x) for n, x in zip(g_ref.inputs, xs)]))
        gots.append(lut_run.run([_as_input(g_lut.tensors[n], x) for n, x in zip(g_lut.inputs, xs)]))
    return [sqnr_db(np.concatenate([_real(g_ref.tensors[name], r[i]).reshape(-1) for r in refs]),
                    np.concatenate([_real(g_lut.tensors[g_lut.outputs[i]], o[i]).reshape(-1) for o in gots]))
            for i, name in enumerate(g_ref.outputs)]
