"""A claim saved with old Mac line ends (CR only): YAML would count its lines differently."""

from pathlib import Path

from hostile._tree import CLAIM, minimal

EXPECTED = (
    "content/claims/capability.yaml:1:72: a carriage return (U+000D) that does not end a CRLF "
    "line"
)


def make_case(tmp: Path) -> Path:
    content = minimal(tmp)
    path = content / CLAIM
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r"))
    return content


def check_output(out: str, err: str) -> None:
    lines = err.splitlines()  # 18 line ends: 10 listed, 8 counted
    assert ("content/claims/capability.yaml:1:296: 8 more characters that are not allowed, "
            "the first of them here") in lines
