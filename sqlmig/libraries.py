"""The libraries whose names sqlmig knows, and their canonical names (no LibCST here: the index
resolves with them in runs that never parse a file)."""

from __future__ import annotations


def is_library(module: str) -> bool:
    """Whether ``module`` belongs to a library whose names ``canonical`` knows (not the project)."""
    return module.split(".", 1)[0] in _KNOWN_TOPS


def canonical(ref: str | None) -> str | None:
    """``sqlalchemy.orm.decl_api.DeclarativeBase`` -> ``sqlalchemy:DeclarativeBase``.

    The libraries we know re-export the same object from many modules; the last component is what
    identifies it. Project and unknown names are returned unchanged.
    """
    if not ref:
        return ref
    top, _, rest = ref.partition(".")
    if top in _KNOWN_TOPS and rest:
        if top == "pydantic" and rest.startswith("v1."):
            return "pydantic.v1:" + rest.rsplit(".", 1)[-1]
        if top == "typing_extensions":
            top = "typing"
        return f"{top}:{rest.rsplit('.', 1)[-1]}"
    return ref


_KNOWN_TOPS = frozenset(
    {
        "sqlalchemy",
        "sqlmodel",
        "pydantic",
        "pydantic_settings",
        "fastapi",
        "typing",
        "typing_extensions",
        "datetime",
        "decimal",
        "uuid",
        "enum",
        "alembic",
        "builtins",
        "flask_sqlalchemy",
        "flask_appbuilder",
        "starlette",
        "ipaddress",
    }
)
