"""The built demo site -> the W3C Nu HTML Checker (vnu.jar): no error and no warning on any page,
on the stylesheet or on the SVG icon."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT

VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
"""The checker, from the npm registry (package.json's devDependencies, installed by `npm ci`)."""
CHECKED = (".html", ".css", ".svg")
"""What the checker reads of a built site: every page, the stylesheet, the SVG icon."""
TIMEOUT = 600
"""Seconds one run over the whole site may take before the test gives up on the checker."""

SITE_RESOURCE = re.compile(
    r"Resource violates Content Security Policy \(meta tag\): "
    r"external [a-z ]+ '/(?!/)[^']*' blocked by '[a-z-]+' directive\.$"
)
"""The checker reads pages as file: documents, whose origin is opaque, so `'self'` matches
nothing and each of the site's own stylesheets and scripts is reported as blocked. A browser
that is served the site over HTTP is the judge of that: test_screens.py fails on any violation
of the policy, sent as the deploy sends it."""
INLINE_SCRIPT = re.compile(r"Inline script violates Content Security Policy \(meta tag\)")
DATA_BLOCK = '<script type="application/ld+json">'
"""The checker counts JSON-LD as an inline script. It is a data block, which a browser never
runs, so script-src does not apply to it (nor does Chromium report it in test_screens.py)."""

BROKEN = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Broken</title></head>
<body><p>An <b>unclosed element.</p><img src="x.png"></body></html>
"""
"""A page the checker must fault (a misnested element, an image with no alt text): checked in
the same run, it shows that the run reports what it finds."""


@dataclass(frozen=True, slots=True)
class Message:
    """One message of the checker about one file."""

    path: str
    """The file, relative to the folder the checker ran in (absolute outside it)."""
    line: int
    column: int
    kind: str
    """The checker's type and subtype: error, info/warning, info, non-document-error..."""
    text: str
    extract: str
    """The highlighted part of the source the message is about."""

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.kind}: {self.text} [{self.extract}]"


@dataclass(frozen=True, slots=True)
class Run:
    checked: tuple[str, ...]
    """The files the checker says it read, in its order."""
    messages: tuple[Message, ...]


def java() -> str:
    """The Java runtime the checker needs: its absence skips, except in CI, where it fails."""
    found = shutil.which("java")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("java is missing: .ci/run installs Debian's default-jre-headless")
        pytest.skip("java is not installed (Debian: apt-get install default-jre-headless)")
    return found


def message_of(raw: dict[str, Any], folder: Path) -> Message:
    url = str(raw.get("url", ""))
    path = url.removeprefix("file:")
    if path.startswith(str(folder) + "/"):
        path = Path(path).relative_to(folder).as_posix()
    extract = str(raw.get("extract", ""))
    start, length = int(raw.get("hiliteStart", 0)), int(raw.get("hiliteLength", len(extract)))
    kind = "/".join(str(raw[key]) for key in ("type", "subType") if key in raw)
    return Message(path, int(raw.get("lastLine", 0)), int(raw.get("firstColumn", 0)), kind,
                   str(raw.get("message", "")), extract[start:start + length])


def run_checker(folder: Path, files: list[str], *extra: Path) -> Run:
    """One run of the checker over files of a folder (and extra files elsewhere)."""
    done = subprocess.run(
        [java(), "-jar", str(VNU), "--format", "json", "--asciiquotes", "--verbose",
         "--exit-zero-always", "--also-check-css", "--also-check-svg",
         *files, *(str(p) for p in extra)],
        cwd=folder, capture_output=True, text=True, timeout=TIMEOUT, check=False,
    )
    assert done.returncode == 0, done.stderr
    report, _ = json.JSONDecoder().raw_decode(done.stderr, done.stderr.index('{"'))
    checked = tuple(line.removeprefix("./") for line in done.stdout.splitlines() if line)
    return Run(checked, tuple(message_of(m, folder) for m in report["messages"]))


def excused(message: Message) -> bool:
    """What the checker cannot judge of a file: document (see the constants above)."""
    if message.kind != "info/warning":
        return False
    if SITE_RESOURCE.match(message.text):
        return True
    return bool(INLINE_SCRIPT.match(message.text)) and message.extract == DATA_BLOCK


@pytest.fixture(scope="module")
def files(built_site: Path) -> list[str]:
    return sorted(
        p.relative_to(built_site).as_posix()
        for p in built_site.rglob("*") if p.is_file() and p.suffix in CHECKED
    )


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> Path:
    page = tmp_path_factory.mktemp("vnu") / "broken.html"
    page.write_text(BROKEN, "utf-8")
    return page


@pytest.fixture(scope="module")
def run(built_site: Path, files: list[str], broken: Path) -> Run:
    assert VNU.exists(), "vnu-jar is not installed: run `npm ci` (or `make test`)"
    return run_checker(built_site, files, broken)


def test_the_checker_reads_every_page_the_stylesheet_and_the_icon(
    built_site: Path, files: list[str], broken: Path, run: Run
) -> None:
    pages = sorted(p.relative_to(built_site).as_posix() for p in built_site.rglob("*.html"))
    assert len(pages) > 50 and set(pages) <= set(files)
    assert any(f.endswith(".css") for f in files) and any(f.endswith(".svg") for f in files)
    assert sorted(run.checked) == sorted([*files, str(broken)])


def test_the_checker_faults_a_broken_page(broken: Path, run: Run) -> None:
    faults = {(m.kind, m.text) for m in run.messages if m.path == str(broken)}
    assert ("error", "Unclosed element 'b'.") in faults, faults
    assert any(kind == "error" and text.startswith("An 'img' element must have an 'alt'")
               for kind, text in faults), faults


def test_no_error_and_no_warning_on_the_built_site(broken: Path, run: Run) -> None:
    found = [m for m in run.messages if m.path != str(broken) and not excused(m)]
    assert found == [], "the Nu HTML Checker reports:\n" + "\n".join(map(str, found))


def test_what_is_excused_is_the_site_itself(built_site: Path, run: Run) -> None:
    """Each excused resource is a file of the built site (so `'self'` for the served site),
    and each excused inline script is a page's JSON-LD."""
    excuses = [m for m in run.messages if excused(m)]
    assert excuses, "the checker no longer faults file: documents' policy: drop the excuses"
    for m in excuses:
        named = re.search(r"'(/[^']*)'", m.text)
        if named:
            assert (built_site / named.group(1).lstrip("/")).is_file(), m
        else:
            assert DATA_BLOCK in (built_site / m.path).read_text("utf-8"), m


def test_the_checker_is_pinned_and_make_installs_it() -> None:
    package = json.loads((ROOT / "package.json").read_text(encoding="utf-8"))
    lock = json.loads((ROOT / "package-lock.json").read_text(encoding="utf-8"))
    pinned = package["devDependencies"]["vnu-jar"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", pinned)
    assert lock["packages"]["node_modules/vnu-jar"]["version"] == pinned
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    stamp = re.search(r"^\$\(NODE_STAMP\):(.*)$", makefile, re.MULTILINE)
    assert stamp and {"package.json", "package-lock.json"} <= set(stamp.group(1).split())
    assert "npm ci" in makefile.split("$(NODE_STAMP):", 1)[1].split("\n\n", 1)[0]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "command -v java >/dev/null 2>&1 || missing+=(default-jre-headless)" in ci
