"""content/ -> raw records with the line and column of every key and value (I/O)."""

from __future__ import annotations

import codecs
import errno
import itertools
import operator
import os
import re
import stat
import sys
import unicodedata
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any, Protocol

import yaml

from generator import digest
from generator.errors import BIDI_CONTROLS, Location, Problem, warning
from generator.text import is_id, suggest_id

try:
    _Loader: Any = yaml.CSafeLoader
    _READER_POSITIONS_IN_BYTES = True
    """libyaml reports a reader error's position in bytes of the UTF-8 text."""
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _Loader = yaml.SafeLoader
    _READER_POSITIONS_IN_BYTES = False

# Limits. Each one bounds what a single content file can cost `check` (time, memory, output);
# docs/format.md lists them for editors. Past a limit, the file gets one located error.

MAX_FILE_BYTES = 2 * 1024 * 1024
"""The largest file that is read (YAML, article or page), in bytes. The longest seed article
is 12 KB and the largest source file of a generated 10,000-claim site 0.5 MB."""
MAX_DEPTH = 32
"""The deepest nesting of lists and mappings in a YAML file. The format needs 4 levels;
nesting is counted from the parser's events, before anything is built from them."""
MAX_NODES = 100_000
"""Values (text, lists and mappings) in one YAML file. A source with 2,500 passages has
about 22,500."""
MAX_KEYS = 1_000
"""Keys in one mapping. The largest mapping of the format has 12 known keys."""
MAX_KEY_CHARS = 100
"""Characters in one key. The longest known key has 20."""
MAX_CHARACTER_PROBLEMS = 10
"""Characters reported one by one per file (and as many bidirectional controls); one more
problem counts the rest."""
MAX_FOLDER_DEPTH = 2
"""Folders below content/ that are walked (content/articles/<outlet>/ is 2 deep). A deeper
folder is reported once and not walked."""

POSITION_BITS = 32
"""A line map stores a position as one int, `line << POSITION_BITS | col`."""
KEY_SHIFT = 2 * POSITION_BITS
"""...and a value with its key as one int, `key << KEY_SHIFT | value` (key 0: no key)."""
_COL_MASK = (1 << POSITION_BITS) - 1
_VALUE_MASK = (1 << KEY_SHIFT) - 1

JsonPath = tuple[str | int, ...]

KINDS = {
    "outlets": "outlet",
    "sources": "source",
    "claims": "claim",
}


_SCAN = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff\u2028\u2029"
    + "".join(sorted(BIDI_CONTROLS))
    + "\U00010000-\U0010ffff]"
)
"""Every character that may need a report, for a closer look one by one: control characters
but tab and line feed, lone surrogates, noncharacters, line and paragraph separators,
bidirectional controls, and every character beyond U+FFFF (one class of plain ranges keeps the
scan fast; the noncharacters among them are picked out after)."""
DIRECTION_MARKS = frozenset("\u200e\u200f\u061c")
"""Bidirectional controls that right-to-left text needs: reported only where the text
around them is all left-to-right."""


class _Char(Enum):
    FINE = "fine"
    NOT_ALLOWED = "not-allowed"
    BIDI = "bidi"


def _judge(char: str, text: str, offset: int, in_yaml: bool) -> _Char:
    """What a character that _SCAN matched at `offset` is: not allowed anywhere (a control
    character other than tab and line feed, a carriage return that is not part of CRLF, a lone
    surrogate, a noncharacter; in YAML also a line or paragraph separator, which YAML reads as
    a line end), a bidirectional control, or fine."""
    if char == "\r":
        return _Char.FINE if text.startswith("\n", offset + 1) else _Char.NOT_ALLOWED
    if char >= "\U00010000":
        return _Char.NOT_ALLOWED if ord(char) & 0xFFFE == 0xFFFE else _Char.FINE
    if char in BIDI_CONTROLS:
        return _Char.BIDI
    if char in "\u2028\u2029" and not in_yaml:
        return _Char.FINE
    return _Char.NOT_ALLOWED


def without_disallowed(text: str, in_yaml: bool = True) -> str:
    """`text` without the characters content cannot hold (see _judge), for text that a
    command writes into content: a captured page's metadata and text. A YAML value holds
    line ends as line feeds, so there a CRLF becomes LF (see Composer.check_escapes)."""
    if in_yaml:
        text = text.replace("\r\n", "\n")
    return _SCAN.sub(
        lambda found: "" if _judge(found.group(), text, found.start(), in_yaml)
        is _Char.NOT_ALLOWED else found.group(),
        text,
    )


@dataclass(frozen=True, slots=True)
class Record:
    """One YAML document from content/, as plain data plus where each part was written."""

    kind: str
    """site, spellings, outlet, source, claim or article."""
    id: str
    rel_path: str
    data: Any
    """Plain data: dicts, lists, str, bool and None (YAML's other implicit types are text)."""
    positions: dict[JsonPath, int] = field(default_factory=dict)
    """The line map: where each value starts, by its path in `data`, and for a mapping's
    value where its key is written (`key << KEY_SHIFT | value`, see POSITION_BITS)."""
    text: str = ""
    """For articles: the text after the front matter, exactly as in the file."""
    body_line: int = 1
    """For articles: the line of the file on which `text` starts."""

    def where(self, path: JsonPath = ()) -> Location:
        """The location of the value at `path`, or of its nearest written ancestor."""
        positions = self.positions
        while True:
            position = positions.get(path)
            if position is not None:
                return _location(self.rel_path, position & _VALUE_MASK)
            if not path:
                return Location(self.rel_path, 1, 1)
            path = path[:-1]

    def where_key(self, path: JsonPath) -> Location:
        """The location of the key of the value at `path` (of the value, if it has none)."""
        key = self.positions.get(path, 0) >> KEY_SHIFT
        return _location(self.rel_path, key) if key else self.where(path)


