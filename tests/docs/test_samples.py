"""The Python samples of README.md and docs/ cannot rot: type-checked, and the test samples run.

Every ```python block is a module of its own, checked with ``mypy --strict``, unless an HTML
comment on the line before its fence (invisible on GitHub and on the site) says otherwise:

- ``<!-- sample: continued -->``: the block goes on the module of the page's previous block
  (docs/testing.md shows one test file in parts);
- ``<!-- sample: module NAME -->``: the module is written as ``NAME.py``, for samples that import it;
- ``<!-- sample: fragment -->``: statements out of context (``...`` for "your other fields", a name from
  the prose): not type-checked, only parsed, and every aiohttp-eid name and keyword it uses must exist.

A module with test functions is a pytest file, as a user writes one: its fixtures need no annotations
(the rest of ``--strict`` applies), and the suite runs it with pytest in a clean directory, with the
pytest settings docs/testing.md gives and the fixtures of the installed plugin.
"""

from __future__ import annotations

import ast
import dataclasses
import inspect
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import aiohttp_eid
import aiohttp_eid.testing

ROOT = Path(__file__).parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
BLOCK = re.compile(r"^(?:<!-- sample: (?P<marker>[^>]*?) -->\n)?```python\n(?P<code>.*?)^```", re.M | re.S)
# docs/deployment.md is rewritten by another change: its fragment gets its marker there
UNMARKED_FRAGMENTS = {("docs/deployment.md", "import logging\n\nfrom aiohttp import web\n\n\nasync def make_app()")}
TEST_MODULE_HEADER = '# mypy: allow-untyped-defs, disable-error-code="no-redef"\n'  # fixtures as users write them


@dataclasses.dataclass
class Sample:
    page: str
    name: str
    code: str

    @property
    def is_test(self) -> bool:
        return re.search(r"^(async )?def test_", self.code, re.M) is not None


def samples() -> tuple[list[Sample], list[Sample]]:
    """(modules, fragments) of every page."""
    modules: list[Sample] = []
    fragments: list[Sample] = []
    for path in PAGES:
        page = str(path.relative_to(ROOT))
        stem = re.sub(r"\W", "_", page.removesuffix(".md")).lower()
        for number, match in enumerate(BLOCK.finditer(path.read_text()), 1):
            marker, code = match["marker"] or "", match["code"]
            if marker == "fragment" or any(page == p and code.startswith(s) for p, s in UNMARKED_FRAGMENTS):
                fragments.append(Sample(page, f"{stem}_{number}", code))
            elif marker == "continued":
                if not modules or modules[-1].page != page:
                    pytest.fail(f"{page} block {number}: no earlier block of the page to continue")
                modules[-1].code += "\n\n" + code
            else:
                assert marker == "" or re.fullmatch(r"module \w+", marker), f"{page}: unknown marker {marker!r}"
                modules.append(Sample(page, marker.removeprefix("module ") or f"sample_{stem}_{number}", code))
    for module in modules:
        if module.is_test:
            module.name = f"test_{module.name.removeprefix('sample_')}"
            module.code = TEST_MODULE_HEADER + module.code
    return modules, fragments


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every module in one clean directory, with docs/testing.md's pytest settings."""
    directory = tmp_path_factory.mktemp("samples")
    modules, _ = samples()
    names = [m.name for m in modules]
    assert len(set(names)) == len(names), f"two samples are written as the same module: {names}"
    for module in modules:
        (directory / f"{module.name}.py").write_text(module.code)
    settings = re.search(
        r"```toml\n(\[tool\.pytest\.ini_options\].*?)```", (ROOT / "docs/testing.md").read_text(), re.S
    )
    assert settings, "docs/testing.md gives the pytest settings in a toml block"
    (directory / "pyproject.toml").write_text(settings[1])
    return directory


def run(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(cwd)}
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False)  # noqa: S603


def test_every_module_sample_passes_mypy_strict(written: Path) -> None:
    cache = ROOT / ".mypy_cache"  # shared with tests/test_quality.py's run: aiohttp and aiohttp_eid checked once
    result = run([sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(cache), "."], written)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_test_samples_pass(written: Path) -> None:
    tests = [m for m in samples()[0] if m.is_test]
    count = sum(len(re.findall(r"^(?:async )?def test_", m.code, re.M)) for m in tests)
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *(f"{m.name}.py" for m in tests)]
    result = run(command, written)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{count} passed" in result.stdout, result.stdout  # every test function ran, none skipped


def public(name: str) -> object:
    """An aiohttp-eid public name (``aiohttp_eid`` or ``aiohttp_eid.testing``), or None."""
    for module in (aiohttp_eid, aiohttp_eid.testing):
        if name in module.__all__:
            return getattr(module, name)
    return None


@pytest.mark.parametrize("fragment", samples()[1], ids=lambda s: s.name)
def test_fragments_parse_and_use_existing_names_and_keywords(fragment: Sample) -> None:
    tree = compile(fragment.code, fragment.name, "exec", flags=ast.PyCF_ONLY_AST | ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("aiohttp_eid"):
            module = __import__(node.module or "", fromlist=["_"])
            assert all(hasattr(module, a.name) for a in node.names), ast.unparse(node)
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "aiohttp_eid":
            assert node.attr in aiohttp_eid.__all__, ast.unparse(node)
        elif isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            target = public(name)
            if callable(target):
                parameters = inspect.signature(target).parameters
                unknown = {k.arg for k in node.keywords if k.arg} - set(parameters)
                assert not unknown, f"{fragment.page}: {name}() has no parameter {unknown}"
