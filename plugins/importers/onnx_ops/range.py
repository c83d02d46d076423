"""Range: folded at import (plugins/importers/onnx_fold.py) when start, limit and delta are
constants; computed at run time it is refused."""
from __future__ import annotations

from tinycc.plugins.importers.onnx_ops._shapes import needs_constant

MIN_INPUTS = 3


def convert(ctx, node, out, name):
    raise needs_constant(ctx, node, "start, limit and delta of Range")
