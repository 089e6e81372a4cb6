"""``--queries``: sessions become SQLModel's, and ORM selects of SQLModel tables use ``session.exec()``.

Rewritten, where ``M`` resolves to a SQLModel table model (migrated now or before):

- ``s.execute(select(M)...).scalars().all()`` (also ``.first()``, ``.one()``, ``.one_or_none()``, awaited
  or not) -> ``s.exec(select(M)...).all()``;
- ``r = [await] s.execute(select(M)...)`` whose only uses in the same function are
  ``r.scalars().<that>()`` -> ``r = [await] s.exec(select(M)...)`` and ``r.<that>()``;
- ``sessionmaker(...)`` / ``async_sessionmaker(...)`` get SQLModel's ``Session`` / ``AsyncSession`` as
  ``class_`` (subclasses of SQLAlchemy's, so every other use of the session stays valid).

Selects of several columns, ``text()``, Core statements and selects of models that stay on SQLAlchemy
are left alone.
"""

from __future__ import annotations

import libcst as cst

from sqlmig.index import Index
from sqlmig.rewrite.imports import add_imports, remove_unused
from sqlmig.scan.names import dotted

RESULT_METHODS = frozenset({"all", "first", "one", "one_or_none"})
SESSION_CLASSES = {
    "sqlalchemy:sessionmaker": ("sqlmodel", "Session", "SQLModelSession"),
    "sqlalchemy:async_sessionmaker": ("sqlmodel.ext.asyncio.session", "AsyncSession", "SQLModelAsyncSession"),
}


def _strip(node: cst.BaseExpression) -> cst.BaseExpression:
    return node.with_changes(lpar=[], rpar=[]) if getattr(node, "lpar", None) else node


