"""Cheap name resolution: one import table per module instead of LibCST's QualifiedNameProvider."""

from __future__ import annotations

import builtins

import libcst as cst

BUILTINS = frozenset(dir(builtins))


def dotted(node: cst.BaseExpression) -> str | None:
    """``a.b.c`` for a Name/Attribute chain, else None."""
    kind = type(node)  # the parser's node classes have no subclasses: identity, not ABC isinstance
    if kind is _NAME:
        return node.value
    parts: list[str] = []
    while kind is _ATTRIBUTE:
        parts.append(node.attr.value)
        node = node.value
        kind = type(node)
    if kind is _NAME:
        parts.append(node.value)
        return ".".join(reversed(parts))
    return None


_NAME, _ATTRIBUTE = cst.Name, cst.Attribute


def module_of_relative(module: str, is_package: bool, level: int, target: str | None) -> str:
    """Resolve ``from ..x import y``: the absolute module ``..x`` names inside ``module``."""
    parts = module.split(".") if module else []
    if not is_package:
        parts = parts[:-1]
    if level > 1:
        parts = parts[: len(parts) - (level - 1)] if level - 1 <= len(parts) else []
    if target:
        parts.append(target)
    return ".".join(parts)


class Resolver:
    """Maps local names to qualified names; filled while the module is walked."""

    __slots__ = ("module", "table")

    def __init__(self, module: str) -> None:
        self.module = module
        self.table: dict[str, str] = {}

    def bind(self, local: str, target: str) -> None:
        self.table[local] = target

    def define(self, local: str) -> None:
        # a module-level definition shadows an import of the same name only after it
        self.table[local] = f"{self.module}.{local}" if self.module else local

    def resolve_dotted(self, name: str) -> str | None:
        head, _, rest = name.partition(".")
        target = self.table.get(head)
        if target is None:
            if head in BUILTINS:
                target = f"builtins.{head}"
            else:
                return None
        return f"{target}.{rest}" if rest else target

    def resolve(self, node: cst.BaseExpression) -> str | None:
        name = dotted(node)
        return self.resolve_dotted(name) if name else None


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
        "starlette",
        "ipaddress",
    }
)
