"""The rewrite and the names a module binds: what it imports never rebinds a name the module uses for
something else, an annotation never reads a class attribute, and class-body statements that read the
class's own columns keep the model on SQLAlchemy. Each case is rewritten with the CLI, imported, and its
DDL compared with the original's."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from sqlmig.migration.compare import compare_ddl, snapshot
from tests.conftest import write_tree
from tests.test_rewrite import DB, cli


def _rewrite(tmp_path: Path, models: str, schemas: str = "") -> tuple[list[str], str, str]:
    """(the keep/migrate lines, the rewritten models and schemas) after checking that the rewritten project
    imports and declares the same DDL as the original."""
    before = write_tree(tmp_path / "before", {"app/__init__.py": "", "app/db.py": DB, "app/models.py": models,
                                              "app/schemas.py": schemas})
    after = tmp_path / "after"
    shutil.copytree(before, after)
    proc = cli("rewrite", ".", "--no-cache", cwd=after)
    assert proc.returncode == 0, proc.stderr
    imported = subprocess.run([sys.executable, "-c", "import app.models, app.schemas"], cwd=after,
                              capture_output=True, text=True, timeout=120)
    assert imported.returncode == 0, imported.stderr
    cmp = compare_ddl(snapshot(before), snapshot(after))
    assert cmp.differences == []
    lines = [line for line in proc.stderr.splitlines() if line.startswith(("keep", "migrate"))]
    return (lines, (after / "app/models.py").read_text(encoding="utf-8"),
            (after / "app/schemas.py").read_text(encoding="utf-8"))


def test_class_body_statements_that_read_columns_keep_the_model(tmp_path):
    """``__table_args__`` and ``__mapper_args__`` that read the class's own columns by name would read FieldInfos (or names moved into the shared base) after the rewrite: those models stay, with
    the reason; names read by strings, lambdas or after the statement are not references."""
    models = """
        from sqlalchemy import CheckConstraint, Column, Index, Integer, Numeric, String, UniqueConstraint, func

        from app.db import Base


        class Product(Base):
            __tablename__ = "products"

            id = Column(Integer, primary_key=True)
            sku = Column(String(20), nullable=False)
            price = Column(Numeric(10, 2), nullable=False)

            __table_args__ = (
                Index("ix_products_sku_lower", func.lower(sku), unique=True),
                CheckConstraint(price >= 0, name="ck_products_price"),
            )


        class Order(Base):
            __tablename__ = "orders"

            id = Column(Integer, primary_key=True)
            region = Column(String(2), nullable=False)
            code = Column(String(10), nullable=False)
            version = Column(Integer, nullable=False)

            __table_args__ = (UniqueConstraint(region, code),)
            __mapper_args__ = {"version_id_col": version}


        class Label(Base):
            __tablename__ = "labels"
            __table_args__ = (Index("ix_labels_text_lower", func.lower("text")),)

            id = Column(Integer, primary_key=True)
            text = Column(String(20), nullable=False, default=lambda: id)
        """
    lines, out, _ = _rewrite(tmp_path, models)
    assert lines == [
        "migrate app.models.Label (app/models.py)",
        "keep    app.models.Order (app/models.py): __table_args__ refers to the class attributes code, region; "
        "__mapper_args__ refers to the class attribute version",
        "keep    app.models.Product (app/models.py): __table_args__ refers to the class attributes price, sku",
    ]
    assert "class Label(SQLModelBase, table=True):" in out
    kept = _block(models, "class Product(Base):", "class Label(Base):")
    assert kept in out


def _block(source: str, start: str, end: str) -> str:
    """The dedented text of ``source`` from the line ``start`` up to the line ``end``."""
    text = textwrap.dedent(source)
    return text[text.index(start):text.index(end)]


SHADOWS = {
    # ``import datetime`` stays bound to the module: the annotation keeps its qualified name and the
    # inferred sa_type is imported by name
    "datetime_module": ("""
        import datetime

        from sqlalchemy import String, func
        from sqlalchemy.orm import Mapped, mapped_column

        from app.db import Base


        class Event(Base):
            __tablename__ = "events"

            id: Mapped[int] = mapped_column(primary_key=True)
            title: Mapped[str] = mapped_column(String(100))
            created_at: Mapped[datetime.datetime] = mapped_column(server_default=func.now())
        """, ["import datetime\nfrom typing import Optional\n\nfrom sqlalchemy import DateTime, func\nfrom sqlmodel import Field\n",
              '    created_at: datetime.datetime = Field(sa_type=DateTime, sa_column_kwargs={"server_default": '
              'func.now()})\n']),
    # ``import time`` is read by a default: datetime's time comes from a qualified import
    "time_module": ("""
        import time

        from sqlalchemy import Column, Float, Integer, Time

        from app.db import Base


        class Store(Base):
            __tablename__ = "stores"

            id = Column(Integer, primary_key=True)
            opens_at = Column(Time)
            created = Column(Float, default=time.time, nullable=False)
        """, ["import datetime\nimport time\nfrom typing import Optional\n\nfrom sqlmodel import Field\n",
              "    opens_at: Optional[datetime.time]\n",
              '    created: float = Field(sa_column_kwargs={"default": time.time})\n']),
    # ``UUID`` is PostgreSQL's type (the sa_type keeps it), ``import uuid`` names Python's
    "uuid_module": ("""
        import uuid

        from sqlalchemy import Column
        from sqlalchemy.dialects.postgresql import UUID

        from app.db import Base


        class Account(Base):
            __tablename__ = "accounts"

            id = Column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
        """, ['    id: uuid.UUID = Field(primary_key=True, sa_type=UUID(as_uuid=True), sa_column_kwargs={"default": '
              'uuid.uuid4})\n', "import uuid\n\nfrom sqlalchemy.dialects.postgresql import UUID\n"]),
    # ``UUID`` and ``uuid`` are both taken: Python's UUID comes under a free alias
    "uuid_alias": ("""
        from uuid import uuid4

        from sqlalchemy import Column
        from sqlalchemy.dialects.postgresql import UUID

        from app.db import Base


        def uuid():
            return uuid4()


        class Account(Base):
            __tablename__ = "accounts"

            id = Column(UUID(as_uuid=True), primary_key=True, default=uuid)
        """, ["from uuid import UUID as UUID_, uuid4\n",
              '    id: UUID_ = Field(primary_key=True, sa_type=UUID(as_uuid=True), sa_column_kwargs={"default": '
              'uuid})\n']),
}


@pytest.mark.parametrize("case", sorted(SHADOWS))
def test_added_imports_never_rebind_a_name_the_module_uses(tmp_path, case):
    """Every name the rewrite adds (annotation types, inferred SQL types, Field) is spelled against what the
    module binds: an existing binding of the same object first, then the bare name, a qualified module
    import, a free alias; the module's own names keep meaning what they meant."""
    models, expected = SHADOWS[case]
    lines, out, _ = _rewrite(tmp_path, models)
    assert len(lines) == 1 and lines[0].startswith("migrate "), lines
    for text in expected:
        assert text in out


