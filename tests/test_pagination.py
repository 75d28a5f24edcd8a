"""Long outlet and source lists are split into pages that link to each other."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from generator import cli
from generator.render import PAGE_SIZE

MINIMAL = Path(__file__).parent / "trees" / "minimal" / "content"
CLAIMS = 2 * PAGE_SIZE + 7


def test_outlet_and_source_pages_are_paginated(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(MINIMAL, content)
    claim = (content / "claims/capability.yaml").read_text("utf-8")
    for n in range(2, CLAIMS + 1):
        (content / f"claims/capability-{n:03d}.yaml").write_text(claim, "utf-8")
    out = tmp_path / "site"
    assert cli.main(["build", "--content", str(content), "--out", str(out)]) == 0

    for base, item in (("outlets/daily-example", 'class="appearance"'),
                       ("sources/un-report", '<p><span class="badge')):
        pages = [out / base / "index.html", out / base / "page/2/index.html",
                 out / base / "page/3/index.html"]
        assert not (out / base / "page/4").exists()
        html = [p.read_text("utf-8") for p in pages]
        assert [h.count(item) for h in html] == [PAGE_SIZE, PAGE_SIZE, CLAIMS - 2 * PAGE_SIZE]
        assert "Page 1 of 3" in html[0] and "Page 3 of 3" in html[2]
        assert f'href="/{base}/page/2/" rel="next"' in html[0]
        assert f'href="/{base}/" rel="prev"' in html[1]
        assert 'rel="next"' not in html[2]
        for page_html, page in zip(html, pages, strict=True):
            assert page_html.count("<h1") == 1
            canonical = re.search(r'<link rel="canonical" href="https://example.org(/[^"]*)"', page_html)
            assert canonical is not None
            assert (out / canonical.group(1).strip("/") / "index.html") == page
        if base.startswith("sources/"):
            assert html[0].count('<figure class="passage"') == 1
            assert "All 1 passages are listed on the earlier pages." in html[1]
        sitemap = (out / "sitemap.xml").read_text("utf-8")
        assert f"https://example.org/{base}/page/3/" in sitemap
