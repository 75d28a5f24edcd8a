"""A claim -> its schema.org ClaimReview, serialised so that no content can end the script block."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from markupsafe import Markup

from generator.model import Appearance, PartialDate, Publisher
from generator.views import ClaimView


def script_json(data: Any) -> Markup:
    """`data` as JSON safe inside `<script type="application/ld+json">`: `<`, `>` and `&`
    are written as `\\u003c`, `\\u003e` and `\\u0026`, so `</script>` or `<!--` in content
    stays text."""
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, indent=None, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return Markup(text)


def _organization(name: str, url: str | None = None) -> dict[str, Any]:
    found: dict[str, Any] = {"@type": "Organization", "name": name}
    if url:
        found["url"] = url
    return found


def _creative_work(appearance: Appearance) -> dict[str, Any]:
    article = appearance.article
    work: dict[str, Any] = {
        "@type": "CreativeWork",
        "headline": article.headline,
        "publisher": _organization(article.outlet.name, article.outlet.homepage),
    }
    if article.url:
        work["url"] = article.url
    if article.date:
        work["datePublished"] = article.date.iso()
    if article.author:
        work["author"] = [{"@type": "Person", "name": name} for name in article.author]
    else:
        work["author"] = _organization(article.outlet.name, article.outlet.homepage)
    return work


def claim_script(
    publisher: Publisher, view: ClaimView, url: str, rating: Mapping[str, Any]
) -> Markup | None:
    """The claim's ClaimReview as the page's script block holds it; None for a draft."""
    review = claim_review(publisher, view, url, rating)
    return script_json(review) if review is not None else None


def claim_review(
    publisher: Publisher, view: ClaimView, url: str, rating: Mapping[str, Any]
) -> dict[str, Any] | None:
    """The ClaimReview of a claim, published at the absolute `url`, or None for an entry that
    has reached no finding (a draft). The claim reviewed is the short form; its rating is the
    finding, explained by `rating` (the theme's label and description of the claim's
    status); the claim's authors are the outlets that made it (where none is recorded, the
    primary source's publisher, to whom the claim is attributed)."""
    claim = view.claim
    if claim.finding is None:
        return None
    seen: set[str] = set()
    appearances: list[Appearance] = []
    for appearance in (v.appearance for v in view.views):
        if appearance.article.id not in seen:
            seen.add(appearance.article.id)
            appearances.append(appearance)
    item: dict[str, Any] = {"@type": "Claim"}
    authors = [_organization(m.outlet.name, m.outlet.homepage)
               for m in sorted(view.outlets, key=lambda m: m.outlet.name.casefold())]
    if authors:
        item["author"] = authors if len(authors) > 1 else authors[0]
    elif claim.source is not None:
        item["author"] = _organization(claim.source.publisher)
    if appearances:
        item["appearance"] = [_creative_work(a) for a in appearances]
        first = _certainly_first(appearances)
        if first is not None:
            item["firstAppearance"] = _creative_work(first)
    review: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "claimReviewed": claim.short,
        "reviewRating": {
            "@type": "Rating",
            "alternateName": claim.finding,
            "ratingExplanation": rating["label"] + ": " + rating["description"],
        },
        "author": {
            "@type": "Organization",
            "name": publisher.name,
            "url": publisher.url,
        },
        "datePublished": claim.reviewed.iso(),
        "url": url,
        "itemReviewed": item,
    }
    if claim.updates:
        newest = max(claim.updates, key=lambda u: u.date.sort_key()).date
        if newest.sort_key() > claim.reviewed.sort_key():
            review["dateModified"] = newest.iso()
    return review


def _certainly_first(appearances: list[Appearance]) -> Appearance | None:
    """The appearance that is known to come before every other one, or None when the
    dates (known only to the month or the year, or not at all) cannot tell."""
    if any(a.article.date is None for a in appearances):
        return None
    spans = [(_bounds(a.article.date), a) for a in appearances if a.article.date]
    spans.sort(key=lambda s: s[0])
    (_, first_end), first = spans[0]
    if all(first_end < start for (start, _), _ in spans[1:]):
        return first
    return None


def _bounds(date: PartialDate) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
    """The first and last day a partial date can stand for."""
    return (
        (date.year, date.month or 1, date.day or 1),
        (date.year, date.month or 12, date.day or 31),
    )
