"""Quote + article text -> a Span of character offsets, or why it cannot be placed."""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass

from rapidfuzz import fuzz
from rapidfuzz.distance import ScoreAlignment

MAX_OCCURRENCES = 1000
"""Occurrences of a quote that prefix/suffix choose among; a quote found more often than this
is ambiguous as it stands (it is too short to anchor) and is not looked for further."""
MAX_LISTED = 10
"""Occurrences of an ambiguous quote whose offsets are kept, for the editor to choose from."""
CLOSEST_WORK = 50_000_000
"""Quote length x text length up to which the closest passage is sought in the whole text
(rapidfuzz's alignment costs about their product); beyond, it is sought only around the best
places of the quote's first and last PROBE characters."""
PROBE = 64

QUOTES = {
    **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u02bc\u0060\u00b4", "'"),
    **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb\u301d\u301e", '"'),
}
DASHES = dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d", "-")
INVISIBLE = frozenset("\u00ad\u200b\u200c\u200d\u2060\ufeff")


@dataclass(frozen=True, slots=True)
class Normalised:
    """Text with typography normalised, and where each character came from."""

    text: str
    origin: tuple[int, ...]
    """origin[i] is the offset in the original text of normalised character i;
    origin[len(text)] is the original length."""

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original offsets [start, end) of the normalised slice [start, end); a slice
        that ends inside one character's expansion (an ellipsis) takes the whole character."""
        if end <= start:
            return self.origin[start], self.origin[start]
        return self.origin[start], self.origin[end - 1] + 1


def normalise(text: str) -> Normalised:
    """NFKC, one kind of straight quote, one kind of dash, one space for any run of
    white space; invisible characters dropped."""
    out: list[str] = []
    origin: list[int] = []
    for i, char in enumerate(text):
        if char in INVISIBLE:
            continue
        if char.isspace():
            if out and out[-1] != " ":
                out.append(" ")
                origin.append(i)
            continue
        for piece in unicodedata.normalize("NFKC", char):
            piece = QUOTES.get(piece, DASHES.get(piece, piece))
            if piece.isspace():
                if out and out[-1] != " ":
                    out.append(" ")
                    origin.append(i)
                continue
            out.append(piece)
            origin.append(i)
    origin.append(len(text))
    return Normalised("".join(out), tuple(origin))


@dataclass(frozen=True, slots=True)
class Found:
    start: int
    end: int
    exact: bool


@dataclass(frozen=True, slots=True)
class Ambiguous:
    starts: tuple[int, ...]
    """Original offsets of the first occurrences (at most MAX_LISTED)."""
    count: int
    """How many occurrences there are; MAX_OCCURRENCES + 1 stands for more."""


@dataclass(frozen=True, slots=True)
class NotFound:
    closest: str
    """The closest passage of the text (original characters), or empty."""
    start: int
    similarity: int
    """0 to 100."""


def find_span(
    text: str, quote: str, prefix: str | None = None, suffix: str | None = None
) -> Found | Ambiguous | NotFound:
    """Place `quote` in `text`: exactly first, then after normalising typography.
    `prefix`/`suffix` (W3C TextQuoteSelector style) pick among several occurrences."""
    quote = quote.strip()
    if not quote:
        return NotFound("", 0, 0)
    exact = _occurrences(text, quote)
    if len(exact) > MAX_OCCURRENCES:
        return Ambiguous(tuple(exact[:MAX_LISTED]), len(exact))
    if exact:
        picked = [s for s in exact if _context_matches(text, s, s + len(quote), prefix, suffix)]
        if len(picked) == 1:
            return Found(picked[0], picked[0] + len(quote), True)
        if len(picked) > 1:
            return Ambiguous(tuple(picked[:MAX_LISTED]), len(picked))
    norm_text = _normalise_text(text)
    norm_quote = normalise(quote).text.strip()
    if not norm_quote:
        return NotFound("", 0, 0)
    starts = _occurrences(norm_text.text, norm_quote)
    if len(starts) > MAX_OCCURRENCES:
        return Ambiguous(tuple(norm_text.span(s, s)[0] for s in starts[:MAX_LISTED]), len(starts))
    if starts:
        spans = [norm_text.span(s, s + len(norm_quote)) for s in starts]
        picked_spans = [
            span
            for span in spans
            if _context_matches(text, span[0], span[1], prefix, suffix)
        ]
        if len(picked_spans) == 1:
            start, end = picked_spans[0]
            return Found(start, end, False)
        if len(picked_spans) > 1:
            return Ambiguous(tuple(s for s, _ in picked_spans[:MAX_LISTED]), len(picked_spans))
    return _closest(text, norm_text, norm_quote)


