"""Shared fixtures: a small hand-made Site, the default theme, and the site rendered from them."""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from generator.model import (
    Appearance,
    Article,
    Attribution,
    Claim,
    DiffOp,
    Fidelity,
    FidelityResult,
    Flag,
    FlagKind,
    Outlet,
    Page,
    PartialDate,
    Passage,
    Publisher,
    Site,
    Source,
    Span,
    Status,
    Update,
)

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_THEME = ROOT / "themes" / "default"

ASSETS = {
    "lunr.js": "/assets/lunr.0123abcd.min.js",
    "search-index": "/search/index.89abcdef.json",
    "search-store": "/search/store.01234567.json",
}
"""What the index stage hands to render: url paths of files that it writes itself."""

REDSTATE_TEXT = (
    "Trending on RedState Videos\n\n"
    "As the Taliban faces continued attacks from the Islamic State (ISIS), it is \u201cmaintaining "
    "close ties with al-Qaida as they consolidate control over the country,\u201d according to "
    "the Times of Israel. However, the organization does give an assurance that neither ISIS "
    "nor al-Qaeda \u201cis believed to be capable of mounting international attacks before 2023 "
    "at the earliest, regardless of their intent or of whether the Taliban acts to restrain "
    "them.\u201d\n\nMore text follows here.\n"
)
REDSTATE_QUOTE = (
    "neither ISIS nor al-Qaeda \u201cis believed to be capable of mounting international attacks "
    "before 2023 at the earliest"
)
BLITZ_TEXT = (
    "Editor of Blitz.\n\nAccording to counterterrorism experts, Al Qaeda and Islamic State (ISIS) "
    "\u201cis believed to be capable of mounting international attacks before 2023 at the "
    "earliest, regardless of their intent\u201d. A second sentence - with a dash, a comma & an "
    "ampersand.\n"
)
BLITZ_QUOTE = (
    "Al Qaeda and Islamic State (ISIS) \u201cis believed to be capable of mounting international "
    "attacks before 2023 at the earliest"
)
SUN_TEXT = (
    "Most read in The Sun\n\n"
    "The Taliban continued to maintain its relationship with Al Qaeda, providing safe haven "
    "for the terrorist group in Afghanistan.\n\n"
    "But chillingly, it adds: \"The Taliban continued to maintain its relationship with Al "
    "Qaeda, providing safe haven for the terrorist group in Afghanistan.\u201d\n"
)
SUN_QUOTE = (
    "The Taliban continued to maintain its relationship with Al Qaeda, providing safe haven "
    "for the terrorist group in Afghanistan."
)
HOSTILE = "</script><script>alert(1)</script>"


def _span(text: str, quote: str, occurrence: int = 0, line0: int = 5) -> Span:
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(quote, start + 1)
    return Span(start, start + len(quote), line0 + text.count("\n", 0, start), True)


