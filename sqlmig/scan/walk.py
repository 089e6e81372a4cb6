"""A read-only walk over a LibCST tree, about ten times cheaper than ``CSTNode.visit``.

LibCST's visitor rebuilds every node it passes (the same machinery serves transformers). Facts
only need reading, so this walks dataclass fields directly, skips whitespace and punctuation, and
calls ``visit_<Type>``/``leave_<Type>`` like a ``CSTVisitor`` (``visit_`` returning False skips the
children; ``leave_`` is still called).
"""

from __future__ import annotations

import dataclasses

import libcst as cst

_SKIP = frozenset({
    "lpar", "rpar", "comma", "semicolon", "leading_lines", "lines_after_decorators", "header", "footer",
    "trailing_whitespace", "first_line", "empty_lines", "star", "operator", "default_indent", "default_newline",
    "encoding", "has_trailing_newline", "asynchronous", "equal", "colon", "dot", "relative", "indent",
})
_FIELDS: dict[type, tuple[str, ...]] = {}


def _fields(cls: type) -> tuple[str, ...]:
    names = _FIELDS.get(cls)
    if names is None:
        names = _FIELDS[cls] = tuple(
            f.name for f in dataclasses.fields(cls) if f.name not in _SKIP and not f.name.startswith("whitespace")
        )
    return names


class Walker:
    """Subclass and define ``visit_X``/``leave_X`` methods; then ``walk(tree)``."""

    def __init__(self) -> None:
        self._hooks: dict[type, tuple] = {}

    def _hooks_for(self, cls: type) -> tuple:
        hooks = self._hooks.get(cls)
        if hooks is None:
            name = cls.__name__
            # functions of the class, not bound methods: a bound method in an attribute of the walker
            # would make a reference cycle that keeps every walked tree alive until the next GC
            kind = type(self)
            hooks = self._hooks[cls] = (getattr(kind, f"visit_{name}", None), getattr(kind, f"leave_{name}", None))
        return hooks

    def walk(self, node: cst.CSTNode) -> None:
        visit, leave = self._hooks_for(type(node))
        if visit is None or visit(self, node) is not False:
            for name in _fields(type(node)):
                value = getattr(node, name)
                if isinstance(value, cst.CSTNode):
                    self.walk(value)
                elif isinstance(value, (tuple, list)):
                    for item in value:
                        if isinstance(item, cst.CSTNode):
                            self.walk(item)
        if leave is not None:
            leave(self, node)
