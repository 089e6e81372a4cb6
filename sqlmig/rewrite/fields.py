"""Render one SQLAlchemy column or relationship as a SQLModel ``Field`` / ``Relationship`` declaration.

The rendering is exact: the column SQLModel builds from the declaration has the same type, nullability,
keys, defaults and options as the original. Native ``Field`` arguments are used where SQLModel expresses
the column exactly; ``sa_type``, ``sa_column_kwargs`` and ``sa_column_args`` carry the rest. What cannot be
expressed raises ``Unsupported`` and the model stays on SQLAlchemy.

The declaration must be exact under every SQLAlchemy 2.x the project may run. Where the original's type
depends on the version, no single SQLModel declaration reproduces it and the model stays: ``Mapped[float]``
without a type is ``Float`` in 2.0 and ``Double`` in 2.1 (SQLModel always builds ``Float``). Where the versions
agree, the type is written out even if SQLModel would infer another: a column with a ``ForeignKey`` and no
type takes the referenced column's type ahead of its annotation in 2.0 and 2.1 alike, so it gets that type
(``max_length=8``, ``sa_type=BigInteger``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmig.build_models import NOT_TYPES, ModelBuilder
from sqlmig.index import Index
from sqlmig.ir import Attr, Column, Expr, Relationship
from sqlmig.rewrite.names import imported
from sqlmig.types import PY_TO_SQL, split_optional


class Unsupported(Exception):
    """A construct the rewrite cannot express exactly in SQLModel."""


# Column/mapped_column keywords that go unchanged into ``sa_column_kwargs``
SA_COLUMN_KWARGS = ("name", "server_default", "server_onupdate", "onupdate", "comment", "autoincrement",
                    "doc", "info", "quote", "system", "sort_order", "insert_default")
NATIVE = ("primary_key", "nullable", "index", "unique", "default", "type_")
# how SQLModel infers the SQL type from the Python annotation, where it agrees with SQLAlchemy exactly
SIMPLE_TYPES = {"int": ("Integer",), "str": ("String",), "bool": ("Boolean",), "float": ("Float",),
                "date": ("Date",), "bytes": ("LargeBinary",), "time": ("Time",), "timedelta": ("Interval",),
                "Decimal": ("Numeric",)}
PY_IMPORTS = {"datetime": ("datetime", "datetime"), "date": ("datetime", "date"), "time": ("datetime", "time"),
              "timedelta": ("datetime", "timedelta"), "Decimal": ("decimal", "Decimal"), "UUID": ("uuid", "UUID"),
              "Any": ("typing", "Any")}
BUILTIN_TYPES = {"int", "str", "bool", "float", "bytes", "dict", "list"}


@dataclass
class Decl:
    """One rendered class-body declaration: ``name: annotation = value``.

    The names the rewrite adds are placeholders (``names.imported``), spelled once the module's edits are
    done; ``imports`` are those that text copied from another module needs under its own names.
    """

    name: str
    annotation: str
    value: str | None
    imports: set[tuple[str, str]] = field(default_factory=set)  # (module, name) the copied text needs

    def code(self) -> str:
        return f"{self.name}: {self.annotation}" + (f" = {self.value}" if self.value is not None else "")


@dataclass
class ColumnSpec:
    """A column's pieces as written, merged from an ``Annotated`` alias and the attribute's own call."""

    column: Column
    annotation: str  # the Python annotation for the field
    optional_annotation: bool
    base_type: str  # python type of the annotation without Optional
    type_text: str | None  # SQL type expression as written (None: inferred from the annotation)
    type_expr: Expr | None
    kwargs: dict[str, Expr]
    extra_args: list[str]  # positional Identity/Computed/Sequence/constraints/ForeignKey(...) as written
    fk_native: bool  # foreign key expressible as foreign_key=/ondelete=
    fk_text: str | None = None
    ondelete_text: str | None = None
    carried: Expr | None = None  # the mapped_column() of an Annotated alias
    carried_module: str | None = None  # where that alias is defined
    union: bool = True  # the project's Python reads ``X | None`` (``pyversion``); else ``Optional[X]``


# (table, column name) -> the attribute and column facts that declare it, for foreign key targets
Targets = dict[tuple[str, str], tuple[Attr, Column]]


def column_targets(ix: Index, models) -> Targets:
    """Every model column by (table, database name), with the class-body attribute that declares it."""
    out: Targets = {}
    for info in models:
        m = info.model
        for c in m.columns:
            owner = ix.classes.get(c.owner)
            attr = next((a for a in owner[0].attrs if a.name == c.attr), None) if owner is not None else None
            if m.table and attr is not None:
                out.setdefault((m.table, c.name), (attr, c))
    return out


def optional_of(annotation: str, union: bool) -> str:
    """``X | None`` where the project's Python reads it (3.10+), ``Optional[X]`` otherwise."""
    return f"{annotation} | None" if union else f"{imported('typing', 'Optional')}[{annotation}]"


