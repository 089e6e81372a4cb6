"""Alias and cross-module resolution, both mapping styles, and the newest syntax."""

from __future__ import annotations

import json

import pytest

from sqlmig.report.json import render
from sqlmig.rewrite.apply import compute
from sqlmig.rewrite.plan import Planner


def _model(r, qualname):
    return next(m for m in r.models if m.qualname == qualname)


def _cols(model):
    return {c.attr: c for c in model.columns}


def test_aliases_and_cross_module_bases(project):
    r = project({
        "pkg/__init__.py": "",
        "pkg/core/__init__.py": "from .base import Model as BaseModelAlias\n",
        "pkg/core/base.py": """
            import sqlalchemy.orm as orm

            Model = orm.declarative_base()
            """,
        "pkg/core/mixins.py": """
            from sqlalchemy import Column as C, DateTime, func


            class Timestamps:
                created_at = C(DateTime(timezone=True), server_default=func.now(), nullable=False)
            """,
        "pkg/users/__init__.py": "",
        "pkg/users/models.py": """
            import sqlalchemy as sa
            from pkg.core import BaseModelAlias
            from ..core.mixins import Timestamps


            class User(Timestamps, BaseModelAlias):
                __tablename__ = "users"
                id = sa.Column(sa.BigInteger, primary_key=True)
                email = sa.Column("email_address", sa.types.String(length=320), nullable=False, unique=True)
                bio = sa.Column(sa.Text)
            """,
    })
    user = _model(r, "pkg.users.models.User")
    cols = _cols(user)
    assert user.table == "users" and user.base == "pkg.core.base.Model"
    assert (cols["id"].type_name, cols["id"].nullable, cols["id"].primary_key) == ("BigInteger", False, True)
    assert (cols["email"].name, cols["email"].length, cols["email"].nullable) == ("email_address", 320, False)
    assert cols["bio"].nullable is True and cols["bio"].python_type == "str"
    assert cols["created_at"].owner == "pkg.core.mixins.Timestamps" and cols["created_at"].timezone is True
    assert user.mixins == ("pkg.core.mixins.Timestamps",)


def test_mapped_style_with_annotated_aliases(project):
    r = project({
        "app/__init__.py": "",
        "app/types.py": """
            from typing import Annotated
            from sqlalchemy import String
            from sqlalchemy.orm import mapped_column

            intpk = Annotated[int, mapped_column(primary_key=True)]
            str_32 = Annotated[str, mapped_column(String(32))]
            type money = Annotated[Decimal, mapped_column(Numeric(12, 2))]
            """,
        "app/models.py": """
            from datetime import datetime
            from datetime import datetime
            from decimal import Decimal
            from typing import Optional
            from sqlalchemy import ForeignKey, Numeric
            from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
            from app.types import intpk, str_32, money


            class Base(DeclarativeBase):
                pass


            class Hotel(Base):
                __tablename__ = "hotels"
                id: Mapped[intpk]
                name: Mapped[str_32]
                nick: Mapped[Optional[str_32]]
                stars: Mapped[int | None]
                opened: Mapped[datetime]
                price: Mapped[money]
                rooms: Mapped[list["Room"]] = relationship(back_populates="hotel", lazy="selectin")


            class Room(Base):
                __tablename__ = "rooms"
                id: Mapped[intpk]
                hotel_id: Mapped[int] = mapped_column(ForeignKey("hotels.id", ondelete="CASCADE"), index=True)
                hotel: Mapped["Hotel"] = relationship(back_populates="rooms")
            """,
    })
    hotel = _model(r, "app.models.Hotel")
    cols = _cols(hotel)
    assert (cols["id"].primary_key, cols["id"].nullable, cols["id"].type_name) == (True, False, "Integer")
    assert (cols["name"].length, cols["name"].nullable, cols["name"].type_name) == (32, False, "String")
    assert (cols["nick"].length, cols["nick"].nullable) == (32, True)
    assert cols["stars"].nullable is True and cols["stars"].python_type == "int"
    assert (cols["opened"].type_name, cols["opened"].timezone) == ("DateTime", False)
    assert (cols["price"].precision, cols["price"].scale) == (12, 2)
    assert [(x.attr, x.target, x.lazy) for x in hotel.relationships] == [("rooms", "Room", "selectin")]
    room = _cols(_model(r, "app.models.Room"))
    assert (room["hotel_id"].foreign_key, room["hotel_id"].ondelete, room["hotel_id"].index) == \
        ("hotels.id", "CASCADE", True)


def test_declared_attr_tablename_and_registry(project):
    r = project({
        "app/__init__.py": "",
        "app/base.py": """
            from sqlalchemy.orm import declared_attr, registry

            mapper_registry = registry()


            class Base:
                @declared_attr.directive
                def __tablename__(cls) -> str:
                    return cls.__name__.lower()


            Base = mapper_registry.generate_base(cls=Base)
            """,
        "app/models.py": """
            from sqlalchemy import Column, Integer
            from app.base import Base


            class Invoice(Base):
                id = Column(Integer, primary_key=True)


            class Abstract(Base):
                __abstract__ = True
                id = Column(Integer, primary_key=True)
            """,
    })
    assert [(m.qualname, m.table) for m in r.models] == [("app.models.Invoice", "invoice")]


def test_same_class_name_model_and_schema(project):
    r = project({
        "shop/__init__.py": "",
        "shop/db/__init__.py": "",
        "shop/db/models.py": """
            from sqlalchemy import Column, Integer, String
            from sqlalchemy.orm import declarative_base

            Base = declarative_base()


            class Warehouse(Base):
                __tablename__ = "warehouses"
                id = Column(Integer, primary_key=True)
                city = Column(String(80), nullable=False)
            """,
        "shop/api/__init__.py": "",
        "shop/api/schemas.py": """
            from pydantic import BaseModel, ConfigDict


            class Warehouse(BaseModel):
                model_config = ConfigDict(from_attributes=True)
                id: int
                city: str
            """,
    })
    assert [m.qualname for m in r.models] == ["shop.db.models.Warehouse"]
    assert [s.qualname for s in r.schemas] == ["shop.api.schemas.Warehouse"]
    assert [(p.model, p.schema, p.role, p.shared_fields) for p in r.pairs] == [
        ("shop.db.models.Warehouse", "shop.api.schemas.Warehouse", "read", ("id", "city"))]


def test_schema_inheritance_across_modules_and_type_checking(project):
    r = project({
        "app/__init__.py": "",
        "app/common.py": """
            from pydantic import BaseModel, ConfigDict


            class ORMModel(BaseModel):
                model_config = ConfigDict(from_attributes=True)
            """,
        "app/models.py": """
            from typing import TYPE_CHECKING
            from sqlalchemy import Column, Integer, String
            from sqlalchemy.orm import declarative_base

            if TYPE_CHECKING:
                from app.schemas import ProductOut

            Base = declarative_base()


            class Product(Base):
                __tablename__ = "products"
                id = Column(Integer, primary_key=True)
                name = Column(String(50), nullable=False)
            """,
        "app/schemas.py": """
            from app.common import ORMModel


            class ProductOut(ORMModel):
                id: int
                name: str
            """,
    })
    schema = next(s for s in r.schemas if s.qualname == "app.schemas.ProductOut")
    assert schema.from_attributes is True and schema.bases == ("app.common.ORMModel",)
    assert [(p.schema, p.role) for p in r.pairs] == [("app.schemas.ProductOut", "read")]


