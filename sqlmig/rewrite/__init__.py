"""``sqlmig rewrite``: plan what each class becomes, apply it with LibCST, show or write the result."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from sqlmig.rewrite.errors import RewriteError

__all__ = ["RewriteError", "run_rewrite"]


def _summary(outcome, out) -> None:
    for mp in outcome.plan.models:
        if mp.status == "migrate":
            shared = f" sharing {', '.join(mp.shared)} via {mp.mbase} with {', '.join(s.rsplit('.', 1)[-1] for s in mp.rebased)}" \
                if mp.mbase else ""
            print(f"migrate {mp.qualname} ({mp.path}){shared}", file=out)
    for mp in outcome.plan.models:
        if mp.status == "keep":
            print(f"keep    {mp.qualname} ({mp.path}): {'; '.join(dict.fromkeys(mp.reasons))}", file=out)


def run_rewrite(execute: Callable, dry_run: bool, only: list[str] | None, force: bool,
                queries: bool = False, target: tuple[int, int] | None = None) -> int:
    """``execute`` runs the analysis (the CLI's configuration, cache and jobs) and returns its Run."""
    # imported here: LibCST's node classes take a third of a second to import, and every other
    # command of the CLI (which imports this package for RewriteError) can do without them
    from sqlmig.rewrite.apply import compute, dirty_files, unified_diff, write_all

    run = execute()
    root = Path(run.root)
    errors = [m for m in run.result.modules if m.error is not None and m.error[0] == "SQM001"]
    if errors:
        raise RewriteError(f"{errors[0].path} does not parse; fix it before rewriting")
    outcome = compute(root, run.result, only, queries=queries, target=target)
    _summary(outcome, sys.stderr)
    if dry_run:
        prefix = ""
        try:
            prefix = root.resolve().relative_to(Path.cwd().resolve()).as_posix()
            prefix = "" if prefix == "." else prefix + "/"
        except ValueError:
            prefix = ""
        sys.stdout.write(unified_diff(outcome.changes, prefix))
        sys.stdout.flush()
        n = len(outcome.changes)
        print(f"sqlmig: {n} file{'s' if n != 1 else ''} would change", file=sys.stderr)
        return 1 if outcome.changes else 0
    if not outcome.changes:
        print("sqlmig: nothing to change", file=sys.stderr)
        return 0
    touched = [c.path for c in outcome.changes]
    if not force:
        dirty = dirty_files(root, touched)
        if dirty:
            raise RewriteError(f"uncommitted changes in {', '.join(dirty)}; commit them or use --force")
    report = write_all(root, outcome.changes)
    for path in report.written:
        print(f"wrote {path}", file=sys.stderr)
    if report.failed:
        for path, why in report.failed:
            print(f"not written {path}: {why}", file=sys.stderr)
        raise RewriteError(f"{len(report.failed)} files not written; every file is as it was")
    return 0
