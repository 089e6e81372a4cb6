"""One analysis run as the commands see it: configuration, discovery, scan, analysis, filtering."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from importlib import import_module
from dataclasses import dataclass
from pathlib import Path

from typing import TYPE_CHECKING

from sqlmig import spare as spares
from sqlmig import state as saved
from sqlmig.cache import Cache
from sqlmig.config import Config
from sqlmig.discover import (DEFAULT_EXCLUDES, DiscoveryError, SourceFile, analysis_root, default_src, discover,
                             source_file)
from sqlmig.engine import (PARALLEL_MIN_FILES, Ident, Spare, Workers, identify, read_and_scan, scan_files,
                           worker_count)
from sqlmig.ir import Finding

if TYPE_CHECKING:  # imported when needed: a warm run prints a stored report without them
    from sqlmig.analyze import Result


@dataclass
class Run:
    root: Path
    result: Result | None  # None when how == "output"
    findings: list[Finding]  # after selection, file filter and baseline
    how: str = "full"  # full | stored (an unchanged project's last result) | cone (see cone.py) | output
    analysed: int = 0  # files whose facts the analysis read
    rid: str = ""  # which run of the project this is (state.run_id)
    combined: str | None = None  # the key of all files as read (state.combined_key); None without the cache
    payload: str | None = None  # how == "output": the report rendered last time, with these settings
    failing: bool = False  # how == "output": whether that report had findings at or above --fail-on

    pending: Callable[[], None] | None = None  # the state still to save (``run(defer_save=True)``)
    saver: int | None = None  # the child process saving it

    def save_in_background(self) -> None:
        """Save the run's state in a forked child while the caller renders the report (both cost
        about half a second at 5000 files); where processes cannot fork, save it now."""
        job, self.pending = self.pending, None
        if job is None:
            return
        try:
            pid = os.fork()
        except (AttributeError, OSError):
            job()
            return
        if pid == 0:  # the child: save, and leave without running any of the parent's exit code
            try:
                job()
            finally:
                os._exit(0)
        self.saver = pid

    def settle(self) -> None:
        """Wait until the state is saved (before the process exits: the next run reads it)."""
        if self.pending is not None:
            job, self.pending = self.pending, None
            job()
        if self.saver is not None:
            pid, self.saver = self.saver, None
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass

    def remember(self, settings: str | None, payload: str, failing: bool) -> None:
        """Keep the report rendered from this run for the next run with the same files and settings."""
        if settings is not None and self.combined is not None and self.how != "output":
            saved.save_output(self.root, self.rid, settings, self.combined, payload, failing)


def run(
    paths: list[str],
    config: Config,
    use_cache: bool = True,
    jobs: int | None = None,
    only: list[str] | None = None,
    progress: Callable[[int], Callable[[int], None] | None] | None = None,
    report_unused: bool = False,
    reuse: bool = False,
    settings: str | None = None,
    defer_save: bool = False,
) -> Run:
    """Analyse ``paths``; with ``only``, report on those files (``analyze.scoped``) of the project.

    With ``reuse`` (and the cache on), a project whose files are all unchanged since the last full
    run gets that run's result back, and with ``only`` the analysis may be narrowed to the modules
    those files can depend on when nothing else changed. The result then carries no index and no
    per-class build information, which only the rewrite and migrate need (they never reuse).
    ``settings`` (``state.settings_key`` of what the report depends on): with ``reuse``, files
    unchanged since a report was rendered with these settings give that report back
    (``how == "output"``, no result); the caller renders otherwise and may ``remember`` it.
    ``defer_save``: a full analysis leaves saving its state to ``Run.save_in_background`` and
    ``Run.settle``, which the caller must call.
    """
    excludes = (config.exclude if config.exclude is not None else DEFAULT_EXCLUDES) + config.extend_exclude
    base = config.root or Path.cwd()
    src = tuple((base / s).resolve() for s in config.src) if config.src else default_src(paths)
    spare = taken = spares.take()  # started by the console entry, if it did (closed below, used or not)
    wait = None
    if reuse and use_cache and only:
        wait = _prescan(paths, only, src, spare)
        spare = None if wait is not None else spare  # the prescan has it now (or it is no use)
    root = analysis_root(paths)  # the root discover names files by
    rid = saved.run_id(root, paths, excludes, src)
    early: list[Workers] = []
    many = _early_start(root, rid, use_cache, jobs, early)
    if many is not None and spare is not None:  # cold: the pool scans, unless the project is small
        many = _closing_first(spare, many)
    elif spare is None and wait is None:
        spare = _spare(root, rid, use_cache, jobs)
    try:
        files_root, files = discover(paths, excludes, use_defaults=False, src=src, many=many)
        wanted = _wanted(only, files_root)
        prior = saved.load(files_root, rid) if use_cache else None
        # with nothing known of the last run every file is read anyway: by the scan's workers (read_and_scan)
        idents = identify(files, prior.files, prior.written_ns) if prior is not None else None
        if wait is not None:
            import_module("sqlmig.analyze")  # while the child parses the file: the cone needs it
            wait()
        combined = saved.combined_key(files, idents) if use_cache and idents is not None else None
        if reuse and combined is not None and settings is not None:
            stored = saved.load_output(files_root, rid, settings, combined)
            if stored is not None:
                return Run(files_root, None, [], "output", 0, rid, combined, stored[0], stored[1])
        from sqlmig.analyze import analyze, scoped  # not needed for a stored report
        result, how, analysed, pending = None, "full", len(files), None
        if reuse and prior is not None:
            if combined == prior.combined:
                result, how, analysed = saved.load_result(files_root, rid, combined), "stored", 0
            if result is None and wanted is not None:
                narrowed = _narrowed(files, idents, prior, wanted, files_root, use_cache, jobs)
                if narrowed is not None:
                    result, analysed = narrowed
                    how = "cone"
        if result is None:
            tick = progress(len(files)) if progress else None
            outlines: dict = {}
            if idents is None:
                idents, modules = read_and_scan(files, files_root, use_cache=use_cache, jobs=jobs, progress=tick,
                                                outlines=outlines if use_cache else None, complete=True,
                                                workers=early[0] if early else None, spare=spare)
                for workers in early:  # idle from here on
                    workers.close()
            else:
                modules = scan_files(files, files_root, use_cache=use_cache, jobs=jobs, progress=tick, idents=idents,
                                     outlines=outlines if use_cache else None, complete=True, spare=spare)
            result, how = analyze(modules), "full"
        if how != "stored" and use_cache:  # a file read by the scan is keyed by what was read, not by its stat
            combined = saved.combined_key(files, idents)
        if how == "full" and use_cache:
            def save_state(result: Result = result, modules: list = modules, combined: str = combined) -> None:
                saved.save(files_root, rid, files, idents, modules, outlines, result, combined)

            if defer_save:
                pending = save_state
            else:
                save_state()
        if wanted is not None:
            result = scoped(result, wanted)
        findings = list(result.findings)
        if report_unused:
            findings += result.unused_ignores
        findings = [f for f in findings if config.enabled(f.code, f.path)]
        if wanted is not None:
            findings = [f for f in findings if f.path in wanted]
        findings.sort(key=lambda f: (f.path, f.line, f.col, f.code, f.subject))
        return Run(files_root, result, findings, how, analysed, rid, combined, pending=pending)
    finally:
        for workers in early:  # before the caller forks the saving child: no pool thread left
            workers.close()
        for scanner in (taken, spare):
            if scanner is not None:
                scanner.close()


def _early_start(root: Path, rid: str, use_cache: bool, jobs: int | None,
                 early: list[Workers]) -> tuple[int, Callable[[], None]] | None:
    """With no state of a last run every file gets scanned: ``discover``'s ``many`` hook that starts
    the workers (into ``early``) once it has found enough files. None when nothing will be started."""
    if worker_count(jobs) <= 1 or (use_cache and saved.has_state(root, rid)):
        return None

    def start() -> None:
        try:
            early.append(Workers(root, use_cache, jobs))
        except (OSError, ValueError, RuntimeError):  # no processes to be had now: the scan tries again
            pass

    return PARALLEL_MIN_FILES, start


def _closing_first(spare: Spare, many: tuple[int, Callable[[], None]]) -> tuple[int, Callable[[], None]]:
    """``many`` (the hook that starts the pool once discovery found enough files), closing ``spare``
    first: a project that big is scanned by the pool; a smaller one by the spare."""
    count, start = many

    def close_then_start() -> None:
        spare.close()
        start()

    return count, close_then_start


def _spare(root: Path, rid: str, use_cache: bool, jobs: int | None) -> Spare | None:
    """With a state of the last run, most files are likely cached and a few changed: a ``Spare``
    scanner loads LibCST meanwhile (see there). None on one core, or where LibCST is loaded already."""
    if not use_cache or worker_count(jobs) <= 1 or "libcst" in sys.modules or not saved.has_state(root, rid):
        return None
    try:
        return Spare()
    except OSError:  # no process to be had: the scan runs here
        return None


def _prescan(paths: list[str], only: list[str], src: tuple[Path, ...],
             spare: Spare | None) -> Callable[[], None] | None:
    """Scan the few files ``check`` reports on into the cache while the project is discovered, in
    ``spare`` or else a new ``Spare``; the returned function waits and closes it. None when there
    is nothing to send or no process to send it to (the run then scans those files itself)."""
    if len(only) > PRESCAN_MAX:
        return None
    root = analysis_root(paths)
    targets = [source_file(p, root, src) for p in (Path(item).resolve() for item in only)
               if p.suffix == ".py" and p.is_file()]
    if not targets:
        return None
    if spare is None:
        try:
            spare = Spare()
        except OSError:
            return None
    if not spare.submit([(f.abspath, f.relpath, f.module, f.is_package, f.aliases) for f in targets]):
        spare.close()
        return None

    def wait() -> None:
        try:
            answers = spare.results(len(targets)) or []
        finally:
            spare.close()
        cache = Cache(root)
        for answer in answers:
            if answer is not None:
                cache.put(*answer)
        cache.flush()

    return wait


PRESCAN_MAX = 16


def _wanted(only: list[str] | None, files_root: Path) -> set[str] | None:
    if only is None:
        return None
    wanted = set()
    for item in only:
        p = Path(item).resolve()
        try:
            wanted.add(p.relative_to(files_root).as_posix())
        except ValueError:
            raise DiscoveryError(f"{item} is outside the project root {files_root}") from None
    return wanted


def _narrowed(files: list[SourceFile], idents: list[Ident], prior: saved.State, wanted: set[str],
              root: Path, use_cache: bool, jobs: int | None) -> tuple[Result, int] | None:
    """The analysis of the cone of ``wanted``, if no other file changed since the last full run."""
    from sqlmig.analyze import analyze
    from sqlmig.cone import UNKNOWN_TABLE, cone

    if prior.outlines is None or prior.imports is None:
        return None  # edited or damaged: the cone cannot be trusted
    if any(UNKNOWN_TABLE in o.tables for o in prior.outlines.values()):
        return None  # a table named by code: a foreign key may point at it, which no outline shows
    if {f.relpath for f in files} != set(prior.files) or set(prior.outlines) - set(prior.files):
        return None  # files came or went (or were unreadable): the outlines no longer describe the project
    changed = {f.relpath for f, i in zip(files, idents) if i.key is None or prior.files[f.relpath][0] != i.key}
    if not changed <= wanted:
        return None
    index = {f.relpath: n for n, f in enumerate(files)}
    targets = sorted(p for p in wanted if p in index)
    fresh: dict = {}
    target_facts = {p: m for p, m in zip(targets, scan_files([files[index[p]] for p in targets], root,
                                                               use_cache=use_cache, jobs=1, outlines=fresh,
                                                               idents=[idents[index[p]] for p in targets]))}
    if any(m.error is not None for m in target_facts.values()):
        return None
    outlines = {**prior.outlines, **fresh}
    chosen = sorted(cone(targets, outlines, prior.imports) | set(targets))
    rest = [p for p in chosen if p not in target_facts]
    modules = list(target_facts.values()) + scan_files([files[index[p]] for p in rest], root,
                                                        use_cache=use_cache, jobs=jobs,
                                                        idents=[idents[index[p]] for p in rest])
    modules.sort(key=lambda m: index[m.path])
    result = analyze(modules)
    ix = result.index
    if ix is not None and {m.module for m in target_facts.values()} & ix.declarative_base_modules:
        return None  # SQM214 on a base a checked file defines counts the bases of the whole project
    return result, len(modules)
