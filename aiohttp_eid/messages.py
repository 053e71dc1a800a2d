"""What users read, in their language. One table: key -> locale -> (title, text)."""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["LOCALES", "MESSAGES", "UI", "negotiate", "text"]

MESSAGES: dict[str, dict[str, tuple[str, str]]] = {
    "generic": {
        "en": ("Login failed", "Something went wrong while logging you in. Please try again later."),
        "it": ("Accesso non riuscito", "Si è verificato un errore durante l'accesso. Riprova più tardi."),
        "fr": (
            "Échec de la connexion",
            "Un problème est survenu lors de votre connexion. Veuillez réessayer plus tard.",
        ),
        "nl": ("Aanmelden mislukt", "Er ging iets mis bij het aanmelden. Probeer het later opnieuw."),
        "de": (
            "Anmeldung fehlgeschlagen",
            "Bei der Anmeldung ist ein Fehler aufgetreten. Bitte versuchen Sie es später erneut.",
        ),
    },
    "not_authenticated": {
        "en": ("Please log in", "You need to log in to see this page."),
        "it": ("Accedi", "Devi accedere per vedere questa pagina."),
        "fr": ("Veuillez vous connecter", "Vous devez vous connecter pour voir cette page."),
        "nl": ("Meld u aan", "U moet zich aanmelden om deze pagina te zien."),
        "de": ("Bitte melden Sie sich an", "Sie müssen sich anmelden, um diese Seite zu sehen."),
    },
    "insufficient_assurance": {
        "en": ("A stronger login is needed", "This page needs a login with a higher level of assurance."),
        "it": (
            "Serve un accesso più sicuro",
            "Questa pagina richiede un accesso con un livello di sicurezza più alto.",
        ),
        "fr": (
            "Une connexion plus forte est nécessaire",
            "Cette page exige une connexion d'un niveau de garantie plus élevé.",
        ),
        "nl": ("Sterkere aanmelding nodig", "Deze pagina vereist een aanmelding met een hoger betrouwbaarheidsniveau."),
        "de": ("Stärkere Anmeldung nötig", "Diese Seite erfordert eine Anmeldung mit höherem Vertrauensniveau."),
    },
    "missing_data": {
        "en": ("Information missing", "Your login did not provide the information this page needs."),
        "it": ("Dati mancanti", "Il tuo accesso non ha fornito i dati richiesti da questa pagina."),
        "fr": ("Informations manquantes", "Votre connexion n'a pas fourni les informations requises par cette page."),
        "nl": ("Gegevens ontbreken", "Uw aanmelding leverde niet de gegevens die deze pagina nodig heeft."),
        "de": ("Angaben fehlen", "Ihre Anmeldung hat nicht die Angaben geliefert, die diese Seite braucht."),
    },
    "login_expired": {
        "en": ("This login expired", "This login attempt expired or was already used. Please start again."),
        "it": ("Accesso scaduto", "Questo tentativo di accesso è scaduto o è già stato usato. Ricomincia."),
        "fr": (
            "Connexion expirée",
            "Cette tentative de connexion a expiré ou a déjà été utilisée. Veuillez recommencer.",
        ),
        "nl": ("Aanmelding verlopen", "Deze aanmeldpoging is verlopen of al gebruikt. Begin opnieuw."),
        "de": (
            "Anmeldung abgelaufen",
            "Dieser Anmeldeversuch ist abgelaufen oder wurde schon verwendet. Bitte beginnen Sie neu.",
        ),
    },
    "session_ended": {
        "en": ("Your session ended", "Your session has ended. Please log in again."),
        "it": ("Sessione terminata", "La tua sessione è terminata. Accedi di nuovo."),
        "fr": ("Session terminée", "Votre session a pris fin. Veuillez vous reconnecter."),
        "nl": ("Sessie beëindigd", "Uw sessie is beëindigd. Meld u opnieuw aan."),
        "de": ("Sitzung beendet", "Ihre Sitzung ist beendet. Bitte melden Sie sich erneut an."),
    },
    "bad_credentials": {
        "en": ("Login failed", "The credentials were entered incorrectly too many times. Please try again."),
        "it": ("Accesso non riuscito", "Credenziali errate inserite troppe volte. Riprova."),
        "fr": (
            "Échec de la connexion",
            "Les identifiants ont été saisis incorrectement trop de fois. Veuillez réessayer.",
        ),
        "nl": ("Aanmelden mislukt", "De gegevens werden te vaak verkeerd ingevoerd. Probeer opnieuw."),
        "de": (
            "Anmeldung fehlgeschlagen",
            "Die Zugangsdaten wurden zu oft falsch eingegeben. Bitte versuchen Sie es erneut.",
        ),
    },
    "level_unavailable": {
        "en": ("Login failed", "Your digital identity does not have the security level this service needs."),
        "it": (
            "Accesso non riuscito",
            "La tua identità digitale non ha il livello di sicurezza richiesto dal servizio.",
        ),
        "fr": ("Échec de la connexion", "Votre identité numérique n'a pas le niveau de sécurité exigé par ce service."),
        "nl": (
            "Aanmelden mislukt",
            "Uw digitale identiteit heeft niet het beveiligingsniveau dat deze dienst vereist.",
        ),
        "de": (
            "Anmeldung fehlgeschlagen",
            "Ihre digitale Identität hat nicht das Sicherheitsniveau, das dieser Dienst verlangt.",
        ),
    },
    "timeout": {
        "en": ("Login timed out", "The login took too long. Please try again."),
        "it": ("Tempo scaduto", "L'accesso ha richiesto troppo tempo. Riprova."),
        "fr": ("Délai dépassé", "La connexion a pris trop de temps. Veuillez réessayer."),
        "nl": ("Tijd verstreken", "Het aanmelden duurde te lang. Probeer opnieuw."),
        "de": ("Zeit abgelaufen", "Die Anmeldung hat zu lange gedauert. Bitte versuchen Sie es erneut."),
    },
    "consent_denied": {
        "en": ("Consent not given", "You did not agree to share your data, so you could not be logged in."),
        "it": ("Consenso negato", "Non hai acconsentito all'invio dei dati, quindi l'accesso non è avvenuto."),
        "fr": (
            "Consentement refusé",
            "Vous n'avez pas accepté de partager vos données ; la connexion n'a pas eu lieu.",
        ),
        "nl": ("Toestemming geweigerd", "U gaf geen toestemming om uw gegevens te delen, dus u bent niet aangemeld."),
        "de": (
            "Zustimmung verweigert",
            "Sie haben der Weitergabe Ihrer Daten nicht zugestimmt; die Anmeldung fand nicht statt.",
        ),
    },
    "identity_suspended": {
        "en": ("Login failed", "Your digital identity is suspended or revoked, or its credentials are blocked."),
        "it": (
            "Accesso non riuscito",
            "La tua identità digitale è sospesa o revocata, o le credenziali sono bloccate.",
        ),
        "fr": (
            "Échec de la connexion",
            "Votre identité numérique est suspendue ou révoquée, ou ses identifiants sont bloqués.",
        ),
        "nl": (
            "Aanmelden mislukt",
            "Uw digitale identiteit is geschorst of ingetrokken, of de gegevens zijn geblokkeerd.",
        ),
        "de": (
            "Anmeldung fehlgeschlagen",
            "Ihre digitale Identität ist gesperrt oder widerrufen, oder die Zugangsdaten sind blockiert.",
        ),
    },
    "cancelled": {
        "en": ("Login cancelled", "You cancelled the login."),
        "it": ("Accesso annullato", "Hai annullato l'accesso."),
        "fr": ("Connexion annulée", "Vous avez annulé la connexion."),
        "nl": ("Aanmelding geannuleerd", "U hebt de aanmelding geannuleerd."),
        "de": ("Anmeldung abgebrochen", "Sie haben die Anmeldung abgebrochen."),
    },
    "access_denied": {
        "en": ("Login failed", "The login was not completed."),
        "it": ("Accesso non riuscito", "L'accesso non è stato completato."),
        "fr": ("Échec de la connexion", "La connexion n'a pas abouti."),
        "nl": ("Aanmelden mislukt", "De aanmelding werd niet voltooid."),
        "de": ("Anmeldung fehlgeschlagen", "Die Anmeldung wurde nicht abgeschlossen."),
    },
    "assurance_too_low": {
        "en": ("A stronger login is needed", "The login method you used is not strong enough for this service."),
        "it": (
            "Serve un accesso più sicuro",
            "Il metodo di accesso usato non è abbastanza sicuro per questo servizio.",
        ),
        "fr": (
            "Une connexion plus forte est nécessaire",
            "La méthode de connexion utilisée n'est pas assez sûre pour ce service.",
        ),
        "nl": ("Sterkere aanmelding nodig", "De gebruikte aanmeldmethode is niet veilig genoeg voor deze dienst."),
        "de": ("Stärkere Anmeldung nötig", "Die verwendete Anmeldemethode ist für diesen Dienst nicht sicher genug."),
    },
    "provider_unavailable": {
        "en": ("Service unavailable", "The identity service is not answering right now. Please try again shortly."),
        "it": ("Servizio non disponibile", "Il servizio di identità non risponde. Riprova tra poco."),
        "fr": (
            "Service indisponible",
            "Le service d'identité ne répond pas pour le moment. Veuillez réessayer dans un instant.",
        ),
        "nl": (
            "Dienst niet beschikbaar",
            "De identiteitsdienst antwoordt momenteel niet. Probeer het zo dadelijk opnieuw.",
        ),
        "de": (
            "Dienst nicht verfügbar",
            "Der Identitätsdienst antwortet gerade nicht. Bitte versuchen Sie es gleich erneut.",
        ),
    },
    "unavailable": {
        "en": ("Service unavailable", "The service is temporarily unavailable. Please try again shortly."),
        "it": ("Servizio non disponibile", "Il servizio è temporaneamente non disponibile. Riprova tra poco."),
        "fr": (
            "Service indisponible",
            "Le service est temporairement indisponible. Veuillez réessayer dans un instant.",
        ),
        "nl": ("Dienst niet beschikbaar", "De dienst is tijdelijk niet beschikbaar. Probeer het zo dadelijk opnieuw."),
        "de": (
            "Dienst nicht verfügbar",
            "Der Dienst ist vorübergehend nicht verfügbar. Bitte versuchen Sie es gleich erneut.",
        ),
    },
    "cross_origin": {
        "en": ("Request refused", "This request did not come from this site."),
        "it": ("Richiesta rifiutata", "Questa richiesta non proviene da questo sito."),
        "fr": ("Requête refusée", "Cette requête ne provient pas de ce site."),
        "nl": ("Verzoek geweigerd", "Dit verzoek komt niet van deze site."),
        "de": ("Anfrage abgelehnt", "Diese Anfrage stammt nicht von dieser Website."),
    },
}

