"""`new`: scaffolds that `check` reads and explains, written through the CLI."""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import pytest
import yaml

from generator import cli, new
from generator.schema import load_schema

MINIMAL = Path(__file__).parent / "trees" / "minimal" / "content"
REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def content(tmp_path: Path) -> Path:
    shutil.copytree(MINIMAL, tmp_path / "content")
    return tmp_path / "content"


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = cli.main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def problems(err: str) -> list[str]:
    """The `file:line:col: message` lines of check's output."""
    return [line for line in err.splitlines() if line.startswith("content/")]


def test_new_claim_then_check_lists_what_is_missing(
    content: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["new", "claim", "taliban-ties", "--content", str(content)], capsys)
    assert (code, err) == (0, "")
    assert out.splitlines()[0] == "wrote content/claims/taliban-ties.yaml"
    text = (content / "claims/taliban-ties.yaml").read_text("utf-8")
    assert text.startswith("# yaml-language-server: $schema=")
    code, out, err = run(["check", str(content)], capsys)
    assert code == 1
    found = [line.split(": ", 1)[1] for line in problems(err)]
    assert found == [
        "claim: must not be empty",
        ("status: expected one of confirmed, misrepresented, not-in-source, outdated, "
         'unchecked, unlocated; got ""'),
        "finding: must not be empty",
        "primary.source: expected text; got nothing (an empty value)",
        "verdict: must not be empty",
        "reviewed: '' is not a date: write YYYY, YYYY-MM or YYYY-MM-DD",
        "appearances[0].article: expected text; got nothing (an empty value)",
        "appearances[0].quote: must not be empty",
        ("appearances[0].attribution: expected one of correct, via-intermediary, missing, "
         'wrong; got ""'),
    ]
    lines = text.splitlines()
    for problem in problems(err):
        rel, line, _col, _ = problem.split(":", 3)
        assert rel == "content/claims/taliban-ties.yaml"
        key = problem.split(": ", 2)[1].split(".")[-1].split("]")[-1]
        assert lines[int(line) - 1].lstrip(" -").startswith(key + ":"), problem


def test_filled_scaffold_passes(content: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["new", "claim", "filled", "--content", str(content)], capsys)[0] == 0
    path = content / "claims/filled.yaml"
    values = {
        'claim: ""': "claim: Monitors doubt attacks before 2100.",
        'status: ""': "status: unchecked",
        'finding: ""': "finding: The monitors' wording is reported, not read.",
        "  source:\n": "  source: un-report\n",
        'verdict: ""': "verdict: Not yet checked.",
        'reviewed: ""': "reviewed: 2099-07-02",
        "  - article:\n": "  - article: daily-example/monitors\n",
        '    quote: ""': '    quote: "neither group “is believed to be capable of mounting"',
        '    attribution: ""': "    attribution: correct",
        "  # passage:": "  passage:",
    }
    text = path.read_text("utf-8")
    for old, value in values.items():
        assert old in text, old
        text = text.replace(old, value, 1)
    text = text.replace("  passage: \"\"", "  passage: capability")
    path.write_text(text, "utf-8")
    code, out, err = run(["check", str(content)], capsys)
    assert code == 0, err
    assert out.startswith("ok: 2 claims, 2 appearances anchored")


@pytest.mark.parametrize(
    ("kind", "name", "rel", "missing"),
    [
        ("outlet", "daily-other", "content/outlets/daily-other.yaml", ["name: must not be empty"]),
        ("source", "un-s-2099-2", "content/sources/un-s-2099-2.yaml",
         ["title: must not be empty", "publisher: must not be empty"]),
        ("article", "daily-example/second", "content/articles/daily-example/second.txt",
         ["headline: must not be empty"]),
    ],
)
def test_new_other_kinds_then_check(
    content: Path, capsys: pytest.CaptureFixture[str],
    kind: str, name: str, rel: str, missing: list[str],
) -> None:
    code, out, _ = run(["new", kind, name, "--content", str(content)], capsys)
    assert code == 0
    assert out.splitlines()[0] == f"wrote {rel}"
    code, _, err = run(["check", str(content)], capsys)
    assert code == 1
    assert [p.split(": ", 1)[1] for p in problems(err)] == missing
    assert all(p.startswith(rel + ":") for p in problems(err))


def test_every_schema_property_is_in_the_scaffold() -> None:
    for kind in new.KINDS:
        text = new.render_scaffold(kind, load_schema(kind), "x.json")
        yaml.safe_load(text)
        for key in _all_keys(load_schema(kind)):
            assert re.search(rf"^ *(# )?(- )?{key}:", text, re.MULTILINE), (kind, key)


