"""Render stage: the views of tests/trees/rendering -> pages, feeds and the claims export, read as text."""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import (
    DEMO,
    HOSTILE,
    RENDERING,
    ROOT,
    checked_of,
    copy_tree,
    rendered_of,
    replace_in,
    theme_copy,
    views_of,
)

from generator import render, theme
from generator.errors import ContentError, Location
from generator.markdown import is_allowed_link, render_markdown
from generator.render import CSP, feeds, render_site
from generator.render.jsonld import script_json

REDSTATE_QUOTE = (
    "neither ISIS nor al-Qaeda \u201cis believed to be capable of mounting international attacks "
    "before 2023 at the earliest"
)

CLAIM = "claims/isil-k-al-qaeda-capability/index.html"
SUN_CLAIM = "claims/taliban-safe-haven/index.html"


class Page(HTMLParser):
    """The parts of an HTML page the tests look at."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self.text: dict[str, list[str]] = {}
        self._open: list[str] = []
        self._script: dict[str, str | None] | None = None
        self._script_text: list[str] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self._script = dict(attrs)
            self._script_text = []
        if tag in ("h1", "mark", "del", "ins", "title", "svg", "style"):
            self._open.append(tag)
            self.text.setdefault(tag, []).append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._script is not None:
            self.scripts.append((self._script, "".join(self._script_text)))
            self._script = None
        if tag in self._open:
            self._open.remove(tag)

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._script_text.append(data)
        for tag in self._open:
            self.text[tag][-1] += data

    def all(self, tag: str) -> list[dict[str, str | None]]:
        return [attrs for name, attrs in self.tags if name == tag]


def html_of(rendered: dict[str, bytes], path: str) -> str:
    return rendered[path].decode("utf-8")


def pages(rendered: dict[str, bytes]) -> list[str]:
    return sorted(path for path in rendered if path.endswith(".html"))


# --- the set of files


def test_every_page_and_file_is_rendered(rendered: dict[str, bytes]) -> None:
    expected = {
        "index.html", "404.html", "feed.xml", "sitemap.xml", "robots.txt", "api/claims.json",
        "api/claims/isil-k-al-qaeda-capability.json", "api/claims/taliban-safe-haven.json",
        "claims/index.html", CLAIM, SUN_CLAIM,
        "outlets/index.html", "outlets/blitz/index.html", "outlets/redstate/index.html",
        "outlets/the-sun/index.html",
        "sources/index.html", "sources/un-s-2022-419/index.html",
        "sources/lead-ig-ofs-2021-q3/index.html",
        "about/index.html", "methodology/index.html", "search/index.html",
        "corrections/index.html", "corrections.xml",
        "tags/al-qaeda/index.html", "tags/isil-k/index.html",
    }
    assert expected <= set(rendered)
    assets = [path for path in rendered if path.startswith("assets/")]
    assert all(re.fullmatch(r"assets/([\w-]+/)?[\w-]+\.[0-9a-f]{8}(\.min)?\.\w+", path)
               for path in assets), assets
    assert any(path.startswith("assets/style.") for path in assets)
    assert {path.split(".")[0] for path in assets if path.startswith("assets/cards/")} == {
        "assets/cards/isil-k-al-qaeda-capability", "assets/cards/taliban-safe-haven"}
    assert not any(path.startswith("articles/") for path in rendered)


def test_rendering_is_deterministic(rendered: dict[str, bytes]) -> None:
    again = rendered_of(RENDERING)
    assert again == rendered
    assert list(again) == list(rendered)


# --- every page


def test_every_page_has_one_h1_landmarks_and_head_meta(rendered: dict[str, bytes]) -> None:
    for path in pages(rendered):
        html = html_of(rendered, path)
        page = Page(html)
        assert len(page.all("h1")) == 1, path
        names = [tag for tag, _ in page.tags]
        for landmark in ("header", "nav", "main", "footer"):
            assert landmark in names, (path, landmark)
        assert page.all("html")[0]["lang"] == "en"
        canonical = [a for a in page.all("link") if a.get("rel") == "canonical"]
        metas = {a.get("property") or a.get("name"): a.get("content") for a in page.all("meta")}
        for key in ("og:title", "og:type", "og:description", "twitter:card",
                    "twitter:title", "description"):
            assert metas.get(key), (path, key)
        if metas.get("robots") == "noindex":
            # a page kept out of search engines names no address of its own
            assert canonical == [] and "og:url" not in metas, path
        else:
            assert len(canonical) == 1 and (canonical[0]["href"] or "").startswith(
                "https://factcheck.example/"
            ), path
            assert metas["og:url"] == canonical[0]["href"]
        csp = [a for a in page.all("meta") if a.get("http-equiv") == "Content-Security-Policy"]
        assert len(csp) == 1
        assert CSP.startswith(csp[0]["content"] or "-")


def test_no_inline_script_or_style_anywhere(rendered: dict[str, bytes]) -> None:
    for path in pages(rendered):
        page = Page(html_of(rendered, path))
        assert "style" not in page.text, path
        for name, attrs in page.tags:
            assert "style" not in attrs, (path, name)
            assert not any(key.startswith("on") for key in attrs), (path, name)
        for attrs, body in page.scripts:
            if attrs.get("type") == "application/ld+json":
                continue
            assert attrs.get("src") and not body.strip(), path
        hrefs = [a.get("href") or "" for a in page.all("a")]
        assert not any(href.lower().startswith("javascript:") for href in hrefs), path


def test_every_page_header_has_a_get_search_form(rendered: dict[str, bytes]) -> None:
    for path in pages(rendered):
        page = Page(html_of(rendered, path))
        forms = [a for a in page.all("form") if a.get("role") == "search"]
        assert any(f.get("action") == "/search/" and f.get("method") == "get" for f in forms)
        ids = [a["id"] for _, a in page.tags if a.get("id")]
        assert len(ids) == len(set(ids)), path
        inputs = [a for a in page.all("input") if a.get("type") == "search"]
        labels = {a.get("for") for a in page.all("label")}
        assert inputs and all(i.get("name") == "q" and i.get("id") in labels for i in inputs)


def test_internal_links_are_root_relative_and_resolve(rendered: dict[str, bytes]) -> None:
    known = set(rendered)
    for path in pages(rendered):
        page = Page(html_of(rendered, path))
        ids = {a["id"] for _, a in page.tags if a.get("id")}
        refs = [a.get("href") for _, a in page.tags if a.get("href")]
        refs += [a.get("src") for _, a in page.tags if a.get("src")]
        for ref in refs:
            assert ref
            if ref.startswith(("https://", "http://", "mailto:")):
                continue
            if ref.startswith("#"):
                assert ref[1:] in ids, (path, ref)
                continue
            assert ref.startswith("/"), (path, ref)
            target = ref.split("#")[0].lstrip("/")
            target = target + "index.html" if target == "" or target.endswith("/") else target
            assert target in known, (path, ref)


# --- the claim page


def test_claim_page_shows_status_passage_provenance_and_verdict(rendered: dict[str, bytes]) -> None:
    html = html_of(rendered, CLAIM)
    assert '<span class="badge badge-unchecked">Unchecked</span>' in html
    assert "<blockquote><p>Neither ISIL-K nor Al-Qaida is believed" in html
    assert "S/2022/419" in html and '<time datetime="2022-05">May 2022</time>' in html
    # the short form is the heading; the whole claim follows it
    assert "<h1>ISIL-K and al-Qaeda could not attack abroad before 2023, UN monitors said</h1>" in html
    assert ('<p class="claim-full">Neither ISIL-K nor al-Qaeda could mount attacks abroad before '
            "2023, UN monitors said.</p>") in html
    assert "<title>“ISIL-K and al-Qaeda could not attack abroad before 2023, UN monitors said” · Unchecked · " in html
    assert "We have not read these words in the report.</strong>" in html
    assert "opening words as widely reported" in html
    assert "<h2 id=\"h-source\">What the report is reported to say</h2>" in html
    assert "<h3>A heading</h3>" in html
    assert '<a href="/methodology/">the method</a>' in html
    assert 'href="javascript:' not in html
    assert "22 November 2026" in html and "Added Blitz&#39;s appearance." in html


def test_appearances_in_date_order_with_marked_span_in_its_sentence(
    rendered: dict[str, bytes],
) -> None:
    html = html_of(rendered, CLAIM)
    page = Page(html)
    assert page.text["mark"][0] == REDSTATE_QUOTE
    assert page.text["mark"][1].startswith("Al Qaeda and Islamic State (ISIS)")
    assert html.index("/outlets/redstate/") < html.index("/outlets/blitz/")
    assert "However, the organization does give an assurance that <mark>" in html
    assert "More text follows here." not in html
    assert "Trending on RedState Videos" not in html
    assert '<time datetime="2022-06">June 2022</time>' in html
    assert "Attributed via an intermediary" in html and "No attribution" in html
    assert 'href="/outlets/blitz/"' in html


def test_original_article_link_opens_at_the_quote(rendered: dict[str, bytes]) -> None:
    html = html_of(rendered, CLAIM)
    assert (
        'href="https://redstate.example/thanks-joe#:~:text='
        'neither%20ISIS%20nor%20al%2DQaeda,2023%20at%20the%20earliest"'
    ) in html
    sun = html_of(rendered, SUN_CLAIM)
    assert "#:~:text=it%20adds%3A%20%22-,The%20Taliban%20continued%20to," in sun


def test_the_evidence_reads_without_colour(rendered: dict[str, bytes]) -> None:
    html = html_of(rendered, CLAIM)
    page = Page(html)
    # Blitz's span leaves out "Neither ... nor": passage words outside the part it repeats
    # are context, but the ones a detected change names are struck
    assert "[removed: Neither]" in page.text["del"] and "[removed: nor]" in page.text["del"]
    assert "[added: and Islamic State (ISIS)]" in page.text["ins"]
    assert '<span class="vh">[removed: </span>' in html
    assert "<strong>Negation changed</strong>: “Neither … nor” dropped" in html
    assert '<span class="reading reading-changed">Meaning changed</span>' in html
    assert "Quoted exactly; negation changed, subject changed. The negation is gone." in html
    # RedState's appearance has no reading: the evidence is shown, and no grade
    assert '<span class="reading reading-unreviewed">Not yet reviewed</span>' in html


def test_not_comparable_appearance_says_why(rendered: dict[str, bytes]) -> None:
    html = html_of(rendered, SUN_CLAIM)
    assert '<span class="reading reading-not-comparable">Not comparable</span>' in html
    assert "descends from The Sun itself" in html
    assert "that outlet's words are not compared with it: the comparison would prove nothing" in html
    assert '<p class="diff">' not in html


def test_propagation_names_the_intermediary_only_where_it_applies(
    rendered: dict[str, bytes],
) -> None:
    html = html_of(rendered, CLAIM)
    chains = re.findall(r'<ol class="chain"[^>]*>(.*?)</ol>', html, re.DOTALL)
    flat = [re.sub(r"<[^>]+>", "", chain).split("\n") for chain in chains]
    flat = [[step for step in chain if step] for chain in flat]
    assert ["S/2022/419", "The Times of Israel (not in our records)", "RedState"] in flat
    assert ["S/2022/419", "Blitz"] in flat
    assert "BBC" not in html


def test_timeline_is_an_svg_with_a_text_equivalent(rendered: dict[str, bytes]) -> None:
    html = html_of(rendered, CLAIM)
    svg = html[html.index("<svg"): html.index("</svg>")]
    assert 'viewBox="0 0 360 ' in svg and "style=" not in svg
    assert "Source: S/2022/419 · sometime in May 2022" in svg
    assert "RedState · sometime in 2022" in svg and "Blitz · sometime in June 2022" in svg
    # a date known to the month or year is a dashed range, not a point
    assert svg.count('class="tl-range tl-appearance"') == 2
    text = html[html.index('<ul class="timeline-text vh">'):]
    assert "<li>RedState: sometime in 2022</li>" in text[: text.index("</ul>")]


def test_claim_page_with_css_is_under_30_kb(rendered: dict[str, bytes]) -> None:
    css = sum(len(data) for path, data in rendered.items() if path.endswith(".css"))
    for path in (CLAIM, SUN_CLAIM):
        assert len(rendered[path]) + css < 30_000


# --- structured data


def _jsonld(html: str) -> list[dict]:
    page = Page(html)
    return [
        json.loads(body) for attrs, body in page.scripts
        if attrs.get("type") == "application/ld+json"
    ]


def test_claim_review_fields(rendered: dict[str, bytes]) -> None:
    (review,) = _jsonld(html_of(rendered, CLAIM))
    assert review["@context"] == "https://schema.org"
    assert review["@type"] == "ClaimReview"
    assert review["claimReviewed"] == (
        "ISIL-K and al-Qaeda could not attack abroad before 2023, UN monitors said")
    # the rating is the editor's finding, with the source's status as its explanation
    assert review["reviewRating"]["alternateName"] == (
        "Blitz dropped the report's negation; RedState named the parent group for its branch.")
    assert review["reviewRating"]["ratingExplanation"].startswith("Unchecked: ")
    assert review["author"] == {
        "@type": "Organization", "name": "Afghanistan Claims Tracker",
        "url": "https://factcheck.example/",
    }
    assert review["datePublished"] == "2026-11-22"
    assert review["url"] == "https://factcheck.example/claims/isil-k-al-qaeda-capability/"
    item = review["itemReviewed"]
    assert item["@type"] == "Claim"
    works = item["appearance"]
    assert works[0]["headline"].startswith("Thanks, Joe")
    assert works[0]["url"] == "https://redstate.example/thanks-joe"
    assert works[0]["datePublished"] == "2022"
    assert works[0]["publisher"]["name"] == "RedState"
    assert "url" not in works[1]
    # RedState's "2022" may be before or after Blitz's "June 2022": no first appearance
    assert "firstAppearance" not in item
    (sun_review,) = _jsonld(html_of(rendered, SUN_CLAIM))
    sun_item = sun_review["itemReviewed"]
    assert sun_item["firstAppearance"] == sun_item["appearance"][0]


def _with_claim_text(tmp_path: Path, text: str) -> dict[str, bytes]:
    """The rendering tree with `text` as the claim, and as its short form."""
    def edit(content: Path) -> None:
        path = content / "claims" / "isil-k-al-qaeda-capability.yaml"
        replace_in(path, "claim: Neither ISIL-K nor al-Qaeda could mount attacks abroad before "
                   "2023, UN monitors said.", "claim: " + json.dumps(text))
        replace_in(path, "short: ISIL-K and al-Qaeda could not attack abroad before 2023, UN "
                   "monitors said", "short: " + json.dumps(text))
    return rendered_of(copy_tree(RENDERING, tmp_path, edit))


def test_claim_text_cannot_end_the_json_ld_block(tmp_path: Path) -> None:
    html = _with_claim_text(tmp_path, HOSTILE + " & <!-- more")[CLAIM].decode()
    head = html[: html.index("</head>")]
    assert head.count("<script") == 1 and head.count("</script>") == 1
    assert "alert(1)</script>" not in head
    (review,) = _jsonld(html)
    assert review["claimReviewed"] == HOSTILE + " & <!-- more"
    assert "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_script_json_escapes_markup_characters() -> None:
    text = str(script_json({"a": "</script><b>&\u2028"}))
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text) == {"a": "</script><b>&\u2028"}


# --- other pages


def test_outlet_page_shows_the_record(rendered: dict[str, bytes]) -> None:
    html = html_of(rendered, "outlets/blitz/index.html")
    assert "1 appearance, 1 reviewed, 1 with a meaning change." in html
    assert "/claims/isil-k-al-qaeda-capability/#appearance-2" in html
    redstate = html_of(rendered, "outlets/redstate/index.html")
    assert "1 appearance, 0 reviewed." in redstate
    assert "1 not yet reviewed by an editor, and not counted." in redstate
    assert "0 with a meaning change" not in redstate
    index = html_of(rendered, "outlets/index.html")
    assert '<a href="/outlets/the-sun/">The Sun</a>' in index


def test_claims_index_groups_by_status(rendered: dict[str, bytes]) -> None:
    html = html_of(rendered, "claims/index.html")
    assert '<h2 id="unchecked">' in html
    assert len(re.findall(r'<a href="/claims/[a-z]', html)) == 2


def test_the_list_of_every_claim_is_paged_by_status(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(render, "CLAIMS_PAGE_SIZE", 10)
    files = rendered_of(DEMO)  # 21 unchecked claims, then 2 unlocated
    paths = ["claims/index.html", "claims/page/2/index.html", "claims/page/3/index.html"]
    assert sorted(p for p in files if re.fullmatch(r"claims/(page/\d+/)?index\.html", p)) == paths
    listed = [re.findall(r'<li><span class="badge badge-([a-z-]+)">[^<]*</span> '
                         r'<a href="/claims/([a-z0-9-]+)/">', html_of(files, path))
              for path in paths]
    assert [len(page) for page in listed] == [10, 10, 3]
    checked = checked_of(DEMO)
    views = views_of(checked)
    assert [item for page in listed for item in page] == [
        (status.value, view.claim.id) for status, claims in views.by_status for view in claims]
    first, second, third = (html_of(files, path) for path in paths)
    assert "<title>All claims (page 2 of 3)" in second
    assert '<h2 id="unchecked"><span class="badge badge-unchecked">Unchecked</span> 21 claims</h2>' in first
    assert "21 claims (continued)</h2>" in second and "21 claims (continued)</h2>" in third
    assert '<h2 id="unlocated"><span class="badge badge-unlocated">Unlocated</span> 2 claims</h2>' in third
    # the statuses' contents: each links to the page where that status's list begins
    assert '<a href="#unchecked">Unchecked</a> (21)' in first
    assert '<a href="/claims/page/3/#unlocated">Unlocated</a> (2)' in first
    assert '<a href="/claims/#unchecked">Unchecked</a> (21)' in third
    assert '<a href="#unlocated">Unlocated</a> (2)' in third
    assert '<a href="/claims/page/3/#unlocated">' in html_of(files, "index.html")
    assert '<a href="/claims/page/3/" rel="next">Next page</a>' in second
    assert '<a href="/claims/" rel="prev">Previous page</a>' in second
    assert "https://example.org/claims/page/2/</loc>" in files["sitemap.xml"].decode()


def test_a_tag_s_list_is_paged(monkeypatch: pytest.MonkeyPatch) -> None:
    whole = rendered_of(DEMO)
    monkeypatch.setattr(render, "CLAIMS_PAGE_SIZE", 10)
    files = rendered_of(DEMO)

    def listed(html: str) -> list[str]:
        return re.findall(r'</span> <a href="(/claims/[a-z0-9-]+/)">', html)

    everything = listed(html_of(whole, "tags/taliban/index.html"))
    assert len(everything) == 14
    first, second = (html_of(files, path) for path in (
        "tags/taliban/index.html", "tags/taliban/page/2/index.html"))
    assert listed(first) + listed(second) == everything
    assert len(listed(first)) == 10
    assert "tags/taliban/page/3/index.html" not in files
    for html in (first, second):
        assert "<p>14 claims tagged <strong>taliban</strong>" in html
    assert "<title>Claims about taliban (page 2 of 2)" in second
    assert '<a href="/tags/taliban/page/2/" rel="next">Next page</a>' in first
    assert '<a href="/tags/taliban/" rel="prev">Previous page</a>' in second
    # a tag of fewer claims than a page is one page, as before
    assert "tags/biden/page/2/index.html" not in files
    assert files["tags/biden/index.html"] == whole["tags/biden/index.html"]


def test_source_page_shows_passages_and_who_cited_it(rendered: dict[str, bytes]) -> None:
    html = html_of(rendered, "sources/lead-ig-ofs-2021-q3/index.html")
    assert "Read in the document: official summary page." in html
    assert "<strong>Not read in the document.</strong> Where the wording comes from:" in html
    assert '<a href="/claims/taliban-safe-haven/">' in html
    assert "Articles that cite it" in html


def test_markdown_page(rendered: dict[str, bytes]) -> None:
    html = html_of(rendered, "about/index.html")
    assert html.count("<h1>") == 1 and "<h2>Contact</h2>" in html
    assert "&lt;b&gt;bold?&lt;/b&gt;" in html
    assert '<a href="mailto:desk@factcheck.example">us</a>' in html


def test_search_page_contract(rendered: dict[str, bytes]) -> None:
    html = html_of(rendered, "search/index.html")
    page = Page(html)
    form = next(a for a in page.all("form") if a.get("id") == "search-form")
    assert form["action"] == "/search/" and form["method"] == "get"
    field = next(a for a in page.all("input") if a.get("id") == "search-input")
    assert field["type"] == "search" and field["name"] == "q"
    assert '<p id="search-status" role="status" aria-live="polite"></p>' in html
    assert '<ol id="search-results"></ol>' in html
    assert '<p id="search-nojs">' in html and 'href="/claims/"' in html
    scripts = [attrs for attrs, _ in page.scripts]
    assert re.fullmatch(r"/assets/lunr\.[0-9a-f]{8}\.min\.js", scripts[0]["src"] or "")
    assert str(scripts[0]["src"])[1:] in rendered
    assert "defer" in scripts[0]
    script = scripts[1]
    assert script["id"] == "search-script" and "defer" in script
    assert re.fullmatch(r"/assets/search\.[0-9a-f]{8}\.js", script["src"] or "")
    assert script["data-index-url"] == "/search/index.json"
    assert html.index("search-results") < html.index("search-nojs") < html.index("<script")


def test_404_is_not_indexed(rendered: dict[str, bytes]) -> None:
    html = html_of(rendered, "404.html")
    assert '<meta name="robots" content="noindex">' in html
    assert "404.html" not in rendered["sitemap.xml"].decode()


# --- feeds and metadata

ATOM = "{http://www.w3.org/2005/Atom}"


def test_atom_feed(rendered: dict[str, bytes]) -> None:
    root = ET.fromstring(rendered["feed.xml"])
    assert root.tag == ATOM + "feed"
    assert root.findtext(ATOM + "updated") == "2026-11-22T00:00:00Z"
    entries = root.findall(ATOM + "entry")
    assert [e.findtext(ATOM + "id") for e in entries] == [
        "https://factcheck.example/claims/isil-k-al-qaeda-capability/",
        "https://factcheck.example/claims/taliban-safe-haven/",
    ]
    assert entries[0].find(ATOM + "category").get("term") == "unchecked"
    assert entries[0].findtext(ATOM + "summary").startswith("Our finding: Blitz dropped")
    assert entries[0].findtext(ATOM + "title").endswith("” (Unchecked)")


def test_the_feed_holds_the_most_recently_updated_claims_alone(
    rendered: dict[str, bytes], monkeypatch: pytest.MonkeyPatch,
) -> None:
    checked = checked_of(RENDERING)
    monkeypatch.setattr(render, "FEED_ENTRIES", 1)
    files = dict(render_site(views_of(checked), checked.theme, theme.load_shipped(ROOT)))
    root = ET.fromstring(files["feed.xml"])
    # the newest of the two (updated 2026-11-22, the other reviewed 2026-11-20)
    assert [e.findtext(ATOM + "id") for e in root.findall(ATOM + "entry")] == [
        "https://factcheck.example/claims/isil-k-al-qaeda-capability/"]
    assert root.findtext(ATOM + "updated") == "2026-11-22T00:00:00Z"
    # every claim is still listed, and still has its page
    assert files["claims/index.html"] == rendered["claims/index.html"]
    assert "claims/taliban-safe-haven/index.html" in files


def test_feed_escapes_markup(tmp_path: Path) -> None:
    files = _with_claim_text(tmp_path, HOSTILE)
    root = ET.fromstring(files["feed.xml"])
    titles = [e.findtext(ATOM + "title") for e in root.findall(ATOM + "entry")]
    assert f"“{HOSTILE}” (Unchecked)" in titles


def test_sitemap_and_robots(rendered: dict[str, bytes]) -> None:
    root = ET.fromstring(rendered["sitemap.xml"])
    ns = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    locs = [u.findtext(ns + "loc") for u in root.findall(ns + "url")]
    assert "https://factcheck.example/" in locs
    assert "https://factcheck.example/claims/taliban-safe-haven/" in locs
    assert locs == sorted(locs)
    lastmods = {
        u.findtext(ns + "loc"): u.findtext(ns + "lastmod") for u in root.findall(ns + "url")
    }
    assert lastmods["https://factcheck.example/claims/isil-k-al-qaeda-capability/"] == "2026-11-22"
    robots = rendered["robots.txt"].decode()
    assert "Sitemap: https://factcheck.example/sitemap.xml" in robots


def test_a_site_over_the_sitemap_limit_has_a_sitemap_index(
    rendered: dict[str, bytes], monkeypatch: pytest.MonkeyPatch,
) -> None:
    ns = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    whole = [u.findtext(ns + "loc") for u in ET.fromstring(rendered["sitemap.xml"])]
    assert len(whole) > 10
    monkeypatch.setattr(feeds, "SITEMAP_URLS", 4)
    files = rendered_of(RENDERING)
    index = ET.fromstring(files["sitemap.xml"])
    assert index.tag == ns + "sitemapindex"
    named = [s.findtext(ns + "loc") for s in index.findall(ns + "sitemap")]
    assert named == [f"https://factcheck.example/sitemaps/sitemap-{n}.xml"
                     for n in range(1, -(-len(whole) // 4) + 1)]
    parts = [ET.fromstring(files[loc.removeprefix("https://factcheck.example/")])
             for loc in named]
    assert all(part.tag == ns + "urlset" and 1 <= len(part) <= 4 for part in parts)
    assert [u.findtext(ns + "loc") for part in parts for u in part] == whole
    assert sorted(p for p in files if p.startswith("sitemaps/")) == sorted(
        loc.removeprefix("https://factcheck.example/") for loc in named)
    # robots.txt names the index, which search engines read as they read a sitemap
    assert files["robots.txt"] == rendered["robots.txt"]


def test_claims_api(rendered: dict[str, bytes]) -> None:
    index = json.loads(rendered["api/claims.json"])
    assert index["version"] == 3
    assert [c["id"] for c in index["claims"]] == ["isil-k-al-qaeda-capability", "taliban-safe-haven"]
    entry = index["claims"][0]
    assert set(entry) == {"id", "url", "short", "status", "finding", "updated", "record"}
    assert entry["url"] == "https://factcheck.example/claims/isil-k-al-qaeda-capability/"
    assert entry["record"] == "https://factcheck.example/api/claims/isil-k-al-qaeda-capability.json"
    assert rendered["api/claims.json"].count(b"\n") == len(index["claims"]) + 2, "a claim a line"
    claim = json.loads(rendered["api/claims/isil-k-al-qaeda-capability.json"])
    assert claim["version"] == 3 and claim["id"] == entry["id"]
    assert {k: claim[k] for k in ("url", "short", "status", "finding", "updated")} == {
        k: entry[k] for k in ("url", "short", "status", "finding", "updated")}
    assert claim["status"] == "unchecked" and claim["source"]["symbol"] == "S/2022/419"
    assert claim["passage"]["checked"] is False
    blitz = claim["appearances"][1]
    assert blitz["outlet"]["id"] == "blitz"
    text = (RENDERING / "articles" / "blitz" / "safe-haven.txt").read_text("utf-8")
    text = text.split("---\n", 2)[2]
    assert text[blitz["span"]["start"]: blitz["span"]["end"]].startswith("Al Qaeda")
    assert blitz["reading"]["meaning"] == "changed"
    assert blitz["reading"]["changes"] == ["negation", "subject"]
    kinds = [(c["kind"], c["detail"]) for c in blitz["comparison"]["changes"]]
    assert ("negation", "dropped") in kinds
    assert blitz["comparison"]["quotation"] == "exact"
    assert blitz["text_fragment_url"] is None
    assert claim["appearances"][0]["text_fragment_url"].startswith("https://redstate.example/")


# --- options and errors


def test_article_texts_are_published_only_when_asked(tmp_path: Path) -> None:
    content = copy_tree(RENDERING, tmp_path, lambda c: replace_in(
        c / "site.yaml", "publish_article_text: false", "publish_article_text: true"))
    files = rendered_of(content)
    html = files["articles/redstate/thanks-joe/index.html"].decode()
    assert "More text follows here." in html
    assert f"<mark>{REDSTATE_QUOTE}</mark>" in html
    assert 'href="/articles/redstate/thanks-joe/"' in files[CLAIM].decode()


def _render_with(theme_dir: Path) -> dict[str, bytes]:
    checked = checked_of(RENDERING)
    loaded = theme.load_theme(theme_dir, theme_dir.parent, Location("site.yaml"))
    return dict(render_site(views_of(checked), loaded, theme.load_shipped(ROOT)))


def test_a_template_typo_names_the_file_and_line(tmp_path: Path) -> None:
    copy = theme_copy(tmp_path)
    template = copy / "templates" / "claim.html"
    lines = template.read_text(encoding="utf-8").splitlines()
    number = next(i for i, line in enumerate(lines) if line.startswith("<h1>"))
    lines[number] = "<h1>{{ claim.claimm }}</h1>"
    template.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        _render_with(copy)
    (problem,) = caught.value.problems
    assert str(problem.location) == f"theme/templates/claim.html:{number + 1}:1"
    assert "claimm" in problem.message and "/claims/isil-k-al-qaeda-capability/" in problem.message


def test_a_template_syntax_error_names_the_file_and_line(tmp_path: Path) -> None:
    copy = theme_copy(tmp_path)
    broken = "{% extends 'base.html' %}\n{% block content %}\n"
    (copy / "templates" / "404.html").write_text(broken, encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        _render_with(copy)
    (problem,) = caught.value.problems
    assert str(problem.location) == "theme/templates/404.html:2:1"


def test_a_missing_static_file_fails_clearly(tmp_path: Path) -> None:
    copy = theme_copy(tmp_path)
    (copy / "static" / "search.js").unlink()
    with pytest.raises(ContentError, match=r"asset\('search.js'\).*no static file"):
        _render_with(copy)


def test_render_reads_only_the_loaded_theme(tmp_path: Path) -> None:
    copy = theme_copy(tmp_path)
    checked = checked_of(RENDERING)
    loaded = theme.load_theme(copy, tmp_path, Location("site.yaml"))
    shutil.rmtree(copy)
    files = dict(render_site(views_of(checked), loaded, theme.load_shipped(ROOT)))
    assert files == rendered_of(RENDERING)


# --- pieces


def test_markdown_allows_only_safe_links() -> None:
    assert is_allowed_link("https://x.org") and is_allowed_link("/about/")
    assert is_allowed_link("mailto:a@b.org") and is_allowed_link("#part")
    assert not is_allowed_link("javascript:alert(1)") and not is_allowed_link("data:text/html,x")
    assert not is_allowed_link("vbscript:x") and not is_allowed_link("ftp://x.org")
    html = render_markdown("[a](javascript:alert(1)) <script>x</script> ![i](data:x)")
    assert "<a" not in html and "<script>" not in html and "<img" not in html


def test_partial_dates_keep_their_precision(rendered: dict[str, bytes]) -> None:
    html = html_of(rendered, CLAIM)
    assert '<time datetime="2022">2022</time>' in html
    assert "1 January 2022" not in html and "2022-01-01" not in html


# --- the stylesheet


def _luminance(colour: str) -> float:
    channels = [int(colour[i: i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _schemes(css: str) -> dict[str, str]:
    """The stylesheet's rules for each colour scheme: the light rules are those outside the
    `prefers-color-scheme:dark` block; the dark ones are those after the light ones."""
    opening = re.search(r"@media \(prefers-color-scheme: ?dark\) ?\{", css)
    assert opening, "the stylesheet has a dark scheme"
    depth, end = 1, opening.end()
    while depth:
        depth += {"{": 1, "}": -1}.get(css[end], 0)
        end += 1
    light = css[: opening.start()] + css[end:]
    return {"light": light, "dark": light + css[opening.end(): end - 1]}


def test_text_colours_meet_wcag_aa(rendered: dict[str, bytes]) -> None:
    css = next(data for path, data in rendered.items() if path.endswith(".css")).decode()
    for scheme, rules in _schemes(css).items():
        # later declarations win, as in the browser
        variables = dict(re.findall(r"--([\w-]+):(#[0-9a-fA-F]{6})", rules))
        pairs: dict[str, list[str]] = {}
        for selector, body in re.findall(r"([^{}]+)\{([^{}]*)\}", rules):
            colour = re.search(r"(?:^|;)color:(#[0-9a-fA-F]{6}|var\(--[\w-]+\))", body)
            background = re.search(r"background:(#[0-9a-fA-F]{6}|var\(--[\w-]+\))", body)
            if colour and background:
                pairs[selector.strip()] = [
                    variables[v[6:-1]] if v.startswith("var(") else v
                    for v in (colour.group(1), background.group(1))
                ]
        for selector, pair in pairs.items():
            assert _contrast(*pair) >= 4.5, (scheme, selector, pair)
        assert len(pairs) >= 8, scheme
        for text in ("ink", "muted", "link"):
            for ground in ("paper", "panel"):
                assert _contrast(variables[text], variables[ground]) >= 4.5, (scheme, text, ground)


def test_claim_pages_say_how_to_report_an_error(rendered: dict[str, bytes]) -> None:
    page = rendered[CLAIM].decode("utf-8")
    report = page.split('<aside class="report"', 1)[1].split("</aside>", 1)[0]
    assert ('<a href="https://factcheck.example/corrections/">Report it to Afghanistan Claims '
            'Tracker</a>') in report


def test_vocabulary_labels_are_the_same_on_every_page(rendered: dict[str, bytes]) -> None:
    """The labels come from the theme's labels.yaml: a claim page, an outlet page and the
    methodology's glossary use the same words for one value."""
    methodology = html_of(rendered, "methodology/index.html")
    assert '<ul class="glossary">' in methodology and "<p>That is all.</p>" in methodology
    for label in ("Attributed via an intermediary", "No attribution"):
        assert f"<strong>{label}</strong>:" in methodology
        assert label in html_of(rendered, CLAIM)
    assert "No attribution" in html_of(rendered, "outlets/blitz/index.html")
    assert "{{" not in methodology


