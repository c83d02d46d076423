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
