"""TFLite_Detection_PostProcess (core op detection_postprocess) against TF Lite Micro's kernel, which its
Python interpreter registers (its op resolver has AddDetectionPostprocess; these tests run it).

TFLM writes only some output slots (fast NMS: the detections; regular NMS: the first max_detections)
and leaves the others as the arena held them, so these tests compare the slots TFLM writes and check
that tinycc's others are zero (tests/ops/cases/detection_postprocess.py's `build` keeps to options where
TFLM writes every slot, for the all-element comparison of test_ops_vs_tflm.py).
Tolerances: classes, num_detections and scores (copied from the input) must be equal; boxes within
BOX_TOL (decoding calls the C library's exp, whose last bit may differ between C libraries; on this
host they come out equal).
"""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("tflite_micro", reason="TF Lite Micro's Python interpreter is the oracle")

from tests.ops.cases import detection_postprocess as case  # noqa: E402
from tests.ops.check import assert_matches_tflm, random_inputs  # noqa: E402
from tests.tflm import run_tflm  # noqa: E402
from tinycc.backends.c import status  # noqa: E402
from tinycc.core import interpreter, ops  # noqa: E402
from tinycc.core.errors import TinyccError  # noqa: E402
from tinycc.core.ops import detection_postprocess as dp  # noqa: E402
from tinycc.plugins.importers.tflite import load_tflite  # noqa: E402

BOX_TOL = 1e-6
CC = os.environ.get("CC", "cc")


def _params(g):
    node = g.nodes[0]
    return ops.get(node.op).prepare(node, g)


def written_slots(p, count: int) -> np.ndarray:
    """The output slots TFLM writes: regular NMS the first max_detections; fast NMS entry e (anchor k,
    class column c, e = k * categories + c) at categories * e + c."""
    mask = np.zeros(p["outputs"], dtype=bool)
    if p["regular"]:
        mask[:p["max_detections"]] = True
    else:
        e = np.arange(count)
        mask[p["categories"] * e + e % p["categories"]] = True
    return mask


def assert_equal_on_written(p, got, want, label):
    boxes, classes, scores, num = (np.asarray(v) for v in got)
    t_boxes, t_classes, t_scores, t_num = want
    assert num.reshape(-1)[0] == t_num.reshape(-1)[0], f"{label}: num_detections {num} != TFLM {t_num}"
    mask = written_slots(p, int(t_num.reshape(-1)[0]))
    np.testing.assert_array_equal(classes.reshape(-1)[mask], t_classes.reshape(-1)[mask], err_msg=f"{label} classes")
    np.testing.assert_array_equal(scores.reshape(-1)[mask], t_scores.reshape(-1)[mask], err_msg=f"{label} scores")
    np.testing.assert_allclose(boxes.reshape(-1, 4)[mask], t_boxes.reshape(-1, 4)[mask], rtol=BOX_TOL, atol=BOX_TOL,
                               err_msg=f"{label} boxes")
    for name, v in (("boxes", boxes.reshape(-1, 4)[~mask]), ("classes", classes.reshape(-1)[~mask]),
                    ("scores", scores.reshape(-1)[~mask])):
        assert not np.any(v), f"{label}: {name} past the written slots are not zero"


def compare(model: bytes, xs, c: bool = False):
    g = load_tflite(Path("test.tflite"), model)
    p = _params(g)
    want = run_tflm(model, xs)
    assert_equal_on_written(p, interpreter.run(g, xs), want, "reference")
    if c:
        from tests.c_build import run_c_model
        assert_equal_on_written(p, run_c_model(g, xs), want, "c")
    return p, want


@pytest.mark.parametrize("seed", range(40))
def test_random_heads_equal_tflm(seed):
    """Fast NMS with suppression and thresholds cutting detections, several classes per detection, regular
    NMS with more classes per detection than written: the written slots equal TFLM's."""
    rng = np.random.default_rng(seed)
    model = case.draw(rng, every_slot_written=False)
    g = load_tflite(Path("test.tflite"), model)
    compare(model, random_inputs(g, rng), c=seed < 6)


def test_random_heads_cover_both_nms_kinds_and_suppression():
    """The draws above are not vacuous: both NMS kinds, multi-class detections, and detections cut."""
    seen = set()
    for seed in range(40):
        rng = np.random.default_rng(seed)
        model = case.draw(rng, every_slot_written=False)
        g = load_tflite(Path("test.tflite"), model)
        p, want = compare(model, random_inputs(g, rng))
        n = int(want[3][0])
        seen.add("regular" if p["regular"] else "fast")
        seen.add("multi" if p["categories"] > 1 and not p["regular"] and n > 1 else "")
        seen.add("cut" if n < p["max_detections"] * (1 if p["regular"] else p["categories"]) else "full")
    assert {"regular", "fast", "multi", "cut", "full"} <= seen, seen


