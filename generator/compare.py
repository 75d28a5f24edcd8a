"""The Site and its spans -> how each outlet's words compare with the source passage (facts).

Where an editor's stated reading disagrees with the comparison, a problem says so."""

from __future__ import annotations

from dataclasses import dataclass

from generator import fidelity
from generator.errors import Problem
from generator.model import AppearanceKey, FidelityResult, Site, Span


@dataclass(frozen=True, slots=True)
class Compared:
    results: dict[AppearanceKey, FidelityResult]
    """For each placed appearance of a claim that has a source passage."""
    problems: tuple[Problem, ...]


def compare_site(site: Site, spans: dict[AppearanceKey, Span]) -> Compared:
    """Compare every placed appearance with its claim's passage. A passage whose only known
    wording comes from the very outlet being compared is not compared with it."""
    results: dict[AppearanceKey, FidelityResult] = {}
    problems: list[Problem] = []
    for claim in site.claims:
        passage = claim.passage
        if passage is None:
            continue
        for appearance in claim.appearances:
            key = (claim.id, appearance.index)
            span = spans.get(key)
            if span is None:
                continue
            article = appearance.article
            if article.outlet.id in passage.rests_on:
                result = fidelity.not_comparable()
            else:
                result = fidelity.compare(
                    article.text[span.start : span.end], passage.text, site.spellings
                )
            results[key] = result
    return Compared(results, tuple(problems))
