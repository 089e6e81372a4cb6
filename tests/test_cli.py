"""The command line: exit codes, formats, bad input, and the promise never to import user code."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT, write_tree


def sqlmig(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run([sys.executable, "-m", "sqlmig", *args], capture_output=True, text=True,
                          cwd=cwd or ROOT, env=env, timeout=120)


BLOCKED_TREE = {
    "app/__init__.py": "",
    "app/models.py": """
        from sqlalchemy import Column, ForeignKey, Integer, String
        from sqlalchemy.orm import declarative_base

        Base = declarative_base()


        class Employee(Base):
            __tablename__ = "employees"
            id = Column(Integer, primary_key=True)
            kind = Column(String(20))
            __mapper_args__ = {"polymorphic_on": kind}
        """,
}


def test_exit_codes_follow_fail_on(tmp_path):
    write_tree(tmp_path, BLOCKED_TREE)
    assert sqlmig("analyze", str(tmp_path), "--no-cache").returncode == 1
    clean = write_tree(tmp_path / "clean", {"a.py": "x = 1\n"})
    assert sqlmig("analyze", str(clean), "--no-cache").returncode == 0
    assert sqlmig("analyze", str(clean), "--no-cache", "--fail-on", "info").returncode == 0
    info_only = write_tree(tmp_path / "info", {"m.py": BLOCKED_TREE["app/models.py"].replace(
        '            __mapper_args__ = {"polymorphic_on": kind}\n', "")})
    assert sqlmig("analyze", str(info_only), "--no-cache").returncode == 0
    assert sqlmig("analyze", str(info_only), "--no-cache", "--fail-on", "info").returncode == 1


def test_json_document_shape(tmp_path):
    write_tree(tmp_path, BLOCKED_TREE)
    proc = sqlmig("analyze", str(tmp_path), "--no-cache", "--format", "json")
    doc = json.loads(proc.stdout)
    assert doc["version"] == 1
    assert {"models", "schemas", "pairs", "findings", "readiness", "summary", "errors"} <= doc.keys()
    finding = next(f for f in doc["findings"] if f["code"] == "SQM201")
    assert finding == {
        "code": "SQM201", "name": "polymorphic-mapping", "severity": "blocker", "path": "app/models.py",
        "line": 7, "col": 0, "message": "Employee is polymorphic (polymorphic_on)",
        "subject": "app.models.Employee", "fix": finding["fix"],
    }
    model = doc["models"][0]
    assert (model["qualname"], model["path"], model["line"], model["table"]) == \
        ("app.models.Employee", "app/models.py", 7, "employees")
    assert doc["readiness"]["repo"]["verdict"] == "keep"


def test_missing_path_is_one_line_exit_2(tmp_path):
    proc = sqlmig("analyze", str(tmp_path / "nope"))
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0 and "does not exist" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_bad_option_is_exit_2():
    proc = sqlmig("analyze", ".", "--format", "yaml")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr


def test_broken_files_are_reported_and_the_rest_analysed(tmp_path):
    write_tree(tmp_path, {
        **BLOCKED_TREE,
        "app/broken.py": "class Oops(:\n    pass\n",
        "app/latin.py": "name = 'caf\xe9'\n".encode("latin-1"),
        "app/latin_ok.py": "# -*- coding: latin-1 -*-\nname = 'caf\xe9'\n".encode("latin-1"),
        "app/empty.py": "",
        "app/nul.py": b"x = 1\x00\n",
        "app/bom.py": "\ufeffimport os\n".encode("utf-8"),
    })
    proc = sqlmig("analyze", str(tmp_path), "--no-cache", "--format", "json")
    assert proc.returncode == 1, proc.stderr
    doc = json.loads(proc.stdout)
    errors = sorted((e["path"], e["code"]) for e in doc["errors"])
    assert errors == [("app/broken.py", "SQM001"), ("app/latin.py", "SQM002"), ("app/nul.py", "SQM001")]
    assert [m["qualname"] for m in doc["models"]] == ["app.models.Employee"]
    assert {f["code"] for f in doc["findings"] if f["path"] == "app/broken.py"} == {"SQM001"}


def test_analysis_never_imports_user_code(tmp_path):
    marker = tmp_path / "imported.txt"
    write_tree(tmp_path, {
        **BLOCKED_TREE,
        "app/boom.py": f"""
            open({str(marker)!r}, "w").write("imported")
            raise SystemExit("this module must never be imported")
            from app.models import Base
            """,
    })
    proc = sqlmig("analyze", str(tmp_path), "--no-cache")
    assert proc.returncode == 1  # the blocker, not a crash
    assert not marker.exists()
    assert "app/models.py" in proc.stdout


def test_exclude_globs_and_default_excludes(tmp_path):
    write_tree(tmp_path, {
        **BLOCKED_TREE,
        ".venv/lib/site.py": "class X(Base): pass\n",
        "build/gen.py": "class Y: pass\n",
        "legacy/old.py": BLOCKED_TREE["app/models.py"],
    })
    proc = sqlmig("analyze", str(tmp_path), "--no-cache", "--format", "json", "--exclude", "legacy")
    doc = json.loads(proc.stdout)
    assert doc["summary"]["files"] == 2


def test_rule_command():
    proc = sqlmig("rule", "SQM205")
    assert proc.returncode == 0 and "custom-relationship-join" in proc.stdout and "Fix:" in proc.stdout
    assert sqlmig("rule", "SQM999").returncode == 2
    listing = sqlmig("rule", "--all").stdout
    assert listing.count("SQM") >= 34


def test_text_output_without_tty_has_no_escape_codes(tmp_path):
    write_tree(tmp_path, BLOCKED_TREE)
    proc = sqlmig("analyze", str(tmp_path), "--no-cache")
    assert "\x1b[" not in proc.stdout
    assert "app/models.py" in proc.stdout and "SQM201" in proc.stdout and "Verdict for the repo: keep" in proc.stdout


def test_text_output_keeps_brackets_in_messages(tmp_path):
    """Regression: rich markup swallowed `[float]` in `Optional[float]`."""
    write_tree(tmp_path, {
        "m.py": """
            from typing import Optional
            from pydantic import BaseModel
            from sqlalchemy import Column, Integer, Numeric
            from sqlalchemy.orm import declarative_base

            Base = declarative_base()


            class Item(Base):
                __tablename__ = "items"
                id = Column(Integer, primary_key=True)
                price = Column(Numeric(10, 2))


            class ItemOut(BaseModel):
                price: Optional[float]
            """,
    })
    proc = sqlmig("analyze", str(tmp_path), "--no-cache")
    assert "`price: Optional[float]` but column Item.price is Numeric(10, 2) (Decimal)" in proc.stdout


def test_symlink_loops_spaces_and_non_ascii_paths(tmp_path):
    base = write_tree(tmp_path / "my project", {**BLOCKED_TREE, "app/módulo ñ.py": "x = 1\n"})
    (base / "app" / "loop").symlink_to(base, target_is_directory=True)
    (base / "app" / "dangling.py").symlink_to(base / "missing.py")
    proc = sqlmig("analyze", str(base), "--no-cache", "--format", "json")
    assert proc.returncode == 1, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["summary"]["files"] == 3 and doc["errors"] == []


def test_deeply_nested_expression_does_not_crash(tmp_path):
    write_tree(tmp_path, {**BLOCKED_TREE, "app/deep.py": "x = " + "(" * 3000 + "1" + ")" * 3000 + "\n",
                          "app/wide.py": "x = [" + ", ".join(["[1]"] * 20000) + "]\n"})
    proc = sqlmig("analyze", str(tmp_path), "--no-cache", "--format", "json")
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
    doc = json.loads(proc.stdout)
    assert [m["qualname"] for m in doc["models"]] == ["app.models.Employee"]


def test_output_file_is_written_whole_with_ordinary_permissions(tmp_path):
    """Regression: reports written through a temporary file came out with mode 0600."""
    write_tree(tmp_path / "p", BLOCKED_TREE)
    out = tmp_path / "report.json"
    assert sqlmig("analyze", str(tmp_path / "p"), "--no-cache", "-f", "json", "-o", str(out)).returncode == 1
    umask = os.umask(0)
    os.umask(umask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~umask
    assert json.loads(out.read_text())["version"] == 1
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_long_file_with_non_ascii_text_is_analysed(tmp_path):
    """Regression: the nesting pre-check raised TypeError on files over 4 KB holding non-ASCII text."""
    long_doc = '"""Módulo de ejemplo: ' + "ñandú " * 1000 + '"""\n'
    write_tree(tmp_path, {**BLOCKED_TREE, "app/long.py": long_doc + "from app.models import Base\n\n\n"
                          "class Pedido(Base):\n    __tablename__ = 'pedidos'\n"})
    proc = sqlmig("analyze", str(tmp_path), "--no-cache", "--format", "json")
    assert "Traceback" not in proc.stderr, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["errors"] == []
    assert "app.long.Pedido" in [m["qualname"] for m in doc["models"]]


def test_the_console_entry_flushes_its_output_and_keeps_exit_codes(tmp_path):
    """``python -m sqlmig`` leaves with ``os._exit`` (no interpreter teardown): the whole report must
    still reach a pipe, the exit code must be the command's, and a reader that stops early gets no
    traceback."""
    write_tree(tmp_path, {**BLOCKED_TREE, **{f"app/extra{n}.py": f"X{n} = {n}\n" for n in range(300)}})
    whole = sqlmig("analyze", str(tmp_path), "--format", "json", "--no-cache")
    assert whole.returncode == 1 and json.loads(whole.stdout)["summary"]["files"] == 302
    assert sqlmig("analyze", str(tmp_path), "--format", "json", "--exit-zero").returncode == 0
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "sqlmig", "analyze", str(tmp_path), "--format", "json"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT, env=env)
    assert proc.stdout.read(10) == b"{\n  \"versi"
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) != 0 and "Traceback" not in err


def test_only_the_last_run_is_held_past_its_command(tmp_path, monkeypatch, capsys):
    """``_execute`` keeps the last outcome so that the end of the process, not the command's return,
    frees it; a process that runs many commands (in process) holds one at a time."""
    from sqlmig import cli

    for name in ("a", "b"):
        write_tree(tmp_path / name, {"m.py": "from sqlalchemy.orm import DeclarativeBase\n\n"
                                             "class Base(DeclarativeBase):\n    pass\n"})
    monkeypatch.setattr(sys, "argv", ["sqlmig", "analyze", str(tmp_path / "a"), "--no-cache", "--format", "json"])
    try:
        cli.main()
    except SystemExit:
        pass
    first = cli._kept[0]
    assert len(cli._kept) == 1 and first.root == (tmp_path / "a").resolve()
    monkeypatch.setattr(sys, "argv", ["sqlmig", "analyze", str(tmp_path / "b"), "--no-cache", "--format", "json"])
    try:
        cli.main()
    except SystemExit:
        pass
    assert len(cli._kept) == 1 and cli._kept[0] is not first
    assert capsys.readouterr().out.count('"version": 1') == 2  # both reports were written
