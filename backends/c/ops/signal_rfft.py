"""C emitter for SignalRfft (int16): twiddles and factors from prepare as flash tables; the FFT's
work buffers are `static` arrays of the generated code (the c backend has no kernel scratch in
the arena yet): 8 x fft_length bytes."""
from __future__ import annotations

import numpy as np

from tinycc.backends.c.ops._signal_common import HEADER


def emit(node, m, p):
    m.use_kernel(HEADER)
    m.use_kernel("signal_fft.h")
    n = p["fft_length"] // 2
    factors = m.const_array(np.asarray(p["factors"], dtype=np.int32), "fft_factors", comment=f"{node.name} factors")
    tw = m.const_array(np.asarray(p["twiddles"], dtype=np.int16).reshape(-1), "fft_twiddles",
                       comment=f"{node.name} twiddles")
    stw = m.const_array(np.asarray(p["super_twiddles"] or [(0, 0)], dtype=np.int16).reshape(-1),
                        "fft_super_twiddles", comment=f"{node.name} real-FFT twiddles")
    work, frame = m.namer(f"{m.prefix}_fft_work"), m.namer(f"{m.prefix}_fft_frame")
    m.local(f"static tinycc_cpx16 {work}[{n}], {frame}[{n}];   /* {node.name}: FFT work buffers */")
    m.emit(f"tinycc_signal_rfft_s16({p['frames']}, {p['frame']}, {n}, {factors}, {tw}, {stw}, "
           f"{m.ptr(node.inputs[0], const=True)}, {m.ptr(node.outputs[0])}, {work}, {frame});")
