"""C emitter for SignalRfft. int16 / int32: twiddles and factors from prepare as flash tables, the KISS FFT
of kernels/reference/signal_kissfft.h instantiated for the type (units signal_fft_s16.h / _s32.h); its
one work buffer, the packed frame (fft_length / 2 complex values), is the node's planned scratch
(core/ops/_signal.fft_scratch_bytes), the FFT itself works in the output. float32: a cos/sin table of
fft_length pairs in flash (kernels/reference/signal_dft_f32.h)."""
from __future__ import annotations

import numpy as np


def emit(node, m, p):
    dtype = p.get("dtype", "int16")
    x, y = m.ptr(node.inputs[0], const=True), m.ptr(node.outputs[0])
    if dtype == "float32":
        m.use_kernel("signal_dft_f32.h")
        phase = 2 * np.pi * np.arange(p["fft_length"]) / p["fft_length"]
        cs = m.const_array(np.stack([np.cos(phase), np.sin(phase)], axis=1).astype(np.float32).reshape(-1),
                           "fft_cos_sin", comment=f"{node.name} cos/sin of 2 pi j / {p['fft_length']}")
        m.emit(f"tinycc_signal_rfft_f32({p['frames']}, {p['frame']}, {p['fft_length']}, {cs}, {x}, {y});")
        return
    bits = 16 if dtype == "int16" else 32
    m.use_kernel(f"signal_fft_s{bits}.h")
    np_t = np.int16 if bits == 16 else np.int32
    factors = m.const_array(np.asarray(p["factors"], dtype=np.int32), "fft_factors", comment=f"{node.name} factors")
    tw = m.const_array(np.asarray(p["twiddles"], dtype=np_t).reshape(-1), "fft_twiddles",
                       comment=f"{node.name} twiddles")
    stw = m.const_array(np.asarray(p["super_twiddles"] or [(0, 0)], dtype=np_t).reshape(-1),
                        "fft_super_twiddles", comment=f"{node.name} real-FFT twiddles")
    frame = m.scratch(node, f"tinycc_cpx{bits}")
    m.emit(f"tinycc_signal_rfft_s{bits}({p['frames']}, {p['frame']}, {p['fft_length'] // 2}, {factors}, {tw}, "
           f"{stw}, {x}, {y}, {frame});")
