"""4-bit weights (TFLite INT4, 4w8a): packing as TF Lite Micro unpacks, import, validation, and
random int4 conv_2d / depthwise_conv_2d / fully_connected models equal to TF Lite Micro's Python
interpreter (which runs INT4 filters) through the reference interpreter and the c backend: its fast
kernels (`--optimize speed`: ops/_s4_fast.py, host C and the Cortex-M4 DSP path under QEMU) and its
reference ones (`--optimize size`)."""
from __future__ import annotations

import functools
import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from tests.ops.check import assert_matches_tflm
from tests.tflite_builder import act, const, q, single_op
from tinycc.backends.tflm.flatbuffer import write_tflite
from tinycc.core import int4
from tinycc.core.errors import TinyccError
from tinycc.core.graph import Graph, Node
from tinycc.core.validate import validate
from tinycc.plugins.importers.tflite import load_tflite


def _tflm_unpack(src: bytes, n: int) -> list[int]:
    """TFLite's UnpackDenseInt4IntoInt8 transcribed: (int8)(byte << 4) >> 4 low, byte >> 4 high."""
    out = []
    for i in range(n):
        byte = src[i // 2] - 256 if src[i // 2] > 127 else src[i // 2]
        if i % 2 == 0:
            low = (byte << 4) & 0xFF
            out.append((low - 256 if low > 127 else low) >> 4)
        else:
            out.append(byte >> 4)
    return out


def test_unpack_is_tflites_nibble_order_and_sign_extension():
    # the header's own example: {0x12, 0x34} -> {2, 1, 4, 3}
    assert int4.unpack(bytes([0x12, 0x34]), 4).tolist() == [2, 1, 4, 3]
    assert int4.unpack(bytes([0xF8, 0x07]), 3).tolist() == [-8, -1, 7]     # odd: the last high nibble unused
    raw = bytes(range(256))
    assert int4.unpack(raw, 512).tolist() == _tflm_unpack(raw, 512)
    assert int4.unpack(raw, 511).tolist() == _tflm_unpack(raw, 511)


def test_pack_inverts_unpack_and_refuses_values_outside_a_nibble():
    assert int4.pack(np.arange(-8, 8, dtype=np.int8)) == bytes([0x98, 0xBA, 0xDC, 0xFE, 0x10, 0x32, 0x54, 0x76])
    assert int4.pack(np.array([1, -1, 5], dtype=np.int8)) == bytes([0xF1, 0x05])
    assert int4.packed_bytes(7) == 4 and len(int4.pack(np.zeros(7, np.int8))) == 4
    rng = np.random.default_rng(1)
    for n in (1, 2, 9, 64):
        x = rng.integers(-8, 8, n).astype(np.int8)
        assert int4.unpack(int4.pack(x), n).tolist() == x.tolist()
    with pytest.raises(ValueError, match="-8..7"):
        int4.pack(np.array([8], dtype=np.int8))


def _weights(rng, shape, axis, per_channel):
    co = shape[axis]
    sc = rng.uniform(0.01, 0.05, co if per_channel else 1).astype(np.float32)
    values = rng.integers(-8, 8, size=shape).astype(np.int8)
    w = const("w", values, q(sc, np.zeros(sc.size), axis if per_channel else 0))
    w.int4 = True
    b = const("b", rng.integers(-3000, 3000, co).astype(np.int32), q(sc * np.float32(0.02), np.zeros(sc.size)))
    return w, b


def _model(rng, op: str) -> bytes:
    x_q, y_q = q(0.02, int(rng.integers(-20, 20))), q(float(rng.uniform(0.05, 0.2)), int(rng.integers(-10, 10)))
    act_fn = str(rng.choice(["none", "relu", "relu6"]))
    if op == "fully_connected":
        units, depth, rows = int(rng.integers(1, 9)), int(rng.integers(1, 40)), int(rng.integers(1, 4))
        w, b = _weights(rng, (units, depth), 0, per_channel=False)     # TFLM: int4 FC is per-tensor only
        return single_op(op, [act("x", (rows, depth), "int8", x_q), w, b], act("y", (), "int8", y_q),
                         {"activation": act_fn})
    h, wd, ci = (int(v) for v in rng.integers(3, 9, 3))
    k, s = int(rng.integers(1, 4)), int(rng.integers(1, 3))
    pads = tuple(int(p) for p in rng.integers(0, k, 4)) if k > 1 else (0, 0, 0, 0)
    attrs = {"strides": (s, s), "pads": pads, "activation": act_fn}
    if op == "conv_2d":
        co = int(rng.integers(1, 9))
        w, b = _weights(rng, (co, k, k, ci), 0, per_channel=bool(rng.integers(0, 2)))
    else:
        m = int(rng.integers(1, 3))
        w, b = _weights(rng, (1, k, k, ci * m), 3, per_channel=True)
        attrs["depth_multiplier"] = m
    return single_op(op, [act("x", (1, h, wd, ci), "int8", x_q), w, b], act("y", (), "int8", y_q), attrs)


def _tflite_types(model: bytes) -> dict[str, tuple[int, int]]:
    """Each tensor's (TensorType, buffer bytes) as written."""
    from tinycc.backends.tflm.flatbuffer import _schema
    m = _schema().ModelT.InitFromPackedBuf(bytearray(model), 0)
    out = {}
    for t in m.subgraphs[0].tensors:
        data = m.buffers[t.buffer].data
        out[t.name.decode()] = (int(t.type), 0 if data is None else len(data))
    return out


# the kernel each op's int4 node is emitted as, per --optimize choice (depthwise: the reference one only)
KERNELS = {("fully_connected", "speed"): "tinycc_fully_connected_s4_fast(",
           ("fully_connected", "size"): "tinycc_fully_connected_s4(",
           ("conv_2d", "speed"): "tinycc_conv_2d_s4_cols(", ("conv_2d", "size"): "tinycc_conv_2d_s4(",
           ("depthwise_conv_2d", "speed"): "tinycc_depthwise_conv_2d_s4("}


def _optimize(monkeypatch, choice: str):
    """The c backend's builds in tests.c_build (host, sanitized, QEMU sources) with `--optimize choice`."""
    from tests import c_build
    from tinycc.backends.c import plugin
    monkeypatch.setattr(c_build, "generate", functools.partial(plugin.generate, optimize=choice))


def _invoke(g, folder: Path) -> str:
    """The calls of the c backend's model_invoke for `g` (as tests.c_build writes it)."""
    from tests.c_build import write_sources
    folder.mkdir(exist_ok=True)
    write_sources(g, folder)
    return (folder / "model.c").read_text().split("int model_invoke(")[-1]


@pytest.mark.parametrize("op, optimize", list(KERNELS), ids=[f"{o}-{c}" for o, c in KERNELS])
def test_random_int4_models_equal_tflm(op, optimize, monkeypatch, tmp_path):
    _optimize(monkeypatch, optimize)
    for seed in range(6):
        model = _model(np.random.default_rng(seed), op)
        ttype, nbytes = _tflite_types(model)["w"]
        g = load_tflite(Path("int4.tflite"), model)
        w = g.tensors["w"]
        assert ttype == 17 and nbytes == (w.size + 1) // 2       # INT4, two a byte
        assert w.int4 and w.dtype == "int8" and w.data.min() >= -8 and w.data.max() <= 7
        assert KERNELS[op, optimize] in _invoke(g, tmp_path / str(seed))
        # more seeds in C (sanitized: one build each) where the fast kernels run: their shapes differ per seed
        fast = optimize == "speed" and op != "depthwise_conv_2d"
        assert_matches_tflm(model, samples=2, seed=seed, c=seed == 0, sanitize=seed == 1 or (fast and seed < 4))


def test_fast_int4_kernel_falls_back_where_a_sum_could_leave_int32(tmp_path):
    """A bias near INT32_MAX: the folded sums of the fast kernel could overflow (requant.fold), so `--optimize
    speed` emits the reference kernel, whose int32 sum wraps as TFLM's does; the outputs equal TFLM's."""
    rng = np.random.default_rng(4)
    w, b = _weights(rng, (3, 20), 0, per_channel=False)
    b.data = np.array([2**31 - 50, -(2**31) + 50, 7], np.int32)
    model = single_op("fully_connected", [act("x", (2, 20), "int8", q(0.02, 3)), w, b], act("y", (), "int8", q(0.1)))
    invoke = _invoke(load_tflite(Path("big_bias.tflite"), model), tmp_path)
    assert "tinycc_fully_connected_s4(" in invoke and "_s4_fast(" not in invoke
    assert_matches_tflm(model, samples=2, c=True)


def _set_buffer(model: bytes, tensor: str, data: bytes | None = None, type_: int | None = None,
                zero_point: int | None = None) -> bytes:
    import flatbuffers

    from tinycc.backends.tflm.flatbuffer import _schema
    s = _schema()
    m = s.ModelT.InitFromPackedBuf(bytearray(model), 0)
    t = next(t for t in m.subgraphs[0].tensors if t.name.decode() == tensor)
    if data is not None:
        m.buffers[t.buffer].data = np.frombuffer(data, dtype=np.uint8)
    if type_ is not None:
        t.type = type_
    if zero_point is not None:
        t.quantization.zeroPoint = np.full_like(t.quantization.zeroPoint, zero_point)
    b = flatbuffers.Builder(1024)
    b.Finish(m.Pack(b), file_identifier=b"TFL3")
    return bytes(b.Output())


def test_hostile_int4_tensors_are_refused_clearly():
    model = _model(np.random.default_rng(3), "conv_2d")
    g = load_tflite(Path("ok.tflite"), model)
    need = (g.tensors["w"].size + 1) // 2
    with pytest.raises(TinyccError, match=f"needs {need} bytes .two values a byte., its buffer has {need + 1}"):
        load_tflite(Path("long.tflite"), _set_buffer(model, "w", data=bytes(need + 1)))
    with pytest.raises(TinyccError, match="zero point 0"):
        load_tflite(Path("zp.tflite"), _set_buffer(model, "w", zero_point=1))
    with pytest.raises(TinyccError, match="bias 'b' is int8; a conv_2d on int8 input needs int32"):
        load_tflite(Path("bias4.tflite"), _set_buffer(model, "b", data=bytes((g.tensors["b"].size + 1) // 2), type_=17))


def test_per_channel_int4_fully_connected_is_written_as_int8_for_tflm():
    rng = np.random.default_rng(5)
    w, b = _weights(rng, (4, 6), 0, per_channel=True)
    model = single_op("fully_connected", [act("x", (1, 6), "int8", q(0.02, 1)), w, b], act("y", (), "int8", q(0.1)))
    assert _tflite_types(model)["w"] == (9, 24)                  # TFLM refuses per-channel INT4 FC: INT8 bytes
    assert_matches_tflm(model, samples=2)


@pytest.mark.parametrize("optimize", ["speed", "size"])
def test_per_channel_int4_fully_connected_graph_equals_tflm_on_its_int8_bytes(optimize, tmp_path, monkeypatch):
    """PTQ's per-channel int4 FC (tinycc's graph, not a .tflite: TFLM has no such kernel) through the c backend's
    int4 kernels equals TFLM on the same values stored as INT8 (what the writer gives it)."""
    from tests.c_build import run_c_model
    from tests.tflm import run_tflm
    _optimize(monkeypatch, optimize)
    rng = np.random.default_rng(6)
    w, b = _weights(rng, (7, 45), 0, per_channel=True)
    ts = {t.name: t for t in [act("x", (3, 45), "int8", q(0.02, 1)), w, b, act("y", (3, 7), "int8", q(0.1, -4))]}
    g = validate(Graph("fc4", ts, [Node("fc", "fully_connected", ["x", "w", "b"], ["y"], {"activation": "relu"})],
                       ["x"], ["y"], source="<per-channel int4 fc>"))
    assert g.tensors["w"].int4 and KERNELS["fully_connected", optimize] in _invoke(g, tmp_path / "c")
    model = write_tflite(g)
    for seed in range(2):
        xs = [np.random.default_rng(seed).integers(-128, 128, (3, 45)).astype(np.int8)]
        got, want = run_c_model(g, xs)[0], np.asarray(run_tflm(model, xs)[0])
        np.testing.assert_array_equal(np.asarray(got).reshape(want.shape), want)


needs_qemu = pytest.mark.skipif(shutil.which("arm-none-eabi-gcc") is None or shutil.which("qemu-system-arm") is None,
                                reason="the Cortex-M toolchain and QEMU are not installed")


def _chain(int4_flags: bool = True) -> bytes:
    """conv_2d (int4, per channel) -> depthwise_conv_2d (int4, per channel) -> fully_connected (int4,
    per tensor) over every pixel: the three 4w8a kernels in one model."""
    rng = np.random.default_rng(11)
    ts = {"x": act("x", (1, 7, 6, 5), "int8", q(0.03, -5))}
    nodes = []

    def layer(op, name, wshape, axis, per_channel, attrs, y_shape):
        w, b = _weights(rng, wshape, axis, per_channel)
        w.name, b.name, w.int4 = f"{name}_w", f"{name}_b", int4_flags
        y = act(f"{name}_y", y_shape, "int8", q(float(rng.uniform(0.05, 0.2)), int(rng.integers(-10, 10))))
        ts.update({w.name: w, b.name: b, y.name: y})
        x = nodes[-1].outputs[0] if nodes else "x"
        nodes.append(Node(name, op, [x, w.name, b.name], [y.name], attrs))

    layer("conv_2d", "conv", (6, 3, 3, 5), 0, True, {"pads": (1, 1, 1, 1), "activation": "relu"}, (1, 7, 6, 6))
    layer("depthwise_conv_2d", "dw", (1, 3, 3, 6), 3, True, {"strides": (2, 2), "pads": (1, 1, 1, 1)}, (1, 4, 3, 6))
    layer("fully_connected", "fc", (3, 6), 0, False, {}, (12, 3))
    g = Graph("int4_chain", ts, nodes, ["x"], ["fc_y"], source="<int4 chain>")
    return write_tflite(validate(g))


@pytest.mark.parametrize("optimize", ["speed", "size"])
def test_c_backend_stores_int4_weights_packed_and_equals_tflm(optimize, tmp_path, monkeypatch):
    from tests.c_build import write_sources
    _optimize(monkeypatch, optimize)
    model = _chain()
    g = load_tflite(Path("chain.tflite"), model)
    packed = write_sources(g, tmp_path)["flash_weights_bytes"]
    c = (tmp_path / "model.c").read_text()
    for op in ("conv_2d", "depthwise_conv_2d", "fully_connected"):
        assert KERNELS.get((op, optimize), KERNELS[op, "speed"]) in c
    (tmp_path / "int8").mkdir()
    plain = write_sources(load_tflite(Path("chain8.tflite"), _chain(int4_flags=False)), tmp_path / "int8")
    plain = plain["flash_weights_bytes"]
    sizes = [g.tensors[n].size for n in ("conv_w", "dw_w", "fc_w")]        # 270, 54, 18
    saved = sum(n - (n + 1) // 2 for n in sizes)
    if optimize == "size":
        assert plain - packed >= saved        # the int8 kernels may also keep re-laid copies: at least this saved
    else:       # the fast kernels' words: 8 values a channel, zeros pad the depth: conv 6 x 48, fc 3 x 8 nibbles
        words = re.findall(r"const int32_t \w+_w4s\w*\[(\d+)\]", (tmp_path / "model_weights.c").read_text())
        assert sorted(int(n) for n in words) == [3 * 1, 6 * 6] and plain - packed > saved // 2
    assert_matches_tflm(model, samples=3, c=True, sanitize=True)


@needs_qemu
@pytest.mark.parametrize("optimize", ["speed", "size"])
def test_int4_chain_on_qemu_cortex_m4_equals_tflm(optimize, tmp_path, monkeypatch):
    from tests.c_build import write_sources
    from tests.ops.check import assert_qemu_m4_equals_tflm
    _optimize(monkeypatch, optimize)
    model = _chain()
    g = load_tflite(Path("chain.tflite"), model)
    write_sources(g, tmp_path)
    assert ("tinycc_conv_2d_s4_cols(" in (tmp_path / "model.c").read_text()) == (optimize == "speed")
    assert_qemu_m4_equals_tflm(model, g, tmp_path, 3)


def _wide_model() -> bytes:
    """Two int4 branches for the fast kernels' edges: a fully connected layer of depth 600 (two 256-deep
    partial sums and a tail of 88) whose unit 0 is all -8 and unit 1 all 7 (the largest products against
    an input of -128s); conv 1x1 (13 channels) -> conv 3x3 stride 2 (19 channels, patches of 117 taps)
    -> fully connected over 380 values (depth % 8 = 4) to 5 units."""
    rng = np.random.default_rng(17)
    ts = {"xa": act("xa", (1, 600), "int8", q(0.02, 3)), "xb": act("xb", (1, 9, 8, 16), "int8", q(0.03, -7))}
    nodes = []

    def layer(op, name, x, wshape, per_channel, attrs, y_shape, y_q, values=None):
        w, b = _weights(rng, wshape, 0, per_channel)
        if values is not None:
            w.data = values
        w.name, b.name = f"{name}_w", f"{name}_b"
        ts.update({w.name: w, b.name: b, f"{name}_y": act(f"{name}_y", y_shape, "int8", y_q)})
        nodes.append(Node(name, op, [x, w.name, b.name], [f"{name}_y"], attrs))

    wa = rng.integers(-8, 8, (7, 600)).astype(np.int8)
    wa[0], wa[1] = -8, 7
    layer("fully_connected", "fa", "xa", (7, 600), False, {}, (1, 7), q(8.0, 2), wa)
    layer("conv_2d", "c1", "xb", (13, 1, 1, 16), True, {"activation": "relu"}, (1, 9, 8, 13), q(0.1, -20))
    layer("conv_2d", "c3", "c1_y", (19, 3, 3, 13), True, {"strides": (2, 2), "pads": (1, 1, 1, 1)}, (1, 5, 4, 19),
          q(0.3, 5))
    layer("fully_connected", "fb", "c3_y", (5, 380), False, {"activation": "relu6"}, (1, 5), q(0.5, -1))
    g = Graph("int4_wide", ts, nodes, ["xa", "xb"], ["fa_y", "fb_y"], source="<int4 wide>")
    return write_tflite(validate(g))


@needs_qemu
def test_int4_fast_kernels_edges_on_qemu_cortex_m4_equal_tflm(tmp_path):
    """The DSP path (4096-scaled SMLAD sums) at its bounds: two random samples and the extremes -128 and 127."""
    from tests.c_build import write_sources
    from tests.ops.check import assert_outputs_equal_tflm, random_inputs
    from tinycc import cortexm
    model = _wide_model()
    g = load_tflite(Path("wide.tflite"), model)
    write_sources(g, tmp_path)
    invoke = (tmp_path / "model.c").read_text().split("int model_invoke(")[-1]
    assert invoke.count("tinycc_fully_connected_s4_fast(") == 2 and invoke.count("tinycc_conv_2d_s4_cols(") == 2
    shapes = [g.tensors[n].shape for n in g.inputs]
    xs = [random_inputs(g, np.random.default_rng(k)) for k in range(2)]
    xs += [[np.full(s, v, np.int8) for s in shapes] for v in (-128, 127)]
    elf = cortexm.build(tmp_path, "cortex-m4")["elf"]
    outs = cortexm.run(elf, "qemu-cortex-m4", xs, [(g.tensors[n].shape, g.tensors[n].dtype) for n in g.outputs])
    assert_outputs_equal_tflm(model, xs, outs)
    assert outs[2][0].reshape(-1)[:2].tolist() != [127, -128]      # unit 0 and 1 not saturated: exact sums matter


def _float_chain() -> Graph:
    """A float32 conv_2d -> depthwise_conv_2d -> fully_connected -> softmax model (NHWC)."""
    rng = np.random.default_rng(21)

    def f32(name, shape, scale=0.3):
        return const(name, rng.normal(0, scale, shape).astype(np.float32))
    ts = {t.name: t for t in [act("x", (1, 8, 8, 3), "float32"), f32("cw", (8, 3, 3, 3)), f32("cb", (8,), 0.1),
                              act("c", (1, 8, 8, 8), "float32"), f32("dw", (1, 3, 3, 8)), f32("db", (8,), 0.1),
                              act("d", (1, 4, 4, 8), "float32"), f32("fw", (5, 128), 0.1), f32("fb", (5,), 0.1),
                              act("f", (1, 5), "float32"), act("y", (1, 5), "float32")]}
    nodes = [Node("conv", "conv_2d", ["x", "cw", "cb"], ["c"], {"pads": (1, 1, 1, 1), "activation": "relu"}),
             Node("dw", "depthwise_conv_2d", ["c", "dw", "db"], ["d"],
                  {"strides": (2, 2), "pads": (0, 0, 1, 1), "activation": "relu6"}),
             Node("fc", "fully_connected", ["d", "fw", "fb"], ["f"], {}),
             Node("softmax", "softmax", ["f"], ["y"], {"beta": 1.0})]
    return validate(Graph("float_chain", ts, nodes, ["x"], ["y"], source="<float chain>"))


def test_ptq_int4_weights_are_symmetric_per_channel_and_tflm_runs_them(tmp_path):
    import copy

    from tests.c_build import write_sources
    from tinycc.core.passes import Sequential
    from tinycc.core.passes.calibrate import calibrate
    from tinycc.core.passes.quantize import QuantizeInt8
    g = _float_chain()
    rng = np.random.default_rng(2)
    samples = [[rng.uniform(-1, 1, (1, 8, 8, 3)).astype(np.float32)] for _ in range(8)]
    # float I/O: a QUANTIZE first, so the conv and the depthwise run in place over a row ring (their s4 ring kernels)
    gq = Sequential(QuantizeInt8(calibrate(g, samples), io="float", int4_layers=["conv", "dw", "fc"])).run(
        copy.deepcopy(g))
    for node in gq.nodes:
        if node.op in int4.OPS:
            w, wf = gq.tensors[node.inputs[1]], g.tensors[next(n.inputs[1] for n in g.nodes if n.name == node.name)]
            axis = 3 if node.op == "depthwise_conv_2d" else 0
            amax = np.abs(np.moveaxis(wf.data, axis, 0)).reshape(wf.shape[axis], -1).max(axis=1)
            assert w.int4 and w.data.min() >= -7 and w.data.max() <= 7 and np.abs(w.data).max() == 7
            np.testing.assert_allclose(w.quant.scale, amax / 7, rtol=1e-6)        # per channel, symmetric
    model = write_tflite(gq)
    types = _tflite_types(model)
    conv_w, dw_w, fc_w = (gq.nodes[[n.name for n in gq.nodes].index(k)].inputs[1] for k in ("conv", "dw", "fc"))
    assert types[conv_w] == (17, 8 * 27 // 2) and types[dw_w] == (17, 72 // 2)
    assert types[fc_w] == (9, 5 * 128)           # per-channel int4 FC: written as INT8 values (TFLM's limit)
    write_sources(load_tflite(Path("ptq4.tflite"), model), tmp_path)
    c = (tmp_path / "model.c").read_text()
    assert "    tinycc_conv_2d_s4_cols_inplace(" in c and "    tinycc_depthwise_conv_2d_s4_inplace(" in c
    assert_matches_tflm(model, samples=3, c=True, sanitize=True, float_tol=0)


def test_cli_weights_int4_halves_weight_flash_and_reports_accuracy(tmp_path):
    import json

    from tinycc.cli import main
    path = tmp_path / "float.tflite"
    path.write_bytes(write_tflite(_float_chain()))
    rng = np.random.default_rng(3)
    np.save(tmp_path / "cal.npy", rng.uniform(-1, 1, (16, 1, 8, 8, 3)).astype(np.float32).reshape(16, 1, 8, 8, 3))
    reports = {}
    for weights in ("int8", "int4"):
        out = tmp_path / weights
        assert main(["compile", str(path), "-o", str(out), "--calibration", str(tmp_path / "cal.npy"),
                     "--weights", weights, "--optimize", "size",      # the reference kernels: the weights as stored
                     f"--json={tmp_path / (weights + '.json')}"]) == 0
        reports[weights] = json.loads((tmp_path / f"{weights}.json").read_text())
    weights8 = 8 * 27 + 72 + 5 * 128
    saved = reports["int8"]["flash_weights_bytes"] - reports["int4"]["flash_weights_bytes"]
    assert saved >= weights8 - (8 * 27 + 1) // 2 - 72 // 2 - (5 * 128) // 2
    assert "top1_agreement" in reports["int4"]["accuracy"]["outputs"][0]
    assert "tinycc_conv_2d_s4(" in (tmp_path / "int4" / "model.c").read_text()
    status = main(["compile", str(path), "-o", str(tmp_path / "bad"), "--calibration", str(tmp_path / "cal.npy"),
                   "--int4-layers", "y"])
    assert status == 2 and not (tmp_path / "bad").exists()
