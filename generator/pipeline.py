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

from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from generator import anchor, assemble, compare, load, render, search, theme, validate, views, write
from generator.errors import ContentError, Location, Problem
from generator.model import AppearanceKey, FidelityResult, Site, Span


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
    results: dict[AppearanceKey, FidelityResult]
    warnings: tuple[Problem, ...]
    """Advice the editor may overrule (errors would have stopped the run)."""


@dataclass(frozen=True, slots=True)
class Built:
    checked: Checked
    files: int
    """How many files the output folder holds."""


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
    stages: Stages = UNWATCHED,
) -> Checked:
    """load -> validate -> assemble -> anchor -> compare. Raises ContentError with every
    problem of the run when there is an error (or, with `strict`, a warning)."""
    content_dir = Path(content_dir)
    with stages.stage("load"):
        loaded = load.load_content(content_dir)
        site_theme, theme_problems = _load_theme(content_dir, loaded)
    with stages.stage("validate"):
        validated = validate.validate(loaded, base_url)
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
    return Checked(site, site_theme, anchored.spans, compared.results, tuple(problems))


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
    stages: Stages = UNWATCHED,
) -> Built:
    """check -> views -> render -> index -> write. Nothing is written unless every stage
    succeeds; the output folder then holds the new site whole."""
    checked = check(content_dir, base_url, strict=strict, stages=stages)
    with stages.stage("load"):
        shipped = theme.load_shipped(Path(content_dir).resolve().parent)
    with stages.stage("views"):
        site_views = views.build_views(checked.site, checked.spans, checked.results)
    with stages.stage("render"):
        files = dict(render.render_site(site_views, checked.theme, shipped))
    with stages.stage("index"):
        files.update(search.build_search(site_views, checked.theme.labels))
        files.update(shipped.admin)
    with stages.stage("write"):
        write.write_site(dict(sorted(files.items())), out_dir)
    return Built(checked, len(files))

