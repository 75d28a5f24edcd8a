"""An outlet saved as UTF-16."""

from pathlib import Path

from hostile._tree import OUTLET, minimal

EXPECTED = "content/outlets/daily-example.yaml:1:1: saved as UTF-16, not UTF-8"


def make_case(tmp: Path) -> Path:
    content = minimal(tmp)
    path = content / OUTLET
    path.write_bytes(path.read_text("utf-8").encode("utf-16"))
    return content
