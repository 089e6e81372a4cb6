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
