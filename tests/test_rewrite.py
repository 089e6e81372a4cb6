"""The rewrite on small projects: what each construct becomes, exactness proven by SQLAlchemy's own DDL,
formatting and comments kept, and the safety of writing (git, failures, bad input)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import write_tree
from sqlmig.config import Config
from sqlmig.migration.compare import compare_ddl, snapshot
from sqlmig.rewrite.apply import Change, compute, write_all
from sqlmig.run import run

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"

DB = """
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass
"""


def rewrite_tree(root: Path, only=None) -> dict[str, str]:
    """Rewrite in process; the new text of every changed file."""
    r = run([str(root)], Config(), use_cache=False)
    out = compute(Path(r.root), r.result, only)
    return {c.path: c.after.decode("utf-8") for c in out.changes}


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sqlmig", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300)


def test_every_column_kind_keeps_its_ddl(tmp_path):
    """Identity, renamed columns, comments, server defaults, onupdate, FK options, enums, JSON, UUID, naive
    and aware datetimes, numeric precision: the DDL SQLAlchemy compiles is the same before and after."""
    before_root = tmp_path / "before"
    shutil.copytree(FIXTURES / "rewrite_columns", before_root)
    after_root = tmp_path / "after"
    shutil.copytree(FIXTURES / "rewrite_columns", after_root)
    proc = cli("rewrite", ".", "--no-cache", cwd=after_root)
    assert proc.returncode == 0, proc.stderr
    assert "migrate app.models.Thing" in proc.stderr and "migrate app.models.Owner" in proc.stderr
    before, after = snapshot(before_root), snapshot(after_root)
    cmp = compare_ddl(before, after, ("postgresql", "sqlite", "mysql"))
    assert cmp.differences == []
    assert set(before["tables"]) == {"things", "owners"}
    models = (after_root / "app/models.py").read_text(encoding="utf-8")
    # native Field arguments where SQLModel says the same; sa_* only for the rest
    # (pydantic's Field stays bound for OwnerCreate, so SQLModel's is written qualified)
    assert "    price: Decimal = sqlmodel.Field(max_digits=12, decimal_places=4)\n" in models
    assert ('    at_tz: datetime | None = sqlmodel.Field(sa_type=DateTime(timezone=True), sa_column_kwargs='
            '{"server_default": func.now(), "onupdate": func.now()})\n') in models
    assert "    at: datetime | None = sqlmodel.Field(sa_type=DateTime)\n" in models  # naive stays naive
    assert '    parent_id: int | None = sqlmodel.Field(foreign_key="things.id", ondelete="SET NULL")\n' in models
    assert ('    owner_id: int = sqlmodel.Field(sa_column_args=[ForeignKey("owners.id", onupdate="CASCADE")])\n'
            in models)
    assert "    colour: Colour = sqlmodel.Field(sa_type=Enum(Colour))\n" in models
    assert '    small: int = sqlmodel.Field(default=3, sa_type=SmallInteger)\n' in models
    # the schema keeps its pattern= (pydantic-only) field; pydantic's Field stays imported for it
    assert 'name: str = Field(max_length=80, pattern="^[a-z]+$")' in models
    assert "import sqlmodel\n" in models and "= sqlmodel.Field(" in models


def _project(tmp_path: Path, models: str, schemas: str | None = None, extra: dict | None = None) -> Path:
    files = {"app/__init__.py": "", "app/db.py": DB, "app/models.py": models}
    if schemas is not None:
        files["app/schemas.py"] = schemas
    files.update(extra or {})
    return write_tree(tmp_path, files)


def test_shared_fields_move_to_a_base_and_the_schema_is_rebased(tmp_path):
    root = _project(tmp_path, """
        from typing import Optional

        from sqlalchemy import Column, Integer, String

        from app.db import Base


        class Author(Base):
            # people who write
            __tablename__ = "authors"

            id = Column(Integer, primary_key=True)
            name = Column(String(40), nullable=False)  # shown on the site
            bio = Column(String(500))
            hashed_password = Column(String(100), nullable=False)
        """, """
        from typing import Optional

        from pydantic import BaseModel, Field, field_validator


        class AuthorCreate(BaseModel):
            \"\"\"What a client sends.\"\"\"

            name: str = Field(min_length=2, max_length=40)
            bio: Optional[str] = None
            password: str

            @field_validator("name")
            @classmethod
            def strip(cls, value):
                return value.strip()


        class AuthorUpdate(BaseModel):
            name: Optional[str] = None
            bio: Optional[str] = None
        """)
    out = rewrite_tree(root)
    assert out["app/models.py"] == '''from typing import Optional

from sqlalchemy import String
from sqlmodel import Field

from app.db import SQLModelBase


class AuthorBase(SQLModelBase):
    """Fields Author shares with AuthorCreate."""

    name: str = Field(min_length=2, max_length=40)  # shown on the site
    bio: Optional[str] = Field(default=None, sa_type=String(500))


class Author(AuthorBase, table=True):
    # people who write
    __tablename__ = "authors"

    id: Optional[int] = Field(default=None, primary_key=True)
    hashed_password: str = Field(max_length=100)
'''
    assert out["app/schemas.py"] == '''from typing import Optional

from pydantic import BaseModel, field_validator

from app.models import AuthorBase


class AuthorCreate(AuthorBase):
    """What a client sends."""

    password: str

    @field_validator("name")
    @classmethod
    def strip(cls, value):
        return value.strip()


class AuthorUpdate(BaseModel):
    name: Optional[str] = None
    bio: Optional[str] = None
'''


def test_drifting_schema_field_is_not_shared(tmp_path):
    """A schema whose max_length is wider than the column, or whose default differs, keeps its own field."""
    root = _project(tmp_path, """
        from sqlalchemy import Boolean, Column, Integer, String

        from app.db import Base


        class Post(Base):
            __tablename__ = "posts"

            id = Column(Integer, primary_key=True)
            title = Column(String(100), nullable=False)
            published = Column(Boolean, nullable=False, default=False)
            slug = Column(String(50), nullable=False)
        """, """
        from pydantic import BaseModel, Field


        class PostCreate(BaseModel):
            title: str = Field(max_length=300)
            published: bool = True
            slug: str
        """)
    out = rewrite_tree(root)
    models = out["app/models.py"]
    assert "class PostBase(SQLModelBase):" in models
    assert "    slug: str = Field(sa_type=String(50))\n" in models  # no max_length: the schema had none
    assert "    title: str = Field(max_length=100)\n" in models  # stays on the table model
    assert "    published: bool = Field(default=False)\n" in models
    schema = out["app/schemas.py"]
    assert "    title: str = Field(max_length=300)\n    published: bool = True\n" in schema
    assert "slug" not in schema and "class PostCreate(PostBase):" in schema


def test_field_name_taken_by_pydantic_is_not_shadowed(tmp_path):
    root = _project(tmp_path, """
        from pydantic import BaseModel, Field
        from sqlalchemy import Column, Integer, String

        from app.db import Base


        class Tag(Base):
            __tablename__ = "tags"

            id = Column(Integer, primary_key=True)
            label = Column(String(30), nullable=False)


        class TagIn(BaseModel):
            label: str = Field(pattern="^[a-z]+$")
        """)
    models = rewrite_tree(root)["app/models.py"]
    assert "import sqlmodel\n" in models
    assert "    label: str = sqlmodel.Field(max_length=30)\n" in models
    assert 'label: str = Field(pattern="^[a-z]+$")' in models
    assert "from pydantic import BaseModel, Field\n" in models


def test_relationship_directions_and_options(tmp_path):
    root = _project(tmp_path, """
        from sqlalchemy import Column, ForeignKey, Integer, String, Table
        from sqlalchemy.orm import relationship

        from app.db import Base

        links = Table(
            "links", Base.metadata,
            Column("a_id", ForeignKey("a.id"), primary_key=True),
            Column("b_id", ForeignKey("b.id"), primary_key=True),
        )


        class A(Base):
            __tablename__ = "a"

            id = Column(Integer, primary_key=True)
            children = relationship("B", back_populates="parent", cascade="all, delete-orphan",
                                    order_by="B.id", passive_deletes=True)
            linked = relationship("B", secondary=links, lazy="selectin")
            single = relationship("B", uselist=False, viewonly=True)


        class B(Base):
            __tablename__ = "b"

            id = Column(Integer, primary_key=True)
            a_id = Column(Integer, ForeignKey("a.id", ondelete="CASCADE"), nullable=False)
            parent = relationship("A", back_populates="children")
        """)
    models = rewrite_tree(root)["app/models.py"]
    assert ('    children: List["B"] = Relationship(back_populates="parent", cascade_delete=True, '
            'passive_deletes=True, sa_relationship_kwargs={"order_by": "B.id"})\n') in models
    assert ('    linked: List["B"] = Relationship(sa_relationship_kwargs={"secondary": links, '
            '"lazy": "selectin"})\n') in models
    assert ('    single: Optional["B"] = Relationship(sa_relationship_kwargs={"uselist": False, '
            '"viewonly": True})\n') in models
    assert '    parent: Optional["A"] = Relationship(back_populates="children")\n' in models


def test_what_cannot_be_expressed_stays_on_sqlalchemy_with_its_reason(tmp_path):
    root = _project(tmp_path, """
        from sqlalchemy import Column, Integer, String
        from sqlalchemy.orm import deferred

        from app.db import Base


        class Stamped:
            created = Column(Integer)

            def touch(self):
                pass


        class Doc(Stamped, Base):
            __tablename__ = "docs"

            id = Column(Integer, primary_key=True)
            body = deferred(Column(String(10)))
            LIMIT = 10

            def __init__(self, **kw):
                super().__init__(**kw)


        class Plain(Base):
            __tablename__ = "plain"

            id = Column(Integer, primary_key=True)
        """)
    proc = cli("rewrite", ".", "--dry-run", "--no-cache", cwd=root)
    assert proc.returncode == 1
    lines = [line for line in proc.stderr.splitlines() if line.startswith(("keep", "migrate"))]
    assert lines == [
        "migrate app.models.Plain (app/models.py)",
        "keep    app.models.Doc (app/models.py): __init__ (SQLModel's own takes over construction and "
        "attributes); deferred() column body; class attribute LIMIT; mixin Stamped is more than columns",
    ]
    assert "class Doc(Stamped, Base):" not in proc.stdout


def test_mixin_shared_with_a_kept_model_keeps_both(tmp_path):
    root = _project(tmp_path, """
        from sqlalchemy import Column, DateTime, Integer, func
        from sqlalchemy.ext.hybrid import hybrid_property

        from app.db import Base


        class Stamp:
            created = Column(DateTime, server_default=func.now())


        class Good(Stamp, Base):
            __tablename__ = "good"

            id = Column(Integer, primary_key=True)


        class Bad(Stamp, Base):
            __tablename__ = "bad"

            id = Column(Integer, primary_key=True)

            @hybrid_property
            def double(self):
                return self.id * 2
        """)
    assert rewrite_tree(root) == {}
    proc = cli("rewrite", ".", "--dry-run", "--no-cache", cwd=root)
    assert "keep    app.models.Good (app/models.py): mixin Stamp is shared with a model that stays" in proc.stderr


def test_crlf_and_a_latin1_cookie_survive(tmp_path):
    models = (
        "# -*- coding: latin-1 -*-\r\n"
        "from sqlalchemy import Column, Integer, String\r\n"
        "\r\n"
        "from app.db import Base\r\n"
        "\r\n"
        "\r\n"
        "class Caf\xe9Item(Base):\r\n"
        "    \"\"\"Caf\xe9 items.\"\"\"\r\n"
        "\r\n"
        "    __tablename__ = \"items\"\r\n"
        "\r\n"
        "    id = Column(Integer, primary_key=True)\r\n"
        "    name = Column(String(20), nullable=False)  # na\xefve\r\n"
    ).encode("latin-1")
    root = write_tree(tmp_path, {"app/__init__.py": "", "app/db.py": DB, "app/models.py": models})
    r = run([str(root)], Config(), use_cache=False)
    change = compute(Path(r.root), r.result).changes
    new = next(c.after for c in change if c.path == "app/models.py")
    assert b"\n" not in new.replace(b"\r\n", b"")  # every line still ends in CRLF
    text = new.decode("latin-1")
    assert "class Caf\xe9Item(SQLModelBase, table=True):" in text
    assert "    name: str = Field(max_length=20)  # na\xefve\r\n" in text


def test_only_limits_the_rewrite(tmp_path):
    root = _project(tmp_path, """
        from sqlalchemy import Column, Integer

        from app.db import Base


        class One(Base):
            __tablename__ = "one"
            id = Column(Integer, primary_key=True)
        """, extra={"app/other.py": """
        from sqlalchemy import Column, Integer

        from app.db import Base


        class Two(Base):
            __tablename__ = "two"
            id = Column(Integer, primary_key=True)
        """})
    out = rewrite_tree(root, only=["app.other"])
    assert sorted(out) == ["app/db.py", "app/other.py"]


def test_a_later_run_reuses_the_sqlmodel_base_an_earlier_one_wrote(tmp_path):
    """Rewriting in steps (``--only``, or once a blocker is gone) maps the later models through the
    SQLModel base the project already has, aliased import included, instead of adding a second one."""
    root = _project(tmp_path, SIMPLE, extra={"app/db.py": """
        import sqlmodel as sm
        from sqlalchemy.orm import DeclarativeBase


        class Base(DeclarativeBase):
            pass


        class SQLModelBase(sm.SQLModel, registry=Base.registry):
            \"\"\"Written by an earlier run.\"\"\"
        """})
    out = rewrite_tree(root)
    assert sorted(out) == ["app/models.py"]
    assert out["app/models.py"] == (
        "from typing import Optional\n\nfrom sqlmodel import Field\n\nfrom app.db import SQLModelBase\n\n\n"
        "class One(SQLModelBase, table=True):\n"
        "    __tablename__ = \"one\"\n"
        "    id: Optional[int] = Field(default=None, primary_key=True)\n")


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True,
                   env={**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
                        "GIT_COMMITTER_EMAIL": "t@t"})


SIMPLE = """
from sqlalchemy import Column, Integer

