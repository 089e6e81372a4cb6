"""Cheap name resolution: one import table per module instead of LibCST's QualifiedNameProvider."""

from __future__ import annotations

import builtins

import libcst as cst

from sqlmig.libraries import canonical, is_library  # noqa: F401 - the scanner's names for them

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

    __slots__ = ("module", "table", "stars")

    def __init__(self, module: str) -> None:
        self.module = module
        self.table: dict[str, str] = {}
        self.stars: list[str] = []  # modules star-imported (``from x import *``), in source order

    def bind(self, local: str, target: str) -> None:
        self.table[local] = target

    def define(self, local: str) -> None:
        # a module-level definition shadows an import of the same name only after it
        self.table[local] = f"{self.module}.{local}" if self.module else local

    def star(self, module: str) -> None:
        self.stars.append(module)

    def resolve_dotted(self, name: str) -> str | None:
        head, _, rest = name.partition(".")
        target = self.table.get(head)
        if target is None:
            if head in BUILTINS:
                target = f"builtins.{head}"
            elif self.stars:
                target = self._starred(head)
            else:
                return None
        return f"{target}.{rest}" if rest else target

    def _starred(self, head: str) -> str:
        """A name the module does not bind, when it star-imports: only the project knows which star
        import supplies it, so it is named as this module's own global (``Index`` follows the star
        imports from there), unless every star import is of a library we know, whose exports are
        not listed anywhere: then the last one supplies it (``from sqlalchemy import *``)."""
        if all(is_library(m) for m in self.stars):
            return f"{self.stars[-1]}.{head}"
        return f"{self.module}.{head}" if self.module else head

    def resolve(self, node: cst.BaseExpression) -> str | None:
        name = dotted(node)
        return self.resolve_dotted(name) if name else None
