"""A site and a theme -> every output file of the static site, as {out_path: bytes}."""

from __future__ import annotations

import hashlib
import re
import traceback
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from jinja2 import (
    Environment,
    FileSystemLoader,
    StrictUndefined,
    TemplateError,
    TemplateRuntimeError,
    select_autoescape,
)
from markupsafe import Markup

from generator import feeds, jsonld
from generator.markdown import plain_text, render_markdown
from generator.model import (
    Appearance,
    Article,
    Attribution,
    Claim,
    Fidelity,
    Outlet,
    Page,
    PartialDate,
    Site,
    Source,
    Status,
)
from generator.textfragment import fragment_url

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
"""The Content-Security-Policy the site satisfies (the deploy sends it as a header)."""
CSP_META = CSP.replace("; frame-ancestors 'none'", "")
"""The same policy for a <meta> element, which browsers read for local previews; they ignore
frame-ancestors there (and warn about it), so only the header carries it."""

CONTEXT_CHARS = 200
"""At most this many characters of context on each side of a quoted span."""
HOME_LIST = 5
PAGE_SIZE = 50
"""Claims listed on one page of an outlet's or a source's list; longer lists are paginated."""
"""Claims in each list on the home page."""


# ---------------------------------------------------------------------------
# URLs


def claim_url(claim_id: str) -> str:
    return f"/claims/{claim_id}/"


def outlet_url(outlet_id: str) -> str:
    return f"/outlets/{outlet_id}/"


def source_url(source_id: str) -> str:
    return f"/sources/{source_id}/"


def page_url(page_id: str) -> str:
    return f"/{page_id}/"


def article_url(article_id: str) -> str:
    return f"/articles/{article_id}/"


def out_path_of(url_path: str) -> str:
    """`claims/x/index.html` for `/claims/x/`; `404.html` for `/404.html`."""
    path = url_path.lstrip("/")
    return path + "index.html" if path == "" or path.endswith("/") else path


# ---------------------------------------------------------------------------
# Views: what the templates show, computed once


@dataclass(frozen=True, slots=True)
class Context:
    """A quoted span inside the sentence around it."""

    before: str
    """Text before the span, starting at its sentence (with `… ` when cut)."""
    marked: str
    after: str
    """Text after the span, to the end of its sentence (with ` …` when cut)."""


@dataclass(frozen=True, slots=True)
class Hop:
    """One step on the way from a primary source to an outlet."""

    label: str
    url: str | None
    """A page on this site, if there is one."""
    note: str


@dataclass(frozen=True, slots=True)
class AppearanceView:
    appearance: Appearance
    claim: Claim
    number: int
    """1-based position on the claim page."""
    anchor: str
    """The element id on the claim page."""
    context: Context
    link: str | None
    """The original article, opened at the span with a text fragment."""
    chains: tuple[tuple[Hop, ...], ...]
    """Paths from the source to this outlet, each ending with the outlet."""


@dataclass(frozen=True, slots=True)
class ArticleGroup:
    """The appearances of one claim in one article, shown together."""

    article: Article
    views: tuple[AppearanceView, ...]
    anchor: str
    number: int

    @property
    def kind(self) -> str:
        """The fidelity class to draw: the most telling of the group's appearances."""
        order = ["altered", "paraphrase", "excerpt", "verbatim", "not-comparable", "none"]
        kinds = [
            v.appearance.fidelity.fidelity.value if v.appearance.fidelity else "none"
            for v in self.views
        ]
        return min(kinds, key=order.index)


@dataclass(frozen=True, slots=True)
class Record:
    """How faithfully one outlet (or any set of appearances) repeated claims."""

    total: int
    verbatim: int
    excerpt: int
    altered: int
    paraphrase: int
    not_comparable: int
    uncompared: int
    """Appearances with no source passage to compare with."""
    flagged: int
    """Appearances with at least one meaning-changing edit."""


@dataclass(frozen=True, slots=True)
class Tick:
    x: float
    label: str
    label_x: float


@dataclass(frozen=True, slots=True)
class TimelineRow:
    label: str
    date_label: str
    y: float
    """Baseline of the label text."""
    bar_y: float
    x1: float | None
    x2: float | None
    """None when the date is unknown."""
    point: bool
    """True for a date known to the day (drawn as a dot), False for a month or year (a bar)."""
    kind: str
    """`source` or the appearance's fidelity value (`none` when not compared)."""
    anchor: str | None


