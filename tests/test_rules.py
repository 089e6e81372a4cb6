"""One positive and one negative snippet per rule; findings compared exactly."""

from __future__ import annotations

import pytest

from tests.conftest import codes

DB = """
from sqlalchemy.orm import declarative_base
Base = declarative_base()
"""

POST_MODEL = """
from sqlalchemy import Boolean, Column, ForeignKey, Integer, Numeric, String, Text
from sqlalchemy.orm import relationship
from app.db import Base


class Post(Base):
    __tablename__ = "posts"
    id = Column(Integer, primary_key=True)
    title = Column(String(200), nullable=False)
    body = Column(Text)
    published = Column(Boolean, default=False, nullable=False)
    rating = Column(Numeric(10, 2))
    author_id = Column(Integer, ForeignKey("users.id"), index=True)
"""


def tree(schemas: str, models: str = POST_MODEL, **extra: str) -> dict[str, str]:
    files = {"app/__init__.py": "", "app/db.py": DB, "app/models.py": models, "app/schemas.py": schemas}
    files.update(extra)
    return files


S = "app.schemas."


def test_sqm101_duplicated_field(project):
    r = project(tree("""
        from pydantic import BaseModel

        class PostOut(BaseModel):
            id: int
            title: str
            summary: str
        """))
    assert codes(r, "SQM101") == [("app/schemas.py", 4, S + "PostOut.id"), ("app/schemas.py", 5, S + "PostOut.title")]
    assert codes(r, "SQM106") == [("app/schemas.py", 6, S + "PostOut.summary")]


def test_sqm101_negative_unpaired_schema(project):
    r = project(tree("""
        from pydantic import BaseModel

        class Token(BaseModel):
            title: str
        """))
    assert codes(r, "SQM101") == []
    assert codes(r, "SQM107") == [("app/models.py", 6, "app.models.Post"), ("app/schemas.py", 3, S + "Token")]


def test_sqm102_type_drift(project):
    r = project(tree("""
        from pydantic import BaseModel
        from decimal import Decimal

        class PostCreate(BaseModel):
            title: str
            rating: float

        class PostUpdate(BaseModel):
            rating: Decimal | None = None
        """))
    assert codes(r, "SQM102") == [("app/schemas.py", 6, S + "PostCreate.rating")]


def test_sqm102_a_union_none_of_whose_types_is_the_column_s(project):
    """Regression: ``Union[int, bytes]`` (or ``int | bytes``) against a String column was "duplicates
    column" (SQM101), counted as a line the migration removes: a union's family was unknown. A union
    whose every type is known and none is the column's drifts; one that includes it cannot be told."""
    r = project(tree("""
        from typing import Optional, Union

        from pydantic import BaseModel

        class PostCreate(BaseModel):
            title: Optional[Union[int, bytes]] = None
            body: int | bytes | None = None

        class PostUpdate(BaseModel):
            title: Union[str, int, None] = None
            body: Union[int, "Markup"] = None
        """))
    assert codes(r, "SQM102") == [("app/schemas.py", 6, S + "PostCreate.title"),
                                  ("app/schemas.py", 7, S + "PostCreate.body")]
    assert [f.message for f in r.findings if f.code == "SQM102"][0] == (
        "`title: Optional[Union[int, bytes]]` but column Post.title is String(200) (str)")


def test_drift_messages_are_one_line_when_the_code_spans_several(project):
    """Regression: a schema annotation (or a column's type, a default) written over several lines went
    into the SQM102/SQM105 message as written, newlines and indentation included, so the one-line text
    report broke mid-finding."""
    r = project(tree("""
        from typing import Optional

        from pydantic import BaseModel

        class PostCreate(BaseModel):
            title: Optional[
                int
            ] = None
            published: bool = (
                True
            )
        """))
    assert [(f.code, f.message) for f in r.findings if f.code in ("SQM102", "SQM105")] == [
        ("SQM102", "`title: Optional[int]` but column Post.title is String(200) (str)"),
        ("SQM105", "`published` defaults to True in the schema but to False in column Post.published")]


def test_sqm103_nullability(project):
    r = project(tree("""
        from typing import Optional
        from pydantic import BaseModel

        class PostRead(BaseModel):
            body: str
            title: str

        class PostCreate(BaseModel):
            title: Optional[str] = None
            body: Optional[str] = None

        class PostUpdate(BaseModel):
            title: Optional[str] = None
        """))
    assert codes(r, "SQM103") == [("app/schemas.py", 5, S + "PostRead.body"),
                                  ("app/schemas.py", 9, S + "PostCreate.title")]


