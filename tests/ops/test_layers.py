"""The library's layers import one way, from the leaves up; no import cycle, type-only imports included.

The order (docs/index.md and CONTRIBUTING.md draw it): leaves -> oidc/ -> session/ -> providers/ -> config
-> runtime -> web/ -> plugin -> the package and its adapters -> testing/. A module may import its own layer
and the layers below it, never one above. Events sit at the leaves; the doctor and the Prometheus and
aiohttp-security adapters at the top.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from pathlib import Path

import pytest

import aiohttp_eid

PACKAGE = Path(aiohttp_eid.__file__).parent
TOP = ("doctor", "prometheus", "security")

#: from the leaves up: each layer's modules by their first dotted part ("" is the package's __init__)
LAYERS: tuple[tuple[str, frozenset[str]], ...] = (
    ("leaves", frozenset({"errors", "identity", "messages", "urls", "rp_keys", "events"})),
    ("oidc", frozenset({"oidc"})),
    ("session", frozenset({"session"})),
    ("providers", frozenset({"providers"})),
    ("config", frozenset({"config"})),
    ("runtime", frozenset({"runtime"})),
    ("web", frozenset({"web"})),
    ("plugin", frozenset({"plugin"})),
    ("package", frozenset({"", "__main__", *TOP})),
    ("testing", frozenset({"testing"})),
)


def module_name(path: Path) -> str:
    """``path``'s dotted name inside the package: ``web.login``; ``session`` for its __init__; ``""`` for ours."""
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    """Every module of the package by its dotted name."""
    return {module_name(path): path for path in PACKAGE.rglob("*.py")}


def imported(path: Path) -> set[str]:
    """The package modules ``path`` imports (relative imports resolved), type-only and lazy ones included."""
    own = module_name(path)
    return imports_in(path.read_text(), own, own if path.name == "__init__.py" else own.rpartition(".")[0])


def imports_in(source: str, own: str, package: str) -> set[str]:
    """The package modules ``source`` (the module ``own`` of the subpackage ``package``) imports."""
    known = modules()
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            bases = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level:
            parts = package.split(".") if package else []
            base = ".".join([*parts[: len(parts) - node.level + 1], *filter(None, [node.module])])
            bases = [base.strip(".")]
        elif isinstance(node, ast.ImportFrom):
            bases = [node.module or ""]
        else:
            continue
        relative = isinstance(node, ast.ImportFrom) and node.level > 0
        for base in bases:
            if not relative and base != "aiohttp_eid" and not base.startswith("aiohttp_eid."):
                continue
            name = base.removeprefix("aiohttp_eid").strip(".")
            names.add(name)
            if isinstance(node, ast.ImportFrom):
                # "from . import cookies": the submodule, when it is one
                names.update(
                    f"{name}.{a.name}".strip(".") for a in node.names if f"{name}.{a.name}".strip(".") in known
                )
    names.discard(own)
    return names


def layer_of(module: str) -> int:
    """The index in LAYERS of ``module``'s layer."""
    first = module.split(".")[0]
    for index, (_, members) in enumerate(LAYERS):
        if first in members:
            return index
    raise AssertionError(f"aiohttp_eid.{module} belongs to no layer: add it to LAYERS in {__file__}")


def wrong_way(graph: Mapping[str, set[str]]) -> list[str]:
    """Every edge of ``graph`` that goes up a layer."""
    return sorted(
        f"aiohttp_eid.{source} ({LAYERS[layer_of(source)][0]}) imports aiohttp_eid.{target} "
        f"({LAYERS[layer_of(target)][0]})"
        for source, targets in graph.items()
        for target in targets
        if layer_of(target) > layer_of(source)
    )


def cycles(graph: Mapping[str, set[str]]) -> list[list[str]]:
    """One cycle through each module that is on one (a depth-first search)."""
    found: list[list[str]] = []
    done: set[str] = set()

    def visit(node: str, path: list[str]) -> None:
        if node in path:
            found.append([*path[path.index(node) :], node])
            return
        if node in done:
            return
        for target in sorted(graph.get(node, ())):
            visit(target, [*path, node])
        done.add(node)

    for node in sorted(graph):
        visit(node, [])
    return found


def graph() -> dict[str, set[str]]:
    """The package's import graph."""
    return {name: imported(path) for name, path in modules().items()}


def test_every_import_goes_down_the_layers() -> None:
    assert wrong_way(graph()) == []


def test_no_import_cycle_remains_in_the_package() -> None:
    # testing/ included: each emulator's handlers work on its state class, and the emulator adds the routes
    assert cycles(graph()) == []


def test_the_checks_catch_a_wrong_way_import_and_a_cycle() -> None:
    broken = {"oidc.discovery": {"config", "errors"}, "session.refresh": {"providers.base"}}
    assert wrong_way(broken) == [
        "aiohttp_eid.oidc.discovery (oidc) imports aiohttp_eid.config (config)",
        "aiohttp_eid.session.refresh (session) imports aiohttp_eid.providers.base (providers)",
    ]
    assert cycles({"config": {"providers.base"}, "providers.base": {"config"}}) == [
        ["config", "providers.base", "config"]
    ]


def test_type_only_and_lazy_imports_count() -> None:
    source = (
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from ..config import EidConfig\n"
        "def f() -> None:\n    from .. import web\n    import aiohttp_eid.runtime\n"
    )
    assert imports_in(source, "oidc.discovery", "oidc") == {"config", "", "web", "runtime"}


def test_every_module_has_a_layer() -> None:
    for name in modules():
        layer_of(name)
    with pytest.raises(AssertionError, match="belongs to no layer"):
        layer_of("nowhere")


def test_the_protocol_layer_knows_no_aiohttp_web() -> None:
    for path in (PACKAGE / "oidc").rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "aiohttp":
                assert "web" not in {a.name for a in node.names}, path
            if isinstance(node, ast.Import):
                assert "aiohttp.web" not in {a.name for a in node.names}, path


def test_nothing_in_the_library_imports_the_top_modules() -> None:
    for path in PACKAGE.rglob("*.py"):
        own = path.relative_to(PACKAGE).parts[0].removesuffix(".py")
        if own in TOP or own == "__main__":
            continue
        for name in imported(path):
            assert name.split(".")[0] not in TOP, f"{path} imports {name}"


def test_events_import_nothing_of_ours_but_errors() -> None:
    assert imported(PACKAGE / "events.py") == {"errors"}
