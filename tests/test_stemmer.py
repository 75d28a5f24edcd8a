"""Words and texts -> the same stems and index terms in Python as in lunr.js 2.3.9 (via node)."""

from __future__ import annotations

import io
import json
import random
import re
import shutil
import subprocess
import sys
import sysconfig
import tokenize as pytokenize
from collections import Counter
from functools import cache
from pathlib import Path

import pytest
from conftest import DEMO
from lunr.stemmer import stemmer as lunr_py_stemmer
from lunr.stop_word_filter import WORDS as LUNR_PY_STOP_WORDS
from lunr.token import Token

from generator.search import index_terms, tokenize, trim
from generator.stemmer import stem

ROOT = Path(__file__).resolve().parent.parent
WORDS_FILE = ROOT / "tests" / "words.txt"
LUNR_MIN_JS = ROOT / "node_modules" / "lunr" / "lunr.min.js"
STEM_JS = ROOT / "tests" / "js" / "stem.js"

VOWEL_Y_WORDS = """
abbey alley alloy annoy anyway array attorney attorneys away barley birthday boy buoy buy
chimney clay convoy cowboy coy day days decay decoy delay deploy deployed destroy display
displayed donkey employ employed employment enjoy enjoying envoy essay essays friday galley
gray grey guy hey hockey holiday holidays honey jersey jockey journey journeyman joy key keys
kidney kidneys lamprey medley monday money moneyed monkey monkeys monkeying motley obey okay
osprey parley pay play played player ploy prey pulley ray relay relayed saturday say spray
stay storey storeys stray sunday survey surveyed surveyor surveys sway they thursday today
toy tray trolley tuesday turkey valley valleys volley way wednesday weekday whey yesterday
airway archway betray causeway cockney dismay doorway foray gateway hackney hallway highway
hooray mayday midway paisley parsley pathway payday portray railway runway stairway subway
waterway blarney chutney
"""

TRICKY_WORDS = """
by cry fly happy sky spy yay yelling yes yield yoyo youth ytterbium yy yyy ay oy uy ies
sses caresses ponies ties caress cats feed agreed plastered bled motoring sing conflated
troubled sized hopping tanned falling hissing fizzed failing filing happy sky relational
conditional rational valenci hesitanci digitizer conformabli radicalli differentli vileli
analogousli vietnamization predication operator feudalism decisiveness hopefulness
callousness formaliti sensitiviti sensibiliti triplicate formative formalize electriciti
electrical hopeful goodness revival allowance inference airliner gyroscopic adjustable
defensible irritant replacement adjustment dependent adoption homologou communism activate
angulariti homologous effective bowdlerize probate rate cease controll roll generalization
generalizations oscillators
"""

UNICODE_WORDS = (
    "café", "naïve", "qaeda’s", "qaeda’", "al-qa'ida", "s/2022/419", "4,000", "6,000", "2023",
    "😀", "😀s", "😀😀s", "x😀ed", "ha😀", "ha😀ing", "y😀", "y😀ing", "ǆy", "σσσ", "İstanbul".lower(),
    "straße", "ﬁles", "ʼtis", "e\u0301tude", "\U0001f600eed", "a\U0001f600y",
)

# Texts with lunr.js's separators, the dashes and apostrophes search.js reads as one, letters
# and symbols of any script, and curly typography.
PIPELINE_TEXTS = (
    "Al-Qaeda’s “safe haven” — in Afghanistan… (Monday, 16 August 2021)!",
    "The Haqqani Network is “still regarded” as having the closest links to Al-Qaida.",
    "neither ISIS nor al-Qaeda \u201cis believed to be capable of mounting international attacks",
    "u.s. U.S.A. e.g. i.e. ’90s -- --- - -x x- x-y ...dots... 'quoted' \"double\"",
    "tabs\tand\u00a0nbsp\u2009thin\u202fnarrow\u3000ideographic\ufeffbom\u2028line\u2029para",
    "CAPITALS Mixed Case ΣΊΣΥΦΟΣ İstanbul ǅemal STRASSE Straße",
    "emoji 😀 😀s x😀ed 👍🏽thumbs 🇬🇧 flag",
    "numbers 4,000 to 6,000 fighters; 41 posts; S/2022/419 and S/2023/370; 2023-05",
    "under_scores __init__ snake_case_words a_b",
)


