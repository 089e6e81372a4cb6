"""Project-wide knowledge: resolve names across modules, class hierarchies, what each class is."""

from __future__ import annotations

from functools import cached_property

from sqlmig.ir import Binding, ClassFact, Expr, ModuleFacts

DECLARATIVE_ROOTS = frozenset({"sqlalchemy:DeclarativeBase", "sqlalchemy:DeclarativeBaseNoMeta"})
BASE_FACTORIES = frozenset({"sqlalchemy:declarative_base"})
SCHEMA_ROOTS = frozenset({"pydantic:BaseModel", "pydantic.v1:BaseModel"})
NOT_SCHEMAS = frozenset({"pydantic_settings:BaseSettings", "pydantic:BaseSettings", "pydantic.v1:BaseSettings",
                         "pydantic:RootModel"})
TYPE_ROOTS = frozenset({"sqlalchemy:TypeDecorator", "sqlalchemy:UserDefinedType", "sqlalchemy:TypeEngine"})


def is_external(ref: str | None) -> bool:
    return bool(ref) and ":" in ref


class Index:
    """All modules of the project, with cheap cross-module resolution (memoised)."""

    def __init__(self, modules: list[ModuleFacts]) -> None:
        self.modules: dict[str, ModuleFacts] = {}
        for facts in modules:
            self.modules.setdefault(facts.module, facts)
        self.all_modules = modules
        self.bindings: dict[str, dict[str, Binding]] = {}
        self.classes: dict[str, tuple[ClassFact, ModuleFacts]] = {}
        for facts in self.modules.values():
            table: dict[str, Binding] = {}
            for b in facts.bindings:
                # the first definition wins over TYPE_CHECKING-only imports; later rebinding wins otherwise
                if b.name not in table or not b.type_checking:
                    table[b.name] = b
            self.bindings[facts.module] = table
            for cls in facts.classes:
                self.classes[cls.qualname] = (cls, facts)
                for inner in cls.inner:
                    self.classes[inner.qualname] = (inner, facts)
        self._resolved: dict[str, str] = {}
        self._mro: dict[str, tuple[str, ...]] = {}

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
            return ref
        if binding.kind == "import" and binding.target:
            target = f"{binding.target}.{tail}" if tail else binding.target
            if target == ref:
                return ref
            return self._resolve(target, depth + 1)
        if binding.kind == "assign" and binding.value is not None:
            value = binding.value
            if value.kind in ("name", "attr") and value.ref and not tail:
                return self._resolve(value.ref, depth + 1)
            if tail and value.kind == "call" and value.ref == "flask_sqlalchemy:SQLAlchemy":
                return "flask_sqlalchemy:Model" if tail == "Model" else f"sqlalchemy:{tail.rsplit('.', 1)[-1]}"
        return ref

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
            return (qualname,)
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
                elif b.kind == "assign" and b.value is not None and b.value.ref == "flask_sqlalchemy:SQLAlchemy":
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
            if q == "flask_sqlalchemy:Model":
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
        if base is None:
            if any(d.last in ("mapped", "mapped_as_dataclass") for d in cls.decorators) and self._has_table(qualname):
                return "<registry>"
            return None
        abstract = self.own_attr(qualname, "__abstract__")
        if abstract is not None and abstract.value is True:
            return None
        if self._has_table(qualname):
            return base
        for parent in self.mro(qualname)[1:]:
            if parent in self.classes and self._mapped_base(parent, seen):
                return base
        return None

    def _has_table(self, qualname: str) -> bool:
        """Own ``__tablename__``/``__table__`` (not ``None``), or a ``declared_attr`` one up the MRO."""
        for attr in self.classes[qualname][0].attrs:
            if attr.name in ("__tablename__", "__table__"):
                return not (attr.value is not None and attr.value.kind == "const" and attr.value.value is None)
        for q in self.mro(qualname):
            entry = self.classes.get(q)
            if entry is not None and any(m.name == "__tablename__" for m in entry[0].methods):
                return True
        return False

    def is_schema(self, qualname: str) -> bool:
        if qualname in self.mapped or self.is_declarative_base(qualname):
            return False
        mro = set(self.mro(qualname))
        if mro & NOT_SCHEMAS:
            return False
        if mro & SCHEMA_ROOTS:
            return True
        return "sqlmodel:SQLModel" in mro and not self.is_sqlmodel_table(qualname)

    def is_custom_type(self, qualname: str | None) -> bool:
        return bool(qualname) and qualname in self.classes and bool(set(self.mro(qualname)) & TYPE_ROOTS)

    def is_enum(self, qualname: str | None) -> bool:
        return bool(qualname) and qualname in self.classes and any(
            r in ("enum:Enum", "enum:StrEnum", "enum:IntEnum") for r in self.mro(qualname))
