"""The shapes of the EIDG emulator's HTTP answers: JSON, JSON errors, pages, redirects."""

from __future__ import annotations

from aiohttp import web

from aiohttp_eid.testing.eidg_errors import EidgFailure, describe, oauth_error
from aiohttp_eid.testing.http import FORM, json_ok, page, read_form, redirect

__all__ = ["FORM", "json_error", "json_ok", "page", "read_form", "redirect"]


def json_error(failure: EidgFailure, *, scheme: str | None = None) -> web.Response:
    """The document's ``{"error", "errorCode", "errorDescription"}`` (English, as its example)."""
    body = {
        "error": oauth_error(failure.code),
        "errorCode": failure.code,
        "errorDescription": describe(failure.code, "en"),
    }
    response = json_ok(body, failure.status)
    if scheme is not None and failure.status == 401:
        response.headers["WWW-Authenticate"] = f'{scheme} realm="eidg"'
    return response