@functools.lru_cache(maxsize=2)
def _normalise_text(text: str) -> Normalised:
    """normalise() of an article text, kept for the next quote of the same article."""
    return normalise(text)


def _occurrences(haystack: str, needle: str) -> list[int]:
    """Offsets of `needle` in `haystack` (overlapping too), up to MAX_OCCURRENCES + 1."""
    starts: list[int] = []
    at = haystack.find(needle)
    while at != -1 and len(starts) <= MAX_OCCURRENCES:
        starts.append(at)
        at = haystack.find(needle, at + 1)
    return starts


def _context_matches(text: str, start: int, end: int, prefix: str | None, suffix: str | None) -> bool:
    """Does the text just before/after the span read `prefix`/`suffix` (typography
    normalised, white space at the join ignored)?"""
    if prefix:
        want = normalise(prefix).text.strip()
        before = normalise(text[max(0, start - len(prefix) - 40) : start]).text.rstrip()
        if not before.endswith(want):
            return False
    if suffix:
        want = normalise(suffix).text.strip()
        after = normalise(text[end : end + len(suffix) + 40]).text.lstrip()
        if not after.startswith(want):
            return False
    return True


def _closest(text: str, norm_text: Normalised, norm_quote: str) -> NotFound:
    """The passage of the text most like the quote (rapidfuzz's partial alignment)."""
    if not norm_text.text:
        return NotFound("", 0, 0)
    alignment = _alignment(norm_quote, norm_text.text)
    if alignment is None:
        return NotFound("", 0, 0)
    start, end = norm_text.span(alignment.dest_start, alignment.dest_end)
    while start < end and text[start].isspace():
        start += 1
    while start > 0 and not text[start - 1].isspace():
        start -= 1  # widen to whole words, so the editor sees what to copy
    while end < len(text) and not text[end].isspace():
        end += 1
    # the window has the quote's length; a word more or less on either side may fit better
    best = (fuzz.ratio(norm_quote, normalise(text[start:end]).text), start, end)
    for new_start in (_word_before(text, start), start, _word_after(text, start)):
        for new_end in (_word_before(text, end), end, _word_after(text, end)):
            if new_start < new_end:
                score = fuzz.ratio(norm_quote, normalise(text[new_start:new_end]).text)
                best = max(best, (score, new_start, new_end), key=lambda b: b[0])
    _, start, end = best
    similarity = round(max(best[0], alignment.score))
    return NotFound(text[start:end].strip(), start, similarity)


def _alignment(quote: str, text: str) -> ScoreAlignment | None:
    """rapidfuzz's partial alignment of the quote in the text, within CLOSEST_WORK."""
    if len(quote) * len(text) <= CLOSEST_WORK:
        return fuzz.partial_ratio_alignment(quote, text)
    best: ScoreAlignment | None = None
    for probe in (quote[:PROBE], quote[-PROBE:]):
        hit = fuzz.partial_ratio_alignment(probe, text)
        if hit is None:
            continue
        low = max(0, hit.dest_start - len(quote))
        high = min(len(text), hit.dest_end + len(quote))
        found = fuzz.partial_ratio_alignment(quote, text[low:high])
        if found is not None and (best is None or found.score > best.score):
            best = ScoreAlignment(found.score, found.src_start, found.src_end,
                                  low + found.dest_start, low + found.dest_end)
    return best


def _word_before(text: str, at: int) -> int:
    """The start of the word before offset `at` (or of the one `at` is in)."""
    at = at - 1
    while at > 0 and text[at].isspace():
        at -= 1
    while at > 0 and not text[at - 1].isspace():
        at -= 1
    return max(at, 0)


def _word_after(text: str, at: int) -> int:
    """The end of the word after offset `at`."""
    while at < len(text) and text[at].isspace():
        at += 1
    while at < len(text) and not text[at].isspace():
        at += 1
    return at
