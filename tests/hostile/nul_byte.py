"""A NUL byte in a claim (libyaml's reader error was reported at 1:1)."""

from pathlib import Path

from hostile._tree import CLAIM, minimal, replace

EXPECTED = "content/claims/capability.yaml:7:6: control character U+0000"


def make_case(tmp: Path) -> Path:
    content = minimal(tmp)
    replace(content, CLAIM, "  The passage", "  The\x00passage")
    return content
