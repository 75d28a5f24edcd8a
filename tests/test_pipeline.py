"""The pipeline's own guarantees: a search index built in a second process gives the same
site as one built in this process."""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from generator import pipeline

CONTENT = Path(__file__).resolve().parent.parent / "content"


def test_forked_search_index_gives_the_same_site(monkeypatch: pytest.MonkeyPatch) -> None:
    site = pipeline.check(CONTENT)
    root = CONTENT.parent
    serial = pipeline.render_files(site, root)

    pools: list[Any] = []

    class Recorded(ProcessPoolExecutor):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            pools.append(self)

    monkeypatch.setattr(pipeline, "PARALLEL_FROM", 1)
    monkeypatch.setattr(pipeline.threading, "active_count", lambda: 1)
    monkeypatch.setattr(pipeline, "ProcessPoolExecutor", Recorded)
    forked = pipeline.render_files(site, root)
    assert len(pools) == 1, "the index was not built in a second process"
    assert forked == serial
    assert pipeline._forked_site is None
