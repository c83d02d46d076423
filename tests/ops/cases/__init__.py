"""Random single-operator models, one module per core op: `tests/ops/cases/<op>.py` defines
`build(rng, dtype) -> .tflite bytes` and `DTYPES`, the activation dtypes TF Lite Micro runs the op
in (int16 means 16x8 for weighted ops). CASES and DTYPES gather them by op name; adding an
operator's cases is adding its file. Optionally, `HOSTILE_VALID` ({case: () -> bytes}: extreme
but valid quantisation, equal to TFLM and clean under ASan+UBSan) and `HOSTILE_INVALID` ({case:
(() -> bytes, [words the error must contain])}) feed tests/test_hostile_quant.py.

Shapes, strides, paddings, activations, scales and zero points are drawn from `rng`, so a seed
names a case. Output scales are drawn around the magnitude the op produces, so outputs use
their range instead of saturating. The tests run every case through TF Lite Micro.
"""
from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable

from tests.ops.cases._common import unchecked_single_op

__all__ = ["CASES", "DTYPES", "HOSTILE_INVALID", "HOSTILE_VALID", "unchecked_single_op"]

_MODULES = {m.name: importlib.import_module(f"{__name__}.{m.name}")
            for m in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name) if not m.name.startswith("_")}
CASES: dict[str, Callable] = {name: module.build for name, module in _MODULES.items()}
DTYPES: dict[str, tuple[str, ...]] = {name: tuple(module.DTYPES) for name, module in _MODULES.items()}
HOSTILE_VALID: dict[str, Callable] = {case: build for module in _MODULES.values()
                                      for case, build in getattr(module, "HOSTILE_VALID", {}).items()}
HOSTILE_INVALID: dict[str, tuple] = {case: spec for module in _MODULES.values()
                                     for case, spec in getattr(module, "HOSTILE_INVALID", {}).items()}
