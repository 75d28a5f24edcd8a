"""An alias to an anchor that does not exist."""

from pathlib import Path

from hostile._tree import CLAIM, minimal, replace

EXPECTED = "content/claims/capability.yaml:2:9: a YAML alias (*nothing) is not allowed in content"


def make_case(tmp: Path) -> Path:
    content = minimal(tmp)
    replace(content, CLAIM, "status: unchecked", "status: *nothing")
    return content
