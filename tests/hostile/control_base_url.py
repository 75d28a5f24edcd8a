"""A control character escaped into site.yaml's base_url (every absolute URL carried it)."""

from pathlib import Path

from hostile._tree import minimal, replace

EXPECTED = "content/site.yaml:3:11: written as an escape: control character U+001B"


def make_case(tmp: Path) -> Path:
    content = minimal(tmp)
    replace(content, "site.yaml", "base_url: https://example.org/",
            'base_url: "https://example.org/\\e[2J"')
    return content
