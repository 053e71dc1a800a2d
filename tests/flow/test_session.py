"""(4) The session: compact, encrypted, at most two cookies, bound to its place, with lifetimes."""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping

import pytest
from aiohttp import web
from aiohttp.test_utils import make_mocked_request
from aiohttp_session import Session
from multidict import CIMultiDict

from aiohttp_eid.errors import SessionTooLargeError
from aiohttp_eid.runtime import RUNTIME
from aiohttp_eid.session.cookie_storage import CHUNK_CHARS, ChunkedCookieStorage, cookie_value
from aiohttp_eid.session.crypto import derive_sealer
from tests.support.harness import JSON, Harness, HarnessFactory

KEY_A = b"a" * 32
KEY_B = b"b" * 32


def storage(*keys: bytes, name: str = "eid_session") -> ChunkedCookieStorage:
    return ChunkedCookieStorage(derive_sealer(keys, "cookie"), cookie_name=name, secure=False, max_age=3600)


def session_with(payload: Mapping[str, object]) -> Session:
    session = Session(None, data=None, new=True)
    session.update(payload)
    return session


def request_with(cookies: dict[str, str]) -> web.Request:
    header = "; ".join(f"{k}={v}" for k, v in cookies.items())
    return make_mocked_request("GET", "/", headers=CIMultiDict({"Cookie": header} if header else {}))


def session_cookies(harness: Harness) -> dict[str, str]:
    return {c.key: c.value for c in harness.client.session.cookie_jar if c.key.startswith("eid_session")}


async def test_a_stored_eidg_login_fits_in_cookies_and_holds_no_id_token_or_raw_saml(harness: Harness) -> None:
    resp = await harness.login()
    cookies = session_cookies(harness)
    assert 1 <= len(cookies) <= 2
    assert all(len(v) <= CHUNK_CHARS for v in cookies.values())
    # look inside with the application's key: only what is needed
    st = harness.app[RUNTIME].storage
    loaded = await st.load_session(request_with(cookies))
    ours = loaded["aiohttp_eid"]
    text = json.dumps(ours)
    assert "_rawResponse" not in text
    assert "_rawRequest" not in text
    assert "PHNhbWxw" not in text
    assert set(ours["login"]["tok"]) <= {"a", "o", "e", "r", "re"}  # no ID token ("i")
    assert "tx" not in ours  # the transaction is gone
    assert resp.status == 302


async def test_cookie_attributes(harness: Harness) -> None:
    resp = await harness.login()
    morsel = resp.cookies["eid_session"]
    assert morsel["httponly"]
    assert morsel["samesite"] == "Lax"
    assert morsel["path"] == "/"
    assert not morsel["secure"]  # the redirect URI is http on loopback: decided at startup
    assert int(morsel["max-age"]) > 0


async def test_round_trip_and_two_chunks_for_a_large_session() -> None:
    st = storage(KEY_A)
    big = {"blob": "x" * 4000}
    values = st.seal(session_with(big))
    assert len(values) == 2
    assert all(len(v) <= CHUNK_CHARS for v in values)
    loaded = await st.load_session(request_with({"eid_session": values[0], "eid_session.1": values[1]}))
    assert loaded["blob"] == big["blob"]


async def test_a_session_needing_three_cookies_is_refused_loudly_naming_redis() -> None:
    st = storage(KEY_A)
    with pytest.raises(SessionTooLargeError, match=r"[Rr]edis"):
        st.seal(session_with({"blob": "x" * 9000}))


async def test_too_large_session_gives_a_clear_page_not_a_dropped_cookie(harness_factory: HarnessFactory) -> None:
    harness = await harness_factory()
    await harness.login()
    status, body = await harness.get_json("/app-data?size=9000", headers=JSON)
    assert status == 500
    assert body["error"] == "session_too_large"
    status, _ = await harness.get_json("/me", headers=JSON)
    assert status == 200  # the login was not lost


async def test_chunks_cannot_be_swapped_moved_or_mixed() -> None:
    st = storage(KEY_A)
    a = st.seal(session_with({"blob": "a" * 4000}))
    b = st.seal(session_with({"blob": "b" * 4000}))
    for cookies in (
        {"eid_session": a[1], "eid_session.1": a[0]},  # swapped
        {"eid_session": a[0], "eid_session.1": b[1]},  # mixed writes
    ):
        loaded = await st.load_session(request_with(cookies))
        assert loaded.empty
    # a value sealed for another cookie name does not open here
    other = storage(KEY_A, name="other").seal(session_with({"k": "v"}))
    assert (await st.load_session(request_with({"eid_session": other[0]}))).empty


