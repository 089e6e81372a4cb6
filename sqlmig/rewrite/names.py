"""How the rewrite spells what it imports, decided per module once its edits are done.

The plan writes every name it adds (``Field``, ``datetime``, ``UUID`` for an annotation, ``DateTime`` for
an ``sa_type``, ``Optional``) as a placeholder that says which object it means (``imported``); text copied
from the project keeps its own names. ``Namer`` then spells each placeholder without rebinding a name the
module still uses for something else: an existing binding of the same object (``uuid.UUID`` after
``import uuid``), the bare name with a new import, a qualified module import (``datetime.time``), or a
free alias (``from uuid import UUID as UUID_``). Inside a class body it also avoids the names that body
binds: class-body annotations are looked up there first.
"""

from __future__ import annotations

import builtins
import re

import libcst as cst
from libcst.metadata import BuiltinAssignment, MetadataWrapper, ScopeProvider

from sqlmig.rewrite.errors import RewriteError
from sqlmig.rewrite.imports import import_bindings

PREFIX = "__sqlmig_"


def imported(module: str, name: str) -> str:
    """The placeholder for ``name`` from ``module`` ("" for the module itself), an identifier that decodes
    back (``_`` and ``.`` of the module are escaped, so the first ``__`` ends it)."""
    return PREFIX + re.sub(r"[_.]", lambda m: "_u" if m.group() == "_" else "_d", module) + "__" + name


def target(identifier: str) -> tuple[str, str] | None:
    """(module, name) of a placeholder, None for any other identifier."""
    if not identifier.startswith(PREFIX):
        return None
    encoded, sep, name = identifier[len(PREFIX):].partition("__")
    if not sep:
        return None
    return re.sub(r"_(.)", lambda m: "_" if m.group(1) == "u" else ".", encoded), name


def class_bound(body: list[cst.BaseStatement] | tuple) -> set[str]:
    """Names the statements of a class body bind (an annotation without a value binds nothing)."""
    out: set[str] = set()
    for stmt in body:
        if isinstance(stmt, (cst.ClassDef, cst.FunctionDef)):
            out.add(stmt.name.value)
        elif isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                if isinstance(small, cst.Assign):
                    out |= {n.value for t in small.targets for n in _target_names(t.target)}
                elif isinstance(small, (cst.AnnAssign, cst.AugAssign)) and getattr(small, "value", None):
                    out |= {n.value for n in _target_names(small.target)}
                elif isinstance(small, (cst.Import, cst.ImportFrom)) and not isinstance(small.names, cst.ImportStar):
                    out |= {_local(a) for a in small.names}
    return out


def _target_names(node: cst.BaseExpression) -> list[cst.Name]:
    if isinstance(node, cst.Name):
        return [node]
    if isinstance(node, (cst.Tuple, cst.List)):
        return [n for el in node.elements for n in _target_names(el.value)]
    return []


def _local(alias: cst.ImportAlias) -> str:
    if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
        return alias.asname.name.value
    return cst.Module([]).code_for_node(alias.name).split(".", 1)[0]


def _paths(binding: tuple[str, str | None, str | None], name: str) -> dict[str, str]:
    """Dotted module paths a plain import binding reaches -> how to spell them (``import a.b`` binds ``a``
    and reaches ``a`` and ``a.b``; ``import a.b as x`` reaches ``a.b`` as ``x``)."""
    mod, obj, asname = binding
    if obj is not None:
        return {}
    if asname:
        return {mod: name}
    return {mod: mod, mod.split(".", 1)[0]: name}


