"""content/ built and served on 127.0.0.1 -> the search page driven in headless Chromium."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus, urlsplit

import pytest
from conftest import DEMO, require_chromium, serve_directory

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import generate  # bench/generate.py

SPECIAL_QUERIES = [
    "al-qaeda", "title:", "^~", ":", "*", "~", "^", "+", "-", "\\", "haqqani~", "haqqani^",
    "+haqqani -blitz", "-blitz", "outlet:", "outlet:blitz", "claim:haqqani^10", "*aqq*",
    "haq*ani", "al-", "--", "a:b:c", "\"safe haven\"", "(taliban)", "<b>taliban</b>",
    "taliban~1", "taliban~x", "^taliban", "~~~", "::", "+", "+-", "-+haqqani",
]


def built(content: Path, out: Path) -> Path:
    """`content` built into `out` by the command line."""
    done = subprocess.run(
        [sys.executable, "-m", "generator", "build", "--content", str(content),
         "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return out


@pytest.fixture(scope="module")
def site_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    require_chromium()
    with serve_directory(built(DEMO, tmp_path_factory.mktemp("search-site") / "site")) as url:
        yield url


class SearchPage:
    """One tab on /search/, recording every page error, console error and failed request."""

    def __init__(self, browser: Any, site_url: str) -> None:
        self.page = browser.new_page()
        self.site_url = site_url
        self.problems: list[str] = []
        self.page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        self.page.on(
            "console",
            lambda message: self.problems.append(f"console {message.type}: {message.text}")
            if message.type in ("error", "warning")
            else None,
        )
        self.page.on("requestfailed", lambda request: self.problems.append(f"failed: {request.url}"))
        self.page.on(
            "response",
            lambda response: self.problems.append(f"{response.status}: {response.url}")
            if response.status >= 400
            else None,
        )

    def open(self, query: str | None = None) -> None:
        suffix = f"?q={quote_plus(query)}" if query is not None else ""
        self.page.goto(f"{self.site_url}/search/{suffix}", wait_until="load")

    def type(self, text: str) -> None:
        box = self.page.locator("#search-input")
        box.fill("")
        box.press_sequentially(text, delay=10)
        self.wait_for(text)

    def wait_for(self, text: str) -> None:
        """Until the results and status shown are those of `text` (search.js marks them)."""
        self.page.wait_for_function(
            "(text) => document.getElementById('search-results').getAttribute('data-query') === text",
            arg=text,
            timeout=10_000,
        )

    def status(self) -> str:
        return str(self.page.locator("#search-status").text_content() or "")

    def titles(self) -> list[str]:
        return [str(t) for t in self.page.locator("#search-results .result-title").all_text_contents()]

    def hrefs(self) -> list[str]:
        return [
            str(a.get_attribute("href"))
            for a in self.page.locator("#search-results .result-title").all()
        ]

    def close(self) -> None:
        self.page.close()


@pytest.fixture
def search(browser: Any, site_url: str) -> Iterator[SearchPage]:
    page = SearchPage(browser, site_url)
    page.open()
    yield page
    page.close()
    assert page.problems == []


def test_without_a_query_the_page_is_ready_and_hides_the_no_js_note(search: SearchPage) -> None:
    assert search.page.locator("#search-nojs").is_hidden()
    assert search.status() == ""
    assert search.titles() == []


def test_haqqani_shows_a_haqqani_claim_first(search: SearchPage) -> None:
    search.type("Haqqani")
    titles = search.titles()
    assert titles, search.status()
    assert "Haqqani" in titles[0]
    assert "/claims/haqqani-" in search.hrefs()[0]
    assert re.match(r"^\d+ results? for “Haqqani”", search.status())


def test_results_have_badge_title_and_marked_snippet(search: SearchPage) -> None:
    search.type("Blitz")
    first = search.page.locator("#search-results li.result").first
    badge = first.locator("span.badge")
    assert re.fullmatch(r"badge badge-[a-z-]+", str(badge.get_attribute("class")))
    assert badge.text_content() in {
        "Confirmed", "Misrepresented", "Not in source", "Outdated", "Unchecked", "Unlocated",
    }
    assert first.locator("a.result-title").get_attribute("href", timeout=1000).startswith("/claims/")
    marks = first.locator("p.result-snippet mark").all_text_contents()
    assert marks and all(m.lower() == "blitz" for m in marks)


def test_blitz_finds_the_claims_blitz_repeated(search: SearchPage) -> None:
    expected = sorted(
        path.stem
        for path in (DEMO / "claims").glob("*.yaml")
        if re.search(r"^\s*- article: blitz/", path.read_text(encoding="utf-8"), re.MULTILINE)
    )
    assert expected
    search.type("Blitz")
    found = sorted(href.split("/")[2] for href in search.hrefs())
    assert found == expected


def test_a_word_in_no_claim_shows_no_results(search: SearchPage) -> None:
    search.type("xylophone")
    assert search.titles() == []
    assert search.status() == "No results for “xylophone”."


def test_a_vowel_y_word_finds_its_claim(search: SearchPage) -> None:
    """lunr.py alone would index "monday" as "mondai", which lunr.js never asks for."""
    search.type("Monday")
    hrefs = search.hrefs()
    assert "/claims/biden-severely-degraded-al-qaeda/" in hrefs
    search.type("day")
    assert "/claims/biden-severely-degraded-al-qaeda/" in search.hrefs()


def test_a_possessive_is_found_by_its_word(search: SearchPage) -> None:
    """"Taliban's" is the word "Taliban": both find the same claims."""
    search.type("Taliban")
    plain = set(search.hrefs())
    search.type("Taliban\u2019s")
    assert set(search.hrefs()) == plain and "/claims/taliban-41-sanctioned-senior-posts/" in plain
    search.type("al-Qaeda's")
    assert "/claims/un-2022-attack-capability/" in search.hrefs()


def test_opening_a_query_url_shows_results(browser: Any, site_url: str) -> None:
    page = SearchPage(browser, site_url)
    page.open("safe haven")
    page.wait_for("safe haven")
    assert page.page.locator("#search-input").input_value() == "safe haven"
    hrefs = page.hrefs()
    assert "/claims/lead-ig-taliban-safe-haven-al-qaeda/" in hrefs
    assert "/claims/un-2022-al-qaeda-safe-haven/" in hrefs
    page.close()
    assert page.problems == []


def test_the_header_form_leads_to_results(browser: Any, site_url: str) -> None:
    page = SearchPage(browser, site_url)
    page.page.goto(site_url + "/claims/", wait_until="load")
    page.page.locator("form[role=search] input[name=q]").fill("Haqqani")
    page.page.locator("form[role=search] input[name=q]").press("Enter")
    page.page.wait_for_url(re.compile(r"/search/\?q=Haqqani$"))
    page.wait_for("Haqqani")
    assert "Haqqani" in page.titles()[0]
    page.close()
    assert page.problems == []


def test_special_characters_never_throw(search: SearchPage) -> None:
    for query in SPECIAL_QUERIES:
        search.type(query)
        assert not search.status().startswith("Search is not available"), query
    search.page.locator("#search-input").fill("")
    assert search.problems == []


def test_keyboard_only(search: SearchPage) -> None:
    page = search.page
    page.locator("#search-input").focus()
    page.keyboard.type("taliban", delay=10)
    search.wait_for("taliban")
    count = len(search.titles())
    assert count >= 2
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.className") == "result-title"
    first = page.evaluate("document.activeElement.getAttribute('href')")
    page.keyboard.press("ArrowDown")
    second = page.evaluate("document.activeElement.getAttribute('href')")
    assert second != first
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    assert page.evaluate("document.activeElement.id") == "search-input"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.getAttribute('href')") == first
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(re.escape(first) + "$"))


def test_query_is_kept_in_the_address(search: SearchPage) -> None:
    search.type("safe haven")
    assert search.page.url.endswith("/search/?q=safe+haven")


def test_results_are_not_built_from_html(search: SearchPage) -> None:
    search.type("<b>taliban</b>")
    assert search.page.locator("#search-results b").count() == 0
    assert "“<b>taliban</b>”" in search.status()


# ---------------------------------------------------------------- what readers type


def _claims_citing(source: str) -> list[str]:
    return sorted(
        path.stem for path in (DEMO / "claims").glob("*.yaml")
        if re.search(rf"^\s*source: {re.escape(source)}\s*$", path.read_text("utf-8"), re.MULTILINE)
    )


def _found(search: SearchPage, query: str) -> list[str]:
    search.type(query)
    return sorted(href.split("/")[2] for href in search.hrefs())


def test_every_spelling_of_a_name_finds_the_same_claims(search: SearchPage) -> None:
    found = {query: _found(search, query)
             for query in ("Al-Qaida", "al qaeda", "al-Qa'ida", "Al Qaeda", "alqaeda", "al-Qa\u2019ida")}
    assert len(set(map(tuple, found.values()))) == 1, found
    assert len(found["alqaeda"]) >= 10
    # the marks show each claim's own spelling, not the folded term
    search.type("alqaeda")
    marks = search.page.locator("#search-results .result-title mark").all_text_contents()
    assert marks and {m.lower().replace("\u2019", "'") for m in marks} <= {
        "al-qaida", "al-qaeda", "al qaeda", "al-qa'ida"}


def test_an_entity_s_aliases_find_the_same_claims(search: SearchPage) -> None:
    found = {query: _found(search, query) for query in ("ISIL-K", "ISIS-K", "ISKP", "isis k")}
    assert len(set(map(tuple, found.values()))) == 1, found
    assert "un-2023-isil-k-fighters" in found["ISKP"]


def test_a_document_symbol_finds_the_claims_of_its_source(search: SearchPage) -> None:
    expected = _claims_citing("un-s-2022-419")
    assert expected
    for query in ("S/2022/419", "2022/419", "s/2022/419"):
        assert _found(search, query) == expected, query


def test_a_query_in_another_script_is_searched(search: SearchPage) -> None:
    for query in ("\u0627\u0644\u0642\u0627\u0639\u062f\u0629", "\u05e9\u05dc\u05d5\u05dd",
                  "\u57fa\u5730\u7ec4\u7ec7", "\U0001f680"):
        search.type(query)
        assert search.status() == f"No results for \u201c{query}\u201d.", query
        assert search.page.locator("#search-none").is_visible()


@pytest.fixture(scope="module")
def scripts_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A scratch site whose claims hold words in Arabic, Hebrew, Chinese, Devanagari, an emoji."""
    from test_search import FOLDED, write_scratch

    from generator import pipeline

    root = tmp_path_factory.mktemp("scripts")
    content = write_scratch(root, *FOLDED)
    pipeline.build(content, root / "site")
    with serve_directory(root / "site") as url:
        yield url


