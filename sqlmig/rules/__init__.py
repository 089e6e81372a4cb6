"""Rule registry and the context every rule reads. Each rule family lives in its own module."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlmig.ir import Finding, Pair
from sqlmig.rules.catalog import RULES, Rule

if TYPE_CHECKING:  # config imports the catalog, so this package starts every command: keep it light
    from sqlmig.build_models import ModelInfo
    from sqlmig.build_schemas import SchemaInfo
    from sqlmig.index import Index

__all__ = ["Context", "CHECKS", "check", "RULES", "Rule", "run_rules"]


@dataclass
class Context:
    ix: Index
    models: dict[str, ModelInfo]
    schemas: dict[str, SchemaInfo]
    pairs: list[Pair]
    findings: list[Finding] = field(default_factory=list)
    blocks: dict[int, set[str]] = field(default_factory=lambda: defaultdict(set))  # finding -> models
    _seen: dict[tuple[str, str, int], int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.by_schema: dict[str, list[Pair]] = defaultdict(list)
        self.by_model: dict[str, list[Pair]] = defaultdict(list)
        for p in self.pairs:
            self.by_schema[p.schema].append(p)
            self.by_model[p.model].append(p)

    def path_of(self, qualname: str) -> str:
        entry = self.ix.classes.get(qualname)
        return entry[1].path if entry else ""

    def emit(self, code: str, path: str, line: int, col: int, subject: str, message: str,
             blocks: str | None = None) -> None:
        key = (code, subject, line)
        index = self._seen.get(key)
        if index is None:
            index = self._seen[key] = len(self.findings)
            rule = RULES[code]
            self.findings.append(Finding(code, rule.name, rule.severity, path, line, col, message, subject, rule.fix))
        if blocks is not None:
            self.blocks[index].add(blocks)


CHECKS: list[Callable[[Context], None]] = []


def check(fn: Callable[[Context], None]) -> Callable[[Context], None]:
    CHECKS.append(fn)
    return fn


def run_rules(ctx: Context, checks: Iterable[Callable[[Context], None]] | None = None) -> Context:
    from sqlmig.rules import blockers, care, drift, practice  # noqa: F401  (registers the checks)

    for fn in checks if checks is not None else CHECKS:
        fn(ctx)
    return ctx