def test_sqm104_length_and_precision(project):
    r = project(tree("""
        from decimal import Decimal
        from pydantic import BaseModel, Field, condecimal

        class PostCreate(BaseModel):
            title: str = Field(max_length=300)
            rating: condecimal(max_digits=8, decimal_places=2) | None = None

        class PostOut(BaseModel):
            title: str = Field(max_length=200)
        """))
    assert codes(r, "SQM104") == [("app/schemas.py", 5, S + "PostCreate.title"),
                                  ("app/schemas.py", 6, S + "PostCreate.rating")]


def test_sqm105_default_drift(project):
    r = project(tree("""
        from pydantic import BaseModel

        class PostCreate(BaseModel):
            title: str
            published: bool = True

        class PostUpdate(BaseModel):
            published: bool = False

        class PostPatch(BaseModel):
            published: bool | None = None
        """))
    assert codes(r, "SQM105") == [("app/schemas.py", 5, S + "PostCreate.published")]


def test_sqm107_model_without_schema(project):
    r = project(tree("from pydantic import BaseModel\n"))
    assert codes(r, "SQM107") == [("app/models.py", 6, "app.models.Post")]


BLOCKED = """
from sqlalchemy import Column, ForeignKey, ForeignKeyConstraint, Integer, String
from sqlalchemy.ext.associationproxy import association_proxy
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import column_property, relationship
from app.db import Base


class Employee(Base):
    __tablename__ = "employees"
    id = Column(Integer, primary_key=True)
    type = Column(String(20))
    first = Column(String(50))
    __mapper_args__ = {"polymorphic_on": type, "polymorphic_identity": "employee"}

    @hybrid_property
    def name(self):
        return self.first


class Engineer(Employee):
    __tablename__ = "engineers"
    id = Column(Integer, ForeignKey("employees.id"), primary_key=True)
    __mapper_args__ = {"polymorphic_identity": "engineer"}


class Assignment(Base):
    __tablename__ = "assignments"
    employee_id = Column(Integer, ForeignKey("employees.id"), primary_key=True)
    project_id = Column(Integer, primary_key=True)
    employee = relationship("Employee", primaryjoin="Employee.id == Assignment.employee_id")


class Entry(Base):
    __tablename__ = "entries"
    id = Column(Integer, primary_key=True)
    employee_id = Column(Integer)
    project_id = Column(Integer)
    label = column_property(employee_id + project_id)
    tags = association_proxy("x", "y")
    __table_args__ = (ForeignKeyConstraint(["employee_id", "project_id"],
                                           ["assignments.employee_id", "assignments.project_id"]),)


class Clean(Base):
    __tablename__ = "clean"
    id = Column(Integer, primary_key=True)
"""


def test_blockers(project):
    r = project(tree("from pydantic import BaseModel\n", models=BLOCKED))
    got = sorted((f.code, f.line, f.subject) for f in r.findings if f.code.startswith("SQM20"))
    m = "app.models."
    assert got == [
        ("SQM201", 8, m + "Employee"),
        ("SQM201", 20, m + "Engineer"),
        ("SQM202", 20, m + "Engineer"),
        ("SQM203", 26, m + "Assignment"),
        ("SQM204", 33, m + "Entry"),
        ("SQM205", 30, m + "Assignment.employee"),
        ("SQM206", 39, m + "Entry.tags"),
        ("SQM207", 16, m + "Employee.name"),
        ("SQM207", 38, m + "Entry.label"),
    ]
    assert sorted(r.blocked) == [m + "Assignment", m + "Employee", m + "Engineer", m + "Entry"]
    assert r.repo.verdict == "keep"


def test_no_blockers_for_plain_model(project):
    r = project(tree("from pydantic import BaseModel\n"))
    assert [f for f in r.findings if f.code.startswith("SQM20")] == []
    assert r.blocked == {}


