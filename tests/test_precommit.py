"""The real pre-commit tool runs the hook this repository ships and blocks a commit that adds a blocker."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

from tests.conftest import ROOT, SAMPLES


def _run(args, cwd, env):
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=900)


def test_precommit_hook_blocks_a_commit_that_adds_a_blocker(tmp_path):
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True)
    repo = tmp_path / "blog"
    shutil.copytree(SAMPLES / "blog", repo, ignore=shutil.ignore_patterns(".sqlmig_cache", "__pycache__"))
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"), "GIT_AUTHOR_NAME": "t",
           "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    env.pop("PYTHONPATH", None)
    git = ["git", "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false"]
    assert _run([*git, "init", "-q"], repo, env).returncode == 0
    (repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {ROOT}\n    rev: {head.stdout.strip()}\n    hooks:\n      - id: sqlmig\n")
    _run([*git, "add", "-A"], repo, env)
    assert _run([*git, "commit", "-qm", "start"], repo, env).returncode == 0
    installed = _run([sys.executable, "-m", "pre_commit", "install"], repo, env)
    assert installed.returncode == 0, installed.stdout + installed.stderr

    # a clean change passes (the hook runs and finds nothing at or above `blocker`)
    post = repo / "app/models/post.py"
    post.write_text(post.read_text().replace("class Post(TimestampMixin, Base):", "# posts\nclass Post(TimestampMixin, Base):"))
    _run([*git, "add", "-A"], repo, env)
    clean = _run([*git, "commit", "-qm", "comment"], repo, env)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "sqlmig" in clean.stdout + clean.stderr

    # a change that adds a blocker fails the commit and names the finding
    post.write_text(post.read_text().replace(
        '    __tablename__ = "posts"\n',
        '    __tablename__ = "posts"\n    __mapper_args__ = {"polymorphic_identity": "post"}\n'))
    _run([*git, "add", "-A"], repo, env)
    blocked = _run([*git, "commit", "-qm", "polymorphic"], repo, env)
    output = blocked.stdout + blocked.stderr
    assert blocked.returncode != 0, output
    assert "SQM201" in output and "app/models/post.py" in output
