"""A site -> its machine-readable files: Atom feed, sitemap, robots.txt and the claims export."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from generator.markdown import plain_text
from generator.model import Appearance, Claim, PartialDate, Site, Source

API_VERSION = 1
SUMMARY_CHARS = 400


def claim_updated(claim: Claim) -> PartialDate:
    """The newest date on a claim: when it was reviewed or last updated."""
    return max((claim.reviewed, *(u.date for u in claim.updates)), key=PartialDate.sort_key)


def atom_datetime(date: PartialDate) -> str:
    """An RFC 3339 timestamp for a date, at its first day when only the month or year is known
    (Atom requires a full timestamp)."""
    return f"{date.year:04d}-{date.month or 1:02d}-{date.day or 1:02d}T00:00:00Z"


def absolute(site: Site, url_path: str) -> str:
    """`https://example.org/claims/x/` for `/claims/x/`."""
    return site.base_url.rstrip("/") + "/" + url_path.lstrip("/")


def _shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + " …"


def render_feed(site: Site, claims: Sequence[Claim]) -> bytes:
    """An Atom feed with one entry per claim, newest first (then by id)."""
    ordered = sorted(claims, key=lambda c: c.id)
    ordered.sort(key=lambda c: claim_updated(c).sort_key(), reverse=True)
    feed_url = absolute(site, "/feed.xml")
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang={quoteattr(site.language)}>',
        f"  <title>{escape(site.title)}</title>",
        f"  <subtitle>{escape(site.description)}</subtitle>",
        f"  <id>{escape(feed_url)}</id>",
        f'  <link rel="self" type="application/atom+xml" href={quoteattr(feed_url)}/>',
        f'  <link rel="alternate" type="text/html" href={quoteattr(site.base_url)}/>',
        f"  <updated>{atom_datetime(site.build_date)}</updated>",
        "  <author>",
        f"    <name>{escape(site.publisher.name)}</name>",
        f"    <uri>{escape(site.publisher.url)}</uri>",
        "  </author>",
    ]
    for claim in ordered:
        url = absolute(site, f"/claims/{claim.id}/")
        summary = f"{claim.status.label}. {plain_text(claim.verdict)}"
        lines += [
            "  <entry>",
            f"    <title>{escape(claim.claim)}</title>",
            f"    <id>{escape(url)}</id>",
            f'    <link rel="alternate" type="text/html" href={quoteattr(url)}/>',
            f"    <published>{atom_datetime(claim.reviewed)}</published>",
            f"    <updated>{atom_datetime(claim_updated(claim))}</updated>",
            (
                f"    <category term={quoteattr(claim.status.value)}"
                f" label={quoteattr(claim.status.label)}/>"
            ),
            f"    <summary>{escape(_shorten(summary, SUMMARY_CHARS))}</summary>",
            "  </entry>",
        ]
    lines.append("</feed>")
    return ("\n".join(lines) + "\n").encode("utf-8")


@dataclass(frozen=True, slots=True)
class SitemapEntry:
    url_path: str
    lastmod: PartialDate | None = None


def render_sitemap(site: Site, entries: Iterable[SitemapEntry]) -> bytes:
    """A sitemap of the given pages, sorted by URL."""
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
    ]
    for entry in sorted(entries, key=lambda e: e.url_path):
        lines.append(f"  <url><loc>{escape(absolute(site, entry.url_path))}</loc>"
                     + (f"<lastmod>{entry.lastmod.iso()}</lastmod>" if entry.lastmod else "")
                     + "</url>")
    lines.append("</urlset>")
    return ("\n".join(lines) + "\n").encode("utf-8")


def render_robots(site: Site) -> bytes:
    """robots.txt: everything may be crawled; the sitemap's address."""
    return f"User-agent: *\nAllow: /\n\nSitemap: {absolute(site, '/sitemap.xml')}\n".encode()


def _date(date: PartialDate | None) -> str | None:
    return date.iso() if date else None


