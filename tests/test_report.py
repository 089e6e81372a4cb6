"""``sqlmig report``: Markdown goldens, the HTML page checked through a real browser's DOM, big projects."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from sqlmig.config import Config
from sqlmig.report.document import DIAGRAM_LIMIT
from sqlmig.report.pages import render
from sqlmig.run import run
from tests.conftest import ROOT, SAMPLES

GOLDEN = ROOT / "tests" / "golden" / "report"
ARTIFACTS = Path(os.environ.get("SQLMIG_TEST_ARTIFACTS", ROOT / "test-artifacts"))


def report(name: str, fmt: str) -> str:
    outcome = run([str(SAMPLES / name)], Config(), use_cache=False)
    return render(outcome.result, outcome.findings, fmt, name)


@pytest.mark.parametrize("name", ["blog", "payroll"])
def test_markdown_golden(name):
    text = report(name, "markdown")
    golden = GOLDEN / f"{name}.md"
    if os.environ.get("SQLMIG_REGEN_GOLDEN"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")


def test_html_is_self_contained():
    page = report("payroll", "html")
    lowered = page.lower()
    for needle in ("<script", " src=", "href=\"http", "@import", "url("):
        assert needle not in lowered, needle
    assert lowered.count("http") == lowered.count("http://www.w3.org/2000/svg")  # only the SVG namespace


class _Dom(HTMLParser):
    """The elements of a serialised DOM: (tag, attributes, text inside)."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[list] = []
        self.elements: list[list] = []

    def handle_starttag(self, tag, attrs):
        el = [tag, dict(attrs), ""]
        self.elements.append(el)
        if tag not in ("meta", "br", "rect", "path", "link", "img", "input"):
            self.stack.append(el)

    def handle_endtag(self, tag):
        while self.stack:
            el = self.stack.pop()
            if el[0] == tag:
                break

    def handle_data(self, data):
        for el in self.stack:
            el[2] += data

    def find(self, tag=None, **attrs):
        return [e for e in self.elements if (tag is None or e[0] == tag)
                and all(attrs[k] in (e[1].get(k.rstrip("_")) or "").split() for k in attrs)]


def _chromium() -> str:
    exe = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if exe is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but Chromium is missing: .ci/run installs Debian's chromium")
        pytest.skip("Chromium is not installed")
    return exe


FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def test_html_report_in_headless_chromium(tmp_path):
    exe = _chromium()
    outcome = run([str(SAMPLES / "payroll")], Config(), use_cache=False)
    page = tmp_path / "report.html"
    page.write_text(render(outcome.result, outcome.findings, "html", "payroll"), encoding="utf-8")
    profile = tmp_path / "profile"
    dom = subprocess.run([exe, *FLAGS, f"--user-data-dir={profile}", "--dump-dom", page.as_uri()],
                         capture_output=True, text=True, timeout=120)
    assert dom.returncode == 0, dom.stderr[-2000:]
    parsed = _Dom()
    parsed.feed(dom.stdout)
    verdict = [e for e in parsed.elements if e[1].get("id") == "verdict"]
    assert [v[2].strip() for v in verdict] == [outcome.result.repo.verdict] == ["keep"]
    blockers = [f for f in outcome.findings if f.severity == "blocker"]
    shown = parsed.find("div", class_="blocker")
    assert sorted(e[1]["data-code"] for e in shown) == sorted(f.code for f in blockers) and len(blockers) == 10
    for f in blockers:
        assert any(f"{f.path}:{f.line}" in e[2] and f.subject in e[2] for e in shown), f
    svg = parsed.find("svg", class_="diagram")
    assert len(svg) == 1
    nodes = parsed.find("g", class_="node")
    models = {e[1]["id"] for e in nodes if "model" in e[1]["class"].split()}
    assert len(models) == len(outcome.result.models) == 8
    assert len([e for e in nodes if "blocked" in e[1]["class"].split()]) == len(outcome.result.blocked) == 6
    # collapsible sections are <details>/<summary>: reachable and operable from the keyboard
    assert len(parsed.find("summary")) >= 5
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "report-payroll.png"
    proc = subprocess.run([exe, *FLAGS, f"--user-data-dir={profile}", "--window-size=1280,2000",
                           f"--screenshot={shot}", page.as_uri()], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and shot.stat().st_size > 10_000


def test_big_projects_get_a_module_diagram(tmp_path):
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from generate import generate
    finally:
        sys.path.pop(0)
    generate(tmp_path / "proj", 200)
    outcome = run([str(tmp_path / "proj")], Config(), use_cache=False)
    assert len(outcome.result.models) + len({p.schema for p in outcome.result.pairs}) > DIAGRAM_LIMIT
    page = render(outcome.result, outcome.findings, "html", "big")
    assert 'class="node module' in page and 'class="node model' not in page
    md = render(outcome.result, outcome.findings, "markdown", "big")
    assert "grouped by module" in md


def test_cli_writes_the_file(tmp_path):
    out = tmp_path / "r.html"
    proc = subprocess.run([sys.executable, "-m", "sqlmig", "report", str(SAMPLES / "blog"), "--no-cache",
                           "-o", str(out)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_a_table_name_not_known_statically_is_said_so(tmp_path):
    """A ``declared_attr`` table name the analyzer cannot evaluate is not printed as ``None``."""
    (tmp_path / "models.py").write_text(
        "import re\n\nfrom sqlalchemy import Column, Integer\nfrom sqlalchemy.orm import declarative_base, "
        "declared_attr\n\nBase = declarative_base()\nSNAKE = re.compile('(?<!^)(?=[A-Z])')\n\n\n"
        "class WorkPool(Base):\n    @declared_attr\n    def __tablename__(cls):\n"
        "        return SNAKE.sub('_', cls.__name__).lower()\n\n    id = Column(Integer, primary_key=True)\n",
        encoding="utf-8")
    outcome = run([str(tmp_path)], Config(), use_cache=False)
    for fmt in ("markdown", "html"):
        text = render(outcome.result, outcome.findings, fmt, "x")
        assert "not known statically" in text and "table none" not in text.lower().replace("`", "")