def test_words_of_any_script_find_their_claims(browser: Any, scripts_url: str) -> None:
    page = SearchPage(browser, scripts_url)
    page.open()
    for query, claim in (
        ("\u0627\u0644\u0642\u0627\u0639\u062f\u0629", "arabic"), ("\u05e9\u05dc\u05d5\u05dd", "hebrew"),
        ("\u57fa\u5730\u7ec4\u7ec7", "chinese"), ("\u0928\u092e\u0938\u094d\u0924\u0947", "devanagari"),
        ("\U0001f680", "emoji"),
    ):
        assert _found(page, query) == [claim], query
        assert page.page.locator("#search-results mark").all_text_contents() == [query]
    page.close()
    assert page.problems == []


def test_no_results_offer_the_closest_words_and_every_claim(search: SearchPage) -> None:
    search.type("xylophone")
    none = search.page.locator("#search-none")
    assert none.is_visible()
    assert none.locator("a[href='/claims/']").text_content() == "Browse all claims, grouped by status"
    assert search.page.locator("#search-closest").is_hidden()
    search.type("haqani")
    assert search.titles() == []
    closest = search.page.locator("#search-closest")
    assert closest.is_visible()
    assert closest.locator("p").text_content() == "Closest words in the index:"
    links = closest.locator("a")
    words = links.all_text_contents()
    assert words[0] == "haqqani", words
    assert links.first.get_attribute("href") == "/search/?q=haqqani"
    links.first.click()
    search.wait_for("haqqani")
    assert search.page.locator("#search-input").input_value() == "haqqani"
    assert search.page.url.endswith("/search/?q=haqqani")
    assert "Haqqani" in search.titles()[0]
    assert none.is_hidden()


