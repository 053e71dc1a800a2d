"""(4) EidConfig(browser_session_cookie=True): a cookie that ends with the browser; server lifetimes still apply."""

from __future__ import annotations

import pytest

from tests.support.harness import JSON, HarnessFactory
from tests.support.steps import has_lifetime, session_set_cookies


@pytest.mark.parametrize("browser_session_cookie", [False, True])
async def test_the_cookie_carries_a_lifetime_unless_it_is_a_browser_session_cookie(
    harness_factory: HarnessFactory, browser_session_cookie: bool
) -> None:
    harness = await harness_factory(browser_session_cookie=browser_session_cookie)
    resp = await harness.login()
    assert resp.status == 302
    [set_cookie] = session_set_cookies(resp)
    assert has_lifetime(set_cookie) is not browser_session_cookie


@pytest.mark.parametrize(
    ("settings", "later"),
    [({"idle_timeout": 600}, 601), ({"idle_timeout": None, "max_age": 3600}, 3601)],
    ids=["idle", "absolute"],
)
async def test_max_age_and_idle_timeout_still_end_a_browser_session_login(
    harness_factory: HarnessFactory, settings: dict[str, int | None], later: int
) -> None:
    harness = await harness_factory(browser_session_cookie=True, **settings)
    await harness.login()
    assert (await harness.get_json("/me", headers=JSON))[0] == 200
    harness.clock.advance(later)
    assert (await harness.get_json("/me", headers=JSON))[0] == 401


def test_browser_session_cookie_must_be_a_bool() -> None:
    from aiohttp_eid import ConfigurationError, EidConfig, EidgConfig

    with pytest.raises(ConfigurationError, match="browser_session_cookie"):
        EidConfig(
            providers=[
                EidgConfig(
                    name="eidg",
                    base_url="http://127.0.0.1:1/oauth2",
                    client_id="c",
                    client_secret="s",
                    redirect_uri="http://127.0.0.1:1/auth/eidg/callback",
                )
            ],
            session_key="a" * 43,
            browser_session_cookie="yes",  # type: ignore[arg-type]
        )
