"""A monorepo whose services each run from their own folder and share top-level names (``app``,
``models``): discovery names them apart, each service's absolute imports resolve to its own
modules, and the rewrite writes imports the service can run."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from sqlmig.config import Config
from sqlmig.discover import discover
from sqlmig.migration.compare import compare_ddl, snapshot
from sqlmig.rewrite.apply import compute
from sqlmig.run import run
from tests.conftest import write_tree

ROOT = Path(__file__).resolve().parent.parent
MONOREPO = ROOT / "tests" / "fixtures" / "monorepo"
SERVICES = ("services/orders", "services/users", "services/billing", "services/audit")


def test_shared_top_level_names_are_named_by_their_service():
    _, files = discover([str(MONOREPO)])
    got = {f.relpath: (f.module, dict(f.aliases)) for f in files if f.relpath.endswith(".py")}
    orders = {"": "services.orders", "app": "services.orders"}
    orders_tests = {"": "services.orders.tests", "app": "services.orders", "conftest": "services.orders.tests",
                    "test_orders": "services.orders.tests"}
    users_tests = {"": "services.users.tests", "app": "services.users", "conftest": "services.users.tests",
                   "test_users": "services.users.tests"}
    assert got == {
        "libs/common/common/__init__.py": ("common", {}),
        "libs/common/common/db.py": ("common.db", {}),
        "services/audit/models.py": ("services.audit.models", {"": "services.audit", "models": "services.audit"}),
        "services/billing/models.py": ("services.billing.models", {"": "services.billing", "models": "services.billing",
                                                                   "schemas": "services.billing"}),
        "services/billing/schemas.py": ("services.billing.schemas", {"": "services.billing",
                                                                     "models": "services.billing",
                                                                     "schemas": "services.billing"}),
        "services/orders/app/__init__.py": ("services.orders.app", orders),
        "services/orders/app/database.py": ("services.orders.app.database", orders),
        "services/orders/app/models.py": ("services.orders.app.models", orders),
        "services/orders/app/schemas.py": ("services.orders.app.schemas", orders),
        # loose test modules: a name of their own (conftest is two services'), the service's ``app``
        "services/orders/tests/conftest.py": ("services.orders.tests.conftest", orders_tests),
        "services/orders/tests/test_orders.py": ("services.orders.tests.test_orders", orders_tests),
        "services/users/app/__init__.py": ("services.users.app", {"": "services.users", "app": "services.users"}),
        "services/users/app/base_schema.py": ("services.users.app.base_schema",
                                              {"": "services.users", "app": "services.users"}),
        "services/users/app/database.py": ("services.users.app.database", {"": "services.users", "app": "services.users"}),
        "services/users/app/models.py": ("services.users.app.models", {"": "services.users", "app": "services.users"}),
        "services/users/app/schemas.py": ("services.users.app.schemas", {"": "services.users", "app": "services.users"}),
        "services/users/tests/conftest.py": ("services.users.tests.conftest", users_tests),
        "services/users/tests/test_users.py": ("services.users.tests.test_users", users_tests),
    }


def test_each_service_resolves_its_own_modules():
    r = run([str(MONOREPO)], Config(), use_cache=False)
    res = r.result
    assert sorted(m.qualname for m in res.models) == [
        "services.audit.models.Entry", "services.billing.models.Invoice", "services.orders.app.models.Customer",
        "services.orders.app.models.Order", "services.users.app.models.User"]
    # UserRead's base comes in by ``from app.base_schema import Schema``: the users service's own
    assert sorted(s.qualname for s in res.schemas) == [
        "services.billing.schemas.InvoiceRead", "services.orders.app.schemas.OrderCreate",
        "services.orders.app.schemas.OrderRead", "services.users.app.base_schema.Schema",
        "services.users.app.schemas.UserCreate", "services.users.app.schemas.UserRead"]
    assert sorted((p.model, p.schema) for p in res.pairs) == [
        ("services.billing.models.Invoice", "services.billing.schemas.InvoiceRead"),
        ("services.orders.app.models.Order", "services.orders.app.schemas.OrderCreate"),
        ("services.orders.app.models.Order", "services.orders.app.schemas.OrderRead"),
        ("services.users.app.models.User", "services.users.app.schemas.UserCreate"),
        ("services.users.app.models.User", "services.users.app.schemas.UserRead")]
    # four services with a declarative base each is not "several bases" (SQM214) in one of them
    assert sorted({f.code for f in res.findings}) == ["SQM101", "SQM107", "SQM309"]


def test_the_rewrite_imports_by_the_names_each_service_runs_with(tmp_path):
    work = tmp_path / "repo"
    shutil.copytree(MONOREPO, work)
    env = {**os.environ, "PYTHONPATH": str(work / "libs" / "common"), "PYTHONDONTWRITEBYTECODE": "1"}
    before = {s: snapshot(work / s, env=env) for s in SERVICES}
    done = subprocess.run([sys.executable, "-m", "sqlmig", "rewrite", ".", "--force"], cwd=work,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    schemas = (work / "services/users/app/schemas.py").read_text(encoding="utf-8")
    assert "from app.models import UserBase\n" in schemas
    models = (work / "services/orders/app/models.py").read_text(encoding="utf-8")
    assert "from app.database import SQLModelBase\n" in models
    # new names are unique within a service, not across the monorepo
    for s in ("services/orders/app/database.py", "services/users/app/database.py", "services/billing/models.py"):
        assert "class SQLModelBase(SQLModel, registry=Base.registry):" in (work / s).read_text(encoding="utf-8")
    for s in SERVICES:
        after = snapshot(work / s, env=env)
        assert after["tables"], s
        assert compare_ddl(before[s], after, ("postgresql", "sqlite")).differences == [], s
    for s in ("services/orders", "services/users"):
        tests = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
                               cwd=work / s, capture_output=True, text=True, timeout=300, env=env)
        assert tests.returncode == 0, tests.stdout + tests.stderr


def test_an_analysed_folder_that_is_a_package_resolves_imports_run_from_it(tmp_path):
    write_tree(tmp_path / "proj", {
        "__init__.py": "",
        "app/__init__.py": "",
        "app/db/__init__.py": "from .base import Base\n",
        "app/db/base.py": "from sqlalchemy.orm import DeclarativeBase\n\n\nclass Base(DeclarativeBase):\n    pass\n",
        "app/models.py": ("import logging\n\nfrom sqlalchemy.orm import Mapped, mapped_column\n\n"
                          "from app.db import Base\n\n\nclass User(Base):\n    __tablename__ = 'users'\n\n"
                          "    id: Mapped[int] = mapped_column(primary_key=True)\n"),
        "logging.py": "x = 1\n",  # a standard-library name: never an alias
    })
    _, files = discover([str(tmp_path / "proj")])
    assert {f.relpath: (f.module, f.aliases) for f in files}["app/models.py"] == ("proj.app.models",
                                                                                   (("app", "proj"),))
    r = run([str(tmp_path / "proj")], Config(), use_cache=False)
    assert [m.qualname for m in r.result.models] == ["proj.app.models.User"]
    binding = r.result.index.bindings["proj.app.models"]["logging"]
    assert binding.target == "logging"
    # the rewrite imports the new base the way the file imports its package: as run from inside it ...
    assert "from app.db.base import SQLModelBase\n" in _rewritten(tmp_path / "proj")["app/models.py"]
    # ... or by the package's full name
    models = tmp_path / "proj" / "app" / "models.py"
    models.write_text(models.read_text(encoding="utf-8").replace("from app.db", "from proj.app.db"), encoding="utf-8")
    assert "from proj.app.db.base import SQLModelBase\n" in _rewritten(tmp_path / "proj")["app/models.py"]


def _rewritten(root: Path) -> dict[str, str]:
    r = run([str(root)], Config(), use_cache=False)
    return {c.path: c.after.decode("utf-8") for c in compute(Path(r.root), r.result).changes}


def test_verify_from_the_monorepo_root_says_it_compared_nothing(tmp_path):
    """Regression: from the root no service imports (each runs from its own folder), so no table was
    seen on either side, and verify said "schema unchanged"."""
    work = tmp_path / "repo"
    shutil.copytree(MONOREPO, work)
    for args in (["init", "-q"], ["add", "-A"], ["-c", "user.email=t@t", "-c", "user.name=t", "commit", "-qm", "x"]):
        subprocess.run(["git", *args], cwd=work, check=True, capture_output=True)
    top = subprocess.run([sys.executable, "-m", "sqlmig", "verify", "."], cwd=work, capture_output=True, text=True,
                         timeout=300)
    assert (top.returncode, top.stderr) == (2, "sqlmig: error: no module importable from . declares a table (in a "
                                               "monorepo, verify each service from its own folder)\n")
    service = subprocess.run([sys.executable, "-m", "sqlmig", "verify", "services/audit"], cwd=work,
                             capture_output=True, text=True, timeout=300)
    assert service.returncode == 0 and service.stdout.startswith("schema unchanged"), service.stdout + service.stderr


def test_a_file_keeps_only_the_aliases_its_imports_used(tmp_path):
    """Regression: in a package folder with hundreds of top-level packages (the bench's projects),
    every file's facts carried the whole alias table: 1.4 GB and a quarter slower at 5000 files."""
    files = {"__init__.py": "", "app/__init__.py": "", "app/db.py": "from area3.base import x\n"}
    for n in range(30):
        files[f"area{n}/__init__.py"] = ""
        files[f"area{n}/base.py"] = "x = 1\n"
    write_tree(tmp_path / "proj", files)
    _, found = discover([str(tmp_path / "proj")])
    tables = {id(f.aliases) for f in found if f.aliases}
    assert len(tables) == 1 and len(next(f.aliases for f in found if f.aliases)) == 31  # one table, shared
    r = run([str(tmp_path / "proj")], Config(), use_cache=False)
    facts = {m.path: m.aliases for m in r.result.modules}
    assert facts["app/db.py"] == (("area3", "proj"),)
    assert facts["area7/base.py"] == ()
    assert r.result.index.bindings["proj.app.db"]["x"].target == "proj.area3.base.x"


def test_a_package_folder_s_namespace_folders_and_libraries_are_never_aliases(tmp_path):
    """Regression (found in review; the full-stack template's layout): analysed from inside ``app``,
    ``app/alembic/`` (no ``__init__.py``) made ``from alembic import op`` mean ``app.alembic.op``, so
    Alembic's plain-SQL ``op.execute`` was flagged (SQM302) and every ``alembic:`` name was lost."""
    write_tree(tmp_path / "app", {
        "__init__.py": "",
        "models.py": "x = 1\n",
        "alembic/env.py": "from alembic import context\n",
        "alembic/versions/001_init.py": ('from alembic import op\n\nrevision = "001"\ndown_revision = None\n\n\n'
                                         'def upgrade():\n    op.execute("UPDATE users SET name = 1")\n'),
        "sqlalchemy.py": "x = 1\n",  # a library sqlmig knows, shadowed by a module: still the library
    })
    _, files = discover([str(tmp_path / "app")])
    assert {f.relpath: f.aliases for f in files}["alembic/env.py"] == (("models", "app"),)
    r = run([str(tmp_path / "app")], Config(), use_cache=False)
    assert r.result.index.bindings["app.alembic.env"]["context"].target == "alembic:context"
    assert [f.code for f in r.result.findings if f.code == "SQM302"] == []
