"""Validation of authorization requests (OpenID Connect Core 3.1.2.1, 3.1.2.2 and 6).

Two stages, as an authorization server must: the client and its redirect URI
first (a :class:`ClientFailure`, answered with a 400 page, never a redirect to an
unverified URI), then everything else (an :class:`OAuthFailure`, redirected back
with ``error``, ``error_description`` and ``state``).
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from multidict import MultiMapping
from yarl import URL

from aiohttp_eid.testing.oidc_provider import keys as jose
from aiohttp_eid.testing.oidc_provider.base import OAuthFailure
from aiohttp_eid.testing.oidc_provider.claims import choose_acr, parse_claims_parameter, requested_acr_values
from aiohttp_eid.testing.oidc_provider.tokens import AuthorizationRequest

if TYPE_CHECKING:
    from aiohttp_eid.testing.oidc_provider.state import OidcProviderState

__all__ = [
    "AuthorizationRequest",
    "ClientFailure",
    "callback_url",
    "check_client",
    "check_request",
    "read_request_object",
    "redirect_allowed",
]

LEEWAY = 5
_S256_CHALLENGE = re.compile(r"[A-Za-z0-9_-]{43}")
_LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
_SINGLE = (
    "client_id",
    "redirect_uri",
    "response_type",
    "scope",
    "state",
    "nonce",
    "request",
    "claims",
    "acr_values",
    "ui_locales",
    "display",
    "prompt",
    "max_age",
    "login_hint",
    "code_challenge",
    "code_challenge_method",
)
# Request object members that are authorization parameters (the rest are JWT claims).
_OBJECT_PARAMETERS = frozenset(_SINGLE) - {"request"}
# Parameters that must be sent outside the request object too, with the same value.
_MIRRORED = ("client_id", "response_type", "redirect_uri", "scope")


class ClientFailure(Exception):
    """The client or its redirect URI cannot be trusted: answer with a page, never redirect."""


def redirect_allowed(uri: str, registered: Sequence[str]) -> bool:
    """Exact match against the registered URIs; any loopback http(s) URI when none are."""
    if registered:
        return uri in registered
    try:
        url = URL(uri)
    except ValueError:
        return False
    return url.scheme in ("http", "https") and url.host in _LOOPBACK_HOSTS and url.user is None and "#" not in uri


def check_client(params: MultiMapping[str], emulator: OidcProviderState) -> AuthorizationRequest:
    """Stage one: a single, known ``client_id`` and an allowed ``redirect_uri``."""
    for name in ("client_id", "redirect_uri"):
        if len(params.getall(name, ())) > 1:
            raise ClientFailure(f"{name} is repeated")
    client_id = params.get("client_id", "")
    if not client_id:
        raise ClientFailure("client_id is missing")
    if not hmac.compare_digest(client_id.encode(), emulator.client_id.encode()):
        raise ClientFailure("unknown client_id")
    redirect_uri = params.get("redirect_uri", "")
    if not redirect_uri or not redirect_allowed(redirect_uri, emulator.redirect_uris):
        raise ClientFailure("redirect_uri is missing or not registered for this client")
    return AuthorizationRequest(client_id, redirect_uri, params.get("state"), emulator.clock())


async def check_request(params: MultiMapping[str], request: AuthorizationRequest, emulator: OidcProviderState) -> None:
    """Stage two, filling ``request`` in; raises :class:`OAuthFailure`."""
    if "request_uri" in params:
        raise OAuthFailure("request_uri_not_supported", "request_uri is not supported")
    if "registration" in params:
        raise OAuthFailure("registration_not_supported", "registration is not supported")
    repeated = [name for name in _SINGLE if len(params.getall(name, ())) > 1]
    if repeated:
        raise OAuthFailure("invalid_request", f"repeated parameter: {repeated[0]}")
    merged: dict[str, Any] = {name: params[name] for name in _SINGLE if params.get(name)}
    if "request" in merged:
        obj = await read_request_object(merged.pop("request"), emulator)
        _check_object(obj, merged, emulator)
        if isinstance(obj.get("state"), str):
            request.state = obj["state"]  # the verified object's values take precedence
        merged.update({name: value for name, value in obj.items() if name in _OBJECT_PARAMETERS})
        request.request_object = obj
    elif emulator.require_request_object:
        raise OAuthFailure("invalid_request", "a signed and encrypted request object is required")
    request.params = merged
    _fill(merged, request, emulator)


async def read_request_object(value: str, emulator: OidcProviderState) -> dict[str, Any]:
    """Decrypt (if a JWE) and verify (RS256, with the RP's published key) a request object."""
    try:
        if value.count(".") == 4:
            _, value = jose.decrypt(value, emulator.encryption_key)
        elif emulator.require_request_object:
            raise jose.KeyProblem("the request object must be signed and encrypted")
        if value.count(".") != 2:
            raise jose.KeyProblem("the request object must be a signed JWT")
        header = jose.unverified_header(value)
        if header.get("alg") != jose.SIGNING_ALG:
            raise jose.KeyProblem(f"the request object must be signed {jose.SIGNING_ALG}")
        kid = header.get("kid")
        key = await emulator.rp_keys.find("sig", kid if isinstance(kid, str) else None)
        return jose.verify(value, key)
    except jose.KeyProblem as problem:
        raise OAuthFailure("invalid_request_object", str(problem)) from problem


def _check_object(obj: dict[str, Any], outside: dict[str, Any], emulator: OidcProviderState) -> None:
    def bad(description: str) -> OAuthFailure:
        return OAuthFailure("invalid_request_object", description)

    if obj.get("iss") != emulator.client_id:
        raise bad("iss must be the client_id")
    audiences = obj.get("aud")
    audiences = [audiences] if isinstance(audiences, str) else audiences
    if not isinstance(audiences, list) or not set(audiences) & set(emulator.accepted_audiences):
        raise bad("aud is not this provider")
    now = emulator.clock()
    for claim in ("exp", "iat", "nbf"):
        if claim in obj and (not isinstance(obj[claim], int | float) or isinstance(obj[claim], bool)):
            raise bad(f"{claim} must be a number")
    if "exp" in obj and obj["exp"] <= now - LEEWAY:
        raise bad("the request object has expired")
    if "iat" in obj and obj["iat"] > now + LEEWAY:
        raise bad("the request object was issued in the future")
    if "nbf" in obj and obj["nbf"] > now + LEEWAY:
        raise bad("the request object is not valid yet")
    for name in _MIRRORED:
        inside = obj.get(name)
        if inside is None:
            continue
        if not isinstance(inside, str):
            raise bad(f"{name} must be a string")
        given = outside.get(name)
        same = set(inside.split()) == set(str(given).split()) if name == "scope" else inside == given
        if given is not None and not same:
            raise bad(f"{name} differs between the request object and the request")
    if "claims" in obj and not isinstance(obj["claims"], dict):
        raise bad("claims must be a JSON object")


def _fill(params: dict[str, Any], request: AuthorizationRequest, emulator: OidcProviderState) -> None:
    def text(name: str) -> str | None:
        value = params.get(name)
        if value is not None and not isinstance(value, str):
            raise OAuthFailure("invalid_request", f"{name} must be a string")
        return value

    response_type = text("response_type")
    if not response_type:
        raise OAuthFailure("invalid_request", "response_type is missing")
    if response_type != "code":
        raise OAuthFailure("unsupported_response_type", "only the authorization code flow (code) is supported")
    request.scopes = tuple((text("scope") or "").split())
    request.display = text("display")
    request.prompt = tuple((text("prompt") or "").split())
    emulator.check_scopes(request.scopes)
    emulator.check_display(request.display)
    emulator.check_prompt(request.prompt)
    request.nonce = text("nonce")
    request.login_hint = text("login_hint")
    try:
        request.claims = parse_claims_parameter(params["claims"]) if "claims" in params else {}
    except ValueError as exc:
        raise OAuthFailure("invalid_request", "claims is not a valid claims request") from exc
    max_age = params.get("max_age")
    if max_age is not None and not str(max_age).isdigit():
        raise OAuthFailure("invalid_request", "max_age must be a non-negative integer")
    try:
        acr = requested_acr_values(text("acr_values"), request.claims)
        request.acr = choose_acr(acr, emulator.acr_values, emulator.canonical)
    except ValueError as exc:
        raise OAuthFailure("access_denied", "none of the requested acr values can be satisfied") from exc
    supported = emulator.ui_locales_supported
    wanted = [tag for tag in (text("ui_locales") or "").split() if tag in supported]
    request.locale = wanted[0] if wanted else (supported[0] if supported else "en")
    challenge, method = text("code_challenge"), text("code_challenge_method")
    if challenge is None and method is None:
        if emulator.require_pkce:
            raise OAuthFailure("invalid_request", "PKCE (code_challenge, S256) is required")
        return
    if method != "S256" or challenge is None or not _S256_CHALLENGE.fullmatch(challenge):
        raise OAuthFailure("invalid_request", "PKCE: only S256 with a valid code_challenge is supported")
    request.code_challenge = challenge


def callback_url(redirect_uri: str, params: Sequence[tuple[str, str | None]]) -> str:
    """``redirect_uri`` with ``params`` added to its query (None values left out)."""
    return str(URL(redirect_uri).extend_query([(k, v) for k, v in params if v is not None]))
