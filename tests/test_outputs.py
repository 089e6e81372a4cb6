"""A rerun over unchanged files with the same settings prints the report it rendered last time
(``state.save_output``): byte for byte what a fresh run prints, with the same exit code."""

from __future__ import annotations

import shutil

import pytest

from sqlmig.cache import seal, unseal
from tests.conftest import SAMPLES
from tests.test_cli import sqlmig

FORMATS = ["json", "sarif", "github", "markdown", "text"]


def _stored(root):
    return sorted(root.glob(".sqlmig_cache/*/output-*.txt"))


def _mark(path, marker: str) -> None:
    """Put a marker into a stored report, sealed again: printed only if the report is served."""
    with open(path, encoding="utf-8", newline="") as fh:
        text = fh.read()
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(seal(unseal(text) + marker))


@pytest.fixture
def payroll(tmp_path):
    root = tmp_path / "payroll"  # has blockers: analyze exits 1
    shutil.copytree(SAMPLES / "payroll", root, ignore=shutil.ignore_patterns(".sqlmig_cache", "__pycache__"))
    return root


@pytest.mark.parametrize("fmt", FORMATS)
def test_rerun_prints_the_stored_report(payroll, fmt):
    fresh = sqlmig("analyze", str(payroll), "--format", fmt, "--no-cache")
    assert fresh.returncode == 1 and fresh.stdout
    assert not _stored(payroll)
    first = sqlmig("analyze", str(payroll), "--format", fmt)
    [kept] = _stored(payroll)
    _mark(kept, "<served>")
    second = sqlmig("analyze", str(payroll), "--format", fmt)
    assert (first.returncode, first.stdout) == (fresh.returncode, fresh.stdout)
    assert (second.returncode, second.stdout) == (fresh.returncode, fresh.stdout + "<served>")


