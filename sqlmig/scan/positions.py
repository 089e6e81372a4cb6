"""The one pass over a module: LibCST's code generator, driving the scanner's hooks.

Facts need, besides the nodes themselves, where nodes are (line and column) and their source text.
LibCST's ``PositionProvider`` records a range for every node and costs about 2.5x the parse;
``Module.code_for_node`` generates a node's code again each time it is asked. Here the code
generator runs once, keeps no tokens, and notes per node the offsets where its code starts and ends
(LibCST reproduces the source exactly, so the offsets index the source text); the same pass calls
the scanner's ``visit_<Type>``/``leave_<Type>`` hooks, in source order, like a ``CSTVisitor``
(``visit_`` returning False skips the hooks of the node's children; its ``leave_`` still runs).

Most nodes are leaves whose code is one token: whitespace alone is 42% of the nodes of the bench
projects, names another 15%. Nothing asks where those are, so for the duration of the pass their
classes get a ``_codegen`` that only advances the offset (``_LEAVES``), and the context managers
LibCST opens around every expression and statement are replaced by plain objects (``_Parens``,
``_NULL``). The structure is still walked by LibCST's own code, so every recorded offset is the one
the stock pass records (``tests/test_positions.py`` compares both on the samples, fixtures,
``libcst/_nodes`` and ``sqlalchemy/orm``); should the pass not come out at the source's length, or
raise, ``scan_source`` runs the stock pass instead.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from contextlib import contextmanager

import libcst as cst
from libcst._nodes.base import CSTNode
from libcst._nodes.expression import _BaseParenthesizedNode
from libcst._nodes.internal import CodegenState
from libcst._nodes.op import _BaseOneTokenOp

_NEWLINE = re.compile(r"\r\n|\r|\n")


class _NoHooks:
    pass


class _Null:
    __slots__ = ()

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> bool:
        return False


_NULL = _Null()


_HOOKS: dict[type, dict[type, tuple]] = {}  # per visitor class: looked up once, not once per file


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
        self.hooks = _HOOKS.setdefault(type(self.visitor), {})  # node class -> (visit_, leave_)
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

    def record_syntactic_position(
        self,
        node: cst.CSTNode,
        *,
        start_node: cst.CSTNode | None = None,
        end_node: cst.CSTNode | None = None,
    ) -> _Null:
        self.syntactic[id(node)] = self.offset  # where LibCST's generator would record it, on entry
        return _NULL


class _StockState(_State):
    """The pass as LibCST runs it (a generator per context), for the fallback and the tests."""

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


class _Parens:
    """``_BaseParenthesizedNode._parenthesize`` without a generator: the same calls in the same order."""

    __slots__ = ("node", "state")

    def __init__(self, node: _BaseParenthesizedNode, state: _State) -> None:
        self.node, self.state = node, state

    def __enter__(self) -> None:
        for lpar in self.node.lpar:
            lpar._codegen(self.state)
        self.state.syntactic[id(self.node)] = self.state.offset

    def __exit__(self, kind: object, *exc: object) -> bool:
        if kind is None:  # as after the generator's yield; on an error the generator stops there
            for rpar in self.node.rpar:
                rpar._codegen(self.state)
        return False


_STOCK_PARENTHESIZE = _BaseParenthesizedNode.__dict__["_parenthesize"]


def _parenthesize(self: _BaseParenthesizedNode, state: _State):
    if state.__class__ is not _State:
        return _STOCK_PARENTHESIZE(self, state)
    return _Parens(self, state)


def _value(self, state: _State) -> None:  # SimpleWhitespace, Comment
    if state.__class__ is not _State:  # another code generator (see keep_fast_leaves)
        return CSTNode._codegen(self, state)
    state.offset += len(self.value)


def _newline(self, state: _State) -> None:
    if state.__class__ is not _State:
        return CSTNode._codegen(self, state)
    value = self.value
    state.offset += len(state.default_newline if value is None else value)


def _trailing(self, state: _State) -> None:
    if state.__class__ is not _State:
        return CSTNode._codegen(self, state)
    comment, value = self.comment, self.newline.value
    state.offset += len(self.whitespace.value) + (len(comment.value) if comment is not None else 0) \
        + len(state.default_newline if value is None else value)


def _empty_line(self, state: _State) -> None:
    if state.__class__ is not _State:
        return CSTNode._codegen(self, state)
    if self.indent:
        state.add_indent_tokens()
    _trailing(self, state)


def _one_token(self, state: _State) -> None:  # operators, commas, dots, colons, ``=``
    if state.__class__ is not _State:
        return CSTNode._codegen(self, state)
    self.whitespace_before._codegen(state)
    state.offset += len(self._get_token())
    self.whitespace_after._codegen(state)


def _opening(self, state: _State) -> None:  # ( [ {
    if state.__class__ is not _State:
        return CSTNode._codegen(self, state)
    state.offset += 1
    self.whitespace_after._codegen(state)


def _closing(self, state: _State) -> None:  # ) ] }
    if state.__class__ is not _State:
        return CSTNode._codegen(self, state)
    self.whitespace_before._codegen(state)
    state.offset += 1


def _name(self, state: _State) -> None:
    if self.lpar or state.__class__ is not _State:  # its text may be asked for: the full pass records it
        CSTNode._codegen(self, state)
        return
    if state.skip is None:
        hooks = state.hooks.get(cst.Name) or state._hooks(cst.Name)
        if hooks[0] is not None:
            hooks[0](state.visitor, self)
        if hooks[1] is not None:
            hooks[1](state.visitor, self)
    state.offset += len(self.value)


def _subclasses(cls: type) -> set[type]:
    out: set[type] = set()
    for sub in cls.__subclasses__():
        out.add(sub)
        out |= _subclasses(sub)
    return out


_LEAVES: dict[type, object] = {
    cst.SimpleWhitespace: _value, cst.Comment: _value, cst.Newline: _newline,
    cst.TrailingWhitespace: _trailing, cst.EmptyLine: _empty_line, cst.Name: _name,
    cst.LeftParen: _opening, cst.LeftSquareBracket: _opening, cst.LeftCurlyBrace: _opening,
    cst.RightParen: _closing, cst.RightSquareBracket: _closing, cst.RightCurlyBrace: _closing,
}
for _cls in _subclasses(_BaseOneTokenOp):
    if _cls._codegen_impl is _BaseOneTokenOp._codegen_impl and not getattr(_cls, "__abstractmethods__", None):
        _LEAVES[_cls] = _one_token


_PATCHES: dict[type, tuple[tuple[type, object], ...]] = {}


def _patches(kind: type) -> tuple[tuple[type, object], ...]:
    patches = _PATCHES.get(kind)
    if patches is None:  # worked out once per visitor class: a hundred lookups, for every file
        patches = _PATCHES[kind] = tuple(
            (cls, fn) for cls, fn in _LEAVES.items()
            if cls is cst.Name or not (hasattr(kind, f"visit_{cls.__name__}")
                                       or hasattr(kind, f"leave_{cls.__name__}")))
    return patches


def _install(patches: tuple[tuple[type, object], ...]) -> list[tuple[type, str, object]]:
    """Put the fast methods in place; returns what was there, for ``_restore``."""
    saved: list[tuple[type, str, object]] = []
    for cls, fn in patches:
        saved.append((cls, "_codegen", cls.__dict__.get("_codegen")))
        cls._codegen = fn
    saved.append((_BaseParenthesizedNode, "_parenthesize", _BaseParenthesizedNode.__dict__["_parenthesize"]))
    _BaseParenthesizedNode._parenthesize = _parenthesize
    return saved


def _restore(saved: list[tuple[type, str, object]]) -> None:
    for cls, attr, old in reversed(saved):
        if old is None:
            delattr(cls, attr)
        else:
            setattr(cls, attr, old)
    saved.clear()


_resident: tuple[type, list[tuple[type, str, object]]] | None = None  # (visitor class, what was replaced)


def keep_fast_leaves(kind: type) -> None:
    """Leave the fast methods for visitors of class ``kind`` installed for good, in processes that
    mostly scan (the scan workers). Patching some forty classes for every file and putting them back
    costs a sixth of the pass: each assignment to a class also throws away what the interpreter has
    specialised for it. Other code generation stays exact: the fast methods hand any state but the
    pass's own to LibCST's, and passes of other visitors, or the stock pass, get LibCST's methods."""
    global _resident
    if _resident is None:
        _resident = (kind, _install(_patches(kind)))


