"""UNIDIRECTIONAL_SEQUENCE_LSTM as TF Lite Micro runs it (unidirectional_sequence_lstm.cc,
lstm_eval_common.cc, lstm_eval.h): the standard (Keras) LSTM only, over a (B, T, I) input, or
(T, B, I) when time-major, giving every step's hidden state (B, T, S).

TFLM takes int8 activations with int8 weights, int32 biases and an int16 cell state (8x8->16),
int16 activations with int8 weights and int64 biases (16x8->16), and float32. It refuses the
variants (CIFG, peephole, projection, layer norm) and ignores the operator's intermediate
tensors: gate pre-activations are Q3.12 and gate outputs Q0.15 by construction. Gate math:
core/ops/_lstm.py.

State: TFLite keeps the hidden and cell state in variable tensors (inputs 18 and 19) that TFLM
resets when it allocates (the hidden state at its zero point for int8, else 0; the cell state at
0) and that then persist from one invoke to the next. The importer makes them the core inputs
`hidden_state` and `cell_state` (variable tensors: core/graph.py Tensor.variable), which the
reference updates in place and the c backend keeps in its persistent state buffer, so every invoke
continues from the last one, as in TFLM, until a reset. Their shapes and quantisation are also the
attributes below; a core graph made without the two inputs runs every invoke from the reset state
(and the writer makes the variable tensors from the attributes). The kernel's working memory (gates,
and the state when it has no state inputs) is its `scratch_bytes`, planned into the arena.
"""
from __future__ import annotations

import math

import numpy as np

from tinycc.core import fixedpoint as fp
from tinycc.core import quant_limits as ql
from tinycc.core.ops import _lstm, _tflite
from tinycc.core.ops import common as c

NAME = "unidirectional_sequence_lstm"
_WEIGHTS = tuple(f"{src}_to_{gate}_weights" for src in ("input", "recurrent") for gate in _lstm.GATES)
_PEEPHOLE = tuple(f"cell_to_{gate}_weights?" for gate in ("input", "forget", "output"))
_BIASES = tuple(f"{gate}_gate_bias" for gate in _lstm.GATES)
INPUTS = ("input", *_WEIGHTS, *_PEEPHOLE, *_BIASES,          # TFLite inputs 0..15
          "hidden_state?", "cell_state?")                      # TFLite inputs 18, 19: variable tensors
ATTRS = {"cell_activation": "tanh", "cell_clip": 0.0, "proj_clip": 0.0, "time_major": False,
         "asymmetric_quantize_inputs": False,
         "hidden_state_shape": None, "hidden_state_quant": None,    # (scale, zero point), None for float32
         "cell_state_shape": None, "cell_state_dtype": None, "cell_state_quant": None}
DTYPES = ("int8", "int16", "float32")
SIGNATURES = tuple(f"{a}, " + f"{w}, " * 11 + ", ".join([b] * 4) + f", {a}, {cell} -> {a}"
                   for a, w, b, cell in (("int8", "int8", "int32", "int16"),
                                         ("int16", "int8", "int64", "int16"),
                                         ("float32", "float32", "float32", "float32")))
CELL_ACTIVATIONS = {4: "tanh", 6: "sigmoid"}          # TFLM's CalculateLstmGate knows these two only
TANH_POWERS = (-43, 2)     # cell state scale 2^p the int16 tanh's input scaling is defined for (int32, shift <= 31)


def _dims(node, g):
    x = g.tensors[node.inputs[0]]
    if len(x.shape) != 3:
        order = "time, batch" if node.attrs["time_major"] else "batch, time"
        raise c.fail(node, f"input {x.name!r} must be 3-D ({order}, features), got {x.shape}")
    steps, batch = (x.shape[0], x.shape[1]) if node.attrs["time_major"] else (x.shape[1], x.shape[0])
    return batch, steps, x.shape[2]


def _state_dim(node, g) -> int:
    w = g.tensors[node.inputs[2]]          # input_to_forget_weights: (S, I)
    if len(w.shape) != 2:
        raise c.fail(node, f"weights {w.name!r} must be 2-D (state, input), got {w.shape}")
    return w.shape[0]


def infer(node, g):
    batch, steps, _ = _dims(node, g)
    s = _state_dim(node, g)
    x = g.tensors[node.inputs[0]]
    return [(x.shape[0], x.shape[1], s)]


