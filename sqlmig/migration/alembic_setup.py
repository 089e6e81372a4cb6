"""``sqlmig migrate``: make a project's Alembic setup ready for SQLModel models, and write the revision
that records the move.

- ``env.py``: ``target_metadata`` must be the metadata the models live in (the declarative base's;
  SQLModel tables share it after the rewrite) and every model module must be imported (SQM306);
- ``script.py.mako``: gets ``import sqlmodel``, because autogenerate writes
  ``sqlmodel.sql.sqltypes.AutoString`` for SQLModel string columns. Patching the template (rather than a
  ``render_item`` hook in env.py) keeps env.py as the team wrote it and is what SQLModel documents;
- a revision stub from ``templates/revision.py.j2`` on top of the current head(s): empty when
  ``sqlmig verify`` finds the schema unchanged, otherwise Alembic's own operations, each marked for review,
  and the differences autogenerate has no operation for listed in the docstring and as comments for
  review by hand.
"""

from __future__ import annotations

import ast
import configparser
import re
import sys
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from sqlmig.rewrite.apply import Change


class MigrateError(Exception):
    pass


@dataclass
class AlembicSetup:
    root: Path  # the project root
    script_dir: Path  # the folder with env.py and script.py.mako
    versions: Path


def find_setup(root: Path, alembic_dir: Path | None = None) -> AlembicSetup:
    if alembic_dir is not None:
        script_dir = alembic_dir.resolve()
    else:
        ini = root / "alembic.ini"
        script_dir = None
        if ini.is_file():
            parser = configparser.ConfigParser(interpolation=None)
            parser.read(ini, encoding="utf-8")
            location = parser.get("alembic", "script_location", fallback=None)
            if location:
                location = location.replace("%(here)s", str(ini.parent))
                script_dir = (ini.parent / location).resolve()
        if script_dir is None:
            hits = sorted(p.parent for p in root.rglob("env.py") if (p.parent / "script.py.mako").is_file()
                          and ".venv" not in p.parts and "site-packages" not in p.parts)
            if not hits:
                raise MigrateError(f"no Alembic setup under {root} (no alembic.ini, no env.py beside a "
                                   f"script.py.mako); give --alembic-dir")
            script_dir = hits[0]
    if not (script_dir / "env.py").is_file():
        raise MigrateError(f"{script_dir} has no env.py")
    versions = script_dir / "versions"
    return AlembicSetup(root, script_dir, versions)


def _literal(node: ast.AST | None):
    try:
        return ast.literal_eval(node) if node is not None else None
    except ValueError:
        return None


def heads(versions: Path) -> list[str]:
    """The current head revisions: revisions no other revision names as its down_revision."""
    revs: dict[str, tuple] = {}
    for path in sorted(versions.glob("*.py")) if versions.is_dir() else []:
        try:
            tree = ast.parse(path.read_bytes())
        except SyntaxError as exc:
            raise MigrateError(f"{path.name} does not parse: {exc.msg}") from None
        values: dict[str, object] = {}
        for stmt in tree.body:
            target = value = None
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
                target, value = stmt.targets[0].id, stmt.value
            elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
                target, value = stmt.target.id, stmt.value
            if target in ("revision", "down_revision"):
                values[target] = _literal(value)
        rev = values.get("revision")
        if isinstance(rev, str):
            down = values.get("down_revision")
            revs[rev] = tuple(down) if isinstance(down, (list, tuple)) else ((down,) if down else ())
    referenced = {d for downs in revs.values() for d in downs}
    return sorted(r for r in revs if r not in referenced)


MAKO_IMPORT = "import sqlmodel"


def patch_mako(text: str) -> str:
    if re.search(r"^import sqlmodel\b", text, re.M):
        return text
    m = re.search(r"^import sqlalchemy as sa[^\n]*\n", text, re.M)
    if m:
        return text[:m.end()] + MAKO_IMPORT + "\n" + text[m.end():]
    m = re.search(r"^from alembic import op[^\n]*\n", text, re.M)
    if m:
        return text[:m.end()] + MAKO_IMPORT + "\n" + text[m.end():]
    raise MigrateError("script.py.mako imports neither sqlalchemy nor alembic.op; add `import sqlmodel` by hand")


