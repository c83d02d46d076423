"""`--weights-blob` (backends/c/weights_blob.py): the constants in NAME.weights, read through
NAME_set_weights(); the dual-slot example (examples/ota_dual_slot/main.c) swaps blob A for blob B
(other weights, same layout) without rebuilding, refuses a damaged blob and one of another layout,
and keeps running B. Outputs are TF Lite Micro's for each model, on the host and under QEMU
(Cortex-M4); with the blob, the shared int8 models give the same bytes as without it."""
from __future__ import annotations

import shutil
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import numpy as np
import pytest

from tests.tflite_builder import act, const, q
from tests.tflm import models_dir, run_tflm
from tinycc.backends.c import weights_blob
from tinycc.backends.tflm.flatbuffer import write_tflite
from tinycc.core import ops
from tinycc.core.graph import Graph, Node
from tinycc.core.validate import validate

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "ota_dual_slot" / "main.c"
CFLAGS = ["-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic", "-O2"]
E = weights_blob.ERRORS


def _per_channel(w: np.ndarray, axis: int):
    """int8 weights and per-channel scales (symmetric) from float weights."""
    red = tuple(i for i in range(w.ndim) if i != axis)
    scale = (np.abs(w).max(axis=red) / 127).astype(np.float32)
    shape = [1] * w.ndim
    shape[axis] = -1
    return np.clip(np.round(w / scale.reshape(shape)), -127, 127).astype(np.int8), scale


def small_model(seed: int, depth: int = 3) -> bytes:
    """conv 3x3 (relu) -> depthwise 3x3 (relu6) -> conv 1x1, int8 with per-channel weights. The weights
    come from `seed` (a "retraining"); the activations' quantisation is fixed (frozen ranges), so two
    seeds give two models of the same layout."""
    rng = np.random.default_rng(seed)
    tensors, nodes = {}, []
    x = act("x", (1, 10, 8, 3), "int8", q(1 / 128, -3))
    tensors["x"] = x
    layers = [("conv_2d", (8, 3, 3, 3), 0, "relu", q(0.03, -128)),
              ("depthwise_conv_2d", (1, 3, 3, 8), 3, "relu6", q(6 / 255, -128)),
              ("conv_2d", (8, 1, 1, 8), 0, "none", q(0.05, 7))]
    prev, in_scale = "x", 1 / 128
    for i, (op, shape, axis, activation, out_q) in enumerate(layers[:depth]):
        w, ws = _per_channel(rng.normal(0, 0.3, shape).astype(np.float32), axis)
        bs = (ws * np.float32(in_scale)).astype(np.float32)
        b = np.round(rng.normal(0, 0.2, shape[axis]) / bs).astype(np.int32)
        wt = const(f"w{i}", w, q(ws, np.zeros(len(ws)), axis))
        bt = const(f"b{i}", b, q(bs, np.zeros(len(bs))))
        y = act(f"y{i}", (), "int8", out_q)
        tensors.update({wt.name: wt, bt.name: bt, y.name: y})
        attrs = {"strides": (1, 1), "dilations": (1, 1), "activation": activation, "pads": (1, 1, 1, 1)
                 if shape[1] == 3 else (0, 0, 0, 0)}
        if op == "depthwise_conv_2d":
            attrs["depth_multiplier"] = 1
        nodes.append(Node(f"layer{i}", op, [prev, wt.name, bt.name], [y.name],
                          ops.attrs_with_defaults(ops.get(op), attrs)))
        prev, in_scale = y.name, float(out_q.scale[0])
    g = Graph("ota", tensors, nodes, ["x"], [prev], source="<ota test>")
    return write_tflite(validate(g))


