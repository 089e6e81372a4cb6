"""Baselines: record today's findings so that only new ones fail.

A fingerprint is the rule code, the path, the subject and the message: no line or column, so a
finding keeps its fingerprint when code above it moves. Equal fingerprints are counted, so a second
identical finding in the same place is new.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from pathlib import Path

from sqlmig.fsutil import atomic_write
from sqlmig.ir import Finding

VERSION = 1


class BaselineError(Exception):
    pass


def fingerprint(f: Finding) -> str:
    raw = "\0".join((f.code, f.path, f.subject, f.message))
    return hashlib.sha256(raw.encode()).hexdigest()[:20]


def write(path: Path, findings: list[Finding]) -> None:
    counts = Counter(fingerprint(f) for f in findings)
    doc = {"version": VERSION, "tool": "sqlmig",
           "fingerprints": dict(sorted(counts.items()))}
    atomic_write(path, json.dumps(doc, indent=1) + "\n")


def read(path: Path) -> Counter:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BaselineError(f"baseline not found: {path}") from None
    except (OSError, ValueError) as exc:
        raise BaselineError(f"cannot read baseline {path}: {exc}") from None
    if not isinstance(doc, dict) or doc.get("version") != VERSION or not isinstance(doc.get("fingerprints"), dict):
        raise BaselineError(f"{path} is not a sqlmig baseline (version {VERSION})")
    return Counter({str(k): int(v) for k, v in doc["fingerprints"].items()})


def new_findings(findings: list[Finding], baseline: Counter) -> list[Finding]:
    """Findings the baseline does not account for."""
    left = Counter(baseline)
    out = []
    for f in findings:
        fp = fingerprint(f)
        if left[fp] > 0:
            left[fp] -= 1
        else:
            out.append(f)
    return out
