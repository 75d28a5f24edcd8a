"""A span of an article's text -> a URL text fragment (`#:~:text=`) that opens the article at it."""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import quote

from generator.text import LONG_SPACE as _LONG_SPACE
from generator.text import Normalised, normalise

SHORT_WORDS = 8
"""Quotes of up to this many words go whole into `textStart`; longer ones use
`textStart,textEnd`."""
EDGE_WORDS = 4
"""Words at each end of a long quote used as `textStart` and `textEnd`."""
CONTEXT_WORDS = 3
"""Words of prefix or suffix added when the quote's words occur earlier in the article."""
_WINDOW = 400
"""Characters looked at on each side of a span for its prefix and suffix words."""


def escape_term(term: str) -> str:
    """Percent-encode a text directive term: `-`, `,`, `&`, space and anything not URL-safe."""
    return quote(term, safe="").replace("-", "%2D")


def _folding(text: str) -> Normalised:
    """White space runs as one space, lower case when that keeps every character in place:
    the text a browser's case-insensitive, white-space-blind match works on."""
    return normalise(text, compatibility=False, marks=False, invisible=False, case=True)


def _fold(text: str) -> str:
    """`_folding(text).text`, without the offset map: most terms hold single spaces only."""
    if _LONG_SPACE.search(text) is None:
        lowered = text.lower()
        return lowered if len(lowered) == len(text) else text
    return _folding(text).text


@lru_cache(maxsize=1024)
def _folded(text: str) -> Normalised:
    """An article's folded text, worked out once for all the quotes from it."""
    return _folding(text)


def _folded_offset(text: str, offset: int) -> int:
    """Where the character at `offset` (not white space) sits in the folded text."""
    return _folded(text).position(offset)


def _is_word(char: str) -> bool:
    return char.isalnum() or char == "_"


def _bounded_before(text: str, at: int) -> bool:
    return at == 0 or not _is_word(text[at - 1]) or not _is_word(text[at])


def _bounded_after(text: str, at: int) -> bool:
    return at >= len(text) or not _is_word(text[at]) or not _is_word(text[at - 1])


def _find_term(text: str, term: str, pos: int, start_bounded: bool, end_bounded: bool) -> int:
    """The first index from `pos` where `term` occurs with the requested word bounds, or -1."""
    while True:
        at = text.find(term, pos)
        if at < 0:
            return -1
        if (not start_bounded or _bounded_before(text, at)) and (
            not end_bounded or _bounded_after(text, at + len(term))
        ):
            return at
        pos = at + 1


def _skip_space(text: str, at: int) -> int:
    return at + 1 if at < len(text) and text[at] == " " else at


def _find(text: str, start: str, end: str, prefix: str, suffix: str) -> int:
    """Where a browser would first match the directive's start in the folded `text`,
    approximately, or -1."""
    pos = 0
    while True:
        if prefix:
            found = _find_term(text, prefix, pos, True, False)
            if found < 0:
                return -1
            begin = _skip_space(text, found + len(prefix))
            pos = found + 1
            if not text.startswith(start, begin) or (
                not end and not suffix and not _bounded_after(text, begin + len(start))
            ):
                continue
        else:
            begin = _find_term(text, start, pos, True, not end and not suffix)
            if begin < 0:
                return -1
            pos = begin + 1
        finish = begin + len(start)
        if end:
            tail = _find_term(text, end, finish, True, not suffix)
            if tail < 0:
                return -1
            finish = tail + len(end)
        if suffix:
            after = _skip_space(text, finish)
            if not text.startswith(suffix, after) or not _bounded_after(text, after + len(suffix)):
                continue
        return begin


def _end_words(words: list[str]) -> tuple[list[str], list[str]]:
    """(textStart words, textEnd words) for a quote: the whole quote when it is short, else a
    few words from each end, the end ones chosen so that they first occur at the quote's end."""
    if len(words) <= SHORT_WORDS:
        return words, []
    start_words = words[:EDGE_WORDS]
    rest = _fold(" ".join(words[EDGE_WORDS:]))
    for count in range(EDGE_WORDS, len(words) - EDGE_WORDS + 1):
        term = _fold(" ".join(words[-count:]))
        if _find_term(rest, term, 0, True, True) == len(rest) - len(term):
            return start_words, words[-count:]
    return words, []


def text_directive(text: str, start: int, end: int) -> str:
    """The `text=` directive's value for `text[start:end]`, with prefix and suffix only when the
    quote's words alone would first match elsewhere in `text`."""
    words = text[start:end].split()
    if not words:
        return ""
    start_words, end_words = _end_words(words)
    folded = _folded(text).text
    lead = start + len(text[start:end]) - len(text[start:end].lstrip())
    first = _folded_offset(text, lead)
    before = text[max(0, start - _WINDOW):start].split()[-CONTEXT_WORDS:]
    after = text[end:end + _WINDOW].split()[:CONTEXT_WORDS]
    start_term, end_term = _fold(" ".join(start_words)), _fold(" ".join(end_words))
    prefix: list[str] = []
    suffix: list[str] = []
    for prefix, suffix in (([], []), (before, []), (before, after)):
        found = _find(
            folded, start_term, end_term, _fold(" ".join(prefix)), _fold(" ".join(suffix))
        )
        if found == first:
            break
    parts = []
    if prefix:
        parts.append(escape_term(" ".join(prefix)) + "-")
    parts.append(escape_term(" ".join(start_words)))
    if end_words:
        parts.append(escape_term(" ".join(end_words)))
    if suffix:
        parts.append("-" + escape_term(" ".join(suffix)))
    return ",".join(parts)


def fragment_url(url: str, text: str, start: int, end: int) -> str:
    """`url` with a text fragment for `text[start:end]` (any fragment already on `url` dropped)."""
    directive = text_directive(text, start, end)
    base = url.split("#", 1)[0]
    if not directive:
        return base
    return f"{base}#:~:text={directive}"
