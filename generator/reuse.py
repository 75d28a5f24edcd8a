"""Stage inputs -> stage results: from the build's cache, from a preview server's last run, or made on every core.

Each function here stands between the pipeline and one stage. It works out the key of every
result from exactly the inputs of that result, takes the results that are known, lets the
stage make the rest (in worker processes when there are many), and keeps what was made for
the next run. The stages stay pure functions, given and returning the same values however a
result was found, so that an incremental build writes the same bytes as a clean one.

    load      per file: what its bytes parse to (key: path and bytes)
    validate  per record: its shape problems (key: the file's key)
    anchor    per appearance: where the quote sits (key: article text, quote, prefix, suffix)
    compare   per appearance: what changed (key: article text, span, passage, spellings,
              entities)
    views     per appearance: the span's sentence and text fragment link (key: article text,
              url, span)
    render    per output: the job's key is the digest of its template sources, the theme's
              labels and files, the page's context and the values of the environment's
              globals its templates read (a job whose key is unchanged and whose file is
              still in the output folder is kept, neither rendered nor written)
    index     per claim: its search document (key: its view, the labels, the folds); the
              search files (key: the documents' keys; the templates are in neither)

Every key also holds the generator's own digest (cache.generator_digest).
"""

from __future__ import annotations

import dataclasses
import itertools
import operator
import os
import pickle
import time
from collections.abc import Callable, Container, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

from jinja2 import Environment, TemplateError, nodes
from markupsafe import Markup

from generator import anchor, cache, compare, digest, load, pool, render, search, views
from generator.cache import Store
from generator.digest import Digests, Undigestible, combine
from generator.errors import ContentError, Problem
from generator.load import Parsed, Record
from generator.memo import Made, alike, other_at
from generator.model import AppearanceKey, Comparison, Site, Span
from generator.render import images
from generator.search import SearchDocument
from generator.theme import Shipped, Theme
from generator.write import SiteWriter, Written, file_digest, write_new

MIN_PARALLEL = 256
"""Results to make below which no worker is started (their start-up would cost more)."""
PAGES_PER_TASK = 64
"""The most pages (or comparisons, or claims) one task of a worker holds."""
FRESH_INDEX = 2000
"""Claims from which the search index is made in a new process (`pool.fresh`) of the
documents alone: the memory that takes then does not come on top of the site that a process
forked from the build holds. Below this the new process's start-up (about 0.1 s) would cost
more than the memory is worth."""

EARLY_CARDS = 200
"""Claims from which a clean build starts making their share cards in a new process while the
views are built (see `EarlyCards`): below this the new process's start-up would cost more
than the work it takes on."""

K = TypeVar("K")
V = TypeVar("V")


class _Missing:
    pass


MISSING = _Missing()


class Generations(Generic[K, V]):
    """A memo that forgets what one run did not use: looked-up entries move to this run's
    generation, and `turn()` drops those of the run before."""

    def __init__(self) -> None:
        self.now: dict[K, V] = {}
        self.before: dict[K, V] = {}

    def get(self, key: K) -> V | _Missing:
        found = self.now.get(key, MISSING)
        if found is MISSING:
            found = self.before.pop(key, MISSING)
            if not isinstance(found, _Missing):
                self.now[key] = found
        return found

    def put(self, key: K, value: V) -> None:
        self.now[key] = value

    def turn(self) -> None:
        """Begin a run. A run that used nothing (one that stopped at an error before this
        memo's stage) forgets nothing."""
        if self.now:
            self.before, self.now = self.now, {}


@dataclass
class Memory:
    """What a preview server keeps from one run to the next."""

    parsed: Generations[str, tuple[tuple[int, int, int, int, int], bytes, Parsed]] = field(
        default_factory=Generations)
    """rel_path -> (the file's stat, its key, what it parsed to)."""
    shapes: Generations[int, tuple[Record, tuple[Problem, ...]]] = field(
        default_factory=Generations)
    results: Generations[bytes, Any] = field(default_factory=Generations)
    """Stage results by key (spans, comparisons, placements)."""
    texts: Generations[int, tuple[str, bytes]] = field(default_factory=Generations)
    """id(text) -> (the text, its digest)."""
    digests: Digests | None = None
    """The last run's digests of shared objects."""
    loaded: Any = None
    """The last run's load.Loaded."""
    theme: Theme | None = None
    """The last run's theme."""
    modified: frozenset[str] | None = None
    """The files whose bytes alone changed since the last run, when the server knows (else
    content/ is walked again)."""
    referenced: Made = field(default_factory=Made)
    advised: Made = field(default_factory=Made)
    assembled: Made = field(default_factory=Made)
    anchored: Made = field(default_factory=Made)
    compared: Made = field(default_factory=Made)
    placed: Made = field(default_factory=Made)
    viewed: Made = field(default_factory=Made)
    keys: dict[str, bytes] = field(default_factory=dict)
    """out path -> the key of the job that made the file the site now has there."""
    search: bytes = b""
    """The key of the search files the site now has."""
    search_files: tuple[str, ...] = ()
    """Their out paths."""
    search_documents: dict[bytes, bytes] = field(default_factory=dict)
    """The documents the search files were last made of, pickled, by their keys (see
    `_Searched`)."""
    compiled: render.CompiledTemplates = field(default_factory=render.CompiledTemplates)
    """The theme's templates, compiled once."""
    sections: render.Sections = field(default_factory=render.Sections)
    """The jobs made of each claim and outlet, by its view."""
    store: Store | None = None
    """The output folder's cache, kept open by the server."""
    jobs: dict[str, render.Job] = field(default_factory=dict)
    """out path -> the job of the file the site now has there."""
    job_list: tuple[render.Job, ...] | None = None
    """The jobs of a preview's last run, in order (see `preview_site`)."""
    by_template: dict[str, tuple[int, ...]] = field(default_factory=dict)
    """template -> where in `job_list` its pages stand."""
    unkeyed: tuple[int, ...] = ()
    """Where in `job_list` the jobs that have no key stand (they are always made)."""
    templates: dict[str, bytes] = field(default_factory=dict)
    """template -> the digest of its sources and of the globals it reads, as last used."""
    renderer: render.Renderer | None = None
    """What made the jobs."""
    globals: dict[tuple[str, ...], tuple[Any, bytes]] = field(default_factory=dict)
    """The values of the environment's globals that the templates read, with their digests."""
    disk: tuple[dict[str, Any], tuple[int, int] | None] | None = None
    """What the output folder holds (write.Kept by out path) and its device and inode, as
    the last write of it left it."""
    costs: dict[str, float] = field(default_factory=dict)
    """out path -> the seconds its job took the last time it was made."""
    whole: bool = False
    """Whether the last run made every stage (one that stopped at an error did not)."""
    _before_whole: bool = False
    _claims_since_whole: bool = False
    """Whether claim files alone changed since the last run that made every stage."""

    def trust(self, only_claims: bool) -> None:
        """Whether claim files alone changed since the last run, and since the last run that
        made every stage: what was made of the other claims is then taken without looking
        again at what it was made from. (After a run that stopped at an error, a later
        stage's memory is older than that run: the changes since it must be claims too, as
        when an editor saves a claim with an error and then mends it.)"""
        self._claims_since_whole = only_claims and (self._before_whole
                                                    or self._claims_since_whole)
        for made in (self.referenced, self.advised, self.assembled, self.anchored,
                     self.compared, self.placed, self.viewed):
            made.trusting = self._claims_since_whole

    def turn(self) -> None:
        """Begin a run (`whole` once it has made every stage)."""
        self._before_whole, self.whole = self.whole, False
        for memo in (self.parsed, self.shapes, self.results, self.texts):
            memo.turn()
        for made in (self.anchored, self.compared, self.placed):
            made.turn()


