"""A folder that is a symbolic link to content/ itself: not followed (no endless walk)."""

import os
from pathlib import Path

from hostile._tree import minimal

EXIT = 0
EXPECTED = (
    "content/claims/loop:1:1: warning: a symbolic link to the folder content/ is not followed"
)


def make_case(tmp: Path) -> Path:
    content = minimal(tmp)
    os.symlink("..", content / "claims/loop")
    return content


def check_output(out: str, err: str) -> None:
    assert out.startswith("ok: 1 claims,")