def test_newest_syntax_parses(project):
    r = project({
        "app/__init__.py": "",
        "app/new.py": """
            from pydantic import BaseModel


            type Pair[T] = tuple[T, T]


            class Box[T](BaseModel):
                item: int


            def f():
                try:
                    pass
                except ValueError, TypeError:
                    pass
            """,
    })
    assert r.findings and [f.code for f in r.findings] == ["SQM107"]
    assert [s.qualname for s in r.schemas] == ["app.new.Box"]


def test_sqlmodel_table_models_are_recognised(project):
    r = project({
        "app/__init__.py": "",
        "app/models.py": """
            from sqlmodel import Field, SQLModel


            class HeroBase(SQLModel):
                name: str = Field(max_length=40)


            class Hero(HeroBase, table=True):
                id: int | None = Field(default=None, primary_key=True)
            """,
    })
    assert [(m.qualname, m.style) for m in r.models] == [("app.models.Hero", "sqlmodel")]
    cols = {c.attr: (c.python_type, c.nullable, c.primary_key, c.owner.rsplit(".", 1)[-1]) for c in r.models[0].columns}
    assert cols == {"id": ("int", False, True, "Hero"), "name": ("str", False, False, "HeroBase")}
    assert [s.qualname for s in r.schemas] == ["app.models.HeroBase"]


def test_sqlmodel_field_columns_read_like_sqlmodel_builds_them(project):
    """Regression: ``sa_column=Column(...)`` (the column as it is), ``sa_column_kwargs``,
    ``sa_column_args``, ``max_length`` and ``max_digits``/``decimal_places`` were ignored, so a rewritten
    project lost its lengths, renamed columns, server defaults and foreign keys, and ``Column(Text)``
    (nullable) read as a NOT NULL string; the SQLAlchemy names ``sqlmodel`` re-exports resolve."""
    r = project({
        "app/__init__.py": "",
        "app/models.py": """
            from datetime import datetime
            from decimal import Decimal
            from typing import Optional

            import sqlalchemy as sa
            import sqlmodel as sm
            from sqlmodel import Column, DateTime, Field, ForeignKey, SQLModel, Text, func


            class Team(SQLModel, table=True):
                __tablename__ = "teams"
                id: Optional[int] = Field(default=None, primary_key=True)


            class Hero(SQLModel, table=True):
                __tablename__ = "heroes"
                id: Optional[int] = Field(default=None, primary_key=True)
                name: str = Field(max_length=50)
                motto: str = Field(sa_column=Column(Text))
                born: datetime = Field(sa_column=sa.Column("born_at", DateTime(timezone=True), server_default=func.now(),
                                                      nullable=False))
                code: str = sm.Field(max_length=8, sa_column_kwargs={"name": "hero_code", "server_default": "x"})
                power: Decimal = Field(default=0, max_digits=10, decimal_places=2)
                note: str = Field(max_length=20, sa_type=Text)
                team_id: Optional[int] = Field(default=None, sa_column_args=[ForeignKey("teams.id", ondelete="CASCADE")])
            """,
    })
    hero = _model(r, "app.models.Hero")
    assert [(c.attr, c.name, c.sql_type, c.type_name, c.nullable, c.length, c.precision, c.scale, c.timezone,
             c.server_default, c.foreign_key, c.ondelete, c.via) for c in hero.columns] == [
        ("id", "id", "Integer", "Integer", False, None, None, None, None, None, None, None, "field"),
        ("name", "name", "String(50)", "String", False, 50, None, None, None, None, None, None, "field"),
        ("motto", "motto", "Text", "Text", True, None, None, None, None, None, None, None, "field"),
        ("born", "born_at", "DateTime(timezone=True)", "DateTime", False, None, None, None, True, "func.now()",
         None, None, "field"),
        ("code", "hero_code", "String(8)", "String", False, 8, None, None, None, '"x"', None, None, "field"),
        ("power", "power", "Numeric(10, 2)", "Numeric", False, None, 10, 2, None, None, None, None, "field"),
        ("note", "note", "Text", "Text", False, None, None, None, None, None, None, None, "field"),
        ("team_id", "team_id", "Integer", "Integer", True, None, None, None, None, None, "teams.id", "CASCADE",
         "field"),
    ]


def test_a_sqlmodel_field_a_project_function_builds_is_a_column(project):
    """Regression: ``parent_id: UUID = fk_field(...)`` (a helper returning ``Field(...)``) was no column,
    so a link table had none (zenml: 127 foreign keys). Its type is unknown; one annotated with a
    model is a relationship."""
    r = project({
        "app/__init__.py": "",
        "app/utils.py": """
            from sqlmodel import Field, Relationship


            def fk_field(target, nullable):
                return Field(foreign_key=target, nullable=nullable)


            def rel(**kwargs):
                return Relationship(**kwargs)
            """,
        "app/models.py": """
            from typing import Optional
            from uuid import UUID

            from sqlmodel import Field, SQLModel

            from app.utils import fk_field, rel


            class Node(SQLModel, table=True):
                id: UUID = Field(primary_key=True)


            class Edge(SQLModel, table=True):
                parent_id: UUID = fk_field("node.id", nullable=False)
                child_id: Optional[UUID] = fk_field("node.id", nullable=True)
                parent: Node = rel()
                child: Optional["Node"] = rel()
            """,
    })
    edge = _model(r, "app.models.Edge")
    assert [(c.attr, c.type_name, c.python_type, c.nullable) for c in edge.columns] == [
        ("parent_id", "?", "UUID", False), ("child_id", "?", "UUID", True)]
    assert [rel.attr for rel in edge.relationships] == []


def test_reflex_models_are_sqlmodel_tables_with_an_id(project):
    """Regression: ``class Customer(rx.Model, table=True)`` was nothing (reflex unknown); reflex's
    Model is a SQLModel class giving every table an ``id`` primary key unless it declares one."""
    r = project({
        "app/__init__.py": "",
        "app/models.py": """
            import reflex as rx
            from reflex import Model
            from sqlmodel import Field


            class Customer(rx.Model, table=True):
                name: str
                email: str = Field(max_length=120)


            class Code(Model, table=True):
                code: str = Field(primary_key=True)


            class CustomerForm(rx.Model):
                name: str
            """,
    })
    assert [(m.qualname, m.table, m.style, [(c.attr, c.type_name, c.nullable, c.primary_key) for c in m.columns])
            for m in r.models] == [
        ("app.models.Code", "code", "sqlmodel", [("code", "String", False, True)]),
        ("app.models.Customer", "customer", "sqlmodel",
         [("id", "Integer", False, True), ("name", "String", False, False), ("email", "String", False, False)]),
    ]
    assert [s.qualname for s in r.schemas] == ["app.models.CustomerForm"]


