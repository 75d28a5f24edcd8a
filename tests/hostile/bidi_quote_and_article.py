"""Bidirectional isolates in an article and in the quote that copies them: a warning for
each, in both files; the quote still anchors."""

from pathlib import Path

from hostile._tree import ARTICLE, CLAIM, QUOTE, minimal, replace

EXIT = 0
EXPECTED = (
    "content/articles/daily-example/monitors.txt:10:25: warning: bidirectional control U+2066 "
    "(LEFT-TO-RIGHT ISOLATE): it can show the text in another order than it is written"
)


def make_case(tmp: Path) -> Path:
    content = minimal(tmp)
    replace(content, ARTICLE, "neither group", "neither\u2066 group")
    replace(content, CLAIM, QUOTE, QUOTE.replace("neither group", "neither\u2066 group"))
    return content


def check_output(out: str, err: str) -> None:
    assert (
        "content/claims/capability.yaml:12:19: warning: bidirectional control U+2066 "
        "(LEFT-TO-RIGHT ISOLATE): it can show the text in another order than it is written"
    ) in err.splitlines()
    assert out.startswith("ok: 1 claims, 1 appearances anchored")
