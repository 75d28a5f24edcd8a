"""Views -> search index shards, manifest and store; queried with lunr.js and search.js in node."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import ROOT, checked_of, views_of
from hypothesis import given, settings
from hypothesis import strategies as st
from lunr.builder import Builder
from lunr.index import Index

from generator import search, theme
from generator.errors import ContentError, Location
from generator.model import Entities
from generator.urls import content_hash
from generator.views import SiteViews

QUERY_JS = ROOT / "tests" / "js" / "query.js"
sys.path.insert(0, str(ROOT / "bench"))

import generate  # bench/generate.py

LABELS = theme.load_theme(ROOT / "themes" / "default", ROOT, Location("site.yaml")).labels

OUTLETS = {"blitz": "Blitz", "the-sun": "The Sun", "redstate": "RedState"}


@dataclass(frozen=True)
class Entry:
    """A claim of a scratch site, as an editor would write it."""

    id: str
    claim: str
    verdict: str = "The report says so."
    quotes: tuple[tuple[str, str], ...] = ()
    """(outlet id, quote): each in an article of its own, `Before. <quote> After.`"""
    tags: tuple[str, ...] = ()
    status: str = "unchecked"
    sourced: bool = True


def scratch_site(
    root: Path, *entries: Entry, spellings: list[list[str]] | None = None,
    entities: list[dict[str, Any]] | None = None,
) -> SiteViews:
    """A content tree written from `entries` (with spellings.yaml and entities.yaml when
    given), through check and views (Lektor-style)."""
    write_scratch(root, *entries, spellings=spellings, entities=entities)
    return views_of(checked_of(root / "content"))


def write_scratch(
    root: Path, *entries: Entry, spellings: list[list[str]] | None = None,
    entities: list[dict[str, Any]] | None = None,
) -> Path:
    """The content tree of `scratch_site`, written under `root`; returns its content folder."""
    content = root / "content"
    (content / "claims").mkdir(parents=True)
    if spellings is not None:
        (content / "spellings.yaml").write_text(
            yaml.safe_dump({"groups": spellings}, allow_unicode=True), "utf-8")
    if entities is not None:
        (content / "entities.yaml").write_text(
            yaml.safe_dump({"entities": entities}, allow_unicode=True), "utf-8")
    (content / "outlets").mkdir()
    (content / "sources").mkdir()
    (content / "site.yaml").write_text(yaml.safe_dump({
        "title": "Test", "base_url": "https://example.org/", "language": "en",
        "publisher": {"name": "P", "url": "https://example.org/"},
    }), "utf-8")
    for outlet_id, name in OUTLETS.items():
        (content / "outlets" / f"{outlet_id}.yaml").write_text(f"name: {name}\n", "utf-8")
    (content / "sources" / "un-s-2022-419.yaml").write_text(yaml.safe_dump({
        "title": "Thirteenth report of the Monitoring Team",
        "publisher": "United Nations Security Council", "symbol": "S/2022/419",
        "date": "2022-05", "date_kind": "dated", "kind": "report",
        "passages": [{"id": "example", "text": "An example passage of the report.",
                      "checked": True, "locator": "paragraph 1"}],
    }), "utf-8")
    for entry in entries:
        appearances = []
        for number, (outlet_id, quote) in enumerate(entry.quotes):
            slug = f"story-{entry.id}-{number}"
            folder = content / "articles" / outlet_id
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{slug}.txt").write_text(
                f"---\nheadline: Headline\n---\nBefore. {quote} After.\n", "utf-8")
            appearances.append({"article": f"{outlet_id}/{slug}", "quote": quote,
                                "attribution": "correct"})
        data: dict[str, Any] = {
            "claim": entry.claim, "status": entry.status, "verdict": entry.verdict,
            "finding": "What the site found.",
            "reviewed": "2026-11-21", "appearances": appearances,
        }
        if entry.tags:
            data["tags"] = list(entry.tags)
        if entry.sourced:
            data["primary"] = {"source": "un-s-2022-419"}
            if entry.status in ("confirmed", "misrepresented", "not-in-source"):
                data["primary"]["passage"] = "example"
        (content / "claims" / f"{entry.id}.yaml").write_text(
            yaml.safe_dump(data, allow_unicode=True), "utf-8")
    return content


ENTRIES = (
    Entry(
        "haqqani-closest-links",
        "The Haqqani Network is still regarded as having the closest links to al-Qaeda.",
        verdict="Outlets report that the **Monitoring Team** says so; see "
        "[the report](https://example.org/report.pdf).",
        quotes=(("blitz", "The Haqqani Network is still regarded as having the closest links to Al Qaeda"),),
        tags=("al-qaeda", "haqqani-network"),
    ),
    Entry(
        "biden-monday",
        "Biden said on Monday that al-Qaeda was gone.",
        verdict="He spoke on a Monday; the money and the survey are another matter.",
        quotes=(("the-sun", "came the day after president Joe Biden claimed"),),
        status="misrepresented",
    ),
    Entry(
        "safe-haven",
        "The Taliban provide a safe haven for al-Qaeda, a Pentagon report said.",
        quotes=(
            ("the-sun", "providing safe haven for the terrorist group in Afghanistan"),
            ("blitz", "providing safe haven for the terrorist group"),
            ("redstate", "a safe haven for al-Qaeda"),
        ),
        status="not-in-source",
    ),
    Entry(
        "verdict-only",
        "Fighters number in the thousands.",
        verdict="Haqqani is mentioned only here, in the verdict, far from the claim.",
        sourced=False,
        status="unlocated",
    ),
    Entry(
        "attorney-survey",
        "An attorney's survey of valleys and monkeys.",
        quotes=(("redstate", "journeys through the valley with the attorneys"),),
    ),
)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> SiteViews:
    return scratch_site(tmp_path_factory.mktemp("search"), *ENTRIES)


@pytest.fixture()
def one_claim(tmp_path: Path) -> Iterator[Any]:
    def make(*entries: Entry) -> SiteViews:
        return scratch_site(tmp_path / f"site-{len(entries)}-{entries[0].id if entries else ''}",
                            *entries)
    yield make


@dataclass(frozen=True)
class Bundle:
    files: dict[str, bytes]

    @property
    def manifest(self) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads(self.files[search.MANIFEST])
        return loaded

    @property
    def parts(self) -> list[dict[str, Any]]:
        return [json.loads(self.files[url[1:]]) for url in self.manifest["store"]["parts"]]

    @property
    def store(self) -> dict[str, Any]:
        """Every part of the store as one mapping of ref -> record."""
        return {ref: record for part in self.parts for ref, record in part.items()}


def bundle_of(views: SiteViews, postings_per_shard: int = search.POSTINGS_PER_SHARD,
              store_part: int = search.STORE_PART) -> Bundle:
    return Bundle(search.build_search(views, LABELS, postings_per_shard, store_part=store_part))


def write_bundle(bundle: Bundle, root: Path) -> Path:
    for out_path, data in bundle.files.items():
        target = root / out_path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return root


def run_queries(bundle: Bundle, root: Path, queries: list[str], fresh: bool = True) -> list[dict[str, Any]]:
    """Every query through themes/default/static/search.js and lunr.min.js in one node process."""
    if not (ROOT / theme.LUNR_JS).exists():
        pytest.fail(f"{theme.LUNR_JS} is missing: run `npm ci` in {ROOT}")
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not installed: the search tests run lunr.js in node")
    write_bundle(bundle, root)
    done = subprocess.run(
        [node, str(QUERY_JS), str(ROOT)],
        input=json.dumps(
            {
                "root": str(root),
                "index_url": "/" + search.MANIFEST,
                "queries": queries,
                "fresh": fresh,
            }
        ),
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["warnings"] == []
    outcomes: list[dict[str, Any]] = result["outcomes"]
    return outcomes


def ids(outcome: dict[str, Any]) -> list[str]:
    return [url.split("/")[2] for url in outcome["urls"]]


# ---------------------------------------------------------------- files


def test_bundle_names_carry_a_hash_of_their_bytes(site: SiteViews) -> None:
    bundle = bundle_of(site)
    assert search.MANIFEST == "search/index.json" and search.MANIFEST in bundle.files
    assert [url[1:] in bundle.files for url in bundle.manifest["store"]["parts"]] == [True]
    for out_path, data in bundle.files.items():
        assert not out_path.startswith("/") and out_path.endswith(".json")
        if out_path != search.MANIFEST:
            assert out_path.startswith("assets/search/")
            assert out_path.split(".")[-2] == content_hash(data)


def test_same_site_same_bytes(site: SiteViews, one_claim: Any) -> None:
    assert bundle_of(site) == bundle_of(site)
    assert bundle_of(one_claim(*reversed(ENTRIES))) == bundle_of(site)


def test_json_is_compact_and_key_sorted(site: SiteViews) -> None:
    for data in bundle_of(site).files.values():
        value = json.loads(data)
        assert search.dumps(value) == data


def test_manifest_lists_shards_in_term_order(site: SiteViews) -> None:
    bundle = bundle_of(site, postings_per_shard=10)
    manifest = bundle.manifest
    assert manifest["version"] == "2.3.9"
    assert manifest["pipeline"] == ["stemmer"]
    assert manifest["fields"] == ["claim", "verdict", "tags", "outlet", "quote", "source"]
    firsts = [first for first, _url in manifest["shards"]]
    assert len(firsts) > 3
    assert firsts[0] == ""
    assert firsts == sorted(firsts, key=search._utf16_key)
    for first, url in manifest["shards"]:
        shard = json.loads(bundle.files[url[1:]])
        terms = [term for term, _posting in shard["invertedIndex"]]
        assert terms[0] == first or first == ""


def test_every_shard_is_a_lunr_index(site: SiteViews) -> None:
    bundle = bundle_of(site, postings_per_shard=10)
    for _first, url in bundle.manifest["shards"]:
        shard = json.loads(bundle.files[url[1:]])
        assert set(shard) == {"version", "fields", "pipeline", "invertedIndex", "fieldVectors"}
        Index.load(shard)


def test_index_holds_lunr_js_stems(site: SiteViews) -> None:
    index = search.build_index(search.search_documents(site, LABELS))
    terms = {term for term, _posting in index["invertedIndex"]}
    assert {"monday", "money", "survey", "attorney", "vallei"} - terms == {"vallei"}
    assert "mondai" not in terms and "monei" not in terms and "survei" not in terms
    assert {"haqqani", "qaeda", "al", "blitz", "sun", "redstat"} <= terms
    assert "" not in terms
    assert not terms & {"the", "is", "a", "of"}


def test_index_terms_are_what_index_terms_computes(site: SiteViews) -> None:
    """The lunr.py builder with our pipeline indexes exactly generator.search.index_terms."""
    documents = search.search_documents(site, LABELS)
    index = search.build_index(documents)
    expected = {
        term
        for document in documents
        for words in document.fields.values()
        for term in search.index_terms(" ".join(words))
    }
    assert {term for term, _posting in index["invertedIndex"]} == expected


def lunr_py_index(documents: Sequence[search.SearchDocument]) -> dict[str, Any]:
    """What lunr.py's own Builder serialises for `documents` with the index's pipeline and
    fields, renumbered, rounded and pruned as search.build_index does: the reference."""
    builder = Builder()
    builder.pipeline.add(search.trimmer, search.stop_word_filter, search.stemmer)
    builder.search_pipeline.add(search.stemmer)
    builder.ref("ref")
    for name, boost in search.FIELDS:
        builder.field(name, boost=boost)
    for document in documents:
        builder.add({"ref": document.ref, **{k: list(v) for k, v in document.fields.items()}})
    serialized: dict[str, Any] = builder.build().serialize()
    inverted = sorted(serialized["invertedIndex"], key=lambda pair: search._utf16_key(pair[0]))
    renumber = {}
    for position, (_term, posting) in enumerate(inverted):
        renumber[posting["_index"]] = position
        posting["_index"] = position
    vectors = []
    for field_ref, elements in serialized["fieldVectors"]:
        pairs = sorted((renumber[elements[i]], search._round(elements[i + 1]))
                       for i in range(0, len(elements), 2))
        if pairs:
            vectors.append([field_ref, [x for pair in pairs for x in pair]])
    serialized["invertedIndex"] = inverted
    serialized["fieldVectors"] = vectors
    return serialized


WORDS = st.sampled_from([
    "the", "The", "a", "of", "ISIL-K", "al-Qaeda", "Al-Qaida", "qaeda", "monday", "Money",
    "survey", "running", "runs", "ran", "“quoted”", "(bracketed)", "—", "-", "...", "2023",
    "S/2022/419", "Ünïcödé", "naïve", "İstanbul", "ﬁne", "_under_", "x", "generalization",
    "generalizations", "don't", "it’s", "\u00a0", "emoji😀", "ᏣᎳᎩ",
])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.dictionaries(st.sampled_from([name for name, _ in search.FIELDS]),
                                st.lists(WORDS, max_size=12), min_size=0), max_size=8))
def test_the_index_is_what_lunr_py_builds(fields: list[dict[str, list[str]]]) -> None:
    """build_index computes lunr.py's Builder's serialised index (scores included) without
    its per-token objects; the shards are cut from it."""
    documents = [
        search.SearchDocument(
            ref=search._ref(position),
            fields={name: tuple(given.get(name, ())) for name, _ in search.FIELDS},
            entry={},
        )
        for position, given in enumerate(fields)
    ]
    built = search.build_index(documents)
    if documents:
        assert search.dumps(built) == search.dumps(lunr_py_index(documents))
    for size in (1, 7, 10_000):
        shards = search.split_index(built, size)
        terms = [term for _first, shard in shards for term, _ in shard["invertedIndex"]]
        assert terms == [term for term, _ in built["invertedIndex"]]
        for field_ref, elements in built["fieldVectors"]:
            pieces = [x for _first, shard in shards for ref, part in shard["fieldVectors"]
                      if ref == field_ref for x in part]
            assert pieces == elements


def test_fields_hold_what_the_issue_names(site: SiteViews) -> None:
    documents = {d.entry["u"]: d for d in search.search_documents(site, LABELS)}
    haqqani = documents["/claims/haqqani-closest-links/"].fields
    assert haqqani["claim"][:2] == ("the", "haqqani")
    assert "monitoring" in haqqani["verdict"] and "https://example.org/report.pdf" not in " ".join(haqqani["verdict"])
    assert "**monitoring" not in haqqani["verdict"]
    assert haqqani["tags"] == ("al", "qaeda", "haqqani", "network")
    assert haqqani["outlet"] == ("blitz",)
    assert haqqani["source"] == (
        "thirteenth", "report", "of", "the", "monitoring", "team", "s/2022/419", "2022/419")
    safe = documents["/claims/safe-haven/"].fields
    assert safe["outlet"] == ("blitz", "redstate", "the", "sun")
    # quote words: each term once, and none that the claim field already has ("provide")
    assert safe["quote"] == ("terrorist", "group", "afghanistan")


def test_verdict_is_cut_to_its_opening_words(one_claim: Any) -> None:
    long_verdict = " ".join(f"word{n}" for n in range(500))
    site = one_claim(Entry("long", "A claim.", verdict=long_verdict))
    (document,) = search.search_documents(site, LABELS)
    assert len(document.fields["verdict"]) == search.VERDICT_WORDS


def test_store_records(site: SiteViews, one_claim: Any) -> None:
    store = bundle_of(site).store
    assert len(store) == len(ENTRIES)
    by_url = {record["u"]: record for record in store.values()}
    record = by_url["/claims/biden-monday/"]
    assert record == {
        "t": "Biden said on Monday that al-Qaeda was gone.",
        "u": "/claims/biden-monday/",
        "s": "misrepresented",
        "l": "Misrepresented",
        "x": "Repeated by The Sun. He spoke on a Monday; the money and the survey are another matter.",
    }
    long_verdict = "Word " * 400
    (document,) = search.search_documents(
        one_claim(Entry("long", "A claim.", verdict=long_verdict)), LABELS)
    assert len(document.entry["x"]) <= search.SNIPPET_CHARS + 1
    assert document.entry["x"].endswith("\u2026")


def test_an_empty_site_has_an_empty_index(tmp_path: Path) -> None:
    bundle = bundle_of(scratch_site(tmp_path / "empty"))
    (outcome,) = run_queries(bundle, tmp_path, ["haqqani"])
    assert outcome["ok"] and outcome["total"] == 0, outcome


# ---------------------------------------------------------------- lunr.js


def test_lunr_js_is_read_from_node_modules() -> None:
    data = theme.load_lunr_js(ROOT)
    assert data.startswith(b"/**") and b"2.3.9" in data[:200]
    shipped = theme.load_shipped(ROOT)
    assert shipped.lunr_js == data and shipped.lunr_path == f"assets/lunr.{content_hash(data)}.min.js"


def test_missing_lunr_js_names_the_command(tmp_path: Path) -> None:
    with pytest.raises(ContentError) as caught:
        theme.load_lunr_js(tmp_path)
    assert str(caught.value) == (
        "node_modules/lunr/lunr.min.js:1:1: lunr.js is not installed\n"
        "    Run `npm ci` (or `make site`, which runs it)."
    )


def test_lunr_js_is_pinned_and_not_committed() -> None:
    package = json.loads((ROOT / "package.json").read_text(encoding="utf-8"))
    lock = json.loads((ROOT / "package-lock.json").read_text(encoding="utf-8"))
    assert package["dependencies"] == {"lunr": "2.3.9"}
    assert lock["packages"]["node_modules/lunr"]["version"] == "2.3.9"
    tracked = subprocess.run(
        ["git", "ls-files", "--", "*lunr*.js"], cwd=ROOT, capture_output=True, text=True, check=False
    ).stdout.split()
    # the golden trees name the shipped file with its hash, and keep it empty
    assert [path for path in tracked if (ROOT / path).stat().st_size] == []


def test_lunr_js_needs_no_eval() -> None:
    data = theme.load_lunr_js(ROOT).decode("utf-8")
    assert "eval(" not in data and "new Function" not in data


# ---------------------------------------------------------------- queries in node


def test_queries_find_what_readers_type(tmp_path: Path, site: SiteViews) -> None:
    bundle = bundle_of(site)
    outcomes = run_queries(
        bundle, tmp_path,
        ["Haqqani", "haqq", "Blitz", "monday", "Monday", "day", "money", "survey", "attorney",
         "valleys", "safe haven", "safe haven ", "al-qaeda", "S/2022/419", "xylophone", "the"],
    )
    by_text = {o["text"]: o for o in outcomes}
    assert all(o["ok"] for o in outcomes), [o for o in outcomes if not o["ok"]]
    assert ids(by_text["Haqqani"])[0] == "haqqani-closest-links"
    assert ids(by_text["Haqqani"]) == ["haqqani-closest-links", "verdict-only"]
    assert ids(by_text["haqq"])[0] == "haqqani-closest-links"
    assert sorted(ids(by_text["Blitz"])) == ["haqqani-closest-links", "safe-haven"]
    for word in ("monday", "Monday", "money"):
        assert ids(by_text[word]) == ["biden-monday"], word
    assert ids(by_text["survey"]) == ["attorney-survey", "biden-monday"]
    assert "biden-monday" in ids(by_text["day"])
    assert ids(by_text["attorney"]) == ["attorney-survey"]
    assert ids(by_text["valleys"]) == ["attorney-survey"]
    assert ids(by_text["safe haven"]) == ["safe-haven"]
    assert ids(by_text["safe haven "]) == ["safe-haven"]
    assert len(ids(by_text["al-qaeda"])) == 3
    assert ids(by_text["S/2022/419"])
    assert by_text["xylophone"]["total"] == 0 and by_text["xylophone"]["mode"] == "plain"
    assert by_text["the"]["mode"] == "stopwords"


def test_matching_words_are_marked(tmp_path: Path, site: SiteViews) -> None:
    bundle = bundle_of(site)
    (outcome,) = run_queries(bundle, tmp_path, ["money surveys"])
    assert ids(outcome) == ["biden-monday"]
    assert outcome["marked"][0] == ["money", "survey"]


def test_lunr_query_syntax_is_used_when_it_parses(tmp_path: Path, site: SiteViews) -> None:
    bundle = bundle_of(site)
    outcomes = run_queries(
        bundle, tmp_path,
        ["outlet:blitz", "+haqqani -blitz", "haqq*", "haqani~1", "-blitz", "title:haqqani", "claim:"],
    )
    by_text = {o["text"]: o for o in outcomes}
    assert by_text["outlet:blitz"]["mode"] == "syntax"
    assert sorted(ids(by_text["outlet:blitz"])) == ["haqqani-closest-links", "safe-haven"]
    assert ids(by_text["+haqqani -blitz"]) == ["verdict-only"]
    assert ids(by_text["haqq*"])[0] == "haqqani-closest-links"
    assert ids(by_text["haqani~1"])[0] == "haqqani-closest-links"
    assert sorted(ids(by_text["-blitz"])) == ["attorney-survey", "biden-monday", "verdict-only"]
    # unknown field or a dangling colon: searched as plain words instead
    assert by_text["title:haqqani"]["mode"] == "plain"
    assert by_text["claim:"]["mode"] == "plain"


def test_special_characters_never_throw(tmp_path: Path, site: SiteViews) -> None:
    bundle = bundle_of(site)
    rng = random.Random(4)
    alphabet = list(":*~^+-\\\"'()<>/ .,_") + ["haqqani", "al", "qaeda", "blitz", "1", "é", "😀", "\u2028"]
    queries = ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 8))) for _ in range(400)]
    queries += [":", "*", "~", "^", "+", "-", "\\", "title:", "^~", "al-qaeda", "a:b:c", "~1", "^2",
                "haqqani^", "haqqani^x", "haqqani~x", "*:*", "-", "--", "+-", "\\\\", "outlet:*"]
    outcomes = run_queries(bundle, tmp_path, queries, fresh=False)
    failures = [(o["text"], o["error"]) for o in outcomes if not o["ok"]]
    assert failures == []


def test_shards_answer_exactly_as_one_index(tmp_path: Path) -> None:
    """Merging the shards that hold a query's terms gives the whole index's results and scores."""
    files = generate.generate(60, seed=3)
    site = _site_from_generated(files, tmp_path / "content")
    whole = bundle_of(site, postings_per_shard=10**9)
    split = bundle_of(site, postings_per_shard=150)
    assert len(split.manifest["shards"]) > 10
    words = sorted({w for view in site.claims for w in view.claim.claim.lower().split()})
    queries = words[:40] + [" ".join(words[i : i + 3]) for i in range(0, 60, 3)] + [
        "exa", "example gazette", "outlet:herald", "k*", "-example", "monday", "+report -example"
    ]
    one = run_queries(whole, tmp_path / "whole", queries)
    many = run_queries(split, tmp_path / "split", queries, fresh=False)
    for a, b in zip(one, many, strict=True):
        assert a["ok"] and b["ok"], (a, b)
        assert (a["text"], a["refs"], a["scores"]) == (b["text"], b["refs"], b["scores"])
    fetched_one_word = next(o for o in run_queries(split, tmp_path / "again", ["monday"]))["fetched"]
    shard_fetches = [f for f in fetched_one_word if "/shard." in f["url"]]
    assert len(shard_fetches) == 1


def test_a_query_fetches_the_parts_of_the_store_that_hold_its_results(tmp_path: Path) -> None:
    """The store is cut into parts of consecutive refs, and a query fetches only the parts of
    the results it shows: the same results, scores and records as from a store in one part."""
    files = generate.generate(60, seed=3)
    site = _site_from_generated(files, tmp_path / "content")
    whole = bundle_of(site, store_part=10**9)
    split = bundle_of(site, store_part=7)
    parts = split.parts
    assert len(parts) == -(-len(site.claims) // 7) and split.store == whole.store
    for number, part in enumerate(parts):
        assert sorted(int(ref, 36) for ref in part) == list(range(7 * number, min(7 * number + 7,
                                                                                   len(site.claims))))
    words = sorted({w for view in site.claims for w in view.claim.claim.lower().split()})
    queries = words[:30] + ["example gazette", "outlet:herald", "k*", "-example", "zzzqqq", "exampel"]
    one = run_queries(whole, tmp_path / "whole", queries)
    many = run_queries(split, tmp_path / "split", queries, fresh=False)
    for a, b in zip(one, many, strict=True):
        assert a["ok"] and b["ok"], (a, b)
        assert ((a["text"], a["total"], a["refs"], a["urls"], a["scores"], a["marked"],
                 a["closest"]) == (b["text"], b["total"], b["refs"], b["urls"], b["scores"],
                                   b["marked"], b["closest"]))
    assert any(o["closest"] for o in many), "a misspelt word is offered its closest words"
    rare = next(o for o in run_queries(split, tmp_path / "again", words) if 0 < o["total"] < 3)
    wanted = {split.manifest["store"]["parts"][int(ref, 36) // 7] for ref in rare["refs"]}
    fetched = {f["url"] for f in rare["fetched"] if "/store." in f["url"]}
    assert fetched == wanted and len(fetched) < len(parts)


def test_claim_words_count_most(tmp_path: Path, one_claim: Any) -> None:
    site = one_claim(
        Entry("in-verdict", "Something else entirely.", verdict="Kabul fell in August."),
        Entry("in-claim", "Kabul fell in August.", verdict="Something else entirely."),
    )
    (outcome,) = run_queries(bundle_of(site), tmp_path, ["kabul"])
    assert ids(outcome) == ["in-claim", "in-verdict"]


# ---------------------------------------------------------------- helpers


def _site_from_generated(files: dict[str, str], content: Path) -> SiteViews:
    """The views of bench/generate.py's files, through the real pipeline."""
    generate.write_tree(files, content)
    return views_of(checked_of(content))