def _check_shapes(node, g, batch, depth, s):
    for k, role in enumerate(INPUTS[1:9], start=1):
        t = g.tensors[node.inputs[k]]
        want = (s, depth if k <= 4 else s)
        if tuple(t.shape) != want:
            raise c.fail(node, f"{role} {t.name!r} has shape {t.shape}, expected {want}")
    for k in range(12, 16):
        t = g.tensors[node.inputs[k]]
        if tuple(t.shape) != (s,):
            raise c.fail(node, f"{INPUTS[k]} {t.name!r} has shape {t.shape}, expected ({s},)")
    a = node.attrs
    hs, cs = a["hidden_state_shape"], a["cell_state_shape"]
    if hs is None or len(hs) != 2 or int(hs[1]) != s or int(np.prod(hs)) != batch * s:
        raise c.fail(node, f"the hidden state has shape {hs}, expected ({batch}, {s})",
                     hint="TF Lite Micro reads the state size from the hidden state's second dimension")
    if cs is None or int(np.prod(cs, dtype=np.int64)) != batch * s:
        raise c.fail(node, f"the cell state has shape {cs}, expected {batch * s} elements")
    for k, what, shape in ((16, "hidden state", hs), (17, "cell state", cs)):
        name = node.inputs[k] if len(node.inputs) > k else None
        if name is None:
            continue
        t = g.tensors[name]
        if not t.variable:
            raise c.fail(node, f"the {what} {name!r} is not a variable tensor",
                         hint="TF Lite Micro keeps the LSTM's state in variable (is_variable) tensors")
        if tuple(t.shape) != tuple(int(d) for d in shape):
            raise c.fail(node, f"the {what} {name!r} has shape {t.shape}, expected {tuple(shape)}")
    if stateful(node) and len([n for n in node.inputs[16:18] if n is not None]) != 2:
        raise c.fail(node, "the LSTM has one of its hidden and cell state inputs, not both")


def stateful(node) -> bool:
    """Whether the node has its state as variable tensor inputs (kept across invokes)."""
    return any(n is not None for n in node.inputs[16:18])


def _check_variants(node, g):
    names = list(node.inputs) + [None] * (len(INPUTS) - len(node.inputs))
    for k in (9, 10, 11):
        if names[k] is not None:
            raise c.fail(node, f"peephole weights {names[k]!r} are given: TF Lite Micro runs the standard LSTM only",
                         hint="convert a Keras LSTM without peepholes")
    for k, role in enumerate(INPUTS):
        if not role.endswith("?") and names[k] is not None and not g.tensors[names[k]].is_const and 0 < k < 16:
            raise c.fail(node, f"{role} {names[k]!r} is not a constant tensor",
                         hint="LSTM weights and biases are constants of the model")


def _mul(in1: float, in2: float, out: float, what: str, zp: int, dtype: str) -> tuple:
    """CreateInterGateMulParams: double(in1) * double(in2) / double(out), the output's clamp."""
    m, s = ql.rescale(float(in1) * float(in2) / float(out), what)
    lo, hi = c.INT_RANGES[dtype]
    return (m, s, zp, lo, hi)


