"""Every text a user can read exists in every language we serve, and the language is negotiated."""

from __future__ import annotations

import pytest

from aiohttp_eid.messages import LOCALES, MESSAGES, UI, negotiate
from aiohttp_eid.providers.eidg_errors import EIDG_ERRORS
from aiohttp_eid.providers.openid_errors import OIDC_ERRORS


def test_every_message_and_label_in_every_locale() -> None:
    assert set(LOCALES) == {"en", "it", "fr", "nl", "de"}
    for table in (MESSAGES, UI):
        for key, texts in table.items():
            assert set(texts) == set(LOCALES), key


def test_every_error_table_points_at_a_message() -> None:
    keys = {spec.message for spec in EIDG_ERRORS.values()} | {message for _, _, message, _ in OIDC_ERRORS.values()}
    assert keys <= set(MESSAGES)


@pytest.mark.parametrize(
    ("hints", "accept", "expected"),
    [
        ((), "nl-BE,nl;q=0.9,en;q=0.5", "nl"),
        ((), "de;q=0.2, fr;q=0.8", "fr"),
        (("it",), "fr", "it"),
        ((), "es, pt", "en"),
        ((), "fr;q=0", "en"),
        ((None,), "", "en"),
    ],
)
def test_negotiation(hints: tuple[str | None, ...], accept: str, expected: str) -> None:
    assert negotiate(hints, accept, "en") == expected