def test_a_sqlmodel_table_without_tablename_is_named_after_its_class(project):
    """Regression: SQLModel names such a table ``cls.__name__.lower()``; sqlmig said the table was unknown."""
    r = project({
        "app/__init__.py": "",
        "app/models.py": """
            import sqlmodel as sm
            from sqlalchemy.orm import declared_attr


            class NamedBase(sm.SQLModel):
                @declared_attr
                def __tablename__(cls):
                    return cls.__name__.lower() + "s"


            class TeamMember(sm.SQLModel, table=True):
                id: int | None = sm.Field(default=None, primary_key=True)


            class Hero(NamedBase, table=True):
                id: int | None = sm.Field(default=None, primary_key=True)


            class Villain(sm.SQLModel, table=True):
                __tablename__ = "villains"
                id: int | None = sm.Field(default=None, primary_key=True)
            """,
    })
    assert [(m.qualname, m.table) for m in r.models] == [
        ("app.models.Hero", "heros"), ("app.models.TeamMember", "teammember"), ("app.models.Villain", "villains")]


def test_declarative_base_cls_gives_its_table_names_and_columns(project):
    """Regression: with ``Base = declarative_base(cls=CustomBase)``, a model naming its table by
    CustomBase's ``declared_attr`` was no model at all, and the others lacked CustomBase's columns."""
    r = project({
        "app/__init__.py": "",
        "app/db.py": """
            from sqlalchemy import Column, Integer
            from sqlalchemy.orm import declarative_base, declared_attr


            class CustomBase:
                id = Column(Integer, primary_key=True, index=True)

                @declared_attr
                def __tablename__(cls):
                    return cls.__name__.lower() + "s"


            Base = declarative_base(cls=CustomBase)
            """,
        "app/models.py": """
            from sqlalchemy import Column, String

            from app.db import Base


            class Item(Base):
                title = Column(String(20))


            class Owner(Base):
                __tablename__ = "owner"
                name = Column(String(20))
            """,
    })
    assert [(m.qualname, m.table, m.mixins, [(c.attr, c.primary_key) for c in m.columns]) for m in r.models] == [
        ("app.models.Item", "items", ("app.db.CustomBase",), [("title", False), ("id", True)]),
        ("app.models.Owner", "owner", ("app.db.CustomBase",), [("name", False), ("id", True)]),
    ]


def test_imperative_table_on_a_declarative_class(project):
    r = project({
        "app/__init__.py": "",
        "app/models.py": """
            from sqlalchemy import Column, Integer, String, Table
            from sqlalchemy.orm import declarative_base

            Base = declarative_base()


            class Legacy(Base):
                __table__ = Table(
                    "legacy_things",
                    Base.metadata,
                    Column("id", Integer, primary_key=True),
                    Column("label", String(20), nullable=False),
                )
            """,
    })
    legacy = _model(r, "app.models.Legacy")
    assert legacy.table == "legacy_things"
    assert [(c.attr, c.type_name, c.length, c.nullable, c.primary_key) for c in legacy.columns] == [
        ("id", "Integer", None, False, True), ("label", "String", 20, False, False)]


def test_colliding_module_names_do_not_hide_each_other(project):
    """Regression: two non-package folders with a models.py each; the second one's classes vanished."""
    model = """
        from sqlalchemy import Column, Integer
        from sqlalchemy.orm import declarative_base

        Base = declarative_base()


        class {name}(Base):
            __tablename__ = "{table}"
            id = Column(Integer, primary_key=True)
        """
    r = project({
        "svc_a/models.py": model.replace("{name}", "Invoice").replace("{table}", "invoices"),
        "svc_b/models.py": model.replace("{name}", "Parcel").replace("{table}", "parcels"),
    })
    assert [(m.qualname, m.path) for m in r.models] == [("svc_a.models.Invoice", "svc_a/models.py"),
                                                        ("svc_b.models.Parcel", "svc_b/models.py")]


def test_the_branch_that_runs_wins_over_type_checking_and_import_fallbacks(project):
    """Regression: the ``else`` of ``if TYPE_CHECKING:`` counted as type-checking only, so
    ``Base = Any`` won and no model was found; and an ``except ImportError:`` fallback ``def``
    replaced the import it stands in for, so every ``mapped_column`` column was lost."""
    r = project({
        "app/__init__.py": "",
        "app/base.py": """
            from typing import TYPE_CHECKING, Any

            from sqlalchemy.orm import declarative_base

            if TYPE_CHECKING:
                Base = Any
            elif False:
                Base = None
            else:
                Base = declarative_base()
            """,
        "app/models.py": """
            from typing import TYPE_CHECKING

            from sqlalchemy import Integer, String
            from sqlalchemy.orm import Mapped

            from app.base import Base

            try:
                from sqlalchemy.orm import mapped_column
            except ImportError:
                def mapped_column(*args, **kwargs):
                    from sqlalchemy import Column
                    return Column(*args, **kwargs)

            try:
                from pydantic import EmailStr
            except ImportError:
                class EmailStr(str):
                    pass

            if TYPE_CHECKING:
                from app.other import Hint
            else:
                Hint = object


            class Permission(Base):
                __tablename__ = "permissions"
                id: Mapped[int] = mapped_column(Integer, primary_key=True)
                name: Mapped[str] = mapped_column(String(100), unique=True)
            """,
    })
    assert [m.qualname for m in r.models] == ["app.models.Permission"]
    assert sorted(_cols(r.models[0])) == ["id", "name"]
    bindings = r.index.bindings["app.models"]
    assert (bindings["mapped_column"].kind, bindings["mapped_column"].target) == ("import", "sqlalchemy:mapped_column")
    assert (bindings["EmailStr"].kind, bindings["EmailStr"].target) == ("import", "pydantic:EmailStr")
    assert bindings["Hint"].kind == "assign"  # what runs: the else branch


def test_a_folder_without_init_inside_a_package_is_part_of_the_name(project):
    """Regression (open-webui's layout): ``open_webui/internal/`` has no ``__init__.py``, Python
    imports its ``db.py`` as ``open_webui.internal.db``; it was named ``db``, so the base imported
    by that name was never found (2 of 46 models)."""
    r = project({
        "open_webui/__init__.py": "",
        "open_webui/internal/db.py": "from sqlalchemy.orm import declarative_base\n\nBase = declarative_base()\n",
        "open_webui/models/notes.py": """
            from sqlalchemy import Column, Text

            from open_webui.internal.db import Base


            class Note(Base):
                __tablename__ = "note"
                id = Column(Text, primary_key=True)
            """,
    })
    assert [m.qualname for m in r.models] == ["open_webui.models.notes.Note"]
