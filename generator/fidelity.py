"""Outlet words + passage -> fidelity class, diff and flags: facts, never sentences."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from difflib import SequenceMatcher
from functools import lru_cache

from rapidfuzz.distance import LCSseq

from generator.model import DiffOp, Fidelity, FidelityResult, Flag, FlagKind
from generator.text import normalise

PARAPHRASE_THRESHOLD = 0.5
"""Below this similarity an outlet's words are a paraphrase, at or above it an alteration.

Similarity is the Dice ratio of the matched words, 2 * M / (W + O), where M is the number
of outlet words matched in order to passage words, O the number of outlet words and W the
length of the quoted window of the passage: from its first matched word to its last. The
window, not the whole passage, so that a few edited words taken from a long paragraph are
an alteration of that part, not a paraphrase of the paragraph. At 0.5 half of the words on
both sides are shared in order. In the tests a quoted sentence with a word or two changed
scores 0.85 to 0.97, a heavily reworded one about 0.67, and a retelling in the outlet's own
words that shares a few names or a date about 0.2. A short retelling that reuses half of a
short stretch of the passage in order can reach 0.5; it is then called altered, which shows
its diff and flags rather than hiding them. Words are counted after normalising and after
equating spellings.
"""

MIN_EXCERPT_WORDS = 3
"""An outlet text of fewer words is too short to call an excerpt; it is a paraphrase
unless it is the whole passage word for word (then verbatim)."""

NEGATIONS = frozenset({
    "not", "no", "neither", "nor", "never", "none", "nobody", "nothing", "nowhere",
    "without", "cannot",
})
"""Negation words; any word ending in "n't" is one too."""

NUMERAL_WORDS = frozenset({
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
    "eighteen", "nineteen", "twenty", "thirty", "forty", "fifty", "sixty", "seventy",
    "eighty", "ninety", "hundred", "hundreds", "thousand", "thousands", "million",
    "millions", "billion", "billions", "trillion", "dozen", "dozens", "half", "twice",
    "once", "first", "second", "third", "fourth", "fifth", "tenth",
})
"""Numbers written as words. Any word containing a digit is a number too."""

MONTHS = frozenset({
    "january", "february", "april", "june", "july", "august", "september", "october",
    "november", "december",
})
"""Month names that count as dates wherever they stand."""

AMBIGUOUS_MONTHS = frozenset({"may", "march"})
"""Month names that are more often a verb: dates only next to a word with a digit
("May 2021", "17 March"); otherwise "may" is a hedge."""

QUANTIFIERS = frozenset({
    "all", "any", "both", "each", "every", "few", "fewer", "fewest", "least", "less",
    "many", "more", "most", "much", "majority", "minority", "numerous", "several", "some",
    "various", "whole",
})
"""Quantifiers. "none" is a negation, "half" and "dozens" are numbers."""

HEDGES = frozenset({
    "reportedly", "allegedly", "may", "might", "could", "believed", "likely", "unlikely",
    "possibly", "probably", "possible", "probable", "perhaps", "apparently", "seemingly",
    "appears", "appear", "seem", "seems", "assessed", "assess", "assesses", "suggest",
    "suggests", "suggested", "estimated", "estimate", "estimates", "reported",
    "purportedly", "suspected", "presumably",
})
"""Words that make a statement less than certain; dropping one is flagged."""

_APOSTROPHES = frozenset("'\u2019\u2018\u201b\u02bc\u2032\uff07`\u00b4")
_CLAUSE_MARKS = frozenset(",;:!?()[]{}")
_STOPS = frozenset(".\u2026")
_DIGIT_GROUPING = re.compile(r"(?<=\d)[,'](?=\d)")
_SPELLING_MARK = "\x00"

_NEGATION = "negation"
_NUMBER = "number"
_QUANTIFIER = "quantifier"
_HEDGE = "hedge"
_CLAUSE_WIDE = frozenset({_NEGATION, _HEDGE})
"""Negations and hedges govern their whole clause, so they count when dropped from the
clause around the quoted words; numbers and quantifiers only inside the quoted words."""

_Block = tuple[int, int, int]
"""(passage index, outlet index, length) of a run of matching words."""


@dataclass(frozen=True, slots=True)
class _Word:
    norm: str
    """The word as compared: NFKC, case folded, apostrophes straight, digits ungrouped."""
    printed: str
    """The word as printed, without the punctuation around it."""
    joiner: str | None
    """The characters that attach it to the word before ("-" in "Al-Qaida"), or None
    after white space."""
    clause_start: bool
    """First word, or the first after a comma, stop, bracket, colon or spaced dash."""
    after_ellipsis: bool
    """An ellipsis stands between it and the word before."""
    spelling: tuple[str, ...] | None = None
    """For a member of a spellings group, the member's normalised words."""


