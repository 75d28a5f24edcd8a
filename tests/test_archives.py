"""archives: what an archived copy's address says, and the problems `check` reports of an
article's `archived:` entries."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from generator import archives
from generator.archives import Archive, ArchiveProblem, Kind, Service
from generator.errors import Location, Severity

ARTICLE = "https://www.example.org/world/2099/03/14/monitors-doubt-attacks/"


@pytest.mark.parametrize(
    ("url", "when", "original"),
    [
        ("https://web.archive.org/web/20990314101010/https://www.example.org/world/a/",
         datetime(2099, 3, 14, 10, 10, 10, tzinfo=UTC), "https://www.example.org/world/a/"),
        ("https://web.archive.org/web/20990314101010id_/https://example.org/a?page=2",
         datetime(2099, 3, 14, 10, 10, 10, tzinfo=UTC), "https://example.org/a?page=2"),
        ("http://web.archive.org/web/20240229235959if_/http://example.org/",
         datetime(2024, 2, 29, 23, 59, 59, tzinfo=UTC), "http://example.org/"),
        ("https://web.archive.org/web/19961231000000/example.org",
         datetime(1996, 12, 31, tzinfo=UTC), "example.org"),
    ],
)
def test_wayback_copies(url: str, when: datetime, original: str) -> None:
    assert archives.parse_archive(url) == Archive(url, Service.WAYBACK, when, original)


@pytest.mark.parametrize(
    ("url", "found"),
    [
        ("https://archive.ph/AbC12", Archive("https://archive.ph/AbC12", Service.ARCHIVE_TODAY,
                                              None, None, "AbC12")),
        ("https://archive.is/wIPfd/", Archive("https://archive.is/wIPfd/", Service.ARCHIVE_TODAY,
                                               None, None, "wIPfd")),
        ("https://archive.today/wip/Zz9yX", Archive("https://archive.today/wip/Zz9yX",
                                                    Service.ARCHIVE_TODAY, None, None, "Zz9yX")),
        ("https://archive.md/2099.03.14-101010/https://example.org/a",
         Archive("https://archive.md/2099.03.14-101010/https://example.org/a",
                 Service.ARCHIVE_TODAY, datetime(2099, 3, 14, 10, 10, 10, tzinfo=UTC),
                 "https://example.org/a")),
        ("https://perma.example/ABCD-1234", Archive("https://perma.example/ABCD-1234",
                                                    Service.OTHER, None, None)),
    ],
)
def test_archive_today_and_others(url: str, found: Archive) -> None:
    assert archives.parse_archive(url) == found


@pytest.mark.parametrize(
    ("url", "kind", "found"),
    [
        ("https://web.archive.org/https://example.org/a", Kind.NO_TIMESTAMP, None),
        ("https://web.archive.org/web/https://example.org/a", Kind.NO_TIMESTAMP, "https:"),
        ("https://web.archive.org/web/", Kind.NO_TIMESTAMP, None),
        ("https://web.archive.org/save/https://example.org/a", Kind.NO_TIMESTAMP, None),
        ("https://web.archive.org/web/2099/https://example.org/a", Kind.PARTIAL_TIMESTAMP, "2099"),
        ("https://web.archive.org/web/20990230101010/https://example.org/a",
         Kind.IMPOSSIBLE_TIMESTAMP, "20990230101010"),
        ("https://web.archive.org/web/20990314256010/https://example.org/a",
         Kind.IMPOSSIBLE_TIMESTAMP, "20990314256010"),
        ("https://web.archive.org/web/19950101000000/https://example.org/a",
         Kind.IMPOSSIBLE_TIMESTAMP, "19950101000000"),
        ("https://web.archive.org/web/209903141010101/https://example.org/a",
         Kind.IMPOSSIBLE_TIMESTAMP, "209903141010101"),
        ("https://web.archive.org/web/*/https://example.org/a", Kind.SEARCH, "*"),
        ("https://web.archive.org/web/2099*/example.org/a*", Kind.SEARCH, "2099*"),
        ("https://web.archive.org/web/20990314101010/", Kind.NO_ORIGINAL, "20990314101010"),
        ("https://archive.ph/", Kind.NOT_A_CAPTURE, "/"),
        ("https://archive.ph/submit/", Kind.NOT_A_CAPTURE, "/submit/"),
        ("https://archive.ph/newest/https://example.org/a", Kind.SEARCH, "newest"),
        ("https://archive.ph/https://example.org/a", Kind.SEARCH, "https://example.org/a"),
        ("https://archive.ph/example.org", Kind.SEARCH, "example.org"),
        ("https://archive.ph/?run=1&url=https://example.org/a", Kind.SEARCH,
         "?run=1&url=https://example.org/a"),
        ("https://archive.ph/2099.03.14/https://example.org/a", Kind.PARTIAL_TIMESTAMP,
         "2099.03.14"),
        ("https://archive.ph/2099.13.14-101010/https://example.org/a", Kind.IMPOSSIBLE_TIMESTAMP,
         "2099.13.14-101010"),
    ],
)
def test_addresses_that_name_no_copy(url: str, kind: Kind, found: str | None) -> None:
    assert archives.parse_archive(url) == ArchiveProblem(kind, url, found)


@pytest.mark.parametrize(
    ("original", "same"),
    [
        ("https://www.example.org/world/2099/03/14/monitors-doubt-attacks/", True),
        ("http://example.org/world/2099/03/14/monitors-doubt-attacks", True),
        ("https://EXAMPLE.org/world/2099/03/14/monitors-doubt-attacks/#comments", True),
        ("https://example.org:443/world/2099/03/14/monitors-doubt-attacks/", True),
        ("example.org/world/2099/03/14/monitors-doubt-attacks", True),
        ("https://example.org/world/2099/03/14/monitors-doubt-attacks/?amp=1", False),
        ("https://example.org/world/2099/03/14/Monitors-doubt-attacks/", False),
        ("https://example.com/world/2099/03/14/monitors-doubt-attacks/", False),
    ],
)
def test_comparable_addresses(original: str, same: bool) -> None:
    assert (archives.comparable(original) == archives.comparable(ARTICLE)) is same


def test_entry_agrees_with_the_article() -> None:
    url = ("https://web.archive.org/web/20990315013000/"
           "https://example.org/world/2099/03/14/monitors-doubt-attacks")
    assert archives.check_entry(url, "2099-03-15", ARTICLE) == ()
    # 01:30 UTC is still the 14th west of UTC: the editor's local date is accepted
    assert archives.check_entry(url, "2099-03-14", ARTICLE) == ()
    assert archives.check_entry(url, "2099-03", ARTICLE) == ()
    assert archives.check_entry("https://archive.ph/AbC12", "2099-03-15", ARTICLE) == ()


def test_entry_problems() -> None:
    url = "https://web.archive.org/web/20990315013000/https://example.org/world/other-story/"
    when = datetime(2099, 3, 15, 1, 30, tzinfo=UTC)
    assert archives.check_entry(url, "2099-03-17", ARTICLE) == (
        ArchiveProblem(Kind.DATE_DISAGREES, url, "2099-03-17", "2099-03-15", when),
        ArchiveProblem(Kind.OTHER_ORIGINAL, url, "https://example.org/world/other-story/", ARTICLE),
    )
    assert archives.check_entry(url, "2099-04", ARTICLE)[0].kind is Kind.DATE_DISAGREES
    assert archives.check_entry(url, "2099-03-15", None) == (
        ArchiveProblem(Kind.ORIGINAL_NOT_RECORDED, url, "https://example.org/world/other-story/"),
    )
    assert archives.check_entry(ARTICLE, "2099-03-15", ARTICLE) == (
        ArchiveProblem(Kind.SAME_AS_ORIGINAL, ARTICLE, ARTICLE, ARTICLE),
    )


def test_every_kind_has_a_message() -> None:
    for kind in Kind:
        message, hint = archives.describe(ArchiveProblem(kind, "https://x.example/", "f", "e"))
        assert message and hint


def where(path: tuple[str | int, ...]) -> Location:
    """A stand-in for Record.where: one line per entry, the date on the line after its url."""
    _, i, key = path
    assert isinstance(i, int)
    return Location("content/articles/x/y.txt", 10 + 2 * i + (key == "date"), 5)


def test_archived_problems_are_located_and_worded() -> None:
    archived = [
        {"url": "https://archive.ph/AbC12", "date": "2099-03-15"},
        {"url": "https://web.archive.org/web/*/https://example.org/a", "date": "2099-03-15"},
        {"url": "https://web.archive.org/web/20990315013000/" + ARTICLE, "date": "2099-03-20"},
        {"url": 7},
    ]
    found = archives.archived_problems(archived, ARTICLE, where)
    assert [p.format().splitlines()[0] for p in found] == [
        ("content/articles/x/y.txt:12:5: archived[1].url: a search or a list of the archive's "
        "copies, not one archived copy"),
        ("content/articles/x/y.txt:15:5: archived[2].date: 2099-03-20, but the copy's timestamp "
        "is 2099-03-15 01:30:00 UTC"),
    ]
    assert found[1].hint == "Write the date the copy was made, from its timestamp: 2099-03-15."
    assert all(p.severity is Severity.ERROR for p in found)


def test_an_unrecorded_original_is_advice() -> None:
    copy = "https://web.archive.org/web/20990315013000/" + ARTICLE
    archived = [{"url": copy, "date": "2099-03-15"}]
    (problem,) = archives.archived_problems(archived, None, where)
    assert problem.severity is Severity.WARNING
    assert problem.message == (
        f"archived[0].url: the copy archives {ARTICLE}, and the article has no url")
    assert archives.archived_problems("not a list", None, where) == []


def test_check_reports_an_archived_copy_that_disagrees(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    """Through the command line: validate calls the archive rules on every article."""
    from conftest import RENDERING, copy_tree, replace_in

    from generator import cli

    content = copy_tree(RENDERING, tmp_path, lambda c: replace_in(
        c / "articles" / "redstate" / "thanks-joe.txt", "date: 2022\n",
        "date: 2022\narchived:\n  - url: https://web.archive.org/web/20220615120000/"
        "https://redstate.example/thanks-joe\n    date: 2022-06-20\n"))
    assert cli.main(["check", str(content)]) == 1
    first = capsys.readouterr().err.splitlines()[0]
    assert first == ("content/articles/redstate/thanks-joe.txt:7:11: archived[0].date: 2022-06-20, "
                     "but the copy's timestamp is 2022-06-15 12:00:00 UTC")