def _location(rel_path: str, position: int) -> Location:
    return Location(rel_path, position >> POSITION_BITS, position & _COL_MASK)


@dataclass(frozen=True, slots=True)
class PageFile:
    id: str
    rel_path: str
    text: str


@dataclass(frozen=True, slots=True)
class Parsed:
    """What one file that could be read holds: its record or page, and its problems."""

    record: Record | None
    page: PageFile | None
    problems: tuple[Problem, ...]
    unreadable: bool
    """True when the file is there but holds no record: references to it are not reported
    again."""


class Reused(Protocol):
    """Results of parsing kept from earlier runs, for files that have not changed."""

    def get(self, rel_path: str, src_path: str, info: os.stat_result) -> Parsed | None:
        """What parsing the file gave, if it is known to be unchanged since."""
        ...

    def put(self, rel_path: str, src_path: str, info: os.stat_result, file_key: bytes,
            parsed: Parsed) -> None:
        """What parsing the file's bytes (whose digest is `file_key`) gave."""
        ...

    def prefetch(self, files: Iterable[tuple[str, str, os.stat_result]]) -> None:
        """The files (rel_path, src_path, stat) about to be asked for: what is known of them
        may be fetched in one go."""
        ...


@dataclass(frozen=True, slots=True)
class ToRead:
    """A file to read and parse."""

    kind: str
    record_id: str
    rel_path: str
    src_path: str


@dataclass(frozen=True, slots=True)
class Read:
    """What reading a file gave: what its bytes parse to and their digest, or the problem
    that stopped its reading."""

    parsed: Parsed | None
    problem: Problem | None = None
    file_key: bytes = b""


def read_file(item: ToRead) -> Read:
    """Read and parse one file (a pure function of its bytes: any process may run it)."""
    data, problem = _read_bytes(item.src_path, item.rel_path)
    if problem:
        return Read(None, problem)
    assert data is not None
    return Read(parse_file(item.kind, item.record_id, item.rel_path, data), None,
                digest.of_bytes(data))


ReadAll = Callable[[Sequence[ToRead]], Sequence[Read]]
"""Files to read -> what reading each gave, in order (`read_here`, or the same on every
core)."""


def read_here(items: Sequence[ToRead]) -> list[Read]:
    return [read_file(item) for item in items]


@dataclass(frozen=True, slots=True)
class Walk:
    """What walking content/ found: the files to read, with what the walk saw of each, the
    problems, and the files that are there but are not read."""

    root: str
    entries: tuple[_Entry, ...]
    problems: tuple[Problem, ...]
    skipped: tuple[tuple[str, ...], ...]
    cwd: str
    """The working directory the walk was made in."""
    positions: Mapping[str, int]
    """The absolute path of each entry's file -> where the entry stands."""

    @classmethod
    def of(cls, root: str, entries: Sequence[_Entry], problems: Sequence[Problem],
           skipped: Sequence[tuple[str, ...]]) -> Walk:
        cwd = os.getcwd()
        return cls(root, tuple(entries), tuple(problems), tuple(skipped), cwd,
                   {os.path.normpath(os.path.join(cwd, entry.src_path)): i
                    for i, entry in enumerate(entries)})

    def where(self, modified: Collection[str]) -> list[int] | None:
        """Where the entries of the files `modified` (absolute paths) stand, in order; None
        when one is not a file of this walk (or the working directory changed)."""
        if os.getcwd() != self.cwd:
            return None
        found = set()
        for path in modified:
            at = self.positions.get(os.path.abspath(path))
            if at is None:
                return None
            found.add(at)
        return sorted(found)

    def again(self, modified: Collection[str]) -> Walk | None:
        """The walk after the files `modified` (absolute paths, all of them files this walk
        found) changed their bytes and nothing else: a new stat of each; None when one is no
        longer a regular file, or is a file the walk did not read."""
        positions = self.where(modified)
        if positions is None:
            return None  # a file the walk did not read: walk again
        entries = list(self.entries)
        for i in positions:
            entry = entries[i]
            try:
                info = os.stat(entry.src_path, follow_symlinks=False)
            except OSError:
                return None
            if not stat.S_ISREG(info.st_mode) or (info.st_dev, info.st_ino) != entry.identity:
                return None
            entries[i] = _Entry(entry.parts, entry.rel_path, entry.src_path, entry.identity, info)
        return Walk(self.root, tuple(entries), self.problems, self.skipped, self.cwd,
                    self.positions)


@dataclass(frozen=True, slots=True)
class Loaded:
    records: tuple[Record, ...]
    pages: tuple[PageFile, ...]
    problems: tuple[Problem, ...]
    unreadable: tuple[tuple[str, str], ...] = ()
    """(kind, id) of files that exist but could not be read or parsed."""
    walk: Walk | None = None
    """What walking content/ found (a preview server walks it again only when files were
    added or removed)."""
    outcomes: tuple[Outcome, ...] = ()
    """What each file of the walk gave, in its order."""


Outcome = tuple[tuple[Problem, ...], "Record | PageFile | None", "tuple[str, str] | None"]
"""What one walked file gave: its problems, its record or page, and (kind, id) when it is
there but holds nothing that can be read."""
_PROBLEMS = operator.itemgetter(0)
_HELD = operator.itemgetter(1)
_NOTHING = operator.itemgetter(2)


