"""`tinycc sweep`: a 2 models x 2 quantisation settings x 2 backends x 2 boards grid run locally and
on a real local Ray cluster gives identical records; re-runs and interrupted runs compute only what
is missing; a failing point is recorded and the others finish; a TOML file and flags give the same
grid; exit statuses; the HTML page's best point reproduces with its command; each latency names its
source (cycle model, QEMU instructions, MAC estimate); the cache key follows tinycc's source; a point
that kills its worker is an error record and the others finish."""
from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pytest
from rich.console import Console

from tests.sweep_models import mlp, write_data, write_models
from tinycc.cli import main
from tinycc.sweep import results as sweep_results
from tinycc.sweep import spec as sweep_spec
from tinycc.sweep.engine import plan, run_sweep
from tinycc.sweep.points import point_key
from tinycc.sweep.source_hash import source_digest

BOARDS = ("stm32f446", "esp32-s3")          # a Cortex-M4 QEMU runs (cycles), and a core it does not


def write_grid(folder: Path, latency: str = "auto") -> Path:
    write_models(folder)
    write_data(folder / "eval.npz")
    toml = folder / "grid.toml"
    toml.write_text(f'models = ["mlp8.tflite", "mlp24.tflite"]\nbackends = ["c", "tflm"]\n'
                    f'targets = {json.dumps(list(BOARDS))}\ndata = "eval.npz"\nlatency = "{latency}"\n'
                    '[[quantize]]\nquantize = "none"\n'                   # named none and int8-minmax by default
                    '[[quantize]]\nquantize = "int8"\ncalibration_method = "minmax"\n')
    return toml


def float_predictions(seed: int, hidden: int, x: np.ndarray) -> np.ndarray:
    """The float MLP of tests/sweep_models.mlp in numpy: its classes for inputs x (samples, 1, 16)."""
    rng = np.random.default_rng(seed)
    w1, b1 = rng.normal(0, 0.4, (hidden, 16)), rng.normal(0, 0.1, hidden)
    w2, b2 = rng.normal(0, 0.5, (5, hidden)), rng.normal(0, 0.1, 5)
    h = np.maximum(x[:, 0, :].astype(np.float64) @ w1.T + b1, 0)
    return (h @ w2.T + b2).argmax(axis=1)


