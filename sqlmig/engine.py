"""discover -> scan (parallel, cached) -> ModuleFacts for every file."""

from __future__ import annotations

import gc
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlmig.cache import Cache, decode, encode, key
from sqlmig.discover import SourceFile
from sqlmig.ir import ModuleFacts
from sqlmig.spare import Spare

PARALLEL_MIN_FILES = 48


_scanned = 0
COLLECT_EVERY = 256  # files between cyclic collections in a worker (ast.literal_eval leaves small cycles)


_cache: Cache | None = None  # a worker's own view of the cache (``_read_and_scan``)


def _worker_start(root: str, use_cache: bool) -> None:
    # The cyclic collector doubles LibCST's parse time (each tree is hundreds of thousands of young
    # container objects); trees are acyclic, so workers collect only now and then.
    global _cache
    gc.disable()
    _cache = Cache(Path(root), enabled=use_cache)
    from sqlmig.scan.module import ModuleScanner  # LibCST: once per worker (the parent needs none of it)
    from sqlmig.scan.parse import fast_constructors
    from sqlmig.scan.positions import keep_fast_leaves

    keep_fast_leaves(ModuleScanner)
    fast_constructors()


def _scanned_blob(relpath: str, module: str, is_package: bool, data: bytes, aliases: tuple = ()) -> bytes:
    """Scan one file's bytes in a worker and encode the facts; collect cycles now and then."""
    global _scanned
    from sqlmig.scan import scan_source  # loaded by ``_worker_start``

    blob = encode(scan_source(relpath, module, is_package, data, aliases))
    _scanned += 1
    if _scanned % COLLECT_EVERY == 0:
        gc.collect()
    return blob


def _scan_one(job: tuple[bytes, str, str, bool, tuple]) -> bytes:
    """Scan bytes the caller already read (for the cache key); return the encoded facts, which the
    caller decodes and stores."""
    data, relpath, module, is_package, aliases = job
    return _scanned_blob(relpath, module, is_package, data, aliases)


