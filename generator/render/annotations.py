"""The claim views and labels -> /api/annotations.jsonld and its pages: the appearances as W3C Web Annotations.

One annotation for each appearance whose article has a known address, claim by claim, in one
AnnotationCollection (/api/annotations.jsonld) whose AnnotationPages, of at most PER_PAGE
annotations each, are files of their own (/api/annotations/page-<n>.jsonld), each linked to
the next and the previous (docs/api.md describes the shape). The words of the bodies come
from the theme's labels; a reading is only ever the editor's."""

from __future__ import annotations

import calendar
import json
from collections.abc import Iterator, Mapping
from typing import Any

from generator.model import Archived, PartialDate
from generator.render.feeds import ApiSite
from generator.urls import url
from generator.views import AppearanceView, ClaimView, claim_updated

CONTEXT = "http://www.w3.org/ns/anno.jsonld"
"""The W3C's JSON-LD context of the Web Annotation model, named by its address."""

QUOTE_CONTEXT_CHARS = 32
"""At most this many characters of the captured text on each side of a span, as a
TextQuoteSelector's prefix and suffix: enough to tell apart the occurrences of a quote."""

ASSESSING = "oa:assessing"
"""The motivation (and the reading body's purpose) of an appearance the editor has read.
Written as a compact IRI: the context document of the Recommendation (tests/fixtures/anno.jsonld)
has no short term `assessing` (the copy served at CONTEXT gained it later), and `oa:assessing`
expands to http://www.w3.org/ns/oa#assessing with either."""
DESCRIBING = "describing"
"""The motivation of an appearance without the editor's reading: it says what the span is,
and that no editor has judged it."""
LINKING = "linking"
"""The purpose of the body that links to the claim page."""

PER_PAGE = 500
"""The most annotations one page holds: about 0.6 MB of JSON, a file any tool can fetch
however many claims the site has. Pages are cut by count, in claim order, so that a page's
place in the collection (`startIndex`) is fixed by its number, and an edit that leaves the
number of annotations as it was rewrites only the page that holds them."""

TEXT_FORMAT = "text/plain"
"""The media type of the textual bodies: plain text, never Markdown or HTML."""

Shown = tuple[tuple[AppearanceView, str], ...]
"""Annotated appearances, each with its key (see `keyed`)."""


def annotated(claims: tuple[ClaimView, ...]) -> Shown:
    """Every appearance in an article with a `url`, claim by claim in the order of `claims`
    (the site's claim views, SiteViews.claims: by id), each in the claim page's order, with
    its key."""
    return tuple((view, key) for claim_view in claims for view, key in keyed(claim_view)
                 if view.appearance.article.url)


def paged(shown: Shown) -> list[Shown]:
    """`shown` (see `annotated`) cut into pages, in order."""
    return [shown[start:start + PER_PAGE] for start in range(0, len(shown), PER_PAGE)]


def page_url(number: int) -> str:
    """The url path of the collection's page `number` (from 1)."""
    return url("annotations-page", str(number))


def render_collection(site: ApiSite, total: int, pages: int, labels: Mapping[str, Any]
                      ) -> bytes:
    """/api/annotations.jsonld: the AnnotationCollection, which says how many annotations its
    `pages` (see `paged`) hold and names the first and the last page (none when no
    appearance has an address)."""
    collection: dict[str, Any] = {
        "@context": CONTEXT,
        "id": site.absolute(url("annotations")),
        "type": "AnnotationCollection",
        "label": labels["annotation"]["collection"].format(site=site.title),
        "total": total,
    }
    if pages:
        collection["first"] = site.absolute(page_url(1))
        collection["last"] = site.absolute(page_url(pages))
    return (_compact(collection) + "\n").encode()


def render_page(site: ApiSite, number: int, pages: int, items: Shown,
                labels: Mapping[str, Any]) -> bytes:
    """/api/annotations/page-<number>.jsonld: page `number` of the collection's `pages`,
    holding `items` (the `number`-th of `paged`), one annotation per line."""
    collection_id = site.absolute(url("annotations"))
    page: dict[str, Any] = {
        "@context": CONTEXT,
        "id": site.absolute(page_url(number)),
        "type": "AnnotationPage",
        "partOf": collection_id,
        "startIndex": (number - 1) * PER_PAGE,
        "items": [],
    }
    if number > 1:
        page["prev"] = site.absolute(page_url(number - 1))
    if number < pages:
        page["next"] = site.absolute(page_url(number + 1))
    # each annotation is made and written out in turn: the objects it is made from take
    # several times the room of its text
    lines = (_compact(annotation(view, f"{collection_id}#{key}", site, labels)).encode()
             for view, key in items)
    return _serialise(page, lines)


def keyed(claim_view: ClaimView) -> Iterator[tuple[AppearanceView, str]]:
    """Each appearance of a claim with its key, `<claim id>/<article id>/<n>`: the n-th of the
    claim's appearances in that article, in the order of the text. The key does not change
    when appearances in other articles are added, removed or reordered."""
    seen: dict[str, int] = {}
    for view in claim_view.views:
        article_id = view.appearance.article.id
        seen[article_id] = seen.get(article_id, 0) + 1
        yield view, f"{claim_view.claim.id}/{article_id}/{seen[article_id]}"


