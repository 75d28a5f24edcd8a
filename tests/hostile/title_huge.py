"""A site title of a million characters: every page repeats it, so a site of 10,000 pages
would be 10 GB."""

from pathlib import Path

from hostile._tree import minimal, replace

EXPECTED = "content/site.yaml:1:8: title: 1,000,000 characters; the limit is 200"


def make_case(tmp: Path) -> Path:
    content = minimal(tmp)
    replace(content, "site.yaml", "title: Test Desk", "title: " + "T" * 1_000_000)
    return content


def check_output(out: str, err: str) -> None:
    assert max(len(line) for line in err.splitlines()) <= 500
