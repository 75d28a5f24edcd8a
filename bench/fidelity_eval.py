"""tests/fixtures/fidelity.md -> how well the comparison engine meets the cases, and how fast.

    python bench/fidelity_eval.py [--runs 50000] [--no-timing]

Prints, from the fixture cases: per ChangeKind the precision and recall of detection (a kind
counts as detected in a case when the engine finds a change of that kind; its details are
scored separately), the false-alarm rate on faithful cases (those that expect no change), the
quotation-kind accuracy, the cases whose findings move when framing words ("the report said",
"according to the UN" ...) are added around the span, and the failing cases. Then the time of
--runs typical comparisons (the fixture cases in turn: spans of 10 to 60 words against
passages of 10 to 40), with each article's words already worked out (as in a build, where an
article's several appearances share them) and with a fresh article each time; and the time
and memory of a hostile case: a 15,000-word repetitive quotation against a 6,000-word passage,
in a fresh process.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from compare_cases import Case, entities, found, load_cases, run, spellings

from generator.compare import ChangeKind, Comparison, compare

PREFIXES = (
    "The report said ",
    "According to the UN, ",
    "As the report noted, ",
    "However, the organization does give an assurance that ",
    "The experts said that ",
)
SUFFIXES = (", the report said", ", according to the UN", ", the experts said")
MARKS = "\"'\u201c\u201d\u2018\u2019"

HOSTILE = """
import resource, sys, time
sys.path.insert(0, {root!r})
from generator.compare import compare
words = "the group is not believed to be capable of mounting attacks".split()
quote = " ".join(words[i % len(words)] for i in range(15000))
text = "The report said: \\u201c" + quote + "\\u201d"
passage = " ".join(words[i % len(words)] for i in range(6000)) + "."
t = time.perf_counter()
result = compare(text, 0, len(text), passage)
cold = time.perf_counter() - t
t = time.perf_counter()
compare(text, 0, len(text), passage)
warm = time.perf_counter() - t
import tracemalloc
tracemalloc.start()
compare(text + " ", 0, len(text), passage + " ")
peak = tracemalloc.get_traced_memory()[1]
print(cold, warm, peak / 1e6, result.truncated)
"""


def kinds(pairs: frozenset[str]) -> set[str]:
    return {pair.split("/", 1)[0] for pair in pairs}


def signature(result: Comparison) -> list[tuple[str, str, tuple[str, ...], tuple[str, ...]]]:
    return sorted(
        (c.kind.value, c.detail, tuple(w.text for w in c.source), tuple(w.text for w in c.outlet))
        for c in result.changes
    )


def framing_moves(case: Case) -> list[str]:
    """The framing phrases that, added around the span (inside it or just outside it), change
    what is found."""
    from generator.compare import quoted_stretches

    moved: list[str] = []
    text, start, end = case.text, case.start, case.end
    before = start - 1 if start and text[start - 1] in MARKS else start
    after = end
    while after < len(text) and text[after] in MARKS + ".,":
        after += 1
    stretches = quoted_stretches(text, 0, len(text))
    prefix_ok = not any(a < before < b for a, b in stretches)
    suffix_ok = not any(a < after < b for a, b in stretches)
    plain = signature(run(case))
    for prefix in PREFIXES if prefix_ok else ():
        for suffix in (("", *SUFFIXES) if suffix_ok else ("",)):
            new = text[:before] + prefix + text[before:after] + suffix + text[after:]
            shift = len(prefix)
            spans = ((start + shift, end + shift), (before, after + shift + len(suffix)))
            for s, e in spans:
                result = compare(new, s, e, case.passage, spellings(), entities())
                if signature(result) != plain:
                    moved.append(f"{prefix!r}+{suffix!r}")
                    break
    return moved


def evaluate(cases: tuple[Case, ...]) -> None:
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    detail_ok = detail_all = 0
    quotation_ok = 0
    faithful = alarms = 0
    failing: list[str] = []
    for case in cases:
        result = run(case)
        got = found(result, case.changes)
        want_kinds, got_kinds = kinds(case.changes), kinds(got)
        for kind in ChangeKind:
            k = kind.value
            if k in want_kinds and k in got_kinds:
                tp[k] += 1
            elif k in got_kinds:
                fp[k] += 1
            elif k in want_kinds:
                fn[k] += 1
        detail_all += len(case.changes)
        detail_ok += len(case.changes & got)
        quotation_ok += result.quotation.value == case.quotation
        if not case.changes:
            faithful += 1
            alarms += bool(got)
        if got != case.changes or result.quotation.value != case.quotation:
            failing.append(
                f"  {case.id} (line {case.line}): quotation {result.quotation.value} "
                f"(expected {case.quotation}); found {sorted(got) or 'none'} "
                f"(expected {sorted(case.changes) or 'none'})"
                + (f" [gap: {case.gap}]" if case.gap else "")
            )
    print(f"{len(cases)} cases, {faithful} faithful (expecting no change)\n")
    print(f"{'kind':<12}{'cases':>6}{'precision':>11}{'recall':>8}")
    for kind in ChangeKind:
        k = kind.value
        expected = tp[k] + fn[k]
        precision = tp[k] / (tp[k] + fp[k]) if tp[k] + fp[k] else 1.0
        recall = tp[k] / expected if expected else 1.0
        print(f"{k:<12}{expected:>6}{precision:>11.2f}{recall:>8.2f}")
    print(f"\nkind/detail pairs found as expected: {detail_ok}/{detail_all}")
    print(f"false alarms on faithful cases: {alarms}/{faithful} ({alarms / max(faithful, 1):.0%})")
    print(f"quotation kind accuracy: {quotation_ok}/{len(cases)} ({quotation_ok / len(cases):.0%})")
    moving = [(case.id, framing_moves(case)) for case in cases]
    moving = [(cid, m) for cid, m in moving if m]
    print(f"cases whose findings move with framing: {len(moving)}/{len(cases)}")
    for cid, phrases in moving:
        print(f"  {cid}: {', '.join(phrases)}")
    print(f"failing cases: {len(failing)}")
    for line in failing:
        print(line)


def timing(cases: tuple[Case, ...], runs: int) -> None:
    groups = spellings()
    known = entities()
    for case in cases:
        compare(case.text, case.start, case.end, case.passage, groups, known)
    words = sum(len(c.text[c.start : c.end].split()) for c in cases) / len(cases)
    passage_words = sum(len(c.passage.split()) for c in cases) / len(cases)
    t = time.perf_counter()
    for n in range(runs):
        case = cases[n % len(cases)]
        compare(case.text, case.start, case.end, case.passage, groups, known)
    warm = time.perf_counter() - t
    fresh = [(case, f"{case.text} {n}") for n, case in enumerate(cases * (runs // len(cases) + 1))]
    t = time.perf_counter()
    for n in range(runs):
        case, text = fresh[n]
        compare(text, case.start, case.end, case.passage, groups, known)
    cold = time.perf_counter() - t
    long = tuple(c for c in cases if len(c.text[c.start : c.end].split()) >= 25)
    t = time.perf_counter()
    for n in range(runs):
        case = long[n % len(long)]
        compare(case.text, case.start, case.end, case.passage, groups, known)
    long_warm = time.perf_counter() - t
    long_words = sum(len(c.text[c.start : c.end].split()) for c in long) / len(long)
    long_passage = sum(len(c.passage.split()) for c in long) / len(long)
    print(f"\n{runs} comparisons of the fixture cases in turn (spans of {words:.0f} words on "
          f"average, passages of {passage_words:.0f}):")
    print(f"  articles already worked out: {warm:.2f} s ({warm / runs * 1e6:.0f} us each)")
    print(f"  a fresh article each time:   {cold:.2f} s ({cold / runs * 1e6:.0f} us each)")
    print(f"{runs} comparisons of the {len(long)} cases with spans of 25 words or more "
          f"({long_words:.0f} words on average, passages of {long_passage:.0f}), articles "
          f"worked out: {long_warm:.2f} s ({long_warm / runs * 1e6:.0f} us each)")
    done = subprocess.run(
        [sys.executable, "-c", HOSTILE.format(root=str(ROOT))], capture_output=True, text=True,
        check=True,
    )
    first, again, grown, truncated = done.stdout.split()
    print("hostile: a 15,000-word repetitive quotation against a 6,000-word passage:")
    print(f"  {float(first) * 1000:.0f} ms (article and passage worked out), "
          f"{float(again) * 1000:.0f} ms again; peak allocated {float(grown):.1f} MB "
          f"(tracemalloc); truncated: {truncated}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50_000)
    parser.add_argument("--no-timing", action="store_true")
    args = parser.parse_args(argv)
    cases = load_cases()
    evaluate(cases)
    if not args.no_timing:
        timing(cases, args.runs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
