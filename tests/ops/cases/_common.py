"""What the per-operator case builders share: random activations, outputs, paddings, weights and
shapes drawn from `rng`, the generic pool and binary builders, and `unchecked_single_op`."""
from __future__ import annotations

import numpy as np

from tests.tflite_builder import act, const, q, random_scale, random_zp, single_op
from tinycc.backends.tflm.flatbuffer import write_tflite
from tinycc.core import ops
from tinycc.core.graph import Graph, Node
from tinycc.core.ops.common import same_padding

ACTS = ("none", "relu", "relu6", "relu_n1_to_1")


def unchecked_single_op(op: str, inputs: list, out, attrs: dict | None = None) -> bytes:
    """single_op without validation: the .tflite bytes of a model tinycc may refuse (hostile
    quantisation), with the output shape from the op's shape rule."""
    tensors = {t.name: t for t in [*inputs, out]}
    module = ops.get(op)
    node = Node(f"{op}_under_test", op, [t.name for t in inputs], [out.name],
                ops.attrs_with_defaults(module, dict(attrs or {})))
    g = Graph(op, tensors, [node], [t.name for t in inputs if not t.is_const], [out.name], source=f"<{op} test>")
    out.shape = tuple(int(d) for d in module.infer(node, g)[0])
    return write_tflite(g)


def io_tensor(rng, dtype, shape, name="x"):
    if dtype == "float32":
        return act(name, shape, dtype)
    return act(name, shape, dtype, q(random_scale(rng), random_zp(rng, dtype)))


def out_tensor(rng, dtype, scale=None, name="y", zp=None):
    if dtype == "float32":
        return act(name, (), dtype)
    scale = random_scale(rng) if scale is None else scale
    return act(name, (), dtype, q(scale, random_zp(rng, dtype) if zp is None else zp))


def pads(rng, hw, kernel, strides, dilations):
    if rng.random() < 0.5:
        return (0, 0, 0, 0)
    (top, bottom), (left, right) = (same_padding(hw[i], kernel[i], strides[i], dilations[i]) for i in (0, 1))
    return (top, left, bottom, right)


def weights(rng, shape, dtype, channel_axis, in_scale):
    """Filter, bias and the typical magnitude of one output accumulator (in real units)."""
    channels = shape[channel_axis]
    if dtype == "float32":
        return (const("w", rng.normal(0, 0.5, shape).astype(np.float32)),
                const("b", rng.normal(0, 0.5, channels).astype(np.float32)), None)
    w_scales = np.array([random_scale(rng, 1e-3, 0.05) for _ in range(channels)], dtype=np.float32)
    if rng.random() < 0.3:
        w_scales[:] = w_scales[0]
    w = const("w", rng.integers(-127, 128, shape).astype(np.int8), q(w_scales, np.zeros(channels), channel_axis))
    bias_dtype = np.int64 if dtype == "int16" else np.int32
    b_scales = (w_scales * np.float32(in_scale)).astype(np.float32)
    b = const("b", rng.integers(-5000, 5000, channels).astype(bias_dtype), q(b_scales, np.zeros(channels)))
    return w, b, float(np.mean(w_scales))


def conv_out_scale(rng, x, w_mean, taps):
    in_range = 127 if x.dtype == "int8" else 32767
    return float(np.float32(x.quant.s * w_mean * 64 * in_range * np.sqrt(taps) / 127 * rng.uniform(0.05, 0.5)))


def pool(op):
    def build(rng, dtype):
        h, w = (int(v) for v in rng.integers(1, 12, size=2))
        ch = int(rng.integers(1, 6))
        kernel = (int(rng.integers(1, h + 1)), int(rng.integers(1, w + 1)))
        strides = tuple(int(s) for s in rng.integers(1, 4, size=2))
        x = io_tensor(rng, dtype, (1, h, w, ch))
        out = act("y", (), dtype, x.quant)
        attrs = {"kernel": kernel, "strides": strides, "activation": str(rng.choice(ACTS)),
                 "pads": pads(rng, (h, w), kernel, strides, (1, 1))}
        return single_op(op, [x], out, attrs)
    return build


def broadcast_shapes(rng):
    rank = int(rng.integers(1, 5))
    shape = [int(d) for d in rng.integers(1, 6, size=rank)]
    other = [1 if rng.random() < 0.3 else d for d in shape]
    other = other[int(rng.integers(0, rank)):] if rng.random() < 0.3 else other
    return (tuple(shape), tuple(other)) if rng.random() < 0.5 else (tuple(other), tuple(shape))


def binary(op):
    def build(rng, dtype):
        sa, sb = broadcast_shapes(rng) if rng.random() < 0.6 else ((s := tuple(rng.integers(1, 6, 3).tolist())), s)
        if dtype == "int32":            # raw integers over their whole range: sums and products wrap
            return single_op(op, [act("a", sa, dtype), act("b", sb, dtype)], act("y", (), dtype),
                             {"activation": str(rng.choice(ACTS))})
        a, b = io_tensor(rng, dtype, sa, "a"), io_tensor(rng, dtype, sb, "b")
        scale = None
        if dtype != "float32":
            in_range = 127 if dtype == "int8" else 32767
            if op == "mul":
                scale = float(a.quant.s * b.quant.s * in_range * rng.uniform(0.3, 3))
            else:
                scale = float(max(a.quant.s, b.quant.s) * rng.uniform(0.5, 3))
        return single_op(op, [a, b], out_tensor(rng, dtype, scale), {"activation": str(rng.choice(ACTS))})
    return build


def random_shape(rng, max_rank=4):
    return tuple(int(d) for d in rng.integers(1, 7, size=int(rng.integers(1, max_rank + 1))))
