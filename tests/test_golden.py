"""Golden output: tests/trees/<case>/content/ builds to exactly tests/trees/<case>/expected/.

A change to what the site prints shows here as a diff. When it is meant, regenerate the
expected trees on purpose and review them as a diff before committing:

    make golden        # or: .venv/bin/python -m pytest tests/test_golden.py --update-golden
    git diff --stat tests/trees/*/expected/
"""

from __future__ import annotations

import difflib
import re
import shutil
from pathlib import Path

import pytest
from conftest import TREES

from generator import pipeline

CASES = ("minimal", "demo")
"""The trees whose whole built output is kept: the smallest site, and the frozen demo."""

SHIPPED = re.compile(r"assets/lunr\.[0-9a-f]{8}\.min\.js")
"""Files the site ships as they come (lunr.js from npm): their content hash is in their name,
so the name is compared and the file is not kept in the golden tree."""


def _files(root: Path) -> dict[str, bytes]:
    return {
        name: b"" if SHIPPED.fullmatch(name) else path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and (name := path.relative_to(root).as_posix())
    }


def _first_difference(name: str, expected: bytes, actual: bytes) -> str:
    try:
        old, new = expected.decode("utf-8"), actual.decode("utf-8")
    except UnicodeDecodeError:
        return f"{name}: binary files differ"
    diff = difflib.unified_diff(
        old.splitlines(), new.splitlines(), f"expected/{name}", f"built/{name}", lineterm="", n=1
    )
    return "\n".join(list(diff)[:40])


@pytest.mark.parametrize("case", CASES)
def test_build_matches_the_golden_tree(case: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    content = TREES / case / "content"
    expected_dir = TREES / case / "expected"
    out = tmp_path / "site"
    pipeline.build(content, out)
    if request.config.getoption("--update-golden"):
        shutil.rmtree(expected_dir, ignore_errors=True)
        shutil.copytree(out, expected_dir)
        for shipped in expected_dir.joinpath("assets").glob("lunr.*.min.js"):
            shipped.write_bytes(b"")
        return
    assert expected_dir.is_dir(), f"no golden tree yet: run `make golden` and review {expected_dir}"
    built, expected = _files(out), _files(expected_dir)
    assert sorted(built) == sorted(expected), "the built files differ from the golden tree's"
    changed = [name for name in expected if built[name] != expected[name]]
    assert not changed, "\n\n".join(
        _first_difference(name, expected[name], built[name]) for name in changed[:3]
    ) + f"\n\n{len(changed)} file(s) differ; `make golden` rewrites them (review the diff)."
