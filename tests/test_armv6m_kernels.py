"""The c backend's ARMv6-M (Cortex-M0/M0+) kernel paths on their edge shapes, cross-compiled for
cortex-m0plus and run under QEMU, give TF Lite Micro's bytes: the four-pixel column of the 1x1 and
im2col convolutions and the 1x1 three-word column of deeper inputs (pixel counts not a multiple of 4
or 2, across rows and images, odd output channels a last channel of its own, odd and even group
counts, padded borders, depths too large for either column taking the int16 path), the packed 3x3
depthwise taps with their 16-bit-halves requantisation (border pixels through the patch, channels past
the last multiple of 4, strides 1 and 2, clamping activations), the fully connected 4-unit block
(depths and units not multiples of 4), and extreme operands (weights of -128, inputs of -128 and 127)
that reach the largest products and accumulators."""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from tests.c_build import CC, write_sources
from tests.ops.cases._common import conv_out_scale, io_tensor, out_tensor, weights
from tests.ops.check import assert_outputs_equal_tflm, random_inputs
from tests.test_inplace import sandwiched
from tests.tflite_builder import act, const, q, random_scale, single_op
from tinycc import cortexm
from tinycc.backends.c import kernel_units
from tinycc.core.ops.common import same_padding
from tinycc.plugins.importers.tflite import load_tflite

CORE = "cortex-m0plus"


def need_core() -> None:
    t = cortexm.TARGETS[CORE]
    missing = [p for p in (t.compiler, t.qemu) if shutil.which(p) is None]
    if missing:
        pytest.skip(f"{' and '.join(missing)} not installed (apt-get install {' '.join(t.packages)})")


def extreme(rng, w):
    """w with about a tenth of its entries at -128 or 127 (the products' extremes)"""
    data = np.array(w.data)
    mask = rng.random(data.shape) < 0.1
    data[mask] = rng.choice(np.array([-128, 127], dtype=np.int8), size=int(mask.sum()))
    return const(w.name, data.astype(np.int8), w.quant)


def conv(rng, hw, ci, co, kernel=(1, 1), strides=(1, 1), same=False, activation="none", batch=1, zp=None):
    x = io_tensor(rng, "int8", (batch, *hw, ci))
    wt, b, w_mean = weights(rng, (co, *kernel, ci), "int8", 0, x.quant.s)
    scale = conv_out_scale(rng, x, w_mean, kernel[0] * kernel[1] * ci)
    pads = (0, 0, 0, 0)
    if same:
        (t, bo), (le, r) = (same_padding(hw[i], kernel[i], strides[i], 1) for i in (0, 1))
        pads = (t, le, bo, r)
    attrs = {"strides": strides, "dilations": (1, 1), "activation": activation, "pads": pads}
    return single_op("conv_2d", [x, extreme(rng, wt), b], out_tensor(rng, "int8", scale, zp=zp), attrs)


def depthwise(rng, hw, ch, strides=(1, 1), activation="none", zp=None, scale_mul=1.0, bias=None):
    """zp: the output zero point (-128 with a ReLU: the ARMv6-M assembly requantisations); scale_mul
    scales the output scale (large: shifts past rq 1's range, rq 2); bias: the int32 biases"""
    x = io_tensor(rng, "int8", (1, *hw, ch))
    wt, b, w_mean = weights(rng, (1, 3, 3, ch), "int8", 3, x.quant.s)
    if bias is not None:
        b = const("b", np.array(bias, dtype=np.int32), b.quant)
    scale = conv_out_scale(rng, x, w_mean, 9) * scale_mul
    (t, bo), (le, r) = (same_padding(hw[i], 3, strides[i], 1) for i in (0, 1))
    attrs = {"strides": strides, "dilations": (1, 1), "activation": activation, "depth_multiplier": 1,
             "pads": (t, le, bo, r)}
    return single_op("depthwise_conv_2d", [x, extreme(rng, wt), b], out_tensor(rng, "int8", scale, zp=zp), attrs)


