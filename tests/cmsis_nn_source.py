"""Test support: Arm CMSIS-NN sources, fetched at test time (never committed).

$CMSIS_NN_PATH if set; otherwise the Apache-2.0 CMSIS-NN tree bundled in the PyPI wheel
aidge-export-arm-cortexm==0.2.1, downloaded with `pip download --no-deps` and unpacked into
~/.cache/tinycc. Its host static library is the package's (tinycc.plugins.runtimes.cmsis_nn_lib).
"""
from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

WHEEL = "aidge-export-arm-cortexm==0.2.1"
INNER = "aidge_export_arm_cortexm/_CMSIS-NN/CMSIS-NN/"
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "tinycc" / "cmsis-nn-aidge-0.2.1"


def cmsis_nn_root() -> Path | None:
    if os.environ.get("CMSIS_NN_PATH"):
        return Path(os.environ["CMSIS_NN_PATH"])
    root = CACHE / "CMSIS-NN"
    if (root / "Include" / "arm_nnfunctions.h").exists():
        return root
    CACHE.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q", WHEEL, "-d", str(CACHE)],
                          capture_output=True, text=True)
    wheels = list(CACHE.glob("aidge_export_arm_cortexm-*.whl"))
    if proc.returncode != 0 or not wheels:
        return None
    staging = CACHE / f"CMSIS-NN.{os.getpid()}"          # unpack aside, then rename: parallel workers never see half a tree
    with zipfile.ZipFile(wheels[0]) as z:
        for member in z.namelist():
            if member.startswith(INNER) and not member.endswith("/"):
                target = staging / member[len(INNER):]
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(z.read(member))
    try:
        os.rename(staging, root)
    except OSError:                  # another worker was first
        import shutil
        shutil.rmtree(staging, ignore_errors=True)
    return root if (root / "Include" / "arm_nnfunctions.h").exists() else None


def host_library(root: Path) -> Path:
    """CMSIS-NN built for the host (its portable C paths), cached: the package's own build."""
    from tinycc.plugins.runtimes.cmsis_nn_lib import host_library as build
    return build(root)