def test_a_glossary_of_no_vocabulary_is_located(tmp_path: Path) -> None:
    content = copy_tree(RENDERING, tmp_path, lambda c: replace_in(
        c / "pages" / "methodology.md", "{{ glossary: attribution }}", "{{ glossary: verdicts }}"))
    with pytest.raises(ContentError) as caught:
        checked_of(content)
    (problem,) = [p for p in caught.value.problems if p.is_error]
    assert str(problem.location) == "content/pages/methodology.md:7:14"
    assert problem.message == "no vocabulary 'verdicts' to list"


# --- the corrections log


def test_corrections_are_logged_on_the_claim_and_site_wide_newest_first(tmp_path: Path) -> None:
    def edit(content: Path) -> None:
        capability = content / "claims" / "isil-k-al-qaeda-capability.yaml"
        replace_in(capability, "reviewed: 2026-11-22", "reviewed: 2026-11-25")
        replace_in(capability, "    note: Added Blitz's appearance.\n", (
            "    note: Added Blitz's appearance.\n"
            "  - date: 2026-11-25\n    kind: correction\n    note: The finding named the wrong outlet.\n"
            "  - date: 2026-11-23\n    kind: clarification\n    note: The verdict now <b>says</b> so.\n"))
    files = rendered_of(copy_tree(RENDERING, tmp_path, edit))
    page = files[CLAIM].decode()
    log = page[page.index('<section aria-labelledby="h-changes">'):]
    log = log[: log.index("</section>")]
    assert '<li id="update-2"><strong>Correction</strong>, <time datetime="2026-11-25">' in log
    assert "The verdict now &lt;b&gt;says&lt;/b&gt; so." in log
    assert "Corrections will be logged here" not in log
    # the claim with no correction says that they will be logged, and claims none were made
    sun = files[SUN_CLAIM].decode()
    assert "Corrections will be logged here." in sun
    site_log = files["corrections/index.html"].decode()
    items = re.findall(r'<li><p><strong>(\w+)</strong>, <time datetime="([\d-]+)">', site_log)
    # newest first; an update that is neither correction nor clarification is not listed
    assert items == [("Correction", "2026-11-25"), ("Clarification", "2026-11-23")]
    assert 'href="/claims/isil-k-al-qaeda-capability/#update-2"' in site_log
    assert "Added Blitz" not in site_log
    feed = ET.fromstring(files["corrections.xml"])
    entries = feed.findall(ATOM + "entry")
    assert [e.find(ATOM + "category").get("term") for e in entries] == [
        "correction", "clarification"]
    assert entries[0].findtext(ATOM + "id") == (
        "https://factcheck.example/claims/isil-k-al-qaeda-capability/#update-2")
    assert feed.findtext(ATOM + "updated") == "2026-11-25T00:00:00Z"
    assert entries[1].findtext(ATOM + "summary") == "The verdict now <b>says</b> so."


