"""The example's HTML pages. Every value from the provider is escaped.

Element ids are stable for tests: ``#login`` (to the provider chooser ``/auth/`` when
there are several providers, whose buttons are aiohttp-eid's ``#login-eidg`` and
``#login-itsme``), ``#welcome-name``, ``#account-link``, ``#high-link``,
``#identity-*``, ``#assurance``, ``#logout-button``, ``#high-ok``. The account page
always has ``#identity-name``, ``-subject``, ``-tax-id``, ``-provider``,
``-electronic-id``, ``-birth-date`` and ``-address``; the others (``-nationality``,
``-national-number``, ``-id-document``, ``-passport-number``, ``-place-of-birth``,
``-email``, ``-phone``, ``-device``) only when the provider gave them (itsme does).
"""

from __future__ import annotations

from html import escape

from aiohttp_eid import Address, Device, Identity, IdentityDocument, PlaceOfBirth

__all__ = ["BANNER", "BANNER_HTML", "account_page", "high_page", "home_page"]

BANNER = "DEMO MODE — emulated providers, no real identities"
# styled inline: it is added to aiohttp-eid's own pages too (see app.demo_banner)
BANNER_HTML = (
    '<div id="demo-banner" role="alert" style="background:#b00020;color:#fff;padding:.8rem;'
    f'text-align:center;font-weight:bold;font-family:system-ui,sans-serif">{escape(BANNER)}</div>'
)
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


def home_page(identity: Identity | None, login_url: str) -> str:
    """``login_url``: one provider's login, or the chooser (see ``Settings.login_url``)."""
    if identity is None:
        body = f'<p>You are not logged in.</p><a class="button" id="login" href="{escape(login_url)}">Log in</a>'
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
    optional = {  # shown when present: itsme gives them
        "nationality": ("Nationality", identity.nationality),
        "national-number": ("National number", identity.national_number),
        "id-document": ("Identity document", _document_text(identity.id_document)),
        "passport-number": ("Passport number", identity.passport_number),
        "place-of-birth": ("Place of birth", _place(identity.place_of_birth)),
        "email": ("E-mail", identity.email),
        "phone": ("Phone", identity.phone),
        "device": ("Device", _device(identity.device)),
    }
    rows.update((key, row) for key, row in optional.items() if row[1])
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
    street = ", ".join((address.street_address or "").splitlines())  # itsme: lines separated by "\n"
    parts = (street, address.postal_code, address.locality, address.region, address.country)
    return ", ".join(part for part in parts if part) or None


def _place(place: PlaceOfBirth | None) -> str | None:
    if place is None:
        return None
    return ", ".join(part for part in (place.locality, place.region, place.country) if part) or None


def _document_text(document: IdentityDocument | None) -> str | None:
    """``eID card 590000000001, valid until 2031-03-15``: itsme's eID card, EIDG's physical ID."""
    if document is None:
        return None
    kind = "eID card" if document.kind == "eid" else document.kind
    text = " ".join(part for part in (kind, document.number) if part)
    if document.expires_on is not None:
        text += f", valid until {document.expires_on.isoformat()}"
    return text or None


def _device(device: Device | None) -> str | None:
    """``samsung S8 (ANDROID Android 14)``: the device an itsme login was confirmed on."""
    if device is None:
        return None
    system = " ".join(part for part in (device.os, device.os_release) if part)
    text = " ".join(part for part in (device.manufacturer, device.model) if part)
    if system:
        text = f"{text} ({system})" if text else system
    return text or None


def high_page(identity: Identity) -> str:
    body = (
        f'<p id="high-ok">You logged in at the {escape(identity.assurance.name)} assurance level.</p>'
        '<p><a id="home-link" href="/">Home</a></p>'
    )
    return _document("High assurance", body)
