"""Per-file scan results keyed by content hash and sqlmig version (``.sqlmig_cache/``).

Entries are written to a temporary file and renamed, so concurrent runs never see half an entry;
an entry that does not load is ignored and rebuilt.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

from sqlmig import __version__
from sqlmig.ir import ModuleFacts, from_json, to_json

CACHE_DIR = ".sqlmig_cache"
FORMAT = "1"


def key(relpath: str, module: str, is_package: bool, data: bytes) -> str:
    h = hashlib.sha256()
    h.update(f"{__version__}\0{FORMAT}\0{relpath}\0{module}\0{is_package}\0".encode())
    h.update(data)
    return h.hexdigest()


class Cache:
    def __init__(self, root: Path, enabled: bool = True) -> None:
        self.dir = root / CACHE_DIR / f"v{__version__}-{FORMAT}"
        self.enabled = enabled

    def _path(self, k: str) -> Path:
        return self.dir / k[:2] / f"{k}.json"

    def get(self, k: str) -> ModuleFacts | None:
        if not self.enabled:
            return None
        try:
            with open(self._path(k), encoding="utf-8") as fh:
                return from_json(ModuleFacts, json.load(fh))
        except (OSError, ValueError, TypeError, KeyError, AttributeError, IndexError, RecursionError):
            return None

    def put(self, k: str, facts: ModuleFacts) -> None:
        if not self.enabled:
            return
        target = self._path(k)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            gitignore = self.dir.parent / ".gitignore"
            if not gitignore.exists():
                gitignore.write_text("*\n", encoding="utf-8")
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=".json")
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as fh:
                    json.dump(to_json(facts), fh, separators=(",", ":"))
                os.replace(tmp, target)
            except BaseException:
                try:
                    os.unlink(tmp)
                except OSError:
                    pass
                raise
        except (OSError, RecursionError):
            pass  # a read-only tree still gets analysed, just not cached
