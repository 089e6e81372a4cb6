"""The modules a file's findings can depend on, from module outlines (see ``state.outline``).

Everything the analysis reads across modules reaches another module in one of these ways, and the
cone follows each of them:

- names a module imports (bases, mixins, aliases, types, re-exports), transitively;
- modules that import the file, and modules that import those (subclasses, routes that use its
  classes as evidence for pairing, packages re-exporting it);
- class names related to the file's class names (pairing by name: ``UserOut`` and ``User``);
- class and table names the file spells in strings (``relationship("Item")``, ``ForeignKey("items.id")``).

``check FILES`` analyses the cone when nothing outside FILES changed since the last full run; a test
compares the result with a full analysis for every file of every sample, fixture and generated
benchmark project.
"""

from __future__ import annotations

import re
from collections import defaultdict

from sqlmig.ir import Expr, ModuleFacts

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def outline(facts: ModuleFacts) -> list:
    """What the cone needs of a module: [module, imported names, class names, literal table names,
    name stems of its classes (``cone.stems``), attribute names of its classes, words in its strings,
    classes that declare no table (only those can be schemas) with their stems]."""
    classes, tables, attrs, untabled = [], [], set(), set()
    stack = list(facts.classes)
    while stack:
        cls = stack.pop()
        classes.append(cls.name)
        stack.extend(cls.inner)
        own = {a.name for a in cls.attrs}
        if not own & {"__tablename__", "__table__"}:
            untabled.add(cls.name)
        attrs |= {name for name in own if not name.startswith("__")}
        for attr in cls.attrs:
            if attr.name == "__tablename__" and attr.value is not None and isinstance(attr.value.literal, str):
                tables.append(attr.value.literal)
    names = sorted(set(classes))
    return [facts.module, list(facts.imported_modules), names, sorted(set(tables)),
            sorted({s for n in names for s in stems(n)}), sorted(attrs), sorted(spelled(facts)),
            {n: sorted(stems(n)) for n in sorted(untabled)}]


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


def stems(name: str) -> set[str]:
    """``name`` and everything left of it once pairing's affixes are cut off, lowercased.

    Pairing matches a schema's name with its affixes cut (``UserCreate`` -> ``User``) against a
    model's name with a model affix cut (``UserORM`` -> ``User``); both are among the stems of each
    name, so two names that can pair always share a stem.
    """
    global _AFFIXES
    if _AFFIXES is None:
        from sqlmig.pairing import MODEL_AFFIXES, PREFIXES, SUFFIXES

        _AFFIXES = tuple(sorted({a for a, _ in SUFFIXES} | {a for a, _ in PREFIXES} | set(MODEL_AFFIXES) | {"S"}))
    out, todo = set(), [name]
    while todo:
        current = todo.pop()
        if current in out:
            continue
        out.add(current)
        for affix in _AFFIXES:
            if len(current) > len(affix):
                if current.endswith(affix):
                    todo.append(current[: -len(affix)])
                if current.startswith(affix):
                    todo.append(current[len(affix):])
    return {s.lower() for s in out}


def cone(targets: list[str], outlines: dict[str, list]) -> set[str]:
    """Relpaths of the modules to analyse so that the findings of ``targets`` come out as in a full run."""
    by_module: dict[str, str] = {o[0]: path for path, o in outlines.items()}

    def project_modules(names) -> set[str]:
        found = set()
        for name in names:
            parts = name.split(".")
            for i in range(len(parts), 0, -1):  # the module itself and the packages above it
                path = by_module.get(".".join(parts[:i]))
                if path is not None:
                    found.add(path)
        return found

    imports = {path: project_modules(o[1]) for path, o in outlines.items()}
    importers: dict[str, set[str]] = defaultdict(set)
    for path, deps in imports.items():
        for dep in deps:
            importers[dep].add(path)
    classes: dict[str, set[str]] = defaultdict(set)
    tables: dict[str, set[str]] = defaultdict(set)
    by_stem: dict[str, set[str]] = defaultdict(set)
    for path, o in outlines.items():
        for name in o[2]:
            classes[name].add(path)
        for table in o[3]:
            tables[table].add(path)
        for stem in o[4]:
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
    def unmatched(path: str, o: list) -> bool:
        return any(not set().union(*(by_stem.get(s, set()) for s in stem_list)) - {path}
                   for stem_list in o[7].values())

    loose = {path for path, o in outlines.items() if unmatched(path, o)}
    for target in targets:
        o = outlines.get(target)
        if o is None:
            continue
        # classes that can pair with the target's by name (a class of the same name among them), and
        # models of the same table (foreign keys take their type from a table's first model)
        for name in o[2]:
            seeds |= set().union(*(by_stem.get(s, set()) for s in stems(name)))
        for table in o[3]:
            seeds |= tables[table]
        fields = set(o[5])
        if target in loose:  # its loose schema may pair with any model sharing two field names
            seeds |= {p for p, other in outlines.items() if len(fields.intersection(other[5])) >= 2}
        else:  # its models may pair with a loose schema elsewhere
            seeds |= {p for p in loose if len(fields.intersection(outlines[p][5])) >= 2}
    # class and table names spelled in strings, by the targets and the modules found so far (a
    # paired model's foreign key takes its type from the table it names): relationship("Item"),
    # ForeignKey("items.id")
    for path in list(seeds):
        o = outlines.get(path)
        if o is None:
            continue
        for word in o[6]:
            seeds |= classes.get(word, set()) | tables.get(word, set())
    # everything those modules import, transitively
    closed, todo = set(), list(seeds)
    while todo:
        path = todo.pop()
        if path in closed:
            continue
        closed.add(path)
        todo.extend(imports.get(path, ()))
    return closed | reverse
