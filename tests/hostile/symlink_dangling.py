"""A source that is a symbolic link to nothing (an internal ValueError)."""

import os
from pathlib import Path

from hostile._tree import SOURCE, minimal

EXPECTED = (
    "content/sources/un-report.yaml:1:1: a symbolic link to nothing: its target does not exist"
)


def make_case(tmp: Path) -> Path:
    content = minimal(tmp)
    (content / SOURCE).unlink()
    os.symlink("gone.yaml", content / SOURCE)
    return content


def check_output(out: str, err: str) -> None:
    assert err.splitlines()[-1] == "1 problem found; nothing was written."
