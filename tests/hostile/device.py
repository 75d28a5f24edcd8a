"""A character device in content/ (made only where the test may create one)."""

import os
import stat
from pathlib import Path

import pytest
from hostile._tree import minimal

EXPECTED = "content/claims/zero.yaml:1:1: not a regular file: a character device"


def make_case(tmp: Path) -> Path:
    content = minimal(tmp)
    try:
        os.mknod(content / "claims/zero.yaml", stat.S_IFCHR | 0o600, os.makedev(1, 5))
    except PermissionError:
        pytest.skip("creating a device node is not permitted here")
    return content
