"""The example app: its settings from the environment, and the demo served in process."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from yarl import URL

from aiohttp_eid import Address, Assurance, ElectronicId, Identity
from example_app import SettingsError, build_app, load_settings
from example_app.app import emulated_provider
from example_app.pages import BANNER, BANNER_HTML, account_page
from tests.conftest import HTML, SESSION_KEY

ROOT = Path(__file__).resolve().parents[2]
SPID = "infocert:identification:method:SPID_LEVEL_2"
CIE = "infocert:identification:method:CIE"
REAL = {
    "EIDG_BASE_URL": "https://eid-gatewaycl.infocert.it/oauth2",
    "EIDG_CLIENT_ID": "my-client",
    "EIDG_CLIENT_SECRET": "my-secret",
    "EIDG_REDIRECT_URI": "https://app.example.org/auth/eidg/callback",
    "EID_SESSION_KEY": SESSION_KEY,
}

Client = TestClient[web.Request, web.Application]


# -- settings --------------------------------------------------------------------------------


def test_no_provider_variables_means_demo_on_loopback() -> None:
    settings = load_settings({})
    assert settings.demo
    assert (settings.host, settings.port, settings.emulator_port) == ("127.0.0.1", 8080, 8081)
    provider = settings.provider
    assert provider.base_url == "http://localhost:8081/oauth2"  # another site than 127.0.0.1
    assert provider.redirect_uri == "http://127.0.0.1:8080/auth/eidg/callback"
    assert provider.methods == (SPID, CIE)
    assert load_settings({}).eid.session_key != settings.eid.session_key  # random per start


def test_demo_ports_come_from_the_environment() -> None:
    settings = load_settings({"EXAMPLE_PORT": "9000", "EXAMPLE_EMULATOR_PORT": "9001"})
    assert settings.provider.base_url == "http://localhost:9001/oauth2"
    assert settings.provider.redirect_uri == "http://127.0.0.1:9000/auth/eidg/callback"


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"EXAMPLE_PORT": "http"}, "EXAMPLE_PORT"),
        ({"EXAMPLE_EMULATOR_PORT": "70000"}, "EXAMPLE_EMULATOR_PORT"),
        ({"EXAMPLE_PORT": "9000", "EXAMPLE_EMULATOR_PORT": "9000"}, "different ports"),
        ({"EXAMPLE_HOST": "192.0.2.1"}, "the demo listens on 127.0.0.1 only"),
    ],
)
def test_bad_demo_settings_are_refused(environ: dict[str, str], expected: str) -> None:
    with pytest.raises(SettingsError, match=expected):
        load_settings(environ)


def test_some_provider_variables_refuse_to_start_naming_the_missing_ones() -> None:
    environ = {"EIDG_BASE_URL": REAL["EIDG_BASE_URL"], "EIDG_CLIENT_ID": "my-client", "EIDG_CLIENT_SECRET": ""}
    with pytest.raises(SettingsError) as raised:
        load_settings(environ)
    missing = str(raised.value).partition("missing: ")[2]
    assert missing.startswith("EIDG_CLIENT_SECRET, EIDG_REDIRECT_URI, EID_SESSION_KEY ")
    assert "EIDG_BASE_URL" not in missing


def test_real_mode_needs_a_session_key() -> None:
    with pytest.raises(SettingsError, match="missing: EID_SESSION_KEY"):
        load_settings({k: v for k, v in REAL.items() if k != "EID_SESSION_KEY"})


def test_real_mode_configures_the_provider() -> None:
    settings = load_settings({**REAL, "EIDG_METHODS": "SPID_LEVEL_2 infocert:identification:method:CIE"})
    assert not settings.demo
    assert settings.emulator_port is None
    assert (settings.host, settings.port) == ("127.0.0.1", 8080)
    provider = settings.provider
    assert provider.base_url == REAL["EIDG_BASE_URL"]
    assert (provider.client_id, provider.client_secret) == ("my-client", "my-secret")
    assert provider.redirect_uri == REAL["EIDG_REDIRECT_URI"]
    assert provider.methods == (SPID, CIE)
    assert settings.eid.session_key == (SESSION_KEY,)


def test_real_mode_reports_every_configuration_problem() -> None:
    environ = {
        **REAL,
        "EIDG_BASE_URL": "http://eidg.example.org/oauth2",
        "EIDG_METHODS": "SPID_LEVEL_1 SPID_LEVEL_2",
        "EID_SESSION_KEY": "short",
        "EXAMPLE_PORT": "0",
    }
    with pytest.raises(SettingsError) as raised:
        load_settings(environ)
    message = str(raised.value)
    for expected in ("EXAMPLE_PORT", "base_url: must use https", "same channel", "session_key"):
        assert expected in message


def test_main_exits_non_zero_when_provider_variables_are_incomplete() -> None:
    env = {"PATH": "/usr/bin:/bin", "EIDG_CLIENT_ID": "my-client"}
    done = subprocess.run(
        [sys.executable, "-m", "example_app"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 2
    assert "EIDG_BASE_URL, EIDG_CLIENT_SECRET, EIDG_REDIRECT_URI, EID_SESSION_KEY" in done.stderr
    assert "DEMO" not in done.stdout


# -- pages ------------------------------------------------------------------------------------


def test_account_page_escapes_the_identity() -> None:
    identity = Identity(
        provider="eidg",
        subject="<s>",
        assurance=Assurance.SUBSTANTIAL,
        given_name="<script>alert(1)</script>",
        family_name="O'Brien & Co",
        birth_date=date(1985, 12, 10),
        address=Address(street_address='Via "Roma" 1', locality="Roma", country="IT"),
        electronic_id=ElectronicId(kind="SPID"),
    )
    html = account_page(identity)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; O&#x27;Brien &amp; Co" in html
    assert 'id="identity-subject">&lt;s&gt;<' in html
    assert 'id="identity-address">Via &quot;Roma&quot; 1, Roma, IT<' in html
    assert 'id="identity-birth-date">1985-12-10<' in html


# -- the app in process -----------------------------------------------------------------------


async def test_demo_home_shows_the_banner_and_a_login_button(demo_client: Client) -> None:
    resp = await demo_client.get("/")
    html = await resp.text()
    assert resp.status == 200
    assert html.count(BANNER_HTML) == 1
    assert 'id="login" href="/auth/eidg/login?next=/account"' in html


async def test_real_mode_has_no_banner_and_no_emulator() -> None:
    app = build_app(load_settings(REAL))
    assert emulated_provider not in app.cleanup_ctx
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        html = await (await client.get("/")).text()
    assert 'id="demo-banner"' not in html
    assert BANNER not in html
    assert 'id="login"' in html


async def test_demo_banner_is_on_aiohttp_eid_pages_too(demo_client: Client) -> None:
    resp = await demo_client.get("/auth/eidg/callback?state=unknown", headers=HTML)
    assert resp.status == 400
    html = await resp.text()
    assert html.count(BANNER_HTML) == 1
    assert 'id="login-again"' in html
    resp = await demo_client.get("/auth/logout", headers=HTML)
    assert (await resp.text()).count(BANNER_HTML) == 1


@pytest.mark.parametrize("path", ["/account", "/high"])
async def test_anonymous_protected_page_redirects_to_login(demo_client: Client, path: str) -> None:
    resp = await demo_client.get(path, headers=HTML, allow_redirects=False)
    assert resp.status == 302
    location = URL(resp.headers["Location"])
    assert location.path == "/auth/eidg/login"
    assert location.query["next"] == path


async def test_demo_login_at_the_emulator_page_and_logout(demo_client: Client) -> None:
    """The whole flow without a browser: the emulator's page is read and its form posted."""
    resp = await demo_client.get("/auth/eidg/login", params={"next": "/account"}, allow_redirects=False)
    authorize = URL(resp.headers["Location"])
    assert authorize.host == "localhost"
    async with aiohttp.ClientSession() as browser:  # the provider's site: none of the app's cookies
        async with browser.get(authorize, headers=HTML) as page:
            assert page.status == 200
            chooser = await page.text()
        match = re.search(r'name="request" value="([^"]+)"', chooser)
        assert match is not None, chooser
        form = {"request": match[1], "method": "SPID_LEVEL_2", "user": "ada", "action": "login"}
        decision = authorize.with_path("/oauth2/authorize/decision").with_query(None)
        async with browser.post(decision, data=form, allow_redirects=False) as answer:
            callback = URL(answer.headers["Location"])
    assert callback.path == "/auth/eidg/callback"
    resp = await demo_client.get(callback.path_qs, headers=HTML, allow_redirects=False)
    assert (resp.status, resp.headers["Location"]) == (302, "/account")

    html = await (await demo_client.get("/account", headers=HTML)).text()
    assert 'id="identity-subject">LVLDAA85T50G702B<' in html
    assert 'id="assurance">SUBSTANTIAL<' in html
    assert 'id="logout-button"' in html

    origin = str(demo_client.make_url("/").origin())
    resp = await demo_client.post("/auth/logout", headers={**HTML, "Origin": origin}, allow_redirects=False)
    assert (resp.status, resp.headers["Location"]) == (302, "/")
    html = await (await demo_client.get("/")).text()
    assert 'id="login"' in html
    assert "welcome-name" not in html
