"""Noncharacters written in a claim (U+FFFE, reported at 1:1 by libyaml) and in an article
(U+FDD0, which libyaml lets through)."""

from pathlib import Path

from hostile._tree import ARTICLE, CLAIM, minimal, replace

EXPECTED = "content/articles/daily-example/monitors.txt:10:4: noncharacter U+FDD0"


def make_case(tmp: Path) -> Path:
    content = minimal(tmp)
    replace(content, CLAIM, "UN monitors", "UN\ufffe monitors")
    replace(content, ARTICLE, "The UN said", "The\ufdd0 UN said")
    return content


def check_output(out: str, err: str) -> None:
    assert "content/claims/capability.yaml:1:57: noncharacter U+FFFE" in err.splitlines()
