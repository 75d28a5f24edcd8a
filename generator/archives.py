"""An archived copy's address -> Archive (service, timestamp, original) or ArchiveProblem."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import Enum
from typing import Any
from urllib.parse import urlsplit

from generator.errors import Location, Problem, Severity

WAYBACK_HOSTS = frozenset({"web.archive.org", "wayback.archive.org"})
"""Hosts of the Internet Archive's Wayback Machine."""

ARCHIVE_TODAY_HOSTS = frozenset(
    {"archive.today", "archive.ph", "archive.is", "archive.li", "archive.vn", "archive.fo",
     "archive.md"}
)
"""The domains of archive.today, which serve the same copies under each name."""

WAYBACK_FIRST_YEAR = 1996
"""The year of the Wayback Machine's first captures: an earlier timestamp is impossible."""

WAYBACK_TIMESTAMP_RE = re.compile(r"^(?P<digits>\d+)(?P<flag>[a-z]{2}_)?$")
"""A Wayback timestamp, `YYYYMMDDhhmmss`, optionally followed by a view flag such as `id_`
(the page as archived, without the Wayback banner) or `if_`."""

ARCHIVE_TODAY_ID_RE = re.compile(r"^[A-Za-z0-9]{4,8}$")
"""The short id of an archive.today copy, as in https://archive.ph/AbC12."""

ARCHIVE_TODAY_STAMP_RE = re.compile(r"^(\d{4})\.(\d{2})\.(\d{2})-(\d{2})(\d{2})(\d{2})$")
"""archive.today's timestamp form: https://archive.ph/2099.08.19-101010/<original>."""

ARCHIVE_TODAY_PARTIAL_RE = re.compile(r"^\d{4}(?:\.\d{2}(?:\.\d{2}(?:-\d{0,6})?)?)?$")
"""A date-like first segment that is not a full timestamp: it asks for a list of copies."""

ARCHIVE_TODAY_PAGES = frozenset({"submit", "faq", "about", "donate", "wip", "o"})
"""archive.today's own pages (its save form, its help), which look like short ids."""

ARCHIVE_TODAY_LISTS = frozenset({"newest", "oldest", "search", "timegate", "timemap", ""})
"""First path segments of archive.today addresses that look copies up instead of naming one."""

LOCAL_OFFSETS = (timedelta(hours=-12), timedelta(hours=14))
"""The earliest and latest time zones: a copy made at one UTC instant was made on one of the
local dates within this range, and an entry's `date` may be any of them."""

DATE_RE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


class Service(Enum):
    WAYBACK = "wayback"
    """The Internet Archive's Wayback Machine (web.archive.org)."""
    ARCHIVE_TODAY = "archive-today"
    """archive.today and its other domains (archive.ph, archive.is, ...)."""
    OTHER = "other"
    """Any other archive: the address is accepted as it is."""


class Kind(Enum):
    """What is wrong with an `archived:` entry."""

    NO_TIMESTAMP = "no-timestamp"
    """A Wayback address without `/web/<timestamp>/`."""
    PARTIAL_TIMESTAMP = "partial-timestamp"
    """A timestamp with less than a full date and time: it asks for the nearest copy."""
    IMPOSSIBLE_TIMESTAMP = "impossible-timestamp"
    """A timestamp that is not a calendar date and time (or predates the archive)."""
    SEARCH = "search"
    """A wildcard, a list or a search of the archive's copies, not one copy."""
    NO_ORIGINAL = "no-original"
    """A Wayback timestamp that is followed by no archived address."""
    NOT_A_CAPTURE = "not-a-capture"
    """An address on an archive's domain that names no copy (its home page, its save form)."""
    DATE_DISAGREES = "date-disagrees"
    """The entry's `date` is not a date on which the copy's timestamp can fall."""
    OTHER_ORIGINAL = "other-original"
    """The copy archives another address than the article's `url`."""
    ORIGINAL_NOT_RECORDED = "original-not-recorded"
    """The copy names the address it archives, and the article has no `url` (advice)."""
    SAME_AS_ORIGINAL = "same-as-original"
    """The entry's address is the article's own `url`, not a copy of it."""


ADVICE = frozenset({Kind.ORIGINAL_NOT_RECORDED})
"""Kinds that are warnings: the editor may have a reason."""


@dataclass(frozen=True, slots=True)
class Archive:
    url: str
    """The copy's address, as written."""
    service: Service
    timestamp: datetime | None
    """When the copy was made (UTC), when the address carries it."""
    original: str | None
    """The address that was archived, when the copy's address carries it."""
    id: str | None = None
    """archive.today's short id, for addresses of that form."""


@dataclass(frozen=True, slots=True)
class ArchiveProblem:
    kind: Kind
    url: str
    """The entry's address."""
    found: str | None = None
    """The part at fault: the timestamp, the archived address, or the entry's date."""
    expected: str | None = None
    """What it should agree with: the copy's date (YYYY-MM-DD, UTC) or the article's url."""
    timestamp: datetime | None = None
    """The copy's timestamp, for DATE_DISAGREES."""


