"""Valid records -> the Site: frozen, fully resolved objects (pure construction, nothing else)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from generator.load import PageFile, Record
from generator.memo import Made, each, plain
from generator.model import (
    NO_ENTITIES,
    Appearance,
    Archived,
    Article,
    Attribution,
    ChangeKind,
    Cite,
    CiteKind,
    Claim,
    Credit,
    DateKind,
    Editor,
    Entities,
    Entity,
    Meaning,
    Outlet,
    Page,
    PartialDate,
    Passage,
    Publisher,
    QuotationKind,
    Reading,
    Site,
    Source,
    Status,
    Update,
    UpdateKind,
)

NO_DATE = PartialDate(1970, 1, 1)
"""The build date of a site without a single dated claim."""
NO_SETTINGS: dict[str, Any] = {
    "title": "", "base_url": "http://localhost/", "language": "en",
    "publisher": {"name": "", "url": "http://localhost/"},
}
"""The settings of a site whose site.yaml has problems (which are reported; nothing renders)."""


def assemble(
    records: Iterable[Record], page_files: Iterable[PageFile], theme_dir: str,
    base_url: str | None = None, made: Made | None = None,
) -> Site:
    """The site of `records`: those that passed validation on their own. A reference to a
    record that did not (its problem is reported already) leaves out what depends on it: an
    article of a missing outlet, a claim of a missing source or passage, an appearance of a
    missing article, so that the rest can still be anchored and compared and every problem
    of a run is found at once. Without valid site settings the Site carries NO_SETTINGS;
    the pipeline renders nothing then. `base_url` overrides site.yaml's; `theme_dir` is the
    theme's absolute POSIX path. `made` is what earlier assemblies made (in a preview server)."""
    by_kind: dict[str, dict[str, Record]] = {}
    for record in records:
        by_kind.setdefault(record.kind, {})[record.id] = record
    if made is not None:
        made.turn()
    reuse = made.make if made is not None else plain

    outlets = {rid: reuse(r, _outlet) for rid, r in sorted(by_kind.get("outlet", {}).items())}
    sources = {rid: reuse(r, _source) for rid, r in sorted(by_kind.get("source", {}).items())}
    articles = {
        rid: reuse(r, _article, {"outlet": outlets[rid.split("/")[0]]})
        for rid, r in sorted(by_kind.get("article", {}).items())
        if rid.split("/")[0] in outlets
    }
    entities_record = by_kind.get("entities", {}).get("entities")
    entities = (reuse(entities_record, _entities_of) if entities_record is not None
                else _entities(None))
    spellings_record = by_kind.get("spellings", {}).get("spellings")
    spellings: tuple[tuple[str, ...], ...] = ()
    if spellings_record is not None:
        spellings = reuse(spellings_record, _spellings)
    pages = tuple(reuse(page_file, _page)
                  for page_file in sorted(page_files, key=lambda p: p.id))

    site_record = by_kind.get("site", {}).get("site")
    data = site_record.data if site_record is not None else NO_SETTINGS
    editors = reuse(site_record, _editors) if site_record is not None else _editors(None)
    claim_records = [record for _rid, record in sorted(by_kind.get("claim", {}).items())]
    claims = tuple(claim for claim in each(made, claim_records, _claim, sources, articles,
                                           editors) if claim is not None)
    url = base_url or data["base_url"]
    dates = [c.reviewed for c in claims] + [u.date for c in claims for u in c.updates]
    return Site(
        title=data["title"],
        base_url=url if url.endswith("/") else url + "/",
        language=data["language"],
        description=data.get("description", ""),
        publisher=(reuse(site_record, _publisher) if site_record is not None
                   else _publisher(None)),
        repository=data.get("repository"),
        editors=tuple(editors.values()),
        theme=theme_dir,
        publish_article_text=bool(data.get("publish_article_text", False)),
        build_date=max(dates, default=NO_DATE),
        outlets=tuple(outlets.values()),
        sources=tuple(sources.values()),
        articles=tuple(articles.values()),
        claims=claims,
        pages=pages,
        spellings=spellings,
        entities=entities,
    )


def _publisher(record: Record | None) -> Publisher:
    data = (record.data if record is not None else NO_SETTINGS)["publisher"]
    return Publisher(
        name=data["name"],
        url=data["url"],
        contact=data.get("contact"),
        owner=data.get("owner"),
        funding=data.get("funding"),
    )


def _editors(record: Record | None) -> dict[str, Editor]:
    data = record.data if record is not None else NO_SETTINGS
    return {e["id"]: Editor(e["id"], e["name"], e.get("url")) for e in data.get("editors", [])}


def _entities_of(record: Record) -> Entities:
    return _entities(record.data)


def _spellings(record: Record) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(group) for group in record.data.get("groups", []))


def _entities(data: Mapping[str, Any] | None) -> Entities:
    if not data:
        return NO_ENTITIES
    return Entities(tuple(
        Entity(
            id=e["id"], name=e["name"], aliases=tuple(e.get("aliases", ())),
            branch_of=e.get("branch_of"), affiliate_of=e.get("affiliate_of"),
            part_of=e.get("part_of"),
        )
        for e in data.get("entities", [])
    ))