from app.db import Base


class One(Base):
    __tablename__ = "one"
    id = Column(Integer, primary_key=True)
"""


def test_refuses_uncommitted_changes_unless_forced(tmp_path):
    root = _project(tmp_path, SIMPLE)
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", "init")
    (root / "app/models.py").write_text(SIMPLE + "# edited\n", encoding="utf-8")
    before = (root / "app/models.py").read_bytes()
    proc = cli("rewrite", ".", "--no-cache", cwd=root)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines()[-1] == (
        "sqlmig: error: uncommitted changes in app/models.py; commit them or use --force")
    assert (root / "app/models.py").read_bytes() == before
    proc = cli("rewrite", ".", "--no-cache", "--force", cwd=root)
    assert proc.returncode == 0, proc.stderr
    assert "class One(SQLModelBase, table=True):" in (root / "app/models.py").read_text(encoding="utf-8")


def _read_only(path: Path):
    """Make ``path`` read-only for whoever runs the tests. Root ignores mode bits (and CI runs as
    root), so there the file also gets the immutable attribute; returns the undo."""
    os.chmod(path, 0o444)
    if os.geteuid() != 0:
        return lambda: None
    if subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode != 0:
        pytest.skip("running as root on a filesystem without the immutable attribute")
    return lambda: subprocess.run(["chattr", "-i", str(path)], check=True)


def test_read_only_file_means_nothing_is_written(tmp_path):
    root = _project(tmp_path, SIMPLE, extra={"app/other.py": SIMPLE.replace("One", "Two").replace('"one"', '"two"')})
    before = {p: p.read_bytes() for p in root.rglob("*.py")}
    undo = _read_only(root / "app/models.py")
    try:
        proc = cli("rewrite", ".", "--no-cache", cwd=root)
    finally:
        undo()
    assert proc.returncode == 2
    assert "not written app/models.py" in proc.stderr
    assert "not written app/other.py" in proc.stderr  # all or nothing: the writable file is kept too
    assert {p: p.read_bytes() for p in root.rglob("*.py")} == before
    assert not [p for p in root.rglob("*") if p.name.endswith(".sqlmig")]


@pytest.mark.parametrize("call", ["replace", "fsync"])
def test_a_failure_on_the_second_file_writes_nothing(tmp_path, monkeypatch, call):
    """``replace``: the second rename fails (an interrupted run); ``fsync``: the disk is full while
    the second file is staged. Either way every file stays as it was."""
    a, b = tmp_path / "a.py", tmp_path / "b.py"
    a.write_bytes(b"A = 1\n")
    b.write_bytes(b"B = 1\n")
    real = getattr(os, call)
    calls = []

    def failing(*args):
        calls.append(args)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return real(*args)

    monkeypatch.setattr(os, call, failing)
    report = write_all(tmp_path, [Change("a.py", b"A = 1\n", b"A = 2\n"), Change("b.py", b"B = 1\n", b"B = 2\n")])
    assert report.written == []
    assert ("b.py", "No space left on device") in report.failed
    assert ("a.py", "not written: another file failed") in report.failed
    assert (a.read_bytes(), b.read_bytes()) == (b"A = 1\n", b"B = 1\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.py", "b.py"]  # no temporary left behind


def test_bad_input_is_one_line_and_exit_2(tmp_path):
    proc = cli("rewrite", str(tmp_path / "missing"), cwd=tmp_path)
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1
    root = _project(tmp_path / "p", SIMPLE, extra={"app/broken.py": "def (:\n"})
    proc = cli("rewrite", ".", "--no-cache", cwd=root)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines()[-1] == "sqlmig: error: app/broken.py does not parse; fix it before rewriting"
    assert "SQLModel" not in (root / "app/models.py").read_text(encoding="utf-8")


QUERIES = {
    "app/__init__.py": "",
    "app/db.py": DB + """
