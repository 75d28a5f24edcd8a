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

A build keeps a cache beside its output (`site/` -> `.site.cache/`, see cache.py): results
whose inputs are unchanged are taken from it rather than made again (reuse.py), pages whose
inputs are unchanged are kept in the output folder rather than rendered and written again,
and a build whose inputs are all unchanged since the last one does nothing at all. What is
made is made on every core (pool.py). The output is the same, byte for byte, either way.
"""

from __future__ import annotations

import functools
import gc
import operator
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from generator import cache, pool, theme, write
from generator.errors import ContentError, Location, Problem, Problems, Severity

if TYPE_CHECKING:
    from generator import load, reuse, views
    from generator.model import AppearanceKey, Comparison, Site, Span
    from generator.reuse import Memory, Reuse

# The stages' modules (load, validate, assemble, reuse, views and what they import: YAML,
# JSON Schema, Jinja, markdown-it) are imported by the functions that run them, not here: a
# build that finds nothing changed reads the cache and its input and output files' times alone,
# and needs none of them (at 1,000 claims importing them took longer than all the rest).

_SEVERITY = operator.attrgetter("severity")

STAGES = ("load", "validate", "assemble", "anchor", "compare", "views", "render", "index", "write")
"""The stages in the order they run (render, index and write overlap: files are written as
they are made, and each stage's time counts only its own work)."""

GC_THRESHOLDS = (50_000, 50, 100)
"""The garbage collector's thresholds during a run. What a run makes lives until its end, so
looking for garbage every 700 new objects (Python's default) only costs time: seconds of
pauses on a 10,000-claim build. What is loaded is also set aside from the collector
(`gc.freeze`) once it is made."""


class Stages(Protocol):
    """Something that watches the stages run: `with stages.stage("load"): ...`."""

    def stage(self, name: str) -> AbstractContextManager[object]: ...


class _Unwatched:
    def stage(self, name: str) -> AbstractContextManager[object]:
        return nullcontext()


UNWATCHED: Stages = _Unwatched()


class _Collector:
    """The collector's settings for a run, restored when the outermost run ends."""

    depth = 0

    @classmethod
    @contextmanager
    def run(cls, lasting: bool = False) -> Iterator[None]:
        """With `lasting` (a preview server's runs, whose results live on in its memory),
        what the run made stays set aside when it ends: the collector never looks at it
        again, and the server collects what became garbage of it now and then
        (`collect_lasting`)."""
        if cls.depth:
            cls.depth += 1
            try:
                yield
            finally:
                cls.depth -= 1
            return
        saved = gc.get_threshold()
        gc.set_threshold(*GC_THRESHOLDS)
        cls.depth = 1
        try:
            yield
        finally:
            cls.depth = 0
            gc.set_threshold(*saved)
            if lasting:
                gc.freeze()
            else:
                gc.unfreeze()  # what the run set aside can be collected once it is garbage

    @staticmethod
    def collect_lasting() -> None:
        """Collect the garbage among what lasting runs set aside."""
        gc.unfreeze()
        gc.collect()
        gc.freeze()

    @classmethod
    def set_aside(cls) -> None:
        """What exists now lives until the run ends: the collector need not look at it."""
        if cls.depth:
            gc.freeze()


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


@dataclass(frozen=True, slots=True)
class Built:
    checked: Checked | None
    """The checked content; None when nothing had changed since the last build, which was
    then neither loaded nor checked again (its warnings and summary are the last build's)."""
    files: int
    """How many files the site holds."""
    leftovers: tuple[Problem, ...]
    """What the writer could not clean up once the new site was in place (warnings)."""
    summary: Summary
    content_warnings: Sequence[Problem]
    """The content's warnings (errors would have stopped the build); as `Problems` when
    nothing had changed (the last build's, as the cache kept them)."""
    unchanged: bool = False
    """Nothing was written: the output folder already held this site."""
    counts: tuple[tuple[str, int], ...] = ()
    """What was made and what was reused, by kind (for --timings)."""

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return (*self.content_warnings, *self.leftovers)


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
    stages: Stages = UNWATCHED, reusing: Reuse | None = None, production: bool = False,
) -> Checked:
    """load -> validate -> assemble -> anchor -> compare. Raises ContentError with every
    problem of the run when there is an error (or, with `strict`, a warning). `reusing`
    says what may be taken from a cache (by default nothing; comparisons on every core).
    `production` also requires what a public site needs (validate.production_problems)."""
    from generator import assemble, load, reuse, validate

    content_dir = Path(content_dir)
    reusing = reusing or reuse.Reuse(workers=pool.cores())
    memory = reusing.memory
    if memory is not None:
        memory.turn()
    with _Collector.run(lasting=memory is not None):
        files = reuse.Files(reusing)
        with stages.stage("load"):
            walked = before = None
            if memory is not None and memory.loaded is not None and memory.modified is not None:
                before = memory.loaded
                walked = before.walk.again(memory.modified) if before.walk else None
            loaded = load.load_content(content_dir, files if reusing.keyed else None, walked,
                                       before if walked is not None else None,
                                       memory.modified if memory is not None else None,
                                       functools.partial(reuse.read_files, reusing))
            if memory is not None:
                memory.trust(walked is not None and _only_claims(content_dir, memory.modified))
                memory.loaded, memory.modified = loaded, None
            site_theme, theme_problems = _load_theme(content_dir, loaded)
            if memory is not None and site_theme is not None:
                if site_theme == memory.theme:
                    site_theme = memory.theme  # the same object: what was made of it holds
                memory.theme = site_theme
        _Collector.set_aside()
        with stages.stage("validate"):
            shape = reuse.shapes(reusing, files, loaded.records, validate.check_shape)
            validated = validate.validate(loaded, base_url, shape=shape,
                                          made=memory.referenced if memory is not None else None,
                                          advised=memory.advised if memory is not None else None,
                                          production=production,
                                          read_text=_reader(content_dir))
        with stages.stage("assemble"):
            theme_dir = site_theme.root.resolve().as_posix() if site_theme else ""
            site = assemble.assemble(validated.records, validated.pages, theme_dir, base_url,
                                     memory.assembled if memory is not None else None)
        with stages.stage("anchor"):
            anchored = reuse.anchor_site(site, reusing)
        with stages.stage("compare"):
            compared = reuse.compare_site(site, anchored.spans, reusing)
        _Collector.set_aside()
    problems = (*validated.problems, *theme_problems, *anchored.problems, *compared.problems)
    if site_theme is None or (strict and problems) or Severity.ERROR in map(_SEVERITY, problems):
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


