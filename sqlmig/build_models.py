"""From class facts to mapped models: columns with SQLAlchemy's real defaults, relationships, extras."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field, replace

from sqlmig.index import Index
from sqlmig.ir import Attr, ClassFact, Column, Expr, Method, Model, ModuleFacts, Relationship, is_none, literal
from sqlmig.tablenames import flask_table_name
from sqlmig.types import PY_TO_SQL, SQL_TO_PY, py_name, split_optional

COLUMN_CALLS = frozenset({"sqlalchemy:Column", "sqlalchemy:mapped_column", "sqlmodel:Field"})
RELATIONSHIP_CALLS = frozenset({"sqlalchemy:relationship", "sqlalchemy:relation", "sqlmodel:Relationship"})
SPECIAL_CALLS = {
    "sqlalchemy:association_proxy": "association_proxy",
    "sqlalchemy:column_property": "column_property",
    "sqlalchemy:synonym": "synonym",
    "sqlalchemy:composite": "composite",
    "sqlalchemy:query_expression": "query_expression",
}
NOT_TYPES = frozenset({"ForeignKey", "Sequence", "Identity", "Computed", "CheckConstraint", "FetchedValue",
                       "DefaultClause", "Index", "UniqueConstraint"})
COMMON_REL_KWARGS = frozenset({"argument", "back_populates", "backref", "secondary", "lazy", "uselist",
                               "cascade", "order_by", "passive_deletes", "viewonly"})
CUSTOM_JOIN_KWARGS = ("primaryjoin", "secondaryjoin", "foreign_keys", "remote_side")


@dataclass
class ModelInfo:
    """A mapped class with what the rules need beyond the serialisable ``Model``."""

    model: Model
    cls: ClassFact
    facts: ModuleFacts
    table_args: Expr | None = None
    mapper_args: Expr | None = None
    specials: list[tuple[str, Attr | Method, str]] = field(default_factory=list)  # (kind, where, owner)
    validates: list[Method] = field(default_factory=list)
    declared_attrs: list[tuple[str, str]] = field(default_factory=list)  # (attr, owner)
    inherited_columns: tuple[Column, ...] = ()  # from mapped parents (joined/single table)


MUTABLES = {"MutableDict": "dict", "MutableList": "list", "MutableSet": "set"}  # sqlalchemy.ext.mutable


def _is_true(expr: Expr | None) -> bool:
    return expr is not None and expr.kind == "const" and expr.value is True


class ModelBuilder:
    def __init__(self, ix: Index) -> None:
        self.ix = ix
        self._enum_names: set[str] | None = None
        self._nullable_said: set[tuple[str, str]] = set()  # (owner, attr) of columns with nullable=True/False
        self._type_maps: dict[str, dict[str, Expr]] = {}  # declarative base -> its type_annotation_map

    # ------------------------------------------------------------------ types

    def _type_map(self, owner: str) -> dict[str, Expr]:
        """The ``type_annotation_map`` of the declarative base ``owner`` maps through: Python type name
        -> the SQL type expression SQLAlchemy uses for ``Mapped[that type]`` without a type of its own.
        Read off the base class (``type_annotation_map = {...}``, ``registry = registry(type_annotation_map=
        {...})``) or the factory call (``declarative_base(type_annotation_map={...})``)."""
        base = self.ix.declarative_base_of(owner)
        if base is None:
            return {}
        hit = self._type_maps.get(base)
        if hit is None:
            found: Expr | None = None
            for q in self.ix.mro(base) if base in self.ix.classes else ():
                found = self.ix.own_attr(q, "type_annotation_map")
                registry = self.ix.own_attr(q, "registry")
                if found is None and registry is not None and registry.kind == "call":
                    found = registry.kw("type_annotation_map")
                if found is not None:
                    break
            binding = self.ix.binding_of(base) if base not in self.ix.classes else None
            if found is None and binding is not None and binding.value is not None and binding.value.kind == "call":
                found = binding.value.kw("type_annotation_map")
            hit = {}
            if found is not None and found.kind == "dict":
                for key, value in zip(found.args[::2], found.args[1::2]):
                    hit.setdefault(py_name(key).rsplit(".", 1)[-1], value)
            self._type_maps[base] = hit
        return hit

    def _mapped_type(self, ann: Expr, py_type: str, owner: str) -> Expr | None:
        """The SQL type the base's ``type_annotation_map`` gives ``Mapped[X]``: the entry for ``X`` as
        written (``str30 = Annotated[str, 30]`` is a key of its own), else for the type it stands for."""
        types = self._type_map(owner)
        if not types:
            return None
        written, _ = split_optional(ann.args[0])
        if written.kind in ("name", "attr") and written.text.rsplit(".", 1)[-1] in types:
            return types[written.text.rsplit(".", 1)[-1]]
        return types.get(py_type.rsplit(".", 1)[-1]) if py_type else None

    def _type_info(self, expr: Expr) -> dict:
        """type_name, length, precision, scale, timezone, custom_type for a SQL type expression."""
        ref = self.ix.ref(expr)
        callee = expr.value if expr.kind == "call" and isinstance(expr.value, str) else ""
        mutable = callee.rsplit(".", 2)[-2] if "." in callee else ""  # ``MutableDict`` of MutableDict.as_mutable
        if ref == "sqlalchemy:as_mutable" and mutable in MUTABLES and len(expr.args) == 1 and not expr.kwargs:
            # ``MutableDict.as_mutable(JSONB)``: the type is JSONB, tracked for in-place changes
            return {**self._type_info(expr.args[0]), "python_type": MUTABLES[mutable]}
        info: dict = {"sql_type": expr.text, "type_name": expr.last or expr.text}
        if ref and self.ix.is_custom_type(ref):
            info["custom_type"] = ref
            info["type_name"] = ref.rsplit(".", 1)[-1]
            return info
        if ref and ref.startswith("sqlalchemy:"):
            info["type_name"] = ref.split(":", 1)[1]
        if expr.kind == "call":
            name = info["type_name"]
            args = expr.args
            if name in ("Numeric", "NUMERIC", "DECIMAL", "Float", "FLOAT"):
                info["precision"] = literal(expr.kw("precision")) if expr.kw("precision") else (
                    literal(args[0]) if args else None)
                info["scale"] = literal(expr.kw("scale")) if expr.kw("scale") else (
                    literal(args[1]) if len(args) > 1 else None)
            elif name in ("DateTime", "TIMESTAMP", "Time", "TIME"):
                tz = expr.kw("timezone") or (args[0] if args else None)
                info["timezone"] = bool(literal(tz)) if tz is not None else False
            else:
                length = expr.kw("length") or (args[0] if args else None)
                if isinstance(literal(length), int) and not isinstance(literal(length), bool):
                    info["length"] = literal(length)
        elif info["type_name"] in ("DateTime", "TIMESTAMP", "Time", "TIME"):
            info["timezone"] = False
        return info

    def _annotation(self, expr: Expr) -> tuple[str, bool, Expr | None]:
        """``Mapped[...]`` inner: (python type, optional, mapped_column from an Annotated alias)."""
        inner, optional = split_optional(expr)
        carried = None
        for _ in range(4):
            if inner.kind == "subscript" and inner.ref == "typing:Annotated" and inner.args:
                items = inner.args[0].args if inner.args[0].kind == "tuple" else inner.args
                for extra in items[1:]:
                    if extra.kind == "call" and self.ix.ref(extra) == "sqlalchemy:mapped_column":
                        carried = extra
                inner, opt = split_optional(items[0])
                optional = optional or opt
                continue
            binding = self.ix.binding_of(inner.ref) if inner.kind in ("name", "attr") else None
            if binding is not None and binding.kind in ("assign", "alias") and binding.value is not None:
                inner, opt = split_optional(binding.value)
                optional = optional or opt
                continue
            break
        ref = self.ix.ref(inner) if inner.kind in ("name", "attr") else None
        name = py_name(inner)
        if ref and self.ix.is_enum(ref):
            name = ref.rsplit(".", 1)[-1]
        return name, optional, carried

    # ------------------------------------------------------------------ columns

    def column(self, attr: Attr, owner: str, sqlmodel: bool = False) -> Column | None:
        value, ann = attr.value, attr.annotation
        call = value if value is not None and value.kind == "call" else None
        call_ref = self.ix.ref(call) if call else None
        helper = False  # ``parent_id: UUID = fk_field(...)``: a project function builds the Field
        if sqlmodel and call_ref is not None and call_ref != "sqlmodel:Field" and ann is not None \
                and self._project_function(call_ref):
            inner = split_optional(ann)[0]  # not ``Optional["User"]``, ``list[Tag]``, ``Team``: relationships
            helper = inner.kind in ("name", "attr") and self.ix.resolve(inner.ref) not in self.ix.mapped
        if sqlmodel and ann is not None and not attr.name.startswith("_") and (
                call_ref is None or call_ref == "sqlmodel:Field" or helper) and ann.ref != "typing:ClassVar" \
                and ann.kind != "str" and not (call is not None and call_ref is None):
            if call_ref is None:  # ``name: str`` or ``name: str = "x"`` in a SQLModel table is a column
                call = Expr("call", "Field()", "sqlmodel:Field", (), (("default", value),) if value is not None else ())
                call_ref = "sqlmodel:Field"
            elif helper:  # a column, but what the function gives it is not known: the type stays unknown
                call, call_ref = Expr("call", "Field()", "sqlmodel:Field"), "sqlmodel:Field"
        if call is not None and call_ref == "typing:cast" and len(call.args) == 2 and call.args[1].kind == "call":
            call = call.args[1]  # ``cast(dict, Column(JSONB))`` is the column, typed for checkers
            call_ref = self.ix.ref(call)
        if call is not None and call_ref == "sqlalchemy:deferred" and call.args:
            call = call.args[0]
            call_ref = self.ix.ref(call)
        mapped_ann = ann is not None and ann.kind == "subscript" and ann.ref == "sqlalchemy:Mapped" and ann.args
        if call_ref not in COLUMN_CALLS:
            if not (mapped_ann and value is None):
                return None
            call, call_ref = None, "annotation"
        py_type, optional, carried = ("", False, None)
        if mapped_ann:
            py_type, optional, carried = self._annotation(ann.args[0])
        elif ann is not None and call_ref == "sqlmodel:Field":
            inner, optional = split_optional(ann)
            py_type = py_name(inner)
        kwargs: dict[str, Expr] = {}
        positional: list[Expr] = []
        for source in (carried, call):
            if source is None:
                continue
            kwargs.update(dict(source.kwargs))
            positional.extend(a for a in source.args if not is_none(a))  # ``mapped_column(None)``: no type
        via = call_ref
        sqlmodel_type = call_ref == "sqlmodel:Field"  # SQLModel infers the type from the annotation
        if call_ref == "sqlmodel:Field":
            sa_column = kwargs.get("sa_column")
            if sa_column is not None and self.ix.ref(sa_column) in ("sqlalchemy:Column", "sqlalchemy:mapped_column"):
                # SQLModel takes the Column as it is: its type, nullability, name and keys; the Field's
                # default is still the object's (and so the inserted) value
                field_default = kwargs.get("default") or kwargs.get("default_factory")
                kwargs, positional = dict(sa_column.kwargs), [a for a in sa_column.args if not is_none(a)]
                if field_default is not None and "default" not in kwargs and "insert_default" not in kwargs:
                    kwargs["default"] = field_default
                call_ref, sqlmodel_type = "sqlalchemy:Column", False
            else:  # SQLModel builds ``Column(type, *sa_column_args, ..., **sa_column_kwargs)``
                extra = kwargs.get("sa_column_kwargs")
                if extra is not None and extra.kind == "dict":
                    kwargs.update(dict(extra.kwargs))
                extra = kwargs.get("sa_column_args")
                if extra is not None and extra.kind in ("list", "tuple"):
                    positional.extend(a for a in extra.args if a.kind != "str")
        name = attr.name
        if positional and positional[0].kind == "str":
            name = positional[0].value
            positional = positional[1:]
        if literal(kwargs.get("name")):
            name = literal(kwargs["name"])
        type_expr = kwargs.get("type_") or kwargs.get("sa_type")
        fk_target = fk_ondelete = None
        for arg in positional:
            ref = self.ix.ref(arg)
            if arg.kind == "call" and ref == "sqlalchemy:ForeignKey":
                target = arg.args[0] if arg.args else arg.kw("column")
                module = self.ix.classes[owner][1].module if owner in self.ix.classes else None
                fk_target = (self._string(target, module) or self._column_reference(target) or target.text
                             if target is not None else None)  # else the code as written
                fk_ondelete = literal(arg.kw("ondelete"))
            elif type_expr is None and (arg.last not in NOT_TYPES):
                type_expr = arg
        if call_ref == "sqlmodel:Field" and kwargs.get("foreign_key") is not None:
            fk_target = literal(kwargs["foreign_key"])
            fk_ondelete = literal(kwargs.get("ondelete"))
        primary_key = _is_true(kwargs.get("primary_key"))
        if type_expr is not None:
            info = self._type_info(type_expr)
        elif fk_target is not None and call_ref != "sqlmodel:Field":
            # SQLAlchemy 2.0 and 2.1 give a column with a ForeignKey and no type the referenced column's
            # type, ahead of the Mapped[] annotation: filled in by analyze.fill_foreign_key_types
            info = {"sql_type": "", "type_name": "?"}
        elif mapped_ann and self._mapped_type(ann, py_type, owner) is not None:
            info = self._type_info(self._mapped_type(ann, py_type, owner))
        elif py_type:
            base = py_type.rsplit(".", 1)[-1]
            type_name = PY_TO_SQL.get(base) or ("Enum" if base and base[0].isupper() and base not in PY_TO_SQL
                                                and self._enum_named(base) else "?")
            info = {"sql_type": type_name if type_name != "?" else "", "type_name": type_name}
            if type_name in ("DateTime", "Time"):
                info["timezone"] = False
        else:
            info = {"sql_type": "", "type_name": "?"}
        if sqlmodel_type and type_expr is None:
            info = _sqlmodel_sizes(info, kwargs)
        if helper:
            info = {"sql_type": "", "type_name": "?"}
        if not py_type:
            py_type = info.get("python_type") or SQL_TO_PY.get(info["type_name"], "Any")
            if info["type_name"] == "Enum" and type_expr is not None and type_expr.args:
                py_type = py_name(type_expr.args[0])
        nullable_kw = kwargs.get("nullable")
        if nullable_kw is not None and nullable_kw.kind == "const" and isinstance(nullable_kw.value, bool):
            nullable = nullable_kw.value
            self._nullable_said.add((owner, attr.name))
        elif primary_key:
            nullable = False
        elif mapped_ann:
            nullable = optional
        elif call_ref == "sqlmodel:Field":
            nullable = optional
        else:
            nullable = True
        def given(key: str) -> Expr | None:  # ``Column(..., default=None)`` is a column without a default
            e = kwargs.get(key)
            return None if is_none(e) and call_ref != "sqlmodel:Field" else e

        default = given("default") or given("insert_default")
        if default is None and kwargs.get("default_factory") is not None:
            default = kwargs["default_factory"]
        server_default = given("server_default")
        return Column(
            attr=attr.name,
            name=name,
            line=attr.line,
            col=attr.col,
            owner=owner,
            sql_type=info.get("sql_type", ""),
            type_name=info.get("type_name", "?"),
            python_type=py_type,
            nullable=nullable,
            primary_key=primary_key,
            index=_is_true(kwargs.get("index")),
            unique=_is_true(kwargs.get("unique")),
            default=default.text if default is not None else None,
            server_default=server_default.text if server_default is not None else None,
            foreign_key=fk_target,
            ondelete=fk_ondelete,
            length=info.get("length"),
            precision=info.get("precision"),
            scale=info.get("scale"),
            timezone=info.get("timezone"),
            custom_type=info.get("custom_type"),
            via={"sqlalchemy:Column": "column", "sqlalchemy:mapped_column": "mapped_column",
                 "sqlmodel:Field": "field"}.get(via, "annotation"),
        )

    def _project_function(self, ref: str) -> bool:
        """Whether ``ref`` names a function defined at module level in the project."""
        binding = self.ix.binding_of(ref)
        return binding is not None and binding.kind == "def"

    def _enum_named(self, name: str) -> bool:
        if self._enum_names is None:
            self._enum_names = {q.rsplit(".", 1)[-1] for q in self.ix.classes if self.ix.is_enum(q)}
        return name in self._enum_names

    def relationship(self, attr: Attr, owner: str) -> Relationship | None:
        call = attr.value
        if call is None or call.kind != "call" or self.ix.ref(call) not in RELATIONSHIP_CALLS:
            return None
        target = None
        first = call.args[0] if call.args else call.kw("argument")
        if first is not None:
            target = first.value if first.kind == "str" else (self.ix.ref(first) or first.text)
        elif attr.annotation is not None and attr.annotation.args:
            inner, _ = split_optional(attr.annotation.args[0])
            if inner.kind == "subscript" and inner.args:  # list["Post"]
                inner = inner.args[0]
            target = inner.value if inner.kind == "str" else (self.ix.ref(inner) or inner.text)
        secondary = call.kw("secondary")
        backref = call.kw("backref")
        return Relationship(
            attr=attr.name,
            line=attr.line,
            col=attr.col,
            owner=owner,
            target=target,
            back_populates=literal(call.kw("back_populates")),
            backref=(literal(backref) if backref.kind == "str" else backref.text) if backref else None,
            secondary=(secondary.value if secondary.kind == "str" else (self.ix.ref(secondary) or secondary.text))
            if secondary is not None else None,
            lazy=literal(call.kw("lazy")),
            custom=tuple(k for k, _ in call.kwargs if k not in COMMON_REL_KWARGS and k not in CUSTOM_JOIN_KWARGS),
            custom_join=tuple(k for k, _ in call.kwargs if k in CUSTOM_JOIN_KWARGS),
        )

    # ------------------------------------------------------------------ models

    def table_name(self, qualname: str) -> str | None:
        """The table name, when the code gives it exactly: a string (or a module constant holding one),
        ``Table("name", ...)``, or a ``declared_attr`` that ``_declared_tablename`` can evaluate. Anything
        else (a name computed by a function, a regex ...) is unknown: None, never a guess."""
        for q in self.ix.mro(qualname):
            entry = self.ix.classes.get(q)
            if entry is None:
                continue
            own = q == qualname
            for attr in entry[0].attrs:
                if attr.name == "__tablename__" and (own or q not in self.ix.mapped) and attr.value is not None:
                    return self._string(attr.value, entry[1].module)
                if attr.name == "__table__" and own and attr.value is not None:
                    table = attr.value
                    if table.kind == "call" and self.ix.ref(table) == "sqlalchemy:Table" and table.args:
                        return self._string(table.args[0], entry[1].module)
                    return None
            for method in entry[0].methods:
                if method.name == "__tablename__":
                    return _declared_tablename(method, qualname.rsplit(".", 1)[-1])
        if self.ix.flask_names_table(qualname):
            return flask_table_name(qualname.rsplit(".", 1)[-1])
        if self.ix.mapped.get(qualname) == "sqlmodel:SQLModel":  # SQLModel's own declared_attr
            return self.ix.classes[qualname][0].name.lower()
        return None

    def _column_reference(self, expr: Expr) -> str | None:
        """``"table.column"`` for a foreign key given as a column object rather than a string:
        ``ForeignKey(User.id)``, ``ForeignKey(User.__table__.c.id)``, ``ForeignKey(users.c.id)`` for a
        ``Table`` of the project; None when the table or the column is not known exactly."""
        if expr.kind != "attr":
            return None
        ref = self.ix.ref(expr)
        if not ref or ":" in ref:
            return None
        head, _, col = ref.rpartition(".")
        if head.endswith((".c", ".columns")):
            owner = head.rpartition(".")[0]
            if owner.endswith(".__table__"):
                cls = self.ix.resolve(owner[: -len(".__table__")])
                table = self.table_name(cls) if cls in self.ix.classes else None
            else:
                binding = self.ix.binding_of(owner)
                value = binding.value if binding is not None and binding.kind == "assign" else None
                table = self._string(value.args[0]) if value is not None and value.kind == "call" and \
                    self.ix.ref(value) == "sqlalchemy:Table" and value.args else None
            return f"{table}.{col}" if table else None
        cls = self.ix.resolve(head)
        if cls not in self.ix.classes or cls not in self.ix.mapped:
            return None
        table = self.table_name(cls)
        for q in self.ix.mro(cls):
            entry = self.ix.classes.get(q)
            attr = next((a for a in entry[0].attrs if a.name == col), None) if entry is not None else None
            if attr is None:
                continue
            value = attr.value
            name = col
            if value is not None and value.kind == "call":
                first = value.args[0] if value.args else None
                if first is not None and first.kind == "str":
                    name = first.value
                if value.kw("name") is not None and value.kw("name").kind == "str":
                    name = value.kw("name").value
            return f"{table}.{name}" if table else None
        return None

    def _string(self, expr: Expr, module: str | None = None) -> str | None:
        """A string literal, a name bound at module level to one, or ``+`` and (in ``module``) f-strings
        of those: ``f"{TABLE_META}.id"``."""
        if expr.kind == "str":
            return expr.value
        if expr.kind in ("name", "attr"):
            binding = self.ix.binding_of(self.ix.ref(expr))
            if binding is not None and binding.kind == "assign" and binding.value is not None \
                    and binding.value.kind == "str":
                return binding.value.value
        if expr.kind == "binop" and expr.value == "Add" and len(expr.args) == 2:
            left, right = (self._string(a, module) for a in expr.args)
            return left + right if left is not None and right is not None else None
        if expr.kind == "fstr" and module is not None:
            return self._fstring(expr.text, module)
        return None

    def _fstring(self, text: str, module: str) -> str | None:
        """An f-string whose every placeholder is a plain name bound to a string (``f"{T}.id"``), or None."""
        try:
            node = ast.parse(text.strip(), mode="eval").body
        except SyntaxError:
            return None
        if not isinstance(node, ast.JoinedStr):
            return None
        parts = []
        for value in node.values:
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                parts.append(value.value)
                continue
            if not (isinstance(value, ast.FormattedValue) and isinstance(value.value, ast.Name)
                    and value.format_spec is None and value.conversion in (-1, ord("s"))):
                return None
            name = value.value.id
            part = self._string(Expr("name", name, f"{module}.{name}"))
            if part is None:
                return None
            parts.append(part)
        return "".join(parts)

    def build(self, qualname: str) -> ModelInfo:
        cls, facts = self.ix.classes[qualname]
        mro = self.ix.mro(qualname)
        base = self.ix.mapped.get(qualname)
        mapped_parents = tuple(q for q in mro[1:] if q in self.ix.mapped)
        first_mapped = next((i for i, q in enumerate(mro[1:], 1) if q in self.ix.mapped), len(mro))
        # the classes whose columns the table gets: the model, its mixins and abstract bases, and the
        # declarative base class itself (columns declared on it are copied into every table, as a mixin's)
        contributors = [q for q in mro[:first_mapped] if q in self.ix.classes]
        mixins = tuple(q for q in contributors if q != qualname and not self.ix.is_declarative_base(q))
        info = ModelInfo(model=None, cls=cls, facts=facts)  # type: ignore[arg-type]
        info_style = "sqlmodel" if base == "sqlmodel:SQLModel" else "sqlalchemy"
        columns: dict[str, Column] = {}
        rels: dict[str, Relationship] = {}
        for owner in reversed(contributors):
            owner_cls = self.ix.classes[owner][0]
            for attr in owner_cls.attrs:
                if attr.name == "__table__" and owner == qualname:
                    columns.update(self._table_columns(attr, owner))
                col = self.column(attr, owner, sqlmodel=info_style == "sqlmodel")
                if col is not None:
                    columns[attr.name] = col
                    continue
                rel = self.relationship(attr, owner)
                if rel is not None:
                    rels[attr.name] = rel
                    continue
                kind = SPECIAL_CALLS.get(self.ix.ref(attr.value) or "") if attr.value is not None else None
                if kind:
                    info.specials.append((kind, attr, owner))
                if attr.name == "__table_args__" and info.table_args is None and owner == qualname:
                    info.table_args = attr.value
                if attr.name == "__mapper_args__" and owner == qualname:
                    info.mapper_args = attr.value
            for method in owner_cls.methods:
                self._method(info, method, owner, columns, rels)
        self._constraint_keys(info, columns)
        if "reflex:Model" in mro and "id" not in columns and not any(c.primary_key for c in columns.values()):
            # reflex's Model declares ``id: int | None = Field(default=None, primary_key=True)``
            columns["id"] = Column(attr="id", name="id", line=cls.line, col=cls.col, owner=qualname, sql_type="Integer",
                                   type_name="Integer", python_type="int", nullable=False, primary_key=True,
                                   default="None", via="field")
        info.inherited_columns = tuple(
            c for q in mapped_parents for c in self._own_columns(q) if c.attr not in columns)
        info.model = Model(
            qualname=qualname,
            module=facts.module,
            path=facts.path,
            line=cls.line,
            col=cls.col,
            table=self.table_name(qualname),
            base=base,
            columns=tuple(sorted(columns.values(), key=lambda c: (c.owner != qualname, c.line))),
            relationships=tuple(rels.values()),
            parents=mapped_parents,
            mixins=mixins,
            style="sqlmodel" if base == "sqlmodel:SQLModel" else "sqlalchemy",
        )
        return info

    def _constraint_keys(self, info: ModelInfo, columns: dict[str, Column]) -> None:
        """Columns a ``PrimaryKeyConstraint`` in ``__table_args__`` names (as strings or as the column
        attributes) are primary keys, NOT NULL unless they say ``nullable=`` themselves; the column of
        a single-column ``ForeignKeyConstraint`` gets its foreign key."""
        for call in table_arg_calls(self.ix, info.table_args, "sqlalchemy:PrimaryKeyConstraint"):
            for arg in call.args:
                col = None
                if arg.kind == "str":
                    col = next((c for c in columns.values() if c.name == arg.value), None) or columns.get(arg.value)
                elif arg.kind == "name":
                    col = columns.get(arg.text)
                if col is None or col.primary_key:
                    continue
                said = (col.owner, col.attr) in self._nullable_said
                columns[col.attr] = replace(col, primary_key=True, nullable=col.nullable if said else False)
        # a single-column ForeignKeyConstraint(["file_id"], ["file.id"], ondelete=...) is that column's key
        for call in table_arg_calls(self.ix, info.table_args, "sqlalchemy:ForeignKeyConstraint"):
            local, remote = (call.args[:2] if len(call.args) >= 2 else (call.kw("columns"), call.kw("refcolumns")))
            if local is None or remote is None or local.kind not in ("list", "tuple") or \
                    remote.kind not in ("list", "tuple") or len(local.args) != 1 or len(remote.args) != 1:
                continue
            arg, target = local.args[0], remote.args[0]
            col = None
            if arg.kind == "str":
                col = next((c for c in columns.values() if c.name == arg.value), None) or columns.get(arg.value)
            elif arg.kind == "name":
                col = columns.get(arg.text)
            if col is None or col.foreign_key or target.kind != "str":
                continue
            ondelete = call.kw("ondelete")
            columns[col.attr] = replace(col, foreign_key=target.value,
                                        ondelete=ondelete.value if ondelete is not None and ondelete.kind == "str" else None)

    def _table_columns(self, attr: Attr, owner: str) -> dict[str, Column]:
        """Columns of an imperative ``__table__ = Table("name", metadata, Column("id", ...), ...)``."""
        table = attr.value
        found: dict[str, Column] = {}
        if table is None or table.kind != "call" or self.ix.ref(table) != "sqlalchemy:Table":
            return found
        for arg in table.args:
            if arg.kind == "call" and self.ix.ref(arg) == "sqlalchemy:Column" and arg.args and arg.args[0].kind == "str":
                fake = Attr(arg.args[0].value, attr.line, attr.col, None, arg)
                col = self.column(fake, owner)
                if col is not None:
                    found[col.attr] = col
        return found

    def _own_columns(self, qualname: str) -> list[Column]:
        cls = self.ix.classes[qualname][0]
        return [c for c in (self.column(a, qualname) for a in cls.attrs) if c is not None]

    def _method(self, info: ModelInfo, method: Method, owner: str, columns: dict, rels: dict) -> None:
        for deco in method.decorators:
            ref = self.ix.ref(deco) or ""
            last = deco.last
            if ref in ("sqlalchemy:hybrid_property", "sqlalchemy:hybrid_method") or last in (
                    "hybrid_property", "hybrid_method"):
                info.specials.append((last, method, owner))
            elif ref == "sqlalchemy:validates" or (deco.kind == "call" and last == "validates"):
                info.validates.append(method)
            elif ref.startswith("sqlalchemy:declared_attr") or "declared_attr" in deco.text:
                if method.name.startswith("__"):
                    continue
                info.declared_attrs.append((method.name, owner))
                for ret in method.returns:
                    fake = Attr(method.name, method.line, method.col, None, ret)
                    col = self.column(fake, owner)
                    if col is not None:
                        columns[method.name] = replace(col, via="declared_attr")
                    rel = self.relationship(fake, owner)
                    if rel is not None:
                        rels[method.name] = rel


def _sqlmodel_sizes(info: dict, kwargs: dict[str, Expr]) -> dict:
    """The type SQLModel infers, with the sizes its Field gives: ``max_length`` for a string
    (``AutoString(length=n)``, a ``VARCHAR(n)``), ``max_digits``/``decimal_places`` for a Decimal."""
    name = info.get("type_name")
    if name == "String":
        length = literal(kwargs.get("max_length"))
        if isinstance(length, int) and not isinstance(length, bool):
            return {**info, "sql_type": f"String({length})", "length": length}
    elif name == "Numeric":
        precision, scale = literal(kwargs.get("max_digits")), literal(kwargs.get("decimal_places"))
        if precision is not None or scale is not None:
            return {**info, "sql_type": f"Numeric({precision}, {scale})", "precision": precision, "scale": scale}
    return info


def table_arg_calls(ix: Index, table_args: Expr | None, ref: str) -> list[Expr]:
    """The calls of ``ref`` (a constraint or index) among the items of a ``__table_args__`` tuple."""
    if table_args is None or table_args.kind not in ("tuple", "list"):
        return []
    return [e for e in table_args.args if e.kind == "call" and (ix.ref(e) == ref or e.last == ref.split(":")[-1])]


def _declared_tablename(method: Method, class_name: str) -> str | None:
    """The table name a ``declared_attr`` ``__tablename__`` returns, when every ``return`` evaluates
    exactly (strings, ``cls.__name__``, no-argument str methods, ``+``, f-strings of those); else None."""
    if not method.returns or len(method.returns) >= MAX_RETURNS:  # none seen, or some may be cut off
        return None
    names = {_evaluate(ret.text, class_name, method.first_param or "cls") for ret in method.returns}
    if len(names) != 1:
        return None
    return names.pop()


MAX_RETURNS = 4  # the scan keeps the first four ``return`` expressions of a method
STR_METHODS = frozenset({"lower", "upper", "title", "capitalize", "casefold", "swapcase", "strip"})


def _evaluate(text: str, class_name: str, cls: str = "cls") -> str | None:
    """The string ``text`` evaluates to in a ``declared_attr`` of class ``class_name`` whose first
    parameter is ``cls``, or None."""
    try:
        tree = ast.parse(f"({text})", mode="eval").body
    except SyntaxError:
        return None

    def ev(node: ast.expr) -> str | None:
        if isinstance(node, ast.Constant):
            return node.value if isinstance(node.value, str) else None
        if isinstance(node, ast.Attribute) and node.attr == "__name__" and isinstance(node.value, ast.Name) \
                and node.value.id == cls:
            return class_name
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and not node.keywords:
            inner = ev(node.func.value)
            if inner is None:
                return None
            if node.func.attr in STR_METHODS and not node.args:
                return getattr(inner, node.func.attr)()
            if node.func.attr == "replace" and len(node.args) == 2:
                old, new = ev(node.args[0]), ev(node.args[1])
                return inner.replace(old, new) if old is not None and new is not None else None
            return None
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            left, right = ev(node.left), ev(node.right)
            return left + right if left is not None and right is not None else None
        if isinstance(node, ast.JoinedStr):
            parts = []
            for value in node.values:
                if isinstance(value, ast.FormattedValue):
                    if value.format_spec is not None or value.conversion not in (-1, ord("s")):
                        return None
                    part = ev(value.value)
                else:
                    part = ev(value)
                if part is None:
                    return None
                parts.append(part)
            return "".join(parts)
        return None

    return ev(tree)
