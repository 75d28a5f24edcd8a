"""Views stage: the checked tests/trees/rendering -> what the pages show: display order,
contexts, links, propagation chains, article groups, outlet records, timelines and lists."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from urllib.parse import unquote

import pytest
from conftest import DEMO, RENDERING, checked_of, copy_tree, replace_in, views_of

from generator import digest
from generator.model import PartialDate, Status
from generator.views import (
    _CLAIM_ID,
    _NEWEST,
    _TAGS,
    ClaimView,
    SiteViews,
    _grouped,
    _one,
    _patched_said,
    _regrouped,
    _repeated,
    _said_lists,
    _source_of,
    _status,
    merged,
    sentence_context,
)
from generator.views.propagation import HopKind
from generator.views.textfragment import escape_term, fragment_url, text_directive
from generator.views.timeline import span_of

CAPABILITY = "isil-k-al-qaeda-capability"
HAVEN = "taliban-safe-haven"


def claim_view(views: SiteViews, claim_id: str) -> ClaimView:
    return next(v for v in views.claims if v.claim.id == claim_id)


def test_appearances_are_shown_in_date_order_with_their_sentence(site_views: SiteViews) -> None:
    view = claim_view(site_views, CAPABILITY)
    # written Blitz second, RedState first; shown by date: RedState's 2022 sorts before June 2022
    assert [v.appearance.article.id for v in view.views] == ["redstate/thanks-joe", "blitz/safe-haven"]
    assert [v.number for v in view.views] == [1, 2]
    assert [v.anchor for v in view.views] == ["appearance-1", "appearance-2"]
    redstate = view.views[0]
    assert redstate.context.before == "However, the organization does give an assurance that "
    assert redstate.context.marked.startswith("neither ISIS nor al-Qaeda")
    assert redstate.context.after.startswith(", regardless of their intent")
    assert redstate.link is not None and redstate.link.startswith(
        "https://redstate.example/thanks-joe#:~:text=neither%20ISIS")
    assert view.views[1].link is None  # Blitz's address is unknown
    assert view.updated == PartialDate(2026, 11, 22) and view.articles == 2


def test_each_appearance_carries_its_comparison(site_views: SiteViews) -> None:
    blitz = claim_view(site_views, CAPABILITY).views[1]
    assert blitz.comparison is not None
    changes = {(c.kind.value, c.detail) for c in blitz.comparison.changes}
    assert {("negation", "dropped"), ("subject", "widened")} <= changes
    negation = next(c for c in blitz.comparison.changes if c.kind.value == "negation")
    assert [w.text for w in negation.source] == ["Neither", "nor"]
    assert blitz.reading_kind == "changed"
    # the evidence strikes the words the span leaves out that a detected change names
    assert [op.text for op in blitz.evidence if op.kind == "dropped"][:2] == ["Neither", "ISIL-K"]
    assert claim_view(site_views, CAPABILITY).views[0].reading_kind == "unreviewed"
    sun = claim_view(site_views, HAVEN).views[0]
    assert sun.comparison is None and sun.not_comparable and sun.evidence == ()
    assert sun.reading_kind == "not-comparable"


def test_propagation_names_an_intermediary_only_near_its_quote(site_views: SiteViews) -> None:
    chains = claim_view(site_views, CAPABILITY).chains
    as_names = [[(hop.kind, hop.name) for hop in chain] for chain in chains]
    assert [
        (HopKind.SOURCE, "S/2022/419"), (HopKind.NAMED, "The Times of Israel"),
        (HopKind.OUTLET, "RedState"),
    ] in as_names
    # Blitz cites the report and the BBC; its appearance names no intermediary: no BBC hop
    assert [(HopKind.SOURCE, "S/2022/419"), (HopKind.OUTLET, "Blitz")] in as_names
    assert not any(hop.name == "BBC" for chain in chains for hop in chain)


def test_a_wrong_attribution_without_cites_of_the_source_is_an_unknown_hop(
    site_views: SiteViews,
) -> None:
    # The Sun credits "a Pentagon watchdog report", wrongly: the name is not a step between
    # the report and The Sun, and the way the words came is unknown
    (chain,) = claim_view(site_views, HAVEN).chains
    assert [hop.kind for hop in chain] == [HopKind.SOURCE, HopKind.UNKNOWN, HopKind.OUTLET]
    assert chain[1].detail == "wrong"
    assert chain[0].ref == "lead-ig-ofs-2021-q3"


def test_groups_draw_the_most_telling_class(site_views: SiteViews) -> None:
    groups = claim_view(site_views, CAPABILITY).groups
    assert [(g.anchor, g.kind) for g in groups] == [
        ("article-1", "unreviewed"), ("article-2", "changed")]


def test_outlet_records_count_by_class(site_views: SiteViews) -> None:
    records = {view.outlet.id: view.record for view in site_views.outlets}
    assert [view.outlet.name for view in site_views.outlets] == ["Blitz", "RedState", "The Sun"]
    blitz, redstate, sun = records["blitz"], records["redstate"], records["the-sun"]
    assert (blitz.total, blitz.reviewed, len(blitz.changed)) == (1, 1, 1)
    assert blitz.changed[0].claim.id == CAPABILITY
    # an appearance without a reading is counted as such, and nowhere else
    assert (redstate.total, redstate.reviewed, redstate.unreviewed) == (1, 0, 1)
    assert redstate.changed == () and redstate.preserved == 0
    assert (sun.reviewed, sun.not_comparable, sun.changed) == (1, 1, ())


def test_an_outlets_list_patched_claim_by_claim_is_the_list_made_whole() -> None:
    """A preview server patches each outlet's list, record and newest claim where the changed
    claims stand: a claim gaining, losing or reordering appearances, gone from an outlet, or
    newer or older than every other, gives the lists a build of the whole makes."""
    demo = views_of(checked_of(DEMO)).claims
    assert any(len({v.appearance.article.outlet.id for v in c.views}) < len(c.views)
               for c in demo), "some claim has two appearances in one outlet"
    before = _said_lists(demo)
    for position, view in enumerate(demo):
        newest, oldest = ((-1, 0, 0), *view.newest[1:]), ((10**6, 0, 0), *view.newest[1:])
        for now in (
            *(dataclasses.replace(view, views=changed)
              for changed in (view.views[:-1], view.views[1:], (), view.views[::-1])),
            dataclasses.replace(view, newest=newest),
            dataclasses.replace(view, newest=oldest),
        ):
            claims = (*demo[:position], now, *demo[position + 1:])
            assert _patched_said(before, [view], [now]) == _said_lists(claims)
            assert _patched_said(_said_lists(claims), [now], [view]) == before


def test_lists_patched_claim_by_claim_are_the_lists_made_whole() -> None:
    """The home page's lists, the status groups and the tags, as a preview server patches
    them where a changed claim stands, are those a build of the whole makes: a claim that
    gains or loses a tag, changes status, date or number of articles."""
    demo = views_of(checked_of(DEMO)).claims
    lists = [(_one, _NEWEST), (_one, _repeated), (_status, _CLAIM_ID), (_TAGS, _NEWEST),
             (_source_of, _CLAIM_ID)]
    for position, view in enumerate(demo):
        claim = view.claim
        for now in (
            dataclasses.replace(view, claim=dataclasses.replace(claim, tags=(*claim.tags, "new"))),
            dataclasses.replace(view, claim=dataclasses.replace(claim, tags=claim.tags[1:])),
            dataclasses.replace(view, claim=dataclasses.replace(claim, status=Status.CONFIRMED)),
            dataclasses.replace(view, newest=((-1, 0, 0), *view.newest[1:]), articles=99),
        ):
            claims = (*demo[:position], now, *demo[position + 1:])
            for groups_of, key in lists:
                before = _grouped(demo, groups_of, key)
                assert _regrouped(before, [view], [now], groups_of, key) == _grouped(
                    claims, groups_of, key)


def test_timeline_places_the_source_and_each_article(site_views: SiteViews) -> None:
    timeline = claim_view(site_views, CAPABILITY).timeline
    assert timeline is not None
    kinds = [(row.kind, row.name, row.date) for row in timeline.rows]
    assert kinds[0] == ("source", "S/2022/419", PartialDate(2022, 5))
    assert ("unreviewed", "RedState", PartialDate(2022)) in kinds
    year = next(row for row in timeline.rows if row.name == "RedState")
    assert not year.point and year.x1 is not None and year.x2 is not None
    assert year.x2 - year.x1 > 100  # a year-precision date spans its year
    assert [tick.label for tick in timeline.ticks] == ["2022"]


def test_a_date_known_to_the_day_is_a_point() -> None:
    start, end = span_of(PartialDate(2021, 8, 17))
    assert end - start < 0.01
    start, end = span_of(PartialDate(2021, 8))
    assert round(end - start, 3) == round(1 / 12, 3)


def test_home_lists_and_status_groups(site_views: SiteViews) -> None:
    assert [v.claim.id for v in site_views.newest] == [CAPABILITY, HAVEN]
    # the most repeated list leaves out claims the newest list already shows
    assert site_views.repeated == ()
    assert [status for status, _ in site_views.by_status] == [Status.UNCHECKED]
    assert site_views.counts[Status.UNCHECKED] == 2 and site_views.counts[Status.CONFIRMED] == 0


def test_sources_list_their_claims_and_citing_articles(site_views: SiteViews) -> None:
    by_id = {view.source.id: view for view in site_views.sources}
    assert [c.claim.id for c in by_id["un-s-2022-419"].claims] == [CAPABILITY]
    assert [a.id for a in by_id["un-s-2022-419"].citing] == ["blitz/safe-haven"]
    assert [a.id for a in by_id["lead-ig-ofs-2021-q3"].citing] == ["the-sun/pentagon-report"]


def test_marks_merge_the_spans_of_each_article(site_views: SiteViews) -> None:
    assert set(site_views.marks) == {"redstate/thanks-joe", "blitz/safe-haven", "the-sun/pentagon-report"}
    assert merged([(5, 9), (0, 3), (3, 4), (8, 12)]) == [(0, 4), (5, 12)]


def test_a_quote_that_moved_in_its_article_moves_in_the_views(tmp_path: Path) -> None:
    content = copy_tree(RENDERING, tmp_path, lambda c: replace_in(
        c / "articles" / "the-sun" / "pentagon-report.txt", "Most read in The Sun\n",
        "Most read in The Sun\n\nA new first paragraph.\n"))
    before = claim_view(views_of(checked_of(RENDERING)), HAVEN).views[0].span
    after = claim_view(views_of(checked_of(content)), HAVEN).views[0].span
    assert after.start == before.start + len("\nA new first paragraph.\n")
    assert after.line == before.line + 2


def test_the_demo_views_cover_every_appearance() -> None:
    checked = checked_of(DEMO)
    demo = views_of(checked)
    shown = sum(len(view.views) for view in demo.claims)
    assert shown == len(checked.spans) == sum(len(c.appearances) for c in checked.site.claims)


# --- pieces

REDSTATE_TEXT = (
    "Trending on RedState Videos\n\nHowever, the organization does give an assurance that neither "
    "ISIS nor al-Qaeda \u201cis believed to be capable.\u201d\n\nMore text follows here.\n"
)


def test_sentence_context_stops_at_sentence_and_paragraph_ends() -> None:
    quote = "neither ISIS nor al-Qaeda"
    start = REDSTATE_TEXT.index(quote)
    context = sentence_context(REDSTATE_TEXT, start, start + len(quote))
    assert context.before == "However, the organization does give an assurance that "
    assert context.after == " \u201cis believed to be capable.\u201d"


def test_sentence_context_is_cut_on_long_sentences() -> None:
    text = "word " * 300 + "QUOTE" + " more" * 300 + "."
    start = text.index("QUOTE")
    context = sentence_context(text, start, start + 5, limit=50)
    assert context.before.startswith("… ") and len(context.before) <= 53
    assert context.after.endswith(" …") and len(context.after) <= 53
    assert context.marked == "QUOTE"


def test_text_fragment_escaping() -> None:
    assert escape_term("a-b, c & d") == "a%2Db%2C%20c%20%26%20d"
    assert escape_term("“curly” é") == "%E2%80%9Ccurly%E2%80%9D%20%C3%A9"


def test_text_fragment_short_long_and_ambiguous_quotes() -> None:
    text = "One two three. Alpha beta gamma delta. Alpha beta gamma delta again."
    first = text.index("Alpha")
    assert text_directive(text, first, first + len("Alpha beta")) == "Alpha%20beta"
    second = text.index("Alpha", first + 1)
    directive = text_directive(text, second, second + len("Alpha beta"))
    assert directive == "beta%20gamma%20delta.-,Alpha%20beta"
    long_text = "Start " + " ".join(f"w{i}" for i in range(20)) + " end."
    start = long_text.index("w0")
    directive = text_directive(long_text, start, long_text.index(" end."))
    assert directive == "w0%20w1%20w2%20w3,w16%20w17%20w18%20w19"
    url = fragment_url("https://example.org/a#top", long_text, start, start + 2)
    assert url == "https://example.org/a#:~:text=w0"


def test_text_fragment_counts_folded_white_space() -> None:
    text = "Alpha   beta.\n\n  Gamma\tdelta Alpha beta again."
    second = text.index("Alpha", 1)
    assert text_directive(text, second, second + len("Alpha beta")) == (
        "beta.%20Gamma%20delta-,Alpha%20beta"
    )


def test_text_fragment_end_words_do_not_occur_earlier_in_the_quote() -> None:
    words = list("abcdxyzabcdxyzqrst")
    text = " ".join(words)
    directive = text_directive(text, 0, len(text))
    start, end = (unquote(part) for part in directive.split(","))
    assert start == "a b c d"
    quote_rest = " ".join(words[4:])
    assert quote_rest.endswith(end) and quote_rest.count(end) == 1


def test_a_long_tuple_of_shared_objects_is_digested_by_its_members(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The digest of a long list of claim views (or a view that holds one) is made of its
    members' digests: the same for the same values made apart, another when a member, or the
    order, differs."""
    monkeypatch.setattr(digest, "LONG_TUPLE", 2)
    one, two = views_of(checked_of(DEMO)), views_of(checked_of(DEMO))
    assert one.claims is not two.claims and len(one.claims) > 2

    def of(value: object) -> bytes:
        return digest.Digests().of(value)

    assert of(one.claims) == of(two.claims)
    assert of(one.outlets) == of(two.outlets) and of(one.by_status) == of(two.by_status)
    changed = dataclasses.replace(one.claims[1], articles=one.claims[1].articles + 1)
    assert of((one.claims[0], changed, *one.claims[2:])) != of(one.claims)
    assert of(one.claims[::-1]) != of(one.claims)
    assert of(one.claims[:-1]) != of(one.claims)
    # members digested in this run, in the run before, or in neither: the same digests
    before = digest.Digests()
    before.of(one.claims)
    now = digest.Digests(previous=before)
    now.of(one.claims[2])
    edited = (one.claims[0], changed, *one.claims[2:])
    assert now.of(edited) == of(edited) and now.of(one.claims) == of(one.claims)
    # a page's context (pairs of names and values), and a value of pairs of a name and a list
    # (a template's global: the claims by status, by tag)
    compact = digest.Digests().compact
    assert isinstance(compact((("claims", one.claims),))[0][1], digest._Joined)
    assert isinstance(compact((("all", one.claims),))[0][1], digest._Joined)
    monkeypatch.setattr(digest, "LONG_TUPLE", 1000)
    assert of(one.claims) != of(two.claims[:-1])


