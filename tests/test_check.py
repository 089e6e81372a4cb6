"""sqlmig check: configuration, suppressions, changed files, baselines and the CI output formats."""

from __future__ import annotations

import json

import jsonschema
import pytest

from tests.conftest import ROOT, write_tree
from tests.test_cli import sqlmig

PROJECT = {
    "app/__init__.py": "",
    "app/models.py": """
        from sqlalchemy import Column, ForeignKey, Integer, String
        from sqlalchemy.orm import declarative_base

        Base = declarative_base()


        class User(Base):
            __tablename__ = "users"
            id = Column(Integer, primary_key=True)
            name = Column(String(50), nullable=False)


        class Post(Base):
            __tablename__ = "posts"
            id = Column(Integer, primary_key=True)
            title = Column(String(200), nullable=False)
            author_id = Column(ForeignKey("users.id"))
        """,
    "app/schemas.py": """
        from pydantic import BaseModel, Field


        class PostCreate(BaseModel):
            title: str = Field(max_length=300)
        """,
}


def _json(proc) -> list[tuple[str, str, int]]:
    assert proc.returncode in (0, 1), proc.stderr
    return [(f["code"], f["path"], f["line"]) for f in json.loads(proc.stdout)["findings"]]


def test_config_select_ignore_and_cli_precedence(tmp_path):
    write_tree(tmp_path, {**PROJECT, "pyproject.toml": """
        [tool.sqlmig]
        select = ["SQM1", "SQM3"]
        ignore = ["SQM107"]
        per-file-ignores = {"app/schemas.py" = ["SQM101"]}
        """})
    got = _json(sqlmig("analyze", str(tmp_path), "--no-cache", "-f", "json"))
    assert got == [("SQM309", "app/models.py", 17), ("SQM104", "app/schemas.py", 5)]
    got = _json(sqlmig("analyze", str(tmp_path), "--no-cache", "-f", "json", "--select", "SQM104"))
    assert got == [("SQM104", "app/schemas.py", 5)]
    got = _json(sqlmig("analyze", str(tmp_path), "--no-cache", "-f", "json", "--ignore", "SQM3"))
    assert got == [("SQM104", "app/schemas.py", 5)]


def test_config_fail_on_and_format(tmp_path):
    write_tree(tmp_path, {**PROJECT, "pyproject.toml": '[tool.sqlmig]\nfail-on = "warning"\nformat = "github"\n'})
    proc = sqlmig("analyze", str(tmp_path), "--no-cache")
    assert proc.returncode == 1 and proc.stdout.startswith("::")
    assert sqlmig("analyze", str(tmp_path), "--no-cache", "--fail-on", "error").returncode == 0
    assert sqlmig("analyze", str(tmp_path), "--no-cache", "--exit-zero", "--fail-on", "info").returncode == 0


@pytest.mark.parametrize("toml, message", [
    ('[tool.sqlmig]\nselekt = ["SQM1"]\n', "unknown key `selekt`"),
    ('[tool.sqlmig]\nselect = ["XYZ9"]\n', "unknown rule selector 'XYZ9'"),
    ('[tool.sqlmig]\nfail-on = "fatal"\n', "`fail-on` must be one of"),
    ('[tool.sqlmig\n', "cannot read"),
])
def test_bad_config_is_one_line_exit_2(tmp_path, toml, message):
    write_tree(tmp_path, {**PROJECT, "pyproject.toml": toml})
    proc = sqlmig("analyze", str(tmp_path), "--no-cache")
    assert proc.returncode == 2 and message in proc.stderr and proc.stderr.count("\n") == 1, proc.stderr


def test_src_roots_name_namespace_packages(tmp_path):
    files = {f"src/{k}": v for k, v in PROJECT.items() if k != "app/__init__.py"}
    write_tree(tmp_path, {**files, "pyproject.toml": '[tool.sqlmig]\nsrc = ["src"]\n'})
    doc = json.loads(sqlmig("analyze", str(tmp_path), "--no-cache", "-f", "json").stdout)
    assert [m["qualname"] for m in doc["models"]] == ["app.models.Post", "app.models.User"]


