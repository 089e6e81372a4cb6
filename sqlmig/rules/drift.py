"""SQM101-SQM107: duplicated fields and the ways a schema drifts from its model."""

from __future__ import annotations

import ast

from sqlmig.ir import Column, Pair, SchemaField
from sqlmig.rules import Context, check
from sqlmig.types import family, union_families

JSONISH = frozenset({"JSON", "JSONB", "ARRAY", "PickleType"})


def _columns(ctx: Context, model: str) -> dict[str, Column]:
    info = ctx.models[model]
    cols = {c.attr: c for c in info.inherited_columns}
    cols.update({c.attr: c for c in info.model.columns})
    return cols


def _relationships(ctx: Context, model: str) -> set[str]:
    """Attributes that are not columns but still exist on instances: relationships, proxies, hybrids."""
    names: set[str] = set()
    for q in (model, *ctx.models[model].model.parents):
        if q in ctx.models:
            names |= {r.attr for r in ctx.models[q].model.relationships}
            names |= {s[1].name for s in ctx.models[q].specials}
    return names


def type_compatible(field: SchemaField, column: Column) -> bool | None:
    """True/False when both types are known, None when we cannot tell."""
    if column.type_name in JSONISH or column.custom_type:
        return None
    f_fam, c_fam = family(field.python_type), family(column.python_type)
    if c_fam is not None and f_fam is None:
        members = union_families(field.python_type)  # a union none of whose types is the column's differs
        return False if members is not None and c_fam not in members else None
    if f_fam is None or c_fam is None:
        return None
    return f_fam == c_fam


def _read_as(ctx: Context, f: SchemaField) -> str | None:
    """The attribute a field reads from an object: ``Field(validation_alias="metadata_")`` (or
    ``alias=``) reads ``obj.metadata_``."""
    entry = ctx.ix.classes.get(f.owner)
    attr = next((a for a in entry[0].attrs if a.name == f.name), None) if entry is not None else None
    value = attr.value if attr is not None else None
    if value is None or value.kind != "call" or not (ctx.ix.ref(value) or "").endswith(":Field"):
        return None
    alias = value.kw("validation_alias") or value.kw("alias")
    return alias.value if alias is not None and alias.kind == "str" else None


def _field_at(ctx: Context, f: SchemaField) -> tuple[str, int, int, str]:
    return ctx.path_of(f.owner), f.line, f.col, f"{f.owner}.{f.name}"


def _literal(text: str | None):
    if text is None:
        return None, False
    try:
        return ast.literal_eval(text), True
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None, False


def _flat(text: str) -> str:
    """An expression as written, on one line (a message is one line: ``Optional[\\n    str\\n]`` is
    ``Optional[str]``)."""
    if "\n" not in text:
        return text
    try:
        return ast.unparse(ast.parse(text.strip(), mode="eval"))
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return " ".join(text.split())


def drifts(f: SchemaField, c: Column, role: str) -> list[tuple[str, str]]:
    """Every (code, message) by which field ``f`` differs from column ``c`` in a pair of ``role``."""
    out: list[tuple[str, str]] = []
    where = f"column {c.owner.rsplit('.', 1)[-1]}.{c.attr}"
    compatible = type_compatible(f, c)
    if compatible is False:
        sql = _flat(c.sql_type or (c.type_name if c.type_name != "?" else ""))
        ann, py = _flat(f.annotation), _flat(c.python_type)
        out.append(("SQM102", f"`{f.name}: {ann}` but {where} is {sql} ({py})" if sql else
                    f"`{f.name}: {ann}` but {where} is {py} (its SQL type is not known statically)"))
    if role in ("read", "db") and not f.optional and c.nullable and not c.primary_key:
        out.append(("SQM103", f"`{f.name}` is required in a {role} schema but {where} is nullable"))
    if role == "create" and f.optional and not c.nullable and c.default is None and c.server_default is None \
            and not c.primary_key:
        out.append(("SQM103", f"`{f.name}` accepts None in a create schema but {where} is NOT NULL "
                              "without a default"))
    cons = dict(f.constraints)
    if c.length is not None and "max_length" in cons:
        length, ok = _literal(cons["max_length"])
        if ok and length != c.length:
            out.append(("SQM104", f"`{f.name}` has max_length={cons['max_length']} but {where} is "
                                  f"{c.type_name}({c.length})"))
    for key, col_value in (("max_digits", c.precision), ("decimal_places", c.scale)):
        if col_value is not None and key in cons:
            value, ok = _literal(cons[key])
            if ok and value != col_value:
                out.append(("SQM104", f"`{f.name}` has {key}={cons[key]} but {where} is "
                                      f"{c.type_name}({c.precision}, {c.scale})"))
    if f.default is not None and c.default is not None and role != "update":
        fd, ok1 = _literal(f.default)
        cd, ok2 = _literal(c.default)
        if ok1 and ok2 and fd is not None and fd != cd:
            out.append(("SQM105", f"`{f.name}` defaults to {_flat(f.default)} in the schema but to {_flat(c.default)} "
                                  f"in {where}"))
    return out


def _pair_findings(ctx: Context, pair: Pair) -> None:
    sinfo = ctx.schemas[pair.schema]
    columns = _columns(ctx, pair.model)
    relationships = _relationships(ctx, pair.model)
    model_name = pair.model.rsplit(".", 1)[-1]
    for f in sinfo.schema.fields:
        path, line, col, subject = _field_at(ctx, f)
        column = columns.get(f.name)
        if column is not None and column.owner == f.owner:
            continue  # one declaration: the model inherits the field from the schema (a SQLModel base)
        if column is None or f.name in sinfo.nested:  # a nested schema or model is no copy of a column
            if column is None and f.name not in relationships and not ctx.ix.maps_through_library(pair.model) and not (
                    f.alias and _read_as(ctx, f) in columns.keys() | relationships):
                # (a library's base class may declare the column: its columns are not known)
                ctx.emit("SQM106", path, line, col, subject,
                         f"`{f.name}` has no column in {model_name}; it stays on the schema")
            continue
        found = drifts(f, column, pair.role)
        for code, message in found:
            ctx.emit(code, path, line, col, subject, message)
        if not any(code == "SQM102" for code, _ in found):
            ctx.emit("SQM101", path, line, col, subject,
                     f"`{f.name}` duplicates column {model_name}.{column.attr}")


@check
def duplicated_and_drift(ctx: Context) -> None:
    for pair in ctx.pairs:
        _pair_findings(ctx, pair)


@check
def unpaired(ctx: Context) -> None:
    for q, info in ctx.models.items():
        if q not in ctx.by_model and info.model.style == "sqlalchemy":
            m = info.model
            ctx.emit("SQM107", m.path, m.line, m.col, q, f"model {q.rsplit('.', 1)[-1]} has no paired schema")
    bases_of_paired = {b for p in ctx.pairs for b in ctx.schemas[p.schema].schema.bases}
    subclassed = {b for s in ctx.schemas.values() for b in s.schema.bases}
    for q, info in ctx.schemas.items():
        if q in ctx.by_schema or q in bases_of_paired or q in subclassed:
            continue
        s = info.schema
        ctx.emit("SQM107", s.path, s.line, s.col, q, f"schema {q.rsplit('.', 1)[-1]} has no paired model")