def _tie_model(regular: bool, per_detection: int, columns: int, classes: int):
    # a 3 x 3 grid of anchors, neighbours overlapping (IoU of two neighbours about 0.43 undecoded)
    ys, xs = np.meshgrid(np.arange(3) * 0.2 + 0.3, np.arange(3) * 0.2 + 0.3, indexing="ij")
    anchors = np.stack([ys.ravel(), xs.ravel(), np.full(9, 0.4), np.full(9, 0.4)], axis=1).astype(np.float32)
    opts = {"max_detections": 5, "max_classes_per_detection": per_detection, "num_classes": classes,
            "nms_score_threshold": 0.25, "nms_iou_threshold": 0.3, "y_scale": 10.0, "x_scale": 10.0,
            "h_scale": 5.0, "w_scale": 5.0, "use_regular_nms": regular, "detections_per_class": 4}
    return case.model((1, 9, 4), columns, anchors, opts)


@pytest.mark.parametrize("regular", [False, True], ids=["fast", "regular"])
@pytest.mark.parametrize("seed", range(4))
def test_tied_scores_keep_tflm_order(regular, seed):
    """Scores on a coarse grid (many exact ties between anchors and between classes): TFLM's order --
    stable by anchor index in NMS, by class index within an anchor (fast), by candidate position
    across classes (regular) -- decides which boxes are kept and their order; equal to TFLM exactly."""
    rng = np.random.default_rng(seed)
    classes = 2
    model = _tie_model(regular, 1 if regular else classes * classes, classes + 1, classes)
    boxes = (rng.integers(-2, 3, size=(1, 9, 4)) * 0.5).astype(np.float32)
    scores = (rng.integers(0, 3, size=(1, 9, classes + 1)) * 0.25).astype(np.float32)
    scores[0, :3, 1:] = 0.5                        # the first anchors tie in every class
    p, want = compare(model, [boxes, scores], c=True)
    assert want[3][0] >= 2


def test_equal_boxes_and_scores_keep_the_lower_anchor():
    """Two identical boxes with equal scores: TFLM keeps the lower anchor index and suppresses the other."""
    model = _tie_model(False, 1, 2, 1)
    boxes = np.zeros((1, 9, 4), dtype=np.float32)
    scores = np.zeros((1, 9, 2), dtype=np.float32)
    scores[0, [4, 1], 1] = 0.75          # anchors 1 and 4 tie; 4's box moved onto 1's (y - 0.2 = 5 * 0.4 / 10)
    boxes[0, 4, 0] = -5.0
    _, want = compare(model, [boxes, scores], c=True)
    assert int(want[3][0]) == 1 and int(want[1][0, 0]) == 0


def test_sanitized_c_equals_tflm():
    for seed in (3, 4):
        assert_matches_tflm(case.build(np.random.default_rng(seed), "float32"), samples=2, seed=seed,
                            float_tol=BOX_TOL, sanitize=True)


PROBE = r"""
#include <stdio.h>
#include "model.h"
int main(void) {
    static float boxes[%(nb)d * 4], scores[%(nb)d * %(cols)d], out[4][%(n)d * 4];
    const void *inputs[2];
    void *outputs[4];
    int k;
    for (k = 0; k < %(nb)d * 4; ++k) boxes[k] = (k %% 4 == 2) ? -5000.0f : 0.0f;   /* h: exp underflows */
    for (k = 0; k < 4; ++k) outputs[k] = out[k];
    out[3][0] = -1.0f;
    inputs[0] = boxes; inputs[1] = scores;
    printf("%%d %%d %%g\n", model_invoke(inputs, outputs), MODEL_ERROR_INVALID_BOXES, out[3][0]);
    return 0;
}
"""


