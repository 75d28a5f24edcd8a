"""Records, pages and site settings -> warnings where the wording says more than is known."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from generator.errors import Location, Problem, warning
from generator.load import JsonPath, PageFile, Record
from generator.memo import Made, each

DOCUMENT_NOUNS = (
    "report", "document", "assessment", "study", "summary", "speech", "remarks",
    "transcript", "statement", "letter", "testimony",
)
"""What an entry may call its primary source ("the report", "the UN report", ...)."""

DOCUMENT_VERBS = (
    "says", "said", "states", "stated", "names", "named", "denies", "denied",
    "mentions", "mentioned", "notes", "noted", "finds", "found", "reads", "calls", "called",
    "describes", "described", "concludes", "concluded", "adds", "added", "warns", "warned",
    "confirms", "confirmed", "writes", "wrote", "puts it", "rules out", "ruled out",
    "does not say", "does not mention", "does not name", "doesn't say", "doesn't mention",
    "never says", "never mentions", "makes no mention",
)
"""What an entry may say its primary source does with words. With one of DOCUMENT_NOUNS
before it ("the report names", "what the UN report denies"), a phrase speaks of the
document's own wording: true only of a passage read in the document. The wording check
(`document_voice_warnings`) looks for these phrases, and nothing else, outside quotation
marks, in the finding, the verdict, the appearances' notes and the readings' reasons of
every claim whose passage was not read in the document."""

DOCUMENT_VOICE_RE = re.compile(
    r"\b(?:the|this|that|its)\s+(?:[\w’'-]+\s+){0,2}?(?:"
    + "|".join(DOCUMENT_NOUNS) + r")\s+(?:itself\s+|also\s+)?(?:"
    + "|".join(verb.replace(" ", r"\s+") for verb in sorted(DOCUMENT_VERBS, key=len, reverse=True))
    + r")\b",
    re.IGNORECASE,
)

UNBACKED_CLAIMS = (
    ("independent", ("owner", "funding")),
    ("open to inspection", ("repository",)),
    ("open-source", ("repository",)),
    ("open source", ("repository",)),
)
"""Words an about page may say of the site, and the publisher fields of site.yaml that a
reader needs to verify them: "independent" means nothing without who owns and who funds the
site; "open to inspection" and "open source", without the repository. The page check
(`page_claim_warnings`) warns of each word that an ABOUT_PAGES page writes while one of its
fields is missing."""

ABOUT_PAGES = frozenset({"about"})
"""The pages (by id) in which the site describes itself."""

UNBACKED_RE = re.compile(
    r"\b(" + "|".join(re.escape(word) for word, _ in UNBACKED_CLAIMS) + r")\b", re.IGNORECASE
)

QUOTED_RE = re.compile(r"\"[^\"\n]*\"|“[^”]*”|‘[^’]*’")
"""Words in quotation marks: an outlet's or a document's words, not the editor's."""

SHORT_ADVISED = 75
"""Characters of the short claim (or of the claim, when it has no short form) above which
search engines cut ClaimReview's claimReviewed and share cards cut the title."""

FINDING_ADVISED = 100
"""Characters of a finding above which it no longer reads at a glance at the top of the
claim page and in lists (the schema's hard limit is higher)."""

ReadText = Callable[[str], "str | None"]
"""The text of a content file by its `rel_path`, or None when it cannot be read."""


@dataclass(frozen=True, slots=True)
class Voiced:
    """A phrase that speaks of a document's own words, at `offset` in the value."""

    offset: int
    phrase: str


@lru_cache(maxsize=1 << 16)
def document_voice(text: str) -> tuple[Voiced, ...]:
    """The phrases of DOCUMENT_VOICE_RE in `text` that are not inside quotation marks
    (remembered by text: a preview server checks every claim after each change)."""
    blanked = QUOTED_RE.sub(lambda quoted: " " * len(quoted.group()), text)
    return tuple(Voiced(found.start(), " ".join(found.group().split()))
                 for found in DOCUMENT_VOICE_RE.finditer(blanked))


def _read_passages(records: Iterable[Record]) -> set[tuple[Any, Any]]:
    """(source id, passage id) of every passage that was read in its document."""
    found: set[tuple[Any, Any]] = set()
    for source in records:
        if source.kind != "source" or not isinstance(source.data, dict):
            continue
        for passage in source.data.get("passages") or ():
            if (isinstance(passage, dict) and passage.get("checked") is True
                    and isinstance(passage.get("id"), str)):
                found.add((source.id, passage["id"]))
    return found


def _passage_read(data: Mapping[str, Any], read: Collection[tuple[Any, Any]]) -> bool:
    """Whether the claim's primary passage exists and was read in the document (`read`: see
    _read_passages)."""
    primary = data.get("primary")
    if not isinstance(primary, dict):
        return False
    try:
        return (primary.get("source"), primary.get("passage")) in read
    except TypeError:  # an unhashable value: the shape check reports it
        return False


def _texts(data: Mapping[str, Any]) -> Iterator[tuple[JsonPath, str]]:
    """The claim's own words about its source: finding, verdict, notes, reasons."""
    for key in ("finding", "verdict"):
        if isinstance(data.get(key), str):
            yield (key,), data[key]
    for index, appearance in enumerate(data.get("appearances") or ()):
        if not isinstance(appearance, dict):
            continue
        if isinstance(appearance.get("note"), str):
            yield ("appearances", index, "note"), appearance["note"]
        fidelity = appearance.get("fidelity")
        if isinstance(fidelity, dict) and isinstance(fidelity.get("reason"), str):
            yield ("appearances", index, "fidelity", "reason"), fidelity["reason"]


