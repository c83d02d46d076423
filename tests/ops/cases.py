"""Random single-operator models, one builder per core op: `CASES[op](rng, dtype) -> .tflite bytes`.

Shapes, strides, paddings, activations, scales and zero points are drawn from `rng`, so a seed
names a case. Output scales are drawn around the magnitude the op produces, so outputs use
their range instead of saturating. The tests run every case through TF Lite Micro.
"""
from __future__ import annotations

import numpy as np

from tests.tflite_builder import act, const, q, random_scale, random_zp, single_op
from tinycc.backends.tflm.flatbuffer import write_tflite
from tinycc.core import ops
from tinycc.core.errors import TinyccError
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


def _io(rng, dtype, shape, name="x"):
    if dtype == "float32":
        return act(name, shape, dtype)
    return act(name, shape, dtype, q(random_scale(rng), random_zp(rng, dtype)))


def _out(rng, dtype, scale=None, name="y", zp=None):
    if dtype == "float32":
        return act(name, (), dtype)
    scale = random_scale(rng) if scale is None else scale
    return act(name, (), dtype, q(scale, random_zp(rng, dtype) if zp is None else zp))


def _pads(rng, hw, kernel, strides, dilations):
    if rng.random() < 0.5:
        return (0, 0, 0, 0)
    (top, bottom), (left, right) = (same_padding(hw[i], kernel[i], strides[i], dilations[i]) for i in (0, 1))
    return (top, left, bottom, right)


def _weights(rng, shape, dtype, channel_axis, in_scale):
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


def _conv_out_scale(rng, x, w_mean, taps):
    in_range = 127 if x.dtype == "int8" else 32767
    return float(np.float32(x.quant.s * w_mean * 64 * in_range * np.sqrt(taps) / 127 * rng.uniform(0.05, 0.5)))


def conv_2d(rng, dtype):
    h, w = rng.integers(1, 10, size=2)
    cin, cout = rng.integers(1, 6, size=2)
    kernel = tuple(int(k) for k in rng.integers(1, 4, size=2))
    strides = tuple(int(s) for s in rng.integers(1, 3, size=2))
    dil = tuple(int(d) for d in rng.integers(1, 3, size=2)) if rng.random() < 0.3 else (1, 1)
    h, w = max(h, (kernel[0] - 1) * dil[0] + 1), max(w, (kernel[1] - 1) * dil[1] + 1)
    x = _io(rng, dtype, (1, h, w, cin))
    wt, b, w_mean = _weights(rng, (cout, *kernel, cin), dtype, 0, x.quant.s if x.quant else 1.0)
    scale = None if dtype == "float32" else _conv_out_scale(rng, x, w_mean, kernel[0] * kernel[1] * cin)
    attrs = {"strides": strides, "dilations": dil, "activation": str(rng.choice(ACTS)),
             "pads": _pads(rng, (h, w), kernel, strides, dil)}
    return single_op("conv_2d", [x, wt, b], _out(rng, dtype, scale), attrs)


def depthwise_conv_2d(rng, dtype):
    h, w = rng.integers(1, 10, size=2)
    cin, mult = int(rng.integers(1, 6)), int(rng.integers(1, 3))
    kernel = tuple(int(k) for k in rng.integers(1, 4, size=2))
    strides = tuple(int(s) for s in rng.integers(1, 3, size=2))
    dil = tuple(int(d) for d in rng.integers(1, 3, size=2)) if rng.random() < 0.3 else (1, 1)
    h, w = max(h, (kernel[0] - 1) * dil[0] + 1), max(w, (kernel[1] - 1) * dil[1] + 1)
    x = _io(rng, dtype, (1, h, w, cin))
    wt, b, w_mean = _weights(rng, (1, *kernel, cin * mult), dtype, 3, x.quant.s if x.quant else 1.0)
    scale = None if dtype == "float32" else _conv_out_scale(rng, x, w_mean, kernel[0] * kernel[1])
    attrs = {"strides": strides, "dilations": dil, "activation": str(rng.choice(ACTS)), "depth_multiplier": mult,
             "pads": _pads(rng, (h, w), kernel, strides, dil)}
    return single_op("depthwise_conv_2d", [x, wt, b], _out(rng, dtype, scale), attrs)