def column_spec(ix: Index, attr: Attr, col: Column, targets: Targets | None = None,
                _seen: frozenset[tuple[str, str]] = frozenset(), union: bool = True) -> ColumnSpec:
    """The column's pieces. A column with a ``ForeignKey`` and no type gets the type of the referenced column
    (``targets``), as SQLAlchemy gives it; Unsupported when that type cannot be known or restated.
    ``union``: whether an optional annotation the rewrite writes may be ``X | None``."""
    value, ann = attr.value, attr.annotation
    call = value if value is not None and value.kind == "call" else None
    mapped = ann is not None and ann.kind == "subscript" and ann.ref == "sqlalchemy:Mapped" and bool(ann.args)
    if ann is not None and not mapped and ann.kind == "str":
        raise Unsupported(f"string annotation {ann.text} on column {attr.name}")
    carried = None
    carried_module = None
    ann_text = None
    if mapped:
        _, _, carried = ModelBuilder(ix)._annotation(ann.args[0])
        inner = ann.args[0]
        plain = inner
        while True:
            base, _ = split_optional(plain)
            if base is plain:
                break
            plain = base
        is_alias = plain.kind in ("name", "attr") and ix.binding_of(ix.ref(plain)) is not None and \
            ix.binding_of(ix.ref(plain)).kind in ("assign", "alias")
        if inner.kind == "str":
            raise Unsupported(f"string annotation {inner.text} on column {attr.name}")
        if not is_alias and not (plain.kind == "subscript" and plain.ref == "typing:Annotated"):
            ann_text = inner.text  # the annotation as written: Optional[str], dict[str, Any], MyEnum
        if carried is not None and is_alias:
            ref = ix.ref(plain)
            carried_module = ref.rsplit(".", 1)[0] if ref and "." in ref else None
    if call is not None and ix.ref(call) == "sqlalchemy:deferred":
        raise Unsupported(f"deferred() column {attr.name}")
    if call is not None and ix.ref(call) == "typing:cast":
        raise Unsupported(f"cast() around column {attr.name}")
    kwargs: dict[str, Expr] = {}
    positional: list[Expr] = []
    for source in (carried, call):
        if source is None:
            continue
        for k, v in source.kwargs:
            if k.startswith("*"):
                raise Unsupported(f"**kwargs in column {attr.name}")
            kwargs[k] = v
        positional.extend(a for a in source.args if not (a.kind == "const" and a.value is None))  # no type
    if positional and positional[0].kind == "str":
        if "name" not in kwargs:
            kwargs["name"] = positional[0]
        positional = positional[1:]
    name_kw = kwargs.get("name")
    if name_kw is not None and name_kw.kind == "str" and name_kw.value == attr.name:
        del kwargs["name"]
    type_expr = kwargs.get("type_")
    extra: list[str] = []
    fk_native = False
    fk_text = ondelete_text = None
    for arg in positional:
        ref = ix.ref(arg)
        if arg.kind == "call" and ref == "sqlalchemy:ForeignKey":
            target = arg.args[0] if arg.args else arg.kw("column")
            other = [k for k, _ in arg.kwargs if k not in ("ondelete", "column")]
            ondelete = arg.kw("ondelete")
            if target is not None and target.kind == "str" and not other and len(arg.args) <= 1 and (
                    ondelete is None or ondelete.kind == "str"):
                fk_native = True
                fk_text = target.text
                ondelete_text = ondelete.text if ondelete is not None else None
            else:
                extra.append(arg.text)
        elif type_expr is None and arg.last not in NOT_TYPES:
            type_expr = arg
        else:
            extra.append(arg.text)
    for key in kwargs:
        if key not in SA_COLUMN_KWARGS and key not in NATIVE:
            raise Unsupported(f"column option {key}= on {attr.name} has no SQLModel equivalent")
    has_fk = any(a.kind == "call" and ix.ref(a) == "sqlalchemy:ForeignKey" for a in positional)
    if type_expr is None and has_fk:
        type_expr = _foreign_key_type(ix, attr, col, targets or {}, _seen, union)
    elif type_expr is None and col.custom_type is None and col.python_type == "float":
        raise Unsupported(VERSION_FLOAT.format(attr=attr.name))
    if col.custom_type is None and col.python_type in ("Any", "") and type_expr is None:
        raise Unsupported(f"unknown type of column {attr.name}")
    base_type = col.python_type if col.python_type and col.python_type.isidentifier() else "Any"
    module = col.owner.rsplit(".", 1)[0]
    local_class = base_type in ix.bindings.get(module, {})  # an Enum of the project, imported or defined here
    if col.custom_type is not None or base_type not in PY_IMPORTS and base_type not in BUILTIN_TYPES:
        if ann_text is None and not (local_class and col.custom_type is None):
            base_type = "Any"
    optional = col.nullable and not col.primary_key
    if ann_text is not None:
        annotation = ann_text
        optional_ann = split_optional(ann.args[0])[1]
    else:
        typ = imported(*PY_IMPORTS[base_type]) if base_type in PY_IMPORTS else base_type
        annotation = optional_of(typ, union) if optional else typ
        optional_ann = optional
    return ColumnSpec(col, annotation, optional_ann, base_type, type_expr.text if type_expr is not None else None,
                      type_expr, kwargs, extra, fk_native, fk_text, ondelete_text, carried, carried_module, union)


