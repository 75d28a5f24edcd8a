"""The loader's rules, one by one: YAML composed with limits, characters located where they
are written, content/ walked without leaving it, files read within bounds."""

from __future__ import annotations

import codecs
import os
import shutil
import socket
from pathlib import Path

import pytest

from generator import load, validate
from generator.errors import ContentError, Location, Problem, Severity, warning
from generator.load import (
    MAX_CHARACTER_PROBLEMS,
    MAX_DEPTH,
    MAX_FILE_BYTES,
    MAX_KEY_CHARS,
    MAX_KEYS,
    MAX_NODES,
    character_problems,
    load_content,
    parse_article,
    parse_yaml,
)

MINIMAL = Path(__file__).parent / "trees" / "minimal" / "content"
PATH = "content/claims/x.yaml"


def parse(text: str) -> tuple[load.Record | None, list[Problem]]:
    return parse_yaml(text, PATH, "claim", "x")


def first(text: str) -> str:
    """The first problem of a YAML text, as `check` prints its first line."""
    _, problems = parse(text)
    assert problems, text[:80]
    return problems[0].format().splitlines()[0]


def tree(tmp_path: Path) -> Path:
    content = tmp_path / "content"
    shutil.copytree(MINIMAL, content)
    return content


def problem_lines(loaded: load.Loaded) -> list[str]:
    return [p.format().splitlines()[0] for p in sorted(loaded.problems)]


# The line map


def test_every_value_and_key_has_its_line_and_column() -> None:
    record, problems = parse("claim: text\nappearances:\n  - article: a/b\n    quote: 'q'\n")
    assert record is not None and problems == []
    assert record.data == {"claim": "text", "appearances": [{"article": "a/b", "quote": "q"}]}
    assert record.where(("claim",)) == Location(PATH, 1, 8)
    assert record.where_key(("claim",)) == Location(PATH, 1, 1)
    assert record.where(("appearances", 0)) == Location(PATH, 3, 5)
    assert record.where_key(("appearances", 0)) == Location(PATH, 3, 5)  # a list item has no key
    assert record.where(("appearances", 0, "quote")) == Location(PATH, 4, 12)
    assert record.where_key(("appearances", 0, "quote")) == Location(PATH, 4, 5)
    assert record.where(("appearances", 0, "missing", 3)) == Location(PATH, 3, 5)
    assert record.where() == Location(PATH, 1, 1)


def test_positions_are_packed_ints_and_survive_large_lines_and_columns() -> None:
    record, _ = parse("\n" * 70_000 + "a: " + " " * 5000 + "b\n")
    assert record is not None
    assert all(isinstance(position, int) for position in record.positions.values())
    assert record.where(("a",)) == Location(PATH, 70_001, 5004)
    assert record.where_key(("a",)) == Location(PATH, 70_001, 1)


def test_front_matter_lines_are_the_file_lines() -> None:
    record, problems = parse_article("---\nheadline: H\ncites:\n  - source: s\n---\nText\n",
                                     "content/articles/o/a.txt", "o/a")
    assert record is not None and problems == []
    assert record.where(("cites", 0, "source")) == Location("content/articles/o/a.txt", 4, 13)
    assert (record.text, record.body_line) == ("Text\n", 6)


def test_plain_scalars_are_text_except_true_false_and_null() -> None:
    record, _ = parse("a: no\nb: on\nc: 1e3\nd: 2021-08\ne: true\nf: FALSE\ng: ~\nh:\ni: 'true'\n")
    assert record is not None
    assert record.data == {"a": "no", "b": "on", "c": "1e3", "d": "2021-08", "e": True,
                           "f": False, "g": None, "h": None, "i": "true"}


def test_an_empty_file_is_no_data() -> None:
    record, problems = parse("# only a comment\n")
    assert record is not None and record.data is None and problems == []


# Structure and its limits


def test_nesting_up_to_the_limit_is_read() -> None:
    record, problems = parse("a: " + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1) + "\n")
    assert record is not None and problems == []


