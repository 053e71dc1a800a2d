"""URL rules: which hosts are loopback, which URLs and route prefixes the plugin accepts.

A leaf: configuration checks and discovery both use these rules, so they live in one place.
"""

from __future__ import annotations

import ipaddress
import re

from yarl import URL

__all__ = ["check_url", "is_loopback_host", "prefix_problem"]

# non-empty segments of URL-unreserved characters: no site root, no "//", no route {variable}
_PREFIX = re.compile(r"(/[A-Za-z0-9._~-]+)+")
_LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain"})


def is_loopback_host(host: str | None) -> bool:
    """True for ``localhost`` and loopback IP addresses (127.0.0.0/8, ::1)."""
    if not host:
        return False
    if host.lower() in _LOOPBACK_NAMES or host.lower().endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def prefix_problem(prefix: str) -> str | None:
    """Why ``prefix`` (already normalised to ``/path`` or ``/``) cannot mount the routes, or None."""
    if prefix in ("", "/"):
        return "prefix: must be a path such as '/auth', not the site root"
    if not _PREFIX.fullmatch(prefix) or {".", ".."} & set(prefix.split("/")):
        return "prefix: must be a path such as '/auth': segments of letters, digits, '-', '_', '.' or '~'"
    return None


def check_url(field: str, value: str | None, problems: list[str], *, required: bool) -> None:
    """Collect a problem unless ``value`` is an absolute HTTPS URL (HTTP only on loopback)."""
    if not value:
        if required:
            problems.append(f"{field}: missing")
        return
    try:
        url = URL(value)
        url.port  # noqa: B018 - yarl checks the port only when it is read
    except ValueError:
        problems.append(f"{field}: not a valid URL (host or port)")
        return
    if not url.absolute or url.scheme not in ("https", "http") or not url.host:
        problems.append(f"{field}: not an absolute http(s) URL")
    elif url.scheme != "https" and not is_loopback_host(url.host):
        problems.append(f"{field}: must use https (http is allowed on loopback hosts only)")
    elif url.fragment or url.user or url.password:
        problems.append(f"{field}: must not carry a fragment or credentials")
