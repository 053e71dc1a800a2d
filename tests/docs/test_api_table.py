"""docs/index.md's "Public API" table names every public name, and only those."""

from __future__ import annotations

import re
from pathlib import Path

import aiohttp_eid

INDEX = Path(__file__).parents[2] / "docs" / "index.md"


def api_table_names() -> set[str]:
    """The names in the first column of the table under "## Public API" (``name(args)`` counts as ``name``)."""
    section = INDEX.read_text().split("## Public API", 1)[1].split("\n## ", 1)[0]
    names: set[str] = set()
    for line in section.splitlines():
        if line.startswith("| `"):
            first_column = line.split(" | ", 1)[0]
            names.update(re.findall(r"`([A-Za-z_][A-Za-z0-9_]*)[`(]", first_column))
    return names


def test_the_api_table_lists_every_name_in_all() -> None:
    names = api_table_names()
    assert set(aiohttp_eid.__all__) - names == set(), "missing from docs/index.md's Public API table"
    assert names - set(aiohttp_eid.__all__) == set(), "in docs/index.md's table but not in __all__"
