"""The c backend's kernel layout (backends/c/kernel_units.py, layout.py, requant.py, ops/_variants.py):
every kernel file belongs to one unit, reference and common files are portable C, the sizes the
emitters check are the kernels' #defines, each variant table names the file that defines its function,
and the requantisation packer's fused words give TF Lite Micro's MultiplyByQuantizedMultiplier."""
from __future__ import annotations

import re
from importlib import resources

import numpy as np
import pytest

from tinycc.backends.c import kernel_units, layout, requant
from tinycc.backends.c.ops import conv_2d, depthwise_conv_2d, fully_connected
from tinycc.core.fixedpoint import multiply_by_quantized_multiplier

KERNELS = resources.files("tinycc.backends.c").joinpath("kernels")
DSP_TOKENS = ("TINYCC_DSP", "__asm__", "__smlad", "__sxtb16", "__ssat", "arm_acle")


def raw(path: str) -> str:
    return KERNELS.joinpath(*path.split("/")).read_text()


def test_every_kernel_file_is_in_exactly_one_unit():
    """... or, a generic file, in one unit per type it is instantiated for (each with its PARAMS)."""
    listed = [f for unit in kernel_units.units() for f in kernel_units.files_of(unit)
              if unit not in kernel_units.PARAMS]
    generic = [f for unit in kernel_units.PARAMS for f in kernel_units.files_of(unit)]
    assert len(listed) == len(set(listed)) and not set(listed) & set(generic)
    listed += sorted(set(generic))
    assert sorted(listed) == kernel_units.all_files()
    assert {f.split("/")[0] for f in listed} == {"common", "reference", "optimised"}


def test_reference_and_common_files_are_portable_c():
    for path in kernel_units.all_files():
        if path.startswith(("reference/", "common/")):
            text = raw(path)
            assert not [t for t in DSP_TOKENS if t in text], path


def test_sizes_are_typed_once_in_python():
    """Each shared size is a placeholder in the kernel file and the layout value in the C a model gets."""
    assert layout.C_DEFINES["TINYCC_CONV_COLS_BYTES"] == layout.CONV_COLS_BYTES == 2304
    assert layout.C_DEFINES["TINYCC_DW_WROW_COLS"] == layout.DW_WROW_COLS == 64
    text = "".join(kernel_units.read_unit(u) for u in kernel_units.units())
    assert "@" not in text
    for name, value in layout.C_DEFINES.items():
        files = [f for f in kernel_units.all_files() if f"#define {name} @{name}@" in raw(f)]
        assert len(files) == 1, name
        assert not re.search(rf"#define {name} \d", raw(files[0]))
        assert re.findall(rf"#define {name} (\S+)", text) == [str(value)], name


@pytest.mark.parametrize("op", [conv_2d, depthwise_conv_2d, fully_connected], ids=lambda m: m.__name__)
def test_variant_tables_name_the_files_defining_their_functions(op):
    unit = op.__name__.rsplit(".", 1)[1] + ".h"
    files = kernel_units.UNITS[unit]
    unit_text = kernel_units.read_unit(unit)
    texts: dict[str, str] = {}      # a generic file (reference/*_a8.h: int8 and int4 weights) once per unit using it
    for path, text in kernel_units.instances():
        texts[path] = texts.get(path, "") + text
    own = {f for u in kernel_units.units() if u.startswith(unit[:-2] + "_")    # its int4 / LUT / multiplier units
           for f in kernel_units.files_of(u)}
    for v in op.VARIANTS:     # in the op's unit, or a unit of its own (conv_2d_s4.h, ...) the variant's emitter uses
        assert v.file in files or v.file in own, (v.name, v.file)
        assert re.search(rf"\b{v.kernel}\(", texts[v.file]), (v.name, v.kernel)
        if v.inplace:
            assert re.search(rf"\b{v.inplace}\(", unit_text + texts[v.file]), v.inplace


# ---- fused requantisation words against TF Lite Micro's arithmetic ----
def draws(seed: int, n: int = 3000):
    rng = np.random.default_rng(seed)
    acc = rng.integers(-(1 << 24), 1 << 24, n)
    acc[:8] = [0, -1, 1, -(1 << 24), (1 << 24) - 1, 255, -256, 12345]
    mult = rng.integers(1 << 30, (1 << 31) - 1, n)
    return rng, acc, mult


