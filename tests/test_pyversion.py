"""The annotation syntax the rewrite writes follows the oldest Python the project runs on (``pyversion``).

Regression: the rewrite always wrote ``int | None``, which SQLModel evaluates when the class is created,
so a project still on Python 3.8 or 3.9 no longer imported after the rewrite."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from sqlmig.config import Config
from sqlmig.pyversion import declared_floor, floor_of, parse_target
from sqlmig.rewrite.apply import compute
from sqlmig.run import run
from tests.conftest import write_tree

DB = """
    from sqlalchemy.orm import declarative_base

    Base = declarative_base()
    """

MODELS = """
    from sqlalchemy import Column, ForeignKey, Integer, String
    from sqlalchemy.orm import relationship

    from app.db import Base


    class Team(Base):
        __tablename__ = "teams"

        id = Column(Integer, primary_key=True)
        name = Column(String(40))
        members = relationship("Member", back_populates="team")


    class Member(Base):
        __tablename__ = "members"

        id = Column(Integer, primary_key=True)
        team_id = Column(Integer, ForeignKey("teams.id"), nullable=False)
        team = relationship("Team", back_populates="members")
    """


def _rewrite(root: Path, target=None) -> str:
    r = run([str(root)], Config(), use_cache=False)
    return {c.path: c.after.decode() for c in compute(Path(r.root), r.result, target=target).changes}["app/models.py"]


def _tree(tmp_path: Path, extra: dict[str, str]) -> Path:
    return write_tree(tmp_path, {"app/__init__.py": "", "app/db.py": DB, "app/models.py": MODELS, **extra})


@pytest.mark.parametrize("spec, floor", [
    (">=3.9", (3, 9)), (">=3.8,<4", (3, 8)), (">= 3.10", (3, 10)), ("~=3.11", (3, 11)), ("==3.9.*", (3, 9)),
    ("^3.10", (3, 10)), ("~3.9", (3, 9)), (">3.9", (3, 9)), ("3.12", (3, 12)), ("<3.13", None), ("*", None),
    ("!=3.9.1,>=3.9", (3, 9)), ("^3.8 || ^3.10", (3, 8)), ("", None),
])
def test_the_floor_of_a_version_specifier(spec, floor):
    assert floor_of(spec) == floor


def test_target_versions_are_spelled_as_ruff_spells_them():
    assert [parse_target(t) for t in ("py38", "py310", "py3", "3.10", "py39 ")] == [(3, 8), (3, 10), None, None,
                                                                                      (3, 9)]


@pytest.mark.parametrize("files, floor", [
    ({"pyproject.toml": '[project]\nname = "x"\nrequires-python = ">=3.9"\n'}, (3, 9)),
    ({"pyproject.toml": '[tool.poetry.dependencies]\npython = "^3.11"\n'}, (3, 11)),
    ({"pyproject.toml": '[tool.ruff]\ntarget-version = "py310"\n'}, (3, 10)),
    ({"pyproject.toml": '[tool.mypy]\npython_version = "3.8"\n'}, (3, 8)),
    ({"setup.cfg": "[options]\npython_requires = >=3.10\n"}, (3, 10)),
    ({"setup.py": 'from setuptools import setup\nsetup(name="x", python_requires=">=3.9")\n'}, (3, 9)),
    ({"pyproject.toml": "[tool.black]\nline-length = 100\n", "setup.cfg": "[options]\npython_requires = >=3.8\n"},
     (3, 8)),
    ({"pyproject.toml": "not [ toml"}, None),
    ({}, None),
])
def test_the_declared_floor_comes_from_the_packaging_files(tmp_path, files, floor):
    root = write_tree(tmp_path, files)
    assert declared_floor(root) == floor


def test_the_declared_floor_is_looked_up_above_the_project_but_not_above_its_work_tree(tmp_path):
    write_tree(tmp_path, {"pyproject.toml": '[project]\nrequires-python = ">=3.8"\n',
                          "repo/pyproject.toml": '[project]\nrequires-python = ">=3.11"\n', "repo/src/app/x.py": ""})
    assert declared_floor(tmp_path / "repo" / "src") == (3, 11)
    (tmp_path / "other" / ".git").mkdir(parents=True)
    assert declared_floor(tmp_path / "other") is None
    # review: a nearer project of its own, declaring no floor, does not take an outer one's
    write_tree(tmp_path, {"nested/pyproject.toml": '[tool.black]\nline-length = 99\n', "nested/app/x.py": ""})
    assert declared_floor(tmp_path / "nested" / "app") is None


def test_without_a_declared_floor_or_evidence_the_rewrite_writes_what_every_python_reads(tmp_path):
    out = _rewrite(_tree(tmp_path, {}))
    assert "from typing import List, Optional\n" in out
    assert "    id: Optional[int] = Field(default=None, primary_key=True)\n" in out
    assert "    name: Optional[str] = Field(max_length=40)\n" in out
    assert '    members: List["Member"] = Relationship(back_populates="team")\n' in out
    assert " | None" not in out and "list[" not in out


def test_a_declared_floor_of_3_10_writes_unions_and_builtin_generics(tmp_path):
    out = _rewrite(_tree(tmp_path, {"pyproject.toml": '[project]\nname = "x"\nrequires-python = ">=3.10"\n'}))
    assert "Optional[int]" not in out and "List[" not in out
    assert '    team: Optional["Team"] = Relationship(back_populates="members")\n' in out  # "Team" | None fails
    assert "    id: int | None = Field(default=None, primary_key=True)\n" in out
    assert '    members: list["Member"] = Relationship(back_populates="team")\n' in out


def test_a_declared_floor_of_3_9_writes_optional_and_builtin_generics(tmp_path):
    out = _rewrite(_tree(tmp_path, {"setup.cfg": "[options]\npython_requires = >=3.9\n"}))
    assert "    id: Optional[int] = Field(default=None, primary_key=True)\n" in out
    assert '    members: list["Member"] = Relationship(back_populates="team")\n' in out


def test_the_declared_floor_wins_over_what_the_code_uses(tmp_path):
    schemas = "from pydantic import BaseModel\n\n\nclass TeamOut(BaseModel):\n    name: str | None = None\n"
    out = _rewrite(_tree(tmp_path, {"app/schemas.py": schemas,
                                    "pyproject.toml": '[project]\nrequires-python = ">=3.8"\n'}))
    assert "    id: Optional[int] = Field(default=None, primary_key=True)\n" in out


@pytest.mark.parametrize("evidence, union, generics", [
    # a schema field, evaluated by pydantic
    ({"app/schemas.py": "from pydantic import BaseModel\n\n\nclass TeamOut(BaseModel):\n"
                        "    name: str | None = None\n"}, True, True),
    ({"app/schemas.py": "from pydantic import BaseModel\n\n\nclass TeamOut(BaseModel):\n"
                        "    tags: list[str] = []\n"}, False, True),
    # a route parameter, evaluated by FastAPI even under postponed annotations
    ({"app/api.py": "from __future__ import annotations\n\nfrom fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n"
                    "@router.get('/teams')\ndef teams(q: str | None = None):\n    return []\n"}, True, True),
    # review: a Literal value, Annotated metadata and a plain annotation SQLAlchemy never reads are no evidence
    ({"app/schemas.py": "from typing import Annotated, Literal\n\nfrom pydantic import BaseModel, Field\n\n\n"
                        "class Mode(BaseModel):\n    mode: Literal['r|w']\n"
                        "    code: Annotated[str, Field(pattern='a|b')]\n"}, False, False),
    ({"app/legacy.py": "from __future__ import annotations\n\nfrom sqlalchemy import Column, Integer, String\n\n"
                       "from app.db import Base\n\n\nclass Old(Base):\n    __tablename__ = 'old'\n"
                       "    id: int = Column(Integer, primary_key=True)\n"
                       "    name: str | None = Column(String(20))\n"}, False, False),
    ({"app/legacy.py": "from __future__ import annotations\n\nfrom sqlalchemy.orm import Mapped, mapped_column\n\n"
                       "from app.db import Base\n\n\nclass New(Base):\n    __tablename__ = 'new'\n"
                       "    id: Mapped[int] = mapped_column(primary_key=True)\n"
                       "    name: Mapped[str | None]\n"}, True, True),
    # a helper function's annotation is never evaluated: no evidence
    ({"app/util.py": "from __future__ import annotations\n\n\ndef f(x: int | None) -> list[int]:\n"
                     "    return []\n"}, False, False),
])
def test_what_the_project_already_evaluates_is_evidence(tmp_path, evidence, union, generics):
    out = _rewrite(_tree(tmp_path, evidence))
    assert ("    id: int | None = Field(default=None, primary_key=True)\n" in out) is union
    assert ('    members: list["Member"]' in out) is generics


def test_target_version_of_the_configuration_wins(tmp_path):
    root = _tree(tmp_path, {"pyproject.toml": '[project]\nrequires-python = ">=3.8"\n'
                                              '[tool.sqlmig]\ntarget-version = "py312"\n'})
    proc = subprocess.run([sys.executable, "-m", "sqlmig", "rewrite", ".", "--dry-run", "--no-cache"], cwd=root,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1, proc.stderr
    assert "+    id: int | None = Field(default=None, primary_key=True)\n" in proc.stdout
    assert _rewrite(root, target=(3, 9)).count("Optional[int]") == 2


def test_a_bad_target_version_is_a_one_line_error(tmp_path):
    root = _tree(tmp_path, {"pyproject.toml": '[tool.sqlmig]\ntarget-version = "3.10"\n'})
    proc = subprocess.run([sys.executable, "-m", "sqlmig", "rewrite", ".", "--dry-run", "--no-cache"], cwd=root,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        f'sqlmig: error: {root / "pyproject.toml"} [tool.sqlmig]: `target-version` must be like "py39" '
        "(the oldest Python the project runs on)"]
