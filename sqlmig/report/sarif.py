"""``--format sarif``: SARIF 2.1.0 with the rule catalogue as ``tool.driver.rules``."""

from __future__ import annotations

import json

from sqlmig import __version__
from sqlmig.ir import Finding
from sqlmig.rules.catalog import RULES

LEVEL = {"blocker": "error", "error": "error", "warning": "warning", "info": "note"}
# The rule reference ships in the repository; a relative reference keeps SARIF free of a host name.
HELP_URI = "docs/rules.md#{anchor}"


def document(findings: list[Finding]) -> dict:
    rules = list(RULES.values())
    index = {r.code: i for i, r in enumerate(rules)}
    return {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "sqlmig",
                "version": __version__,
                "rules": [{
                    "id": r.code,
                    "name": r.name,
                    "shortDescription": {"text": r.summary},
                    "fullDescription": {"text": f"{r.summary} {r.why}"},
                    "help": {"text": f"{r.why}\n\nExample:\n{r.example}\n\nFix: {r.fix}",
                             "markdown": f"{r.why}\n\n```python\n{r.example}\n```\n\n**Fix:** {r.fix}"},
                    "helpUri": HELP_URI.format(anchor=r.code.lower()),
                    "defaultConfiguration": {"level": LEVEL[r.severity]},
                    "properties": {"severity": r.severity},
                } for r in rules],
            }},
            "columnKind": "unicodeCodePoints",
            "results": [{
                "ruleId": f.code,
                "ruleIndex": index[f.code],
                "level": LEVEL[f.severity],
                "message": {"text": f.message},
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": {"uri": f.path, "uriBaseId": "%SRCROOT%"},
                        "region": {"startLine": max(1, f.line), "startColumn": f.col + 1},
                    },
                    "logicalLocations": [{"fullyQualifiedName": f.subject}],
                }],
            } for f in findings],
        }],
    }


def render(findings: list[Finding]) -> str:
    return json.dumps(document(findings), indent=2) + "\n"
