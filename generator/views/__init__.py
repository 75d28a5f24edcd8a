"""The Site, its spans and comparisons -> SiteViews: the editorial derivations pages show.

Display order, contexts, links, propagation chains, article groups, outlet records, lists."""

from __future__ import annotations

import bisect
import dataclasses
import functools
import itertools
import operator
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from generator.memo import Made, each, plain
from generator.model import (
    Appearance,
    AppearanceKey,
    Article,
    ChangeKind,
    CiteKind,
    Claim,
    Comparison,
    Meaning,
    Outlet,
    PartialDate,
    Site,
    Source,
    Span,
    Status,
    Update,
    UpdateKind,
)
from generator.text import squash
from generator.views import propagation, timeline
from generator.views.propagation import Chain
from generator.views.textfragment import fragment_url
from generator.views.timeline import Timeline

CONTEXT_CHARS = 200
"""At most this many characters of context on each side of a quoted span."""
HOME_LIST = 5
"""Claims in each list on the home page."""

READING_ORDER = ("changed", "unreviewed", "not-comparable", "preserved", "none")
"""The most telling reading first: an article with several passages is drawn as its first
(`unreviewed`: no reading yet; `none`: nothing to compare with)."""


@dataclass(frozen=True, slots=True)
class Context:
    """A quoted span inside the sentence around it."""

    before: str
    """Text before the span, starting at its sentence (with `… ` when cut)."""
    marked: str
    after: str
    """Text after the span, to the end of its sentence (with ` …` when cut)."""


@dataclass(frozen=True, slots=True)
class Placed:
    """Where a quoted span sits, for readers: in its sentence, and at the end of a link."""

    context: Context
    link: str | None
    """The original article, opened at the span with a text fragment (None without a url)."""


def place(article: Article, span: Span) -> Placed:
    """The span's sentence and its text fragment link: the per-appearance work of the views
    that reads the article's text (done once per appearance, and reused while the text, the
    url and the span are the same)."""
    return Placed(
        sentence_context(article.text, span.start, span.end),
        fragment_url(article.url, article.text, span.start, span.end) if article.url else None,
    )


@dataclass(frozen=True, slots=True)
class EvidenceOp:
    """One piece of the evidence a reader sees: the outlet's words against the passage."""

    kind: str
    """The diff's kinds (`same`, `respelled`, `removed`, `added`, `own`), and for the passage's
    words outside the aligned region `context`, or `dropped` where a detected change names
    them (a negation the outlet's span leaves out, a subject it replaces)."""
    text: str
    source_text: str | None = None
    """For `respelled`, the passage's spelling."""
    joined: bool = False
    """Written without a space before it (punctuation)."""


@dataclass(frozen=True, slots=True)
class AppearanceView:
    appearance: Appearance
    claim: Claim
    number: int
    """1-based position on the claim page."""
    anchor: str
    """The element id on the claim page."""
    span: Span
    context: Context
    link: str | None
    """The original article, opened at the span with a text fragment."""
    chains: tuple[Chain, ...]
    """Paths from the source to this outlet, each ending with the outlet."""
    comparison: Comparison | None
    """What the outlet's words change from the passage; None when there is no passage, or
    when the passage rests on this outlet."""
    not_comparable: bool
    """The passage's only known wording comes from this outlet."""
    evidence: tuple[EvidenceOp, ...]
    """The comparison's diff with the passage's words around it (empty without one)."""
    independent: bool
    """False when the passage's wording may come from this outlet's own reporting (a wire
    story it carried): the comparison is then not an independent check."""
    order: tuple[tuple[int, int, int, int], str, int]
    """Where it stands in its outlet's list: by the article's date (undated last), then by
    claim id and number."""

    @property
    def reading_kind(self) -> str:
        """`changed`, `preserved` or `not-comparable` (the editor's), or `unreviewed`; a
        passage that rests on this very outlet is `not-comparable` whatever the reading."""
        reading = self.appearance.reading
        if reading is not None:
            return reading.meaning.value
        return "not-comparable" if self.not_comparable else "unreviewed"


