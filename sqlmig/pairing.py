"""Which schemas describe which model: names, field overlap, ``from_attributes`` and route usage."""

from __future__ import annotations

from collections import defaultdict

from sqlmig.build_models import ModelInfo
from sqlmig.build_schemas import SchemaInfo
from sqlmig.index import Index
from sqlmig.ir import Pair

# (affix, role); longest first so ``CreateIn`` wins over ``In``
SUFFIXES = sorted(
    [
        ("InDB", "db"), ("InDb", "db"), ("DB", "db"), ("Db", "db"), ("Create", "create"), ("CreateIn", "create"),
        ("Add", "create"), ("In", "create"), ("Input", "create"), ("Request", "create"), ("Payload", "create"),
        ("Update", "update"), ("Patch", "update"), ("Edit", "update"), ("Out", "read"), ("Read", "read"),
        ("Public", "read"), ("Response", "read"), ("Detail", "read"), ("Details", "read"), ("Summary", "read"),
        ("Full", "read"), ("View", "read"), ("Base", "base"), ("Schema", "base"), ("Model", "base"),
        ("Data", "base"), ("Dto", "base"), ("DTO", "base"),
    ],
    key=lambda x: -len(x[0]),
)
PREFIXES = (("Create", "create"), ("New", "create"), ("Update", "update"), ("Patch", "update"), ("Read", "read"))
# affixes that only say "a request body": an update affix inside one names the role (``ArchiveUpdateRequest``)
BODY_AFFIXES = frozenset({"Request", "Payload", "Input", "In"})
_SUFFIX_TEXTS = tuple(a for a, _ in SUFFIXES)
_PREFIX_TEXTS = tuple(a for a, _ in PREFIXES)
MIN_SHARED = 2
MIN_RATIO = 0.6
# Fields that identify, label, type or timestamp a row: nearly any table has them, so sharing only
# these says nothing about which model a schema describes. Pairing by overlap needs one other field.
GENERIC_FIELDS = frozenset({
    "id", "uuid", "pk", "key", "value", "name", "title", "type", "kind",
    "created", "updated", "created_at", "updated_at", "deleted_at", "modified_at",
})
# Route decorators (``@router.post(...)``, ``@app.get(...)``, ``@router.api_route(...)``): only their
# functions' parameters are request bodies
ROUTE_METHODS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "trace", "api_route",
                           "route", "websocket"})
WEB_LIBRARIES = ("fastapi", "starlette", "litestar")


def _cores(name: str) -> list[tuple[str, str | None, str]]:
    """Candidate model names inside a schema name: (core, role, affix description)."""
    found: list[tuple[str, str | None, str]] = [(name, None, "same name")]
    stack: list[tuple[str, str | None, str, bool]] = [(name, None, "", False)]
    seen = {name}

    def role_of(role: str | None, body: bool, affix: str, r: str) -> tuple[str | None, bool]:
        # the outermost affix names the role, unless it only says "request body" and an inner one
        # says update
        if role is None:
            return r, affix in BODY_AFFIXES
        if body and r == "update":
            return r, False
        return role, body

    while stack:
        current, role, how, body = stack.pop()
        options = []
        if current.endswith(_SUFFIX_TEXTS):  # one test for all affixes first: most names have none
            for suffix, r in SUFFIXES:
                if current.endswith(suffix) and len(current) > len(suffix):
                    options.append((current[: -len(suffix)], *role_of(role, body, suffix, r), f"{how}suffix {suffix}; "))
        if current.startswith(_PREFIX_TEXTS):
            for prefix, r in PREFIXES:
                if current.startswith(prefix) and len(current) > len(prefix) and current[len(prefix)].isupper():
                    options.append((current[len(prefix):], *role_of(role, body, prefix, r), f"{how}prefix {prefix}; "))
        # ``SHotel``-style prefix: S followed by the model name
        if len(current) > 2 and current[0] == "S" and current[1].isupper() and current[2].islower():
            options.append((current[1:], role, body, f"{how}prefix S; "))
        for core, r, b, h in options:
            if core not in seen:
                seen.add(core)
                found.append((core, r, h))
                stack.append((core, r, h, b))
    return found


def is_route(ix: Index, deco) -> bool:
    """``@router.post(...)``, ``@app.get(...)``: a call of an HTTP method on a project object (an
    ``APIRouter``, a ``FastAPI`` app) or of a web framework's; ``@mock.patch(...)`` is none."""
    if deco.kind != "call" or deco.last not in ROUTE_METHODS:
        return False
    ref = ix.ref(deco)
    return not ref or ix.in_project(ref) or ref.split(":", 1)[0].split(".", 1)[0] in WEB_LIBRARIES


def _usage(ix: Index, models: dict[str, ModelInfo], schemas: dict[str, SchemaInfo]) -> dict[tuple[str, str], list[str]]:
    """(model, schema) -> evidence from route functions that mention both."""
    evidence: dict[tuple[str, str], list[str]] = defaultdict(list)
    for facts in ix.all_modules:
        for fn in facts.functions:
            routes = [deco for deco in fn.decorators if is_route(ix, deco)]
            if not routes:
                continue
            response, body = set(), set()
            for deco in routes:
                rm = deco.kw("response_model")
                if rm is not None:
                    response.update(ix.resolve(e.ref) for e in rm.walk() if e.ref)
            for param in fn.params:
                body.update(ix.resolve(e.ref) for e in param.walk() if e.ref)
            used_models = {ix.resolve(n) for n in fn.names} & models.keys()
            for model in used_models:
                for schema in response & schemas.keys():
                    evidence[(model, schema)].append(f"response_model of {fn.qualname}")
                for schema in body & schemas.keys():
                    evidence[(model, schema)].append(f"request body of {fn.qualname}")
    return evidence


