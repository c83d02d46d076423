"""BATCH_TO_SPACE_ND: the inverse of SPACE_TO_BATCH_ND: in[(sh * bw + sw) * N + n, h, w, c] goes to
row h * bh + sh, column w * bw + sw of image n, then `crops` cut the spatial margins."""
from __future__ import annotations

import numpy as np

from tinycc.core.ops import _space_batch as sb
from tinycc.core.ops import _tflite
from tinycc.core.ops import common as c

NAME = "batch_to_space_nd"
INPUTS = ("input",)
ATTRS = {"block_shape": (), "crops": ()}
DTYPES, SIGNATURES = sb.DTYPES, sb.SIGNATURES
SHARES_INPUT_QUANT, VALUE_PRESERVING = True, True


def infer(node, g):
    (nb, h, w, ch), (bh, bw), ((ct, cb), (cl, cr)) = sb.geometry(node, g, "crops")
    if nb % (bh * bw):
        raise c.fail(node, f"input batch {nb} is not a multiple of the block size {bh * bw}")
    oh, ow = h * bh - ct - cb, w * bw - cl - cr
    if oh <= 0 or ow <= 0:
        raise c.fail(node, f"crops {node.attrs['crops']} leave nothing of the {h * bh}x{w * bw} image")
    rank = len(g.tensors[node.inputs[0]].shape)
    return [(nb // (bh * bw), oh, ow, ch) if rank == 4 else (nb // bh, oh, ch)]


def prepare(node, g):
    return sb.prepare(node, g, "BATCH_TO_SPACE_ND")


def run(node, g, inputs, p):
    (nb, h, w, ch), (bh, bw), ((ct, cb), (cl, cr)) = sb.geometry(node, g, "crops")
    n = nb // (bh * bw)
    y = sb.as4(inputs[0]).reshape(bh, bw, n, h, w, ch).transpose(2, 3, 0, 4, 1, 5).reshape(n, h * bh, w * bw, ch)
    y = y[:, ct:h * bh - cb, cl:w * bw - cr]
    return [np.ascontiguousarray(y).reshape(g.tensors[node.outputs[0]].shape)]


TFLITE = _tflite.TFLite("BATCH_TO_SPACE_ND", operands=1, read=lambda ctx: sb.block_attrs(ctx, "crops"),
                        write=sb.block_write("crops"))
