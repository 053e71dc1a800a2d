"""The route table: login and callback per provider, one logout, the chooser."""

from __future__ import annotations

import html
from collections.abc import Sequence

from aiohttp import web

from ..messages import ui
from ..rp_keys import RelyingPartyKeys
from ..runtime import runtime_of
from .callback import callback
from .jwks import jwks_handler
from .login import login as login_handler
from .login import parse_assurance, safe_return_path
from .logout import logout, logout_page
from .responses import locale_of, page

__all__ = ["add_routes"]


async def chooser(request: web.Request) -> web.StreamResponse:
    """``GET {prefix}/``: one login button per provider, keeping ``next``."""
    runtime = runtime_of(request)
    locale = locale_of(request, runtime.config.default_locale)
    back = safe_return_path(request.query.get("next"))
    assurance = parse_assurance(request.query.get("assurance"))
    items = []
    for name, provider in runtime.providers.items():
        if assurance is not None and not provider.can_reach(assurance):
            continue
        label = provider.config.label or name
        url = runtime.login_url(name, back, assurance)
        items.append(
            f'<li><a class="button" id="login-{html.escape(name)}" href="{html.escape(url)}">'
            f"{html.escape(ui('login_with', locale).format(label))}</a></li>",
        )
    return page(ui("chooser_title", locale), f"<ul>{''.join(items)}</ul>", locale=locale)


def add_routes(app: web.Application, prefix: str, key_sets: Sequence[RelyingPartyKeys]) -> None:
    """Mount aiohttp-eid's routes under ``prefix`` (the JWKS when a provider has keys)."""
    app.router.add_get(f"{prefix}/", chooser, name="aiohttp_eid.chooser")
    if key_sets:
        app.router.add_get(f"{prefix}/jwks.json", jwks_handler(key_sets), name="aiohttp_eid.jwks")
    app.router.add_get(f"{prefix}/logout", logout_page, name="aiohttp_eid.logout_page")
    app.router.add_post(f"{prefix}/logout", logout, name="aiohttp_eid.logout")
    app.router.add_get(f"{prefix}/{{provider}}/login", login_handler, name="aiohttp_eid.login")
    app.router.add_get(f"{prefix}/{{provider}}/callback", callback, name="aiohttp_eid.callback")