CARE = """
from sqlalchemy import Column, ForeignKey, Integer, MetaData, String, Table, TypeDecorator
from sqlalchemy.orm import declared_attr, relationship, validates
from app.db import Base


class Money(TypeDecorator):
    impl = Integer
    cache_ok = True


class Stamped:
    created = Column(Integer)

    @declared_attr
    def owner_id(cls):
        return Column(Integer)


tags = Table("item_tags", Base.metadata, Column("item_id", ForeignKey("items.id")), Column("tag", String(10)))


class Item(Stamped, Base):
    __tablename__ = "items"
    id = Column(Integer, primary_key=True)
    price = Column(Money())
    sku = Column("product_code", String(32))
    tags = relationship("Tag", secondary=tags)

    @validates("sku")
    def check_sku(self, key, value):
        return value


class Tag(Base):
    __tablename__ = "tags"
    id = Column(Integer, primary_key=True)
"""


def test_care_rules(project):
    r = project(tree("from pydantic import BaseModel\n", models=CARE))
    got = sorted((f.code, f.line, f.subject) for f in r.findings if f.code[:5] in ("SQM20", "SQM21"))
    m = "app.models."
    assert got == [
        ("SQM208", 25, m + "Item.price"),
        ("SQM209", 22, m + "Item"),
        ("SQM210", 27, m + "Item.tags"),
        ("SQM215", 26, m + "Item.sku"),
        ("SQM219", 30, m + "Item.check_sku"),
    ]
    item = next(x for x in r.models if x.qualname == m + "Item")
    assert [c.attr for c in item.columns] == ["id", "price", "sku", "created", "owner_id"]


def test_sqm213_sqm214_naming_convention_and_bases(project):
    r = project({
        "app/__init__.py": "",
        "app/db.py": """
            from sqlalchemy import MetaData
            from sqlalchemy.orm import DeclarativeBase

            metadata = MetaData(naming_convention={"pk": "pk_%(table_name)s"})


            class Base(DeclarativeBase):
                metadata = metadata


            class AuditBase(DeclarativeBase):
                pass
            """,
        "app/models.py": """
            from sqlalchemy.orm import Mapped, mapped_column
            from app.db import AuditBase, Base


            class A(Base):
                __tablename__ = "a"
                id: Mapped[int] = mapped_column(primary_key=True)


            class B(AuditBase):
                __tablename__ = "b"
                id: Mapped[int] = mapped_column(primary_key=True)
            """,
    })
    assert codes(r, "SQM213") == [("app/db.py", 4, "app.db.metadata")]
    assert codes(r, "SQM214") == [("app/db.py", 7, "app.db.Base"), ("app/db.py", 11, "app.db.AuditBase")]


def test_sqm213_not_for_the_snapshot_base_of_an_alembic_revision(project):
    """Regression: a revision script's frozen ``Base`` with a naming convention got SQM213 ("the rewrite
    shares one MetaData"), though the rewrite never touches revisions and their classes are no models."""
    r = project(tree("", **{"migrations/versions/0002_tokens.py": """
        from alembic import op
        from sqlalchemy import MetaData
        from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

        revision = "0002"
        down_revision = "0001"


        class Base(DeclarativeBase):
            metadata = MetaData(naming_convention={"pk": "pk_%(table_name)s"})


        class Span(Base):
            __tablename__ = "spans"
            id: Mapped[int] = mapped_column(primary_key=True)
        """}))
    assert codes(r, "SQM213") == []


def test_sqm216_sqm217_sqm218(project):
    r = project(tree("""
        from pydantic import BaseModel, Field, field_validator, validator

        class PostCreate(BaseModel):
            title: str
            slug: str

            @field_validator("title")
            @classmethod
            def strip(cls, v):
                return v.strip()

            @field_validator("slug")
            @classmethod
            def lower(cls, v):
                return v.lower()

        class PostOut(BaseModel):
            id: int
            title: str = Field(alias="postTitle")

            class Config:
                orm_mode = True

            @validator("id")
            def positive(cls, v):
                return v
        """))
    assert codes(r, "SQM216") == [("app/schemas.py", 9, S + "PostCreate.strip"),
                                  ("app/schemas.py", 25, S + "PostOut.positive")]
    assert codes(r, "SQM217") == [("app/schemas.py", 17, S + "PostOut")]
    assert codes(r, "SQM218") == [("app/schemas.py", 17, S + "PostOut")]


