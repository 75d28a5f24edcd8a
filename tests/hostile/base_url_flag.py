"""`build --base-url` with a fragment: checked by the same rule as site.yaml's base_url, and
nothing is written."""

from pathlib import Path

from hostile._tree import minimal

ARGS = ("build", "--content", "{content}", "--out", "{out}", "--base-url",
        "https://user@example.org/#top")
EXPECTED = (
    "--base-url:1:1: 'https://user@example.org/#top' holds credentials (user@): a site's "
    "address cannot"
)


def make_case(tmp: Path) -> Path:
    return minimal(tmp)


def check_output(out: str, err: str) -> None:
    assert err.splitlines()[-1] == "1 problem found; nothing was written."
