"""A lone surrogate written as an escape (`"\\ud800"`)."""

from pathlib import Path

from hostile._tree import OUTLET, minimal, replace

EXPECTED = (
    "content/outlets/daily-example.yaml:1:16: malformed YAML: while parsing a quoted scalar: "
    "found invalid Unicode character escape code"
)


def make_case(tmp: Path) -> Path:
    content = minimal(tmp)
    replace(content, OUTLET, "name: Daily Example", 'name: "Daily \\ud800Example"')
    return content
