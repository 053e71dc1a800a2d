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

from aiohttp_eid import Address, Assurance, Device, ElectronicId, Identity, IdentityDocument, RelyingPartyKeys
from aiohttp_eid.__main__ import main as keys_command
from aiohttp_eid.testing import DEFAULT_ITSME_USERS
from example_app import SettingsError, build_app, load_settings
from example_app.app import emulated_providers
from example_app.pages import BANNER, BANNER_HTML, account_page
from example_app.settings import ITSME_CLAIMS
from tests.support.harness import HTML, SESSION_KEY

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

ITSME = {
    "ITSME_DISCOVERY_URL": "https://idp.e2e.itsme.services/v2/.well-known/openid-configuration",
    "ITSME_CLIENT_ID": "my-partner-code",
    "ITSME_SERVICE_CODE": "MY_LOGIN",
    "ITSME_REDIRECT_URI": "https://app.example.org/auth/itsme/callback",
}
JAN = next(user for user in DEFAULT_ITSME_USERS if user.key == "jan")
ACR_ADVANCED = "tag:sixdots.be,2016-06:acr_advanced"

Client = TestClient[web.Request, web.Application]


@pytest.fixture(scope="module")
def keys_file(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A key file made as the docs say: ``python -m aiohttp_eid keys generate --out FILE``."""
    path = tmp_path_factory.mktemp("itsme") / "rp-keys.json"
    assert keys_command(["keys", "generate", "--out", str(path)]) == 0
    return str(path)


@pytest.fixture
def real_itsme(keys_file: str) -> dict[str, str]:
    return {**ITSME, "ITSME_KEYS_FILE": keys_file, "EID_SESSION_KEY": SESSION_KEY}


# -- settings --------------------------------------------------------------------------------


def test_no_provider_variables_means_demo_on_loopback() -> None:
    settings = load_settings({})
    assert settings.demo
    assert (settings.host, settings.port, settings.emulator_port, settings.itsme_emulator_port) == (
        "127.0.0.1",
        8080,
        8081,
        8082,
    )
    assert [p.name for p in settings.eid.providers] == ["eidg", "itsme"]
    assert settings.login_url == "/auth/?next=/account"  # the provider chooser
    eidg = settings.eidg
    assert eidg is not None
    assert eidg.base_url == "http://localhost:8081/oauth2"  # another site than 127.0.0.1
    assert eidg.redirect_uri == "http://127.0.0.1:8080/auth/eidg/callback"
    assert eidg.methods == (SPID, CIE)
    itsme = settings.itsme
    assert itsme is not None
    assert itsme.discovery_url == "http://localhost:8082/oidc/.well-known/openid-configuration"
    assert itsme.redirect_uri == "http://127.0.0.1:8080/auth/itsme/callback"
    assert itsme.service_code == "DEMO_LOGIN"
    assert itsme.scopes == ("profile", "email", "address", "phone")
    assert itsme.claims == ITSME_CLAIMS
    assert itsme.acr == "basic"
    again = load_settings({})
    assert again.eid.session_key != settings.eid.session_key  # random per start
    assert again.itsme is not None
    assert again.itsme.keys.signing_key.kid != itsme.keys.signing_key.kid  # new keys per start


def test_demo_ports_come_from_the_environment() -> None:
    settings = load_settings({"EXAMPLE_PORT": "9000", "EXAMPLE_EMULATOR_PORT": "9001", "EXAMPLE_ITSME_PORT": "9002"})
    assert settings.eidg is not None
    assert settings.eidg.base_url == "http://localhost:9001/oauth2"
    assert settings.eidg.redirect_uri == "http://127.0.0.1:9000/auth/eidg/callback"
    assert settings.itsme is not None
    assert settings.itsme.discovery_url == "http://localhost:9002/oidc/.well-known/openid-configuration"
    assert settings.itsme.redirect_uri == "http://127.0.0.1:9000/auth/itsme/callback"


def test_demo_applies_the_optional_itsme_variables() -> None:
    settings = load_settings({"ITSME_CLAIMS": "nationality device", "ITSME_ACR": "advanced", "ITSME_SCOPES": "profile"})
    assert settings.demo
    assert settings.itsme is not None
    assert (settings.itsme.claims, settings.itsme.acr, settings.itsme.scopes) == (
        ("nationality", "device"),
        "advanced",
        ("profile",),
    )


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"EXAMPLE_PORT": "http"}, "EXAMPLE_PORT"),
        ({"EXAMPLE_EMULATOR_PORT": "70000"}, "EXAMPLE_EMULATOR_PORT"),
        ({"EXAMPLE_PORT": "9000", "EXAMPLE_EMULATOR_PORT": "9000"}, "different ports"),
        ({"EXAMPLE_ITSME_PORT": "x"}, "EXAMPLE_ITSME_PORT"),
        ({"EXAMPLE_EMULATOR_PORT": "9000", "EXAMPLE_ITSME_PORT": "9000"}, "different ports"),
        ({"EXAMPLE_ITSME_PORT": "8080"}, "different ports"),
        ({"ITSME_ACR": "high"}, "ITSME_ACR: 'basic' .* or 'advanced'"),
        ({"ITSME_CLAIMS": "nationality shoe_size"}, "unknown claim 'shoe_size'"),
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


@pytest.mark.parametrize(
    ("environ", "missing"),
    [
        ({"ITSME_CLIENT_ID": "my-partner-code"}, [n for n in ITSME if n != "ITSME_CLIENT_ID"]),
        ({**ITSME, "ITSME_SERVICE_CODE": " "}, ["ITSME_SERVICE_CODE"]),
        ({"ITSME_REQUEST_OBJECT_AUDIENCE": "https://server.itsme.be"}, list(ITSME)),  # real-only, alone
    ],
)
def test_some_itsme_variables_refuse_to_start_naming_the_missing_ones(
    environ: dict[str, str], missing: list[str]
) -> None:
    with pytest.raises(SettingsError) as raised:
        load_settings(environ)
    message = str(raised.value)
    named = message.partition("missing: ")[2].partition(" (")[0].split(", ")
    assert named == [*missing, "ITSME_KEYS_FILE", "EID_SESSION_KEY"]
    assert "itsme needs ITSME_DISCOVERY_URL, ITSME_CLIENT_ID" in message
    assert "EIDG needs" not in message  # EIDG is not being configured


def test_a_complete_provider_does_not_hide_the_other_ones_missing_variables(real_itsme: dict[str, str]) -> None:
    with pytest.raises(SettingsError, match=r"missing: EIDG_CLIENT_SECRET \("):
        load_settings({**real_itsme, **{k: v for k, v in REAL.items() if k != "EIDG_CLIENT_SECRET"}})


def test_real_mode_needs_a_session_key() -> None:
    with pytest.raises(SettingsError, match="missing: EID_SESSION_KEY"):
        load_settings({k: v for k, v in REAL.items() if k != "EID_SESSION_KEY"})


def test_real_mode_configures_the_provider() -> None:
    settings = load_settings({**REAL, "EIDG_METHODS": "SPID_LEVEL_2 infocert:identification:method:CIE"})
    assert not settings.demo
    assert settings.emulator_port is None
    assert settings.itsme_emulator_port is None
    assert (settings.host, settings.port) == ("127.0.0.1", 8080)
    assert settings.itsme is None  # only the providers configured
    assert settings.login_url == "/auth/eidg/login?next=/account"  # one provider: no chooser
    provider = settings.eidg
    assert provider is not None
    assert provider.base_url == REAL["EIDG_BASE_URL"]
    assert (provider.client_id, provider.client_secret) == ("my-client", "my-secret")
    assert provider.redirect_uri == REAL["EIDG_REDIRECT_URI"]
    assert provider.methods == (SPID, CIE)
    assert settings.eid.session_key == (SESSION_KEY,)


def test_real_itsme_is_configured_from_the_environment(real_itsme: dict[str, str], keys_file: str) -> None:
    environ = {
        **real_itsme,
        "ITSME_REQUEST_OBJECT_AUDIENCE": "https://server.itsme.be",
        "ITSME_CLAIMS": "nationality eid device",
        "ITSME_ACR": "advanced",
    }
    settings = load_settings(environ)
    assert not settings.demo
    assert settings.eidg is None
    assert settings.login_url == "/auth/itsme/login?next=/account"
    itsme = settings.itsme
    assert itsme is not None
    assert itsme.discovery_url == ITSME["ITSME_DISCOVERY_URL"]
    assert (itsme.client_id, itsme.service_code) == ("my-partner-code", "MY_LOGIN")
    assert itsme.redirect_uri == ITSME["ITSME_REDIRECT_URI"]
    assert itsme.request_object_audience == "https://server.itsme.be"
    assert itsme.claims == ("nationality", "eid", "device")
    assert itsme.acr == "advanced"
    assert itsme.scopes == ("profile", "email", "address", "phone")
    assert itsme.keys.public_jwks() == RelyingPartyKeys.load(keys_file).public_jwks()
    assert settings.eid.session_key == (SESSION_KEY,)


def test_real_itsme_defaults(real_itsme: dict[str, str]) -> None:
    itsme = load_settings(real_itsme).itsme
    assert itsme is not None
    assert (itsme.claims, itsme.acr, itsme.request_object_audience) == ((), "basic", None)  # BMID approves claims


def test_real_mode_with_both_providers(real_itsme: dict[str, str]) -> None:
    settings = load_settings({**REAL, **real_itsme})
    assert not settings.demo
    assert [p.name for p in settings.eid.providers] == ["eidg", "itsme"]
    assert settings.login_url == "/auth/?next=/account"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "cannot read"),
        ('{"format": "something else"}', "not an aiohttp-eid key file"),
        ('{"format": "aiohttp-eid/keys/1", "keys": [{"secret-d": "c2VjcmV0"}]}', "not a usable aiohttp-eid key file"),
        ("{not json", "not a usable key file"),
        ("[1, 2]", "not an aiohttp-eid key file"),
        ('{"format": "aiohttp-eid/keys/1", "keys": [{"jwk": {"d": "c2VjcmV0"}, "use": "sig"}]}', "not a usable"),
    ],
)
def test_an_unusable_itsme_key_file_is_refused(
    real_itsme: dict[str, str], tmp_path: Path, content: str | None, expected: str
) -> None:
    path = tmp_path / "keys.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(SettingsError, match="ITSME_KEYS_FILE: .*" + expected) as raised:
        load_settings({**REAL, **real_itsme, "ITSME_KEYS_FILE": str(path), "EIDG_BASE_URL": "http://eidg.example"})
    assert "c2VjcmV0" not in str(raised.value)  # never the file's content
    assert "base_url: must use https" in str(raised.value)  # the other provider is still checked


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


def test_main_exits_non_zero_when_itsme_variables_are_incomplete() -> None:
    env = {"PATH": "/usr/bin:/bin", **ITSME}
    done = subprocess.run(
        [sys.executable, "-m", "example_app"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 2
    assert "missing: ITSME_KEYS_FILE, EID_SESSION_KEY" in done.stderr
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


def test_account_page_shows_itsme_fields_when_present() -> None:
    identity = Identity(
        provider="itsme",
        subject="pairwise-sub",
        assurance=Assurance.HIGH,
        given_name="Jan",
        family_name="Janssens",
        nationality="BE",
        national_number="80010100107",
        id_document=IdentityDocument(kind="eid", number="590000000001", expires_on=date(2031, 3, 15)),
        device=Device(os="ANDROID", os_release="Android 14", manufacturer="samsung", model="S8 <x>"),
        address=Address(street_address="Voorbeeldstraat 1\nbus 2", postal_code="1000", locality="Brussel"),
    )
    html = account_page(identity)
    assert 'id="identity-nationality">BE<' in html
    assert 'id="identity-national-number">80010100107<' in html
    assert 'id="identity-id-document">eID card 590000000001, valid until 2031-03-15<' in html
    assert 'id="identity-device">samsung S8 &lt;x&gt; (ANDROID Android 14)<' in html
    assert 'id="identity-address">Voorbeeldstraat 1, bus 2, 1000, Brussel<' in html
    assert "identity-passport-number" not in html  # absent: no row
    eidg_html = account_page(Identity(provider="eidg", subject="X", assurance=Assurance.SUBSTANTIAL))
    assert "identity-nationality" not in eidg_html
    assert 'id="identity-address">—<' in eidg_html  # the EIDG rows stay


# -- the app in process -----------------------------------------------------------------------


async def test_demo_home_shows_the_banner_and_a_login_button(demo_client: Client) -> None:
    resp = await demo_client.get("/")
    html = await resp.text()
    assert resp.status == 200
    assert html.count(BANNER_HTML) == 1
    assert 'id="login" href="/auth/?next=/account"' in html  # two providers: the chooser


async def test_demo_chooser_offers_both_providers(demo_client: Client) -> None:
    resp = await demo_client.get("/auth/", params={"next": "/account"}, headers=HTML)
    html = await resp.text()
    assert resp.status == 200
    assert html.count(BANNER_HTML) == 1
    assert 'id="login-eidg" href="/auth/eidg/login?next=/account"' in html
    assert 'id="login-itsme" href="/auth/itsme/login?next=/account"' in html
    assert "SPID, CIE (EID Gateway)" in html


async def test_real_mode_has_no_banner_and_no_emulator() -> None:
    app = build_app(load_settings(REAL))
    assert emulated_providers not in app.cleanup_ctx
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        html = await (await client.get("/")).text()
        jwks = await client.get("/auth/jwks.json")
    assert 'id="demo-banner"' not in html
    assert BANNER not in html
    assert 'id="login" href="/auth/eidg/login?next=/account"' in html
    assert jwks.status == 404  # no itsme: no keys to publish


async def test_real_mode_with_both_providers_logs_in_through_the_chooser(real_itsme: dict[str, str]) -> None:
    app = build_app(load_settings({**REAL, **real_itsme}))
    assert emulated_providers not in app.cleanup_ctx
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        html = await (await client.get("/")).text()
        jwks = await (await client.get("/auth/jwks.json")).json()
    assert BANNER not in html
    assert 'id="login" href="/auth/?next=/account"' in html
    assert {key["use"] for key in jwks["keys"]} == {"sig", "enc"}


async def test_demo_banner_is_on_aiohttp_eid_pages_too(demo_client: Client) -> None:
    resp = await demo_client.get("/auth/eidg/callback?state=unknown", headers=HTML)
    assert resp.status == 400
    html = await resp.text()
    assert html.count(BANNER_HTML) == 1
    assert 'id="login-again"' in html
    resp = await demo_client.get("/auth/logout", headers=HTML)
    assert (await resp.text()).count(BANNER_HTML) == 1


@pytest.mark.parametrize(("path", "assurance"), [("/account", None), ("/high", "HIGH")])
async def test_anonymous_protected_page_redirects_to_the_chooser(
    demo_client: Client, path: str, assurance: str | None
) -> None:
    resp = await demo_client.get(path, headers=HTML, allow_redirects=False)
    assert resp.status == 302
    location = URL(resp.headers["Location"])
    assert location.path == "/auth/"
    assert location.query["next"] == path
    assert location.query.get("assurance") == assurance
    html = await (await demo_client.get(location, headers=HTML)).text()
    assert 'id="login-eidg"' in html  # both can log in at HIGH: EIDG with CIE, itsme with acr advanced
    assert 'id="login-itsme"' in html


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


async def _choose_at_emulator(authorize: URL, form: dict[str, str], decision_path: str) -> URL:
    """Read the emulator's page for its pending-request id, post the choice; the callback URL."""
    async with aiohttp.ClientSession() as browser:  # the provider's site: none of the app's cookies
        async with browser.get(authorize, headers=HTML) as page:
            assert page.status == 200
            chooser = await page.text()
        match = re.search(r'name="request" value="([^"]+)"', chooser)
        assert match is not None, chooser
        decision = authorize.with_path(decision_path).with_query(None)
        async with browser.post(decision, data={"request": match[1], **form}, allow_redirects=False) as answer:
            assert answer.status in (302, 303), await answer.text()
            return URL(answer.headers["Location"])


async def test_demo_itsme_login_step_up_and_logout(demo_client: Client) -> None:
    """itsme in the demo without a browser: login at the emulator page, the account, a step-up to HIGH."""
    resp = await demo_client.get("/auth/itsme/login", params={"next": "/account"}, allow_redirects=False)
    authorize = URL(resp.headers["Location"])
    assert (authorize.host, authorize.path) == ("localhost", "/oidc/authorize")
    assert "service:DEMO_LOGIN" in authorize.query["scope"].split()
    callback = await _choose_at_emulator(authorize, {"user": "jan", "action": "login"}, "/oidc/authorize/decision")
    assert callback.path == "/auth/itsme/callback"
    resp = await demo_client.get(callback.path_qs, headers=HTML, allow_redirects=False)
    assert (resp.status, resp.headers["Location"]) == (302, "/account"), await resp.text()

    html = await (await demo_client.get("/account", headers=HTML)).text()
    assert f'id="identity-name">{JAN.name}<' in html
    assert 'id="identity-provider">itsme<' in html
    assert 'id="identity-nationality">BE<' in html
    assert f'id="identity-national-number">{JAN.eid and JAN.eid.national_number}<' in html
    assert f'id="identity-id-document">eID card {JAN.eid and JAN.eid.eid}, valid until' in html
    assert f'id="identity-passport-number">{JAN.passport_sn}<' in html
    assert 'id="identity-device">samsung S8 (ANDROID Android 14)<' in html
    assert 'id="assurance">SUBSTANTIAL<' in html

    # /high: a step-up at itsme asking acr advanced, straight from the page to the provider
    resp = await demo_client.get("/high", headers=HTML, allow_redirects=False)
    authorize = URL(resp.headers["Location"])
    assert (authorize.host, authorize.path) == ("localhost", "/oidc/authorize")
    callback = await _choose_at_emulator(authorize, {"user": "jan", "action": "login"}, "/oidc/authorize/decision")
    resp = await demo_client.get(callback.path_qs, headers=HTML, allow_redirects=False)
    assert (resp.status, resp.headers["Location"]) == (302, "/high"), await resp.text()
    html = await (await demo_client.get("/high", headers=HTML)).text()
    assert 'id="high-ok">You logged in at the HIGH assurance level.<' in html

    origin = str(demo_client.make_url("/").origin())
    resp = await demo_client.post("/auth/logout", headers={**HTML, "Origin": origin}, allow_redirects=False)
    assert (resp.status, resp.headers["Location"]) == (302, "/")
    html = await (await demo_client.get("/")).text()
    assert 'id="login"' in html
    assert "welcome-name" not in html


def test_redis_storage_from_the_environment() -> None:
    settings = load_settings({"EID_REDIS_URL": "redis://127.0.0.1:6399/3"})
    assert settings.eid.storage == "redis://127.0.0.1:6399/3"
    assert load_settings({}).eid.storage == "cookie"
