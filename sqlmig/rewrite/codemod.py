"""Apply a file's planned edits with LibCST: only the edited statements change, every other byte stays.

Class statements get new bases, class-body declarations are replaced or removed in place (the end-of-line
comment of one moved into a new class goes with it, other comments move to the next statement), new classes are inserted before the class they serve, and imports are added
in their group and removed only where the edits made them unused (``sqlmig.rewrite.imports``). The names
the rewrite adds are spelled last, against what the edited module binds (``sqlmig.rewrite.names``).
"""

from __future__ import annotations

import libcst as cst

from sqlmig.rewrite.errors import RewriteError
from sqlmig.rewrite.imports import add_imports, blank_lines, import_bindings, remove_unused
from sqlmig.rewrite.names import Namer, class_bound, imported, meaning, read_names, spell_all
from sqlmig.rewrite.plan import ClassEdit, FileEdit, NewClass


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


def _comment_lines(stmt: cst.SimpleStatementLine, trailing: bool = True) -> list[cst.EmptyLine]:
    """The comments a removed statement carries, as lines to put in front of the next statement
    (without its end-of-line comment unless ``trailing``)."""
    lines = [line for line in stmt.leading_lines if line.comment is not None]
    comment = stmt.trailing_whitespace.comment
    if trailing and comment is not None:
        lines.append(cst.EmptyLine(indent=True, comment=comment))
    return lines


class _Rename(cst.CSTTransformer):
    """Bare names -> other expressions (None: a name that cannot be renamed); attribute names and keywords
    are not names that are looked up."""

    def __init__(self, names: dict[str, str | None], where: str) -> None:
        self.names = names
        self.where = where

    def leave_Name(self, original: cst.Name, updated: cst.Name) -> cst.BaseExpression:
        if updated.value not in self.names:
            return updated
        new = self.names[updated.value]
        if new is None:
            raise RewriteError(f"{self.where} reads {updated.value}, which the class body binds and the module "
                               "does not import")
        return cst.parse_expression(new)

    def leave_Attribute(self, original: cst.Attribute, updated: cst.Attribute) -> cst.Attribute:
        return updated.with_changes(attr=original.attr)

    def leave_Arg(self, original: cst.Arg, updated: cst.Arg) -> cst.Arg:
        return updated.with_changes(keyword=original.keyword)


