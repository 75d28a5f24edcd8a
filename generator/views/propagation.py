"""A claim's appearance and the articles in content -> the ways the claim reached its outlet.

Who got a claim from whom is an editorial judgment the pages show: each chain runs from the
primary source (or an unknown origin) through the intermediaries the article names to the
outlet. Hops carry facts (what kind of hop, its name and id); the theme words them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import Enum

from generator.model import Appearance, Article, Attribution, CiteKind, Claim, Source, Span


class HopKind(Enum):
    SOURCE = "source"
    """The claim's primary source (`ref` is its id)."""
    NO_SOURCE = "no-source"
    """The claim has no identified primary source."""
    ARTICLE = "article"
    """An article in content that relayed it (`ref` is its outlet's id, `detail` its headline)."""
    NAMED = "named"
    """An intermediary the article names that is not in content."""
    ONE_OF = "one-of"
    """One of the intermediaries the article names (`names`), but which is not known."""
    UNRECORDED = "unrecorded"
    """An intermediary that the attribution implies and no record names."""
    UNKNOWN = "unknown"
    """The way is unknown (`detail` is the appearance's attribution: missing or wrong, or
    `nothing` when the outlet credits nothing)."""
    OTHER_SOURCE = "other-source"
    """The outlet credits another document (`name` its title, `ref` its id when it is in
    content): the way from the claim's source to the outlet is unknown."""
    OUTLET = "outlet"
    """The outlet that repeated the claim (`ref` is its id): the last hop of every chain."""


@dataclass(frozen=True, slots=True, order=True)
class Hop:
    """One step on the way from a primary source to an outlet."""

    kind: HopKind
    name: str = ""
    """The source's symbol or title, the outlet's or the intermediary's name."""
    ref: str | None = None
    """The id of the source or outlet that has a page on the site."""
    detail: str | None = None
    names: tuple[str, ...] = ()
    """For ONE_OF: the names the article cites."""

    def sort_key(self) -> tuple[str, str, tuple[str, ...]]:
        return (self.name, self.kind.value, self.names)


Chain = tuple[Hop, ...]
"""From the origin to the outlet."""


def source_name(claim: Claim) -> str:
    """The document symbol when there is one, else the title."""
    assert claim.source is not None
    return claim.source.symbol or claim.source.title


def _cite_paths(
    claim: Claim, article: Article, articles: Mapping[str, Article], seen: frozenset[str]
) -> list[tuple[Hop, ...]]:
    """Paths of intermediaries (nearest the source first) through which `article` got the
    claim, from its `cites`; an empty path means it cites the claim's source directly.
    Intermediaries known only by name are left to `chains`."""
    paths: list[tuple[Hop, ...]] = []
    for cite in article.cites:
        if cite.kind is CiteKind.SOURCE:
            if claim.source is not None and cite.ref == claim.source.id:
                paths.append(())
        elif cite.kind is CiteKind.ARTICLE:
            other = articles.get(cite.ref)
            if other is None or other.id in seen:
                continue
            hop = Hop(HopKind.ARTICLE, other.outlet.name, other.outlet.id, other.headline)
            below = _cite_paths(claim, other, articles, seen | {other.id})
            paths.extend((*path, hop) for path in (below or [()]))
    return paths


def cited_names(article: Article) -> list[str]:
    """The intermediaries the article cites that are not in content."""
    return [c.ref.strip() for c in article.cites if c.kind is CiteKind.NAME and c.ref.strip()]


def _mentioned(name: str, haystack: str) -> bool:
    return name.casefold().removeprefix("the ") in haystack.casefold()


def _paragraph(text: str, start: int, end: int) -> str:
    lo = text.rfind("\n", 0, start) + 1
    hi = text.find("\n", end)
    return text[lo: hi if hi >= 0 else len(text)]


def named_near(appearance: Appearance, span: Span) -> list[str]:
    """The article's cited names that its quote's paragraph or the appearance's note mention."""
    article = appearance.article
    around = _paragraph(article.text, span.start, span.end) + "\n" + (appearance.note or "")
    return [name for name in cited_names(article) if _mentioned(name, around)]


