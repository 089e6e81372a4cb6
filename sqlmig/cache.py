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
from sqlmig.cone import Outline, outline
from sqlmig.ir import ModuleFacts, pack, unpacker

CACHE_DIR = ".sqlmig_cache"
FORMAT = "4"  # 2: positional arrays (ir.pack); 3: calls and attribute uses in source order; 4: outlines


def key(relpath: str, module: str, is_package: bool, data: bytes) -> str:
    h = hashlib.sha256()
    h.update(f"{__version__}\0{FORMAT}\0{relpath}\0{module}\0{is_package}\0".encode())
    h.update(data)
    return h.hexdigest()


def encode(facts: ModuleFacts, shape: Outline | None = None) -> str:
    """The cache entry of one file (also what scan workers send back): a checksum, then the facts
    packed as JSON arrays (``ir.pack``) with the module's outline for ``check`` (``cone.outline``,
    computed here unless given)."""
    if shape is None and facts.error is None:
        shape = outline(facts)
    entry = [pack(facts), shape]
    return seal(json.dumps(entry, separators=(",", ":")))


def decode(text: str) -> tuple[ModuleFacts, Outline | None]:
    """The inverse of ``encode``; raises ValueError on an entry that is not exactly what was written."""
    packed, outline = json.loads(unseal(text))
    return unpacker(ModuleFacts)(packed), None if outline is None else Outline(*outline)


_SUM = 16


def _checksum(payload: str) -> str:
    return hashlib.blake2b(payload.encode("utf-8", "surrogatepass"), digest_size=_SUM // 2).hexdigest()


def seal(payload: str) -> str:
    """``payload`` behind its checksum: what ``unseal`` accepts back."""
    return _checksum(payload) + payload


def unseal(text: str) -> str:
    """The payload of a sealed text; ValueError if any byte of it changed."""
    payload = text[_SUM:]
    if len(text) <= _SUM or text[:_SUM] != _checksum(payload):
        raise ValueError("damaged cache file")
    return payload


class Cache:
    def __init__(self, root: Path, enabled: bool = True) -> None:
        self.dir = root / CACHE_DIR / f"v{__version__}-{FORMAT}"
        self.enabled = enabled

    def _path(self, k: str) -> Path:
        return self.dir / k[:2] / f"{k}.json"

    def get(self, k: str) -> tuple[ModuleFacts, Outline | None] | None:
        if not self.enabled:
            return None
        try:
            with open(self._path(k), encoding="utf-8") as fh:
                return decode(fh.read())
        except (OSError, ValueError, TypeError, KeyError, AttributeError, IndexError, RecursionError):
            return None

    def put(self, k: str, text: str) -> None:
        """Store the ``encode``d facts of the file with key ``k``."""
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
                    fh.write(text)
                os.replace(tmp, target)
            except BaseException:
                try:
                    os.unlink(tmp)
                except OSError:
                    pass
                raise
        except (OSError, RecursionError):
            pass  # a read-only tree still gets analysed, just not cached