@dataclass
class Reuse:
    """What a run may reuse, and how many workers it may start."""

    store: Store | None = None
    memory: Memory | None = None
    workers: int = 1
    always_parallel: bool = False
    """Start workers however little there is to make (tests use it on small sites)."""
    counts: dict[str, int] = field(default_factory=dict)
    """What was made and what was reused, by kind (`compare made`, `page kept`, ...)."""

    @property
    def keyed(self) -> bool:
        return self.store is not None or self.memory is not None

    def parallel(self, count: int) -> int:
        """How many workers to start for `count` results to make."""
        if self.workers < 2 or count == 0:
            return 1
        if count < MIN_PARALLEL and not self.always_parallel:
            return 1
        return self.workers

    def count(self, what: str, number: int = 1) -> None:
        self.counts[what] = self.counts.get(what, 0) + number

    def get_many(self, kind: str, keys: Sequence[bytes]) -> dict[bytes, Any]:
        found: dict[bytes, Any] = {}
        missing = list(keys)
        if self.memory is not None:
            missing = []
            for key in keys:
                value = self.memory.results.get(key)
                if isinstance(value, _Missing):
                    missing.append(key)
                else:
                    found[key] = value
        if self.store is not None and missing:
            stored = self.store.get_many(kind, missing)
            found.update(stored)
            if self.memory is not None:
                for key, value in stored.items():
                    self.memory.results.put(key, value)
        return found

    def put(self, kind: str, key: bytes, value: Any, pickled: bytes | None = None) -> None:
        """Keep `value` under `key`; `pickled` is `cache.dumps(value)`, if made."""
        if self.store is not None:
            if pickled is None:
                self.store.put(kind, key, value)
            else:
                self.store.put_pickled(kind, key, pickled)
        if self.memory is not None:
            self.memory.results.put(key, value)

    def text_digest(self, text: str) -> bytes:
        """The digest of an article's text (worked out once per text object)."""
        texts = self.memory.texts if self.memory is not None else self._texts
        found = texts.get(id(text))
        if isinstance(found, _Missing) or found[0] is not text:
            found = (text, digest.of_bytes(text.encode("utf-8", "surrogatepass")))
            texts.put(id(text), found)
        return found[1]

    def __post_init__(self) -> None:
        self._texts: Generations[int, tuple[str, bytes]] = Generations()


def _opt(value: str | None) -> str:
    return "\x00" if value is None else "\x01" + value


# load and validate


class Files:
    """load.Reused over the cache and the memory: a file whose stat is unchanged is not read."""

    def __init__(self, reuse: Reuse) -> None:
        self.reuse = reuse
        self.keys: dict[int, bytes] = {}
        """id(record) -> the key of the file it came from."""
        self._records: list[Record] = []
        self._fetched: dict[bytes, Any] = {}

    def prefetch(self, files: Iterable[tuple[str, str, os.stat_result]]) -> None:
        store = self.reuse.store
        if store is None or self.reuse.memory is not None:
            return  # a preview server's memory answers for the files that did not change
        keys = []
        for rel_path, src_path, info in files:
            file_key = store.file_digest(src_path, info)
            if file_key is not None:
                keys.append(self._key(rel_path, file_key))
        self._fetched = store.get_many("parsed", keys)

    def _key(self, rel_path: str, file_key: bytes) -> bytes:
        return combine("parsed", rel_path, file_key)

    def get(self, rel_path: str, src_path: str, info: os.stat_result) -> Parsed | None:
        memory, store = self.reuse.memory, self.reuse.store
        stat_key = cache._stat_key(info)
        if memory is not None:
            known = memory.parsed.get(rel_path)
            if not isinstance(known, _Missing) and known[0] == stat_key and (
                    store is None or store.file_digest(src_path, info) is not None):
                return self._found(known[2], known[1])
        if store is None:
            return None
        file_key = store.file_digest(src_path, info)
        if file_key is None:
            return None
        key = self._key(rel_path, file_key)
        parsed = self._fetched.pop(key, None) or store.get("parsed", key)
        if not isinstance(parsed, Parsed):
            return None
        if memory is not None:
            memory.parsed.put(rel_path, (stat_key, key, parsed))
        self.reuse.count("file reused")
        return self._found(parsed, key)

    def _found(self, parsed: Parsed, key: bytes) -> Parsed:
        if parsed.record is not None:
            self.keys[id(parsed.record)] = key
            self._records.append(parsed.record)  # kept alive: the id stays its own
        return parsed

    def put(self, rel_path: str, src_path: str, info: os.stat_result, file_key: bytes,
            parsed: Parsed) -> None:
        key = self._key(rel_path, file_key)
        if self.reuse.store is not None:
            self.reuse.store.hashed(src_path, info, file_key)
            self.reuse.store.put("parsed", key, parsed)
        if self.reuse.memory is not None:
            self.reuse.memory.parsed.put(rel_path, (cache._stat_key(info), key, parsed))
        self.reuse.count("file parsed")
        self._found(parsed, key)


def read_files(reuse: Reuse, items: Sequence[load.ToRead]) -> list[load.Read]:
    """`load.read_file` of each file, on every core when there are many."""
    found = dict(pool.each(_read_one, items, len(items), reuse.parallel(len(items)),
                           PAGES_PER_TASK))
    return [found[i] for i in range(len(items))]


def _read_one(items: Sequence[load.ToRead], i: int) -> load.Read:
    return load.read_file(items[i])


@dataclass(frozen=True, slots=True)
class _Shaping:
    records: Sequence[Record]
    check: Callable[[Record], Sequence[Problem]]


def _shape_one(state: _Shaping, i: int) -> tuple[Problem, ...]:
    return tuple(state.check(state.records[i]))


