"""The modules a file's findings can depend on, from module outlines.

Everything the analysis reads across modules reaches another module in one of these ways, and the
cone follows each of them:

- names a module imports (bases, mixins, aliases, types, re-exports), transitively;
- modules that import the file, and modules that import those (subclasses, routes that use its
  classes as evidence for pairing, packages re-exporting it);
- class names related to the file's class names (pairing by name: ``UserOut`` and ``User``);
- for a schema that no class matches by name, any module sharing two field names with it (pairing
  by fields), and for a model, such schemas elsewhere;
- class and table names spelled in strings by the file and by the modules found so far
  (``relationship("Item")``, ``ForeignKey("items.id")``), a table name also being one a class's name
  gives (``cls.__name__.lower()``, Flask-SQLAlchemy's ``user_account`` for ``UserAccount``).
- for a module of an Alembic script folder, the revisions that make it history.

``check FILES`` analyses the cone when nothing outside FILES changed since the last full run; a test
compares the result with a full analysis for every file of every sample, fixture and generated
benchmark project.
"""

from __future__ import annotations

import re
from collections import defaultdict
from functools import lru_cache
from typing import NamedTuple

from sqlmig.ir import Expr, ModuleFacts, alembic_script_folders
from sqlmig.tablenames import flask_table_name

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class Outline(NamedTuple):
    """What the cone needs to know of a module (kept in its cache entry and in the run state)."""

    module: str
    imports: list[str]  # every name it imports
    classes: list[str]
    tables: list[str]  # literal ``__tablename__`` values; UNKNOWN_TABLE: a table name no outline can read
    stems: list[str]  # of its class names (``stems``)
    fields: list[str]  # attribute names of its classes, dunders left out
    words: list[str]  # identifiers inside its string literals
    loose: dict[str, list[str]]  # classes that declare no table (only those can be schemas): stems


# a table named by code (``__tablename__ = NAME``, a ``declared_attr``, ``__table__ = Table(...)``): the
# analysis may resolve it, the cone cannot, so ``check`` analyses the whole project (see run._narrowed)
UNKNOWN_TABLE = "*"
CLASS_NAMED = frozenset({"cls.__name__", "cls.__name__.lower()"})  # table names the cone finds by class name


def outline(facts: ModuleFacts) -> Outline:
    classes, tables, fields, loose = [], [], set(), set()
    stack = list(facts.classes)
    while stack:
        cls = stack.pop()
        classes.append(cls.name)
        stack.extend(cls.inner)
        own = {a.name for a in cls.attrs}
        if not own & {"__tablename__", "__table__"}:
            loose.add(cls.name)
        fields |= {name for name in own if not name.startswith("__")}
        for attr in cls.attrs:
            if attr.name == "__tablename__" and attr.value is not None and isinstance(attr.value.literal, str):
                tables.append(attr.value.literal)
            elif attr.name == "__table__" and attr.value is not None and attr.value.kind == "call" \
                    and attr.value.args and isinstance(attr.value.args[0].literal, str):
                tables.append(attr.value.args[0].literal)  # __table__ = Table("things", metadata, ...)
            elif attr.name in ("__tablename__", "__table__") and attr.value is not None:
                tables.append(UNKNOWN_TABLE)
        if any(_built_target(attr.value) for attr in cls.attrs if attr.value is not None):
            tables.append(UNKNOWN_TABLE)  # a foreign key to a table named by code: f"{PREFIX}users.id"
        for m in cls.methods:  # a declared_attr table name: the class's own name is what the cone matches
            if m.name == "__tablename__" and not all(r.text.replace(" ", "") in CLASS_NAMED for r in m.returns):
                tables.append(UNKNOWN_TABLE)
    names = sorted(set(classes))
    return Outline(facts.module, list(facts.imported_modules), names, sorted(set(tables)),
                   sorted({s for n in names for s in stems(n)}), sorted(fields), sorted(spelled(facts)),
                   {n: sorted(stems(n)) for n in sorted(loose)})


