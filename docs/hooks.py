"""MkDocs hooks: the README as the "Overview" page, with links that work on the site as on GitHub.

The Markdown files are written for GitHub (README links ``docs/x.md``, pages link ``../README.md``);
these hooks add README.md to the site as ``overview.md`` and rewrite those links, nothing else.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from mkdocs.structure.files import File, Files

ROOT = Path(__file__).parents[1]
OVERVIEW = "overview.md"


def on_files(files: Files, config: Any) -> Files:
    """Add the repository's README.md as the page ``overview.md``."""
    files.append(File.generated(config, OVERVIEW, abs_src_path=str(ROOT / "README.md")))
    return files


def on_page_markdown(markdown: str, page: Any, config: Any, files: Files) -> str:
    """Point GitHub-style links at the site's pages."""
    if page.file.src_uri == OVERVIEW:
        return re.sub(r"\]\(docs/", "](", markdown)
    depth = page.file.src_uri.count("/")
    return markdown.replace("](" + "../" * (depth + 1) + "README.md", "](" + "../" * depth + OVERVIEW)
