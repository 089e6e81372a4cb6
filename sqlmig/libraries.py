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
        last = rest.rsplit(".", 1)[-1]
        if top == "sqlmodel" and last in SQLMODEL_FROM_SQLALCHEMY:
            top = "sqlalchemy"
        return f"{top}:{last}"
    return ref


# the SQLAlchemy objects ``sqlmodel`` re-exports (``from sqlmodel import Column, ForeignKey, Text``)
SQLMODEL_FROM_SQLALCHEMY = frozenset({
    "ARRAY", "BIGINT", "BINARY", "BLOB", "BOOLEAN", "BigInteger", "Boolean", "CHAR", "CLOB",
    "CheckConstraint", "Column", "ColumnDefault", "Computed", "Constraint", "DATE", "DATETIME", "DDL", "DECIMAL",
    "DOUBLE", "DOUBLE_PRECISION", "Date", "DateTime", "DefaultClause", "Double", "Enum", "FLOAT", "FetchedValue",
    "Float", "ForeignKey", "ForeignKeyConstraint", "INT", "INTEGER", "Identity", "Index", "Integer", "Interval",
    "JSON", "LargeBinary", "MetaData", "NCHAR", "NUMERIC", "NVARCHAR", "Numeric", "PickleType",
    "PrimaryKeyConstraint", "REAL", "SMALLINT", "Sequence", "SmallInteger", "String", "TEXT", "TIME", "TIMESTAMP",
    "Table", "Text", "Time", "TypeDecorator", "UUID", "Unicode", "UnicodeText", "UniqueConstraint", "Uuid",
    "VARBINARY", "VARCHAR", "column", "create_engine", "delete", "func", "insert", "inspect", "literal",
    "literal_column", "null", "table", "text", "update",
})


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
        "reflex",
    }
)

# library classes that are project-like subclasses of another known one: their bases, in MRO order
LIBRARY_BASES = {
    "reflex:Model": ("sqlmodel:SQLModel",),  # ``class User(rx.Model, table=True)``, with an ``id`` primary key
}
