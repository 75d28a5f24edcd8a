"""A claim file that cannot be read (mode 000)."""

import os
from pathlib import Path

import pytest
from hostile._tree import CLAIM, minimal

EXPECTED = "content/claims/capability.yaml:1:1: cannot be read: permission denied"


def make_case(tmp: Path) -> Path:
    if os.geteuid() == 0:
        pytest.skip("root reads a file of mode 000 (tests/test_load.py covers the error)")
    content = minimal(tmp)
    (content / CLAIM).chmod(0)
    return content
