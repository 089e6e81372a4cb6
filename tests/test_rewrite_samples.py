"""End to end, for every sample project: rewrite a copy, then prove it still is the same application.

(1) every module imports and the mappers configure; (2) the sample's own test suite passes unchanged;
(3) the DDL of every table for PostgreSQL and SQLite is identical up to column order, and Alembic's
``compare_metadata`` against a database created from the original models finds nothing; (4) the OpenAPI
document is identical up to key order; (5) a second rewrite changes nothing. The rewritten files are
compared exactly with ``tests/golden/rewrite/<sample>/`` (``SQLMIG_REGEN_GOLDEN=1`` rewrites those).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sqlmig.migration.compare import compare_database, compare_ddl, compare_openapi, create_schema, snapshot

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_projects"
GOLDEN = ROOT / "tests" / "golden" / "rewrite"
# the bundled samples, and a fixture project written to stress the rewrite (every column kind, both
# declarative styles, aliases, mixins, self-reference, many-to-many, a kept model next to migrated ones)
PROJECTS = {name: SAMPLES / name for name in ("blog", "hotels", "payroll", "mixed")}
PROJECTS["rewrite_zoo"] = ROOT / "tests" / "fixtures" / "rewrite_zoo"
NAMES = list(PROJECTS)
IGNORE = shutil.ignore_patterns("__pycache__", ".pytest_cache", "*.db", ".sqlmig_cache", "expected.json")


def copy_sample(name: str, dest: Path) -> Path:
    target = dest / name
    shutil.copytree(PROJECTS[name], target, ignore=IGNORE)
    return target


def sqlmig(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sqlmig", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300)


def tree_bytes(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and "__pycache__" not in p.parts and ".sqlmig_cache" not in p.parts
            and ".pytest_cache" not in p.parts}


class Rewritten:
    def __init__(self, name: str, base: Path) -> None:
        self.name = name
        self.original = copy_sample(name, base / "original")
        self.root = copy_sample(name, base / "rewritten")
        self.db = base / "original.db"
        self.before = snapshot(self.original)
        create_schema(self.original, f"sqlite:///{self.db}")
        self.run = sqlmig("rewrite", ".", "--no-cache", cwd=self.root)
        self.after = snapshot(self.root) if self.run.returncode == 0 else None

    def changed(self) -> dict[str, bytes]:
        old, new = tree_bytes(self.original), tree_bytes(self.root)
        assert set(old) == set(new), "the rewrite added or removed files"
        return {p: new[p] for p in new if new[p] != old[p]}


@pytest.fixture(scope="module", params=NAMES)
def rewritten(request, tmp_path_factory) -> Rewritten:
    r = Rewritten(request.param, tmp_path_factory.mktemp(request.param))
    assert r.run.returncode == 0, r.run.stderr
    return r


def test_golden_output(rewritten):
    changed = rewritten.changed()
    golden = GOLDEN / rewritten.name
    if os.environ.get("SQLMIG_REGEN_GOLDEN"):
        shutil.rmtree(golden, ignore_errors=True)
        for rel, data in changed.items():
            (golden / rel).parent.mkdir(parents=True, exist_ok=True)
            (golden / rel).write_bytes(data)
    expected = tree_bytes(golden)
    assert sorted(changed) == sorted(expected)
    for rel in expected:
        assert changed[rel].decode() == expected[rel].decode(), rel


def test_imports_and_maps(rewritten):
    assert rewritten.after is not None  # the snapshot imported every module and ran configure_mappers()
    assert rewritten.after["modules"] == rewritten.before["modules"]


def test_own_suite_passes(rewritten):
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=rewritten.root,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:]


def test_schema_is_identical(rewritten):
    ddl = compare_ddl(rewritten.before, rewritten.after)
    assert ddl.differences == []
    # column order is the only change allowed, and it is reported
    assert all("column order" in line for line in ddl.info)
    assert database_differences(rewritten, f"sqlite:///{rewritten.db}") == []


def database_differences(rewritten: Rewritten, url: str) -> list:
    """Alembic's differences of the rewritten metadata with a database created from the original, minus
    what the original metadata already reports against that same database (what the dialect cannot
    reflect, e.g. ``Identity()`` on SQLite)."""
    noise = compare_database(rewritten.original, url)
    return [d for d in compare_database(rewritten.root, url) if d not in noise]


def test_schema_is_identical_on_postgresql(rewritten, postgres_url):
    create_schema(rewritten.original, postgres_url)
    try:
        assert database_differences(rewritten, postgres_url) == []
    finally:
        subprocess.run([sys.executable, "-c", _DROP, postgres_url], check=True, timeout=120)


_DROP = """
import sys
from sqlalchemy import create_engine, text
engine = create_engine(sys.argv[1])
with engine.begin() as conn:
    conn.execute(text("DROP SCHEMA public CASCADE"))
    conn.execute(text("CREATE SCHEMA public"))
