"""The Site and its spans -> what each outlet's words changed from the passage, and advice.

`compare` reads one article span against one passage and returns facts with their evidence
(the words, with their offsets): what happened inside the outlet's quotation marks, and every
candidate meaning change. `compare_site` runs it over every placed appearance and, as
warnings for the editor, names each detected change that the editor's reading does not
account for, and each appearance not yet reviewed. The editor's reading is what is
published; nothing here is a verdict."""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from itertools import pairwise
from typing import Any, NamedTuple, NoReturn

from rapidfuzz.distance import LCSseq, Levenshtein

from generator.errors import Location, Problem, warning
from generator.model import (
    NO_ENTITIES,
    Appearance,
    AppearanceKey,
    Change,
    ChangeKind,
    Comparison,
    DiffOp,
    Entities,
    Entity,
    Meaning,
    Passage,
    QuotationKind,
    QuoteEdit,
    Reading,
    Segment,
    Site,
    Span,
    Words,
)

# ---------------------------------------------------------------------------------------------
# Bounds on the work. Beyond them the comparison still returns, with what it could do, and
# Comparison.truncated set.
# ---------------------------------------------------------------------------------------------

MAX_SPAN_WORDS = 2000
"""At most this many words of the span are compared; the rest is left out (segments, diff and
changes stop there) and Comparison.truncated says so."""
MAX_PASSAGE_WORDS = 5000
"""At most this many words of the passage are aligned. The word alignment (rapidfuzz's
bit-parallel LCS, in C) keeps a table of span words x passage words bits: 2,000 x 5,000 is
1.25 MB."""
MAX_CONTEXT_WORDS = 40
"""At most this many words of the article before and after the span are read as the rest of
the clauses the span starts and ends in."""
MAX_SUBJECT_WORDS = 8
"""Across a clause of framing next to the span, the clause beyond it is read too when it has at
most this many words besides framing: the subject or the predicate the framing interrupts."""
MAX_SEGMENTS = 64
"""At most this many segments (quoted or own) are aligned one by one; further words count as
unaligned."""

ALIGN_FUNCTION_WEIGHT = 0.25
"""In a local alignment, a matched function word ("the", "of") scores this; a content word 1."""
ALIGN_GAP_PENALTY = 0.34
"""In a local alignment, each passage word skipped between two matched words costs this: three
skipped words cost about one matched content word, so a segment's region is where its words
are dense, not a scattering of common words over a long passage."""
ALIGN_EDGE_GAP = 1
"""A match just outside a segment's densest run joins it when at most this many passage words
lie between (a function word kept on the far side of a dropped word)."""
ALIGN_MIN_SCORE = 1.0
"""A segment aligns somewhere only if its best region scores at least one matched content
word."""
NEAR_SPELLING = 0.7
"""Two different words whose Levenshtein similarity (0..1) reaches this look alike ("culpable"
for "capable" scores 0.75): a WORD change named near-spelling."""
MAX_FRAMING_HEAD = 8
"""A reporting verb makes at most this many own words before it in its clause framing ("the
panel monitoring sanctions said"), stopping sooner at a named entity or a content word that
the passage has: those are the content's."""
COUNTERPART_PREFIX = 6
"""An outlet word has a counterpart in the passage when a passage word has its stem, or begins
with the same this many letters ("consultations" for "consulted", "regular" for "regularly"):
it restates the passage in other words and is no assertion."""
MAX_CREDIT_WORDS = 4
"""A headline's credit line ("Taliban Maintain Ties to Al-Qaeda Affiliate: Pentagon") has at
most this many capitalised words after its colon or dash, and ends its line."""
MAX_FRAMING_TAIL = 4
"""Words after a reporting verb that start like a tail ("in a report", "on Wednesday") are
framing too when there are at most this many."""

# ---------------------------------------------------------------------------------------------
# Vocabulary. Words are compared case folded, with straight apostrophes.
# ---------------------------------------------------------------------------------------------

NEGATIONS = frozenset({
    "not", "no", "neither", "nor", "never", "none", "nobody", "nothing", "nowhere", "cannot",
    "without",
})
"""Negation words (any word ending in n't is one too). "neither ... nor" in one clause counts
once; "not only" is not a negation."""

NEGATIVE_PREDICATES = frozenset({
    "unable", "incapable", "unwilling", "unlikely", "impossible", "fails", "failed", "lacks",
    "lacked", "denied", "denies",
})
"""Words that negate their predicate: "unable to mount attacks" keeps the negation of "not
capable of mounting attacks" in other words."""

HEDGES = frozenset({
    "believed", "believe", "believes", "likely", "probably", "probable", "possibly", "possible",
    "may", "might", "could", "perhaps", "reportedly", "allegedly", "alleged", "apparently",
    "appear", "appears", "appeared", "seem", "seems", "seemed", "seemingly", "suggest",
    "suggests", "suggested", "suggesting", "indications", "indication", "indicate",
    "indicates", "assessed", "assess", "assesses", "assessment", "estimated", "estimate",
    "estimates", "regarded", "perceived", "considered", "thought", "suspected", "presumably",
    "purportedly", "reported", "unconfirmed", "unverified", "claimed", "expected",
})
"""Hedges: words that make a statement less than certain or mark it as someone's assessment.
A clause of the passage with one, repeated by the outlet with none, is HEDGE/dropped."""

ATTRIBUTION_STARTS = frozenset({"according"})
"""A passage clause starting with one of these ("according to the Defense Intelligence Agency")
attributes the assessment it stands next to; an outlet that drops it drops a hedge."""

QUANTIFIERS = {
    "all": "all", "every": "all", "each": "all", "entire": "all", "whole": "all", "any": "any",
    "both": "both", "either": "either", "some": "some", "several": "some", "various": "some",
    "many": "many", "numerous": "many", "much": "many", "most": "most", "majority": "most",
    "few": "few", "fewer": "few", "minority": "few", "multiple": "many", "certain": "some",
}
"""Quantifiers and their class: a change of class is QUANTIFIER/changed ("all" for "some");
"every" for "all" is not a change. "most" after "the" is a superlative, not a quantifier; a
"both" dropped while both of its items remain is not a change."""

NUMERAL_WORDS = {
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30,
    "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
    "hundred": 100, "hundreds": 100, "thousand": 1000, "thousands": 1000, "million": 10**6,
    "millions": 10**6, "billion": 10**9, "dozen": 12, "dozens": 12, "half": 0.5, "twice": 2,
}
"""Numbers written as words and their value ("four" and "4" are one number). "one" is left
out: it is more often a pronoun. Any word with a digit is a number too."""

SMALL_COUNT = 10
"""A number written as a word up to this value that the outlet adds while dropping no number
names the source's own subjects ("the two groups" for "the Taliban ... and Al-Qaida")."""

MONTHS = frozenset({
    "january", "february", "april", "june", "july", "august", "september", "october",
    "november", "december",
})
"""Month names: dates wherever they stand."""

AMBIGUOUS_MONTHS = frozenset({"may", "march"})
"""Month names that are more often other words: dates only next to a word with a digit."""

APPROXIMATORS = {
    "nearly": "nearly", "almost": "nearly", "approaching": "nearly", "about": "about",
    "around": "about", "approximately": "about", "roughly": "about", "some": "about",
    "over": "over", "above": "over", "exceeding": "over", "under": "under", "below": "under",
    "least": "at-least", "up": "up-to",
}
"""Words that bound a number just before it; "nearly 3,000" for "3,000" is a NUMBER change."""

REPORTING_WORDS = frozenset({
    "said", "says", "say", "saying", "stated", "states", "state", "stating", "noted", "notes",
    "note", "noting", "added", "adds", "told", "tells", "wrote", "writes", "warned", "warns",
    "found", "finds", "concluded", "concludes", "reveals", "revealed", "indicated", "indicates",
    "highlighted", "highlights", "observed", "observes", "explained", "explains", "claims",
    "argued", "argues", "asserted", "asserts", "declared", "declares", "announced",
    "acknowledged", "insisted", "pointed", "reports", "according", "assurance", "quoted",
    "quoting", "citing", "cited", "per", "stressed", "emphasised", "emphasized", "remarked",
    "mentions", "mentioned", "identifies", "describes", "described", "documents", "calls",
    "dubbed", "termed",
})
"""Words that make a clause of the outlet's own words framing ("the report said", "according
to the UN", "As the report noted,", "does give an assurance that"): framing is neither compared
nor an assertion. Inside quotation marks they are the source's words and compared as such."""

FRAMING_AFTER = frozenset({"that", "if", "whether", "to", "out"})
"""A word right after a reporting word that still belongs to the framing ("said that", "pointed
to", "pointed out")."""

FRAMING_TAIL_STARTS = frozenset({
    "in", "on", "at", "last", "this", "earlier", "recently", "yesterday", "today", "monday",
    "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "when", "while",
})
"""A short tail after a reporting word that begins with one of these is framing ("the
Pentagon said Wednesday", "the Defense Department said in a report")."""

SOURCE_NOUNS = frozenset({
    "report", "reports", "analysis", "study", "document", "panel", "experts", "expert",
    "officials", "official", "team", "monitors", "monitoring", "researchers", "investigators",
    "assessment", "review", "paper", "findings", "authors", "committee", "council", "body",
    "organization", "organisation", "agency",
})
"""Nouns that name a document or its authors: they are never assertions."""

FUNCTION_WORDS = frozenset({
    "a", "an", "the", "of", "to", "in", "on", "at", "for", "with", "by", "from", "into", "onto",
    "and", "or", "but", "as", "than", "that", "this", "these", "those", "which", "who", "whom",
    "whose", "what", "is", "are", "was", "were", "be", "been", "being", "am", "it", "its",
    "it's", "their", "them", "they", "he", "him", "his", "she", "her", "we", "us", "our", "you",
    "your", "i", "me", "my", "has", "have", "had", "having", "do", "does", "did", "so", "such",
    "there", "here", "also", "very", "just", "then", "thus", "even", "however",
    "nonetheless", "nevertheless", "moreover", "furthermore", "meanwhile", "yet", "about",
    "over", "under", "between", "among", "against", "through", "during",
    "before", "after", "while", "when", "where", "why", "how", "if", "whether", "because",
    "since", "until", "upon", "via", "per", "would", "will", "shall", "should", "can", "must",
    "own", "same", "other", "another", "itself", "themselves", "one", "ones", "s", "'s",
})
"""Words that carry little meaning on their own. They weigh little in the alignment; added or
dropped alone they are not assertions or qualifiers (inside quotation marks they are still
quote edits)."""

RELATION_NOUNS = {
    "affiliate": "affiliate-of", "affiliates": "affiliate-of", "franchise": "affiliate-of",
    "ally": "affiliate-of", "branch": "branch-of", "branches": "branch-of", "chapter":
    "branch-of", "offshoot": "branch-of", "province": "branch-of", "wing": "part-of",
    "arm": "part-of", "faction": "part-of", "part": "part-of", "unit": "part-of",
}
"""Nouns that, next to an entity's name, name one of its related entities instead: "Al-Qaeda's
regional affiliate" is AQIS when the passage names AQIS, an affiliate of al-Qaida."""

PART_NOUNS = frozenset({
    "members", "member", "leaders", "leader", "leadership", "fighters", "fighter", "elements",
    "commanders", "commander", "officials", "figures", "operatives", "militants", "cells",
    "factions", "ranks", "supporters", "units",
})
"""Nouns after an entity's name that restrict it to some of its people ("low-level Taliban
members"): an outlet naming the entity alone drops that qualifier."""

MODIFIER_SUFFIXES = (
    "al", "ic", "ive", "ous", "ary", "ior", "ile", "ful", "less", "ist", "ese", "ical", "ern",
)
"""Endings of adjectives that restrict a noun ("international attacks", "regional leadership");
a hyphenated word ("low-level") restricts too."""

RESTRICTIVE_MODIFIERS = frozenset({
    "senior", "core", "junior", "former", "current", "alleged", "suspected", "local", "top",
    "main", "major", "minor", "certain", "key",
})
"""Modifiers without such an ending that restrict the noun they stand before."""

ADDED_CLAIM_WORDS = frozenset({
    "already", "again", "quietly", "secretly", "openly", "actively", "increasingly",
    "constantly", "newly", "now", "once", "still", "continuously", "deliberately",
})
"""Words that add a claim of their own wherever they stand ("is ALREADY offering", "is quietly
rebuilding"): an ASSERTION even where the outlet rewords the passage around them."""

