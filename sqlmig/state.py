"""What the last full analysis of a project saw, so the next run can do less.

``.sqlmig_cache/<version>/state-<run>.json`` records per file its content key, size and mtime and
an outline of the module (what it imports, which classes and table names it defines);
``result-<run>.bin`` holds that run's result (marshalled: it loads in half the time JSON takes),
and ``output-<run>-<settings>.txt`` the last report rendered from a run's files with some
settings (format, rule selection, ...). Uses:

- a rerun over unchanged files with settings seen before prints the stored report, without loading
  a result or rendering one (warm runs); with other settings it renders the stored result;
- ``check FILES``, when no other file changed, analyses the given files together with the modules
  they can depend on (the *cone*) instead of the whole project.

All are written whole (temporary file, then rename) behind a checksum; one that does not
load is ignored and the run analyses everything. The checksum catches damage, not forgery: a state
file's outlines are checked for shape as well, a result file's content is trusted.
"""

from __future__ import annotations

import hashlib
import json
import marshal
import time
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from typing import TYPE_CHECKING

from sqlmig import __version__
from sqlmig.cache import CACHE_DIR, FORMAT, seal, seal_blob, unseal, unseal_blob
from sqlmig.cone import Outline, project_imports
from sqlmig.discover import SourceFile
from sqlmig.fsutil import atomic_write
from sqlmig.ir import Finding, Model, ModuleFacts, Pair, Schema, Verdict, pack, unpacker

if TYPE_CHECKING:  # a warm run prints a stored report without loading the analysis
    from sqlmig.analyze import Result
    from sqlmig.engine import Ident

STATE_FORMAT = "2"  # 2: each file's naming


def _dir(root: Path) -> Path:
    return root / CACHE_DIR / f"v{__version__}-{FORMAT}"


def run_id(root: Path, paths: list[str], excludes: tuple[str, ...], src: tuple[Path, ...]) -> str:
    """Which run a state belongs to: the same root analysed with other paths or excludes is another."""
    ident = json.dumps([str(root), sorted(str(Path(p).resolve()) for p in paths), list(excludes),
                        [str(s) for s in src]])
    return hashlib.sha256(ident.encode()).hexdigest()[:16]


def combined_key(files: list[SourceFile], idents: list[Ident]) -> str:
    h = hashlib.sha256(STATE_FORMAT.encode())
    for f, ident in zip(files, idents):
        h.update(f"{f.relpath}\0{ident.key or 'unreadable:' + (ident.error or '')}\n".encode())
    return h.hexdigest()


@dataclass
class State:
    written_ns: int = 0
    combined: str = ""
    # relpath -> (key, mtime_ns, size, SourceFile.naming)
    files: dict[str, tuple[str, int, int, str]] = field(default_factory=dict)
    stored: dict = field(default_factory=dict, repr=False)  # the state's "outlines" and "imports" as read

    @cached_property
    def outlines(self) -> dict[str, Outline] | None:
        """relpath -> ``cone.outline()``; None for outlines edited or damaged by hand, which must not
        reach the cone. Built when the cone asks: a warm run needs only the files' keys."""
        try:
            outlines = {str(k): Outline(*v) for k, v in self.stored["outlines"].items()}
        except (KeyError, TypeError, AttributeError, ValueError):
            return None
        for o in outlines.values():
            if not (isinstance(o.module, str) and isinstance(o.loose, dict)
                    and all(isinstance(x, list) and all(isinstance(i, str) for i in x)
                            for x in (o.imports, o.classes, o.tables, o.stems, o.fields, o.words, *o.loose.values()))):
                return None
        return outlines

    @cached_property
    def imports(self) -> dict[str, list[str]] | None:
        """relpath -> ``cone.project_imports()``; None when damaged."""
        try:
            return {str(k): [str(p) for p in v] for k, v in self.stored["imports"].items()}
        except (KeyError, TypeError, AttributeError, ValueError):
            return None


def _write(path: Path, text: str | bytes) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, text)
    except OSError:
        pass  # a read-only tree is analysed all the same, just not remembered


def has_state(root: Path, rid: str) -> bool:
    """Whether a state of the run ``rid`` is there at all (``load`` may still find it unusable)."""
    return (_dir(root) / f"state-{rid}.json").exists()


def load(root: Path, rid: str) -> State | None:
    try:
        with open(_dir(root) / f"state-{rid}.json", encoding="utf-8") as fh:
            data = json.loads(unseal(fh.read()))
        return State(int(data["written_ns"]), str(data["combined"]),
                     {str(k): (str(v[0]), int(v[1]), int(v[2]), str(v[3])) for k, v in data["files"].items()},
                     {"outlines": data["outlines"], "imports": data["imports"]})
    except (OSError, ValueError, TypeError, KeyError, IndexError, AttributeError):
        return None


