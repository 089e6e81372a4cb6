"""LibCST's parse, without re-validating what its own parser built.

Every node LibCST constructs runs ``CSTNode.__post_init__``, which calls the node's ``_validate``:
checks meant for trees that people build by hand (a ``Name`` must be an identifier, whitespace
must be whitespace, ...). On the parser's output they cost about a third of ``parse_module``
(measured on the bench projects: 2.33 s against 1.52 s per 1000 files) and can only pass, since
the native parser builds nodes from tokens it has already checked; LibCST's own source says as
much above ``__post_init__`` ("avoid validating the tree when parsing a file"). So for the duration
of one ``parse_module`` call, and only then, the hook does nothing. The tree is the same object
graph either way (``tests/test_parse.py`` compares both on every sample, fixture and LibCST's own
sources); nodes built afterwards, by the rewrite's transformers say, are validated as usual.

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
