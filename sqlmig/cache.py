"""Per-file scan results keyed by content hash and sqlmig version (``.sqlmig_cache/``).

Entries live in pack files, ``packs/<name>.pack``: a run writes the entries it computed as one new
pack (temporary file, then rename), so a cold run over thousands of files creates one file, not
thousands (creating a small file costs 0.4-0.8 ms of system time on the machine CI runs on, a third
of parsing one). A pack starts with a line holding its index (key -> offset and length), sealed by
a checksum; each entry is sealed too. A pack or entry that does not load is ignored, and the file
is scanned again. When packs pile up, the run that writes merges them: a run that read the whole
project keeps only the entries it used (older versions of files are dropped), any other keeps all.
Concurrent runs are safe: each writes its own pack under a unique name, and a pack deleted by a
merge while another run uses it only costs that run a rescan.
"""

from __future__ import annotations

import hashlib
import json
import marshal
import os
import secrets
import time
from pathlib import Path

from sqlmig import __version__
from sqlmig.cone import Outline, outline
from sqlmig.discover import alias_digest
from sqlmig.ir import ModuleFacts, pack, unpacker

CACHE_DIR = ".sqlmig_cache"
# 2: positional arrays (ir.pack); 3: calls and attribute uses in source order; 4: outlines; 5: packs;
# 6: entries in marshal's format (its version is part of the name: it changes with the interpreter's);
# 7: the package root of a module; 8: the aliases of a module's absolute imports (``ModuleFacts.aliases``);
# 9: star imports (``ModuleFacts.star_imports``, and the names they supply resolve); 10: the entries of
# dicts whose keys are not strings (``Expr``); 11: outlines mark tables named by code; 12: the SQLAlchemy
# names ``sqlmodel`` re-exports resolve to ``sqlalchemy:``; 13: ``reflex`` is a library; 14: a method's
# first parameter (``Method.first_param``); 15: outlines mark foreign keys to tables named by code
FORMAT = f"15m{marshal.version}"


def key(relpath: str, module: str, is_package: bool, data: bytes, aliases: tuple = ()) -> str:
    h = hashlib.sha256()
    h.update(f"{__version__}\0{FORMAT}\0{relpath}\0{module}\0{is_package}\0".encode())
    if aliases:  # what the file's absolute imports mean (``discover._namespaced``)
        h.update(alias_digest(aliases).encode())
    h.update(data)
    return h.hexdigest()


def encode(facts: ModuleFacts, shape: Outline | None = None) -> bytes:
    """The cache entry of one file (also what scan workers send back): a checksum, then the facts
    packed as nested lists (``ir.pack``) with the module's outline for ``check`` (``cone.outline``,
    computed here unless given), in ``marshal``'s format: a third of the time ``json`` takes both
    ways, and every cold run encodes each file and every warm one decodes it."""
    if shape is None and facts.error is None:
        shape = outline(facts)
    return seal_blob(marshal.dumps([pack(facts), None if shape is None else list(shape)]))


def decode(blob: bytes) -> tuple[ModuleFacts, Outline | None]:
    """The inverse of ``encode``; raises ValueError on an entry that is not exactly what was written."""
    packed, outline = marshal.loads(unseal_blob(blob))
    return unpacker(ModuleFacts)(packed), None if outline is None else Outline(*outline)


_BLOB_SUM = 8


def seal_blob(payload: bytes) -> bytes:
    """``payload`` behind its checksum: what ``unseal_blob`` accepts back."""
    return hashlib.blake2b(payload, digest_size=_BLOB_SUM).digest() + payload


def unseal_blob(blob: bytes) -> bytes:
    """The payload of a sealed blob; ValueError if any byte of it changed."""
    payload = blob[_BLOB_SUM:]
    if len(blob) <= _BLOB_SUM or blob[:_BLOB_SUM] != hashlib.blake2b(payload, digest_size=_BLOB_SUM).digest():
        raise ValueError("damaged cache entry")
    return payload


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


PACKS = "packs"
MERGE_AT = 4  # packs present when a run that read the whole project writes: merged into one
MERGE_ANY_AT = 32  # packs present when any other run writes: merged, keeping every entry


