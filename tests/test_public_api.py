"""The public surface: sorted, complete, typed."""

from __future__ import annotations

import inspect
from pathlib import Path

import aiohttp_eid


def test_all_is_sorted_and_complete() -> None:
    names = aiohttp_eid.__all__
    # isort-style, as ruff's RUF022 keeps it: CONSTANTS, then Classes, then functions
    assert list(names) == sorted(names, key=lambda n: (not n.isupper(), not n[0].isupper(), n))
    public = {n for n, v in vars(aiohttp_eid).items() if not n.startswith("_") and not inspect.ismodule(v)}
    assert public - {"annotations"} == set(names)


def test_design_names_are_exported() -> None:
    expected = {
        "setup",
        "EidConfig",
        "EidgConfig",
        "Identity",
        "Address",
        "PlaceOfBirth",
        "IdentityDocument",
        "ElectronicId",
        "Device",
        "Assurance",
        "get_identity",
        "require_identity",
        "login_required",
        "requires_assurance",
        "access_token",
        "refresh_identity",
        "EidError",
        "IDENTITY",
    }
    assert expected <= set(aiohttp_eid.__all__)


def test_public_callables_and_classes_have_docstrings() -> None:
    for name in aiohttp_eid.__all__:
        value = getattr(aiohttp_eid, name)
        if inspect.isclass(value) or inspect.isfunction(value):
            assert inspect.getdoc(value), name


def test_py_typed_is_shipped() -> None:
    assert (Path(aiohttp_eid.__file__).parent / "py.typed").exists()


def test_runtime_never_imports_testing() -> None:
    package = Path(aiohttp_eid.__file__).parent
    for path in package.rglob("*.py"):
        if "testing" in path.relative_to(package).parts:
            continue
        assert "testing" not in path.read_text().replace("aiohttp_eid.testing` is", ""), path