def load_content(
    content_dir: Path, reused: Reused | None = None, walked: Walk | None = None,
    before: Loaded | None = None, modified: Collection[str] | None = None,
    read_all: ReadAll = read_here,
) -> Loaded:
    """Read every file of a content folder; problems are collected, never raised. `reused`
    knows what files that have not changed since an earlier run held; `walked` is the walk of
    the folder when it is known (see Walk.again), else the folder is walked. With `before`
    (the load that `walked` comes from, walked again after the files `modified` changed), the
    other files' outcomes are taken from it. `read_all` reads the files that are not known
    (all at once, so that it may read them on every core)."""
    content_dir = Path(content_dir)
    records: list[Record] = []
    pages: list[PageFile] = []
    problems: list[Problem] = []
    unreadable: list[tuple[str, str]] = []

    if not content_dir.is_dir():
        problems.append(
            Problem(
                Location(str(content_dir), 1, 1),
                "content folder not found",
                "Pass the folder that holds site.yaml, e.g. `python -m generator check content`.",
            )
        )
        return Loaded((), (), tuple(problems))
    prefix = content_dir.resolve().name

    root = os.path.realpath(content_dir)
    if walked is None or walked.root != root:
        entries, found, skipped = _walk(content_dir, prefix)
        walked = Walk.of(root, entries, found, skipped)
    entries, found, skipped = list(walked.entries), list(walked.problems), list(walked.skipped)
    problems.extend(found)
    for parts in skipped:  # files that exist but are not read: no reference to them dangles
        kind, record_id, problem = _classify(parts, "")
        if problem is None:
            unreadable.append((kind, record_id))
    changed = (walked.where(modified) if before is not None and modified is not None
               and before.walk is not None and len(before.outcomes) == len(entries) else None)
    if changed is not None:
        assert before is not None
        outcomes = list(before.outcomes)  # the other files' outcomes are as they were
        for i, outcome in zip(changed, _load_entries([entries[i] for i in changed], reused,
                                                     read_all), strict=True):
            outcomes[i] = outcome
    else:
        if reused is not None:
            reused.prefetch((e.rel_path, e.src_path, e.info) for e in entries)
        outcomes = _load_entries(entries, reused, read_all)
    problems.extend(itertools.chain.from_iterable(map(_PROBLEMS, outcomes)))
    for held in map(_HELD, outcomes):
        if isinstance(held, Record):
            records.append(held)
        elif held is not None:
            pages.append(held)
    unreadable.extend(filter(None, map(_NOTHING, outcomes)))

    if not any(r.kind == "site" for r in records) and not any(
        p.is_error and p.location.rel_path.endswith("site.yaml") for p in problems
    ):
        problems.append(
            Problem(
                Location(prefix + "/site.yaml", 1, 1),
                "site.yaml is missing",
                "Every content folder needs a site.yaml with title, base_url, language "
                "and publisher (see docs/format.md).",
            )
        )
    return Loaded(tuple(records), tuple(pages), tuple(problems), tuple(unreadable), walked,
                  tuple(outcomes))


def _load_entries(entries: Sequence[_Entry], reused: Reused | None, read_all: ReadAll
                  ) -> list[Outcome]:
    """What reading each walked file gives, in order: the files `reused` does not know are
    read by `read_all`, all at once."""
    outcomes: list[Outcome | None] = []
    todo: list[int] = []
    wanted: list[ToRead] = []
    for i, entry in enumerate(entries):
        kind, record_id, problem = _classify(entry.parts, entry.rel_path)
        if problem:
            outcomes.append(((problem,), None, None))
            continue
        parsed = reused.get(entry.rel_path, entry.src_path, entry.info) if reused else None
        if parsed is None:
            outcomes.append(None)
            todo.append(i)
            wanted.append(ToRead(kind, record_id, entry.rel_path, entry.src_path))
        else:
            outcomes.append(_outcome(parsed, kind, record_id))
    for i, item, read in zip(todo, wanted, read_all(wanted) if wanted else (), strict=True):
        if read.parsed is None:
            assert read.problem is not None
            outcomes[i] = (read.problem,), None, (item.kind, item.record_id)
            continue
        if reused:
            entry = entries[i]
            reused.put(entry.rel_path, entry.src_path, entry.info, read.file_key, read.parsed)
        outcomes[i] = _outcome(read.parsed, item.kind, item.record_id)
    return [outcome for outcome in outcomes if outcome is not None]


def _outcome(parsed: Parsed, kind: str, record_id: str) -> Outcome:
    held = parsed.record if parsed.record is not None else parsed.page
    return parsed.problems, held, (kind, record_id) if parsed.unreadable else None


def parse_file(kind: str, record_id: str, rel_path: str, data: bytes) -> Parsed:
    """The record (or page) of a file's bytes, and the problems in them."""
    text, problem = _decode(data, rel_path)
    if problem:
        return Parsed(None, None, (problem,), True)
    assert text is not None
    if kind == "page":
        found = character_problems(text, rel_path)
        if any(p.is_error for p in found):
            return Parsed(None, None, tuple(found), False)
        return Parsed(None, PageFile(record_id, rel_path, text), tuple(found), False)
    if kind == "article":
        record, found = parse_article(text, rel_path, record_id)
    else:
        record, found = parse_yaml(text, rel_path, kind, record_id)
    return Parsed(record, None, tuple(found), record is None)


# Walking content/: regular files inside it, each read once, nothing else opened


@dataclass(frozen=True, slots=True)
class _Entry:
    parts: tuple[str, ...]
    """The names from content/ down to the file."""
    rel_path: str
    src_path: str
    """What is opened: the file itself, or the file inside content/ a symbolic link names."""
    identity: tuple[int, int]
    """(device, inode): a file reached twice is read once."""
    info: os.stat_result
    """What the walk found of the file (for a link, of its target)."""