@dataclass(frozen=True, slots=True)
class ArticleGroup:
    """The appearances of one claim in one article, shown together."""

    article: Article
    views: tuple[AppearanceView, ...]
    anchor: str
    number: int
    kind: str
    """The fidelity class to draw: the most telling of the group's appearances."""


@dataclass(frozen=True, slots=True)
class OutletRecord:
    """What the editors found of one outlet's appearances: only reviewed readings count."""

    total: int
    reviewed: int
    """Appearances with an editor's reading."""
    changed: tuple[AppearanceView, ...]
    """Reviewed appearances whose meaning the editor read as changed, in date order."""
    preserved: int
    not_comparable: int
    quotation_changed: int
    """Reviewed appearances whose quoted words the editor read as changed."""

    @property
    def unreviewed(self) -> int:
        return self.total - self.reviewed


@dataclass(frozen=True, slots=True)
class OutletMention:
    """One outlet that repeated a claim, as the top of the claim page lists it."""

    outlet: Outlet
    anchor: str
    """Where its first article is on the claim page."""
    reading: str
    """The most serious reading of its appearances (`changed`, `unreviewed`,
    `not-comparable`, `preserved`, or `none` without a passage to compare with)."""
    changes: tuple[ChangeKind, ...]
    """How the meaning changed, over its appearances, in the vocabulary's order."""


STATUS_WEIGHT = {
    Status.MISREPRESENTED: 5, Status.NOT_IN_SOURCE: 4, Status.OUTDATED: 3,
    Status.UNCHECKED: 2, Status.UNLOCATED: 1, Status.CONFIRMED: 0,
}
"""How much a status weighs in a claim's seriousness, after the meaning changes found."""


@dataclass(frozen=True, slots=True)
class ClaimView:
    claim: Claim
    views: tuple[AppearanceView, ...]
    """In date order (undated last), then by article id and position in the article."""
    groups: tuple[ArticleGroup, ...]
    chains: tuple[Chain, ...]
    """Every path from the source to an outlet, once each, in order of first appearance."""
    timeline: Timeline | None
    updated: PartialDate
    """The newest date on the claim: when it was reviewed or last updated."""
    articles: int
    """How many different articles repeated it."""
    any_diff: bool
    """Some appearance has a comparison with a diff to show."""
    outlets: tuple[OutletMention, ...]
    """Who repeated it, the most serious reading first."""
    seriousness: tuple[int, int]
    """(appearances read as changing the meaning, the status's weight): larger is more
    serious; lists break ties of date with it."""
    corrections: tuple[Update, ...]
    """The corrections and clarifications of the entry, newest first."""
    newest: tuple[tuple[int, int, int], tuple[int, ...], str]
    """Where it stands in a list newest first: by the date of the last review or update,
    newest first; ties by seriousness, most serious first, then by id."""


@dataclass(frozen=True, slots=True)
class OutletClaim:
    """One claim an outlet repeated: the claim's view and the outlet's appearances of it, in
    date order. Unpacks as the pair (`for claim_view, appearance_views in by_claim`)."""

    claim_view: ClaimView
    views: tuple[AppearanceView, ...]

    def __iter__(self) -> Iterator[Any]:
        return iter((self.claim_view, self.views))


@dataclass(frozen=True, slots=True)
class OutletView:
    outlet: Outlet
    record: OutletRecord
    by_claim: tuple[OutletClaim, ...]
    """What the outlet repeated, claim by claim, in date order of its appearances (a claim
    stands where its first appearance does)."""
    updated: PartialDate | None = None
    """The newest date on any claim it repeated (None for none)."""


@dataclass(frozen=True, slots=True)
class SourceView:
    source: Source
    claims: tuple[ClaimView, ...]
    """The claims that go back to it, by id."""
    citing: tuple[Article, ...]
    """The articles that cite it, by outlet name."""


