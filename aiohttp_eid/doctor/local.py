"""The doctor's checks that need no server: the redirect URI's route, the session key, a login's cookie size."""

from __future__ import annotations

from aiohttp_session import Session
from yarl import URL

from ..config import EidConfig, ProviderConfig
from ..errors import SessionTooLargeError
from ..identity import Identity
from ..oidc.tokens import TokenSet
from ..session.cookie_storage import MAX_CHUNKS, ChunkedCookieStorage
from ..session.crypto import derive_sealer
from ..session.login_record import StoredLogin, write_login
from .report import GLOBAL, Report

__all__ = ["TYPICAL_TOKEN_CHARS", "check_cookie_size", "check_redirect_uri", "check_session_key", "typical_login"]

#: a random key holds about 28 distinct values in 32 bytes; fewer than this is not random
_MIN_DISTINCT_BYTES = 16
#: a token's usual size: EIDG's document shows RS256 JWTs of about 620 (access) and 460 (refresh) characters
TYPICAL_TOKEN_CHARS = 700
#: a person's data as a provider usually returns it: every common field, of common lengths
_TYPICAL_IDENTITY = {
    "provider": "p",
    "subject": "S" * 24,
    "assurance": "SUBSTANTIAL",
    "acr": "https://www.spid.gov.it/SpidL2",
    "id_token_subject": "S" * 36,
    "authenticated_at": 1.7e9,
    "given_name": "G" * 16,
    "family_name": "F" * 20,
    "birth_date": "1980-01-01",
    "gender": "F",
    "tax_id": "T" * 16,
    "tax_id_country": "IT",
    "phone": "+39" + "1" * 10,
    "email": "e" * 24 + "@example.org",
    "address": {"street_address": "A" * 32, "postal_code": "00100", "locality": "L" * 16, "country": "IT"},
    "place_of_birth": {"locality": "L" * 16, "region": "RM", "country": "IT"},
    "electronic_id": {"kind": "SPID", "country": "IT", "id": "I" * 32, "expires_on": "2030-01-01"},
    "id_document": {"kind": "cartaIdentita", "number": "N" * 10, "issuer": "I" * 20, "expires_on": "2030-01-01"},
    "identity_provider": "https://idp.example.org",
}


def check_redirect_uri(report: Report, config: EidConfig, provider: ProviderConfig) -> None:
    """The redirect URI's path is the callback route ``setup()`` mounts."""
    route = f"{config.prefix}/{provider.name}/callback"
    path = URL(provider.redirect_uri).path
    if path == route:
        report.add(provider.name, "redirect_uri", "ok", f"{path} is the mounted callback route")
    else:  # EidConfig itself refuses a path with '//' and one not ending in the route
        mount = path.removesuffix(route)
        report.add(
            provider.name,
            "redirect_uri",
            "warning",
            f"{path} is {route} under {mount}: it works only if a proxy strips {mount} or the app is mounted there",
            f"use {route} unless the app is served under {mount}",
        )


def check_session_key(report: Report, config: EidConfig) -> None:
    """Each session key is long and random-looking (never printed)."""
    keys = config.session_keys
    weak = [i for i, key in enumerate(keys) if len(set(key)) < _MIN_DISTINCT_BYTES]
    if weak:
        report.add(
            GLOBAL,
            "session_key",
            "error",
            f"session_key[{', '.join(map(str, weak))}] is not random: too few distinct bytes",
            'generate one: python -c "import secrets; print(secrets.token_urlsafe(32))"',
        )
    elif len(set(keys)) != len(keys):
        report.add(GLOBAL, "session_key", "warning", "the same key is listed twice", "remove the repeated key")
    else:
        sizes = ", ".join(str(len(key)) for key in keys)
        report.add(GLOBAL, "session_key", "ok", f"{len(keys)} key(s) of {sizes} random-looking bytes")


def typical_login(provider: ProviderConfig, *, refresh: bool, id_token: bool, tokens: bool) -> StoredLogin:
    """A login as a provider usually returns it, with the tokens the session keeps for it."""
    identity = Identity.from_dict({**_TYPICAL_IDENTITY, "provider": provider.name})
    kept = None
    if tokens:
        kept = TokenSet(
            access_token="a" * TYPICAL_TOKEN_CHARS,
            obtained_at=1.7e9,
            expires_at=1.7e9 + 300,
            refresh_token="r" * TYPICAL_TOKEN_CHARS if refresh else None,
            refresh_expires_at=1.7e9 + 3600 if refresh else None,
            id_token="i" * TYPICAL_TOKEN_CHARS if id_token else None,
        )
    return StoredLogin(provider=provider.name, identity=identity, tokens=kept, logged_in_at=1.7e9, seen_at=1.7e9)


def check_cookie_size(report: Report, config: EidConfig, login: StoredLogin) -> None:
    """How many cookies a typical login of this provider needs (at most two fit)."""
    name = login.provider
    if config.storage != "cookie":
        message = "sessions are kept server-side; the cookie holds a 43-character session id"
        if not isinstance(config.storage, str):
            message = "sessions are kept by the application's own aiohttp-session storage: not estimated"
        report.add(name, "cookie_size", "ok", message)
        return
    storage = ChunkedCookieStorage(
        derive_sealer(config.session_keys, "cookie"), cookie_name=config.cookie_name, secure=True, max_age=None
    )
    session = Session(None, data=None, new=True)
    write_login(session, login)
    try:
        values = storage.seal(session)
    except SessionTooLargeError:
        report.add(
            name,
            "cookie_size",
            "error",
            f"a typical login needs more than {MAX_CHUNKS} cookies: browsers would refuse it",
            "use Redis storage: EidConfig(storage='redis://...')",
        )
        return
    size = sum(len(v) for v in values)
    if len(values) > 1:
        report.add(
            name,
            "cookie_size",
            "warning",
            f"a typical login takes about {size} bytes in {len(values)} cookies: little room is left "
            "for the application's own session data",
            "keep the app's own session data small, or use Redis storage",
        )
    else:
        report.add(name, "cookie_size", "ok", f"a typical login takes about {size} bytes in one cookie")
