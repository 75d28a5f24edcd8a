"""/api/annotations.jsonld and its pages: the appearances of tests/trees/rendering as W3C Web
Annotations, expanded with a JSON-LD processor against the Web Annotation context, offline."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from conftest import (
    HOSTILE,
    RENDERING,
    checked_of,
    copy_tree,
    rendered_of,
    replace_in,
    views_of,
)
from pyld import jsonld

from generator import pipeline
from generator.model import Archived, PartialDate
from generator.render.annotations import (
    CONTEXT,
    annotated,
    keyed,
    render_collection,
    render_page,
    time_state,
)
from generator.render.feeds import ApiSite
from generator.views import SiteViews

FILE = "api/annotations.jsonld"
PAGE = "api/annotations/page-1.jsonld"
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "anno.jsonld"
"""The Web Annotation context document of the Recommendation, as kept in the W3C's
web-annotation repository (jsonld/anno.jsonld), byte for byte."""
FIXTURE_SHA256 = "48c6e5e80f86bb1bf812233d13e70fab8b19516ac4e57e1e4576473f0bbd062e"

OA = "http://www.w3.org/ns/oa#"
AS = "http://www.w3.org/ns/activitystreams#"
DC = "http://purl.org/dc/elements/1.1/"
DCTERMS = "http://purl.org/dc/terms/"
FOAF = "http://xmlns.com/foaf/0.1/"
RDF_VALUE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#value"
XSD = "http://www.w3.org/2001/XMLSchema#"

SITE = "https://factcheck.example/"
COLLECTION = SITE + FILE
PAGE_1 = SITE + PAGE
SUN = COLLECTION + "#taliban-safe-haven/the-sun/pentagon-report/1"
REDSTATE = COLLECTION + "#isil-k-al-qaeda-capability/redstate/thanks-joe/1"
BLITZ = COLLECTION + "#isil-k-al-qaeda-capability/blitz/safe-haven/1"
SUN_SENTENCE = ("The Taliban continued to maintain its relationship with Al Qaeda, providing "
                "safe haven for the terrorist group in Afghanistan.")


def load_context(url: str, options: Any = None) -> dict[str, Any]:
    """A document loader that knows one document, the Web Annotation context, and refuses
    every other address."""
    if url != CONTEXT:
        raise AssertionError(f"the test tried to load {url!r}: only {CONTEXT} is served")
    return {"contentType": "application/ld+json", "contextUrl": None, "documentUrl": url,
            "document": json.loads(FIXTURE.read_text("utf-8"))}


def expand(document: Any) -> list[dict[str, Any]]:
    expanded: list[dict[str, Any]] = jsonld.expand(document, {"documentLoader": load_context})
    return expanded


def exported(rendered: dict[str, bytes], path: str = FILE) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(rendered[path].decode("utf-8"))
    return data


def pages_of(rendered: dict[str, bytes]) -> list[dict[str, Any]]:
    """The collection's pages, from its first along each page's `next`."""
    pages: list[dict[str, Any]] = []
    address = exported(rendered).get("first")
    while address is not None:
        assert address.startswith(SITE) and len(pages) < len(rendered), address
        pages.append(exported(rendered, address.removeprefix(SITE)))
        address = pages[-1].get("next")
    return pages


def items_of(rendered: dict[str, bytes]) -> dict[str, dict[str, Any]]:
    return {item["id"]: item for page in pages_of(rendered) for item in page["items"]}


def expanded_items(rendered: dict[str, bytes]) -> dict[str, dict[str, Any]]:
    found = {}
    for page in pages_of(rendered):
        (expanded,) = expand(page)
        (listed,) = expanded[AS + "items"]
        found.update((item["@id"], item) for item in listed["@list"])
    return found


def value(node: dict[str, Any], term: str) -> Any:
    (found,) = node[term]
    return found["@value"] if "@value" in found else found["@id"]


# --- the context document and the loader


def test_the_vendored_context_is_the_w3c_document() -> None:
    assert hashlib.sha256(FIXTURE.read_bytes()).hexdigest() == FIXTURE_SHA256
    context = json.loads(FIXTURE.read_text("utf-8"))["@context"]
    assert context["oa"] == OA and context["target"] == {"@type": "@id", "@id": "oa:hasTarget"}


def test_the_loader_refuses_any_other_address() -> None:
    with pytest.raises(jsonld.JsonLdError) as caught:
        expand({"@context": "https://elsewhere.example/context.jsonld", "name": "x"})
    causes: list[BaseException] = []
    error: BaseException | None = caught.value
    while error is not None:
        causes.append(error)
        error = error.__cause__ or error.__context__
    assert any(isinstance(cause, AssertionError) and "elsewhere.example" in str(cause)
               for cause in causes), causes


# --- the collection


def test_the_collection_holds_every_appearance_with_an_address(rendered: dict[str, bytes]) -> None:
    data = exported(rendered)
    assert data == {
        "@context": CONTEXT, "id": COLLECTION, "type": "AnnotationCollection",
        "label": "Afghanistan Claims Tracker: the editor's readings of the outlets' words",
        "total": 2, "first": PAGE_1, "last": PAGE_1,
    }
    (page,) = pages_of(rendered)
    assert page["@context"] == CONTEXT and page["id"] == PAGE_1
    assert page["type"] == "AnnotationPage" and page["partOf"] == COLLECTION
    assert page["startIndex"] == 0 and "next" not in page and "prev" not in page
    # Blitz's article has no known address: an annotation needs a target to point at
    assert list(items_of(rendered)) == [REDSTATE, SUN]
    (collection,) = expand(data)
    assert collection["@type"] == [AS + "OrderedCollection"]
    assert value(collection, AS + "totalItems") == 2
    assert value(collection, AS + "first") == value(collection, AS + "last") == PAGE_1
    (expanded,) = expand(page)
    assert expanded["@type"] == [AS + "OrderedCollectionPage"]
    assert value(expanded, AS + "partOf") == COLLECTION
    assert value(expanded, AS + "startIndex") == 0


def _blitz_address(content: Path) -> None:
    """An address for Blitz's article: a third annotation."""
    replace_in(content / "articles" / "blitz" / "safe-haven.txt",
               "headline: Taliban rule offers safe haven\n",
               "headline: Taliban rule offers safe haven\nurl: https://blitz.example/haven\n")


