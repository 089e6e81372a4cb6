"""Compare what two versions of a project declare: DDL per dialect, Alembic's view of a real database,
and the OpenAPI documents. Each version is imported in its own subprocess (``snapshot``)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path


class ImportFailed(Exception):
    pass


def run_snapshot(root: Path, *args: str, python: str = sys.executable, env: dict | None = None) -> dict:
    proc = subprocess.run([python, "-m", "sqlmig.migration.snapshot", str(root), *args], capture_output=True,
                          text=True, cwd=root, env=env, timeout=600)
    if proc.returncode != 0:
        raise ImportFailed((proc.stderr.strip().splitlines() or ["import failed"])[-1])
    return json.loads(proc.stdout)


def snapshot(root: Path, **kw) -> dict:
    return run_snapshot(root, **kw)


def create_schema(root: Path, url: str, fresh: bool = False, **kw) -> None:
    run_snapshot(root, "--create-fresh" if fresh else "--create", url, **kw)


def compare_database(root: Path, url: str, **kw) -> list:
    return run_snapshot(root, "--compare", url, **kw)["diffs"]


@dataclass
class Comparison:
    differences: list[str] = field(default_factory=list)
    info: list[str] = field(default_factory=list)

    @property
    def unchanged(self) -> bool:
        return not self.differences


_LINE = re.compile(r",\s*$")


def _ddl_parts(ddl: str) -> tuple[str, list[str], str]:
    """(head, definition lines, tail) of a CREATE TABLE statement (plus its CREATE INDEX statements)."""
    start, end = ddl.find("("), ddl.find("\n)")
    if start < 0 or end < 0:
        return ddl, [], ""
    lines = [_LINE.sub("", line).strip() for line in ddl[start + 1:end].strip().splitlines()]
    return ddl[:start], [line for line in lines if line], ddl[end:]


_CONSTRAINT = re.compile(r"^(FOREIGN KEY\s*\([^)]*\)|PRIMARY KEY|UNIQUE\s*\([^)]*\)|CONSTRAINT \S+|CHECK)")


def _key(line: str) -> str:
    """What a DDL line defines: a column's name, or a constraint with its columns."""
    m = _CONSTRAINT.match(line)
    return m.group(1) if m else line.split(" ", 1)[0]


def compare_ddl(before: dict, after: dict, dialects=("postgresql", "sqlite")) -> Comparison:
    out = Comparison()
    bt, at = before["tables"], after["tables"]
    for name in sorted(set(bt) - set(at)):
        out.differences.append(f"table {name}: missing after the rewrite")
    for name in sorted(set(at) - set(bt)):
        out.differences.append(f"table {name}: new after the rewrite")
    for name in sorted(set(bt) & set(at)):
        if bt[name]["metadata"] != at[name]["metadata"] and len({t["metadata"] for t in at.values()}) > 1:
            out.differences.append(f"table {name}: now in another MetaData")
        for dialect in dialects:
            a, b = bt[name]["ddl"][dialect], at[name]["ddl"][dialect]
            if a == b:
                continue
            if a.startswith("-- cannot compile"):
                out.info.append(f"table {name} ({dialect}): the original does not compile ({a[3:]})")
                continue
            ha, la, ta = _ddl_parts(a)
            hb, lb, tb = _ddl_parts(b)
            if ha == hb and ta == tb and sorted(la) == sorted(lb):
                out.info.append(f"table {name} ({dialect}): column order {bt[name]['columns']} -> "
                                f"{at[name]['columns']}")
                continue
            only_b = set(lb) - set(la)
            for line in sorted(set(la) - set(lb)):
                twin = next((x for x in lb if x in only_b and _key(x) == _key(line)), None)
                out.differences.append(f"table {name} ({dialect}): {line!r} -> {twin!r}")
            for line in sorted(only_b):
                if not any(_key(x) == _key(line) for x in set(la) - set(lb)):
                    out.differences.append(f"table {name} ({dialect}): new {line!r}")
            if ha != hb or ta != tb:
                out.differences.append(f"table {name} ({dialect}): {ta.strip()!r} -> {tb.strip()!r}")
    return out


def normalise_openapi(doc):
    """Key order never matters; ``required`` lists are sets."""
    if isinstance(doc, dict):
        return {k: (sorted(v) if k == "required" and isinstance(v, list) and all(isinstance(x, str) for x in v)
                    else normalise_openapi(v)) for k, v in sorted(doc.items())}
    if isinstance(doc, list):
        return [normalise_openapi(x) for x in doc]
    return doc


def compare_openapi(before: dict, after: dict) -> Comparison:
    out = Comparison()
    for app in sorted(set(before["openapi"]) | set(after["openapi"])):
        a = normalise_openapi(before["openapi"].get(app))
        b = normalise_openapi(after["openapi"].get(app))
        if a != b:
            out.differences.extend(f"openapi {app}: {d}" for d in _json_diff(a, b, ""))
    return out


def _json_diff(a, b, path: str) -> list[str]:
    if isinstance(a, dict) and isinstance(b, dict):
        diffs = []
        for k in sorted(set(a) | set(b)):
            if k not in a:
                diffs.append(f"{path}/{k} added")
            elif k not in b:
                diffs.append(f"{path}/{k} removed")
            else:
                diffs.extend(_json_diff(a[k], b[k], f"{path}/{k}"))
        return diffs
    if a != b:
        return [f"{path}: {json.dumps(a)[:200]} -> {json.dumps(b)[:200]}"]
    return []