def compile_c(model: Path, out: Path, *extra: str) -> Path:
    proc = subprocess.run([sys.executable, "-m", "tinycc", "compile", str(model), "-o", str(out), "--name", "model",
                           "--force", *extra], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return out


def records(raw: bytes, out_bytes: int) -> list[tuple[int, int, int, bytes]]:
    """ota_output.bin: (update status, slot in use, invoke status, outputs) per step."""
    size = 12 + out_bytes
    assert len(raw) % size == 0, len(raw)
    return [(*struct.unpack("<iii", raw[i:i + 12]), raw[i + 12:i + size]) for i in range(0, len(raw), size)]


def host_example(folder: Path, work: Path, io_bytes: int = 4096) -> Path:
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        pytest.skip("no host C compiler")
    exe = work / "ota_demo"
    proc = subprocess.run([cc, *CFLAGS, f"-DOTA_IO_BYTES={io_bytes}", f"-I{folder}", str(EXAMPLE),
                           str(folder / "model.c"), str(folder / "model_weights.c"), "-o", str(exe), "-lm"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return exe


def run_updates(cmd: list[str], work: Path, x: np.ndarray, updates: list[bytes], out_bytes: int):
    for old in work.glob("ota_update_*.weights"):
        old.unlink()
    (work / "ota_input.bin").write_bytes(np.ascontiguousarray(x).tobytes())
    for k, blob in enumerate(updates):
        (work / f"ota_update_{k}.weights").write_bytes(blob)
    proc = subprocess.run(cmd, cwd=work, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, (proc.returncode, proc.stderr[-2000:])
    return records((work / "ota_output.bin").read_bytes(), out_bytes)


def make_ab(work: Path, optimize: str) -> dict:
    """Models A and B (same layout, other weights), their folders, blobs, a damaged B and a blob of
    another layout (A compiled with the other --optimize)."""
    (work / "a.tflite").write_bytes(small_model(1))
    (work / "b.tflite").write_bytes(small_model(2))
    fa = compile_c(work / "a.tflite", work / "a", "--weights-blob", "--optimize", optimize)
    fb = compile_c(work / "b.tflite", work / "b", "--weights-blob", "--optimize", optimize)
    fd = compile_c(work / "a.tflite", work / "d", "--weights-blob", "--optimize",
                   "size" if optimize == "speed" else "speed")
    blob_b = (fb / "model.weights").read_bytes()
    damaged = bytearray(blob_b)
    damaged[weights_blob.HEADER_BYTES + len(blob_b) // 3] ^= 0x10          # one flipped bit of the payload
    x = np.random.default_rng(5).integers(-128, 128, (1, 10, 8, 3)).astype(np.int8)
    return {"work": work, "a": fa, "b": fb, "x": x, "optimize": optimize,
            "blobs": [(fa / "model.weights").read_bytes(), blob_b, bytes(damaged), (fd / "model.weights").read_bytes()],
            "tflm": [run_tflm((work / f"{k}.tflite").read_bytes(), [x])[0].tobytes() for k in "ab"]}


@pytest.fixture(scope="module")
def ab(tmp_path_factory):
    return make_ab(tmp_path_factory.mktemp("ota"), "speed")


@pytest.fixture(scope="module")
def ab_size(tmp_path_factory):
    return make_ab(tmp_path_factory.mktemp("ota_size"), "size")


def test_blob_header_and_same_code_for_retrained_weights(ab):
    a, b, damaged, other = ab["blobs"]
    ha, hb, hd = (weights_blob.parse_header(x) for x in (a, b, other))
    assert ha["magic"] == b"TCWB" and ha["version"] == weights_blob.FORMAT_VERSION and ha["header_bytes"] == 32
    for blob, h in ((a, ha), (b, hb)):
        assert h["payload_bytes"] == len(blob) - 32 and h["crc32"] == zlib.crc32(blob[32:])
    # retrained weights: other values, the same layout hash, the very same code
    assert a[32:] != b[32:] and ha["layout_hash"] == hb["layout_hash"] and ha["payload_bytes"] == hb["payload_bytes"]
    for f in ("model.c", "model.h", "model_weights.c", "model_weights.h"):
        assert (ab["a"] / f).read_text() == (ab["b"] / f).read_text().replace("b.tflite", "a.tflite"), f
    assert hd["layout_hash"] != ha["layout_hash"]
    assert f"#define MODEL_WEIGHTS_LAYOUT_HASH UINT64_C(0x{ha['layout_hash'][::-1].hex()})" in \
        (ab["a"] / "model.h").read_text()
    # no constant array is left in the code; every constant starts 16-byte aligned in the payload
    text = (ab["a"] / "model_weights.c").read_text() + (ab["a"] / "model.c").read_text()
    assert "const int8_t model_w" not in text
    offsets = [int(o) for o in __import__("re").findall(r"model_weights_payload \+ (\d+)\)\)",
                                                        (ab["a"] / "model_weights.h").read_text())]
    assert offsets and all(o % 16 == 0 for o in offsets) and offsets == sorted(offsets)
    # deterministic: the same model compiles to the same bytes
    again = compile_c(ab["work"] / "a.tflite", ab["work"] / "a2", "--weights-blob", "--optimize", "speed")
    assert (again / "model.weights").read_bytes() == a


def _check_ab_records(recs, ab):
    out_a, out_b = ab["tflm"]
    assert out_a != out_b                               # the swap changes the outputs
    assert recs[0][:3] == (-1, -1, E["MISSING"])        # no weights: invoke refuses
    assert recs[1][:3] == (0, 0, 0) and recs[1][3] == out_a       # blob A accepted in slot 0: TFLM's outputs for A
    assert recs[2][:3] == (0, 1, 0) and recs[2][3] == out_b       # blob B in slot 1: TFLM's outputs for B
    assert recs[3][:3] == (E["CRC"], 1, 0) and recs[3][3] == out_b     # damaged: refused, B keeps running
    assert recs[4][:3] == (E["LAYOUT"], 1, 0) and recs[4][3] == out_b  # another layout: refused, B runs


def test_dual_slot_swap_on_the_host(ab, tmp_path):
    exe = host_example(ab["a"], tmp_path)
    recs = run_updates([str(exe)], tmp_path, ab["x"], ab["blobs"], len(ab["tflm"][0]))
    _check_ab_records(recs, ab)


def test_dual_slot_swap_under_qemu_cortex_m4(ab_size, tmp_path):
    # the reference kernels (--optimize size): the fast depthwise wide-row kernel
    # (tinycc_depthwise_conv_2d_s8_wrow) differs from TFLM on this model under QEMU with or without the blob
    ab = ab_size
    from tinycc import cortexm
    gcc, qemu = shutil.which("arm-none-eabi-gcc"), shutil.which("qemu-system-arm")
    if gcc is None or qemu is None:
        pytest.skip(f"needs arm-none-eabi-gcc and qemu-system-arm ({cortexm.PACKAGES})")
    t = cortexm.target("cortex-m4")
    flash, ram = cortexm.MEMORY[None]
    elf = tmp_path / "ota.elf"
    folder = ab["a"]
    cmd = [gcc, *CFLAGS, f"-mcpu={t.cpu}", "-mthumb", *t.flags, "-ffunction-sections", "-fdata-sections",
           "--specs=picolibc.specs", "--oslib=semihost", "--crt0=semihost", "-T", "picolibc.ld",
           f"-Wl,--defsym=__flash={flash:#x}", "-Wl,--defsym=__flash_size=0x400000",
           f"-Wl,--defsym=__ram={ram:#x}", "-Wl,--defsym=__ram_size=0x400000", "-Wl,--gc-sections",
           f"-I{folder}", str(EXAMPLE), str(folder / "model.c"), str(folder / "model_weights.c"), "-o", str(elf), "-lm"]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-3000:]
    run = [qemu, "-M", t.machine, "-nographic", "-monitor", "none", "-serial", "none",
           "-semihosting-config", "enable=on,target=native", "-kernel", str(elf)]
    recs = run_updates(run, tmp_path, ab["x"], ab["blobs"], len(ab["tflm"][0]))
    _check_ab_records(recs, ab)


CHECKS = r"""
#include <stdio.h>
#include <string.h>
#include "model.h"
static unsigned char raw[MODEL_WEIGHTS_BYTES + 64];
int main(int argc, char **argv) {
    unsigned char *b = raw + ((16u - (unsigned)((size_t)raw & 15u)) & 15u);
    FILE *f = fopen(argv[1], "rb");
    size_t n;
    static unsigned char x[4096], y[4096];
    const void *in[1] = { x };
    void *out[1] = { y };
    if (argc != 2 || !f) return 90;
    n = fread(b, 1, MODEL_WEIGHTS_BYTES, f);
    fclose(f);
    printf("%d", model_invoke(in, out));
    printf(" %d", model_set_weights(NULL, 0));
    printf(" %d", model_set_weights(b, n - 1));
    memmove(b + 1, b, n); printf(" %d", model_set_weights(b + 1, n)); memmove(b, b + 1, n);
    b[0] ^= 1; printf(" %d", model_set_weights(b, n)); b[0] ^= 1;
    b[4] ^= 1; printf(" %d", model_set_weights(b, n)); b[4] ^= 1;
    b[20] ^= 1; printf(" %d", model_set_weights(b, n)); b[20] ^= 1;
    b[16] ^= 1; printf(" %d", model_set_weights(b, n)); b[16] ^= 1;
    printf(" %d", model_invoke(in, out));
    printf(" %d", model_set_weights(b, n));
    printf(" %d\n", model_invoke(in, out));
    return 0;
}
"""


def test_set_weights_refuses_each_bad_header_field(ab, tmp_path):
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        pytest.skip("no host C compiler")
    (tmp_path / "checks.c").write_text(CHECKS)
    folder = ab["a"]
    proc = subprocess.run([cc, *CFLAGS, f"-I{folder}", str(tmp_path / "checks.c"), str(folder / "model.c"),
                           str(folder / "model_weights.c"), "-o", str(tmp_path / "checks"), "-lm"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-3000:]
    got = subprocess.run([str(tmp_path / "checks"), str(folder / "model.weights")], capture_output=True,
                         text=True, check=True).stdout.split()
    assert [int(v) for v in got] == [E["MISSING"], E["LENGTH"], E["LENGTH"], E["ALIGNMENT"], E["MAGIC"],
                                     E["VERSION"], E["CRC"], E["LENGTH"], E["MISSING"], 0, 0]


SHARED_INT8 = ["mlperf_tiny/kws_ref_model.tflite", "mlperf_tiny/ad01_int8.tflite",
               "mlperf_tiny/pretrainedResnet_quant.tflite", "mlperf_tiny/vww_96_int8.tflite",
               "tflm_examples/micro_speech_quantized.tflite"]


@pytest.mark.parametrize("rel", SHARED_INT8)
def test_shared_int8_models_give_the_same_bytes_with_the_blob(rel, tmp_path):
    from tinycc.driver import load_model
    from tinycc.plugins.runtimes.c_host import build_host, run_exe
    path = models_dir() / rel
    if not path.exists():
        pytest.skip(f"{path} is absent (the shared models, $TINYCC_MODELS)")
    plain = compile_c(path, tmp_path / "plain")
    blob = compile_c(path, tmp_path / "blob", "--weights-blob")
    g = load_model(path)
    (x,) = [np.random.default_rng(3).integers(-128, 128, g.tensors[g.inputs[0]].shape).astype(np.int8)]
    expected = run_exe(build_host(plain), g, [[x]])[0]
    want = b"".join(np.ascontiguousarray(o).tobytes() for o in expected)
    exe = host_example(blob, tmp_path, io_bytes=32768)
    recs = run_updates([str(exe)], tmp_path, x, [(blob / "model.weights").read_bytes()], len(want))
    assert recs[1][:3] == (0, 0, 0) and recs[1][3] == want
