"""``module:attribute`` -> the application's EidConfig (as ``python -m aiohttp.web module:func`` finds an app)."""

from __future__ import annotations

import importlib
import os
import sys

from ..config import EidConfig
from ..errors import ConfigurationError

__all__ = ["UsageError", "load_config"]


class UsageError(Exception):
    """The target cannot be loaded; the doctor exits with status 2."""


def load_config(target: str) -> EidConfig:
    """The ``EidConfig`` that ``target`` names: the config itself, or a no-argument callable returning one."""
    module_name, sep, attribute = target.partition(":")
    if not sep or not module_name or not attribute:
        raise UsageError(f"{target!r}: expected module:attribute, e.g. myapp.settings:config")
    if os.getcwd() not in sys.path and "" not in sys.path:
        sys.path.insert(0, os.getcwd())  # as ``python -m`` does, so the app's own modules import
    try:
        module = importlib.import_module(module_name)
    except ConfigurationError as exc:
        raise UsageError(f"importing {module_name} failed: {exc}") from None
    except Exception as exc:  # any failure of the user's import is a usage error
        raise UsageError(f"cannot import {module_name}: {type(exc).__name__}: {exc}") from None
    value = module
    for part in attribute.split("."):
        if not hasattr(value, part):
            raise UsageError(f"{module_name} has no attribute {attribute}")
        value = getattr(value, part)
    if not isinstance(value, EidConfig) and callable(value):
        try:
            value = value()
        except ConfigurationError as exc:
            raise UsageError(f"{target}() failed: {exc}") from None
        except Exception as exc:
            raise UsageError(f"{target}() failed: {type(exc).__name__}: {exc}") from None
    if not isinstance(value, EidConfig):
        raise UsageError(f"{target} is a {type(value).__name__}, not an EidConfig or a callable returning one")
    return value
