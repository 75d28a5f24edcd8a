"""Records -> the content model: frozen, fully resolved objects, and what anchor and compare find.

No words for readers here: the theme has those."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from enum import Enum

from generator.errors import Location


class Status(Enum):
    """The primary-source status of a claim: one per claim, a closed vocabulary."""

    CONFIRMED = "confirmed"
    """Checked against the document: it says this."""
    MISREPRESENTED = "misrepresented"
    """Checked against the document: it says something materially different."""
    NOT_IN_SOURCE = "not-in-source"
    """Checked: the cited document does not contain it."""
    OUTDATED = "outdated"
    """A later primary source supersedes it."""
    UNCHECKED = "unchecked"
    """The document is identified, but its words on this point have not been read."""
    UNLOCATED = "unlocated"
    """No primary source could be identified."""


class Attribution(Enum):
    """How an outlet attributes the claim it repeats."""

    CORRECT = "correct"
    """Names the primary source."""
    VIA_INTERMEDIARY = "via-intermediary"
    """Names another outlet's report of the source, not the source."""
    MISSING = "missing"
    """Names no source."""
    WRONG = "wrong"
    """Names a source that is not where the claim comes from."""


class QuotationKind(Enum):
    """What happened to the words inside the outlet's quotation marks."""

    EXACT = "exact"
    """The quoted words are the passage's, word for word (a legitimate ellipsis allowed)."""
    HOUSE_SPELLING = "house-spelling"
    """Word for word but for equivalent spellings or aliases of the same entity."""
    CHANGED = "changed"
    """A word inside the marks was added, dropped or replaced (see Comparison.quote_edits)."""
    NONE = "none"
    """Nothing quoted: the outlet's own words."""


class ChangeKind(Enum):
    """A candidate meaning change, for the editor to read; never a verdict."""

    NEGATION = "negation"
    """A negation dropped or added in a clause the outlet repeats."""
    NUMBER = "number"
    """A number or date changed, dropped or added."""
    QUANTIFIER = "quantifier"
    """A quantifier (all, some, many, most ...) changed, dropped or added."""
    HEDGE = "hedge"
    """A hedge, or the attribution of an assessment, dropped."""
    SUBJECT = "subject"
    """A named entity substituted, or widened to its parent (or narrowed to its branch)."""
    WORD = "word"
    """A word inside quotation marks replaced by (or added as) a different word."""
    QUALIFIER = "qualifier"
    """A qualifier or modifier dropped from the noun it restricted, or moved to another."""
    ASSERTION = "assertion"
    """Content words in the outlet's own words with no counterpart in the passage."""


class Meaning(Enum):
    """The editor's reading of whether the outlet's words keep the source's meaning."""

    PRESERVED = "preserved"
    CHANGED = "changed"
    NOT_COMPARABLE = "not-comparable"
    """The passage's only known wording rests on this outlet: comparing would prove nothing."""


class UpdateKind(Enum):
    """What a change to an entry was."""

    CORRECTION = "correction"
    """Something the entry said was wrong."""
    CLARIFICATION = "clarification"
    """Something it said was unclear or could mislead."""
    UPDATE = "update"
    """New information."""


class DateKind(Enum):
    """What a source's date is."""

    DATED = "dated"
    """The document's own date."""
    RELEASED = "released"
    """When it was made public."""
    DISTRIBUTED = "distributed"
    """When it was distributed (as UN documents are)."""
    DELIVERED = "delivered"
    """When a speech or remarks were delivered."""


class CiteKind(Enum):
    """What an article names as where it got its information."""

    SOURCE = "source"
    """A primary source in content (sources/)."""
    ARTICLE = "article"
    """Another article in content (articles/)."""
    NAME = "name"
    """An intermediary known only by its name (another outlet, an agency)."""


_DATE_RE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


VOCABULARIES = ("status", "attribution", "quotation", "meaning", "change")
"""The closed vocabularies a page can list with their labels (`{{ glossary: status }}`)."""

GLOSSARY_RE = re.compile(r"^\{\{ *glossary: *([a-z-]+) *\}\}[ \t]*$", re.MULTILINE)
"""A paragraph of a page that stands for a vocabulary's labels and descriptions."""