NAMESPACED = {
    "src/acme/shop/__init__.py": "",
    "src/acme/shop/db.py": """
        from sqlalchemy.orm import DeclarativeBase


        class Base(DeclarativeBase):
            pass
        """,
    "src/acme/shop/models.py": """
        from sqlalchemy import String
        from sqlalchemy.orm import Mapped, mapped_column

        from acme.shop.db import Base


        class Item(Base):
            __tablename__ = "items"
            id: Mapped[int] = mapped_column(primary_key=True)
            name: Mapped[str] = mapped_column(String(50))
        """,
    "tests/test_items.py": "from acme.shop.models import Item\n",
    "pyproject.toml": '[project]\nname = "acme-shop"\n',
}


def test_a_src_folder_is_a_src_root_without_configuration(tmp_path):
    """Regression (meltano: 1 of 3 models found): in a src layout whose top package is a namespace
    package (``src/acme/shop/``, no ``acme/__init__.py``) the modules were named ``shop.models``,
    so ``from acme.shop.db import Base`` reached nothing. As in ruff, a ``src`` folder that is no
    package is a src root unless ``src`` is configured: the analysed folder's, or the analysed folder
    itself or one above it when it sits in a project (beside a pyproject.toml, setup.py or setup.cfg);
    a ``~/src`` full of checkouts is no src root."""
    write_tree(tmp_path, NAMESPACED)
    for path in (tmp_path, tmp_path / "src/acme", tmp_path / "src/acme/shop"):
        doc = json.loads(sqlmig("analyze", str(path), "--no-cache", "-f", "json").stdout)
        assert [m["qualname"] for m in doc["models"]] == ["acme.shop.models.Item"], path
    # checkouts in a src folder that is no project: each named as before
    checkout = {k.replace("src/acme/", "src/repo/"): v.replace("acme.shop", "shop") for k, v in NAMESPACED.items()
                if k.startswith("src/")}
    write_tree(tmp_path / "home", checkout)
    doc = json.loads(sqlmig("analyze", str(tmp_path / "home/src/repo"), "--no-cache", "-f", "json").stdout)
    assert [m["qualname"] for m in doc["models"]] == ["shop.models.Item"]
    # a src folder that is a package is named as one (its code imports it as ``src``)
    packaged = {k: v.replace("from acme.", "from src.acme.") for k, v in NAMESPACED.items()}
    write_tree(tmp_path / "p", {**packaged, "src/__init__.py": ""})
    doc = json.loads(sqlmig("analyze", str(tmp_path / "p"), "--no-cache", "-f", "json").stdout)
    assert [m["qualname"] for m in doc["models"]] == ["src.acme.shop.models.Item"]


def test_unused_suppressions_are_reported_on_request(tmp_path):
    project = dict(PROJECT)
    project["app/models.py"] = project["app/models.py"].replace(
        'author_id = Column(ForeignKey("users.id"))', 'author_id = Column(ForeignKey("users.id"))  # sqlmig: ignore[SQM309]'
    ).replace('name = Column(String(50), nullable=False)', 'name = Column(String(50), nullable=False)  # sqlmig: ignore')
    write_tree(tmp_path, project)
    got = _json(sqlmig("analyze", str(tmp_path), "--no-cache", "-f", "json", "--report-unused-ignores"))
    assert ("SQM309", "app/models.py", 17) not in got
    assert ("SQM003", "app/models.py", 10) in got
    assert [c for c in got if c[0] == "SQM003"] == [("SQM003", "app/models.py", 10)]


def test_check_reports_only_given_files_but_pairs_across_the_project(tmp_path):
    write_tree(tmp_path, {**PROJECT, "pyproject.toml": "[tool.sqlmig]\n"})
    proc = sqlmig("check", "app/schemas.py", "--no-cache", "-f", "json", cwd=tmp_path)
    assert _json(proc) == [("SQM101", "app/schemas.py", 5), ("SQM104", "app/schemas.py", 5)]
    proc = sqlmig("check", "--no-cache", "-f", "json", cwd=tmp_path)
    assert ("SQM309", "app/models.py", 17) in _json(proc)


