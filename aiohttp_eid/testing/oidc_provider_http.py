"""The shapes of the OpenID provider emulator's HTTP answers, and reading its requests."""

from __future__ import annotations

from aiohttp import web
from multidict import MultiMapping

from aiohttp_eid.testing.http import FORM, NO_STORE, json_ok, page, read_form, redirect

__all__ = ["FORM", "NO_STORE", "OAuthFailure", "json_error", "json_ok", "page", "read_form", "read_params", "redirect"]


class OAuthFailure(Exception):
    """An OAuth 2.0 / OpenID Connect error answer: ``error`` code, description, HTTP status."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(f"{error}: {description}")
        self.error = error
        self.description = description
        self.status = status


def json_error(failure: OAuthFailure, *, scheme: str | None = None) -> web.Response:
    """RFC 6749 section 5.2 (and RFC 6750 section 3 for ``scheme="Bearer"``)."""
    response = json_ok({"error": failure.error, "error_description": failure.description}, failure.status)
    if scheme is not None and failure.status == 401:
        challenge = f'{scheme} realm="emulator"'
        if scheme == "Bearer":
            challenge += f', error="{failure.error}"'
        response.headers["WWW-Authenticate"] = challenge
    return response


async def read_params(request: web.Request) -> MultiMapping[str]:
    """The parameters of a request that may come as GET query or POST form (OpenID Core 3.1.2.1)."""
    if request.method == "POST":
        return await read_form(request)
    return request.query