def shapes(reuse: Reuse, files: Files, records: Sequence[Record],
           check: Callable[[Record], Sequence[Problem]]) -> Callable[[Record], Sequence[Problem]]:
    """`check` (validate.check_shape, a module-level function) for `records`: from the cache
    where their files are unchanged, the others checked ahead on every core."""
    keys = {id(r): combine("shape", files.keys[id(r)]) for r in records if id(r) in files.keys}
    known = reuse.get_many("shape", list(keys.values()))
    memory = reuse.memory
    todo = [r for r in records if keys.get(id(r)) not in known and not (
        memory is not None and _remembered(memory, r))]
    made: dict[int, tuple[Problem, ...]] = {}
    count = reuse.parallel(len(todo))
    if count > 1:
        for i, problems in pool.each(_shape_one, _Shaping(todo, check), len(todo), count,
                                     PAGES_PER_TASK):
            made[id(todo[i])] = problems

    def shape(record: Record) -> Sequence[Problem]:
        memory = reuse.memory
        if memory is not None:
            found = memory.shapes.get(id(record))
            if not isinstance(found, _Missing) and found[0] is record:
                return found[1]
        key = keys.get(id(record))
        result = known.get(key) if key is not None else made.get(id(record))
        if result is None and id(record) in made:
            result = made[id(record)]
            if key is not None:
                reuse.put("shape", key, result)
        if result is None:
            result = tuple(check(record))
            if key is not None:
                reuse.put("shape", key, result)
        if memory is not None:
            memory.shapes.put(id(record), (record, result))
        return tuple(result)

    return shape


def _remembered(memory: Memory, record: Record) -> bool:
    found = memory.shapes.get(id(record))
    return not isinstance(found, _Missing) and found[0] is record


# anchor, compare and the views' placements


def anchor_site(site: Site, reuse: Reuse) -> anchor.Anchored:
    """anchor.anchor_site, with the quotes already placed taken from the cache (and, in a
    preview server, each claim's spans and problems from the last run while the claim is the
    same object: they depend on nothing else)."""
    memory = reuse.memory
    if memory is None:
        return _anchor_site(site, reuse)
    made = memory.anchored
    found = made.each(site.claims,
                      lambda c: _anchor_site(dataclasses.replace(site, claims=(c,)), reuse))
    return anchor.Anchored(made.union("spans", found, operator.attrgetter("spans")),
                           _problems_of(found))


def _problems_of(results: Iterable[Any]) -> tuple[Problem, ...]:
    """The problems of each result, in order."""
    return tuple(itertools.chain.from_iterable(map(operator.attrgetter("problems"), results)))


def _anchor_site(site: Site, reuse: Reuse) -> anchor.Anchored:
    keys: dict[tuple[int, str, str | None, str | None], bytes] = {}
    for claim in site.claims:
        for a in claim.appearances:
            text = a.article.text
            keys[(id(text), a.quote, a.prefix, a.suffix)] = combine(
                "span", reuse.text_digest(text), a.quote, _opt(a.prefix), _opt(a.suffix))
    known = reuse.get_many("span", list(keys.values()))

    def find(text: str, quote: str, prefix: str | None, suffix: str | None
             ) -> anchor.Found | anchor.Ambiguous | anchor.NotFound:
        key = keys[(id(text), quote, prefix, suffix)]
        found = known.get(key)
        if found is None:
            found = anchor.find_span(text, quote, prefix, suffix)
            known[key] = found
            reuse.put("span", key, found)
            reuse.count("span made")
        return found

    return anchor.anchor_site(site, find)


@dataclass(frozen=True, slots=True)
class _Comparing:
    requests: Sequence[compare.Request]
    spellings: tuple[tuple[str, ...], ...]
    entities: Any


def _compare_one(state: _Comparing, i: int) -> bytes:
    """A comparison made in a worker, pickled there (the cache keeps it as it comes)."""
    r = state.requests[i]
    return cache.dumps(compare.compare(r.text, r.start, r.end, r.passage, state.spellings,
                                       state.entities))


def compare_site(site: Site, spans: Mapping[AppearanceKey, Span], reuse: Reuse
                 ) -> compare.Compared:
    """compare.compare_site, with the comparisons already made taken from the cache and the
    others made on every core (and, in a preview server, each claim's results from the last
    run while the claim, its spans, the spellings and the entities are the same objects)."""
    memory = reuse.memory
    if memory is None:
        return _compare_site(site, spans, reuse)
    made = memory.compared

    def one(claim: Any, spellings: Any, entities: Any, spanned: Mapping[AppearanceKey, Span]
            ) -> compare.Compared:
        return _compare_site(dataclasses.replace(site, claims=(claim,)), spanned, reuse)

    found = made.each(site.claims, one, spans, args=(site.spellings, site.entities))
    return compare.Compared(
        made.union("comparisons", found, operator.attrgetter("comparisons")),
        frozenset().union(*(r.not_comparable for r in found if r.not_comparable)),
        _problems_of(found))


def _compare_site(site: Site, spans: Mapping[AppearanceKey, Span], reuse: Reuse
                  ) -> compare.Compared:
    requests = compare.compare_requests(site, spans)
    tables = combine("tables", _digest_of(site.spellings), _digest_of(site.entities))
    keys = [combine("compare", reuse.text_digest(r.text), str(r.start), str(r.end),
                    r.passage, tables) for r in requests]
    known = reuse.get_many("compare", keys)
    made: dict[AppearanceKey, Comparison] = {}
    todo: list[int] = []
    for i, (request, key) in enumerate(zip(requests, keys, strict=True)):
        found = known.get(key)
        if isinstance(found, Comparison):
            made[request.key] = found
        else:
            todo.append(i)
    missing = [requests[i] for i in todo]
    state = _Comparing(missing, site.spellings, site.entities)
    count = reuse.parallel(len(missing))
    for j, pickled in pool.each(_compare_one, state, len(missing), count, PAGES_PER_TASK):
        comparison = pickle.loads(pickled)
        made[missing[j].key] = comparison
        reuse.put("compare", keys[todo[j]], comparison, pickled)
    reuse.count("compare made", len(missing))
    return compare.compare_site(site, spans, made)


def _digest_of(value: Any) -> bytes:
    try:
        return Digests().of(value)
    except Undigestible:
        return os.urandom(16)  # never equal to anything stored: nothing is reused


@dataclass(frozen=True, slots=True)
class _Placing:
    requests: Sequence[tuple[Any, Span]]


def _place_one(state: _Placing, i: int) -> views.Placed:
    return views.place(*state.requests[i])