def test_other_settings_changed_files_and_damage_render_again(payroll):
    fresh = sqlmig("analyze", str(payroll), "--format", "json", "--no-cache").stdout
    sqlmig("analyze", str(payroll), "--format", "json")
    [kept] = _stored(payroll)
    _mark(kept, "<served>")
    # other settings: another report, kept beside the first
    narrow = ("analyze", str(payroll), "--format", "json", "--fail-on", "info", "--select", "SQM3")
    other, reference = sqlmig(*narrow), sqlmig(*narrow, "--no-cache")
    assert (other.returncode, other.stdout) == (reference.returncode, reference.stdout) != (1, fresh)
    assert len(_stored(payroll)) == 2
    # the exit code is that of the settings: --exit-zero is applied to the stored report too
    assert sqlmig("analyze", str(payroll), "--format", "json", "--exit-zero").returncode == 0
    # a damaged report is ignored (and replaced)
    kept.write_text(kept.read_text(encoding="utf-8")[:-3], encoding="utf-8")
    assert sqlmig("analyze", str(payroll), "--format", "json").stdout == fresh
    # a changed file: the report is rendered from the new analysis
    model = sorted(payroll.glob("app/**/*.py"))[0]
    model.write_text(model.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    _mark(kept, "<served>")
    again = sqlmig("analyze", str(payroll), "--format", "json")
    assert "<served>" not in again.stdout and again.stdout == fresh


def test_styled_text_and_baselines_are_not_kept(payroll):
    styled = sqlmig("analyze", str(payroll), env={"FORCE_COLOR": "1"})
    assert "\x1b[" in styled.stdout and not _stored(payroll)
    baseline = payroll / "baseline.json"
    sqlmig("check", "--write-baseline", str(baseline), cwd=payroll)
    assert sqlmig("check", "--baseline", str(baseline), cwd=payroll).returncode == 0
    assert not _stored(payroll)


def test_check_of_files_keeps_a_report_per_file_set(payroll):
    files = sorted(p for p in payroll.rglob("*.py") if ".sqlmig_cache" not in p.parts)[:2]
    fresh = [sqlmig("check", str(f), "--format", "json", "--no-cache", cwd=payroll).stdout for f in files]
    for _ in range(2):
        assert [sqlmig("check", str(f), "--format", "json", cwd=payroll).stdout for f in files] == fresh
    assert len(_stored(payroll)) == 2


@pytest.mark.parametrize("command", [["analyze", "."], ["check", "--write-baseline", "b.json"]])
def test_state_saved_in_the_background_is_there_when_the_command_exits(payroll, command):
    from sqlmig.config import Config
    from sqlmig.run import run

    sqlmig(*command, cwd=payroll)
    assert len(list(payroll.glob(".sqlmig_cache/*/state-*.json"))) == 1
    assert len(list(payroll.glob(".sqlmig_cache/*/result-*.bin"))) == 1
    assert run([str(payroll)], Config(), reuse=True).how == "stored"


def test_where_fork_fails_the_state_is_saved_inline(payroll, monkeypatch):
    import os

    from sqlmig.config import Config
    from sqlmig.run import run

    def no_fork():
        raise OSError("no fork here")

    outcome = run([str(payroll)], Config(), reuse=True, defer_save=True)
    assert outcome.pending is not None and not list(payroll.glob(".sqlmig_cache/*/state-*.json"))
    monkeypatch.setattr(os, "fork", no_fork)
    outcome.save_in_background()
    assert outcome.pending is None and outcome.saver is None
    assert len(list(payroll.glob(".sqlmig_cache/*/state-*.json"))) == 1
    outcome.settle()  # nothing left to wait for
    assert run([str(payroll)], Config(), reuse=True).how == "stored"


def test_a_stored_report_is_printed_without_loading_the_analysis(payroll):
    import subprocess
    import sys

    from tests.conftest import ROOT

    sqlmig("analyze", str(payroll), "--format", "json")
    heavy = ["sqlmig.analyze", "sqlmig.build_models", "sqlmig.build_schemas", "sqlmig.index", "sqlmig.report.json",
             "libcst", "concurrent.futures.process"]
    code = ("import sys\nsys.argv = ['sqlmig', 'analyze', sys.argv[1], '--format', 'json']\n"
            "from sqlmig.cli import main\ntry:\n    main()\nexcept SystemExit:\n    pass\n"
            f"print([m for m in {heavy!r} if m in sys.modules], file=sys.stderr)\n")
    out = subprocess.run([sys.executable, "-c", code, str(payroll)], capture_output=True, text=True, cwd=ROOT,
                         timeout=120)
    assert out.stderr.strip() == "[]" and out.stdout.startswith("{")


def test_a_report_is_keyed_by_the_files_as_the_scan_read_them(tmp_path):
    """Regression: the stored report was keyed by the keys files had before the scan. A file whose
    size and mtime did not change is known by its stat; when the scan reads it anyway (its facts
    were not cached), the report it renders describes what was read, and is keyed so."""
    import os
    import time

    model = tmp_path / "app/models.py"
    model.parent.mkdir()
    (tmp_path / "app/__init__.py").write_text("")
    text = ("from sqlalchemy import Column, Integer, String\nfrom sqlalchemy.orm import declarative_base\n"
            "Base = declarative_base()\n\n\nclass Item(Base):\n    __tablename__ = 'items'\n"
            "    id = Column(Integer, primary_key=True)\n    name = Column(String(40))\n")
    past = time.time() - 100

    def put(body: str, mtime: float) -> None:
        model.write_text(body)
        os.utime(model, (mtime, mtime))

    args = ("analyze", str(tmp_path), "--format", "json", "--exit-zero")
    put(text, past)
    sqlmig(*args)
    # the same size and mtime, other content, and neither cached facts nor a stored result for it
    put(text.replace("String(40)", "String(41)"), past)
    for stale in [*tmp_path.glob(".sqlmig_cache/*/packs/*.pack"), *tmp_path.glob(".sqlmig_cache/*/result-*")]:
        stale.unlink()
    assert '"String(41)"' in sqlmig(*args, "--select", "SQM1").stdout  # read, so rendered from the new text
    put(text, time.time())  # back to the first text: hashed again, its key is the first run's
    again = sqlmig(*args, "--select", "SQM1").stdout
    assert again == sqlmig(*args, "--select", "SQM1", "--no-cache").stdout
    assert '"String(40)"' in again


def test_settle_waits_for_the_saving_child(payroll, monkeypatch):
    import time

    from sqlmig import state
    from sqlmig.config import Config
    from sqlmig.run import run

    real = state.save

    def slow(*args):
        time.sleep(1.0)
        real(*args)

    monkeypatch.setattr(state, "save", slow)  # the forked child inherits it
    outcome = run([str(payroll)], Config(), reuse=True, defer_save=True)
    outcome.save_in_background()
    assert outcome.saver is not None
    assert not list(payroll.glob(".sqlmig_cache/*/state-*.json"))  # the child is still asleep
    outcome.settle()
    assert len(list(payroll.glob(".sqlmig_cache/*/state-*.json"))) == 1
