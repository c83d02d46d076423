"""RESIZE_BILINEAR cases: random single-op models (up- and down-sampling, each flag alone)."""
from __future__ import annotations

from tests.ops.cases._common import unchecked_single_op
from tests.ops.cases.resize_nearest_neighbor import resize_case
from tests.tflite_builder import act, q

DTYPES = ("int8", "float32")


def build(rng, dtype):
    return resize_case("resize_bilinear", rng, dtype, allow_both=False)


def _bilinear(in_hw=(3, 4), size=(7, 5), align=False, half=False, out_quant=(0.05, 3)):
    x = act("x", (1, *in_hw, 3), "int8", q(0.05, 3))
    return unchecked_single_op("resize_bilinear", [x], act("y", (), "int8", q(*out_quant)),
                               {"size": size, "align_corners": align, "half_pixel_centers": half})


HOSTILE_VALID = {
    # the largest upsampling of one pixel whose rounded 10-bit scale still stays inside the input
    "resize_bilinear_1x1_to_1x512": lambda: _bilinear((1, 1), (1, 512)),
    "resize_bilinear_half_pixel_2x2_to_9x9": lambda: _bilinear((2, 2), (9, 9), half=True),
    "resize_bilinear_align_corners_5x5_to_1x1": lambda: _bilinear((5, 5), (1, 1), align=True),
}
HOSTILE_INVALID = {
    "resize_bilinear_both_flags": (lambda: _bilinear(align=True, half=True),
                                   ["align_corners", "half_pixel_centers"]),
    # (1024 + 300) // 600 = 2: column 599 would read input column 1 of a one-pixel input
    "resize_bilinear_1x1_to_1x600": (lambda: _bilinear((1, 1), (1, 600)), ["column", "600", "index 1"]),
    "resize_bilinear_quant_differs": (lambda: _bilinear(out_quant=(0.1, 3)), ["quantisation differ"]),
}