def vowel_y_words() -> list[str]:
    return VOWEL_Y_WORDS.split()


def _words_of(text: str) -> list[str]:
    return [w.lower() for w in re.findall(r"(?<![A-Za-z_])[A-Za-z]{2,}(?![A-Za-z_0-9])", text)]


def make_word_list() -> list[str]:
    """The word list in tests/words.txt: seed-article words, Python's own documentation
    (pydoc topics, and words used at least three times in the standard library's comments and
    strings), and English words ending in a vowel and "y". Deterministic for a given Python."""
    words: set[str] = set(vowel_y_words()) | set(TRICKY_WORDS.split())
    seeds = ROOT.parent / "shared" / "seeds"
    for path in sorted(seeds.glob("*.txt")):
        words.update(_words_of(path.read_text(encoding="utf-8")))
    import pydoc_data.topics

    for text in pydoc_data.topics.topics.values():
        words.update(_words_of(text))
    counts: Counter[str] = Counter()
    for path in sorted(Path(sysconfig.get_paths()["stdlib"]).glob("*.py")):
        try:
            source = path.read_text(encoding="utf-8")
            for token in pytokenize.generate_tokens(io.StringIO(source).readline):
                if token.type in (pytokenize.COMMENT, pytokenize.STRING):
                    counts.update(w for w in _words_of(token.string) if w.islower())
        except (SyntaxError, UnicodeDecodeError, pytokenize.TokenError):
            continue
    words.update(w for w, n in counts.items() if n >= 3)
    return sorted(words)


def content_words() -> list[str]:
    """Every distinct token (as lunr.js tokenizes and trims it) of every file in content/."""
    found: set[str] = set()
    for path in sorted(DEMO.rglob("*")):
        if path.is_file():
            for word in tokenize(path.read_text(encoding="utf-8")):
                trimmed = trim(word)
                if trimmed:
                    found.add(trimmed)
    return sorted(found)


def content_texts() -> list[str]:
    return [
        path.read_text(encoding="utf-8")
        for path in sorted(DEMO.rglob("*"))
        if path.is_file()
    ]


def random_words(count: int = 5000, seed: int = 7) -> list[str]:
    """Letter strings that no dictionary has, weighted towards the suffixes the stemmer reads."""
    rng = random.Random(seed)
    pieces = list("abcdefghijklmnopqrstuvwxyz") + list("aeiouy") * 3 + [
        "y", "ey", "ay", "oy", "uy", "ies", "sses", "eed", "ed", "ing", "at", "bl", "iz", "ll",
        "ational", "tion", "enci", "izer", "bli", "alli", "logi", "icate", "ful", "ness", "ement",
        "ion", "ou", "ism", "e", "’", "'", "é", "ß", "😀", "_", "0", "9",
    ]
    return [
        "".join(rng.choice(pieces) for _ in range(rng.randint(1, 6))) for _ in range(count)
    ]


def all_words() -> list[str]:
    listed = WORDS_FILE.read_text(encoding="utf-8").split()
    return sorted(
        set(listed) | set(content_words()) | set(UNICODE_WORDS) | set(TRICKY_WORDS.split())
        | set(random_words())
    )


def run_lunr_js(request: dict[str, object]) -> dict[str, object]:
    """One node process for the whole request (see tests/js/stem.js)."""
    if not LUNR_MIN_JS.exists():
        pytest.fail(f"{LUNR_MIN_JS.relative_to(ROOT)} is missing: run `npm ci` in {ROOT}")
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not installed: the stemmer test needs node to run lunr.js")
    done = subprocess.run(
        [node, str(STEM_JS), str(ROOT)],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout)
    return result


