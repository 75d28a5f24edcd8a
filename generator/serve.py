"""content/ + theme -> a preview on 127.0.0.1 that rebuilds on change and reloads the browser (I/O)."""

from __future__ import annotations

import errno
import html
import mimetypes
import re
import threading
import time
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import partial
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from generator import cache, pipeline, render, write
from generator.errors import ContentError, Location, Problem, UserError
from generator.reuse import Memory
from generator.theme import BUILTIN_THEMES

HOST = "127.0.0.1"
DEFAULT_PORT = 8000

RELOAD_URL = "/__reload.js"
"""The live-reload script, served only by this server and injected into every HTML page."""
EVENTS_URL = "/__events"
"""Server-Sent Events: one `build` event with the build's id when a client connects, and one
after every rebuild."""
ERRORS_URL = "/__errors"
"""The full list of the last build's problems."""
STYLE_URL = "/__dev.css"

HEARTBEAT_SECONDS = 15.0

Report = Callable[[str, bool], None]
"""Where the server says what it does: (line, is_problem)."""


@dataclass(frozen=True, slots=True)
class BuildState:
    build_id: str
    """Changes with every build, good or bad; the browser reloads when it changes."""
    problems: tuple[Problem, ...]
    """The last build's problems; empty when it succeeded."""
    has_site: bool
    """Whether there is a site to serve (the last good build)."""
    banner: str = ""
    """`render_banner(problems)`, made once per build (not for every page served)."""


WRITE_AFTER_SECONDS = 2.0
"""How long after a change, with no other change, the preview makes the search index and
writes the output folder."""
PAUSE_EVERY = 64
"""Files the server writes behind between two looks at whether a change is being shown (it
waits until the change is shown: the editor's change comes first)."""
WATCH_STEP_MS = 15
"""A change is built once no other has come for this long: a save's events (an editor's
write, truncate, rename) come within a few milliseconds of each other, and every one of
these adds to how long an edit takes to show (a change that comes later is built next)."""
WATCH_DEBOUNCE_MS = 800
"""The longest a stream of changes (a checkout, a script writing many files) is gathered
before it is built."""
COLLECT_EVERY = 20
"""Builds after which what the earlier ones left as garbage is collected (once the site is
written: it holds up the server for a moment on a large site)."""


class Served:
    """The site the server serves: the last good build's every file, by out path. A file's
    bytes come from memory when the build made it since the output folder was last written,
    else from the output folder; a file missing there is made again from its job."""

    def __init__(self, memory: Memory, out_dir: Path) -> None:
        assert memory.renderer is not None
        self.out_dir = out_dir
        self.renderer = memory.renderer
        self.jobs: dict[str, render.Job] = dict(memory.jobs)
        self.keys = dict(memory.keys)
        self.paths = set(self.jobs) | set(memory.search_files)
        self.overlay: dict[str, bytes] = {}
        """Bytes the output folder may not hold yet."""
        self.pending: set[str] = set()
        """Files whose bytes are still being made."""

    def get(self, out_path: str) -> bytes | None:
        """The file's bytes, or None when the site has no such file."""
        if out_path not in self.paths:
            return None
        found = self.overlay.get(out_path)
        if found is not None:
            return found
        job = self.jobs.get(out_path)
        if out_path not in self.pending:
            try:
                return (self.out_dir / out_path).read_bytes()
            except OSError:
                pass  # deleted or unreadable: made again from its job
        if job is None:
            return None
        data = self.renderer.run(job)
        self.overlay.setdefault(out_path, data)
        return data


