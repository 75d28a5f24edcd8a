"""content/ -> Checked (check), and content/ -> site/ (build): the stages, one call each, in order.

    load      content/ and the theme -> raw records with file:line marks     load.py, theme.py
    validate  records -> problems; the records that passed                    validate.py
    assemble  valid records -> the Site (frozen, fully resolved)              assemble.py
    anchor    the Site -> where each quote sits in its article                anchor.py
    compare   the Site and its spans -> what each outlet changed              compare.py
    views     the Site, spans, comparisons -> what the pages show             views/
    render    views and the theme -> pages and files                         render/
    index     views -> the search index and its store                         search.py
    write     pages and files -> site/, crash-consistent                      write.py

`check` runs load to compare and writes nothing, so `check` and `build` can never disagree.
Each stage runs inside `stages.stage(name)`, which the command line uses to time it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from generator import anchor, assemble, compare, load, render, search, theme, validate, views, write
from generator.errors import ContentError, Location, Problem
from generator.model import AppearanceKey, Comparison, Site, Span

STAGES = ("load", "validate", "assemble", "anchor", "compare", "views", "render", "index", "write")
"""The stages in the order they run (render, index and write overlap: files are written as
they are made, and each stage's time counts only its own work)."""


class Stages(Protocol):
    """Something that watches the stages run: `with stages.stage("load"): ...`."""

    def stage(self, name: str) -> AbstractContextManager[object]: ...


class _Unwatched:
    def stage(self, name: str) -> AbstractContextManager[object]:
        return nullcontext()


UNWATCHED: Stages = _Unwatched()


@dataclass(frozen=True, slots=True)
class Checked:
    """Content that passed every check."""

    site: Site
    theme: theme.Theme
    spans: dict[AppearanceKey, Span]
    comparisons: dict[AppearanceKey, Comparison]
    warnings: tuple[Problem, ...]
    """Advice the editor may overrule (errors would have stopped the run)."""


@dataclass(frozen=True, slots=True)
class Built:
    checked: Checked
    files: int
    """How many files the build wrote."""
    leftovers: tuple[Problem, ...]
    """What the writer could not clean up once the new site was in place (warnings)."""

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return (*self.checked.warnings, *self.leftovers)


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


def summarise(checked: Checked) -> Summary:
    site = checked.site
    return Summary(
        claims=len(site.claims),
        appearances=len(checked.spans),
        articles=len(site.articles),
        outlets=len(site.outlets),
        sources=len(site.sources),
    )


def check(
    content_dir: Path, base_url: str | None = None, *, strict: bool = False,
    stages: Stages = UNWATCHED, production: bool = False,
) -> Checked:
    """load -> validate -> assemble -> anchor -> compare. Raises ContentError with every
    problem of the run when there is an error (or, with `strict`, a warning). `production`
    also requires what a public site needs (validate.production_problems)."""
    content_dir = Path(content_dir)
    with stages.stage("load"):
        loaded = load.load_content(content_dir)
        site_theme, theme_problems = _load_theme(content_dir, loaded)
    with stages.stage("validate"):
        validated = validate.validate(loaded, base_url, production=production,
                                      read_text=_reader(content_dir))
    with stages.stage("assemble"):
        theme_dir = site_theme.root.resolve().as_posix() if site_theme else ""
        site = assemble.assemble(validated.records, validated.pages, theme_dir, base_url)
    with stages.stage("anchor"):
        anchored = anchor.anchor_site(site)
    with stages.stage("compare"):
        compared = compare.compare_site(site, anchored.spans)
    problems = (*validated.problems, *theme_problems, *anchored.problems, *compared.problems)
    if site_theme is None or any(p.is_error or strict for p in problems):
        raise ContentError(problems)
    return Checked(site, site_theme, anchored.spans, compared.comparisons, tuple(problems))


def _reader(content_dir: Path) -> Callable[[str], str | None]:
    """The text of a content file by the rel_path its problems are reported under."""
    root = content_dir.resolve().parent

    def read_text(rel_path: str) -> str | None:
        try:
            return (root / rel_path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None

    return read_text


def _load_theme(
    content_dir: Path, loaded: load.Loaded
) -> tuple[theme.Theme | None, tuple[Problem, ...]]:
    """The theme site.yaml names (or the default), or the problem that stops it loading."""
    site_record = next((r for r in loaded.records if r.kind == "site"), None)
    data = site_record.data if site_record is not None else None
    name = data.get("theme") if isinstance(data, dict) else None
    named_at = (site_record.where(("theme",)) if site_record is not None
                else Location(f"{content_dir.name}/site.yaml", 1, 1))
    root = content_dir.resolve().parent
    try:
        found = theme.load_theme(theme.theme_dir_for(content_dir, name if isinstance(name, str)
                                                     else None), root, named_at)
    except ContentError as exc:
        return None, exc.problems
    return found, ()


def build(
    content_dir: Path, out_dir: Path, base_url: str | None = None, *, strict: bool = False,
    stages: Stages = UNWATCHED, waiting: write.Waiting | None = None, production: bool = False,
) -> Built:
    """check -> views -> render -> index -> write. The output folder is checked before
    anything is loaded; files are written as they are rendered, into a staging folder that
    replaces the output folder whole only when every stage has succeeded. `waiting` is told
    when another build into the same folder makes this one wait."""
    check_out_dir(content_dir, out_dir)
    checked = check(content_dir, base_url, strict=strict, stages=stages, production=production)
    with stages.stage("load"):
        shipped = theme.load_shipped(Path(content_dir).resolve().parent)
    with stages.stage("views"):
        site_views = views.build_views(checked.site, checked.spans, checked.comparisons)
    themes = (*theme_dirs(content_dir), checked.theme.root)
    with write.SiteWriter(out_dir, content_dir, themes, waiting=waiting) as out:
        _stream(render.render_site(site_views, checked.theme, shipped), out, stages, "render")
        _stream(_index(site_views, checked, shipped), out, stages, "index")
    return Built(checked, out.count, out.warnings)


def _index(
    site_views: views.SiteViews, checked: Checked, shipped: theme.Shipped
) -> Iterator[tuple[str, bytes]]:
    yield from search.build_search(site_views, checked.theme.labels).items()
    yield from shipped.admin.items()


def _stream(
    files: Iterable[tuple[str, bytes]], out: write.SiteWriter, stages: Stages, stage: str
) -> None:
    """Hand each file to the writer as `stage` makes it, timing the making and the writing
    apart."""
    made = iter(files)
    while True:
        with stages.stage(stage):
            item = next(made, None)
        if item is None:
            return
        with stages.stage("write"):
            out.add(*item)


def theme_dirs(content_dir: Path) -> tuple[Path, ...]:
    """The folders a build reads its theme from, as far as they are known before the
    content is loaded: the project's themes/ and the generator's own."""
    return (Path(content_dir).resolve().parent / "themes", theme.BUILTIN_THEMES)


def check_out_dir(content_dir: Path, out_dir: Path) -> None:
    """UserError, before anything is loaded, when a build must not replace `out_dir`."""
    write.check_out_dir(out_dir, content_dir, theme_dirs(content_dir))

