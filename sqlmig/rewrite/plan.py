"""What each class becomes: the rewrite plan, decided from the analysis alone (no file is touched here).

For every model without blockers:

- a project SQLModel base ``class SQLModelBase(SQLModel, registry=Base.registry)`` next to its declarative
  base, so SQLModel tables map through the same registry and MetaData as the models that stay on
  SQLAlchemy (foreign keys, naming conventions and string relationship targets resolve across both);
- ``class MBase(SQLModelBase)`` with the fields the model shares with its paired root schemas, declared
  as those schemas declare them (so they validate and serialise as before) plus the database-only
  arguments that make the inherited column exact;
- ``class M(MBase, table=True)`` with the columns that do not come out exact from ``MBase`` and the
  relationships; the schemas that share the fields are re-based on ``MBase``.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from dataclasses import dataclass, field

from sqlmig.analyze import Result
from sqlmig.build_models import ModelInfo
from sqlmig.build_schemas import SchemaInfo
from sqlmig.index import Index
from sqlmig.ir import Attr, ClassFact, Column, Expr, ModuleFacts
from sqlmig.pairing import is_route
from sqlmig.pyversion import Version, evidenced
from sqlmig.rewrite.fields import (
    ColumnSpec,
    Decl,
    Unsupported,
    column_spec,
    column_targets,
    db_arguments,
    field_call,
    is_constant,
    relationship_field,
    table_field,
)
from sqlmig.rewrite.names import imported
from sqlmig.rules.practice import is_sensitive
from sqlmig.types import family

# pydantic Field arguments that sqlmodel.Field takes with the same meaning
PORTABLE_FIELD_KWARGS = frozenset({"default", "default_factory", "title", "description", "gt", "ge", "lt", "le",
                                   "multiple_of", "max_digits", "decimal_places", "min_length", "max_length"})
ROLE_ORDER = {"base": 0, "create": 1, "read": 2, "update": 3, "db": 4}


@dataclass
class NewClass:
    name: str
    base: str  # text inside the parentheses
    doc: str
    decls: list[Decl] = field(default_factory=list)


@dataclass
class ClassEdit:
    bases: str | None = None  # new text inside the class statement's parentheses
    replace: dict[str, Decl | None] = field(default_factory=dict)  # attribute -> new declaration, None: delete
    before: list[NewClass] = field(default_factory=list)  # classes inserted before this class


@dataclass
class FileEdit:
    path: str
    module: str
    classes: dict[str, ClassEdit] = field(default_factory=dict)
    insert_after: dict[str, list[NewClass]] = field(default_factory=dict)  # top-level name -> classes after it
    imports: set[tuple[str, str]] = field(default_factory=set)  # (module, name)
    maybe_unused: set[str] = field(default_factory=set)  # local names the edits stopped using


@dataclass
class ModelPlan:
    qualname: str
    path: str
    status: str  # migrate | keep | sqlmodel
    reasons: list[str] = field(default_factory=list)
    mbase: str | None = None
    shared: list[str] = field(default_factory=list)
    rebased: list[str] = field(default_factory=list)


@dataclass
class Plan:
    models: list[ModelPlan]
    files: dict[str, FileEdit]
    first_party: frozenset[str] = frozenset()
    index: Index | None = None

    @property
    def migrated(self) -> list[ModelPlan]:
        return [m for m in self.models if m.status == "migrate"]


def _simple(qualname: str) -> str:
    return qualname.rsplit(".", 1)[-1]


def _names(expr: Expr | None) -> set[str]:
    """Local names an expression reads (first components of dotted names)."""
    out: set[str] = set()
    if expr is None:
        return out
    for e in expr.walk():
        if e.kind == "str" and isinstance(e.value, str):  # a string annotation reads the names inside it
            out.update(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", e.value))
        if e.kind in ("name", "attr", "call", "subscript"):
            head = e.text.split(".", 1)[0].split("(", 1)[0].split("[", 1)[0].strip()
            if head.isidentifier():
                out.add(head)
    return out


def _class_scope_reads(text: str) -> set[str]:
    """Names an expression of a class body looks up when the class body runs (lambda bodies and the inner
    parts of comprehensions run in their own scope, which does not see the class body's names)."""
    try:
        tree = ast.parse(f"(\n{text}\n)", mode="eval")
    except SyntaxError:
        return set()
    out: set[str] = set()
    stack: list[ast.AST] = [tree.body]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Name):
            out.add(node.id)
        elif isinstance(node, ast.Lambda):
            stack.extend(d for d in (*node.args.defaults, *node.args.kw_defaults) if d is not None)
        elif isinstance(node, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            stack.append(node.generators[0].iter)
        else:
            stack.extend(ast.iter_child_nodes(node))
    return out


def _body_references(cls: ClassFact, moved: set[str]) -> list[str]:
    """Statements of a class body that read a name an earlier statement of the same body binds, where either
    is a column or relationship (``moved``): the rewrite retypes those into ``Field``/``Relationship``
    declarations or moves them into another class, so ``Index(func.lower(sku))`` in ``__table_args__``, a
    ``column_property(a + b)`` or a ``primaryjoin=id == ...`` would read a FieldInfo or a name that is gone."""
    events = sorted([(a.line, a.col, a.name, a.value, a.value is not None) for a in cls.attrs]
                    + [(m.line, m.col, m.name, None, True) for m in cls.methods], key=lambda e: (e[0], e[1]))
    bound: set[str] = set()
    out: list[str] = []
    for _, _, name, value, binds in events:
        reads = _class_scope_reads(value.text) & bound if value is not None else set()
        reads = sorted(r for r in reads if name in moved or r in moved)
        if reads:
            out.append(f"{name} refers to the class attribute{'s' if len(reads) > 1 else ''} {', '.join(reads)}")
        if binds:  # an annotation without a value binds nothing
            bound.add(name)
    return out


class Planner:
    def __init__(self, result: Result, only: list[str] | None = None, version: Version | None = None) -> None:
        """``version``: the oldest Python the project runs on (``pyversion``); None: what its own
        annotations show it already needs."""
        self.result = result
        self.ix = result.index or Index(result.modules)
        self.only = only
        self.version = version or evidenced(self._evaluated_annotations())
        self.files: dict[str, FileEdit] = {}
        self.planned: set[tuple[str, str]] = set()  # (package root, name) of the new classes
        self.tables: dict[str, str] = {}
        self.fks: dict[str, set[str]] = defaultdict(set)
        self.targets = column_targets(self.ix, result.model_info.values())
        for info in result.model_info.values():
            m = info.model
            if m.table:
                self.tables.setdefault(_simple(m.qualname), m.table)
                for c in m.columns:
                    if c.foreign_key and "." in c.foreign_key:
                        self.fks[m.table].add(c.foreign_key.rsplit(".", 1)[0])

    # ------------------------------------------------------------------ helpers

    def _evaluated_annotations(self):
        """Annotations the project's Python evaluates at import or start-up: ``Mapped[...]`` of its
        SQLAlchemy models (not a plain ``x: int = Column(...)``, which SQLAlchemy never reads), fields of
        its SQLModel models and pydantic schemas, parameters of its routes (FastAPI)."""
        for q, info in self.result.model_info.items():
            hit = self.ix.classes.get(q)
            if hit is not None:
                sqlmodel = info.model.style == "sqlmodel"
                yield from (a.annotation for a in hit[0].attrs if a.annotation is not None and (
                    sqlmodel or a.annotation.ref == "sqlalchemy:Mapped"))
        for q in self.result.schema_info:
            hit = self.ix.classes.get(q)
            if hit is not None:
                yield from (a.annotation for a in hit[0].attrs)
        for facts in self.ix.all_modules:
            for fn in facts.functions:
                if any(is_route(self.ix, deco) for deco in fn.decorators):
                    yield from fn.params

    def file(self, module: str) -> FileEdit:
        facts = self.ix.modules[module]
        edit = self.files.get(facts.path)
        if edit is None:
            edit = self.files[facts.path] = FileEdit(facts.path, module)
        return edit

    def _selected(self, info: ModelInfo) -> bool:
        if not self.only:
            return True
        q = info.model.qualname
        return any(q == o or info.model.module == o or q.startswith(o + ".") or _simple(q) == o
                   or info.model.path == o or info.model.path.startswith(o.rstrip("/") + "/")
                   for o in self.only)

    def _import_name(self, module: str, importer: ModuleFacts | None) -> str:
        """How ``importer`` imports project module ``module``: a monorepo service by its own names;
        code that imports its package's modules as run from inside it (``from app.db import Base``
        in package ``proj``) in that form, and otherwise by the full name."""
        target = self.ix.modules.get(module)
        if target is not None and target.package_root:
            return target.import_name
        if importer is not None:
            for top, prefix in importer.aliases:  # the aliases its own imports went through
                if top and (module == f"{prefix}.{top}" or module.startswith(f"{prefix}.{top}.")):
                    return module[len(prefix) + 1:]
        return module

    def _free_name(self, modules: list[str], wanted: list[str]) -> str:
        taken = {n for m in modules for n in self.ix.bindings.get(m, {})}
        # names are unique in the file's part of the tree: each service of a monorepo is its own
        root = self.ix.modules[modules[0]].package_root if modules[0] in self.ix.modules else ""
        taken |= {_simple(q) for q, (_, facts) in self.ix.classes.items() if facts.package_root == root}
        taken |= {n for r, n in self.planned if r == root}
        name = next((n for n in wanted if n not in taken), None)
        if name is None:
            i = 2
            while f"{wanted[0]}{i}" in taken:
                i += 1
            name = f"{wanted[0]}{i}"
        self.planned.add((root, name))  # two new classes never share a name
        return name

    # ------------------------------------------------------------------ decisions

    def _model_checks(self, info: ModelInfo) -> tuple[list[str], dict[str, Decl]]:
        """Reasons the rewrite cannot migrate the model, and the exact table declarations otherwise."""
        m, cls = info.model, info.cls
        reasons: list[str] = []
        decls: dict[str, Decl] = {}
        if "." in cls.qualname.split(":")[-1] and cls.qualname != f"{m.module}.{cls.name}":
            reasons.append("nested class")
        if cls.decorators:
            reasons.append("class decorators")
        if cls.keywords:
            reasons.append("class keywords")
        if m.parents:
            reasons.append("mapped inheritance")
        if info.declared_attrs:
            reasons.append("declared_attr")
        base = m.base
        if base is None or base not in self.ix.declarative_bases:
            reasons.append("its declarative base is not defined in the project")
        else:
            problem = self._base_problem(base)
            if problem:
                reasons.append(problem)
        for kind, _, _ in info.specials:
            reasons.append(kind)
        for method in cls.methods:
            if method.name in ("__init__", "__new__", "__setattr__", "__getattr__", "__getattribute__"):
                reasons.append(f"{method.name} (SQLModel's own takes over construction and attributes)")
        future = self.ix.bindings.get(m.module, {}).get("annotations")
        if m.relationships and future is not None and future.target == "__future__.annotations":
            # measured on sqlmodel 0.0.50: postponed annotations reach SQLAlchemy as the string
            # 'list["Kid"]', which it rejects as a generic relationship target
            reasons.append("from __future__ import annotations with relationships (SQLModel cannot read them)")
        col_by_attr = {c.attr: c for c in m.columns}
        rel_by_attr = {r.attr: r for r in m.relationships}
        for owner in [m.qualname, *m.mixins]:
            owner_cls = self.ix.classes[owner][0]
            if owner != m.qualname:
                extra_bases = [b for b in owner_cls.bases if self.ix.ref(b) not in (None, "builtins:object")]
                if extra_bases or owner_cls.methods or owner_cls.decorators or owner_cls.keywords:
                    reasons.append(f"mixin {_simple(owner)} is more than columns")
                    continue
            moved = {c.attr for c in m.columns if c.owner == owner} | {r.attr for r in m.relationships
                                                                       if r.owner == owner}
            reasons.extend(_body_references(owner_cls, moved))
            for attr in owner_cls.attrs:
                if attr.name.startswith("__") and attr.name.endswith("__"):
                    if attr.name == "__table__":
                        reasons.append("__table__")
                    continue
                col = col_by_attr.get(attr.name)
                try:
                    if col is not None and col.owner == owner:
                        spec = column_spec(self.ix, attr, col, self.targets, union=self.version >= (3, 10))
                        decl = decls[attr.name] = table_field(spec, self.ix)
                        decl.imports |= self._alias_imports(spec, decl, self.ix.classes[owner][1].module)
                    elif attr.name in rel_by_attr and rel_by_attr[attr.name].owner == owner:
                        if owner != m.qualname:
                            raise Unsupported(f"relationship {attr.name} in mixin")
                        decls[attr.name] = relationship_field(
                            self.ix, attr, rel_by_attr[attr.name], m.table, self.tables, self.fks,
                            builtin_generics=self.version >= (3, 9))
                    elif attr.annotation is not None and attr.annotation.ref == "typing:ClassVar":
                        continue
                    else:
                        reasons.append(f"class attribute {attr.name}")
                except Unsupported as exc:
                    reasons.append(str(exc))
        return reasons, decls

    def _base_problem(self, base: str) -> str | None:
        """Why SQLModel classes mapping through ``base``'s registry would not behave like its subclasses:
        they do not inherit the base class, so anything the base declares besides its metadata and
        registry (columns, ``__tablename__`` rules, ``__table_args__``, methods) would be lost."""
        short = _simple(base)
        entry = self.ix.classes.get(base)
        if entry is None:
            binding = self.ix.binding_of(base)
            call = binding.value if binding is not None else None
            if call is None or call.kind != "call":
                return f"declarative base {short} is not a class or a declarative_base() call of the project"
            extra = [k for k, _ in call.kwargs if k not in ("metadata", "name")]
            return f"{call.last}({', '.join(f'{k}=' for k in extra)}) adds to {short}" if extra else None
        cls = entry[0]
        members = []
        for a in cls.attrs:
            if a.name in ("metadata", "__abstract__", "__doc__"):
                continue
            if a.name == "registry" and not (a.value is not None and a.value.kind == "call" and any(
                    k != "metadata" for k, _ in a.value.kwargs)):
                continue  # a registry that only names the metadata maps as SQLModel's would
            if a.name == "registry":
                members.append(f"registry({', '.join(k + '=' for k, _ in a.value.kwargs if k != 'metadata')})")
                continue
            if a.value is None and a.annotation is not None and a.annotation.ref != "sqlalchemy:Mapped":
                continue  # a type hint for checkers, nothing mapped
            members.append(a.name)
        for m in cls.methods:
            returns = [r.text.replace(" ", "") for r in m.returns]
            if m.name == "__tablename__" and returns == ["cls.__name__.lower()"]:
                continue  # exactly SQLModel's own default table name
            members.append(m.name)
        for b in self.ix.mro(base)[1:]:
            if b in self.ix.classes and not self.ix.is_declarative_base(b):
                members.append(f"(base class {_simple(b)})")
        if members:
            return f"declarative base {short} declares {', '.join(members)}, which SQLModel classes would not inherit"
        return None

    def plan(self) -> Plan:
        res = self.result
        plans: dict[str, ModelPlan] = {}
        decls: dict[str, dict[str, Decl]] = {}
        for q in sorted(res.model_info):
            info = res.model_info[q]
            m = info.model
            mp = plans[q] = ModelPlan(q, m.path, "migrate")
            if m.style == "sqlmodel":
                mp.status = "sqlmodel"
                continue
            if not self._selected(info):
                mp.status = "keep"
                mp.reasons.append("not selected (--only)")
                continue
            if q in res.blocked:
                mp.status = "keep"
                mp.reasons.extend(res.blocked[q])
                continue
            reasons, d = self._model_checks(info)
            if reasons:
                mp.status = "keep"
                mp.reasons.extend(reasons)
            decls[q] = d
        # a mixin is converted to SQLModel only if every model using it migrates
        users: dict[str, list[str]] = defaultdict(list)
        for q, info in res.model_info.items():
            for mixin in info.model.mixins:
                users[mixin].append(q)
        changed = True
        while changed:
            changed = False
            for mixin, qs in users.items():
                if any(plans[q].status != "migrate" for q in qs):
                    for q in qs:
                        if plans[q].status == "migrate":
                            plans[q].status = "keep"
                            plans[q].reasons.append(f"mixin {_simple(mixin)} is shared with a model that stays")
                            changed = True
        migrating = [q for q in sorted(plans) if plans[q].status == "migrate"]
        if migrating:
            self._emit(migrating, plans, decls, users)
        for edit in self.files.values():  # a monorepo's service imports its own modules without the prefix
            importer = self.ix.modules.get(edit.module)
            edit.imports = {(self._import_name(mod, importer), name) for mod, name in edit.imports}
        first_party = frozenset(f.import_name.split(".", 1)[0] for f in self.ix.modules.values())
        return Plan(list(plans.values()), self.files, first_party, self.ix)

    # ------------------------------------------------------------------ edits

    def _project_base(self, base: str, cache: dict[str, tuple[str, str]]) -> tuple[str, str]:
        """(module, class name) of the SQLModel base mapping through ``base``'s registry; planned once."""
        if base in cache:
            return cache[base]
        module = next(m for m in sorted(self.ix.modules, key=len, reverse=True) if base.startswith(m + "."))
        existing = self._existing_project_base(base, module)
        if existing is not None:
            cache[base] = existing
            return existing
        local = base[len(module) + 1:]
        head = local.split(".", 1)[0]
        importers = [f.module for f in self.ix.modules.values() if module in f.imported_modules]
        wanted = ["SQLModelBase", f"{head}SQLModel"] if head == "Base" else [f"{head}SQLModel", "SQLModelBase"]
        name = self._free_name([module, *importers], wanted)
        doc = f"SQLModel classes map through {local}'s registry: one MetaData for every table."
        edit = self.file(module)
        edit.insert_after.setdefault(head, []).append(
            NewClass(name, f"{imported('sqlmodel', 'SQLModel')}, registry={local}.registry", doc))
        cache[base] = (module, name)
        return cache[base]

    def _existing_project_base(self, base: str, module: str) -> tuple[str, str] | None:
        """(module, class name) of a module-level ``class X(SQLModel, registry=<base>.registry)`` with an
        empty body (a docstring at most) in ``module``, the one defining ``base``, as an earlier run
        (``--only``, or before a blocker was removed) wrote it; None if there is none. Its subclasses map
        exactly as a new one's. One in another module is not reused: that module imports ``base``'s, so a
        model there importing it back could make a circular import."""
        for qualname in sorted(self.ix.classes):
            cls, facts = self.ix.classes[qualname]
            if facts.module != module or qualname != f"{facts.module}.{cls.name}" or cls.attrs or cls.methods \
                    or cls.decorators \
                    or self.ix.base_refs(cls) != ("sqlmodel:SQLModel",) or len(cls.keywords) != 1:
                continue
            key, value = cls.keywords[0]
            if key == "registry" and value.kind == "attr" and self.ix.ref(value) == f"{base}.registry":
                return facts.module, cls.name
        return None

    def _emit(self, migrating: list[str], plans: dict[str, ModelPlan], decls: dict[str, dict[str, Decl]],
              users: dict[str, list[str]]) -> None:
        res, ix = self.result, self.ix
        bases: dict[str, tuple[str, str]] = {}
        converted: set[str] = set()
        schema_taken: set[str] = set()
        pairs_by_schema: dict[str, set[str]] = defaultdict(set)
        for p in res.pairs:
            pairs_by_schema[p.schema].add(p.model)
        for q in migrating:
            info = res.model_info[q]
            m = info.model
            mp = plans[q]
            base_module, base_name = self._project_base(m.base, bases)
            edit = self.file(m.module)
            d = decls[q]
            own = {a: v for a, v in d.items() if any(c.attr == a and c.owner == q for c in m.columns)
                   or any(r.attr == a for r in m.relationships)}
            shared, group, mbase_decls = self._shared(info, pairs_by_schema, schema_taken)
            new_base = base_name
            if shared:
                mbase = self._free_name([m.module] + [res.schema_info[s].schema.module for s in group],
                                        [f"{_simple(q)}Base", f"{_simple(q)}Fields", f"{_simple(q)}SharedFields"])
                mp.mbase, mp.shared, mp.rebased = mbase, list(shared), list(group)
                doc = f"Fields {_simple(q)} shares with {', '.join(_simple(s) for s in group)}."
                ce = edit.classes.setdefault(info.cls.name, ClassEdit())
                ce.before.append(NewClass(mbase, base_name, doc, mbase_decls))
                for decl in mbase_decls:
                    edit.imports |= decl.imports
                new_base = mbase
                for attr in shared:
                    own[attr] = None  # the table model inherits the column, exactly, from MBase
                for s in group:
                    sinfo = res.schema_info[s]
                    sedit = self.file(sinfo.schema.module)
                    sce = sedit.classes.setdefault(sinfo.cls.name, ClassEdit())
                    sce.bases = mbase
                    for attr in shared:
                        sce.replace[attr] = None
                    sedit.maybe_unused |= {n for b in sinfo.cls.bases for n in _names(b)}
                    sedit.maybe_unused |= {n for a in sinfo.cls.attrs if a.name in sce.replace
                                           for n in _names(a.annotation) | _names(a.value)}
                    if sinfo.schema.module != m.module:
                        sedit.imports.add((m.module, mbase))
            if base_module != m.module:
                edit.imports.add((base_module, base_name))
            ce = edit.classes.setdefault(info.cls.name, ClassEdit())
            base_texts = []
            for b in info.cls.bases:
                ref = ix.ref(b)
                if ref == m.base or ix.is_declarative_base(ref or ""):
                    base_texts.append(new_base)
                else:
                    base_texts.append(b.text)
            if new_base not in base_texts:
                base_texts.append(new_base)
            ce.bases = ", ".join(base_texts) + ", table=True"
            ce.replace.update(own)
            edit.maybe_unused |= {n for b in info.cls.bases for n in _names(b)}
            for a in info.cls.attrs:
                if a.name in own:
                    edit.maybe_unused |= _names(a.annotation) | _names(a.value)
            for decl in own.values():
                if decl is not None:
                    edit.imports |= decl.imports
            for mixin in m.mixins:
                if mixin in converted:
                    continue
                converted.add(mixin)
                mcls, mfacts = ix.classes[mixin]
                medit = self.file(mfacts.module)
                mce = medit.classes.setdefault(mcls.name, ClassEdit())
                mce.bases = imported("sqlmodel", "SQLModel")
                for a in mcls.attrs:
                    decl = d.get(a.name)
                    if decl is not None and any(c.attr == a.name and c.owner == mixin for c in m.columns):
                        mce.replace[a.name] = decl
                        medit.imports |= decl.imports
                        medit.maybe_unused |= _names(a.annotation) | _names(a.value)

    def _shared(self, info: ModelInfo, pairs_by_schema: dict[str, set[str]], taken: set[str]
                ) -> tuple[list[str], list[str], list[Decl]]:
        """Fields for MBase, the schemas re-based on it, and MBase's declarations."""
        res, ix = self.result, self.ix
        m = info.model
        q = m.qualname
        columns = {c.attr: c for c in m.columns if c.owner == q}
        attrs = {a.name: a for a in info.cls.attrs}
        model_module = ix.modules[m.module]
        roots: list[tuple[int, str, dict[str, tuple[str, Decl]]]] = []
        for p in res.pairs:
            if p.model != q or p.schema in taken or len(pairs_by_schema[p.schema]) != 1:
                continue
            sinfo = res.schema_info.get(p.schema)
            if sinfo is None or not self._rebasable(sinfo, model_module):
                continue
            cands: dict[str, tuple[str, Decl]] = {}
            fields = {f.name: f for f in sinfo.schema.fields if f.owner == p.schema}
            for a in sinfo.cls.attrs:
                col = columns.get(a.name)
                sf = fields.get(a.name)
                if col is None or sf is None or a.name not in attrs or is_sensitive(a.name):
                    continue
                try:
                    decl = self._mbase_decl(a, sf, col, attrs[a.name])
                    decl.imports |= self._carried_imports(a, sinfo.schema.module, m.module)
                except Unsupported:
                    continue  # disagrees with the column: the schema keeps its field, the table model its column
                key = " ".join(a.annotation.text.split()) + "=" + (" ".join(a.value.text.split()) if a.value else "")
                cands[a.name] = (key, decl)
            if cands:
                roots.append((ROLE_ORDER.get(p.role, 9), p.schema, cands))
        if not roots:
            return [], [], []
        roots.sort()
        best: tuple | None = None
        options = [set(c) for _, _, c in roots]
        options += [a & b for i, a in enumerate(options) for b in options[i + 1:] if a & b]
        for fs in options:
            group = []
            ref_keys: dict[str, str] = {}
            for _, s, cands in roots:
                if not fs <= set(cands):
                    continue
                if not ref_keys:
                    ref_keys = {f: cands[f][0] for f in fs}
                if all(cands[f][0] == ref_keys[f] for f in fs):
                    group.append(s)
            if not group:
                continue
            score = (len(fs) * len(group), len(fs))
            if best is None or score > best[0]:
                best = (score, fs, group)
        if best is None:
            return [], [], []
        _, fs, group = best
        first = next(c for _, s, c in roots if s == group[0])
        order = [c.attr for c in m.columns if c.attr in fs]
        taken.update(group)
        return order, group, [first[f][1] for f in order]

    def _alias_imports(self, spec: ColumnSpec, decl: Decl, module: str) -> set[tuple[str, str]]:
        """Imports for what a declaration copied from an ``Annotated`` alias of another module."""
        if spec.carried is None or spec.carried_module in (None, module):
            return set()
        used = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", decl.code())) & _names(spec.carried)
        return self._imports_for(used, spec.carried_module, module)

    def _carried_imports(self, a: Attr, schema_module: str, model_module: str) -> set[tuple[str, str]]:
        """Imports the model's module needs for a schema field's annotation and value text."""
        return self._imports_for(_names(a.annotation) | _names(a.value), schema_module, model_module, local=False)

    def _imports_for(self, names: set[str], from_module: str, to_module: str, local: bool = True
                     ) -> set[tuple[str, str]]:
        """Imports that make ``names``, as ``from_module`` binds them, mean the same in ``to_module``."""
        out: set[tuple[str, str]] = set()
        for name in names:
            b = self.ix.bindings.get(from_module, {}).get(name)
            if b is None:
                continue  # a builtin
            if b.kind != "import" or not b.target:
                if not local:
                    raise Unsupported(f"{name} is defined in {from_module}")
                target = f"{from_module}.{name}"
            else:
                target = b.target
            if target in ("pydantic:Field", "sqlmodel:Field"):
                continue  # becomes sqlmodel's Field
            mine = self.ix.bindings.get(to_module, {}).get(name)
            if mine is not None:
                mine_target = mine.target if mine.kind == "import" else f"{to_module}.{name}"
                if mine_target != target:
                    raise Unsupported(f"{name} means something else in {to_module}")
                continue
            if ":" in target:
                mod, obj = target.split(":", 1)
            elif target == name:
                mod, obj = name, ""
            else:
                mod, _, obj = target.rpartition(".")
            if obj and obj != name or not mod:
                raise Unsupported(f"{name} is imported under another name")
            out.add((mod, obj))
        return out

    def _rebasable(self, sinfo: SchemaInfo, model_module: ModuleFacts) -> bool:
        cls = sinfo.cls
        if sinfo.schema.api != "v2" or cls.keywords or cls.decorators or len(cls.bases) != 1:
            return False
        if self.ix.ref(cls.bases[0]) != "pydantic:BaseModel":
            return False
        if sinfo.schema.module in model_module.imported_modules:
            return False  # the model's module imports the schema's: re-basing would make a cycle
        schema_module = self.ix.modules.get(sinfo.schema.module)
        if schema_module is None or schema_module.imports_as(model_module) is None:
            return False  # another service of a monorepo: it cannot import the model's module by name
        return sinfo.cls.qualname == f"{sinfo.schema.module}.{cls.name}"

    def _mbase_decl(self, a: Attr, sf, col: Column, model_attr: Attr) -> Decl:
        """The MBase declaration of a schema field, from which the table model inherits exactly its column
        (Unsupported when no such declaration exists: another type, nullability, length or default)."""
        if sf.alias or a.annotation is None:
            raise Unsupported("alias")
        if any(e.kind == "call" for e in a.annotation.walk()):
            # ``Annotated[str, Field(...)]``: pydantic's FieldInfo in the annotation and SQLModel's as the
            # value would have to merge; the field stays on the schema
            raise Unsupported("annotation metadata")
        if family(sf.python_type) != family(col.python_type) or family(sf.python_type) is None:
            raise Unsupported("type")
        if sf.optional != col.nullable and not (col.primary_key and not sf.optional):
            raise Unsupported("nullability")
        length = dict(sf.constraints).get("max_length")
        if length is not None and (col.length is None or not length.isdigit() or int(length) > col.length):
            raise Unsupported("length")
        spec: ColumnSpec = column_spec(self.ix, model_attr, col, self.targets, union=self.version >= (3, 10))
        value = a.value
        kwargs: list[tuple[str, str]] = []
        default: str | None = None
        if value is not None:
            if value.kind == "call" and self.ix.ref(value) == "pydantic:Field":
                if value.args:
                    kwargs.append(("default", value.args[0].text))
                    default = value.args[0].text
                for k, v in value.kwargs:
                    if k not in PORTABLE_FIELD_KWARGS or not is_constant(v):
                        raise Unsupported(k)
                    kwargs.append((k, v.text))
                    if k == "default":
                        default = v.text
                    if k == "default_factory":
                        raise Unsupported(k)
            elif is_constant(value):
                kwargs.append(("default", value.text))
                default = value.text
            else:
                raise Unsupported("value")
        schema_side = dict(kwargs)
        col_default = spec.kwargs.get("default")
        col_default_text = None if col_default is None or (
            col_default.kind == "const" and col_default.value is None) else col_default.text
        if col_default_text is not None and col_default_text != default:
            raise Unsupported("another default")
        if col_default_text is None and default not in (None, "None"):
            raise Unsupported("a default the column does not have")
        if default is not None and "server_default" in spec.kwargs:
            raise Unsupported("a default would override the server default")  # SQLModel sets it on construction
        db = db_arguments(spec, self.ix, sf.optional, col_default_text, type_from_schema=schema_side)
        all_kwargs = kwargs + [(k, v) for k, v in db if k not in schema_side]
        imports: set[tuple[str, str]] = set()
        if not all_kwargs:
            return Decl(a.name, a.annotation.text, None, imports)
        probe = Decl(a.name, a.annotation.text, ", ".join(v for _, v in all_kwargs))
        imports |= self._alias_imports(spec, probe, self.result.model_info[col.owner].model.module
                                       if col.owner in self.result.model_info else spec.carried_module or "")
        if all_kwargs == [("default", default)] and default is not None and value is not None and value.kind != "call":
            return Decl(a.name, a.annotation.text, default, imports)
        return Decl(a.name, a.annotation.text, field_call(all_kwargs), imports)