def locate(start: Location, value: str, offset: int, file_text: str | None) -> Location:
    """Where the character at `offset` of a YAML string `value` is written, when the file's
    text shows it: the value's words are found in order from the value's start, whatever
    the scalar's style folded; else the value's own location."""
    if file_text is None:
        return start
    lines = file_text.split("\n")
    if not 0 < start.line <= len(lines):
        return start
    base = sum(len(line) + 1 for line in lines[: start.line - 1]) + start.col - 1
    position = base
    for word in re.finditer(r"\S+", value):
        found = file_text.find(word.group(), position)
        if found < 0:
            return start
        if word.end() > offset:
            found += max(0, offset - word.start())
            line = file_text.count("\n", 0, found) + 1
            return Location(start.rel_path, line, found - file_text.rfind("\n", 0, found))
        position = found + len(word.group())
    return start


def document_voice_warnings(records: Iterable[Record], read_text: ReadText) -> list[Problem]:
    """A warning for each phrase of a claim whose passage was not read in the document that
    speaks of the document's own words (see DOCUMENT_VERBS)."""
    return claim_warnings(records, read_text)[0]


def claim_warnings(records: Iterable[Record], read_text: ReadText, made: Made | None = None
                   ) -> tuple[list[Problem], list[Problem]]:
    """The claims' document-voice warnings (see document_voice_warnings) and length warnings
    (see length_warnings), claim by claim. `made` is what earlier runs found (in a preview
    server: a claim is looked at again only when its record or whether its passage was read
    changed)."""
    records = list(records)
    read = dict.fromkeys(_read_passages(records), True)
    claims = [r for r in records if r.kind == "claim" and isinstance(r.data, dict)]

    def advice(claim: Record, read: Mapping[tuple[Any, Any], bool]
               ) -> tuple[list[Problem], list[Problem]]:
        return (_voice_warnings(claim, _passage_read(claim.data, read), read_text),
                length_warnings((claim,)))

    if made is not None:
        made.turn()
    found = each(made, claims, advice, read)
    return ([p for voice, _length in found for p in voice],
            [p for _voice, length in found for p in length])


def _voice_warnings(claim: Record, passage_read: bool, read_text: ReadText) -> list[Problem]:
    out: list[Problem] = []
    if passage_read:
        return out
    file_text: str | None = None
    for path, value in _texts(claim.data):
        for voiced in document_voice(value):
            if file_text is None:
                file_text = read_text(claim.rel_path) or ""
            where = locate(claim.where(path), value, voiced.offset, file_text or None)
            out.append(warning(
                where,
                f"{'.'.join(map(str, path))} speaks of the document's own words "
                f"({voiced.phrase!r}), but this claim's passage was not read in it",
                "Say whose words they are: \"the reported wording names ...\", or \"as "
                "reported by ...\". Only a passage with checked: true is the document's "
                "own wording.",
            ))
    return out


def page_claim_warnings(pages: Iterable[PageFile], site: Record | None) -> list[Problem]:
    """A warning for each word of UNBACKED_CLAIMS that an about page says while site.yaml
    lacks a field that would let a reader verify it."""
    data = site.data if site is not None and isinstance(site.data, dict) else {}
    publisher = data.get("publisher")
    if not isinstance(publisher, dict):
        publisher = {}
    given = {key for key in ("owner", "funding") if publisher.get(key)}
    if data.get("repository"):
        given.add("repository")
    needs = dict(UNBACKED_CLAIMS)
    out: list[Problem] = []
    for page in pages:
        if page.id not in ABOUT_PAGES:
            continue
        for found in UNBACKED_RE.finditer(page.text):
            missing = [field for field in needs[found.group(1).lower()] if field not in given]
            if not missing:
                continue
            line = page.text.count("\n", 0, found.start()) + 1
            col = found.start() - (page.text.rfind("\n", 0, found.start()) + 1) + 1
            fields = " and ".join(
                "`repository:`" if f == "repository" else f"`publisher.{f}`" for f in missing)
            out.append(warning(
                Location(page.rel_path, line, col),
                f"the page calls the site {found.group(1)!r}, which a reader cannot verify: "
                f"site.yaml gives no {fields}",
                f"Add {fields} to site.yaml, or say only what the site shows.",
            ))
    return out


def length_warnings(records: Iterable[Record]) -> list[Problem]:
    """A warning for a title (short claim) longer than SHORT_ADVISED and a finding longer
    than FINDING_ADVISED characters."""
    out: list[Problem] = []
    for claim in records:
        if claim.kind != "claim" or not isinstance(claim.data, dict):
            continue
        data = claim.data
        key = "short" if isinstance(data.get("short"), str) else "claim"
        title = data.get(key)
        if isinstance(title, str) and len(title) > SHORT_ADVISED:
            hint = ("Shorten it." if key == "short" else
                    "Add `short:`, the claim in a few words, for titles, share cards and "
                    "ClaimReview (the full `claim:` stays on the page).")
            out.append(warning(
                claim.where((key,)),
                f"{key} is {len(title)} characters, to be used as the page's title: over "
                f"{SHORT_ADVISED}, search results and share cards cut it",
                hint,
            ))
        finding = data.get("finding")
        if isinstance(finding, str) and len(finding) > FINDING_ADVISED:
            out.append(warning(
                claim.where(("finding",)),
                f"finding is {len(finding)} characters: over {FINDING_ADVISED}, it no longer "
                "reads at a glance",
                "Say what was found in one short sentence; the verdict gives the detail.",
            ))
    return out
