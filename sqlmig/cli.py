"""Command line: parse options, call one function per command, map errors to exit codes.

Exit codes (as ruff): 0 nothing at or above ``--fail-on``, 1 findings at or above it, 2 usage,
configuration or internal error.
"""

from __future__ import annotations

import dataclasses
import gc
import io
import os
import subprocess
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from sqlmig import __version__, spare
from sqlmig.baseline import BaselineError
from sqlmig.config import Config, ConfigError
from sqlmig.discover import DiscoveryError
from sqlmig.fsutil import atomic_write
from sqlmig.rewrite.errors import RewriteError

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
    sarif = "sarif"
    github = "github"
    markdown = "markdown"


class Severity(str, Enum):
    info = "info"
    warning = "warning"
    error = "error"
    blocker = "blocker"


class UsageError(Exception):
    pass


FormatOpt = Annotated[Format | None, typer.Option("--format", "-f", help="Output format (default: text).")]
ExcludeOpt = Annotated[list[str], typer.Option("--exclude", help="Glob of paths to skip (repeatable).")]
FailOnOpt = Annotated[Severity | None, typer.Option(
    "--fail-on", help="Exit 1 if a finding is at or above this severity (default: blocker).")]
SelectOpt = Annotated[list[str], typer.Option("--select", help="Only these rule codes or prefixes (repeatable).")]
IgnoreOpt = Annotated[list[str], typer.Option("--ignore", help="Skip these rule codes or prefixes (repeatable).")]
ExtendOpt = Annotated[list[str], typer.Option("--extend-select", help="Add rule codes or prefixes (repeatable).")]
ConfigOpt = Annotated[Path | None, typer.Option("--config", help="pyproject.toml to read [tool.sqlmig] from.")]
NoCacheOpt = Annotated[bool, typer.Option("--no-cache", help="Neither read nor write .sqlmig_cache/.")]
JobsOpt = Annotated[int | None, typer.Option("--jobs", "-j", min=1, help="Worker processes (default: cores).")]
OutputOpt = Annotated[Path | None, typer.Option("--output", "-o", help="Write the report to this file.")]
ColorOpt = Annotated[bool | None, typer.Option("--color/--no-color", help="Force colour on or off.")]
ExitZeroOpt = Annotated[bool, typer.Option("--exit-zero", help="Always exit 0 unless sqlmig itself fails.")]
UnusedOpt = Annotated[bool, typer.Option("--report-unused-ignores", help="Report suppressions that hid nothing.")]


class _ProgressBar:
    """A progress bar on stderr for big trees on a terminal; silent otherwise."""

    def __init__(self) -> None:
        self.bar = None

    def __call__(self, total: int):
        if total < 300 or not sys.stderr.isatty():
            return None
        from rich.console import Console
        from rich.progress import Progress

        self.bar = Progress(console=Console(file=sys.stderr), transient=True)
        task = self.bar.add_task("scanning", total=total)
        self.bar.start()
        return lambda n: self.bar.advance(task, n)

    def stop(self) -> None:
        if self.bar is not None:
            self.bar.stop()


def _config(paths: list[str], config_file: Path | None, select, ignore, extend_select, fail_on, format) -> Config:
    """[tool.sqlmig] from the nearest pyproject.toml (or --config), with the command line layered on top."""
    from sqlmig.config import load

    return load(paths, str(config_file) if config_file else None).with_cli(
        select=select, ignore=ignore, extend_select=extend_select,
        fail_on=fail_on.value if fail_on else None, format=format.value if format else None)


def _execute(paths, config: Config, no_cache: bool, jobs, only=None, report_unused=False, reuse=False,
             settings=None, defer_save=False):
    """``run.run`` behind a progress bar. ``defer_save``: the state is saved in the background (the
    caller ends with ``outcome.settle()``)."""
    from sqlmig.run import run

    progress = _ProgressBar()
    try:
        outcome = run(paths, config, use_cache=not no_cache, jobs=jobs, only=only, progress=progress,
                      report_unused=report_unused, reuse=reuse, settings=settings, defer_save=defer_save)
    finally:
        progress.stop()
    outcome.save_in_background()  # no progress thread left to fork with
    _kept[:] = [outcome]
    return outcome


# The last run's outcome, held past the command's return. Otherwise the command's frame lets go of
# it when ``typer.Exit`` unwinds, and the analysis is freed object by object just before the
# process ends (``entry`` leaves with ``os._exit``): 0.17 s at 5000 files. In process (tests) it
# lasts until the next run.
_kept: list = []


def _colour(color: bool | None, output: Path | None) -> bool:
    """Whether text output gets styles: asked for, or rich sees a terminal (a tty, FORCE_COLOR, ...)."""
    if output is not None or color is False:
        return False
    if color:
        return True
    from rich.console import Console

    return Console(file=sys.stdout).is_terminal


