"""``--format markdown``: a summary fit for a pull-request comment."""

from __future__ import annotations

from collections import Counter

from sqlmig.ir import Finding, Verdict

ICON = {"blocker": "⛔", "error": "❌", "warning": "⚠️", "info": "ℹ️"}
MAX_ROWS = 50


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render(findings: list[Finding], repo: Verdict | None = None) -> str:
    out = ["## sqlmig", ""]
    if repo is not None:
        out += [f"**Verdict: {repo.verdict}** ({_cell('; '.join(repo.reasons))})", ""]
    counts = Counter(f.severity for f in findings)
    if not findings:
        out.append("No findings.")
        return "\n".join(out) + "\n"
    out.append(", ".join(f"{counts[s]} {s}" for s in ("blocker", "error", "warning", "info") if counts[s]))
    out += ["", "| | rule | location | message |", "|---|---|---|---|"]
    ranked = sorted(findings, key=lambda f: (("blocker", "error", "warning", "info").index(f.severity), f.path,
                                             f.line))
    for f in ranked[:MAX_ROWS]:
        out.append(f"| {ICON[f.severity]} | `{f.code}` {f.name} | `{_cell(f.path)}:{f.line}` | {_cell(f.message)} |")
    if len(ranked) > MAX_ROWS:
        out.append(f"\n…and {len(ranked) - MAX_ROWS} more (run `sqlmig check` locally for all of them).")
    return "\n".join(out) + "\n"
