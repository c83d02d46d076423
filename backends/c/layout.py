"""Sizes and packing constants the c backend's emitters and kernels both depend on, defined once.

The kernel files (backends/c/kernels/) never type these numbers: a `#define NAME @NAME@` line there
gets its value from `C_DEFINES` when the kernel text is read (backends/c/kernel_units.py), so the
emitter's checks (ops/conv_2d.py, ops/depthwise_conv_2d.py) and the C buffers cannot disagree.
Changing a value here changes the generated code of every model that uses the kernel.
"""
from __future__ import annotations

# im2col conv (kernels/optimised/conv_2d_cols*.h): stack bytes for two int16 columns of k4 taps each
# (k4 <= 576) and for a border pixel's zero-point patch (also the dot-product kernel's border patch)
CONV_COLS_BYTES = 2304
CONV_PATCH_BYTES = 256

# depthwise fast kernels (kernels/optimised/depthwise_conv_2d_*.h): a border pixel's window patch,
# the interior run from which stride 1 takes two pixels a pass, the wide-row kernel's window columns
DW_PATCH_BYTES = 1152
DW_PAIR_MIN = 12
DW_WROW_COLS = 64
DW_WROW_MIN_OW = 8     # emitter only: VWW's 6-wide rows 2% slower through tinycc_dw_s8_wrow, 12 to 48 wide 7-23% faster

# packing layouts (the emitters' packers and the kernels' loops; the C side's loops spell the 4s out)
TAP_GROUP = 4          # int8 taps per int32 word: conv filters zero-padded to a multiple, fc depth chunks
DW_CHANNEL_GROUP = 4   # depthwise packed filter and constants: channels a group
DW_GROUP_WORDS = 12    # depthwise packed constants a group: 4 folded biases, then (multiplier, rq word) x 4
FC_BLOCK_UNITS = 4     # fully_connected_w4: units a block (a last block of 1-2 units is 2 wide)

# what the kernel files' `@NAME@` placeholders are replaced with
C_DEFINES: dict[str, int] = {
    "TINYCC_CONV_COLS_BYTES": CONV_COLS_BYTES,
    "TINYCC_CONV_PATCH_BYTES": CONV_PATCH_BYTES,
    "TINYCC_DW_PATCH": DW_PATCH_BYTES,
    "TINYCC_DW_PAIR_MIN": DW_PAIR_MIN,
    "TINYCC_DW_WROW_COLS": DW_WROW_COLS,
}