def _settings(cfg: Config, color: bool | None, output: Path | None, report_unused: bool,
              only: list[str] | None) -> str | None:
    """What a report depends on besides the files (see ``Run.remember``); None: do not keep it."""
    from sqlmig.state import settings_key

    if cfg.format == "text" and _colour(color, output):
        return None  # coloured for a terminal: rendered each time
    return settings_key(cfg.format, cfg.select, cfg.ignore, cfg.extend_select, cfg.per_file_ignores,
                        cfg.fail_on, report_unused, sorted(str(Path(p).resolve()) for p in only) if only else None)


def _emit(outcome, fmt: str, output: Path | None, color: bool | None, exit_zero: bool, fail_on: str,
          settings: str | None = None) -> None:
    try:
        if outcome.payload is not None:
            payload, failing = outcome.payload, outcome.failing
        else:
            from sqlmig.analyze import at_or_above

            payload = _render(outcome, fmt, output, color)
            failing = bool(at_or_above(outcome.findings, fail_on))
            if payload is not None:
                outcome.remember(settings, payload, failing)
        if output:
            atomic_write(output, payload or "")
        elif payload is not None:
            sys.stdout.write(payload)
    finally:
        outcome.settle()
    raise typer.Exit(0 if exit_zero or not failing else 1)


def _render(outcome, fmt: str, output: Path | None, color: bool | None) -> str | None:
    """The report as text; None when text output went straight to a terminal, in colour."""
    from sqlmig.report import github, markdown, sarif
    from sqlmig.report import json as json_report
    from sqlmig.report import text as text_report

    findings, result = outcome.findings, outcome.result
    if fmt == "json":
        return json_report.render(result, findings)
    if fmt == "sarif":
        return sarif.render(findings)
    if fmt == "github":
        return github.render(findings)
    if fmt == "markdown":
        return markdown.render(findings, result.repo)
    if _colour(color, output):
        text_report.render(result, sys.stdout, color=color, findings=findings)
        return None
    buf = io.StringIO()
    text_report.render(result, buf, color=False, findings=findings)
    return buf.getvalue()


@app.command()
def analyze(
    paths: Annotated[list[str], typer.Argument(help="Files or folders to analyse.")],
    format: FormatOpt = None,
    exclude: ExcludeOpt = [],
    fail_on: FailOnOpt = None,
    select: SelectOpt = [],
    ignore: IgnoreOpt = [],
    extend_select: ExtendOpt = [],
    config: ConfigOpt = None,
    no_cache: NoCacheOpt = False,
    jobs: JobsOpt = None,
    output: OutputOpt = None,
    color: ColorOpt = None,
    exit_zero: ExitZeroOpt = False,
    report_unused_ignores: UnusedOpt = False,
) -> None:
    """Find models and schemas, pair them, report duplication, drift, blockers and a readiness verdict."""
    cfg = _config(paths, config, select, ignore, extend_select, fail_on, format)
    cfg = cfg.with_cli(extend_exclude=tuple(cfg.extend_exclude) + tuple(exclude))
    settings = _settings(cfg, color, output, report_unused_ignores, None)
    outcome = _execute(paths, cfg, no_cache, jobs, report_unused=report_unused_ignores, reuse=True,
                       settings=settings, defer_save=True)
    _emit(outcome, cfg.format, output, color, exit_zero, cfg.fail_on, settings)


def _project_root(cfg: Config) -> Path:
    if cfg.root is not None:
        return cfg.root
    try:
        top = subprocess.run(["git", "rev-parse", "--show-toplevel"], capture_output=True, text=True, timeout=20)
        if top.returncode == 0 and top.stdout.strip():
            return Path(top.stdout.strip())
    except (OSError, subprocess.SubprocessError):
        pass
    return Path.cwd()


@app.command()
def check(
    files: Annotated[list[str] | None, typer.Argument(help="Report only these files (default: all).")] = None,
    format: FormatOpt = None,
    fail_on: FailOnOpt = None,
    select: SelectOpt = [],
    ignore: IgnoreOpt = [],
    extend_select: ExtendOpt = [],
    config: ConfigOpt = None,
    baseline: Annotated[Path | None, typer.Option("--baseline", help="Fail only on findings not in it.")] = None,
    write_baseline: Annotated[Path | None, typer.Option("--write-baseline", help="Record today's findings.")]
    = None,
    no_cache: NoCacheOpt = False,
    jobs: JobsOpt = None,
    output: OutputOpt = None,
    color: ColorOpt = None,
    exit_zero: ExitZeroOpt = False,
    report_unused_ignores: UnusedOpt = False,
) -> None:
    """The analysis as a pre-commit hook and CI gate: the whole project is read, the given files reported."""
    from sqlmig import baseline as bl

    start = files or ["."]
    cfg = _config(start, config, select, ignore, extend_select, fail_on, format)
    root = _project_root(cfg)
    only = list(files) if files else None
    # a report filtered by a baseline depends on that file too: not kept
    settings = None if baseline or write_baseline else _settings(cfg, color, output, report_unused_ignores, only)
    outcome = _execute([str(root)], cfg, no_cache, jobs, only=only, report_unused=report_unused_ignores,
                       reuse=True, settings=settings, defer_save=True)
    try:
        if write_baseline is not None:
            bl.write(write_baseline, outcome.findings)
            typer.echo(f"sqlmig: wrote {len(outcome.findings)} findings to {write_baseline}", err=True)
            raise typer.Exit(0)
        if baseline is not None:
            outcome.findings = bl.new_findings(outcome.findings, bl.read(baseline))
        _emit(outcome, cfg.format, output, color, exit_zero, cfg.fail_on, settings)
    finally:
        outcome.settle()


