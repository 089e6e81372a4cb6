"""Import a project in this process and describe what it declares: tables (DDL per dialect), mappers, OpenAPI.

This is the only part of sqlmig that imports user code. It runs as its own process
(``python -m sqlmig.migration.snapshot ROOT``) so that two versions of a project never share one
interpreter; it prints one JSON document on stdout, or an error and exits 2.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import traceback
from pathlib import Path

DIALECTS = ("postgresql", "sqlite", "mysql")
SKIP_DIRS = {"tests", "test", "migrations", "alembic", "node_modules", "build", "dist", "docs"}


def project_modules(root: Path) -> list[str]:
    """Importable module names of the project's packages (tests, migrations and hidden folders skipped)."""
    names: list[str] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d not in SKIP_DIRS
                             and not d.startswith("venv") and d != "__pycache__")
        rel = Path(dirpath).relative_to(root)
        if rel.parts and not (Path(dirpath) / "__init__.py").exists():
            dirnames[:] = []
            continue
        for f in sorted(filenames):
            if not f.endswith(".py") or f in ("setup.py", "conftest.py") or f.startswith("test_"):
                continue
            if not rel.parts and f != "__init__.py":
                names.append(f[:-3])
                continue
            if not rel.parts:
                continue
            parts = list(rel.parts) + ([] if f == "__init__.py" else [f[:-3]])
            names.append(".".join(parts))
    return names


def metadatas(modules: list) -> list:
    from sqlalchemy import MetaData
    from sqlalchemy.orm import registry

    found: dict[int, MetaData] = {}
    for mod in modules:
        for value in list(vars(mod).values()):
            md = None
            if isinstance(value, MetaData):
                md = value
            elif isinstance(value, registry):
                md = value.metadata
            elif isinstance(value, type):
                candidate = getattr(value, "metadata", None)
                if isinstance(candidate, MetaData):
                    md = candidate
            if md is not None and md.tables:
                found.setdefault(id(md), md)
    return list(found.values())


def ddl(table, dialect_name: str) -> str:
    from sqlalchemy.dialects import mysql, postgresql, sqlite
    from sqlalchemy.schema import CreateIndex, CreateTable

    dialect = {"postgresql": postgresql.dialect(), "sqlite": sqlite.dialect(), "mysql": mysql.dialect()}[dialect_name]
    text = str(CreateTable(table).compile(dialect=dialect)).strip()
    for index in sorted(table.indexes, key=lambda i: i.name or ""):
        text += ";\n" + str(CreateIndex(index).compile(dialect=dialect)).strip()
    return text


def _ddl_or_error(table, dialect: str) -> str:
    from sqlalchemy.exc import CompileError

    try:
        return ddl(table, dialect)
    except CompileError as exc:  # e.g. VARCHAR without a length on MySQL: the same on both sides
        return f"-- cannot compile for {dialect}: {exc}"


def import_project(root: Path) -> list:
    """Import every module of the project (from its root) and configure the mappers."""
    sys.path.insert(0, str(root))
    imported = [importlib.import_module(name) for name in project_modules(root)]
    from sqlalchemy.orm import configure_mappers

    configure_mappers()
    return imported


def describe(root: Path) -> dict:
    imported = import_project(root)
    tables: dict[str, dict] = {}
    for md in metadatas(imported):
        for table in md.sorted_tables:
            key = f"{table.schema}.{table.name}" if table.schema else table.name
            tables[key] = {
                "columns": [c.name for c in table.columns],
                "ddl": {d: _ddl_or_error(table, d) for d in DIALECTS},
                "metadata": id(md),
            }
    openapi = {}
    try:
        from fastapi import FastAPI
    except ImportError:  # pragma: no cover - projects without FastAPI
        FastAPI = None
    if FastAPI is not None:
        for mod in imported:
            for attr, value in vars(mod).items():
                if isinstance(value, FastAPI) and f"{mod.__name__}.{attr}" not in openapi:
                    openapi[f"{mod.__name__}.{attr}"] = value.openapi()
    groups = sorted({t["metadata"] for t in tables.values()})
    for t in tables.values():
        t["metadata"] = groups.index(t["metadata"])
    return {"modules": [m.__name__ for m in imported], "tables": tables, "openapi": openapi}


def _engine_metadatas(root: Path):
    return metadatas(import_project(root))


def create(root: Path, url: str, fresh: bool = False) -> dict:
    """Create every table the project declares in the database at ``url`` (``fresh``: which must be empty)."""
    from sqlalchemy import create_engine, inspect

    engine = create_engine(url)
    if fresh:
        with engine.connect() as conn:
            existing = inspect(conn).get_table_names()
        if existing:
            raise RuntimeError(f"the database is not empty (it has {len(existing)} tables); give an empty one")
    with engine.begin() as conn:
        for md in _engine_metadatas(root):
            md.create_all(conn)
    engine.dispose()
    return {"created": url}


