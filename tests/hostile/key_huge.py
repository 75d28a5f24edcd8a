"""A key of one million characters (written as an explicit `?` key)."""

from pathlib import Path

from hostile._tree import CLAIM, append, minimal

EXPECTED = "content/claims/capability.yaml:19:3: a key of 1,000,000 characters; the limit is 100"


def make_case(tmp: Path) -> Path:
    content = minimal(tmp)
    append(content, CLAIM, "? " + "k" * 1_000_000 + "\n: value\n")
    return content
