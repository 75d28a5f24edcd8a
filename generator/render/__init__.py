"""SiteViews and a Theme -> every page and file the theme renders, as jobs, and their bytes.

`Renderer.jobs()` names every output (pages, feeds, sitemap, the claims export, the theme's
static files, _headers) as a job that says what it is made of; `Renderer.run(job)` makes its
bytes. The build runs jobs in worker processes and skips those whose inputs did not change."""

from __future__ import annotations

import collections
import functools
import itertools
import operator
import re
import traceback
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from jinja2 import (
    BaseLoader,
    BytecodeCache,
    Environment,
    StrictUndefined,
    TemplateError,
    TemplateNotFound,
    TemplateRuntimeError,
    TemplateSyntaxError,
    select_autoescape,
)
from markupsafe import Markup

from generator import urls
from generator.errors import ContentError, Location, Problem
from generator.markdown import plain_text, render_markdown
from generator.memo import other_at
from generator.model import GLOSSARY_RE, Claim, Page, PartialDate, Status
from generator.render import feeds, headers, images, jsonld
from generator.render.annotations import annotated, page_url, paged, render_collection, render_page
from generator.text import shorten, squash
from generator.theme import Shipped, Theme
from generator.urls import out_path_of
from generator.views import ClaimView, OutletView, SiteViews

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
"""The Content-Security-Policy the site satisfies (the deploy sends it as a header)."""
CSP_META = CSP.replace("; frame-ancestors 'none'", "")
"""The same policy for a <meta> element, which browsers read for local previews; they ignore
frame-ancestors there (and warn about it), so only the header carries it."""

PAGE_SIZE = 50
"""Claims listed on one page of an outlet's or a source's list; longer lists are paginated."""
CLAIMS_PAGE_SIZE = 200
"""Claims on one page of the list of every claim (/claims/, then /claims/page/2/...), by
status, and of a tag's list: about 80 KB of HTML a page (one page of every claim was 3.9 MB
at 10,000 claims)."""
FEED_ENTRIES = 50
"""The claims in the Atom feed (/feed.xml): the most recently reviewed or updated. A reader's
feed software polls the file for what is new; every claim would make it grow with the
archive (9 MB at 10,000 claims). The claims list links every claim."""
DESCRIPTION_CHARS = 300
"""The longest meta description; longer ones are cut at a word, with an ellipsis."""

SEARCH_MANIFEST = "/search/index.json"
"""Where the search page finds the index: the index stage writes it (see search.py)."""

Output = Iterator[tuple[str, bytes]]


@dataclass(frozen=True, slots=True)
class PageJob:
    """A page: a template rendered with a context (and the environment's globals)."""

    out_path: str
    template: str
    context: tuple[tuple[str, Any], ...]
    """The template's variables (`meta` first), in the order given."""

    @property
    def url_path(self) -> str:
        return dict(self.context)["meta"].url_path  # type: ignore[no-any-return]


@dataclass(frozen=True, slots=True)
class DataJob:
    """A file made by a function of the site's values: `make(*args)` returns its bytes."""

    out_path: str
    make: Callable[..., bytes]
    args: tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class FileJob:
    """A file whose bytes are known as the job is made."""

    out_path: str
    data: bytes


Job = PageJob | DataJob | FileJob


class Sections:
    """The jobs a preview server's last run made of each claim and outlet, by that object:
    a run whose claim view (or outlet view) is the very same object, and whose site-wide
    inputs are equal, takes those jobs again without making them, so that a change costs
    what it changed and a look-up for each of the rest."""

    def __init__(self) -> None:
        self.inputs: tuple[Any, ...] | None = None
        self.before: dict[tuple[str, int], _Section] = {}
        self.now: dict[tuple[str, int], _Section] = {}
        self.lists_before: dict[str, _Made] = {}
        """What the last run made of each list of objects (see `Renderer._each`), by kind."""
        self.lists_now: dict[str, _Made] = {}
        self.files: dict[str, tuple[Any, FileJob]] = {}
        """out path -> (what its bytes were made of, besides the site-wide inputs; its job)."""
        self.tops: tuple[frozenset[str], collections.Counter[str]] | None = None
        """The paths the last run wrote, and how many of them are under each top-level
        name (see `Renderer._top_names`)."""

    def begin(self, inputs: tuple[Any, ...]) -> None:
        """Begin a run whose site-wide inputs are `inputs`: what the last run made holds
        only when they are equal. A run that made nothing forgets nothing."""
        if self.now or self.lists_now:
            self.before, self.now = self.now, {}
            self.lists_before, self.lists_now = self.lists_now, {}
        if inputs != self.inputs:
            self.before = {}
            self.lists_before = {}
            self.files = {}
            self.inputs = inputs


