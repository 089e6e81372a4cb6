"""Which files to read: a walk with excludes, symlink-loop safe, and module names for each file."""

from __future__ import annotations

import fnmatch
import hashlib
import os
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DEFAULT_EXCLUDES = (
    ".git", ".hg", ".svn", ".venv", "venv", ".env", "env", ".tox", ".nox", "build", "dist",
    "node_modules", "__pycache__", "site-packages", ".mypy_cache", ".pytest_cache", ".ruff_cache",
    ".sqlmig_cache", "*.egg-info", ".eggs",
)


_DIGESTS: dict[int, tuple[tuple, str]] = {}


def alias_digest(aliases: tuple) -> str:
    """A short digest of a file's aliases (part of its cache key). The files of one part of the tree
    share one aliases tuple, which may name hundreds of packages: it is digested once, not per file."""
    hit = _DIGESTS.get(id(aliases))
    if hit is None or hit[0] is not aliases:
        hit = _DIGESTS[id(aliases)] = (aliases, hashlib.sha256(repr(aliases).encode()).hexdigest()[:20])
    return hit[1]


class DiscoveryError(Exception):
    """A path the user gave cannot be analysed (one line, exit 2)."""


@dataclass(frozen=True)
class SourceFile:
    abspath: str
    relpath: str  # relative to the analysed root, '/'-separated
    module: str
    is_package: bool
    # what this file's absolute imports mean in its part of the tree: (top-level name, the prefix
    # it gets); ("", prefix): the prefix of this file's own module (see ``_namespaced``)
    aliases: tuple[tuple[str, str], ...] = ()

    @property
    def naming(self) -> str:
        """What the file's scan depends on besides its bytes and path (part of its cache key)."""
        return f"{self.module}\0{self.is_package}\0{alias_digest(self.aliases) if self.aliases else ''}"


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


def _package_parts(directory: Path, cache: dict[Path, tuple[str, ...]], root: Path | None = None) -> tuple[str, ...]:
    """The dotted path of a folder: its name and its parents' while they are packages. Below
    ``root``, a folder without ``__init__.py`` inside a package is part of the name too: Python
    imports ``pkg/internal/db.py`` as ``pkg.internal.db`` (a namespace package in a package)."""
    parts = cache.get(directory)
    if parts is None:
        if root is not None and root in directory.parents:
            above = _package_parts(directory.parent, cache, root)
            parts = (*above, directory.name) if above or (directory / "__init__.py").is_file() else ()
        else:
            chain: list[str] = []
            d = directory
            while (d / "__init__.py").is_file() and d.parent != d:
                chain.append(d.name)
                d = d.parent
            parts = tuple(reversed(chain))
        cache[directory] = parts
    return parts


def _module_for(abspath: Path, cache: dict[Path, tuple[str, ...]], root: Path | None = None) -> tuple[str, bool]:
    """Walk up while the parent folder is a package (or, below ``root``, a folder in one; see
    ``_package_parts``): ``a/b/c.py`` -> ``a.b.c``."""
    parts = _package_parts(abspath.parent, cache, root)
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


PROJECT_MARKERS = ("pyproject.toml", "setup.py", "setup.cfg")


def default_src(paths: list[str]) -> tuple[Path, ...]:
    """The src roots when none are configured (ruff's default has ``src`` too): a ``src`` folder that
    is no package (no ``__init__.py``, or it is imported as ``src``) in the analysed folder, or the
    analysed folder itself or the nearest one above it so named when it sits beside a
    ``pyproject.toml``, ``setup.py`` or ``setup.cfg`` (a ``~/src`` of checkouts is not a project's)."""
    if not paths:
        return ()
    root = analysis_root(paths)
    found = []
    if (root / "src").is_dir():
        found.append(root / "src")
    above = next((d for d in (root, *root.parents) if d.name == "src"), None)
    if above is not None and any((above.parent / m).is_file() for m in PROJECT_MARKERS):
        found.append(above)
    return tuple(d for d in dict.fromkeys(found) if not (d / "__init__.py").is_file())


