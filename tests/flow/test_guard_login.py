"""(1)+(6) A guard starts the login itself: a browser goes from a protected page straight to the provider.

One redirect, not two (page -> login route -> provider), when the guard needs one provider's login
(the only one, the one it names, or a step-up target) for a browser's GET or HEAD; several providers
still go through the chooser, and forms and API clients get what they got before.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import aiohttp
import pytest_asyncio
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from yarl import URL

import aiohttp_eid
from aiohttp_eid import EidConfig, EidgConfig
from aiohttp_eid.runtime import RUNTIME
from aiohttp_eid.session.cookie_storage import _CACHE_SIZE as CACHE_SIZE
from aiohttp_eid.session.cookie_storage import ChunkedCookieStorage
from aiohttp_eid.testing import EidgEmulator
from tests.support.app import build_app
from tests.support.harness import CIE, CLIENT_SECRET, HTML, JSON, SESSION_KEY, SPID, Harness
from tests.support.providers import ProviderFactory, request_object_claims


async def straight_to_provider(harness: Harness, path: str, *, authorize_path: str) -> URL:
    """GET ``path`` as a browser: one 302, to the provider's authorize endpoint; that URL."""
    resp = await harness.client.get(path, headers=HTML, allow_redirects=False)
    assert resp.status == 302, await resp.text()
    assert resp.headers["Cache-Control"] == "no-store"
    authorize = URL(resp.headers["Location"])
    assert authorize.path == authorize_path
    assert authorize.origin() != URL(harness.origin)
    assert "eid_session" in resp.cookies  # the pending login, saved with the redirect
    return authorize


async def test_a_protected_page_sends_the_browser_straight_to_eidg_and_the_login_lands_back_on_it(
    harness: Harness,
) -> None:
    page = "/me?x=1&y=a%20b&z=%C3%A9"  # the query kept, encoded as the browser sent it
    authorize = await straight_to_provider(harness, page, authorize_path="/oauth2/authorize")
    assert authorize.query["acr_values"] == f"{SPID} {CIE}"
    assert harness.emulator.counters["authorize"] == 0  # nothing asked of the provider yet
    resp = await harness.callback(await harness.at_provider(str(authorize)))
    assert (resp.status, resp.headers["Location"]) == (302, page)
    status, body = await harness.get_json(page, headers=HTML)
    assert status == 200
    assert body["identity"]["given_name"] == "Ada"


async def test_the_return_path_is_the_one_the_login_route_would_have_kept(harness: Harness) -> None:
    page = "/me?next=//evil.example&q=%2F%2Fx+y&r=%2F"
    landed = []
    for start in ("guard", "route"):
        harness.client.session.cookie_jar.clear()  # anonymous again
        if start == "guard":
            authorize = str(await straight_to_provider(harness, page, authorize_path="/oauth2/authorize"))
        else:  # the login route the guard sent browsers to before (still the API clients' login_url)
            _, body = await harness.get_json(page, headers=JSON)
            resp = await harness.client.get(body["login_url"], headers=HTML, allow_redirects=False)
            authorize = resp.headers["Location"]
        resp = await harness.callback(await harness.at_provider(authorize))
        landed.append(resp.headers["Location"])
    assert landed[0] == landed[1]
    assert URL(landed[0]).query == URL(page).query


async def test_a_protected_page_sends_the_browser_straight_to_itsme_with_a_request_object(itsme: Harness) -> None:
    authorize = await straight_to_provider(itsme, "/me?tab=2", authorize_path="/oidc/authorize")
    claims = request_object_claims(itsme.emulator, str(authorize))
    assert claims["state"] == authorize.query["state"]
    resp = await itsme.callback(await itsme.at_provider(str(authorize)))
    assert (resp.status, resp.headers["Location"]) == (302, "/me?tab=2")
    status, body = await itsme.get_json("/me", headers=JSON)
    assert (status, body["identity"]["provider"]) == (200, "itsme")


async def test_a_step_up_goes_straight_to_eidg_asking_only_the_higher_level(harness: Harness) -> None:
    await harness.login()  # SPID level 2: SUBSTANTIAL
    authorize = await straight_to_provider(harness, "/high", authorize_path="/oauth2/authorize")
    assert authorize.query["acr_values"] == CIE
    resp = await harness.callback(await harness.at_provider(str(authorize)))
    assert resp.headers["Location"] == "/high"
    status, _ = await harness.get_json("/high", headers=JSON)
    assert status == 200


async def test_a_head_request_starts_the_login_too(harness: Harness) -> None:
    resp = await harness.client.head("/me", headers=HTML, allow_redirects=False)
    assert resp.status == 302
    assert URL(resp.headers["Location"]).path == "/oauth2/authorize"


