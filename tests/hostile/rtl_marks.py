"""Right-to-left text with the marks it needs (U+200F): no warning."""

from pathlib import Path

from hostile._tree import OUTLET, append, minimal

EXIT = 0
EXPECTED = "ok: 1 claims, 1 appearances anchored, 1 articles, 1 outlets, 1 sources"


def make_case(tmp: Path) -> Path:
    content = minimal(tmp)
    append(content, OUTLET, "notes: \"\u0627\u0644\u0642\u0627\u0639\u062f\u0629\u200f (2099)\"\n")
    return content


def check_output(out: str, err: str) -> None:
    assert err == ""
