"""The EIDG back-channel API: ``token``, ``user-info``, ``logout``, ``revoke``,
and the two extras ``jwks`` and ``.well-known/openid-configuration``."""

from __future__ import annotations

import base64
import binascii
import hmac
from typing import TYPE_CHECKING
from urllib.parse import unquote_plus

from aiohttp import web
from multidict import MultiDictProxy

from aiohttp_eid.testing.eidg.authorize import verify_pkce
from aiohttp_eid.testing.eidg.errors import METHOD_PREFIX, EidgFailure, json_error
from aiohttp_eid.testing.eidg.tokens import Grant, TokenKind
from aiohttp_eid.testing.eidg.users import user_info as user_info_json
from aiohttp_eid.testing.served import FORM, json_ok, read_form

if TYPE_CHECKING:
    from aiohttp_eid.testing.eidg.state import EidgState

__all__ = ["discovery", "jwks", "logout", "revoke", "token", "user_info"]

_GRANT_COUNTERS = {
    "authorization_code": "token.authorization_code",
    "code": "token.authorization_code",  # what the document's curl example sends
    "refresh_token": "token.refresh_token",
}
_NAMES = {
    "camel": ("idToken", "accessToken", "refreshToken", "expiresIn", "tokenType"),
    "snake": ("id_token", "access_token", "refresh_token", "expires_in", "token_type"),
}


def _same(given: str, expected: str) -> bool:
    """Constant-time equality, also accepting the RFC 6749 form-urlencoded form."""
    return hmac.compare_digest(given.encode(), expected.encode()) or hmac.compare_digest(
        unquote_plus(given).encode(), expected.encode()
    )


def _check_client(emulator: EidgState, request: web.Request) -> None:
    """HTTP Basic client authentication: EIDG_5 (missing, malformed, client) or EIDG_6."""
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "basic":
        raise EidgFailure("EIDG_5", 401)
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise EidgFailure("EIDG_5", 401) from exc
    client_id, sep, secret = decoded.partition(":")
    if not sep or not _same(client_id, emulator.client_id):
        raise EidgFailure("EIDG_5", 401)
    if not _same(secret, emulator.client_secret):
        raise EidgFailure("EIDG_6", 401)


def _one(form: MultiDictProxy[str], name: str) -> str | None:
    values = form.getall(name, [])
    if len(values) > 1:
        raise EidgFailure("EIDG_9")
    return values[0] if values and values[0] else None


async def token(emulator: EidgState, request: web.Request) -> web.Response:
    form = await read_form(request)
    grant_type = form.get("grant_type", "")
    counter = _GRANT_COUNTERS.get(grant_type, "token.other")
    if (early := await emulator.enter(request, "token", counter)) is not None:
        return early
    try:
        _check_client(emulator, request)
        if request.content_type != FORM:
            raise EidgFailure("EIDG_9")
        if any(len(form.getall(name)) > 1 for name in form):
            raise EidgFailure("EIDG_9")
        if not grant_type:
            raise EidgFailure("EIDG_7")
        if counter == "token.authorization_code":
            return _exchange_code(emulator, form)
        if counter == "token.refresh_token":
            return _refresh(emulator, form)
        raise EidgFailure("EIDG_8")
    except EidgFailure as failure:
        emulator.counters["token.error"] += 1
        return json_error(failure, scheme="Basic")


def _exchange_code(emulator: EidgState, form: MultiDictProxy[str]) -> web.Response:
    code = _one(form, "code")
    if code is None:
        raise EidgFailure("EIDG_9")
    if code in emulator.store.used_codes:
        emulator.counters["token.code_replay"] += 1
    found = emulator.store.take_code(code)  # one shot, even when what follows fails
    if found is None:
        raise EidgFailure("EIDG_12")
    redirect_uri = _one(form, "redirect_uri")
    if redirect_uri is None:
        raise EidgFailure("EIDG_9")
    if redirect_uri != found.redirect_uri:
        raise EidgFailure("EIDG_3")
    verify_pkce(found.code_challenge, _one(form, "code_verifier"))
    grant = found.grant
    store = emulator.store
    refresh_token = store.refresh_token(grant)
    return _tokens(emulator, grant, refresh_token, with_nonce=True)