@dataclass(frozen=True, slots=True, order=True)
class PartialDate:
    """A date known to the year, the month or the day."""

    year: int
    month: int | None = None
    day: int | None = None

    @property
    def precision(self) -> str:
        return "day" if self.day else "month" if self.month else "year"

    @classmethod
    def parse(cls, text: str) -> PartialDate:
        """`2021`, `2021-08` or `2021-08-17` -> PartialDate; ValueError says what is wrong."""
        match = _DATE_RE.match(text)
        if not match:
            raise ValueError(f"{text!r} is not a date: write YYYY, YYYY-MM or YYYY-MM-DD")
        year, month, day = (int(g) if g else None for g in match.groups())
        assert year is not None
        if month is not None and not 1 <= month <= 12:
            raise ValueError(f"{text!r} is not a date: there is no month {month}")
        if day is not None and month is not None:
            last = calendar.monthrange(year, month)[1]
            if not 1 <= day <= last:
                raise ValueError(
                    f"{text!r} is not a date: {calendar.month_name[month]} {year} has {last} days"
                )
        return cls(year, month, day)

    def iso(self) -> str:
        """`2021`, `2021-08` or `2021-08-17`, as written in content."""
        text = f"{self.year:04d}"
        if self.month:
            text += f"-{self.month:02d}"
        if self.day:
            text += f"-{self.day:02d}"
        return text

    def sort_key(self) -> tuple[int, int, int]:
        return (self.year, self.month or 0, self.day or 0)


@dataclass(frozen=True, slots=True)
class Publisher:
    name: str
    url: str
    contact: str | None = None
    """How readers report an error: an https:// address or an e-mail address."""
    owner: str | None = None
    funding: str | None = None


@dataclass(frozen=True, slots=True)
class Editor:
    id: str
    name: str
    url: str | None = None


@dataclass(frozen=True, slots=True)
class Outlet:
    id: str
    """From the file name: outlets/<id>.yaml."""
    name: str
    identified: bool
    """False when the text does not name the outlet; `name` then describes it."""
    homepage: str | None
    country: str | None
    notes: str | None


@dataclass(frozen=True, slots=True)
class Passage:
    id: str
    text: str
    """The passage's words, as far as they are known."""
    checked: bool
    """True only when these exact words were read in the document (or its official page)."""
    locator: str | None
    """Where in the document: page, paragraph, or the page it was read on."""
    basis: str | None
    """On what the wording rests when it was not checked (or how it was checked)."""
    rests_on: tuple[str, ...]
    """Outlet ids whose reporting is the only known source of this wording."""
    url: str | None
    """Where the words were read, if that is not the source's own url."""
    read_on: str = "document"
    """For checked words: `document` (read in it) or `official-page` (on its official page)."""
    may_rest_on: tuple[str, ...] = ()
    """Outlet ids whose reporting the wording may come from: comparisons with them are not
    independent."""


@dataclass(frozen=True, slots=True)
class Source:
    id: str
    title: str
    publisher: str
    symbol: str | None
    """A document symbol such as S/2022/419."""
    date: PartialDate | None
    url: str | None
    kind: str | None
    notes: str | None
    passages: tuple[Passage, ...]
    date_kind: DateKind | None = None
    """What `date` is."""


@dataclass(frozen=True, slots=True)
class Cite:
    """One thing an article names as where it got its information."""

    kind: CiteKind
    ref: str
    """A source id, an article id, or the intermediary's name."""


@dataclass(frozen=True, slots=True)
class Credit:
    """What an outlet credits for its words: a source, an article, an outlet, a named
    intermediary, or nothing (kind NOTHING, ref empty)."""

    kind: str
    """`source`, `article`, `outlet`, `name` or `nothing`."""
    ref: str = ""


@dataclass(frozen=True, slots=True)
class Reading:
    """The editor's reading of an appearance: what is published about it."""

    quotation: QuotationKind
    meaning: Meaning
    changes: tuple[ChangeKind, ...]
    """How the meaning changed (empty unless `meaning` is CHANGED)."""
    dismissed: tuple[ChangeKind, ...]
    """Kinds of change the comparison suggested that the editor found not to apply."""
    reason: str


