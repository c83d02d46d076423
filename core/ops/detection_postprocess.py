"""TFLite_Detection_PostProcess (TF Lite Micro's custom operator, kernels/detection_postprocess.cc):
an SSD head's box decoding and non-maximum suppression (NMS), all in float32.

Inputs: box encodings (1, boxes, >=4) as (y, x, h, w) against the anchors, class predictions
(1, boxes, classes [+1 background column first]) and the anchors (boxes, 4) as (y, x, h, w): a
constant here, since every anchor must have a positive size (a decoded box with ymin >= ymax or
xmin >= xmax makes TFLM fail the invoke). Outputs, float32: boxes (1, D, 4) as (ymin, xmin, ymax,
xmax), classes (1, D), scores (1, D) and num_detections (1,), D = max_detections *
max_classes_per_detection (the shape TFLite gives them).

Decoding is TFLM's: center and half size in double, e.g. ycenter = y / y_scale * anchor_h + anchor_y
and half_h = 0.5 * exp(h / h_scale) * anchor_h, each rounded to float, corners ycenter -+ half_h in
float. NMS of one class: the scores >= nms_score_threshold in anchor order, sorted by decreasing score
with ties in anchor order (TFLM's merge sort is stable); each box in turn is kept unless an earlier
kept box overlaps it with IoU > nms_iou_threshold (float32 IoU, 0 for an empty box), until as many as
asked are kept.
- Fast NMS (use_regular_nms false): each anchor's classes by decreasing score, ties by class index
  (TFLM's partial sort compares (score, index)), the anchor scored by its best class; NMS over the
  anchors, max_detections of them; each kept anchor writes its top min(max_classes_per_detection,
  num_classes) classes at the slots TFLM writes (offset k*c for the k-th written entry and column c,
  which is the plain order for one class per detection). num_detections counts the entries written.
- Regular NMS: NMS per class (detections_per_class boxes each); after each class the candidates so
  far (the previous best, then this class's in NMS order) are cut to the max_detections best by
  (score, position in that list). Slots past the detections are zero.
TFLM leaves the slots past the detections of fast NMS untouched; tinycc writes zeros there (its
arena is reused, and a program must not read stale boxes). int8/uint8 inputs: TFLM's kernel refuses
them at invoke (only float32 is decoded), so only float32 is accepted.

Options: a flexbuffer map TFLM reads by key (absent detections_per_class: 100, absent
use_regular_nms: false). The attributes keep what the file held, including keys TFLM ignores
(`extra_options`, e.g. a converter's `_output_quantized`) and the keys' stored order
(`option_order`), so the writer gives the same flexbuffer bytes back.
"""
from __future__ import annotations

import math

import numpy as np

from tinycc.core.ops import _signal, _tflite
from tinycc.core.ops import common as c

NAME = "detection_postprocess"
INPUTS = ("box_encodings", "class_predictions", "anchors")
INT_KEYS = ("max_detections", "max_classes_per_detection", "num_classes")
FLOAT_KEYS = ("nms_score_threshold", "nms_iou_threshold", "y_scale", "x_scale", "h_scale", "w_scale")
OPTIONAL_KEYS = ("detections_per_class", "use_regular_nms")
KEYS = ("max_detections", "max_classes_per_detection", "detections_per_class", "use_regular_nms",
        "nms_score_threshold", "nms_iou_threshold", "num_classes", "y_scale", "x_scale", "h_scale", "w_scale")
ATTRS = {"max_detections": 10, "max_classes_per_detection": 1, "detections_per_class": None,
         "use_regular_nms": None, "nms_score_threshold": 0.0, "nms_iou_threshold": 0.5, "num_classes": 1,
         "y_scale": 10.0, "x_scale": 10.0, "h_scale": 5.0, "w_scale": 5.0,
         "extra_options": (), "option_order": None}
