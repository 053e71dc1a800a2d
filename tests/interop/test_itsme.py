"""itsme's profile against oidc-provider: an independent, OpenID-certified provider configured as itsme is."""

from __future__ import annotations

from tests.conftest import JSON
from tests.interop.conftest import Interop


async def test_login(itsme: Interop) -> None:
    resp = await itsme.login_through("itsme")
    assert resp.status == 302, await resp.text()
    status, body = await itsme.get_json("/me", headers=JSON)
    assert status == 200, body
    print(body)