from sqlalchemy import create_engine
from sqlalchemy.orm import Session, sessionmaker

engine = create_engine("sqlite://")
SessionLocal = sessionmaker(bind=engine)
""",
    "app/models.py": """
from sqlalchemy import Column, Integer, String
from sqlalchemy.ext.hybrid import hybrid_property

from app.db import Base


class Item(Base):
    __tablename__ = "items"

    id = Column(Integer, primary_key=True)
    name = Column(String(20), nullable=False)


class Legacy(Base):
    __tablename__ = "legacy"

    id = Column(Integer, primary_key=True)

    @hybrid_property
    def twice(self):
        return self.id * 2
""",
    "app/repo.py": """
from sqlalchemy import select, text

from app.models import Item, Legacy


class Repo:
    model = None

    def __init__(self, session):
        self.session = session

    def all(self):
        result = self.session.execute(select(self.model).order_by(self.model.id))
        return result.scalars().all()


class ItemRepo(Repo):
    model = Item


def items(session):
    return session.execute(select(Item).where(Item.id > 0)).scalars().all()


def first_item(session):
    return session.scalars(select(Item)).first()


def pairs(session):
    return session.execute(select(Item.id, Item.name)).all()


def legacy(session):
    return session.execute(select(Legacy)).scalars().all()