def prepare(node, g):
    dtype = c.check_dtypes(node, g, DTYPES)
    a = node.attrs
    batch, steps, depth = _dims(node, g)
    s = _state_dim(node, g)
    _check_variants(node, g)
    _check_shapes(node, g, batch, depth, s)
    if a["cell_activation"] not in CELL_ACTIVATIONS.values():
        raise c.fail(node, f"cell gate activation {a['cell_activation']!r} is not supported",
                     hint="TF Lite Micro's LSTM takes TANH or SIGMOID")
    clip = float(a["cell_clip"])
    p = {"dtype": dtype, "state": s, "batch": batch, "steps": steps, "depth": depth,
         "time_major": bool(a["time_major"]), "cell_activation": a["cell_activation"],
         "cell_clip": clip if clip > 0 else 0.0}
    cell_dtype = a["cell_state_dtype"]
    if dtype == "float32":
        if cell_dtype != "float32":
            raise c.fail(node, f"a float32 LSTM needs a float32 cell state, got {cell_dtype}")
        c.check_float_weights(node, g)
        return {**p, "hidden_init": 0.0}
    if cell_dtype != "int16":
        raise c.fail(node, f"the cell state is {cell_dtype}; TF Lite Micro's quantised LSTM needs an int16 one")
    hq, cq = a["hidden_state_quant"], a["cell_state_quant"]
    if hq is None or cq is None:
        raise c.fail(node, "the hidden and cell state tensors need quantisation parameters")
    h_scale, h_zp = float(np.float32(hq[0])), int(hq[1])
    c_scale = float(np.float32(cq[0]))
    for what, v in (("hidden state", h_scale), ("cell state", c_scale)):
        if not (math.isfinite(v) and v > 0):
            raise c.fail(node, f"the {what} scale {v} must be a positive finite number", hint=ql.SCALE_HINT)
    lo, hi = c.INT_RANGES[dtype]
    if not lo <= h_zp <= hi:
        raise c.fail(node, f"the hidden state zero point {h_zp} is outside {dtype}")
    x, out = g.tensors[node.inputs[0]], g.tensors[node.outputs[0]]
    wide = dtype == "int16"
    if wide:
        ql.require_int16_zero_point_0((x, out), "(16x8) LSTM")
        if h_zp != 0:
            raise c.fail(node, f"the int16 hidden state has zero point {h_zp}; the 16x8 LSTM requires 0",
                         hint="quantise int16 tensors with zero point 0 (the TFLite 16x8 scheme)")
    power = fp.checked_log2(c_scale)[0]      # TFLM's CheckedLog2 (its result, exact or not)
    if not TANH_POWERS[0] <= power <= TANH_POWERS[1]:
        raise c.fail(node, f"the cell state scale {c_scale:g} (2^{power}) is outside 2^{TANH_POWERS[0]}.."
                           f"2^{TANH_POWERS[1]}, where TF Lite Micro's int16 tanh of the cell state is defined",
                     hint=ql.SCALE_HINT)
    gate_scale = float(np.float32(0.00024414062))        # Q3.12, as TFLM spells 2^-12
    gate_out = 2.0 ** -15                                # Q0.15, exactly as TFLM's nonlinear_output_scale
    in_mult, in_shift, rec_mult, rec_shift = [], [], [], []
    for k in range(4):
        for src, scale, mults, shifts, idx in (("input", x.quant.s, in_mult, in_shift, 1 + k),
                                              ("hidden state", h_scale, rec_mult, rec_shift, 5 + k)):
            w = g.tensors[node.inputs[idx]]
            if w.quant is None or w.dtype != "int8":
                raise c.fail(node, f"{dtype} LSTM needs int8 quantised weights, {w.name!r} is {w.dtype}")
            if w.quant.per_channel:
                raise c.fail(node, f"weights {w.name!r} are quantised per channel",
                             hint="TF Lite Micro's LSTM takes per-tensor weight scales only")
            if w.quant.zp != 0:
                raise c.fail(node, f"weights {w.name!r} have zero point {w.quant.zp}; TF Lite Micro requires 0")
            # in double, as TFLM's Prepare multiplies the two float scales (a float32 product moves the
            # multiplier by an ulp, which the 16x8 kernels' 16-bit rounding of it can turn into an LSB)
            product = float(np.float32(scale)) * float(np.float32(w.quant.s))
            m_, s_ = ql.rescale(product / gate_scale, f"{src} scale x {ql.tensor_scale(w)} / 2^-12", wide)
            mults.append(m_)
            shifts.append(s_)
    if wide:
        for k in range(4):
            ql.check_wide_bias(g.tensors[node.inputs[12 + k]], depth, "LSTM")
    tanh_mult, tanh_shift = _lstm.tanh_input_scaling(power)
    q_clip = int(np.trunc(min(max(clip / c_scale, -32768.0), 32767.0))) if clip > 0 else 0
    return {**p, "input_zp": x.quant.zp, "hidden_zp": h_zp, "hidden_init": h_zp if dtype == "int8" else 0,
            "in_mult": in_mult, "in_shift": in_shift, "rec_mult": rec_mult, "rec_shift": rec_shift,
            "forget_mul": _mul(gate_out, c_scale, c_scale, "2^-15 x cell scale / cell scale", 0, "int16"),
            "input_mul": _mul(gate_out, gate_out, c_scale, "2^-15 x 2^-15 / cell scale", 0, "int16"),
            "output_mul": _mul(gate_out, gate_out, h_scale, "2^-15 x 2^-15 / hidden state scale", h_zp, dtype),
            "cell_power": power, "tanh_mult": tanh_mult, "tanh_shift": tanh_shift, "quantized_cell_clip": q_clip}


def run(node, g, inputs, p):
    x = inputs[0]
    w_in, w_rec = inputs[1:5], inputs[5:9]
    biases = inputs[12:16]
    state = inputs[16:18] if len(inputs) > 17 and inputs[16] is not None else None
    return [_lstm.run_sequence(p, x, w_in, w_rec, biases, state)]


def macs(node, g):
    x = g.tensors[node.inputs[0]]
    s = _state_dim(node, g)
    rows = x.shape[0] * x.shape[1]
    return rows * 4 * s * (x.shape[2] + s)


