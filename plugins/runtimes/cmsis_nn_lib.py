"""Arm CMSIS-NN for host runs: where the user's source tree is, and a cached host build of it.

tinycc never ships CMSIS-NN; the tree comes from $CMSIS_NN_PATH (a folder with Include/ and
Source/). Its portable C paths are compiled once per tree into ~/.cache/tinycc.
"""
from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path


def source_tree() -> Path | None:
    root = os.environ.get("CMSIS_NN_PATH")
    if root and (Path(root) / "Include" / "arm_nnfunctions.h").exists():
        return Path(root)
    return None


def host_library(root: Path) -> Path:
    """CMSIS-NN built for the host, cached by the tree's path."""
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "tinycc"
    key = hashlib.sha256(str(Path(root).resolve()).encode()).hexdigest()[:12]
    lib = cache / f"libcmsisnn_host-{key}.a"
    if lib.exists():
        return lib
    objdir = cache / f"cmsisnn_host_objs-{key}.{os.getpid()}"
    objdir.mkdir(parents=True, exist_ok=True)
    objs = []
    for src in sorted((Path(root) / "Source").glob("*/*.c")):
        obj = objdir / (src.stem + ".o")
        subprocess.run(["cc", "-std=c99", "-O2", "-c", f"-I{Path(root) / 'Include'}", str(src), "-o", str(obj)],
                       check=True, capture_output=True)
        objs.append(str(obj))
    tmp = lib.with_suffix(f".{os.getpid()}.a")
    subprocess.run(["ar", "rcs", str(tmp), *objs], check=True, capture_output=True)
    os.replace(tmp, lib)
    return lib
