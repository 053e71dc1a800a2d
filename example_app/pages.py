"""The example's HTML pages. Every value from the provider is escaped.

Element ids are stable for tests: ``#login``, ``#welcome-name``,
``#account-link``, ``#high-link``, ``#identity-*``, ``#assurance``, ``#logout-button``,
``#high-ok``.
"""

from __future__ import annotations

from html import escape

from aiohttp_eid import Address, Identity

__all__ = ["BANNER", "BANNER_HTML", "account_page", "high_page", "home_page"]

BANNER = "DEMO MODE — emulated provider, no real identities"
# styled inline: it is added to aiohttp-eid's own pages too (see app.demo_banner)
BANNER_HTML = (
    '<div id="demo-banner" role="alert" style="background:#b00020;color:#fff;padding:.8rem;'
    f'text-align:center;font-weight:bold;font-family:system-ui,sans-serif">{escape(BANNER)}</div>'
)
LOGIN_URL = "/auth/eidg/login?next=/account"

_STYLE = (
    "body{font-family:system-ui,sans-serif;margin:0;color:#222}main{max-width:40rem;margin:2rem auto;padding:0 1rem}"
    "dt{font-weight:bold;margin-top:.5rem}.button,button{display:inline-block;padding:.5rem 1rem;"
    "background:#0b5cad;color:#fff;border:0;border-radius:.3rem;text-decoration:none;font-size:1rem}"
)


def _document(title: str, body: str) -> str:
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
        f"<style>{_STYLE}</style></head><body><main><h1>{escape(title)}</h1>{body}</main></body></html>"
    )


def home_page(identity: Identity | None) -> str:
    if identity is None:
        body = f'<p>You are not logged in.</p><a class="button" id="login" href="{escape(LOGIN_URL)}">Log in</a>'
    else:
        body = (
            f'<p>Logged in as <strong id="welcome-name">{escape(identity.name or identity.subject)}</strong>.</p>'
            '<p><a id="account-link" href="/account">Your account</a> · '
            '<a id="high-link" href="/high">A page that needs a HIGH assurance level</a></p>'
        )
    return _document("aiohttp-eid example", body)


def account_page(identity: Identity) -> str:
    rows = {
        "name": ("Name", identity.name),
        "subject": ("Subject", identity.subject),
        "tax-id": ("Tax ID", " ".join(filter(None, (identity.tax_id_country, identity.tax_id)))),
        "provider": ("Provider", identity.provider),
        "electronic-id": ("Electronic ID", identity.electronic_id.kind if identity.electronic_id else None),
        "birth-date": ("Birth date", identity.birth_date.isoformat() if identity.birth_date else None),
        "address": ("Address", _address(identity.address)),
    }
    items = "".join(
        f'<dt>{escape(label)}</dt><dd id="identity-{key}">{escape(value or "—")}</dd>'
        for key, (label, value) in rows.items()
    )
    body = (
        f'<dl>{items}<dt>Assurance level</dt><dd id="assurance">{escape(identity.assurance.name)}</dd></dl>'
        '<form method="post" action="/auth/logout"><button id="logout-button" type="submit">Log out</button></form>'
        '<p><a id="home-link" href="/">Home</a></p>'
    )
    return _document("Your account", body)


def _address(address: Address | None) -> str | None:
    if address is None:
        return None
    parts = (address.street_address, address.postal_code, address.locality, address.region, address.country)
    return ", ".join(part for part in parts if part) or None


def high_page(identity: Identity) -> str:
    body = (
        f'<p id="high-ok">You logged in at the {escape(identity.assurance.name)} assurance level.</p>'
        '<p><a id="home-link" href="/">Home</a></p>'
    )
    return _document("High assurance", body)