class DevSite:
    """What the watcher and the HTTP handlers share: the site being served, the state of
    the last build, and the memory of the builds that lets the next one make only what
    changed. The output folder is written behind, after the browser was told."""

    def __init__(
        self, content_dir: Path, out_dir: Path, base_url: str, stop: threading.Event,
        report: Report | None = None,
    ) -> None:
        self.content_dir = Path(content_dir)
        self.report = report
        self.out_dir = Path(out_dir).resolve()
        self.base_url = base_url
        self.stop = stop
        self.deploy_headers = load_headers(self.content_dir.resolve().parent / "netlify.toml")
        self.memory = Memory()
        self.site: Served | None = None
        self._changed = threading.Condition()
        self._lock = threading.RLock()
        """Guards `site` and what it holds."""
        self._session = f"{time.monotonic_ns():x}"
        self._count = 0
        self._problems: tuple[Problem, ...] = ()
        self._banner = ""
        self._behind: threading.Thread | None = None
        self._wake: tuple[threading.Event, list[bool]] | None = None
        """The last behind thread's alarm, and whether a later change superseded it."""
        self._written_lock = threading.Lock()
        self._runs = 0
        self._idle = threading.Event()
        """Set while no change is being built: what is made behind waits until it is."""
        self._idle.set()

    @property
    def headers(self) -> tuple[tuple[re.Pattern[str], dict[str, str]], ...]:
        """netlify.toml's rules, then the built site's _headers (which carries the CSP)."""
        data = self.file("_headers")
        rules = parse_headers(data.decode("utf-8", "replace")) if data is not None else ()
        return self.deploy_headers + rules

    def file(self, out_path: str) -> bytes | None:
        """A file of the site being served, or None."""
        with self._lock:
            site = self.site
            return site.get(out_path) if site is not None else None

    def exists(self, out_path: str) -> bool:
        with self._lock:
            return self.site is not None and out_path in self.site.paths

    def state(self) -> BuildState:
        with self._changed:
            return BuildState(f"{self._session}.{self._count}", self._problems,
                              self.site is not None, self._banner)

    def rebuild(self, modified: frozenset[str] | None = None) -> tuple[Problem, ...]:
        """Build what changed (`modified`: the files whose bytes alone changed, when that is
        all that changed); on failure the previous site stays served. What is made behind
        waits until the browser has been told."""
        self._idle.clear()
        try:
            return self._rebuild(modified)
        finally:
            self._idle.set()

    def _rebuild(self, modified: frozenset[str] | None) -> tuple[Problem, ...]:
        finish: Callable[[bool], None] | None = None
        superseded: list[bool] = []
        """Set once a later change is being made (see _supersede)."""
        warnings: tuple[Problem, ...] = ()
        self.memory.modified = modified
        try:
            if self.memory.store is None:
                self.memory.store = cache.Store(cache.cache_dir(self.out_dir))
            if self.site is None:
                built = pipeline.build(self.content_dir, self.out_dir, base_url=self.base_url,
                                       waiting=self._waiting, memory=self.memory)
                warnings = built.warnings
                with self._lock:
                    self.site = Served(self.memory, self.out_dir)
            else:
                previewed = pipeline.preview(self.content_dir, self.out_dir, self.base_url,
                                             memory=self.memory)
                warnings = previewed.checked.warnings
                self._supersede()  # what is left of the last change is made with this one
                finish = self._take(previewed, superseded)
            problems: tuple[Problem, ...] = ()
        except ContentError as exc:
            problems = exc.problems
        except UserError as exc:
            problems = (Problem(Location("(build)", 1, 1), exc.message, exc.hint),)
        except Exception as exc:  # noqa: BLE001 - an internal error must not stop the preview
            problems = (
                Problem(
                    Location("(build)", 1, 1),
                    f"internal error: {type(exc).__name__}: {exc}",
                    "Run `python -m generator --debug build` for the traceback.",
                ),
            )
        with self._changed:
            self._count += 1
            self._problems = problems
            self._banner = render_banner(problems) if problems else ""
            self._changed.notify_all()
        self._idle.set()
        if not problems and self.report is not None:  # once the browser has been told
            for line in printed(warnings, modified):
                self.report(line, True)
        if finish is not None:
            self._behind_do(finish, superseded)
        return problems

    def _take(self, previewed: pipeline.Previewed, superseded: list[bool]
              ) -> Callable[[bool], None]:
        """Serve the site a preview made; what is left to make, to do behind."""
        preview = previewed.site
        with self._lock:
            old = self.site
            site = Served(self.memory, self.out_dir)
            assert old is not None
            site.overlay = {path: data for path, data in old.overlay.items()
                            if path in site.paths and old.keys.get(path) == site.keys.get(path)}
            site.overlay.update(preview.made)
            # files the last change left unmade, which this one did not change, are made now
            carried = sorted(path for path in old.pending
                             if path in site.paths and path not in site.overlay
                             and path not in preview.later
                             and old.keys.get(path) == site.keys.get(path))
            preview.later.extend(carried)
            site.pending = set(preview.later)
            self.site = site

        def finish(search: bool) -> None:
            def stop() -> bool:  # and wait while a change is being shown
                self._idle.wait()
                return bool(superseded)

            made = (preview.finish_search if search else preview.finish_pages)(stop)
            with self._lock:
                if self.site is site:
                    site.overlay.update(made)
                    site.paths = set(site.jobs) | set(self.memory.search_files)
                    site.pending.difference_update(made)
                elif self.site is not None:
                    # a later change is served already, and it took this site's files as
                    # they were: give it those made since whose inputs it shares
                    now = self.site
                    for out_path, data in made.items():
                        if (out_path not in now.overlay
                                and now.keys.get(out_path) == site.keys.get(out_path)):
                            now.overlay[out_path] = data

        return finish

    def _behind_do(self, finish: Callable[[bool], None], superseded: list[bool]) -> None:
        """Make the pages left for later, in a thread of its own (one at a time: a change
        while it runs is made after it); then, once no other change has come for
        WRITE_AFTER_SECONDS, the search index and the output folder (a change that comes
        sooner stops them and makes them with its own, so that they do not slow down showing
        it; until then the search page searches the index of the change before). The index
        is made in a process forked for it (`pool.apart`), which holds up no thread here. The
        pages and the folder are made here: made in forked processes too, they slowed the
        change after them more than sharing the interpreter does (bench/serve_bench.py)."""
        wake = threading.Event()

        def run() -> None:
            try:
                finish(False)
                wake.wait(WRITE_AFTER_SECONDS)
                if not superseded:
                    finish(True)
            except Exception as exc:  # noqa: BLE001 - reported, the preview goes on
                if not self.stop.is_set():
                    self._tell(f"could not finish the build: {type(exc).__name__}: {exc}")
            if not superseded:
                self.write_behind()
            self._runs += 1
            if self._runs % COLLECT_EVERY == 0:
                pipeline.collect_garbage()

        with self._written_lock:
            previous = self._behind
        self._supersede()
        if previous is not None:
            previous.join()
        thread = threading.Thread(target=run, name="preview-behind", daemon=True)
        thread.start()
        with self._written_lock:  # only a started thread: `wait_behind` may join it
            self._behind, self._wake = thread, (wake, superseded)

    def _supersede(self) -> None:
        """Tell the thread making what is left of the last change that a newer change is
        being made: it stops, and the newer change's own thread makes and writes the rest."""
        with self._written_lock:
            before = self._wake
        if before is not None and not before[1]:
            before[1].append(True)
            before[0].set()

    def wait_behind(self) -> None:
        """Wait until what is left of the last build is made and written (now)."""
        with self._written_lock:
            thread, wake = self._behind, self._wake
        if wake is not None:
            wake[0].set()
        if thread is not None:
            thread.join()

    def write_behind(self) -> None:
        """Write the site being served into the output folder (only what changed)."""
        with self._lock:
            site = self.site
            if site is None:
                return
            paths = sorted(site.paths)
            overlay = dict(site.overlay)
            keys = dict(site.keys)
        disk = self.memory.disk
        previous, folder = (disk if disk is not None else (None, None))
        themes = (*pipeline.theme_dirs(self.content_dir), site.renderer.theme.root)
        try:
            written, folder = _write_folder(self.out_dir, self.content_dir, themes,
                                            self._waiting, previous, folder, site, paths,
                                            overlay, keys, self._idle.wait)
        except (UserError, OSError, ValueError) as exc:
            if not self.stop.is_set():
                self._tell(f"could not write {self.out_dir}: {exc}")
            return
        self.memory.disk = (written, folder)
        with self._lock:
            for out_path, data in overlay.items():
                if site.overlay.get(out_path) is data:
                    del site.overlay[out_path]

    def _tell(self, line: str) -> None:
        if self.report is not None:
            self.report(line, True)

    def close(self) -> None:
        """Finish writing, and close the cache."""
        self.wait_behind()
        store = self.memory.store
        if store is not None:
            store.close()
            self.memory.store = None

    def _waiting(self, out: str) -> None:
        if self.report is not None:
            self.report(f"waiting for another build into {out.rstrip('/') or out}/ ...", True)

    def wait(self, seen: str | None, timeout: float) -> str:
        """The build id, as soon as it differs from `seen` or after `timeout` seconds."""
        with self._changed:
            self._changed.wait_for(lambda: self._current() != seen, timeout)
            return self._current()

    def _current(self) -> str:
        return f"{self._session}.{self._count}"


