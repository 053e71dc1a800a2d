"""``python -m bench``: every benchmark in one run, a Markdown table, and ``--json FILE``.

All servers and load generators run as separate processes on 127.0.0.1; comparisons
are ratios of figures measured side by side in this run, rounds interleaved. It runs with
what is installed: without wrk or redis-server, the measures that need them are skipped,
and the run says so (on stderr at the start, under the table at the end).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp

from aiohttp_eid.testing import RedisServer

from . import login_cpu, memory, protected, storm
from .processes import free_port, server

PROVIDERS = ("eidg", "itsme", "oidc")


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


def missing_tools() -> dict[str, str]:
    """The optional tools that are not installed here, each with the measures it takes away and the fix."""
    missing = {}
    if shutil.which("wrk") is None:
        missing["wrk"] = "requests/s and their ratios skipped: wrk not installed (apt-get install wrk)"
    if shutil.which("redis-server") is None:
        missing["redis"] = "Redis figures skipped: redis-server not installed (apt-get install redis-server)"
    elif importlib.util.find_spec("redis") is None:
        missing["redis"] = "Redis figures skipped: the redis package is not installed (pip install -e '.[redis]')"
    return missing


def run(
    seconds: int, rounds: int, logins: int, sessions: int, storm_requests: int = 200, baseline: Path | None = None
) -> dict[str, Any]:
    missing = missing_tools()
    results: dict[str, Any] = {
        "machine": machine(),
        "date": time.strftime("%Y-%m-%d"),
        "skipped": list(missing.values()),
    }
    for note in results["skipped"]:
        print(f"python -m bench: {note}", file=sys.stderr)
    with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as stack:
        redis = None if "redis" in missing else stack.enter_context(RedisServer(Path(tmp))).url
        eidg_port = free_port()
        with server("bench.emulator", "--kind", "eidg", "--port", str(eidg_port), port=eidg_port):
            eidg = f"http://127.0.0.1:{eidg_port}/oauth2"
            if "wrk" not in missing:
                throughput = protected.measure(eidg=eidg, redis=redis, seconds=seconds, rounds=rounds)
                results["protected"] = {
                    v: {"median": statistics.median(r), "min": min(r), "max": max(r)} for v, r in throughput.items()
                }
            results["logins"] = {}
            for provider in PROVIDERS:
                user, system = login_cpu.measure(provider, logins=logins, eidg=eidg)
                results["logins"] |= {
                    f"{provider}_cpu_ms": user + system,
                    f"{provider}_user_ms": user,
                    f"{provider}_system_ms": system,
                }
            # the way users log in: a protected page first, which sends the browser on to the provider
            for provider in ("eidg", "itsme"):
                user, system = login_cpu.measure(provider, logins=logins, eidg=eidg, start="/")
                results["logins"][f"{provider}_from_page_cpu_ms"] = user + system
            user, system = login_cpu.measure("eidg_http_floor", logins=logins, eidg=eidg)
            results["logins"]["eidg_http_floor_ms"] = user + system
            results["logins"]["itsme_rsa_floor_ms"] = login_cpu.rsa_floor_itsme()
            if baseline is not None:
                compared = login_cpu.against_baseline(baseline, logins=logins, eidg=eidg, rounds=rounds)
                results["baseline"] = {"checkout": str(baseline), "logins": compared}
        results["storm"] = storm.measure(storm_requests)
        storages = ("redis", "cookie") if redis else ("cookie",)
        results["memory"] = {s: memory.measure(s, redis=redis or "", count=sessions) for s in storages}
    if "protected" in results:
        median = {v: d["median"] for v, d in results["protected"].items()}
        ratios = {
            "protected_cookie/bare": ("cookie", "bare"),
            "protected_cookie/aiohttp_session": ("cookie", "aiohttp_session"),
        }
        ratios |= {"protected_redis/bare": ("redis", "bare")} if "redis" in median else {}
        ratios["anonymous/bare"] = ("anonymous", "bare")
        results["ratios"] = {name: median[a] / median[b] for name, (a, b) in ratios.items()}
    return results


def table(r: dict[str, Any]) -> str:
    lines = [f"Machine: {r['machine']}; {r['date']}.", "", "| measure | value |", "|---|---|"]
    if "baseline" in r:
        lines[0] += f" Baseline: {r['baseline']['checkout']}."
    for variant, d in r.get("protected", {}).items():
        lines.append(f"| requests/s, {variant} | {d['median']:.0f} ({d['min']:.0f} to {d['max']:.0f}) |")
    for name, value in r.get("ratios", {}).items():
        lines.append(f"| ratio {name} | {value:.2f} |")
    logins = r["logins"]
    for provider in PROVIDERS:
        ms = logins[f"{provider}_cpu_ms"]
        # /proc counts CPU in clock ticks (10 ms): a few fast logins can read as none
        rate = f"{1000 / ms:.0f} logins/s on one core" if ms else "below the clock tick: use more --logins"
        lines.append(f"| CPU per {provider} login | {ms:.2f} ms ({rate}) |")
        if f"{provider}_user_ms" in logins:
            user, system = logins[f"{provider}_user_ms"], logins[f"{provider}_system_ms"]
            lines.append(f"| CPU per {provider} login: user / system | {user:.2f} ms / {system:.2f} ms |")
    for provider in ("eidg", "itsme"):
        if f"{provider}_from_page_cpu_ms" in logins:
            ms = logins[f"{provider}_from_page_cpu_ms"]
            lines.append(f"| CPU per {provider} login from a protected page | {ms:.2f} ms |")
    if "eidg_http_floor_ms" in logins:
        # what aiohttp's own HTTP costs for the same exchanges; the rest is the protocol and the plugin
        http = logins["eidg_http_floor_ms"]
        lines.append(f"| eidg login's HTTP exchanges alone (bench.http_floor) | {http:.2f} ms |")
        lines.append(f"| eidg login - its HTTP exchanges | {logins['eidg_cpu_ms'] - http:+.2f} ms |")
    floor = logins["itsme_rsa_floor_ms"]
    lines.append(f"| itsme RSA floor per login | {floor:.2f} ms |")
    if floor:
        # what the itsme login costs beyond its RSA operations, and against EIDG's whole login plus that floor
        itsme, eidg = logins["itsme_cpu_ms"], logins["eidg_cpu_ms"]
        lines.append(f"| itsme login / its RSA floor | {itsme / floor:.2f} |")
        lines.append(f"| itsme login - (eidg login + RSA floor) | {itsme - eidg - floor:+.2f} ms |")
    if "baseline" in r:
        for name, cpu in r["baseline"]["logins"].items():
            this, base = cpu["this"], cpu["baseline"]
            ratio = f"{this / base:.2f}" if base else "-"
            lines.append(f"| CPU per {name}, this tree / baseline | {this:.2f} / {base:.2f} ms = {ratio} |")
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
    lines += ["", *(f"{note[0].upper()}{note[1:]}." for note in r["skipped"])] if r["skipped"] else []
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    parser.add_argument("--seconds", type=int, default=5, help="seconds of load per round and variant")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--logins", type=int, default=200)
    parser.add_argument("--sessions", type=int, default=10_000)
    parser.add_argument("--storm", type=int, default=200, help="concurrent requests of the refresh storm")
    parser.add_argument(
        "--baseline",
        type=Path,
        metavar="DIR",
        help="another checkout (e.g. a git worktree of main) whose login CPU is measured beside this one's",
    )
    args = parser.parse_args()
    started = time.monotonic()
    results = run(args.seconds, args.rounds, args.logins, args.sessions, args.storm, args.baseline)
    results["seconds"] = round(time.monotonic() - started, 1)
    print(table(results))
    print(f"\n(run took {results['seconds']} s)")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
