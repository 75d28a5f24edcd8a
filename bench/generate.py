"""Claim count + seed -> a synthetic content tree in the docs/format.md format (for benchmarks)."""

from __future__ import annotations

import argparse
import bisect
import hashlib
import json
import random
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

APPEARANCES_PER_CLAIM = 5
ARTICLE_WORDS = 800

OUTLETS = (
    ("gazette", "Example Gazette", "GB"),
    ("herald", "Example Herald", "US"),
    ("courier", "Example Courier", "AU"),
    ("ledger", "Example Ledger", "CA"),
    ("tribune", "Example Tribune", "IE"),
    ("dispatch", "Example Dispatch", "NZ"),
)

SOURCES = (
    ("monitoring-report", "Synthetic monitoring team report", "Example Security Council", "report"),
    ("inspector-report", "Synthetic inspector general quarterly report", "Example Department", "report"),
    ("defence-report", "Synthetic defence department report to parliament", "Example Ministry", "report"),
    ("leaders-speech", "Synthetic remarks of the head of government", "Example Government", "speech"),
)

CLAIMS_PER_SOURCE = 2500
"""Claims whose passage one source holds, at most: a larger site cites more sources (each a
further volume of one of SOURCES), so that no source file grows past the loader's size
limit."""


def _sources(claims: int) -> list[tuple[str, str, str, str]]:
    """SOURCES, and as many further volumes of them as `claims` needs."""
    count = max(len(SOURCES), -(-claims // CLAIMS_PER_SOURCE))
    out = list(SOURCES)
    for index in range(len(SOURCES), count):
        source_id, title, publisher, kind = SOURCES[index % len(SOURCES)]
        volume = index // len(SOURCES) + 1
        out.append((f"{source_id}-{volume}", f"{title}, volume {volume}", publisher, kind))
    return out


STATUSES = (
    "unchecked", "unchecked", "misrepresented", "confirmed", "not-in-source",
    "outdated", "unchecked", "misrepresented", "confirmed", "unlocated",
)
ATTRIBUTIONS = ("correct", "via-intermediary", "missing", "wrong", "correct")

COMMON = (
    "the", "of", "and", "to", "a", "in", "that", "is", "was", "for", "it", "with", "as", "on",
    "be", "at", "by", "this", "had", "not", "are", "but", "from", "or", "have", "an", "they",
    "which", "one", "you", "were", "all", "we", "her", "she", "there", "would", "their",
    "will", "when", "who", "him", "been", "has", "more", "if", "no", "out", "so", "said",
    "what", "up", "its", "about", "than", "into", "them", "can", "only", "other", "new",
    "some", "could", "time", "these", "two", "may", "first", "then", "do", "any", "like",
    "my", "now", "over", "such", "our", "man", "me", "even", "most", "made", "after", "also",
    "did", "many", "before", "must", "through", "back", "years", "where", "much", "your",
    "way", "well", "down", "should", "because", "each", "just", "those", "people", "how",
    "too", "little", "state", "good", "very", "make", "world", "still", "own", "see", "men",
    "work", "long", "get", "here", "between", "both", "life", "being", "under", "never",
    "day", "same", "another", "know", "while", "last", "might", "us", "great", "old", "year",
    "off", "come", "since", "against", "go", "came", "right", "used", "take", "three",
    "report", "group", "fighters", "officials", "attacks", "country", "government",
    "security", "leaders", "camps", "network", "forces", "region", "monday", "tuesday",
    "wednesday", "thursday", "friday", "money", "survey", "attorney", "valley", "army",
    "policy", "history", "today", "away", "key", "journey", "city",
)

SYLLABLES = (
    "ka", "ri", "to", "ma", "ne", "lo", "sa", "vi", "de", "ru", "pa", "te", "mi", "ho", "la",
    "ge", "no", "si", "ba", "du", "fe", "ko", "ta", "zi", "ve", "mo", "ar", "en", "ol", "um",
    "is", "or", "an", "el", "ith", "ost", "ung", "ard", "ell", "ion", "ent",
)
SUFFIXES = (
    "", "", "", "", "s", "ed", "ing", "er", "ly", "ation", "ment", "ness", "y", "ey", "ay", "ies", "al",
)


@dataclass(frozen=True, slots=True)
class Words:
    """A seeded source of pseudo-English: Zipf-distributed words, sentences and paragraphs."""

    rng: random.Random
    vocabulary: tuple[str, ...]
    cumulative: tuple[float, ...]

    @classmethod
    def create(cls, rng: random.Random, size: int = 12000) -> Words:
        seen: set[str] = set(COMMON)
        tail: list[str] = []
        while len(tail) < size:
            stem = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(1, 3)))
            word = stem + rng.choice(SUFFIXES)
            if len(word) >= 3 and word not in seen:
                seen.add(word)
                tail.append(word)
        vocabulary = COMMON + tuple(tail)
        total = 0.0
        cumulative = []
        for rank in range(len(vocabulary)):
            weight = 1.0 / (rank + 2) ** 1.05
            if rank < len(COMMON):
                weight *= 1.6
            total += weight
            cumulative.append(total)
        return cls(rng, vocabulary, tuple(c / total for c in cumulative))

    def word(self) -> str:
        index = bisect.bisect_left(self.cumulative, self.rng.random())
        return self.vocabulary[min(index, len(self.vocabulary) - 1)]

    def rare_word(self) -> str:
        return self.vocabulary[self.rng.randrange(len(COMMON), len(self.vocabulary))]

    def words(self, count: int) -> list[str]:
        return [self.word() for _ in range(count)]

    def name(self) -> str:
        return self.rare_word().capitalize()

    def sentence(self, low: int = 8, high: int = 24) -> str:
        words = self.words(self.rng.randint(low, high))
        if self.rng.random() < 0.3:
            words[self.rng.randrange(len(words))] = self.name()
        if len(words) > 8 and self.rng.random() < 0.4:
            words[self.rng.randrange(2, len(words) - 2)] += ","
        text = " ".join(words)
        return text[0].upper() + text[1:] + "."

    def paragraph(self, words: int) -> str:
        sentences = []
        count = 0
        while count < words:
            sentence = self.sentence()
            sentences.append(sentence)
            count += sentence.count(" ") + 1
        return " ".join(sentences)


