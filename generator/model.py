"""Typed records -> frozen, fully resolved objects that the render and index stages read."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class Status(Enum):
    """The primary-source status of a claim: one per claim, a closed vocabulary."""

    CONFIRMED = "confirmed"
    MISREPRESENTED = "misrepresented"
    NOT_IN_SOURCE = "not-in-source"
    OUTDATED = "outdated"
    UNCHECKED = "unchecked"
    UNLOCATED = "unlocated"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]

    @property
    def description(self) -> str:
        return STATUS_DESCRIPTIONS[self]


STATUS_LABELS = {
    Status.CONFIRMED: "Confirmed",
    Status.MISREPRESENTED: "Misrepresented",
    Status.NOT_IN_SOURCE: "Not in source",
    Status.OUTDATED: "Outdated",
    Status.UNCHECKED: "Unchecked",
    Status.UNLOCATED: "Unlocated",
}

STATUS_DESCRIPTIONS = {
    Status.CONFIRMED: "Checked against the document: it says this.",
    Status.MISREPRESENTED: "Checked against the document: it says something materially different.",
    Status.NOT_IN_SOURCE: "Checked: the cited document does not contain it.",
    Status.OUTDATED: "A later primary source supersedes it.",
    Status.UNCHECKED: (
        "The document is identified, but the passage has not been checked against it."
    ),
    Status.UNLOCATED: "No primary source could be identified.",
}


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

    @property
    def label(self) -> str:
        return {
            Attribution.CORRECT: "Attributed to the source",
            Attribution.VIA_INTERMEDIARY: "Attributed via an intermediary",
            Attribution.MISSING: "No attribution",
            Attribution.WRONG: "Wrongly attributed",
        }[self]


class Fidelity(Enum):
    """How closely an outlet's words follow the primary-source passage (computed)."""

    VERBATIM = "verbatim"
    EXCERPT = "excerpt"
    ALTERED = "altered"
    PARAPHRASE = "paraphrase"
    NOT_COMPARABLE = "not-comparable"

    @property
    def label(self) -> str:
        return {
            Fidelity.VERBATIM: "Verbatim",
            Fidelity.EXCERPT: "Excerpt",
            Fidelity.ALTERED: "Altered",
            Fidelity.PARAPHRASE: "Paraphrase",
            Fidelity.NOT_COMPARABLE: "Not comparable",
        }[self]


class FlagKind(Enum):
    """An edit that can change what a quotation means."""

    NEGATION_DROPPED = "negation-dropped"
    NEGATION_ADDED = "negation-added"
    NUMBER_CHANGED = "number-changed"
    QUANTIFIER_CHANGED = "quantifier-changed"
    HEDGE_DROPPED = "hedge-dropped"

    @property
    def label(self) -> str:
        return {
            FlagKind.NEGATION_DROPPED: "Negation dropped",
            FlagKind.NEGATION_ADDED: "Negation added",
            FlagKind.NUMBER_CHANGED: "Number or date changed",
            FlagKind.QUANTIFIER_CHANGED: "Quantifier changed",
            FlagKind.HEDGE_DROPPED: "Hedge dropped",
        }[self]


@dataclass(frozen=True, slots=True, order=True)
class PartialDate:
    """A date known to the year, the month or the day."""

    year: int
    month: int | None = None
    day: int | None = None

    @property
    def precision(self) -> str:
        return "day" if self.day else "month" if self.month else "year"

    def iso(self) -> str:
        """`2021`, `2021-08` or `2021-08-17`, as written in content."""
        text = f"{self.year:04d}"
        if self.month:
            text += f"-{self.month:02d}"
        if self.day:
            text += f"-{self.day:02d}"
        return text

    def label(self) -> str:
        """`2021`, `August 2021` or `17 August 2021`, locale-independent."""
        if not self.month:
            return str(self.year)
        month = _MONTHS[self.month - 1]
        if not self.day:
            return f"{month} {self.year}"
        return f"{self.day} {month} {self.year}"

    def sort_key(self) -> tuple[int, int, int]:
        return (self.year, self.month or 0, self.day or 0)


_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)


@dataclass(frozen=True, slots=True)
class Publisher:
    name: str
    url: str


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

    def passage(self, passage_id: str) -> Passage:
        for passage in self.passages:
            if passage.id == passage_id:
                return passage
        raise KeyError(passage_id)


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
    cites: tuple[str, ...]
    """Source ids or article ids this article relies on (`source:<id>`, `article:<id>`,
    or a plain name of an intermediary not in content)."""
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
    kind: FlagKind
    words: tuple[str, ...]
    """The words involved, as printed by the source or the outlet."""
    message: str


@dataclass(frozen=True, slots=True)
class FidelityResult:
    fidelity: Fidelity
    similarity: float
    """Word-level similarity from 0 to 1 after normalising."""
    diff: tuple[DiffOp, ...]
    flags: tuple[Flag, ...]
    respellings: tuple[tuple[str, str], ...]
    """(source spelling, outlet spelling) pairs equated by the spellings list."""
    reason: str
    """One sentence saying why the class is what it is."""


@dataclass(frozen=True, slots=True)
class Appearance:
    article: Article
    quote: str
    prefix: str | None
    suffix: str | None
    span: Span
    attribution: Attribution
    note: str | None
    stated_fidelity: Fidelity | None
    fidelity_reason: str | None
    fidelity: FidelityResult | None
    """None when the claim has no primary-source passage to compare with."""


@dataclass(frozen=True, slots=True)
class Update:
    date: PartialDate
    note: str


@dataclass(frozen=True, slots=True)
class Claim:
    id: str
    claim: str
    status: Status
    source: Source | None
    passage: Passage | None
    verdict: str
    """Markdown."""
    reviewed: PartialDate
    tags: tuple[str, ...]
    appearances: tuple[Appearance, ...]
    """In date order (undated last), then by article id."""
    updates: tuple[Update, ...]
    rel_path: str


@dataclass(frozen=True, slots=True)
class Page:
    id: str
    title: str
    body: str
    """Markdown."""
    rel_path: str


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
    sources: tuple[Source, ...]
    articles: tuple[Article, ...]
    claims: tuple[Claim, ...]
    pages: tuple[Page, ...]
    spellings: tuple[tuple[str, ...], ...] = field(default=())
    """Groups of spellings that mean the same thing."""
    corrections_url: str | None = None
    """Where readers report an error; None when the site names no such place."""
