"""A file name that is not UTF-8 (Latin-1 é): printed escaped, never as bytes that are not
text."""

import os
from pathlib import Path

from hostile._tree import CLAIM, minimal

ARGS = ("check", "{content}", "--format", "github")
EXPECTED = "content/claims/caf\\udce9.yaml:1:1: 'caf\\udce9' is not a valid identifier"
ANNOTATION = (
    "::error file=content/claims/caf\\udce9.yaml,line=1,col=1::'caf\\udce9' is not a valid "
    "identifier%0AUse lower-case letters, digits and single hyphens, e.g. 'caf'."
)


def make_case(tmp: Path) -> Path:
    content = minimal(tmp)
    name = os.fsencode(content / "claims") + b"/caf\xe9.yaml"
    with open(name, "wb") as out:
        out.write((content / CLAIM).read_bytes())
    return content
