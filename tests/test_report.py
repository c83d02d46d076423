"""`tinycc report`: the seed's §10.2 budget verdict (fits / does not fit, exit 0 / 1) for a model that
fits and one that does not, on two boards, with every figure recomputed by hand from the model's
tensors; latency (QEMU instruction count, MAC estimate); the §10.1 duty-cycle power and battery
life; the HTML report (embedded plot, tables), rendered by headless chromium."""
from __future__ import annotations

import base64
import importlib.util
import json
import math
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.tflm import measure_arena, models_dir
from tinycc import cli, cortexm
from tinycc.core.errors import TinyccError
from tinycc.core.planner import align
from tinycc.driver import compile_model, load_model, optimize_model
from tinycc.report import make_report, parse_fraction

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "tiny_kws_int8.tflite"
VWW = "mlperf_tiny/vww_96_int8.tflite"
KB = 1024


def vww_path() -> Path:
    path = models_dir() / VWW
    if not path.exists():
        pytest.skip(f"shared model {VWW} not found under {models_dir()} (set TINYCC_MODELS)")
    return path


def hand_arena(g) -> int:
    """For a chain without skip connections (both models here): the largest activation input +
    output of one operator, each rounded up to 16 bytes; model inputs and outputs live in the
    caller's buffers, a reshape shares its input's storage."""
    external = set(g.inputs) | set(g.outputs)
    peak = 0
    for node in g.nodes:
        if node.op == "reshape":
            continue
        names = {n for n in [*node.inputs, *node.outputs] if n and not g.tensors[n].is_const and n not in external}
        peak = max(peak, sum(align(g.tensors[n].nbytes) for n in names))
    return peak


def hand_c_flash(g) -> int:
    """What the c backend must store in flash at least: the model's constants (int8 weights, int32
    biases), one int32 requantisation word per output channel of each conv / depthwise /
    fully-connected (one for per-tensor weights: the multiplier, with its shift packed in where that
    is exact); the int8 softmax computes its exponentials (gemmlowp's fixed-point exp), no table.
    (Kernels may add precomputed tables, e.g. folded biases, and separate shift bytes.)"""
    consts = sum(t.nbytes for t in g.tensors.values() if t.is_const)
    channels = sum(g.tensors[n.inputs[1]].quant.scale.size for n in g.nodes
                   if n.op in ("conv_2d", "depthwise_conv_2d", "fully_connected"))
    return consts + 4 * channels


def hand_io(g) -> int:
    return sum(g.tensors[n].nbytes for n in [*g.inputs, *g.outputs])


CSIZE = {"int8_t": 1, "uint8_t": 1, "int16_t": 2, "int32_t": 4, "int64_t": 8, "float": 4}


def c_output(model, folder: Path) -> tuple[int, int]:
    """(arena, flash) of the c backend's output, compiled apart and read from the files: the arena
    model.h declares (MODEL_ARENA_BYTES) and the bytes of every const array in model_weights.c."""
    compile_model(model, "c", folder)
    arena = int(re.search(r"#define MODEL_ARENA_BYTES +(\d+)", (folder / "model.h").read_text()).group(1))
    arrays = re.findall(r"^const (\w+) \w+\[(\d+)\] =", (folder / "model_weights.c").read_text(), re.M)
    return arena, sum(CSIZE[ctype] * int(n) for ctype, n in arrays)


def run_cli(*args):
    env = {"COLUMNS": "200", "PATH": "/usr/bin:/bin"}
    if "PYTHONPATH" in os.environ:
        env["PYTHONPATH"] = os.environ["PYTHONPATH"]
    return subprocess.run([sys.executable, "-m", "tinycc", *map(str, args)], capture_output=True, text=True, env=env)


@pytest.mark.parametrize("board,sram_kb,flash_kb,mhz", [("cortex-m0plus-16k", 16, 64, 48),
                                                        ("arduino-nano-33-ble", 256, 1024, 64)])
