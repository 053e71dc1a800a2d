"""itsme's claims: one table of names, and the mapping of an answer to ``Identity``.

itsme's document writes its 2016-06 claims and acr values as
``tag:itsmetag:sixdots.be,2016-06:...``, which is not a valid tag URI (RFC 4151),
and its 2017-05 claims as ``tag:sixdots.be,2017-05:...``. We send
``tag:sixdots.be,...`` for every claim and acr value and accept both forms on input.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from typing import Any

from ..identity import Assurance, Device, Identity, IdentityDocument, PlaceOfBirth
from ..oidc.claims import claim_date, claim_text, standard_fields

__all__ = ["ACR", "CLAIM_NAMES", "canonical", "full_claim_name", "to_identity"]

_TAG = "tag:sixdots.be,"
_DOCUMENT_TAG = "tag:itsmetag:sixdots.be,"

#: short name (config) -> claim URI (sent)
CLAIM_NAMES: dict[str, str] = {
    "nationality": _TAG + "2016-06:claim_nationality",
    "city_of_birth": _TAG + "2016-06:claim_city_of_birth",
    "country_of_birth": _TAG + "2016-06:claim_country_of_birth",
    "eid": _TAG + "2016-06:claim_eid",
    "passport_sn": _TAG + "2017-05:claim_passport_sn",
    "device": _TAG + "2017-05:claim_device",
    "transaction_info": _TAG + "2017-05:claim_transaction_info",
    "photo": _TAG + "2017-05:claim_photo",
}
_BY_URI = {uri: short for short, uri in CLAIM_NAMES.items()}

#: configured level -> acr value (sent)
ACR: dict[str, str] = {"basic": _TAG + "2016-06:acr_basic", "advanced": _TAG + "2016-06:acr_advanced"}
LEVELS: dict[str, Assurance] = {ACR["basic"]: Assurance.SUBSTANTIAL, ACR["advanced"]: Assurance.HIGH}

_DEVICE_FIELDS = {
    "os": "os",
    "osRelease": "os_release",
    "appName": "app_name",
    "appRelease": "app_release",
    "sdkRelease": "sdk_release",
    "deviceLabel": "label",
    "deviceId": "device_id",
    "manufacturer": "manufacturer",
    "deviceModel": "model",
    "hasSimEnabled": "has_sim",
    "deviceLockLevel": "lock_level",
    "smsEnabled": "sms_enabled",
    "rooted": "rooted",
    "debugEnabled": "debug_enabled",
    "imei": "imei",
    "msisdn": "msisdn",
}
_BOOL_FIELDS = {"has_sim", "sms_enabled", "rooted", "debug_enabled"}


def canonical(uri: str) -> str:
    """The ``tag:sixdots.be,...`` form of an itsme URI given in either form."""
    return _TAG + uri[len(_DOCUMENT_TAG) :] if uri.startswith(_DOCUMENT_TAG) else uri


def full_claim_name(name: str) -> str | None:
    """The URI to send for a configured claim (a short name, or a URI in either form); None if unknown."""
    if name in CLAIM_NAMES:
        return CLAIM_NAMES[name]
    uri = canonical(name)
    # a claim BMID names that our table does not know yet is sent as given (mapped to nothing)
    return uri if uri.startswith(_TAG) else None


def _by_short_name(claims: Mapping[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for name, value in claims.items():
        short = _BY_URI.get(canonical(name))
        if short is not None:
            found[short] = value
    return found


def _device(value: Any) -> Device | None:
    if not isinstance(value, Mapping):
        return None
    fields: dict[str, Any] = {}
    for source, target in _DEVICE_FIELDS.items():
        item = value.get(source)
        if target in _BOOL_FIELDS:
            fields[target] = item if isinstance(item, bool) else None
        else:
            fields[target] = claim_text(item)
    return Device(**fields)


def _eid_card(value: Any) -> IdentityDocument | None:
    if not isinstance(value, Mapping):
        return None
    return IdentityDocument(
        kind="eid",
        number=claim_text(value.get("eid")),
        issuer=claim_text(value.get("issuance_locality")),
        valid_from=claim_date(value.get("validity_from")),
        expires_on=claim_date(value.get("validity_to")),
        read_on=claim_date(value.get("read_date")),
    )


def _photo(value: Any) -> bytes | None:
    text = claim_text(value)
    if text is None:
        return None
    try:
        return base64.b64decode(text.split(",", 1)[-1], validate=False)  # also a data: URL
    except (binascii.Error, ValueError):
        return None


def to_identity(
    claims: Mapping[str, Any],
    *,
    provider: str,
    subject: str,
    assurance: Assurance,
    acr: str | None,
    authenticated_at: float | None,
) -> tuple[Identity, bytes | None]:
    """(Identity, the E-ID photo) of the merged ID token and userinfo claims."""
    itsme = _by_short_name(claims)
    eid = itsme.get("eid")
    birth = (claim_text(itsme.get("city_of_birth")), claim_text(itsme.get("country_of_birth")))
    transaction = itsme.get("transaction_info")
    identity = Identity(
        provider=provider,
        subject=subject,
        assurance=assurance,
        acr=acr,
        id_token_subject=subject,
        authenticated_at=authenticated_at,
        nationality=claim_text(itsme.get("nationality")),
        national_number=claim_text(eid.get("national_number")) if isinstance(eid, Mapping) else None,
        place_of_birth=PlaceOfBirth(locality=birth[0], country=birth[1]) if any(birth) else None,
        id_document=_eid_card(eid),
        passport_number=claim_text(itsme.get("passport_sn")),
        device=_device(itsme.get("device")),
        transaction_info=dict(transaction) if isinstance(transaction, Mapping) else None,
        **standard_fields(claims),
    )
    return identity, _photo(itsme.get("photo"))
