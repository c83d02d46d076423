"""ONNX's own node test cases (shipped in the `onnx` wheel) through tinycc's ONNX importer.

For every operator the importer claims, every node case built only from claimed operators is
imported (inputs after the first baked in as constants when the importer needs constant
weights), run through the reference interpreter and the `c` backend, and compared with ONNX's
expected outputs (float32, rtol 1e-4, atol 1e-5). A case may be refused with a clear
TinyccError (an attribute or dtype tinycc does not take); it may never produce a wrong
answer or crash, and each claimed operator must pass at least one case. Pass/refused counts
per operator are printed in the terminal summary.
"""
from __future__ import annotations

import copy
import json
import warnings
from collections import Counter
from functools import lru_cache
from pathlib import Path

import numpy as np
import pytest

onnx = pytest.importorskip("onnx", reason="the onnx extra is not installed (pip install 'tinycc-ml[onnx]')")

from tests.c_build import build, run_exe  # noqa: E402
from tinycc.core import interpreter  # noqa: E402
from tinycc.core.errors import TinyccError  # noqa: E402
from tinycc.plugins.importers.onnx import SUPPORTED, load_onnx  # noqa: E402

RTOL, ATOL = 1e-4, 1e-5
# claimed operators whose node cases cannot exercise them, and why
UNTESTABLE = {"Constant": "its node cases are models without inputs (a constant output), which tinycc refuses; "
                          "Constant is covered inside exported models (tests/test_onnx.py)"}
REPORT_DIR = Path(__file__).resolve().parents[1] / ".pytest_cache" / "tinycc-onnx-node-cases"


@lru_cache(maxsize=1)
def cases_by_op() -> dict[str, list]:
    from onnx.backend.test.case.node import collect_testcases
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cases = collect_testcases(None)
    out: dict[str, list] = {op: [] for op in SUPPORTED}
    for c in cases:
        ops = {n.op_type for n in c.model.graph.node}
        if ops <= set(SUPPORTED) and len(c.model.graph.node) == 1:
            out[c.model.graph.node[0].op_type].append(c)
    return out


def baked(model, inputs):
    """The model with every input but the first turned into a constant of the given values."""
    m = copy.deepcopy(model)
    first = m.graph.input[0]
    for vi, value in zip(list(m.graph.input)[1:], inputs[1:]):
        if isinstance(value, onnx.TensorProto):
            tensor = copy.deepcopy(value)
            tensor.name = vi.name
        else:
            tensor = onnx.numpy_helper.from_array(np.asarray(value), vi.name)
        m.graph.initializer.append(tensor)
    del m.graph.input[:]
    m.graph.input.extend([first])
    return m


def import_case(model, inputs, tmp_path):
    """(graph, inputs it takes) or raises the importer's TinyccError."""
    err = None
    for attempt in ("as-is", "constants") if model.graph.input else ("as-is",):
        m = model if attempt == "as-is" else baked(model, inputs)
        path = tmp_path / f"case_{attempt}.onnx"
        onnx.save(m, str(path))
        try:
            return load_onnx(path), (inputs if attempt == "as-is" else inputs[:1])
        except TinyccError as e:
            err = e
    raise err


@pytest.mark.parametrize("op", SUPPORTED)
def test_onnx_node_cases(op, tmp_path):
    if op in UNTESTABLE:
        pytest.skip(UNTESTABLE[op])
    counts = Counter()
    for case in cases_by_op()[op]:
        for k, (inputs, expected) in enumerate(case.data_sets):
            try:
                g, ins = import_case(case.model, inputs, tmp_path)
            except TinyccError as err:
                assert err.node or err.file, f"{case.name}: refusal without a location: {err.render()}"
                counts["refused"] += 1
                continue
            ins = [np.asarray(x) for x in ins]
            ref = interpreter.run(g, ins)
            workdir = tmp_path / f"{case.name}_{k}"
            workdir.mkdir()
            c_out = run_exe(build(g, workdir), g, [ins])[0]
            atol = ROUNDED_EXPECTED.get(case.name, (ATOL,))[0]
            for i, e in enumerate(expected):
                e = np.asarray(e)
                np.testing.assert_allclose(ref[i].reshape(e.shape), e, rtol=RTOL, atol=atol,
                                           err_msg=f"{case.name} data set {k}: reference, output {i}")
                np.testing.assert_allclose(c_out[i].reshape(e.shape), e, rtol=RTOL, atol=atol,
                                           err_msg=f"{case.name} data set {k}: c backend, output {i}")
            counts["passed"] += 1
    REPORT_DIR.mkdir(parents=True, exist_ok=True)
    (REPORT_DIR / f"{op}.json").write_text(json.dumps(dict(counts)))
    assert counts["passed"] >= 1, f"{op} is claimed but passes none of ONNX's node cases ({dict(counts)})"