def test_annotations_never_read_a_class_attribute(tmp_path):
    """A column named like a type (``date``) binds that name in the class body, where the annotations of the
    same and later statements look it up first: those annotations name the type through the module
    (a qualified import), in the table model and in the shared base built from the schema alike."""
    lines, out, schemas = _rewrite(tmp_path, """
        from sqlalchemy import Column, Date, Integer, String

        from app.db import Base


        class Shift(Base):
            __tablename__ = "shifts"

            id = Column(Integer, primary_key=True)
            date = Column(Date, nullable=False, index=True)
            until = Column(Date)
            note = Column(String(200))


        class Leave(Base):
            __tablename__ = "leaves"

            id = Column(Integer, primary_key=True)
            date = Column(Date, nullable=False, index=True)
            back = Column(Date)
        """, """
        from datetime import date
        from typing import Optional

        from pydantic import BaseModel


        class LeaveCreate(BaseModel):
            date: date
            back: Optional[date] = None
        """)
    assert lines == ["migrate app.models.Leave (app/models.py) sharing date, back via LeaveBase with LeaveCreate",
                     "migrate app.models.Shift (app/models.py)"]
    assert out.startswith("import datetime\nfrom typing import Optional\n\nfrom sqlmodel import Field\n")
    assert ("    date: datetime.date = Field(index=True)\n"
            "    until: Optional[datetime.date]\n"
            "    note: Optional[str] = Field(max_length=200)\n") in out
    assert ("    date: datetime.date = Field(index=True)\n"
            "    back: Optional[datetime.date] = None\n") in out
    assert "class LeaveCreate(LeaveBase):\n    pass\n" in schemas


def test_a_name_added_before_a_star_import_would_be_rebound_by_it(tmp_path):
    """Regression: ``from sqlmodel import Field`` went into the third-party group, above the
    project's ``from app.common import *``, which then rebound ``Field`` to pydantic's: the rewritten
    model did not import. New imports go after a module's last star import."""
    before = write_tree(tmp_path / "before", {
        "app/__init__.py": "",
        "app/common.py": """
            from pydantic import BaseModel, Field
            from sqlalchemy import Column, Integer, String
            from sqlalchemy.orm import declarative_base

            Base = declarative_base()
            """,
        "app/models.py": """
            from app.common import *


            class User(Base):
                __tablename__ = "users"
                id = Column(Integer, primary_key=True)
                name = Column(String(50), nullable=False)
            """,
    })
    after = tmp_path / "after"
    shutil.copytree(before, after)
    proc = cli("rewrite", ".", "--no-cache", cwd=after)
    assert proc.returncode == 0, proc.stderr
    assert (after / "app/models.py").read_text(encoding="utf-8").startswith(
        "from app.common import *\nfrom sqlmodel import Field\nfrom typing import Optional\nfrom app.common import SQLModelBase\n\n\n")
    imported = subprocess.run([sys.executable, "-c", "import app.models"], cwd=after, capture_output=True,
                              text=True, timeout=120)
    assert imported.returncode == 0, imported.stderr
    assert compare_ddl(snapshot(before), snapshot(after)).differences == []