@dataclass(frozen=True, slots=True)
class SiteViews:
    site: Site
    claims: tuple[ClaimView, ...]
    """By id."""
    outlets: tuple[OutletView, ...]
    """By name."""
    sources: tuple[SourceView, ...]
    """By title."""
    newest: tuple[ClaimView, ...]
    """The home page's newest claims: by the date of their last review or update."""
    repeated: tuple[ClaimView, ...]
    """The home page's most repeated claims: by articles, then appearances."""
    by_status: tuple[tuple[Status, tuple[ClaimView, ...]], ...]
    """Every status that has claims, in the vocabulary's order."""
    tags: tuple[tuple[str, tuple[ClaimView, ...]], ...]
    """Every tag, in order, with its claims, newest first."""
    by_update: tuple[ClaimView, ...]
    """Every claim by the date of its last review or update, newest first, then by id (the
    feed's order)."""
    corrections: tuple[tuple[ClaimView, Update], ...]
    """Every correction and clarification of the site, newest first (then by claim id)."""
    counts: Mapping[Status, int]
    marks: Mapping[str, tuple[tuple[int, int], ...]]
    """Article id -> the spans of its text that claims quote, merged, in order."""


def build_views(
    site: Site, spans: Mapping[AppearanceKey, Span],
    comparisons: Mapping[AppearanceKey, Comparison],
    placed: Mapping[AppearanceKey, Placed] | None = None,
    made: Made | None = None,
) -> SiteViews:
    """The views of the site; `placed` holds `place(...)` of appearances already worked out,
    `made` what earlier runs made (in a preview server: a claim's view is made again only
    when the claim, its spans, comparisons or the articles it reads are other objects)."""
    articles = {article.id: article for article in site.articles}
    sources = {source.id: source for source in site.sources}
    if made is not None:
        made.turn()
    reuse = made.make if made is not None else plain
    made_views = each(made, site.claims, _claim_view, spans, comparisons, articles, sources,
                      placed or {})
    claims = tuple(made_views)
    said = (made.derived("said", made_views, functools.partial(_said_lists, reuse=reuse),
                         _patched_said) if made is not None else _said_lists(made_views))
    newest = _derive(made, "newest", made_views, _one, _NEWEST).get(None, _NO_GROUP)[1][:HOME_LIST]
    shown = {view.claim.id for view in newest}
    most = _derive(made, "repeated", made_views, _one, _repeated).get(None, _NO_GROUP)[1]
    repeated = itertools.islice((c for c in most if c.views and c.claim.id not in shown),
                                HOME_LIST)
    counts = {status: 0 for status in Status}
    for view in claims:
        counts[view.claim.status] += 1
    statuses = _derive(made, "by_status", made_views, _status, _CLAIM_ID)
    tags = _derive(made, "tags", made_views, _TAGS, _NEWEST)
    return SiteViews(
        site=site,
        claims=claims,
        outlets=tuple(_outlet_views(site, said, reuse)),
        sources=tuple(_source_views(site, _derive(made, "sources", made_views, _source_of,
                                                  _CLAIM_ID), reuse)),
        newest=newest,
        repeated=tuple(repeated),
        by_status=tuple(statuses[status] for status in Status if status in statuses),
        tags=tuple(tags[tag] for tag in sorted(tags)),
        by_update=_derive(made, "by_update", made_views, _one, _by_update).get(
            None, _NO_GROUP)[1],
        corrections=tuple(sorted(
            ((view, update) for view in claims for update in view.corrections),
            key=lambda pair: (_descending(pair[1].date), pair[0].claim.id),
        )),
        counts=counts,
        marks=Marks(claims),
    )


Group = tuple[Any, tuple[ClaimView, ...]]
"""(a name, the claims in it)."""


