"""``--format json``: a stable document with a ``version`` field (see README, "JSON output")."""

from __future__ import annotations

import json
from collections import Counter

from sqlmig import __version__
from sqlmig.analyze import Result
from sqlmig.ir import to_json

SCHEMA_VERSION = 1


def document(result: Result, findings: list | None = None) -> dict:
    findings = result.findings if findings is None else findings
    counts = Counter(f.severity for f in findings)
    return {
        "version": SCHEMA_VERSION,
        "tool": {"name": "sqlmig", "version": __version__},
        "models": [to_json(m) for m in result.models],
        "schemas": [to_json(s) for s in result.schemas],
        "pairs": [to_json(p) for p in result.pairs],
        "findings": [to_json(f) for f in findings],
        "readiness": {
            "repo": to_json(result.repo),
            "modules": [to_json(v) for v in result.readiness[:-1]],
        },
        "summary": {
            "files": len(result.modules),
            "models": len(result.models),
            "schemas": len(result.schemas),
            "pairs": len(result.pairs),
            "findings": len(findings),
            "by_severity": {k: counts.get(k, 0) for k in ("blocker", "error", "warning", "info")},
            "by_code": dict(sorted(Counter(f.code for f in findings).items())),
            "verdict": result.repo.verdict,
            "lines_removed": result.repo.lines_removed,
        },
        "errors": [
            {"path": m.path, "code": m.error[0], "message": m.error[1], "line": m.error[2]}
            for m in result.modules if m.error is not None
        ],
    }


PRETTY_DEPTH = 2  # the document and its lists are indented; each model, finding, ... is one line


def dumps(value: object, depth: int = 0) -> str:
    """JSON with the outer levels indented and everything deeper on one line.

    ``json.dumps(indent=2)`` runs Python's pure-Python encoder, which cost half a second per 1000
    analysed files; one line per entry keeps the C encoder and is easy to grep and diff.
    """
    pad, inner = "  " * depth, "  " * (depth + 1)
    if depth < PRETTY_DEPTH and isinstance(value, dict) and value:
        items = (f"{inner}{json.dumps(k)}: {dumps(v, depth + 1)}" for k, v in value.items())
        return "{\n" + ",\n".join(items) + f"\n{pad}}}"
    if depth < PRETTY_DEPTH and isinstance(value, list) and value:
        return "[\n" + ",\n".join(f"{inner}{dumps(v, depth + 1)}" for v in value) + f"\n{pad}]"
    return json.dumps(value)


def render(result: Result, findings: list | None = None) -> str:
    return dumps(document(result, findings)) + "\n"