class _Queries(cst.CSTTransformer):
    def __init__(self, module: str, ix: Index, tables: set[str]) -> None:
        self.module = module
        self.ix = ix
        self.tables = tables
        self.changed = 0
        self.queries = 0
        self.imports: list[tuple[str, str, str | None]] = []
        self.scopes: list[dict[str, list]] = []
        self.classes: list[str] = []
        self._attr_cache: dict[tuple[str, str], bool] = {}

    # ------------------------------------------------------------------ names

    def _ref(self, node: cst.BaseExpression) -> str | None:
        name = dotted(node)
        if name is None:
            return None
        head, _, tail = name.partition(".")
        binding = self.ix.bindings.get(self.module, {}).get(head)
        if binding is None:
            return None
        if binding.kind == "import" and binding.target:
            ref = f"{binding.target}.{tail}" if tail else binding.target
        else:
            ref = f"{self.module}.{name}"
        return self.ix.resolve(ref)

    def _orm_select_of_table(self, node: cst.BaseExpression) -> bool:
        """``select(M)`` with a SQLModel table ``M``, possibly followed by ``.where(...)`` and friends."""
        node = _strip(node)
        while isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
            node = _strip(node.func.value)
        # ``select`` imported by name: the module switches that import to SQLModel's select, whose
        # ``select(M)`` makes ``exec()`` return the objects (SQLAlchemy's makes it return rows)
        if not isinstance(node, cst.Call) or not isinstance(node.func, cst.Name) \
                or self._ref(node.func) not in ("sqlalchemy:select", "sqlmodel:select"):
            return False
        if len(node.args) != 1 or node.args[0].keyword is not None or node.args[0].star:
            return False
        arg = node.args[0].value
        if isinstance(arg, cst.Attribute) and isinstance(arg.value, cst.Name) and arg.value.value in ("self", "cls") \
                and self.classes:
            return self._table_attr(self.classes[-1], arg.attr.value)
        return self._ref(arg) in self.tables

    def _table_attr(self, owner: str, attr: str) -> bool:
        """``self.model`` in a generic repository: every class of the project that inherits the method
        binds ``model`` to a SQLModel table (and none binds it to anything else)."""
        key = (owner, attr)
        if key in self._attr_cache:
            return self._attr_cache[key]
        seen = 0
        ok = True
        for q, (cls, facts) in self.ix.classes.items():
            if owner not in self.ix.mro(q):
                continue
            for a in cls.attrs:
                if a.name != attr or a.value is None:
                    continue
                ref = self.ix.resolve(a.value.ref) if a.value.kind in ("name", "attr") else None
                if ref in self.tables:
                    seen += 1
                else:
                    ok = False
        self._attr_cache[key] = ok and seen > 0
        return self._attr_cache[key]

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        self.classes.append(f"{self.module}.{node.name.value}" if not self.classes else f"{self.classes[-1]}.{node.name.value}")
        return True

    def leave_ClassDef(self, original: cst.ClassDef, updated: cst.ClassDef) -> cst.ClassDef:
        self.classes.pop()
        return updated

    def _execute_call(self, node: cst.BaseExpression) -> tuple[cst.Call, bool] | None:
        """``s.execute(select(M))`` or ``await s.execute(...)`` -> (the call, awaited)."""
        node = _strip(node)
        awaited = isinstance(node, cst.Await)
        if awaited:
            node = _strip(node.expression)
        if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value == "execute" \
                and len(node.args) == 1 and node.args[0].keyword is None and not node.args[0].star \
                and self._orm_select_of_table(node.args[0].value):
            return node, awaited
        return None

    @staticmethod
    def _exec(call: cst.Call) -> cst.Call:
        return call.with_changes(func=call.func.with_changes(attr=cst.Name("exec")))

    # ------------------------------------------------------------------ chained form

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        # <X>.scalars().all()
        func = updated.func
        if isinstance(func, cst.Attribute) and func.attr.value in RESULT_METHODS and not updated.args:
            inner = _strip(func.value)
            if isinstance(inner, cst.Call) and isinstance(inner.func, cst.Attribute) \
                    and inner.func.attr.value == "scalars" and not inner.args:
                target = inner.func.value
                hit = self._execute_call(target)
                if hit is not None:
                    call, awaited = hit
                    new_call = self._exec(call)
                    receiver: cst.BaseExpression = new_call
                    if awaited:
                        receiver = cst.Await(new_call, lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
                    self.changed += 1
                    self.queries += 1
                    return updated.with_changes(func=func.with_changes(value=receiver))
        # s.scalars(select(M)...) -> s.exec(select(M)...)
        if isinstance(func, cst.Attribute) and func.attr.value == "scalars" and len(updated.args) == 1 \
                and updated.args[0].keyword is None and not updated.args[0].star \
                and self._orm_select_of_table(updated.args[0].value) and not isinstance(func.value, cst.Call):
            self.changed += 1
            self.queries += 1
            return updated.with_changes(func=func.with_changes(attr=cst.Name("exec")))
        ref = self._ref(updated.func) if dotted(updated.func) else None
        if ref in SESSION_CLASSES:
            return self._session_class(updated, ref)
        return updated

    def _session_class(self, call: cst.Call, ref: str) -> cst.Call:
        mod, cls, alias = SESSION_CLASSES[ref]
        current = next((a for a in call.args if a.keyword is not None and a.keyword.value == "class_"), None)
        if current is not None:
            cref = self._ref(current.value)
            if cref not in ("sqlalchemy:Session", "sqlalchemy:AsyncSession"):
                return call  # a project session class: leave it
        local = cls if cls not in self.ix.bindings.get(self.module, {}) else alias
        self.imports.append((mod, cls, None if local == cls else local))
        self.changed += 1
        value = cst.Name(local)
        if current is not None:
            args = [a.with_changes(value=value) if a is current else a for a in call.args]
            return call.with_changes(args=args)
        args = list(call.args)
        if args:
            args[-1] = args[-1].with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
        args.append(cst.Arg(value=value, keyword=cst.Name("class_"),
                            equal=cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace(""))))
        return call.with_changes(args=args)

    # ------------------------------------------------------------------ assigned form

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        self.scopes.append(_result_uses(node, self))
        return True

    def leave_FunctionDef(self, original: cst.FunctionDef, updated: cst.FunctionDef) -> cst.FunctionDef:
        self.scopes.pop()
        return updated

    def leave_Assign(self, original: cst.Assign, updated: cst.Assign) -> cst.Assign:
        if not self.scopes or len(updated.targets) != 1 or not isinstance(updated.targets[0].target, cst.Name):
            return updated
        name = updated.targets[0].target.value
        if name not in self.scopes[-1]:
            return updated
        hit = self._execute_call(updated.value)
        if hit is None:
            return updated
        call, awaited = hit
        new_call = self._exec(call)
        self.changed += 1
        self.queries += 1
        return updated.with_changes(value=cst.Await(new_call) if awaited else new_call)

    def leave_Attribute(self, original: cst.Attribute, updated: cst.Attribute) -> cst.BaseExpression:
        # r.scalars().all -> r.all   (the Call around it stays)
        if not self.scopes or updated.attr.value not in RESULT_METHODS:
            return updated
        inner = _strip(updated.value)
        if isinstance(inner, cst.Call) and isinstance(inner.func, cst.Attribute) and inner.func.attr.value == "scalars" \
                and not inner.args and isinstance(inner.func.value, cst.Name) \
                and inner.func.value.value in self.scopes[-1]:
            return updated.with_changes(value=inner.func.value)
        return updated