USAGE = """
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import async_sessionmaker, AsyncSession
from sqlalchemy.orm import selectinload, sessionmaker
from app.models import Post

Good = async_sessionmaker(expire_on_commit=False)
Bad = async_sessionmaker()
AlsoBad = sessionmaker(class_=AsyncSession)
Sync = sessionmaker()


def legacy(db):
    return db.query(Post).all()


def modern(db):
    return db.scalars(select(Post)).all()


def raw(db, q, cursor, dbapi_connection):
    cursor.execute("SELECT 1")  # DB-API: plain strings are right there
    dbapi_connection.execute("PRAGMA foreign_keys=ON")
    db.execute("SELECT 1")
    db.execute(text("SELECT 1"))
    db.execute(text(f"SELECT * FROM posts WHERE title = '{q}'"))
    db.execute(text("SELECT * FROM posts WHERE title = '%s'" % q))
    db.execute(text("SELECT * FROM posts WHERE title = :q"), {"q": q})
    sql = "SELECT * FROM posts WHERE id = " + q
    db.execute(sql)


def loops(db):
    posts = db.scalars(select(Post)).all()
    for post in posts:
        print(post.author.name, post.title)
        print(post.author.id)  # the same load: one finding per loop
    names = [p.author.name for p in db.scalars(select(Post))]
    eager = db.scalars(select(Post).options(selectinload(Post.comments))).all()
    for post in eager:
        print(post.comments)
    for row in db.execute(text("SELECT author FROM posts")):
        print(row.author)
    return names


async def multi(session):
    rows = (await session.execute(select(Post.id, Post.title))).scalars().all()
    one = (await session.execute(select(Post.id))).scalars().all()
    stmt = select(Post.id, Post.title)
    both = await session.scalars(stmt)
    return rows, one, both
"""

USAGE_MODELS = POST_MODEL + """
    author = relationship("User")
    comments = relationship("Comment")


class User(Base):
    __tablename__ = "users"
    id = Column(Integer, primary_key=True)
    name = Column(String(50))
    posts = relationship("Post", lazy="selectin")
"""


def test_practice_rules(project):
    r = project(tree("from pydantic import BaseModel\n", models=USAGE_MODELS, **{"app/service.py": USAGE}))
    got = sorted((f.code, f.line) for f in r.findings
                 if f.code.startswith("SQM30") and f.path == "app/service.py")
    assert got == [
        ("SQM301", 13), ("SQM302", 23), ("SQM303", 35), ("SQM303", 37),
        ("SQM304", 47), ("SQM304", 50), ("SQM305", 7), ("SQM305", 8),
        ("SQM308", 25), ("SQM308", 26), ("SQM308", 29),
    ]


def test_sqm308_exec_of_a_command_that_is_not_sql(project):
    """Regression: every ``exec()``/``execute()`` of a built string was SQL, so an SSH client's or a
    container's ``exec(f"rm -f {path}")`` was an SQL injection (an error)."""
    r = project(tree("from pydantic import BaseModel\n", **{"app/remote.py": """
        def run(ssh, container, db, conn, session, path, name, table):
            ssh.exec(f"rm -f {path}")
            ssh.exec(f"{name} --version")
            container.execute("docker pull " + name)
            ssh.exec(f"  SELECT * FROM {table}")
            db.exec(f"{table}")
            conn.execute("DELETE FROM %s" % table)
            ssh.execute("select * from {}".format(table))
            session.execute(f"CALL refresh_stats('{name}')")
            db.execute(f"EXPLAIN ANALYZE SELECT * FROM {table}")
        """}))
    # review: a database handle's SQL counts whatever its first word (CALL, EXPLAIN)
    assert [(f.code, f.line) for f in r.findings if f.path == "app/remote.py"] == [
        ("SQM308", 5), ("SQM308", 6), ("SQM308", 7), ("SQM308", 8), ("SQM308", 9), ("SQM308", 10)]


def test_sqm302_not_on_a_driver_connection(project):
    """Regression: ``conn = sqlite3.connect(path); conn.execute("PRAGMA ...")`` was a plain SQL string
    without text(), but a DB-API connection takes plain SQL; a SQLAlchemy one does not."""
    r = project(tree("from pydantic import BaseModel\n", **{"app/local.py": """
        import sqlite3

        import psycopg2


        def setup(path, engine):
            conn = sqlite3.connect(path)
            conn.execute("PRAGMA journal_mode=WAL")
            psycopg2.connect(path).cursor().execute("SELECT 1")
            with engine.connect() as connection:
                connection.execute("SELECT 1")
        """}))
    assert [(f.code, f.line) for f in r.findings if f.path == "app/local.py"] == [("SQM302", 11)]


