"""The emulated EIDG front end: a method and test-user chooser, and an error page.

Stable element ids for browser tests: ``#method-<NAME>`` and ``#user-<key>`` radio
inputs, ``#login``, ``#cancel`` and ``#deny`` submit buttons; the error page has
``#error-code``.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from aiohttp_eid.testing.eidg.errors import describe
from aiohttp_eid.testing.eidg.users import EidgUser, electronic_id_name

__all__ = ["chooser_page", "error_page"]

_TEXT = {
    "en": {
        "banner": "EMULATOR - not the real InfoCert EID Gateway. Test users only.",
        "title": "Log in with your digital identity",
        "method": "Identification method",
        "user": "Test user",
        "login": "Log in",
        "cancel": "Cancel",
        "deny": "Deny consent",
        "error": "Error",
    },
    "it": {
        "banner": "EMULATORE - non è il vero InfoCert EID Gateway. Solo utenti di prova.",
        "title": "Accedi con la tua identità digitale",
        "method": "Metodo di identificazione",
        "user": "Utente di prova",
        "login": "Accedi",
        "cancel": "Annulla",
        "deny": "Nega il consenso",
        "error": "Errore",
    },
}

_STYLE = (
    "body{font-family:sans-serif;margin:0;background:#f4f6f8}"
    "header{background:#b00020;color:#fff;padding:1em;font-weight:bold}"
    "main{max-width:40em;margin:2em auto;background:#fff;padding:1.5em}"
    "fieldset{margin-bottom:1em}button{margin-right:.5em;padding:.5em 1em}"
)


def _document(locale: str, title: str, content: str) -> str:
    text = _TEXT[locale]
    return (
        f'<!DOCTYPE html><html lang="{locale}"><head><meta charset="utf-8">'
        f"<title>{escape(title)} - EMULATOR</title><style>{_STYLE}</style></head><body>"
        f'<header id="emulator-banner">{escape(text["banner"])}</header>'
        f"<main>{content}</main></body></html>"
    )


def chooser_page(
    *,
    locale: str,
    pending_id: str,
    action: str,
    client_id: str,
    methods: Sequence[str],
    users: Sequence[EidgUser],
) -> str:
    """The chooser: POSTs ``request``, ``method``, ``user`` and ``action`` to ``action``."""
    text = _TEXT[locale]
    method_inputs = "".join(
        f'<label><input type="radio" name="method" id="method-{escape(name)}" '
        f'value="{escape(name)}"{" checked" if i == 0 else ""}> '
        f"{escape(electronic_id_name(name))} ({escape(name)})</label><br>"
        for i, name in enumerate(methods)
    )
    user_inputs = "".join(
        f'<label><input type="radio" name="user" id="user-{escape(user.key)}" '
        f'value="{escape(user.key)}"{" checked" if i == 0 else ""}> '
        f"{escape(user.display_name)} [{escape(user.key)}]</label><br>"
        for i, user in enumerate(users)
    )
    content = (
        f"<h1>{escape(text['title'])}</h1><p>client_id: <code>{escape(client_id)}</code></p>"
        f'<form method="post" action="{escape(action)}" id="chooser">'
        f'<input type="hidden" name="request" value="{escape(pending_id)}">'
        f"<fieldset><legend>{escape(text['method'])}</legend>{method_inputs}</fieldset>"
        f"<fieldset><legend>{escape(text['user'])}</legend>{user_inputs}</fieldset>"
        f'<button type="submit" name="action" value="login" id="login">'
        f"{escape(text['login'])}</button>"
        f'<button type="submit" name="action" value="cancel" id="cancel">'
        f"{escape(text['cancel'])}</button>"
        f'<button type="submit" name="action" value="deny" id="deny">'
        f"{escape(text['deny'])}</button></form>"
    )
    return _document(locale, text["title"], content)


def error_page(code: str, locale: str) -> str:
    """The page EIDG shows when it cannot redirect back (unknown client or redirect URI)."""
    text = _TEXT[locale]
    content = (
        f"<h1>{escape(text['error'])}</h1>"
        f'<p><code id="error-code">{escape(code)}</code></p>'
        f'<p id="error-description">{escape(describe(code, locale))}</p>'
    )
    return _document(locale, text["error"], content)
