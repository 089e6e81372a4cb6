"""The scanner and the analysis never raise, whatever bytes they are given.

Mutated sample files (bytes deleted, duplicated, replaced, truncated) go through the whole pipeline.
``SQLMIG_FUZZ_EXAMPLES`` raises the example count for a longer run (default 150).
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
EXAMPLES = int(os.environ.get("SQLMIG_FUZZ_EXAMPLES", "150"))


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
