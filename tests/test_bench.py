"""``python -m bench`` runs anywhere, never imports the test suite, and measures the storm's extra latency right."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench.__main__ import table
from bench.storm import extra_latency

ROOT = Path(__file__).parents[1]


def test_bench_never_imports_the_test_suite() -> None:
    for path in sorted((ROOT / "bench").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            names += [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            assert not [n for n in names if n == "tests" or n.startswith("tests.")], path.name


def test_storm_extra_latency_max_is_never_below_its_median() -> None:
    # the slowest quiet request is slower than the slowest storm request: the old max(storm) - max(quiet) was -10 ms
    extra = extra_latency(quiet=[0.010, 0.030, 0.050], storm=[0.030, 0.035, 0.040])
    assert extra == pytest.approx({"baseline_median_ms": 30.0, "extra_median_ms": 5.0, "extra_max_ms": 10.0})


def test_a_login_cpu_below_the_clock_tick_is_printed_not_divided_by() -> None:
    # /proc counts CPU in 10 ms ticks: two fast logins can read as 0 ms (a ZeroDivisionError before)
    storm = {"requests": 20, "refreshes": 1, "replays": 0, "extra_median_ms": 1.0, "extra_max_ms": 2.0}
    logins = {"eidg_cpu_ms": 0.0, "itsme_cpu_ms": 5.0, "oidc_cpu_ms": 0.0, "itsme_rsa_floor_ms": 1.0}
    printed = table({"machine": "m", "date": "d", "skipped": [], "logins": logins, "storm": storm, "memory": {}})
    assert "| CPU per eidg login | 0.00 ms (below the clock tick: use more --logins) |" in printed
    assert "| CPU per itsme login | 5.00 ms (200 logins/s on one core) |" in printed
    # the itsme login beside its RSA floor, and against EIDG's login plus that floor (issue 14's yardsticks)
    assert "| itsme login / its RSA floor | 5.00 |" in printed
    assert "| itsme login - (eidg login + RSA floor) | +4.00 ms |" in printed


def test_a_baseline_checkout_is_printed_beside_this_one() -> None:
    storm = {"requests": 20, "refreshes": 1, "replays": 0, "extra_median_ms": 1.0, "extra_max_ms": 2.0}
    logins = {"eidg_cpu_ms": 3.0, "itsme_cpu_ms": 8.0, "oidc_cpu_ms": 3.0, "itsme_rsa_floor_ms": 4.0}
    baseline = {"checkout": "../main", "logins": {"eidg login": {"this": 3.0, "baseline": 4.0}}}
    results = {"machine": "m", "date": "d", "skipped": [], "logins": logins, "storm": storm, "memory": {}}
    printed = table(results | {"baseline": baseline})
    assert printed.startswith("Machine: m; d. Baseline: ../main.")
    assert "| CPU per eidg login, this tree / baseline | 3.00 / 4.00 ms = 0.75 |" in printed


def test_bench_runs_without_wrk_and_redis_and_says_what_it_skipped(tmp_path: Path) -> None:
    # a PATH with no tools at all: no wrk, no redis-server, no taskset (the bench runs servers by sys.executable)
    env = {**os.environ, "PATH": str(tmp_path)}
    command = [
        sys.executable,
        "-m",
        "bench",
        "--seconds",
        "1",
        "--rounds",
        "1",
        "--logins",
        "2",
        "--sessions",
        "10",
        "--storm",
        "20",
    ]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False)  # noqa: S603
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "wrk not installed" in result.stderr, output
    assert "redis-server not installed" in result.stderr, output
    table = result.stdout.split("\n\n")[1]  # the table itself, between the machine line and the notes
    # what ran (the storm's figures depend on timing on this machine: only their presence is checked here)
    rows = ["| CPU per eidg login |", "| CPU per itsme login |", "| CPU per oidc login |", "| refresh storm:"]
    rows += ["| CPU per eidg login: user / system |", "| itsme login / its RSA floor |"]
    rows += ["| CPU per eidg login from a protected page |", "| eidg login's HTTP exchanges alone"]
    for row in rows:
        assert row in table, output
    assert "requests/s" not in table, output
    assert "redis storage" not in table, output
