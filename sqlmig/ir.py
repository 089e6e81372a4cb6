"""The shared vocabulary of every stage: plain frozen dataclasses that serialise to JSON.

Two layers live here:

* scan facts (``Expr``, ``Attr``, ``Method``, ``ClassFact``, ``CallFact``, ``LoopFact``,
  ``FunctionFact``, ``ModuleFacts``): what one file says, with no cross-file knowledge. They are the
  cache format, so they must round-trip through ``pack``/``unpacker`` exactly.
* analysis results (``Column``, ``Relationship``, ``Model``, ``SchemaField``, ``Schema``, ``Pair``,
  ``Finding``, ``Verdict``): what the project means once modules are resolved against each other.
"""

from __future__ import annotations

from dataclasses import MISSING, dataclass, fields, is_dataclass
from typing import Any, get_args, get_origin, get_type_hints

# --------------------------------------------------------------------------- scan facts


def keyword(kwargs: tuple[tuple[str, Expr], ...], name: str) -> Expr | None:
    """The value passed as ``name=`` in a call's keyword arguments."""
    for key, val in kwargs:
        if key == name:
            return val
    return None


def literal(expr: Expr | None) -> Any:
    """The literal value of ``expr`` (see ``Expr.literal``), None for anything else or no expression."""
    return expr.literal if expr is not None else None


def is_none(expr: Expr | None) -> bool:
    """Whether ``expr`` is the constant ``None`` (no expression is not)."""
    return expr is not None and expr.kind == "const" and expr.value is None


def alembic_script_folders(paths) -> set[str]:
    """The Alembic script folders (``X/`` of a revision at ``X/versions/rev.py``) among ``paths``."""
    return {p.rsplit("/", 2)[0] + "/" for p in paths if p.count("/") >= 2 and p.rsplit("/", 2)[1] == "versions"}


@dataclass(frozen=True)
class Expr:
    """A summarised expression.

    ``kind`` is one of ``call``, ``name``, ``attr``, ``const``, ``str``, ``fstr``, ``binop``,
    ``subscript``, ``tuple``, ``list``, ``dict``, ``set``, ``lambda``, ``other``.
    ``ref`` is the qualified name a ``name``/``attr`` resolves to through the module's imports
    (for a ``call``: the callee's, for a ``subscript``: the subscripted value's). ``text`` is the
    source code. A ``dict`` keeps its string-keyed entries in ``kwargs`` and the others in ``args``
    as key, value, key, value. ``value`` holds literal values (numbers, strings, True/False/None, Ellipsis as
    ``"..."``) and, for ``binop``, the operator.
    """

    kind: str
    text: str
    ref: str | None = None
    args: tuple[Expr, ...] = ()
    kwargs: tuple[tuple[str, Expr], ...] = ()
    value: Any = None
    base: Expr | None = None  # attr/call on something that is not a dotted name: that something

    def kw(self, name: str) -> Expr | None:
        return keyword(self.kwargs, name)

    @property
    def literal(self) -> Any:
        """The value of a literal (number, string, True/False/None), else None."""
        return self.value if self.kind in ("const", "str") else None

    @property
    def last(self) -> str:
        """The last component of the name this expression is or calls: ``Column``, ``query``."""
        if self.ref:
            return self.ref.rsplit(".", 1)[-1].rsplit(":", 1)[-1]
        if self.kind == "call":
            if isinstance(self.value, str):
                return self.value.rsplit(".", 1)[-1]
            return self.base.last if self.base is not None else ""
        if self.kind == "attr":
            return self.value if isinstance(self.value, str) else self.text.rsplit(".", 1)[-1]
        if self.kind == "name":
            return self.text
        return ""

    def walk(self):
        """This expression and every expression inside it."""
        yield self
        for a in self.args:
            yield from a.walk()
        for _, v in self.kwargs:
            yield from v.walk()
        if self.base is not None:
            yield from self.base.walk()


@dataclass(frozen=True)
class Attr:
    """One statement of a class body that binds a name: ``x = ...``, ``x: T`` or ``x: T = ...``."""

    name: str
    line: int
    col: int
    annotation: Expr | None = None
    value: Expr | None = None
    end_line: int = 0


@dataclass(frozen=True)
class Method:
    name: str
    line: int
    col: int
    decorators: tuple[Expr, ...] = ()
    returns: tuple[Expr, ...] = ()  # expressions of its ``return`` statements (declared_attr)
    first_param: str = ""  # ``cls`` (or ``self``): what ``return cls.__name__`` is read through