def test_tiny_kws_fits_on_both_boards_by_hand(board, sram_kb, flash_kb, mhz, tmp_path):
    g = optimize_model(load_model(EXAMPLE))
    # by hand: pw2 reads 24x4x8 int8 (768 B) and writes 24x4x16 int8 (1,536 B): no placement without
    # in-place tricks needs more; input 49x10 int8, output 4 int8
    bound, io = hand_arena(g), hand_io(g)
    assert (bound, io) == (768 + 1536, 490 + 4)
    # 72+72+128+64 B weights, 32+32+64+16 B biases, (8+8+16+1) x 4 B requantisation
    assert hand_c_flash(g) == 336 + 144 + 33 * 4 == 612
    arena, flash_bytes = c_output(EXAMPLE, tmp_path / "c")
    assert 0 < arena <= bound and flash_bytes >= 612
    total = arena + math.ceil(arena / 10) + 494 + 8192           # <= 2,304 + 231 + 494 + 8,192 = 11,221
    rep = make_report(EXAMPLE, board, "c", latency_mode="macs")
    sram, flash = rep["sram"], rep["flash"]
    assert (sram["arena_bytes"], sram["margin_bytes"]) == (arena, math.ceil(arena / 10))
    assert sram["input_bytes"] + sram["output_bytes"] == io and sram["stack_bytes"] == 8 * KB
    assert sram["total_bytes"] == total <= 11221
    assert sram["board_bytes"] == sram_kb * KB and sram["headroom_bytes"] == sram_kb * KB - total
    assert flash["model_bytes"] == flash_bytes and flash["limit_bytes"] == flash_kb * KB // 2
    assert rep["fits"] and rep["verdict"] == "fits" and rep["reasons"] == []
    assert rep["macs"] == 6912 + 6912 + 12288 + 1536 + 64 + 12 == 27724
    lat = rep["latency"]
    assert lat["method"] == "macs" and lat["cycles_per_mac"] == 12
    assert lat["seconds"] == pytest.approx(27724 * 12 / (mhz * 1e6))
    layers = rep["layers"]
    assert [layer["op"] for layer in layers] == ["conv_2d", "depthwise_conv_2d", "conv_2d", "average_pool_2d",
                                                 "reshape", "fully_connected", "softmax"]
    assert [layer["macs"] for layer in layers] == [6912, 6912, 12288, 1536, 0, 64, 12]
    assert [layer["weights_bytes"] for layer in layers] == [72 + 32, 72 + 32, 128 + 64, 0, 0, 64 + 16, 0]
    assert layers[-1]["offset"] == "caller" and all(0 <= layer["offset"] < arena for layer in layers[:-1])
    assert max(layer["live_bytes"] for layer in layers) <= arena == rep["plan"]["arena_bytes"]


@pytest.mark.parametrize("board,fits", [("arduino-nano-33-ble", True), ("cortex-m0plus-16k", False)])
def test_vww_fits_on_nano_33_ble_but_not_on_a_16k_cortex_m0plus(board, fits, tmp_path):
    g = optimize_model(load_model(vww_path()))
    bound, least_flash, io = hand_arena(g), hand_c_flash(g), hand_io(g)
    assert (bound, least_flash, io) == (18432 + 36864, 230012, 27648 + 2)  # 48x48x8 + 48x48x16 int8; 96x96x3
    arena, flash = c_output(vww_path(), tmp_path / "c")
    assert 0 < arena <= bound and flash >= least_flash
    total = arena + math.ceil(arena / 10) + io + 8192
    assert total <= 55296 + 5530 + 27650 + 8192 == 96668
    proc = run_cli("report", vww_path(), "--target", board, "--latency", "macs", "--json", tmp_path / "r.json")
    assert proc.returncode == (0 if fits else 1), proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    rep = json.loads((tmp_path / "r.json").read_text())
    assert rep["sram"]["total_bytes"] == total and rep["flash"]["model_bytes"] == flash
    assert rep["fits"] is fits
    verdict = proc.stdout.strip().splitlines()[-1]
    if fits:       # at least 230,012 B < 512 KB (half the flash); 96,668 B <= 256 KB
        assert verdict == "verdict: fits" and rep["sram"]["headroom_bytes"] == 256 * KB - total
    else:          # half of 64 KB flash is 32,768 B; SRAM is 16,384 B
        assert verdict.startswith("verdict: does not fit: flash:")
        assert f"({flash - 32768:,} B over; largest: layer #" in verdict and flash - 32768 >= 230012 - 32768
        assert f"= {total:,} B exceeds the 16,384 B SRAM by {total - 16384:,} B (peak at layer #" in verdict
        assert total - 16384 >= 27650 + 8192 - 16384                  # I/O and stack alone do not fit
    assert rep["layers"][0]["op"] == "conv_2d" and len(rep["layers"]) == len(g.nodes)


