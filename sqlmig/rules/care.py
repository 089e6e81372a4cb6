"""SQM208-SQM218: what the rewrite can handle, with care."""

from __future__ import annotations

from sqlmig.ir import Expr
from sqlmig.rules import Context, check

METADATA_KWARGS = ("naming_convention", "schema")


@check
def custom_types_renames_mixins(ctx: Context) -> None:
    tables = {mi.model.table for mi in ctx.models.values()} - {None}
    for q, info in ctx.models.items():
        m = info.model
        if m.style != "sqlalchemy":
            continue
        for c in m.columns:
            path = ctx.path_of(c.owner)
            if c.custom_type:
                ctx.emit("SQM208", path, c.line, c.col, f"{c.owner}.{c.attr}",
                         f"{c.attr} uses the custom type {c.custom_type.rsplit('.', 1)[-1]}")
            if c.name != c.attr:
                ctx.emit("SQM215", path, c.line, c.col, f"{c.owner}.{c.attr}",
                         f"attribute {c.attr} maps the column \"{c.name}\"")
        sources = sorted({c.owner for c in m.columns if c.owner != q})
        declared = sorted({attr for attr, _ in info.declared_attrs})
        if sources or declared:
            parts = []
            if sources:
                parts.append("columns from " + ", ".join(s.rsplit(".", 1)[-1] for s in sources))
            if declared:
                parts.append("declared_attr " + ", ".join(declared))
            ctx.emit("SQM209", m.path, m.line, m.col, q, f"{q.rsplit('.', 1)[-1]} gets {'; '.join(parts)}")
        for method in info.validates:
            ctx.emit("SQM219", m.path, method.line, method.col, f"{q}.{method.name}",
                     f"@validates method {method.name} on {q.rsplit('.', 1)[-1]}: SQLModel would drop its result",
                     blocks=q)
        for rel in m.relationships:
            if rel.secondary is None:
                continue
            binding = ctx.ix.binding_of(rel.secondary) if "." in rel.secondary else None
            imperative = (binding is not None and binding.value is not None
                          and binding.value.kind == "call" and binding.value.last == "Table")
            if imperative or (binding is None and rel.secondary not in tables and "." not in rel.secondary):
                ctx.emit("SQM210", ctx.path_of(rel.owner), rel.line, rel.col, f"{rel.owner}.{rel.attr}",
                         f"relationship {rel.attr} uses the Table {rel.secondary.rsplit('.', 1)[-1]} as secondary")
        if info.table_args is not None and info.table_args.kind in ("dict", "tuple"):
            for e in info.table_args.walk():
                if e.kind == "dict" and e.kw("schema") is not None:
                    ctx.emit("SQM213", m.path, m.line, m.col, q,
                             f"{q.rsplit('.', 1)[-1]} sets a table schema ({e.kw('schema').text})")


def _metadata_calls(expr: Expr | None) -> list[Expr]:
    if expr is None:
        return []
    return [e for e in expr.walk() if e.kind == "call" and e.ref == "sqlalchemy:MetaData"]


@check
def metadata_and_bases(ctx: Context) -> None:
    if not ctx.models:
        return
    for facts in ctx.ix.modules.values():
        if facts.module in ctx.ix.revisions:
            continue  # a revision's snapshot models and their MetaData are history; the rewrite leaves them
        places = [(b, f"{facts.module}.{b.name}") for b in facts.bindings]
        places += [(a, f"{cls.qualname}.{a.name}") for cls in facts.classes for a in cls.attrs]
        for where, subject in places:
            for call in _metadata_calls(where.value):
                used = [k for k in METADATA_KWARGS if call.kw(k) is not None]
                if used:
                    ctx.emit("SQM213", facts.path, where.line, where.col, subject,
                             f"MetaData with {', '.join(used)}")
    used_bases = {info.model.base for info in ctx.models.values() if info.model.style == "sqlalchemy"}
    by_root: dict[str, dict[str, int]] = {}  # the services of a monorepo each have a base of their own
    for q, line in ctx.ix.declarative_bases.items():
        if q in used_bases:
            facts = ctx.ix.modules.get(q.rsplit(".", 1)[0])
            by_root.setdefault(facts.package_root if facts else "", {})[q] = line
    for bases in by_root.values():
        if len(bases) < 2:
            continue
        names = ", ".join(sorted(q.rsplit(".", 1)[-1] for q in bases))
        for q, line in bases.items():
            facts = ctx.ix.modules.get(q.rsplit(".", 1)[0])
            ctx.emit("SQM214", facts.path if facts else "", line, 0, q, f"{len(bases)} declarative bases: {names}")
    for q, (cls, facts) in ctx.ix.classes.items():
        if any(ctx.ix.resolve(b.ref) == "sqlalchemy:MappedAsDataclass" for b in cls.bases):
            ctx.emit("SQM211", facts.path, cls.line, cls.col, q, f"{cls.name} mixes in MappedAsDataclass")


@check
def events(ctx: Context) -> None:
    for facts in ctx.ix.modules.values():
        for call in facts.calls:
            if call.name not in ("listen", "listens_for") or not call.args:
                continue
            target = call.args[0]
            ref = ctx.ix.resolve(target.ref) if target.ref else None
            owner = ref if ref in ctx.models else (ref.rsplit(".", 1)[0] if ref else None)
            if owner in ctx.models:
                ctx.emit("SQM212", facts.path, call.line, call.col, call.scope,
                         f"event listener on {target.text}")


@check
def schema_care(ctx: Context) -> None:
    for q, info in ctx.schemas.items():
        s = info.schema
        if info.v1_reasons:
            ctx.emit("SQM217", s.path, s.line, s.col, q,
                     f"{q.rsplit('.', 1)[-1]} uses the Pydantic v1 API ({', '.join(dict.fromkeys(info.v1_reasons))})")
        if q in ctx.by_schema and info.serialisation:
            ctx.emit("SQM218", s.path, s.line, s.col, q,
                     f"{q.rsplit('.', 1)[-1]} customises serialisation ({', '.join(info.serialisation)})")
    for pair in ctx.pairs:
        schema = ctx.schemas[pair.schema].schema
        shared = set(pair.shared_fields)
        for method, line, col, names in schema.validators:
            hit = sorted(shared & set(names)) if "*" not in names else sorted(shared)
            if hit:
                owner = method.rsplit(".", 1)[0]
                ctx.emit("SQM216", ctx.path_of(owner), line, col, method,
                         f"validator {method.rsplit('.', 1)[-1]} checks {', '.join(hit)}, shared with "
                         f"{pair.model.rsplit('.', 1)[-1]}")