# the one annotation SQLAlchemy maps differently across 2.x: float is Float in 2.0, Double in 2.1
VERSION_FLOAT = ("column {attr}: Mapped[float] without a SQL type is Float in SQLAlchemy 2.0 and Double in 2.1 "
                 "(SQLModel: Float); give it the type")


def _foreign_key_type(ix: Index, attr: Attr, col: Column, targets: Targets,
                      seen: frozenset[tuple[str, str]], union: bool = True) -> Expr:
    """The type a column with a ``ForeignKey`` and no type of its own gets: the referenced column's, in every
    SQLAlchemy 2.x, whatever the ``Mapped[]`` annotation says. Returned as a ``sqlalchemy`` type expression
    that reads the same in any module (``String(8)``, ``BigInteger``); Unsupported when the target is not a
    column of the project, when its own type is unknown or version-dependent (``Mapped[float]``), or
    not a plain SQLAlchemy type with constant arguments."""
    fk = col.foreign_key or ""
    table, _, column = fk.rpartition(".")
    key = (table.rsplit(".", 1)[-1], column)
    where = f"foreign key column {attr.name} takes its type from {fk}"
    hit = targets.get(key)
    if key in seen:
        raise Unsupported(f"{where}, a cycle of foreign keys without a type")
    if not table or hit is None:
        raise Unsupported(f"{where}, which is not a column of the project's models")
    t_attr, t_col = hit
    try:
        spec = column_spec(ix, t_attr, t_col, targets, seen | {key}, union)
    except Unsupported as exc:
        raise Unsupported(f"{where}, whose type is unknown: {exc}") from None
    if spec.type_expr is not None:
        expr = spec.type_expr
    elif t_col.custom_type is None and spec.base_type in PY_TO_SQL:
        name = PY_TO_SQL[spec.base_type]  # what SQLAlchemy infers from the target's annotation
        expr = Expr("name", name, f"sqlalchemy:{name}")
    else:
        raise Unsupported(f"{where}, whose type is unknown")
    ref = ix.ref(expr) or ""
    if not ref.startswith("sqlalchemy:") or t_col.custom_type or expr.kind not in ("name", "attr", "call") or not (
            all(is_constant(a) for a in expr.args)
            and all(is_constant(v) and not k.startswith("*") for k, v in expr.kwargs)):
        raise Unsupported(f"{where}, whose type {expr.text} the rewrite cannot restate")
    name = imported("sqlalchemy", ref.split(":", 1)[1])  # spelled as this module needs it (names.Namer)
    if expr.kind != "call":
        return Expr("name", name, ref)
    inner = [a.text for a in expr.args] + [f"{k}={v.text}" for k, v in expr.kwargs]
    return Expr("call", f"{name}({', '.join(inner)})", ref, expr.args, expr.kwargs)


