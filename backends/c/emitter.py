"""Builds the C sources of one model: tensor addresses, constant arrays, kernel calls.

A `CModule` is filled by the per-operator emitters in `backends/c/ops/` (one per core op,
same names) and rendered through the jinja2 templates in `templates/`. Everything is emitted
in a fixed order from the graph, so the same model always gives the same bytes.
"""
from __future__ import annotations

import hashlib

import numpy as np

from tinycc.backends.c import names
from tinycc.backends.c.kernel_units import read_unit
from tinycc.core.errors import TinyccError
from tinycc.core.graph import Graph, np_dtype
from tinycc.core.planner import MemoryPlan

CTYPES = {"int8": "int8_t", "uint8": "uint8_t", "int16": "int16_t", "int32": "int32_t", "int64": "int64_t",
          "float32": "float", "bool": "uint8_t", "uint16": "uint16_t", "uint32": "uint32_t", "uint64": "uint64_t"}
SUFFIX = {"int8": "s8", "int16": "s16", "float32": "f32", "int32": "s32"}
# the layer shape structs whose int fields narrow to uint16_t when the model's values fit (struct()); the
# depthwise one only without a fast depthwise node (TINYCC_DW_WIDE: its row loops read the fields, KWS took
# 16 K more est. cycles to save 152 bytes)
DIM_STRUCTS = ("tinycc_conv_shape", "tinycc_dw_shape", "tinycc_pool_shape", "tinycc_ring_shape")


def c_float(v: float) -> str:
    v = float(np.float32(v))
    if np.isnan(v):
        return "NAN"
    if np.isinf(v):
        return "INFINITY" if v > 0 else "-INFINITY"
    text = repr(v)
    if "e" not in text and "." not in text:
        text += ".0"
    return text + "f"


