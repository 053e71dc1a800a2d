"""Every key aiohttp-eid puts on the application or the request."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from aiohttp import web

from .identity import Identity

if TYPE_CHECKING:
    from .runtime import Runtime  # noqa: F401
    from .session.store import StoredLogin  # noqa: F401

__all__ = ["IDENTITY", "LOGIN", "RUNTIME", "SESSION_SAVED", "SESSION_UNAVAILABLE"]

IDENTITY: Final = web.RequestKey[Identity | None]("aiohttp_eid.identity")
"""Who the request is from: ``request[IDENTITY]`` is an ``Identity``, or None for an anonymous request."""
#: the stored login behind IDENTITY (tokens included); internal
LOGIN: Final = web.RequestKey["StoredLogin | None"]("aiohttp_eid.login")
#: whether this request's session was already written to its response; internal
SESSION_SAVED: Final = web.RequestKey[bool]("aiohttp_eid.session_saved")
#: the session store could not be reached for this request; internal
SESSION_UNAVAILABLE: Final = web.RequestKey[bool]("aiohttp_eid.session_unavailable")
#: the plugin's runtime state
RUNTIME: Final = web.AppKey["Runtime"]("aiohttp_eid.runtime")