"""


def test_openapi_is_identical(rewritten):
    assert rewritten.before["openapi"], "the sample has a FastAPI app"
    assert compare_openapi(rewritten.before, rewritten.after).differences == []


def test_second_rewrite_changes_nothing(rewritten):
    proc = sqlmig("rewrite", ".", "--dry-run", "--no-cache", cwd=rewritten.root)
    assert (proc.returncode, proc.stdout) == (0, "")


def test_the_rewritten_project_analyses_to_the_same_columns(rewritten):
    """Regression: sqlmig read the SQLModel ``Field``s it writes without their ``max_length``,
    ``max_digits``, ``sa_column_kwargs`` (renamed columns, server and callable defaults) and
    ``sa_column_args`` (foreign keys with options), so a migrated project analysed differently. Only
    the spelling of a type (``sa.String(50)``, ``String(50)``) and ``default=None`` may differ."""
    from sqlmig.config import Config
    from sqlmig.run import run

    def columns(root: Path) -> dict:
        result = run([str(root)], Config(), use_cache=False).result
        return {(m.qualname, c.attr): (m.table, c.name, c.type_name, c.nullable, c.primary_key, c.index, c.unique,
                                       None if c.default == "None" else c.default, c.server_default, c.foreign_key,
                                       c.ondelete, c.length, c.precision, c.scale, c.timezone)
                for m in result.models for c in m.columns}

    assert columns(rewritten.root) == columns(rewritten.original)


def test_kept_models_are_untouched(rewritten):
    """Models with blockers stay byte for byte (payroll: six of them)."""
    import ast

    from sqlmig.config import Config
    from sqlmig.run import run

    result = run([str(rewritten.original)], Config(), use_cache=False).result
    for q, codes in result.blocked.items():
        info = result.model_info[q]
        path = info.model.path
        old = (rewritten.original / path).read_text(encoding="utf-8")
        new = (rewritten.root / path).read_text(encoding="utf-8")

        def source(text: str) -> str:
            node = next(n for n in ast.parse(text).body if isinstance(n, ast.ClassDef) and n.name == info.cls.name)
            return ast.get_source_segment(text, node)

        assert source(old) == source(new), q


@pytest.mark.parametrize("name", NAMES)
def test_dry_run_writes_nothing_and_its_patch_applies(name, tmp_path):
    root = copy_sample(name, tmp_path / "dry")
    before = {p: hashlib.sha256(b).hexdigest() for p, b in tree_bytes(root).items()}
    proc = sqlmig("rewrite", ".", "--dry-run", "--no-cache", cwd=root)
    assert proc.returncode == 1, proc.stderr
    assert {p: hashlib.sha256(b).hexdigest() for p, b in tree_bytes(root).items()} == before
    assert proc.stdout.startswith("diff --git a/")
    patch = tmp_path / "rewrite.patch"
    patch.write_text(proc.stdout, encoding="utf-8")
    applied = copy_sample(name, tmp_path / "applied")
    git = subprocess.run(["git", "apply", "--whitespace=nowarn", str(patch)], cwd=applied, capture_output=True,
                         text=True)
    assert git.returncode == 0, git.stderr
    written = copy_sample(name, tmp_path / "written")
    assert sqlmig("rewrite", ".", "--no-cache", cwd=written).returncode == 0
    assert tree_bytes(applied) == {p: b for p, b in tree_bytes(written).items()}


@pytest.mark.parametrize("name", ["hotels", "blog"])
def test_queries_option_end_to_end(name, tmp_path):
    """``--queries`` on an async (hotels: a generic repository over ``self.model``) and a sync sample:
    sessions become SQLModel's, ORM selects of tables use ``exec()``, and the suite still passes."""
    root = copy_sample(name, tmp_path)
    before = snapshot(root)
    proc = sqlmig("rewrite", ".", "--no-cache", "--queries", cwd=root)
    assert proc.returncode == 0, proc.stderr
    source = "\n".join(p.read_text(encoding="utf-8") for p in (root / "app").rglob("*.py"))
    assert ".exec(select(" in source
    after = snapshot(root)
    assert compare_ddl(before, after).differences == []
    assert compare_openapi(before, after).differences == []
    suite = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=root,
                           capture_output=True, text=True, timeout=300)
    assert suite.returncode == 0, suite.stdout[-3000:]
    again = sqlmig("rewrite", ".", "--dry-run", "--no-cache", "--queries", cwd=root)
    assert (again.returncode, again.stdout) == (0, "")
