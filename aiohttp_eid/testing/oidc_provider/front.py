"""The front channel of the OpenID provider emulator: ``authorize`` (GET and POST), the
chooser's decision, and RP-initiated logout (``end_session``)."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING

from aiohttp import web

from aiohttp_eid.testing.oidc_provider import authorize as authz
from aiohttp_eid.testing.oidc_provider import keys as jose
from aiohttp_eid.testing.oidc_provider.base import OAuthFailure, read_params
from aiohttp_eid.testing.oidc_provider.claims import EmulatedUser
from aiohttp_eid.testing.oidc_provider.page import chooser_page, error_page, logged_out_page
from aiohttp_eid.testing.served import page, read_form, redirect

if TYPE_CHECKING:
    from aiohttp_eid.testing.oidc_provider.state import OidcProviderState

__all__ = ["DECISION_PATH", "PENDING_LIFETIME", "authorize", "decision", "end_session", "finish"]

DECISION_PATH = "/authorize/decision"
PENDING_LIFETIME = 600.0


def _error_page(emulator: OidcProviderState, locale: str, description: str) -> web.Response:
    html = error_page(provider=emulator.name, locale=locale, error="invalid_request", description=description)
    return page(html, 400)


def _error_redirect(pending: authz.AuthorizationRequest, error: str, description: str) -> web.Response:
    params = [("error", error), ("error_description", description), ("state", pending.state)]
    return redirect(authz.callback_url(pending.redirect_uri, params))


async def authorize(emulator: OidcProviderState, request: web.Request) -> web.Response:
    if (early := await emulator.enter(request, "authorize")) is not None:
        return early
    params = await read_params(request)
    try:
        pending = authz.check_client(params, emulator)
    except authz.ClientFailure as failure:
        return _error_page(emulator, "en", str(failure))
    try:
        await authz.check_request(params, pending, emulator)
    except OAuthFailure as failure:
        return _error_redirect(pending, failure.error, failure.description)
    if emulator.auto_approve is not None:
        return finish(emulator, pending, emulator.users[emulator.auto_approve])
    now = emulator.clock()
    waiting = emulator.pending_authorizations
    for stale in [key for key, p in waiting.items() if now - p.created > PENDING_LIFETIME]:
        del waiting[stale]
    pending_id = secrets.token_urlsafe(24)
    waiting[pending_id] = pending
    html = chooser_page(
        provider=emulator.name,
        locale=pending.locale,
        pending_id=pending_id,
        action=emulator.path_prefix + DECISION_PATH,
        client_id=emulator.client_id,
        scopes=pending.scopes,
        users=list(emulator.users.values()),
    )
    return page(html)


async def decision(emulator: OidcProviderState, request: web.Request) -> web.Response:
    """The chooser's answer: the pending-request id, the user and the button."""
    if (early := await emulator.enter(request, "decision")) is not None:
        return early
    form = await read_form(request)
    pending = emulator.pending_authorizations.get(form.get("request", ""))
    if pending is None or emulator.clock() - pending.created > PENDING_LIFETIME:
        return _error_page(emulator, "en", "this login request is unknown or has expired")
    action = form.get("action", "")
    user = emulator.users.get(form.get("user", ""))
    if action not in ("login", "cancel") or (action == "login" and user is None):
        return _error_page(emulator, pending.locale, "choose a test user, then Log in or Cancel")
    del emulator.pending_authorizations[form["request"]]
    if action == "login" and user is not None:
        return finish(emulator, pending, user)
    if emulator.next_outcome is not None:
        return finish(emulator, pending, None)
    return _error_redirect(pending, "access_denied", "the user cancelled the login")


def finish(emulator: OidcProviderState, pending: authz.AuthorizationRequest, user: EmulatedUser | None) -> web.Response:
    """Back to the client: with ``next_outcome`` if one is set, else with a code for ``user``."""
    if emulator.next_outcome is not None:
        error, emulator.next_outcome = emulator.next_outcome, None
        return _error_redirect(pending, error, f"{error} (forced by the emulator's next_outcome)")
    assert user is not None
    grant = emulator.new_grant(user, pending)
    for member in ("id_token", "userinfo"):
        wanted = (pending.claims.get(member, {}).get("sub") or {}).get("value")
        if wanted is not None and wanted != grant.sub:
            return _error_redirect(pending, "access_denied", "the requested sub is not the user who logged in")
    code = emulator.store.new_code(grant, redirect_uri=pending.redirect_uri, code_challenge=pending.code_challenge)
    return redirect(authz.callback_url(pending.redirect_uri, [("code", code), ("state", pending.state)]))


async def end_session(emulator: OidcProviderState, request: web.Request) -> web.Response:
    """RP-initiated logout 1.0: ``id_token_hint``, ``post_logout_redirect_uri``, ``state``, ``client_id``."""
    if (early := await emulator.enter(request, "end_session")) is not None:
        return early
    params = await read_params(request)
    locale = (params.get("ui_locales") or "en").split()[0]
    hint, target = params.get("id_token_hint"), params.get("post_logout_redirect_uri")
    client_id = params.get("client_id")
    if client_id is not None and client_id != emulator.client_id:
        return _error_page(emulator, locale, "unknown client_id")
    claims = None
    if hint:
        try:
            claims = emulator.verify_id_token_hint(hint)
        except jose.KeyProblem as problem:
            return _error_page(emulator, locale, f"id_token_hint is not valid: {problem}")
    if target is not None:
        if claims is None and client_id is None:
            return _error_page(emulator, locale, "post_logout_redirect_uri needs id_token_hint or client_id")
        if not authz.redirect_allowed(target, emulator.post_logout_redirect_uris):
            return _error_page(emulator, locale, "post_logout_redirect_uri is not registered")
    if claims is not None:
        for grant in emulator.store.grants():
            if grant.sid == claims.get("sid") or (grant.sub == claims.get("sub") and "sid" not in claims):
                emulator.store.revoke_grant(grant)
        emulator.ended_sessions.append(claims)
    if target is not None:
        return redirect(authz.callback_url(target, [("state", params.get("state"))]))
    return page(logged_out_page(provider=emulator.name, locale=locale))