def test_digests_a_run_did_not_need_are_carried_to_the_run_after_it(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A preview server's run that needed no digest of the claim views (`carry`) still hands
    the former run's to the next one, which then pickles none of them again; an object that
    is not the very same one is not taken."""
    site_views = views_of(checked_of(DEMO))
    first = digest.Digests()
    first.of(site_views.claims)
    idle = digest.Digests(previous=first)
    other = dataclasses.replace(site_views.claims[0])
    idle.carry([*site_views.claims, other])
    assert id(other) not in idle.memo
    following = digest.Digests(previous=idle)
    pickled: list[object] = []
    monkeypatch.setattr(following, "of", lambda value: pickled.append(value) or b"")
    for view in site_views.claims:
        assert following.of_shared(view) == first.of_shared(view)
    assert pickled == []


def test_a_digest_tells_enum_members_and_classes_apart_and_does_not_depend_on_what_was_met_before(
        ) -> None:
    """Enum members are written as their class and value, and an enum class by its name (a
    class of a metaclass, which pickle's dispatch table is asked about): the same value has
    the same digest in a fresh `Digests` and in one that has met other values first."""
    from generator.model import Attribution

    def of(value: object) -> bytes:
        return digest.Digests().of(value)

    values = [Status.CONFIRMED, Status.OUTDATED, Status, Attribution, (Status, Status.CONFIRMED),
              (Attribution.CORRECT, Status.CONFIRMED)]
    assert len({of(value) for value in values}) == len(values)
    seasoned = digest.Digests()
    site_views = views_of(checked_of(DEMO))
    seasoned.of(site_views)
    for value in (*values, site_views.claims[0], site_views):
        assert seasoned.of(value) == of(value)
