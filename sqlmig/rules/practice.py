"""SQM301-SQM309: database practice worth fixing while the models are being moved."""

from __future__ import annotations

import re

from sqlmig.ir import CallFact, Expr
from sqlmig.rules import Context, check

SESSIONISH = re.compile(r"(^|[._])(db|session|sess|s|conn|connection|uow|tx)$", re.IGNORECASE)
SENSITIVE = re.compile(
    r"(^|_)(password|passwd|pwd|secret|token|api_?key|apikey|private_key|secret_key|salt|otp_secret|ssn)(_|$)",
    re.IGNORECASE,
)
# names that contain such a word but hold no secret: a pagination cursor, a token's type or endpoint,
# a limit or a setting about passwords
NOT_SECRET = re.compile(
    r"(^|_)(page|next|prev|previous|cursor|continuation|pagination|max|min|num)_tokens?(_|$)"
    r"|(password|passwd|pwd|secret|token|api_?key|apikey)_((min|max)_)?(type|types|threshold|count|limit|"
    r"length|size|expires|expiry|expires_at|expires_in|ttl|lifetime|kind|method|name|hint|policy|usage|budget|"
    r"header)(_|$)"
    # where a token is fetched or a password is changed; a secret's URL (``otp_secret_url``) carries it
    r"|(password|passwd|pwd|token|api_?key|apikey)_(url|uri|endpoint)(_|$)",
    re.IGNORECASE,
)
DBAPI = re.compile(r"cursor|dbapi|raw|(^|[._])cur$", re.IGNORECASE)
QUERY_CALLS = frozenset({"query", "execute", "scalars", "exec"})
ROW_TO_OBJECT_CALLS = frozenset({"query", "scalars", "exec"})  # what yields mapped objects, not rows
EAGER_LAZY = frozenset({"selectin", "joined", "subquery", "immediate", "raise", "raise_on_sql", "noload",
                        "write_only", "dynamic"})
LOADERS = frozenset({"selectinload", "joinedload", "subqueryload", "immediateload", "contains_eager"})


def _dynamic_sql(expr: Expr) -> str | None:
    """How an SQL string is being built from values, if it is."""
    if expr.kind == "fstr" and "{" in expr.text:
        return "an f-string"
    if expr.kind == "binop" and expr.value in ("Modulo", "Add"):
        if any(a.kind in ("str", "fstr") for a in expr.args) or any(_dynamic_sql(a) for a in expr.args):
            return "`%` formatting" if expr.value == "Modulo" else "string concatenation"
    if expr.kind == "call" and expr.last == "format" and expr.base is not None:
        return "`.format()`"
    return None


def is_sensitive(name: str) -> bool:
    """Whether a field's name says it holds a secret (a password, a token, a key)."""
    return bool(SENSITIVE.search(name)) and not NOT_SECRET.search(name)


# Alembic's ``op.execute`` and ``context.execute`` take plain SQL strings by design
PLAIN_SQL_RECEIVERS = frozenset({"alembic:op", "alembic:context"})


@check
def raw_sql(ctx: Context) -> None:
    for facts in ctx.ix.modules.values():
        for call in facts.calls:
            if not call.args:
                continue
            arg = call.args[0]
            if call.name == "text" and (call.func.ref in (None, "sqlalchemy:text")):
                how = _dynamic_sql(arg)
                if how:
                    ctx.emit("SQM308", facts.path, call.line, call.col, call.scope, f"SQL text built with {how}")
            elif call.name in ("execute", "exec") and call.receiver is not None:
                how = _dynamic_sql(arg)
                head = (_literal_head(arg) or "").strip() if how else None
                receiver = call.receiver.text
                # SQL by its first words, or whatever it says when the receiver is a database handle
                if how and (head and _looks_like_sql(head) or SESSIONISH.search(receiver)
                            or DBAPI.search(receiver) or DB_HANDLE.search(receiver)):
                    ctx.emit("SQM308", facts.path, call.line, call.col, call.scope,
                             f"SQL passed to {call.name}() built with {how}")
                elif arg.kind == "str" and _looks_like_sql(arg.value) and not DBAPI.search(receiver) \
                        and ctx.ix.resolve(call.receiver.ref) not in PLAIN_SQL_RECEIVERS \
                        and not _driver_connection(call.receiver):
                    ctx.emit("SQM302", facts.path, call.line, call.col, call.scope,
                             f"plain SQL string passed to {call.name}() without text()")


