"""A claim reached twice, through a symbolic link inside content/ (it was published twice):
read once, the link reported as a warning."""

import os
from pathlib import Path

from hostile._tree import minimal

EXIT = 0
EXPECTED = (
    "content/claims/second.yaml:1:1: warning: a symbolic link to content/claims/capability.yaml: "
    "the file is read once, as content/claims/capability.yaml"
)


def make_case(tmp: Path) -> Path:
    content = minimal(tmp)
    os.symlink("capability.yaml", content / "claims/second.yaml")
    return content


def check_output(out: str, err: str) -> None:
    assert out.startswith("ok: 1 claims,")
