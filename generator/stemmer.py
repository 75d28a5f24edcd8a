"""A word -> its stem, exactly as lunr.js 2.3.9 computes it (its Porter stemmer, step by step)."""

from __future__ import annotations

import re
from functools import lru_cache

# lunr.js runs its regular expressions over UTF-16 code units, where `.` stops at line
# terminators and `$` only matches at the very end. Words are turned into strings of code
# units (astral characters become surrogate pairs) so that lengths and character classes
# count the same, and the patterns below use an explicit "any" class and `\Z`.
_ANY = "[^\\n\\r\\u2028\\u2029]"

_STEP2 = {
    "ational": "ate",
    "tional": "tion",
    "enci": "ence",
    "anci": "ance",
    "izer": "ize",
    "bli": "ble",
    "alli": "al",
    "entli": "ent",
    "eli": "e",
    "ousli": "ous",
    "ization": "ize",
    "ation": "ate",
    "ator": "ate",
    "alism": "al",
    "iveness": "ive",
    "fulness": "ful",
    "ousness": "ous",
    "aliti": "al",
    "iviti": "ive",
    "biliti": "ble",
    "logi": "log",
}

_STEP3 = {
    "icate": "ic",
    "ative": "",
    "alize": "al",
    "iciti": "ic",
    "ical": "ic",
    "ful": "",
    "ness": "",
}

_c = "[^aeiou]"
_v = "[aeiouy]"
_C = _c + "[^aeiouy]*"
_V = _v + "[aeiou]*"

_MGR0 = re.compile("^(" + _C + ")?" + _V + _C)
_MEQ1 = re.compile("^(" + _C + ")?" + _V + _C + "(" + _V + ")?\\Z")
_MGR1 = re.compile("^(" + _C + ")?" + _V + _C + _V + _C)
_S_V = re.compile("^(" + _C + ")?" + _v)

_1A = re.compile(f"^({_ANY}+?)(ss|i)es\\Z")
_1A_2 = re.compile(f"^({_ANY}+?)([^s])s\\Z")
_1B = re.compile(f"^({_ANY}+?)eed\\Z")
_1B_2 = re.compile(f"^({_ANY}+?)(ed|ing)\\Z")
_LAST = re.compile(f"{_ANY}\\Z")
_1B_AT = re.compile("(at|bl|iz)\\Z")
_1B_DOUBLE = re.compile("([^aeiouylsz])\\1\\Z")
_CVC = re.compile("^" + _C + _v + "[^aeiouwxy]\\Z")
_1C = re.compile(f"^({_ANY}+?[^aeiou])y\\Z")
_2 = re.compile(f"^({_ANY}+?)(" + "|".join(_STEP2) + ")\\Z")
_3 = re.compile(f"^({_ANY}+?)(" + "|".join(_STEP3) + ")\\Z")
_4 = re.compile(
    f"^({_ANY}+?)"
    "(al|ance|ence|er|ic|able|ible|ant|ement|ment|ent|ou|ism|ate|iti|ous|ive|ize)\\Z"
)
_4_2 = re.compile(f"^({_ANY}+?)(s|t)(ion)\\Z")
_5 = re.compile(f"^({_ANY}+?)e\\Z")
_5_LL = re.compile("ll\\Z")


def _to_units(word: str) -> str:
    """One character per UTF-16 code unit (lone surrogates stand for astral characters)."""
    if all(ord(ch) < 0x10000 for ch in word):
        return word
    data = word.encode("utf-16-le", "surrogatepass")
    return "".join(chr(int.from_bytes(data[i : i + 2], "little")) for i in range(0, len(data), 2))


def _from_units(units: str) -> str:
    if all(ord(ch) < 0xD800 or ord(ch) > 0xDFFF for ch in units):
        return units
    return units.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")


def _porter(w: str) -> str:
    if len(w) < 3:
        return w

    first = w[0]
    if first == "y":
        w = "Y" + w[1:]

    match = _1A.match(w) or _1A_2.match(w)
    if match:
        w = match.group(1) + match.group(2)

    match = _1B.match(w)
    if match:
        if _MGR0.search(match.group(1)):
            w = _LAST.sub("", w, count=1)
    else:
        match = _1B_2.match(w)
        if match:
            stem = match.group(1)
            if _S_V.search(stem):
                w = stem
                if _1B_AT.search(w):
                    w = w + "e"
                elif _1B_DOUBLE.search(w):
                    w = _LAST.sub("", w, count=1)
                elif _CVC.search(w):
                    w = w + "e"

    match = _1C.match(w)
    if match:
        w = match.group(1) + "i"

    match = _2.match(w)
    if match and _MGR0.search(match.group(1)):
        w = match.group(1) + _STEP2[match.group(2)]

    match = _3.match(w)
    if match and _MGR0.search(match.group(1)):
        w = match.group(1) + _STEP3[match.group(2)]

    match = _4.match(w)
    if match:
        if _MGR1.search(match.group(1)):
            w = match.group(1)
    else:
        match = _4_2.match(w)
        if match:
            stem = match.group(1) + match.group(2)
            if _MGR1.search(stem):
                w = stem

    match = _5.match(w)
    if match:
        stem = match.group(1)
        if _MGR1.search(stem) or (_MEQ1.search(stem) and not _CVC.search(stem)):
            w = stem

    if _5_LL.search(w) and _MGR1.search(w):
        w = _LAST.sub("", w, count=1)

    if first == "y":
        w = "y" + w[1:]
    return w


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """lunr.js 2.3.9's `lunr.stemmer` applied to one (already lower-cased, trimmed) word."""
    return _from_units(_porter(_to_units(word)))
