"""aiohttp-security's own API (check_authorized, check_permission, forget) works with our Identity."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from aiohttp import web
from aiohttp_security import (
    check_authorized,
    check_permission,
    forget,
    is_anonymous,
    remember,
)

from aiohttp_eid import Assurance, Identity
from aiohttp_eid.security import EidAuthorizationPolicy, EidIdentityPolicy, EidUserId, setup_security
from tests.ops.served import served_eidg
from tests.support.harness import HTML, JSON, Harness


async def may(identity: Identity, permission: Any, context: Any) -> bool:
    """An async permission check: reading is for everyone logged in, signing needs HIGH."""
    return permission == "read" or (permission == "sign" and identity.assurance >= Assurance.HIGH)


async def whoami(request: web.Request) -> web.Response:
    userid = await check_authorized(request)
    return web.json_response({"userid": userid, "anonymous": await is_anonymous(request)})


async def read(request: web.Request) -> web.Response:
    await check_permission(request, "read")
    return web.json_response({"read": True})


async def sign(request: web.Request) -> web.Response:
    await check_permission(request, "sign")
    return web.json_response({"signed": True})


async def security_logout(request: web.Request) -> web.Response:
    response = web.json_response({"forgotten": True})
    await forget(request, response)
    return response


async def remember_me(request: web.Request) -> web.Response:
    response = web.json_response({})
    await remember(request, response, "eidg:someone")
    return response


def secure(app: web.Application) -> None:
    setup_security(app, may)
    app.router.add_routes(
        [
            web.get("/whoami", whoami),
            web.get("/read", read),
            web.get("/sign", sign),
            web.get("/security-logout", security_logout),
            web.get("/remember", remember_me),
        ]
    )


@pytest.fixture
async def harness(unused_tcp_port_factory: Callable[[], int]) -> AsyncIterator[Harness]:
    async with served_eidg(unused_tcp_port_factory(), secure) as harness:
        yield harness


async def test_anonymous_requests_are_unauthorized_and_hold_no_permission(harness: Harness) -> None:
    assert (await harness.get_json("/whoami", headers=JSON))[0] == 401
    assert (await harness.get_json("/read", headers=JSON))[0] == 401


async def test_check_authorized_and_check_permission_with_our_identity(harness: Harness) -> None:
    assert (await harness.login()).status == 302  # SPID level 2: SUBSTANTIAL
    status, body = await harness.get_json("/whoami", headers=JSON)
    assert status == 200
    me = (await harness.get_json("/me", headers=JSON))[1]["identity"]
    assert body == {"userid": f"eidg:{me['subject']}", "anonymous": False}
    assert (await harness.get_json("/read", headers=JSON))[0] == 200
    assert (await harness.get_json("/sign", headers=JSON))[0] == 403  # HIGH needed


async def test_forget_logs_out_for_good(harness: Harness) -> None:
    await harness.login()
    assert (await harness.get_json("/security-logout", headers=JSON))[0] == 200
    assert (await harness.get_json("/whoami", headers=JSON))[0] == 401
    assert (await harness.get_json("/", headers=JSON))[1]["identity"] is None
    assert harness.emulator.counters["logout"] == 1  # the provider's tokens were ended too


async def test_remember_is_refused_logins_come_from_the_provider(harness: Harness) -> None:
    resp = await harness.client.get("/remember", headers=HTML)
    assert resp.status == 500
    assert (await harness.get_json("/whoami", headers=JSON))[0] == 401


async def test_the_policies_refuse_identities_they_did_not_make() -> None:
    policy = EidAuthorizationPolicy(may)
    assert await policy.authorized_userid("eidg:RSSMRA80A01H501U") is None
    assert await policy.permits("eidg:RSSMRA80A01H501U", "read") is False
    assert await policy.permits(None, "read") is False
    identity = Identity(provider="eidg", subject="X", assurance=Assurance.HIGH)
    assert await EidAuthorizationPolicy().permits(EidUserId(identity), "read") is False  # fails closed
    assert await policy.permits(EidUserId(identity), "sign") is True
    assert await policy.authorized_userid(EidUserId(identity)) == "eidg:X"
    assert isinstance(EidIdentityPolicy(), EidIdentityPolicy)