# receivers an ``execute()``/``exec()`` of a string not known to start like SQL is still read as SQL for
# (``ssh.exec(f"rm -f {path}")`` or ``container.exec(...)`` run shell commands)
DB_HANDLE = re.compile(r"(session|conn|connection|engine|cursor|db)$", re.IGNORECASE)


# DB-API drivers: their connections and cursors take plain SQL strings by design
DRIVERS = frozenset({"sqlite3", "aiosqlite", "psycopg", "psycopg2", "pymysql", "MySQLdb", "mysql", "apsw",
                     "duckdb", "pyodbc", "oracledb", "cx_Oracle"})


def _driver_connection(receiver: Expr) -> bool:
    """``conn = sqlite3.connect(path)`` then ``conn.execute("PRAGMA ...")``: the receiver (a local
    name stands for the value it was assigned) is a DB-API driver's connection or cursor."""
    return any(e.kind == "call" and e.last in ("connect", "cursor") and (e.ref or "").split(".", 1)[0] in DRIVERS
               for e in receiver.walk())


def _literal_head(expr: Expr) -> str | None:
    """The literal text a dynamically built string starts with, up to its first interpolated value."""
    if expr.kind == "str":
        return expr.value if isinstance(expr.value, str) else None
    if expr.kind == "fstr":
        m = re.match(r"[a-zA-Z]*(\"\"\"|'''|\"|')", expr.text)
        return expr.text[m.end():].split("{", 1)[0] if m else None
    if expr.kind == "binop" and expr.args:
        return _literal_head(expr.args[0])
    if expr.kind == "call" and expr.last == "format" and expr.base is not None:  # "...".format(x)
        return _literal_head(expr.base.base) if expr.base.kind == "attr" and expr.base.base is not None else None
    return None


def _looks_like_sql(value) -> bool:
    return isinstance(value, str) and bool(re.match(r"\s*(select|insert|update|delete|with|create|alter|drop|"
                                                    r"truncate|pragma|begin|set)\b", value, re.IGNORECASE))


@check
def legacy_query(ctx: Context) -> None:
    for facts in ctx.ix.modules.values():
        for call in facts.calls:
            if call.name != "query" or call.receiver is None:
                continue
            models = [a for a in call.args if ctx.ix.resolve(a.ref) in ctx.models
                      or (a.ref and ctx.ix.resolve(a.ref).rsplit(".", 1)[0] in ctx.models)]
            if models or SESSIONISH.search(call.receiver.text):
                ctx.emit("SQM301", facts.path, call.line, call.col, call.scope,
                         f"legacy {call.receiver.text}.query() call")


def _select_of(expr: Expr | None) -> Expr | None:
    if expr is None:
        return None
    for e in expr.walk():
        if e.kind == "call" and e.last == "select" and e.ref in (None, "sqlalchemy:select", "sqlmodel:select"):
            return e
    return None


@check
def scalars_multi(ctx: Context) -> None:
    for facts in ctx.ix.modules.values():
        for call in facts.calls:
            if call.name != "scalars":
                continue
            stmt = None
            if call.args:
                stmt = _select_of(call.args[0])
            else:
                receiver = call.receiver if call.receiver is not None else call.func.base
                if receiver is not None and receiver.kind == "call" and receiver.last in ("execute", "exec"):
                    stmt = _select_of(receiver.args[0] if receiver.args else None)
            if stmt is not None and len(stmt.args) > 1:
                ctx.emit("SQM304", facts.path, call.line, call.col, call.scope,
                         f"scalars() on {stmt.text.split(')')[0]}) drops all but the first column")


def _sessionmaker_missing(call: CallFact) -> bool:
    flag = call.kw("expire_on_commit")
    if flag is not None and flag.kind == "const" and flag.value is False:
        return False
    if call.name == "async_sessionmaker":
        return True
    cls = call.kw("class_")
    return call.name == "sessionmaker" and cls is not None and "AsyncSession" in cls.text


@check
def async_expire(ctx: Context) -> None:
    for facts in ctx.ix.modules.values():
        for call in facts.calls:
            if call.name in ("async_sessionmaker", "sessionmaker") and _sessionmaker_missing(call):
                ctx.emit("SQM305", facts.path, call.line, call.col, call.scope,
                         f"{call.name}() without expire_on_commit=False")


def _queried_models(ctx: Context, expr: Expr) -> set[str]:
    found = set()
    for e in expr.walk():
        if e.kind == "call" and e.last in ("select", "query"):
            for a in e.args:
                ref = ctx.ix.resolve(a.ref)
                if ref in ctx.models:
                    found.add(ref)
    return found