def source_file(path: Path, root: Path, src: tuple[Path, ...] = (),
                cache: dict[Path, tuple[str, ...]] | None = None) -> SourceFile:
    """How ``discover`` names one file below ``root`` (before names that clash are made unique)."""
    try:
        rel = path.relative_to(root).as_posix()
    except ValueError:
        rel = path.name
    module, is_package = _module_in_src(path, src) or _module_for(path, {} if cache is None else cache, root)
    return SourceFile(str(path), rel, module, is_package)


def discover(paths: list[str], exclude: tuple[str, ...] = (), use_defaults: bool = True,
             src: tuple[Path, ...] = (), many: tuple[int, Callable[[], None]] | None = None,
             ) -> tuple[Path, list[SourceFile]]:
    """Every ``.py`` file under ``paths`` (sorted, unique), with the root paths are relative to.

    ``src`` roots name modules by their path below the root (namespace packages work); files
    elsewhere are named by walking up through ``__init__.py`` folders. ``many``: ``(count, call)``,
    ``call()`` once as soon as ``count`` files are found (the scan's workers start meanwhile).
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
        if many is not None and len(found) >= many[0]:
            many[1]()
            many = None
        top = Path(given).resolve()
        if top.is_file():
            add(top)
            continue
        if src:  # modules named by their place below a src root: the general path, per file
            for full in _walk(top, root, patterns, cache):
                add(Path(full))
            continue
        for full, rel, name, parts in _walk_named(top, root, patterns, cache):
            if rel in found or (exclude and _excluded(rel, name, tuple(exclude))):
                continue
            if many is not None and len(found) >= many[0]:
                many[1]()
                many = None
            stem = name[:-3]
            if stem == "__init__":
                found[rel] = SourceFile(full, rel, ".".join(parts), True)
            else:
                found[rel] = SourceFile(full, rel, ".".join((*parts, stem)), False)
    if many is not None and len(found) >= many[0]:
        many[1]()
    return root, _unique_modules(_namespaced([found[k] for k in sorted(found)]))


def _walk(top: Path, root: Path, patterns: tuple[str, ...], cache: dict[Path, tuple[str, ...]]):
    """The ``.py`` files below ``top`` as absolute paths (see ``_walk_named``)."""
    for full, _rel, _name, _parts in _walk_named(top, root, patterns, cache):
        yield full


def _walk_named(top: Path, root: Path, patterns: tuple[str, ...], cache: dict[Path, tuple[str, ...]]):
    """``(abspath, relpath, name, package parts of its folder)`` for every ``.py`` file below ``top``.

    One ``scandir`` per folder: the kind of each entry comes with the listing (no ``stat`` per file,
    which made up most of discovery's time), and whether a folder is a package is read off its own
    listing. Symlinked folders are not entered, dangling symlinks are skipped, and a folder reached
    twice (a bind mount) is walked once.
    """
    seen: set[tuple[int, int]] = set()
    stack: list[tuple[str, str, tuple[str, ...] | None]] = [(str(top), "" if top == root else
                                                             top.relative_to(root).as_posix(), None)]
    while stack:
        dirpath, rel_dir, parent_parts = stack.pop()
        try:
            st = os.stat(dirpath)
            with os.scandir(dirpath) as it:
                entries = list(it)
        except OSError:
            continue
        if (st.st_dev, st.st_ino) in seen:
            continue
        seen.add((st.st_dev, st.st_ino))
        files, dirs, package = [], [], False
        for entry in entries:
            name = entry.name
            try:
                is_dir = entry.is_dir()
            except OSError:
                continue
            if is_dir:
                if not entry.is_symlink() and not _excluded(f"{rel_dir}/{name}".lstrip("/"), name, patterns):
                    dirs.append(name)
            elif name.endswith(".py"):
                if entry.is_symlink() and not os.path.exists(entry.path):
                    continue
                files.append(name)
                if name == "__init__.py" and entry.is_file():
                    package = True
        if parent_parts is None:  # the top folder: walk up through its parents
            parts = _package_parts(Path(dirpath), cache, root)
        else:
            # a folder without __init__.py in a package is a namespace package in it (see _package_parts)
            parts = (*parent_parts, os.path.basename(dirpath)) if package or parent_parts else ()
            cache[Path(dirpath)] = parts
        for name in sorted(files):
            yield os.path.join(dirpath, name), f"{rel_dir}/{name}" if rel_dir else name, name, parts
        for name in sorted(dirs, reverse=True):
            stack.append((os.path.join(dirpath, name), f"{rel_dir}/{name}" if rel_dir else name, parts))


def _import_root(f: SourceFile) -> tuple[tuple[str, ...], str] | None:
    """Where a file's module is imported from: ``(folders, package)``. For ``services/orders/app/
    models.py`` named ``app.models``: the folders ``services/orders`` and no package. For a file
    of an analysed folder that is a package itself (``app/db.py`` named ``proj.app.db``): no
    folders and the package ``proj``. None where path and name disagree."""
    if not f.module:
        return None
    folders = f.relpath.split("/")[:-1]
    parts = f.module.split(".")
    inside = parts if f.is_package else parts[:-1]
    if len(inside) <= len(folders):
        if inside and folders[len(folders) - len(inside):] != inside:
            return None
        return tuple(folders[:len(folders) - len(inside)]), ""
    above = len(inside) - len(folders)
    if inside[above:] != folders or above >= len(parts):
        return None
    return (), ".".join(parts[:above])


def _dotted(folders: tuple[str, ...]) -> str:
    return ".".join(p.replace("-", "_").replace(" ", "_").replace(".", "_") for p in folders)


def _library(name: str) -> bool:
    """A standard-library module or a library sqlmig knows: a project's folder of that name is never
    what an absolute import of it means."""
    from sqlmig.libraries import is_library

    return name in sys.stdlib_module_names or is_library(name)


def _namespaced(files: list[SourceFile]) -> list[SourceFile]:
    """Names for the absolute imports Python resolves against the folder code runs from.

    A monorepo of services that each have an ``app`` package (or a flat ``models.py``) imports
    ``app.models`` in each service, meaning that service's own. An import root (the folder a file's
    top-level package or module sits in) that shares a top-level name with another root has its
    path put in front of its modules' names (``services.orders.app.models``). An analysed folder
    that is a package itself (``proj/__init__.py``) names its modules ``proj.app.models``, while its
    code, run from that folder, may import ``app.models``. Every file gets the aliases its absolute
    imports are read with (``SourceFile.aliases``): a top-level name means the nearest root up the
    tree that has it; the empty name gives the prefix of the file's own module, which is not part
    of the name it is imported by. Standard-library names and libraries sqlmig knows are never aliased."""
    roots = [_import_root(f) for f in files]
    providers: dict[str, set[tuple[str, ...]]] = {}
    packaged: dict[str, str] = {}  # a top-level name below the analysed package -> that package
    for f, where in zip(files, roots):
        if where is None:
            continue
        folders, package = where
        if not package:
            providers.setdefault(f.module.split(".", 1)[0], set()).add(folders)
        elif "." not in f.module[len(package) + 1:]:
            # a module, or a package by its __init__.py: what an import finds (a folder without one, a
            # namespace package, never shadows an installed package of its name)
            packaged.setdefault(f.module[len(package) + 1:], package)
    contested = {top for top, at in providers.items() if len(at) > 1}
    packaged = {top: pkg for top, pkg in packaged.items() if top not in providers and not _library(top)}
    if not contested and not packaged:
        return files
    prefixed = {folders for top in contested for folders in providers[top] if folders}
    names = sorted(top for top, at in providers.items() if at & prefixed and not _library(top))
    memo: dict[tuple[str, ...], tuple[tuple[str, str], ...]] = {}

    def aliases(folders: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
        hit = memo.get(folders)
        if hit is None:
            out = dict(packaged)
            if folders in prefixed:
                out[""] = _dotted(folders)
            for top in names:
                at = providers[top]
                mine = next((folders[:n] for n in range(len(folders), -1, -1) if folders[:n] in at), None)
                if mine:  # None: not this part of the tree's; (): the unprefixed root of the tree
                    out[top] = _dotted(mine)
            hit = memo[folders] = tuple(sorted(out.items()))
        return hit

    out = []
    for f, where in zip(files, roots):
        if where is None:
            out.append(f)
            continue
        folders, _ = where
        module = f"{_dotted(folders)}.{f.module}" if folders in prefixed else f.module
        out.append(SourceFile(f.abspath, f.relpath, module, f.is_package, aliases(folders)))
    return out


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
            f = SourceFile(f.abspath, f.relpath, name, f.is_package, f.aliases)
        out.append(f)
    return out
