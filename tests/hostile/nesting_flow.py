"""A sequence nested a million deep (libyaml's composer crashed on it, exit 139)."""

from pathlib import Path

from hostile._tree import CLAIM, minimal

EXPECTED = "content/claims/capability.yaml:1:33: lists and mappings nested more than 32 deep"


def make_case(tmp: Path) -> Path:
    content = minimal(tmp)
    (content / CLAIM).write_text("[" * 1_000_000 + "]" * 1_000_000 + "\n", "utf-8")
    return content
