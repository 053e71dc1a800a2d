"""Who logged in: a typed, provider-neutral ``Identity``.

Every part is a frozen dataclass. Personal data never shows in ``repr()``: an
``Identity`` in a log line or a traceback says which provider and which level,
not who.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Mapping
from datetime import date
from typing import Any

__all__ = [
    "Address",
    "Assurance",
    "Device",
    "ElectronicId",
    "Identity",
    "IdentityDocument",
    "LoginDetails",
    "PlaceOfBirth",
]


class Assurance(enum.IntEnum):
    """eIDAS level of assurance; ordered, so ``login.assurance >= Assurance.SUBSTANTIAL`` works."""

    LOW = 1
    SUBSTANTIAL = 2
    HIGH = 3


def _hidden_repr(self: object) -> str:
    return f"{type(self).__name__}(<hidden>)"


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Address:
    """A postal address (residence, or the one a provider returned)."""

    street_address: str | None = None  # may hold several lines separated by "\n"
    postal_code: str | None = None
    locality: str | None = None
    region: str | None = None
    country: str | None = None  # ISO 3166-1 alpha-2 where the provider gives one

    __repr__ = _hidden_repr


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class PlaceOfBirth:
    """Where the person was born."""

    locality: str | None = None
    region: str | None = None  # province, for people born in Italy
    country: str | None = None

    __repr__ = _hidden_repr


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class ElectronicId:
    """The electronic identity used to log in (SPID, CIE, FranceConnect, itsme...)."""

    kind: str | None = None  # e.g. "SPID", "CIE", "FranceConnect"
    country: str | None = None
    id: str | None = None  # the identity provider's stable identifier of the person
    expires_on: date | None = None

    __repr__ = _hidden_repr


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class IdentityDocument:
    """A physical identity document (ID card, passport, Belgian eID card)."""

    kind: str | None = None  # e.g. "ID card", "passport", "eid"
    number: str | None = None
    issuer: str | None = None  # issuing body or locality
    issued_on: date | None = None
    valid_from: date | None = None
    expires_on: date | None = None
    read_on: date | None = None  # when the provider last read the chip (itsme)

    __repr__ = _hidden_repr


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Device:
    """The device the person confirmed the login on (itsme ``claim_device``)."""

    os: str | None = None
    os_release: str | None = None
    app_name: str | None = None
    app_release: str | None = None
    sdk_release: str | None = None
    label: str | None = None
    device_id: str | None = None
    manufacturer: str | None = None
    model: str | None = None
    has_sim: bool | None = None
    lock_level: str | None = None
    sms_enabled: bool | None = None
    rooted: bool | None = None
    debug_enabled: bool | None = None
    imei: str | None = None
    msisdn: str | None = None

    __repr__ = _hidden_repr


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Identity:
    """The person (or company) a login identified.

    ``subject`` is the stable identifier an application should key its users on:
    for EIDG the tax ID (``taxID``), else the VAT ID, else the electronic ID; for
    OpenID providers the ID token ``sub``. ``assurance`` is the eIDAS level the
    provider reports for this login (not the one that was asked for).
    """

    provider: str  # the configured provider name
    subject: str
    assurance: Assurance
    acr: str | None = None  # the provider's own level value (SAML class ref, OIDC acr)
    id_token_subject: str | None = None  # verified ID token ``sub``, when there was one
    authenticated_at: float | None = None  # Unix time of the login
    given_name: str | None = None
    family_name: str | None = None
    birth_date: date | None = None
    gender: str | None = None
    tax_id: str | None = None  # without its country prefix ("TINIT-" is removed)
    tax_id_country: str | None = None  # ISO country of the tax ID, e.g. "IT"
    vat_id: str | None = None
    national_number: str | None = None  # Belgian national register number (itsme)
    phone: str | None = None
    email: str | None = None
    certified_email: str | None = None  # Italian PEC address (EIDG ``digitalAddress``)
    locale: str | None = None
    nationality: str | None = None
    address: Address | None = None
    place_of_birth: PlaceOfBirth | None = None
    electronic_id: ElectronicId | None = None
    id_document: IdentityDocument | None = None  # EIDG physicalId, itsme eID card
    passport_number: str | None = None
    device: Device | None = None
    #: what itsme reports of the confirmation (``claim_transaction_info``), as it sends it
    transaction_info: Mapping[str, Any] | None = None
    identity_provider: str | None = None  # the IdP behind a broker (EIDG ``_idp``)

    def __repr__(self) -> str:
        return f"Identity(provider={self.provider!r}, assurance={self.assurance.name}, subject=<hidden>)"

    @property
    def name(self) -> str | None:
        """Given and family name joined, or None when neither is known."""
        parts = [p for p in (self.given_name, self.family_name) if p]
        return " ".join(parts) or None

    def to_dict(self) -> dict[str, Any]:
        """A compact JSON-able dict (None fields left out), read back by ``from_dict``."""
        return _to_dict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Identity:
        """Rebuild an Identity written by ``to_dict``."""
        identity: Identity = _from_dict(cls, data)
        return identity


# How the JSON form is read back: the Identity fields that hold a part (a nested
# dataclass), and the fields of any class that hold a date (ISO text in JSON).
_PARTS: dict[str, type[Any]] = {
    "address": Address,
    "place_of_birth": PlaceOfBirth,
    "electronic_id": ElectronicId,
    "id_document": IdentityDocument,
    "device": Device,
}
_PART_TYPES = frozenset(_PARTS.values())
_DATE_FIELDS = frozenset(
    {"birth_date", "expires_on", "issued_on", "valid_from", "read_on"},
)


_FIELD_NAMES: dict[type[Any], tuple[str, ...]] = {}


def _to_dict(obj: Any) -> dict[str, Any]:
    cls = type(obj)
    names = _FIELD_NAMES.get(cls)
    if names is None:  # once per class: dataclasses.fields() costs more than the rest of a call
        names = _FIELD_NAMES[cls] = tuple(f.name for f in dataclasses.fields(obj))
    out: dict[str, Any] = {}
    for name in names:
        value = getattr(obj, name)
        if value is None:
            continue
        kind = type(value)
        if kind is str or kind is bool:
            pass  # most fields: nothing to convert
        elif kind in _PART_TYPES:
            value = _to_dict(value)
        elif isinstance(value, Assurance):
            value = value.name
        elif isinstance(value, date):
            value = value.isoformat()
        elif dataclasses.is_dataclass(value):
            value = _to_dict(value)
        out[name] = value
    return out


def _from_dict(cls: type[Any], data: Mapping[str, Any]) -> Any:
    kwargs: dict[str, Any] = {}
    for name, value in data.items():
        if name in _DATE_FIELDS:
            value = date.fromisoformat(value)
        elif name == "assurance":
            value = Assurance[value]
        elif name in _PARTS and cls is Identity:
            value = _from_dict(_PARTS[name], value)
        kwargs[name] = value
    return cls(**kwargs)


@dataclasses.dataclass(frozen=True, kw_only=True)
class LoginDetails:
    """What a login returned that is not kept in the session; given to ``on_login``.

    ``userinfo`` is the provider's whole answer (for EIDG including the raw SAML
    request and response, which SPID service providers may have to archive);
    ``extra`` the fields of it that ``Identity`` does not map; ``claims`` the
    verified ID token claims; ``photo`` the itsme E-ID picture.
    """

    provider: str
    userinfo: Mapping[str, Any] = dataclasses.field(default_factory=dict, repr=False)
    extra: Mapping[str, Any] = dataclasses.field(default_factory=dict, repr=False)
    claims: Mapping[str, Any] = dataclasses.field(default_factory=dict, repr=False)
    photo: bytes | None = dataclasses.field(default=None, repr=False)
