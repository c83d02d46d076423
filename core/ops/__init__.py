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
  TFLITE          its TFLite builtin and options codec (core/ops/_tflite.py), optional
and, optionally, traits: upper-case module attributes the rest of the compiler asks through
`trait(op, name)` instead of keeping lists of operator names (TRAITS: names and defaults).
core/ops/protocol.py states all of this as a typing.Protocol. Backends mirror these names in
their own folders.
"""
from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType
from typing import TYPE_CHECKING, Any

from tinycc.core.errors import Unsupported

if TYPE_CHECKING:
    from tinycc.core.graph import Graph, Node
    from tinycc.core.ops._tflite import TFLite

HELPERS = frozenset({"common", "protocol"})   # modules of this package that are not operators


def _discover() -> tuple[str, ...]:
    """Every operator module of this package: `<op>.py`, not a `_helper.py` nor a HELPERS module.
    Adding an operator is adding its file; nothing here lists operators by hand."""
    names = (m.name for m in pkgutil.iter_modules(__path__) if not m.ispkg)
    return tuple(sorted(n for n in names if not n.startswith("_") and n not in HELPERS))


OP_MODULES = _discover()

TRAITS = {
    "elementwise": False,          # output element i reads only element i of each (broadcast) input
    "fused_activation": False,     # takes a fused activation the fuse pass may fill ("activation" attr)
    "fusable_activation": False,   # an activation op the fuse pass folds into its producer
    "axis_attrs": {},              # attributes naming axes -> "axis", "axes", "perm", "per_axis", "mask"
    "weighted": False,             # input 1 is a weight (filter), input 2 the bias
    "weight_quant_axis": None,     # per-channel quantisation axis of the filter (None: per tensor)
    "windowed": False,             # strides / dilations / kernel / pads attributes over an NHWC input
    "fixed_output_quant": None,    # (scale, zero point) the int8 output must have (TFLite spec)
    "shares_input_quant": False,   # the quantised output keeps its input's scale and zero point
    "value_preserving": False,     # every output element is an input element (or the pad value):
    #                                commutes with (de)quantisation of one per-tensor input
    "common_quant": False,         # all inputs and the output share one quantisation (requantise)
    "converts_dtype": False,       # QUANTIZE / DEQUANTIZE: changes representation, not value
    "in_place": None,              # "elementwise" or "rows": may write its output over its input
    "bandable": False,             # the patch pass may compute it in horizontal bands
    "view": False,                 # the output is the input's bytes (no kernel)
    "shape_only": False,           # the output is a function of the inputs' shapes, never their values
    #                                (SHAPE): known at compile time, folded like a constant
    "raw_integers": False,         # integer tensors are plain integers (the signal library's audio front
    #                                end): no quantisation parameters needed on int8/int16 ones
    "ordered": False,              # has effects beyond its outputs (resource variables, subgraph calls): keeps
    #                                its place among the other ordered nodes, is never folded nor dropped as dead
    "saturates_outside": None,     # (lo, hi): float inputs outside it leave the int8 output at an extreme
    #                                level (TANH, LOGISTIC): calibration may clip a tensor only these read
    "subgraph_attrs": (),          # attributes naming subgraphs it runs (IF, WHILE, CALL_ONCE): file indices
    "resource_role": None,         # resource variables: "handle" (VAR_HANDLE), "read", "assign"
    "splits_inputs": False,        # a node of many inputs equals a tree of nodes of the same operator and
    #                                attributes over consecutive runs of them, the intermediates of the output's
    #                                type and quantisation (CONCATENATION): a backend's input limit is met by
    #                                splitting (core/passes/legalise.py)
    "speed_scratch": False,        # its `scratch_bytes` is a fast kernel's only: a plain kernel needs none, so
    #                                the planner drops it where it would raise the arena's peak (core/planner.py)
}

_cache: dict[str, ModuleType] = {}


def get(name: str) -> ModuleType | None:
    """The op module for a core op name, or None if tinycc has no such op."""
    if name not in OP_MODULES:
        return None
    if name not in _cache:
        _cache[name] = importlib.import_module(f"{__name__}.{name}")
    return _cache[name]


def require(name: str) -> ModuleType:
    """The op module for a core op name that validation has already checked (core/validate.py
    refuses unknown operators): an unknown one here is still refused as unsupported."""
    op = get(name)
    if op is None:
        raise Unsupported(f"operator {name!r} is not supported", op=name,
                          hint="supported: " + ", ".join(OP_MODULES))
    return op


def supported() -> tuple[str, ...]:
    return OP_MODULES


def attrs_with_defaults(op: ModuleType, attrs: dict[str, Any]) -> dict[str, Any]:
    return {**op.ATTRS, **attrs}


def macs(node: Node, g: Graph) -> int:
    op = get(node.op)
    return int(op.macs(node, g)) if op is not None and hasattr(op, "macs") else 0


def trait(name: str, which: str) -> Any:
    """The operator's trait `which` (its upper-case module attribute), or the default of TRAITS
    for an operator that does not declare it (or is not an operator tinycc knows)."""
    default = TRAITS[which]
    op = get(name)
    return default if op is None else getattr(op, which.upper(), default)


def having(which: str) -> tuple[str, ...]:
    """The operators whose trait `which` is set (differs from its TRAITS default: a falsy value such
    as WEIGHT_QUANT_AXIS = 0 counts), in OP_MODULES order."""
    return tuple(name for name in OP_MODULES if trait(name, which) != TRAITS[which])


def tflite(name: str) -> TFLite | None:
    """The operator's TFLite codec (core/ops/_tflite.TFLite), or None."""
    op = get(name)
    return None if op is None else getattr(op, "TFLITE", None)


def onnx_ops() -> dict[str, ModuleType]:
    """ONNX operator -> the op module declaring it as its one-to-one ONNX mapping (ONNX_OP)."""
    return {op.ONNX_OP: op for op in map(require, OP_MODULES) if getattr(op, "ONNX_OP", None)}
