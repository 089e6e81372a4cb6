"""Golden tests over the bundled sample projects, and each sample's own test suite."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import SAMPLES, analyze_tree

NAMES = ["blog", "hotels", "payroll", "mixed"]


def _observed(name: str) -> dict:
    r = analyze_tree(SAMPLES / name)
    return {
        "models": sorted(m.qualname for m in r.models),
        "schemas": sorted(s.qualname for s in r.schemas),
        "pairs": sorted([p.model, p.schema, p.role] for p in r.pairs),
        "blocked": dict(sorted(r.blocked.items())),
        "verdict": r.repo.verdict,
        "findings": sorted([f.code, f.path, f.line, f.subject] for f in r.findings),
    }


@pytest.mark.parametrize("name", NAMES)
def test_golden_analysis(name):
    expected = json.loads((SAMPLES / name / "expected.json").read_text(encoding="utf-8"))
    assert _observed(name) == expected


@pytest.mark.parametrize("name", NAMES)
def test_sample_suite_passes_as_shipped(name, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=SAMPLES / name,
                          capture_output=True, text=True, timeout=300, env=env)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert " passed" in proc.stdout and "failed" not in proc.stdout


@pytest.mark.parametrize("name", NAMES)
def test_prefilter_changes_no_result(name, monkeypatch):
    import sqlmig.scan

    with_filter = _observed(name)
    monkeypatch.setattr(sqlmig.scan, "PREFILTER", False)
    assert _observed(name) == with_filter


def test_fullstack_template_layout():
    """The layout of the widely copied full-stack FastAPI template: ``@as_declarative`` base with a
    ``declared_attr`` table name, ``ItemInDBBase`` chains, ``class Config: orm_mode``, schemas
    re-exported through a package and used as ``response_model=List[schemas.Item]``."""
    from tests.conftest import ROOT

    r = analyze_tree(ROOT / "tests/fixtures/fullstack_template")
    assert [(m.qualname, m.table) for m in r.models] == [("app.models.item.Item", "item"),
                                                          ("app.models.user.User", "user")]
    roles = {(p.model.rsplit(".", 1)[-1], p.schema.rsplit(".", 1)[-1]): p.role for p in r.pairs}
    assert roles == {
        ("Item", "Item"): "read", ("Item", "ItemBase"): "base", ("Item", "ItemCreate"): "create",
        ("Item", "ItemInDB"): "db", ("Item", "ItemInDBBase"): "base", ("Item", "ItemUpdate"): "update",
        ("User", "User"): "read", ("User", "UserBase"): "base", ("User", "UserCreate"): "create",
        ("User", "UserInDB"): "db", ("User", "UserInDBBase"): "base", ("User", "UserUpdate"): "update",
    }
    got = sorted((f.code, f.path, f.line) for f in r.findings if f.code != "SQM101")
    assert got == [
        ("SQM103", "app/schemas/item.py", 25), ("SQM103", "app/schemas/item.py", 26),
        ("SQM103", "app/schemas/user.py", 9),
        ("SQM106", "app/schemas/user.py", 15), ("SQM106", "app/schemas/user.py", 19),
        ("SQM217", "app/schemas/item.py", 23), ("SQM217", "app/schemas/user.py", 22),
        ("SQM301", "app/api/items.py", 13), ("SQM301", "app/api/items.py", 19),
        ("SQM307", "app/schemas/user.py", 34),
        ("SQM309", "app/models/item.py", 11),
    ]
