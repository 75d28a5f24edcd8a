"""Assemble stage: the validated records of a small tree -> the Site, frozen and fully resolved."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from conftest import RENDERING, copy_tree, replace_in

from generator import assemble, load, validate
from generator.model import (
    Attribution,
    ChangeKind,
    Cite,
    CiteKind,
    Meaning,
    PartialDate,
    QuotationKind,
    Site,
    Status,
)


def assembled(content: Path) -> tuple[Site, validate.Validated]:
    validated = validate.validate(load.load_content(content))
    return assemble.assemble(validated.records, validated.pages, "/themes/default"), validated


def test_every_reference_is_resolved_to_its_object() -> None:
    site, validated = assembled(RENDERING)
    assert validated.problems == ()
    claim = next(c for c in site.claims if c.id == "isil-k-al-qaeda-capability")
    assert claim.source is not None and claim.source.symbol == "S/2022/419"
    assert claim.passage is not None and claim.passage in claim.source.passages
    assert claim.status is Status.UNCHECKED and claim.reviewed == PartialDate(2026, 11, 22)
    assert claim.finding is not None and not claim.draft
    assert claim.short == "ISIL-K and al-Qaeda could not attack abroad before 2023, UN monitors said"
    sun = next(c for c in site.claims if c.id == "taliban-safe-haven")
    assert sun.short == sun.claim  # without a short form, the claim is its own title
    redstate, blitz = claim.appearances
    assert (redstate.index, blitz.index) == (0, 1)  # in the order written
    assert redstate.article.outlet.name == "RedState"
    assert redstate.attribution is Attribution.VIA_INTERMEDIARY
    assert blitz.reading is not None
    assert blitz.reading.quotation is QuotationKind.EXACT and blitz.reading.meaning is Meaning.CHANGED
    assert blitz.reading.changes == (ChangeKind.NEGATION, ChangeKind.SUBJECT)
    assert redstate.reading is None  # not yet reviewed
    assert str(blitz.quote_at).startswith("content/claims/isil-k-al-qaeda-capability.yaml:")
    assert blitz.article.cites == (
        Cite(CiteKind.SOURCE, "un-s-2022-419"), Cite(CiteKind.NAME, "BBC"),
    )


def test_the_site_settings_and_lists_are_sorted_by_id() -> None:
    site, _ = assembled(RENDERING)
    assert site.base_url == "https://factcheck.example/"
    assert site.publisher.contact == "https://factcheck.example/corrections/"
    assert [o.id for o in site.outlets] == sorted(o.id for o in site.outlets)
    assert [c.id for c in site.claims] == ["isil-k-al-qaeda-capability", "taliban-safe-haven"]
    assert site.build_date == PartialDate(2026, 11, 22)  # the newest review or update
    assert [p.id for p in site.pages] == ["about", "methodology"]
    about = site.pages[0]
    assert about.title == "About" and about.body.startswith("Who we are.") and about.body_line == 3
    assert site.spellings == (("Al-Qaida", "al-Qaeda", "Al Qaeda"),)


def test_the_site_is_frozen() -> None:
    site, _ = assembled(RENDERING)
    with pytest.raises(dataclasses.FrozenInstanceError):
        site.title = "x"  # type: ignore[misc]


def test_a_broken_reference_leaves_out_only_what_depends_on_it(tmp_path: Path) -> None:
    content = copy_tree(RENDERING, tmp_path, lambda c: replace_in(
        c / "sources" / "un-s-2022-419.yaml", "publisher: United Nations Security Council",
        "publisher: [not, text]"))
    site, validated = assembled(content)
    assert any("publisher: expected text" in p.message for p in validated.problems)
    assert [c.id for c in site.claims] == ["taliban-safe-haven"]
    assert "un-s-2022-419" not in {s.id for s in site.sources}


def test_a_base_url_given_on_the_command_line_wins() -> None:
    validated = validate.validate(load.load_content(RENDERING))
    site = assemble.assemble(validated.records, validated.pages, "/t", "https://preview.example")
    assert site.base_url == "https://preview.example/"
