"""C emitter for SignalFilterBankSpectralSubtraction. TFLM keeps the noise estimate in the kernel's
persistent buffer; here it is the node's kernel state in the model's persistent state buffer
(core/planner.py kernel_state: num_channels uint32), zero after NAME_reset() as after TFLM's Reset."""
from __future__ import annotations

from tinycc.backends.c.emitter import node_state_ptrs
from tinycc.backends.c.ops._signal_common import HEADER


def emit(node, m, p):
    m.use_kernel(HEADER)
    n = p["num_channels"]
    state, = node_state_ptrs(m, node)
    cfg = m.struct("tinycc_signal_subtraction", f"{node.name}_subtraction",
                   [p["smoothing"], p["one_minus_smoothing"], p["alternate_smoothing"],
                    p["alternate_one_minus_smoothing"], p["min_signal_remaining"], p["smoothing_bits"],
                    p["spectral_subtraction_bits"], int(p["clamping"])])
    y, noise = node.outputs
    m.emit(f"tinycc_signal_spectral_subtraction({n}, &{cfg}, {m.ptr(node.inputs[0], const=True)}, {state}, "
           f"{m.ptr(y)}, {m.ptr(noise)});")
