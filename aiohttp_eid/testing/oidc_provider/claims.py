"""Which user claims an OpenID provider releases, and the small computations around them.

OpenID Connect Core 5.4 (scope values), 5.5 (the ``claims`` request parameter),
8.1 (pairwise subjects) and 3.1.3.6 (``at_hash``).
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Protocol

__all__ = [
    "SCOPE_CLAIMS",
    "STANDARD_CLAIMS",
    "EmulatedUser",
    "access_token_hash",
    "choose_acr",
    "pairwise_subject",
    "parse_claims_parameter",
    "release",
    "requested_acr_values",
]

SCOPE_CLAIMS: dict[str, tuple[str, ...]] = {
    "profile": (
        "name",
        "family_name",
        "given_name",
        "middle_name",
        "nickname",
        "preferred_username",
        "profile",
        "picture",
        "website",
        "gender",
        "birthdate",
        "zoneinfo",
        "locale",
        "updated_at",
    ),
    "email": ("email", "email_verified"),
    "address": ("address",),
    "phone": ("phone_number", "phone_number_verified"),
}
STANDARD_CLAIMS: tuple[str, ...] = ("sub", *(name for names in SCOPE_CLAIMS.values() for name in names))
# Claims about the authentication itself, never user data (OpenID Core 2).
_PROTOCOL_CLAIMS = frozenset({"sub", "acr", "amr", "auth_time", "nonce", "azp", "at_hash", "c_hash", "sid"})
PAIRWISE_SALT = "aiohttp-eid emulator pairwise salt"


class EmulatedUser(Protocol):
    """What an OpenID provider emulator needs of a test user."""

    @property
    def key(self) -> str:
        """Short, unique name: ``auto_approve`` and the login page's ``#user-<key>``."""

    @property
    def subject(self) -> str:
        """The provider's own identifier of the person (``sub``, or the base of a pairwise one)."""

    @property
    def display_name(self) -> str: ...

    def claims(self) -> dict[str, object]:
        """Every claim the provider holds, under its canonical name (absent ones left out)."""


def parse_claims_parameter(value: object) -> dict[str, dict[str, Any]]:
    """The ``claims`` request parameter (a JSON string or object), checked; ValueError if malformed."""
    if isinstance(value, str):
        value = json.loads(value)
    if not isinstance(value, dict):
        raise ValueError("claims must be a JSON object")
    parsed: dict[str, dict[str, Any]] = {}
    for member in ("userinfo", "id_token"):
        requests = value.get(member)
        if requests is None:
            continue
        if not isinstance(requests, dict):
            raise ValueError(f"claims.{member} must be an object")
        for name, request in requests.items():
            if request is not None and not isinstance(request, dict):
                raise ValueError(f"claims.{member}.{name} must be null or an object")
        parsed[member] = dict(requests)
    return parsed


def requested_acr_values(acr_values: str | None, claims: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """The ``acr`` values a request asked for: ``acr_values`` and ``claims.id_token.acr``.

    ``acr`` takes ``values`` (Core 5.5.1) and ``value``; itsme's document writes
    ``value`` with a list, so both a string and a list are accepted for either.
    """
    found = list((acr_values or "").split())
    acr = claims.get("id_token", {}).get("acr") or {}
    for member in ("values", "value"):
        given = acr.get(member)
        if isinstance(given, str):
            found.append(given)
        elif isinstance(given, list):
            found.extend(value for value in given if isinstance(value, str))
    return found


def choose_acr(requested: Sequence[str], supported: Sequence[str], canonical: Callable[[str], str]) -> str | None:
    """The most constraining supported value requested, in the form it was sent.

    ``supported`` is ordered from least to most constraining. Nothing requested:
    the first supported value (None when there are none). ValueError when values
    were requested and none is supported: the authentication fails.
    """
    rank = {canonical(value): index for index, value in enumerate(supported)}
    known = [value for value in requested if canonical(value) in rank]
    if known:
        return max(known, key=lambda value: rank[canonical(value)])
    if requested and supported:
        raise ValueError("none of the requested acr values is supported")
    return supported[0] if supported else None


def release(
    user_claims: Mapping[str, object],
    *,
    scopes: Iterable[str],
    requested: Mapping[str, Any] | None,
    canonical: Callable[[str], str],
    from_scopes: bool = True,
) -> dict[str, object]:
    """The user's claims asked for by ``scopes`` (if ``from_scopes``) and the ``requested`` names.

    A claim requested in the ``claims`` parameter is answered under the name it
    was requested with (one of several spellings of the same claim, ``canonical``
    maps them); protocol claims (``acr``, ``auth_time``...) are not user data.
    """
    released: dict[str, object] = {}
    if from_scopes:
        for scope in scopes:
            for name in SCOPE_CLAIMS.get(scope, ()):
                if name in user_claims:
                    released[name] = user_claims[name]
    for name in requested or {}:
        if name in _PROTOCOL_CLAIMS:
            continue
        value = user_claims.get(canonical(name))
        if value is not None:
            released[name] = value
    return released


def pairwise_subject(sector: str, local_id: str) -> str:
    """A pairwise ``sub`` (Core 8.1): the same person gets a different one per client."""
    digest = hashlib.sha256(f"{sector}\x00{local_id}\x00{PAIRWISE_SALT}".encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def access_token_hash(access_token: str) -> str:
    """``at_hash`` for RS256: the left half of SHA-256 of the token, base64url (Core 3.1.3.6)."""
    digest = hashlib.sha256(access_token.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest[: len(digest) // 2]).rstrip(b"=").decode("ascii")
