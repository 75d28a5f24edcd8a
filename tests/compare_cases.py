"""tests/fixtures/fidelity.md -> comparison cases, and a case -> what the engine finds."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from generator.compare import Comparison, Entities, compare, parse_entities

FIXTURES = Path(__file__).resolve().parent / "fixtures"
CASES_PATH = FIXTURES / "fidelity.md"
SPELLINGS_PATH = FIXTURES / "fidelity-spellings.yaml"
ENTITIES_PATH = FIXTURES / "fidelity-entities.yaml"

_HEADING = re.compile(r"^## ([a-z0-9]+(?:-[a-z0-9]+)*)\s*$", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class Case:
    id: str
    line: int
    """1-based line of the heading in the fixture file."""
    about: str
    text: str
    """The article text without the span markers."""
    start: int
    end: int
    passage: str
    quotation: str
    changes: frozenset[str]
    """kind/detail pairs; a SUBJECT pair may carry its relation: subject/widened:branch-of."""
    gap: str | None
    """Why the engine does not meet the case yet, or None."""


def parse_cases(source: str) -> list[Case]:
    """The fixture format documented at the top of fidelity.md -> cases."""
    cases: list[Case] = []
    heads = list(_HEADING.finditer(source))
    for n, head in enumerate(heads):
        body = source[head.end() + 1 : heads[n + 1].start() if n + 1 < len(heads) else len(source)]
        line = source.count("\n", 0, head.start()) + 1
        parts = re.split(r"(?m)^\.\n", body)
        if len(parts) < 4:
            raise ValueError(f"{CASES_PATH.name}:{line}: case {head.group(1)} needs four parts")
        about, marked, passage, expected = (p.rstrip("\n") for p in parts[:4])
        if marked.count("[[") != 1 or marked.count("]]") != 1:
            raise ValueError(f"{CASES_PATH.name}:{line}: mark the span once, with [[ and ]]")
        start = marked.index("[[")
        end = marked.index("]]") - 2
        text = marked.replace("[[", "", 1).replace("]]", "", 1)
        rows = (row.partition(":") for row in expected.splitlines() if row.strip())
        fields = {key.strip(): value.strip() for key, _, value in rows}
        changes = fields.get("changes", "none")
        cases.append(Case(
            id=head.group(1),
            line=line,
            about=about.strip(),
            text=text,
            start=start,
            end=end,
            passage=passage.strip(),
            quotation=fields["quotation"],
            changes=frozenset() if changes == "none" else frozenset(
                c.strip() for c in changes.split(",") if c.strip()
            ),
            gap=fields.get("gap"),
        ))
    return cases


@lru_cache(maxsize=1)
def load_cases() -> tuple[Case, ...]:
    return tuple(parse_cases(CASES_PATH.read_text(encoding="utf-8")))


@lru_cache(maxsize=1)
def spellings() -> tuple[tuple[str, ...], ...]:
    data = yaml.safe_load(SPELLINGS_PATH.read_text(encoding="utf-8"))
    return tuple(tuple(group) for group in data["groups"])


@lru_cache(maxsize=1)
def entities() -> Entities:
    return parse_entities(yaml.safe_load(ENTITIES_PATH.read_text(encoding="utf-8")))


def run(case: Case) -> Comparison:
    return compare(case.text, case.start, case.end, case.passage, spellings(), entities())


def found(result: Comparison, expected: frozenset[str] = frozenset()) -> frozenset[str]:
    """The kind/detail pairs found, with the relation where the expectation names one."""
    pairs: set[str] = set()
    for change in result.changes:
        pair = f"{change.kind.value}/{change.detail}"
        if change.relation and any(e.startswith(pair + ":") for e in expected):
            pair = f"{pair}:{change.relation}"
        pairs.add(pair)
    return frozenset(pairs)
