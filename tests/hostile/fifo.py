"""A FIFO where a claim should be: reported without being opened (opening it would block)."""

import os
from pathlib import Path

from hostile._tree import minimal

EXPECTED = "content/claims/pipe.yaml:1:1: not a regular file: a FIFO (named pipe)"


def make_case(tmp: Path) -> Path:
    content = minimal(tmp)
    os.mkfifo(content / "claims/pipe.yaml")
    return content
