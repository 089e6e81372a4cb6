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

import dataclasses
import inspect

import libcst as cst
from libcst._nodes.base import CSTNode

_HOOK = CSTNode.__dict__.get("__post_init__")


def _skip(self: CSTNode) -> None:
    return None


def parse_module(source: str) -> cst.Module:
    """``libcst.parse_module(source)`` with node validation off while it runs."""
    if _HOOK is None or _fast_constructors:  # nothing to switch off, or nothing calls the hook
        return cst.parse_module(source)
    CSTNode.__post_init__ = _skip  # type: ignore[method-assign]
    try:
        return cst.parse_module(source)
    finally:
        CSTNode.__post_init__ = _HOOK  # type: ignore[method-assign]


# --------------------------------------------------------------------------- scan workers only
#
# What is left of a parse after validation is mostly LibCST's Rust code and, for each node, the
# ``__init__`` ``dataclasses`` generates for frozen classes: one ``object.__setattr__(self, name,
# value)`` call per field (a frozen class's own ``__setattr__`` raises). The scan's workers never
# change a node, and the trees they build never leave them (facts do), so there the classes can do
# without being frozen: their ``__setattr__`` goes, and ``__init__`` becomes plain slot stores, which
# the interpreter specialises. ``tests/test_parse.py`` compares the trees with LibCST's in a worker.

_MISSING = object()  # a default factory's stand-in in a generated signature
_fast_constructors = False


def _node_classes() -> list[type]:
    found, todo = [CSTNode], [CSTNode]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub not in found:
                found.append(sub)
                todo.append(sub)
    return found


def _shape(init: object) -> list[tuple[str, object]]:
    return [(p.name, p.kind) for p in inspect.signature(init).parameters.values()]  # type: ignore[arg-type]


def _plain_init(cls: type) -> object | None:
    """``cls.__init__`` without ``__post_init__`` and with plain stores, or None where the class is
    one this does not reproduce (its own ``__post_init__``, keyword-only or non-init fields, an
    ``InitVar``): it keeps its own."""
    stock = cls.__dict__.get("__init__")
    if stock is None or not dataclasses.is_dataclass(cls) or "__post_init__" in cls.__dict__:
        return None
    fields = dataclasses.fields(cls)
    if any(not f.init or f.kw_only for f in fields):
        return None
    env: dict[str, object] = {"_MISSING": _MISSING}
    params, body = [], []
    for f in fields:
        if f.default is not dataclasses.MISSING:
            env[f"_d_{f.name}"] = f.default
            params.append(f"{f.name}=_d_{f.name}")
        elif f.default_factory is not dataclasses.MISSING:
            env[f"_f_{f.name}"] = f.default_factory
            params.append(f"{f.name}=_MISSING")
            body.append(f"    if {f.name} is _MISSING:\n        {f.name} = _f_{f.name}()")
        else:
            params.append(f.name)
        body.append(f"    self.{f.name} = {f.name}")
    exec(f"def __init__(self, {', '.join(params)}):\n" + "\n".join(body or ["    pass"]) + "\n", env)  # noqa: S102
    init = env["__init__"]
    if _shape(init) != _shape(stock):  # an InitVar, say, is a parameter but not a field
        return None
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    return init


def fast_constructors() -> None:
    """For good, in a process that only scans (a scan worker): node classes are no longer frozen,
    and their ``__init__`` stores the fields and validates nothing. Trees come out the same."""
    global _fast_constructors
    if _fast_constructors:
        return
    classes = _node_classes()
    inits = {cls: _plain_init(cls) for cls in classes}
    for cls in classes:
        if "__setattr__" in cls.__dict__:
            del cls.__setattr__
        init = inits[cls]
        if init is not None:
            cls.__init__ = init
    _fast_constructors = True
