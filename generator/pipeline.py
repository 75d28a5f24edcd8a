"""content/ -> Site (check), and Site -> site/ (build): the stages composed."""

from __future__ import annotations

import multiprocessing
import os
import re
import threading
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator import anchor, fidelity, load, validate, write
from generator.errors import ContentError, Location, Problem
from generator.model import (
    Appearance,
    Article,
    Attribution,
    Claim,
    Fidelity,
    FidelityResult,
    Outlet,
    Page,
    PartialDate,
    Passage,
    Publisher,
    Site,
    Source,
    Span,
    Status,
    Update,
)

DEFAULT_THEME = "themes/default"
GENERATOR_ROOT = Path(__file__).resolve().parent.parent
BUILTIN_THEMES = GENERATOR_ROOT / "themes"
"""The themes that come with the generator, for content folders that have none."""

RESERVED_PAGE_IDS = frozenset({"api", "assets", "claims", "outlets", "sources", "search", "admin"})


@dataclass(frozen=True, slots=True)
class Summary:
    claims: int
    appearances: int
    articles: int
    outlets: int
    sources: int

    def line(self) -> str:
        return (
            f"{self.claims} claims, {self.appearances} appearances anchored, "
            f"{self.articles} articles, {self.outlets} outlets, {self.sources} sources"
        )


def summarise(site: Site) -> Summary:
    return Summary(
        claims=len(site.claims),
        appearances=sum(len(c.appearances) for c in site.claims),
        articles=len(site.articles),
        outlets=len(site.outlets),
        sources=len(site.sources),
    )


def check(
    content_dir: Path, base_url: str | None = None, warnings: list[Problem] | None = None
) -> Site:
    """load -> validate -> anchor -> model. Raises ContentError with every problem when one
    of them is an error; otherwise the warnings, if any, are added to `warnings`."""
    loaded = load.load_content(Path(content_dir))
    problems: list[Problem] = list(loaded.problems)
    broken: set[str] = {p.location.rel_path for p in loaded.problems if p.is_error}
    for record in loaded.records:
        found = validate.check_shape(record)
        problems.extend(found)
        if found:
            broken.add(record.rel_path)
    problems.extend(validate.check_references(loaded.records, loaded.unreadable))
    good = [r for r in loaded.records if r.rel_path not in broken]
    site, found = _assemble(good, loaded.pages, Path(content_dir), base_url)
    problems.extend(found)
    if site is None or any(p.is_error for p in problems):
        raise ContentError(problems)
    if warnings is not None:
        warnings.extend(sorted(problems))
    return site


def _assemble(
    records: list[load.Record],
    page_files: tuple[load.PageFile, ...],
    content_dir: Path,
    base_url: str | None,
) -> tuple[Site | None, list[Problem]]:
    problems: list[Problem] = []
    by_kind: dict[str, dict[str, load.Record]] = {}
    for record in records:
        by_kind.setdefault(record.kind, {})[record.id] = record

    outlets = {rid: _outlet(r) for rid, r in sorted(by_kind.get("outlet", {}).items())}
    sources = {rid: _source(r) for rid, r in sorted(by_kind.get("source", {}).items())}
    articles: dict[str, Article] = {}
    for rid, record in sorted(by_kind.get("article", {}).items()):
        outlet = outlets.get(rid.split("/")[0])
        if outlet is not None:
            articles[rid] = _article(record, outlet)

    spellings_record = by_kind.get("spellings", {}).get("spellings")
    spellings: tuple[tuple[str, ...], ...] = ()
    if spellings_record is not None:
        spellings = tuple(tuple(group) for group in spellings_record.data.get("groups", []))

    passages = {(s.id, p.id): p for s in sources.values() for p in s.passages}
    claims: list[Claim] = []
    for rid, record in sorted(by_kind.get("claim", {}).items()):
        claim, found = _claim(record, sources, passages, articles, spellings)
        problems.extend(found)
        if claim is not None:
            claims.append(claim)

    pages: list[Page] = []
    for page_file in sorted(page_files, key=lambda p: p.id):
        page, found_page = _page(page_file)
        if found_page:
            problems.append(found_page)
        elif page is not None:
            pages.append(page)

    site_record = by_kind.get("site", {}).get("site")
    if site_record is None:
        return None, problems
    data = site_record.data
    theme = data.get("theme")
    theme_dir = content_dir.resolve().parent / (theme or DEFAULT_THEME)
    if theme is None and not theme_dir.is_dir():
        theme_dir = BUILTIN_THEMES / "default"
    if not (theme_dir / "templates").is_dir():
        problems.append(
            Problem(
                site_record.where(("theme",)),
                f"theme: no theme at {theme!r} (no templates/ folder in it)",
                "Name a folder, relative to the project root, that holds templates/ and static/; "
                "the default is themes/default.",
            )
        )
    url = base_url or data["base_url"]
    if base_url is not None:
        try:
            validate.check_base_url(base_url)
        except ValueError as exc:
            problems.append(
                Problem(Location("--base-url", 1, 1), str(exc), "Pass an absolute https:// address.")
            )
    dates = [c.reviewed for c in claims] + [u.date for c in claims for u in c.updates]
    site = Site(
        title=data["title"],
        base_url=url if url.endswith("/") else url + "/",
        language=data["language"],
        description=data.get("description", ""),
        publisher=Publisher(data["publisher"]["name"], data["publisher"]["url"]),
        corrections_url=data.get("corrections_url"),
        theme=theme_dir.as_posix(),
        publish_article_text=bool(data.get("publish_article_text", False)),
        build_date=max(dates, default=PartialDate(1970, 1, 1)),
        outlets=tuple(outlets.values()),
        sources=tuple(sources.values()),
        articles=tuple(articles.values()),
        claims=tuple(claims),
        pages=tuple(pages),
        spellings=spellings,
    )
    return site, problems