def run_cli(*args) -> int:
    return main([str(a) for a in args])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def ray_cluster():
    """A one-CPU Ray head on 127.0.0.1 in a session of its own, torn down (the whole session) after."""
    pytest.importorskip("ray", reason="Ray is an optional extra: pip install 'tinycc-ml[ray]'")
    ray_bin = Path(sys.executable).parent / "ray"
    port = free_port()
    temp = tempfile.mkdtemp(prefix="ray-", dir="/tmp")          # short: Ray's socket paths have a length limit
    env = {**os.environ, "RAY_USAGE_STATS_ENABLED": "0"}
    head = subprocess.Popen([str(ray_bin), "start", "--head", "--node-ip-address", "127.0.0.1", "--port", str(port),
                             "--num-cpus", "1", "--include-dashboard=false", "--disable-usage-stats",
                             "--temp-dir", temp, "--block"], env=env, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:                 # the head is up when its GCS port answers
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if head.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("the Ray head did not start")
                time.sleep(0.5)
        yield f"127.0.0.1:{port}"
    finally:
        os.killpg(head.pid, signal.SIGTERM)
        try:
            head.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(head.pid, signal.SIGKILL)
            head.wait()
        shutil.rmtree(temp, ignore_errors=True)


def test_grid_locally_and_on_a_ray_cluster_gives_identical_records(tmp_path, ray_cluster):
    toml = write_grid(tmp_path)
    assert run_cli("sweep", toml, "--cache", tmp_path / "local-cache", "--json", tmp_path / "local.json") == 0
    assert run_cli("sweep", toml, "--cache", tmp_path / "ray-cache", "--json", tmp_path / "ray.json",
                   "--ray", ray_cluster) == 0
    local = json.loads((tmp_path / "local.json").read_text())
    assert local == json.loads((tmp_path / "ray.json").read_text())
    assert len(local) == 16 and {r["status"] for r in local} == {"ok"}
    x, labels = np.load(tmp_path / "eval.npz")["x"], np.load(tmp_path / "eval.npz")["labels"]
    for r in local:
        seed, hidden = (0, 8) if r["model"] == "mlp8.tflite" else (1, 24)
        assert r["float_label_accuracy"] == pytest.approx(np.mean(float_predictions(seed, hidden, x) == labels))
        if r["setting"] == "none":
            assert r["top1_agreement"] == 1.0
            if r["backend"] == "c":          # float32 weights and biases, 4 bytes each
                assert r["flash_bytes"] == 4 * (hidden * 16 + hidden + 5 * hidden + 5)
        emulated = r["target"] == "stm32f446" and r["backend"] == "c"     # tflm's output has no C entry point
        assert r["latency_method"] == ("qemu" if emulated else "macs")
        assert r["latency_source"] == ("cycle model" if emulated else "MAC estimate")
        assert (r["cycles"] is not None) == (r["instructions"] is not None) == emulated
        if emulated:
            assert r["cycles"] >= r["instructions"] > 0
        assert (r["battery_days"] is not None) == (r["target"] == "esp32-s3")   # the board with power figures


def test_rerun_computes_nothing_and_an_interrupted_sweep_resumes(tmp_path):
    write_models(tmp_path)
    write_data(tmp_path / "eval.npz")
    grid = sweep_spec.from_flags([tmp_path / "mlp8.tflite", tmp_path / "mlp24.tflite"], ["c"], ["pico2"],
                                 ["none", "int8"], data=str(tmp_path / "eval.npz"), latency="macs")
    seen = []

    def stop_after_two(record, cached):
        seen.append(record)
        if len(seen) == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_sweep(grid, tmp_path / "cache", jobs=1, on_result=stop_after_two)
    records, computed = run_sweep(grid, tmp_path / "cache", jobs=1)
    assert computed == 2 and len(records) == 4 and {r["status"] for r in records} == {"ok"}
    again, computed = run_sweep(grid, tmp_path / "cache", jobs=1)
    assert computed == 0 and again == records
    (tmp_path / "mlp8.tflite").write_bytes(mlp(5, 8))       # other weights: other keys, computed again
    _, computed = run_sweep(grid, tmp_path / "cache", jobs=1)
    assert computed == 2


def test_a_failing_point_is_recorded_and_the_others_finish(tmp_path, capsys):
    write_models(tmp_path)
    (tmp_path / "broken.tflite").write_bytes(b"TFL3 not a flatbuffer" * 4)
    code = run_cli("sweep", "-m", tmp_path / "broken.tflite", "-m", tmp_path / "mlp8.tflite", "-t", "pico2",
                   "--latency", "macs", "--cache", tmp_path / "cache", "--json", tmp_path / "r.json",
                   "--csv", tmp_path / "r.csv")
    assert code == 1
    records = json.loads((tmp_path / "r.json").read_text())
    broken, good = records
    assert broken["model"] == "broken.tflite" and broken["status"] == "error"
    assert "broken.tflite" in broken["error"] and "tinycc-sweep-" not in broken["error"]   # no worker's temp path
    assert good["status"] == "ok" and good["fits"] and good["arena_bytes"] > 0
    out = capsys.readouterr().out
    assert "1 ok, 1 failed" in out and "broken.tflite none c pico2" in out
    with open(tmp_path / "r.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [(r["model"], r["status"]) for r in rows] == [("broken.tflite", "error"), ("mlp8.tflite", "ok")]


def test_toml_file_and_flags_give_the_same_grid(tmp_path):
    toml = write_grid(tmp_path)
    from_file = sweep_spec.load_toml(toml)
    from_flags = sweep_spec.from_flags([str(tmp_path / "mlp8.tflite"), str(tmp_path / "mlp24.tflite")],
                                       ["c", "tflm"], list(BOARDS), ["none", "int8:minmax"],
                                       data=str(tmp_path / "eval.npz"))
    assert from_file.grid() == from_flags.grid() and len(from_file.grid()) == 16
    assert [t["key"] for t in plan(from_file)[0]] == [t["key"] for t in plan(from_flags)[0]]


@pytest.mark.parametrize("args, needle", [
    (["-m", "{d}/mlp8.tflite", "-t", "no-such-board"], "unknown board 'no-such-board'"),
    (["-m", "{d}/mlp8.tflite", "-t", "pico2", "-b", "nope"], "unknown backend 'nope'"),
    (["-m", "{d}/missing.tflite", "-t", "pico2"], "no such file"),
    (["-m", "{d}/mlp8.tflite", "-t", "pico2", "-q", "int8"], "no samples to calibrate with"),
    (["-m", "{d}/mlp8.tflite", "-t", "pico2", "-q", "int8:median", "--data", "{d}/eval.npz"], "calibration_method"),
    (["{d}/grid.toml", "-t", "pico2"], "not both"),
    (["{d}/bad.toml"], "not a valid TOML file"),
    ([], "nothing to sweep"),
])
def test_user_errors_exit_2_before_any_point_runs(tmp_path, capsys, args, needle):
    write_grid(tmp_path)
    (tmp_path / "bad.toml").write_text("models = [\n")
    assert run_cli("sweep", *[a.format(d=tmp_path) for a in args], "--cache", tmp_path / "cache") == 2
    err = capsys.readouterr().err
    assert needle in err and "Traceback" not in err
    assert not list((tmp_path / "cache").glob("*.json"))


def test_html_page_names_the_best_point_whose_command_reproduces_it(tmp_path, capsys, monkeypatch):
    pytest.importorskip("matplotlib", reason="the Pareto plots need matplotlib (the report extra)")
    write_models(tmp_path)
    write_data(tmp_path / "eval.npz")
    assert run_cli("sweep", "-m", tmp_path / "mlp8.tflite", "-m", tmp_path / "mlp24.tflite", "-t", "pico2",
                   "-q", "none", "-q", "int8", "--data", tmp_path / "eval.npz", "--latency", "macs",
                   "--cache", tmp_path / "cache", "--html", tmp_path / "p.html", "--json", tmp_path / "r.json") == 0
    page = (tmp_path / "p.html").read_text()
    assert "<svg" in page and "Best point" in page
    records = json.loads((tmp_path / "r.json").read_text())
    best_line = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("best on pico2"))
    model, setting, backend = best_line.split(": ")[1].split()
    best = next(r for r in records if (r["model"], r["setting"], r["backend"]) == (model, setting, backend))
    command = best_line.split(": ", 2)[2].split()
    assert command[:2] == ["tinycc", "compile"] and " ".join(command) in page.replace("&#x27;", "'")
    monkeypatch.chdir(tmp_path)            # the command's output folder is relative
    assert main(command[1:] + ["--json", str(tmp_path / "c.json")]) == 0
    compiled = json.loads((tmp_path / "c.json").read_text())
    assert compiled["arena_bytes"] == best["arena_bytes"]


def test_ray_missing_is_a_user_error_naming_the_extra(tmp_path, capsys, monkeypatch):
    write_models(tmp_path)
    monkeypatch.setitem(sys.modules, "ray", None)            # `import ray` fails as when it is not installed
    assert run_cli("sweep", "-m", tmp_path / "mlp8.tflite", "-t", "pico2", "--latency", "macs", "--ray",
                   "--cache", tmp_path / "cache") == 2
    assert "tinycc-ml[ray]" in capsys.readouterr().err


def test_a_model_quantised_before_scores_as_the_sweep_quantising_it(tmp_path):
    """A pre-quantised int8 model (int8 I/O) takes the float evaluation inputs (quantised on the way in):
    its label accuracy equals the sweep's own int8 setting of the float model with the same calibration."""
    from tinycc.backends.tflm.flatbuffer import write_tflite
    from tinycc.calibration import load_calibration
    from tinycc.driver import load_model, optimize_model, quantize_model
    write_models(tmp_path)
    data = write_data(tmp_path / "eval.npz")
    g = optimize_model(load_model(tmp_path / "mlp24.tflite"))
    gq = quantize_model(g, {"quantize": "int8", "calibration": load_calibration(data, g), "io": "int8"})
    (tmp_path / "mlp24_int8.tflite").write_bytes(write_tflite(gq))
    toml = tmp_path / "q.toml"
    toml.write_text('models = ["mlp24.tflite"]\nbackends = ["c"]\ntargets = ["pico2"]\ndata = "eval.npz"\n'
                    'latency = "macs"\n[[quantize]]\nquantize = "int8"\nio = "int8"\n')
    (ours,), _ = run_sweep(sweep_spec.load_toml(toml), tmp_path / "cache", jobs=1)
    (theirs,), _ = run_sweep(sweep_spec.from_flags([tmp_path / "mlp24_int8.tflite"], ["c"], ["pico2"], ["none"],
                                                   data=str(data), latency="macs"), tmp_path / "cache", jobs=1)
    assert ours["status"] == theirs["status"] == "ok"
    assert theirs["top1_agreement"] == 1.0 and theirs["label_accuracy"] == ours["label_accuracy"] is not None


def test_each_latency_names_its_source(tmp_path):
    """Cortex-M4 (a cycle model): cycles >= instructions; Cortex-M33 (QEMU, no cycle model): instructions,
    cycles null; ESP32-S3 (not emulated): MACs x the c backend's documented 1.53 cycles per MAC, no counts.
    The table and the HTML page say which."""
    from tinycc.sweep.pareto_html import write_html
    write_models(tmp_path, hidden=(8,))
    grid = sweep_spec.from_flags([tmp_path / "mlp8.tflite"], ["c"], ["stm32f446", "pico2", "esp32-s3"], ["none"])
    records, _ = run_sweep(grid, tmp_path / "cache", jobs=1)
    m4, m33, xtensa = records
    assert [r["status"] for r in records] == ["ok"] * 3
    assert m4["latency_source"] == "cycle model" and m4["cycles"] >= m4["instructions"] > 0
    assert m4["latency_s"] == pytest.approx(m4["cycles"] / 180e6) and m4["cycles_per_mac"] is None
    assert m33["latency_source"] == "qemu instructions" and m33["cycles"] is None and m33["instructions"] > 0
    assert m33["latency_s"] == pytest.approx(m33["instructions"] / 150e6)
    assert xtensa["latency_source"] == "MAC estimate" and xtensa["cycles"] is None and xtensa["instructions"] is None
    assert xtensa["macs"] >= 16 * 8 + 8 * 5 and xtensa["cycles_per_mac"] == 1.53     # two FC layers and more
    assert xtensa["latency_s"] == pytest.approx(xtensa["macs"] * 1.53 / 240e6)
    console = Console(width=200, record=True)
    console.print(sweep_results.table(records, "t", wide=True))
    rows = [line for line in console.export_text().splitlines() if "mlp8" in line]
    assert [[word in row for word in ("cycles", "insns", "MACs", "~")] for row in rows] == [
        [True, False, False, False], [False, True, False, False], [False, False, True, True]]
    write_html(records, tmp_path / "p.html", {}, "t")
    page = (tmp_path / "p.html").read_text()
    assert all(f"<td>{word}</td>" in page for word in ("cycle model", "qemu instructions", "MAC estimate"))
    assert f"<td>{m4['cycles']:,}</td>" in page and f"<td>{m33['instructions']:,}</td>" in page


def test_cache_key_follows_tinycc_source(tmp_path):
    """The key covers the bytes of the source files (a copy of a package folder here, not the real
    tree): one changed byte changes it; a compiled-bytecode cache does not."""
    package = tmp_path / "pkg"
    shutil.copytree(Path(sweep_results.__file__).parent, package, ignore=shutil.ignore_patterns("__pycache__"))
    roots = [("tinycc.sweep", package)]
    point = {"model": "m.tflite", "setting": "none", "backend": "c", "target": "pico2", "options": {"quantize": "none"}}

    def key() -> str:
        return point_key(point, b"model", None, None, {"core": "cortex-m33"}, {}, source=source_digest(roots))

    before = key()
    assert key() == before
    (package / "__pycache__").mkdir()
    (package / "__pycache__" / "points.cpython-311.pyc").write_bytes(b"\0" * 16)
    assert key() == before
    source = package / "points.py"
    data = bytearray(source.read_bytes())
    data[-2] ^= 0x20
    source.write_bytes(bytes(data))
    assert key() != before
    data[-2] ^= 0x20
    source.write_bytes(bytes(data))
    assert key() == before
    (package / "new_kernel.h").write_text("/* a new kernel */\n")
    assert key() != before


def test_a_point_that_kills_its_worker_is_an_error_and_the_others_finish(tmp_path, monkeypatch):
    """A point whose worker dies (SIGSEGV, through run_local's test-only hook) is an internal-error record
    naming the signal; the pool is rebuilt and every other point runs; exit status 1, not 3; the dead
    point is not cached, so a re-run tries it again."""
    from tinycc.sweep.run_local import TEST_KILL
    paths = write_models(tmp_path, hidden=(8, 24, 16))
    crash = tmp_path / "crash.tflite"
    crash.write_bytes(mlp(7, 12))
    monkeypatch.setenv(TEST_KILL, "crash.tflite")
    models = [paths[0], crash, paths[1], paths[2]]
    args = [a for m in models for a in ("-m", m)]
    assert run_cli("sweep", *args, "-t", "pico2", "-q", "none", "--latency", "macs", "-j", "2",
                   "--cache", tmp_path / "cache", "--json", tmp_path / "r.json") == 1
    records = json.loads((tmp_path / "r.json").read_text())
    assert [r["model"] for r in records] == [m.name for m in models]
    dead = records[1]
    assert dead["status"] == "internal-error" and dead["error"].startswith("worker died: killed by signal SIGSEGV")
    assert all(r["status"] == "ok" and r["arena_bytes"] > 0 for i, r in enumerate(records) if i != 1)
    grid = sweep_spec.from_flags(models, ["c"], ["pico2"], ["none"], latency="macs")
    again, computed = run_sweep(grid, tmp_path / "cache", jobs=1)
    assert computed == 1 and again[1]["status"] == "internal-error"
