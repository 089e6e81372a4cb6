"""discover -> scan (parallel, cached) -> ModuleFacts for every file."""

from __future__ import annotations

import gc
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from sqlmig.cache import Cache, decode, encode, key
from sqlmig.discover import SourceFile
from sqlmig.ir import ModuleFacts
from sqlmig.scan import scan_source

PARALLEL_MIN_FILES = 48


_scanned = 0
COLLECT_EVERY = 256  # files between cyclic collections in a worker (ast.literal_eval leaves small cycles)


def _worker_start() -> None:
    # The cyclic collector doubles LibCST's parse time (each tree is hundreds of thousands of young
    # container objects); trees are acyclic, so workers collect only now and then.
    gc.disable()


def _scan_one(job: tuple[bytes, str, str, bool, str, str | None]) -> str:
    """Scan bytes the caller already read (for the cache key); store and return the encoded facts."""
    global _scanned
    data, relpath, module, is_package, cache_key, cache_root = job
    text = encode(scan_source(relpath, module, is_package, data))
    if cache_root is not None:
        Cache(Path(cache_root)).put(cache_key, text)
    _scanned += 1
    if _scanned % COLLECT_EVERY == 0:
        gc.collect()
    return text


def scan_files(
    files: list[SourceFile],
    root: Path,
    use_cache: bool = True,
    jobs: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> list[ModuleFacts]:
    """Facts for every file, in the order given. Cached files are not parsed again."""
    cache = Cache(root, enabled=use_cache)
    results: list[ModuleFacts | None] = [None] * len(files)
    todo: list[tuple[int, tuple]] = []
    for i, f in enumerate(files):
        try:
            with open(f.abspath, "rb") as fh:
                data = fh.read()
        except OSError as exc:
            results[i] = ModuleFacts(path=f.relpath, module=f.module,
                                     error=("SQM002", f"cannot read: {exc.strerror or exc}", 1, 0))
            continue
        k = key(f.relpath, f.module, f.is_package, data)
        hit = cache.get(k)
        if hit is not None:
            results[i] = hit
            continue
        todo.append((i, (data, f.relpath, f.module, f.is_package, k, str(root) if use_cache else None)))
    if progress:
        progress(len(files) - len(todo))
    workers = jobs if jobs is not None else (os.cpu_count() or 1)
    if workers > 1 and len(todo) >= PARALLEL_MIN_FILES:
        chunk = max(1, min(32, len(todo) // (workers * 4)))
        with ProcessPoolExecutor(max_workers=workers, initializer=_worker_start) as pool:
            for (i, _), text in zip(todo, pool.map(_scan_one, [job for _, job in todo], chunksize=chunk)):
                results[i] = decode(text)
                if progress:
                    progress(1)
    else:
        for i, (data, relpath, module, is_package, k, cache_root) in todo:
            facts = results[i] = scan_source(relpath, module, is_package, data)
            if cache_root is not None:
                cache.put(k, encode(facts))
            if progress:
                progress(1)
    return [r for r in results if r is not None]