def make_site(claim_text: str = "Neither ISIL-K nor al-Qaeda could mount attacks abroad before "
              "2023, UN monitors said.", publish_article_text: bool = False) -> Site:
    """Two claims, three outlets, two sources, two pages: every part a page shows."""
    redstate = Outlet("redstate", "RedState", True, "https://redstate.example/", "US", None)
    blitz = Outlet("blitz", "Blitz", True, None, "BD", "Named in the author's biography.")
    sun = Outlet("the-sun", "The Sun", True, "https://www.thesun.example/", "GB", None)
    un = Source(
        id="un-s-2022-419",
        title="Thirteenth report of the Analytical Support and Sanctions Monitoring Team",
        publisher="United Nations Security Council",
        symbol="S/2022/419",
        date=PartialDate(2022, 5),
        url=None,
        kind="report",
        notes="Made public in early June 2022.",
        passages=(
            Passage(
                id="attack-capability",
                text="Neither ISIL-K nor Al-Qaida is believed to be capable of mounting "
                "international attacks before 2023 at the earliest, regardless of their intent "
                "or of whether the Taliban acts to restrain them.",
                checked=False,
                locator=None,
                basis="opening words as widely reported; the rest quoted by the Associated Press.",
                rests_on=(),
                url=None,
            ),
        ),
    )
    ig = Source(
        id="lead-ig-ofs-2021-q3",
        title="Lead Inspector General for Operation Freedom's Sentinel, quarterly report",
        publisher="Lead Inspector General",
        symbol=None,
        date=PartialDate(2021, 8, 17),
        url="https://www.dodig.example/report/",
        kind="report",
        notes=None,
        passages=(
            Passage(
                id="safe-haven",
                text=SUN_QUOTE,
                checked=False,
                locator=None,
                basis="The Sun's article; every copy found descends from it.",
                rests_on=("the-sun",),
                url=None,
            ),
            Passage(
                id="violence",
                text="During the withdrawal, the Taliban increased its campaign of violence "
                "against ANDSF and civilians across the country.",
                checked=True,
                locator="official summary page",
                basis=None,
                rests_on=(),
                url="https://www.dodig.example/summary/",
            ),
        ),
    )
    a_redstate = Article(
        id="redstate/thanks-joe", outlet=redstate,
        headline="Thanks, Joe: Al-Qaeda Resumes Taking Refuge in Afghanistan Under the Taliban",
        url="https://redstate.example/thanks-joe", date=PartialDate(2022),
        date_basis="Quotes the UN monitoring team report of May 2022.",
        cites=("The Times of Israel",), notes=None, text=REDSTATE_TEXT,
        rel_path="content/articles/redstate/thanks-joe.txt", body_line=5,
    )
    a_blitz = Article(
        id="blitz/safe-haven", outlet=blitz,
        headline="Taliban rule offers safe haven", url=None, date=PartialDate(2022, 6),
        date_basis=None, cites=("source:un-s-2022-419", "BBC"), notes=None, text=BLITZ_TEXT,
        rel_path="content/articles/blitz/safe-haven.txt", body_line=4,
    )
    a_sun = Article(
        id="the-sun/pentagon-report", outlet=sun,
        headline="Pentagon watchdog report", url="https://www.thesun.example/news/123/",
        date=PartialDate(2021, 8, 18), date_basis=None,
        cites=("source:lead-ig-ofs-2021-q3",), notes=None, text=SUN_TEXT,
        rel_path="content/articles/the-sun/pentagon-report.txt", body_line=6,
    )
    redstate_fidelity = FidelityResult(
        fidelity=Fidelity.ALTERED, similarity=0.86,
        diff=(
            DiffOp("same", "neither"), DiffOp("removed", "ISIL-K"), DiffOp("added", "ISIS"),
            DiffOp("same", "nor al-Qaeda is believed to be capable of mounting international "
                   "attacks before 2023 at the earliest"),
        ),
        flags=(), respellings=(("Al-Qaida", "al-Qaeda"),),
        reason="ISIS replaces ISIL-K; the rest is the source's wording.",
    )
    blitz_fidelity = FidelityResult(
        fidelity=Fidelity.ALTERED, similarity=0.71,
        diff=(
            DiffOp("removed", "Neither ISIL-K nor"), DiffOp("same", "Al Qaeda"),
            DiffOp("added", "and Islamic State (ISIS)"),
            DiffOp("same", "is believed to be capable of mounting international attacks before "
                   "2023 at the earliest"),
        ),
        flags=(Flag(FlagKind.NEGATION_DROPPED, ("Neither", "nor"),
                    "The source's negation is gone: the sentence says the opposite."),),
        respellings=(("Al-Qaida", "Al Qaeda"),),
        reason="Words dropped and added around the quoted words.",
    )
    sun_fidelity = FidelityResult(
        fidelity=Fidelity.NOT_COMPARABLE, similarity=1.0, diff=(), flags=(), respellings=(),
        reason="The passage's only known wording comes from The Sun itself.",
    )
    capability = Claim(
        id="isil-k-al-qaeda-capability",
        claim=claim_text,
        status=Status.UNCHECKED,
        source=un,
        passage=un.passages[0],
        verdict="The report's opening words are widely quoted.\n\n# A heading\n\n"
        "See [the method](/methodology/) and [no](javascript:alert(1)).",
        reviewed=PartialDate(2026, 11, 21),
        tags=("al-qaeda", "isil-k"),
        appearances=(
            Appearance(a_redstate, REDSTATE_QUOTE, None, None, _span(REDSTATE_TEXT, REDSTATE_QUOTE),
                       Attribution.VIA_INTERMEDIARY, "Cites the Times of Israel, not the report.",
                       None, None, redstate_fidelity),
            Appearance(a_blitz, BLITZ_QUOTE, None, None, _span(BLITZ_TEXT, BLITZ_QUOTE),
                       Attribution.MISSING, "Drops \u201cneither \u2026 nor\u201d.",
                       Fidelity.ALTERED, "The negation is gone.", blitz_fidelity),
        ),
        updates=(Update(PartialDate(2026, 11, 22), "Added Blitz's appearance."),),
        rel_path="content/claims/isil-k-al-qaeda-capability.yaml",
    )
    haven = Claim(
        id="taliban-safe-haven",
        claim="The Taliban kept providing al-Qaeda a safe haven, a Pentagon watchdog said.",
        status=Status.UNCHECKED,
        source=ig,
        passage=ig.passages[0],
        verdict="Every copy of the sentence descends from The Sun.",
        reviewed=PartialDate(2026, 11, 20),
        tags=(),
        appearances=(
            Appearance(a_sun, SUN_QUOTE, "it adds: \"", None, _span(SUN_TEXT, SUN_QUOTE, 1),
                       Attribution.WRONG, None, None, None, sun_fidelity),
        ),
        updates=(),
        rel_path="content/claims/taliban-safe-haven.yaml",
    )
    return Site(
        title="Afghanistan Claims Tracker",
        base_url="https://factcheck.example/",
        language="en",
        description="Claims about al-Qaeda and the Taliban, traced to the documents they cite.",
        publisher=Publisher("Afghanistan Claims Tracker", "https://factcheck.example/"),
        corrections_url="https://factcheck.example/corrections/",
        theme="themes/default",
        publish_article_text=publish_article_text,
        build_date=PartialDate(2026, 11, 22),
        outlets=(blitz, redstate, sun),
        sources=(ig, un),
        articles=(a_blitz, a_redstate, a_sun),
        claims=(capability, haven),
        pages=(
            Page("about", "About", "# About\n\nWho we are. <b>bold?</b>\n\n## Contact\n\n"
                 "Write to [us](mailto:desk@factcheck.example).", "content/pages/about.md"),
            Page("methodology", "Methodology", "How we check.", "content/pages/methodology.md"),
        ),
        spellings=(("Al-Qaida", "al-Qaeda", "Al Qaeda"),),
    )