def _result_uses(func: cst.FunctionDef, q: _Queries) -> dict[str, list]:
    """Names in this function assigned once from ``execute(select(M))`` and read only as
    ``name.scalars().<all|first|one|one_or_none>()``."""
    assigned: dict[str, int] = {}
    good: dict[str, list] = {}
    bad: set[str] = set()

    class Finder(cst.CSTVisitor):
        def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
            return node is func

        def visit_Assign(self, node: cst.Assign) -> None:
            for t in node.targets:
                if isinstance(t.target, cst.Name):
                    assigned[t.target.value] = assigned.get(t.target.value, 0) + 1
                    if q._execute_call(node.value) is None:
                        bad.add(t.target.value)

        def visit_Call(self, node: cst.Call) -> None:
            f = node.func
            if isinstance(f, cst.Attribute) and f.attr.value in RESULT_METHODS and not node.args:
                inner = _strip(f.value)
                if isinstance(inner, cst.Call) and isinstance(inner.func, cst.Attribute) \
                        and inner.func.attr.value == "scalars" and not inner.args \
                        and isinstance(inner.func.value, cst.Name):
                    good.setdefault(inner.func.value.value, []).append(node)

    func.visit(Finder())
    # every read of the name must be one of the good uses
    reads: dict[str, int] = {}

    class Reads(cst.CSTVisitor):
        def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
            return node is func

        def visit_AssignTarget(self, node: cst.AssignTarget) -> bool:
            return False

        def visit_Name(self, node: cst.Name) -> None:
            reads[node.value] = reads.get(node.value, 0) + 1

        def visit_Attribute(self, node: cst.Attribute) -> bool:
            node.value.visit(self)
            return False

    func.body.visit(Reads())
    return {name: uses for name, uses in good.items()
            if assigned.get(name) == 1 and name not in bad and reads.get(name, 0) == len(uses)}


def rewrite_queries(source: bytes, module: str, ix: Index, tables: set[str],
                    first_party: frozenset[str], sessions_only: bool = False) -> bytes:
    tree = cst.parse_module(source)
    q = _Queries(module, ix, set() if sessions_only else tables)
    new = tree.visit(q)
    if not q.changed:
        return source
    binding = ix.bindings.get(module, {}).get("select")
    if q.queries and binding is not None and binding.kind == "import" and binding.target == "sqlalchemy:select":
        # SQLModel's select builds the same statements (its classes subclass SQLAlchemy's Select), so
        # every other use of ``select`` in the module keeps working
        new = remove_unused(new, set(), force={"select"})
        new = add_imports(new, [("sqlmodel", "select")], first_party)
    for mod, cls, alias in q.imports:
        new = add_imports(new, [(mod, cls if alias is None else f"{cls} as {alias}")], first_party)
    return new.bytes
