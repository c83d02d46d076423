"""Hostile files that declare gigabytes are refused before memory is reserved: tinycc runs in a
subprocess whose address space is capped at 2.5 GB (RLIMIT_AS) and exits 2 with the reason, never
3 (a MemoryError is an internal error). The files cost the test almost nothing: a sparse 3 GiB
external-data file (truncate), a 2 MB .npz whose member inflates to 2 GiB of zeros (written by
repeating one deflate block), a .npy header alone claiming 2^40 samples."""
from __future__ import annotations

import io
import os
import resource
import struct
import subprocess
import sys
import zlib

import numpy as np
import pytest

from tinycc.backends.tflm.flatbuffer import write_tflite
from tinycc.core.graph import Graph, Node, Tensor
from tinycc.core.validate import validate

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_AS caps the address space on Linux only")

ADDRESS_SPACE = 2_500_000_000
GiB = 1 << 30


def tinycc_limited(*args):
    def cap():
        resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))
    return subprocess.run([sys.executable, "-m", "tinycc", *map(str, args)], capture_output=True, text=True,
                          preexec_fn=cap, timeout=300, env={**os.environ, "COLUMNS": "400", "OMP_NUM_THREADS": "1"})


def assert_refused(proc, *needles):
    assert proc.returncode == 2, proc.stderr
    assert "internal error" not in proc.stderr and "MemoryError" not in proc.stderr
    for needle in needles:
        assert needle in proc.stderr, proc.stderr


@pytest.fixture
def float_model(tmp_path):
    """y = fully_connected(x (1, 8)) -> (1, 3), float32: calibration samples are (N, 8) or (N, 1, 8)."""
    t = {"x": Tensor("x", (1, 8), "float32"), "w": Tensor("w", (3, 8), "float32", data=np.ones((3, 8), np.float32)),
         "b": Tensor("b", (3,), "float32", data=np.zeros(3, np.float32)), "y": Tensor("y", (), "float32")}
    g = validate(Graph("tiny", t, [Node("fc", "fully_connected", ["x", "w", "b"], ["y"])], ["x"], ["y"], source="t"))
    path = tmp_path / "tiny.tflite"
    path.write_bytes(write_tflite(g))
    return path


def npy_header(shape, descr="<f4") -> bytes:
    f = io.BytesIO()
    np.lib.format.write_array_header_1_0(f, {"descr": descr, "fortran_order": False, "shape": shape})
    return f.getvalue()


def write_zero_bomb(path, name: str, header: bytes, zeros: int) -> None:
    """A one-member deflated .npz: `header` then `zeros` zero bytes, written without ever holding
    them: one full-flushed deflate block of 16 MiB of zeros is byte-identical every time, so it is
    repeated; the CRC is computed over the same 16 MiB buffer."""
    chunk = bytes(16 << 20)
    assert zeros % len(chunk) == 0
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = c.compress(header) + c.flush(zlib.Z_FULL_FLUSH)
    block = c.compress(chunk) + c.flush(zlib.Z_FULL_FLUSH)
    assert c.compress(chunk) + c.flush(zlib.Z_FULL_FLUSH) == block
    tail = c.flush()
    crc = zlib.crc32(header)
    for _ in range(zeros // len(chunk)):
        crc = zlib.crc32(chunk, crc)
    csize, usize, fn = len(head) + len(block) * (zeros // len(chunk)) + len(tail), len(header) + zeros, name.encode()
    with open(path, "wb") as f:
        f.write(struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, 0, 0, crc, csize, usize, len(fn), 0) + fn)
        start = f.tell()
        f.write(head)
        for _ in range(zeros // len(chunk)):
            f.write(block)
        f.write(tail)
        assert f.tell() - start == csize
        central = struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, 8, 0, 0, crc, csize, usize, len(fn),
                              0, 0, 0, 0, 0, 0) + fn
        offset = f.tell()
        f.write(central + struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 1, 1, len(central), offset, 0))


def test_the_zero_bomb_is_a_real_one(tmp_path):
    """The writer's trick, checked small: the archive is valid and inflates to exactly the zeros."""
    import zipfile
    write_zero_bomb(tmp_path / "b.npz", "x.npy", npy_header((1 << 20, 16)), 64 << 20)
    assert (tmp_path / "b.npz").stat().st_size < 600_000
    with zipfile.ZipFile(tmp_path / "b.npz") as z:
        assert z.testzip() is None and z.getinfo("x.npy").file_size == 128 + (64 << 20)
    np.testing.assert_array_equal(np.load(tmp_path / "b.npz")["x"][::4096], np.zeros((256, 16), np.float32))


