"""EIDG error codes (the document's error table), its JSON error answer, and identification methods."""

from __future__ import annotations

import re
from dataclasses import dataclass

from aiohttp import web

from aiohttp_eid.testing.served import json_ok

__all__ = [
    "METHOD_PREFIX",
    "EidgFailure",
    "channel",
    "describe",
    "error_prefix",
    "json_error",
    "oauth_error",
    "pick_locale",
    "short_method",
    "spid_level",
]

METHOD_PREFIX = "infocert:identification:method:"
_METHOD_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")

# errorCode -> (oauth error, English description, Italian description), as in the
# document's table. SPID_/CIE_ variants share an entry under "*_<suffix>".
_TABLE: dict[str, tuple[str, str, str]] = {
    "SPID_19": (
        "access_denied",
        "Authentication failed due to repeated submission of incorrect credentials",
        "Autenticazione fallita per ripetuto inserimento di credenziali errate",
    ),
    "SPID_20": (
        "access_denied",
        "User without credentials compatible with the level required by the service provider",
        "Utente privo di credenziali compatibili con il livello richiesto dal fornitore",
    ),
    "*_21": (
        "access_denied",
        "Timeout during user authentication",
        "Timeout durante l'autenticazione dell'utente",
    ),
    "*_22": (
        "access_denied",
        "Consent to submit data was denied by the user",
        "L'utente ha negato il consenso all'invio dei dati",
    ),
    "*_23": (
        "access_denied",
        "User with suspended/revoked identity or blocked credentials",
        "Utente con identità sospesa/revocata o credenziali bloccate",
    ),
    "*_25": (
        "access_denied",
        "Authentication process cancelled by the user",
        "Processo di autenticazione annullato dall'utente",
    ),
    "*_OTHER_CODE": (
        "server_error",
        "Incorrect response format - Contact Identity manager",
        "Formato della risposta non corretto - Contattare il gestore dell'identità",
    ),
    "*_TECHNICAL": (
        "server_error",
        "An error occurred during the authentication process. Please try again.",
        "Si è verificato un errore durante il processo di autenticazione. Riprovare.",
    ),
    "*_VALIDATION": (
        "server_error",
        "Incorrect response format - Contact Identity manager",
        "Formato della risposta non corretto - Contattare il gestore dell'identità",
    ),
    "*_PARSING": (
        "server_error",
        "Incorrect response format - Contact Identity manager",
        "Formato della risposta non corretto - Contattare il gestore dell'identità",
    ),
    "EIDG_1": ("invalid_request", "No client_id provided", "Nessun client_id fornito"),
    "EIDG_2": (
        "invalid_request",
        "The client_id provided is not valid",
        "Il client_id fornito non è valido",
    ),
    "EIDG_3": (
        "invalid_request",
        "The redirect URL does not match the one agreed to",
        "L'URL di redirect non corrisponde a quello concordato",
    ),
    "EIDG_4": (
        "invalid_request",
        "The requested identification_method is not valid or not available for this client",
        "Il metodo di identificazione richiesto non è valido o non è disponibile per il client",
    ),
    "EIDG_5": (
        "access_denied",
        "Invalid client_id or client_secret",
        "client_id o client_secret non validi",
    ),
    "EIDG_6": (
        "access_denied",
        "The client_secret provided is not valid",
        "Il client_secret fornito non è valido",
    ),
    "EIDG_7": ("access_denied", "No grant_type provided", "Nessun grant_type fornito"),
    "EIDG_8": (
        "access_denied",
        "The grant_type provided is not valid",
        "Il grant_type fornito non è valido",
    ),
    "EIDG_9": (
        "invalid_request",
        "Error during request validation",
        "Errore durante la validazione della richiesta",
    ),
    "EIDG_10": (
        "access_denied",
        "Error during token generation",
        "Errore durante la generazione del token",
    ),
    "EIDG_11": (
        "server_error",
        "Error communicating with LegalDoc",
        "Errore di comunicazione con LegalDoc",
    ),
    "EIDG_12": (
        "server_error",
        "Request config not found",
        "Configurazione della richiesta non trovata",
    ),
    "EIDG_13": (
        "server_error",
        "Error while retrieving request config",
        "Errore durante il recupero della configurazione della richiesta",
    ),
    "EIDG_14": (
        "access_denied",
        "Access or refresh token not found",
        "Access token o refresh token non trovato",
    ),
    "EIDG_15": (
        "invalid_request",
        "Access or refresh token not valid",
        "Access token o refresh token non valido",
    ),
    "EIDG_16": (
        "server_error",
        "Error while parsing access or refresh token",
        "Errore durante il parsing dell'access token o del refresh token",
    ),
}
_UNKNOWN = ("server_error", "Unknown error", "Errore sconosciuto")


def _entry(code: str) -> tuple[str, str, str]:
    if code in _TABLE:
        return _TABLE[code]
    prefix, _, suffix = code.partition("_")
    if prefix in ("SPID", "CIE"):
        return _TABLE.get(f"*_{suffix}", _UNKNOWN)
    return _UNKNOWN


def oauth_error(code: str) -> str:
    """The OAuth ``error`` the document pairs with an EIDG ``errorCode``."""
    return _entry(code)[0]


def pick_locale(ui_locales: str | None) -> str:
    """``it`` or ``en`` from a space-separated ``ui_locales``; Italian otherwise."""
    for tag in (ui_locales or "").split():
        language = tag[:2].lower()
        if language in ("it", "en"):
            return language
    return "it"


def describe(code: str, locale: str) -> str:
    """``errorDescription`` for ``code``, in English or (otherwise) Italian."""
    _, english, italian = _entry(code)
    return english if locale == "en" else italian


@dataclass(eq=False)
class EidgFailure(Exception):
    """An EIDG error answer: raised by the handlers, rendered by the emulator."""

    code: str
    status: int = 400

    def __str__(self) -> str:
        return self.code


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


def short_method(method: str) -> str:
    """``SPID_LEVEL_2`` from ``infocert:identification:method:SPID_LEVEL_2`` (or as is).

    Raises ValueError for anything else.
    """
    name = method.removeprefix(METHOD_PREFIX)
    if not _METHOD_NAME.fullmatch(name):
        raise ValueError(f"not an EIDG identification method: {method!r}")
    return name


def channel(name: str) -> str:
    """The channel of a method: SPID_LEVEL_1..3 are one channel, FranceConnect(+) another."""
    if name.startswith("SPID_LEVEL_"):
        return "SPID"
    if name.startswith("FranceConnect"):
        return "FranceConnect"
    return name


def spid_level(name: str) -> int | None:
    """The SAML level (1-3) a method authenticates at; CIE is level 3; None without SAML."""
    if name.startswith("SPID_LEVEL_") and name[-1] in "123":
        return int(name[-1])
    if name == "CIE":
        return 3
    return None


def error_prefix(name: str) -> str:
    """``CIE`` for the CIE channel, ``SPID`` for the others (the document has no others)."""
    return "CIE" if channel(name) == "CIE" else "SPID"