_Section = tuple[Any, Any, tuple[feeds.SitemapEntry, ...]]
"""(the object the jobs were made of, the jobs, their sitemap entries); or (the object, a
value made of it, ())."""


@dataclass(frozen=True, slots=True)
class _Made:
    """What one run made of each object of a list: the objects, and what was made of each."""

    items: tuple[Any, ...]
    values: list[Any]


_JOBS = operator.itemgetter(0)
_SITEMAP = operator.itemgetter(1)
_PATHS = operator.itemgetter(2)
_OUT_PATH = operator.attrgetter("out_path")


@dataclass(frozen=True, slots=True)
class Later:
    """A value of a page's context worked out only when the page is rendered: `make(*args)`
    (a module-level function of values). A job that is not rendered costs nothing of it."""

    make: Callable[..., Any]
    args: tuple[Any, ...]

    def value(self) -> Any:
        return self.make(*self.args)


def _identical(a: Any, b: Any) -> bool:
    """The same object, equal strings, numbers or pagers, or tuples of (or Later values made
    of) such."""
    if a is b:
        return True
    kind = type(a)
    if kind is not type(b):
        return False
    if kind in _EQUAL:
        return bool(a == b)
    if kind is tuple:
        return len(a) == len(b) and (all(map(operator.is_, a, b)) or all(
            _identical(x, y) for x, y in zip(a, b, strict=True)))
    if kind is Later:
        return bool(a.make is b.make and _identical(a.args, b.args))
    return False


_EQUAL: frozenset[type] = frozenset({str, int, bool, type(None), Markup})


def url(kind: str, *ids: str) -> str:
    """`urls.url` for templates: an unknown kind is a template error."""
    try:
        return urls.url(kind, *ids)
    except KeyError:
        raise TemplateRuntimeError(f"url({kind!r}): no such kind of page; known: "
                                   + ", ".join(sorted(urls.URLS))) from None


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


_EQUAL = _EQUAL | {Pager}


ClaimsSection = tuple[Status, tuple[ClaimView, ...], int, bool]
"""On a page of the list of every claim: a status, its claims on that page, how many claims
it has in all, and whether its list began on an earlier page."""


def claims_pages(by_status: Sequence[tuple[Status, tuple[ClaimView, ...]]]
                 ) -> list[tuple[Pager, tuple[ClaimsSection, ...]]]:
    """The pages of the list of every claim (SiteViews.by_status, in order, CLAIMS_PAGE_SIZE
    claims a page), each with the sections of its statuses."""
    total = sum(len(claims) for _status, claims in by_status)
    pages = []
    for pager in pagers(total, url("claims"), CLAIMS_PAGE_SIZE):
        sections = []
        first = 0
        for status, claims in by_status:
            start, stop = max(pager.start, first), min(pager.stop, first + len(claims))
            if start < stop:
                sections.append((status, claims[start - first : stop - first], len(claims),
                                 start > first))
            first += len(claims)
        pages.append((pager, tuple(sections)))
    return pages


def status_starts(pages: Sequence[tuple[Pager, tuple[ClaimsSection, ...]]]
                  ) -> dict[str, str]:
    """Each status with claims (its value) -> the url path of the page of `claims_pages`
    where its list begins."""
    return {status.value: pager.url for pager, sections in pages
            for status, _claims, _count, continued in sections if not continued}