def raw(session):
    return session.execute(text("SELECT 1")).scalars().all()


def reused(session):
    result = session.execute(select(Item))
    print(result)
    return result.scalars().all()
""",
}


def test_queries_rewrites_only_orm_selects_of_tables(tmp_path):
    root = write_tree(tmp_path, QUERIES)
    r = run([str(root)], Config(), use_cache=False)
    out = {c.path: c.after.decode() for c in compute(Path(r.root), r.result, queries=True).changes}
    repo = out["app/repo.py"]
    assert "from sqlalchemy import text\nfrom sqlmodel import select\n" in repo
    # Repo.model is None in the base class: not every binding is a table, so the generic method stays
    assert "        result = self.session.execute(select(self.model).order_by(self.model.id))\n" in repo
    assert "    return session.exec(select(Item).where(Item.id > 0)).all()\n" in repo
    assert "    return session.exec(select(Item)).first()\n" in repo
    assert "    return session.execute(select(Item.id, Item.name)).all()\n" in repo  # several columns
    assert "    return session.execute(select(Legacy)).scalars().all()\n" in repo  # stays on SQLAlchemy
    assert '    return session.execute(text("SELECT 1")).scalars().all()\n' in repo
    assert "    result = session.execute(select(Item))\n    print(result)\n" in repo  # used otherwise
    db = out["app/db.py"]
    # Session is already SQLAlchemy's in this module: SQLModel's comes in under another name
    assert "from sqlmodel import Session as SQLModelSession, SQLModel\n" in db
    assert "SessionLocal = sessionmaker(bind=engine, class_=SQLModelSession)\n" in db


@pytest.mark.parametrize("base, migrates", [
    ("class Base(DeclarativeBase):\n    pass\n", True),
    ("class Base(DeclarativeBase):\n    def to_dict(self):\n        return {}\n", False),
    ("@as_declarative()\nclass Base:\n    id: Any\n\n    @declared_attr\n    def __tablename__(cls) -> str:\n"
     "        return cls.__name__.lower()\n", True),
    ("@as_declarative()\nclass Base:\n    @declared_attr\n    def __tablename__(cls) -> str:\n"
     "        return cls.__name__.lower() + 's'\n", False),
    ("Base = declarative_base(cls=Helpers)\n", False),
    ("Base = declarative_base()\n", True),
    # regression: a registry carrying a type_annotation_map was skipped like a plain one; SQLModel
    # builds its own column types, so String(50) became VARCHAR
    ("class Base(DeclarativeBase):\n    registry = registry(type_annotation_map={str: String(50)})\n", False),
    ("class Base(DeclarativeBase):\n    registry = registry(metadata=MetaData())\n", True),
])
def test_what_the_declarative_base_declares_decides(tmp_path, base, migrates):
    """SQLModel classes map through the base's registry but do not inherit the base class: a base that
    adds methods, columns or its own table names keeps its models on SQLAlchemy."""
    db = ("from typing import Any\n\nfrom sqlalchemy import MetaData, String\nfrom sqlalchemy.orm import DeclarativeBase, "
          "as_declarative, declarative_base, declared_attr, registry\n\n\nclass Helpers:\n    pass\n\n\n" + base)
    root = write_tree(tmp_path, {"app/__init__.py": "", "app/db.py": db, "app/models.py": SIMPLE})
    assert ("app/models.py" in rewrite_tree(root)) is migrates


def test_two_declarative_bases_in_one_module_get_two_sqlmodel_bases(tmp_path):
    db = ("from sqlalchemy import MetaData\nfrom sqlalchemy.orm import declarative_base\n\n"
          "Base = declarative_base()\nAuditBase = declarative_base(metadata=MetaData(schema=\"audit\"))\n")
    models = SIMPLE + ('\n\nfrom app.db import AuditBase\n\n\nclass Event(AuditBase):\n    __tablename__ = "events"\n'
                       "    id = Column(Integer, primary_key=True)\n")
    root = write_tree(tmp_path, {"app/__init__.py": "", "app/db.py": db, "app/models.py": models})
    out = rewrite_tree(root)
    assert "class SQLModelBase(SQLModel, registry=Base.registry):" in out["app/db.py"]
    assert "class AuditBaseSQLModel(SQLModel, registry=AuditBase.registry):" in out["app/db.py"]
    assert "class Event(AuditBaseSQLModel, table=True):" in out["app/models.py"]
    assert "class One(SQLModelBase, table=True):" in out["app/models.py"]


def test_postponed_annotations_keep_models_with_relationships(tmp_path):
    """With ``from __future__ import annotations`` SQLModel hands SQLAlchemy the string 'list["Kid"]' as
    the relationship target, which fails at mapper configuration: such models stay; models with columns
    only migrate (their annotations are resolved by Pydantic)."""
    models = '''
from __future__ import annotations

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base


class Parent(Base):
    __tablename__ = "parents"

    id: Mapped[int] = mapped_column(primary_key=True)
    kids: Mapped[list[Kid]] = relationship(back_populates="parent")


class Kid(Base):
    __tablename__ = "kids"

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int] = mapped_column(ForeignKey("parents.id"))
    parent: Mapped[Parent] = relationship(back_populates="kids")


class Note(Base):
    __tablename__ = "notes"

    id: Mapped[int] = mapped_column(primary_key=True)
'''
    root = write_tree(tmp_path, {"app/__init__.py": "", "app/db.py": DB, "app/models.py": models})
    proc = cli("rewrite", ".", "--no-cache", cwd=root)
    assert proc.returncode == 0, proc.stderr
    assert "keep    app.models.Parent (app/models.py): from __future__ import annotations with relationships" \
        in proc.stderr
    text = (root / "app/models.py").read_text(encoding="utf-8")
    assert "class Note(SQLModelBase, table=True):" in text and "class Parent(Base):" in text
    assert snapshot(root)["tables"].keys() == {"parents", "kids", "notes"}  # imports and maps


def test_alembic_revision_scripts_are_history_not_models(tmp_path):
    """Regression: a revision's frozen snapshot model (a data migration's ``Base`` and ``Slice``)
    counted as one of the app's models: a second declarative base (SQM214), env.py "never imports"
    the revision (SQM306), and the rewrite moved the old revision to SQLModel."""
    root = write_tree(tmp_path, {
        "app/__init__.py": "",
        "app/db.py": DB,
        "app/models.py": """
            from sqlalchemy import Column, Integer, String

            from app.db import Base


            class Slice(Base):
                __tablename__ = "slices"
                id = Column(Integer, primary_key=True)
                slug = Column(String(250))
            """,
        "migrations/env.py": """
            from alembic import context

            from app.db import Base
            import app.models

            target_metadata = Base.metadata
            """,
        "migrations/versions/0002_backfill.py": '''
            """Backfill slugs."""
            from alembic import op
            from sqlalchemy import Column, Integer, String
            from sqlalchemy.orm import Session, declarative_base

            revision = "0002"
            down_revision = "0001"

            Base = declarative_base()


            class Slice(Base):
                __tablename__ = "slices"
                id = Column(Integer, primary_key=True)
                slug = Column(String(250))


            def upgrade():
                session = Session(bind=op.get_bind())
                for s in session.query(Slice):
                    s.slug = s.slug.lower()
            ''',
    })
    r = run([str(root)], Config(), use_cache=False)
    assert [m.qualname for m in r.result.models] == ["app.models.Slice"]
    assert {f.code for f in r.result.findings} & {"SQM214", "SQM306"} == set()
    assert sorted(rewrite_tree(root)) == ["app/db.py", "app/models.py"]
def test_modules_beside_the_revision_scripts_are_history_too(tmp_path):
    """Regression (superset: 11 snapshot models of ``migrations/shared/`` rewritten to SQLModel): the
    snapshot models data migrations share live in a helper module of the Alembic script folder (the
    folder holding ``versions/``), imported by revision scripts; like the revisions they are history,
    not the app's models."""
    root = write_tree(tmp_path, {
        "app/__init__.py": "",
        "app/db.py": DB,
        "app/models.py": """
            from sqlalchemy import Column, Integer, String

            from app.db import Base


            class Slice(Base):
                __tablename__ = "slices"
                id = Column(Integer, primary_key=True)
                slug = Column(String(250))
            """,
        "app/migrations/__init__.py": "",
        "app/migrations/env.py": """
            from alembic import context

            from app.db import Base
            import app.models

            target_metadata = Base.metadata
            """,
        "app/migrations/shared/__init__.py": "",
        "app/migrations/shared/snapshots.py": """
            from sqlalchemy import Column, Integer, String
            from sqlalchemy.orm import declarative_base

            Base = declarative_base()


            class Slice(Base):
                __tablename__ = "slices"
                id = Column(Integer, primary_key=True)
                slug = Column(String(250))
            """,
        "app/migrations/versions/__init__.py": "",
        "app/migrations/versions/0002_backfill.py": '''
            """Backfill slugs."""
            from alembic import op
            from sqlalchemy.orm import Session

            from app.migrations.shared.snapshots import Slice

            revision = "0002"
            down_revision = "0001"


            def upgrade():
                session = Session(bind=op.get_bind())
                for s in session.query(Slice):
                    s.slug = s.slug.lower()
            ''',
    })
    r = run([str(root)], Config(), use_cache=False)
    assert [m.qualname for m in r.result.models] == ["app.models.Slice"]
    assert {f.code for f in r.result.findings} & {"SQM214", "SQM306"} == set()
    assert sorted(rewrite_tree(root)) == ["app/db.py", "app/models.py"]


