"""Validation of ``GET /oauth2/authorize`` and the callback URLs EIDG redirects to.

Two stages, as an OAuth server must: the client and its redirect URI first
(EIDG_1..3: answered with an error page, never a redirect to an unverified URI),
then the rest of the request (EIDG_4, EIDG_9: redirected to the callback).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Sequence
from dataclasses import dataclass

from multidict import MultiMapping
from yarl import URL

from aiohttp_eid.testing.eidg.errors import (
    METHOD_PREFIX,
    EidgFailure,
    channel,
    describe,
    oauth_error,
    pick_locale,
)

__all__ = [
    "AuthorizationRequest",
    "callback_url",
    "check_client",
    "check_request",
    "error_callback_url",
    "verify_pkce",
]

_PARAMETERS = (
    "client_id",
    "state",
    "redirect_uri",
    "acr_values",
    "response_type",
    "scope",
    "ui_locales",
    "code_challenge_method",
    "code_challenge",
    "nonce",
)
_S256_CHALLENGE = re.compile(r"[A-Za-z0-9_-]{43}")
_VERIFIER = re.compile(r"[A-Za-z0-9._~-]{43,128}")
_LOOPBACK_HOSTS = ("127.0.0.1", "localhost")


@dataclass
class AuthorizationRequest:
    """An accepted authorization request, waiting for the user's decision."""

    redirect_uri: str
    state: str | None
    locale: str
    created: float
    methods: tuple[str, ...] = ()
    nonce: str | None = None
    code_challenge: str | None = None


def redirect_allowed(uri: str, registered: Sequence[str]) -> bool:
    """Exact match against the registered URIs; any loopback http(s) URI when none are."""
    if registered:
        return uri in registered
    try:
        url = URL(uri)
    except ValueError:
        return False
    return (
        url.scheme in ("http", "https")
        and url.host in _LOOPBACK_HOSTS
        and not url.fragment
        and url.user is None
        and "#" not in uri
    )


def check_client(
    query: MultiMapping[str], *, client_id: str, redirect_uris: Sequence[str], now: float
) -> AuthorizationRequest:
    """Stage one: EIDG_1 (no client_id), EIDG_2 (unknown), EIDG_3 (redirect URI)."""
    if any(len(query.getall(name, ())) > 1 for name in _PARAMETERS):
        raise EidgFailure("EIDG_9")  # which redirect_uri or client would we trust?
    if not query.get("client_id"):
        raise EidgFailure("EIDG_1")
    if not hmac.compare_digest(query["client_id"].encode(), client_id.encode()):
        raise EidgFailure("EIDG_2")
    redirect_uri = query.get("redirect_uri", "")
    if not redirect_uri or not redirect_allowed(redirect_uri, redirect_uris):
        raise EidgFailure("EIDG_3")
    return AuthorizationRequest(
        redirect_uri=redirect_uri,
        state=query.get("state"),
        locale=pick_locale(query.get("ui_locales")),
        created=now,
    )


def check_request(query: MultiMapping[str], request: AuthorizationRequest, *, enrolled: Sequence[str]) -> None:
    """Stage two, filling ``request`` in: EIDG_4 (methods) then EIDG_9 (the rest)."""
    acr_values = query.get("acr_values")
    if acr_values is None:
        methods = tuple(enrolled)  # the document's own curl example sends none
    else:
        methods = tuple(_method(value, enrolled) for value in acr_values.split())
        if not methods:
            raise EidgFailure("EIDG_4")
    channels = [channel(name) for name in methods]
    if len(set(channels)) != len(channels):
        raise EidgFailure("EIDG_4")  # two methods of one channel (SPID_LEVEL_1 + _2)
    if query.get("response_type") != "code":
        raise EidgFailure("EIDG_9")
    if "openid" not in query.get("scope", "").split():
        raise EidgFailure("EIDG_9")
    challenge = query.get("code_challenge")
    method = query.get("code_challenge_method")
    # PKCE is optional, but when used only S256 (the default, plain, is refused).
    pkce = challenge is not None or method is not None
    if pkce and (method != "S256" or challenge is None or not _S256_CHALLENGE.fullmatch(challenge)):
        raise EidgFailure("EIDG_9")
    request.methods = methods
    request.nonce = query.get("nonce")
    request.code_challenge = challenge


def _method(value: str, enrolled: Sequence[str]) -> str:
    if not value.startswith(METHOD_PREFIX):
        raise EidgFailure("EIDG_4")
    name = value.removeprefix(METHOD_PREFIX)
    if name not in enrolled:
        raise EidgFailure("EIDG_4")
    return name


def verify_pkce(challenge: str | None, verifier: str | None) -> None:
    """EIDG_9 unless the verifier matches the S256 challenge (or neither was used)."""
    if challenge is None:
        if verifier is not None:
            raise EidgFailure("EIDG_9")  # a verifier for a code without PKCE: downgrade?
        return
    if verifier is None or not _VERIFIER.fullmatch(verifier):
        raise EidgFailure("EIDG_9")
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    expected = base64.urlsafe_b64encode(digest).rstrip(b"=")
    if not hmac.compare_digest(expected, challenge.encode("ascii")):
        raise EidgFailure("EIDG_9")


def callback_url(redirect_uri: str, params: Sequence[tuple[str, str | None]]) -> str:
    """``redirect_uri`` with ``params`` added to its query (None values left out)."""
    return str(URL(redirect_uri).extend_query([(k, v) for k, v in params if v is not None]))


def error_callback_url(request: AuthorizationRequest, code: str) -> str:
    """The document's ``?error=&errorCode=&errorDescription=&state=`` callback."""
    return callback_url(
        request.redirect_uri,
        [
            ("error", oauth_error(code)),
            ("errorCode", code),
            ("errorDescription", describe(code, request.locale)),
            ("state", request.state),
        ],
    )
