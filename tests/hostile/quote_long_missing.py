"""A quote of 1,000 characters that is not in an article of 1.9 MB: the closest passage is
sought within bounds."""

from pathlib import Path

from hostile._tree import CLAIM, QUOTE, big_article, minimal, replace

EXPECTED = (
    "content/claims/capability.yaml:12:12: appearances[0].quote: not found in "
    "content/articles/daily-example/monitors.txt"
)


def make_case(tmp: Path) -> Path:
    content = minimal(tmp)
    big_article(content, 1_900_000)
    words = "monitors read the report again, and officials said nothing new at all "
    replace(content, CLAIM, f"quote: {QUOTE}", f"quote: {(words * 30)[:1000].strip()}")
    return content
