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