def _walk(
    content_dir: Path, prefix: str
) -> tuple[list[_Entry], list[Problem], list[tuple[str, ...]]]:
    """Every regular file below content/, in sorted order, without following a symbolic
    link out of content/ or into a folder; names starting with `.` are skipped. Also the
    problems found, and the paths of the files that are there but will not be read."""
    root = os.path.realpath(content_dir)
    files: list[_Entry] = []
    links: list[_Entry] = []
    problems: list[Problem] = []
    skipped: list[tuple[str, ...]] = []

    def rel(parts: tuple[str, ...]) -> str:
        return "/".join((prefix, *parts))

    def shown(target: str) -> str:
        return rel(tuple(Path(os.path.relpath(target, root)).parts))

    def visit(folder: str, parts: tuple[str, ...]) -> None:
        try:
            with os.scandir(folder) as scan:
                found = sorted(scan, key=lambda e: e.name)
        except OSError as exc:
            problems.append(_unreadable(rel(parts) + "/", exc))
            return
        for entry in found:
            if entry.name.startswith("."):
                continue
            here = (*parts, entry.name)
            rel_path = rel(here)
            try:
                info = entry.stat(follow_symlinks=False)
            except OSError as exc:
                problems.append(_unreadable(rel_path, exc))
                skipped.append(here)
                continue
            if stat.S_ISDIR(info.st_mode):
                if len(here) > MAX_FOLDER_DEPTH:
                    problems.append(_deep_folder(here, rel_path + "/"))
                else:
                    visit(entry.path, here)
            elif stat.S_ISREG(info.st_mode):
                files.append(_Entry(here, rel_path, entry.path, (info.st_dev, info.st_ino), info))
            elif stat.S_ISLNK(info.st_mode):
                link(entry.path, here, rel_path)
            else:
                problems.append(_not_regular(rel_path, info.st_mode))
                skipped.append(here)

    def link(path: str, here: tuple[str, ...], rel_path: str) -> None:
        where = Location(rel_path, 1, 1)
        skipped.append(here)  # unless it is read, below
        try:
            info = os.stat(path)
        except FileNotFoundError:
            problems.append(
                Problem(where, "a symbolic link to nothing: its target does not exist",
                        "Remove the link, or replace it with the file itself.")
            )
            return
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                problems.append(
                    Problem(where, "a symbolic link that leads back to itself (a loop)",
                            "Remove the link, or replace it with the file itself.")
                )
            else:
                problems.append(_unreadable(rel_path, exc))
            return
        target = os.path.realpath(path)
        inside = target == root or target.startswith(root + os.sep)
        if stat.S_ISDIR(info.st_mode):
            if inside:
                problems.append(
                    warning(where, f"a symbolic link to the folder {shown(target)}/ is not "
                            "followed", "Its files are read where they are, or not at all if "
                            "that folder is not part of the content; remove the link.")
                )
            else:
                problems.append(
                    Problem(where, "a symbolic link to a folder outside content/",
                            "Everything the site publishes must be inside content/: copy "
                            "the files in, or remove the link.")
                )
        elif not inside:
            problems.append(
                Problem(where, "a symbolic link to a file outside content/",
                        "Everything the site publishes must be inside content/: copy the "
                        "file in, or remove the link.")
            )
        elif not stat.S_ISREG(info.st_mode):
            problems.append(_not_regular(rel_path, info.st_mode))
        else:
            skipped.pop()
            links.append(_Entry(here, rel_path, target, (info.st_dev, info.st_ino), info))

    visit(str(content_dir), ())
    reached = {entry.identity: entry for entry in files}
    for entry in links:
        first = reached.get(entry.identity)
        if first is not None:
            problems.append(
                warning(
                    Location(entry.rel_path, 1, 1),
                    f"a symbolic link to {first.rel_path}: the file is read once, as "
                    f"{first.rel_path}",
                    "The link's own name is not an id and publishes nothing: remove the "
                    "link, or rename the file itself.",
                )
            )
            continue
        reached[entry.identity] = entry
        files.append(entry)
    files.sort(key=lambda e: e.parts)
    return files, problems, skipped


def _deep_folder(parts: tuple[str, ...], rel_path: str) -> Problem:
    where = Location(rel_path, 1, 1)
    if parts[0] == "articles":
        return Problem(where, "an article must sit at articles/<outlet>/<slug>.txt",
                       "Move the files of this folder into the folder named after their "
                       "outlet's id.")
    return Problem(where, "unexpected folder",
                   "Known folders: claims/, sources/, outlets/, articles/<outlet>/, pages/.")