def _derive(made: Made | None, name: str, views: Sequence[ClaimView],
            groups_of: Callable[[ClaimView], Iterable[Any]], key: Callable[[ClaimView], Any]
            ) -> dict[Any, Group]:
    """Name -> (name, its claims in `key` order), for the names `groups_of` each claim: in a
    preview server's run after a change, the last run's groups patched where the changed
    claims stand (each key must be unique to its claim)."""
    whole = functools.partial(_grouped, groups_of=groups_of, key=key)
    if made is None:
        return whole(views)
    return made.derived(name, views, whole,
                        functools.partial(_regrouped, groups_of=groups_of, key=key))


def _grouped(views: Iterable[ClaimView], groups_of: Callable[[ClaimView], Iterable[Any]],
             key: Callable[[ClaimView], Any]) -> dict[Any, Group]:
    found: dict[Any, list[ClaimView]] = {}
    for view in views:
        for name in groups_of(view):
            found.setdefault(name, []).append(view)
    return {name: (name, tuple(sorted(group, key=key))) for name, group in found.items()}


def _regrouped(before: Mapping[Any, Group], gone: Iterable[ClaimView],
               new: Iterable[ClaimView], groups_of: Callable[[ClaimView], Iterable[Any]],
               key: Callable[[ClaimView], Any]) -> dict[Any, Group]:
    """`_grouped` of the claims of `before` with `gone` replaced by `new`."""
    lists: dict[Any, list[ClaimView]] = {}

    def group(name: Any) -> list[ClaimView]:
        found = lists.get(name)
        if found is None:
            found = lists[name] = list(before[name][1]) if name in before else []
        return found

    for view in gone:
        for name in groups_of(view):
            found = group(name)
            at = bisect.bisect_left(found, key(view), key=key)
            assert found[at] is view
            del found[at]
    for view in new:
        for name in groups_of(view):
            bisect.insort(group(name), view, key=key)
    out = dict(before)
    for name, found in lists.items():
        if found:
            out[name] = (name, tuple(found))
        else:
            del out[name]
    return out


def _one(view: ClaimView) -> tuple[None]:
    return (None,)


def _status(view: ClaimView) -> tuple[Status]:
    return (view.claim.status,)


def _by_update(view: ClaimView) -> tuple[tuple[int, int, int], str]:
    return (view.newest[0], view.claim.id)


def _repeated(view: ClaimView) -> tuple[int, int, str]:
    """The home page's most repeated first: by articles, then appearances, then id."""
    return (-view.articles, -len(view.views), view.claim.id)


_NO_GROUP: Group = (None, ())
_TAGS = operator.attrgetter("claim.tags")
_CLAIM_ID = operator.attrgetter("claim.id")


class Marks(Mapping[str, tuple[tuple[int, int], ...]]):
    """Article id -> the spans of its text that claims quote, merged, in order: worked out
    when first read (only pages of whole article texts need them)."""

    def __init__(self, claims: tuple[ClaimView, ...]) -> None:
        self._claims = claims
        self._marks: dict[str, tuple[tuple[int, int], ...]] | None = None

    def _all(self) -> dict[str, tuple[tuple[int, int], ...]]:
        if self._marks is None:
            marked: dict[str, list[tuple[int, int]]] = {}
            for view in self._claims:
                for appearance_view in view.views:
                    span = appearance_view.span
                    marked.setdefault(appearance_view.appearance.article.id, []).append(
                        (span.start, span.end))
            self._marks = {article_id: tuple(merged(found))
                           for article_id, found in sorted(marked.items())}
        return self._marks

    def __getitem__(self, article_id: str) -> tuple[tuple[int, int], ...]:
        return self._all()[article_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())

    def __reduce__(self) -> tuple[Any, ...]:
        return dict, (self._all(),)


