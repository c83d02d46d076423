"""Erf: no core op computes it, so it is composed of core ops (see _erf.py): GELU as exported by
torch (x * 0.5 * (1 + Erf(x / sqrt 2))) then converts node by node."""
from __future__ import annotations

from tinycc.plugins.importers.onnx_ops._compose import Composer
from tinycc.plugins.importers.onnx_ops._erf import erf


def convert(ctx, node, out, name):
    erf(Composer(ctx, node, name), node.input[0], out)
