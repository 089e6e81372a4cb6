"""``sqlmig verify``: prove that the working tree declares the same database schema as a git revision.

The only command that imports user code: the revision (checked out to a temporary git worktree) and
the working tree are each imported in their own subprocess. Their tables are compiled to DDL per
dialect and compared, and Alembic's ``compare_metadata`` runs the new metadata against a real database
in which the original schema was created.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from sqlmig.migration.compare import (
    ImportFailed,
    compare_database,
    compare_ddl,
    create_schema,
    run_snapshot,
    snapshot,
)


class VerifyError(Exception):
    pass


@dataclass
class Verification:
    rev: str
    dialects: tuple[str, ...]
    database: str
    differences: list[str] = field(default_factory=list)
    info: list[str] = field(default_factory=list)
    operations: dict | None = None  # with render=True and differences: Alembic's code for them

    @property
    def unchanged(self) -> bool:
        return not self.differences

    def to_json(self) -> dict:
        return {"unchanged": self.unchanged, "rev": self.rev, "dialects": list(self.dialects),
                "database": self.database, "differences": self.differences, "info": self.info}


def _git(cwd: Path, *args: str) -> str:
    proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, timeout=120)
    if proc.returncode != 0:
        raise VerifyError(f"git {' '.join(args[:2])}: {(proc.stderr.strip().splitlines() or ['failed'])[-1]}")
    return proc.stdout.strip()


def _hide_password(url: str) -> str:
    head, sep, tail = url.partition("://")
    if sep and "@" in tail:
        cred, _, host = tail.rpartition("@")
        if ":" in cred:
            cred = cred.split(":", 1)[0] + ":***"
        return f"{head}://{cred}@{host}"
    return url


def alembic_line(diff) -> str:
    """One Alembic autogenerate difference as a readable line with table, column and both sides."""
    if isinstance(diff, list) and diff and isinstance(diff[0], list):
        return "; ".join(alembic_line(d) for d in diff)
    kind = diff[0] if isinstance(diff, list) and diff else str(diff)
    if kind.startswith("modify_") and len(diff) >= 7:
        _, schema, table, column, _, old, new = diff[:7]
        what = kind[len("modify_"):].replace("_", " ")
        return f"table {table} column {column}: {what} {old} -> {new}"
    if kind in ("add_column", "remove_column") and len(diff) >= 4:
        return f"table {diff[2]}: {kind.replace('_', ' ')} {diff[3]}"
    if kind in ("add_table", "remove_table", "add_index", "remove_index", "add_constraint",
                "remove_constraint", "add_fk", "remove_fk") and len(diff) >= 2:
        return f"{kind.replace('_', ' ')}: {diff[-1] if kind.endswith('fk') else diff[1]}"
    return f"{kind}: {diff[1:]}" if isinstance(diff, list) else str(diff)


def verify(path: Path, rev: str = "HEAD", dialects: tuple[str, ...] = ("postgresql", "sqlite"),
           database_url: str | None = None, render: bool = False) -> Verification:
    root = Path(path).resolve()
    if not root.is_dir():
        raise VerifyError(f"{path} is not a folder")
    top = Path(_git(root, "rev-parse", "--show-toplevel")).resolve()
    commit = _git(top, "rev-parse", "--verify", f"{rev}^{{commit}}")
    rel = root.relative_to(top)
    tmp = Path(tempfile.mkdtemp(prefix="sqlmig-verify-"))
    worktree = tmp / "original"
    url = database_url or f"sqlite:///{tmp / 'original.db'}"
    result = Verification(rev, dialects, _hide_password(url))
    created = False
    try:
        _git(top, "worktree", "add", "--detach", "--quiet", str(worktree), commit)
        original = worktree / rel
        if not original.is_dir():
            raise VerifyError(f"{rel.as_posix() or '.'} does not exist at {rev}")
        try:
            before = snapshot(original)
        except ImportFailed as exc:
            raise VerifyError(f"the code at {rev} does not import: {exc}") from None
        try:
            after = snapshot(root)
        except ImportFailed as exc:
            raise VerifyError(f"the working tree does not import: {exc}") from None
        if not before["tables"] and not after["tables"]:  # nothing was compared: not a proof of anything
            raise VerifyError(f"no module importable from {rel.as_posix() or '.'} declares a table (in a "
                              f"monorepo, verify each service from its own folder)")
        ddl = compare_ddl(before, after, dialects)
        result.differences += ddl.differences
        result.info += ddl.info
        try:
            create_schema(original, url, fresh=True)
            created = True
            noise = compare_database(original, url)
            diffs = [d for d in compare_database(root, url) if d not in noise]
        except ImportFailed as exc:
            raise VerifyError(f"database {result.database}: {exc}") from None
        result.differences += [f"alembic: {alembic_line(d)}" for d in diffs]
        if render and diffs:
            result.operations = run_snapshot(root, "--render", url)
        if noise:
            result.info.append(f"alembic: {len(noise)} differences the original already has against its own "
                               f"schema on this database were left out")
    finally:
        if created and database_url:
            try:
                run_snapshot(worktree / rel, "--drop", database_url)
            except ImportFailed:
                pass
        subprocess.run(["git", "worktree", "remove", "--force", str(worktree)], cwd=top, capture_output=True)
        subprocess.run(["git", "worktree", "prune"], cwd=top, capture_output=True)
        shutil.rmtree(tmp, ignore_errors=True)
    return result