@app.command()
def rewrite(
    paths: Annotated[list[str], typer.Argument(help="Project folders or files to rewrite.")],
    dry_run: Annotated[bool, typer.Option("--dry-run", "--diff", help="Print a unified diff; write nothing.")] = False,
    only: Annotated[list[str], typer.Option(
        "--only", help="Migrate only this module, class or path (repeatable).")] = [],  # noqa: B006
    exclude: ExcludeOpt = [],  # noqa: B006
    force: Annotated[bool, typer.Option("--force", help="Write even over uncommitted changes.")] = False,
    queries: Annotated[bool, typer.Option(
        "--queries", help="Also switch sessions to SQLModel's and select(M) queries to session.exec().")] = False,
    config_file: ConfigOpt = None,
    no_cache: NoCacheOpt = False,
    jobs: JobsOpt = None,
) -> None:
    """Rewrite models without blockers to SQLModel, sharing their fields with their schemas.

    Exit codes: 0 written (or nothing to change), 1 --dry-run found changes, 2 error.
    """
    from sqlmig.rewrite import run_rewrite

    cfg = _config(paths, config_file, [], [], [], None, None)
    if exclude:
        cfg = dataclasses.replace(cfg, extend_exclude=tuple(cfg.extend_exclude) + tuple(exclude))
    code = run_rewrite(lambda: _execute(paths, cfg, no_cache, jobs), dry_run=dry_run, only=only or None,
                       force=force, queries=queries, target=cfg.target)
    raise typer.Exit(code)


class Dialect(str, Enum):
    postgresql = "postgresql"
    sqlite = "sqlite"
    mysql = "mysql"


class VerifyFormat(str, Enum):
    text = "text"
    json = "json"


@app.command()
def verify(
    path: Annotated[Path, typer.Argument(help="The project folder (inside a git work tree).")] = Path("."),
    rev: Annotated[str, typer.Option("--rev", help="The git revision with the original code.")] = "HEAD",
    dialect: Annotated[list[Dialect], typer.Option(
        "--dialect", help="Compile the DDL for this dialect (repeatable; default postgresql and sqlite).")] = [],  # noqa: B006
    database_url: Annotated[str | None, typer.Option(
        "--database-url", help="An EMPTY database to create the original schema in (default: a temporary "
                               "SQLite file); the tables are dropped afterwards.")] = None,
    format: Annotated[VerifyFormat, typer.Option("--format", "-f", help="Output format.")] = VerifyFormat.text,
) -> None:
    """Prove the working tree declares the same database schema as --rev.

    With migrate, which runs it, the only sqlmig command that imports your code: the revision (in a
    temporary git worktree) and the working tree are each imported in a subprocess.

    Exit codes: 0 schema unchanged, 1 differences, 2 error (e.g. the code does not import).
    """
    import json as _json

    from sqlmig.migration.verify import VerifyError
    from sqlmig.migration.verify import verify as run_verify

    dialects = tuple(d.value for d in dialect) or ("postgresql", "sqlite")
    try:
        result = run_verify(path, rev=rev, dialects=dialects, database_url=database_url)
    except VerifyError as exc:
        raise UsageError(str(exc)) from None
    if format is VerifyFormat.json:
        typer.echo(_json.dumps(result.to_json(), indent=2))
    else:
        for line in result.info:
            typer.echo(f"info: {line}")
        for line in result.differences:
            typer.echo(f"difference: {line}")
        where = f"{', '.join(result.dialects)} DDL and Alembic on {result.database}"
        typer.echo(f"schema unchanged ({where}, against {result.rev})" if result.unchanged
                   else f"{len(result.differences)} schema differences ({where}, against {result.rev})")
    raise typer.Exit(0 if result.unchanged else 1)


