"""SVDF: a rank-`rank` singular-value-decomposition filter over time, with a persistent state.

Inputs: input (batch, input_size), weights_feature (num_filters, input_size), weights_time
(num_filters, memory_size), bias (num_units = num_filters / rank), and the state (batch,
num_filters * memory_size), a variable tensor (core/graph.py Tensor.variable) this op updates in
place on every invocation. Per invocation, as TFLM's reference kernels (svdf_common.cc):
1. every filter's memory shifts one step to the past (the oldest value drops out);
2. the newest slot gets the feature projection weights_feature @ input: int8 accumulates
   w * (x - input_zp) in int32, rescales by input x feature / state scale (double rounding),
   saturates to the state type (int16 or int8), then adds the state zero point, the sum narrowed
   (wrapping) into the state as the installed TFLM does;
3. per filter, the time projection sum_j weights_time[f, j] * (state[f, j] - state_zp) in int32;
4. per unit, bias + the sum of its `rank` filters, rescaled by state x time / output scale, +
   output_zp, saturated to int8. Float32 computes the same in float and applies the fused
   activation; TFLM's integer kernels ignore the fused activation, and so does this one.
TFLM's Prepare reads the bias unconditionally (int8: its scale; float: its data): it is required.
"""
from __future__ import annotations

import numpy as np

from tinycc.core import fixedpoint as fp
from tinycc.core import quant_limits as ql
from tinycc.core.ops import _tflite
from tinycc.core.ops import common as c

NAME = "svdf"
INPUTS = ("input", "weights_feature", "weights_time", "bias", "state")
ATTRS = {"rank": 1, "activation": "none"}
DTYPES = ("int8", "float32")
SIGNATURES = ("int8, int8, int16, int32, int16 -> int8",       # input, feature, time, bias, state -> output
              "int8, int8, int8, int32, int8 -> int8",
              "float32, float32, float32, float32, float32 -> float32")
STATE_RANGES = {"int16": (-32768, 32767), "int8": (-128, 127)}


def dims(node, g) -> tuple[int, int, int, int, int, int]:
    """(batch, input_size, num_filters, num_units, memory_size, rank)."""
    x, wf, wt = (g.tensors[n] for n in node.inputs[:3])
    rank = node.attrs["rank"]
    return x.shape[0], x.shape[1], wf.shape[0], wf.shape[0] // rank, wt.shape[1], rank


def infer(node, g):
    ins, _ = c.tensors(node, g)
    x, wf, wt, bias, state = ins
    rank = node.attrs["rank"]
    if not isinstance(rank, (int, np.integer)) or isinstance(rank, bool) or rank < 1:
        raise c.fail(node, f"rank {rank!r} must be a positive integer", hint="TF Lite Micro divides by it")
    for t, what in ((x, "input"), (wf, "weights_feature"), (wt, "weights_time"), (state, "state")):
        if len(t.shape) != 2:
            raise c.fail(node, f"{what} {t.name!r} must be 2-D, got shape {t.shape}")
    batch, size = x.shape
    filters, memory = wt.shape
    if wf.shape != (filters, size):
        raise c.fail(node, f"weights_feature {wf.name!r} has shape {wf.shape}, expected ({filters}, {size}) "
                           "(num_filters of weights_time, input size)")
    if filters % rank:
        raise c.fail(node, f"rank {rank} does not divide the {filters} filters")
    units = filters // rank
    if bias.size != units or len(bias.shape) != 1:
        raise c.fail(node, f"bias {bias.name!r} has shape {bias.shape}, expected ({units},) (num_units)")
    if state.shape != (batch, memory * filters):
        raise c.fail(node, f"state {state.name!r} has shape {state.shape}, expected ({batch}, {memory * filters}) "
                           "(batch, memory_size x num_filters)")
    if not state.variable:
        raise c.fail(node, f"state {state.name!r} is not a variable tensor",
                     hint="TF Lite Micro requires the SVDF state to be a variable (is_variable) tensor")
    return [(batch, units)]


