"""A right-to-left override written as an escape in an outlet's name: the warning is at the
value, since the character is not written as it is."""

from pathlib import Path

from hostile._tree import OUTLET, minimal, replace

EXIT = 0
EXPECTED = (
    "content/outlets/daily-example.yaml:1:7: warning: written as an escape: bidirectional "
    "control U+202E (RIGHT-TO-LEFT OVERRIDE): it can show the text in another order than it is "
    "written"
)


def make_case(tmp: Path) -> Path:
    content = minimal(tmp)
    replace(content, OUTLET, "name: Daily Example", 'name: "Daily \\u202eelpmaxE"')
    return content