def test_a_site_with_no_correction_says_so(rendered: dict[str, bytes]) -> None:
    html = html_of(rendered, "corrections/index.html")
    assert "<ol class=\"corrections\">" not in html
    assert "There have been no corrections or clarifications so far." in html
    feed = ET.fromstring(rendered["corrections.xml"])
    assert feed.findall(ATOM + "entry") == []


# --- share cards


def test_each_claim_page_has_its_share_card(rendered: dict[str, bytes]) -> None:
    from io import BytesIO

    from PIL import Image

    for path, claim_id in ((CLAIM, "isil-k-al-qaeda-capability"), (SUN_CLAIM, "taliban-safe-haven")):
        metas = {a.get("property") or a.get("name"): a.get("content")
                 for a in Page(html_of(rendered, path)).all("meta")}
        image = metas["og:image"] or ""
        assert re.fullmatch(rf"https://factcheck\.example/assets/cards/{claim_id}\.[0-9a-f]{{8}}\.jpg",
                            image), image
        assert metas["twitter:card"] == "summary_large_image"
        assert (metas["og:image:width"], metas["og:image:height"]) == ("1200", "630")
        card = Image.open(BytesIO(rendered[image.removeprefix("https://factcheck.example/")]))
        assert card.format == "JPEG" and card.size == (1200, 630)
    # pages other than claims share the site's name, with no card of their own
    metas = {a.get("name"): a.get("content") for a in Page(html_of(rendered, "about/index.html")).all("meta")}
    assert metas["twitter:card"] == "summary"


