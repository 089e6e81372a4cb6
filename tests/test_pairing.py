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


LABELS = """
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column
from app.db import Base


class Label(Base):
    __tablename__ = "labels"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50))


class Member(Base):
    __tablename__ = "members"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[str] = mapped_column(String(30))
    label_id: Mapped[int] = mapped_column(ForeignKey("labels.id"))
"""


def test_overlap_of_generic_fields_alone_does_not_pair(project):
    """Regression: ``Viewer(id, name)`` with ``from_attributes`` paired with the first model having an
    ``id`` and a ``name`` (2/2 shared) and the rewrite re-based it on that model's base."""
    r = project(tree(LABELS, """
        from pydantic import BaseModel, ConfigDict

        class Viewer(BaseModel):
            model_config = ConfigDict(from_attributes=True)
            id: int
            name: str
            created_at: str

        class Contact(BaseModel):
            model_config = ConfigDict(from_attributes=True)
            id: int
            name: str
            email: str
        """))
    assert pairs(r) == [
        ("Contact", "Member", "read", ("id", "name", "email"), ("fields: 3/3 shared", "from_attributes")),
    ]
    assert ("app/schemas.py", 3, "app.schemas.Viewer") in codes(r, "SQM107")


BOARDS = """
from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column
from app.db import Base
""" + "".join(f"""

class {name}(Base):
    __tablename__ = "{name.lower()}"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(100))
    labels: Mapped[list] = mapped_column(JSON, default=list)
""" for name in ("Board", "TaskRecord", "Zone"))  # three models alike but for their names


def test_a_tie_on_fields_goes_to_the_model_the_name_names(project):
    """Regression: of models sharing as many fields, the first by name won (``Board`` for
    ``TaskEventPayload``); the one whose name begins or ends the schema's (``TaskRecord`` -> ``Task``)
    wins now, and without such a name the order stays as it was."""
    r = project(tree(BOARDS, """
        from pydantic import BaseModel, ConfigDict

        class TaskEventPayload(BaseModel):
            model_config = ConfigDict(from_attributes=True)
            title: str
            labels: list

        class ArchivedZone(BaseModel):
            model_config = ConfigDict(from_attributes=True)
            title: str
            labels: list

        class Digest(BaseModel):
            model_config = ConfigDict(from_attributes=True)
            title: str
            labels: list
        """))
    assert pairs(r) == [
        ("ArchivedZone", "Zone", "read", ("title", "labels"),
         ("name: ArchivedZone shares words with Zone", "fields: 2/2 shared", "from_attributes")),
        ("Digest", "Board", "read", ("title", "labels"), ("fields: 2/2 shared", "from_attributes")),
        ("TaskEventPayload", "TaskRecord", "read", ("title", "labels"),
         ("name: TaskEventPayload shares words with TaskRecord", "fields: 2/2 shared", "from_attributes")),
    ]


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


def test_a_route_file_with_nothing_else_the_scan_looks_for_gives_its_evidence(project):
    """Regression: function bodies and signatures were read only in files with a query, an
    ``execute``, a ``response_model``...; a plain route taking a schema gave no request-body evidence."""
    r = project(tree(WIDGETS, QUERY, **{"app/routes.py": """
            from fastapi import APIRouter
            from app.models import Widget
            from app.schemas import Query

            router = APIRouter()


            @router.post("/widgets", status_code=201)
            def create_widget(body: Query):
                return Widget(**body.model_dump())
            """}))
    assert pairs(r) == [("Query", "Widget", "create", ("label", "slug"),
                         ("fields: 2/2 shared", "request body of app.routes.create_widget"))]


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


def test_the_body_of_an_update_request_is_an_update(project):
    """Regression: the outer affix set the role, so ``LabelUpdateIn`` was a create schema and its
    optional ``name`` a false SQM103 (accepts None but the column is NOT NULL)."""
    r = project(tree(LABELS, """
        from typing import Optional

        from pydantic import BaseModel


        class LabelUpdateIn(BaseModel):
            name: Optional[str] = None


        class UpdateLabelRequest(BaseModel):
            name: Optional[str] = None


        class LabelCreateIn(BaseModel):
            name: Optional[str] = None


        class LabelUpdateOut(BaseModel):
            id: int
        """))
    assert [(s, m, role) for s, m, role, _, _ in pairs(r)] == [
        ("LabelCreateIn", "Label", "create"), ("LabelUpdateIn", "Label", "update"),
        ("LabelUpdateOut", "Label", "read"), ("UpdateLabelRequest", "Label", "update")]
    assert codes(r, "SQM103") == [("app/schemas.py", 15, "app.schemas.LabelCreateIn.name")]