@check
def n_plus_one(ctx: Context) -> None:
    rel_lazy: dict[str, dict[str, str | None]] = {}
    any_lazy: dict[str, list[str | None]] = {}
    for q, info in ctx.models.items():
        rel_lazy[q] = {r.attr: r.lazy for r in info.model.relationships}
        for r in info.model.relationships:
            any_lazy.setdefault(r.attr, []).append(r.lazy)
    for facts in ctx.ix.modules.values():
        loaders: dict[str, list[str]] = {}
        for call in facts.calls:
            if call.name in LOADERS:
                loaders.setdefault(call.scope, []).extend(a.text for a in call.args)
        for loop in facts.loops:
            source = loop.source if loop.source is not None else loop.iter
            calls = [e.last for e in source.walk() if e.kind == "call"]
            if not any(c in QUERY_CALLS for c in calls) or "text" in calls:
                continue  # not a query, or raw SQL whose rows carry no relationships
            if "execute" in calls and not ROW_TO_OBJECT_CALLS & set(calls):
                continue  # Row objects: their attributes are the selected columns and entities
            queried = _queried_models(ctx, source)
            eager = " ".join(loaders.get(loop.scope, ()))
            reported: set[str] = set()
            for use in loop.uses:
                if use.attr in reported:
                    continue  # one load per row however often the body reads it: the first use says it
                if queried:
                    lazies = [rel_lazy[q][use.attr] for q in queried if use.attr in rel_lazy.get(q, {})]
                else:
                    lazies = any_lazy.get(use.attr, [])
                if not lazies or all(lz in EAGER_LAZY for lz in lazies):
                    continue
                if re.search(rf"\b{re.escape(use.attr)}\b", eager):
                    continue
                reported.add(use.attr)
                ctx.emit("SQM303", facts.path, use.line, use.col, loop.scope,
                         f"{loop.target}.{use.attr} loads a relationship once per row")


@check
def sensitive_response(ctx: Context) -> None:
    used: dict[str, str] = {}
    for facts in ctx.ix.modules.values():
        for call in facts.calls:  # route decorators are calls too, scoped to the route function
            rm = call.kw("response_model")
            for e in rm.walk() if rm is not None else ():
                ref = ctx.ix.resolve(e.ref)
                if ref in ctx.schemas:
                    used.setdefault(ref, call.scope)
    for schema, route in sorted(used.items()):
        for f in ctx.schemas[schema].schema.fields:
            if is_sensitive(f.name) and f.python_type != "bool":  # a flag about a token holds none
                ctx.emit("SQM307", ctx.path_of(f.owner), f.line, f.col, f"{f.owner}.{f.name}",
                         f"{f.name} is sent to clients: {schema.rsplit('.', 1)[-1]} is the response_model of "
                         f"{route.rsplit('.', 1)[-1]}")


@check
def unindexed_fk(ctx: Context) -> None:
    for q, info in ctx.models.items():
        indexed: set[str] = set()
        if info.table_args is not None:
            for e in info.table_args.walk():
                if e.kind == "call" and e.last in ("Index", "UniqueConstraint", "PrimaryKeyConstraint"):
                    # Index(name, *columns): its first argument is the name, a string or not
                    columns = e.args[1:] if e.last == "Index" else e.args
                    lead = columns[0] if columns else None
                    if lead is not None and lead.kind in ("str", "attr", "name"):
                        indexed.add(str(lead.value) if lead.kind == "str" else lead.text.rsplit(".", 1)[-1])
        for c in info.model.columns:
            if c.foreign_key and not (c.index or c.primary_key or c.unique) and c.attr not in indexed \
                    and c.name not in indexed:
                ctx.emit("SQM309", ctx.path_of(c.owner), c.line, c.col, f"{c.owner}.{c.attr}",
                         f"foreign key {c.attr} -> {c.foreign_key} has no index")


@check
def alembic_env(ctx: Context) -> None:
    model_modules = {info.model.module for info in ctx.models.values()}
    if not model_modules:
        return
    for facts in ctx.ix.modules.values():
        if not facts.path.endswith("env.py"):
            continue
        target = next((b for b in facts.bindings if b.name == "target_metadata"), None)
        if target is None:
            continue
        missing = ctx.ix.env_missing(facts, model_modules)
        if target.value is not None and target.value.kind == "const" and target.value.value is None:
            ctx.emit("SQM306", facts.path, target.line, target.col, facts.module,
                     "target_metadata is None: autogenerate sees no tables")
        elif missing:
            ctx.emit("SQM306", facts.path, target.line, target.col, facts.module,
                     f"env.py never imports {', '.join(missing)}")