def mbqm(acc, mult, shift):
    return multiply_by_quantized_multiplier(np.asarray(acc, np.int32), np.asarray(mult, np.int32),
                                            np.asarray(shift, np.int32)).astype(np.int64)


def test_fc_words_are_tflm_requantisation():
    """tinycc_fc_mul with fc_rq_words' (M, h, r - 1): ((h + (acc >> 31)) 2^32 + (2^30 | acc & 2^31) + acc M)
    >> 32 >> (r - 1) equals MultiplyByQuantizedMultiplier(acc, M, -r) + out_zp."""
    rng, acc, mult = draws(1)
    for r in (2, 7, 13, 23):
        for zp in (-128, -3, 0, 127):
            p = {"multiplier": mult, "shift": np.full(mult.size, -r), "output_zp": zp, "act_min": -128,
                 "act_max": 127}
            words, mode = requant.fc_rq_words(p)
            m, h, rm1 = (words.reshape(-1, 3).astype(np.int64).T)
            assert mode == 1 and (rm1 == r - 1).all()
            k = (h + (acc >> 31)) * (1 << 32) + ((1 << 30) | (acc & (1 << 31)))
            got = ((k + acc * m) >> 32) >> rm1
            assert (got == mbqm(acc, mult, -r) + zp).all(), (r, zp)


def test_cols_words_are_tflm_requantisation():
    """tinycc_cols_rq with an exact word W = 2M - 2^32 (one whose low 5 bits are already e - 1) and the layer's
    2 zp + 1: x = acc + ((acc W + 2^31) >> 32), ((x + h + (x >> 31)) >> s) >> 1 with h = (2 zp + 1) << s equals
    MultiplyByQuantizedMultiplier(acc, M, -e) + out_zp."""
    rng, acc, mult = draws(2)
    for e in (1, 5, 13, 31):                             # e - 1 even: W = 2M - 2^32 can end in it
        word = ((2 * mult - (1 << 32)) & ~31) | (e - 1)
        m = (word + (1 << 32)) // 2
        for zp in (-128, 0, 41):
            got = requant.cols_word_outputs(acc, word, zp, -(1 << 40), 1 << 40)
            assert (got == mbqm(acc, m, -e) + zp).all(), (e, zp)
        # any M exactly, its word's low 5 bits made e - 1 by the layer's key (XOR)
        m2 = 2 * mult - (1 << 32)
        for i in range(0, acc.size, 500):
            key = int(m2[i] & 31) ^ (e - 1)
            got = requant.cols_word_outputs(acc, m2[i], -7, -(1 << 40), 1 << 40, key)
            assert (got == mbqm(acc, mult[i], -e) - 7).all(), (e, i)


def test_dw_words_are_tflm_requantisation():
    """tinycc_dw_rq (mode 1): high word hi0 - [acc < 0], low word 2^30 | (acc & 2^31), plus acc M; the
    high word shifted right by rqw & 255 = r - 1 equals MultiplyByQuantizedMultiplier(acc, M, -r) + out_zp."""
    rng, acc, mult = draws(3)
    for r in (2, 9, 17):
        zp = int(rng.integers(-128, 128))
        rqw, mode = requant.dw_rq_words(np.full(acc.size, -r), zp)
        assert mode == 1
        hi0, rm1 = rqw >> 8, rqw & 255
        k = (hi0 + (acc >> 31)) * (1 << 32) + ((1 << 30) | (acc & (1 << 31)))
        got = ((k + acc * mult) >> 32) >> rm1
        assert (got == mbqm(acc, mult, -r) + zp).all(), (r, zp)
    assert requant.dw_rq_words(np.array([-1]), 0) == (None, 0)          # r = 1: tinycc_requant_s8
    assert requant.dw_rq_words(np.array([-20]), 100)[1] == 2            # hi0 beyond 24 bits: zp after the shift


def test_dw_group_words_layout():
    """Per group of 4 channels: 4 folded biases, then (multiplier, rq word) per channel; last group padded."""
    words = requant.dw_group_words(np.array([10, 11, 12, 13, 14]), np.array([20, 21, 22, 23, 24]),
                                   np.array([30, 31, 32, 33, 34])).tolist()
    assert words == [10, 11, 12, 13, 20, 30, 21, 31, 22, 32, 23, 33,
                     14, 0, 0, 0, 24, 34, 0, 0, 0, 0, 0, 0]
