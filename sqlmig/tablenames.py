"""Table names libraries derive from class names (light: ``check``'s cone reads them before any analysis)."""

from __future__ import annotations

import re

_FLASK3 = re.compile(r"((?<=[a-z0-9])[A-Z]|(?!^)[A-Z](?=[a-z]))")
_FLASK2 = re.compile(r"([A-Z]+)(?=[a-z0-9])")
_PLAIN_CAMEL = re.compile(r"(?:[A-Z][a-z]+)+")  # both versions give the words joined by "_"


def _flask2_join(match: re.Match) -> str:
    word = match.group()
    return f"_{word[:-1]}_{word[-1]}".lower() if len(word) > 1 else "_" + word.lower()


def flask_table_name(class_name: str) -> str | None:
    """The table name Flask-SQLAlchemy derives from a class name, where its 2.x and 3.x agree (they differ
    for names such as ``HTTP2Server``: unknown, never a guess)."""
    v3 = _FLASK3.sub(r"_\1", class_name).lower().lstrip("_")
    if _PLAIN_CAMEL.fullmatch(class_name):
        return v3
    v2 = _FLASK2.sub(_flask2_join, class_name).lstrip("_")
    return v3 if v3 == v2 else None
