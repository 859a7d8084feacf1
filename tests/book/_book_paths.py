"""Paths of the book and its chapter list, shared by the book tests."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BOOK = ROOT / "book"


def chapters() -> list[str]:
    """The chapter files listed in the table of contents, in order (without extension)."""
    names = []
    for line in (BOOK / "_toc.yml").read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line.startswith("- file:"):
            names.append(line.split(":", 1)[1].strip())
    return names
