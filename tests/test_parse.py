"""The scan's parse (LibCST without node validation while it runs) builds the trees LibCST builds."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest

from sqlmig.scan.parse import parse_module

ROOT = Path(__file__).resolve().parent.parent


def _corpus() -> list[Path]:
    files = sorted((ROOT / "sample_projects").rglob("*.py")) + sorted((ROOT / "tests" / "fixtures").rglob("*.py"))
    files += sorted(Path(cst.__file__).parent.glob("_nodes/*.py"))  # large, every statement kind
    return files


def test_same_trees_as_libcst() -> None:
    compared = 0
    for path in _corpus():
        source = path.read_text(encoding="utf-8")
        try:
            expected = cst.parse_module(source)
        except cst.ParserSyntaxError:
            with pytest.raises(cst.ParserSyntaxError):
                parse_module(source)
            continue
        got = parse_module(source)
        assert got.deep_equals(expected), path
        assert got.code == source
        compared += 1
    assert compared > 100


def test_validation_is_back_on_after_each_parse() -> None:
    parse_module("x = 1\n")
    with pytest.raises(cst.CSTValidationError):
        cst.Name("not an identifier")
    with pytest.raises(cst.ParserSyntaxError):
        parse_module("def (:\n")
    with pytest.raises(cst.CSTValidationError):
        cst.Name("still not one")


class _Strings(cst.CSTVisitor):
    def __init__(self) -> None:
        self.found: list[cst.SimpleString] = []

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        self.found.append(node)


EDGE_STRINGS = [
    '""', "''", '""""""', "''''''", '"a"', "'a'", '"""a"""', "'''a'''", '"\'"', "'\"'", '"""it\'s"""',
    "'''say \"hi\"'''", '"""\nline\n"""', '"""\r\nline\r\n"""', '"tab\there"', '"é ☃ 𝄞"', 'r"\\d+"',
    'b"bytes"', 'u"text"', '"a\\nb"', '"\\\\"', '"""a\\\nb"""', 'R"x"', 'rb"x"', '"x" "y"',
]


def test_string_values_read_off_the_text_equal_libcst_evaluated_values() -> None:
    from sqlmig.scan.expr import string_value

    nodes = []
    for text in EDGE_STRINGS:
        nodes.append(parse_module(f"x = {text}\n").body[0].body[0].value)  # "x" "y": concatenated
    import sqlalchemy

    for path in _corpus() + sorted(Path(sqlalchemy.__file__).parent.glob("orm/*.py")):
        collector = _Strings()
        try:
            cst.parse_module(path.read_bytes().decode("utf-8")).visit(collector)
        except cst.ParserSyntaxError:
            continue
        nodes += collector.found
    assert len(nodes) > 5000
    for node in nodes:
        assert string_value(node) == node.evaluated_value, node.value
        assert type(string_value(node)) is type(node.evaluated_value), node.value