def test_primary_key_constraint_in_table_args_makes_primary_keys(project):
    """``PrimaryKeyConstraint`` in ``__table_args__`` (a tuple, with or without a trailing dict; columns
    by name or as the column attributes) declares primary keys: NOT NULL unless the column says
    ``nullable=``, as SQLAlchemy builds them; two columns are a composite key (SQM203)."""
    r = project({
        "app/__init__.py": "",
        "app/models.py": """
            from sqlalchemy import Column, Integer, PrimaryKeyConstraint, String, UniqueConstraint
            from sqlalchemy.orm import Mapped, declarative_base, mapped_column

            Base = declarative_base()


            class Experiment(Base):
                __tablename__ = "experiments"

                experiment_id = Column(Integer, autoincrement=True)
                name = Column(String(256), nullable=False)

                __table_args__ = (PrimaryKeyConstraint("experiment_id", name="experiment_pk"),
                                  UniqueConstraint("name"))


            class Renamed(Base):
                __tablename__ = "renamed"

                key: Mapped[int | None] = mapped_column("the_key")

                __table_args__ = (PrimaryKeyConstraint("the_key"), {"comment": "x"})


            class Run(Base):
                __tablename__ = "runs"

                run_uuid = Column(String(32))
                experiment_id = Column(Integer, nullable=True)
                note = Column(String(10))

                __table_args__ = (PrimaryKeyConstraint(run_uuid, "experiment_id"),)
            """,
    })
    keys = {m.qualname.rsplit(".", 1)[-1]: [(c.attr, c.primary_key, c.nullable) for c in m.columns]
            for m in r.models}
    assert keys == {
        "Experiment": [("experiment_id", True, False), ("name", False, False)],
        "Renamed": [("key", True, False)],
        "Run": [("run_uuid", True, False), ("experiment_id", True, True), ("note", False, True)],
    }
    assert [(f.code, f.subject, f.message) for f in r.findings if f.code == "SQM203"] == [
        ("SQM203", "app.models.Run", "Run has a composite primary key (run_uuid, experiment_id)")]


def test_table_names_are_exact_or_unknown(project):
    """A ``declared_attr`` ``__tablename__`` gives a name only when the analyzer can evaluate it exactly
    (through its first parameter, ``cls`` or ``self``); a name computed by other code (a regex, a
    helper) is unknown (None), never guessed."""
    r = project({
        "app/__init__.py": "",
        "app/models.py": """
            import re

            from sqlalchemy import Column, Integer, Table
            from sqlalchemy.orm import declarative_base, declared_attr

            Base = declarative_base()
            NAME = "constants"
            SNAKE = re.compile(r"(?<!^)(?=[A-Z])")


            def snake(name):
                return SNAKE.sub("_", name).lower()


            class Lower:
                @declared_attr
                def __tablename__(cls):
                    return cls.__name__.lower()


            class Plural:
                @declared_attr.directive
                def __tablename__(cls) -> str:
                    return cls.__name__.lower() + "s"


            class Formatted:
                @declared_attr
                def __tablename__(cls):
                    return f"t_{cls.__name__.lower()}"


            class Regex:
                @declared_attr.directive
                def __tablename__(cls) -> str:
                    return SNAKE.sub("_", cls.__name__).lower()


            class Helper:
                @declared_attr
                def __tablename__(cls):
                    return snake(cls.__name__)


            class SelfNamed:
                @declared_attr
                def __tablename__(self):
                    return self.__name__.lower()


            class Branches:
                @declared_attr
                def __tablename__(cls):
                    if cls.__name__.startswith("X"):
                        return "x_" + cls.__name__.lower()
                    return cls.__name__.lower()


            class WorkPool(Lower, Base):
                id = Column(Integer, primary_key=True)


            class WorkQueue(Plural, Base):
                id = Column(Integer, primary_key=True)


            class WorkItem(Formatted, Base):
                id = Column(Integer, primary_key=True)


            class WorkStep(Regex, Base):
                id = Column(Integer, primary_key=True)


            class WorkLog(Helper, Base):
                id = Column(Integer, primary_key=True)


            class WorkNote(Branches, Base):
                id = Column(Integer, primary_key=True)


            class WorkTag(SelfNamed, Base):
                id = Column(Integer, primary_key=True)


            class Constant(Base):
                __tablename__ = NAME
                id = Column(Integer, primary_key=True)


            class Imperative(Base):
                __table__ = Table(NAME + "_2", Base.metadata, Column("id", Integer, primary_key=True))


            class FString(Base):
                __tablename__ = f"{NAME}_3"
                id = Column(Integer, primary_key=True)


            class Computed(Base):
                __tablename__ = f"{snake('Computed')}_4"
                id = Column(Integer, primary_key=True)
            """,
    })
    assert {m.qualname.rsplit(".", 1)[-1]: m.table for m in r.models} == {
        "WorkPool": "workpool", "WorkQueue": "workqueues", "WorkItem": "t_workitem", "WorkStep": None,
        "WorkLog": None, "WorkNote": None, "WorkTag": "worktag", "Constant": "constants",
        "Imperative": "constants_2", "FString": "constants_3", "Computed": None}


def test_columns_declared_on_the_declarative_base_are_every_models(project):
    """Columns on the declarative base class are copied into every table, as a mixin's: the models have
    them (no false SQM106 for ``id``), with the base as owner (SQM209), and the table name the base
    computes with a regex is unknown; the JSON says null."""
    r = project({
        "app/__init__.py": "",
        "app/models.py": """
            import re
            import uuid

            from sqlalchemy import ForeignKey, String
            from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

            CAMEL_TO_SNAKE = re.compile(r"(?<!^)(?=[A-Z])")


            class Base(DeclarativeBase):
                @declared_attr.directive
                def __tablename__(cls) -> str:
                    return CAMEL_TO_SNAKE.sub("_", cls.__name__).lower()

                id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)


            class WorkPool(Base):
                name: Mapped[str] = mapped_column(String(100))


            class WorkQueue(Base):
                name: Mapped[str] = mapped_column(String(100))
                work_pool_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("work_pool.id"), index=True)
            """,
        "app/schemas.py": """
            import uuid

            from pydantic import BaseModel


            class WorkPoolOut(BaseModel):
                id: uuid.UUID
                name: str
            """,
    })
    pool = _model(r, "app.models.WorkPool")
    assert pool.table is None and pool.mixins == ()
    assert [(c.attr, c.owner, c.primary_key, c.python_type) for c in pool.columns] == [
        ("name", "app.models.WorkPool", False, "str"), ("id", "app.models.Base", True, "UUID")]
    assert [c.attr for c in _model(r, "app.models.WorkQueue").columns] == ["name", "work_pool_id", "id"]
    assert sorted((f.code, f.subject) for f in r.findings) == [
        ("SQM101", "app.schemas.WorkPoolOut.id"), ("SQM101", "app.schemas.WorkPoolOut.name"),
        ("SQM107", "app.models.WorkQueue"), ("SQM209", "app.models.WorkPool"), ("SQM209", "app.models.WorkQueue")]
    assert [m["table"] for m in json.loads(render(r))["models"]] == [None, None]


