"""ONNX operator conversions: one module per ONNX operator whose conversion is not a plain rename.

A module is found by its name: `mat_mul.py` converts MatMul, `batch_normalization.py`
BatchNormalization (snake_case of the ONNX name). It defines
  convert(ctx, node, out, name)  adds the core nodes for ONNX `node` to the importer `ctx`
                                 (plugins/importers/onnx.py's builder), its output named `out`
  MIN_INPUTS                     inputs the operator cannot do without (default 1)
  KEEPS_NCW                      True when it takes a 3-D NCW activation held as (N, 1, W, C)
                                 (see plugins/importers/onnx.py); others get (N, C, W)
  ANY_OUTPUT                     True when its first output may be absent if a later one is given
  ONNX_NAME                      the operator's name where snake_case does not spell it (lstm.py: LSTM)
Modules whose name starts with "_" hold what several conversions share.

One-to-one operators (one ONNX node is one core op: Relu, Add, ...) need no module here: the
core op declares `ONNX_OP` (and `ONNX_ATTRS`) in core/ops/<op>.py, and `converters()` adds them.
"""
from __future__ import annotations

import functools
import importlib
import pkgutil
from collections.abc import Callable
from typing import NamedTuple

from tinycc.core import ops
from tinycc.plugins.importers.onnx_ops import _elementwise


class Converter(NamedTuple):
    convert: Callable          # (ctx, node, out, name) -> None
    min_inputs: int
    keeps_ncw: bool = False    # takes a held NCW activation as it is held (one-to-one ops are elementwise)
    any_output: bool = False   # its first output may be absent ("") when a later one is given


def onnx_name(module_name: str) -> str:
    """The ONNX operator a module converts: batch_normalization -> BatchNormalization."""
    return "".join(part.capitalize() for part in module_name.split("_"))


@functools.lru_cache(maxsize=1)
def converters() -> dict[str, Converter]:
    """ONNX operator -> its conversion: this folder's modules, then the core ops' ONNX_OP."""
    found: dict[str, Converter] = {}
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        name = getattr(module, "ONNX_NAME", onnx_name(info.name))
        found[name] = Converter(module.convert, getattr(module, "MIN_INPUTS", 1), getattr(module, "KEEPS_NCW", False),
                                getattr(module, "ANY_OUTPUT", False))
    for onnx_op, op in ops.onnx_ops().items():
        if onnx_op in found:
            raise RuntimeError(f"ONNX operator {onnx_op} is converted twice: by {__name__} and by core op {op.NAME}")
        required = sum(not role.endswith("?") for role in op.INPUTS)
        found[onnx_op] = Converter(functools.partial(_elementwise.one_to_one, op), required,
                                  not any("axis" in key for key, _ in getattr(op, "ONNX_ATTRS", {}).values()))
    return found
