"""A claim that is a symbolic link to a file outside content/ (its text was published)."""

import os
import shutil
from pathlib import Path

from hostile._tree import CLAIM, minimal

EXPECTED = "content/claims/capability.yaml:1:1: a symbolic link to a file outside content/"


def make_case(tmp: Path) -> Path:
    content = minimal(tmp)
    outside = tmp / "private.yaml"
    shutil.move(content / CLAIM, outside)
    os.symlink(outside, content / CLAIM)
    return content