def _date(value: str | None) -> PartialDate | None:
    return validate.parse_date(value) if value else None


def _outlet(record: load.Record) -> Outlet:
    d = record.data
    return Outlet(
        id=record.id,
        name=d["name"],
        identified=d.get("identified", True),
        homepage=d.get("homepage"),
        country=d.get("country"),
        notes=d.get("notes"),
    )


def _source(record: load.Record) -> Source:
    d = record.data
    return Source(
        id=record.id,
        title=d["title"],
        publisher=d["publisher"],
        symbol=d.get("symbol"),
        date=_date(d.get("date")),
        url=d.get("url"),
        kind=d.get("kind"),
        notes=d.get("notes"),
        passages=tuple(
            Passage(
                id=p["id"],
                text=p["text"],
                checked=p["checked"],
                locator=p.get("locator"),
                basis=p.get("basis"),
                rests_on=tuple(p.get("rests_on", ())),
                url=p.get("url"),
            )
            for p in d.get("passages", [])
        ),
    )


def _article(record: load.Record, outlet: Outlet) -> Article:
    d = record.data
    cites = []
    for cite in d.get("cites", []):
        (kind, value), = cite.items()
        cites.append(f"{kind}:{value}")
    return Article(
        id=record.id,
        outlet=outlet,
        headline=d["headline"],
        url=d.get("url"),
        date=_date(d.get("date")),
        date_basis=d.get("date_basis"),
        cites=tuple(cites),
        notes=d.get("notes"),
        text=record.text,
        rel_path=record.rel_path,
        body_line=record.body_line,
    )


