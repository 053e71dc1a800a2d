"""``python -m bench``: every benchmark in one run, a Markdown table, and ``--json FILE``.

All servers and load generators run as separate processes on 127.0.0.1; comparisons
are ratios of figures measured side by side in this run, rounds interleaved.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp

from tests.redis.servers import RedisServer

from . import login_cpu, memory, protected, storm
from .processes import free_port, server


def machine() -> str:
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    return f"{model}, {os.cpu_count()} cores, Python {platform.python_version()}, aiohttp {aiohttp.__version__}"


def run(seconds: int, rounds: int, logins: int, sessions: int) -> dict[str, Any]:
    results: dict[str, Any] = {"machine": machine(), "date": time.strftime("%Y-%m-%d")}
    with tempfile.TemporaryDirectory() as tmp:
        redis = RedisServer(Path(tmp))
        redis.start()
        eidg_port = free_port()
        try:
            with server("bench.emulator", "--kind", "eidg", "--port", str(eidg_port), port=eidg_port):
                eidg = f"http://127.0.0.1:{eidg_port}/oauth2"
                throughput = protected.measure(eidg=eidg, redis=redis.url, seconds=seconds, rounds=rounds)
                results["protected"] = {
                    v: {"median": statistics.median(r), "min": min(r), "max": max(r)} for v, r in throughput.items()
                }
                results["logins"] = {
                    "eidg_cpu_ms": login_cpu.measure("eidg", logins=logins, eidg=eidg),
                    "itsme_cpu_ms": login_cpu.measure("itsme", logins=logins, eidg=eidg),
                    "itsme_rsa_floor_ms": login_cpu.rsa_floor_itsme(),
                }
            results["storm"] = storm.measure(200)
            results["memory"] = {
                "redis": memory.measure("redis", redis=redis.url, count=sessions),
                "cookie": memory.measure("cookie", redis=redis.url, count=sessions),
            }
        finally:
            redis.stop()
    median = {v: d["median"] for v, d in results["protected"].items()}
    results["ratios"] = {
        "protected_cookie/bare": median["cookie"] / median["bare"],
        "protected_cookie/aiohttp_session": median["cookie"] / median["aiohttp_session"],
        "protected_redis/bare": median["redis"] / median["bare"],
        "anonymous/bare": median["anonymous"] / median["bare"],
    }
    return results


def table(r: dict[str, Any]) -> str:
    lines = [f"Machine: {r['machine']}; {r['date']}.", "", "| measure | value |", "|---|---|"]
    for variant, d in r["protected"].items():
        lines.append(f"| requests/s, {variant} | {d['median']:.0f} ({d['min']:.0f} to {d['max']:.0f}) |")
    for name, value in r["ratios"].items():
        lines.append(f"| ratio {name} | {value:.2f} |")
    logins = r["logins"]
    for provider in ("eidg", "itsme"):
        ms = logins[f"{provider}_cpu_ms"]
        lines.append(f"| CPU per {provider} login | {ms:.2f} ms ({1000 / ms:.0f} logins/s on one core) |")
    lines.append(f"| itsme RSA floor per login | {logins['itsme_rsa_floor_ms']:.2f} ms |")
    s = r["storm"]
    lines += [
        f"| refresh storm: requests / refreshes / replays | {s['requests']} / {s['refreshes']} / {s['replays']} |",
        f"| refresh storm: extra latency, median / max | {s['extra_median_ms']:.1f} ms / {s['extra_max_ms']:.1f} ms |",
    ]
    for variant, m in r["memory"].items():
        lines.append(
            f"| RSS, {variant} storage, {m['sessions']} sessions: idle / one pass / two passes | "
            f"{m['idle_kib'] // 1024} / {m['after_one_pass_kib'] // 1024} / {m['after_two_passes_kib'] // 1024} MiB |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    parser.add_argument("--seconds", type=int, default=5, help="seconds of load per round and variant")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--logins", type=int, default=200)
    parser.add_argument("--sessions", type=int, default=10_000)
    args = parser.parse_args()
    started = time.monotonic()
    results = run(args.seconds, args.rounds, args.logins, args.sessions)
    results["seconds"] = round(time.monotonic() - started, 1)
    print(table(results))
    print(f"\n(run took {results['seconds']} s)")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
