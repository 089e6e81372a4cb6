"""SQM201-SQM207: what keeps a model on SQLAlchemy (the rewrite leaves such a model untouched)."""

from __future__ import annotations

from sqlmig.ir import Expr
from sqlmig.rules import Context, check

SPECIAL_CODES = {
    "association_proxy": "SQM206",
    "hybrid_property": "SQM207",
    "hybrid_method": "SQM207",
    "column_property": "SQM207",
    "synonym": "SQM207",
    "composite": "SQM207",
    "query_expression": "SQM207",
}


def constraint_calls(ctx: Context, table_args: Expr | None, name: str) -> list[Expr]:
    """Calls of ``name`` (``ForeignKeyConstraint`` ...) inside ``__table_args__``."""
    if table_args is None:
        return []
    return [e for e in table_args.walk() if e.kind == "call" and (e.last == name)]


def _columns_of(call: Expr) -> list[Expr]:
    first = call.args[0] if call.args else None
    if first is not None and first.kind in ("list", "tuple"):
        return list(first.args)
    return [a for a in call.args if a.kind in ("str", "attr", "name")]


@check
def blockers(ctx: Context) -> None:
    for q, info in ctx.models.items():
        m = info.model
        if m.style != "sqlalchemy":
            continue
        short = q.rsplit(".", 1)[-1]
        args = info.mapper_args
        if args is not None and args.kind == "dict":
            keys = [k for k in ("polymorphic_on", "polymorphic_identity") if args.kw(k) is not None]
            if keys:
                ctx.emit("SQM201", m.path, m.line, m.col, q,
                         f"{short} is polymorphic ({', '.join(keys)})", blocks=q)
        if m.parents:
            ctx.emit("SQM202", m.path, m.line, m.col, q,
                     f"{short} inherits the mapped class {m.parents[0].rsplit('.', 1)[-1]}", blocks=q)
        pks = [c.attr for c in m.columns if c.primary_key]
        pk_constraints = [c for c in constraint_calls(ctx, info.table_args, "PrimaryKeyConstraint")
                          if len(_columns_of(c)) > 1]
        if len(pks) > 1 or pk_constraints:
            cols = pks if len(pks) > 1 else [e.value or e.text for e in _columns_of(pk_constraints[0])]
            ctx.emit("SQM203", m.path, m.line, m.col, q,
                     f"{short} has a composite primary key ({', '.join(map(str, cols))})", blocks=q)
        for fkc in constraint_calls(ctx, info.table_args, "ForeignKeyConstraint"):
            cols = _columns_of(fkc)
            if len(cols) > 1:
                names = ", ".join(str(e.value if e.kind == "str" else e.text) for e in cols)
                ctx.emit("SQM204", m.path, m.line, m.col, q,
                         f"{short} has a composite foreign key ({names})", blocks=q)
                break
        for rel in m.relationships:
            if rel.custom_join:
                ctx.emit("SQM205", ctx.path_of(rel.owner), rel.line, rel.col, f"{rel.owner}.{rel.attr}",
                         f"relationship {rel.attr} uses {', '.join(rel.custom_join)}", blocks=q)
        for kind, where, owner in info.specials:
            code = SPECIAL_CODES[kind]
            ctx.emit(code, ctx.path_of(owner), where.line, where.col, f"{owner}.{where.name}",
                     f"{where.name} is a {kind}", blocks=q)
