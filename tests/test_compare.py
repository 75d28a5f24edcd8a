"""The comparison engine: fixture cases, quotation marks, alignment bounds, entities, span
independence and hostile input."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import jsonschema
import pytest
import yaml
from compare_cases import Case, found, load_cases, parse_cases, run
from compare_cases import entities as fixture_entities
from compare_cases import spellings as fixture_spellings
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.compare import (
    MAX_PASSAGE_WORDS,
    MAX_SEGMENTS,
    MAX_SPAN_WORDS,
    NO_ENTITIES,
    Change,
    ChangeKind,
    Comparison,
    Entities,
    QuotationKind,
    compare,
    parse_entities,
    quotation_state,
    quoted_stretches,
)

ROOT = Path(__file__).resolve().parent.parent
CASES = load_cases()


# Every fixture case


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_fixture_case(case: Case) -> None:
    if case.gap:
        pytest.xfail(case.gap)
    result = run(case)
    assert (result.quotation.value, found(result, case.changes)) == (
        case.quotation, case.changes
    ), f"{case.id} (tests/fixtures/fidelity.md:{case.line}): {case.about}"


def test_fixture_file_has_the_cases_the_brief_asks_for() -> None:
    ids = {case.id for case in CASES}
    assert len(CASES) >= 60
    assert len(ids) == len(CASES), "case ids are unique"
    for kind in ChangeKind:
        positive = [c for c in CASES if any(p.startswith(kind.value + "/") for p in c.changes)]
        assert positive, f"no case expects a {kind.value} change"
    faithful = [c for c in CASES if not c.changes]
    assert len(faithful) >= 20


def test_fixture_evidence_points_at_the_words() -> None:
    """Every Words of every result is the text at its offsets."""
    for case in CASES:
        result = run(case)
        for change in result.changes:
            for words in change.outlet:
                assert case.text[words.start : words.end] == words.text, case.id
            for words in change.source:
                assert case.passage[words.start : words.end] == words.text, case.id
        for edit in result.quote_edits:
            for words in edit.outlet:
                assert case.text[words.start : words.end] == words.text, case.id
        for segment in result.segments:
            assert case.start <= segment.start <= segment.end <= case.end, case.id
        if result.region is not None:
            assert 0 <= result.region[0] < result.region[1] <= len(case.passage)
        assert 0.0 <= result.similarity <= 1.0


def test_fixture_parser_reads_the_documented_format() -> None:
    (case,) = parse_cases(textwrap.dedent("""\
        ## a-case
        What it is.
        .
        Before [[the span]] after.
        .
        The passage.
        .
        quotation: none
        changes: subject/widened:branch-of, negation/dropped
        gap: not yet
        .
        """))
    assert (case.id, case.text[case.start : case.end], case.passage) == (
        "a-case", "the span", "The passage."
    )
    assert case.changes == {"subject/widened:branch-of", "negation/dropped"}
    assert case.gap == "not yet"


# The seeds the brief names


def by_id(case_id: str) -> Case:
    return next(case for case in CASES if case.id == case_id)


def test_blitz_drops_the_negation_and_widens_the_subject() -> None:
    result = run(by_id("un-2022-attack-capability-3"))
    assert result.quotation is QuotationKind.EXACT
    negation, subject = result.changes
    assert (negation.kind, negation.detail) == (ChangeKind.NEGATION, "dropped")
    assert [w.text for w in negation.source] == ["Neither", "nor"]
    assert (subject.kind, subject.detail, subject.relation) == (
        ChangeKind.SUBJECT, "widened", "branch-of"
    )
    assert [w.text for w in subject.source] == ["ISIL-K"]
    assert [w.text for w in subject.outlet] == ["Islamic State (ISIS)"]
    assert not subject.quoted


def test_redstate_widens_the_branch_and_keeps_the_negation() -> None:
    result = run(by_id("un-2022-attack-capability-1"))
    assert result.quotation is QuotationKind.EXACT
    (subject,) = result.changes
    assert (subject.kind, subject.detail, subject.relation) == (
        ChangeKind.SUBJECT, "widened", "branch-of"
    )
    assert [w.text for w in subject.outlet] == ["ISIS"]
    assert ("Al-Qaida", "al-Qaeda") in result.respellings
    kinds = [op.kind for op in result.diff]
    assert kinds[:4] == ["same", "removed", "added", "same"]
    assert result.diff[4].kind == "respelled"
    assert (result.diff[4].text, result.diff[4].source_text) == ("al-Qaeda", "Al-Qaida")


def test_passage_words_outside_the_region_are_context_not_removed() -> None:
    result = run(by_id("afp-close-ties-excerpt"))
    case = by_id("afp-close-ties-excerpt")
    assert result.region is not None
    assert case.passage[result.region[0] : result.region[1]] == (
        "AQIS maintains close ties to the Taliban in Afghanistan"
    )
    assert [op.kind for op in result.diff] == ["same"]


def test_framing_is_own_words_in_the_diff() -> None:
    result = run(by_id("un-2022-attack-capability-2"))
    assert result.diff[0].kind == "own"
    assert result.diff[0].text == "As the report noted"


def test_us_for_united_states_is_a_quote_edit() -> None:
    result = run(by_id("word-us-for-united-states"))
    assert result.changes == ()
    assert [(e.detail, [w.text for w in e.source], [w.text for w in e.outlet])
            for e in result.quote_edits] == [("abbreviated", ["United States"], ["US"])]


def test_near_spelling_is_named() -> None:
    result = run(by_id("word-near-spelling"))
    (change,) = result.changes
    assert (change.kind, change.detail, change.quoted) == (ChangeKind.WORD, "near-spelling", True)
    assert ([w.text for w in change.source], [w.text for w in change.outlet]) == (
        ["capable"], ["culpable"]
    )


# Quotation marks


def marked(text: str) -> str:
    """The characters inside quotation marks as ^, the rest as ."""
    return "".join("^" if q else "." for q in quotation_state(text, 0, len(text)))


def test_curly_straight_and_mixed_marks() -> None:
    assert marked('a “b” c') == "..^^^.."
    assert marked('a "b" c') == "..^^^.."
    assert marked('a "b” c') == "..^^^.."
    assert marked("a ‘b’ c") == "..^^^.."


def test_apostrophes_are_not_marks() -> None:
    assert marked("the Taliban’s don't") == "." * 19
    assert marked("the groups’ ties") == "." * 16
    assert marked("the groups’ ties ‘matter’") == "." * 17 + "^" * 8


def test_an_unclosed_mark_runs_to_the_end_of_its_paragraph() -> None:
    assert marked("a “b c\nd e") == "..^^^^....."[:10]
    assert quoted_stretches("x “y", 0, 4) == [(2, 4)]


def test_the_state_at_the_span_start_comes_from_the_paragraph() -> None:
    text = "first “line\nThe report said: “maintains close ties”."
    start = text.index("close")
    assert quotation_state(text, start, start + 5) == [True] * 5
    assert quotation_state(text, text.index("The"), text.index("The") + 3) == [False] * 3


def test_a_span_inside_the_marks_is_quoted() -> None:
    text = "The report said: “The Example Front maintains close ties to the Example League.”"
    passage = "The Example Front maintains close ties to the Example League."
    start = text.index("close")
    result = compare(text, start, text.index("League") + 6, passage)
    assert result.quotation is QuotationKind.EXACT
    assert [s.quoted for s in result.segments] == [True]


def test_segments_split_quotation_and_own_words() -> None:
    case = by_id("un-2022-attack-capability-1")
    result = run(case)
    assert [s.quoted for s in result.segments] == [False, True]
    own, quoted = result.segments
    assert case.text[own.start : own.end] == "neither ISIS nor al-Qaeda"
    assert case.text[quoted.start : quoted.end].startswith("“is believed")
    assert own.region is not None and quoted.region is not None
    assert own.region[1] < quoted.region[0]


# Alignment and its bounds


def test_local_alignment_finds_the_dense_region() -> None:
    passage = (
        "The group said the report was late. "
        "Later the group said that the Example Front is rebuilding training camps in the north."
    )
    text = "The monitors wrote that “the Example Front is rebuilding training camps”."
    result = compare(text, 0, len(text), passage)
    assert result.region is not None
    assert passage[result.region[0] : result.region[1]] == (
        "the Example Front is rebuilding training camps"
    )
    assert result.quotation is QuotationKind.EXACT


def test_a_long_passage_is_truncated_not_refused() -> None:
    passage = " ".join(["word"] * (MAX_PASSAGE_WORDS + 10)) + " the Example Front is strong."
    text = "“the Example Front is strong”"
    result = compare(text, 0, len(text), passage)
    assert result.truncated
    assert isinstance(result, Comparison)


def test_a_long_span_is_truncated_not_refused() -> None:
    text = "“" + " ".join(["camps"] * (MAX_SPAN_WORDS + 5)) + "”"
    result = compare(text, 0, len(text), "The Example Front is rebuilding camps.")
    assert result.truncated


def test_many_segments_are_truncated_not_refused() -> None:
    text = " ".join(f"x “camps {n}”" for n in range(MAX_SEGMENTS + 5))
    result = compare(text, 0, len(text), "The Example Front is rebuilding camps.")
    assert result.truncated


def test_the_same_input_gives_the_same_result() -> None:
    case = by_id("un-2022-attack-capability-3")
    assert run(case) == run(case)
    fresh = compare(case.text, case.start, case.end, case.passage,
                    [list(group) for group in fixture_spellings()], fixture_entities())
    assert fresh == run(case)


def test_without_entities_an_alias_is_a_different_name() -> None:
    case = by_id("subject-alias-paraphrase")
    result = compare(case.text, case.start, case.end, case.passage, (), NO_ENTITIES)
    assert result.changes == ()  # no entity known on either side: nothing to substitute
    with_entities = run(case)
    assert with_entities.changes == ()


# Entities


def test_the_demo_entities_file_parses_and_matches_its_schema() -> None:
    data = yaml.safe_load((ROOT / "content" / "entities.yaml").read_text(encoding="utf-8"))
    schema = json.loads(
        (ROOT / "generator" / "schemas" / "entities.schema.json").read_text(encoding="utf-8")
    )
    jsonschema.Draft7Validator.check_schema(schema)
    jsonschema.validate(data, schema)
    entities = parse_entities(data)
    isil_k = entities.get("isil-k")
    assert isil_k is not None and isil_k.branch_of == "isil"
    assert "ISKP" in isil_k.aliases
    aqis = entities.get("aqis")
    assert aqis is not None and aqis.affiliate_of == "al-qaida"
    haqqani = entities.get("haqqani-network")
    assert haqqani is not None and haqqani.part_of == "taliban"


def test_the_schema_describes_every_property() -> None:
    schema = json.loads(
        (ROOT / "generator" / "schemas" / "entities.schema.json").read_text(encoding="utf-8")
    )

    def walk(node: dict[str, object], path: str) -> None:
        properties = node.get("properties")
        if isinstance(properties, dict):
            assert node.get("additionalProperties") is False, path
            for name, sub in properties.items():
                assert isinstance(sub, dict) and sub.get("description"), f"{path}.{name}"
                walk(sub, f"{path}.{name}")
        items = node.get("items")
        if isinstance(items, dict):
            walk(items, f"{path}[]")

    walk(schema, "$")


def test_the_spellings_file_stays_valid() -> None:
    data = yaml.safe_load((ROOT / "content" / "spellings.yaml").read_text(encoding="utf-8"))
    schema = json.loads(
        (ROOT / "generator" / "schemas" / "spellings.schema.json").read_text(encoding="utf-8")
    )
    jsonschema.validate(data, schema)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "$: expected a mapping"),
        ({"entity": []}, "$.entity: unknown key"),
        ({"entities": {}}, "$.entities: expected a list"),
        ({"entities": [{"id": "a"}]}, "$.entities[0].name: missing"),
        ({"entities": [{"id": "A b", "name": "A"}]}, "$.entities[0].id: expected lower-case"),
        ({"entities": [{"id": "a", "name": "A", "alias": []}]}, "$.entities[0].alias: unknown key"),
        ({"entities": [{"id": "a", "name": "A", "aliases": ["B", 3]}]},
         "$.entities[0].aliases[1]: expected a non-empty string"),
        ({"entities": [{"id": "a", "name": "A", "branch_of": "b"}]},
         "$.entities[0].branch_of: unknown entity id 'b'"),
        ({"entities": [{"id": "a", "name": "A"}, {"id": "a", "name": "B"}]},
         "$.entities[1].id: duplicate id 'a'"),
        ({"entities": [{"id": "a", "name": "A"}, {"id": "b", "name": "B", "aliases": ["a"]}]},
         "$.entities[1].aliases[0]: 'a' already names 'a'"),
        ({"entities": [{"id": "a", "name": "A", "part_of": "b"},
                       {"id": "b", "name": "B", "part_of": "a"}]},
         "$.entities[0]: relations form a cycle"),
    ],
)
def test_entities_errors_name_their_json_path(data: object, message: str) -> None:
    with pytest.raises(ValueError) as error:
        parse_entities(data)
    assert str(error.value).startswith(message)


def test_no_entities() -> None:
    assert parse_entities(None) == NO_ENTITIES == Entities()


# Span independence: framing around the real seed spans never changes what is found

SEEDS = [case for case in CASES if case.about.startswith(("Seed:", "Derived from seed"))]
PREFIXES = (
    "The report said ",
    "According to the UN, ",
    "As the report noted, ",
    "However, the organization does give an assurance that ",
    "The experts said that ",
)
SUFFIXES = (", the report said", ", according to the UN", ", the experts said")
MARKS = "\"'“”‘’"


def signature(result: Comparison) -> list[tuple[str, str, tuple[str, ...], tuple[str, ...]]]:
    return sorted(
        (c.kind.value, c.detail, tuple(w.text for w in c.source), tuple(w.text for w in c.outlet))
        for c in result.changes
    )


def framed(case: Case, prefix: str, suffix: str) -> tuple[str, int, int, int, int]:
    """The case's text with framing inserted around its span, outside any quotation mark
    that opens right before the span or closes right after it: the text, the span's bounds,
    and the bounds of the span widened over the framing."""
    text, start, end = case.text, case.start, case.end
    before = start - 1 if start and text[start - 1] in MARKS else start
    after = end
    while after < len(text) and text[after] in MARKS + ".,":
        after += 1
    stretches = quoted_stretches(text, 0, len(text))
    if any(a < before < b for a, b in stretches):
        prefix = ""  # the span starts inside a quotation that opens further back
    if any(a < after < b for a, b in stretches):
        suffix = ""  # the span ends inside a quotation that goes on
    new = text[:before] + prefix + text[before:after] + suffix + text[after:]
    shift = len(prefix)
    return new, start + shift, end + shift, before, after + shift + len(suffix)


@settings(max_examples=150, deadline=None)
@given(
    case=st.sampled_from(SEEDS),
    prefix=st.sampled_from(("", *PREFIXES)),
    suffix=st.sampled_from(("", *SUFFIXES)),
)
def test_framing_never_changes_what_is_found(case: Case, prefix: str, suffix: str) -> None:
    text, start, end, wide_start, wide_end = framed(case, prefix, suffix)
    narrow = compare(text, start, end, case.passage, fixture_spellings(), fixture_entities())
    wide = compare(text, wide_start, wide_end, case.passage, fixture_spellings(),
                   fixture_entities())
    assert signature(narrow) == signature(wide) == signature(run(case))
    assert narrow.quotation == run(case).quotation


def test_seed_spans_with_and_without_their_framing_agree() -> None:
    pairs = [
        ("un-2022-attack-capability-2", "redstate-paraphrase-without-framing"),
        ("aqis-works-with-taliban-enduring-interest-2", "afp-work-with-aqis-without-framing"),
        ("un-2022-attack-capability-1", "redstate-attack-capability-with-framing"),
        ("un-2022-attack-capability-1", "redstate-attack-capability-quoted-words-only"),
        ("un-2022-attack-capability-3", "blitz-attack-capability-quoted-words-only"),
    ]
    for a, b in pairs:
        assert signature(run(by_id(a))) == signature(run(by_id(b))), (a, b)


def test_changes_are_facts_not_sentences() -> None:
    tokens = {"dropped", "added", "changed", "widened", "narrowed", "substituted",
              "near-spelling", "moved"}
    for case in CASES:
        for change in run(case).changes:
            assert isinstance(change, Change)
            assert change.detail in tokens, (case.id, change.detail)


# Hostile input, in a process with bounded memory

HOSTILE = """
import resource
resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
from generator.compare import Comparison, compare
words = "the group is not believed to be capable of mounting attacks".split()
quote = " ".join(words[i % len(words)] for i in range(15000))
text = "The report said: \\u201c" + quote + "\\u201d"
passage = " ".join(words[i % len(words)] for i in range(6000)) + "."
result = compare(text, 0, len(text), passage)
assert isinstance(result, Comparison) and result.truncated
blank = compare("   \\n\\t  ", 0, 6, passage)
assert isinstance(blank, Comparison) and blank.changes == () and blank.diff == ()
assert isinstance(compare("", 0, 0, ""), Comparison)
assert isinstance(compare("abc", 5, 2, "x"), Comparison)
print("ok")
"""


def test_hostile_input_returns_a_comparison() -> None:
    done = subprocess.run(
        [sys.executable, "-c", HOSTILE], cwd=ROOT, capture_output=True, text=True, timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
