"""Standard claims (OpenID Core 5.1) -> Identity fields."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from ..identity import Address

__all__ = ["claim_date", "claim_text", "standard_fields"]


def claim_text(value: Any) -> str | None:
    """A non-empty string claim, else None."""
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def claim_date(value: Any) -> date | None:
    """A date from ``YYYY-MM-DD`` (or a longer ISO timestamp); None when absent or malformed."""
    text = claim_text(value)
    if text is None:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def standard_fields(claims: Mapping[str, Any]) -> dict[str, Any]:
    """Identity keyword arguments from the standard claims present in ``claims``."""
    fields: dict[str, Any] = {
        "given_name": claim_text(claims.get("given_name")),
        "family_name": claim_text(claims.get("family_name")),
        "birth_date": claim_date(claims.get("birthdate")),
        "gender": claim_text(claims.get("gender")),
        "locale": claim_text(claims.get("locale")),
        "email": claim_text(claims.get("email")),
        "phone": claim_text(claims.get("phone_number")),
    }
    if fields["given_name"] is None and fields["family_name"] is None and claim_text(claims.get("name")):
        fields["given_name"] = claim_text(claims.get("name"))
    address = claims.get("address")
    if isinstance(address, Mapping):
        fields["address"] = Address(
            street_address=claim_text(address.get("street_address")),
            postal_code=claim_text(address.get("postal_code")),
            locality=claim_text(address.get("locality")),
            region=claim_text(address.get("region")),
            country=claim_text(address.get("country")),
        )
    return {k: v for k, v in fields.items() if v is not None}
