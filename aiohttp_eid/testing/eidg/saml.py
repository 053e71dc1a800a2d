"""The SAML blobs EIDG passes through in ``_rawRequest`` and ``_rawResponse``.

Modelled on the document's decoded example: ``_rawRequest`` is a raw-DEFLATEd,
base64 ``samlp:AuthnRequest`` (HTTP-Redirect binding) and ``_rawResponse`` a base64
``samlp:Response`` carrying a ``saml:Assertion`` whose ``AuthnContextClassRef`` is
the SPID level actually used. The ``ds:Signature`` elements have the document's
shape and real RSA-SHA256 values made with the emulated IdP's own key, but they
are computed over this module's serialisation, not exclusive C14N: they are not
meant to be verified (EIDG already did that; the relying party only reads them).
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import uuid
import zlib
from xml.sax.saxutils import escape, quoteattr

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

from aiohttp_eid.testing.eidg.errors import channel, spid_level
from aiohttp_eid.testing.eidg.users import EidgUser, idp_for

__all__ = ["SamlIdp", "shared_idp", "spid_class_ref"]

SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol"
DS = "http://www.w3.org/2000/09/xmldsig#"
EIDG_SP = "https://spidsp.infocert.it"
EIDG_ACS = "https://eid-gateway.infocert.it/idbroker-spid/response"
_BASIC = "urn:oasis:names:tc:SAML:2.0:attrname-format:basic"
_ABSENT = (None, "", "null")


def spid_class_ref(level: int) -> str:
    """``https://www.spid.gov.it/SpidL<level>``."""
    return f"https://www.spid.gov.it/SpidL{level}"