def placements(site: Site, spans: Mapping[AppearanceKey, Span], reuse: Reuse
               ) -> dict[AppearanceKey, views.Placed]:
    """views.place of every placed appearance, from the cache or made on every core (in a
    preview server, each claim's from the last run while the claim and its spans are the same
    objects)."""
    memory = reuse.memory
    if memory is None:
        return _placements(site, spans, reuse)
    made = memory.placed

    def one(claim: Any, spanned: Mapping[AppearanceKey, Span]
            ) -> dict[AppearanceKey, views.Placed]:
        return _placements(dataclasses.replace(site, claims=(claim,)), spanned, reuse)

    found = made.each(site.claims, one, spans)
    return made.union("placed", found, _itself)


def _itself(value: Any) -> Any:
    return value


def _placements(site: Site, spans: Mapping[AppearanceKey, Span], reuse: Reuse
                ) -> dict[AppearanceKey, views.Placed]:
    wanted: list[tuple[AppearanceKey, Any, Span, bytes]] = []
    for claim in site.claims:
        for a in claim.appearances:
            span = spans.get((claim.id, a.index))
            if span is None:
                continue
            article = a.article
            key = combine("place", reuse.text_digest(article.text), _opt(article.url),
                          str(span.start), str(span.end))
            wanted.append(((claim.id, a.index), article, span, key))
    known = reuse.get_many("place", [w[3] for w in wanted])
    placed: dict[AppearanceKey, views.Placed] = {}
    todo = []
    for item in wanted:
        found = known.get(item[3])
        if isinstance(found, views.Placed):
            placed[item[0]] = found
        else:
            todo.append(item)
    state = _Placing([(article, span) for _, article, span, _ in todo])
    count = reuse.parallel(len(todo))
    for j, where in pool.each(_place_one, state, len(todo), count, PAGES_PER_TASK * 4):
        placed[todo[j][0]] = where
        reuse.put("place", todo[j][3], where)
    reuse.count("place made", len(todo))
    return placed


# render, index and write


@dataclass(frozen=True, slots=True)
class _Rendering:
    renderer: render.Renderer
    jobs: Sequence[render.Job]
    roots: Sequence[Any]
    """Shared objects whose digests the workers work out (for the jobs' keys)."""
    views: views.SiteViews
    labels: Mapping[str, Any]
    staging: Path | None = None
    """Where the pages are written as they are made, by whoever makes them (a clean build's
    `SiteWriter.shared_staging()`): the bytes then need not travel back to be written."""
    made: set[str] = field(default_factory=set)
    """The folders this process has made or found in `staging` (each worker its own copy)."""


_worker_digests: tuple[_Rendering, Digests] | None = None
"""A worker's digests of the shared objects it met, for the rendering state it works on:
the sources, articles and outlets that many roots hold are digested once per worker, not
once per chunk."""


def _digest_chunk(state: _Rendering, chunk: tuple[int, int]) -> list[tuple[int, bytes]]:
    global _worker_digests
    if _worker_digests is None or _worker_digests[0] is not state:
        _worker_digests = (state, Digests())
    digests = _worker_digests[1]
    out = []
    for i in range(*chunk):
        try:
            out.append((i, digests.of_shared(state.roots[i])))
        except Undigestible:
            continue
    return out


@dataclass(frozen=True, slots=True)
class _Rendered:
    index: int
    data: bytes
    """Empty when the file was written where it was made (`written`)."""
    digest: bytes
    seconds: float
    """How long it took to make (a preview server makes the slow ones after a change)."""
    written: Written | None = None


@dataclass(frozen=True, slots=True)
class _Broken:
    index: int
    problems: tuple[Problem, ...]


def _render_chunk(state: _Rendering, indices: tuple[int, ...]) -> list[_Rendered | _Broken]:
    out: list[_Rendered | _Broken] = []
    for i in indices:
        started = time.perf_counter()
        try:
            data = state.renderer.run(state.jobs[i])
        except ContentError as error:
            out.append(_Broken(i, error.problems))
            return out
        digest = file_digest(data)
        if state.staging is not None:
            try:
                written = write_new(state.staging, state.jobs[i].out_path, data, digest,
                                    state.made)
            except (OSError, ValueError):
                pass  # the bytes go back, for the build to write and report what is wrong
            else:
                out.append(_Rendered(i, b"", digest, time.perf_counter() - started, written))
                continue
        out.append(_Rendered(i, data, digest, time.perf_counter() - started))
    return out


Pickled = Sequence[bytes | None]
"""Search documents by claim position, each as `cache.dumps` pickled it (None where there is
none): they travel to the process that makes the search files as they are stored, and only
that process loads them."""


def _index_task(state: _Rendering, known: Pickled | None
                ) -> tuple[dict[str, bytes | Written], dict[int, bytes]]:
    return search_files(state.views, state.labels, known, state.staging)


def search_files(site_views: views.SiteViews, labels: Mapping[str, Any], known: Pickled | None,
                 staging: Path | None = None
                 ) -> tuple[dict[str, bytes | Written], dict[int, bytes]]:
    """The search files of the site, and the documents made for them (those not `known`, or
    that do not load), pickled, by claim position. With `staging` (a clean build's shared
    staging folder) the search files are written there as they are made, and what
    `write_new` told of each is given instead of its bytes.

    The documents are held pickled, one at a time as objects; from FRESH_INDEX claims on the
    index is made of them in a new process (`pool.fresh`), so that the memory it takes does not
    come on top of what this process holds (a worker forked from the build)."""
    folds = search.site_folds(site_views.site)
    payloads: list[bytes] = []
    made: dict[int, bytes] = {}
    for position, view in enumerate(site_views.claims):
        payload = known[position] if known is not None else None
        found = cache.loads(payload) if payload is not None else None
        if payload is not None and isinstance(found, SearchDocument):
            document = search.placed(found, position)
            payloads.append(payload if document is found else cache.dumps(document))
        else:
            made[position] = cache.dumps(search.claim_document(view, position, labels, folds))
            payloads.append(made[position])
    if len(payloads) >= FRESH_INDEX:
        return pool.fresh(_index_files, payloads, folds, staging), made
    return _index_files(payloads, folds, staging), made


def _index_files(payloads: Sequence[bytes], folds: search.FoldTable, staging: Path | None
                 ) -> dict[str, bytes | Written]:
    """The search files of the pickled documents: their bytes, or with `staging` what
    `write_new` told of each as it wrote it there (the bytes of any it could not write)."""
    files = search.index_files([cache.loads(payload) for payload in payloads], folds)
    if staging is None:
        return dict(files)
    folders: set[str] = set()
    out: dict[str, bytes | Written] = {}
    for out_path, data in files.items():
        try:
            out[out_path] = write_new(staging, out_path, data, file_digest(data), folders)
        except (OSError, ValueError):
            out[out_path] = data  # for the build to write and report what is wrong
    return out


