"""What must never reach a log: the test users' personal data, the suite's secrets, and JOSE objects."""

from __future__ import annotations

import base64
import dataclasses
import re
from collections.abc import Iterator

from aiohttp_eid.testing import DEFAULT_EIDG_USERS, DEFAULT_ITSME_USERS
from tests.support.harness import CLIENT_SECRET, SESSION_KEY


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            if field.name not in {"key", "gender", "idp", "physical_id_name", "os", "locale", "nationality"}:
                yield from _strings(getattr(value, field.name))
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)


def _personal_values() -> set[str]:
    values: set[str] = {CLIENT_SECRET, SESSION_KEY}
    for user in (*DEFAULT_EIDG_USERS, *DEFAULT_ITSME_USERS):
        for value in _strings(user):
            if len(value) >= 5 and value.lower() not in {"null", "true", "false"}:
                values.add(value)
                if value.startswith(("TIN", "VAT")):
                    values.add(value.rpartition("-")[2])  # "TINIT-CODE": the bare code too
    return values


PERSONAL_VALUES = _personal_values()

_JOSE_HEADER_CANDIDATE = re.compile(r"eyJ[A-Za-z0-9_-]{8,}")


def holds_jose(text: str | bytes) -> bool:
    """Whether ``text`` holds a JOSE segment: base64url that decodes to at least 12 bytes of JSON text.

    A bare ``"eyJ"`` test is not enough: random base64url (states, ciphertexts) holds it by chance,
    while 12 printable bytes after ``{"`` happen by chance about once in 150,000 candidates.
    """
    if isinstance(text, bytes):
        text = text.decode("ascii", "replace")
    for match in _JOSE_HEADER_CANDIDATE.finditer(text):
        segment = match.group()[:32]
        decoded = base64.urlsafe_b64decode(segment[: len(segment) // 4 * 4])
        if len(decoded) >= 12 and all(0x20 <= byte < 0x7F for byte in decoded):
            return True
    return False
