"""The core intermediate model description: one graph of tensors and operators, NHWC.

Every importer produces a `Graph`; every pass and backend consumes one. Tensors are keyed by a
unique name; operators (`Node`) are kept in topological order and refer to tensors by name.
Quantisation follows the TFLite spec: real = scale * (q - zero_point), per-tensor or
per-channel along `axis`.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from tinycc.core.errors import TinyccError

if TYPE_CHECKING:
    from tinycc.core.concat_alias import Slice
    from tinycc.core.inplace import InPlace
    from tinycc.core.lut import Lut

DTYPES = {"int8": np.int8, "uint8": np.uint8, "int16": np.int16, "int32": np.int32,
          "int64": np.int64, "float32": np.float32, "bool": np.bool_,
          "uint16": np.uint16, "uint32": np.uint32, "uint64": np.uint64,
          "resource": np.int32}      # a resource variable's handle (TFLite RESOURCE): which variable, no data


def np_dtype(dtype: str) -> np.dtype:
    return np.dtype(DTYPES[dtype])


class NameSpace:
    """Tensor names in use, and fresh ones: `fresh(base)` is `base` itself if free, else `base#k`
    with the smallest free k >= 1, and is taken from then on. Every name tinycc invents comes from
    here, so a model's own names (data: "x#1" and "x/int8" are as legal as "x") can never make two
    tensors share one. Linear in the names made, however hostile the taken ones."""

    def __init__(self, *taken: Iterable[str]) -> None:
        self.taken: set[str] = set()
        for names in taken:
            self.taken.update(names)
        self._next: dict[str, int] = {}

    def __contains__(self, name: object) -> bool:
        return name in self.taken

    def add(self, name: str) -> None:
        self.taken.add(name)

    def fresh(self, base: str) -> str:
        if base not in self.taken:
            self.taken.add(base)
            return base
        k = self._next.get(base, 1)
        while f"{base}#{k}" in self.taken:
            k += 1
        self._next[base] = k + 1
        name = f"{base}#{k}"
        self.taken.add(name)
        return name


@dataclass
class Quant:
    """Affine quantisation parameters; arrays of length 1 (per-tensor) or C (per-channel)."""
    scale: np.ndarray
    zero_point: np.ndarray
    axis: int = 0

    def __post_init__(self) -> None:
        self.scale = np.asarray(self.scale, dtype=np.float32).reshape(-1)
        self.zero_point = np.asarray(self.zero_point, dtype=np.int64).reshape(-1)

    @property
    def per_channel(self) -> bool:
        return self.scale.size > 1

    @property
    def s(self) -> float:
        """The per-tensor scale (as the float32 value stored in the model)."""
        return float(self.scale[0])

    @property
    def zp(self) -> int:
        return int(self.zero_point[0])


@dataclass
class Tensor:
    name: str
    shape: tuple[int, ...]
    dtype: str
    quant: Quant | None = None
    data: np.ndarray | None = None    # constant data (weights, bias, shape operands)
    variable: bool = False            # persistent state (TFLite is_variable): starts at zero (an int8 one at
    #                                   its zero point, as TF Lite Micro resets it), read and updated in place
    #                                   by the op that takes it, kept from one invocation to the next
    int4: bool = False                # int8 weights of values -8..7 stored two a byte (TFLite INT4, core/int4.py)
    lut: Lut | None = None            # stored as indices into value tables (TFLM compression, core/lut.py)

    @property
    def is_const(self) -> bool:
        return self.data is not None

    @property
    def size(self) -> int:
        return int(np.prod(self.shape, dtype=np.int64)) if self.shape else 1

    @property
    def nbytes(self) -> int:
        return self.size * np_dtype(self.dtype).itemsize


@dataclass
class Node:
    name: str
    op: str                       # core op name, e.g. "conv_2d" (see core/ops)
    inputs: list[str | None]      # tensor names; None = omitted optional input
    outputs: list[str]
    attrs: dict[str, Any] = field(default_factory=dict)

    def input(self, k: int) -> str:
        """The name of input `k`, of a role that is not optional (validation refuses a node without it)."""
        name = self.inputs[k]
        if name is None:
            raise TinyccError(f"its input #{k} is missing", node=self.name, op=self.op)
        return name


@dataclass
class PatchInfo:
    """What the patch pass did (core/passes/patch.py): the first `layers` layers in `tiles` row bands."""
    layers: int
    tiles: int
    arena_before: int
    arena_after: int
    extra_macs: int               # MACs recomputed in the bands' overlaps
    macs_before: int


@dataclass
class IoCost:
    """SRAM of a quantised model's float32 inputs and outputs, and as int8 (--io int8)."""
    float_bytes: int
    int8_bytes: int