@dataclass(frozen=True, slots=True)
class _Searched:
    """What the search files are made of: each claim's document's key, and their key."""

    documents: tuple[bytes, ...]
    """By claim position: the key of its document (the claim's view, the labels, the folds)."""
    key: bytes
    """The key of the search files (empty when a view cannot be digested: always made)."""

    @classmethod
    def of(cls, labels: Mapping[str, Any], digests: Digests, site_views: views.SiteViews
           ) -> _Searched:
        """The keys, from the digests of the views (worked out once for the pages' keys). The
        search files are made of the documents and the folds alone (search.build_search),
        each document of its claim's view, the theme's labels and the folds, by the
        generator's code: not of the templates, whose edits leave them as they are."""
        site = site_views.site
        base = combine("search", cache.generator_digest(), _digest_of(labels))
        try:
            folds = digests.of((site.spellings, site.entities))
            documents = tuple(combine("search document", base, folds, digests.of_shared(view))
                              for view in site_views.claims)
        except Undigestible:
            return cls((), b"")
        return cls(documents, combine("search", base, folds, str(search.POSTINGS_PER_SHARD),
                                      *documents))

    def known(self, reuse: Reuse) -> list[bytes | None] | None:
        """The documents made before (a preview server's, else the cache's), pickled."""
        if not self.key:
            return None
        found: Mapping[bytes, bytes] = (reuse.memory.search_documents
                                        if reuse.memory is not None else {})
        missing = [key for key in self.documents if key not in found]
        if missing and reuse.store is not None:
            found = {**found, **reuse.store.get_many_pickled("search document", missing)}
        return [found.get(key) for key in self.documents]

    def keep(self, reuse: Reuse, made: Mapping[int, bytes], known: Pickled | None) -> None:
        """Keep the documents made now (`made`) for the next build, and in a preview server
        every document the search files were made of, by key."""
        if not self.key:
            return
        if reuse.store is not None:
            for position in sorted(made):
                reuse.store.put_pickled("search document", self.documents[position],
                                        made[position])
        if reuse.memory is not None:
            reuse.memory.search_documents = _by_key(self.documents, made, known)


def _by_key(keys: Sequence[bytes], made: Mapping[int, bytes], known: Pickled | None
            ) -> dict[bytes, bytes]:
    """Every document (made now, else `known`) by its key; empty when one is missing."""
    documents = {}
    for position, key in enumerate(keys):
        document = made.get(position) or (known[position] if known is not None else None)
        if document is None:
            return {}
        documents[key] = document
    return documents


def theme_digest(theme: Theme, shipped: Shipped) -> bytes:
    """The digest of what every page may read of the theme: its templates, labels and files."""
    parts: list[bytes | str] = [cache.generator_digest()]
    for name in sorted(theme.templates):
        parts += [name, theme.templates[name]]
    parts.append(_digest_of(theme.labels))
    for name in sorted(theme.static):
        parts += [name, theme.static[name].out_path]
    parts.append(shipped.lunr_path)
    return combine(*parts)


_READS: dict[tuple[str, bytes], frozenset[tuple[str, ...]]] = {}
"""template_reads by (template name, theme digest)."""


def template_reads(env: Environment, name: str) -> frozenset[tuple[str, ...]]:
    """The globals of `env` that the template `name` (with every template it extends,
    includes or imports) reads: `("site", "title")` for `site.title`, `("views",)` for
    `views` used whole. Worked out from the templates' source, over-approximately."""
    loader = env.loader
    assert loader is not None
    sources = combine(*(part for template in loader.list_templates()
                        for part in (template, loader.get_source(env, template)[0])),
                      *sorted(env.globals))
    found = _READS.get((name, sources))
    if found is None:
        found = _READS[(name, sources)] = _template_reads(env, name)
    return found


def _template_reads(env: Environment, name: str) -> frozenset[tuple[str, ...]]:
    found: set[tuple[str, ...]] = set()
    seen: set[str] = set()
    names = [name]
    loader = env.loader
    assert loader is not None
    every = set(loader.list_templates())
    while names:
        current = names.pop()
        if current in seen:
            continue
        seen.add(current)
        try:
            source = loader.get_source(env, current)[0]
            tree = env.parse(source)
        except (TemplateError, NotImplementedError):
            return frozenset({(g,) for g in env.globals})
        for statement in tree.find_all((nodes.Extends, nodes.Include, nodes.Import,
                                        nodes.FromImport)):
            target = getattr(statement, "template", None)
            if isinstance(target, nodes.Const) and isinstance(target.value, str):
                names.append(target.value)
            else:
                names.extend(every)
        used_under: set[int] = set()
        for access in tree.find_all((nodes.Getattr, nodes.Getitem)):
            inner = getattr(access, "node", None)
            if isinstance(inner, nodes.Name) and inner.name in env.globals:
                if isinstance(access, nodes.Getattr):
                    found.add((inner.name, access.attr))
                    used_under.add(id(inner))
                elif isinstance(access, nodes.Getitem) and isinstance(
                        access.arg, nodes.Const) and isinstance(access.arg.value, str):
                    found.add((inner.name, access.arg.value))
                    used_under.add(id(inner))
        for used in tree.find_all(nodes.Name):
            if isinstance(used, nodes.Name) and used.name in env.globals and (
                    id(used) not in used_under):
                found.add((used.name,))
    return frozenset(found)


def _resolve(env: Environment, path: tuple[str, ...]) -> Any:
    value = env.globals[path[0]]
    for part in path[1:]:
        value = env.getattr(value, part)
    return value


class Keys:
    """The key of every job of one build."""

    def __init__(self, renderer: render.Renderer, digests: Digests, base: bytes,
                 earlier: dict[tuple[str, ...], tuple[Any, bytes]] | None = None) -> None:
        """`earlier` holds the values of globals the last run digested, with their digests
        (a preview server's): a value made of the same objects is not digested again."""
        self.renderer = renderer
        self.digests = digests
        self.base = base
        self._templates: dict[str, bytes] = {}
        self._globals: dict[tuple[str, ...], bytes] = {}
        self.earlier = earlier if earlier is not None else {}
        self.values: dict[tuple[str, ...], tuple[Any, bytes]] = {}
        """The globals digested in this run, for the next."""

    def _global(self, path: tuple[str, ...]) -> bytes:
        found = self._globals.get(path)
        if found is None:
            env = self.renderer.env
            value = _resolve(env, path)
            before = self.earlier.get(path)
            if callable(value) and not hasattr(value, "__html__"):
                found = combine("code", *path)  # a function: the generator's and theme's own
            elif before is not None and alike(before[0], value):
                found = before[1]
            else:
                found = self.digests.of(value)
            self._globals[path] = found
            self.values[path] = (value, found)
        return found

    def template(self, name: str) -> bytes:
        """The digest of the theme (its templates' sources, labels and files) and of the
        globals the template reads."""
        return self._template(name)

    def templates(self) -> dict[str, bytes]:
        """`template(name)` of every template worked out so far."""
        return dict(self._templates)

    def _template(self, name: str) -> bytes:
        found = self._templates.get(name)
        if found is None:
            reads = sorted(template_reads(self.renderer.env, name))
            found = combine(self.base, name, *(part for path in reads
                                               for part in ("/".join(path), self._global(path))))
            self._templates[name] = found
        return found

    def of(self, job: render.Job) -> bytes:
        """The job's key (for a file of known bytes, the digest of its bytes); empty when a
        value cannot be digested (the job is then always made)."""
        if isinstance(job, render.FileJob):
            return combine("file", file_digest(job.data))
        try:
            if isinstance(job, render.PageJob):
                return combine("page", self.base, self._template(job.template),
                               self.digests.of(job.context))
            if isinstance(job, render.DataJob):
                make = job.make
                return combine("data", self.base, f"{make.__module__}.{make.__qualname__}",
                               self.digests.of(job.args))
        except Undigestible:
            pass
        return b""


