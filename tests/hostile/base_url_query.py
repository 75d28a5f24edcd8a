"""A base_url with a query: every absolute URL (feed, sitemap, canonical links) would break."""

from pathlib import Path

from hostile._tree import minimal, replace

EXPECTED = (
    "content/site.yaml:3:11: base_url: 'https://example.org/?utm=1' has a query (?): a site's "
    "address cannot"
)


def make_case(tmp: Path) -> Path:
    content = minimal(tmp)
    replace(content, "site.yaml", "base_url: https://example.org/",
            "base_url: https://example.org/?utm=1")
    return content
