"""The pages of the OpenID provider emulator: a test-user chooser, an error page, a logout page.

Stable element ids for browser tests: ``#user-<key>`` radio inputs, ``#login``
and ``#cancel`` submit buttons, ``#emulator-banner``; the error page has
``#error`` and ``#error-description``; the logout page ``#logged-out``.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from aiohttp_eid.testing.oidc_provider.claims import EmulatedUser

__all__ = ["chooser_page", "error_page", "logged_out_page"]

_TEXT = {
    "en": {
        "banner": "EMULATOR - not the real {provider}. Fake test users only.",
        "title": "Log in with {provider}",
        "user": "Test user",
        "login": "Log in",
        "cancel": "Cancel",
        "error": "Error",
        "logged_out": "You are logged out.",
    },
    "fr": {
        "banner": "ÉMULATEUR - pas le vrai {provider}. Utilisateurs de test fictifs uniquement.",
        "title": "Se connecter avec {provider}",
        "user": "Utilisateur de test",
        "login": "Se connecter",
        "cancel": "Annuler",
        "error": "Erreur",
        "logged_out": "Vous êtes déconnecté.",
    },
    "nl": {
        "banner": "EMULATOR - niet de echte {provider}. Alleen fictieve testgebruikers.",
        "title": "Aanmelden met {provider}",
        "user": "Testgebruiker",
        "login": "Aanmelden",
        "cancel": "Annuleren",
        "error": "Fout",
        "logged_out": "U bent afgemeld.",
    },
    "de": {
        "banner": "EMULATOR - nicht der echte {provider}. Nur fiktive Testbenutzer.",
        "title": "Anmelden mit {provider}",
        "user": "Testbenutzer",
        "login": "Anmelden",
        "cancel": "Abbrechen",
        "error": "Fehler",
        "logged_out": "Sie sind abgemeldet.",
    },
}
_STYLE = (
    "body{font-family:sans-serif;margin:0;background:#f4f6f8}"
    "header{background:#b00020;color:#fff;padding:1em;font-weight:bold}"
    "main{max-width:40em;margin:2em auto;background:#fff;padding:1.5em}"
    "fieldset{margin-bottom:1em}button{margin-right:.5em;padding:.5em 1em}"
)


def _text(locale: str, name: str, provider: str) -> str:
    return _TEXT.get(locale, _TEXT["en"])[name].format(provider=provider)


def _document(locale: str, provider: str, title: str, content: str) -> str:
    lang = locale if locale in _TEXT else "en"
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
        f"<title>{escape(title)} - EMULATOR</title><style>{_STYLE}</style></head><body>"
        f'<header id="emulator-banner">{escape(_text(lang, "banner", provider))}</header>'
        f"<main>{content}</main></body></html>"
    )


def chooser_page(
    *,
    provider: str,
    locale: str,
    pending_id: str,
    action: str,
    client_id: str,
    scopes: Sequence[str],
    users: Sequence[EmulatedUser],
) -> str:
    """The chooser: POSTs ``request``, ``user`` and ``action`` (login or cancel) to ``action``."""
    user_inputs = "".join(
        f'<label><input type="radio" name="user" id="user-{escape(user.key)}" '
        f'value="{escape(user.key)}"{" checked" if i == 0 else ""}> '
        f"{escape(user.display_name)} [{escape(user.key)}]</label><br>"
        for i, user in enumerate(users)
    )
    title = _text(locale, "title", provider)
    content = (
        f"<h1>{escape(title)}</h1><p>client_id: <code>{escape(client_id)}</code><br>"
        f'scope: <code id="scope">{escape(" ".join(scopes))}</code></p>'
        f'<form method="post" action="{escape(action)}" id="chooser">'
        f'<input type="hidden" name="request" value="{escape(pending_id)}">'
        f"<fieldset><legend>{escape(_text(locale, 'user', provider))}</legend>{user_inputs}</fieldset>"
        f'<button type="submit" name="action" value="login" id="login">'
        f"{escape(_text(locale, 'login', provider))}</button>"
        f'<button type="submit" name="action" value="cancel" id="cancel">'
        f"{escape(_text(locale, 'cancel', provider))}</button></form>"
    )
    return _document(locale, provider, title, content)


def error_page(*, provider: str, locale: str, error: str, description: str) -> str:
    """The page shown when the provider cannot redirect back (unknown client or redirect URI)."""
    title = _text(locale, "error", provider)
    content = (
        f"<h1>{escape(title)}</h1>"
        f'<p><code id="error">{escape(error)}</code></p>'
        f'<p id="error-description">{escape(description)}</p>'
    )
    return _document(locale, provider, title, content)


def logged_out_page(*, provider: str, locale: str) -> str:
    text = _text(locale, "logged_out", provider)
    return _document(locale, provider, text, f'<p id="logged-out">{escape(text)}</p>')
