"""(2) Configuration: one ConfigurationError naming every bad field."""

from __future__ import annotations

import pytest
from aiohttp import web

import aiohttp_eid
from aiohttp_eid import ConfigurationError, EidConfig
from tests.support.configs import M, eidg
from tests.support.harness import SESSION_KEY


def problems_of(**kwargs: object) -> tuple[str, ...]:
    with pytest.raises(ConfigurationError) as info:
        EidConfig(**{"providers": [eidg()], "session_key": SESSION_KEY, **kwargs})  # type: ignore[arg-type]
    return info.value.problems


def test_a_valid_config() -> None:
    config = EidConfig(providers=[eidg()], session_key=SESSION_KEY)
    assert config.secure_cookies
    assert config.session_keys == (b"k" * 32,)


def test_every_problem_is_reported_at_once() -> None:
    bad = eidg(
        client_secret="",
        base_url="http://eid-gateway.infocert.it/oauth2",
        methods=[M + "SPID_LEVEL_1", M + "SPID_LEVEL_2", "SPID_LEVEL_3", M + "bad name"],
    )
    problems = problems_of(providers=[bad, eidg()], session_key="short")
    text = "\n".join(problems)
    assert "client_secret: missing" in text
    assert "base_url: must use https" in text
    assert "SPID_LEVEL_1 and SPID_LEVEL_2 are of the same channel" in text
    assert "'SPID_LEVEL_3' is not of the form" in text
    assert "'infocert:identification:method:bad name' is not of the form" in text
    assert "the name 'eidg' is used more than once" in text
    assert "session_key[0]" in text
    assert len(problems) >= 7


def test_http_is_allowed_on_loopback_only() -> None:
    EidConfig(
        providers=[
            eidg(base_url="http://127.0.0.1:8081/oauth2", redirect_uri="http://localhost:8080/auth/eidg/callback")
        ],
        session_key=SESSION_KEY,
    )
    problems = problems_of(providers=[eidg(redirect_uri="http://app.example.org/auth/eidg/callback")])
    assert any("redirect_uri: must use https" in p for p in problems)


def test_redirect_uri_must_reach_the_callback_route() -> None:
    problems = problems_of(providers=[eidg(redirect_uri="https://app.example.org/elsewhere")])
    assert any("must end with /auth/eidg/callback" in p for p in problems)


@pytest.mark.parametrize("prefix", ["", "/", "//", None, "auth//x", "/a/../b", "/{provider}", "/auth?x=1"])
def test_prefix_must_be_a_plain_path_below_the_site_root(prefix: str | None) -> None:
    # one clear problem, the prefix's, not a confusing one about the redirect URI's path
    problems = problems_of(prefix=prefix)
    assert [p for p in problems if p.startswith("prefix: must be a path such as '/auth'")] == list(problems)


def test_a_redirect_uri_with_an_empty_path_segment_is_refused() -> None:
    problems = problems_of(providers=[eidg(redirect_uri="https://app.example.org//eidg/callback")], prefix="/")
    assert "prefix: must be a path such as '/auth', not the site root" in problems
    assert any("redirect_uri: its path must not contain an empty segment" in p for p in problems)
    problems = problems_of(providers=[eidg(redirect_uri="https://app.example.org/app//auth/eidg/callback")])
    assert any("redirect_uri: its path must not contain an empty segment" in p for p in problems)


def test_prefix_slashes_are_normalised() -> None:
    config = EidConfig(
        providers=[eidg(redirect_uri="https://app.example.org/my-app/v1.0/eidg/callback")],
        session_key=SESSION_KEY,
        prefix="my-app/v1.0/",
    )
    assert config.prefix == "/my-app/v1.0"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("max_age", 0),
        ("leeway", -1),
        ("refresh", "sometimes"),
        ("post_logout_path", "https://evil.example"),
        ("storage", "memcached://x"),
        ("cookie_name", "bad name;"),
        ("prefix", ""),
        ("default_locale", "xx"),
    ],
)
def test_bad_plugin_fields(field: str, value: object) -> None:
    assert any(p.startswith(field) for p in problems_of(**{field: value}))


def test_franceconnect_and_franceconnect_plus_are_one_channel() -> None:
    problems = problems_of(providers=[eidg(methods=[M + "FranceConnect", M + "FranceConnectPlus"])])
    assert any("same channel" in p for p in problems)


def test_issuer_needs_a_jwks_location() -> None:
    problems = problems_of(providers=[eidg(issuer="https://issuer.example")])
    assert any("jwks_uri" in p for p in problems)


def test_setup_refuses_an_already_installed_aiohttp_session() -> None:
    import aiohttp_session

    app = web.Application()
    aiohttp_session.setup(app, aiohttp_session.SimpleCookieStorage())
    with pytest.raises(ConfigurationError, match="storage"):
        aiohttp_eid.setup(app, EidConfig(providers=[eidg()], session_key=SESSION_KEY))


def test_cookies_are_secure_with_a_host_prefix_for_https_redirects() -> None:
    app = web.Application()
    aiohttp_eid.setup(app, EidConfig(providers=[eidg()], session_key=SESSION_KEY))
    from aiohttp_eid.runtime import RUNTIME

    storage = app[RUNTIME].storage
    assert storage.cookie_name == "__Host-eid_session"
    assert storage.cookie_params["secure"] is True


def test_itsme_basic_acr_cannot_meet_a_high_requirement() -> None:
    from aiohttp_eid import Assurance, ItsmeConfig, RelyingPartyKeys

    keys = RelyingPartyKeys.generate()
    itsme = ItsmeConfig(
        name="itsme",
        discovery_url="https://merchant.itsme.be/oidc/.well-known/openid-configuration",
        client_id="partner",
        service_code="LOGIN",
        redirect_uri="https://app.example.org/auth/itsme/callback",
        keys=keys,
        required_assurance=Assurance.HIGH,
    )
    problems = problems_of(providers=[itsme])
    assert any("acr: 'basic' gives SUBSTANTIAL" in p for p in problems)


def test_repr_shows_no_secret() -> None:
    config = EidConfig(
        providers=[eidg(client_secret="TOP-SECRET-VALUE")], session_key=SESSION_KEY, storage="redis://:pw@127.0.0.1/0"
    )
    text = repr(config)
    assert "TOP-SECRET-VALUE" not in text
    assert SESSION_KEY not in text
    assert ":pw@" not in text


def test_refresh_lock_must_outlive_a_provider_call() -> None:
    problems = problems_of(refresh_lock_timeout=2.0, http_timeout=10.0)
    assert any(p.startswith("refresh_lock_timeout") for p in problems)