def c_values(arr: np.ndarray, per_line: int = 16) -> str:
    flat = np.asarray(arr).reshape(-1)
    if flat.dtype == np.float32:
        items = [c_float(v) for v in flat]
    elif flat.dtype == np.int64:
        items = [f"INT64_C({int(v)})" for v in flat]
    elif flat.dtype == np.uint64:
        items = [f"UINT64_C({int(v)})" for v in flat]
    elif flat.dtype == np.uint32:
        items = [f"{int(v)}u" for v in flat]
    elif flat.dtype == np.int32:
        items = [str(int(v)) if int(v) != -(1 << 31) else "INT32_MIN" for v in flat]
    else:
        items = [str(int(v)) for v in flat]
    lines = [", ".join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
    return ",\n    ".join(lines)


def read_kernel(name: str) -> str:
    """A kernel unit's C text (kernel_units.UNITS: its reference and optimised files, in order)."""
    return read_unit(name)


class CModule:
    base = 0          # where the module's arena region starts (a called subgraph's: backends/c/subgraphs.py)
    optimize = "speed"    # "size": the emitters' variant tables skip their fast variants (ops/_variants.py)
    blob = False          # --weights-blob: constants become pointers into NAME.weights (weights_blob.py)

    def __init__(self, g: Graph, plan: MemoryPlan, prefix: str):
        self.g = g
        self.plan = plan
        self.prefix = prefix
        # never the kernels' or the template's identifiers, nor the model's public symbols
        self.namer = names.Namer(reserved={*names.kernel_identifiers(), prefix, f"{prefix}_invoke",
                                           f"{prefix}_input_bytes", f"{prefix}_output_bytes",
                                           *([f"{prefix}_reset"] if plan.state_bytes else [])}, owned=prefix)
        self.weights: list[dict] = []        # flash arrays, in NAME_weights.c
        self.locals: list[str] = []          # small static consts in NAME.c (shape structs, tables)
        self.body: list[str] = []
        self.kernels: list[str] = []
        self.raw_kernels: list[str] = []     # kernel source made elsewhere (e.g. by TVM for the microtvm backend)
        self._const_by_digest: dict[tuple, str] = {}
        self._struct_by_value: dict[tuple[str, str], str] = {}
        self.shared: dict[str, dict] = {}     # what an emitter works out once for all its layers (ops/_addsub_fast.py)
        self._tensor_symbol: dict[str, str] = {}
        self.needs_math = False
        # per-model kernel switches, #defined before the kernels: a path no node of the model takes is
        # compiled out (e.g. TINYCC_DW_ONLY_PF, kernels/optimised/depthwise_conv_2d_fast.h)
        self.defines: dict[str, int] = {}
        self.needs_string = False
        # subgraphs (backends/c/subgraphs.py), shared by the modules of one program: the end of the arena
        # regions placed so far, the functions made, the resource variables' state offsets, the run-time
        # failures some kernel reports (backends/c/status.py names: NAME.h declares only those)
        self.program: dict = {"end": plan.arena_bytes, "functions": {}, "text": [],
                               "resources": plan.resource_offsets, "status": set()}

    # ---- kernels and constants ----
    def use_kernel(self, header: str):
        if header not in self.kernels:
            self.kernels.append(header)

    def const_array(self, arr: np.ndarray, hint: str, comment: str = "") -> str:
        """A `const` array in flash with these values (identical arrays are shared)."""
        arr = np.ascontiguousarray(arr)
        dtype = {np.dtype(np_dtype(k)): k for k in CTYPES if k != "bool"}[arr.dtype]
        key: tuple[object, ...] = (dtype, arr.shape, hashlib.sha256(arr.tobytes()).hexdigest())
        if self.blob:       # one slot per role: which values happen to repeat must not change a blob's layout
            key += (comment,)
        if key in self._const_by_digest:
            return self._const_by_digest[key]
        symbol = self.namer(f"{self.prefix}_{hint}")
        if dtype == "float32" and not np.all(np.isfinite(arr)):
            self.needs_math = True
        self.weights.append({"symbol": symbol, "ctype": CTYPES[dtype], "count": max(arr.size, 1),
                             "values": c_values(arr) if arr.size else "0", "nbytes": arr.nbytes,
                             "comment": names.comment(comment), "array": arr, "dtype": dtype})
        self._const_by_digest[key] = symbol
        return symbol

    # ---- per-model kernel switches: each node states what it needs, the model's #define combines them ----
    def define_max(self, name: str, value: int | bool, floor: int = 0) -> None:
        """#define `name` as the largest value any node asks for (at least `floor`): a kernel path (1)
        compiled in when one node of the model takes it, 0 when none does."""
        self.defines[name] = max(self.defines.get(name, floor), int(value))

    def define_min(self, name: str, value: int | bool) -> None:
        """#define `name` as the smallest value any node asks for (1 until one asks for 0): a shortcut kept
        only while every node allows it."""
        self.defines[name] = min(self.defines.get(name, 1), int(value))

    def define_bits(self, name: str, bits: int) -> None:
        """#define `name` as the union of the bit sets the nodes ask for (which of a kernel's loops
        are compiled in)."""
        self.defines[name] = self.defines.get(name, 0) | int(bits)

    def define_agreed(self, name: str, value: int) -> None:
        """#define `name` as `value` while every node asks for the same one, else 0 (a constant a kernel
        folds in only when the model's nodes share it)."""
        self.defines[name] = value if self.defines.get(name, value) == value else 0

    def local(self, declaration: str):
        self.locals.append(declaration)

    def struct(self, ctype: str, hint: str, values) -> str:
        """A static const struct; a list among `values` initialises an array member. The layer shape
        structs (DIM_STRUCTS) take uint16_t fields (TINYCC_DIM16, kernels' TINYCC_*_DIM) while every value
        of every one the model stores lies in [0, 65535], else int. Layers of one shape share one struct
        (the first one's name): KWS's four depthwise and four 1x1 layers store one of each, not four."""
        def init(v):
            return "{" + ", ".join(init(x) for x in v) + "}" if isinstance(v, (list, tuple)) else str(int(v))
        if ctype in DIM_STRUCTS:
            fits = all(0 <= int(v) <= 0xFFFF for v in values)
            self.define_min("TINYCC_DIM16", fits)
        key = (ctype, init(list(values)))
        if key not in self._struct_by_value:
            symbol = self._struct_by_value[key] = self.namer(hint)
            self.local(f"static const {ctype} {symbol} = {key[1]};")
        return self._struct_by_value[key]

    # ---- tensors ----
    def ctype(self, name: str) -> str:
        return CTYPES[self.g.tensors[name].dtype]

    def ptr(self, name: str | None, const: bool = False) -> str:
        """C expression for a tensor's data pointer."""
        if name is None:
            return "NULL"
        t = self.g.tensors[name]
        ctype = CTYPES[t.dtype]
        cq = "const " if const else ""
        if t.data is not None:                       # a constant
            if name not in self._tensor_symbol:
                self._tensor_symbol[name] = self.const_array(t.data, "w", comment=f"{name} {t.dtype} {list(t.shape)}")
            return self._tensor_symbol[name]
        if name in self.g.inputs and not (name in self.g.outputs and not const):
            return f"(({cq}{ctype} *)inputs[{self.g.inputs.index(name)}])"
        if name in self.g.outputs:
            return f"(({cq}{ctype} *)outputs[{self.g.outputs.index(name)}])"
        if name in self.plan.state_offsets:
            return f"(({cq}{ctype} *)(tinycc_state.bytes + {self.plan.state_offsets[name]}))"
        return f"(({cq}{ctype} *)(arena.bytes + {self.plan.offsets[name]}))"

    def scratch(self, node, ctype: str = "void") -> str:
        """C expression for the node's planned scratch buffer (an operator's `scratch_bytes`, the
        planner's `plan.scratch`) as a `ctype *`, in this module's arena region."""
        key = self.plan.scratch.get(self.g.index_of(node))
        if key is None:
            raise TinyccError("the memory plan has no scratch buffer for this operator", node=node.name, op=node.op,
                              hint="plan with tinycc.core.planner, which reserves operators' scratch")
        return f"(({ctype} *)(arena.bytes + {self.base + self.plan.offsets[key]}))"

    def emit(self, line: str):
        self.body.append(line)

    def copy(self, dst: str, src: str, nbytes: int):
        self.needs_string = True
        self.emit(f"memcpy({dst}, {src}, {nbytes});")

    def add_kernel_source(self, source: str):
        if source not in self.raw_kernels:
            self.raw_kernels.append(source)

    def kernel_source(self) -> str:
        defines = [f"#define {k} {v}" for k, v in sorted(self.defines.items())]
        return "\n".join([*defines, *(read_kernel(k) for k in ["tinycc_fixedpoint.h", "copy.h", *self.kernels]),
                          *self.raw_kernels])


def state_resets(g: Graph, plan: MemoryPlan) -> list[dict]:
    """What NAME_reset() writes into the state buffer: per variable tensor its offset, C type, element
    count and reset value (TF Lite Micro's: an int8 tensor's zero point, else 0)."""
    out = []
    for name, offset in plan.state_offsets.items():
        t = g.tensors[name]
        fill = t.quant.zp if t.dtype == "int8" and t.quant is not None else 0
        out.append({"offset": offset, "ctype": CTYPES[t.dtype], "count": t.size, "nbytes": t.nbytes,
                    "fill": fill, "byte": _fill_byte(np.full(1, fill, np_dtype(t.dtype))),
                    "comment": names.comment(f"{name} {t.dtype} {list(t.shape)}", 100)})
    if plan.resource_offsets:
        from tinycc.core import control
        variables = control.variables(g)
        for key, offset in plan.resource_offsets.items():
            v = variables[key]              # TF Lite Micro's reset zeroes resource variables
            out.append({"offset": offset, "ctype": CTYPES[v.dtype], "count": int(np.prod(v.shape, dtype=np.int64)),
                        "nbytes": v.nbytes, "fill": 0, "byte": 0,
                        "comment": names.comment(f"variable {v.label} {v.dtype} {list(v.shape)}", 100)})
    return out + node_state_resets(g, plan)


def _fill_byte(value: np.ndarray) -> int | None:
    """The byte (-128..127) every byte of a reset to this one-element value is, or None (NAME_reset()
    then stores elements: tinycc_fill_bytes takes the others, word stores instead of memset's bytes)."""
    raw = np.ascontiguousarray(value).view(np.int8)
    return int(raw[0]) if np.all(raw == raw[0]) else None


def _state_dtype(arr: np.ndarray) -> str:
    return {np.dtype(np_dtype(k)): k for k in CTYPES if k != "bool"}[arr.dtype]


def node_state_resets(g: Graph, plan: MemoryPlan) -> list[dict]:
    """NAME_reset()'s entries for the nodes' kernel state (planner.kernel_state): per segment its
    offset, C type, count and reset value (every segment resets to one value, e.g. zero)."""
    from tinycc.core.planner import kernel_state
    out = []
    for node in g.nodes:
        for k, (offset, arr) in enumerate(zip(plan.node_state_offsets.get(node.name, ()), kernel_state(node, g))):
            flat = np.asarray(arr).reshape(-1)
            if flat.size == 0:
                continue
            if not np.all(flat == flat[0]):
                raise ValueError(f"{node.name}: kernel state segment {k} does not reset to one value")
            dtype = _state_dtype(flat)
            fill = c_values(flat[:1])
            out.append({"offset": offset, "ctype": CTYPES[dtype], "count": flat.size, "nbytes": flat.nbytes,
                        "fill": fill, "byte": _fill_byte(flat[:1]),
                        "comment": names.comment(f"{node.name} kernel state {k} {dtype} [{flat.size}]", 100)})
    return out


def node_state_ptrs(m: CModule, node) -> list[str]:
    """C pointers to a node's kernel state segments in the persistent state buffer, typed as the
    segments' arrays (planner.kernel_state), in order."""
    from tinycc.core.planner import kernel_state
    return [f"(({CTYPES[_state_dtype(np.asarray(arr))]} *)(tinycc_state.bytes + {offset}))"
            for offset, arr in zip(m.plan.node_state_offsets.get(node.name, ()), kernel_state(node, m.g))]
