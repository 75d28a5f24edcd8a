"""A one-letter quote with a prefix, against an article of 1.9 MB: too many occurrences to
choose among."""

from pathlib import Path

from hostile._tree import CLAIM, QUOTE, big_article, minimal, replace

EXPECTED = (
    "content/claims/capability.yaml:12:12: appearances[0].quote: the quote occurs more than "
    "1000 times in content/articles/daily-example/monitors.txt (lines 8, 8, 10, 10, 10, 10, 10, "
    "10, 10, 10, ...)"
)


def make_case(tmp: Path) -> Path:
    content = minimal(tmp)
    big_article(content, 1_900_000)
    replace(content, CLAIM, f"quote: {QUOTE}", 'quote: "e"\n    prefix: "' + "x" * 200 + '"')
    return content