# ---- convolution family (Conv, ConvTranspose, pooling, Batch/InstanceNormalization, Resize): cases that must
# pass, not merely be refused. 3-D (volumetric) cases, dilated pooling, MaxPool's indices output,
# training-mode BatchNormalization, uint8 inputs, cubic / tf_crop_and_resize / antialiased Resize and
# linear Resize whose samples TF Lite's RESIZE_BILINEAR cannot place are refused with clear errors.
CONV_FAMILY_CASES = [
    "test_basic_conv_with_padding", "test_basic_conv_without_padding", "test_conv_with_strides_padding",
    "test_conv_with_strides_no_padding", "test_conv_with_strides_and_asymmetric_padding",
    "test_conv_with_autopad_same",
    "test_convtranspose", "test_convtranspose_1d", "test_convtranspose_output_shape", "test_convtranspose_pad",
    "test_convtranspose_kernel_shape", "test_convtranspose_pads", "test_convtranspose_dilations",
    "test_convtranspose_autopad_same", "test_convtranspose_group_2", "test_convtranspose_group_2_image_3",
    "test_maxpool_2d_precomputed_pads", "test_maxpool_2d_precomputed_strides", "test_maxpool_2d_precomputed_same_upper",
    "test_maxpool_1d_default", "test_maxpool_2d_default", "test_maxpool_2d_same_upper", "test_maxpool_2d_same_lower",
    "test_maxpool_2d_pads", "test_maxpool_2d_strides", "test_maxpool_2d_ceil",
    "test_maxpool_2d_ceil_output_size_reduce_by_one",
    "test_averagepool_2d_precomputed_pads", "test_averagepool_2d_precomputed_pads_count_include_pad",
    "test_averagepool_2d_precomputed_strides", "test_averagepool_2d_precomputed_same_upper",
    "test_averagepool_1d_default", "test_averagepool_2d_default", "test_averagepool_2d_same_upper",
    "test_averagepool_2d_same_lower", "test_averagepool_2d_pads", "test_averagepool_2d_pads_count_include_pad",
    "test_averagepool_2d_strides", "test_averagepool_2d_ceil", "test_averagepool_2d_ceil_last_window_starts_on_pad",
    "test_globalaveragepool", "test_globalaveragepool_precomputed", "test_globalmaxpool",
    "test_globalmaxpool_precomputed", "test_batchnorm_example", "test_batchnorm_epsilon",
    "test_resize_upsample_scales_nearest", "test_resize_downsample_scales_nearest",
    "test_resize_upsample_sizes_nearest",
    "test_resize_downsample_sizes_nearest", "test_resize_upsample_scales_linear",
    "test_resize_upsample_scales_linear_align_corners", "test_resize_upsample_sizes_nearest_floor_align_corners",
    "test_resize_upsample_sizes_nearest_round_prefer_ceil_asymmetric",
    "test_resize_upsample_sizes_nearest_ceil_half_pixel", "test_resize_upsample_scales_nearest_axes_2_3",
    "test_resize_upsample_scales_nearest_axes_3_2", "test_resize_upsample_sizes_nearest_axes_2_3",
    "test_resize_upsample_sizes_nearest_axes_3_2", "test_resize_upsample_sizes_nearest_not_larger",
    "test_resize_upsample_sizes_nearest_not_smaller", "test_resize_downsample_sizes_nearest_not_larger",
    "test_resize_downsample_sizes_nearest_not_smaller", "test_instancenorm_example", "test_instancenorm_epsilon",
]
# cases whose expected outputs ONNX wrote rounded: (absolute tolerance, why)
ROUNDED_EXPECTED = {
    "test_averagepool_2d_ceil_last_window_starts_on_pad": (
        1e-4, "expected written to 4 decimals (0.1511); the exact mean is (0.8580+0.0786+0.2692+0.1537)/9 = 0.151056"),
}
CLAIMED_CASES = [*CONV_FAMILY_CASES]



@pytest.mark.parametrize("name", CLAIMED_CASES)
def test_claimed_case_is_imported_and_correct(name, tmp_path):
    """A claimed case is never refused, and the reference interpreter gives ONNX's outputs (the
    per-operator test above also runs the C backend on it)."""
    case = next((c for cases in cases_by_op().values() for c in cases if c.name == name), None)
    assert case is not None, f"{name}: ONNX has no such case of a claimed operator"
    atol = ROUNDED_EXPECTED.get(name, (ATOL,))[0]
    for k, (inputs, expected) in enumerate(case.data_sets):
        g, ins = import_case(case.model, inputs, tmp_path)
        out = interpreter.run(g, [np.asarray(x) for x in ins])
        for i, e in enumerate(expected):
            e = np.asarray(e)
            np.testing.assert_allclose(out[i].reshape(e.shape), e, rtol=RTOL, atol=atol, err_msg=f"{name} {k} {i}")