def _write_folder(
    out_dir: Path, content_dir: Path, themes: tuple[Path, ...], waiting: Callable[[str], None],
    previous: dict[str, write.Kept] | None, folder: tuple[int, int] | None, site: Served,
    paths: list[str], overlay: Mapping[str, bytes], keys: Mapping[str, bytes],
    pause: Callable[[], object],
) -> tuple[dict[str, write.Kept], tuple[int, int] | None]:
    """Write `paths` of the served site into the output folder: the bytes of `overlay`, the
    files of the folder before whose keys are unchanged, the rest from `site`; `pause()`
    between files, which waits while the server shows a change. What the folder holds then,
    and its name (for the next write)."""
    with write.SiteWriter(out_dir, content_dir, themes, waiting=waiting, previous=previous,
                          folder=folder) as out:
        for number, out_path in enumerate(paths):
            if number % PAUSE_EVERY == 0:
                pause()
            key = keys.get(out_path, b"")
            data = overlay.get(out_path)
            if data is None and not out.keep(out_path, key or None):
                data = site.get(out_path)
            if data is not None:
                out.add(out_path, data, key=key)
    return dict(out.written), out.folder


def load_headers(netlify_toml: Path) -> tuple[tuple[re.Pattern[str], dict[str, str]], ...]:
    """netlify.toml's [[headers]] rules as (path regex, headers), so the preview sends the
    same Content-Security-Policy as the deployed site."""
    try:
        data = tomllib.loads(netlify_toml.read_text("utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return ()
    rules = []
    for rule in data.get("headers", []):
        pattern = rule.get("for")
        values = rule.get("values", {})
        if isinstance(pattern, str) and isinstance(values, dict):
            rules.append((path_pattern(pattern), {str(k): " ".join(str(v).split()) for k, v in values.items()}))
    return tuple(rules)


def load_headers_file(headers_file: Path) -> tuple[tuple[re.Pattern[str], dict[str, str]], ...]:
    """A Netlify _headers file (a path, then indented `Name: value` lines) as rules."""
    try:
        return parse_headers(headers_file.read_text("utf-8"))
    except OSError:
        return ()


def parse_headers(text: str) -> tuple[tuple[re.Pattern[str], dict[str, str]], ...]:
    """The rules of a Netlify _headers file's text."""
    rules: list[tuple[re.Pattern[str], dict[str, str]]] = []
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line[0].isspace():
            rules.append((path_pattern(line.strip()), {}))
        elif rules and ":" in line:
            name, _, value = line.strip().partition(":")
            rules[-1][1][name.strip()] = value.strip()
    return tuple(rules)


def path_pattern(rule: str) -> re.Pattern[str]:
    """A Netlify `for` path (`*` matches anything, `:name` one segment) as a regex."""
    out = ""
    for token in re.split(r"(\*|:[A-Za-z_]+)", rule):
        if token == "*":
            out += ".*"
        elif token.startswith(":") and len(token) > 1:
            out += "[^/]+"
        else:
            out += re.escape(token)
    return re.compile(f"^{out}$")


def headers_for(rules: Iterable[tuple[re.Pattern[str], Mapping[str, str]]], url_path: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for pattern, values in rules:
        if pattern.match(url_path):
            found.update(values)
    found.pop("Cache-Control", None)
    return found


RELOAD_JS = """\
(function () {
  "use strict";
  var script = document.currentScript;
  var seen = script ? new URL(script.src).searchParams.get("build") : null;
  if (!window.EventSource) return;
  var events = new EventSource("/__events");
  events.addEventListener("build", function (event) {
    if (seen === null) { seen = event.data; return; }
    if (event.data !== seen) { events.close(); window.location.reload(); }
  });
})();
"""

DEV_CSS = """\
.devserver-problems { margin: 0; padding: 1rem 1.25rem; background: #fff4f2; color: #3b0a02;
  border-bottom: 3px solid #b42318; font: 15px/1.45 system-ui, sans-serif; }
.devserver-problems h1, .devserver-problems h2 { margin: 0 0 .5rem; padding: 0; border: 0;
  font-size: 1.1rem; }
.devserver-problems ol { margin: .5rem 0 0; padding-left: 1.5rem; }
.devserver-problems li { margin: .4rem 0; }
.devserver-problems code { font: 14px/1.4 ui-monospace, monospace; font-weight: 600; }
.devserver-problems pre { margin: .2rem 0 0; white-space: pre-wrap; font: 13px/1.4 ui-monospace, monospace; }
.devserver-problems a { color: inherit; }
body.devserver { margin: 0; }
"""


BANNER_SHOWN = 10
"""Problems the box on every page lists (errors first); /__errors lists more."""
PAGE_SHOWN = 500
"""Problems /__errors lists; `check` prints every one."""


def problem_list(problems: Iterable[Problem], most: int | None = None) -> str:
    """The problems as a list, errors first, at most `most` of them (then how many more)."""
    ordered = sorted(problems, key=lambda p: not p.is_error)  # stable: errors, then warnings
    shown = ordered if most is None else ordered[:most]
    items = []
    for problem in shown:
        hint = f"<pre>{html.escape(problem.hint)}</pre>" if problem.hint else ""
        kind = "" if problem.is_error else "warning: "
        items.append(
            f"<li><code>{html.escape(str(problem.location))}</code>: "
            f"{kind}{html.escape(problem.message)}{hint}</li>"
        )
    more = len(ordered) - len(shown)
    after = (f"<p>and {more} more: <code>python -m generator check</code> lists them all.</p>"
             if more else "")
    return "<ol>" + "".join(items) + "</ol>" + after


def _count(problems: tuple[Problem, ...]) -> str:
    return f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"


def render_banner(problems: tuple[Problem, ...]) -> str:
    """The box shown at the top of every page while the content has problems: the first
    BANNER_SHOWN of them, errors first."""
    return (
        '<aside class="devserver-problems" role="alert">'
        f"<h2>{_count(problems)} in the content: this page is the last good build</h2>"
        f"{problem_list(problems, BANNER_SHOWN)}"
        f'<p><a href="{ERRORS_URL}">All problems on one page</a>. Fix them and save: '
        "the page reloads by itself.</p></aside>"
    )


def render_error_page(state: BuildState) -> str:
    """The page at /__errors (and at every address while there is no good build yet)."""
    if state.problems:
        title = f"{_count(state.problems)} found: the site was not rebuilt"
        body = problem_list(state.problems, PAGE_SHOWN)
        after = (
            '<p>The last good build is still served: <a href="/">open it</a>.</p>'
            if state.has_site else "<p>There is no good build to show yet.</p>"
        )
    else:
        title = "No problems: the last build succeeded"
        body, after = "", '<p><a href="/">Open the site</a>.</p>'
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)} · preview</title>"
        f'<link rel="stylesheet" href="{STYLE_URL}">'
        f'<script src="{RELOAD_URL}?build={state.build_id}" defer></script>'
        '</head><body class="devserver"><main class="devserver-problems" role="alert">'
        f"<h1>{html.escape(title)}</h1>{body}"
        "<p>Fix the files and save: this page reloads by itself.</p>"
        f"{after}</main></body></html>\n"
    )


