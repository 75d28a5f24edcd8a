"""A quote of white space only, against an article of 1 MB (540 s and 57 MB of output)."""

from pathlib import Path

from hostile._tree import CLAIM, QUOTE, big_article, minimal, replace

EXPECTED = "content/claims/capability.yaml:12:12: appearances[0].quote: must not be blank"


def make_case(tmp: Path) -> Path:
    content = minimal(tmp)
    big_article(content, 1_000_000)
    replace(content, CLAIM, f"quote: {QUOTE}", 'quote: "   "')
    return content
