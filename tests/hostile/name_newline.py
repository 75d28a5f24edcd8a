"""A file name holding a newline: escaped in every output format, so that it cannot start an
annotation or a line of its own."""

from pathlib import Path

from hostile._tree import CLAIM, minimal

ARGS = ("check", "{content}", "--format", "github")
EXPECTED = "content/claims/bad\\x0aname.yaml:1:1: 'bad\\nname' is not a valid identifier"
ANNOTATION = (
    "::error file=content/claims/bad\\x0aname.yaml,line=1,col=1::'bad\\nname' is not a valid "
    "identifier%0AUse lower-case letters, digits and single hyphens, e.g. 'bad-name'."
)


def make_case(tmp: Path) -> Path:
    content = minimal(tmp)
    (content / "claims/bad\nname.yaml").write_bytes((content / CLAIM).read_bytes())
    return content


def check_output(out: str, err: str) -> None:
    assert all(line.startswith("::") for line in out.splitlines())