def fully_connected(rng, dtype):
    rows, depth, units = int(rng.integers(1, 4)), int(rng.integers(1, 40)), int(rng.integers(1, 20))
    x = _io(rng, dtype, (rows, depth))
    if dtype == "float32":
        wt, b, _ = _weights(rng, (units, depth), dtype, 0, 1.0)
        return single_op("fully_connected", [x, wt, b], _out(rng, dtype), {"activation": str(rng.choice(ACTS))})
    w_scale = random_scale(rng, 1e-3, 0.05)
    wt = const("w", rng.integers(-127, 128, (units, depth)).astype(np.int8), q(w_scale, 0))
    bias_dtype = np.int64 if dtype == "int16" else np.int32
    b = const("b", rng.integers(-5000, 5000, units).astype(bias_dtype),
              q(np.float32(x.quant.s) * np.float32(w_scale), 0))
    scale = _conv_out_scale(rng, x, w_scale, depth)
    return single_op("fully_connected", [x, wt, b], _out(rng, dtype, scale), {"activation": str(rng.choice(ACTS))})


def _pool(op):
    def build(rng, dtype):
        h, w = (int(v) for v in rng.integers(1, 12, size=2))
        ch = int(rng.integers(1, 6))
        kernel = (int(rng.integers(1, h + 1)), int(rng.integers(1, w + 1)))
        strides = tuple(int(s) for s in rng.integers(1, 4, size=2))
        x = _io(rng, dtype, (1, h, w, ch))
        out = act("y", (), dtype, x.quant)
        attrs = {"kernel": kernel, "strides": strides, "activation": str(rng.choice(ACTS)),
                 "pads": _pads(rng, (h, w), kernel, strides, (1, 1))}
        return single_op(op, [x], out, attrs)
    return build


def _broadcast_shapes(rng):
    rank = int(rng.integers(1, 5))
    shape = [int(d) for d in rng.integers(1, 6, size=rank)]
    other = [1 if rng.random() < 0.3 else d for d in shape]
    other = other[int(rng.integers(0, rank)):] if rng.random() < 0.3 else other
    return (tuple(shape), tuple(other)) if rng.random() < 0.5 else (tuple(other), tuple(shape))


def _binary(op):
    def build(rng, dtype):
        sa, sb = _broadcast_shapes(rng) if rng.random() < 0.6 else ((s := tuple(rng.integers(1, 6, 3).tolist())), s)
        a, b = _io(rng, dtype, sa, "a"), _io(rng, dtype, sb, "b")
        scale = None
        if dtype != "float32":
            in_range = 127 if dtype == "int8" else 32767
            if op == "mul":
                scale = float(a.quant.s * b.quant.s * in_range * rng.uniform(0.3, 3))
            else:
                scale = float(max(a.quant.s, b.quant.s) * rng.uniform(0.5, 3))
        return single_op(op, [a, b], _out(rng, dtype, scale), {"activation": str(rng.choice(ACTS))})
    return build


def _shape(rng, max_rank=4):
    return tuple(int(d) for d in rng.integers(1, 7, size=int(rng.integers(1, max_rank + 1))))


def softmax(rng, dtype):
    x = _io(rng, dtype, _shape(rng))
    out = act("y", (), dtype) if dtype == "float32" else act("y", (), "int8", q(1 / 256, -128))
    return single_op("softmax", [x], out, {"beta": float(rng.choice([1.0, 0.5, 2.0, rng.uniform(0.1, 3)]))})


def logistic(rng, dtype):
    x = _io(rng, dtype, _shape(rng))
    out = act("y", (), dtype) if dtype == "float32" else act("y", (), "int8", q(1 / 256, -128))
    return single_op("logistic", [x], out)


def tanh(rng, dtype):
    x = _io(rng, dtype, _shape(rng))
    out = act("y", (), dtype) if dtype == "float32" else act("y", (), "int8", q(1 / 128, 0))
    return single_op("tanh", [x], out)


def relu(rng, dtype):
    x = _io(rng, dtype, _shape(rng))
    return single_op("relu", [x], _out(rng, dtype, None if dtype == "float32" else x.quant.s * rng.uniform(0.3, 2)))


