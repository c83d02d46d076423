"""One point of a sweep: a pure function of bytes in, a record (plain data) out.

`run_point(point, model_bytes, data_bytes, calibration_bytes, board)` writes the bytes into a
temporary folder of its own, compiles and budgets the model on the board (tinycc/report.py's
make_report: arena, flash, fits, latency from QEMU's count and the core's cycle model when the
core is emulated, else MACs x the backend's cycles per MAC of tinycc/sweep/estimate.py, the §10.1
power and battery life), and scores it on the evaluation inputs (top-1
agreement of the point's model with the float model, accuracy against labels when given). Nothing
assumes a shared file system, so the same function runs in a local process or as a Ray task.
A failing point returns its error in the record; it never raises.

How a latency was obtained is the record's `latency_source`: "cycle model" (QEMU's executed
instructions timed by the core's cycle model (Cortex-M4, M0+, M55): `cycles` and `instructions`), "qemu instructions"
(a core without a cycle model: `instructions` only, one instruction a cycle assumed, `cycles`
null) or "MAC estimate" (not emulated: MACs x `cycles_per_mac`, neither count).

`point_key` is the content hash a record is cached under: model, data and calibration bytes, the
options, the board's definition, tinycc's version and the hash of its source files
(source_hash.py), so a changed tinycc computes its points again.
"""
from __future__ import annotations

import copy
import hashlib
import io
import json
import os
import tempfile
from pathlib import Path

import numpy as np

import tinycc
from tinycc.core.errors import TinyccError

FIELDS = ("model", "setting", "backend", "target", "options", "status", "error", "fits", "verdict", "arena_bytes",
          "flash_bytes", "peak_sram_bytes", "sram_total_bytes", "macs", "latency_s", "latency_method",
          "latency_source", "cycles", "instructions", "cycles_per_mac", "top1_agreement", "label_accuracy",
          "float_label_accuracy", "eval_samples", "average_mw", "battery_days", "key")


def digest(data: bytes | None) -> str | None:
    return None if data is None else hashlib.sha256(data).hexdigest()


def point_key(point: dict, model_bytes: bytes, data_bytes: bytes | None, calibration_bytes: bytes | None,
              board: dict, settings: dict, source: str | None = None) -> str:
    """The content hash of everything the record depends on; `source`: the hash of tinycc's source
    files (default: the running tinycc's)."""
    from tinycc.sweep.source_hash import tinycc_source_digest
    what = {"source": source if source is not None else tinycc_source_digest(), "model": digest(model_bytes),
            "data": digest(data_bytes), "calibration": digest(calibration_bytes),
            "options": point["options"], "backend": point["backend"], "target": point["target"], "board": board,
            "settings": settings, "version": tinycc.__version__}
    return hashlib.sha256(json.dumps(what, sort_keys=True).encode()).hexdigest()[:32]


def _top1(outputs: list[np.ndarray]) -> np.ndarray | None:
    """Each sample's arg-max of the first output, None when it holds one value (no classes)."""
    flat = np.stack([np.asarray(o, dtype=np.float64).reshape(-1) for o in outputs])
    return flat.argmax(axis=1) if flat.shape[1] > 1 else None


def score(g, gq, samples, labels) -> dict:
    """Top-1 agreement of gq with float g on the samples, and both against the labels when given."""
    from tinycc.core.interpreter import Interpreter
    from tinycc.core.passes.accuracy import _as_input, _real

    def outputs(h) -> list[np.ndarray]:
        """h's first output on each sample in real values (a quantised model's inputs quantised)."""
        run, out = Interpreter(h).run, h.tensors[h.outputs[0]]
        return [_real(out, run([_as_input(h.tensors[n], x) for n, x in zip(h.inputs, xs)])[0]) for xs in samples]

    f = outputs(g)
    q = f if gq is g else outputs(gq)
    ftop, qtop = _top1(f), _top1(q)
    result: dict = {"eval_samples": len(samples), "top1_agreement": None, "label_accuracy": None,
                    "float_label_accuracy": None}
    if ftop is None or qtop is None:
        return result
    result["top1_agreement"] = float(np.mean(ftop == qtop))
    if labels is not None:
        lab = np.asarray(labels).reshape(len(labels), -1)
        lab = lab.argmax(axis=1) if lab.shape[1] > 1 else lab[:, 0]          # one-hot or class indices
        lab = lab[:len(samples)].astype(np.int64)
        result["label_accuracy"] = float(np.mean(qtop == lab))
        result["float_label_accuracy"] = float(np.mean(ftop == lab))
    return result


def _split_data(data_bytes: bytes, folder: Path) -> tuple[Path, np.ndarray | None]:
    """The evaluation set's inputs as their own .npz (what load_calibration reads) and its labels."""
    try:
        with np.load(io.BytesIO(data_bytes), allow_pickle=False) as npz:
            arrays = {k: npz[k] for k in npz.files}
    except (ValueError, OSError) as exc:
        raise TinyccError(f"the data file is not a readable .npz: {exc}") from None
    labels = arrays.pop("labels", None)
    path = folder / "inputs.npz"
    np.savez(path, **arrays)
    return path, labels


