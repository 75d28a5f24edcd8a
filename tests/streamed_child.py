"""Generator functions for tests/test_incremental.py to run in a new process (`pool.Streamed`):
the new process imports this module by name, so it must be importable there (tests/ on
PYTHONPATH), and holds none of the test's state."""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from pathlib import Path

from generator import reuse
from generator.render import images
from generator.write import Written


def counted(count: int, marker: str) -> Iterator[int]:
    """0, 1, ... count - 1; then `marker` is written, and it goes on with nothing more to give
    for a minute (a process stopped with every result made)."""
    yield from range(count)
    Path(marker).write_text("done", encoding="utf-8")
    time.sleep(60)


def failing(count: int) -> Iterator[int]:
    """0, 1, ... count - 1, then an error (the process exits with it)."""
    yield from range(count)
    raise RuntimeError("failed in the new process")


def sleeping() -> Iterator[int]:
    """Nothing for two minutes."""
    time.sleep(120)
    yield 0


def cut_cards(staging: Path, cards: Sequence[tuple[str, images.Card]]
              ) -> Iterator[tuple[str, Written]]:
    """The first card made as a build makes it, then the second begun and never finished: a
    partial file (a process stopped while it writes a card)."""
    yield from reuse._write_cards(staging, cards[:1])
    partial = staging / cards[1][0]
    partial.parent.mkdir(parents=True, exist_ok=True)
    partial.write_bytes(images.share_card(cards[1][1])[:100])
    time.sleep(60)