def test_tflm_budget_uses_the_flatbuffer_and_tflms_own_arena_with_io_inside(tmp_path):
    rep = make_report(EXAMPLE, "arduino-nano-33-ble", "tflm")
    # the same compile by hand: the flatbuffer file and TF Lite Micro's own measurement of it
    compile_model(EXAMPLE, "tflm", tmp_path / "tflm")
    model = (tmp_path / "tflm" / "model.tflite").read_bytes()
    declared = int(re.search(r"kModelArenaBytes = (\d+);", (tmp_path / "tflm" / "model_main.cc").read_text()).group(1))
    sram = rep["sram"]
    assert rep["flash"]["model_bytes"] == len(model) and rep["flash"]["what"] == "flatbuffer"
    assert sram["arena_bytes"] == measure_arena(model)["total"]
    assert sram["arena_bytes"] + sram["margin_bytes"] == declared and sram["margin_bytes"] >= sram["arena_bytes"] / 10
    assert sram["input_bytes"] == sram["output_bytes"] == 0 and sram["io_what"] == "inside the arena"
    assert sram["total_bytes"] == declared + 8192 and rep["fits"]
    assert rep["latency"]["method"] == "macs" and "tflm backend" in rep["latency"]["why_not_measured"]


@pytest.mark.skipif(shutil.which("arm-none-eabi-gcc") is None or shutil.which("qemu-system-arm") is None,
                    reason=f"the Cortex-M toolchain and QEMU are not installed (apt-get install {cortexm.PACKAGES})")
def test_latency_counted_under_qemu_on_a_cortex_m4_board_and_on_m0plus():
    rep = make_report(EXAMPLE, "arduino-nano-33-ble", "c", stack_bytes=8 * KB)
    lat = rep["latency"]
    assert lat["method"] == "qemu" and lat["instructions"] >= rep["macs"]      # at least one instruction per MAC
    assert lat["seconds"] == lat["cycles"] / 64e6 and lat["cycles"] > lat["instructions"]    # the M4 cycle model
    assert "instructions counted under QEMU (cortex-m4" in lat["basis"]
    assert rep["build"]["program_flash_bytes"] > rep["flash"]["model_bytes"]
    assert 0 < rep["build"]["worst_case_stack_bytes"] < 8 * KB
    assert len(rep["notes"]) == 1 and rep["notes"][0].startswith("per-layer latency: instructions counted under QEMU")
    # per layer, from the profiling build: every layer timed, the parts add up to that build's count,
    # which differs from the release count only by the marker calls (a few instructions a layer, and the
    # register moves GCC makes around them)
    layers = rep["layers"]
    assert all(layer["instructions"] > 0 and layer["seconds"] >= layer["instructions"] / 64e6 for layer in layers)
    profiled = rep["build"]["profiled_instructions"]
    layer_sum = sum(layer["instructions"] for layer in layers)
    assert layer_sum <= profiled < layer_sum + 100
    assert 0 < profiled - lat["instructions"] <= 16 * len(layers)
    by_op = {layer["op"]: layer["instructions"] for layer in layers}
    assert by_op["conv_2d"] > 100 * by_op["reshape"]          # a reshape is a view: the marker call only
    if importlib.util.find_spec("matplotlib") is not None:     # the HTML table gets the time column
        from tinycc.report_html import render_html
        table = render_html(rep).split('<table id="layers">')[1].split("</table>")[0]
        assert "<th>time</th>" in table and table.count(" us</td>") + table.count(" ms</td>") == len(layers) + 1
    m0 = make_report(EXAMPLE, "cortex-m0plus-16k", "c")["latency"]     # ARMv6-M code counted on mps2-an385
    assert m0["method"] == "qemu" and m0["instructions"] > lat["instructions"] and m0["cycles"] > m0["instructions"]
    assert "(cortex-m0plus" in m0["basis"] and "tinycc's Cortex-M0+ model" in m0["basis"]    # cycles_m0plus.py