@dataclass(frozen=True)
class ClassFact:
    name: str
    qualname: str
    line: int
    col: int
    bases: tuple[Expr, ...] = ()
    keywords: tuple[tuple[str, Expr], ...] = ()
    decorators: tuple[Expr, ...] = ()
    attrs: tuple[Attr, ...] = ()
    methods: tuple[Method, ...] = ()
    inner: tuple[ClassFact, ...] = ()
    ignores: tuple[str, ...] = ()


@dataclass(frozen=True)
class CallFact:
    """A call site that a rule may care about (selected by the callee's last name)."""

    name: str  # last component of the callee: ``query``, ``execute``, ``text`` ...
    func: Expr
    line: int
    col: int
    scope: str  # qualified name of the enclosing function, or the module
    args: tuple[Expr, ...] = ()
    kwargs: tuple[tuple[str, Expr], ...] = ()
    receiver: Expr | None = None  # for ``a.b(...)``: ``a``

    def kw(self, name: str) -> Expr | None:
        return keyword(self.kwargs, name)


@dataclass(frozen=True)
class AttrUse:
    attr: str
    line: int
    col: int


@dataclass(frozen=True)
class LoopFact:
    """``for x in <iter>:`` (or a comprehension) and the attributes read from ``x`` inside it."""

    scope: str
    target: str
    iter: Expr
    line: int
    source: Expr | None = None  # what ``iter`` was assigned from in the same scope, if a name
    uses: tuple[AttrUse, ...] = ()


@dataclass(frozen=True)
class FunctionFact:
    """A function with the names its body and signature mention (route-pairing evidence)."""

    qualname: str
    line: int
    decorators: tuple[Expr, ...] = ()
    params: tuple[Expr, ...] = ()  # parameter annotations
    names: tuple[str, ...] = ()  # resolved refs of the names the body reads


@dataclass(frozen=True)
class Binding:
    """A module-level name: an import, an assignment, a ``type`` alias or a definition."""

    name: str
    line: int
    col: int
    kind: str  # import | assign | alias | class | def
    target: str | None = None  # import: the qualified name imported
    value: Expr | None = None  # assign / alias
    # seen only by type checkers, or an ``except`` handler's fallback: does not replace an earlier binding
    type_checking: bool = False


@dataclass(frozen=True)
class ModuleFacts:
    path: str  # relative to the analysed root, ``/``-separated
    module: str
    bindings: tuple[Binding, ...] = ()
    classes: tuple[ClassFact, ...] = ()
    calls: tuple[CallFact, ...] = ()
    loops: tuple[LoopFact, ...] = ()
    functions: tuple[FunctionFact, ...] = ()
    imported_modules: tuple[str, ...] = ()  # every module this one imports (for SQM306)
    lines: int = 0
    ignore_file: bool = False
    ignores: tuple[tuple[int, tuple[str, ...]], ...] = ()  # line -> codes ('*' = all)
    error: tuple[str, str, int, int] | None = None  # (code, message, line, col)
    # the aliases this file's absolute imports went through: (top-level name, the prefix it got);
    # ("", prefix): the prefix of this module's own name (``discover._namespaced``)
    aliases: tuple[tuple[str, str], ...] = ()
    # the modules of its ``from x import *`` statements, in source order (``Index.star_source``)
    star_imports: tuple[str, ...] = ()

    @property
    def package_root(self) -> str:
        """The folders in front of ``module`` that are not part of its importable name:
        ``services.orders`` for ``services.orders.app.models``, imported as ``app.models``."""
        return dict(self.aliases).get("", "")

    @property
    def import_name(self) -> str:
        """The name the module is imported by in its own part of the tree."""
        root = self.package_root
        return self.module[len(root) + 1:] if root else self.module

    def imports_as(self, other: ModuleFacts) -> str | None:
        """The name this module's absolute imports reach ``other`` by; None if they cannot: a module of
        another service of a monorepo (one it imports nothing of by that name, nor shares a root with)."""
        name = other.import_name
        root = other.package_root
        if not root or root == self.package_root:
            return name
        return name if dict(self.aliases).get(name.split(".", 1)[0]) == root else None


# --------------------------------------------------------------------------- analysis results