DTYPES = ("float32",)
SIGNATURES = ("float32, float32, float32 -> float32, float32, float32, float32",)
CUSTOM = "TFLite_Detection_PostProcess"
DEFAULT_DETECTIONS_PER_CLASS = 100          # TFLM's kNumDetectionsPerClass
MAX_COUNT = 1 << 16                         # max_detections, classes per detection, detections per class
INT32_MAX = (1 << 31) - 1


# --- the codec -------------------------------------------------------------------------------------

def _read(ctx) -> dict:
    opts = ctx.custom
    missing = [k for k in (*INT_KEYS, *FLOAT_KEYS) if k not in opts]
    if missing:
        raise ctx.fail(f"the custom options lack {', '.join(missing)}",
                       hint=f"{CUSTOM} needs {', '.join(INT_KEYS + FLOAT_KEYS)} "
                            "(TF Lite Micro would read 0 for each)")
    attrs = {k: opts[k] for k in KEYS if k in opts}
    attrs["extra_options"] = tuple((k, v) for k, v in opts.items() if k not in KEYS)
    attrs["option_order"] = tuple(opts)
    return attrs


def _write(ctx, node, inputs):
    a = node.attrs
    extra = dict(a.get("extra_options") or ())
    present = {k: a[k] for k in KEYS if a.get(k) is not None}
    values = {**present, **extra}
    order = [k for k in (a.get("option_order") or ()) if k in values]
    options = {k: values[k] for k in [*order, *(k for k in values if k not in order)]}
    return ctx.builtin, options, inputs


TFLITE = _tflite.TFLite("CUSTOM", custom=CUSTOM, read=_read, write=_write)


# --- options and shapes ----------------------------------------------------------------------------

def _float(node, name: str) -> np.float32:
    """Option `name` as TFLM holds it (AsFloat: a float)."""
    v = node.attrs.get(name)
    if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)):
        raise c.fail(node, f"option {name} {v!r} must be a number")
    with np.errstate(over="ignore"):
        return np.float32(v)


def _regular(node) -> bool:
    v = node.attrs.get("use_regular_nms")
    if v is None:
        return False
    if not isinstance(v, (bool, int, np.bool_, np.integer)):
        raise c.fail(node, f"option use_regular_nms {v!r} must be a boolean")
    return bool(v)


def _counts(node) -> tuple[int, int]:
    md = _signal.int_attr(node, "max_detections", 1, MAX_COUNT, "TF Lite Micro sizes its scratch by it: at least 1")
    mcpd = _signal.int_attr(node, "max_classes_per_detection", 1, MAX_COUNT,
                            "at least one class per detection (the outputs hold max_detections x it entries)")
    return md, mcpd


def infer(node, g):
    md, mcpd = _counts(node)
    d = md * mcpd
    return [(1, d, 4), (1, d), (1, d), (1,)]


def _shapes(node, g) -> tuple[int, int, int]:
    box, cls, anchors = (g.tensors[n] for n in node.inputs)
    if len(box.shape) != 3 or len(cls.shape) != 3 or len(anchors.shape) != 2:
        raise c.fail(node, f"box encodings {box.shape}, class predictions {cls.shape} and anchors {anchors.shape} "
                           "must be 3-D, 3-D and 2-D", hint="TF Lite Micro checks the number of dimensions")
    nb = int(box.shape[1])
    if box.shape[0] != 1 or cls.shape[0] != 1:
        raise c.fail(node, f"batch {box.shape[0]} / {cls.shape[0]} is not 1", hint="TF Lite Micro runs batch 1 only")
    if box.shape[2] < 4:
        raise c.fail(node, f"box encodings {box.shape} have fewer than 4 values per box",
                     hint="each box is (y, x, h, w), maybe followed by more values")
    if nb < 1 or cls.shape[1] != nb or tuple(anchors.shape) != (nb, 4):
        raise c.fail(node, f"class predictions {cls.shape} and anchors {anchors.shape} do not match "
                           f"{nb} boxes", hint="class predictions (1, boxes, classes) and anchors (boxes, 4)")
    return nb, int(box.shape[2]), int(cls.shape[2])