def fully_connected(rng, rows, depth, units, activation="none"):
    x = io_tensor(rng, "int8", (rows, depth))
    w_scale = random_scale(rng, 1e-3, 0.05)
    wt = const("w", rng.integers(-127, 128, (units, depth)).astype(np.int8), q(w_scale, 0))
    b = const("b", rng.integers(-5000, 5000, units).astype(np.int32), q(np.float32(x.quant.s) * np.float32(w_scale), 0))
    y = out_tensor(rng, "int8", conv_out_scale(rng, x, w_scale, depth))
    return single_op("fully_connected", [x, extreme(rng, wt), b], y, {"activation": activation})


def avg_pool(rng, hw, ch, kernel, strides=(1, 1), same=False, activation="none"):
    x = io_tensor(rng, "int8", (1, *hw, ch))
    pads = (0, 0, 0, 0)
    if same:
        (t, bo), (le, r) = (same_padding(hw[i], kernel[i], strides[i], 1) for i in (0, 1))
        pads = (t, le, bo, r)
    attrs = {"kernel": kernel, "strides": strides, "activation": activation, "pads": pads}
    return single_op("average_pool_2d", [x], act("y", (), "int8", x.quant), attrs)



def short_form(rng, op, chans, hw=(2, 5), ci=4, strides=(1, 1)):
    """A ReLU node (out_zp -128, output scale 1) whose channel c has the effective scale frac 2^-e and sums
    near centre, chans = [(e, frac, centre), ...]: the requantisation's short form (sums below 2^16) and the
    long one on both sides of 2^16, shifts from 1 to 17 (past the forms' bounds: the general paths), and
    multipliers 2^30 (frac 0.5: no low half) and 2^31 - 2^8 (frac 1 - 2^-23: a low half of 0xff00, so a sum
    past 2^16 through the short form overflows its products; at 2^17 with shifts 10 and 11 the outputs stay
    below the clamp and show it). Weights in [-2, 2] keep each sum within about
    +-4,600 of its centre (the bias); the input scale 2^-7 and the output scale 1 make the weight scales
    frac 2^(7-e) exact in float32."""
    n = len(chans)
    x = act("x", (1, *hw, n if op == "depthwise_conv_2d" else ci), "int8", q(2.0 ** -7, 3))
    w_s = np.array([f * 2.0 ** (7 - e) for e, f, _ in chans], np.float32)
    b_s = (w_s * np.float32(2.0 ** -7)).astype(np.float32)
    centre = np.array([c for _, _, c in chans], np.int64)
    b = const("b", (centre + rng.integers(-300, 300, n)).astype(np.int32), q(b_s, np.zeros(n)))
    y = act("y", (), "int8", q(1.0, -128))
    if op == "depthwise_conv_2d":
        w = const("w", rng.integers(-2, 3, (1, 3, 3, n)).astype(np.int8), q(w_s, np.zeros(n), 3))
        (t, bo), (le, r) = (same_padding(hw[i], 3, strides[i], 1) for i in (0, 1))
        attrs = {"strides": strides, "dilations": (1, 1), "activation": "relu", "depth_multiplier": 1,
                 "pads": (t, le, bo, r)}
    else:
        w = const("w", rng.integers(-2, 3, (n, 1, 1, ci)).astype(np.int8), q(w_s, np.zeros(n), 0))
        attrs = {"strides": (1, 1), "dilations": (1, 1), "activation": "relu", "pads": (0, 0, 0, 0)}
    return single_op(op, [x, w, b], y, attrs)


TOP = 1 - 2.0 ** -23     # the multiplier 2^31 - 2^8
# (e, frac, centre): depthwise rq words need e >= 2 (r = e; the short form r <= 16); the im2col words s = e - 1
# (the short form s <= 15)
SHORT_DW = [(9, TOP, 1 << 16), (8, 0.5, 1 << 16), (9, 0.75, 1 << 16), (2, TOP, 300), (16, TOP, 1 << 16),
            (17, 0.6, 1 << 16), (8, TOP, 1 << 15), (12, 1 - 2.0 ** -24, 1 << 16), (10, TOP, 1 << 17),
            (11, TOP, 3 << 16)]