def _rewritten_and_compared(root: Path) -> tuple[dict[str, str], dict[str, list[str]], list[str]]:
    """Rewrite ``root`` in place: (new file texts, keep reasons per model, DDL differences on PostgreSQL and
    SQLite between a copy of the original and the rewritten tree, both imported)."""
    original = root.parent / f"{root.name}-original"
    shutil.copytree(root, original)
    r = run([str(root)], Config(), use_cache=False)
    out = compute(Path(r.root), r.result)
    kept = {m.qualname: m.reasons for m in out.plan.models if m.status == "keep"}
    texts = {c.path: c.after.decode("utf-8") for c in out.changes}
    for rel, text in texts.items():
        (root / rel).write_text(text, encoding="utf-8")
    cmp = compare_ddl(snapshot(original), snapshot(root), ("postgresql", "sqlite"))
    return texts, kept, cmp.differences


def test_a_foreign_key_column_without_a_type_gets_the_type_of_its_target(tmp_path):
    """``Column(ForeignKey("offices.code"))`` is VARCHAR(8) when offices.code is String(8): SQLAlchemy gives a
    typeless foreign key column the referenced column's type, also through a chain of such columns."""
    root = _project(tmp_path / "p", """
        from sqlalchemy import BigInteger, Column, ForeignKey, String

        from app.db import Base


        class Office(Base):
            __tablename__ = "offices"
            code = Column(String(8), primary_key=True)
            serial = Column(BigInteger, unique=True)


        class Desk(Base):
            __tablename__ = "desks"
            id = Column(BigInteger, primary_key=True)
            office_code = Column(ForeignKey("offices.code"), nullable=False)
            office_serial = Column(ForeignKey("offices.serial", ondelete="CASCADE"))


        class Chair(Base):
            __tablename__ = "chairs"
            id = Column(BigInteger, primary_key=True)
            desk_office = Column(ForeignKey("desks.office_code"))
        """)
    out, kept, differences = _rewritten_and_compared(root)
    assert kept == {} and differences == []
    models = out["app/models.py"]
    assert '    office_code: str = Field(max_length=8, foreign_key="offices.code")\n' in models
    assert ('    office_serial: Optional[int] = Field(sa_type=BigInteger, foreign_key="offices.serial", '
            'ondelete="CASCADE")\n') in models
    assert '    desk_office: Optional[str] = Field(max_length=8, foreign_key="desks.office_code")\n' in models


