"""Test support: Arm CMSIS-NN sources, fetched at test time (never committed).

$CMSIS_NN_PATH if set; otherwise the tree tinycc itself fetches into its user cache
(tinycc.cmsis_nn_fetch: the Apache-2.0 CMSIS-NN folder of the PyPI wheel
aidge-export-arm-cortexm==0.2.1). None when it cannot be had (tests then skip).
Its host static library is the package's (tinycc.plugins.runtimes.cmsis_nn_lib).
"""
from __future__ import annotations

from pathlib import Path

from tinycc import cmsis_nn_fetch
from tinycc.core.errors import TinyccError

WHEEL = cmsis_nn_fetch.WHEEL


def cmsis_nn_root() -> Path | None:
    try:
        return cmsis_nn_fetch.resolve()
    except TinyccError:
        return None


def require_cmsis_nn() -> Path:
    """The CMSIS-NN tree, or the calling test skips with how to provide it."""
    import pytest
    root = cmsis_nn_root()
    if root is None:
        pytest.skip("CMSIS-NN is not available (set CMSIS_NN_PATH, or allow pip to download aidge-export-arm-cortexm)")
    return root


def host_library(root: Path) -> Path:
    """CMSIS-NN built for the host (its portable C paths), cached: the package's own build."""
    from tinycc.plugins.runtimes.cmsis_nn_lib import host_library as build
    return build(root)


def host_build(folder: Path, root: Path) -> Path:
    """The cmsis-nn backend's output in `folder` built for the host with the package's CMSIS-NN library and the
    runtime's harness (-Werror: any warning fails the test); the executable."""
    import subprocess

    from tests.c_build import CC, CFLAGS, HARNESS
    exe = folder / "model_test"
    proc = subprocess.run([CC, *CFLAGS, "-I", str(folder), "-I", str(root / "Include"), str(folder / "model.c"),
                           str(folder / "model_weights.c"), str(HARNESS), str(host_library(root)), "-o", str(exe),
                           "-lm"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return exe
