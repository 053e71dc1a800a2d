"""(8) ``{prefix}/logout``: GET shows a button, POST (same origin only) logs out.

The provider is told first (EIDG: ``DELETE /logout``, then the refresh token
revoked), its failures logged and never blocking; then the local session is
cleared and the browser sent to ``post_logout_path`` (or to the provider's
end-session page when it has one).
"""

from __future__ import annotations

import contextlib
import html
import logging

from aiohttp import web
from yarl import URL

from ..errors import EidError, OriginError, at_provider_boundary
from ..messages import ui
from ..runtime import IDENTITY, LOGIN, Runtime, runtime_of
from ..session.login_record import read_login
from .responses import locale_of, page, wants_json
from .session_io import session_of

__all__ = ["logout", "logout_page"]

log = logging.getLogger("aiohttp_eid")


async def logout_page(request: web.Request) -> web.StreamResponse:
    """A page with a logout button; changes nothing."""
    runtime = runtime_of(request)
    locale = locale_of(request, runtime.config.default_locale)
    action = html.escape(f"{runtime.config.prefix}/logout")
    body = (
        f"<p>{html.escape(ui('logout_text', locale))}</p>"
        f'<form method="post" action="{action}"><button id="logout-button" type="submit">'
        f"{html.escape(ui('logout_button', locale))}</button></form>"
    )
    return page(ui("logout_title", locale), body, locale=locale)


def _same_origin(request: web.Request, runtime: Runtime) -> bool:
    own = {f"{request.scheme}://{request.host}", *runtime.allowed_origins}
    origin = request.headers.get("Origin")
    if origin is not None:
        return origin in own
    referer = request.headers.get("Referer")
    if referer:
        url = URL(referer)
        return url.absolute and str(url.origin()) in own
    return False


async def logout(request: web.Request) -> web.StreamResponse:
    """End the login at the provider and here; idempotent."""
    runtime = runtime_of(request)
    if not _same_origin(request, runtime):
        raise OriginError("logout POST from another origin")
    session = await session_of(request)
    login = read_login(session)
    target = runtime.config.post_logout_path
    if login is not None and login.tokens is not None:
        provider = runtime.providers.get(login.provider)
        if provider is not None:
            # a failure is logged at the boundary: the local logout never waits on the provider
            with contextlib.suppress(EidError):
                at_provider: str | None = await at_provider_boundary(
                    provider.logout(login.tokens), provider=provider.name, where="logout"
                )
                target = at_provider or target
    session.invalidate()
    request[LOGIN] = request[IDENTITY] = None
    if login is not None:
        log.info("logout from %s", login.provider)
        runtime.events("logout", login.provider)
    if wants_json(request):
        return web.json_response({"logged_out": True}, headers={"Cache-Control": "no-store"})
    return web.Response(status=302, headers={"Location": target, "Cache-Control": "no-store"})