SHORT_PW = [(9, TOP, 1 << 16), (8, 0.5, 1 << 16), (1, 0.75, 200), (10, TOP, 1 << 16), (16, TOP, 1 << 16),
            (2, TOP, 400), (8, TOP, 1 << 15), (12, 0.9, 1 << 16), (10, TOP, 1 << 17), (11, TOP, 3 << 16)]

SHORT_RQ2 = [(20, 0.75, 1 << 16), (9, TOP, 1 << 16), (2, TOP, 300), (12, 0.9, 1 << 15), (16, TOP, 1 << 16)]

CASES = {
    # 1x1: 9 pixels (a lone last one), 5 channels (a last one alone), 1 group (odd)
    "pw_odd_pixels_odd_channels": lambda r: conv(r, (3, 3), 4, 5),
    "pw_three_groups": lambda r: conv(r, (2, 3), 12, 6, activation="relu6"),
    "pw_two_groups_one_pixel": lambda r: conv(r, (1, 1), 8, 3),
    "pw_deep_sixteen_groups": lambda r: conv(r, (2, 2), 64, 7, activation="relu"),
    "pw_three_word_column": lambda r: conv(r, (1, 3), 160, 5),   # 144 < ci <= 192: two pixels a pass
    "pw_too_deep_for_the_column": lambda r: conv(r, (1, 3), 196, 3),
    "im2col_3x3_same": lambda r: conv(r, (5, 4), 3, 5, kernel=(3, 3), same=True),
    # four pixels a pass across rows and images: 2 images of 5x2 outputs, a 4x3 filter of 1 channel
    "im2col_two_images_stride_2": lambda r: conv(r, (9, 4), 1, 6, kernel=(4, 3), strides=(2, 2), same=True, batch=2),
    "im2col_too_deep_for_the_column": lambda r: conv(r, (4, 4), 20, 3, kernel=(3, 3), same=True),
    "dw_8_channels_same": lambda r: depthwise(r, (5, 5), 8),
    "dw_6_channels_stride_2_relu6": lambda r: depthwise(r, (6, 5), 6, strides=(2, 2), activation="relu6"),
    "dw_68_channels": lambda r: depthwise(r, (4, 4), 68, activation="relu"),
    "dw_3_channels_narrow": lambda r: depthwise(r, (3, 1), 3),
    # ARMv6-M channel planes (depthwise_conv_2d_v6m.h): ReLU with out_zp -128 (the assembly requantisation),
    # odd widths, strides 2 and (2, 1) (plane rows of 14 words), channels not a multiple of 4, rq 2, folded
    # biases near +-2^31 (the requantisation's 16-bit halves at their largest), a plane too wide (the
    # four-channel taps), one input column
    "dw_plane_relu_odd_width": lambda r: depthwise(r, (7, 5), 12, activation="relu", zp=-128),
    "dw_plane_relu_stride_2_six_channels": lambda r: depthwise(r, (9, 9), 6, strides=(2, 2), activation="relu",
                                                               zp=-128),
    "dw_plane_relu_stride_2_1": lambda r: depthwise(r, (8, 7), 5, strides=(2, 1), activation="relu", zp=-128),
    # (its own generator: the seed, not the case's place in CASES, fixes the shifts past rq 1's range)
    "dw_plane_relu_rq2": lambda r: depthwise(np.random.default_rng(7), (5, 6), 4, activation="relu", zp=-128,
                                             scale_mul=10000.0),
    "dw_plane_relu_huge_bias": lambda r: depthwise(r, (4, 3), 5, activation="relu", zp=-128,
                                                   bias=[(1 << 31) - (1 << 18), -(1 << 31) + (1 << 18), 900,
                                                         (1 << 30) + 5, -1000]),
    # the planes' row of unrolled sums at its widest: 12 outputs at stride 1, 6 at stride 2 (rows of 14 words)
    "dw_plane_relu_twelve_wide": lambda r: depthwise(r, (3, 12), 5, activation="relu", zp=-128),
    "dw_plane_relu_stride_2_six_wide": lambda r: depthwise(r, (5, 12), 3, strides=(2, 2), activation="relu",
                                                           zp=-128),
    "dw_plane_too_wide": lambda r: depthwise(r, (3, 16), 4, activation="relu", zp=-128),
    "dw_plane_one_column": lambda r: depthwise(r, (4, 1), 3, activation="relu", zp=-128),
    # the positive sums' short requantisation (below 2^16) and its neighbours: shifts 1 to 17, multipliers
    # 2^30 and 2^31 - 2^8, sums on both sides of 2^16 (short_form)
    "dw_plane_relu_short_form": lambda r: short_form(r, "depthwise_conv_2d", SHORT_DW, hw=(6, 5)),
    # rq 2 (channel 0's shift 20) with the other channels' shifts <= 16: rq 2's assembly requantisation, at
    # strides 1 and 2 (rows of 5 outputs: entered past the unrolled row's first copies)
    "dw_plane_relu_rq2_short_form": lambda r: short_form(r, "depthwise_conv_2d", SHORT_RQ2, hw=(6, 5)),
    "dw_plane_relu_rq2_short_form_stride_2": lambda r: short_form(r, "depthwise_conv_2d", SHORT_RQ2, hw=(7, 9),
                                                                  strides=(2, 2)),
    "pw_relu_tail_short_form": lambda r: short_form(r, "conv_2d", SHORT_PW),
    # the five-pixel block's ReLU tail (five pixels; a last pass of two through the assembly loop; odd channels)
    "pw_relu_tail_ten_pixels": lambda r: conv(r, (2, 5), 16, 7, activation="relu", zp=-128),
    "pw_relu_tail_seven_pixels": lambda r: conv(r, (1, 7), 8, 4, activation="relu", zp=-128),
    # the five-pixel block's unrolled 16 groups entered part-way (conv_2d_cols_v6m.h's skip): 18 groups (a
    # first pass of 2, then 16) and 24 (8, then 16; the column's largest), with and without the ReLU tail
    "pw_relu_tail_eighteen_groups": lambda r: conv(r, (1, 5), 72, 3, activation="relu", zp=-128),
    "pw_twenty_four_groups": lambda r: conv(r, (2, 3), 96, 3),
    "im2col_3x3x8_eighteen_groups": lambda r: conv(r, (3, 4), 8, 3, kernel=(3, 3), same=True, activation="relu",
                                                   zp=-128),
    "im2col_relu_tail_kws_like": lambda r: conv(r, (11, 6), 1, 6, kernel=(4, 3), strides=(2, 2), same=True,
                                                activation="relu", zp=-128),
    # average pooling from one row pointer: a global window (whole rows, one run) and padded windows
    "avg_pool_global_kws_like": lambda r: avg_pool(r, (25, 5), 7, (25, 5)),
    "avg_pool_3x3_same_stride_2_relu6": lambda r: avg_pool(r, (7, 6), 5, (3, 3), (2, 2), same=True,
                                                           activation="relu6"),
    "fc_depth_37_units_7": lambda r: fully_connected(r, 2, 37, 7),
    "fc_depth_6_units_4": lambda r: fully_connected(r, 1, 6, 4, activation="relu"),
}


