"""Anchoring: quotes -> character offsets, on the typography of the real seed articles."""

from __future__ import annotations

import pytest
from conftest import DEMO
from hypothesis import given, settings
from hypothesis import strategies as st

from generator import anchor
from generator.anchor import (
    CLOSEST_WORK,
    MAX_LISTED,
    MAX_OCCURRENCES,
    Ambiguous,
    Found,
    NotFound,
    find_span,
)
from generator.load import parse_article
from generator.text import normalise

CONTENT = DEMO / "articles"


def article_text(rel: str) -> str:
    path = CONTENT / rel
    record, problems = parse_article(path.read_text("utf-8"), rel, rel.removesuffix(".txt"))
    assert record is not None and not problems
    return record.text


SUN = "the-sun/taliban-already-offering-safe-haven.txt"
AFP = "unnamed-afp-client/taliban-maintain-ties-to-al-qaeda-affiliate.txt"
REDSTATE = "redstate/thanks-joe.txt"
BLITZ = "blitz/taliban-rule-offers-safe-haven.txt"


def found(text: str, quote: str, **kw: str) -> str:
    result = find_span(text, quote, **kw)
    assert isinstance(result, Found), result
    return text[result.start : result.end]


@pytest.mark.parametrize(
    ("rel", "typed", "printed"),
    [
        # straight quotes typed, curly printed
        (REDSTATE, 'neither ISIS nor al-Qaeda "is believed to be capable',
         "neither ISIS nor al-Qaeda “is believed to be capable"),
        # curly single quotes printed as apostrophes
        (SUN, "offering 'safe haven' to Al Qaeda", "offering ‘safe haven’ to Al Qaeda"),
        # a straight opening quote closed by a curly one, typed all straight
        (SUN, ('it adds: "The Taliban continued to maintain its relationship with Al Qaeda, '
               'providing safe haven for the terrorist group in Afghanistan."'),
         ('it adds: "The Taliban continued to maintain its relationship with Al Qaeda, '
          'providing safe haven for the terrorist group in Afghanistan.”')),
        # a non-breaking space typed as a plain space
        (AFP, "safe haven to plot attacks. But in the months since",
         "safe haven to plot attacks.\xa0But in the months since"),
        # an em dash typed as a hyphen
        (AFP, "satisfy us - that attacks against our homeland", "satisfy us — that attacks against our homeland"),
        # an en dash typed as a hyphen
        (REDSTATE, "its inability - or unwillingness - to stop", "its inability – or unwillingness – to stop"),
        # an ellipsis typed as three dots
        (BLITZ, "“in essence... left a vacuum”", "“in essence… left a vacuum”"),
        # an emoji inside the span
        (SUN, "bravely.\n🔵 Read our Afghanistan live blog", "bravely.\n🔵 Read our Afghanistan live blog"),
    ],
)
def test_typography(rel: str, typed: str, printed: str) -> None:
    assert found(article_text(rel), typed) == printed


def test_exact_match_is_marked_exact() -> None:
    text = article_text(REDSTATE)
    result = find_span(text, "neither ISIS nor al-Qaeda “is believed")
    assert isinstance(result, Found) and result.exact
    result = find_span(text, 'neither ISIS nor al-Qaeda "is believed')
    assert isinstance(result, Found) and not result.exact


def test_quote_across_a_line_break() -> None:
    text = article_text(SUN)
    quote = "The Pentagon declined to comment on the report."
    assert found(text, "We severely degraded Al Qaeda in Afghanistan.\" " + quote).endswith(quote)
    assert "\n" in found(text, "Al Qaeda in Afghanistan.\"  The Pentagon declined")


