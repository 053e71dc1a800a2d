"""itsme's claim names and acr values (``providers/itsme-openid-connect.md``).

The document writes the 2016-06 claims and acr values as
``tag:itsmetag:sixdots.be,2016-06:...`` and the 2017-05 claims as
``tag:sixdots.be,2017-05:...``; public itsme clients send ``tag:sixdots.be,...``
for all. The emulator accepts both spellings (:func:`canonical` maps the
document's to ``tag:sixdots.be,...``) and answers with the one that was sent.
"""

from __future__ import annotations

from aiohttp_eid.testing.oidc_provider.claims import SCOPE_CLAIMS

__all__ = [
    "ACR_ADVANCED",
    "ACR_BASIC",
    "CLAIM_CITY_OF_BIRTH",
    "CLAIM_COUNTRY_OF_BIRTH",
    "CLAIM_DEVICE",
    "CLAIM_EID",
    "CLAIM_NATIONALITY",
    "CLAIM_PASSPORT_SN",
    "CLAIM_PHOTO",
    "CLAIM_TRANSACTION_INFO",
    "DOCUMENT_TAG",
    "ITSME_CLAIMS",
    "ITSME_CLAIMS_SUPPORTED",
    "SHORT_NAMES",
    "TAG",
    "UNSUPPORTED_STANDARD_CLAIMS",
    "canonical",
]

TAG = "tag:sixdots.be,"
DOCUMENT_TAG = "tag:itsmetag:sixdots.be,"

ACR_BASIC = TAG + "2016-06:acr_basic"
ACR_ADVANCED = TAG + "2016-06:acr_advanced"

CLAIM_NATIONALITY = TAG + "2016-06:claim_nationality"
CLAIM_CITY_OF_BIRTH = TAG + "2016-06:claim_city_of_birth"
CLAIM_COUNTRY_OF_BIRTH = TAG + "2016-06:claim_country_of_birth"
CLAIM_EID = TAG + "2016-06:claim_eid"
CLAIM_PASSPORT_SN = TAG + "2017-05:claim_passport_sn"
CLAIM_DEVICE = TAG + "2017-05:claim_device"
CLAIM_TRANSACTION_INFO = TAG + "2017-05:claim_transaction_info"
CLAIM_PHOTO = TAG + "2017-05:claim_photo"

#: short names (as in aiohttp-eid's ``ItsmeConfig.claims``) -> claim URIs
SHORT_NAMES: dict[str, str] = {
    "nationality": CLAIM_NATIONALITY,
    "city_of_birth": CLAIM_CITY_OF_BIRTH,
    "country_of_birth": CLAIM_COUNTRY_OF_BIRTH,
    "eid": CLAIM_EID,
    "passport_sn": CLAIM_PASSPORT_SN,
    "device": CLAIM_DEVICE,
    "transaction_info": CLAIM_TRANSACTION_INFO,
    "photo": CLAIM_PHOTO,
}
ITSME_CLAIMS: tuple[str, ...] = tuple(SHORT_NAMES.values())

#: "Unsupported Standard Claims" of the document: never provided, even if requested
UNSUPPORTED_STANDARD_CLAIMS = frozenset(
    {"middle_name", "nickname", "preferred_username", "picture", "website", "zoneinfo", "updated_at"}
)
ITSME_CLAIMS_SUPPORTED: tuple[str, ...] = (
    "sub",
    *(
        name
        for scope in ("profile", "email", "address", "phone")
        for name in SCOPE_CLAIMS[scope]
        if name not in UNSUPPORTED_STANDARD_CLAIMS and name != "profile"
    ),
    *ITSME_CLAIMS,
)


def canonical(name: str) -> str:
    """``tag:sixdots.be,...`` for the document's ``tag:itsmetag:sixdots.be,...`` spelling."""
    if name.startswith(DOCUMENT_TAG):
        return TAG + name.removeprefix(DOCUMENT_TAG)
    return name
