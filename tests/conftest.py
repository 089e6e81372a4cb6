from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

from sqlmig.analyze import Result, analyze
from sqlmig.discover import discover
from sqlmig.engine import scan_files

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_projects"


def write_tree(base: Path, files: dict[str, str | bytes]) -> Path:
    for rel, content in files.items():
        path = base / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content).lstrip("\n"), encoding="utf-8")
    return base


def analyze_tree(path: Path, **kw) -> Result:
    root, files = discover([str(path)])
    return analyze(scan_files(files, root, use_cache=kw.get("use_cache", False), jobs=kw.get("jobs", 1)))


@pytest.fixture
def project(tmp_path):
    """``project({"app/models.py": "..."})`` -> analysis Result of that tree."""

    def make(files: dict[str, str | bytes], **kw) -> Result:
        write_tree(tmp_path, files)
        return analyze_tree(tmp_path, **kw)

    return make


def codes(result: Result, code: str) -> list[tuple[str, int, str]]:
    return [(f.path, f.line, f.subject) for f in result.findings if f.code == code]


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """A real PostgreSQL (``.ci/run`` starts one). Missing: skipped locally, a failure under CI=true."""
    url = os.environ.get("SQLMIG_TEST_POSTGRES_URL")
    if not url:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but SQLMIG_TEST_POSTGRES_URL is not set: .ci/run starts PostgreSQL")
        pytest.skip("set SQLMIG_TEST_POSTGRES_URL (postgresql+psycopg://...) to run against PostgreSQL")
    return url


def assert_facts_match_a_fresh_process(script: str, files: list[str]) -> None:
    """Run ``script`` with ``files`` in a fresh interpreter; it prints ``{file: encoded facts hex}``
    (``cache.encode``), which must decode to what this process scans for each file."""
    import json
    import subprocess
    import sys

    from sqlmig.cache import decode
    from sqlmig.cone import outline
    from sqlmig.scan import scan_source

    out = subprocess.run([sys.executable, "-c", script, *files], capture_output=True, text=True,
                         cwd=ROOT, timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    there = json.loads(out.stdout)
    for name in files:
        here = scan_source(Path(name).name, "m", False, Path(name).read_bytes())
        assert decode(bytes.fromhex(there[name])) == (here, outline(here) if here.error is None else None), name
