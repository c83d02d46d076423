"""SignalFilterBankSpectralSubtraction (TFLM signal library, custom operator): subtracts a running
noise estimate from each uint32 filter-bank channel (signal/src/filter_bank_spectral_subtraction.cc)
and outputs the result and the updated estimate.

Per channel i (even channels use smoothing / one_minus_smoothing, odd ones the alternate pair):
  scaled = x << smoothing_bits (uint32); noise = (uint64 scaled * s + uint64 noise * (1 - s)) >>
  spectral_subtraction_bits (uint32); the estimate used is min(noise, scaled) (stored back when
  clamping); floor = (uint64 x * min_signal_remaining) >> spectral_subtraction_bits; output =
  max((scaled - estimate) >> smoothing_bits, floor).
State: TFLM keeps the noise estimate in the kernel's persistent buffer (zero at Prepare and Reset),
not in a tensor: `initial_state` declares it (num_channels uint32), which the reference keeps as
params["state"] (core/interpreter.py reset_node_state) and the c backend in the model's persistent
state buffer (core/planner.py kernel_state), zeroed by NAME_reset(). num_channels must be
the channel count (TFLM loops over it and copies that many estimates); smoothing_bits a uint32
shift in [0, 31], spectral_subtraction_bits a uint64 shift in [0, 63]."""
from __future__ import annotations

import numpy as np

from tinycc.core.ops import _signal
from tinycc.core.ops import common as c

NAME = "signal_filter_bank_spectral_subtraction"
INPUTS = ("input",)
KEYS = ("alternate_one_minus_smoothing", "alternate_smoothing", "clamping", "min_signal_remaining", "num_channels",
        "one_minus_smoothing", "smoothing", "smoothing_bits", "spectral_subtraction_bits")
ATTRS = {k: 0 for k in KEYS} | {"clamping": False}
DTYPES = ("uint32",)
SIGNATURES = ("uint32 -> uint32, uint32",)
RAW_INTEGERS = True
ORDERED = True                # stateful (kernel state): never folded nor dropped
TFLITE = _signal.codec("SignalFilterBankSpectralSubtraction", KEYS, bools=("clamping",))
U32 = ("alternate_one_minus_smoothing", "alternate_smoothing", "min_signal_remaining", "one_minus_smoothing",
       "smoothing")


def infer(node, g):
    x = g.tensors[node.inputs[0]]
    _signal.rank(node, x, want=1)
    return [x.shape, x.shape]


def prepare(node, g):
    x = g.tensors[node.inputs[0]]
    n = _signal.int_attr(node, "num_channels")
    if n != x.size:
        raise c.fail(node, f"option num_channels {n} is not the input's {x.size} channels",
                     hint="TF Lite Micro's noise estimate holds num_channels values")
    clamping = node.attrs.get("clamping")
    if not isinstance(clamping, (bool, np.bool_, int, np.integer)):
        raise c.fail(node, f"option clamping {clamping!r} must be a boolean")
    p = {k: _signal.int_attr(node, k) & 0xFFFFFFFF for k in U32}
    p["smoothing_bits"] = _signal.int_attr(node, "smoothing_bits", 0, 31, "a uint32 shift")
    p["spectral_subtraction_bits"] = _signal.int_attr(node, "spectral_subtraction_bits", 0, 63, "a uint64 shift")
    p["clamping"] = bool(clamping)
    p["num_channels"] = n
    return p


def initial_state(node, g, p):
    """TFLM's ResetState: a zero noise estimate."""
    return np.zeros(p["num_channels"], dtype=np.uint32)


def run(node, g, inputs, p):
    x = inputs[0].astype(np.uint64)
    state = p["state"]
    noise = state.astype(np.uint64)
    n = p["num_channels"]
    odd = (np.arange(n) & 1).astype(bool)
    s = np.where(odd, p["alternate_smoothing"], p["smoothing"]).astype(np.uint64)
    oms = np.where(odd, p["alternate_one_minus_smoothing"], p["one_minus_smoothing"]).astype(np.uint64)
    sb, ssb = np.uint64(p["smoothing_bits"]), np.uint64(p["spectral_subtraction_bits"])
    mask = np.uint64(0xFFFFFFFF)
    with np.errstate(over="ignore"):
        scaled = (x << sb) & mask
        noise[:] = ((scaled * s + noise * oms) >> ssb) & mask
        estimate = np.minimum(noise, scaled)
        if p["clamping"]:
            noise[:] = estimate
        floor = ((x * np.uint64(p["min_signal_remaining"])) >> ssb) & mask
        out = np.maximum((scaled - estimate) >> sb, floor)
    state[:] = noise.astype(np.uint32)
    return [out.astype(np.uint32), noise.astype(np.uint32)]
