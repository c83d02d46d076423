"""SPACE_TO_BATCH_ND: pad the spatial dimensions, then move each block offset (sh, sw) into the
batch: out[(sh * bw + sw) * N + n, oh, ow, c] = padded[n, oh * bh + sh, ow * bw + sw, c].
The padding is the real value 0: 0.0, or the zero point (TFLite's kernel: output_offset). TFLM's
kernel never sets its pad value (SpaceToBatchParams is allocated, never filled), so its padded
elements are whatever the arena held (seen: 0, 1, 2 from one run to the next); every other element
equals TFLM's, and the padded ones equal TFLite's (tests/ops/test_space_to_batch_padding.py)."""
from __future__ import annotations

import numpy as np

from tinycc.core.ops import _space_batch as sb
from tinycc.core.ops import _tflite
from tinycc.core.ops import common as c

NAME = "space_to_batch_nd"
INPUTS = ("input",)
ATTRS = {"block_shape": (), "paddings": ()}
DTYPES, SIGNATURES = sb.DTYPES, sb.SIGNATURES
SHARES_INPUT_QUANT, VALUE_PRESERVING = True, True


def infer(node, g):
    (n, h, w, ch), (bh, bw), ((pt, pb), (pl, pr)) = sb.geometry(node, g, "paddings")
    hp, wp = h + pt + pb, w + pl + pr
    if hp % bh or wp % bw:
        raise c.fail(node, f"padded spatial size {hp}x{wp} is not a multiple of block_shape "
                           f"{node.attrs['block_shape']}")
    rank = len(g.tensors[node.inputs[0]].shape)
    return [(n * bh * bw, hp // bh, wp // bw, ch) if rank == 4 else (n * bh, hp // bh, ch)]


def prepare(node, g):
    p = sb.prepare(node, g, "SPACE_TO_BATCH_ND")
    x = g.tensors[node.inputs[0]]
    return {**p, "fill": int(x.quant.zp) if p["dtype"] == "int8" else 0}


def run(node, g, inputs, p):
    (n, h, w, ch), (bh, bw), pads = sb.geometry(node, g, "paddings")
    x = np.pad(sb.as4(inputs[0]), ((0, 0), *pads, (0, 0)), constant_values=p["fill"])
    hp, wp = x.shape[1], x.shape[2]
    y = x.reshape(n, hp // bh, bh, wp // bw, bw, ch).transpose(2, 4, 0, 1, 3, 5)
    return [np.ascontiguousarray(y).reshape(g.tensors[node.outputs[0]].shape)]


TFLITE = _tflite.TFLite("SPACE_TO_BATCH_ND", operands=1, read=lambda ctx: sb.block_attrs(ctx, "paddings"),
                        write=sb.block_write("paddings"))