def test_a_foreign_key_given_as_a_column_object_names_its_table(tmp_path):
    """Regression: ``ForeignKey(User.id)`` was recorded as pointing at a table ``User``, so the column took no
    type from its target (SQM309 and the cone named a table that does not exist) and its model stayed.
    The class attribute, ``__table__.c`` and a ``Table``'s ``.c`` forms all name the real table and column,
    and the rewritten models declare the same schema."""
    root = _project(tmp_path / "p", """
        from sqlalchemy import Column, ForeignKey, Integer, String, Table

        from app import db
        from app.db import Base


        class Office(Base):
            __tablename__ = "offices"
            code = Column("office_code", String(8), primary_key=True)
            serial = Column(Integer, unique=True)


        badges = Table("badges", db.Base.metadata, Column("id", Integer, primary_key=True))


        class Desk(Base):
            __tablename__ = "desks"
            id = Column(Integer, primary_key=True)
            office_code = Column(ForeignKey(Office.code), nullable=False)
            office_serial = Column(Integer, ForeignKey(Office.__table__.c.serial))
            badge_id = Column(Integer, ForeignKey(badges.c.id))
        """)
    r = run([str(root)], Config(), use_cache=False)
    desk = next(m for m in r.result.models if m.qualname == "app.models.Desk")
    assert [(c.attr, c.foreign_key, c.sql_type) for c in desk.columns if c.foreign_key] == [
        ("office_code", "offices.office_code", "String(8)"), ("office_serial", "offices.serial", "Integer"),
        ("badge_id", "badges.id", "Integer")]
    out, kept, differences = _rewritten_and_compared(root)
    assert kept == {} and differences == []
    assert ("    office_code: str = Field(max_length=8, sa_column_args=[ForeignKey(Office.code)])\n"
            in out["app/models.py"])


def test_a_foreign_key_target_built_from_module_constants_is_known(tmp_path):
    """Regression: ``ForeignKey(f"{TABLE_META}.id")`` (and ``TABLE_META + ".id"``) was taken as the code
    text, not the table it names: the target's type was unknown, so the model stayed, and SQM309 printed
    the code. Names bound to strings, ``+`` and f-strings of them evaluate; the rewrite keeps the code."""
    root = _project(tmp_path / "p", """
        from sqlalchemy import ForeignKey, String
        from sqlalchemy.orm import Mapped, mapped_column

        from app.db import Base

        TABLE_META = "meta"


        class Meta(Base):
            __tablename__ = TABLE_META
            code: Mapped[str] = mapped_column(String(8), primary_key=True)


        class Stat(Base):
            __tablename__ = "stats"
            id: Mapped[int] = mapped_column(primary_key=True)
            meta_code: Mapped[str | None] = mapped_column(ForeignKey(f"{TABLE_META}.code", ondelete="CASCADE"))
            other_code = mapped_column(ForeignKey(TABLE_META + ".code"), index=True)
        """)
    r = run([str(root)], Config(), use_cache=False)
    stat = next(m for m in r.result.models if m.qualname == "app.models.Stat")
    assert [(c.attr, c.sql_type, c.foreign_key) for c in stat.columns] == [
        ("id", "Integer", None), ("meta_code", "String(8)", "meta.code"), ("other_code", "String(8)", "meta.code")]
    assert [f.message for f in r.result.findings if f.code == "SQM309"] == [
        "foreign key meta_code -> meta.code has no index"]
    out, kept, differences = _rewritten_and_compared(root)
    assert kept == {} and differences == []
    assert ('    meta_code: str | None = Field(max_length=8, sa_column_args=[ForeignKey(f"{TABLE_META}.code", '
            'ondelete="CASCADE")])\n') in out["app/models.py"]


def test_a_foreign_key_column_whose_target_type_is_unknown_stays(tmp_path):
    root = _project(tmp_path / "p", """
        from sqlalchemy import Column, ForeignKey, Integer, String, Table

        from app.db import Base

        legacy = Table("legacy", Base.metadata, Column("code", String(3), primary_key=True))


        class Link(Base):
            __tablename__ = "links"
            id = Column(Integer, primary_key=True)
            legacy_code = Column(ForeignKey("legacy.code"))
        """)
    out, kept, differences = _rewritten_and_compared(root)
    assert kept == {"app.models.Link": ["foreign key column legacy_code takes its type from legacy.code, which is "
                                        "not a column of the project's models"]}
    assert differences == []


