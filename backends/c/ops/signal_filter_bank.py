"""C emitter for SignalFilterBank: the checked channel tables from prepare as flash arrays."""
from __future__ import annotations

import numpy as np

from tinycc.backends.c.ops._signal_common import HEADER


def emit(node, m, p):
    m.use_kernel(HEADER)
    x, w, uw = node.inputs[:3]
    tables = [m.const_array(np.asarray(p[k], dtype=np.int16), f"{k}", comment=f"{node.name} {k}")
              for k in ("freq_starts", "weight_starts", "widths")]
    m.emit(f"tinycc_signal_filter_bank({p['num_channels']}, {m.ptr(x, const=True)}, {m.ptr(w, const=True)}, "
           f"{m.ptr(uw, const=True)}, {', '.join(tables)}, {m.ptr(node.outputs[0])});")