def test_sqm303_not_for_the_rows_execute_returns(project):
    """Regression: a loop over ``execute()`` rows of a statement built elsewhere was SQM303 when a column
    label (``row.author``) was named like some model's relationship; the rows ``execute()`` returns
    carry the selected columns and entities, never a relationship. Through ``scalars()`` they are objects."""
    r = project(tree("from pydantic import BaseModel\n", models=USAGE_MODELS, **{"app/service.py": """
        from sqlalchemy import select

        from app.models import Post
        from app.queries import counts_by_author


        async def counts(session):
            rows = await session.execute(counts_by_author())
            by_author = {row.author: row.n for row in rows}
            for row in (await session.execute(counts_by_author())).all():
                print(row.author)
            for post in (await session.execute(select(Post))).scalars():
                print(post.author)
            return by_author
        """}))
    assert [(f.line, f.message) for f in r.findings if f.code == "SQM303"] == [
        (13, "post.author loads a relationship once per row")]


def test_sqm307_sensitive_response_model(project):
    r = project(tree(
        """
        from pydantic import BaseModel

        class UserInDB(BaseModel):
            name: str
            hashed_password: str

        class UserCreate(BaseModel):
            name: str
            password: str
        """,
        models=USAGE_MODELS,
        **{"app/api.py": """
            from fastapi import APIRouter
            from app.schemas import UserCreate, UserInDB

            router = APIRouter()


            @router.get("/me", response_model=UserInDB)
            def me():
                ...


            @router.post("/users", response_model=None)
            def create(body: UserCreate):
                ...
            """},
    ))
    assert codes(r, "SQM307") == [("app/schemas.py", 5, S + "UserInDB.hashed_password")]


def test_sqm307_skips_names_that_hold_no_secret(project):
    """Regression: any name with ``token`` in it was a secret sent to clients (an error), pagination
    cursors and token types included; and a secret's URL (``otp_secret_url``, which carries it) was
    taken for an endpoint like ``token_url``."""
    r = project(tree(
        """
        from pydantic import BaseModel

        class Page(BaseModel):
            next_page_token: str | None
            token_type: str
            access_token: str
            password_min_length: int
            OAUTH_TOKEN_ENDPOINT_AUTH_METHOD: str
            api_key: str
            token_url: str
            otp_secret_url: str
            password_url: str
        """,
        models=USAGE_MODELS,
        **{"app/api.py": """
            from fastapi import APIRouter
            from app.schemas import Page

            router = APIRouter()


            @router.get("/page", response_model=Page)
            def page():
                ...
            """},
    ))
    assert codes(r, "SQM307") == [("app/schemas.py", 6, S + "Page.access_token"), ("app/schemas.py", 9, S + "Page.api_key"),
                                  ("app/schemas.py", 11, S + "Page.otp_secret_url")]


def test_sqm302_leaves_alembic_s_plain_sql_alone(project):
    """Regression: ``op.execute("...")`` in every migration was a warning; Alembic takes plain SQL there."""
    r = project(tree("from pydantic import BaseModel\n", models=USAGE_MODELS, **{
        "migrations/versions/0001_seed.py": """
            from alembic import context, op
            import alembic


            def upgrade():
                op.execute("UPDATE users SET name = 'x'")
                context.execute("DELETE FROM users")
                alembic.op.execute("SELECT 1")
                op.get_bind().execute("SELECT 1")
            """}))
    assert [(f.path, f.line) for f in r.findings if f.code == "SQM302"] == [("migrations/versions/0001_seed.py", 9)]


def test_sqm309_unindexed_foreign_key(project):
    r = project(tree("from pydantic import BaseModel\n", models=POST_MODEL.replace(", index=True", "")))
    assert codes(r, "SQM309") == [("app/models.py", 13, "app.models.Post.author_id")]
    assert codes(project(tree("from pydantic import BaseModel\n")), "SQM309") == []


def test_sqm309_index_in_table_args(project):
    models = POST_MODEL.replace(", index=True", "").replace(
        "from sqlalchemy import", "from sqlalchemy import Index,") + \
        '    __table_args__ = (Index("ix_posts_author", "author_id"),)\n'
    r = project(tree("from pydantic import BaseModel\n", models=models))
    assert codes(r, "SQM309") == []


