"""Shared fixtures, layered as the stages are: a content tree, then what `check` makes of it,
then its views, then the files the theme renders from them; and a built site in a browser."""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import threading
from collections.abc import Callable, Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from generator import pipeline, render, theme, views
from generator.pipeline import Checked
from generator.views import SiteViews

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_THEME = ROOT / "themes" / "default"
TREES = Path(__file__).resolve().parent / "trees"
MINIMAL = TREES / "minimal" / "content"
"""The smallest site: one claim, one article, one outlet, one source."""
RENDERING = TREES / "rendering" / "content"
"""Two claims, three outlets, two sources, two pages: every part a page shows."""
DEMO = TREES / "demo" / "content"
"""A frozen copy of the demo content (content/ as it was): a realistic site that editors'
corrections to content/ do not change."""

HOSTILE = "</script><script>alert(1)</script>"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden", action="store_true",
        help="rewrite tests/trees/*/expected/ from the current build (review the diff!)",
    )


def copy_tree(tree: Path, tmp_path: Path, edit: Callable[[Path], None] | None = None) -> Path:
    """A scratch copy of a content tree (the folder holding content/) that a test may change;
    returns its content folder."""
    target = tmp_path / "project" / "content"
    shutil.copytree(tree, target)
    if edit is not None:
        edit(target)
    return target


def replace_in(path: Path, old: str, new: str) -> None:
    """Change one file of a scratch tree; the text to replace must be there."""
    text = path.read_text("utf-8")
    assert old in text, f"{old!r} is not in {path}"
    path.write_text(text.replace(old, new, 1), "utf-8")


def checked_of(content: Path) -> Checked:
    return pipeline.check(content)


def views_of(checked: Checked) -> SiteViews:
    return views.build_views(checked.site, checked.spans, checked.comparisons)


def rendered_of(content: Path) -> dict[str, bytes]:
    """Every file the theme renders for a content tree, by out path (the render stage fed
    with the real output of the stages before it)."""
    checked = checked_of(content)
    shipped = theme.load_shipped(ROOT)
    return dict(render.render_site(views_of(checked), checked.theme, shipped))


def theme_copy(tmp_path: Path) -> Path:
    """A copy of the default theme that a test may change."""
    target = tmp_path / "theme"
    shutil.copytree(DEFAULT_THEME, target)
    return target


@pytest.fixture(scope="session")
def theme_dir() -> Path:
    return DEFAULT_THEME


@pytest.fixture(scope="session")
def checked() -> Checked:
    return checked_of(RENDERING)


@pytest.fixture(scope="session")
def site_views(checked: Checked) -> SiteViews:
    return views_of(checked)


@pytest.fixture(scope="session")
def rendered() -> dict[str, bytes]:
    return rendered_of(RENDERING)


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo content built once through the pipeline, for tests that only read it."""
    out = tmp_path_factory.mktemp("built") / "site"
    pipeline.build(DEMO, out, base_url="https://desk.example/")
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


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One Chromium for a module's browser tests."""
    with chromium_browser() as chromium:
        yield chromium


# Layout checks shared by the browser tests

SIDEWAYS = """() => {
    const edge = document.documentElement.clientWidth;
    const past = [...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > edge + 0.5)
        .slice(0, 5).map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : ''));
    return [document.documentElement.scrollWidth - edge, past];
}"""
"""How far a page reaches past the right edge of the window, in CSS pixels, and the first
elements that do (what to fix when a test fails)."""


def page_paths(site_dir: Path) -> list[str]:
    """The address of every page of a built site (every .html file, not a list of them)."""
    return sorted(
        "/" + p.relative_to(site_dir).as_posix().removesuffix("index.html")
        for p in site_dir.rglob("*.html")
    )


def sideways(page: Any, base_url: str, paths: list[str]) -> dict[str, tuple[int, list[str]]]:
    """The pages among `paths` that scroll sideways in `page`'s window, with what sticks out."""
    wide = {}
    for path in paths:
        page.goto(base_url + path, wait_until="load")
        overflow, past = page.evaluate(SIDEWAYS)
        if overflow > 0:
            wide[path] = (overflow, past)
    return wide
