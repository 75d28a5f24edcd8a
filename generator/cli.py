"""argv -> exit code: the only module that reads arguments, prints or exits."""

from __future__ import annotations

import argparse
import contextlib
import itertools
import os
import resource
import signal
import sys
import threading
import time
import traceback
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import NoReturn

from generator import __version__
from generator.errors import ContentError, Problem, Problems, UserError, printable

EXIT_SIGINT = 130
EXIT_SIGTERM = 143
"""128 + the signal's number, as shells report a command ended by it."""

PORT_RANGE = range(65536)
"""Ports `serve --port` accepts; 0 asks the system for any free port."""


class Terminated(BaseException):
    """SIGTERM during a build, raised in the main thread so that the build cleans up."""

MAX_PRINTED_PER_FILE = 20
"""Problems printed for one file; then `... and N more problems in <file>`."""
MAX_PRINTED = 200
"""Problems printed for one run; then `... and N more`. The count and the exit code always
cover every problem."""
MAX_LINE_CHARS = 500
"""Characters printed of one line of a message or hint (a value quoted in a message can be
as long as its file)."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m generator",
        description="Build a static fact-check site from content/.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    check = commands.add_parser("check", help="validate content/ and anchor every quote; write nothing")
    check.add_argument("content", nargs="?", default="content", help="content folder (default: content)")
    check.add_argument(
        "--format", choices=("text", "github"), default="text",
        help="github also prints each problem as a GitHub Actions annotation",
    )
    _stage_options(check)

    build = commands.add_parser("build", help="check, then render content/ into site/")
    build.add_argument("--content", default="content", help="content folder (default: content)")
    build.add_argument("--out", default="site", help="output folder (default: site)")
    build.add_argument("--base-url", help="absolute URL the site is served from (overrides site.yaml)")
    build.add_argument(
        "--format", choices=("text", "github"), default="text",
        help="github also prints each problem as a GitHub Actions annotation",
    )
    build.add_argument("--no-cache", action="store_true",
                       help="build everything anew: neither read nor write the cache that "
                       "builds keep beside the output folder (.OUT.cache/)")
    _stage_options(build)

    new = commands.add_parser(
        "new", help="write a commented scaffold for a claim, article, source or outlet",
        description="Write a scaffold with every field present and commented; `check` then "
        "says what is still missing. Never overwrites a file.",
    )
    new.add_argument("kind", choices=("claim", "article", "source", "outlet"), help="what to create")
    new.add_argument("name", help="its id (the file name), e.g. haqqani-closest-links; for an "
                     "article OUTLET/SLUG, e.g. redstate/thanks-joe")
    new.add_argument("--content", default="content", help="content folder (default: content)")
    new.add_argument("--from", dest="from_file", metavar="FILE",
                     help="articles only: a page saved from the browser (.html, .mhtml), whose "
                     "text and metadata are captured; or the article's text, copied byte for "
                     "byte after the front matter (- reads standard input)")
    new.add_argument("--keep-page", action="store_true",
                     help="with --from a saved page: also copy it to "
                     "captures/OUTLET/SLUG.html beside the content folder (never published)")

    serve = commands.add_parser(
        "serve", help="build, serve on 127.0.0.1 and rebuild on change (live reload)",
    )
    serve.add_argument("--content", default="content", help="content folder (default: content)")
    serve.add_argument("--out", default="site", help="output folder (default: site)")
    serve.add_argument("--port",
                       help="port to serve on, 1-65535 (default: 8000, or a free one if 8000 "
                       "is taken; 0: any free port)")
    return parser


def _stage_options(command: argparse.ArgumentParser) -> None:
    command.add_argument("--strict", action="store_true",
                         help="treat warnings as errors (exit 1 when there is any)")
    command.add_argument("--timings", action="store_true",
                         help="print each stage's wall time and the peak memory so far")
    command.add_argument("--production", action="store_true",
                         help="also require what a public site needs: a way for readers to "
                         "report an error (publisher.contact in site.yaml)")


class Timings:
    """Each stage's wall time and the process's peak memory after it, printed at the end."""

    def __init__(self) -> None:
        self.rows: dict[str, float] = {}
        self.peaks: dict[str, int] = {}
        self.started = time.perf_counter()

    @contextlib.contextmanager
    def stage(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.rows[name] = self.rows.get(name, 0.0) + time.perf_counter() - started
            self.peaks[name] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    def print(self) -> None:
        from generator.pipeline import STAGES

        total = sum(self.rows.values())
        print(f"{'stage':<10} {'wall s':>8} {'peak RSS MiB':>13}", file=sys.stderr)
        for name in sorted(self.rows, key=lambda n: STAGES.index(n) if n in STAGES else 99):
            seconds = self.rows[name]
            print(f"{name:<10} {seconds:>8.3f} {self.peaks[name] / 1024:>13.0f}", file=sys.stderr)
        elapsed = time.perf_counter() - self.started
        print(f"{'total':<10} {total:>8.3f}", file=sys.stderr)
        # the main process in no stage: mostly waiting for the workers' pages (each stage
        # counts only the main process's own work), so that the rows add up to the wall time
        print(f"{'other':<10} {elapsed - total:>8.3f}", file=sys.stderr)
        print(f"{'elapsed':<10} {elapsed:>8.3f}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    args.stages = Timings()
    try:
        return _run(args)
    finally:
        if getattr(args, "timings", False):
            args.stages.print()


def run() -> NoReturn:
    """The command line as a program: `main()`, then the process ends at once, its output
    flushed. What a build holds is not freed object by object on the way out, which takes
    seconds on a large site; everything it writes is closed by then."""
    try:
        code = main()
    except SystemExit as exc:  # argparse's --help, --version and usage errors
        code = exc.code if isinstance(exc.code, int) else 0 if exc.code is None else 1
        if not isinstance(exc.code, int | None):
            print(exc.code, file=sys.stderr)  # as Python prints it, with status 1
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass  # a reader that went away, or a closed stream: nothing more can be said
    os._exit(code)


def _run(args: argparse.Namespace) -> int:
    try:
        _validate(args)
        if args.command == "check":
            return _check(args)
        if args.command == "build":
            with _sigterm_raises():
                return _build(args)
        if args.command == "new":
            return _new(args)
        if args.command == "serve":
            return _serve(args)
    except ContentError as exc:
        _print_problems(exc.problems, getattr(args, "format", "text"))
        return 1
    except UserError as exc:
        _print_error(exc.message, exc.hint)
        return 1
    except KeyboardInterrupt:
        return EXIT_SIGINT
    except Terminated:
        return EXIT_SIGTERM
    except Exception as exc:  # noqa: BLE001 - an internal error, not a content problem
        if args.debug:
            traceback.print_exc()
        else:
            print(f"error: {type(exc).__name__}: {exc}", file=sys.stderr)
            print("    (run with --debug for the traceback)", file=sys.stderr)
        return 2
    raise AssertionError(args.command)


def _validate(args: argparse.Namespace) -> None:
    """UserError for an argument that cannot be right, before anything is read or written
    (--out is checked by the build itself, before it loads the content)."""
    content = getattr(args, "content", None)
    if content is not None and args.command != "new" and not Path(content).is_dir():
        what = "is not a folder" if Path(content).exists() else "not found"
        how = "name it: check DIR" if args.command == "check" else "pass --content DIR"
        raise UserError(
            f"content folder {what}: {printable(content, keep='')}",
            f"Run this from the project root, or {how} (the folder that holds site.yaml).",
        )
    port = getattr(args, "port", None)
    if port is not None:
        number = int(port) if port.isascii() and port.isdigit() else -1
        if number not in PORT_RANGE:
            raise UserError(
                f"--port: expected a port number from 1 to 65535, or 0 for any free port; "
                f"got {printable(port, keep='')!r}",
                "Leave --port out to use 8000 (or a free port when 8000 is taken).",
            )
        args.port = number


@contextmanager
def _sigterm_raises() -> Iterator[None]:
    """While a build runs, SIGTERM raises Terminated (as SIGINT raises KeyboardInterrupt),
    so that the staging folder is removed before the process ends."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def terminate(signum: int, frame: FrameType | None) -> None:
        raise Terminated

    previous = signal.signal(signal.SIGTERM, terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL if previous is None else previous)