def _claim_view(
    claim: Claim,
    spans: Mapping[AppearanceKey, Span],
    comparisons: Mapping[AppearanceKey, Comparison],
    articles: Mapping[str, Article],
    sources: Mapping[str, Source],
    placed: Mapping[AppearanceKey, Placed],
) -> ClaimView:
    spanned = [(a, spans[(claim.id, a.index)]) for a in claim.appearances
               if (claim.id, a.index) in spans]
    spanned.sort(key=lambda pair: _appearance_order(pair[0], pair[1]))
    named: dict[str, set[str]] = {}
    near = {a.index: propagation.named_near(a, span) for a, span in spanned}
    for appearance, _span in spanned:
        named.setdefault(appearance.article.id, set()).update(near[appearance.index])
    views = []
    for number, (appearance, span) in enumerate(spanned, 1):
        article = appearance.article
        where = placed.get((claim.id, appearance.index)) or place(article, span)
        views.append(AppearanceView(
            appearance=appearance,
            claim=claim,
            number=number,
            anchor=f"appearance-{number}",
            span=span,
            context=where.context,
            link=where.link,
            chains=propagation.chains(claim, appearance, articles, named[article.id],
                                      near[appearance.index], sources),
            comparison=comparisons.get((claim.id, appearance.index)),
            evidence=evidence(comparisons.get((claim.id, appearance.index)),
                              claim.passage.text if claim.passage else ""),
            not_comparable=claim.passage is not None
            and article.outlet.id in claim.passage.rests_on,
            independent=claim.passage is None
            or article.outlet.id not in claim.passage.may_rest_on,
            order=((0, *article.date.sort_key()) if article.date else (1, 0, 0, 0), claim.id,
                   number),
        ))
    groups = group_by_article(views)
    updated = claim_updated(claim)
    seriousness = (
        sum(1 for v in views if v.appearance.reading is not None
            and v.appearance.reading.meaning is Meaning.CHANGED),
        STATUS_WEIGHT[claim.status],
    )
    return ClaimView(
        claim=claim,
        views=tuple(views),
        groups=groups,
        chains=unique_chains(views),
        timeline=timeline.timeline(timeline.entries(
            claim.source,
            ((g.article, len(g.views), g.kind) for g in groups),
        )),
        updated=updated,
        articles=len({appearance.article.id for appearance in claim.appearances}),
        any_diff=any(v.comparison is not None and bool(v.comparison.diff) for v in views),
        outlets=_mentions(groups),
        seriousness=seriousness,
        corrections=tuple(sorted(
            (u for u in claim.updates if u.kind in CORRECTION_KINDS),
            key=lambda u: _descending(u.date),
        )),
        newest=(_descending(updated), tuple(-n for n in seriousness), claim.id),
    )


_JOINS = re.compile(r"^[.,;:!?)\]}\u2026\u201d\u2019]")


def evidence(found: Comparison | None, passage: str) -> tuple[EvidenceOp, ...]:
    """The diff of `found` inside the passage's words: before and after the aligned region
    the passage is context, except the words a detected change names."""
    if found is None or not found.diff:
        return ()
    start, end = found.region if found.region else (0, len(passage))
    dropped = sorted(
        (w.start, w.end) for change in found.changes for w in change.source
        if w.end <= start or w.start >= end
    )
    ops = _context(passage, 0, start, dropped)
    ops += [EvidenceOp(op.kind, op.text, op.source_text) for op in found.diff]
    ops += _context(passage, end, len(passage), dropped)
    return tuple(
        EvidenceOp(op.kind, op.text, op.source_text, joined=i > 0 and bool(_JOINS.match(op.text)))
        for i, op in enumerate(ops)
    )


def _context(passage: str, lo: int, hi: int, dropped: list[tuple[int, int]]) -> list[EvidenceOp]:
    ops: list[EvidenceOp] = []
    at = lo
    for start, end in dropped:
        start, end = max(start, lo), min(end, hi)
        if start >= end:
            continue
        if passage[at:start].strip():
            ops.append(EvidenceOp("context", passage[at:start].strip()))
        ops.append(EvidenceOp("dropped", passage[start:end]))
        at = end
    if passage[at:hi].strip():
        ops.append(EvidenceOp("context", passage[at:hi].strip()))
    return ops


