"""A span of an article's text -> a URL text fragment (`#:~:text=`) that opens the article at it."""

from __future__ import annotations

import re
from urllib.parse import quote

SHORT_WORDS = 8
"""Quotes of up to this many words go whole into `textStart`; longer ones use `textStart,textEnd`."""
EDGE_WORDS = 4
"""Words at each end of a long quote used as `textStart` and `textEnd`."""
CONTEXT_WORDS = 3
"""Words of prefix or suffix added when the quote's words occur earlier in the article."""


def escape_term(term: str) -> str:
    """Percent-encode a text directive term: `-`, `,`, `&`, space and anything not URL-safe."""
    return quote(term, safe="").replace("-", "%2D")


def _words(text: str) -> list[str]:
    return text.split()


def _pattern(words: list[str], start_bounded: bool, end_bounded: bool) -> re.Pattern[str]:
    body = r"\s+".join(re.escape(word) for word in words)
    head = r"(?<!\w)" if start_bounded else ""
    tail = r"(?!\w)" if end_bounded else ""
    return re.compile(head + body + tail, re.IGNORECASE)


def _find(
    text: str,
    start_words: list[str],
    end_words: list[str],
    prefix: list[str],
    suffix: list[str],
) -> tuple[int, int] | None:
    """Where a browser would first match the directive in `text`, approximately (word-bounded,
    case-insensitive, any run of white space matching any other)."""
    pos = 0
    while True:
        if prefix:
            found = _pattern(prefix, True, False).search(text, pos)
            if not found:
                return None
            pos = found.end()
            head = re.compile(r"\s*").match(text, pos)
            start_at = head.end() if head else pos
            match = _pattern(start_words, False, not end_words and not suffix).match(text, start_at)
            if not match:
                pos = found.start() + 1
                continue
        else:
            match = _pattern(start_words, True, not end_words and not suffix).search(text, pos)
            if not match:
                return None
        begin, finish = match.start(), match.end()
        if end_words:
            tail = _pattern(end_words, True, not suffix).search(text, finish)
            if not tail:
                return None
            finish = tail.end()
        if suffix:
            gap = re.compile(r"\s*").match(text, finish)
            after = gap.end() if gap else finish
            if not _pattern(suffix, False, True).match(text, after):
                pos = begin + 1
                continue
        return begin, finish


def text_directive(text: str, start: int, end: int) -> str:
    """The `text=` directive's value for `text[start:end]`, with prefix and suffix only when the
    quote's words alone would first match elsewhere in `text`."""
    words = _words(text[start:end])
    if not words:
        return ""
    if len(words) <= SHORT_WORDS:
        start_words, end_words = words, []
    else:
        start_words = words[:EDGE_WORDS]
        count = EDGE_WORDS
        while True:
            end_words = words[-count:]
            rest = " ".join(words[len(start_words):])
            located = _pattern(end_words, True, True).search(rest)
            if located and located.end() == len(rest):
                break
            if count >= len(words) - len(start_words):
                start_words, end_words = words, []
                break
            count += 1
    before = _words(text[:start])[-CONTEXT_WORDS:]
    after = _words(text[end:])[:CONTEXT_WORDS]
    choices: list[tuple[list[str], list[str]]] = [([], []), (before, []), (before, after)]
    prefix: list[str] = []
    suffix: list[str] = []
    first = start + len(text[start:end]) - len(text[start:end].lstrip())
    for prefix, suffix in choices:
        where = _find(text, start_words, end_words, prefix, suffix)
        if where is not None and where[0] == first:
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
