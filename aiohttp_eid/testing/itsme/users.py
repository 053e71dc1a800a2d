"""Test users of the itsme emulator: every piece of data the itsme document describes.

All data is fake (``example.org`` addresses, ``EMULATOR`` device names, made-up
card and passport numbers).
"""

from __future__ import annotations

import base64
import struct
from collections.abc import Mapping
from dataclasses import dataclass, field

from aiohttp_eid.testing.itsme import claims as names

__all__ = ["DEFAULT_ITSME_USERS", "TINY_JPEG", "ItsmeDevice", "ItsmeEid", "ItsmeUser"]


def _segment(marker: int, payload: bytes) -> bytes:
    return bytes((0xFF, marker)) + struct.pack(">H", len(payload) + 2) + payload


#: an 8x8 grey baseline JPEG (one block, DC 0, end of block): the smallest real picture
TINY_JPEG = b"".join(
    (
        b"\xff\xd8",  # SOI
        _segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"),  # APP0
        _segment(0xDB, b"\x00" + b"\x01" * 64),  # DQT: all ones
        _segment(0xC0, b"\x08\x00\x08\x00\x08\x01\x01\x11\x00"),  # SOF0: 8x8, one component
        _segment(0xC4, b"\x00\x01" + b"\x00" * 15 + b"\x00"),  # DHT DC: one 1-bit code, category 0
        _segment(0xC4, b"\x10\x01" + b"\x00" * 15 + b"\x00"),  # DHT AC: one 1-bit code, EOB
        _segment(0xDA, b"\x01\x01\x00\x00\x3f\x00"),  # SOS
        b"\x3f",  # DC 0, EOB, padded with ones
        b"\xff\xd9",  # EOI
    )
)


@dataclass(frozen=True, kw_only=True)
class ItsmeEid:
    """``tag:sixdots.be,2016-06:claim_eid``: the Belgian eID card read for the identity."""

    eid: str  # the card serial number
    issuance_locality: str
    validity_from: str
    validity_to: str
    certificate_validity: str
    read_date: str
    national_number: str | None = None  # added by later itsme versions

    def to_claim(self) -> dict[str, object]:
        claim: dict[str, object] = {
            "eid": self.eid,
            "issuance_locality": self.issuance_locality,
            "validity_from": self.validity_from,
            "validity_to": self.validity_to,
            "certificate_validity": self.certificate_validity,
            "read_date": self.read_date,
        }
        if self.national_number is not None:
            claim["national_number"] = self.national_number
        return claim


@dataclass(frozen=True, kw_only=True)
class ItsmeDevice:
    """``tag:sixdots.be,2017-05:claim_device``: exactly the fields of the document's example."""

    os: str
    app_name: str
    app_release: str
    device_label: str
    debug_enabled: bool
    device_id: str
    os_release: str
    manufacturer: str
    has_sim_enabled: bool
    device_lock_level: str
    sms_enabled: bool
    rooted: bool
    imei: str
    device_model: str
    msisdn: str
    sdk_release: str

    def to_claim(self) -> dict[str, object]:
        return {
            "os": self.os,
            "appName": self.app_name,
            "appRelease": self.app_release,
            "deviceLabel": self.device_label,
            "debugEnabled": self.debug_enabled,
            "deviceId": self.device_id,
            "osRelease": self.os_release,
            "manufacturer": self.manufacturer,
            "hasSimEnabled": self.has_sim_enabled,
            "deviceLockLevel": self.device_lock_level,
            "smsEnabled": self.sms_enabled,
            "rooted": self.rooted,
            "imei": self.imei,
            "deviceModel": self.device_model,
            "msisdn": self.msisdn,
            "sdkRelease": self.sdk_release,
        }