def test_sqm309_an_index_named_by_a_constant_leads_with_its_first_column(project):
    """Regression (Home Assistant's recorder): ``Index(IX_NAME, "author_id", "title")`` names the index
    with a constant; that name was taken for the leading column, so the foreign key it indexes was
    SQM309. The first argument of ``Index`` is its name whatever it is; an index leading with an
    expression (``text("title DESC")``) covers no column."""
    models = POST_MODEL.replace(", index=True", "").replace(
        "from sqlalchemy import", "from sqlalchemy import Index, text,").replace(
        "class Post(Base):", 'IX_AUTHOR = "ix_posts_author_title"\n\n\nclass Post(Base):')
    covered = models + '    __table_args__ = (Index(IX_AUTHOR, "author_id", "title"),)\n'
    assert codes(project(tree("from pydantic import BaseModel\n", models=covered)), "SQM309") == []
    led_by_text = models + '    __table_args__ = (Index("ix_posts_title", text("title DESC"), "author_id"),)\n'
    assert codes(project(tree("from pydantic import BaseModel\n", models=led_by_text)), "SQM309") == [
        ("app/models.py", 16, "app.models.Post.author_id")]


def test_sqm306_alembic_env(project):
    files = tree("from pydantic import BaseModel\n")
    files["migrations/env.py"] = """
        from app.db import Base

        target_metadata = Base.metadata
        """
    r = project(files)
    assert codes(r, "SQM306") == [("migrations/env.py", 3, "env")]


def test_sqm306_negative_when_models_imported(project):
    files = tree("from pydantic import BaseModel\n")
    files["migrations/env.py"] = """
        import app.models  # noqa: F401
        from app.db import Base

        target_metadata = Base.metadata
        """
    assert codes(project(files), "SQM306") == []


def test_sqm306_does_not_ask_for_models_tests_declare(project):
    """Regression (ckan): a model a test declares (``tests/.../test_fixtures.py``) is no table of the
    app's; SQM306 asked env.py to import that test module (and ``migrate`` would have added it)."""
    files = tree("from pydantic import BaseModel\n")
    files["migrations/env.py"] = """
        import app.models  # noqa: F401
        from app.db import Base

        target_metadata = Base.metadata
        """
    files["tests/__init__.py"] = ""
    files["tests/test_fixtures.py"] = """
        from sqlalchemy import Column, Integer

        from app.db import Base


        class ScratchModel(Base):
            __tablename__ = "scratch"
            id = Column(Integer, primary_key=True)
        """
    assert codes(project(files), "SQM306") == []


@pytest.mark.parametrize("env", [
    'target_metadata = current_app.extensions["migrate"].db.metadata\n',
    'from app.db import Base\n\nconfig.set_main_option("sqlalchemy.url", current_app.config["DB_URI"])\n'
    'target_metadata = Base.metadata\n',
])
def test_sqm306_negative_when_env_runs_inside_the_flask_app(project, env):
    """Regression (indico, superset): Flask-Migrate runs env.py inside the app, whose start-up imports
    the models; env.py reads ``current_app`` (for ``target_metadata`` itself, or the database URL),
    and what it imports itself says nothing of what the metadata holds."""
    files = tree("from pydantic import BaseModel\n")
    files["migrations/env.py"] = "from alembic import context\nfrom flask import current_app\n\n" \
        "config = context.config\n" + env
    assert codes(project(files), "SQM306") == []


@pytest.mark.parametrize("comment, expected", [
    ("  # sqlmig: ignore[SQM309]", []),
    ("  # sqlmig: ignore", []),
    ("  # sqlmig: ignore[SQM101]", [("app/models.py", 13, "app.models.Post.author_id")]),
])
def test_inline_suppression(project, comment, expected):
    models = POST_MODEL.replace(', index=True)', ')' + comment)
    r = project(tree("from pydantic import BaseModel\n", models=models))
    assert codes(r, "SQM309") == expected


def test_ignore_file(project):
    models = "# sqlmig: ignore-file\n" + POST_MODEL.replace(", index=True", "")
    r = project(tree("from pydantic import BaseModel\n", models=models))
    assert [f for f in r.findings if f.path == "app/models.py"] == []


def test_inherited_hybrid_and_proxy_are_not_missing_columns(project):
    """Regression: a subclass's pair reported its parent's hybrid property as a field without column."""
    models = BLOCKED.replace("class Assignment", "class Unused")
    r = project(tree("""
        from pydantic import BaseModel

        class EmployeeOut(BaseModel):
            id: int
            name: str

        class EngineerOut(EmployeeOut):
            pass
        """, models=models))
    assert codes(r, "SQM106") == []