class Namer:
    """Spells placeholders for one module; ``added`` collects the imports (for ``add_imports``) they need."""

    def __init__(self, module: cst.Module, carried: set[tuple[str, str]]) -> None:
        self.bindings = import_bindings(module)
        for mod, obj in carried:  # the plan's imports for copied text, under their own names by construction
            if obj and mod != "builtins" and " as " not in obj:
                self.bindings.setdefault(obj, (mod, obj, None))
        self.taken, self.twice = _module_names(module)
        self.taken |= set(self.bindings)
        self.added: list[tuple[str, str]] = []
        self.memo: dict[tuple[str, str, frozenset[str]], str] = {}

    def spell(self, mod: str, obj: str, blocked: frozenset[str] = frozenset()) -> str:
        """How to write ``obj`` of ``mod`` (``mod`` itself when ``obj`` is "") where ``blocked`` names mean
        something else (the names of the class body the text goes into)."""
        key = (mod, obj, blocked)
        if key not in self.memo:
            self.memo[key] = self._choose(mod, obj, blocked)
        return self.memo[key]

    def _choose(self, mod: str, obj: str, blocked: frozenset[str]) -> str:
        for text, new in self._candidates(mod, obj):
            if text.split(".", 1)[0] in blocked:
                continue
            if new is None:
                return text
            local, binding = new
            if local in self.twice or local in self.taken and (
                    local not in self.bindings or self._reach(self.bindings[local], local) != self._reach(binding, local)):
                continue
            self.bindings.setdefault(local, binding)
            self.taken.add(local)
            bmod, bobj, basname = binding
            self.added.append((bmod, (bobj or "") + (f" as {basname}" if basname else "")))
            return text
        raise RewriteError(f"no free name for {mod}.{obj}")

    @staticmethod
    def _reach(binding: tuple[str, str | None, str | None], name: str) -> tuple[str, str]:
        """What the local name is bound to: (module, object) or (module, "") for a module."""
        mod, obj, asname = binding
        if obj is not None:
            return mod, obj
        return (mod if asname else mod.split(".", 1)[0]), ""

    def _candidates(self, mod: str, obj: str):
        """(text, None) for spellings the module binds already, (text, (local name, binding)) for those that
        need an import; the module's own bindings come first, then the bare name, a qualified module
        import, and an alias."""
        usable = {n: b for n, b in self.bindings.items() if n not in self.twice}
        if obj:
            same = sorted((n for n, b in usable.items() if b[1] is not None and (b[0], b[1]) == (mod, obj)),
                          key=lambda n: (n != obj, n))
            yield from ((n, None) for n in same)
            for n, b in sorted(usable.items()):
                spelled = _paths(b, n).get(mod)
                if spelled is not None:
                    yield f"{spelled}.{obj}", None
            yield obj, (obj, (mod, obj, None))
            yield f"{mod}.{obj}", (mod.split(".", 1)[0], (mod, None, None))
        else:
            for n, b in sorted(usable.items()):
                spelled = _paths(b, n).get(mod)
                if spelled is not None:
                    yield spelled, None
            yield mod, (mod.split(".", 1)[0], (mod, None, None))
        last = obj or mod.rsplit(".", 1)[-1]
        for i in range(1, 100):
            alias = f"{last}_" if i == 1 else f"{last}_{i}"
            yield alias, (alias, (mod, obj or None, alias))


def _scopes(module: cst.Module):
    return MetadataWrapper(module, unsafe_skip_copy=True).resolve(ScopeProvider)


def read_names(module: cst.Module) -> set[str]:
    """The names the module's code reads anywhere (not those it only assigns)."""
    return {a.node.value for s in set(_scopes(module).values()) if s is not None for a in s.accesses
            if isinstance(a.node, cst.Name)}


def _module_names(module: cst.Module) -> tuple[set[str], set[str]]:
    """(names the module binds at top level or reads as builtins, names bound there more than once)."""
    scopes = _scopes(module)
    top = scopes.get(module)
    taken: set[str] = set()
    twice: set[str] = set()
    if top is not None:
        for a in top.assignments:
            taken.add(a.name)
            if len(top[a.name]) > 1:
                twice.add(a.name)
    for scope in {s for s in scopes.values() if s is not None}:
        for access in scope.accesses:
            if isinstance(access.node, cst.Name) and all(isinstance(r, BuiltinAssignment) for r in access.referents):
                taken.add(access.node.value)
    return {n for n in taken if not n.startswith(PREFIX)}, twice


def meaning(name: str, bindings: dict, top: dict[str, str]) -> tuple[str, str] | None:
    """The object a name of copied text means at module level, as ``imported`` takes it: an import or a
    builtin (None: a class, def or assignment of the module, which no import can name)."""
    if name in bindings:
        return Namer._reach(bindings[name], name)
    if name not in top and hasattr(builtins, name):
        return "builtins", name
    return None


class _Spell(cst.CSTTransformer):
    def __init__(self, namer: Namer, blocked: frozenset[str]) -> None:
        self.namer = namer
        self.blocked = blocked

    def leave_Name(self, original: cst.Name, updated: cst.Name) -> cst.BaseExpression:
        t = target(updated.value)
        if t is None:
            return updated
        return cst.parse_expression(self.namer.spell(t[0], t[1], self.blocked))


def spell_all(module: cst.Module, namer: Namer) -> cst.Module:
    """Every placeholder spelled; those in a top-level class body avoid the names that body binds."""
    body = []
    for stmt in module.body:
        if isinstance(stmt, cst.ClassDef) and isinstance(stmt.body, cst.IndentedBlock):
            blocked = frozenset(class_bound(stmt.body.body))
            stmt = stmt.with_changes(body=stmt.body.visit(_Spell(namer, blocked)))
        body.append(stmt.visit(_Spell(namer, frozenset())))
    return module.with_changes(body=body)