def test_a_cards_line_stamped_glyph_by_glyph_is_pillows_own_drawing_of_it() -> None:
    from PIL import Image, ImageChops, ImageDraw

    from generator.render import images

    # overlapping glyphs (fj, xy, Wa, ff) and a comma, at both sizes a card uses
    line = "Waffle fjord xylophone jinx, Tiffany's AVAST report; quiz"
    for size in (54, 38):
        ours, pillows = (Image.new("RGB", (1200, 90), images.PAPER) for _ in range(2))
        images._write(ImageDraw.Draw(ours), (10, 10), line, size, images.INK)
        ImageDraw.Draw(pillows).text((10, 10), line, font=images._font(size), fill=images.INK)
        assert ours.convert("L").getextrema()[0] < 64  # ink was drawn
        histogram = ImageChops.difference(ours, pillows).convert("L").histogram()
        assert sum(histogram[1:]) < 40, (size, sum(histogram[1:]))  # pixels a shade apart, at most
        assert not any(histogram[9:]), size


def test_a_draft_reaches_no_finding_and_carries_no_claim_review(tmp_path: Path) -> None:
    def edit(content: Path) -> None:
        replace_in(content / "claims" / "taliban-safe-haven.yaml",
                   "finding: Every known copy of the sentence descends from The Sun; the report's "
                   "wording is unknown.\n", "draft: true\n")
    files = rendered_of(copy_tree(RENDERING, tmp_path, edit))
    html = files[SUN_CLAIM].decode()
    assert _jsonld(html) == []
    assert '<span class="finding-label">Work in progress</span> There is no finding yet' in html
    # a draft was edited, not reviewed
    assert '<p class="byline">Work in progress, last edited <time datetime="2026-11-20">' in html
    assert "Reviewed" not in html.split('<p class="byline">')[1].split("</p>")[0]
    listed = files["claims/index.html"].decode().split('href="/claims/taliban-safe-haven/"')[1]
    assert "Work in progress: no finding yet." in listed.split("</li>")[0]
    assert "· edited <time" in listed.split("</li>")[0]
    assert len(_jsonld(files[CLAIM].decode())) == 1