def _descending(date: PartialDate) -> tuple[int, int, int]:
    year, month, day = date.sort_key()
    return (-year, -month, -day)


_NEWEST = operator.attrgetter("newest")
_ORDER = operator.attrgetter("order")


CORRECTION_KINDS = (UpdateKind.CORRECTION, UpdateKind.CLARIFICATION)
"""The kinds of update that the corrections log lists."""


def _mentions(groups: Iterable[ArticleGroup]) -> tuple[OutletMention, ...]:
    found: dict[str, tuple[Outlet, str, list[AppearanceView]]] = {}
    for group in groups:
        entry = found.setdefault(group.article.outlet.id, (group.article.outlet, group.anchor, []))
        entry[2].extend(group.views)
    mentions = []
    for outlet, anchor, views in found.values():
        reading = _most_telling(views)
        changes = {c for v in views if v.appearance.reading for c in v.appearance.reading.changes}
        mentions.append(OutletMention(outlet, anchor, reading,
                                      tuple(k for k in ChangeKind if k in changes)))
    mentions.sort(key=lambda m: (READING_ORDER.index(m.reading), m.outlet.name.casefold()))
    return tuple(mentions)


def claim_updated(claim: Claim) -> PartialDate:
    """The newest date on a claim: when it was reviewed or last updated."""
    return max((claim.reviewed, *(u.date for u in claim.updates)), key=PartialDate.sort_key)


def _appearance_order(appearance: Appearance, span: Span) -> tuple[int, tuple[int, int, int], str, int]:
    date = appearance.article.date
    return (0 if date else 1, date.sort_key() if date else (0, 0, 0), appearance.article.id,
            span.start)


def group_by_article(views: Iterable[AppearanceView]) -> tuple[ArticleGroup, ...]:
    """Consecutive appearances in one article, kept in order."""
    runs: list[list[AppearanceView]] = []
    for view in views:
        if runs and runs[-1][0].appearance.article.id == view.appearance.article.id:
            runs[-1].append(view)
        else:
            runs.append([view])
    return tuple(
        ArticleGroup(run[0].appearance.article, tuple(run), f"article-{index}", index,
                     _most_telling(run))
        for index, run in enumerate(runs, 1)
    )


def _most_telling(views: Iterable[AppearanceView]) -> str:
    kinds = [
        v.reading_kind if v.comparison is not None or v.not_comparable
        or v.appearance.reading is not None else "none"
        for v in views
    ]
    return min(kinds, key=READING_ORDER.index)


def unique_chains(views: Iterable[AppearanceView]) -> tuple[Chain, ...]:
    """Every path from the source to an outlet, once each, in order of first appearance."""
    seen: dict[Chain, None] = {}
    for view in views:
        for chain in view.chains:
            seen.setdefault(chain, None)
    return tuple(seen)


def record_of(views: Iterable[AppearanceView]) -> OutletRecord:
    """What the editors' readings say of these appearances: an appearance without a reading
    is counted as such and nowhere else."""
    total = reviewed = preserved = not_comparable = quotation_changed = 0
    changed: list[AppearanceView] = []
    for view in views:
        total += 1
        reading = view.appearance.reading
        if reading is None:
            continue
        reviewed += 1
        if reading.meaning is Meaning.CHANGED:
            changed.append(view)
        elif reading.meaning is Meaning.PRESERVED:
            preserved += 1
        else:
            not_comparable += 1
        if reading.quotation.value == "changed":
            quotation_changed += 1
    return OutletRecord(total, reviewed, tuple(changed), preserved, not_comparable,
                        quotation_changed)


