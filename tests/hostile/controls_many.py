"""Half a million control characters in an article: twenty listed, the rest counted."""

from pathlib import Path

from hostile._tree import ARTICLE, append, minimal

EXPECTED = "content/articles/daily-example/monitors.txt:12:1: control character U+0007"


def make_case(tmp: Path) -> Path:
    content = minimal(tmp)
    append(content, ARTICLE, "\x07" * 500_000 + "\n")
    return content


def check_output(out: str, err: str) -> None:
    assert (
        "content/articles/daily-example/monitors.txt:12:11: 499,990 more characters that are not "
        "allowed, the first of them here"
    ) in err.splitlines()
