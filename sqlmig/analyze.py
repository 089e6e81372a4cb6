"""Index the facts, build models and schemas, pair them, run the rules, decide readiness."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace

from sqlmig.build_models import ModelBuilder, ModelInfo
from sqlmig.build_schemas import SchemaBuilder, SchemaInfo
from sqlmig.index import Index
from sqlmig.ir import Finding, Model, ModuleFacts, Pair, Schema, Verdict
from sqlmig.pairing import pair
from sqlmig.rules import Context, run_rules
from sqlmig.rules.catalog import RULES, severity_rank

@dataclass
class Result:
    modules: list[ModuleFacts]
    models: list[Model]
    schemas: list[Schema]
    pairs: list[Pair]
    findings: list[Finding]
    readiness: list[Verdict]  # per module, then the repo as the last entry
    blocked: dict[str, list[str]] = field(default_factory=dict)  # model -> blocker codes
    model_info: dict[str, ModelInfo] = field(default_factory=dict)
    schema_info: dict[str, SchemaInfo] = field(default_factory=dict)
    unused_ignores: list[Finding] = field(default_factory=list)
    index: Index | None = None  # the project index the analysis resolved names with

    @property
    def repo(self) -> Verdict:
        return self.readiness[-1]


def fill_foreign_key_types(models: dict[str, ModelInfo]) -> None:
    """``Column(ForeignKey("users.id"))`` and ``mapped_column(ForeignKey("users.id"))`` without a type take
    the referenced column's type, as SQLAlchemy does (before the ``Mapped[]`` annotation, in 2.0 and 2.1);
    a chain of such columns is followed to the first one with a type. A model whose table name is not
    known statically is nothing a foreign key can point at by name."""
    changed = True
    while changed:
        changed = False
        by_table = {}
        for info in models.values():
            if info.model.table is None:
                continue
            for c in (*info.model.columns, *info.inherited_columns):
                by_table.setdefault((info.model.table, c.name), c)
        for info in models.values():
            cols = list(info.model.columns)
            filled = False
            for i, c in enumerate(cols):
                if c.type_name == "?" and c.foreign_key and "." in c.foreign_key:
                    table, _, column = c.foreign_key.rpartition(".")
                    target = by_table.get((table.rsplit(".", 1)[-1], column))
                    if target is not None and target.type_name != "?":
                        cols[i] = replace(c, type_name=target.type_name, sql_type=target.sql_type,
                                          python_type=target.python_type if c.python_type in ("", "Any")
                                          else c.python_type, length=target.length, precision=target.precision,
                                          scale=target.scale, timezone=target.timezone,
                                          custom_type=target.custom_type)
                        filled = True
            if filled:
                info.model = replace(info.model, columns=tuple(cols))
                changed = True


def _suppressed(f: Finding, by_path: dict[str, ModuleFacts], used: set[tuple[str, int, str]]) -> bool:
    facts = by_path.get(f.path)
    if facts is None:
        return False
    if facts.ignore_file:
        return True
    for line, codes in facts.ignores:
        if line == f.line and ("*" in codes or f.code in codes):
            used.add((f.path, line, f.code if f.code in codes else "*"))
            return True
    return False


def unused_ignores(modules: list[ModuleFacts], used: set[tuple[str, int, str]]) -> list[Finding]:
    """SQM003 for every code of a ``# sqlmig: ignore[...]`` comment that suppressed nothing."""
    rule = RULES["SQM003"]
    out = []
    for m in modules:
        for line, codes in m.ignores:
            idle = [c for c in codes if (m.path, line, c) not in used]
            if idle:
                what = "ignore" if idle == ["*"] else f"ignore[{', '.join(idle)}]"
                out.append(Finding("SQM003", rule.name, rule.severity, m.path, line, 0,
                                   f"unused suppression: {what}", m.module, rule.fix))
    return out