def test_a_generated_site_past_its_claims_per_source_cites_more_volumes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """bench/generate.py spreads the passages over further volumes of its sources (so that no
    source file outgrows the loader's limit at 100,000 claims); the site still checks."""
    monkeypatch.setattr(generate, "CLAIMS_PER_SOURCE", 10)
    files = generate.generate(60)
    assert len([path for path in files if path.startswith("sources/")]) == 6
    site_views = _site_from_generated(files, tmp_path / "content")
    assert len(site_views.sources) == 6
    assert all(source_view.claims for source_view in site_views.sources)


def test_plain_text_of_markdown() -> None:
    from generator.markdown import plain_text

    assert plain_text("A **bold** [link](https://x.example/) and `code`.\n\n- item") == (
        "A bold link and code. item"
    )
    assert plain_text("<b>raw</b> html") == "<b>raw</b> html"


# ---------------------------------------------------------------- folding, symbols, scripts

TEXT_JS = ROOT / "tests" / "js" / "text.js"

SPELLINGS = [
    ["Al-Qaida", "al-Qaeda", "Al Qaeda", "al-Qa'ida"],
    ["ISIL-K", "ISIS-K"],
    ["ISIL", "ISIS", "Islamic State"],
    ["us", "U.S."],
]
ENTITIES: list[dict[str, Any]] = [
    {"id": "al-qaida", "name": "Al-Qaida", "aliases": ["al-Qaeda"]},
    {"id": "isil", "name": "ISIL", "aliases": ["ISIS", "Islamic State", "Daesh"]},
    {"id": "isil-k", "name": "ISIL-K", "aliases": ["ISIS-K", "ISKP", "Islamic State Khorasan"],
     "branch_of": "isil"},
    {"id": "haqqani-network", "name": "Haqqani Network", "aliases": ["Haqqanis"]},
    {"id": "taliban", "name": "Taliban"},
]
FOLDED = (
    Entry("un-spelling", "Al-Qaida is believed to be incapable of attacks abroad."),
    Entry("outlet-spelling", "Al Qaeda\u2019s fighters train in new camps."),
    Entry("pentagon-spelling", "The Pentagon says al-Qa'ida works with the Taliban."),
    Entry("joined", "Alqaeda is written as one word here."),
    Entry("iskp", "ISKP claimed the attack."),
    Entry("isis-k", "The branch grew.", quotes=(("blitz", "ISIS-K fighters number in the thousands"),)),
    Entry("isis", "ISIS holds no territory."),
    Entry("haqqanis", "The Haqqanis run the ministry."),
    Entry("unsourced", "A claim with no document.", sourced=False, status="unlocated"),
    Entry("arabic", "The word \u0627\u0644\u0642\u0627\u0639\u062f\u0629 appears in Arabic copy."),
    Entry("hebrew", "The word \u05e9\u05dc\u05d5\u05dd! appears in Hebrew copy."),
    Entry("chinese", "\u57fa\u5730\u7ec4\u7ec7\u3002 is written in Chinese copy."),
    Entry("devanagari", "The word \u0928\u092e\u0938\u094d\u0924\u0947 ends in a vowel sign."),
    Entry("emoji", "A rocket (\U0001f680) in a post."),
)
AL_QAIDA = ["joined", "outlet-spelling", "pentagon-spelling", "un-spelling"]