def test_nesting_deeper_is_refused_at_the_first_list_too_deep() -> None:
    deep = "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1)
    assert first(deep) == f"{PATH}:1:{MAX_DEPTH + 1}: lists and mappings nested more than 32 deep"
    block = "".join(" " * (2 * depth) + "k:\n" for depth in range(MAX_DEPTH + 5))
    assert first(block) == f"{PATH}:{MAX_DEPTH + 1}:{2 * MAX_DEPTH + 1}: lists and mappings " \
        "nested more than 32 deep"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: &x 1\nb: *x\n", "1:4: a YAML anchor (&x) is not allowed in content"),
        ("a: 1\nb: *x\n", "2:4: a YAML alias (*x) is not allowed in content"),
        ("a: 1\n<<: *x\n", "2:5: a YAML alias (*x) is not allowed in content"),
        ("a: !!str 1\n", "1:4: a YAML tag (!!str) is not allowed in content"),
        ("a: !local 1\n", "1:4: a YAML tag (!local) is not allowed in content"),
        ("a: !!map {b: 1}\n", "1:4: a YAML tag (!!map) is not allowed in content"),
        ("%TAG !e! tag:example.org,2000:\n---\na: !e!x 1\n",
         "3:4: a YAML tag (tag:example.org,2000:x) is not allowed in content"),
        ("a: 1\n---\nb: 2\n", "2:1: a second YAML document: a file holds one"),
        ("a: 1\n...\n---\nb: 2\n", "3:1: a second YAML document: a file holds one"),
    ],
)
def test_anchors_aliases_tags_and_second_documents_are_refused(text: str, expected: str) -> None:
    record, problems = parse(text)
    assert record is None
    assert problems[-1].format().splitlines()[0] == f"{PATH}:{expected}"


def test_one_explicit_document_is_fine() -> None:
    record, problems = parse("%YAML 1.1\n---\na: 1\n...\n")
    assert record is not None and record.data == {"a": "1"} and problems == []


def test_keys_per_mapping_are_bounded() -> None:
    record, problems = parse("".join(f"k{i}: 1\n" for i in range(MAX_KEYS)))
    assert record is not None and problems == []
    too_many = "".join(f"k{i}: 1\n" for i in range(MAX_KEYS + 1))
    assert first(too_many) == f"{PATH}:{MAX_KEYS + 1}:1: more than 1,000 keys in one mapping"


def test_values_per_file_are_bounded() -> None:
    text = "a:\n" + "  - x\n" * (MAX_NODES + 1)
    assert first(text) == f"{PATH}:{MAX_NODES - 1}:5: more than 100,000 values in one file"


def test_a_key_that_is_too_long_is_reported_and_its_value_dropped() -> None:
    fine = "k" * MAX_KEY_CHARS
    record, problems = parse(f"{fine}: 1\n? {'k' * (MAX_KEY_CHARS + 1)}\n: [2, 3]\nb: 4\n")
    assert record is not None
    assert record.data == {fine: "1", "b": "4"}
    assert [p.format().splitlines()[0] for p in problems] == [
        f"{PATH}:2:3: a key of 101 characters; the limit is 100"
    ]


def test_a_repeated_key_is_reported_and_the_first_kept() -> None:
    record, problems = parse("a: 1\nb: [x]\na: {c: 2}\n")
    assert record is not None and record.data == {"a": "1", "b": ["x"]}
    assert problems[0].format().splitlines()[0] == (
        f"{PATH}:3:1: duplicate key 'a' (first written at line 1)"
    )


def test_a_key_that_is_not_text_is_reported() -> None:
    record, problems = parse("? [a, b]\n: 1\nc: 2\n")
    assert record is not None and record.data == {"<complex key at line 1>": "1", "c": "2"}
    assert problems[0].format().splitlines()[0] == f"{PATH}:1:3: a key must be plain text"


def test_syntax_errors_keep_their_marks() -> None:
    assert first("a: [1, 2\n") == (
        f"{PATH}:2:1: malformed YAML: did not find expected ',' or ']' (while parsing a flow "
        "sequence)"
    )
    assert first('a: "\\ud800"\n').startswith(f"{PATH}:1:")


