"""TF Lite Micro's LUT compression (core/lut.py): models compressed by TF Lite Micro's own compressor
(tflite_micro's compress.py, TFLM_DECODE operators) import to the values TF Lite Micro's DECODE writes,
and the reference interpreter and the c backend's LUT kernels (under ASan+UBSan) equal TF Lite Micro
running the compressed model; hostile DECODE metadata is refused clearly; `--compress-weights` shrinks
the flash by the expected bytes and its output equals TF Lite Micro's, DECODE path and decompressed."""
from __future__ import annotations

import copy
import importlib
import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from tests.c_build import build, run_exe
from tests.tflite_builder import act, const, q, single_op
from tests.tflm import run_tflm
from tinycc.backends.tflm.flatbuffer import write_tflite
from tinycc.core import interpreter, lut
from tinycc.core.errors import TinyccError
from tinycc.core.samples import random_inputs
from tinycc.plugins.importers.tflite import load_tflite

SANITIZE = ["-fsanitize=address,undefined", "-fno-sanitize-recover=all", "-g"]


@pytest.fixture(autouse=True)
def _no_leak_check(monkeypatch):
    monkeypatch.setenv("ASAN_OPTIONS", "detect_leaks=0:halt_on_error=1")     # the harness keeps its I/O buffers


def _compressor():
    pytest.importorskip("yaml", reason="TF Lite Micro's compressor reads its spec with PyYAML")
    try:
        return (importlib.import_module("tflite_micro.tensorflow.lite.micro.compression.compress"),
                importlib.import_module("tflite_micro.tensorflow.lite.micro.compression.spec"))
    except ImportError as exc:
        pytest.skip(f"the tflite-micro package has no compressor ({exc})")


def _weights(rng, shape, axis, bits, per_channel):
    """int8 weights with at most 2^bits distinct values per channel (per tensor: in all)."""
    k = 1 << bits
    co = shape[axis]
    tables = rng.choice(np.arange(-128, 128), size=(co if per_channel else 1, k), replace=False)
    idx = rng.integers(0, k, size=shape)
    ch = np.indices(shape)[axis] if per_channel else np.zeros(shape, np.int64)
    values = tables[ch, idx].astype(np.int8)
    sc = rng.uniform(0.005, 0.02, co if per_channel else 1).astype(np.float32)
    w = const("w", values, q(sc, np.zeros(sc.size), axis if per_channel else 0))
    b = const("b", rng.integers(-3000, 3000, co).astype(np.int32), q(sc * np.float32(0.02), np.zeros(sc.size)))
    return w, b


def _model(rng, op: str, bits: int, per_channel: bool) -> bytes:
    x_q, y_q = q(0.02, 3), q(0.5, -2)
    if op == "fully_connected":
        w, b = _weights(rng, (6, 40), 0, bits, per_channel)
        return single_op(op, [act("x", (2, 40), "int8", x_q), w, b], act("y", (), "int8", y_q), {"activation": "none"})
    attrs = {"strides": (1, 1), "pads": (1, 1, 1, 1), "activation": "relu"}
    if op == "conv_2d":
        w, b = _weights(rng, (5, 3, 3, 7), 0, bits, per_channel)
        return single_op(op, [act("x", (1, 6, 6, 7), "int8", x_q), w, b], act("y", (), "int8", y_q), attrs)
    w, b = _weights(rng, (1, 3, 3, 12), 3, bits, per_channel)
    return single_op(op, [act("x", (1, 6, 6, 6), "int8", x_q), w, b], act("y", (), "int8", y_q),
                     {**attrs, "depth_multiplier": 2})


