"""``sqlmig verify``: the rewrite of a sample verifies clean; every planted unsafe edit is reported."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import SAMPLES

GIT_ENV = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@t"}


def sqlmig(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sqlmig", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=600)


@pytest.fixture(scope="module")
def blog(tmp_path_factory) -> Path:
    """The blog sample committed to a git repository, then rewritten in the working tree."""
    root = tmp_path_factory.mktemp("verify") / "blog"
    shutil.copytree(SAMPLES / "blog", root, ignore=shutil.ignore_patterns("__pycache__", "*.db", ".sqlmig_cache"))
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "original"]):
        subprocess.run(["git", *args], cwd=root, check=True, env=GIT_ENV, capture_output=True)
    assert sqlmig("rewrite", ".", "--no-cache", cwd=root).returncode == 0
    return root


def test_the_rewrite_verifies_clean(blog):
    proc = sqlmig("verify", ".", cwd=blog)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    last = proc.stdout.strip().splitlines()[-1]
    assert last.startswith("schema unchanged (postgresql, sqlite DDL and Alembic on sqlite:///")
    assert "info: table posts (postgresql): column order" in proc.stdout
    assert subprocess.run(["git", "worktree", "list"], cwd=blog, capture_output=True, text=True).stdout.count(
        "\n") == 1  # the temporary worktree is gone


def test_json_output(blog):
    proc = sqlmig("verify", ".", "--format", "json", "--dialect", "mysql", cwd=blog)
    data = json.loads(proc.stdout)
    assert proc.returncode == 0 and data["unchanged"] is True and data["dialects"] == ["mysql"]


PLANTS = {
    "lost String(n)": ("app/models/post.py", "title: str = Field(sa_type=String(200))", "title: str",
                       "'title VARCHAR(200) NOT NULL' -> 'title VARCHAR NOT NULL'"),
    "nullability flip": ("app/models/post.py", 'body: Optional[str] = Field(default=None, sa_type=Text)',
                         'body: Optional[str] = Field(default=None, sa_type=Text, nullable=False)',
                         "'body TEXT' -> 'body TEXT NOT NULL'"),
    "timezone change": ("app/models/user.py", "created_at: datetime | None = Field(sa_type=sa.DateTime, ",
                        "created_at: datetime | None = Field(",
                        "'created_at TIMESTAMP WITHOUT TIME ZONE DEFAULT now()' -> "
                        "'created_at TIMESTAMP WITH TIME ZONE DEFAULT now()'"),
    "lost server_default": ("app/models/mixins.py",
                            'created_at: datetime = Field(sa_type=DateTime, sa_column_kwargs={"server_default": '
                            'func.now()})', "created_at: datetime = Field(sa_type=DateTime)",
                            "'created_at TIMESTAMP WITHOUT TIME ZONE DEFAULT now() NOT NULL' -> "
                            "'created_at TIMESTAMP WITHOUT TIME ZONE NOT NULL'"),
    "lost ondelete": ("app/models/post.py", 'author_id: int = Field(foreign_key="users.id", ondelete="CASCADE")',
                      'author_id: int = Field(foreign_key="users.id")',
                      "'FOREIGN KEY(author_id) REFERENCES users (id) ON DELETE CASCADE' -> "
                      "'FOREIGN KEY(author_id) REFERENCES users (id)'"),
}


@pytest.mark.parametrize("plant", list(PLANTS))
def test_planted_unsafe_edits_are_reported(blog, plant):
    path, old, new, expected = PLANTS[plant]
    target = blog / path
    original = target.read_text(encoding="utf-8")
    assert old in original, f"the rewrite no longer writes {old!r}"
    target.write_text(original.replace(old, new), encoding="utf-8")
    try:
        proc = sqlmig("verify", ".", cwd=blog)
    finally:
        target.write_text(original, encoding="utf-8")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert f"difference: table {'users' if 'user' in path else 'posts'} (postgresql): {expected}" in proc.stdout
    assert "schema differences" in proc.stdout.strip().splitlines()[-1]


def test_planted_edits_on_postgresql(blog, postgres_url):
    """Against a real PostgreSQL: Alembic sees a nullability flip; a lost length it does not see
    (VARCHAR(200) and a length-less string compare equal), which is why the DDL is compared too."""
    assert sqlmig("verify", ".", "--database-url", postgres_url, cwd=blog).returncode == 0
    outputs = {}
    for plant in ("nullability flip", "lost String(n)"):
        path, old, new, _ = PLANTS[plant]
        target = blog / path
        original = target.read_text(encoding="utf-8")
        target.write_text(original.replace(old, new), encoding="utf-8")
        try:
            outputs[plant] = sqlmig("verify", ".", "--database-url", postgres_url, cwd=blog)
        finally:
            target.write_text(original, encoding="utf-8")
    flip, length = outputs["nullability flip"], outputs["lost String(n)"]
    assert flip.returncode == 1 and "difference: alembic: table posts column body: nullable True -> False" in flip.stdout
    assert length.returncode == 1 and "difference: alembic:" not in length.stdout
    assert "difference: table posts (postgresql): 'title VARCHAR(200) NOT NULL' -> 'title VARCHAR NOT NULL'" \
        in length.stdout


def test_code_that_does_not_import_is_exit_2(blog):
    target = blog / "app/models/comment.py"
    original = target.read_text(encoding="utf-8")
    target.write_text(original + "\nraise RuntimeError('boom')\n", encoding="utf-8")
    try:
        proc = sqlmig("verify", ".", cwd=blog)
    finally:
        target.write_text(original, encoding="utf-8")
    assert proc.returncode == 2
    assert proc.stderr.startswith("sqlmig: error: the working tree does not import: RuntimeError: boom (")
    assert len(proc.stderr.strip().splitlines()) == 1


def test_not_a_git_work_tree_is_exit_2(tmp_path):
    proc = sqlmig("verify", str(tmp_path), cwd=tmp_path)
    assert proc.returncode == 2 and proc.stderr.startswith("sqlmig: error: git rev-parse")


def test_a_project_that_prints_when_imported_is_described_all_the_same(tmp_path):
    """Regression: a module printing at import (a banner, logging to stdout) wrote into the
    snapshot's JSON on stdout, and verify failed with an internal JSONDecodeError."""
    from sqlmig.migration.compare import snapshot
    from tests.conftest import write_tree

    write_tree(tmp_path, {
        "app/__init__.py": "print('loading app')\n",
        "app/models.py": """
            import os
            import sys

            from sqlalchemy import Column, Integer
            from sqlalchemy.orm import declarative_base

            print("models loaded")
            sys.stdout.flush()
            os.write(1, b"and straight to the file descriptor\\n")
            Base = declarative_base()


            class Thing(Base):
                __tablename__ = "things"
                id = Column(Integer, primary_key=True)
            """,
    })
    described = snapshot(tmp_path)
    assert list(described["tables"]) == ["things"] and described["modules"] == ["app", "app.models"]