def _claim(
    record: load.Record,
    sources: Mapping[str, Source],
    passages: Mapping[tuple[str, str], Passage],
    articles: Mapping[str, Article],
    spellings: tuple[tuple[str, ...], ...],
) -> tuple[Claim | None, list[Problem]]:
    d = record.data
    problems: list[Problem] = []
    source = passage = None
    primary = d.get("primary")
    if primary:
        source = sources.get(primary["source"])
        if source is None:
            return None, problems  # reported by validate
        if "passage" in primary:
            passage = passages.get((source.id, primary["passage"]))
            if passage is None:
                return None, problems  # reported by validate
    appearances: list[Appearance] = []
    for i, a in enumerate(d.get("appearances", [])):
        article = articles.get(a["article"])
        if article is None:
            continue  # reported by validate
        where = record.where(("appearances", i, "quote"))
        found = anchor.find_span(article.text, a["quote"], a.get("prefix"), a.get("suffix"))
        if not isinstance(found, anchor.Found):
            problems.append(_anchor_problem(found, where, i, article, a["quote"]))
            continue
        span = Span(found.start, found.end, article.line_of(found.start), found.exact)
        stated = Fidelity(a["fidelity"]) if "fidelity" in a else None
        result = _fidelity(article, article.text[found.start : found.end], passage, spellings)
        if stated is not None and result is not None:
            disagreement = fidelity.contradiction(stated, result)
            if disagreement:
                problems.append(
                    Problem(
                        record.where(("appearances", i, "fidelity")),
                        f"appearances[{i}].fidelity: {disagreement}",
                        "Remove `fidelity:` to accept the computed class, or correct the quote "
                        "or the source passage.",
                    )
                )
        appearances.append(
            Appearance(
                article=article,
                quote=a["quote"],
                prefix=a.get("prefix"),
                suffix=a.get("suffix"),
                span=span,
                attribution=Attribution(a["attribution"]),
                note=a.get("note"),
                stated_fidelity=stated,
                fidelity_reason=a.get("fidelity_reason"),
                fidelity=result,
            )
        )
    appearances.sort(key=_appearance_order)
    claim = Claim(
        id=record.id,
        claim=d["claim"],
        status=Status(d["status"]),
        source=source,
        passage=passage,
        verdict=d["verdict"],
        reviewed=validate.parse_date(d["reviewed"]),
        tags=tuple(d.get("tags", ())),
        appearances=tuple(appearances),
        updates=tuple(Update(validate.parse_date(u["date"]), u["note"]) for u in d.get("updates", [])),
        rel_path=record.rel_path,
    )
    return claim, problems


def _appearance_order(appearance: Appearance) -> tuple[int, tuple[int, int, int], str, int]:
    date = appearance.article.date
    return (0 if date else 1, date.sort_key() if date else (0, 0, 0), appearance.article.id,
            appearance.span.start)


def _fidelity(
    article: Article, span_text: str, passage: Passage | None,
    spellings: tuple[tuple[str, ...], ...],
) -> FidelityResult | None:
    if passage is None:
        return None
    if article.outlet.id in passage.rests_on:
        return fidelity.not_comparable(
            f"The passage's only known wording comes from {article.outlet.name} itself, "
            "so comparing the two would prove nothing."
        )
    return fidelity.compare(span_text, passage.text, spellings)


def _anchor_problem(
    found: anchor.Ambiguous | anchor.NotFound, where: Location, i: int, article: Article, quote: str
) -> Problem:
    label = f"appearances[{i}].quote"
    if isinstance(found, anchor.Ambiguous):
        count = found.count if found.count <= anchor.MAX_OCCURRENCES else (
            f"more than {anchor.MAX_OCCURRENCES}")
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
    short = _shorten(quote, 60)
    if not found.closest:
        return Problem(where, f"{label}: not found in {article.rel_path}: {_yaml_str(short)}",
                       "Copy the quote from the article text.")
    closest = _shorten(re.sub(r"\s+", " ", found.closest), 160)
    return Problem(
        where,
        f"{label}: not found in {article.rel_path}",
        f"Closest passage ({found.similarity}% similar), at {article.rel_path}:"
        f"{article.line_of(found.start)}:\n  {closest}\n"
        "Copy the quote exactly from the article (typography may differ: quotes, dashes "
        "and spaces are matched loosely, words are not).",
    )


def _words_before(text: str, offset: int, count: int = 4) -> str:
    """Up to `count` whole words just before `offset`, on its line."""
    line = text[:offset].rsplit("\n", 1)[-1]
    return "".join(re.findall(r"\S+\s*", line)[-count:])