def _type_args(expr: Expr) -> list[Expr] | None:
    """Positional int arguments of a type call (``String(60)``), None when it has anything else."""
    if expr.kind in ("name", "attr"):
        return []
    if expr.kind == "call" and not expr.kwargs and all(
            a.kind == "const" and isinstance(a.value, int) and not isinstance(a.value, bool) for a in expr.args):
        return list(expr.args)
    return None


def native_type(spec: ColumnSpec, ix: Index) -> tuple[dict[str, str], bool]:
    """(native Field arguments for the type, whether ``sa_type`` is needed instead)."""
    col = spec.column
    if spec.type_expr is None:
        # inferred by SQLAlchemy from the annotation: SQLModel agrees except for datetime (timezone)
        if col.type_name == "Enum":
            return {}, False  # both build Enum(TheEnum) from the annotation
        if col.type_name in ("DateTime",) or spec.base_type not in SIMPLE_TYPES and spec.base_type != "UUID":
            return {}, True
        return {}, False
    ref = ix.ref(spec.type_expr) or ""
    name = ref.split(":", 1)[1] if ref.startswith("sqlalchemy:") else None
    args = _type_args(spec.type_expr)
    if name is None or args is None or spec.column.custom_type:
        return {}, True
    wanted = SIMPLE_TYPES.get(spec.base_type, ())
    if name not in wanted:
        return {}, True
    if name == "String":
        if len(args) == 1:
            return {"max_length": args[0].text}, False
        return {}, bool(args)
    if name == "Numeric":
        if len(args) == 2:
            return {"max_digits": args[0].text, "decimal_places": args[1].text}, False
        return {}, bool(args)
    return {}, bool(args)


def sa_type_text(spec: ColumnSpec) -> str:
    """The SQL type as written, or the type SQLAlchemy infers from the annotation, imported."""
    if spec.type_text is not None:
        return spec.type_text
    name = PY_TO_SQL.get(spec.base_type) or spec.column.type_name
    if not name or name == "?":
        raise Unsupported(f"unknown type of column {spec.column.attr}")
    return imported("sqlalchemy", name)


def _kwargs_dict(items: list[tuple[str, str]]) -> str:
    return "{" + ", ".join(f'"{k}": {v}' for k, v in items) + "}"


def is_constant(expr: Expr) -> bool:
    if expr.kind in ("const", "str"):
        return True
    if expr.kind in ("tuple", "list", "set", "dict"):
        return all(is_constant(a) for a in expr.args) and all(is_constant(v) for _, v in expr.kwargs)
    return False