@dataclass
class ControlFlowNote:
    """Why an importer left subgraphs (control flow) in the model, and the way out: what the
    refusals of what subgraphs prevent (post-training quantisation) say."""
    why: str
    hint: str


@dataclass
class Metadata:
    """What importers and passes record about a graph besides its tensors and nodes (typed)."""
    format: str = ""              # the importer's: "tflite", "onnx", "keras", "pytorch" ("": none,
    #                               e.g. a graph built in Python, or one no longer equal to its file)
    notes: list[str] = field(default_factory=list)   # for the user, shown by the CLI
    io_layout: str = ""           # the ONNX importer's --io-layout ("nhwc": the inputs/outputs were transposed)
    keep_order: bool = False      # a pass fixed the node order (patch bands): no scheduling search
    patch: PatchInfo | None = None
    accuracy: dict[str, Any] | None = None  # quantised against float (core/passes/accuracy.py)
    io_cost: IoCost | None = None
    control_flow: ControlFlowNote | None = None   # why the importer left subgraphs, and the way out
    debug: str = ""               # why the graph differs from the model (core/debug.py)
    tied: dict[str, str] = field(default_factory=dict)   # activation -> its role in a loop an importer
    #                               unrolled (one per step): calibration gives a role one range (tie_ranges.py)
    details: dict[str, Any] = field(default_factory=dict)   # free-form facts shown to people only (opset,
    #                               producer, description, schema_version, quantized_by ...)

    @classmethod
    def of(cls, value: Metadata | dict[str, Any] | None) -> Metadata:
        """`value` as Metadata: a dict (an importer written against the old free-form dict) maps its
        known keys to fields and keeps the others in `details`."""
        if value is None:
            return cls()
        if isinstance(value, Metadata):
            return value
        d = dict(value)
        details = dict(d.pop("details", None) or {})
        details.update({k: d.pop(k) for k in list(d) if k not in cls.__dataclass_fields__})
        return cls(**d, details=details)


@dataclass
class Graph:
    name: str
    tensors: dict[str, Tensor]
    nodes: list[Node]
    inputs: list[str]
    outputs: list[str]
    source: str = ""              # where the model came from (a path), for messages
    metadata: Metadata = field(default_factory=Metadata)
    # the memory passes' decisions (core/passes/memory.py), read by the planner; None: not decided
    inplace: list[InPlace] | None = None   # in-place pairs
    slices: list[Slice] | None = None      # concat inputs planned in their slot
    # every subgraph of a multi-subgraph model, indexed as in the file ([0] the main graph as imported),
    # shared by all of them: what IF / WHILE / CALL_ONCE attributes name; [] for a single-graph model
    subgraphs: list[Graph] = field(default_factory=list, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.metadata = Metadata.of(self.metadata)

    def t(self, name: str) -> Tensor:
        return self.tensors[name]

    def names(self) -> NameSpace:
        """The names this graph uses (tensors and graph edges), to invent new ones from (`NameSpace.fresh`)."""
        return NameSpace(self.tensors, self.inputs, self.outputs)

    def index_of(self, node: Node) -> int:
        """The position of this very node object in `nodes` (names may repeat, so by identity)."""
        return next(i for i, n in enumerate(self.nodes) if n is node)

    def producers(self) -> dict[str, int]:
        """Tensor name -> index of the node that writes it."""
        return {out: i for i, node in enumerate(self.nodes) for out in node.outputs}

    def consumers(self) -> dict[str, list[int]]:
        uses: dict[str, list[int]] = {}
        for i, node in enumerate(self.nodes):
            for name in node.inputs:
                if name is not None:
                    uses.setdefault(name, []).append(i)
        return uses

    def activations(self) -> list[str]:
        """Non-constant tensors, in first-use order (model inputs first)."""
        seen: dict[str, None] = dict.fromkeys(self.inputs)
        for node in self.nodes:
            for name in [*node.inputs, *node.outputs]:
                if name is not None and not self.tensors[name].is_const:
                    seen.setdefault(name)
        return list(seen)