def _shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def _yaml_str(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _page(page_file: load.PageFile) -> tuple[Page | None, Problem | None]:
    where = Location(page_file.rel_path, 1, 1)
    if page_file.id in RESERVED_PAGE_IDS:
        return None, Problem(
            where,
            f"page id {page_file.id!r} is taken by the site's own pages",
            "Rename the file; reserved: " + ", ".join(sorted(RESERVED_PAGE_IDS)) + ".",
        )
    first, _, rest = page_file.text.partition("\n")
    if not first.startswith("# ") or not first[2:].strip():
        return None, Problem(
            where,
            "a page must start with its title as `# Title`",
            "Make the first line a level-one heading, e.g. `# About`.",
        )
    return Page(page_file.id, first[2:].strip(), rest.lstrip("\n"), page_file.rel_path), None


def build(
    content_dir: Path, out_dir: Path, base_url: str | None = None,
    warnings: list[Problem] | None = None,
) -> tuple[Site, int]:
    """check() + render + index + write. Nothing is written unless every stage succeeds."""
    site = check(content_dir, base_url, warnings)
    files = render_files(site, Path(content_dir).resolve().parent)
    write.write_site(files, out_dir)
    return site, len(files)


def render_files(site: Site, project_root: Path) -> dict[str, bytes]:
    """Site -> every output file, in memory. Template errors become problems naming the
    template file and line. On a large site the search index is built in a second
    process while this one renders the pages; the output is the same either way."""
    import jinja2

    from generator import admin, headers, render, search

    # lunr.js comes from the project's npm install; a content folder outside the project
    # (a scratch tree, a benchmark) uses the generator's own
    npm_root = project_root if (project_root / "node_modules").is_dir() else GENERATOR_ROOT
    lunr_path, lunr_js = search.lunr_js_asset(npm_root)
    theme_dir = Path(site.theme)
    with _search_index(site) as bundle:
        assets = _Assets("/" + lunr_path, bundle)
        try:
            files = render.render_site(site, theme_dir, assets)
        except jinja2.TemplateSyntaxError as exc:
            raise ContentError(
                [_template_problem(theme_dir, exc.filename, exc.lineno, exc.message)]
            ) from None
        except jinja2.TemplateError as exc:
            filename, lineno = _template_frame(exc)
            raise ContentError([_template_problem(theme_dir, filename, lineno, str(exc))]) from None
        search_files = bundle().files
    files = {**files, **search_files, lunr_path: lunr_js, **admin.admin_files(project_root)}
    files["_headers"] = headers.netlify_headers(files, render.CSP)
    return files


PARALLEL_FROM = 1000
"""Sites with this many claims build their search index in a second process."""

_forked_site: Site | None = None
"""The site a forked search worker indexes: inherited through fork, never pickled."""


def _index_forked_site() -> Any:
    from generator import search

    assert _forked_site is not None
    return search.build_search(_forked_site)


@contextmanager
def _search_index(site: Site) -> Iterator[Callable[[], Any]]:
    """Yields a function that returns the site's SearchBundle, built meanwhile in a forked
    process when the site is large, there is a second core and nothing else runs in this
    process (forking a process with other threads, such as `serve`'s, is not safe)."""
    global _forked_site
    from generator import search

    can_fork = (
        len(site.claims) >= PARALLEL_FROM
        and (os.cpu_count() or 1) > 1
        and threading.active_count() == 1
        and "fork" in multiprocessing.get_all_start_methods()
    )
    if not can_fork:
        bundle = search.build_search(site)
        yield lambda: bundle
        return
    _forked_site = site
    pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork"))
    try:
        future = pool.submit(_index_forked_site)
        yield future.result
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        _forked_site = None


class _Assets(Mapping[str, str]):
    """The url paths of the files the search page loads; the index's are known only once
    it is built, so they are asked for only when the search page is rendered."""

    KEYS = ("lunr.js", "search-index", "search-store")

    def __init__(self, lunr_url: str, bundle: Callable[[], Any]) -> None:
        self._lunr_url = lunr_url
        self._bundle = bundle

    def __getitem__(self, key: str) -> str:
        if key == "lunr.js":
            return self._lunr_url
        if key == "search-index":
            return str(self._bundle().index_url)
        if key == "search-store":
            return str(self._bundle().store_url)
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        return iter(self.KEYS)

    def __len__(self) -> int:
        return len(self.KEYS)


def _template_frame(exc: BaseException) -> tuple[str | None, int]:
    """The innermost template file and line in a Jinja error's traceback."""
    found: tuple[str | None, int] = (None, 1)
    tb = exc.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith((".html", ".xml", ".txt", ".json")):
            found = (filename, tb.tb_lineno)
        tb = tb.tb_next
    return found


def _template_problem(theme_dir: Path, filename: str | None, lineno: int | None, message: str | None) -> Problem:
    shown = "template"
    if filename:
        path = Path(filename).resolve()
        try:
            shown = path.relative_to(theme_dir.resolve().parent.parent).as_posix()
        except ValueError:
            shown = path.as_posix()
    return Problem(
        Location(shown, lineno or 1, 1),
        f"template error: {message}",
        "Fix the template; nothing was written and the previous site is unchanged.",
    )