def _tflm_compress(model: bytes, bits: int, axis: int | None) -> bytes:
    compress, spec = _compressor()
    from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as fb
    sg = fb.Model.GetRootAs(model, 0).Subgraphs(0)
    index = next(i for i in range(sg.TensorsLength()) if sg.Tensors(i).Name() == b"w")
    mode = "per_tensor:" if axis is None else f"per_channel: {{axis: {axis}}}"
    text = f"tensors:\n  - subgraph: 0\n    tensor: {index}\n    compression:\n      - lut:\n" \
           f"          index_bitwidth: {bits}\n          {mode}\n"
    return bytes(compress.compress(model, spec.parse_yaml(text)))


CASES = [("conv_2d", 4, True), ("depthwise_conv_2d", 3, True), ("fully_connected", 2, True),
         ("conv_2d", 5, False)]


@pytest.mark.parametrize("op,bits,per_channel", CASES, ids=[f"{c[0]}-{c[1]}bit" for c in CASES])
def test_tflm_compressed_models_equal_tflm(op, bits, per_channel, tmp_path):
    rng = np.random.default_rng(bits)
    plain = _model(rng, op, bits, per_channel)
    axis = (3 if op == "depthwise_conv_2d" else 0) if per_channel else None
    packed = _tflm_compress(plain, bits, axis)
    g = load_tflite(Path("lut.tflite"), packed)
    assert [n.op for n in g.nodes] == [op]                   # TFLM_DECODE folded away
    w = g.tensors[g.nodes[0].inputs[1]]
    assert w.lut is not None and w.lut.bits == bits and w.lut.channels == (w.shape[axis] if per_channel else 1)
    np.testing.assert_array_equal(w.data, load_tflite(Path("plain.tflite"), plain).tensors["w"].data)
    samples = [random_inputs(g, rng) for _ in range(2)]
    c_outs = run_exe(build(g, tmp_path, extra_flags=SANITIZE), g, samples)
    assert "tinycc_lut(" in (tmp_path / "model.c").read_text()          # the LUT kernel, not a decoded copy
    for k, xs in enumerate(samples):
        ref = interpreter.run(g, xs)[0]
        np.testing.assert_array_equal(run_tflm(packed, xs)[0].reshape(ref.shape), ref)     # TFLM's DECODE path
        np.testing.assert_array_equal(run_tflm(plain, xs)[0].reshape(ref.shape), ref)
        np.testing.assert_array_equal(c_outs[k][0].reshape(ref.shape), ref)


def _edit(model: bytes, tensor: str, edit) -> bytes:
    """The model with the bytes of tensor `tensor` (1-D UINT8) replaced by edit(bytearray)."""
    import flatbuffers

    from tinycc.backends.tflm.flatbuffer import _schema
    m = _schema().ModelT.InitFromPackedBuf(bytearray(model), 0)
    t = next(t for t in m.subgraphs[0].tensors if t.name.decode() == tensor)
    raw = bytes(edit(bytearray(m.buffers[t.buffer].data.tobytes())))
    m.buffers[t.buffer].data = np.frombuffer(raw, dtype=np.uint8)
    t.shape = np.array([len(raw)], dtype=np.int32)            # a 1-D UINT8 tensor: its length with it
    b = flatbuffers.Builder(1024)
    b.Finish(m.Pack(b), file_identifier=b"TFL3")
    return bytes(b.Output())


def _set(pos: int, value: int):
    def edit(raw: bytearray) -> bytearray:
        raw[pos] = value
        return raw
    return edit