@dataclass(frozen=True, kw_only=True)
class ItsmeUser:
    """One person the itsme emulator can log in; None fields are not provided."""

    key: str
    subject: str  # itsme's own user code; clients see a pairwise one
    given_name: str | None = None
    family_name: str | None = None
    gender: str | None = None  # "male" / "female"
    birthdate: str | None = None  # YYYY-MM-DD
    locale: str | None = None  # fr, nl, en, de
    email: str | None = None
    email_verified: bool | None = None  # itsme does not verify e-mail addresses
    phone_number: str | None = None
    phone_number_verified: bool | None = None
    street_address: str | None = None  # lines separated by "\n"
    locality: str | None = None
    postal_code: str | None = None
    country: str | None = None
    nationality: str | None = None
    city_of_birth: str | None = None
    country_of_birth: str | None = None
    eid: ItsmeEid | None = None
    passport_sn: str | None = None
    device: ItsmeDevice | None = None
    transaction_info: Mapping[str, str] | None = field(default=None, hash=False)
    photo: bytes | None = None  # JPEG

    @property
    def name(self) -> str | None:
        return " ".join(part for part in (self.given_name, self.family_name) if part) or None

    @property
    def display_name(self) -> str:
        return self.name or self.key

    def claims(self) -> dict[str, object]:
        """Every claim of this user under its ``tag:sixdots.be,...`` or standard name."""
        address = {
            "street_address": self.street_address,
            "locality": self.locality,
            "postal_code": self.postal_code,
            "country": self.country,
        }
        everything: dict[str, object | None] = {
            "name": self.name,
            "given_name": self.given_name,
            "family_name": self.family_name,
            "gender": self.gender,
            "birthdate": self.birthdate,
            "locale": self.locale,
            "email": self.email,
            "email_verified": self.email_verified,
            "phone_number": self.phone_number,
            "phone_number_verified": self.phone_number_verified,
            "address": {k: v for k, v in address.items() if v is not None} or None,
            names.CLAIM_NATIONALITY: self.nationality,
            names.CLAIM_CITY_OF_BIRTH: self.city_of_birth,
            names.CLAIM_COUNTRY_OF_BIRTH: self.country_of_birth,
            names.CLAIM_EID: None if self.eid is None else self.eid.to_claim(),
            names.CLAIM_PASSPORT_SN: self.passport_sn,
            names.CLAIM_DEVICE: None if self.device is None else self.device.to_claim(),
            names.CLAIM_TRANSACTION_INFO: None if self.transaction_info is None else dict(self.transaction_info),
            names.CLAIM_PHOTO: None if self.photo is None else base64.b64encode(self.photo).decode("ascii"),
        }
        return {name: value for name, value in everything.items() if value is not None}


def _device(label: str, device_id: str, msisdn: str, *, ios: bool = False) -> ItsmeDevice:
    return ItsmeDevice(
        os="IOS" if ios else "ANDROID",
        app_name="itsme app",
        app_release="1.17.13",
        device_label=label,
        debug_enabled=False,
        device_id=device_id,
        os_release="iOS 17.4" if ios else "Android 14",
        manufacturer="Apple" if ios else "samsung",
        has_sim_enabled=True,
        device_lock_level="PASSCODE" if ios else "touchID",
        sms_enabled=True,
        rooted=False,
        imei="00000000000000001" if not ios else "00000000000000002",
        device_model="iPhone 15" if ios else "S8",
        msisdn=msisdn,
        sdk_release="1.17.12",
    )


JAN = ItsmeUser(
    key="jan",
    subject="EMU-ITSME-0000000001",
    given_name="Jan",
    family_name="Janssens",
    gender="male",
    birthdate="1980-01-01",
    locale="nl",
    email="jan.janssens@example.org",
    email_verified=False,
    phone_number="+32470000001",
    phone_number_verified=True,
    street_address="Voorbeeldstraat 1\nbus 2",
    locality="Brussel",
    postal_code="1000",
    country="BE",
    nationality="BE",
    city_of_birth="Leuven",
    country_of_birth="BE",
    eid=ItsmeEid(
        eid="590000000001",
        issuance_locality="Brussel",
        validity_from="2021-03-15",
        validity_to="2031-03-15",
        certificate_validity="2031-03-15",
        read_date="2024-01-10",
        national_number="80010100107",
    ),
    passport_sn="EM0000001",
    device=_device("EMULATOR phone of Jan", "emulator-device-jan", "0470000001"),
    transaction_info={"securityLevel": "SOFT_ONLY", "bindLevel": "SOFT_ONLY", "appRelease": "1.17.13", "mcc": "206"},
    photo=TINY_JPEG,
)

MARIE = ItsmeUser(
    # Fewer claims: no eID card data (so no photo, no national number) and no passport.
    key="marie",
    subject="EMU-ITSME-0000000002",
    given_name="Marie",
    family_name="Dupont",
    gender="female",
    birthdate="1992-05-17",
    locale="fr",
    email="marie.dupont@example.org",
    email_verified=False,
    phone_number="+32470000002",
    phone_number_verified=True,
    street_address="Rue de l'Exemple 42",
    locality="Liège",
    postal_code="4000",
    country="BE",
    nationality="BE",
    city_of_birth="Namur",
    country_of_birth="BE",
    device=_device("EMULATOR phone of Marie", "emulator-device-marie", "0470000002", ios=True),
    transaction_info={"securityLevel": "SOFT_ONLY", "bindLevel": "SOFT_ONLY", "appRelease": "1.17.13", "mcc": "206"},
)

DEFAULT_ITSME_USERS: tuple[ItsmeUser, ...] = (JAN, MARIE)
"""The itsme and OpenID provider emulators' fake users: ``jan`` and ``marie``."""
