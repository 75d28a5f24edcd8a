"""Forty claim files with forty unknown keys each: the list is capped per file and per run,
the count and the exit code are not."""

from pathlib import Path

from hostile._tree import CLAIM, minimal

EXPECTED = "content/claims/c-00.yaml:1:1: missing required key 'appearances'"


def make_case(tmp: Path) -> Path:
    content = minimal(tmp)
    text = (content / CLAIM).read_text("utf-8")
    for i in range(40):
        (content / f"claims/c-{i:02d}.yaml").write_text(
            "".join(f"unknown-{k}: 1\n" for k in range(40)), "utf-8")
    (content / CLAIM).write_text(text, "utf-8")
    return content


def check_output(out: str, err: str) -> None:
    lines = err.splitlines()
    assert "... and 26 more problems in content/claims/c-00.yaml" in lines
    assert lines[-2] == "... and 1380 more"
    assert lines[-1] == "1840 problems found; nothing was written."