def _instant(now: float) -> str:
    return datetime.datetime.fromtimestamp(int(now), datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _id() -> str:
    return f"_{uuid.uuid4()}"


def _attributes(user: EidgUser, method: str) -> list[tuple[str, str | None]]:
    tax_id = user.tax_id
    if tax_id not in _ABSENT and tax_id is not None and not tax_id.startswith("TINIT-"):
        tax_id = f"TINIT-{tax_id}"
    vat_id = user.vat_id
    if vat_id not in _ABSENT and vat_id is not None and not vat_id.startswith("VATIT-"):
        vat_id = f"VATIT-{vat_id.removeprefix('IT')}"
    if channel(method) == "CIE":
        return [
            ("name", user.given_name),
            ("familyName", user.family_name),
            ("fiscalNumber", tax_id),
            ("dateOfBirth", user.birth_date),
        ]
    id_card = [
        user.physical_id_name,
        user.physical_id_number,
        user.physical_id_issuer,
        user.physical_id_issue_date,
        user.physical_id_expiration,
    ]
    return [
        ("name", user.given_name),
        ("familyName", user.family_name),
        ("fiscalNumber", tax_id),
        ("ivaCode", vat_id),
        ("companyName", str(user.extra.get("companyName") or "") or None),
        ("dateOfBirth", user.birth_date),
        ("placeOfBirth", user.birth_locality),
        ("countyOfBirth", user.birth_region),
        ("gender", user.gender),
        ("domicileStreetAddress", user.street_address),
        ("domicilePostalCode", user.postal_code),
        ("domicileMunicipality", user.locality),
        ("domicileProvince", user.region),
        ("domicileNation", user.country),
        ("idCard", " ".join(v for v in id_card if v not in _ABSENT and v is not None) or None),
        ("mobilePhone", user.telephone),
        ("email", user.email),
        ("digitalAddress", user.digital_address),
        ("expirationDate", user.electronic_id_expiration),
        ("spidCode", user.electronic_id),
    ]


class SamlIdp:
    """An emulated SAML identity provider (SPID or CIE) with its own signing key."""

    def __init__(self) -> None:
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        now = datetime.datetime.now(datetime.UTC)
        name = x509.Name(
            [
                x509.NameAttribute(NameOID.COUNTRY_NAME, "IT"),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, "aiohttp-eid EMULATOR"),
                x509.NameAttribute(NameOID.COMMON_NAME, "emulated-idp.invalid"),
            ]
        )
        certificate = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(self._key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=365))
            .sign(self._key, hashes.SHA256())
        )
        der = certificate.public_bytes(serialization.Encoding.DER)
        self._certificate = base64.b64encode(der).decode("ascii")

    def _signature(self, reference: str, content: str) -> str:
        digest = base64.b64encode(hashlib.sha256(content.encode()).digest()).decode()
        signed_info = (
            f'<ds:SignedInfo><ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/'
            f'xml-exc-c14n#"/><ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/'
            f'xmldsig-more#rsa-sha256"/><ds:Reference URI={quoteattr("#" + reference)}>'
            f'<ds:Transforms><ds:Transform Algorithm="{DS}enveloped-signature"/>'
            f'<ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>'
            f'</ds:Transforms><ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#'
            f'sha256"/><ds:DigestValue>{digest}</ds:DigestValue></ds:Reference></ds:SignedInfo>'
        )
        value = self._key.sign(signed_info.encode(), padding.PKCS1v15(), hashes.SHA256())
        return (
            f'<ds:Signature xmlns:ds="{DS}">{signed_info}<ds:SignatureValue>'
            f"{base64.b64encode(value).decode()}</ds:SignatureValue><ds:KeyInfo><ds:X509Data>"
            f"<ds:X509Certificate>{self._certificate}</ds:X509Certificate></ds:X509Data>"
            f"</ds:KeyInfo></ds:Signature>"
        )

    def authn_request(self, method: str, now: float) -> tuple[str, str | None]:
        """``(request ID, _rawRequest)``; no SAML (None) for methods without one."""
        request_id = _id()
        level = spid_level(method)
        if level is None:
            return request_id, None
        destination = "https://idserver.servizicie.interno.gov.it/idp/profile/SAML2/Redirect/SSO"
        if channel(method) != "CIE":
            destination = "https://demo.spid.gov.it/samlsso"
        xml = (
            f'<?xml version="1.0" encoding="UTF-8"?><samlp:AuthnRequest xmlns:samlp="{SAMLP}" '
            f'AssertionConsumerServiceIndex="2" AttributeConsumingServiceIndex="1" '
            f"Destination={quoteattr(destination)} ID={quoteattr(request_id)} "
            f'IssueInstant="{_instant(now)}" ProtocolBinding="urn:oasis:names:tc:SAML:2.0:'
            f'bindings:HTTP-POST" Version="2.0"><saml2:Issuer xmlns:saml2="{SAML}" '
            f'Format="urn:oasis:names:tc:SAML:2.0:nameid-format:entity" '
            f'NameQualifier="{EIDG_SP}">{EIDG_SP}</saml2:Issuer><saml2p:NameIDPolicy '
            f'xmlns:saml2p="{SAMLP}" Format="urn:oasis:names:tc:SAML:2.0:nameid-format:'
            f'transient"/><saml2p:RequestedAuthnContext xmlns:saml2p="{SAMLP}" '
            f'Comparison="minimum"><saml:AuthnContextClassRef xmlns:saml="{SAML}">'
            f"{spid_class_ref(level)}</saml:AuthnContextClassRef></saml2p:RequestedAuthnContext>"
            f"</samlp:AuthnRequest>"
        )
        compressor = zlib.compressobj(wbits=-15)
        deflated = compressor.compress(xml.encode()) + compressor.flush()
        return request_id, base64.b64encode(deflated).decode("ascii")

    def response(self, user: EidgUser, method: str, request_id: str, now: float) -> str | None:
        """``_rawResponse`` for a successful login of ``user`` with ``method``."""
        level = spid_level(method)
        if level is None:
            return None
        issuer = idp_for(user, method)
        instant, until = _instant(now), _instant(now + 300)
        response_id, assertion_id = _id(), _id()
        issuer_xml = (
            f'<saml:Issuer Format="urn:oasis:names:tc:SAML:2.0:nameid-format:entity">{escape(issuer)}</saml:Issuer>'
        )
        attributes = "".join(
            f"<saml:Attribute Name={quoteattr(name)} NameFormat={quoteattr(_BASIC)}>"
            '<saml:AttributeValue xsi:type="xs:string">'
            f"{escape(value)}</saml:AttributeValue></saml:Attribute>"
            for name, value in _attributes(user, method)
            if value not in _ABSENT and value is not None
        )
        body = (
            f'<saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:2.0:nameid-format:'
            f'transient" NameQualifier={quoteattr(issuer)}>{_id()}</saml:NameID>'
            '<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">'
            f"<saml:SubjectConfirmationData InResponseTo={quoteattr(request_id)} "
            f'NotOnOrAfter="{until}" Recipient="{EIDG_ACS}"/></saml:SubjectConfirmation>'
            f'</saml:Subject><saml:Conditions NotBefore="{instant}" NotOnOrAfter="{until}">'
            f"<saml:AudienceRestriction><saml:Audience>{EIDG_SP}</saml:Audience>"
            f"</saml:AudienceRestriction></saml:Conditions>"
            f'<saml:AuthnStatement AuthnInstant="{instant}" SessionIndex="{_id()}">'
            f"<saml:AuthnContext><saml:AuthnContextClassRef>{spid_class_ref(level)}"
            f"</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>"
            f"<saml:AttributeStatement>{attributes}</saml:AttributeStatement>"
        )
        assertion_open = (
            f'<saml:Assertion ID="{assertion_id}" IssueInstant="{instant}" Version="2.0" '
            'xmlns:xs="http://www.w3.org/2001/XMLSchema" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        )
        unsigned_assertion = f"{assertion_open}{issuer_xml}{body}</saml:Assertion>"
        assertion = (
            f"{assertion_open}{issuer_xml}{self._signature(assertion_id, unsigned_assertion)}{body}</saml:Assertion>"
        )
        status = '<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>'
        response_open = (
            f'<samlp:Response Destination="{EIDG_ACS}" ID="{response_id}" '
            f'InResponseTo={quoteattr(request_id)} IssueInstant="{instant}" Version="2.0" '
            f'xmlns:saml="{SAML}" xmlns:samlp="{SAMLP}">'
        )
        unsigned = f"{response_open}{issuer_xml}{status}{assertion}</samlp:Response>"
        xml = f"{response_open}{issuer_xml}{self._signature(response_id, unsigned)}{status}{assertion}</samlp:Response>"
        return base64.b64encode(xml.encode()).decode("ascii")


_shared: list[SamlIdp] = []


def shared_idp() -> SamlIdp:
    """The one emulated IdP every emulator uses (like the real SPID demo IdP, it is shared;
    this also spares each emulator generating a key and a certificate)."""
    if not _shared:
        _shared.append(SamlIdp())
    return _shared[0]
