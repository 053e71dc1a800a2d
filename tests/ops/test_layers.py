"""Events at the leaves; the doctor and the Prometheus and aiohttp-security adapters at the top."""

from __future__ import annotations

import ast
from pathlib import Path

import aiohttp_eid

PACKAGE = Path(aiohttp_eid.__file__).parent
TOP = ("doctor", "prometheus", "security")


def imported(path: Path) -> set[str]:
    """The package modules ``path`` imports (relative imports resolved), type-only ones included."""
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = list(parts[: len(parts) - node.level])
            names.add(".".join([*base, *(node.module or "").split(".")]).strip("."))
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("aiohttp_eid"):
            names.add((node.module or "").removeprefix("aiohttp_eid").strip("."))
    return names


def test_nothing_in_the_library_imports_the_top_modules() -> None:
    for path in PACKAGE.rglob("*.py"):
        own = path.relative_to(PACKAGE).parts[0].removesuffix(".py")
        if own in TOP or own == "__main__":
            continue
        for name in imported(path):
            assert name.split(".")[0] not in TOP, f"{path} imports {name}"


def test_events_import_nothing_of_ours_but_errors() -> None:
    assert imported(PACKAGE / "events.py") == {"errors"}
