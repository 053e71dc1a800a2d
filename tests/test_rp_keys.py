"""The application's keys: generate, save (0600, no overwrite), load, publish, rotate."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from joserfc import jwe

from aiohttp_eid import RelyingPartyKeys
from aiohttp_eid.__main__ import main


@pytest.fixture(scope="module")
def keys() -> RelyingPartyKeys:
    return RelyingPartyKeys.generate()


def encrypt_to(public: dict[str, Any]) -> str:
    from joserfc.jwk import RSAKey

    key = RSAKey.import_key(public)
    return jwe.encrypt_compact({"alg": "RSA-OAEP", "enc": "A128CBC-HS256", "kid": key.kid}, b"x", key)


def test_generated_keys_sign_and_decrypt_with_separate_keys(keys: RelyingPartyKeys) -> None:
    jwks = keys.public_jwks()["keys"]
    assert sorted(k["use"] for k in jwks) == ["enc", "sig"]
    assert all(k["kid"] for k in jwks)
    assert all(not ({"d", "p", "q", "dp", "dq", "qi"} & set(k)) for k in jwks)
    assert keys.signing_key.kid != next(iter(keys.decryption_keys)).kid


def test_save_is_private_and_never_overwrites(tmp_path: Path, keys: RelyingPartyKeys) -> None:
    path = tmp_path / "rp-keys.json"
    keys.save(path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    with pytest.raises(FileExistsError):
        keys.save(path)
    loaded = RelyingPartyKeys.load(path)
    assert loaded.public_jwks() == keys.public_jwks()


def test_rotation_publishes_next_then_activates_and_keeps_the_retired_key(keys: RelyingPartyKeys) -> None:
    old_enc = next(k for k in keys.public_jwks()["keys"] if k["use"] == "enc")
    staged = keys.rotate("enc")
    published = [k for k in staged.public_jwks()["keys"] if k["use"] == "enc"]
    assert len(published) == 2  # the next key is published before it is used
    new_enc = next(k for k in published if k["kid"] != old_enc["kid"])
    assert len(staged.decryption_keys.keys) == 2  # ...and already decrypts

    done = staged.rotate("enc", grace=3600)
    assert [k["kid"] for k in done.public_jwks()["keys"] if k["use"] == "enc"] == [new_enc["kid"]]
    kids = {k.kid for k in done.decryption_keys}
    assert old_enc["kid"] in kids  # retired, still decrypting during the grace period
    token = encrypt_to(old_enc)
    assert jwe.decrypt_compact(token, done.decryption_keys).plaintext == b"x"
    expired = RelyingPartyKeys(done.entries, clock=lambda: time.time() + 7200)  # after the grace period
    assert old_enc["kid"] not in {k.kid for k in expired.decryption_keys}


def test_signing_key_rotation(keys: RelyingPartyKeys) -> None:
    staged = keys.rotate("sig")
    assert len([k for k in staged.public_jwks()["keys"] if k["use"] == "sig"]) == 2
    assert staged.signing_key.kid == keys.signing_key.kid  # not used before it is active
    done = staged.rotate("sig")
    assert done.signing_key.kid != keys.signing_key.kid


def test_a_file_that_is_not_ours_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.json"
    path.write_text(json.dumps({"keys": []}))
    with pytest.raises(ValueError, match="not an aiohttp-eid key file"):
        RelyingPartyKeys.load(path)


@pytest.mark.parametrize(
    "content",
    [
        "[1, 2]",
        '{"format": "aiohttp-eid/keys/1", "keys": [{"jwk": {}, "use": "sig", "status": "active"}]}',
        '{"format": "aiohttp-eid/keys/1", "keys": [1]}',
        '{"format": "aiohttp-eid/keys/1", "keys": [{"use": "sig"}]}',
        "not json",
    ],
)
def test_a_malformed_key_file_is_a_clear_error_not_a_traceback(
    tmp_path: Path, content: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content)
    assert main(["keys", "public", "--file", str(path)]) == 1
    assert capsys.readouterr().err.startswith("error: ")


def test_cli_generate_refuses_to_overwrite(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "k.json"
    assert main(["keys", "generate", "--out", str(path)]) == 0
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    before = path.read_text()
    assert main(["keys", "generate", "--out", str(path)]) == 1
    assert "not overwritten" in capsys.readouterr().err
    assert path.read_text() == before
    assert main(["keys", "rotate", "--file", str(path), "--use", "enc"]) == 0
    capsys.readouterr()
    assert main(["keys", "public", "--file", str(path)]) == 0
    public = json.loads(capsys.readouterr().out)
    assert len([k for k in public["keys"] if k["use"] == "enc"]) == 2


def test_cli_runs_as_a_module(tmp_path: Path) -> None:
    out = tmp_path / "m.json"
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "aiohttp_eid", "keys", "generate", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert RelyingPartyKeys.load(out).signing_key.kid
