"""Post-training int8 quantisation of a float32 graph, following the TFLite quantisation spec.

Activations: int8 per-tensor, asymmetric, range from calibration (always containing 0).
Weights: int8 symmetric (zero point 0), per output channel for convolutions and FULLY_CONNECTED
(as TF 2.21's converter emits; trait weight_quant_axis). Bias: int32 with scale
input_scale x weight_scale; a channel whose bias would pass INT32_MAX / 2 in that scale gets the
coarser weight scale |bias| / (INT32_MAX / 2) / input_scale, its bias then INT32_MAX / 2 (TF's converter
does the same for int8 filters, QuantizationDriver::SetBiasParamsWithAdjustments; tinycc for int4 ones
too). These are the near-zero filters of folded batch norms (MLPerf VWW): their bias would otherwise clip
to +-2^31 and their output lose it, and the c backend's fast kernels, which need that room in int32,
would not take the layer.
Ops that TFLite requires to keep their input's quantisation (pooling, reshape,
pad, transpose, slices, RELU6: trait shares_input_quant) get it; SOFTMAX/LOGISTIC output 1/256
with zero point -128, TANH 1/128 with 0 (fixed_output_quant). CONCATENATION inputs quantised
differently are requantised first (common_quant); an operand only the concatenation reads is
quantised in the common quantisation by its producer (`shared_ranges`). A float constant operand of elementwise
arithmetic (MUL/ADD/SUB by Rescaling's or Normalization's constants) becomes an int8 tensor with
its own per-tensor asymmetric quantisation over [min, max] and 0, as TensorFlow's converter makes
it; one of a common_quant operator is stored in the common quantisation.
An op TFLM runs only in float may give its quantisable form (`quantized_form`: NEG is MUL by -1).
With `bias_correction`, each weighted layer's bias absorbs the mean error its int8 weights make
on the calibration data (empirical bias correction, Nagel et al. 2019): per output channel,
E[(W_q - W) x] over the samples and positions, computed exactly by linearity as the layer run
with the weight error on the mean input (calibration keeps it), then subtracted from the bias.
The model keeps float32 inputs and outputs (QUANTIZE/DEQUANTIZE at the edges) unless
`io="int8"`, which makes them int8 with their quantisation in the header.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

from tinycc.core import fixedpoint as fp
from tinycc.core import int4, ops
from tinycc.core.errors import TinyccError
from tinycc.core.graph import Graph, Node, Quant, Tensor
from tinycc.core.ops import dequantize as dequantize_op
from tinycc.core.ops import quantize as quantize_op
from tinycc.core.passes import Pass, remove_dead_nodes
from tinycc.core.passes.calibrate import Ranges

IO_MODES = ("float", "int8")


def activation_quant(lo: float, hi: float) -> Quant:
    """int8 affine parameters covering [lo, hi] and 0 (zero is exactly representable)."""
    lo, hi = min(float(lo), 0.0), max(float(hi), 0.0)
    if hi - lo < 1e-12:
        hi = lo + 1.0
    scale = np.float32((hi - lo) / 255.0)
    zp = int(np.clip(fp.round_half_away(-128 - lo / float(scale)), -128, 127))
    return Quant(np.array([scale]), np.array([zp]))


def activation_quant16(lo: float, hi: float) -> Quant:
    """int16 activations of 16x8 layers: symmetric, zero point 0 (as TFLM's 16x8 kernels require)."""
    amax = max(abs(float(lo)), abs(float(hi)))
    return Quant(np.array([np.float32(amax / 32767.0 if amax > 0 else 1.0 / 32767.0)]), np.array([0]))


BIAS_MAX = (2 ** 31 - 1) // 2      # TF's converter's kBiasMax: room left in int32 for the accumulator


def quantize_weights(w: np.ndarray, axis: int | None, qmax: int = 127,
                     scale: np.ndarray | None = None) -> tuple[np.ndarray, Quant]:
    """Symmetric weights in -qmax..qmax (127: int8; 7: int4, as TFLite's int4 quantiser), per tensor or
    per channel along `axis`, in the given `scale` (float32, one or one per channel) or max|w| / qmax."""
    if scale is None:
        if axis is None:
            amax = np.array([np.abs(w).max()])
        else:
            amax = np.abs(np.moveaxis(w, axis, 0)).reshape(w.shape[axis], -1).max(axis=1)
        scale = np.where(amax > 0, amax / float(qmax), 1.0).astype(np.float32)
    shape = [1] * w.ndim
    if axis is not None:
        shape[axis] = -1
    q = np.clip(fp.round_half_away(w / scale.reshape(shape)), -qmax, qmax).astype(np.int8)
    return q, Quant(scale, np.zeros(scale.size, dtype=np.int64), axis or 0)


def bias_fit_scale(b: np.ndarray, in_scale: float, w_scale: np.ndarray) -> np.ndarray | None:
    """The weight scale (float32) under which the float bias `b` quantises within BIAS_MAX, or None when
    `w_scale` already does: TF's converter's rule, per channel for the channels that pass it (|b| / BIAS_MAX
    / input_scale), per tensor from the largest |b|."""
    ab = np.abs(np.asarray(b, np.float64)).reshape(-1)
    ws = np.asarray(w_scale, np.float64).reshape(-1)
    if ws.size == 1:
        ab = ab.max(initial=0.0, keepdims=True)
    elif ws.size != ab.size:
        return None
    over = ab / (float(in_scale) * ws) > BIAS_MAX
    if not over.any():
        return None
    return np.where(over, ab / BIAS_MAX / float(in_scale), ws).astype(np.float32)


def quantize_bias(b: np.ndarray, in_scale: float, w_scale: np.ndarray,
                  wide: bool = False) -> tuple[np.ndarray, Quant]:
    """int32 bias (int64 for 16x8 layers) with scale input_scale x weight_scale."""
    scale = (np.float32(in_scale) * w_scale.astype(np.float32)).astype(np.float32)
    scale = np.broadcast_to(scale, b.shape).astype(np.float32)
    bits = 63 if wide else 31
    q = np.clip(fp.round_half_away(b.astype(np.float64) / scale), -(2 ** bits), 2 ** bits - 1)
    return q.astype(np.int64 if wide else np.int32), Quant(scale, np.zeros(scale.size, dtype=np.int64))


def _quant_error(w: np.ndarray, wq: Tensor) -> np.ndarray:
    """Dequantised int8 weights minus the float ones."""
    q = _quant(wq)
    shape = [1] * w.ndim
    if q.scale.size > 1:
        shape[q.axis] = -1
    assert wq.data is not None
    err: np.ndarray = wq.data.astype(np.float64) * q.scale.astype(np.float64).reshape(shape) - w.astype(np.float64)
    return err


def mean_output_error(g: Graph, node: Node, mean_input: np.ndarray, w_err: np.ndarray) -> np.ndarray:
    """Per output channel (the last axis), the mean over positions of `node` (no bias, no fused
    activation) applied to `mean_input` with the weights `w_err`: by linearity, the mean error
    E[(W_q - W) x] of the quantised weights over the calibration samples."""
    from tinycc.core.interpreter import Interpreter
    x, y = g.tensors[_given(node.inputs[0])], g.tensors[node.outputs[0]]
    tensors = {"x": Tensor("x", x.shape, "float32"), "w": Tensor("w", w_err.shape, "float32",
                                                                 data=w_err.astype(np.float32)),
               "y": Tensor("y", y.shape, "float32")}
    attrs = dict(node.attrs)
    if "activation" in attrs or ops.trait(node.op, "fused_activation"):
        attrs["activation"] = "none"
    mini = Graph("bias-correction", tensors, [Node(node.name, node.op, ["x", "w"], ["y"], attrs)], ["x"], ["y"])
    out = Interpreter(mini).run([mean_input.astype(np.float32)])[0].astype(np.float64)
    result: np.ndarray = out.reshape(-1, out.shape[-1]).mean(axis=0)
    return result


def shared_ranges(g: Graph, ranges: Ranges, int16: set[str]) -> Ranges:
    """`ranges` with every operand of a common_quant operator (CONCATENATION, PACK) that only that
    operator reads, and that its producer quantises from its own range, given the operator's common
    range (the span of the output and all operands): the producer then writes the common
    quantisation directly, as TensorFlow's converter makes it, instead of rounding to its own scale
    and being requantised (rounded again, by an extra QUANTIZE node) before the concatenation."""
    readers: dict[str, list[Node]] = {}
    producer: dict[str, Node] = {}
    for node in g.nodes:
        for name in node.inputs:
            if name is not None:
                readers.setdefault(name, []).append(node)
        producer.update({name: node for name in node.outputs})
    lo, hi = dict(ranges.lo), dict(ranges.hi)
    for node in g.nodes:
        if not ops.trait(node.op, "common_quant") or node.name in int16:
            continue
        operands = [n for n in node.inputs if n is not None and not g.tensors[n].is_const]
        if any(n not in lo for n in (*operands, node.outputs[0])):
            continue
        span = [ranges.lo[node.outputs[0]], ranges.hi[node.outputs[0]]]
        for n in node.inputs:
            if n is not None:
                a, b = _const_range(g.tensors[n], node) if g.tensors[n].is_const else (ranges.lo[n], ranges.hi[n])
                span = [min(span[0], a), max(span[1], b)]
        for name in operands:
            p = producer.get(name)
            if (p is None or name in g.outputs or any(r is not node for r in readers[name]) or p.name in int16
                    or ops.trait(p.op, "shares_input_quant") or ops.trait(p.op, "common_quant")
                    or ops.trait(p.op, "fixed_output_quant") is not None):
                continue
            lo[name], hi[name] = span
    return dataclasses.replace(ranges, lo=lo, hi=hi)


def _given(name: str | None) -> str:
    """An operand the operator requires (validation refused a node without it)."""
    assert name is not None, "a required operand is missing after validation"
    return name


def _quant(t: Tensor) -> Quant:
    """The quantisation of a tensor this pass made quantised."""
    assert t.quant is not None, f"{t.name!r} was made quantised by this pass"
    return t.quant


def _const_data(node: Node, t: Tensor) -> np.ndarray:
    if t.data is None:
        raise TinyccError(f"{t.name!r} must be constant to be quantised", node=node.name, op=node.op)
    return t.data


def _const_range(t: Tensor, node: Node) -> tuple[float, float]:
    """[min, max] of a float constant operand, refused unless finite and numeric (the file is hostile)."""
    if t.dtype != "float32":
        raise TinyccError(f"constant operand {t.name!r} is {t.dtype}; only float32 constants can be quantised",
                          node=node.name, op=node.op)
    data = np.asarray(t.data, dtype=np.float32)
    if data.size == 0:
        return 0.0, 0.0
    if not np.all(np.isfinite(data)):
        raise TinyccError(f"constant operand {t.name!r} is not finite", node=node.name, op=node.op,
                          hint="check the float model")
    return float(data.min()), float(data.max())


class QuantizeInt8(Pass):
    name = "quantize-int8"

    def __init__(self, ranges: Ranges, io: str = "float", int16_layers: Iterable[str] = (),
                 bias_correction: bool = False, int4_layers: Iterable[str] = ()) -> None:
        if io not in IO_MODES:
            raise TinyccError(f"unknown io mode {io!r}", hint=f"choose one of {', '.join(IO_MODES)}")
        self.ranges = ranges
        self.io = io
        self.int16 = set(int16_layers)
        self.int4 = set(int4_layers)        # weighted layers whose weights are int4 (core/int4.py, 4w8a)
        self.bias_correction = bias_correction

    def _range_quant(self, name: str, dtype: str = "int8") -> Quant:
        if name not in self.ranges.lo:
            raise TinyccError(f"tensor {name!r} has no calibration range")
        make = activation_quant16 if dtype == "int16" else activation_quant
        return make(self.ranges.lo[name], self.ranges.hi[name])

    def run(self, g: Graph) -> Graph:
        for name in g.inputs:
            if g.tensors[name].dtype != "float32":
                raise TinyccError(f"input {name!r} is {g.tensors[name].dtype}; int8 quantisation needs a float32 model",
                                  file=g.source, hint="this model is already quantised: compile it as it is")
        self.ranges = shared_ranges(g, self.ranges, self.int16)
        tensors: dict[str, Tensor] = {}
        nodes: list[Node] = []
        qname: dict[str, str] = {}          # float activation -> its int8 tensor
        self.names = g.names()              # activations keep their names; new tensors get fresh ones
        self._weights: dict[tuple[str, Any, bool], str] = {}     # (float filter, axis, int4) -> its copy
        self._constants: dict[tuple[str, str, float, int], str] = {}    # (float constant, dtype, scale, zp)

        def add_int8(name: str, shape: Sequence[int], quant: Quant, new_name: str | None = None,
                     dtype: str = "int8") -> str:
            new_name = new_name or name
            tensors[new_name] = Tensor(new_name, tuple(shape), dtype, quant)
            qname[name] = new_name
            return new_name

        self._converted: dict[tuple[str, str], str] = {}
        self._float_source: dict[str, str] = {}   # quantised model input -> its float input (float io)

        for name in g.inputs:
            t = g.tensors[name]
            if self.io == "float":
                tensors[name] = Tensor(name, t.shape, "float32")
                q = add_int8(name, t.shape, self._range_quant(name), self.names.fresh(f"{name}/int8"))
                nodes.append(quantize_op.node(f"quantize:{name}", name, q))
                self._float_source[q] = name
            else:
                add_int8(name, t.shape, self._range_quant(name))

        for node in g.nodes:
            form = getattr(ops.require(node.op), "quantized_form", None)     # an op TFLM runs in float only
            if form is not None:
                node, consts = form(node, self.names.fresh)
                g.tensors.update({t.name: t for t in consts})
            nodes.extend(self._node(g, node, tensors, qname, add_int8))

        outputs = []
        for name in g.outputs:
            t = g.tensors[name]
            if self.io == "float":
                q = qname[name]
                if q == name:                                  # give the int8 tensor its own name
                    q = self.names.fresh(f"{name}/int8")
                    tensors[q] = tensors.pop(name)
                    tensors[q].name = q
                    for n in nodes:
                        n.outputs = [q if o == name else o for o in n.outputs]
                        n.inputs = [q if i == name else i for i in n.inputs]
                tensors[name] = Tensor(name, t.shape, "float32")
                nodes.append(dequantize_op.node(f"dequantize:{name}", q, name))
                outputs.append(name)
            else:
                outputs.append(qname[name])
        inputs = list(g.inputs) if self.io == "float" else [qname[n] for n in g.inputs]
        result = Graph(g.name, tensors, nodes, inputs, outputs, source=g.source,
                       metadata=dataclasses.replace(g.metadata, details={**g.metadata.details, "quantized_by": "tinycc",
                                                                          "calibration_samples": self.ranges.samples}))
        remove_dead_nodes(result)          # e.g. an int8 copy of an input that only int16 layers read
        return result

    def _node(self, g: Graph, node: Node, tensors: dict[str, Tensor], qname: dict[str, str],
              add_int8: Callable[..., str]) -> list[Node]:
        out = g.tensors[node.outputs[0]]
        op = node.op
        if ops.trait(op, "converts_dtype") or out.dtype != "float32":
            raise TinyccError("the model mixes float and quantised operators; quantise a pure float32 model",
                              node=node.name, op=op, file=g.source)
        target = "int16" if node.name in self.int16 else "int8"
        fixed = ops.trait(op, "fixed_output_quant")
        if target == "int16" and fixed is not None:
            raise TinyccError(f"{op} cannot run with int16 activations in tinycc yet", node=node.name, op=op,
                              file=g.source, hint="keep this layer in int8")
        new_nodes: list[Node] = []
        ins: list[str | None] = []
        for name in node.inputs:
            if name is None:
                ins.append(None)
            elif g.tensors[name].is_const:
                if g.tensors[name].dtype in ("int32", "int64"):      # indices, shapes: plain integers, kept
                    tensors.setdefault(name, g.tensors[name])
                ins.append(name)
                if g.tensors[name].dtype != "float32":      # integer operands (GATHER's positions) as given
                    tensors.setdefault(name, g.tensors[name])
            else:
                ins.append(self._as_dtype(name, qname[name], target, tensors, new_nodes))
        attrs = dict(node.attrs)
        if ops.trait(op, "weighted"):
            axis = ops.trait(op, "weight_quant_axis")
            x_q = _quant(tensors[_given(ins[0])])
            w = g.tensors[node.input(1)]
            four = node.name in self.int4
            key = (w.name, axis, four)
            if key not in self._weights:                       # one int8 copy of a filter shared by layers
                wq, w_quant = quantize_weights(_const_data(node, w).astype(np.float32), axis,
                                               int4.QMAX if four else 127)
                self._weights[key] = w_name = self.names.fresh(f"{w.name}/{'int4' if four else 'int8'}")
                tensors[w_name] = Tensor(w_name, w.shape, "int8", w_quant, wq, int4=four)
            w_name = self._weights[key]
            w_quant = _quant(tensors[w_name])
            if len(node.inputs) > 2 and node.inputs[2] is not None:
                b = g.tensors[node.input(2)]
                wide = target == "int16"
                b_data = _const_data(node, b)
                fit = None if wide else bias_fit_scale(b_data, x_q.s, w_quant.scale)
                if fit is not None:                            # this layer's own copy in the coarser scale
                    wq, w_quant = quantize_weights(_const_data(node, w).astype(np.float32), axis,
                                                   int4.QMAX if four else 127, fit)
                    w_name = self.names.fresh(f"{w.name}/{'int4' if four else 'int8'}")
                    tensors[w_name] = Tensor(w_name, w.shape, "int8", w_quant, wq, int4=four)
                    w_quant = _quant(tensors[w_name])
                if self.bias_correction and node.inputs[0] in self.ranges.means:
                    w_err = _quant_error(_const_data(node, w), tensors[w_name])
                    b_data = b_data - mean_output_error(g, node, self.ranges.means[node.inputs[0]], w_err)
                bq, b_quant = quantize_bias(b_data, x_q.s, w_quant.scale, wide)
                b_name = self.names.fresh(f"{b.name}/{'int64' if wide else 'int32'}")   # per layer: its input scale
                tensors[b_name] = Tensor(b_name, b.shape, "int64" if wide else "int32", b_quant, bq)
                ins[2] = b_name
            ins[1] = w_name
            out_quant = self._range_quant(out.name, target)
        elif ops.trait(op, "shares_input_quant"):
            out_quant = _quant(tensors[_given(ins[0])])
            if attrs.get("value") is not None:              # a pad value
                qlo, qhi = (-32768, 32767) if target == "int16" else (-128, 127)
                attrs["value"] = int(np.clip(fp.round_half_away(float(attrs["value"]) / out_quant.s) + out_quant.zp,
                                             qlo, qhi))
        elif fixed is not None:
            scale, zp = fixed
            out_quant = Quant(np.array([scale]), np.array([zp]))
        elif ops.trait(op, "common_quant"):
            operands = [_given(n) for n in node.inputs]
            spans = [(self.ranges.lo[out.name], self.ranges.hi[out.name])]
            spans += [_const_range(g.tensors[n], node) if g.tensors[n].is_const
                      else (self.ranges.lo[n], self.ranges.hi[n]) for n in operands]
            lows, highs = zip(*spans)
            out_quant = (activation_quant16 if target == "int16" else activation_quant)(min(lows), max(highs))
            for k, name in enumerate(operands):          # a constant operand: stored in the common quantisation
                if g.tensors[name].is_const:
                    ins[k] = self._const_operand(g.tensors[name], node, target, tensors, out_quant)
            requantized: dict[str, str] = {}        # concat([a, a]): one requantised copy read twice
            for k, name in enumerate(ins):
                if name is None:                    # (none is: common_quant operators have no optional input)
                    continue
                t = tensors[name]
                if name in requantized:
                    ins[k] = requantized[name]
                elif _quant(t).zp != out_quant.zp or _quant(t).s != out_quant.s:
                    req = self.names.fresh(f"{name}/requantized:{node.name}")
                    tensors[req] = Tensor(req, t.shape, target, out_quant)
                    new_nodes.append(quantize_op.node(f"requantize:{req}", name, req))
                    ins[k] = requantized[name] = req
        else:
            # each input keeps its own quantisation: a constant operand (Rescaling's scale and offset,
            # Normalization's mean and 1/std, hard-sigmoid's 3 and 1/6) gets one from its own values
            # (elementwise arithmetic on float operands only: their kernels rescale each input by its own
            # scale; one that copies stored values, as SELECT_V2 or EMBEDDING_LOOKUP, would misread it)
            own = ops.trait(op, "elementwise") and all(g.tensors[n].dtype == "float32" for n in node.inputs if n)
            for k, name in enumerate(node.inputs):
                if name is not None and g.tensors[name].is_const:
                    if not own:
                        raise TinyccError(f"constant operand {name!r} of {op} cannot be quantised yet",
                                          node=node.name, op=op, file=g.source)
                    ins[k] = self._const_operand(g.tensors[name], node, target, tensors)
            out_quant = self._range_quant(out.name, target)
        # every output (SPLIT, UNPACK have several): one quantisation shared with the input, or each its range
        per_output = not (ops.trait(op, "shares_input_quant") or fixed is not None or ops.trait(op, "common_quant"))
        for name in node.outputs:
            t = g.tensors[name]
            add_int8(name, t.shape, self._range_quant(name, target) if per_output else out_quant, dtype=target)
        new_nodes.append(Node(node.name, op, ins, [qname[name] for name in node.outputs], attrs))
        return new_nodes

    def _const_operand(self, t: Tensor, node: Node, target: str, tensors: dict[str, Tensor],
                       quant: Quant | None = None) -> str:
        """The int8 (int16) copy of float constant `t`, as TFLite's converter makes it: per tensor, in `quant`
        (an operator whose operands share one quantisation) or else in its own, asymmetric over [min, max]
        and zero for int8 (the range an activation would get), symmetric for int16. One copy per quantisation."""
        data = np.asarray(t.data, dtype=np.float32)
        if quant is None:
            quant = (activation_quant16 if target == "int16" else activation_quant)(*_const_range(t, node))
        key = (t.name, target, float(quant.s), int(quant.zp))
        if key not in self._constants:
            qlo, qhi = (-32768, 32767) if target == "int16" else (-128, 127)
            q = np.clip(fp.round_half_away(data.astype(np.float64) / float(quant.s)) + quant.zp, qlo, qhi)
            self._constants[key] = name = self.names.fresh(f"{t.name}/{target}")
            tensors[name] = Tensor(name, t.shape, target, quant, q.astype(np.int16 if target == "int16" else np.int8))
        return self._constants[key]

    def _as_dtype(self, float_name: str, current: str, target: str, tensors: dict[str, Tensor],
                  new_nodes: list[Node]) -> str:
        """`current` (the quantised tensor of `float_name`) in `target` dtype, requantising once if needed."""
        if tensors[current].dtype == target:
            return current
        key = (current, target)
        if key not in self._converted:
            name = self.names.fresh(f"{current}/{target}")
            tensors[name] = Tensor(name, tensors[current].shape, target, self._range_quant(float_name, target))
            source = self._float_source.get(current, current)      # quantise a float input directly
            new_nodes.append(quantize_op.node(f"requantize:{name}", source, name))
            self._converted[key] = name
        return self._converted[key]
