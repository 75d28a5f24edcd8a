"""content/ built and served on 127.0.0.1 -> the search page driven in headless Chromium."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus

import pytest
from conftest import DEMO, chromium_browser, require_chromium, serve_directory

ROOT = Path(__file__).resolve().parent.parent
SPECIAL_QUERIES = [
    "al-qaeda", "title:", "^~", ":", "*", "~", "^", "+", "-", "\\", "haqqani~", "haqqani^",
    "+haqqani -blitz", "-blitz", "outlet:", "outlet:blitz", "claim:haqqani^10", "*aqq*",
    "haq*ani", "al-", "--", "a:b:c", "\"safe haven\"", "(taliban)", "<b>taliban</b>",
    "taliban~1", "taliban~x", "^taliban", "~~~", "::", "+", "+-", "-+haqqani",
]


@pytest.fixture(scope="module")
def site_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    require_chromium()
    out = tmp_path_factory.mktemp("search-site") / "site"
    done = subprocess.run(
        [sys.executable, "-m", "generator", "build", "--content", str(DEMO),
         "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    with serve_directory(out) as url:
        yield url


@pytest.fixture(scope="module")
def browser(site_url: str) -> Iterator[Any]:
    with chromium_browser() as chromium:
        yield chromium


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