def test_models_on_a_base_class_from_a_library_sqlmig_does_not_read(project, tmp_path):
    """Regression: models subclassing a base an installed library declares (``UUIDAuditBase`` of
    advanced-alchemy) were not found at all (0 models). A class that maps columns and reaches a base
    class of an unknown library is a model mapped through it, unless it is abstract, or has no table of
    its own and project subclasses (a mixin); the base's columns are unknown, so a schema field without
    a known column is no SQM106, and the rewrite keeps the models."""
    r = project({
        "app/__init__.py": "",
        "app/models.py": """
            import datetime

            from acme_orm.base import BigIntBase, UUIDAuditBase, UUIDBase
            from acme_orm.mixins import AuditColumns
            from acme_orm.settings import Settings
            from sqlalchemy import ForeignKey, String
            from sqlalchemy.orm import Mapped, mapped_column, relationship


            class Author(UUIDAuditBase):
                __tablename__ = "authors"
                name: Mapped[str] = mapped_column(String(100))
                dob: Mapped[datetime.date | None]


            class Book(UUIDBase):
                title: Mapped[str] = mapped_column(String(250))
                author_id = mapped_column(ForeignKey("authors.id"))
                author = relationship(Author)


            class Abstract(BigIntBase):
                __abstract__ = True
                note: Mapped[str | None]


            class Stamped(AuditColumns):
                deleted_at: Mapped[datetime.datetime | None]


            class Tag(Abstract, Stamped):
                __tablename__ = "tags"
                name: Mapped[str] = mapped_column(String(50), unique=True)


            class AppSettings(Settings):
                debug: bool = False
            """,
        "app/schemas.py": """
            import uuid

            from pydantic import BaseModel


            class AuthorRead(BaseModel):
                id: uuid.UUID
                name: str
            """,
    })
    assert _bases(r) == [("app.models.Author", "acme_orm.base.UUIDAuditBase"),
                         ("app.models.Book", "acme_orm.base.UUIDBase"),
                         ("app.models.Tag", "acme_orm.base.BigIntBase")]
    assert [(m.table, [c.attr for c in m.columns]) for m in r.models] == [
        ("authors", ["name", "dob"]), (None, ["title", "author_id"]), ("tags", ["name", "note", "deleted_at"])]
    assert sorted((f.code, f.subject) for f in r.findings if f.code in ("SQM101", "SQM106")) == [
        ("SQM101", "app.schemas.AuthorRead.name")]
    out = compute(tmp_path, r, None)
    assert out.changes == [] and [(m.qualname, m.status) for m in out.plan.models] == [
        ("app.models.Author", "keep"), ("app.models.Book", "keep"), ("app.models.Tag", "keep")]
    assert all("its declarative base is not defined in the project" in m.reasons for m in out.plan.models)
# --------------------------------------------------------------------------- star imports

_BASE = """\
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass
"""
_USER = """\
from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column
{imports}


class User({base}):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(100))
"""


def _user(imports: str, base: str = "Base") -> str:
    return _USER.replace("{imports}", imports).replace("{base}", base)


def _bases(r) -> list[tuple[str, str | None]]:
    return [(m.qualname, m.base) for m in r.models]


def test_a_package_re_exporting_its_base_by_star_import(project):
    """Regression: ``from .base import *`` in a package's ``__init__`` hid Base: no model found."""
    r = project({
        "app/__init__.py": "",
        "app/db/__init__.py": "from .base import *  # noqa: F403\n",
        "app/db/base.py": _BASE,
        "app/models.py": _user("from app.db import Base"),
        "app/schemas.py": """
            from pydantic import BaseModel


            class UserCreate(BaseModel):
                email: str
            """,
    })
    assert _bases(r) == [("app.models.User", "app.db.base.Base")]
    assert [(p.model, p.schema, p.shared_fields) for p in r.pairs] == [
        ("app.models.User", "app.schemas.UserCreate", ("email",))]


def test_a_star_import_in_the_models_module(project):
    r = project({
        "app/__init__.py": "",
        "app/base.py": _BASE,
        "app/models.py": _user("from app.base import *"),
    })
    assert _bases(r) == [("app.models.User", "app.base.Base")]


def test_star_imports_honour_all_and_leave_private_names_out(project):
    """``__all__`` (a literal list or tuple) is what a star import takes; without it, the public names."""
    r = project({
        "app/__init__.py": "",
        "app/listed.py": """
            from sqlalchemy.orm import DeclarativeBase


            class Listed(DeclarativeBase):
                pass


            class Unlisted(DeclarativeBase):
                pass


            __all__ = ("Listed",)
            """,
        "app/private.py": """
            from sqlalchemy.orm import DeclarativeBase


            class _Hidden(DeclarativeBase):
                pass
            """,
        "app/models.py": "from app.listed import *\nfrom app.private import *\n"
                         + _user("", "Listed").replace("User", "A").replace("users", "a")
                         + _user("", "Unlisted").replace("User", "B").replace("users", "b")
                         + _user("", "_Hidden").replace("User", "C").replace("users", "c"),
    })
    assert _bases(r) == [("app.models.A", "app.listed.Listed")]


def test_the_last_star_import_exporting_a_name_supplies_it_and_own_names_win(project):
    r = project({
        "app/__init__.py": "",
        "app/one.py": _BASE,
        "app/two.py": _BASE + "\n\nclass Other(DeclarativeBase):\n    pass\n",
        "app/models.py": _user("from app.one import *\nfrom app.two import *")
                         + _user("", "Other").replace("User", "Local").replace("users", "local"),
        "app/own.py": "from sqlalchemy.orm import DeclarativeBase\nfrom app.two import *\n\n\n"
                      "class Base(DeclarativeBase):\n    pass\n\n\n" + _user(""),
    })
    assert _bases(r) == [("app.models.Local", "app.two.Other"), ("app.models.User", "app.two.Base"),
                         ("app.own.User", "app.own.Base")]


def test_star_imports_in_a_cycle_and_through_a_chain(project):
    """Two modules star-importing each other still resolve; a star re-export of a star re-export too."""
    r = project({
        "app/__init__.py": "",
        "app/a.py": "from app.b import *\n" + _BASE,
        "app/b.py": "from app.a import *\n\nVERSION = 1\n",
        "app/c.py": "from app.b import *\n",
        "app/models.py": _user("from app.c import Base"),
    })
    assert _bases(r) == [("app.models.User", "app.a.Base")]


