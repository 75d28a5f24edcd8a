"""`check` on small broken content trees: one tree per error kind, the whole first line
of each message asserted, `file:line:col` included."""

from __future__ import annotations

import copy
import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator import cli, load, validate

MINIMAL = Path(__file__).parent / "trees" / "minimal" / "content"
CLAIM = "claims/capability.yaml"
ARTICLE = "articles/daily-example/monitors.txt"


def broken_tree(tmp_path: Path, rel: str, old: str, new: str) -> Path:
    content = tmp_path / "content"
    shutil.copytree(MINIMAL, content)
    target = content / rel
    text = target.read_text("utf-8")
    assert old in text, f"fixture drifted: {old!r} not in {rel}"
    target.write_text(text.replace(old, new, 1), "utf-8")
    return content


def run_check(content: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str], str]:
    code = cli.main(["check", str(content)])
    out, err = capsys.readouterr()
    return code, err.splitlines(), out


def test_minimal_tree_passes(capsys: pytest.CaptureFixture[str]) -> None:
    code, err, out = run_check(MINIMAL, capsys)
    assert code == 0, err
    assert out.strip() == "ok: 1 claims, 1 appearances anchored, 1 articles, 1 outlets, 1 sources"


CASES = [
    pytest.param(
        CLAIM, "status: unchecked", "stauts: unchecked",
        "content/claims/capability.yaml:2:1: unknown key 'stauts'",
        "Did you mean 'status'?", id="unknown-key",
    ),
    pytest.param(
        CLAIM, "status: unchecked", "status: true",
        "content/claims/capability.yaml:2:9: status: expected one of confirmed, misrepresented, "
        "not-in-source, outdated, unchecked, unlocated; got true (a boolean)",
        "Pick one of the listed values", id="enum",
    ),
    pytest.param(
        CLAIM, "claim: Neither group could mount attacks before 2100, UN monitors said.\n", "",
        "content/claims/capability.yaml:1:1: missing required key 'claim'",
        "Add `claim:`", id="missing-key",
    ),
    pytest.param(
        CLAIM, "tags: [monitoring]", "tags: [monitoring]\ntags: [other]",
        "content/claims/capability.yaml:10:1: duplicate key 'tags' (first written at line 9)",
        "YAML keeps only the last one", id="duplicate-key",
    ),
    pytest.param(
        CLAIM, "reviewed: 2099-07-01", "reviewed: 2099-13",
        "content/claims/capability.yaml:8:11: reviewed: '2099-13' is not a date: there is no month 13",
        "2021, 2021-08 or 2021-08-17", id="date-month",
    ),
    pytest.param(
        CLAIM, "reviewed: 2099-07-01", "reviewed: 2099-02-30",
        "content/claims/capability.yaml:8:11: reviewed: '2099-02-30' is not a date: "
        "February 2099 has 28 days",
        "", id="date-day",
    ),
    pytest.param(
        "outlets/daily-example.yaml", "https://example.com/", "javascript:alert(1)",
        "content/outlets/daily-example.yaml:2:11: homepage: 'javascript:alert(1)' is not an "
        "http(s) URL (javascript:)",
        "https://", id="url-scheme",
    ),
    pytest.param(
        "outlets/daily-example.yaml", "country: GB", "country: GB\nidentified: no",
        "content/outlets/daily-example.yaml:4:13: identified: expected true or false; got \"no\"",
        "yes, no, on, off are read as text", id="yaml-1.1-boolean",
    ),
    pytest.param(
        CLAIM, "source: un-report", "source: un-reprt",
        "content/claims/capability.yaml:4:11: primary.source: no source 'un-reprt'",
        "Did you mean 'un-report'?", id="ref-source",
    ),
    pytest.param(
        CLAIM, "passage: capability", "passage: capabilty",
        "content/claims/capability.yaml:5:12: primary.passage: source 'un-report' has no "
        "passage 'capabilty'",
        "Did you mean 'capability'?", id="ref-passage",
    ),
    pytest.param(
        CLAIM, "article: daily-example/monitors", "article: daily-example/monitor",
        "content/claims/capability.yaml:11:14: appearances[0].article: no article "
        "'daily-example/monitor'",
        "Did you mean 'daily-example/monitors'?", id="ref-article",
    ),
    pytest.param(
        ARTICLE, "- source: un-report", "- source: un-reprt",
        "content/articles/daily-example/monitors.txt:6:13: cites[0].source: no source 'un-reprt'",
        "Did you mean 'un-report'?", id="ref-cites",
    ),
    pytest.param(
        CLAIM, "status: unchecked", "status: confirmed",
        "content/claims/capability.yaml:2:9: status: a claim cannot be confirmed against a "
        "passage that was not checked",
        "checked: false", id="confirmed-unchecked-passage",
    ),
    pytest.param(
        CLAIM, "status: unchecked", "status: unlocated",
        "content/claims/capability.yaml:2:9: status: unlocated means no primary source could be "
        "identified, but primary names one",
        "Remove `primary:`", id="unlocated-with-primary",
    ),
    pytest.param(
        "sources/un-report.yaml", "    basis: Quoted identically by two wire services.\n", "",
        "content/sources/un-report.yaml:7:5: passages[0]: missing required key 'basis' here",
        "Add `basis:`", id="provenance-basis",
    ),
    pytest.param(
        CLAIM, "attribution: correct", "attribution: correct\n    fidelity:\n"
        "      quotation: exact\n      meaning: changed\n      reason: The subject changed.",
        "content/claims/capability.yaml:15:7: appearances[0].fidelity: missing required key "
        "'changes' here",
        "Add `changes:`", id="reading-changes",
    ),
    pytest.param(
        CLAIM, "attribution: correct", "attribution: correct\n    fidelity: verbatim",
        "content/claims/capability.yaml:14:15: appearances[0].fidelity: expected a mapping of "
        "keys to values; got \"verbatim\"",
        "Write it as a mapping of quotation, meaning, changes, dismissed, reason",
        id="reading-as-a-word",
    ),
    pytest.param(
        CLAIM, "status: unchecked", "status: misrepresented",
        "content/claims/capability.yaml:2:9: status: a claim cannot be misrepresented against a "
        "passage that was not checked",
        "Misrepresented means checked against the document", id="misrepresented-unchecked",
    ),
    pytest.param(
        CLAIM, "status: unchecked\nprimary:\n  source: un-report\n  passage: capability\n",
        "status: not-in-source\nprimary:\n  source: un-report\n",
        "content/claims/capability.yaml:2:9: status: a not-in-source claim needs the checked "
        "passage it rests on",
        "Add primary.passage", id="not-in-source-without-passage",
    ),
    pytest.param(
        CLAIM, "status: unchecked", "status: outdated",
        "content/claims/capability.yaml:1:1: missing required key 'superseded_by' here",
        "Add `superseded_by:`", id="outdated-without-superseding-source",
    ),
    pytest.param(
        CLAIM, "status: unchecked", "status: outdated\nsuperseded_by: un-reprot",
        "content/claims/capability.yaml:3:16: superseded_by: no source 'un-reprot'",
        "Did you mean 'un-report'?", id="outdated-superseded-by-dangling",
    ),
    pytest.param(
        CLAIM, "reviewed: 2099-07-01", "reviewed: 2099-07-01\nupdates:\n  - date: 2099-07-04\n"
        "    kind: correction\n    note: Corrected the date.",
        "content/claims/capability.yaml:8:11: reviewed: 2099-07-01 is older than the newest "
        "update (updates[0], 2099-07-04)",
        "An update is a review", id="reviewed-before-update",
    ),
    pytest.param(
        CLAIM, "reviewed: 2099-07-01", "reviewed: 2099-07-01\nupdates:\n  - date: 2099-07-01\n"
        "    note: Corrected the date.",
        "content/claims/capability.yaml:10:5: updates[0]: missing required key 'kind'",
        "Add `kind:`", id="update-without-kind",
    ),
    pytest.param(
        CLAIM, "attribution: correct", "attribution: wrong",
        "content/claims/capability.yaml:11:5: appearances[0]: missing required key "
        "'credited_to' here",
        "Add `credited_to:`", id="wrong-without-credit",
    ),
    pytest.param(
        CLAIM, "attribution: correct", "attribution: correct\n    credited_to: {source: un-reprt}",
        "content/claims/capability.yaml:14:27: appearances[0].credited_to.source: no source "
        "'un-reprt'",
        "Did you mean 'un-report'?", id="credit-dangling",
    ),
    pytest.param(
        CLAIM, "attribution: correct", "attribution: correct\n    credited_to: {name: X, nothing: true}",
        "content/claims/capability.yaml:14:18: appearances[0].credited_to: write exactly one of "
        "source, article, outlet, name, nothing",
        "Each entry names one thing", id="credit-two-things",
    ),
    pytest.param(
        CLAIM, "tags: [monitoring]", "tags: [monitoring]\nreviewed_by: [jane]",
        "content/claims/capability.yaml:10:15: reviewed_by[0]: no editor 'jane'",
        "List the editor under site.yaml's editors", id="reviewer-unknown",
    ),
    pytest.param(
        "site.yaml", "  url: https://example.org/", "  url: https://example.org/\n  contact: "
        "desk at example",
        "content/site.yaml:8:12: publisher.contact: 'desk at example' is neither an https:// "
        "address nor an e-mail address",
        "Write the address of a form", id="contact-form",
    ),
    pytest.param(
        CLAIM, "tags: [monitoring]", "tags: [monitoring",
        "content/claims/capability.yaml:10:12: malformed YAML: did not find expected ',' or ']' "
        "(while parsing a flow sequence)",
        "", id="malformed-yaml",
    ),
    pytest.param(
        CLAIM, "claim: Neither", "claim: Note: Neither",
        "content/claims/capability.yaml:1:12: malformed YAML: mapping values are not allowed "
        "in this context",
        "must be quoted", id="unquoted-colon",
    ),
    pytest.param(
        CLAIM, "mounting attacks before 2100.", "mounting strikes before 2100.",
        "content/claims/capability.yaml:12:12: appearances[0].quote: not found in "
        "content/articles/daily-example/monitors.txt",
        "Closest passage (95% similar), at content/articles/daily-example/monitors.txt:10:",
        id="quote-not-found",
    ),
    pytest.param(
        ARTICLE, "Officials", "neither group “is believed to be capable of mounting attacks "
        "before 2100.” Officials",
        "content/claims/capability.yaml:12:12: appearances[0].quote: the quote occurs 2 times "
        "in content/articles/daily-example/monitors.txt (lines 10, 11)",
        'prefix: "The UN said that "', id="quote-ambiguous",
    ),
    pytest.param(
        ARTICLE, "---\nheadline", "headline",
        "content/articles/daily-example/monitors.txt:1:1: missing front matter: the file must "
        "start with a line `---`",
        "Did you forget to add `---`?", id="front-matter",
    ),
]


