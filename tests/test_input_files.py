"""Array files a user hands tinycc (calibration data, `compare --inputs`, `run --input`): .npz and
.npy both load, by content; every malformed one is a one-line error (exit 2) naming the file, the
array and the shapes expected, never an internal error."""
from __future__ import annotations

import io
import struct
import zipfile
import zlib

import numpy as np
import pytest

from tinycc.array_files import Input, load_samples
from tinycc.backends.tflm.flatbuffer import write_tflite
from tinycc.cli import main
from tinycc.core.graph import Graph, Node, Tensor
from tinycc.core.validate import validate

RNG = np.random.default_rng(0)
W = RNG.normal(0, 0.5, (3, 8)).astype(np.float32)
B = RNG.normal(0, 0.1, 3).astype(np.float32)


def float_graph() -> Graph:
    """y = fully_connected(x (1, 8)) -> (1, 3), float32."""
    t = {"x": Tensor("x", (1, 8), "float32"), "w": Tensor("w", (3, 8), "float32", data=W),
         "b": Tensor("b", (3,), "float32", data=B), "y": Tensor("y", (), "float32")}
    return validate(Graph("tiny", t, [Node("fc", "fully_connected", ["x", "w", "b"], ["y"])], ["x"], ["y"],
                          source="tiny"))


def two_input_graph() -> Graph:
    """y = a + b, both (1, 4) float32."""
    t = {n: Tensor(n, (1, 4), "float32") for n in ("a", "b")}
    t["y"] = Tensor("y", (), "float32")
    return validate(Graph("two", t, [Node("add", "add", ["a", "b"], ["y"])], ["a", "b"], ["y"], source="two"))


@pytest.fixture(autouse=True)
def wide_console(monkeypatch):
    monkeypatch.setenv("COLUMNS", "400")


@pytest.fixture
def fed(monkeypatch):
    """The samples `tinycc compare` hands its runtimes, per call."""
    import tinycc.compare as compare_module
    real, calls = compare_module.run_runtime, []

    def spy(runtime, g, samples):
        calls.append([[np.array(x) for x in xs] for xs in samples])
        return real(runtime, g, samples)
    monkeypatch.setattr(compare_module, "run_runtime", spy)
    return calls


@pytest.fixture
def model(tmp_path):
    path = tmp_path / "tiny.tflite"
    path.write_bytes(write_tflite(float_graph()))
    return path


def npy_bytes(a) -> bytes:
    f = io.BytesIO()
    np.save(f, a, allow_pickle=True)
    return f.getvalue()


def npy_header(shape, descr="<f4") -> bytes:
    f = io.BytesIO()
    np.lib.format.write_array_header_1_0(f, {"descr": descr, "fortran_order": False, "shape": shape})
    return f.getvalue()


def raw_zip(name: str, data: bytes, file_size: int | None = None) -> bytes:
    """A one-member deflated zip whose central directory may state a `file_size` other than the
    member's real size (as a hostile archive may)."""
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    packed = c.compress(data) + c.flush()
    crc, usize, fn = zlib.crc32(data), len(data) if file_size is None else file_size, name.encode()
    local = struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, 0, 0, crc, len(packed), usize, len(fn), 0) + fn
    central = struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, 8, 0, 0, crc, len(packed), usize, len(fn),
                          0, 0, 0, 0, 0, 0) + fn
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 1, 1, len(central), len(local) + len(packed), 0)
    return local + packed + central + end


def cli(capsys, *args) -> tuple[int, str]:
    code = main([str(a) for a in args])
    captured = capsys.readouterr()
    return code, captured.err + captured.out


def compile_with(capsys, model, cal, out):
    return cli(capsys, "compile", model, "--calibration", cal, "-o", out)


# --- calibration ------------------------------------------------------------------------------