def _only_claims(content_dir: Path, modified: frozenset[str] | None) -> bool:
    """Whether the files that changed are claims alone: what is made of each other claim,
    and of everything else, then still holds (a claim's results depend on no other claim)."""
    if not modified:
        return modified is not None
    claims = str((content_dir / "claims").resolve()) + "/"
    return all(path.startswith(claims) and "/" not in path[len(claims):] for path in modified)


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
    stages: Stages = UNWATCHED, waiting: write.Waiting | None = None, cache_results: bool = True,
    workers: int | None = None, memory: Memory | None = None, production: bool = False,
) -> Built:
    """check -> views -> render -> index -> write. The output folder is checked before
    anything is loaded; files are written as they are rendered, into a staging folder that
    replaces the output folder whole only when every stage has succeeded. `waiting` is told
    when another build into the same folder makes this one wait.

    With `cache_results` (the default) the build keeps its cache in `.<out>.cache/` beside
    the output folder and reuses what did not change. `workers` is how many processes make
    pages and comparisons (by default one per core, and none for little work; a number above
    one starts them whatever the work). `memory` is what a preview server keeps between
    builds. `production` also requires what a public site needs."""
    check_out_dir(content_dir, out_dir)
    content_dir = Path(content_dir)
    themes = theme_dirs(content_dir)
    named = _named_theme(content_dir)
    if named is not None:  # before the cache beside the output folder is made
        write.check_out_dir(out_dir, content_dir, (*themes, named))
    with _Collector.run(lasting=memory is not None):
        kept = memory is not None and memory.store is not None
        store = (memory.store if memory is not None and memory.store is not None
                 else cache.Store(cache.cache_dir(out_dir)) if cache_results else None)
        try:
            inputs = finished = None
            if store is not None:
                with stages.stage("load"):
                    finished = store.finished()
                    inputs = _inputs(store, content_dir, base_url, production, finished)
                    done = (_unchanged(store, finished, inputs, out_dir, content_dir, themes,
                                       strict, waiting) if memory is None else None)
                if done is not None:
                    return done
            from generator.reuse import Reuse

            reusing = Reuse(store, memory, workers or pool.cores(),
                            always_parallel=workers is not None and workers > 1)
            built = _build(content_dir, out_dir, base_url, strict, stages, waiting, reusing,
                           themes, inputs, finished, production)
        finally:
            if store is not None and not kept:
                store.close()
    return built