def analyze(modules: list[ModuleFacts]) -> Result:
    ix = Index([m for m in modules if m.error is None])
    mb, sb = ModelBuilder(ix), SchemaBuilder(ix)
    models = {q: mb.build(q) for q in sorted(ix.mapped)}
    fill_foreign_key_types(models)
    schemas = {q: sb.build(q) for q in sorted(ix.classes) if ix.is_schema(q)}
    pairs = pair(ix, models, schemas)
    ctx = run_rules(Context(ix, models, schemas, pairs))
    by_path = {m.path: m for m in modules}
    findings: list[Finding] = []
    blocked: dict[str, list[str]] = defaultdict(list)
    used: set[tuple[str, int, str]] = set()
    for i, f in enumerate(ctx.findings):
        if _suppressed(f, by_path, used):
            continue
        findings.append(f)
        for model in ctx.blocks.get(i, ()):
            blocked[model].append(f.code)
    for m in modules:
        if m.error is not None:
            code, message, line, col = m.error
            rule = RULES[code]
            findings.append(Finding(code, rule.name, rule.severity, m.path, line, col, message, m.module, rule.fix))
    findings.sort(key=lambda f: (f.path, f.line, f.col, f.code, f.subject))
    result = Result(
        modules=modules,
        models=[i.model for i in models.values()],
        schemas=[i.schema for i in schemas.values()],
        pairs=sorted(pairs, key=lambda p: (p.model, p.schema)),
        findings=findings,
        readiness=[],
        blocked={k: sorted(set(v)) for k, v in blocked.items()},
        model_info=models,
        schema_info=schemas,
        unused_ignores=unused_ignores(modules, used),
        index=ix,
    )
    result.readiness = readiness(result)
    return result


def _lines_removed(findings: list[Finding]) -> dict[str, int]:
    """Per path: duplicated schema fields that move without an override (one line each)."""
    drifting = {f.subject for f in findings if f.code in ("SQM102", "SQM103", "SQM104", "SQM105")}
    out: dict[str, int] = defaultdict(int)
    for f in findings:
        if f.code == "SQM101" and f.subject not in drifting:
            out[f.path] += 1
    return out


def _verdict(total: int, blocked: int) -> str:
    if total == 0 or blocked == 0:
        return "migrate"
    if blocked == total or blocked * 2 > total:
        return "keep"
    return "partial"