def db_arguments(spec: ColumnSpec, ix: Index, annotation_optional: bool, pydantic_default: str | None,
                 type_from_schema: dict[str, str] | None = None) -> list[tuple[str, str]]:
    """Field arguments that make SQLModel build exactly this column, given the field's annotation and default.

    ``type_from_schema``: max_length/max_digits/... the field already carries for validation (schema side);
    then the SQL type is pinned with ``sa_type`` unless those agree with the column.
    """
    col = spec.column
    out: list[tuple[str, str]] = []
    if col.primary_key:
        out.append(("primary_key", "True"))
    native, need_sa_type = native_type(spec, ix)
    if type_from_schema is not None:
        relevant = {k: v for k, v in type_from_schema.items() if k in ("max_length", "max_digits", "decimal_places")}
        if relevant != native:
            need_sa_type = True
        native = {}
    if need_sa_type:
        out.append(("sa_type", sa_type_text(spec)))
    else:
        out.extend(native.items())
    inferred_nullable = not col.primary_key and annotation_optional
    if inferred_nullable != col.nullable:
        out.append(("nullable", str(col.nullable)))
    if spec.fk_native:
        out.append(("foreign_key", spec.fk_text))
        if spec.ondelete_text is not None:
            out.append(("ondelete", spec.ondelete_text))
    if col.unique:
        out.append(("unique", "True"))
    if col.index:
        out.append(("index", "True"))
    sa_kwargs = [(k, spec.kwargs[k].text) for k in SA_COLUMN_KWARGS if k in spec.kwargs]
    default = spec.kwargs.get("default")
    if default is not None and not (default.kind == "const" and default.value is None):
        if pydantic_default is None or pydantic_default != default.text:
            if pydantic_default is not None:
                raise Unsupported(f"default of {col.attr} differs")
            sa_kwargs.append(("default", default.text))
    if sa_kwargs:
        out.append(("sa_column_kwargs", _kwargs_dict(sa_kwargs)))
    if spec.extra_args:
        out.append(("sa_column_args", "[" + ", ".join(spec.extra_args) + "]"))
    return out


def table_field(spec: ColumnSpec, ix: Index) -> Decl:
    """The exact table-model declaration of a column."""
    col = spec.column
    annotation = spec.annotation
    pre: list[tuple[str, str]] = []
    default = spec.kwargs.get("default")
    pydantic_default = None
    optional = spec.optional_annotation
    if default is not None and not (default.kind == "const" and default.value is None) and is_constant(default):
        pre.append(("default", default.text))
        pydantic_default = default.text
    elif col.primary_key and default is None and spec.base_type == "int" and not spec.optional_annotation:
        # the SQLModel idiom for a generated key: unset until the INSERT
        annotation = optional_of(annotation, spec.union)
        optional = True
        pre.append(("default", "None"))
        pydantic_default = "None"
    all_args = pre + db_arguments(spec, ix, optional, pydantic_default)
    return Decl(col.attr, annotation, field_call(all_args) if all_args else None)


def field_call(args: list[tuple[str, str]]) -> str:
    """``Field(k=v, ...)`` with SQLModel's ``Field``."""
    return imported("sqlmodel", "Field") + "(" + ", ".join(f"{k}={v}" for k, v in args) + ")"


# ---------------------------------------------------------------------------------------------- relationships

REL_NATIVE = ("back_populates", "passive_deletes")
REL_PASS = ("lazy", "order_by", "viewonly", "uselist", "cascade", "secondary", "backref", "innerjoin",
            "single_parent", "post_update", "overlaps", "enable_typechecks", "collection_class",
            "foreign_keys", "remote_side", "primaryjoin", "secondaryjoin", "info", "doc", "join_depth",
            "sync_backref", "passive_updates", "distinct_target_key", "active_history", "omit_join",
            "query_class")


