"""The built site in headless Chromium: no CSP violation, no failed request, no sideways scroll."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import chromium_browser, serve_directory
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

@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    project = make_project(tmp_path_factory.mktemp("screens") / "p")
    out = project / "site"
    assert build(project, out, "--base-url", "https://claims.example/") == 0
    with serve_directory(out) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with chromium_browser() as chromium:
        yield chromium


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


AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"


@pytest.mark.parametrize("width", WIDTHS)
def test_pages_pass_axe_wcag_aa(base_url: str, browser: object, width: int) -> None:
    """axe-core's WCAG 2.0/2.1 A and AA rules (contrast, names, landmarks, headings...)."""
    assert AXE.exists(), "axe-core is not installed: run `npm ci` (or `make test`)"
    # axe is injected as an inline script, which the site's own CSP rightly forbids
    page = browser.new_page(  # type: ignore[attr-defined]
        viewport={"width": width, "height": 900}, bypass_csp=True
    )
    found = {}
    for path in PAGES:
        page.goto(base_url + path, wait_until="load")
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
