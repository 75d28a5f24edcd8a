"""A noncharacter of plane 16 written as an escape in a passage."""

from pathlib import Path

from hostile._tree import SOURCE, minimal, replace

EXPECTED = "content/sources/un-report.yaml:8:11: written as an escape: noncharacter U+10FFFF"


def make_case(tmp: Path) -> Path:
    content = minimal(tmp)
    replace(content, SOURCE, "text: Neither group is", 'text: "Neither group\\U0010FFFF is')
    replace(content, SOURCE, "attacks before 2100.", 'attacks before 2100."')
    return content
