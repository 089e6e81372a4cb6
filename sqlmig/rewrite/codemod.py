"""Apply a file's planned edits with LibCST: only the edited statements change, every other byte stays.

Class statements get new bases, class-body declarations are replaced or removed in place (their comments
move to the next statement), new classes are inserted before the class they serve, and imports are added
in their group and removed only where the edits made them unused (``sqlmig.rewrite.imports``).
"""

from __future__ import annotations

import re

import libcst as cst

from sqlmig.rewrite.errors import RewriteError
from sqlmig.rewrite.fields import Decl
from sqlmig.rewrite.imports import add_imports, blank_lines, import_bindings, remove_unused
from sqlmig.rewrite.plan import ClassEdit, FileEdit, NewClass

SQLMODEL_NAMES = ("Field", "SQLModel", "Relationship")


def _top_level_names(module: cst.Module) -> dict[str, str]:
    """Names bound at module level other than by imports -> kind."""
    out: dict[str, str] = {}
    for stmt in module.body:
        if isinstance(stmt, cst.ClassDef):
            out[stmt.name.value] = "class"
        elif isinstance(stmt, cst.FunctionDef):
            out[stmt.name.value] = "def"
        elif isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                targets = []
                if isinstance(small, cst.Assign):
                    targets = [t.target for t in small.targets]
                elif isinstance(small, cst.AnnAssign):
                    targets = [small.target]
                for t in targets:
                    if isinstance(t, cst.Name):
                        out[t.value] = "assign"
    return out


def _stmt_name(stmt: cst.CSTNode) -> str | None:
    if isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1:
        small = stmt.body[0]
        if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
            return small.target.value
        if isinstance(small, cst.Assign) and len(small.targets) == 1 and isinstance(small.targets[0].target, cst.Name):
            return small.targets[0].target.value
    return None


def _comment_lines(stmt: cst.SimpleStatementLine) -> list[cst.EmptyLine]:
    """The comments a removed statement carries, as lines to put in front of the next statement."""
    lines = [line for line in stmt.leading_lines if line.comment is not None]
    trailing = stmt.trailing_whitespace.comment
    if trailing is not None:
        lines.append(cst.EmptyLine(indent=True, comment=trailing))
    return lines


