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


def _creative_work(appearance: Appearance) -> dict[str, Any]:
    article = appearance.article
    work: dict[str, Any] = {
        "@type": "CreativeWork",
        "headline": article.headline,
        "publisher": {"@type": "Organization", "name": article.outlet.name},
    }
    if article.outlet.homepage:
        work["publisher"]["url"] = article.outlet.homepage
    if article.url:
        work["url"] = article.url
    if article.date:
        work["datePublished"] = article.date.iso()
    return work


def claim_script(
    publisher: Publisher, view: ClaimView, url: str, rating: Mapping[str, Any]
) -> Markup:
    """The claim's ClaimReview as the page's script block holds it."""
    return script_json(claim_review(publisher, view, url, rating))


def claim_review(
    publisher: Publisher, view: ClaimView, url: str, rating: Mapping[str, Any]
) -> dict[str, Any]:
    """The ClaimReview of a claim, published at the absolute `url`; its rating in the
    theme's words (`rating`: the theme's label and description of the claim's status)."""
    claim = view.claim
    seen: set[str] = set()
    appearances: list[Appearance] = []
    for appearance in (v.appearance for v in view.views):
        if appearance.article.id not in seen:
            seen.add(appearance.article.id)
            appearances.append(appearance)
    item: dict[str, Any] = {"@type": "Claim"}
    if appearances:
        item["appearance"] = [_creative_work(a) for a in appearances]
        first = _certainly_first(appearances)
        if first is not None:
            item["firstAppearance"] = _creative_work(first)
    review: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "claimReviewed": claim.claim,
        "reviewRating": {
            "@type": "Rating",
            "alternateName": rating["label"],
            "ratingExplanation": rating["description"],
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
