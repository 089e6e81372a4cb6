"""``[tool.sqlmig]`` in pyproject.toml, found by walking up from the paths given; the command line wins.

Keys (kebab-case, as ruff): ``select``, ``ignore``, ``extend-select``, ``per-file-ignores``,
``exclude``, ``extend-exclude``, ``fail-on``, ``src``, ``format``, ``target-version`` (``py39``: the oldest
Python the project runs on, for the annotations ``rewrite`` writes). An unknown key is an error naming it.
Rule selectors are codes or code prefixes (``SQM2`` selects every blocker and handled-with-care rule).
"""

from __future__ import annotations

import fnmatch
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path

from sqlmig.pyversion import parse_target
from sqlmig.rules.catalog import RULES, SEVERITIES

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

KEYS = ("select", "ignore", "extend-select", "per-file-ignores", "exclude", "extend-exclude", "fail-on", "src",
        "format", "target-version")
FORMATS = ("text", "json", "sarif", "github", "markdown")


class ConfigError(Exception):
    """A configuration problem (one line, exit 2)."""


@dataclass(frozen=True)
class Config:
    path: Path | None = None  # the pyproject.toml it came from
    select: tuple[str, ...] = ("SQM",)
    ignore: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    exclude: tuple[str, ...] | None = None  # None: the built-in defaults
    extend_exclude: tuple[str, ...] = ()
    fail_on: str = "blocker"
    src: tuple[str, ...] = ()
    format: str = "text"
    target: tuple[int, int] | None = None  # target-version: the oldest Python the project runs on
    overrides: dict = field(default_factory=dict, compare=False)

    @property
    def root(self) -> Path | None:
        return self.path.parent if self.path else None

    def enabled(self, code: str, path: str = "") -> bool:
        """Whether a finding of ``code`` in ``path`` (relative, '/'-separated) is reported."""
        if code in ("SQM001", "SQM002"):
            return True
        chosen = _longest(code, self.select + self.extend_select)
        dropped = _longest(code, self.ignore)
        if chosen < 0 or dropped >= chosen:
            return False
        for pattern, codes in self.per_file_ignores:
            if _path_matches(path, pattern) and _longest(code, codes) >= 0:
                return False
        return True

    def with_cli(self, **options) -> Config:
        """Command-line options (None means 'not given') layered over the file, as ruff does:
        ``--select`` replaces the selection, ``--ignore`` and ``--extend-select`` add to it."""
        changes = {k: tuple(v) if isinstance(v, list) else v for k, v in options.items() if v not in (None, [], ())}
        for key in ("select", "ignore", "extend_select"):  # ruff style: --select SQM1,SQM307
            if key in changes:
                changes[key] = tuple(p.strip() for item in changes[key] for p in item.split(",") if p.strip())
        _validate_selectors(changes.get("select", ()) + changes.get("ignore", ()) + changes.get("extend_select", ()),
                            "command line")
        if "ignore" in changes:
            changes["ignore"] = self.ignore + changes["ignore"]
        if "extend_select" in changes:
            changes["extend_select"] = self.extend_select + changes["extend_select"]
        return replace(self, **changes)


def _longest(code: str, selectors: tuple[str, ...]) -> int:
    """Length of the longest selector that is a prefix of ``code`` (-1 if none): the most specific wins."""
    best = -1
    for sel in selectors:
        sel = sel.strip().upper()
        if sel == "ALL" or code.startswith(sel):
            best = max(best, 0 if sel == "ALL" else len(sel))
    return best


def _path_matches(path: str, pattern: str) -> bool:
    return fnmatch.fnmatch(path, pattern) or fnmatch.fnmatch(path, pattern.rstrip("/") + "/*") or \
        fnmatch.fnmatch(path.rsplit("/", 1)[-1], pattern)


def _validate_selectors(selectors, where: str) -> None:
    for sel in selectors:
        s = str(sel).strip().upper()
        if s != "ALL" and not any(code.startswith(s) for code in RULES):
            raise ConfigError(f"{where}: unknown rule selector {sel!r}")


def find_pyproject(paths: list[str]) -> Path | None:
    """The nearest pyproject.toml with a [tool.sqlmig] table, walking up from the first path."""
    start = Path(paths[0] if paths else ".").resolve()
    if start.is_file():
        start = start.parent
    for directory in (start, *start.parents):
        candidate = directory / "pyproject.toml"
        if candidate.is_file():
            try:
                data = tomllib.loads(candidate.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
                raise ConfigError(f"{candidate}: cannot read: {exc}") from None
            if "sqlmig" in data.get("tool", {}):
                return candidate
    return None


def _strings(value, key: str, where: str) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: `{key}` must be a list of strings")
    return tuple(value)


def load(paths: list[str], config_file: str | None = None) -> Config:
    path = Path(config_file).resolve() if config_file else find_pyproject(paths)
    if path is None:
        return Config()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    table = data.get("tool", {}).get("sqlmig", {})
    where = f"{path} [tool.sqlmig]"
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: must be a table")
    for key in table:
        if key not in KEYS:
            raise ConfigError(f"{where}: unknown key `{key}`")
    kw: dict = {"path": path}
    for key in ("select", "ignore", "extend-select", "exclude", "extend-exclude", "src"):
        if key in table:
            kw[key.replace("-", "_")] = _strings(table[key], key, where)
    _validate_selectors(kw.get("select", ()) + kw.get("ignore", ()) + kw.get("extend_select", ()), where)
    if "per-file-ignores" in table:
        pfi = table["per-file-ignores"]
        if not isinstance(pfi, dict):
            raise ConfigError(f"{where}: `per-file-ignores` must be a table of glob = [codes]")
        items = []
        for glob, codes in pfi.items():
            codes = _strings(codes, f"per-file-ignores.{glob}", where)
            _validate_selectors(codes, where)
            items.append((glob, codes))
        kw["per_file_ignores"] = tuple(items)
    if "fail-on" in table:
        if table["fail-on"] not in SEVERITIES:
            raise ConfigError(f"{where}: `fail-on` must be one of {', '.join(SEVERITIES)}")
        kw["fail_on"] = table["fail-on"]
    if "format" in table:
        if table["format"] not in FORMATS:
            raise ConfigError(f"{where}: `format` must be one of {', '.join(FORMATS)}")
        kw["format"] = table["format"]
    if "target-version" in table:
        target = parse_target(table["target-version"]) if isinstance(table["target-version"], str) else None
        if target is None:
            raise ConfigError(f"{where}: `target-version` must be like \"py39\" (the oldest Python the project runs on)")
        kw["target"] = target
    return Config(**kw)
