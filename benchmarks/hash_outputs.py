"""Hash every output folder tinycc writes for the shared models: each model through each backend.

A refactoring that must not change what users get (issue #16: "every output stays byte-identical")
runs this before and after and compares:

    python benchmarks/hash_outputs.py --json before.json
    ... change ...
    python benchmarks/hash_outputs.py --json after.json --against before.json

Each row is one (model, backend, options) compile: the SHA-256 of its folder (every file's relative
path and bytes, in sorted order), or the error it gave. `--against` prints the rows that differ and
exits 1 if any does. Backends whose optional extra is missing are listed as skipped.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))         # the repository root: tests.tflm holds the shared models' list

from tests.tflm import SHARED_MODELS  # noqa: E402

MODELS = SHARED_MODELS
BACKENDS = ["c", "tflm", "cmsis-nn", "microtvm", "stm32cubeai"]
# extra compiles whose options change the generated code: (backend, extra CLI arguments)
VARIANTS = [("c", ["--patch-tiles", "4"]), ("c", ["--target", "arduino-nano-33-ble"]),
            ("tflm", ["--target", "arduino-nano-33-ble"])]
EXAMPLE = ROOT / "examples" / "tiny_kws_int8.tflite"


def folder_hash(folder: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            h.update(str(p.relative_to(folder)).encode() + b"\0")
            h.update(p.read_bytes() + b"\0")
    return h.hexdigest()


def compile_one(model: Path, backend: str, extra: list[str], work: Path) -> str:
    import contextlib
    import io

    from tinycc.cli import main as cli
    out = work / "out"
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf), contextlib.redirect_stderr(buf):
        status = cli(["compile", str(model), "--backend", backend, "--name", "model", "-o", str(out), "--force",
                      *extra])
    if status != 0:
        return f"exit {status}: {buf.getvalue().strip().splitlines()[-1][:200] if buf.getvalue().strip() else ''}"
    return folder_hash(out)


def rows(models_dir: Path) -> dict[str, str]:
    from tinycc.core.plugins import registry
    available = {b for b in BACKENDS if _backend_ok(registry(), b)}
    jobs = [(EXAMPLE, b, []) for b in BACKENDS]
    jobs += [(models_dir / rel, b, []) for rel in MODELS for b in BACKENDS]
    jobs += [(models_dir / rel, b, extra) for rel in MODELS[:1] for b, extra in VARIANTS]
    result: dict[str, str] = {}
    for model, backend, extra in jobs:
        key = f"{model.name} {backend} {' '.join(extra)}".strip()
        if not model.exists():
            result[key] = "skipped: model not found"
        elif backend not in available:
            result[key] = "skipped: backend's extra not installed"
        else:
            with tempfile.TemporaryDirectory(prefix="tinycc-hash-") as tmp:
                result[key] = compile_one(model, backend, extra, Path(tmp))
        print(f"{key:70s} {result[key][:64]}", flush=True)
    return result


def _backend_ok(reg, name: str) -> bool:
    if name == "microtvm":
        import importlib.util
        return importlib.util.find_spec("tvm") is not None
    try:
        reg.get("backend", name)
        return True
    except Exception:
        return False


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", default=os.environ.get("TINYCC_MODELS", str(ROOT.parent / "shared" / "models")))
    ap.add_argument("--json", help="write the hashes to this file")
    ap.add_argument("--against", help="compare with hashes written before; exit 1 on any difference")
    args = ap.parse_args(argv)
    result = rows(Path(args.models))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=1, sort_keys=True) + "\n")
    if args.against:
        before = json.loads(Path(args.against).read_text())
        differ = sorted(k for k in set(before) | set(result) if before.get(k) != result.get(k))
        for k in differ:
            print(f"DIFFERS {k}: {before.get(k)} -> {result.get(k)}")
        print(f"{len(result) - len(differ)} of {len(set(before) | set(result))} outputs identical")
        return 1 if differ else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
