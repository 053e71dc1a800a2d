"""docs/sessions.md: the ID token is stored only when a logout will need it as ``id_token_hint``."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import make_mocked_request
from multidict import CIMultiDict

from aiohttp_eid.runtime import RUNTIME
from tests.support.harness import Harness
from tests.support.providers import ProviderFactory


async def stored_tokens(harness: Harness) -> dict[str, object]:
    """The token record of the browser's stored login, opened with the application's key."""
    header = "; ".join(f"{c.key}={c.value}" for c in harness.client.session.cookie_jar)
    request = make_mocked_request("GET", "/", headers=CIMultiDict({"Cookie": header}))
    session = await harness.app[RUNTIME].storage.load_session(request)
    tokens: dict[str, object] = session["aiohttp_eid"]["login"]["tok"]
    return tokens


@pytest.mark.parametrize("end_session", [True, False])
async def test_an_oidc_id_token_is_stored_only_with_an_end_session_endpoint(
    oidc_factory: ProviderFactory, end_session: bool
) -> None:
    harness = await oidc_factory(emulator={"end_session": end_session})
    assert (await harness.login(provider="op")).status == 302
    assert ("i" in await stored_tokens(harness)) is end_session  # "i": the ID token, in the compact record