def test_star_imports_of_sqlalchemy_resolve_to_its_names(project):
    """``from sqlalchemy import *``: the names the module does not bind are sqlalchemy's, directly or
    through a project module that star-imports it."""
    r = project({
        "app/__init__.py": "",
        "app/db.py": "from sqlalchemy import *\nfrom sqlalchemy.orm import *\n\nBase = declarative_base()\n",
        "app/models.py": """
            from sqlalchemy import *
            from app.db import Base


            class Tag(Base):
                __tablename__ = "tags"
                id = Column(Integer, primary_key=True)
                label = Column(String(30), nullable=False)
            """,
        "app/more.py": """
            from typing import Optional
            from app.db import *


            class Note(Base):
                __tablename__ = "notes"
                id = Column(Integer, primary_key=True)
                body = Column(Text)


            class Label(Base):
                __tablename__ = "labels"
                id: Mapped[int] = mapped_column(primary_key=True)
                name: Mapped[str] = mapped_column(String(20))
                hint: Mapped[Optional[str]]
            """,
    })
    assert _bases(r) == [("app.models.Tag", "app.db.Base"), ("app.more.Label", "app.db.Base"),
                         ("app.more.Note", "app.db.Base")]
    assert [[(c.attr, c.type_name, c.length, c.nullable) for c in m.columns] for m in r.models] == [
        [("id", "Integer", None, False), ("label", "String", 30, False)],
        [("id", "Integer", None, False), ("name", "String", 20, False), ("hint", "String", None, True)],
        [("id", "Integer", None, False), ("body", "Text", None, True)]]


def test_names_through_star_imports_reach_the_rules(project):
    """``text`` comes from sqlalchemy through a project module's star import: SQM308 sees
    sqlalchemy's ``text``. A name a star import of an unknown package supplies stays unknown, as
    without star imports: ``sa.text(...)`` is flagged by its name, as it always was."""
    route = """
        from {star} import *


        def search(db, q):
            return db.execute({call}(f"select * from users where name = '{q}'"))
        """
    r = project({
        "app/__init__.py": "",
        "app/deps.py": "from sqlalchemy import text\n",
        "app/routes.py": route.replace("{star}", "app.deps").replace("{call}", "text"),
        "app/other.py": route.replace("{star}", "vendor_helpers").replace("{call}", "sa.text"),
    })
    assert [(f.code, f.path, f.line) for f in r.findings] == [("SQM308", "app/other.py", 5),
                                                              ("SQM308", "app/routes.py", 5)]


def test_a_type_annotation_map_gives_the_columns_their_types(project):
    """Regression: ``Mapped[str]`` under a base mapping ``str`` to ``String(50)`` was reported as a
    plain ``String`` (no length), so a schema's ``max_length=200`` drifted unseen (SQM104)."""
    r = project({
        "app/__init__.py": "",
        "app/db.py": """
            import datetime
            from datetime import datetime
            from decimal import Decimal
            from typing import Annotated

            from sqlalchemy import DateTime, Numeric, String
            from sqlalchemy.orm import DeclarativeBase, declarative_base, registry


            str30 = Annotated[str, 30]


            class Base(DeclarativeBase):
                type_annotation_map = {str: String(50), datetime.datetime: DateTime(timezone=True), str30: String(30)}


            class Ledger(DeclarativeBase):
                registry = registry(type_annotation_map={Decimal: Numeric(12, 2)})


            Legacy = declarative_base(type_annotation_map={str: String(10)})
            """,
        "app/models.py": """
            import datetime
            from datetime import datetime
            from decimal import Decimal

            from sqlalchemy import String
            from sqlalchemy.orm import Mapped, mapped_column

            from app.db import Base, Ledger, Legacy, str30


            class City(Base):
                __tablename__ = "cities"
                id: Mapped[int] = mapped_column(primary_key=True)
                name: Mapped[str]
                short: Mapped[str30 | None]  # an Annotated key is a key of its own (found in review)
                code: Mapped[str] = mapped_column(String(3))  # its own type wins
                founded: Mapped[datetime.datetime]


            class Entry(Ledger):
                __tablename__ = "entries"
                id: Mapped[int] = mapped_column(primary_key=True)
                total: Mapped[Decimal]
                note: Mapped[str]


            class Tag(Legacy):
                __tablename__ = "tags"
                id: Mapped[int] = mapped_column(primary_key=True)
                label: Mapped[str] = mapped_column(unique=True)
            """,
        "app/schemas.py": """
            from pydantic import BaseModel, Field


            class CityCreate(BaseModel):
                name: str = Field(max_length=200)
            """,
    })
    got = {(m.qualname.rsplit(".", 1)[-1], c.attr): (c.sql_type, c.length, c.precision, c.scale, c.timezone)
           for m in r.models for c in m.columns if c.attr != "id"}
    assert got == {
        ("City", "name"): ("String(50)", 50, None, None, None),
        ("City", "short"): ("String(30)", 30, None, None, None),
        ("City", "code"): ("String(3)", 3, None, None, None),
        ("City", "founded"): ("DateTime(timezone=True)", None, None, None, True),
        ("Entry", "total"): ("Numeric(12, 2)", None, 12, 2, None),
        ("Entry", "note"): ("String", None, None, None, None),
        ("Tag", "label"): ("String(10)", 10, None, None, None),
    }
    assert [f.message for f in r.findings if f.code == "SQM104"] == [
        "`name` has max_length=200 but column City.name is String(50)"]


def test_flask_sqlalchemy_names_the_tables_it_creates(project):
    """Regression: a Flask-SQLAlchemy model without ``__tablename__`` was no model at all, though
    Flask-SQLAlchemy names its table after the class (``UserAccount`` -> ``user_account``). A subclass
    with a primary key of its own gets its own table (joined inheritance); one without shares its
    parent's (single-table); ``__abstract__`` classes and names Flask-SQLAlchemy 2 and 3 spell
    differently (``HTTP2Server``) have none."""
    r = project({
        "app/__init__.py": "",
        "app/models.py": """
            from flask_sqlalchemy import SQLAlchemy

            db = SQLAlchemy()


            class Stamped(db.Model):
                __abstract__ = True
                created = db.Column(db.DateTime)


            class UserAccount(Stamped):
                id = db.Column(db.Integer, primary_key=True)
                kind = db.Column(db.String(20))
                __mapper_args__ = {"polymorphic_on": kind}


            class AdminAccount(UserAccount):
                id = db.Column(db.Integer, db.ForeignKey("user_account.id"), primary_key=True)


            class GuestAccount(UserAccount):
                expires = db.Column(db.DateTime)


            class Named(db.Model):
                __tablename__ = "named_things"
                id = db.Column(db.Integer, primary_key=True)


            class HTTP2Server(db.Model):
                id = db.Column(db.Integer, primary_key=True)
            """,
    })
    assert {m.qualname.rsplit(".", 1)[1]: m.table for m in r.models} == {
        "UserAccount": "user_account", "AdminAccount": "admin_account", "GuestAccount": None,
        "Named": "named_things", "HTTP2Server": None}
    assert set(_cols(_model(r, "app.models.UserAccount"))) == {"id", "kind", "created"}


