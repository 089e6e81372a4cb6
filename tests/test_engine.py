"""Scanning engine: the cache and the process pool must not change any result."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from sqlmig.analyze import analyze
from sqlmig.cache import CACHE_DIR
from sqlmig.config import Config
from sqlmig.discover import discover
from sqlmig.engine import scan_files
from sqlmig.report.json import document
from sqlmig.run import run
from tests.conftest import write_tree

MODELS = """
from sqlalchemy import Column, ForeignKey, Integer, String
from sqlalchemy.orm import declarative_base, relationship

Base = declarative_base()


class Author{n}(Base):
    __tablename__ = "authors_{n}"
    id = Column(Integer, primary_key=True)
    name = Column(String(40), nullable=False)


class Book{n}(Base):
    __tablename__ = "books_{n}"
    id = Column(Integer, primary_key=True)
    author_id = Column(ForeignKey("authors_{n}.id"))
    author = relationship("Author{n}")
"""

SCHEMAS = """
from pydantic import BaseModel


class Author{n}Out(BaseModel):
    id: int
    name: str | None
"""


def _tree(tmp_path: Path, count: int = 60) -> Path:
    files = {"lib/__init__.py": ""}
    for n in range(count):
        files[f"lib/m{n}.py"] = MODELS.replace("{n}", str(n))
        files[f"lib/s{n}.py"] = SCHEMAS.replace("{n}", str(n))
    return write_tree(tmp_path, files)


def _doc(root: Path, **kw) -> dict:
    r, files = discover([str(root)])
    return document(analyze(scan_files(files, r, **kw)))


def test_parallel_cached_and_serial_results_are_identical(tmp_path):
    root = _tree(tmp_path)
    serial = _doc(root, use_cache=False, jobs=1)
    parallel = _doc(root, use_cache=False, jobs=2)
    cold = _doc(root, use_cache=True, jobs=2)
    warm = _doc(root, use_cache=True, jobs=2)
    assert serial == parallel == cold == warm
    assert len(serial["models"]) == 120 and len(serial["pairs"]) == 60
    assert (root / CACHE_DIR / ".gitignore").read_text() == "*\n"


def _packs(root: Path) -> list[Path]:
    return sorted((root / CACHE_DIR).glob("*/packs/*.pack"))


def _damage(pack: Path, how: int) -> None:
    data = pack.read_bytes()
    header = data.index(b"\n") + 1
    if how == 0:  # an entry's byte changed
        pack.write_bytes(data[:header + 40] + bytes([data[header + 40] ^ 1]) + data[header + 41:])
    elif how == 1:  # cut short
        pack.write_bytes(data[: len(data) * 2 // 3])
    elif how == 2:  # the index changed
        pack.write_bytes(data[:30] + b"0" + data[31:])
    elif how == 3:  # not a pack at all
        pack.write_bytes(b"{}")
    elif how == 4:
        pack.write_bytes(b"")
    else:  # the index replaced by a valid-looking one pointing past the end
        pack.write_bytes(b'x' * 16 + b'{"k":[99999,5]}\n' + data[header:])


def test_damaged_packs_are_ignored_and_rebuilt(tmp_path):
    root = _tree(tmp_path, 3)
    expected = _doc(root, use_cache=False, jobs=1)
    for how in range(6):
        _doc(root, use_cache=True, jobs=1, complete=True)
        packs = _packs(root)
        assert len(packs) == 1
        _damage(packs[0], how)
        assert _doc(root, use_cache=True, jobs=1, complete=True) == expected, how
        assert _doc(root, use_cache=True, jobs=1, complete=True) == expected, how
        for pack in _packs(root):
            pack.unlink()


def test_a_cold_run_writes_one_pack_and_warm_runs_write_none(tmp_path):
    root = _tree(tmp_path, 5)
    _doc(root, use_cache=True, jobs=2, complete=True)
    first = _packs(root)
    assert len(first) == 1
    _doc(root, use_cache=True, jobs=2, complete=True)
    assert _packs(root) == first
    assert not list((root / CACHE_DIR).rglob(".tmp-*"))


def test_packs_are_merged_and_stale_entries_dropped(tmp_path):
    from sqlmig.cache import MERGE_AT

    root = _tree(tmp_path, 2)
    _doc(root, use_cache=True, jobs=1, complete=True)
    for n in range(MERGE_AT):  # each edit adds a pack holding the new version of m0; the last merges
        (root / "lib/m0.py").write_text(MODELS.replace("{n}", "0").replace("String(40)", f"String({41 + n})"))
        doc = _doc(root, use_cache=True, jobs=1, complete=True)
    packs = _packs(root)
    assert len(packs) == 1
    index = json.loads(packs[-1].read_bytes().split(b"\n", 1)[0][16:])
    assert len(index) == 5  # the five files as they are now; the old versions of m0 are gone
    assert doc == _doc(root, use_cache=False, jobs=1)


def test_partial_runs_keep_every_entry(tmp_path):
    from sqlmig.cache import Cache

    root = _tree(tmp_path, 2)
    _doc(root, use_cache=True, jobs=1, complete=True)
    (root / "lib/m0.py").write_text("x = 1\n")
    r, files = discover([str(root)])
    scan_files([f for f in files if f.relpath == "lib/m0.py"], r, use_cache=True, jobs=1)  # as check does
    cache = Cache(r)
    assert len(cache._index()) == 6  # the partial run added its entry and dropped none
    cache.close()


def test_concurrent_runs_share_the_cache(tmp_path):
    """Two processes analysing the same tree at once, twice: every result is the full one."""
    import subprocess
    import sys

    root = _tree(tmp_path, 40)
    expected = json.dumps(_doc(root, use_cache=False, jobs=1), sort_keys=True)
    code = ("import json, sys; from tests.test_engine import _doc; from pathlib import Path; "
            "print(json.dumps(_doc(Path(sys.argv[1]), use_cache=True, jobs=2, complete=True), sort_keys=True))")
    here = Path(__file__).resolve().parent.parent
    for _ in range(2):
        procs = [subprocess.Popen([sys.executable, "-c", code, str(root)], cwd=here, stdout=subprocess.PIPE, text=True)
                 for _ in range(3)]
        outs = [p.communicate()[0].strip() for p in procs]
        assert all(p.returncode == 0 for p in procs)
        assert all(out == expected for out in outs)
    assert _packs(root)


def test_cache_follows_content(tmp_path):
    root = _tree(tmp_path, 1)
    first = _doc(root, use_cache=True, jobs=1)
    (root / "lib/m0.py").write_text(MODELS.replace("{n}", "0").replace("String(40)", "String(41)"))
    second = _doc(root, use_cache=True, jobs=1)
    length = [c["length"] for m in second["models"] for c in m["columns"] if c["attr"] == "name"]
    assert first != second and length == [41]


def test_a_file_named_otherwise_now_is_scanned_again_though_its_stat_is_the_same(tmp_path):
    """Regression: a new ``__init__.py`` renames the files below it (``m`` becomes ``pkg.m``); the
    state's size-and-mtime shortcut kept the old name's facts until the file itself changed."""
    root = write_tree(tmp_path, {"pkg/m.py": "from pydantic import BaseModel\n\n\nclass A(BaseModel):\n    x: int\n"})
    old = time.time() - 60  # well before the run: not a racy file, which would be reread anyway
    os.utime(root / "pkg/m.py", (old, old))
    assert [s.qualname for s in run([str(root)], Config(), jobs=1).result.schemas] == ["m.A"]
    (root / "pkg/__init__.py").write_text("")
    assert [s.qualname for s in run([str(root)], Config(), jobs=1).result.schemas] == ["pkg.m.A"]


def test_cache_format_round_trips_every_fact_of_the_samples():
    """Cache entries are positional arrays (ir.pack); decoding must give back equal facts, types included."""
    from sqlmig.cache import decode, encode
    from sqlmig.scan import scan_source
    from tests.conftest import ROOT, SAMPLES

    count = 0
    for base in (SAMPLES, ROOT / "tests/fixtures"):
        root, files = discover([str(base)])
        for f in files:
            facts = scan_source(f.relpath, f.module, f.is_package, Path(f.abspath).read_bytes(), f.aliases)
            back, outline = decode(encode(facts))
            assert (outline is None) == (facts.error is not None)
            assert back == facts and repr(back) == repr(facts), f.relpath
            count += 1
    assert count > 100


def test_workers_that_read_the_files_themselves_give_the_same_result(tmp_path):
    """With nothing known of a last run, the workers read, key and look up each file
    (``read_and_scan``): a file that vanished after discovery, damaged cache entries and entries
    sealed over the wrong content all end as in the serial run."""
    import marshal

    from sqlmig.cache import Cache, seal_blob
    from sqlmig.engine import read_and_scan

    root = _tree(tmp_path, 30)
    r, files = discover([str(root)])
    (root / "lib/s7.py").unlink()  # after discovery: cannot be read
    serial = document(analyze(scan_files(files, r, use_cache=False, jobs=1)))
    assert any(e["path"] == "lib/s7.py" and e["code"] == "SQM002" for e in serial["errors"])
    idents, facts = read_and_scan(files, r, use_cache=True, jobs=2, complete=True)
    assert document(analyze(facts)) == serial
    assert [i.key is None for i in idents] == [f.relpath == "lib/s7.py" for f in files]
    assert document(analyze(scan_files(files, r, use_cache=True, jobs=2))) == serial  # from the cache
    for how in range(6):
        _damage(_packs(root)[0], how)
        assert document(analyze(scan_files(files, r, use_cache=True, jobs=2, complete=True))) == serial, how
        for pack in _packs(root)[:-1]:
            pack.unlink()
    # entries whose seal holds but whose content is not facts: the parent cannot decode them
    cache = Cache(r)
    keys = list(cache._index())
    cache.close()
    for pack in _packs(root):
        pack.unlink()
    bogus = Cache(r)
    for k in keys:
        bogus.put(k, seal_blob(marshal.dumps(["not", "facts"])))
    bogus.flush()
    outlines: dict = {}
    idents, facts = read_and_scan(files, r, use_cache=True, jobs=2, outlines=outlines, complete=True)
    assert document(analyze(facts)) == serial
    assert len(outlines) == len(files) - 1
    fixed = Cache(r)
    assert all(fixed.get(k) is not None for k in keys)  # scanned again and stored over the bogus ones
    fixed.close()


def test_workers_start_during_discovery_only_when_a_cold_run_will_use_them(tmp_path, monkeypatch):
    """No state of a last run and enough files: the scan's workers start while discovery is still
    going (they import LibCST meanwhile), the result is the usual one, and the pool is closed on
    every path, an error included. With a state, or too few files, none start early."""
    import pytest

    from sqlmig import discover as disc
    from sqlmig import engine
    from sqlmig import run as run_mod
    from sqlmig.config import Config
    from sqlmig.discover import DiscoveryError

    events: list[str] = []
    real_init, real_close, real_discover = engine.Workers.__init__, engine.Workers.close, disc.discover

    def init(self, *a, **kw):
        events.append("start")
        real_init(self, *a, **kw)

    def close(self):
        events.append("close")
        real_close(self)

    def discover(*a, **kw):
        out = real_discover(*a, **kw)
        events.append("discovered")
        return out

    monkeypatch.setattr(engine.Workers, "__init__", init)
    monkeypatch.setattr(engine.Workers, "close", close)
    monkeypatch.setattr(run_mod, "discover", discover)
    root = _tree(tmp_path / "big", 30)
    expected = _doc(root, use_cache=False, jobs=1)
    events.clear()
    outcome = run_mod.run([str(root)], Config(), use_cache=True, jobs=2)
    assert events[:2] == ["start", "discovered"] and events.count("start") == 1 and events[-1] == "close"
    assert document(outcome.result) == expected
    events.clear()
    assert run_mod.run([str(root)], Config(), use_cache=True, jobs=2, reuse=True).how == "stored"
    assert "start" not in events  # a state is there: the files may need no scan at all
    events.clear()
    run_mod.run([str(root)], Config(), use_cache=False, jobs=2)
    assert events[0] == "start"  # --no-cache: every file is scanned
    small = _tree(tmp_path / "small", 3)
    events.clear()
    run_mod.run([str(small)], Config(), use_cache=True, jobs=2)
    assert "start" not in events
    events.clear()
    with pytest.raises(DiscoveryError):
        run_mod.run([str(root / "lib")], Config(), use_cache=False, jobs=2, only=[str(tmp_path / "elsewhere.py")])
    assert events[0] == "start" and events[-1] == "close"


def test_workers_that_cannot_start_early_leave_the_scan_to_start_them(tmp_path, monkeypatch):
    """Regression (found rereading the change): a pool that fails to start during discovery (no
    processes to be had) must not fail the run; the scan starts its own."""
    from sqlmig import engine
    from sqlmig import run as run_mod
    from sqlmig.config import Config

    real_init = engine.Workers.__init__
    calls = []

    def init(self, *a, **kw):
        calls.append(1)
        if len(calls) == 1:
            raise OSError("Resource temporarily unavailable")
        real_init(self, *a, **kw)

    monkeypatch.setattr(engine.Workers, "__init__", init)
    root = _tree(tmp_path, 30)
    outcome = run_mod.run([str(root)], Config(), use_cache=False, jobs=2)
    assert len(calls) == 2 and document(outcome.result) == _doc(root, use_cache=False, jobs=1)


def _changed_run(root: Path, spare, edits: dict[str, str]):
    """Scan ``root`` into the cache, change ``edits``, and scan again with ``spare`` (the state's
    keys of the unchanged files are what ``identify`` finds)."""
    from sqlmig.engine import identify

    r, files = discover([str(root)])
    scan_files(files, r)
    for name, text in edits.items():
        (root / name).write_text(text)
    r, files = discover([str(root)])
    idents = identify(files)
    return files, idents, scan_files(files, r, idents=idents, spare=spare)


def test_a_spare_scanner_scans_the_changed_files_and_nothing_changes(tmp_path, monkeypatch):
    """With a state, the few changed files go to a ``Spare`` (LibCST loaded in the background);
    the facts are those of a run without any cache, and the spare's answers were used."""
    from sqlmig import spare as spare_mod

    root = _tree(tmp_path)
    answered = []
    original = spare_mod.Spare.results

    def spy(self, count):
        got = original(self, count)
        answered.append(None if got is None else len(got))
        return got

    monkeypatch.setattr(spare_mod.Spare, "results", spy)
    edits = {"lib/m3.py": MODELS.replace("{n}", "3") + "\n\nclass Extra(Base):\n    __tablename__ = 'x'\n"
                                                       "    id = Column(Integer, primary_key=True)\n",
             "lib/s7.py": "this is not python (\n"}
    spare = spare_mod.Spare()
    try:
        _, _, modules = _changed_run(root, spare, edits)
    finally:
        spare.close()
    assert answered == [2]
    assert document(analyze(modules)) == _doc(root, use_cache=False, jobs=1)