# Characters


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: b\x00c\n", "1:5: control character U+0000"),
        ("a: x\nb: \u00e9\x07\n", "2:5: control character U+0007"),
        ("a: b\x7f\n", "1:5: control character U+007F"),
        ("a: b\x85c\n", "1:5: control character U+0085"),
        ("a: b\x9b\n", "1:5: control character U+009B"),
        ("a: b\rc: d\n", "1:5: a carriage return (U+000D) that does not end a CRLF line"),
        ("a: b\ufffe\n", "1:5: noncharacter U+FFFE"),
        ("a: b\ufdd0\n", "1:5: noncharacter U+FDD0"),
        ("a: b\U0001fffe\n", "1:5: noncharacter U+1FFFE"),
        ("a: b\U0010ffff\n", "1:5: noncharacter U+10FFFF"),
        ("a: b\u2028c: d\n", "1:5: line separator U+2028"),
        ("a: b\u2029\n", "1:5: paragraph separator U+2029"),
        ('a: "b\\x07"\n', "1:4: written as an escape: control character U+0007"),
        ('a: "b\\r"\n', "1:4: written as an escape: control character U+000D"),
        ('a: "b\\uFDD0"\n', "1:4: written as an escape: noncharacter U+FDD0"),
        ('"k\\x00": 1\n', "1:1: written as an escape: control character U+0000"),
    ],
)
def test_characters_that_are_not_allowed_are_errors_where_they_are(
    text: str, expected: str
) -> None:
    record, problems = parse(text)
    assert record is None
    assert problems[0].format().splitlines()[0] == f"{PATH}:{expected}"
    assert problems[0].hint


@pytest.mark.parametrize(
    "text",
    ["a: tab\there\n", "a: b\r\nc: d\r\n", 'a: "\\u2028 escaped is fine"\n', "a: \U0001f600\n",
     "a: \u00a0\u200b\u00ad\n"],
)
def test_characters_that_are_allowed(text: str) -> None:
    record, problems = parse(text)
    assert record is not None and problems == []


def test_article_text_may_hold_line_separators_but_not_control_characters() -> None:
    head = "---\nheadline: H\n---\n"
    record, problems = parse_article(head + "one\u2028two\n", "a.txt", "o/a")
    assert record is not None and problems == []
    record, problems = parse_article(head + "one\ntwo\x0cthree\n", "a.txt", "o/a")
    assert record is None
    assert [p.format().splitlines()[0] for p in problems] == ["a.txt:5:4: control character U+000C"]
    record, problems = parse_article(head.replace("H", "H\u2028") + "x\n", "a.txt", "o/a")
    assert record is None and problems[0].format().startswith("a.txt:2:12: line separator")


def test_an_article_without_front_matter_with_bad_characters_says_so_first() -> None:
    _, problems = parse_article("no front matter\rat all\n", "a.txt", "o/a")
    assert problems[0].message.startswith("a carriage return")


def test_pages_are_checked_like_article_text(tmp_path: Path) -> None:
    content = tree(tmp_path)
    (content / "pages/about.md").write_text("# About\n\nA bell\x07 and an \u202e.\n", "utf-8")
    loaded = load_content(content)
    assert problem_lines(loaded) == [
        "content/pages/about.md:3:7: control character U+0007",
        ("content/pages/about.md:3:16: warning: bidirectional control U+202E (RIGHT-TO-LEFT "
        "OVERRIDE): it can show the text in another order than it is written"),
    ]
    assert loaded.pages == ()


def test_a_site_yaml_that_is_not_read_is_still_missing(tmp_path: Path) -> None:
    content = tree(tmp_path)
    (content / "site.yaml").unlink()
    os.symlink("spellings.yaml", content / "site.yaml")
    assert problem_lines(load_content(content)) == [
        ("content/site.yaml:1:1: warning: a symbolic link to content/spellings.yaml: the file is "
        "read once, as content/spellings.yaml"),
        "content/site.yaml:1:1: site.yaml is missing",
    ]


def test_character_problems_are_capped_per_file() -> None:
    problems = character_problems("x\x01" * 100, "a.txt")
    assert len(problems) == MAX_CHARACTER_PROBLEMS + 1
    assert problems[-1].format().splitlines()[0] == (
        "a.txt:1:22: 90 more characters that are not allowed, the first of them here"
    )


