"""The application's own keys: ``RelyingPartyKeys``.

A relying party that signs request objects and client assertions, and receives
encrypted ID tokens and userinfo (itsme), needs two RSA keys at least: one to
sign (``use=sig``, RS256) and one to decrypt (``use=enc``), each with a ``kid``.
The file holds several keys at once for rotation:

- ``active``: the key used now (signing), or published and used (decryption);
- ``next``: published already, not used to sign yet, so providers have cached it
  by the time it becomes active; a ``next`` decryption key can already be used by
  a provider, so it decrypts too;
- ``retired``: a decryption key no longer published, kept until ``retire_at`` to
  decrypt what was encrypted to it just before the rotation.

Private keys are parsed once, when the file is loaded (about 30 ms each).
"""

from __future__ import annotations

import dataclasses
import json
import os
import secrets
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Literal

from joserfc.errors import JoseError
from joserfc.jwk import KeySet, RSAKey

__all__ = ["KeyEntry", "RelyingPartyKeys"]

Use = Literal["sig", "enc"]
Status = Literal["active", "next", "retired"]
FORMAT = "aiohttp-eid/keys/1"
DEFAULT_GRACE = 7 * 86400
_ALG: dict[str, str] = {"sig": "RS256", "enc": "RSA-OAEP"}


@dataclasses.dataclass(frozen=True, slots=True)
class KeyEntry:
    """One key of the file, with its role."""

    key: RSAKey
    use: Use
    status: Status
    retire_at: float | None = None

    @property
    def kid(self) -> str:
        return str(self.key.kid)

    def __repr__(self) -> str:
        return f"KeyEntry(kid={self.kid!r}, use={self.use!r}, status={self.status!r})"


def _new_key(use: Use, size: int) -> RSAKey:
    kid = f"{use}-{time.strftime('%Y%m%d', time.gmtime())}-{secrets.token_hex(4)}"
    return RSAKey.generate_key(size, parameters={"kid": kid, "use": use, "alg": _ALG[use]})


class RelyingPartyKeys:
    """The application's signing and decryption keys, loaded once."""

    def __init__(self, entries: Iterable[KeyEntry], *, clock: Any = time.time) -> None:
        now = clock()
        self._entries = tuple(e for e in entries if e.retire_at is None or e.retire_at > now)
        kids = [e.kid for e in self._entries]
        if len(set(kids)) != len(kids):
            raise ValueError("two keys share a kid")
        for use in ("sig", "enc"):
            if sum(1 for e in self._entries if e.use == use and e.status == "active") != 1:
                raise ValueError(f"exactly one active {use} key is needed")
        self._public = {"keys": [e.key.as_dict(private=False) for e in self._entries if e.status != "retired"]}
        self._decryption = KeySet([e.key for e in self._entries if e.use == "enc"])

    def __repr__(self) -> str:
        return f"RelyingPartyKeys({list(self._entries)!r})"

    # -- making and keeping ------------------------------------------------------------

    @classmethod
    def generate(cls, *, size: int = 2048) -> RelyingPartyKeys:
        """A new pair: one active signing key and one active decryption key."""
        return cls([KeyEntry(_new_key("sig", size), "sig", "active"), KeyEntry(_new_key("enc", size), "enc", "active")])

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> RelyingPartyKeys:
        """Read a key file written by ``save`` (or ``python -m aiohttp_eid keys generate``)."""
        return cls.from_dict(json.loads(Path(path).read_text()))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RelyingPartyKeys:
        """Read the content of a key file; ``ValueError`` for anything that is not a usable one."""
        if not isinstance(data, Mapping) or data.get("format") != FORMAT or not isinstance(data.get("keys"), list):
            raise ValueError(f"not an aiohttp-eid key file ({FORMAT})")
        entries = []
        for item in data["keys"]:
            try:
                key = RSAKey.import_key(item["jwk"])
                use, status, retire_at = item["use"], item["status"], item.get("retire_at")
            except (JoseError, KeyError, TypeError, ValueError, AttributeError) as exc:
                raise ValueError(f"not a usable aiohttp-eid key file: {type(exc).__name__}") from None
            if not key.is_private or key.kid is None or use not in _ALG:
                raise ValueError("each key must be a private RSA key with a kid and a use (sig or enc)")
            if status not in ("active", "next", "retired") or (
                retire_at is not None and not isinstance(retire_at, int | float)
            ):
                raise ValueError("each key's status must be active, next or retired")
            entries.append(KeyEntry(key, use, status, retire_at))
        return cls(entries)

    def to_dict(self) -> dict[str, Any]:
        """The file's content, private keys included."""
        keys = []
        for e in self._entries:
            item: dict[str, Any] = {"use": e.use, "status": e.status, "jwk": e.key.as_dict(private=True)}
            if e.retire_at is not None:
                item["retire_at"] = e.retire_at
            keys.append(item)
        return {"format": FORMAT, "keys": keys}

    def save(self, path: str | os.PathLike[str], *, overwrite: bool = False) -> None:
        """Write the private key file with mode 0600; refuses to overwrite unless asked."""
        flags = os.O_WRONLY | os.O_CREAT | (os.O_TRUNC if overwrite else os.O_EXCL)
        fd = os.open(path, flags, 0o600)
        with os.fdopen(fd, "w") as file:
            json.dump(self.to_dict(), file, indent=1)
        os.chmod(path, 0o600)

    def rotate(
        self, use: Use, *, grace: float = DEFAULT_GRACE, size: int = 2048, now: float | None = None
    ) -> RelyingPartyKeys:
        """The next step of a rotation of the ``use`` keys, as a new key set.

        Without a ``next`` key: add one (publish it; use it later). With one:
        make it active; the old active decryption key is retired for ``grace``
        seconds, an old signing key is dropped.
        """
        now = time.time() if now is None else now
        nxt = [e for e in self._entries if e.use == use and e.status == "next"]
        if not nxt:
            return RelyingPartyKeys([*self._entries, KeyEntry(_new_key(use, size), use, "next")])
        entries = []
        for e in self._entries:
            if e.use != use:
                entries.append(e)
            elif e.status == "next":
                entries.append(dataclasses.replace(e, status="active"))
            elif e.status == "active" and use == "enc":
                entries.append(dataclasses.replace(e, status="retired", retire_at=now + grace))
            elif e.status == "retired":
                entries.append(e)
        return RelyingPartyKeys(entries)

    # -- using -------------------------------------------------------------------------

    @property
    def entries(self) -> tuple[KeyEntry, ...]:
        return self._entries

    @property
    def signing_key(self) -> RSAKey:
        """The active signing key (RS256)."""
        return next(e.key for e in self._entries if e.use == "sig" and e.status == "active")

    @property
    def decryption_keys(self) -> KeySet:
        """Every key a provider may have encrypted to: active, next and retired (until retire_at)."""
        return self._decryption

    def public_jwks(self) -> dict[str, Any]:
        """The JWKS to publish: public parts of the active and next keys only."""
        return self._public