def prepare(node, g):
    md, mcpd = _counts(node)
    nb, stride, ncwb = _shapes(node, g)
    nc = _signal.int_attr(node, "num_classes", 1, MAX_COUNT, "at least one class")
    if not nc <= ncwb <= nc + 1:
        raise c.fail(node, f"num_classes {nc} does not fit class predictions of {ncwb} columns",
                     hint="the predictions hold num_classes columns, or one more (background) first")
    regular = _regular(node)
    dpc = node.attrs.get("detections_per_class")
    if dpc is None:
        dpc = DEFAULT_DETECTIONS_PER_CLASS
    elif regular:
        dpc = _signal.int_attr(node, "detections_per_class", 1, MAX_COUNT, "regular NMS keeps at least one per class")
    thr, iou = _float(node, "nms_score_threshold"), _float(node, "nms_iou_threshold")
    if math.isnan(thr):
        raise c.fail(node, "option nms_score_threshold is NaN", hint="a score threshold must be a number")
    if not 0.0 < iou <= 1.0:
        raise c.fail(node, f"option nms_iou_threshold {float(iou)} is outside (0, 1]",
                     hint="TF Lite Micro's NMS fails the invoke outside it")
    scales = [_float(node, k) for k in ("y_scale", "x_scale", "h_scale", "w_scale")]
    for k, v in zip(("y_scale", "x_scale", "h_scale", "w_scale"), scales):
        if not math.isfinite(v) or v == 0.0:
            raise c.fail(node, f"option {k} {node.attrs[k]!r} is {'zero' if v == 0.0 else 'not finite'} as a float",
                         hint="the encodings are divided by it")
    ncat = min(mcpd, nc)
    if regular:
        # TFLM keeps the candidates of the classes so far plus one class's in max_detections x boxes entries
        if nc > 1 and md * nb < md + min(nb, dpc):
            raise c.fail(node, f"max_detections {md} x {nb} boxes cannot hold {md} + {min(nb, dpc)} candidates",
                         hint="TF Lite Micro's scratch would overflow: use more boxes or max_detections")
    elif ncat * ncat * min(md, nb) > md * mcpd:
        raise c.fail(node, f"{ncat} classes per detection: TF Lite Micro writes entry k's class c at k x {ncat} + c, "
                           f"past the {md * mcpd} output entries",
                     hint="use max_classes_per_detection 1 (or num_classes^2 <= max_classes_per_detection)")
    if md * max(nc, md) * nb > INT32_MAX // 4 or nb * ncwb > INT32_MAX // 4:
        raise c.fail(node, f"{nb} boxes x max_detections {md} is too large for TF Lite Micro's scratch sizes")
    anchors = g.tensors[node.inputs[2]]
    if anchors.data is None:
        raise c.fail(node, f"anchors {anchors.name!r} must be a constant tensor",
                     hint="tinycc checks every anchor's size before the model runs")
    a = np.asarray(anchors.data, dtype=np.float32).reshape(nb, 4)
    bad = np.flatnonzero(~np.isfinite(a).all(axis=1) | (a[:, 2] <= 0) | (a[:, 3] <= 0))
    if bad.size:
        raise c.fail(node, f"anchor {int(bad[0])} {a[bad[0]].tolist()} has a size that is not positive or a value "
                           "that is not finite", hint="anchors are (y, x, h, w) with h, w > 0; TF Lite Micro fails "
                                                     "the invoke on the empty boxes they decode to")
    return {"boxes": nb, "stride": stride, "columns": ncwb, "num_classes": nc, "label_offset": ncwb - nc,
            "max_detections": md, "max_classes_per_detection": mcpd, "categories": ncat,
            "detections_per_class": int(dpc), "regular": regular, "score_threshold": float(thr),
            "iou_threshold": float(iou), "scales": [float(v) for v in scales], "outputs": md * mcpd}


