"""A site and its views -> the machine-readable files: sitemap, robots.txt and the claims export
(an index of the claims, and one file per claim)."""

from __future__ import annotations

import functools
import json
import operator
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

from generator.model import Comparison, PartialDate, Site, Source, Words
from generator.urls import url
from generator.views import AppearanceView, ClaimView

API_VERSION = 3
"""The shape of the claims export (docs/api.md): 2 gave the editor's reading and the
comparison apart; 3 split the single file into an index and one record per claim."""


def atom_datetime(date: PartialDate) -> str:
    """An RFC 3339 timestamp for a date, at its first day when only the month or year is known
    (Atom requires a full timestamp)."""
    return f"{date.year:04d}-{date.month or 1:02d}-{date.day or 1:02d}T00:00:00Z"


def absolute(site: Site, url_path: str) -> str:
    """`https://example.org/claims/x/` for `/claims/x/`."""
    return site.base_url.rstrip("/") + "/" + url_path.lstrip("/")


@dataclass(frozen=True, slots=True)
class SitemapEntry:
    url_path: str
    lastmod: PartialDate | None = None


_URL_PATH = operator.attrgetter("url_path")


SITEMAP_URLS = 50_000
"""The most URLs one sitemap file may list (the sitemaps.org protocol's limit). A site with
more pages has a sitemap index at /sitemap.xml naming sitemaps/sitemap-<n>.xml, each of at
most this many, in the order of their URLs."""


def sitemap_parts(entries: Iterable[SitemapEntry]) -> list[tuple[SitemapEntry, ...]]:
    """The pages by URL, cut into the sitemaps that list them (one when all fit in one)."""
    ordered = tuple(sorted(entries, key=_URL_PATH))
    return [ordered[start:start + SITEMAP_URLS]
            for start in range(0, len(ordered), SITEMAP_URLS)] or [()]


def sitemap_part_path(number: int) -> str:
    """The url path of the sitemap `number` (from 1) of a site that needs several."""
    return f"/sitemaps/sitemap-{number}.xml"


def render_sitemap_index(site: Site, count: int) -> bytes:
    """/sitemap.xml of a site with `count` sitemaps: the index that names them."""
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
        *(f"  <sitemap><loc>{escape(absolute(site, sitemap_part_path(number)))}</loc></sitemap>"
          for number in range(1, count + 1)),
        "</sitemapindex>",
    ]
    return ("\n".join(lines) + "\n").encode("utf-8")


def render_sitemap(site: Site, entries: Iterable[SitemapEntry]) -> bytes:
    """A sitemap of the given pages, in the order given (one of `sitemap_parts`: by URL)."""
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
    ]
    for entry in entries:
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
        "page": url("source", source.id),
    }


def _appearance(view: AppearanceView) -> dict[str, Any]:
    appearance = view.appearance
    article = appearance.article
    comparison = view.comparison
    return {
        "article": {
            "id": article.id,
            "headline": article.headline,
            "url": article.url,
            "date": _date(article.date),
            "date_basis": article.date_basis,
            "cites": [{cite.kind.value: cite.ref} for cite in article.cites],
        },
        "outlet": {
            "id": article.outlet.id,
            "name": article.outlet.name,
            "identified": article.outlet.identified,
            "page": url("outlet", article.outlet.id),
        },
        "quote": appearance.quote,
        "prefix": appearance.prefix,
        "suffix": appearance.suffix,
        "span": {
            "start": view.span.start,
            "end": view.span.end,
            "line": view.span.line,
            "exact": view.span.exact,
        },
        "text_fragment_url": view.link,
        "attribution": appearance.attribution.value,
        "note": appearance.note,
        "credited_to": None if appearance.credited_to is None else (
            {"nothing": True} if appearance.credited_to.kind == "nothing"
            else {appearance.credited_to.kind: appearance.credited_to.ref}
        ),
        "reading": None if appearance.reading is None else {
            "quotation": appearance.reading.quotation.value,
            "meaning": appearance.reading.meaning.value,
            "changes": [change.value for change in appearance.reading.changes],
            "dismissed": [change.value for change in appearance.reading.dismissed],
            "reason": appearance.reading.reason,
        },
        "comparison": None if comparison is None else _comparison(comparison),
        "not_comparable": view.not_comparable,
        "independent": view.independent,
    }


def _words(words: tuple[Words, ...]) -> list[dict[str, Any]]:
    return [{"text": w.text, "start": w.start, "end": w.end} for w in words]


