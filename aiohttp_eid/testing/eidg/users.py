"""Test users of the EIDG emulator and the document's user-info model.

Field values are sent exactly as given: ``None`` becomes JSON ``null`` and the
string ``"null"`` stays a string, as the real service sends both.
All data is fake.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from aiohttp_eid.testing.eidg.errors import channel

__all__ = ["DEFAULT_EIDG_USERS", "EidgUser", "electronic_id_name", "user_info"]

CIE_IDP = "https://idserver.servizicie.interno.gov.it/idp/profile/SAML2/POST/SSO"
FRANCECONNECT_IDP = "https://fcp.integ01.dev-franceconnect.fr"


@dataclass(frozen=True)
class EidgUser:
    """One person (or company) the emulator can log in, field by field as EIDG sends it."""

    key: str
    given_name: str | None = None
    family_name: str | None = None
    birth_date: str | None = None
    gender: str | None = None
    tax_id: str | None = None
    vat_id: str | None = None
    telephone: str | None = None
    email: str | None = None
    digital_address: str | None = None
    # birthPlace.address
    birth_street_address: str | None = None
    birth_postal_code: str | None = None
    birth_region: str | None = None
    birth_locality: str | None = None
    birth_country: str | None = None
    # address (residence)
    street_address: str | None = None
    postal_code: str | None = None
    region: str | None = None
    locality: str | None = None
    country: str | None = None
    # electronicId (name and country come from the method used)
    electronic_id: str | None = None
    electronic_id_expiration: str | None = None
    # physicalId
    physical_id_name: str | None = None
    physical_id_number: str | None = None
    physical_id_issuer: str | None = None
    physical_id_issue_date: str | None = None
    physical_id_expiration: str | None = None
    idp: str = "https://demo.spid.gov.it"
    extra: Mapping[str, object] = field(default_factory=dict, hash=False)

    @property
    def subject(self) -> str:
        """``electronicId.id``: the given one, or one derived from the key."""
        return self.electronic_id or f"EMU-{self.key.upper()}"

    @property
    def display_name(self) -> str:
        names = [n for n in (self.given_name, self.family_name) if n and n != "null"]
        return " ".join(names) or str(self.extra.get("companyName") or self.vat_id or self.key)


def electronic_id_name(method: str) -> str:
    """``electronicId.name`` for a method: SPID, CIE, FranceConnect or FranceConnectPlus."""
    if channel(method) == "SPID":
        return "SPID"
    return method


def idp_for(user: EidgUser, method: str) -> str:
    """``_idp``: the identity provider that authenticated the user with ``method``."""
    kind = channel(method)
    if kind == "CIE":
        return CIE_IDP
    if kind == "FranceConnect":
        return FRANCECONNECT_IDP
    return user.idp


def user_info(user: EidgUser, method: str, raw_request: str | None, raw_response: str | None) -> dict[str, object]:
    """The ``/user-info`` JSON, in the document's field order, plus ``user.extra``."""
    info: dict[str, object] = {
        "version": "1.0",
        "givenName": user.given_name,
        "familyName": user.family_name,
        "birthPlace": {
            "address": {
                "streetAddress": user.birth_street_address,
                "postalCode": user.birth_postal_code,
                "addressRegion": user.birth_region,
                "addressLocality": user.birth_locality,
                "addressCountry": user.birth_country,
            }
        },
        "birthDate": user.birth_date,
        "gender": user.gender,
        "taxID": user.tax_id,
        "vatID": user.vat_id,
        "telephone": user.telephone,
        "email": user.email,
        "digitalAddress": user.digital_address,
        "address": {
            "streetAddress": user.street_address,
            "postalCode": user.postal_code,
            "addressRegion": user.region,
            "addressLocality": user.locality,
            "addressCountry": user.country,
        },
        "electronicId": {
            "name": electronic_id_name(method),
            "country": "FR" if channel(method) == "FranceConnect" else "IT",
            "id": user.subject,
            "expirationDate": user.electronic_id_expiration,
        },
        "physicalId": {
            "name": user.physical_id_name,
            "documentNumber": user.physical_id_number,
            "issuer": user.physical_id_issuer,
            "issuerDate": user.physical_id_issue_date,
            "expirationDate": user.physical_id_expiration,
        },
        "_idp": idp_for(user, method),
        "_rawRequest": raw_request,
        "_rawResponse": raw_response,
    }
    info.update(user.extra)
    return info


ADA = EidgUser(
    # The document's example: "null" strings and JSON nulls side by side, TINIT- tax ID.
    key="ada",
    given_name="Ada",
    family_name="Lovelace",
    birth_date="1985-12-10",
    gender="F",
    tax_id="TINIT-LVLDAA85T50G702B",
    vat_id=None,
    telephone="3939393939",
    email="ada.lovelace@example.org",
    digital_address="null",
    birth_street_address="null",
    birth_postal_code="null",
    birth_region="PI",
    birth_locality="PISA",
    birth_country="IT",
    street_address="Via Listz 21",
    postal_code="00144",
    region="RM",
    locality="Roma",
    country="IT",
    electronic_id="SPID-002",
    electronic_id_expiration=None,
    physical_id_name="passaporto",
    physical_id_number="KK1234567",
    physical_id_issuer="questuraLivorno",
    physical_id_issue_date="2016-09-04",
    physical_id_expiration="2026-09-03",
    idp="https://demo.spid.gov.it",
)

MARISA = EidgUser(
    # The document's data-model table: tax ID without prefix, residence, ID card.
    key="marisa",
    given_name="Marisa",
    family_name="Italia",
    birth_date="1930-01-01",
    gender="F",
    tax_id="TLIMRS30A41H501K",
    telephone="+393330000100",
    email="marisa.italia@example.org",
    digital_address="marisa.italia@pec.example.org",
    birth_region="RM",
    birth_locality="ROMA",
    birth_country="IT",
    street_address="Via Delle Robe 20",
    postal_code="10156",
    region="TO",
    locality="Torino",
    country="IT",
    electronic_id="INFC0000012739",
    electronic_id_expiration="2034-08-24",
    physical_id_name="cartaIdentita",
    physical_id_number="AV0639329",
    physical_id_issuer="ComunePianoro",
    physical_id_issue_date="2024-03-21",
    physical_id_expiration="2034-08-22",
    idp="https://identity.infocert.it",
)

ACME = EidgUser(
    # A company (SPID for legal persons): VAT number, no tax ID, no person names.
    key="acme",
    vat_id="IT12345678901",
    email="info@acme.example.org",
    digital_address="acme@pec.example.org",
    street_address="Via dell'Industria 1",
    postal_code="20121",
    region="MI",
    locality="Milano",
    country="IT",
    electronic_id="SPID-ACME-001",
    electronic_id_expiration="2030-01-31",
    idp="https://demo.spid.gov.it",
)

DEFAULT_EIDG_USERS: tuple[EidgUser, ...] = (ADA, MARISA, ACME)
"""The EIDG emulator's fake users: ``ada`` (the document's example, with null fields), ``marisa`` (a residence
address and an ID card), ``acme`` (a company)."""
