"""netlify.toml: the build command, versions, headers and build cache; and the built pages meet its CSP."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tomllib
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from generator import cache, serve
from generator.render.annotations import page_url
from generator.urls import url

REPO = Path(__file__).resolve().parent.parent
STRICT_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
YEAR_IMMUTABLE = "public, max-age=31536000, immutable"


@pytest.fixture(scope="module")
def config() -> dict[str, Any]:
    return tomllib.loads((REPO / "netlify.toml").read_text("utf-8"))


def rule(config: dict[str, Any], path: str) -> dict[str, str]:
    found = [r["values"] for r in config["headers"] if r["for"] == path]
    assert len(found) == 1, f"expected one [[headers]] rule for {path}"
    values: dict[str, str] = found[0]
    return values


def test_build_is_make_site_and_publishes_site(config: dict[str, Any]) -> None:
    build = config["build"]
    # production requires what a public site needs (a contact); previews do not
    assert build["command"] == 'make site PRODUCTION=1 BASE_URL="$URL"'
    assert build["publish"] == "site"
    assert build["environment"] == {"PYTHON_VERSION": "3.11", "NODE_VERSION": "20"}


def test_previews_build_the_same_way(config: dict[str, Any]) -> None:
    for context in ("deploy-preview", "branch-deploy"):
        assert config["context"][context]["command"] == 'make site BASE_URL="$DEPLOY_PRIME_URL"'
        assert "publish" not in config["context"][context]
        assert "environment" not in config["context"][context]


def test_the_build_cache_keeps_the_output_and_its_cache_between_deploys(
    config: dict[str, Any],
) -> None:
    """netlify-plugin-cache restores and saves exactly the folder the build publishes and the
    cache the build keeps beside it, and the plugin is pinned where Netlify installs it."""
    plugins = config["plugins"]
    assert [p["package"] for p in plugins] == ["netlify-plugin-cache"]
    publish = REPO / config["build"]["publish"]
    assert plugins[0]["inputs"]["paths"] == [
        publish.name, cache.cache_dir(publish).relative_to(REPO).as_posix()]
    manifest = json.loads((REPO / "package.json").read_text("utf-8"))
    locked = json.loads((REPO / "package-lock.json").read_text("utf-8"))
    version = manifest["devDependencies"]["netlify-plugin-cache"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", version), "pinned to one version"
    assert locked["packages"]["node_modules/netlify-plugin-cache"]["version"] == version


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_site_passes_base_url() -> None:
    def dry_run(*args: str) -> str:
        done = subprocess.run(["make", "-n", "--no-print-directory", "site", *args], cwd=REPO,
                              capture_output=True,
                              text=True, check=True)
        return done.stdout.strip().splitlines()[-1]

    assert dry_run("BASE_URL=https://deploy-preview-7--desk.netlify.app").endswith(
        '-m generator build --content content --out site '
        '--base-url "https://deploy-preview-7--desk.netlify.app"'
    )
    assert dry_run("BASE_URL=").endswith("-m generator build --content content --out site")
    assert dry_run("PRODUCTION=1", "BASE_URL=https://desk.example").endswith(
        '--base-url "https://desk.example" --production')


def test_security_headers_on_every_page(config: dict[str, Any]) -> None:
    every = rule(config, "/*")
    assert "Content-Security-Policy" not in every, "the CSP is in site/_headers, path by path"
    assert every["X-Content-Type-Options"] == "nosniff"
    assert every["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "camera=()" in every["Permissions-Policy"]
    assert "geolocation=()" in every["Permissions-Policy"]
    assert "Cache-Control" not in every, "HTML must revalidate; only hashed files are cached"


def test_long_cache_for_hashed_files_only(config: dict[str, Any]) -> None:
    assert rule(config, "/assets/*")["Cache-Control"] == YEAR_IMMUTABLE
    cached = [r["for"] for r in config["headers"] if "Cache-Control" in r["values"]]
    assert sorted(cached) == ["/assets/*"]


def test_admin_has_its_own_policy_last(config: dict[str, Any]) -> None:
    admin = rule(config, "/admin/*")["Content-Security-Policy"]
    assert config["headers"][-1]["for"] == "/admin/*"
    assert "https://unpkg.com" in admin
    assert "connect-src 'self' https://api.github.com" in admin
    for directive in ("object-src 'none'", "base-uri 'self'", "frame-ancestors 'none'"):
        assert directive in admin
    index = (REPO / "admin/index.html").read_text("utf-8")
    for src in re.findall(r'<script[^>]*\ssrc="([^"]+)"', index):
        assert src.startswith("https://unpkg.com/"), src
    only_csp = [r["for"] for r in config["headers"] if "Content-Security-Policy" in r["values"]]
    assert only_csp == ["/admin/*"]


def test_built_headers_put_the_csp_on_every_path_but_the_editor(built: Path) -> None:
    rules = serve.load_headers_file(built / "_headers")
    tops = sorted(p.name for p in built.iterdir() if p.name not in ("admin", "_headers"))
    assert tops, "nothing was built"
    for name in tops:
        url_path = f"/{name}/x/" if (built / name).is_dir() else f"/{name}"
        assert serve.headers_for(rules, url_path).get("Content-Security-Policy") == STRICT_CSP, name
    assert serve.headers_for(rules, "/")["Content-Security-Policy"] == STRICT_CSP
    assert "Content-Security-Policy" not in serve.headers_for(rules, "/admin/")
    assert "Content-Security-Policy" not in serve.headers_for(rules, "/admin/config.yml")


class InlineCode(HTMLParser):
    """Everything in a page that `script-src 'self'; style-src 'self'` would block."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self._script_without_src = False
        self._script_text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "style":
            self.found.append("<style> element")
        if tag == "script":
            kind = (values.get("type") or "").lower()
            if values.get("src"):
                src = values["src"] or ""
                if not src.startswith("/") or src.startswith("//"):
                    self.found.append(f"script from another origin: {src}")
            elif kind not in ("application/ld+json", "application/json"):
                self._script_without_src = True
                self._script_text = ""
        if tag == "link" and "stylesheet" in (values.get("rel") or ""):
            href = values.get("href") or ""
            if not href.startswith("/") or href.startswith("//"):
                self.found.append(f"stylesheet from another origin: {href}")
        for name, value in attrs:
            if name == "style":
                self.found.append(f"style attribute on <{tag}>")
            if name.startswith("on"):
                self.found.append(f"{name} handler on <{tag}>")
            if name in ("href", "src", "action") and (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"javascript: URL in <{tag} {name}>")

    def handle_data(self, data: str) -> None:
        if self._script_without_src:
            self._script_text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._script_without_src:
            self.found.append(f"inline <script>: {self._script_text.strip()[:60]!r}")
            self._script_without_src = False


