"""One pass over one module: the facts every later stage needs, and nothing cross-file.

The scanner's hooks record LibCST nodes during the one code-generation pass of ``positions.py``,
which also yields every node's position and text; then the facts are built. Nothing here imports
or runs the scanned code.
"""

from __future__ import annotations

import re

import libcst as cst

from sqlmig.ir import (
    Attr,
    AttrUse,
    Binding,
    CallFact,
    ClassFact,
    Expr,
    FunctionFact,
    LoopFact,
    Method,
    ModuleFacts,
)
from sqlmig.scan.expr import Summariser
from sqlmig.scan.names import Resolver, canonical, dotted, module_of_relative
from sqlmig.scan.positions import Spans

# Calls a rule may look at, by the last component of the callee.
INTERESTING_CALLS = frozenset(
    {
        "query", "execute", "exec", "scalars", "scalar", "text", "sessionmaker",
        "async_sessionmaker", "listen", "listens_for", "selectinload", "joinedload",
        "subqueryload", "immediateload", "contains_eager", "raiseload",
    }
)
# A module-level function body only matters to a rule if the module mentions one of these; a
# module that mentions none of them gets its function bodies skipped (the pre-filter).
BODY_TOKENS = ("query", "execute", "scalar", "exec(", "text(", "sessionmaker", "listen", "response_model", "load(")
# a route decorator (``@router.post(``): its function's parameters are request bodies (pairing evidence)
ROUTE_RE = re.compile(r"^[ \t]*@[\w.]+\.(?:get|post|put|patch|delete|head|options|trace|api_route|route|websocket)\(",
                      re.MULTILINE)
IGNORE_RE = re.compile(r"#\s*sqlmig:\s*ignore(-file)?(?:\[([A-Za-z0-9_, ]+)\])?")


def parse_ignores(source: str) -> tuple[bool, tuple[tuple[int, tuple[str, ...]], ...]]:
    """``# sqlmig: ignore[SQM101]`` per line, ``# sqlmig: ignore-file`` for the whole file."""
    if "sqlmig:" not in source:
        return False, ()
    whole = False
    found: list[tuple[int, tuple[str, ...]]] = []
    for number, line in enumerate(source.splitlines(), 1):
        if "sqlmig:" not in line:
            continue
        for match in IGNORE_RE.finditer(line):
            if match.group(1):
                whole = True
                continue
            codes = match.group(2)
            found.append((number, tuple(c.strip() for c in codes.split(",") if c.strip()) if codes else ("*",)))
    return whole, tuple(found)


class _ClassCtx:
    __slots__ = ("node", "qualname", "attrs", "methods", "inner")

    def __init__(self, node: cst.ClassDef, qualname: str) -> None:
        self.node = node
        self.qualname = qualname
        self.attrs: list[tuple[cst.CSTNode, str, cst.BaseExpression | None, cst.BaseExpression | None]] = []
        self.methods: list[tuple[cst.FunctionDef, list[cst.BaseExpression]]] = []
        self.inner: list[_ClassCtx] = []


class _FuncCtx:
    __slots__ = ("node", "qualname", "names", "returns", "local")

    def __init__(self, node: cst.FunctionDef, qualname: str) -> None:
        self.node = node
        self.qualname = qualname
        self.names: set[str] = set()
        self.returns: list[cst.BaseExpression] = []
        self.local: dict[str, cst.BaseExpression] = {}


_PREFIXES: list = [None, {}]  # the last aliases tuple and its map: the files of one part of the tree share it


def _prefixes(aliases: tuple[tuple[str, str], ...]) -> dict[str, str]:
    if _PREFIXES[0] is not aliases:
        _PREFIXES[:] = [aliases, dict(aliases)]
    return _PREFIXES[1]