def _read_and_scan(job: tuple[str, str, str, bool, tuple]) -> tuple:
    """Read, key and scan one file in a worker: ``(key, mtime_ns, size, error, blob, cached)``, where
    ``blob`` is the encoded facts, from the cache when ``cached``. The parent reads nothing itself."""
    abspath, relpath, module, is_package, aliases = job
    try:
        st = os.stat(abspath)
        with open(abspath, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        return None, 0, 0, f"cannot read: {exc.strerror or exc}", None, False
    k = key(relpath, module, is_package, data, aliases)
    blob = _cache.get_blob(k) if _cache is not None else None
    if blob is not None:
        return k, st.st_mtime_ns, st.st_size, None, blob, True
    return k, st.st_mtime_ns, st.st_size, None, _scanned_blob(relpath, module, is_package, data, aliases), False


def worker_count(jobs: int | None) -> int:
    """Scan processes for ``--jobs`` (default: one per core)."""
    return jobs if jobs is not None else (os.cpu_count() or 1)


@dataclass
class Ident:
    """What a file is right now: its cache key (content hash), or why it cannot be read."""

    key: str | None
    mtime_ns: int = 0
    size: int = 0
    data: bytes | None = None  # kept when the file was read to compute the key
    error: str | None = None


RACY_NS = 2_000_000_000  # a file changed this close to the last run is hashed again (as git does)


def identify(files: list[SourceFile], known: dict[str, tuple[str, int, int, str]] | None = None,
             known_at_ns: int = 0) -> list[Ident]:
    """The key of every file. A file whose size and mtime equal those the last run recorded
    (``known``: relpath -> (key, mtime_ns, size, naming), written at ``known_at_ns``) keeps its key
    unread, unless it was modified within two seconds of that run or is named otherwise now (a new
    ``__init__.py`` above it, say)."""
    out = []
    for f in files:
        try:
            st = os.stat(f.abspath)
        except OSError as exc:
            out.append(Ident(None, error=f"cannot read: {exc.strerror or exc}"))
            continue
        prior = known.get(f.relpath) if known else None
        if prior is not None and prior[1] == st.st_mtime_ns and prior[2] == st.st_size \
                and st.st_mtime_ns + RACY_NS < known_at_ns and prior[3] == f.naming:
            out.append(Ident(prior[0], st.st_mtime_ns, st.st_size))
            continue
        try:
            with open(f.abspath, "rb") as fh:
                data = fh.read()
        except OSError as exc:
            out.append(Ident(None, error=f"cannot read: {exc.strerror or exc}"))
            continue
        out.append(Ident(key(f.relpath, f.module, f.is_package, data, f.aliases), st.st_mtime_ns, st.st_size, data))
    return out


def _ready() -> None:
    return None


class Workers:
    """Scan workers started ahead of the scan: they import LibCST (a third of a second) while the
    parent is still discovering the files. ``close`` when done, on every path."""

    def __init__(self, root: Path, use_cache: bool, jobs: int | None) -> None:
        from concurrent.futures import ProcessPoolExecutor

        self.root, self.use_cache = root, use_cache
        self.count = worker_count(jobs)
        self.pool = ProcessPoolExecutor(max_workers=self.count, initializer=_worker_start,
                                        initargs=(str(root), use_cache))
        self.pool.submit(_ready)  # the first job starts every worker (fork starts them all at once)

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


def read_and_scan(
    files: list[SourceFile],
    root: Path,
    use_cache: bool = True,
    jobs: int | None = None,
    progress: Callable[[int], None] | None = None,
    outlines: dict | None = None,
    complete: bool = False,
    workers: Workers | None = None,
    spare: Spare | None = None,
) -> tuple[list[Ident], list[ModuleFacts]]:
    """``identify`` and ``scan_files`` of files nothing is known about (no state of a last run): the
    workers read, key and look up each file themselves, so the reading and hashing run on every
    core and no file's bytes travel to a worker. Small projects, and ``jobs=1``, run in process, or
    in ``spare`` if one is given (the caller closes it). ``workers``: a pool started earlier for
    this root and cache setting (the caller closes it)."""
    count = worker_count(jobs)
    if count <= 1 or len(files) < PARALLEL_MIN_FILES:
        idents = identify(files)
        return idents, scan_files(files, root, use_cache=use_cache, jobs=jobs, progress=progress, idents=idents,
                                  outlines=outlines, complete=complete, spare=spare)
    if workers is None or workers.root != root or workers.use_cache != use_cache:
        own = workers = Workers(root, use_cache, count)
    else:
        own = None
    try:
        return _read_and_scan_all(files, root, use_cache, workers, progress, outlines, complete)
    finally:
        if own is not None:
            own.close()


def _read_and_scan_all(files: list[SourceFile], root: Path, use_cache: bool, workers: Workers,
                       progress: Callable[[int], None] | None, outlines: dict | None,
                       complete: bool) -> tuple[list[Ident], list[ModuleFacts]]:
    cache = Cache(root, enabled=use_cache)
    idents: list[Ident] = []
    results: list[ModuleFacts] = []
    again: list[int] = []  # cached entries the parent could not decode: scanned once more below
    chunk = max(1, min(32, len(files) // (workers.count * 4)))
    jobs = [(f.abspath, f.relpath, f.module, f.is_package, f.aliases) for f in files]
    for f, (k, mtime, size, error, blob, cached) in zip(files, workers.pool.map(_read_and_scan, jobs,
                                                                                 chunksize=chunk)):
        if k is None:
            idents.append(Ident(None, error=error))
            results.append(ModuleFacts(path=f.relpath, module=f.module, error=("SQM002", error or "", 1, 0)))
        else:
            idents.append(Ident(k, mtime, size))
            try:
                facts, shape = decode(blob)
            except (ValueError, TypeError, KeyError, AttributeError, IndexError, RecursionError, EOFError):
                again.append(len(results))
                facts, shape = ModuleFacts(path=f.relpath, module=f.module), None
            else:
                if cached:
                    cache.used.add(k)
                else:
                    cache.put(k, blob)
            results.append(facts)
            if outlines is not None and shape is not None:
                outlines[f.relpath] = shape
        if progress:
            progress(1)
    if again:  # their cache entries are damaged: ``Cache.get`` finds so too, scans them and stores anew
        fresh = [Ident(idents[i].key, idents[i].mtime_ns, idents[i].size) for i in again]
        redo = scan_files([files[i] for i in again], root, use_cache=use_cache, jobs=1, outlines=outlines,
                          idents=fresh)
        for i, ident, facts in zip(again, fresh, redo):
            results[i], idents[i] = facts, ident  # the key as the file was read again
            cache.used.add(ident.key or "")  # kept when this run's flush merges the packs
    cache.flush(complete)
    return idents, results


def scan_files(
    files: list[SourceFile],
    root: Path,
    use_cache: bool = True,
    jobs: int | None = None,
    progress: Callable[[int], None] | None = None,
    idents: list[Ident] | None = None,
    outlines: dict | None = None,
    complete: bool = False,
    spare: Spare | None = None,
) -> list[ModuleFacts]:
    """Facts for every file, in the order given. Cached files are not parsed again. ``outlines``,
    if given, receives each readable module's outline (``cone.outline``) by path. ``complete``:
    ``files`` is the whole project (the cache may then drop entries no file uses any more).
    ``spare``: a ``Spare`` scanner for the few files to scan, if that is all there is (the caller
    closes it)."""
    if idents is None:
        return read_and_scan(files, root, use_cache=use_cache, jobs=jobs, progress=progress, outlines=outlines,
                             complete=complete)[1]
    cache = Cache(root, enabled=use_cache)
    results: list[ModuleFacts | None] = [None] * len(files)
    todo: list[tuple[int, tuple, str]] = []
    cached: list[int] = []  # files the cache has an entry for: decoded once the spare has its jobs
    for i, (f, ident) in enumerate(zip(files, idents)):
        if ident.key is None:
            results[i] = ModuleFacts(path=f.relpath, module=f.module, error=("SQM002", ident.error or "", 1, 0))
        elif cache.has(ident.key):
            cached.append(i)
        else:
            _to_scan(f, ident, i, todo, results)
    sent = len(todo) if todo and spare is not None and len(todo) < PARALLEL_MIN_FILES and spare.submit(
        [(files[i].abspath, *job[1:]) for i, job, _ in todo]) else 0
    for i in cached:
        f, ident = files[i], idents[i]
        hit = cache.get(ident.key)
        if hit is None:  # damaged after all: scanned here
            _to_scan(f, ident, i, todo, results)
            continue
        ident.data = None  # the bytes were only needed for the key
        results[i] = hit[0]
        if outlines is not None and hit[1] is not None:
            outlines[f.relpath] = hit[1]
    if sent:  # the first ``sent`` of ``todo`` (damaged cache entries may have joined it since)
        answers = spare.results(sent) or [None] * sent
        left = todo[sent:]
        for (i, job, k), answer in zip(todo[:sent], answers):
            try:
                if answer is None or answer[0] != k:  # no answer, or the file changed since it was keyed
                    raise ValueError(job[1])
                results[i], shape = decode(answer[1])
            except (ValueError, TypeError, KeyError, AttributeError, IndexError, RecursionError, EOFError):
                left.append((i, job, k))
                continue
            cache.put(k, answer[1])
            if outlines is not None and shape is not None:
                outlines[job[1]] = shape
        todo = left
    if progress:
        progress(len(files) - len(todo))
    if not todo:
        cache.flush(complete)
        return [r for r in results if r is not None]
    from sqlmig.cone import outline
    from sqlmig.scan import scan_source  # LibCST: imported only when something is parsed, before any fork

    count = worker_count(jobs)
    if count > 1 and len(todo) >= PARALLEL_MIN_FILES:
        chunk = max(1, min(32, len(todo) // (count * 4)))
        workers = Workers(root, False, count)  # the bytes come with each job: no cache to look in
        try:
            for (i, job, k), blob in zip(todo, workers.pool.map(_scan_one, [job for _, job, _ in todo],
                                                                chunksize=chunk)):
                results[i], shape = decode(blob)
                cache.put(k, blob)
                if outlines is not None and shape is not None:
                    outlines[job[1]] = shape
                if progress:
                    progress(1)
        finally:
            workers.close()
    else:
        for i, (data, relpath, module, is_package, aliases), k in todo:
            facts = results[i] = scan_source(relpath, module, is_package, data, aliases)
            shape = outline(facts) if facts.error is None else None
            if use_cache:
                cache.put(k, encode(facts, shape))
            if outlines is not None and shape is not None:
                outlines[relpath] = shape
            if progress:
                progress(1)
    cache.flush(complete)
    return [r for r in results if r is not None]


def _to_scan(f: SourceFile, ident: Ident, i: int, todo: list, results: list) -> None:
    """Queue file ``i`` for scanning, reading it if only its stat is known (``results[i]`` gets the
    error if it cannot be read)."""
    data = ident.data
    if data is None:  # known by its stat but not in the cache (or the cache is off): read it now
        try:
            with open(f.abspath, "rb") as fh:
                data = fh.read()
        except OSError as exc:
            results[i] = ModuleFacts(path=f.relpath, module=f.module,
                                     error=("SQM002", f"cannot read: {exc.strerror or exc}", 1, 0))
            return
        ident.key = key(f.relpath, f.module, f.is_package, data, f.aliases)  # the file may differ from its stat
    todo.append((i, (data, f.relpath, f.module, f.is_package, f.aliases), ident.key))