@dataclass(frozen=True, slots=True)
class Archived:
    """An archived copy of an article (a Wayback Machine or archive.today capture)."""

    url: str
    date: PartialDate
    """When the copy was made."""


@dataclass(frozen=True, slots=True)
class Article:
    id: str
    """`<outlet>/<slug>`, from the path under articles/."""
    outlet: Outlet
    headline: str
    url: str | None
    date: PartialDate | None
    """None when the text does not establish a date."""
    date_basis: str | None
    """Why the date is what it is, when it is inferred."""
    cites: tuple[Cite, ...]
    """What the article relies on, in the order written."""
    notes: str | None
    text: str
    """The article text exactly as captured."""
    rel_path: str
    body_line: int
    """The line of the article file on which `text` starts."""
    author: tuple[str, ...] = ()
    """Who wrote it, where the page or the editor says so."""
    archived: tuple[Archived, ...] = ()
    """Archived copies, oldest first."""

    def line_of(self, offset: int) -> int:
        """The line in the article file of a character offset into `text`."""
        return self.body_line + self.text.count("\n", 0, offset)


@dataclass(frozen=True, slots=True)
class Appearance:
    """One span of an article that repeats a claim, as the editor recorded it."""

    index: int
    """Its position in the claim's `appearances` list (0-based): its identity in the claim."""
    article: Article
    quote: str
    prefix: str | None
    suffix: str | None
    attribution: Attribution
    credited_to: Credit | None
    """What the outlet credits, when the editor recorded it."""
    reading: Reading | None
    """The editor's reading; None while the appearance is not yet reviewed."""
    note: str | None
    quote_at: Location
    """Where the quote is written (for the problems that anchoring finds)."""
    at: Location
    """Where the appearance is written (for advice about it)."""
    reading_at: Location
    """Where the editor's reading is written (the appearance itself when there is none)."""


@dataclass(frozen=True, slots=True)
class Update:
    date: PartialDate
    kind: UpdateKind
    note: str


@dataclass(frozen=True, slots=True)
class Claim:
    id: str
    claim: str
    """The claim in one sentence, in full."""
    short: str
    """Its short form for titles (the claim itself when none is given)."""
    status: Status
    finding: str | None
    """What the site found, in one sentence; None only in a draft."""
    draft: bool
    source: Source | None
    passage: Passage | None
    superseded_by: Source | None
    verdict: str
    """Markdown."""
    reviewed: PartialDate
    reviewed_by: tuple[Editor, ...]
    tags: tuple[str, ...]
    appearances: tuple[Appearance, ...]
    """In the order written in the claim's file."""
    updates: tuple[Update, ...]
    rel_path: str


@dataclass(frozen=True, slots=True)
class Page:
    id: str
    title: str
    body: str
    """Markdown, without the title line."""
    rel_path: str
    body_line: int
    """The line of the page's file on which `body` starts."""


@dataclass(frozen=True, slots=True)
class Site:
    title: str
    base_url: str
    """Absolute, ending in `/`."""
    language: str
    description: str
    publisher: Publisher
    theme: str
    """The theme folder, as an absolute POSIX path."""
    publish_article_text: bool
    build_date: PartialDate
    """The newest date in content: the date stamped on feeds, never the clock."""
    outlets: tuple[Outlet, ...]
    """By id."""
    sources: tuple[Source, ...]
    """By id."""
    articles: tuple[Article, ...]
    """By id."""
    claims: tuple[Claim, ...]
    """By id."""
    pages: tuple[Page, ...]
    """By id."""
    spellings: tuple[tuple[str, ...], ...] = field(default=())
    """Groups of spellings that mean the same thing."""
    entities: Entities = field(default_factory=lambda: Entities())
    """Named groups and organisations: their aliases, and which is a branch of which."""
    repository: str | None = None
    """The public repository the site is built from."""
    editors: tuple[Editor, ...] = ()


