"""A page count and a claim count -> clean-build times of Hugo and of this generator, and their ratio.

    .venv/bin/python bench/peer_bench.py [--pages 10000] [--claims 10000] [--rounds 3] [--seed 1]
                                         [--server [--edits 5]]

Runs from any directory. Needs `hugo` on PATH (Debian: apt-get install hugo); without it,
says so and exits 0. A minimal Hugo site (a layout of three templates: baseof, single,
list) with `--pages` plain Markdown pages of pseudo-English is generated into bench/out/
(kept between runs, keyed on this script's and generate.py's hashes), as is this
generator's synthetic content of `--claims` claims (bench/generate.py). Then `--rounds`
rounds, interleaved so that a change in the machine's load touches both alike: `hugo
--quiet` into an empty folder, then `generator build` with neither output folder nor cache.
Each run is measured in a fresh wrapper process (bench/measure.py: wall, CPU, peak RSS).
Prints each round, the medians, and the ratio of the medians (this generator / Hugo).

With --server, also `hugo server` as it runs by default (pages in memory, fast render: after a
change the pages a browser visited are rendered first): `--edits` times
a new word is written into one page and its served page polled every POLL_SECONDS until it
holds the word (compare bench/serve_bench.py for this generator's `serve`).
"""

from __future__ import annotations

import argparse
import hashlib
import random
import shutil
import signal
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(ROOT))

from edit import edit_word, interruptible, restored, run_script
from generate import CACHE, Words, cached_content
from measure import Measured, measure, median

from generator.cache import cache_dir

PAGE_WORDS = 600
"""Words of body text per Hugo page (a claim page shows the claim, the passage, the verdict
and five outlets' quotes with context: several hundred words)."""
PARAGRAPHS = 5
POLL_SECONDS = 0.010
"""How often `hugo server`'s page is fetched while waiting for an edit to show."""
TIMEOUT_SECONDS = 600.0
"""The longest wait for `hugo server` to serve, or for one edit to show."""
PAUSE_SECONDS = 1.0
"""Between one measured edit and the next."""

CONFIG = """\
baseURL = "https://example.org/"
languageCode = "en"
title = "Synthetic pages"
disableKinds = ["taxonomy", "term"]
"""
"""hugo.toml: the home page, one section, the pages, RSS and the sitemap (what this
generator also writes: lists, pages, a feed, a sitemap)."""

LAYOUTS = {
    "baseof.html": """\
<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ .Title }} | {{ .Site.Title }}</title></head>
<body><header><a href="{{ "/" | relURL }}">{{ .Site.Title }}</a></header>
<main>{{ block "main" . }}{{ end }}</main>
<footer>Synthetic content for benchmarks.</footer></body>
</html>
""",
    "single.html": """\
{{ define "main" }}<article><h1>{{ .Title }}</h1>
<p><time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "2 January 2006" }}</time></p>
{{ .Content }}</article>{{ end }}
""",
    "list.html": """\
{{ define "main" }}<h1>{{ .Title }}</h1>
<ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>
{{ end }}
""",
}
"""layouts/_default/: every page in the base template; list.html serves the home page and
the section."""


def page(words: Words, rng: random.Random, index: int) -> str:
    """One Markdown page with YAML front matter: a title, a date, paragraphs with emphasis and
    a link."""
    title = words.sentence(5, 9).rstrip(".")
    date = f"{rng.randint(2019, 2024):04d}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    paragraphs = [words.paragraph(PAGE_WORDS // PARAGRAPHS) for _ in range(PARAGRAPHS)]
    paragraphs[0] = f"**{words.name()}** {paragraphs[0]}"
    paragraphs[-1] += f" See [the source](https://example.org/sources/{index % 40})."
    front = f'---\ntitle: "{title}"\ndate: {date}\n---\n\n'
    return front + "\n\n".join(paragraphs) + "\n"


def site_hash() -> str:
    digest = hashlib.sha256(Path(__file__).read_bytes())
    digest.update((BENCH / "generate.py").read_bytes())
    return digest.hexdigest()[:12]


def cached_hugo_site(pages: int, seed: int) -> Path:
    """The Hugo site's folder under bench/out/, generated on first use."""
    site = CACHE / f"hugo-pages-{pages}-seed-{seed}-{site_hash()}" / "site"
    if (site / "hugo.toml").exists():
        return site
    partial = site.parent / "site.partial"
    shutil.rmtree(partial, ignore_errors=True)
    rng = random.Random(seed)
    words = Words.create(rng)
    (partial / "layouts" / "_default").mkdir(parents=True)
    for name, text in LAYOUTS.items():
        (partial / "layouts" / "_default" / name).write_text(text, encoding="utf-8")
    posts = partial / "content" / "posts"
    posts.mkdir(parents=True)
    (posts / "_index.md").write_text('---\ntitle: "Pages"\n---\n', encoding="utf-8")
    for index in range(pages):
        (posts / f"page-{index:05d}.md").write_text(page(words, rng, index), encoding="utf-8")
    (partial / "hugo.toml").write_text(CONFIG, encoding="utf-8")
    partial.rename(site)
    return site


