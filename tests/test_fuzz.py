"""Mangled content never crashes `check`: every outcome is a site or a list of problems."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from generator import pipeline
from generator.errors import ContentError

MINIMAL = Path(__file__).parent / "trees" / "minimal" / "content"
FILES = sorted(p.relative_to(MINIMAL).as_posix() for p in MINIMAL.rglob("*") if p.is_file())
PIECES = [
    ": ", "\n", "- ", "  ", "[", "]", "{", "}", "'", '"', "null", "true", "no", "2021-13",
    "&a ", "*a", "!!int ", "|", ">-", "#", "\t", "key: ", "quote: ", "prefix: ", "---\n", "…",
    "“", "é", "\x00", "0x1", "1e3", "~", "? ", "%YAML 1.1\n", "\ufeff", "<<: *a",
]

edit = st.tuples(
    st.floats(0, 1), st.one_of(st.sampled_from(PIECES), st.integers(1, 12))
)


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(FILES), st.lists(edit, min_size=1, max_size=4))
def test_check_never_crashes(rel: str, edits: list[tuple[float, str | int]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        content = Path(tmp) / "content"
        shutil.copytree(MINIMAL, content)
        text = (content / rel).read_text("utf-8")
        for where, change in edits:
            at = int(where * len(text))
            text = text[:at] + change + text[at:] if isinstance(change, str) else (
                text[:at] + text[at + change :]
            )
        (content / rel).write_text(text, "utf-8")
        try:
            pipeline.check(content)
        except ContentError as error:
            assert error.problems
            for problem in error.problems:
                assert problem.format().startswith(problem.location.rel_path + ":")
