"""The c backend's kernel units: what `CModule.use_kernel(unit)` pulls into a model's C file.

Kernel sources live in backends/c/kernels/ by role:
  common/     helpers every model or several kernels share (fixed-point rescaling, copies, the in-place row ring)
  reference/  the portable definitions, TF Lite Micro's reference loops (the readable spec of each operator)
  optimised/  faster variants of the same arithmetic: dot-product / im2col / wide-row paths, each with its
              Cortex-M DSP (SXTB16/SMLAD intrinsics, Thumb-2 assembly) branches beside portable C
A unit is an ordered list of those files; its text is their concatenation, in that order (a variant's file
may use the reference file before it), with each `@NAME@` placeholder replaced by layout.C_DEFINES[NAME].
UNITS lists the units made of more than one file or kept outside reference/; any other unit `x.h` is
the one file `reference/x.h` (a new operator's kernel needs no entry here).
A generic file, written once for several types, is instantiated by units of its own: PARAMS[unit]
fills its type placeholders (e.g. `@B@` the sample bits, `@ACC@` the accumulator type), so one file
may be listed by several units, one per type.
"""
from __future__ import annotations

import functools
import re
from importlib import resources

from tinycc.backends.c.layout import C_DEFINES

UNITS: dict[str, tuple[str, ...]] = {
    "tinycc_fixedpoint.h": ("common/tinycc_fixedpoint.h",),
    "copy.h": ("common/copy.h",),
    "wrap_s32.h": ("common/wrap_s32.h",),
    "inplace.h": ("common/inplace.h",),
    "sigmoid_s16.h": ("common/sigmoid_s16.h",),
    "sat_shl.h": ("common/sat_shl.h",),
    "inv_sqrt.h": ("common/inv_sqrt.h",),            # after sat_shl.h
    "dot_s8.h": ("common/vec.h",                     # TINYCC_VEC: the plain-C int8 kernels' loop shape
                 "optimised/mve_dot_s8.h",             # Helium (MVE) dot products (Cortex-M55/M85 only)
                 "common/mulhs_v6m.h",                 # ARMv6-M high products (dot_s8.h, conv_2d_cols.h)
                 "optimised/dot_s8.h"),
    "conv_2d.h": ("reference/conv_2d.h",
                  "reference/conv_2d_a8.h",            # int8 activations (PARAMS: int8 weights), in place too
                  "optimised/conv_2d_dot.h",           # tinycc_conv_2d_s8_fast: dot products, folded bias
                  "optimised/conv_2d_cols.h",          # im2col columns and their multiply-accumulate kernels
                  "optimised/mve_conv_cols.h",         # ... their Helium (MVE) definitions (Cortex-M55/M85)
                  "optimised/conv_2d_cols_thumb2.h",   # im2col two-pixel loop in Thumb-2 DSP assembly
                  "optimised/conv_2d_cols_v6m.h",      # 1x1 two-pixel loop in ARMv6-M Thumb assembly
                  "optimised/conv_2d_cols_rows.h",     # tinycc_conv_2d_s8_cols: blocks, rows, 1x1
                  "optimised/conv_2d_shallow.h",       # tinycc_conv_2d_s8_shallow: 3x3 over 3 channels (RGB)
                  "optimised/conv_2d_inplace.h"),      # the fast variants over a row ring
    "conv_2d_s4.h": ("reference/conv_2d_a8.h",),       # int4 weights (PARAMS), after weights_s4.h, conv_2d.h
    "depthwise_conv_2d.h": ("reference/depthwise_conv_2d.h",
                            "reference/depthwise_conv_2d_a8.h",          # int8 activations and weights (PARAMS)
                            "optimised/mve_depthwise.h",                 # Helium (MVE) 3x3 (Cortex-M55/M85)
                            "optimised/depthwise_conv_2d_fast_taps.h",   # rq words, 4-channel taps, packed 3x3
                            "optimised/depthwise_conv_2d_wrow_dsp.h",    # wide rows (Cortex-M DSP only)
                            "optimised/depthwise_conv_2d_v6m.h",         # ARMv6-M channel planes (Cortex-M0/M0+)
                            "optimised/depthwise_conv_2d_fast.h",        # tinycc_depthwise_conv_2d_s8_fast
                            "optimised/depthwise_conv_2d_tpair.h",       # taps paired along rows (DSP only)
                            "optimised/depthwise_conv_2d_tsmall.h",      # small planes a channel at a time
                            "optimised/depthwise_conv_2d_wrow.h"),       # tinycc_depthwise_conv_2d_s8_wrow
    "depthwise_conv_2d_mult.h": ("optimised/depthwise_conv_2d_mult.h",),   # depth multiplier > 1, after it
    "depthwise_conv_2d_s4.h": ("reference/depthwise_conv_2d_a8.h",),     # int4 weights (PARAMS)
    "transpose_conv_fast.h": ("optimised/transpose_conv_fast.h",),   # after dot_s8.h
    "batch_matmul_fast.h": ("optimised/batch_matmul_fast.h",),       # after dot_s8.h, batch_matmul.h
    "resize_fast.h": ("optimised/resize_fast.h",),                   # after dot_s8.h, resize.h
    "addsub_s8_fast.h": ("optimised/addsub_s8_fast.h",),         # after dot_s8.h, elementwise.h
    "pooling_fast.h": ("optimised/pooling_fast.h",),             # after dot_s8.h, pooling.h
    "lstm_fast.h": ("optimised/lstm_fast.h",),                       # after dot_s8.h, fully_connected.h, lstm.h
    "svdf_fast.h": ("optimised/svdf_fast.h",),                       # after dot_s8.h, fully_connected.h, svdf.h
    "elementwise.h": ("reference/elementwise.h",
                      "optimised/mve_elementwise.h"),                    # Helium (MVE) int8 ADD / SUB
    "fully_connected.h": ("reference/fully_connected.h",
                          "reference/fully_connected_a8.h",      # int8 activations and weights (PARAMS)
                          "optimised/mve_fc.h",                  # Helium (MVE) blocks (Cortex-M55/M85)
                          "optimised/fully_connected_w4.h"),             # tinycc_fully_connected_s8_w4
    "fully_connected_s4.h": ("reference/fully_connected_a8.h",),         # int4 weights (PARAMS)
    "conv_2d_lut.h": ("reference/conv_2d_a8.h",),                # LUT weights (PARAMS), after weights_lut.h, conv_2d.h
    "depthwise_conv_2d_lut.h": ("reference/depthwise_conv_2d_a8.h",),    # LUT weights (PARAMS)
    "fully_connected_lut.h": ("reference/fully_connected_a8.h",),        # LUT weights (PARAMS)
    "fully_connected_s4_fast.h": ("optimised/fully_connected_s4_fast.h",),   # int4 blocks, after fully_connected.h
    "conv_2d_s4_cols.h": ("optimised/conv_2d_s4_cols.h",),   # int4 patches, after conv_2d.h, fully_connected_s4_fast.h
    "weights_lut_fast.h": ("optimised/weights_lut_fast.h",),             # one LUT filter row decoded to int8
    "conv_2d_lut_fast.h": ("optimised/conv_2d_lut_fast.h",),   # after dot_s8.h, conv_2d.h, weights_lut_fast.h
    "fully_connected_lut_fast.h": ("optimised/fully_connected_lut_fast.h",),  # after dot_s8.h, weights_lut_fast.h
    "signal_fft_s16.h": ("reference/signal_kissfft.h",),                 # KISS FFT in Q15 (PARAMS)
    "signal_fft_s32.h": ("reference/signal_kissfft.h",),                 # KISS FFT in Q31 (PARAMS)
}
# the int8-activation conv_2d / depthwise_conv_2d / fully_connected reference kernels (reference/*_a8.h) over
# int8 weights, int4 ones packed two a byte (weights_s4.h) and LUT-compressed ones (weights_lut.h): the filter's
# suffix, C type, value i of `w` (of output channel oc), extra parameters (WX) and their arguments (WXARGS), and
# the loops' sums: conv_2d's one tap (CONV_DOT, its index CONV_I), fully_connected's one row (FC_DOT, FC_I, and
# the weights' zero point parameter FC_ZP)
A8_LOOPS = {
    "WX": "", "WXARGS": "",
    "CONV_I": ", ic",
    "CONV_DOT": "for (ic = 0; ic < s->ci; ++ic) "
                "acc += (uint32_t)(TINYCC_WV(filter, f + ic) * ((int32_t)x[ic] - in_zp));",
    "FC_I": ", d", "FC_ZP": " int32_t w_zp,",
    "FC_DOT": "for (d = 0; d < depth; ++d)\n"
              "            acc += (uint32_t)((TINYCC_WV(w, row + d) - w_zp) * ((int32_t)in[r * depth + d] - in_zp));",
}
S8_WEIGHTS = {**A8_LOOPS, "W": "s8", "WT": "int8_t", "WLOAD": "((int32_t)(w)[i])"}
S4_WEIGHTS = {**A8_LOOPS, "W": "s4", "WT": "uint8_t", "WLOAD": "tinycc_s4(w, i)"}
# LUT weights (zero point 0): conv_2d and fully_connected sum a run of one channel's weights with tinycc_lut_dot's
# bit cursor, depthwise_conv_2d decodes each weight
LUT_WEIGHTS = {
    "W": "lut", "WT": "uint8_t", "WLOAD": "tinycc_lut(w, tables, bits, chstride, oc, i)",
    "WX": ", const int8_t *tables, int bits, long chstride", "WXARGS": ", tables, bits, chstride",
    "CONV_I": "", "CONV_DOT": "acc += tinycc_lut_dot(filter, tables + oc * chstride, bits, f, s->ci, x, in_zp);",
    "FC_I": "", "FC_ZP": "",
    "FC_DOT": "acc += tinycc_lut_dot(w, tables + u * chstride, bits, row, depth, in + r * depth, in_zp);",
}
# a generic file's type placeholders, per unit instantiating it
PARAMS: dict[str, dict[str, str]] = {
    **{f"{op}.h": S8_WEIGHTS for op in ("conv_2d", "depthwise_conv_2d", "fully_connected")},
    **{f"{op}_s4.h": S4_WEIGHTS for op in ("conv_2d", "depthwise_conv_2d", "fully_connected")},
    **{f"{op}_lut.h": LUT_WEIGHTS for op in ("conv_2d", "depthwise_conv_2d", "fully_connected")},
    "signal_fft_s16.h": {"B": "16", "ACC": "int32_t"},
    "signal_fft_s32.h": {"B": "32", "ACC": "int64_t"},
}
PLACEHOLDER = re.compile(r"@([A-Za-z_][A-Za-z0-9_]*)@")


