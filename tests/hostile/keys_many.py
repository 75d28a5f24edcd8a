"""Two thousand keys in one mapping, in a file small enough to read."""

from pathlib import Path

from hostile._tree import CLAIM, minimal

EXPECTED = "content/claims/capability.yaml:1001:1: more than 1,000 keys in one mapping"


def make_case(tmp: Path) -> Path:
    content = minimal(tmp)
    (content / CLAIM).write_text("".join(f"k{i}: 1\n" for i in range(2000)), "utf-8")
    return content