def drop(root: Path, url: str) -> dict:
    """Drop the tables ``create`` made."""
    from sqlalchemy import create_engine

    engine = create_engine(url)
    with engine.begin() as conn:
        for md in _engine_metadatas(root):
            md.drop_all(conn)
    engine.dispose()
    return {"dropped": url}


def _render(diff):
    """Alembic's difference tuples as JSON: schema objects become stable, readable strings."""
    from sqlalchemy import Column, ForeignKeyConstraint, Index, Table, UniqueConstraint
    from sqlalchemy.sql.schema import CheckConstraint

    if isinstance(diff, (list, tuple)):
        return [_render(d) for d in diff]
    if isinstance(diff, (str, int, float, bool)) or diff is None:
        return diff
    if isinstance(diff, ForeignKeyConstraint):
        cols = ", ".join(c.name for c in diff.columns) or ", ".join(diff.column_keys)
        target = ", ".join(e.target_fullname for e in diff.elements)
        opts = "".join(f" {k}={v}" for k, v in (("ondelete", diff.ondelete), ("onupdate", diff.onupdate)) if v)
        return f"FOREIGN KEY {diff.table.name}({cols}) -> {target}{opts}"
    if isinstance(diff, Index):
        return f"INDEX {diff.name} ON {diff.table.name if diff.table is not None else '?'}" \
               f"({', '.join(c.name for c in diff.columns)}){' UNIQUE' if diff.unique else ''}"
    if isinstance(diff, (UniqueConstraint, CheckConstraint)):
        kind = "UNIQUE" if isinstance(diff, UniqueConstraint) else "CHECK"
        return f"{kind} {diff.name or ''} ON {diff.table.name}({', '.join(c.name for c in diff.columns)})"
    if isinstance(diff, Column):
        return f"COLUMN {diff.name} {diff.type!r}{'' if diff.nullable else ' NOT NULL'}"
    if isinstance(diff, Table):
        return f"TABLE {diff.name}"
    return repr(diff)


def compare(root: Path, url: str) -> dict:
    """Alembic's autogenerate comparison of the project's metadata with the database at ``url``."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlalchemy import create_engine

    engine = create_engine(url)
    mds = _engine_metadatas(root)
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True, "compare_server_default": True})
        diffs = compare_metadata(ctx, mds if len(mds) != 1 else mds[0])
    engine.dispose()
    return {"diffs": [_render(d) for d in diffs]}


def render(root: Path, url: str) -> dict:
    """The upgrade and downgrade operations Alembic's autogenerate would write for the project's metadata
    against the database at ``url``, as Python code."""
    from alembic.autogenerate import produce_migrations, render_python_code
    from alembic.migration import MigrationContext
    from sqlalchemy import create_engine

    engine = create_engine(url)
    mds = _engine_metadatas(root)
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True, "compare_server_default": True,
                                                     "target_metadata": mds if len(mds) != 1 else mds[0]})
        script = produce_migrations(ctx, mds if len(mds) != 1 else mds[0])
        up = render_python_code(script.upgrade_ops, migration_context=ctx)
        down = render_python_code(script.downgrade_ops, migration_context=ctx)
        tables = {"drop": [], "create": []}
        for op in script.upgrade_ops.ops:
            name = type(op).__name__
            if name == "DropTableOp":
                tables["drop"].append(op.table_name)
            elif name == "CreateTableOp":
                tables["create"].append(op.table_name)
    engine.dispose()
    return {"upgrade": up, "downgrade": down, "tables": tables}


def main(argv: list[str]) -> int:
    root = Path(argv[0]).resolve()
    # the result goes out on the real stdout; the project's own prints (a banner, logging set to
    # stdout), at import or later, go to stderr instead of into the JSON document
    sys.stdout.flush()
    result = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    try:
        if len(argv) == 3 and argv[1] == "--create":
            data = create(root, argv[2])
        elif len(argv) == 3 and argv[1] == "--create-fresh":
            data = create(root, argv[2], fresh=True)
        elif len(argv) == 3 and argv[1] == "--render":
            data = render(root, argv[2])
        elif len(argv) == 3 and argv[1] == "--drop":
            data = drop(root, argv[2])
        elif len(argv) == 3 and argv[1] == "--compare":
            data = compare(root, argv[2])
        else:
            data = describe(root)
    except Exception as exc:  # the user's code failed to import: show where, exit 2
        last = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
        where = f" ({last.filename}:{last.lineno})" if last else ""
        print(f"{type(exc).__name__}: {exc}{where}".splitlines()[0], file=sys.stderr)
        return 2
    with result:
        json.dump(data, result, sort_keys=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
