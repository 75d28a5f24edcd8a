"""SiteViews -> a lunr.py index serialised for lunr.js 2.3.9, sharded, and a document store in parts.

The shards and the parts of the store have content-hashed names under assets/search/ (cached
for a year); search/index.json, the manifest the search page loads, names them."""

from __future__ import annotations

import gzip
import json
import math
import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from lunr import __TARGET_JS_VERSION__ as LUNR_TARGET_JS_VERSION
from lunr.stop_word_filter import WORDS as STOP_WORDS
from lunr.token import Token

from generator.markdown import plain_text
from generator.model import Entities, Site
from generator.stemmer import stem
from generator.text import shorten
from generator.urls import content_hash, url
from generator.views import ClaimView, SiteViews

CLAIM_BOOST = 10
"""How much more a word of the claim itself counts than the same word elsewhere."""

VERDICT_WORDS = 40
"""Only a verdict's first words are indexed (where editors state the finding): a word further
down finds the claim only if the claim, a quote, a tag, an outlet or the source has it too.
The whole verdict would about double the index."""

SNIPPET_CHARS = 160
"""The longest snippet kept in the store for a result."""

SCORE_DECIMALS = 2
"""Field-vector scores are rounded to this many decimals (lunr.py writes three): each matched
term moves a score by at most 0.005 times its query weight, so only near-ties can swap."""

STORE_PART = 100
"""Claims per part of the store (some 33 KB, 9 KB gzipped). The search page fetches the
parts that hold the results it shows (at most 50), so that what one query loads stays the
same however many claims the site has: the whole store of 100,000 claims is 33 MB."""

POSTINGS_PER_SHARD = 6000
"""About how many (term, field, claim) postings go into one index shard (some 40 KB gzipped):
the browser fetches only the shards that hold the words of a query."""

FIELDS: tuple[tuple[str, int], ...] = (
    ("claim", CLAIM_BOOST),
    ("verdict", 1),
    ("tags", 1),
    ("outlet", 1),
    ("quote", 1),
    ("source", 1),
)
"""Index fields and their boosts; the names work in lunr.js field queries (`outlet:blitz`)."""

DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212"
"""Characters that split words as the hyphen does: the hyphen-minus, the Unicode hyphens
(non-breaking too), the figure, en and em dashes, the horizontal bar and the minus sign.
search.js splits queries at the same characters."""

APOSTROPHES = "'\u2018\u2019\u02bc\u2032\uff07"
"""Characters read as one apostrophe: ' ‘ ’ ʼ ′ and the fullwidth '. Inside a word they
become "'"; in a spelling of the fold table they are optional."""

KEPT_CATEGORIES = frozenset("LMNS")
"""The trimmer keeps letters, marks, numbers and symbols (emoji among them) of any script at
the ends of a word, and drops everything else (punctuation above all)."""

# lunr.js 2.3.9 splits on /[\s\-]+/ after String.prototype.toLowerCase(); JavaScript's \s
# is this set (ECMAScript WhiteSpace and LineTerminator), not Python's str.isspace().
_JS_SPACE = (
    "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
    "\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
)
_SEPARATOR = re.compile("[" + re.escape(_JS_SPACE + DASHES) + "]+")
_APOSTROPHE_MAP = str.maketrans({char: "'" for char in APOSTROPHES})
_WIDE_DASHES = str.maketrans({char: " " for char in DASHES[1:]})
_NO_APOSTROPHES = str.maketrans({char: None for char in APOSTROPHES})
_ASCII_KEPT = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")

MANIFEST = "search/index.json"
"""The index's manifest: the one search file whose name never changes."""
HASHED = "assets/search"
"""Where the shards and the store go, named after their bytes."""


@dataclass(frozen=True, slots=True)
class SearchDocument:
    """What is indexed of one claim, as lists of words per field."""

    ref: str
    """Short reference used in the index and the store (base 36 of the claim's position)."""
    fields: dict[str, tuple[str, ...]]
    """field name -> the words of that field, in order (lunr.js tokens, not yet trimmed)."""
    entry: dict[str, str]
    """The claim's record in the store: t (claim), u (url_path), s (status), l (label), x (snippet)."""


# ---------------------------------------------------------------- text as lunr.js sees it