@dataclass(frozen=True, slots=True)
class _Mark:
    category: str
    key: str
    printed: str


def compare(
    outlet_text: str, passage_text: str, spellings: Sequence[Sequence[str]] = ()
) -> FidelityResult:
    """Classify how faithfully `outlet_text` reproduces `passage_text`.

    Both texts are split into words (punctuation, case and typography do not count), each
    member of a `spellings` group is replaced by one token for its group, and then:
    the same words are verbatim; a run of the passage's words, or several runs in order
    joined by an ellipsis, is an excerpt (at least MIN_EXCERPT_WORDS words); otherwise the
    similarity decides between altered and paraphrase (see PARAPHRASE_THRESHOLD).

    Hyphens and dashes separate words ("Al-Qaida" and "Al Qaida" compare equal, and the
    diff still prints "Al-Qaida"); an apostrophe inside a word is part of it ("don't",
    "al-Qa'ida"). The diff runs over the whole passage, so passage words outside the quoted
    part show as removed. Flags, on altered only, look at the quoted part of the passage
    (see _quoted_part); a dropped negation or hedge also counts anywhere in the clause
    around it, because it governs the whole clause ("Neither ISIL-K nor" before the words
    an outlet shares).
    """
    groups = tuple(tuple(group) for group in spellings)
    table, longest = _spelling_table(groups)
    source = list(_respelled_passage(passage_text, groups))
    outlet = _respell(_words(outlet_text), table, longest)
    a = [word.norm for word in source]
    b = [word.norm for word in outlet]
    if not a or not b:
        return FidelityResult(Fidelity.PARAPHRASE, 0.0, _diff(source, outlet, []), (), (),
                              too_short=True)

    if a == b:
        return _result(Fidelity.VERBATIM, source, outlet, [(0, 0, len(a))])
    if len(b) >= MIN_EXCERPT_WORDS:
        runs = _excerpt_blocks(a, outlet)
        if runs is not None:
            return _result(Fidelity.EXCERPT, source, outlet, runs)
    blocks = _align(a, b)
    if len(b) < MIN_EXCERPT_WORDS:
        return _result(Fidelity.PARAPHRASE, source, outlet, blocks, short=True)
    if _similarity(blocks, len(b)) >= PARAPHRASE_THRESHOLD:
        return _result(Fidelity.ALTERED, source, outlet, blocks)
    return _result(Fidelity.PARAPHRASE, source, outlet, blocks)


def not_comparable() -> FidelityResult:
    """The result for a passage whose only known wording is the outlet's own."""
    return FidelityResult(Fidelity.NOT_COMPARABLE, 0.0, (), (), (), rests_on_outlet=True)


def contradiction(stated: Fidelity, result: FidelityResult) -> str | None:
    """A one-line message for `check` when an editor's stated fidelity disagrees with the
    computed one."""
    if result.fidelity in (stated, Fidelity.NOT_COMPARABLE):
        return None
    return (
        f'stated fidelity "{stated.value}" but the comparison finds '
        f'"{result.fidelity.value}" ({_summary(result)})'
    )


# Words


