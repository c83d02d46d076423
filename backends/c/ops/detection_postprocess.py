"""C emitter for TFLite_Detection_PostProcess (kernels/reference/detection_postprocess.h): the options
as two flash arrays (int32 and float32), the anchors from flash, the work buffers in the node's
scratch planned in the arena (core/ops/detection_postprocess.py scratch_bytes). An empty decoded box
makes NAME_invoke return NAME_ERROR_INVALID_BOXES (backends/c/status.py) before any output is
written, as TFLM fails the invoke."""
from __future__ import annotations

import numpy as np

from tinycc.backends.c import status


def emit(node, m, p):
    m.use_kernel("detection_postprocess.h")
    m.needs_math = True
    cfg = m.const_array(np.asarray([p["boxes"], p["stride"], p["columns"], p["num_classes"], p["label_offset"],
                                    p["max_detections"], p["categories"], p["detections_per_class"],
                                    int(p["regular"]), p["outputs"]], dtype=np.int32),
                        "detpp_cfg", comment=f"{node.name}: boxes, stride, columns, classes, label offset, "
                                             "max detections, categories, per class, regular, outputs")
    fcfg = m.const_array(np.asarray([p["score_threshold"], p["iou_threshold"], *p["scales"]], dtype=np.float32),
                         "detpp_fcfg", comment=f"{node.name}: score and IoU thresholds, y/x/h/w scales")
    ins = ", ".join(m.ptr(n, const=True) for n in node.inputs)
    outs = ", ".join(m.ptr(n) for n in node.outputs)
    m.program["status"].add("INVALID_BOXES")
    m.emit(f"if (tinycc_detection_postprocess({cfg}, {fcfg}, {ins}, {outs}, {m.scratch(node)}) != 0) "
           f"return {status.INVALID_BOXES};   /* {m.prefix.upper()}_ERROR_INVALID_BOXES */")
