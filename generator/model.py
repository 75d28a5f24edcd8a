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
    """The document is identified, but the passage has not been checked against it."""
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


class Quotation(Enum):
    """The editor's reading of what happened to the words inside the outlet's quotation marks."""

    EXACT = "exact"
    HOUSE_SPELLING = "house-spelling"
    """Exactly, but for spellings the site treats as the same (Al-Qaida, al-Qaeda)."""
    CHANGED = "changed"
    NONE = "none"
    """Nothing quoted: the outlet's own words."""


class Meaning(Enum):
    """The editor's reading of whether the outlet's words keep the source's meaning."""

    PRESERVED = "preserved"
    CHANGED = "changed"
    NOT_COMPARABLE = "not-comparable"
    """The passage's only known wording rests on this outlet: comparing would prove nothing."""


class Change(Enum):
    """A kind of meaning change, as editors name it and as the comparison detects it."""

    NEGATION = "negation"
    """A negation dropped or added."""
    NUMBER = "number"
    """A number or a date changed."""
    QUANTIFIER = "quantifier"
    """A quantifier changed ("some" for "all")."""
    HEDGE = "hedge"
    """A hedge, or the attribution of an assessment, dropped ("believed", "according to")."""
    SUBJECT = "subject"
    """The subject substituted, or widened (a group named for its branch)."""
    WORD = "word"
    """A word inside quotation marks replaced by another."""
    QUALIFIER = "qualifier"
    """A qualifier or modifier moved to another noun, or dropped from the noun it restricted."""
    ASSERTION = "assertion"
    """An assertion the source does not make, added in the outlet's own words."""


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


class Fidelity(Enum):
    """How closely an outlet's words follow the primary-source passage."""

    VERBATIM = "verbatim"
    EXCERPT = "excerpt"
    ALTERED = "altered"
    PARAPHRASE = "paraphrase"
    NOT_COMPARABLE = "not-comparable"


class FlagKind(Enum):
    """An edit that can change what a quotation means."""

    NEGATION_DROPPED = "negation-dropped"
    NEGATION_ADDED = "negation-added"
    NUMBER_CHANGED = "number-changed"
    QUANTIFIER_CHANGED = "quantifier-changed"
    HEDGE_DROPPED = "hedge-dropped"


class CiteKind(Enum):
    """What an article names as where it got its information."""

    SOURCE = "source"
    """A primary source in content (sources/)."""
    ARTICLE = "article"
    """Another article in content (articles/)."""
    NAME = "name"
    """An intermediary known only by its name (another outlet, an agency)."""


_DATE_RE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


VOCABULARIES = ("status", "attribution", "quotation", "meaning", "change", "fidelity", "flag")
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

    quotation: Quotation
    meaning: Meaning
    changes: tuple[Change, ...]
    """How the meaning changed (empty unless `meaning` is CHANGED)."""
    dismissed: tuple[Change, ...]
    """Kinds of change the comparison suggested that the editor found not to apply."""
    reason: str


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
    """Where the appearance is written (for advice about its reading)."""


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


@dataclass(frozen=True, slots=True)
class DiffOp:
    kind: str
    """`same`, `removed` (in the source, not in the outlet) or `added` (in the outlet only)."""
    text: str


@dataclass(frozen=True, slots=True)
class Flag:
    """An edit that can change what the quotation means, with the words involved."""

    kind: FlagKind
    dropped: tuple[str, ...]
    """The source's words that the outlet does not have, as the source prints them."""
    added: tuple[str, ...]
    """The outlet's words that the source does not have, as the outlet prints them."""

    @property
    def words(self) -> tuple[str, ...]:
        return self.dropped + self.added


@dataclass(frozen=True, slots=True)
class FidelityResult:
    fidelity: Fidelity
    similarity: float
    """Word-level similarity from 0 to 1 after normalising."""
    diff: tuple[DiffOp, ...]
    flags: tuple[Flag, ...]
    respellings: tuple[tuple[str, str], ...]
    """(source spelling, outlet spelling) pairs equated by the spellings list."""
    runs: int = 1
    """How many runs of the passage's words an excerpt joins (by an ellipsis)."""
    too_short: bool = False
    """A paraphrase because the outlet's text is too short to compare word by word."""
    rests_on_outlet: bool = False
    """Not comparable because the passage's only known wording is this outlet's own."""
