"""A 50 MB article (sparse: the loader must refuse it without reading it)."""

from pathlib import Path

from hostile._tree import ARTICLE, minimal

EXPECTED = (
    "content/articles/daily-example/monitors.txt:1:1: too large: 52,428,800 bytes; the limit "
    "is 2,097,152 bytes"
)


def make_case(tmp: Path) -> Path:
    content = minimal(tmp)
    with (content / ARTICLE).open("r+b") as out:
        out.truncate(50 * 1024 * 1024)
    return content