def annotation(
    view: AppearanceView, annotation_id: str, site: ApiSite, labels: Mapping[str, Any]
) -> dict[str, Any]:
    """One appearance as a Web Annotation: its span of the article as the target, the
    editor's reading (or its absence), the claim and a link to the claim page as bodies."""
    appearance = view.appearance
    article = appearance.article
    assert article.url is not None
    claim = view.claim
    motivation = ASSESSING if appearance.reading is not None else DESCRIBING
    target: dict[str, Any] = {
        "type": "SpecificResource",
        "source": article.url,
        "selector": selectors(article.text, view.span.start, view.span.end),
    }
    if article.archived:
        target["state"] = [time_state(copy) for copy in article.archived]
    found: dict[str, Any] = {
        "id": annotation_id,
        "type": "Annotation",
        "motivation": motivation,
        "creator": {"type": "Organization", "name": site.publisher_name,
                    "homepage": site.publisher_url},
        "generator": {"type": "Software", "name": site.title, "homepage": site.url},
        "target": target,
        "body": [
            _text(reading_words(view, labels), motivation, site.language),
            _text(labels["annotation"]["claim"].format(claim=claim.short), DESCRIBING,
                  site.language),
            {
                "type": "SpecificResource",
                "source": site.absolute(url("claim", claim.id)) + "#" + view.anchor,
                "purpose": LINKING,
            },
        ],
    }
    created = date_time(claim.reviewed)
    modified = date_time(claim_updated(claim))
    if created:
        found["created"] = created
    if modified:
        found["modified"] = modified
    return found


def _text(value: str, purpose: str, language: str) -> dict[str, Any]:
    return {"type": "TextualBody", "value": value, "format": TEXT_FORMAT, "language": language,
            "purpose": purpose}


def selectors(text: str, start: int, end: int) -> list[dict[str, Any]]:
    """A TextQuoteSelector (the span as captured, with up to QUOTE_CONTEXT_CHARS of the text
    on each side) and a TextPositionSelector (code point offsets into the captured text)."""
    quote: dict[str, Any] = {"type": "TextQuoteSelector", "exact": text[start:end]}
    prefix = text[max(0, start - QUOTE_CONTEXT_CHARS):start]
    suffix = text[end:end + QUOTE_CONTEXT_CHARS]
    if prefix:
        quote["prefix"] = prefix
    if suffix:
        quote["suffix"] = suffix
    return [quote, {"type": "TextPositionSelector", "start": start, "end": end}]


def reading_words(view: AppearanceView, labels: Mapping[str, Any]) -> str:
    """The editor's reading in the theme's words; without one, that no editor has read it
    (or that it cannot be compared, or that there is nothing to compare it with)."""
    words = labels["annotation"]
    reading = view.appearance.reading
    if reading is not None:
        meaning = labels["meaning"][reading.meaning.value]["label"]
        quotation = labels["quotation"][reading.quotation.value]["label"]
        if reading.changes:
            changes = words["separator"].join(
                labels["change"][change.value]["short"] for change in reading.changes)
            return str(words["read_changed"].format(
                meaning=meaning, changes=changes, quotation=quotation, reason=reading.reason))
        return str(words["read"].format(meaning=meaning, quotation=quotation,
                                        reason=reading.reason))
    if view.not_comparable:
        meaning_words = labels["meaning"]["not-comparable"]
        return str(words["not_comparable"].format(meaning=meaning_words["label"],
                                                  description=meaning_words["description"]))
    if view.claim.passage is None:
        return str(words["nothing_to_compare"])
    return str(words["unreviewed"])


def date_time(date: PartialDate) -> str | None:
    """An xsd:dateTime in UTC for a date known to the day (its first second); None for a date
    known only to the month or the year."""
    if not date.day:
        return None
    return f"{date.iso()}T00:00:00Z"


def time_state(copy: Archived) -> dict[str, Any]:
    """A TimeState: the article as it was when an archived copy was made, and that copy. The
    copy's date is known to the day, the month or the year: the state spans that whole time."""
    date = copy.date
    first_month, last_month = (date.month, date.month) if date.month else (1, 12)
    last_day = date.day or calendar.monthrange(date.year, last_month)[1]
    return {
        "type": "TimeState",
        "cached": copy.url,
        "sourceDateStart": f"{date.year:04d}-{first_month:02d}-{date.day or 1:02d}T00:00:00Z",
        "sourceDateEnd": f"{date.year:04d}-{last_month:02d}-{last_day:02d}T23:59:59Z",
    }


def _compact(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _serialise(page: dict[str, Any], lines: Iterator[bytes]) -> bytes:
    """Compact JSON, keys sorted, with one annotation per line (`lines`: each annotation's
    `_compact` text, encoded; a page holds one at least), so that the file diffs annotation
    by annotation. `page` holds `"items": []` where the annotations go (json.dumps escapes
    every quote inside a string, so the placeholder cannot occur in content)."""
    head, tail = _compact(page).split('"items":[]', 1)
    return b"".join((head.encode(), b'"items":[\n', b",\n".join(lines), b"\n]",
                     tail.encode(), b"\n"))
