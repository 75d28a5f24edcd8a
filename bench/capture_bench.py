"""Saved pages -> seconds per capture (text extraction and metadata) and words captured.

    python bench/capture_bench.py [--runs 5] [--paragraphs 200 2000]

Measures the fixture pages of tests/fixtures/pages/ and synthetic pages of the given numbers
of paragraphs wrapped in page furniture (a menu, share buttons, related links, a footer)."""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator import capture

PAGES = ROOT / "tests" / "fixtures" / "pages"


def synthetic(paragraphs: int) -> bytes:
    """A page of `paragraphs` distinct paragraphs, with furniture and NewsArticle JSON-LD."""
    menu = "".join(f'<li><a href="/s{i}/">Section {i}</a></li>' for i in range(40))
    body = "".join(
        f"<p>Paragraph {i} of the report says that the team met {i % 7 + 2} officials in "
        f"{i % 5 + 1} capitals, and that none of them could confirm the figure of {i * 13} "
        "fighters that an earlier report had given.</p>"
        + ('<div class="share"><a href="#">Share</a> <a href="#">Email</a></div>'
           if i % 25 == 0 else "")
        for i in range(paragraphs)
    )
    related = "".join(f'<li><a href="/r{i}/">Related story {i}</a></li>' for i in range(30))
    return (
        '<!doctype html><html lang="en"><head><title>Report | Example Daily</title>'
        '<script type="application/ld+json">{"@context": "https://schema.org", "@type": '
        '"NewsArticle", "headline": "Report", "datePublished": "2099-03-14T10:00:00Z", '
        '"author": {"@type": "Person", "name": "Jane Example"}}</script></head><body>'
        f"<header><nav><ul>{menu}</ul></nav></header><main><article><h1>Report</h1>{body}"
        f"</article><aside><ul>{related}</ul></aside></main><footer>© Example Daily</footer>"
        "</body></html>"
    ).encode()


def measure(data: bytes, runs: int) -> tuple[float, int]:
    """(median seconds of `runs` captures, words of sentences captured)."""
    times = []
    words = 0
    for _ in range(runs):
        before = time.perf_counter()
        found = capture.capture_page(data)
        times.append(time.perf_counter() - before)
        words = capture.prose_words(found.text) if isinstance(found, capture.Capture) else 0
    return statistics.median(times), words


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--paragraphs", type=int, nargs="*", default=[200, 2000])
    args = parser.parse_args()
    capture.capture_page(synthetic(10))  # imports and first-call set-up are not measured
    print(f"{'page':<28} {'KiB':>8} {'words':>8} {'ms':>9}")
    cases = [(p.name, p.read_bytes()) for p in sorted(PAGES.iterdir()) if p.is_file()]
    cases += [(f"synthetic-{n}", synthetic(n)) for n in args.paragraphs]
    for name, data in cases:
        seconds, words = measure(data, args.runs)
        print(f"{name:<28} {len(data) / 1024:>8.1f} {words:>8} {seconds * 1000:>9.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