def _credited_paths(
    claim: Claim, appearance: Appearance, articles: Mapping[str, Article],
    sources: Mapping[str, Source],
) -> list[tuple[Hop, ...]] | None:
    """The paths that what the outlet credits (`credited_to`) shows, or None when the editor
    recorded no credit. Only what the credit shows is drawn: an outlet that credits nothing,
    or another document, gets an unknown step, never a direct arrow from the source."""
    credit = appearance.credited_to
    if credit is None:
        return None
    if credit.kind == "source":
        if claim.source is not None and credit.ref == claim.source.id:
            return [()]
        other = sources.get(credit.ref)
        name = other.symbol or other.title if other is not None else credit.ref
        return [(Hop(HopKind.OTHER_SOURCE, name, credit.ref if other else None),)]
    if credit.kind == "article":
        other_article = articles.get(credit.ref)
        if other_article is None:
            return [(Hop(HopKind.UNRECORDED),)]
        hop = Hop(HopKind.ARTICLE, other_article.outlet.name, other_article.outlet.id,
                  other_article.headline)
        below = _cite_paths(claim, other_article, articles,
                            frozenset({appearance.article.id, other_article.id}))
        return [(*path, hop) for path in (below or [(Hop(HopKind.UNKNOWN, detail="nothing"),)])]
    if credit.kind == "outlet":
        return [(Hop(HopKind.ARTICLE, credit.ref, credit.ref),)]
    if credit.kind == "name":
        # a name is a step on the way only when the outlet says it relayed the words;
        # otherwise it is what the outlet calls the source, rightly or wrongly
        if appearance.attribution is Attribution.VIA_INTERMEDIARY:
            return [(Hop(HopKind.NAMED, credit.ref),)]
        if appearance.attribution is Attribution.CORRECT:
            return [()]
        return [(Hop(HopKind.UNKNOWN, detail=appearance.attribution.value),)]
    return [(Hop(HopKind.UNKNOWN, detail="nothing"),)]


def chains(
    claim: Claim,
    appearance: Appearance,
    articles: Mapping[str, Article],
    named_elsewhere: Iterable[str] = (),
    named_here: Iterable[str] = (),
    sources: Mapping[str, Source] | None = None,
) -> tuple[Chain, ...]:
    """The ways the claim reached this appearance's outlet, from the source to the outlet.

    What the outlet credits, when the editor recorded it, decides (see _credited_paths).
    Otherwise the article's cites and the appearance's attribution do:

    Articles in content that the article cites always count. Intermediaries known only by
    name count when the appearance is attributed via an intermediary, and then only those
    named in the quote's paragraph or in the appearance's note (`named_here`: an article's
    cites may concern its other claims), else those named near the claim's other quotes from
    the same article (`named_elsewhere`); failing both, every cited name is offered as a
    possibility."""
    article = appearance.article
    outlet = Hop(HopKind.OUTLET, article.outlet.name, article.outlet.id)
    credited = _credited_paths(claim, appearance, articles, sources if sources is not None else {})
    if credited is not None:
        origin = (Hop(HopKind.SOURCE, source_name(claim), claim.source.id) if claim.source
                  else Hop(HopKind.NO_SOURCE))
        return tuple((origin, *path, outlet) for path in sorted(set(credited), key=_path_key))
    paths = _cite_paths(claim, article, articles, frozenset({article.id}))
    if claim.source is None:
        origin = Hop(HopKind.NO_SOURCE)
        relayed = sorted({path for path in paths if path}, key=_path_key)
        return tuple((origin, *path, outlet) for path in relayed or [()])
    origin = Hop(HopKind.SOURCE, source_name(claim), claim.source.id)
    if appearance.attribution is Attribution.VIA_INTERMEDIARY:
        names = cited_names(article)
        named = list(named_here) or sorted(set(named_elsewhere))
        relayed = [path for path in paths if path]
        if named:
            relayed += [(Hop(HopKind.NAMED, name),) for name in named]
        elif names and not relayed:
            relayed = [(Hop(HopKind.ONE_OF, " or ".join(names), names=tuple(names)),)]
        paths = relayed or [(Hop(HopKind.UNRECORDED),)]
    if not paths:
        if appearance.attribution is Attribution.CORRECT:
            paths = [()]
        else:
            paths = [(Hop(HopKind.UNKNOWN, detail=appearance.attribution.value),)]
    unique = sorted(set(paths), key=_path_key)
    return tuple((origin, *path, outlet) for path in unique)


def _path_key(path: tuple[Hop, ...]) -> list[tuple[str, str, tuple[str, ...]]]:
    return [hop.sort_key() for hop in path]
