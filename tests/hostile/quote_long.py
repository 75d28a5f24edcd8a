"""A quote of 3,000 characters: longer than a quote may be."""

from pathlib import Path

from hostile._tree import CLAIM, QUOTE, minimal, replace

EXPECTED = (
    "content/claims/capability.yaml:12:12: appearances[0].quote: 3,000 characters; the limit "
    "is 1,000"
)


def make_case(tmp: Path) -> Path:
    content = minimal(tmp)
    replace(content, CLAIM, f"quote: {QUOTE}", "quote: " + "word " * 599 + "words")
    return content
