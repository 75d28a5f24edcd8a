"""A claim with as many appearances as allowed, each a quote of the longest length allowed,
compared word by word with a passage of the longest length allowed: the work of one claim
file is bounded."""

from pathlib import Path

from hostile._tree import ARTICLE, CLAIM, SOURCE, append, minimal, replace

EXPECTED = (
    "content/claims/capability.yaml:15:5: appearances[1]: the same span as appearances[0]"
)

WORDS = (
    "monitors", "read", "the", "report", "and", "officials", "said", "neither", "group", "could",
    "mount", "attacks", "not", "never", "all", "of", "2099",
)


def make_case(tmp: Path) -> Path:
    content = minimal(tmp)
    quote = " ".join(WORDS[i * 7 % len(WORDS)] for i in range(400))[:1000].strip()
    append(content, ARTICLE, "\n" + quote + "\n")
    passage = " ".join(WORDS[i * 11 % len(WORDS)] for i in range(1200))[:3000].strip()
    replace(content, SOURCE, "text: Neither group is believed to be capable of mounting "
            "attacks before 2100.", f"text: {passage}")
    text = (content / CLAIM).read_text("utf-8")
    text = text[: text.index("appearances:")] + "finding: Bounded.\nappearances:\n"
    text += (f"  - article: daily-example/monitors\n    quote: {quote}\n"
             "    attribution: correct\n") * 200
    (content / CLAIM).write_text(text, "utf-8")
    return content


def check_output(out: str, err: str) -> None:
    assert err.splitlines()[-1] == "199 problems and 200 warnings found; nothing was written."
