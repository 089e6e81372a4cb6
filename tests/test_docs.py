"""Docs that must not drift from the code: the rule reference and the README's commands."""

from __future__ import annotations

import re

from sqlmig.rules.catalog import RULES, rules_markdown
from tests.conftest import ROOT


def test_rules_md_is_generated_from_the_catalogue():
    assert (ROOT / "docs/rules.md").read_text(encoding="utf-8") == rules_markdown()


def test_every_rule_has_text_and_an_example():
    for rule in RULES.values():
        assert re.fullmatch(r"SQM\d{3}", rule.code)
        assert rule.summary and rule.why and rule.example and rule.fix
        assert rule.severity in ("info", "warning", "error", "blocker")


def test_readme_test_command_is_what_ci_runs():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci/run").read_text(encoding="utf-8")
    blocks = re.findall(r"```(?:sh|bash|console)\n(.*?)```", readme, re.S)
    setup = [line for line in blocks[0].splitlines() if line.strip()]
    assert len(setup) == 2, "the README holds exactly two set-up lines"
    install_and_run, run_tests = setup
    assert "python3 -m venv .venv" in install_and_run and "sqlmig analyze sample_projects/" in install_and_run
    assert run_tests in ci.splitlines()


def test_readme_rewrite_diff_is_real(tmp_path):
    """The README's payroll diff and summary are what `sqlmig rewrite --dry-run` prints today."""
    import shutil
    import subprocess
    import sys

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## sqlmig rewrite", 1)[1]
    summary, diff = re.findall(r"```(?:diff)?\n(.*?)```", section, re.S)[1:3]
    project = tmp_path / "payroll"
    shutil.copytree(ROOT / "sample_projects/payroll", project,
                    ignore=shutil.ignore_patterns("__pycache__", ".sqlmig_cache", "*.db"))
    proc = subprocess.run([sys.executable, "-m", "sqlmig", "rewrite", ".", "--dry-run", "--no-cache"],
                          cwd=project, capture_output=True, text=True)
    assert proc.returncode == 1
    assert proc.stdout == diff
    assert proc.stderr == summary