# the depthwise cases run again in place (between two copies: the planner overlaps input and output)
IN_PLACE = ["dw_plane_relu_odd_width", "dw_plane_relu_stride_2_six_channels", "dw_6_channels_stride_2_relu6"]


def run_case(name, tmp_path, extra_flags=(), in_place=False):
    need_core()
    rng = np.random.default_rng(sorted(CASES).index(name) + 100)
    data = CASES[name](rng)
    path = tmp_path / "m.tflite"
    path.write_bytes(data)
    g = sandwiched(data) if in_place else load_tflite(path)
    write_sources(g, tmp_path)
    if in_place:
        assert re.search(r"tinycc_depthwise_conv_2d_s8_\w*inplace\(&", (tmp_path / "model.c").read_text())
    report = cortexm.build(tmp_path, CORE, extra_flags=extra_flags)
    xs = [random_inputs(g, np.random.default_rng(k)) for k in (1, 2)]
    # and one input at the extremes: -128 and 127 only
    xs.append([np.where(np.random.default_rng(3).random(a.shape) < 0.5, -128, 127).astype(a.dtype) for a in xs[0]])
    layout = [(g.tensors[n].shape, g.tensors[n].dtype) for n in g.outputs]
    outs = cortexm.run(report["elf"], CORE, xs, layout)
    assert_outputs_equal_tflm(data, xs, outs)