@dataclass(frozen=True, slots=True)
class Timeline:
    width: int
    height: float
    axis_y: float
    left: float
    right: float
    ticks: tuple[Tick, ...]
    rows: tuple[TimelineRow, ...]


@dataclass(frozen=True, slots=True)
class Pager:
    """Where one page of a paginated list stands among its pages."""

    number: int
    count: int
    url: str
    """This page's url path."""
    first_url: str
    prev_url: str | None
    next_url: str | None
    start: int
    """Index of the page's first item in the whole list."""
    stop: int


def pagers(total: int, base_url: str, size: int = PAGE_SIZE) -> list[Pager]:
    """The pages of a list of `total` items: the first at `base_url`, page n at
    `base_url`page/n/; always at least one page."""
    count = max(1, -(-total // size))

    def url(number: int) -> str:
        return base_url if number == 1 else f"{base_url}page/{number}/"

    return [
        Pager(
            number=n,
            count=count,
            url=url(n),
            first_url=base_url,
            prev_url=url(n - 1) if n > 1 else None,
            next_url=url(n + 1) if n < count else None,
            start=(n - 1) * size,
            stop=n * size,
        )
        for n in range(1, count + 1)
    ]


@dataclass(frozen=True, slots=True)
class Meta:
    """What every page's head needs."""

    title: str
    description: str
    url_path: str
    canonical: str
    og_type: str = "website"
    noindex: bool = False


# ---------------------------------------------------------------------------
# Context around a span

_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*(?=\s)|\n")
_SPACE = re.compile(r"\s+")


def _squash(text: str) -> str:
    return _SPACE.sub(" ", text)


def sentence_context(text: str, start: int, end: int, limit: int = CONTEXT_CHARS) -> Context:
    """The sentence (or sentences) holding `text[start:end]`, cut to `limit` characters on
    each side at a word boundary."""
    window = max(0, start - 2 * limit)
    lo = window
    for found in _SENTENCE_END.finditer(text, window, start):
        lo = found.end()
    cut_before = lo == window and window > 0
    before = text[lo:start].lstrip()
    if len(before) > limit:
        before = before[-limit:].split(" ", 1)[-1]
        cut_before = True
    stop = min(len(text), end + 2 * limit)
    found_end = _SENTENCE_END.search(text, max(start, end - 1), stop)
    hi = max(end, found_end.end()) if found_end else stop
    cut_after = found_end is None and stop < len(text)
    after = text[end:hi].rstrip()
    if len(after) > limit:
        after = after[:limit].rsplit(" ", 1)[0]
        cut_after = True
    before = _squash(before)
    after = _squash(after)
    if cut_before:
        before = "… " + before.lstrip()
    if cut_after:
        after = after.rstrip() + " …"
    return Context(before=before, marked=_squash(text[start:end]), after=after)


# ---------------------------------------------------------------------------
# Propagation


def source_label(source: Source) -> str:
    return f"{source.title} ({source.symbol})" if source.symbol else source.title


def source_short(source: Source) -> str:
    """The document symbol when there is one, else the title."""
    return source.symbol or source.title


def _cite_paths(
    claim: Claim,
    article: Article,
    articles: Mapping[str, Article],
    seen: frozenset[str],
) -> list[tuple[Hop, ...]]:
    """Paths of intermediaries (nearest the source first) through which `article` got the
    claim, from its `cites`; an empty path means it cites the claim's source directly.
    Intermediaries known only by name are left to `propagation`."""
    paths: list[tuple[Hop, ...]] = []
    for cite in article.cites:
        kind, _, ident = cite.partition(":")
        if kind == "source" and ident:
            if claim.source is not None and ident == claim.source.id:
                paths.append(())
        elif kind == "article" and ident:
            other = articles.get(ident)
            if other is None or other.id in seen:
                continue
            hop = Hop(other.outlet.name, outlet_url(other.outlet.id), other.headline)
            below = _cite_paths(claim, other, articles, seen | {other.id})
            paths.extend((*path, hop) for path in (below or [()]))
    return paths


def cited_names(article: Article) -> list[str]:
    """Intermediaries the article cites that are not in content (`name:<name>` or a bare name)."""
    names = []
    for cite in article.cites:
        kind, sep, ident = cite.partition(":")
        if kind == "name" and sep:
            names.append(ident.strip())
        elif not sep or kind not in ("source", "article"):
            names.append(cite.strip())
    return [name for name in names if name]


def _mentioned(name: str, haystack: str) -> bool:
    text = haystack.casefold()
    return name.casefold().removeprefix("the ") in text


def _paragraph(text: str, start: int, end: int) -> str:
    lo = text.rfind("\n", 0, start) + 1
    hi = text.find("\n", end)
    return text[lo: hi if hi >= 0 else len(text)]


def named_near(appearance: Appearance) -> list[str]:
    """The article's cited names that its quote's paragraph or the appearance's note mention."""
    article = appearance.article
    around = _paragraph(article.text, appearance.span.start, appearance.span.end)
    around += "\n" + (appearance.note or "")
    return [name for name in cited_names(article) if _mentioned(name, around)]


def propagation(
    claim: Claim,
    appearance: Appearance,
    articles: Mapping[str, Article],
    named_elsewhere: Iterable[str] = (),
) -> tuple[tuple[Hop, ...], ...]:
    """The ways the claim reached this appearance's outlet, from the source to the outlet.

    Articles in content that the article cites always count. Intermediaries known only by
    name count when the appearance is attributed via an intermediary, and then only those
    named in the quote's paragraph or in the appearance's note (an article's cites may
    concern its other claims), else those named near the claim's other quotes from the same
    article (`named_elsewhere`); failing both, every cited name is offered as a possibility."""
    article = appearance.article
    outlet = Hop(article.outlet.name, outlet_url(article.outlet.id), "")
    paths = _cite_paths(claim, article, articles, frozenset({article.id}))
    if claim.source is None:
        origin = Hop("Source unknown", None, "")
        relayed = sorted({path for path in paths if path}, key=lambda p: [h.label for h in p])
        return tuple((origin, *path, outlet) for path in relayed or [()])
    origin = Hop(source_short(claim.source), source_url(claim.source.id), "primary source")
    if appearance.attribution is Attribution.VIA_INTERMEDIARY:
        names = cited_names(article)
        named = named_near(appearance) or sorted(set(named_elsewhere))
        relayed = [path for path in paths if path]
        if named:
            relayed += [(Hop(name, None, "not in our records"),) for name in named]
        elif names and not relayed:
            relayed = [(Hop(" or ".join(names), None, "one of the article's cited names"),)]
        paths = relayed or [(Hop("an intermediary not recorded here", None, ""),)]
    if not paths:
        if appearance.attribution is Attribution.CORRECT:
            paths = [()]
        else:
            unknown = {
                Attribution.MISSING: "the article does not say where it got this",
                Attribution.WRONG: "the article names another source",
            }.get(appearance.attribution, "")
            paths = [(Hop("unknown", None, unknown),)]
    unique = sorted(set(paths), key=lambda path: [hop.label for hop in path])
    return tuple((origin, *path, outlet) for path in unique)


# ---------------------------------------------------------------------------
# Records and the timeline


def group_by_article(views: Iterable[AppearanceView]) -> tuple[ArticleGroup, ...]:
    """Consecutive appearances in one article, kept in order."""
    runs: list[list[AppearanceView]] = []
    for view in views:
        if runs and runs[-1][0].appearance.article.id == view.appearance.article.id:
            runs[-1].append(view)
        else:
            runs.append([view])
    return tuple(
        ArticleGroup(run[0].appearance.article, tuple(run), f"article-{index}", index)
        for index, run in enumerate(runs, 1)
    )


def unique_chains(views: Iterable[AppearanceView]) -> tuple[tuple[Hop, ...], ...]:
    """Every path from the source to an outlet, once each, in order of first appearance."""
    seen: dict[tuple[Hop, ...], None] = {}
    for view in views:
        for chain in view.chains:
            seen.setdefault(chain, None)
    return tuple(seen)


def articles_of(claim: Claim) -> int:
    """How many different articles repeated a claim."""
    return len({appearance.article.id for appearance in claim.appearances})


def record_of(appearances: Iterable[Appearance]) -> Record:
    counts: dict[Fidelity | None, int] = dict.fromkeys([*Fidelity, None], 0)
    flagged = total = 0
    for appearance in appearances:
        total += 1
        result = appearance.fidelity
        counts[result.fidelity if result else None] += 1
        if result is not None and result.flags:
            flagged += 1
    return Record(
        total=total,
        verbatim=counts[Fidelity.VERBATIM],
        excerpt=counts[Fidelity.EXCERPT],
        altered=counts[Fidelity.ALTERED],
        paraphrase=counts[Fidelity.PARAPHRASE],
        not_comparable=counts[Fidelity.NOT_COMPARABLE],
        uncompared=counts[None],
        flagged=flagged,
    )


def _span_of(date: PartialDate) -> tuple[float, float]:
    start = date.year + ((date.month or 1) - 1) / 12 + ((date.day or 1) - 1) / 372
    if date.day:
        return start, start + 1 / 372
    if date.month:
        return start, start + 1 / 12
    return start, start + 1.0


TIMELINE_WIDTH = 360
_ROW = 40.0
_LABEL_CHARS = 44


def _short(text: str, limit: int = _LABEL_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def timeline(claim: Claim, groups: Iterable[ArticleGroup]) -> Timeline | None:
    """The source's date and each article's on one time axis; None with fewer than two dates."""
    entries: list[tuple[str, PartialDate | None, str, str | None]] = []
    if claim.source is not None and claim.source.date is not None:
        name = claim.source.symbol or "the document"
        entries.append((f"Source: {name}", claim.source.date, "source", None))
    for group in groups:
        count = len(group.views)
        label = group.article.outlet.name + (f", {count} passages" if count > 1 else "")
        entries.append((label, group.article.date, group.kind, group.anchor))
    dated = [_span_of(date) for _, date, _, _ in entries if date is not None]
    if len(dated) < 2:
        return None
    first = int(min(s for s, _ in dated))
    last = int(max(e for _, e in dated) - 1e-9) + 1
    left, right = 8.0, TIMELINE_WIDTH - 8.0

    def x(value: float) -> float:
        return round(left + (value - first) / (last - first) * (right - left), 1)

    rows = []
    for index, (label, date, kind, anchor) in enumerate(entries):
        y = 18 + index * _ROW
        if date is None:
            rows.append(TimelineRow(_short(label), "date unknown", y, y + 12, None, None,
                                    False, kind, anchor))
            continue
        start, end = _span_of(date)
        x1, x2 = x(start), x(end)
        rows.append(TimelineRow(_short(label), date.label(), y, y + 12, x1, max(x2, x1 + 6),
                                date.day is not None, kind, anchor))
    axis_y = 18 + len(entries) * _ROW - 8
    years = last - first
    step = 1 if years <= 6 else 2 if years <= 12 else 5
    ticks = tuple(
        Tick(x(year), str(year), x(year + 0.5))
        for year in range(first, last)
        if (year - first) % step == 0
    )
    return Timeline(
        width=TIMELINE_WIDTH,
        height=axis_y + 24,
        axis_y=axis_y,
        left=left,
        right=right,
        ticks=ticks,
        rows=tuple(rows),
    )


# ---------------------------------------------------------------------------
# Theme assets


def _hashed_name(rel: PurePosixPath, digest: str) -> str:
    name = rel.name
    stem, dot, ext = name.rpartition(".")
    hashed = f"{stem}.{digest}.{ext}" if dot and stem else f"{name}.{digest}"
    return str(rel.with_name(hashed))


def theme_assets(theme_dir: Path) -> dict[str, tuple[str, bytes]]:
    """Each file under the theme's static/ -> (out path `assets/<name>.<hash8>.<ext>`, bytes)."""
    static = theme_dir / "static"
    table: dict[str, tuple[str, bytes]] = {}
    if not static.is_dir():
        return table
    for path in sorted(p for p in static.rglob("*") if p.is_file()):
        rel = PurePosixPath(path.relative_to(static).as_posix())
        data = path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()[:8]
        table[str(rel)] = ("assets/" + _hashed_name(rel, digest), data)
    return table


# ---------------------------------------------------------------------------
# The environment


def _locate(error: BaseException, templates: Path) -> tuple[str, int] | None:
    """The innermost theme template frame of an error's traceback, as (file, line)."""
    found = None
    root = str(templates)
    for frame, line in traceback.walk_tb(error.__traceback__):
        name = frame.f_code.co_filename
        if name.startswith(root):
            found = (name, line)
    return found


def make_environment(theme_dir: Path) -> Environment:
    return Environment(
        loader=FileSystemLoader(theme_dir / "templates"),
        autoescape=select_autoescape(["html", "htm", "xml"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def _iso_time(date: PartialDate) -> Markup:
    return Markup('<time datetime="{}">{}</time>').format(date.iso(), date.label())


class Renderer:
    """Renders one site with one theme; `render_site` is its only caller."""

    def __init__(self, site: Site, theme_dir: Path, assets: Mapping[str, str]) -> None:
        self.site = site
        self.theme_dir = theme_dir
        self.templates = theme_dir / "templates"
        self.static = theme_assets(theme_dir)
        self.assets = assets  # read only by the search page, which is rendered last
        self.env = make_environment(theme_dir)
        self.env.globals.update(
            site=site,
            asset=self.asset,
            assets=self.assets,
            statuses=list(Status),
            fidelities=list(Fidelity),
            claim_url=claim_url,
            outlet_url=outlet_url,
            source_url=source_url,
            article_url=article_url,
            page_url=page_url,
            source_label=source_label,
            source_short=source_short,
            articles_of=articles_of,
            csp=CSP_META,
            page_size=PAGE_SIZE,
            nav_pages=sorted(site.pages, key=lambda p: p.id),
            publish_article_text=site.publish_article_text,
            outlet_names={outlet.id: outlet.name for outlet in site.outlets},
        )
        self.env.filters.update(
            markdown=render_markdown,
            plain=plain_text,
            time=_iso_time,
        )
        self.files: dict[str, bytes] = {}
        self.sitemap: list[feeds.SitemapEntry] = []
        self.articles = {article.id: article for article in site.articles}
        self.claims = sorted(site.claims, key=lambda c: c.id)
        self.views = {claim.id: self._views(claim) for claim in self.claims}

    # -- helpers for templates

    def asset(self, name: str) -> str:
        """The hashed URL of a theme static file."""
        try:
            return "/" + self.static[name][0]
        except KeyError:
            raise TemplateRuntimeError(
                f"asset({name!r}): the theme has no static file {name!r}"
                f" (looked in {self.theme_dir / 'static'})"
            ) from None

    def meta(self, title: str, description: str, url_path: str, **extra: Any) -> Meta:
        return Meta(
            title=title,
            description=_squash(description).strip(),
            url_path=url_path,
            canonical=feeds.absolute(self.site, url_path),
            **extra,
        )

    # -- computing views

    def _views(self, claim: Claim) -> tuple[AppearanceView, ...]:
        named: dict[str, set[str]] = {}
        for appearance in claim.appearances:
            named.setdefault(appearance.article.id, set()).update(named_near(appearance))
        views = []
        for index, appearance in enumerate(claim.appearances):
            article = appearance.article
            span = appearance.span
            link = fragment_url(article.url, article.text, span.start, span.end) \
                if article.url else None
            views.append(AppearanceView(
                appearance=appearance,
                claim=claim,
                number=index + 1,
                anchor=f"appearance-{index + 1}",
                context=sentence_context(article.text, span.start, span.end),
                link=link,
                chains=propagation(claim, appearance, self.articles,
                                   named[article.id]),
            ))
        return tuple(views)

    def appearances_of_outlet(self, outlet: Outlet) -> list[AppearanceView]:
        found = [
            view
            for claim in self.claims
            for view in self.views[claim.id]
            if view.appearance.article.outlet.id == outlet.id
        ]
        found.sort(key=lambda v: (
            (0, *v.appearance.article.date.sort_key()) if v.appearance.article.date
            else (1, 0, 0, 0),
            v.claim.id,
            v.number,
        ))
        return found

    # -- output

    def add(self, out_path: str, data: bytes) -> None:
        if out_path in self.files:
            raise ValueError(f"two outputs at {out_path}: a page id collides with a built page")
        self.files[out_path] = data

    def page(self, template: str, meta: Meta, lastmod: PartialDate | None = None,
             in_sitemap: bool = True, **context: Any) -> None:
        try:
            html = self.env.get_template(template).render(meta=meta, **context)
        except TemplateError as error:
            where = _locate(error, self.templates)
            if where is not None:
                name, line = where
                if getattr(error, "filename", None) is None:
                    error.filename = name  # type: ignore[attr-defined]
                if getattr(error, "lineno", None) is None:
                    error.lineno = line  # type: ignore[attr-defined]
                error.add_note(f"{name}:{line}: while rendering {meta.url_path}")
            raise
        self.add(out_path_of(meta.url_path), html.encode("utf-8"))
        if in_sitemap:
            self.sitemap.append(feeds.SitemapEntry(meta.url_path, lastmod))

    def render(self) -> dict[str, bytes]:
        site = self.site
        for out_path, data in self.static.values():
            self.add(out_path, data)
        self.render_home()
        self.render_claims()
        self.render_outlets()
        self.render_sources()
        for page in sorted(site.pages, key=lambda p: p.id):
            self.render_page(page)
        if site.publish_article_text:
            self.render_articles()
        self.page(
            "search.html",
            self.meta("Search", f"Search the claims checked by {site.title}.", "/search/"),
            in_sitemap=False,
        )
        self.page(
            "404.html",
            self.meta("Page not found", "There is no page at this address.", "/404.html",
                      noindex=True),
            in_sitemap=False,
        )
        self.add("feed.xml", feeds.render_feed(site, self.claims))
        self.add("sitemap.xml", feeds.render_sitemap(site, self.sitemap))
        self.add("robots.txt", feeds.render_robots(site))
        fragments = {
            (claim.id, view.number - 1): view.link
            for claim in self.claims
            for view in self.views[claim.id]
        }
        self.add("api/claims.json", feeds.render_api(site, fragments))
        return dict(sorted(self.files.items()))

    def render_home(self) -> None:
        site = self.site
        newest = sorted(self.claims, key=lambda c: c.id)
        newest.sort(key=lambda c: feeds.claim_updated(c).sort_key(), reverse=True)
        repeated = sorted(self.claims, key=lambda c: c.id)
        repeated.sort(key=lambda c: (articles_of(c), len(c.appearances)), reverse=True)
        counts = {status: 0 for status in Status}
        for claim in self.claims:
            counts[claim.status] += 1
        self.page(
            "home.html",
            self.meta(site.title, site.description, "/"),
            lastmod=site.build_date,
            newest=newest[:HOME_LIST],
            repeated=[c for c in repeated if c.appearances][:HOME_LIST],
            counts=counts,
            total=len(self.claims),
        )

    def render_claims(self) -> None:
        by_status = [
            (status, [c for c in self.claims if c.status is status]) for status in Status
        ]
        self.page(
            "claims.html",
            self.meta("All claims", "Every claim checked, grouped by what the primary "
                      "source shows.", "/claims/"),
            lastmod=self.site.build_date,
            groups=[(status, claims) for status, claims in by_status if claims],
            counts={status: len(claims) for status, claims in by_status},
        )
        for claim in self.claims:
            url = claim_url(claim.id)
            views = self.views[claim.id]
            meta = self.meta(
                claim.claim,
                f"{claim.status.label}: {claim.status.description} {plain_text(claim.verdict)}"[
                    :300
                ],
                url,
                og_type="article",
            )
            review = jsonld.claim_review(self.site, claim, meta.canonical)
            groups = group_by_article(views)
            self.page(
                "claim.html",
                meta,
                lastmod=feeds.claim_updated(claim),
                claim=claim,
                views=views,
                groups=groups,
                chains=unique_chains(views),
                jsonld=jsonld.script_json(review),
                timeline=timeline(claim, groups),
                any_altered=any(
                    v.appearance.fidelity is not None and v.appearance.fidelity.diff
                    and v.appearance.fidelity.fidelity is Fidelity.ALTERED
                    for v in views
                ),
            )

    def render_outlets(self) -> None:
        outlets = sorted(self.site.outlets, key=lambda o: (o.name.casefold(), o.id))
        rows = []
        for outlet in outlets:
            views = self.appearances_of_outlet(outlet)
            record = record_of(v.appearance for v in views)
            rows.append((outlet, record))
            by_claim: dict[str, list[AppearanceView]] = {}
            for view in views:
                by_claim.setdefault(view.claim.id, []).append(view)
            said = [(group[0].claim, group) for group in by_claim.values()]
            for pager in pagers(len(said), outlet_url(outlet.id)):
                self.page(
                    "outlet.html",
                    self.meta(
                        outlet.name + _page_suffix(pager),
                        f"What {outlet.name} repeated and how faithfully it quoted the sources.",
                        pager.url,
                    ),
                    outlet=outlet,
                    by_claim=said[pager.start : pager.stop],
                    pager=pager,
                    record=record,
                )
        self.page(
            "outlets.html",
            self.meta("Outlets", "Every outlet that repeated a checked claim, and how "
                      "faithfully it quoted the sources.", "/outlets/"),
            rows=rows,
        )

    def render_sources(self) -> None:
        sources = sorted(self.site.sources, key=lambda s: (s.title.casefold(), s.id))
        rows = []
        for source in sources:
            claims = [c for c in self.claims if c.source is not None and c.source.id == source.id]
            citing = sorted(
                (a for a in self.site.articles if f"source:{source.id}" in a.cites),
                key=lambda a: (a.outlet.name.casefold(), a.id),
            )
            rows.append((source, claims))
            # passages, claims and citing articles are split over the same pages
            longest = max(len(source.passages), len(claims), len(citing))
            for pager in pagers(longest, source_url(source.id)):
                chunk = claims[pager.start : pager.stop]
                self.page(
                    "source.html",
                    self.meta(
                        source_label(source) + _page_suffix(pager),
                        f"What {source.publisher}'s document says, and who cited it.",
                        pager.url,
                    ),
                    source=source,
                    passages=source.passages[pager.start : pager.stop],
                    claims=chunk,
                    total_claims=len(claims),
                    pager=pager,
                    views={c.id: self.views[c.id] for c in chunk},
                    citing=citing[pager.start : pager.stop],
                    total_citing=len(citing),
                )
        self.page(
            "sources.html",
            self.meta("Primary sources", "The documents that the checked claims go back to.",
                      "/sources/"),
            rows=rows,
        )

    def render_page(self, page: Page) -> None:
        self.page(
            "page.html",
            self.meta(page.title, plain_text(page.body)[:200], page_url(page.id)),
            page=page,
            body=render_markdown(page.body, drop_title=page.title, min_level=2),
        )

    def render_articles(self) -> None:
        for article in sorted(self.site.articles, key=lambda a: a.id):
            marks = sorted(
                (view.appearance.span.start, view.appearance.span.end, view)
                for claim in self.claims
                for view in self.views[claim.id]
                if view.appearance.article.id == article.id
            )
            self.page(
                "article.html",
                self.meta(article.headline, f"The text of {article.outlet.name}'s article, "
                          "as captured, with the quoted passages marked.",
                          article_url(article.id)),
                article=article,
                paragraphs=article_paragraphs(article.text, [(s, e) for s, e, _ in marks]),
            )


def _page_suffix(pager: Pager) -> str:
    return f" (page {pager.number} of {pager.count})" if pager.count > 1 else ""


def _merged(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


_BLOCK = re.compile(r"\S(?:.*?\S)?(?=\s*\n[ \t\u00a0]*\n|\s*$)", re.DOTALL)


def article_paragraphs(text: str, spans: list[tuple[int, int]]) -> list[list[tuple[str, bool]]]:
    """The text split into paragraphs at blank lines, each a list of (text, marked) pieces."""
    marks = _merged(spans)
    paragraphs: list[list[tuple[str, bool]]] = []
    for block in _BLOCK.finditer(text):
        lo, hi = block.span()
        pieces: list[tuple[str, bool]] = []
        at = lo
        for start, end in marks:
            start, end = max(start, lo), min(end, hi)
            if start >= end:
                continue
            if at < start:
                pieces.append((text[at:start], False))
            pieces.append((text[start:end], True))
            at = end
        if at < hi:
            pieces.append((text[at:hi], False))
        paragraphs.append(pieces)
    return paragraphs


def render_site(site: Site, theme_dir: Path, assets: Mapping[str, str]) -> dict[str, bytes]:
    """Every output file: pages, feeds, the claims export and the theme's hashed static files,
    keyed by POSIX out path relative to the site root."""
    return Renderer(site, Path(theme_dir), assets).render()
