"""A bell character written as a YAML escape in the claim (feed.xml was ill-formed XML)."""

from pathlib import Path

from hostile._tree import CLAIM, minimal, replace

EXPECTED = (
    "content/claims/capability.yaml:1:8: written as an escape: control character U+0007"
)


def make_case(tmp: Path) -> Path:
    content = minimal(tmp)
    replace(content, CLAIM, "claim: Neither group could mount attacks before",
            'claim: "Neither group could mount attacks\\x07 before')
    replace(content, CLAIM, "monitors said.", 'monitors said."')
    return content
