"""C emitter for SignalFilterBankSpectralSubtraction. TFLM keeps the noise estimate in the kernel's
persistent buffer; the c backend has no persistent buffer yet, so it is a `static` array of the
generated code, zero at program start as TFLM's Prepare leaves it (one model instance per
program; there is no reset entry point)."""
from __future__ import annotations

from tinycc.backends.c.ops._signal_common import HEADER


def emit(node, m, p):
    m.use_kernel(HEADER)
    n = p["num_channels"]
    state = m.namer(f"{m.prefix}_noise_estimate")
    m.local(f"static uint32_t {state}[{n}];   /* {node.name}: TFLM's persistent noise estimate */")
    cfg = m.struct("tinycc_signal_subtraction", f"{node.name}_subtraction",
                   [p["smoothing"], p["one_minus_smoothing"], p["alternate_smoothing"],
                    p["alternate_one_minus_smoothing"], p["min_signal_remaining"], p["smoothing_bits"],
                    p["spectral_subtraction_bits"], int(p["clamping"])])
    y, noise = node.outputs
    m.emit(f"tinycc_signal_spectral_subtraction({n}, &{cfg}, {m.ptr(node.inputs[0], const=True)}, {state}, "
           f"{m.ptr(y)}, {m.ptr(noise)});")
