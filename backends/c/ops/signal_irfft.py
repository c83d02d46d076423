"""C emitter for SignalIrfft. int16 / int32: factors and inverse twiddles from prepare as flash tables, the
KISS FFT of kernels/reference/signal_kissfft.h instantiated for the type (units signal_fft_s16.h /
_s32.h); its one work buffer, the split spectrum (fft_length / 2 complex values), is the node's planned
scratch (core/ops/_signal.fft_scratch_bytes), the inverse FFT writes the output directly. float32: a
cos/sin table of fft_length pairs in flash (kernels/reference/signal_dft_f32.h)."""
from __future__ import annotations

import numpy as np


def emit(node, m, p):
    x, y = m.ptr(node.inputs[0], const=True), m.ptr(node.outputs[0])
    n = p["fft_length"]
    if p["dtype"] == "float32":
        m.use_kernel("signal_dft_f32.h")
        phase = 2 * np.pi * np.arange(n) / n
        cs = m.const_array(np.stack([np.cos(phase), np.sin(phase)], axis=1).astype(np.float32).reshape(-1),
                           "ifft_cos_sin", comment=f"{node.name} cos/sin of 2 pi j / {n}")
        m.emit(f"tinycc_signal_irfft_f32({p['frames']}, {n}, {cs}, {x}, {y});")
        return
    bits = 16 if p["dtype"] == "int16" else 32
    m.use_kernel(f"signal_fft_s{bits}.h")
    np_t = np.int16 if bits == 16 else np.int32
    factors = m.const_array(np.asarray(p["factors"], dtype=np.int32), "ifft_factors", comment=f"{node.name} factors")
    tw = m.const_array(np.asarray(p["twiddles"], dtype=np_t).reshape(-1), "ifft_twiddles",
                       comment=f"{node.name} inverse twiddles")
    stw = m.const_array(np.asarray(p["super_twiddles"] or [(0, 0)], dtype=np_t).reshape(-1),
                        "ifft_super_twiddles", comment=f"{node.name} inverse real-FFT twiddles")
    tmp = m.scratch(node, f"tinycc_cpx{bits}")
    m.emit(f"tinycc_signal_irfft_s{bits}({p['frames']}, {n // 2}, {factors}, {tw}, {stw}, {x}, {y}, {tmp});")