def test_the_header_box_keeps_the_query(browser: Any, site_url: str) -> None:
    page = SearchPage(browser, site_url)
    page.open("safe haven")
    page.wait_for("safe haven")
    header = page.page.locator("#site-search-q")
    assert header.input_value() == "safe haven"
    assert page.page.locator("#search-input").input_value() == "safe haven"
    page.type("taliban")
    assert header.input_value() == "taliban"
    page.close()
    assert page.problems == []


LAYOUT_SHIFTS = """() => {
  window.layoutShift = 0;
  window.layoutShifts = new PerformanceObserver((list) => {
    list.getEntries().forEach((entry) => {
      if (!entry.hadRecentInput) { window.layoutShift += entry.value; }
    });
  });
  window.layoutShifts.observe({ type: "layout-shift", buffered: true });
}"""


@pytest.mark.parametrize("query", ["taliban", "xylophone"])
def test_results_arriving_do_not_move_the_page(browser: Any, site_url: str, query: str) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 760})
    page = context.new_page()
    page.add_init_script(f"({LAYOUT_SHIFTS})()")
    page.goto(f"{site_url}/search/?q={query}", wait_until="load")
    page.wait_for_function(
        "(text) => document.getElementById('search-results').getAttribute('data-query') === text",
        arg=query, timeout=10_000)
    shift = page.evaluate("""() => new Promise((done) => requestAnimationFrame(() =>
      requestAnimationFrame(() => {
        window.layoutShifts.takeRecords().forEach((entry) => {
          if (!entry.hadRecentInput) { window.layoutShift += entry.value; }
        });
        done(window.layoutShift);
      })))""")
    shown = page.locator("#search-results li").count() or page.locator("#search-none").is_visible()
    context.close()
    assert shown
    assert shift < 0.1