@pytest.mark.parametrize("name", sorted(CASES))
def test_armv6m_paths_equal_tflm(name, tmp_path):
    run_case(name, tmp_path)


@pytest.mark.parametrize("name", IN_PLACE)
def test_armv6m_depthwise_planes_in_place_equal_tflm(name, tmp_path):
    """In place the channel planes write only channels already copied into the plane: no ring"""
    run_case(name, tmp_path, in_place=True)


@pytest.mark.parametrize("name", ["dw_plane_relu_rq2", "dw_plane_relu_rq2_short_form",
                                  "dw_plane_relu_rq2_short_form_stride_2"])
def test_armv6m_depthwise_rq2_case_takes_rq_2(name, tmp_path):
    """the rq2 cases' output scale puts their shifts past rq 1's range: the node is rq 2"""
    data = CASES[name](np.random.default_rng(sorted(CASES).index(name) + 100))
    (tmp_path / "m.tflite").write_bytes(data)
    write_sources(load_tflite(tmp_path / "m.tflite"), tmp_path)
    shape = re.search(r"static const tinycc_dw_shape \w+ = \{([^}]*)\}", (tmp_path / "model.c").read_text())
    assert shape is not None and shape.group(1).split(",")[-1].strip() == "2"


@pytest.mark.parametrize("flags", [("-fno-omit-frame-pointer",), ("-Os",)], ids=["frame_pointer", "Os"])
@pytest.mark.parametrize("name", ["pw_odd_pixels_odd_channels", "im2col_two_images_stride_2", "dw_8_channels_same",
                                  "fc_depth_37_units_7", "dw_plane_relu_odd_width", "pw_relu_tail_ten_pixels"])
def test_armv6m_paths_build_and_hold_with_a_frame_pointer_and_at_Os(name, flags, tmp_path):
    """The Thumb blocks that take r7 (the five-pixel column's fifth tap) save it themselves: a build that
    keeps r7 as the frame pointer compiles and still equals TF Lite Micro; so does an -Os build (GCC keeps
    Thumb-1's high registers out of allocation there: the blocks with accumulators in r8-r12 step aside
    for the plain C paths)."""
    run_case(name, tmp_path, flags)


def kernel_function(rel: str, name: str) -> str:
    """The text of a static inline function of a kernel header (up to its closing brace at column 0)"""
    text = (KERNELS / rel).read_text()
    start = text.index(f"static inline int32_t {name}(")
    return text[start:text.index("\n}\n", start) + 3]


