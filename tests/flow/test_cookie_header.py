"""(4) Our cookies read strictly from the Cookie header: ';' separates pairs, names match exactly.

The attack: a sibling subdomain or a plain-HTTP page plants ``z=1 __Host-eid_session=ATTACKER``
(a space is legal inside a cookie value), so the browser sends
``z=1 __Host-eid_session=ATTACKER; __Host-eid_session=VICTIM``. The attacker's login must
never be used; a cookie of ours given twice with different values makes the request anonymous.
"""

from __future__ import annotations

import logging

import pytest
from aiohttp import web
from aiohttp.test_utils import make_mocked_request
from aiohttp_session import Session
from multidict import CIMultiDict

from aiohttp_eid.session import cookies
from aiohttp_eid.session.cookie_storage import ChunkedCookieStorage
from aiohttp_eid.session.cookies import chunk_values, cookie_present, cookie_value, cookie_values
from aiohttp_eid.session.crypto import derive_sealer
from tests.support.harness import JSON, Harness

HOST = "__Host-eid_session"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (f"z=1 {HOST}=ATTACKER; {HOST}=VICTIM", ["VICTIM"]),
        (f"z=1 {HOST}=ATTACKER", []),
        (f"{HOST}=VICTIM; z=1 {HOST}=ATTACKER", ["VICTIM"]),
        (f"z={HOST}=ATTACKER; {HOST}=VICTIM", ["VICTIM"]),
        (f"x{HOST}=evil; {HOST}=abc", ["abc"]),
        (f"{HOST}.1=second", []),
        (f"{HOST}=a=b=c", ["a=b=c"]),  # split on the first '=' only
        (f"  {HOST} = abc ;b=2", ["abc"]),  # blanks around names and values are trimmed
        (f"a=1;{HOST}=abc", ["abc"]),  # no space after ';' (curl, scripts)
        (f"a=1;\t{HOST}=abc", ["abc"]),
        (f"{HOST}=one; {HOST}=two", ["one", "two"]),
        (f"{HOST}; other=1", []),  # a nameless cookie whose value is our name
        (f"{HOST}=", [""]),
        ("", []),
    ],
)
def test_pairs_are_split_on_semicolons_only(header: str, expected: list[str]) -> None:
    assert cookie_values(header, HOST) == expected


def test_our_cookie_given_twice_with_different_values_is_no_cookie_and_is_logged_once(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cookies, "_conflicts", cookies._ConflictLog())  # as in a fresh process
    header = f"{HOST}=VICTIM; {HOST}=PLANTED"
    assert cookie_value(header, HOST) is None
    assert cookie_value(header, HOST) is None
    assert chunk_values(header, HOST, 2) is None
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1  # once, not once per request: at most once a minute
    assert HOST in warnings[0]
    assert "VICTIM" not in warnings[0]
    assert "PLANTED" not in warnings[0]
    assert cookie_present(header, HOST)
    # the same value twice (a browser sending an identical duplicate) is that value
    assert cookie_value(f"{HOST}=same; a=1; {HOST}=same", HOST) == "same"


@pytest.mark.parametrize(
    "header",
    [
        f"{HOST}=abc",
        f"{HOST}=abc; z=1",
        f"z=1; {HOST}=abc",
        f"z=1;{HOST}=abc",
        f"z=1;  {HOST}=abc",
        f"z=1; {HOST}= abc",
        f"z=1; {HOST}=abc ; y=2",
        f"z=1; {HOST}=",
        f"z=1; {HOST}=; y=2",
        f"z=1; {HOST} =abc",
        f"z=1 {HOST}=abc",
        f"z={HOST}=abc",
        f"x{HOST}=abc",
        f"{HOST}.1=abc; {HOST}=def",
        f"{HOST}=abc; {HOST}=def",
        f"{HOST}=abc; z={HOST}",
        f"{HOST}=a=b; z=1",
        f"\t{HOST}=abc",
        f"; {HOST}=abc",
        f"{HOST}",
    ],
)
def test_the_fast_reading_of_the_usual_header_gives_the_general_answer(header: str) -> None:
    assert cookies.only_span(header, HOST) == cookies._general_span(header, HOST, header.find(HOST))