def html_files(folder: Path) -> int:
    return sum(1 for _ in folder.rglob("*.html"))


def row(label: str, hugo: Measured, ours: Measured) -> str:
    return (f"{label:<7} {hugo.wall:>8.2f} {hugo.cpu:>8.2f} {hugo.peak_mib:>9.0f}   "
            f"{ours.wall:>8.2f} {ours.cpu:>8.2f} {ours.peak_mib:>9.0f}")


def fetch(url: str) -> bytes | None:
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_SECONDS) as answer:
            data: bytes = answer.read()
            return data
    except (urllib.error.URLError, ConnectionError):
        return None


def wait_for(process: subprocess.Popen[bytes], url: str, needle: bytes) -> None:
    deadline = time.perf_counter() + TIMEOUT_SECONDS
    while True:
        if process.poll() is not None:
            raise SystemExit(f"hugo server exited with {process.returncode}")
        data = fetch(url)
        if data is not None and needle in data:
            return
        if time.perf_counter() > deadline:
            raise SystemExit(f"{url}: {needle!r} not seen after {TIMEOUT_SECONDS:.0f} s")
        time.sleep(POLL_SECONDS)


def server_bench(hugo: str, site: Path, pages: int, edits: int, port: int) -> list[float]:
    """Seconds from each edit of one page to `hugo server` serving it."""
    name = f"page-{pages // 2:05d}"
    path = site / "content" / "posts" / f"{name}.md"
    url = f"http://127.0.0.1:{port}/posts/{name}/"
    original = path.read_text(encoding="utf-8")
    process = subprocess.Popen(
        [hugo, "server", "--source", str(site), "--bind", "127.0.0.1", "--port", str(port)],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    seconds = []
    try:
        with restored(path):
            wait_for(process, url, b"<h1>")
            time.sleep(PAUSE_SECONDS)  # its watcher is set up after the first render
            for number in range(edits):
                word = edit_word("zhugo", number)
                head, _, body = original.partition("\n\n")
                started = time.perf_counter()
                path.write_text(f"{head}\n\n{word} {body}", encoding="utf-8")
                wait_for(process, url, word.encode())
                seconds.append(time.perf_counter() - started)
                time.sleep(PAUSE_SECONDS)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=10000, help="Hugo pages (default 10000)")
    parser.add_argument("--claims", type=int, default=10000, help="claims (default 10000)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (default 3)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--server", action="store_true",
                        help="also measure `hugo server` from an edit to the served page")
    parser.add_argument("--edits", type=int, default=5, help="edits with --server (default 5)")
    parser.add_argument("--port", type=int, default=1313, help="port for `hugo server`")
    args = parser.parse_args()
    interruptible()
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    hugo = shutil.which("hugo")
    if hugo is None:
        print("hugo is not installed (on PATH): nothing to compare with "
              "(Debian: apt-get install hugo)")
        return 0
    version = measure([hugo, "version"], ROOT).stdout.split()[:2]
    site = cached_hugo_site(args.pages, args.seed)
    public = site.parent / "public"
    content = cached_content(args.claims, args.seed)
    out = content.parent / "site"
    hugo_build = [hugo, "--quiet", "--source", str(site), "--destination", str(public)]
    our_build = [sys.executable, "-m", "generator", "build", "--content", str(content),
                 "--out", str(out)]

    print(f"{' '.join(version)}, {args.pages} pages  vs  this generator, {args.claims} claims")
    print(f"{'':<7} {'Hugo':>8} {'':>8} {'':>9}   {'ours':>8}")
    print(f"{'round':<7} {'wall s':>8} {'CPU s':>8} {'RSS MiB':>9}   "
          f"{'wall s':>8} {'CPU s':>8} {'RSS MiB':>9}", flush=True)
    theirs: list[Measured] = []
    ours: list[Measured] = []
    for number in range(args.rounds):
        shutil.rmtree(public, ignore_errors=True)
        theirs.append(measure(hugo_build, site))
        shutil.rmtree(out, ignore_errors=True)
        shutil.rmtree(cache_dir(out), ignore_errors=True)
        ours.append(measure(our_build, ROOT))
        print(row(str(number + 1), theirs[-1], ours[-1]), flush=True)
    hugo_median, our_median = median(theirs), median(ours)
    print(row("median", hugo_median, our_median))
    hugo_pages, our_pages = html_files(public), html_files(out)
    print(f"HTML pages: Hugo {hugo_pages} ({hugo_pages / hugo_median.wall:.0f}/s), "
          f"ours {our_pages} ({our_pages / our_median.wall:.0f}/s)")
    print(f"ours / Hugo: wall {our_median.wall / hugo_median.wall:.1f}x, "
          f"CPU {our_median.cpu / max(hugo_median.cpu, 1e-9):.1f}x", flush=True)
    if args.server:
        shown = server_bench(hugo, site, args.pages, args.edits, args.port)
        print(f"hugo server, edit -> page: median {statistics.median(shown):.3f} s, "
              f"max {max(shown):.3f} s over {len(shown)}")
    return 0


if __name__ == "__main__":
    run_script(main)
