"""What an operator module (`core/ops/<op>.py`) declares, as a `typing.Protocol`, and the
contexts its TFLite codec is handed.

Required: the schema (NAME, INPUTS, ATTRS, DTYPES, SIGNATURES), the shape rule (`infer`), the
integer constants (`prepare`) and the reference kernel (`run`). Optional, read through
`tinycc.core.ops.trait(op, name)` with the defaults of `tinycc.core.ops.TRAITS`: `macs`, the
traits (upper-case module attributes, e.g. `ELEMENTWISE = True`) and `TFLITE`, the TFLite codec
(core/ops/_tflite.py). Passes, the importers and the writer ask these instead of keeping lists
of operator names.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import numpy as np

    from tinycc.core.graph import Graph, Node, Tensor


class OperatorModule(Protocol):
    NAME: str                           # core op name (lower-case, TFLM kernel naming)
    INPUTS: tuple[str, ...]             # input roles; "?" optional, "*" variadic
    ATTRS: dict[str, Any]               # attribute defaults (the schema)
    DTYPES: tuple[str, ...]             # activation dtypes
    SIGNATURES: tuple[str, ...]         # "in, in -> out" per INPUTS role

    def infer(self, node: Node, g: Graph) -> list[tuple[int, ...]]: ...

    def prepare(self, node: Node, g: Graph) -> dict[str, Any]: ...

    def run(self, node: Node, g: Graph, inputs: list[np.ndarray | None],
            params: dict[str, Any]) -> list[np.ndarray]: ...


class TFLiteReadContext(Protocol):
    """What the importer hands a codec's `read` for one operator."""
    o: Any                              # the options table the operator reads, or None (TFLM: all zero)
    x: Any                              # the first input tensor
    activation: str                     # the checked fused activation ("none" without one)

    def input(self, k: int) -> Any: ...             # input tensor k, or None (absent / omitted)

    def output(self, k: int) -> Any: ...            # output tensor k

    def const(self, k: int, what: str) -> Any: ...  # input k's constant data, refused when not constant

    def window(self, kernel: tuple[int, int],                # checked {"strides", "pads"}
               dilations: tuple[int, int] = (1, 1)) -> dict[str, Any]: ...

    def fail(self, message: str, hint: str | None = None) -> Exception: ...

    def enum_name(self, enum: str, value: int) -> str: ...     # "NAME (value)" of a schema enum


class TFLiteWriteContext(Protocol):
    """What the writer hands a codec's `write` for one node."""
    g: Any                              # the graph
    x: Any                              # the first input tensor
    builtin: str                        # the codec's builtin name
    activation_code: int                # the node's fused activation as TFLite's code

    def options(self) -> Any: ...                   # a fresh object of the codec's options table

    def const_int32(self, node: Node, what: str, values: Any) -> int: ...   # a new int32 constant operand's index

    def made(self, tensor: Tensor) -> int: ...      # a new tensor's index (never shared by name)

    def variable(self, tensor: Tensor) -> int: ...  # a new variable tensor's index (an LSTM's state)