def test_a_failed_or_mistaken_spare_leaves_the_scan_to_this_process(tmp_path, monkeypatch):
    """A spare that dies, answers for other bytes than were keyed, or is sent too much changes
    nothing: those files are scanned here."""
    import os

    from sqlmig import spare as spare_mod

    root = _tree(tmp_path, count=10)
    for how in ("dies", "other bytes", "too much"):
        edits = {"lib/m1.py": MODELS.replace("{n}", "1") + f"\n# {how}\n"}
        spare = spare_mod.Spare.__new__(spare_mod.Spare)
        with monkeypatch.context() as m:
            if how == "dies":
                m.setattr(spare_mod, "_spare_main", lambda jobs_r, results_w: os._exit(1))
            elif how == "other bytes":
                real = spare_mod._spare_main

                def changed_first(jobs_r, results_w):  # the file changes once the jobs are in
                    with os.fdopen(jobs_r, "rb") as fh:
                        jobs = fh.read()
                    (root / "lib/m1.py").write_text(MODELS.replace("{n}", "1").replace("nullable=False", "unique=True"))
                    again, feed = os.pipe()
                    os.write(feed, jobs)
                    os.close(feed)
                    real(again, results_w)

                m.setattr(spare_mod, "_spare_main", changed_first)
            else:
                m.setattr(spare_mod.Spare, "MAX_REQUEST", 10)
            spare.__init__()
            try:
                files, idents, modules = _changed_run(root, spare, edits)
            finally:
                spare.close()
        if how == "other bytes":  # this process scanned the bytes it keyed, not what is on disk now
            (root / "lib/m1.py").write_text(edits["lib/m1.py"])
        assert document(analyze(modules)) == _doc(root, use_cache=False, jobs=1), how


