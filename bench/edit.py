"""A generated claim file's text + a word or a value -> the text with that edit (for benchmarks).

    from edit import edit_word, with_word; text = with_word(text, edit_word("zedit", 0))

The benchmarks that measure how a change reaches the site edit claim files that
bench/generate.py wrote, and put them back afterwards (`restored`).
"""

from __future__ import annotations

import re
import signal
import string
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

CLAIM_TEXT = re.compile(r'^(claim: "\w+ )(\w+)', re.MULTILINE)
"""A claim file's `claim:` line up to its second word, and that word (generate.py writes the
text as a JSON string: a double-quoted YAML scalar)."""
EXIT_SIGINT = 130
EXIT_SIGTERM = 143
"""128 + the signal's number, as shells report a command ended by it."""
STATUS = re.compile(r"^status: .*$", re.MULTILINE)
"""A claim file's `status:` line."""


def edit_word(mark: str, number: int) -> str:
    """The `number`th word an edit writes: `mark` and letters, so that no stemmer or tokenizer
    splits it (zedita, zeditb, ..., zeditz, zeditaa, ...). No word of generate.py's
    vocabulary begins with `z` followed by anything but `i`."""
    letters = ""
    number += 1
    while number:
        number, digit = divmod(number - 1, 26)
        letters = string.ascii_lowercase[digit] + letters
    return mark + letters


def with_word(claim_file_text: str, word: str) -> str:
    """The claim file's text with the second word of its `claim:` text replaced by `word`
    (the claim text is shown on the claim's page and on others)."""
    edited, count = CLAIM_TEXT.subn(lambda m: m.group(1) + word, claim_file_text, count=1)
    if count != 1:
        raise SystemExit("no `claim:` line of two words or more in the claim file: has "
                         "generate.py changed its format?")
    return edited


def with_status(claim_file_text: str, status: str) -> str:
    """The claim file's text with `status: <status>` in place of its status."""
    edited, count = STATUS.subn(f"status: {status}", claim_file_text, count=1)
    if count != 1:
        raise SystemExit("no `status:` line in the claim file: has generate.py changed its format?")
    return edited


def claim_page(out: Path, claim_id: str) -> Path:
    """Where a build into `out` writes the claim's page."""
    return out / "claims" / claim_id / "index.html"


@contextmanager
def restored(path: Path) -> Iterator[None]:
    """Put the file's bytes back when the block ends, however it ends (unless they are
    back already: a write of the same bytes would still be a change to a watcher)."""
    original = path.read_bytes()
    try:
        yield
    finally:
        if path.read_bytes() != original:
            path.write_bytes(original)


def interruptible() -> None:
    """SIGINT raises KeyboardInterrupt even where the benchmark was started with it ignored
    (as a shell starts a job in the background), and so interrupts the children it starts
    after this (an ignored signal stays ignored across exec, a handled one does not); SIGTERM
    ends it as SystemExit does. Either way its `finally` blocks (an edited file put back, a
    server stopped) run."""
    def terminate(signum: int, frame: FrameType | None) -> None:
        sys.exit(EXIT_SIGTERM)

    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, terminate)


def run_script(main: Callable[[], int]) -> None:
    """Run a benchmark's `main` as the script: its exit code, or "interrupted" and 130 on
    Ctrl-C (see `interruptible`)."""
    try:
        raise SystemExit(main())
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        raise SystemExit(EXIT_SIGINT) from None
