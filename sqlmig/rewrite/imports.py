"""Add and remove top-level imports the way a person would: into the right group, in sorted position,
merged into an existing ``from x import`` line, and without leaving blank-line scars behind.

LibCST's ``AddImportsVisitor`` appends new imports after the last one whatever their group, and
``RemoveImportsVisitor`` drops a removed statement's blank lines; usage is decided here the same way
(``ScopeProvider``: a binding is unused when nothing, ``__all__`` included, reads it).
"""

from __future__ import annotations

import sys

import libcst as cst
from libcst.metadata import MetadataWrapper, ScopeProvider

STDLIB = frozenset(sys.stdlib_module_names)


def _group(module: str, first_party: frozenset[str]) -> int:
    top = module.split(".", 1)[0]
    if top == "__future__":
        return 0
    if top in STDLIB:
        return 1
    if top in first_party:
        return 3
    return 2


def _is_import(stmt: cst.CSTNode) -> bool:
    return isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 and isinstance(
        stmt.body[0], (cst.Import, cst.ImportFrom))


def _module_of(module: cst.Module, stmt: cst.SimpleStatementLine) -> tuple[str, bool] | None:
    """(module name, is a from-import) of an absolute import statement."""
    small = stmt.body[0]
    if isinstance(small, cst.ImportFrom):
        if small.relative or small.module is None:
            return None
        return module.code_for_node(small.module), True
    if isinstance(small, cst.Import):
        return module.code_for_node(small.names[0].name), False
    return None


def blank_lines(lines) -> int:
    """How many empty lines come before the first comment line."""
    n = 0
    for line in lines:
        if line.comment is not None:
            break
        n += 1
    return n


def _with_blanks(stmt: cst.CSTNode, n: int) -> cst.CSTNode:
    lines = list(stmt.leading_lines)
    rest = lines[blank_lines(lines):]
    return stmt.with_changes(leading_lines=[cst.EmptyLine(indent=False)] * n + rest)


def add_imports(module: cst.Module, wanted: list[tuple[str, str]], first_party: frozenset[str]) -> cst.Module:
    """``wanted``: (module, name) for ``from module import name``; name "" for ``import module``; either name
    may end in `` as alias``."""
    body = list(module.body)
    for mod, name in wanted:
        body = _add_one(module, body, mod, name, first_party)
    return module.with_changes(body=body)


def _already(module: cst.Module, body, mod: str, name: str, asname: str | None = None) -> bool:
    for stmt in body:
        if not _is_import(stmt):
            continue
        small = stmt.body[0]
        if name and isinstance(small, cst.ImportFrom) and not small.relative and small.module is not None \
                and module.code_for_node(small.module) == mod and not isinstance(small.names, cst.ImportStar):
            if any(module.code_for_node(a.name) == name and _asname(a) == asname for a in small.names):
                return True
        if not name and isinstance(small, cst.Import):
            if any(module.code_for_node(a.name) == mod and _asname(a) == asname for a in small.names):
                return True
    return False


def _add_one(module: cst.Module, body: list, mod: str, name: str, first_party: frozenset[str]) -> list:
    name, _, asname = name.partition(" as ")
    if _already(module, body, mod, name, asname or None):
        return body
    # a ``from x import *`` may rebind any name imported before it: new names go after the last one
    star = max((i for i, stmt in enumerate(body) if _is_import(stmt) and isinstance(stmt.body[0], cst.ImportFrom)
                and isinstance(stmt.body[0].names, cst.ImportStar)), default=None)
    # merge into an existing ``from mod import ...`` line
    if name:
        for i, stmt in enumerate(body):
            if not _is_import(stmt) or (star is not None and i < star):
                continue
            small = stmt.body[0]
            if isinstance(small, cst.ImportFrom) and not small.relative and small.module is not None \
                    and module.code_for_node(small.module) == mod and not isinstance(small.names, cst.ImportStar):
                names = list(small.names)
                existing = [module.code_for_node(a.name) for a in names]
                pos = len(names)
                if existing == sorted(existing, key=str.lower):
                    pos = next((k for k, e in enumerate(existing) if e.lower() > name.lower()), len(names))
                new_alias = cst.ImportAlias(cst.Name(name), asname=cst.AsName(cst.Name(asname)) if asname else None)
                if pos == len(names):
                    last = names[-1].with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
                    names = [*names[:-1], last, new_alias.with_changes(comma=names[-1].comma)]
                else:
                    names.insert(pos, new_alias.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))))
                body[i] = stmt.with_changes(body=[small.with_changes(names=names)])
                return body
    code = (f"from {mod} import {name}" if name else f"import {mod}") + (f" as {asname}" if asname else "") + "\n"
    new = cst.parse_statement(code)
    if star is not None:
        if star + 1 < len(body) and not _is_import(body[star + 1]):
            body[star + 1] = _with_blanks(body[star + 1], max(blank_lines(body[star + 1].leading_lines), 2 if isinstance(
                body[star + 1], (cst.ClassDef, cst.FunctionDef)) else 1))
        body.insert(star + 1, new)
        return body
    group = _group(mod, first_party)
    # the import block: leading docstring skipped, up to the first statement that is not an import
    start = 0
    if body and isinstance(body[0], cst.SimpleStatementLine) and isinstance(body[0].body[0], cst.Expr) \
            and isinstance(body[0].body[0].value, (cst.SimpleString, cst.ConcatenatedString)):
        start = 1
    end = start
    while end < len(body) and _is_import(body[end]):
        end += 1
    block = [(i, _module_of(module, body[i])) for i in range(start, end)]
    block = [(i, m) for i, m in block if m is not None]
    same = [(i, m) for i, m in block if _group(m[0], first_party) == group]
    is_from = bool(name)
    if same:
        # sorted position among the group's imports of the same kind (plain imports first, as isort does)
        key = (is_from, mod.lower())
        after = None
        for i, (m, f) in same:
            if (f, m.lower()) <= key:
                after = i
        if after is None:
            first = same[0][0]
            new = new.with_changes(leading_lines=body[first].leading_lines)
            body[first] = _with_blanks(body[first], 0)
            body.insert(first, new)
        else:
            body.insert(after + 1, new)
        return body
    lower = [i for i, m in block if _group(m[0], first_party) < group]
    higher = [i for i, m in block if _group(m[0], first_party) > group]
    if lower:
        at = lower[-1] + 1
        body.insert(at, new.with_changes(leading_lines=[cst.EmptyLine(indent=False)]))
        return body
    if higher:
        at = higher[0]
        new = new.with_changes(leading_lines=body[at].leading_lines)
        body[at] = _with_blanks(body[at], 1)
        body.insert(at, new)
        return body
    at = start
    if at < len(body):
        new = new.with_changes(leading_lines=[cst.EmptyLine(indent=False)] if start else [])
        body[at] = _with_blanks(body[at], max(blank_lines(body[at].leading_lines), 2 if isinstance(
            body[at], (cst.ClassDef, cst.FunctionDef)) else 1))
    body.insert(at, new)
    return body