def _built_target(expr: Expr) -> bool:
    """Whether ``expr`` holds a foreign key whose target is built by code (a constant, ``+``, an
    f-string) rather than spelled (``"users.id"``) or named as a column (``User.id``)."""
    for e in expr.walk():
        if e.kind != "call":
            continue
        if e.last == "ForeignKey":
            target = e.args[0] if e.args else e.kw("column")
            if target is not None and target.kind not in ("str", "attr"):
                return True
        elif e.last == "ForeignKeyConstraint" and len(e.args) > 1 and e.args[1].kind in ("list", "tuple"):
            if any(t.kind not in ("str", "attr") for t in e.args[1].args):
                return True
        elif e.last == "Field":
            target = e.kw("foreign_key")
            if target is not None and target.kind != "str":
                return True
    return False


def spelled(facts: ModuleFacts) -> set[str]:
    """The identifiers inside the string literals of a module's facts: ``"Item"``, ``"items.id"``."""
    out: set[str] = set()

    def visit(expr: Expr | None) -> None:
        if expr is None:
            return
        for e in expr.walk():
            if e.kind == "str" and isinstance(e.value, str) and len(e.value) < 200:
                out.update(_IDENT.findall(e.value))

    def visit_class(cls) -> None:
        for e in (*cls.bases, *cls.decorators, *(v for _, v in cls.keywords)):
            visit(e)
        for attr in cls.attrs:
            visit(attr.annotation)
            visit(attr.value)
        for method in cls.methods:
            for e in (*method.decorators, *method.returns):
                visit(e)
        for inner in cls.inner:
            visit_class(inner)

    for b in facts.bindings:
        visit(b.value)
    for cls in facts.classes:
        visit_class(cls)
    for call in facts.calls:
        for e in (call.func, call.receiver, *call.args, *(v for _, v in call.kwargs)):
            visit(e)
    return out


_AFFIXES: tuple[str, ...] | None = None


@lru_cache(maxsize=8192)
def stems(name: str) -> frozenset[str]:
    """``name`` and everything left of it once pairing's affixes are cut off, lowercased.

    Pairing matches a schema's name with its affixes cut (``UserCreate`` -> ``User``) against a
    model's name with a model affix cut (``UserORM`` -> ``User``); both are among the stems of each
    name, so two names that can pair always share a stem.
    """
    global _AFFIXES
    if _AFFIXES is None:
        from sqlmig.pairing import MODEL_AFFIXES, PREFIXES, SUFFIXES

        _AFFIXES = tuple(sorted({a for a, _ in SUFFIXES} | {a for a, _ in PREFIXES} | set(MODEL_AFFIXES) | {"S"}))
    affixes = _AFFIXES
    out, todo = set(), [name]
    while todo:
        current = todo.pop()
        if current in out:
            continue
        out.add(current)
        ends, starts = current.endswith(affixes), current.startswith(affixes)  # one test for all, mostly False
        if ends or starts:
            for affix in affixes:
                if len(current) > len(affix):
                    if ends and current.endswith(affix):
                        todo.append(current[: -len(affix)])
                    if starts and current.startswith(affix):
                        todo.append(current[len(affix):])
    return frozenset(s.lower() for s in out)


def project_imports(outlines: dict[str, Outline], paths=None) -> dict[str, list[str]]:
    """For each module (or those in ``paths``), the project modules it imports: the module named and
    the packages above it."""
    by_module: dict[str, str] = {o.module: path for path, o in outlines.items()}
    out = {}
    for path in outlines if paths is None else paths:
        found = set()
        for name in outlines[path].imports:
            parts = name.split(".")
            for i in range(len(parts), 0, -1):
                dep = by_module.get(".".join(parts[:i]))
                if dep is not None:
                    found.add(dep)
        out[path] = sorted(found)
    return out


