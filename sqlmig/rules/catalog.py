"""The rule catalogue: codes are a public contract. One entry per rule, with the text users read."""

from __future__ import annotations

from dataclasses import dataclass

SEVERITIES = ("info", "warning", "error", "blocker")


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: str
    summary: str  # what it detects
    why: str  # why it matters for a SQLModel migration
    example: str
    fix: str


def _r(code, name, severity, summary, why, example, fix) -> Rule:
    return Rule(code, name, severity, summary, why, example.strip("\n"), fix)


RULES: dict[str, Rule] = {r.code: r for r in [
    _r("SQM001", "syntax-error", "error",
       "A file that LibCST cannot parse (syntax error, null bytes, nesting too deep).",
       "Nothing in the file can be analysed or rewritten; models in it are invisible to the migration.",
       "class User(Base)\n    id = Column(Integer)", "Fix the syntax error; the rest of the project is analysed anyway."),
    _r("SQM002", "undecodable-file", "error",
       "A file whose bytes do not decode with its declared (PEP 263) or default UTF-8 encoding.",
       "The file cannot be read as Python source, so it is skipped.",
       "# file saved as Latin-1 without a coding cookie\nname = 'caf\\xe9'",
       "Re-save the file as UTF-8 or add a `# -*- coding: latin-1 -*-` cookie."),
    _r("SQM003", "unused-suppression", "info",
       "A `# sqlmig: ignore[...]` comment that suppressed nothing (reported with `--report-unused-ignores`).",
       "Stale suppressions hide the next real finding on that line.",
       "title = Column(String(200))  # sqlmig: ignore[SQM309]",
       "Remove the comment, or narrow it to the codes still reported there."),
    _r("SQM101", "duplicated-field", "info",
       "A schema field that repeats a column of its paired model (same name, compatible type).",
       "These are the lines a SQLModel migration removes: the field moves into one shared `MBase` class.",
       "class Post(Base):\n    title = Column(String(200), nullable=False)\n\nclass PostOut(BaseModel):\n    title: str",
       "Nothing to do by hand: `sqlmig rewrite` moves the field into the shared base."),
    _r("SQM102", "type-drift", "warning",
       "A schema field whose Python type disagrees with the column type (`float` for `Numeric`, `str` for `Integer`).",
       "After a migration one class carries one type; today the API and the database disagree and one side "
       "silently converts (float rounding for money, for example).",
       "price = Column(Numeric(10, 2))\n\nclass RoomOut(BaseModel):\n    price: float",
       "Use the column's type in the schema (`Decimal` for `Numeric`), or keep the schema's field as an override."),
    _r("SQM103", "nullability-drift", "warning",
       "A read schema requires a value the column allows to be NULL, or a create schema makes optional a NOT NULL "
       "column that has no default.",
       "Responses fail validation on NULL rows, or inserts fail with an IntegrityError instead of a 422.",
       "body = Column(Text)  # nullable\n\nclass PostOut(BaseModel):\n    body: str",
       "Make the schema field `X | None` (read) or required (create), or change the column's nullability."),
    _r("SQM104", "length-drift", "warning",
       "`String(n)` versus `max_length`, or `Numeric(p, s)` versus `max_digits`/`decimal_places`, disagree.",
       "The API accepts values the database truncates or rejects (PostgreSQL raises on too long strings).",
       "title = Column(String(200))\n\nclass PostCreate(BaseModel):\n    title: str = Field(max_length=300)",
       "Use the column's length in the schema, or change the column in a reviewed migration."),
    _r("SQM105", "default-drift", "warning",
       "The schema and the column give the same field different literal defaults.",
       "Rows created through the API and rows created elsewhere get different values.",
       "published = Column(Boolean, default=False)\n\nclass PostCreate(BaseModel):\n    published: bool = True",
       "Pick one default; after the migration it lives in one place."),
    _r("SQM106", "field-without-column", "info",
       "A field of a paired schema that has no column (or relationship) in the model, e.g. `password`.",
       "Such fields stay on the schema class; they do not move into the shared base.",
       "class UserCreate(BaseModel):\n    email: str\n    password: str  # hashed into another column",
       "Nothing to do; the rewrite keeps it on the schema."),
    _r("SQM107", "unpaired-class", "info",
       "A model with no schema, or a schema with no model.",
       "Nothing is duplicated there, so the migration gains nothing for that class.",
       "class AuditLog(Base):\n    __tablename__ = 'audit_log'",
       "Nothing to do, or add the missing pairing hint if the class should have been paired."),
    _r("SQM201", "polymorphic-mapping", "blocker",
       "`__mapper_args__` with `polymorphic_on` or `polymorphic_identity`.",
       "SQLModel does not map polymorphic hierarchies; the model stays on SQLAlchemy.",
       "class Employee(Base):\n    __mapper_args__ = {'polymorphic_on': 'type', 'polymorphic_identity': 'employee'}",
       "Keep the model on SQLAlchemy (mixed mode); its schemas can still move to SQLModel."),
    _r("SQM202", "mapped-inheritance", "blocker",
       "A mapped class that subclasses another mapped class (joined or single table inheritance).",
       "SQLModel silently creates no table for such a subclass; the schema would change.",
       "class Engineer(Employee):\n    __tablename__ = 'engineers'\n    id = Column(ForeignKey('employees.id'), primary_key=True)",
       "Keep the hierarchy on SQLAlchemy (mixed mode)."),
    _r("SQM203", "composite-primary-key", "blocker",
       "More than one primary-key column, or a `PrimaryKeyConstraint` over several columns.",
       "The generated SQLModel pattern (one `id` field shared by read schemas) does not fit; kept on SQLAlchemy.",
       "class Assignment(Base):\n    employee_id = Column(ForeignKey('employees.id'), primary_key=True)\n"
       "    project_id = Column(ForeignKey('projects.id'), primary_key=True)",
       "Keep the model on SQLAlchemy, or migrate it by hand with `__table_args__`."),
    _r("SQM204", "composite-foreign-key", "blocker",
       "A `ForeignKeyConstraint` over several columns in `__table_args__`.",
       "`Field(foreign_key=...)` only expresses single-column keys.",
       "__table_args__ = (ForeignKeyConstraint(['a_id', 'b_id'], ['pairs.a_id', 'pairs.b_id']),)",
       "Keep the model on SQLAlchemy (mixed mode)."),
    _r("SQM205", "custom-relationship-join", "blocker",
       "A relationship with `primaryjoin`, `secondaryjoin`, `foreign_keys` or `remote_side`.",
       "These string expressions are evaluated against SQLAlchemy classes and do not survive the rewrite reliably.",
       "active = relationship('Employee', primaryjoin='and_(Department.id == Employee.department_id, Employee.active)')",
       "Keep the model on SQLAlchemy, or move the relationship by hand with `sa_relationship_kwargs`."),
    _r("SQM206", "association-proxy", "blocker",
       "An `association_proxy` attribute.",
       "SQLModel (Pydantic) fails at class creation on an association proxy.",
       "project_names = association_proxy('assignments', 'project_name')",
       "Keep the model on SQLAlchemy."),
    _r("SQM207", "mapper-property", "blocker",
       "`hybrid_property`, `hybrid_method`, `column_property`, `synonym` or `composite` on a model.",
       "Pydantic treats them as fields or rejects them at class creation.",
       "@hybrid_property\ndef full_name(self):\n    return self.first + ' ' + self.last",
       "Keep the model on SQLAlchemy, or replace the property with a plain Python property by hand."),
    _r("SQM208", "custom-column-type", "warning",
       "A column whose type is a project `TypeDecorator` or `UserDefinedType`.",
       "The rewrite must pass it as `sa_type=` and the Python type must be chosen by hand.",
       "salary = Column(Money())  # class Money(TypeDecorator)",
       "Let the rewrite use `sa_type=Money`; check the field's Python annotation."),
    _r("SQM209", "mixin-columns", "warning",
       "A model that gets columns from a plain mixin or a `declared_attr`.",
       "Mixin columns must become a SQLModel base class; `declared_attr` columns need `sa_column`.",
       "class Post(TimestampMixin, Base):\n    ...",
       "The rewrite turns the mixin into a SQLModel base; review the column order in the DDL diff."),
    _r("SQM210", "imperative-secondary", "warning",
       "A relationship whose `secondary=` is an imperative `Table`.",
       "SQLModel's `Relationship(link_model=...)` needs a link model class instead of a Table.",
       "tags = relationship('Tag', secondary=product_tags)",
       "The rewrite keeps the Table and passes it through `sa_relationship_kwargs={'secondary': ...}`; "
       "turn it into a link model by hand if you want `link_model=`."),
    _r("SQM211", "mapped-as-dataclass", "warning",
       "A declarative base that mixes in `MappedAsDataclass`.",
       "Dataclass semantics (init order, defaults) differ from Pydantic's.",
       "class Base(MappedAsDataclass, DeclarativeBase):\n    pass",
       "Check constructor call sites after the migration."),
    _r("SQM212", "orm-events", "warning",
       "Mapper or attribute event listeners on a model.",
       "They keep firing on table models, but a listener that returns a new value (`retval=True`) is "
       "overwritten: SQLModel's `__setattr__` stores the assigned value again after SQLAlchemy's events ran.",
       "@event.listens_for(User.email, 'set', retval=True)\ndef lower(target, value, old, initiator): ...",
       "Keep them; re-run the model's tests after the rewrite; move value changes into Pydantic validators."),
    _r("SQM213", "metadata-convention", "warning",
       "A `MetaData(naming_convention=...)` or `MetaData(schema=...)`, or a table `schema`.",
       "SQLModel uses its own `SQLModel.metadata`; without carrying the convention over, constraint names change.",
       "metadata = MetaData(naming_convention={'fk': 'fk_%(table_name)s_%(column_0_name)s'})",
       "The rewrite shares one MetaData; `sqlmig verify` proves constraint names stayed the same."),
    _r("SQM214", "several-bases", "warning",
       "More than one declarative base in the project.",
       "Each base has its own MetaData; the migration must keep the split, or foreign keys stop resolving.",
       "Base = declarative_base()\nAuditBase = declarative_base()",
       "Migrate one base at a time (`--only`)."),
    _r("SQM215", "renamed-column", "warning",
       "A column whose database name differs from its attribute name.",
       "SQLModel needs `sa_column_kwargs={'name': ...}`; a plain field would rename the column.",
       "sku = Column('product_code', String(32))",
       "The rewrite carries the name over; verify with `sqlmig verify`."),
    _r("SQM216", "validator-moves-to-table", "warning",
       "A schema validator on a field that would move into the shared base used by the table model.",
       "Table models (`table=True`) do not run validators on construction.",
       "class UserCreate(BaseModel):\n    email: str\n    @field_validator('email')\n    def lower(cls, v): ...",
       "Keep the validated field on the schema (the rewrite does), or validate at the API boundary."),
    _r("SQM217", "pydantic-v1-api", "warning",
       "Pydantic v1 API on a schema: `class Config`, `orm_mode`, `@validator`, `@root_validator`, `pydantic.v1`.",
       "SQLModel needs Pydantic v2 semantics; run a v1 to v2 migration (bump-pydantic) first.",
       "class SupplierOut(BaseModel):\n    class Config:\n        orm_mode = True",
       "Use `model_config = ConfigDict(from_attributes=True)` and `@field_validator`."),
    _r("SQM218", "serialisation-customised", "warning",
       "Field aliases, `alias_generator`, `computed_field` or custom serializers on a paired schema.",
       "Moving fields into a shared base can change the JSON the API emits.",
       "class UserOut(BaseModel):\n    name: str = Field(alias='userName')",
       "Keep the schema as its own class; compare the OpenAPI document before and after."),
    _r("SQM219", "orm-validates", "blocker",
       "A `@validates` method on a model.",
       "On a SQLModel table model the method still runs, but its result is lost: SQLModel's `__setattr__` "
       "hands the value to SQLAlchemy (which runs the validator) and then stores the original value through "
       "Pydantic, so `@validates('sku')` returning `value.upper()` leaves the lower-case value.",
       "@validates('sku')\ndef normalise_sku(self, key, value):\n    return value.upper()",
       "Keep the model on SQLAlchemy, or move the normalisation into the schemas' Pydantic validators."),
    _r("SQM301", "legacy-query-api", "info",
       "Legacy `session.query(...)` calls.",
       "SQLModel's `session.exec(select(...))` is the 2.0 style; `query()` is legacy in SQLAlchemy 2.",
       "posts = db.query(Post).all()",
       "Use `db.scalars(select(Post)).all()`."),
    _r("SQM302", "raw-sql-string", "warning",
       "A plain SQL string passed to `execute()` without `text()`.",
       "SQLAlchemy 2 rejects it at run time.",
       "db.execute('SELECT count(*) FROM posts')",
       "Wrap it: `db.execute(text('SELECT count(*) FROM posts'))`."),
    _r("SQM303", "n-plus-one", "warning",
       "A relationship read inside a loop over query results without `selectinload`/`joinedload` for it.",
       "One extra query per row; with async sessions it raises `MissingGreenlet` instead.",
       "for post in db.scalars(select(Post)):\n    print(post.author.name)",
       "Add `.options(selectinload(Post.author))` to the query."),
    _r("SQM304", "scalars-multi-column", "warning",
       "`.scalars()` on a select of several columns or entities.",
       "Only the first column is returned; the others are silently dropped.",
       "rows = (await session.execute(select(Room.id, Room.number))).scalars().all()",
       "Use `.all()` for rows, or select one column."),
    _r("SQM305", "async-expire-on-commit", "warning",
       "An async session factory without `expire_on_commit=False`.",
       "Attributes expire on commit and the next access needs I/O, which raises `MissingGreenlet` in async code.",
       "SessionLocal = async_sessionmaker(engine)",
       "Pass `expire_on_commit=False`."),
    _r("SQM306", "alembic-metadata-incomplete", "warning",
       "An Alembic `env.py` whose `target_metadata` module imports do not reach every model module "
       "(one run inside the Flask app, reading `current_app` as Flask-Migrate's does, is left to the app).",
       "Autogenerate then proposes to drop the tables it does not see.",
       "from app.db import Base\ntarget_metadata = Base.metadata  # app.models never imported",
       "Import the models package in env.py before setting target_metadata."),
    _r("SQM307", "sensitive-field-exposed", "error",
       "A sensitive field (password, hashed_password, secret, token, api_key, ...) in a schema used as a "
       "`response_model`.",
       "The API sends it to clients; a migration that shares fields would spread it further.",
       "class UserInDB(BaseModel):\n    hashed_password: str\n\n@router.get('/me', response_model=UserInDB)",
       "Return a schema without the field; keep sensitive columns out of shared bases."),
    _r("SQM308", "sql-injection-risk", "error",
       "SQL built with an f-string, `%`, `+` or `.format()` inside `text()` or `execute()`.",
       "User input reaches the SQL text: an injection risk.",
       "db.execute(text(f\"SELECT * FROM posts WHERE title LIKE '%{q}%'\"))",
       "Use bound parameters: `text('... LIKE :q').bindparams(q=f'%{q}%')`."),
    _r("SQM309", "unindexed-foreign-key", "info",
       "A foreign-key column without an index (PostgreSQL does not index foreign keys by itself).",
       "Joins and cascading deletes scan the whole table.",
       "author_id = Column(ForeignKey('users.id'))",
       "Add `index=True` (in its own reviewed migration)."),
]}


def severity_rank(severity: str) -> int:
    return SEVERITIES.index(severity)


def rules_markdown() -> str:
    """``docs/rules.md``: the catalogue as users read it (tests keep the file in sync)."""
    out = ["# sqlmig rules", "", "Generated from `sqlmig/rules/catalog.py` by `python -m sqlmig.rules.catalog`.",
           "Codes are a public contract.", "", "| code | name | severity | detects |", "|---|---|---|---|"]
    for r in RULES.values():
        summary = r.summary.replace("|", "\\|")
        out.append(f"| [{r.code}](#{r.code.lower()}) | {r.name} | {r.severity} | {summary} |")
    for r in RULES.values():
        out += ["", f"## {r.code}", "", f"**{r.name}** ({r.severity})", "", f"What it detects: {r.summary}", "",
                f"Why it matters: {r.why}", "", "```python", r.example, "```", "", f"Fix: {r.fix}"]
    return "\n".join(out) + "\n"


if __name__ == "__main__":  # pragma: no cover
    print(rules_markdown(), end="")