UI: dict[str, dict[str, str]] = {
    "try_again": {
        "en": "Try again",
        "it": "Riprova",
        "fr": "Réessayer",
        "nl": "Opnieuw proberen",
        "de": "Erneut versuchen",
    },
    "start_again": {
        "en": "Log in again",
        "it": "Accedi di nuovo",
        "fr": "Se reconnecter",
        "nl": "Opnieuw aanmelden",
        "de": "Erneut anmelden",
    },
    "home": {
        "en": "Back to the home page",
        "it": "Torna alla pagina iniziale",
        "fr": "Retour à l'accueil",
        "nl": "Terug naar de startpagina",
        "de": "Zurück zur Startseite",
    },
    "logout_title": {"en": "Log out", "it": "Esci", "fr": "Déconnexion", "nl": "Afmelden", "de": "Abmelden"},
    "logout_text": {
        "en": "Do you want to log out?",
        "it": "Vuoi uscire?",
        "fr": "Voulez-vous vous déconnecter ?",
        "nl": "Wilt u zich afmelden?",
        "de": "Möchten Sie sich abmelden?",
    },
    "logout_button": {"en": "Log out", "it": "Esci", "fr": "Se déconnecter", "nl": "Afmelden", "de": "Abmelden"},
    "chooser_title": {"en": "Log in", "it": "Accedi", "fr": "Connexion", "nl": "Aanmelden", "de": "Anmelden"},
    "login_with": {
        "en": "Log in with {}",
        "it": "Accedi con {}",
        "fr": "Se connecter avec {}",
        "nl": "Aanmelden met {}",
        "de": "Anmelden mit {}",
    },
}

LOCALES = ("en", "it", "fr", "nl", "de")


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
