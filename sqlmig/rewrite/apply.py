"""From a plan to new file contents, a patch, or safely written files."""

from __future__ import annotations

import difflib
import os
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from sqlmig.analyze import Result
from sqlmig.pyversion import Version, declared_floor
from sqlmig.rewrite.codemod import apply_edit
from sqlmig.rewrite.errors import RewriteError
from sqlmig.rewrite.plan import Plan, Planner
from sqlmig.rewrite.queries import rewrite_queries


@dataclass
class Change:
    path: str  # relative to the project root, ``/``-separated
    before: bytes
    after: bytes


@dataclass
class Outcome:
    plan: Plan
    changes: list[Change] = field(default_factory=list)


def compute(root: Path, result: Result, only: list[str] | None = None, queries: bool = False,
            target: Version | None = None) -> Outcome:
    """The rewrite of the analysed project at ``root``. ``target``: the oldest Python it runs on
    (``[tool.sqlmig] target-version``); None: the floor its packaging declares, else what its code shows."""
    plan = Planner(result, only, target or declared_floor(root)).plan()
    out = Outcome(plan)
    paths = set(plan.files)
    tables: set[str] = set()
    by_path = {m.path: m.module for m in result.modules}
    if queries:
        tables = {m.qualname for m in plan.models if m.status in ("migrate", "sqlmodel")}
        for facts in result.modules:
            if facts.error is None and any(
                    c.name in ("execute", "scalars", "sessionmaker", "async_sessionmaker") for c in facts.calls):
                paths.add(facts.path)
    for path in sorted(paths):
        source = (root / path).read_bytes()
        new = source
        try:
            if path in plan.files:
                new = apply_edit(new, plan.files[path], plan.first_party)
            if queries and tables:
                new = rewrite_queries(new, by_path[path], plan.index, tables, plan.first_party,
                                      sessions_only=_is_test(path))
        except RewriteError:
            raise
        except Exception as exc:  # LibCST could not express an edit: never write a guess
            raise RewriteError(f"{path}: {exc.__class__.__name__}: {exc}") from exc
        if new != source:
            out.changes.append(Change(path, source, new))
    return out


def _is_test(path: str) -> bool:
    """Test code keeps its queries (only its session factories switch, like the application's): the
    project's own assertions then run unchanged against the result."""
    parts = path.split("/")
    name = parts[-1]
    return any(p in ("tests", "test") for p in parts[:-1]) or name.startswith("test_") or name == "conftest.py"


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def unified_diff(changes: list[Change], prefix: str = "") -> str:
    """A ``diff -u`` patch with ``a/`` and ``b/`` paths, applicable with ``git apply`` / ``patch -p1``."""
    out: list[str] = []
    for ch in changes:
        a = _decode(ch.before).splitlines(keepends=True)
        b = _decode(ch.after).splitlines(keepends=True)
        name = prefix + ch.path
        new_file = not ch.before
        lines = list(difflib.unified_diff(a, b, "/dev/null" if new_file else f"a/{name}", f"b/{name}", n=3))
        if not lines:
            continue
        out.append(f"diff --git a/{name} b/{name}\n")
        if new_file:
            out.append("new file mode 100644\n")
        for line in lines:
            if line.startswith(("---", "+++")):
                out.append(line.rstrip("\n") + "\n")
                continue
            if line.endswith("\n"):
                out.append(line)
            else:  # last line without a newline
                out.append(line + "\n\\ No newline at end of file\n")
    return "".join(out)


def dirty_files(root: Path, paths: list[str]) -> list[str] | None:
    """Files among ``paths`` with uncommitted changes (untracked included); None outside a git work tree."""
    try:
        top = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=root, capture_output=True, text=True,
                             timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    if top.returncode != 0:
        return None
    status = subprocess.run(["git", "status", "--porcelain", "-z", "--untracked-files=all", "--", *paths],
                            cwd=root, capture_output=True, timeout=60)
    if status.returncode != 0:
        return None
    toplevel = Path(top.stdout.strip()).resolve()
    dirty = []
    for entry in status.stdout.decode("utf-8", "surrogateescape").split("\0"):
        if len(entry) > 3:
            p = (toplevel / entry[3:]).resolve()
            try:
                dirty.append(p.relative_to(root.resolve()).as_posix())
            except ValueError:
                dirty.append(entry[3:])
    return sorted(set(dirty) & set(paths))


@dataclass
class WriteReport:
    written: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)


def write_all(root: Path, changes: list[Change]) -> WriteReport:
    """All files or none: every new content is staged in a temporary file next to its target first, then
    the temporaries are renamed over the targets. A failure while staging changes nothing; a failed rename
    puts back the files already replaced."""
    report = WriteReport()
    staged: list[tuple[Change, Path, str]] = []
    created: list[Path] = []
    try:
        for ch in changes:
            target = root / ch.path
            try:
                if not target.exists() and not ch.before:  # a new file
                    umask = os.umask(0)
                    os.umask(umask)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(b"")  # claims the name; removed again if anything fails
                    os.chmod(target, 0o666 & ~umask)
                    created.append(target)
                mode = target.stat().st_mode & 0o7777
                fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".sqlmig")
                staged.append((ch, target, tmp))
                with os.fdopen(fd, "wb") as fh:
                    fh.write(ch.after)
                    fh.flush()
                    os.fsync(fh.fileno())
                os.chmod(tmp, mode)
                if not os.access(target, os.W_OK):
                    raise PermissionError(f"{ch.path} is read-only")
            except OSError as exc:
                report.failed.append((ch.path, exc.strerror or str(exc)))
                raise
        done: list[tuple[Change, Path]] = []
        for ch, target, tmp in staged:
            try:
                os.replace(tmp, target)
            except OSError as exc:
                report.failed.append((ch.path, exc.strerror or str(exc)))
                for old, old_target in reversed(done):
                    _restore(old_target, old.before)
                raise
            done.append((ch, target))
        report.written = [ch.path for ch, _ in done]
    except OSError:
        failed = {p for p, _ in report.failed}
        report.failed += [(ch.path, "not written: another file failed") for ch in changes if ch.path not in failed]
        report.written = []
        for path in created:
            path.unlink(missing_ok=True)
    finally:
        for _, _, tmp in staged:
            Path(tmp).unlink(missing_ok=True)
    return report


def _restore(target: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".sqlmig")
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.replace(tmp, target)