def _refresh(emulator: EidgState, form: MultiDictProxy[str]) -> web.Response:
    presented = _one(form, "refresh_token")  # redirect_uri is sent too: recorded only
    if presented is None:
        raise EidgFailure("EIDG_9")
    store = emulator.store
    record = store.find(presented, status=400)
    if record.kind != "refresh":
        raise EidgFailure("EIDG_14")
    if record.state in ("rotated", "revoked"):
        emulator.counters["token.refresh_replay"] += 1
    store.live(record, status=400)
    refresh_token = presented
    if emulator.rotate_refresh_tokens:
        record.state = "rotated"
        refresh_token = store.refresh_token(record.grant)
    return _tokens(emulator, record.grant, refresh_token, with_nonce=False)


def _tokens(emulator: EidgState, grant: Grant, refresh_token: str, *, with_nonce: bool) -> web.Response:
    id_name, access_name, refresh_name, expires_name, type_name = _NAMES[emulator.naming]
    body: dict[str, object] = {}
    if emulator.include_id_token:
        body[id_name] = emulator.store.id_token(grant, with_nonce=with_nonce)
    body[access_name] = emulator.store.access_token(grant)
    body[refresh_name] = refresh_token
    body[expires_name] = emulator.token_lifetime
    body[type_name] = "Bearer"
    return json_ok(body)


def _bearer_grant(emulator: EidgState, request: web.Request, kind: TokenKind | None) -> Grant:
    """The live grant of the request's Bearer token; revokes it alone when asked."""
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        raise EidgFailure("EIDG_14", 401)
    record = emulator.store.find(value.strip(), status=401)
    if kind is not None and record.kind != kind:
        raise EidgFailure("EIDG_14", 401)
    emulator.store.live(record, status=401)
    return record.grant


async def user_info(emulator: EidgState, request: web.Request) -> web.Response:
    if (early := await emulator.enter(request, "user-info")) is not None:
        return early
    try:
        grant = _bearer_grant(emulator, request, "access")
    except EidgFailure as failure:
        return json_error(failure, scheme="Bearer")
    return json_ok(user_info_json(grant.user, grant.method, grant.raw_request, grant.raw_response))


async def logout(emulator: EidgState, request: web.Request) -> web.Response:
    """Ends the login of the Bearer access token: its access and refresh tokens."""
    if (early := await emulator.enter(request, "logout")) is not None:
        return early
    try:
        grant = _bearer_grant(emulator, request, "access")
    except EidgFailure as failure:
        return json_error(failure, scheme="Bearer")
    emulator.store.revoke_grant(grant)
    return web.Response(status=204)


async def revoke(emulator: EidgState, request: web.Request) -> web.Response:
    """An access token: that one only; a refresh token: it and its access tokens."""
    if (early := await emulator.enter(request, "revoke")) is not None:
        return early
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    try:
        if scheme.lower() != "bearer":
            raise EidgFailure("EIDG_14", 401)
        record = emulator.store.live(emulator.store.find(value.strip(), status=401), status=401)
    except EidgFailure as failure:
        return json_error(failure, scheme="Bearer")
    if record.kind == "access":
        record.state = "revoked"
    else:
        emulator.store.revoke_grant(record.grant)
    return web.Response(status=200)


async def jwks(emulator: EidgState, request: web.Request) -> web.Response:
    if (early := await emulator.enter(request, "jwks")) is not None:
        return early
    return web.json_response(emulator.jwks, headers={"Cache-Control": "max-age=300"})


async def discovery(emulator: EidgState, request: web.Request) -> web.Response:
    if (early := await emulator.enter(request, "discovery")) is not None:
        return early
    base = emulator.base_url
    return web.json_response(
        {
            "issuer": emulator.issuer,
            "authorization_endpoint": f"{base}/authorize",
            "token_endpoint": f"{base}/token",
            "userinfo_endpoint": f"{base}/user-info",
            "jwks_uri": f"{base}/jwks",
            "revocation_endpoint": f"{base}/revoke",
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code", "refresh_token"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic"],
            "acr_values_supported": [METHOD_PREFIX + name for name in emulator.methods],
            "ui_locales_supported": ["it", "en"],
        }
    )