def _comparison(found: Comparison) -> dict[str, Any]:
    """What the comparison found, as facts: the outlet's offsets are into the article text,
    the source's into the passage."""
    return {
        "quotation": found.quotation.value,
        "similarity": round(found.similarity, 3),
        "region": list(found.region) if found.region else None,
        "segments": [
            {"quoted": seg.quoted, "start": seg.start, "end": seg.end,
             "region": list(seg.region) if seg.region else None}
            for seg in found.segments
        ],
        "changes": [
            {"kind": change.kind.value, "detail": change.detail, "quoted": change.quoted,
             "relation": change.relation, "source": _words(change.source),
             "outlet": _words(change.outlet)}
            for change in found.changes
        ],
        "quote_edits": [
            {"detail": edit.detail, "source": _words(edit.source), "outlet": _words(edit.outlet)}
            for edit in found.quote_edits
        ],
        "diff": [
            {"kind": op.kind, "text": op.text, **({"source_text": op.source_text}
                                                  if op.source_text is not None else {})}
            for op in found.diff
        ],
        "respellings": [list(pair) for pair in found.respellings],
        "truncated": found.truncated,
    }


@dataclass(frozen=True, slots=True)
class ApiSite:
    """What every file of the claims export says of the site."""

    title: str
    url: str
    language: str
    publisher_name: str
    publisher_url: str
    build_date: str

    @classmethod
    def of(cls, site: Site) -> ApiSite:
        return _api_site(site.title, site.base_url, site.language, site.publisher.name,
                         site.publisher.url, site.build_date.iso())

    def record(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "url": self.url,
            "language": self.language,
            "publisher": {"name": self.publisher_name, "url": self.publisher_url},
            "build_date": self.build_date,
        }

    def absolute(self, url_path: str) -> str:
        return self.url.rstrip("/") + "/" + url_path.lstrip("/")


@functools.lru_cache(maxsize=64)
def _api_site(*fields: str) -> ApiSite:
    """One ApiSite object for the same values (a preview server's builds share them)."""
    return ApiSite(*fields)


@dataclass(frozen=True, slots=True)
class ApiEntry:
    """A claim as the export's index lists it."""

    id: str
    short: str
    status: str
    finding: str | None
    updated: str

    @classmethod
    def of(cls, view: ClaimView) -> ApiEntry:
        claim = view.claim
        return _api_entry(claim.id, claim.short, claim.status.value, claim.finding,
                          view.updated.iso())


@functools.lru_cache(maxsize=1 << 18)
def _api_entry(claim_id: str, short: str, status: str, finding: str | None, updated: str
               ) -> ApiEntry:
    """One ApiEntry object for the same values (a preview server's builds share them)."""
    return ApiEntry(claim_id, short, status, finding, updated)


def render_api_index(api: ApiSite, claims: tuple[ApiEntry, ...]) -> bytes:
    """/api/claims.json: one short record per claim, with the address of its full record
    (docs/api.md describes the shape)."""
    entries = [
        {
            "id": entry.id,
            "url": api.absolute(url("claim", entry.id)),
            "short": entry.short,
            "status": entry.status,
            "finding": entry.finding,
            "updated": entry.updated,
            "record": api.absolute(url("api-claim", entry.id)),
        }
        for entry in claims
    ]
    rest = _compact({"site": api.record(), "version": API_VERSION})[1:]
    lines = ",\n".join(_compact(entry) for entry in entries)
    return ('{"claims":[\n' + lines + ("\n" if entries else "") + "]," + rest + "\n").encode("utf-8")


def render_api_claim(api: ApiSite, view: ClaimView, status_label: str) -> bytes:
    """/api/claims/<id>.json: one claim with its status, source, passage and appearances
    (docs/api.md describes the shape)."""
    claim = view.claim
    passage = claim.passage
    record = {
        "version": API_VERSION,
        "id": claim.id,
        "url": api.absolute(url("claim", claim.id)),
        "claim": claim.claim,
        "short": claim.short,
        "finding": claim.finding,
        "draft": claim.draft,
        "status": claim.status.value,
        "status_label": status_label,
        "reviewed": claim.reviewed.iso(),
        "reviewed_by": [{"id": e.id, "name": e.name, "url": e.url} for e in claim.reviewed_by],
        "updated": view.updated.iso(),
        "tags": list(claim.tags),
        "verdict": claim.verdict,
        "updates": [{"date": u.date.iso(), "kind": u.kind.value, "note": u.note}
                    for u in claim.updates],
        "source": _source(claim.source) if claim.source else None,
        "superseded_by": _source(claim.superseded_by) if claim.superseded_by else None,
        "passage": None if passage is None else {
            "id": passage.id,
            "text": passage.text,
            "checked": passage.checked,
            "locator": passage.locator,
            "basis": passage.basis,
            "rests_on": list(passage.rests_on),
            "may_rest_on": list(passage.may_rest_on),
            "read_on": passage.read_on,
            "url": passage.url,
        },
        "appearances": [_appearance(v) for v in view.views],
    }
    return (_compact(record) + "\n").encode("utf-8")


def _compact(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
