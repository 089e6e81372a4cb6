"""Scanning engine: the cache and the process pool must not change any result."""

from __future__ import annotations

import json
from pathlib import Path

from sqlmig.analyze import analyze
from sqlmig.cache import CACHE_DIR
from sqlmig.discover import discover
from sqlmig.engine import scan_files
from sqlmig.report.json import document
from tests.conftest import write_tree

MODELS = """
from sqlalchemy import Column, ForeignKey, Integer, String
from sqlalchemy.orm import declarative_base, relationship

Base = declarative_base()


class Author{n}(Base):
    __tablename__ = "authors_{n}"
    id = Column(Integer, primary_key=True)
    name = Column(String(40), nullable=False)


class Book{n}(Base):
    __tablename__ = "books_{n}"
    id = Column(Integer, primary_key=True)
    author_id = Column(ForeignKey("authors_{n}.id"))
    author = relationship("Author{n}")
"""

SCHEMAS = """
from pydantic import BaseModel


class Author{n}Out(BaseModel):
    id: int
    name: str | None
"""


def _tree(tmp_path: Path, count: int = 60) -> Path:
    files = {"lib/__init__.py": ""}
    for n in range(count):
        files[f"lib/m{n}.py"] = MODELS.replace("{n}", str(n))
        files[f"lib/s{n}.py"] = SCHEMAS.replace("{n}", str(n))
    return write_tree(tmp_path, files)


def _doc(root: Path, **kw) -> dict:
    r, files = discover([str(root)])
    return document(analyze(scan_files(files, r, **kw)))


def test_parallel_cached_and_serial_results_are_identical(tmp_path):
    root = _tree(tmp_path)
    serial = _doc(root, use_cache=False, jobs=1)
    parallel = _doc(root, use_cache=False, jobs=2)
    cold = _doc(root, use_cache=True, jobs=2)
    warm = _doc(root, use_cache=True, jobs=2)
    assert serial == parallel == cold == warm
    assert len(serial["models"]) == 120 and len(serial["pairs"]) == 60
    assert (root / CACHE_DIR / ".gitignore").read_text() == "*\n"


def test_corrupted_cache_entries_are_rebuilt(tmp_path):
    root = _tree(tmp_path, 3)
    expected = _doc(root, use_cache=False, jobs=1)
    _doc(root, use_cache=True, jobs=1)
    entries = sorted((root / CACHE_DIR).rglob("*.json"))
    assert entries
    for i, entry in enumerate(entries):
        entry.write_text(["{", "[]", json.dumps({"path": 1}), ""][i % 4])
    assert _doc(root, use_cache=True, jobs=1) == expected
    assert _doc(root, use_cache=True, jobs=1) == expected


def test_cache_follows_content(tmp_path):
    root = _tree(tmp_path, 1)
    first = _doc(root, use_cache=True, jobs=1)
    (root / "lib/m0.py").write_text(MODELS.replace("{n}", "0").replace("String(40)", "String(41)"))
    second = _doc(root, use_cache=True, jobs=1)
    length = [c["length"] for m in second["models"] for c in m["columns"] if c["attr"] == "name"]
    assert first != second and length == [41]


def test_cache_format_round_trips_every_fact_of_the_samples():
    """Cache entries are positional arrays (ir.pack); decoding must give back equal facts, types included."""
    from sqlmig.cache import decode, encode
    from sqlmig.scan import scan_source
    from tests.conftest import ROOT, SAMPLES

    count = 0
    for base in (SAMPLES, ROOT / "tests/fixtures"):
        root, files = discover([str(base)])
        for f in files:
            facts = scan_source(f.relpath, f.module, f.is_package, Path(f.abspath).read_bytes())
            back, outline = decode(encode(facts))
            assert (outline is None) == (facts.error is not None)
            assert back == facts and repr(back) == repr(facts), f.relpath
            count += 1
    assert count > 100