# What the anchor and compare stages find: facts about the content, keyed by appearance.

AppearanceKey = tuple[str, int]
"""(claim id, appearance index): one appearance of the site."""


@dataclass(frozen=True, slots=True)
class Span:
    """Where a quote sits in its article's text (Unicode code point offsets)."""

    start: int
    end: int
    line: int
    """Line of `start` in the article file."""
    exact: bool
    """True when the quote matched without normalising typography."""


# What compare finds: the outlet's words against the passage, as facts with evidence.


@dataclass(frozen=True, slots=True)
class Words:
    """Words as printed, with their offsets."""

    text: str
    """The characters as printed, from the first word's start to the last word's end."""
    start: int
    """For the outlet, an offset into the article text; for the source, into the passage."""
    end: int


@dataclass(frozen=True, slots=True)
class Change:
    """One candidate meaning change and its evidence on both sides."""

    kind: ChangeKind
    detail: str
    """A machine token: dropped, added, changed, widened, narrowed, substituted, near-spelling,
    moved."""
    source: tuple[Words, ...]
    """The passage's words involved (may be empty, e.g. for an added word)."""
    outlet: tuple[Words, ...]
    """The outlet's words involved (may be empty, e.g. for a dropped word)."""
    quoted: bool
    """Whether the outlet's words stand inside its quotation marks."""
    relation: str | None = None
    """For SUBJECT: the entities relation that explains it (branch-of, affiliate-of, part-of)."""


@dataclass(frozen=True, slots=True)
class QuoteEdit:
    """One change to the words inside quotation marks, meaningful or not."""

    source: tuple[Words, ...]
    outlet: tuple[Words, ...]
    detail: str
    """added, dropped, substituted, near-spelling, respelled, abbreviated, inflected, elided."""


@dataclass(frozen=True, slots=True)
class Segment:
    """A stretch of the span: the outlet's direct quotation, or its own words."""

    quoted: bool
    start: int
    """Offsets into the article text; a quoted segment includes its marks where they are in
    the span."""
    end: int
    region: tuple[int, int] | None
    """The passage region (offsets into the passage) the segment aligns to, or None."""


@dataclass(frozen=True, slots=True)
class DiffOp:
    """One step of the word diff of the span against the aligned region, for readers."""

    kind: str
    """same, respelled (equivalent spelling: both shown), removed (passage words of the
    region the outlet did not use), added (outlet words with no counterpart) or own (the
    outlet's framing words outside the region)."""
    text: str
    """The outlet's words; for `removed`, the passage's."""
    source_text: str | None = None
    """For `respelled`, the passage's spelling."""


@dataclass(frozen=True, slots=True)
class Comparison:
    """Everything the comparison found, as facts."""

    quotation: QuotationKind
    changes: tuple[Change, ...]
    quote_edits: tuple[QuoteEdit, ...]
    segments: tuple[Segment, ...]
    region: tuple[int, int] | None
    """The passage region the span aligns to (offsets into the passage); the words outside
    it are context, not removed."""
    diff: tuple[DiffOp, ...]
    respellings: tuple[tuple[str, str], ...]
    """(source spelling, outlet spelling) pairs equated by the spellings and entities."""
    similarity: float
    """0..1: the share of words matched, for the JSON export and `check`, never for readers."""
    truncated: bool = False
    """True when the span or the passage was longer than the bounds (MAX_SPAN_WORDS,
    MAX_PASSAGE_WORDS, MAX_SEGMENTS) and only their first part was compared."""


@dataclass(frozen=True, slots=True)
class Entity:
    """A named organisation, group or place that outlets may name in several ways."""

    id: str
    name: str
    aliases: tuple[str, ...] = ()
    branch_of: str | None = None
    affiliate_of: str | None = None
    part_of: str | None = None


@dataclass(frozen=True, slots=True)
class Entities:
    """The entities file, resolved: names, aliases and relations."""

    entities: tuple[Entity, ...] = ()

    def get(self, entity_id: str) -> Entity | None:
        for entity in self.entities:
            if entity.id == entity_id:
                return entity
        return None


NO_ENTITIES = Entities()
