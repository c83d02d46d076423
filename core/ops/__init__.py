"""Operator registry: one module per operator, the single definition of its meaning.

Each module `core/ops/<op>.py` defines
  NAME            core op name (lower-case, TFLM kernel naming)
  INPUTS          input roles; a trailing "?" marks an optional input
  ATTRS           attribute defaults (the schema)
  DTYPES          activation dtypes the op supports
  SIGNATURES      the dtype combinations it supports, "in, in -> out" per INPUTS role (a variadic
                  role repeats its dtype); core/validate.py refuses any other before prepare runs
  infer(node, g)  -> list of output shapes (the shape rule)
  prepare(node, g)-> dict of derived integer constants (multipliers, shifts, clamp bounds, LUTs);
                     reference kernels and backends both use these, so they cannot drift apart
  run(node, g, inputs, params) -> list of output arrays (the numpy reference kernel)
  macs(node, g)   -> multiply-accumulates (optional, default 0)
  ONNX_OP         the ONNX operator one node of which is this op, optional (ONNX_ATTRS renames
                  attributes: core name -> (ONNX name, ONNX default)); the ONNX importer uses it
Backends mirror these names in their own folders.
"""
from __future__ import annotations

import importlib
from types import ModuleType

OP_MODULES = (
    "conv_2d", "depthwise_conv_2d", "fully_connected", "average_pool_2d", "max_pool_2d",
    "add", "sub", "mul", "reshape", "softmax", "logistic", "tanh", "relu", "relu6",
    "leaky_relu", "pad", "concatenation", "mean", "quantize", "dequantize", "strided_slice",
    "transpose",
)

_cache: dict[str, ModuleType] = {}


def get(name: str) -> ModuleType | None:
    """The op module for a core op name, or None if tinycc has no such op."""
    if name not in OP_MODULES:
        return None
    if name not in _cache:
        _cache[name] = importlib.import_module(f"{__name__}.{name}")
    return _cache[name]


def supported() -> tuple[str, ...]:
    return OP_MODULES


def attrs_with_defaults(op: ModuleType, attrs: dict) -> dict:
    return {**op.ATTRS, **attrs}


def macs(node, g) -> int:
    op = get(node.op)
    return int(op.macs(node, g)) if op is not None and hasattr(op, "macs") else 0


def onnx_ops() -> dict[str, ModuleType]:
    """ONNX operator -> the op module declaring it as its one-to-one ONNX mapping (ONNX_OP)."""
    return {op.ONNX_OP: op for op in map(get, OP_MODULES) if getattr(op, "ONNX_OP", None)}
