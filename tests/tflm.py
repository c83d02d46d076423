"""Test support: TF Lite Micro as the oracle, and where the shared real models live."""
from __future__ import annotations

import os
from pathlib import Path

from tinycc.backends.tflm.interpreter import measure_arena, run_tflm  # noqa: F401  (re-exported for tests)

REPO = Path(__file__).resolve().parents[1]


# every model of ../shared/models that TF Lite Micro runs: the int8 ones first, then the float ones
SHARED_MODELS = ["mlperf_tiny/kws_ref_model.tflite", "mlperf_tiny/vww_96_int8.tflite",
                 "mlperf_tiny/pretrainedResnet_quant.tflite", "mlperf_tiny/ad01_int8.tflite",
                 "tflm_examples/hello_world_int8.tflite", "tflm_examples/micro_speech_quantized.tflite",
                 "tflm_examples/person_detect.tflite", "mlperf_tiny/vww_96_float.tflite",
                 "mlperf_tiny/pretrainedResnet.tflite", "mlperf_tiny/ad01_fp32.tflite",
                 "tflm_examples/hello_world_float.tflite"]


def models_dir() -> Path:
    """$TINYCC_MODELS, or ../shared/models beside the repository."""
    return Path(os.environ.get("TINYCC_MODELS", REPO.parent / "shared" / "models"))


def tflm_arena_bytes(model: bytes) -> dict[str, int]:
    return measure_arena(model)


def assert_reference_c_and_tflm_equal(g, samples, tmp_path) -> None:
    """The first output of graph `g` on each sample: tinycc's reference interpreter, the C built on the
    host, and TF Lite Micro running tinycc's flatbuffer of `g`, all byte for byte equal."""
    import numpy as np

    from tests.c_build import build, run_exe
    from tinycc.backends.tflm.flatbuffer import write_tflite
    from tinycc.core import interpreter
    model = write_tflite(g)
    c_outs = run_exe(build(g, tmp_path), g, samples)
    for k, xs in enumerate(samples):
        ref = interpreter.run(g, xs)[0]
        np.testing.assert_array_equal(run_tflm(model, xs)[0].reshape(ref.shape), ref, err_msg=f"TFLM, sample {k}")
        np.testing.assert_array_equal(c_outs[k][0].reshape(ref.shape), ref, err_msg=f"C, sample {k}")