@cache
def lunr_js_stems() -> dict[str, str]:
    words = all_words()
    result = run_lunr_js({"words": words})
    assert result["version"] == "2.3.9"
    stems = result["stems"]
    assert isinstance(stems, list)
    return dict(zip(words, stems, strict=True))


def lunr_py_stem(word: str) -> str:
    return str(lunr_py_stemmer(Token(word)))


def test_word_list_is_large_and_has_vowel_y_words() -> None:
    words = WORDS_FILE.read_text(encoding="utf-8").split()
    assert words == sorted(set(words)), "tests/words.txt must be sorted and without duplicates"
    assert len(words) >= 3000
    vowel_y = [w for w in words if re.search(r"[aeiou]y$", w)]
    assert len(vowel_y) >= 100
    for word in ("day", "money", "survey", "attorney", "monkey", "valley", "monday"):
        assert word in words


def test_python_stems_equal_lunr_js_stems() -> None:
    expected = lunr_js_stems()
    differences = {w: (stem(w), s) for w, s in expected.items() if stem(w) != s}
    assert differences == {}, f"{len(differences)} of {len(expected)} words stem differently"
    assert len(expected) > 10000


def test_vowel_y_words_keep_their_y() -> None:
    expected = lunr_js_stems()
    for word in ("day", "money", "survey", "attorney", "monkey", "valley", "monday"):
        assert stem(word) == expected[word] == word


def test_unpatched_lunr_py_stemmer_differs() -> None:
    """The reason generator.stemmer exists: lunr.py 0.8.0 turns a final vowel + "y" into "i"."""
    expected = lunr_js_stems()
    differing = sorted(w for w, s in expected.items() if w.isascii() and lunr_py_stem(w) != s)
    assert lunr_py_stem("day") == "dai" and expected["day"] == "day"
    assert lunr_py_stem("money") == "monei" and expected["money"] == "money"
    assert {"survey", "attorney", "valley"} <= set(differing)
    assert len(differing) >= 100


def test_index_terms_equal_lunr_js_pipeline() -> None:
    """Whole texts: tokenizer and trimmer as search.js runs them, then lunr.js's stop-word
    filter and stemmer."""
    texts = list(PIPELINE_TEXTS) + content_texts()
    result = run_lunr_js({"texts": texts})
    terms = result["terms"]
    assert isinstance(terms, list)
    for text, js_terms in zip(texts, terms, strict=True):
        assert index_terms(text) == [t for t in js_terms if t != ""], text[:80]


def test_stop_words_equal_lunr_js() -> None:
    candidates = sorted(LUNR_PY_STOP_WORDS | {"haqqani", "taliban", "day", "neitherr"})
    result = run_lunr_js({"stop_word_candidates": candidates})
    assert sorted(result["stopWords"]) == sorted(LUNR_PY_STOP_WORDS)  # type: ignore[arg-type]


def test_tokenizer_and_trimmer_follow_javascript() -> None:
    assert tokenize("Al-Qaeda\u2009and\u00a0the\u2028Taliban") == ["al", "qaeda", "and", "the", "taliban"]
    assert tokenize("a\x1cb") == ["a\x1cb"]  # not white space in JavaScript
    assert trim("“café”") == "café"  # any script, where lunr.trimmer kept only [A-Za-z0-9_]
    assert trim("u.s.") == "u.s"
    assert trim("—") == ""


if __name__ == "__main__":
    if sys.argv[1:] == ["--write-words"]:
        WORDS_FILE.write_text("\n".join(make_word_list()) + "\n", encoding="utf-8")
        print(f"wrote {WORDS_FILE}")
    else:
        print("usage: python tests/test_stemmer.py --write-words", file=sys.stderr)
        raise SystemExit(2)
