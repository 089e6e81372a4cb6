"""Positions and source text of nodes from one code-generation pass.

LibCST's ``PositionProvider`` records a range for every node of the tree and costs about 2.5x the
parse itself; ``Module.code_for_node`` generates a node's code again each time it is asked, so
asking for every expression of a file costs about as much as the parse. This walks the code
generator once, keeps no tokens, and records per node where its code starts and ends (offsets into
the source, which LibCST reproduces exactly), plus line and column of the nodes asked for.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import libcst as cst
from libcst._nodes.internal import CodegenState


class _State(CodegenState):
    __slots__ = ("line", "col", "offset", "wanted", "found", "starts", "ends", "indents")

    def __init__(self, module: cst.Module, wanted: set[int]) -> None:
        super().__init__(default_indent=module.default_indent, default_newline=module.default_newline)
        self.line = 1
        self.col = 0
        self.offset = 0
        self.wanted = wanted
        self.found: dict[int, tuple[int, int]] = {}
        self.starts: dict[int, int] = {}
        self.ends: dict[int, int] = {}
        self.indents: list[tuple[int, int]] = []  # (offset, length) of block indentation written

    def add_token(self, value: str) -> None:
        self.offset += len(value)
        if "\n" in value or "\r" in value:
            if "\r" in value:
                value = value.replace("\r\n", "\n").replace("\r", "\n")
            self.line += value.count("\n")
            self.col = len(value) - value.rfind("\n") - 1
        else:
            self.col += len(value)

    def add_indent_tokens(self) -> None:
        start = self.offset
        for token in self.indent_tokens:
            self.add_token(token)
        if self.offset > start:
            self.indents.append((start, self.offset - start))

    def pop_trailing_newline(self) -> None:
        pass  # only the end of the module moves; nothing is recorded after it

    def before_codegen(self, node: cst.CSTNode) -> None:
        key = id(node)
        self.starts[key] = self.offset
        if key in self.wanted:
            self.found[key] = (self.line, self.col)

    def after_codegen(self, node: cst.CSTNode) -> None:
        self.ends[id(node)] = self.offset

    @contextmanager
    def record_syntactic_position(
        self,
        node: cst.CSTNode,
        *,
        start_node: cst.CSTNode | None = None,
        end_node: cst.CSTNode | None = None,
    ) -> Iterator[None]:
        # The syntactic start skips leading blank lines and comments owned by a statement.
        if id(node) in self.wanted:
            self.found[id(node)] = (self.line, self.col)
        yield


class Spans:
    """Where the nodes of one module are: ``at(node)`` and ``text(node)``."""

    __slots__ = ("source", "found", "starts", "ends", "indent_at", "indent_len")

    def __init__(self, module: cst.Module, source: str, nodes: Iterable[cst.CSTNode]) -> None:
        state = _State(module, {id(n) for n in nodes})
        module._codegen(state)
        self.source = source
        self.found = state.found
        self.starts = state.starts
        self.ends = state.ends
        self.indent_at = [o for o, _ in state.indents]
        self.indent_len = [n for _, n in state.indents]

    def at(self, node: cst.CSTNode) -> tuple[int, int]:
        """1-based line and 0-based column of a node asked for at construction, else (0, 0)."""
        return self.found.get(id(node), (0, 0))

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
