"""A process for tests/test_write.py to kill, interrupt or make wait.

    writer_child.py write OUT VERSION COUNT [--fallback]
        writes the site VERSION ("a" or "b") of COUNT small files into OUT with SiteWriter
        (with --fallback, without the atomic exchange); every rename and exchange is
        preceded and followed by a pause of SLOW_SWAP_SECONDS, so that a kill at a random
        instant often falls in the swap, between its steps; prints "writing" when it starts
    writer_child.py build [--pause-after-adds N | --pause-in-removal] ARGS...
        runs `python -m generator ARGS...`, and pauses (prints "paused", then waits for a
        line on standard input) after N files were added, or when it starts removing the
        previous site once the new one is in place
"""

from __future__ import annotations

import os
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator import cli, write

SLOW_SWAP_SECONDS = 0.05


def slowed(function: Callable[..., Any]) -> Callable[..., Any]:
    def slow(*args: Any) -> Any:
        time.sleep(SLOW_SWAP_SECONDS)
        result = function(*args)
        time.sleep(SLOW_SWAP_SECONDS)
        return result

    return slow


def version_files(version: str, count: int) -> dict[str, bytes]:
    """Two sites that differ in their files, their folders and their bytes."""
    extra = 0 if version == "a" else 7
    files = {
        f"d{i % 40:02d}/p{i:05d}.html": f"<p>{version} {i}</p>\n".encode() * 3
        for i in range(count + extra)
    }
    files[f"only-{version}/index.html"] = version.encode()
    return files


def pause() -> None:
    print("paused", flush=True)
    sys.stdin.readline()


def main(argv: list[str]) -> int:
    # a process started in the background may inherit SIGINT ignored; a terminal's is not
    signal.signal(signal.SIGINT, signal.default_int_handler)
    if argv[0] == "write":
        out, version, count = argv[1], argv[2], int(argv[3])
        if "--fallback" in argv:
            write._exchange = lambda a, b: False  # type: ignore[assignment]
        write._exchange = slowed(write._exchange)  # type: ignore[assignment]
        os.rename = slowed(os.rename)
        files = version_files(version, count)
        print("writing", flush=True)
        with write.SiteWriter(out) as site:
            for out_path in sorted(files):
                site.add(out_path, files[out_path])
        return 0
    assert argv[0] == "build"
    args = argv[1:]
    if args[0] == "--pause-after-adds":
        after, args = int(args[1]), args[2:]
        add = write.SiteWriter.add

        paused_once: list[bool] = []

        def pausing_add(self: write.SiteWriter, out_path: str, data: bytes,
                        *args: Any, **kwargs: Any) -> None:
            add(self, out_path, data, *args, **kwargs)
            if self.count >= after and not paused_once:  # kept files count too
                paused_once.append(True)
                pause()

        write.SiteWriter.add = pausing_add  # type: ignore[method-assign]
    elif args[0] == "--pause-in-removal":
        args = args[1:]
        remove = write._remove_entry
        paused: list[bool] = []

        def pausing_remove(path: Path) -> Any:
            if not paused:
                paused.append(True)
                pause()
            return remove(path)

        write._remove_entry = pausing_remove
    return cli.main(["build", *args])


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