KERNELS = Path(kernel_units.__file__).resolve().parent / "kernels"
HIGH_MULTIPLY_CHECK = r"""
static uint32_t rng_state = 12345u;
static uint32_t next(void) {
    rng_state ^= rng_state << 13, rng_state ^= rng_state >> 17, rng_state ^= rng_state << 5;
    return rng_state;
}
static int32_t operand(uint32_t pick) {   /* random, small, or an edge of the int32 and int16 ranges */
    static const int32_t edges[] = {0, 1, -1, 0x7fffffff, (int32_t)0x80000000, 0xffff, 0x10000, -0x10000, -0xffff,
                                    0x7fff, 0x8000, -0x8000, 0x7fff0000, (int32_t)0x8000ffff};
    const uint32_t r = next();
    if (pick % 4 == 0) return edges[r % 14];
    if (pick % 4 == 1) return (int32_t)r >> (next() % 31);
    return (int32_t)r;
}
int model_invoke(const void *const inputs[], void *const outputs[]) {
    int32_t bad = 0, i;
    (void)inputs;
    for (i = 0; i < 20000; ++i) {
        const int32_t acc = operand((uint32_t)i), m = operand((uint32_t)i / 4);
        /* SRDHM's high word: acc + floor((acc m + 2^31) / 2^32), mod 2^32 */
        const uint32_t want = (uint32_t)acc + (uint32_t)(((int64_t)acc * m + 2147483648LL) >> 32);
        /* the depthwise rq's: hi0 2^32 + 2^30 - [acc < 0] 2^31 + acc M, M >= 0, hi0 of 24 bits */
        const int32_t mult = m & 0x7fffffff, rqw = (int32_t)(next() & 0xffffff00u) / 128 + (int32_t)(next() % 24);
        const int64_t a = (int64_t)(rqw >> 8) * 4294967296LL + 0x40000000 - (acc < 0 ? ((int64_t)1 << 31) : 0) +
                          (int64_t)acc * mult;
        if ((uint32_t)tinycc_srdhm_v6m(acc, m) != want) ++bad;
        /* the generic high word with any multiplier and addend (tinycc_fc_mul's h + [acc < 0]) */
        const int32_t adj = operand((uint32_t)i / 16) >> 8;
        const int64_t g = (int64_t)adj * 4294967296LL + (acc < 0 ? (int64_t)0xc0000000u : 0x40000000) +
                          (int64_t)acc * m;
        if (tinycc_dw_hi_v6m(acc, mult, rqw) != (int32_t)(a >> 32)) ++bad;
        if (tinycc_mulhi_k_v6m(acc, m, adj) != (int32_t)(uint32_t)((uint64_t)g >> 32)) ++bad;
    }
    memcpy(outputs[0], &bad, 4);
    return 0;
}
"""


def test_armv6m_high_multiplies_equal_the_64_bit_products(tmp_path):
    """The requantisations' 32x32 -> 64 high words from 16-bit halves (Thumb assembly: the im2col
    kernels' SRDHM, the depthwise and fully connected one-multiply words) equal the int64 arithmetic of
    the same formulas on the Cortex-M0+ itself, over random, small and edge operands."""
    need_core()
    (tmp_path / "model.h").write_text(
        "#include <stddef.h>\n#define MODEL_NUM_INPUTS 1\n#define MODEL_NUM_OUTPUTS 1\n"
        "#define MODEL_INPUT0_BYTES 4\n#define MODEL_OUTPUT0_BYTES 4\n"
        "/* input 0: \"x\" int8 [4], 4 bytes */\n/* output 0: \"y\" int8 [4], 4 bytes */\n"
        "extern const size_t model_input_bytes[1];\nextern const size_t model_output_bytes[1];\n"
        "int model_invoke(const void *const inputs[], void *const outputs[]);\n")
    (tmp_path / "model.c").write_text(
        '#include <stdint.h>\n#include <string.h>\n#include "model.h"\n'
        "const size_t model_input_bytes[1] = {4};\nconst size_t model_output_bytes[1] = {4};\n" +
        (KERNELS / "common" / "mulhs_v6m.h").read_text() +
        kernel_function("optimised/conv_2d_cols.h", "tinycc_srdhm_v6m") +
        kernel_function("optimised/dot_s8.h", "tinycc_mulhi_k_v6m") +
        kernel_function("optimised/depthwise_conv_2d_fast_taps.h", "tinycc_dw_hi_v6m") + HIGH_MULTIPLY_CHECK)
    elf = cortexm.build(tmp_path, CORE)["elf"]
    (out,), = cortexm.run(elf, CORE, [[np.zeros(4, np.int8)]], [((4,), "int8")])
    assert int(np.asarray(out).view(np.int32)[0]) == 0