def parse_archive(url: str) -> Archive | ArchiveProblem:
    """What an archived copy's address says: its service, timestamp and original address,
    or the problem that makes it no copy's address."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().removeprefix("www.")
    rest = url.split("#", 1)[0]
    start = rest.find(parts.netloc) + len(parts.netloc) if parts.netloc else len(rest)
    tail = rest[start:]
    if host in WAYBACK_HOSTS:
        return _wayback(url, tail)
    if host in ARCHIVE_TODAY_HOSTS:
        return _archive_today(url, tail)
    return Archive(url, Service.OTHER, None, None)


def _wayback(url: str, tail: str) -> Archive | ArchiveProblem:
    match = re.match(r"^/web/([^/]*)(?:/(.*))?$", tail)
    if not match:
        return ArchiveProblem(Kind.NO_TIMESTAMP, url)
    stamp, original = match.group(1), match.group(2) or ""
    if "*" in stamp or "*" in original:
        return ArchiveProblem(Kind.SEARCH, url, stamp if "*" in stamp else original)
    parsed = WAYBACK_TIMESTAMP_RE.match(stamp)
    if not parsed:
        return ArchiveProblem(Kind.NO_TIMESTAMP, url, stamp or None)
    digits = parsed.group("digits")
    if len(digits) < 14:
        return ArchiveProblem(Kind.PARTIAL_TIMESTAMP, url, digits)
    when = _instant(digits) if len(digits) == 14 else None
    if when is None or when.year < WAYBACK_FIRST_YEAR:
        return ArchiveProblem(Kind.IMPOSSIBLE_TIMESTAMP, url, digits)
    if not original:
        return ArchiveProblem(Kind.NO_ORIGINAL, url, digits)
    return Archive(url, Service.WAYBACK, when, original)


def _archive_today(url: str, tail: str) -> Archive | ArchiveProblem:
    path, _, query = tail.partition("?")
    if query:
        return ArchiveProblem(Kind.SEARCH, url, "?" + query)
    segments = path.lstrip("/").split("/", 1)
    first = segments[0]
    after = segments[1] if len(segments) > 1 else ""
    if "*" in path:
        return ArchiveProblem(Kind.SEARCH, url, path.lstrip("/"))
    stamp = ARCHIVE_TODAY_STAMP_RE.match(first)
    if stamp:
        when = _instant("".join(stamp.groups()))
        if when is None:
            return ArchiveProblem(Kind.IMPOSSIBLE_TIMESTAMP, url, first)
        if not after:
            return ArchiveProblem(Kind.NO_ORIGINAL, url, first)
        return Archive(url, Service.ARCHIVE_TODAY, when, after)
    if ARCHIVE_TODAY_PARTIAL_RE.match(first):
        return ArchiveProblem(Kind.PARTIAL_TIMESTAMP, url, first)
    if first in ("wip", "o") and after:
        copy_id, _, original = after.partition("/")
        if ARCHIVE_TODAY_ID_RE.match(copy_id):
            return Archive(url, Service.ARCHIVE_TODAY, None, original or None, copy_id)
    is_page = first.lower() in ARCHIVE_TODAY_PAGES
    if ARCHIVE_TODAY_ID_RE.match(first) and not is_page and not after.strip("/"):
        return Archive(url, Service.ARCHIVE_TODAY, None, None, first)
    if first.lower() in ARCHIVE_TODAY_LISTS and first:
        return ArchiveProblem(Kind.SEARCH, url, first)
    if "." in first or first.startswith("http") or ":" in first:
        return ArchiveProblem(Kind.SEARCH, url, path.lstrip("/"))
    return ArchiveProblem(Kind.NOT_A_CAPTURE, url, path or None)


def _instant(digits: str) -> datetime | None:
    """`YYYYMMDDhhmmss` -> that UTC instant, or None if it is no calendar date and time."""
    try:
        return datetime(
            int(digits[0:4]), int(digits[4:6]), int(digits[6:8]),
            int(digits[8:10]), int(digits[10:12]), int(digits[12:14]), tzinfo=UTC,
        )
    except ValueError:
        return None


def comparable(url: str) -> str:
    """An address as compared with another: without its scheme, `www.`, fragment and
    trailing slash, with its host in lower case."""
    url = url.split("#", 1)[0]
    url = re.sub(r"^[A-Za-z][A-Za-z0-9+.-]*:/*", "", url.strip())
    address, mark, query = url.partition("?")
    host, _, path = address.partition("/")
    host = host.lower().removeprefix("www.")
    host = re.sub(r":(80|443)$", "", host)
    path = path.rstrip("/")
    return host + ("/" + path if path else "") + mark + query


def local_dates(when: datetime) -> tuple[str, ...]:
    """The dates (YYYY-MM-DD) that the instant `when` falls on in some time zone."""
    first = (when + LOCAL_OFFSETS[0]).date()
    last = (when + LOCAL_OFFSETS[1]).date()
    days = []
    day = first
    while day <= last:
        days.append(day.isoformat())
        day += timedelta(days=1)
    return tuple(days)


def check_entry(url: str, made: str | None, article_url: str | None) -> tuple[ArchiveProblem, ...]:
    """Every problem of one `archived:` entry: its address (`url`), the date the copy was
    made (`made`, YYYY[-MM[-DD]], if valid) and the article's own address."""
    parsed = parse_archive(url)
    if isinstance(parsed, ArchiveProblem):
        return (parsed,)
    found: list[ArchiveProblem] = []
    own = article_url is not None and comparable(url) == comparable(article_url)
    if parsed.service is Service.OTHER and own:
        return (ArchiveProblem(Kind.SAME_AS_ORIGINAL, url, url, article_url),)
    when = parsed.timestamp
    if when is not None and made is not None and DATE_RE.match(made) and not any(
        day.startswith(made) for day in local_dates(when)
    ):
        found.append(
            ArchiveProblem(Kind.DATE_DISAGREES, url, made, when.date().isoformat(), when)
        )
    if parsed.original is not None:
        if article_url is None:
            found.append(ArchiveProblem(Kind.ORIGINAL_NOT_RECORDED, url, parsed.original))
        elif comparable(parsed.original) != comparable(article_url):
            found.append(ArchiveProblem(Kind.OTHER_ORIGINAL, url, parsed.original, article_url))
    return tuple(found)


