"""The EIDG front end: ``GET /oauth2/authorize`` and the chooser's decision POST."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from aiohttp import web

from aiohttp_eid.testing.eidg import authorize as authz
from aiohttp_eid.testing.eidg.errors import EidgFailure, error_prefix, json_error, pick_locale
from aiohttp_eid.testing.eidg.page import chooser_page, error_page
from aiohttp_eid.testing.eidg.users import EidgUser
from aiohttp_eid.testing.served import page, read_form, redirect

if TYPE_CHECKING:
    from aiohttp_eid.testing.eidg.state import EidgState

__all__ = ["DECISION_PATH", "authorize", "decision"]

DECISION_PATH = "/oauth2/authorize/decision"
PENDING_LIFETIME = 600.0


async def authorize(emulator: EidgState, request: web.Request) -> web.Response:
    if (early := await emulator.enter(request, "authorize")) is not None:
        return early
    now = emulator.clock()
    query = request.query
    try:
        pending = authz.check_client(query, client_id=emulator.client_id, redirect_uris=emulator.redirect_uris, now=now)
    except EidgFailure as failure:
        # Never redirect to a redirect_uri we could not verify: answer here.
        if "text/html" in request.headers.get("Accept", ""):
            return page(error_page(failure.code, pick_locale(query.get("ui_locales"))), 400)
        return json_error(failure)
    try:
        authz.check_request(query, pending, enrolled=emulator.methods)
    except EidgFailure as failure:
        return redirect(authz.error_callback_url(pending, failure.code))
    if emulator.auto_approve is not None:
        return finish(emulator, pending, emulator.users[emulator.auto_approve], pending.methods[0])
    waiting = emulator.pending_authorizations
    for stale in [key for key, p in waiting.items() if now - p.created > PENDING_LIFETIME]:
        del waiting[stale]
    pending_id = str(uuid.uuid4())
    waiting[pending_id] = pending
    html = chooser_page(
        locale=pending.locale,
        pending_id=pending_id,
        action=DECISION_PATH,
        client_id=emulator.client_id,
        methods=pending.methods,
        users=list(emulator.users.values()),
    )
    return page(html)


async def decision(emulator: EidgState, request: web.Request) -> web.Response:
    """The chooser's answer: only the pending-request id, method, user and button."""
    if (early := await emulator.enter(request, "decision")) is not None:
        return early
    form = await read_form(request)
    pending_id = form.get("request", "")
    pending = emulator.pending_authorizations.get(pending_id)
    if pending is None or emulator.clock() - pending.created > PENDING_LIFETIME:
        return page(error_page("EIDG_12", "it" if pending is None else pending.locale), 400)
    action = form.get("action", "")
    method = form.get("method", pending.methods[0])
    user = emulator.users.get(form.get("user", ""))
    if action not in ("login", "cancel", "deny") or method not in pending.methods:
        return page(error_page("EIDG_9", pending.locale), 400)
    if action == "login" and user is None:
        return page(error_page("EIDG_9", pending.locale), 400)
    del emulator.pending_authorizations[pending_id]
    if action == "login" and user is not None:
        return finish(emulator, pending, user, method)
    code = f"{error_prefix(method)}_{'25' if action == 'cancel' else '22'}"
    if emulator.next_outcome is not None:
        code, emulator.next_outcome = emulator.next_outcome, None
    return redirect(authz.error_callback_url(pending, code))


def finish(emulator: EidgState, pending: authz.AuthorizationRequest, user: EidgUser, method: str) -> web.Response:
    """Back to the client: with ``next_outcome`` if one is set, else with a code."""
    if emulator.next_outcome is not None:
        code, emulator.next_outcome = emulator.next_outcome, None
        return redirect(authz.error_callback_url(pending, code))
    grant = emulator.new_grant(user, method, pending.nonce)
    code = emulator.store.new_code(grant, redirect_uri=pending.redirect_uri, code_challenge=pending.code_challenge)
    return redirect(authz.callback_url(pending.redirect_uri, [("code", code), ("state", pending.state)]))
