"""``python -m aiohttp_eid doctor``: the line format, --json, exit statuses 0/1/2, and no secret printed."""

from __future__ import annotations

import asyncio
import json
import os
import re
import secrets
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
import pytest_asyncio

from aiohttp_eid.__main__ import main
from aiohttp_eid.testing import EidgEmulator, OidcProviderEmulator
from tests.support.harness import SESSION_KEY

ROOT = Path(__file__).parents[2]
TARGET = "tests.ops.doctor_target:config"
LINE = re.compile(r"(ok|warning|error) (\S+) ([a-z_]+): (.+?)( \[.+\])?")


async def doctor(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "aiohttp_eid",
        "doctor",
        *args,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


@pytest_asyncio.fixture
async def env(unused_tcp_port_factory: Callable[[], int]) -> AsyncIterator[dict[str, str]]:
    """DOCTOR_* variables naming an emulated EIDG and OpenID provider, a client secret and a good session key."""
    origin = f"http://127.0.0.1:{unused_tcp_port_factory()}"
    secret = "doctor-secret-" + secrets.token_hex(8)
    eidg = EidgEmulator(client_id="demo-client", client_secret=secret, redirect_uris=[f"{origin}/auth/eidg/callback"])
    op = OidcProviderEmulator(client_secret=secret, redirect_uris=[f"{origin}/auth/op/callback"])
    eidg_url = await eidg.start()
    await op.start()
    yield {
        "DOCTOR_ORIGIN": origin,
        "DOCTOR_EIDG": eidg_url,
        "DOCTOR_OP": op.discovery_url,
        "DOCTOR_SECRET": secret,
        "DOCTOR_SESSION_KEY": secrets.token_urlsafe(32),
    }
    await eidg.close()
    await op.close()


async def test_a_good_configuration_exits_0_with_one_line_per_check(env: dict[str, str]) -> None:
    status, out, err = await doctor(TARGET, env=env)
    assert status == 0, out + err
    lines = out.splitlines()
    assert lines
    for line in lines:
        assert LINE.fullmatch(line), line
    assert any(line.startswith("ok op discovery: ") for line in lines)
    assert any(line.startswith("ok - session_key: ") for line in lines)
    assert env["DOCTOR_SECRET"] not in out + err
    assert env["DOCTOR_SESSION_KEY"] not in out + err


async def test_json_report(env: dict[str, str]) -> None:
    status, out, _ = await doctor(TARGET, "--json", env=env)
    assert status == 0
    checks = json.loads(out)["checks"]
    assert checks
    for check in checks:
        assert set(check) == {"provider", "check", "status", "message", "fix"}
        assert check["status"] in ("ok", "warning", "error")
    assert {"provider": "-", "check": "session_key"}.items() <= next(
        c for c in checks if c["check"] == "session_key"
    ).items()


async def test_a_broken_configuration_exits_1_and_prints_no_secret(env: dict[str, str], unused_tcp_port: int) -> None:
    broken = {
        **env,
        "DOCTOR_SESSION_KEY": SESSION_KEY,  # 32 times the same byte
        "DOCTOR_OP": f"http://127.0.0.1:{unused_tcp_port}/.well-known/openid-configuration",
        "DOCTOR_REDIS": f"redis://:{env['DOCTOR_SECRET']}-redis@127.0.0.1:{unused_tcp_port}/0",
    }
    outputs = []
    for args in ((TARGET,), (TARGET, "--json")):
        status, out, err = await doctor(*args, env=broken)
        assert status == 1, out + err
        for secret in (env["DOCTOR_SECRET"], SESSION_KEY):
            assert secret not in out + err
        outputs.append(out)
    assert "\nerror - session_key: " in outputs[0]
    assert "\nerror - redis: " in outputs[0]
    assert outputs[0].startswith("ok eidg reachable")
    assert "\nerror op discovery: " in outputs[0]


@pytest.mark.parametrize(
    ("target", "says"),
    [
        ("no-colon", "module:attribute"),
        ("tests.ops.no_such_module:config", "cannot import"),
        ("tests.ops.doctor_target:missing", "no attribute"),
        ("tests.ops.doctor_target:not_a_config", "not an EidConfig"),
        (TARGET, "KeyError"),  # config() itself fails: the DOCTOR_* variables are not set
    ],
)
def test_a_target_that_cannot_be_loaded_exits_2(
    target: str, says: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in [n for n in os.environ if n.startswith("DOCTOR_")]:
        monkeypatch.delenv(name)
    assert main(["doctor", target]) == 2  # in process: a target that does not load never reaches the network
    out, err = capsys.readouterr()
    assert out == ""
    assert says in err


def test_a_usage_error_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["doctor"])
    assert exited.value.code == 2
    assert "target" in capsys.readouterr().err
