"""A line separator (U+2028) in a claim: YAML reads it as a line end, the editor may not."""

from pathlib import Path

from hostile._tree import CLAIM, minimal, replace

EXPECTED = "content/claims/capability.yaml:7:6: line separator U+2028"


def make_case(tmp: Path) -> Path:
    content = minimal(tmp)
    replace(content, CLAIM, "  The passage", "  The\u2028passage")
    return content
