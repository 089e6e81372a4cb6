"""The scanner and the analysis never raise, whatever bytes they are given; the rewrite either refuses
cleanly or writes code that parses and that a second rewrite leaves alone.

Mutated sample files (bytes deleted, duplicated, replaced, truncated) go through the whole pipeline,
and programs generated from Python's grammar (hypothesmith) through the scanner. Longer runs:
``SQLMIG_FUZZ_EXAMPLES`` (mutations, default 400), ``SQLMIG_FUZZ_REWRITE_EXAMPLES`` (rewrite, 30),
``SQLMIG_FUZZ_GRAMMAR_EXAMPLES`` (generated programs, 6).
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sqlmig.analyze import analyze
from sqlmig.scan import scan_source
from tests.conftest import SAMPLES

SOURCES = {p.relative_to(SAMPLES).as_posix(): p.read_bytes()
           for p in sorted(SAMPLES.rglob("*.py")) if p.stat().st_size > 200}
EXAMPLES = int(os.environ.get("SQLMIG_FUZZ_EXAMPLES", "400"))


@st.composite
def mutated(draw):
    rel = draw(st.sampled_from(sorted(SOURCES)))
    data = bytearray(SOURCES[rel])
    for _ in range(draw(st.integers(1, 6))):
        if not data:
            break
        i = draw(st.integers(0, len(data) - 1))
        j = min(len(data), i + draw(st.integers(0, 40)))
        op = draw(st.sampled_from(["delete", "duplicate", "replace", "truncate", "insert"]))
        if op == "delete":
            del data[i:j]
        elif op == "duplicate":
            data[i:i] = data[i:j]
        elif op == "replace":
            data[i:j] = draw(st.binary(max_size=12))
        elif op == "truncate":
            del data[i:]
        else:
            data[i:i] = draw(st.sampled_from([b"(", b")", b"class X(Base):\n", b"\x00", b"\xff", b"    ", b"\n",
                                                b"Column(", b"Mapped[", b"]", b"'''", b"\\\n", b"\r"]))
    return rel, bytes(data)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_scanner_and_analysis_never_raise(case):
    rel, data = case
    facts = scan_source(rel, "app.fuzzed", False, data)
    assert facts.path == rel
    analyze([facts])


# ---------------------------------------------------------------------------------------------- rewrite

REWRITE_EXAMPLES = int(os.environ.get("SQLMIG_FUZZ_REWRITE_EXAMPLES", "30"))
BLOG = {p.relative_to(SAMPLES / "blog").as_posix(): p.read_bytes()
        for p in sorted((SAMPLES / "blog" / "app").rglob("*.py"))}
TARGETS = sorted(p for p in BLOG if "/models/" in p or "/schemas/" in p or p == "app/db.py")


def _rewrite(root):
    from pathlib import Path

    from sqlmig.config import Config
    from sqlmig.rewrite.apply import compute
    from sqlmig.rewrite.errors import RewriteError
    from sqlmig.run import run

    r = run([str(root)], Config(), use_cache=False, jobs=1)
    try:
        return compute(Path(r.root), r.result, queries=True).changes
    except RewriteError:
        return None  # a clean refusal is an acceptable outcome


@settings(max_examples=REWRITE_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(TARGETS), st.data())
def test_rewrite_output_parses_and_is_a_fixed_point(target, data):
    """A mutated file in the blog project: the rewrite refuses cleanly, or every file it produces parses
    and a second rewrite of the result changes nothing."""
    import ast
    import tempfile
    from pathlib import Path

    source = bytearray(BLOG[target])
    for _ in range(data.draw(st.integers(1, 3))):
        i = data.draw(st.integers(0, max(0, len(source) - 1)))
        op = data.draw(st.sampled_from(["delete_line", "duplicate_line", "insert"]))
        lines = bytes(source).split(b"\n")
        k = min(len(lines) - 1, bytes(source[:i]).count(b"\n"))
        if op == "delete_line":
            del lines[k]
        elif op == "duplicate_line":
            lines.insert(k, lines[k])
        else:
            lines.insert(k, data.draw(st.sampled_from([
                b"    extra = Column(String(5))", b"    note: Optional[str] = None", b"import sqlalchemy as sa",
                b"    x = relationship('User')", b"class Extra(Base):", b"    __tablename__ = 'extra'",
                b"    id = Column(Integer, primary_key=True)", b"# comment", b"", b"    pass"])))
        source = bytearray(b"\n".join(lines))
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for rel, content in BLOG.items():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_bytes(bytes(source) if rel == target else content)
        changes = _rewrite(root)
        if not changes:
            return
        for ch in changes:
            ast.parse(ch.after)  # valid Python
            (root / ch.path).write_bytes(ch.after)
        assert _rewrite(root) == []


# hypothesmith builds programs from Python's grammar; generating them is slow (about 4 s each here),
# so CI runs a few and SQLMIG_FUZZ_GRAMMAR_EXAMPLES asks for more
GRAMMAR_EXAMPLES = int(os.environ.get("SQLMIG_FUZZ_GRAMMAR_EXAMPLES", "6"))


@settings(max_examples=GRAMMAR_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.data())
def test_generated_programs_never_crash_the_scanner(data):
    """Programs generated from Python's grammar (hypothesmith) through the scanner and the analysis."""
    import warnings

    import hypothesmith

    code = data.draw(hypothesmith.from_grammar())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SyntaxWarning)  # "'ellipsis' object is not callable" and the like
        facts = scan_source("gen.py", "app.gen", False, code.encode("utf-8"))
        analyze([facts])
