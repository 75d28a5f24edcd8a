"""Four million unknown keys (634 MB of errors): now a file too large to read."""

from pathlib import Path

from hostile._tree import CLAIM, minimal

EXPECTED = (
    "content/claims/capability.yaml:1:1: too large: 46,888,890 bytes; the limit is "
    "2,097,152 bytes"
)


def make_case(tmp: Path) -> Path:
    content = minimal(tmp)
    with (content / CLAIM).open("w", encoding="utf-8") as out:
        for i in range(4_000_000):
            out.write(f"k{i}: 1\n")
    return content
