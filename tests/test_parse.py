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


_WORKER_CHECK = """
import json, sys
from pathlib import Path
import libcst as cst
from sqlmig import engine
from sqlmig.cache import encode
from sqlmig.scan import parse, scan_source
sources = {name: Path(name).read_bytes() for name in sys.argv[1:]}
before = {}
for name, data in sources.items():
    try:
        before[name] = cst.parse_module(data.decode("utf-8"))
    except cst.ParserSyntaxError:
        pass
engine._worker_start(".", False)  # what a scan worker runs first
assert parse._fast_constructors and "__setattr__" not in cst.Name.__dict__
out = {}
for name, data in sources.items():
    if name in before:
        tree = parse.parse_module(data.decode("utf-8"))
        assert tree.deep_equals(before[name]), name
        assert tree.code == data.decode("utf-8"), name
    out[name] = encode(scan_source(Path(name).name, "m", False, data)).hex()
one, two = cst.SimpleStatementLine([cst.Pass()]), cst.SimpleStatementLine([cst.Pass()])
assert one.trailing_whitespace is not two.trailing_whitespace  # each node its default factory's own
assert one.trailing_whitespace.deep_equals(cst.TrailingWhitespace()) and one.leading_lines == ()
print(json.dumps(out))
"""


def test_a_scan_worker_s_plain_constructors_build_the_same_trees_and_facts() -> None:
    """Scan workers replace the node classes' frozen ``__init__`` (``fast_constructors``): the trees of
    the corpus equal LibCST's own, and the facts those of a process that keeps LibCST as it is."""
    from tests.conftest import assert_facts_match_a_fresh_process

    assert_facts_match_a_fresh_process(_WORKER_CHECK, [str(p) for p in _corpus()])


def test_plain_constructors_keep_the_classes_they_cannot_reproduce() -> None:
    from dataclasses import dataclass, field

    from sqlmig.scan import parse

    @dataclass(frozen=True)
    class Own(cst.Name):
        extra: int = field(default=0, kw_only=True)

    assert parse._plain_init(Own) is None
    assert parse._plain_init(cst.CSTNode) is None  # abstract: no generated __init__ of its own
    init = parse._plain_init(cst.Name)
    assert init is not None and parse._shape(init) == parse._shape(cst.Name.__init__)