@dataclass(frozen=True, slots=True)
class ClaimPlan:
    index: int
    id: str
    core: tuple[str, ...]
    """The words of the source passage the claim goes back to."""
    claim: str
    status: str
    source: int
    tags: tuple[str, ...]


def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def _date(rng: random.Random) -> str:
    return f"{rng.randint(2019, 2024):04d}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


def _claim_id(index: int) -> str:
    return f"claim-{index:05d}"


def _article_id(index: int) -> str:
    outlet = OUTLETS[index % len(OUTLETS)][0]
    return f"{outlet}/story-{index:05d}"


def _quote(plan: ClaimPlan, variant: int, words: Words) -> str:
    """The span an outlet printed: the passage verbatim, cut, or with a word changed."""
    core = list(plan.core)
    if variant == 1:
        core = core[2:]
    elif variant == 2:
        position = len(core) // 2
        replacement = words.rare_word()
        core[position] = replacement if replacement != core[position] else replacement + "s"
    elif variant == 4:
        core = core[:-2]
    return " ".join(core)


def generate(claims: int, seed: int = 1) -> dict[str, str]:
    """Every file of the content tree: rel_path (POSIX, under the content folder) -> text."""
    if claims < 1:
        raise ValueError("--claims must be at least 1")
    rng = random.Random(seed)
    sources = _sources(claims)
    words = Words.create(rng)
    tags = tuple(sorted({words.rare_word().rstrip("s") or "topic" for _ in range(40)}))
    tags = tuple(t for t in tags if t.isalpha())

    plans = []
    for index in range(claims):
        core = tuple(w.strip(",") for w in words.words(rng.randint(14, 22)))
        core = tuple(w for w in core if w) or ("report",)
        core = (words.name(),) + core
        summary = list(core[: rng.randint(5, 8)]) + words.words(rng.randint(4, 8))
        claim_text = " ".join(summary)
        claim_text = claim_text[0].upper() + claim_text[1:] + ", the report said."
        plans.append(
            ClaimPlan(
                index=index,
                id=_claim_id(index),
                core=core,
                claim=claim_text,
                status=STATUSES[index % len(STATUSES)],
                source=index % len(sources),
                tags=tuple(sorted(set(rng.sample(tags, rng.randint(1, 3))))),
            )
        )

    files: dict[str, str] = {}
    files["site.yaml"] = (
        "title: Synthetic Claims Tracker\n"
        "description: Generated content for benchmarks; nothing here is real.\n"
        "base_url: https://example.org/\n"
        "language: en\n"
        "publisher:\n"
        "  name: Synthetic Claims Tracker\n"
        "  url: https://example.org/\n"
    )
    files["pages/about.md"] = (
        "# About\n\nThis site is generated by `bench/generate.py` for benchmarks.\n"
        "Its outlets, sources, articles and claims are synthetic.\n"
    )
    for outlet_id, name, country in OUTLETS:
        files[f"outlets/{outlet_id}.yaml"] = (
            f"name: {_q(name)}\ncountry: {country}\nnotes: Synthetic outlet for benchmarks.\n"
        )

    for source_index, (source_id, title, publisher, kind) in enumerate(sources):
        base = source_index % len(SOURCES)
        lines = [
            f"title: {_q(title)}",
            f"publisher: {_q(publisher)}",
            f"kind: {kind}",
            f"date: \"{2019 + base}-0{base + 3}\"",
            "date_kind: dated",
            "notes: Synthetic source for benchmarks.",
            "passages:",
        ]
        for plan in plans:
            if plan.source != source_index or plan.status == "unlocated":
                continue
            checked = plan.status in ("confirmed", "misrepresented", "not-in-source")
            lines.append(f"  - id: p-{plan.index:05d}")
            lines.append(f"    text: {_q(' '.join(plan.core) + '.')}")
            if checked:
                lines.append("    checked: true")
                lines.append(f"    locator: {_q(f'p. {plan.index % 90 + 1}, para. {plan.index % 7 + 1}')}")
            else:
                lines.append("    checked: false")
                lines.append("    basis: Wording as quoted by two outlets.")
        if lines[-1] == "passages:":
            lines.pop()
        files[f"sources/{source_id}.yaml"] = "\n".join(lines) + "\n"

    count = min(APPEARANCES_PER_CLAIM, claims)
    in_article: dict[int, list[tuple[ClaimPlan, int]]] = {i: [] for i in range(claims)}
    for plan in plans:
        for variant in range(count):
            in_article[(plan.index + variant) % claims].append((plan, variant))

    quotes: dict[tuple[int, int], str] = {}
    dates: dict[int, str] = {}
    for article_index in range(claims):
        article_id = _article_id(article_index)
        pieces = in_article[article_index]
        quoted = [(plan, variant, _quote(plan, variant, words)) for plan, variant in pieces]
        filler = max(ARTICLE_WORDS - sum(len(q.split()) + 6 for _, _, q in quoted), 100)
        paragraphs = [words.paragraph(filler // (len(quoted) + 1)) for _ in range(len(quoted) + 1)]
        body: list[str] = []
        for position, paragraph in enumerate(paragraphs):
            body.append(paragraph)
            if position < len(quoted):
                plan, variant, quote = quoted[position]
                speaker = words.name()
                body.append(f"{speaker} said that \u201c{quote},\u201d citing the report.")
        text = words.sentence(6, 10).rstrip(".") + "\n\n" + "\n\n".join(body) + "\n"
        for plan, variant, quote in quoted:
            if text.count(quote) != 1:
                raise AssertionError(f"quote of {plan.id} is not unique in {article_id}")
            quotes[(plan.index, variant)] = quote
        date = _date(rng)
        dates[article_index] = date
        headline = words.sentence(6, 11).rstrip(".")
        source_ids = sorted({sources[plan.source][0] for plan, _, _ in quoted})
        front = [
            "---",
            f"headline: {_q(headline)}",
            f"url: https://example.org/{article_id}",
            f"date: \"{date}\"",
            "cites:",
            *[f"  - source: {source_id}" for source_id in source_ids],
            "notes: Synthetic article for benchmarks.",
            "---",
        ]
        files[f"articles/{article_id}.txt"] = "\n".join(front) + "\n" + text

    for plan in plans:
        source_id = sources[plan.source][0]
        verdict = (
            words.paragraph(rng.randint(35, 60))
            + f" The **{sources[plan.source][1]}** is the document in question.\n\n"
            + words.paragraph(rng.randint(20, 45))
            + f" See [the source](https://example.org/sources/{source_id}).\n"
        )
        lines = [
            f"claim: {_q(plan.claim)}",
            f"status: {plan.status}",
            f"finding: {_q(words.sentence(8, 14))}",
        ]
        if plan.status != "unlocated":
            lines += ["primary:", f"  source: {source_id}", f"  passage: p-{plan.index:05d}"]
        if plan.status == "outdated":
            lines.append(f"superseded_by: {sources[(plan.source + 1) % len(sources)][0]}")
        lines.append("verdict: |")
        lines += [("  " + line).rstrip() for line in verdict.splitlines()]
        lines.append(f"reviewed: \"{_date(rng)}\"")
        lines.append("tags: [" + ", ".join(plan.tags) + "]")
        lines.append("appearances:")
        for variant in range(count):
            article_index = (plan.index + variant) % claims
            lines.append(f"  - article: {_article_id(article_index)}")
            lines.append(f"    quote: {_q(quotes[(plan.index, variant)])}")
            lines.append(f"    attribution: {ATTRIBUTIONS[variant]}")
            if ATTRIBUTIONS[variant] == "wrong":
                other = sources[(plan.source + 1) % len(sources)][0]
                lines.append(f"    credited_to: {{source: {other}}}")
        files[f"claims/{plan.id}.yaml"] = "\n".join(lines) + "\n"
    return files


def write_tree(files: dict[str, str], out: Path) -> None:
    for rel_path in sorted(files):
        path = out / rel_path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(files[rel_path], encoding="utf-8", newline="\n")


CACHE = Path(__file__).resolve().parent / "out"
"""Where the benchmarks keep generated content between runs (git-ignored)."""


def generator_hash() -> str:
    """The first 12 hex digits of this script's SHA-256: a changed generator never reuses
    content that an older version of it wrote."""
    return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:12]


def cached_content(claims: int, seed: int = 1) -> Path:
    """The content folder for `claims` and `seed` under bench/out/, generated on first use
    (generating is not what the benchmarks measure), keyed on this script's hash."""
    content = CACHE / f"claims-{claims}-seed-{seed}-{generator_hash()}" / "content"
    if not (content / "site.yaml").exists():
        partial = content.parent / "content.partial"
        shutil.rmtree(partial, ignore_errors=True)
        write_tree(generate(claims, seed), partial)
        partial.rename(content)
    return content


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--claims", type=int, required=True, help="how many claims (and articles)")
    parser.add_argument("--out", type=Path, required=True, help="the content folder to write")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    args = parser.parse_args(argv)
    if args.out.exists() and any(args.out.iterdir()):
        print(f"{args.out}: already exists and is not empty; choose a new folder", file=sys.stderr)
        return 1
    try:
        files = generate(args.claims, args.seed)
    except ValueError as error:
        print(error, file=sys.stderr)
        return 1
    write_tree(files, args.out)
    print(f"wrote {len(files)} files to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