def test_a_claim_with_no_passage_says_so_in_its_own_words(tmp_path: Path) -> None:
    files = rendered_of(copy_tree(RENDERING, tmp_path, lambda c: replace_in(
        c / "claims" / "isil-k-al-qaeda-capability.yaml", "  passage: attack-capability\n", "")))
    html = files[CLAIM].decode()
    status = html.split('<p class="status">')[1].split("</p>")[0]
    assert "no wording of it on this point is established" in status
    assert "these words" not in html and "passage" not in status
    assert '<h2 id="h-source">What is known of the report</h2>' in html
    assert "<blockquote><p>" not in html.split('id="h-source"')[1].split("</section>")[0]


def test_a_preview_renderer_takes_the_last_runs_jobs_and_still_names_a_collision() -> None:
    """A renderer with the last run's sections (a preview server's) gives the same jobs and
    sitemap as one without, taking those of each claim that is the same object; an output
    that collides with one of them is still named."""
    checked = checked_of(DEMO)
    site_views = views_of(checked)
    shipped = theme.load_shipped(ROOT)
    whole = render.Renderer(site_views, checked.theme, shipped)
    expected = list(whole.jobs())
    sections = render.Sections()
    first = list(render.Renderer(site_views, checked.theme, shipped, sections=sections).jobs())
    again = render.Renderer(site_views, checked.theme, shipped, sections=sections)
    jobs = list(again.jobs())
    assert jobs == first == expected and again.sitemap == whole.sitemap
    claim_jobs = {job.out_path: job for job in first}
    taken = [path for path in claim_jobs if path.startswith("claims/") and path.count("/") == 2]
    assert taken and all(any(job is other for other in jobs)
                         for path, job in claim_jobs.items() if path in taken)
    clashing = render.Renderer(site_views, checked.theme, shipped, sections=sections)
    clashing.written.add(taken[-1])
    with pytest.raises(ContentError) as raised:
        list(clashing.jobs())
    assert f"two outputs at {taken[-1]}" in raised.value.problems[0].message


