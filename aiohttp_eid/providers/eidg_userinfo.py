"""EIDG's user-info data model ("User info model" in its document) -> ``Identity``.

Absent values arrive as JSON null or as the string "null": both mean None.
The assurance level comes from what happened (``electronicId.name`` and, for
SPID and CIE, the SAML ``AuthnContextClassRef``), never from what was asked.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from ..errors import TokenValidationError
from ..identity import (
    Address,
    Assurance,
    ElectronicId,
    Identity,
    IdentityDocument,
    PlaceOfBirth,
)
from ..oidc.claims import claim_date
from .eidg_saml import authn_context_class_ref

__all__ = ["DEFAULT_LEVELS", "KNOWN_FIELDS", "assurance_of", "method_level", "to_identity"]

log = logging.getLogger("aiohttp_eid.eidg")

KNOWN_FIELDS = frozenset(
    {
        "version",
        "givenName",
        "familyName",
        "birthPlace",
        "birthDate",
        "gender",
        "taxID",
        "vatID",
        "telephone",
        "email",
        "digitalAddress",
        "address",
        "electronicId",
        "physicalId",
        "_idp",
        "_rawRequest",
        "_rawResponse",
    }
)
KNOWN_MAJOR_VERSION = "1"

SPID_L1, SPID_L2, SPID_L3 = (f"https://www.spid.gov.it/SpidL{n}" for n in (1, 2, 3))
#: level value (SAML class ref, or electronicId.name) -> Assurance; overridable per provider
DEFAULT_LEVELS: Mapping[str, Assurance] = {
    SPID_L1: Assurance.LOW,
    SPID_L2: Assurance.SUBSTANTIAL,
    SPID_L3: Assurance.HIGH,
    "CIE": Assurance.HIGH,
    "FranceConnect": Assurance.LOW,
    "FranceConnectPlus": Assurance.SUBSTANTIAL,
    "FranceConnect+": Assurance.SUBSTANTIAL,
}
# the methods' nominal levels, to choose acr_values for a step-up
_METHOD_LEVELS = {
    "SPID_LEVEL_1": Assurance.LOW,
    "SPID_LEVEL_2": Assurance.SUBSTANTIAL,
    "SPID_LEVEL_3": Assurance.HIGH,
    "CIE": Assurance.HIGH,
    "FRANCECONNECT": Assurance.LOW,
    "FRANCECONNECTPLUS": Assurance.SUBSTANTIAL,
}
_TAX_PREFIX = re.compile(r"TIN([A-Z]{2})-(.+)")
_VAT_PREFIX = re.compile(r"VAT([A-Z]{2})-(.+)")
_ITALIAN_TAX_CODE = re.compile(r"[A-Z]{6}[0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]|\d{11}")
_warned_versions: set[str] = set()


def method_level(method_name: str, levels: Mapping[str, Assurance]) -> Assurance:
    """The level a method (``SPID_LEVEL_2``, ``CIE``...) asks for."""
    return levels.get(method_name) or _METHOD_LEVELS.get(method_name.upper(), Assurance.LOW)


def assurance_of(body: Mapping[str, Any], levels: Mapping[str, Assurance]) -> tuple[Assurance, str | None]:
    """(level, the value it was read from) of a user-info answer; the lowest when unknown."""
    eid = body.get("electronicId")
    kind = _text(eid.get("name")) if isinstance(eid, Mapping) else None
    saml = kind in ("SPID", "CIE")
    class_ref = authn_context_class_ref(body.get("_rawResponse")) if saml else None
    # fail closed: a SPID or CIE login whose SAML level is missing, unreadable or ambiguous is the lowest
    acr = class_ref if saml else kind
    level = levels.get(acr) if acr else None
    return (level or Assurance.LOW), acr


def to_identity(
    body: Any,
    *,
    provider: str,
    levels: Mapping[str, Assurance],
    authenticated_at: float | None,
) -> tuple[Identity, dict[str, Any]]:
    """(Identity, the fields it does not map) of a user-info answer."""
    if not isinstance(body, Mapping):
        raise TokenValidationError("user-info answer is not a JSON object", provider=provider)
    _check_version(body.get("version"), provider)
    tax_id, tax_country = _tax_id(_text(body.get("taxID")))
    vat_id = _vat_id(_text(body.get("vatID")))
    eid = _part(body, "electronicId")
    electronic_id = (
        ElectronicId(
            kind=_text(eid.get("name")),
            country=_text(eid.get("country")),
            id=_text(eid.get("id")),
            expires_on=_date(eid.get("expirationDate")),
        )
        if eid
        else None
    )
    subject = tax_id or vat_id or (electronic_id.id if electronic_id else None)
    if not subject:
        raise TokenValidationError("user-info answer has no tax ID, VAT ID or electronic ID", provider=provider)
    assurance, acr = assurance_of(body, levels)
    birth = _part(_part(body, "birthPlace"), "address")
    doc = _part(body, "physicalId")
    identity = Identity(
        provider=provider,
        subject=subject,
        assurance=assurance,
        acr=acr,
        authenticated_at=authenticated_at,
        given_name=_text(body.get("givenName")),
        family_name=_text(body.get("familyName")),
        birth_date=_date(body.get("birthDate")),
        gender=_text(body.get("gender")),
        tax_id=tax_id,
        tax_id_country=tax_country,
        vat_id=vat_id,
        phone=_text(body.get("telephone")),
        email=_text(body.get("email")),
        certified_email=_text(body.get("digitalAddress")),
        address=_address(_part(body, "address")),
        place_of_birth=PlaceOfBirth(
            locality=_text(birth.get("addressLocality")),
            region=_text(birth.get("addressRegion")),
            country=_text(birth.get("addressCountry")),
        )
        if any(_text(v) for v in birth.values())
        else None,
        electronic_id=electronic_id,
        id_document=IdentityDocument(
            kind=_text(doc.get("name")),
            number=_text(doc.get("documentNumber")),
            issuer=_text(doc.get("issuer")),
            issued_on=_date(doc.get("issuerDate")),
            expires_on=_date(doc.get("expirationDate")),
        )
        if any(_text(v) for v in doc.values())
        else None,
        identity_provider=_text(body.get("_idp")),
    )
    extra = {k: v for k, v in body.items() if k not in KNOWN_FIELDS}
    return identity, extra


def _text(value: Any) -> str | None:
    if type(value) is not str:  # JSON gives exact str: the usual case checks nothing more
        if isinstance(value, bool) or value is None:
            return None
        if isinstance(value, int | float):
            value = str(value)
        elif not isinstance(value, str):
            return None
    value = value.strip()
    return None if not value or value.lower() == "null" else value


def _date(value: Any) -> date | None:
    text = _text(value)
    parsed = claim_date(text)
    if text is not None and parsed is None:
        log.warning("user-info has a malformed date; ignored")
    return parsed


def _part(body: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    value = body.get(name)
    return value if isinstance(value, Mapping) else {}


def _address(part: Mapping[str, Any]) -> Address | None:
    address = Address(
        street_address=_text(part.get("streetAddress")),
        postal_code=_text(part.get("postalCode")),
        locality=_text(part.get("addressLocality")),
        region=_text(part.get("addressRegion")),
        country=_text(part.get("addressCountry")),
    )
    return address if any(_text(v) for v in part.values()) else None


def _tax_id(value: str | None) -> tuple[str | None, str | None]:
    """("LVLDAA85T50G702B", "IT") from "TINIT-LVLDAA85T50G702B" or from the bare Italian code."""
    if value is None:
        return None, None
    value = value.upper()
    match = _TAX_PREFIX.fullmatch(value)
    if match:
        return match.group(2), match.group(1)
    return value, "IT" if _ITALIAN_TAX_CODE.fullmatch(value) else None


def _vat_id(value: str | None) -> str | None:
    """ "IT12345678901" from "VATIT-12345678901" or as given."""
    if value is None:
        return None
    match = _VAT_PREFIX.fullmatch(value.upper())
    return match.group(1) + match.group(2) if match else value.upper()


def _check_version(version: Any, provider: str) -> None:
    text = _text(version) or "missing"
    if text.split(".")[0] != KNOWN_MAJOR_VERSION and text not in _warned_versions:
        _warned_versions.add(text)
        log.warning("provider %s: user-info model version %s is not the known 1.x", provider, text[:16])
