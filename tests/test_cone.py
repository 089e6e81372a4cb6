"""``check FILE`` with a warm state analyses only the cone of FILE (cone.py); it must report exactly
what a full analysis reports for that file, and an unchanged project gets its stored result back."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from bench.generate import generate
from sqlmig.cache import seal, unseal
from sqlmig.config import Config
from sqlmig.report.json import render
from sqlmig.run import run
from tests.conftest import ROOT, SAMPLES

PROJECTS = [SAMPLES / "blog", SAMPLES / "hotels", SAMPLES / "payroll", SAMPLES / "mixed",
            ROOT / "tests/fixtures/cone_zoo", ROOT / "tests/fixtures/cone_stars", ROOT / "tests/fixtures/cone_fk",
            ROOT / "tests/fixtures/cone_flask",
            ROOT / "tests/fixtures/cone_history",
            ROOT / "tests/fixtures/rewrite_zoo",
            ROOT / "tests/fixtures/fullstack_template"]


def _doc(root: Path, **kw) -> dict:
    outcome = run([str(root)], Config(), **kw)
    doc = json.loads(render(outcome.result, outcome.findings))
    return doc, outcome


def _every_file_against_a_full_run(root: Path) -> list[str]:
    """Check each file after editing it, against a full analysis; the files the cone served."""
    files = sorted(p.relative_to(root).as_posix() for p in root.rglob("*.py") if ".sqlmig_cache" not in p.parts)
    narrowed = []
    for rel in files:
        run([str(root)], Config(), reuse=True)  # a full run (or the stored one) records the state
        target = root / rel
        target.write_text(target.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
        cone, outcome = _doc(root, only=[str(target)], reuse=True)
        full, reference = _doc(root, only=[str(target)], use_cache=False)
        assert reference.how == "full"
        assert cone == full, rel
        if outcome.how == "cone":
            narrowed.append(rel)
    return narrowed


@pytest.mark.parametrize("project", PROJECTS, ids=lambda p: p.name)
def test_check_of_one_changed_file_equals_the_full_analysis(tmp_path, project):
    root = tmp_path / project.name
    shutil.copytree(project, root, ignore=shutil.ignore_patterns(".sqlmig_cache", "__pycache__"))
    files = {p.relative_to(root).as_posix() for p in root.rglob("*.py")}
    # every check took the narrow path, but for a file that defines a declarative base (SQM214)
    assert set(_every_file_against_a_full_run(root)) == files - _defining_a_base(root)


def _defining_a_base(root: Path) -> set[str]:
    result = run([str(root)], Config(), use_cache=False).result
    return {result.index.modules[module].path for module in result.index.declarative_base_modules}


def test_generated_project_checks_equal_the_full_analysis(tmp_path):
    generate(tmp_path, 60, seed=3)
    files = {p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.py")}
    assert len(files) == 60
    assert set(_every_file_against_a_full_run(tmp_path)) == files - _defining_a_base(tmp_path)


def test_checks_in_a_project_of_several_declarative_bases_equal_the_full_analysis(tmp_path):
    """SQM214 counts every declarative base the project's models use: a checked file that defines
    one gets the full analysis (regression: the cone saw only its own base and reported none).
    Every other file still takes the cone."""
    root = tmp_path / "cone_bases"
    shutil.copytree(ROOT / "tests/fixtures/cone_bases", root)
    defining = {"billing/base.py", "catalog/db.py", "audit/base.py", "legacy/everything.py", "flaskapp/__init__.py",
                "flaskext/__init__.py"}
    assert _defining_a_base(root) == defining
    files = {p.relative_to(root).as_posix() for p in root.rglob("*.py")}
    assert set(_every_file_against_a_full_run(root)) == files - defining


def test_a_table_named_by_code_means_checks_analyse_the_whole_project(tmp_path):
    """Regression (review): ``__tablename__ = THINGS`` is resolved by the analysis but not by the
    outlines, so a foreign key to it was outside the cone and SQM104 was missed. Such a project's
    checks take the full analysis."""
    root = tmp_path / "cone_fk"
    shutil.copytree(ROOT / "tests/fixtures/cone_fk", root, ignore=shutil.ignore_patterns(".sqlmig_cache", "__pycache__"))
    things = root / "app/things.py"
    things.write_text(things.read_text().replace('__tablename__ = "things"', "__tablename__ = THINGS")
                      .replace("from app.base import Base\n", 'from app.base import Base\n\nTHINGS = "things"\n'))
    orders = root / "app/orders.py"
    orders.write_text(orders.read_text().replace('ForeignKey("items.id")', 'ForeignKey("things.id")'))
    assert [f.code for f in run([str(root)], Config(), use_cache=False).findings if f.code == "SQM104"] == ["SQM104"]
    assert _every_file_against_a_full_run(root) == []


@pytest.mark.parametrize("target", ['f"{PREFIX}s.id"', 'PREFIX + "s.id"', "THINGS_ID"])
def test_a_foreign_key_to_a_table_named_by_code_means_checks_analyse_the_whole_project(tmp_path, target):
    """Regression (review): the analysis reads ``ForeignKey(f"{PREFIX}s.id")`` and other targets built
    from constants, the outlines do not, so the table's module was outside the cone and the column's
    type was unknown to ``check``. Such a project's checks take the full analysis."""
    root = tmp_path / "cone_fk"
    shutil.copytree(ROOT / "tests/fixtures/cone_fk", root, ignore=shutil.ignore_patterns(".sqlmig_cache", "__pycache__"))
    base = root / "app/base.py"
    base.write_text(base.read_text() + '\n\nPREFIX = "thing"\nTHINGS_ID = "things.id"\n')
    items = root / "app/items.py"
    items.write_text(items.read_text().replace('ForeignKey("things.id")', f"ForeignKey({target})")
                     .replace("from app.base import Base\n", "from app.base import PREFIX, THINGS_ID, Base\n"))
    assert [f.code for f in run([str(root)], Config(), use_cache=False).findings if f.code == "SQM104"] == ["SQM104"]
    assert _every_file_against_a_full_run(root) == []


