"""The migration report's content, built once from an analysis and rendered by the jinja2 templates
(``templates/report.md.j2`` and ``templates/report.html.j2``): verdict, security call-outs, modules,
model cards, blockers, data access and practice per module, and the diagram."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from sqlmig.analyze import Result
from sqlmig.ir import Finding
from sqlmig.rules.catalog import RULES

DRIFT = ("SQM102", "SQM103", "SQM104", "SQM105")
SECURITY = ("SQM307", "SQM308")
RAW_DRIVERS = ("psycopg2", "psycopg", "asyncpg", "pymysql", "MySQLdb", "sqlite3", "aiomysql", "aiosqlite",
               "cx_Oracle", "oracledb", "pyodbc")
CORE_REFS = frozenset(f"sqlalchemy:{n}" for n in ("text", "select", "insert", "update", "delete", "Table"))
# past this many models and schemas the diagram shows modules instead of classes
DIAGRAM_LIMIT = 60
# what to do about each blocker: keep the model on SQLAlchemy, or change it by hand first
PATHS = {"SQM201": "keep", "SQM202": "keep", "SQM203": "keep", "SQM204": "keep", "SQM205": "manual",
         "SQM206": "manual", "SQM207": "manual", "SQM219": "manual"}


@dataclass
class Field_:
    name: str
    type: str
    state: str  # duplicated | drifting | own | column
    note: str = ""


@dataclass
class Card:
    model: str
    module: str
    path: str
    line: int
    table: str | None
    blocked: list[str]
    columns: list[Field_]
    schemas: list[tuple[str, str, list[Field_]]]  # (schema, role, fields)


@dataclass
class Node:
    id: str
    label: str
    kind: str  # model | schema | module
    blocked: bool = False
    detail: str = ""


@dataclass
class Diagram:
    collapsed: bool
    nodes: list[Node] = field(default_factory=list)
    edges: list[tuple[str, str, str]] = field(default_factory=list)  # (from, to, kind: pair | rel | uses)


@dataclass
class Report:
    title: str
    verdict: str
    reasons: list[str]
    counts: dict[str, int]
    security: list[Finding]
    modules: list[dict]
    cards: list[Card]
    blockers: list[dict]
    access: list[dict]
    diagram: Diagram


def _short(q: str) -> str:
    return q.rsplit(".", 1)[-1]


def _node_id(q: str) -> str:
    return "n_" + re.sub(r"[^A-Za-z0-9_]", "_", q)


def _access(result: Result, findings: list[Finding]) -> list[dict]:
    """Per module: which levels of database access it uses, and its practice findings (SQM3xx)."""
    practice: dict[str, list[Finding]] = defaultdict(list)
    for f in findings:
        if f.code.startswith("SQM3"):
            practice[f.path].append(f)
    model_paths = {m.path for m in result.models}
    rows = []
    for facts in sorted(result.modules, key=lambda m: m.path):
        levels = []
        tops = {m.split(".", 1)[0] for m in facts.imported_modules}
        drivers = sorted(t for t in tops if t in RAW_DRIVERS)
        if drivers:
            levels.append(f"raw driver ({', '.join(drivers)})")
        imported = {b.target for b in facts.bindings if b.kind == "import" and b.target}
        if any(c.name == "text" for c in facts.calls) or imported & CORE_REFS:
            levels.append("Core (select/text)")
        if facts.path in model_paths or any(c.name in ("query", "execute", "exec", "scalars", "scalar")
                                            for c in facts.calls) or "sqlalchemy:Session" in imported \
                or "sqlalchemy:AsyncSession" in imported:
            levels.append("ORM")
        if levels or practice.get(facts.path):
            rows.append({"module": facts.module, "path": facts.path, "levels": levels,
                         "findings": sorted(practice.get(facts.path, []), key=lambda f: f.line)})
    return rows


def _cards(result: Result, findings: list[Finding]) -> list[Card]:
    dup = {f.subject for f in findings if f.code == "SQM101"}
    drift: dict[str, list[str]] = defaultdict(list)
    for f in findings:
        if f.code in DRIFT:
            drift[f.subject].append(f"{f.code} {f.message}")
    schemas = {s.qualname: s for s in result.schemas}
    by_model: dict[str, list] = defaultdict(list)
    for p in result.pairs:
        by_model[p.model].append(p)
    cards = []
    for m in sorted(result.models, key=lambda m: m.qualname):
        cols = [Field_(c.attr, c.sql_type or c.type_name, "column",
                       ", ".join(x for x in ("PK" if c.primary_key else "", f"FK {c.foreign_key}" if c.foreign_key
                                             else "", "NULL" if c.nullable else "NOT NULL") if x))
                for c in m.columns]
        paired = []
        for p in sorted(by_model.get(m.qualname, []), key=lambda p: p.schema):
            s = schemas.get(p.schema)
            if s is None:
                continue
            fields = []
            for f in s.fields:
                subject = f"{f.owner}.{f.name}"
                if subject in drift:
                    fields.append(Field_(f.name, f.annotation, "drifting", "; ".join(drift[subject])))
                elif subject in dup:
                    fields.append(Field_(f.name, f.annotation, "duplicated"))
                else:
                    fields.append(Field_(f.name, f.annotation, "own"))
            paired.append((p.schema, p.role, fields))
        cards.append(Card(m.qualname, m.module, m.path, m.line, m.table, result.blocked.get(m.qualname, []),
                          cols, paired))
    return cards


def _diagram(result: Result) -> Diagram:
    paired_schemas = {p.schema for p in result.pairs}
    n = len(result.models) + len(paired_schemas)
    if n <= DIAGRAM_LIMIT:
        d = Diagram(False)
        known = set()
        for m in sorted(result.models, key=lambda m: m.qualname):
            d.nodes.append(Node(_node_id(m.qualname), _short(m.qualname), "model", m.qualname in result.blocked,
                                ", ".join(result.blocked.get(m.qualname, []))))
            known.add(m.qualname)
        for s in sorted(paired_schemas):
            d.nodes.append(Node(_node_id(s), _short(s), "schema"))
        simple = defaultdict(list)
        for q in known:
            simple[_short(q)].append(q)
        seen = set()
        for m in sorted(result.models, key=lambda m: m.qualname):
            for r in m.relationships:
                target = r.target if r.target in known else (simple.get(_short(r.target or ""), [None])[0])
                if target and frozenset((m.qualname, target)) not in seen:  # both sides of back_populates
                    seen.add(frozenset((m.qualname, target)))
                    d.edges.append((_node_id(m.qualname), _node_id(target), "rel"))
        for p in sorted(result.pairs, key=lambda p: (p.model, p.schema)):
            d.edges.append((_node_id(p.model), _node_id(p.schema), "pair"))
        return d
    # too many classes to read: one node per module, edges counted
    d = Diagram(True)
    mod_of = {m.qualname: m.module for m in result.models}
    mod_of.update({s.qualname: s.module for s in result.schemas})
    blocked_per = defaultdict(int)
    models_per = defaultdict(int)
    schemas_per = defaultdict(int)
    for m in result.models:
        models_per[m.module] += 1
        if m.qualname in result.blocked:
            blocked_per[m.module] += 1
    for s in paired_schemas:
        schemas_per[mod_of[s]] += 1
    for mod in sorted(set(models_per) | set(schemas_per)):
        parts = []
        if models_per[mod]:
            parts.append(f"{models_per[mod]} models")
        if schemas_per[mod]:
            parts.append(f"{schemas_per[mod]} schemas")
        if blocked_per[mod]:
            parts.append(f"{blocked_per[mod]} blocked")
        d.nodes.append(Node(_node_id(mod), mod, "module", blocked_per[mod] > 0, ", ".join(parts)))
    edges = set()
    for p in result.pairs:
        a, b = mod_of.get(p.model), mod_of.get(p.schema)
        if a and b and a != b:
            edges.add((_node_id(a), _node_id(b), "pair"))
    simple = {_short(m.qualname): m.module for m in result.models}
    for m in result.models:
        for r in m.relationships:
            b = mod_of.get(r.target or "") or simple.get(_short(r.target or ""))
            if b and b != m.module and (_node_id(b), _node_id(m.module), "rel") not in edges:
                edges.add((_node_id(m.module), _node_id(b), "rel"))
    d.edges = sorted(edges)
    return d


def build(result: Result, findings: list[Finding], title: str) -> Report:
    repo = result.repo
    counts = defaultdict(int)
    for f in findings:
        counts[f.severity] += 1
    blockers = []
    for f in sorted(findings, key=lambda f: (f.path, f.line, f.code)):
        if f.severity != "blocker":
            continue
        rule = RULES.get(f.code)
        blockers.append({"finding": f, "why": rule.why if rule else "", "fix": rule.fix if rule else "",
                         "path": PATHS.get(f.code, "keep")})
    modules = [v for v in result.readiness if v.scope != "<repo>"]
    return Report(
        title=title,
        verdict=repo.verdict,
        reasons=list(repo.reasons),
        counts={"models": len(result.models), "schemas": len(result.schemas), "pairs": len(result.pairs),
                "blocked": len(result.blocked), **{k: counts[k] for k in ("blocker", "error", "warning", "info")}},
        security=[f for f in findings if f.code in SECURITY],
        modules=[{"module": v.scope, "verdict": v.verdict, "models": v.models, "blocked": v.blocked_models,
                  "schemas": v.schemas, "duplicated": v.duplicated_fields, "lines_removed": v.lines_removed,
                  "reasons": list(v.reasons)} for v in modules],
        cards=_cards(result, findings),
        blockers=blockers,
        access=_access(result, findings),
        diagram=_diagram(result),
    )