def _outlet_views(site: Site, said: Mapping[str, _Said], reuse: Any) -> list[OutletView]:
    out = []
    for outlet in sorted(site.outlets, key=lambda o: (o.name.casefold(), o.id)):
        found = said.get(outlet.id, _NOTHING_SAID)
        r = found.record
        # the record object of the run before while it says the same (a preview server then
        # sees the outlet's pages that do not show what changed as unchanged)
        record = reuse(outlet, _record, args=(r.total, r.reviewed, r.changed, r.preserved,
                                              r.not_comparable, r.quotation_changed))
        updated = found.newest.updated if found.newest is not None else None
        out.append(reuse(outlet, _outlet_view, args=(record, found.entries, updated)))
    return out


def _record(outlet: Outlet, *fields: Any) -> OutletRecord:
    return OutletRecord(*fields)


def _outlet_view(outlet: Outlet, record: OutletRecord, entries: tuple[OutletClaim, ...],
                 updated: PartialDate | None) -> OutletView:
    return OutletView(outlet=outlet, record=record, by_claim=entries, updated=updated)


@dataclass(frozen=True, slots=True)
class _Said:
    """What one outlet repeated: its claims in order (`OutletView.by_claim`), and its record
    (`changed` in date order)."""

    entries: tuple[OutletClaim, ...]
    record: OutletRecord
    newest: ClaimView | None
    """The first of its claims in a list newest first (`ClaimView.newest`)."""


_NOTHING_SAID = _Said((), OutletRecord(0, 0, (), 0, 0, 0), None)


def _first(entry: OutletClaim) -> tuple[tuple[int, int, int, int], str, int]:
    return entry.views[0].order


def _said_by(_claim: Claim, view: ClaimView) -> dict[str, OutletClaim]:
    """Outlet id -> what the outlet repeated of this claim (remembered by the claim, which a
    preview server's memory forgets once it is replaced)."""
    grouped: dict[str, list[AppearanceView]] = {}
    for appearance_view in view.views:  # in `order` within each outlet
        grouped.setdefault(appearance_view.appearance.article.outlet.id, []).append(
            appearance_view)
    return {outlet_id: OutletClaim(view, tuple(found)) for outlet_id, found in grouped.items()}


def _said_lists(views: Iterable[ClaimView], reuse: Any = plain) -> dict[str, _Said]:
    """Outlet id -> what it repeated of these claims (the orders are unique: a claim's
    numbers are, so entries are never compared). `reuse` is `Made.make` in a preview server,
    whose runs take a claim's entries again while its view is the same."""
    entries: dict[str, list[OutletClaim]] = {}
    for view in views:
        for outlet_id, entry in reuse(view.claim, _said_by, args=(view,)).items():
            entries.setdefault(outlet_id, []).append(entry)
    out = {}
    for outlet_id, found in entries.items():
        found.sort(key=_first)
        record = record_of(v for entry in found for v in entry.views)
        out[outlet_id] = _Said(tuple(found), dataclasses.replace(
            record, changed=tuple(sorted(record.changed, key=_ORDER))),
            min((entry.claim_view for entry in found), key=_NEWEST))
    return out