def _words(text: str) -> list[_Word]:
    """Split text into words: runs of letters, digits and marks, kept together across an
    apostrophe between letters ("don't") and a comma or point between digits ("4,000")."""
    if not text.isascii():
        text = "".join(c for c in text if unicodedata.category(c) != "Cf")
    words: list[_Word] = []
    gap_start = i = 0
    while i < len(text):
        if not _is_word_char(text[i]):
            i += 1
            continue
        j = i + 1
        while j < len(text):
            if _is_word_char(text[j]):
                j += 1
            elif j + 1 < len(text) and _is_word_char(text[j + 1]) and (
                text[j] in _APOSTROPHES
                or (text[j] in ",." and text[j - 1].isdigit() and text[j + 1].isdigit())
            ):
                j += 2
            else:
                break
        words.append(_word(text[i:j], text[gap_start:i], first=not words))
        gap_start = i = j
    return words


@lru_cache(maxsize=4096)
def _is_word_char(c: str) -> bool:
    return c not in _APOSTROPHES and unicodedata.category(c)[0] in "LNM"


@lru_cache(maxsize=65536)
def _word(raw: str, gap: str, first: bool) -> _Word:
    """One word and the gap before it (words and gaps repeat a great deal, hence the cache;
    _Word is frozen, so sharing one is safe)."""
    gap = unicodedata.normalize("NFKC", gap)
    spaced = any(c.isspace() for c in gap)
    squeezed = "".join(gap.split())
    dashed = any(unicodedata.category(c) == "Pd" or c == "\u2212" for c in gap)
    breaks = (
        any(c in _CLAUSE_MARKS for c in gap)
        or (spaced and (dashed or any(c in _STOPS for c in gap)))
    )
    return _Word(
        norm=_normalise(raw),
        printed=raw,
        joiner=gap if gap and not spaced and not first else None,
        clause_start=first or breaks,
        after_ellipsis="..." in squeezed,
    )


def _normalise(raw: str) -> str:
    """A word as compared: typography normalised, case folded, digits ungrouped."""
    return _DIGIT_GROUPING.sub("", normalise(raw, case=True, space=False, invisible=False).text)


def _join(words: Sequence[_Word]) -> str:
    """Words as printed: attached words keep what joins them, the rest one space apart."""
    parts: list[str] = []
    for k, word in enumerate(words):
        if k:
            parts.append(word.joiner if word.joiner is not None else " ")
        parts.append(word.printed)
    return "".join(parts)


# Spellings


@lru_cache(maxsize=16)
def _spelling_table(
    groups: tuple[tuple[str, ...], ...],
) -> tuple[dict[tuple[str, ...], int], int]:
    """Normalised member words -> group index (the first group wins), and the longest member."""
    table: dict[tuple[str, ...], int] = {}
    for index, group in enumerate(groups):
        for member in group:
            key = tuple(word.norm for word in _words(member))
            if key:
                table.setdefault(key, index)
    return table, max(map(len, table), default=0)


@lru_cache(maxsize=1024)
def _respelled_passage(text: str, groups: tuple[tuple[str, ...], ...]) -> tuple[_Word, ...]:
    """A passage's words, respelled: worked out once for all the appearances of its claim."""
    table, longest = _spelling_table(groups)
    return tuple(_respell(_words(text), table, longest))


def _respell(
    words: list[_Word], table: dict[tuple[str, ...], int], longest: int
) -> list[_Word]:
    """Replace each member of a group, longest first, with one token for its group."""
    out: list[_Word] = []
    i = 0
    while i < len(words):
        found = _member_at(words, i, table, longest)
        if found is None:
            out.append(words[i])
            i += 1
            continue
        size, group, key, suffix = found
        part = words[i : i + size]
        out.append(replace(
            part[0], norm=f"{_SPELLING_MARK}{group}{suffix}", printed=_join(part), spelling=key,
        ))
        i += size
    return out


