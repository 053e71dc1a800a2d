"""The doctor's report: one line per check, as text or JSON, never holding a secret."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable
from typing import Literal, TypeAlias

__all__ = ["GLOBAL", "Check", "Report", "Status"]

Status: TypeAlias = Literal["ok", "warning", "error"]
#: the provider column of checks about the whole configuration (session key, Redis)
GLOBAL = "-"
_MASK = "***"


@dataclasses.dataclass(frozen=True)
class Check:
    """One finding: ``status`` of ``check`` for ``provider``, what was seen and how to fix it."""

    provider: str
    check: str
    status: Status
    message: str
    fix: str = ""

    def line(self) -> str:
        """``<ok|warning|error> <provider> <check>: <message> [fix]``."""
        fix = f" [{self.fix}]" if self.fix else ""
        return f"{self.status} {self.provider} {self.check}: {self.message}{fix}"


class Report:
    """The checks of one run, with every known secret masked out of them."""

    def __init__(self, secrets: Iterable[str]) -> None:
        # longest first, so a secret holding another is masked whole
        self._secrets = sorted({s for s in secrets if s and len(s) >= 4}, key=len, reverse=True)
        self.checks: list[Check] = []

    def add(self, provider: str, check: str, status: Status, message: str, fix: str = "") -> None:
        """Record one finding (its texts are scrubbed of secrets first)."""
        self.checks.append(Check(provider, check, status, self._scrub(message), self._scrub(fix)))

    def _scrub(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, _MASK)
        return text

    @property
    def failed(self) -> bool:
        """Whether any check is an error."""
        return any(c.status == "error" for c in self.checks)

    def text(self) -> str:
        """The report, one line per check."""
        return "\n".join(c.line() for c in self.checks)

    def json(self) -> str:
        """``{"checks": [{"provider", "check", "status", "message", "fix"}]}``."""
        return json.dumps({"checks": [dataclasses.asdict(c) for c in self.checks]}, indent=1)