def test_bidirectional_controls_are_warnings_naming_the_code_point() -> None:
    record, problems = parse("a: x\nb: abc\u202edef\n")
    assert record is not None and record.data["b"] == "abc\u202edef"
    assert [(p.severity, p.format().splitlines()[0]) for p in problems] == [
        (Severity.WARNING, (f"{PATH}:2:7: warning: bidirectional control U+202E (RIGHT-TO-LEFT "
         "OVERRIDE): it can show the text in another order than it is written")),
    ]


def test_escaped_bidirectional_controls_are_warnings_at_the_value() -> None:
    record, problems = parse('a: x\nb: "abc\\u2067def"\n')
    assert record is not None
    assert [p.format().splitlines()[0] for p in problems] == [
        (f"{PATH}:2:4: warning: written as an escape: bidirectional control U+2067 (RIGHT-TO-LEFT "
        "ISOLATE): it can show the text in another order than it is written")
    ]


def test_direction_marks_are_fine_in_right_to_left_text_only() -> None:
    record, problems = parse("a: \u05e9\u05dc\u05d5\u05dd\u200f (2099)\n")
    assert record is not None and problems == []
    _, problems = parse("a: hello\u200f (2099)\n")
    assert [p.message.split(":")[0] for p in problems] == [
        "bidirectional control U+200F (RIGHT-TO-LEFT MARK)"
    ]
    _, problems = parse('a: "\\u0645\\u0631\\u062d\\u0628\\u0627\\u061c"\n')
    assert problems == []


def test_reader_errors_of_libyaml_are_located() -> None:
    """The loader finds such characters before libyaml; libyaml's own report (a position in
    bytes) is still translated to a line and column."""
    record, problems = load._parse_yaml("a: \u00e9\u00e9\nb: x\x07\n", PATH, "claim", "x", 0)
    assert record is None
    assert problems[0].format().splitlines()[0] == f"{PATH}:2:5: control character U+0007"


# Reading files


def test_a_byte_order_mark_is_dropped_before_offsets_are_counted(tmp_path: Path) -> None:
    content = tree(tmp_path)
    article = content / "articles/daily-example/monitors.txt"
    plain = load_content(content)
    article.write_bytes(codecs.BOM_UTF8 + article.read_bytes())
    marked = load_content(content)
    assert marked.problems == plain.problems == ()
    texts = {r.id: (r.text, r.body_line, r.positions) for r in plain.records}
    assert {r.id: (r.text, r.body_line, r.positions) for r in marked.records} == texts


def test_utf16_and_bad_utf8_are_named(tmp_path: Path) -> None:
    content = tree(tmp_path)
    (content / "outlets/daily-example.yaml").write_bytes("name: X\n".encode("utf-16"))
    (content / "claims/capability.yaml").write_bytes("claim: caf\u00e9 \u00e9".encode() + b"\xe9\n")
    assert problem_lines(load_content(content)) == [
        "content/claims/capability.yaml:1:14: not valid UTF-8 (byte 0xe9)",
        "content/outlets/daily-example.yaml:1:1: saved as UTF-16, not UTF-8",
    ]


def test_files_up_to_the_size_limit_are_read(tmp_path: Path) -> None:
    content = tree(tmp_path)
    article = content / "articles/daily-example/monitors.txt"
    size = len(article.read_bytes())
    with article.open("a", encoding="utf-8") as out:
        out.write("x" * (MAX_FILE_BYTES - size - 1) + "\n")
    assert load_content(content).problems == ()
    with article.open("a", encoding="utf-8") as out:
        out.write("x")
    assert problem_lines(load_content(content)) == [
        ("content/articles/daily-example/monitors.txt:1:1: too large: 2,097,153 bytes; the limit "
        "is 2,097,152 bytes")
    ]


def test_an_unreadable_file_is_a_located_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    content = tree(tmp_path)
    claim = content / "claims/capability.yaml"
    claim.chmod(0)
    real_open = os.open

    def open_as_user(path: str, flags: int, *args: int) -> int:
        if os.geteuid() == 0 and not os.stat(path).st_mode & 0o444:  # root ignores the mode
            raise PermissionError(13, "Permission denied", path)
        return real_open(path, flags, *args)

    monkeypatch.setattr(load.os, "open", open_as_user)
    loaded = load_content(content)
    assert problem_lines(loaded) == [
        "content/claims/capability.yaml:1:1: cannot be read: permission denied"
    ]
    assert ("claim", "capability") in loaded.unreadable