def test_what_depends_on_the_sqlalchemy_version_stays_and_the_rest_is_exact_in_both(tmp_path):
    """``Mapped[float]`` without a type is Float in SQLAlchemy 2.0 and Double in 2.1 (SQLModel: Float): no
    declaration matches both, the model stays. ``mapped_column(ForeignKey(...))`` without a type takes the
    target's type before the annotation's in both versions: ``sa_type`` of the target's type is exact."""
    root = _project(tmp_path / "p", """
        from sqlalchemy import BigInteger, Float, ForeignKey
        from sqlalchemy.orm import Mapped, mapped_column

        from app.db import Base


        class Sensor(Base):
            __tablename__ = "sensors"

            id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
            scale: Mapped[float] = mapped_column(Float)


        class Reading(Base):
            __tablename__ = "readings"

            id: Mapped[int] = mapped_column(primary_key=True)
            sensor_id: Mapped[int] = mapped_column(ForeignKey("sensors.id"))
            value: Mapped[float]


        class Probe(Base):
            __tablename__ = "probes"

            id: Mapped[int] = mapped_column(primary_key=True)
            sensor_id: Mapped[int | None] = mapped_column(ForeignKey("sensors.id"))


        class Derived(Base):
            __tablename__ = "derived"

            id: Mapped[int] = mapped_column(primary_key=True)
            reading_value: Mapped[float] = mapped_column(ForeignKey("readings.value"))
        """, """
        from pydantic import BaseModel


        class ProbeIn(BaseModel):
            sensor_id: int | None = None
        """)
    r = run([str(root)], Config(), use_cache=False)
    facts = {c.attr: (c.type_name, c.sql_type) for c in r.result.model_info["app.models.Reading"].model.columns}
    assert facts["sensor_id"] == ("BigInteger", "BigInteger")
    out, kept, differences = _rewritten_and_compared(root)
    version = ("Mapped[float] without a SQL type is Float in SQLAlchemy 2.0 and Double in 2.1 (SQLModel: Float); "
               "give it the type")
    assert kept == {
        "app.models.Reading": [f"column value: {version}"],
        "app.models.Derived": [f"foreign key column reading_value takes its type from readings.value, whose type "
                               f"is unknown: column value: {version}"],
    }
    assert differences == []
    models = out["app/models.py"]
    assert '    sensor_id: int | None = Field(default=None, sa_type=BigInteger, foreign_key="sensors.id")\n' in models
    assert "    scale: float\n" in models
TABLE_ARGS_MODELS = """
from sqlalchemy import Column, Index, Integer, PrimaryKeyConstraint, String, UniqueConstraint

from app.db import Base


class Experiment(Base):
    __tablename__ = "experiments"

    experiment_id = Column(Integer, autoincrement=True)
    name = Column(String(256), nullable=False)
    owner = Column(String(64))
    stage = Column(String(20))

    __table_args__ = (
        PrimaryKeyConstraint("experiment_id", name="experiment_pk"),
        UniqueConstraint("name", "owner", name="uq_experiment_name_owner"),
        Index("ix_experiment_stage_owner", "stage", "owner"),
        {"comment": "experiments"},
    )
"""


def test_table_args_primary_key_constraint_keeps_the_column_a_key(tmp_path):
    """A key declared only by ``PrimaryKeyConstraint(..., name=...)`` in ``__table_args__`` stays the
    primary key (NOT NULL, the constraint named as before); the UniqueConstraint and Index naming
    columns by string survive with ``__table_args__`` as written: the same DDL on PostgreSQL and SQLite."""
    before_root = _project(tmp_path / "before", TABLE_ARGS_MODELS)
    after_root = _project(tmp_path / "after", TABLE_ARGS_MODELS)
    out = rewrite_tree(after_root)
    assert out["app/models.py"] == '''from typing import Optional

from sqlalchemy import Index, PrimaryKeyConstraint, UniqueConstraint
from sqlmodel import Field

from app.db import SQLModelBase


class Experiment(SQLModelBase, table=True):
    __tablename__ = "experiments"

    experiment_id: Optional[int] = Field(default=None, primary_key=True, sa_column_kwargs={"autoincrement": True})
    name: str = Field(max_length=256)
    owner: Optional[str] = Field(max_length=64)
    stage: Optional[str] = Field(max_length=20)

    __table_args__ = (
        PrimaryKeyConstraint("experiment_id", name="experiment_pk"),
        UniqueConstraint("name", "owner", name="uq_experiment_name_owner"),
        Index("ix_experiment_stage_owner", "stage", "owner"),
        {"comment": "experiments"},
    )
'''
    for path, text in out.items():
        (after_root / path).write_text(text, encoding="utf-8")
    before, after = snapshot(before_root), snapshot(after_root)
    ddl = before["tables"]["experiments"]["ddl"]
    assert "experiment_id SERIAL NOT NULL" in ddl["postgresql"]
    assert "CONSTRAINT experiment_pk PRIMARY KEY (experiment_id)" in ddl["postgresql"]
    assert "ix_experiment_stage_owner" in ddl["sqlite"] and "uq_experiment_name_owner" in ddl["sqlite"]
    assert compare_ddl(before, after, ("postgresql", "sqlite")).differences == []


def test_a_base_with_columns_and_a_computed_table_name_keeps_its_models(tmp_path):
    """Columns and a regex ``__tablename__`` on the declarative base: SQLModel classes would inherit
    neither, so the models stay, with that reason, and nothing is written."""
    db = '''
import re
import uuid

from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

CAMEL_TO_SNAKE = re.compile(r"(?<!^)(?=[A-Z])")


class Base(DeclarativeBase):
    @declared_attr.directive
    def __tablename__(cls) -> str:
        return CAMEL_TO_SNAKE.sub("_", cls.__name__).lower()

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
'''
    models = '''
from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base


class WorkPool(Base):
    name: Mapped[str] = mapped_column(String(100))
'''
    schemas = "import uuid\n\nfrom pydantic import BaseModel\n\n\nclass WorkPoolOut(BaseModel):\n    id: uuid.UUID\n"
    root = _project(tmp_path, models, schemas, {"app/db.py": db})
    r = run([str(root)], Config(), use_cache=False)
    assert [m.table for m in r.result.models] == [None]
    assert [f.code for f in r.result.findings if f.code == "SQM106"] == []
    assert rewrite_tree(root) == {}
    proc = cli("rewrite", ".", "--no-cache", "--dry-run", cwd=root)
    assert ("keep    app.models.WorkPool (app/models.py): declarative base Base declares id, __tablename__, "
            "which SQLModel classes would not inherit") in proc.stderr


