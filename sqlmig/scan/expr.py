"""Summarise LibCST expressions into ``ir.Expr`` trees with resolved references."""

from __future__ import annotations

from collections.abc import Callable

import libcst as cst

from sqlmig.ir import Expr
from sqlmig.scan.names import Resolver, canonical, dotted

MAX_DEPTH = 6
_CONSTS = {"True": True, "False": False, "None": None}
_LEAVES = (cst.Name, cst.SimpleString, cst.Integer, cst.Float)  # their text is their value


def string_value(node: cst.SimpleString | cst.ConcatenatedString) -> str | bytes | None:
    """``node.evaluated_value``, which compiles the literal with CPython's parser (``literal_eval``);
    a plain quoted literal with no prefix, backslash or carriage return is its text between the
    quotes, read off directly."""
    if type(node) is cst.SimpleString:
        text = node.value
        if text[0] in "'\"" and "\\" not in text and "\r" not in text:
            quote = 3 if len(text) >= 6 and text[:3] in ('"""', "'''") else 1
            return text[quote:-quote]
    return node.evaluated_value


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

    # Node classes are compared by identity (``type(node) is cst.Name``, here and in module.py):
    # the parser builds no subclasses, and ``isinstance`` against LibCST's ABCs was a tenth of the
    # scan's own time.

    def _text(self, node: cst.BaseExpression) -> str:
        """Source text; leaves without parentheses are read off the node instead of generated."""
        if not getattr(node, "lpar", None):
            kind = type(node)
            if kind in _LEAVES:
                return node.value
            if kind is cst.Attribute:
                name = dotted(node)
                if name is not None:
                    return name
        return self.code(node)

    def __call__(self, node: cst.BaseExpression, depth: int = 0) -> Expr:
        text = self._text(node)
        if depth > MAX_DEPTH:
            return Expr("other", text)
        kind = type(node)
        if kind is cst.Name:
            if node.value in _CONSTS:
                return Expr("const", text, value=_CONSTS[node.value])
            if self.local is not None and node.value in self.local:
                return self.local[node.value]
            return Expr("name", text, self.ref(node))
        if kind is cst.Attribute:
            if dotted(node):
                return Expr("attr", text, self.ref(node), value=node.attr.value)
            return Expr("attr", text, None, value=node.attr.value, base=self(node.value, depth + 1))
        if kind is cst.Call:
            return self._call(node, text, depth)
        if kind in (cst.SimpleString, cst.ConcatenatedString):
            value = string_value(node)
            return Expr("str", text, value=value if isinstance(value, str) else None)
        if kind is cst.FormattedString:
            return Expr("fstr", text)
        if kind in (cst.Integer, cst.Float):
            try:
                return Expr("const", text, value=int(node.value.replace("_", ""), 0)
                            if kind is cst.Integer else float(node.value.replace("_", "")))
            except ValueError:
                return Expr("const", text)
        if kind is cst.Ellipsis:
            return Expr("const", text, value="...")
        if kind is cst.UnaryOperation and type(node.expression) in (cst.Integer, cst.Float):
            inner = self(node.expression, depth + 1)
            if type(node.operator) is cst.Minus and isinstance(inner.value, (int, float)):
                return Expr("const", text, value=-inner.value)
            return Expr("other", text)
        if kind is cst.BinaryOperation:
            op = type(node.operator).__name__
            return Expr("binop", text, args=(self(node.left, depth + 1), self(node.right, depth + 1)), value=op)
        if kind is cst.Subscript:
            args = tuple(
                self(el.slice.value, depth + 1)
                for el in node.slice
                if type(el.slice) is cst.Index
            )
            return Expr("subscript", text, self.ref(node.value) if dotted(node.value) else None, args)
        if kind in (cst.Tuple, cst.List, cst.Set):
            name = {cst.Tuple: "tuple", cst.List: "list", cst.Set: "set"}[kind]
            items = tuple(self(el.value, depth + 1) for el in node.elements)
            return Expr(name, text, args=items)
        if kind is cst.Dict:
            pairs, others = [], []
            for el in node.elements:
                if type(el) is not cst.DictElement:
                    continue
                key = string_value(el.key) if type(el.key) in (cst.SimpleString, cst.ConcatenatedString) else None
                if isinstance(key, str):
                    pairs.append((key, self(el.value, depth + 1)))
                else:  # ``{str: String(50)}`` (a type_annotation_map): key, value, key, value...
                    others += (self(el.key, depth + 1), self(el.value, depth + 1))
            return Expr("dict", text, args=tuple(others), kwargs=tuple(pairs))
        if kind is cst.Lambda:
            return Expr("lambda", text, args=(self(node.body, depth + 1),))
        if kind is cst.Await:
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
