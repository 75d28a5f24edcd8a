"""Block mappings nested 600 deep (an internal RecursionError from about 500)."""

from pathlib import Path

from hostile._tree import CLAIM, minimal

EXPECTED = "content/claims/capability.yaml:33:65: lists and mappings nested more than 32 deep"


def make_case(tmp: Path) -> Path:
    content = minimal(tmp)
    lines = [" " * (2 * depth) + "a:" for depth in range(600)]
    (content / CLAIM).write_text("\n".join(lines) + " x\n", "utf-8")
    return content