def test_hostile_decode_metadata_is_refused_clearly():
    model = _tflm_compress(_model(np.random.default_rng(4), "conv_2d", 4, True), 4, 0)
    load_tflite(Path("ok.tflite"), model)
    bad = {
        "huffman": (_edit(model, "w_ancillary", _set(0, 1)), "decode type 1 .Huffman.; tinycc reads LUT"),
        "version": (_edit(model, "w_ancillary", _set(1, 2)), "DECODE header version 2"),
        "zero bits": (_edit(model, "w_ancillary", _set(5, 0x00)), "index width 0 bits"),
        "one table": (_edit(model, "w_ancillary", _set(5, 0xF4)), "names one table, but TF Lite Micro decodes 5"),
        "short tables": (_edit(model, "w_ancillary", _set(6, 200)), "5 tables of 200 int8 values need 1016"),
        "past table": (_edit(model, "w_ancillary", _set(6, 2)), "past the 2-entry value table of channel 0"),
        "short indices": (_edit(model, "w", lambda raw: raw[:-1]), "315 indices of 4 bits need 158"),
        "header": (_edit(model, "w_ancillary", lambda raw: raw[:10]), "less than the 16-byte DECODE header"),
    }
    for what, (data, message) in bad.items():
        with pytest.raises(TinyccError, match=message):
            load_tflite(Path(f"{what}.tflite"), data)
    with pytest.raises(TinyccError, match="older COMPRESSION_METADATA scheme"):
        load_tflite(Path("old.tflite"), _with_metadata(model, "COMPRESSION_METADATA"))


def _with_metadata(model: bytes, name: str) -> bytes:
    import flatbuffers

    from tinycc.backends.tflm.flatbuffer import _schema
    s = _schema()
    m = s.ModelT.InitFromPackedBuf(bytearray(model), 0)
    meta = s.MetadataT()
    meta.name, meta.buffer = name, 0
    m.metadata = [*(m.metadata or []), meta]
    b = flatbuffers.Builder(1024)
    b.Finish(m.Pack(b), file_identifier=b"TFL3")
    return bytes(b.Output())