def test_ambiguous_quote_lists_every_occurrence_and_prefix_picks_one() -> None:
    text = article_text(SUN)
    quote = "The Taliban continued to maintain its relationship with Al Qaeda"
    result = find_span(text, quote)
    assert isinstance(result, Ambiguous)
    assert len(result.starts) == 2
    body = find_span(text, quote, prefix='it adds: "')
    assert isinstance(body, Found) and body.start == result.starts[1]
    pull = find_span(text, quote, suffix=", providing safe haven for the terrorist group in Afghanistan.\nPentagon")
    assert isinstance(pull, Found) and pull.start == result.starts[0]


def test_not_found_gives_the_closest_passage() -> None:
    text = article_text(BLITZ)
    result = find_span(text, "The Haqqani Network is regarded as having the closest ties to Al Qaeda")
    assert isinstance(result, NotFound)
    assert result.closest.lstrip("“\"").startswith("The Haqqani Network is still regarded")
    assert 80 <= result.similarity < 100


def test_offsets_survive_expansions_before_the_span() -> None:
    text = "a… b “c” d"
    assert found(text, 'b "c" d') == "b “c” d"
    assert found(text, "a... b") == "a… b"


@settings(max_examples=200, deadline=None)
@given(
    st.text(alphabet="ab …“”‘’\"'—–-\u00a0\n", min_size=1, max_size=40),
    st.data(),
)
def test_any_slice_of_a_text_is_found_at_its_place(text: str, data: st.DataObject) -> None:
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    quote = text[start:end]
    if not quote.strip():
        return
    result = find_span(text, quote)
    if isinstance(result, Found):
        # the span found reads the same as the quote once typography is normalised
        assert normalise(text[result.start : result.end]).text.strip() == normalise(quote).text.strip()
    else:
        assert isinstance(result, Ambiguous)


def test_a_blank_quote_is_not_looked_for() -> None:
    assert find_span("a b c " * 1000, " \n\t ") == NotFound("", 0, 0)


def test_a_quote_found_too_often_is_ambiguous_without_trying_prefix_or_suffix() -> None:
    text = "ab " * (MAX_OCCURRENCES + 5)
    result = find_span(text, "ab", prefix="no such words")
    assert result == Ambiguous(tuple(range(0, 3 * MAX_LISTED, 3)), MAX_OCCURRENCES + 1)
    few = find_span("ab " * 12, "ab")
    assert few == Ambiguous(tuple(range(0, 3 * MAX_LISTED, 3)), 12)


def test_a_long_quote_in_a_long_text_gets_the_closest_passage_of_the_whole_search(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    filler = "".join(f"word{i} " for i in range(60_000))
    passage = "The monitoring team said that neither group could mount attacks abroad " * 20
    text = filler + passage + filler
    quote = passage.replace("neither group could", "no group can", 3).strip()
    assert len(quote) * len(text) > CLOSEST_WORK  # the bounded search is the one tested
    bounded = find_span(text, quote)
    assert isinstance(bounded, NotFound)
    assert abs(bounded.start - len(filler)) < 100 and bounded.similarity >= 90
    monkeypatch.setattr(anchor, "CLOSEST_WORK", 10**15)  # the whole text, as for short quotes
    assert find_span(text, quote) == bounded


# The stage: every appearance of a site


def test_anchor_site_places_every_quote_of_the_tree() -> None:
    from conftest import RENDERING

    from generator import anchor, assemble, load, validate

    validated = validate.validate(load.load_content(RENDERING))
    site = assemble.assemble(validated.records, validated.pages, "/t")
    anchored = anchor.anchor_site(site)
    assert anchored.problems == ()
    assert set(anchored.spans) == {
        ("isil-k-al-qaeda-capability", 0), ("isil-k-al-qaeda-capability", 1),
        ("taliban-safe-haven", 0),
    }
    sun = anchored.spans[("taliban-safe-haven", 0)]
    article = site.claims[1].appearances[0].article
    # the prefix picks the second of two occurrences, in the body after `it adds: "`
    assert article.text[:sun.start].endswith('it adds: "')
    assert sun.line == article.line_of(sun.start) and sun.exact