def test_sqm211_sqm212_events_and_sqm213_table_schema(project):
    r = project({
        "app/__init__.py": "",
        "app/db.py": """
            from sqlalchemy.orm import DeclarativeBase, MappedAsDataclass


            class Base(MappedAsDataclass, DeclarativeBase):
                pass
            """,
        "app/models.py": """
            from sqlalchemy import event
            from sqlalchemy.orm import Mapped, mapped_column
            from app.db import Base


            class Audit(Base):
                __tablename__ = "audit"
                __table_args__ = {"schema": "logs"}
                id: Mapped[int] = mapped_column(primary_key=True, init=False)


            @event.listens_for(Audit, "before_insert")
            def stamp(mapper, connection, target):
                pass


            def setup():
                event.listen(Audit.id, "set", stamp)
                event.listen(object, "set", stamp)
            """,
    })
    assert codes(r, "SQM211") == [("app/db.py", 4, "app.db.Base")]
    assert codes(r, "SQM212") == [("app/models.py", 12, "app.models.stamp"), ("app/models.py", 18, "app.models.setup")]
    assert codes(r, "SQM213") == [("app/models.py", 6, "app.models.Audit")]


MIGRATED = {
    "app/__init__.py": "",
    "app/db.py": """
        from sqlalchemy.orm import declarative_base
        from sqlmodel import SQLModel

        Base = declarative_base()


        class SQLModelBase(SQLModel, registry=Base.registry):
            \"\"\"SQLModel classes map through Base's registry: one MetaData for every table.\"\"\"
        """,
    "app/models.py": """
        from sqlalchemy import String
        from sqlmodel import Field, SQLModel

        from app.db import SQLModelBase


        class UserBase(SQLModelBase):
            email: str = Field(sa_type=String(100))
            name: str = Field(sa_type=String(50))


        class User(UserBase, table=True):
            __tablename__ = "users"
            id: int | None = Field(default=None, primary_key=True)


        class TableBase(SQLModel):
            pass


        class Tag(TableBase, table=True):
            id: int | None = Field(default=None, primary_key=True)
        """,
    "app/schemas.py": """
        from pydantic import BaseModel

        from app.models import UserBase


        class UserCreate(UserBase):
            pass


        class UserOut(BaseModel):
            id: int
            email: str
        """,
}


def _readiness(r) -> list[tuple]:
    return [(v.scope, v.verdict, v.reasons, v.models, v.schemas, v.pairs, v.duplicated_fields) for v in r.readiness]


def test_a_project_rewrite_migrated_has_no_plumbing_schemas_nor_self_duplicates(project):
    """Regression: after ``rewrite``, the registry base counted as a schema and UserBase's fields as
    duplicates of the columns User inherits from it."""
    r = project(MIGRATED)
    assert [(m.qualname, m.style) for m in r.models] == [("app.models.Tag", "sqlmodel"), ("app.models.User", "sqlmodel")]
    assert [s.qualname for s in r.schemas] == ["app.models.UserBase", "app.schemas.UserCreate", "app.schemas.UserOut"]
    assert [(p.model, p.schema) for p in r.pairs] == [("app.models.User", "app.models.UserBase"),
                                                      ("app.models.User", "app.schemas.UserCreate"),
                                                      ("app.models.User", "app.schemas.UserOut")]
    # a schema declaring the fields again still duplicates them
    assert [(f.code, f.subject) for f in r.findings] == [("SQM101", "app.schemas.UserOut.id"),
                                                         ("SQM101", "app.schemas.UserOut.email")]


def test_readiness_of_a_project_rewrite_migrated(project):
    """Regression: the module rows counted the SQLModel model the repo row did not, and the repo
    was "keep (no SQLAlchemy models found)"."""
    r = project(MIGRATED)
    already = "1 model is already on SQLModel"
    assert _readiness(r) == [
        ("app.models", "keep", ("2 models are already on SQLModel: nothing left to migrate",), 0, 1, 1, 0),
        ("app.schemas", "keep", (f"{already}: nothing left to migrate",), 0, 2, 2, 2),
        ("<repo>", "keep", ("2 models are already on SQLModel: nothing left to migrate",), 0, 3, 3, 2),
    ]


