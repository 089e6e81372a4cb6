"""``--format text``: findings grouped by file, then the readiness table (rich; plain when piped)."""

from __future__ import annotations

from itertools import groupby
from typing import TextIO

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from sqlmig.analyze import Result

STYLE = {"blocker": "bold red", "error": "red", "warning": "yellow", "info": "cyan"}
VERDICT_STYLE = {"migrate": "green", "partial": "yellow", "keep": "red"}


def render(result: Result, out: TextIO, color: bool | None = None, findings: list | None = None) -> None:
    findings = result.findings if findings is None else findings
    console = Console(file=out, no_color=color is False, force_terminal=color if color else None,
                      highlight=False, soft_wrap=True, width=120)
    for path, group in groupby(findings, key=lambda f: f.path):
        console.print(f"[bold]{escape(path)}[/bold]")
        for f in group:
            style = STYLE.get(f.severity, "")
            console.print(f"  {f.line}:{f.col}  [{style}]{f.code}[/{style}] {f.name} ({f.severity}): "
                          f"{escape(f.message)}  [dim]{escape(f.subject)}[/dim]", markup=True)
        console.print()
    table = Table(title="Readiness", show_lines=False)
    for column in ("module", "verdict", "models", "blocked", "schemas", "pairs", "duplicated", "lines removed"):
        table.add_column(column, justify="left" if column in ("module", "verdict") else "right")
    for v in result.readiness:
        style = VERDICT_STYLE.get(v.verdict, "")
        table.add_row(escape(v.scope), f"[{style}]{v.verdict}[/{style}]", str(v.models), str(v.blocked_models),
                      str(v.schemas), str(v.pairs), str(v.duplicated_fields), str(v.lines_removed))
    console.print(table)
    repo = result.repo
    what = "the repo" if repo.scope == "<repo>" else "these files"
    console.print(f"Verdict for {what}: [{VERDICT_STYLE.get(repo.verdict, '')}]{repo.verdict}[/] "
                  f"({escape('; '.join(repo.reasons))})")
    counts = {s: sum(1 for f in findings if f.severity == s) for s in ("blocker", "error", "warning", "info")}
    console.print(f"{len(result.modules)} files, {len(result.models)} models, {len(result.schemas)} schemas, "
                  f"{len(result.pairs)} pairs; findings: " + ", ".join(f"{n} {s}" for s, n in counts.items()))