@pytest.mark.parametrize(("rel", "old", "new", "first_line", "hint"), CASES)
def test_broken_tree(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
    rel: str, old: str, new: str, first_line: str, hint: str,
) -> None:
    code, err, out = run_check(broken_tree(tmp_path, rel, old, new), capsys)
    assert code == 1
    assert out == ""
    assert err[0] == first_line
    assert hint in "\n".join(err[1:])
    assert err[-1].endswith("nothing was written.")
    assert "Traceback" not in "\n".join(err)


def test_non_utf8(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    content = broken_tree(tmp_path, CLAIM, "", "")
    (content / CLAIM).write_bytes(b"claim: caf\xe9\n")
    code, err, _ = run_check(content, capsys)
    assert code == 1
    assert err[0] == "content/claims/capability.yaml:1:11: not valid UTF-8 (byte 0xe9)"


def test_every_problem_reported_at_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    content = broken_tree(tmp_path, CLAIM, "status: unchecked", "stauts: unchecked")
    outlet = content / "outlets/daily-example.yaml"
    outlet.write_text(outlet.read_text().replace("https://example.com/", "ftp://example.com/"))
    source = content / "sources/un-report.yaml"
    source.write_text(source.read_text().replace("date: 2099-05", "date: May 2099"))
    code, err, _ = run_check(content, capsys)
    assert code == 1
    located = [line for line in err if line.startswith("content/")]
    assert [line.split(": ")[0] for line in located] == [
        "content/claims/capability.yaml:2:1",
        "content/outlets/daily-example.yaml:2:11",
        "content/sources/un-report.yaml:5:7",
    ]
    assert err[-1] == "3 problems found; nothing was written."


def test_unreadable_article_is_reported_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    content = broken_tree(tmp_path, ARTICLE, "---\nheadline", "headline")
    code, err, _ = run_check(content, capsys)
    assert code == 1
    assert err[-1] == "1 problem found; nothing was written."


def test_misplaced_and_misnamed_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    content = broken_tree(tmp_path, CLAIM, "", "")
    shutil.copy(content / CLAIM, content / "claims/Second Claim.yaml")
    shutil.copy(content / CLAIM, content / "claims/third.yml")
    code, err, _ = run_check(content, capsys)
    assert code == 1
    assert "content/claims/Second Claim.yaml:1:1: 'Second Claim' is not a valid identifier" in err
    assert "content/claims/third.yml:1:1: unexpected file extension .yml; expected .yaml" in err


def test_github_annotations(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    content = broken_tree(tmp_path, CLAIM, "status: unchecked", "stauts: unchecked")
    code = cli.main(["check", str(content), "--format", "github"])
    out, err = capsys.readouterr()
    assert code == 1
    assert out.splitlines()[0].startswith(
        "::error file=content/claims/capability.yaml,line=2,col=1::unknown key 'stauts'%0ADid you mean"
    )
    assert err.splitlines()[0] == "content/claims/capability.yaml:2:1: unknown key 'stauts'"


def test_github_warnings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A reading's advice is a warning annotation; the run still succeeds."""
    content = broken_tree(tmp_path, CLAIM, (
        "    fidelity:\n      quotation: exact\n      meaning: preserved\n      reason: The words "
        "inside the quotation marks are the report's, as reported.\n"), "")
    code = cli.main(["check", str(content), "--format", "github"])
    out, err = capsys.readouterr()
    assert code == 0, err
    warnings = [line for line in out.splitlines() if line.startswith("::warning ")]
    assert warnings and warnings[0].startswith("::warning file=content/claims/capability.yaml,line="), out
    assert not any(line.startswith("::error") for line in out.splitlines())


def test_an_empty_entry_lists_each_missing_key_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    content = broken_tree(tmp_path, CLAIM, "", "")
    (content / CLAIM).write_text("", "utf-8")
    code, err, _ = run_check(content, capsys)
    assert code == 1
    assert [line for line in err if line.startswith("content/")] == [
        f"content/claims/capability.yaml:1:1: missing required key {key}"
        for key in ("'appearances'", "'claim'", "'finding' here", "'reviewed'", "'status'",
                    "'verdict'")
    ]


def test_entries_of_the_wrong_shape(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    content = broken_tree(tmp_path, "site.yaml", "", "")
    (content / "site.yaml").write_text("- a list\n", "utf-8")
    (content / ARTICLE).write_text("---\n- x\n---\ntext\n", "utf-8")
    code, err, _ = run_check(content, capsys)
    assert code == 1
    located = [line for line in err if line.startswith("content/")]
    assert "content/site.yaml:1:1: expected a mapping of keys to values; got a list" in located
    assert (
        "content/articles/daily-example/monitors.txt:2:1: expected a mapping of keys to values; "
        "got a list"
    ) in located
    assert "Traceback" not in "\n".join(err)


# The stage's own rules


ANNOTATIONS = frozenset({"$schema", "title", "description", "default", "examples"})
"""Keywords that never fail."""
CONDITIONS = frozenset({"if", "not", "const"})
"""Keywords of the conditions of if/then/else: they choose which rules apply, and fail through
the rule they choose (a `required` in `then`)."""


def _keywords(node: object) -> set[str]:
    """Every keyword of a schema, walking its subschemas (not its property names)."""
    found: set[str] = set()
    if not isinstance(node, dict):
        return found
    for key, value in node.items():
        if key == "properties":
            for sub in value.values():
                found |= _keywords(sub)
            continue
        found.add(key)
        if key in ("items", "then", "else", "if", "not") or (
            key == "additionalProperties" and isinstance(value, dict)
        ):
            found |= _keywords(value)
    return found


def test_every_schema_keyword_has_a_translation() -> None:
    from generator import validate
    from generator.schema import KINDS, load_schema

    used = set().union(*(_keywords(load_schema(kind)) for kind in KINDS))
    assert "required" in used and "additionalProperties" in used
    assert used - ANNOTATIONS - CONDITIONS - {"then", "else", "allOf", "properties", "items"} <= set(
        validate._TRANSLATIONS
    )


def test_problems_never_come_from_jsonschema_wording(monkeypatch: pytest.MonkeyPatch) -> None:
    """Reworded jsonschema messages change nothing: the translations read structured fields."""
    import dataclasses

    from conftest import MINIMAL

    from generator import load, validate

    loaded = load.load_content(MINIMAL)
    record = next(r for r in loaded.records if r.kind == "claim")
    data = {key: value for key, value in record.data.items() if key != "claim"}
    broken = dataclasses.replace(record, data={**data, "stauts": "x", "status": "maybe",
                                                "tags": ["A b"]})
    before = validate.check_shape(broken)
    assert any("missing required key 'claim'" in p.message for p in before)
    assert any("unknown key 'stauts'" in p.message for p in before)
    real = validate._validator

    class Reworded:
        def __init__(self, kind: str) -> None:
            self.inner = real(kind)

        def iter_errors(self, instance: object) -> object:
            for error in self.inner.iter_errors(instance):
                error.message = "something else entirely"
                yield error

    monkeypatch.setattr(validate, "_validator", Reworded)
    assert validate.check_shape(broken) == before


def test_the_schemas_spell_the_one_id_pattern() -> None:
    import json

    from generator.schema import SCHEMA_DIR
    from generator.text import ID_PATTERN, ID_RE, suggest_id

    patterns = set()
    for path in SCHEMA_DIR.glob("*.json"):
        patterns |= {p for p in re_find_patterns(json.loads(path.read_text("utf-8")))}
    assert ID_PATTERN in patterns
    assert all(p == ID_PATTERN or "/" in p for p in patterns if p.startswith("^[a-z0-9]"))
    assert ID_RE.match("un-s-2022-419") and not ID_RE.match("Un_S")
    assert suggest_id("Un S/2022 419!") == "un-s-2022-419"


def re_find_patterns(node: object) -> set[str]:
    out: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "pattern" and isinstance(value, str):
                out.add(value)
            out |= re_find_patterns(value)
    elif isinstance(node, list):
        for item in node:
            out |= re_find_patterns(item)
    return out


# --- what a public site needs (--production)


def test_a_production_check_needs_a_contact(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["check", str(MINIMAL)]) == 0
    capsys.readouterr()
    assert cli.main(["check", "--production", str(MINIMAL)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0] == ("content/site.yaml:6:3: a production build needs a way for readers to "
                      "report an error: publisher.contact is not set")
    assert "Add `contact:` under `publisher:`" in err[1]


def test_a_production_build_with_a_contact_passes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    content = broken_tree(tmp_path, "site.yaml", "  url: https://example.org/\n",
                          "  url: https://example.org/\n  contact: desk@example.org\n")
    assert cli.main(["build", "--production", "--content", str(content), "--out", str(tmp_path / "s")]) == 0
    assert (tmp_path / "s" / "index.html").exists()
    capsys.readouterr()
    # without a contact nothing is written, and a previous site stays as it was
    (content / "site.yaml").write_text((content / "site.yaml").read_text("utf-8").replace(
        "  contact: desk@example.org\n", ""), "utf-8")
    before = (tmp_path / "s" / "index.html").read_bytes()
    assert cli.main(["build", "--production", "--content", str(content), "--out", str(tmp_path / "s")]) == 1
    assert (tmp_path / "s" / "index.html").read_bytes() == before


# --- wording that says more than is known (generator/editorial.py)


VOICED_VERDICT = '''verdict: |
  The passage has not been checked against the report.
  Outlets agree on the words; as the report
  names both groups, "the report says" them here.
'''


def test_the_report_s_own_words_are_warned_of_where_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    content = broken_tree(tmp_path, CLAIM, "verdict: |\n  The passage has not been checked "
                          "against the report.\n", VOICED_VERDICT)
    code, err, out = run_check(content, capsys)
    assert code == 0 and out.startswith("ok:")
    # the phrase runs over two lines; the quoted one is the outlet's, not the editor's
    assert err[0] == ("content/claims/capability.yaml:8:34: warning: verdict speaks of the "
                      "document's own words ('the report names'), but this claim's passage "
                      "was not read in it")
    assert "the reported wording names" in err[1]
    assert err[2] == "1 warning (advice: `--strict` makes warnings errors)"
    assert cli.main(["check", "--strict", str(content)]) == 1


@pytest.mark.parametrize(("field", "old", "new", "where"), [
    ("finding", "finding: The report's wording is not established; the article quotes it loosely.",
     "finding: The report denies it; the article quotes it loosely.", "18:10"),
    ("appearances.0.note", "    attribution: correct\n",
     "    attribution: correct\n    note: What the UN report states is kept.\n", "14:16"),
    ("appearances.0.fidelity.reason",
     "reason: The words inside the quotation marks are the report's, as reported.",
     "reason: The document says the same.", "17:15"),
])
def test_each_text_of_the_editor_is_checked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], field: str, old: str, new: str,
    where: str,
) -> None:
    content = broken_tree(tmp_path, CLAIM, old, new)
    code, err, _ = run_check(content, capsys)
    assert code == 0
    assert err[0].startswith(f"content/claims/capability.yaml:{where}: warning: {field} speaks "
                             "of the document's own words"), err


def test_a_checked_passage_is_the_document_s_own_wording(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    content = broken_tree(tmp_path, CLAIM, "verdict: |\n  The passage has not been checked "
                          "against the report.\n", VOICED_VERDICT)
    source = content / "sources" / "un-report.yaml"
    source.write_text(source.read_text("utf-8").replace(
        "    checked: false\n    basis: Quoted identically by two wire services.\n",
        "    checked: true\n    locator: paragraph 7\n"), "utf-8")
    code, err, _ = run_check(content, capsys)
    assert code == 0 and err == []


def test_the_demo_content_passes_strict(capsys: pytest.CaptureFixture[str]) -> None:
    from conftest import DEMO

    from generator import editorial

    assert cli.main(["check", "--strict", str(DEMO)]) == 0, capsys.readouterr().err
    assert list(editorial.document_voice("the UN report, as reported, names")) == []
    assert [v.phrase for v in editorial.document_voice("what the UN report denies")] == [
        "the UN report denies"]


# --- about pages that claim what a reader cannot verify


def test_an_about_page_that_says_independent_needs_owner_and_funding(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    content = broken_tree(tmp_path, "pages/about.md", "A tiny site for the tests.",
                          "A tiny site for the tests.\n\nWe are an independent and open-source desk.")
    code, err, _ = run_check(content, capsys)
    assert code == 0
    assert err[0] == ("content/pages/about.md:5:11: warning: the page calls the site "
                      "'independent', which a reader cannot verify: site.yaml gives no "
                      "`publisher.owner` and `publisher.funding`")
    assert err[2] == ("content/pages/about.md:5:27: warning: the page calls the site "
                      "'open-source', which a reader cannot verify: site.yaml gives no "
                      "`repository:`")
    site = content / "site.yaml"
    site.write_text(site.read_text("utf-8").replace("  url: https://example.org/\n", (
        "  url: https://example.org/\n  owner: Test Desk Ltd\n  funding: Reader donations\n"
        "repository: https://example.org/desk.git\n"), 1), "utf-8")
    code, err, _ = run_check(content, capsys)
    assert code == 0 and err == [], err


def test_long_titles_and_findings_are_advised_against(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    long_finding = "The report's wording is not established; " + "the article quotes it loosely " * 3
    content = broken_tree(
        tmp_path, CLAIM,
        "finding: The report's wording is not established; the article quotes it loosely.",
        f"finding: {long_finding.strip()}.\nshort: {'Neither group could attack before 2100 ' * 2}",
    )
    code, err, _ = run_check(content, capsys)
    assert code == 0
    assert err[0] == ("content/claims/capability.yaml:19:8: warning: short is 77 characters, to "
                      "be used as the page's title: over 75, search results and share cards "
                      "cut it")
    assert err[2] == ("content/claims/capability.yaml:18:10: warning: finding is 131 characters: "
                      "over 100, it no longer reads at a glance")


# The compiled check that lets most records skip the schema walk agrees with the walk

_CONTENT = Path(__file__).resolve().parents[1] / "content"
_TRICKY: list[object] = [
    None, True, False, 0, 1, -1, 1.0, 2.5, "", " ", "x", "x\n", "Claim", "claim-1",
    "claim-1\n", "claim--1", "a/b", "2024", "2024-02", "2024-02-30", "2024-13-01",
    "https://example.org/a", "http://example.org", "javascript:alert(1)", "mailto:a@b.org",
    "a@b", "en", "EN", "US", "confirmed", "disputed", [], ["x"], [1], ["x", "x"], {},
    {"x": 1},
]


def _records_by_kind() -> dict[str, list[object]]:
    found: dict[str, list[object]] = {}
    for record in load.load_content(_CONTENT).records:
        if isinstance(record.data, dict):
            found.setdefault(record.kind, []).append(record.data)
    return found


_RECORDS = _records_by_kind()


def _paths(value: object, path: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    out = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            out.extend(_paths(item, (*path, key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            out.extend(_paths(item, (*path, index)))
    return out


def _mutated(data: object, path: tuple[object, ...], how: str, value: object) -> object:
    data = copy.deepcopy(data)
    if not path:
        return value if how == "set" else data
    holder: Any = data
    for step in path[:-1]:
        holder = holder[step]
    last: Any = path[-1]
    if how == "set":
        holder[last] = value
    elif how == "drop" and isinstance(holder, dict):
        del holder[last]
    elif how == "drop" and isinstance(holder, list):
        holder.pop(last)
    elif how == "add" and isinstance(holder, dict):
        holder[f"unknown-{value!s}"[:20]] = value
    elif how == "add" and isinstance(holder, list):
        holder.append(value if value is not None else copy.deepcopy(holder[last]))
    return data


@settings(max_examples=600, deadline=None)
@given(st.data())
def test_the_compiled_schema_check_passes_exactly_what_the_schema_walk_passes(
    data: st.DataObject,
) -> None:
    kind = data.draw(st.sampled_from(sorted(_RECORDS)))
    record = data.draw(st.sampled_from(_RECORDS[kind]))
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(_paths(record)))
        how = data.draw(st.sampled_from(["set", "set", "drop", "add"]))
        record = _mutated(record, path, how, data.draw(st.sampled_from(_TRICKY)))
    walked = not list(validate._validator(kind).iter_errors(record))
    assert validate._valid(kind)(record) == walked


def test_the_demo_content_passes_the_compiled_check_without_a_walk() -> None:
    for kind, records in _RECORDS.items():
        for record in records:
            assert validate._valid(kind)(record), (kind, record)


def test_a_record_the_compiled_check_passes_is_not_walked_and_one_it_fails_is(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    claim = next(r for r in load.load_content(_CONTENT).records if r.kind == "claim")
    walked: list[str] = []
    walk = validate._validator

    def counted(kind: str) -> Any:
        walked.append(kind)
        return walk(kind)

    monkeypatch.setattr(validate, "_validator", counted)
    assert validate.check_shape(claim) == []
    assert walked == []
    broken = load.Record(claim.kind, claim.id, claim.rel_path, {**claim.data, "status": 1},
                         claim.positions)
    problems = validate.check_shape(broken)
    assert walked == ["claim"]
    assert [p.message for p in problems] and all("status" in p.message for p in problems)
    assert {p.location.rel_path for p in problems} == {claim.rel_path}
    assert all(p.location.line > 1 for p in problems)  # at the status, not the file's start