def test_a_search_fetches_only_the_parts_of_the_store_that_hold_its_results(
    browser: Any, tmp_path: Path,
) -> None:
    """250 claims make a store of three parts; a query whose results are in one of them
    fetches that part alone, and shows each result's record from it."""
    generate.write_tree(generate.generate(250, seed=2), tmp_path / "content")
    out = built(tmp_path / "content", tmp_path / "site")
    parts = json.loads((out / "search/index.json").read_text("utf-8"))["store"]["parts"]
    assert len(parts) == 3
    records = {part: json.loads((out / part[1:]).read_text("utf-8")) for part in parts}
    part_of = {record["u"]: part for part, part_records in records.items()
               for record in part_records.values()}
    title_of = {record["u"]: record["t"] for part_records in records.values()
                for record in part_records.values()}
    words = Counter(word for title in title_of.values()
                    for word in set(re.findall(r"[a-z]{7,}", title.lower())))
    rare = sorted(word for word, count in words.items() if count == 1)
    assert rare
    with serve_directory(out) as url:
        page = SearchPage(browser, url)
        fetched: list[str] = []
        page.page.on("request", lambda request: fetched.append(urlsplit(request.url).path))
        page.open()
        query = f"claim:{rare[len(rare) // 2]}"
        page.page.locator("#search-input").fill(query)  # one input event: one search
        page.wait_for(query)
        shown = page.hrefs()
        assert shown and page.titles() == [title_of[href] for href in shown]
        holding = sorted({part_of[href] for href in shown})
        assert sorted(u for u in fetched if "/store." in u) == holding and len(holding) < 3
        page.close()
    assert page.problems == []
