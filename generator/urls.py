"""Kinds of page and ids -> url paths and out paths: the one place that knows the site's layout."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable

URLS: dict[str, Callable[..., str]] = {
    "home": lambda: "/",
    "claims": lambda: "/claims/",
    "claim": lambda claim_id: f"/claims/{claim_id}/",
    "outlets": lambda: "/outlets/",
    "outlet": lambda outlet_id: f"/outlets/{outlet_id}/",
    "sources": lambda: "/sources/",
    "source": lambda source_id: f"/sources/{source_id}/",
    "article": lambda article_id: f"/articles/{article_id}/",
    "page": lambda page_id: f"/{page_id}/",
    "tag": lambda tag: f"/tags/{tag}/",
    "corrections": lambda: "/corrections/",
    "corrections-feed": lambda: "/corrections.xml",
    "annotations": lambda: "/api/annotations.jsonld",
    "annotations-page": lambda number: f"/api/annotations/page-{number}.jsonld",
    "search": lambda: "/search/",
    "feed": lambda: "/feed.xml",
    "api": lambda: "/api/claims.json",
    "api-claim": lambda claim_id: f"/api/claims/{claim_id}.json",
    "not-found": lambda: "/404.html",
}
"""kind -> the url path of the page of that kind (and id)."""


MARKER = ".generator-site"
"""The file that marks a folder as a build's output (write.py writes it; _headers covers it)."""


@functools.lru_cache(maxsize=1 << 18)
def url(kind: str, *ids: str) -> str:
    """The url path of a page: `url("claim", "x")` is `/claims/x/`. KeyError for an unknown kind."""
    return URLS[kind](*ids)


@functools.lru_cache(maxsize=1 << 18)
def out_path_of(url_path: str) -> str:
    """`claims/x/index.html` for `/claims/x/`; `404.html` for `/404.html`."""
    path = url_path.lstrip("/")
    return path + "index.html" if path == "" or path.endswith("/") else path


def content_hash(data: bytes) -> str:
    """The first 8 hex digits of the bytes' SHA-256: what content-hashed file names carry."""
    return hashlib.sha256(data).hexdigest()[:8]