BAD_CALIBRATION = {
    "empty file": (b"", "the file is empty; expected a .npy or .npz array file"),
    "text file": (b"x = [1, 2, 3]\n", "not a .npy or .npz array file"),
    "structured dtype": (npy_bytes(np.zeros((4, 8), [("a", "<f4"), ("b", "<i4")])),
                         "holds records (structured dtype"),
    "object array": (npy_bytes(np.array([[1.0] * 8, None], dtype=object)), "holds Python objects"),
    "bool": (npy_bytes(np.zeros((4, 8), bool)), "holds booleans; expected numbers (int, uint or float)"),
    "complex": (npy_bytes(np.zeros((4, 8), np.complex64)), "holds complex numbers"),
    "datetime": (npy_bytes(np.zeros((4, 8), "datetime64[s]")), "holds datetimes"),
    "strings": (npy_bytes(np.full((4, 8), "a")), "holds text"),
    "scalar": (npy_bytes(np.float32(1)), "is a scalar; expected samples of shape (N, 1, 8) or (N, 8)"),
    "0 samples": (npy_bytes(np.zeros((0, 1, 8), np.float32)),
                  "of shape (0, 1, 8) holds no samples; expected (N, 1, 8) or (N, 8) with N >= 1"),
    "wrong shape": (npy_bytes(np.zeros((4, 3, 3), np.float32)), "has shape (4, 3, 3); expected (N, 1, 8) or (N, 8)"),
    "2^40 samples": (npy_header((1 << 40, 8)), "takes 35,184,372,088,832 bytes (the limit is 1,073,741,824)"),
    "truncated data": (npy_bytes(np.zeros((4, 8), np.float32))[:-5],
                       "holds 123 bytes of data; its header (shape (4, 8), float32) declares 128"),
    "trailing data": (npy_bytes(np.zeros((4, 8), np.float32)) + b"\0" * 8,
                      "holds 136 bytes of data; its header (shape (4, 8), float32) declares 128"),
    "NaN": (npy_bytes(np.full((4, 8), np.nan, np.float32)), "holds NaN or infinite values"),
    "float64 overflowing float32": (npy_bytes(np.full((4, 8), 1e300)), "holds NaN or infinite values (as float32)"),
    "huge header length": (b"\x93NUMPY\x02\x00" + struct.pack("<I", 1 << 31), "declares a 2,147,483,648-byte header"),
    "malformed header": (b"\x93NUMPY\x01\x00" + struct.pack("<H", 15) + b"{'descr': ,,,}\n",
                         "has a malformed header"),
    "format version 9": (b"\x93NUMPY\x09\x00" + b"\0" * 64, "has .npy format version 9.0"),
    "negative dimension": (npy_header((-4, 8)), "declares the invalid shape (-4, 8)"),
}


@pytest.mark.parametrize("case", list(BAD_CALIBRATION))
@pytest.mark.parametrize("suffix", [".npy", ".npz"])
def test_malformed_calibration_npy_is_a_clear_error(case, suffix, model, tmp_path, capsys):
    """The same bytes under either suffix: the kind is told by content."""
    data, needle = BAD_CALIBRATION[case]
    cal = tmp_path / f"cal{suffix}"
    cal.write_bytes(data)
    code, err = compile_with(capsys, model, cal, tmp_path / "out")
    assert code == 2, err
    assert needle in err and f"file {cal}" in err and "internal error" not in err
    if case not in ("empty file", "text file"):
        assert "array 'cal'" in err           # a .npy's array is named after the file
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("case", [c for c in BAD_CALIBRATION if c not in ("empty file", "text file")])
def test_malformed_calibration_npz_member_is_a_clear_error(case, model, tmp_path, capsys):
    data, needle = BAD_CALIBRATION[case]
    cal = tmp_path / "cal.npz"
    cal.write_bytes(raw_zip("x.npy", data))
    code, err = compile_with(capsys, model, cal, tmp_path / "out")
    assert code == 2 and needle in err and f"file {cal}" in err and "array 'x'" in err, err


