"""C emitter for SignalIrfft. int16 / int32: factors and inverse twiddles from prepare as flash tables, the
FFT's work buffers `static` arrays of the generated code (8 x fft_length bytes; the c backend has no
kernel scratch in the arena yet; 16 x fft_length for int32). float32: a cos/sin table of fft_length pairs in flash."""
from __future__ import annotations

import numpy as np

from tinycc.backends.c.ops._signal_common import HEADER


def emit(node, m, p):
    x, y = m.ptr(node.inputs[0], const=True), m.ptr(node.outputs[0])
    n = p["fft_length"]
    if p["dtype"] == "float32":
        m.use_kernel(HEADER)
        m.use_kernel("signal_fft.h")
        m.use_kernel("signal_ifft.h")
        phase = 2 * np.pi * np.arange(n) / n
        cs = m.const_array(np.stack([np.cos(phase), np.sin(phase)], axis=1).astype(np.float32).reshape(-1),
                           "ifft_cos_sin", comment=f"{node.name} cos/sin of 2 pi j / {n}")
        m.emit(f"tinycc_signal_irfft_f32({p['frames']}, {n}, {cs}, {x}, {y});")
        return
    m.use_kernel(HEADER)
    m.use_kernel("signal_fft.h")
    m.use_kernel("signal_ifft.h")
    half = n // 2
    if p["dtype"] == "int32":
        m.use_kernel("signal_fft32.h")
    np_t, c_t, fn = (np.int16, "tinycc_cpx16", "tinycc_signal_irfft_s16") if p["dtype"] == "int16" else \
        (np.int32, "tinycc_cpx32", "tinycc_signal_irfft_s32")
    factors = m.const_array(np.asarray(p["factors"], dtype=np.int32), "ifft_factors", comment=f"{node.name} factors")
    tw = m.const_array(np.asarray(p["twiddles"], dtype=np_t).reshape(-1), "ifft_twiddles",
                       comment=f"{node.name} inverse twiddles")
    stw = m.const_array(np.asarray(p["super_twiddles"] or [(0, 0)], dtype=np_t).reshape(-1),
                        "ifft_super_twiddles", comment=f"{node.name} inverse real-FFT twiddles")
    tmp, work = m.namer(f"{m.prefix}_ifft_tmp"), m.namer(f"{m.prefix}_ifft_work")
    m.local(f"static {c_t} {tmp}[{half}], {work}[{half}];   /* {node.name}: FFT work buffers */")
    m.emit(f"{fn}({p['frames']}, {half}, {factors}, {tw}, {stw}, {x}, {y}, {tmp}, {work});")