def read_file(path: str, params: dict[str, str] | None = None) -> str:
    """One kernel file (a path under kernels/), its placeholders replaced (C_DEFINES', then a generic
    file's type `params`)."""
    text = resources.files("tinycc.backends.c").joinpath("kernels", *path.split("/")).read_text()
    values = {**C_DEFINES, **(params or {})}
    return PLACEHOLDER.sub(lambda mt: str(values[mt.group(1)]), text)


@functools.cache
def read_unit(name: str) -> str:
    """A unit's C text: its files concatenated (a generic one instantiated with the unit's PARAMS)."""
    return "".join(read_file(path, PARAMS.get(name)) for path in files_of(name))


def instances() -> list[tuple[str, str]]:
    """(path, C text) of every file of every unit, as models get it: a generic file once per unit instantiating it."""
    return [(path, read_file(path, PARAMS.get(unit))) for unit in units() for path in files_of(unit)]


def files_of(name: str) -> tuple[str, ...]:
    """The files of unit `name`: its UNITS entry, or the one reference file of that name."""
    return UNITS.get(name, (f"reference/{name}",))


def units() -> list[str]:
    """Every unit: UNITS' and each reference file no UNITS entry lists."""
    listed = {f for files in UNITS.values() for f in files}
    return [*UNITS, *(f.split("/", 1)[1] for f in all_files() if f.startswith("reference/") and f not in listed)]


def all_files() -> list[str]:
    """Every .h file under kernels/, as paths relative to it."""
    root = resources.files("tinycc.backends.c").joinpath("kernels")
    found = []
    for sub in root.iterdir():
        if sub.is_dir():
            found += [f"{sub.name}/{p.name}" for p in sub.iterdir() if p.name.endswith(".h")]
    return sorted(found)