@dataclass(frozen=True)
class Column:
    attr: str
    name: str  # the database column name
    line: int
    col: int
    owner: str  # qualname of the class that declares it (a mixin, a base, or the model)
    sql_type: str  # type expression as written, or inferred from the annotation
    type_name: str  # canonical type class name: String, Integer, ... or the custom class
    python_type: str
    nullable: bool
    primary_key: bool = False
    index: bool = False
    unique: bool = False
    default: str | None = None
    server_default: str | None = None
    foreign_key: str | None = None
    ondelete: str | None = None
    length: int | None = None
    precision: int | None = None
    scale: int | None = None
    timezone: bool | None = None
    custom_type: str | None = None  # qualname of a project TypeDecorator / UserDefinedType
    via: str = "column"  # column | mapped_column | annotation | declared_attr


@dataclass(frozen=True)
class Relationship:
    attr: str
    line: int
    col: int
    owner: str
    target: str | None
    back_populates: str | None = None
    backref: str | None = None
    secondary: str | None = None
    lazy: str | None = None
    custom: tuple[str, ...] = ()  # keyword names beyond the common ones
    custom_join: tuple[str, ...] = ()  # primaryjoin / secondaryjoin / foreign_keys / remote_side


@dataclass(frozen=True)
class Model:
    qualname: str
    module: str
    path: str
    line: int
    col: int
    table: str | None
    base: str | None  # the declarative base it maps through
    columns: tuple[Column, ...] = ()
    relationships: tuple[Relationship, ...] = ()
    parents: tuple[str, ...] = ()  # mapped superclasses (mapped inheritance)
    mixins: tuple[str, ...] = ()
    style: str = "sqlalchemy"  # sqlalchemy | sqlmodel


@dataclass(frozen=True)
class SchemaField:
    name: str
    line: int
    col: int
    owner: str  # qualname of the class that declares it
    annotation: str
    python_type: str  # with Optional stripped
    optional: bool  # accepts None
    required: bool
    default: str | None = None
    constraints: tuple[tuple[str, str], ...] = ()
    alias: str | None = None


@dataclass(frozen=True)
class Schema:
    qualname: str
    module: str
    path: str
    line: int
    col: int
    fields: tuple[SchemaField, ...] = ()
    validators: tuple[tuple[str, int, int, tuple[str, ...]], ...] = ()  # (method, line, col, fields)
    from_attributes: bool = False
    api: str = "v2"  # v1 | v2
    bases: tuple[str, ...] = ()  # project schema bases (qualnames)


@dataclass(frozen=True)
class Pair:
    model: str
    schema: str
    role: str  # base | create | update | read | db
    shared_fields: tuple[str, ...]
    evidence: tuple[str, ...]


@dataclass(frozen=True)
class Finding:
    code: str
    name: str
    severity: str
    path: str
    line: int
    col: int
    message: str
    subject: str
    fix: str = ""


@dataclass(frozen=True)
class Verdict:
    scope: str  # a module name, or "<repo>"
    verdict: str  # migrate | partial | keep
    reasons: tuple[str, ...]
    models: int = 0
    blocked_models: int = 0
    schemas: int = 0
    pairs: int = 0
    duplicated_fields: int = 0
    lines_removed: int = 0


# --------------------------------------------------------------------------- JSON output


def to_json(obj: Any) -> Any:
    """Turn IR objects into JSON-ready values (dataclasses become dicts, tuples lists)."""
    if is_dataclass(obj):
        return _jsoner(type(obj))(obj)
    if isinstance(obj, (tuple, list)):
        return [to_json(x) for x in obj]
    return obj


_JSONERS: dict[type, Any] = {}


def _jsoner(cls: type):
    """``to_json`` for dataclass ``cls``, generated once per class (field by field, no reflection)."""
    fn = _JSONERS.get(cls)
    if fn is None:
        hints = get_type_hints(cls)
        env: dict[str, Any] = {"to_json": to_json}
        items = ", ".join(f"{f.name!r}: {_convert(hints[f.name], f'o.{f.name}', env, 'json')}" for f in fields(cls))
        exec(f"def to_json_(o):\n    return {{{items}}}\n", env)  # noqa: S102 - generated from the fields
        fn = _JSONERS[cls] = env["to_json_"]
    return fn


# --------------------------------------------------------------------------- the cache format
#
# Scan facts travel as positional arrays (marshalled by the cache, JSON in the run state): a
# dataclass becomes the list of its field values with trailing defaults left off. That is about a
# third of the size of keyed objects and several times faster both ways, which matters because
# every cached file is decoded whenever the analysis reads it.

_PACKERS: dict[type, Any] = {}
_UNPACKERS: dict[type, Any] = {}