def readiness(result: Result) -> list[Verdict]:
    """A verdict per module that holds models or paired schemas, then one for the repo.

    Every count is of the models a migration would move, the SQLAlchemy ones, in module rows and
    the repo row alike; models already on SQLModel are only named in the reasons (a project that
    ``rewrite`` migrated has nothing left to move: ``keep``)."""
    model_paths = {m.qualname: m.path for m in result.models}
    done = {m.qualname for m in result.models if m.style != "sqlalchemy"}
    per_path_models: dict[str, set[str]] = defaultdict(set)
    per_path_done: dict[str, set[str]] = defaultdict(set)
    per_path_schemas: dict[str, set[str]] = defaultdict(set)
    per_path_pairs: dict[str, int] = defaultdict(int)
    for m in result.models:
        (per_path_done if m.qualname in done else per_path_models)[m.path].add(m.qualname)
    schema_paths = {s.qualname: s.path for s in result.schemas}
    for p in result.pairs:
        path = schema_paths[p.schema]
        (per_path_done if p.model in done else per_path_models)[path].add(p.model)
        per_path_schemas[path].add(p.schema)
        per_path_pairs[path] += 1
    dup: dict[str, int] = defaultdict(int)
    for f in result.findings:
        if f.code == "SQM101":
            dup[f.path] += 1
    removed = _lines_removed(result.findings)
    module_of = {m.path: m.module for m in result.modules}
    verdicts = []
    for path in sorted(per_path_models.keys() | per_path_done.keys()):
        involved = per_path_models[path]
        blocked = {q for q in involved if q in result.blocked}
        if involved:
            v = _verdict(len(involved), len(blocked))
            reasons = [f"{len(involved) - len(blocked)} of {len(involved)} models can move"]
        else:
            v, reasons = "keep", []
        for q in sorted(blocked):
            reasons.append(f"{q.rsplit('.', 1)[-1]} blocked by {', '.join(result.blocked[q])}"
                           + ("" if model_paths.get(q) == path else f" ({model_paths.get(q)})"))
        if per_path_done[path]:
            reasons.append(_already(len(per_path_done[path]), nothing_else=not involved))
        verdicts.append(Verdict(module_of.get(path, path), v, tuple(reasons), models=len(involved),
                                blocked_models=len(blocked), schemas=len(per_path_schemas[path]),
                                pairs=per_path_pairs[path], duplicated_fields=dup[path],
                                lines_removed=removed[path]))
    sa_models = [m for m in result.models if m.style == "sqlalchemy"]
    blocked = [m for m in sa_models if m.qualname in result.blocked]
    total_dup = sum(dup.values())
    v = _verdict(len(sa_models), len(blocked))
    reasons = []
    if not sa_models:
        v = "keep"
        reasons.append(_already(len(done), nothing_else=True) if done else "no SQLAlchemy models found")
    else:
        reasons.append(f"{len(sa_models) - len(blocked)} of {len(sa_models)} models have no blocker")
        if blocked:
            counts: dict[str, int] = defaultdict(int)
            for m in blocked:
                for code in result.blocked[m.qualname]:
                    counts[code] += 1
            reasons.append("blockers: " + ", ".join(f"{c} x{n}" for c, n in sorted(counts.items())))
        if total_dup == 0 and v != "keep":
            v = "keep"
            reasons.append("no schema duplicates a model: a migration removes nothing")
        else:
            reasons.append(f"{total_dup} duplicated fields across {len(result.pairs)} model/schema pairs")
        if done:
            reasons.append(_already(len(done), nothing_else=False))
    verdicts.append(Verdict("<repo>", v, tuple(reasons), models=len(sa_models), blocked_models=len(blocked),
                            schemas=len(result.schemas), pairs=len(result.pairs), duplicated_fields=total_dup,
                            lines_removed=sum(removed.values())))
    return verdicts


def _already(count: int, nothing_else: bool) -> str:
    """The reason naming models that are SQLModel tables already (not counted: nothing to move)."""
    what = f"{count} model{'s are' if count > 1 else ' is'} already on SQLModel"
    return f"{what}: nothing left to migrate" if nothing_else else what


def at_or_above(findings: list[Finding], severity: str) -> list[Finding]:
    rank = severity_rank(severity)
    return [f for f in findings if severity_rank(f.severity) >= rank]


def scoped(result: Result, paths: set[str]) -> Result:
    """The part of a result about some files: what ``check FILES`` reports.

    Their models and schemas, the pairs they take part in (with the classes on the other side),
    their findings, their modules' verdicts, and one verdict for the files together in place of
    the repo's.
    """
    own_models = {m.qualname for m in result.models if m.path in paths}
    own_schemas = {s.qualname for s in result.schemas if s.path in paths}
    pairs = [p for p in result.pairs if p.schema in own_schemas or p.model in own_models]
    models = {p.model for p in pairs} | own_models
    schemas = {p.schema for p in pairs} | own_schemas
    part = Result(
        modules=[m for m in result.modules if m.path in paths],
        models=[m for m in result.models if m.qualname in models],
        schemas=[s for s in result.schemas if s.qualname in schemas],
        pairs=pairs,
        findings=[f for f in result.findings if f.path in paths],
        readiness=[],
        blocked=result.blocked,
        unused_ignores=[f for f in result.unused_ignores if f.path in paths],
    )
    own = replace(part, models=[m for m in part.models if m.path in paths],
                  schemas=[s for s in part.schemas if s.path in paths],
                  pairs=[p for p in pairs if p.schema in own_schemas])
    modules = {m.module for m in part.modules}
    part.readiness = [v for v in result.readiness[:-1] if v.scope in modules] + \
        [replace(readiness(own)[-1], scope="<files>")]
    return part
