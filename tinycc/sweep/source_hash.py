"""The hash of tinycc's own source: what a cached sweep record depends on beside its inputs.

The package version alone does not change while tinycc is developed, so records cached by one
state of the code would be reused by another. The key therefore covers every source file of the
installed packages (tinycc, tinycc.core, tinycc.plugins, tinycc.backends: their .py, .h, .c, .json
and .j2 files, by package-relative name and bytes), hashed once per process (about 4 MB, a few
tens of milliseconds).
"""
from __future__ import annotations

import functools
import hashlib
import importlib.util
from pathlib import Path

PACKAGES = ("tinycc", "tinycc.core", "tinycc.plugins", "tinycc.backends")
SUFFIXES = (".py", ".h", ".c", ".json", ".j2")


def source_digest(roots: list[tuple[str, Path]]) -> str:
    """SHA-256 over the source files under each (package, folder): their names relative to the
    folder and their bytes, in name order (a file under two roots, as in a non-editable install
    where tinycc/core sits inside tinycc/, counts once, under its first root)."""
    seen: set[Path] = set()
    files: list[tuple[str, Path]] = []
    for package, folder in roots:
        for path in Path(folder).rglob("*"):
            if path.suffix not in SUFFIXES or "__pycache__" in path.parts or not path.is_file():
                continue
            real = path.resolve()
            if real not in seen:
                seen.add(real)
                files.append((f"{package}/{path.relative_to(folder).as_posix()}", path))
    h = hashlib.sha256()
    for name, path in sorted(files):
        data = path.read_bytes()
        h.update(f"{name}\0{len(data)}\0".encode())
        h.update(data)
    return h.hexdigest()


def package_roots() -> list[tuple[str, Path]]:
    """The installed packages' folders (an editable install maps each to its own folder)."""
    roots = []
    for package in PACKAGES:
        spec = importlib.util.find_spec(package)
        for folder in (spec.submodule_search_locations or []) if spec else []:
            roots.append((package, Path(folder)))
    return roots


@functools.cache
def tinycc_source_digest() -> str:
    """source_digest of the running tinycc, computed once per process."""
    return source_digest(package_roots())
