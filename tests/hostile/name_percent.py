"""A file name holding `%0A` and a comma: not decoded by the runner into a new line or a new
annotation property."""

from pathlib import Path

from hostile._tree import CLAIM, minimal

ARGS = ("check", "{content}", "--format", "github")
EXPECTED = "content/claims/x%0A,line=9.yaml:1:1: 'x%0A,line=9' is not a valid identifier"
ANNOTATION = (
    "::error file=content/claims/x%250A%2Cline=9.yaml,line=1,col=1::'x%250A,line=9' is not a "
    "valid identifier%0AUse lower-case letters, digits and single hyphens, e.g. 'x-0a-line-9'."
)


def make_case(tmp: Path) -> Path:
    content = minimal(tmp)
    (content / "claims/x%0A,line=9.yaml").write_bytes((content / CLAIM).read_bytes())
    return content