def _all_keys(schema: dict[str, object]) -> set[str]:
    keys: set[str] = set()
    props = schema.get("properties", {})
    assert isinstance(props, dict)
    for key, sub in props.items():
        keys.add(key)
        if isinstance(sub, dict):
            keys |= _all_keys(sub)
            items = sub.get("items")
            if isinstance(items, dict):
                keys |= _all_keys(items)
    return keys


def test_modeline_points_at_the_package_schema(content: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(["new", "source", "un-s-2099-3", "--content", str(content)], capsys)
    path = content / "sources/un-s-2099-3.yaml"
    first = path.read_text("utf-8").splitlines()[0]
    ref = first.removeprefix("# yaml-language-server: $schema=")
    assert not Path(ref).is_absolute()
    assert (path.parent / ref).resolve() == REPO / "generator/schemas/source.schema.json"


def test_never_overwrites(content: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = (content / "claims/capability.yaml").read_bytes()
    code, out, err = run(["new", "claim", "capability", "--content", str(content)], capsys)
    assert (code, out) == (1, "")
    assert err.splitlines() == [
        "error: content/claims/capability.yaml already exists; nothing was written",
        "    Edit the existing file, or choose another name.",
    ]
    assert (content / "claims/capability.yaml").read_bytes() == before


@pytest.mark.parametrize(
    ("argv", "first_line", "hint"),
    [
        (["new", "claim", "Taliban_Ties"], "error: 'Taliban_Ties' is not a valid id",
         "e.g. 'taliban-ties'"),
        (["new", "article", "thanks-joe"], "error: 'thanks-joe' is not an article id",
         "Write OUTLET/SLUG"),
        (["new", "article", "daily-exampel/story"],
         "error: no outlet 'daily-exampel': content/outlets/daily-exampel.yaml does not exist",
         ("Did you mean 'daily-example'? Create the outlet first: "
          "python -m generator new outlet daily-exampel")),
        (["new", "article", "daily-example/Story"],
         "error: 'Story' is not a valid id (in 'daily-example/Story')", "e.g. 'story'"),
        (["new", "outlet", "x", "--from", "-"], "error: --from is only for articles", ""),
    ],
)
def test_bad_names(
    content: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
    argv: list[str], first_line: str, hint: str,
) -> None:
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b"")))
    code, out, err = run(argv + ["--content", str(content)], capsys)
    assert (code, out) == (1, "")
    assert err.splitlines()[0] == first_line
    assert hint in err
    assert sorted(p.name for p in content.rglob("*")) == sorted(p.name for p in MINIMAL.rglob("*"))


TEXT = (
    "Premium\r\n\r\nMonitors: “no attacks” – before 2100\u00a0…\r\n"
    "The UN said that neither group “is believed to be capable of mounting\r\n"
    "attacks before 2100.” 🙂\r\n---\r\nnot front matter\r\n"
).encode("utf-8")


@pytest.mark.parametrize("from_stdin", [False, True])
def test_article_from_text_is_verbatim(
    content: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch, from_stdin: bool,
) -> None:
    if from_stdin:
        monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(TEXT)))
        source = "-"
    else:
        (tmp_path / "capture.txt").write_bytes(TEXT)
        source = str(tmp_path / "capture.txt")
    code, _out, err = run(
        ["new", "article", "daily-example/capture", "--from", source, "--content", str(content)],
        capsys,
    )
    assert (code, err) == (0, "")
    data = (content / "articles/daily-example/capture.txt").read_bytes()
    front, _sep, body = data.partition(b"\n---\n")
    assert front.startswith(b"---\n# yaml-language-server: $schema=")
    assert body == TEXT

    path = content / "articles/daily-example/capture.txt"
    path.write_bytes(data.replace(b'headline: ""', b'headline: "Monitors: no attacks"', 1))
    claim = content / "claims/capability.yaml"
    claim.write_text(
        claim.read_text("utf-8").replace("daily-example/monitors", "daily-example/capture"), "utf-8"
    )
    code, _out, err = run(["check", str(content)], capsys)
    assert code == 0, err


def test_article_text_must_be_utf8(content: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "capture.txt").write_bytes(b"line one\ncaf\xe9\n")
    code, _, err = run(["new", "article", "daily-example/cp1252", "--from",
                        str(tmp_path / "capture.txt"), "--content", str(content)], capsys)
    assert code == 1
    assert err.splitlines()[0] == "error: the article text is not valid UTF-8 (byte 0xe9 on line 2)"
    assert not (content / "articles/daily-example/cp1252.txt").exists()


def test_missing_text_file(content: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["new", "article", "daily-example/gone", "--from",
                          str(tmp_path / "nowhere.txt"), "--content", str(content)], capsys)
    assert (code, out) == (1, "")
    assert err.splitlines()[0] == f"error: cannot read {tmp_path / 'nowhere.txt'}: No such file or directory"
    assert not (content / "articles/daily-example/gone.txt").exists()
