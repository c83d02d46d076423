"""Arm CMSIS-NN sources for `cmsis-nn` output folders, found without hunting.

Order: an explicit path (`--cmsis-nn PATH`), then $CMSIS_NN_PATH, then tinycc's user cache
(`$XDG_CACHE_HOME/tinycc`, default `~/.cache/tinycc`). When the cache is empty the sources are
fetched once: the PyPI wheel aidge-export-arm-cortexm 0.2.1 bundles Arm's CMSIS-NN tree
(Apache-2.0, an SPDX header in every file); `pip download` fetches it with its SHA-256 pinned
(`--require-hashes`), and only the CMSIS-NN folder is unpacked (nothing of the wheel is
installed or run). A PROVENANCE.txt beside the tree says where the files came from and under
which licence. Every use of the cached tree is reported as a note, so nothing happens silently.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from tinycc.core import progress
from tinycc.core.errors import TinyccError

WHEEL = "aidge-export-arm-cortexm==0.2.1"
WHEEL_FILE = "aidge_export_arm_cortexm-0.2.1-py3-none-any.whl"
WHEEL_SHA256 = "0ea6a694b8c1397bf52158c27854bbd4ddfca433ed4cf06a4c92843b480acbf0"
INNER = "aidge_export_arm_cortexm/_CMSIS-NN/CMSIS-NN/"
LICENCE = "Apache-2.0"
UPSTREAM = "https://github.com/ARM-software/CMSIS-NN"
HEADER = Path("Include") / "arm_nnfunctions.h"


def cache_dir() -> Path:
    """tinycc's folder for the fetched tree (read at each call: $XDG_CACHE_HOME may change)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "tinycc" / "cmsis-nn-aidge-0.2.1"


def cached_root() -> Path | None:
    root = cache_dir() / "CMSIS-NN"
    return root if (root / HEADER).exists() else None


def provenance() -> str:
    return (f"Arm CMSIS-NN ({LICENCE}; each file carries its SPDX licence header; upstream {UPSTREAM}),\n"
            f"unpacked by tinycc from the folder {INNER} of the PyPI wheel\n"
            f"{WHEEL_FILE} (`pip download {WHEEL}`, sha256 {WHEEL_SHA256}).\n"
            "The wheel's own package is EPL-2.0; only the CMSIS-NN files above are used.\n"
            "Licence text: https://www.apache.org/licenses/LICENSE-2.0\n")


def fetch() -> Path:
    """Download the wheel (hash-checked) and unpack its CMSIS-NN tree into the cache; the tree's root."""
    cache = cache_dir()
    root = cache / "CMSIS-NN"
    if (root / HEADER).exists():
        return root
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="tinycc-cmsis-nn-", dir=cache) as tmp:
        req = Path(tmp) / "requirements.txt"
        req.write_text(f"{WHEEL} --hash=sha256:{WHEEL_SHA256}\n")
        with progress.phase(f"fetching CMSIS-NN ({WHEEL} from PyPI)"):
            proc = subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:",
                                   "--require-hashes", "-q", "-r", str(req), "-d", tmp],
                                  capture_output=True, text=True)
        wheel = Path(tmp) / WHEEL_FILE
        if proc.returncode != 0 or not wheel.exists():
            raise TinyccError("CMSIS-NN is not available and fetching it failed",
                              hint=f"`pip download {WHEEL}` said: {(proc.stderr or proc.stdout).strip()[-400:]}; "
                                   "or give a CMSIS-NN source tree (Include/ and Source/) with --cmsis-nn PATH or "
                                   "CMSIS_NN_PATH (git clone https://github.com/ARM-software/CMSIS-NN)")
        staging = Path(tmp) / "CMSIS-NN"       # unpacked aside, then renamed: nobody sees half a tree
        with zipfile.ZipFile(wheel) as z:
            for member in z.infolist():
                rel = member.filename[len(INNER):] if member.filename.startswith(INNER) else None
                if not rel or member.is_dir() or ".." in Path(rel).parts or Path(rel).is_absolute():
                    continue
                target = staging / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(z.read(member))
        (cache / "PROVENANCE.txt").write_text(provenance())
        try:
            os.rename(staging, root)
        except OSError:                        # another process was first
            shutil.rmtree(staging, ignore_errors=True)
    if not (root / HEADER).exists():
        raise TinyccError("the fetched wheel holds no CMSIS-NN tree", file=str(cache),
                          hint="give one with --cmsis-nn PATH or CMSIS_NN_PATH")
    return root


def resolve(path=None, notes: list | None = None) -> Path:
    """The CMSIS-NN tree to build with: `path`, $CMSIS_NN_PATH, the cache, else fetched into it.
    Notes for the user (where the files come from, their licence) are appended to `notes`."""
    given = path or os.environ.get("CMSIS_NN_PATH")
    if given:
        if not (Path(given) / HEADER).exists():
            how = "--cmsis-nn" if path else "CMSIS_NN_PATH"
            raise TinyccError(f"{how} is not a CMSIS-NN source tree (no {HEADER})", file=str(given),
                              hint="a folder with Include/ and Source/, e.g. a clone of " + UPSTREAM)
        return Path(given)
    root = cached_root()
    if root is None:
        root = fetch()
        what = f"fetched Arm CMSIS-NN ({LICENCE}) once from the PyPI wheel {WHEEL} into {root}"
    else:
        if not (root.parent / "PROVENANCE.txt").exists():      # a tree unpacked by an older tinycc
            (root.parent / "PROVENANCE.txt").write_text(provenance())
        what = f"using Arm CMSIS-NN ({LICENCE}) from tinycc's cache {root} (from the PyPI wheel {WHEEL})"
    if notes is not None:
        notes.append(f"{what}; where it came from: {root.parent / 'PROVENANCE.txt'}; "
                     "--cmsis-nn PATH or CMSIS_NN_PATH chooses another tree")
    return root
