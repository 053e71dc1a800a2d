"""The names of the Redis keys of the session store, and the scripts that write them.

One session's record and tokens carry the same hash tag (``{digest}``), so on
Redis Cluster they share a slot and one script can check and write both. The
per-user index of ``logout_everywhere`` has a slot of its own (see
docs/deployment.md for why it stays correct without being atomic with the records).
"""

from __future__ import annotations

import hashlib

__all__ = [
    "PREFIXES",
    "WRITE_SESSION",
    "digest_of",
    "doctor_key",
    "handoff_key",
    "lock_key",
    "record_key",
    "session_digest",
    "subject_key",
    "tokens_key",
]

_PREFIX = "eid:"
#: the key prefixes of session records and their tokens (what the login cache tracks)
PREFIXES = (f"{_PREFIX}s:", f"{_PREFIX}t:")

# KEYS: record, tokens. ARGV: '1' if the record must already exist (an update), the sealed
# record, its lifetime (ms), '1' if it holds a login, the tokens' version ('' if no new
# tokens), the sealed tokens. An update of a record that is gone (a logout, an expiry, a
# logout_everywhere) writes nothing and answers 0: a deleted session never comes back.
# Tokens are written only when newer than the stored ones (compare-and-set on the time they
# were obtained), so a request that started before a refresh cannot write the old ones back.
WRITE_SESSION = """
if ARGV[1] == '1' and redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
if ARGV[4] ~= '1' then
  redis.call('DEL', KEYS[2])
  return 1
end
if ARGV[5] ~= '' then
  local current = redis.call('GET', KEYS[2])
  local version = current and tonumber(string.match(current, '^([^|]+)|'))
  if not (version and version >= tonumber(ARGV[5])) then
    redis.call('SET', KEYS[2], ARGV[5] .. '|' .. ARGV[6], 'PX', ARGV[3])
    return 1
  end
end
redis.call('PEXPIRE', KEYS[2], ARGV[3])
return 1
"""


def session_digest(session_id: str) -> str:
    """The digest of a cookie's session id that names its keys (the id itself is never stored)."""
    return hashlib.sha256(session_id.encode()).hexdigest()


def record_key(digest: str) -> str:
    """The sealed session record."""
    return f"{_PREFIX}s:{{{digest}}}"


def tokens_key(digest: str) -> str:
    """The sealed tokens of a session (same hash slot as its record)."""
    return f"{_PREFIX}t:{{{digest}}}"


def digest_of(key: str) -> str | None:
    """The session digest a record or tokens key names (None for other keys)."""
    if key.startswith(PREFIXES) and key.endswith("}"):
        return key[len(_PREFIX) + 3 : -1]
    return None


def subject_key(provider: str, subject: str) -> str:
    """The index of one person's sessions at one provider (for logout_everywhere)."""
    digest = hashlib.sha256(provider.encode() + b"\x00" + subject.encode()).hexdigest()
    return f"{_PREFIX}u:{{{digest}}}"


def lock_key(refresh_digest: str) -> str:
    """The lock of one refresh (same hash slot as its hand-off record)."""
    return f"{_PREFIX}l:{{{refresh_digest}}}"


def handoff_key(refresh_digest: str) -> str:
    """The tokens a refresh got, left for the other processes."""
    return f"{_PREFIX}h:{{{refresh_digest}}}"


def doctor_key(token: str) -> str:
    """The doctor's own scratch key, under our prefix (the one the ACL of docs/deployment.md grants)."""
    return f"{_PREFIX}doctor:{token}"