def test_a_module_file_shadowed_by_a_package_is_checked_as_in_a_full_run(tmp_path, project):
    """Regression (review): the index takes ``app/models/__init__.py`` over a stale ``app/models.py``, as
    Python does; a cone holding only the stale file took its classes for the project's models."""
    project({
        "app/__init__.py": "",
        "app/base.py": "from sqlalchemy.orm import declarative_base\n\nBase = declarative_base()\n",
        "app/models/__init__.py": """
            from sqlalchemy import Column, Integer

            from app.base import Base


            class User(Base):
                __tablename__ = "users"
                id = Column(Integer, primary_key=True)
            """,
        "app/models.py": """
            from sqlalchemy import Column, ForeignKey, Integer

            from app.base import Base


            class Legacy(Base):
                __tablename__ = "legacy"
                id = Column(Integer, primary_key=True)
                ref_id = Column(Integer, ForeignKey("legacy.id"))
            """,
    })
    assert set(_every_file_against_a_full_run(tmp_path)) == {"app/__init__.py", "app/models.py", "app/models/__init__.py"}


def test_unchanged_project_gets_its_stored_result(tmp_path):
    root = tmp_path / "blog"
    shutil.copytree(SAMPLES / "blog", root)
    first, outcome = _doc(root, reuse=True)
    assert outcome.how == "full"
    second, outcome = _doc(root, reuse=True)
    assert outcome.how == "stored" and outcome.analysed == 0
    assert first == second
    (root / "app/models/post.py").write_text((root / "app/models/post.py").read_text() + "\n# edited\n")
    _, outcome = _doc(root, reuse=True)
    assert outcome.how == "full"


def test_a_second_changed_file_means_a_full_run(tmp_path):
    root = tmp_path / "blog"
    shutil.copytree(SAMPLES / "blog", root)
    _doc(root, reuse=True)
    for rel in ("app/models/post.py", "app/schemas/post.py"):
        (root / rel).write_text((root / rel).read_text() + "\n# edited\n")
    _, outcome = _doc(root, only=[str(root / "app/models/post.py")], reuse=True)
    assert outcome.how == "full"


def test_check_parses_the_changed_file_in_a_child_and_never_imports_libcst(tmp_path):
    """The changed file is scanned by a spare scanner while the project is discovered; the parent
    reads its facts from the cache, so a check served by the cone does not import LibCST at all."""
    import subprocess
    import sys

    root = tmp_path / "blog"
    shutil.copytree(SAMPLES / "blog", root)
    run([str(root)], Config(), reuse=True)
    target = root / "app/models/post.py"
    target.write_text(target.read_text() + "\n# edited\n")
    code = ("import sys; from sqlmig.run import run; from sqlmig.config import Config; "
            f"r = run([{str(root)!r}], Config(), only=[{str(target)!r}], reuse=True); "
            "print(r.how, 'libcst' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.stdout.split() == ["cone", "False"], out.stderr


DAMAGES = ["", "{", "[]", '{"written_ns": 1}', "truncated"]


# a result forged with a valid checksum is trusted (see state.py); a forged state is checked for shape
@pytest.mark.parametrize(("kind", "damage"), [(k, d) for k in ("state", "result") for d in DAMAGES]
                         + [("state", "state-shape")])
def test_a_damaged_run_state_means_a_full_run(tmp_path, kind, damage):
    root = tmp_path / "blog"
    shutil.copytree(SAMPLES / "blog", root)
    _doc(root, reuse=True)
    target = root / "app/models/post.py"
    target.write_text(target.read_text() + "\n# edited\n")  # so that check would take the cone
    expected, _ = _doc(root, only=[str(target)], use_cache=False)
    full, _ = _doc(root, use_cache=False)
    paths = list(root.glob(f".sqlmig_cache/*/{kind}-*"))
    assert len(paths) == 1
    for path in paths:
        if damage == "state-shape":  # the right keys, wrong shapes inside, the checksum kept right
            data = json.loads(unseal(path.read_text()))
            data["outlines"] = {k: [1, 2, 3, 4, 5, 6, 7, {"A": 1}] for k in data["outlines"]}
            path.write_text(seal(json.dumps(data)))
        elif damage == "truncated":
            path.write_bytes(path.read_bytes()[:-1])
        else:
            path.write_text(damage)
    checked, outcome = _doc(root, only=[str(target)], reuse=True)
    assert checked == expected
    assert outcome.how == ("cone" if kind == "result" else "full")
    again, outcome = _doc(root, reuse=True)
    assert again == full
