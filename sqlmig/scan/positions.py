"""Line/column of selected nodes from one code-generation pass.

LibCST's ``PositionProvider`` records a range for every node of the tree and costs about 2.5x the
parse itself. We only need the start of a few hundred nodes per file (classes, class-body
statements, interesting calls), so this walks the code generator once and records the start of the
nodes asked for: about a quarter of the parse cost.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import libcst as cst
from libcst._nodes.internal import CodegenState


class _State(CodegenState):
    __slots__ = ("line", "col", "wanted", "found")

    def __init__(self, module: cst.Module, wanted: set[int]) -> None:
        super().__init__(default_indent=module.default_indent, default_newline=module.default_newline)
        self.line = 1
        self.col = 0
        self.wanted = wanted
        self.found: dict[int, tuple[int, int]] = {}

    def add_token(self, value: str) -> None:
        self.tokens.append(value)
        if "\r" in value:
            value = value.replace("\r\n", "\n").replace("\r", "\n")
        newlines = value.count("\n")
        if newlines:
            self.line += newlines
            self.col = len(value) - value.rfind("\n") - 1
        else:
            self.col += len(value)

    def add_indent_tokens(self) -> None:
        for token in self.indent_tokens:
            self.add_token(token)

    def before_codegen(self, node: cst.CSTNode) -> None:
        if id(node) in self.wanted:
            self.found[id(node)] = (self.line, self.col)

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


def positions(module: cst.Module, nodes: Iterable[cst.CSTNode]) -> dict[int, tuple[int, int]]:
    """Map ``id(node)`` to its 1-based line and 0-based column for each node asked for."""
    wanted = {id(n) for n in nodes}
    if not wanted:
        return {}
    state = _State(module, wanted)
    module._codegen(state)
    return state.found