class _FastLeaves:
    """Installs ``_LEAVES`` and ``_parenthesize`` for one pass (never for a visitor hooking a leaf
    other than ``Name``), and puts LibCST's own methods back afterwards, whatever happens. Where
    ``keep_fast_leaves`` installed the same set already, there is nothing to do; where it installed
    another, that set makes way for the pass and comes back after it. ``stock``: the pass runs with
    LibCST's own methods."""

    def __init__(self, visitor: object | None, stock: bool = False) -> None:
        self.kind = type(visitor)
        self.stock = stock
        self.saved: list[tuple[type, str, object]] = []
        self.evicted = False

    def __enter__(self) -> None:
        if _resident is not None:
            if _resident[0] is self.kind and not self.stock:
                return
            _restore(list(_resident[1]))  # LibCST's own methods, for the length of this pass
            self.evicted = True
        if not self.stock:
            self.saved = _install(_patches(self.kind))

    def __exit__(self, *exc: object) -> bool:
        _restore(self.saved)
        if self.evicted:
            _install(_patches(_resident[0]))
            self.evicted = False
        return False


class Spans:
    """Where the nodes of one module are: ``at(node)`` and ``text(node)``."""

    __slots__ = ("source", "starts", "ends", "syntactic", "indent_at", "indent_len", "lines", "length")

    def __init__(self, module: cst.Module, source: str, visitor: object | None = None, stock: bool = False) -> None:
        state = (_StockState if stock else _State)(module, visitor)
        with _FastLeaves(visitor, stock):
            module._codegen(state)
        self.length = state.offset  # the length of the module's code: the source's, if all went right
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