SHORT_FORM_CHECK = r"""
#include <stdint.h>
#include <stdio.h>
/* TFLM's MultiplyByQuantizedMultiplier(a, m, -e) (no left shift), in int64 */
static int32_t tflm(int32_t a, int32_t m, int e) {
    const int64_t ab = (int64_t)a * m;
    const int32_t x = (int32_t)((ab + (ab >= 0 ? (1LL << 30) : 1 - (1LL << 30))) / (1LL << 31));
    const int32_t mask = (int32_t)((1u << e) - 1u), rem = x & mask, th = (mask >> 1) + (x < 0);
    return (x >> e) + (rem > th);
}
/* the depthwise planes' short form (r = e; brk 1: K without 2^(30+r)) */
static uint32_t dw(uint32_t a, uint32_t m, int e, int brk) {
    const uint32_t mh = m >> 16, ml = m & 0xffffu, kh = (1u << 14) + (e && brk != 1 ? 1u << (14 + e) : 0u);
    return (a * mh + ((a * ml) >> 16) + kh) >> (15 + e);
}
/* the five-pixel ReLU tail's (U = 2m, s = e - 1; brk 1: K without 2^(32+s), 2: t not halved) */
static uint32_t pw(uint32_t a, uint32_t m, int e, int brk) {
    const uint32_t u = 2u * m, uh = u >> 16, ul = u & 0xffffu, t = a * uh + ((a * ul) >> 16);
    const uint32_t kh = (1u << 14) + (brk != 1 ? 1u << (14 + e) : 0u);
    return ((brk == 2 ? t : t >> 1) + kh) >> (15 + e);
}
int main(void) {
    static const uint32_t ms[] = {0x40000000u, 0x40000001u, 0x5a82799au, 0x7fffff00u, 0x7fffffffu, 0x6487ed51u};
    long bad[6] = {0};
    uint32_t a, j;
    int e;
    for (j = 0; j < sizeof ms / sizeof ms[0]; ++j)
        for (e = 0; e <= 16; ++e)
            for (a = 1; a < (1u << 17); ++a) {
                const int32_t want = tflm((int32_t)a, (int32_t)ms[j], e);
                if (a < (1u << 16)) {   /* the forms' range */
                    bad[0] += (int32_t)dw(a, ms[j], e, 0) != want;
                    bad[1] += (int32_t)dw(a, ms[j], e, 1) != want;
                    if (e >= 1 && e <= 16) {
                        bad[2] += (int32_t)pw(a, ms[j], e, 0) != want;
                        bad[3] += (int32_t)pw(a, ms[j], e, 1) != want;
                        bad[4] += (int32_t)pw(a, ms[j], e, 2) != want;
                    }
                } else {   /* past the LSRS #16 guard */
                    bad[5] += (int32_t)dw(a, ms[j], e, 0) != want;
                }
            }
    printf("%ld %ld %ld %ld %ld %ld\n", bad[0], bad[1], bad[2], bad[3], bad[4], bad[5]);
    return 0;
}
"""


def test_short_requantisation_forms_equal_tflm_for_every_sum_below_2_16(tmp_path):
    """The ARMv6-M kernels' short requantisation forms (depthwise_conv_2d_v6m.h: (a mh + (a ml >> 16) +
    2^14 + 2^(14+r)) >> (15 + r); conv_2d_cols_v6m.h's ReLU tail: ((t >> 1) + 2^14 + 2^(15+s)) >> (16 + s))
    equal TFLM's 64-bit MultiplyByQuantizedMultiplier for every sum a in [1, 2^16), shifts 0 (1 for the
    tail) to 16 and multipliers 2^30, 2^30 + 1, 2^31 - 2^8, 2^31 - 1 and others, on the host under ASan and UBSan.
    The same program shows the check's teeth: K without its 2^(30+r) term, the tail's t not halved, and
    the depthwise form past its a < 2^16 guard each miss."""
    cc = shutil.which(CC)
    if cc is None:
        pytest.skip(f"no host C compiler ({CC})")
    src = tmp_path / "short.c"
    src.write_text(SHORT_FORM_CHECK)
    exe = tmp_path / "short"
    subprocess.run([cc, "-std=c99", "-O2", "-Wall", "-Wextra", "-Werror", "-fsanitize=address,undefined",
                    "-fno-sanitize-recover=all", str(src), "-o", str(exe)], check=True)
    bad = [int(v) for v in subprocess.run([str(exe)], check=True, capture_output=True, text=True).stdout.split()]
    assert bad[0] == 0 and bad[2] == 0, bad        # the forms: exact
    assert bad[1] > 0 and bad[3] > 0 and bad[4] > 0 and bad[5] > 0, bad   # the breaks: caught
