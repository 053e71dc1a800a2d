"""The public surface: sorted, complete, typed."""

from __future__ import annotations

import inspect
from pathlib import Path
from types import ModuleType

import pytest

import aiohttp_eid
import aiohttp_eid.testing


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


def own_docstring(value: object) -> str:
    """The docstring ``value`` itself has: not one inherited, nor the signature a dataclass makes up."""
    doc = vars(value).get("__doc__") if inspect.isclass(value) else getattr(value, "__doc__", None)
    name = getattr(value, "__name__", "")
    return "" if not doc or doc.startswith(f"{name}(") else doc


@pytest.mark.parametrize("module", [aiohttp_eid, aiohttp_eid.testing], ids=lambda m: m.__name__)
def test_public_callables_and_classes_have_docstrings(module: ModuleType) -> None:
    missing = [
        name
        for name in module.__all__
        if (inspect.isclass(getattr(module, name)) or inspect.isfunction(getattr(module, name)))
        and not own_docstring(getattr(module, name)).strip()
    ]
    assert missing == [], f"{module.__name__}: no docstring"


def test_testing_all_is_sorted_and_complete() -> None:
    names = aiohttp_eid.testing.__all__
    assert list(names) == sorted(names, key=lambda n: (not n.isupper(), not n[0].isupper(), n))
    public = {n for n, v in vars(aiohttp_eid.testing).items() if not n.startswith("_") and not inspect.ismodule(v)}
    assert public == set(names)


def test_py_typed_is_shipped() -> None:
    assert (Path(aiohttp_eid.__file__).parent / "py.typed").exists()
