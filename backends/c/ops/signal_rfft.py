"""C emitter for SignalRfft. int16 / int32: twiddles and factors from prepare as flash tables; the
FFT's work buffers are `static` arrays of the generated code (the c backend has no kernel scratch in
the arena yet): 8 x fft_length bytes (int16), 16 x fft_length (int32). float32: a cos/sin table of
fft_length pairs in flash (kernels/reference/signal_fft32.h)."""
from __future__ import annotations

import numpy as np

from tinycc.backends.c.ops._signal_common import HEADER


def emit(node, m, p):
    m.use_kernel(HEADER)
    m.use_kernel("signal_fft.h")
    dtype = p.get("dtype", "int16")
    x, y = m.ptr(node.inputs[0], const=True), m.ptr(node.outputs[0])
    n = p["fft_length"] // 2
    if dtype == "float32":
        m.use_kernel("signal_fft32.h")
        phase = 2 * np.pi * np.arange(p["fft_length"]) / p["fft_length"]
        cs = m.const_array(np.stack([np.cos(phase), np.sin(phase)], axis=1).astype(np.float32).reshape(-1),
                           "fft_cos_sin", comment=f"{node.name} cos/sin of 2 pi j / {p['fft_length']}")
        m.emit(f"tinycc_signal_rfft_f32({p['frames']}, {p['frame']}, {p['fft_length']}, {cs}, {x}, {y});")
        return
    np_t, c_t, fn = (np.int16, "tinycc_cpx16", "tinycc_signal_rfft_s16") if dtype == "int16" else \
        (np.int32, "tinycc_cpx32", "tinycc_signal_rfft_s32")
    if dtype == "int32":
        m.use_kernel("signal_fft32.h")
    factors = m.const_array(np.asarray(p["factors"], dtype=np.int32), "fft_factors", comment=f"{node.name} factors")
    tw = m.const_array(np.asarray(p["twiddles"], dtype=np_t).reshape(-1), "fft_twiddles",
                       comment=f"{node.name} twiddles")
    stw = m.const_array(np.asarray(p["super_twiddles"] or [(0, 0)], dtype=np_t).reshape(-1),
                        "fft_super_twiddles", comment=f"{node.name} real-FFT twiddles")
    work, frame = m.namer(f"{m.prefix}_fft_work"), m.namer(f"{m.prefix}_fft_frame")
    m.local(f"static {c_t} {work}[{n}], {frame}[{n}];   /* {node.name}: FFT work buffers */")
    m.emit(f"{fn}({p['frames']}, {p['frame']}, {n}, {factors}, {tw}, {stw}, {x}, {y}, {work}, {frame});")
