"""docs/editing.md: its examples, assembled into a content tree, pass `check`; its broken
variants give the errors it shows; its vocabularies and editor settings are complete."""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import Path

import pytest

from generator import cli
from generator.schema import load_schema

REPO = Path(__file__).resolve().parent.parent
GUIDE = REPO / "docs" / "editing.md"
MINIMAL = Path(__file__).parent / "trees" / "minimal" / "content"
FENCE = re.compile(r"^```(\w*)([^\n]*)\n(.*?)^```$", re.MULTILINE | re.DOTALL)


@dataclass(frozen=True)
class Block:
    lang: str
    attrs: dict[str, str]
    text: str
    line: int


def blocks() -> list[Block]:
    guide = GUIDE.read_text("utf-8")
    found = []
    for match in FENCE.finditer(guide):
        attrs = dict(re.findall(r"(\w+)=(\S+)", match.group(2)))
        found.append(Block(match.group(1), attrs, match.group(3),
                           guide.count("\n", 0, match.start()) + 1))
    return found


def tree(tmp_path: Path, variant: str | None = None) -> Path:
    """The minimal fixture tree plus every example file of the guide; with `variant`, the
    files of that variant replace the examples they are variants of."""
    content = tmp_path / "content"
    shutil.copytree(MINIMAL, content)
    files = {b.attrs["file"]: b.text for b in blocks() if "file" in b.attrs and "variant" not in b.attrs}
    if variant is not None:
        files |= {b.attrs["file"]: b.text for b in blocks() if b.attrs.get("variant") == variant}
    for rel, text in files.items():
        assert rel.startswith("content/")
        target = tmp_path / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, "utf-8")
    return content


def check(content: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = cli.main(["check", str(content)])
    out, err = capsys.readouterr()
    return code, out, err


def test_every_yaml_example_is_a_file() -> None:
    for block in blocks():
        if block.lang == "yaml" or (block.lang == "text" and block.text.startswith("---\n")):
            assert "file" in block.attrs, f"docs/editing.md:{block.line}: example without file="


def test_examples_pass_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    examples = [b for b in blocks() if "file" in b.attrs and "variant" not in b.attrs]
    kinds = {b.attrs["file"].split("/")[1] for b in examples}
    assert kinds == {"outlets", "articles", "sources", "claims"}
    assert len({b.attrs["file"] for b in examples}) == len(examples), "one example per file"
    code, out, err = check(tree(tmp_path), capsys)
    assert (code, err) == (0, "")
    claims = sum(b.attrs["file"].startswith("content/claims/") for b in examples)
    assert out.startswith(f"ok: {1 + claims} claims, {1 + claims} appearances anchored")


def variants() -> list[str]:
    return sorted({b.attrs["variant"] for b in blocks() if "variant" in b.attrs})


def test_each_variant_has_its_output() -> None:
    outputs = sorted(b.attrs["output"] for b in blocks() if "output" in b.attrs)
    assert outputs == sorted([*variants(), "new-claim"])


@pytest.mark.parametrize("variant", variants())
def test_variant_gives_the_error_shown(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], variant: str
) -> None:
    code, _, err = check(tree(tmp_path, variant), capsys)
    assert code == 1
    shown = next(b for b in blocks() if b.attrs.get("output") == variant).text.splitlines()
    assert err.splitlines()[: len(shown)] == shown
    assert err.splitlines()[-1] == "1 problem found; nothing was written."


def test_new_claim_output_shown(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    content = tree(tmp_path)
    (content / "claims/example-attack-capability.yaml").unlink()
    assert cli.main(["new", "claim", "example-attack-capability", "--content", str(content)]) == 0
    capsys.readouterr()
    code, _, err = check(content, capsys)
    assert code == 1
    located = [line for line in err.splitlines() if line.startswith("content/")]
    shown = next(b for b in blocks() if b.attrs.get("output") == "new-claim").text.splitlines()
    assert located[: len(shown)] == shown


def test_modelines_point_at_the_schemas() -> None:
    for block in blocks():
        first = block.text.splitlines()[0]
        if not first.startswith("# yaml-language-server: $schema="):
            continue
        ref = first.split("=", 1)[1]
        folder = REPO / block.attrs.get("file", "content/claims/x.yaml")
        assert (folder.parent / ref).resolve().is_file(), f"docs/editing.md:{block.line}: {ref}"


def test_vscode_settings_cover_every_kind() -> None:
    settings = next(b for b in blocks() if b.attrs.get("settings") == "vscode")
    mapping = json.loads(settings.text)["yaml.schemas"]
    for schema_path in mapping:
        assert (REPO / schema_path).is_file(), schema_path
    samples = {
        "claim": "content/claims/haqqani-closest-links.yaml",
        "source": "content/sources/un-s-2022-419.yaml",
        "outlet": "content/outlets/redstate.yaml",
        "site": "content/site.yaml",
        "spellings": "content/spellings.yaml",
    }
    for kind, sample in samples.items():
        matched = [s for s, glob in mapping.items() if fnmatch(sample, glob)]
        assert matched == [f"./generator/schemas/{kind}.schema.json"], sample


def test_vocabularies_are_all_explained() -> None:
    guide = GUIDE.read_text("utf-8")
    claim = load_schema("claim")
    appearance = claim["properties"]["appearances"]["items"]["properties"]
    reading = appearance["fidelity"]["properties"]
    for values in (
        claim["properties"]["status"]["enum"],
        appearance["attribution"]["enum"],
        reading["quotation"]["enum"],
        reading["meaning"]["enum"],
    ):
        for value in values:
            assert f"| `{value}` |" in guide, value
    for change in reading["changes"]["items"]["enum"]:
        assert f"`{change}`" in guide, change
