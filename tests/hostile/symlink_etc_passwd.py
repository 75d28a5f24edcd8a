"""An outlet that is a symbolic link to /etc/passwd (an internal ValueError, no location)."""

import os
from pathlib import Path

from hostile._tree import OUTLET, minimal

EXPECTED = "content/outlets/daily-example.yaml:1:1: a symbolic link to a file outside content/"


def make_case(tmp: Path) -> Path:
    content = minimal(tmp)
    (content / OUTLET).unlink()
    os.symlink("/etc/passwd", content / OUTLET)
    return content


def check_output(out: str, err: str) -> None:
    assert "root:" not in out + err
    assert err.splitlines()[-1] == "1 problem found; nothing was written."