def relationship_field(ix: Index, attr: Attr, rel: Relationship, owner_table: str | None,
                       tables: dict[str, str], fks: dict[str, set[str]], builtin_generics: bool = True) -> Decl:
    """``name: list["T"] = Relationship(...)``.

    ``tables``: class simple name -> table, ``fks``: table -> tables its foreign keys point at;
    ``builtin_generics``: the project's Python reads ``list["T"]`` (3.9+), else ``List["T"]``.
    """
    call = attr.value
    if call is None or call.kind != "call":
        raise Unsupported(f"relationship {attr.name}")
    target = rel.target
    if not target:
        raise Unsupported(f"relationship {attr.name} without a target")
    target_name = target.rsplit(".", 1)[-1].rsplit(":", 1)[-1]
    if not target_name.isidentifier():
        raise Unsupported(f"relationship {attr.name}: target {target}")
    first = call.args[0] if call.args else None
    if len(call.args) > 1 or call.kw("argument") is not None:
        raise Unsupported(f"relationship {attr.name} with positional options")
    if first is not None and first.kind not in ("str", "name", "attr"):
        raise Unsupported(f"relationship {attr.name}: target {first.text}")
    collection = _collection(ix, attr, rel, call, target_name, owner_table, tables, fks)
    if collection is None:
        raise Unsupported(f"relationship {attr.name}: cannot tell a collection from a scalar")
    optional = True
    ann = attr.annotation
    if ann is not None and ann.kind == "subscript" and ann.ref == "sqlalchemy:Mapped" and ann.args:
        optional = split_optional(ann.args[0])[1]  # Mapped["Room"] says the object is always there
    if collection:
        annotation = f'{"list" if builtin_generics else imported("typing", "List")}["{target_name}"]'
    elif optional:
        annotation = f'{imported("typing", "Optional")}["{target_name}"]'
    else:
        annotation = f'"{target_name}"'
    args: list[tuple[str, str]] = []
    sa_kwargs: list[tuple[str, str]] = []
    for key, value in call.kwargs:
        if key.startswith("*"):
            raise Unsupported(f"**kwargs in relationship {attr.name}")
        if key in REL_NATIVE:
            args.append((key, value.text))
        elif key == "cascade" and value.kind == "str" and value.value == "all, delete-orphan":
            args.append(("cascade_delete", "True"))
        elif key in REL_PASS:
            sa_kwargs.append((key, value.text))
        else:
            raise Unsupported(f"relationship option {key}= on {attr.name}")
    if sa_kwargs:
        args.append(("sa_relationship_kwargs", _kwargs_dict(sa_kwargs)))
    value = imported("sqlmodel", "Relationship") + "(" + ", ".join(f"{k}={v}" for k, v in args) + ")"
    return Decl(attr.name, annotation, value)


def _collection(ix: Index, attr: Attr, rel: Relationship, call: Expr, target_name: str,
                owner_table: str | None, tables: dict[str, str], fks: dict[str, set[str]]) -> bool | None:
    ann = attr.annotation
    if ann is not None and ann.kind == "subscript" and ann.ref == "sqlalchemy:Mapped" and ann.args:
        inner, _ = split_optional(ann.args[0])
        if inner.kind == "subscript" and inner.ref in ("builtins:list", "typing:List"):
            return True
        if inner.kind == "subscript":
            return None
        return False
    uselist = call.kw("uselist")
    if uselist is not None:
        return bool(uselist.value) if uselist.kind == "const" else None
    if call.kw("secondary") is not None:
        return True
    remote = tables.get(target_name)
    if owner_table is None or remote is None:
        return None
    if remote == owner_table:
        return call.kw("remote_side") is None
    local_to_remote = remote in fks.get(owner_table, set())
    remote_to_local = owner_table in fks.get(remote, set())
    if local_to_remote and not remote_to_local:
        return False
    if remote_to_local and not local_to_remote:
        return True
    return None