def inline_code(page: str) -> list[str]:
    parser = InlineCode()
    parser.feed(page)
    parser.close()
    return parser.found


def test_checker_finds_inline_code() -> None:
    assert inline_code(
        '<script>alert(1)</script><p style="x" onclick="y">a</p><style>p{}</style>'
        '<script type="application/ld+json">{}</script><script src="/a.js"></script>'
        '<a href="javascript:void(0)">x</a><script src="https://cdn.example/x.js"></script>'
    ) == [
        "inline <script>: 'alert(1)'",
        "style attribute on <p>",
        "onclick handler on <p>",
        "<style> element",
        "javascript: URL in <a href>",
        "script from another origin: https://cdn.example/x.js",
    ]


@pytest.fixture(scope="module")
def built(built_site: Path) -> Path:
    return built_site


def test_every_page_meets_the_csp(built: Path) -> None:
    pages = sorted(p for p in built.rglob("*.html") if p.relative_to(built).parts[0] != "admin")
    assert len(pages) > 20
    problems = {
        p.relative_to(built).as_posix(): found
        for p in pages
        if (found := inline_code(p.read_text("utf-8")))
    }
    assert problems == {}


def test_cached_files_are_content_hashed(built: Path) -> None:
    files = [p for p in (built / "assets").rglob("*") if p.is_file()]
    assert any(p.parent.name == "search" for p in files)
    unhashed = [p.name for p in files if not re.search(r"\.[0-9a-f]{8,}\.", p.name)]
    assert unhashed == []
    # the search page's one unhashed file is the small manifest that names the hashed ones
    assert sorted(p.name for p in (built / "search").iterdir()) == ["index.html", "index.json"]


def test_404_page_at_the_root(built: Path) -> None:
    assert (built / "404.html").is_file()


def test_the_annotations_are_served_as_json_ld(config: dict[str, Any]) -> None:
    """The collection and its pages (the rule's pattern covers every page's address)."""
    for path in ["/api/annotations.jsonld", "/api/annotations/*"]:
        assert rule(config, path)["Content-Type"] == (
            'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"')
    pages = serve.path_pattern("/api/annotations/*")  # matched as Netlify and `serve` match
    assert pages.match(page_url(12)) and not pages.match(url("api"))
