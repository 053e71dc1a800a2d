"""The suite's own layout: fixtures live in conftest files, shared helpers in ``tests/support/``.

A test module that imports a ``conftest`` or another ``test_*`` module runs that module's code a
second time under another name (pytest imports it too) and ties two tests together: what they
share belongs in ``tests/support/``.
"""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).parent


def imported_modules(path: Path) -> set[str]:
    """The dotted names ``path`` imports, relative imports resolved, ``from x import y`` as ``x.y`` too."""
    package = list(path.relative_to(TESTS.parent).with_suffix("").parts[:-1])
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *filter(None, [node.module])])
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


def is_test_module(name: str) -> bool:
    """Whether ``name`` is a module of the suite that pytest collects or loads: a test file or a conftest."""
    last = name.rpartition(".")[2]
    ours = name.startswith("tests.") or "." not in name  # a bare name: as pytest's rootdir-relative import
    return last == "conftest" or (ours and last.startswith("test_"))


def test_no_test_module_imports_a_conftest_or_another_test_module() -> None:
    wrong = sorted(
        f"{path.relative_to(TESTS.parent)} imports {name}"
        for path in TESTS.rglob("*.py")
        for name in imported_modules(path)
        if is_test_module(name)
    )
    assert wrong == []
