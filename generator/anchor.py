"""The Site -> where every quote sits in its article, and a problem for each that cannot be placed."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass

from rapidfuzz import fuzz
from rapidfuzz.distance import ScoreAlignment

from generator.errors import Location, Problem
from generator.model import Appearance, AppearanceKey, Article, Site, Span
from generator.text import Normalised, normalise, shorten

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
"""Characters at each end of a long quote that place it when the whole text is too long."""


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


@dataclass(frozen=True, slots=True)
class Anchored:
    spans: dict[AppearanceKey, Span]
    """Where each quote that could be placed sits in its article."""
    problems: tuple[Problem, ...]
    """One for each quote that could not be placed (not found, or found more than once)."""


Finder = Callable[[str, str, str | None, str | None], "Found | Ambiguous | NotFound"]
"""`find_span`, or what stands for it (the build's cache of its results)."""


def anchor_site(site: Site, find: Finder = find_span) -> Anchored:
    """Place every appearance's quote in its article's text."""
    spans: dict[AppearanceKey, Span] = {}
    problems: list[Problem] = []
    for claim in site.claims:
        for appearance in claim.appearances:
            article = appearance.article
            found = find(article.text, appearance.quote, appearance.prefix, appearance.suffix)
            if isinstance(found, Found):
                spans[(claim.id, appearance.index)] = Span(
                    found.start, found.end, article.line_of(found.start), found.exact
                )
            else:
                problems.append(_problem(found, appearance))
    return Anchored(spans, tuple(problems))


def _problem(found: Ambiguous | NotFound, appearance: Appearance) -> Problem:
    article: Article = appearance.article
    where: Location = appearance.quote_at
    label = f"appearances[{appearance.index}].quote"
    if isinstance(found, Ambiguous):
        count = found.count if found.count <= MAX_OCCURRENCES else f"more than {MAX_OCCURRENCES}"
        lines = ", ".join(str(article.line_of(s)) for s in found.starts)
        if found.count > len(found.starts):
            lines += ", ..."
        choices = "\n".join(
            f"  line {article.line_of(s)}: prefix: {_yaml_str(_words_before(article.text, s))}"
            for s in found.starts
        )
        return Problem(
            where,
            f"{label}: the quote occurs {count} times in {article.rel_path} "
            f"(lines {lines})",
            "Add `prefix:` (the words just before the occurrence you mean) or `suffix:` "
            f"(the words just after it):\n{choices}",
        )
    if not found.closest:
        short = shorten(appearance.quote.strip(), QUOTE_SHOWN)
        return Problem(where, f"{label}: not found in {article.rel_path}: {_yaml_str(short)}",
                       "Copy the quote from the article text.")
    closest = shorten(re.sub(r"\s+", " ", found.closest), CLOSEST_SHOWN)
    return Problem(
        where,
        f"{label}: not found in {article.rel_path}",
        f"Closest passage ({found.similarity}% similar), at {article.rel_path}:"
        f"{article.line_of(found.start)}:\n  {closest}\n"
        "Copy the quote exactly from the article (typography may differ: quotes, dashes "
        "and spaces are matched loosely, words are not).",
    )


QUOTE_SHOWN = 60
"""At most this many characters of a quote that was not found are shown in its problem."""
CLOSEST_SHOWN = 160
"""At most this many characters of the closest passage are shown."""


def _words_before(text: str, offset: int, count: int = 4) -> str:
    """Up to `count` whole words just before `offset`, on its line."""
    line = text[:offset].rsplit("\n", 1)[-1]
    return "".join(re.findall(r"\S+\s*", line)[-count:])


def _yaml_str(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
