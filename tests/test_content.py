"""The live content/: only what must hold for any correct content, so that editors can correct
it freely (every other test reads the frozen copy in tests/trees/demo/)."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator import cli, load

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
SEEDS = ROOT.parent / "shared" / "seeds"


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file()}


def test_the_content_checks(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["check", str(CONTENT)]) == 0, capsys.readouterr().err
    out = capsys.readouterr().out
    assert out.startswith("ok: ") and "appearances anchored" in out


def test_the_content_builds_to_the_same_bytes_every_time(tmp_path: Path) -> None:
    for name in ("one", "two"):
        assert cli.main(["build", "--content", str(CONTENT), "--out", str(tmp_path / name)]) == 0
    one, two = _files(tmp_path / "one"), _files(tmp_path / "two")
    assert one and one == two


def test_articles_are_the_seed_texts_byte_for_byte() -> None:
    if not SEEDS.is_dir():
        pytest.skip("the seed folder is not beside the project")
    bodies = set()
    for path in sorted((CONTENT / "articles").rglob("*.txt")):
        raw = path.read_bytes().decode("utf-8")
        record, problems = load.parse_article(raw, path.name, "x/y")
        assert record is not None and not problems
        bodies.add(record.text.encode("utf-8"))
    seeds = sorted(SEEDS.glob("0*.txt"))
    assert len(seeds) == 5
    for seed in seeds:
        assert seed.read_bytes() in bodies, f"{seed.name} is not kept verbatim in content/articles"
