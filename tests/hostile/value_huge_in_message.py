"""A status of a million characters, which the message quotes: each printed line is cut, so
one value cannot flood the output (or a CI log)."""

from pathlib import Path

from hostile._tree import CLAIM, minimal, replace

EXPECTED = (
    "content/claims/capability.yaml:2:9: status: expected one of confirmed, misrepresented, "
    'not-in-source, outdated, unchecked, unlocated; got "' + "x" * 1000
)[:499] + "…"
ARGS = ("check", "{content}", "--format", "github")


def make_case(tmp: Path) -> Path:
    content = minimal(tmp)
    replace(content, CLAIM, "status: unchecked", "status: " + "x" * 1_000_000)
    return content


def check_output(out: str, err: str) -> None:
    assert max(len(line) for line in err.splitlines()) <= 500
    assert max(len(line) for line in out.splitlines()) <= 2000  # message and hint in one
