"""Client authentication at the emulator's token endpoint (OpenID Connect Core 9).

``client_secret_basic`` and ``client_secret_post`` compare the secret;
``private_key_jwt`` verifies an RS256 assertion with the RP's published key and
accepts each ``jti`` once.
"""

from __future__ import annotations

import base64
import binascii
import hmac
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote_plus

from aiohttp import web
from multidict import MultiMapping

from aiohttp_eid.testing.oidc_provider import keys as jose
from aiohttp_eid.testing.oidc_provider.base import OAuthFailure

if TYPE_CHECKING:
    from aiohttp_eid.testing.oidc_provider.state import OidcProviderState

__all__ = ["ASSERTION_TYPE", "MAX_ASSERTION_LIFETIME", "authenticate_client"]

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
MAX_ASSERTION_LIFETIME = 600
LEEWAY = 5


def _invalid(description: str) -> OAuthFailure:
    return OAuthFailure("invalid_client", description, 401)


def _same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode(), expected.encode())


def _basic(request: web.Request) -> tuple[str, str] | None:
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise _invalid("malformed Basic credentials") from exc
    client_id, sep, secret = decoded.partition(":")
    if not sep:
        raise _invalid("malformed Basic credentials")
    return unquote_plus(client_id), unquote_plus(secret)  # RFC 6749 2.3.1 form-encodes both


async def authenticate_client(emulator: OidcProviderState, request: web.Request, form: MultiMapping[str]) -> None:
    """Raise ``invalid_client`` (401) unless the request authenticates the client as configured."""
    method = emulator.client_auth
    basic = _basic(request)
    has_assertion = "client_assertion" in form or "client_assertion_type" in form
    if sum((basic is not None, "client_secret" in form, has_assertion)) > 1:
        raise _invalid("more than one client authentication method was used")
    if method == "client_secret_basic":
        if basic is None:
            raise _invalid("client_secret_basic authentication is required")
        client_id, secret = basic
    elif method == "client_secret_post":
        if "client_secret" not in form:
            raise _invalid("client_secret_post authentication is required")
        client_id, secret = form.get("client_id", ""), form["client_secret"]
    else:
        await _private_key_jwt(emulator, form)
        return
    if not _same(client_id, emulator.client_id):
        raise _invalid("unknown client")
    if emulator.client_secret is None or not _same(secret, emulator.client_secret):
        raise _invalid("wrong client secret")


async def _private_key_jwt(emulator: OidcProviderState, form: MultiMapping[str]) -> None:
    if form.get("client_assertion_type") != ASSERTION_TYPE:
        raise _invalid(f"client_assertion_type must be {ASSERTION_TYPE}")
    assertion = form.get("client_assertion", "")
    if len(form.getall("client_assertion", ())) != 1 or not assertion:
        raise _invalid("exactly one client_assertion is required")
    try:
        header = jose.unverified_header(assertion)
        if header.get("alg") != jose.SIGNING_ALG or assertion.count(".") != 2:
            raise jose.KeyProblem(f"client_assertion must be a JWS signed {jose.SIGNING_ALG}")
        kid = header.get("kid")
        key = await emulator.rp_keys.find("sig", kid if isinstance(kid, str) else None)
        claims = jose.verify(assertion, key)
    except jose.KeyProblem as problem:
        raise _invalid(str(problem)) from problem
    _check_assertion(emulator, claims, form)


def _check_assertion(emulator: OidcProviderState, claims: dict[str, Any], form: MultiMapping[str]) -> None:
    client_id = emulator.client_id
    if claims.get("iss") != client_id or claims.get("sub") != client_id:
        raise _invalid("client_assertion iss and sub must be the client_id")
    if form.get("client_id", client_id) != client_id:
        raise _invalid("client_id differs from the assertion's")
    audiences = claims.get("aud")
    audiences = [audiences] if isinstance(audiences, str) else audiences
    accepted = {emulator.token_endpoint, emulator.issuer}
    if not isinstance(audiences, list) or not accepted & set(audiences):
        raise _invalid("client_assertion aud must be the token endpoint")
    now = emulator.clock()
    exp, iat = claims.get("exp"), claims.get("iat")
    if not isinstance(exp, int | float) or isinstance(exp, bool):
        raise _invalid("client_assertion exp is missing")
    if exp <= now - LEEWAY:
        raise _invalid("client_assertion has expired")
    if exp > now + MAX_ASSERTION_LIFETIME + LEEWAY:
        raise _invalid("client_assertion lives too long (exp more than 10 minutes ahead)")
    if iat is not None and (not isinstance(iat, int | float) or iat > now + LEEWAY):
        raise _invalid("client_assertion iat is in the future")
    jti = claims.get("jti")
    if not isinstance(jti, str) or not jti:
        raise _invalid("client_assertion jti is missing")
    if jti in emulator.used_jtis:
        emulator.counters["token.assertion_replay"] += 1
        raise _invalid("client_assertion jti was already used")
    emulator.used_jtis.add(jti)
