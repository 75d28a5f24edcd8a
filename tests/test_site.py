"""The built site: content/ -> `python -m generator build` -> HTML that is crawled and parsed."""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
from conftest import DEMO, ROOT, theme_copy

from generator import cli

CONTENT = DEMO
BASE_URL = "https://claims.example/"
FIRST_ROUND_TRIP = 14_000
"""Bytes a server can send before the reader's first acknowledgement (ten TCP segments): a
claim page and its stylesheet, compressed, fit in it, so the page draws after one round trip."""


class Doc(HTMLParser):
    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self._script: dict[str, str | None] | None = None
        self._body: list[str] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self._script, self._body = dict(attrs), []

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._script is not None:
            self.scripts.append((self._script, "".join(self._body)))
            self._script = None

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._body.append(data)

    def ids(self) -> set[str]:
        return {a["id"] or "" for _, a in self.tags if a.get("id")}

    def refs(self) -> list[str]:
        found = []
        for tag, attrs in self.tags:
            for key in ("href", "src", "data-index-url", "data-store-url", "action"):
                value = attrs.get(key)
                if value and not (tag == "link" and attrs.get("rel") == "canonical"):
                    found.append(value)
        return found


def make_project(root: Path) -> Path:
    """A project folder: a copy of content/ and of the default theme, lunr.js linked in."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copytree(CONTENT, root / "content")
    theme = theme_copy(root / "tmp")
    (root / "themes").mkdir()
    shutil.move(str(theme), root / "themes" / "default")
    shutil.rmtree(root / "tmp")
    (root / "node_modules").symlink_to(ROOT / "node_modules", target_is_directory=True)
    return root


def build(project: Path, out: Path, *extra: str) -> int:
    return cli.main(["build", "--content", str(project / "content"), "--out", str(out), *extra])


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*")) if p.is_file()
    }


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_project(tmp_path_factory.mktemp("project") / "p")


@pytest.fixture(scope="module")
def site_dir(project: Path) -> Path:
    out = project / "site"
    assert build(project, out, "--base-url", BASE_URL) == 0
    return out


def html_pages(site_dir: Path) -> Iterator[tuple[str, str]]:
    for path in sorted(site_dir.rglob("*.html")):
        yield path.relative_to(site_dir).as_posix(), path.read_text(encoding="utf-8")


def claim_pages(site_dir: Path) -> list[Path]:
    return sorted((site_dir / "claims").glob("*/index.html"))


def _target(site_dir: Path, url_path: str) -> Path:
    path = site_dir / url_path.lstrip("/")
    return path / "index.html" if url_path.endswith("/") else path


# --- build guarantees


def test_two_builds_are_byte_identical(project: Path, site_dir: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    assert build(project, again, "--base-url", BASE_URL) == 0
    first, second = snapshot(site_dir), snapshot(again)
    assert sorted(first) == sorted(second)
    for name in first:
        assert first[name] == second[name], name


def test_every_internal_link_and_asset_resolves(site_dir: Path) -> None:
    checked = 0
    docs = {name: Doc(html) for name, html in html_pages(site_dir)}
    for name, doc in docs.items():
        for ref in doc.refs():
            parts = urlsplit(ref)
            if parts.scheme in ("http", "https", "mailto"):
                continue
            assert not parts.scheme and not parts.netloc, (name, ref)
            if ref.startswith("#"):
                assert ref[1:] in doc.ids(), (name, ref)
                continue
            assert ref.startswith("/"), (name, ref)
            target = _target(site_dir, unquote(parts.path))
            assert target.is_file(), (name, ref)
            if parts.fragment and target.suffix == ".html":
                key = target.relative_to(site_dir).as_posix()
                assert parts.fragment in docs[key].ids(), (name, ref)
            checked += 1
    assert checked > 500


def test_sitemap_feed_and_robots_point_at_built_pages(site_dir: Path) -> None:
    sitemap = (site_dir / "sitemap.xml").read_text(encoding="utf-8")
    locs = re.findall(r"<loc>([^<]+)</loc>", sitemap)
    assert len(locs) > 20
    for loc in locs:
        assert loc.startswith(BASE_URL)
        assert _target(site_dir, "/" + loc[len(BASE_URL):]).is_file(), loc
    feed = (site_dir / "feed.xml").read_text(encoding="utf-8")
    assert feed.count("<entry>") == len(claim_pages(site_dir))
    assert f"Sitemap: {BASE_URL}sitemap.xml" in (site_dir / "robots.txt").read_text()


def test_a_content_error_leaves_the_site_untouched(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    assert build(project, out) == 0
    before = snapshot(out)
    broken = make_project(tmp_path / "broken")
    claim = next((broken / "content" / "claims").glob("*.yaml"))
    claim.write_text(claim.read_text(encoding="utf-8") + "\nunknown_key: 1\n", encoding="utf-8")
    assert build(broken, out) == 1
    assert snapshot(out) == before
    beside = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".site"))
    assert beside == [".site.cache", ".site.lock"]  # the cache and the lock stay; no staging


def test_a_template_error_leaves_the_site_untouched(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "site"
    assert build(project, out) == 0
    before = snapshot(out)
    broken = make_project(tmp_path / "broken")
    theme = broken / "themes" / "typo"
    shutil.copytree(broken / "themes" / "default", theme)
    template = theme / "templates" / "outlet.html"
    lines = template.read_text(encoding="utf-8").splitlines()
    line = next(i for i, text in enumerate(lines) if "<h1>" in text)
    lines[line] = "<h1>{{ outlet.nmae }}</h1>"
    template.write_text("\n".join(lines) + "\n", encoding="utf-8")
    site_yaml = broken / "content" / "site.yaml"
    site_yaml.write_text(
        site_yaml.read_text(encoding="utf-8") + "theme: themes/typo\n", encoding="utf-8"
    )
    capsys.readouterr()
    assert build(broken, out) == 1
    assert snapshot(out) == before
    err = capsys.readouterr().err
    assert f"themes/typo/templates/outlet.html:{line + 1}:" in err
    assert "nmae" in err


# --- what every page is


def test_every_page_is_one_h1_no_inline_code_canonical_and_lang(site_dir: Path) -> None:
    for name, html in html_pages(site_dir):
        doc = Doc(html)
        tags = [tag for tag, _ in doc.tags]
        assert tags.count("h1") == 1, name
        assert "style" not in tags, name
        assert all("style" not in attrs for _, attrs in doc.tags), name
        for attrs, body in doc.scripts:
            assert attrs.get("type") == "application/ld+json" or (
                attrs.get("src") and not body.strip()
            ), name
        canonical = [a["href"] for t, a in doc.tags if t == "link" and a.get("rel") == "canonical"]
        noindex = any(t == "meta" and a.get("name") == "robots" for t, a in doc.tags)
        assert len(canonical) == (0 if noindex else 1), name
        assert all((href or "").startswith(BASE_URL) for href in canonical), name
        assert doc.tags[0][0] == "html" and doc.tags[0][1].get("lang") == "en"


def _compressed(path: Path) -> int:
    return len(gzip.compress(path.read_bytes(), compresslevel=6, mtime=0))


def test_claim_pages_with_css_fit_in_the_first_round_trip(site_dir: Path) -> None:
    css = sum(_compressed(p) for p in (site_dir / "assets").glob("style.*.css"))
    sizes = {p.parent.name: _compressed(p) + css for p in claim_pages(site_dir)}
    assert sizes and max(sizes.values()) < FIRST_ROUND_TRIP, sizes


# --- the claim pages on the real content


def _review(html: str) -> dict:
    (body,) = [b for a, b in Doc(html).scripts if a.get("type") == "application/ld+json"]
    return json.loads(body)


def api_claims(site_dir: Path) -> list[dict[str, Any]]:
    """Every claim's full record, as a reader's tool fetches them: the index, then each
    record it names."""
    index = json.loads((site_dir / "api" / "claims.json").read_text(encoding="utf-8"))
    records = []
    for entry in index["claims"]:
        path = entry["record"].removeprefix(BASE_URL)
        record = json.loads((site_dir / path).read_text(encoding="utf-8"))
        assert record["id"] == entry["id"] and record["status"] == entry["status"]
        records.append(record)
    return records


def test_every_claim_page_has_its_claim_review(site_dir: Path) -> None:
    by_id = {claim["id"]: claim for claim in api_claims(site_dir)}
    assert len(by_id) == len(claim_pages(site_dir))
    for page in claim_pages(site_dir):
        claim = by_id[page.parent.name]
        review = _review(page.read_text(encoding="utf-8"))
        assert review["@type"] == "ClaimReview"
        assert review["claimReviewed"] == claim["short"]
        assert review["reviewRating"]["alternateName"] == claim["finding"]
        assert review["reviewRating"]["ratingExplanation"].startswith(claim["status_label"])
        assert review["author"]["name"] == "Afghanistan Claims Tracker"
        assert review["url"] == f"{BASE_URL}claims/{claim['id']}/"
        assert review["datePublished"] == claim["reviewed"]
        if claim["appearances"]:
            works = review["itemReviewed"]["appearance"]
            headlines = {a["article"]["headline"] for a in claim["appearances"]}
            assert {w["headline"] for w in works} == headlines
            for work in works:
                assert work["publisher"]["name"]


def test_every_span_is_marked_and_links_only_to_real_addresses(site_dir: Path) -> None:
    for claim in api_claims(site_dir):
        html = (site_dir / "claims" / claim["id"] / "index.html").read_text(encoding="utf-8")
        marks = re.findall(r"<mark>(.*?)</mark>", html, re.DOTALL)
        assert len(marks) == len(claim["appearances"]), claim["id"]
        fragments = re.findall(r'href="([^"]*#:~:text=[^"]*)"', html)
        urls = {a["article"]["url"] for a in claim["appearances"] if a["article"]["url"]}
        for link in fragments:
            assert link.split("#", 1)[0] in urls
        assert len(fragments) == sum(1 for a in claim["appearances"] if a["article"]["url"])


def test_attack_capability_appearances_show_their_fidelity(site_dir: Path) -> None:
    claim = next(
        c for c in api_claims(site_dir)
        if c["passage"] and c["passage"]["text"].startswith("Neither ISIL-K nor Al-Qaida")
    )
    html = (site_dir / "claims" / claim["id"] / "index.html").read_text(encoding="utf-8")
    blocks = re.split(r'<li id="article-\d+"', html)
    blitz = next(b for b in blocks if 'href="/outlets/blitz/"' in b.split("</h3>")[0])
    redstate = next(b for b in blocks if 'href="/outlets/redstate/"' in b.split("</h3>")[0])
    assert "<strong>Negation changed</strong>" in blitz
    assert "[removed: </span>Neither" in blitz
    first_redstate = redstate.split('<div class="quote"')[1]
    assert "<strong>Subject changed</strong>" in first_redstate
    assert "<strong>Negation changed</strong>" not in first_redstate


def test_the_sun_is_not_compared_with_its_own_wording(site_dir: Path) -> None:
    claim = next(
        c for c in api_claims(site_dir) if c["passage"] and "the-sun" in c["passage"]["rests_on"]
    )
    html = (site_dir / "claims" / claim["id"] / "index.html").read_text(encoding="utf-8")
    assert "We have not read these words in the report.</strong>" in html
    assert "not compared with it: the comparison would prove nothing" in html
    assert '<span class="reading reading-not-comparable">' in html


def test_whole_articles_are_not_published(site_dir: Path) -> None:
    assert not (site_dir / "articles").exists()
    text = (CONTENT / "articles" / "the-sun").glob("*.txt")
    body = next(text).read_text(encoding="utf-8").split("\n---\n", 1)[1]
    everything = "".join(html for _, html in html_pages(site_dir))
    line = "The Pentagon declined to comment on the report."
    assert line in body and line not in everything


def test_the_output_holds_no_temporary_folders(site_dir: Path) -> None:
    leftovers = sorted(p.name for p in site_dir.parent.iterdir() if p.name.startswith(".site"))
    assert leftovers == [".site.cache", ".site.lock"]  # the build's cache and lock, which stay
    assert os.access(site_dir, os.R_OK)
