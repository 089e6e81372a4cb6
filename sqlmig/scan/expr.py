"""Summarise LibCST expressions into ``ir.Expr`` trees with resolved references."""

from __future__ import annotations

from collections.abc import Callable

import libcst as cst

from sqlmig.ir import Expr
from sqlmig.scan.names import Resolver, canonical, dotted

MAX_DEPTH = 6
_CONSTS = {"True": True, "False": False, "None": None}


class Summariser:
    """Turns expressions into ``Expr``; ``code`` renders a node (LibCST codegen)."""

    __slots__ = ("resolver", "code", "local")

    def __init__(self, resolver: Resolver, code: Callable[[cst.CSTNode], str]) -> None:
        self.resolver = resolver
        self.code = code
        # name -> Expr of its latest assignment in the current function (usage facts only)
        self.local: dict[str, Expr] | None = None

    def ref(self, node: cst.BaseExpression) -> str | None:
        return canonical(self.resolver.resolve(node))

    def _text(self, node: cst.BaseExpression) -> str:
        """Source text; leaves without parentheses are read off the node instead of generated."""
        if not getattr(node, "lpar", None):
            if isinstance(node, (cst.Name, cst.SimpleString, cst.Integer, cst.Float)):
                return node.value
            if isinstance(node, cst.Attribute):
                name = dotted(node)
                if name is not None:
                    return name
        return self.code(node)

    def __call__(self, node: cst.BaseExpression, depth: int = 0) -> Expr:
        text = self._text(node)
        if depth > MAX_DEPTH:
            return Expr("other", text)
        if isinstance(node, cst.Name):
            if node.value in _CONSTS:
                return Expr("const", text, value=_CONSTS[node.value])
            if self.local is not None and node.value in self.local:
                return self.local[node.value]
            return Expr("name", text, self.ref(node))
        if isinstance(node, cst.Attribute):
            if dotted(node):
                return Expr("attr", text, self.ref(node), value=node.attr.value)
            return Expr("attr", text, None, value=node.attr.value, base=self(node.value, depth + 1))
        if isinstance(node, cst.Call):
            return self._call(node, text, depth)
        if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
            value = node.evaluated_value
            return Expr("str", text, value=value if isinstance(value, str) else None)
        if isinstance(node, cst.FormattedString):
            return Expr("fstr", text)
        if isinstance(node, (cst.Integer, cst.Float)):
            try:
                return Expr("const", text, value=int(node.value.replace("_", ""), 0)
                            if isinstance(node, cst.Integer) else float(node.value.replace("_", "")))
            except ValueError:
                return Expr("const", text)
        if isinstance(node, cst.Ellipsis):
            return Expr("const", text, value="...")
        if isinstance(node, cst.UnaryOperation) and isinstance(node.expression, (cst.Integer, cst.Float)):
            inner = self(node.expression, depth + 1)
            if isinstance(node.operator, cst.Minus) and isinstance(inner.value, (int, float)):
                return Expr("const", text, value=-inner.value)
            return Expr("other", text)
        if isinstance(node, cst.BinaryOperation):
            op = type(node.operator).__name__
            return Expr("binop", text, args=(self(node.left, depth + 1), self(node.right, depth + 1)), value=op)
        if isinstance(node, cst.Subscript):
            args = tuple(
                self(el.slice.value, depth + 1)
                for el in node.slice
                if isinstance(el.slice, cst.Index)
            )
            return Expr("subscript", text, self.ref(node.value) if dotted(node.value) else None, args)
        if isinstance(node, (cst.Tuple, cst.List, cst.Set)):
            kind = {cst.Tuple: "tuple", cst.List: "list", cst.Set: "set"}[type(node)]
            items = tuple(self(el.value, depth + 1) for el in node.elements)
            return Expr(kind, text, args=items)
        if isinstance(node, cst.Dict):
            pairs = []
            for el in node.elements:
                if isinstance(el, cst.DictElement) and isinstance(el.key, (cst.SimpleString, cst.ConcatenatedString)):
                    key = el.key.evaluated_value
                    if isinstance(key, str):
                        pairs.append((key, self(el.value, depth + 1)))
            return Expr("dict", text, kwargs=tuple(pairs))
        if isinstance(node, cst.Lambda):
            return Expr("lambda", text, args=(self(node.body, depth + 1),))
        if isinstance(node, cst.Await):
            return self(node.expression, depth)
        return Expr("other", text)

    def _call(self, node: cst.Call, text: str, depth: int) -> Expr:
        func = node.func
        name = dotted(func)
        ref = self.ref(func) if name else None
        args: list[Expr] = []
        kwargs: list[tuple[str, Expr]] = []
        for arg in node.args:
            if arg.keyword is not None:
                kwargs.append((arg.keyword.value, self(arg.value, depth + 1)))
            elif arg.star:
                kwargs.append((arg.star, self(arg.value, depth + 1)))
            else:
                args.append(self(arg.value, depth + 1))
        base = None if name else self(func, depth + 1)
        return Expr("call", text, ref, tuple(args), tuple(kwargs), value=name, base=base)
