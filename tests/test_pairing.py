"""Which schema pairs with which model: small projects in, exact pairs (and findings) out."""

from __future__ import annotations

from tests.conftest import codes

DB = """
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass
"""


def tree(models: str, schemas: str, **extra: str) -> dict[str, str]:
    files = {"app/__init__.py": "", "app/db.py": DB, "app/models.py": models, "app/schemas.py": schemas}
    files.update(extra)
    return files


def pairs(result) -> list[tuple[str, str, str, tuple[str, ...], tuple[str, ...]]]:
    return sorted((p.schema.rsplit(".", 1)[-1], p.model.rsplit(".", 1)[-1], p.role, p.shared_fields, p.evidence)
                  for p in result.pairs)


WIDGETS = """
from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column
from app.db import Base


class Widget(Base):
    __tablename__ = "widgets"
    id: Mapped[int] = mapped_column(primary_key=True)
    label: Mapped[str] = mapped_column(String(100))
    slug: Mapped[str] = mapped_column(String(100))
    address: Mapped[dict] = mapped_column(JSON)
    tags: Mapped[list] = mapped_column(JSON)
"""

QUERY = """
from pydantic import BaseModel

class Query(BaseModel):
    label: str
    slug: str
"""

SERVICE = """
from fastapi import APIRouter
from sqlalchemy import select
from app.deps import inject
from app.models import Widget
from app.schemas import Query

router = APIRouter()


{decorator}
def handle(session, body: Query):
    return session.scalars(select(Widget)).all()
"""


def test_request_body_evidence_needs_a_route(project):
    """Regression: the typed parameter of any function was a request body, so a plain service
    function (decorated, but not as a route) paired its argument's schema as ``create``."""
    deps = "def inject(fn):\n    return fn\n"
    plain = project(tree(WIDGETS, QUERY, **{
        "app/deps.py": deps, "app/service.py": SERVICE.format(decorator="@inject")}))
    assert pairs(plain) == []
    for decorator in ('@router.post("/widgets")', '@router.api_route("/widgets", methods=["POST"])'):
        routed = project(tree(WIDGETS, QUERY, **{
            "app/deps.py": deps, "app/service.py": SERVICE.format(decorator=decorator)}))
        assert pairs(routed) == [
            ("Query", "Widget", "create", ("label", "slug"),
             ("fields: 2/2 shared", "request body of app.service.handle")),
        ], decorator


def test_a_test_patch_decorator_is_no_route(project):
    """``get``/``patch``/... of a library other than a web framework's (``mock.patch``) is no route."""
    r = project(tree(WIDGETS, QUERY, **{"app/checks.py": """
            from unittest import mock
            from sqlalchemy import select
            from app.models import Widget
            from app.schemas import Query


            @mock.patch("app.models.Widget")
            def check(session, body: Query):
                return session.scalars(select(Widget)).all()
            """}))
    assert pairs(r) == []


def test_a_field_holding_another_schema_copies_no_column(project):
    """Regression: ``label: Optional[LabelFilter]`` counted as a copy of column ``label`` (SQM101, and
    SQM103 in a create pair), and made a filter schema of nested filters pair with the model."""
    r = project(tree(WIDGETS, """
        from typing import List, Optional

        from pydantic import BaseModel, ConfigDict

        class Address(BaseModel):
            city: str

        class TagOut(BaseModel):
            text: str

        class WidgetCreate(BaseModel):
            label: str
            address: Optional[Address] = None
            tags: List["TagOut"] = []

        class LabelFilter(BaseModel):
            like_: Optional[str] = None

        class SlugFilter(BaseModel):
            any_: Optional[list[str]] = None

        class Filter(BaseModel):
            model_config = ConfigDict(from_attributes=True)
            label: Optional[LabelFilter] = None
            slug: Optional[SlugFilter] = None
        """))
    assert pairs(r) == [
        ("WidgetCreate", "Widget", "create", ("label",),
         ("name: WidgetCreate -> Widget (suffix Create)", "fields: 1/3 shared")),
    ]
    s = "app.schemas."
    assert codes(r, "SQM101") == [("app/schemas.py", 12, s + "WidgetCreate.label")]
    assert codes(r, "SQM103") == [] and codes(r, "SQM106") == []
