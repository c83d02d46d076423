"""Run mypy on the `tinycc` package as it is installed: tinycc/, core/, plugins/ and backends/ as tinycc.*.

The source tree maps four folders onto one package ([tool.setuptools.package-dir] in pyproject.toml); mypy
cannot remap folders to package names, and the editable install's import hook is invisible to it. So this
builds build/typecheck/tinycc/ — symlinks to every entry of tinycc/ plus core, plugins and backends — and runs
mypy there with the [tool.mypy] settings of pyproject.toml. Error paths are printed relative to the repository.

    python tools/typecheck.py            # the configured run (non-strict; strict on core/, see pyproject.toml)
    python tools/typecheck.py --strict   # extra mypy arguments pass through
"""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAPPED = {"core": "core", "plugins": "plugins", "backends": "backends"}


def build_layout(dest: Path) -> Path:
    """(Re)create dest/tinycc as symlinks into the source tree; return dest/tinycc."""
    pkg = dest / "tinycc"
    if dest.exists():
        shutil.rmtree(dest)
    pkg.mkdir(parents=True)
    for entry in (ROOT / "tinycc").iterdir():
        if entry.name != "__pycache__":
            (pkg / entry.name).symlink_to(entry)
    for name, folder in MAPPED.items():
        (pkg / name).symlink_to(ROOT / folder)
    return pkg


def main(argv: list[str]) -> int:
    layout = ROOT / "build" / "typecheck"
    build_layout(layout)
    cmd = [sys.executable, "-m", "mypy", "--config-file", str(ROOT / "pyproject.toml"),
           "--cache-dir", str(ROOT / ".mypy_cache"), *argv, "-p", "tinycc"]
    proc = subprocess.run(cmd, cwd=layout, capture_output=True, text=True, check=False)
    out = proc.stdout.replace("tinycc/core/", "core/").replace("tinycc/plugins/", "plugins/") \
        .replace("tinycc/backends/", "backends/")
    sys.stdout.write(out)
    sys.stderr.write(proc.stderr)
    return proc.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