COORDINATORS = frozenset({"and", "or"})
POSSESSIVE_DETERMINERS = frozenset({"their", "its", "his", "her", "our"})

# ---------------------------------------------------------------------------------------------
# Entities
# ---------------------------------------------------------------------------------------------

_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_ENTITY_KEYS = ("id", "name", "aliases", "branch_of", "affiliate_of", "part_of")
RELATIONS = (("branch_of", "branch-of"), ("affiliate_of", "affiliate-of"), ("part_of", "part-of"))
"""Entity fields naming another entity, and the relation token a Change carries."""


def parse_entities(data: Any) -> Entities:
    """Plain data as loaded from content/entities.yaml -> Entities.

    Raises ValueError naming the JSON path of the first problem ("$.entities[2].aliases[0]:
    expected a non-empty string"), so that a loader can map it to a file, line and column.
    """
    if data is None:
        return NO_ENTITIES
    if not isinstance(data, Mapping):
        _fail("$", "expected a mapping with the key entities")
    for key in data:
        if key != "entities":
            _fail(f"$.{key}", "unknown key; the only key is entities")
    items = data.get("entities", [])
    if not isinstance(items, list):
        _fail("$.entities", "expected a list")
    entities: list[Entity] = []
    seen: dict[str, str] = {}
    for index, item in enumerate(items):
        path = f"$.entities[{index}]"
        entity = _parse_entity(item, path)
        if any(e.id == entity.id for e in entities):
            _fail(f"{path}.id", f"duplicate id {entity.id!r}")
        for k, name in enumerate((entity.name, *entity.aliases)):
            folded = _fold_name(name)
            where = f"{path}.name" if k == 0 else f"{path}.aliases[{k - 1}]"
            if folded in seen and seen[folded] != entity.id:
                _fail(where, f"{name!r} already names {seen[folded]!r}")
            seen[folded] = entity.id
        entities.append(entity)
    ids = {entity.id for entity in entities}
    for index, entity in enumerate(entities):
        for field, _ in RELATIONS:
            target = getattr(entity, field)
            if target is not None and target not in ids:
                _fail(f"$.entities[{index}].{field}", f"unknown entity id {target!r}")
    result = Entities(tuple(entities))
    for index, entity in enumerate(entities):
        if any(ancestor == entity.id for ancestor, _ in _ancestors(result, entity.id)):
            _fail(f"$.entities[{index}]", f"relations form a cycle through {entity.id!r}")
    return result


def _fail(path: str, problem: str) -> NoReturn:
    raise ValueError(f"{path}: {problem}")


def _parse_entity(item: Any, path: str) -> Entity:
    if not isinstance(item, Mapping):
        _fail(path, "expected a mapping")
    for key in item:
        if key not in _ENTITY_KEYS:
            _fail(f"{path}.{key}", f"unknown key; expected one of {', '.join(_ENTITY_KEYS)}")
    for key in ("id", "name"):
        if key not in item:
            _fail(f"{path}.{key}", "missing")
    entity_id = _string(item["id"], f"{path}.id")
    if not _ID.match(entity_id):
        _fail(f"{path}.id", f"expected lower-case words joined by hyphens, got {entity_id!r}")
    aliases = item.get("aliases", [])
    if not isinstance(aliases, list):
        _fail(f"{path}.aliases", "expected a list")
    relations = {
        field: None if item.get(field) is None else _string(item[field], f"{path}.{field}")
        for field, _ in RELATIONS
    }
    return Entity(
        id=entity_id,
        name=_string(item["name"], f"{path}.name"),
        aliases=tuple(_string(a, f"{path}.aliases[{k}]") for k, a in enumerate(aliases)),
        branch_of=relations["branch_of"],
        affiliate_of=relations["affiliate_of"],
        part_of=relations["part_of"],
    )


def _string(value: Any, path: str) -> str:
    if not isinstance(value, str) or not value.strip():
        _fail(path, "expected a non-empty string")
    return value


def _fold_name(name: str) -> str:
    return " ".join(_normalise(m.group()) for m in _WORD.finditer(name))


def _ancestors(entities: Entities, entity_id: str) -> tuple[tuple[str, str], ...]:
    """(ancestor id, relation of the first step) for every entity above `entity_id`."""
    return _ancestry(entities).get(entity_id, ())


@lru_cache(maxsize=64)
def _ancestry(entities: Entities) -> Mapping[str, tuple[tuple[str, str], ...]]:
    """Every entity's ancestors through any of its relations, nearest first, each with the
    relation of the first step towards it ("branch-of" for ISIL for ISIL-K)."""
    by_id = {entity.id: entity for entity in entities.entities}
    table: dict[str, tuple[tuple[str, str], ...]] = {}
    for entity in entities.entities:
        found: dict[str, str] = {}
        queue = [
            (target, token) for field, token in RELATIONS
            if (target := getattr(entity, field)) is not None
        ]
        while queue:
            target, token = queue.pop(0)
            if target in found:
                continue
            found[target] = token
            parent = by_id.get(target)
            if parent is not None:
                queue.extend(
                    (up, token) for field, _ in RELATIONS
                    if (up := getattr(parent, field)) is not None
                )
        table[entity.id] = tuple(found.items())
    return table


# ---------------------------------------------------------------------------------------------
# Words
# ---------------------------------------------------------------------------------------------

_WORD = re.compile(
    r"(?:[^\W\d_]\.){2,}(?:['\u2019]s)?"  # initialisms: U.S., U.N.'s
    r"|[^\W_](?:[^\W_]|['\u2019\u2018\u02bc](?=[^\W_])|(?<=\d)[.,](?=\d))*"
)
"""A word: letters and digits, kept together across an apostrophe between letters ("don't",
"al-Qa'ida" is two words, "Qa'ida" one) and a comma or point between digits ("4,000")."""
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'"})
_DIGIT_GROUPING = re.compile(r"(?<=\d)[,](?=\d)")
_CLAUSE_MARKS = frozenset(",;:")
_CUTS = ",;:.!?\u2026\u2013\u2014"
"""Characters at which the article's clause context of a span surely ends (a looser cut than
_breaks, which then decides word by word)."""
_SENTENCE_MARKS = frozenset(".!?")
_DASHES = frozenset("-\u2010\u2011\u2012\u2013\u2014\u2015\u2212")

_DOUBLE_MARKS = frozenset('"\u201c\u201d\u201e\u201f\u00ab\u00bb\u2033')
_SINGLE_MARKS = frozenset("'\u2018\u2019\u201a\u201b`\u00b4\u2039\u203a")
_OPENING = frozenset("\u201c\u201e\u201f\u00ab\u2018\u201a\u201b`\u2039")
_CLOSING = frozenset("\u201d\u00bb\u2019\u00b4\u203a")
_OPEN_BEFORE = frozenset("([{\u2014\u2013-/")
_CLOSE_AFTER = frozenset(".,;:!?)]}\u2026\u2014\u2013-/")

_PASSIVE = frozenset({"is", "are", "was", "were", "be", "been", "being"})
_MARK_OR_LINE = re.compile(
    "[" + re.escape("".join(sorted(_DOUBLE_MARKS | _SINGLE_MARKS))) + "\n]"
)
_NEG = "negation"
_NUM = "number"
_QUANT = "quantifier"
_HEDGE = "hedge"
_ENTITY_PREFIX = "\x01e:"
_GROUP_PREFIX = "\x01s:"


class _Unit(NamedTuple):
    """A word, or a run of words that one spellings group or entity name covers.

    The hot internal records (_Raw, _Unit, _Lex) are NamedTuples rather than frozen
    dataclasses: as immutable, and built in C, which keeps a typical comparison within tens of
    microseconds."""

    key: str
    """What is compared: the normalised word, or one token for a spellings group or entity."""
    stem: str
    """What is aligned: the key with its inflection stripped, a number's value."""
    norm: str
    """The words normalised (case folded, straight apostrophes, digits ungrouped)."""
    printed: str
    start: int
    end: int
    entity: str | None
    quoted: bool
    """Inside the outlet's quotation marks."""
    quote: int
    """Which quotation of the article (an index of its quoted stretches), or -1."""
    clause: int
    sentence: int
    ellipsis: bool
    """An ellipsis stands between this unit and the one before."""
    hyphenated: bool
    """Written with a hyphen inside ("low-level")."""
    function: bool
    lex: _Lex


class _Lex(NamedTuple):
    """What a word is, for the detectors: worked out once per spelling."""

    function: bool
    negation: bool
    hedge: bool
    quantifier: str | None
    """Its class in QUANTIFIERS."""
    number: str | None
    """Its value, for a word with a digit, a number word or a month name."""
    digit: bool
    ambiguous_month: bool
    modifier: bool
    """Ends like a restricting adjective, or is one of RESTRICTIVE_MODIFIERS."""
    adverb: bool
    """Ends in -ly."""
    plain: bool
    """No detector but WORD, QUALIFIER and ASSERTION owns it."""


_NAME_LEX = _Lex(False, False, False, None, None, False, False, False, False, False)
"""The Lex of an entity's or spellings group's name."""


@lru_cache(maxsize=65536)
def _lex(norm: str) -> _Lex:
    digit = any(c.isdigit() for c in norm)
    negation = norm in NEGATIONS or norm.endswith("n't") or norm in NEGATIVE_PREDICATES
    number = (
        norm if digit
        else _number_text(NUMERAL_WORDS[norm]) if norm in NUMERAL_WORDS
        else norm if norm in MONTHS
        else None
    )
    function = norm in FUNCTION_WORDS
    hedge = norm in HEDGES
    quantifier = QUANTIFIERS.get(norm)
    plain = not (
        function or negation or hedge or quantifier or number is not None
        or norm in AMBIGUOUS_MONTHS or norm in ATTRIBUTION_STARTS
    )
    return _Lex(
        function=function,
        negation=negation,
        hedge=hedge,
        quantifier=quantifier,
        number=number,
        digit=digit,
        ambiguous_month=norm in AMBIGUOUS_MONTHS,
        modifier=norm in RESTRICTIVE_MODIFIERS
        or (len(norm) > 4 and norm.endswith(MODIFIER_SUFFIXES)),
        adverb=norm.endswith("ly"),
        plain=plain,
    )


@lru_cache(maxsize=65536)
def _normalise(raw: str) -> str:
    text = unicodedata.normalize("NFKC", raw).translate(_APOSTROPHES).casefold()
    if "." in text and not any(c.isdigit() for c in text):
        text = text.replace(".", "")
    return _DIGIT_GROUPING.sub("", text)