def shared_roots(site_views: views.SiteViews) -> list[Any]:
    """The shared objects whose digests most jobs need, claim by claim: its view, its claim
    and its appearances' views (the digests of what holds them, the outlets' and sources'
    views, are quick to work out from these)."""
    roots: list[Any] = []
    for view in site_views.claims:
        roots.append(view)
        roots.append(view.claim)
        roots.extend(view.views)
    return roots


class EarlyCards:
    """The claims' share cards, made in a new process (`pool.Streamed`) and written into a
    clean build's shared staging folder while the build makes its views, when one core
    would otherwise wait for the other (most of the views are made in the building process
    alone). The render stage `take`s the cards made by then, as `add_written` takes a
    worker's files, and renders the rest with the pages. Cards are made in the claims'
    order, so only the one being made when the process was stopped can be a partial file,
    and that one is removed."""

    def __init__(self, staging: Path, cards: Sequence[tuple[str, images.Card]]) -> None:
        self.staging = staging
        self.cards = dict(cards)
        """The cards to make, in the order they are made, by out path."""
        self._streamed = pool.Streamed(_write_cards, staging, cards)
        self._taken: dict[str, Written] | None = None

    @classmethod
    def start(cls, site: Site, theme: Theme, out: SiteWriter, reuse: Reuse
              ) -> EarlyCards | None:
        """The cards of `site` being made, when the build writes into a fresh staging folder
        (a clean build), has several cores and enough claims; else None."""
        staging = out.shared_staging()
        if staging is None or reuse.workers < 2 or len(site.claims) < EARLY_CARDS:
            return None
        return cls(staging, [render.claim_card(site.title, theme.labels, claim)
                             for claim in site.claims])

    def take(self) -> dict[str, Written]:
        """Stop making cards; what was told of each card made, by out path (the same dict
        when asked again)."""
        if self._taken is None:
            made = dict(self._streamed.take())
            if len(made) < len(self.cards):
                cut = self.staging / list(self.cards)[len(made)]
                try:
                    cut.unlink(missing_ok=True)
                except OSError:
                    pass  # then the build's own write of it reports what is wrong
            self._taken = made
        return self._taken

    def made(self, job: render.Job) -> Written | None:
        """What was told of the card `job` writes, when it was made here."""
        if not isinstance(job, render.DataJob) or job.make is not images.share_card:
            return None
        written = self.take().get(job.out_path)
        if written is None or job.args != (self.cards[job.out_path],):
            return None
        return written


def _write_cards(staging: Path, cards: Sequence[tuple[str, images.Card]]
                 ) -> Iterator[tuple[str, Written]]:
    """Each card drawn and written into `staging`, in order, with what `write_new` told of
    it; it stops at the first that cannot be written (the build then writes that one and
    reports what is wrong)."""
    folders: set[str] = set()
    for out_path, card in cards:
        data = images.share_card(card)
        try:
            yield out_path, write_new(staging, out_path, data, file_digest(data), folders)
        except (OSError, ValueError):
            return


def write_site(
    site_views: views.SiteViews, theme: Theme, shipped: Shipped, out: SiteWriter,
    reuse: Reuse, timed: Callable[[str], Any], early: EarlyCards | None = None,
) -> None:
    """Every output of the site into `out`: the theme's jobs, the search files and the
    shipped files, each kept when its key (or its bytes) is the same as the file the last
    build left, else made (on every core) and written. The share cards `early` made are
    taken as they are (and it is stopped) before the pages are rendered."""
    memory = reuse.memory
    renderer = render.Renderer(site_views, theme, shipped,
                               memory.compiled if memory is not None else None,
                               sections=memory.sections if memory is not None else None)
    with timed("render"):
        jobs = list(renderer.jobs())
        for name in sorted({job.template for job in jobs if isinstance(job, render.PageJob)}):
            try:
                renderer.env.get_template(name)  # compiled once, before the workers start
            except TemplateError:
                pass  # reported, with the page, when the page is rendered
    roots = shared_roots(site_views) if reuse.keyed else []
    state = _Rendering(renderer, jobs, roots, site_views, theme.labels, out.shared_staging())
    digests = Digests(previous=memory.digests if memory is not None else None)
    count = reuse.parallel(len(jobs))
    searched = _Searched((), b"")
    known: list[bytes | None] | None = None
    job_keys = Keys(renderer, digests, theme_digest(theme, shipped))
    # With nothing in the output folder to keep (a clean build), every page is made whatever
    # its key: the keys are then worked out here while the workers render.
    ahead = reuse.keyed and bool(out.reusable_files())
    with pool.Workers(state, count) as workers:
        keys = [b""] * len(jobs)
        index_files = None
        if ahead:
            with timed("render"):
                _digest_roots(workers, state, digests, count)
                searched = _Searched.of(theme.labels, digests, site_views)
            index_files = _kept_index(out, reuse, searched.key)
            if index_files is None:
                with timed("index"):
                    known = searched.known(reuse)
        # the search files take one worker longest: started first, made while the rest is
        index = workers.submit(_index_task, known) if index_files is None else None
        if memory is None:
            known = None  # (on its way to the worker: not held here too)
        if ahead:
            with timed("render"):
                keys = [job_keys.of(job) for job in jobs]

        def key(i: int) -> bytes:
            if reuse.keyed and not keys[i]:
                with timed("render"):
                    keys[i] = job_keys.of(jobs[i])
            return keys[i]

        if early is not None:
            with timed("render"):
                early.take()
        todo: list[int] = []
        cards: list[tuple[int, Written]] = []
        for i, job in enumerate(jobs):
            if isinstance(job, render.FileJob):
                with timed("write"):
                    out.add(job.out_path, job.data)
                continue
            made_early = early.made(job) if early is not None else None
            if made_early is not None:
                cards.append((i, made_early))
                continue
            old = out.reusable(job.out_path)
            if keys[i] and old is not None and old.key == keys[i]:
                with timed("write"):
                    out.keep(job.out_path)
                reuse.count("page kept")
                continue
            todo.append(i)
        reuse.count("page made", len(todo))
        pieces = _pieces(todo, renderer.whole, jobs, count)

        made = _make(workers, state, out, jobs, key, pieces, index, timed, memory)
        for i, written in cards:  # (their keys once the workers are busy)
            job_key = key(i)
            with timed("write"):
                out.add_written(jobs[i].out_path, written, key=job_key)
        if early is not None:
            reuse.count("card made early", len(cards))
        if reuse.keyed and not ahead:
            for i in range(len(jobs)):
                key(i)  # the files of known bytes
            with timed("render"):
                searched = _Searched.of(theme.labels, digests, site_views)
        if index_files is not None:
            reuse.count("index kept")
            if reuse.store is not None:  # for the next change to the search files
                reuse.store.used("search document", searched.documents)
        elif reuse.keyed:
            with timed("index"):
                searched.keep(reuse, made, known)
                if reuse.store is not None and searched.key:
                    reuse.store.put("search", searched.key, tuple(sorted(
                        out.written[p].digest for p in _index_paths(out))))
    with timed("index"):
        for out_path, data in shipped.admin.items():
            out.add(out_path, data)
    if memory is not None:
        memory.digests = digests
        memory.keys = {job.out_path: key for job, key in zip(jobs, keys, strict=True)}
        memory.jobs = {job.out_path: job for job in jobs}
        memory.job_list = None  # a preview's next run looks at every job
        memory.templates = job_keys.templates() if reuse.keyed else {}
        memory.renderer = renderer
        memory.globals = job_keys.values if reuse.keyed else {}
        memory.search = searched.key
        memory.search_files = tuple(_index_paths(out))