def _member_at(
    words: list[_Word], i: int, table: dict[tuple[str, ...], int], longest: int
) -> tuple[int, int, tuple[str, ...], str] | None:
    """The longest member starting at word i, possessive "'s" allowed on its last word."""
    for size in range(min(longest, len(words) - i), 0, -1):
        norms = tuple(word.norm for word in words[i : i + size])
        if norms in table:
            return size, table[norms], norms, ""
        if norms[-1].endswith("'s"):
            bare = (*norms[:-1], norms[-1][:-2])
            if bare in table:
                return size, table[bare], bare, "'s"
    return None


# Matching


def _excerpt_blocks(a: list[str], outlet: list[_Word]) -> list[_Block] | None:
    """The outlet's ellipsis-separated runs, found in the passage in order, or None."""
    cuts = [j for j, word in enumerate(outlet) if j and word.after_ellipsis]
    blocks: list[_Block] = []
    start = 0
    for first, end in zip([0, *cuts], [*cuts, len(outlet)], strict=True):
        run = [word.norm for word in outlet[first:end]]
        at = _find(a, run, start)
        if at is None:
            return None
        blocks.append((at, first, len(run)))
        start = at + len(run)
    return blocks


def _align(a: list[str], b: list[str]) -> list[_Block]:
    """Runs of matching words: as many words matched in order as possible, in few runs.

    difflib's longest-run-first matching reads best and nearly always matches the most
    words; when repeated words make it match fewer, the alignment with the most matched
    words and, among those, the fewest runs is used instead.
    """
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    blocks = [(i, j, size) for i, j, size in matcher.get_matching_blocks() if size]
    if sum(size for _, _, size in blocks) == LCSseq.similarity(a, b):
        return blocks
    return _fewest_runs(a, b)