def test_a_run_with_a_state_never_loads_libcst_for_a_few_changed_files(tmp_path):
    """End to end, in a fresh process: the changed file is scanned by the spare, so the analysing
    process never imports LibCST, and the report equals a run without any cache."""
    import subprocess
    import sys

    root = _tree(tmp_path)
    script = ("import json, sys\nfrom sqlmig.config import Config\nfrom sqlmig.run import run\n"
              "from sqlmig.report.json import document\n"
              "r = run([sys.argv[1]], Config(), use_cache=sys.argv[2] == 'cache')\n"
              "print(json.dumps({'libcst': 'libcst' in sys.modules, 'doc': document(r.result, r.findings)}))\n")

    def once(cache: str) -> dict:
        out = subprocess.run([sys.executable, "-c", script, str(root), cache], capture_output=True, text=True,
                             timeout=300)
        assert out.returncode == 0, out.stderr[-2000:]
        return json.loads(out.stdout)

    once("cache")
    (root / "lib/m5.py").write_text(MODELS.replace("{n}", "5").replace("nullable=False", "nullable=True"))
    changed = once("cache")
    assert changed["libcst"] is False
    assert changed["doc"] == once("no cache")["doc"]


def test_a_spare_holds_none_of_the_command_s_standard_streams(monkeypatch):
    """The spare may outlive a warm run by the rest of its LibCST import: a caller reading the
    command's output through a pipe must not wait for it."""
    import marshal
    import os

    import pytest

    from sqlmig import spare as spare_mod

    if not os.path.isdir("/proc/self/fd"):
        pytest.skip("needs /proc")

    def report(jobs_r, results_w):
        with os.fdopen(results_w, "wb") as fh:
            fh.write(marshal.dumps([(os.readlink(f"/proc/self/fd/{fd}"), b"") for fd in (0, 1, 2)]))

    monkeypatch.setattr(spare_mod, "_spare_main", report)
    spare = spare_mod.Spare()
    try:
        assert spare.submit([])
        assert [where for where, _ in spare.results(3)] == [os.devnull] * 3
    finally:
        spare.close()