def cone(targets: list[str], outlines: dict[str, Outline], imports: dict[str, list[str]] | None = None) -> set[str]:
    """Relpaths of the modules to analyse so that the findings of ``targets`` come out as in a full run.

    ``imports`` is ``project_imports(outlines)`` as the last full run saved it; the targets' own
    entries are computed again (their imports may have changed)."""
    imports = dict(imports) if imports is not None else project_imports(outlines)
    imports.update(project_imports(outlines, [t for t in targets if t in outlines]))
    importers: dict[str, set[str]] = defaultdict(set)
    for path, deps in imports.items():
        for dep in deps:
            importers[dep].add(path)
    classes: dict[str, set[str]] = defaultdict(set)
    tables: dict[str, set[str]] = defaultdict(set)
    by_stem: dict[str, set[str]] = defaultdict(set)
    # Flask-SQLAlchemy names the table of a class without one (``UserAccount``: user_account)
    flask = any(name.split(".", 1)[0] == "flask_sqlalchemy" for o in outlines.values() for name in o.imports)
    for path, o in outlines.items():
        for name in o.classes:
            classes[name].add(path)
            tables[name.lower()].add(path)  # a table a declared_attr names after the class (CLASS_NAMED)
        for name in o.loose if flask else ():
            table = flask_table_name(name)
            if table:
                tables[table].add(path)
        for table in o.tables:
            tables[table].add(path)
        for stem in o.stems:
            by_stem[stem].add(path)

    seeds: set[str] = set(targets)
    # modules that import a target, and those importing them in turn
    reverse, todo = set(targets), list(targets)
    while todo:
        for importer in importers.get(todo.pop(), ()):
            if importer not in reverse:
                reverse.add(importer)
                todo.append(importer)
    seeds |= {p for t in targets for p in importers.get(t, ())}
    # classes no model matches by name that could be schemas: pairing matches those by shared field
    # names with any model, wherever it is
    def unmatched(path: str, o: Outline) -> bool:
        return any(not set().union(*(by_stem.get(s, set()) for s in stem_list)) - {path}
                   for stem_list in o.loose.values())

    loose = {path for path, o in outlines.items() if unmatched(path, o)}
    for target in targets:
        o = outlines.get(target)
        if o is None:
            continue
        # classes that can pair with the target's by name (a class of the same name among them), and
        # models of the same table (foreign keys take their type from a table's first model)
        for name in o.classes:
            seeds |= set().union(*(by_stem.get(s, set()) for s in stems(name)))
        for table in o.tables:
            seeds |= tables[table]
        fields = set(o.fields)
        if target in loose:  # its loose schema may pair with any model sharing two field names
            seeds |= {p for p, other in outlines.items() if len(fields.intersection(other.fields)) >= 2}
        else:  # its models may pair with a loose schema elsewhere
            seeds |= {p for p in loose if len(fields.intersection(outlines[p].fields)) >= 2}
    # class and table names spelled in strings, by the targets and the modules found so far (a
    # paired model's foreign key takes its type from the table it names): relationship("Item"),
    # ForeignKey("items.id")
    # ... to the end of the chain: a foreign key column without a type takes its target's, which may be
    # such a column in turn
    todo, spelled_seen = list(seeds), set()
    while todo:
        path = todo.pop()
        o = outlines.get(path)
        if o is None or path in spelled_seen:
            continue
        spelled_seen.add(path)
        for word in o.words:
            found = (classes.get(word, set()) | tables.get(word, set())) - seeds
            seeds |= found
            todo.extend(found)
    # everything those modules import, transitively; and a package with a module file of the same name
    # (``app/models/`` and a stale ``app/models.py``), as the index takes the package only if it sees both
    twins: dict[str, list[str]] = defaultdict(list)
    for path, o in outlines.items():
        twins[o.module].append(path)
    closed, todo = set(), list(seeds | reverse)
    while todo:
        path = todo.pop()
        if path in closed:
            continue
        closed.add(path)
        todo.extend(imports.get(path, ()))
        if path in outlines and len(twins[outlines[path].module]) > 1:
            todo.extend(twins[outlines[path].module])
    result = closed | reverse
    # a module of an Alembic script folder (``X/`` of ``X/versions/``) is history when a revision is
    # analysed with it (``Index.revisions``): the revisions importing it come along (all of them if none does)
    scripts = alembic_script_folders(outlines)
    for path in sorted(result) if scripts else ():
        folder = next((x for x in scripts if path.startswith(x)), None)
        if folder is not None:
            versions = folder + "versions/"
            result |= {p for p in importers.get(path, ()) if p.startswith(versions)} or \
                {p for p in outlines if p.startswith(versions)}
    return result