def relu6(rng, dtype):
    x = _io(rng, dtype, _shape(rng))
    return single_op("relu6", [x], act("y", (), dtype, x.quant))


def leaky_relu(rng, dtype):
    x = _io(rng, dtype, _shape(rng))
    scale = None if dtype == "float32" else x.quant.s * rng.uniform(0.3, 2)
    return single_op("leaky_relu", [x], _out(rng, dtype, scale), {"alpha": float(rng.uniform(0.01, 0.9))})


def pad(rng, dtype):
    shape = _shape(rng)
    x = _io(rng, dtype, shape)
    paddings = tuple((int(rng.integers(0, 3)), int(rng.integers(0, 3))) for _ in shape)
    attrs = {"paddings": paddings}
    if rng.random() < 0.4:
        attrs["value"] = float(rng.normal()) if dtype == "float32" else int(rng.integers(-100, 100))
    return single_op("pad", [x], act("y", (), dtype, x.quant), attrs)


def concatenation(rng, dtype):
    shape = _shape(rng)
    axis = int(rng.integers(-len(shape), len(shape)))
    quant = None if dtype == "float32" else q(random_scale(rng), random_zp(rng, dtype))
    xs = []
    for k in range(int(rng.integers(1, 4))):
        s = list(shape)
        s[axis] = int(rng.integers(1, 5))
        xs.append(act(f"x{k}", tuple(s), dtype, quant))
    return single_op("concatenation", xs, act("y", (), dtype, quant), {"axis": axis})


def transpose(rng, dtype):
    shape = _shape(rng, 5)
    x = _io(rng, dtype, shape)
    return single_op("transpose", [x], act("y", (), dtype, x.quant),
                     {"perm": tuple(rng.permutation(len(shape)).tolist())})


def strided_slice(rng, dtype):
    for _ in range(100):         # draw until the slice is non-empty (empty slices are refused)
        try:
            return _strided_slice(rng, dtype)
        except TinyccError:
            continue
    raise AssertionError("no non-empty slice drawn")


def _strided_slice(rng, dtype):
    shape = _shape(rng)
    x = _io(rng, dtype, shape)
    rank = len(shape)
    begin = tuple(int(rng.integers(-d, d)) for d in shape)
    end = tuple(int(rng.integers(-d, d + 1)) for d in shape)
    shrink = int(rng.integers(0, 1 << rank)) if rng.random() < 0.3 else 0
    strides = tuple(1 if shrink & (1 << k) else int(rng.choice([1, 1, 2, 3, -1, -2])) for k in range(rank))
    attrs = {"begin": begin, "end": end, "strides": strides,
             "begin_mask": int(rng.integers(0, 1 << rank)), "end_mask": int(rng.integers(0, 1 << rank)),
             "shrink_axis_mask": shrink,
             "ellipsis_mask": 0, "new_axis_mask": 0, "offset": False}
    return single_op("strided_slice", [x], act("y", (), dtype, x.quant), attrs)


def reshape(rng, dtype):
    shape = _shape(rng)
    x = _io(rng, dtype, shape)
    target = tuple(rng.permutation(list(shape)).tolist()) + (1,)
    return single_op("reshape", [x], act("y", (), dtype, x.quant), {"shape": target})


def squeeze(rng, dtype):
    shape = list(_shape(rng, 5))
    for _ in range(int(rng.integers(1, 3))):                 # one or two size-1 dims to squeeze
        shape.insert(int(rng.integers(0, len(shape) + 1)), 1)
    ones = [k for k, d in enumerate(shape) if d == 1]
    if rng.random() < 0.3:
        axes = ()                                            # every size-1 dim (TFLite's default)
    else:
        picked = rng.choice(ones, size=int(rng.integers(1, len(ones) + 1)), replace=False)
        axes = tuple(int(a) - len(shape) if rng.random() < 0.5 else int(a) for a in picked)
    x = _io(rng, dtype, tuple(shape))
    return single_op("squeeze", [x], act("y", (), dtype, x.quant), {"axes": axes})


