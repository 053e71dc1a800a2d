"""The documentation site builds with warnings as errors, with every public name in its API reference."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import aiohttp_eid
import aiohttp_eid.testing

ROOT = Path(__file__).parents[2]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``mkdocs build --strict`` of the repository's docs, into a temporary directory."""
    directory = tmp_path_factory.mktemp("site")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(directory)]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False)  # noqa: S603
    if "No module named mkdocs" in result.stderr:
        pytest.fail("mkdocs is not installed: pip install -e '.[tests]' -c tests/constraints.txt")
    assert result.returncode == 0, result.stdout + result.stderr
    return directory


@pytest.mark.parametrize(
    ("module", "page"), [(aiohttp_eid, "reference/aiohttp_eid"), (aiohttp_eid.testing, "reference/testing")]
)
def test_every_public_name_is_in_the_api_reference(site: Path, module: object, page: str) -> None:
    html = (site / page / "index.html").read_text()
    prefix = getattr(module, "__name__", "")
    missing = [n for n in getattr(module, "__all__", ()) if f'id="{prefix}.{n}"' not in html]
    assert missing == [], f"not rendered (a constant needs a docstring after its assignment): {missing}"


def test_the_readme_is_the_overview_page_with_working_links(site: Path) -> None:
    html = (site / "overview" / "index.html").read_text()
    assert "Quickstart" in html
    assert 'href="../quickstart/"' in html  # README's docs/quickstart.md link, rewritten for the site
