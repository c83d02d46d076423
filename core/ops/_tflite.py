"""TFLite's side of an operator: builtin name, options table and the codec between its options /
constant operands and the core attributes, read by the TFLite importer and the flatbuffer writer
alike (plugins/importers/tflite.py, backends/tflm/flatbuffer.py) so the two cannot drift apart.

A codec's `read(ctx)` gets a TFLiteReadContext (core/ops/protocol.py: the options table or None,
the operator's tensors, checked helpers for windows and fused activations) and returns the core
attributes; `write(ctx, node, inputs)` gets a TFLiteWriteContext and returns (builtin name, options
object or None, input indices). Shared here: TFLite's fused-activation codes, SAME/VALID padding,
and the codecs of the windowed and fused-activation-only operators.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tinycc.core.ops import common

if TYPE_CHECKING:
    from tinycc.core.graph import Graph, Node
    from tinycc.core.ops.protocol import TFLiteReadContext, TFLiteWriteContext

Written = tuple[str, Any, list[int]]      # what a codec's write returns: (builtin, options or None, inputs)

ACTIVATION_CODES = {0: "none", 1: "relu", 2: "relu_n1_to_1", 3: "relu6"}     # ActivationFunctionType
ACTIVATION_OF = {name: code for code, name in ACTIVATION_CODES.items()}
PADDING_SAME, PADDING_VALID = 0, 1


@dataclass(frozen=True)
class TFLite:
    """An operator's TFLite builtin(s) and options codec."""
    builtin: str                         # the builtin the writer emits (a codec's write may pick another)
    options: str | None = None           # the options table it reads and writes (TFLM: builtin_options_as_<type>)
    required: bool = False               # an absent or foreign table is refused (zero strides, unknown padding)
    also: tuple[str, ...] = ()           # further builtins imported as this operator (PADV2 -> pad)
    operands: int | None = None          # inputs kept as tensors (the first n); the constant rest become
    #                                      attributes (`inputs` below keeps others: SPLIT, FILL)
    read: Callable[[TFLiteReadContext], dict[str, Any]] | None = None   # -> core attributes
    write: Callable[[TFLiteWriteContext, Node, list[int]], Written] | None = None   # (node, inputs) -> Written
    pad_fill: str | None = "zero_point"  # pads SAME/VALID cannot express: a PAD in front filled with this
    #                                      ("zero_point", "lowest"); None: cannot be written
    resolver: dict[str, str] = field(default_factory=dict)   # builtin -> TFLM MicroMutableOpResolver method, where it
    #                                      is not "Add" + the builtin's parts capitalised (AddConv2D)
    inputs: tuple[int, ...] | None = None   # the TFLite inputs that become the core inputs, in this order,
    #                                      when TFLite's order differs (TRANSPOSE_CONV: output shape first);
    #                                      the others are constants the codec reads into attributes
    fused_activation: bool = True        # the options' fusedActivationFunction is a fused clamp the importer
    #                                      checks (False: the codec reads it itself, e.g. LSTM's cell gate TANH)
    max_inputs: int | None = None        # the most inputs TF Lite Micro's kernel takes (CONCATENATION's
    #                                      kMaxInputNum): the tflm backend declares it (core/backend.py input_limits)
    custom: str | None = None            # a custom operator's custom_code (builtin "CUSTOM"): its options are
    #                                      a flexbuffer map, read as ctx.custom (a dict) and written back from
    #                                      the dict `write` returns in place of an options object


def pads(padding: int, in_shape: Sequence[int], kernel: Sequence[int], strides: Sequence[int],
         dilations: Sequence[int]) -> tuple[int, int, int, int]:
    """Explicit (top, left, bottom, right) pads of TFLite's SAME / VALID padding."""
    if padding != PADDING_SAME:
        return (0, 0, 0, 0)
    top, bottom = common.same_padding(in_shape[1], kernel[0], strides[0], dilations[0])
    left, right = common.same_padding(in_shape[2], kernel[1], strides[1], dilations[1])
    return (top, left, bottom, right)


def padding(node: Node, in_shape: Sequence[int], kernel: Sequence[int], strides: Sequence[int],
            dilations: Sequence[int]) -> int | None:
    """SAME or VALID for the node's explicit pads, or None when TFLite cannot express them."""
    explicit = tuple(node.attrs.get("pads", (0, 0, 0, 0)))
    if not any(explicit):
        return PADDING_VALID
    if explicit == pads(PADDING_SAME, in_shape, kernel, strides, dilations):
        return PADDING_SAME
    return None


