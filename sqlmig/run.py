"""One analysis run as the commands see it: configuration, discovery, scan, analysis, filtering."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlmig.analyze import Result, analyze
from sqlmig.config import Config
from sqlmig.discover import DEFAULT_EXCLUDES, DiscoveryError, discover
from sqlmig.engine import scan_files
from sqlmig.ir import Finding


@dataclass
class Run:
    root: Path
    result: Result
    findings: list[Finding]  # after selection, file filter and baseline


def run(
    paths: list[str],
    config: Config,
    use_cache: bool = True,
    jobs: int | None = None,
    only: list[str] | None = None,
    progress: Callable[[int], Callable[[int], None] | None] | None = None,
    report_unused: bool = False,
) -> Run:
    """Analyse ``paths``; with ``only``, analyse the whole project but keep findings of those files."""
    excludes = (config.exclude if config.exclude is not None else DEFAULT_EXCLUDES) + config.extend_exclude
    base = config.root or Path.cwd()
    src = tuple((base / s).resolve() for s in config.src)
    files_root, files = discover(paths, excludes, use_defaults=False, src=src)
    tick = progress(len(files)) if progress else None
    result = analyze(scan_files(files, files_root, use_cache=use_cache, jobs=jobs, progress=tick))
    findings = list(result.findings)
    if report_unused:
        findings += result.unused_ignores
    findings = [f for f in findings if config.enabled(f.code, f.path)]
    if only is not None:
        wanted = set()
        for item in only:
            p = Path(item).resolve()
            try:
                wanted.add(p.relative_to(files_root).as_posix())
            except ValueError:
                raise DiscoveryError(f"{item} is outside the project root {files_root}") from None
        findings = [f for f in findings if f.path in wanted]
    findings.sort(key=lambda f: (f.path, f.line, f.col, f.code, f.subject))
    return Run(files_root, result, findings)