def _index_paths(out: SiteWriter) -> list[str]:
    return sorted(p for p in out.written
                  if p == search.MANIFEST or p.startswith(search.HASHED + "/"))


def _kept_index(out: SiteWriter, reuse: Reuse, key: bytes) -> list[str] | None:
    """The search files the last build wrote, kept, when the views are the same."""
    if reuse.store is None:
        return None
    known = reuse.store.get("search", key)
    if not isinstance(known, tuple):
        return None
    old = {p: entry for p, entry in _previous_index(out).items()}
    if sorted(entry.digest for entry in old.values()) != list(known) or not old:
        return None
    for out_path in sorted(old):
        out.keep(out_path)
    return sorted(old)


def _previous_index(out: SiteWriter) -> dict[str, Any]:
    return {out_path: entry for out_path, entry in out.reusable_files().items()
            if out_path == search.MANIFEST or out_path.startswith(search.HASHED + "/")}


def _digest_roots(workers: pool.Workers[_Rendering], state: _Rendering, digests: Digests,
                  count: int) -> None:
    """The digests of the shared roots, worked out by the workers and taken as known here."""
    roots = state.roots
    size = pool.chunk_size(len(roots), count, PAGES_PER_TASK * 8)
    if count == 1:
        return  # worked out here as the keys need them
    for results in workers.map(_digest_chunk, pool.chunks(len(roots), size)):
        for i, found in results:
            digests.known(roots[i], found)


def _pieces(todo: Sequence[int], whole: Container[str], jobs: Sequence[render.Job], count: int
            ) -> list[tuple[int, ...]]:
    """The jobs to make, in pieces for the workers: first each output made of every claim
    (`Renderer.whole`) on its own, since one of them takes as long as many pages (made last,
    one would keep a single worker busy while the others have nothing left to do); then the
    rest in order, in chunks."""
    first = [i for i in todo if jobs[i].out_path in whole]
    rest = [i for i in todo if jobs[i].out_path not in whole]
    size = pool.chunk_size(len(rest), count, PAGES_PER_TASK)
    return [(i,) for i in first] + [tuple(rest[start:stop])
                                    for start, stop in pool.chunks(len(rest), size)]


def _make(
    workers: pool.Workers[_Rendering], state: _Rendering, out: SiteWriter,
    jobs: Sequence[render.Job], key: Callable[[int], bytes], pieces: Sequence[tuple[int, ...]],
    index: pool.Pending[tuple[dict[str, bytes | Written], dict[int, bytes]]] | None,
    timed: Callable[[str], Any], memory: Memory | None,
) -> dict[int, bytes]:
    """Render the pieces and write them as they come, then the search files (`index`, when
    they are being made: the search documents made for them are returned, by claim
    position); a template error is reported as a serial build would: the first page's, in
    order. A preview server's `memory` learns how long each page took."""
    broken = False
    for result in workers.map(_render_chunk, pieces):
        for item in result:
            if isinstance(item, _Broken):
                broken = True
                break
            job, job_key = jobs[item.index], key(item.index)
            with timed("write"):
                if item.written is not None:
                    out.add_written(job.out_path, item.written, key=job_key)
                else:
                    out.add(job.out_path, item.data, key=job_key, digest=item.digest)
            if memory is not None:
                memory.costs[job.out_path] = item.seconds
        if broken:
            break
    if broken:
        for i in sorted(i for piece in pieces for i in piece):  # the first error in the
            state.renderer.run(jobs[i])  # jobs' order, as without workers
        raise AssertionError("a template error that does not recur")  # pragma: no cover
    if index is None:
        return {}
    files, made = index.get()
    with timed("write"):
        for out_path, data in files.items():
            if isinstance(data, bytes):
                out.add(out_path, data)
            else:
                out.add_written(out_path, data)
    return made



# A preview server's site


@dataclass
class Preview:
    """The site after a change, as a preview server serves it: every file's job and key, the
    bytes of the files made now; `finish()` makes the rest (the slow jobs, the search files)."""

    renderer: render.Renderer
    jobs: dict[str, render.Job]
    """out path -> its job, for every file but the search files."""
    keys: dict[str, bytes]
    made: dict[str, bytes]
    """The bytes of the files whose keys changed, made now."""
    later: list[str]
    """Files whose keys changed, to be made by `finish()` (those that took long last time)."""
    memory: Memory
    site_views: views.SiteViews

    def finish(self) -> dict[str, bytes]:
        """The bytes of the files left for later, and of the search files when they changed
        (the search files of the site are then these, and no others)."""
        return {**self.finish_pages(), **self.finish_search()}

    def finish_pages(self, stop: Callable[[], bool] | None = None) -> dict[str, bytes]:
        """The bytes of the files left for later; of those made before `stop()` said to stop,
        when it did."""
        files: dict[str, bytes] = {}
        for out_path in self.later:
            if stop is not None and stop():
                break
            files[out_path] = _timed_run(self.renderer, self.jobs[out_path], out_path,
                                         self.memory)
        return files

    def finish_search(self, stop: Callable[[], bool] | None = None) -> dict[str, bytes]:
        """The bytes of the search files when they changed (the search files of the site are
        then these, and no others); else, or when `stop()` said to stop first, nothing."""
        memory = self.memory
        searched = _Searched.of(self.renderer.theme.labels, Digests(previous=memory.digests),
                                self.site_views)
        if searched.key and searched.key == memory.search:
            return {}
        known = ([memory.search_documents.get(key) for key in searched.documents]
                 if searched.key else None)
        try:
            found, made = pool.apart(search_files, self.site_views, self.renderer.theme.labels,
                                     known, stop=stop)
        except pool.Stopped:
            return {}
        files = {out_path: data for out_path, data in found.items()
                 if isinstance(data, bytes)}  # all of them: nothing was written (no staging)
        memory.search = searched.key
        memory.search_files = tuple(sorted(files))
        memory.search_documents = _by_key(searched.documents, made, known)
        return files