def test_a_moved_field_takes_its_comment_and_a_parenthesised_import_keeps_its_shape(tmp_path):
    """Regression: the end-of-line comment of a field moved to the shared base stayed behind as a
    line of its own above the next field, and removing a name from ``from x import (\n a,\n b,\n)``
    collapsed the closing parenthesis onto the last name (``Text)``)."""
    root = _project(tmp_path, """
        from sqlalchemy import (
            Column,
            Integer,
            String,
            Text,
        )

        from app.db import Base


        class Tag(Base):
            __tablename__ = "tags"

            id = Column(Integer, primary_key=True)  # surrogate key
            label = Column(String(30), nullable=False)  # what users see
            note = Column(Text)  # in URLs
        """, """
        from pydantic import BaseModel, Field


        class TagCreate(BaseModel):
            label: str = Field(max_length=30)
        """)
    assert rewrite_tree(root)["app/models.py"] == '''from typing import Optional

from sqlalchemy import (
    Text,
)
from sqlmodel import Field

from app.db import SQLModelBase


class TagBase(SQLModelBase):
    """Fields Tag shares with TagCreate."""

    label: str = Field(max_length=30)  # what users see


class Tag(TagBase, table=True):
    __tablename__ = "tags"

    id: Optional[int] = Field(default=None, primary_key=True)  # surrogate key
    note: Optional[str] = Field(sa_type=Text)  # in URLs
'''


def test_models_of_a_declarative_base_cls_stay(tmp_path):
    """A ``declarative_base(cls=CustomBase)`` model, seen now that CustomBase's ``declared_attr`` names
    its table, stays on SQLAlchemy: SQLModel classes would not inherit the table-name rule."""
    root = _project(tmp_path, """
        from sqlalchemy import Column, Integer, String

        from app.db import Base


        class Item(Base):
            id = Column(Integer, primary_key=True)
            title = Column(String(20))
        """, extra={"app/db.py": """
        from sqlalchemy.orm import declarative_base, declared_attr


        class CustomBase:
            @declared_attr
            def __tablename__(cls):
                return cls.__name__.lower() + "s"


        Base = declarative_base(cls=CustomBase)
        """})
    r = run([str(root)], Config(), use_cache=False)
    assert [(m.qualname, m.table) for m in r.result.models] == [("app.models.Item", "items")]
    assert rewrite_tree(root) == {}


def test_a_none_type_argument_is_no_type(tmp_path):
    """Regression: ``mapped_column(None, nullable=True)`` (letta's way of saying "the type comes from the
    annotation") became ``Field(sa_type=None)``, a NullType column: the DDL lost the types. ``None``
    gives no type: the annotation's type stands, in the analysis and the rewrite."""
    root = _project(tmp_path / "p", """
        from typing import Optional

        from sqlalchemy import ForeignKey
        from sqlalchemy.orm import Mapped, mapped_column

        from app.db import Base


        class Step(Base):
            __tablename__ = "steps"
            id: Mapped[int] = mapped_column(primary_key=True)
            model: Mapped[Optional[str]] = mapped_column(None, nullable=True)
            tokens: Mapped[int] = mapped_column(None)
            parent_id: Mapped[Optional[int]] = mapped_column(None, ForeignKey("steps.id"))
        """)
    r = run([str(root)], Config(), use_cache=False)
    assert [(c.attr, c.sql_type, c.python_type) for m in r.result.models for c in m.columns] == [
        ("id", "Integer", "int"), ("model", "String", "str"), ("tokens", "Integer", "int"),
        ("parent_id", "Integer", "int")]
    out, kept, differences = _rewritten_and_compared(root)
    assert kept == {} and differences == []
    models = out["app/models.py"]
    assert "    model: Optional[str]\n    tokens: int\n" in models and "sa_type" not in models
    assert '    parent_id: Optional[int] = Field(foreign_key="steps.id")\n' in models


def test_a_sqlmodel_base_in_a_module_importing_the_models_is_not_reused(tmp_path):
    """Regression (review): the SQLModel base of a module that imports the declarative base's module was
    reused there, so the models' module imported it back above ``Base = declarative_base()``: a circular
    import. Only a base in the declarative base's own module is reused; elsewhere a new one is written."""
    root = tmp_path / "p"
    write_tree(root, {
        "app/__init__.py": "",
        "app/models.py": """
            from sqlalchemy import Column, Integer, String
            from sqlalchemy.orm import declarative_base

            Base = declarative_base()


            class User(Base):
                __tablename__ = "users"
                id = Column(Integer, primary_key=True)
                name = Column(String(20), nullable=False)
            """,
        "app/tables.py": """
            from typing import Optional

            from sqlmodel import Field, SQLModel

            from app.models import Base


            class TableBase(SQLModel, registry=Base.registry):
                pass


            class Tag(TableBase, table=True):
                __tablename__ = "tags"
                id: Optional[int] = Field(default=None, primary_key=True)
            """,
    })
    out, kept, differences = _rewritten_and_compared(root)
    assert kept == {} and differences == []
    assert sorted(out) == ["app/models.py"]
    assert "app.tables" not in out["app/models.py"]
    assert "class SQLModelBase(SQLModel, registry=Base.registry):" in out["app/models.py"]


def test_a_schema_field_with_annotated_metadata_stays_on_the_schema(tmp_path):
    """Regression (review): ``kind: Annotated[Optional[str], Field(description=...)]`` moved into the shared
    base with pydantic's ``Field`` in its annotation, which models.py did not import (NameError), next to
    SQLModel's ``Field`` as the value. Such a field stays on the schema; the column goes to the table."""
    root = _project(tmp_path / "p", """
        from sqlalchemy import Column, Integer, String

        from app.db import Base


        class User(Base):
            __tablename__ = "users"
            id = Column(Integer, primary_key=True)
            kind = Column(String(5))
            name = Column(String(20), nullable=False)
        """, """
        from typing import Optional

        from typing_extensions import Annotated
        from pydantic import BaseModel, Field


        class UserRead(BaseModel):
            name: str = Field(max_length=20)
            kind: Annotated[Optional[str], Field(description="admin or user")]
        """)
    out, kept, differences = _rewritten_and_compared(root)
    assert kept == {} and differences == []
    assert "Annotated" not in out["app/models.py"]
    assert "    kind: Optional[str] = Field(max_length=5)\n" in out["app/models.py"]
    assert '    kind: Annotated[Optional[str], Field(description="admin or user")]\n' in out["app/schemas.py"]
    proc = subprocess.run([sys.executable, "-c", "import app.models, app.schemas"], cwd=root, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
