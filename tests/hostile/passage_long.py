"""A source passage of 20,000 characters (each appearance is compared with it word by word)."""

from pathlib import Path

from hostile._tree import SOURCE, minimal, replace

EXPECTED = (
    "content/sources/un-report.yaml:8:11: passages[0].text: 20,066 characters; the limit is "
    "3,000"
)


def make_case(tmp: Path) -> Path:
    content = minimal(tmp)
    replace(content, SOURCE, "text: Neither", "text: " + "x" * 19_993 + " Neither")
    return content
