"""Which files to read: a walk with excludes, symlink-loop safe, and module names for each file."""

from __future__ import annotations

import fnmatch
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DEFAULT_EXCLUDES = (
    ".git", ".hg", ".svn", ".venv", "venv", ".env", "env", ".tox", ".nox", "build", "dist",
    "node_modules", "__pycache__", "site-packages", ".mypy_cache", ".pytest_cache", ".ruff_cache",
    ".sqlmig_cache", "*.egg-info", ".eggs",
)


class DiscoveryError(Exception):
    """A path the user gave cannot be analysed (one line, exit 2)."""


@dataclass(frozen=True)
class SourceFile:
    abspath: str
    relpath: str  # relative to the analysed root, '/'-separated
    module: str
    is_package: bool


@lru_cache(maxsize=64)
def _matcher(patterns: tuple[str, ...]):
    """One compiled regex for all patterns: a name or path matches ``pat``, or a path is under it."""
    if not patterns:
        return None
    alternatives = []
    for pat in patterns:
        alternatives.append(fnmatch.translate(pat))
        alternatives.append(fnmatch.translate(pat.rstrip("/") + "/*"))
    return re.compile("|".join(f"(?:{a})" for a in alternatives)).match


def _excluded(rel: str, name: str, patterns: tuple[str, ...]) -> bool:
    match = _matcher(patterns)
    return match is not None and (match(name) is not None or match(rel) is not None)


def _package_parts(directory: Path, cache: dict[Path, tuple[str, ...]]) -> tuple[str, ...]:
    """The dotted path of a folder: its name and its parents' while they are packages."""
    parts = cache.get(directory)
    if parts is None:
        chain: list[str] = []
        d = directory
        while (d / "__init__.py").is_file() and d.parent != d:
            chain.append(d.name)
            d = d.parent
        parts = cache[directory] = tuple(reversed(chain))
    return parts


def _module_for(abspath: Path, cache: dict[Path, tuple[str, ...]]) -> tuple[str, bool]:
    """Walk up while the parent folder is a package: ``a/b/c.py`` -> ``a.b.c``."""
    parts = _package_parts(abspath.parent, cache)
    stem = abspath.stem
    if stem == "__init__":
        return ".".join(parts), True
    return ".".join((*parts, stem)), False


def _module_in_src(path: Path, src: tuple[Path, ...]) -> tuple[str, bool] | None:
    for base in src:
        try:
            rel = path.relative_to(base)
        except ValueError:
            continue
        parts = list(rel.with_suffix("").parts)
        if parts[-1] == "__init__":
            return ".".join(parts[:-1]), True
        return ".".join(parts), False
    return None


def analysis_root(paths: list[str]) -> Path:
    resolved = [Path(p).resolve() for p in paths]
    if len(resolved) == 1:
        return resolved[0] if resolved[0].is_dir() else resolved[0].parent
    common = Path(os.path.commonpath([str(p) for p in resolved]))
    return common if common.is_dir() else common.parent


def source_file(path: Path, root: Path, src: tuple[Path, ...] = (),
                cache: dict[Path, tuple[str, ...]] | None = None) -> SourceFile:
    """How ``discover`` names one file below ``root`` (before names that clash are made unique)."""
    try:
        rel = path.relative_to(root).as_posix()
    except ValueError:
        rel = path.name
    module, is_package = _module_in_src(path, src) or _module_for(path, {} if cache is None else cache)
    return SourceFile(str(path), rel, module, is_package)


def discover(paths: list[str], exclude: tuple[str, ...] = (), use_defaults: bool = True,
             src: tuple[Path, ...] = ()) -> tuple[Path, list[SourceFile]]:
    """Every ``.py`` file under ``paths`` (sorted, unique), with the root paths are relative to.

    ``src`` roots name modules by their path below the root (namespace packages work); files
    elsewhere are named by walking up through ``__init__.py`` folders.
    """
    for p in paths:
        if not os.path.exists(p):
            raise DiscoveryError(f"path does not exist: {p}")
    root = analysis_root(paths)
    patterns = (DEFAULT_EXCLUDES if use_defaults else ()) + tuple(exclude)
    found: dict[str, SourceFile] = {}
    cache: dict[Path, tuple[str, ...]] = {}

    def add(path: Path) -> None:
        f = source_file(path, root, src, cache)
        if f.relpath in found or (exclude and _excluded(f.relpath, path.name, tuple(exclude))):
            return
        found[f.relpath] = f

    for given in paths:
        top = Path(given).resolve()
        if top.is_file():
            add(top)
            continue
        seen_dirs: set[tuple[int, int]] = set()
        for dirpath, dirnames, filenames in os.walk(top, followlinks=False):
            try:
                st = os.stat(dirpath)
                key = (st.st_dev, st.st_ino)
            except OSError:
                continue
            if key in seen_dirs:
                dirnames[:] = []
                continue
            seen_dirs.add(key)
            base = Path(dirpath)
            rel_dir = base.relative_to(root).as_posix() if base != root else ""
            dirnames[:] = sorted(
                d for d in dirnames
                if not _excluded(f"{rel_dir}/{d}".lstrip("/"), d, patterns)
                and not os.path.islink(os.path.join(dirpath, d))
            )
            parts = None  # the folder's package path, looked up for its first file
            for name in sorted(filenames):
                if not name.endswith(".py"):
                    continue
                full = os.path.join(dirpath, name)
                if os.path.islink(full) and not os.path.exists(full):
                    continue
                if src:
                    add(Path(full))
                    continue
                # the common case in plain strings: pathlib per file was most of discovery's time
                rel = f"{rel_dir}/{name}" if rel_dir else name
                if rel in found or (exclude and _excluded(rel, name, tuple(exclude))):
                    continue
                if parts is None:
                    parts = _package_parts(base, cache)
                stem = name[:-3]
                if stem == "__init__":
                    found[rel] = SourceFile(full, rel, ".".join(parts), True)
                else:
                    found[rel] = SourceFile(full, rel, ".".join((*parts, stem)), False)
    return root, _unique_modules([found[k] for k in sorted(found)])


def _unique_modules(files: list[SourceFile]) -> list[SourceFile]:
    """Two files that would get the same module name (``svc_a/models.py`` and ``svc_b/models.py``
    outside any package, several ``tests/conftest.py``) are named by their path instead, so neither
    hides the other's classes."""
    seen: dict[str, int] = {}
    for f in files:
        seen[f.module] = seen.get(f.module, 0) + 1
    out = []
    for f in files:
        if seen[f.module] > 1:
            parts = f.relpath[:-3].split("/") if f.relpath.endswith(".py") else f.relpath.split("/")
            if parts[-1] == "__init__":
                parts = parts[:-1]
            name = ".".join(p.replace("-", "_").replace(" ", "_").replace(".", "_") for p in parts)
            f = SourceFile(f.abspath, f.relpath, name, f.is_package)
        out.append(f)
    return out