def test_an_update_affix_inside_a_request_affix_names_the_role(project):
    """Regression: the outermost affix named the role, so ``LabelUpdateRequest`` (all optional, a
    partial update) was a create schema and got SQM103 for accepting None in a NOT NULL column; the
    ``Request``/``Payload``/``Input``/``In`` body affixes now give way to an update affix inside them."""
    r = project(tree(LABELS, """
        from typing import Optional

        from pydantic import BaseModel

        class LabelUpdateRequest(BaseModel):
            name: Optional[str] = None

        class LabelCreateRequest(BaseModel):
            name: Optional[str] = None

        class MemberPatchIn(BaseModel):
            name: Optional[str] = None
            email: Optional[str] = None

        class MemberUpdateResponse(BaseModel):
            name: str
        """))
    assert pairs(r) == [
        ("LabelCreateRequest", "Label", "create", ("name",),
         ("name: LabelCreateRequest -> Label (suffix Request; suffix Create)", "fields: 1/1 shared")),
        ("LabelUpdateRequest", "Label", "update", ("name",),
         ("name: LabelUpdateRequest -> Label (suffix Request; suffix Update)", "fields: 1/1 shared")),
        ("MemberPatchIn", "Member", "update", ("name", "email"),
         ("name: MemberPatchIn -> Member (suffix In; suffix Patch)", "fields: 2/2 shared")),
        ("MemberUpdateResponse", "Member", "read", ("name",),
         ("name: MemberUpdateResponse -> Member (suffix Response; suffix Update)", "fields: 1/1 shared")),
    ]
    assert codes(r, "SQM103") == [("app/schemas.py", 9, "app.schemas.LabelCreateRequest.name")]


def test_a_namesake_sharing_no_field_is_no_pair(project):
    """Regression: a schema was paired with the model of the same name even when it shares none of
    its fields (an OpenAI ``Label`` payload, a test helper), and each of its fields got SQM106; it
    is unpaired now (SQM107), while a namesake with a shared field or a relationship's name, and
    an affixed name (``LabelCreate``) sharing nothing, still pair."""
    models = LABELS.replace("from sqlalchemy.orm import Mapped, mapped_column",
                            "from sqlalchemy.orm import Mapped, mapped_column, relationship")
    models += '\n    label: Mapped["Label"] = relationship()\n'
    r = project(tree(models, """
        from pydantic import BaseModel

        class Label(BaseModel):
            color: str
            font: str

        class LabelCreate(BaseModel):
            color: str

        class Member(BaseModel):
            email: str
            nickname: str
        """, **{"app/other.py": """
        from pydantic import BaseModel

        class Member(BaseModel):
            label: str

        class Label(BaseModel):
            shade: str
        """}))
    assert pairs(r) == [
        ("LabelCreate", "Label", "create", (), ("name: LabelCreate -> Label (suffix Create)", "fields: 0/1 shared")),
        ("Member", "Member", "base", (), ("name: Member -> Member (same name)", "fields: 0/1 shared")),
        ("Member", "Member", "base", ("email",), ("name: Member -> Member (same name)", "fields: 1/2 shared")),
    ]
    assert codes(r, "SQM107") == [("app/other.py", 6, "app.other.Label"), ("app/schemas.py", 3, "app.schemas.Label")]


def test_an_update_schema_paired_by_overlap_is_an_update(project):
    """Regression: a schema paired by field overlap and taken as a route's request body was a create
    schema whatever its name said, so ``ItemUpdate`` (all optional) got SQM103 "accepts None in a
    create schema"; an update affix makes it an update, other names stay create."""
    r = project(tree(WIDGETS, """
        from typing import Optional

        from pydantic import BaseModel

        class ItemUpdate(BaseModel):
            label: Optional[str] = None
            slug: Optional[str] = None

        class ItemPayload(BaseModel):
            label: Optional[str] = None
            slug: str
        """, **{"app/routes.py": """
            from fastapi import APIRouter
            from app.models import Widget
            from app.schemas import ItemPayload, ItemUpdate

            router = APIRouter()


            @router.patch("/widgets/{pk}")
            def update_widget(pk: int, body: ItemUpdate):
                return Widget(**body.model_dump())


            @router.post("/widgets")
            def create_widget(body: ItemPayload):
                return Widget(**body.model_dump())
            """}))
    assert pairs(r) == [
        ("ItemPayload", "Widget", "create", ("label", "slug"), ("fields: 2/2 shared", "request body of app.routes.create_widget")),
        ("ItemUpdate", "Widget", "update", ("label", "slug"), ("fields: 2/2 shared", "request body of app.routes.update_widget")),
    ]
    assert codes(r, "SQM103") == [("app/schemas.py", 10, "app.schemas.ItemPayload.label")]
