"""LibCST's parse, without re-validating what its own parser built.

Every node LibCST constructs runs ``CSTNode.__post_init__``, which calls the node's ``_validate``:
checks meant for trees that people build by hand (a ``Name`` must be an identifier, whitespace
must be whitespace, ...). On the parser's output they cost a sixth to a quarter of
``parse_module`` (bench projects, best of several runs: 1.92 s against 1.62 s per 1000 files, 0.80 s
against 0.59 s per 400) and they pass: not one of 16406 files of the standard library and
site-packages fails them. LibCST's own source suggests as much above ``__post_init__`` ("avoid
validating the tree when parsing a file"). So for the duration of one ``parse_module`` call, and
only then, the hook does nothing. The tree is the same either way (``tests/test_parse.py`` compares
both on every sample, fixture and ``libcst/_nodes`` file); nodes built afterwards, by the rewrite's
transformers say, are validated as usual.

Not thread-safe by design: the scan runs one file at a time per process.
"""

from __future__ import annotations

import libcst as cst
from libcst._nodes.base import CSTNode

_HOOK = CSTNode.__dict__.get("__post_init__")


def _skip(self: CSTNode) -> None:
    return None


def parse_module(source: str) -> cst.Module:
    """``libcst.parse_module(source)`` with node validation off while it runs."""
    if _HOOK is None:  # a LibCST without the hook: nothing to switch off
        return cst.parse_module(source)
    CSTNode.__post_init__ = _skip  # type: ignore[method-assign]
    try:
        return cst.parse_module(source)
    finally:
        CSTNode.__post_init__ = _HOOK  # type: ignore[method-assign]