def test_readiness_counts_sqlalchemy_models_alike_in_module_and_repo_rows(project):
    r = project({
        **MIGRATED,
        "app/legacy.py": """
            from sqlalchemy import Column, Integer, String
            from app.db import Base


            class Invoice(Base):
                __tablename__ = "invoices"
                id = Column(Integer, primary_key=True)
                number = Column(String(20), nullable=False)
            """,
        "app/billing.py": """
            from pydantic import BaseModel


            class InvoiceOut(BaseModel):
                id: int
                number: str
            """,
    })
    assert _readiness(r)[0] == ("app.billing", "migrate", ("1 of 1 models can move",), 1, 1, 1, 2)
    assert _readiness(r)[1] == ("app.legacy", "migrate", ("1 of 1 models can move",), 1, 0, 0, 0)
    assert _readiness(r)[-1] == ("<repo>", "migrate", (
        "1 of 1 models have no blocker", "4 duplicated fields across 4 model/schema pairs",
        "2 models are already on SQLModel"), 1, 4, 4, 4)


def test_sqm102_says_so_when_the_column_s_sql_type_is_unknown(project):
    """Regression (review): a typeless foreign key column whose target is not among the models has no
    SQL type; the message read "column Order.account_id is ? (int)"."""
    r = project({
        "app/__init__.py": "",
        "app/models.py": """
            from sqlalchemy import ForeignKey
            from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


            class Base(DeclarativeBase):
                pass


            class Order(Base):
                __tablename__ = "orders"
                id: Mapped[int] = mapped_column(primary_key=True)
                account_id: Mapped[int] = mapped_column(ForeignKey("billing.accounts.id"))
            """,
        "app/schemas.py": """
            from pydantic import BaseModel


            class OrderOut(BaseModel):
                id: int
                account_id: str
            """,
    })
    assert [f.message for f in r.findings if f.code == "SQM102"] == [
        "`account_id: str` but column Order.account_id is int (its SQL type is not known statically)"]


def test_sqm103_an_explicit_none_default_is_no_default(project):
    """Regression: ``Column(..., nullable=False, default=None)`` (or ``server_default=None``) counted as a
    column with a default, so a create schema accepting None for it got no SQM103, and the JSON said
    ``"default": "None"``; SQLAlchemy gives such a column no default at all."""
    models = POST_MODEL.replace('title = Column(String(200), nullable=False)',
                                'title = Column(String(200), nullable=False, default=None)').replace(
        'body = Column(Text)', 'body = Column(Text, nullable=False, server_default=None, insert_default="")')
    r = project(tree("""
        from typing import Optional
        from pydantic import BaseModel

        class PostCreate(BaseModel):
            title: Optional[str] = None
            body: Optional[str] = None
        """, models=models))
    assert codes(r, "SQM103") == [("app/schemas.py", 5, S + "PostCreate.title")]
    cols = {c.attr: (c.default, c.server_default) for m in r.models for c in m.columns}
    assert (cols["title"], cols["body"]) == ((None, None), ('""', None))


def test_sqm307_a_boolean_field_holds_no_secret(project):
    """Regression: letta's ``return_token_ids: bool`` (whether to return token ids) was a secret sent to
    clients, an error; a field typed bool cannot carry a token or a password, whatever its name."""
    r = project(tree(
        """
        from typing import Optional

        from pydantic import BaseModel

        class Page(BaseModel):
            return_token_ids: bool = False
            password_set: Optional[bool] = None
            access_token: str
        """,
        models=USAGE_MODELS,
        **{"app/api.py": """
            from fastapi import APIRouter
            from app.schemas import Page

            router = APIRouter()


            @router.get("/page", response_model=Page)
            def page():
                ...
            """},
    ))
    assert codes(r, "SQM307") == [("app/schemas.py", 8, S + "Page.access_token")]


def test_sqm106_a_field_reading_a_column_through_its_alias_has_one(project):
    """Regression: letta's ``metadata: dict = Field(validation_alias="metadata_")`` reads column
    ``metadata_`` from the model, yet got SQM106 "has no column"; a ``serialization_alias`` only renames
    the output and reads the field's own name."""
    r = project(tree("""
        from pydantic import BaseModel, ConfigDict, Field

        class PostOut(BaseModel):
            model_config = ConfigDict(from_attributes=True)
            id: int
            headline: str = Field(validation_alias="title")
            text: str = Field(None, alias="body")
            summary: str = Field(serialization_alias="body")
            extra: str
        """))
    assert codes(r, "SQM106") == [("app/schemas.py", 8, S + "PostOut.summary"), ("app/schemas.py", 9, S + "PostOut.extra")]
