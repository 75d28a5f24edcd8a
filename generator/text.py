"""Text -> normalised text, ids and shortened text: the helpers every stage shares."""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass

ID_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
"""An id: lower-case letters and digits in words joined by single hyphens. The JSON Schemas
spell the same pattern; tests/test_text.py checks that they agree."""
ID_RE = re.compile(ID_PATTERN)

ELLIPSIS = "\u2026"

QUOTES = {
    **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u02bc\u0060\u00b4", "'"),
    **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb\u301d\u301e", '"'),
}
"""Typographic quotation marks and apostrophes, and the straight one each stands for."""
DASHES = dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d", "-")
"""Dashes and hyphens of every width, and minus signs."""
INVISIBLE = frozenset("\u00ad\u200b\u200c\u200d\u2060\ufeff")
"""Soft hyphens, zero-width spaces and joiners, and the byte-order mark."""


def is_id(text: str) -> bool:
    """The whole text is an id (a trailing newline is not part of one)."""
    return ID_RE.fullmatch(text) is not None


def suggest_id(text: str) -> str:
    """The id closest to `text`: lower case, each run of other characters one hyphen."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "name"


@dataclass(frozen=True, slots=True)
class Normalised:
    """Text with its typography normalised, and where each character came from.

    The offset map is piecewise: from normalised index `starts[k]` on, character i came from
    original offset `origins[k] + (i - starts[k])`, up to the next piece. Text that
    normalising leaves alone is one piece, however long."""

    text: str
    starts: tuple[int, ...]
    origins: tuple[int, ...]
    length: int
    """The original text's length."""

    def origin(self, i: int) -> int:
        """The original offset of normalised character i (the original length at the end)."""
        if i >= len(self.text):
            return self.length
        k = bisect_right(self.starts, i) - 1
        return self.origins[k] + (i - self.starts[k])

    def position(self, offset: int) -> int:
        """The normalised index of the first character that comes from `offset` or later."""
        k = bisect_right(self.origins, offset) - 1
        if k < 0:
            return 0
        end = self.starts[k + 1] if k + 1 < len(self.starts) else len(self.text)
        return min(self.starts[k] + (offset - self.origins[k]), end)

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original offsets [start, end) of the normalised slice [start, end); a slice
        that ends inside one character's expansion (an ellipsis) takes the whole character."""
        if end <= start:
            return self.origin(start), self.origin(start)
        return self.origin(start), self.origin(end - 1) + 1


def normalise(
    text: str,
    *,
    compatibility: bool = True,
    marks: bool = True,
    space: bool = True,
    invisible: bool = True,
    case: bool = False,
) -> Normalised:
    """`text` with what typography varies made uniform, keeping where each character came from.

    - `compatibility`: Unicode NFKC, character by character (ligatures, full-width forms,
      the ellipsis as three full stops);
    - `marks`: every quotation mark and apostrophe straight, every dash a hyphen;
    - `space`: any run of white space one space;
    - `invisible`: soft hyphens, zero-width characters and the byte-order mark dropped;
    - `case`: case folded, character by character.

    Anchoring quotes uses the defaults; the word comparison folds case as well; text
    fragments, which must match the way browsers search, fold only space and case.
    """
    if not (compatibility or marks or invisible):
        return _fold_space_case(text, space, case)
    out: list[str] = []
    starts: list[int] = []
    origins: list[int] = []

    def put(piece: str, i: int) -> None:
        if not origins or origins[-1] + (len(out) - starts[-1]) != i:
            starts.append(len(out))
            origins.append(i)
        out.append(piece)

    for i, char in enumerate(text):
        if invisible and char in INVISIBLE:
            continue
        if space and char.isspace():
            if out and out[-1] != " ":
                put(" ", i)
            continue
        pieces = unicodedata.normalize("NFKC", char) if compatibility and not char.isascii() else char
        if case:
            pieces = pieces.casefold()
        for piece in pieces:
            if marks:
                piece = QUOTES.get(piece, DASHES.get(piece, piece))
            if space and piece.isspace():
                if out and out[-1] != " ":
                    put(" ", i)
                continue
            put(piece, i)
    if not starts:
        starts, origins = [0], [0]
    return Normalised("".join(out), tuple(starts), tuple(origins), len(text))


LONG_SPACE = re.compile(r"\s{2,}|[^\S ]")
"""The white space that folding changes: runs, and single characters other than a space."""


def _fold_space_case(text: str, space: bool, case: bool) -> Normalised:
    """The fast path for folding only white space (and case, where folding keeps the length:
    otherwise case is left alone)."""
    if not space:
        folded = text.lower() if case else text
        return Normalised(folded if len(folded) == len(text) else text, (0,), (0,), len(text))
    parts: list[str] = []
    starts, origins = [0], [0]
    at = size = 0
    for run in LONG_SPACE.finditer(text):
        parts.append(text[at : run.start()])
        parts.append(" ")
        size += run.start() - at + 1
        at = run.end()
        starts.append(size)
        origins.append(at)
    parts.append(text[at:])
    folded = "".join(parts)
    if case:
        lowered = folded.lower()
        folded = lowered if len(lowered) == len(folded) else folded
    return Normalised(folded, tuple(starts), tuple(origins), len(text))


_SPACE = re.compile(r"\s+")


def squash(text: str) -> str:
    """Every run of white space one space."""
    return _SPACE.sub(" ", text)


def shorten(text: str, limit: int, ellipsis: str = ELLIPSIS) -> str:
    """`text` cut to at most `limit` characters at a word boundary, with `ellipsis` after
    the last whole word (and none of the punctuation that ended it) when anything was cut."""
    if len(text) <= limit:
        return text
    room = limit - len(ellipsis)
    cut = text[: room + 1]
    space = cut.rfind(" ")
    kept = cut[:space] if space > 0 else text[:room]
    return kept.rstrip(" ,;:.") + ellipsis