_SMALL = frozenset({str, int, float, bool, type(None), bytes, Markup})
_SHARED = digest.shared_types()


def _same(a: Any, b: Any, depth: int = 8) -> bool:
    """Whether two jobs (or values of their contexts) are made of the same values without
    digesting them: the objects the model and the views share must be the very same
    objects (they are frozen), other values equal, part by part."""
    if a is b:
        return True
    kind = type(a)
    if kind is not type(b) or kind in _SHARED or depth == 0:
        return False
    if kind in _SMALL:
        return bool(a == b)
    if kind is tuple or kind is list:
        if len(a) != len(b):
            return False
        if all(map(operator.is_, a, b)):
            return True
        return all(_same(x, y, depth - 1) for x, y in zip(a, b, strict=True))
    if kind is dict:
        return a.keys() == b.keys() and all(_same(a[k], b[k], depth - 1) for k in a)
    getter = _FIELDS.get(kind)
    if getter is None:
        if not dataclasses.is_dataclass(kind):
            return False
        names = [f.name for f in dataclasses.fields(kind)]
        getter = _FIELDS[kind] = (operator.attrgetter(*names) if len(names) > 1
                                  else lambda obj: (getattr(obj, names[0]),) if names else ())
    return _same(getter(a), getter(b), depth)


_FIELDS: dict[type, Callable[[Any], Any]] = {}


def _timed_run(renderer: render.Renderer, job: render.Job, out_path: str, memory: Memory
               ) -> bytes:
    started = time.perf_counter()
    data = renderer.run(job)
    memory.costs[out_path] = time.perf_counter() - started
    return data


SLOW_JOB_SECONDS = 0.01
"""A job that took longer than this the last time is made after the browser is told of a
change (the feed of every claim, a tag's list of a thousand claims; a claim's page takes a few
milliseconds), with the search files; a page asked for before then is made when asked for."""
FOREGROUND_PAGES = 64
"""Pages a change makes before the browser is told: more (after a theme edit) are made after,
and a page asked for meanwhile is made when it is asked for."""


def _template(job: render.Job) -> str | None:
    return job.template if isinstance(job, render.PageJob) else None


def _by_template(jobs: Sequence[render.Job]) -> dict[str, tuple[int, ...]]:
    found: dict[str, list[int]] = {}
    for i, job in enumerate(jobs):
        if isinstance(job, render.PageJob):
            found.setdefault(job.template, []).append(i)
    return {name: tuple(positions) for name, positions in found.items()}


def preview_site(
    site_views: views.SiteViews, theme: Theme, shipped: Shipped, reuse: Reuse,
    timed: Callable[[str], Any],
) -> Preview:
    """The jobs of the site and the bytes of those whose keys changed since the last run of
    the preview server (`reuse.memory`), made in this process."""
    memory = reuse.memory
    assert memory is not None
    with timed("render"):
        renderer = render.Renderer(site_views, theme, shipped, memory.compiled, memory.jobs,
                                   memory.sections)
        jobs = tuple(renderer.jobs())
        digests = Digests(previous=memory.digests)
        job_keys = Keys(renderer, digests, theme_digest(theme, shipped), memory.globals)
        last = memory.job_list
        by_template: dict[str, tuple[int, ...]] | None = None
        if last is not None and len(last) == len(jobs):
            # the same jobs at the same places but for a few: only those few are looked at
            differ = other_at(jobs, last)
            if all(_template(jobs[i]) == _template(last[i]) for i in differ):
                by_template = memory.by_template
        if by_template is None:
            differ = list(range(len(jobs)))
            by_template = _by_template(jobs)
        templates = {name: job_keys.template(name) for name in sorted(by_template)}
        looked = set(differ).union(memory.unkeyed, *(
            by_template[name] for name, digest in templates.items()
            if memory.templates.get(name) != digest))
        positions = sorted(looked)
        patched = len(positions) < len(jobs)  # the last run's keys, patched where looked at
        keys = dict(memory.keys) if patched else {}
        jobs_by_path = dict(memory.jobs) if patched else {}
        if patched:
            for i in differ:
                gone = last[i].out_path  # type: ignore[index]
                del keys[gone]
                del jobs_by_path[gone]
        unkeyed = []
        for i in positions:
            job = jobs[i]
            before = memory.jobs.get(job.out_path)
            known = memory.keys.get(job.out_path)
            if known and before is not None and (before is job or _same(before, job)) and (
                    not isinstance(job, render.PageJob)
                    or memory.templates.get(job.template) == templates[job.template]):
                keys[job.out_path] = known
            else:
                keys[job.out_path] = job_keys.of(job)
                if not keys[job.out_path]:
                    unkeyed.append(i)
            jobs_by_path[job.out_path] = job
    made: dict[str, bytes] = {}
    later: list[str] = []
    for i in positions:
        job = jobs[i]
        key = keys[job.out_path]
        if key and memory.keys.get(job.out_path) == key:
            continue
        if memory.costs.get(job.out_path, 0.0) > SLOW_JOB_SECONDS or len(
                made) >= FOREGROUND_PAGES:
            later.append(job.out_path)
            continue
        with timed("render"):
            made[job.out_path] = _timed_run(renderer, job, job.out_path, memory)
    reuse.count("page made", len(made) + len(later))
    reuse.count("page kept", len(jobs) - len(made) - len(later))
    digests.carry(shared_roots(site_views))
    memory.digests = digests
    memory.keys = keys
    memory.jobs = jobs_by_path
    memory.job_list = jobs
    memory.by_template = by_template
    memory.unkeyed = tuple(unkeyed)
    memory.templates = templates
    memory.renderer = renderer
    memory.globals = job_keys.values
    return Preview(renderer, memory.jobs, keys, made, later, memory, site_views)