def test_baseline_survives_line_shifts_and_catches_new_findings(tmp_path):
    write_tree(tmp_path, {**PROJECT, "pyproject.toml": "[tool.sqlmig]\nfail-on = \"info\"\n"})
    assert sqlmig("check", "--no-cache", cwd=tmp_path).returncode == 1
    assert sqlmig("check", "--no-cache", "--write-baseline", "baseline.json", cwd=tmp_path).returncode == 0
    assert sqlmig("check", "--no-cache", "--baseline", "baseline.json", cwd=tmp_path).returncode == 0
    models = tmp_path / "app/models.py"
    models.write_text("# a comment\n\n\n" + models.read_text())
    assert sqlmig("check", "--no-cache", "--baseline", "baseline.json", cwd=tmp_path).returncode == 0
    models.write_text(models.read_text() + '    editor_id = Column(ForeignKey("users.id"))\n')
    proc = sqlmig("check", "--no-cache", "--baseline", "baseline.json", "-f", "json", cwd=tmp_path)
    assert proc.returncode == 1 and _json(proc) == [("SQM309", "app/models.py", 21)]
    (tmp_path / "broken.json").write_text("{")
    bad = sqlmig("check", "--no-cache", "--baseline", "broken.json", cwd=tmp_path)
    assert bad.returncode == 2 and "cannot read baseline" in bad.stderr


def test_github_format_line_by_line(tmp_path):
    write_tree(tmp_path, PROJECT)
    proc = sqlmig("analyze", str(tmp_path), "--no-cache", "-f", "github")
    assert proc.stdout.splitlines() == [
        "::notice file=app/models.py,line=7,col=1,title=SQM107 unpaired-class::"
        "SQM107 model User has no paired schema (app.models.User)",
        "::notice file=app/models.py,line=17,col=5,title=SQM309 unindexed-foreign-key::"
        "SQM309 foreign key author_id -> users.id has no index (app.models.Post.author_id)",
        "::notice file=app/schemas.py,line=5,col=5,title=SQM101 duplicated-field::"
        "SQM101 `title` duplicates column Post.title (app.schemas.PostCreate.title)",
        "::warning file=app/schemas.py,line=5,col=5,title=SQM104 length-drift::"
        "SQM104 `title` has max_length=300 but column Post.title is String(200) (app.schemas.PostCreate.title)",
    ]


def test_sarif_validates_against_the_2_1_0_schema(tmp_path):
    write_tree(tmp_path, PROJECT)
    doc = json.loads(sqlmig("analyze", str(tmp_path), "--no-cache", "-f", "sarif").stdout)
    schema = json.loads((ROOT / "tests/data/sarif-2.1.0-rtm.5.json").read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(schema).validate(doc)
    run = doc["runs"][0]
    rule_ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert "SQM205" in rule_ids and all(r["helpUri"] and r["help"]["text"] for r in run["tool"]["driver"]["rules"])
    result = next(r for r in run["results"] if r["ruleId"] == "SQM104")
    assert result["level"] == "warning"
    assert result["locations"][0]["physicalLocation"]["region"] == {"startLine": 5, "startColumn": 5}
    assert rule_ids[result["ruleIndex"]] == "SQM104"


def test_markdown_summary(tmp_path):
    write_tree(tmp_path, PROJECT)
    md = sqlmig("analyze", str(tmp_path), "--no-cache", "-f", "markdown").stdout
    assert md.startswith("## sqlmig\n\n**Verdict: migrate**")
    assert "| ⚠️ | `SQM104` length-drift | `app/schemas.py:5` |" in md


def test_comma_separated_selectors(tmp_path):
    write_tree(tmp_path, PROJECT)
    got = _json(sqlmig("analyze", str(tmp_path), "--no-cache", "-f", "json", "--select", "SQM104,SQM309"))
    assert got == [("SQM309", "app/models.py", 17), ("SQM104", "app/schemas.py", 5)]


def test_exclude_and_extend_exclude_from_config(tmp_path):
    extra = {"legacy/old.py": PROJECT["app/models.py"], ".venv/x.py": PROJECT["app/models.py"]}
    write_tree(tmp_path, {**PROJECT, **extra, "pyproject.toml": '[tool.sqlmig]\nextend-exclude = ["legacy"]\n'})
    doc = json.loads(sqlmig("analyze", str(tmp_path), "--no-cache", "-f", "json").stdout)
    assert doc["summary"]["files"] == 3  # app/*.py; .venv by default, legacy by extend-exclude
    (tmp_path / "pyproject.toml").write_text('[tool.sqlmig]\nexclude = ["legacy"]\n')
    doc = json.loads(sqlmig("analyze", str(tmp_path), "--no-cache", "-f", "json").stdout)
    assert doc["summary"]["files"] == 4  # `exclude` replaces the defaults, so .venv is read
