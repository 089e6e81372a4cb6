"""The one pass over a module: LibCST's code generator, driving the scanner's hooks.

Facts need, besides the nodes themselves, where nodes are (line and column) and their source text.
LibCST's ``PositionProvider`` records a range for every node and costs about 2.5x the parse;
``Module.code_for_node`` generates a node's code again each time it is asked. Here the code
generator runs once, keeps no tokens, and notes per node the offsets where its code starts and ends
(LibCST reproduces the source exactly, so the offsets index the source text); the same pass calls
the scanner's ``visit_<Type>``/``leave_<Type>`` hooks, in source order, like a ``CSTVisitor``
(``visit_`` returning False skips the hooks of the node's children; its ``leave_`` still runs).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from contextlib import contextmanager

import libcst as cst
from libcst._nodes.internal import CodegenState

_NEWLINE = re.compile(r"\r\n|\r|\n")


class _NoHooks:
    pass


class _State(CodegenState):
    __slots__ = ("offset", "starts", "ends", "syntactic", "indents", "visitor", "hooks", "skip")

    def __init__(self, module: cst.Module, visitor: object | None) -> None:
        super().__init__(default_indent=module.default_indent, default_newline=module.default_newline)
        self.offset = 0
        self.starts: dict[int, int] = {}
        self.ends: dict[int, int] = {}
        self.syntactic: dict[int, int] = {}  # statements: where the code starts after leading comments
        self.indents: list[tuple[int, int]] = []  # (offset, length) of block indentation written
        self.visitor = visitor if visitor is not None else _NoHooks()
        self.hooks: dict[type, tuple] = {}
        self.skip: cst.CSTNode | None = None  # the node whose visit_ hook returned False

    def add_token(self, value: str) -> None:
        self.offset += len(value)

    def add_indent_tokens(self) -> None:
        start = self.offset
        for token in self.indent_tokens:
            self.offset += len(token)
        if self.offset > start:
            self.indents.append((start, self.offset - start))

    def pop_trailing_newline(self) -> None:
        pass  # only the end of the module moves; nothing is recorded after it

    def _hooks(self, cls: type) -> tuple:
        kind, name = type(self.visitor), cls.__name__
        hooks = self.hooks[cls] = (getattr(kind, f"visit_{name}", None), getattr(kind, f"leave_{name}", None))
        return hooks

    def before_codegen(self, node: cst.CSTNode) -> None:
        self.starts[id(node)] = self.offset
        if self.skip is None:
            hooks = self.hooks.get(node.__class__) or self._hooks(node.__class__)
            if hooks[0] is not None and hooks[0](self.visitor, node) is False:
                self.skip = node

    def after_codegen(self, node: cst.CSTNode) -> None:
        self.ends[id(node)] = self.offset
        skip = self.skip
        if skip is None or skip is node:
            self.skip = None
            leave = self.hooks[node.__class__][1]  # looked up when the node began: nothing was skipped then
            if leave is not None:
                leave(self.visitor, node)

    @contextmanager
    def record_syntactic_position(
        self,
        node: cst.CSTNode,
        *,
        start_node: cst.CSTNode | None = None,
        end_node: cst.CSTNode | None = None,
    ) -> Iterator[None]:
        self.syntactic[id(node)] = self.offset
        yield


class Spans:
    """Where the nodes of one module are: ``at(node)`` and ``text(node)``."""

    __slots__ = ("source", "starts", "ends", "syntactic", "indent_at", "indent_len", "lines")

    def __init__(self, module: cst.Module, source: str, visitor: object | None = None) -> None:
        state = _State(module, visitor)
        module._codegen(state)
        self.source = source
        self.starts = state.starts
        self.ends = state.ends
        self.syntactic = state.syntactic
        self.indent_at = [o for o, _ in state.indents]
        self.indent_len = [n for _, n in state.indents]
        self.lines = [0] + [m.end() for m in _NEWLINE.finditer(source)]  # offset where each line starts

    def at(self, node: cst.CSTNode) -> tuple[int, int]:
        """1-based line and 0-based column where the node's code starts (a statement's after its
        leading blank lines and comments)."""
        offset = self.syntactic.get(id(node))
        if offset is None:
            offset = self.starts.get(id(node))
            if offset is None:
                return (0, 0)
        line = bisect_right(self.lines, offset)
        return line, offset - self.lines[line - 1]

    def text(self, node: cst.CSTNode) -> str:
        """The node's code exactly as ``Module.code_for_node`` renders it.

        In place, a line inside brackets starts with the enclosing block's indentation; rendered on
        its own the node has none, so that indentation is cut out of the source slice.
        """
        start, end = self.starts[id(node)], self.ends[id(node)]
        i = bisect_left(self.indent_at, start)
        if i == len(self.indent_at) or self.indent_at[i] >= end:
            return self.source[start:end]
        parts, pos = [], start
        while i < len(self.indent_at) and self.indent_at[i] < end:
            parts.append(self.source[pos:self.indent_at[i]])
            pos = self.indent_at[i] + self.indent_len[i]
            i += 1
        parts.append(self.source[pos:end])
        return "".join(parts)