def test_a_preview_renderers_headers_follow_the_top_level_names_that_come_and_go() -> None:
    """A preview server's _headers, counted again where the paths differ from the last
    run's, are those of a whole build: a page gone takes its folder's rule with it."""
    checked = checked_of(DEMO)
    site_views = views_of(checked)
    shipped = theme.load_shipped(ROOT)
    page = site_views.site.pages[0]
    fewer = dataclasses.replace(site_views, site=dataclasses.replace(
        site_views.site, pages=site_views.site.pages[1:]))

    def headers_of(renderer: render.Renderer) -> bytes:
        found = {job.out_path: job for job in renderer.jobs()}["_headers"]
        assert isinstance(found, render.FileJob)
        return found.data

    sections = render.Sections()
    rule = f"\n/{page.id}/*\n".encode()
    assert rule in headers_of(render.Renderer(site_views, checked.theme, shipped,
                                              sections=sections))
    patched = headers_of(render.Renderer(fewer, checked.theme, shipped, sections=sections))
    assert patched == headers_of(render.Renderer(fewer, checked.theme, shipped))
    assert rule not in patched
    assert headers_of(render.Renderer(site_views, checked.theme, shipped,
                                      sections=sections)) == headers_of(
        render.Renderer(site_views, checked.theme, shipped))