def expand_dims(rng, dtype):
    shape = _shape(rng)
    x = _io(rng, dtype, shape)
    axis = int(rng.integers(-len(shape) - 1, len(shape) + 1))
    return single_op("expand_dims", [x], act("y", (), dtype, x.quant), {"axis": axis})


def hard_swish(rng, dtype):
    x = _io(rng, dtype, _shape(rng))
    if dtype == "float32":
        return single_op("hard_swish", [x], _out(rng, dtype))
    # outputs span about [-0.375, max(x)]: an output scale around the input's, above input scale / 128
    return single_op("hard_swish", [x], _out(rng, dtype, x.quant.s * rng.uniform(0.1, 2)))


def mean(rng, dtype):
    shape = _shape(rng)
    if rng.random() < 0.4:                      # the global-average-pool case
        shape = (1, int(rng.integers(1, 8)), int(rng.integers(1, 8)), int(rng.integers(1, 6)))
        axes = (1, 2) if rng.random() < 0.5 else (2, -3)
    else:
        axes = tuple(int(a) for a in rng.choice(np.arange(-len(shape), len(shape)),
                                                size=int(rng.integers(1, len(shape) + 1)), replace=False))
    x = _io(rng, dtype, shape)
    out = act("y", (), dtype, x.quant if dtype == "float32" or rng.random() < 0.4 else
              q(x.quant.s * rng.uniform(0.5, 2), random_zp(rng, dtype)))
    return single_op("mean", [x], out, {"axes": axes, "keep_dims": bool(rng.random() < 0.5)})


def quantize(rng, dtype):
    """dtype is the output's; the input is float32, or an integer tensor to requantise."""
    shape = _shape(rng)
    source = str(rng.choice(["float32", "int8", "int16"]))
    x = _io(rng, source, shape)
    return single_op("quantize", [x], _out(rng, dtype))


def dequantize(rng, dtype):
    x = _io(rng, dtype, _shape(rng))
    return single_op("dequantize", [x], act("y", (), "float32"))


CASES = {
    "conv_2d": conv_2d, "depthwise_conv_2d": depthwise_conv_2d, "fully_connected": fully_connected,
    "average_pool_2d": _pool("average_pool_2d"), "max_pool_2d": _pool("max_pool_2d"),
    "add": _binary("add"), "sub": _binary("sub"), "mul": _binary("mul"), "softmax": softmax,
    "logistic": logistic, "tanh": tanh, "relu": relu, "relu6": relu6, "leaky_relu": leaky_relu, "pad": pad,
    "concatenation": concatenation, "transpose": transpose, "strided_slice": strided_slice, "reshape": reshape,
    "quantize": quantize, "dequantize": dequantize, "mean": mean,
    "squeeze": squeeze, "expand_dims": expand_dims, "hard_swish": hard_swish,
}

# dtypes TF Lite Micro runs for each op (activation dtype); int16 means 16x8 for weighted ops
DTYPES = {
    "conv_2d": ("int8", "int16", "float32"), "depthwise_conv_2d": ("int8", "int16", "float32"),
    "fully_connected": ("int8", "int16", "float32"), "average_pool_2d": ("int8", "int16", "float32"),
    "max_pool_2d": ("int8", "int16", "float32"), "add": ("int8", "int16", "float32"),
    "sub": ("int8", "int16", "float32"), "mul": ("int8", "int16", "float32"), "softmax": ("int8", "float32"),
    "logistic": ("int8", "float32"), "tanh": ("int8", "float32"), "relu": ("int8", "int16", "float32"),
    "relu6": ("int8", "int16", "float32"), "leaky_relu": ("int8", "int16", "float32"),
    "pad": ("int8", "int16", "float32"),
    "concatenation": ("int8", "int16", "float32"), "transpose": ("int8", "int16", "float32"),
    "strided_slice": ("int8", "int16", "float32"), "reshape": ("int8", "int16", "float32"),
    "quantize": ("int8", "int16"), "dequantize": ("int8", "int16"), "mean": ("int8", "int16", "float32"),
    "squeeze": ("int8", "int16", "float32"), "expand_dims": ("int8", "int16", "float32"),
    "hard_swish": ("int8", "float32"),
}
