"""Capturing an article from a saved page: `new article --from page.html` through the CLI,
on saved pages in tests/fixtures/pages/, then `check` on the content tree it wrote."""

from __future__ import annotations

import hashlib
import io
import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from generator import capture, cli, load
from generator.capture import Origin, PageKind, Reason

MINIMAL = Path(__file__).parent / "trees" / "minimal" / "content"
PAGES = Path(__file__).parent / "fixtures" / "pages"
EPOCH = "4078080000"
"""SOURCE_DATE_EPOCH for the tests: 2099-03-25 (UTC)."""
TODAY = "2099-03-25"


@pytest.fixture
def content(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    shutil.copytree(MINIMAL, tmp_path / "project" / "content")
    return tmp_path / "project" / "content"


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = cli.main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def new_article(content: Path, source: Path | str, slug: str,
                capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str, str]:
    return run(["new", "article", f"daily-example/{slug}", "--from", str(source),
                "--content", str(content), *extra], capsys)


def written(content: Path, slug: str) -> tuple[dict[str, Any], str, bytes]:
    """(front matter as the loader reads it, the text after it, the file's bytes)."""
    path = content / "articles" / "daily-example" / f"{slug}.txt"
    data = path.read_bytes()
    record, problems = load.parse_article(data.decode("utf-8"), "x.txt", f"daily-example/{slug}")
    assert record is not None and problems == []
    return record.data, record.text, data


def checked(content: Path, capsys: pytest.CaptureFixture[str]) -> str:
    code, out, err = run(["check", str(content)], capsys)
    assert (code, err) == (0, ""), err
    return out


def captured(page: str, content: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    """Capture `page`, check the tree, and compare the written text with the extraction;
    the front matter, without the sha256 (compared here) and the capture's date and file."""
    source = PAGES / page
    slug = source.stem
    code, out, err = new_article(content, source, slug, capsys)
    assert (code, err) == (0, ""), err
    assert out.splitlines()[0] == f"wrote content/articles/daily-example/{slug}.txt"
    data, text, _ = written(content, slug)
    found = capture.capture_page(source.read_bytes())
    assert isinstance(found, capture.Capture)
    assert text == found.text
    assert data.pop("sha256") == hashlib.sha256(source.read_bytes()).hexdigest()
    assert data.pop("captured") == TODAY
    assert data.pop("capture_from") == page
    assert checked(content, capsys).startswith("ok: 1 claims, 1 appearances anchored, 2 articles")
    return data


NEWS_TEXT = """\
Monitors doubt attacks before 2100

The monitoring team said on Friday that neither group “is believed to be capable of mounting \
international attacks before 2100 at the earliest,” a finding that contradicts several recent \
warnings from officials.

Its fifth report, sent to the council last month and published this week, rests on information \
from member states and on interviews with the team’s own sources in the region. It says the \
groups’ leaders “remain in close contact” but that neither has the money or the people to act \
abroad.

“We see no sign of a capability to strike outside the region,” one member of the team told \
Example Daily, speaking on condition of anonymity because the report had not yet been \
discussed by the council.

Officials in two capitals have said in recent weeks that an attack abroad was possible within \
months. Asked about the discrepancy, a spokesperson for the council said the report “speaks for \
itself” and that members would discuss it in April.

The report also counts between 4,000 and 6,000 fighters and their family members in the eastern \
provinces, a figure unchanged from the team’s previous report.
"""


def test_news_article_json_ld(content: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert captured("newsarticle.html", content, capsys) == {
        "headline": "Monitors doubt attacks before 2100",
        "headline_basis": "from the page's JSON-LD headline",
        "url": "https://www.example.org/world/2099/03/14/monitors-doubt-attacks/",
        "url_basis": "from the page's JSON-LD mainEntityOfPage",
        "date": "2099-03-14",
        "date_basis": ("from the page's JSON-LD datePublished (2099-03-14T23:30:00-05:00, "
                       "2099-03-15 in UTC)"),
        "modified": "2099-03-16",
        "modified_basis": "from the page's JSON-LD dateModified",
        "author": ["Jane Example", "Sam Sample"],
        "author_basis": "from the page's JSON-LD author",
        "site_name": "Example Daily",
        "site_name_basis": "from the page's JSON-LD publisher name",
        "language": "en-GB",
        "language_basis": "from the page's JSON-LD inLanguage",
    }
    _, text, _ = written(content, "newsarticle")
    assert text == NEWS_TEXT  # no menu, byline, share buttons, caption, "Read more" or footer


def test_open_graph_only(content: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert captured("opengraph.html", content, capsys) == {
        "headline": "Council delays vote on the monitoring mandate",
        "headline_basis": ("from the page's og:title; its <title> says “Council delays vote on "
                           "monitoring mandate”"),
        "url": "https://courier.example/2099/04/council-delays-vote",
        "url_basis": "from the page's og:url",
        "date": "2099-04-02",
        "date_basis": "from the page's article:published_time",
        "author": ["Alex Placeholder"],  # the other article:author is a profile's address
        "author_basis": "from the page's article:author",
        "site_name": "The Example Courier",
        "site_name_basis": "from the page's og:site_name",
        "language": "en-US",
        "language_basis": "from the page's og:locale",
    }
    _, text, _ = written(content, "opengraph")
    assert text.startswith("The council put off on Thursday a vote")
    assert text.endswith("who asked not to be named because the date has not been announced.\n")
    for furniture in ("Share this", "Previous:", "Recent posts", "thoughts on", "Proudly"):
        assert furniture not in text  # nor the readers' comments


def test_page_without_metadata(content: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert captured("bare.html", content, capsys) == {
        "headline": "Harbour board publishes the monitors' letter",
        "headline_basis": "from the page's <h1>",
    }
    _, _, data = written(content, "bare")
    front = data.decode("utf-8").split("\n---\n", 1)[0]
    assert "\n# url: https://\n" in front and "\n# date: YYYY-MM-DD\n" in front


def test_json_ld_date_disagrees_with_the_dateline(
    content: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = captured("dateline.html", content, capsys)
    assert data["date"] == "2099-03-14"
    assert data["date_basis"] == (
        "from the page's JSON-LD datePublished (2099-03-14T21:10:00-04:00, 2099-03-15 in UTC); "
        "its article:published_time says 2099-03-16; its dateline <time> says 2099-03-13"
    )  # its citation_publication_date, 2099/03/15, is the same day in UTC: no disagreement
    assert data["headline"] == "Monitors say attacks abroad unlikely"
    assert data["headline_basis"] == (
        "from the page's JSON-LD headline; its og:title says “Monitors say attacks abroad "
        "unlikely before 2100”; its <title> says “Wire: monitors say attacks abroad unlikely”"
    )
    assert (data["url"], data["url_basis"]) == (
        "https://wire.example/stories/monitors-attacks-unlikely", "from the page's JSON-LD url")
    assert (data["author"], data["author_basis"]) == (
        ["Example Wire Staff"], "from the page's JSON-LD author")
    assert (data["site_name"], data["site_name_basis"]) == (
        "Example Wire Service", "from the page's JSON-LD WebSite name")
    assert (data["language"], data["language_basis"]) == ("en", "from the page's <html lang>")
    assert "modified" not in data


def test_json_ld_graph(content: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert captured("graph.html", content, capsys) == {
        "headline": "Le rapport des observateurs, point par point",
        "headline_basis": "from the page's JSON-LD headline",
        "url": "https://quotidien.example/2099/03/18/rapport-observateurs/",
        "url_basis": "from the page's JSON-LD mainEntityOfPage",
        "date": "2099-03-18",
        "date_basis": "from the page's JSON-LD datePublished",
        "modified": "2099-03-18",
        "modified_basis": "from the page's JSON-LD dateModified",
        "author": ["Camille Exemple"],  # the Person node the Article refers to by its @id
        "author_basis": "from the page's JSON-LD author",
        "site_name": "Le Quotidien Exemple",
        "site_name_basis": ("from the page's JSON-LD WebSite name; its JSON-LD publisher name "
                            "says “Le Quotidien Exemple SA”"),
        "language": "fr-FR",
        "language_basis": "from the page's JSON-LD inLanguage",
    }
    _, text, _ = written(content, "graph")
    assert "\n\nLes capacités des groupes\n\n" in text
    assert ("\n\n- environ 4 000 à 6 000 combattants et membres de leurs familles ;\n"
            "- des camps d’entraînement dans trois provinces.\n\n") in text


def test_mhtml_single_file_capture(content: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert captured("capture.mhtml", content, capsys) == {
        "headline": "Read the monitors’ report before you quote it",
        "headline_basis": ("from the page's og:title; its <title> says “Opinion: Read the "
                           "monitors’ report before you quote it”"),
        "url": "https://www.example.org/opinion/2099/03/22/read-the-report/",
        "url_basis": ("from the page's og:url; the browser saved it from "
                      "https://www.example.org/opinion/2099/03/22/read-the-report/"
                      "?utm_source=newsletter"),
        "date": "2099-03-22",
        "date_basis": "from the page's article:published_time",
        "author": ["Pat Columnist"],
        "author_basis": "from the page's meta author",
        "site_name": "Example Daily",
        "site_name_basis": "from the page's og:site_name",
        "language": "en",
        "language_basis": "from the page's <html lang>",
    }
    _, text, _ = written(content, "capture")
    assert "neither group “is believed to be capable" in text  # quoted-printable, UTF-8
    assert "\r" not in text and "=E2" not in text


def test_a_second_capture_gives_the_same_bytes(
    tmp_path: Path, content: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = tmp_path / "other" / "content"
    shutil.copytree(MINIMAL, other)
    for page in sorted(PAGES.glob("*.*ml")):
        if page.name in ("paywall.html", "navigation.html"):
            continue
        for tree in (content, other):
            assert new_article(tree, page, page.stem, capsys)[0] == 0
        assert written(content, page.stem)[2] == written(other, page.stem)[2], page.name


@pytest.mark.parametrize(
    ("page", "first_line", "hint"),
    [
        ("paywall.html",
         ("error: paywall.html has no article text to capture (only 49 words in sentences; an "
         "article has at least 80); nothing was written"),
         "The page says it is not free to read"),
        ("navigation.html",
         ("error: navigation.html has no article text to capture (no sentences; an article has "
         "at least 80); nothing was written"),
         "a list of links"),
        ("not-a-page.png",
         ("error: not-a-page.png is not a web page nor text: it looks like a PNG image; nothing "
         "was written"),
         "File > Save Page As"),
    ],
)
def test_pages_without_an_article(
    content: Path, capsys: pytest.CaptureFixture[str], page: str, first_line: str, hint: str
) -> None:
    code, out, err = new_article(content, PAGES / page, "refused", capsys)
    assert (code, out) == (1, "")
    assert err.splitlines()[0] == first_line
    assert hint in err
    assert not (content / "articles/daily-example/refused.txt").exists()
    assert not (content.parent / "captures").exists()


def test_the_name_is_checked_before_the_page(
    content: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(["new", "article", "no-such-outlet/story", "--from",
                        str(PAGES / "paywall.html"), "--content", str(content)], capsys)
    assert code == 1
    assert err.splitlines()[0] == ("error: no outlet 'no-such-outlet': "
                                   "content/outlets/no-such-outlet.yaml does not exist")


def test_html_is_told_by_content_not_name(
    tmp_path: Path, content: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = tmp_path / "saved.txt"
    page.write_bytes(b"\xef\xbb\xbf\n  " + (PAGES / "newsarticle.html").read_bytes())
    assert new_article(content, page, "from-txt", capsys)[0] == 0
    data, text, _ = written(content, "from-txt")
    assert text == NEWS_TEXT and data["capture_from"] == "saved.txt"

    plain = tmp_path / "notes.html"
    plain.write_bytes(b"Not a page at all: <b> is only mentioned here.\r\nSecond line\r\n")
    assert new_article(content, plain, "from-html", capsys)[0] == 0
    data, text, _ = written(content, "from-html")
    assert text.encode("utf-8") == plain.read_bytes()  # copied verbatim, as any text
    assert data == {"headline": ""}


def test_page_on_standard_input(
    content: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    page = (PAGES / "graph.html").read_bytes()
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(page)))
    assert new_article(content, "-", "stdin", capsys)[0] == 0
    data, text, _ = written(content, "stdin")
    assert "capture_from" not in data and data["captured"] == TODAY
    assert data["sha256"] == hashlib.sha256(page).hexdigest()
    assert text.startswith("Le rapport des observateurs")
    stub = (PAGES / "paywall.html").read_bytes()
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(stub)))
    code, _, err = new_article(content, "-", "stdin-paywall", capsys)
    assert code == 1
    assert err.startswith("error: the standard input has no article text to capture")


def test_keep_page(content: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for page, suffix in (("dateline.html", ".html"), ("capture.mhtml", ".mhtml")):
        code, out, err = new_article(content, PAGES / page, "kept-" + suffix[1:], capsys,
                                     "--keep-page")
        assert (code, err) == (0, "")
        kept = f"captures/daily-example/kept-{suffix[1:]}{suffix}"
        assert out.splitlines()[1] == f"kept the saved page as {kept}"
        assert (content.parent / kept).read_bytes() == (PAGES / page).read_bytes()
    assert not list(content.rglob("*.html")) and not list(content.rglob("*.mhtml"))
    checked(content, capsys)

    (content.parent / "captures/daily-example/taken.html").write_bytes(b"<html>another</html>")
    code, _, err = new_article(content, PAGES / "dateline.html", "taken", capsys, "--keep-page")
    assert code == 1
    assert err.splitlines()[0] == ("error: captures/daily-example/taken.html already exists and "
                                   "holds another page; nothing was written")
    assert not (content / "articles/daily-example/taken.txt").exists()

    text = content.parent / "capture.txt"
    text.write_text("Plain text.\n", "utf-8")
    code, _, err = new_article(content, text, "plain", capsys, "--keep-page")
    assert code == 1
    assert err.splitlines()[0] == "error: --keep-page is only for saved web pages (HTML or MHTML)"


def test_from_a_saved_folder(
    tmp_path: Path, content: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    saved = tmp_path / "Downloads"
    (saved / "Monitors doubt attacks_files").mkdir(parents=True)
    (saved / "Monitors doubt attacks_files" / "site.css").write_text("body {}", "utf-8")
    (saved / "Monitors doubt attacks_files" / "frame.html").write_text("<html></html>", "utf-8")
    shutil.copy(PAGES / "newsarticle.html", saved / "Monitors doubt attacks.html")
    shutil.copy(PAGES / "bare.html", saved / "Other.htm")
    for i, source in enumerate((saved / "Monitors doubt attacks_files", saved)):
        assert new_article(content, source, f"folder-{i}", capsys)[0] == 0
        data, text, _ = written(content, f"folder-{i}")
        assert (data["capture_from"], text) == ("Monitors doubt attacks.html", NEWS_TEXT)
    (saved / "Monitors doubt attacks_files").rename(saved / "resources")
    code, _, err = new_article(content, saved, "folder-2", capsys)
    assert code == 1
    assert err.splitlines()[0] == (f"error: {saved} is a folder (Monitors doubt attacks.html, "
                                   "Other.htm); say which page to capture")


def test_declared_character_set(
    tmp_path: Path, content: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = (PAGES / "bare.html").read_text("utf-8").replace(
        "<html>", '<html><head><meta charset="iso-8859-1"></head>').replace(
        "Harbour board publishes", "Harbour board publishes – in full –")
    (tmp_path / "latin.html").write_bytes(page.encode("cp1252"))
    assert new_article(content, tmp_path / "latin.html", "latin", capsys)[0] == 0
    data, _, _ = written(content, "latin")
    assert data["headline"] == "Harbour board publishes – in full – the monitors' letter"

    undeclared = page.replace('<meta charset="iso-8859-1">', "")
    (tmp_path / "undeclared.html").write_bytes(undeclared.encode("cp1252"))
    code, _, err = new_article(content, tmp_path / "undeclared.html", "undeclared", capsys)
    assert code == 1
    assert err.splitlines()[0] == (
        "error: undeclared.html is not valid in UTF-8 (it declares no character set): byte 0x96 "
        "on line 7; nothing was written"
    )


def test_plain_scaffold_lists_the_capture_keys_as_optional(
    content: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["new", "article", "daily-example/by-hand", "--content", str(content)]
    assert run(argv, capsys)[0] == 0
    text = (content / "articles/daily-example/by-hand.txt").read_text("utf-8")
    for key in ("headline_basis", "modified", "author", "site_name", "language", "captured",
                "capture_from", "sha256", "archived"):
        assert f"\n# {key}:" in text, key
    assert "Captured from a saved page" not in text


def test_an_editor_corrects_a_captured_value(
    content: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert new_article(content, PAGES / "dateline.html", "corrected", capsys)[0] == 0
    path = content / "articles/daily-example/corrected.txt"
    text = path.read_text("utf-8")
    start = text.index("date: 2099-03-14\n")
    end = text.index("\n\n", start)
    text = text[:start] + (
        "date: 2099-03-13\n"
        "date_basis: >-\n"
        "  corrected by the editor from the dateline: March 13, 2099 (the page's JSON-LD\n"
        "  datePublished says 2099-03-14)\n"
        "archived:\n"
        "  - url: https://web.archive.org/web/20990325101010/https://wire.example/stories/monitors-attacks-unlikely\n"
        "    date: 2099-03-25"
    ) + text[end:]
    path.write_text(text, "utf-8")
    checked(content, capsys)
    data, _, _ = written(content, "corrected")
    assert data["date"] == "2099-03-13" and data["archived"][0]["date"] == "2099-03-25"


# --- the pure parts ---------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"<!DOCTYPE html><html>", PageKind.HTML),
        (b"\xef\xbb\xbf  \n<!doctype HTML>", PageKind.HTML),
        (b"<!-- saved from url=(0019)https://x.example/ -->\n<html>", PageKind.HTML),
        (b"\n<HTML lang=en>", PageKind.HTML),
        (b"<?xml version='1.0' encoding='utf-8'?>\n<html xmlns='http://www.w3.org/1999/xhtml'>",
         PageKind.HTML),
        (b"<title>x</title><meta charset=utf-8>", PageKind.HTML),
        ("<!doctype html>".encode("utf-16"), PageKind.HTML),
        ((b"From: <Saved by Blink>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/related;\r\n"
         b"\tboundary=x\r\n\r\n"), PageKind.MHTML),
        (b"Premium\n\nThanks, Joe: <html> in a sentence", PageKind.TEXT),
        (b"x" * 1100 + b"<meta>", PageKind.TEXT),
        (b"caf\xe9", PageKind.TEXT),
        (b"%PDF-1.7\n", PageKind.BINARY),
        (b"\x00\x01\xfe\xff no signature", PageKind.BINARY),
        (b"text\x00with a NUL, in UTF-8", PageKind.TEXT),
        (b"", PageKind.TEXT),
    ],
)
def test_sniff(data: bytes, kind: PageKind) -> None:
    assert capture.sniff(data) is kind


@pytest.mark.parametrize(
    ("value", "day", "utc"),
    [
        ("2099", "2099", None),
        ("2099-03", "2099-03", None),
        ("2099-03-14", "2099-03-14", None),
        ("2099-03-14T23:30:00-05:00", "2099-03-14", "2099-03-15"),
        ("2099-03-14T23:30-0500", "2099-03-14", "2099-03-15"),
        ("2099-03-15T01:10:00.123+02:00", "2099-03-15", "2099-03-14"),
        ("2099-03-14T10:00:00Z", "2099-03-14", "2099-03-14"),
        ("2099-03-14 10:00:00", "2099-03-14", None),
        ("2099/3/5", "2099-03-05", None),
        ("Sat, 14 Mar 2099 23:30:00 -0500", "2099-03-14", "2099-03-15"),
    ],
)
def test_read_date(value: str, day: str, utc: str | None) -> None:
    when = capture.read_date(value)
    assert when is not None and (when.day, when.utc_day) == (day, utc)


@pytest.mark.parametrize("value", ["2099-02-30", "2099-13", "14 March", "soon", "2099-03-14T25:00"])
def test_unreadable_dates(value: str) -> None:
    assert capture.read_date(value) is None


PARAGRAPHS = "".join(
    f"<p>In its report number {n}, the team said that neither group could mount attacks abroad "
    "this year, and that both lacked the money, the people and the training for them.</p>"
    for n in range(1, 5)
)


def page(head: str, body: str = "") -> bytes:
    return (f"<!doctype html><html><head>{head}</head><body><article>{body}{PARAGRAPHS}"
            "</article></body></html>").encode()


def fields(data: bytes) -> dict[str, capture.Field]:
    found = capture.capture_page(data)
    assert isinstance(found, capture.Capture)
    return {f.key: f for f in found.fields}


def test_title_without_the_site_name() -> None:
    found = fields(page("<title>Example Daily | Port reopens</title>"
                        '<meta property="og:site_name" content="Example Daily">'))
    headline = found["headline"]
    assert (headline.value, headline.trimmed) == ("Port reopens", "Example Daily | ")
    assert capture.basis(headline) == "from the page's <title>, without “Example Daily | ”"


def test_an_unreadable_value_is_shown_as_written() -> None:
    found = fields(page('<script type="application/ld+json">{"@type": "NewsArticle", '
                        '"headline": "Port reopens", "datePublished": "14 March"}</script>'
                        '<meta property="article:published_time" content="2099-03-14T08:00Z">'
                        '<link rel="canonical" href="/news/port">'))
    assert capture.basis(found["date"]) == (
        "from the page's article:published_time; its JSON-LD datePublished says “14 March”")
    assert "url" not in found  # a relative canonical link is not the article's address


def test_json_ld_main_entity_types_and_paywall() -> None:
    data = page('<script type="application/ld+json">[{"@type": "WebPage", "mainEntity": '
                '{"@type": ["schema:OpinionNewsArticle"], "headline": "Port &amp; harbour", '
                '"isAccessibleForFree": "False", "author": [{"@type": "Person", "name": "A"}, '
                '"B", {"@type": "Organization", "name": "Example Wire"}]}}]</script>')
    found = capture.capture_page(data)
    assert isinstance(found, capture.Capture) and found.paywalled
    by_key = {f.key: f for f in found.fields}
    assert by_key["headline"].value == "Port & harbour"
    assert by_key["headline"].source.origin is Origin.JSON_LD
    assert by_key["author"].value == ("A", "B", "Example Wire")


def test_authors_disagree_only_when_another_is_named() -> None:
    found = fields(page('<script type="application/ld+json">{"@type": "NewsArticle", "author": '
                        '[{"name": "Jane Example"}, {"name": "Sam Sample"}]}</script>'
                        '<meta name="author" content="Jane Example">'
                        '<meta name="citation_author" content="Sam Sample">'
                        '<meta name="citation_author" content="Robin Other">'))
    assert capture.basis(found["author"]) == (
        "from the page's JSON-LD author; its meta citation_author says “Sam Sample” and "
        "“Robin Other”")


def test_refusals_are_facts() -> None:
    stub = page("<title>t</title>").replace(PARAGRAPHS.encode(), b"<p>Subscribe to read.</p>")
    assert capture.capture_page(stub) == capture.Refusal(Reason.TOO_LITTLE_TEXT, words=3)
    mhtml = (b"MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary=b\r\n\r\n"
             b"--b\r\nContent-Type: text/css\r\n\r\nbody {}\r\n--b--\r\n")
    assert capture.capture_page(mhtml) == capture.Refusal(Reason.NO_HTML_PART)
    assert capture.capture_page(b"\x89PNG\r\n\x1a\n...") == capture.Refusal(Reason.BINARY,
                                                                             signature="png")


@given(st.binary(max_size=400))
def test_any_bytes_are_captured_or_refused(data: bytes) -> None:
    for page_bytes in (data, b"<!doctype html><html><body><article>" + data):
        assert isinstance(capture.capture_page(page_bytes), capture.Capture | capture.Refusal)


def _reads_back(text: str) -> None:
    """`yaml_scalar(text)` loads as `text`, with no error and only the advice the loader gives
    the same text typed (on bidirectional controls; never that one is written as an escape)."""
    record, problems = load.parse_yaml("k: " + capture.yaml_scalar(text), "x.yaml", "article", "x")
    assert record is not None and record.data == {"k": text}
    assert [p.message for p in problems] == [
        p.message for p in load.character_problems(text, "x.yaml")]


@given(st.text())
def test_yaml_scalars_read_back(text: str) -> None:
    _reads_back(load.without_disallowed(text))


@example("\u061c")
@example("\u0627\u061c\u0628")  # an Arabic letter mark between Arabic letters: no advice
@given(st.text(alphabet=st.sampled_from("ab \u0627\u05d0\u200e\u200f\u061c\u202e")))
def test_yaml_scalars_keep_bidirectional_controls_as_written(text: str) -> None:
    assert "\\u" not in capture.yaml_scalar(text)
    _reads_back(text)


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1))
def test_folded_values_read_back(text: str) -> None:
    block = capture.yaml_folded(text, 92)
    if block is None:
        return
    record, _ = load.parse_yaml("k: " + "\n".join(block), "x.yaml", "article", "x")
    assert record is not None and record.data == {"k": text}
