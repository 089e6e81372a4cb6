"""Command line: parse options, call one function per command, map errors to exit codes.

Exit codes (as ruff): 0 nothing at or above ``--fail-on``, 1 findings at or above it, 2 usage or
internal error.
"""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from sqlmig import __version__
from sqlmig.discover import DiscoveryError, discover

app = typer.Typer(
    name="sqlmig",
    help="Move FastAPI + SQLAlchemy + Pydantic projects to SQLModel, safely. Static: never imports your code.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


class Format(str, Enum):
    text = "text"
    json = "json"


class Severity(str, Enum):
    info = "info"
    warning = "warning"
    error = "error"
    blocker = "blocker"


class UsageError(Exception):
    pass


def _progress(total: int):
    """A progress bar on stderr for big trees on a terminal; a no-op otherwise."""
    if total < 300 or not sys.stderr.isatty():
        return None, None
    from rich.console import Console
    from rich.progress import Progress

    progress = Progress(console=Console(file=sys.stderr), transient=True)
    task = progress.add_task("scanning", total=total)
    progress.start()
    return progress, lambda n: progress.advance(task, n)


def run_analysis(paths: list[str], exclude: list[str], use_cache: bool, jobs: int | None):
    from sqlmig.analyze import analyze
    from sqlmig.engine import scan_files

    root, files = discover(paths, tuple(exclude))
    bar, tick = _progress(len(files))
    try:
        facts = scan_files(files, root, use_cache=use_cache, jobs=jobs, progress=tick)
    finally:
        if bar is not None:
            bar.stop()
    return analyze(facts)


@app.command()
def analyze(
    paths: Annotated[list[str], typer.Argument(help="Files or folders to analyse.")],
    format: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.text,
    exclude: Annotated[list[str], typer.Option("--exclude", help="Glob of paths to skip (repeatable).")] = [],
    fail_on: Annotated[Severity, typer.Option("--fail-on", help="Exit 1 if a finding is at or above this.")] =
    Severity.blocker,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Neither read nor write .sqlmig_cache/.")] = False,
    jobs: Annotated[int | None, typer.Option("--jobs", "-j", min=1, help="Worker processes (default: cores).")]
    = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the report to this file.")] = None,
    color: Annotated[bool | None, typer.Option("--color/--no-color", help="Force colour on or off.")] = None,
) -> None:
    """Find models and schemas, pair them, report duplication, drift, blockers and a readiness verdict."""
    from sqlmig.analyze import at_or_above
    from sqlmig.report import json as json_report
    from sqlmig.report import text as text_report

    result = run_analysis(paths, exclude, not no_cache, jobs)
    if format is Format.json:
        payload = json_report.render(result)
        if output:
            _write(output, payload)
        else:
            sys.stdout.write(payload)
    elif output:
        import io

        buf = io.StringIO()
        text_report.render(result, buf, color=False)
        _write(output, buf.getvalue())
    else:
        text_report.render(result, sys.stdout, color=color)
    raise typer.Exit(1 if at_or_above(result.findings, fail_on.value) else 0)


def _write(path: Path, text: str) -> None:
    import os
    import tempfile

    path = path.resolve()
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@app.command()
def rule(
    code: Annotated[str | None, typer.Argument(help="A rule code such as SQM205.")] = None,
    all_: Annotated[bool, typer.Option("--all", help="List every rule.")] = False,
) -> None:
    """Explain a rule: what it detects, why it matters for SQLModel, an example and the fix."""
    from sqlmig.rules.catalog import RULES

    if all_ or code is None:
        for r in RULES.values():
            typer.echo(f"{r.code}  {r.name:<30} {r.severity:<8} {r.summary}")
        return
    r = RULES.get(code.upper())
    if r is None:
        raise UsageError(f"unknown rule: {code} (see `sqlmig rule --all`)")
    typer.echo(f"{r.code} {r.name} ({r.severity})\n\nWhat it detects:\n  {r.summary}\n\nWhy it matters:\n  {r.why}\n")
    typer.echo("Example:\n" + "\n".join("  " + line for line in r.example.splitlines()) + f"\n\nFix:\n  {r.fix}")


@app.command()
def version() -> None:
    """Print sqlmig's version."""
    typer.echo(__version__)


def main() -> None:
    try:
        code = app(standalone_mode=False)
        sys.exit(code if isinstance(code, int) else 0)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except (DiscoveryError, UsageError) as exc:
        print(f"sqlmig: error: {exc}", file=sys.stderr)
        sys.exit(2)
    except Exception as exc:  # usage errors of typer's parser and anything unexpected: one line, exit 2
        if callable(getattr(exc, "format_message", None)):  # a click-style usage error
            print(f"sqlmig: error: {exc.format_message()}".splitlines()[0], file=sys.stderr)
            sys.exit(2)
        if type(exc).__name__ == "Abort":
            sys.exit(2)
        print(f"sqlmig: internal error: {type(exc).__name__}: {exc}".splitlines()[0], file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        sys.exit(130)
