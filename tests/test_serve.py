"""`serve`: build, serve on a free port, rebuild on change, show problems, stop cleanly."""

from __future__ import annotations

import http.client
import os
import queue
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from generator import pipeline, serve
from generator.errors import ContentError, Location, Problem, UserError, warning

REPO = Path(__file__).resolve().parent.parent
MINIMAL = Path(__file__).parent / "trees" / "minimal" / "content"
CLAIM = "content/claims/capability.yaml"
TITLE = "Neither group could mount attacks before 2100, UN monitors said."


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A scratch project: the minimal content tree, and the repository's node_modules
    (lunr.js) beside it; the theme comes with the generator."""
    shutil.copytree(MINIMAL, tmp_path / "content")
    (tmp_path / "node_modules").symlink_to(REPO / "node_modules", target_is_directory=True)
    return tmp_path


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8")


def eventually(probe: Callable[[], str | None], timeout: float = 8.0) -> str:
    """Poll `probe` until it returns a value."""
    deadline = time.monotonic() + timeout
    while True:
        found = probe()
        if found is not None:
            return found
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.05)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text, f"fixture drifted: {old!r}"
    path.write_text(text.replace(old, new, 1), "utf-8")


@pytest.fixture
def running(project: Path) -> Iterator[tuple[str, list[str]]]:
    """`serve` in a thread on a free port: (site URL, what it reported). Stopped, and
    checked to have stopped cleanly, after the test."""
    stop = threading.Event()
    ready: queue.Queue[str] = queue.Queue()
    lines: list[str] = []
    result: list[int] = []

    def run() -> None:
        result.append(serve.serve(project / "content", project / "site", 0, stop,
                                  lambda line, _problem: lines.append(line), ready.put))

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        url = ready.get(timeout=20)
    except queue.Empty:
        stop.set()
        raise AssertionError("serve did not start: " + "\n".join(lines)) from None
    yield url, lines
    stop.set()
    thread.join(timeout=5)
    assert not thread.is_alive(), "serve did not stop"
    assert result == [0]
    assert lines[-1] == "stopped"


def test_rebuild_error_page_and_reload_events(project: Path, running: tuple[str, list[str]]) -> None:
    url, lines = running
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/", url)
    status, page = fetch(url + "claims/capability/")
    assert status == 200
    assert f"<h1>{TITLE}</h1>" in page
    assert re.search(r'<script src="/__reload\.js\?build=[0-9a-f]+\.1" defer></script></head>', page)

    events = http.client.HTTPConnection("127.0.0.1", int(url.rsplit(":", 1)[1].strip("/")), timeout=8)
    events.request("GET", "/__events")
    stream = events.getresponse()
    assert stream.headers["Content-Type"].startswith("text/event-stream")

    def next_build() -> str:
        while True:
            line = stream.readline().decode()
            if line.startswith("data: "):
                return line[6:].strip()

    first = next_build()
    edit(project / CLAIM, "Neither group could", "Neither of the two groups could")
    second = next_build()
    assert second != first
    _, page = fetch(url + "claims/capability/")
    assert "<h1>Neither of the two groups could mount attacks" in page
    assert any(line.startswith("changed: ") and CLAIM.split("/", 1)[1] in line for line in lines)

    edit(project / CLAIM, "status: unchecked", "status: bogus")
    assert next_build() != second
    events.close()
    status, page = fetch(url + "claims/capability/")
    assert status == 200
    assert '<aside class="devserver-problems" role="alert">' in page
    assert "<code>content/claims/capability.yaml:2:9</code>: status: expected one of" in page
    assert "<h1>Neither of the two groups could mount attacks" in page, "the last good build"
    assert '<link rel="stylesheet" href="/__dev.css">' in page
    assert "style=" not in page.split("<body", 1)[1], "the problem box keeps the CSP"

    status, errors = fetch(url + "__errors")
    assert status == 200
    assert "<h1>1 problem found: the site was not rebuilt</h1>" in errors
    assert "<code>content/claims/capability.yaml:2:9</code>" in errors
    assert any(line.startswith("content/claims/capability.yaml:2:9: status:") for line in lines)

    edit(project / CLAIM, "status: bogus", "status: unchecked")
    eventually(lambda: None if "devserver-problems" in fetch(url + "claims/capability/")[1] else "ok")


def test_static_files_redirects_and_404(running: tuple[str, list[str]]) -> None:
    url, _ = running
    status, reload_js = fetch(url + "__reload.js")
    assert status == 200 and "EventSource" in reload_js
    status, page = fetch(url + "no/such/page/")
    assert status == 404
    assert "/__reload.js?build=" in page
    request = urllib.request.Request(url.rstrip("/") + "/claims")
    opener = urllib.request.build_opener(NoRedirect)
    with pytest.raises(urllib.error.HTTPError) as redirect:
        opener.open(request, timeout=5)
    assert redirect.value.code == 301
    assert redirect.value.headers["Location"] == "/claims/"


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def test_first_build_broken_shows_error_page(project: Path) -> None:
    edit(project / CLAIM, "status: unchecked", "status: bogus")
    stop = threading.Event()
    ready: queue.Queue[str] = queue.Queue()
    lines: list[str] = []
    thread = threading.Thread(
        target=serve.serve,
        args=(project / "content", project / "site", 0, stop,
              lambda line, _problem: lines.append(line), ready.put),
        daemon=True,
    )
    thread.start()
    try:
        url = ready.get(timeout=20)
        status, page = fetch(url)
        assert status == 503
        assert "<code>content/claims/capability.yaml:2:9</code>" in page
        assert "There is no good build to show yet." in page
        assert lines[-2].startswith("1 problem found; no good build to serve yet")
        edit(project / CLAIM, "status: bogus", "status: unchecked")
        eventually(lambda: "ok" if fetch(url)[0] == 200 else None)
    finally:
        stop.set()
        thread.join(timeout=5)
    assert not thread.is_alive()


def test_ctrl_c_stops_cleanly(project: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "generator", "serve", "--port", "0"],
        cwd=project, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    try:
        assert process.stdout is not None
        url = ""
        for line in process.stdout:
            found = re.search(r"serving (http://\S+)", line)
            if found:
                url = found.group(1)
                break
        assert url, process.stderr.read() if process.stderr else ""
        assert fetch(url)[0] == 200
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, (process.returncode, out[-2000:], err[-2000:])
    assert out.splitlines()[-1] == "stopped", out[-2000:]
    assert "Traceback" not in err


def test_taken_default_port_falls_back(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as taken:
        taken.bind((serve.HOST, 0))
        taken.listen()
        port = taken.getsockname()[1]
        monkeypatch.setattr(serve, "DEFAULT_PORT", port)
        said: list[str] = []
        server = serve.bind(None, lambda line, _problem: said.append(line))
        try:
            other = server.server_address[1]
            assert other != port
            assert said == [f"port {port} is in use; using port {other} instead"]
        finally:
            server.server_close()
        with pytest.raises(UserError, match=f"port {port} is already in use"):
            serve.bind(port, lambda line, _problem: None)


def test_inject_keeps_pages_free_of_inline_code() -> None:
    state = serve.BuildState("a.2", (Problem(Location("content/x.yaml", 3, 4), "bad <b>", "fix"),), True)
    page = serve.inject("<html><head><title>t</title></head><body class='x'><p>hi</p></body></html>", state)
    assert page.startswith(
        '<html><head><title>t</title><script src="/__reload.js?build=a.2" defer></script>'
        '<link rel="stylesheet" href="/__dev.css"></head><body class=\'x\'><aside '
    )
    assert "<code>content/x.yaml:3:4</code>: bad &lt;b&gt;<pre>fix</pre>" in page
    assert "style=" not in page and "<style" not in page


def test_the_problem_box_lists_errors_first_and_a_few() -> None:
    warnings = tuple(warning(Location(f"content/claims/c{i}.yaml", 1, 1), f"advice {i}", "")
                     for i in range(3000))
    error = Problem(Location("content/claims/bad.yaml", 2, 9), "unknown status 'bogus'", "")
    problems = (*warnings, error)
    banner = serve.render_banner(problems)
    assert "3001 problems" in banner
    items = re.findall(r"<li>(.*?)</li>", banner)
    assert len(items) == serve.BANNER_SHOWN
    assert items[0] == "<code>content/claims/bad.yaml:2:9</code>: unknown status &#x27;bogus&#x27;"
    assert items[1].endswith(": warning: advice 0")
    assert f"and {3001 - serve.BANNER_SHOWN} more" in banner
    page = serve.render_error_page(serve.BuildState("a.1", problems, True))
    assert len(re.findall("<li>", page)) == serve.PAGE_SHOWN
    assert f"and {3001 - serve.PAGE_SHOWN} more" in page


def test_the_terminal_shows_errors_and_the_warnings_of_the_changed_files() -> None:
    problems = (
        warning(Location("content/claims/a.yaml", 3, 5), "advice on a"),
        Problem(Location("content/claims/b.yaml", 2, 9), "unknown status 'bogus'", "Use one of ..."),
        *(warning(Location(f"content/claims/c{i}.yaml", 1, 1), f"advice {i}") for i in range(30)),
    )
    lines = serve.printed(problems, frozenset({"/desk/content/claims/a.yaml"}))
    assert lines == [
        "content/claims/a.yaml:3:5: warning: advice on a",
        "content/claims/b.yaml:2:9: unknown status 'bogus'\n    Use one of ...",
        "30 other warnings: `python -m generator check` lists them all",
    ]
    first = serve.printed(problems, None)
    assert len(first) == 1 + serve.WARNINGS_PRINTED + 1
    assert first[-1] == f"{31 - serve.WARNINGS_PRINTED} other warnings: `python -m generator check` lists them all"
    assert serve.printed(problems[:2], None) == [p.format() for p in problems[:2]]


def test_preview_sends_the_deploy_headers(built_site: Path) -> None:
    rules = serve.load_headers(REPO / "netlify.toml") + serve.load_headers_file(built_site / "_headers")
    strict = serve.headers_for(rules, "/claims/x/")["Content-Security-Policy"]
    assert "script-src 'self';" in strict
    admin = serve.headers_for(rules, "/admin/")["Content-Security-Policy"]
    assert admin != strict and "https://unpkg.com" in admin
    assert "Cache-Control" not in serve.headers_for(rules, "/assets/style.0123456789.css")
    assert serve.path_pattern("/search/*.json").match("/search/index.0123456789.json")
    assert not serve.path_pattern("/search/*.json").match("/search/index.html")


# --- the served site is the site a clean build makes


def test_the_served_site_is_a_clean_build_after_each_change(tmp_path: Path) -> None:
    """After each change, every page the server serves (from memory or the output folder)
    has the bytes of a clean build's at once; once the server has finished behind, so do
    the search files, no other file is served, and the output folder is the clean build."""
    content = tmp_path / "content"
    shutil.copytree(REPO / "tests" / "trees" / "demo" / "content", content)
    shutil.copytree(REPO / "themes" / "default", tmp_path / "themes" / "default")
    (tmp_path / "node_modules").symlink_to(REPO / "node_modules", target_is_directory=True)
    base = "http://127.0.0.1:8765/"
    dev = serve.DevSite(content, tmp_path / "site", base, threading.Event())
    claim = content / "claims" / "haqqani-closest-links.yaml"
    article = content / "articles" / "blitz" / "taliban-rule-offers-safe-haven.txt"
    template = tmp_path / "themes" / "default" / "templates" / "base.html"

    def change(path: Path, old: str, new: str) -> frozenset[str]:
        edit(path, old, new)
        return frozenset({str(path.resolve())})

    def removed(path: Path) -> None:
        path.unlink()

    def added(path: Path, copy: Path) -> None:
        shutil.copy(path, copy)

    steps: list[Callable[[], frozenset[str] | None]] = [
        lambda: change(claim, "verdict: |\n", "verdict: |\n  An added opening.\n\n"),
        lambda: change(article, "headline: \"", "headline: \"Edited: "),
        lambda: change(content / "outlets" / "blitz.yaml", "name: Blitz", "name: Blitz Weekly"),
        lambda: change(claim, "status: unchecked", "status: bogus"),
        lambda: change(claim, "status: bogus", "status: unchecked"),
        lambda: change(claim, "status: unchecked", "status: bogus"),
        # other files change while the content has an error: what the claims made is then
        # looked at again when the error is mended
        lambda: change(content / "outlets" / "blitz.yaml", "name: Blitz Weekly", "name: Blitz"),
        lambda: change(article, "\nConnect with us\n", "\nConnect with us today\n"),
        lambda: change(claim, "status: bogus", "status: unchecked"),
        lambda: change(template, "</footer>", "<!-- edited --></footer>"),
        lambda: change(tmp_path / "themes" / "default" / "labels.yaml", "  finding: Our finding",
                       "  finding: The finding"),
        lambda: change(content / "site.yaml", "  name: Afghanistan Claims Tracker",
                       "  name: The Afghanistan Claims Tracker"),
        lambda: removed(content / "claims" / "un-2023-isil-k-fighters.yaml"),
        lambda: added(claim, content / "claims" / "haqqani-closest-links-again.yaml"),
        lambda: change(content / "site.yaml", "title: ", "title: The "),
    ]
    try:
        assert dev.rebuild() == ()
        for number, step in enumerate(steps):
            modified = step()
            problems = dev.rebuild(modified)
            clean = tmp_path / "clean" / str(number)
            try:
                pipeline.build(content, clean, base_url=base, cache_results=False)
            except ContentError as error:
                assert problems == error.problems
                continue
            assert problems == ()
            expected = {p.relative_to(clean).as_posix(): p.read_bytes()
                        for p in clean.rglob("*") if p.is_file()}
            expected.pop(".generator-site")
            assert dev.site is not None
            pages = {path: data for path, data in expected.items()
                     if path != "search/index.json" and not path.startswith("assets/search/")}
            wrong = [path for path, data in pages.items() if dev.file(path) != data]
            assert not wrong, f"step {number}: served differently at once: {wrong[:5]}"
            dev.wait_behind()  # the search index is made once changes stop coming
            assert dev.site.paths == set(expected)
            wrong = [path for path, data in expected.items() if dev.file(path) != data]
            assert not wrong, f"step {number}: served differently: {wrong[:5]}"
            out = tmp_path / "site"
            written = {p.relative_to(out).as_posix(): p.read_bytes()
                       for p in out.rglob("*") if p.is_file()}
            written.pop(".generator-site")
            assert written == expected, f"step {number}: the output folder differs"
    finally:
        dev.close()


def test_what_is_written_behind_waits_while_a_change_is_being_shown(tmp_path: Path) -> None:
    """The editor's change comes first: the output folder is not written while the server
    builds a change, and is once the change is shown."""
    content = tmp_path / "content"
    shutil.copytree(REPO / "tests" / "trees" / "demo" / "content", content)
    (tmp_path / "node_modules").symlink_to(REPO / "node_modules", target_is_directory=True)
    dev = serve.DevSite(content, tmp_path / "site", "http://127.0.0.1:8765/", threading.Event())
    try:
        assert dev.rebuild() == ()
        home = tmp_path / "site" / "index.html"
        home.unlink()
        dev._idle.clear()  # as while a change is being built
        writer = threading.Thread(target=dev.write_behind)
        writer.start()
        writer.join(0.5)
        assert writer.is_alive() and not home.exists()
        dev._idle.set()
        writer.join(30)
        assert not writer.is_alive() and home.exists()
    finally:
        dev._idle.set()
        dev.close()


def test_a_page_deleted_from_the_output_is_still_served(
    project: Path, running: tuple[str, list[str]]
) -> None:
    url, _ = running
    (project / "site" / "index.html").unlink()
    (project / "site" / "claims" / "capability" / "index.html").unlink()
    status, page = fetch(url)
    assert status == 200 and "devserver" not in page.split("<body", 1)[1][:200]
    status, page = fetch(url + "claims/capability/")
    assert status == 200 and f"<h1>{TITLE}</h1>" in page


def test_a_client_that_goes_away_is_not_an_error(
    running: tuple[str, list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    url, _ = running
    host, port = "127.0.0.1", int(url.rsplit(":", 1)[1].strip("/"))
    for _ in range(20):
        with socket.create_connection((host, port), timeout=5) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            sock.sendall(b"GET /claims/capability/ HTTP/1.1\r\nHost: x\r\n\r\n")
    assert fetch(url)[0] == 200
    time.sleep(0.2)
    assert "Traceback" not in capsys.readouterr().err


def test_changes_that_come_quickly_are_written_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The output folder is written once changes stop coming (WRITE_AFTER_SECONDS), with the
    last of them: writing does not hold up showing the next change."""
    content = tmp_path / "content"
    shutil.copytree(REPO / "tests" / "trees" / "demo" / "content", content)
    shutil.copytree(REPO / "themes" / "default", tmp_path / "themes" / "default")
    (tmp_path / "node_modules").symlink_to(REPO / "node_modules", target_is_directory=True)
    monkeypatch.setattr(serve, "WRITE_AFTER_SECONDS", 30.0)
    dev = serve.DevSite(content, tmp_path / "site", "http://127.0.0.1:8765/", threading.Event())
    writes: list[int] = []
    write_behind = dev.write_behind

    def counting() -> None:
        writes.append(1)
        write_behind()

    monkeypatch.setattr(dev, "write_behind", counting)
    claim = content / "claims" / "haqqani-closest-links.yaml"
    try:
        assert dev.rebuild() == ()
        for word in ("First", "Second", "Third"):
            edit(claim, "verdict: |\n", f"verdict: |\n  {word} added.\n\n")
            started = time.monotonic()
            assert dev.rebuild(frozenset({str(claim.resolve())})) == ()
            assert time.monotonic() - started < 25, "a change waited for the last to be written"
        assert writes == []
        dev.wait_behind()
        assert writes == [1]
        page = (tmp_path / "site" / "claims" / "haqqani-closest-links" / "index.html").read_text()
        assert "Third added." in page and "Second added." in page
    finally:
        dev.close()
