"""Type vocabulary: SQL type classes, Python annotations, and how they correspond."""

from __future__ import annotations

import ast

from sqlmig.ir import Expr

# SQLAlchemy type class -> the Python type its values have
SQL_TO_PY = {
    "Integer": "int", "INTEGER": "int", "INT": "int", "SmallInteger": "int", "SMALLINT": "int",
    "BigInteger": "int", "BIGINT": "int",
    "String": "str", "VARCHAR": "str", "CHAR": "str", "Text": "str", "TEXT": "str", "Unicode": "str",
    "UnicodeText": "str", "NVARCHAR": "str", "NCHAR": "str", "CLOB": "str", "AutoString": "str", "CITEXT": "str",
    "Boolean": "bool", "BOOLEAN": "bool",
    "Float": "float", "FLOAT": "float", "REAL": "float", "Double": "float", "DOUBLE": "float",
    "DOUBLE_PRECISION": "float",
    "Numeric": "Decimal", "NUMERIC": "Decimal", "DECIMAL": "Decimal",
    "DateTime": "datetime", "DATETIME": "datetime", "TIMESTAMP": "datetime",
    "Date": "date", "DATE": "date", "Time": "time", "TIME": "time", "Interval": "timedelta",
    "LargeBinary": "bytes", "BLOB": "bytes", "BYTEA": "bytes", "BINARY": "bytes", "VARBINARY": "bytes",
    "Uuid": "UUID", "UUID": "UUID",
    "JSON": "dict", "JSONB": "dict",
    "ARRAY": "list",
    "INET": "str", "CIDR": "str",
}

# Python annotation -> SQLAlchemy's default type for ``Mapped[T]`` without an explicit type
PY_TO_SQL = {
    "int": "Integer", "str": "String", "bool": "Boolean", "float": "Float", "Decimal": "Numeric",
    "datetime": "DateTime", "date": "Date", "time": "Time", "timedelta": "Interval", "bytes": "LargeBinary",
    "UUID": "Uuid",
}

# Python type families used to decide whether a schema field and a column disagree on the type
FAMILY = {
    "int": "int", "conint": "int", "PositiveInt": "int", "NonNegativeInt": "int", "NegativeInt": "int",
    "NonPositiveInt": "int", "StrictInt": "int",
    "str": "str", "constr": "str", "EmailStr": "str", "NameEmail": "str", "HttpUrl": "str", "AnyUrl": "str",
    "AnyHttpUrl": "str", "SecretStr": "str", "StrictStr": "str", "IPvAnyAddress": "str", "UrlStr": "str",
    "bool": "bool", "StrictBool": "bool",
    "float": "float", "confloat": "float", "PositiveFloat": "float", "NonNegativeFloat": "float",
    "StrictFloat": "float", "FiniteFloat": "float",
    "Decimal": "Decimal", "condecimal": "Decimal",
    "datetime": "datetime", "AwareDatetime": "datetime", "NaiveDatetime": "datetime", "PastDatetime": "datetime",
    "FutureDatetime": "datetime",
    "date": "date", "PastDate": "date", "FutureDate": "date", "time": "time", "timedelta": "timedelta",
    "bytes": "bytes", "conbytes": "bytes", "SecretBytes": "bytes",
    "UUID": "UUID", "UUID1": "UUID", "UUID4": "UUID", "UUID5": "UUID",
    "dict": "dict", "Dict": "dict", "Json": "dict",
    "list": "list", "List": "list",
}

OPTIONAL_REFS = frozenset({"typing:Optional"})
UNION_REFS = frozenset({"typing:Union"})


def py_name(expr: Expr) -> str:
    """A readable name for an annotation: ``int``, ``Decimal``, ``list[PostOut]``, ``Role``."""
    if expr.kind == "str" and isinstance(expr.value, str):
        return expr.value
    if expr.kind in ("name", "attr"):
        return expr.last or expr.text
    if expr.kind == "const" and expr.value is None:
        return "None"
    if expr.kind == "call":
        return expr.last or expr.text
    return expr.text


def split_optional(expr: Expr) -> tuple[Expr, bool]:
    """``Optional[X]``, ``X | None``, ``Union[X, None]`` -> (X, True); anything else -> (expr, False)."""
    if expr.kind == "subscript" and expr.ref in OPTIONAL_REFS and expr.args:
        return expr.args[0], True
    if expr.kind == "subscript" and expr.ref in UNION_REFS:
        items = expr.args[0].args if len(expr.args) == 1 and expr.args[0].kind == "tuple" else expr.args
        rest = [a for a in items if not (a.kind == "const" and a.value is None)]
        if len(rest) < len(items):
            return (rest[0] if len(rest) == 1 else expr), True
    if expr.kind == "binop" and expr.value == "BitOr":
        left, right = expr.args
        for a, b in ((left, right), (right, left)):
            if b.kind == "const" and b.value is None:
                return a, True
        inner_l, opt_l = split_optional(left)
        inner_r, opt_r = split_optional(right)
        if opt_l or opt_r:
            return expr, True
    if expr.kind == "const" and expr.value is None:
        return expr, True
    if expr.kind == "str" and isinstance(expr.value, str):
        text = expr.value.replace(" ", "")
        for suffix in ("|None",):
            if text.endswith(suffix):
                return Expr("name", text[: -len(suffix)]), True
        if text.startswith("Optional[") and text.endswith("]"):
            return Expr("name", text[9:-1]), True
    return expr, False


def family(name: str) -> str | None:
    return FAMILY.get(name)


def union_families(name: str) -> frozenset[str] | None:
    """The families of a ``Union[...]`` or ``A | B`` annotation whose every member (``None`` aside) is a
    plain name with a family; None for anything else."""
    if "Union[" not in name and "|" not in name:
        return None
    try:
        node = ast.parse(name.strip(), mode="eval").body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    members: list[ast.expr] = []

    def collect(n: ast.expr) -> None:
        if isinstance(n, ast.BinOp) and isinstance(n.op, ast.BitOr):
            collect(n.left)
            collect(n.right)
        elif isinstance(n, ast.Subscript) and _last(n.value) == "Union":
            for e in n.slice.elts if isinstance(n.slice, ast.Tuple) else [n.slice]:
                collect(e)
        else:
            members.append(n)

    collect(node)
    found = set()
    for m in members:
        if isinstance(m, ast.Constant) and m.value is None:
            continue
        fam = FAMILY.get(_last(m) or "")
        if fam is None:
            return None
        found.add(fam)
    return frozenset(found) or None


def _last(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None