class Cache:
    """``get`` entries by key, ``put`` new ones, ``flush`` writes what was put as one pack."""

    def __init__(self, root: Path, enabled: bool = True) -> None:
        self.dir = root / CACHE_DIR / f"v{__version__}-{FORMAT}"
        self.enabled = enabled
        self._where: dict[str, tuple[str, int, int]] | None = None  # key -> (pack, offset, length)
        self._packs: list[str] = []  # the packs indexed, oldest first
        self._open: dict[str, object] = {}
        self.pending: dict[str, bytes] = {}
        self.used: set[str] = set()  # keys this run read or wrote

    def _index(self) -> dict[str, tuple[str, int, int]]:
        if self._where is None:
            self._where = {}
            try:
                names = sorted(n for n in os.listdir(self.dir / PACKS) if n.endswith(".pack"))
            except OSError:
                names = []
            for name in names:
                path = os.path.join(self.dir, PACKS, name)
                try:
                    with open(path, "rb") as fh:
                        line = fh.readline()
                        if not line.endswith(b"\n"):
                            continue
                        index = json.loads(unseal(line[:-1].decode("utf-8")))
                        base = fh.tell()
                    self._where.update((str(k), (path, base + int(v[0]), int(v[1]))) for k, v in index.items())
                    self._packs.append(path)
                except (OSError, ValueError, TypeError, AttributeError, IndexError, UnicodeDecodeError):
                    continue  # damaged or half-deleted: its files are scanned again
        return self._where

    def _read(self, k: str) -> bytes | None:
        where = self._index().get(k)
        if where is None:
            return None
        path, offset, length = where
        fh = self._open.get(path)
        if fh is None:
            fh = self._open[path] = open(path, "rb")
        fh.seek(offset)
        return fh.read(length)

    def has(self, k: str) -> bool:
        """Whether an entry with key ``k`` is indexed (``get`` may still find it damaged)."""
        return self.enabled and k in self._index()

    def get(self, k: str) -> tuple[ModuleFacts, Outline | None] | None:
        if not self.enabled:
            return None
        try:
            blob = self._read(k)
            if blob is None:
                return None
            hit = decode(blob)
        except (OSError, ValueError, TypeError, KeyError, AttributeError, IndexError, RecursionError, EOFError):
            return None
        self.used.add(k)
        return hit

    def get_blob(self, k: str) -> bytes | None:
        """The entry with key ``k`` as stored (``encode``d), if it is there and its seal holds."""
        if not self.enabled:
            return None
        try:
            blob = self._read(k)
            if blob is not None:
                unseal_blob(blob)
            return blob
        except (OSError, ValueError):
            return None

    def put(self, k: str, blob: bytes) -> None:
        """Keep the ``encode``d facts of the file with key ``k`` for the next ``flush``."""
        if self.enabled:
            self.pending[k] = blob
            self.used.add(k)

    def flush(self, complete: bool = False) -> None:
        """Write what was put as one pack. ``complete``: this run read every file of the project, so
        when packs pile up the merged pack keeps only the entries it used."""
        if not self.enabled or not self.pending:
            self.close()
            return
        self._index()
        entries = dict(self.pending)
        merged: list[str] = []
        if len(self._packs) >= (MERGE_AT if complete else MERGE_ANY_AT):
            for k in (self.used if complete else self._where):
                if k not in entries:
                    try:
                        blob = self._read(k)
                    except OSError:
                        blob = None
                    if blob is not None:
                        entries[k] = blob
            merged = self._packs
        self.close()
        try:
            self._write(entries)
        except OSError:
            return  # a read-only tree still gets analysed, just not cached
        self.pending.clear()
        for path in merged:
            try:
                os.unlink(path)
            except OSError:
                pass
        self._where, self._packs = None, []

    def _write(self, entries: dict[str, bytes]) -> None:
        folder = self.dir / PACKS
        folder.mkdir(parents=True, exist_ok=True)
        gitignore = self.dir.parent / ".gitignore"
        if not gitignore.exists():
            gitignore.write_text("*\n", encoding="utf-8")
        index, blobs, offset = {}, [], 0
        for k, blob in entries.items():
            index[k] = (offset, len(blob))
            blobs.append(blob)
            offset += len(blob)
        header = (seal(json.dumps(index, separators=(",", ":"))) + "\n").encode("utf-8")
        name = f"{time.time_ns():020d}-{os.getpid()}-{secrets.token_hex(4)}.pack"
        tmp = folder / f".tmp-{name}"
        try:
            with open(tmp, "xb") as fh:
                fh.write(header)
                fh.writelines(blobs)
            os.replace(tmp, folder / name)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

    def close(self) -> None:
        for fh in self._open.values():
            fh.close()
        self._open.clear()