def archived_problems(
    archived: Any, article_url: Any, where: Callable[[tuple[str | int, ...]], Location]
) -> list[Problem]:
    """Problems of an article's `archived:` list, each at the key it is about. `where` gives
    the location of a path in the article's front matter (Record.where). Entries whose shape
    is wrong are left to the schema."""
    if not isinstance(archived, Sequence) or isinstance(archived, str):
        return []
    own = article_url if isinstance(article_url, str) else None
    problems: list[Problem] = []
    for i, entry in enumerate(archived):
        if not isinstance(entry, dict) or not isinstance(entry.get("url"), str):
            continue
        made = entry.get("date")
        made_text = made if isinstance(made, str) else None
        for problem in check_entry(entry["url"], made_text, own):
            key = "date" if problem.kind is Kind.DATE_DISAGREES else "url"
            message, hint = describe(problem)
            severity = Severity.WARNING if problem.kind in ADVICE else Severity.ERROR
            problems.append(Problem(where(("archived", i, key)), f"archived[{i}].{key}: {message}",
                                    hint, severity))
    return problems


WAYBACK_FORM = "https://web.archive.org/web/YYYYMMDDhhmmss/ followed by the article's address"
ARCHIVE_TODAY_FORM = "https://archive.ph/ and a short id, e.g. https://archive.ph/AbC12"


def describe(problem: ArchiveProblem) -> tuple[str, str]:
    """(message, hint) for `check`: what is wrong with the entry, and how to fix it."""
    kind, found, expected = problem.kind, problem.found, problem.expected
    copy_hint = (
        "Open the copy itself and copy the address from the browser's address bar: for the "
        f"Wayback Machine it reads {WAYBACK_FORM}; for archive.today, {ARCHIVE_TODAY_FORM}."
    )
    hint = copy_hint
    if kind is Kind.NO_TIMESTAMP:
        message = "a Wayback Machine address without the timestamp of a copy"
    elif kind is Kind.PARTIAL_TIMESTAMP:
        message = (f"the timestamp {found} is not a whole date and time, so the address names "
                   "no single copy (the archive picks the nearest one)")
    elif kind is Kind.IMPOSSIBLE_TIMESTAMP:
        message = f"the timestamp {found} is not a possible date and time"
        hint = ("Check the digits: YYYYMMDDhhmmss for the Wayback Machine, YYYY.MM.DD-hhmmss "
                "for archive.today. " + copy_hint)
    elif kind is Kind.SEARCH:
        message = "a search or a list of the archive's copies, not one archived copy"
        hint = "Pick the copy you mean from the list. " + copy_hint
    elif kind is Kind.NO_ORIGINAL:
        message = f"the timestamp {found} is not followed by the archived address"
    elif kind is Kind.NOT_A_CAPTURE:
        message = "an address of the archive that names no archived copy"
    elif kind is Kind.DATE_DISAGREES:
        when = problem.timestamp.strftime("%Y-%m-%d %H:%M:%S") if problem.timestamp else expected
        message = f"{found}, but the copy's timestamp is {when} UTC"
        hint = f"Write the date the copy was made, from its timestamp: {expected}."
    elif kind is Kind.OTHER_ORIGINAL:
        message = f"the copy archives {found}, not the article's url {expected}"
        hint = ("Archive the article's own address, or correct `url:` if the copy's address is "
                "the right one (an address that redirects is archived under the address typed).")
    elif kind is Kind.ORIGINAL_NOT_RECORDED:
        message = f"the copy archives {found}, and the article has no url"
        hint = "If that is the article's own address, add it as `url:`."
    elif kind is Kind.SAME_AS_ORIGINAL:
        message = "this is the article's own address, not an archived copy of it"
        hint = ("Make a copy in the Wayback Machine or archive.today and write the copy's "
                "address here (see docs/editing.md).")
    else:
        raise AssertionError(kind)
    return message, hint
