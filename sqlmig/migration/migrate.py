"""Plan ``sqlmig migrate``: the env.py and script.py.mako patches and the revision stub, as changes."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from sqlmig.analyze import Result
from sqlmig.index import Index
from sqlmig.migration.alembic_setup import (
    MigrateError,
    StubInput,
    find_setup,
    heads,
    new_file_change,
    patch_env,
    patch_mako,
    render_stub,
    stub_path,
)
from sqlmig.migration.verify import VerifyError, verify
from sqlmig.rewrite.apply import Change

MESSAGE = "move models to SQLModel"


@dataclass
class MigratePlan:
    changes: list[Change] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    revision: str | None = None


def _changed_paths(root: Path, rev: str) -> set[str] | None:
    proc = subprocess.run(["git", "diff", "--name-only", "--relative", rev, "--", "."], cwd=root,
                          capture_output=True, text=True, timeout=60)
    if proc.returncode != 0:
        return None
    return set(proc.stdout.split())


def _review(code: str) -> str:
    """Mark every operation of autogenerate's code for review."""
    out = []
    for line in code.splitlines():
        if line.strip().startswith("# ###"):
            continue
        if re.match(r"^    op\.", line):
            out.append("    # sqlmig: review this operation: a rewrite should not change the schema")
        out.append(line)
    body = "\n".join(line for line in out).rstrip()
    return body if body.strip() else "    pass"


# the lines are repr()s: in double quotes when they hold a single quote (``DEFAULT 'x'``)
_DDL_DIFFERENCE = re.compile(r"^table ([^\s:]+)(?: \((\w+)\): (?:new )?['\"](\S+))?")
_ALEMBIC_COLUMN = re.compile(r"^alembic: table (\S+) column (\S+):")
CONSTRAINT_WORDS = frozenset({"FOREIGN", "PRIMARY", "UNIQUE", "CONSTRAINT", "CHECK"})  # DDL lines of no column


def without_operations(differences: list[str]) -> list[str]:
    """The DDL differences no Alembic difference is about, so autogenerate has no operation for them (it
    does not compare a VARCHAR length on SQLite, say): a column's line counts as covered only by an Alembic
    difference of the same table and column, anything else by one that names the same table."""
    alembic = [d for d in differences if d.startswith("alembic: ")]
    columns = {m.groups() for d in alembic if (m := _ALEMBIC_COLUMN.match(d))}
    out = []
    for d in differences:
        if d.startswith("alembic: "):
            continue
        m = _DDL_DIFFERENCE.match(d)
        if m is None:
            out.append(d)
            continue
        table, _, column = m.groups()
        if column is not None and column.isidentifier() and column not in CONSTRAINT_WORDS:
            covered = (table, column) in columns
        else:
            covered = any(re.search(rf"\b{re.escape(table)}\b", a) for a in alembic)
        if not covered:
            out.append(d)
    return out


def _manual(differences: list[str], body: str) -> str:
    """``body`` after comments that list the differences it does not apply."""
    head = ["    # sqlmig: review by hand: autogenerate emitted no operation for these differences"]
    head += [f"    #   {d}" for d in differences]
    return "\n".join(head) + "\n" + body


def plan_migrate(root: Path, result: Result, alembic_dir: Path | None, rev: str,
                 revision: str | None = None) -> MigratePlan:
    setup = find_setup(root, alembic_dir)
    plan = MigratePlan()
    ix = result.index or Index(result.modules)
    # env.py: every model module imported, target_metadata set
    env_path = setup.script_dir / "env.py"
    env_rel = env_path.relative_to(root).as_posix()
    env_facts = next((m for m in result.modules if m.path == env_rel), None)
    model_modules = {m.module for m in result.models}
    missing = ix.env_missing(env_facts, model_modules) if env_facts else []
    bases = sorted(q for q in ix.declarative_bases if q in ix.classes or "." in q)
    metadata = metadata_import = None
    if len(bases) == 1:
        module, _, name = bases[0].rpartition(".")
        if module in ix.modules:
            metadata, metadata_import = f"{name}.metadata", f"from {module} import {name}"
    env_text = env_path.read_text(encoding="utf-8")
    new_env = patch_env(env_text, missing, metadata, metadata_import)
    if new_env != env_text:
        plan.changes.append(Change(env_rel, env_text.encode("utf-8"), new_env.encode("utf-8")))
        if missing:
            plan.notes.append(f"env.py: imports {', '.join(missing)} (SQM306)")
        if new_env.count("target_metadata = None") < env_text.count("target_metadata = None"):
            plan.notes.append(f"env.py: target_metadata = {metadata}")
    # script.py.mako
    mako = setup.script_dir / "script.py.mako"
    if mako.is_file():
        text = mako.read_text(encoding="utf-8")
        patched = patch_mako(text)
        if patched != text:
            plan.changes.append(Change(mako.relative_to(root).as_posix(), text.encode("utf-8"),
                                       patched.encode("utf-8")))
            plan.notes.append("script.py.mako: imports sqlmodel (autogenerate writes sqlmodel.sql.sqltypes types)")
    # the revision stub
    changed = _changed_paths(root, rev) or set()
    models = sorted(m.qualname for m in result.models if m.style == "sqlmodel" and m.path in changed)
    try:
        check = verify(root, rev=rev, render=True)
    except VerifyError as exc:
        raise MigrateError(f"cannot verify the schema: {exc}") from None
    stub = StubInput(MESSAGE, models, check.unchanged, ", ".join(check.dialects), rev,
                     database=check.database.split(":", 1)[0].split("+", 1)[0])  # the backend, not a temporary file
    if not check.unchanged:
        ops = check.operations or {}
        tables = ops.get("tables", {})
        both = sorted(set(tables.get("drop", [])) & set(tables.get("create", [])))
        if both:
            raise MigrateError(f"Alembic would drop and re-create {', '.join(both)}; refusing to write that: "
                               f"run `sqlmig verify` and fix the models")
        if ops:
            stub.upgrade = _review(ops["upgrade"])
            stub.downgrade = _review(ops["downgrade"])
            stub.operations = stub.upgrade.strip() != "pass" or stub.downgrade.strip() != "pass"
        stub.manual = without_operations(check.differences)
        if stub.manual:
            stub.upgrade = _manual(stub.manual, stub.upgrade)
            stub.downgrade = _manual(stub.manual, stub.downgrade)
        plan.notes += [f"verify: {d}" for d in check.differences]
    down = heads(setup.versions)
    text = render_stub(stub, down, revision=revision)
    plan.revision = re.search(r'^revision: str = "([^"]+)"', text, re.M).group(1)
    path = stub_path(setup.versions, plan.revision, MESSAGE)
    plan.changes.append(new_file_change(root, path, text))
    if check.unchanged:
        summary = "schema unchanged, empty upgrade/downgrade"
    else:
        summary = f"{len(check.differences)} differences"
        if stub.operations:
            summary += ", operations marked for review"
        if stub.manual:
            summary += (f", {len(stub.manual)} without an operation from autogenerate: listed in the revision "
                        f"for review by hand")
    plan.notes.append(f"revision {plan.revision} on {', '.join(down) or '<base>'}: {summary}")
    return plan