def storage(name: str = HOST) -> ChunkedCookieStorage:
    return ChunkedCookieStorage(derive_sealer([b"k" * 32], "cookie"), cookie_name=name, secure=True, max_age=3600)


def sealed(st: ChunkedCookieStorage, payload: dict[str, str]) -> list[str]:
    session = Session(None, data=None, new=True)
    session.update(payload)
    return st.seal(session)


def request_with(header: str) -> web.Request:
    return make_mocked_request("GET", "/", headers=CIMultiDict({"Cookie": header}))


# Cookie headers as Chrome, Firefox and Safari send them: "; " between pairs, other sites' cookies around
# ours, a nameless cookie sent as its bare value, quoted values, and the chunks in either order (browsers
# order cookies by path length, then creation time, so a rewritten first chunk can come after the second).
BROWSER_SHAPES = {
    "chrome": "_ga=GA1.1.1950294870.1700000000; {c0}; {c1}; _ga_XYZ=GS1.1.1700000000.1.0.1700000000.0.0.0",
    "firefox": "consent=%7B%22analytics%22%3Afalse%7D; {c1}; {c0}",
    "safari": '{c0}; theme="dark mode"; {c1}',
    "nameless": "bare-value-cookie; {c0}; {c1}",
    "curl": "{c0};{c1}",
}


@pytest.mark.parametrize("shape", sorted(BROWSER_SHAPES))
async def test_browser_header_shapes_with_two_chunks(shape: str) -> None:
    st = storage()
    values = sealed(st, {"blob": "x" * 4000})
    assert len(values) == 2
    header = BROWSER_SHAPES[shape].format(c0=f"{HOST}={values[0]}", c1=f"{HOST}.1={values[1]}")
    loaded = await st.load_session(request_with(header))
    assert loaded["blob"] == "x" * 4000


async def test_a_planted_copy_of_either_chunk_makes_the_request_anonymous() -> None:
    st = storage()
    victim = sealed(st, {"who": "victim", "blob": "v" * 4000})
    attacker = sealed(st, {"who": "attacker", "blob": "a" * 4000})
    for header in (
        f"{HOST}={victim[0]}; {HOST}.1={victim[1]}; {HOST}={attacker[0]}",
        f"{HOST}={victim[0]}; {HOST}.1={attacker[1]}; {HOST}.1={victim[1]}",
    ):
        assert (await st.load_session(request_with(header))).empty


async def test_the_attack_header_never_logs_the_victim_in_as_the_attacker(harness: Harness) -> None:
    """The attacker's real, logged-in cookie hidden in a planted cookie's value is not read."""
    name = "eid_session"  # the harness serves plain HTTP on loopback, so no __Host- prefix
    anonymous = await harness.client.get("/auth/eidg/login?next=/", allow_redirects=False)
    victim = anonymous.cookies[name].value  # a session of the victim's own, not logged in
    await harness.login()
    attacker = {c.key: c.value for c in harness.client.session.cookie_jar}[name]  # logged in
    harness.client.session.cookie_jar.clear()

    async def me(header: str) -> int:
        async with harness.browser.get(f"{harness.origin}/me", headers={"Cookie": header, **JSON}) as resp:
            return resp.status

    assert await me(f"{name}={attacker}") == 200
    assert await me(f"z=1 {name}={attacker}; {name}={victim}") == 401
    assert await me(f"{name}={victim}; z=1 {name}={attacker}") == 401
    # the attacker's login planted beside the victim's own cookie: nobody can tell which is whose
    assert await me(f"{name}={victim}; {name}={attacker}") == 401
    assert await me(f"{name}={attacker}; {name}={victim}") == 401  # a logged-in pair first, a planted one after
    assert await me(f"{name}={attacker}; {name}={attacker}") == 200
    # the fast path of a logged-in request takes exactly the pair's value: no more, no less
    assert await me(f"{name}={attacker}; z=1") == 200
    assert await me(f"{name}={attacker}x") == 401
    assert await me(f"{name}={attacker}x; z=1") == 401
    assert await me(f"{name}={attacker[:-1]}") == 401
    assert await me(f"z=1 {name}={attacker}") == 401  # inside another cookie's value: not a pair of ours