def test_pages_hold_at_most_per_page_each_linked_to_the_next_and_the_previous(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    content = copy_tree(RENDERING, tmp_path, _blitz_address)
    whole = items_of(rendered_of(content))
    monkeypatch.setattr("generator.render.annotations.PER_PAGE", 2)
    rendered = rendered_of(content)
    page_2 = SITE + "api/annotations/page-2.jsonld"
    assert exported(rendered)["total"] == 3
    assert (exported(rendered)["first"], exported(rendered)["last"]) == (PAGE_1, page_2)
    first, second = pages_of(rendered)
    assert [len(first["items"]), len(second["items"])] == [2, 1]
    assert (first["id"], first["next"], first["startIndex"]) == (PAGE_1, page_2, 0)
    assert (second["id"], second["prev"], second["startIndex"]) == (page_2, PAGE_1, 2)
    assert "prev" not in first and "next" not in second
    assert first["partOf"] == second["partOf"] == COLLECTION
    # the same annotations in the same order as on one page, ids and all
    assert items_of(rendered) == whole
    assert sorted(p for p in rendered if p.startswith("api/annotations")) == [
        FILE, PAGE, "api/annotations/page-2.jsonld"]
    (expanded,) = expand(second)
    assert value(expanded, AS + "prev") == PAGE_1
    assert value(expanded, AS + "startIndex") == 2
    assert list(expanded_items(rendered)) == list(whole)


def test_no_appearance_with_an_address_is_an_empty_collection_without_pages(
    tmp_path: Path,
) -> None:
    def edit(content: Path) -> None:
        for name in ("redstate/thanks-joe.txt", "the-sun/pentagon-report.txt"):
            article = content / "articles" / name
            article.write_text("".join(
                line for line in article.read_text("utf-8").splitlines(keepends=True)
                if not line.startswith("url:")), "utf-8")

    rendered = rendered_of(copy_tree(RENDERING, tmp_path, edit))
    data = exported(rendered)
    assert data["total"] == 0 and "first" not in data and "last" not in data
    assert [p for p in rendered if p.startswith("api/annotations")] == [FILE]
    (collection,) = expand(data)
    assert value(collection, AS + "totalItems") == 0


def test_an_edited_reading_rewrites_the_page_that_holds_it_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("generator.render.annotations.PER_PAGE", 1)
    content = copy_tree(RENDERING, tmp_path / "project", _blitz_address)
    out = tmp_path / "site"

    def files() -> dict[str, tuple[int, bytes]]:
        paths = [out / FILE, *(out / "api" / "annotations").iterdir()]
        return {path.relative_to(out).as_posix(): (path.stat().st_ino, path.read_bytes())
                for path in paths}

    pipeline.build(content, out, workers=1)
    before = files()
    assert len(before) == 4  # the collection and three pages
    replace_in(content / "claims" / "taliban-safe-haven.yaml",
               "reason: Every known copy", "reason: Edited. Every known copy")
    pipeline.build(content, out, workers=1)
    after = files()
    assert after.keys() == before.keys()
    assert [path for path in sorted(after) if after[path] != before[path]] == [
        "api/annotations/page-3.jsonld"]
    assert b"Edited. Every known copy" in after["api/annotations/page-3.jsonld"][1]


def test_the_file_is_not_in_the_sitemap_and_the_footer_links_it(rendered: dict[str, bytes]) -> None:
    assert b"annotations" not in rendered["sitemap.xml"]
    assert b"annotations" not in rendered["robots.txt"]
    home = rendered["index.html"].decode("utf-8")
    assert ('<a href="/api/annotations.jsonld" type="application/ld+json">Our readings as Web '
            "Annotations</a>") in home


# --- one known appearance, expanded


def test_a_reviewed_appearance_expands_to_the_web_annotation_terms(
    rendered: dict[str, bytes],
) -> None:
    sun = expanded_items(rendered)[SUN]
    assert sun["@type"] == [OA + "Annotation"]
    assert value(sun, OA + "motivatedBy") == OA + "assessing"
    assert sun[DCTERMS + "created"] == [{"@type": XSD + "dateTime",
                                         "@value": "2026-11-20T00:00:00Z"}]
    assert value(sun, DCTERMS + "modified") == "2026-11-20T00:00:00Z"

    (target,) = sun[OA + "hasTarget"]
    assert target["@type"] == [OA + "SpecificResource"]
    assert value(target, OA + "hasSource") == "https://www.thesun.example/news/123/"
    quote, position = target[OA + "hasSelector"]
    assert quote["@type"] == [OA + "TextQuoteSelector"]
    assert value(quote, OA + "exact") == SUN_SENTENCE
    assert value(quote, OA + "prefix") == 'tan.\n\nBut chillingly, it adds: "'
    assert value(quote, OA + "suffix") == "\u201d\n"
    assert position["@type"] == [OA + "TextPositionSelector"]
    assert position[OA + "start"] == [{"@type": XSD + "nonNegativeInteger", "@value": 176}]
    assert value(position, OA + "end") == 302

    reading, claim, link = sun[OA + "hasBody"]
    assert reading["@type"] == [OA + "TextualBody"]
    assert value(reading, RDF_VALUE) == (
        "Not comparable. Quoted exactly. Every known copy of the sentence descends from The Sun "
        "itself.")
    assert value(reading, DC + "format") == "text/plain"
    assert value(reading, DC + "language") == "en"
    assert value(reading, OA + "hasPurpose") == OA + "assessing"
    assert value(claim, RDF_VALUE) == (
        "Repeats the claim: The Taliban kept providing al-Qaeda a safe haven, a Pentagon "
        "watchdog said.")
    assert value(claim, OA + "hasPurpose") == OA + "describing"
    assert link["@type"] == [OA + "SpecificResource"]
    assert value(link, OA + "hasPurpose") == OA + "linking"
    assert value(link, OA + "hasSource") == (
        "https://factcheck.example/claims/taliban-safe-haven/#appearance-1")

    (creator,) = sun[DCTERMS + "creator"]
    assert creator["@type"] == [FOAF + "Organization"]
    assert value(creator, FOAF + "name") == "Afghanistan Claims Tracker"
    assert value(creator, FOAF + "homepage") == "https://factcheck.example/"
    (generator,) = sun[AS + "generator"]
    assert generator["@type"] == [AS + "Application"]


def test_an_appearance_without_a_reading_says_so_and_assesses_nothing(
    rendered: dict[str, bytes],
) -> None:
    redstate = expanded_items(rendered)[REDSTATE]
    assert value(redstate, OA + "motivatedBy") == OA + "describing"
    reading = redstate[OA + "hasBody"][0]
    assert value(reading, RDF_VALUE) == "Not yet reviewed by an editor."
    assert value(reading, OA + "hasPurpose") == OA + "describing"
    (target,) = redstate[OA + "hasTarget"]
    assert OA + "hasState" not in target


def test_every_annotation_has_the_required_fields_and_selects_its_span(
    rendered: dict[str, bytes],
) -> None:
    checked = checked_of(RENDERING)
    texts = {article.url: article.text for article in checked.site.articles if article.url}
    annotations = expanded_items(rendered)
    assert annotations
    for annotation_id, annotation in annotations.items():
        assert annotation_id.startswith(COLLECTION + "#")
        assert annotation["@type"] == [OA + "Annotation"]
        assert value(annotation, OA + "motivatedBy") in (OA + "assessing", OA + "describing")
        assert annotation[OA + "hasBody"] and annotation[DCTERMS + "creator"]
        assert annotation[AS + "generator"]
        (target,) = annotation[OA + "hasTarget"]
        text = texts[value(target, OA + "hasSource")]
        quote, position = target[OA + "hasSelector"]
        start, end = value(position, OA + "start"), value(position, OA + "end")
        assert value(quote, OA + "exact") == text[start:end]
        assert text[:start].endswith(value(quote, OA + "prefix"))
        assert text[end:].startswith(value(quote, OA + "suffix"))
        assert len(value(quote, OA + "prefix")) <= 32 and len(value(quote, OA + "suffix")) <= 32


def test_an_annotation_keeps_its_id_when_other_articles_come_and_go(
    site_views: SiteViews,
) -> None:
    (claim_view,) = [c for c in site_views.claims if c.claim.id == "isil-k-al-qaeda-capability"]
    keys = [key for _view, key in keyed(claim_view)]
    assert keys == ["isil-k-al-qaeda-capability/redstate/thanks-joe/1",
                    "isil-k-al-qaeda-capability/blitz/safe-haven/1"]
    fewer = dataclasses.replace(claim_view, views=claim_view.views[1:])
    assert [key for _view, key in keyed(fewer)] == keys[1:]
    twice = dataclasses.replace(claim_view, views=(*claim_view.views, claim_view.views[1]))
    assert [key for _view, key in keyed(twice)][-1] == "isil-k-al-qaeda-capability/blitz/safe-haven/2"


# --- other readings, archived copies


def _scratch(tmp_path: Path) -> dict[str, bytes]:
    """The rendering tree with an address for Blitz's article, an archived copy of RedState's,
    and The Sun's appearance without the editor's reading."""

    def edit(content: Path) -> None:
        replace_in(content / "articles" / "blitz" / "safe-haven.txt",
                   "headline: Taliban rule offers safe haven\n",
                   "headline: Taliban rule offers safe haven\nurl: https://blitz.example/haven\n")
        replace_in(content / "articles" / "redstate" / "thanks-joe.txt",
                   "url: https://redstate.example/thanks-joe\n",
                   "url: https://redstate.example/thanks-joe\narchived:\n"
                   "  - url: https://web.archive.org/web/20220601120000/"
                   "https://redstate.example/thanks-joe\n    date: 2022-06-01\n")
        claim = content / "claims" / "taliban-safe-haven.yaml"
        text = claim.read_text("utf-8")
        claim.write_text(text[: text.index("    fidelity:")], "utf-8")

    return rendered_of(copy_tree(RENDERING, tmp_path, edit))


def test_readings_in_the_theme_words_and_archived_copies_as_time_states(tmp_path: Path) -> None:
    rendered = _scratch(tmp_path)
    items = items_of(rendered)
    assert list(items) == [REDSTATE, BLITZ, SUN]

    blitz = items[BLITZ]
    assert blitz["motivation"] == "oa:assessing"
    assert blitz["body"][0]["value"] == (
        "Meaning changed: negation, subject. Quoted exactly. The negation is gone.")
    # the passage rests on The Sun: without a reading, the appearance is not comparable
    sun = items[SUN]
    assert sun["motivation"] == "describing"
    assert sun["body"][0]["value"] == (
        "Not comparable. The source's only known wording comes from this very outlet, so "
        "comparing the two would prove nothing.")

    assert items[REDSTATE]["target"]["state"] == [{
        "type": "TimeState",
        "cached": "https://web.archive.org/web/20220601120000/https://redstate.example/thanks-joe",
        "sourceDateStart": "2022-06-01T00:00:00Z",
        "sourceDateEnd": "2022-06-01T23:59:59Z",
    }]
    (target,) = expanded_items(rendered)[REDSTATE][OA + "hasTarget"]
    (state,) = target[OA + "hasState"]
    assert state["@type"] == [OA + "TimeState"]
    assert value(state, OA + "cachedSource").startswith("https://web.archive.org/web/2022")
    assert state[OA + "sourceDateStart"] == [{"@type": XSD + "dateTime",
                                              "@value": "2022-06-01T00:00:00Z"}]


def test_a_copy_dated_to_the_month_or_year_spans_it() -> None:
    month = time_state(Archived("https://archive.ph/AbC12", PartialDate(2024, 2)))
    assert (month["sourceDateStart"], month["sourceDateEnd"]) == (
        "2024-02-01T00:00:00Z", "2024-02-29T23:59:59Z")
    year = time_state(Archived("https://archive.ph/AbC12", PartialDate(2023)))
    assert (year["sourceDateStart"], year["sourceDateEnd"]) == (
        "2023-01-01T00:00:00Z", "2023-12-31T23:59:59Z")


# --- hostile text, determinism


def test_hostile_text_stays_text(tmp_path: Path) -> None:
    hostile = HOSTILE + ' "quoted" \\ back\u2028slash \u2029 }],{'

    def edit(content: Path) -> None:
        replace_in(content / "articles" / "redstate" / "thanks-joe.txt",
                   "an assurance that neither", "an assurance that " + hostile + " neither")
        replace_in(content / "claims" / "taliban-safe-haven.yaml",
                   "reason: Every known copy of the sentence descends from The Sun itself.",
                   "reason: " + json.dumps(hostile))
        replace_in(content / "site.yaml", "title: Afghanistan Claims Tracker",
                   "title: " + json.dumps(hostile))

    rendered = rendered_of(copy_tree(RENDERING, tmp_path, edit))
    for path in (FILE, PAGE):
        data = json.loads(rendered[path].decode("utf-8"))
        assert json.loads(json.dumps(data)) == data
        assert expand(data)
    items = items_of(rendered)
    assert items[SUN]["body"][0]["value"] == "Not comparable. Quoted exactly. " + hostile
    assert items[SUN]["generator"]["name"] == hostile
    assert exported(rendered)["label"].startswith(hostile)
    quote = items[REDSTATE]["target"]["selector"][0]
    assert quote["prefix"] == (hostile + " ")[-32:]
    assert quote["exact"].startswith("neither ISIS nor al-Qaeda")
    assert len(items) == exported(rendered)["total"] == 2


def test_the_files_are_deterministic(rendered: dict[str, bytes]) -> None:
    checked = checked_of(RENDERING)
    site_views = views_of(checked)
    site, labels = ApiSite.of(site_views.site), checked.theme.labels
    shown = annotated(site_views.claims)
    assert render_collection(site, len(shown), 1, labels) == rendered[FILE]
    again = render_page(site, 1, 1, shown, labels)
    assert again == rendered[PAGE]
    # one line for the page's head, one for each annotation, one for its tail
    assert again.endswith(b"\n") and again.count(b"\n") == 2 + len(shown)
    assert rendered[FILE].count(b"\n") == 1
