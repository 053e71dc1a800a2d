"""Pages and JSON answers: errors, the logout page, the provider chooser.

Pages are small, self-contained HTML (no script), every value escaped, served
with ``Cache-Control: no-store`` and a strict Content-Security-Policy.
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence

from aiohttp import web

from ..errors import Action, EidError
from ..messages import negotiate, text, ui

__all__ = ["error_response", "json_error", "locale_of", "page", "wants_json"]

_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}

_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#222}"
    "h1{font-size:1.4rem}a.button,button{display:inline-block;padding:.6rem 1.2rem;border-radius:.3rem;"
    "border:0;background:#0b5cad;color:#fff;text-decoration:none;font-size:1rem;cursor:pointer}"
    "ul{list-style:none;padding:0}li{margin:.6rem 0}.code{color:#777;font-size:.8rem}"
)


def wants_json(request: web.Request) -> bool:
    """API clients: no ``text/html`` in Accept, or ``X-Requested-With`` set."""
    if request.headers.get("X-Requested-With"):
        return True
    return "text/html" not in request.headers.get("Accept", "")


def locale_of(request: web.Request, default: str, *hints: str | None) -> str:
    """The page language: explicit hints (ui_locales), then Accept-Language."""
    return negotiate(hints, request.headers.get("Accept-Language", ""), default)


def page(title: str, body_html: str, *, status: int = 200, locale: str = "en") -> web.Response:
    """A complete HTML page; ``body_html`` must already be escaped."""
    document = (
        f'<!doctype html><html lang="{html.escape(locale)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body><main><h1>{html.escape(title)}</h1>{body_html}</main></body></html>"
    )
    return web.Response(text=document, status=status, content_type="text/html", headers=_HEADERS)


def json_error(status: int, code: str, message: str, **extra: str) -> web.Response:
    """The JSON error answer of API clients."""
    body = {"error": code, "message": message, **extra}
    return web.Response(
        text=json.dumps(body),
        status=status,
        content_type="application/json",
        headers={"Cache-Control": "no-store"},
    )


def error_response(
    request: web.Request,
    error: EidError,
    *,
    default_locale: str,
    retry_url: str | None = None,
    home_url: str = "/",
    locale_hints: Sequence[str | None] = (),
) -> web.Response:
    """The page (or JSON) for ``error``: the user's message, never its technical detail."""
    locale = locale_of(request, default_locale, *locale_hints)
    title, message = text(error.message, locale)
    if wants_json(request):
        extra = {"provider_code": getattr(error, "provider_code", None) or ""}
        return json_error(error.status, error.code, message, **{k: v for k, v in extra.items() if v})
    links = []
    link = {Action.TRY_AGAIN: ("try-again", "try_again"), Action.LOGIN_AGAIN: ("login-again", "start_again")}
    if retry_url and error.action in link:
        element_id, label = link[error.action]
        href = html.escape(retry_url)
        links.append(f'<a class="button" id="{element_id}" href="{href}">{html.escape(ui(label, locale))}</a>')
    home = html.escape(home_url)
    links.append(f'<p><a id="home" href="{home}">{html.escape(ui("home", locale))}</a></p>')
    body = f'<p>{html.escape(message)}</p>{"".join(links)}<p class="code">{html.escape(error.code)}</p>'
    return page(title, body, status=error.status, locale=locale)