# Walking content/


def test_links_out_of_content_and_dangling_links_are_errors(tmp_path: Path) -> None:
    content = tree(tmp_path)
    outside = tmp_path / "outlet.yaml"
    shutil.move(content / "outlets/daily-example.yaml", outside)
    os.symlink(outside, content / "outlets/daily-example.yaml")
    os.symlink("nowhere.yaml", content / "sources/gone.yaml")
    os.symlink(tmp_path, content / "pages/up")
    loaded = load_content(content)
    assert problem_lines(loaded) == [
        "content/outlets/daily-example.yaml:1:1: a symbolic link to a file outside content/",
        "content/pages/up:1:1: a symbolic link to a folder outside content/",
        "content/sources/gone.yaml:1:1: a symbolic link to nothing: its target does not exist",
    ]
    assert ("outlet", "daily-example") in loaded.unreadable  # its references do not dangle


def test_a_file_reached_twice_is_read_once(tmp_path: Path) -> None:
    content = tree(tmp_path)
    os.symlink("capability.yaml", content / "claims/again.yaml")
    os.symlink("../claims/capability.yaml", content / "sources/also.yaml")
    loaded = load_content(content)
    assert sorted(r.id for r in loaded.records if r.kind == "claim") == ["capability"]
    assert all(not p.is_error for p in loaded.problems)
    assert problem_lines(loaded) == [
        ("content/claims/again.yaml:1:1: warning: a symbolic link to "
        "content/claims/capability.yaml: the file is read once, as content/claims/capability.yaml"),
        ("content/sources/also.yaml:1:1: warning: a symbolic link to "
        "content/claims/capability.yaml: the file is read once, as content/claims/capability.yaml"),
    ]


def test_a_link_to_a_file_the_walk_skips_is_read_under_the_link_name(tmp_path: Path) -> None:
    content = tree(tmp_path)
    (content / ".drafts").mkdir()
    shutil.move(content / "claims/capability.yaml", content / ".drafts/capability.yaml")
    os.symlink("../.drafts/capability.yaml", content / "claims/capability.yaml")
    loaded = load_content(content)
    assert loaded.problems == ()
    claim = next(r for r in loaded.records if r.kind == "claim")
    assert claim.rel_path == "content/claims/capability.yaml"


def test_folder_links_are_not_followed(tmp_path: Path) -> None:
    content = tree(tmp_path)
    os.symlink("..", content / "claims/loop")
    os.symlink("daily-example", content / "articles/alias")
    loaded = load_content(content)
    assert problem_lines(loaded) == [
        ("content/articles/alias:1:1: warning: a symbolic link to the folder "
        "content/articles/daily-example/ is not followed"),
        "content/claims/loop:1:1: warning: a symbolic link to the folder content/ is not followed",
    ]
    assert len(loaded.records) == 6


def test_link_loops_are_errors(tmp_path: Path) -> None:
    content = tree(tmp_path)
    os.symlink("loop.yaml", content / "claims/loop.yaml")
    assert problem_lines(load_content(content)) == [
        "content/claims/loop.yaml:1:1: a symbolic link that leads back to itself (a loop)"
    ]


def test_special_files_are_errors_and_never_opened(tmp_path: Path) -> None:
    content = tree(tmp_path)
    os.mkfifo(content / "claims/fifo.yaml")
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(content / "claims/sock.yaml"))
    server.close()
    assert problem_lines(load_content(content)) == [
        "content/claims/fifo.yaml:1:1: not a regular file: a FIFO (named pipe)",
        "content/claims/sock.yaml:1:1: not a regular file: a socket",
    ]


def test_hidden_names_are_skipped_and_deep_folders_reported_once(tmp_path: Path) -> None:
    content = tree(tmp_path)
    (content / ".git/objects").mkdir(parents=True)
    (content / ".git/objects/x").write_text("not content", "utf-8")
    (content / "claims/.swp").write_text("not content", "utf-8")
    (content / "articles/daily-example/old/older").mkdir(parents=True)
    (content / "articles/daily-example/old/older/x.txt").write_text("x", "utf-8")
    (content / "claims/drafts/more").mkdir(parents=True)
    assert problem_lines(load_content(content)) == [
        ("content/articles/daily-example/old/:1:1: an article must sit at "
        "articles/<outlet>/<slug>.txt"),
        "content/claims/drafts/more/:1:1: unexpected folder",
    ]