def model_fields(info: ModelInfo) -> set[str]:
    return {c.attr for c in info.model.columns} | {c.attr for c in info.inherited_columns}


def pair(ix: Index, models: dict[str, ModelInfo], schemas: dict[str, SchemaInfo]) -> list[Pair]:
    by_name: dict[str, list[str]] = defaultdict(list)
    for q in models:
        for key in _model_keys(q.rsplit(".", 1)[-1]):
            by_name[key].append(q)
    usage = _usage(ix, models, schemas)
    fields_of = {q: model_fields(info) for q, info in models.items()}
    by_field: dict[str, list[str]] = defaultdict(list)
    for q, names in fields_of.items():
        for name in names:
            by_field[name].append(q)
    pairs: list[Pair] = []
    for sq, sinfo in sorted(schemas.items()):
        all_fields = [f.name for f in sinfo.schema.fields]
        fields = set(all_fields) - sinfo.nested  # a nested schema is no copy of a column
        name = sq.rsplit(".", 1)[-1]
        cores = _cores(name)
        best: tuple | None = None
        for core, role, how in cores:
            for mq in by_name.get(core.lower(), ()):
                if mq == sq:
                    continue
                shared = fields & fields_of[mq]
                if core == name and fields and not shared and (mq, sq) not in usage and not any(
                        r.attr in fields for r in models[mq].model.relationships):
                    continue  # a namesake with none of the model's fields (another API's ``Tool``)
                proximity = _common_prefix(mq, sq)
                score = (1, len(shared), proximity)
                if best is None or score > best[0]:
                    ev = [f"name: {name} -> {mq.rsplit('.', 1)[-1]} ({how.strip('; ') or 'same name'})"]
                    best = (score, mq, role, ev)
        if best is None:
            hits: dict[str, int] = defaultdict(int)
            for fname in fields:
                for mq in by_field.get(fname, ()):
                    hits[mq] += 1
            for mq in sorted(q for q, n in hits.items() if n >= MIN_SHARED):
                shared = fields & fields_of[mq]
                if len(shared) / len(all_fields) < MIN_RATIO or shared <= GENERIC_FIELDS:
                    continue
                used = usage.get((mq, sq))
                if not (sinfo.schema.from_attributes or used):
                    continue
                # a tie goes to the model whose name begins or ends the schema's (or the other way round)
                model_name = mq.rsplit(".", 1)[-1]
                affinity = _name_affinity(cores, model_name)
                score = (0, len(shared), affinity, _common_prefix(mq, sq))
                if best is None or score > best[0]:
                    role = "create" if used and any("body" in u for u in used) else None
                    if max(cores, key=lambda c: c[2].count(";"))[1] == "update":
                        role = "update"  # ``PolicyWebhookUpdate``: a request body, but a partial one
                    best = (score, mq, role, [f"name: {name} shares words with {model_name}"] if affinity else [])
        if best is None:
            continue
        _, mq, role, ev = best
        shared = sorted(fields & fields_of[mq], key=all_fields.index)
        if role is None:
            role = "read" if sinfo.schema.from_attributes else "base"
        ev = list(ev)
        if all_fields:
            ev.append(f"fields: {len(shared)}/{len(all_fields)} shared")
        if sinfo.schema.from_attributes:
            ev.append("from_attributes")
        ev.extend(sorted(set(usage.get((mq, sq), ()))))
        pairs.append(Pair(model=mq, schema=sq, role=role, shared_fields=tuple(shared), evidence=tuple(ev)))
    return pairs


MODEL_AFFIXES = ("Model", "Table", "ORM", "Orm", "DB", "Db", "Entity", "Record", "Row")


def _model_cores(name: str) -> set[str]:
    """``UserModel``, ``UserORM``, ``DBUser`` are all ``User`` too."""
    cores = {name}
    for affix in MODEL_AFFIXES:
        if name.endswith(affix) and len(name) > len(affix):
            cores.add(name[: -len(affix)])
        if name.startswith(affix) and len(name) > len(affix) and name[len(affix)].isupper():
            cores.add(name[len(affix):])
    return cores


def _model_keys(name: str) -> set[str]:
    """``UserModel``, ``UserORM``, ``DBUser`` are all found as ``user`` too."""
    return {core.lower() for core in _model_cores(name)}


def _words_end(long: str, short: str) -> bool:
    """``short`` is whole CamelCase words at the start or the end of ``long``: ``Flow`` of ``FlowEvent``."""
    if len(long) <= len(short):
        return False
    return (long.startswith(short) and long[len(short)].isupper()) or (long.endswith(short) and short[0].isupper())


def _name_affinity(cores: list[tuple[str, str | None, str]], model: str) -> bool:
    """Whether a schema name (one of its ``_cores``) and a model name (one of its ``_model_cores``)
    are the same words but for some at one end: ``FlowEventPayload`` and ``Flow``."""
    return any(_words_end(core, m) or _words_end(m, core) for core, _, _ in cores for m in _model_cores(model))


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a.split("."), b.split(".")):
        if x != y:
            break
        n += 1
    return n
