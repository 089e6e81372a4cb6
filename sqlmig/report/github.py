"""``--format github``: workflow commands that GitHub Actions turns into annotations."""

from __future__ import annotations

from sqlmig.ir import Finding

COMMAND = {"blocker": "error", "error": "error", "warning": "warning", "info": "notice"}


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render(findings: list[Finding]) -> str:
    lines = []
    for f in findings:
        props = (f"file={_escape_property(f.path)},line={max(1, f.line)},col={f.col + 1},"
                 f"title={_escape_property(f'{f.code} {f.name}')}")
        lines.append(f"::{COMMAND[f.severity]} {props}::{_escape_data(f'{f.code} {f.message} ({f.subject})')}")
    return "".join(line + "\n" for line in lines)