def test_malformed_archives(model, tmp_path, capsys):
    cases = {
        "not .npy": (raw_zip("notes.txt", b"hello"), "member 'notes.txt' is not a .npy array"),
        "not an array": (raw_zip("x.npy", b"hello"), "array 'x' is not a .npy array (no NUMPY magic)"),
        "empty member": (raw_zip("x.npy", b""), "array 'x' is empty"),
        "broken zip": (b"PK\x03\x04" + b"\0" * 40, "not a readable .npz archive (BadZipFile"),
        # the central directory says 160 bytes; the member inflates to 1 MB: read 160, refused by its CRC
        "lying size": (raw_zip("x.npy", npy_header((4, 8)) + bytes(1 << 20), 128 + 32 * 4),
                       "array 'x' cannot be read (BadZipFile: Bad CRC-32 for file 'x.npy')"),
    }
    for name, (data, needle) in cases.items():
        cal = tmp_path / "cal.npz"
        cal.write_bytes(data)
        code, err = compile_with(capsys, model, cal, tmp_path / "out")
        assert code == 2 and needle in err and f"file {cal}" in err, (name, err)
    with pytest.warns(UserWarning, match="Duplicate name"), zipfile.ZipFile(tmp_path / "dup.npz", "w") as z:
        z.writestr("x.npy", npy_bytes(np.zeros((4, 8), np.float32)))
        z.writestr("x.npy", npy_bytes(np.zeros((4, 8), np.float32)))
    code, err = compile_with(capsys, model, tmp_path / "dup.npz", tmp_path / "out")
    assert code == 2 and "the archive holds two arrays named 'x'" in err, err
    np.savez(tmp_path / "ab.npz", a=np.zeros((4, 8), np.float32), b=np.zeros((4, 8), np.float32))
    code, err = compile_with(capsys, model, tmp_path / "ab.npz", tmp_path / "out")
    assert code == 2 and "no calibration array for input(s) 'x'" not in err
    assert "no array for input(s) 'x'" in err and "the arrays in the file are named 'a', 'b'" in err, err
    code, err = compile_with(capsys, model, tmp_path / "missing.npz", tmp_path / "out")
    assert code == 2 and "file not found" in err


def test_npy_calibration_quantises_like_npz(model, tmp_path, capsys):
    """A .npy file (or np.save's bytes under a .npz name) is the one input's samples: the
    quantised model is the one the same samples in a .npz give, with and without the batch axis."""
    x = np.random.default_rng(1).normal(size=(16, 1, 8)).astype(np.float32)
    np.savez(tmp_path / "ref.npz", x=x)
    np.save(tmp_path / "cal.npy", x[:, 0])                  # without the batch dimension
    with open(tmp_path / "saved.npz", "wb") as f:            # np.save to a file named .npz
        np.save(f, x)
    outputs = {}
    for name in ("ref.npz", "cal.npy", "saved.npz"):
        code, err = compile_with(capsys, model, tmp_path / name, tmp_path / name.replace(".", "_"))
        assert code == 0, err
        outputs[name] = (tmp_path / name.replace(".", "_") / "model.c").read_text()
    assert "int8_t" in outputs["ref.npz"]
    assert outputs["cal.npy"] == outputs["ref.npz"] == outputs["saved.npz"]


def test_loader_reads_what_numpy_wrote():
    """Fortran order, big-endian, float64 and int16 samples: the values numpy wrote, as float32."""
    import tempfile
    from pathlib import Path
    x = np.random.default_rng(2).normal(size=(5, 1, 8))
    inputs = [Input("x", (1, 8), "float32")]
    with tempfile.TemporaryDirectory() as d:
        for a in (np.asfortranarray(x), x.astype(">f4"), x, (x * 100).astype(np.int16)):
            np.save(Path(d) / "a.npy", a)
            got, = load_samples(Path(d) / "a.npy", inputs)
            assert got.dtype == np.float32 and got.shape == (5, 1, 8) and got.flags.c_contiguous
            np.testing.assert_array_equal(got, a.astype(np.float32))
        np.savez_compressed(Path(d) / "z.npz", other=x[:2, 0])
        got, = load_samples(Path(d) / "z.npz", inputs)       # one input, one array: any name
        np.testing.assert_array_equal(got[:, 0], x[:2, 0].astype(np.float32))


# --- compare --inputs -------------------------------------------------------------------------


@pytest.mark.parametrize("batch", [True, False])
def test_compare_inputs_with_and_without_batch_dimension(batch, model, tmp_path, capsys, fed):
    x = np.random.default_rng(3).normal(size=(5, 1, 8)).astype(np.float32)
    np.savez(tmp_path / "in.npz", x if batch else x[:, 0])
    code, err = cli(capsys, "compare", model, "--runtimes", "reference", "--inputs", tmp_path / "in.npz")
    assert code == 0, err
    assert len(fed[0]) == 5
    for k, (xk,) in enumerate(fed[0]):
        assert xk.shape == (1, 8) and xk.dtype == np.float32
        np.testing.assert_array_equal(xk, x[k])


