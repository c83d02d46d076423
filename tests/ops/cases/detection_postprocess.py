"""TFLite_Detection_PostProcess cases: random SSD heads (boxes 1..24, classes 1..4 with or without a
background column, fast or regular NMS, random thresholds and scales) over constant anchors with
positive sizes; the box encodings and class predictions are the model's inputs (uniform in [-4, 4),
so ties have probability zero: tests/ops/test_detection_postprocess.py checks deliberate ties). And
the options prepare refuses."""
from __future__ import annotations

import numpy as np

from tests.ops.cases._movement import multi_op
from tests.tflite_builder import act, const

DTYPES = ("float32",)
OUTPUTS = ("boxes", "classes", "scores", "num_detections")


def anchors(rng, n):
    """n anchors (y, x, h, w): centres in [0, 1), sizes in [0.05, 0.5): many overlap."""
    centres = rng.uniform(0, 1, size=(n, 2))
    sizes = rng.uniform(0.05, 0.5, size=(n, 2))
    return np.concatenate([centres, sizes], axis=1).astype(np.float32)


def options(rng, nc, regular):
    """Random options (floats exact in float32, as a converter writes them)."""
    f32 = lambda v: float(np.float32(v))   # noqa: E731
    opts = {"max_detections": int(rng.integers(1, 9)), "max_classes_per_detection": 1, "num_classes": nc,
            "nms_score_threshold": f32(rng.uniform(-4, 3)), "nms_iou_threshold": f32(rng.uniform(0.05, 1.0)),
            "y_scale": f32(rng.uniform(1, 10)), "x_scale": f32(rng.uniform(1, 10)),
            "h_scale": f32(rng.uniform(1, 10)), "w_scale": f32(rng.uniform(1, 10))}
    if regular or rng.random() < 0.5:
        opts["use_regular_nms"] = regular
    if rng.random() < 0.7:
        opts["detections_per_class"] = int(rng.integers(1, 6))
    if not regular and nc > 1 and rng.random() < 0.3:
        opts["max_classes_per_detection"] = nc * nc      # TFLM's output slots stay in bounds (prepare)
    elif regular and rng.random() < 0.3:
        opts["max_classes_per_detection"] = int(rng.integers(1, 4))
    return opts


def model(box_shape, columns, anchor_data, opts, validated=True) -> bytes:
    nb = box_shape[1]
    ins = [act("box_encodings", box_shape, "float32"), act("class_predictions", (1, nb, columns), "float32"),
           const("anchors", anchor_data)]
    return multi_op("detection_postprocess", ins, [act(n, (), "float32") for n in OUTPUTS], opts, validated)


def draw(rng, every_slot_written: bool) -> bytes:
    """A random model. TFLM leaves the output slots past the detections of fast NMS (and past
    max_detections of regular NMS) as the arena held them: with `every_slot_written` the options make
    TFLM write every slot for any input in [-4, 4) (one class per detection; fast NMS with a threshold
    below every score and either one detection or no suppression), so each element compares;
    tests/ops/test_detection_postprocess.py draws the rest and compares the written slots."""
    regular = bool(rng.random() < 0.5)
    nc = int(rng.integers(1, 5))
    nb = int(rng.integers(2 if regular and nc > 1 else 1, 25))
    opts = options(rng, nc, regular)
    if regular and nc > 1:
        opts["max_detections"] = max(2, opts["max_detections"])
    if every_slot_written:
        opts["max_classes_per_detection"] = 1
        if not regular:
            opts["nms_score_threshold"] = -4.0
            if rng.random() < 0.5:
                opts["max_detections"] = 1
            else:
                opts["max_detections"] = min(opts["max_detections"], nb)
                opts["nms_iou_threshold"] = 1.0
    columns = nc + int(rng.integers(0, 2))
    stride = 4 + int(rng.integers(0, 3)) * int(rng.random() < 0.3)
    return model((1, nb, stride), columns, anchors(rng, nb), opts)


def build(rng, dtype):
    return draw(rng, every_slot_written=True)


def _base(**change):
    opts = {"max_detections": 3, "max_classes_per_detection": 1, "num_classes": 2, "nms_score_threshold": 0.0,
            "nms_iou_threshold": 0.5, "y_scale": 10.0, "x_scale": 10.0, "h_scale": 5.0, "w_scale": 5.0}
    opts.update(change)
    a = anchors(np.random.default_rng(0), 6)
    if "anchors" in opts:
        a = opts.pop("anchors")
    return model((1, 6, 4), 3, a, opts, validated=False)


def _zero_size_anchor():
    a = anchors(np.random.default_rng(0), 6)
    a[4, 3] = 0.0
    return _base(anchors=a)


HOSTILE_INVALID = {
    "detection_postprocess_iou_zero": (lambda: _base(nms_iou_threshold=0.0), ["nms_iou_threshold", "(0, 1]"]),
    "detection_postprocess_iou_above_one": (lambda: _base(nms_iou_threshold=1.5), ["nms_iou_threshold 1.5"]),
    "detection_postprocess_zero_scale": (lambda: _base(h_scale=0.0), ["h_scale", "zero"]),
    "detection_postprocess_nan_threshold": (lambda: _base(nms_score_threshold=float("nan")),
                                            ["nms_score_threshold", "NaN"]),
    "detection_postprocess_no_detections": (lambda: _base(max_detections=0), ["max_detections 0", "[1, 65536]"]),
    "detection_postprocess_classes_mismatch": (lambda: _base(num_classes=5), ["num_classes 5", "3 columns"]),
    "detection_postprocess_anchor_size": (_zero_size_anchor, ["anchor 4", "not positive"]),
    "detection_postprocess_regular_zero_per_class": (lambda: _base(use_regular_nms=True, detections_per_class=0),
                                                     ["detections_per_class 0"]),
    "detection_postprocess_slots_overflow": (lambda: _base(max_classes_per_detection=2),
                                             ["2 classes per detection", "past the 6 output entries"]),
}


def _minimal():
    """One box, one class, one detection; every score kept (threshold -inf), no suppression (IoU 1)."""
    opts = {"max_detections": 1, "max_classes_per_detection": 1, "num_classes": 1, "use_regular_nms": True,
            "nms_score_threshold": float("-inf"), "nms_iou_threshold": 1.0, "y_scale": 1.0, "x_scale": 1.0,
            "h_scale": 1.0, "w_scale": 1.0}
    return model((1, 1, 4), 1, anchors(np.random.default_rng(1), 1), opts)


def _many_detections():
    """64 detections from 8 boxes x 3 classes (+ background), 7 values per box encoding, absent
    detections_per_class (TFLM's 100): most slots stay zero."""
    opts = {"max_detections": 64, "max_classes_per_detection": 1, "num_classes": 3, "use_regular_nms": True,
            "nms_score_threshold": -1.0, "nms_iou_threshold": 0.5, "y_scale": 10.0, "x_scale": 10.0,
            "h_scale": 5.0, "w_scale": 5.0}
    return model((1, 8, 7), 4, anchors(np.random.default_rng(2), 8), opts)


HOSTILE_VALID = {
    "detection_postprocess_minimal": _minimal,
    "detection_postprocess_many_detections": _many_detections,
}
