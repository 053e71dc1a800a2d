"""(6) Guards and step-up; (3) the on_login hook gets what the session does not keep."""

from __future__ import annotations

from aiohttp import web
from yarl import URL

import aiohttp_eid
from aiohttp_eid import Identity, LoginDetails
from tests.support.harness import CIE, HTML, JSON, Harness, HarnessFactory


async def test_step_up_to_high_asks_only_for_high_methods_and_then_lets_in(harness: Harness) -> None:
    await harness.login()  # SPID level 2: SUBSTANTIAL
    status, body = await harness.get_json("/high", headers=JSON)
    assert status == 403
    assert body["error"] == "insufficient_assurance"
    assert URL(body["login_url"]).path == "/auth/eidg/login"
    assert URL(body["login_url"]).query == {"next": "/high", "assurance": "HIGH"}

    # a browser goes straight to the provider (tests/flow/test_guard_login.py); the login route does the same
    authorize = URL(await harness.start_login("/high", assurance="HIGH"))
    assert authorize.query["acr_values"] == CIE
    resp = await harness.callback(await harness.at_provider(str(authorize)))
    assert resp.headers["Location"] == "/high"
    status, _ = await harness.get_json("/high", headers=JSON)
    assert status == 200


async def test_a_step_up_answered_with_a_lower_level_is_refused(harness: Harness) -> None:
    await harness.login()
    authorize = URL(await harness.start_login("/high", assurance="HIGH"))
    # the user swaps the method back to SPID level 2 in the browser
    swapped = authorize.update_query(acr_values="infocert:identification:method:SPID_LEVEL_2")
    resp = await harness.callback(await harness.at_provider(str(swapped)))
    assert resp.status == 403
    status, _ = await harness.get_json("/high", headers=JSON)
    assert status == 403


async def test_chooser_lists_providers_and_keeps_next(harness: Harness) -> None:
    resp = await harness.client.get("/auth/?next=/me", headers=HTML)
    page = await resp.text()
    assert 'id="login-eidg"' in page
    assert "/auth/eidg/login?next=/me" in page


async def test_chooser_keeps_the_step_up_level(harness: Harness) -> None:
    resp = await harness.client.get("/auth/?next=/high&assurance=HIGH", headers=HTML)
    assert "/auth/eidg/login?next=/high&amp;assurance=HIGH" in await resp.text()


async def test_unknown_provider_is_404(harness: Harness) -> None:
    resp = await harness.client.get("/auth/nope/login", allow_redirects=False)
    assert resp.status == 404


async def test_on_login_gets_details_and_unknown_fields_are_not_stored(harness_factory: HarnessFactory) -> None:
    seen: list[tuple[Identity, LoginDetails]] = []

    async def on_login(request: web.Request, identity: Identity, details: LoginDetails) -> None:
        assert aiohttp_eid.get_identity(request) == identity
        seen.append((identity, details))

    from aiohttp_eid.testing import DEFAULT_EIDG_USERS

    users = [DEFAULT_EIDG_USERS[0].__class__(**{**DEFAULT_EIDG_USERS[0].__dict__, "extra": {"loyalty": "gold"}})]
    harness = await harness_factory(on_login=on_login, emulator={"users": users})
    await harness.login()
    [(_identity, details)] = seen
    assert details.extra == {"loyalty": "gold"}
    assert details.userinfo["_rawResponse"]  # the raw SAML, for archiving, is the hook's
    _status, body = await harness.get_json("/me", headers=JSON)
    assert "loyalty" not in str(body)


async def test_on_login_raising_refuses_the_login(harness_factory: HarnessFactory) -> None:
    async def on_login(request: web.Request, identity: Identity, details: LoginDetails) -> None:
        raise web.HTTPForbidden(text="not one of our customers")

    harness = await harness_factory(on_login=on_login)
    resp = await harness.login()
    assert resp.status == 403
    _status, body = await harness.get_json("/", headers=JSON)
    assert body["identity"] is None
