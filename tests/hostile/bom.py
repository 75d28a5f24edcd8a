"""UTF-8 byte-order marks at the start of an article and of a claim: accepted, and the article's
offsets stay right (it was reported as "missing front matter")."""

import codecs
from pathlib import Path

from hostile._tree import ARTICLE, CLAIM, minimal

EXIT = 0
EXPECTED = "ok: 1 claims, 1 appearances anchored, 1 articles, 1 outlets, 1 sources"


def make_case(tmp: Path) -> Path:
    content = minimal(tmp)
    for rel in (ARTICLE, CLAIM):
        path = content / rel
        path.write_bytes(codecs.BOM_UTF8 + path.read_bytes())
    return content