def test_npz_zip_bomb_calibration_is_refused_from_its_header(float_model, tmp_path):
    """2 MB on disk, 2 GiB of zeros inside: refused from the header (2 GiB > 1 GiB), and, with a
    header declaring 16 samples, from the member's stored size; never inflated."""
    honest = tmp_path / "honest.npz"
    write_zero_bomb(honest, "x.npy", npy_header((2 * GiB // 32, 8)), 2 * GiB)
    assert honest.stat().st_size < 3_000_000
    assert_refused(tinycc_limited("compile", float_model, "--calibration", honest, "-o", tmp_path / "o1"),
                   f"file {honest}: calibration array 'x' of shape (67108864, 8) float32 takes 2,147,483,648 bytes "
                   "(the limit is 1,073,741,824)")
    small = tmp_path / "small.npz"
    write_zero_bomb(small, "x.npy", npy_header((16, 8)), 2 * GiB)
    assert_refused(tinycc_limited("compile", float_model, "--calibration", small, "-o", tmp_path / "o2"),
                   f"file {small}: array 'x' holds 2,147,483,648 bytes of data; its header (shape (16, 8), float32) "
                   "declares 512")
    assert_refused(tinycc_limited("compare", float_model, "--runtimes", "reference", "--inputs", small),
                   f"file {small}: array 'x' holds 2,147,483,648 bytes of data")
    assert not (tmp_path / "o1").exists() and not (tmp_path / "o2").exists()


def test_npy_header_claiming_2_to_the_40_samples(float_model, tmp_path):
    x = tmp_path / "x.npy"
    x.write_bytes(npy_header((1 << 40, 8)))
    assert_refused(tinycc_limited("compile", float_model, "--calibration", x, "-o", tmp_path / "out"),
                   f"file {x}: calibration array 'x' of shape (1099511627776, 8) float32 takes 35,184,372,088,832 "
                   "bytes (the limit is 1,073,741,824)")
    assert_refused(tinycc_limited("compare", float_model, "--runtimes", "reference", "--inputs", x),
                   f"file {x}: input array 'x' of shape (1099511627776, 8) float32 takes 35,184,372,088,832 bytes")


def onnx_with_external(folder, dims, entries):
    """y = x @ W, W float32 of `dims` kept in external data described by `entries`."""
    onnx = pytest.importorskip("onnx", reason="ONNX external data needs the onnx package (tinycc-ml[onnx])")
    from onnx import helper
    w = onnx.TensorProto(name="W", data_type=onnx.TensorProto.FLOAT, dims=dims,
                         data_location=onnx.TensorProto.EXTERNAL)
    for key, value in entries.items():
        e = w.external_data.add()
        e.key, e.value = key, value
    graph = helper.make_graph([helper.make_node("MatMul", ["x", "W"], ["y"], name="mm")], "g",
                              [helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, [1, 4])],
                              [helper.make_tensor_value_info("y", onnx.TensorProto.FLOAT, [1, 8])], [w])
    path = folder / "model.onnx"
    path.write_bytes(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]).SerializeToString())
    return path


@pytest.mark.parametrize("case", ["length 3 GiB", "no length", "shape of 3 GiB"])
def test_sparse_3_gib_external_data_is_refused_before_reading(case, tmp_path):
    weights = tmp_path / "weights.bin"
    with open(weights, "wb") as f:
        f.truncate(3 * GiB)                       # sparse: no disk used
    dims, entries, needle = {
        "length 3 GiB": ([4, 8], {"location": "weights.bin", "offset": "0", "length": str(3 * GiB)},
                         "bytes 0..3221225472 (3,221,225,472 bytes) do not match the 128 bytes of the tensor's "
                         "shape (4, 8)"),
        "no length": ([4, 8], {"location": "weights.bin"},
                      "bytes 0..3221225472 (3,221,225,472 bytes, to the end of the file) do not match the 128 bytes"),
        "shape of 3 GiB": ([3 * GiB // 32, 8], {"location": "weights.bin"},
                           "the tensor of shape (100663296, 8) takes 3,221,225,472 bytes (the limit is "
                           "1,073,741,824)"),
    }[case]
    path = onnx_with_external(tmp_path, dims, entries)
    proc = tinycc_limited("compile", path, "-o", tmp_path / "out")
    assert_refused(proc, f"file {path}: initializer 'W': external data 'weights.bin'", needle)
    assert weights.stat().st_blocks == 0 and not (tmp_path / "out").exists()


def test_nul_in_external_data_location_is_refused(tmp_path, capsys):
    from tinycc.cli import main
    path = onnx_with_external(tmp_path, [4, 8], {"location": "weights\0.bin", "length": "128"})
    (tmp_path / "weights").write_bytes(bytes(128))
    assert main(["compile", str(path), "-o", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "initializer 'W': external data location 'weights\\x00.bin' is not a valid file name" in err, err
