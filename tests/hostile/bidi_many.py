"""Thousands of bidirectional controls in an article: ten listed, the rest counted."""

from pathlib import Path

from hostile._tree import ARTICLE, append, minimal

EXIT = 0
EXPECTED = (
    "content/articles/daily-example/monitors.txt:12:1: warning: bidirectional control U+202D "
    "(LEFT-TO-RIGHT OVERRIDE): it can show the text in another order than it is written"
)


def make_case(tmp: Path) -> Path:
    content = minimal(tmp)
    append(content, ARTICLE, "\u202d" * 5000 + "\n")
    return content


def check_output(out: str, err: str) -> None:
    assert (
        "content/articles/daily-example/monitors.txt:12:11: warning: 4,990 more bidirectional "
        "controls, the first of them here"
    ) in err.splitlines()
