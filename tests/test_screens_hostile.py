"""Content with very long words, addresses, names and titles -> built pages that never scroll
sideways on a 360 px phone, in headless Chromium."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import (
    RENDERING,
    copy_tree,
    page_paths,
    replace_in,
    serve_directory,
    sideways,
)

from generator import cli

WIDTH = 360
"""The narrowest phone the theme is laid out for, in CSS pixels."""
WORD = "Wm" * 100
"""A 200-character word with no break opportunity, of wide letters."""
URL = "https://example.org/reports/" + "a-very-long-path-segment/" * 8 + "?query=" + "x" * 40
"""An address of more than 200 characters with no space in it."""
TAG = "longtag" * 28
"""A tag of 196 characters and no hyphen (a tag is a file name: at most 255 bytes)."""
SHORT = "W" * 110
"""The short form may have 120 characters: all of them one word."""
FINDING = "M" * 150
"""The finding may have 160 characters: all of them one word."""


def make_hostile(content: Path) -> None:
    """The rendering tree, with long unbroken text in every field a page shows."""
    claim = content / "claims" / "isil-k-al-qaeda-capability.yaml"
    replace_in(claim, "claim: Neither ISIL-K", f"claim: {WORD} Neither ISIL-K")
    replace_in(claim, "short: ISIL-K and al-Qaeda could not attack abroad before 2023, UN monitors "
               "said", f"short: {SHORT}")
    replace_in(claim, "finding: Blitz dropped the report's negation; RedState named the parent "
               "group for its branch.", f"finding: {FINDING}")
    replace_in(claim, "  The report's opening words are widely quoted.",
               f"  The report's opening words are widely quoted: {WORD}, see\n"
               f"  [the full address of the report as published]({URL}) or {URL} as bare text.\n\n"
               f"  `{WORD}` in code, and a block of it:\n\n"
               f"  ```\n  {URL} {WORD}\n  ```\n")
    replace_in(claim, "tags: [al-qaeda, isil-k]", f"tags: [al-qaeda, isil-k, {TAG}]")
    replace_in(claim, "    note: Cites the Times of Israel, not the report.",
               f"    note: Cites the Times of Israel, not the report, at {URL} ({WORD}).")
    replace_in(claim, "      reason: The negation is gone.",
               f"      reason: The negation is gone; see {URL} and {WORD}.")
    replace_in(claim, "    note: Drops “neither … nor”.",
               "    note: Drops “neither … nor”.\n"
               f"    credited_to:\n      name: {WORD}")
    replace_in(claim, "    attribution: missing", "    attribution: wrong")

    other = content / "claims" / "taliban-safe-haven.yaml"
    replace_in(other, "      name: a Pentagon watchdog report", f"      name: {WORD}")
    replace_in(other, "verdict: Every copy", f"verdict: {URL} Every copy")

    replace_in(content / "outlets" / "blitz.yaml", "name: Blitz", f"name: Blitz {WORD[:190]}")
    replace_in(content / "outlets" / "blitz.yaml", "notes: Named in the author's biography.",
               f"notes: Named in the author's biography, {URL} {WORD}.")
    replace_in(content / "outlets" / "redstate.yaml", "name: RedState", "name: " + "R" * 190)
    replace_in(content / "articles" / "blitz" / "safe-haven.txt",
               "headline: Taliban rule offers safe haven", f"headline: Taliban rule {WORD}")
    replace_in(content / "articles" / "blitz" / "safe-haven.txt",
               "A second sentence", f"A second {WORD} sentence {URL}")
    replace_in(content / "articles" / "redstate" / "thanks-joe.txt",
               "date_basis: Quotes", f"date_basis: {URL} Quotes")

    un = content / "sources" / "un-s-2022-419.yaml"
    replace_in(un, "title: Thirteenth report", f"title: {WORD} Thirteenth report")
    replace_in(un, "symbol: S/2022/419", "symbol: S/2022/" + "4" * 200)
    replace_in(un, "publisher: United Nations Security Council", f"publisher: {WORD}")
    replace_in(un, "notes: Made public in early June 2022.", f"notes: {URL} {WORD}")
    replace_in(un, "      Neither ISIL-K nor", f"      {WORD} Neither ISIL-K nor")
    replace_in(un, "    basis: opening words", f"    basis: {URL} opening words")
    ig = content / "sources" / "lead-ig-ofs-2021-q3.yaml"
    replace_in(ig, "url: https://www.dodig.example/report/", f"url: {URL}")
    replace_in(ig, "    locator: official summary page", f"    locator: {WORD}")
    replace_in(ig, "    url: https://www.dodig.example/summary/", f"    url: {URL}")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    content = copy_tree(RENDERING, tmp_path_factory.mktemp("hostile"), make_hostile)
    out = content.parent / "site"
    assert cli.main(["build", "--content", str(content), "--out", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def base_url(site: Path) -> Iterator[str]:
    with serve_directory(site) as url:
        yield url


def test_the_long_text_is_on_the_pages(site: Path) -> None:
    """The test below is about these pages: each long value reached the HTML."""
    text = "".join(p.read_text("utf-8") for p in site.rglob("*.html"))
    for value in (WORD, URL.replace("&", "&amp;"), TAG, SHORT, FINDING, "R" * 190,
                  "S/2022/" + "4" * 200):
        assert value in text, value[:40]
    assert (site / "tags" / TAG / "index.html").is_file()


def test_no_page_scrolls_sideways_on_a_phone(site: Path, base_url: str, browser: object) -> None:
    paths = page_paths(site)
    page = browser.new_page(viewport={"width": WIDTH, "height": 760})  # type: ignore[attr-defined]
    wide = sideways(page, base_url, paths)
    page.close()
    assert wide == {}
    assert len(paths) > 15
