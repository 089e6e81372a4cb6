"""The fast positions pass records what LibCST's stock code generator records, and LibCST is left as
it was after every pass."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest
import sqlalchemy

from sqlmig.scan import positions, scan_source
from sqlmig.scan.module import ModuleScanner
from sqlmig.scan.positions import Spans

ROOT = Path(__file__).resolve().parent.parent


def _corpus() -> list[Path]:
    files = sorted((ROOT / "sample_projects").rglob("*.py")) + sorted((ROOT / "tests" / "fixtures").rglob("*.py"))
    files += sorted(Path(cst.__file__).parent.glob("_nodes/*.py"))  # every kind of statement and expression
    files += sorted(Path(sqlalchemy.__file__).parent.joinpath("orm").glob("*.py"))
    return files


EDGES = [
    "", "\n", "x = 1", "x = 1\r\n", "if x:\r\n    y = (\r\n        1)\r\n",
    "class A:\n    x: int = 1  # c\n\n    # lone\n    def f(self):\n        return (self)\n",
    "s = '''\n  multi\n'''\nt = f'{x!r:>{w}}' \\\n    'tail'\n",
    "def f(a, /, b=(1), *c, d: 'T' = [], **e) -> (int):\n    pass\n",
    "x = [ (a) for  a in b if (a)]\ny = {k: v for k, v in z}\nlambda: (yield)\n",
    "@(d)\nclass B(  A , metaclass = M ):\n\tx = not a is not b in c\n",
    "while 1:\n  pass\nelse :\n  pass\ntry:\n pass\nexcept* E as e:\n pass\nfinally:\n pass\n",
    "match p:\n    case [1, *r] | {'k': _} if r:\n        pass\n",
    "type A[T] = list[T]\ndef g[T: int](x: T) -> T: ...\n",
]


def _same(source: str) -> None:
    tree = cst.parse_module(source)
    stock, fast = Spans(tree, source, stock=True), Spans(tree, source)
    assert fast.length == stock.length == len(source) + (len(tree.default_newline) if source else 0)
    assert fast.indent_at == stock.indent_at and fast.indent_len == stock.indent_len
    assert fast.starts and all(stock.starts[k] == v for k, v in fast.starts.items())
    assert all(stock.ends[k] == v for k, v in fast.ends.items())
    assert all(stock.syntactic[k] == v for k, v in fast.syntactic.items())


@pytest.mark.parametrize("source", EDGES)
def test_edge_cases_match_the_stock_pass(source: str) -> None:
    _same(source)


def test_corpus_matches_the_stock_pass_and_facts_are_unchanged(monkeypatch) -> None:
    files = _corpus()
    assert len(files) > 150
    for path in files:
        data = path.read_bytes()
        source = data.decode("utf-8")
        _same(source)
        fast = scan_source(path.name, "m", False, data)
        with monkeypatch.context() as m:
            original = positions.Spans.__init__
            m.setattr(positions.Spans, "__init__",
                      lambda self, module, src, visitor=None, stock=False: original(self, module, src, visitor, True))
            slow = scan_source(path.name, "m", False, data)
        assert fast == slow, path


def test_libcst_is_restored_after_each_pass_even_a_failing_one() -> None:
    def codegen_methods() -> dict:
        classes = [*positions._LEAVES, positions._BaseParenthesizedNode]
        return {c: (c.__dict__.get("_codegen"), c.__dict__.get("_parenthesize")) for c in classes}

    before = codegen_methods()
    Spans(cst.parse_module("x = (a)\n"), "x = (a)\n")
    assert codegen_methods() == before

    class Boom(ModuleScanner):
        def visit_Call(self, node):
            raise RuntimeError("hook failed")

    tree = cst.parse_module("f(x)\n")
    with pytest.raises(RuntimeError):
        Spans(tree, "f(x)\n", Boom(tree, "m", False))
    assert codegen_methods() == before
    assert cst.parse_module("y = [1, 2]\n").code == "y = [1, 2]\n"
    assert cst.Module([]).code_for_node(cst.parse_expression("(a ,b)")) == "(a ,b)"


def test_a_pass_that_comes_out_short_falls_back_to_the_stock_pass(monkeypatch) -> None:
    source = "from sqlalchemy import Column, Integer\nclass A(Base):\n    id = Column(Integer, primary_key=True)\n"
    expected = scan_source("a.py", "a", False, source.encode())
    monkeypatch.setitem(positions._LEAVES, cst.Comma, lambda self, state: None)  # a wrong leaf: one byte short
    monkeypatch.setattr(positions, "_PATCHES", {})  # the patch sets worked out per visitor class so far
    stock_runs = []
    original = positions.Spans.__init__

    def spy(self, module, src, visitor=None, stock=False):
        stock_runs.append(stock)
        original(self, module, src, visitor, stock)

    monkeypatch.setattr(positions.Spans, "__init__", spy)
    assert scan_source("a.py", "a", False, source.encode()) == expected
    assert stock_runs == [False, True]


_RESIDENT_CHECK = """
import json, sys
from pathlib import Path
import libcst as cst
from sqlmig.cache import encode
from sqlmig.scan import positions, scan_source
from sqlmig.scan.module import ModuleScanner
positions.keep_fast_leaves(ModuleScanner)
assert "_codegen" in cst.SimpleWhitespace.__dict__ and "_codegen" in cst.Comma.__dict__  # installed for good
out = {}
for name in sys.argv[1:]:
    path = Path(name)
    data = path.read_bytes()
    out[name] = encode(scan_source(path.name, "m", False, data)).hex()
    source = data.decode("utf-8")
    tree = cst.parse_module(source)
    assert tree.code == source, name  # LibCST's own code generation is exact beside the fast pass
    stock, fast = positions.Spans(tree, source, stock=True), positions.Spans(tree, source)
    assert fast.length == stock.length == len(source) + (len(tree.default_newline) if source else 0), name
    assert all(stock.starts[k] == v for k, v in fast.starts.items()), name
class Other(ModuleScanner):  # a visitor of another class hooks a leaf: it must see every comma
    commas = 0
    def visit_Comma(self, node):
        Other.commas += 1
tree = cst.parse_module("f(a, b, c)\\n")
positions.Spans(tree, "f(a, b, c)\\n", Other(tree, "m", False))
assert Other.commas == 2
assert cst.Module([]).code_for_node(cst.parse_expression("(a ,b)")) == "(a ,b)"
print(json.dumps(out))
"""


def test_fast_leaves_kept_for_good_change_no_fact_and_no_other_code_generation() -> None:
    """Scan workers keep the fast methods installed (``keep_fast_leaves``): the facts of the corpus
    are those of a process that patches per pass, and LibCST's own code generation, the stock pass
    and visitors of other classes are unaffected."""
    from tests.conftest import assert_facts_match_a_fresh_process

    assert_facts_match_a_fresh_process(_RESIDENT_CHECK, [str(p) for p in _corpus()])