def test_power_reproduces_the_seed_budget_and_rate_sets_the_duty_cycle():
    # seed §10.1: MCU 10 mW x 5% + sleep 0.01 mW x 95% + microphone 0.5 + BLE 0.015 mW ~ 1.0 mW;
    # 250 mAh x 3 V = 750 mWh
    rep = make_report(EXAMPLE, "arduino-nano-33-ble", latency_mode="macs", duty_cycle="5%", battery_mah=250,
                      extra_mw=0.5 + 0.015)
    p = rep["power"]
    assert (p["mcu_active_avg_mw"], p["mcu_sleep_avg_mw"]) == pytest.approx((0.5, 0.0095))
    assert p["average_mw"] == pytest.approx(1.0245)
    assert p["battery_mwh"] == 750
    assert p["battery_hours"] == pytest.approx(750 / 1.0245) == pytest.approx(732.06, abs=0.01)
    assert parse_fraction("0.05") == parse_fraction("5%") == 0.05
    # 10 Hz on the 16 KB M0+ with overridden power figures: duty = 10 x 27,724 MACs x 12 / 48 MHz
    rep = make_report(EXAMPLE, "cortex-m0plus-16k", latency_mode="macs", rate_hz=10, active_mw=6, sleep_mw=0.002)
    duty = 10 * 27724 * 12 / 48e6
    assert rep["power"]["duty_cycle"] == pytest.approx(duty)
    assert rep["power"]["average_mw"] == pytest.approx(6 * duty + 0.002 * (1 - duty)) and rep["fits"]
    # 200 Hz needs 200 x 6.93 ms > 1 s: the rate does not fit
    rep = make_report(EXAMPLE, "cortex-m0plus-16k", latency_mode="macs", rate_hz=200)
    assert not rep["fits"] and rep["reasons"][0].startswith("rate: one inference takes ~6.93 ms (MAC estimate)")


@pytest.mark.parametrize("args,needle", [
    (["--target", "z80-board"], "unknown board 'z80-board'"),
    (["--target", "pico2", "--duty-cycle", "150%"], "outside 0..1"),
    (["--target", "pico2", "--battery-mah", "250"], "battery life needs a duty cycle"),
    (["--target", "pico2", "--duty-cycle", "5%", "--rate", "3"], "not both"),
    (["--target", "pico2", "--backend", "tflm", "--latency", "qemu"], "cannot measure the latency under QEMU"),
])
def test_user_errors_exit_2_with_one_message(args, needle, capsys):
    assert cli.main(["report", str(EXAMPLE), *args]) == 2
    err = " ".join(capsys.readouterr().err.split())               # the console wraps long lines
    assert needle in err and "Traceback" not in err


def test_missing_model_and_json_on_stdout(capsys, tmp_path):
    assert cli.main(["report", str(tmp_path / "nope.tflite"), "--target", "pico2"]) == 2
    assert "no such file or folder" in " ".join(capsys.readouterr().err.split())
    assert cli.main(["report", str(EXAMPLE), "--target", "pico2", "--latency", "macs", "--json", "-"]) == 0
    rep = json.loads(capsys.readouterr().out)
    sram = rep["sram"]
    assert rep["verdict"] == "fits" and rep["board"]["slug"] == "pico2"
    assert sram["total_bytes"] == sram["arena_bytes"] + sram["margin_bytes"] + 494 + 8192 <= 11221