_HEAD_END = re.compile(r"</head\s*>", re.IGNORECASE)
_BODY_START = re.compile(r"<body\b[^>]*>", re.IGNORECASE)


def inject(page: str, state: BuildState) -> str:
    """Add the live-reload script to a built page and, while the content has problems, the
    problem box at the top of its body. Only external files: the site's CSP holds."""
    head = f'<script src="{RELOAD_URL}?build={state.build_id}" defer></script>'
    if state.problems:
        head += f'<link rel="stylesheet" href="{STYLE_URL}">'
    match = _HEAD_END.search(page)
    page = page[: match.start()] + head + page[match.start():] if match else head + page
    if state.problems:
        banner = state.banner or render_banner(state.problems)
        match = _BODY_START.search(page)
        page = page[: match.end()] + banner + page[match.end():] if match else banner + page
    return page


class _Server(ThreadingHTTPServer):
    daemon_threads = True


class _Handler(BaseHTTPRequestHandler):
    dev: DevSite
    protocol_version = "HTTP/1.0"
    extensions_map = {  # noqa: RUF012 - what the site's files are, by their extension
        ".html": "text/html; charset=utf-8",
        ".css": "text/css; charset=utf-8",
        ".js": "text/javascript; charset=utf-8",
        ".json": "application/json",
        ".svg": "image/svg+xml",
        ".png": "image/png",
        ".jpg": "image/jpeg",
        ".ico": "image/vnd.microsoft.icon",
        ".woff2": "font/woff2",
        ".yml": "text/yaml; charset=utf-8",
        ".txt": "text/plain; charset=utf-8",
        ".xml": "application/xml; charset=utf-8",
    }

    def __init__(self, *args: Any, dev: DevSite, **kwargs: Any) -> None:
        self.dev = dev
        super().__init__(*args, **kwargs)

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def handle(self) -> None:
        try:
            super().handle()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the browser went away mid-answer (a reload, a closed tab): not an error

    def end_headers(self) -> None:
        url_path = urlsplit(self.path).path
        for name, value in headers_for(self.dev.headers, url_path).items():
            self.send_header(name, value)
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def do_GET(self) -> None:
        self._respond(head_only=False)

    def do_HEAD(self) -> None:
        self._respond(head_only=True)

    def _send(self, status: int, content_type: str, body: bytes, head_only: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head_only:
            self.wfile.write(body)

    def _respond(self, head_only: bool) -> None:
        split = urlsplit(self.path)
        url_path = split.path
        if url_path == RELOAD_URL:
            return self._send(200, "text/javascript; charset=utf-8", RELOAD_JS.encode(), head_only)
        if url_path == STYLE_URL:
            return self._send(200, "text/css; charset=utf-8", DEV_CSS.encode(), head_only)
        if url_path == EVENTS_URL:
            return self._events(head_only)
        state = self.dev.state()
        if url_path in (ERRORS_URL, ERRORS_URL + "/") or not state.has_site:
            status = 200 if url_path.startswith(ERRORS_URL) else HTTPStatus.SERVICE_UNAVAILABLE
            page = render_error_page(state).encode("utf-8")
            return self._send(status, "text/html; charset=utf-8", page, head_only)
        out_path = unquote(url_path).lstrip("/")
        if out_path == "" or out_path.endswith("/"):
            out_path += "index.html"
        elif not self.dev.exists(out_path) and self.dev.exists(out_path + "/index.html"):
            self.send_response(HTTPStatus.MOVED_PERMANENTLY)
            self.send_header("Location", url_path + "/" + (f"?{split.query}" if split.query
                                                           else ""))
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        data = self.dev.file(out_path)
        status = 200
        if data is None:
            status, out_path = 404, "404.html"
            data = self.dev.file(out_path)
            if data is None:
                return self._send(404, "text/plain; charset=utf-8", b"Not found\n", head_only)
        suffix = Path(out_path).suffix.lower()
        if suffix == ".html":
            page = inject(data.decode("utf-8"), state).encode("utf-8")
            return self._send(status, "text/html; charset=utf-8", page, head_only)
        content_type = self.extensions_map.get(suffix) or (
            mimetypes.guess_type(out_path)[0] or "application/octet-stream")
        return self._send(status, content_type, data, head_only)

    def _events(self, head_only: bool) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.end_headers()
        if head_only:
            return
        seen: str | None = None
        last_write = time.monotonic()
        try:
            while not self.dev.stop.is_set():
                current = self.dev.wait(seen, timeout=0.5)
                if current != seen:
                    self.wfile.write(f"event: build\ndata: {current}\n\n".encode())
                elif time.monotonic() - last_write > HEARTBEAT_SECONDS:
                    self.wfile.write(b": still here\n\n")
                else:
                    continue
                self.wfile.flush()
                seen, last_write = current, time.monotonic()
        except (BrokenPipeError, ConnectionResetError):
            return


def bind(port: int | None, report: Report) -> ThreadingHTTPServer:
    """A server on 127.0.0.1: `port` exactly (0 picks a free one), or DEFAULT_PORT and a
    free port when that one is taken."""
    try:
        return _Server((HOST, DEFAULT_PORT if port is None else port), BaseHTTPRequestHandler)
    except OSError as exc:
        if exc.errno != errno.EADDRINUSE:
            raise UserError(f"cannot listen on {HOST}:{port}: {exc.strerror}") from None
        if port is not None:
            raise UserError(
                f"port {port} is already in use",
                "Choose another with --port N, or leave --port out to use a free port.",
            ) from None
    server = _Server((HOST, 0), BaseHTTPRequestHandler)
    report(f"port {DEFAULT_PORT} is in use; using port {server.server_address[1]} instead", False)
    return server


def watched_paths(content_dir: Path) -> list[Path]:
    """content/ and the themes/ folder beside it (or the generator's own themes)."""
    themes = Path(content_dir).resolve().parent / "themes"
    return [Path(content_dir).resolve(), themes if themes.is_dir() else BUILTIN_THEMES]


def serve(
    content_dir: Path,
    out_dir: Path,
    port: int | None,
    stop: threading.Event,
    report: Report,
    ready: Callable[[str], None] | None = None,
) -> int:
    """Build, serve the output folder, and rebuild whenever content/ or themes/ change,
    until `stop` is set (or Ctrl-C). `ready` is called with the site's URL once it is served."""
    import watchfiles

    content_dir = Path(content_dir)
    if not content_dir.is_dir():
        raise UserError(
            f"content folder not found: {content_dir}",
            "Run this from the project root, or pass --content DIR.",
        )
    pipeline.check_out_dir(content_dir, out_dir)
    server = bind(port, report)
    url = f"http://{HOST}:{server.server_address[1]}/"
    dev = DevSite(content_dir, out_dir, url, stop, report)
    server.RequestHandlerClass = partial(_Handler, dev=dev)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2},
                              name="preview-http", daemon=True)
    try:
        _build_and_report(dev, report, "built")
        thread.start()
        announced = False
        for changes in watchfiles.watch(
            *watched_paths(content_dir), stop_event=stop, step=WATCH_STEP_MS,
            debounce=WATCH_DEBOUNCE_MS, rust_timeout=200, yield_on_timeout=True,
            raise_interrupt=False,
        ):
            if not announced:  # the watcher is live: no change after this can be missed
                announced = True
                report(f"serving {url}  (watching "
                       f"{', '.join(_shown(p) for p in watched_paths(content_dir))}; "
                       "Ctrl-C to stop)", False)
                if ready is not None:
                    ready(url)
            if not changes:
                continue
            names = sorted({_shown(Path(path)) for _, path in changes})
            report("changed: " + ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else ""), False)
            _build_and_report(dev, report, "rebuilt", _modified(changes, content_dir))
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        if thread.is_alive():
            server.shutdown()
        server.server_close()
        dev.close()
    report("stopped", False)
    return 0


