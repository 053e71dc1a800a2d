"""The back channel of the OpenID provider emulator: ``token``, ``userinfo``, ``revoke``, ``jwks`` and
``.well-known/openid-configuration``."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from typing import TYPE_CHECKING, Any

from aiohttp import web
from multidict import MultiMapping

from aiohttp_eid.testing.oidc_provider import keys as jose
from aiohttp_eid.testing.oidc_provider.base import OAuthFailure, json_error
from aiohttp_eid.testing.oidc_provider.client_auth import authenticate_client
from aiohttp_eid.testing.oidc_provider.tokens import Grant, TokenKind, TokenRecord
from aiohttp_eid.testing.served import FORM, NO_STORE, json_ok, read_form

if TYPE_CHECKING:
    from aiohttp_eid.testing.oidc_provider.state import OidcProviderState

__all__ = ["discovery", "jwks", "metadata", "revoke", "token", "userinfo"]

_GRANT_COUNTERS = {
    "authorization_code": "token.authorization_code",
    "refresh_token": "token.refresh_token",
}
_VERIFIER = re.compile(r"[A-Za-z0-9._~-]{43,128}")


def _invalid_grant(description: str) -> OAuthFailure:
    return OAuthFailure("invalid_grant", description)


def _one(form: MultiMapping[str], name: str) -> str | None:
    values = form.getall(name, [])
    if len(values) > 1:
        raise OAuthFailure("invalid_request", f"repeated parameter: {name}")
    return values[0] if values and values[0] else None


async def token(emulator: OidcProviderState, request: web.Request) -> web.Response:
    form = await read_form(request)
    grant_type = form.get("grant_type", "")
    if (early := await emulator.enter(request, "token", _GRANT_COUNTERS.get(grant_type, "token.other"))) is not None:
        return early
    try:
        if request.content_type != FORM:
            raise OAuthFailure("invalid_request", f"the body must be {FORM}")
        await authenticate_client(emulator, request, form)
        if not _one(form, "grant_type"):
            raise OAuthFailure("invalid_request", "grant_type is missing")
        if grant_type == "authorization_code":
            return await _exchange_code(emulator, form)
        if grant_type == "refresh_token" and emulator.issue_refresh_tokens:
            return await _refresh(emulator, form)
        raise OAuthFailure("unsupported_grant_type", f"grant_type {grant_type} is not supported")
    except OAuthFailure as failure:
        emulator.counters["token.error"] += 1
        return json_error(failure, scheme="Basic" if emulator.client_auth == "client_secret_basic" else None)


def _verify_pkce(challenge: str | None, verifier: str | None) -> None:
    if challenge is None:
        if verifier is not None:
            raise _invalid_grant("code_verifier for a code issued without code_challenge")
        return
    if verifier is None or not _VERIFIER.fullmatch(verifier):
        raise _invalid_grant("code_verifier is missing or malformed")
    expected = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode("ascii")).digest()).rstrip(b"=")
    if not hmac.compare_digest(expected, challenge.encode("ascii")):
        raise _invalid_grant("code_verifier does not match the code_challenge")


async def _exchange_code(emulator: OidcProviderState, form: MultiMapping[str]) -> web.Response:
    code = _one(form, "code")
    redirect_uri = _one(form, "redirect_uri")
    verifier = _one(form, "code_verifier")
    if code is None:
        raise OAuthFailure("invalid_request", "code is missing")
    found, replayed = emulator.store.take_code(code, emulator.code_lifetime)  # one shot, whatever follows
    if replayed:
        emulator.counters["token.code_replay"] += 1
        raise _invalid_grant("the code was already used; the tokens issued for it are revoked")
    if found is None:
        raise _invalid_grant("the code is unknown or has expired")
    if redirect_uri != found.redirect_uri:
        raise _invalid_grant("redirect_uri differs from the authorization request's")
    _verify_pkce(found.code_challenge, verifier)
    return await _tokens(emulator, found.grant, None, with_nonce=True)


async def _refresh(emulator: OidcProviderState, form: MultiMapping[str]) -> web.Response:
    record = emulator.store.find(_one(form, "refresh_token"), "refresh")
    if record is not None and record.state == "rotated":
        emulator.counters["token.refresh_replay"] += 1
    if record is None or not emulator.store.live(record):
        raise _invalid_grant("the refresh token is unknown, expired, rotated or revoked")
    if emulator.rotate_refresh_tokens:
        record.state = "rotated"
        record = emulator.store.new_token(record.grant, "refresh", None)
    return await _tokens(emulator, record.grant, record, with_nonce=False)


async def _tokens(
    emulator: OidcProviderState, grant: Grant, refresh: TokenRecord | None, *, with_nonce: bool
) -> web.Response:
    access = emulator.store.new_token(grant, "access", emulator.token_lifetime)
    try:
        id_token = await emulator.id_token(grant, access_token=access.value, with_nonce=with_nonce)
    except jose.KeyProblem as problem:
        raise OAuthFailure("invalid_client", f"cannot encrypt to the client: {problem}") from problem
    body: dict[str, object] = {
        "access_token": access.value,
        "token_type": "Bearer",
        "expires_in": emulator.token_lifetime,
        "id_token": id_token,
        "scope": " ".join(grant.scopes),
    }
    if emulator.issue_refresh_tokens:
        if refresh is None:
            refresh = emulator.store.new_token(grant, "refresh", None)
        body["refresh_token"] = refresh.value
    return json_ok(body)


async def userinfo(emulator: OidcProviderState, request: web.Request) -> web.Response:
    form = await read_form(request)
    if (early := await emulator.enter(request, "userinfo")) is not None:
        return early
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    in_header = value.strip() if scheme.lower() == "bearer" else None
    in_form = form.get("access_token")
    try:
        if in_header is not None and in_form is not None:
            raise OAuthFailure("invalid_request", "the access token was sent twice", 400)
        record = emulator.store.find(in_header or in_form, "access")
        if record is None or not emulator.store.live(record):
            raise OAuthFailure("invalid_token", "the access token is unknown, expired or revoked", 401)
        window = emulator.userinfo_window
        if window is not None and emulator.clock() > record.grant.auth_time + window:
            raise OAuthFailure("invalid_token", f"userinfo is only available {window} s after authentication", 401)
        claims = emulator.userinfo_claims(record.grant)
        if emulator.userinfo_format == "json":
            return json_ok(claims)
        signed = emulator.sign({**claims, "iss": emulator.issuer, "aud": record.grant.client_id})
        try:
            body = await emulator.encrypt_to_rp(signed) if emulator.encrypt_userinfo else signed
        except jose.KeyProblem as problem:
            raise OAuthFailure("invalid_client", f"cannot encrypt to the client: {problem}", 500) from problem
    except OAuthFailure as failure:
        emulator.counters["userinfo.error"] += 1
        return json_error(failure, scheme="Bearer")
    return web.Response(body=body.encode("ascii"), content_type="application/jwt", headers=NO_STORE)


async def revoke(emulator: OidcProviderState, request: web.Request) -> web.Response:
    """RFC 7009: the client revokes one of its tokens; 200 even for a token unknown or already dead."""
    form = await read_form(request)
    if (early := await emulator.enter(request, "revoke")) is not None:
        return early
    try:
        await authenticate_client(emulator, request, form)
        value = _one(form, "token")
        if value is None:
            raise OAuthFailure("invalid_request", "token is missing")
    except OAuthFailure as failure:
        return json_error(failure, scheme="Basic" if emulator.client_auth == "client_secret_basic" else None)
    kinds: tuple[TokenKind, ...] = ("access", "refresh")
    if form.get("token_type_hint") != "access_token":
        kinds = ("refresh", "access")
    record = next((r for r in (emulator.store.find(value, k) for k in kinds) if r is not None), None)
    if record is not None and record.grant.client_id == emulator.client_id:
        emulator.counters[f"revoke.{record.kind}"] += 1
        if record.kind == "refresh":
            emulator.store.revoke_grant(record.grant)  # RFC 7009 2.1: the grant's access tokens go too
        else:
            record.state = "revoked"
    return web.Response(status=200, headers=NO_STORE)


async def jwks(emulator: OidcProviderState, request: web.Request) -> web.Response:
    if (early := await emulator.enter(request, "jwks")) is not None:
        return early
    return web.json_response(emulator.jwks, headers={"Cache-Control": "max-age=300"})


async def discovery(emulator: OidcProviderState, request: web.Request) -> web.Response:
    if (early := await emulator.enter(request, "discovery")) is not None:
        return early
    return web.json_response(metadata(emulator), headers={"Cache-Control": "max-age=300"})


def metadata(emulator: OidcProviderState) -> dict[str, Any]:
    """OpenID Connect Discovery 1.0 provider metadata reflecting the emulator's options."""
    issuer = emulator.issuer
    signing, algs, encs = [jose.SIGNING_ALG], ["RSA-OAEP"], ["A128CBC-HS256"]
    grant_types = ["authorization_code", "refresh_token"] if emulator.issue_refresh_tokens else ["authorization_code"]
    meta: dict[str, Any] = {
        "issuer": issuer,
        "authorization_endpoint": f"{issuer}/authorize",
        "token_endpoint": emulator.token_endpoint,
        "userinfo_endpoint": f"{issuer}/userinfo",
        "jwks_uri": f"{issuer}{emulator.jwks_path}",
    }
    if emulator.end_session:
        meta["end_session_endpoint"] = f"{issuer}/end_session"
    meta["revocation_endpoint"] = f"{issuer}/revoke"
    meta.update(
        {
            "scopes_supported": list(emulator.scopes_supported),
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "grant_types_supported": grant_types,
            "subject_types_supported": ["pairwise" if emulator.pairwise_sub else "public"],
            "id_token_signing_alg_values_supported": signing,
        }
    )
    if emulator.encrypt_id_token:
        meta["id_token_encryption_alg_values_supported"] = algs
        meta["id_token_encryption_enc_values_supported"] = encs
    if emulator.userinfo_format == "jwt":
        meta["userinfo_signing_alg_values_supported"] = signing
        if emulator.encrypt_userinfo:
            meta["userinfo_encryption_alg_values_supported"] = algs
            meta["userinfo_encryption_enc_values_supported"] = encs
    meta.update(
        {
            "request_object_signing_alg_values_supported": signing,
            "request_object_encryption_alg_values_supported": algs,
            "request_object_encryption_enc_values_supported": encs,
            "token_endpoint_auth_methods_supported": [emulator.client_auth],
            "token_endpoint_auth_signing_alg_values_supported": signing,
            "claims_parameter_supported": True,
            "request_parameter_supported": True,
            "request_uri_parameter_supported": False,
            "require_request_uri_registration": False,
            "acr_values_supported": list(emulator.acr_values),
            "claims_supported": list(emulator.claims_supported),
            "ui_locales_supported": list(emulator.ui_locales_supported),
            "display_values_supported": list(emulator.display_values_supported),
            "code_challenge_methods_supported": ["S256"],
        }
    )
    return meta