def _fewest_runs(a: list[str], b: list[str]) -> list[_Block]:
    """The alignment with the most matched words, then the fewest runs of them."""
    n, m = len(a), len(b)
    match = n + m + 1
    # score[s][i][j]: best 'match * matched - runs' for a[i:] and b[j:], where s says
    # whether a[i - 1] and b[j - 1] were matched, so that matching a[i], b[j] goes on a run.
    score = [[[0] * (m + 1) for _ in range(n + 1)] for _ in range(2)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            skip = max(score[0][i + 1][j], score[0][i][j + 1])
            for s in (0, 1):
                best = skip
                if a[i] == b[j]:
                    best = max(best, match - (1 - s) + score[1][i + 1][j + 1])
                score[s][i][j] = best
    blocks: list[_Block] = []
    i = j = s = 0
    while i < n and j < m:
        here = score[s][i][j]
        if a[i] == b[j] and here == match - (1 - s) + score[1][i + 1][j + 1]:
            if s and blocks:
                at, bt, size = blocks[-1]
                blocks[-1] = (at, bt, size + 1)
            else:
                blocks.append((i, j, 1))
            i, j, s = i + 1, j + 1, 1
        elif here == score[0][i + 1][j]:
            i, s = i + 1, 0
        else:
            j, s = j + 1, 0
    return blocks


def _find(a: list[str], run: list[str], start: int) -> int | None:
    for at in range(start, len(a) - len(run) + 1):
        if a[at : at + len(run)] == run:
            return at
    return None


def _similarity(blocks: list[_Block], outlet_size: int) -> float:
    """2 * matched / (quoted window + outlet words), rounded to 3 decimals."""
    matched = sum(size for _, _, size in blocks)
    if not matched:
        return 0.0
    window = blocks[-1][0] + blocks[-1][2] - blocks[0][0]
    return round(2 * matched / (window + outlet_size), 3)


def _diff(source: list[_Word], outlet: list[_Word], blocks: list[_Block]) -> tuple[DiffOp, ...]:
    ops: list[tuple[str, list[_Word]]] = []

    def add(kind: str, words: list[_Word]) -> None:
        if not words:
            return
        if ops and ops[-1][0] == kind:
            ops[-1][1].extend(words)
        else:
            ops.append((kind, list(words)))

    i = j = 0
    for at, bt, size in [*blocks, (len(source), len(outlet), 0)]:
        add("removed", source[i:at])
        add("added", outlet[j:bt])
        add("same", source[at : at + size])
        i, j = at + size, bt + size
    return tuple(DiffOp(kind, _join(words)) for kind, words in ops)


def _respellings(
    source: list[_Word], outlet: list[_Word], blocks: list[_Block]
) -> tuple[tuple[str, str], ...]:
    pairs: dict[tuple[str, str], None] = {}
    for at, bt, size in blocks:
        for s, o in zip(source[at : at + size], outlet[bt : bt + size], strict=True):
            if s.spelling and o.spelling and s.spelling != o.spelling:
                pairs[(s.printed, o.printed)] = None
    return tuple(pairs)


# Flags


def _flags(source: list[_Word], outlet: list[_Word], blocks: list[_Block]) -> tuple[Flag, ...]:
    first, last = _quoted_part(source, outlet, blocks)
    clause_first = max(k for k in range(first + 1) if source[k].clause_start)
    clause_end = next(
        (k for k in range(last, len(source)) if source[k].clause_start), len(source)
    )
    kept_source = {at + k for at, _, size in blocks for k in range(size)}
    kept_outlet = {bt + k for _, bt, size in blocks for k in range(size)}

    removed: list[_Mark] = []
    for k in range(clause_first, clause_end):
        mark = _mark(source, k)
        if k in kept_source or mark is None:
            continue
        if first <= k < last or mark.category in _CLAUSE_WIDE:
            removed.append(mark)
    added = [
        mark for k in range(len(outlet))
        if k not in kept_outlet and (mark := _mark(outlet, k)) is not None
    ]

    flags: list[Flag] = []
    dropped, put = _unmatched(removed, added, _NEGATION)
    if dropped:
        flags.append(Flag(FlagKind.NEGATION_DROPPED, dropped, ()))
    if put:
        flags.append(Flag(FlagKind.NEGATION_ADDED, (), put))
    dropped, put = _unmatched(removed, added, _NUMBER)
    # a spelled-out count the outlet adds where no number was dropped ("the two groups"
    # for "the Taliban ... and Al-Qaida") names the source's own subjects: not a change
    if dropped or any(word.casefold() not in NUMERAL_WORDS for word in put):
        flags.append(Flag(FlagKind.NUMBER_CHANGED, dropped, put))
    dropped, put = _unmatched(removed, added, _QUANTIFIER)
    if dropped or put:
        flags.append(Flag(FlagKind.QUANTIFIER_CHANGED, dropped, put))
    dropped, _ = _unmatched(removed, added, _HEDGE)
    if dropped:
        flags.append(Flag(FlagKind.HEDGE_DROPPED, dropped, ()))
    return tuple(flags)


def _quoted_part(
    source: list[_Word], outlet: list[_Word], blocks: list[_Block]
) -> tuple[int, int]:
    """The passage words the outlet quotes: from the first to the last matched word, widened
    by as many words as the outlet adds before its first or after its last matched word
    (the outlet's "All fighters" for the passage's "Some fighters")."""
    first, last = blocks[0][0], blocks[-1][0] + blocks[-1][2]
    before = blocks[0][1]
    after = len(outlet) - blocks[-1][1] - blocks[-1][2]
    return first - min(before, first), last + min(after, len(source) - last)


def _mark(words: list[_Word], k: int) -> _Mark | None:
    """What kind of meaning-bearing word words[k] is, and the key it is compared by."""
    norm, printed = words[k].norm, words[k].printed
    if norm.startswith(_SPELLING_MARK):
        return None
    if norm.endswith("n't") or norm == "cannot":
        return _Mark(_NEGATION, "not", printed)
    if norm in NEGATIONS:
        return _Mark(_NEGATION, norm, printed)
    if (
        _has_digit(norm)
        or norm in NUMERAL_WORDS
        or norm in MONTHS
        or (norm in AMBIGUOUS_MONTHS and _next_to_digit(words, k))
    ):
        return _Mark(_NUMBER, norm, printed)
    if norm in QUANTIFIERS:
        return _Mark(_QUANTIFIER, norm, printed)
    if norm in HEDGES:
        return _Mark(_HEDGE, norm, printed)
    return None


def _has_digit(text: str) -> bool:
    return any(c.isdigit() for c in text)


def _next_to_digit(words: list[_Word], k: int) -> bool:
    return any(0 <= n < len(words) and _has_digit(words[n].norm) for n in (k - 1, k + 1))


def _unmatched(
    removed: list[_Mark], added: list[_Mark], category: str
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Removed and added words of one category, less those that reappear on the other side."""
    gone = [mark for mark in removed if mark.category == category]
    new = [mark for mark in added if mark.category == category]
    return _less(gone, new), _less(new, gone)


def _less(marks: list[_Mark], other: list[_Mark]) -> tuple[str, ...]:
    spare = Counter(mark.key for mark in other)
    kept: list[str] = []
    for mark in marks:
        if spare[mark.key]:
            spare[mark.key] -= 1
        else:
            kept.append(mark.printed)
    return tuple(kept)


# Results


def _result(
    fidelity: Fidelity,
    source: list[_Word],
    outlet: list[_Word],
    blocks: list[_Block],
    short: bool = False,
) -> FidelityResult:
    return FidelityResult(
        fidelity=fidelity,
        similarity=_similarity(blocks, len(outlet)),
        diff=_diff(source, outlet, blocks),
        flags=_flags(source, outlet, blocks) if fidelity is Fidelity.ALTERED else (),
        respellings=_respellings(source, outlet, blocks),
        runs=len(blocks),
        too_short=short,
    )


_FLAG_WHAT = {
    FlagKind.NEGATION_DROPPED: "a negation",
    FlagKind.NEGATION_ADDED: "a negation",
    FlagKind.NUMBER_CHANGED: "a number or date",
    FlagKind.QUANTIFIER_CHANGED: "a quantifier",
    FlagKind.HEDGE_DROPPED: "a hedge",
}


def _flag_summary(flag: Flag) -> str:
    """'drops "41"', 'adds "40"' or 'changes "41" to "40"', then what the words are."""

    def quoted(words: Sequence[str]) -> str:
        return ", ".join(f'"{word}"' for word in words)

    if flag.dropped and flag.added:
        change = f"changes {quoted(flag.dropped)} to {quoted(flag.added)}"
    elif flag.dropped:
        change = f"drops {quoted(flag.dropped)}"
    else:
        change = f"adds {quoted(flag.added)}"
    return f"{change}: {_FLAG_WHAT[flag.kind]}"


def _summary(result: FidelityResult) -> str:
    if result.flags:
        return "; ".join(_flag_summary(flag) for flag in result.flags)
    if result.fidelity is Fidelity.VERBATIM:
        return "the same words"
    if result.fidelity is Fidelity.EXCERPT:
        return "a part of the passage, word for word"
    if result.fidelity is Fidelity.PARAPHRASE:
        return f"similarity {result.similarity:.2f}"
    return _edits(result.diff)


def _edits(diff: tuple[DiffOp, ...]) -> str:
    """The changes inside the quoted part: 'changes "a" to "b"', 'drops "c"', 'adds "d"'."""
    ops = list(diff)
    while ops and ops[0].kind == "removed":
        ops.pop(0)
    while ops and ops[-1].kind == "removed":
        ops.pop()
    edits: list[str] = []
    k = 0
    while k < len(ops):
        op = ops[k]
        if op.kind == "removed" and k + 1 < len(ops) and ops[k + 1].kind == "added":
            edits.append(f'changes "{op.text}" to "{ops[k + 1].text}"')
            k += 1
        elif op.kind == "removed":
            edits.append(f'drops "{op.text}"')
        elif op.kind == "added":
            edits.append(f'adds "{op.text}"')
        k += 1
    if not edits:
        return "words added, dropped or changed"
    more = f" and {len(edits) - 3} more" if len(edits) > 3 else ""
    return ", ".join(edits[:3]) + more