def prepare(node, g):
    dtype = c.check_dtypes(node, g, DTYPES)
    ins, (out,) = c.tensors(node, g)
    x, wf, wt, bias, state = ins
    if dtype == "float32":
        c.check_float_weights(node, g)
        return {"dtype": dtype}
    for t in (wf, wt, bias, state):
        if t.quant is None:
            raise c.fail(node, f"tensor {t.name!r} ({t.dtype}) has no quantisation parameters")
        if t.quant.scale.size != 1:
            raise c.fail(node, f"tensor {t.name!r} has {t.quant.scale.size} per-channel scales",
                         hint="TF Lite Micro's SVDF reads one scale per tensor")
    f32 = np.float32
    with np.errstate(over="ignore", under="ignore", divide="ignore", invalid="ignore"):
        # TFLM multiplies and divides the float scales in float32, then widens to double
        scale_1 = float(f32(x.quant.s) * f32(wf.quant.s) / f32(state.quant.s))
        time_scale = f32(state.quant.s) * f32(wt.quant.s)
        scale_2 = float(time_scale / f32(out.quant.s))
    if not abs(float(bias.quant.s) - float(time_scale)) < 1e-5:
        raise c.fail(node, f"bias {bias.name!r} scale {float(bias.quant.s):g} is not state scale x time weights "
                           f"scale ({float(time_scale):g}) to 1e-5",
                     hint="TF Lite Micro refuses such a model (svdf_common.cc PrepareSvdf)")
    m1, s1 = ql.rescale(scale_1, f"{ql.tensor_scale(x)} x {ql.tensor_scale(wf)} / {ql.tensor_scale(state)}")
    m2, s2 = ql.rescale(scale_2, f"{ql.tensor_scale(state)} x {ql.tensor_scale(wt)} / {ql.tensor_scale(out)}")
    return {"dtype": dtype, "state_dtype": state.dtype, "input_zp": x.quant.zp, "state_zp": state.quant.zp,
            "output_zp": out.quant.zp, "multiplier_1": m1, "shift_1": s1, "multiplier_2": m2, "shift_2": s2}


def run(node, g, inputs, p):
    x, wf, wt, bias, state = inputs
    batch, _, filters, units, memory, rank = dims(node, g)
    mem = state.reshape(batch, filters, memory)          # a view: the state is updated in place
    mem[:, :, :-1] = mem[:, :, 1:].copy()
    if p["dtype"] == "float32":
        mem[:, :, -1] = (x.astype(np.float64) @ wf.astype(np.float64).T).astype(np.float32)
        time = (mem.astype(np.float64) * wt.astype(np.float64)).sum(axis=2)
        y = bias.astype(np.float64) + time.reshape(batch, units, rank).sum(axis=2)
        return [c.apply_float_activation(y.astype(np.float32), node.attrs["activation"])]
    lo, hi = STATE_RANGES[p["state_dtype"]]
    dot = fp.wrap32((x.astype(np.int64) - p["input_zp"]) @ wf.astype(np.int64).T)
    scaled = np.clip(fp.multiply_by_quantized_multiplier(dot, p["multiplier_1"], p["shift_1"]), lo, hi)
    mem[:, :, -1] = (scaled.astype(np.int64) + p["state_zp"]).astype(p["state_dtype"])   # narrowed: wraps
    time = fp.wrap32(((mem.astype(np.int64) - p["state_zp"]) * wt.astype(np.int64)).sum(axis=2))
    acc = fp.wrap32(bias.astype(np.int64) + time.reshape(batch, units, rank).astype(np.int64).sum(axis=2))
    y = fp.wrap32(fp.multiply_by_quantized_multiplier(acc, p["multiplier_2"], p["shift_2"]).astype(np.int64)
                  + p["output_zp"])
    return [np.clip(y, -128, 127).astype(np.int8)]


def macs(node, g):
    batch, size, filters, _, memory, _ = dims(node, g)
    return batch * filters * (size + memory)


def _tflite_read(ctx) -> dict:
    if bool(getattr(ctx.o, "asymmetricQuantizeInputs", False)):
        raise ctx.fail("asymmetric input quantisation (a hybrid SVDF) is not supported",
                       hint="TF Lite Micro runs float32 and int8 SVDF layers only")
    return {"rank": int(ctx.o.rank), "activation": ctx.activation}


def _tflite_write(ctx, node, inputs):
    opt = ctx.options()
    opt.rank = int(node.attrs["rank"])
    opt.fusedActivationFunction = ctx.activation_code
    return ctx.builtin, opt, inputs


TFLITE = _tflite.TFLite("SVDF", "SVDFOptions", required=True, read=_tflite_read, write=_tflite_write)
