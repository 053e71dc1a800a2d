"""Every module of the library stays small enough to read in one sitting: at most 300 lines."""

from __future__ import annotations

from pathlib import Path

import aiohttp_eid

PACKAGE = Path(aiohttp_eid.__file__).parent
LIMIT = 300


def too_long(root: Path, limit: int = LIMIT) -> list[str]:
    """The modules under ``root`` longer than ``limit`` lines, with their length."""
    return sorted(
        f"{path.relative_to(root.parent)}: {count} lines"
        for path in root.rglob("*.py")
        if (count := len(path.read_text().splitlines())) > limit
    )


def test_no_library_module_is_over_300_lines() -> None:
    assert too_long(PACKAGE) == [], f"split these modules (each owns one thing), limit {LIMIT} lines"


def test_a_long_module_is_caught(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "short.py").write_text("x = 1\n" * LIMIT)
    (package / "long.py").write_text("x = 1\n" * (LIMIT + 1))
    assert too_long(package) == [f"pkg/long.py: {LIMIT + 1} lines"]