async def test_a_posted_form_and_api_clients_get_what_they_got_before(harness: Harness) -> None:
    resp = await harness.client.post("/me", headers=HTML, allow_redirects=False)
    assert resp.status == 302
    assert URL(resp.headers["Location"]) == URL("/auth/eidg/login").with_query(next="/")  # never sent again
    status, body = await harness.get_json("/me?x=1", headers=JSON)
    assert status == 401
    assert body["login_url"] == "/auth/eidg/login?next=/me?x%3D1"
    status, body = await harness.get_json("/me", headers={**HTML, "X-Requested-With": "XMLHttpRequest"})
    assert (status, body["error"]) == (401, "not_authenticated")
    await harness.login()
    status, body = await harness.get_json("/high", headers=JSON)
    assert (status, URL(body["login_url"]).query["assurance"]) == (403, "HIGH")
    assert "eid_session" not in resp.cookies
    assert harness.emulator.counters["authorize"] == 1  # only the login above reached the provider


async def test_the_pending_login_limit_holds_for_a_client_hitting_a_protected_page(harness: Harness) -> None:
    urls = [
        str(await straight_to_provider(harness, f"/me?tab={i}", authorize_path="/oauth2/authorize")) for i in range(7)
    ]
    # the two oldest were dropped (at most five pending); the newest still completes
    oldest = await harness.callback(await harness.at_provider(urls[0]))
    assert oldest.status == 400
    newest = await harness.callback(await harness.at_provider(urls[-1]))
    assert (newest.status, newest.headers["Location"]) == (302, "/me?tab=6")


async def test_a_provider_down_at_discovery_when_the_guard_starts_the_login_is_a_clear_page(
    itsme_factory: ProviderFactory,
) -> None:
    itsme = await itsme_factory()
    await itsme.emulator.close()
    fresh = build_app(itsme.app[RUNTIME].config)  # an application started while the provider is down
    client: TestClient[Any, Any] = TestClient(TestServer(fresh, host="127.0.0.1"))
    await client.start_server()
    try:
        resp = await client.get("/me", headers=HTML, allow_redirects=False)
        assert resp.status == 503
        assert resp.content_type == "text/html"
        assert "provider_unavailable" in await resp.text()
        resp = await client.get("/me", headers=JSON, allow_redirects=False)
        assert resp.status == 401  # an API client needs no provider to be told to log in
    finally:
        await client.close()


# -- several providers ------------------------------------------------------------------------------


@aiohttp_eid.login_required(providers=["spid"])
async def spid_only(request: web.Request) -> web.Response:
    return web.json_response({"ok": True})


@pytest_asyncio.fixture
async def two_providers(
    unused_tcp_port_factory: Callable[[], int],
) -> AsyncIterator[TestClient[web.Request, web.Application]]:
    """An application with two EIDG providers (``eidg`` and ``spid``) against one emulator."""
    port = unused_tcp_port_factory()
    origin = f"http://127.0.0.1:{port}"
    names = ("eidg", "spid")
    emulator = EidgEmulator(
        client_secret=CLIENT_SECRET, redirect_uris=[f"{origin}/auth/{n}/callback" for n in names], auto_approve="ada"
    )
    base_url = await emulator.start()
    providers = [
        EidgConfig(
            name=name,
            base_url=base_url,
            client_id=emulator.client_id,
            client_secret=CLIENT_SECRET,
            redirect_uri=f"{origin}/auth/{name}/callback",
            methods=[SPID, CIE],
        )
        for name in names
    ]
    app = build_app(EidConfig(providers=providers, session_key=SESSION_KEY))
    app.router.add_get("/spid-only", spid_only)
    client: TestClient[web.Request, web.Application] = TestClient(TestServer(app, host="127.0.0.1", port=port))
    await client.start_server()
    yield client
    await client.close()
    await emulator.close()


async def test_several_providers_still_send_the_browser_to_the_chooser(
    two_providers: TestClient[web.Request, web.Application],
) -> None:
    resp = await two_providers.get("/me?x=1", headers=HTML, allow_redirects=False)
    assert resp.status == 302
    assert URL(resp.headers["Location"]) == URL("/auth/").with_query(next="/me?x=1")
    assert "eid_session" not in resp.cookies  # nothing started, nothing written


async def test_a_guard_naming_one_of_several_providers_goes_straight_to_it(
    two_providers: TestClient[web.Request, web.Application],
) -> None:
    resp = await two_providers.get("/spid-only", headers=HTML, allow_redirects=False)
    assert resp.status == 302
    authorize = URL(resp.headers["Location"])
    assert authorize.path == "/oauth2/authorize"
    assert authorize.query["redirect_uri"].endswith("/auth/spid/callback")


async def test_a_bot_hitting_a_protected_page_grows_no_unbounded_memory_with_cookie_storage(harness: Harness) -> None:
    # each hit now writes a pre-login session; cookie storage keeps nothing per client on the
    # server but the recently sealed values' plaintexts, a cache of a fixed size
    storage = harness.app[RUNTIME].storage
    assert isinstance(storage, ChunkedCookieStorage)
    async with aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as bot:  # never sends a cookie back
        for i in range(CACHE_SIZE + 100):
            async with bot.get(f"{harness.origin}/me?i={i}", headers=HTML, allow_redirects=False) as resp:
                assert resp.status == 302
    assert len(storage._plaintexts) == CACHE_SIZE  # filled by the hits, and no further