@pytest.fixture(scope="module")
def folded_site(tmp_path_factory: pytest.TempPathFactory) -> SiteViews:
    return scratch_site(tmp_path_factory.mktemp("folded"), *FOLDED, spellings=SPELLINGS,
                        entities=ENTITIES)


def text_js(request: dict[str, Any]) -> dict[str, Any]:
    """What themes/default/static/search.js makes of words and queries (tests/js/text.js)."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not installed: the search tests run lunr.js in node")
    done = subprocess.run([node, str(TEXT_JS), str(ROOT)], input=json.dumps(request),
                          capture_output=True, text=True, encoding="utf-8", check=False)
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def test_fold_keys_read_spellings_as_the_tokenizer_does() -> None:
    assert search.fold_key("Al-Qa'ida") == ("al", "qaida")
    assert search.fold_key("al\u2011Qa\u2019ida") == ("al", "qaida")
    assert search.fold_key(" \u201cIslamic State\u201d ") == ("islamic", "state")
    assert search.squash("Al Qa\u02bcida") == search.squash("al-qaida") == "alqaida"


def test_groups_and_entities_that_share_a_spelling_are_one_fold(folded_site: SiteViews) -> None:
    table = search.site_folds(folded_site.site)
    assert [(f.term, f.name, f.spellings) for f in table.folds] == [
        ("alqaeda", "Al-Qaida", ("al qaeda", "al qaida")),
        ("haqqaninetwork", "Haqqani Network", ("haqqani network", "haqqanis")),
        ("isil", "ISIL", ("daesh", "isil", "isis", "islamic state")),
        ("iskp", "ISIL-K", ("isil k", "isis k", "iskp", "islamic state khorasan")),
    ]
    # "us" is a stop word, never folded, which leaves "U.S." with no other spelling; and a
    # name with one spelling of one word has nothing to fold
    assert search.fold_table([["us", "U.S."], ["Taliban"]], Entities()) == search.NO_FOLDS
    assert search.fold_table([["Al Qaeda"]], Entities()).folds == (
        search.Fold("alqaeda", "Al Qaeda", ("al qaeda",)),)


def test_every_spelling_folds_to_one_term(folded_site: SiteViews) -> None:
    table = search.site_folds(folded_site.site)
    for query in ("Al-Qaida", "al qaeda", "al-Qa'ida", "Al Qaeda", "alqaeda", "AL-QAEDA",
                  "al\u2011Qaida", "al\u2013Qaeda", "al-Qa\u2019ida", "al-qa\u02bcida",
                  "Al Qaeda\u2019s", "al-qaida's"):
        assert search.fold_query(query, table) == "alqaeda", query
    assert search.fold_query("ISIS-K and ISIS", table) == "iskp and isil"
    assert search.fold_query("Islamic State Khorasan", table) == "iskp"
    assert search.fold_query("+al-qaeda -isis outlet:blitz", table) == "+alqaeda -isil outlet:blitz"
    # never inside a longer word
    assert search.fold_query("xal-qaeda isiss kisis", table) == "xal-qaeda isiss kisis"


def test_documents_keep_their_words_and_gain_the_term(folded_site: SiteViews) -> None:
    table = search.site_folds(folded_site.site)
    assert search.fold_text("The Haqqani network, al-Qaeda\u2019s ally", table) == (
        "the  haqqaninetwork haqqani network,  alqaeda al-qaeda\u2019s ally")
    assert search.document_words("ISIS-K (ISKP)", table) == ("iskp", "isis", "k", "(", "iskp", "iskp)")
    assert search.document_words("no names here", search.NO_FOLDS) == ("no", "names", "here")


def test_the_manifest_carries_the_fold_table(folded_site: SiteViews, site: SiteViews) -> None:
    manifest = bundle_of(folded_site).manifest
    assert manifest["fold"] == search.site_folds(folded_site.site).manifest()
    assert manifest["fold"][0] == ["alqaeda", "Al-Qaida", ["al qaeda", "al qaida"]]
    assert bundle_of(site).manifest["fold"] == []


def test_search_js_prepares_queries_and_cuts_words_as_the_index_does(folded_site: SiteViews) -> None:
    table = search.site_folds(folded_site.site)
    rng = random.Random(7)
    alphabet = [*"al-qaeda isk'\u2019\u02bc\u2011\u2014 .,()+:*\u00a0_", "ISIS", "K", "\u05e9\u05dc",
                "\u0627\u0644", "\u57fa", "\U0001f680", "\u0947", "\u200d", "s", "Qa\u2019ida"]
    samples = ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 10))) for _ in range(300)]
    samples += ["Al Qaeda\u2019s", "S/2022/419", "\u201cquoted\u201d", "\u2014dash\u2014", "U.S.",
                "(\U0001f680)", "_under_", "\u0928\u092e\u0938\u094d\u0924\u0947!", "don\u2019t",
                "Taliban's", "TALIBAN\u2019S", "'s", "outlets'"]
    stems = ["\u0627\u0644\u0642\u0627\u0639\u062f\u0629", "\u05e9\u05dc\u05d5\u05dd", "\u57fa\u5730",
             "\U0001f680", "\u0928\u092e\u0938\u094d\u0924\u0947", "\u043c\u043e\u0441\u043a\u0432\u0430",
             "s/2022/419", "2022/419", "isk", "alqaeda", "haqqaninetwork", "surveys", "monday"]
    js = text_js({"fold": table.manifest(), "words": samples, "queries": samples, "stems": stems})
    assert js["trimmed"] == [search.trim(text) for text in samples]
    assert js["words"] == [
        [w for w in (search.trim(t) for t in search.tokenize(text)) if w] for text in samples
    ]
    assert js["queries"] == [search.fold_query(text, table) for text in samples]
    assert js["stems"] == [search.stem(word) for word in stems]


def test_the_trimmer_keeps_any_script_and_symbols() -> None:
    assert search.trim("\u201cword\u201d,") == "word"
    # an English possessive is the word itself, with either apostrophe
    assert search.trim("qaeda\u2019s") == "qaeda" and search.trim("Taliban's") == "Taliban"
    assert search.index_terms("the Taliban\u2019s ties") == search.index_terms("Taliban ties")
    arabic = "\u0627\u0644\u0642\u0627\u0639\u062f\u0629"
    assert search.trim(f"({arabic})") == arabic
    assert search.trim("\u05e9\u05dc\u05d5\u05dd!") == "\u05e9\u05dc\u05d5\u05dd"
    assert search.trim("\u57fa\u5730\u7ec4\u7ec7\u3002") == "\u57fa\u5730\u7ec4\u7ec7"
    assert search.trim("\u0928\u092e\u0938\u094d\u0924\u0947") == "\u0928\u092e\u0938\u094d\u0924\u0947"
    assert search.trim("(\U0001f680)") == "\U0001f680"
    assert search.trim("\u00a35bn") == "\u00a35bn"
    assert search.trim("_x_") == "x"
    assert search.trim("\u2026") == ""


def test_the_stemmer_leaves_words_without_latin_letters_alone() -> None:
    for word in ("\u0627\u0644\u0642\u0627\u0639\u062f\u0629\u0627\u062a", "\u05e9\u05dc\u05d5\u05dd",
                 "\u57fa\u5730\u7ec4\u7ec7", "\U0001f680", "\u0928\u092e\u0938\u094d\u0924\u0947",
                 "\u043c\u043e\u0441\u043a\u0432\u0430", "\u03b1\u03b8\u03ae\u03bd\u03b1"):
        assert search.stem(word) == word


def test_symbols_are_indexed_whole_and_without_their_series() -> None:
    assert search.symbol_words("S/2022/419") == ("s/2022/419", "2022/419")
    assert search.symbol_words("S/RES/2593 (2021)") == ("s/res/2593", "res/2593", "(2021)")
    assert search.symbol_words("A/HRC/49/24") == ("a/hrc/49/24", "hrc/49/24", "49/24")
    assert search.symbol_words("ODS") == ("ods",)


def test_spellings_aliases_symbols_and_scripts_find_their_claims(
    tmp_path: Path, folded_site: SiteViews
) -> None:
    spellings = ["Al-Qaida", "al qaeda", "al-Qa'ida", "Al Qaeda", "alqaeda", "al-qa\u2019ida",
                 "AL\u2011QAEDA", "al qaeda's"]
    aliases = ["ISKP", "ISIS-K", "ISIL-K", "isis k", "Islamic State Khorasan"]
    symbols = ["S/2022/419", "2022/419", "s/2022/419", "(S/2022/419)"]
    scripts = ["\u0627\u0644\u0642\u0627\u0639\u062f\u0629", "\u05e9\u05dc\u05d5\u05dd",
               "\u57fa\u5730\u7ec4\u7ec7", "\U0001f680", "\u0928\u092e\u0938\u094d\u0924\u0947"]
    others = ["ISIS", "Haqqani network", "Haqqanis", "haqqani", "\u0645\u0631\u062d\u0628\u0627", "al"]
    outcomes = run_queries(bundle_of(folded_site), tmp_path,
                           spellings + aliases + symbols + scripts + others)
    by_text = {o["text"]: o for o in outcomes}
    assert all(o["ok"] for o in outcomes), [o for o in outcomes if not o["ok"]]
    for query in spellings:
        assert sorted(ids(by_text[query])) == AL_QAIDA, query
    for query in aliases:
        assert sorted(ids(by_text[query])) == ["isis-k", "iskp"], query
    assert ids(by_text["ISIS"]) == ["isis"]
    sourced = sorted(e.id for e in FOLDED if e.sourced)
    for query in symbols:
        assert sorted(ids(by_text[query])) == sourced, query
    for query, claim in zip(scripts, ("arabic", "hebrew", "chinese", "emoji", "devanagari"), strict=True):
        assert ids(by_text[query]) == [claim], query
    assert ids(by_text["Haqqani network"]) == ids(by_text["Haqqanis"]) == ["haqqanis"]
    assert ids(by_text["haqqani"]) == ["haqqanis"]
    unknown = by_text["\u0645\u0631\u062d\u0628\u0627"]
    assert (unknown["mode"], unknown["total"]) == ("plain", 0)
    # "al" on its own is a word, not a spelling of a name
    assert by_text["al"]["prepared"] == "al"


def test_marks_show_each_claim_s_own_spelling(tmp_path: Path, folded_site: SiteViews) -> None:
    (outcome,) = run_queries(bundle_of(folded_site), tmp_path, ["al qaeda"])
    marked = dict(zip(ids(outcome), outcome["marked_titles"], strict=True))
    assert marked == {
        "un-spelling": ["Al-Qaida"], "outlet-spelling": ["Al Qaeda"],
        "pentagon-spelling": ["al-Qa'ida"], "joined": ["Alqaeda"],
    }
    store = bundle_of(folded_site).store
    assert {record["t"] for record in store.values()} == {entry.claim for entry in FOLDED}


def test_no_results_offer_the_closest_words(tmp_path: Path, site: SiteViews) -> None:
    outcomes = run_queries(bundle_of(site), tmp_path,
                           ["haqani", "money survay", "xylophone", "haqqani", "the"])
    by_text = {o["text"]: o for o in outcomes}
    assert by_text["haqani"]["total"] == 0
    assert by_text["haqani"]["closest"][0] == {"text": "haqqani", "query": "haqqani"}
    assert {"text": "survey", "query": "money survey"} in by_text["money survay"]["closest"]
    assert by_text["xylophone"]["closest"] == []
    assert by_text["haqqani"]["closest"] == [] and by_text["the"]["closest"] == []
    assert all(len(o["closest"]) <= 5 for o in outcomes)


def test_closest_words_are_written_as_readers_write_them(
    tmp_path: Path, folded_site: SiteViews
) -> None:
    (misspelt,) = run_queries(bundle_of(folded_site), tmp_path, ["haqqanis minstry"])
    # "ministri" is the index's stem; a claim writes "ministry"; a fold is shown by its name
    assert misspelt["closest"] == [{"text": "ministry", "query": "Haqqani Network ministry"}]