def window_kernel(node: Node, g: Graph) -> Sequence[int]:
    """The window of a windowed node: its `kernel` attribute (pooling) or its filter's spatial dims."""
    a = node.attrs
    kernel: Sequence[int] = a["kernel"] if "kernel" in a else g.tensors[node.input(1)].shape[1:3]
    return kernel


# --- codecs shared by several operators ---------------------------------------------------------

def read_activation(ctx: TFLiteReadContext) -> dict[str, Any]:
    return {"activation": ctx.activation}


def write_activation(ctx: TFLiteWriteContext, node: Node, inputs: list[int]) -> Written:
    opt = ctx.options()
    opt.fusedActivationFunction = ctx.activation_code
    return ctx.builtin, opt, inputs


def read_conv(ctx: TFLiteReadContext) -> dict[str, Any]:
    x, w = ctx.x, ctx.input(1)
    if w is None or len(w.shape) != 4 or len(x.shape) != 4:
        raise ctx.fail("needs a 4-D input and a 4-D filter, got "
                       f"{x.shape} and {None if w is None else w.shape}")
    o = ctx.o
    dil = (int(o.dilationHFactor), int(o.dilationWFactor))
    return {**ctx.window(w.shape[1:3], dil), "dilations": dil, "activation": ctx.activation}


def write_conv(ctx: TFLiteWriteContext, node: Node, inputs: list[int]) -> Written:
    a = node.attrs
    w = ctx.g.tensors[node.input(1)]
    opt = ctx.options()
    opt.padding = padding(node, ctx.x.shape, w.shape[1:3], a["strides"], a["dilations"])
    opt.strideH, opt.strideW = (int(v) for v in a["strides"])
    opt.dilationHFactor, opt.dilationWFactor = (int(v) for v in a["dilations"])
    opt.fusedActivationFunction = ctx.activation_code
    return ctx.builtin, opt, inputs


def read_pool(ctx: TFLiteReadContext) -> dict[str, Any]:
    o = ctx.o
    kernel = (int(o.filterHeight), int(o.filterWidth))
    return {**ctx.window(kernel), "kernel": kernel, "activation": ctx.activation}


def write_pool(ctx: TFLiteWriteContext, node: Node, inputs: list[int]) -> Written:
    a = node.attrs
    opt = ctx.options()
    opt.padding = padding(node, ctx.x.shape, a["kernel"], a["strides"], (1, 1))
    opt.strideH, opt.strideW = (int(v) for v in a["strides"])
    opt.filterHeight, opt.filterWidth = (int(v) for v in a["kernel"])
    opt.fusedActivationFunction = ctx.activation_code
    return ctx.builtin, opt, inputs


def keys(codec: TFLite) -> tuple[str, ...]:
    """The names the importer's operator table files `codec` under: its builtins, or
    "CUSTOM/<custom_code>" for a custom operator."""
    return (f"CUSTOM/{codec.custom}",) if codec.custom else (codec.builtin, *codec.also)


def read_custom_options(raw: Any) -> dict[str, Any]:
    """A custom operator's flexbuffer options as a dict ({} when absent); ValueError when corrupt."""
    if raw is None or len(raw) == 0:
        return {}
    from flatbuffers import flexbuffers
    try:
        value = flexbuffers.Loads(bytes(bytearray(raw)))
    except Exception as exc:  # noqa: BLE001 - hostile bytes surface as any exception
        raise ValueError(f"{type(exc).__name__}: {exc}") from None
    if not isinstance(value, dict):
        raise ValueError(f"the options are a flexbuffer {type(value).__name__}, not a map")
    return _in_stored_order(raw, value)


def write_custom_options(options: dict[str, Any]) -> bytes:
    """A custom operator's options as the flexbuffer map TF Lite Micro reads (keys sorted)."""
    from flatbuffers import flexbuffers
    return bytes(flexbuffers.Dumps(options))


def _in_stored_order(raw: Any, value: dict[str, Any]) -> dict[str, Any]:
    """The decoded map `value` with its keys in the order their strings are stored in the flexbuffer
    (the order its writer added them), so that writing the dict back gives the same bytes; `value`
    unchanged when the key offsets cannot be read."""
    from flatbuffers import flexbuffers
    try:
        keys = flexbuffers.GetRoot(bytes(bytearray(raw))).AsMap.Keys
        at = {k.AsKey: int(k._Indirect()._offset) for k in keys}     # noqa: SLF001 - no public accessor
    except Exception:  # noqa: BLE001 - an older flatbuffers without these internals: keep the sorted order
        return value
    return {k: value[k] for k in sorted(value, key=lambda k: (at.get(k, 0), k))}
