"""Project-wide knowledge: resolve names across modules, class hierarchies, what each class is."""

from __future__ import annotations

from dataclasses import fields, is_dataclass, replace
from functools import cached_property

from sqlmig.ir import Binding, ClassFact, Expr, ModuleFacts, alembic_script_folders, is_none
from sqlmig.libraries import LIBRARY_BASES, canonical, is_library

DECLARATIVE_ROOTS = frozenset({"sqlalchemy:DeclarativeBase", "sqlalchemy:DeclarativeBaseNoMeta"})
BASE_FACTORIES = frozenset({"sqlalchemy:declarative_base"})
SCHEMA_ROOTS = frozenset({"pydantic:BaseModel", "pydantic.v1:BaseModel"})
NOT_SCHEMAS = frozenset({"pydantic_settings:BaseSettings", "pydantic:BaseSettings", "pydantic.v1:BaseSettings",
                         "pydantic:RootModel"})
# what maps a column or a relationship in a class body
MAPPING_CALLS = frozenset({"sqlalchemy:Column", "sqlalchemy:mapped_column", "sqlalchemy:relationship"})
TYPE_ROOTS = frozenset({"sqlalchemy:TypeDecorator", "sqlalchemy:UserDefinedType", "sqlalchemy:TypeEngine"})
FLASK_DB = "flask_sqlalchemy:SQLAlchemy"
# declarative bases libraries define: Flask-SQLAlchemy's db.Model, Flask-AppBuilder's Model (superset)
LIBRARY_DECLARATIVE_BASES = frozenset({"flask_sqlalchemy:Model", "flask_appbuilder:Model"})


def is_revision(bindings: dict[str, Binding]) -> bool:
    """An Alembic revision script: ``revision`` and ``down_revision`` assigned at module level."""
    return all(name in bindings and bindings[name].kind == "assign" for name in ("revision", "down_revision"))


def is_external(ref: str | None) -> bool:
    return bool(ref) and ":" in ref


def _is_init(path: str) -> bool:
    return path == "__init__.py" or path.endswith("/__init__.py")


def _is_field(attr) -> bool:
    """Whether a class-body statement declares a Pydantic field (annotated, public, not config)."""
    return attr.annotation is not None and not attr.name.startswith("_") and attr.name != "model_config" \
        and attr.annotation.ref != "typing:ClassVar"


def _is_test(path: str) -> bool:
    """A test module: in a ``tests``/``test`` folder, or ``test_*.py``, ``*_test.py``, ``conftest.py``."""
    *folders, name = path.split("/")
    return bool({"tests", "test"} & set(folders)) or name.startswith("test_") or name.endswith("_test.py") \
        or name == "conftest.py"


def _map_refs(obj, fix):
    """``obj`` (scan facts) with ``fix`` applied to the ``ref`` of every expression in it; the parts
    that do not change are the same objects."""
    if isinstance(obj, Expr):
        changes = {}
        ref = fix(obj.ref) if obj.ref is not None else None
        if ref != obj.ref:
            changes["ref"] = ref
        for name in ("args", "kwargs", "base"):
            value = getattr(obj, name)
            new = _map_refs(value, fix)
            if new is not value:
                changes[name] = new
        return replace(obj, **changes) if changes else obj
    if isinstance(obj, tuple):
        new = tuple(_map_refs(x, fix) for x in obj)
        return obj if all(a is b for a, b in zip(new, obj)) else new
    if is_dataclass(obj):
        changes = {}
        for f in fields(obj):
            value = getattr(obj, f.name)
            if isinstance(value, (tuple, Expr)) or is_dataclass(value):
                new = _map_refs(value, fix)
                if new is not value:
                    changes[f.name] = new
        return replace(obj, **changes) if changes else obj
    return obj


