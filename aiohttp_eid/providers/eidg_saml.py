"""Reads the ``AuthnContextClassRef`` out of a SAML 2.0 response, with a hardened parser.

The blob comes from EIDG's back channel (TLS, our access token), which already
checked the identity provider's signature; we only read the level it states.
The parser refuses any DTD (so no entity expansion, no external entities: the
"billion laughs" and XXE attacks), and the input is size-capped before parsing.
"""

from __future__ import annotations

import base64
import binascii
from xml.parsers import expat

__all__ = ["MAX_SAML_BYTES", "authn_context_class_ref"]

MAX_SAML_BYTES = 512 * 1024
_ASSERTION = "urn:oasis:names:tc:SAML:2.0:assertion"
_PATH = [
    f"{_ASSERTION} Assertion",
    f"{_ASSERTION} AuthnStatement",
    f"{_ASSERTION} AuthnContext",
    f"{_ASSERTION} AuthnContextClassRef",
]
_CLASS_REF = _PATH[-1]


class _Forbidden(Exception):
    pass


def _forbid(*_: object) -> None:
    raise _Forbidden


def authn_context_class_ref(raw_response: object) -> str | None:
    """The one class ref stated in the assertion of base64 ``raw_response``; None if not exactly one."""
    if not isinstance(raw_response, str) or not raw_response or len(raw_response) > MAX_SAML_BYTES * 4 // 3 + 4:
        return None
    try:
        xml = base64.b64decode(raw_response, validate=False)
    except (binascii.Error, ValueError):
        return None
    found: list[str] = []
    stack: list[str] = []
    text: list[str] = []
    push, pop = stack.append, stack.pop
    parser = expat.ParserCreate(namespace_separator=" ")

    # a call per element is most of the cost: text is collected only inside a class ref
    def start(name: str, _attrs: object) -> None:
        push(name)
        if name == _CLASS_REF:
            text.clear()
            parser.CharacterDataHandler = text.append

    def end(name: str) -> None:
        if name == _CLASS_REF:
            parser.CharacterDataHandler = None
            # the element path below the Response (or a bare Assertion) must end with _PATH
            if stack[-4:] == _PATH:
                found.append("".join(text).strip())
        pop()

    parser.buffer_text = True
    parser.StartDoctypeDeclHandler = _forbid
    parser.EntityDeclHandler = _forbid
    parser.ExternalEntityRefHandler = _forbid  # type: ignore[assignment]
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    try:
        parser.Parse(xml, True)
    except (_Forbidden, expat.ExpatError, ValueError):
        return None
    values = set(found)
    return values.pop() if len(values) == 1 else None