def _date(value: str | None) -> PartialDate | None:
    return PartialDate.parse(value) if value else None


def _outlet(record: Record) -> Outlet:
    d = record.data
    return Outlet(
        id=record.id,
        name=d["name"],
        identified=d.get("identified", True),
        homepage=d.get("homepage"),
        country=d.get("country"),
        notes=d.get("notes"),
    )


def _source(record: Record) -> Source:
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
        date_kind=DateKind(d["date_kind"]) if "date_kind" in d else None,
        passages=tuple(
            Passage(
                id=p["id"],
                text=p["text"],
                checked=p["checked"],
                locator=p.get("locator"),
                basis=p.get("basis"),
                rests_on=tuple(p.get("rests_on", ())),
                url=p.get("url"),
                read_on=p.get("read_on", "document"),
                may_rest_on=tuple(p.get("may_rest_on", ())),
            )
            for p in d.get("passages", [])
        ),
    )


def _cite(entry: Mapping[str, str]) -> Cite:
    ((kind, value),) = entry.items()
    return Cite(CiteKind(kind), value)


def _article(record: Record, outlets: Mapping[str, Outlet]) -> Article:
    d = record.data
    outlet = outlets["outlet"]
    return Article(
        id=record.id,
        outlet=outlet,
        headline=d["headline"],
        url=d.get("url"),
        date=_date(d.get("date")),
        date_basis=d.get("date_basis"),
        cites=tuple(_cite(entry) for entry in d.get("cites", [])),
        notes=d.get("notes"),
        text=record.text,
        rel_path=record.rel_path,
        body_line=record.body_line,
        author=tuple(d.get("author", ())),
        archived=tuple(sorted(
            (Archived(a["url"], PartialDate.parse(a["date"])) for a in d.get("archived", [])),
            key=lambda a: (a.date.sort_key(), a.url),
        )),
    )


def _claim(
    record: Record, sources: Mapping[str, Source], articles: Mapping[str, Article],
    editors: Mapping[str, Editor],
) -> Claim | None:
    d = record.data
    source = passage = None
    primary = d.get("primary")
    if primary:
        source = sources.get(primary["source"])
        if source is None:
            return None
        if "passage" in primary:
            passage = next((p for p in source.passages if p.id == primary["passage"]), None)
            if passage is None:
                return None
    superseded_by = sources.get(d["superseded_by"]) if "superseded_by" in d else None
    return Claim(
        id=record.id,
        claim=d["claim"],
        short=d.get("short", d["claim"]),
        status=Status(d["status"]),
        finding=d.get("finding"),
        draft=bool(d.get("draft", False)),
        source=source,
        passage=passage,
        superseded_by=superseded_by,
        verdict=d["verdict"],
        reviewed=PartialDate.parse(d["reviewed"]),
        reviewed_by=tuple(editors[e] for e in d.get("reviewed_by", ()) if e in editors),
        tags=tuple(d.get("tags", ())),
        appearances=tuple(
            _appearance(record, i, a, articles[a["article"]])
            for i, a in enumerate(d.get("appearances", []))
            if a["article"] in articles
        ),
        updates=tuple(
            Update(PartialDate.parse(u["date"]), UpdateKind(u["kind"]), u["note"])
            for u in d.get("updates", [])
        ),
        rel_path=record.rel_path,
    )


def _appearance(record: Record, i: int, a: Mapping[str, Any], article: Article) -> Appearance:
    return Appearance(
        index=i,
        article=article,
        quote=a["quote"],
        prefix=a.get("prefix"),
        suffix=a.get("suffix"),
        attribution=Attribution(a["attribution"]),
        credited_to=_credit(a["credited_to"]) if "credited_to" in a else None,
        reading=_reading(a["fidelity"]) if "fidelity" in a else None,
        note=a.get("note"),
        quote_at=record.where(("appearances", i, "quote")),
        at=record.where(("appearances", i)),
        reading_at=record.where(("appearances", i, "fidelity")),
    )


def _credit(value: Mapping[str, Any]) -> Credit:
    ((kind, ref),) = value.items()
    return Credit("nothing") if kind == "nothing" else Credit(kind, ref)


def _reading(d: Mapping[str, Any]) -> Reading:
    return Reading(
        quotation=QuotationKind(d["quotation"]),
        meaning=Meaning(d["meaning"]),
        changes=tuple(ChangeKind(c) for c in d.get("changes", ())),
        dismissed=tuple(ChangeKind(c) for c in d.get("dismissed", ())),
        reason=d["reason"],
    )


def _page(page_file: PageFile) -> Page:
    first, _, rest = page_file.text.partition("\n")
    body = rest.lstrip("\n")
    body_line = 1 + page_file.text.count("\n", 0, len(page_file.text) - len(body))
    return Page(page_file.id, first[2:].strip(), body, page_file.rel_path, body_line)