def tokenize(text: str, limit: int | None = None) -> list[str]:
    """As `lunr.tokenizer`: lower-case, then split on JavaScript white space and DASHES.

    With `limit`, only the first `limit` tokens.
    """
    if limit is None:
        return [part for part in _SEPARATOR.split(text.lower()) if part]
    parts = _SEPARATOR.split(text.lower(), maxsplit=limit + 1)[: limit + 1]
    return [part for part in parts if part][:limit]


def trim(word: str) -> str:
    """The trimmer of both sides (search.js has its twin): every apostrophe of APOSTROPHES
    becomes "'", then the characters outside KEPT_CATEGORIES are dropped from both ends.

    lunr.trimmer keeps only [A-Za-z0-9_], so that a word in Arabic, Hebrew or Chinese, or an
    emoji, would vanish: this one keeps the letters, marks, numbers and symbols of any script.
    An English possessive "'s" is dropped too, as the stemmer is English: "Taliban's" is
    "taliban".
    """
    if not word or (word[0] in _ASCII_KEPT and word[-1] in _ASCII_KEPT and word.isascii()
                    and "'" not in word):
        return word
    word = word.translate(_APOSTROPHE_MAP)
    start, end = 0, len(word)
    while start < end and not _kept(word[start]):
        start += 1
    while end > start and not _kept(word[end - 1]):
        end -= 1
    word = word[start:end]
    return word[:-2] if word.endswith(("'s", "'S")) and len(word) > 2 else word


def _kept(char: str) -> bool:
    return char in _ASCII_KEPT or unicodedata.category(char)[0] in KEPT_CATEGORIES