def _build(
    content_dir: Path, out_dir: Path, base_url: str | None, strict: bool, stages: Stages,
    waiting: write.Waiting | None, reusing: Reuse, themes: tuple[Path, ...],
    inputs: cache.Inputs | None, finished: cache.Finished | None, production: bool,
) -> Built:
    """The build, after `build` found what the last one left (`finished`)."""
    from generator import reuse

    checked = check(content_dir, base_url, strict=strict, stages=stages, reusing=reusing,
                    production=production)
    with stages.stage("load"):
        shipped = theme.load_shipped(content_dir.resolve().parent)
    store = reusing.store
    previous = store.outputs() if store is not None and finished is not None else None
    with write.SiteWriter(out_dir, content_dir, (*themes, checked.theme.root), waiting=waiting,
                          previous=previous,
                          folder=finished.folder if finished is not None else None) as out:
        if store is not None:
            store.forget_state()  # from here the output folder may change
        # a clean build's share cards are made while the views are, which mostly take one core
        early = reuse.EarlyCards.start(checked.site, checked.theme, out, reusing)
        try:
            site_views = _views(checked, reusing, stages)
            reuse.write_site(site_views, checked.theme, shipped, out, reusing, stages.stage,
                             early)
        finally:
            if early is not None:
                early.take()  # stopped before the staging folder may be removed
    summary = summarise(checked)
    if reusing.memory is not None:
        reusing.memory.disk = (dict(out.written), out.folder)
        reusing.memory.whole = True
    if store is not None:
        with stages.stage("write"):
            store.commit(out.written, cache.Finished(
                inputs.digest, inputs.seen, out.folder, out.count, Problems(checked.warnings),
                summary)
                if inputs is not None and out.folder else None)
    return Built(checked, out.count, out.warnings, summary, checked.warnings,
                 unchanged=out.unchanged, counts=tuple(sorted(reusing.counts.items())))


def _views(checked: Checked, reusing: Reuse, stages: Stages) -> views.SiteViews:
    from generator import reuse, views

    with stages.stage("views"):
        placed = reuse.placements(checked.site, checked.spans, reusing)
        memory = reusing.memory
        site_views = views.build_views(checked.site, checked.spans, checked.comparisons, placed,
                                       memory.viewed if memory is not None else None)
    _Collector.set_aside()
    return site_views


@dataclass(frozen=True, slots=True)
class Previewed:
    """A preview server's site after a change (see `preview`)."""

    checked: Checked
    site: reuse.Preview
    summary: Summary