def test_the_entry_s_spare_scans_small_cold_projects_and_check_s_files_not_the_pool_s(tmp_path, monkeypatch):
    """``spare.start_early`` (the console entry) leaves a scanner for the run: a small cold project
    is scanned in it; a big one closes it and scans in the pool; ``check`` sends it the files it
    reports on. Reports are unchanged."""
    import os

    import pytest

    from sqlmig import run as run_mod
    from sqlmig import spare as spare_mod
    from sqlmig.config import Config

    if (os.cpu_count() or 1) < 2:
        pytest.skip("the entry starts a spare only with a second core")
    root = _tree(tmp_path)
    sent, closed = [], []
    original_submit, original_close = spare_mod.Spare.submit, spare_mod.Spare.close

    def submit(self, jobs):
        sent.append([j[1] for j in jobs])
        return original_submit(self, jobs)

    def close(self):
        if self.pid > 0:  # the first close of a live scanner (closing again does nothing)
            closed.append(self.pid)
        original_close(self)

    monkeypatch.setattr(spare_mod.Spare, "submit", submit)
    monkeypatch.setattr(spare_mod.Spare, "close", close)

    def report(**kw) -> dict:
        r = run_mod.run([str(root)], Config(), **kw)
        return document(r.result, r.findings) if r.result is not None else {}

    small = _tree(tmp_path / "small", count=4)  # 9 files: below the pool's threshold
    spare_mod.start_early(["analyze", str(small)])
    r = run_mod.run([str(small)], Config(), reuse=True)
    assert len(sent) == 1 and len(sent[0]) == 9 and len(closed) == 1  # the spare scanned them all
    assert document(r.result, r.findings) == _doc(small, use_cache=False, jobs=1)
    sent.clear()
    closed.clear()
    spare_mod.start_early(["analyze", str(root)])
    cold = report(reuse=True)
    assert sent == [] and len(closed) == 1 and spare_mod.take() is None  # killed, unused
    (root / "lib/m2.py").write_text(MODELS.replace("{n}", "2").replace("nullable=False", "unique=True"))
    spare_mod.start_early(["check", "lib/m2.py"])
    checked = report(reuse=True, only=[str(root / "lib/m2.py")])
    assert sent == [["lib/m2.py"]] and len(closed) == 2 and spare_mod.take() is None  # used, then closed
    fresh = report(use_cache=False, only=[str(root / "lib/m2.py")])
    assert checked == fresh and cold["findings"] != fresh["findings"]


def test_a_spare_nobody_takes_is_killed_and_reaped():
    import os

    from sqlmig import spare as spare_mod

    spare_mod.start_early(["check"])
    pid = spare_mod._early.pid if spare_mod._early is not None else None
    spare_mod.discard()
    assert spare_mod.take() is None
    if pid is not None:  # reaped: no such child any more
        import pytest

        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)
    spare_mod.start_early(["rewrite", "."])  # a command that never uses one: none started
    assert spare_mod.take() is None