def pagers(total: int, base_url: str, size: int = PAGE_SIZE) -> list[Pager]:
    """The pages of a list of `total` items: the first at `base_url`, page n at
    `base_url`page/n/; always at least one page."""
    count = max(1, -(-total // size))

    def page_url(number: int) -> str:
        return base_url if number == 1 else f"{base_url}page/{number}/"

    return [
        Pager(
            number=n,
            count=count,
            url=page_url(n),
            first_url=base_url,
            prev_url=page_url(n - 1) if n > 1 else None,
            next_url=page_url(n + 1) if n < count else None,
            start=(n - 1) * size,
            stop=n * size,
        )
        for n in range(1, count + 1)
    ]


@dataclass(frozen=True, slots=True)
class Meta:
    """What every page's head needs besides its title and description (which the
    templates write)."""

    url_path: str
    canonical: str
    og_type: str = "website"
    noindex: bool = False


@functools.lru_cache(maxsize=1 << 17)
def _meta(base_url: str, url_path: str, extra: tuple[tuple[str, Any], ...]) -> Meta:
    """One Meta object for each page (a preview server's builds share them)."""
    return Meta(url_path=url_path, canonical=base_url.rstrip("/") + "/" + url_path.lstrip("/"),
                **dict(extra))


# The environment


class _ThemeLoader(BaseLoader):
    """Templates from the loaded theme, named by their file for error messages."""

    def __init__(self, theme: Theme) -> None:
        self.theme = theme

    def get_source(self, environment: Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        try:
            source = self.theme.templates[template]
        except KeyError:
            raise TemplateNotFound(template) from None
        return source, str(self.theme.root / "templates" / template), lambda: True

    def list_templates(self) -> list[str]:
        return sorted(self.theme.templates)


class CompiledTemplates(BytecodeCache):
    """Templates compiled once for every environment of a process (a preview server makes
    one per build): Jinja keys them by name and checks them against their source."""

    def __init__(self) -> None:
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Any) -> None:
        data = self.compiled.get(bucket.key)
        if data is not None:
            bucket.bytecode_from_string(data)

    def dump_bytecode(self, bucket: Any) -> None:
        self.compiled[bucket.key] = bucket.bytecode_to_string()


def make_environment(theme: Theme, compiled: CompiledTemplates | None = None) -> Environment:
    env = Environment(
        loader=_ThemeLoader(theme),
        bytecode_cache=compiled,
        autoescape=select_autoescape(["html", "htm", "xml"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    months = tuple(theme.labels.get("months", ()))

    def date_label(date: PartialDate) -> str:
        """`2021`, `August 2021` or `17 August 2021`, in the theme's month names."""
        if not date.month:
            return str(date.year)
        month = months[date.month - 1] if len(months) == 12 else f"{date.month:02d}"
        return f"{month} {date.year}" if not date.day else f"{date.day} {month} {date.year}"

    times: dict[PartialDate, Markup] = {}

    def time(date: PartialDate) -> Markup:
        found = times.get(date)
        if found is None:
            found = times[date] = Markup('<time datetime="{}">{}</time>').format(
                date.iso(), date_label(date))
        return found

    def cut(text: str, limit: int) -> str:
        """`text` (a template block's or a macro's output unescaped) cut at a word to `limit`
        characters; escaped again where it is written."""
        if isinstance(text, Markup):
            text = text.unescape()
        return shorten(text, limit)

    def description(text: str) -> str:
        """A meta description: white space squashed, cut at a word."""
        if isinstance(text, Markup):
            text = text.unescape()
        return shorten(squash(text).strip(), DESCRIPTION_CHARS)

    env.filters.update(
        atom=feeds.atom_datetime,
        description=description,
        markdown=render_markdown,
        plain=plain_text,
        unmarked=lambda text: GLOSSARY_RE.sub("", text),
        time=time,
        date_label=date_label,
        shorten=cut,
        squash=squash,
    )
    env.globals.update(url=url, labels=theme.labels, csp=CSP_META, page_size=PAGE_SIZE)
    return env


def template_problem(error: TemplateError, theme: Theme, url_path: str | None = None) -> Problem:
    """The theme file and line of a template error: the error's own for a syntax error, else
    the innermost frame of the theme's templates in its traceback."""
    templates = str(theme.root / "templates")
    name: str | None = None
    line = 1
    if isinstance(error, TemplateSyntaxError):
        name, line = error.filename or error.name, error.lineno or 1
    else:
        for frame, frame_line in traceback.walk_tb(error.__traceback__):
            filename = frame.f_code.co_filename
            if filename.startswith(templates):
                name, line = filename, frame_line
    shown = "template"
    if name:
        relative = name[len(templates) + 1:] if name.startswith(templates) else name
        shown = theme.template_path(relative)
    while_rendering = f" (while rendering {url_path})" if url_path else ""
    return Problem(
        Location(shown, line, 1),
        f"template error: {error.message or type(error).__name__}{while_rendering}",
        "Fix the template; nothing was written and the previous site is unchanged.",
    )


# Rendering


class Renderer:
    """Renders one site's views with one theme: `jobs()` names every output, `run(job)` makes
    one. Each `render_*` method yields the jobs of one kind of page; a new kind of page is
    written the same way, with `page(...)`, `data(...)` or `file(...)`."""

    def __init__(self, views: SiteViews, theme: Theme, shipped: Shipped,
                 compiled: CompiledTemplates | None = None,
                 previous: Mapping[str, Job] | None = None,
                 sections: Sections | None = None) -> None:
        """`previous` is the last build's jobs by out path (a preview server's): a job made of
        the same objects is that job again, so that telling it unchanged costs nothing.
        `sections` is what its last run made of each claim and outlet (see Sections)."""
        self.previous = previous or {}
        site = views.site
        self.views = views
        self.site = site
        self.theme = theme
        self.shipped = shipped
        self.env = make_environment(theme, compiled)
        self.icons = {
            name: (f"assets/{stem}.{urls.content_hash(data)}.png", data)
            for name, stem, data in (("favicon", "favicon", images.icon(32)),
                                     ("apple", "apple-touch-icon", images.icon(180)))
        }
        self.env.globals.update(
            site=site,
            views=views,
            asset=self.asset,
            absolute=lambda url_path: feeds.absolute(site, url_path),
            icons={name: "/" + out_path for name, (out_path, _data) in self.icons.items()},
            lunr_url="/" + shipped.lunr_path,
            search_manifest=SEARCH_MANIFEST,
            nav_pages=site.pages,
            publish_article_text=site.publish_article_text,
            outlet_names={outlet.id: outlet.name for outlet in site.outlets},
            source_titles={s.id: s.symbol or s.title for s in site.sources},
            glossaries=glossaries(site.pages),
        )
        self.claims_pages = claims_pages(views.by_status)
        self.env.globals["status_pages"] = status_starts(self.claims_pages)
        self.sitemap: list[feeds.SitemapEntry] = []
        self.written: set[str] = set()
        self.whole: set[str] = set()
        """The outputs made of every claim (the home page, the claims index): each takes as
        long as many pages, so a pool makes them first, while the rest keeps the others busy."""
        self.sections = sections
        if sections is not None:
            sections.begin((site.title, site.base_url, site.language, site.publisher,
                            site.build_date, theme.labels))

    def _made_file(self, out_path: str, of: Any, make: Callable[[], bytes]) -> FileJob:
        """A file of the bytes `make()` gives, which are made of `of` (compared by value)
        and of the site-wide inputs alone; in a preview server, the last run's file when
        `of` is equal."""
        memo = self.sections
        found = memo.files.get(out_path) if memo is not None else None
        if found is not None and found[0] == of:
            self._claim_path(out_path)
            return found[1]
        job = self.file(out_path, make())
        if memo is not None:
            memo.files[out_path] = (of, job)
        return job

    def _section(self, kind: str, of: Any, make: Callable[[], Iterable[Job]]) -> Iterator[Job]:
        """The jobs `make()` yields, which are made of `of` and of the site-wide inputs
        alone; in a preview server, the last run's jobs when `of` is the same object."""
        memo = self.sections
        if memo is None:
            yield from make()
            return
        slot = (kind, id(of))
        found = memo.before.get(slot)
        if found is not None and found[0] is of:
            for job in found[1]:
                self._claim_path(job.out_path)
            self.sitemap.extend(found[2])
        else:
            mark = len(self.sitemap)
            found = (of, tuple(make()), tuple(self.sitemap[mark:]))
        memo.now[slot] = found
        yield from found[1]

    def _each(self, kind: str, items: Sequence[Any], make: Callable[[Any], Any]
              ) -> tuple[list[Any], list[int]]:
        """`make(item)` of each item, and the positions where it was made: in a preview
        server, the last run's value of each item that is the same object (found by its
        place in the list when the list is as long as the last run's, so that a change of one
        claim costs that claim and a scan of the list, not a look-up of each)."""
        memo = self.sections
        items = tuple(items)
        if memo is None:
            return [make(item) for item in items], list(range(len(items)))
        last = memo.lists_before.get(kind)
        if last is not None and len(last.items) == len(items):
            values = list(last.values)
            positions = other_at(items, last.items)
        else:
            found: dict[int, int] = (dict(zip(map(id, last.items), range(len(last.items))))
                                     if last is not None else {})
            values = [None] * len(items)
            positions = []
            for i, item in enumerate(items):
                at = found.get(id(item))
                if at is not None and last is not None and last.items[at] is item:
                    values[i] = last.values[at]
                else:
                    positions.append(i)
        for i in positions:
            values[i] = make(items[i])
        memo.lists_now[kind] = _Made(items, values)
        return values, positions

    def _sections(self, kind: str, items: Sequence[Any],
                  make: Callable[[Any], Iterable[Job]]) -> Iterator[Job]:
        """The jobs `make(item)` yields for each item, each made of its item and of the
        site-wide inputs alone (`_section` of each item, taken or made as `_each` does)."""
        if self.sections is None:
            for item in items:
                yield from make(item)
            return

        def made(item: Any) -> tuple[tuple[Job, ...], tuple[feeds.SitemapEntry, ...],
                                     tuple[str, ...]]:
            mark = len(self.sitemap)
            jobs = tuple(make(item))  # their paths are claimed as they are made
            entries = tuple(self.sitemap[mark:])
            del self.sitemap[mark:]
            return jobs, entries, tuple(map(_OUT_PATH, jobs))

        values, positions = self._each(kind, items, made)
        taken = [True] * len(values)
        for i in positions:
            taken[i] = False
        paths = list(itertools.chain.from_iterable(map(_PATHS, itertools.compress(values,
                                                                                  taken))))
        if not self.written.isdisjoint(paths):
            for out_path in paths:
                self._claim_path(out_path)  # names the first that collides
        self.written.update(paths)
        self.sitemap.extend(itertools.chain.from_iterable(map(_SITEMAP, values)))
        yield from itertools.chain.from_iterable(map(_JOBS, values))

    def _kept(self, kind: str, of: Any, make: Callable[[Any], Any]) -> Any:
        """`make(of)`, a value made of `of` alone; in a preview server, the last run's value
        when `of` is the same object (so that what holds it is told unchanged by identity)."""
        memo = self.sections
        if memo is None:
            return make(of)
        slot = (kind, id(of))
        found = memo.before.get(slot)
        if found is None or found[0] is not of:
            found = (of, make(of), ())
        memo.now[slot] = found
        return found[1]

    def asset(self, name: str) -> str:
        """The hashed URL of a theme static file."""
        try:
            return "/" + self.theme.static[name].out_path
        except KeyError:
            raise TemplateRuntimeError(
                f"asset({name!r}): the theme has no static file {name!r}"
                f" (looked in {self.theme.root / 'static'})"
            ) from None

    def meta(self, url_path: str, **extra: Any) -> Meta:
        return _meta(self.site.base_url, url_path, tuple(sorted(extra.items())))

    def _claim_path(self, out_path: str) -> None:
        if out_path in self.written:
            raise ContentError([Problem(
                Location("content/pages", 1, 1),
                f"two outputs at {out_path}: a page id collides with a built page",
                "Rename the page.",
            )])
        self.written.add(out_path)

    def _whole(self, job: Job) -> Job:
        self.whole.add(job.out_path)
        return job

    def file(self, out_path: str, data: bytes) -> FileJob:
        """A file of known bytes."""
        self._claim_path(out_path)
        return FileJob(out_path, data)

    def data(self, out_path: str, make: Callable[..., bytes], *args: Any) -> DataJob:
        """A file that `make(*args)` writes: a module-level function of values (the build
        reuses the previous file when the values are the same)."""
        self._claim_path(out_path)
        before = self.previous.get(out_path)
        if (isinstance(before, DataJob) and before.make is make
                and _identical(before.args, args)):
            return before
        return DataJob(out_path, make, args)

    def page(self, template: str, meta: Meta, lastmod: PartialDate | None = None,
             in_sitemap: bool = True, **context: Any) -> PageJob:
        """A page of `template` at `meta.url_path`, listed in the sitemap unless told not."""
        out_path = out_path_of(meta.url_path)
        self._claim_path(out_path)
        if in_sitemap:
            self.sitemap.append(feeds.SitemapEntry(meta.url_path, lastmod))
        items = (("meta", meta), *context.items())
        before = self.previous.get(out_path)
        if (isinstance(before, PageJob) and before.template == template
                and len(before.context) == len(items)
                and all(a[0] == b[0] and _identical(a[1], b[1])
                        for a, b in zip(before.context, items, strict=True))):
            return before
        return PageJob(out_path, template, items)

    def run(self, job: Job) -> bytes:
        """The bytes of one job; ContentError naming the template line of a template error."""
        if isinstance(job, FileJob):
            return job.data
        if isinstance(job, DataJob):
            return job.make(*job.args)
        context = {name: value.value() if isinstance(value, Later) else value
                   for name, value in job.context}
        try:
            html = self.env.get_template(job.template).render(context)
        except TemplateError as error:
            raise ContentError([template_problem(error, self.theme, job.url_path)]) from None
        return html.encode("utf-8")

    def jobs(self) -> Iterator[Job]:
        """Every output of the site, in order; the sitemap and _headers come last, when every
        other output is known."""
        site = self.site
        for static in self.theme.static.values():
            yield self.file(static.out_path, static.data)
        yield self.file(self.shipped.lunr_path, self.shipped.lunr_js)
        for out_path, data in self.icons.values():
            yield self.file(out_path, data)
        yield self._whole(self.page("home.html", self.meta("/"), lastmod=site.build_date))
        yield from self.render_claims()
        yield from self.render_outlets()
        yield from self.render_sources()
        yield from self.render_tags()
        yield from self.render_corrections()
        for page in site.pages:
            yield self.page("page.html", self.meta(url("page", page.id)), page=page,
                            body=self.page_body(page.body, page.title))
        if site.publish_article_text:
            yield from self.render_articles()
        yield self.page("search.html", self.meta(url("search")), in_sitemap=False)
        yield self.page("404.html", self.meta(url("not-found"), noindex=True), in_sitemap=False)
        yield self.page("feed.xml", self.meta(url("feed")), in_sitemap=False,
                        claims=self.views.by_update[:FEED_ENTRIES])
        yield from self.render_api()
        parts = feeds.sitemap_parts(self.sitemap)
        if len(parts) == 1:
            yield self._made_file("sitemap.xml", parts[0],
                                  functools.partial(feeds.render_sitemap, site, parts[0]))
        else:
            for number, part in enumerate(parts, 1):
                yield self._made_file(out_path_of(feeds.sitemap_part_path(number)), part,
                                      functools.partial(feeds.render_sitemap, site, part))
            yield self._made_file("sitemap.xml", len(parts), functools.partial(
                feeds.render_sitemap_index, site, len(parts)))
        yield self.file("robots.txt", feeds.render_robots(site))
        yield from self.render_annotations()
        tops = self._top_names()
        yield self._made_file("_headers", tops, functools.partial(headers.headers_of, tops, CSP))

    def _top_names(self) -> frozenset[str]:
        """The top-level names (`headers.top_name`) of every path written and of the output
        folder's marker; in a preview server, the last run's counted again where the paths
        differ."""
        paths = frozenset(self.written)
        memo = self.sections
        before = memo.tops if memo is not None else None
        if before is None or len(before[0] ^ paths) > len(paths) // 2:
            counts = collections.Counter(map(headers.top_name, paths))
        else:
            counts = before[1].copy()
            counts.subtract(map(headers.top_name, before[0] - paths))
            counts.update(map(headers.top_name, paths - before[0]))
        if memo is not None:
            memo.tops = (paths, counts)
        return frozenset(name for name, count in counts.items() if count > 0) | {
            headers.top_name(urls.MARKER)}

    def page_body(self, body: str, title: str) -> Markup:
        """A page's Markdown as HTML, each `{{ glossary: NAME }}` paragraph replaced by the
        theme's list of that vocabulary (the `glossary` macro of _macros.html)."""
        parts: list[Markup] = []
        at = 0
        for found in GLOSSARY_RE.finditer(body):
            parts.append(render_markdown(body[at:found.start()], drop_title=None if parts else title,
                                         min_level=2))
            try:
                macros: Any = self.env.get_template("_macros.html").module
                parts.append(Markup(macros.glossary(found.group(1))) + Markup("\n"))
            except TemplateError as error:
                raise ContentError([template_problem(error, self.theme)]) from None
            at = found.end()
        parts.append(render_markdown(body[at:], drop_title=None if parts else title, min_level=2))
        return Markup("").join(parts)

    def render_claims(self) -> Iterator[Job]:
        for pager, sections in self.claims_pages:
            yield self.page("claims.html", self.meta(pager.url), lastmod=self.site.build_date,
                            pager=pager, sections=sections)
        yield from self._sections("claim", self.views.claims, self._claim_jobs)

    def _claim_jobs(self, view: ClaimView) -> tuple[Job, ...]:
        claim = view.claim
        labels = self.theme.labels
        meta = self.meta(url("claim", claim.id), og_type="article")
        rating = labels["status"][claim.status.value]
        card_path, card = claim_card(self.site.title, labels, claim)
        return (
            self.data(card_path, images.share_card, card),
            self.page("claim.html", meta, lastmod=view.updated, view=view, claim=claim,
                      share_image="/" + card_path,
                      jsonld=Later(jsonld.claim_script, (
                          self.site.publisher, view, meta.canonical, rating))),
        )

    def render_outlets(self) -> Iterator[Job]:
        for outlet_view in self.views.outlets:
            yield from self._section("outlet", outlet_view,
                                     functools.partial(self._outlet_jobs, outlet_view))
        yield self.page("outlets.html", self.meta(url("outlets")), lastmod=self.site.build_date)

    def _outlet_jobs(self, outlet_view: OutletView) -> Iterator[Job]:
        said = outlet_view.by_claim
        lastmod = outlet_view.updated
        for pager in pagers(len(said), url("outlet", outlet_view.outlet.id)):
            yield self.page("outlet.html", self.meta(pager.url), lastmod=lastmod,
                            outlet=outlet_view.outlet, record=outlet_view.record,
                            by_claim=said[pager.start : pager.stop], pager=pager)

    def render_tags(self) -> Iterator[Job]:
        for tag, claims in self.views.tags:
            lastmod = self._kept("updated", claims, _updated)
            for pager in pagers(len(claims), url("tag", tag), CLAIMS_PAGE_SIZE):
                yield self.page("tag.html", self.meta(pager.url), lastmod=lastmod, tag=tag,
                                claims=claims[pager.start : pager.stop], total=len(claims),
                                pager=pager)

    def render_corrections(self) -> Iterator[Job]:
        corrections = self.views.corrections
        newest = corrections[0][1].date if corrections else None
        yield self.page("corrections.html", self.meta(url("corrections")), lastmod=newest,
                        corrections=corrections)
        yield self.page("corrections.xml", self.meta(url("corrections-feed")), in_sitemap=False,
                        corrections=corrections)

    def render_sources(self) -> Iterator[Job]:
        for source_view in self.views.sources:
            source = source_view.source
            claims = source_view.claims
            citing = source_view.citing
            # passages, claims and citing articles are split over the same pages
            longest = max(len(source.passages), len(claims), len(citing))
            lastmod = self._kept("updated", claims, _updated)
            for pager in pagers(longest, url("source", source.id)):
                yield self.page(
                    "source.html", self.meta(pager.url), lastmod=lastmod, source=source,
                    pager=pager,
                    passages=source.passages[pager.start : pager.stop],
                    claims=claims[pager.start : pager.stop], total_claims=len(claims),
                    citing=citing[pager.start : pager.stop], total_citing=len(citing),
                )
        yield self.page("sources.html", self.meta(url("sources")), lastmod=self.site.build_date)

    def render_articles(self) -> Iterator[Job]:
        for article in self.site.articles:
            marks = self.views.marks.get(article.id, ())
            yield self.page("article.html", self.meta(url("article", article.id)),
                            article=article, paragraphs=article_paragraphs(article.text, marks))

    def render_api(self) -> Iterator[Job]:
        """The claims export: an index of every claim, and each claim's full record."""
        site = self.site
        api = feeds.ApiSite.of(site)
        labels = {status: self.theme.labels["status"][status]["label"]
                  for status in sorted(self.theme.labels["status"])}
        entries, _made = self._each("api-entry", self.views.claims, feeds.ApiEntry.of)
        yield self._whole(self.data(out_path_of(url("api")), feeds.render_api_index, api,
                                    tuple(entries)))
        yield from self._sections("api", self.views.claims, functools.partial(
            self._api_job, api, labels))

    def render_annotations(self) -> Iterator[Job]:
        """The readings as Web Annotations: the collection, then its pages."""
        api = feeds.ApiSite.of(self.site)
        labels = self.theme.labels
        shown = annotated(self.views.claims)
        pages = paged(shown)
        yield self.data(out_path_of(url("annotations")), render_collection, api, len(shown),
                        len(pages), labels)
        for number, items in enumerate(pages, 1):
            yield self.data(out_path_of(page_url(number)), render_page, api, number,
                            len(pages), items, labels)

    def _api_job(self, api: feeds.ApiSite, labels: Mapping[str, str], view: ClaimView
                 ) -> tuple[Job]:
        return (self.data(out_path_of(url("api-claim", view.claim.id)), feeds.render_api_claim,
                          api, view, labels[view.claim.status.value]),)


def claim_card(site_title: str, labels: Mapping[str, Any], claim: Claim
               ) -> tuple[str, images.Card]:
    """The out path of a claim's share card and what the card says. (Its file name carries
    a digest of its words, so a card under the same path has the same bytes.)"""
    card = images.Card(
        site=site_title,
        claim=claim.short,
        finding=claim.finding or labels["card"]["draft"],
        finding_label=labels["card"]["finding"],
        status=claim.status.value,
        status_label=labels["status"][claim.status.value]["label"],
    )
    return f"assets/cards/{claim.id}.{images.card_name(card)}.jpg", card


def _updated(claims: Iterable[ClaimView]) -> PartialDate | None:
    """The newest date on any of the claims (None for none)."""
    newest = min(claims, key=_NEWEST, default=None)
    return newest.updated if newest is not None else None


_NEWEST = operator.attrgetter("newest")


def glossaries(pages: Iterable[Page]) -> dict[str, str]:
    """Vocabulary -> the id of the first page that lists it (`{{ glossary: NAME }}`): where
    the pages link a term to its definition."""
    found: dict[str, str] = {}
    for page in pages:
        for match in GLOSSARY_RE.finditer(page.body):
            found.setdefault(match.group(1), page.id)
    return found


def article_paragraphs(
    text: str, marks: tuple[tuple[int, int], ...]
) -> list[list[tuple[str, bool]]]:
    """The text split into paragraphs at blank lines, each a list of (text, marked) pieces;
    `marks` are merged spans in order."""
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


_BLOCK = re.compile(r"\S(?:.*?\S)?(?=\s*\n[ \t\u00a0]*\n|\s*$)", re.DOTALL)
"""A paragraph: text up to a blank line or the end."""


def render_site(views: SiteViews, theme: Theme, shipped: Shipped) -> Output:
    """Every output file of the theme, one at a time (out path POSIX, relative to the site
    root): the theme's static files and lunr.js, pages, the feed, the sitemap, robots.txt,
    the claims export, and the _headers file that carries the site's Content-Security-Policy."""
    renderer = Renderer(views, theme, shipped)
    for job in renderer.jobs():
        yield job.out_path, renderer.run(job)



