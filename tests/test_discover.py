"""Discovery: which files are read and the module name each one gets."""

from __future__ import annotations

import os

from sqlmig.discover import discover


def _tree(base):
    files = [
        "top.py",
        "pkg/__init__.py", "pkg/models.py",
        "pkg/sub/__init__.py", "pkg/sub/deep.py",
        "pkg/gap/loose.py",  # no __init__.py: a namespace package inside pkg
        "pkg/gap/inner/__init__.py", "pkg/gap/inner/x.py",
        "pkg/build/skipped.py",  # a default exclude
        "notes/readme.txt",
        "dir.py/inside.py",  # a folder whose name ends in .py is walked, not read
        "with space/ünï.py",
    ]
    for rel in files:
        path = base / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x = 1\n", encoding="utf-8")
    (base / "pkg" / "linked.py").symlink_to(base / "top.py")
    (base / "pkg" / "dangling.py").symlink_to(base / "missing.py")
    (base / "pkg" / "sub" / "loop").symlink_to(base, target_is_directory=True)
    (base / "pkg" / "fake_init").mkdir()
    (base / "pkg" / "fake_init" / "__init__.py").mkdir()  # a folder: fake_init is a namespace package
    (base / "pkg" / "fake_init" / "y.py").write_text("y = 1\n", encoding="utf-8")
    os.mkfifo(base / "pkg" / "pipe.txt")


def test_walk_names_modules_by_package_folders(tmp_path):
    _tree(tmp_path)
    root, files = discover([str(tmp_path)])
    assert root == tmp_path.resolve()
    got = [(f.relpath, f.module, f.is_package) for f in files]
    # Python imports pkg/gap/loose.py as pkg.gap.loose: a folder in a package needs no __init__.py
    assert got == [
        ("dir.py/inside.py", "inside", False),
        ("pkg/__init__.py", "pkg", True),
        ("pkg/fake_init/y.py", "pkg.fake_init.y", False),
        ("pkg/gap/inner/__init__.py", "pkg.gap.inner", True),
        ("pkg/gap/inner/x.py", "pkg.gap.inner.x", False),
        ("pkg/gap/loose.py", "pkg.gap.loose", False),
        ("pkg/linked.py", "pkg.linked", False),
        ("pkg/models.py", "pkg.models", False),
        ("pkg/sub/__init__.py", "pkg.sub", True),
        ("pkg/sub/deep.py", "pkg.sub.deep", False),
        ("top.py", "top", False),
        ("with space/ünï.py", "ünï", False),
    ]
    assert all(os.path.isabs(f.abspath) and os.path.exists(f.abspath) for f in files)


def test_walk_from_inside_a_package_names_modules_from_its_parents(tmp_path):
    _tree(tmp_path)
    root, files = discover([str(tmp_path / "pkg" / "sub")])
    assert [(f.relpath, f.module, f.is_package) for f in files] == [
        ("__init__.py", "pkg.sub", True), ("deep.py", "pkg.sub.deep", False)]


def test_overlapping_paths_and_user_excludes(tmp_path):
    _tree(tmp_path)
    _, files = discover([str(tmp_path / "pkg"), str(tmp_path / "pkg" / "sub" / "deep.py")],
                        exclude=("gap", "sub/*.py", "linked.py"))
    # relative to the folder both paths share; excludes apply to files given by name too (pre-commit
    # passes every staged file)
    assert [(f.relpath, f.module) for f in files] == [
        ("__init__.py", "pkg"), ("fake_init/y.py", "pkg.fake_init.y"), ("models.py", "pkg.models")]