def test_empty_decoded_box_fails_the_invoke_everywhere(tmp_path):
    """A box encoding whose height underflows exp decodes to an empty box: TFLM fails the invoke, the
    reference raises naming the box, and the C returns NAME_ERROR_INVALID_BOXES writing no output."""
    from tests.c_build import write_sources
    model = _tie_model(False, 1, 2, 1)
    g = load_tflite(Path("test.tflite"), model)
    boxes = np.zeros((1, 9, 4), dtype=np.float32)
    boxes[0, :, 2] = -5000.0
    xs = [boxes, np.zeros((1, 9, 2), dtype=np.float32)]
    with pytest.raises(Exception):                       # noqa: B017 - TFLM's Python binding's invoke error
        run_tflm(model, xs)
    with pytest.raises(TinyccError) as err:
        interpreter.run(g, xs)
    assert "box 0 decodes to the empty box" in err.value.render()
    write_sources(g, tmp_path)
    (tmp_path / "probe.c").write_text(PROBE % {"nb": 9, "cols": 2, "n": 5})
    exe = tmp_path / "probe"
    subprocess.run([CC, "-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic", "-O2", "-I", str(tmp_path),
                    str(tmp_path / "model.c"), str(tmp_path / "model_weights.c"), str(tmp_path / "probe.c"),
                    "-o", str(exe), "-lm"], check=True, capture_output=True)
    out = subprocess.run([str(exe)], capture_output=True, text=True, check=True).stdout.split()
    assert out == [str(status.INVALID_BOXES), str(status.INVALID_BOXES), "-1"]


def _options_bytes(order, extra=True) -> bytes:
    """A flexbuffer map written key by key in `order`, as a C++ converter does (32-bit floats)."""
    from flatbuffers import flexbuffers
    values = {"max_detections": 5, "max_classes_per_detection": 1, "detections_per_class": 2,
              "use_regular_nms": True, "nms_score_threshold": 0.25, "nms_iou_threshold": 0.5, "num_classes": 2,
              "y_scale": 10.0, "x_scale": 10.0, "h_scale": 5.0, "w_scale": 5.0}
    if extra:
        values["_output_quantized"] = True
    b = flexbuffers.Builder()
    with b.Map():
        for k in order:
            v = values[k]
            if isinstance(v, bool):
                b.Bool(k, v)
            elif isinstance(v, int):
                b.Int(k, v)
            else:
                b.Float(k, v)
    return bytes(b.Finish())


def _with_options(model: bytes, raw: bytes) -> bytes:
    import flatbuffers
    from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as s
    m = s.ModelT.InitFromPackedBuf(model, 0)
    m.subgraphs[0].operators[0].customOptions = list(raw)
    b = flatbuffers.Builder(1024)
    b.Finish(m.Pack(b), file_identifier=b"TFL3")
    return bytes(b.Output())


def _options_of(model: bytes) -> bytes:
    from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as s
    m = s.ModelT.InitFromPackedBuf(model, 0)
    return bytes(bytearray(m.subgraphs[0].operators[0].customOptions))


@pytest.mark.parametrize("order", ["converter", "sorted", "reversed"])
def test_options_are_written_back_byte_identically(order):
    """Options in any key order (TFLM's own test data adds them in the kernel's reading order; a map
    written sorted; reversed), with a key TFLM ignores: imported and written again, the same bytes, and
    TFLM runs the rewritten model like the original."""
    from tinycc.backends.tflm.flatbuffer import write_tflite
    keys = [*dp.KEYS, "_output_quantized"]
    keys = {"converter": keys, "sorted": sorted(keys), "reversed": keys[::-1]}[order]
    raw = _options_bytes(keys)
    model = _with_options(_tie_model(True, 1, 3, 2), raw)
    g = load_tflite(Path("test.tflite"), model)
    assert g.nodes[0].attrs["extra_options"] == (("_output_quantized", True),)
    again = write_tflite(g)
    assert _options_of(again) == raw
    xs = random_inputs(g, np.random.default_rng(0))
    for a, b in zip(run_tflm(model, xs), run_tflm(again, xs)):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("backend", ["c", "tflm"])
def test_a_model_with_the_op_compiles(backend, tmp_path):
    """`tinycc compile --backend c|tflm` on a model holding the operator: exit 0 and the generated
    sources name the kernel (c) or register TFLM's (tflm)."""
    import sys
    path = tmp_path / "ssd_head.tflite"
    path.write_bytes(_tie_model(True, 1, 3, 2))
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "tinycc", "compile", str(path), "-o", str(out), "--backend", backend],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    text = "\n".join(p.read_text(errors="replace") for p in out.rglob("*") if p.suffix in (".c", ".cc", ".h"))
    assert ("tinycc_detection_postprocess(" if backend == "c" else "AddDetectionPostprocess()") in text
