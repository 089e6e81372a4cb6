"""A scanner process that loads LibCST before anyone knows whether it will be needed.

A run that has a state of the last one reads most facts from the cache and scans only what
changed: a file or two for ``check`` or after an edit; a cold run of a small project scans a few
dozen. Importing LibCST for them costs a third of a second, more than the rest of such a run's
scanning. A ``Spare`` imports it on the other core meanwhile, then scans what ``submit`` sends and
answers ``results``. The console entry starts one before it even loads the CLI (``start_early``);
the run takes it (``take``), or starts its own.

Jobs are paths, so ``submit`` never blocks on a full pipe; each answer carries the key of the bytes
the scanner read, which the caller compares with its own. The scanner only ever writes to its
pipe: ``close`` kills it, used or not. Its standard streams are /dev/null and it ignores Ctrl-C
(the interrupted parent closes the pipe). This module imports nothing of sqlmig's, so the entry
forks before loading anything.
"""

from __future__ import annotations

import gc
import marshal
import os
import signal
from collections.abc import Sequence


class Spare:
    MAX_REQUEST = 32768  # bytes of paths: well under a pipe's buffer

    def __init__(self) -> None:
        self.pid = self.jobs_w = self.results_r = -1
        jobs_r, jobs_w = os.pipe()
        results_r, results_w = os.pipe()
        try:
            pid = os.fork()
        except OSError:
            for fd in (jobs_r, jobs_w, results_r, results_w):
                os.close(fd)
            raise
        if pid == 0:  # the scanner: leaves without running any of the parent's exit code
            try:
                os.close(jobs_w)
                os.close(results_r)
                _detach()
                _spare_main(jobs_r, results_w)
            finally:
                os._exit(0)
        os.close(jobs_r)
        os.close(results_w)
        self.pid, self.jobs_w, self.results_r = pid, jobs_w, results_r

    def submit(self, jobs: list[tuple[str, str, str, bool, tuple]]) -> bool:
        """Send ``(abspath, relpath, module, is_package, aliases)`` per file to scan, once; False (nothing
        sent) if the request is too large or the scanner is gone."""
        payload = marshal.dumps(jobs)
        if self.jobs_w < 0 or len(payload) > self.MAX_REQUEST:
            return False
        try:
            os.write(self.jobs_w, payload)
        except OSError:
            return False
        finally:
            _close(self, "jobs_w")
        return True

    def results(self, count: int) -> list[tuple[str, bytes] | None] | None:
        """``(key, blob)`` per job sent (None where a file could not be read), or None if the
        scanner failed."""
        if self.results_r < 0:
            return None
        try:
            with os.fdopen(self.results_r, "rb") as fh:
                payload = fh.read()
        except OSError:
            return None
        finally:
            self.results_r = -1
        try:
            answers = marshal.loads(payload)
        except (ValueError, EOFError, TypeError):
            return None
        if type(answers) is not list or len(answers) != count or not all(
                a is None or (type(a) is tuple and len(a) == 2 and type(a[0]) is str and type(a[1]) is bytes)
                for a in answers):
            return None
        return answers

    def close(self) -> None:
        """End the scanner, whatever it is doing, and reap it."""
        _close(self, "jobs_w")
        _close(self, "results_r")
        if self.pid > 0:
            pid, self.pid = self.pid, -1
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass


def _close(spare: Spare, attr: str) -> None:
    fd = getattr(spare, attr)
    if fd >= 0:
        setattr(spare, attr, -1)
        os.close(fd)


def _detach() -> None:
    """Standard streams to /dev/null: the scanner holds no pipe the command's caller reads."""
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    os.close(null)


def _spare_main(jobs_r: int, results_w: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    gc.disable()
    from sqlmig.engine import _scanned_blob, key  # LibCST too: the import is what starts early
    from sqlmig.scan import scan_source  # noqa: F401

    with os.fdopen(jobs_r, "rb") as fh:
        payload = fh.read()
    if not payload:
        return
    answers: list[tuple[str, bytes] | None] = []
    for abspath, relpath, module, is_package, aliases in marshal.loads(payload):
        try:
            with open(abspath, "rb") as fh:
                data = fh.read()
        except OSError:
            answers.append(None)
            continue
        answers.append((key(relpath, module, is_package, data, aliases),
                        _scanned_blob(relpath, module, is_package, data, aliases)))
    with os.fdopen(results_w, "wb") as fh:
        fh.write(marshal.dumps(answers))


# --------------------------------------------------------------------------- the console entry's

_early: Spare | None = None


def start_early(argv: Sequence[str]) -> None:
    """Start a spare for the run ``argv`` asks for, if it is one that may use it (``analyze`` or
    ``check`` on more than one core). A cold run of a project small enough to scan in one process
    sends it every file; a bigger one closes it as the pool starts (it only took the idle core)."""
    global _early
    if _early is not None or not argv or argv[0] not in ("analyze", "check") or (os.cpu_count() or 1) < 2:
        return
    if any(a in ("-j", "--jobs", "-h", "--help") or a.startswith("--jobs=") for a in argv):
        return
    try:
        _early = Spare()
    except OSError:
        _early = None


def take() -> Spare | None:
    """The spare ``start_early`` started, if any: the caller's to use and close now."""
    global _early
    spare, _early = _early, None
    return spare


def discard() -> None:
    """Close a spare nobody took (a usage error, say), before the process ends."""
    spare = take()
    if spare is not None:
        spare.close()