def test_ids_end_at_the_end_of_the_name(tmp_path: Path) -> None:
    content = tree(tmp_path)
    shutil.copy(content / "claims/capability.yaml", content / "claims/second\n.yaml")
    assert problem_lines(load_content(content)) == [
        "content/claims/second\\x0a.yaml:1:1: 'second\\n' is not a valid identifier"
    ]


# Values checked by the schema with the loader's help


def test_schema_patterns_end_at_the_end_of_the_text() -> None:
    record, _ = parse_yaml('title: T\npublisher: P\npassages:\n  - id: "x\\n"\n    text: t\n'
                           "    checked: false\n    basis: b\n", "s.yaml", "source", "s")
    assert record is not None
    assert [p.message for p in validate.check_shape(record)] == [
        'passages[0].id: "x\\n" is not a valid id'
    ]


@pytest.mark.parametrize(
    ("quote", "message"),
    [
        ('"   "', "appearances[0].quote: must not be blank"),
        ('"\\t\\n"', "appearances[0].quote: must not be blank"),
        ("w" * 1001, "appearances[0].quote: 1,001 characters; the limit is 1,000"),
    ],
)
def test_quotes_are_bounded_and_not_blank(quote: str, message: str) -> None:
    record, _ = parse("claim: c\nstatus: unlocated\nfinding: f\nverdict: v\nreviewed: 2099\n"
                      "appearances:\n"
                      f"  - article: a/b\n    quote: {quote}\n    attribution: correct\n")
    assert record is not None
    assert [(p.location.line, p.message) for p in validate.check_shape(record)] == [(8, message)]


@pytest.mark.parametrize(
    "url",
    ["https://example.org/", "http://example.org", "https://example.org:8443/desk/",
     "https://example.org/a&b/%3C/", "https://b\u00fccher.example/"],
)
def test_base_urls_that_are_fine(url: str) -> None:
    assert validate.check_base_url(url) == url


@pytest.mark.parametrize(
    ("url", "what"),
    [
        ("https://example.org/?a=1", "has a query (?)"),
        ("https://example.org/?", "has a query (?)"),
        ("https://example.org/#top", "has a fragment (#)"),
        ("https://user:secret@example.org/", "holds credentials (user@)"),
        ("https://example.org/\x07", "holds a control character"),
        ("https://example.org/a b", "is not a complete URL"),
        ("https://example.org/\n", "holds a control character"),
        ("https://example.org/<script>", "holds '<'"),
        ("https://:80/", "names no host"),
        ("https://example.org:99999/", "has an invalid port"),
        ("ftp://example.org/", "is not an http(s) URL"),
        ("example.org", "is not an http(s) URL"),
    ],
)
def test_base_urls_that_are_not(url: str, what: str) -> None:
    with pytest.raises(ValueError) as caught:
        validate.check_base_url(url)
    assert str(caught.value).startswith(repr(url) + " " + what)


def test_a_runs_problems_are_its_errors_then_its_warnings_each_in_file_order() -> None:
    """ContentError holds the errors, then the warnings, each by file, line, column, message
    and hint (the order Problem sorts in), ties as given."""
    def at(path: str, line: int, col: int = 1) -> Location:
        return Location(path, line, col)

    given = [
        warning(at("content/b.yaml", 1), "w1"),
        Problem(at("content/b.yaml", 2), "e2"),
        warning(at("content/a.yaml", 9), "w2"),
        Problem(at("content/b.yaml", 2), "e1", "hint b"),
        Problem(at("content/b.yaml", 2), "e1", "hint a"),
        Problem(at("content/a.yaml", 10, 3), "e3"),
        Problem(at("content/a.yaml", 10, 2), "e4"),
        warning(at("content/a.yaml", 9), "w2"),
    ]
    problems = ContentError(given).problems
    assert problems == (*sorted(p for p in given if p.is_error),
                        *sorted(p for p in given if not p.is_error))
    assert [p.message for p in problems] == ["e4", "e3", "e1", "e1", "e2", "w2", "w2", "w1"]
    assert problems[5] is given[2] and problems[6] is given[7]