def remove_unused(module: cst.Module, candidates: set[str], force: set[str] | None = None) -> cst.Module:
    """Drop top-level import bindings named in ``candidates`` that nothing in the module reads any more
    (and those in ``force``, which the caller rebinds)."""
    if not candidates and not force:
        return module
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    scopes = wrapper.resolve(ScopeProvider)
    global_scope = scopes.get(module)
    if global_scope is None:
        return module
    exported = _dunder_all(module)
    unused: set[str] = set()
    for name in candidates:
        if name in exported or name not in global_scope:
            continue
        assignments = global_scope[name]
        if all(not a.references for a in assignments):
            unused.add(name)
    unused |= force or set()
    if not unused:
        return module
    body: list = []
    carry: int | None = None
    comments: list[cst.EmptyLine] = []
    for stmt in module.body:
        if _is_import(stmt):
            small = stmt.body[0]
            names = [] if isinstance(small, cst.ImportFrom) and isinstance(small.names, cst.ImportStar) \
                else list(small.names)
            keep = [a for a in names if _bound_name(module, a, isinstance(small, cst.Import)) not in unused]
            if names and not keep:
                blanks = blank_lines(stmt.leading_lines)
                carry = blanks if not body else max(blanks, carry or 0)
                comments += [line for line in stmt.leading_lines if line.comment is not None]
                if stmt.trailing_whitespace.comment is not None:
                    comments.append(cst.EmptyLine(comment=stmt.trailing_whitespace.comment))
                continue
            if len(keep) != len(names):
                # the last name left ends as the last one did (``Text,\n)`` stays a trailing comma)
                keep[-1] = keep[-1].with_changes(comma=names[-1].comma)
                stmt = stmt.with_changes(body=[small.with_changes(names=keep)])
        if carry is not None:
            stmt = _with_blanks(stmt, carry if not body else max(carry, blank_lines(stmt.leading_lines)))
            if comments:
                lines = list(stmt.leading_lines)
                n = blank_lines(lines)
                stmt = stmt.with_changes(leading_lines=lines[:n] + comments + lines[n:])
            carry, comments = None, []
        body.append(stmt)
    return module.with_changes(body=body)


def import_bindings(module: cst.Module) -> dict[str, tuple[str, str | None, str | None]]:
    """Top-level absolute import bindings: local name -> (module, object or None, asname)."""
    out: dict[str, tuple[str, str | None, str | None]] = {}
    for stmt in module.body:
        if not _is_import(stmt):
            continue
        small = stmt.body[0]
        if isinstance(small, cst.ImportFrom):
            if small.module is None or small.relative or isinstance(small.names, cst.ImportStar):
                continue
            mod = module.code_for_node(small.module)
            for alias in small.names:
                obj = module.code_for_node(alias.name)
                out[_asname(alias) or obj] = (mod, obj, _asname(alias))
        else:
            for alias in small.names:
                name = module.code_for_node(alias.name)
                out[_asname(alias) or name.split(".", 1)[0]] = (name, None, _asname(alias))
    return out


def _asname(alias: cst.ImportAlias) -> str | None:
    return alias.asname.name.value if alias.asname is not None and isinstance(alias.asname.name, cst.Name) else None


def _bound_name(module: cst.Module, alias: cst.ImportAlias, plain: bool) -> str:
    if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
        return alias.asname.name.value
    name = module.code_for_node(alias.name)
    return name.split(".", 1)[0] if plain else name


def _dunder_all(module: cst.Module) -> set[str]:
    out: set[str] = set()
    for stmt in module.body:
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                if isinstance(small, (cst.Assign, cst.AugAssign, cst.AnnAssign)):
                    targets = [t.target for t in small.targets] if isinstance(small, cst.Assign) else [small.target]
                    if any(isinstance(t, cst.Name) and t.value == "__all__" for t in targets) and small.value:
                        for el in getattr(small.value, "elements", []):
                            if isinstance(el.value, cst.SimpleString):
                                out.add(el.value.evaluated_value)
    return out
