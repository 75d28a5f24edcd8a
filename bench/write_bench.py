"""File count -> wall time of writing a site with generator.write: the first build (one
rename) and a rebuild (the exchange, then the removal of the previous site).

    python bench/write_bench.py [--files 12000] [--size 6000] [--fallback]

The files are spread over folders as a built site's pages are (one folder per page)."""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from generator import write


def pages(count: int, size: int) -> dict[str, bytes]:
    body = b"x" * size
    return {f"claims/c{i:06d}/index.html": body for i in range(count)}


def timed(files: dict[str, bytes], out: Path) -> float:
    before = time.perf_counter()
    write.write_site(files, out)
    return time.perf_counter() - before


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=12000)
    parser.add_argument("--size", type=int, default=6000, help="bytes per file")
    parser.add_argument("--fallback", action="store_true", help="two renames, no exchange")
    args = parser.parse_args()
    if args.fallback:
        write._exchange = lambda a, b: False  # type: ignore[assignment]
    files = pages(args.files, args.size)
    root = Path(tempfile.mkdtemp(prefix="write-bench-"))
    try:
        first = timed(files, root / "site")
        again = timed(files, root / "site")
    finally:
        shutil.rmtree(root)
    mib = args.files * args.size / 2**20
    print(f"{args.files} files, {mib:.0f} MiB: first build {first:.2f} s, "
          f"rebuild {again:.2f} s ({args.files / again:.0f} files/s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
