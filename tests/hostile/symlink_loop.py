"""Two symbolic links that point at each other."""

import os
from pathlib import Path

from hostile._tree import minimal

EXPECTED = "content/claims/a.yaml:1:1: a symbolic link that leads back to itself (a loop)"


def make_case(tmp: Path) -> Path:
    content = minimal(tmp)
    os.symlink("b.yaml", content / "claims/a.yaml")
    os.symlink("a.yaml", content / "claims/b.yaml")
    return content