def theme_copy(tmp_path: Path) -> Path:
    """A copy of the default theme that a test may change."""
    target = tmp_path / "theme"
    shutil.copytree(DEFAULT_THEME, target)
    return target


@pytest.fixture(scope="session")
def theme_dir() -> Path:
    return DEFAULT_THEME


@pytest.fixture(scope="session")
def site() -> Site:
    return make_site()


@pytest.fixture(scope="session")
def rendered(site: Site, theme_dir: Path) -> dict[str, bytes]:
    from generator.render import render_site

    return render_site(site, theme_dir, ASSETS)


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real content/ built once through the pipeline, for tests that only read it."""
    from generator import pipeline

    out = tmp_path_factory.mktemp("built") / "site"
    pipeline.build(Path(__file__).resolve().parent.parent / "content", out,
                   base_url="https://desk.example/")
    return out


# A built site over HTTP, in headless Chromium

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def require_chromium() -> None:
    """Skip without Debian's chromium, except in CI, where its absence is a failure."""
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: .ci/run installs Debian's chromium")
        pytest.skip(f"{CHROMIUM} is not installed")


@contextlib.contextmanager
def serve_directory(directory: Path) -> Iterator[str]:
    """Serve a built site on 127.0.0.1 with the headers the deploy sends (netlify.toml and
    the site's _headers, so the Content-Security-Policy is enforced); yields its address."""
    from generator import serve

    rules = serve.load_headers(ROOT / "netlify.toml") + serve.load_headers_file(
        directory / "_headers"
    )

    class Handler(SimpleHTTPRequestHandler):
        def end_headers(self) -> None:
            for name, value in serve.headers_for(rules, self.path.split("?", 1)[0]).items():
                self.send_header(name, value)
            super().end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(directory)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@contextlib.contextmanager
def chromium_browser() -> Iterator[Any]:
    """Headless Debian chromium driven by Playwright."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
