"""(2) The back channel keeps its connections to a provider alive and reuses them (issue 14 part 2)."""

from __future__ import annotations

from tests.support.harness import Harness, HarnessFactory

LOGINS = 5


async def test_eidg_logins_share_one_kept_alive_connection(harness: Harness) -> None:
    for _ in range(LOGINS):
        resp = await harness.login("/me")
        assert resp.status == 302
    calls = harness.emulator.requests["token"] + harness.emulator.requests["user-info"]
    assert len(calls) == 2 * LOGINS
    peers = {call.peer for call in calls}
    assert None not in peers
    # ten back-channel calls over one connection: none was opened per call or per login
    assert len(peers) == 1, peers


async def test_itsme_logins_share_one_kept_alive_connection(itsme_factory: HarnessFactory) -> None:
    harness = await itsme_factory()
    for _ in range(LOGINS):
        resp = await harness.login("/me", provider="itsme")
        assert resp.status == 302
    calls = [call for endpoint in ("token", "userinfo") for call in harness.emulator.requests[endpoint]]
    assert len(calls) == 2 * LOGINS
    assert len({call.peer for call in calls}) == 1