def patch_env(text: str, missing_modules: list[str], metadata: str | None, metadata_import: str | None) -> str:
    """Import the model modules env.py misses; point a ``target_metadata = None`` at the models' metadata."""
    lines = text.splitlines(keepends=True)
    newline = "\r\n" if lines and lines[0].endswith("\r\n") else "\n"
    out = text
    if metadata is not None and re.search(r"^target_metadata\s*=\s*None\b", out, re.M):
        out = re.sub(r"^target_metadata\s*=\s*None\b[^\r\n]*", f"target_metadata = {metadata}", out, count=1,
                     flags=re.M)
        if metadata_import and metadata_import not in out:
            missing_modules = [*missing_modules]
            out = _add_after_imports(out, [metadata_import], newline)
    if missing_modules:
        out = _add_after_imports(out, [f"import {m}  # noqa: F401  (sqlmig: registers its tables)"
                                       for m in missing_modules], newline)
    return out


def _add_after_imports(text: str, new: list[str], newline: str) -> str:
    tree = ast.parse(text)
    last = 0
    for stmt in tree.body:
        if isinstance(stmt, (ast.Import, ast.ImportFrom)):
            last = stmt.end_lineno or stmt.lineno
        elif not (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)):
            break
    lines = text.splitlines(keepends=True)
    block = "".join(line + newline for line in new)
    return "".join(lines[:last]) + block + "".join(lines[last:])


@dataclass
class StubInput:
    message: str
    models: list[str]
    unchanged: bool
    dialects: str
    rev: str
    upgrade: str = "    pass"
    downgrade: str = "    pass"
    imports: list[str] = field(default_factory=list)
    operations: bool = False  # upgrade/downgrade hold autogenerate's operations
    manual: list[str] = field(default_factory=list)  # differences autogenerate has no operation for
    database: str = ""  # where Alembic compared


def template_dir() -> Path:
    """``templates/`` of the source tree (editable installs), or the copy a wheel installs."""
    here = Path(__file__).resolve().parent.parent.parent / "templates"
    if (here / "revision.py.j2").is_file():
        return here
    installed = Path(sys.prefix) / "share" / "sqlmig" / "templates"
    if (installed / "revision.py.j2").is_file():
        return installed
    raise MigrateError("sqlmig's templates/ folder is missing from this installation")


def render_stub(stub: StubInput, down: list[str], revision: str | None = None, now: datetime | None = None) -> str:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    env = Environment(loader=FileSystemLoader(str(template_dir())), keep_trailing_newline=True,
                      undefined=StrictUndefined, autoescape=False)
    revision = revision or uuid.uuid4().hex[-12:]
    if not down:
        down_repr, down_text = "None", "<base>"
    elif len(down) == 1:
        down_repr, down_text = repr(down[0]).replace("'", '"'), down[0]
    else:
        down_repr = "(" + ", ".join(repr(d).replace("'", '"') for d in down) + ")"
        down_text = ", ".join(down)
    now = now or datetime.now(timezone.utc)
    return env.get_template("revision.py.j2").render(
        message=stub.message, models=stub.models, unchanged=stub.unchanged, dialects=stub.dialects,
        rev=stub.rev, revision=revision, down_revision=down_repr, down_revision_text=down_text,
        create_date=now.strftime("%Y-%m-%d %H:%M:%S.%f"), upgrade=stub.upgrade, downgrade=stub.downgrade,
        imports=stub.imports, operations=stub.operations, database=stub.database,
        manual=[d.replace("\\", "\\\\").replace('"""', '\\"""') for d in stub.manual])  # in the docstring


def stub_path(versions: Path, revision: str, message: str) -> Path:
    slug = re.sub(r"[^a-z0-9]+", "_", message.lower()).strip("_")[:40]
    return versions / f"{revision}_{slug}.py"


def new_file_change(root: Path, path: Path, text: str) -> Change:
    return Change(path.relative_to(root).as_posix(), b"", text.encode("utf-8"))