def _source(source: Source) -> dict[str, Any]:
    return {
        "id": source.id,
        "title": source.title,
        "publisher": source.publisher,
        "symbol": source.symbol,
        "kind": source.kind,
        "date": _date(source.date),
        "url": source.url,
        "page": f"/sources/{source.id}/",
    }


def _appearance(appearance: Appearance, fragment: str | None) -> dict[str, Any]:
    article = appearance.article
    result = appearance.fidelity
    return {
        "article": {
            "id": article.id,
            "headline": article.headline,
            "url": article.url,
            "date": _date(article.date),
            "date_basis": article.date_basis,
            "cites": list(article.cites),
        },
        "outlet": {
            "id": article.outlet.id,
            "name": article.outlet.name,
            "identified": article.outlet.identified,
            "page": f"/outlets/{article.outlet.id}/",
        },
        "quote": appearance.quote,
        "prefix": appearance.prefix,
        "suffix": appearance.suffix,
        "span": {
            "start": appearance.span.start,
            "end": appearance.span.end,
            "line": appearance.span.line,
            "exact": appearance.span.exact,
        },
        "text_fragment_url": fragment,
        "attribution": appearance.attribution.value,
        "note": appearance.note,
        "stated_fidelity": (
            appearance.stated_fidelity.value if appearance.stated_fidelity else None
        ),
        "fidelity_reason": appearance.fidelity_reason,
        "fidelity": None if result is None else {
            "class": result.fidelity.value,
            "similarity": round(result.similarity, 3),
            "reason": result.reason,
            "diff": [{"kind": op.kind, "text": op.text} for op in result.diff],
            "flags": [
                {"kind": flag.kind.value, "words": list(flag.words), "message": flag.message}
                for flag in result.flags
            ],
            "respellings": [list(pair) for pair in result.respellings],
        },
    }


def render_api(site: Site, fragments: dict[tuple[str, int], str | None]) -> bytes:
    """/api/claims.json: every claim with its status, source, passage and appearances
    (docs/api.md describes the shape). `fragments` maps (claim id, appearance index) to the
    article's URL with its text fragment."""
    claims = []
    for claim in sorted(site.claims, key=lambda c: c.id):
        passage = claim.passage
        claims.append({
            "id": claim.id,
            "url": absolute(site, f"/claims/{claim.id}/"),
            "claim": claim.claim,
            "status": claim.status.value,
            "status_label": claim.status.label,
            "reviewed": claim.reviewed.iso(),
            "updated": claim_updated(claim).iso(),
            "tags": list(claim.tags),
            "verdict": claim.verdict,
            "updates": [{"date": u.date.iso(), "note": u.note} for u in claim.updates],
            "source": _source(claim.source) if claim.source else None,
            "passage": None if passage is None else {
                "id": passage.id,
                "text": passage.text,
                "checked": passage.checked,
                "locator": passage.locator,
                "basis": passage.basis,
                "rests_on": list(passage.rests_on),
                "url": passage.url,
            },
            "appearances": [
                _appearance(appearance, fragments.get((claim.id, index)))
                for index, appearance in enumerate(claim.appearances)
            ],
        })
    data = {
        "version": API_VERSION,
        "site": {
            "title": site.title,
            "url": site.base_url,
            "language": site.language,
            "publisher": {"name": site.publisher.name, "url": site.publisher.url},
            "build_date": site.build_date.iso(),
        },
        "claims": claims,
    }
    return _claims_json(data).encode("utf-8")


def _compact(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _claims_json(data: dict[str, Any]) -> str:
    """Compact JSON with one claim per line, so that the file diffs claim by claim."""
    rest = {key: value for key, value in data.items() if key != "claims"}
    tail = _compact(rest)[1:]
    claims = ",\n".join(_compact(claim) for claim in data["claims"])
    return '{"claims":[\n' + claims + "\n]," + tail + "\n"