@lru_cache(maxsize=65536)
def _stem(norm: str) -> str:
    """A crude English stem, enough to align "maintains" with "maintain"."""
    if norm in NUMERAL_WORDS:
        return _number_text(NUMERAL_WORDS[norm])
    if any(c.isdigit() for c in norm):
        return norm
    word = norm.removesuffix("'s")
    word = word.rstrip("'")
    for suffix, keep in (("ies", "y"), ("ied", "y"), ("ing", ""), ("ed", ""), ("es", ""),
                         ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith("ss"):
            return word[: len(word) - len(suffix)] + keep
    return word


def _number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


@dataclass(frozen=True, slots=True, eq=False)
class _Table:
    """Spellings groups and entity names: normalised words -> one key."""

    members: Mapping[tuple[str, ...], tuple[str, str | None]]
    """Member words -> (key, entity id or None)."""
    first: Mapping[str, tuple[int, ...]]
    """A member's first word -> the member lengths starting with it, longest first."""
    entities: Entities
    ancestry: Mapping[str, tuple[tuple[str, str], ...]]
    """Entity id -> its ancestors and the relation towards each (see _ancestry)."""


@lru_cache(maxsize=64)
def _table(spellings: tuple[tuple[str, ...], ...], entities: Entities) -> _Table:
    members: dict[tuple[str, ...], tuple[str, str | None]] = {}
    for entity in entities.entities:
        for name in (entity.name, *entity.aliases):
            words = _name_words(name)
            if words:
                members.setdefault(words, (_ENTITY_PREFIX + entity.id, entity.id))
    for index, group in enumerate(spellings):
        keyed = [_name_words(member) for member in group]
        owner = next((members[w] for w in keyed if w in members and members[w][1]), None)
        value = owner or (f"{_GROUP_PREFIX}{index}", None)
        for words in keyed:
            if words:
                members.setdefault(words, value)
    first: dict[str, set[int]] = {}
    for words in members:
        first.setdefault(words[0], set()).add(len(words))
    return _Table(
        members, {w: tuple(sorted(s, reverse=True)) for w, s in first.items()}, entities,
        _ancestry(entities),
    )


def _name_words(name: str) -> tuple[str, ...]:
    return tuple(_normalise(m.group()) for m in _WORD.finditer(name))


class _Raw(NamedTuple):
    norm: str
    start: int
    end: int
    gap: str
    """The characters between the word before and this one."""


def _raw_words(text: str, start: int, end: int) -> list[_Raw]:
    out: list[_Raw] = []
    last = start
    for match in _WORD.finditer(text, start, end):
        at = match.start()
        out.append(_Raw(_normalise(match.group()), at, match.end(), text[last:at]))
        last = match.end()
    return out


def _units(
    text: str, raws: list[_Raw], table: _Table, quotes: Sequence[int] | None
) -> list[_Unit]:
    """Words -> units: spellings and entity names joined, clauses and sentences numbered."""
    units: list[_Unit] = []
    clause = sentence = 0
    i = 0
    n = len(raws)
    while i < n:
        raw = raws[i]
        size, found = _member_at(raws, i, table)
        key, entity = found if found is not None else (raw.norm, None)
        last = raws[i + size - 1]
        gap = raw.gap
        if units:
            clause_break, sentence_break = _breaks(gap)
            if sentence_break:
                sentence += 1
                clause += 1
            elif clause_break:
                clause += 1
        inner = text[raw.start : last.end]
        norm = raw.norm if size == 1 else " ".join(r.norm for r in raws[i : i + size])
        hyphenated = any(text[r.start - 1] in _DASHES for r in raws[i + 1 : i + size])
        units.append(_Unit(
            key=key,
            stem=key if found is not None else _stem(key),
            norm=norm,
            printed=inner,
            start=raw.start,
            end=last.end,
            entity=entity,
            quoted=quotes is not None and quotes[i] >= 0,
            quote=quotes[i] if quotes is not None else -1,
            clause=clause,
            sentence=sentence,
            ellipsis="\u2026" in gap or "..." in gap,
            hyphenated=hyphenated,
            function=key in FUNCTION_WORDS,
            lex=_NAME_LEX if found is not None else _lex(key),
        ))
        i += size
    return _join_hyphens(text, units)


def _member_at(
    raws: list[_Raw], i: int, table: _Table
) -> tuple[int, tuple[str, str | None] | None]:
    """The longest spellings-group member or entity name starting at word i (a possessive "'s"
    allowed on its last word): (its length in words, (key, entity id)), or (1, None)."""
    first = raws[i].norm
    lengths = table.first.get(first) or table.first.get(first.removesuffix("'s")) or ()
    for length in lengths:
        if i + length > len(raws):
            continue
        words = tuple(r.norm for r in raws[i : i + length])
        found = table.members.get(words)
        if found is None and words[-1].endswith("'s"):
            found = table.members.get((*words[:-1], words[-1][:-2]))
        if found is not None:
            return length, found
    return 1, None


def _join_hyphens(text: str, units: list[_Unit]) -> list[_Unit]:
    """Mark the parts of a hyphenated word ("low-level") so that both read as one modifier."""
    if not any(text[u.start - 1 : u.start] in _DASHES for u in units[1:]):
        return units
    out = list(units)
    for k in range(1, len(out)):
        prev, unit = out[k - 1], out[k]
        if unit.start == prev.end + 1 and text[prev.end] in _DASHES and prev.entity is None \
                and unit.entity is None:
            out[k - 1] = _replace_unit(prev, hyphenated=True)
            out[k] = _replace_unit(unit, hyphenated=True)
    return out


def _replace_unit(unit: _Unit, **changes: Any) -> _Unit:
    return unit._replace(**changes)


@lru_cache(maxsize=4096)
def _breaks(gap: str) -> tuple[bool, bool]:
    """(clause break, sentence break) for the characters between two words."""
    if gap == " " or not gap:
        return False, False
    squeezed = gap.replace("...", "").replace("\u2026", "")
    sentence = any(c in _SENTENCE_MARKS for c in squeezed) or "\n" in gap
    spaced_dash = any(c in _DASHES for c in gap) and any(c.isspace() for c in gap)
    clause = sentence or spaced_dash or squeezed != gap or any(c in _CLAUSE_MARKS for c in gap)
    return clause, sentence


@dataclass(frozen=True, slots=True, eq=False)
class _Passage:
    """A passage's words and clause structure, worked out once for all the appearances of its
    claim."""

    units: tuple[_Unit, ...]
    truncated: bool
    by_clause: Mapping[int, tuple[int, ...]]
    """Clause number -> the indexes of its units."""
    sentence_of: Mapping[int, int]
    """Clause number -> sentence number."""
    attribution: frozenset[int]
    """Clauses that only attribute or hedge ("according to the Defense Intelligence Agency",
    "officials believe"): they belong with the clause they stand next to."""
    keys: frozenset[str]
    stems: frozenset[str]
    stem_list: list[str]
    """The units' stems in order, as the alignment reads them."""
    prefixes: frozenset[str]
    """The first COUNTERPART_PREFIX letters of its longer words."""
    marks: Mapping[str, frozenset[int]]
    """negation, hedge, number, quantifier, entity -> the indexes of such units."""
    children: Mapping[tuple[str, str], str]
    """(parent entity, relation) -> the entity the passage names that stands so to it."""
    ancestry: Mapping[str, tuple[tuple[str, str], ...]]
    """The table's entity ancestry, at hand for the SUBJECT detector."""


_FLAG_BITS = ((_NEG, 1), (_HEDGE, 2), (_NUM, 4), (_QUANT, 8), ("entity", 16))


def _flags(units: Sequence[_Unit]) -> tuple[int, ...]:
    """For each unit, the kinds of meaning-bearing word it is, as bits (see _FLAG_BITS)."""
    out: list[int] = []
    for k, unit in enumerate(units):
        if unit.entity:
            out.append(16)
            continue
        lex = unit.lex
        if lex.plain:
            out.append(0)
            continue
        out.append(
            (1 if lex.negation else 0)
            | (2 if _Finder._hedge_at(units, k) else 0)
            | (4 if _is_mark_number(units, k) else 0)
            | (8 if _Finder._quantifier_at(units, k) else 0)
        )
    return tuple(out)


def _marks(flags: Sequence[int], indexes: Iterable[int]) -> dict[str, frozenset[int]]:
    """Which units the meaning detectors look at, by kind."""
    found: dict[str, set[int]] = {kind: set() for kind, _ in _FLAG_BITS}
    for k in indexes:
        f = flags[k]
        if f:
            for kind, bit in _FLAG_BITS:
                if f & bit:
                    found[kind].add(k)
    return {kind: frozenset(ks) for kind, ks in found.items()}


@lru_cache(maxsize=1024)
def _passage(passage: str, table: _Table) -> _Passage:
    raws = _raw_words(passage, 0, len(passage))
    units = tuple(_units(passage, raws[:MAX_PASSAGE_WORDS], table, None))
    by_clause: dict[int, list[int]] = {}
    for j, unit in enumerate(units):
        by_clause.setdefault(unit.clause, []).append(j)
    return _Passage(
        units=units,
        truncated=len(raws) > MAX_PASSAGE_WORDS,
        by_clause={c: tuple(js) for c, js in by_clause.items()},
        sentence_of={c: units[js[0]].sentence for c, js in by_clause.items()},
        attribution=frozenset(c for c, js in by_clause.items() if _attribution_clause(units, js)),
        keys=frozenset(u.key for u in units),
        stems=frozenset(u.stem for u in units),
        stem_list=[u.stem for u in units],
        prefixes=frozenset(
            u.norm[:COUNTERPART_PREFIX] for u in units if len(u.norm) >= COUNTERPART_PREFIX
        ),
        marks=_marks(_flags(units), range(len(units))),
        children=_children(units, table.entities),
        ancestry=table.ancestry,
    )


def _children(units: Sequence[_Unit], entities: Entities) -> dict[tuple[str, str], str]:
    children: dict[tuple[str, str], str] = {}
    for child in sorted({u.entity for u in units if u.entity}):
        for parent, relation in _ancestors(entities, child):
            children.setdefault((parent, relation), child)
    return children


def _attribution_clause(source: Sequence[_Unit], js: list[int]) -> bool:
    if source[js[0]].norm in ATTRIBUTION_STARTS:
        return True
    content = [j for j in js if not source[j].function]
    return any(source[j].lex.hedge for j in content) and all(
        source[j].lex.hedge or source[j].norm in SOURCE_NOUNS or source[j].entity
        for j in content
    )


# ---------------------------------------------------------------------------------------------
# Quotation marks
# ---------------------------------------------------------------------------------------------


def quotation_state(text: str, start: int, end: int) -> list[bool]:
    """Whether each character of text[start:end] stands inside quotation marks (see
    quoted_stretches)."""
    stretches = quoted_stretches(text, start, end)
    return [_inside(stretches, i) for i in range(start, end)]


def quoted_stretches(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The [from, to) stretches of the text up to `end` that stand inside quotation marks,
    from the start of the paragraph (the line) that `start` is in; the marks count as quoted.

    Curly and straight marks, double and single, pair within their family, so a straight
    opening mark closed by a curly one works; an apostrophe between letters, or after a word's
    final s while no single quotation is open, is not a mark; an unclosed mark runs to `end`
    or to the end of its paragraph.
    """
    para = text.rfind("\n", 0, start) + 1
    stack: list[str] = []
    out: list[tuple[int, int]] = []
    opened = para
    for match in _MARK_OR_LINE.finditer(text, para, end):
        i = match.start()
        c = text[i]
        if c == "\n":
            if stack:
                out.append((opened, i))
                stack.clear()
            continue
        role = _mark_role(text, i, stack)
        family = "d" if c in _DOUBLE_MARKS else "s"
        if role == "open":
            if not stack:
                opened = i
            stack.append(family)
        elif role == "close":
            at = len(stack) - 1 - stack[::-1].index(family)
            del stack[at:]
            if not stack:
                out.append((opened, i + 1))
    if stack:
        out.append((opened, end))
    return out


def _inside(stretches: list[tuple[int, int]], i: int) -> bool:
    at = bisect_right(stretches, (i, len_max())) - 1
    return at >= 0 and stretches[at][0] <= i < stretches[at][1]


def len_max() -> int:
    return 1 << 62


def _mark_role(text: str, i: int, stack: list[str]) -> str | None:
    """open, close, or None (an apostrophe, or a closing mark with nothing open)."""
    c = text[i]
    family = "d" if c in _DOUBLE_MARKS else "s"
    prev = text[i - 1] if i > 0 else " "
    nxt = text[i + 1] if i + 1 < len(text) else " "
    if family == "s":
        if prev.isalnum() and nxt.isalnum():
            return None
        if c in "'\u2019" and prev.isalnum() and "s" not in stack:
            return None
    left = prev.isspace() or prev in _OPEN_BEFORE or prev in _DOUBLE_MARKS or prev in _SINGLE_MARKS
    right = nxt.isspace() or nxt in _CLOSE_AFTER or nxt in _DOUBLE_MARKS or nxt in _SINGLE_MARKS
    if i == 0 or prev == "\n":
        left = True
    if left and not right:
        role = "open"
    elif right and not left:
        role = "close"
    elif c in _OPENING:
        role = "open"
    elif c in _CLOSING:
        role = "close"
    else:
        role = "close" if family in stack else "open"
    if role == "close" and family not in stack:
        return "open" if c not in _CLOSING and not right else None
    return role


# ---------------------------------------------------------------------------------------------
# The comparison
# ---------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Gap:
    outlet: list[int]
    """Indexes into the outlet's content units."""
    passage: list[int]
    """Indexes into the passage units."""
    inner: bool
    """Between two matched words (its passage words are in the region), not at an edge."""
    before: tuple[int, int] | None = None
    """The matched pair before the gap."""
    after: tuple[int, int] | None = None
    """The matched pair after the gap."""


def compare(
    text: str,
    start: int,
    end: int,
    passage: str,
    spellings: Sequence[Sequence[str]] = (),
    entities: Entities = NO_ENTITIES,
) -> Comparison:
    """Compare the outlet's words text[start:end] with the source passage.

    The span is split into the outlet's quotation (inside its marks) and its own words; framing
    ("the report said") is set aside; each segment is aligned locally to the passage; quoted
    words are compared word by word after equivalent spellings and entity aliases, and the
    whole span for meaning: negation, numbers, quantifiers, hedges, subjects, qualifiers and
    added assertions. Every finding is a fact with its evidence.

    Meaning is read over whole clauses: where the span starts or ends inside a clause of the
    article, the rest of that clause (up to MAX_CONTEXT_WORDS words) is read with it, so that
    the editor's choice of span does not change what is found ("neither ISIS nor al-Qaeda"
    before a span of only the quoted words still keeps the negation). Quote edits, WORD and
    ASSERTION changes, segments and the diff are about the span's own words.
    """
    start = max(0, min(start, len(text)))
    end = max(start, min(end, len(text)))
    # paragraphs are independent (quotations and sentences end at a line break): compare
    # within the paragraphs the span touches, and give offsets into the whole text
    base = text.rfind("\n", 0, start) + 1
    stop = text.find("\n", end)
    stop = len(text) if stop == -1 else stop
    block = text[base:stop]
    result = _compare(block, start - base, end - base, passage, spellings, entities)
    return _shifted(result, base) if base else result


def _shifted(result: Comparison, base: int) -> Comparison:
    """The comparison with the outlet's offsets moved by `base`."""

    def words(items: tuple[Words, ...]) -> tuple[Words, ...]:
        return tuple(Words(w.text, w.start + base, w.end + base) for w in items)

    return replace(
        result,
        changes=tuple(replace(c, outlet=words(c.outlet)) for c in result.changes),
        quote_edits=tuple(replace(e, outlet=words(e.outlet)) for e in result.quote_edits),
        segments=tuple(
            replace(s, start=s.start + base, end=s.end + base) for s in result.segments
        ),
    )


def _compare(
    text: str,
    start: int,
    end: int,
    passage: str,
    spellings: Sequence[Sequence[str]],
    entities: Entities,
) -> Comparison:
    table = _table(tuple(tuple(group) for group in spellings), entities)
    known = _passage(passage, table)
    source, passage_truncated = known.units, known.truncated
    article = _article(text, table)
    every = article.units
    first = bisect_right(article.ends, start)
    last = max(first, bisect_left(article.starts, end))
    truncated = passage_truncated or last - first > MAX_SPAN_WORDS
    last = min(last, first + MAX_SPAN_WORDS)
    lo, hi = _clause_context(text, every, first, last, known.keys)
    inside = range(first - lo, last - lo)
    sliced = list(every[lo:hi])
    units, inside = _relate(text, sliced, inside, known)
    flags = article.flags[lo:hi] if units is sliced else _flags(units)
    framing = _framing(text, units, known.keys)
    runs = _segment_runs(units, inside)
    if len(runs) > MAX_SEGMENTS:
        truncated = True
    pairs_by_run: list[list[tuple[int, int]]] = []
    for number, indexes in enumerate(runs):
        members = [k for k in indexes if not framing[k]]
        if number >= MAX_SEGMENTS or not members:
            pairs_by_run.append([])
            continue
        pairs_by_run.append(_local_align(units, members, source, known.stem_list))
    pairs = _chain(pairs_by_run, runs, inside)
    finder = _Finder(
        text, passage, units, flags, inside, known, framing, pairs, runs, pairs_by_run
    )
    changes, quote_edits = finder.run()
    span_pairs = [(i, j) for i, j in pairs if i in inside]
    quotation = _quotation(units, inside, runs, pairs_by_run, quote_edits)
    segments = _segments(
        text, start, end, article.stretches, units, inside, runs, pairs_by_run, source
    )
    respellings = tuple(dict.fromkeys(
        (source[j].printed, units[i].printed)
        for i, j in span_pairs
        if units[i].norm != source[j].norm and units[i].key == source[j].key
    ))
    content = sum(1 for k in inside if not framing[k])
    return Comparison(
        quotation=quotation,
        changes=tuple(changes),
        quote_edits=tuple(quote_edits),
        segments=segments,
        region=_region(span_pairs, source),
        diff=_diff(text, passage, units, inside, source, framing, span_pairs),
        respellings=respellings,
        similarity=_similarity(content, span_pairs),
        truncated=truncated,
    )


def _clause_context(
    text: str, every: Sequence[_Unit], first: int, last: int, passage_keys: frozenset[str]
) -> tuple[int, int]:
    """The article's units [lo, hi) read with the span's units [first, last): the rest of the
    clauses the span starts and ends in, and across framing that interrupts them ("Al Qaeda
    and Islamic State (ISIS), according to the UN, “is believed ...”"): a clause next to the
    span that ends (or starts) with framing is read too, and where it is all framing, so is
    the clause beyond it when it has at most MAX_SUBJECT_WORDS words. At most
    MAX_CONTEXT_WORDS words on each side; never across a sentence."""
    if first >= last:
        return first, last
    sentence = every[first].sentence
    lo = _clause_start(every, first)
    for _ in range(2):
        if lo == 0 or every[lo - 1].sentence != sentence:
            break
        if lo < first:
            # the span's clause starts with words of the article: if they are all framing,
            # the clause before them is what they interrupt
            if all(_framing(text, list(every[lo:first]), passage_keys)):
                before = _clause_start(every, lo - 1)
                if _content_size(text, every, before, lo, passage_keys) <= MAX_SUBJECT_WORDS:
                    lo = before
            break
        start = _clause_start(every, lo - 1)
        if not _framing(text, list(every[start:lo]), passage_keys)[-1]:
            break
        lo = start
    sentence = every[last - 1].sentence
    hi = _clause_end(every, last - 1)
    for _ in range(2):
        if hi >= len(every) or every[hi].sentence != sentence:
            break
        if hi > last:
            if all(_framing(text, list(every[last:hi]), passage_keys)):
                beyond = _clause_end(every, hi)
                if _content_size(text, every, hi, beyond, passage_keys) <= MAX_SUBJECT_WORDS:
                    hi = beyond
            break
        end = _clause_end(every, hi)
        if not _framing(text, list(every[hi:end]), passage_keys)[0]:
            break
        hi = end
    return max(lo, first - MAX_CONTEXT_WORDS), min(hi, last + MAX_CONTEXT_WORDS)


def _content_size(
    text: str, every: Sequence[_Unit], start: int, end: int, passage_keys: frozenset[str]
) -> int:
    """How many of the units [start, end) are not framing."""
    return sum(1 for f in _framing(text, list(every[start:end]), passage_keys) if not f)


def _clause_start(every: Sequence[_Unit], k: int) -> int:
    start = k
    clause = every[k].clause
    while start > 0 and every[start - 1].clause == clause and k - start < MAX_CONTEXT_WORDS:
        start -= 1
    return start


def _clause_end(every: Sequence[_Unit], k: int) -> int:
    end = k + 1
    while end < len(every) and every[end].clause == every[k].clause and end - k < MAX_CONTEXT_WORDS:
        end += 1
    return end


@dataclass(frozen=True, slots=True, eq=False)
class _Article:
    """A stretch of an article (the paragraphs a span touches), its words worked out once for
    all the spans compared in it."""

    units: tuple[_Unit, ...]
    flags: tuple[int, ...]
    """See _flags."""
    starts: list[int]
    ends: list[int]
    stretches: list[tuple[int, int]]
    """The stretches inside quotation marks (see quoted_stretches)."""


@lru_cache(maxsize=1024)
def _article(text: str, table: _Table) -> _Article:
    raws = _raw_words(text, 0, len(text))
    stretches = quoted_stretches(text, 0, len(text))
    quotes: list[int] = []
    at = 0
    for raw in raws:
        while at < len(stretches) and stretches[at][1] <= raw.start:
            at += 1
        quotes.append(at if at < len(stretches) and stretches[at][0] <= raw.start else -1)
    units = tuple(_units(text, raws, table, quotes))
    return _Article(
        units, _flags(units), [u.start for u in units], [u.end for u in units], stretches
    )


def _relate(
    text: str, units: list[_Unit], inside: range, known: _Passage
) -> tuple[list[_Unit], range]:
    """An entity named with a relation noun ("Al-Qaeda's regional affiliate", "Al-Qaeda
    Affiliate") stands for the related entity the passage names (AQIS), in the outlet's own
    words: the name, the relation noun and the modifiers between become one unit. Returns the
    units and the span's indexes among them."""
    children = known.children
    named = set(children.values())
    if not children or not any(
        u.entity and u.entity not in named and not u.quoted for u in units
    ):
        return units, inside
    out: list[_Unit] = []
    origin: list[int] = []
    k = 0
    while k < len(units):
        unit = units[k]
        origin.append(k)
        joined = None
        if unit.entity and not unit.quoted and unit.entity not in named:
            for size in (1, 2, 3):
                if k + size >= len(units):
                    break
                nxt = units[k + size]
                if nxt.quoted or nxt.clause != unit.clause:
                    break
                relation = RELATION_NOUNS.get(nxt.norm)
                child = children.get((unit.entity, relation)) if relation else None
                if child is not None:
                    joined = _replace_unit(
                        unit, key=_ENTITY_PREFIX + child, stem=_ENTITY_PREFIX + child,
                        entity=child, end=nxt.end, norm=unit.norm + " " + nxt.norm,
                        printed=text[unit.start : nxt.end],
                    )
                    k += size + 1
                    break
                if not (nxt.function or _modifier_like(nxt)):
                    break
        if joined is not None:
            out.append(joined)
        else:
            out.append(unit)
            k += 1
    if len(out) == len(units):
        return units, inside  # nothing joined
    mine = [n for n, k in enumerate(origin) if k in inside]
    return out, range(mine[0], mine[-1] + 1) if mine else range(0)


def _framing(text: str, units: list[_Unit], passage_keys: frozenset[str]) -> list[bool]:
    """Which of the outlet's own words frame the content ("the report said that")."""
    framing = [False] * len(units)
    k = 0
    while k < len(units):
        if units[k].quoted:
            k += 1
            continue
        j = k
        while j + 1 < len(units) and not units[j + 1].quoted \
                and units[j + 1].clause == units[k].clause:
            j += 1
        _frame_run(units, k, j + 1, framing, passage_keys)
        if _credit_line(text, units, k, j + 1):
            for n in range(k, j + 1):
                framing[n] = True
        k = j + 1
    return framing


def _credit_line(text: str, units: list[_Unit], start: int, end: int) -> bool:
    """A headline's credit after a colon or dash at the end of its line ("...: Pentagon")."""
    if start == 0 or end - start > MAX_CREDIT_WORDS:
        return False
    gap = text[units[start - 1].end : units[start].start]
    if ":" not in gap and not any(c in _DASHES for c in gap):
        return False
    last = units[end - 1]
    line_end = text.find("\n", last.end)
    rest = text[last.end : len(text) if line_end == -1 else line_end]
    if rest.strip(" .\u00a0"):
        return False
    return all(u.printed[:1].isupper() for u in units[start:end])


def _frame_run(
    units: list[_Unit], start: int, end: int, framing: list[bool],
    passage_keys: frozenset[str],
) -> None:
    """Mark the framing in one clause of the outlet's own words: each reporting word with its
    subject before it and "that" (or a short tail) after it; "according to" with the rest of
    its clause; a clause of nothing but function words and source nouns ("In the report")."""
    run = units[start:end]
    at = next((k for k, u in enumerate(run) if u.norm in REPORTING_WORDS), None)
    if at is None:
        if all(u.function or u.norm in SOURCE_NOUNS for u in run) and any(
            u.norm in SOURCE_NOUNS for u in run
        ):
            for k in range(start, end):
                framing[k] = True
        return
    marker = run[at]
    if marker.norm == "according":
        if at + 1 < len(run) and run[at + 1].norm == "to":
            first = 0 if all(u.function for u in run[:at]) else at
            named = [u for u in run[at + 2 :] if not u.function and u.norm not in SOURCE_NOUNS]
            if marker.key in passage_keys and named and all(u.key in passage_keys for u in named):
                return
            for k in range(start + first, end):
                framing[k] = True
        else:
            _frame_run(units, start + at + 1, end, framing, passage_keys)
        return
    after = run[at + 1 :]
    stop = at + 1
    if after and after[0].norm in FRAMING_AFTER:
        stop = at + 2
    elif not after or (after[0].norm in FRAMING_TAIL_STARTS and len(after) <= MAX_FRAMING_TAIL):
        stop = len(run)
    if at and run[at - 1].norm in _PASSIVE:
        first = at - 1  # "X is said to": the subject is content
    else:
        first = _framing_head(run, at, passage_keys)
    head = [u for u in run[first:at] if not u.function and u.norm not in SOURCE_NOUNS]
    if not (head and marker.key in passage_keys and all(u.key in passage_keys for u in head)):
        for k in range(start + first, start + stop):
            framing[k] = True
    if start + stop < end:
        _frame_run(units, start + stop, end, framing, passage_keys)


def _framing_head(run: list[_Unit], at: int, passage_keys: frozenset[str]) -> int:
    """Where the reporting verb's own subject starts ("the panel" in "the panel said"): back
    over at most MAX_FRAMING_HEAD words, stopping at a named entity or at a content word the
    passage has, which belong to the content ("Al Qaeda and Islamic State (ISIS) the report
    said" frames only "the report said")."""
    first = at
    while first > 0 and at - first < MAX_FRAMING_HEAD:
        unit = run[first - 1]
        if unit.entity or (
            not unit.function and unit.norm not in SOURCE_NOUNS and unit.key in passage_keys
        ):
            break
        first -= 1
    return first


def _segment_runs(units: list[_Unit], inside: range) -> list[list[int]]:
    """Unit indexes grouped into runs of the same quotation state; the span's words and the
    clause context around them are never in one run, so that the context cannot move the
    span's own alignment."""
    runs: list[list[int]] = []
    for k, unit in enumerate(units):
        before = runs[-1][-1] if runs else -1
        if runs and units[before].quote == unit.quote and (before in inside) == (k in inside):
            runs[-1].append(k)
        else:
            runs.append([k])
    return runs


def _local_align(
    units: list[_Unit], members: list[int], source: Sequence[_Unit], stems: list[str]
) -> list[tuple[int, int]]:
    """The best-matching region of the passage for one segment: (outlet unit, passage unit)
    pairs. rapidfuzz's LCS over word stems proposes matches; the densest run of them (see
    ALIGN_GAP_PENALTY) is the region; a second LCS over the region, widened by as many words
    as the segment has before and after its matches there, and the same choice of the densest
    run, give the pairs."""
    if not source:
        return []
    a = [units[k].stem for k in members]
    b = stems
    chosen = _densest(_matches(a, b, 0), units, members, source)
    if not chosen:
        return []
    if len(chosen) == len(members):
        return [(members[x], y) for x, y in chosen]  # every word matched: nothing to refine
    (x0, y0), (x1, y1) = chosen[0], chosen[-1]
    lo = max(0, y0 - x0)
    hi = min(len(b), y1 + 1 + (len(a) - 1 - x1))
    refined = _densest(_matches(a, b[lo:hi], lo), units, members, source)
    return [(members[x], y) for x, y in (refined or chosen)]


def _matches(a: list[str], b: list[str], offset: int) -> list[tuple[int, int]]:
    blocks = LCSseq.editops(a, b).as_matching_blocks()
    return [(x + d, offset + y + d) for x, y, size in blocks for d in range(size)]


def _densest(
    matches: list[tuple[int, int]], units: list[_Unit], members: list[int],
    source: Sequence[_Unit],
) -> list[tuple[int, int]]:
    """The run of matches with the best score (a content word 1, a function word
    ALIGN_FUNCTION_WEIGHT, less ALIGN_GAP_PENALTY per passage word skipped, none across an
    outlet's ellipsis), or none below ALIGN_MIN_SCORE."""
    best_score, best = 0.0, (0, -1)
    score, first = 0.0, 0
    for n, (x, y) in enumerate(matches):
        weight = ALIGN_FUNCTION_WEIGHT if source[y].function else 1.0
        if n:
            gap = y - matches[n - 1][1] - 1
            if units[members[x]].ellipsis:
                gap = 0  # the outlet marks the omission
            carried = score - ALIGN_GAP_PENALTY * gap
            if carried > 0:
                score = carried + weight
            else:
                score, first = weight, n
        else:
            score, first = weight, 0
        if score > best_score:
            best_score, best = score, (first, n)
    if best_score < ALIGN_MIN_SCORE:
        return []
    lo, hi = best
    # take in matches just outside the run ("is" before "not capable" when the outlet drops
    # the "not"): at most ALIGN_EDGE_GAP passage words away
    while lo > 0 and matches[lo][1] - matches[lo - 1][1] - 1 <= ALIGN_EDGE_GAP:
        lo -= 1
    while hi + 1 < len(matches) and matches[hi + 1][1] - matches[hi][1] - 1 <= ALIGN_EDGE_GAP:
        hi += 1
    return matches[lo : hi + 1]


def _chain(
    pairs_by_run: list[list[tuple[int, int]]], runs: list[list[int]], inside: range
) -> list[tuple[int, int]]:
    """All runs' pairs in outlet order with the passage order increasing: the span's runs
    first, in order (a run that aligns before the one it follows keeps only the pairs that do
    not cross), then the context's pairs where they fit before or after them."""
    chain: list[tuple[int, int]] = []
    for run, pairs in zip(runs, pairs_by_run, strict=True):
        if run[0] not in inside:
            continue
        for i, j in pairs:
            if not chain or (j > chain[-1][1] and i > chain[-1][0]):
                chain.append((i, j))
    before: list[tuple[int, int]] = []
    after: list[tuple[int, int]] = []
    for run, pairs in zip(runs, pairs_by_run, strict=True):
        if run[0] in inside:
            continue
        for i, j in pairs:
            if not chain or i < chain[0][0] and j < chain[0][1]:
                side = before
            elif i > chain[-1][0] and j > chain[-1][1]:
                side = after
            else:
                continue
            if not side or (j > side[-1][1] and i > side[-1][0]):
                side.append((i, j))
    if not chain:
        return before
    before = [(i, j) for i, j in before if i < chain[0][0] and j < chain[0][1]]
    return before + chain + after


def _region(pairs: list[tuple[int, int]], source: Sequence[_Unit]) -> tuple[int, int] | None:
    if not pairs:
        return None
    return source[pairs[0][1]].start, source[pairs[-1][1]].end


def _similarity(content: int, pairs: list[tuple[int, int]]) -> float:
    """The Dice ratio of the matched words: 2 x matched / (outlet words + region words)."""
    if not pairs or not content:
        return 0.0
    window = pairs[-1][1] - pairs[0][1] + 1
    return round(min(1.0, 2 * len(pairs) / (content + window)), 4)


# ---------------------------------------------------------------------------------------------
# Finding changes
# ---------------------------------------------------------------------------------------------


def _is_mark_number(units: Sequence[_Unit], k: int) -> bool:
    """A number or a date: a word with a digit, a number word, a month ("May" and "March"
    only next to a word with a digit)."""
    lex = units[k].lex
    if lex.number is not None:
        return True
    if lex.ambiguous_month:
        return any(0 <= n < len(units) and units[n].lex.digit for n in (k - 1, k + 1))
    return False


_UP_TO = (["as", "many", "as"], ["as", "much", "as"])
_AT_LEAST = (["as", "few", "as"], ["as", "little", "as"])


def _number_key(units: Sequence[_Unit], k: int) -> str:
    """A number's value with the bound the words before it put on it: "nearly:3000" for
    "nearly 3,000", "over:40" for "more than 40", "up-to:200" for "as many as 200"."""
    norm = units[k].norm
    value = _number_text(NUMERAL_WORDS[norm]) if norm in NUMERAL_WORDS else norm
    before = [units[x].norm for x in range(max(0, k - 3), k)]
    bound = APPROXIMATORS.get(before[-1], "") if before else ""
    if before[-2:] in (["more", "than"], ["over", "than"]):
        bound = "over"
    elif before[-2:] in (["fewer", "than"], ["less", "than"]):
        bound = "under"
    elif before[-2:] == ["up", "to"] or before[-3:] in _UP_TO:
        bound = "up-to"
    elif before[-2:] == ["at", "least"] or before[-3:] in _AT_LEAST:
        bound = "at-least"
    return f"{bound}:{value}"


def _is_negation(norm: str) -> bool:
    return _lex(norm).negation


def _modifier_like(unit: _Unit) -> bool:
    """A word that restricts the noun after it: hyphenated ("low-level") or ending like an
    adjective ("international"), and owned by no other detector."""
    lex = unit.lex
    return lex.plain and not lex.adverb and not unit.entity and (unit.hyphenated or lex.modifier)


def _words(units: Sequence[_Unit], indexes: Iterable[int], text: str) -> tuple[Words, ...]:
    """Contiguous runs of units -> Words as printed."""
    out: list[Words] = []
    run: list[int] = []
    for k in sorted(set(indexes)):
        if run and k != run[-1] + 1:
            out.append(_word_run(units, run, text))
            run = []
        run.append(k)
    if run:
        out.append(_word_run(units, run, text))
    return tuple(out)


def _word_run(units: Sequence[_Unit], run: list[int], text: str) -> Words:
    first, last = units[run[0]], units[run[-1]]
    printed = _printed(text, first.start, last.end)
    return Words(printed, first.start, first.start + len(printed))


class _Finder:
    """The detectors, sharing one alignment."""

    def __init__(
        self,
        text: str,
        passage: str,
        units: list[_Unit],
        flags: Sequence[int],
        inside: range,
        known: _Passage,
        framing: list[bool],
        pairs: list[tuple[int, int]],
        runs: list[list[int]],
        pairs_by_run: list[list[tuple[int, int]]],
    ) -> None:
        self.text = text
        self.passage = passage
        self.units = units
        self.inside = inside
        """The indexes of the span's own units (the rest is the clause around it)."""
        self.known = known
        self.source = known.units
        self.framing = framing
        self.pairs = pairs
        self.matched = dict(pairs)
        self.matched_source = {j: i for i, j in pairs}
        self.pair_js = [j for _, j in pairs]
        self.content = [k for k in range(len(units)) if not framing[k]]
        self.marks = _marks(flags, self.content)
        """The outlet's content units the meaning detectors look at, by kind."""
        self.aligned_quotes = {
            units[i].quote for run, pairs in zip(runs, pairs_by_run, strict=True) if pairs
            for i in run[:1] if units[i].quoted
        }
        """The article's quotations (by index) that align somewhere in the passage."""
        self.gaps = self._gaps()
        self.changes: list[Change] = []
        self.edits: list[QuoteEdit] = []

    # evidence -------------------------------------------------------------------------------

    def out_words(self, indexes: Iterable[int]) -> tuple[Words, ...]:
        return _words(self.units, indexes, self.text)

    def src_words(self, indexes: Iterable[int]) -> tuple[Words, ...]:
        return _words(self.source, indexes, self.passage)

    def add(
        self, kind: ChangeKind, detail: str, source: Iterable[int], outlet: Iterable[int],
        relation: str | None = None,
    ) -> None:
        outlet = list(outlet)
        source = list(source)
        if outlet:
            quoted = all(self.units[k].quoted for k in outlet)
        else:
            quoted = self._dropped_inside_quote(source)
        change = Change(kind, detail, self.src_words(source), self.out_words(outlet), quoted,
                        relation)
        if change not in self.changes:
            self.changes.append(change)

    def _dropped_inside_quote(self, source: list[int]) -> bool:
        """Passage words the outlet dropped stand inside its quotation marks when the matched
        words on both sides of them are in one quotation."""
        if not source or not self.pairs:
            return False
        js = self.pair_js
        at = bisect_left(js, min(source))
        if at == 0 or at >= len(js) or js[at] <= max(source):
            return False
        before, after = self.units[self.pairs[at - 1][0]], self.units[self.pairs[at][0]]
        return before.quoted and before.quote == after.quote

    # alignment gaps --------------------------------------------------------------------------

    def _gaps(self) -> list[_Gap]:
        """The outlet's unmatched content words with the passage words they stand against."""
        gaps: list[_Gap] = []
        content = self.content
        if not self.pairs:
            if content:
                gaps.append(_Gap(list(content), [], False))
            return gaps
        position = {k: n for n, k in enumerate(content)}
        first_i, first_j = self.pairs[0]
        lead = [k for k in content if k < first_i]
        sentence_start = first_j
        sentence = self.source[first_j].sentence
        while sentence_start > 0 and self.source[sentence_start - 1].sentence == sentence:
            sentence_start -= 1
        gaps.append(_Gap(lead, list(range(sentence_start, first_j)), False, None, self.pairs[0]))
        for (i1, j1), (i2, j2) in pairwise(self.pairs):
            if i2 == i1 + 1 and j2 == j1 + 1:
                continue  # nothing between two neighbouring matches
            outlet = content[position[i1] + 1 : position[i2]]
            if outlet or j2 > j1 + 1:
                gaps.append(_Gap(outlet, list(range(j1 + 1, j2)), True, (i1, j1), (i2, j2)))
        last_i, last_j = self.pairs[-1]
        trail = [k for k in content if k > last_i]
        sentence_end = last_j + 1
        sentence = self.source[last_j].sentence
        while sentence_end < len(self.source) and self.source[sentence_end].sentence == sentence:
            sentence_end += 1
        gaps.append(
            _Gap(trail, list(range(last_j + 1, sentence_end)), False, self.pairs[-1], None)
        )
        return gaps

    # components: passage clauses and outlet clauses joined by matched words ----------------

    def components(self) -> list[tuple[list[int], list[int]]]:
        """(passage unit indexes, outlet content unit indexes) per group of clauses that the
        alignment joins; meaning is compared within each."""
        parent: dict[tuple[str, int], tuple[str, int]] = {}

        def find(x: tuple[str, int]) -> tuple[str, int]:
            while parent.setdefault(x, x) != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        def union(x: tuple[str, int], y: tuple[str, int]) -> None:
            parent[find(x)] = find(y)

        units, source = self.units, self.source
        for o_clause, p_clause in {(units[i].clause, source[j].clause) for i, j in self.pairs}:
            union(("o", o_clause), ("p", p_clause))
        aligned_p = sorted({source[j].clause for _, j in self.pairs})
        # passage clauses between aligned clauses of one sentence, and attribution or hedge
        # clauses next to one, belong with them
        by_clause, sentence_of = self.known.by_clause, self.known.sentence_of
        sentences = {sentence_of[a] for a in aligned_p}
        for c in by_clause:
            if c in aligned_p or sentence_of[c] not in sentences:
                continue
            same = [a for a in aligned_p if sentence_of[a] == sentence_of[c]]
            between = min(same) < c < max(same)
            if between or c in self.known.attribution:
                nearest = min(same, key=lambda a: (abs(a - c), a))
                union(("p", c), ("p", nearest))
        # outlet clauses without a matched word, in a sentence with one, join the nearest
        content_clauses: dict[int, list[int]] = {}
        for k in self.content:
            content_clauses.setdefault(units[k].clause, []).append(k)
        aligned_o = sorted({units[i].clause for i, _ in self.pairs})
        for c, ks in content_clauses.items():
            if c in aligned_o:
                continue
            sentence = units[ks[0]].sentence
            same = [a for a in aligned_o if units[content_clauses[a][0]].sentence == sentence]
            if same and sum(1 for k in ks if not units[k].function) <= 3:
                nearest = min(same, key=lambda a: (a < c, abs(a - c)))
                union(("o", c), ("o", nearest))
        groups: dict[tuple[str, int], tuple[list[int], list[int]]] = {}
        for c, js in by_clause.items():
            if ("p", c) in parent:
                groups.setdefault(find(("p", c)), ([], []))[0].extend(js)
        for c, ks in content_clauses.items():
            if ("o", c) in parent:
                groups.setdefault(find(("o", c)), ([], []))[1].extend(ks)
        return [
            (sorted(p), sorted(o)) for _, (p, o) in sorted(groups.items()) if p and o
        ]

    # the detectors ---------------------------------------------------------------------------

    def run(self) -> tuple[list[Change], list[QuoteEdit]]:
        src, out = self.known.marks, self.marks
        has = {kind: bool(src[kind] or out[kind]) for kind in src}
        for p, o in self.components():
            if has[_NEG]:
                self.negation(p, o)
            if has[_HEDGE]:
                self.hedge(p, o)
            if has[_NUM] or has[_QUANT]:
                scope = self.scope(p, o)
                if has[_NUM]:
                    self.number(scope, o, p)
                if has[_QUANT]:
                    self.quantifier(scope, o)
            if src["entity"] and out["entity"]:
                self.subject(p, o)
                self.qualifier_entities(p, o)
            if src[_NUM]:
                self.qualifier_counted(p, o)
        self.gap_changes()
        self.quote_respellings()
        order = {kind: n for n, kind in enumerate(ChangeKind)}
        self.changes.sort(key=lambda c: (
            order[c.kind],
            min((w.start for w in c.source), default=-1),
            min((w.start for w in c.outlet), default=-1),
        ))
        self.edits.sort(key=lambda e: (
            min((w.start for w in e.outlet), default=-1),
            min((w.start for w in e.source), default=-1),
        ))
        return self.changes, self.edits

    def hull(self, p: list[int]) -> list[int]:
        """The passage words of a component between its first and last matched word."""
        matched = [j for j in p if j in self.matched_source]
        if not matched:
            return []
        lo, hi = min(matched), max(matched)
        return [j for j in p if lo <= j <= hi]

    def scope(self, p: list[int], o: list[int]) -> list[int]:
        """The passage words whose numbers and quantifiers the outlet's words stand for: the
        hull, the words just before a matched word they modify ("Most fighters"), and the rest
        of the component's clauses where the outlet goes on in its own words past its last
        (or before its first) matched word ("anytime soon" for "before 2023 at the earliest")."""
        hull = self.hull(p)
        matched_o = [k for k in o if k in self.matched]
        if not hull or not matched_o:
            return hull
        units = self.units
        lo, hi = hull[0], hull[-1]
        first_o, last_o = matched_o[0], matched_o[-1]
        before = any(not units[k].function for k in o if k < first_o)
        after = any(not units[k].function for k in o if k > last_o)
        picked = set(hull)
        for j in p:
            if (j < lo and (before or self._modifies_match(j))) or (j > hi and after):
                picked.add(j)
        return sorted(picked)

    def _modifies_match(self, j: int) -> bool:
        source = self.source
        for x in range(j + 1, min(len(source), j + 4)):
            if source[x].clause != source[j].clause:
                return False
            if x in self.matched_source:
                return True
            if not source[x].function:
                return False
        return False

    def negation(self, p: list[int], o: list[int]) -> None:
        src = self._negations(self.source, p)
        out = self._negations(self.units, o)
        if len(src) > len(out):
            self.add(ChangeKind.NEGATION, "dropped", [j for group in src for j in group], [])
        elif len(out) > len(src):
            self.add(ChangeKind.NEGATION, "added", [], [k for group in out for k in group])

    @staticmethod
    def _negations(units: Sequence[_Unit], indexes: list[int]) -> list[list[int]]:
        groups: list[list[int]] = []
        neither: dict[int, list[int]] = {}
        for n, k in enumerate(indexes):
            if not units[k].lex.negation:
                continue
            norm = units[k].norm
            if norm == "not" and n + 1 < len(indexes) and units[indexes[n + 1]].norm == "only":
                continue
            if norm == "nor" and units[k].clause in neither:
                neither[units[k].clause].append(k)
                continue
            group = [k]
            if norm == "neither":
                neither[units[k].clause] = group
            groups.append(group)
        return groups

    def hedge(self, p: list[int], o: list[int]) -> None:
        src = [j for j in p if j in self.known.marks[_HEDGE]]
        out = [k for k in o if k in self.marks[_HEDGE]]
        if src and not out:
            words = list(src)
            for j in src:
                if self.source[j].norm in ATTRIBUTION_STARTS:
                    words.extend(x for x in p if self.source[x].clause == self.source[j].clause)
            self.add(ChangeKind.HEDGE, "dropped", words, [])

    @staticmethod
    def _hedge_at(units: Sequence[_Unit], k: int) -> bool:
        unit = units[k]
        if unit.norm in ATTRIBUTION_STARTS:
            return k + 1 < len(units) and units[k + 1].norm == "to"
        if not unit.lex.hedge and not unit.lex.ambiguous_month:
            return False
        if unit.norm == "may":
            return not _is_mark_number(units, k)
        return unit.lex.hedge

    def number(self, hull: list[int], o: list[int], p: list[int]) -> None:
        """Numbers and dates of the passage's scope against the outlet's (bounds such as
        "nearly" count; "four" is "4")."""
        src = [j for j in hull if j in self.known.marks[_NUM]]
        out = [k for k in o if k in self.marks[_NUM]]
        if not src and not out:
            return
        src_keys = Counter(_number_key(self.source, j) for j in src)
        out_keys = Counter(_number_key(self.units, k) for k in out)
        dropped = [j for j in src if _take(out_keys, _number_key(self.source, j))]
        added = [k for k in out if _take(src_keys, _number_key(self.units, k))]
        if added and not dropped:
            # a number of the component's clauses outside the hull may be what the outlet
            # changed at an edge ("approaching 6,000" for "4,000 to 6,000")
            extra = [j for j in p if j not in hull and _is_mark_number(self.source, j)]
            spare = Counter(_number_key(self.units, k) for k in added)
            dropped = [j for j in extra if _take(spare, _number_key(self.source, j))]
            if len(dropped) == len(extra):
                dropped = [] if not extra else dropped
        if not dropped and added and all(
            self.units[k].norm in NUMERAL_WORDS
            and NUMERAL_WORDS[self.units[k].norm] <= SMALL_COUNT
            for k in added
        ):
            return
        if dropped and added:
            self.add(ChangeKind.NUMBER, "changed", dropped, added)
        elif dropped:
            self.add(ChangeKind.NUMBER, "dropped", dropped, [])
        elif added:
            self.add(ChangeKind.NUMBER, "added", [], added)

    def quantifier(self, hull: list[int], o: list[int]) -> None:
        src = [j for j in hull if j in self.known.marks[_QUANT]]
        out = [k for k in o if k in self.marks[_QUANT]]
        if not src and not out:
            return
        out_keys = Counter(QUANTIFIERS[self.units[k].norm] for k in out)
        src_keys = Counter(QUANTIFIERS[self.source[j].norm] for j in src)
        dropped = [j for j in src if _take(out_keys, QUANTIFIERS[self.source[j].norm])]
        added = [k for k in out if _take(src_keys, QUANTIFIERS[self.units[k].norm])]
        dropped = [j for j in dropped if not self._both_kept(j)]
        if dropped and added:
            self.add(ChangeKind.QUANTIFIER, "changed", dropped, added)
        elif dropped:
            self.add(ChangeKind.QUANTIFIER, "dropped", dropped, [])
        elif added:
            self.add(ChangeKind.QUANTIFIER, "added", [], added)

    @staticmethod
    def _quantifier_at(units: Sequence[_Unit], k: int) -> bool:
        if units[k].lex.quantifier is None:
            return False
        norm = units[k].norm
        if norm == "most" and k > 0 and units[k - 1].norm == "the":
            return False
        if k > 0 and units[k - 1].norm == "as" and k + 1 < len(units) and units[k + 1].norm == "as":
            return False  # "as many as 200" bounds a number
        if norm == "some" and k + 1 < len(units) and _is_mark_number(units, k + 1):
            return False
        return not (norm == "certain" and k + 1 < len(units) and units[k + 1].function)

    def _both_kept(self, j: int) -> bool:
        """A dropped "both" (or "either") whose two items the outlet still names."""
        source = self.source
        if source[j].norm not in ("both", "either"):
            return False
        joiner = "and" if source[j].norm == "both" else "or"
        end = next(
            (x for x in range(j + 1, min(len(source), j + 12))
             if source[x].norm == joiner and source[x].clause == source[j].clause),
            None,
        )
        if end is None:
            return False
        before = any(x in self.matched_source for x in range(j + 1, end))
        after = any(
            x in self.matched_source
            for x in range(end + 1, min(len(source), end + 6))
            if source[x].clause == source[j].clause
        )
        return before and after

    def subject(self, p: list[int], o: list[int]) -> None:
        src: dict[str, list[int]] = {}
        for j in p:
            entity = self.source[j].entity
            if entity:
                src.setdefault(entity, []).append(j)
        out: dict[str, list[int]] = {}
        for k in o:
            entity = self.units[k].entity
            if entity:
                out.setdefault(entity, []).append(k)
        dropped = [e for e in src if e not in out]
        added = [e for e in out if e not in src]
        for new in added:
            match: tuple[str, str, str | None] | None = None
            for old in dropped:
                relation = _relation(self.known.ancestry, old, new)
                if relation is not None:
                    match = (old, "widened", relation)
                    break
                relation = _relation(self.known.ancestry, new, old)
                if relation is not None:
                    match = (old, "narrowed", relation)
                    break
            if match is None and dropped:
                match = (dropped[0], "substituted", None)
            if match is None:
                continue
            old, detail, relation = match
            dropped.remove(old)
            self.add(ChangeKind.SUBJECT, detail, src[old], out[new], relation)

    def qualifier_entities(self, p: list[int], o: list[int]) -> None:
        """An entity restricted in the passage ("low-level Taliban members") and named alone by
        the outlet ("the Taliban")."""
        source, units = self.source, self.units
        out_by_entity: dict[str, list[int]] = {}
        for k in o:
            if units[k].entity:
                out_by_entity.setdefault(units[k].entity or "", []).append(k)
        p_set = set(p)
        for j in p:
            entity = source[j].entity
            if not entity or entity not in out_by_entity:
                continue
            modifier: list[int] = []
            if j - 1 in p_set and _modifier_like(source[j - 1]):
                m = j - 1
                while (
                    m - 1 in p_set and source[m - 1].hyphenated
                    and source[m - 1].clause == source[j].clause and _modifier_like(source[m - 1])
                ):
                    m -= 1
                modifier = list(range(m, j))
            part = [j + 1] if j + 1 in p_set and source[j + 1].norm in PART_NOUNS else []
            kept: set[str] = set()
            for k in out_by_entity[entity]:
                kept.update(units[x].key for x in range(k - 2, k + 3) if 0 <= x < len(units))
            # the modifier and the part noun restrict each on its own
            dropped = [
                words for words in (modifier, part)
                if words and not any(source[r].key in kept for r in words)
            ]
            if dropped:
                self.add(ChangeKind.QUALIFIER, "dropped", [r for w in dropped for r in w],
                         out_by_entity[entity][:1])

    def qualifier_counted(self, p: list[int], o: list[int]) -> None:
        """What a number counts narrowed: "4,000 to 6,000 fighters and their family members"
        -> "4,000 to 6,000 fighters"."""
        source = self.source
        for n, j in enumerate(p):
            if not _is_mark_number(source, j) or j not in self.matched_source:
                continue
            head = j + 1
            if head >= len(source) or head not in self.matched_source or source[head].function:
                continue
            joiner = head + 1
            if joiner >= len(source) or source[joiner].norm not in COORDINATORS \
                    or source[joiner].clause != source[head].clause:
                continue
            conjunct = [joiner]
            for x in range(joiner + 1, min(len(source), joiner + 6)):
                if x in self.matched_source or source[x].clause != source[head].clause:
                    break
                conjunct.append(x)
            words = conjunct[1:]
            if joiner in self.matched_source or not any(not source[x].function for x in words):
                continue
            if source[words[0]].norm in POSSESSIVE_DETERMINERS or not source[words[0]].function:
                self.add(ChangeKind.QUALIFIER, "dropped", conjunct,
                         [self.matched_source[head]])

    def gap_changes(self) -> None:
        """Word-level changes in the gaps: quote edits, WORD, QUALIFIER and ASSERTION."""
        units, source = self.units, self.source
        removed: list[int] = []
        added: list[int] = []
        dropped_mods: list[tuple[list[int], int]] = []
        for gap in self.gaps:
            out = [k for k in gap.outlet if k in self.inside]
            out_content = [k for k in out if not units[k].function]
            src_content = [j for j in gap.passage if not source[j].function]
            if gap.inner:
                removed.extend(src_content)
            added.extend(out_content)
            quoted = [k for k in out if units[k].quoted and units[k].quote in self.aligned_quotes]
            if quoted or self._deletion_in_quote(gap):
                self.quote_gap(gap, quoted)
            plain_quoted = [k for k in quoted if self._plain(units[k])]
            if plain_quoted:
                self.quoted_words(gap, plain_quoted)
            if gap.inner and not out_content and src_content:
                found = self.dropped_modifiers(gap, src_content)
                if found is not None:
                    dropped_mods.append(found)
            own = [k for k in out_content if not units[k].quoted]
            if own:
                if src_content:
                    own = [k for k in own if units[k].norm in ADDED_CLAIM_WORDS]
                assertive = [k for k in own if self._assertive(k)]
                if assertive:
                    self.add(ChangeKind.ASSERTION, "added", [], assertive)
        moved = self.moved(removed, added)
        for mods, head in dropped_mods:
            if not moved.intersection(mods):
                self.add(ChangeKind.QUALIFIER, "dropped", mods, [head])

    def moved(self, removed: list[int], added: list[int]) -> set[int]:
        """A modifier the outlet kept, but put before another noun ("300 foreign fighters and
        200 local recruits" -> "300 fighters and 200 foreign recruits")."""
        units, source = self.units, self.source
        out_by_key: dict[str, int] = {}
        for k in added:
            out_by_key.setdefault(units[k].key, k)
        moved: set[int] = set()
        for j in removed:
            at = out_by_key.get(source[j].key)
            if at is None or not self._plain(source[j]) or source[j].lex.adverb:
                continue
            if j + 1 >= len(source) or at + 1 >= len(units):
                continue
            if source[j + 1].function or units[at + 1].function:
                continue
            if source[j + 1].stem != units[at + 1].stem:
                self.add(ChangeKind.QUALIFIER, "moved", [j, j + 1], [at, at + 1])
                moved.add(j)
        return moved

    def _deletion_in_quote(self, gap: _Gap) -> bool:
        """Passage words dropped between two matched words of one quotation."""
        if not gap.inner or gap.before is None or gap.after is None or not gap.passage:
            return False
        units = self.units
        i1, i2 = gap.before[0], gap.after[0]
        return (
            units[i1].quoted and units[i2].quoted and i1 in self.inside and i2 in self.inside
            and units[i1].quote == units[i2].quote
        )

    def quote_gap(self, gap: _Gap, quoted: list[int]) -> None:
        """One QuoteEdit for the quoted words of a gap and the passage words they replace."""
        src = self._quote_side(gap, quoted)
        if not quoted and not src:
            return
        if src and not quoted:
            detail = "elided" if self._elided(gap) else "dropped"
        elif quoted and src:
            detail = self._substitution_detail(quoted, src)
        else:
            detail = "added"
        self.edits.append(QuoteEdit(self.src_words(src), self.out_words(quoted), detail))

    def _quote_side(self, gap: _Gap, quoted: list[int]) -> list[int]:
        """The passage words of a gap that the outlet's quoted words stand against: all of
        them between two matched words of the same quotation; where the quotation opens (or
        closes) inside the gap, only those next to its matched words (see _nearest)."""
        if not quoted:
            return list(gap.passage)
        quote = self.units[quoted[0]].quote
        before = gap.before is not None and self.units[gap.before[0]].quote == quote
        after = gap.after is not None and self.units[gap.after[0]].quote == quote
        if gap.inner and before and after:
            return list(gap.passage)
        if after:
            return self._nearest(gap, quoted, leading=True)
        if before:
            return self._nearest(gap, quoted, leading=False)
        return []

    def _nearest(self, gap: _Gap, quoted: list[int], leading: bool) -> list[int]:
        """The passage words next to the matched word after (leading) or before the gap, in
        its clause, that the quoted words may stand for: the words an initialism abbreviates
        ("the US" for "the United States"), or else as many words as there are quoted ones."""
        source = self.source
        pair = gap.after if leading else gap.before
        if not gap.passage or pair is None:
            return []
        clause = [x for x in gap.passage if source[x].clause == source[pair[1]].clause]
        if leading:
            clause.reverse()
        letters = _initials(self.units[k] for k in quoted)
        picked: list[int] = []
        for n in range(1, len(clause) + 1):
            words = [source[x] for x in clause[:n] if not source[x].function]
            if len(letters) >= 2 and "".join(u.norm[0] for u in words) == letters:
                picked = clause[:n]
                break
        if not picked:
            picked = clause[: len(quoted)]
        return sorted(picked)

    def _elided(self, gap: _Gap) -> bool:
        """A legitimate ellipsis: the outlet marks the omission and drops no meaning-bearing
        word (negation, number, quantifier, hedge or entity)."""
        if gap.after is None or not self.units[gap.after[0]].ellipsis:
            return False
        for j in gap.passage:
            unit = self.source[j]
            if unit.entity or unit.lex.negation or self._hedge_at(self.source, j) \
                    or _is_mark_number(self.source, j) or self._quantifier_at(self.source, j):
                return False
        return True

    def _substitution_detail(self, out: list[int], src: list[int]) -> str:
        units, source = self.units, self.source
        out_text = _initials(units[k] for k in out)
        src_words = [source[j] for j in src if not source[j].function]
        if len(out_text) >= 2 and out_text == "".join(u.norm[0] for u in src_words):
            return "abbreviated"
        if len(out) == len(src) and all(
            units[k].stem == source[j].stem for k, j in zip(out, src, strict=True)
        ):
            return "inflected"
        if len(out) == 1 and len(src) == 1 and _near(units[out[0]].norm, source[src[0]].norm):
            return "near-spelling"
        return "substituted"

    def quoted_words(self, gap: _Gap, quoted: list[int]) -> None:
        """Quoted words added or put in place of the passage's: WORD (near-spelling named),
        unless another detector owns the words (an entity, a number ...)."""
        units, source = self.units, self.source
        side = self._quote_side(gap, quoted)
        src = [j for j in side if self._plain(source[j])]
        if src:
            detail = self._substitution_detail(quoted, src)
            if detail in ("abbreviated", "inflected"):
                return
            near = [(k, j) for k in quoted for j in src if _near(units[k].norm, source[j].norm)]
            if near and len(quoted) == 1:
                self.add(ChangeKind.WORD, "near-spelling", [near[0][1]], [near[0][0]])
                return
            self.add(ChangeKind.WORD, "substituted", src, quoted)
        elif not any(not source[j].function for j in side):
            self.add(ChangeKind.WORD, "added", [], quoted)
        # else the quoted words stand for words another detector owns (a number, an entity)

    @staticmethod
    def _plain(unit: _Unit) -> bool:
        """A word no other detector owns."""
        return unit.lex.plain and not unit.entity

    def _assertive(self, k: int) -> bool:
        unit = self.units[k]
        if not self._plain(unit) or unit.norm in SOURCE_NOUNS or unit.norm in RELATION_NOUNS:
            return False
        if unit.norm in REPORTING_WORDS or unit.norm in PART_NOUNS:
            return False
        return unit.stem not in self.known.stems and (
            len(unit.norm) < COUNTERPART_PREFIX
            or unit.norm[:COUNTERPART_PREFIX] not in self.known.prefixes
        )

    def dropped_modifiers(
        self, gap: _Gap, src_content: list[int]
    ) -> tuple[list[int], int] | None:
        """A modifier dropped right before a word the outlet kept ("international attacks"
        -> "attacks"): (the modifier's passage words, the outlet's head word)."""
        source = self.source
        last = gap.passage[-1]
        head = last + 1
        if head >= len(source) or head not in self.matched_source:
            return None
        if source[head].entity or source[head].function:
            return None
        mods = [j for j in src_content if _modifier_like(source[j])]
        mods = [j for j in mods if all(x in mods or source[x].function for x in range(j, head))]
        if mods and mods[-1] == last:
            return mods, self.matched_source[head]
        return None

    def quote_respellings(self) -> None:
        for i, j in self.pairs:
            unit, src = self.units[i], self.source[j]
            if not unit.quoted or unit.norm == src.norm:
                continue
            if unit.key == src.key:
                detail = "respelled"
            elif unit.stem == src.stem:
                detail = "inflected" if not _numeric_pair(unit, src) else "respelled"
            else:
                detail = "substituted"
            self.edits.append(QuoteEdit(self.src_words([j]), self.out_words([i]), detail))


def _initials(units: Iterable[_Unit]) -> str:
    """The letters of words that may be an initialism ("US", "U.S."): content words, and
    words printed in capitals even where they read as function words ("US" is not "us")."""
    return "".join(
        u.norm for u in units if not u.function or (len(u.printed) > 1 and u.printed.isupper())
    )


def _numeric_pair(a: _Unit, b: _Unit) -> bool:
    return (a.norm in NUMERAL_WORDS) != (b.norm in NUMERAL_WORDS)


def _take(counter: Counter[str], key: str) -> bool:
    """Take one `key` from the counter; True when there was none (the word is unmatched)."""
    if counter[key] > 0:
        counter[key] -= 1
        return False
    return True


def _value(units: Sequence[_Unit], k: int) -> str:
    return _number_key(units, k).split(":", 1)[1]


def _near(a: str, b: str) -> bool:
    if a == b or _stem(a) == _stem(b) or min(len(a), len(b)) < 4:
        return False
    return Levenshtein.normalized_similarity(a, b) >= NEAR_SPELLING


def _relation(
    ancestry: Mapping[str, tuple[tuple[str, str], ...]], child: str, parent: str
) -> str | None:
    for ancestor, relation in ancestry.get(child, ()):
        if ancestor == parent:
            return relation
    return None


# ---------------------------------------------------------------------------------------------
# Quotation kind, segments, diff
# ---------------------------------------------------------------------------------------------


def _quotation(
    units: list[_Unit],
    inside: range,
    runs: list[list[int]],
    pairs_by_run: list[list[tuple[int, int]]],
    edits: list[QuoteEdit],
) -> QuotationKind:
    """Quoted words of the span that align somewhere are compared; a quotation that aligns
    nowhere in the passage quotes something else (its segment's region is None)."""
    quoted = [
        n for n, run in enumerate(runs)
        if units[run[0]].quoted and any(k in inside for k in run)
    ]
    if not any(pairs_by_run[n] for n in quoted):
        return QuotationKind.NONE
    details = {edit.detail for edit in edits}
    if details - {"respelled", "elided"}:
        return QuotationKind.CHANGED
    if "respelled" in details:
        return QuotationKind.HOUSE_SPELLING
    return QuotationKind.EXACT


_MARKS = _DOUBLE_MARKS | _SINGLE_MARKS


def _segments(
    text: str,
    start: int,
    end: int,
    stretches: list[tuple[int, int]],
    units: list[_Unit],
    inside: range,
    runs: list[list[int]],
    pairs_by_run: list[list[tuple[int, int]]],
    source: Sequence[_Unit],
) -> tuple[Segment, ...]:
    """The span's runs of one quotation state; a quoted one takes in its marks and the
    punctuation inside them where they are in the span."""
    out: list[Segment] = []
    for run, pairs in zip(runs, pairs_by_run, strict=True):
        mine = [k for k in run if k in inside]
        if not mine:
            continue
        first, last = units[mine[0]], units[mine[-1]]
        s, e = first.start, last.end
        if first.quoted:
            while s > start and text[s - 1] in _MARKS and _inside(stretches, s - 1):
                s -= 1
            while e < end and _inside(stretches, e) and not text[e].isalnum() \
                    and not text[e].isspace():
                e += 1
        region = None
        js = [j for i, j in pairs if i in inside]
        if js:
            region = (source[min(js)].start, source[max(js)].end)
        out.append(Segment(first.quoted, s, e, region))
    return tuple(out)


def _diff(
    text: str,
    passage: str,
    units: list[_Unit],
    inside: range,
    source: Sequence[_Unit],
    framing: list[bool],
    pairs: list[tuple[int, int]],
) -> tuple[DiffOp, ...]:
    """The span word by word against the aligned region: passage words between two matched
    words that the outlet did not use come first, then the outlet's words in their place. Each
    step prints its words as they stand, from its first word to its last."""
    steps: list[list[Any]] = []
    # a step: [kind, side ("o" outlet or "p" passage), first index, last index, source text]

    def emit(kind: str, side: str, index: int, source_text: str | None = None) -> None:
        last = steps[-1] if steps else None
        if (
            last is not None and last[0] == kind and last[1] == side and last[3] == index - 1
            and kind != "respelled"
        ):
            last[3] = index
        else:
            steps.append([kind, side, index, index, source_text])

    matched = dict(pairs)
    removed_after: dict[int, range] = {}
    for (i1, j1), (_, j2) in pairwise(pairs):
        if j2 > j1 + 1:
            removed_after[i1] = range(j1 + 1, j2)
    for k in inside:
        unit = units[k]
        j = matched.get(k)
        if j is not None:
            src = source[j]
            if unit.norm == src.norm or (unit.key != src.key and not unit.quoted):
                emit("same", "o", k)
            elif unit.key == src.key:
                emit("respelled", "o", k, src.printed)
            else:
                emit("removed", "p", j)
                emit("added", "o", k)
            for x in removed_after.get(k, ()):
                emit("removed", "p", x)
        else:
            emit("own" if framing[k] else "added", "o", k)
    ops: list[DiffOp] = []
    for kind, side, first, last, source_text in steps:
        seq, where = (units, text) if side == "o" else (source, passage)
        ops.append(DiffOp(kind, _printed(where, seq[first].start, seq[last].end), source_text))
    return tuple(ops)


def _printed(text: str, start: int, end: int) -> str:
    """text[start:end], taking in a closing bracket that an opening one inside it needs."""
    words = text[start:end]
    if words.count("(") > words.count(")") and text[end : end + 1] == ")":
        return words + ")"
    return words


# ---------------------------------------------------------------------------------------------
# The stage: every appearance of the site, and the advice for the editor
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Compared:
    comparisons: dict[AppearanceKey, Comparison]
    """For each placed appearance of a claim with a passage, unless the passage rests on it."""
    not_comparable: frozenset[AppearanceKey]
    """Appearances whose outlet the passage's only known wording comes from."""
    problems: tuple[Problem, ...]
    """Warnings: detected changes the editor's reading does not account for, and appearances
    not yet reviewed."""


@dataclass(frozen=True, slots=True)
class Request:
    """One comparison that the stage makes: `compare(text, start, end, passage, spellings,
    entities)` for the appearance `key`."""

    key: AppearanceKey
    text: str
    start: int
    end: int
    passage: str


def compare_requests(site: Site, spans: Mapping[AppearanceKey, Span]) -> list[Request]:
    """The comparisons `compare_site` makes, in its order (to make them ahead, elsewhere)."""
    return [Request(key, appearance.article.text, span.start, span.end, passage.text)
            for key, appearance, span, passage in _compared(site, spans)]


def _compared(
    site: Site, spans: Mapping[AppearanceKey, Span]
) -> Iterator[tuple[AppearanceKey, Appearance, Span, Passage]]:
    for claim in site.claims:
        passage = claim.passage
        if passage is None:
            continue
        for appearance in claim.appearances:
            key = (claim.id, appearance.index)
            span = spans.get(key)
            if span is not None and appearance.article.outlet.id not in passage.rests_on:
                yield key, appearance, span, passage


def compare_site(
    site: Site, spans: Mapping[AppearanceKey, Span],
    made: Mapping[AppearanceKey, Comparison] | None = None,
) -> Compared:
    """Every placed appearance against its claim's passage, and the advice for the editor.
    `made` holds comparisons already made (see `compare_requests`); the rest are made here."""
    comparisons: dict[AppearanceKey, Comparison] = {}
    not_comparable: set[AppearanceKey] = set()
    problems: list[Problem] = []
    for claim in site.claims:
        passage = claim.passage
        for appearance in claim.appearances:
            key = (claim.id, appearance.index)
            span = spans.get(key)
            if span is None:
                continue  # anchoring reported it
            if passage is None:
                continue  # nothing to read it against until a wording of the source is known
            label = f"appearances[{appearance.index}]"
            if appearance.article.outlet.id in passage.rests_on:
                not_comparable.add(key)
                reading = appearance.reading
                if reading is None:
                    problems.append(_unreviewed(appearance.index, appearance.at, None))
                elif reading.meaning is not Meaning.NOT_COMPARABLE:
                    problems.append(warning(
                        appearance.reading_at,
                        f"{label}.fidelity: the passage's only known wording comes from "
                        f"{appearance.article.outlet.name} itself, but the reading says the "
                        f"meaning is {reading.meaning.value}",
                        "A wording taken from this outlet cannot show what it changed: "
                        "write `meaning: not-comparable`.",
                    ))
                continue
            found = made.get(key) if made is not None else None
            if found is None:
                found = compare(appearance.article.text, span.start, span.end, passage.text,
                                site.spellings, site.entities)
            comparisons[key] = found
            problems.extend(_advice(appearance.index, appearance.at, appearance.reading_at,
                                    appearance.reading, found))
    return Compared(comparisons, frozenset(not_comparable), tuple(problems))


QUOTATION_ORDER = (QuotationKind.EXACT, QuotationKind.HOUSE_SPELLING, QuotationKind.CHANGED)
"""From faithful to changed: a reading at or past what was detected accounts for it."""


def _advice(
    index: int, at: Location, reading_at: Location, reading: Reading | None, found: Comparison,
) -> list[Problem]:
    label = f"appearances[{index}]"
    if reading is None:
        return [_unreviewed(index, at, found)]
    out: list[Problem] = []
    accounted = set(reading.changes) | set(reading.dismissed)
    missed = [change for change in found.changes if change.kind not in accounted]
    if missed and reading.meaning is not Meaning.NOT_COMPARABLE:
        kinds = sorted({change.kind.value for change in missed})
        out.append(warning(
            reading_at,
            f"{label}.fidelity: the comparison finds {describe_changes(missed)}, which the "
            "reading does not account for",
            f"If it changes the meaning, add {' and '.join(kinds)} to `changes` (with "
            "`meaning: changed`); if it does not, add it to `dismissed`.",
        ))
    detected, stated = found.quotation, reading.quotation
    if (
        detected in QUOTATION_ORDER and stated in QUOTATION_ORDER
        and QUOTATION_ORDER.index(stated) < QUOTATION_ORDER.index(detected)
    ):
        edits = "; ".join(_edit_words(edit) for edit in found.quote_edits[:3])
        out.append(warning(
            reading_at,
            f"{label}.fidelity.quotation: {stated.value}, but the comparison finds the quoted "
            f"words {detected.value.replace('-', ' ')}" + (f" ({edits})" if edits else ""),
            "Check the words inside the outlet's quotation marks against the passage, and say "
            "`quotation: " + detected.value + "` if they differ.",
        ))
    return out


def _unreviewed(index: int, at: Location, found: Comparison | None) -> Problem:
    what = ""
    if found is not None and found.changes:
        what = f": the comparison finds {describe_changes(found.changes)}"
    return warning(
        at,
        f"appearances[{index}]: not yet reviewed{what}",
        "Add `fidelity:` with your reading (quotation, meaning, changes, reason): until then "
        "the page shows the evidence and no grade, and the outlet's record does not count it.",
    )


def describe_changes(changes: Sequence[Change], limit: int = 3) -> str:
    """'a negation dropped ("Neither", "nor") and the subject widened ("ISIS" for "ISIL-K")':
    the changes, for the editor's warnings (at most `limit`, then how many more)."""
    parts = []
    for change in changes[:limit]:
        parts.append(f"{change.kind.value} {change.detail} ({_evidence(change)})")
    more = len(changes) - limit
    text = "; ".join(parts)
    return text + (f"; and {more} more" if more > 0 else "")


EVIDENCE_WORDS = 4
"""At most this many of a change's words on each side are quoted in a warning."""
EVIDENCE_CHARS = 60


def _quoted(words: tuple[Words, ...]) -> str:
    shown = " … ".join(w.text for w in words[:EVIDENCE_WORDS])
    if len(words) > EVIDENCE_WORDS:
        shown += " …"
    return shown if len(shown) <= EVIDENCE_CHARS else shown[: EVIDENCE_CHARS - 1] + "…"


def _evidence(change: Change) -> str:
    source = _quoted(change.source)
    outlet = _quoted(change.outlet)
    if source and outlet:
        return f'"{outlet}" for "{source}"'
    return f'"{source or outlet}"'


def _edit_words(edit: QuoteEdit) -> str:
    source = _quoted(edit.source)
    outlet = _quoted(edit.outlet)
    if source and outlet:
        return f'"{outlet}" for "{source}"'
    return f'"{outlet}" added' if outlet else f'"{source}" dropped'
