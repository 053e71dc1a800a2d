"""EIDG's user-info model mapped to Identity, and the level read from the response."""

from __future__ import annotations

import base64
from datetime import date
from typing import Any

import pytest

from aiohttp_eid import Assurance, TokenValidationError
from aiohttp_eid.providers.eidg_saml import authn_context_class_ref
from aiohttp_eid.providers.eidg_userinfo import DEFAULT_LEVELS, to_identity

ASSERTION = "urn:oasis:names:tc:SAML:2.0:assertion"


def saml(level: str = "SpidL2", extra: str = "") -> str:
    xml = (
        f'{extra}<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="{ASSERTION}">'
        "<saml:Assertion><saml:AuthnStatement><saml:AuthnContext>"
        f"<saml:AuthnContextClassRef>https://www.spid.gov.it/{level}</saml:AuthnContextClassRef>"
        "</saml:AuthnContext></saml:AuthnStatement></saml:Assertion></samlp:Response>"
    )
    return base64.b64encode(xml.encode()).decode()


def ada(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "version": "1.0",
        "givenName": "Ada",
        "familyName": "Lovelace",
        "birthPlace": {
            "address": {
                "streetAddress": "null",
                "postalCode": None,
                "addressRegion": "PI",
                "addressLocality": "PISA",
                "addressCountry": "IT",
            }
        },
        "birthDate": "1985-12-10",
        "gender": "F",
        "taxID": "TINIT-LVLDAA85T50G702B",
        "vatID": "null",
        "telephone": "3939393939",
        "email": "ada@example.org",
        "digitalAddress": None,
        "address": {
            "streetAddress": "Via Listz 21",
            "postalCode": "00144",
            "addressRegion": "RM",
            "addressLocality": "Roma",
            "addressCountry": "IT",
        },
        "electronicId": {"name": "SPID", "country": "IT", "id": "INFC0000012739", "expirationDate": "2030-08-24"},
        "physicalId": {
            "name": "null",
            "documentNumber": None,
            "issuer": None,
            "issuerDate": None,
            "expirationDate": None,
        },
        "_idp": "https://demo.spid.gov.it",
        "_rawRequest": "cmVx",
        "_rawResponse": saml(),
        "futureField": {"x": 1},
    }
    body.update(changes)
    return body


def identity_of(body: dict[str, Any]) -> Any:
    return to_identity(body, provider="eidg", levels=DEFAULT_LEVELS, authenticated_at=1.0)


def test_fields_are_mapped_and_nulls_are_none() -> None:
    identity, extra = identity_of(ada())
    assert identity.subject == "LVLDAA85T50G702B"
    assert (identity.tax_id, identity.tax_id_country) == ("LVLDAA85T50G702B", "IT")
    assert identity.birth_date == date(1985, 12, 10)
    assert identity.vat_id is None
    assert identity.certified_email is None
    assert identity.place_of_birth is not None
    assert identity.place_of_birth.locality == "PISA"
    assert identity.address is not None
    assert identity.address.postal_code == "00144"
    assert identity.electronic_id is not None
    assert identity.electronic_id.expires_on == date(2030, 8, 24)
    assert identity.id_document is None  # every part "null" or null
    assert identity.identity_provider == "https://demo.spid.gov.it"
    assert (identity.assurance, identity.acr) == (Assurance.SUBSTANTIAL, "https://www.spid.gov.it/SpidL2")
    assert extra == {"futureField": {"x": 1}}


def test_tax_id_without_prefix_and_company_vat() -> None:
    identity, _ = identity_of(ada(taxID="TLIMRS30A41H501K"))
    assert (identity.tax_id, identity.tax_id_country) == ("TLIMRS30A41H501K", "IT")
    company, _ = identity_of(ada(taxID=None, vatID="VATIT-12345678901"))
    assert company.subject == "IT12345678901"
    eid_only, _ = identity_of(ada(taxID="null", vatID=None))
    assert eid_only.subject == "INFC0000012739"


def test_no_stable_identifier_fails() -> None:
    with pytest.raises(TokenValidationError):
        identity_of(ada(taxID=None, vatID=None, electronicId=None))


@pytest.mark.parametrize(
    ("eid", "raw", "level"),
    [
        ("SPID", saml("SpidL1"), Assurance.LOW),
        ("SPID", saml("SpidL3"), Assurance.HIGH),
        ("SPID", None, Assurance.LOW),  # unreadable level: the lowest
        ("CIE", saml("SpidL3"), Assurance.HIGH),
        ("CIE", None, Assurance.LOW),  # fail closed: no readable SAML level, the lowest
        ("FranceConnect", None, Assurance.LOW),
        ("FranceConnectPlus", None, Assurance.SUBSTANTIAL),
        ("Unknown", None, Assurance.LOW),
    ],
)
def test_level_comes_from_the_response(eid: str, raw: str | None, level: Assurance) -> None:
    identity, _ = identity_of(ada(electronicId={"name": eid, "id": "X1"}, _rawResponse=raw))
    assert identity.assurance is level


def test_repr_shows_no_personal_data() -> None:
    identity, _ = identity_of(ada())
    text = repr(identity) + repr(identity.address) + repr(identity.electronic_id)
    for value in ("Ada", "Lovelace", "LVLDAA85T50G702B", "Listz", "INFC"):
        assert value not in text


def test_identity_round_trips_through_the_session_form() -> None:
    identity, _ = identity_of(ada())
    assert type(identity).from_dict(identity.to_dict()) == identity


BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
)
XXE = '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'


@pytest.mark.parametrize("prefix", [BILLION_LAUGHS, XXE])
def test_saml_with_a_dtd_is_refused(prefix: str) -> None:
    assert authn_context_class_ref(saml(extra=prefix)) is None


def test_saml_with_two_different_levels_is_ambiguous() -> None:
    one = base64.b64decode(saml("SpidL1")).decode()
    two = one.replace("</samlp:Response>", base64.b64decode(saml("SpidL3")).decode().split(">", 1)[1])
    assert authn_context_class_ref(base64.b64encode(two.encode()).decode()) is None


@pytest.mark.parametrize("raw", [None, "", "!!!", 42, base64.b64encode(b"<not-closed").decode()])
def test_garbage_saml_has_no_level(raw: object) -> None:
    assert authn_context_class_ref(raw) is None


def test_the_documents_own_example_response() -> None:
    import re
    from pathlib import Path

    doc = Path(__file__).parents[3] / "shared" / "providers" / "infocert-eid-gateway.txt"
    if not doc.exists():
        pytest.skip("the provider document (../shared) is not beside the repository")
    raw = re.search(r'"_rawResponse": "([A-Za-z0-9+/=]+)', doc.read_text())
    assert raw
    assert authn_context_class_ref(raw.group(1)) == "https://www.spid.gov.it/SpidL1"
