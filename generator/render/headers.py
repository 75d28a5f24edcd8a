"""Out paths -> Netlify's _headers file: the site's Content-Security-Policy on every path
the site itself built, and never on the browser editor (admin/), which has its own."""

from __future__ import annotations

from collections.abc import Iterable

EDITOR_FOLDER = "admin"


def top_name(out_path: str) -> str:
    """The top-level name of an out path: `name` for a file, `name/` for a folder."""
    top, slash, _ = out_path.partition("/")
    return top + slash


def headers_of(tops: Iterable[str], csp: str) -> bytes:
    """The _headers file of a site whose top-level names are `tops` (see `top_name`): one
    rule per top-level file or folder of the built site.

    Netlify sends every matching rule's headers, so a site-wide `/*` policy would also
    reach /admin/ and, combined with the editor's wider policy, block it; listing the
    site's own paths keeps the two apart."""
    files: set[str] = set()
    folders: set[str] = set()
    for name in tops:
        top = name.rstrip("/")
        if top in (EDITOR_FOLDER, "_headers"):
            continue
        (folders if name.endswith("/") else files).add(top)
    patterns = ["/"] + [f"/{name}" for name in sorted(files)] + [
        f"/{name}/*" for name in sorted(folders)
    ]
    lines = ["# Written by the build: the site's Content-Security-Policy, path by path."]
    for pattern in patterns:
        lines += [pattern, f"  Content-Security-Policy: {csp}"]
    return ("\n".join(lines) + "\n").encode("utf-8")
