"""ConstantOfShape: folded at import (plugins/importers/onnx_fold.py) when its shape is a
constant, which it is whenever it comes from Shape; a shape computed at run time is refused."""
from __future__ import annotations

from tinycc.plugins.importers.onnx_ops._shapes import needs_constant


def convert(ctx, node, out, name):
    raise needs_constant(ctx, node, "the shape of ConstantOfShape")
