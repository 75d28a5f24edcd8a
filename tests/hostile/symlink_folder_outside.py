"""An outlet's article folder that is a symbolic link to a folder outside content/."""

import os
from pathlib import Path

from hostile._tree import minimal

EXPECTED = "content/articles/elsewhere:1:1: a symbolic link to a folder outside content/"


def make_case(tmp: Path) -> Path:
    content = minimal(tmp)
    (tmp / "elsewhere").mkdir()
    (tmp / "elsewhere" / "secret.txt").write_text("---\nheadline: x\n---\nsecret\n", "utf-8")
    os.symlink(tmp / "elsewhere", content / "articles/elsewhere")
    return content