@pytest.mark.parametrize("make", ["SQLAlchemy(model_class=NamedModel)", "SQLAlchemy(disable_autonaming=True)",
                                  "AppSQLAlchemy()", "SQLAlchemy(**OPTIONS)"])
def test_flask_sqlalchemy_table_names_are_unknown_when_the_extension_may_name_them_otherwise(project, make):
    """Regression (review): with ``SQLAlchemy(model_class=NamedModel)`` the model class's own
    ``__tablename__`` rule names the tables (``useraccount``, measured with Flask-SQLAlchemy 3.1), not
    the snake-case one; ``disable_autonaming`` names none. Where the extension is made in a way that may
    do either, the name is unknown, never a guess."""
    r = project({
        "app/__init__.py": "",
        "app/db.py": f"""
            from flask_sqlalchemy import SQLAlchemy
            from flask_sqlalchemy.model import Model
            from sqlalchemy.orm import declared_attr

            OPTIONS = {{}}


            class NamedModel(Model):
                @declared_attr
                def __tablename__(cls):
                    return cls.__name__.lower()


            class AppSQLAlchemy(SQLAlchemy):
                pass


            db = {make}
            """,
        "app/models.py": """
            from app.db import db


            class UserAccount(db.Model):
                id = db.Column(db.Integer, primary_key=True)
            """,
    })
    assert [(m.qualname, m.table) for m in r.models if m.qualname.startswith("app.models")] == [
        ("app.models.UserAccount", None)]


def test_a_declarative_base_made_from_a_class_gives_its_columns_and_table_names(project, tmp_path):
    """Regression: the columns and ``__tablename__`` of ``declarative_base(cls=Common)`` (also
    ``registry().generate_base(cls=...)``) were missing from every model; the rewrite keeps those models,
    as SQLModel classes would not inherit ``Common``."""
    r = project({
        "app/__init__.py": "",
        "app/db.py": """
            from sqlalchemy import Column, Integer
            from sqlalchemy.orm import declarative_base, declared_attr, registry


            class Common:
                id = Column(Integer, primary_key=True)

                @declared_attr
                def __tablename__(cls):
                    return cls.__name__.lower()


            Base = declarative_base(cls=Common)
            Other = registry().generate_base(cls=Common, name="Other")
            """,
        "app/models.py": """
            from sqlalchemy import Column, String

            from app.db import Base, Other


            class Author(Base):
                name = Column(String(40))


            class Tag(Other):
                __tablename__ = "tags"
                label = Column(String(10))
            """,
    })
    assert {m.qualname: (m.table, sorted(_cols(m)), m.mixins) for m in r.models} == {
        "app.models.Author": ("author", ["id", "name"], ("app.db.Common",)),
        "app.models.Tag": ("tags", ["id", "label"], ("app.db.Common",)),
    }
    assert _cols(_model(r, "app.models.Author"))["id"].primary_key
    out = compute(tmp_path, r)
    assert out.changes == []
    assert {m.qualname: m.reasons[0] for m in out.plan.models} == {
        "app.models.Author": "declarative_base(cls=) adds to Base",
        "app.models.Tag": "generate_base(cls=) adds to Other"}


def test_a_mutable_wrapper_is_the_type_it_wraps(project):
    """Regression: ``MutableDict.as_mutable(JSONB)`` was a column of type ``as_mutable`` holding ``Any``;
    the type is the one wrapped, and the Python type the mutable collection's."""
    r = project({
        "app/__init__.py": "",
        "app/models.py": """
            from sqlalchemy import JSON, Column, Integer
            from sqlalchemy.dialects.postgresql import JSONB
            from sqlalchemy.ext import mutable
            from sqlalchemy.ext.mutable import MutableDict, MutableList
            from sqlalchemy.orm import declarative_base

            Base = declarative_base()


            class Widget(Base):
                __tablename__ = "widgets"
                id = Column(Integer, primary_key=True)
                config = Column(MutableDict.as_mutable(JSONB), nullable=False)
                tags = Column(MutableList.as_mutable(JSON))
                seen = Column(mutable.MutableSet.as_mutable(JSON))
            """,
    })
    assert [(c.attr, c.sql_type, c.type_name, c.python_type) for c in _model(r, "app.models.Widget").columns] == [
        ("id", "Integer", "Integer", "int"), ("config", "JSONB", "JSONB", "dict"), ("tags", "JSON", "JSON", "list"),
        ("seen", "JSON", "JSON", "set")]


def test_a_column_inside_typing_cast_is_a_column(project):
    """Regression: ``field_metadata: dict = cast(dict, Column(JSONB, nullable=False))`` (a cast for
    type checkers, the column at run time) was no column at all. The rewrite keeps such a model."""
    r = project({
        "app/__init__.py": "",
        "app/models.py": """
            import typing
            from typing import Any, cast

            from sqlalchemy import JSON, Column, Integer
            from sqlalchemy.orm import declarative_base

            Base = declarative_base()


            class Field(Base):
                __tablename__ = "fields"
                id = Column(Integer, primary_key=True)
                field_metadata: dict[str, Any] = cast(dict[str, Any], Column(JSON, nullable=False, default={}))
                extra = typing.cast(dict, Column(JSON))
                label = cast(str, "not a column")
            """,
    })
    assert [(c.attr, c.type_name, c.nullable, c.default) for c in _model(r, "app.models.Field").columns] == [
        ("id", "Integer", False, None), ("field_metadata", "JSON", False, "{}"), ("extra", "JSON", True, None)]
    assert [(p.status, p.reasons) for p in Planner(r).plan().models] == [
        ("keep", ["cast() around column field_metadata", "cast() around column extra", "class attribute label"])]


def test_a_package_wins_over_a_module_of_the_same_name(project):
    """Regression: with ``app/schemas.py`` left next to a package ``app/schemas/``, the module file
    (first by path) took the name ``app.schemas``, so imports from it resolved to classes Python never
    imports (the package wins), and those were paired and reported; the package's names count now."""
    r = project({
        "app/__init__.py": "",
        "app/models.py": """
            from sqlalchemy import Column, Integer, String
            from sqlalchemy.orm import declarative_base

            Base = declarative_base()


            class Label(Base):
                __tablename__ = "labels"
                id = Column(Integer, primary_key=True)
                name = Column(String(50))
            """,
        "app/schemas.py": """
            from pydantic import BaseModel


            class LabelOut(BaseModel):
                legacy: str
            """,
        "app/schemas/__init__.py": "from .label import LabelOut\n",
        "app/schemas/label.py": """
            from pydantic import BaseModel


            class LabelOut(BaseModel):
                id: int
                name: str
            """,
        "app/api.py": """
            from fastapi import APIRouter
            from app.models import Label
            from app.schemas import LabelOut

            router = APIRouter()


            @router.get("/labels", response_model=list[LabelOut])
            def labels(db):
                return db.query(Label).all()
            """,
    })
    assert [s.qualname for s in r.schemas] == ["app.schemas.label.LabelOut"]
    assert [(p.schema, p.evidence) for p in r.pairs] == [
        ("app.schemas.label.LabelOut", ("name: LabelOut -> Label (suffix Out)", "fields: 2/2 shared",
                                        "response_model of app.api.labels"))]