def test_user_board_without_power_figures_and_sram_only_verdict(tmp_path, monkeypatch):
    extra = tmp_path / "boards.json"
    fields = {"title": "Mine", "core": "cortex-m4", "clock_mhz": 80, "sram_kb": 8, "flash_kb": 512}
    extra.write_text(json.dumps({"my-board": {**fields, "active_mw": "ten"}}))
    monkeypatch.setenv("TINYCC_BOARDS", str(extra))
    with pytest.raises(TinyccError, match="active_mw must be a number"):
        make_report(EXAMPLE, "my-board")
    extra.write_text(json.dumps({"my-board": fields}))           # no power figures: fine until power is asked
    rep = make_report(EXAMPLE, "my-board", latency_mode="macs")
    arena, _ = c_output(EXAMPLE, tmp_path / "c")
    margin, total = math.ceil(arena / 10), arena + math.ceil(arena / 10) + 494 + 8192     # > 494 + 8,192 > 8 KB
    assert rep["flash"]["ok"] and not rep["fits"]
    peak = max(rep["layers"], key=lambda r: r["live_bytes"])
    assert peak["live_bytes"] == arena                            # the layer that sets the arena is named
    assert rep["verdict"] == (f"does not fit: SRAM: arena {arena:,} + margin {margin:,} + I/O 494 + stack 8,192 = "
                              f"{total:,} B exceeds the 8,192 B SRAM by {total - 8192:,} B "
                              f"(peak at layer #{peak['index']} {peak['name']!r} ({peak['op']}) with "
                              f"{peak['live_bytes']:,} B live in the arena)")
    # with a 4 KB stack: at most 2,304 + 231 + 494 + 4,096 = 7,125 B <= 8 KB
    assert make_report(EXAMPLE, "my-board", latency_mode="macs", stack_bytes=4 * KB)["fits"]
    with pytest.raises(TinyccError, match="no power figures"):
        make_report(EXAMPLE, "my-board", latency_mode="macs", duty_cycle="1%")


def write_html_report(tmp_path) -> Path:
    html = tmp_path / "report.html"
    proc = run_cli("report", EXAMPLE, "--target", "cortex-m0plus-16k", "--latency", "macs", "--duty-cycle", "2%",
                   "--battery-mah", "250", "--html", html)
    assert proc.returncode == 0, proc.stderr
    return html


def test_html_report_embeds_the_timeline_plot_and_the_tables(tmp_path):
    pytest.importorskip("matplotlib", reason="pip install 'tinycc-ml[report]'")
    text = write_html_report(tmp_path).read_text()
    m = re.search(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)"', text)
    assert m, "no embedded PNG"
    png = base64.b64decode(m.group(1))
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and int.from_bytes(png[16:20], "big") >= 400     # width in pixels
    layers = text[text.index('<table id="layers">'):]
    layers = layers[:layers.index("</table>")]
    assert layers.count("<tr") == 1 + 7 + 1                         # header, 7 layers, total
    for needle in ("depthwise_conv_2d", "op1:dw2", "12,288", "caller", "27,724"):
        assert needle in layers
    assert '<p id="verdict" class="verdict fits">fits</p>' in text
    assert "total, of 16,384 B SRAM" in text and "stack + heap reserve</td><td class=\"n\">8,192" in text
    assert "battery" in text
    assert not re.search(r'(src|href)="(?!data:)', text)          # self-contained: nothing to fetch


