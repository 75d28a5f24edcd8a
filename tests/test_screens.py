"""The built demo site in headless Chromium: no CSP violation, no failed request, no sideways
scroll on any page, a claim page's verdict on its first screen, axe-core's WCAG AA rules in both
colour schemes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import page_paths, serve_directory, sideways
from test_site import build, make_project

PAGES = [
    "/",
    "/claims/",
    "/claims/un-2022-attack-capability/",
    "/claims/lead-ig-taliban-safe-haven-al-qaeda/",
    "/outlets/",
    "/outlets/redstate/",
    "/sources/un-s-2022-419/",
    "/search/",
    "/methodology/",
]
WIDTHS = [360, 1280]
SCREENS = [(360, 760), (1280, 900)]
"""A phone's and a laptop's first screen (width, height in CSS pixels)."""
FIRST_SCREEN = ["h1", ".finding", ".status", ".repeated"]
"""What a claim page shows before any scrolling: the short claim, the editor's finding, the
source's status in plain words and who repeated it (when someone did)."""
MIN_TEXT_PX = 16
"""The smallest font size of the first screen's text: compact, never small."""
SCHEMES = ["light", "dark"]


@pytest.fixture(scope="module")
def site_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = make_project(tmp_path_factory.mktemp("screens") / "p")
    out = project / "site"
    assert build(project, out, "--base-url", "https://claims.example/") == 0
    return out


@pytest.fixture(scope="module")
def base_url(site_dir: Path) -> Iterator[str]:
    with serve_directory(site_dir) as url:
        yield url


@pytest.mark.parametrize("width", WIDTHS)
def test_pages_load_cleanly_and_fit_the_screen(
    base_url: str, browser: object, width: int, tmp_path: Path
) -> None:
    page = browser.new_page(viewport={"width": width, "height": 900})  # type: ignore[attr-defined]
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}")
            if m.type in ("error", "warning") else None)
    page.on("requestfailed", lambda r: problems.append(f"failed: {r.url}"))
    page.on("response", lambda r: problems.append(f"{r.status}: {r.url}")
            if r.status >= 400 else None)
    for path in PAGES:
        page.goto(base_url + path, wait_until="load")
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, (path, width, overflow)
        page.screenshot(path=str(tmp_path / f"{path.strip('/').replace('/', '_') or 'home'}"
                                 f"-{width}.png"), full_page=True)
    page.close()
    assert problems == []


def test_no_page_scrolls_sideways_on_a_phone(site_dir: Path, base_url: str, browser: object) -> None:
    paths = page_paths(site_dir)
    page = browser.new_page(viewport={"width": 360, "height": 760})  # type: ignore[attr-defined]
    wide = sideways(page, base_url, paths)
    page.close()
    assert wide == {}
    assert len(paths) > 50


@pytest.mark.parametrize("screen", SCREENS, ids=lambda s: f"{s[0]}x{s[1]}")
def test_a_claim_page_opens_with_its_finding(
    site_dir: Path, base_url: str, browser: object, screen: tuple[int, int]
) -> None:
    """The short claim, the finding, the status and who repeated it lie within the first
    screen, in text no smaller than MIN_TEXT_PX, on every claim page."""
    width, height = screen
    page = browser.new_page(viewport={"width": width, "height": height})  # type: ignore[attr-defined]
    claims = sorted(p.parent.name for p in (site_dir / "claims").glob("*/index.html"))
    off: dict[tuple[str, str], object] = {}
    for claim in claims:
        page.goto(f"{base_url}/claims/{claim}/", wait_until="load")
        repeated = page.query_selector("li.appearance") is not None
        for selector in FIRST_SCREEN if repeated else FIRST_SCREEN[:-1]:
            element = page.query_selector(selector)
            box = element.bounding_box() if element is not None else None
            if element is None or box is None:
                off[claim, selector] = "not shown"
                continue
            bottom, right = box["y"] + box["height"], box["x"] + box["width"]
            if box["y"] < 0 or bottom > height or right > width:
                off[claim, selector] = {"top": box["y"], "bottom": bottom, "right": right}
            size = element.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
            if size < MIN_TEXT_PX:
                off[claim, selector] = {"font-size": size}
    page.close()
    assert off == {}
    assert len(claims) > 20


AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("width", WIDTHS)
def test_pages_pass_axe_wcag_aa(
    site_dir: Path, base_url: str, browser: object, width: int, scheme: str
) -> None:
    """axe-core's WCAG 2.0/2.1 A and AA rules (contrast, names, landmarks, headings...), in the
    light and in the dark colour scheme."""
    assert AXE.exists(), "axe-core is not installed: run `npm ci` (or `make test`)"
    tag = min(p.name for p in (site_dir / "tags").iterdir() if p.is_dir())
    paths = [*PAGES, f"/tags/{tag}/", "/corrections/", "/404.html"]
    # axe is injected as an inline script, which the site's own CSP rightly forbids
    page = browser.new_page(  # type: ignore[attr-defined]
        viewport={"width": width, "height": 900}, bypass_csp=True
    )
    page.emulate_media(color_scheme=scheme)
    found = {}
    for path in paths:
        page.goto(base_url + path, wait_until="load")
        assert page.evaluate(f"matchMedia('(prefers-color-scheme: {scheme})').matches")
        page.add_script_tag(path=str(AXE))
        violations = page.evaluate(
            """async () => (await axe.run(document, {runOnly: {type: 'tag',
                values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})).violations
                .map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '))"""
        )
        if violations:
            found[path] = violations
    page.close()
    assert found == {}