async def test_tampered_or_garbage_cookie_is_an_anonymous_session() -> None:
    st = storage(KEY_A)
    value = st.seal(session_with({"k": "v"}))[0]
    raw = bytearray(base64.urlsafe_b64decode(value + "=="))
    raw[-1] ^= 1
    tampered = base64.urlsafe_b64encode(bytes(raw)).decode().rstrip("=")
    for cookie in (tampered, "garbage", "", "A" * 5000):
        assert (await st.load_session(request_with({"eid_session": cookie}))).empty


async def test_key_rotation_newest_encrypts_all_decrypt() -> None:
    old = storage(KEY_A).seal(session_with({"k": "v"}))[0]
    rotated = storage(KEY_B, KEY_A)
    assert (await rotated.load_session(request_with({"eid_session": old})))["k"] == "v"
    new = rotated.seal(session_with({"k": "w"}))[0]
    assert (await storage(KEY_A).load_session(request_with({"eid_session": new}))).empty
    assert (await storage(KEY_B).load_session(request_with({"eid_session": new})))["k"] == "w"


async def test_keys_are_derived_per_purpose() -> None:
    sealed = derive_sealer([KEY_A], "cookie").seal(b"x", b"")
    assert derive_sealer([KEY_A], "redis").open(sealed, b"") is None
    assert derive_sealer([KEY_A], "cookie").open(sealed, b"") == b"x"


async def test_a_new_session_at_login_against_fixation(harness: Harness) -> None:
    await harness.client.get("/auth/eidg/login?next=/", allow_redirects=False)
    before = session_cookies(harness)
    await harness.login()
    after = session_cookies(harness)
    assert before
    assert after
    assert before != after


async def test_absolute_lifetime_is_counted_from_the_login(harness_factory: HarnessFactory) -> None:
    harness = await harness_factory(max_age=3600, idle_timeout=None)
    await harness.login()
    for _ in range(3):  # activity rewrites the cookie (refresh) but does not extend the login
        harness.clock.advance(1000)
        status, _ = await harness.get_json("/me", headers=JSON)
        assert status == 200
    harness.clock.advance(700)
    status, _ = await harness.get_json("/me", headers=JSON)
    assert status == 401


async def test_idle_timeout(harness_factory: HarnessFactory) -> None:
    harness = await harness_factory(idle_timeout=600)
    await harness.login()
    harness.clock.advance(500)
    assert (await harness.get_json("/me", headers=JSON))[0] == 200
    harness.clock.advance(500)  # active 500 s ago: still in
    assert (await harness.get_json("/me", headers=JSON))[0] == 200
    harness.clock.advance(601)
    assert (await harness.get_json("/me", headers=JSON))[0] == 401


@pytest.mark.parametrize(
    ("settings", "later"),
    [({"idle_timeout": 600}, 601), ({"idle_timeout": None, "max_age": 3600}, 3601)],
    ids=["idle", "absolute"],
)
async def test_a_client_repeating_an_old_cookie_is_logged_out_on_time(
    harness_factory: HarnessFactory, settings: dict[str, int | None], later: int
) -> None:
    """The login cached for a Cookie header (the hot path) still expires: by the idle or absolute lifetime."""
    harness = await harness_factory(**settings)
    await harness.login()
    header = "; ".join(f"{name}={value}" for name, value in session_cookies(harness).items())

    async def status() -> int:
        async with harness.browser.get(f"{harness.origin}/me", headers={"Cookie": header, **JSON}) as resp:
            return resp.status

    assert await status() == 200
    harness.clock.advance(30)
    assert await status() == 200  # served from the cache
    harness.clock.advance(later - 30)
    assert await status() == 401


async def test_pending_transactions_are_bounded(harness: Harness) -> None:
    urls = [await harness.start_login(f"/tab{i}") for i in range(7)]
    # the two oldest tabs were dropped; the five newest still complete
    oldest = await harness.callback(await harness.at_provider(urls[0]))
    assert oldest.status == 400
    newest = await harness.callback(await harness.at_provider(urls[-1]))
    assert newest.status == 302
    assert newest.headers["Location"] == "/tab6"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("eid_session=abc", "abc"),
        ("a=1; eid_session=abc; b=2", "abc"),
        ("xeid_session=evil; eid_session=abc", "abc"),
        ("eid_session.1=second", None),
        ("other=eid_session=abc", None),
        ("", None),
    ],
)
def test_our_cookie_is_read_from_the_raw_header(header: str, expected: str | None) -> None:
    assert cookie_value(header, "eid_session") == expected
