"""What a provider's discovery document must advertise for our configuration of it.

Each function reads the metadata (OpenID Connect Discovery 1.0, section 3) and
reports one check: the endpoints, the algorithms within our allowlists, the
client authentication method.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..oidc.jose import ENCRYPTION_ALGORITHMS, ENCRYPTION_METHODS
from ..oidc.jwks import SIGNING_ALGORITHMS
from ..urls import check_url
from .report import Report

__all__ = ["OidcNeeds", "check_algorithms", "check_client_auth", "check_endpoints"]


class OidcNeeds:
    """What one configured OpenID provider (itsme or ``OidcConfig``) needs from its metadata."""

    def __init__(
        self, *, client_auth: str, request_object: str, encrypted_tokens: bool, userinfo: bool, pkce: bool
    ) -> None:
        self.client_auth = client_auth
        self.request_object = request_object
        self.encrypted_tokens = encrypted_tokens
        self.userinfo = userinfo
        self.pkce = pkce


def _listed(meta: Mapping[str, Any], name: str) -> list[str] | None:
    value = meta.get(name)
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else None


def check_endpoints(report: Report, name: str, meta: Mapping[str, Any], needs: OidcNeeds) -> None:
    """The endpoints the login needs are advertised as usable URLs, and the code flow is offered."""
    fields = ["authorization_endpoint", "token_endpoint", "jwks_uri"] + (
        ["userinfo_endpoint"] if needs.userinfo else []
    )
    problems: list[str] = []
    for field in fields:
        check_url(field, meta.get(field) if isinstance(meta.get(field), str) else None, problems, required=True)
    types = _listed(meta, "response_types_supported")
    if types is not None and "code" not in types:
        problems.append(f"response_types_supported: {' '.join(types)} (no 'code': the code flow is not offered)")
    if problems:
        report.add(name, "endpoints", "error", "; ".join(problems), "ask the provider, or check discovery_url")
        return
    extra = " and end_session_endpoint (RP-initiated logout)" if meta.get("end_session_endpoint") else ""
    report.add(name, "endpoints", "ok", f"{', '.join(fields)}{extra} advertised; code flow offered")


def _overlap(
    meta: Mapping[str, Any], field: str, ours: Sequence[str], *, required: bool
) -> tuple[list[str] | None, str]:
    """Our values the provider lists (None: it lists none), and a problem sentence or ''."""
    listed = _listed(meta, field)
    if listed is None:
        return None, f"{field} is not advertised" if required else ""
    common = [v for v in ours if v in listed]
    if not common:
        return common, f"{field} lists {' '.join(listed) or 'nothing'}; we allow {' '.join(ours)}"
    return common, ""


def check_algorithms(report: Report, name: str, meta: Mapping[str, Any], needs: OidcNeeds) -> None:
    """The provider's algorithms meet our allowlists, for every object the configuration signs or decrypts."""
    wanted: list[tuple[str, Sequence[str], bool]] = [
        ("id_token_signing_alg_values_supported", SIGNING_ALGORITHMS, True)
    ]
    if needs.encrypted_tokens:
        for what in ("id_token", "userinfo"):
            wanted.append((f"{what}_encryption_alg_values_supported", ENCRYPTION_ALGORITHMS, True))
            wanted.append((f"{what}_encryption_enc_values_supported", ENCRYPTION_METHODS, True))
    if needs.request_object != "none":
        wanted.append(("request_object_signing_alg_values_supported", ("RS256",), False))
    if needs.request_object == "signed_and_encrypted":
        wanted.append(("request_object_encryption_alg_values_supported", ENCRYPTION_ALGORITHMS, False))
        wanted.append(("request_object_encryption_enc_values_supported", ENCRYPTION_METHODS, False))
    problems, agreed = [], []
    for field, ours, required in wanted:
        common, problem = _overlap(meta, field, ours, required=required)
        if problem:
            problems.append(problem)
        elif common:
            agreed.append(f"{field.removesuffix('_values_supported')}: {' '.join(common)}")
    if problems:
        report.add(name, "algorithms", "error", "; ".join(problems), "the provider and our allowlists share none")
    else:
        report.add(name, "algorithms", "ok", "; ".join(agreed) or "defaults assumed (none advertised)")


def check_client_auth(report: Report, name: str, meta: Mapping[str, Any], needs: OidcNeeds) -> None:
    """Our client authentication method (and PKCE S256) is one the token endpoint takes."""
    # Discovery 1.0: when the list is omitted, the default is client_secret_basic
    methods = _listed(meta, "token_endpoint_auth_methods_supported") or ["client_secret_basic"]
    if needs.client_auth not in methods:
        report.add(
            name,
            "client_auth",
            "error",
            f"we authenticate with {needs.client_auth}; the provider takes {' '.join(methods)}",
            "set client_auth to one the provider takes (and register it)",
        )
        return
    problems = []
    if needs.client_auth == "private_key_jwt":
        _, problem = _overlap(meta, "token_endpoint_auth_signing_alg_values_supported", ("RS256",), required=False)
        problems += [problem] if problem else []
    challenges = _listed(meta, "code_challenge_methods_supported")
    if needs.pkce and challenges is not None and "S256" not in challenges:
        problems.append(f"code_challenge_methods_supported lists {' '.join(challenges)}, not S256")
    if problems:
        report.add(name, "client_auth", "error", "; ".join(problems), "ask the provider; PKCE: use_pkce=False")
    else:
        report.add(name, "client_auth", "ok", f"{needs.client_auth} is taken" + (", PKCE S256" if needs.pkce else ""))
