"""Finished points by content hash: one JSON file per record in a cache folder.

A record is written (atomically: a temporary file renamed into place) as soon as its point finishes,
so an interrupted sweep keeps everything it finished and a re-run computes only what is missing.
Records of internal errors (tinycc bugs, a crashed worker) are not kept: a re-run tries them again.
"""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from tinycc.core.errors import TinyccError


class Cache:
    def __init__(self, folder):
        self.folder = Path(folder)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise TinyccError(f"cannot create the sweep cache folder: {exc.strerror}", file=str(folder),
                              hint="choose another with --cache DIR") from None

    def _path(self, key: str) -> Path:
        return self.folder / f"{key}.json"

    def get(self, key: str) -> dict | None:
        try:
            record = json.loads(self._path(key).read_text())
        except (OSError, ValueError):
            return None          # absent or half-written by a killed older tinycc: computed again
        return record if isinstance(record, dict) and record.get("key") == key else None

    def put(self, record: dict) -> None:
        if record.get("status") == "internal-error":
            return
        fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".tmp-", suffix=".json")
        with os.fdopen(fd, "w") as f:
            json.dump(record, f, sort_keys=True)
        os.replace(tmp, self._path(record["key"]))
