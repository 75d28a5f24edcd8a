"""A scratch copy of tests/trees/minimal/content for hostile cases to change."""

from __future__ import annotations

import shutil
from pathlib import Path

MINIMAL = Path(__file__).resolve().parent.parent / "trees" / "minimal" / "content"
CLAIM = "claims/capability.yaml"
ARTICLE = "articles/daily-example/monitors.txt"
OUTLET = "outlets/daily-example.yaml"
SOURCE = "sources/un-report.yaml"
QUOTE = 'neither group "is believed to be capable of mounting attacks before 2100.'
"""The claim's quote, as written in its file."""


def minimal(tmp: Path) -> Path:
    """A fresh copy of the minimal content tree (which passes `check`)."""
    content = tmp / "content"
    shutil.copytree(MINIMAL, content)
    return content


def replace(content: Path, rel: str, old: str, new: str) -> None:
    """Replace the first `old` in a file of the tree (which must hold it) by `new`."""
    target = content / rel
    text = target.read_text("utf-8")
    assert old in text, f"the minimal tree changed: {old!r} is not in {rel}"
    target.write_text(text.replace(old, new, 1), "utf-8")


def append(content: Path, rel: str, text: str) -> None:
    with (content / rel).open("a", encoding="utf-8") as out:
        out.write(text)


def big_article(content: Path, size: int) -> None:
    """Pad the article text to about `size` characters of plain words after its own text."""
    words = "officials said the report was read again and again by the monitors "
    append(content, ARTICLE, (words * (size // len(words) + 1))[:size] + "\n")