def preview(
    content_dir: Path, out_dir: Path, base_url: str | None = None, *, memory: Memory,
    strict: bool = False, stages: Stages = UNWATCHED,
) -> Previewed:
    """check -> views -> render, for a preview server after a change: only what depends on
    what changed is made again (`memory` holds the last run's results), and only the pages
    whose inputs changed are rendered, into memory; `site.finish()` makes the rest and the
    server writes the output folder behind. After a first `build(..., memory=memory)`."""
    from generator import reuse

    content_dir = Path(content_dir)
    store = memory.store
    reusing = reuse.Reuse(store, memory, pool.cores())
    with _Collector.run(lasting=True):
        checked = check(content_dir, base_url, strict=strict, stages=stages, reusing=reusing)
        with stages.stage("load"):
            shipped = theme.load_shipped(content_dir.resolve().parent)
        site_views = _views(checked, reusing, stages)
        site = reuse.preview_site(site_views, checked.theme, shipped, reusing, stages.stage)
    memory.whole = True
    if store is not None:
        store.commit(sweep=False)
    return Previewed(checked, site, summarise(checked))


def collect_garbage() -> None:
    """Collect what a preview server's runs left that is garbage now (they are set aside from
    the collector as they end: see `preview`)."""
    _Collector.collect_lasting()


def _inputs(
    store: cache.Store, content_dir: Path, base_url: str | None, production: bool,
    finished: cache.Finished | None,
) -> cache.Inputs | None:
    """The digest of everything a build of `content_dir` reads: the content, the themes,
    lunr.js and the browser editor's files, and the options."""
    root = content_dir.resolve().parent
    roots = [("content", content_dir)]
    roots += [(f"themes-{i}", folder) for i, folder in enumerate(theme_dirs(content_dir))]
    named = _named_theme(content_dir)
    if named is not None:
        roots.append(("theme", named))
    npm_root = root if (root / "node_modules").is_dir() else theme.GENERATOR_ROOT
    roots.append(("lunr", npm_root / theme.LUNR_JS))
    roots.append(("admin", root / "admin"))
    return cache.inputs_digest(store, roots, [f"base_url={base_url!r}",
                                              f"production={production}"], finished)


def _named_theme(content_dir: Path) -> Path | None:
    """The theme folder site.yaml names, when it names one (read leniently: a site.yaml that
    does not parse is the build's to report)."""
    import yaml

    try:
        data = yaml.safe_load((content_dir / "site.yaml").read_text("utf-8"))
    except (OSError, yaml.YAMLError, UnicodeDecodeError):
        return None
    name = data.get("theme") if isinstance(data, dict) else None
    return theme.theme_dir_for(content_dir, name) if isinstance(name, str) else None


def _unchanged(
    store: cache.Store, finished: cache.Finished | None, inputs: cache.Inputs | None,
    out_dir: Path, content_dir: Path, themes: tuple[Path, ...], strict: bool,
    waiting: write.Waiting | None,
) -> Built | None:
    """The last build (`finished`), when nothing it read has changed and its output folder
    is still as it left it; None when the site must be built."""
    if inputs is None or finished is None or finished.inputs != inputs.digest:
        return None
    if strict and finished.problems:
        raise ContentError(finished.problems)
    listing = store.listing()
    if listing is None:
        return None
    with write.SiteWriter(out_dir, content_dir, themes, waiting=waiting, listing=listing,
                          folder=finished.folder) as out:
        if not out.intact():
            out.discard()
            return None
        out.keep_all()
        if inputs.seen is not None and inputs.seen != finished.seen:
            # the input files were read to know they are the same (some had just been
            # written when the last build saw them): that they now look as they did is kept,
            # so that the next build knows it from their file times alone
            store.commit(finished=replace(finished, seen=inputs.seen), sweep=False)
    if not out.unchanged:
        return None
    return Built(None, out.count, out.warnings, finished.summary, finished.problems,
                 unchanged=True, counts=(("nothing changed", 1),))


def theme_dirs(content_dir: Path) -> tuple[Path, ...]:
    """The folders a build reads its theme from, as far as they are known before the
    content is loaded: the project's themes/ and the generator's own."""
    return (Path(content_dir).resolve().parent / "themes", theme.BUILTIN_THEMES)


def check_out_dir(content_dir: Path, out_dir: Path) -> None:
    """UserError, before anything is loaded, when a build must not replace `out_dir`."""
    write.check_out_dir(out_dir, content_dir, theme_dirs(content_dir))
