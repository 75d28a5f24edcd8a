"""A recursive alias (an internal RecursionError)."""

from pathlib import Path

from hostile._tree import CLAIM, minimal, replace

EXPECTED = "content/claims/capability.yaml:9:7: a YAML anchor (&a) is not allowed in content"


def make_case(tmp: Path) -> Path:
    content = minimal(tmp)
    replace(content, CLAIM, "tags: [monitoring]", "tags: &a [*a]")
    return content