class _Transformer(cst.CSTTransformer):
    def __init__(self, edit: FileEdit, names: dict[str, str]) -> None:
        self.edit = edit
        self.names = names
        self.done_classes: set[str] = set()
        self.done_after: set[str] = set()
        self.depth = 0

    def render(self, decl: Decl) -> str:
        """The declaration with its ``Field(``/``Relationship(`` callee named as this module needs it
        (only the callee: a default value that happens to contain the same text is left alone)."""
        value = decl.value
        if value is not None:
            callee = value.split("(", 1)[0]
            if callee in self.names and value.startswith(callee + "("):
                value = self.names[callee] + value[len(callee):]
        return f"{decl.name}: {decl.annotation}" + (f" = {value}" if value is not None else "")

    def bases_text(self, text: str) -> str:
        return re.sub(r"\bSQLModel\b", self.names["SQLModel"], text)

    # only top-level classes are edited
    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        self.depth += 1
        return self.depth == 1

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        self.depth += 1
        return False

    def leave_FunctionDef(self, original, updated):
        self.depth -= 1
        return updated

    def leave_ClassDef(self, original: cst.ClassDef, updated: cst.ClassDef):
        self.depth -= 1
        if self.depth != 0:
            return updated
        ce = self.edit.classes.get(updated.name.value)
        if ce is None:
            return updated
        self.done_classes.add(updated.name.value)
        if ce.bases is not None:
            header = cst.parse_statement(f"class _({self.bases_text(ce.bases)}):\n    pass\n")
            assert isinstance(header, cst.ClassDef)
            updated = updated.with_changes(
                bases=header.bases, keywords=header.keywords,
                lpar=updated.lpar if not isinstance(updated.lpar, cst.MaybeSentinel) else cst.LeftParen(),
                rpar=updated.rpar if not isinstance(updated.rpar, cst.MaybeSentinel) else cst.RightParen())
        if ce.replace:
            updated = updated.with_changes(body=self._body(updated.body, ce))
        if not ce.before:
            return updated
        new = [self._new_class(nc, blank=len(updated.leading_lines) or 2) for nc in ce.before]
        return cst.FlattenSentinel([*new, updated])

    def _body(self, body: cst.BaseSuite, ce: ClassEdit) -> cst.BaseSuite:
        if not isinstance(body, cst.IndentedBlock):
            raise RewriteError("a one-line class body cannot be edited")
        out: list[cst.BaseStatement] = []
        comments: list[cst.EmptyLine] = []
        gap: int | None = None  # blank lines before the first removed statement of the current run
        for stmt in body.body:
            name = _stmt_name(stmt)
            decl = ce.replace.get(name, stmt) if name is not None else stmt
            if decl is None:
                assert isinstance(stmt, cst.SimpleStatementLine)
                if gap is None:
                    gap = blank_lines(stmt.leading_lines)
                comments.extend(_comment_lines(stmt))
                continue
            if decl is not stmt:
                new = cst.parse_statement(self.render(decl) + "\n")
                assert isinstance(new, cst.SimpleStatementLine)
                stmt = new.with_changes(leading_lines=stmt.leading_lines, trailing_whitespace=stmt.trailing_whitespace)
            if gap is not None or comments:
                lines = list(stmt.leading_lines)
                own = blank_lines(lines)
                # the run of removed statements took its blank lines with it: keep the wider gap, except at
                # the top of the body, where the first removed statement's gap is the right one
                blanks = gap if not out else max(gap or 0, own)
                stmt = stmt.with_changes(leading_lines=[cst.EmptyLine(indent=False)] * (blanks or 0) + comments + lines[own:])
                gap, comments = None, []
            out.append(stmt)
        footer = [*comments, *body.footer]
        if not out:
            out.append(cst.SimpleStatementLine([cst.Pass()]))
        return body.with_changes(body=out, footer=footer)

    def _new_class(self, nc: NewClass, blank: int) -> cst.ClassDef:
        lines = [f"class {nc.name}({self.bases_text(nc.base)}):"]
        if nc.doc:
            lines.append(f'    """{nc.doc}"""')
            if nc.decls:
                lines.append("")
        for decl in nc.decls:
            lines.append(f"    {self.render(decl)}")
        if len(lines) == 1:
            lines.append("    pass")
        node = cst.parse_statement("\n".join(lines) + "\n")
        assert isinstance(node, cst.ClassDef)
        return node.with_changes(leading_lines=[cst.EmptyLine(indent=False)] * min(blank, 2))

    def leave_Module(self, original: cst.Module, updated: cst.Module) -> cst.Module:
        if not self.edit.insert_after:
            return updated
        body: list[cst.CSTNode] = []
        spaced = False  # the statement after an inserted class needs two blank lines before it
        for stmt in updated.body:
            if spaced:
                lines = list(stmt.leading_lines)
                if blank_lines(lines) < 2:
                    stmt = stmt.with_changes(
                        leading_lines=[cst.EmptyLine(indent=False)] * 2 + lines[blank_lines(lines):])
                spaced = False
            body.append(stmt)
            bound = set()
            if isinstance(stmt, cst.ClassDef):
                bound.add(stmt.name.value)
            else:
                name = _stmt_name(stmt)
                if name:
                    bound.add(name)
            for name in bound & set(self.edit.insert_after):
                if name in self.done_after:
                    continue
                self.done_after.add(name)
                for nc in self.edit.insert_after[name]:
                    body.append(self._new_class(nc, blank=2))
                spaced = True
        return updated.with_changes(body=body)


class _Placeholders(cst.CSTTransformer):
    """``__sqlmig_Field`` -> ``Field`` or ``sqlmodel.Field``, decided once the edits are done."""

    def __init__(self, final: dict[str, str]) -> None:
        self.final = final

    def leave_Name(self, original: cst.Name, updated: cst.Name) -> cst.BaseExpression:
        name = self.final.get(updated.value)
        if name is None:
            return updated
        return cst.parse_expression(name)


def apply_edit(source: bytes, edit: FileEdit, first_party: frozenset[str] = frozenset()) -> bytes:
    """The file's new bytes (same encoding and line endings)."""
    module = cst.parse_module(source)
    imports = import_bindings(module)
    placeholders = {n: f"__sqlmig_{n}" for n in SQLMODEL_NAMES}
    transformer = _Transformer(edit, placeholders)
    tree = module.visit(transformer)
    missing = set(edit.classes) - transformer.done_classes
    if missing:
        raise RewriteError(f"{edit.path}: class {', '.join(sorted(missing))} is not a top-level class statement")
    missing_after = set(edit.insert_after) - transformer.done_after
    if missing_after:
        raise RewriteError(f"{edit.path}: {', '.join(sorted(missing_after))} is not bound by a top-level statement")
    tree = remove_unused(tree, {n for n in edit.maybe_unused if n in imports})
    # a name still bound to something else after the edits (pydantic's Field, say) is not shadowed:
    # sqlmodel's is then written qualified
    left = import_bindings(tree)
    top = _top_level_names(tree)
    final = {}
    for n in SQLMODEL_NAMES:
        bound = left.get(n)
        clash = (bound is not None and bound[0] != "sqlmodel") or (n in top and n not in left)
        final[placeholders[n]] = f"sqlmodel.{n}" if clash else n
    tree = tree.visit(_Placeholders(final))
    wanted = []
    for mod, obj in sorted(edit.imports):
        if mod == "builtins":
            continue
        if mod == "sqlmodel" and obj in placeholders and final[placeholders[obj]] != obj:
            wanted.append(("sqlmodel", ""))
        else:
            wanted.append((mod, obj))
    tree = add_imports(tree, wanted, first_party)
    return tree.bytes