def _label(label: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Name a pipeline function as lunr.js registers its counterpart (the name is serialised)."""

    def name(fn: Callable[..., Any]) -> Callable[..., Any]:
        fn.label = label  # type: ignore[attr-defined]
        return fn

    return name


@_label("trimmer")
def trimmer(token: Token, i: int | None = None, tokens: Sequence[Token] | None = None) -> Token | None:
    """`trim` in lunr's pipeline; an empty result is dropped rather than indexed as the term ""."""
    token.update(lambda s, metadata: trim(s))
    return token if str(token) else None


@_label("stopWordFilter")
def stop_word_filter(
    token: Token, i: int | None = None, tokens: Sequence[Token] | None = None
) -> Token | None:
    """lunr.stopWordFilter (lunr.py's word list is lunr.js's; tests/test_stemmer.py checks)."""
    return None if str(token) in STOP_WORDS else token


@_label("stemmer")
def stemmer(token: Token, i: int | None = None, tokens: Sequence[Token] | None = None) -> Token:
    """lunr.stemmer as lunr.js 2.3.9 computes it (see generator/stemmer.py)."""
    return token.update(lambda s, metadata: stem(s))


def index_terms(text: str) -> list[str]:
    """The terms the index holds for `text`, as search.js computes them for a query: tokenize,
    trim, stopWordFilter, stemmer."""
    terms = []
    for word in tokenize(text):
        word = trim(word)
        if word and word not in STOP_WORDS:
            terms.append(stem(word))
    return terms


# ---------------------------------------------------------------- folding spellings


@dataclass(frozen=True, slots=True)
class Fold:
    """One name under all its spellings: the index and the query fold each of them to `term`."""

    term: str
    """The token every spelling becomes: the shortest spelling written as one word ("alqaeda")
    that the stemmer leaves as it is (else the shortest), the first in order among equals."""
    name: str
    """The name as the site writes it: the entity's name, or its spelling group's first."""
    spellings: tuple[str, ...]
    """Every spelling as `fold_key` sees it, its words joined by one space; sorted."""


@dataclass(frozen=True, slots=True)
class FoldTable:
    """The folds of a site, and the one pattern that finds any of their spellings in a text."""

    folds: tuple[Fold, ...] = ()
    """By term."""
    pattern: re.Pattern[str] | None = None
    """Any spelling (group 1), longest first, then a possessive "'s" (group 2) if there is one,
    and not part of a longer word; None without folds."""
    terms: Mapping[str, str] = field(default_factory=dict)
    """A spelling written as one word (`squash`) -> its fold's term."""

    def manifest(self) -> list[list[Any]]:
        """[[term, name, [spelling, ...]], ...]: search.js builds the same pattern from it."""
        return [[fold.term, fold.name, list(fold.spellings)] for fold in self.folds]


NO_FOLDS = FoldTable()


def fold_key(spelling: str) -> tuple[str, ...]:
    """A spelling's words as folding compares them: lower case, without apostrophes, split at
    white space and DASHES, trimmed at both ends: "Al-Qa'ida" -> ("al", "qaida")."""
    return tuple(tokenize(trim(spelling.translate(_NO_APOSTROPHES))))


def squash(text: str) -> str:
    """Words written as one, the identity of a spelling: "al-Qa\u2019ida" -> "alqaida"."""
    return "".join(_SEPARATOR.split(text.lower().translate(_NO_APOSTROPHES)))


def fold_table(spellings: Sequence[Sequence[str]], entities: Entities) -> FoldTable:
    """The folds of spellings.yaml's groups and of entities.yaml's names with their aliases.

    Groups that share a spelling (written as one word) are one fold, so a spelling group and
    the entity that lists the same names fold together. A spelling that is a stop word is
    never folded: it is not indexed either.
    """
    named: list[tuple[str, tuple[str, ...]]] = [
        (entity.name, (entity.name, *entity.aliases)) for entity in entities.entities
    ]
    named += [(group[0], tuple(group)) for group in spellings if group]
    parent: dict[str, str] = {}

    def root(key: str) -> str:
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    keys_of: dict[str, tuple[str, ...]] = {}
    first_name: dict[str, str] = {}
    for name, names in named:
        squashed = []
        for spelling in names:
            key = fold_key(spelling)
            word = "".join(key)
            if word and word not in STOP_WORDS:
                keys_of.setdefault(word, key)
                first_name.setdefault(word, name)
                parent.setdefault(word, word)
                squashed.append(word)
        for word in squashed[1:]:
            parent[root(word)] = root(squashed[0])
    members: dict[str, list[str]] = {}
    for word in keys_of:
        members.setdefault(root(word), []).append(word)
    folds = []
    terms: dict[str, str] = {}
    for words in members.values():
        spelled = sorted({" ".join(keys_of[word]) for word in words})
        if spelled == [words[0]]:
            continue
        term = min(words, key=lambda word: (stem(word) != word, len(word), word))
        folds.append(Fold(term=term, name=first_name[words[0]], spellings=tuple(spelled)))
        terms.update((word, term) for word in words)
    if not folds:
        return NO_FOLDS
    folds.sort(key=lambda fold: fold.term)
    every = [spelling for fold in folds for spelling in fold.spellings]
    return FoldTable(tuple(folds), _fold_pattern(every), terms)


def _fold_pattern(spellings: Sequence[str]) -> re.Pattern[str]:
    """Any of `spellings`, the longest first; its words may be joined by white space, DASHES or
    nothing, an apostrophe may stand between two letters, an English possessive may follow,
    and it must not touch a letter or a number on either side. search.js builds the same
    pattern (`Folder`)."""
    between = "[" + re.escape(_JS_SPACE + DASHES) + "]*"
    apostrophe = "[" + re.escape(APOSTROPHES) + "]?"
    alternatives = [
        between.join(apostrophe.join(re.escape(char) for char in word) for word in spelling.split(" "))
        for spelling in sorted(spellings, key=lambda spelling: (-len(squash(spelling)), spelling))
    ]
    possessive = "((?:[" + re.escape(APOSTROPHES) + "]s)?)"
    # Looking ahead for a first letter first only makes the search faster (about twice).
    first = "(?=[" + re.escape("".join(sorted({spelling[0] for spelling in spellings}))) + "])"
    return re.compile(
        first + "(?<![^\\W_])(" + "|".join(alternatives) + ")" + possessive + "(?![^\\W_])"
    )


def site_folds(site: Site) -> FoldTable:
    """The fold table of a site's spellings and entities."""
    return fold_table(site.spellings, site.entities)


def fold_text(text: str, folds: FoldTable) -> str:
    """A document's text, lower-cased, with the term of its fold before each spelling found.

    The words as written stay (a search for "Haqqani" still finds "Haqqani network"), and the
    term makes every spelling of the name find the text. Snippets and titles in the store
    keep the original text: folding is for matching only.
    """
    text = text.lower()
    if folds.pattern is None:
        return text
    terms = folds.terms
    return folds.pattern.sub(lambda found: f" {terms[squash(found[1])]} {found[0]}", text)


def fold_query(text: str, folds: FoldTable) -> str:
    """What search.js makes of a query before lunr reads it: lower case, each spelling (and
    its possessive) replaced by its fold's term ("Al Qa\u2019ida's*" -> "alqaeda*"), and the
    dashes that lunr's query parser does not split at made spaces."""
    text = text.lower()
    if folds.pattern is not None:
        terms = folds.terms
        text = folds.pattern.sub(lambda found: terms[squash(found[1])], text)
    return text.translate(_WIDE_DASHES)


def symbol_words(symbol: str) -> tuple[str, ...]:
    """A document symbol's words: each whole ("s/2022/419"), then what follows each of its
    slashes but the last ("2022/419"), so that a reader may leave out the series letter."""
    words: list[str] = []
    for word in tokenize(symbol):
        parts = word.split("/")
        words.append(word)
        words.extend("/".join(parts[i:]) for i in range(1, len(parts) - 1))
    return tuple(words)


def document_words(text: str, folds: FoldTable, limit: int | None = None) -> tuple[str, ...]:
    """The words lunr indexes of a field's text: folded (`fold_text`), then tokenized; with
    `limit`, only the first `limit` of them."""
    return tuple(tokenize(fold_text(text, folds), limit))


# ---------------------------------------------------------------- documents


def _ref(position: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    text = ""
    while True:
        position, rest = divmod(position, 36)
        text = digits[rest] + text
        if position == 0:
            return text


def _unique_in_order(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def _outlet_names(view: ClaimView) -> tuple[str, ...]:
    return _unique_in_order(v.appearance.article.outlet.name for v in view.views)


def _quote_words(view: ClaimView, already: set[str], folds: FoldTable) -> tuple[str, ...]:
    """The words of every quote, each distinct term once, leaving out the claim's own terms."""
    words: list[str] = []
    seen = set(already)
    for appearance in (v.appearance for v in view.views):
        for word in document_words(appearance.quote, folds):
            trimmed = trim(word)
            if not trimmed or trimmed in STOP_WORDS:
                continue
            term = stem(trimmed)
            if term not in seen:
                seen.add(term)
                words.append(word)
    return tuple(words)


def search_documents(
    views: SiteViews, labels: Mapping[str, Any], folds: FoldTable | None = None,
) -> tuple[SearchDocument, ...]:
    """One document per claim, in claim id order; status labels in the theme's words. Words
    are folded with `folds` (by default, the site's own: `site_folds`)."""
    if folds is None:
        folds = site_folds(views.site)
    return tuple(claim_document(view, position, labels, folds)
                 for position, view in enumerate(views.claims))


def placed(document: SearchDocument, position: int) -> SearchDocument:
    """A document made of a claim's view, as the `position`th claim's (its reference)."""
    ref = _ref(position)
    return document if document.ref == ref else replace(document, ref=ref)


def claim_document(view: ClaimView, position: int, labels: Mapping[str, Any],
                   folds: FoldTable) -> SearchDocument:
    """The document of one claim, the `position`th of the site: what is indexed of it is made
    of its view, the labels and the folds alone."""
    claim = view.claim
    claim_words = document_words(claim.claim, folds)
    verdict = plain_text(claim.verdict)
    verdict_words = document_words(verdict, folds, VERDICT_WORDS)
    source_words: tuple[str, ...] = ()
    if claim.source is not None:
        source_words = document_words(claim.source.title, folds)
        if claim.source.symbol:
            source_words += symbol_words(claim.source.symbol)
    claim_terms = set(index_terms(" ".join(claim_words)))
    return SearchDocument(
        ref=_ref(position),
        fields={
            "claim": claim_words,
            "verdict": verdict_words,
            "tags": document_words(" ".join(claim.tags), folds),
            "outlet": document_words(" ".join(_outlet_names(view)), folds),
            "quote": _quote_words(view, claim_terms, folds),
            "source": source_words,
        },
        entry={
            "t": claim.claim,
            "u": url("claim", claim.id),
            "s": claim.status.value,
            "l": labels["status"][claim.status.value]["label"],
            "x": _snippet(_outlet_names(view), verdict, labels),
        },
    )


# ---------------------------------------------------------------- index and store


def _utf16_key(term: str) -> bytes:
    """lunr.js compares terms as UTF-16 code units; its TokenSet.Builder needs that order."""
    return term.encode("utf-16-be", "surrogatepass")


def _round(value: float) -> float | int:
    rounded = round(value, SCORE_DECIMALS)
    return int(rounded) if rounded == int(rounded) else rounded


K1 = 1.2
"""lunr's term frequency saturation (Builder.k1), as lunr.py and lunr.js default it."""
B = 0.75
"""lunr's field length normalisation (Builder.b), as lunr.py and lunr.js default it."""


def _term(word: str) -> str | None:
    """The term lunr.py's builder indexes for one token of a field given as a list of words
    (its tokenizer lower-cases each word again), or None when the pipeline drops it."""
    trimmed = trim(word.lower())
    if not trimmed or trimmed in STOP_WORDS:
        return None
    return stem(trimmed)


def build_index(documents: Sequence[SearchDocument]) -> dict[str, Any]:
    """The lunr.js 2.3.9 serialised index of `documents`: what lunr.py's Builder (with the
    trimmer, stopWordFilter and stemmer above, default k1 and b) serialises, computed the
    same way without its per-token objects and copies.

    Terms are listed, and numbered (`_index`), in lunr.js's string order, so that a range
    of terms and the matching slice of every field vector can be cut out as a shard.
    Field vectors of empty fields are left out, and scores are rounded.
    """
    fields = [name for name, _boost in FIELDS]
    index: dict[str, Any] = {
        "version": LUNR_TARGET_JS_VERSION,
        "fields": fields,
        "pipeline": [stemmer.label],  # type: ignore[attr-defined]
        "invertedIndex": [],
        "fieldVectors": [],
    }
    if not documents:
        return index
    terms_of: dict[str, str | None] = {}
    postings: dict[str, dict[str, dict[str, dict[str, Any]]]] = {}
    counted: list[tuple[str, str, int, dict[str, int]]] = []
    total_length = dict.fromkeys(fields, 0)
    for document in documents:
        ref = str(document.ref)
        for field_name in fields:
            frequencies: dict[str, int] = {}
            length = 0
            for word in document.fields[field_name]:
                if word in terms_of:
                    term = terms_of[word]
                else:
                    term = terms_of[word] = _term(word) if word else None
                if term is None:
                    continue
                length += 1
                frequencies[term] = frequencies.get(term, 0) + 1
            for term in frequencies:
                posting = postings.get(term)
                if posting is None:
                    posting = postings[term] = {name: {} for name in fields}
                posting[field_name][ref] = {}
            counted.append((field_name + "/" + ref, field_name, length, frequencies))
            total_length[field_name] += length
    average = {field_name: total_length[field_name] / len(documents) for field_name in fields}
    inverted = sorted(postings.items(), key=lambda pair: _utf16_key(pair[0]))
    position_of: dict[str, int] = {}
    idf_of: dict[str, float] = {}
    count = len(documents)
    for position, (term, posting) in enumerate(inverted):
        position_of[term] = position
        with_term = sum(len(docs) for docs in posting.values())
        idf_of[term] = math.log(1 + abs((count - with_term + 0.5) / (with_term + 0.5)))
        posting["_index"] = position  # type: ignore[assignment]
    boosts = dict(FIELDS)
    vectors = []
    for field_ref, field_name, length, frequencies in counted:
        if not frequencies:
            continue
        boost = boosts[field_name]
        norm = K1 * (1 - B + B * (length / average[field_name]))
        pairs = []
        for term, tf in frequencies.items():
            score = idf_of[term] * ((K1 + 1) * tf) / (norm + tf)
            score *= boost
            pairs.append((position_of[term], _round(round(score, 3))))
        pairs.sort()
        vectors.append([field_ref, [x for pair in pairs for x in pair]])
    index["invertedIndex"] = [[term, posting] for term, posting in inverted]
    index["fieldVectors"] = vectors
    return index


def split_index(index: dict[str, Any], postings_per_shard: int) -> list[tuple[str, dict[str, Any]]]:
    """(first term, serialised lunr index) for consecutive ranges of terms.

    Each shard is a complete lunr.js index of its terms: its field vectors keep only their
    entries for those terms. Because lunr.js scores a document by the dot product of the
    query vector with the field vectors (divided by the query's magnitude only), an index
    merged from the shards that hold a query's terms gives the same results and scores as
    the whole index.
    """
    inverted = index["invertedIndex"]
    bounds: list[int] = [0]
    count = 0
    for position, (_term, posting) in enumerate(inverted):
        size = sum(len(docs) for field, docs in posting.items() if field != "_index")
        if count and count + size > postings_per_shard:
            bounds.append(position)
            count = 0
        count += size
    bounds.append(len(inverted))
    vectors: list[list[list[Any]]] = [[] for _ in bounds[1:]]
    last = len(bounds) - 2
    for field_ref, elements in index["fieldVectors"]:
        terms = elements[0::2]
        start = 0
        while start < len(terms):
            number = bisect_right(bounds, terms[start], 0, last + 1) - 1
            end = len(terms) if number == last else bisect_left(terms, bounds[number + 1], start)
            vectors[number].append([field_ref, elements[2 * start : 2 * end]])
            start = end
    shards = []
    for number, low in enumerate(bounds[:-1]):
        shards.append(
            (
                inverted[low][0] if low else "",
                {
                    "version": index["version"],
                    "fields": index["fields"],
                    "pipeline": index["pipeline"],
                    "invertedIndex": inverted[low : bounds[number + 1]],
                    "fieldVectors": vectors[number],
                },
            )
        )
    return shards


def _snippet(outlets: Sequence[str], verdict: str, labels: Mapping[str, Any]) -> str:
    """Who repeated the claim (in the theme's words), then the start of the verdict, cut at
    a word."""
    text = verdict
    if outlets:
        text = str(labels["search"]["repeated_by"]).format(outlets=", ".join(outlets)) + text
    return shorten(text, SNIPPET_CHARS)


def build_store(documents: Sequence[SearchDocument],
                part_size: int = STORE_PART) -> list[dict[str, dict[str, str]]]:
    """The store in parts, each ref -> {t: claim, u: url_path, s: status value, l: status
    label, x: snippet}: part k holds the documents at positions k * part_size up to (k + 1) *
    part_size, a document's position being its ref read in base 36."""
    parts: list[dict[str, dict[str, str]]] = [
        {} for _ in range(-(-len(documents) // part_size))]
    for document in documents:
        parts[int(document.ref, 36) // part_size][document.ref] = document.entry
    return parts


def dumps(value: Any) -> bytes:
    """Compact, key-sorted UTF-8 JSON: the same value always gives the same bytes."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def build_search(
    views: SiteViews, labels: Mapping[str, Any], postings_per_shard: int = POSTINGS_PER_SHARD,
    documents: Sequence[SearchDocument] | None = None, store_part: int = STORE_PART,
) -> dict[str, bytes]:
    """The search files of a site: out path -> bytes. `documents` are the site's
    (`search_documents`), when they are made already.

    The manifest (`search/index.json`) is `{"version", "fields", "pipeline", "shards": [[first
    term, url], ...], "store": {"size": claims per part, "parts": [url, ...]}, "fold": [[term,
    name, [spelling, ...]], ...]}`; shard i holds the terms from its first term up to the next
    shard's first term, part k of the store the records of refs k * size up to (k + 1) * size
    (`build_store`), and search.js folds a query with `fold` as the index's documents were
    folded (see `fold_table`).
    """
    folds = site_folds(views.site)
    if documents is None:
        documents = search_documents(views, labels, folds)
    return index_files(documents, folds, postings_per_shard, store_part)


def index_files(documents: Sequence[SearchDocument], folds: FoldTable,
                postings_per_shard: int = POSTINGS_PER_SHARD,
                store_part: int = STORE_PART) -> dict[str, bytes]:
    """The search files (`build_search`) of a site's documents and folds: of nothing else,
    so that they can be made in a process that holds nothing else."""
    index = build_index(documents)
    files: dict[str, bytes] = {}

    def hashed(kind: str, value: Any) -> str:
        data = dumps(value)
        out_path = f"{HASHED}/{kind}.{content_hash(data)}.json"
        files[out_path] = data
        return "/" + out_path

    shards = [[first, hashed("shard", shard)]
              for first, shard in split_index(index, postings_per_shard)]
    parts = [hashed("store", part) for part in build_store(documents, store_part)]
    files[MANIFEST] = dumps(
        {
            "version": index["version"],
            "fields": index["fields"],
            "pipeline": index["pipeline"],
            "shards": shards,
            "store": {"size": store_part, "parts": parts},
            "fold": folds.manifest(),
        }
    )
    return dict(sorted(files.items()))


def gzipped_size(data: bytes) -> int:
    """Bytes after gzip -9 with a fixed header (for size reports)."""
    return len(gzip.compress(data, compresslevel=9, mtime=0))
