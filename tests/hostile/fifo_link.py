"""A symbolic link to a FIFO inside content/ (the link's target is not opened either)."""

import os
from pathlib import Path

from hostile._tree import minimal

EXPECTED = "content/claims/pipe.yaml:1:1: not a regular file: a FIFO (named pipe)"


def make_case(tmp: Path) -> Path:
    content = minimal(tmp)
    os.mkfifo(content / "claims/.hidden-pipe")
    os.symlink(".hidden-pipe", content / "claims/pipe.yaml")
    return content