def scratch_bytes(node, g) -> int:
    """The c kernel's working memory (kernels/reference/detection_postprocess.h): decoded boxes and
    scores (float), candidate and order lists (int32) and the active flags (bytes)."""
    p = prepare(node, g)
    return _scratch_layout(p)["total"]


def _scratch_layout(p) -> dict[str, int]:
    """Sizes of the c kernel's buffers, in its order (kernels/reference/detection_postprocess.h)."""
    nb, md, nc = p["boxes"], p["max_detections"], p["num_classes"]
    cand = md + nb                              # regular NMS: the best so far + one class's kept boxes
    floats = 4 * nb + nb + nb + cand + md       # decoded boxes, class scores, kept scores, candidates, sorted
    ints = 3 * nb + 2 * cand + max(cand, nc) + (0 if p["regular"] else nb * p["categories"] + nc)
    #      kept, order, selected; candidate ids and order; sort scratch; per-anchor classes (fast NMS)
    return {"floats": floats, "ints": ints, "total": 4 * (floats + ints) + nb}


# --- the reference ---------------------------------------------------------------------------------

def decode(box: np.ndarray, anchors: np.ndarray, scales) -> np.ndarray:
    """(boxes, 4) corners (ymin, xmin, ymax, xmax) as TFLM's DecodeCenterSizeBoxes computes them."""
    ys, xs, hs, ws = scales
    out = np.zeros((box.shape[0], 4), dtype=np.float32)
    with np.errstate(over="ignore", invalid="ignore"):
        for i in range(box.shape[0]):
            out[i] = _decode_one(box[i], anchors[i], ys, xs, hs, ws)
    return out


def _decode_one(box, anchor, ys, xs, hs, ws) -> tuple:
    y, x, h, w = (float(v) for v in box[:4])
    ay, ax, ah, aw = (float(v) for v in anchor)
    yc = np.float32(y / ys * ah + ay)
    xc = np.float32(x / xs * aw + ax)
    hh = np.float32(0.5 * _exp(h / hs) * ah)
    hw = np.float32(0.5 * _exp(w / ws) * aw)
    return (yc - hh, xc - hw, yc + hh, xc + hw)


def _exp(v: float) -> float:
    try:
        return math.exp(v)
    except OverflowError:
        return math.inf


def _fmax(a, b):
    """std::max<float>(a, b): b when a < b, else a (NaN as C++ leaves it)."""
    return np.where(a < b, b, a)


def _fmin(a, b):
    """std::min<float>(a, b): b when b < a, else a."""
    return np.where(b < a, b, a)


def iou(boxes: np.ndarray, i: int, js: np.ndarray) -> np.ndarray:
    """TFLM's ComputeIntersectionOverUnion of box i against boxes js, in float32."""
    bi, bj = boxes[i], boxes[js]
    with np.errstate(all="ignore"):
        area_i = (bi[2] - bi[0]) * (bi[3] - bi[1])
        area_j = (bj[:, 2] - bj[:, 0]) * (bj[:, 3] - bj[:, 1])
        ih = _fmax(_fmin(bi[2], bj[:, 2]) - _fmax(bi[0], bj[:, 0]), np.float32(0))
        iw = _fmax(_fmin(bi[3], bj[:, 3]) - _fmax(bi[1], bj[:, 1]), np.float32(0))
        inter = (ih * iw).astype(np.float32)
        out = (inter / ((area_i + area_j).astype(np.float32) - inter)).astype(np.float32)
    empty = (area_i <= 0) | (area_j <= 0)
    return np.where(empty, np.float32(0), out).astype(np.float32)


