"""Small steps several test modules take: a logged-in access token, the session's Set-Cookie headers."""

from __future__ import annotations

import aiohttp

from tests.support.harness import JSON, Harness

# The emulator's access tokens say expiresIn 360 but their JWT exp is 180 s after
# issue (as in EIDG's document): the earlier counts, minus the 30 s leeway.
DUE = 155


async def logged_in(harness: Harness) -> str:
    resp = await harness.login()
    assert resp.status == 302
    status, body = await harness.get_json("/token", headers=JSON)
    assert status == 200
    return str(body["access_token"])


def session_set_cookies(resp: aiohttp.ClientResponse) -> list[str]:
    return [h for h in resp.headers.getall("Set-Cookie", []) if h.startswith("eid_session")]


def has_lifetime(set_cookie: str) -> bool:
    attributes = [part.strip().split("=", 1)[0].lower() for part in set_cookie.split(";")[1:]]
    return "max-age" in attributes or "expires" in attributes
