"""Token responses: both namings, the earlier expiry, strict types."""

from __future__ import annotations

import base64
import json

import pytest

from aiohttp_eid import ProviderUnavailableError
from aiohttp_eid.oidc.tokens import TokenSet, parse_token_response


def jwt(claims: dict[str, object]) -> str:
    def part(obj: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")

    return f"{part({'alg': 'RS256'})}.{part(claims)}.c2ln"


NOW = 1_000_000.0


def parse(body: object, **kwargs: object) -> TokenSet:
    return parse_token_response(body, now=NOW, provider="p", **kwargs)[0]  # type: ignore[arg-type]


def test_camel_and_snake_case() -> None:
    camel = parse({"accessToken": "a", "refreshToken": "r", "expiresIn": 360, "tokenType": "Bearer", "idToken": "i"})
    snake = parse({"access_token": "a", "refresh_token": "r", "expires_in": 360, "token_type": "bearer"})
    assert camel.access_token == snake.access_token == "a"
    assert camel.expires_at == snake.expires_at == NOW + 360
    assert camel.id_token is None  # not kept unless asked


def test_the_earlier_of_expires_in_and_jwt_exp_counts() -> None:
    tokens = parse({"access_token": jwt({"exp": NOW + 180}), "expires_in": 360})
    assert tokens.expires_at == NOW + 180


def test_refresh_without_a_new_refresh_token_keeps_the_old_one() -> None:
    old = parse({"access_token": "a", "refresh_token": jwt({"exp": NOW + 9000}), "expires_in": 60})
    new = parse({"access_token": "b", "expires_in": 60}, previous=old)
    assert new.refresh_token == old.refresh_token
    assert new.refresh_expires_at == NOW + 9000


@pytest.mark.parametrize(
    "body",
    [
        [],
        {},
        {"access_token": 1},
        {"access_token": "a", "token_type": "mac"},
        {"access_token": "a", "expires_in": -5},
        {"access_token": "a", "expires_in": "soon"},
        {"access_token": "a", "refresh_token": 7},
    ],
)
def test_malformed_token_responses_are_refused(body: object) -> None:
    with pytest.raises(ProviderUnavailableError):
        parse(body)


def test_leeway_is_at_most_a_third_of_the_lifetime() -> None:
    tokens = TokenSet(access_token="a", obtained_at=NOW, expires_at=NOW + 60)
    assert not tokens.refresh_due(NOW + 39, leeway=30)
    assert tokens.refresh_due(NOW + 40, leeway=30)