@pytest.mark.skipif(shutil.which("chromium") is None, reason="chromium is not installed (apt-get install chromium)")
def test_headless_chromium_renders_the_html_report(tmp_path):
    pytest.importorskip("matplotlib", reason="pip install 'tinycc-ml[report]'")
    html = write_html_report(tmp_path)
    base = ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            f"--user-data-dir={tmp_path / 'profile'}", "--enable-logging=stderr", "--v=0"]
    dom = subprocess.run([*base, "--dump-dom", html.as_uri()], capture_output=True, text=True, timeout=180)
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert '<table id="layers">' in dom.stdout and "average_pool_2d" in dom.stdout and ">fits</p>" in dom.stdout
    for problem in ("Uncaught", "Failed to load resource", "Not allowed to load"):
        assert problem not in dom.stderr
    shot = tmp_path / "shot.png"
    proc = subprocess.run([*base, "--window-size=1200,1600", f"--screenshot={shot}", html.as_uri()],
                          capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0 and shot.exists(), proc.stderr[-2000:]
    from matplotlib.image import imread
    rgb = imread(shot)[..., :3]
    saturated = (rgb.max(axis=-1) - rgb.min(axis=-1)) > 0.3          # the plot's coloured buffer boxes
    assert saturated.sum() > 5000


def test_compile_for_a_board_it_cannot_fit_fails_naming_the_layer_and_bytes_over(tmp_path):
    """`compile --target`: VWW on a 64 KB SRAM / 256 KB flash part. Expected numbers from the
    seed's rules applied by hand to a plain compile's report and tinycc inspect's live bytes."""
    path = vww_path()
    plain = subprocess.run([sys.executable, "-m", "tinycc", "compile", str(path), "-o", str(tmp_path / "plain"),
                            "--json", str(tmp_path / "plain.json")], capture_output=True, text=True)
    assert plain.returncode == 0, plain.stderr
    rep = json.loads((tmp_path / "plain.json").read_text())
    flash_over = rep["flash_weights_bytes"] - 256 * 1024 // 2
    arena = rep["arena_bytes"]
    sram_over = arena + -(-arena // 10) + rep["input_bytes"] + rep["output_bytes"] + 8192 - 64 * 1024
    layers = json.loads(subprocess.run([sys.executable, "-m", "tinycc", "inspect", str(path), "--json"],
                                       capture_output=True, text=True).stdout)["layers"]
    peak = max(layers, key=lambda r: r["live_arena_bytes"])
    proc = subprocess.run([sys.executable, "-m", "tinycc", "compile", str(path), "--target", "cortex-m4-64k",
                           "-o", str(tmp_path / "out")], capture_output=True, text=True,
                          env={**os.environ, "COLUMNS": "2000"})
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "the model does not fit cortex-m4-64k" in proc.stderr
    assert flash_over > 0 and f"({flash_over:,} B over; largest: layer #" in proc.stderr
    assert sram_over > 0 and f"by {sram_over:,} B (peak at layer #{peak['index']} " in proc.stderr
    assert f"with {peak['live_arena_bytes']:,} B live in the arena" in proc.stderr
    assert not (tmp_path / "out").exists()
    ok = subprocess.run([sys.executable, "-m", "tinycc", "compile", "examples/tiny_kws_int8.tflite", "--target",
                         "cortex-m4-64k", "-o", str(tmp_path / "kws")], capture_output=True, text=True)
    assert ok.returncode == 0 and (tmp_path / "kws" / "model.h").exists()


def test_patch_tiles_turn_a_vww_that_does_not_fit_into_one_that_fits(tmp_path, monkeypatch):
    """A 64 KB board: VWW whole needs arena + 10% + I/O 27,650 + stack 8,192 > 65,536 B; in 8 row
    bands its arena is small enough. The verdict, the totals and the per-layer rows follow."""
    extra = tmp_path / "boards.json"
    extra.write_text(json.dumps({"m4-64k": {"title": "64 KB part", "core": "cortex-m4", "clock_mhz": 80,
                                            "sram_kb": 64, "flash_kb": 1024}}))
    monkeypatch.setenv("TINYCC_BOARDS", str(extra))
    whole = make_report(vww_path(), "m4-64k", latency_mode="macs")
    banded = make_report(vww_path(), "m4-64k", latency_mode="macs", patch_tiles=8)
    for rep in (whole, banded):
        arena = rep["sram"]["arena_bytes"]
        assert rep["sram"]["total_bytes"] == arena + math.ceil(arena / 10) + 27650 + 8192
    assert not whole["fits"] and "exceeds the 65,536 B SRAM" in whole["verdict"]
    assert banded["fits"] and banded["verdict"] == "fits"
    assert banded["sram"]["arena_bytes"] < whole["sram"]["arena_bytes"]
    assert any(n.startswith("patch-based execution: the first") for n in banded["notes"])
    ops_ = [r["op"] for r in banded["layers"]]
    assert ops_.count("strided_slice") == 8 and ops_.count("concatenation") == 1
    assert banded["macs"] > whole["macs"]                          # the recomputed halo rows