def pack(obj: Any) -> Any:
    """Scan facts as nested arrays of plain values (see ``unpacker``)."""
    return packer(type(obj))(obj)


def _lazy(env: dict[str, Any], name: str, factory: Any, tp: type):
    """A stand-in for ``factory(tp)`` in generated code (types refer to themselves and each other):
    the first call builds the real function and puts it in the stand-in's place."""
    def first_call(value: Any) -> Any:
        fn = env[name] = factory(tp)
        return fn(value)
    return first_call


def _convert(tp: Any, value: str, env: dict[str, Any], mode: str) -> str:
    """Python source converting ``value`` of type ``tp``: ``pack`` (to nested arrays), ``unpack``
    (back) or ``json`` (``to_json``). Plain values are left as they are; JSON takes tuples as lists."""
    origin = get_origin(tp)
    if origin is None and isinstance(tp, type) and is_dataclass(tp):
        name = f"{mode}_{tp.__name__}"
        env[name] = _lazy(env, name, {"pack": packer, "unpack": unpacker, "json": _jsoner}[mode], tp)
        return f"{name}({value})"
    if origin is tuple:
        args = get_args(tp)
        if len(args) == 2 and args[1] is Ellipsis:
            inner = _convert(args[0], "x", env, mode)
            if mode == "unpack":
                return f"tuple({value})" if inner == "x" else f"tuple([{inner} for x in {value}])"
            return value if inner == "x" and mode == "pack" else f"[{inner} for x in {value}]"
        parts = [_convert(a, f"{value}[{i}]", env, mode) for i, a in enumerate(args)]
        if mode == "unpack":
            return f"({', '.join(parts)},)"
        if mode == "pack" and all(p == f"{value}[{i}]" for i, p in enumerate(parts)):
            return value
        return f"[{', '.join(parts)}]"
    if origin is not None and type(None) in get_args(tp):  # X | None
        rest = [a for a in get_args(tp) if a is not type(None)]
        if len(rest) != 1:
            return f"to_json({value})" if mode == "json" else value
        inner = _convert(rest[0], value, env, mode)
        return value if inner == value else f"(None if {value} is None else {inner})"
    if mode == "json" and tp not in (str, int, bool, float):
        return f"to_json({value})"  # Any
    return value


def packer(cls: type):
    """A function packing an instance of dataclass ``cls``: field values in order, trailing defaults cut.

    The function is generated once per class, like ``dataclasses`` generates ``__init__``.
    """
    fn = _PACKERS.get(cls)
    if fn is not None:
        return fn
    hints = get_type_hints(cls)
    env: dict[str, Any] = {}
    flds = fields(cls)
    items = ", ".join(_convert(hints[f.name], f"o.{f.name}", env, "pack") for f in flds)
    lines = ["def pack(o):", f"    out = [{items}]"]
    # cut trailing fields equal to their default, last field first
    indent = "    "
    for i in range(len(flds) - 1, -1, -1):
        f = flds[i]
        if f.default is MISSING:
            break
        env[f"d_{f.name}"] = f.default
        lines.append(f"{indent}if o.{f.name} == d_{f.name}:")
        indent += "    "
        lines.append(f"{indent}del out[{i}:]")
    lines.append("    return out")
    exec("\n".join(lines), env)  # noqa: S102 - generated from the dataclass fields above
    fn = _PACKERS[cls] = env["pack"]
    return fn


def unpacker(cls: type):
    """The inverse of ``packer``: a function from the packed list to an instance of dataclass ``cls``."""
    fn = _UNPACKERS.get(cls)
    if fn is not None:
        return fn
    hints = get_type_hints(cls)
    flds = fields(cls)
    env: dict[str, Any] = {"cls": cls, "pad": [None if f.default is MISSING else f.default for f in flds],
                           "new": object.__new__, "setattr": object.__setattr__}
    items = ", ".join(f"{f.name!r}: {_convert(hints[f.name], f'v[{i}]', env, 'unpack')}" for i, f in enumerate(flds))
    # the instance's attributes are set in one step: a frozen dataclass' __init__ costs a call per field
    source = (
        "def unpack(v):\n"
        f"    if len(v) < {len(flds)}:\n"
        "        v = v + pad[len(v):]\n"
        "    o = new(cls)\n"
        f"    setattr(o, '__dict__', {{{items}}})\n"
        "    return o\n"
    )
    exec(source, env)  # noqa: S102 - generated from the dataclass fields above
    fn = _UNPACKERS[cls] = env["unpack"]
    return fn