def test_a_class_var_over_an_inherited_field_removes_it(project):
    """Regression: ``email: ClassVar[Optional[str]]`` in a subclass (ethyca-fides's way of excluding a
    parent's field) left ``email`` among the subclass's fields; Pydantic has no such field."""
    r = project({
        "app/__init__.py": "",
        "app/schemas.py": """
            from typing import ClassVar, Optional

            from pydantic import BaseModel


            class Identity(BaseModel):
                email: Optional[str] = None
                phone: Optional[str] = None
                external_id: Optional[str] = None


            class UnverifiedIdentity(Identity):
                email: ClassVar[Optional[str]] = None
                phone: ClassVar[Optional[str]] = None
            """,
    })
    assert {s.qualname.rsplit(".", 1)[-1]: [f.name for f in s.fields] for s in r.schemas} == {
        "Identity": ["email", "phone", "external_id"], "UnverifiedIdentity": ["external_id"]}


def test_a_subclass_of_flask_sqlalchemy_makes_db_model_a_base(project):
    """Regression (indico: 0 of 151 models found): ``db = AppSQLAlchemy()``, a project subclass of
    Flask-SQLAlchemy's ``SQLAlchemy`` (a common way to set engine or query options), and re-exported
    from the package; its ``db.Model`` is the declarative base as with ``SQLAlchemy()`` itself."""
    r = project({
        "app/__init__.py": "",
        "app/db/__init__.py": "from .core import db\n\n__all__ = ['db']\n",
        "app/db/core.py": """
            from flask_sqlalchemy import SQLAlchemy as _SQLAlchemy


            class AppSQLAlchemy(_SQLAlchemy):
                def apply_driver_hacks(self, app, info, options):
                    options.setdefault("pool_pre_ping", True)


            class StrictSQLAlchemy(AppSQLAlchemy):
                pass


            db = StrictSQLAlchemy(session_options={"autoflush": False})
            """,
        "app/models.py": """
            from app.db import db


            class Room(db.Model):
                __tablename__ = "rooms"
                id = db.Column(db.Integer, primary_key=True)
                name = db.Column(db.String(80), nullable=False)
            """,
    })
    assert [(m.qualname, m.base, m.table) for m in r.models] == [("app.models.Room", "flask_sqlalchemy:Model", "rooms")]
    assert [(c.attr, c.sql_type, c.nullable, c.primary_key) for c in r.models[0].columns] == [
        ("id", "db.Integer", False, True), ("name", "db.String(80)", False, False)]


def test_a_tablename_from_a_mixin_maps_the_model(project):
    """Regression (indico's settings tables): ``__tablename__`` declared on a plain mixin applies to
    the model deriving from it (SQLAlchemy reads it off the MRO), so the model is mapped, with the
    mixin's table name; a mapped parent's ``__tablename__`` is that parent's table (the child without
    its own is single-table inheritance), and a mixin's ``None`` means no table."""
    r = project({
        "app/__init__.py": "",
        "app/models.py": """
            from sqlalchemy import Column, Integer, String
            from sqlalchemy.orm import declarative_base

            Base = declarative_base()


            class SettingsBase:
                __tablename__ = "settings"
                id = Column(Integer, primary_key=True)
                name = Column(String(50), nullable=False)


            class NoTable:
                __tablename__ = None


            class Setting(SettingsBase, Base):
                pass


            class Employee(Base):
                __tablename__ = "employees"
                id = Column(Integer, primary_key=True)


            class Manager(Employee):
                pass


            class Helper(NoTable, Base):
                pass
            """,
    })
    assert [(m.qualname.rsplit(".", 1)[-1], m.table, m.parents) for m in r.models] == [
        ("Employee", "employees", ()), ("Manager", None, ("app.models.Employee",)), ("Setting", "settings", ())]
    setting = _model(r, "app.models.Setting")
    assert [(c.attr, c.owner, c.primary_key) for c in setting.columns] == [
        ("id", "app.models.SettingsBase", True), ("name", "app.models.SettingsBase", False)]


def test_flask_appbuilder_model_is_a_declarative_base(project):
    """Regression (superset: none of its app models found): Flask-AppBuilder's ``Model`` (imported
    from ``flask_appbuilder`` or ``flask_appbuilder.models.sqla``) is a declarative base a library
    defines, as Flask-SQLAlchemy's ``db.Model`` is."""
    r = project({
        "app/__init__.py": "",
        "app/models.py": """
            from flask_appbuilder import Model
            from flask_appbuilder.models.sqla import Model as SqlaModel
            from sqlalchemy import Column, Integer, String


            class Dashboard(Model):
                __tablename__ = "dashboards"
                id = Column(Integer, primary_key=True)
                title = Column(String(500))


            class Slice(SqlaModel):
                __tablename__ = "slices"
                id = Column(Integer, primary_key=True)
            """,
    })
    assert [(m.qualname, m.base, m.table) for m in r.models] == [
        ("app.models.Dashboard", "flask_appbuilder:Model", "dashboards"),
        ("app.models.Slice", "flask_appbuilder:Model", "slices")]


def test_a_single_column_foreign_key_constraint_in_table_args_is_the_columns_key(project):
    """Regression (ckan's file tables): ``ForeignKeyConstraint(["file_id"], ["file.id"], ...)`` in
    ``__table_args__`` left the column without its foreign key, so SQM309 missed it. A composite one
    stays the model's (SQM204)."""
    r = project({
        "app/__init__.py": "",
        "app/models.py": """
            import sqlalchemy as sa
            from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


            class Base(DeclarativeBase):
                pass


            class File(Base):
                __tablename__ = "file"
                id: Mapped[str] = mapped_column(sa.TEXT, primary_key=True)
                a: Mapped[int]
                b: Mapped[int]


            class Owner(Base):
                __tablename__ = "owner"
                __table_args__ = (
                    sa.ForeignKeyConstraint(["file_id"], ["file.id"], "owner_file_id_fkey", ondelete="CASCADE"),
                    sa.ForeignKeyConstraint(["a", "b"], ["file.a", "file.b"]),
                )
                id: Mapped[int] = mapped_column(primary_key=True)
                file_id: Mapped[str] = mapped_column(sa.TEXT)
                a: Mapped[int]
                b: Mapped[int]
            """,
    })
    owner = _model(r, "app.models.Owner")
    assert [(c.attr, c.foreign_key, c.ondelete) for c in owner.columns] == [
        ("id", None, None), ("file_id", "file.id", "CASCADE"), ("a", None, None), ("b", None, None)]
    assert [f.subject for f in r.findings if f.code == "SQM309"] == ["app.models.Owner.file_id"]
