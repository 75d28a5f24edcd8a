"""content/ + theme -> a preview on 127.0.0.1 that rebuilds on change and reloads the browser (I/O)."""

from __future__ import annotations

import errno
import html
import re
import threading
import time
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from generator import pipeline
from generator.errors import ContentError, Location, Problem, UserError
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
    """Whether the output folder holds a site to serve (the last good build)."""


class DevSite:
    """What the watcher and the HTTP handlers share: the output folder and the state of
    the last build."""

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
        self._changed = threading.Condition()
        self._session = f"{time.monotonic_ns():x}"
        self._count = 0
        self._problems: tuple[Problem, ...] = ()

    @property
    def headers(self) -> tuple[tuple[re.Pattern[str], dict[str, str]], ...]:
        """netlify.toml's rules, then the built site's _headers (which carries the CSP)."""
        return self.deploy_headers + load_headers_file(self.out_dir / "_headers")

    def state(self) -> BuildState:
        with self._changed:
            return BuildState(
                f"{self._session}.{self._count}", self._problems,
                (self.out_dir / "index.html").is_file(),
            )

    def rebuild(self) -> tuple[Problem, ...]:
        """Build content/ into the output folder; on failure the previous site stays."""
        try:
            built = pipeline.build(self.content_dir, self.out_dir, base_url=self.base_url,
                                   waiting=self._waiting)
            problems: tuple[Problem, ...] = ()
            if self.report is not None:
                for warning in built.warnings:
                    self.report(f"warning: {warning.message}", True)
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
            self._changed.notify_all()
        return problems

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
        lines = headers_file.read_text("utf-8").splitlines()
    except OSError:
        return ()
    rules: list[tuple[re.Pattern[str], dict[str, str]]] = []
    for line in lines:
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


def problem_list(problems: Iterable[Problem]) -> str:
    items = []
    for problem in problems:
        hint = f"<pre>{html.escape(problem.hint)}</pre>" if problem.hint else ""
        items.append(
            f"<li><code>{html.escape(str(problem.location))}</code>: "
            f"{html.escape(problem.message)}{hint}</li>"
        )
    return "<ol>" + "".join(items) + "</ol>"


def _count(problems: tuple[Problem, ...]) -> str:
    return f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"


def render_banner(problems: tuple[Problem, ...]) -> str:
    """The box shown at the top of every page while the content has problems."""
    return (
        '<aside class="devserver-problems" role="alert">'
        f"<h2>{_count(problems)} in the content: this page is the last good build</h2>"
        f"{problem_list(problems)}"
        f'<p><a href="{ERRORS_URL}">All problems on one page</a>. Fix them and save: '
        "the page reloads by itself.</p></aside>"
    )


def render_error_page(state: BuildState) -> str:
    """The page at /__errors (and at every address while there is no good build yet)."""
    if state.problems:
        title = f"{_count(state.problems)} found: the site was not rebuilt"
        body = problem_list(state.problems)
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
        banner = render_banner(state.problems)
        match = _BODY_START.search(page)
        page = page[: match.end()] + banner + page[match.end():] if match else banner + page
    return page


class _Server(ThreadingHTTPServer):
    daemon_threads = True


class _Handler(SimpleHTTPRequestHandler):
    dev: DevSite
    extensions_map = {  # noqa: RUF012 - the base class's mapping, extended
        **SimpleHTTPRequestHandler.extensions_map,
        ".yml": "text/yaml; charset=utf-8",
        ".txt": "text/plain; charset=utf-8",
        ".xml": "application/xml; charset=utf-8",
        ".json": "application/json",
    }

    def __init__(self, *args: Any, dev: DevSite, **kwargs: Any) -> None:
        self.dev = dev
        super().__init__(*args, directory=str(dev.out_dir), **kwargs)

    def log_message(self, format: str, *args: Any) -> None:
        pass

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
        url_path = urlsplit(self.path).path
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
        fs_path = Path(self.translate_path(url_path))
        if fs_path.is_dir():
            if not url_path.endswith("/"):
                query = urlsplit(self.path).query
                self.send_response(HTTPStatus.MOVED_PERMANENTLY)
                self.send_header("Location", url_path + "/" + (f"?{query}" if query else ""))
                self.send_header("Content-Length", "0")
                self.end_headers()
                return None
            fs_path = fs_path / "index.html"
        if fs_path.is_file() and fs_path.suffix == ".html":
            return self._page(fs_path, 200, state, head_only)
        if fs_path.is_file():
            return super().do_HEAD() if head_only else super().do_GET()
        not_found = self.dev.out_dir / "404.html"
        if not_found.is_file():
            return self._page(not_found, 404, state, head_only)
        self.send_error(HTTPStatus.NOT_FOUND)
        return None

    def _page(self, fs_path: Path, status: int, state: BuildState, head_only: bool) -> None:
        try:
            page = fs_path.read_text("utf-8")
        except OSError:  # a rebuild swapped the folder between the check and the read
            time.sleep(0.05)
            page = fs_path.read_text("utf-8")
        self._send(status, "text/html; charset=utf-8", inject(page, state).encode("utf-8"), head_only)

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
        return _Server((HOST, DEFAULT_PORT if port is None else port), SimpleHTTPRequestHandler)
    except OSError as exc:
        if exc.errno != errno.EADDRINUSE:
            raise UserError(f"cannot listen on {HOST}:{port}: {exc.strerror}") from None
        if port is not None:
            raise UserError(
                f"port {port} is already in use",
                "Choose another with --port N, or leave --port out to use a free port.",
            ) from None
    server = _Server((HOST, 0), SimpleHTTPRequestHandler)
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
            *watched_paths(content_dir), stop_event=stop, step=50, debounce=800,
            rust_timeout=200, yield_on_timeout=True, raise_interrupt=False,
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
            _build_and_report(dev, report, "rebuilt")
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        if thread.is_alive():
            server.shutdown()
        server.server_close()
    report("stopped", False)
    return 0


def _build_and_report(dev: DevSite, report: Report, verb: str) -> None:
    started = time.monotonic()
    problems = dev.rebuild()
    if not problems:
        report(f"{verb} in {time.monotonic() - started:.1f} s", False)
        return
    for problem in problems:
        report(problem.format(), True)
    still = "still serving the last good build" if dev.state().has_site else "no good build to serve yet"
    report(f"{_count(problems)} found; {still} (the browser shows them)", True)


def _shown(path: Path) -> str:
    try:
        return path.resolve().relative_to(Path.cwd()).as_posix()
    except ValueError:
        return path.as_posix()
