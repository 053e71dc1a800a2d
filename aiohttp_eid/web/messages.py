"""What users read, in their language. One table: key -> locale -> (title, text)."""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["LOCALES", "MESSAGES", "UI", "negotiate", "text"]

MESSAGES: dict[str, dict[str, tuple[str, str]]] = {
    "generic": {
        "en": ("Login failed", "Something went wrong while logging you in. Please try again later."),
        "it": ("Accesso non riuscito", "Si è verificato un errore durante l'accesso. Riprova più tardi."),
    },
    "not_authenticated": {
        "en": ("Please log in", "You need to log in to see this page."),
        "it": ("Accedi", "Devi accedere per vedere questa pagina."),
    },
    "insufficient_assurance": {
        "en": ("A stronger login is needed", "This page needs a login with a higher level of assurance."),
        "it": (
            "Serve un accesso più sicuro",
            "Questa pagina richiede un accesso con un livello di sicurezza più alto.",
        ),
    },
    "missing_data": {
        "en": ("Information missing", "Your login did not provide the information this page needs."),
        "it": ("Dati mancanti", "Il tuo accesso non ha fornito i dati richiesti da questa pagina."),
    },
    "login_expired": {
        "en": ("This login expired", "This login attempt expired or was already used. Please start again."),
        "it": ("Accesso scaduto", "Questo tentativo di accesso è scaduto o è già stato usato. Ricomincia."),
    },
    "session_ended": {
        "en": ("Your session ended", "Your session has ended. Please log in again."),
        "it": ("Sessione terminata", "La tua sessione è terminata. Accedi di nuovo."),
    },
    "bad_credentials": {
        "en": ("Login failed", "The credentials were entered incorrectly too many times. Please try again."),
        "it": ("Accesso non riuscito", "Credenziali errate inserite troppe volte. Riprova."),
    },
    "level_unavailable": {
        "en": ("Login failed", "Your digital identity does not have the security level this service needs."),
        "it": (
            "Accesso non riuscito",
            "La tua identità digitale non ha il livello di sicurezza richiesto dal servizio.",
        ),
    },
    "timeout": {
        "en": ("Login timed out", "The login took too long. Please try again."),
        "it": ("Tempo scaduto", "L'accesso ha richiesto troppo tempo. Riprova."),
    },
    "consent_denied": {
        "en": ("Consent not given", "You did not agree to share your data, so you could not be logged in."),
        "it": ("Consenso negato", "Non hai acconsentito all'invio dei dati, quindi l'accesso non è avvenuto."),
    },
    "identity_suspended": {
        "en": ("Login failed", "Your digital identity is suspended or revoked, or its credentials are blocked."),
        "it": (
            "Accesso non riuscito",
            "La tua identità digitale è sospesa o revocata, o le credenziali sono bloccate.",
        ),
    },
    "cancelled": {
        "en": ("Login cancelled", "You cancelled the login."),
        "it": ("Accesso annullato", "Hai annullato l'accesso."),
    },
    "access_denied": {
        "en": ("Login failed", "The login was not completed."),
        "it": ("Accesso non riuscito", "L'accesso non è stato completato."),
    },
    "assurance_too_low": {
        "en": ("A stronger login is needed", "The login method you used is not strong enough for this service."),
        "it": (
            "Serve un accesso più sicuro",
            "Il metodo di accesso usato non è abbastanza sicuro per questo servizio.",
        ),
    },
    "provider_unavailable": {
        "en": ("Service unavailable", "The identity service is not answering right now. Please try again shortly."),
        "it": ("Servizio non disponibile", "Il servizio di identità non risponde. Riprova tra poco."),
    },
    "unavailable": {
        "en": ("Service unavailable", "The service is temporarily unavailable. Please try again shortly."),
        "it": ("Servizio non disponibile", "Il servizio è temporaneamente non disponibile. Riprova tra poco."),
    },
    "cross_origin": {
        "en": ("Request refused", "This request did not come from this site."),
        "it": ("Richiesta rifiutata", "Questa richiesta non proviene da questo sito."),
    },
}

UI: dict[str, dict[str, str]] = {
    "try_again": {"en": "Try again", "it": "Riprova"},
    "start_again": {"en": "Log in again", "it": "Accedi di nuovo"},
    "home": {"en": "Back to the home page", "it": "Torna alla pagina iniziale"},
    "logout_title": {"en": "Log out", "it": "Esci"},
    "logout_text": {"en": "Do you want to log out?", "it": "Vuoi uscire?"},
    "logout_button": {"en": "Log out", "it": "Esci"},
    "chooser_title": {"en": "Log in", "it": "Accedi"},
    "login_with": {"en": "Log in with {}", "it": "Accedi con {}"},
}

LOCALES = ("en", "it")


def text(key: str, locale: str) -> tuple[str, str]:
    """(title, text) of message ``key`` in ``locale``, English when missing."""
    entry = MESSAGES.get(key) or MESSAGES["generic"]
    return entry.get(locale) or entry["en"]


def ui(key: str, locale: str) -> str:
    """A UI label in ``locale``."""
    entry = UI[key]
    return entry.get(locale) or entry["en"]


def negotiate(candidates: Iterable[str | None], accept_language: str, default: str) -> str:
    """The first supported locale among ``candidates`` (e.g. ui_locales), then Accept-Language."""
    for candidate in candidates:
        for tag in (candidate or "").split():
            lang = tag.split("-")[0].lower()
            if lang in LOCALES:
                return lang
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate(accept_language.split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        lang = tag.split("-")[0].lower()
        if lang in LOCALES and quality > 0:
            ranked.append((-quality, index, lang))
    return min(ranked)[2] if ranked else default
