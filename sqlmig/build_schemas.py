"""From class facts to Pydantic schemas: effective fields (inherited too), validators, config, API."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlmig.index import Index
from sqlmig.ir import ClassFact, Expr, ModuleFacts, Schema, SchemaField, literal
from sqlmig.types import py_name, split_optional

CONSTRAINT_KEYS = ("max_length", "min_length", "ge", "gt", "le", "lt", "max_digits", "decimal_places",
                   "pattern", "regex", "multiple_of", "strict")
CON_TYPES = frozenset({"constr", "conint", "confloat", "condecimal", "conbytes", "conlist"})
V1_VALIDATORS = frozenset({"validator", "root_validator"})
V2_VALIDATORS = frozenset({"field_validator", "model_validator"})
SERIALIZERS = frozenset({"computed_field", "field_serializer", "model_serializer"})


@dataclass
class SchemaInfo:
    schema: Schema
    cls: ClassFact
    facts: ModuleFacts
    v1_reasons: list[str] = field(default_factory=list)
    serialisation: list[str] = field(default_factory=list)  # SQM218 reasons
    # fields typed as another schema or a model (``Optional[Inner]``, ``list[Inner]``): nested objects,
    # never copies of a scalar column of the same name
    nested: frozenset[str] = frozenset()


_DOTTED = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*")


class SchemaBuilder:
    def __init__(self, ix: Index) -> None:
        self.ix = ix
        self._fields: dict[str, dict[str, SchemaField]] = {}
        self._nested: dict[str, frozenset[str]] = {}

    def _is_nested(self, ann: Expr | None, module: str) -> bool:
        """Whether an annotation mentions a project schema or model class (``"Inner"`` strings too)."""
        ix = self.ix
        for e in ann.walk() if ann is not None else ():
            if e.kind == "str" and isinstance(e.value, str) and len(e.value) < 200:
                refs = [f"{module}.{name}" for name in _DOTTED.findall(e.value)]
            else:
                refs = [e.ref] if e.ref else []
            for ref in refs:
                q = ix.resolve(ref)
                if q in ix.classes and (q in ix.mapped or ix.is_schema(q)):
                    return True
        return False

    def _field(self, attr, owner: str) -> SchemaField | None:
        ann = attr.annotation
        if ann is None or attr.name.startswith("_") or attr.name == "model_config":
            return None
        if ann.kind == "subscript" and ann.ref in ("typing:ClassVar",):
            return None
        inner, optional = split_optional(ann)
        constraints: dict[str, str] = {}
        field_call: Expr | None = None
        alias = None
        # Annotated[str, Field(max_length=3)] / Annotated[str, StringConstraints(...)]
        while inner.kind == "subscript" and inner.ref == "typing:Annotated" and inner.args:
            items = inner.args[0].args if inner.args[0].kind == "tuple" else inner.args
            for extra in items[1:]:
                if extra.kind == "call":
                    if extra.last == "Field":
                        field_call = extra
                    for key in CONSTRAINT_KEYS:
                        if extra.kw(key) is not None:
                            constraints[key] = extra.kw(key).text
            inner, opt = split_optional(items[0])
            optional = optional or opt
        if inner.kind == "call" and inner.last in CON_TYPES:
            for key in CONSTRAINT_KEYS:
                if inner.kw(key) is not None:
                    constraints[key] = inner.kw(key).text
        value = attr.value
        required = value is None
        default = None
        if value is not None and value.kind == "call" and (self.ix.ref(value) or "").endswith(":Field"):
            field_call = value
        if field_call is not None:
            for key in CONSTRAINT_KEYS:
                if field_call.kw(key) is not None:
                    constraints[key] = field_call.kw(key).text
            alias_expr = field_call.kw("alias") or field_call.kw("validation_alias") or field_call.kw(
                "serialization_alias")
            alias = literal(alias_expr) if alias_expr is not None else None
        if field_call is not None and field_call is value:
            first = value.args[0] if value.args else value.kw("default")
            if first is not None and not (first.kind == "const" and first.value == "..."):
                required, default = False, first.text
            elif value.kw("default_factory") is not None:
                required, default = False, value.kw("default_factory").text + "()"
            else:
                required = True
        elif value is not None:
            required = value.kind == "const" and value.value == "..."
            default = None if required else value.text
        return SchemaField(
            name=attr.name,
            line=attr.line,
            col=attr.col,
            owner=owner,
            annotation=ann.text,
            python_type=self._py_type(inner),
            optional=optional,
            required=required,
            default=default,
            constraints=tuple(sorted(constraints.items())),
            alias=alias,
        )

    def _py_type(self, inner: Expr) -> str:
        if inner.kind == "call" and inner.last in CON_TYPES:
            return inner.last
        return py_name(inner)

    def fields(self, qualname: str) -> dict[str, SchemaField]:
        """Effective fields in definition order: bases first, own fields override."""
        hit = self._fields.get(qualname)
        if hit is not None:
            return hit
        result: dict[str, SchemaField] = {}
        nested: set[str] = set()
        for q in reversed(self.ix.mro(qualname)):
            entry = self.ix.classes.get(q)
            if entry is None or not self.ix.is_schema(q):
                continue
            for attr in entry[0].attrs:
                f = self._field(attr, q)
                if f is not None:
                    result[attr.name] = f
                    nested.discard(attr.name)
                    if self._is_nested(attr.annotation, entry[1].module):
                        nested.add(attr.name)
                elif attr.annotation is not None and attr.annotation.ref == "typing:ClassVar":
                    result.pop(attr.name, None)  # a ClassVar over an inherited field: no field any more
                    nested.discard(attr.name)
        self._fields[qualname] = result
        self._nested[qualname] = frozenset(nested)
        return result

    def nested(self, qualname: str) -> frozenset[str]:
        """The fields of ``qualname`` (``fields``) typed as another schema or a model."""
        self.fields(qualname)
        return self._nested[qualname]

    def build(self, qualname: str) -> SchemaInfo:
        cls, facts = self.ix.classes[qualname]
        mro = self.ix.mro(qualname)
        info = SchemaInfo(schema=None, cls=cls, facts=facts)  # type: ignore[arg-type]
        validators: list[tuple[str, int, int, tuple[str, ...]]] = []
        from_attributes = False
        api = "v1" if "pydantic.v1:BaseModel" in mro else "v2"
        for q in reversed(mro):
            entry = self.ix.classes.get(q)
            if entry is None or not self.ix.is_schema(q):
                continue
            qcls = entry[0]
            for attr in qcls.attrs:
                if attr.name == "model_config" and attr.value is not None:
                    cfg = attr.value
                    val = cfg.kw("from_attributes") if cfg.kind in ("call", "dict") else None
                    if val is not None:
                        from_attributes = bool(literal(val))
                    if cfg.kw("orm_mode") is not None:
                        from_attributes = bool(literal(cfg.kw("orm_mode")))
                    if cfg.kw("alias_generator") is not None and q == qualname:
                        info.serialisation.append("alias_generator in model_config")
            for inner in qcls.inner:
                if inner.name != "Config":
                    continue
                if q == qualname:
                    info.v1_reasons.append("class Config")
                for attr in inner.attrs:
                    if attr.name in ("orm_mode", "from_attributes"):
                        from_attributes = bool(literal(attr.value))
                        if attr.name == "orm_mode" and q == qualname:
                            info.v1_reasons.append("orm_mode")
                    if attr.name == "alias_generator" and q == qualname:
                        info.serialisation.append("alias_generator in Config")
            for method in qcls.methods:
                for deco in method.decorators:
                    last = deco.last
                    if last in V1_VALIDATORS or last in V2_VALIDATORS:
                        names = tuple(a.value for a in deco.args if a.kind == "str")
                        validators.append((f"{q}.{method.name}", method.line, method.col, names))
                        if last in V1_VALIDATORS and q == qualname:
                            info.v1_reasons.append(f"@{last}")
                    elif last in SERIALIZERS and q == qualname:
                        info.serialisation.append(f"@{last} {method.name}")
        fields = self.fields(qualname)
        info.nested = self.nested(qualname)
        if any(f.alias for f in fields.values() if f.owner == qualname):
            info.serialisation.append("field aliases")
        if "pydantic.v1:BaseModel" in mro and not info.v1_reasons:
            info.v1_reasons.append("pydantic.v1 import")
        if info.v1_reasons:
            api = "v1"
        info.schema = Schema(
            qualname=qualname,
            module=facts.module,
            path=facts.path,
            line=cls.line,
            col=cls.col,
            fields=tuple(fields.values()),
            validators=tuple(validators),
            from_attributes=from_attributes,
            api=api,
            bases=tuple(q for q in mro[1:] if q in self.ix.classes and self.ix.is_schema(q)),
        )
        return info
