"""What every benchmark script shares: a line about the machine, and its own section of docs/benchmarks.md."""

from __future__ import annotations

import os
import platform
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DOC_PATH = REPO_ROOT / "docs" / "benchmarks.md"


def machine(*libraries: str) -> str:
    """One line describing where the figures came from, with the versions of the libraries that matter."""
    return ", ".join([platform.platform(), f"{os.cpu_count()} CPUs", f"Python {platform.python_version()}", *libraries])


def replace_section(document: str, title: str, section: str) -> str:
    """Swap a benchmark's section (headed by title) into the document, or append it; others stay as they are."""
    lines = document.splitlines(keepends=True)
    starts = [i for i, line in enumerate(lines) if line.rstrip() == title]
    if not starts:
        return document.rstrip("\n") + "\n\n" + section
    start = starts[0]
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
    following = "".join(lines[end:])
    return "".join(lines[:start]) + section + ("\n" + following if following else "")


def write_section(title: str, section: str) -> None:
    """Create docs/benchmarks.md if needed and update one benchmark's section in it."""
    document = DOC_PATH.read_text(encoding="utf-8") if DOC_PATH.exists() else "# Benchmarks\n"
    DOC_PATH.parent.mkdir(parents=True, exist_ok=True)
    DOC_PATH.write_text(replace_section(document, title, section), encoding="utf-8")
    print(f"Updated {DOC_PATH.relative_to(REPO_ROOT)}")
