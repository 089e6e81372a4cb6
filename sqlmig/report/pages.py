"""``sqlmig report``: the migration report as Markdown or one self-contained HTML page."""

from __future__ import annotations

import re

from markupsafe import Markup

from sqlmig import __version__
from sqlmig.analyze import Result
from sqlmig.ir import Finding
from sqlmig.migration.alembic_setup import template_dir
from sqlmig.report import svg
from sqlmig.report.document import build


def _cell(text) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def render(result: Result, findings: list[Finding], fmt: str, title: str) -> str:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    report = build(result, findings, title)
    env = Environment(loader=FileSystemLoader(str(template_dir())), undefined=StrictUndefined,
                      autoescape=select_autoescape(["html.j2"]), keep_trailing_newline=True,
                      trim_blocks=False, lstrip_blocks=False)
    env.filters["cell"] = _cell
    if fmt == "markdown":
        text = env.get_template("report.md.j2").render(r=report, mermaid=svg.mermaid(report.diagram))
        return re.sub(r"\n{3,}", "\n\n", text)
    return env.get_template("report.html.j2").render(r=report, svg=Markup(svg.render(report.diagram)),
                                                     version=__version__)