class _Transformer(cst.CSTTransformer):
    def __init__(self, edit: FileEdit, bindings: dict, top: dict[str, str]) -> None:
        self.edit = edit
        self.bindings = bindings  # the module's imports and the plan's, for names of copied text
        self.top = top
        self.done_classes: set[str] = set()
        self.done_after: set[str] = set()
        self.depth = 0

    def unshadowed(self, cls: str, stmts: list[cst.BaseStatement], rendered: set[int]) -> list[cst.BaseStatement]:
        """The rendered statements with the names of their annotations that the class body binds (a column
        ``date`` read by ``until: date``) written as placeholders of what the module binds them to: a class
        body looks up an annotation's names in itself first."""
        renames = {}
        for name in class_bound(stmts):
            what = meaning(name, self.bindings, self.top)
            renames[name] = imported(*what) if what is not None else None
        out = list(stmts)
        for i in rendered:
            small = out[i].body[0]
            if isinstance(small, cst.AnnAssign):
                rename = _Rename(renames, f"{self.edit.path}: the annotation of {cls}.{_stmt_name(out[i])}")
                ann = small.annotation.with_changes(annotation=small.annotation.annotation.visit(rename))
                out[i] = out[i].with_changes(body=[small.with_changes(annotation=ann)])
        return out

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
            header = cst.parse_statement(f"class _({ce.bases}):\n    pass\n")
            assert isinstance(header, cst.ClassDef)
            updated = updated.with_changes(
                bases=header.bases, keywords=header.keywords,
                lpar=updated.lpar if not isinstance(updated.lpar, cst.MaybeSentinel) else cst.LeftParen(),
                rpar=updated.rpar if not isinstance(updated.rpar, cst.MaybeSentinel) else cst.RightParen())
        moved: dict[str, cst.Comment] = {}  # end-of-line comments of declarations moved to a new class
        if ce.replace:
            updated = updated.with_changes(body=self._body(updated.name.value, updated.body, ce, moved))
        if not ce.before:
            return updated
        new = [self._new_class(nc, blank=len(updated.leading_lines) or 2, comments=moved) for nc in ce.before]
        return cst.FlattenSentinel([*new, updated])

    def _body(self, cls: str, body: cst.BaseSuite, ce: ClassEdit, moved: dict[str, cst.Comment]) -> cst.BaseSuite:
        """The class body with its declarations replaced or removed. The end-of-line comment of one that
        moves to a class inserted before this one goes with it (into ``moved``); other comments of a
        removed statement stay where it was, in front of the next one."""
        if not isinstance(body, cst.IndentedBlock):
            raise RewriteError("a one-line class body cannot be edited")
        out: list[cst.BaseStatement] = []
        rendered: set[int] = set()
        comments: list[cst.EmptyLine] = []
        gap: int | None = None  # blank lines before the first removed statement of the current run
        moving = {d.name for nc in ce.before for d in nc.decls}
        for stmt in body.body:
            name = _stmt_name(stmt)
            decl = ce.replace.get(name, stmt) if name is not None else stmt
            if decl is None:
                assert isinstance(stmt, cst.SimpleStatementLine)
                if gap is None:
                    gap = blank_lines(stmt.leading_lines)
                comment = stmt.trailing_whitespace.comment
                if comment is not None and name in moving:
                    moved[name] = comment
                comments.extend(_comment_lines(stmt, trailing=name not in moved))
                continue
            if decl is not stmt:
                rendered.add(len(out))
                new = cst.parse_statement(decl.code() + "\n")
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
        out = self.unshadowed(cls, out, rendered)
        if not out:
            out.append(cst.SimpleStatementLine([cst.Pass()]))
        return body.with_changes(body=out, footer=footer)

    def _new_class(self, nc: NewClass, blank: int, comments: dict[str, cst.Comment] | None = None) -> cst.ClassDef:
        lines = [f"class {nc.name}({nc.base}):"]
        if nc.doc:
            lines.append(f'    """{nc.doc}"""')
            if nc.decls:
                lines.append("")
        for decl in nc.decls:
            lines.append(f"    {decl.code()}")
        if len(lines) == 1:
            lines.append("    pass")
        node = cst.parse_statement("\n".join(lines) + "\n")
        assert isinstance(node, cst.ClassDef) and isinstance(node.body, cst.IndentedBlock)
        first = 1 if nc.doc else 0
        stmts = self.unshadowed(nc.name, list(node.body.body), set(range(first, first + len(nc.decls))))
        if comments:
            stmts = [stmt.with_changes(trailing_whitespace=cst.TrailingWhitespace(
                whitespace=cst.SimpleWhitespace("  "), comment=comments[_stmt_name(stmt)]))
                if _stmt_name(stmt) in comments and isinstance(stmt, cst.SimpleStatementLine) else stmt
                for stmt in stmts]
        node = node.with_changes(body=node.body.with_changes(body=stmts))
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


def apply_edit(source: bytes, edit: FileEdit, first_party: frozenset[str] = frozenset()) -> bytes:
    """The file's new bytes (same encoding and line endings)."""
    module = cst.parse_module(source)
    imports = import_bindings(module)
    carried = {obj: (mod, obj, None) for mod, obj in edit.imports if obj and mod != "builtins"}
    transformer = _Transformer(edit, {**carried, **imports}, _top_level_names(module))
    tree = module.visit(transformer)
    missing = set(edit.classes) - transformer.done_classes
    if missing:
        raise RewriteError(f"{edit.path}: class {', '.join(sorted(missing))} is not a top-level class statement")
    missing_after = set(edit.insert_after) - transformer.done_after
    if missing_after:
        raise RewriteError(f"{edit.path}: {', '.join(sorted(missing_after))} is not bound by a top-level statement")
    tree = remove_unused(tree, {n for n in edit.maybe_unused if n in imports})
    # the names the rewrite adds are spelled only now, against what the edited module still binds: a name
    # bound to something else (pydantic's Field, ``import time``, a class attribute) is never rebound
    namer = Namer(tree, edit.imports)
    tree = spell_all(tree, namer)
    # an import for copied text is left out when the text now names the object another way (``date`` of a
    # schema's annotation inside a class whose column is called ``date``)
    read = read_names(tree)
    wanted = [(mod, obj) for mod, obj in sorted(edit.imports) if mod != "builtins" and (not obj or obj in read)]
    tree = add_imports(tree, wanted + namer.added, first_party)
    return tree.bytes