def test_compress_weights_shrinks_flash_and_equals_tflm(tmp_path):
    from tinycc.driver import compile_model
    rng = np.random.default_rng(7)
    w = const("w", rng.integers(-127, 128, (8, 3, 3, 16)).astype(np.int8),
              q(rng.uniform(0.005, 0.02, 8).astype(np.float32), np.zeros(8), 0))
    b = const("b", rng.integers(-3000, 3000, 8).astype(np.int32), q(np.full(8, 2e-4, np.float32), np.zeros(8)))
    model = single_op("conv_2d", [act("x", (1, 8, 8, 16), "int8", q(0.02, 3)), w, b], act("y", (), "int8", q(0.5, -2)),
                      {"strides": (1, 1), "pads": (0, 0, 0, 0), "activation": "none"})
    g = load_tflite(Path("conv.tflite"), model)
    size = {"optimize": "size"}                                        # reference kernels on both sides
    plain = compile_model(copy.deepcopy(g), "c", tmp_path / "int8", options=size)
    packed = compile_model(copy.deepcopy(g), "c", tmp_path / "lut3", options={"compress_weights": 3, **size})
    count = 8 * 3 * 3 * 16
    layer = packed["compression"]["layers"][0]
    assert (layer["tables"], layer["entries"], layer["lut_bytes"]) == (8, 8, count * 3 // 8 + 8 * 8)
    assert plain["flash_weights_bytes"] - packed["flash_weights_bytes"] == count - (count * 3 // 8 + 8 * 8)
    assert 10 < layer["sqnr_vs_int8_db"] < 40 and packed["compression"]["output_sqnr_vs_int8_db"][0] > 5

    from tinycc.core.passes.compress_weights import CompressWeights
    gl = CompressWeights(3, "uniform").run(copy.deepcopy(g))
    wl = gl.tensors["w"]
    assert wl.lut is not None and all(np.unique(wl.data[c]).size <= 8 for c in range(8))
    decompressed = copy.deepcopy(gl)
    decompressed.tensors["w"].lut = None
    with_decode, without = write_tflite(gl), write_tflite(decompressed)
    assert b"TFLM_DECODE" in with_decode and b"TFLM_DECODE" not in without
    assert len(with_decode) < len(without) - count // 4      # 3-bit indices + tables + DECODE operator
    samples = [random_inputs(gl, rng) for _ in range(2)]
    (tmp_path / "c").mkdir()
    c_outs = run_exe(build(gl, tmp_path / "c", extra_flags=SANITIZE), gl, samples)
    for k, xs in enumerate(samples):
        ref = run_tflm(without, xs)[0]
        np.testing.assert_array_equal(run_tflm(with_decode, xs)[0], ref)
        np.testing.assert_array_equal(c_outs[k][0].reshape(ref.shape), ref)
        np.testing.assert_array_equal(interpreter.run(gl, xs)[0].reshape(ref.shape), ref)
    with pytest.raises(TinyccError, match="index width must be 1..7 bits"):
        CompressWeights(8)


def test_packing_is_big_endian_and_continuous():
    assert lut.pack_indices(np.array([1, 2, 3]), 3) == bytes([0b00101001, 0b10000000])
    assert lut.unpack_indices(bytes([0b00101001, 0b10000000]), 3, 3).tolist() == [1, 2, 3]
    rng = np.random.default_rng(0)
    for bits in range(1, 8):
        v = rng.integers(0, 1 << bits, 37)
        assert lut.unpack_indices(lut.pack_indices(v, bits), 37, bits).tolist() == v.tolist()


def test_cli_prints_the_compression_report_and_refuses_bad_options(tmp_path):
    from tests.test_cli import EXAMPLE, assert_user_error, tinycc
    ok = tinycc("compile", EXAMPLE, "-o", tmp_path / "lut", "--compress-weights", "4", "--compress-method", "uniform")
    assert ok.returncode == 0, ok.stderr
    assert "LUT weights (4-bit indices, uniform tables)" in ok.stdout and "SQNR vs the int8 model" in ok.stdout
    assert "tinycc_lut(" in (tmp_path / "lut" / "model.c").read_text()
    assert_user_error(tinycc("compile", EXAMPLE, "-o", tmp_path / "bad", "--compress-weights", "9"),
                      "index width must be 1..7 bits")
    assert_user_error(tinycc("compile", EXAMPLE, "-o", tmp_path / "bad2", "--compress-method", "kmeans"),
                      "--compress-method applies with --compress-weights")


def test_kws_with_2bit_lut_weights_equals_tflm_decode(tmp_path):
    from tests.tflm import models_dir
    from tinycc.core.passes.compress_weights import CompressWeights
    path = models_dir() / "mlperf_tiny" / "kws_ref_model.tflite"
    if not path.exists():
        pytest.skip(f"shared model {path} not found (set TINYCC_MODELS)")
    p = CompressWeights(2)
    g = p.run(load_tflite(path))
    assert {e["op"] for e in p.report["layers"]} == {"conv_2d", "depthwise_conv_2d", "fully_connected"}
    model = write_tflite(g)
    rng = np.random.default_rng(3)
    samples = [random_inputs(g, rng) for _ in range(2)]
    c_outs = run_exe(build(g, tmp_path, extra_flags=SANITIZE), g, samples)
    calls = re.findall(r"^\s+tinycc_(conv_2d|depthwise_conv_2d|fully_connected)_lut(?:_fast)?(?:_inplace)?\(",
                       (tmp_path / "model.c").read_text(), re.M)
    assert len(calls) == len(p.report["layers"]) == 10                 # every conv, depthwise and FC layer
    for k, xs in enumerate(samples):
        ref = run_tflm(model, xs)[0]
        np.testing.assert_array_equal(interpreter.run(g, xs)[0].reshape(ref.shape), ref)
        np.testing.assert_array_equal(c_outs[k][0].reshape(ref.shape), ref)
    if shutil.which("arm-none-eabi-gcc") is None or shutil.which("qemu-system-arm") is None:
        pytest.skip("the Cortex-M toolchain and QEMU are not installed: the LUT kernels ran on the host only")
    from tests.ops.check import assert_qemu_m4_equals_tflm
    assert_qemu_m4_equals_tflm(model, g, tmp_path, 1)          # the same sources, cross-built, under QEMU