_FILE_TYPES = (
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


def _not_regular(rel_path: str, mode: int) -> Problem:
    what = next((name for test, name in _FILE_TYPES if test(mode)), "a special file")
    return Problem(Location(rel_path, 1, 1), f"not a regular file: {what}",
                   "content/ holds only ordinary files and folders; remove it.")


def _unreadable(rel_path: str, exc: OSError) -> Problem:
    where = Location(rel_path, 1, 1)
    if isinstance(exc, PermissionError):
        return Problem(where, "cannot be read: permission denied",
                       "Make it readable by the user who runs the build (chmod u+r).")
    return Problem(where, f"cannot be read: {exc.strerror or exc}", "")


_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(
    os, "O_CLOEXEC", 0
)
"""Never through a link swapped in since the walk, never waiting on a FIFO swapped in."""


def _read_bytes(src_path: str, rel_path: str) -> tuple[bytes | None, Problem | None]:
    """At most MAX_FILE_BYTES of a regular file."""
    try:
        fd = os.open(src_path, _OPEN_FLAGS)
    except OSError as exc:
        return None, _unreadable(rel_path, exc)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return None, _not_regular(rel_path, info.st_mode)
        chunks: list[bytes] = []
        size = 0
        if info.st_size <= MAX_FILE_BYTES:
            while size <= MAX_FILE_BYTES:
                chunk = os.read(fd, MAX_FILE_BYTES + 1 - size)
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
        if info.st_size > MAX_FILE_BYTES or size > MAX_FILE_BYTES:
            return None, Problem(
                Location(rel_path, 1, 1),
                f"too large: {max(info.st_size, size):,} bytes; the limit is "
                f"{MAX_FILE_BYTES:,} bytes",
                "Split the entry into several files; for an article, keep the text of the "
                "article itself (see the limits in docs/format.md).",
            )
        return b"".join(chunks), None
    except OSError as exc:
        return None, _unreadable(rel_path, exc)
    finally:
        os.close(fd)


def _decode(data: bytes, rel_path: str) -> tuple[str | None, Problem | None]:
    """UTF-8 text; a byte-order mark at the start is dropped (it marks the encoding, it is
    not text), before any offset is counted."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return None, Problem(
            Location(rel_path, 1, 1),
            "saved as UTF-16, not UTF-8",
            "Save the file as UTF-8 (in most editors: Save with Encoding, UTF-8).",
        )
    data = data.removeprefix(codecs.BOM_UTF8)
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        col = len(before[before.rfind(b"\n") + 1 :].decode("utf-8")) + 1
        return None, Problem(
            Location(rel_path, line, col),
            f"not valid UTF-8 (byte 0x{data[exc.start]:02x})",
            "Save the file as UTF-8; if it was pasted from a web page or a PDF, "
            "re-copy the text or convert it with `iconv -f WINDOWS-1252 -t UTF-8`.",
        )


def _classify(parts: tuple[str, ...], rel_path: str) -> tuple[str, str, Problem | None]:
    """(kind, id, problem) for a file, from where it sits in content/."""
    name = parts[-1]
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""

    def bad(message: str, hint: str) -> tuple[str, str, Problem]:
        return "", "", Problem(Location(rel_path, 1, 1), message, hint)

    if len(parts) == 1:
        if name == "site.yaml":
            return "site", "site", None
        if name == "spellings.yaml":
            return "spellings", "spellings", None
        if name == "entities.yaml":
            return "entities", "entities", None
        return bad(
            f"unexpected file {name!r} at the top of content/",
            "The top of content/ holds only site.yaml, spellings.yaml and entities.yaml; "
            "entries go in claims/, sources/, outlets/, articles/ and pages/.",
        )
    folder = parts[0]
    if folder == "pages" and len(parts) == 2:
        expected, kind = "md", "page"
    elif folder in KINDS and len(parts) == 2:
        expected, kind = "yaml", KINDS[folder]
    elif folder == "articles" and len(parts) == 3:
        expected, kind = "txt", "article"
    elif folder == "articles":
        return bad(
            "an article must sit at articles/<outlet>/<slug>.txt",
            "Move it into the folder named after its outlet's id.",
        )
    else:
        return bad(
            f"unexpected file in content/{'/'.join(parts[:-1])}/",
            "Known folders: claims/, sources/, outlets/, articles/<outlet>/, pages/.",
        )
    if ext != expected:
        suggestion = f"{stem}.{expected}"
        return bad(
            f"unexpected file extension {('.' + ext) if ext else '(none)'}; expected .{expected}",
            f"Rename it to {suggestion}.",
        )
    ids = [stem] if kind != "article" else [parts[1], stem]
    for part in ids:
        if not is_id(part):
            return bad(
                f"{part!r} is not a valid identifier",
                f"Use lower-case letters, digits and single hyphens, e.g. {suggest_id(part)!r}.",
            )
    return kind, "/".join(ids), None


# Characters: located where they are written


def character_problems(
    text: str,
    rel_path: str,
    in_yaml: bool = False,
    start: int = 0,
    end: int | None = None,
    line_offset: int = 0,
) -> list[Problem]:
    """An error for each character of `text[start:end]` that is not allowed and a warning for
    each bidirectional control, at its line and column in `text` (plus `line_offset` lines);
    at most MAX_CHARACTER_PROBLEMS of each, then one problem that counts the rest."""
    stop = len(text) if end is None else end
    errors: list[int] = []
    controls: list[int] = []
    more_errors = more_controls = 0
    line_end = -1
    rtl = False
    for match in _SCAN.finditer(text, start, stop):
        char = match.group()
        offset = match.start()
        verdict = _judge(char, text, offset, in_yaml)
        if verdict is _Char.NOT_ALLOWED:
            if len(errors) <= MAX_CHARACTER_PROBLEMS:
                errors.append(offset)
            else:
                more_errors += 1
        elif verdict is _Char.BIDI:
            if char in DIRECTION_MARKS:
                if offset > line_end:  # the line of the mark, looked at once per line
                    line_start = text.rfind("\n", 0, offset) + 1
                    line_end = text.find("\n", offset)
                    line_end = len(text) if line_end == -1 else line_end
                    rtl = _has_rtl(text[line_start:line_end])
                if rtl:
                    continue
            if len(controls) <= MAX_CHARACTER_PROBLEMS:
                controls.append(offset)
            else:
                more_controls += 1

    def at(offset: int) -> Location:
        line = text.count("\n", 0, offset) + 1 + line_offset
        return Location(rel_path, line, offset - text.rfind("\n", 0, offset))

    problems = [Problem(at(i), _describe(text[i]), _char_hint(text[i]))
                for i in errors[:MAX_CHARACTER_PROBLEMS]]
    if len(errors) > MAX_CHARACTER_PROBLEMS:
        problems.append(Problem(at(errors[-1]), f"{more_errors + 1:,} more characters that are "
                                "not allowed, the first of them here",
                                "Fix the ones listed above, then run check again."))
    problems += [warning(at(i), _describe_bidi(text[i]), _BIDI_HINT)
                 for i in controls[:MAX_CHARACTER_PROBLEMS]]
    if len(controls) > MAX_CHARACTER_PROBLEMS:
        problems.append(warning(at(controls[-1]), f"{more_controls + 1:,} more bidirectional "
                                "controls, the first of them here", _BIDI_HINT))
    return problems


def _has_rtl(text: str) -> bool:
    """Whether the text holds a right-to-left letter (the marks themselves do not count)."""
    return any(unicodedata.bidirectional(c) in ("R", "AL") and c not in DIRECTION_MARKS
               for c in text)


def _code(char: str) -> str:
    return f"U+{ord(char):04X}"


def _describe(char: str, escaped: bool = False) -> str:
    if char == "\r" and not escaped:
        return "a carriage return (U+000D) that does not end a CRLF line"
    category = unicodedata.category(char)
    if category == "Cc":
        return f"control character {_code(char)}"
    if category == "Cs":
        return f"lone surrogate {_code(char)} (half of a character)"
    if category in ("Zl", "Zp"):
        return f"{unicodedata.name(char).lower()} {_code(char)}"
    return f"noncharacter {_code(char)}"


def _char_hint(char: str, escaped: bool = False) -> str:
    if escaped:
        return ("Remove the `\\` escape that writes it: it is invisible, and feeds and sitemaps "
                "cannot hold it.")
    if char == "\r":
        return "Save the file with LF (or CRLF) line ends; a lone CR is an old Mac line end."
    if char in "\u2028\u2029":
        return ("YAML reads it as a line end, so lines would not be counted as your editor "
                "counts them: replace it with a line break or a space.")
    if unicodedata.category(char) == "Cc":
        return ("Remove it: it is invisible, and feeds and sitemaps cannot hold it. Tab and "
                "line ends are the only control characters allowed.")
    return "Remove it: it is not a character of any text (often the trace of a broken conversion)."


def _describe_bidi(char: str) -> str:
    return (f"bidirectional control {_code(char)} ({unicodedata.name(char)}): it can show the "
            "text in another order than it is written")


_BIDI_HINT = (
    "Remove it unless the text needs it: such characters can make a quote or a name read "
    "differently from what it says (the \"Trojan Source\" trick). Right-to-left text may "
    "keep its U+200E, U+200F and U+061C marks."
)


# YAML: composed from the parser's events, with every limit checked as the events arrive


FRONT_MATTER_RE = re.compile(r"^---[ \t]*\r?$", re.MULTILINE)


def parse_article(text: str, rel_path: str, article_id: str) -> tuple[Record | None, list[Problem]]:
    """Split `---` front matter from the article text and parse the front matter."""
    first = FRONT_MATTER_RE.match(text)
    closing = FRONT_MATTER_RE.search(text, first.end()) if first else None
    if not first or not closing:
        problems = character_problems(text, rel_path)
        if any(p.is_error for p in problems):
            return None, problems
    if not first:
        return None, [
            Problem(
                Location(rel_path, 1, 1),
                "missing front matter: the file must start with a line `---`",
                "Start the file with `---`, the front matter (headline, date, ...), then `---`, "
                "then the article text as captured. Did you forget to add `---`?",
            )
        ]
    if not closing:
        return None, [
            Problem(
                Location(rel_path, 1, 1),
                "front matter is not closed: no second line `---`",
                "Add a line `---` between the front matter and the article text.",
            )
        ]
    after = closing.end()
    if text.startswith("\r\n", after):
        after += 2
    elif text.startswith("\n", after):
        after += 1
    problems = character_problems(text, rel_path, True, 0, after)
    problems += character_problems(text, rel_path, False, after)
    if any(p.is_error for p in problems):
        return None, problems
    front = text[first.end() + 1 : closing.start()]
    body_line = text.count("\n", 0, after) + 1
    record, found = _parse_yaml(front, rel_path, "article", article_id, line_offset=1)
    problems += found
    if record is None:
        return None, problems
    record = Record(
        kind=record.kind,
        id=record.id,
        rel_path=rel_path,
        data=record.data if record.data is not None else {},
        positions=record.positions,
        text=text[after:],
        body_line=body_line,
    )
    return record, problems


def parse_yaml(
    text: str, rel_path: str, kind: str, record_id: str, line_offset: int = 0
) -> tuple[Record | None, list[Problem]]:
    """Parse one YAML document keeping marks; duplicate keys are problems, and so is every
    character, construct or size that content does not allow."""
    problems = character_problems(text, rel_path, True, line_offset=line_offset)
    if any(p.is_error for p in problems):
        return None, problems
    record, found = _parse_yaml(text, rel_path, kind, record_id, line_offset)
    return record, problems + found


def _parse_yaml(
    text: str, rel_path: str, kind: str, record_id: str, line_offset: int
) -> tuple[Record | None, list[Problem]]:
    loader = _Loader(text)
    composer = _Composer(text, rel_path, line_offset)
    try:
        composer.run(loader.get_event)
    except _Refused as refused:
        return None, [*composer.problems, refused.problem]
    except yaml.MarkedYAMLError as exc:
        return None, [_syntax_problem(exc, rel_path, line_offset)]
    except yaml.reader.ReaderError as exc:
        return None, [_reader_problem(exc, text, rel_path, line_offset)]
    except yaml.YAMLError as exc:
        return None, [Problem(Location(rel_path, 1 + line_offset, 1), f"malformed YAML: {exc}")]
    finally:
        loader.dispose()
    if composer.escaped_characters:
        return None, composer.problems
    record = Record(kind, record_id, rel_path, composer.root, composer.positions)
    return record, composer.problems


def _syntax_problem(exc: yaml.MarkedYAMLError, rel_path: str, line_offset: int) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    line = (mark.line + 1 + line_offset) if mark else 1
    col = (mark.column + 1) if mark else 1
    what = exc.problem or "malformed YAML"
    if exc.context:
        what = f"{exc.context}: {what}" if "found" in what else f"{what} ({exc.context})"
    return Problem(Location(rel_path, line, col), f"malformed YAML: {what}", _yaml_hint(what))


def _reader_problem(
    exc: yaml.reader.ReaderError, text: str, rel_path: str, line_offset: int
) -> Problem:
    """libyaml's reader errors carry a position (in bytes of UTF-8), not a line."""
    offset = exc.position
    if _READER_POSITIONS_IN_BYTES:
        offset = len(text.encode("utf-8")[:offset].decode("utf-8", "ignore"))
    line = text.count("\n", 0, offset) + 1 + line_offset
    col = offset - text.rfind("\n", 0, offset)
    char = chr(exc.character) if isinstance(exc.character, int) else ""
    message = _describe(char) if char else f"malformed YAML: {exc.reason}"
    return Problem(Location(rel_path, line, col), message, _char_hint(char) if char else "")


class _Refused(Exception):
    """A construct or a size that content does not allow: the file is not read further."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


_ESCAPED = "written as an escape: "
"""Begins the message for a character that arrives through a `\\` escape."""

class _Frame:
    """An open list or mapping while its events arrive."""

    __slots__ = ("container", "discard", "is_map", "key_path", "key_position", "path", "seen")

    def __init__(self, container: Any, path: JsonPath, is_map: bool) -> None:
        self.container = container
        self.path = path
        self.is_map = is_map
        self.key_path: JsonPath | None = None
        """The path of the value that comes next; None while a key is expected."""
        self.key_position = 0
        self.discard = False
        """The next value is not kept (its key was repeated, too long or not text)."""
        self.seen: dict[str, int] = {}
        """Keys written so far, with their positions."""


_ScalarEvent = yaml.ScalarEvent
_MappingStart = yaml.MappingStartEvent
_SequenceStart = yaml.SequenceStartEvent
_Ends = (yaml.MappingEndEvent, yaml.SequenceEndEvent)


class _Composer:
    """YAML events -> plain data and its line map. Refuses anchors, aliases and tags, a
    second document, nesting deeper than MAX_DEPTH, more than MAX_NODES values and more than
    MAX_KEYS keys in a mapping, each as soon as its event arrives."""

    def __init__(self, text: str, rel_path: str, line_offset: int) -> None:
        self.text = text
        self.rel_path = rel_path
        self.first_line = 1 + line_offset
        self.root: Any = None
        self.positions: dict[JsonPath, int] = {}
        self.problems: list[Problem] = []
        self.escaped_characters = False
        """Whether an escape produced a character that is not allowed."""

    def at(self, mark: Any) -> Location:
        return Location(self.rel_path, mark.line + self.first_line, mark.column + 1)

    def run(self, next_event: Any) -> None:
        stack: list[_Frame] = []
        frame: _Frame | None = None
        positions = self.positions
        first_line = self.first_line
        nodes = 0
        documents = 0
        skip = 0  # > 0 inside a list or mapping that is not kept
        while True:
            event = next_event()
            if event is None:
                return
            cls = type(event)
            if cls is _ScalarEvent or cls is _MappingStart or cls is _SequenceStart:
                nodes += 1
                is_collection = cls is not _ScalarEvent
                if (event.anchor is not None or event.tag is not None or nodes > MAX_NODES
                        or (is_collection and len(stack) + skip >= MAX_DEPTH)):
                    self.refuse(event, nodes)
                if skip:
                    skip += is_collection
                    continue
                mark = event.start_mark
                position = (mark.line + first_line) << POSITION_BITS | (mark.column + 1)
                if frame is not None and frame.is_map and frame.key_path is None:
                    if is_collection:
                        self.problems.append(Problem(self.at(mark), "a key must be plain text",
                                                     "Write keys as `name: value`."))
                        self.take_key(frame, f"<complex key at line {mark.line + first_line}>",
                                      event, position)
                        skip = 1
                    else:
                        self.take_key(frame, event.value, event, position)
                    continue
                if frame is None:
                    path: JsonPath = ()
                    self.root = value = {} if cls is _MappingStart else [] if is_collection else (
                        self.scalar(event))
                    positions[path] = position
                elif frame.is_map:
                    path = frame.key_path  # type: ignore[assignment]
                    frame.key_path = None
                    if frame.discard:
                        frame.discard = False
                        skip = is_collection
                        continue
                    value = {} if cls is _MappingStart else [] if is_collection else (
                        self.scalar(event))
                    frame.container[path[-1]] = value
                    positions[path] = frame.key_position << KEY_SHIFT | position
                else:
                    path = (*frame.path, len(frame.container))
                    value = {} if cls is _MappingStart else [] if is_collection else (
                        self.scalar(event))
                    frame.container.append(value)
                    positions[path] = position
                if is_collection:
                    frame = _Frame(value, path, cls is _MappingStart)
                    stack.append(frame)
            elif cls in _Ends:
                if skip:
                    skip -= 1
                else:
                    stack.pop()
                    frame = stack[-1] if stack else None
            elif cls is yaml.AliasEvent:
                self.refuse(event, nodes)
            elif cls is yaml.DocumentStartEvent:
                documents += 1
                if documents > 1:
                    raise _Refused(Problem(
                        self.at(event.start_mark),
                        "a second YAML document: a file holds one",
                        "Remove this `---` line (or move what follows into a file of its own).",
                    ))

    def refuse(self, event: Any, nodes: int) -> None:
        where = self.at(event.start_mark)
        hint = ("Write the value out in full: content does not use YAML anchors (&name), "
                "aliases (*name), merge keys (<<) or tags (!name).")
        if isinstance(event, yaml.AliasEvent):
            raise _Refused(Problem(where, f"a YAML alias (*{_short(str(event.anchor))}) is not "
                                   "allowed in content", hint))
        if event.anchor is not None:
            raise _Refused(Problem(where, f"a YAML anchor (&{_short(event.anchor)}) is not "
                                   "allowed in content", hint))
        if event.tag is not None:
            tag = str(event.tag)
            if tag.startswith("tag:yaml.org,2002:"):
                tag = "!!" + tag.removeprefix("tag:yaml.org,2002:")
            raise _Refused(Problem(where, f"a YAML tag ({_short(tag)}) is not allowed in "
                                   "content", "Remove it: a value is text, true, false or "
                                   "empty, and the schema says which each key needs."))
        if nodes > MAX_NODES:
            raise _Refused(Problem(where, f"more than {MAX_NODES:,} values in one file",
                                   "Split the entry into several files (see the limits in "
                                   "docs/format.md)."))
        raise _Refused(Problem(where, f"lists and mappings nested more than {MAX_DEPTH} deep",
                               "The format nests 4 levels at most (docs/format.md): look for "
                               "a run of `[`, `{` or `-`."))

    def take_key(self, frame: _Frame, key: str, event: Any, position: int) -> None:
        frame.key_path = ()
        frame.discard = True
        if len(frame.seen) >= MAX_KEYS:
            raise _Refused(Problem(_location(self.rel_path, position),
                                   f"more than {MAX_KEYS:,} keys in one mapping",
                                   "No mapping of the format has more than 12 keys "
                                   "(docs/format.md)."))
        if len(key) > MAX_KEY_CHARS:
            self.problems.append(Problem(_location(self.rel_path, position),
                                         f"a key of {len(key):,} characters; the limit is "
                                         f"{MAX_KEY_CHARS}", "Keys are short names such as "
                                         "`claim` or `quote`: is a colon missing, or a value "
                                         "written where a key belongs?"))
            return
        if type(event) is _ScalarEvent and event.style == '"':
            self.check_escapes(event, key)
        first = frame.seen.get(key)
        if first is not None:
            self.problems.append(
                Problem(
                    _location(self.rel_path, position),
                    f"duplicate key {key!r} (first written at line {first >> POSITION_BITS})",
                    "YAML keeps only the last one: remove one of them or merge them.",
                )
            )
            return
        key = sys.intern(key)
        frame.seen[key] = position
        frame.key_path = (*frame.path, key)
        frame.key_position = position
        frame.discard = False

    def scalar(self, event: Any) -> Any:
        if event.style == '"':
            self.check_escapes(event, event.value)
        return scalar(event)

    def check_escapes(self, event: Any, value: str) -> None:
        """Characters that arrive through `\\` escapes of a double-quoted scalar are located
        at the scalar; those written as they are were located by `character_problems`. In a
        value a carriage return is never allowed (YAML turns written line ends into `\\n`)."""
        raw: str | None = None
        for match in _SCAN.finditer(value):
            char = match.group()
            verdict = _judge(char, value, match.start(), False)
            if char == "\r" or verdict is _Char.NOT_ALLOWED:
                self.problems.append(Problem(self.at(event.start_mark),
                                             _ESCAPED + _describe(char, escaped=True),
                                             _char_hint(char, escaped=True)))
                self.escaped_characters = True
                return
            if verdict is _Char.BIDI:
                if raw is None:
                    raw = self.text[event.start_mark.index : event.end_mark.index]
                if char in raw or (char in DIRECTION_MARKS and _has_rtl(value)):
                    continue
                self.problems.append(warning(self.at(event.start_mark),
                                             _ESCAPED + _describe_bidi(char), _BIDI_HINT))
                return


def _short(text: str, width: int = 40) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


_NULLS = {"", "~", "null", "Null", "NULL"}
_BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}


def scalar(node: Any) -> Any:
    """Plain scalars: only true/false are booleans and only null/~/empty is null; the
    rest is text (`no`, `on`, `1e3`, `2021-08` stay as written). Quoted scalars are text."""
    value = node.value
    if node.style:
        return value
    if value in _NULLS:
        return None
    if value in _BOOLS:
        return _BOOLS[value]
    return value


def _yaml_hint(what: str) -> str:
    if "mapping values are not allowed" in what:
        return (
            "A value that contains `: ` must be quoted; wrap it in double quotes, "
            "or use `>-` and put the text on the next lines."
        )
    if "found character '\\t'" in what or "tab" in what:
        return "Indent with spaces, not tabs."
    if "could not find expected ':'" in what:
        return "Each line of a mapping needs `key: value`; check the line above for a missing colon."
    if "did not find expected key" in what or "expected <block end>" in what:
        return "Check the indentation: items of one mapping must line up."
    if "invalid Unicode character escape code" in what:
        return "A `\\u` escape names no character (a surrogate half?): write the character itself."
    if "found unexpected end of stream" in what or "while scanning a quoted scalar" in what:
        return "A quoted value is not closed: add the closing quote."
    return "Check the YAML syntax near this line (indentation, colons and quotes)."