def test_compare_inputs_by_name_or_in_file_order(tmp_path, capsys, fed):
    """Two inputs, named (in any order) or saved in order, reach the runtime as the file holds them."""
    path = tmp_path / "two.tflite"
    path.write_bytes(write_tflite(two_input_graph()))
    a, b = (np.random.default_rng(k).normal(size=(3, 4)).astype(np.float32) for k in (4, 5))
    for kind in ("named", "reversed names", "in order"):
        fed.clear()
        if kind == "named":
            np.savez(tmp_path / "in.npz", a=a, b=b)
        elif kind == "reversed names":
            np.savez(tmp_path / "in.npz", b=b, a=a)
        else:
            np.savez(tmp_path / "in.npz", a, b)
        code, err = cli(capsys, "compare", path, "--runtimes", "reference", "--inputs", tmp_path / "in.npz")
        assert code == 0, err
        assert len(fed[0]) == 3
        for k in range(3):
            np.testing.assert_array_equal(fed[0][k][0].reshape(4), a[k])
            np.testing.assert_array_equal(fed[0][k][1].reshape(4), b[k])
    np.savez(tmp_path / "one.npz", a)
    code, err = cli(capsys, "compare", path, "--runtimes", "reference", "--inputs", tmp_path / "one.npz")
    assert code == 2 and "no array for input(s) 'a', 'b'" in err and "the file holds 1 arrays" in err, err


def test_compare_inputs_malformed(tmp_path, capsys, fed):
    kws = __import__("pathlib").Path(__file__).resolve().parents[1] / "examples" / "tiny_kws_int8.tflite"
    cases = {
        "float for int8": (np.zeros((2, 49, 10, 1), np.float32),
                           "input array 'arr_0' is float32; the model's input"),
        "out of int8 range": (np.full((2, 49, 10, 1), 300, np.int16), "holds values in [300, 300], outside int8's"),
        "wrong shape": (np.zeros((2, 10, 49), np.int8), "has shape (2, 10, 49); expected (N, 1, 49, 10, 1) or "
                                                        "(N, 49, 10, 1)"),
        "scalar": (np.int8(3), "is a scalar"),
        "0 samples": (np.zeros((0, 49, 10, 1), np.int8), "holds no samples"),
        "bool": (np.zeros((2, 49, 10, 1), bool), "holds booleans"),
    }
    for name, (a, needle) in cases.items():
        np.savez(tmp_path / "in.npz", a)
        code, err = cli(capsys, "compare", kws, "--runtimes", "reference", "--inputs", tmp_path / "in.npz")
        assert code == 2 and needle in err and f"file {tmp_path / 'in.npz'}" in err and "'arr_0'" in err, (name, err)
    x = np.random.default_rng(6).integers(-128, 128, (2, 49, 10, 1)).astype(np.int8)
    np.savez(tmp_path / "in.npz", x)
    code, err = cli(capsys, "compare", kws, "--runtimes", "reference", "--inputs", tmp_path / "in.npz")
    assert code == 0, err
    assert [xs[0].dtype for xs in fed[0]] == [np.int8] * 2
    np.testing.assert_array_equal(np.stack([xs[0].reshape(49, 10, 1) for xs in fed[0]]), x)


# --- run --input ------------------------------------------------------------------------------


def test_run_input_malformed_is_refused_before_building(model, tmp_path, capsys):
    code, err = cli(capsys, "compile", model, "-o", tmp_path / "out")
    assert code == 0, err
    cases = {
        "object array": (npy_bytes(np.array([None] * 8, dtype=object)), "holds Python objects"),
        "wrong dtype": (npy_bytes(np.zeros((1, 8))), "is float64; the model's input 0 takes float32"),
        "wrong size": (npy_bytes(np.zeros((2, 8), np.float32)), "has shape (2, 8); expected (1, 8) (8 elements)"),
        "empty": (b"", "the file is empty"),
        "2^40 samples": (npy_header((1 << 40, 8)), "has shape (1099511627776, 8); expected (1, 8)"),
        "complex": (npy_bytes(np.zeros(8, np.complex64)), "holds complex numbers"),
    }
    for name, (data, needle) in cases.items():
        x = tmp_path / "x.npy"
        x.write_bytes(data)
        code, err = cli(capsys, "run", tmp_path / "out", "--input", x, "--output", tmp_path / "y.npy")
        assert code == 2 and needle in err and f"file {x}" in err and "internal error" not in err, (name, err)
        assert not (tmp_path / "out" / "build-cortex-m4").exists()