def _modified(changes: Iterable[tuple[Any, str]], content_dir: Path) -> frozenset[str] | None:
    """The content files whose bytes alone changed, when nothing else did (no file added or
    removed, nothing outside content/): the server then need not walk content/ again."""
    import watchfiles

    root = str(Path(content_dir).resolve())
    paths = set()
    for change, path in changes:
        if change != watchfiles.Change.modified or not path.startswith(root + "/"):
            return None
        paths.add(path)
    return frozenset(paths)


def _build_and_report(dev: DevSite, report: Report, verb: str,
                      modified: frozenset[str] | None = None) -> None:
    started = time.monotonic()
    problems = dev.rebuild(modified)
    if not problems:
        report(f"{verb} in {time.monotonic() - started:.1f} s", False)
        return
    for line in printed(problems, modified):
        report(line, True)
    still = "still serving the last good build" if dev.state().has_site else "no good build to serve yet"
    report(f"{_count(problems)} found; {still} (the browser shows them)", True)


WARNINGS_PRINTED = 20
"""Warnings printed after a build when it is not known which files changed (the first)."""


def printed(problems: Iterable[Problem], modified: frozenset[str] | None) -> list[str]:
    """The lines the terminal shows of a build's problems: every error; the warnings of the
    files that changed (`modified`: their absolute paths), or the first WARNINGS_PRINTED
    warnings when that is not known; then how many other warnings there are."""
    problems = tuple(problems)
    warnings = [p for p in problems if not p.is_error]
    if modified is not None:
        # a warning's rel_path is a tail of the changed file's absolute path
        tails = {"/".join(parts[i:]) for parts in (path.split("/") for path in modified)
                 for i in range(1, len(parts))}
        shown = [w for w in warnings if w.location.rel_path in tails]
    else:
        shown = warnings[:WARNINGS_PRINTED]
    kept = {id(w) for w in shown}
    lines = [p.format() for p in problems if p.is_error or id(p) in kept]
    rest = len(warnings) - len(shown)
    if rest:
        lines.append(f"{rest} other warning{'s' if rest != 1 else ''}: "
                     "`python -m generator check` lists them all")
    return lines


def _shown(path: Path) -> str:
    try:
        return path.resolve().relative_to(Path.cwd()).as_posix()
    except ValueError:
        return path.as_posix()