def save(root: Path, rid: str, files: list[SourceFile], idents: list[Ident], modules: list[ModuleFacts],
         outlines: dict[str, Outline], result: Result, combined: str) -> None:
    """Remember a full analysis: the files as they were (``combined``: their ``combined_key``), their
    outlines, and the result."""
    state = {
        "written_ns": time.time_ns(),
        "combined": combined,
        "files": {f.relpath: [i.key, i.mtime_ns, i.size, f.naming] for f, i in zip(files, idents) if i.key is not None},
        "outlines": {m.path: outlines[m.path] for m in modules if m.error is None and m.path in outlines},
    }
    state["imports"] = project_imports(state["outlines"])
    slim = [ModuleFacts(path=m.path, module=m.module, lines=m.lines, ignore_file=m.ignore_file,
                        ignores=m.ignores, error=m.error) for m in result.modules]
    stored = {
        "combined": combined,
        "modules": [pack(m) for m in slim],
        "models": [pack(m) for m in result.models],
        "schemas": [pack(s) for s in result.schemas],
        "pairs": [pack(p) for p in result.pairs],
        "findings": [pack(f) for f in result.findings],
        "readiness": [pack(v) for v in result.readiness],
        "blocked": result.blocked,
        "unused_ignores": [pack(f) for f in result.unused_ignores],
    }
    # the result first: a state is only trusted with the result of the same files next to it
    _write(_dir(root) / f"result-{rid}.bin", seal_blob(marshal.dumps(stored)))
    _write(_dir(root) / f"state-{rid}.json", seal(json.dumps(state, separators=(",", ":"))))


def load_result(root: Path, rid: str, combined: str) -> Result | None:
    """The stored result of the run ``rid`` if it was computed from exactly these files."""
    from sqlmig.analyze import Result

    try:
        with open(_dir(root) / f"result-{rid}.bin", "rb") as fh:
            data = marshal.loads(unseal_blob(fh.read()))
        if data.get("combined") != combined:
            return None
        modules = [unpacker(ModuleFacts)(m) for m in data["modules"]]
        return Result(
            modules=modules,
            models=[unpacker(Model)(m) for m in data["models"]],
            schemas=[unpacker(Schema)(s) for s in data["schemas"]],
            pairs=[unpacker(Pair)(p) for p in data["pairs"]],
            findings=[unpacker(Finding)(f) for f in data["findings"]],
            readiness=[unpacker(Verdict)(v) for v in data["readiness"]],
            blocked={str(k): list(v) for k, v in data["blocked"].items()},
            unused_ignores=[unpacker(Finding)(f) for f in data["unused_ignores"]],
        )
    except (OSError, ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError, EOFError):
        return None


OUTPUTS_KEPT = 8  # rendered reports kept per run (one per format, say); the oldest go first


def settings_key(*settings: object) -> str:
    """A short name for what a rendered report depends on besides the files (JSON-able parts)."""
    return hashlib.sha256(json.dumps(settings, sort_keys=True, default=str).encode()).hexdigest()[:16]


def load_output(root: Path, rid: str, settings: str, combined: str) -> tuple[str, bool] | None:
    """The report last rendered with ``settings`` from exactly these files, and whether it failed."""
    try:
        with open(_dir(root) / f"output-{rid}-{settings}.txt", encoding="utf-8", newline="") as fh:
            header, _, payload = unseal(fh.read()).partition("\n")
        meta = json.loads(header)
        if meta["combined"] != combined or not isinstance(meta["failing"], bool):
            return None
        return payload, meta["failing"]
    except (OSError, ValueError, TypeError, KeyError):
        return None


def save_output(root: Path, rid: str, settings: str, combined: str, payload: str, failing: bool) -> None:
    """Keep a rendered report for the next run over the same files with the same settings."""
    folder = _dir(root)
    header = json.dumps({"combined": combined, "failing": failing}, separators=(",", ":"))
    try:
        _write(folder / f"output-{rid}-{settings}.txt", seal(header + "\n" + payload))
    except UnicodeError:  # a report holding what UTF-8 cannot encode is simply not kept
        return
    try:
        kept = sorted(folder.glob(f"output-{rid}-*.txt"), key=lambda p: p.stat().st_mtime_ns, reverse=True)
        for old in kept[OUTPUTS_KEPT:]:
            old.unlink()
    except OSError:
        pass