def latency_source(lat: dict, built: dict | None) -> dict:
    """How the latency was obtained, and the counts behind it: cycles only where a cycle model gave
    them, instructions wherever QEMU ran the model, cycles per MAC only for an estimate."""
    if lat["method"] != "qemu" or built is None:
        return {"latency_source": "MAC estimate", "cycles": None, "instructions": None,
                "cycles_per_mac": lat.get("cycles_per_mac")}
    cycles = built.get("cycles")
    return {"latency_source": "cycle model" if cycles is not None else "qemu instructions", "cycles": cycles,
            "instructions": built["instructions"], "cycles_per_mac": None}


def _compute(point: dict, model_bytes: bytes, data_bytes, calibration_bytes, settings: dict, tmp: Path) -> dict:
    from tinycc.calibration import load_calibration
    from tinycc.driver import load_model, optimize_model, quantize_model
    from tinycc.report import make_report
    from tinycc.sweep.estimate import cycles_per_mac
    model = tmp / Path(point["model"]).name            # its own name: the importer goes by the suffix
    model.write_bytes(model_bytes)
    inputs, labels = _split_data(data_bytes, tmp) if data_bytes is not None else (None, None)
    opts = dict(point["options"])
    quantising = opts["quantize"] == "int8"
    g = optimize_model(load_model(model))
    calib = None
    if quantising:
        cal_path = inputs
        if calibration_bytes is not None:
            cal_path = tmp / "calibration.npz"
            cal_path.write_bytes(calibration_bytes)
        calib = load_calibration(cal_path, g)
    quant = {**opts, "calibration": calib} if quantising else None
    b = settings["board"]
    power = settings["power"] if b.get("active_mw") is not None and b.get("sleep_mw") is not None else {}
    rep = make_report(model, point["target"], point["backend"], latency_mode=settings["latency"],
                      rate_hz=power.get("rate_hz"), battery_mah=power.get("battery_mah"),
                      battery_v=power.get("battery_v", 3.0), patch_tiles=opts.get("patch_tiles"), quantize=quant,
                      cycles_per_mac=cycles_per_mac(point["backend"]))
    sram, lat, pw, built = rep["sram"], rep["latency"], rep["power"], rep["build"]
    record = {"fits": rep["fits"], "verdict": rep["verdict"], "arena_bytes": sram["arena_bytes"],
              "flash_bytes": rep["flash"]["model_bytes"],
              "peak_sram_bytes": sram["arena_bytes"] + sram["state_bytes"] + sram["input_bytes"]
              + sram["output_bytes"],
              "sram_total_bytes": sram["total_bytes"], "macs": rep["macs"], "latency_s": lat["seconds"],
              "latency_method": lat["method"], **latency_source(lat, built),
              "average_mw": pw["average_mw"] if pw else None,
              "battery_days": pw.get("battery_days") if pw else None}
    if inputs is not None:
        samples = load_calibration(inputs, g)[:settings["max_samples"]]
        gq = quantize_model(copy.deepcopy(g), {**opts, "calibration": calib}) if quantising else g
        record.update(score(g, gq, samples, labels))
    return record


def run_point(point: dict, model_bytes: bytes, data_bytes: bytes | None, calibration_bytes: bytes | None,
              settings: dict) -> dict:
    """The record of one point. `settings`: {"board": the board's definition, "latency", "power",
    "max_samples"}; the board goes to make_report through a board file of its own ($TINYCC_BOARDS),
    so a worker needs no board file of the user's."""
    record: dict = {k: None for k in FIELDS}
    record.update({k: point[k] for k in ("model", "setting", "backend", "target")})
    record["model"] = Path(point["model"]).name
    record["options"] = dict(point["options"])
    record["key"] = point_key(point, model_bytes, data_bytes, calibration_bytes, settings["board"],
                              {k: v for k, v in settings.items() if k != "board"})
    old = os.environ.get("TINYCC_BOARDS")
    with tempfile.TemporaryDirectory(prefix="tinycc-sweep-") as tmp:
        boards = Path(tmp) / "boards.json"
        boards.write_text(json.dumps({point["target"]: settings["board"]}))
        os.environ["TINYCC_BOARDS"] = str(boards)
        try:
            record.update(_compute(point, model_bytes, data_bytes, calibration_bytes, settings, Path(tmp)))
            record["status"] = "ok"
        except TinyccError as exc:
            record["status"], record["error"] = "error", exc.render().replace(tmp + os.sep, "")
        except Exception as exc:  # noqa: BLE001  a tinycc bug: recorded, the sweep goes on
            record["status"] = "internal-error"
            record["error"] = f"{type(exc).__name__}: {exc}".replace(tmp + os.sep, "")
        finally:
            if old is None:
                os.environ.pop("TINYCC_BOARDS", None)
            else:
                os.environ["TINYCC_BOARDS"] = old
    return record
