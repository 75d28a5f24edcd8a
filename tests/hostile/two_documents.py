"""Two YAML documents in one file (the second would be silently dropped or refused late)."""

from pathlib import Path

from hostile._tree import CLAIM, append, minimal

EXPECTED = "content/claims/capability.yaml:19:1: a second YAML document: a file holds one"


def make_case(tmp: Path) -> Path:
    content = minimal(tmp)
    append(content, CLAIM, "---\nclaim: A second entry hidden in the same file.\n")
    return content