@app.command()
def migrate(
    path: Annotated[Path, typer.Argument(help="The project folder (inside a git work tree).")] = Path("."),
    alembic_dir: Annotated[Path | None, typer.Option(
        "--alembic-dir", help="The folder with env.py (default: script_location of alembic.ini).")] = None,
    rev: Annotated[str, typer.Option("--rev", help="The git revision with the models before the rewrite.")] = "HEAD",
    dry_run: Annotated[bool, typer.Option("--dry-run", "--diff", help="Print a unified diff; write nothing.")] = False,
    no_cache: NoCacheOpt = False,
) -> None:
    """Prepare Alembic for the SQLModel models and write the revision recording the move.

    Patches env.py (every model module imported, target_metadata set) and script.py.mako
    (import sqlmodel), and writes a revision stub on the current head: empty when `sqlmig verify`
    finds the schema unchanged, otherwise Alembic's operations marked for review and the differences
    it has no operation for listed for review by hand. Imports your code
    (through `sqlmig verify`). Exit codes: 0 written or nothing to do, 1 --dry-run with changes, 2 error.
    """
    import sys as _sys

    from sqlmig.migration.alembic_setup import MigrateError
    from sqlmig.migration.migrate import plan_migrate
    from sqlmig.rewrite.apply import unified_diff, write_all

    cfg = _config([str(path)], None, [], [], [], None, None)
    outcome = _execute([str(path)], cfg, no_cache, None)
    root = Path(outcome.root)
    try:
        plan = plan_migrate(root, outcome.result, alembic_dir, rev)
    except MigrateError as exc:
        raise UsageError(str(exc)) from None
    for note in plan.notes:
        typer.echo(note, err=True)
    if dry_run:
        _sys.stdout.write(unified_diff(plan.changes))
        raise typer.Exit(1 if plan.changes else 0)
    report = write_all(root, plan.changes)
    for p in report.written:
        typer.echo(f"wrote {p}", err=True)
    if report.failed:
        raise UsageError("; ".join(f"not written {p}: {why}" for p, why in report.failed))


class ReportFormat(str, Enum):
    html = "html"
    markdown = "markdown"


@app.command()
def report(
    paths: Annotated[list[str], typer.Argument(help="Project folders or files.")],
    format: Annotated[ReportFormat, typer.Option("--format", "-f", help="html or markdown.")] = ReportFormat.html,
    output: OutputOpt = None,
    title: Annotated[str | None, typer.Option("--title", help="Report title (default: the folder name).")] = None,
    exclude: ExcludeOpt = [],  # noqa: B006
    config_file: ConfigOpt = None,
    no_cache: NoCacheOpt = False,
    jobs: JobsOpt = None,
) -> None:
    """Write the migration report: verdict, modules, model cards, blockers, diagram, data access.

    HTML is one self-contained page (inline CSS and SVG, no script, no network); Markdown renders on
    GitHub and GitLab (the diagram is a Mermaid block).
    """
    from sqlmig.report.pages import render

    cfg = _config(paths, config_file, [], [], [], None, None)
    if exclude:
        cfg = dataclasses.replace(cfg, extend_exclude=tuple(cfg.extend_exclude) + tuple(exclude))
    outcome = _execute(paths, cfg, no_cache, jobs)
    text = render(outcome.result, outcome.findings, format.value, title or Path(outcome.root).name)
    if output is not None:
        atomic_write(output, text)
        typer.echo(f"sqlmig: wrote {output}", err=True)
    else:
        typer.echo(text, nl=False)


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
    # A short-lived process that builds large, acyclic fact trees: the cyclic collector only costs
    # time here (a third of a warm run at 5000 files). Scan workers turn it back on for LibCST.
    gc.disable()
    try:
        code = app(standalone_mode=False)
        sys.exit(code if isinstance(code, int) else 0)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except (DiscoveryError, UsageError, ConfigError, BaselineError, RewriteError) as exc:
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


def entry() -> None:
    """The console script and ``python -m sqlmig``: ``main``, then leave at once.

    Tearing the interpreter down frees every object one by one: a quarter of a second after a
    5000-file analysis, for a process that is about to end anyway. Everything sqlmig writes is
    closed by then (files by their ``with`` blocks, the state by ``Run.settle``), so only the
    standard streams need flushing. ``main`` itself keeps ``sys.exit``: code that calls it in
    process (tests) gets control back.
    """
    try:
        main()
        code = 0
    except SystemExit as exc:
        if exc.code is None or isinstance(exc.code, int):
            code = exc.code or 0
        else:  # sys.exit("message"), as the interpreter would print it
            print(exc.code, file=sys.stderr)
            code = 1
    try:
        sys.stdout.flush()
    except (BrokenPipeError, ValueError):  # the reader went away (``| head``): nothing more to say
        code = code or 1
    try:
        sys.stderr.flush()
    except (BrokenPipeError, ValueError):
        pass
    spare.discard()  # the entry's spare scanner, if no run took it (a usage error, say)
    os._exit(code)

