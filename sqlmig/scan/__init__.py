"""Per-file scanning: bytes in, ``ModuleFacts`` out. Never raises for bad input."""

from __future__ import annotations

import ast
import io
import operator
import tokenize
from itertools import accumulate

import libcst as cst

from sqlmig.ir import ModuleFacts
from sqlmig.scan.module import BODY_TOKENS, ROUTE_RE, ModuleScanner, module_name
from sqlmig.scan.parse import parse_module
from sqlmig.scan.positions import Spans

__all__ = ["scan_source", "decode", "module_name"]


class DecodeError(ValueError):
    pass


def decode(data: bytes) -> str:
    """Decode Python source like the interpreter: BOM, then a PEP 263 cookie, else UTF-8."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:
        raise DecodeError(str(exc)) from None
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise DecodeError(f"cannot decode as {encoding}: {exc.reason if hasattr(exc, 'reason') else exc}") from None
    if text.startswith("\ufeff"):
        text = text[1:]
    return text


_DELTA = {"(": 1, "[": 1, "{": 1, ")": -1, "]": -1, "}": -1}
_NOT_BRACKETS = {i: None for i in range(128) if chr(i) not in _DELTA}  # non-ASCII stays: counts 0
MAX_NESTING = 150  # above this, ask CPython first: LibCST's native parser crashes on thousands of levels


def _too_deep(source: str) -> str | None:
    """Nesting the native parser must not see (it can overflow its stack instead of raising)."""
    reduced = "".join(ch for ch in source if ch in _DELTA) if len(source) < 4096 else \
        source.translate(_NOT_BRACKETS)
    if not reduced or max(accumulate((_DELTA.get(c, 0) for c in reduced), operator.add),
                          default=0) <= MAX_NESTING:
        return None
    try:  # brackets inside strings count above: CPython's parser (limit 200 levels) decides
        ast.parse(source)
    except (SyntaxError, RecursionError, MemoryError, ValueError) as exc:
        return f"syntax error: {getattr(exc, 'msg', None) or exc}"
    return None


PREFILTER = True  # tests switch it off to prove it changes no result


def scan_source(path: str, module: str, is_package: bool, data: bytes, aliases: tuple = ()) -> ModuleFacts:
    """Scan one file's bytes. Decoding and parse problems become ``error`` facts (SQM002/SQM001).
    ``aliases``: ``(top-level name, prefix)`` pairs its absolute imports are read with (see
    ``discover._namespaced``)."""
    try:
        source = decode(data)
    except DecodeError as exc:
        return ModuleFacts(path=path, module=module, error=("SQM002", str(exc), 1, 0))
    if "\x00" in source:
        return ModuleFacts(path=path, module=module, error=("SQM001", "source contains null bytes", 1, 0))
    deep = _too_deep(source)
    if deep is not None:
        return ModuleFacts(path=path, module=module, error=("SQM001", deep, 1, 0))
    try:
        tree = parse_module(source)
    except cst.ParserSyntaxError as exc:
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else "invalid syntax"
        return ModuleFacts(path=path, module=module,
                           error=("SQM001", f"syntax error: {message}", exc.raw_line, exc.raw_column))
    except RecursionError:
        return ModuleFacts(path=path, module=module, error=("SQM001", "expression nesting too deep to parse", 1, 0))
    except Exception as exc:  # the native parser can raise other errors on hostile input
        return ModuleFacts(path=path, module=module, error=("SQM001", f"cannot parse: {exc}".splitlines()[0], 1, 0))
    walk = not PREFILTER or any(token in source for token in BODY_TOKENS) or ROUTE_RE.search(source) is not None
    try:
        scanner = ModuleScanner(tree, module, is_package, walk_bodies=walk, aliases=aliases)
        try:
            spans = Spans(tree, source, scanner)
        except RecursionError:
            raise
        except Exception:  # noqa: BLE001 - the fast pass met a node it does not know: the stock pass
            spans = None
        if spans is None or spans.length != len(source) + (len(tree.default_newline) if source else 0):
            scanner = ModuleScanner(tree, module, is_package, walk_bodies=walk, aliases=aliases)
            spans = Spans(tree, source, scanner, stock=True)
        return scanner.facts(path, source, spans)
    except RecursionError:
        return ModuleFacts(path=path, module=module, error=("SQM001", "expression nesting too deep to analyse", 1, 0))