def _patched_said(before: Mapping[str, _Said], gone: Iterable[ClaimView],
                  new: Iterable[ClaimView]) -> dict[str, _Said]:
    """`_said_lists` of the claims of `before` with the views `gone` replaced by `new`: each
    outlet's list and record patched where those claims stand (a preview server's change of
    one claim costs that claim on each outlet it names, not the outlets' lists)."""
    lists: dict[str, tuple[list[OutletClaim], list[AppearanceView], list[int]]] = {}

    def tally(outlet_id: str, entry: OutletClaim, sign: int) -> None:
        found = lists.get(outlet_id)
        if found is None:
            r = before.get(outlet_id, _NOTHING_SAID).record
            found = lists[outlet_id] = (
                list(before.get(outlet_id, _NOTHING_SAID).entries), list(r.changed),
                [r.total, r.reviewed, r.preserved, r.not_comparable, r.quotation_changed])
        entries, changed, counts = found
        part = record_of(entry.views)
        for i, number in enumerate((part.total, part.reviewed, part.preserved,
                                    part.not_comparable, part.quotation_changed)):
            counts[i] += sign * number
        at = bisect.bisect_left(entries, _first(entry), key=_first)
        if sign < 0:
            assert entries[at].claim_view is entry.claim_view
            del entries[at]
        else:
            entries.insert(at, entry)
        for view in part.changed:
            at = bisect.bisect_left(changed, view.order, key=_ORDER)
            if sign < 0:
                del changed[at]
            else:
                changed.insert(at, view)

    gone_from: dict[str, list[ClaimView]] = {}
    new_in: dict[str, list[ClaimView]] = {}
    for view in gone:
        for outlet_id, entry in _said_by(view.claim, view).items():
            tally(outlet_id, entry, -1)
            gone_from.setdefault(outlet_id, []).append(view)
    for view in new:
        for outlet_id, entry in _said_by(view.claim, view).items():
            tally(outlet_id, entry, 1)
            new_in.setdefault(outlet_id, []).append(view)
    out = dict(before)
    for outlet_id, (entries, changed, counts) in lists.items():
        if not entries:
            del out[outlet_id]
            continue
        total, reviewed, preserved, not_comparable, quotation_changed = counts
        out[outlet_id] = _Said(tuple(entries), OutletRecord(
            total, reviewed, tuple(changed), preserved, not_comparable, quotation_changed),
            _patched_newest(before.get(outlet_id, _NOTHING_SAID).newest,
                            gone_from.get(outlet_id, ()), new_in.get(outlet_id, ()), entries))
    return out


def _patched_newest(newest: ClaimView | None, gone: Sequence[ClaimView],
                    new: Sequence[ClaimView], entries: Sequence[OutletClaim]) -> ClaimView:
    """The first claim view newest first among `entries`, which were the entries whose
    first was `newest` with the claims `gone` replaced by `new` (the keys are unique to
    each claim): looked for among all the entries only when the first is gone and no new
    claim comes before it."""
    first = min(new, key=_NEWEST, default=None)
    if newest is not None and all(view is not newest for view in gone):
        return newest if first is None or newest.newest < first.newest else first
    if first is not None and (newest is None or first.newest <= newest.newest):
        return first
    return min((entry.claim_view for entry in entries), key=_NEWEST)


def _source_views(site: Site, said: Mapping[Any, Group], reuse: Any) -> list[SourceView]:
    cited = reuse(_CITING, _citing, args=(site.articles,))
    return [reuse(source, _source_view, args=(cited.get(source.id, ()),
                                              said.get(source.id, _NO_GROUP)[1]))
            for source in sorted(site.sources, key=lambda s: (s.title.casefold(), s.id))]


_CITING = object()
"""What `_citing` is remembered by (it is made of the articles alone)."""


def _citing(_key: object, articles: tuple[Article, ...]) -> dict[str, tuple[Article, ...]]:
    """Source id -> the articles that cite it, by outlet name."""
    cited: dict[str, list[Article]] = {}
    for article in articles:
        for source_id in dict.fromkeys(c.ref for c in article.cites if c.kind is CiteKind.SOURCE):
            cited.setdefault(source_id, []).append(article)
    return {source_id: tuple(sorted(found, key=lambda a: (a.outlet.name.casefold(), a.id)))
            for source_id, found in cited.items()}


def _source_view(source: Source, citing: tuple[Article, ...], claims: tuple[ClaimView, ...]
                 ) -> SourceView:
    return SourceView(source=source, claims=claims, citing=citing)


def _source_of(view: ClaimView) -> tuple[str, ...]:
    return (view.claim.source.id,) if view.claim.source is not None else ()


# Context around a span

_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*(?=\s)|\n")


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
    before = squash(before)
    after = squash(after)
    if cut_before:
        before = "… " + before.lstrip()
    if cut_after:
        after = after.rstrip() + " …"
    return Context(before=before, marked=squash(text[start:end]), after=after)


def merged(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Overlapping or touching spans joined, in order."""
    out: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(end, out[-1][1]))
        else:
            out.append((start, end))
    return out
