"""The oldest Python a project runs on, for the annotation syntax the rewrite may write.

The rewrite writes ``int | None`` and ``list["T"]`` only where the project's Python evaluates them:
SQLModel, SQLAlchemy and FastAPI evaluate annotations at import time, postponed (``from __future__ import
annotations``) or not, so ``int | None`` in a model needs 3.10 and ``list["T"]`` 3.9. In order:

1. ``target-version`` of ``[tool.sqlmig]`` (``py39``), as ruff spells it;
2. the project's declared floor: ``requires-python`` (PEP 621), Poetry's ``python`` dependency, ruff's
   ``target-version``, mypy's ``python_version``, ``python_requires`` of setup.cfg or setup.py, in the
   nearest folder at or above the project with a packaging file (not above its git work tree);
3. what the project's own runtime-evaluated annotations already use (model and schema fields, route
   parameters): ``X | Y`` means 3.10, ``list[...]`` and the other builtin generics 3.9;
4. otherwise 3.8: ``Optional[int]`` and ``List["T"]`` read the same on every Python.
"""

from __future__ import annotations

import configparser
import re
from pathlib import Path

from sqlmig.ir import Expr

Version = tuple[int, int]
OLDEST: Version = (3, 8)
BUILTIN_GENERICS = frozenset({"builtins:list", "builtins:dict", "builtins:set", "builtins:frozenset",
                              "builtins:tuple", "builtins:type"})
_TARGET = re.compile(r"py3(\d{1,2})")
_SPEC = re.compile(r"(>=|~=|==|>|\^|~)?\s*3\.(\d{1,2})")
_SETUP_PY = re.compile(r"python_requires\s*=\s*(['\"])(.*?)\1")


def parse_target(text: str) -> Version | None:
    """``py39`` -> (3, 9); None for anything else."""
    m = _TARGET.fullmatch(text.strip())
    return (3, int(m.group(1))) if m else None


def floor_of(spec: str) -> Version | None:
    """The lowest 3.x a version specifier admits: ``>=3.9,<4`` -> (3, 9), Poetry's ``^3.10`` -> (3, 10);
    None when it sets no lower bound (``<3.13``, ``*``)."""
    best: Version | None = None
    for part in re.split(r"[,|]", spec):
        part = part.strip()
        if not part or part.startswith(("<", "!=")):
            continue
        m = _SPEC.match(part)
        if m is None or (m.group(1) is None and not part[:1].isdigit()):
            continue
        version = (3, int(m.group(2)))
        best = version if best is None else min(best, version) if "|" in spec else max(best, version)
    return best


PACKAGING = ("pyproject.toml", "setup.cfg", "setup.py")


def declared_floor(root: Path) -> Version | None:
    """The floor the project's packaging declares: in the nearest folder at or above ``root`` that has a
    packaging file, and not above the git work tree ``root`` is in. A nearer packaging file without a
    floor (a project of its own) ends the search: an outer project's floor is not this one's."""
    start = root.resolve()
    for directory in (start, *start.parents):
        if any((directory / name).is_file() for name in PACKAGING):
            return _declared_in(directory)
        if (directory / ".git").exists():
            break
    return None


def _declared_in(directory: Path) -> Version | None:
    pyproject = directory / "pyproject.toml"
    if pyproject.is_file():
        try:
            import tomllib
        except ModuleNotFoundError:  # pragma: no cover - Python 3.10
            import tomli as tomllib
        try:
            data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            data = {}
        spec = data.get("project", {}).get("requires-python") if isinstance(data.get("project"), dict) else None
        if not isinstance(spec, str):
            poetry = data.get("tool", {}).get("poetry", {}) if isinstance(data.get("tool"), dict) else {}
            deps = poetry.get("dependencies", {}) if isinstance(poetry, dict) else {}
            spec = deps.get("python") if isinstance(deps, dict) else None
        if isinstance(spec, str) and (found := floor_of(spec)) is not None:
            return found
        tool = data.get("tool") if isinstance(data.get("tool"), dict) else {}
        ruff = tool.get("ruff") if isinstance(tool.get("ruff"), dict) else {}
        mypy = tool.get("mypy") if isinstance(tool.get("mypy"), dict) else {}
        if isinstance(ruff.get("target-version"), str) and (found := parse_target(ruff["target-version"])):
            return found
        if isinstance(mypy.get("python_version"), str) and (found := floor_of(mypy["python_version"])):
            return found
    setup_cfg = directory / "setup.cfg"
    if setup_cfg.is_file():
        parser = configparser.ConfigParser(interpolation=None)
        try:
            parser.read(setup_cfg, encoding="utf-8")
            spec = parser.get("options", "python_requires", fallback=None)
        except (configparser.Error, OSError, UnicodeDecodeError):
            spec = None
        if spec and (found := floor_of(spec)) is not None:
            return found
    setup_py = directory / "setup.py"
    if setup_py.is_file():
        try:
            m = _SETUP_PY.search(setup_py.read_text(encoding="utf-8", errors="replace"))
        except OSError:
            m = None
        if m and (found := floor_of(m.group(2))) is not None:
            return found
    return None


LITERAL, ANNOTATED = "typing:Literal", "typing:Annotated"  # typing_extensions' resolve to these (canonical)


def needs(expr: Expr | None) -> Version:
    """The oldest Python that evaluates the annotation ``expr``. Only type positions count: the values of
    ``Literal["a|b"]`` and the metadata of ``Annotated[X, Field(pattern="a|b")]`` are no syntax."""
    if expr is None:
        return OLDEST
    if expr.kind == "binop" and expr.value == "BitOr":
        return (3, 10)
    if expr.kind == "str" and isinstance(expr.value, str):  # a forward reference: the type in a string
        text = expr.value
        if re.search(r"[\w\]'\"]\s*\|\s*[\w'\"]", text):
            return (3, 10)
        if re.search(r"(?<![\w.])(list|dict|set|frozenset|tuple|type)\[", text):
            return (3, 9)
        return OLDEST
    if expr.kind != "subscript" or expr.ref == LITERAL:
        return OLDEST
    found = (3, 9) if expr.ref in BUILTIN_GENERICS else OLDEST
    for part in expr.args[:1] if expr.ref == ANNOTATED else expr.args:
        if part.kind == "tuple":  # ``dict[str, int]`` may hold its arguments as one tuple
            found = max(found, *(needs(p) for p in part.args)) if part.args else found
        else:
            found = max(found, needs(part))
        if found == (3, 10):
            break
    return found


def evidenced(annotations) -> Version:
    """The newest syntax among annotations the project's Python already evaluates."""
    found = OLDEST
    for expr in annotations:
        found = max(found, needs(expr))
        if found == (3, 10):
            break
    return found