def _check(args: argparse.Namespace) -> int:
    from generator import pipeline

    checked = pipeline.check(Path(args.content), strict=args.strict, stages=args.stages,
                             production=args.production)
    _print_problems(checked.warnings, args.format)
    print(f"ok: {pipeline.summarise(checked).line()}")
    return 0


def _build(args: argparse.Namespace) -> int:
    from generator import pipeline, write

    out = printable(args.out.rstrip("/") or args.out, keep="")
    commits = write.commits
    try:
        built = pipeline.build(Path(args.content), Path(args.out), base_url=args.base_url,
                               strict=args.strict, stages=args.stages, waiting=_waiting,
                               production=args.production,
                               cache_results=not args.no_cache)
    except (KeyboardInterrupt, Terminated):
        if write.commits > commits:  # it landed after the new site was put in place
            print(f"built into {out}/ (interrupted while finishing up)", file=sys.stderr)
            return 0
        print(f"interrupted: {out}/ is as it was", file=sys.stderr)
        raise
    _print_problems(built.content_warnings, args.format)
    for problem in built.leftovers:
        _print_error(problem.message, problem.hint, label="warning")
    if built.unchanged:
        print(f"nothing changed: {out}/ already holds these {built.files} files: "
              f"{built.summary.line()}")
    else:
        print(f"built {built.files} files into {out}/: {built.summary.line()}")
    if args.timings:
        print("reused and made: " + ", ".join(f"{name} {number}" for name, number in
                                               built.counts), file=sys.stderr)
    return 0