class Index:
    """All modules of the project, with cheap cross-module resolution (memoised)."""

    def __init__(self, modules: list[ModuleFacts]) -> None:
        self._index_names(modules)
        self.classes: dict[str, tuple[ClassFact, ModuleFacts]] = {}  # filled once the names resolve
        self._resolved: dict[str, str] = {}
        self._mro: dict[str, tuple[str, ...]] = {}
        self._exports: dict[str, frozenset[str]] = {}
        if any(facts.star_imports for facts in modules):
            modules = [self._star_names_resolved(facts) for facts in modules]
            self._index_names(modules)
            self._resolved.clear()
        self.all_modules = modules
        for facts in self.modules.values():
            if facts.module in self.revisions:
                continue
            for cls in facts.classes:
                self.classes[cls.qualname] = (cls, facts)
                for inner in cls.inner:
                    self.classes[inner.qualname] = (inner, facts)

    def _index_names(self, modules: list[ModuleFacts]) -> None:
        self.modules: dict[str, ModuleFacts] = {}
        for facts in modules:
            known = self.modules.get(facts.module)
            # ``pkg/providers/__init__.py`` and ``pkg/providers.py``: Python imports the package
            if known is None or (_is_init(facts.path) and not _is_init(known.path)):
                self.modules[facts.module] = facts
        self.bindings: dict[str, dict[str, Binding]] = {}
        self.revisions: set[str] = set()  # Alembic revision scripts
        for facts in self.modules.values():
            table: dict[str, Binding] = {}
            for b in facts.bindings:
                # the first definition wins over TYPE_CHECKING-only ones and except-handler fallbacks;
                # later rebinding wins otherwise
                if b.name not in table or not b.type_checking:
                    table[b.name] = b
            self.bindings[facts.module] = table
            if is_revision(table):  # its classes are a snapshot of the schema back then, not the app's
                self.revisions.add(facts.module)
        # the rest of an Alembic script folder (the folder holding a revision's ``versions/``): helper
        # modules with the snapshot models data migrations share are history as well
        folders = alembic_script_folders(self.modules[m].path for m in self.revisions)
        if folders:
            for facts in self.modules.values():
                if facts.path.startswith(tuple(folders)):
                    self.revisions.add(facts.module)

    def _star_names_resolved(self, facts: ModuleFacts) -> ModuleFacts:
        """``facts`` with each name its star imports supply replaced by what it resolves to. The
        scanner names those as the module's own globals (it cannot tell which star import supplies
        them); the stages that compare a reference with a library name as written
        (``sqlalchemy:Mapped``, ``typing:Annotated``) then see the library's name. A name no star
        import supplies (a parameter, a typo) gets no reference, as in a module without them."""
        if not facts.star_imports:
            return facts
        prefix, table = f"{facts.module}.", self.bindings[facts.module]

        def fix(ref: str) -> str | None:
            if ref.startswith(prefix) and ref[len(prefix):].partition(".")[0] not in table:
                resolved = self.resolve(ref)
                return None if resolved == ref else resolved
            return ref

        return _map_refs(facts, fix)

    # ------------------------------------------------------------------ names

    def _split(self, ref: str) -> tuple[str, str] | None:
        """Longest project-module prefix of ``ref`` and the rest."""
        parts = ref.split(".")
        for i in range(len(parts) - 1, 0, -1):
            mod = ".".join(parts[:i])
            if mod in self.modules:
                return mod, ".".join(parts[i:])
        return None

    def in_project(self, ref: str | None) -> bool:
        """Whether a resolved name lies in a project module (``app.api.router.get``), not a library's."""
        return bool(ref) and not is_external(ref) and self._split(ref) is not None

    def resolve(self, ref: str | None) -> str | None:
        """Follow re-exports and aliases to where a name is defined (or to a library name)."""
        if not ref or is_external(ref):
            return ref
        hit = self._resolved.get(ref)
        if hit is not None:
            return hit
        result = self._resolve(ref, 0)
        self._resolved[ref] = result
        return result

    def _resolve(self, ref: str, depth: int) -> str:
        if depth > 25 or is_external(ref) or ref in self.classes:
            return ref
        split = self._split(ref)
        if split is None:
            return ref
        mod, rest = split
        head, _, tail = rest.partition(".")
        binding = self.bindings[mod].get(head)
        if binding is None:
            source = self.star_source(mod, head)
            if source is None:
                return ref
            target = f"{source}.{rest}"
            return canonical(target) if is_library(source) else self._resolve(target, depth + 1)
        if binding.kind == "import" and binding.target:
            target = f"{binding.target}.{tail}" if tail else binding.target
            if target == ref:
                return ref
            return self._resolve(target, depth + 1)
        if binding.kind == "assign" and binding.value is not None:
            value = binding.value
            if value.kind in ("name", "attr") and value.ref and not tail:
                return self._resolve(value.ref, depth + 1)
            if tail and self.is_flask_db(value):
                return "flask_sqlalchemy:Model" if tail == "Model" else f"sqlalchemy:{tail.rsplit('.', 1)[-1]}"
        return ref

    def is_flask_db(self, value: Expr) -> bool:
        """Whether ``value`` makes a Flask-SQLAlchemy extension: ``SQLAlchemy(...)`` or a call of a
        project class deriving from it (``class AppSQLAlchemy(SQLAlchemy)``, a common way to set
        engine or query options), whose ``db.Model`` is a declarative base all the same."""
        if value.kind != "call" or not value.ref:
            return False
        if value.ref == FLASK_DB:
            return True
        ref = self.resolve(value.ref)
        return ref == FLASK_DB or (ref in self.classes and FLASK_DB in self.mro(ref))

    # Star imports. The rule, close to Python's for the way star imports are written (first, then
    # the module's own names): a name the module binds itself (import, assignment, definition) wins
    # over its star imports wherever they are; among the star imports, the last project module
    # exporting the name supplies it; failing that, the last star import of a known library, whose
    # exports are not listed (``from sqlalchemy import *``), directly or through a project module
    # that star-imports it and declares no ``__all__``.

    def exports(self, mod: str) -> frozenset[str]:
        """The names ``from mod import *`` binds: a literal ``__all__``, else its public names
        (its own and those its star imports bring). Library names are not listed."""
        hit = self._exports.get(mod)
        if hit is not None:
            return hit
        self._exports[mod] = frozenset()  # cycle guard: a module star-importing itself back adds nothing
        names = self._declared_all(mod)
        if names is None:
            names = {n for n in self.bindings[mod] if not n.startswith("_")}
            for source in self.modules[mod].star_imports:
                if source in self.modules:
                    names.update(n for n in self.exports(source) if not n.startswith("_"))
        self._exports[mod] = frozenset(names)
        return self._exports[mod]

    def _declared_all(self, mod: str) -> set[str] | None:
        """``__all__`` when it is a literal list or tuple of strings; None when absent or computed."""
        b = self.bindings[mod].get("__all__")
        value = b.value if b is not None and b.kind == "assign" else None
        if value is None or value.kind not in ("list", "tuple") or any(a.kind != "str" for a in value.args):
            return None
        return {a.value for a in value.args if isinstance(a.value, str)}

    def star_source(self, mod: str, name: str) -> str | None:
        """The module a star import of project module ``mod`` takes ``name`` from, if any (a library
        module's name is only a guess: its exports are not known)."""
        stars = self.modules[mod].star_imports
        if not stars:
            return None
        for source in reversed(stars):
            if source in self.modules and name in self.exports(source):
                return source
        return self._library_star(mod, name, set())

    def _library_star(self, mod: str, name: str, seen: set[str]) -> str | None:
        if mod in seen or name.startswith("_"):
            return None
        seen.add(mod)
        for source in reversed(self.modules[mod].star_imports):
            if is_library(source):
                return source
            if source in self.modules and self._declared_all(source) is None:
                found = self._library_star(source, name, seen)
                if found is not None:
                    return found
        return None

    def import_closure(self, start) -> set[str]:
        """Project modules that importing ``start`` runs (importing a.b.c runs a and a.b too)."""
        seen: set[str] = set()
        todo = list(start)
        while todo:
            parts = todo.pop().split(".")
            for i in range(1, len(parts) + 1):
                mod = ".".join(parts[:i])
                if mod in self.modules and mod not in seen:
                    seen.add(mod)
                    todo.extend(self.modules[mod].imported_modules)
        return seen

    def env_missing(self, facts: ModuleFacts, model_modules: set[str]) -> list[str]:
        """The model modules an Alembic ``env.py`` never imports (SQM306; ``migrate`` adds them), test
        modules left out (a model a test declares is no table of the app's). None when it runs inside
        the Flask app (it reads ``current_app``, as Flask-Migrate's does, often for ``target_metadata``
        itself): the app's start-up imports the models."""
        if any(m.replace(":", ".").startswith("flask.current_app") for m in facts.imported_modules):
            return []
        wanted = {m for m in model_modules if m not in self.modules or not _is_test(self.modules[m].path)}
        return sorted(wanted - self.import_closure(facts.imported_modules))

    def binding_of(self, ref: str | None) -> Binding | None:
        """The module-level binding a resolved project name points at."""
        ref = self.resolve(ref)
        if not ref or is_external(ref):
            return None
        split = self._split(ref)
        if split is None:
            return None
        mod, rest = split
        return self.bindings[mod].get(rest) if "." not in rest else None

    def ref(self, expr: Expr | None) -> str | None:
        """Resolved reference of a name, an attribute, a call's callee or a subscript's value."""
        if expr is None:
            return None
        return self.resolve(expr.ref)

    # ------------------------------------------------------------------ classes

    def base_refs(self, cls: ClassFact) -> tuple[str, ...]:
        refs = []
        for base in cls.bases:
            ref = self.resolve(base.ref)
            if ref:
                refs.append(ref)
            elif base.kind == "call" and base.ref is None and base.value:
                refs.append(base.text)
        return tuple(refs)

    def mro(self, qualname: str) -> tuple[str, ...]:
        """C3 linearisation over project classes; library classes are leaves."""
        hit = self._mro.get(qualname)
        if hit is not None:
            return hit
        self._mro[qualname] = (qualname,)  # cycle guard
        entry = self.classes.get(qualname)
        if entry is None:
            mixin = self._base_class_argument(qualname)  # declarative_base(cls=Mixin): a subclass of Mixin
            self._mro[qualname] = (qualname, *LIBRARY_BASES.get(qualname, ()),
                                   *((q for q in self.mro(mixin) if q != qualname) if mixin else ()))
            return self._mro[qualname]
        bases = self.base_refs(entry[0])
        seqs = [list(self.mro(b)) for b in bases] + [list(bases)]
        result = [qualname]
        while True:
            seqs = [s for s in seqs if s]
            if not seqs:
                break
            for seq in seqs:
                head = seq[0]
                if not any(head in s[1:] for s in seqs):
                    break
            else:  # inconsistent hierarchy: fall back to depth-first order
                for s in seqs:
                    result.extend(x for x in s if x not in result)
                break
            result.append(head)
            for s in seqs:
                if s and s[0] == head:
                    del s[0]
        self._mro[qualname] = tuple(result)
        return self._mro[qualname]

    def _base_class_argument(self, qualname: str) -> str | None:
        """The project class a factory-made declarative base derives from: ``declarative_base(cls=M)``,
        ``registry().generate_base(cls=M)``."""
        binding = self.binding_of(qualname)
        call = binding.value if binding is not None and binding.kind == "assign" else None
        if call is None or call.kind != "call" or not (call.ref in BASE_FACTORIES or call.last == "generate_base"):
            return None
        arg = call.kw("cls")
        ref = self.resolve(arg.ref) if arg is not None and arg.kind in ("name", "attr") else None
        return ref if ref in self.classes else None

    def own_attr(self, qualname: str, name: str) -> Expr | None:
        entry = self.classes.get(qualname)
        if entry is None:
            return None
        for attr in entry[0].attrs:
            if attr.name == name:
                return attr.value if attr.value is not None else Expr("other", "")
        return None

    # ------------------------------------------------------------------ kinds

    @cached_property
    def declarative_bases(self) -> dict[str, int]:
        """Qualname of every declarative base -> line where it is defined."""
        return {q: line for q, (line, _) in self._declarative.items()}

    @cached_property
    def declarative_base_modules(self) -> set[str]:
        """The modules that define a declarative base."""
        return {module for _, module in self._declarative.values()}

    @cached_property
    def _declarative(self) -> dict[str, tuple[int, str]]:
        found: dict[str, tuple[int, str]] = {}
        for mod, table in self.bindings.items():
            for name, b in table.items():
                if b.kind == "assign" and b.value is not None and b.value.kind == "call" and (
                    b.value.ref in BASE_FACTORIES or b.value.last == "generate_base"
                ):
                    found[f"{mod}.{name}"] = (b.line, mod)
                elif b.kind == "assign" and b.value is not None and self.is_flask_db(b.value):
                    found[f"{mod}.{name}.Model"] = (b.line, mod)
        for qualname, (cls, facts) in self.classes.items():
            refs = set(self.base_refs(cls))
            if refs & DECLARATIVE_ROOTS or any(
                d.last in ("as_declarative", "as_declarative_base") for d in cls.decorators
            ):
                found[qualname] = (cls.line, facts.module)
        return found

    def declarative_base_of(self, qualname: str) -> str | None:
        bases = self.declarative_bases
        for q in self.mro(qualname):
            if q in bases and q != qualname:
                return q
            if q in LIBRARY_DECLARATIVE_BASES:
                return q
        return None

    def is_declarative_base(self, qualname: str) -> bool:
        return qualname in self.declarative_bases

    def is_sqlmodel_table(self, qualname: str) -> bool:
        entry = self.classes.get(qualname)
        if entry is None or "sqlmodel:SQLModel" not in self.mro(qualname):
            return False
        for key, value in entry[0].keywords:
            if key == "table" and value.value is True:
                return True
        return False

    @cached_property
    def mapped(self) -> dict[str, str]:
        """Every mapped class -> the declarative base it maps through."""
        result: dict[str, str] = {}
        for qualname in self.classes:
            base = self._mapped_base(qualname, set())
            if base:
                result[qualname] = base
        return result

    def _mapped_base(self, qualname: str, seen: set[str]) -> str | None:
        if qualname in seen or self.is_declarative_base(qualname):
            return None
        seen.add(qualname)
        cls, _ = self.classes[qualname]
        if self.is_sqlmodel_table(qualname):
            return "sqlmodel:SQLModel"
        base = self.declarative_base_of(qualname)
        abstract = self.own_attr(qualname, "__abstract__")
        if base is None:
            if any(d.last in ("mapped", "mapped_as_dataclass") for d in cls.decorators) and self._has_table(qualname):
                return "<registry>"
            return self._library_base(qualname) if abstract is None or abstract.value is not True else None
        if abstract is not None and abstract.value is True:
            return None
        if self._has_table(qualname):
            return base
        for parent in self.mro(qualname)[1:]:
            if parent in self.classes and self._mapped_base(parent, seen):
                return base
        if base == "flask_sqlalchemy:Model":  # the first mapped class: Flask-SQLAlchemy names its table
            return base
        return None

    @cached_property
    def _flask_autonaming(self) -> bool:
        """Whether Flask-SQLAlchemy's own table naming is known to apply: no extension of the project is
        made with a ``model_class`` of its own (whose ``__tablename__`` rule sqlmig does not follow
        there), ``disable_autonaming`` or a subclass of the extension (which may pass either)."""
        for table in self.bindings.values():
            for b in table.values():
                if b.kind == "assign" and b.value is not None and self.is_flask_db(b.value) and (
                        b.value.ref != FLASK_DB and self.resolve(b.value.ref) != FLASK_DB
                        or any(k in ("model_class", "disable_autonaming") or k.startswith("*")
                               for k, _ in b.value.kwargs)):
                    return False
        return True

    def flask_names_table(self, qualname: str) -> bool:
        """Flask-SQLAlchemy gives the mapped class ``qualname`` a table named after it: no ``__tablename__``
        or ``__table__`` of its own or a ``declared_attr`` one, and either no mapped parent or a primary key
        of its own (joined inheritance; without one it shares its parent's table)."""
        if qualname not in self.mapped or self.mapped[qualname] != "flask_sqlalchemy:Model" or \
                not self._flask_autonaming:
            return False
        cls = self.classes[qualname][0]
        if any(a.name in ("__tablename__", "__table__") for a in cls.attrs):
            return False
        mro = self.mro(qualname)
        if any(m.name == "__tablename__" for q in mro if q in self.classes for m in self.classes[q][0].methods):
            return False
        if not any(q in self.mapped for q in mro[1:]):
            return True
        return any(a.value is not None and a.value.kind == "call" and any(
            k == "primary_key" and v.value is True for k, v in a.value.kwargs) for a in cls.attrs)

    def _library_base(self, qualname: str) -> str | None:
        """The base class from a library sqlmig does not read (``advanced_alchemy.base.UUIDBase``) that
        ``qualname`` maps through, when the class maps columns of its own (``Mapped[...]``,
        ``mapped_column``, ``Column``, ``relationship``) and either names its table or has no project
        subclass (a class with subclasses and no table is a mixin or an abstract base)."""
        mro = self.mro(qualname)
        library = next((q for q in mro[1:] if q not in self.classes and not is_external(q)), None)
        if library is None:
            return None
        own = self.classes[qualname][0].attrs
        if not any(a.name in ("__tablename__", "__table__") for a in own) and self.subclasses.get(qualname):
            return None
        for q in mro:
            entry = self.classes.get(q)
            for attr in entry[0].attrs if entry is not None else ():
                if (attr.annotation is not None and attr.annotation.ref == "sqlalchemy:Mapped") or (
                        attr.value is not None and attr.value.kind == "call" and self.ref(attr.value) in MAPPING_CALLS):
                    return library
        return None

    def maps_through_library(self, qualname: str) -> bool:
        """Whether the mapped class ``qualname`` maps through a base class of a library sqlmig does not
        read, whose columns (and table name) are not known."""
        base = self.mapped.get(qualname)
        return bool(base) and base != "<registry>" and not is_external(base) and not self.in_project(base)

    def _has_table(self, qualname: str) -> bool:
        """Own ``__tablename__``/``__table__`` (not ``None``), or one up the MRO: a ``declared_attr``
        anywhere, or a plain ``__tablename__`` of a class that is not mapped (a mixin's, which
        SQLAlchemy applies to the model as its own; a mapped parent's is that parent's table)."""
        for attr in self.classes[qualname][0].attrs:
            if attr.name in ("__tablename__", "__table__"):
                return not is_none(attr.value)
        for q in self.mro(qualname):
            entry = self.classes.get(q)
            if entry is None:
                continue
            if any(m.name == "__tablename__" for m in entry[0].methods):
                return True
            if q != qualname:
                attr = next((a for a in entry[0].attrs if a.name == "__tablename__"), None)
                if attr is not None and not self._mapped_base(q, set()):
                    return not is_none(attr.value)
        return False

    def is_schema(self, qualname: str) -> bool:
        if qualname in self.mapped or self.is_declarative_base(qualname):
            return False
        mro = set(self.mro(qualname))
        if mro & NOT_SCHEMAS:
            return False
        if mro & SCHEMA_ROOTS:
            return True
        return "sqlmodel:SQLModel" in mro and not self.is_sqlmodel_table(qualname) \
            and not self.is_sqlmodel_base(qualname)

    def is_sqlmodel_base(self, qualname: str) -> bool:
        """A non-table SQLModel class that is plumbing for table models, not an API schema: it names
        the registry its tables map through (``class SQLModelBase(SQLModel, registry=Base.registry)``,
        what ``rewrite`` writes), or it declares no field and only table models (or such bases)
        derive from it."""
        return self._sqlmodel_base(qualname, frozenset())

    def _sqlmodel_base(self, qualname: str, path: frozenset[str]) -> bool:
        entry = self.classes.get(qualname)
        if entry is None or qualname in path:  # a cycle of bases
            return False
        path |= {qualname}
        if any(key == "registry" for key, _ in entry[0].keywords):
            return True
        if any(_is_field(a) for q in self.mro(qualname) if q in self.classes for a in self.classes[q][0].attrs):
            return False
        children = self.subclasses.get(qualname, ())
        return bool(children) and all(self.is_sqlmodel_table(c) or self._sqlmodel_base(c, path) for c in children)

    @cached_property
    def subclasses(self) -> dict[str, tuple[str, ...]]:
        """Project class -> the project classes that name it as a base."""
        out: dict[str, list[str]] = {}
        for qualname, (cls, _) in self.classes.items():
            for base in self.base_refs(cls):
                if base in self.classes and base != qualname:
                    out.setdefault(base, []).append(qualname)
        return {k: tuple(v) for k, v in out.items()}

    def is_custom_type(self, qualname: str | None) -> bool:
        return bool(qualname) and qualname in self.classes and bool(set(self.mro(qualname)) & TYPE_ROOTS)

    def is_enum(self, qualname: str | None) -> bool:
        return bool(qualname) and qualname in self.classes and any(
            r in ("enum:Enum", "enum:StrEnum", "enum:IntEnum") for r in self.mro(qualname))