def nms(boxes: np.ndarray, scores: np.ndarray, p, limit: int) -> list[int]:
    """TFLM's NonMaxSuppressionSingleClassHelper: the kept anchors, best first."""
    thr = np.float32(p["score_threshold"])
    keep = np.flatnonzero(scores >= thr)
    order = keep[np.argsort(-scores[keep], kind="stable")]
    out_size = min(len(order), limit)
    active = np.ones(len(order), dtype=bool)
    selected: list[int] = []
    for i in range(len(order)):
        if len(selected) >= out_size or not active.any():
            break
        if not active[i]:
            continue
        selected.append(int(order[i]))
        active[i] = False
        rest = np.flatnonzero(active[i + 1:]) + i + 1
        if rest.size:
            active[rest[iou(boxes, int(order[i]), order[rest]) > np.float32(p["iou_threshold"])]] = False
    return selected


def _best_first(values: np.ndarray, count: int) -> np.ndarray:
    """TFLM's DecreasingPartialArgSort: the `count` best positions by (value, position)."""
    return np.argsort(-values, kind="stable")[:count]


def run(node, g, inputs, p):
    box = np.asarray(inputs[0], dtype=np.float32).reshape(p["boxes"], p["stride"])
    scores = np.asarray(inputs[1], dtype=np.float32).reshape(p["boxes"], p["columns"])
    anchors = np.asarray(g.tensors[node.inputs[2]].data, dtype=np.float32).reshape(p["boxes"], 4)
    decoded = decode(box, anchors, p["scales"])
    if np.any((decoded[:, 0] >= decoded[:, 2]) | (decoded[:, 1] >= decoded[:, 3])):
        k = int(np.flatnonzero((decoded[:, 0] >= decoded[:, 2]) | (decoded[:, 1] >= decoded[:, 3]))[0])
        raise c.fail(node, f"box {k} decodes to the empty box {decoded[k].tolist()}",
                     hint="TF Lite Micro fails the invoke (its NMS validates every decoded box)")
    n = p["outputs"]
    out_boxes = np.zeros((n, 4), dtype=np.float32)
    out_classes = np.zeros(n, dtype=np.float32)
    out_scores = np.zeros(n, dtype=np.float32)
    cls = scores[:, p["label_offset"]:p["label_offset"] + p["num_classes"]]
    if p["regular"]:
        cand_ids = np.zeros(0, dtype=np.int64)          # (anchor, class) as anchor * num_classes + class
        cand_scores = np.zeros(0, dtype=np.float32)
        for col in range(p["num_classes"]):
            column = np.ascontiguousarray(cls[:, col])
            kept = nms(decoded, column, p, p["detections_per_class"])
            ids = np.concatenate([cand_ids, np.asarray(kept, dtype=np.int64) * p["num_classes"] + col])
            vals = np.concatenate([cand_scores, column[kept]]).astype(np.float32)
            top = _best_first(vals, min(len(vals), p["max_detections"]))
            cand_ids, cand_scores = ids[top], vals[top]
        for k, (ident, s) in enumerate(zip(cand_ids, cand_scores)):
            anchor, col = divmod(int(ident), p["num_classes"])
            out_boxes[k], out_classes[k], out_scores[k] = decoded[anchor], col, s
        count = len(cand_ids)
    else:
        ncat = p["categories"]
        class_order = np.argsort(-cls, axis=1, kind="stable")[:, :ncat]
        best = cls[np.arange(p["boxes"]), class_order[:, 0]]
        kept = nms(decoded, np.ascontiguousarray(best), p, p["max_detections"])
        count = 0
        for anchor in kept:
            for col in range(ncat):
                slot = ncat * count + col
                out_boxes[slot] = decoded[anchor]
                out_classes[slot] = class_order[anchor, col]
                out_scores[slot] = cls[anchor, class_order[anchor, col]]
                count += 1
    return [out_boxes.reshape(1, n, 4), out_classes.reshape(1, n), out_scores.reshape(1, n),
            np.asarray([count], dtype=np.float32)]
