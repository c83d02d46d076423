"""Shared by Gemm and MatMul: x (rows, K) @ W + bias as FULLY_CONNECTED."""
from __future__ import annotations

import numpy as np


def fully_connected(ctx, node, out, name, x, w_name, units_first: bool, bias_name, keep_num_dims: bool = False):
    """W given as (units, K) when units_first, else (K, units); keep_num_dims keeps the input's
    leading dimensions (a sequence (1, T, K) gives (1, T, units))."""
    if units_first:
        wt = ctx.weight(node, w_name, "weights", lambda a: a, {0: 0}, name + "/weights")
    else:
        wt = ctx.weight(node, w_name, "weights", lambda a: np.ascontiguousarray(a.T), {1: 0}, name + "/weights")
    b = None
    if bias_name is not None:
        b = ctx.weight(node, bias_name, "bias", lambda a: a.reshape(-1), {0: 0}, name + "/bias")
    ctx.emit(name, "fully_connected", [x, wt, b], out, {"keep_num_dims": True} if keep_num_dims else None)