def _waiting(out: str) -> None:
    shown = out.rstrip("/") or out
    print(f"waiting for another build into {shown}/ ...", file=sys.stderr, flush=True)


def _new(args: argparse.Namespace) -> int:
    from generator import new

    text: bytes | None = None
    source_name: str | None = None
    try:
        if args.from_file == "-":
            text = sys.stdin.buffer.read()
        elif args.from_file is not None:
            path = Path(args.from_file)
            if path.is_dir():
                path = new.saved_page_in(path)
            text = path.read_bytes()
            source_name = path.name
    except OSError as exc:
        _print_error(f"cannot read {args.from_file}: {exc.strerror or exc}",
                     "Pass the file that holds the article text, or - for standard input.")
        return 1
    written = new.create(args.kind, args.name, Path(args.content), text,
                         source_name=source_name, keep_page=args.keep_page)
    print(f"wrote {written.rel_path}")
    if written.kept:
        print(f"kept the saved page as {written.kept}")
    if args.kind == "article" and text is None:
        print("next: fill in the front matter, paste the article text as captured after the "
              "second --- line, then run: python -m generator check " + args.content)
    elif written.fields:
        print("read from the page: " + ", ".join(written.fields))
        print("next: check each value against the article (its _basis says where it was read), "
              "fill in the rest, then run: python -m generator check " + args.content)
    else:
        print("next: fill in the empty values, then run: python -m generator check " + args.content)
    return 0


def _serve(args: argparse.Namespace) -> int:
    from generator import serve

    stop = threading.Event()
    try:
        return serve.serve(
            Path(args.content), Path(args.out), port=args.port, stop=stop,
            report=_report,
        )
    except KeyboardInterrupt:
        stop.set()
        return 0


def _report(line: str, problem: bool) -> None:
    print(line, file=sys.stderr if problem else sys.stdout, flush=True)


def _print_error(message: str, hint: str = "", label: str = "error") -> None:
    print(f"{label}: {message}", file=sys.stderr)
    for line in hint.splitlines():
        print(f"    {line}", file=sys.stderr)


def _print_problems(problems: Sequence[Problem], fmt: str, written: bool = False) -> None:
    """Every problem (errors and warnings), up to MAX_PRINTED_PER_FILE per file and
    MAX_PRINTED in all, then a count of all of them; with `--format github` each printed one
    also as a workflow command that marks its line in a pull request. (Only the problems
    printed are looked at one by one: `Problems` gives the files and the count of errors of
    the rest.)"""
    printed = 0
    more = 0
    paths = (problems.rel_paths if isinstance(problems, Problems)
             else [p.location.rel_path for p in problems])
    for rel_path, group in itertools.groupby(range(len(paths)), key=paths.__getitem__):
        found = list(group)
        shown = [problems[i] for i in found[: min(MAX_PRINTED_PER_FILE, MAX_PRINTED - printed)]]
        for problem in shown:
            print(_shorten_lines(problem.format()), file=sys.stderr)
            if fmt == "github":
                print(_annotation(problem))
        printed += len(shown)
        hidden = len(found) - len(shown)
        if hidden and len(shown) == MAX_PRINTED_PER_FILE:
            print(f"... and {hidden} more problem{'s' if hidden != 1 else ''} in "
                  f"{printable(rel_path, keep='')}", file=sys.stderr)
        else:
            more += hidden
    if more:
        print(f"... and {more} more", file=sys.stderr)
    errors = (problems.errors if isinstance(problems, Problems)
              else sum(1 for p in problems if p.is_error))
    warnings = len(problems) - errors
    parts = []
    if errors:
        parts.append(f"{errors} problem{'s' if errors != 1 else ''}")
    if warnings:
        parts.append(f"{warnings} warning{'s' if warnings != 1 else ''}")
    if errors:
        print(f"{' and '.join(parts)} found; nothing was written.", file=sys.stderr)
    elif warnings:
        print(f"{parts[0]} (advice: `--strict` makes warnings errors)", file=sys.stderr)


def _shorten_lines(text: str) -> str:
    return "\n".join(
        line if len(line) <= MAX_LINE_CHARS else line[: MAX_LINE_CHARS - 1] + "…"
        for line in text.split("\n")
    )


def _annotation(problem: Problem) -> str:
    """A GitHub Actions `::error` or `::warning` command. Its properties and message are
    escaped as the runner reads them, so that nothing in a path or a message (a newline
    above all) can end the command and start another."""
    loc = problem.location
    message = _shorten_lines(printable(problem.message, keep="") + (
        "\n" + printable(problem.hint) if problem.hint else ""))
    path = _escape_property(printable(loc.rel_path, keep=""))
    kind = "error" if problem.is_error else "warning"
    return f"::{kind} file={path},line={loc.line},col={loc.col}::{_escape_data(message)}"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")