def scratch_bytes(node, g) -> int:
    """Working memory of one invoke: three gate buffers of a step's rows (the output gate reuses the
    input gate's), and without state inputs the cell state and the hidden state."""
    batch, _, _ = _dims(node, g)
    s = _state_dim(node, g)
    act = np.dtype(g.tensors[node.inputs[0]].dtype).itemsize
    cell = 4 if act == 4 else 2
    rows = batch if node.attrs["time_major"] else 1
    if stateful(node):
        return 3 * rows * s * cell
    return (3 * rows + batch) * s * cell + batch * s * act


def _tflite_read(ctx) -> dict:
    o = ctx.o
    code = int(getattr(o, "fusedActivationFunction", 0)) if o is not None else 0
    if code not in CELL_ACTIVATIONS:
        raise ctx.fail(f"cell gate activation {ctx.enum_name('ActivationFunctionType', code)} is not supported",
                       hint="TF Lite Micro's LSTM takes TANH (4) or SIGMOID (6)")
    for k, what in ((16, "projection weights"), (17, "projection bias"), (20, "input layer norm coefficients"),
                    (21, "forget layer norm coefficients"), (22, "cell layer norm coefficients"),
                    (23, "output layer norm coefficients")):
        if ctx.input(k) is not None:
            raise ctx.fail(f"the LSTM has {what}: TF Lite Micro runs the standard LSTM only",
                           hint="convert a Keras LSTM without projection or layer normalisation")
    for k in range(1, 9):
        if ctx.input(k) is None:
            raise ctx.fail(f"the LSTM's input #{k} ({INPUTS[k]}) is missing (a CIFG LSTM?): TF Lite Micro runs "
                           "the standard LSTM only")
    hidden, cell = ctx.input(18), ctx.input(19)
    if hidden is None or cell is None:
        raise ctx.fail("the LSTM's hidden and cell state inputs (#18, #19) must be given")

    def quant(t):
        return None if t.quant is None else (float(t.quant.scale[0]), int(t.quant.zero_point[0]))
    if hidden.dtype != ctx.x.dtype:
        raise ctx.fail(f"the hidden state {hidden.name!r} is {hidden.dtype}, the input {ctx.x.dtype}",
                       hint="TF Lite Micro requires the same type")
    return {"cell_activation": CELL_ACTIVATIONS[code],
            "cell_clip": float(getattr(o, "cellClip", 0.0)) if o is not None else 0.0,
            "proj_clip": float(getattr(o, "projClip", 0.0)) if o is not None else 0.0,
            "time_major": bool(getattr(o, "timeMajor", False)) if o is not None else False,
            "asymmetric_quantize_inputs": bool(getattr(o, "asymmetricQuantizeInputs", False)) if o else False,
            "hidden_state_shape": tuple(hidden.shape), "hidden_state_quant": quant(hidden),
            "cell_state_shape": tuple(cell.shape), "cell_state_dtype": cell.dtype, "cell_state_quant": quant(cell)}


def _tflite_write(ctx, node, inputs):
    from tinycc.core.graph import Quant, Tensor
    a = node.attrs
    opt = ctx.options()
    opt.fusedActivationFunction = {v: k for k, v in CELL_ACTIVATIONS.items()}[a["cell_activation"]]
    opt.cellClip, opt.projClip = float(a["cell_clip"]), float(a["proj_clip"])
    opt.timeMajor = bool(a["time_major"])
    opt.asymmetricQuantizeInputs = bool(a["asymmetric_quantize_inputs"])

    def state(what, shape, dtype, q):
        quant = None if q is None else Quant(np.array([q[0]], np.float32), np.array([q[1]], np.int64))
        return ctx.variable(Tensor(f"{node.name}/{what}", tuple(int(d) for d in shape), dtype, quant))
    ins = list(inputs) + [-1] * (18 - len(inputs))
    if ins[16] != -1 and ins[17] != -1:            # the graph's own variable tensors
        hidden, cell = ins[16], ins[17]
    else:
        hidden = state("hidden_state", a["hidden_state_shape"], ctx.x.dtype, a["hidden_state_quant"])
        cell = state("cell_state", a["cell_state_shape"], a["cell_state_dtype"], a["cell_state_quant"])
    return ctx.builtin, opt, [*ins[:16], -1, -1, hidden, cell, -1, -1, -1, -1]


TFLITE = _tflite.TFLite("UNIDIRECTIONAL_SEQUENCE_LSTM", "UnidirectionalSequenceLSTMOptions", read=_tflite_read,
                        write=_tflite_write, operands=16, fused_activation=False,
                        inputs=(*range(16), 18, 19))
