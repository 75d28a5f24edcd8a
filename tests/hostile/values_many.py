"""A list of 150,000 tags: more values than one file may hold."""

from pathlib import Path

from hostile._tree import CLAIM, minimal, replace

EXPECTED = "content/claims/capability.yaml:99993:5: more than 100,000 values in one file"


def make_case(tmp: Path) -> Path:
    content = minimal(tmp)
    replace(content, CLAIM, "tags: [monitoring]", "tags:\n" + "  - a\n" * 150_000)
    return content
