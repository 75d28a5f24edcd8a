"""A Unix socket in content/."""

import socket
from pathlib import Path

from hostile._tree import minimal

EXPECTED = "content/outlets/s.yaml:1:1: not a regular file: a socket"


def make_case(tmp: Path) -> Path:
    content = minimal(tmp)
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(content / "outlets/s.yaml"))
    server.close()
    return content