class ModuleScanner:
    """Collects nodes of interest through its hooks (driven by ``Spans``); ``facts()`` turns them into
    ``ModuleFacts``."""

    def __init__(self, module_node: cst.Module, module: str, is_package: bool, walk_bodies: bool = True,
                 aliases: tuple[tuple[str, str], ...] = ()) -> None:
        self.tree = module_node
        self.walk_bodies = walk_bodies
        self.module = module
        self.is_package = is_package
        self.resolver = Resolver(module)
        self.stack: list[_ClassCtx | _FuncCtx] = []
        self.funcs: list[_FuncCtx] = []  # the functions of ``stack``, innermost last (asked per name)
        self.classes: list[_ClassCtx] = []
        self.functions: list[_FuncCtx] = []
        self.bindings: list[tuple[cst.CSTNode, str, str, str | None, cst.BaseExpression | None, bool]] = []
        self.calls: list[tuple[cst.Call, str, dict[str, cst.BaseExpression] | None]] = []
        self.loops: list[list] = []  # [node, scope, target, iter, source, uses, table]
        self.active_loops: list[list] = []
        self.imported: set[str] = set()
        self.type_checking = 0
        self.tc_ifs: list[list] = []  # [if node, whether its body still counts] of ``if TYPE_CHECKING:``
        self.excepts = 0  # depth of ``except`` handlers: fallbacks that do not replace what the try bound
        self.prefixes = _prefixes(aliases)
        self.aliased: set[str] = set()

    # ------------------------------------------------------------------ scopes

    def _scope(self) -> str:
        return self.funcs[-1].qualname if self.funcs else self.module

    def _func(self) -> _FuncCtx | None:
        return self.funcs[-1] if self.funcs else None

    def _prefix(self) -> str:
        return self.stack[-1].qualname if self.stack else self.module

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        qualname = f"{self._prefix()}.{node.name.value}" if self._prefix() else node.name.value
        ctx = _ClassCtx(node, qualname)
        if self.stack and isinstance(self.stack[-1], _ClassCtx):
            self.stack[-1].inner.append(ctx)
        elif not self.stack:
            self.classes.append(ctx)
            self._bind_def(node, node.name.value, "class")
        self.stack.append(ctx)

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self.stack.pop()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        parent = self.stack[-1] if self.stack else None
        if not self.walk_bodies and not isinstance(parent, _ClassCtx):
            if parent is None:
                self._bind_def(node, node.name.value, "def")
            return False
        ctx = _FuncCtx(node, f"{self._prefix()}.{node.name.value}" if self._prefix() else node.name.value)
        if isinstance(parent, _ClassCtx):
            parent.methods.append((node, ctx.returns))
        if parent is None:
            self._bind_def(node, node.name.value, "def")
        self.functions.append(ctx)
        self.stack.append(ctx)
        self.funcs.append(ctx)
        return True

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        # LibCST calls leave_ even when visit_ skipped the children (and pushed nothing)
        if self.stack and self.stack[-1].node is original_node:
            self.stack.pop()
            self.funcs.pop()

    def visit_Return(self, node: cst.Return) -> None:
        func = self._func()
        if func is not None and node.value is not None:
            func.returns.append(node.value)

    # ------------------------------------------------------------------ bindings

    def _secondary(self) -> bool:
        """Whether a module-level binding here does not replace an earlier one: it is seen only by
        type checkers (``if TYPE_CHECKING:``), or is the fallback of ``try: from x import y /
        except ImportError: def y(...)``, where the import is what runs."""
        return bool(self.type_checking or self.excepts)

    def _kept(self, local: str) -> bool:
        """An ``except`` handler's binding of a name the module bound before: the resolver keeps that."""
        return bool(self.excepts) and local in self.resolver.table

    def _bind_def(self, node: cst.CSTNode, name: str, kind: str) -> None:
        if not self._kept(name):
            self.resolver.define(name)
        self.bindings.append((node, name, kind, None, None, self._secondary()))

    def visit_If(self, node: cst.If) -> None:
        if self.tc_ifs and self.tc_ifs[-1][0].orelse is node:  # ``elif``: the TYPE_CHECKING body is over
            self._leave_tc_body()
        test = dotted(node.test) if type(node.test) in (cst.Name, cst.Attribute) else None
        if test and test.rsplit(".", 1)[-1] == "TYPE_CHECKING":
            self.type_checking += 1
            self.tc_ifs.append([node, True])

    def visit_Else(self, node: cst.Else) -> None:
        if self.tc_ifs and self.tc_ifs[-1][0].orelse is node:  # what runs: not the type checkers' branch
            self._leave_tc_body()

    def _leave_tc_body(self) -> None:
        entry = self.tc_ifs[-1]
        if entry[1]:
            entry[1] = False
            self.type_checking -= 1

    def leave_If(self, original_node: cst.If) -> None:
        if self.tc_ifs and self.tc_ifs[-1][0] is original_node:
            self._leave_tc_body()
            self.tc_ifs.pop()

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        self.excepts += 1

    def leave_ExceptHandler(self, original_node: cst.ExceptHandler) -> None:
        self.excepts -= 1

    def visit_ExceptStarHandler(self, node: cst.ExceptStarHandler) -> None:
        self.excepts += 1

    def leave_ExceptStarHandler(self, original_node: cst.ExceptStarHandler) -> None:
        self.excepts -= 1

    def visit_Import(self, node: cst.Import) -> None:
        if type(node.names) is cst.ImportStar:
            return
        for alias in node.names:
            full = self._absolute(dotted(alias.name) or "")
            self.imported.add(full)
            if alias.asname is not None and type(alias.asname.name) is cst.Name:
                local, target = alias.asname.name.value, full
            else:  # ``import app.models`` binds ``app`` (the prefixed package, with an alias)
                local = (dotted(alias.name) or "").split(".", 1)[0]
                target = self._absolute(local)
            if not self.stack:
                if not self._kept(local):
                    self.resolver.bind(local, target)
                self.bindings.append((node, local, "import", target, None, self._secondary()))
            elif local not in self.resolver.table:
                self.resolver.bind(local, target)

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        base = dotted(node.module) if node.module is not None else None
        level = len(node.relative)
        source = module_of_relative(self.module, self.is_package, level, base) if level else self._absolute(base or "")
        if type(node.names) is cst.ImportStar:  # only legal at module level
            self.imported.add(source)
            if source:
                self.resolver.star(source)
            return
        for alias in node.names:
            if type(alias.name) is not cst.Name:
                continue
            name = alias.name.value
            local = alias.asname.name.value if alias.asname and type(alias.asname.name) is cst.Name else name
            target = f"{source}.{name}" if source else name
            self.imported.add(source)
            self.imported.add(target)  # ``from pkg import submodule``
            if not self.stack:
                if not self._kept(local):
                    self.resolver.bind(local, target)
                self.bindings.append((node, local, "import", target, None, self._secondary()))
            elif local not in self.resolver.table:
                self.resolver.bind(local, target)

    def _absolute(self, name: str) -> str:
        """An absolute import's module as the project names it (``discover._namespaced``)."""
        if self.prefixes and name:  # ("", prefix) is the module's own prefix, not an import's
            top = name.split(".", 1)[0]
            prefix = self.prefixes.get(top)
            if prefix:
                self.aliased.add(top)
                return f"{prefix}.{name}"
        return name

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
        ctx = self.stack[-1] if self.stack else None
        for small in node.body:
            if type(small) is cst.Assign:
                names = [t.target.value for t in small.targets if type(t.target) is cst.Name]
                for name in names:
                    self._assign(node, ctx, name, None, small.value)
            elif type(small) is cst.AnnAssign and type(small.target) is cst.Name:
                self._assign(node, ctx, small.target.value, small.annotation.annotation, small.value)
            elif type(small) is cst.TypeAlias:
                if ctx is None:
                    self.resolver.define(small.name.value)
                    self.bindings.append((node, small.name.value, "alias", None, small.value, False))

    def _assign(self, stmt, ctx, name, annotation, value) -> None:
        if ctx is None:
            if not self._kept(name):
                self.resolver.define(name)
            self.bindings.append((stmt, name, "assign", None, value, self._secondary()))
        elif isinstance(ctx, _ClassCtx):
            ctx.attrs.append((stmt, name, annotation, value))
        elif value is not None:
            ctx.local[name] = value

    # ------------------------------------------------------------------ usage

    def visit_Name(self, node: cst.Name) -> None:
        if self.funcs:
            self.funcs[-1].names.add(node.value)

    def visit_Call(self, node: cst.Call) -> None:
        name = dotted(node.func)
        last = name.rsplit(".", 1)[-1] if name else (
            node.func.attr.value if type(node.func) is cst.Attribute else "")
        if last in INTERESTING_CALLS or any(
            a.keyword is not None and a.keyword.value == "response_model" for a in node.args
        ):
            func = self._func()
            self.calls.append((node, self._scope(), dict(func.local) if func else None))

    def _enter_loop(self, node: cst.CSTNode, target: cst.BaseExpression, iterable: cst.BaseExpression) -> None:
        if type(target) is not cst.Name:
            return
        func = self._func()
        source = None
        if type(iterable) is cst.Name and func is not None:
            source = func.local.get(iterable.value)
        entry = [node, self._scope(), target.value, iterable, source, [], dict(func.local) if func else None]
        self.loops.append(entry)
        self.active_loops.append(entry)

    def visit_For(self, node: cst.For) -> None:
        self._enter_loop(node, node.target, node.iter)

    def leave_For(self, original_node: cst.For) -> None:
        if self.active_loops and self.active_loops[-1][0] is original_node:
            self.active_loops.pop()

    def _visit_comp(self, node: cst.CSTNode) -> None:
        comp = getattr(node, "for_in", None)
        while comp is not None:
            self._enter_loop(node, comp.target, comp.iter)
            comp = comp.inner_for_in

    def _leave_comp(self, node: cst.CSTNode) -> None:
        while self.active_loops and self.active_loops[-1][0] is node:
            self.active_loops.pop()

    def visit_ListComp(self, node: cst.ListComp) -> None:
        self._visit_comp(node)

    def leave_ListComp(self, original_node: cst.ListComp) -> None:
        self._leave_comp(original_node)

    def visit_SetComp(self, node: cst.SetComp) -> None:
        self._visit_comp(node)

    def leave_SetComp(self, original_node: cst.SetComp) -> None:
        self._leave_comp(original_node)

    def visit_GeneratorExp(self, node: cst.GeneratorExp) -> None:
        self._visit_comp(node)

    def leave_GeneratorExp(self, original_node: cst.GeneratorExp) -> None:
        self._leave_comp(original_node)

    def visit_DictComp(self, node: cst.DictComp) -> None:
        self._visit_comp(node)

    def leave_DictComp(self, original_node: cst.DictComp) -> None:
        self._leave_comp(original_node)

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if self.active_loops and type(node.value) is cst.Name:
            for entry in reversed(self.active_loops):
                if entry[2] == node.value.value:
                    entry[5].append(node)
                    break

    # ------------------------------------------------------------------ facts

    def facts(self, path: str, source: str, spans: Spans) -> ModuleFacts:
        summ = Summariser(self.resolver, spans.text)
        at = spans.at
        shallow: dict[int, Expr] = {}

        def scope_locals(local: dict[str, cst.BaseExpression] | None) -> dict[str, Expr] | None:
            # one summary per assignment, however many calls and loops of the function see it
            if not local:
                return None
            out = {}
            for k, v in local.items():
                expr = shallow.get(id(v))
                if expr is None:
                    expr = shallow[id(v)] = _shallow(summ, v)
                out[k] = expr
            return out

        bindings = []
        for node, name, kind, target, value, tc in self.bindings:
            line, col = at(node)
            bindings.append(Binding(name, line, col, kind, canonical(target) if target else None,
                                    summ(value) if value is not None else None, tc))
        classes = tuple(self._class_fact(c, summ, at) for c in self.classes)
        calls = []
        for node, scope, local in self.calls:
            summ.local = scope_locals(local)
            func = summ(node.func)
            receiver = summ(node.func.value) if type(node.func) is cst.Attribute else None
            args, kwargs = [], []
            for arg in node.args:
                if arg.keyword is not None:
                    kwargs.append((arg.keyword.value, summ(arg.value)))
                elif not arg.star:
                    args.append(summ(arg.value))
            line, col = at(node)
            calls.append(CallFact(func.last, func, line, col, scope, tuple(args), tuple(kwargs), receiver))
        summ.local = None
        loops = []
        for node, scope, target, iterable, source_expr, uses, local in self.loops:
            summ.local = scope_locals(local)
            line, _ = at(node)
            loops.append(LoopFact(
                scope, target, summ(iterable), line,
                summ(source_expr) if source_expr is not None else None,
                tuple(AttrUse(u.attr.value, *at(u)) for u in uses),
            ))
        summ.local = None
        functions = []
        for fn in self.functions:
            line, _ = at(fn.node)
            refs = sorted({r for r in (canonical(self.resolver.resolve_dotted(n)) for n in fn.names) if r})
            params = tuple(
                summ(p.annotation.annotation)
                for p in (*fn.node.params.params, *fn.node.params.kwonly_params, *fn.node.params.posonly_params)
                if p.annotation is not None
            )
            functions.append(FunctionFact(fn.qualname, line, tuple(summ(d.decorator) for d in fn.node.decorators),
                                          params, tuple(refs)))
        ignore_file, ignores = parse_ignores(source)
        return ModuleFacts(
            path=path,
            module=self.module,
            # only what this file used (and its own prefix): the whole table may name hundreds of packages
            aliases=tuple(sorted((top, self.prefixes[top]) for top in self.aliased | ({""} & self.prefixes.keys()))),
            bindings=tuple(bindings),
            classes=classes,
            calls=tuple(calls),
            loops=tuple(loops),
            functions=tuple(functions),
            imported_modules=tuple(sorted(m for m in self.imported if m)),
            star_imports=tuple(self.resolver.stars),
            lines=source.count("\n") + (0 if source.endswith("\n") or not source else 1),
            ignore_file=ignore_file,
            ignores=ignores,
        )

    def _class_fact(self, ctx: _ClassCtx, summ: Summariser, at) -> ClassFact:
        node = ctx.node
        line, col = at(node)
        bases, keywords = [], []
        for arg in node.bases:
            bases.append(summ(arg.value))
        for arg in node.keywords:
            if arg.keyword is not None:
                keywords.append((arg.keyword.value, summ(arg.value)))
        attrs = []
        for stmt, name, annotation, value in ctx.attrs:
            a_line, a_col = at(stmt)
            attrs.append(Attr(name, a_line, a_col, summ(annotation) if annotation is not None else None,
                              summ(value) if value is not None else None))
        methods = []
        for fn, returns in ctx.methods:
            m_line, m_col = at(fn)
            params = fn.params.posonly_params or fn.params.params
            methods.append(Method(fn.name.value, m_line, m_col, tuple(summ(d.decorator) for d in fn.decorators),
                                  tuple(summ(r) for r in returns[:4]), params[0].name.value if params else ""))
        return ClassFact(
            name=node.name.value,
            qualname=ctx.qualname,
            line=line,
            col=col,
            bases=tuple(bases),
            keywords=tuple(keywords),
            decorators=tuple(summ(d.decorator) for d in node.decorators),
            attrs=tuple(attrs),
            methods=tuple(methods),
            inner=tuple(self._class_fact(i, summ, at) for i in ctx.inner),
        )


def _all_classes(classes: list[_ClassCtx]):
    for cls in classes:
        yield cls
        yield from _all_classes(cls.inner)


def _shallow(summ: Summariser, node: cst.BaseExpression) -> Expr:
    saved, summ.local = summ.local, None
    try:
        return summ(node)
    finally:
        summ.local = saved


def module_name(rel_path: str) -> tuple[str, bool]:
    """Dotted module name for a path relative to its import root, and whether it is a package."""
    parts = rel_path[:-3].split("/") if rel_path.endswith(".py") else rel_path.split("/")
    is_package = parts[-1] == "__init__"
    if is_package:
        parts = parts[:-1]
    return ".".join(parts), is_package
